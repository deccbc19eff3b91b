//! `tune job`: refusal, sweeps of a real fixture job, charts, `--write`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::runner::{cgroups_or_skip, serial};

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_fargate-cost")
}

fn config_with(dir: &Path, body: &str) -> PathBuf {
    let path = dir.join("fargate-cost.toml");
    std::fs::write(&path, body).unwrap();
    path
}

fn duckdb_job(orders: u64) -> String {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/jobs/duckdb_rollup.py");
    format!(
        "# our nightly rollup\n[[jobs]]\nname = \"rollup\"\ncpu = \"2 vCPU\"   # was guessed\nmemory = \"8GB\"\nruns_per_month = 30\n[jobs.local]\ncommand = [\"python3\", \"{}\"]\nenv = {{ ORDERS = \"{orders}\" }}\n",
        script.display()
    )
}

#[test]
fn refuses_without_enough_runs() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_with(dir.path(), &duckdb_job(1000));
    let output = Command::new(binary())
        .args([
            "--config",
            &config.to_string_lossy(),
            "tune",
            "job",
            "rollup",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("only 0 usable (completed) run(s) of `rollup` in the last 30 days; need 3"),
        "{stderr}"
    );
}

#[test]
fn a_sweep_of_a_real_fixture_job_fits_a_model_draws_a_chart_and_writes_the_config() {
    if !cgroups_or_skip("tune sweep") {
        return;
    }
    if !crate::python_module_or_skip("duckdb", "tune sweep") {
        return;
    }
    let _machine = serial();
    let dir = tempfile::tempdir().unwrap();
    let body = duckdb_job(3_000_000);
    let config = config_with(dir.path(), &body);
    let chart = dir.path().join("sweep.png");
    let output = Command::new(binary())
        .args([
            "--config",
            &config.to_string_lossy(),
            "-q",
            "tune",
            "job",
            "rollup",
            "--sweep",
            "0.5,1,2",
            "--chart",
            &chart.to_string_lossy(),
            "--output",
            "json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let rows: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let row = &rows[0];
    assert_eq!(row["runs"], 4, "a baseline run, then one per sweep size");
    let reasons: Vec<&str> = row["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r.as_str())
        .collect();
    assert!(reasons.contains(&"RuntimeModel"), "{reasons:?}");
    // Memory was 8 GB for a ~200 MiB job: the recommendation is smaller and cheaper.
    assert!(
        row["recommended_memory_gib"].as_f64().unwrap() < 8.0,
        "{row}"
    );
    assert!(
        row["savings_usd_per_month"].as_f64().unwrap() > 0.0,
        "{row}"
    );

    // The chart is a real PNG with drawing on it.
    let ((width, height), drawn) = crate::report::png_pixels(&chart);
    assert_eq!((width, height), (960, 600));
    assert!(drawn > 5_000, "{drawn} drawn pixels");
    // The same chart as SVG, from the recorded runs (SVG measures its text with the bundled
    // font too: it failed with FontUnavailable where no system font is found).
    let svg = dir.path().join("sweep.svg");
    let output = Command::new(binary())
        .args(["--config", &config.to_string_lossy(), "-q"])
        .args(["tune", "job", "rollup", "--chart", &svg.to_string_lossy()])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let texts = crate::report::assert_svg_has(
        &svg,
        &["rollup: cost and run time per size", "vCPU", "recommended"],
    );
    // Money ticks name amounts ("$0.0012"), never a row of identical "$0.00".
    let ticks: Vec<&String> = texts.iter().filter(|t| t.starts_with('$')).collect();
    assert!(ticks.len() >= 3, "{texts:?}");
    let distinct: std::collections::BTreeSet<&&String> = ticks.iter().collect();
    assert_eq!(distinct.len(), ticks.len(), "{ticks:?}");

    // --write changes only the two size values, keeping the comments.
    let output = Command::new(binary())
        .args([
            "--config",
            &config.to_string_lossy(),
            "-q",
            "tune",
            "job",
            "rollup",
            "--write",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let diff = String::from_utf8_lossy(&output.stdout);
    assert!(diff.contains("-cpu = \"2 vCPU\"   # was guessed"), "{diff}");
    let after = std::fs::read_to_string(&config).unwrap();
    let changed: Vec<(&str, &str)> = body
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(changed.len(), 2, "{changed:?}");
    assert!(
        changed[0].1.starts_with("cpu = \"") && changed[0].1.ends_with("\"   # was guessed"),
        "{changed:?}"
    );
    assert!(changed[1].1.starts_with("memory = \""), "{changed:?}");
    assert_eq!(body.lines().count(), after.lines().count());
}

/// Regression: `--write` re-read the config after the sweep, so edits made during the
/// sweep were silently overwritten with sizes computed from the old file. The job here
/// edits its own config while it runs; `--write` must refuse (exit 1) and keep the edits.
#[test]
fn write_refuses_a_config_edited_during_the_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let body = "[[jobs]]\nname = \"editor\"\ncpu = \"2 vCPU\"\nmemory = \"8GB\"\nruns_per_month = 30\n[jobs.local]\ncommand = [\"sh\", \"-c\", \"echo '# edited during the sweep' >> fargate-cost.toml\"]\n";
    let config = config_with(dir.path(), body);
    let output = Command::new(binary())
        .args(["--config", &config.to_string_lossy(), "-q"])
        .args([
            "tune", "job", "editor", "--sweep", "0.25,0.5", "--repeat", "2",
        ])
        .arg("--write")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("changed since it was read; not overwritten"),
        "{stderr}"
    );
    let after = std::fs::read_to_string(&config).unwrap();
    // Baseline + 2 sizes × 2 repeats (+ any size added to cover memory): each run
    // appended a line, and every line is still there; the size is unchanged.
    assert!(
        after.matches("# edited during the sweep").count() >= 5,
        "{after}"
    );
    assert!(after.starts_with(body), "{after}");
}

/// A 0.25 vCPU / 0.5 GB job `tiny` with `[jobs.ecs]` settings `ecs` and three completed
/// local runs of 600 s in its store; `tune job tiny`'s stdout.
fn tune_tiny(ecs: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let config = config_with(
        dir.path(),
        &format!(
            "[[jobs]]\nname = \"tiny\"\ncpu = 0.25\nmemory = \"0.5GB\"\nruns_per_month = 30\n[jobs.ecs]\n{ecs}\n"
        ),
    );
    let runs = dir.path().join(".fargate-cost").join("runs").join("tiny");
    std::fs::create_dir_all(&runs).unwrap();
    for n in 0..3 {
        let started = chrono::Utc::now() - chrono::Duration::hours(n + 1);
        let run = serde_json::json!({
            "schema_version": 1, "id": format!("r{n}"), "job": "tiny", "backend": "local",
            "cpu_units": 256, "memory_mib": 512, "arch": "x86_64", "os": "linux",
            "capacity": "on-demand", "region": "us-east-1", "ephemeral_storage_gib": 20,
            "created_at": started, "pull_started_at": null, "started_at": started,
            "stopped_at": started + chrono::Duration::seconds(600),
            "duration_ms": 600_000, "billed_seconds": 600,
            "exit_code": 0, "stop_reason": "completed", "stop_detail": "",
            "cpu": {"mean": 0.1, "p50": 0.1, "p95": 0.12, "p99": 0.13, "max": 0.14},
            "memory": {"peak_mib": 300.0, "p95_mib": 290.0, "peak_exact": true},
            "samples": 10, "sample_interval_ms": 1000,
            "limits": {"enforced": true, "mechanism": "cgroup v2"},
            "usd": "0.002057083333333333333333333",
            "launched": [], "notes": []
        });
        std::fs::write(runs.join(format!("r{n}.json")), run.to_string()).unwrap();
    }
    let output = Command::new(binary())
        .env("NO_COLOR", "1")
        .env("FARGATE_COST_PRICES_FILE", "/nonexistent/prices.json")
        .args(["--config", &config.to_string_lossy(), "tune", "job", "tiny"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A job with `assign_public_ip = true` at 0.25 vCPU / 0.5 GB: the address is
/// 0.005 / (0.0123425 + 0.005) = 28.8 % of a run, so `tune` shows it and suggests a private
/// subnet, saying what that changes.
#[test]
fn a_public_ip_worth_five_percent_gets_a_private_subnet_suggestion() {
    let stdout = tune_tiny("assign_public_ip = true");
    // 600 s at 0.25 vCPU / 0.5 GB (already the smallest size): 0.005 × 600 / 3600 = 0.000833.
    assert!(stdout.contains("Public IPv4"), "{stdout}");
    assert!(stdout.contains("$0.000833 per run (28.8 %"), "{stdout}");
    assert!(stdout.contains("private subnet"), "{stdout}");
    assert!(stdout.contains("NAT gateway or VPC endpoints"), "{stdout}");
    // × 30 runs a month = 0.025.
    assert!(stdout.contains("($0.025 per month)"), "{stdout}");
    // A private job gets neither line.
    let private = tune_tiny("assign_public_ip = false");
    assert!(!private.contains("Public IPv4"), "{private}");
    assert!(!private.contains("Suggestion"), "{private}");
}

/// Local runs pull no image: `[jobs.ecs] image_size_mb = 600` adds an estimated 40 s pull
/// (600 MB at 15 MB/s) to every priced run and says it is an estimate.
#[test]
fn an_image_size_adds_an_estimated_pull_to_tune() {
    let stdout = tune_tiny("image_size_mb = 600");
    // The pull's part of a 640 s billed run: 0.0123425 × 40 / 3600 = 0.000137138… → $0.000137.
    // (The table wraps long values, so the line is checked in pieces.)
    assert!(
        stdout.contains("40s estimated from [jobs.ecs] image_size_mb at an assumed 15 MB/s,"),
        "{stdout}"
    );
    assert!(
        stdout.contains("$0.000137 of a run at 0.25 vCPU"),
        "{stdout}"
    );
    // The current cost includes it: 0.0123425 × 640 / 3600 = 0.002194222… → $0.00219
    // (tables show 3 significant digits); without it 0.0123425 / 6 = $0.00206.
    assert!(stdout.contains("0.5 GB — $0.00219 per run"), "{stdout}");
    // So do the alternatives: ARM (0.25 × 0.03238 + 0.5 × 0.00356) × 640 / 3600 = $0.00176.
    assert!(stdout.contains("$0.00176 per run"), "{stdout}");
}

/// A job whose own command and `[jobs.engines.other]` print a digest (`$DIGEST`).
fn two_engine_job(own: &str, other: &str) -> String {
    format!(
        r#"
[[jobs]]
name = "sessions"
engine = "spark"
cpu = 0.25
memory = "0.5GB"
runs_per_month = 30
[jobs.local]
command = ["sh", "-c", "echo result=$DIGEST"]
env = {{ DIGEST = "{own}" }}
[jobs.engines.other]
command = ["sh", "-c", "echo other engine; echo result=$DIGEST"]
env = {{ DIGEST = "{other}" }}
"#
    )
}

fn tune_engines(config: &Path, output: &str) -> (i32, String, String) {
    let out = Command::new(binary())
        .args(["--config", &config.to_string_lossy(), "--output", output])
        .args(["tune", "job", "sessions", "--engines", "spark,other"])
        .args(["--min-runs", "1"])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `tune --engines` runs each engine that has too few runs, then prints one row per engine
/// with an `engine` column, the saving of moving from the first, and whether the digests
/// agree; digests that differ are said loudly on stderr.
#[test]
fn tune_engines_compares_engines_and_their_results() {
    if !cgroups_or_skip("tune_engines_compares_engines_and_their_results") {
        return;
    }
    let _machine = serial();
    let dir = tempfile::tempdir().unwrap();
    let config = config_with(dir.path(), &two_engine_job("abc", "abc"));
    let (code, stdout, stderr) = tune_engines(&config, "csv");
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("0 completed run(s) on other"), "{stderr}");
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        headers,
        [
            "job",
            "engine",
            "runs",
            "duration_s",
            "memory_peak_mib",
            "recommended_cpu_vcpu",
            "recommended_memory_gib",
            "usd_per_run",
            "usd_per_month",
            "savings_usd_per_month",
            "result",
            "results_agree"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!((&rows[0][1], &rows[1][1]), ("spark", "other"));
    for row in &rows {
        assert_eq!(
            (&row[0], &row[2], &row[10], &row[11]),
            ("sessions", "1", "abc", "true")
        );
    }
    // Same size, same 1-minute minimum: moving saves nothing; the first row is the base.
    assert_eq!(&rows[0][9], "0");
    let per_month: rust_decimal::Decimal = rows[0][8].parse().unwrap();
    let saving: rust_decimal::Decimal = rows[1][9].parse().unwrap();
    let other: rust_decimal::Decimal = rows[1][8].parse().unwrap();
    assert_eq!(saving, per_month - other);

    // Plain tune sizes the job from its own engine's run only, not the alternative's.
    let plain = Command::new(binary())
        .args(["--config", &config.to_string_lossy(), "--output", "json"])
        .args(["tune", "job", "sessions", "--min-runs", "1"])
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert_eq!(
        rows[0]["runs"],
        1,
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );

    // Now the alternative computes something else: the table and stderr say so.
    let config = config_with(dir.path(), &two_engine_job("abc", "abd"));
    std::fs::remove_dir_all(dir.path().join(".fargate-cost")).ok();
    let (code, stdout, stderr) = tune_engines(&config, "table");
    assert_eq!(code, 0, "{stderr}");
    let loud = "RESULTS DIFFER: spark result=abc, other result=abd";
    assert!(stderr.contains(loud), "{stderr}");
    assert!(stdout.contains(loud), "{stdout}");
}

/// `tune --write` on a Spark job moves the driver heap with the size, where the config
/// sets it, and the diff shows it; the recommendation says why.
#[test]
fn tune_write_moves_a_spark_heap_with_the_size() {
    if !cgroups_or_skip("tune_write_moves_a_spark_heap_with_the_size") {
        return;
    }
    let _machine = serial();
    let dir = tempfile::tempdir().unwrap();
    let body = r#"[[jobs]]
name = "spark-job"
engine = "spark"
cpu = 2
memory = "4GB"
runs_per_month = 30
[jobs.spark]
driver_memory = "2g"   # JVM heap
[jobs.local]
command = ["sh", "-c", "echo heap $SPARK_DRIVER_MEMORY"]
"#;
    let config = config_with(dir.path(), body);
    let config_arg = config.to_string_lossy().into_owned();
    let run = Command::new(binary())
        .args(["--config", &config_arg, "run", "spark-job"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    // [jobs.spark] driver_memory reaches the job as SPARK_DRIVER_MEMORY.
    assert!(stderr.contains("heap 2g"), "{stderr}");
    let tune = Command::new(binary())
        .args(["--config", &config_arg, "tune", "job", "spark-job"])
        .args(["--min-runs", "1", "--write"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&tune.stdout);
    let stderr = String::from_utf8_lossy(&tune.stderr);
    assert!(tune.status.success(), "{stderr}");
    // A job that does nothing is sized down to 0.25 vCPU / 0.5 GB; its heap to Spark's
    // least workable 512 MiB.
    assert!(
        stdout.contains("-driver_memory = \"2g\"   # JVM heap"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+driver_memory = \"512m\"   # JVM heap"),
        "{stdout}"
    );
    assert!(
        stdout.contains("driver heap 512 MiB (was 2.0 GB)"),
        "{stdout}"
    );
    let written = std::fs::read_to_string(&config).unwrap();
    assert!(written.contains("driver_memory = \"512m\""), "{written}");
}
