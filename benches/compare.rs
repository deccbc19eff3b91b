//! Pricing throughput: parse a config of 10,000 jobs, resolve each into a workload and
//! price it on Fargate and Glue — everything `compare` does except printing — and the
//! command a user types, `fargate-cost compare` on that config, as a process.
//!
//! Run: `cargo bench --bench compare`. Figures are recorded in docs/BENCHMARKS.md.

use std::fmt::Write;
use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fargate_cost::analysis::comparison::compare;
use fargate_cost::analysis::workload::{Overrides, Workload};
use fargate_cost::model::job::Config;
use fargate_cost::pricing::book::PriceBook;
use fargate_cost::report::Format;
use fargate_cost::settings::GlobalSettings;

const JOBS: usize = 10_000;

/// A config with a realistic mix: sizes from 0.25 to 16 vCPU, cron and plain schedules,
/// Spark and Python engines, explicit Glue configs on a quarter of the jobs, five regions.
fn config_text() -> String {
    let sizes = [
        ("0.25", "0.5GB"),
        ("0.5", "1GB"),
        ("1 vCPU", "2GB"),
        ("2", "8GB"),
        ("4", "16 GiB"),
        ("8", "32GB"),
        ("16", "120GB"),
    ];
    let regions = [
        "us-east-1",
        "us-west-2",
        "eu-west-1",
        "ap-south-1",
        "sa-east-1",
    ];
    let mut text = String::from("[defaults]\narch = \"x86_64\"\n\n");
    for i in 0..JOBS {
        let (cpu, memory) = sizes[i % sizes.len()];
        let _ = writeln!(
            text,
            "[[jobs]]\nname = \"job-{i}\"\ncpu = \"{cpu}\"\nmemory = \"{memory}\""
        );
        let _ = writeln!(text, "region = \"{}\"", regions[i % regions.len()]);
        let _ = writeln!(text, "duration = \"{}m{}s\"", 1 + i % 90, i % 60);
        if i % 2 == 0 {
            let _ = writeln!(text, "schedule = \"cron({} {} * * ? *)\"", i % 60, i % 24);
        } else {
            let _ = writeln!(text, "runs_per_month = {}", 1 + i % 720);
        }
        let _ = writeln!(
            text,
            "engine = \"{}\"",
            if i % 3 == 0 { "spark" } else { "python" }
        );
        if i % 4 == 0 {
            let _ = writeln!(
                text,
                "[jobs.glue]\nworker_type = \"G.{}X\"\nworkers = {}",
                1 + i % 2,
                2 + i % 10
            );
        }
        text.push('\n');
    }
    text
}

fn price_all(text: &str, book: &PriceBook, settings: &GlobalSettings) -> usize {
    let config = Config::parse(Path::new("bench.toml"), text).expect("valid config");
    let overrides = Overrides::default();
    let mut notes = Vec::new();
    config
        .jobs
        .iter()
        .map(|job| {
            let region = settings.region_for(job.region.as_deref());
            let workload = Workload::for_job(job, &overrides, region, "bench.toml", &mut notes)
                .expect("workload");
            compare(book, &workload).expect("priced")
        })
        .filter(|c| c.glue_per_month > c.fargate_per_month)
        .count()
}

fn bench(c: &mut Criterion) {
    let text = config_text();
    let book = PriceBook::bundled().expect("bundled book");
    let settings = GlobalSettings {
        config: PathBuf::from("bench.toml"),
        config_given: true,
        store_s3: None,
        store: PathBuf::from(".fargate-cost"),
        aws: Default::default(),
        region: None,
        format: Format::Csv,
        prices: fargate_cost::cli::PricesArg::Bundled,
        max_price_age: std::time::Duration::from_secs(30 * 86_400),
        prices_file: None,
        spot_discount: None,
        savings_plan: None,
    };
    let mut group = c.benchmark_group("compare");
    group.throughput(Throughput::Elements(JOBS as u64));
    group.sample_size(20);
    group.bench_function("parse_and_price_10k_jobs", |b| {
        b.iter(|| price_all(black_box(&text), &book, &settings))
    });
    group.bench_function("parse_config_10k_jobs", |b| {
        b.iter(|| {
            Config::parse(Path::new("bench.toml"), black_box(&text))
                .expect("valid")
                .jobs
                .len()
        })
    });
    group.finish();

    // The user's command: a process reading the config file and printing CSV.
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("fargate-cost.toml");
    std::fs::write(&config, &text).expect("config written");
    let mut process = c.benchmark_group("compare_process");
    process.sample_size(20);
    process.bench_function("compare_10k_jobs_csv", |b| {
        b.iter(|| {
            let status = std::process::Command::new(env!("CARGO_BIN_EXE_fargate-cost"))
                .arg("--config")
                .arg(&config)
                .args(["--prices", "bundled", "compare", "--output", "csv"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .expect("fargate-cost");
            assert!(status.success());
        })
    });
    process.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
