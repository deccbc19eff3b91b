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
