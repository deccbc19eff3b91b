//! `report` at scale: a run index of 10k, 100k and 1M generated runs (50 jobs, one month),
//! reported in a fresh process each, measuring wall time and peak memory (VmHWM). Index
//! generation happens in another process so it does not count.
//!
//! Run: `cargo bench --bench report_scale` (release). Figures: docs/BENCHMARKS.md.

use std::process::Command;
use std::time::Instant;

use fargate_cost::analysis::monthly::{Period, report};
use fargate_cost::pricing::book::PriceBook;
use fargate_cost::store::Store;
use fargate_cost::store::index;
use polars::prelude::*;

fn generate(dir: &str, n: usize) {
    let sizes = [
        (256i64, 512i64),
        (1024, 2048),
        (2048, 4096),
        (4096, 8192),
        (8192, 16384),
    ];
    let start = 1_793_491_200_000i64; // 2026-11-01T00:00:00Z
    let month_ms = 30 * 86_400_000i64;
    let pick = |i: usize| sizes[(i * 7) % sizes.len()];
    let seconds = |i: usize| 60 + ((i * 7919) % 7200) as i64;
    let hourly_micros =
        |cpu: i64, mem: i64| (cpu as f64 / 1024.0 * 0.04048 + mem as f64 / 1024.0 * 0.004445) * 1e6;
    let frame = DataFrame::new_infer_height(vec![
        Column::new(
            "id".into(),
            (0..n).map(|i| format!("run-{i}")).collect::<Vec<_>>(),
        ),
        Column::new(
            "job".into(),
            (0..n)
                .map(|i| format!("job-{}", i % 50))
                .collect::<Vec<_>>(),
        ),
        Column::new("region".into(), vec!["us-east-1"; n]),
        Column::new("arch".into(), vec!["x86_64"; n]),
        Column::new("os".into(), vec!["linux"; n]),
        Column::new("capacity".into(), vec!["on-demand"; n]),
        Column::new(
            "cpu_units".into(),
            (0..n).map(|i| pick(i % 50).0).collect::<Vec<_>>(),
        ),
        Column::new(
            "memory_mib".into(),
            (0..n).map(|i| pick(i % 50).1).collect::<Vec<_>>(),
        ),
        Column::new("ephemeral_storage_gib".into(), vec![20i64; n]),
        Column::new(
            "billed_from_ms".into(),
            (0..n)
                .map(|i| start + (i as i64 * 7_777_777) % month_ms)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "started_at_ms".into(),
            (0..n)
                .map(|i| start + (i as i64 * 7_777_777) % month_ms)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "duration_ms".into(),
            (0..n).map(|i| seconds(i) * 1000).collect::<Vec<_>>(),
        ),
        Column::new("billed_s".into(), (0..n).map(seconds).collect::<Vec<_>>()),
        Column::new(
            "stop_reason".into(),
            (0..n)
                .map(|i| if i % 37 == 0 { "failed" } else { "completed" })
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "usd_micros".into(),
            (0..n)
                .map(|i| {
                    let (c, m) = pick(i % 50);
                    (hourly_micros(c, m) * seconds(i) as f64 / 3600.0).round() as i64
                })
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "memory_peak_mib".into(),
            (0..n)
                .map(|i| pick(i % 50).1 as f64 * 0.4 + (i % 100) as f64)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "memory_p95_mib".into(),
            (0..n)
                .map(|i| pick(i % 50).1 as f64 * 0.35)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "cpu_mean".into(),
            (0..n)
                .map(|i| pick(i % 50).0 as f64 / 1024.0 * 0.3)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "cpu_p50".into(),
            (0..n)
                .map(|i| pick(i % 50).0 as f64 / 1024.0 * 0.3)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "cpu_p95".into(),
            (0..n)
                .map(|i| pick(i % 50).0 as f64 / 1024.0 * 0.4)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "cpu_p99".into(),
            (0..n)
                .map(|i| pick(i % 50).0 as f64 / 1024.0 * 0.45)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "cpu_max".into(),
            (0..n)
                .map(|i| pick(i % 50).0 as f64 / 1024.0 * 0.5)
                .collect::<Vec<_>>(),
        ),
    ]);
    let mut frame = frame.expect("frame");
    index::write(&Store::new(dir), &mut frame).expect("index written");
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
            let rows =
                report(index::scan(&store).expect("scan"), &period, &book, &[]).expect("report");
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
