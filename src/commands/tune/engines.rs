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
use crate::printer::Printer;
use crate::settings::GlobalSettings;
use crate::store::Store;

use super::measure::Launcher;

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
    let launcher = Launcher {
        settings,
        config,
        book: &book,
        current,
        args,
        printer,
    };
    for engine_job in &jobs {
        measure(&launcher, engine_job)?;
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
fn measure(launcher: &Launcher<'_>, job: &Job) -> Result<()> {
    if !launcher.args.sweep.is_empty() {
        launcher.sweep(job)?;
    }
    let args = launcher.args;
    let needed = if args.force { 1 } else { args.min_runs.max(1) };
    let completed = engine_runs(launcher.settings, job)
        .iter()
        .filter(|r| r.stop_reason == StopReason::Completed)
        .count();
    if completed >= needed {
        return Ok(());
    }
    launcher.run_until(job, completed, needed)
}
