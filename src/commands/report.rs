//! `fargate-cost report`: per-job cost of a month (or period) of recorded runs, with the
//! Spot, Glue and right-sized alternatives; CSV to reports/ by default.

use std::io::Write;
use std::path::PathBuf;

use crate::analysis::monthly::{self, COLUMNS, Period, ReportRow};
use crate::cli::ReportArgs;
use crate::error::Error;
use crate::model::job::Config;
use crate::pricing::book::PriceBook;
use crate::printer::Printer;
use crate::report::{self, Format, Grid, text};
use crate::settings::GlobalSettings;
use crate::store::index;
use crate::store::{Store, write_atomic};

/// Run `report`.
pub fn report(
    settings: &GlobalSettings,
    args: &ReportArgs,
    printer: &Printer,
) -> anyhow::Result<()> {
    let period = match (&args.month, &args.from, &args.to) {
        (Some(month), None, None) => Period::month(month)?,
        (None, Some(from), Some(to)) => Period::between(from, to)?,
        (None, None, None) => Period::this_month(chrono::Utc::now()),
        _ => {
            return Err(Error::invalid(
                "--month",
                "give --month YYYY-MM, or --from and --to (YYYY-MM-DD)",
            )
            .into());
        }
    };
    let jobs = if settings.config.exists() {
        Config::load(&settings.config)?.jobs
    } else {
        Vec::new()
    };
    let store = Store::new(&settings.store);
    let (added, skipped) = index::refresh(&store)?;
    for s in &skipped {
        printer.warn(&format!("skipped {}: {}", s.path.display(), s.reason));
    }
    printer.debug(&format!("run index: {added} new run(s) indexed"));
    let book = PriceBook::bundled()?;
    let rows = monthly::report(index::scan(&store)?, &period, &book, &jobs)?;
    if rows.is_empty() {
        printer.note(&format!(
            "no recorded runs in {} (store {})",
            period.label,
            store.root().display()
        ));
    }
    let output = match settings.format {
        Format::Csv if rows.is_empty() => report::csv::header_only(&COLUMNS),
        _ => report::render(settings.format, &rows, || grid(&rows, &period))?,
    };
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

fn grid(rows: &[ReportRow], period: &Period) -> Grid {
    let money = |v: Option<rust_decimal::Decimal>| v.map_or_else(|| "–".to_string(), text::usd);
    Grid {
        headers: [
            "Job",
            "Runs (failed)",
            "Billed h",
            "Fargate",
            "Spot",
            "Glue equiv.",
            "Right-sized",
            "Saving",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.job.clone(),
                    format!("{} ({})", r.runs, r.failed_runs),
                    format!("{}", r.billed_hours.round_dp(2)),
                    text::usd(r.fargate_usd),
                    money(r.fargate_spot_usd),
                    money(r.glue_equivalent_usd),
                    match (r.recommended_cpu_vcpu, r.recommended_memory_gib) {
                        (Some(c), Some(m)) => format!(
                            "{} vCPU / {} GB: {}",
                            c.normalize(),
                            m.normalize(),
                            money(r.recommended_usd)
                        ),
                        _ => money(r.recommended_usd),
                    },
                    money(r.savings_usd),
                ]
            })
            .collect(),
        right_aligned: vec![1, 2, 3, 4, 5, 7],
        notes: vec![format!(
            "{}: each run billed at its own size, architecture and capacity; runs crossing the period's edge are split at it (UTC). Spot, Glue and right-sized columns price the same runs.",
            period.label
        )],
        wide: false,
    }
}
