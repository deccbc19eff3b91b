//! CLI tests: run the built `fargate-cost` binary and check stdout, stderr and exit codes.

mod aws_errors;
mod bad_inputs;
mod compare;
mod errors;
mod prices;
mod shell;

use std::path::PathBuf;

/// The binary under test, with a clean environment for the things it reads.
pub fn fargate_cost() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("fargate-cost").expect("binary is built");
    cmd.env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("FARGATE_COST_CONFIG")
        // An empty store: these tests price the configured guesses, not recorded runs.
        .env("FARGATE_COST_STORE", "/nonexistent/fargate-cost-test-store")
        // No price cache: the figures in these tests are the bundled book's.
        .env(
            "FARGATE_COST_PRICES_FILE",
            "/nonexistent/fargate-cost-test-prices.json",
        )
        .env("NO_COLOR", "1");
    cmd
}

/// A file under fixtures/.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// Run and return (exit code, stdout, stderr).
pub fn run(cmd: &mut assert_cmd::Command) -> (i32, String, String) {
    let output = cmd.output().expect("runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}
