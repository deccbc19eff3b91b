//! `fargate-cost prices show`: print the price book, every rate with its source.

use crate::pricing::book::RegionPrices;
use crate::printer::Printer;
use crate::report;
use crate::report::prices::PriceRow;
use crate::settings::GlobalSettings;

/// Run `prices show`.
pub(crate) fn show(settings: &GlobalSettings, printer: &Printer) -> anyhow::Result<()> {
    let prices = settings.prices_for(&settings.default_regions())?;
    if let Some(warning) = &prices.warning {
        printer.warn(warning);
    }
    prices.notes.iter().for_each(|n| printer.debug(n));
    let (book, plan) = settings.with_savings_plan(prices.book)?;
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
        grid.notes.push(format!("{}.", prices.footer));
        grid.notes.push(prices.spot.clone());
        grid.notes.extend(plan.clone());
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
    if matches!(settings.format, report::Format::Json | report::Format::Csv) {
        // Scripts get the rows on stdout; which prices they are is said on stderr.
        printer.note(&format!("{}.", prices.footer));
        printer.note(&prices.spot);
        plan.iter().for_each(|p| printer.note(p));
    }
    Ok(())
}
