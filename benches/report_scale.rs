//! `report` at scale, as a user runs it: a store of real run files (100k and 1M generated
//! runs in the store's own JSON format, 50 jobs, one month; 10M with
//! `FARGATE_COST_BENCH_10M=1`; other sizes with `FARGATE_COST_BENCH_RUNS=10000,50000`; a
//! year's history with `FARGATE_COST_BENCH_MONTHS=12`) and `fargate-cost report --month
//! 2026-11` timed as a process,
//! cold (no index; the page cache dropped when the bench runs as root) and warm (the index
//! built by the cold run, files cached), with the process's peak resident memory (wait4's
//! ru_maxrss). Samples are not generated: the report never reads them.
//!
//! `FARGATE_COST_BENCH_STORE=DIR` keeps the generated store in DIR (one size) and, when DIR
//! already has its runs, times the reports on it without generating again (its index is
//! removed first, so "cold" stays cold): 10M runs take ~15 min to write (docs/BENCHMARKS.md) and longer to
//! delete. On a disk that slows after tens of GB written, a loop-mounted btrfs (small
//! files stored inline) holds 10M run files in ~15 GB.
//!
//! Run: `cargo bench --bench report_scale` (release). Figures: docs/BENCHMARKS.md.

use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use fargate_cost::model::run::{
    Backend, CpuStats, Limits, MemoryStats, RUN_SCHEMA_VERSION, Run, StopReason,
};
use fargate_cost::model::size::{Arch, Capacity, Os, Size};
use fargate_cost::model::task::FargateTask;
use fargate_cost::pricing::book::PriceBook;
use fargate_cost::pricing::price;
use fargate_cost::store::{Store, encode_record};

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
    // FARGATE_COST_BENCH_MONTHS=12: the runs spread over the 12 months up to November 2026
    // (a year's history), still reported for November.
    let months: i64 = std::env::var("FARGATE_COST_BENCH_MONTHS")
        .ok()
        .and_then(|m| m.parse().ok())
        .unwrap_or(1);
    let (cpu, mem) = sizes[((i % 50) * 7) % sizes.len()];
    let seconds = 60 + ((i * 7919) % 7200) as u64;
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
        - chrono::Duration::milliseconds((months - 1) * month_ms)
        + chrono::Duration::milliseconds((i as i64 * 7_777_777) % (months * month_ms));
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
        pull_stopped_at: None,
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
            at_limit: None,
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
        public_ip: false,
        public_ipv4_usd: rust_decimal::Decimal::ZERO,
        launched: Vec::new(),
        notes: Vec::new(),
        glue: None,
        engine: None,
        result: None,
    }
}

/// `n` run files in a store at `dir`, written like the store writes them.
fn generate(dir: &std::path::Path, n: usize) {
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
                public_ip: false,
            };
            price::task("us-east-1", prices, &task, Duration::from_secs(seconds))
                .expect("price")
                .total_usd
        })
    };
    let store = Store::new(dir);
    for i in 0..n {
        let run = generated_run(i, &mut cost);
        let path = store.record_path(&run);
        if i < 50 {
            std::fs::create_dir_all(path.parent().expect("job dir")).expect("job dir");
        }
        std::fs::write(&path, encode_record(&run).expect("json")).expect("run file");
    }
}

/// Wall time and peak RSS (MiB) of `fargate-cost report` on the store, and its TOTAL line.
/// The child is reaped by wait4 (which also gives its rusage), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn report(store: &std::path::Path) -> (f64, f64, String) {
    let timer = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_fargate-cost"))
        .arg("--store")
        .arg(store)
        .args([
            "--prices", "bundled", "report", "--month", "2026-11", "--output", "csv",
        ])
        .arg("--out")
        .arg(store.join("report.csv"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("fargate-cost");
    let pid = child.id() as libc::pid_t;
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout {
        std::io::Read::read_to_string(&mut out, &mut stdout).expect("stdout");
    }
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for the child it reaps.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child, not yet waited for; the pointers are to live locals.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = timer.elapsed().as_secs_f64();
    assert_eq!(reaped, pid, "wait4");
    assert_eq!(status, 0, "report failed");
    let total = stdout
        .lines()
        .find(|l| l.contains(",TOTAL,"))
        .unwrap_or_default()
        .to_string();
    (elapsed, usage.ru_maxrss as f64 / 1024.0, total)
}

/// Drop the page cache (root only) so "cold" reads the files from disk.
fn drop_caches() -> bool {
    Command::new("sync").status().is_ok() && std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}

#[allow(clippy::print_stdout)]
fn main() {
    // FARGATE_COST_BENCH_RUNS=10000,50000 picks other sizes (a quick check in debug).
    let mut sizes: Vec<usize> = match std::env::var("FARGATE_COST_BENCH_RUNS") {
        Ok(list) => list
            .split(',')
            .filter_map(|n| n.trim().parse().ok())
            .collect(),
        Err(_) => vec![100_000, 1_000_000],
    };
    if std::env::var_os("FARGATE_COST_BENCH_10M").is_some() {
        sizes.push(10_000_000);
    }
    println!("| runs | cold | cold peak RSS | warm (median of 3) | warm peak RSS | generate |");
    println!("|---|---|---|---|---|---|");
    let kept = std::env::var_os("FARGATE_COST_BENCH_STORE").map(std::path::PathBuf::from);
    for n in sizes {
        let temp = tempfile::tempdir().expect("temp dir");
        let dir = kept.clone().unwrap_or_else(|| temp.path().to_path_buf());
        let timer = Instant::now();
        if !dir.join("runs").exists() {
            generate(&dir, n);
        }
        let generated = timer.elapsed().as_secs_f64();
        match std::fs::remove_dir_all(dir.join("index")) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => panic!("index: {e}"),
            _ => {}
        }
        let dropped = drop_caches();
        let (cold, cold_rss, total) = report(&dir);
        let mut warm: Vec<(f64, f64)> = (0..3)
            .map(|_| {
                let (t, rss, again) = report(&dir);
                assert_eq!(again, total, "warm and cold reports agree");
                (t, rss)
            })
            .collect();
        warm.sort_by(|a, b| a.0.total_cmp(&b.0));
        let cache = if dropped {
            ""
        } else {
            " (page cache not dropped: not root)"
        };
        println!(
            "| {n} | {cold:.2} s{cache} | {cold_rss:.0} MiB | {:.2} s | {:.0} MiB | {generated:.0} s |",
            warm[1].0, warm[1].1
        );
        println!("<!-- {total} -->");
    }
}
