//! `fargate-cost report`: per-job cost of a month (or period) of recorded runs, with the
//! Spot, Glue and right-sized alternatives; CSV to reports/ by default.
//!
//! Resolve the period, refresh the run index, read the period's usage from the store
//! (`store::period`), price and add it exactly (`analysis::monthly`), round once into the
//! contract rows (`report::monthly`), write the CSV and the chart.

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;

use super::prices_in_use;
use crate::analysis::monthly;
use crate::cli::ReportArgs;
use crate::error::{Error, Result};
use crate::model::job::Config;
use crate::model::usage::Period;
use crate::printer::Printer;
use crate::report::{self, Format};
use crate::settings::GlobalSettings;
use crate::store::index;
use crate::store::write_atomic;

/// Run `report`.
pub(crate) fn report(
    settings: &GlobalSettings,
    args: &ReportArgs,
    printer: &Printer,
) -> anyhow::Result<()> {
    let period = period(args)?;
    let jobs = if settings.config.exists() {
        Config::load(&settings.config)?.jobs
    } else {
        Vec::new()
    };
    let store = settings.open_store()?;
    let started = std::time::Instant::now();
    // Only the files of the months the report reads are stat'ed (new and removed runs of
    // every month are still followed).
    let (first, last) = crate::store::period::months(&period);
    let refresh = index::refresh(&store, Some((&first, &last)))?;
    if let Some(why) = &refresh.rebuilt {
        printer.warn(&format!("run index rebuilt from the run files ({why})"));
    }
    printer.debug(&format!(
        "run index: {} new run(s) indexed, {} dropped; {} run file(s) read ({:.2} s)",
        refresh.added,
        refresh.removed,
        refresh.parsed,
        started.elapsed().as_secs_f64()
    ));
    let mut skipped = refresh.skipped;
    let started = std::time::Instant::now();
    let mut input = crate::store::period::read(&store, &period)?;
    skipped.append(&mut input.skipped);
    let mut warned = HashSet::new();
    for s in skipped.iter().filter(|s| warned.insert(s.path.clone())) {
        printer.warn(&format!("skipped {}: {}", s.path.display(), s.reason));
    }
    let mut regions = std::mem::take(&mut input.regions);
    if regions.is_empty() {
        regions = settings.default_regions();
    }
    let book = prices_in_use(settings, printer, &regions)?;
    let book = super::under_savings_plan(settings, printer, book)?;
    // The period's runs a part at a time: memory does not grow with the period.
    let mut builder = monthly::Builder::new(&input.recent, &period, &book, &jobs);
    input.for_each_batch(|usage| builder.add(usage))?;
    printer.debug(&format!(
        "read {} run(s) of {} from the index and {} run file(s) for the recommendations ({:.2} s)",
        builder.runs(),
        period.label,
        input.recent.len(),
        started.elapsed().as_secs_f64()
    ));
    let monthly = builder.finish();
    let rows = report::monthly::rows(&monthly);
    if rows.is_empty() {
        printer.note(&format!(
            "no recorded runs in {} (store {})",
            period.label,
            store.name()
        ));
    }
    let output = report::render(settings.format, &rows, || {
        report::monthly::grid(&rows, &period)
    })?;
    let out: Option<PathBuf> = match (&args.out, settings.format) {
        (Some(path), _) => Some(path.clone()),
        (None, Format::Csv) => Some(PathBuf::from(format!(
            "reports/fargate-cost-{}.csv",
            period.label
        ))),
        _ => None,
    };
    if let Some(path) = out {
        write_atomic(&path, |f| {
            f.write_all(output.as_bytes()).map_err(crate::Error::Output)
        })?;
        printer.note(&format!("wrote {}", path.display()));
    }
    if let Some(chart) = &args.chart {
        crate::report::chart::CostChart {
            title: format!("Monthly cost per job, {}", period.label),
            rows: &rows,
        }
        .write(chart)?;
        printer.note(&format!("chart written to {}", chart.display()));
    }
    printer.data(&output)?;
    Ok(())
}

fn period(args: &ReportArgs) -> Result<Period> {
    match (&args.month, &args.from, &args.to) {
        (Some(month), None, None) => Period::month(month),
        (None, Some(from), Some(to)) => Period::between(from, to),
        (None, None, None) => Ok(Period::this_month(chrono::Utc::now())),
        _ => Err(Error::invalid(
            "--month",
            "give --month YYYY-MM, or --from and --to (YYYY-MM-DD)",
        )),
    }
}
