//! `fargate-cost report`: per-job cost of a month (or period) of recorded runs, with the
//! Spot, Glue and right-sized alternatives; CSV to reports/ by default.
//!
//! The command does the reading: it refreshes the run index, scans it with polars for the
//! runs whose billed window overlaps the period (filtering, finding task shapes and each
//! run's milliseconds inside the period — no money arithmetic) and reads each job's latest
//! run records from the store for the recommendations. `analysis::monthly` prices and adds
//! exactly; `report::monthly` rounds once into the contract rows.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;

use polars::prelude::*;
use rust_decimal::Decimal;

use crate::analysis::monthly::{
    self, Period, RECOMMEND_FROM, RECOMMEND_LOOKBACK_DAYS, RunUsage, Shape, Usage,
};
use crate::cli::ReportArgs;
use crate::error::{Error, Result};
use crate::model::job::Config;
use crate::model::run::Run;
use crate::pricing::book::PriceBook;
use crate::printer::Printer;
use crate::report::monthly::{COLUMNS, ReportRow};
use crate::report::{self, Format, Grid, text};
use crate::settings::GlobalSettings;
use crate::store::index::{self, columns as c, parse_or_default};
use crate::store::{Skipped, Store, write_atomic};

/// Run `report`.
pub fn report(
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
    let store = Store::new(&settings.store);
    let (added, mut skipped) = index::refresh(&store)?;
    printer.debug(&format!("run index: {added} new run(s) indexed"));
    let input = read_period(&store, &period)?;
    skipped.extend(input.skipped);
    let mut warned = HashSet::new();
    for s in skipped.iter().filter(|s| warned.insert(s.path.clone())) {
        printer.warn(&format!("skipped {}: {}", s.path.display(), s.reason));
    }
    let book = PriceBook::bundled()?;
    let monthly = monthly::report(&input.usage, &input.recent, &period, &book, &jobs);
    let rows = report::monthly::rows(&monthly);
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

/// What the report reads for a period.
#[derive(Debug, Clone, Default)]
pub struct PeriodInput {
    /// The runs whose billed window overlaps the period.
    pub usage: Usage,
    /// Each job's latest run records (at most [`RECOMMEND_FROM`] a job, started in the
    /// lookback before the period's end), read from the store by id.
    pub recent: Vec<Run>,
    /// Run files that could not be read.
    pub skipped: Vec<Skipped>,
}

fn polars_error(e: PolarsError) -> Error {
    Error::Store(format!("report: {e}"))
}

/// Read a period's usage from the run index (as it is: [`index::refresh`] first to add new
/// runs) and the runs the recommendations need from the store.
pub fn read_period(store: &Store, period: &Period) -> Result<PeriodInput> {
    let Some(lazy) = index::scan(store)? else {
        return Ok(PeriodInput::default());
    };
    let usage = usage(&lazy, period)?;
    let mut recent = Vec::new();
    let mut skipped = Vec::new();
    for (job, ids) in latest_ids(&lazy, period)? {
        let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
        let (runs, bad) = store.runs_where(Some(&job), |id| wanted.contains(id));
        recent.extend(
            runs.into_iter()
                .filter(|r| r.job == job && wanted.contains(r.id.as_str())),
        );
        skipped.extend(bad);
    }
    Ok(PeriodInput {
        usage,
        recent,
        skipped,
    })
}

/// The index columns that make a run's shape.
const SHAPE: [&str; 8] = [
    c::JOB,
    c::REGION,
    c::ARCH,
    c::OS,
    c::CAPACITY,
    c::CPU_UNITS,
    c::MEMORY_MIB,
    c::STORAGE_GIB,
];

/// The runs whose billed window [billed_from, billed_from + billed_s × 1000) overlaps the
/// period, with their milliseconds inside it.
fn usage(lazy: &LazyFrame, period: &Period) -> Result<Usage> {
    let (from, to) = (period.from.timestamp_millis(), period.to.timestamp_millis());
    let start = col(c::BILLED_FROM_MS);
    let end = col(c::BILLED_FROM_MS) + col(c::BILLED_S) * lit(1000i64);
    let mut columns: Vec<Expr> = SHAPE.iter().map(|k| col(*k)).collect();
    columns.extend([
        (when(end.clone().lt(lit(to)))
            .then(end.clone())
            .otherwise(lit(to))
            - when(start.clone().gt(lit(from)))
                .then(start.clone())
                .otherwise(lit(from)))
        .alias("inside_ms"),
        col(c::BILLED_S),
        col(c::DURATION_MS),
        col(c::USD),
        start
            .clone()
            .gt_eq(lit(from))
            .and(start.clone().lt(lit(to)))
            .alias("counted"),
        col(c::STOP_REASON).neq(lit("completed")).alias("failed"),
    ]);
    let frame = lazy
        .clone()
        .filter(start.lt(lit(to)).and(end.gt(lit(from))))
        .select(columns)
        .collect()
        .map_err(polars_error)?;
    usage_from(&frame)
}

fn strings(frame: &DataFrame, name: &str) -> Result<StringChunked> {
    frame
        .column(name)
        .and_then(|x| x.str().cloned())
        .map_err(polars_error)
}

fn ints(frame: &DataFrame, name: &str) -> Result<Int64Chunked> {
    frame
        .column(name)
        .and_then(|x| x.i64().cloned())
        .map_err(polars_error)
}

fn flags(frame: &DataFrame, name: &str) -> Result<BooleanChunked> {
    frame
        .column(name)
        .and_then(|x| x.bool().cloned())
        .map_err(polars_error)
}

/// A shape as its index values: job, region, arch, os, capacity, CPU units, MiB, GiB.
type ShapeKey<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, i64, i64, i64);

fn shape_of(key: ShapeKey) -> Shape {
    let small = |v: i64| v.clamp(0, u32::MAX.into()) as u32;
    Shape {
        job: key.0.into(),
        region: key.1.into(),
        arch: parse_or_default(Some(key.2)),
        os: parse_or_default(Some(key.3)),
        capacity: parse_or_default(Some(key.4)),
        cpu_units: small(key.5),
        memory_mib: small(key.6),
        ephemeral_storage_gib: small(key.7),
    }
}

fn exact_usd(text: &str) -> Result<Decimal> {
    Decimal::from_str_exact(text).map_err(|e| {
        Error::Store(format!(
            "run index: recorded cost `{text}` is not a decimal ({e}); delete the store's index/runs.parquet to rebuild it"
        ))
    })
}

fn next_str<'a>(column: &mut impl Iterator<Item = Option<&'a str>>) -> &'a str {
    column.next().flatten().unwrap_or("")
}

fn next_int(column: &mut impl Iterator<Item = Option<i64>>) -> i64 {
    column.next().flatten().unwrap_or(0)
}

/// Each row as a [`RunUsage`], its shape numbered in order of first appearance.
fn usage_from(frame: &DataFrame) -> Result<Usage> {
    let text = |name| strings(frame, name);
    let (job, region, arch, os, capacity) = (
        text(c::JOB)?,
        text(c::REGION)?,
        text(c::ARCH)?,
        text(c::OS)?,
        text(c::CAPACITY)?,
    );
    let int = |name| ints(frame, name);
    let (cpu, memory, storage) = (
        int(c::CPU_UNITS)?,
        int(c::MEMORY_MIB)?,
        int(c::STORAGE_GIB)?,
    );
    let (inside, billed, duration) = (int("inside_ms")?, int(c::BILLED_S)?, int(c::DURATION_MS)?);
    let (usd, counted, failed) = (
        text(c::USD)?,
        flags(frame, "counted")?,
        flags(frame, "failed")?,
    );
    let (mut job, mut region, mut arch, mut os, mut capacity, mut usd) = (
        job.iter(),
        region.iter(),
        arch.iter(),
        os.iter(),
        capacity.iter(),
        usd.iter(),
    );
    let (mut cpu, mut memory, mut storage) = (cpu.iter(), memory.iter(), storage.iter());
    let (mut inside, mut billed, mut duration) = (inside.iter(), billed.iter(), duration.iter());
    let (mut counted, mut failed) = (counted.iter(), failed.iter());
    let count = |v: i64| v.max(0) as u64;
    let mut numbers: HashMap<ShapeKey, usize> = HashMap::new();
    let mut usage = Usage::default();
    usage.runs.reserve(frame.height());
    for _ in 0..frame.height() {
        let key: ShapeKey = (
            next_str(&mut job),
            next_str(&mut region),
            next_str(&mut arch),
            next_str(&mut os),
            next_str(&mut capacity),
            next_int(&mut cpu),
            next_int(&mut memory),
            next_int(&mut storage),
        );
        let shape = *numbers.entry(key).or_insert_with(|| {
            usage.shapes.push(shape_of(key));
            usage.shapes.len() - 1
        });
        usage.runs.push(RunUsage {
            shape,
            inside_ms: count(next_int(&mut inside)),
            billed_seconds: count(next_int(&mut billed)),
            duration_ms: count(next_int(&mut duration)),
            usd: exact_usd(next_str(&mut usd))?,
            counted: counted.next().flatten().unwrap_or(false),
            failed: failed.next().flatten().unwrap_or(false),
        });
    }
    Ok(usage)
}

/// Each job's latest run ids (at most [`RECOMMEND_FROM`]) started in the lookback before
/// the period's end. Pass 1, two narrow columns: when does each job's latest
/// [`RECOMMEND_FROM`]th run start? Pass 2 reads ids only from the earliest of those instants
/// on (a predicate the Parquet scan applies).
fn latest_ids(lazy: &LazyFrame, period: &Period) -> Result<HashMap<String, Vec<String>>> {
    let lookback = (period.to - chrono::Duration::days(RECOMMEND_LOOKBACK_DAYS)).timestamp_millis();
    let window = col(c::STARTED_MS)
        .gt_eq(lit(lookback))
        .and(col(c::STARTED_MS).lt(lit(period.to.timestamp_millis())));
    let cutoffs = lazy
        .clone()
        .filter(window.clone())
        .select([col(c::JOB), col(c::STARTED_MS)])
        .group_by([col(c::JOB)])
        .agg([col(c::STARTED_MS)
            .sort(SortOptions::default().with_order_descending(true))
            .head(Some(RECOMMEND_FROM))
            .min()
            .alias("cutoff")])
        .select([col("cutoff").min()])
        .collect()
        .map_err(polars_error)?;
    let cutoff = ints(&cutoffs, "cutoff")?.get(0).unwrap_or(lookback);
    let recent = lazy
        .clone()
        .filter(window.and(col(c::STARTED_MS).gt_eq(lit(cutoff))))
        .select([col(c::JOB), col(c::ID), col(c::STARTED_MS)])
        .collect()
        .map_err(polars_error)?;
    let (job, id, started) = (
        strings(&recent, c::JOB)?,
        strings(&recent, c::ID)?,
        ints(&recent, c::STARTED_MS)?,
    );
    let mut by_job: HashMap<String, Vec<(i64, String)>> = HashMap::new();
    for k in 0..recent.height() {
        if let (Some(job), Some(id)) = (job.get(k), id.get(k)) {
            let entry = by_job.entry(job.to_string()).or_default();
            entry.push((started.get(k).unwrap_or(0), id.to_string()));
        }
    }
    Ok(by_job
        .into_iter()
        .map(|(job, mut runs)| {
            runs.sort_by(|a, b| b.cmp(a));
            runs.truncate(RECOMMEND_FROM);
            (job, runs.into_iter().map(|(_, id)| id).collect())
        })
        .collect())
}
