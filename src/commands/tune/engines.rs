//! `tune job NAME --engines a,b`: measure each engine of the job (its `--sweep`, then runs
//! at the current size until it has `--min-runs` completed ones), size each from its own
//! runs, and show them side by side with the saving of moving and whether they agree.

use crate::analysis::engines::{self, Agreement, EngineInput};
use crate::analysis::sizing::Recommendation;
use crate::analysis::tuning;
use crate::cli::TuneJobArgs;
use crate::error::Result;
use crate::model::job::{Config, Job};
use crate::model::run::{Backend, Run, StopReason};
use crate::model::size::Size;
use crate::pricing::book::PriceBook;
use crate::printer::Printer;
use crate::report::progress::ProgressLine;
use crate::runner::session::{self, Session};
use crate::settings::{self, GlobalSettings};
use crate::store::Store;

/// Run `tune job NAME --engines ...`.
pub(super) fn compare(
    settings: &GlobalSettings,
    config: &Config,
    job: &Job,
    args: &TuneJobArgs,
    printer: &Printer,
) -> anyhow::Result<()> {
    let mut names: Vec<&str> = Vec::new();
    for name in args.engines.iter().map(|n| n.trim()) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    // Every name is checked before anything runs.
    let jobs = names
        .iter()
        .map(|name| job.on_engine(name, "--engines"))
        .collect::<Result<Vec<Job>>>()?;
    let region = settings.region_for(job.region.as_deref());
    let book = crate::commands::prices_in_use(settings, printer, std::slice::from_ref(&region))?;
    let current = tuning::current_size(job)?;
    for engine_job in &jobs {
        measure(settings, config, engine_job, &book, current, args, printer)?;
    }
    let book = crate::commands::under_savings_plan(settings, printer, book)?;
    let mut measured: Vec<(String, Recommendation, Vec<Run>)> = Vec::new();
    for engine_job in &jobs {
        let (rec, _) =
            super::recommend(settings, engine_job, &book, &region, current, args, printer)?;
        measured.push((
            engine_job.engine_name(),
            rec,
            engine_runs(settings, engine_job),
        ));
    }
    let inputs: Vec<EngineInput<'_>> = measured
        .iter()
        .map(|(engine, rec, runs)| EngineInput {
            engine: engine.clone(),
            recommendation: rec,
            runs,
        })
        .collect();
    let comparison = engines::compare(&job.name, &inputs);
    if comparison.agreement == Agreement::Differ {
        printer.warn(&crate::report::engines::agreement(&comparison));
    }
    printer.data(&crate::report::engines::render(
        settings.format,
        &comparison,
    )?)?;
    Ok(())
}

/// The job's recorded Fargate runs on this engine.
fn engine_runs(settings: &GlobalSettings, job: &Job) -> Vec<Run> {
    let (mut runs, _) = Store::new(&settings.store).runs(Some(&job.name));
    runs.retain(|r| r.backend != Backend::Glue && job.ran(r));
    runs
}

/// Measure one engine: its sweep when asked, then runs at the current size until it has
/// the completed runs a recommendation needs (one with `--force`). A run that does not
/// complete ends the measuring: the recommendation then says what is missing.
fn measure(
    settings: &GlobalSettings,
    config: &Config,
    job: &Job,
    book: &PriceBook,
    current: Size,
    args: &TuneJobArgs,
    printer: &Printer,
) -> Result<()> {
    if !args.sweep.is_empty() {
        super::sweep(settings, config, job, book, current, args, printer)?;
    }
    let needed = if args.force { 1 } else { args.min_runs.max(1) };
    let completed = engine_runs(settings, job)
        .iter()
        .filter(|r| r.stop_reason == StopReason::Completed)
        .count();
    if completed >= needed {
        return Ok(());
    }
    let engine = job.engine_name();
    printer.note(&format!(
        "{}: {completed} completed run(s) on {engine}; running {} more at {current}",
        job.name,
        needed - completed
    ));
    let progress = ProgressLine::new(printer);
    let session = Session::new(
        settings::session_settings(
            settings,
            config,
            job,
            book,
            session::default_backend(job),
            args.sample_interval,
            args.timeout,
            !printer.is_quiet(),
        )?,
        &progress,
    )?;
    for attempt in completed + 1..=needed {
        let label = format!("{} on {engine} ({attempt}/{needed})", job.name);
        let run = session.run_once(current, &label)?;
        if run.stop_reason != StopReason::Completed || session.stopped() {
            break;
        }
    }
    Ok(())
}
