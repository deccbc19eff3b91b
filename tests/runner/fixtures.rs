//! The shipped fixture jobs run end to end on the local backend (they need the Python
//! packages in fixtures/jobs/requirements.txt, which the README set-up and .ci/run install).

use std::path::PathBuf;
use std::process::Command;

use super::{cgroups_or_skip, serial};

fn fixture_jobs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/jobs")
}

/// Run one job of a config written for the fixture scripts; return its run record.
fn run_fixture(script: &str, env: &str, cpu: &str, memory: &str) -> serde_json::Value {
    run_fixture_output(script, env, cpu, memory).0
}

/// [`run_fixture`], also returning our stderr (which carries the job's own output).
fn run_fixture_output(
    script: &str,
    env: &str,
    cpu: &str,
    memory: &str,
) -> (serde_json::Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("fargate-cost.toml");
    std::fs::write(
        &config,
        format!(
            "[[jobs]]\nname = \"fixture\"\ncpu = {cpu}\nmemory = \"{memory}\"\n[jobs.local]\ncommand = [\"python3\", \"{}\"]\nenv = {{ {env} }}\n",
            fixture_jobs().join(script).display()
        ),
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_fargate-cost"))
        .args([
            "--config",
            &config.to_string_lossy(),
            "run",
            "fixture",
            "--output",
            "json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    (
        rows.into_iter().next().expect("one run"),
        stderr.into_owned(),
    )
}

/// The `result=<digest>` line a fixture job prints.
fn digest(output: &str) -> Option<&str> {
    output
        .lines()
        .find_map(|l| l.trim().strip_prefix("result="))
}

#[test]
fn duckdb_rollup_is_cpu_bound() {
    if !cgroups_or_skip("duckdb_rollup_is_cpu_bound") {
        return;
    }
    if !crate::python_module_or_skip("duckdb", "duckdb_rollup_is_cpu_bound") {
        return;
    }
    let _machine = serial();
    let run = run_fixture("duckdb_rollup.py", "ORDERS = \"10000000\"", "1", "2GB");
    assert_eq!(run["stop_reason"], "completed");
    // It keeps its 1 vCPU busy: most samples at the limit. The mean also counts Python's
    // start-up and, on a busy host, stolen time (0.844 seen under load), so it is held to
    // less.
    let mean = run["cpu_mean_vcpu"].as_f64().unwrap();
    let p95 = run["cpu_p95_vcpu"].as_f64().unwrap();
    assert!(p95 > 0.95, "p95 CPU {p95} of 1 vCPU");
    assert!(mean > 0.75, "mean CPU {mean} of 1 vCPU");
}

#[test]
fn polars_sessions_is_memory_heavy() {
    if !cgroups_or_skip("polars_sessions_is_memory_heavy") {
        return;
    }
    if !crate::python_module_or_skip("polars", "polars_sessions_is_memory_heavy") {
        return;
    }
    let _machine = serial();
    let run = run_fixture("polars_sessions.py", "EVENTS = \"3000000\"", "2", "4GB");
    assert_eq!(run["stop_reason"], "completed");
    let peak = run["memory_peak_mib"].as_f64().unwrap();
    assert!(peak > 300.0, "peak {peak} MiB");
}

/// The PySpark fixture completes at 2 vCPU / 4 GB with a 2 GB driver heap, and DuckDB's
/// Spark API running the same DataFrame code prints the same digest.
#[test]
fn pyspark_sessions_runs_on_spark_and_duckdb_alike() {
    let test = "pyspark_sessions_runs_on_spark_and_duckdb_alike";
    if !cgroups_or_skip(test)
        || !crate::python_module_or_skip("pyspark", test)
        || !crate::python_module_or_skip("duckdb", test)
        || !crate::java_or_skip(test)
    {
        return;
    }
    let _machine = serial();
    let events = "EVENTS = \"300000\"";
    let (spark, spark_output) = run_fixture_output(
        "pyspark_sessions.py",
        &format!("{events}, SPARK_DRIVER_MEMORY = \"2g\""),
        "2",
        "4GB",
    );
    assert_eq!(spark["stop_reason"], "completed", "{spark_output}");
    // The JVM alone is well over 100 MiB: the peak is Spark's, not only Python's.
    let peak = spark["memory_peak_mib"].as_f64().unwrap();
    assert!(peak > 200.0, "peak {peak} MiB");
    let (duckdb, duckdb_output) = run_fixture_output(
        "pyspark_sessions.py",
        &format!("{events}, ENGINE = \"duckdb\""),
        "2",
        "4GB",
    );
    assert_eq!(duckdb["stop_reason"], "completed", "{duckdb_output}");
    let spark_digest = digest(&spark_output).expect("spark prints result=");
    assert_eq!(Some(spark_digest), digest(&duckdb_output));
}

/// A driver heap larger than the task, with data that fills it (every event collected to
/// the driver), is killed at the task's memory limit and recorded as `oom` — after the
/// warning that the heap does not fit.
#[test]
fn pyspark_heap_larger_than_the_task_is_recorded_as_oom() {
    let test = "pyspark_heap_larger_than_the_task_is_recorded_as_oom";
    if !cgroups_or_skip(test)
        || !crate::python_module_or_skip("pyspark", test)
        || !crate::java_or_skip(test)
    {
        return;
    }
    let _machine = serial();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("fargate-cost.toml");
    std::fs::write(
        &config,
        format!(
            "[[jobs]]\nname = \"fixture\"\nengine = \"spark\"\ncpu = 0.5\nmemory = \"1GB\"\n[jobs.spark]\ndriver_memory = \"4g\"\n[jobs.local]\ncommand = [\"python3\", \"{}\"]\nenv = {{ EVENTS = \"3000000\", COLLECT_EVENTS = \"1\" }}\n",
            fixture_jobs().join("pyspark_sessions.py").display()
        ),
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_fargate-cost"))
        .args(["--config", &config.to_string_lossy(), "run", "fixture"])
        .args(["--output", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("driver heap 4.0 GB ([jobs.spark] driver_memory) + overhead 409 MiB"),
        "{stderr}"
    );
    assert!(
        stderr.contains("exceeds the task's memory 1.0 GB"),
        "{stderr}"
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rows[0]["stop_reason"], "oom", "{stderr}");
}
