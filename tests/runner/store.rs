//! The run store through the CLI: `run`, `runs`, interruption, crashes mid-write,
//! damaged files.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{cgroup_dirs_named, cgroups_or_skip, serial};

fn write_config(dir: &Path, jobs: &str) -> PathBuf {
    let path = dir.join("fargate-cost.toml");
    std::fs::write(&path, jobs).expect("config written");
    path
}

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_fargate-cost")
}

fn runs_json(config: &Path) -> (Vec<serde_json::Value>, String) {
    let output = Command::new(binary())
        .args([
            "--config",
            &config.to_string_lossy(),
            "runs",
            "--output",
            "json",
        ])
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        serde_json::from_slice(&output.stdout).expect("json"),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

const QUICK_JOB: &str = r#"
[[jobs]]
name = "quick"
cpu = 0.25
memory = "0.5GB"
duration = "1m"
[jobs.local]
command = ["python3", "-c", "print('hello from the job')"]
"#;

#[test]
fn run_records_and_runs_lists_it() {
    if !cgroups_or_skip("run_records_and_runs_lists_it") {
        return;
    }
    let _machine = serial();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), QUICK_JOB);
    let output = Command::new(binary())
        .args([
            "--config",
            &config.to_string_lossy(),
            "run",
            "quick",
            "--repeat",
            "2",
            "--output",
            "csv",
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // The job's own output goes to stderr; stdout is the runs CSV only.
    assert!(stderr.contains("hello from the job"), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        headers,
        [
            "id",
            "job",
            "backend",
            "cpu_vcpu",
            "memory_gib",
            "arch",
            "capacity",
            "started_at",
            "stopped_at",
            "duration_s",
            "billed_s",
            "exit_code",
            "stop_reason",
            "cpu_mean_vcpu",
            "cpu_p95_vcpu",
            "cpu_max_vcpu",
            "memory_peak_mib",
            "memory_p95_mib",
            "samples",
            "limits_enforced",
            "usd",
            "engine"
        ]
    );
    assert_eq!(reader.records().count(), 2);
    let (runs, warnings) = runs_json(&config);
    assert_eq!(runs.len(), 2, "{warnings}");
    for run in &runs {
        assert_eq!(run["job"], "quick");
        assert_eq!(run["stop_reason"], "completed");
        assert_eq!(run["billed_s"], 60, "1-minute minimum");
        // 0.25 vCPU / 0.5 GB for 60 s: (0.25 × 0.04048 + 0.5 × 0.004445) / 60 = 0.000205708…
        assert_eq!(run["usd"], 0.000206);
        assert_eq!(run["limits_enforced"], true);
    }
    // runs show reads the samples back.
    let id = runs[0]["id"].as_str().unwrap();
    let show = Command::new(binary())
        .args([
            "--config",
            &config.to_string_lossy(),
            "runs",
            "show",
            &id[..20],
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&show.stdout);
    assert!(
        show.status.success(),
        "{}",
        String::from_utf8_lossy(&show.stderr)
    );
    assert!(
        text.contains(id) && text.contains("enforced (cgroup"),
        "{text}"
    );
}

#[test]
fn sigint_mid_run_records_interrupted_and_removes_the_cgroup() {
    if !cgroups_or_skip("sigint_mid_run") {
        return;
    }
    let _machine = serial();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        r#"
[[jobs]]
name = "long"
cpu = 0.25
memory = "0.5GB"
[jobs.local]
command = ["python3", "-c", "import time; time.sleep(60)"]
"#,
    );
    let child = Command::new(binary())
        .args([
            "--config",
            &config.to_string_lossy(),
            "run",
            "long",
            "--sample-interval",
            "100ms",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    // SAFETY: kill(2) on our own child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let started = Instant::now();
    let output = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "stopped promptly"
    );
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (runs, _) = runs_json(&config);
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["stop_reason"], "interrupted");
    let duration = runs[0]["duration_s"].as_f64().unwrap();
    assert!(
        (1.0..5.0).contains(&duration),
        "partial run of {duration} s"
    );
    let id = runs[0]["id"].as_str().unwrap();
    assert!(cgroup_dirs_named(id).is_empty(), "cgroup {id} removed");
}

#[test]
fn a_missing_command_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "[[jobs]]\nname = \"broken\"\ncpu = 0.25\nmemory = \"0.5GB\"\n[jobs.local]\ncommand = [\"./no-such-script.sh\"]\n",
    );
    let output = Command::new(binary())
        .args(["--config", &config.to_string_lossy(), "run", "broken"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot start job `broken`: `./no-such-script.sh` was not found"),
        "{stderr}"
    );
    let (runs, _) = runs_json(&config);
    assert!(runs.is_empty(), "nothing recorded");
}

#[test]
fn sigkill_mid_write_never_leaves_a_half_written_run() {
    if !cgroups_or_skip("sigkill_mid_write") {
        return;
    }
    let _machine = serial();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "[[jobs]]\nname = \"tiny\"\ncpu = 0.25\nmemory = \"0.5GB\"\n[jobs.local]\ncommand = [\"true\"]\n",
    );
    // Kill the recorder at many different moments; most land in or near a write.
    for round in 0..12u64 {
        let mut child = Command::new(binary())
            .args([
                "--config",
                &config.to_string_lossy(),
                "-q",
                "run",
                "tiny",
                "--repeat",
                "1000",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(150 + round * 37));
        child.kill().unwrap();
        child.wait().unwrap();
    }
    let (runs, warnings) = runs_json(&config);
    assert!(!runs.is_empty());
    assert!(
        !warnings.contains("skipped"),
        "no damaged file visible: {warnings}"
    );
    for run in &runs {
        let id = run["id"].as_str().unwrap();
        let samples = dir
            .path()
            .join(".fargate-cost/samples/tiny")
            .join(format!("{id}.parquet"));
        assert!(samples.exists(), "a visible run has its samples: {id}");
    }
}

#[test]
fn damaged_and_foreign_files_are_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), QUICK_JOB);
    let runs_dir = dir.path().join(".fargate-cost/runs/quick");
    std::fs::create_dir_all(&runs_dir).unwrap();
    std::fs::write(
        runs_dir.join("20260101T000000Z-deadbeef.json"),
        "{ not json",
    )
    .unwrap();
    std::fs::write(runs_dir.join("notes.txt"), "mine").unwrap();
    let (runs, warnings) = runs_json(&config);
    assert!(runs.is_empty());
    assert!(
        warnings.contains("20260101T000000Z-deadbeef.json"),
        "{warnings}"
    );
    assert!(
        warnings.contains("notes.txt: not a run record"),
        "{warnings}"
    );
}

/// Regression: `--store` naming a file ran the whole job, then failed to record it. The
/// store is checked first: exit 2 naming `--store`, and the job never starts.
#[test]
fn an_unwritable_store_is_refused_before_the_job_starts() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("job-started");
    let config = write_config(
        dir.path(),
        &format!(
            "[[jobs]]\nname = \"j\"\ncpu = 0.25\nmemory = \"512MiB\"\n[jobs.local]\ncommand = [\"touch\", \"{}\"]\n",
            marker.display()
        ),
    );
    let not_a_dir = dir.path().join("store-is-a-file");
    std::fs::write(&not_a_dir, "x").unwrap();
    let output = Command::new(binary())
        .args(["--config", &config.to_string_lossy()])
        .args(["--store", &not_a_dir.to_string_lossy(), "run", "j"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("error: --store: "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        !marker.exists(),
        "the job ran although its run could not be recorded"
    );
}

/// Regression: a missing `workdir` was reported as the command not being found.
#[test]
fn a_missing_workdir_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "[[jobs]]\nname = \"j\"\ncpu = 0.25\nmemory = \"512MiB\"\n[jobs.local]\ncommand = [\"true\"]\nworkdir = \"no-such-dir\"\n",
    );
    let output = Command::new(binary())
        .args(["--config", &config.to_string_lossy(), "run", "j"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("local.workdir") && stderr.contains("no-such-dir"),
        "{stderr}"
    );
    assert!(!stderr.contains("not found"), "{stderr}");
}

/// Regression: records with negative money (`usd: "-5"` gave a negative saving), an
/// unknown format version or a size Fargate does not sell were read and summed. They are
/// reported and skipped, and `runs show` says a damaged run is damaged and why.
#[test]
fn untrustworthy_records_are_reported_and_never_counted() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), QUICK_JOB);
    let output = Command::new(binary())
        .args(["--config", &config.to_string_lossy(), "-q", "run", "quick"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let runs_dir = dir.path().join(".fargate-cost/runs/quick");
    let good = std::fs::read_dir(&runs_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let record: serde_json::Value = serde_json::from_slice(&std::fs::read(&good).unwrap()).unwrap();
    let damaged = [
        (
            "20200101T000000Z-0000000a",
            "usd",
            serde_json::json!("-5"),
            "usd -5 is outside",
        ),
        (
            "20200101T000000Z-0000000b",
            "schema_version",
            serde_json::json!(9),
            "unknown schema_version 9",
        ),
        (
            "20200101T000000Z-0000000c",
            "cpu_units",
            serde_json::json!(3000),
            "not a Fargate size",
        ),
    ];
    for (id, field, value, _) in &damaged {
        let mut bad = record.clone();
        bad["id"] = serde_json::json!(id);
        bad[*field] = value.clone();
        std::fs::write(runs_dir.join(format!("{id}.json")), bad.to_string()).unwrap();
    }
    let (runs, warnings) = runs_json(&config);
    assert_eq!(runs.len(), 1, "only the good run is listed: {runs:?}");
    for (id, _, _, reason) in &damaged {
        assert!(
            warnings.contains(id) && warnings.contains(reason),
            "{warnings}"
        );
    }
    let output = Command::new(binary())
        .args([
            "--config",
            &config.to_string_lossy(),
            "runs",
            "show",
            "20200101T000000Z-0000000a",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("is damaged: usd -5 is outside"), "{stderr}");
}

/// `runs show ID --chart` draws the run's trace as SVG and as PNG. SVG measures its text
/// with the bundled font too: it failed with FontUnavailable where no system font is found.
#[test]
fn runs_show_draws_the_trace_as_svg_and_png() {
    if !cgroups_or_skip("runs_show_draws_the_trace") {
        return;
    }
    let _machine = serial();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "[[jobs]]\nname = \"traced\"\ncpu = 0.25\nmemory = \"0.5GB\"\n[jobs.local]\ncommand = [\"python3\", \"-c\", \"import time; b = bytearray(50_000_000); time.sleep(1.5)\"]\n",
    );
    let output = Command::new(binary())
        .args(["--config", &config.to_string_lossy(), "-q"])
        .args(["run", "traced", "--sample-interval", "100ms"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (runs, _) = runs_json(&config);
    let id = runs[0]["id"].as_str().unwrap().to_string();
    let show = |chart: &Path| {
        let output = Command::new(binary())
            .args(["--config", &config.to_string_lossy(), "runs", "show", &id])
            .arg("--chart")
            .arg(chart)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let svg = dir.path().join("trace.svg");
    show(&svg);
    crate::report::assert_svg_has(
        &svg,
        &[&format!("traced — run {id}"), "CPU (vCPU)", "memory (MiB)"],
    );
    let png = dir.path().join("trace.png");
    show(&png);
    let ((width, height), drawn) = crate::report::png_pixels(&png);
    assert!(width >= 800 && height >= 400, "{width}×{height}");
    assert!(drawn > 5_000, "{drawn} drawn pixels");
}

/// A local run of a job with `assign_public_ip = true` is priced as Fargate would bill it:
/// the address is recorded as a part of the run's cost, and the record says why.
#[test]
fn a_local_run_of_a_public_ip_job_records_the_address() {
    if !cgroups_or_skip("a_local_run_of_a_public_ip_job_records_the_address") {
        return;
    }
    let _machine = serial();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!("{QUICK_JOB}[jobs.ecs]\nassign_public_ip = true\n"),
    );
    let output = Command::new(binary())
        .args(["--config", &config.to_string_lossy(), "run", "quick"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let runs = dir.path().join(".fargate-cost").join("runs").join("quick");
    let file = std::fs::read_dir(&runs)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let run: fargate_cost::model::run::Run =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert!(run.public_ip);
    // A short job is billed the 60 s minimum: 0.005 × 60 / 3600 = 0.0000833…
    assert_eq!(run.billed_seconds, 60);
    assert_eq!(
        run.public_ipv4_usd,
        rust_decimal_macros::dec!(0.005) * rust_decimal::Decimal::from(60)
            / rust_decimal::Decimal::from(3600)
    );
    assert!(
        run.notes.iter().any(|n| n.contains("assign_public_ip")),
        "{:?}",
        run.notes
    );
}

/// `run --engine NAME` runs a `[jobs.engines]` alternative's command with its env, and each
/// run records its engine (`runs` rows carry it; the job's own engine when no flag).
#[test]
fn run_engine_runs_the_alternative_and_records_it() {
    if !cgroups_or_skip("run_engine_runs_the_alternative_and_records_it") {
        return;
    }
    let _machine = serial();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        r#"
[[jobs]]
name = "sessions"
engine = "spark"
cpu = 0.25
memory = "0.5GB"
duration = "1m"
[jobs.local]
command = ["sh", "-c", "echo on $ENGINE"]
env = { ENGINE = "spark" }
[jobs.engines.duckdb]
command = ["sh", "-c", "echo alternative on $ENGINE"]
env = { ENGINE = "duckdb" }
"#,
    );
    for (engine, printed) in [
        (None, "on spark"),
        (Some("duckdb"), "alternative on duckdb"),
    ] {
        let mut command = Command::new(binary());
        command.args(["--config", &config.to_string_lossy(), "run", "sessions"]);
        command.args(engine.map(|e| ["--engine", e]).iter().flatten());
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        assert!(stderr.contains(printed), "{stderr}");
    }
    let (runs, warnings) = runs_json(&config);
    let mut engines: Vec<_> = runs.iter().map(|r| r["engine"].clone()).collect();
    engines.sort_by_key(|e| e.to_string());
    assert_eq!(engines, ["duckdb", "spark"], "{warnings}");
}
