//! The integration-test binary: one module per area, all with real processes.

// Tests print why they skip (no cgroups here); the printer lint is for the product.
#![allow(clippy::print_stderr)]

mod aws;
mod cli;
mod report;
mod runner;
mod tune;

/// True when python3 can import `module` (a fixture job's engine). When it cannot, the
/// test is skipped with the install command — or, under `CI=true`, fails: CI installs
/// fixtures/jobs/requirements.txt, so a missing package there is a broken CI.
pub fn python_module_or_skip(module: &str, test: &str) -> bool {
    let found = std::process::Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return true;
    }
    let why = format!(
        "{test} needs the Python package {module} (python3 -m pip install -r fixtures/jobs/requirements.txt)"
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but {why}");
    }
    eprintln!("skipping: {why}");
    false
}

/// True when a `java` runtime is on PATH (Spark's driver is a JVM). Skips with the reason,
/// or under `CI=true` fails: .ci/run installs a JRE where the machine has none.
pub fn java_or_skip(test: &str) -> bool {
    let found = std::process::Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return true;
    }
    let why =
        format!("{test} needs a Java runtime for Spark (apt-get install default-jre-headless)");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but {why}");
    }
    eprintln!("skipping: {why}");
    false
}
