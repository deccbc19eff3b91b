//! Analysis of jobs and recorded runs: Fargate-vs-Glue comparison, right-sizing, the
//! monthly report. Pure: no I/O, no AWS, no formatting.

pub mod comparison;
pub(crate) mod engines;
pub(crate) mod glue_migration;
pub(crate) mod jvm;
pub mod monthly;
pub mod one_size;
pub mod peaks;
pub mod sizing;
pub(crate) mod tuning;
pub mod workload;
