//! `fargate-cost compare`: price the config's jobs (or one ad-hoc job from flags) on
//! Fargate and Glue and print the comparison.

use anyhow::Context;
use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::analysis::comparison::{self, Workload};
use crate::analysis::glue_migration::imported_job;
use crate::analysis::workload::{Overrides, configured};
use crate::cli::{self, CompareArgs};
use crate::error::{Error, Result};
use crate::model::job::Config;
use crate::pricing::savings_plan::SavingsPlan;
use crate::printer::Printer;
use crate::report::rows::CompareRow;
use crate::report::{self, Format};
use crate::settings::{CompareSettings, CompareTarget, GlobalSettings};

/// Run `compare`.
pub(crate) fn compare(
    settings: &GlobalSettings,
    args: &CompareArgs,
    printer: &Printer,
) -> anyhow::Result<()> {
    let compare = CompareSettings::resolve(args)?;
    let mut notes = Vec::new();
    let (workloads, config_plan) = workloads(settings, &compare, printer, &mut notes)?;
    let regions: Vec<String> = workloads.iter().map(|w| w.region.clone()).collect();
    let prices = settings.prices_for(&regions)?;
    if let Some(warning) = &prices.warning {
        printer.warn(warning);
    }
    prices.notes.iter().for_each(|n| printer.debug(n));
    let (book, plan) = settings.with_savings_plan_of(prices.book, config_plan)?;
    let comparisons = workloads
        .par_iter()
        .map(|w| {
            comparison::compare(&book, w)
                .map_err(cli::name_flag)
                .with_context(|| format!("pricing job `{}`", w.name))
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect::<anyhow::Result<Vec<_>>>()?;

    let mut speedups: Vec<Decimal> = workloads.iter().map(|w| w.glue_speedup).collect();
    speedups.dedup();
    notes.extend(speedups.into_iter().map(comparison::duration_assumption));
    notes.extend(comparisons.iter().flat_map(|c| c.notes.iter().cloned()));
    let names: Vec<&str> = workloads.iter().map(|w| w.name.as_str()).collect();
    let mut notes = report::compare::grouped_notes(&notes, &names);
    notes.push(format!(
        "{} (sources: fargate-cost prices show).",
        prices.footer
    ));
    notes.push(prices.spot);
    notes.extend(plan);

    let rows: Vec<_> = comparisons.par_iter().map(CompareRow::from).collect();
    let output = report::render(settings.format, &rows, || {
        report::compare::comparisons(&comparisons, &notes)
    })?;
    printer.data(&output)?;
    if matches!(settings.format, Format::Json | Format::Csv) {
        for note in &notes {
            printer.note(note);
        }
    }
    Ok(())
}

/// The workloads to price: the ad-hoc one, or the config's jobs with their recorded runs
/// in place of the configured guesses.
fn workloads(
    settings: &GlobalSettings,
    compare: &CompareSettings,
    printer: &Printer,
    notes: &mut Vec<String>,
) -> Result<(Vec<Workload>, Option<Option<SavingsPlan>>)> {
    let overrides = &compare.overrides;
    let job_name = match &compare.target {
        CompareTarget::Adhoc { size, duration } => {
            let region = settings.region_for(None);
            let workload = Workload::adhoc(*size, *duration, overrides, region, notes);
            return Ok((vec![workload.map_err(cli::name_flag)?], None));
        }
        CompareTarget::Jobs(name) => name,
    };
    let config = load_config(settings);
    if let Some(name) = job_name
        && !config
            .as_ref()
            .is_ok_and(|c| c.jobs.iter().any(|j| &j.name == name))
        && let Some(workload) = imported_glue(settings, name, overrides, notes)?
    {
        return Ok((vec![workload], None));
    }
    let config = config?;
    let jobs = match job_name {
        Some(name) => vec![config.job(name)?],
        None => config.jobs.iter().collect(),
    };
    if jobs.is_empty() {
        printer.warn(&format!("{} has no [[jobs]]", config.path.display()));
    }
    let store = settings.open_store()?;
    let source = config.path.display().to_string();
    let with_runs = store.job_names();
    // Jobs are resolved side by side (a 10,000-job config); warnings and notes keep the
    // config's order.
    let now = chrono::Utc::now();
    let resolved = jobs
        .into_par_iter()
        .map(|job| {
            let (runs, _) = match with_runs.contains(&job.name) {
                true => store.runs(Some(&job.name)),
                false => Default::default(),
            };
            let warnings = job
                .size
                .map(|size| super::heap_warnings(&config, job, size).1)
                .unwrap_or_default();
            let mut notes = Vec::new();
            let region = settings.region_for(job.region.as_deref());
            let workload = configured(job, runs, overrides, region, &source, now, &mut notes)
                .map_err(cli::name_flag);
            (workload, notes, warnings)
        })
        .collect::<Vec<_>>();
    let mut workloads = Vec::with_capacity(resolved.len());
    let mut warnings = Vec::new();
    for (workload, job_notes, job_warnings) in resolved {
        workloads.push(workload?);
        notes.extend(job_notes);
        warnings.extend(job_warnings);
    }
    // The same heap warning about thousands of jobs is one line naming a few of them.
    let names: Vec<&str> = workloads.iter().map(|w| w.name.as_str()).collect();
    for warning in report::compare::grouped_notes(&warnings, &names) {
        printer.warn(&warning);
    }
    Ok((workloads, Some(config.savings_plan)))
}

/// `--job NAME` for a job the config does not have but `import glue` recorded: priced
/// from its Glue runs (`None` when the store has none).
fn imported_glue(
    settings: &GlobalSettings,
    name: &str,
    overrides: &Overrides,
    notes: &mut Vec<String>,
) -> Result<Option<Workload>> {
    let (runs, _) = settings.open_store()?.runs(Some(name));
    let speedup = overrides.glue_speedup.unwrap_or(Decimal::ONE);
    let Some((job, note)) = imported_job(name, &runs, chrono::Utc::now(), speedup)? else {
        return Ok(None);
    };
    notes.push(note);
    let region = settings.region_for(job.region.as_deref());
    let workload = Workload::for_job(&job, overrides, region, "the run store", notes);
    workload.map(Some).map_err(cli::name_flag)
}

fn load_config(settings: &GlobalSettings) -> Result<Config> {
    if !settings.config_given && !settings.config.exists() {
        return Err(Error::invalid(
            "--config",
            format!(
                "no {} in this directory; pass --config FILE, or describe one job with --cpu, --memory and --duration",
                settings.config.display()
            ),
        ));
    }
    Config::load(&settings.config)
}
