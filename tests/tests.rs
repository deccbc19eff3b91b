//! The integration-test binary: one module per area, all with real processes.

// Tests print why they skip (no cgroups here); the printer lint is for the product.
#![allow(clippy::print_stderr)]

mod aws;
mod cli;
mod report;
mod runner;
mod tune;
