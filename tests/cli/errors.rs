//! Bad input: one clear line on stderr naming the flag/field, exit code 2, nothing on
//! stdout, never a panic.

use super::{fargate_cost, fixture, run};

fn assert_usage_error(args: &[&str], expected: &str) {
    let (code, stdout, stderr) = run(fargate_cost().args(args));
    assert_eq!(code, 2, "{args:?}: {stderr}");
    assert!(stdout.is_empty(), "{args:?}: stdout {stdout}");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains(expected), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"));
}

#[test]
fn invalid_size() {
    assert_usage_error(
        &[
            "compare",
            "--cpu",
            "8",
            "--memory",
            "8GB",
            "--duration",
            "1h",
        ],
        "--memory: 8 vCPU / 8 GB is not a valid Fargate size: 8 vCPU needs 16–60 GB in 4 GB steps; nearest valid: 8 vCPU / 16 GB",
    );
    assert_usage_error(
        &[
            "compare",
            "--cpu",
            "3",
            "--memory",
            "8GB",
            "--duration",
            "1h",
        ],
        // Regression: this blamed --memory.
        "error: --cpu: 3 vCPU is not a Fargate CPU size",
    );
    assert_usage_error(
        &[
            "compare",
            "--cpu",
            "lots",
            "--memory",
            "8GB",
            "--duration",
            "1h",
        ],
        "'--cpu <CPU>'",
    );
}

#[test]
fn unknown_region() {
    assert_usage_error(
        &[
            "compare",
            "--cpu",
            "1",
            "--memory",
            "2GB",
            "--duration",
            "1h",
            "--region",
            "moon-1",
        ],
        "unknown region `moon-1`: the price book has af-south-1",
    );
    assert_usage_error(
        &["prices", "show", "--region", "moon-1"],
        "unknown region `moon-1`",
    );
}

#[test]
fn zero_or_negative_duration() {
    assert_usage_error(
        &[
            "compare",
            "--cpu",
            "1",
            "--memory",
            "2GB",
            "--duration",
            "0s",
        ],
        "`0s` must be more than 0",
    );
    assert_usage_error(
        &[
            "compare",
            "--cpu",
            "1",
            "--memory",
            "2GB",
            "--duration",
            "-5m",
        ],
        "`-5m` is not a duration",
    );
}

#[test]
fn unknown_worker_type_and_glue_rules() {
    assert_usage_error(
        &[
            "compare",
            "--cpu",
            "1",
            "--memory",
            "2GB",
            "--duration",
            "1h",
            "--glue-worker-type",
            "G.3X",
            "--glue-workers",
            "2",
        ],
        "unknown Glue worker type `G.3X`",
    );
    assert_usage_error(
        &[
            "compare",
            "--cpu",
            "1",
            "--memory",
            "2GB",
            "--duration",
            "1h",
            "--glue-worker-type",
            "G.1X",
            "--glue-workers",
            "1",
        ],
        "--glue-workers: 1: Glue Spark jobs need at least 2 workers",
    );
}

#[test]
fn malformed_config() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "[[jobs]]\nname = \"a\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"10m\"\ncolour = \"blue\"\n").unwrap();
    let path_text = path.to_string_lossy().to_string();
    assert_usage_error(
        &["--config", &path_text, "compare"],
        &format!("{path_text}:6:1: field `colour`: unknown field `colour`"),
    );
    std::fs::write(&path, "[[jobs]\nname = \"a\"\n").unwrap();
    assert_usage_error(
        &["--config", &path_text, "compare"],
        &format!("{path_text}:1:"),
    );
    std::fs::write(
        &path,
        "[[jobs]]\nname = \"a\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"soon\"\n",
    )
    .unwrap();
    assert_usage_error(
        &["--config", &path_text, "compare"],
        &format!("{path_text}:5:12: job `a`: duration: `soon` is not a duration"),
    );
}

#[test]
fn missing_config_and_unknown_job() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(fargate_cost().current_dir(dir.path()).arg("compare"));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no fargate-cost.toml in this directory"),
        "{stderr}"
    );
    let config = fixture("fargate-cost.toml");
    let config = config.to_string_lossy();
    assert_usage_error(
        &["--config", &config, "compare", "--job", "nope"],
        "no job named `nope`",
    );
    assert_usage_error(
        &["--config", "/nonexistent/x.toml", "compare"],
        "cannot read config /nonexistent/x.toml",
    );
}

#[test]
fn storage_without_a_rate_is_refused_not_guessed() {
    assert_usage_error(
        &[
            "compare",
            "--cpu",
            "1",
            "--memory",
            "2GB",
            "--duration",
            "1h",
            "--region",
            "eu-west-1",
            "--ephemeral-storage",
            "50",
        ],
        "the price book has no Fargate ephemeral storage rate for eu-west-1",
    );
}

/// Regression: a Decimal overflow panic (exit 101) in the monthly cost.
#[test]
fn huge_duration_and_runs_are_refused_not_a_panic() {
    assert_usage_error(
        &[
            "compare",
            "--duration",
            "500000000000 years",
            "--runs-per-month",
            "100000000000000",
            "--cpu",
            "16",
            "--memory",
            "120GB",
        ],
        "for '--duration <DURATION>': `500000000000 years` is longer than 31 days",
    );
}

/// One run takes at most 31 days.
#[test]
fn duration_over_31_days() {
    assert_usage_error(
        &[
            "compare",
            "--cpu",
            "1",
            "--memory",
            "2GB",
            "--duration",
            "32d",
        ],
        "for '--duration <DURATION>': `32d` is longer than 31 days",
    );
}

/// At most 1,000,000 runs a month (one every 2.6 s).
#[test]
fn runs_per_month_over_a_million() {
    assert_usage_error(
        &[
            "compare",
            "--cpu",
            "1",
            "--memory",
            "2GB",
            "--duration",
            "1h",
            "--runs-per-month",
            "1000001",
        ],
        "error: --runs-per-month: 1000001 is more than 1,000,000 runs a month",
    );
}

/// Regression: a Decimal overflow panic while parsing --cpu.
#[test]
fn cpu_text_too_large_for_a_number() {
    assert_usage_error(
        &[
            "compare",
            "--cpu",
            "70000000000000000000000000000 vcpu",
            "--memory",
            "120GB",
            "--duration",
            "1h",
        ],
        "for '--cpu <CPU>': `70000000000000000000000000000 vcpu` is not a Fargate CPU size (valid: 0.25, 0.5, 1, 2, 4, 8, 16 vCPU)",
    );
}

/// Regression: a Decimal overflow panic while parsing --memory.
#[test]
fn memory_text_too_large_for_a_number() {
    assert_usage_error(
        &[
            "compare",
            "--cpu",
            "16",
            "--memory",
            "70000000000000000000000000000 GB",
            "--duration",
            "1h",
        ],
        "for '--memory <MEMORY>': `70000000000000000000000000000 GB` is not a Fargate memory size (valid: 0.5–120 GB)",
    );
}

/// The config's `duration` and `deadline` have the same 31-day limit, located in the file.
#[test]
fn config_duration_over_31_days() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.toml");
    std::fs::write(
        &path,
        "[[jobs]]\nname = \"a\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"1h\"\ndeadline = \"745h\"\n",
    )
    .unwrap();
    let path_text = path.to_string_lossy().to_string();
    assert_usage_error(
        &["--config", &path_text, "compare"],
        &format!("{path_text}:6:12: job `a`: deadline: `745h` is longer than 31 days"),
    );
}

/// Regression: a Decimal overflow panic dividing the run time by a tiny --glue-speedup.
#[test]
fn glue_speedup_too_small_to_price() {
    assert_usage_error(
        &[
            "compare",
            "--cpu",
            "1",
            "--memory",
            "2GB",
            "--duration",
            "1h",
            "--glue-speedup",
            "0.00000000000000000001",
        ],
        "--glue-speedup: `0.00000000000000000001` makes the Glue run (run time / speedup) too long to price",
    );
}
