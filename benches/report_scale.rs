//! `report` at scale: a run index of 10k, 100k and 1M generated runs (50 jobs, one month),
//! with the run files of each job's latest 500 runs (what the recommendations read), reported
//! in a fresh process each — index scan, run reads, exact pricing and sums — measuring wall
//! time and peak memory (VmHWM). Generation happens in another process so it does not count;
//! the index refresh (parsing every run file) is not measured.
//!
//! Run: `cargo bench --bench report_scale` (release). Figures: docs/BENCHMARKS.md.

use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use fargate_cost::analysis::monthly::report;
use fargate_cost::model::run::{
    Backend, CpuStats, Limits, MemoryStats, RUN_SCHEMA_VERSION, Run, StopReason,
};
use fargate_cost::model::size::{Arch, Capacity, Os, Size};
use fargate_cost::model::task::FargateTask;
use fargate_cost::model::usage::{Period, RECOMMEND_FROM};
use fargate_cost::pricing::book::PriceBook;
use fargate_cost::pricing::price;
use fargate_cost::report::monthly::rows;
use fargate_cost::store::Store;
use fargate_cost::store::index;
use fargate_cost::store::period::read as read_period;

/// Run `i` of the generated set: job i % 50, one of 5 sizes, 60 s to 2 h, every 37th failed,
/// its exact cost priced like a recorded run (memoized by size and seconds).
fn generated_run(i: usize, cost: &mut impl FnMut(u32, u32, u64) -> rust_decimal::Decimal) -> Run {
    let sizes = [
        (256u32, 512u32),
        (1024, 2048),
        (2048, 4096),
        (4096, 8192),
        (8192, 16384),
    ];
    let month_ms = 30 * 86_400_000i64;
    let (cpu, mem) = sizes[((i % 50) * 7) % sizes.len()];
    let seconds = 60 + ((i * 7919) % 7200) as u64;
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
        + chrono::Duration::milliseconds((i as i64 * 7_777_777) % month_ms);
    let p = |f: f64| cpu as f64 / 1024.0 * f;
    Run {
        schema_version: RUN_SCHEMA_VERSION,
        id: format!("run-{i}"),
        job: format!("job-{}", i % 50),
        backend: Backend::Local,
        cpu_units: cpu,
        memory_mib: mem,
        arch: Arch::X86_64,
        os: Os::Linux,
        capacity: Capacity::OnDemand,
        region: "us-east-1".into(),
        ephemeral_storage_gib: 20,
        created_at: start,
        pull_started_at: None,
        started_at: start,
        stopped_at: start + chrono::Duration::seconds(seconds as i64),
        duration_ms: seconds * 1000,
        billed_seconds: seconds,
        exit_code: Some(0),
        stop_reason: if i.is_multiple_of(37) {
            StopReason::Failed
        } else {
            StopReason::Completed
        },
        stop_detail: String::new(),
        cpu: CpuStats {
            mean: p(0.3),
            p50: p(0.3),
            p95: p(0.4),
            p99: p(0.45),
            max: p(0.5),
        },
        memory: MemoryStats {
            peak_mib: mem as f64 * 0.4 + (i % 100) as f64,
            p95_mib: mem as f64 * 0.35,
            peak_exact: true,
        },
        samples: seconds,
        sample_interval_ms: 1000,
        limits: Limits {
            enforced: true,
            mechanism: "cgroup v2".into(),
            reason: None,
        },
        usd: cost(cpu, mem, seconds),
        launched: Vec::new(),
        notes: Vec::new(),
        glue: None,
    }
}

/// The index of `n` generated runs, and the run files the report reads by id (each job's
/// latest runs); the other run files are not written, as the report never opens them.
fn generate(dir: &str, n: usize) {
    let book = PriceBook::bundled().expect("book");
    let prices = book.region("us-east-1").expect("region");
    let mut memo = HashMap::new();
    let mut cost = |cpu: u32, mem: u32, seconds: u64| {
        *memo.entry((cpu, seconds)).or_insert_with(|| {
            let task = FargateTask {
                size: Size::new(cpu, mem, Os::Linux).expect("size"),
                os: Os::Linux,
                arch: Arch::X86_64,
                capacity: Capacity::OnDemand,
                ephemeral_storage_gib: 20,
            };
            price::task("us-east-1", prices, &task, Duration::from_secs(seconds))
                .expect("price")
                .total_usd
        })
    };
    let runs: Vec<Run> = (0..n).map(|i| generated_run(i, &mut cost)).collect();
    let store = Store::new(dir);
    let mut frame = index::frame(&runs).expect("frame");
    index::write(&store, &mut frame).expect("index written");
    let mut by_job: HashMap<&str, Vec<&Run>> = HashMap::new();
    for run in &runs {
        by_job.entry(&run.job).or_default().push(run);
    }
    for (job, mut runs) in by_job {
        runs.sort_by_key(|r| std::cmp::Reverse(r.started_at));
        let dir = store.root().join("runs").join(job);
        std::fs::create_dir_all(&dir).expect("job dir");
        for run in runs.into_iter().take(RECOMMEND_FROM) {
            let json = serde_json::to_vec(run).expect("json");
            std::fs::write(dir.join(format!("{}.json", run.id)), json).expect("run file");
        }
    }
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(String::from)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

#[allow(clippy::print_stdout)]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("generate") => generate(&args[2], args[3].parse().expect("n")),
        Some("report") => {
            let store = Store::new(&args[2]);
            let book = PriceBook::bundled().expect("book");
            let period = Period::month("2026-11").expect("month");
            let timer = Instant::now();
            let input = read_period(&store, &period).expect("read");
            let monthly = report(&input.usage, &input.recent, &period, &book, &[]);
            let rows = rows(&monthly);
            let elapsed = timer.elapsed().as_secs_f64();
            let total = rows.last().map(|r| r.fargate_usd).unwrap_or_default();
            println!("{elapsed:.2} {:.0} {} {total}", peak_rss_mib(), rows.len());
        }
        _ => {
            let me = &args[0];
            println!(
                "| runs | report wall time | peak memory (VmHWM) | rows | TOTAL fargate_usd |"
            );
            println!("|---|---|---|---|---|");
            for n in [10_000usize, 100_000, 1_000_000] {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().to_string_lossy().to_string();
                let status = Command::new(me)
                    .args(["generate", &path, &n.to_string()])
                    .status()
                    .expect("generate");
                assert!(status.success());
                let out = Command::new(me)
                    .args(["report", &path])
                    .output()
                    .expect("report");
                let text = String::from_utf8_lossy(&out.stdout);
                let parts: Vec<&str> = text.split_whitespace().collect();
                println!(
                    "| {n} | {} s | {} MiB | {} | ${} |",
                    parts[0], parts[1], parts[2], parts[3]
                );
            }
        }
    }
}
