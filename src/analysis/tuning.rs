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
use crate::model::run::{Run, StopReason};
use crate::model::size::{Arch, Capacity, Os, Size, format_vcpu};
use crate::model::task::FargateTask;
use crate::pricing::book::PriceBook;
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
    for &cpu in cpus {
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

/// What one run at the recommended size would cost elsewhere.
#[derive(Debug, Clone)]
pub(crate) struct Alternatives {
    /// On ARM, on-demand (Linux only; where the book prices it).
    pub arm: Option<Decimal>,
    /// On Spot, at the job's architecture.
    pub spot: Option<Decimal>,
    /// The cheapest Glue configuration and its cost per run, or why there is none.
    pub glue: std::result::Result<(GlueConfig, Decimal), String>,
}

impl Alternatives {
    /// Price the recommended size's expected run on ARM, Spot and Glue.
    pub(crate) fn price(
        job: &Job,
        rec: &Recommendation,
        book: &PriceBook,
        region: &str,
    ) -> Alternatives {
        let duration = Duration::from_secs_f64(rec.recommended_seconds.max(0.001));
        let task = job.task(rec.recommended);
        let per_run = |task: FargateTask| {
            let prices = book.region(region).ok()?;
            price::task(region, prices, &task, duration)
                .ok()
                .map(|c| c.total_usd)
        };
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
        Alternatives { arm, spot, glue }
    }
}
