//! `fargate-cost runs`: list recorded runs, or show one with its CPU and memory summary.

use crate::cli::{RunsArgs, RunsCommand};
use crate::printer::Printer;
use crate::report::rows::RunRow;
use crate::report::{self, Format};
use crate::settings::GlobalSettings;
use crate::store::Skipped;

fn warn_skipped(printer: &Printer, skipped: &[Skipped]) {
    for s in skipped {
        printer.warn(&format!("skipped {}: {}", s.path.display(), s.reason));
    }
}

/// Run `runs` / `runs show`.
pub(crate) fn runs(
    settings: &GlobalSettings,
    args: &RunsArgs,
    printer: &Printer,
) -> anyhow::Result<()> {
    let store = settings.open_store()?;
    match &args.command {
        None => {
            let (runs, skipped) = store.runs(args.job.as_deref());
            warn_skipped(printer, &skipped);
            if runs.is_empty() {
                printer.note(&format!("no runs recorded in {}", store.name()));
            }
            let rows: Vec<_> = runs.iter().map(RunRow::from).collect();
            let output = report::render(settings.format, &rows, || report::runs::runs(&runs))?;
            printer.data(&output)?;
        }
        Some(RunsCommand::Show { run_id, chart }) => {
            let (run, skipped) = store.find(run_id)?;
            warn_skipped(printer, &skipped);
            if let Some(path) = chart {
                let samples = store.samples(&run)?;
                crate::report::chart::TraceChart {
                    title: format!("{} — run {}", run.job, run.id),
                    samples: &samples,
                    vcpu_limit: f64::from(run.cpu_units) / 1024.0,
                    memory_limit_mib: f64::from(run.memory_mib),
                }
                .write(path)?;
                printer.note(&format!("chart written to {}", path.display()));
            }
            let output = match settings.format {
                Format::Json => {
                    let mut text = serde_json::to_string_pretty(&run)?;
                    text.push('\n');
                    text
                }
                Format::Csv => report::csv::render(&[RunRow::from(&run)])?,
                Format::Table | Format::Markdown => {
                    let samples = store.samples(&run)?;
                    let style = if settings.format == Format::Markdown {
                        report::table::Style::Markdown
                    } else {
                        report::table::Style::Terminal
                    };
                    report::table::render(&report::runs::detail(&run, samples.len()), style)
                }
            };
            printer.data(&output)?;
        }
    }
    Ok(())
}
