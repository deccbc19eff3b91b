//! Recommendation quality on a simulated population of jobs with known true demand.
//!
//! Each job has a true CPU parallelism d (vCPU it can use), a run time T(v) = a + b/min(v, d)
//! with ±5% noise, a memory need m with ±10% noise and a 5% chance of a 1.5× spike, a
//! deliberately over-sized current size and a deadline. Recommenders see 5 runs at the
//! current size and are scored on 50 held-out runs at the size they chose: OOM rate,
//! deadline misses and the monthly saving (30 runs a month), next to two baselines:
//!   max+20%: CPU = highest CPU use × 1.2, memory = highest peak × 1.2;
//!   p95/max+15%: CPU = p95 of the runs' p95 CPU, memory = highest peak × 1.15.
//!
//! Run: `cargo bench --bench sizing_quality` (deterministic: fixed seed).

use std::time::Duration;

use chrono::{TimeZone, Utc};
use fargate_cost::analysis::sizing::{self, CpuPercentile, JobContext, Options, Strategy};
use fargate_cost::model::run::{
    Backend, CpuStats, Limits, MemoryStats, RUN_SCHEMA_VERSION, Run, StopReason,
};
use fargate_cost::model::size::{Arch, Capacity, Os, Size};
use fargate_cost::model::task::FargateTask;
use fargate_cost::pricing::book::{PriceBook, RegionPrices};
use fargate_cost::pricing::price;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// xorshift64*: a small deterministic generator (no dependency, fixed seed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.next()
    }
}

struct SimJob {
    cpu_bound: bool,
    d: f64,
    a: f64,
    b: f64,
    memory: f64,
    current: Size,
    deadline: Duration,
}

impl SimJob {
    fn seconds(&self, vcpu: f64, rng: &mut Rng) -> f64 {
        (self.a + self.b / vcpu.min(self.d)) * rng.range(0.95, 1.05)
    }
    fn peak(&self, rng: &mut Rng) -> f64 {
        let spike = if rng.next() < 0.05 { 1.5 } else { 1.0 };
        self.memory * rng.range(0.9, 1.1) * spike
    }
}

fn population(rng: &mut Rng, n: usize) -> Vec<SimJob> {
    (0..n)
        .map(|i| {
            let cpu_bound = i % 2 == 0;
            let d = if cpu_bound {
                rng.range(2.0, 16.0)
            } else {
                rng.range(0.1, 1.2)
            };
            let memory = if i % 3 == 0 {
                rng.range(4000.0, 40000.0)
            } else {
                rng.range(200.0, 6000.0)
            };
            let (a, b) = (rng.range(20.0, 300.0), rng.range(300.0, 6000.0));
            let want_cpu = (d * rng.range(1.0, 3.0) * 1024.0) as u32;
            let want_mem = (memory * rng.range(1.5, 4.0)) as u32;
            let current =
                Size::smallest_covering(want_cpu, want_mem, Os::Linux).unwrap_or(Size::largest());
            let cv = current.vcpu().to_f64().unwrap_or(1.0);
            let t = a + b / cv.min(d);
            SimJob {
                cpu_bound,
                d,
                a,
                b,
                memory,
                current,
                deadline: Duration::from_secs_f64(t * rng.range(1.3, 3.0)),
            }
        })
        .collect()
}

fn record(job: &SimJob, size: Size, n: u32, rng: &mut Rng) -> Run {
    let vcpu = size.vcpu().to_f64().unwrap_or(1.0);
    let peak = job.peak(rng);
    let limit = f64::from(size.memory_mib());
    let oom = peak > limit;
    let seconds = if oom {
        job.seconds(vcpu, rng) * rng.next()
    } else {
        job.seconds(vcpu, rng)
    };
    let used = vcpu.min(job.d);
    let started = Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap()
        + chrono::Duration::hours(i64::from(n));
    Run {
        schema_version: RUN_SCHEMA_VERSION,
        id: format!("sim-{n}"),
        job: "sim".into(),
        backend: Backend::Local,
        cpu_units: size.cpu_units(),
        memory_mib: size.memory_mib(),
        arch: Arch::X86_64,
        os: Os::Linux,
        capacity: Capacity::OnDemand,
        region: "us-east-1".into(),
        ephemeral_storage_gib: 20,
        created_at: started,
        pull_started_at: None,
        pull_stopped_at: None,
        started_at: started,
        stopped_at: started,
        duration_ms: (seconds * 1000.0) as u64,
        billed_seconds: seconds.ceil().max(60.0) as u64,
        exit_code: Some(if oom { 137 } else { 0 }),
        stop_reason: if oom {
            StopReason::Oom
        } else {
            StopReason::Completed
        },
        stop_detail: String::new(),
        cpu: CpuStats {
            mean: used * 0.9,
            p50: used * 0.9,
            p95: used * rng.range(0.92, 1.0),
            p99: used,
            max: used,
        },
        memory: MemoryStats {
            peak_mib: peak.min(limit),
            p95_mib: peak.min(limit) * 0.95,
            peak_exact: true,
        },
        samples: 60,
        sample_interval_ms: 1000,
        limits: Limits {
            enforced: true,
            mechanism: "simulated".into(),
            reason: None,
        },
        usd: Decimal::ZERO,
        public_ip: false,
        public_ipv4_usd: rust_decimal::Decimal::ZERO,
        launched: vec![],
        notes: vec![],
        glue: None,
        engine: None,
        result: None,
    }
}

fn cost(prices: &RegionPrices, size: Size, seconds: f64) -> f64 {
    let task = FargateTask {
        size,
        os: Os::Linux,
        arch: Arch::X86_64,
        capacity: Capacity::OnDemand,
        ephemeral_storage_gib: 20,
        public_ip: false,
    };
    price::task("us-east-1", prices, &task, Duration::from_secs_f64(seconds))
        .map(|c| c.total_usd.to_f64().unwrap_or(0.0))
        .unwrap_or(0.0)
}

#[derive(Default)]
struct Score {
    runs: usize,
    ooms: usize,
    misses: usize,
    current_usd: f64,
    chosen_usd: f64,
}

fn baseline(runs: &[Run], cpu: impl Fn(&[Run]) -> f64, memory_factor: f64) -> Size {
    let peak = runs.iter().map(|r| r.memory.peak_mib).fold(0.0, f64::max);
    let units = (cpu(runs) * 1024.0).ceil() as u32;
    Size::smallest_covering(units, (peak * memory_factor).ceil() as u32, Os::Linux)
        .unwrap_or(Size::largest())
}

#[allow(clippy::print_stdout)]
fn main() {
    let book = PriceBook::bundled().expect("book");
    let prices = book.region("us-east-1").expect("us-east-1");
    let mut rng = Rng(0x5EED_F00D_CAFE_BABE);
    let jobs = population(&mut rng, 300);
    let names = [
        "fargate-cost tune (defaults: +20% memory, p95 CPU)",
        "fargate-cost tune --memory-headroom 50%",
        "baseline: observed max + 20%",
        "baseline: p95 CPU / max memory + 15%",
    ];
    let mut scores: Vec<Score> = (0..names.len()).map(|_| Score::default()).collect();
    let mut kept_cpu_bound = 0;
    for job in &jobs {
        let training: Vec<Run> = (0..5)
            .map(|n| record(job, job.current, n, &mut rng))
            .collect();
        let ctx = JobContext {
            name: "sim".into(),
            current: job.current,
            os: Os::Linux,
            arch: Arch::X86_64,
            capacity: Capacity::OnDemand,
            region: "us-east-1".into(),
            ephemeral_storage_gib: 20,
            public_ip: false,
            pull_estimate: None,
            runs_per_month: Decimal::from(30),
        };
        let options = Options {
            since: Duration::from_secs(30 * 86_400),
            now: Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap(),
            min_runs: 3,
            force: true,
            memory_headroom: 0.2,
            cpu_percentile: CpuPercentile::P95,
            strategy: Strategy::Cost,
            deadline: Some(job.deadline),
        };
        let ours = sizing::recommend(&training, &ctx, &options, prices)
            .map(|r| r.recommended)
            .unwrap_or(job.current);
        let wide = Options {
            memory_headroom: 0.5,
            ..options.clone()
        };
        let ours_wide = sizing::recommend(&training, &ctx, &wide, prices)
            .map(|r| r.recommended)
            .unwrap_or(job.current);
        if job.cpu_bound && ours.cpu_units() == job.current.cpu_units() {
            kept_cpu_bound += 1;
        }
        let chosen = [
            ours,
            ours_wide,
            baseline(
                &training,
                |r| r.iter().map(|x| x.cpu.max).fold(0.0, f64::max) * 1.2,
                1.2,
            ),
            baseline(
                &training,
                |r| {
                    let p: Vec<f64> = r.iter().map(|x| x.cpu.p95).collect();
                    fargate_cost::model::run::percentile(&p, 0.95)
                },
                1.15,
            ),
        ];
        for (score, size) in scores.iter_mut().zip(chosen) {
            let vcpu = size.vcpu().to_f64().unwrap_or(1.0);
            let current_vcpu = job.current.vcpu().to_f64().unwrap_or(1.0);
            for _ in 0..50 {
                let peak = job.peak(&mut rng);
                let seconds = job.seconds(vcpu, &mut rng);
                score.runs += 1;
                if peak > f64::from(size.memory_mib()) {
                    score.ooms += 1;
                } else if seconds > job.deadline.as_secs_f64() {
                    score.misses += 1;
                }
                score.chosen_usd += cost(prices, size, seconds);
                score.current_usd += cost(prices, job.current, job.seconds(current_vcpu, &mut rng));
            }
        }
    }
    println!(
        "{} simulated jobs (half CPU-bound), 5 training runs each, 50 held-out runs per recommender",
        jobs.len()
    );
    println!();
    println!(
        "| recommender | OOM rate | deadline misses | monthly cost before | monthly cost after | monthly saving |"
    );
    println!("|---|---|---|---|---|---|");
    for (name, s) in names.iter().zip(&scores) {
        // 50 evaluation runs per job stand for 30 runs a month.
        let month = |usd: f64| usd / 50.0 * 30.0;
        println!(
            "| {name} | {:.2}% | {:.2}% | ${:.2} | ${:.2} | ${:.2} ({:.0}%) |",
            s.ooms as f64 / s.runs as f64 * 100.0,
            s.misses as f64 / s.runs as f64 * 100.0,
            month(s.current_usd),
            month(s.chosen_usd),
            month(s.current_usd - s.chosen_usd),
            (1.0 - s.chosen_usd / s.current_usd) * 100.0
        );
    }
    println!();
    println!(
        "CPU-bound jobs whose CPU fargate-cost left unchanged (no runtime model): {kept_cpu_bound} of {}",
        jobs.len() / 2
    );
}
