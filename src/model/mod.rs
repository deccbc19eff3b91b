//! The data model: valid Fargate sizes, jobs as configured, Glue configurations, schedules,
//! and recorded runs. Nothing here prices, measures, reads the store or formats output.

pub(crate) mod glue;
pub mod job;
pub mod plan;
pub mod run;
pub(crate) mod schedule;
pub mod size;
pub mod spark;
pub mod task;
mod toml_pieces;
pub mod usage;
