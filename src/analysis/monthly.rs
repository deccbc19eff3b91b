//! The monthly report: per job, what recorded runs cost in a period (each run at its own
//! size, architecture and capacity), what the same runs would have cost on Spot, on the
//! Glue equivalent and at the recommended size, and the saving.
//!
//! Pure: the `report` command reads each run's [`Usage`] in the period from the run index
//! and the jobs' latest run records from the store; this module only prices and adds. Every
//! amount is the run's recorded cost or comes from the pricing entry points
//! ([`price::task`], [`price::glue`]), is kept as an exact `Decimal` and summed exactly, per
//! job and for the total; rounding is left to the output. A run whose billed window crosses
//! the period's edge counts in proportion to its billed milliseconds inside the period, as
//! AWS bills usage in the hour it falls in.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use rust_decimal::Decimal;

use crate::analysis::comparison::glue_duration;
use crate::analysis::sizing::{self, CpuPercentile, JobContext, MemoryRule, Options, Strategy};
use crate::model::glue::{GlueConfig, GlueVersion};
use crate::model::job::Job;
use crate::model::run::Run;
use crate::model::size::{Capacity, Size};
use crate::model::task::FargateTask;
use crate::model::usage::{
    Period, RECOMMEND_FROM, RECOMMEND_LOOKBACK_DAYS, RunUsage, Shape, Usage,
};
use crate::pricing::book::{PriceBook, RegionPrices};
use crate::pricing::fargate::share_of;
use crate::pricing::savings_plan;
use crate::pricing::{glue, price};

/// One job's figures in the period (or the total), exact: the output rounds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobMonth {
    /// Job, or TOTAL.
    pub job: String,
    /// Runs whose billed window starts in the period.
    pub runs: u64,
    /// Of which did not complete.
    pub failed_runs: u64,
    /// Of which imported Glue runs (their Glue cost was paid; Fargate is the estimate).
    pub glue_runs: u64,
    /// Billed hours in the period.
    pub billed_hours: Decimal,
    /// vCPU-hours.
    pub vcpu_hours: Decimal,
    /// GB-hours.
    pub gb_hours: Decimal,
    /// Fargate cost as run.
    pub fargate_usd: Decimal,
    /// Of which public IPv4 addresses (recorded with each run).
    pub public_ipv4_usd: Decimal,
    /// Of which image pulls: each run's cost × its pull / its billed window (reference
    /// 10.2: billing starts at the pull); 0 for runs without pullStoppedAt (local runs).
    pub pull_usd: Decimal,
    /// The same runs on Spot (None when a run's shape has no Spot price).
    pub fargate_spot_usd: Option<Decimal>,
    /// The same runs on the Glue equivalent.
    pub glue_equivalent_usd: Option<Decimal>,
    /// Recommended size.
    pub recommended: Option<Size>,
    /// The same runs at the recommended size.
    pub recommended_usd: Option<Decimal>,
    /// fargate_usd − recommended_usd, never below 0 nor above the cost.
    pub savings_usd: Option<Decimal>,
}

/// The report of a period: jobs sorted by name, and their total (None when no run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Monthly {
    /// Period label.
    pub label: String,
    /// One entry a job.
    pub jobs: Vec<JobMonth>,
    /// The exact sum of the jobs' exact figures.
    pub total: Option<JobMonth>,
}

/// Recommendations per job from its latest runs (those before the period's end, within
/// the lookback; at most [`RECOMMEND_FROM`] a job).
fn recommendations(
    recent: &[Run],
    period: &Period,
    book: &PriceBook,
    jobs: &[Job],
) -> HashMap<String, Size> {
    let mut by_job: HashMap<&str, Vec<Run>> = HashMap::new();
    // Glue runs have no samples to size from.
    let fargate_runs = recent
        .iter()
        .filter(|r| r.backend != crate::model::run::Backend::Glue);
    for run in fargate_runs.filter(|r| r.started_at < period.to) {
        by_job
            .entry(run.job.as_str())
            .or_default()
            .push(run.clone());
    }
    let mut out = HashMap::new();
    for (job, mut runs) in by_job {
        runs.sort_by_key(|r| std::cmp::Reverse(r.started_at));
        runs.truncate(RECOMMEND_FROM);
        let Some(latest) = runs.first() else {
            continue;
        };
        // The size the job is configured with; else the size it last ran at.
        let configured = jobs.iter().find(|j| j.name == job).and_then(|j| j.size);
        let (Some(current), Ok(prices)) =
            (configured.or(latest.size()), book.region(&latest.region))
        else {
            continue;
        };
        let ctx = JobContext {
            name: job.to_string(),
            current,
            os: latest.os,
            arch: latest.arch,
            capacity: latest.capacity,
            region: latest.region.clone(),
            ephemeral_storage_gib: latest.ephemeral_storage_gib,
            public_ip: latest.public_ip,
            // Recorded windows hold their pulls (ECS) or none was billed (local).
            pull_estimate: None,
            runs_per_month: Decimal::ONE,
        };
        let options = Options {
            // The 30 days before the period's end, or the whole period when it is longer.
            since: (period.to - period.from)
                .to_std()
                .unwrap_or_default()
                .max(Duration::from_secs(RECOMMEND_LOOKBACK_DAYS as u64 * 86_400)),
            now: period.to,
            min_runs: 1,
            force: true,
            memory: MemoryRule::default(),
            cpu_percentile: CpuPercentile::P95,
            strategy: Strategy::Cost,
            deadline: None,
        };
        if let Ok(rec) = sizing::recommend(&runs, &ctx, &options, prices) {
            out.insert(job.to_string(), rec.recommended);
        }
    }
    out
}

/// The milliseconds of an imported Glue run inside the period, on the Fargate estimate's
/// clock: Glue billed its own seconds (a 10-minute minimum on 0.9/1.0), but the hours
/// columns describe the estimate, which runs the ExecutionTime with Fargate's 1-minute
/// minimum — the same seconds its Fargate cost is priced for.
fn glue_estimate_ms(run: &RunUsage) -> u128 {
    if run.billed_seconds == 0 {
        return 0;
    }
    let estimate_s = run.duration_ms.div_ceil(1000).max(60);
    u128::from(run.inside_ms) * u128::from(estimate_s) / u128::from(run.billed_seconds)
}

/// An imported Glue run: what Glue billed is its Glue figure; its Fargate and Spot figures
/// are the same run on its shape (the task covering the Glue workers) for its ExecutionTime.
/// Never right-sized: it has no samples.
fn glue_run(run: &RunUsage, pricer: &mut ShapePricer<'_>, sums: &mut JobSums) {
    let seconds = run.duration_ms.div_ceil(1000);
    let on_demand = pricer.fargate(pricer.on_demand_task, seconds);
    // Without an on-demand rate the Fargate column would be short: Glue's bill stands in,
    // so the job's difference is 0 rather than a false saving.
    sums.fargate += inside(on_demand.unwrap_or(run.usd), run);
    let spot = pricer.spot(seconds);
    sums.spot.add(spot.map(|v| inside(v, run)));
    sums.glue.add(Some(inside(run.usd, run)));
}

/// An amount for a whole run, times the share of its billed window inside the period —
/// an exact fraction of milliseconds, multiplied before dividing.
fn inside(amount: Decimal, run: &RunUsage) -> Decimal {
    let whole_ms = run.billed_seconds.saturating_mul(1000);
    if whole_ms == 0 || run.inside_ms >= whole_ms {
        amount
    } else {
        amount * Decimal::from(run.inside_ms) / Decimal::from(whole_ms)
    }
}

/// Prices the alternatives of one shape's runs through the pricing entry points, memoized
/// by billed seconds (Spot, right-sized) and by wall time (Glue).
struct ShapePricer<'a> {
    region: String,
    prices: Option<&'a RegionPrices>,
    spot_task: Option<FargateTask>,
    on_demand_task: Option<FargateTask>,
    /// The run's own task, when a Savings Plan reprices on-demand runs (runs are recorded at
    /// list prices).
    own_task: Option<FargateTask>,
    recommended_task: Option<FargateTask>,
    glue_config: Option<GlueConfig>,
    speedup: Decimal,
    spot_by_seconds: HashMap<u64, Option<Decimal>>,
    own_by_seconds: HashMap<u64, Option<Decimal>>,
    recommended_by_seconds: HashMap<u64, Option<Decimal>>,
    glue_by_ms: HashMap<u64, Option<Decimal>>,
}

impl<'a> ShapePricer<'a> {
    fn new(
        shape: &Shape,
        book: &'a PriceBook,
        job: Option<&Job>,
        recommended: Option<Size>,
    ) -> ShapePricer<'a> {
        let prices = book.region(&shape.region).ok();
        let task = |size: Size| FargateTask {
            size,
            os: shape.os,
            arch: shape.arch,
            capacity: shape.capacity,
            ephemeral_storage_gib: shape.ephemeral_storage_gib,
            // Alternatives add each run's own recorded address cost (its window is the same).
            public_ip: false,
        };
        let size = Size::new(shape.cpu_units, shape.memory_mib, shape.os).ok();
        let glue_config = match (job.and_then(|j| j.glue.clone()), size, prices) {
            (Some(config), _, _) => Some(config),
            (None, Some(size), Some(prices)) => glue::equivalent_for(
                size,
                job.map(|j| j.engine).unwrap_or_default(),
                GlueVersion::DEFAULT,
                &shape.region,
                prices,
            )
            .ok()
            .map(|e| e.config),
            _ => None,
        };
        ShapePricer {
            region: shape.region.clone(),
            prices,
            spot_task: size.map(|s| task(s).with_capacity(Capacity::Spot)),
            on_demand_task: size.map(|s| task(s).with_capacity(Capacity::OnDemand)),
            own_task: size
                .filter(|_| savings_plan::applied(book) && shape.capacity == Capacity::OnDemand)
                .map(task),
            recommended_task: recommended.map(task),
            glue_config,
            speedup: job.and_then(|j| j.glue_speedup).unwrap_or(Decimal::ONE),
            spot_by_seconds: HashMap::new(),
            own_by_seconds: HashMap::new(),
            recommended_by_seconds: HashMap::new(),
            glue_by_ms: HashMap::new(),
        }
    }

    fn fargate(&self, task: Option<FargateTask>, seconds: u64) -> Option<Decimal> {
        let prices = self.prices?;
        price::task(&self.region, prices, &task?, Duration::from_secs(seconds))
            .ok()
            .map(|c| c.total_usd)
    }

    fn spot(&mut self, seconds: u64) -> Option<Decimal> {
        if let Some(known) = self.spot_by_seconds.get(&seconds) {
            return *known;
        }
        let usd = self.fargate(self.spot_task, seconds);
        *self.spot_by_seconds.entry(seconds).or_insert(usd)
    }

    /// The run as billed: its recorded cost, or under a Savings Plan its own task repriced
    /// for its billed seconds plus its recorded address.
    fn as_run(&mut self, run: &RunUsage) -> Decimal {
        if self.own_task.is_none() {
            return run.usd;
        }
        let seconds = run.billed_seconds;
        let usd = match self.own_by_seconds.get(&seconds) {
            Some(known) => *known,
            None => {
                let usd = self.fargate(self.own_task, seconds);
                *self.own_by_seconds.entry(seconds).or_insert(usd)
            }
        };
        usd.map_or(run.usd, |v| v + run.public_ipv4_usd)
    }

    fn recommended(&mut self, seconds: u64) -> Option<Decimal> {
        if let Some(known) = self.recommended_by_seconds.get(&seconds) {
            return *known;
        }
        let usd = self.fargate(self.recommended_task, seconds);
        *self.recommended_by_seconds.entry(seconds).or_insert(usd)
    }

    fn glue(&mut self, duration_ms: u64) -> Option<Decimal> {
        if let Some(known) = self.glue_by_ms.get(&duration_ms) {
            return *known;
        }
        let usd = match (self.prices, &self.glue_config) {
            (Some(prices), Some(config)) => {
                let duration = glue_duration(Duration::from_millis(duration_ms), self.speedup);
                price::glue(&self.region, prices, config, duration)
                    .ok()
                    .map(|c| c.total_usd)
            }
            _ => None,
        };
        *self.glue_by_ms.entry(duration_ms).or_insert(usd)
    }
}

/// An exact sum that is unknown (None) as soon as one of its terms is.
#[derive(Debug, Clone, Copy, Default)]
struct Partial {
    sum: Decimal,
    missing: bool,
}

impl Partial {
    fn add(&mut self, term: Option<Decimal>) {
        match term {
            Some(v) => self.sum += v,
            None => self.missing = true,
        }
    }

    fn merge(&mut self, other: Partial) {
        self.sum += other.sum;
        self.missing |= other.missing;
    }

    fn value(self) -> Option<Decimal> {
        (!self.missing).then_some(self.sum)
    }
}

/// One job's running sums: counts, milliseconds (× CPU units, × MiB) and exact money.
#[derive(Debug, Clone, Default)]
struct JobSums {
    runs: u64,
    glue_runs: u64,
    failed: u64,
    ms: u128,
    cpu_unit_ms: u128,
    mib_ms: u128,
    fargate: Decimal,
    ipv4: Decimal,
    pull: Decimal,
    spot: Partial,
    glue: Partial,
    recommended: Partial,
}

impl JobSums {
    fn merge(&mut self, other: JobSums) {
        self.runs += other.runs;
        self.glue_runs += other.glue_runs;
        self.failed += other.failed;
        self.ms += other.ms;
        self.cpu_unit_ms += other.cpu_unit_ms;
        self.mib_ms += other.mib_ms;
        self.fargate += other.fargate;
        self.ipv4 += other.ipv4;
        self.pull += other.pull;
        self.spot.merge(other.spot);
        self.glue.merge(other.glue);
        self.recommended.merge(other.recommended);
    }
}

/// Hours of a sum of milliseconds × units, per `per_unit` units (1 for billed hours, 1024
/// CPU units a vCPU, 1024 MiB a GB): `units_ms / (3,600,000 × per_unit)`.
fn hours(units_ms: u128, per_unit: u32) -> Decimal {
    let units = Decimal::try_from_i128_with_scale(units_ms as i128, 0).unwrap_or(Decimal::MAX);
    units / Decimal::from(3_600_000u64 * u64::from(per_unit))
}

/// The report built from the period's runs a batch at a time (an index part each), so
/// memory holds one batch and the sums per shape, never the whole period. Sums are exact,
/// so the batches' order and sizes do not change a figure.
pub struct Builder<'a> {
    book: &'a PriceBook,
    jobs: &'a [Job],
    label: String,
    recommended: HashMap<String, Size>,
    shapes: HashMap<Shape, usize>,
    pricers: Vec<ShapePricer<'a>>,
    by_shape: Vec<(String, JobSums)>,
    runs: usize,
}

impl<'a> Builder<'a> {
    /// A report of `period`, with each job's recommendation from its `recent` runs.
    pub fn new(recent: &[Run], period: &Period, book: &'a PriceBook, jobs: &'a [Job]) -> Self {
        Builder {
            book,
            jobs,
            label: period.label.clone(),
            recommended: recommendations(recent, period, book, jobs),
            shapes: HashMap::new(),
            pricers: Vec::new(),
            by_shape: Vec::new(),
            runs: 0,
        }
    }

    /// Runs added so far.
    pub fn runs(&self) -> usize {
        self.runs
    }

    /// The index of a shape, priced on first sight.
    fn shape(&mut self, shape: &Shape) -> usize {
        if let Some(&i) = self.shapes.get(shape) {
            return i;
        }
        let job = self.jobs.iter().find(|j| j.name == shape.job);
        let recommended = self.recommended.get(&shape.job).copied();
        self.pricers
            .push(ShapePricer::new(shape, self.book, job, recommended));
        self.by_shape.push((shape.job.clone(), JobSums::default()));
        self.shapes.insert(shape.clone(), self.pricers.len() - 1);
        self.pricers.len() - 1
    }

    /// Add a batch of runs.
    pub fn add(&mut self, usage: &Usage) {
        let numbers: Vec<usize> = usage.shapes.iter().map(|s| self.shape(s)).collect();
        self.runs += usage.runs.len();
        for run in &usage.runs {
            let Some(&i) = numbers.get(run.shape) else {
                continue;
            };
            let (Some(shape), Some(pricer), Some((_, sums))) = (
                usage.shapes.get(run.shape),
                self.pricers.get_mut(i),
                self.by_shape.get_mut(i),
            ) else {
                continue;
            };
            add_run(shape, run, pricer, sums);
        }
    }

    /// The report: sums per job (sorted by name) and their total.
    pub fn finish(self) -> Monthly {
        let mut sums: BTreeMap<String, JobSums> = BTreeMap::new();
        for (job, part) in self.by_shape {
            sums.entry(job).or_default().merge(part);
        }
        let jobs: Vec<JobMonth> = sums
            .iter()
            .map(|(job, sums)| job_month(job, sums, self.recommended.get(job).copied()))
            .collect();
        Monthly {
            label: self.label,
            total: total(&jobs),
            jobs,
        }
    }
}

/// One run into its shape's sums.
fn add_run(shape: &Shape, run: &RunUsage, pricer: &mut ShapePricer<'_>, sums: &mut JobSums) {
    sums.runs += u64::from(run.counted);
    sums.failed += u64::from(run.counted && run.failed);
    let ms = match run.glue {
        true => glue_estimate_ms(run),
        false => u128::from(run.inside_ms),
    };
    sums.ms += ms;
    sums.cpu_unit_ms += ms * u128::from(shape.cpu_units);
    sums.mib_ms += ms * u128::from(shape.memory_mib);
    if run.glue {
        sums.glue_runs += u64::from(run.counted);
        glue_run(run, pricer, sums);
        return;
    }
    let as_run = pricer.as_run(run);
    sums.fargate += inside(as_run, run);
    sums.ipv4 += inside(run.public_ipv4_usd, run);
    // Of the compute and storage only: the address is its own part (no double count).
    let pull = share_of(
        as_run - run.public_ipv4_usd,
        run.billed_seconds,
        Duration::from_millis(run.pull_ms),
    );
    sums.pull += inside(pull, run);
    // Spot and right-sized runs keep the run's address for the same billed window.
    let address = |v: Decimal| inside(v + run.public_ipv4_usd, run);
    let spot = pricer.spot(run.billed_seconds);
    sums.spot.add(spot.map(address));
    let glue = pricer.glue(run.duration_ms);
    sums.glue.add(glue.map(|v| inside(v, run)));
    if pricer.recommended_task.is_some() {
        let recommended = pricer.recommended(run.billed_seconds);
        sums.recommended.add(recommended.map(address));
    }
}

fn job_month(job: &str, sums: &JobSums, recommended: Option<Size>) -> JobMonth {
    let recommended_usd = recommended.and(sums.recommended.value());
    JobMonth {
        job: job.to_string(),
        runs: sums.runs,
        failed_runs: sums.failed,
        glue_runs: sums.glue_runs,
        billed_hours: hours(sums.ms, 1),
        vcpu_hours: hours(sums.cpu_unit_ms, 1024),
        gb_hours: hours(sums.mib_ms, 1024),
        fargate_usd: sums.fargate,
        public_ipv4_usd: sums.ipv4,
        pull_usd: sums.pull,
        fargate_spot_usd: sums.spot.value(),
        glue_equivalent_usd: sums.glue.value(),
        recommended,
        recommended_usd,
        savings_usd: recommended_usd
            .map(|r| (sums.fargate - r).max(Decimal::ZERO).min(sums.fargate)),
    }
}

/// The exact sum of the jobs' exact figures (None without jobs).
fn total(jobs: &[JobMonth]) -> Option<JobMonth> {
    if jobs.is_empty() {
        return None;
    }
    let sum = |f: &dyn Fn(&JobMonth) -> Decimal| jobs.iter().map(f).sum::<Decimal>();
    let sum_all = |f: &dyn Fn(&JobMonth) -> Option<Decimal>| jobs.iter().map(f).sum();
    Some(JobMonth {
        job: "TOTAL".into(),
        runs: jobs.iter().map(|j| j.runs).sum(),
        failed_runs: jobs.iter().map(|j| j.failed_runs).sum(),
        glue_runs: jobs.iter().map(|j| j.glue_runs).sum(),
        billed_hours: sum(&|j| j.billed_hours),
        vcpu_hours: sum(&|j| j.vcpu_hours),
        gb_hours: sum(&|j| j.gb_hours),
        fargate_usd: sum(&|j| j.fargate_usd),
        public_ipv4_usd: sum(&|j| j.public_ipv4_usd),
        pull_usd: sum(&|j| j.pull_usd),
        fargate_spot_usd: sum_all(&|j| j.fargate_spot_usd),
        glue_equivalent_usd: sum_all(&|j| j.glue_equivalent_usd),
        recommended: None,
        // Jobs without a recommendation keep their cost: the total saving is the sum of
        // per-job savings, each at most that job's cost.
        recommended_usd: Some(sum(&|j| j.recommended_usd.unwrap_or(j.fargate_usd))),
        savings_usd: Some(sum(&|j| j.savings_usd.unwrap_or_default())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::size::{Arch, Os};
    use rust_decimal_macros::dec;

    /// The report of one batch holding every run.
    fn report(
        usage: &Usage,
        recent: &[Run],
        period: &Period,
        book: &PriceBook,
        jobs: &[Job],
    ) -> Monthly {
        let mut builder = Builder::new(recent, period, book, jobs);
        builder.add(usage);
        builder.finish()
    }

    fn shape(job: &str) -> Shape {
        Shape {
            job: job.into(),
            region: "us-east-1".into(),
            cpu_units: 1024,
            memory_mib: 2048,
            os: Os::Linux,
            arch: Arch::X86_64,
            capacity: Capacity::OnDemand,
            ephemeral_storage_gib: 20,
        }
    }

    fn usage(shape: usize, seconds: u64, inside_s: u64, usd: Decimal) -> RunUsage {
        RunUsage {
            shape,
            inside_ms: inside_s * 1000,
            billed_seconds: seconds,
            duration_ms: seconds * 1000,
            usd,
            public_ipv4_usd: Decimal::ZERO,
            pull_ms: 0,
            counted: true,
            failed: false,
            glue: false,
        }
    }

    /// An imported Glue run on 1 vCPU / 2 GB of ExecutionTime 30 min: Glue billed $1.00
    /// for it (what its DPUs cost, whatever they were).
    #[test]
    fn a_glue_run_reports_its_glue_bill_and_a_fargate_estimate() {
        let mut run = usage(0, 1800, 1800, dec!(1.00));
        run.glue = true;
        let report = november(&Usage {
            shapes: vec![shape("etl")],
            runs: vec![run],
        });
        let job = &report.jobs[0];
        assert_eq!((job.runs, job.glue_runs), (1, 1));
        assert_eq!(job.glue_equivalent_usd, Some(dec!(1.00)));
        // Fargate on-demand 0.5 h × (0.04048 + 2 × 0.004445) = 0.024685.
        assert_eq!(job.fargate_usd, dec!(0.024685));
        assert!(job.fargate_spot_usd.is_some_and(|s| s < dec!(0.024685)));
        assert_eq!(job.recommended, None);
        assert_eq!(report.total.as_ref().map(|t| t.glue_runs), Some(1));
    }

    /// Probe finding: a Glue 0.9 run of 123 s is billed 600 s by Glue, and its hours were
    /// counted on Glue's clock while its Fargate estimate ran 123 s.
    #[test]
    fn a_glue_runs_hours_are_those_of_its_fargate_estimate() {
        let mut run = usage(0, 600, 600, dec!(0.733333));
        run.duration_ms = 123_000;
        run.glue = true;
        let report = november(&Usage {
            shapes: vec![shape("etl")],
            runs: vec![run],
        });
        let job = &report.jobs[0];
        // 123 s on 1 vCPU / 2 GB: 123 / 3600 = 0.0341666… h, 2 × that GB-hours.
        assert_eq!(job.billed_hours, dec!(123) / dec!(3600));
        assert_eq!(job.gb_hours, dec!(246) / dec!(3600));
        // Fargate 123 s × 0.04937 / 3600 = 0.00168679…
        assert_eq!(job.fargate_usd.round_dp(6), dec!(0.001687));
    }

    fn november(usage: &Usage) -> Monthly {
        let book = PriceBook::bundled().unwrap();
        report(usage, &[], &Period::month("2026-11").unwrap(), &book, &[])
    }

    /// Batches (index parts) number their shapes on their own; fed one at a time, in any
    /// split, they give exactly the report of all runs at once.
    #[test]
    fn batches_give_the_report_of_all_runs_at_once() {
        let per_run = dec!(0.04937) * dec!(61) / dec!(3600);
        let all = Usage {
            shapes: vec![shape("a"), shape("b")],
            runs: (0..9)
                .map(|i| usage(i % 2, 61 + i as u64, 30 + i as u64, per_run))
                .collect(),
        };
        let whole = november(&all);
        // The same runs in three batches, "b" first in the second one.
        let batch = |runs: &[RunUsage], flip: bool| Usage {
            shapes: match flip {
                true => vec![shape("b"), shape("a")],
                false => vec![shape("a"), shape("b")],
            },
            runs: runs
                .iter()
                .map(|r| RunUsage {
                    shape: if flip { 1 - r.shape } else { r.shape },
                    ..*r
                })
                .collect(),
        };
        let book = PriceBook::bundled().unwrap();
        let period = Period::month("2026-11").unwrap();
        let mut builder = Builder::new(&[], &period, &book, &[]);
        builder.add(&batch(&all.runs[..2], false));
        builder.add(&batch(&all.runs[2..7], true));
        builder.add(&batch(&all.runs[7..], false));
        assert_eq!(builder.runs(), 9);
        assert_eq!(builder.finish(), whole);
        assert_eq!(whole.jobs.len(), 2);
    }

    #[test]
    fn amounts_are_exact_sums_of_exact_per_run_amounts() {
        // 1 vCPU / 2 GB for 61 s = 0.04937 × 61 / 3,600 (not a whole micro-dollar); 1,000
        // of them and one with 30 of its 61 s in the period: 0.04937 × 61,030 / 3,600.
        let per_run = dec!(0.04937) * dec!(61) / dec!(3600);
        let mut runs = vec![usage(0, 61, 61, per_run); 1000];
        runs.push(usage(0, 61, 30, per_run));
        let month = november(&Usage {
            shapes: vec![shape("a")],
            runs,
        });
        let job = &month.jobs[0];
        let close = |got: Decimal, want: Decimal| {
            assert!(
                (got - want).abs() < dec!(0.000000000000000001),
                "{got} vs {want}"
            )
        };
        close(job.fargate_usd, dec!(0.04937) * dec!(61030) / dec!(3600));
        // Spot 0.01542025 $/h and the 1-DPU Python shell at 0.44 $/h, for the same seconds.
        close(
            job.fargate_spot_usd.unwrap(),
            dec!(0.01542025) * dec!(61030) / dec!(3600),
        );
        close(
            job.glue_equivalent_usd.unwrap(),
            dec!(0.44) * dec!(61030) / dec!(3600),
        );
        assert_eq!(job.billed_hours, dec!(61030) / dec!(3600));
        assert_eq!(job.gb_hours, dec!(61030) * dec!(2) / dec!(3600));
        assert_eq!(job.runs, 1001);
        assert_eq!(job.recommended, None, "no run records, no recommendation");
        assert_eq!(job.recommended_usd, None);
    }

    #[test]
    fn glue_bills_its_minimum_and_whole_seconds_through_the_pricing_function() {
        // 20.5 s on the 1-DPU shell is billed 60 s: 0.44 / 60; 90.2 s is billed 91 s.
        let mut runs = vec![usage(0, 60, 60, Decimal::ZERO); 2];
        runs[0].duration_ms = 20_500;
        runs[1].duration_ms = 90_200;
        runs[1].billed_seconds = 91;
        runs[1].inside_ms = 91_000;
        let month = november(&Usage {
            shapes: vec![shape("a")],
            runs,
        });
        assert_eq!(
            month.jobs[0].glue_equivalent_usd.unwrap(),
            dec!(0.44) * dec!(60) / dec!(3600) + dec!(0.44) * dec!(91) / dec!(3600)
        );
    }

    #[test]
    fn the_total_is_the_exact_sum_of_the_jobs() {
        let runs = vec![
            usage(0, 60, 60, dec!(0.0000004)),
            usage(1, 60, 60, dec!(0.0000004)),
        ];
        let month = november(&Usage {
            shapes: vec![shape("b"), shape("a")],
            runs,
        });
        let names: Vec<&str> = month.jobs.iter().map(|j| j.job.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        let total = month.total.unwrap();
        assert_eq!(total.job, "TOTAL");
        assert_eq!(total.fargate_usd, dec!(0.0000008));
        assert_eq!(total.runs, 2);
    }

    #[test]
    fn no_runs_no_total() {
        let month = november(&Usage::default());
        assert!(month.jobs.is_empty());
        assert_eq!(month.total, None);
    }

    #[test]
    fn public_ipv4_and_pull_are_parts_of_the_recorded_cost() {
        // 0.25 vCPU / 0.5 GB with a public IP, a 60 s billed window of which the pull took
        // 40 s: recorded (0.0123425 + 0.005) × 60 / 3600 = 0.0173425 / 60, of which the
        // address 0.005 / 60 and the pull 40/60 of the rest (compute, no address: the parts
        // add up) = 0.0123425 × 40 / 3600.
        let usd = dec!(0.0173425) * dec!(60) / dec!(3600);
        let mut run = usage(0, 60, 60, usd);
        run.public_ipv4_usd = dec!(0.005) * dec!(60) / dec!(3600);
        run.pull_ms = 40_000;
        let mut small = shape("a");
        (small.cpu_units, small.memory_mib) = (256, 512);
        let month = november(&Usage {
            shapes: vec![small],
            runs: vec![run],
        });
        let job = &month.jobs[0];
        assert_eq!(job.public_ipv4_usd, dec!(0.005) / dec!(60));
        assert_eq!(
            job.pull_usd.round_dp(20),
            (dec!(0.0123425) * dec!(40) / dec!(3600)).round_dp(20)
        );
        // Spot keeps the address: (0.25 × 0.01264355 + 0.5 × 0.00138835) × 60 / 3600 +
        // 0.005 × 60 / 3600 = (0.0038550625 + 0.005) / 60.
        assert_eq!(
            job.fargate_spot_usd.unwrap().round_dp(20),
            (dec!(0.0088550625) / dec!(60)).round_dp(20)
        );
        let total = month.total.unwrap();
        assert_eq!(total.public_ipv4_usd, job.public_ipv4_usd);
        assert_eq!(total.pull_usd, job.pull_usd);
    }

    #[test]
    fn a_savings_plan_reprices_on_demand_runs_and_leaves_spot_as_recorded() {
        // 1 vCPU / 2 GB for 3600 s, recorded at list price 0.04937; under a 1-year plan
        // (20 % off vCPU and GB): 0.04937 × 0.8 = 0.039496. A Spot run keeps its record.
        let book = savings_plan::with_plan(
            PriceBook::bundled().unwrap(),
            savings_plan::SavingsPlan::OneYear,
        )
        .unwrap();
        let mut spot = shape("b");
        spot.capacity = Capacity::Spot;
        let usage = Usage {
            shapes: vec![shape("a"), spot],
            runs: vec![
                usage(0, 3600, 3600, dec!(0.04937)),
                usage(1, 3600, 3600, dec!(0.01542025)),
            ],
        };
        let month = report(&usage, &[], &Period::month("2026-11").unwrap(), &book, &[]);
        assert_eq!(month.jobs[0].fargate_usd, dec!(0.039496));
        assert_eq!(month.jobs[1].fargate_usd, dec!(0.01542025));
    }
}
