//! What imported Glue jobs would cost on Fargate: per job, its recorded Glue runs (what
//! was paid) next to the same runs on the Fargate task covering the Glue workers, on
//! demand, Spot and ARM, scaled to an average month. Pure: the caller reads the store.

use std::collections::BTreeMap;
use std::time::Duration;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use chrono::{DateTime, Utc};
use rust_decimal_macros::dec;

use crate::analysis::workload::{AVERAGE_MONTH_DAYS, MEASURE_WINDOW_DAYS};
use crate::error::{Error, Result};
use crate::model::glue::Engine;
use crate::model::job::Job;
use crate::model::run::{Backend, GlueRun, Run, StopReason};
use crate::model::schedule::Schedule;
use crate::model::size::{Arch, Capacity, FREE_EPHEMERAL_GIB, Os, Size};
use crate::pricing::book::PriceBook;
use crate::pricing::fargate::{checked_product, checked_sum};
use crate::pricing::price;

/// The migration estimate of one Glue job.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GlueMigration {
    /// Job name.
    pub(crate) job: String,
    /// Region its runs were priced in.
    pub(crate) region: String,
    /// Runs in the window.
    pub(crate) runs: usize,
    /// The latest run's Glue configuration, e.g. "10 × G.1X, Glue 4.0, standard".
    pub(crate) glue_config: String,
    /// Its workers' total vCPU.
    pub(crate) glue_vcpu: Decimal,
    /// Its workers' total memory GB.
    pub(crate) glue_memory_gb: Decimal,
    /// The Fargate size of the latest run (covering its workers, capped at the largest).
    pub(crate) size: Size,
    /// True when the workers are bigger than the largest Fargate task.
    pub(crate) capped: bool,
    /// What Glue billed for the window's runs.
    pub(crate) glue_usd: Decimal,
    /// Glue per average month.
    pub(crate) glue_per_month: Decimal,
    /// Fargate on-demand (x86) per average month.
    pub(crate) fargate_per_month: Decimal,
    /// Fargate Spot per average month, where the book has Spot rates.
    pub(crate) spot_per_month: Option<Decimal>,
    /// Fargate on ARM (on-demand) per average month, where the book has ARM rates.
    pub(crate) arm_per_month: Option<Decimal>,
}

impl GlueMigration {
    /// Glue per month − Fargate on-demand per month (negative when Glue is cheaper).
    pub(crate) fn saving_per_month(&self) -> Decimal {
        self.glue_per_month - self.fargate_per_month
    }
}

/// The estimate for every Glue job among `runs` (runs of other backends are ignored).
/// `window_days` is the span the runs were taken from (`--since`), so the runs' sums × average
/// month / window are the monthly figures. Each run is priced on Fargate at its own recorded
/// size for its ExecutionTime × `speedup` (Glue F× faster: Fargate takes F× as long).
pub(crate) fn estimate(
    book: &PriceBook,
    runs: &[Run],
    window_days: Decimal,
    speedup: Decimal,
) -> Result<Vec<GlueMigration>> {
    if window_days <= Decimal::ZERO {
        return Err(Error::invalid(
            "--since",
            "the window must be longer than 0",
        ));
    }
    if speedup <= Decimal::ZERO {
        return Err(Error::invalid("glue_speedup", "must be above 0"));
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

/// An imported Glue job as a job `compare --job NAME` can price: its latest run's Glue
/// configuration (the Fargate size is derived from it, as for any Glue-configured job), the
/// median ExecutionTime of its completed runs in the last 30 days (of all its runs when none
/// completed) × `speedup` as the Fargate run time, and its runs in those days scaled to an
/// average month. `None` when it has no Glue run in the window.
pub(crate) fn imported_job(
    name: &str,
    runs: &[Run],
    now: DateTime<Utc>,
    speedup: Decimal,
) -> Result<Option<(Job, String)>> {
    let since = now - chrono::Duration::days(MEASURE_WINDOW_DAYS);
    let recent: Vec<(&Run, &GlueRun)> = runs
        .iter()
        .filter(|r| r.job == name && r.backend == Backend::Glue && r.started_at >= since)
        .filter_map(|r| Some((r, r.glue.as_ref()?)))
        .collect();
    let Some(&(latest_run, latest)) = recent.iter().max_by_key(|(r, _)| r.started_at) else {
        return Ok(None);
    };
    let completed = |(r, _): &&(&Run, &GlueRun)| r.stop_reason == StopReason::Completed;
    let mut seconds: Vec<u64> = match recent.iter().filter(completed).count() {
        0 => recent.iter().map(|(_, g)| g.execution_time_s).collect(),
        _ => recent
            .iter()
            .filter(completed)
            .map(|(_, g)| g.execution_time_s)
            .collect(),
    };
    seconds.sort_unstable();
    let median =
        Decimal::from(seconds[seconds.len() / 2] + seconds[(seconds.len() - 1) / 2]) / dec!(2);
    let first = recent
        .iter()
        .map(|(r, _)| r.started_at)
        .min()
        .unwrap_or(now);
    let span = (Decimal::from((now - first).num_seconds().max(0)) / dec!(86400))
        .clamp(Decimal::ONE, Decimal::from(MEASURE_WINDOW_DAYS));
    let per_month = (Decimal::from(recent.len()) * AVERAGE_MONTH_DAYS / span).round_dp(2);
    let config = latest.config()?;
    let fargate_seconds = checked_product(median, speedup, "glue_speedup")?;
    let job = Job {
        name: name.to_string(),
        size: None,
        arch: Arch::X86_64,
        os: Os::Linux,
        capacity: Capacity::OnDemand,
        ephemeral_storage_gib: FREE_EPHEMERAL_GIB,
        region: Some(latest_run.region.clone()),
        schedule: Some(Schedule::RunsPerMonth(per_month)),
        duration: Some(fargate_time(
            fargate_seconds.ceil().to_u64().unwrap_or(u64::MAX),
            Decimal::ONE,
        )?),
        deadline: None,
        engine: match latest.worker_type.as_str() {
            "pythonshell" => Engine::Python,
            _ => Engine::Spark,
        },
        glue: Some(config.clone()),
        glue_speedup: Some(speedup),
        task_definition_file: None,
        local: None,
        engines: Default::default(),
        driver_memory_mib: None,
        alternative: None,
        ecs: None,
    };
    let note = format!(
        "{name}: imported Glue job — Glue {config} as its latest run; run time the median ExecutionTime of {} run(s) in the last {MEASURE_WINDOW_DAYS} days ({median} s); {per_month} runs/month. Glue is priced by its list rules here (the runs' own bills, DPUSeconds included, are in `runs` and `import glue`).",
        seconds.len(),
        median = median.normalize()
    );
    Ok(Some((job, note)))
}

/// The sentence every estimate carries about speed.
pub(crate) fn speed_assumption(speedup: Decimal) -> String {
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

#[cfg(test)]
mod tests {
    //! Rates: us-east-1 Linux — x86 $0.04048 / vCPU-hour + $0.004445 / GB-hour, ARM
    //! $0.03238 + $0.00356 (reference §1.2); Spot from the bundled snapshot.
    use super::*;
    use crate::model::run::{GlueRun, Limits, RunFacts, StopReason};
    use crate::model::size::Os;
    use crate::model::task::FargateTask;
    use chrono::{TimeZone, Utc};
    use rust_decimal_macros::dec;

    /// A recorded Glue run of `job` on `size`, ExecutionTime `seconds`, Glue cost `usd`.
    fn glue_run(job: &str, n: i64, size: Size, seconds: u64, usd: Decimal) -> Run {
        let started = Utc.timestamp_opt(1_790_000_000 + n * 3600, 0).unwrap();
        let facts = RunFacts {
            id: format!("glue-{job}-{n}"),
            job: job.into(),
            backend: Backend::Glue,
            task: FargateTask {
                size,
                os: Os::Linux,
                arch: Arch::X86_64,
                capacity: Capacity::OnDemand,
                ephemeral_storage_gib: 20,
                public_ip: false,
            },
            region: "us-east-1".into(),
            created_at: started,
            pull_started_at: None,
            pull_stopped_at: None,
            started_at: started,
            stopped_at: started,
            wall: Duration::from_secs(seconds),
            exit_code: None,
            stop_reason: StopReason::Completed,
            stop_detail: String::new(),
            cpu_mean: None,
            kernel_peak_mib: None,
            sample_interval_ms: 0,
            limits: Limits::fargate(),
            launched: vec![],
            notes: vec![],
            result: None,
        };
        Run::record(
            facts,
            &[],
            crate::model::run::Billed {
                seconds,
                usd,
                public_ipv4_usd: Decimal::ZERO,
            },
        )
        .with_glue(GlueRun {
            state: "SUCCEEDED".into(),
            command: "glueetl".into(),
            worker_type: "G.1X".into(),
            workers: 2,
            version: "4.0".into(),
            execution_class: "standard".into(),
            dpu: dec!(2),
            dpu_seconds: None,
            execution_time_s: seconds,
            vcpu: dec!(8),
            memory_gb: dec!(32),
        })
    }

    #[test]
    fn each_run_is_priced_on_fargate_and_scaled_to_an_average_month() {
        let book = PriceBook::bundled().unwrap();
        let size = Size::new(8192, 32768, Os::Linux).unwrap();
        // Two runs of 2 × G.1X (8 vCPU / 32 GB) for 30 min and 1 h; Glue billed
        // 2 × 0.5 × 0.44 = 0.44 and 2 × 1 × 0.44 = 0.88.
        let runs = vec![
            glue_run("etl", 0, size, 1800, dec!(0.44)),
            glue_run("etl", 1, size, 3600, dec!(0.88)),
        ];
        // A 15-day window: a month is 30.4375 / 15 windows.
        let got = estimate(&book, &runs, dec!(15), Decimal::ONE).unwrap();
        assert_eq!(got.len(), 1);
        let m = &got[0];
        let month = dec!(30.4375) / dec!(15);
        assert_eq!((m.runs, m.capped), (2, false));
        assert_eq!(m.glue_usd, dec!(1.32));
        assert_eq!(m.glue_per_month, dec!(1.32) * month);
        // Fargate 8 vCPU / 32 GB = 8 × 0.04048 + 32 × 0.004445 = 0.46608 / hour, for
        // 1.5 hours = 0.69912.
        assert_eq!(m.fargate_per_month, dec!(0.69912) * month);
        // ARM: 8 × 0.03238 + 32 × 0.00356 = 0.37296 / hour × 1.5 = 0.55944.
        assert_eq!(m.arm_per_month, Some(dec!(0.55944) * month));
        assert!(m.spot_per_month.is_some_and(|s| s < m.fargate_per_month));
        assert_eq!(m.saving_per_month(), (dec!(1.32) - dec!(0.69912)) * month);
        assert_eq!(m.glue_config, "2 × G.1X, Glue 4.0, standard");
    }

    #[test]
    fn a_glue_speedup_lengthens_the_fargate_runs_only() {
        let book = PriceBook::bundled().unwrap();
        let size = Size::new(8192, 32768, Os::Linux).unwrap();
        let runs = vec![glue_run("etl", 0, size, 1800, dec!(0.44))];
        // Glue 2× faster: Fargate runs 3600 s = 0.46608; Glue stays 0.44. Window 30.4375
        // days = one month exactly.
        let got = estimate(&book, &runs, dec!(30.4375), dec!(2)).unwrap();
        assert_eq!(got[0].fargate_per_month, dec!(0.46608));
        assert_eq!(got[0].glue_per_month, dec!(0.44));
        assert!(speed_assumption(dec!(2)).contains("× 2 (--glue-speedup)"));
    }

    #[test]
    fn runs_of_other_backends_are_not_estimated() {
        let book = PriceBook::bundled().unwrap();
        let size = Size::new(1024, 2048, Os::Linux).unwrap();
        let mut local = glue_run("local-job", 0, size, 60, dec!(0.01));
        local.backend = Backend::Local;
        assert!(
            estimate(&book, &[local], dec!(30), Decimal::ONE)
                .unwrap()
                .is_empty()
        );
        assert!(estimate(&book, &[], dec!(0), Decimal::ONE).is_err());
    }
}
