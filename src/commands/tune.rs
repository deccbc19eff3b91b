//! `fargate-cost tune job NAME`: recommend a size from recorded runs (after an optional
//! sweep of sizes), explain it, show the change as a diff, and apply it with `--write`;
//! with `--engines`, the same for each engine of the job, side by side.

mod engines;
mod measure;
mod write;

use super::prices_in_use;
use crate::analysis::jvm;
use crate::analysis::sizing::{self, JobContext, Recommendation};
use crate::analysis::tuning::{self, Alternatives};
use crate::analysis::workload::runs_per_month;
use crate::cli::TuneJobArgs;
use crate::error::Result;
use crate::model::job::{Config, Job};
use crate::model::run::Backend;
use crate::model::size::Size;
use crate::pricing::book::PriceBook;
use crate::printer::Printer;
use crate::report::chart::SweepChart;
use crate::settings::{self, GlobalSettings};
use crate::store::rewrite;

/// Run `tune job`.
pub(crate) fn tune_job(
    settings: &GlobalSettings,
    args: &TuneJobArgs,
    printer: &Printer,
) -> anyhow::Result<()> {
    let config = Config::load(&settings.config)?;
    let job = config.job(&args.name)?;
    if !args.engines.is_empty() {
        return engines::compare(settings, &config, job, args, printer);
    }
    // Read the files --write may change now, before a sweep that can take hours: the edit
    // is computed from this text and refused if the file changes meanwhile.
    let task_definition = rewrite::read_task_definition(&config, job)?;
    let book = prices_in_use(
        settings,
        printer,
        &[settings.region_for(job.region.as_deref())],
    )?;
    let current = tuning::current_size(job)?;
    let heap = super::warn_heap(&config, job, current, printer);
    if !args.sweep.is_empty() {
        let launcher = measure::Launcher {
            settings,
            config: &config,
            book: &book,
            current,
            args,
            printer,
        };
        launcher.sweep(job)?;
    }
    let region = settings.region_for(job.region.as_deref());
    // The sweep above records at list prices; the recommendation prices under the plan.
    let book = super::under_savings_plan(settings, printer, book)?;
    let (mut recommendation, pull) =
        recommend(settings, job, &book, &region, current, args, printer)?;
    // A Spark job's heap follows its memory: explained, and edited with the size.
    let new_heap = heap
        .as_ref()
        .and_then(|h| jvm::recommended_heap(h, recommendation.recommended));
    if let Some((_, why)) = &new_heap {
        recommendation.explanation.push(why.clone());
    }
    let edits = write::edits(
        &config,
        job,
        &recommendation,
        current,
        task_definition,
        new_heap.map(|(mib, _)| mib),
    )?;
    if let Some(path) = &args.chart {
        let model = recommendation.model.as_ref();
        SweepChart {
            title: format!("{}: cost and run time per size", job.name),
            candidates: &recommendation.candidates,
            measured: model.map_or(&[][..], |m| &m.points[..]),
            recommended: recommendation.recommended,
            deadline: recommendation.deadline,
        }
        .write(path)?;
        printer.note(&format!("chart written to {}", path.display()));
    }
    let alternatives = Alternatives::price(job, &recommendation, &book, &region, pull);
    printer.data(&crate::report::tune::render(
        settings.format,
        &recommendation,
        &alternatives,
        &edits,
    )?)?;
    if args.write {
        write::write(
            settings,
            job,
            &recommendation,
            &edits,
            args.register,
            printer,
        )?;
    } else if !edits.is_empty() {
        printer.note("run with --write to apply this change");
    }
    Ok(())
}

/// The recommendation from the job's recorded runs, and the runs' image pull.
fn recommend(
    settings: &GlobalSettings,
    job: &Job,
    book: &PriceBook,
    region: &str,
    current: Size,
    args: &TuneJobArgs,
    printer: &Printer,
) -> Result<(Recommendation, Option<tuning::Pull>)> {
    let (mut runs, skipped) = settings.open_store()?.runs(Some(&job.name));
    // Imported Glue runs have no samples: only Fargate runs size a job, and only runs on
    // the engine being sized (another engine's memory says nothing about this one's).
    runs.retain(|r| r.backend != crate::model::run::Backend::Glue && job.ran(r));
    for s in &skipped {
        printer.warn(&format!("skipped {}: {}", s.path.display(), s.reason));
    }
    let mut notes = Vec::new();
    let runs_per_month = runs_per_month(job.schedule.as_ref(), &job.name, &mut notes);
    notes.iter().for_each(|n| printer.note(n));
    let mut ctx = JobContext::for_job(job, current, region, runs_per_month);
    // ECS runs' times start at the pull: an estimate would count it twice.
    if runs.iter().any(|r| r.backend == Backend::Ecs) {
        ctx.pull_estimate = None;
    }
    let options = settings::tune_options(args, job);
    let rec = sizing::recommend(&runs, &ctx, &options, book.region(region)?)?;
    Ok((rec, tuning::Pull::of(job, &runs)))
}
