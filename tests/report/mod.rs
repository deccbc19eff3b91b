//! `report`: totals against hand computation, month-end split, empty months, CSV readable by
//! polars, charts.

use std::path::Path;
use std::process::Command;

/// A run record written straight into a store (the report reads recorded runs).
fn write_run(store: &Path, id: &str, start: &str, seconds: u64, usd: &str, reason: &str) {
    write_job_run(store, "nightly", id, start, seconds, usd, reason);
}

/// [`write_run`] for another job.
fn write_job_run(
    store: &Path,
    job: &str,
    id: &str,
    start: &str,
    seconds: u64,
    usd: &str,
    reason: &str,
) {
    let started: chrono::DateTime<chrono::Utc> = start.parse().unwrap();
    let run = serde_json::json!({
        "schema_version": 1, "id": id, "job": job, "backend": "local",
        "cpu_units": 1024, "memory_mib": 2048, "arch": "x86_64", "os": "linux",
        "capacity": "on-demand", "region": "us-east-1", "ephemeral_storage_gib": 20,
        "created_at": started, "pull_started_at": null, "started_at": started,
        "stopped_at": started + chrono::Duration::seconds(seconds as i64),
        "duration_ms": seconds * 1000, "billed_seconds": seconds.max(60),
        "exit_code": 0, "stop_reason": reason, "stop_detail": "",
        "cpu": {"mean": 0.2, "p50": 0.2, "p95": 0.25, "p99": 0.3, "max": 0.3},
        "memory": {"peak_mib": 400.0, "p95_mib": 390.0, "peak_exact": true},
        "samples": 10, "sample_interval_ms": 1000,
        "limits": {"enforced": true, "mechanism": "cgroup v1"},
        "usd": usd, "launched": [], "notes": []
    });
    let dir = store.join("runs").join(job);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{id}.json")), run.to_string()).unwrap();
}

fn report(store: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_fargate-cost"))
        .env(
            "FARGATE_COST_PRICES_FILE",
            "/nonexistent/fargate-cost-test-prices.json",
        )
        .args([
            "--config",
            "/nonexistent.toml",
            "--store",
            &store.to_string_lossy(),
            "report",
        ])
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn fixture_store() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    // 1 vCPU / 2 GB = 0.04937 $/h. 600 s → 0.008228; 1,200 s → 0.016457; a 1-hour run from
    // 23:30 on 30 November to 00:30 on 1 December → 0.04937, half in each month.
    write_run(
        dir.path(),
        "r1",
        "2026-11-03T10:00:00Z",
        600,
        "0.008228",
        "completed",
    );
    write_run(
        dir.path(),
        "r2",
        "2026-11-10T10:00:00Z",
        1200,
        "0.016457",
        "completed",
    );
    write_run(
        dir.path(),
        "r3",
        "2026-11-30T23:30:00Z",
        3600,
        "0.04937",
        "failed",
    );
    dir
}

#[test]
fn a_month_of_known_runs_matches_hand_computation() {
    let store = fixture_store();
    let out = store.path().join("nov.csv");
    let (code, stdout, stderr) = report(
        store.path(),
        &[
            "--month",
            "2026-11",
            "--output",
            "json",
            "--out",
            &out.to_string_lossy(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let job = &rows[0];
    assert_eq!(job["job"], "nightly");
    assert_eq!(job["runs"], 3, "runs billed from November");
    assert_eq!(job["failed_runs"], 1);
    // (600 + 1,200 + 1,800) s = 1 billed hour, 1 vCPU-hour, 2 GB-hours.
    assert_eq!(job["billed_hours"], 1);
    assert_eq!(job["vcpu_hours"], 1);
    assert_eq!(job["gb_hours"], 2);
    // 0.008228 + 0.016457 + 0.04937 / 2 = 0.049370
    assert_eq!(job["fargate_usd"], 0.04937);
    // Spot 0.01542025 $/h: 600 s → 0.002570, 1,200 s → 0.005140, half hour → 0.007710.
    assert_eq!(job["fargate_spot_usd"], 0.01542);
    // Glue equivalent (Python shell 1 DPU, $0.44/h): 600 s → 0.073333, 1,200 s → 0.146667,
    // half of 3,600 s → 0.22: 0.44
    assert_eq!(job["glue_equivalent_usd"], 0.44);
    // Right-sized: peak 400 MiB, CPU 0.25 → 0.5 vCPU / 1 GB = 0.024685 $/h × 1 h.
    assert_eq!(job["recommended_cpu_vcpu"], 0.5);
    assert_eq!(job["recommended_memory_gib"], 1);
    assert_eq!(job["recommended_usd"], 0.024685);
    assert_eq!(job["savings_usd"], 0.024685);
    let total = &rows[1];
    assert_eq!(total["job"], "TOTAL");
    assert_eq!(total["fargate_usd"], 0.04937);

    // December gets the other half of the midnight run, and no run starts.
    let (_, stdout, _) = report(store.path(), &["--month", "2026-12", "--output", "json"]);
    let dec: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(dec[0]["runs"], 0);
    assert_eq!(dec[0]["fargate_usd"], 0.024685);
    assert_eq!(dec[0]["billed_hours"], 0.5);
}

#[test]
fn an_empty_month_is_a_header_only_csv_and_a_note() {
    let store = fixture_store();
    let out = store.path().join("empty.csv");
    let (code, stdout, stderr) = report(
        store.path(),
        &[
            "--month",
            "2025-01",
            "--output",
            "csv",
            "--out",
            &out.to_string_lossy(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "month,job,runs,failed_runs,billed_hours,vcpu_hours,gb_hours,fargate_usd,fargate_spot_usd,glue_equivalent_usd,recommended_cpu_vcpu,recommended_memory_gib,recommended_usd,savings_usd,public_ipv4_usd,pull_usd\r\n"
    );
    assert!(stderr.contains("no recorded runs in 2025-01"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), stdout);
}

#[test]
fn the_csv_opens_in_polars_with_the_contract_columns_and_types() {
    let has_polars = Command::new("python3")
        .args(["-c", "import polars"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_polars {
        eprintln!("skipping: python3 -m pip install -r fixtures/jobs/requirements.txt");
        return;
    }
    let store = fixture_store();
    let out = store.path().join("nov.csv");
    let (code, _, stderr) = report(
        store.path(),
        &[
            "--month",
            "2026-11",
            "--output",
            "csv",
            "--out",
            &out.to_string_lossy(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let script = format!(
        "import polars as pl\ndf = pl.read_csv('{}')\nprint(','.join(df.columns))\nprint(df.schema['fargate_usd'], df.schema['runs'])\nprint(df.filter(pl.col('job') == 'TOTAL')['fargate_usd'][0])",
        out.display()
    );
    let output = Command::new("python3")
        .args(["-c", &script])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "month,job,runs,failed_runs,billed_hours,vcpu_hours,gb_hours,fargate_usd,fargate_spot_usd,glue_equivalent_usd,recommended_cpu_vcpu,recommended_memory_gib,recommended_usd,savings_usd,public_ipv4_usd,pull_usd",
        "{text}"
    );
    assert_eq!(lines[1], "Float64 Int64");
    assert_eq!(lines[2], "0.04937");
}

/// The text of every `<text>` element of an SVG chart, unescaped; panics unless the file
/// is one whole `<svg>` document with some drawing in it. Shared by the chart tests.
pub(crate) fn svg_texts(path: &Path) -> Vec<String> {
    let svg = std::fs::read_to_string(path).expect("an SVG file");
    let body = svg.trim();
    assert!(body.starts_with("<svg"), "not an SVG document: {body:.200}");
    assert!(body.ends_with("</svg>"), "a truncated SVG document");
    assert!(
        body.matches("<rect").count() + body.matches("<polyline").count() > 5,
        "nothing drawn: {body:.500}"
    );
    body.split("<text")
        .skip(1)
        .map(|chunk| {
            let inner = &chunk[chunk.find('>').expect("a text tag") + 1..];
            let inner = &inner[..inner.find("</text>").expect("a closed text tag")];
            inner
                .trim()
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&")
        })
        .collect()
}

/// Asserts that each of `expected` is (part of) some text of the SVG chart at `path`.
pub(crate) fn assert_svg_has(path: &Path, expected: &[&str]) -> Vec<String> {
    let texts = svg_texts(path);
    for want in expected {
        assert!(
            texts.iter().any(|t| t.contains(want)),
            "{} lacks {want:?}: {texts:?}",
            path.display()
        );
    }
    texts
}

/// Pixel size and drawn (non-white) pixels of a PNG chart.
pub(crate) fn png_pixels(path: &Path) -> ((u32, u32), usize) {
    let image = image::open(path).expect("a PNG").to_rgb8();
    let drawn = image.pixels().filter(|p| p.0 != [255, 255, 255]).count();
    (image.dimensions(), drawn)
}

#[test]
fn the_report_chart_renders_as_svg_and_png() {
    let store = fixture_store();
    // SVG measures its text with the bundled font too: it failed with FontUnavailable on a
    // machine without a system font lookup.
    let svg = store.path().join("cost.svg");
    let (code, _, stderr) = report(
        store.path(),
        &["--month", "2026-11", "--chart", &svg.to_string_lossy()],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_svg_has(
        &svg,
        &["Monthly cost per job, 2026-11", "nightly", "Fargate"],
    );
    let png = store.path().join("cost.png");
    let (code, _, stderr) = report(
        store.path(),
        &["--month", "2026-11", "--chart", &png.to_string_lossy()],
    );
    assert_eq!(code, 0, "{stderr}");
    let ((width, height), drawn) = png_pixels(&png);
    assert!(width >= 800 && height >= 250, "{width}×{height}");
    assert!(drawn > 5_000, "{drawn} drawn pixels");
}

/// Many jobs: the first 15 by cost are named, largest first, the rest share one bar, and
/// the chart grows taller instead of crowding the axis.
#[test]
fn the_report_chart_of_many_jobs_names_the_top_ones_and_sums_the_rest() {
    let store = tempfile::tempdir().unwrap();
    for i in 0..20u64 {
        let seconds = 60 * (i + 1);
        let usd = format!("{:.6}", 0.04937 * seconds as f64 / 3600.0);
        write_job_run(
            store.path(),
            &format!("job-{i:02}"),
            &format!("r{i}"),
            "2026-11-05T10:00:00Z",
            seconds,
            &usd,
            "completed",
        );
    }
    let svg = store.path().join("many.svg");
    let (code, _, stderr) = report(
        store.path(),
        &["--month", "2026-11", "--chart", &svg.to_string_lossy()],
    );
    assert_eq!(code, 0, "{stderr}");
    let texts = assert_svg_has(&svg, &["job-19", "job-05", "others (5 jobs)", "20 jobs"]);
    let position = |name: &str| texts.iter().position(|t| t == name);
    assert!(
        position("job-19") < position("job-18"),
        "largest first: {texts:?}"
    );
    assert_eq!(position("job-04"), None, "summed into others: {texts:?}");
    let png = store.path().join("many.png");
    let (code, _, stderr) = report(
        store.path(),
        &["--month", "2026-11", "--chart", &png.to_string_lossy()],
    );
    assert_eq!(code, 0, "{stderr}");
    let ((_, height), _) = png_pixels(&png);
    assert!((600..1400).contains(&height), "{height}");
}

#[test]
fn compare_uses_measured_durations_and_says_so() {
    let store = tempfile::tempdir().unwrap();
    let now = chrono::Utc::now();
    for (i, seconds) in [300u64, 420, 360].iter().enumerate() {
        let start = (now - chrono::Duration::days(i as i64 + 1)).to_rfc3339();
        write_run(
            store.path(),
            &format!("m{i}"),
            &start,
            *seconds,
            "0.005",
            "completed",
        );
    }
    let config = store.path().join("fargate-cost.toml");
    std::fs::write(&config, "[[jobs]]\nname = \"nightly\"\ncpu = 1\nmemory = 2\nduration = \"1h\"\nruns_per_month = 30\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_fargate-cost"))
        .args([
            "--config",
            &config.to_string_lossy(),
            "--store",
            &store.path().to_string_lossy(),
            "compare",
            "--output",
            "csv",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The median of 300, 420 and 360 s is 360 s, not the configured hour.
    assert!(
        stdout
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("nightly,us-east-1,x86_64,1,2,360,30,"),
        "{stdout}"
    );
    assert!(
        stderr.contains("nightly: measured — duration is the median of 3 completed run(s)"),
        "{stderr}"
    );
}

#[test]
fn runs_recorded_after_a_report_are_indexed_by_the_next_one() {
    let store = fixture_store();
    let (_, first, _) = report(store.path(), &["--month", "2026-11", "--output", "json"]);
    let first: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(first[0]["runs"], 3);
    // 1 vCPU / 2 GB for 3,600 s = 0.04937.
    write_run(
        store.path(),
        "r4",
        "2026-11-20T08:00:00Z",
        3600,
        "0.04937",
        "completed",
    );
    let (_, second, stderr) = report(
        store.path(),
        &["-v", "--month", "2026-11", "--output", "json"],
    );
    let second: serde_json::Value = serde_json::from_str(&second).unwrap();
    assert_eq!(second[0]["runs"], 4);
    assert_eq!(second[0]["fargate_usd"], 0.09874, "0.04937 + 0.04937");
    // Only the new run file is read: the three indexed ones are listed, not opened.
    assert!(
        stderr.contains("run index: 1 new run(s) indexed, 0 dropped; 1 run file(s) read"),
        "{stderr}"
    );
}

#[test]
fn three_hundred_runs_sum_exactly_not_as_rounded_micro_dollars() {
    // One 1 vCPU / 2 GB Linux x86 on-demand run of 61 s in us-east-1 costs
    // 61 / 3,600 h × (0.04048 + 2 × 0.004445) $/h = 3.01157 / 3,600
    //   = $0.00083654722…, which is not a whole micro-dollar: rounded per run it would be
    // $0.000837, and 300 of them would drift by 300 × 0.00000045 = $0.000136.
    let exact_61s = "0.0008365472222222222222222222";
    let store = tempfile::tempdir().unwrap();
    for i in 0..300 {
        let start = format!("2026-11-{:02}T{:02}:00:00Z", 1 + i / 24, i % 24);
        let id = format!("c{i:03}");
        write_run(store.path(), &id, &start, 61, exact_61s, "completed");
    }
    // One more from 23:59:30 on 30 November: 30 of its 61 billed seconds are in November.
    write_run(
        store.path(),
        "edge",
        "2026-11-30T23:59:30Z",
        61,
        exact_61s,
        "completed",
    );
    let (code, stdout, stderr) = report(store.path(), &["--month", "2026-11", "--output", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // November holds 300 × 61 + 30 = 18,330 billed seconds: every amount is its hourly rate
    // × 18,330 / 3,600, summed exactly and rounded once.
    // Fargate: 0.04937 × 18,330 / 3,600 = 904.9521 / 3,600 = 0.25137558… → 0.251376
    //   (rounding each run first gave 300 × 0.000837 + 0.000412 = 0.251512).
    // Spot: (0.01264355 + 2 × 0.00138835) = 0.01542025 $/h × 18,330 / 3,600
    //   = 282.6531825 / 3,600 = 0.07851477… → 0.078515.
    // Glue equivalent, a 1-DPU Python shell at $0.44/h (61 s is above its 1-minute
    //   minimum): 0.44 × 18,330 / 3,600 = 8,065.2 / 3,600 = 2.24033333… → 2.240333.
    // Right-sized, 0.5 vCPU / 1 GB = 0.024685 $/h: 0.024685 × 18,330 / 3,600
    //   = 0.12568779… → 0.125688, and the saving is the other half: 0.125688.
    for row in [&rows[0], &rows[1]] {
        assert_eq!(row["runs"], 301, "{row}");
        assert_eq!(row["billed_hours"], 5.0917, "18,330 s");
        assert_eq!(row["fargate_usd"], 0.251376, "{row}");
        assert_eq!(row["fargate_spot_usd"], 0.078515, "{row}");
        assert_eq!(row["glue_equivalent_usd"], 2.240333, "{row}");
        assert_eq!(row["recommended_usd"], 0.125688, "{row}");
        assert_eq!(row["savings_usd"], 0.125688, "{row}");
    }
    assert_eq!(rows[0]["job"], "nightly");
    assert_eq!(rows[1]["job"], "TOTAL");
    // December has the edge run's other 31 s: 0.04937 × 31 / 3,600 = 0.00042514… → 0.000425;
    // Spot 0.01542025 × 31 / 3,600 = 0.00013278… → 0.000133; Glue 0.44 × 31 / 3,600
    // = 0.00378888… → 0.003789.
    let (_, stdout, _) = report(store.path(), &["--month", "2026-12", "--output", "json"]);
    let dec: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(dec[0]["runs"], 0);
    assert_eq!(dec[0]["fargate_usd"], 0.000425);
    assert_eq!(dec[0]["fargate_spot_usd"], 0.000133);
    assert_eq!(dec[0]["glue_equivalent_usd"], 0.003789);
}

/// Regression: a deleted run was still counted, a truncated one was "skipped" yet counted,
/// and a garbage index made every report fail. The index follows the run files and is
/// rebuilt, with a warning, when it cannot be read.
#[test]
fn the_index_follows_the_run_files_and_survives_damage() {
    let store = fixture_store();
    let json = |args: &[&str]| {
        let (code, stdout, stderr) = report(store.path(), args);
        assert_eq!(code, 0, "{stderr}");
        let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        (rows, stderr)
    };
    let (rows, _) = json(&["--month", "2026-11", "--output", "json"]);
    assert_eq!(rows[0]["runs"], 3);
    let runs = store.path().join("runs/nightly");
    std::fs::remove_file(runs.join("r1.json")).unwrap();
    std::fs::write(
        runs.join("r2.json"),
        "{ \"schema_version\": 1, \"id\": \"r2\"",
    )
    .unwrap();
    let (rows, stderr) = json(&["--month", "2026-11", "--output", "json"]);
    assert!(
        stderr.contains("r2.json"),
        "the damaged file is reported: {stderr}"
    );
    // Only r3 is left: half of its 0.04937 falls in November.
    assert_eq!(rows[0]["runs"], 1, "{rows}");
    assert_eq!(rows[0]["fargate_usd"], 0.024685, "{rows}");
    let parts = store.path().join("index/month=2026-11");
    for part in std::fs::read_dir(&parts).unwrap() {
        std::fs::write(part.unwrap().path(), b"not parquet at all").unwrap();
    }
    let (rows, stderr) = json(&["--month", "2026-11", "--output", "json"]);
    assert!(stderr.contains("run index rebuilt"), "{stderr}");
    assert_eq!(rows[0]["runs"], 1, "{rows}");
}

/// Job folders are opened one at a time: a store of 300 jobs reports under an open-file
/// limit of 64 (holding every folder open failed with "too many open files").
#[test]
fn a_store_of_more_jobs_than_open_files_reports() {
    use std::os::unix::process::CommandExt;
    let store = tempfile::tempdir().unwrap();
    for i in 0..300 {
        let job = format!("job-{i:03}");
        write_job_run(
            store.path(),
            &job,
            "r1",
            "2026-11-05T10:00:00Z",
            600,
            "0.01",
            "completed",
        );
    }
    let mut command = Command::new(env!("CARGO_BIN_EXE_fargate-cost"));
    command
        .env(
            "FARGATE_COST_PRICES_FILE",
            "/nonexistent/fargate-cost-test-prices.json",
        )
        .args(["--config", "/nonexistent.toml", "--store"])
        .arg(store.path())
        .args(["report", "--month", "2026-11", "--output", "csv"]);
    let limit = libc::rlimit {
        rlim_cur: 64,
        rlim_max: 64,
    };
    // SAFETY: setrlimit is async-signal-safe and `limit` is a plain value copied in.
    unsafe {
        command.pre_exec(move || match libc::setrlimit(libc::RLIMIT_NOFILE, &limit) {
            0 => Ok(()),
            _ => Err(std::io::Error::last_os_error()),
        });
    }
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let total = stdout.lines().find(|l| l.contains(",TOTAL,")).unwrap();
    assert!(total.starts_with("2026-11,TOTAL,300,"), "{total}");
}

/// Regression: with several reports at once while runs were recorded, 7 of 60 reports
/// failed ("parquet: File out of specification"). Readers hold the index's shared lock and
/// refreshes its exclusive lock: every report succeeds and the final count is exact.
#[test]
fn concurrent_reports_and_recordings_never_fail_or_lose_rows() {
    let store = tempfile::tempdir().unwrap();
    let day = |i: usize| format!("2026-11-{:02}T{:02}:00:00Z", 1 + i % 28, i % 24);
    for i in 0..200 {
        write_run(
            store.path(),
            &format!("a{i:04}"),
            &day(i),
            600,
            "0.008228",
            "completed",
        );
    }
    let writer = {
        let root = store.path().to_path_buf();
        std::thread::spawn(move || {
            for i in 0..100 {
                // Written like the store does: a temp file, then a rename.
                let dir = root.join("tmp");
                std::fs::create_dir_all(&dir).unwrap();
                write_run(
                    &dir,
                    &format!("b{i:04}"),
                    &day(i),
                    600,
                    "0.008228",
                    "completed",
                );
                std::fs::rename(
                    dir.join(format!("runs/nightly/b{i:04}.json")),
                    root.join(format!("runs/nightly/b{i:04}.json")),
                )
                .unwrap();
            }
        })
    };
    let readers: Vec<_> = (0..12)
        .map(|_| {
            let root = store.path().to_path_buf();
            std::thread::spawn(move || report(&root, &["--month", "2026-11", "--output", "json"]))
        })
        .collect();
    for reader in readers {
        let (code, stdout, stderr) = reader.join().unwrap();
        assert_eq!(code, 0, "{stderr}");
        let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let runs = rows[0]["runs"].as_u64().unwrap();
        assert!((200..=300).contains(&runs), "{runs}");
    }
    writer.join().unwrap();
    let (code, stdout, stderr) = report(store.path(), &["--month", "2026-11", "--output", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(rows[0]["runs"], 300);
    // 300 × 0.008228, summed exactly.
    assert_eq!(rows[0]["fargate_usd"], 2.4684);
}

/// An output that cannot be written is one line that names it, its cause said once.
#[test]
fn an_unwritable_chart_is_one_line_with_its_cause_once() {
    let store = fixture_store();
    let (code, _, stderr) = report(
        store.path(),
        &["--month", "2026-11", "--chart", "/proc/no/x.png"],
    );
    assert_eq!(code, 1, "{stderr}");
    let error: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(error.len(), 1, "{stderr}");
    assert_eq!(error[0].matches("/proc/no/x.png").count(), 1, "{stderr}");
}

/// The index is Hive-partitioned Parquet that other engines read as is: the README's DuckDB
/// query over it gives the same runs and exact sums as the report.
#[test]
fn duckdb_reads_the_index_with_the_readme_query() {
    if !crate::python_module_or_skip("duckdb", "duckdb_reads_the_index_with_the_readme_query") {
        return;
    }
    let store = tempfile::tempdir().unwrap();
    // Two November runs and one October run of 1 vCPU / 2 GB: 0.04937 $/h × 600 s / 3,600
    // = 0.0082283333… each.
    let usd = "0.0082283333333333333333333333";
    write_run(
        store.path(),
        "n1",
        "2026-11-02T00:00:00Z",
        600,
        usd,
        "completed",
    );
    write_run(
        store.path(),
        "n2",
        "2026-11-03T00:00:00Z",
        600,
        usd,
        "failed",
    );
    write_run(
        store.path(),
        "o1",
        "2026-10-03T00:00:00Z",
        600,
        usd,
        "completed",
    );
    let (code, _, stderr) = report(store.path(), &["--month", "2026-11", "--output", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let query = readme
        .split("```sql\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .find(|block| block.contains("index/month="))
        .expect("README has a ```sql query")
        .replace(".fargate-cost/", &format!("{}/", store.path().display()));
    let output = Command::new("python3")
        .args([
            "-c",
            "import sys, duckdb\nfor row in duckdb.sql(sys.argv[1]).fetchall(): print(*row, sep=',')",
            &query,
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows = String::from_utf8_lossy(&output.stdout);
    // Per month and job: runs, failed, and the exact sum (2 × 0.0082283333… = 0.0164566666…).
    assert_eq!(
        rows.lines().collect::<Vec<_>>(),
        [
            "2026-10,nightly,1,0,0.008228333333333333",
            "2026-11,nightly,2,1,0.016456666666666666"
        ],
        "{rows}"
    );
}

/// An ECS run with a public IP and a recorded pull: the report shows both parts of its
/// recorded cost, in the data columns and under the table.
#[test]
fn public_ipv4_and_image_pull_are_shown_as_parts_of_the_cost() {
    let store = tempfile::tempdir().unwrap();
    let started: chrono::DateTime<chrono::Utc> = "2026-11-05T10:00:40Z".parse().unwrap();
    let pull_start = started - chrono::Duration::seconds(40);
    // 0.25 vCPU / 0.5 GB with a public IP, billed 60 s from the pull start, the pull 40 s:
    // (0.0123425 + 0.005) × 60 / 3600 = 0.000289041666…, of which the address
    // 0.005 / 60 = 0.0000833… → 0.000083 and the pull 40/60 of the rest (the address is its
    // own part, so the parts add up): 0.0123425 × 40 / 3600 = 0.000137138… → 0.000137.
    let run = serde_json::json!({
        "schema_version": 1, "id": "ecs-t1", "job": "edge", "backend": "ecs",
        "cpu_units": 256, "memory_mib": 512, "arch": "x86_64", "os": "linux",
        "capacity": "on-demand", "region": "us-east-1", "ephemeral_storage_gib": 20,
        "created_at": pull_start, "pull_started_at": pull_start,
        "pull_stopped_at": started, "started_at": started,
        "stopped_at": started + chrono::Duration::seconds(20),
        "duration_ms": 60_000, "billed_seconds": 60,
        "exit_code": 0, "stop_reason": "completed", "stop_detail": "",
        "cpu": {"mean": 0.1, "p50": 0.1, "p95": 0.1, "p99": 0.1, "max": 0.1},
        "memory": {"peak_mib": 100.0, "p95_mib": 90.0, "peak_exact": false},
        "samples": 1, "sample_interval_ms": 60000,
        "limits": {"enforced": true, "mechanism": "fargate"},
        "usd": "0.0002890416666666666666666667", "public_ip": true,
        "public_ipv4_usd": "0.0000833333333333333333333333",
        "launched": ["t1"], "notes": []
    });
    // Written through the store, as the ECS runner does (run file and its samples).
    let run: fargate_cost::model::run::Run = serde_json::from_value(run).unwrap();
    fargate_cost::store::Store::new(store.path())
        .write(&run, &[])
        .unwrap();
    let (code, stdout, stderr) = report(store.path(), &["--month", "2026-11", "--output", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(rows[0]["fargate_usd"], 0.000289);
    assert_eq!(rows[0]["public_ipv4_usd"], 0.000083);
    assert_eq!(rows[0]["pull_usd"], 0.000137);
    let (code, stdout, stderr) = report(store.path(), &["--month", "2026-11"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains(
            "edge: Fargate $0.000289 of which public IPv4 $0.000083, image pull $0.000137."
        ),
        "{stdout}"
    );
    // `runs show` gives the same parts for the one run.
    let output = Command::new(env!("CARGO_BIN_EXE_fargate-cost"))
        .env("NO_COLOR", "1")
        .args(["--config", "/nonexistent.toml", "--store"])
        .arg(store.path())
        .args(["runs", "show", "ecs-t1"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        shown.contains("$0.000289 of which public IPv4 $0.000083, image pull 40s $0.000137"),
        "{shown}"
    );
}

/// Runs are recorded at list prices; `--savings-plan 1y` reprices the on-demand ones 20 %
/// lower in the report and says so.
#[test]
fn a_savings_plan_reprices_recorded_on_demand_runs() {
    let store = fixture_store();
    let (code, stdout, stderr) = report(
        store.path(),
        &[
            "--savings-plan",
            "1y",
            "--month",
            "2026-11",
            "--output",
            "json",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // 1 billed hour of 1 vCPU / 2 GB in November: 0.04937 × 0.8 = 0.039496.
    assert_eq!(rows[0]["fargate_usd"], 0.039496);
    assert!(
        stderr.contains("Savings Plan: Fargate on-demand vCPU and memory less 20 %"),
        "{stderr}"
    );
}

/// Probe finding: a job whose only runs are on the 1st of a 31-day month got no
/// right-sizing (the lookback was the 30 days before the period's end); and a run file in
/// another job's folder was counted, then "skipped" under a path that does not exist.
#[test]
fn the_whole_month_is_looked_back_and_a_misplaced_run_is_skipped() {
    let store = tempfile::tempdir().unwrap();
    // 1 vCPU / 2 GB at 0.3 vCPU for an hour on 1 October: 0.04937.
    write_run(
        store.path(),
        "first",
        "2026-10-01T10:00:00Z",
        3600,
        "0.04937",
        "completed",
    );
    let (code, stdout, stderr) = report(store.path(), &["--month", "2026-10", "--output", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(rows[0]["recommended_usd"].is_number(), "{rows}");

    let misplaced = store.path().join("runs/other");
    std::fs::create_dir_all(&misplaced).unwrap();
    std::fs::copy(
        store.path().join("runs/nightly/first.json"),
        misplaced.join("moved.json"),
    )
    .unwrap();
    let text = std::fs::read_to_string(misplaced.join("moved.json"))
        .unwrap()
        .replace("\"first\"", "\"moved\"");
    std::fs::write(misplaced.join("moved.json"), text).unwrap();
    let (code, stdout, stderr) = report(store.path(), &["--month", "2026-10", "--output", "json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("moved.json") && stderr.contains("is not the folder it is in"),
        "{stderr}"
    );
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(rows[0]["runs"], 1, "only the run in its own folder: {rows}");
}
