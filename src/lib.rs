//! fargate-cost: measure batch data jobs under AWS Fargate limits and price them on Fargate
//! and AWS Glue exactly as AWS bills them.
//!
//! Folders name the stages of one-way flow, lowest first: [`model`] (sizes, jobs, runs) →
//! [`pricing`] (price book, billing rules, the one pricing function) → [`runner`], [`aws`],
//! [`store`] (measure and record) → [`analysis`] (pure: compare, size, aggregate) →
//! [`report`] (tables, rows, charts) → [`commands`]. A lower folder never imports a higher
//! one. Library code never prints; commands print through [`printer`].

// `pub` only where something outside the library (the binary, tests, benches) needs it.
#![warn(unreachable_pub)]

pub mod analysis;
pub mod aws;
pub mod cli;
pub mod commands;
pub mod error;
pub mod model;
pub mod pricing;
pub mod printer;
pub mod report;
pub mod runner;
pub mod settings;
pub mod store;

pub use error::{Error, Result};
