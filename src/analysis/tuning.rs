//! The parts of `tune job` around the recommendation itself: the size a job is tuned from,
//! the sizes a sweep runs, and what the recommended size would cost on ARM, on Spot and as
//! the cheapest Glue job. Pure: callers run the sweep and read the store.

use std::time::Duration;

use rust_decimal::Decimal;

use crate::analysis::comparison;
use crate::analysis::sizing::{self, Recommendation};
use crate::analysis::workload::Workload;
use crate::error::{Error, Result};
use crate::model::glue::{self, GlueConfig, GlueVersion};
use crate::model::job::Job;
use crate::model::run::{Backend, Run, StopReason};
use crate::model::size::{Arch, Capacity, Os, Size, format_vcpu};
use crate::model::task::FargateTask;
use crate::pricing::book::PriceBook;
use crate::pricing::fargate::FargateCost;
use crate::pricing::price;

/// The size a job is tuned from: its configured size, else the smallest covering its Glue
/// configuration.
pub(crate) fn current_size(job: &Job) -> Result<Size> {
    match (job.size, &job.glue) {
        (Some(size), _) => Ok(size),
        (None, Some(glue)) => Ok(glue::fargate_for(glue, job.os).0),
        (None, None) => Err(Error::invalid(
            "cpu",
            format!("job `{}` has no size to tune", job.name),
        )),
    }
}

/// ECS sweep tasks launched at once unless `--parallel` says otherwise: far below ECS's
/// RunTask rate limits, and a bound on what a mistyped sweep can start.
pub(crate) const DEFAULT_PARALLEL_CAP: usize = 20;

/// How many sweep runs go at once: on ECS `--parallel`, else all of them up to
/// [`DEFAULT_PARALLEL_CAP`]; locally one, with the reason (this machine's `cores`) when more
/// was asked or more runs are to come.
pub(crate) fn sweep_parallel(
    on_ecs: bool,
    requested: Option<u32>,
    runs: usize,
    cores: usize,
) -> (usize, Option<String>) {
    if on_ecs {
        let parallel = requested.map_or(runs.min(DEFAULT_PARALLEL_CAP), |n| n as usize);
        let parallel = parallel.clamp(1, runs.max(1));
        let note = (runs > 1).then(|| {
            format!("ECS sweep: {runs} task(s), {parallel} at a time (--parallel N to change)")
        });
        return (parallel, note);
    }
    let note = (requested.is_some_and(|n| n > 1) || runs > 1).then(|| {
        format!(
            "local sweep: {runs} run(s), one at a time — side-by-side runs would share this machine's {cores} CPU(s) and slow each other down"
        )
    });
    (1, note)
}

/// Memory headroom over the highest peak that sweep sizes get unless --memory-headroom
/// says otherwise (a sweep measures run time; its runs must not run out of memory).
pub(crate) const SWEEP_HEADROOM: f64 = 0.2;

/// The sizes a sweep runs: each CPU with the smallest valid memory at or above the memory
/// the runs so far call for (peak + headroom, above any OOM kill) or the current memory;
/// with a warning for each CPU that cannot have it.
pub(crate) fn sweep_sizes(
    job: &Job,
    current: Size,
    runs: &[Run],
    cpus: &[u32],
    memory_headroom: f64,
) -> (Vec<Size>, Vec<String>) {
    let peak = runs
        .iter()
        .filter(|r| r.stop_reason == StopReason::Completed)
        .map(|r| r.memory.peak_mib)
        .fold(0.0, f64::max);
    let oom_floor = runs
        .iter()
        .filter(|r| r.stop_reason == StopReason::Oom)
        .map(|r| f64::from(r.memory_mib) * sizing::OOM_FACTOR)
        .fold(0.0, f64::max);
    let memory = if peak > 0.0 {
        (peak * (1.0 + memory_headroom)).max(oom_floor).ceil() as u32
    } else {
        current.memory_mib().max(oom_floor.ceil() as u32)
    };
    let (mut sizes, mut warnings) = (Vec::new(), Vec::new());
    // `--sweep 1,1` is one size (--repeat runs it more than once).
    let mut seen = std::collections::HashSet::new();
    for &cpu in cpus.iter().filter(|&&cpu| seen.insert(cpu)) {
        match Size::smallest_covering(cpu, memory, job.os) {
            Some(size) if size.cpu_units() == cpu => sizes.push(size),
            Some(size) => warnings.push(format!(
                "sweep: {} vCPU cannot have {memory} MiB; skipped ({size} covers it)",
                format_vcpu(cpu)
            )),
            None => warnings.push(format!(
                "sweep: no Fargate size has {} vCPU and {memory} MiB; skipped",
                format_vcpu(cpu)
            )),
        }
    }
    (sizes, warnings)
}

/// From this share of a run's cost on, `tune` suggests a private subnet: at 5 % the address
/// costs as much as a size step usually saves (reference 10.1: +5.1 % at 2 vCPU / 4 GB).
pub(crate) const PUBLIC_IPV4_ADVICE_SHARE: Decimal = Decimal::from_parts(5, 0, 0, false, 2);

/// The public IPv4 address of one run at the recommended size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PublicIpv4 {
    /// USD per run.
    pub per_run: Decimal,
    /// USD per month (per run × the runs a month the recommendation prices).
    pub per_month: Decimal,
    /// Of the run's whole cost (0–1).
    pub share: Decimal,
    /// The share is at least [`PUBLIC_IPV4_ADVICE_SHARE`]: suggest a private subnet.
    pub suggest_private_subnet: bool,
}

impl PublicIpv4 {
    /// The address's part of a priced run, when it has one.
    pub(crate) fn of(cost: &FargateCost, runs_per_month: Decimal) -> Option<PublicIpv4> {
        if cost.public_ipv4_usd.is_zero() {
            return None;
        }
        let share = cost
            .public_ipv4_usd
            .checked_div(cost.total_usd)
            .unwrap_or(Decimal::ONE);
        Some(PublicIpv4 {
            per_run: cost.public_ipv4_usd,
            per_month: cost
                .public_ipv4_usd
                .checked_mul(runs_per_month)
                .unwrap_or(Decimal::MAX),
            share,
            suggest_private_subnet: share >= PUBLIC_IPV4_ADVICE_SHARE,
        })
    }
}

/// The image pull of the job's runs: measured on ECS, or estimated from its image size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pull {
    /// How long.
    pub duration: Duration,
    /// `[jobs.ecs] image_size_mb` at the assumed throughput, not a measurement.
    pub estimated: bool,
    /// Of a run at the recommended size, USD (set by [`Alternatives::price`]).
    pub per_run: Decimal,
}

impl Pull {
    /// The median pull of the job's ECS runs that recorded one; else, for a job measured
    /// only locally (local runs pull nothing), the estimate from `[jobs.ecs] image_size_mb`.
    pub(crate) fn of(job: &Job, runs: &[Run]) -> Option<Pull> {
        let mut measured: Vec<u64> = runs.iter().filter_map(Run::pull_ms).collect();
        measured.sort_unstable();
        if let Some(median) = measured.get(measured.len() / 2) {
            return Some(Pull {
                duration: Duration::from_millis(*median),
                estimated: false,
                per_run: Decimal::ZERO,
            });
        }
        // ECS run times already hold their pulls, recorded or not.
        if runs.iter().any(|r| r.backend == Backend::Ecs) {
            return None;
        }
        let image_size_mb = job.ecs.as_ref().and_then(|e| e.image_size_mb)?;
        Some(Pull {
            duration: crate::analysis::workload::estimated_pull(image_size_mb),
            estimated: true,
            per_run: Decimal::ZERO,
        })
    }
}

/// What one run at the recommended size would cost elsewhere.
#[derive(Debug, Clone)]
pub(crate) struct Alternatives {
    /// On ARM, on-demand (Linux only; where the book prices it).
    pub arm: Option<Decimal>,
    /// On Spot, at the job's architecture.
    pub spot: Option<Decimal>,
    /// The cheapest Glue configuration and its cost per run, or why there is none.
    pub glue: std::result::Result<(GlueConfig, Decimal), String>,
    /// The public IPv4 address in a run at the recommended size (job's capacity).
    pub public_ipv4: Option<PublicIpv4>,
    /// The image pull and its part of a run at the recommended size.
    pub pull: Option<Pull>,
}

impl Alternatives {
    /// Price the recommended size's expected run on ARM, Spot and Glue. An estimated pull
    /// is billed on Fargate before the run (a measured one is inside the ECS run times).
    pub(crate) fn price(
        job: &Job,
        rec: &Recommendation,
        book: &PriceBook,
        region: &str,
        pull: Option<Pull>,
    ) -> Alternatives {
        let duration = Duration::from_secs_f64(rec.recommended_seconds.max(0.001));
        let estimate = pull.filter(|p| p.estimated).map(|p| p.duration);
        let billed = duration.saturating_add(estimate.unwrap_or_default());
        let task = job.task(rec.recommended);
        let priced = |task: FargateTask| {
            let prices = book.region(region).ok()?;
            price::task(region, prices, &task, billed).ok()
        };
        let per_run = |task: FargateTask| priced(task).map(|c| c.total_usd);
        // The recommendation's monthly figure is its per-run figure × runs a month.
        let runs = rec
            .recommended_usd_per_month
            .checked_div(rec.recommended_usd_per_run)
            .unwrap_or(Decimal::ZERO);
        let own = priced(task);
        let public_ipv4 = own.as_ref().and_then(|c| PublicIpv4::of(c, runs));
        let pull = pull.map(|p| Pull {
            per_run: own.as_ref().map_or(Decimal::ZERO, |c| c.share(p.duration)),
            ..p
        });
        let arm = (job.os == Os::Linux)
            .then(|| {
                per_run(
                    task.with_arch(Arch::Arm64)
                        .with_capacity(Capacity::OnDemand),
                )
            })
            .flatten();
        let spot = per_run(task.with_capacity(Capacity::Spot));
        let workload = Workload {
            name: job.name.clone(),
            region: region.to_string(),
            size: Some(rec.recommended),
            arch: job.arch,
            os: job.os,
            capacity: job.capacity,
            ephemeral_storage_gib: job.ephemeral_storage_gib,
            // Glue has no public IPv4 charge; the Fargate side is not what is read here.
            public_ip: false,
            duration,
            pull_estimate: None,
            runs_per_month: Decimal::ONE,
            engine: job.engine,
            glue: None,
            glue_version: GlueVersion::DEFAULT,
            glue_flex: false,
            glue_speedup: job.glue_speedup.unwrap_or(Decimal::ONE),
        };
        let glue = comparison::compare(book, &workload)
            .map(|c| (c.glue_config, c.glue.total_usd))
            .map_err(|e| e.to_string());
        Alternatives {
            arm,
            spot,
            glue,
            public_ipv4,
            pull,
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn ecs_sweeps_run_side_by_side_up_to_the_cap_and_local_ones_one_at_a_time() {
        assert_eq!(super::sweep_parallel(true, None, 6, 2).0, 6);
        assert_eq!(super::sweep_parallel(true, None, 30, 2).0, 20);
        assert_eq!(super::sweep_parallel(true, Some(2), 6, 2).0, 2);
        assert_eq!(super::sweep_parallel(true, Some(50), 6, 2).0, 6);
        let (one, why) = super::sweep_parallel(false, Some(4), 6, 2);
        assert_eq!(one, 1);
        assert!(why.unwrap().contains("share this machine's 2 CPU(s)"));
        assert_eq!(super::sweep_parallel(false, None, 1, 2), (1, None));
    }

    use super::*;
    use crate::model::size::Size;
    use crate::model::task::FargateTask;
    use rust_decimal_macros::dec;

    /// A CPU level given twice is swept once, in the order given.
    #[test]
    fn a_repeated_sweep_cpu_is_one_size() {
        let text = "[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\n";
        let config =
            crate::model::job::Config::parse(std::path::Path::new("t.toml"), text).unwrap();
        let current = Size::new(1024, 2048, crate::model::size::Os::Linux).unwrap();
        let (sizes, warnings) =
            sweep_sizes(&config.jobs[0], current, &[], &[2048, 1024, 2048], 0.2);
        let cpus: Vec<u32> = sizes.iter().map(|s| s.cpu_units()).collect();
        assert_eq!(cpus, [2048, 1024]);
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    fn priced(cpu: u32, mib: u32, seconds: u64) -> FargateCost {
        let book = PriceBook::bundled().unwrap();
        let task = FargateTask {
            size: Size::new(cpu, mib, Os::Linux).unwrap(),
            os: Os::Linux,
            arch: Arch::X86_64,
            capacity: Capacity::OnDemand,
            ephemeral_storage_gib: 20,
            public_ip: true,
        };
        let region = book.region("us-east-1").unwrap();
        price::task("us-east-1", region, &task, Duration::from_secs(seconds)).unwrap()
    }

    #[test]
    fn a_private_subnet_is_suggested_from_five_percent() {
        // 0.25 vCPU / 0.5 GB: 0.005 / (0.0123425 + 0.005) = 28.8 % of the run → suggest.
        let small = PublicIpv4::of(&priced(256, 512, 600), dec!(30)).unwrap();
        assert_eq!(small.share.round_dp(4), dec!(0.2883));
        assert!(small.suggest_private_subnet);
        // 0.005 × 600 / 3600 = 0.000833… a run; × 30 = 0.025 a month.
        assert_eq!(small.per_month.round_dp(12), dec!(0.025));
        // 2 vCPU / 4 GB: 0.005 / (0.09874 + 0.005) = 4.82 % of the run → under 5 %, no advice.
        let medium = PublicIpv4::of(&priced(2048, 4096, 600), dec!(30)).unwrap();
        assert_eq!(medium.share.round_dp(4), dec!(0.0482));
        assert!(!medium.suggest_private_subnet);
        // 1 vCPU / 2 GB: 0.005 / (0.04937 + 0.005) = 9.2 % → suggest.
        assert!(
            PublicIpv4::of(&priced(1024, 2048, 600), dec!(30))
                .unwrap()
                .suggest_private_subnet
        );
    }

    fn recorded(backend: &str, pull_s: Option<i64>) -> Run {
        let stop: chrono::DateTime<chrono::Utc> = "2026-11-20T10:00:00Z".parse().unwrap();
        let start = stop - chrono::Duration::seconds(100);
        let pull_stop = pull_s.map(|s| start + chrono::Duration::seconds(s));
        serde_json::from_value(serde_json::json!({
            "schema_version": 1, "id": "r", "job": "j", "backend": backend,
            "cpu_units": 256, "memory_mib": 512, "arch": "x86_64", "os": "linux",
            "capacity": "on-demand", "region": "us-east-1", "ephemeral_storage_gib": 20,
            "created_at": start, "pull_started_at": pull_stop.map(|_| start),
            "pull_stopped_at": pull_stop, "started_at": start, "stopped_at": stop,
            "duration_ms": 100_000, "billed_seconds": 100, "exit_code": 0,
            "stop_reason": "completed", "stop_detail": "",
            "cpu": {"mean": 0.1, "p50": 0.1, "p95": 0.1, "p99": 0.1, "max": 0.1},
            "memory": {"peak_mib": 100.0, "p95_mib": 90.0, "peak_exact": false},
            "samples": 0, "sample_interval_ms": 1000,
            "limits": {"enforced": true, "mechanism": "fargate"},
            "usd": "0", "launched": [], "notes": []
        }))
        .unwrap()
    }

    #[test]
    fn the_pull_is_measured_on_ecs_else_estimated_from_the_image_size() {
        let config = crate::model::job::Config::parse(
            std::path::Path::new("t.toml"),
            "[[jobs]]\nname = \"j\"\ncpu = 0.25\nmemory = \"0.5GB\"\n[jobs.ecs]\nimage_size_mb = 600\n",
        )
        .unwrap();
        let job = &config.jobs[0];
        // ECS pulls of 10, 40 and 30 s: the median, 30 s, measured.
        let ecs = [10, 40, 30].map(|s| recorded("ecs", Some(s)));
        let pull = Pull::of(job, &ecs).unwrap();
        assert_eq!(
            (pull.duration, pull.estimated),
            (Duration::from_secs(30), false)
        );
        // ECS runs without a recorded pull: their times hold it, so no estimate is added.
        assert_eq!(Pull::of(job, &[recorded("ecs", None)]), None);
        // Local runs: 600 MB at 15 MB/s = 40 s, an estimate.
        let pull = Pull::of(job, &[recorded("local", None)]).unwrap();
        assert_eq!(
            (pull.duration, pull.estimated),
            (Duration::from_secs(40), true)
        );
    }
}
