//! `fargate-cost import glue`: record AWS Glue job runs (priced as Glue billed them) and
//! show what each job would cost on Fargate.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::prices_in_use;
use crate::analysis::glue_migration::{self, GlueMigration};
use crate::aws::glue::{self, GlueJob};
use crate::aws::{Aws, glue_run};
use crate::cli::ImportGlueArgs;
use crate::model::run::{Backend, Run, StopReason};
use crate::pricing::book::RegionPrices;
use crate::printer::Printer;
use crate::report::glue::GlueMigrationRow;
use crate::report::{self, Format};
use crate::settings::GlobalSettings;
use crate::store::Store;

/// Run `import glue`.
pub(crate) fn import_glue(
    settings: &GlobalSettings,
    args: &ImportGlueArgs,
    printer: &Printer,
) -> anyhow::Result<()> {
    let runtime = crate::aws::runtime()?;
    let aws = settings.connect_aws(&runtime, None)?;
    let book = prices_in_use(settings, printer, std::slice::from_ref(&aws.region))?;
    let prices = book.region(&aws.region)?;
    let since = Utc::now() - chrono::Duration::from_std(args.since)?;
    let jobs = glue::select(runtime.block_on(glue::jobs(&aws))?, &args.jobs)?;
    let store = settings.open_store()?;
    // Runs recorded now, replaced (recorded while running), already recorded.
    let (mut new, mut updated, mut already) = (0, 0, 0);
    let mut imported_jobs = Vec::new();
    for job in &jobs {
        if !storable(&job.name) {
            printer.warn(&format!(
                "skipped Glue job `{}`: its name cannot be a run store folder",
                job.name
            ));
            continue;
        }
        let runs = runtime.block_on(records(&aws, job, since, prices, printer))?;
        for run in runs {
            match save(&store, &run)? {
                Saved::New => new += 1,
                Saved::Updated => updated += 1,
                Saved::Already => already += 1,
            }
        }
        imported_jobs.push(job.name.as_str());
    }
    printer.note(&format!(
        "imported {new} Glue run(s) of {} job(s), {updated} updated (were running), {already} already recorded",
        imported_jobs.len(),
    ));
    let speedup = args.glue_speedup.unwrap_or(Decimal::ONE);
    let estimates = estimate(&store, &imported_jobs, since, args, &book, speedup)?;
    let rows: Vec<GlueMigrationRow> = estimates.iter().map(GlueMigrationRow::from).collect();
    let notes = report::glue::notes(speedup, window_days(args), &book, &aws.region);
    let grid = report::glue::table(&estimates, notes);
    printer.data(&report::render(settings.format, &rows, || grid.clone())?)?;
    // Data formats carry no notes: what the figures assume goes to stderr.
    if matches!(settings.format, Format::Json | Format::Csv) {
        grid.notes.iter().for_each(|note| printer.note(note));
    }
    Ok(())
}

/// A job name that is safe as a folder name in the store.
fn storable(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\', '\0'])
}

/// The job's runs since `since` as run records; a run that cannot be priced is skipped
/// with a warning that says why.
async fn records(
    aws: &Aws,
    job: &GlueJob,
    since: DateTime<Utc>,
    prices: &RegionPrices,
    printer: &Printer,
) -> crate::error::Result<Vec<Run>> {
    let mut records = Vec::new();
    for run in glue::runs(aws, &job.name, since).await? {
        // A record the store would refuse on read (e.g. past the per-run cost bound) is
        // not written either.
        let checked = glue_run::record(job, &run, &aws.region, prices)
            .map_err(|e| e.to_string())
            .and_then(|r| r.validate().map(|()| r));
        match checked {
            Ok(record) => records.push(record),
            Err(why) => printer.warn(&format!(
                "skipped Glue run {} of job {}: {why}",
                run.id, job.name
            )),
        }
    }
    Ok(records)
}

/// What [`save`] did with a run.
enum Saved {
    New,
    Updated,
    Already,
}

/// Record a run once; a run recorded while still running is replaced by its newer state.
fn save(store: &Store, run: &Run) -> crate::error::Result<Saved> {
    if !store.contains(&run.job, &run.id) {
        store.write(run, &[])?;
        return Ok(Saved::New);
    }
    let (stored, _) = store.runs_by_id(&run.job, std::slice::from_ref(&run.id));
    let was_running = stored
        .iter()
        .any(|s| s.id == run.id && s.stop_reason == StopReason::Running);
    if was_running && stored.iter().all(|s| s != run) {
        store.replace(run, &[])?;
        return Ok(Saved::Updated);
    }
    Ok(Saved::Already)
}

fn window_days(args: &ImportGlueArgs) -> Decimal {
    Decimal::from(args.since.as_secs()) / Decimal::from(86_400)
}

/// The estimate over every recorded Glue run of the imported jobs in the window (so a
/// second import, which records nothing, shows the same table).
fn estimate(
    store: &Store,
    jobs: &[&str],
    since: DateTime<Utc>,
    args: &ImportGlueArgs,
    book: &crate::pricing::book::PriceBook,
    speedup: Decimal,
) -> crate::error::Result<Vec<GlueMigration>> {
    let mut runs = Vec::new();
    for job in jobs {
        let (recorded, _) = store.runs(Some(job));
        runs.extend(
            recorded
                .into_iter()
                .filter(|r| r.backend == Backend::Glue && r.started_at >= since),
        );
    }
    glue_migration::estimate(book, &runs, window_days(args), speedup)
}
