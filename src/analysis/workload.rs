//! A job (or an ad-hoc description) resolved into the [`Workload`] that gets priced:
//! command-line overrides applied, the schedule defaulted and said so, the size re-checked
//! against an overridden OS. Also the measured variant of a job — its duration and schedule
//! from recorded runs. Pure: callers read the config and the store.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use crate::error::{Error, Result};
use crate::model::glue::{Engine, ExecutionClass, GlueConfig, GlueVersion};
use crate::model::job::Job;
use crate::model::run::{Backend, Run, StopReason};
use crate::model::schedule::Schedule;
use crate::model::size::{self, Arch, Capacity, Os, Size};

/// Image pull throughput assumed for an estimate, MB/s. AWS publishes none (reference
/// 10.2); its published 30–70 s task starts for 0.25–1 GB images, provisioning included,
/// imply at least 1 GB in 70 s ≈ 15 MB/s, so the estimate errs toward a longer pull.
pub const ASSUMED_PULL_MB_PER_S: u32 = 15;

/// The image pull of an image of `image_size_mb` MB at [`ASSUMED_PULL_MB_PER_S`], in whole
/// seconds rounded up (as Fargate rounds its billed seconds).
pub fn estimated_pull(image_size_mb: u32) -> Duration {
    Duration::from_secs(u64::from(image_size_mb.div_ceil(ASSUMED_PULL_MB_PER_S)))
}

/// Runs per month assumed when nothing says how often a job runs (about daily).
pub const DEFAULT_RUNS_PER_MONTH: Decimal = dec!(30);

/// Days in an average month (1461 days / 48 months, one leap cycle).
pub const AVERAGE_MONTH_DAYS: Decimal = dec!(30.4375);

/// Everything needed to price one job both ways, fully resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    /// Job name (`adhoc` for flags).
    pub name: String,
    /// AWS region.
    pub region: String,
    /// Fargate size; `None` to derive it from `glue`.
    pub size: Option<Size>,
    /// CPU architecture.
    pub arch: Arch,
    /// Operating system.
    pub os: Os,
    /// Capacity the job runs on.
    pub capacity: Capacity,
    /// Ephemeral storage GiB.
    pub ephemeral_storage_gib: u32,
    /// Launched with a public IPv4 address (`[jobs.ecs] assign_public_ip`, `--public-ip`).
    pub public_ip: bool,
    /// Fargate run time.
    pub duration: Duration,
    /// An estimated image pull billed before each Fargate run (`[jobs.ecs] image_size_mb`,
    /// when the duration was not measured on ECS, whose billed window already has it).
    pub pull_estimate: Option<Duration>,
    /// Runs per month.
    pub runs_per_month: Decimal,
    /// Python or Spark (decides the Glue equivalent).
    pub engine: Engine,
    /// Explicit Glue configuration; `None` to use the cheapest equivalent.
    pub glue: Option<GlueConfig>,
    /// Glue version for the equivalent.
    pub glue_version: GlueVersion,
    /// Price the equivalent on Flex.
    pub glue_flex: bool,
    /// Glue run time = Fargate run time / speedup (1 = same time).
    pub glue_speedup: Decimal,
}

/// What the command line says about every job priced, resolved to typed values. Errors
/// about these name the model field (`os`, `ephemeral_storage_gb`, ...); the CLI edge turns
/// a field into the flag that set it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    /// `--os`.
    pub os: Option<Os>,
    /// `--arch`.
    pub arch: Option<Arch>,
    /// `--capacity`.
    pub capacity: Option<Capacity>,
    /// `--ephemeral-storage`.
    pub ephemeral_storage_gib: Option<u32>,
    /// `--public-ip`.
    pub public_ip: Option<bool>,
    /// `--engine`.
    pub engine: Option<Engine>,
    /// A Glue configuration given by flags.
    pub glue: Option<GlueConfig>,
    /// `--glue-flex`.
    pub glue_flex: bool,
    /// `--glue-version`.
    pub glue_version: Option<GlueVersion>,
    /// `--glue-speedup`.
    pub glue_speedup: Option<Decimal>,
    /// `--runs-per-month` or `--schedule`.
    pub schedule: Option<Schedule>,
}

fn check_platform(os: Os, arch: Arch) -> Result<()> {
    if os == Os::Windows && arch == Arch::Arm64 {
        return Err(Error::invalid(
            "arch",
            "Fargate runs Windows tasks on x86_64 only",
        ));
    }
    Ok(())
}

/// Runs per month from a schedule, or the default with a note saying so.
pub fn runs_per_month(schedule: Option<&Schedule>, name: &str, notes: &mut Vec<String>) -> Decimal {
    match schedule {
        Some(s) => {
            notes.extend(s.note().map(|note| format!("{name}: {note}.")));
            s.runs_per_month()
        }
        None => {
            notes.push(format!(
                "{name}: no runs_per_month or schedule given; assumed {DEFAULT_RUNS_PER_MONTH} runs/month."
            ));
            DEFAULT_RUNS_PER_MONTH
        }
    }
}

impl Workload {
    /// A job described by flags alone (`compare --cpu --memory --duration`).
    pub fn adhoc(
        size: Option<Size>,
        duration: Duration,
        overrides: &Overrides,
        region: String,
        notes: &mut Vec<String>,
    ) -> Result<Workload> {
        let os = overrides.os.unwrap_or_default();
        let arch = overrides.arch.unwrap_or_default();
        check_platform(os, arch)?;
        let ephemeral_storage_gib = size::validate_ephemeral_storage(
            overrides
                .ephemeral_storage_gib
                .unwrap_or(size::FREE_EPHEMERAL_GIB),
            os,
        )?;
        Ok(Workload {
            name: "adhoc".into(),
            region,
            size,
            arch,
            os,
            capacity: overrides.capacity.unwrap_or_default(),
            ephemeral_storage_gib,
            public_ip: overrides.public_ip.unwrap_or(false),
            duration,
            pull_estimate: None,
            runs_per_month: runs_per_month(overrides.schedule.as_ref(), "adhoc", notes),
            engine: overrides.engine.unwrap_or_default(),
            glue: overrides.glue.clone(),
            glue_version: overrides.glue_version.unwrap_or(GlueVersion::DEFAULT),
            glue_flex: overrides.glue_flex,
            glue_speedup: overrides.glue_speedup.unwrap_or(Decimal::ONE),
        })
    }

    /// A configured job with the overrides applied; `source` names the config file in
    /// messages.
    pub fn for_job(
        job: &Job,
        overrides: &Overrides,
        region: String,
        source: &str,
        notes: &mut Vec<String>,
    ) -> Result<Workload> {
        let os = overrides.os.unwrap_or(job.os);
        let arch = overrides.arch.unwrap_or(job.arch);
        check_platform(os, arch)?;
        // Re-validate: an OS override can make a configured size invalid.
        let size = match job.size {
            Some(size) => Some(
                Size::new(size.cpu_units(), size.memory_mib(), os)
                    .map_err(|e| e.for_field("os"))?,
            ),
            None => None,
        };
        let glue = match &overrides.glue {
            Some(glue) => Some(glue.clone()),
            None if overrides.glue_flex => match &job.glue {
                Some(g) => Some(
                    g.with_class(ExecutionClass::Flex)
                        .map_err(|e| e.for_field("glue_flex"))?,
                ),
                None => None,
            },
            None => job.glue.clone(),
        };
        let duration = job.duration.ok_or_else(|| {
            Error::invalid(
                "duration",
                format!(
                    "job `{}` in {source} has no `duration` (typical run time, e.g. duration = \"15m\")",
                    job.name
                ),
            )
        })?;
        let schedule = overrides.schedule.as_ref().or(job.schedule.as_ref());
        let storage_field = match overrides.ephemeral_storage_gib {
            Some(_) => "ephemeral_storage_gb",
            None => "os",
        };
        let ephemeral_storage_gib = size::validate_ephemeral_storage(
            overrides
                .ephemeral_storage_gib
                .unwrap_or(job.ephemeral_storage_gib),
            os,
        )
        .map_err(|e| e.for_field(storage_field))?;
        Ok(Workload {
            name: job.name.clone(),
            region,
            size,
            arch,
            os,
            capacity: overrides.capacity.unwrap_or(job.capacity),
            ephemeral_storage_gib,
            public_ip: overrides.public_ip.unwrap_or(job.public_ip()),
            duration,
            pull_estimate: job
                .ecs
                .as_ref()
                .and_then(|e| e.image_size_mb)
                .map(estimated_pull),
            runs_per_month: runs_per_month(schedule, &job.name, notes),
            engine: overrides.engine.unwrap_or(job.engine),
            glue,
            glue_version: overrides.glue_version.unwrap_or(GlueVersion::DEFAULT),
            glue_flex: overrides.glue_flex,
            glue_speedup: overrides
                .glue_speedup
                .or(job.glue_speedup)
                .unwrap_or(Decimal::ONE),
        })
    }
}

/// Completed runs of the last 30 days decide a measured job's duration.
pub const MEASURE_WINDOW_DAYS: i64 = 30;

/// A job with its duration (median of completed runs in the last 30 days) and, unless a
/// schedule is given, its runs per month taken from its recorded runs; with a note saying
/// so. `None` when no run completed in the window.
pub fn measured_job(
    job: &Job,
    runs: &[Run],
    now: DateTime<Utc>,
    schedule_given: bool,
) -> Option<(Job, String)> {
    let since = now - chrono::Duration::days(MEASURE_WINDOW_DAYS);
    let recent: Vec<&Run> = runs.iter().filter(|r| r.started_at >= since).collect();
    let mut durations: Vec<u64> = recent
        .iter()
        .filter(|r| r.stop_reason == StopReason::Completed)
        .map(|r| r.duration_ms)
        .collect();
    durations.sort_unstable();
    let completed = durations.len();
    let median_ms = match completed {
        0 => return None,
        n if n % 2 == 1 => durations[n / 2],
        n => (durations[n / 2 - 1] + durations[n / 2]) / 2,
    };
    let first = recent.iter().map(|r| r.started_at).min()?;
    let span_days = Decimal::from((now - first).num_seconds().max(0)) / dec!(86400);
    let span_days = span_days.clamp(Decimal::ONE, Decimal::from(MEASURE_WINDOW_DAYS));
    // Runs in the window, scaled to an average month.
    let per_month = (Decimal::from(recent.len()) * AVERAGE_MONTH_DAYS / span_days).round_dp(2);
    let mut measured = job.clone();
    measured.duration = Some(Duration::from_millis(median_ms.max(1)));
    let schedule_from_store = !schedule_given && job.schedule.is_none();
    if schedule_from_store {
        measured.schedule = Some(Schedule::RunsPerMonth(per_month));
    }
    let note = format!(
        "{}: measured — duration is the median of {completed} completed run(s) in the last {MEASURE_WINDOW_DAYS} days ({}){}",
        job.name,
        humantime::format_duration(Duration::from_secs(median_ms / 1000)),
        if schedule_from_store {
            format!("; {per_month} runs/month from the store's history")
        } else {
            "; runs per month from the config".to_string()
        }
    );
    Some((measured, note))
}

/// A configured job's workload: its recorded Fargate runs (local or ECS, on its own engine)
/// in place of the configured guesses, when any completed in the last 30 days.
pub(crate) fn configured(
    job: &Job,
    mut runs: Vec<Run>,
    overrides: &Overrides,
    region: String,
    source: &str,
    now: DateTime<Utc>,
    notes: &mut Vec<String>,
) -> Result<Workload> {
    runs.retain(|r| r.backend != Backend::Glue && job.ran(r));
    let measured = measured_job(job, &runs, now, overrides.schedule.is_some());
    let job = match &measured {
        Some((measured, note)) => {
            notes.push(note.clone());
            measured
        }
        None => job,
    };
    let mut workload = Workload::for_job(job, overrides, region, source, notes)?;
    // ECS runs' billed windows start at the pull: their durations already hold it.
    if measured.is_some() && runs.iter().any(|r| r.backend == Backend::Ecs) {
        workload.pull_estimate = None;
    }
    Ok(workload)
}

/// 1 vCPU / 2 GB on Linux/x86 on-demand in us-east-1, 45 minutes, 30 runs a month, a Python
/// job with no Glue config: the workload the pricing tests write their arithmetic for.
#[cfg(test)]
pub(crate) fn example() -> Workload {
    Workload {
        name: "t".into(),
        region: "us-east-1".into(),
        size: Some(Size::new(1024, 2048, Os::Linux).expect("valid size")),
        arch: Arch::X86_64,
        os: Os::Linux,
        capacity: Capacity::OnDemand,
        ephemeral_storage_gib: 20,
        public_ip: false,
        duration: Duration::from_secs(2700),
        pull_estimate: None,
        runs_per_month: dec!(30),
        engine: Engine::Python,
        glue: None,
        glue_version: GlueVersion::DEFAULT,
        glue_flex: false,
        glue_speedup: dec!(1),
    }
}
