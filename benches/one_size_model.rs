//! How well the one-size CPU model (analysis::one_size) predicts real run times: each
//! fixture job is run by the user's command (`fargate-cost run JOB --cpu V --memory M`, the
//! local runner under cgroup limits) at a base size, the model is built from those runs' CPU
//! traces, and its predictions at the other sizes are compared with real runs there.
//!
//! Run: `cargo bench --bench one_size_model` (needs cgroups and the fixtures' Python
//! packages; ~3 min on 2 cores). Figures: docs/BENCHMARKS.md.

use std::path::Path;
use std::process::Command;

use fargate_cost::analysis::one_size::OneSize;

/// (job, memory, base vCPU, other vCPUs).
const CASES: [(&str, &str, f64, [f64; 2]); 2] = [
    ("duckdb-hourly-rollup", "4GB", 1.0, [0.5, 2.0]),
    ("polars-sessions", "4GB", 1.0, [0.5, 2.0]),
];

/// Runs of each size.
const REPEAT: &str = "2";

/// Run `job` at `vcpu` / `memory` REPEAT times into `store`; the runs' (seconds, share of
/// samples at the CPU limit).
fn measure(store: &Path, job: &str, vcpu: f64, memory: &str) -> Vec<(f64, f64)> {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fargate-cost.toml");
    let output = Command::new(env!("CARGO_BIN_EXE_fargate-cost"))
        .arg("--config")
        .arg(&config)
        .arg("--store")
        .arg(store)
        .args([
            "-q",
            "run",
            job,
            "--cpu",
            &vcpu.to_string(),
            "--memory",
            memory,
        ])
        .args(["--repeat", REPEAT, "--output", "json"])
        .output()
        .expect("fargate-cost runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).expect("rows");
    rows.iter()
        .map(|row| {
            let id = row["id"].as_str().expect("id");
            let file = store.join("runs").join(job).join(format!("{id}.json"));
            let run: serde_json::Value =
                serde_json::from_slice(&std::fs::read(file).expect("run file")).expect("run");
            let seconds = run["duration_ms"].as_f64().expect("duration") / 1000.0;
            let at_limit = run["cpu"]["at_limit"].as_f64().unwrap_or(0.0);
            (seconds, at_limit)
        })
        .collect()
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let v: Vec<f64> = values.collect();
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

#[allow(clippy::print_stdout)]
fn main() {
    let store = tempfile::tempdir().expect("temp store");
    println!("| job | measured at | at the limit | predicted at | predicted | measured | error |");
    println!("|---|---|---|---|---|---|---|");
    for (job, memory, base, others) in CASES {
        let runs = measure(store.path(), job, base, memory);
        let seconds = mean(runs.iter().map(|r| r.0));
        let at_limit = mean(runs.iter().map(|r| r.1));
        let Some(model) = OneSize::model(base, seconds, at_limit, runs.len()) else {
            println!(
                "| {job} | {base} vCPU ({seconds:.1} s) | {:.0}% | — | no model (never at the limit) | | |",
                at_limit * 100.0
            );
            continue;
        };
        for vcpu in others {
            let actual = mean(measure(store.path(), job, vcpu, memory).iter().map(|r| r.0));
            let predicted = model.predict(vcpu);
            println!(
                "| {job} | {base} vCPU ({seconds:.1} s) | {:.0}% | {vcpu} vCPU | {predicted:.1} s | {actual:.1} s | {:+.0}% |",
                at_limit * 100.0,
                (predicted - actual) / actual * 100.0
            );
        }
    }
}
