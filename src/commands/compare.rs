//! `fargate-cost compare`: price the config's jobs (or one ad-hoc job from flags) on
//! Fargate and Glue and print the comparison.

use anyhow::Context;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use crate::analysis::comparison::{self, Comparison, GlueOrigin, Workload};
use crate::cli::CompareArgs;
use crate::error::{Error, Result};
use crate::model::glue::{ExecutionClass, GlueConfig, GlueVersion};
use crate::model::job::{Config, Job};
use crate::model::schedule::Schedule;
use crate::model::size::{self, Arch, Capacity, Os, Size};
use crate::pricing::book::PriceBook;
use crate::printer::Printer;
use crate::report::{self, Format, Grid, text};
use crate::settings::GlobalSettings;

/// Runs per month assumed when nothing says how often a job runs (about daily).
const DEFAULT_RUNS_PER_MONTH: Decimal = dec!(30);

/// Run `compare`.
pub fn compare(
    settings: &GlobalSettings,
    args: &CompareArgs,
    printer: &Printer,
) -> anyhow::Result<()> {
    let book = PriceBook::bundled()?;
    let mut notes = Vec::new();
    let workloads = if is_adhoc(args) {
        if args.job.is_some() {
            return Err(Error::invalid(
                "--job",
                "selects a job from the config; --cpu/--memory/--duration describe an ad-hoc job: use one or the other",
            )
            .into());
        }
        vec![adhoc_workload(settings, args, &mut notes)?]
    } else {
        let config = load_config(settings)?;
        let jobs: Vec<&Job> = match &args.job {
            Some(name) => vec![config.job(name)?],
            None => config.jobs.iter().collect(),
        };
        if jobs.is_empty() {
            printer.warn(&format!("{} has no [[jobs]]", config.path.display()));
        }
        let store = crate::store::Store::new(&settings.store);
        let mut workloads = Vec::new();
        for job in jobs {
            // Recorded runs beat the configured guesses (unless flags say otherwise).
            let measured = measured(&store, job, args);
            let job = match &measured {
                Some(m) => {
                    notes.push(m.note.clone());
                    &m.job
                }
                None => job,
            };
            workloads.push(config_workload(settings, args, &config, job, &mut notes)?);
        }
        workloads
    };
    let comparisons = workloads
        .iter()
        .map(|w| comparison::compare(&book, w).with_context(|| format!("pricing job `{}`", w.name)))
        .collect::<anyhow::Result<Vec<_>>>()?;

    let speedups: Vec<Decimal> = dedup(workloads.iter().map(|w| w.glue_speedup));
    notes.extend(speedups.into_iter().map(comparison::duration_assumption));
    notes.extend(comparisons.iter().flat_map(|c| c.notes.iter().cloned()));
    notes.push(format!(
        "Prices: bundled price book as of {} (sources: fargate-cost prices show).",
        book.as_of
    ));

    let rows: Vec<_> = comparisons.iter().map(Comparison::row).collect();
    let output = report::render(settings.format, &rows, || grid(&comparisons, &notes))?;
    printer.data(&output)?;
    if matches!(settings.format, Format::Json | Format::Csv) {
        for note in &notes {
            printer.note(note);
        }
    }
    Ok(())
}

fn dedup<T: PartialEq>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut out = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// A job with its duration and schedule taken from its recorded runs.
struct Measured {
    job: Job,
    note: String,
}

/// Completed runs of the last 30 days, at most this many read.
const MEASURE_WINDOW_DAYS: i64 = 30;

fn measured(store: &crate::store::Store, job: &Job, args: &CompareArgs) -> Option<Measured> {
    let since = chrono::Utc::now() - chrono::Duration::days(MEASURE_WINDOW_DAYS);
    let (runs, _) = store.runs(Some(&job.name));
    let recent: Vec<&crate::model::run::Run> =
        runs.iter().filter(|r| r.started_at >= since).collect();
    let mut durations: Vec<f64> = recent
        .iter()
        .filter(|r| r.stop_reason == crate::model::run::StopReason::Completed)
        .map(|r| r.duration_ms as f64)
        .collect();
    if durations.is_empty() {
        return None;
    }
    let median = crate::model::run::percentile(&durations, 0.5);
    durations.clear();
    let first = recent.iter().map(|r| r.started_at).min()?;
    let span_days = ((chrono::Utc::now() - first).num_seconds() as f64 / 86_400.0)
        .clamp(1.0, MEASURE_WINDOW_DAYS as f64);
    // Runs in the window, scaled to an average month (30.4375 days).
    let per_month = recent.len() as f64 * 30.4375 / span_days;
    let mut measured = job.clone();
    measured.duration = Some(std::time::Duration::from_millis(median.max(1.0) as u64));
    let schedule_from_store =
        args.runs_per_month.is_none() && args.schedule.is_none() && job.schedule.is_none();
    if schedule_from_store {
        measured.schedule =
            Decimal::from_f64_retain(per_month).map(|d| Schedule::RunsPerMonth(d.round_dp(2)));
    }
    let note = format!(
        "{}: measured — duration is the median of {} completed run(s) in the last {MEASURE_WINDOW_DAYS} days ({}){}",
        job.name,
        recent
            .iter()
            .filter(|r| r.stop_reason == crate::model::run::StopReason::Completed)
            .count(),
        text::duration(std::time::Duration::from_millis(median as u64)),
        if schedule_from_store {
            format!("; {:.2} runs/month from the store's history", per_month)
        } else {
            "; runs per month from the config".to_string()
        }
    );
    Some(Measured {
        job: measured,
        note,
    })
}

/// Flags that describe a job by themselves.
fn is_adhoc(args: &CompareArgs) -> bool {
    args.cpu.is_some() || args.memory.is_some() || args.duration.is_some()
}

fn load_config(settings: &GlobalSettings) -> Result<Config> {
    if !settings.config_given && !settings.config.exists() {
        return Err(Error::invalid(
            "--config",
            format!(
                "no {} in this directory; pass --config FILE, or describe one job with --cpu, --memory and --duration",
                settings.config.display()
            ),
        ));
    }
    Config::load(&settings.config)
}

/// Rename the field of an input error to the flag the user typed.
fn flag<T>(result: Result<T>, name: &str) -> Result<T> {
    result.map_err(|e| match e {
        Error::Invalid { message, .. } => Error::invalid(name, message),
        other => other,
    })
}

/// The Glue config given by flags, if any.
fn glue_from_flags(args: &CompareArgs) -> Result<Option<GlueConfig>> {
    let Some(worker_type) = args.glue_worker_type else {
        if args.glue_workers.is_some() || args.glue_max_capacity.is_some() {
            return Err(Error::invalid(
                "--glue-worker-type",
                "missing: --glue-workers and --glue-max-capacity need a worker type",
            ));
        }
        return Ok(None);
    };
    let class = if args.glue_flex {
        ExecutionClass::Flex
    } else {
        ExecutionClass::Standard
    };
    let config = GlueConfig::new(
        worker_type,
        args.glue_workers,
        args.glue_version.unwrap_or(GlueVersion::DEFAULT),
        class,
        args.glue_max_capacity,
    )
    .map_err(|e| match e {
        Error::Invalid { what, message } => Error::invalid(
            format!("--{}", what.replace("glue ", "glue-").replace('_', "-")),
            message,
        ),
        other => other,
    })?;
    Ok(Some(config))
}

fn schedule_from_flags(args: &CompareArgs) -> Result<Option<Schedule>> {
    if let Some(runs) = args.runs_per_month {
        return Ok(Some(Schedule::runs(runs)?));
    }
    match &args.schedule {
        Some(text) => Ok(Some(flag(Schedule::parse_expression(text), "--schedule")?)),
        None => Ok(None),
    }
}

fn adhoc_workload(
    settings: &GlobalSettings,
    args: &CompareArgs,
    notes: &mut Vec<String>,
) -> Result<Workload> {
    let os = args.os.unwrap_or_default();
    let arch = args.arch.unwrap_or_default();
    let glue = glue_from_flags(args)?;
    let size = match (args.cpu, args.memory) {
        (Some(cpu), Some(memory)) => Some(flag(Size::new(cpu, memory, os), "--memory")?),
        (None, None) if glue.is_some() => None,
        (Some(_), None) => return Err(Error::invalid("--memory", "missing: --cpu needs --memory")),
        (None, _) => return Err(Error::invalid("--cpu", "missing: --memory needs --cpu")),
    };
    let duration = args
        .duration
        .ok_or_else(|| Error::invalid("--duration", "missing: how long one run takes, e.g. 45m"))?;
    let schedule = schedule_from_flags(args)?;
    let runs_per_month = match schedule {
        Some(s) => s.runs_per_month(),
        None => {
            notes.push(format!(
                "adhoc: assumed {DEFAULT_RUNS_PER_MONTH} runs/month (--runs-per-month or --schedule to change)."
            ));
            DEFAULT_RUNS_PER_MONTH
        }
    };
    let region = settings.region_for(None);
    let ephemeral_storage_gib = flag(
        size::validate_ephemeral_storage(
            args.ephemeral_storage.unwrap_or(size::FREE_EPHEMERAL_GIB),
            os,
        ),
        "--ephemeral-storage",
    )?;
    check_platform(os, arch, "--arch")?;
    Ok(Workload {
        name: "adhoc".into(),
        region,
        size,
        arch,
        os,
        capacity: args.capacity.unwrap_or_default(),
        ephemeral_storage_gib,
        duration,
        runs_per_month,
        engine: args.engine.unwrap_or_default(),
        glue,
        glue_version: args.glue_version.unwrap_or(GlueVersion::DEFAULT),
        glue_flex: args.glue_flex,
        glue_speedup: args.glue_speedup.unwrap_or(Decimal::ONE),
    })
}

fn check_platform(os: Os, arch: Arch, what: &str) -> Result<()> {
    if os == Os::Windows && arch == Arch::Arm64 {
        return Err(Error::invalid(
            what,
            "Fargate runs Windows tasks on x86_64 only",
        ));
    }
    Ok(())
}

/// The workload for a configured job, with flag overrides applied; notes collect the
/// assumptions made (e.g. a default schedule).
pub fn config_workload(
    settings: &GlobalSettings,
    args: &CompareArgs,
    config: &Config,
    job: &Job,
    notes: &mut Vec<String>,
) -> Result<Workload> {
    let os = args.os.unwrap_or(job.os);
    let arch = args.arch.unwrap_or(job.arch);
    check_platform(os, arch, "--arch")?;
    // Re-validate: an --os override can make a configured size invalid.
    let size = match job.size {
        Some(size) => Some(flag(
            Size::new(size.cpu_units(), size.memory_mib(), os),
            "--os",
        )?),
        None => None,
    };
    let glue = match glue_from_flags(args)? {
        Some(glue) => Some(glue),
        None if args.glue_flex => match &job.glue {
            Some(g) => Some(flag(g.with_class(ExecutionClass::Flex), "--glue-flex")?),
            None => None,
        },
        None => job.glue.clone(),
    };
    let duration = job.duration.ok_or_else(|| {
        Error::invalid(
            "duration",
            format!(
                "job `{}` in {} has no `duration` (typical run time, e.g. duration = \"15m\")",
                job.name,
                config.path.display()
            ),
        )
    })?;
    let runs_per_month = match schedule_from_flags(args)?.or_else(|| job.schedule.clone()) {
        Some(s) => s.runs_per_month(),
        None => {
            notes.push(format!(
                "{}: no runs_per_month or schedule in the config; assumed {DEFAULT_RUNS_PER_MONTH} runs/month.",
                job.name
            ));
            DEFAULT_RUNS_PER_MONTH
        }
    };
    let region = settings.region_for(job.region.as_deref());
    let ephemeral_storage_gib = match args.ephemeral_storage {
        Some(gb) => flag(
            size::validate_ephemeral_storage(gb, os),
            "--ephemeral-storage",
        )?,
        None => flag(
            size::validate_ephemeral_storage(job.ephemeral_storage_gib, os),
            "--os",
        )?,
    };
    Ok(Workload {
        name: job.name.clone(),
        region,
        size,
        arch,
        os,
        capacity: args.capacity.unwrap_or(job.capacity),
        ephemeral_storage_gib,
        duration,
        runs_per_month,
        engine: args.engine.unwrap_or(job.engine),
        glue,
        glue_version: args.glue_version.unwrap_or(GlueVersion::DEFAULT),
        glue_flex: args.glue_flex,
        glue_speedup: args
            .glue_speedup
            .or(job.glue_speedup)
            .unwrap_or(Decimal::ONE),
    })
}

/// "Fargate", "Fargate ARM", "Fargate Windows", with " Spot" for Spot.
fn fargate_label(os: Os, arch: Arch, capacity: Capacity) -> String {
    let platform = match (os, arch) {
        (Os::Windows, _) => " Windows",
        (Os::Linux, Arch::Arm64) => " ARM",
        (Os::Linux, Arch::X86_64) => "",
    };
    let spot = if capacity == Capacity::Spot {
        " Spot"
    } else {
        ""
    };
    format!("Fargate{platform}{spot}")
}

/// The human table: one block of rows per job, then the notes.
pub fn grid(comparisons: &[Comparison], notes: &[String]) -> Grid {
    let mut grid = Grid {
        headers: [
            "Job",
            "Option",
            "Size",
            "Billed",
            "Per run",
            "Per month",
            "×Fargate",
        ]
        .map(String::from)
        .to_vec(),
        right_aligned: vec![3, 4, 5, 6],
        ..Grid::default()
    };
    for c in comparisons {
        let w = &c.workload;
        let runs = w.runs_per_month;
        let baseline = c.fargate_per_month;
        let versus = |monthly: Decimal| {
            if baseline.is_zero() {
                "–".to_string()
            } else {
                text::ratio(monthly / baseline)
            }
        };
        let job_cell = format!(
            "{}\n{} × {}/mo, {}",
            w.name,
            text::duration(w.duration),
            runs.round_dp(2).normalize(),
            w.region
        );
        let mut rows: Vec<[String; 6]> = Vec::new();
        let mut push = |label: String, size: String, billed: u64, per_run: Decimal| {
            let monthly = per_run * runs;
            rows.push([
                label,
                size,
                text::duration(std::time::Duration::from_secs(billed)),
                text::usd(per_run),
                text::usd(monthly),
                versus(monthly),
            ]);
        };
        let size = c.size.to_string();
        let od = Capacity::OnDemand;
        push(
            fargate_label(w.os, w.arch, od),
            size.clone(),
            c.fargate.billed_seconds,
            c.fargate.total_usd,
        );
        if let Some(spot) = &c.spot {
            push(
                fargate_label(w.os, w.arch, Capacity::Spot),
                size.clone(),
                spot.billed_seconds,
                spot.total_usd,
            );
        }
        if w.arch != Arch::Arm64
            && let Some(arm) = &c.arm
        {
            push(
                fargate_label(w.os, Arch::Arm64, od),
                size.clone(),
                arm.billed_seconds,
                arm.total_usd,
            );
        }
        let glue = &c.glue_config;
        let glue_size = match glue.worker_type() {
            crate::model::glue::WorkerType::PythonShell => {
                format!("Python shell {} DPU", glue.dpu().normalize())
            }
            worker => format!("{} × {worker}", glue.workers()),
        };
        let flex = glue.execution_class() == ExecutionClass::Flex;
        let label = format!("Glue {}{}", glue.version(), if flex { " Flex" } else { "" });
        push(
            label,
            glue_size.clone(),
            c.glue.billed_seconds,
            c.glue.total_usd,
        );
        if !flex && let Some(cost) = &c.glue_flex {
            push(
                format!("Glue {} Flex", glue.version()),
                glue_size,
                cost.billed_seconds,
                cost.total_usd,
            );
        }
        for (index, row) in rows.into_iter().enumerate() {
            let mut cells = vec![if index == 0 {
                job_cell.clone()
            } else {
                String::new()
            }];
            cells.extend(row);
            grid.rows.push(cells);
        }
    }
    for c in comparisons {
        let w = &c.workload;
        let saving = c.monthly_saving();
        let verdict = if saving.is_sign_negative() {
            format!("Glue saves {}/month", text::usd(-saving))
        } else {
            format!("Fargate saves {}/month", text::usd(saving))
        };
        let origin = match c.glue_origin {
            GlueOrigin::Configured => "configured".to_string(),
            GlueOrigin::Equivalent => format!("cheapest Glue equivalent of {}", c.size),
        };
        grid.notes.push(format!(
            "{}: {} {}/month vs Glue {}/month: {verdict}. Glue: {} = {} vCPU / {} GB ({origin}).",
            w.name,
            fargate_label(w.os, w.arch, w.capacity),
            text::usd(c.fargate_per_month),
            text::usd(c.glue_per_month),
            c.glue_config,
            c.glue_config.vcpu().normalize(),
            c.glue_config.memory_gb().normalize(),
        ));
    }
    grid.notes.extend(notes.iter().cloned());
    grid
}
