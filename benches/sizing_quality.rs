//! Recommendation quality on a simulated population of jobs with known true demand.
//!
//! Each job has a true CPU parallelism d (vCPU it can use), a run time T(v) = a + b/min(v, d)
//! with ±5% noise, a current size (memory over-sized 1.5–4×) and a deadline; half the jobs
//! are CPU-bound. Its memory need m follows one of five kinds, a fifth of the jobs each:
//!   steady:       m × U(0.98, 1.02);
//!   noisy:        m × U(0.9, 1.1), with a 5% chance of a 1.5× spike;
//!   heavy-tailed: m × LogNormal(0, 0.25);
//!   growing:      m × 1.01^day × U(0.95, 1.05) (inputs grow 1% a day);
//!   spiky:        m × U(0.95, 1.05), with a 15% chance of a 1.3–2× spike.
//! A run's CPU trace is at the limit for its parallel part (b/v of a + b/v) when the job can
//! use (nearly) all the CPU it has; CPU-bound jobs get 0.5–3× their parallelism. Jobs run daily. Recommenders see the last N runs (days 30−N … 29) at the current size and
//! are scored on 50 held-out runs over the next 30 days at the size they chose: OOM rate,
//! deadline misses and the monthly saving (30 runs a month), next to two baselines:
//!   max+20%: CPU = highest CPU use × 1.2, memory = highest peak × 1.2;
//!   p95/max+15%: CPU = p95 of the runs' p95 CPU, memory = highest peak × 1.15 (KRR's rule).
//!
//! Run: `cargo bench --bench sizing_quality` (deterministic: fixed seed). N is 5 and 20
//! (`FARGATE_COST_BENCH_TRAINING=5,20` by default).

use std::time::Duration;

use chrono::{TimeZone, Utc};
use fargate_cost::analysis::sizing::{
    self, CpuPercentile, JobContext, MemoryRule, Options, Reason, Strategy,
};
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
    /// A standard normal draw (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u = self.next().max(f64::MIN_POSITIVE);
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * self.next()).cos()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Steady,
    Noisy,
    HeavyTailed,
    Growing,
    Spiky,
}

const KINDS: [Kind; 5] = [
    Kind::Steady,
    Kind::Noisy,
    Kind::HeavyTailed,
    Kind::Growing,
    Kind::Spiky,
];

struct SimJob {
    cpu_bound: bool,
    kind: Kind,
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
    fn peak(&self, day: f64, rng: &mut Rng) -> f64 {
        let factor = match self.kind {
            Kind::Steady => rng.range(0.98, 1.02),
            Kind::Noisy => {
                let spike = if rng.next() < 0.05 { 1.5 } else { 1.0 };
                rng.range(0.9, 1.1) * spike
            }
            Kind::HeavyTailed => (0.25 * rng.normal()).exp(),
            Kind::Growing => 1.01f64.powf(day) * rng.range(0.95, 1.05),
            Kind::Spiky => {
                let spike = if rng.next() < 0.15 {
                    rng.range(1.3, 2.0)
                } else {
                    1.0
                };
                rng.range(0.95, 1.05) * spike
            }
        };
        self.memory * factor
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
            // CPU-bound jobs are sometimes given less CPU than they could use.
            let low = if cpu_bound { 0.5 } else { 1.0 };
            let want_cpu = (d * rng.range(low, 3.0) * 1024.0) as u32;
            let want_mem = (memory * rng.range(1.5, 4.0)) as u32;
            let current =
                Size::smallest_covering(want_cpu, want_mem, Os::Linux).unwrap_or(Size::largest());
            let cv = current.vcpu().to_f64().unwrap_or(1.0);
            let t = a + b / cv.min(d);
            SimJob {
                cpu_bound,
                kind: KINDS[(i / 2) % KINDS.len()],
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

fn record(job: &SimJob, size: Size, day: u32, rng: &mut Rng) -> Run {
    let n = day;
    let vcpu = size.vcpu().to_f64().unwrap_or(1.0);
    let peak = job.peak(f64::from(day), rng);
    let limit = f64::from(size.memory_mib());
    let oom = peak > limit;
    let seconds = if oom {
        job.seconds(vcpu, rng) * rng.next()
    } else {
        job.seconds(vcpu, rng)
    };
    let used = vcpu.min(job.d);
    let started = start() + chrono::Duration::days(i64::from(day));
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
            // The parallel part b/v waits for CPU when the job can use more than it has.
            at_limit: Some(if job.d >= 0.9 * vcpu {
                (job.b / vcpu) / (job.a + job.b / vcpu)
            } else {
                0.0
            }),
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

/// Day 0 of every simulated job.
fn start() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap()
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

/// The recommenders compared, by name.
const NAMES: [&str; 6] = [
    "fargate-cost tune (defaults: --oom-risk 0.1%, p95 CPU)",
    "fargate-cost tune --memory-headroom 20%",
    "fargate-cost tune --memory-headroom 50%",
    "baseline: observed max + 20%",
    "baseline: p95 CPU / max memory + 15%",
    "oracle: tune's CPU, memory at the true p99.9 of the next 30 days' peaks",
];

/// Every recommender's size for a job from its training runs.
fn choices(
    job: &SimJob,
    training: &[Run],
    prices: &RegionPrices,
    rng: &mut Rng,
    one_size: &mut (usize, usize),
) -> [Size; 6] {
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
        now: start() + chrono::Duration::days(30),
        min_runs: 3,
        force: true,
        memory: MemoryRule::default(),
        cpu_percentile: CpuPercentile::P95,
        strategy: Strategy::Cost,
        deadline: Some(job.deadline),
    };
    let tune = |memory: MemoryRule| {
        let options = Options {
            memory,
            ..options.clone()
        };
        sizing::recommend(training, &ctx, &options, prices).ok()
    };
    let default = tune(MemoryRule::default());
    if let Some(r) = default
        .as_ref()
        .filter(|r| r.reasons.contains(&Reason::OneSizeModel))
    {
        one_size.0 += 1;
        one_size.1 += usize::from(r.recommended.cpu_units() != job.current.cpu_units());
    }
    let ours = default.map_or(job.current, |r| r.recommended);
    let tune = |memory: MemoryRule| tune(memory).map_or(job.current, |r| r.recommended);
    [
        ours,
        tune(MemoryRule::Headroom(0.2)),
        tune(MemoryRule::Headroom(0.5)),
        baseline(
            training,
            |r| r.iter().map(|x| x.cpu.max).fold(0.0, f64::max) * 1.2,
            1.2,
        ),
        baseline(
            training,
            |r| {
                let p: Vec<f64> = r.iter().map(|x| x.cpu.p95).collect();
                fargate_cost::model::run::percentile(&p, 0.95)
            },
            1.15,
        ),
        oracle(job, ours, rng),
    ]
}

/// The size an oracle that knows the job's true peak distribution over the held-out days
/// would choose at 0.1 % risk, with `cpu_from`'s CPU: the most any recommender can save at
/// that risk without changing CPU.
fn oracle(job: &SimJob, cpu_from: Size, rng: &mut Rng) -> Size {
    let mut draws: Vec<f64> = (0..20_000)
        .map(|k| job.peak(30.0 + f64::from(k % 50) * 0.6, rng))
        .collect();
    draws.sort_by(f64::total_cmp);
    let p999 = draws[draws.len() * 999 / 1000];
    Size::smallest_covering(cpu_from.cpu_units(), p999.ceil() as u32, Os::Linux)
        .unwrap_or(Size::largest())
}

/// 50 held-out runs over days 30–60 at `size`, scored into `score`.
fn hold_out(job: &SimJob, size: Size, prices: &RegionPrices, rng: &mut Rng, score: &mut Score) {
    let vcpu = size.vcpu().to_f64().unwrap_or(1.0);
    let current_vcpu = job.current.vcpu().to_f64().unwrap_or(1.0);
    for k in 0..50 {
        let day = 30.0 + f64::from(k) * 0.6;
        let peak = job.peak(day, rng);
        let seconds = job.seconds(vcpu, rng);
        score.runs += 1;
        if peak > f64::from(size.memory_mib()) {
            score.ooms += 1;
        } else if seconds > job.deadline.as_secs_f64() {
            score.misses += 1;
        }
        score.chosen_usd += cost(prices, size, seconds);
        score.current_usd += cost(prices, job.current, job.seconds(current_vcpu, rng));
    }
}

impl Score {
    fn oom_pct(&self) -> f64 {
        self.ooms as f64 / self.runs.max(1) as f64 * 100.0
    }
    fn saving_pct(&self) -> f64 {
        (1.0 - self.chosen_usd / self.current_usd) * 100.0
    }
}

#[allow(clippy::print_stdout)]
fn print_tables(jobs: &[SimJob], training: u32, scores: &[Score], by_kind: &[[Score; 6]]) {
    println!(
        "### {training} training runs — {} simulated jobs (half CPU-bound), 50 held-out runs each",
        jobs.len()
    );
    println!();
    println!(
        "| recommender | OOM rate | deadline misses | monthly cost before | monthly cost after | monthly saving |"
    );
    println!("|---|---|---|---|---|---|");
    for (name, s) in NAMES.iter().zip(scores) {
        // 50 evaluation runs per job stand for 30 runs a month.
        let month = |usd: f64| usd / 50.0 * 30.0;
        println!(
            "| {name} | {:.2}% | {:.2}% | ${:.2} | ${:.2} | ${:.2} ({:.0}%) |",
            s.oom_pct(),
            s.misses as f64 / s.runs as f64 * 100.0,
            month(s.current_usd),
            month(s.chosen_usd),
            month(s.current_usd - s.chosen_usd),
            s.saving_pct()
        );
    }
    println!();
    println!("OOM rate / saving by kind of memory behaviour:");
    println!();
    println!(
        "| kind | tune (risk) | tune +20% | tune +50% | max+20% | p95/max+15% | oracle p99.9 |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (kind, row) in KINDS.iter().zip(by_kind) {
        let cells: Vec<String> = row
            .iter()
            .map(|s| format!("{:.2}% / {:.0}%", s.oom_pct(), s.saving_pct()))
            .collect();
        println!("| {kind:?} | {} |", cells.join(" | "));
    }
    println!();
}

#[allow(clippy::print_stdout)]
fn main() {
    let book = PriceBook::bundled().expect("book");
    let prices = book.region("us-east-1").expect("us-east-1");
    let trainings: Vec<u32> = std::env::var("FARGATE_COST_BENCH_TRAINING")
        .unwrap_or_else(|_| "5,20".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    for training_runs in trainings {
        let mut rng = Rng(0x5EED_F00D_CAFE_BABE);
        let jobs = population(&mut rng, 500);
        let mut scores: Vec<Score> = (0..NAMES.len()).map(|_| Score::default()).collect();
        let mut one_size = (0, 0);
        let mut by_kind: Vec<[Score; 6]> = (0..KINDS.len()).map(|_| Default::default()).collect();
        for job in &jobs {
            let training: Vec<Run> = (30 - training_runs..30)
                .map(|day| record(job, job.current, day, &mut rng))
                .collect();
            let chosen = choices(job, &training, prices, &mut rng, &mut one_size);
            let kind = KINDS.iter().position(|k| *k == job.kind).unwrap_or(0);
            for (i, size) in chosen.into_iter().enumerate() {
                let mut score = Score::default();
                hold_out(job, size, prices, &mut rng, &mut score);
                for total in [&mut scores[i], &mut by_kind[kind][i]] {
                    total.runs += score.runs;
                    total.ooms += score.ooms;
                    total.misses += score.misses;
                    total.current_usd += score.current_usd;
                    total.chosen_usd += score.chosen_usd;
                }
            }
        }
        print_tables(&jobs, training_runs, &scores, &by_kind);
        println!(
            "Jobs at their CPU limit sized by the one-size CPU model (no sweep): {} of {} CPU-bound jobs; CPU changed for {}",
            one_size.0,
            jobs.iter().filter(|j| j.cpu_bound).count(),
            one_size.1
        );
        println!();
    }
}
