//! fargate-cost: measure batch data jobs under AWS Fargate limits and price them on Fargate
//! and AWS Glue exactly as AWS bills them.
//!
//! Data flows one way: config → (measure → store) → analyse (`cost`, `comparison`) →
//! present (`report`). Library code never prints; commands print through [`printer`].

pub mod aws;
pub mod cli;
pub mod commands;
pub mod comparison;
pub mod config;
pub mod cost;
pub mod error;
pub mod glue;
pub mod import;
pub mod index;
pub mod metrics;
pub mod monthly;
pub mod pricing;
pub mod printer;
pub mod report;
pub mod rewrite;
pub mod run;
pub mod runner;
pub mod schedule;
pub mod size;
pub mod sizing;
pub mod store;

pub use error::{Error, Result};
