//! Reading a period from the store for the report, under the run index's shared lock: the
//! regions and each job's latest run records (for the recommendations) first, then the runs
//! whose billed window overlaps the period one index part at a time — filtering, task
//! shapes and each run's milliseconds inside the period, no money arithmetic.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use polars::prelude::*;
use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::model::run::{GLUE_RUN_ID_PREFIX, Run};
use crate::model::usage::{
    Period, RECOMMEND_FROM, RECOMMEND_LOOKBACK_DAYS, RunUsage, Shape, Usage,
};
use crate::store::index::{self, columns as c, parse_or_default};
use crate::store::lock::IndexLock;
use crate::store::{Skipped, Store};

/// What the report reads for a period: each job's latest runs and the regions now, the
/// runs of the period a batch at a time ([`PeriodInput::for_each_batch`]).
pub struct PeriodInput {
    /// Each job's latest run records (at most [`RECOMMEND_FROM`] a job, started in the
    /// lookback before the period's end), read from the store by id.
    pub recent: Vec<Run>,
    /// Run files that could not be read.
    pub skipped: Vec<Skipped>,
    /// The regions of the period's runs (their prices are needed before the batches).
    pub regions: Vec<String>,
    /// The index parts of the period's months, one batch each.
    parts: Vec<PathBuf>,
    period: Period,
    // Shared: a refresh elsewhere waits until the batches are read.
    _lock: IndexLock,
}

fn polars_error(e: PolarsError) -> Error {
    Error::Store(format!("report: {e}"))
}

/// Open a period of the run index (as it is: [`index::refresh`] first to add new runs) and
/// read the runs the recommendations need from the store.
pub fn read(store: &Store, period: &Period) -> Result<PeriodInput> {
    let lock = IndexLock::shared(&index::dir(store))?;
    let (first, last) = months(period);
    let parts = index::month_parts(store, &first, &last)?;
    let mut input = PeriodInput {
        recent: Vec::new(),
        skipped: Vec::new(),
        regions: Vec::new(),
        parts: parts.clone(),
        period: period.clone(),
        _lock: lock,
    };
    let Some(lazy) = index::scan_paths(parts)? else {
        return Ok(input);
    };
    input.regions = regions(&lazy, period)?;
    for (job, ids) in latest_ids(&lazy, period)? {
        let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
        let (runs, bad) = store.runs_by_id(&job, &ids);
        input.recent.extend(
            runs.into_iter()
                .filter(|r| r.job == job && wanted.contains(r.id.as_str())),
        );
        input.skipped.extend(bad);
    }
    Ok(input)
}

/// The index months ("YYYY-MM", first and last) a report of `period` reads. A record bills
/// at most 31 days and 5 minutes (Run::validate), so a run overlapping the period starts
/// less than 32 days before it; the recommendations look back 30 days from its end. Parts
/// are by the month of the billed start.
pub fn months(period: &Period) -> (String, String) {
    let first = index::month_of_ms((period.from - chrono::Duration::days(32)).timestamp_millis());
    let last = index::month_of_ms(period.to.timestamp_millis() - 1);
    (first, last)
}

impl PeriodInput {
    /// The period's runs, one index part at a time: memory holds one part's runs, never
    /// the whole period.
    pub fn for_each_batch(&self, mut each: impl FnMut(&Usage)) -> Result<()> {
        for part in &self.parts {
            if let Some(lazy) = index::scan_paths(vec![part.clone()])? {
                each(&usage(&lazy, &self.period)?);
            }
        }
        Ok(())
    }
}

/// A run's billed window [billed_from, billed_from + billed_s × 1000) overlaps the period.
fn overlaps(period: &Period) -> Expr {
    let (from, to) = (period.from.timestamp_millis(), period.to.timestamp_millis());
    let end = col(c::BILLED_FROM_MS) + col(c::BILLED_S) * lit(1000i64);
    col(c::BILLED_FROM_MS).lt(lit(to)).and(end.gt(lit(from)))
}

/// The distinct regions of the runs overlapping the period.
fn regions(lazy: &LazyFrame, period: &Period) -> Result<Vec<String>> {
    let frame = lazy
        .clone()
        .filter(overlaps(period))
        .select([col(c::REGION)])
        .unique(None, UniqueKeepStrategy::Any)
        .collect()
        .map_err(polars_error)?;
    let column = strings(&frame, c::REGION)?;
    let mut regions: Vec<String> = column.iter().flatten().map(str::to_string).collect();
    regions.sort();
    Ok(regions)
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
        col(c::ID),
        col(c::PUBLIC_IPV4_USD),
        col(c::PULL_MS),
        start
            .clone()
            .gt_eq(lit(from))
            .and(start.clone().lt(lit(to)))
            .alias("counted"),
        // A Glue run still running when imported has not failed (yet).
        col(c::STOP_REASON)
            .neq(lit("completed"))
            .and(col(c::STOP_REASON).neq(lit("running")))
            .alias("failed"),
    ]);
    let frame = lazy
        .clone()
        .filter(overlaps(period))
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
            "run index: recorded cost `{text}` is not a decimal ({e}); delete the store's index/ folder to rebuild it"
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
    let ids = text(c::ID)?;
    let mut ids = ids.iter();
    let (ipv4, pull) = (text(c::PUBLIC_IPV4_USD)?, int(c::PULL_MS)?);
    let (mut ipv4, mut pull) = (ipv4.iter(), pull.iter());
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
            public_ipv4_usd: exact_usd(next_str(&mut ipv4))?,
            pull_ms: count(next_int(&mut pull)),
            counted: counted.next().flatten().unwrap_or(false),
            failed: failed.next().flatten().unwrap_or(false),
            glue: next_str(&mut ids).starts_with(GLUE_RUN_ID_PREFIX),
        });
    }
    Ok(usage)
}

/// Each job's latest run ids (at most [`RECOMMEND_FROM`]) started in the lookback before
/// the period's end. Pass 1, two narrow columns: when does each job's latest
/// [`RECOMMEND_FROM`]th run start? Pass 2 reads ids only from the earliest of those instants
/// on (a predicate the Parquet scan applies).
fn latest_ids(lazy: &LazyFrame, period: &Period) -> Result<HashMap<String, Vec<String>>> {
    // The 30 days before the period's end, or the whole period when it is longer (the
    // 1st of a 31-day month is in the period, so its runs count).
    let lookback = (period.to - chrono::Duration::days(RECOMMEND_LOOKBACK_DAYS))
        .min(period.from)
        .timestamp_millis();
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
