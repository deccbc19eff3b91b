//! `fargate-cost prices update`: fetch current rates from the Price List API (and with
//! `--savings-plans` the Savings Plans API) into the price cache and print what changed.

use std::io::Write;
use std::path::PathBuf;

use crate::aws;
use crate::cli::PricesUpdateArgs;
use crate::error::Error;
use crate::pricing::book::PriceBook;
use crate::pricing::cache::{self, PriceCache};
use crate::pricing::plan_rates;
use crate::printer::Printer;
use crate::report;
use crate::settings::GlobalSettings;

/// Run `prices update`.
pub(crate) fn update(
    settings: &GlobalSettings,
    args: &PricesUpdateArgs,
    printer: &Printer,
) -> anyhow::Result<()> {
    let bundled = PriceBook::bundled()?;
    let regions: Vec<String> = match (&args.regions, &settings.region) {
        (given, _) if !given.is_empty() => given.clone(),
        (_, Some(region)) => vec![region.clone()],
        _ => bundled.regions.keys().cloned().collect(),
    };
    let path = cache_path(settings)?;
    // A file that is not a price cache is refused: `update` would overwrite it.
    let previous = crate::settings::read_price_cache(&path).map_err(|e| {
        Error::PriceCache(format!(
            "{e}; not overwriting it: remove it or pass another --prices-file"
        ))
    })?;
    let fetched_at = chrono::Utc::now()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        .to_string();
    let (fetched, endpoint) = fetch(settings, args, &regions, &fetched_at, printer)?;
    if fetched.regions.is_empty() && fetched.savings_plans.is_empty() {
        return Err(Error::invalid(
            "REGION",
            format!(
                "the Price List has no Fargate, Glue or VPC rates for {}; nothing cached (valid: AWS region codes such as us-east-1)",
                regions.join(", ")
            ),
        )
        .into());
    }
    let changes = cache::diff(&fetched, previous.as_ref(), &bundled);
    let mut merged = previous.unwrap_or_else(|| PriceCache::new(&fetched_at, &endpoint));
    merged.fetched_at = fetched_at.clone();
    merged.endpoint = endpoint.clone();
    merged.regions.extend(fetched.regions.clone());
    merged.savings_plans.extend(fetched.savings_plans.clone());
    let on_demand = |region: &str, name: &str| {
        let rates = &merged.regions.get(region)?.rates;
        rates.get(name).map(|r| r.usd)
    };
    for line in plan_rates::above_on_demand(&fetched.savings_plans, on_demand) {
        printer.warn(&line);
    }
    let text = merged.to_json()?;
    crate::store::fs::write_atomic(&path, |file| {
        file.write_all(text.as_bytes())
            .map_err(|e| Error::Store(format!("cannot write {}: {e}", path.display())))
    })?;
    let rates: usize = fetched.regions.values().map(|r| r.rates.len()).sum();
    printer.note(&format!(
        "cached {rates} rates of {} region(s) from {endpoint} in {}",
        fetched.regions.len(),
        path.display()
    ));
    if args.savings_plans {
        let plan_rates: usize = fetched
            .savings_plans
            .values()
            .flat_map(|p| p.terms.values())
            .map(|t| t.len())
            .sum();
        printer.note(&format!(
            "cached {plan_rates} Compute Savings Plan rates (1y, 3y; No Upfront) of {} region(s); `--savings-plan 1y|3y` uses them",
            fetched.savings_plans.len()
        ));
    }
    let rows = report::price_diff::rows(&changes);
    let output = report::render(settings.format, &rows, || {
        let mut grid = report::price_diff::grid(&rows);
        grid.notes.push(format!(
            "Price List API ({endpoint}), fetched {fetched_at}: {rates} rates of {} region(s).",
            fetched.regions.len()
        ));
        if rows.iter().any(|r| r.new_usd.is_none()) {
            grid.notes.push(
                "not listed: the Price List gave no usable figure; the previous one still applies."
                    .into(),
            );
        }
        if rows.is_empty() {
            grid.notes
                .push("No rate changed against the previous cache or the bundled book.".into());
        }
        grid
    })?;
    printer.data(&output)?;
    Ok(())
}

/// The Price List's rates of `regions` (and with `--savings-plans` the Savings Plans API's),
/// with a progress line per service and region, and the Price List endpoint.
fn fetch(
    settings: &GlobalSettings,
    args: &PricesUpdateArgs,
    regions: &[String],
    fetched_at: &str,
    printer: &Printer,
) -> crate::error::Result<(PriceCache, String)> {
    let runtime = aws::runtime()?;
    let line = report::progress::status_line(printer);
    let outcome = runtime.block_on(async {
        let client = aws::pricing::connect(&settings.aws, settings.region.as_deref()).await?;
        let (mut fetched, parses) = client
            .fetch(regions, fetched_at, |service, region, n| {
                line.set_message(format!("{service} {region}: {n} products"));
            })
            .await?;
        // When no region gave rates, the command fails in one line instead.
        let some = parses.iter().any(|(_, p)| !p.rates.is_empty());
        for (region, parsed) in &parses {
            parsed.skipped_notes(region).iter().for_each(|n| printer.debug(n));
            parsed.unreadable_notes(region).iter().for_each(|n| printer.warn(n));
            if some && parsed.rates.is_empty() {
                printer.warn(&format!(
                    "the Price List gave no Fargate, Glue or VPC rates for {region}; is the region code right? (not cached)"
                ));
            }
        }
        if args.savings_plans {
            let api = aws::savings_plans::connect(&settings.aws).await?;
            let (plans, notes) = api
                .fetch(regions, fetched_at, |n| {
                    line.set_message(format!("Savings Plans: {n} rates"));
                })
                .await?;
            notes.iter().for_each(|n| printer.warn(n));
            for region in regions.iter().filter(|r| !plans.contains_key(*r)) {
                printer.warn(&format!(
                    "the Savings Plans API gave no Fargate Compute rates for {region} (not cached)"
                ));
            }
            fetched.savings_plans = plans;
        }
        Ok::<_, Error>((fetched, client.endpoint.clone()))
    });
    line.finish_and_clear();
    outcome
}

/// `--prices-file`, else the XDG cache path.
fn cache_path(settings: &GlobalSettings) -> crate::error::Result<PathBuf> {
    settings.prices_file.clone().ok_or_else(|| {
        Error::invalid(
            "--prices-file",
            "no cache directory: set XDG_CACHE_HOME or HOME, or pass --prices-file FILE",
        )
    })
}
