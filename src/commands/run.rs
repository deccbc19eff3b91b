//! `fargate-cost run JOB`: run a job under its Fargate size, record each run in the store,
//! and show what it used and what it would cost on Fargate and Glue.

use std::time::Duration;

use super::prices_in_use;
use crate::analysis::comparison::{self, Workload};
use crate::analysis::workload::Overrides;
use crate::cli::{BackendArg, RunArgs};
use crate::error::{Error, Result};
use crate::model::glue;
use crate::model::job::{Config, Job};
use crate::model::run::{Backend, Run, StopReason};
use crate::model::size::Size;
use crate::pricing::book::PriceBook;
use crate::printer::Printer;
use crate::report::progress::ProgressLine;
use crate::report::rows::RunRow;
use crate::report::{self, Format, text};
use crate::runner::session::{self, Session};
use crate::settings::{self, GlobalSettings};

/// The size to run at: flags override the config; a Glue-only job runs at the smallest
/// Fargate size covering its Glue config.
fn run_size(job: &Job, args: &RunArgs) -> Result<Size> {
    let configured = match (job.size, &job.glue) {
        (Some(size), _) => Some(size),
        (None, Some(glue)) => Some(glue::fargate_for(glue, job.os).0),
        (None, None) => None,
    };
    let cpu = args.cpu.or(configured.map(|s| s.cpu_units()));
    let memory = args.memory.or(configured.map(|s| s.memory_mib()));
    match (cpu, memory) {
        (Some(cpu), Some(memory)) => Size::new(cpu, memory, job.os).map_err(crate::cli::name_flag),
        _ => Err(Error::invalid(
            "--cpu",
            format!("job `{}` has no size: give --cpu and --memory", job.name),
        )),
    }
}

/// Run `run`.
pub(crate) fn run(
    settings: &GlobalSettings,
    args: &RunArgs,
    printer: &Printer,
) -> anyhow::Result<()> {
    let config = Config::load(&settings.config)?;
    let job = &match &args.engine {
        Some(engine) => config.job(&args.job)?.on_engine(engine, "--engine")?,
        None => config.job(&args.job)?.clone(),
    };
    let backend = match args.backend {
        Some(BackendArg::Ecs) => Backend::Ecs,
        Some(BackendArg::Local) => Backend::Local,
        None => session::default_backend(job),
    };
    // An alternative engine is a local command: ECS runs the task definition's image.
    if backend == Backend::Ecs && job.alternative.is_some() {
        return Err(Error::invalid(
            "--engine",
            "an alternative engine runs on the local backend only (ECS runs the task definition's own command)",
        )
        .into());
    }
    let size = run_size(job, args)?;
    super::warn_heap(&config, job, size, printer);
    let book = prices_in_use(
        settings,
        printer,
        &[settings.region_for(job.region.as_deref())],
    )?;
    let progress = ProgressLine::new(printer);
    let session = Session::new(
        settings::session_settings(
            settings,
            &config,
            job,
            &book,
            backend,
            args.sample_interval,
            args.timeout,
            !printer.is_quiet(),
        )?,
        &progress,
    )?;
    let mut recorded = Vec::new();
    for attempt in 1..=args.repeat {
        if session.stopped() {
            break;
        }
        let label = if args.repeat > 1 {
            format!("{} ({attempt}/{})", job.name, args.repeat)
        } else {
            job.name.clone()
        };
        let run = session.run_once(size, &label)?;
        let interrupted = session::interrupted(&run);
        recorded.push(run);
        if interrupted {
            break;
        }
    }
    finish(settings, &config, job, &book, recorded, printer)
}

/// The Fargate-vs-Glue table of a measured run: its size, its measured duration.
fn measured_comparison(
    settings: &GlobalSettings,
    config: &Config,
    job: &Job,
    book: &PriceBook,
    last: &Run,
) -> Result<String> {
    let mut measured = job.clone();
    measured.size = last.size();
    measured.duration = Some(Duration::from_millis(last.duration_ms.max(1)));
    let mut notes = Vec::new();
    let region = settings.region_for(job.region.as_deref());
    let source = config.path.display().to_string();
    let workload = Workload::for_job(
        &measured,
        &Overrides::default(),
        region,
        &source,
        &mut notes,
    )?;
    let comparison = comparison::compare(book, &workload)?;
    notes.extend(comparison.notes.iter().cloned());
    notes.insert(0, comparison::duration_assumption(workload.glue_speedup));
    notes.insert(
        0,
        format!(
            "Measured run {} priced at its size and measured duration ({}).",
            last.id,
            text::duration(Duration::from_millis(last.duration_ms))
        ),
    );
    let grid = report::compare::comparisons(std::slice::from_ref(&comparison), &notes);
    let style = match settings.format {
        Format::Markdown => report::table::Style::Markdown,
        _ => report::table::Style::Terminal,
    };
    Ok(report::table::render(&grid, style))
}

/// Print what was recorded and the Fargate-vs-Glue comparison of the last measured run;
/// fail (after recording) when the job did not complete.
fn finish(
    settings: &GlobalSettings,
    config: &Config,
    job: &Job,
    book: &PriceBook,
    recorded: Vec<Run>,
    printer: &Printer,
) -> anyhow::Result<()> {
    let Some(last) = recorded.last() else {
        return Err(
            Error::Interrupted("stopped before the job started; nothing recorded".into()).into(),
        );
    };
    let rows: Vec<_> = recorded.iter().map(RunRow::from).collect();
    let mut output = report::render(settings.format, &rows, || report::runs::runs(&recorded))?;
    if matches!(settings.format, Format::Table | Format::Markdown) {
        output.push('\n');
        output.push_str(&measured_comparison(settings, config, job, book, last)?);
    }
    printer.data(&output)?;
    match last.stop_reason {
        StopReason::Completed => Ok(()),
        StopReason::Interrupted => Err(Error::Interrupted(format!(
            "run {} was stopped and recorded as interrupted",
            last.id
        ))
        .into()),
        reason => Err(Error::JobFailed {
            job: job.name.clone(),
            message: format!(
                "{reason}: {}; recorded as run {}",
                last.stop_detail, last.id
            ),
        }
        .into()),
    }
}
