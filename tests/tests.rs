//! The integration-test binary: one module per command, all through the real binary.

mod cli;
