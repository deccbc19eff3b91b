//! `fargate-cost prices show`: print the price book, every rate with its source.

use crate::pricing::book::{PriceBook, RegionPrices};
use crate::printer::Printer;
use crate::report;
use crate::report::prices::PriceRow;
use crate::settings::GlobalSettings;

/// Run `prices show`.
pub(crate) fn show(settings: &GlobalSettings, printer: &Printer) -> anyhow::Result<()> {
    let book = PriceBook::bundled()?;
    let regions: Vec<(&String, &RegionPrices)> = match &settings.region {
        Some(code) => {
            book.region(code)?;
            book.regions.iter().filter(|(k, _)| *k == code).collect()
        }
        None => book.regions.iter().collect(),
    };
    let all_rows: Vec<PriceRow> = regions
        .iter()
        .flat_map(|(code, region)| report::prices::rows(&book, code, region))
        .collect();
    let output = report::render(settings.format, &all_rows, || {
        let (title, mut grid) = match regions.as_slice() {
            [(code, region)] if settings.region.is_some() => (
                format!("{code} ({})", region.name),
                report::prices::single_region(&all_rows),
            ),
            _ => ("All regions".to_string(), report::prices::matrix(&regions)),
        };
        grid.notes.insert(
            0,
            format!(
                "{title}: {} as of {} (USD; GB = 1024^3 bytes).",
                book.title, book.as_of
            ),
        );
        for (key, source) in &book.sources {
            if all_rows.iter().any(|r| &r.source == key) {
                grid.notes.push(format!(
                    "[{key}] {} — {} ({}, {})",
                    source.title,
                    source.url,
                    report::prices::grade_name(source.grade),
                    source.as_of
                ));
            }
        }
        grid
    })?;
    printer.data(&output)?;
    Ok(())
}
