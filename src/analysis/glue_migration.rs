//! What imported Glue jobs would cost on Fargate: per job, its recorded Glue runs (what
//! was paid) next to the same runs on the Fargate task covering the Glue workers, on
//! demand, Spot and ARM, scaled to an average month. Pure: the caller reads the store.

use std::collections::BTreeMap;
use std::time::Duration;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::analysis::workload::AVERAGE_MONTH_DAYS;
use crate::error::{Error, Result};
use crate::model::run::{Backend, Run};
use crate::model::size::{Arch, Capacity, Size};
use crate::pricing::book::PriceBook;
use crate::pricing::fargate::{checked_product, checked_sum};
use crate::pricing::price;

/// The migration estimate of one Glue job.
#[derive(Debug, Clone, PartialEq)]
pub struct GlueMigration {
    /// Job name.
    pub job: String,
    /// Region its runs were priced in.
    pub region: String,
    /// Runs in the window.
    pub runs: usize,
    /// The latest run's Glue configuration, e.g. "10 × G.1X, Glue 4.0, standard".
    pub glue_config: String,
    /// Its workers' total vCPU.
    pub glue_vcpu: Decimal,
    /// Its workers' total memory GB.
    pub glue_memory_gb: Decimal,
    /// The Fargate size of the latest run (covering its workers, capped at the largest).
    pub size: Size,
    /// True when the workers are bigger than the largest Fargate task.
    pub capped: bool,
    /// What Glue billed for the window's runs.
    pub glue_usd: Decimal,
    /// Glue per average month.
    pub glue_per_month: Decimal,
    /// Fargate on-demand (x86) per average month.
    pub fargate_per_month: Decimal,
    /// Fargate Spot per average month, where the book has Spot rates.
    pub spot_per_month: Option<Decimal>,
    /// Fargate on ARM (on-demand) per average month, where the book has ARM rates.
    pub arm_per_month: Option<Decimal>,
}

impl GlueMigration {
    /// Glue per month − Fargate on-demand per month (negative when Glue is cheaper).
    pub fn saving_per_month(&self) -> Decimal {
        self.glue_per_month - self.fargate_per_month
    }
}

/// The estimate for every Glue job among `runs` (runs of other backends are ignored).
/// `window_days` is the span the runs were taken from (`--since`), so the runs' sums × average
/// month / window are the monthly figures. Each run is priced on Fargate at its own recorded
/// size for its ExecutionTime × `speedup` (Glue F× faster: Fargate takes F× as long).
pub fn estimate(
    book: &PriceBook,
    runs: &[Run],
    window_days: Decimal,
    speedup: Decimal,
) -> Result<Vec<GlueMigration>> {
    if window_days <= Decimal::ZERO || speedup <= Decimal::ZERO {
        return Err(Error::invalid(
            "glue_speedup",
            "the window and the speedup must be above 0",
        ));
    }
    let mut by_job: BTreeMap<&str, Vec<&Run>> = BTreeMap::new();
    for run in runs.iter().filter(|r| r.backend == Backend::Glue) {
        by_job.entry(run.job.as_str()).or_default().push(run);
    }
    let month = AVERAGE_MONTH_DAYS / window_days;
    by_job
        .into_values()
        .map(|job_runs| job_estimate(book, &job_runs, month, speedup))
        .collect()
}

/// Sums over one job's runs, each at its own recorded size and region.
fn job_estimate(
    book: &PriceBook,
    runs: &[&Run],
    month: Decimal,
    speedup: Decimal,
) -> Result<GlueMigration> {
    let latest = runs
        .iter()
        .max_by_key(|r| r.started_at)
        .ok_or_else(|| Error::invalid("runs", "a Glue job without runs"))?;
    let (mut glue, mut on_demand) = (Vec::new(), Vec::new());
    let (mut spot, mut arm) = (Some(Vec::new()), Some(Vec::new()));
    for run in runs {
        let task = run.task().ok_or_else(|| {
            Error::invalid("run record", format!("run {}: not a Fargate size", run.id))
        })?;
        let prices = book.region(&run.region)?;
        let seconds = run
            .glue
            .as_ref()
            .map_or(run.duration_ms / 1000, |g| g.execution_time_s);
        let wall = fargate_time(seconds, speedup)?;
        glue.push(run.usd);
        on_demand.push(price::task(&run.region, prices, &task, wall)?.total_usd);
        let priced = |t| price::task(&run.region, prices, &t, wall).ok();
        let spot_cost = priced(task.with_capacity(Capacity::Spot));
        let arm_cost = priced(task.with_arch(Arch::Arm64));
        // One run without a rate leaves the column empty rather than short.
        spot = spot.zip(spot_cost).map(|(mut v, c)| {
            v.push(c.total_usd);
            v
        });
        arm = arm.zip(arm_cost).map(|(mut v, c)| {
            v.push(c.total_usd);
            v
        });
    }
    let per_month = |parts: &[Decimal]| -> Result<Decimal> {
        checked_product(checked_sum(parts, "usd")?, month, "usd")
    };
    let glue_usd = checked_sum(&glue, "usd")?;
    let info = latest.glue.as_ref();
    Ok(GlueMigration {
        job: latest.job.clone(),
        region: latest.region.clone(),
        runs: runs.len(),
        glue_config: info.map_or_else(String::new, |g| {
            let shape = match g.worker_type.as_str() {
                "pythonshell" => format!("Python shell {} DPU", g.dpu.normalize()),
                worker => format!("{} × {worker}", g.workers),
            };
            format!("{shape}, Glue {}, {}", g.version, g.execution_class)
        }),
        glue_vcpu: info.map_or(Decimal::ZERO, |g| g.vcpu),
        glue_memory_gb: info.map_or(Decimal::ZERO, |g| g.memory_gb),
        size: latest.task().map(|t| t.size).unwrap_or_else(Size::largest),
        capped: info.is_some_and(|g| g.vcpu > latest.vcpu() || g.memory_gb > latest.memory_gib()),
        glue_usd,
        glue_per_month: checked_product(glue_usd, month, "usd")?,
        fargate_per_month: per_month(&on_demand)?,
        spot_per_month: spot.map(|v| per_month(&v)).transpose()?,
        arm_per_month: arm.map(|v| per_month(&v)).transpose()?,
    })
}

/// The Fargate run time of a Glue run of `seconds` when Glue is `speedup`× faster.
fn fargate_time(seconds: u64, speedup: Decimal) -> Result<Duration> {
    let millis = checked_product(Decimal::from(seconds), speedup, "glue_speedup")?
        .checked_mul(Decimal::ONE_THOUSAND)
        .and_then(|ms| ms.ceil().to_u64())
        .ok_or_else(|| Error::invalid("glue_speedup", "the Fargate run time is too long"))?;
    Ok(Duration::from_millis(millis))
}

/// The sentence every estimate carries about speed.
pub fn speed_assumption(speedup: Decimal) -> String {
    let base = "Spark on one Fargate task may run at another speed than on Glue's workers";
    if speedup == Decimal::ONE {
        format!("{base}: assumes the same run time (use --glue-speedup F if Glue is F× faster).")
    } else {
        format!(
            "{base}: assumes Fargate takes the Glue run time × {} (--glue-speedup).",
            speedup.normalize()
        )
    }
}
