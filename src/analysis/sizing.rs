//! Right-sizing: from a job's recorded runs, the cheapest valid Fargate size that does not
//! run out of memory and meets the job's deadline — explained like AWS Compute Optimizer
//! (finding, reasons, risk), with a runtime model T(v) = a + b/v where runs at several CPU
//! sizes exist. Pure functions of runs and prices; polars does the aggregation.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use polars::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use crate::analysis::one_size::OneSize;
use crate::analysis::peaks::{self, Peak};
use crate::error::{Error, Result};
use crate::model::job::Job;
use crate::model::run::{Run, StopReason};
use crate::model::size::{Arch, Capacity, Os, Size, UNITS_PER_VCPU};
use crate::model::task::FargateTask;
use crate::pricing::book::RegionPrices;
use crate::pricing::price;

/// CPU use at or above this share of the allocation means the job was CPU-bound.
pub const SATURATION: f64 = 0.9;
/// Headroom added to the CPU a job was seen to use before sizing CPU down.
pub const CPU_HEADROOM: f64 = 0.2;
/// An OOM-killed run lifts the memory floor to at least this multiple of its limit.
pub const OOM_FACTOR: f64 = 1.25;
/// Headroom over the highest peak when a single run cannot be fitted.
pub const FALLBACK_HEADROOM: f64 = 0.2;

/// Which CPU statistic of each run sizes CPU (`--cpu-percentile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CpuPercentile {
    /// Median.
    P50,
    /// 95th percentile (default).
    P95,
    /// 99th percentile.
    P99,
    /// Maximum.
    Max,
}

impl CpuPercentile {
    /// Parse "p95", "95", "max".
    pub fn parse(text: &str) -> Result<CpuPercentile> {
        match text.trim().to_ascii_lowercase().trim_start_matches('p') {
            "50" => Ok(CpuPercentile::P50),
            "95" => Ok(CpuPercentile::P95),
            "99" => Ok(CpuPercentile::P99),
            "max" | "100" => Ok(CpuPercentile::Max),
            _ => Err(Error::invalid(
                "--cpu-percentile",
                format!("`{text}` is not valid; use p50, p95, p99 or max"),
            )),
        }
    }

    fn of(self, run: &Run) -> f64 {
        match self {
            CpuPercentile::P50 => run.cpu.p50,
            CpuPercentile::P95 => run.cpu.p95,
            CpuPercentile::P99 => run.cpu.p99,
            CpuPercentile::Max => run.cpu.max,
        }
    }
}

impl fmt::Display for CpuPercentile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CpuPercentile::P50 => "p50",
            CpuPercentile::P95 => "p95",
            CpuPercentile::P99 => "p99",
            CpuPercentile::Max => "max",
        })
    }
}

/// How to trade cost against run time when a runtime model exists (`--strategy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// Cheapest (default).
    #[default]
    Cost,
    /// Fastest predicted run time (cheaper on ties).
    Speed,
    /// Smallest cost/cheapest + time/fastest.
    Balanced,
}

/// Compute Optimizer-style finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// A cheaper size does the job.
    OverProvisioned,
    /// The job needs more than it has.
    UnderProvisioned,
    /// The current size is the recommendation.
    Optimized,
    /// No valid size removes the risk (e.g. bigger than the largest task).
    AtRisk,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Finding::OverProvisioned => "over-provisioned",
            Finding::UnderProvisioned => "under-provisioned",
            Finding::Optimized => "optimized",
            Finding::AtRisk => "at risk",
        })
    }
}

/// Performance risk of running at the recommended size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    /// Comfortable margins.
    Low,
    /// Thin margins or little evidence.
    Medium,
    /// Out-of-memory or deadline trouble likely.
    High,
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
        })
    }
}

/// Why, as stable codes (Compute Optimizer style).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Reason {
    /// Memory limit well above the peak plus headroom.
    MemoryOverprovisioned,
    /// Peak plus headroom, or an OOM history, needs more memory.
    MemoryUnderprovisioned,
    /// CPU never used as much as allocated.
    CPUOverprovisioned,
    /// More CPU needed (deadline, runtime model).
    CPUUnderprovisioned,
    /// The job uses all the CPU it gets.
    CPUBound,
    /// Runs were killed by the memory limit.
    OOMHistory,
    /// The (predicted) run time is over the deadline.
    DeadlineAtRisk,
    /// A fitted runtime model chose the CPU.
    RuntimeModel,
    /// CPU-bound, but no model: CPU left unchanged.
    NoRuntimeModel,
    /// Fewer runs than --min-runs (forced).
    FewRuns,
    /// Even the largest Fargate task is too small.
    ExceedsLargestSize,
    /// Peaks grow over the window; memory is sized for the next month's.
    MemoryGrowth,
    /// A runtime model from one size's CPU trace chose the CPU.
    OneSizeModel,
}

impl Reason {
    /// The code as written in outputs.
    pub fn code(self) -> &'static str {
        match self {
            Reason::MemoryOverprovisioned => "MemoryOverprovisioned",
            Reason::MemoryUnderprovisioned => "MemoryUnderprovisioned",
            Reason::CPUOverprovisioned => "CPUOverprovisioned",
            Reason::CPUUnderprovisioned => "CPUUnderprovisioned",
            Reason::CPUBound => "CPUBound",
            Reason::OOMHistory => "OOMHistory",
            Reason::DeadlineAtRisk => "DeadlineAtRisk",
            Reason::RuntimeModel => "RuntimeModel",
            Reason::NoRuntimeModel => "NoRuntimeModel",
            Reason::FewRuns => "FewRuns",
            Reason::ExceedsLargestSize => "ExceedsLargestSize",
            Reason::MemoryGrowth => "MemoryGrowth",
            Reason::OneSizeModel => "OneSizeModel",
        }
    }
}

/// How the memory target is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MemoryRule {
    /// The upper prediction bound of the next run's peak at this risk per run
    /// (`--oom-risk`, analysis::peaks).
    Risk(f64),
    /// The highest peak × (1 + headroom) (`--memory-headroom`).
    Headroom(f64),
}

impl Default for MemoryRule {
    fn default() -> MemoryRule {
        MemoryRule::Risk(peaks::DEFAULT_OOM_RISK)
    }
}

/// Knobs of the engine (CLI flags).
#[derive(Debug, Clone)]
pub struct Options {
    /// Only runs started after `now - since`.
    pub since: Duration,
    /// "Now" (injected for tests).
    pub now: DateTime<Utc>,
    /// Refuse with fewer usable runs...
    pub min_runs: usize,
    /// ...unless forced.
    pub force: bool,
    /// How the memory target is set.
    pub memory: MemoryRule,
    /// CPU statistic used.
    pub cpu_percentile: CpuPercentile,
    /// Trade-off with a model.
    pub strategy: Strategy,
    /// Latest acceptable run time.
    pub deadline: Option<Duration>,
}

/// The job being sized and how it is billed.
#[derive(Debug, Clone)]
pub struct JobContext {
    /// Job name.
    pub name: String,
    /// Current size.
    pub current: Size,
    /// OS.
    pub os: Os,
    /// Architecture.
    pub arch: Arch,
    /// Capacity.
    pub capacity: Capacity,
    /// Region code.
    pub region: String,
    /// Ephemeral storage GiB.
    pub ephemeral_storage_gib: u32,
    /// Launched with a public IPv4 address (priced with every size).
    pub public_ip: bool,
    /// An estimated image pull billed before each run (runs measured locally pull nothing).
    pub pull_estimate: Option<Duration>,
    /// Runs per month.
    pub runs_per_month: Decimal,
}

impl JobContext {
    /// The context of a configured job at its current size, priced in `region`.
    pub fn for_job(job: &Job, current: Size, region: &str, runs_per_month: Decimal) -> JobContext {
        JobContext {
            name: job.name.clone(),
            current,
            os: job.os,
            arch: job.arch,
            capacity: job.capacity,
            region: region.to_string(),
            ephemeral_storage_gib: job.ephemeral_storage_gib,
            public_ip: job.public_ip(),
            pull_estimate: job
                .ecs
                .as_ref()
                .and_then(|e| e.image_size_mb)
                .map(crate::analysis::workload::estimated_pull),
            runs_per_month,
        }
    }
}

/// Run time against vCPU: T(v) = a + b / v (fixed part + perfectly parallel part), fitted by
/// least squares on trimmed-mean durations per size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuntimeModel {
    /// Seconds that do not shrink with CPU.
    pub a: f64,
    /// Seconds × vCPU that do.
    pub b: f64,
    /// Coefficient of determination over the fitted points.
    pub r2: f64,
    /// (vCPU, trimmed-mean seconds, runs) per size.
    pub points: Vec<(f64, f64, usize)>,
    /// Set when the model comes from one size's CPU trace (analysis::one_size), not from
    /// runs at several sizes.
    pub one_size: Option<OneSize>,
}

impl RuntimeModel {
    /// Fit from (vCPU, seconds) points; needs two distinct vCPU values.
    pub fn fit(points: Vec<(f64, f64, usize)>) -> Option<RuntimeModel> {
        let distinct = {
            let mut v: Vec<f64> = points.iter().map(|p| p.0).collect();
            v.sort_by(f64::total_cmp);
            v.dedup();
            v.len()
        };
        if distinct < 2 {
            return None;
        }
        let n = points.len() as f64;
        let xs: Vec<f64> = points.iter().map(|p| 1.0 / p.0).collect();
        let ys: Vec<f64> = points.iter().map(|p| p.1).collect();
        let mean_x = xs.iter().sum::<f64>() / n;
        let mean_y = ys.iter().sum::<f64>() / n;
        let sxx: f64 = xs.iter().map(|x| (x - mean_x).powi(2)).sum();
        let sxy: f64 = xs
            .iter()
            .zip(&ys)
            .map(|(x, y)| (x - mean_x) * (y - mean_y))
            .sum();
        let b = (sxy / sxx).max(0.0); // more CPU never makes a job slower
        let a = (mean_y - b * mean_x).max(0.0);
        let ss_tot: f64 = ys.iter().map(|y| (y - mean_y).powi(2)).sum();
        let ss_res: f64 = xs
            .iter()
            .zip(&ys)
            .map(|(x, y)| (y - (a + b * x)).powi(2))
            .sum();
        let r2 = if ss_tot > 0.0 {
            1.0 - ss_res / ss_tot
        } else {
            1.0
        };
        Some(RuntimeModel {
            a,
            b,
            r2,
            points,
            one_size: None,
        })
    }

    /// Predicted seconds at `vcpu`.
    pub fn predict(&self, vcpu: f64) -> f64 {
        self.a + self.b / vcpu
    }
}

/// One size the model priced (for the chart and the explanation).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// Size.
    pub size: Size,
    /// Predicted run time, seconds.
    pub seconds: f64,
    /// Cost per run at that time.
    pub usd_per_run: Decimal,
    /// Predicted time within the deadline (true without one).
    pub meets_deadline: bool,
}

/// The engine's answer for one job.
#[derive(Debug, Clone)]
pub struct Recommendation {
    /// Job.
    pub job: String,
    /// Finding.
    pub finding: Finding,
    /// Risk at the recommended size.
    pub risk: Risk,
    /// Reason codes, sorted.
    pub reasons: Vec<Reason>,
    /// Usable (completed) runs it is based on.
    pub runs: usize,
    /// Days those runs span (at least 1).
    pub days: u64,
    /// Current size.
    pub current: Size,
    /// Recommended size.
    pub recommended: Size,
    /// Run time assumed at the current size.
    pub current_seconds: f64,
    /// Run time expected at the recommended size.
    pub recommended_seconds: f64,
    /// Per run, current.
    pub current_usd_per_run: Decimal,
    /// Per run, recommended.
    pub recommended_usd_per_run: Decimal,
    /// Per month, current.
    pub current_usd_per_month: Decimal,
    /// Per month, recommended.
    pub recommended_usd_per_month: Decimal,
    /// The fitted model, if any.
    pub model: Option<RuntimeModel>,
    /// Sizes priced by the model.
    pub candidates: Vec<Candidate>,
    /// Deadline applied.
    pub deadline: Option<Duration>,
    /// Sentences explaining each number.
    pub explanation: Vec<String>,
}

impl Recommendation {
    /// Monthly saving (negative when the recommendation costs more).
    pub fn savings_per_month(&self) -> Decimal {
        self.current_usd_per_month - self.recommended_usd_per_month
    }
}

/// Column names of the runs frame the engine aggregates.
mod columns {
    pub(super) const ID: &str = "id";
    pub(super) const CPU_UNITS: &str = "cpu_units";
    pub(super) const PEAK: &str = "memory_peak_mib";
    pub(super) const CPU_USE: &str = "cpu_use_vcpu";
    pub(super) const SATURATION: &str = "cpu_saturation";
    pub(super) const SECONDS: &str = "duration_s";
}

fn polars_error(e: PolarsError) -> Error {
    Error::Runner(format!("aggregating runs: {e}"))
}

/// Completed runs as a frame with declared columns.
fn runs_frame(runs: &[&Run], percentile: CpuPercentile) -> PolarsResult<DataFrame> {
    let vcpu = |r: &Run| f64::from(r.cpu_units) / f64::from(UNITS_PER_VCPU);
    DataFrame::new_infer_height(vec![
        Column::new(
            columns::ID.into(),
            runs.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            columns::CPU_UNITS.into(),
            runs.iter().map(|r| r.cpu_units).collect::<Vec<_>>(),
        ),
        Column::new(
            columns::PEAK.into(),
            runs.iter().map(|r| r.memory.peak_mib).collect::<Vec<_>>(),
        ),
        Column::new(
            columns::CPU_USE.into(),
            runs.iter().map(|r| percentile.of(r)).collect::<Vec<_>>(),
        ),
        Column::new(
            columns::SATURATION.into(),
            runs.iter()
                .map(|r| percentile.of(r) / vcpu(r))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            columns::SECONDS.into(),
            runs.iter()
                .map(|r| r.duration_ms as f64 / 1000.0)
                .collect::<Vec<_>>(),
        ),
    ])
}

/// Per CPU size: (vCPU, trimmed mean seconds, runs, max saturation, max CPU use).
type SizeStats = Vec<(f64, f64, usize, f64, f64)>;

fn per_size(frame: &DataFrame) -> PolarsResult<SizeStats> {
    let grouped = frame
        .clone()
        .lazy()
        .group_by([col(columns::CPU_UNITS)])
        .agg([
            col(columns::SECONDS)
                .sort(SortOptions::default())
                .alias("seconds"),
            col(columns::SATURATION).max().alias("saturation"),
            col(columns::CPU_USE).max().alias("use"),
        ])
        .sort([columns::CPU_UNITS], SortMultipleOptions::default())
        .collect()?;
    let units = grouped.column(columns::CPU_UNITS)?.u32()?.clone();
    let seconds = grouped.column("seconds")?.list()?.clone();
    let saturation = grouped.column("saturation")?.f64()?.clone();
    let usage = grouped.column("use")?.f64()?.clone();
    let mut out = Vec::new();
    for i in 0..grouped.height() {
        let durations: Vec<f64> = seconds
            .get_as_series(i)
            .and_then(|s| s.f64().ok().map(|c| c.into_no_null_iter().collect()))
            .unwrap_or_default();
        out.push((
            f64::from(units.get(i).unwrap_or(0)) / f64::from(UNITS_PER_VCPU),
            trimmed_mean(&durations),
            durations.len(),
            saturation.get(i).unwrap_or(0.0),
            usage.get(i).unwrap_or(0.0),
        ));
    }
    Ok(out)
}

/// Mean of sorted values without the lowest and highest when there are three or more
/// (one slow outlier among repeats should not move the model).
pub fn trimmed_mean(sorted: &[f64]) -> f64 {
    let kept = if sorted.len() >= 3 {
        &sorted[1..sorted.len() - 1]
    } else {
        sorted
    };
    if kept.is_empty() {
        0.0
    } else {
        kept.iter().sum::<f64>() / kept.len() as f64
    }
}

fn mib_text(mib: f64) -> String {
    format!("{mib:.0} MiB")
}

/// Price one run of `seconds` at `size` for the job.
fn price(ctx: &JobContext, prices: &RegionPrices, size: Size, seconds: f64) -> Result<Decimal> {
    let task = FargateTask {
        size,
        os: ctx.os,
        arch: ctx.arch,
        capacity: ctx.capacity,
        ephemeral_storage_gib: ctx.ephemeral_storage_gib,
        public_ip: ctx.public_ip,
    };
    let pull = ctx.pull_estimate.unwrap_or_default();
    let duration = Duration::from_secs_f64(seconds.max(0.001)).saturating_add(pull);
    Ok(price::task(&ctx.region, prices, &task, duration)?.total_usd)
}

/// CPU levels (units) of the Fargate table for an OS.
fn cpu_levels(os: Os) -> Vec<u32> {
    let mut levels: Vec<u32> = Size::all(os).iter().map(|s| s.cpu_units()).collect();
    levels.dedup();
    levels
}

/// Recommend a size for one job from its runs.
pub fn recommend(
    runs: &[Run],
    ctx: &JobContext,
    options: &Options,
    prices: &RegionPrices,
) -> Result<Recommendation> {
    let window = Window::select(runs, ctx, options)?;
    let mut notes = Notes::default();
    if window.usable.len() < options.min_runs {
        notes.reasons.push(Reason::FewRuns);
    }
    if window.unmeasured > 0 {
        notes.explanation.push(format!(
            "runs: {} completed run(s) without CPU or memory measurements (no Container Insights per-task metrics) left out",
            window.unmeasured
        ));
    }
    let frame = runs_frame(&window.usable, options.cpu_percentile).map_err(polars_error)?;
    let sizes = per_size(&frame).map_err(polars_error)?;
    let (peak, memory_mib) = memory_target(&frame, &window, options, &mut notes)?;

    let current_vcpu = ctx.current.vcpu().to_f64().unwrap_or(1.0);
    let at_current = sizes.iter().find(|s| (s.0 - current_vcpu).abs() < 1e-9);
    // Runs all at one size other than the configured one still describe the job.
    let measured = at_current.or(if sizes.len() == 1 {
        sizes.first()
    } else {
        None
    });
    let points: Vec<(f64, f64, usize)> = sizes.iter().map(|s| (s.0, s.1, s.2)).collect();
    let model = RuntimeModel::fit(points).or_else(|| one_size_model(&window, measured, options));
    // Without runs at the current size, its time is the model's (else the nearest guess).
    let current_seconds = match (at_current, &model) {
        (Some(s), _) => s.1,
        (None, Some(model)) => model.predict(current_vcpu),
        (None, None) => sizes.last().map_or(0.0, |s| s.1),
    };
    let (size, recommended_seconds, candidates) = match &model {
        Some(model) => size_from_model(model, ctx, memory_mib, options, prices, &mut notes)?,
        None => {
            let size = size_without_model(&sizes, ctx, memory_mib, options, &mut notes);
            // Without a model, a job that was not CPU-bound is assumed to take as long.
            (size, current_seconds, Vec::new())
        }
    };
    let outcome = Outcome {
        size,
        memory_mib,
        seconds: recommended_seconds,
        peak,
    };
    add_reasons(&outcome, ctx, options.deadline, &mut notes);
    let current_usd_per_run = price(ctx, prices, ctx.current, current_seconds)?;
    let recommended_usd_per_run = price(ctx, prices, size, recommended_seconds)?;
    let (finding, risk) = finding_and_risk(&outcome, ctx, &window, model.as_ref(), &notes);
    notes.explanation.push(format!(
        "size: cheapest valid Fargate {} size with ≥ {} and the CPU above: {size} (peak uses {:.0}% of it)",
        ctx.os,
        mib_text(f64::from(memory_mib)),
        peak / f64::from(size.memory_mib()) * 100.0
    ));
    Ok(Recommendation {
        job: ctx.name.clone(),
        finding,
        risk,
        reasons: notes.reasons,
        runs: window.usable.len(),
        days: window.days,
        current: ctx.current,
        recommended: size,
        current_seconds,
        recommended_seconds,
        current_usd_per_month: current_usd_per_run * ctx.runs_per_month,
        recommended_usd_per_month: recommended_usd_per_run * ctx.runs_per_month,
        current_usd_per_run,
        recommended_usd_per_run,
        model,
        candidates,
        deadline: options.deadline,
        explanation: notes.explanation,
    })
}

/// Reason codes and the sentences that explain the numbers, gathered step by step.
#[derive(Default)]
struct Notes {
    reasons: Vec<Reason>,
    explanation: Vec<String>,
}

/// The runs a recommendation reads: completed runs in the window, and OOM-killed ones.
struct Window<'a> {
    usable: Vec<&'a Run>,
    ooms: Vec<&'a Run>,
    days: u64,
    /// Completed runs left out for having no measurements.
    unmeasured: usize,
}

impl<'a> Window<'a> {
    fn select(runs: &'a [Run], ctx: &JobContext, options: &Options) -> Result<Window<'a>> {
        let since = options.now
            - chrono::Duration::from_std(options.since).unwrap_or(chrono::Duration::MAX);
        let window: Vec<&Run> = runs
            .iter()
            .filter(|r| r.job == ctx.name && r.started_at >= since)
            .collect();
        let with = |reason: StopReason| -> Vec<&Run> {
            window
                .iter()
                .copied()
                .filter(|r| r.stop_reason == reason)
                .collect()
        };
        let (completed, ooms) = (with(StopReason::Completed), with(StopReason::Oom));
        // A run recorded without samples (an ECS task without Container Insights) says
        // nothing about what the job uses: its zeros would size the job to nothing.
        let (usable, unmeasured): (Vec<&Run>, Vec<&Run>) = completed
            .into_iter()
            .partition(|r| r.samples > 0 || r.memory.peak_mib > 0.0);
        if usable.is_empty() && !unmeasured.is_empty() {
            return Err(Error::Unmeasured {
                job: ctx.name.clone(),
                count: unmeasured.len(),
            });
        }
        if usable.len() < options.min_runs && !options.force || usable.is_empty() {
            return Err(Error::NotEnoughRuns {
                job: ctx.name.clone(),
                found: usable.len(),
                needed: options.min_runs,
                days: options.since.as_secs().div_ceil(86_400),
            });
        }
        let first = usable
            .iter()
            .map(|r| r.started_at)
            .min()
            .unwrap_or(options.now);
        let days = ((options.now - first).num_seconds().max(0) as u64)
            .div_ceil(86_400)
            .max(1);
        Ok(Window {
            usable,
            ooms,
            days,
            unmeasured: unmeasured.len(),
        })
    }
}

/// Memory: never below the highest peak; the risk bound of the next run's peak (or the
/// peak × (1 + headroom)); above any OOM kill. Returns the highest peak and the memory
/// target in MiB.
fn memory_target(
    frame: &DataFrame,
    window: &Window<'_>,
    options: &Options,
    notes: &mut Notes,
) -> Result<(f64, u32)> {
    // The run with the highest peak (polars arg_max over the peak column).
    let peak_row = frame
        .column(columns::PEAK)
        .and_then(|c| c.f64().cloned())
        .map_err(polars_error)?;
    let (peak_index, peak) = peak_row
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .fold(
            (0, 0.0),
            |best, (i, v)| if v > best.1 { (i, v) } else { best },
        );
    let peak_run = window.usable.get(peak_index).map_or("", |r| r.id.as_str());
    let mut target = match options.memory {
        MemoryRule::Risk(risk) => risk_target(window, risk, peak, notes),
        MemoryRule::Headroom(_) => None,
    }
    .unwrap_or_else(|| {
        let headroom = match options.memory {
            MemoryRule::Headroom(h) => h,
            MemoryRule::Risk(_) => FALLBACK_HEADROOM,
        };
        let target = peak * (1.0 + headroom);
        notes.explanation.push(format!(
            "memory: highest peak {} (run {peak_run}) + {:.0}% headroom = {}",
            mib_text(peak),
            headroom * 100.0,
            mib_text(target)
        ));
        target
    });
    if matches!(options.memory, MemoryRule::Headroom(_)) {
        headroom_growth(window, notes);
    }
    if let Some(worst) = window.ooms.iter().max_by_key(|r| r.memory_mib) {
        let floor = f64::from(worst.memory_mib) * OOM_FACTOR;
        notes.reasons.push(Reason::OOMHistory);
        notes.explanation.push(format!(
            "memory: {} run(s) killed at the memory limit, the largest at {} (run {}); floor ×{OOM_FACTOR} = {}",
            window.ooms.len(),
            mib_text(f64::from(worst.memory_mib)),
            worst.id,
            mib_text(floor)
        ));
        target = target.max(floor);
    }
    Ok((peak, target.max(peak).ceil() as u32))
}

/// The usable runs' memory peaks, by day since the first.
fn peaks_of(window: &Window<'_>) -> Option<Vec<Peak>> {
    let first = window.usable.iter().map(|r| r.started_at).min()?;
    let peaks = window.usable.iter().map(|r| Peak {
        day: (r.started_at - first).num_seconds() as f64 / 86_400.0,
        mib: r.memory.peak_mib,
        exact: r.memory.peak_exact,
    });
    Some(peaks.collect())
}

/// Under `--memory-headroom`, a growth trend the fixed rule does not follow is said (the
/// same trend test `--oom-risk` projects).
fn headroom_growth(window: &Window<'_>, notes: &mut Notes) {
    let growth = peaks_of(window)
        .and_then(|peaks| peaks::bound(&peaks, 0.001))
        .and_then(|fit| fit.growth);
    if let Some(growth) = growth {
        notes.reasons.push(Reason::MemoryGrowth);
        notes.explanation.push(format!(
            "memory: peaks grow {:+.1}% per {} days (trend at 95% confidence); --memory-headroom does not project that growth, --oom-risk does",
            growth * 100.0,
            peaks::HORIZON_DAYS
        ));
    }
}

/// The risk bound of the next run's peak, never below the highest peak, with the sentences
/// that name the model; None when the runs cannot be fitted (one run).
fn risk_target(window: &Window<'_>, risk: f64, peak: f64, notes: &mut Notes) -> Option<f64> {
    let peaks = peaks_of(window)?;
    let Some(fit) = peaks::bound(&peaks, risk) else {
        notes.explanation.push(format!(
            "memory: {} run cannot show how much its peak varies; falling back to a fixed headroom",
            peaks.len()
        ));
        return None;
    };
    let label = quantile_label(fit.quantile);
    notes.explanation.push(format!(
        "memory: {label} of the next run's peak from {} runs (log-normal fit: typical {}, spread {:.1}%, runs' own {:.1}%): {}{}",
        fit.runs,
        mib_text(fit.typical_mib),
        fit.spread * 100.0,
        fit.observed_spread * 100.0,
        mib_text(fit.bound_mib),
        if fit.from_highest {
            format!(
                " — the highest peak {} + one spread, as a spike seen once may come again",
                mib_text(peak)
            )
        } else {
            String::new()
        }
    ));
    if let Some(growth) = fit.growth {
        notes.reasons.push(Reason::MemoryGrowth);
        notes.explanation.push(format!(
            "memory: peaks grow {:+.1}% per {} days (trend at 95% confidence); the bound is projected {} days past the last run",
            growth * 100.0,
            peaks::HORIZON_DAYS,
            peaks::HORIZON_DAYS
        ));
    }
    if fit.minute_peaks {
        let floor = match fit.spread_floored {
            true => format!(
                "; the spread is taken as {:.0}% (the runs show less)",
                peaks::MINUTE_PEAK_SPREAD * 100.0
            ),
            false => String::new(),
        };
        notes.explanation.push(format!(
            "memory: ECS peaks are Container Insights' 1-minute maxima and can hide shorter spikes{floor}"
        ));
    }
    Some(fit.bound_mib)
}

/// "p99.9" for 0.999; ten decimals so a tiny risk (0.00001 %) is not shown as "p100".
fn quantile_label(q: f64) -> String {
    let pct = format!("{:.10}", q * 100.0);
    format!("p{}", pct.trim_end_matches('0').trim_end_matches('.'))
}

/// The one-size model of a job that is CPU-bound at its current size, from the share of
/// its samples at the CPU limit (runs recorded before that share existed give none).
fn one_size_model(
    window: &Window<'_>,
    measured: Option<&(f64, f64, usize, f64, f64)>,
    options: &Options,
) -> Option<RuntimeModel> {
    let &(vcpu, seconds, _, saturation, _) = measured?;
    if saturation < SATURATION {
        return None;
    }
    let units = (vcpu * f64::from(UNITS_PER_VCPU)).round() as u32;
    let shares: Vec<f64> = window
        .usable
        .iter()
        .filter(|r| r.cpu_units == units)
        .filter_map(|r| r.cpu.at_limit)
        .filter(|share| (0.0..=1.0).contains(share))
        .collect();
    if shares.is_empty() {
        return None;
    }
    let at_limit = shares.iter().sum::<f64>() / shares.len() as f64;
    let deadline = options.deadline.map(|d| d.as_secs_f64());
    OneSize::model(vcpu, seconds, at_limit, shares.len(), deadline)
}

/// The sentences that name a runtime model and what it rests on.
fn explain_model(model: &RuntimeModel, notes: &mut Notes) {
    match &model.one_size {
        Some(one) => {
            notes.reasons.push(Reason::OneSizeModel);
            notes.explanation.push(format!(
                "cpu: one-size model from the CPU trace of {} run(s) at {} vCPU: {:.0}% of the time at the CPU limit → T(v) = {:.1} s + {:.1} s·vCPU / v (Amdahl split)",
                one.runs,
                one.vcpu,
                one.at_limit * 100.0,
                model.a,
                model.b
            ));
            notes.explanation.push(if one.may_grow {
                format!(
                    "cpu: confidence medium for less CPU (the work at the limit is conserved), low for more (it assumes that work keeps scaling): more CPU only to meet the deadline, at most {} vCPU; `--sweep` measures it instead",
                    one.max_vcpu()
                )
            } else {
                format!(
                    "cpu: confidence medium for less CPU (the work at the limit is conserved); more than the measured {} vCPU is not priced, as the saving it promises rests on the model's least sure part — `--sweep` measures it",
                    one.vcpu
                )
            });
        }
        None => {
            notes.reasons.push(Reason::RuntimeModel);
            notes.explanation.push(format!(
                "cpu: runtime model T(v) = {:.1} s + {:.1} s·vCPU / v (R² = {:.3}) from {} size(s)",
                model.a,
                model.b,
                model.r2,
                model.points.len()
            ));
            let (low, high) = model
                .points
                .iter()
                .map(|p| p.0)
                .fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                });
            notes.explanation.push(format!(
                "cpu: measured between {low} and {high} vCPU; predictions outside that range are extrapolated"
            ));
        }
    }
}

/// With a runtime model: price every CPU level at the memory target and choose by strategy.
fn size_from_model(
    model: &RuntimeModel,
    ctx: &JobContext,
    memory_mib: u32,
    options: &Options,
    prices: &RegionPrices,
    notes: &mut Notes,
) -> Result<(Size, f64, Vec<Candidate>)> {
    explain_model(model, notes);
    let max_vcpu = model.one_size.map_or(f64::INFINITY, |o| o.max_vcpu());
    let mut candidates = Vec::new();
    for units in cpu_levels(ctx.os) {
        if f64::from(units) / f64::from(UNITS_PER_VCPU) > max_vcpu {
            continue; // beyond what one size can say
        }
        let Some(size) = Size::smallest_covering(units, memory_mib, ctx.os) else {
            continue;
        };
        if size.cpu_units() != units {
            continue; // memory needs a bigger CPU level, priced there
        }
        let seconds = model.predict(f64::from(units) / f64::from(UNITS_PER_VCPU));
        candidates.push(Candidate {
            size,
            seconds,
            usd_per_run: price(ctx, prices, size, seconds)?,
            meets_deadline: options.deadline.is_none_or(|d| seconds <= d.as_secs_f64()),
        });
    }
    let (size, seconds) = match choose(&candidates, options.strategy) {
        Some(c) => (c.size, c.seconds),
        None => {
            let largest = candidates.last().map_or(Size::largest(), |c| c.size);
            (
                largest,
                model.predict(largest.vcpu().to_f64().unwrap_or(16.0)),
            )
        }
    };
    Ok((size, seconds, candidates))
}

/// Without a runtime model: trim CPU to the used percentile + headroom, unless the job is
/// CPU-bound (then CPU stays, and a sweep is suggested).
fn size_without_model(
    sizes: &SizeStats,
    ctx: &JobContext,
    memory_mib: u32,
    options: &Options,
    notes: &mut Notes,
) -> Size {
    let mut cpu_units = ctx.current.cpu_units();
    let used = sizes.iter().map(|s| s.4).fold(0.0, f64::max);
    if sizes.iter().any(|s| s.3 >= SATURATION) {
        notes.reasons.push(Reason::CPUBound);
        notes.reasons.push(Reason::NoRuntimeModel);
        notes.explanation.push(format!(
            "cpu: the job uses all the CPU it gets ({} ≥ {:.0}% of its vCPU); CPU is left at {} vCPU — run `tune job {} --sweep 0.5,1,2,4` to size it from a runtime model",
            options.cpu_percentile,
            SATURATION * 100.0,
            ctx.current.vcpu().normalize(),
            ctx.name
        ));
    } else {
        let target = used * (1.0 + CPU_HEADROOM);
        let needed = (target * f64::from(UNITS_PER_VCPU)).ceil() as u32;
        cpu_units = cpu_levels(ctx.os)
            .into_iter()
            .find(|l| *l >= needed)
            .unwrap_or(ctx.current.cpu_units());
        notes.explanation.push(format!(
            "cpu: {} use at most {used:.2} vCPU + {:.0}% headroom = {target:.2} vCPU → {} vCPU",
            options.cpu_percentile,
            CPU_HEADROOM * 100.0,
            Decimal::from(cpu_units) / Decimal::from(UNITS_PER_VCPU)
        ));
    }
    Size::smallest_covering(cpu_units, memory_mib, ctx.os).unwrap_or_else(Size::largest)
}

/// The size chosen and what it rests on.
struct Outcome {
    size: Size,
    memory_mib: u32,
    seconds: f64,
    peak: f64,
}

/// Reason codes comparing the chosen size with the current one, the largest size and the
/// deadline.
fn add_reasons(outcome: &Outcome, ctx: &JobContext, deadline: Option<Duration>, notes: &mut Notes) {
    let (size, memory_mib) = (outcome.size, outcome.memory_mib);
    if Size::smallest_covering(0, memory_mib, ctx.os).is_none() {
        notes.reasons.push(Reason::ExceedsLargestSize);
        notes.explanation.push(format!(
            "memory: {} is more than the largest {} task ({})",
            mib_text(f64::from(memory_mib)),
            ctx.os,
            size
        ));
    }
    if let Some(deadline) = deadline
        && outcome.seconds > deadline.as_secs_f64()
    {
        notes.reasons.push(Reason::DeadlineAtRisk);
        notes.explanation.push(format!(
            "deadline: expected {:.0} s at {size} is over the {} deadline",
            outcome.seconds,
            humantime::format_duration(deadline)
        ));
    }
    let reasons = &mut notes.reasons;
    if size.memory_mib() > ctx.current.memory_mib() {
        reasons.push(Reason::MemoryUnderprovisioned);
    } else if size.memory_mib() < ctx.current.memory_mib() {
        reasons.push(Reason::MemoryOverprovisioned);
    }
    if size.cpu_units() > ctx.current.cpu_units()
        && !cpu_bound_only_by_memory(size, ctx.current, memory_mib, ctx.os)
    {
        reasons.push(Reason::CPUUnderprovisioned);
    } else if size.cpu_units() < ctx.current.cpu_units() {
        reasons.push(Reason::CPUOverprovisioned);
    }
    reasons.sort();
    reasons.dedup();
}

/// The finding (Compute Optimizer's vocabulary) and the risk of the recommendation.
fn finding_and_risk(
    outcome: &Outcome,
    ctx: &JobContext,
    window: &Window<'_>,
    model: Option<&RuntimeModel>,
    notes: &Notes,
) -> (Finding, Risk) {
    let (size, has) = (outcome.size, |r: Reason| notes.reasons.contains(&r));
    let finding = if has(Reason::ExceedsLargestSize)
        || (has(Reason::DeadlineAtRisk) && size == ctx.current)
    {
        Finding::AtRisk
    } else if size == ctx.current {
        Finding::Optimized
    } else if size.memory_mib() > ctx.current.memory_mib()
        || size.cpu_units() > ctx.current.cpu_units()
    {
        Finding::UnderProvisioned
    } else {
        Finding::OverProvisioned
    };
    let headroom_left = outcome.peak / f64::from(size.memory_mib());
    let risk =
        if has(Reason::ExceedsLargestSize) || has(Reason::DeadlineAtRisk) || headroom_left > 0.95 {
            Risk::High
        } else if !window.ooms.is_empty()
            || headroom_left > 0.85
            || has(Reason::FewRuns)
            || has(Reason::NoRuntimeModel)
            || model.is_some_and(|m| m.r2 < 0.8)
            || model
                .is_some_and(|m| m.one_size.is_some() && size.cpu_units() > ctx.current.cpu_units())
        {
            Risk::Medium
        } else {
            Risk::Low
        };
    (finding, risk)
}

/// True when the CPU went up only because the memory needs a bigger CPU level.
fn cpu_bound_only_by_memory(size: Size, current: Size, memory_mib: u32, os: Os) -> bool {
    Size::smallest_covering(current.cpu_units(), memory_mib, os).is_some_and(|s| s == size)
}

/// The candidate a strategy picks among those meeting the deadline.
fn choose(candidates: &[Candidate], strategy: Strategy) -> Option<&Candidate> {
    let meeting: Vec<&Candidate> = candidates.iter().filter(|c| c.meets_deadline).collect();
    let cheapest = meeting.iter().map(|c| c.usd_per_run).min()?;
    let fastest = meeting
        .iter()
        .map(|c| c.seconds)
        .fold(f64::INFINITY, f64::min);
    let score = |c: &Candidate| -> (f64, Decimal) {
        match strategy {
            Strategy::Cost => (0.0, c.usd_per_run),
            Strategy::Speed => (c.seconds, c.usd_per_run),
            Strategy::Balanced => {
                let cost = (c.usd_per_run / cheapest.max(Decimal::new(1, 9)))
                    .to_f64()
                    .unwrap_or(0.0);
                (cost + c.seconds / fastest.max(1e-9), c.usd_per_run)
            }
        }
    };
    meeting.into_iter().min_by(|a, b| {
        let (sa, ca) = score(a);
        let (sb, cb) = score(b);
        sa.total_cmp(&sb).then(ca.cmp(&cb))
    })
}

/// Convert a fraction ("20%", "0.2") for `--memory-headroom`.
pub fn parse_fraction(text: &str) -> Result<f64> {
    let trimmed = text.trim();
    let value = match trimmed.strip_suffix('%') {
        Some(percent) => percent.trim().parse::<f64>().map(|p| p / 100.0),
        None => trimmed.parse::<f64>(),
    };
    value
        .ok()
        .filter(|v| (0.0..=4.0).contains(v))
        .ok_or_else(|| {
            Error::invalid(
                "--memory-headroom",
                format!("`{text}` is not valid; write a share such as 20% or 0.2 (0–400%)"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::run::{CpuStats, Limits, MemoryStats, RUN_SCHEMA_VERSION};
    use crate::pricing::book::PriceBook;
    use chrono::TimeZone;
    use rust_decimal_macros::dec;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap()
    }

    /// Regression: a risk of 0.00001 % was labelled "p100".
    #[test]
    fn quantile_labels_keep_the_digits_of_small_risks() {
        assert_eq!(quantile_label(1.0 - 0.001), "p99.9");
        assert_eq!(quantile_label(1.0 - 0.05), "p95");
        assert_eq!(quantile_label(1.0 - 1e-7), "p99.99999");
    }

    /// A recorded run as the local runner would write it.
    fn run(
        n: u32,
        cpu_units: u32,
        memory_mib: u32,
        peak: f64,
        cpu_p95: f64,
        seconds: f64,
        reason: StopReason,
    ) -> Run {
        let started = now() - chrono::Duration::hours(i64::from(n) + 1);
        Run {
            schema_version: RUN_SCHEMA_VERSION,
            id: format!("run-{n}"),
            job: "job".into(),
            backend: crate::model::run::Backend::Local,
            cpu_units,
            memory_mib,
            arch: Arch::X86_64,
            os: Os::Linux,
            capacity: Capacity::OnDemand,
            region: "us-east-1".into(),
            ephemeral_storage_gib: 20,
            created_at: started,
            pull_started_at: None,
            pull_stopped_at: None,
            started_at: started,
            stopped_at: started + chrono::Duration::milliseconds((seconds * 1000.0) as i64),
            duration_ms: (seconds * 1000.0) as u64,
            billed_seconds: seconds.ceil().max(60.0) as u64,
            exit_code: Some(if reason == StopReason::Oom { 137 } else { 0 }),
            stop_reason: reason,
            stop_detail: String::new(),
            cpu: CpuStats {
                mean: cpu_p95 * 0.9,
                p50: cpu_p95 * 0.9,
                p95: cpu_p95,
                p99: cpu_p95,
                max: cpu_p95,
                at_limit: None,
            },
            memory: MemoryStats {
                peak_mib: peak,
                p95_mib: peak * 0.95,
                peak_exact: true,
            },
            samples: 10,
            sample_interval_ms: 1000,
            limits: Limits {
                enforced: true,
                mechanism: "cgroup v1".into(),
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

    fn ctx(cpu_units: u32, memory_mib: u32) -> JobContext {
        JobContext {
            name: "job".into(),
            current: Size::new(cpu_units, memory_mib, Os::Linux).unwrap(),
            os: Os::Linux,
            arch: Arch::X86_64,
            capacity: Capacity::OnDemand,
            region: "us-east-1".into(),
            ephemeral_storage_gib: 20,
            public_ip: false,
            pull_estimate: None,
            runs_per_month: dec!(30),
        }
    }

    fn options() -> Options {
        Options {
            since: Duration::from_secs(30 * 86_400),
            now: now(),
            min_runs: 3,
            force: false,
            memory: MemoryRule::Headroom(0.2),
            cpu_percentile: CpuPercentile::P95,
            strategy: Strategy::Cost,
            deadline: None,
        }
    }

    fn recommend_for(runs: &[Run], ctx: &JobContext, options: &Options) -> Result<Recommendation> {
        let book = PriceBook::bundled().unwrap();
        recommend(runs, ctx, options, book.region("us-east-1").unwrap())
    }

    /// Peaks growing 2 % a day under --memory-headroom: sized by the fixed rule, and the
    /// trend it does not follow is said.
    #[test]
    fn memory_headroom_says_a_growth_it_does_not_project() {
        let runs: Vec<Run> = (0..10u32)
            .map(|d| {
                let peak = 1000.0 * 1.02f64.powi(d as i32);
                let mut r = run(d, 1024, 4096, peak, 0.5, 600.0, StopReason::Completed);
                r.started_at = now() - chrono::Duration::days(i64::from(20 - 2 * d));
                r
            })
            .collect();
        let rec = recommend_for(&runs, &ctx(1024, 4096), &options()).unwrap();
        assert!(rec.reasons.contains(&Reason::MemoryGrowth), "{rec:?}");
        let said = rec
            .explanation
            .iter()
            .any(|l| l.contains("per 30 days") && l.contains("--memory-headroom does not project"));
        assert!(said, "{:?}", rec.explanation);
        // The fixed rule still sizes it: highest peak 1,195 MiB + 20 %.
        let highest = 1000.0 * 1.02f64.powi(9);
        assert!(rec.explanation.iter().any(|l| l.contains("+ 20% headroom")));
        assert!(f64::from(rec.recommended.memory_mib()) >= highest * 1.2);
    }

    #[test]
    fn over_provisioned_cpu_and_memory_shrink_but_never_below_the_peak() {
        // 4 vCPU / 16 GB, using 0.4 vCPU and 1,500 MiB.
        let runs: Vec<Run> = (0..5)
            .map(|n| {
                run(
                    n,
                    4096,
                    16384,
                    1400.0 + f64::from(n) * 25.0,
                    0.4,
                    600.0,
                    StopReason::Completed,
                )
            })
            .collect();
        let rec = recommend_for(&runs, &ctx(4096, 16384), &options()).unwrap();
        // Memory: 1,500 × 1.2 = 1,800 MiB; CPU 0.4 × 1.2 = 0.48 → 0.5 vCPU; 0.5 vCPU takes
        // 1–4 GB in 1 GB steps → 2 GB.
        assert_eq!(rec.recommended.to_string(), "0.5 vCPU / 2 GB");
        assert!(f64::from(rec.recommended.memory_mib()) >= 1500.0);
        assert_eq!(rec.finding, Finding::OverProvisioned);
        assert!(rec.reasons.contains(&Reason::CPUOverprovisioned));
        assert!(rec.reasons.contains(&Reason::MemoryOverprovisioned));
        // Same 600 s run: 4 × 0.04048 + 16 × 0.004445 = 0.23304/h → 0.03884 per run;
        // 0.5 × 0.04048 + 2 × 0.004445 = 0.02913/h → 0.004855 per run.
        assert_eq!(rec.current_usd_per_run, dec!(0.03884));
        assert_eq!(rec.recommended_usd_per_run, dec!(0.004855));
        // × 30 runs: 1.1652 − 0.14565 = 1.01955 saved a month.
        assert_eq!(rec.savings_per_month(), dec!(1.01955));
        assert_eq!(rec.runs, 5);
    }

    #[test]
    fn the_default_sizes_memory_from_the_risk_and_names_the_model() {
        // Five steady runs at 1,400–1,500 MiB (exact kernel peaks), then the same peaks as
        // ECS 1-minute maxima.
        let mut runs: Vec<Run> = (0..5)
            .map(|n| {
                let peak = 1400.0 + f64::from(n) * 25.0;
                run(n, 4096, 16384, peak, 0.4, 600.0, StopReason::Completed)
            })
            .collect();
        let mut opts = options();
        opts.memory = MemoryRule::default();
        let rec = recommend_for(&runs, &ctx(4096, 16384), &opts).unwrap();
        let peaks: Vec<Peak> = runs
            .iter()
            .map(|r| Peak {
                day: (r.started_at - runs[0].started_at).num_seconds() as f64 / 86_400.0,
                mib: r.memory.peak_mib,
                exact: true,
            })
            .collect();
        let fit = peaks::bound(&peaks, 0.001).unwrap();
        let line = rec
            .explanation
            .iter()
            .find(|l| l.starts_with("memory: p99.9 of the next run's peak from 5 runs"))
            .unwrap_or_else(|| panic!("{:?}", rec.explanation));
        assert!(line.ends_with(&mib_text(fit.bound_mib)), "{line}");
        assert!(f64::from(rec.recommended.memory_mib()) >= fit.bound_mib);
        assert!(fit.bound_mib > 1500.0);
        for r in &mut runs {
            r.memory.peak_exact = false;
        }
        let ecs = recommend_for(&runs, &ctx(4096, 16384), &opts).unwrap();
        assert!(
            ecs.explanation
                .iter()
                .any(|l| l.contains("1-minute maxima")),
            "{:?}",
            ecs.explanation
        );
        // One run cannot be fitted: the fixed headroom, said.
        opts.force = true;
        let one = recommend_for(&runs[..1], &ctx(4096, 16384), &opts).unwrap();
        assert!(
            one.explanation
                .iter()
                .any(|l| l.contains("1 run cannot show")),
            "{:?}",
            one.explanation
        );
    }

    #[test]
    fn a_cpu_bound_job_is_sized_from_its_one_size_trace() {
        // 2 vCPU / 8 GB, 100 s a run, using all its CPU, 80 % of samples at the limit.
        let runs: Vec<Run> = (0..4)
            .map(|n| {
                let mut r = run(n, 2048, 8192, 1000.0, 2.0, 100.0, StopReason::Completed);
                r.cpu.at_limit = Some(0.8);
                r
            })
            .collect();
        let mut opts = options();
        opts.deadline = Some(Duration::from_secs(200));
        let rec = recommend_for(&runs, &ctx(2048, 8192), &opts).unwrap();
        // T(v) = 100 × 0.2 + 100 × 0.8 × 2 / v = 20 + 160 / v: 180 s at 1 vCPU meets the
        // 200 s deadline; 340 s at 0.5 does not. At 1 vCPU / 2 GB a run costs
        // 180 × (0.04048 + 2 × 0.004445) / 3600, less than 100 s at 2 vCPU / 4 GB.
        assert_eq!(rec.recommended.to_string(), "1 vCPU / 2 GB");
        assert!((rec.recommended_seconds - 180.0).abs() < 1e-9);
        assert!(
            rec.reasons.contains(&Reason::OneSizeModel),
            "{:?}",
            rec.reasons
        );
        assert!(!rec.reasons.contains(&Reason::NoRuntimeModel));
        assert!(
            rec.explanation
                .iter()
                .any(|l| l.contains("one-size model from the CPU trace of 4 run(s) at 2 vCPU: 80%")),
            "{:?}",
            rec.explanation
        );
        // Never more than 2× the measured CPU: a tight deadline gets at most 4 vCPU.
        opts.deadline = Some(Duration::from_secs(30));
        let fast = recommend_for(&runs, &ctx(2048, 8192), &opts).unwrap();
        assert!(fast.recommended.cpu_units() <= 4096, "{}", fast.recommended);
        assert!(fast.candidates.iter().all(|c| c.size.cpu_units() <= 4096));
        // Runs without the share (recorded before it existed) keep the old rule.
        let old: Vec<Run> = (0..4)
            .map(|n| run(n, 2048, 8192, 1000.0, 2.0, 100.0, StopReason::Completed))
            .collect();
        let kept = recommend_for(&old, &ctx(2048, 8192), &options()).unwrap();
        assert!(kept.reasons.contains(&Reason::NoRuntimeModel));
    }

    #[test]
    fn the_one_size_model_grows_cpu_only_for_a_deadline_and_reads_runs_at_another_size() {
        // 1 vCPU, always at the limit, 600 s: no deadline to meet, so never more CPU (the
        // model would promise a saving at 2 vCPU that a single-threaded job never gives).
        let at_one: Vec<Run> = (0..4)
            .map(|n| {
                let mut r = run(n, 1024, 2048, 500.0, 1.0, 600.0, StopReason::Completed);
                r.cpu.at_limit = Some(1.0);
                r
            })
            .collect();
        let rec = recommend_for(&at_one, &ctx(1024, 2048), &options()).unwrap();
        assert!(rec.recommended.cpu_units() <= 1024, "{}", rec.recommended);
        assert!(rec.candidates.iter().all(|c| c.size.cpu_units() <= 1024));
        // Runs all at 2 vCPU (80 % at the limit, 100 s) of a job configured at 1 vCPU: the
        // current size's time is the model's, 20 + 160 / 1 = 180 s, not the 2 vCPU runs' 100.
        let at_two: Vec<Run> = (0..4)
            .map(|n| {
                let mut r = run(n, 2048, 4096, 500.0, 2.0, 100.0, StopReason::Completed);
                r.cpu.at_limit = Some(0.8);
                r
            })
            .collect();
        let rec = recommend_for(&at_two, &ctx(1024, 2048), &options()).unwrap();
        assert!(
            (rec.current_seconds - 180.0).abs() < 1e-9,
            "{}",
            rec.current_seconds
        );
        assert!(
            rec.reasons.contains(&Reason::OneSizeModel),
            "{:?}",
            rec.reasons
        );
    }

    #[test]
    fn runs_without_measurements_are_left_out_and_alone_are_refused() {
        let unmeasured = |n| {
            let mut r = run(n, 1024, 2048, 0.0, 0.0, 60.0, StopReason::Completed);
            r.samples = 0;
            r
        };
        let mut runs: Vec<Run> = (0..4)
            .map(|n| run(n, 1024, 2048, 700.0, 0.3, 60.0, StopReason::Completed))
            .collect();
        runs.push(unmeasured(9));
        let rec = recommend_for(&runs, &ctx(1024, 2048), &options()).unwrap();
        assert_eq!(rec.runs, 4);
        assert!(rec.recommended.memory_mib() >= 700, "{}", rec.recommended);
        assert!(
            rec.explanation
                .iter()
                .any(|l| l.contains("1 completed run(s) without CPU or memory")),
            "{:?}",
            rec.explanation
        );
        let only: Vec<Run> = (0..3).map(unmeasured).collect();
        let err = recommend_for(&only, &ctx(1024, 2048), &options()).unwrap_err();
        assert!(
            err.to_string()
                .contains("have no CPU or memory measurements"),
            "{err}"
        );
    }

    #[test]
    fn zero_headroom_still_never_goes_below_the_peak() {
        let runs: Vec<Run> = (0..3)
            .map(|_| run(0, 1024, 8192, 2049.0, 0.3, 60.0, StopReason::Completed))
            .collect();
        let mut opts = options();
        opts.memory = MemoryRule::Headroom(0.0);
        let rec = recommend_for(&runs, &ctx(1024, 8192), &opts).unwrap();
        assert!(rec.recommended.memory_mib() >= 2049, "{}", rec.recommended);
        assert_eq!(rec.recommended.to_string(), "0.5 vCPU / 3 GB");
    }

    #[test]
    fn an_oom_history_raises_memory() {
        let mut runs: Vec<Run> = (0..3)
            .map(|n| run(n, 1024, 2048, 900.0, 0.5, 120.0, StopReason::Completed))
            .collect();
        runs.push(run(9, 1024, 2048, 2048.0, 0.5, 40.0, StopReason::Oom));
        let rec = recommend_for(&runs, &ctx(1024, 2048), &options()).unwrap();
        // Killed at 2,048 MiB → floor 2,048 × 1.25 = 2,560 MiB → 1 vCPU / 3 GB.
        assert!(rec.reasons.contains(&Reason::OOMHistory));
        assert!(rec.recommended.memory_mib() >= 2560, "{}", rec.recommended);
        assert_eq!(rec.finding, Finding::UnderProvisioned);
        assert!(rec.risk >= Risk::Medium);
    }

    #[test]
    fn a_cpu_bound_job_is_not_shrunk_without_a_model() {
        let runs: Vec<Run> = (0..4)
            .map(|n| run(n, 2048, 4096, 1000.0, 1.97, 300.0, StopReason::Completed))
            .collect();
        let rec = recommend_for(&runs, &ctx(2048, 4096), &options()).unwrap();
        assert_eq!(rec.recommended.cpu_units(), 2048);
        assert!(rec.reasons.contains(&Reason::CPUBound));
        assert!(rec.reasons.contains(&Reason::NoRuntimeModel));
    }

    #[test]
    fn never_recommends_an_invalid_size() {
        for peak in [10.0, 511.0, 3000.0, 9000.0, 29000.0, 60000.0, 100000.0] {
            for cpu in [0.05, 0.3, 0.9, 1.7, 3.5, 7.9, 15.0] {
                let runs: Vec<Run> = (0..3)
                    .map(|n| run(n, 16384, 122880, peak, cpu, 100.0, StopReason::Completed))
                    .collect();
                let rec = recommend_for(&runs, &ctx(16384, 122880), &options()).unwrap();
                let size = rec.recommended;
                assert!(
                    Size::new(size.cpu_units(), size.memory_mib(), Os::Linux).is_ok(),
                    "{size}"
                );
                assert!(f64::from(size.memory_mib()) >= peak.min(122880.0));
            }
        }
    }

    #[test]
    fn refuses_with_too_few_runs_unless_forced() {
        let runs = vec![run(0, 1024, 2048, 500.0, 0.5, 60.0, StopReason::Completed)];
        let err = recommend_for(&runs, &ctx(1024, 2048), &options()).unwrap_err();
        assert_eq!(err.exit_code(), 1);
        assert!(
            err.to_string().starts_with(
                "only 1 usable (completed) run(s) of `job` in the last 30 days; need 3"
            )
        );
        let mut opts = options();
        opts.force = true;
        let rec = recommend_for(&runs, &ctx(1024, 2048), &opts).unwrap();
        assert!(rec.reasons.contains(&Reason::FewRuns));
    }

    /// Runs on the curve T(v) = 60 + 1200 / v at 0.5, 1, 2 and 4 vCPU, memory 1 GB peak.
    fn curve_runs() -> Vec<Run> {
        let mut runs = Vec::new();
        for (i, units) in [512u32, 1024, 2048, 4096].into_iter().enumerate() {
            let v = f64::from(units) / 1024.0;
            for k in 0..3 {
                let n = (i * 3 + k) as u32;
                runs.push(run(
                    n,
                    units,
                    8192,
                    1000.0,
                    v * 0.99,
                    60.0 + 1200.0 / v,
                    StopReason::Completed,
                ));
            }
        }
        runs
    }

    /// Hand-written billing for a Linux x86 size in us-east-1 (reference §1.2).
    fn hand_cost(vcpu: f64, gb: f64, seconds: f64) -> f64 {
        (vcpu * 0.04048 + gb * 0.004445) * seconds.ceil().max(60.0) / 3600.0
    }

    #[test]
    fn the_deadline_strategy_picks_the_cheapest_size_meeting_it() {
        let mut opts = options();
        opts.deadline = Some(Duration::from_secs(600));
        let rec = recommend_for(&curve_runs(), &ctx(1024, 8192), &opts).unwrap();
        let model = rec.model.as_ref().expect("model");
        assert!(
            (model.a - 60.0).abs() < 1e-6 && (model.b - 1200.0).abs() < 1e-6,
            "{model:?}"
        );
        assert!(model.r2 > 0.999);
        // Memory: 1,000 × 1.2 = 1,200 MiB. Predicted: 0.5 → 2460 s, 1 → 1260, 2 → 660,
        // 4 → 360, 8 → 210, 16 → 135. Only 4, 8 and 16 vCPU meet 600 s; by hand the
        // cheapest of those is 4 vCPU / 8 GB (its smallest memory):
        let meeting = [(4.0, 8.0), (8.0, 16.0), (16.0, 32.0)];
        let best = meeting
            .iter()
            .map(|(v, gb)| (v, hand_cost(*v, *gb, 60.0 + 1200.0 / v)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap();
        assert_eq!(*best.0, 4.0);
        assert_eq!(rec.recommended.to_string(), "4 vCPU / 8 GB");
        // 4 × 0.04048 + 8 × 0.004445 = 0.19748/h × 360 s = 0.019748
        assert_eq!(rec.recommended_usd_per_run, dec!(0.019748));
        assert!(rec.reasons.contains(&Reason::RuntimeModel));
        // Without a deadline the cost strategy takes the overall cheapest.
        let rec = recommend_for(&curve_runs(), &ctx(1024, 8192), &options()).unwrap();
        let cheapest = rec.candidates.iter().map(|c| c.usd_per_run).min().unwrap();
        assert_eq!(rec.recommended_usd_per_run, cheapest);
        // Speed takes the fastest.
        let mut fast = options();
        fast.strategy = Strategy::Speed;
        let rec = recommend_for(&curve_runs(), &ctx(1024, 8192), &fast).unwrap();
        assert_eq!(rec.recommended.cpu_units(), 16384);
    }

    #[test]
    fn trimmed_mean_drops_the_extremes() {
        assert_eq!(trimmed_mean(&[1.0, 2.0, 3.0, 100.0]), 2.5);
        assert_eq!(trimmed_mean(&[4.0, 6.0]), 5.0);
    }
}
