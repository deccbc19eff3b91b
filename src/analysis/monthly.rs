//! The monthly report: per job, what recorded runs cost in a period (each run at its own
//! size, architecture and capacity), what the same runs would have cost on Spot, on the
//! Glue equivalent and at the recommended size, and the saving. One lazy polars scan of the
//! run index; money is summed as integer micro-dollars. A run whose billed window crosses
//! the period's edge is split at the edge in proportion to time, as AWS bills usage by hour.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use polars::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use serde::Serialize;

use crate::analysis::sizing::{self, CpuPercentile, JobContext, Options, Strategy};
use crate::error::{Error, Result};
use crate::model::glue::{Engine, GlueVersion};
use crate::model::job::Job;
use crate::model::run::Run;
use crate::model::size::{Arch, Capacity, Os, Size};
use crate::model::task::FargateTask;
use crate::pricing::book::PriceBook;
use crate::pricing::price;
use crate::store::index::{self, columns as c, parse_or_default};

/// A reporting period [from, to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// Start (inclusive).
    pub from: DateTime<Utc>,
    /// End (exclusive).
    pub to: DateTime<Utc>,
    /// "2026-11", or "2026-11-01..2026-11-15".
    pub label: String,
}

impl Period {
    /// A calendar month, "YYYY-MM", in UTC.
    pub fn month(text: &str) -> Result<Period> {
        let bad = || {
            Error::invalid(
                "--month",
                format!("`{text}` is not a month; write YYYY-MM, e.g. 2026-11"),
            )
        };
        let (year, month) = text.trim().split_once('-').ok_or_else(bad)?;
        let (year, month): (i32, u32) = (
            year.parse().map_err(|_| bad())?,
            month.parse().map_err(|_| bad())?,
        );
        let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(bad)?;
        let next = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)
        }
        .ok_or_else(bad)?;
        Ok(Period {
            from: Utc.from_utc_datetime(&first.and_time(chrono::NaiveTime::MIN)),
            to: Utc.from_utc_datetime(&next.and_time(chrono::NaiveTime::MIN)),
            label: format!("{year:04}-{month:02}"),
        })
    }

    /// Days "YYYY-MM-DD" from (inclusive) to (exclusive).
    pub fn between(from: &str, to: &str) -> Result<Period> {
        let day = |flag: &str, text: &str| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map(|d| Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN)))
                .map_err(|_| {
                    Error::invalid(flag, format!("`{text}` is not a date; write YYYY-MM-DD"))
                })
        };
        let (start, end) = (day("--from", from)?, day("--to", to)?);
        if end <= start {
            return Err(Error::invalid(
                "--to",
                format!("{to} must be after --from {from}"),
            ));
        }
        Ok(Period {
            from: start,
            to: end,
            label: format!("{from}..{to}"),
        })
    }

    /// The current month.
    pub fn this_month(now: DateTime<Utc>) -> Period {
        Period::month(&format!("{:04}-{:02}", now.year(), now.month())).unwrap_or(Period {
            from: now,
            to: now,
            label: String::new(),
        })
    }
}

/// One report row; field order is the contract's CSV column order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRow {
    /// Period label.
    pub month: String,
    /// Job, or TOTAL.
    pub job: String,
    /// Runs that started in the period.
    pub runs: u64,
    /// Of which did not complete.
    pub failed_runs: u64,
    /// Billed hours in the period.
    #[serde(with = "crate::report::number")]
    pub billed_hours: Decimal,
    /// vCPU-hours.
    #[serde(with = "crate::report::number")]
    pub vcpu_hours: Decimal,
    /// GB-hours.
    #[serde(with = "crate::report::number")]
    pub gb_hours: Decimal,
    /// Fargate cost as run.
    #[serde(with = "crate::report::number")]
    pub fargate_usd: Decimal,
    /// The same runs on Spot.
    #[serde(with = "crate::report::number::option")]
    pub fargate_spot_usd: Option<Decimal>,
    /// The same runs on the Glue equivalent.
    #[serde(with = "crate::report::number::option")]
    pub glue_equivalent_usd: Option<Decimal>,
    /// Recommended vCPU.
    #[serde(with = "crate::report::number::option")]
    pub recommended_cpu_vcpu: Option<Decimal>,
    /// Recommended GiB.
    #[serde(with = "crate::report::number::option")]
    pub recommended_memory_gib: Option<Decimal>,
    /// The same runs at the recommended size.
    #[serde(with = "crate::report::number::option")]
    pub recommended_usd: Option<Decimal>,
    /// fargate_usd − recommended_usd, never below 0 nor above the cost.
    #[serde(with = "crate::report::number::option")]
    pub savings_usd: Option<Decimal>,
}

/// The contract's CSV columns (for a header-only file).
pub const COLUMNS: [&str; 14] = [
    "month",
    "job",
    "runs",
    "failed_runs",
    "billed_hours",
    "vcpu_hours",
    "gb_hours",
    "fargate_usd",
    "fargate_spot_usd",
    "glue_equivalent_usd",
    "recommended_cpu_vcpu",
    "recommended_memory_gib",
    "recommended_usd",
    "savings_usd",
];

fn polars_error(e: PolarsError) -> Error {
    Error::Store(format!("report: {e}"))
}

fn micros(value: Decimal) -> f64 {
    (value * Decimal::from(1_000_000)).to_f64().unwrap_or(0.0)
}

fn usd_from_micros(value: i64) -> Decimal {
    Decimal::new(value, 6)
}

/// How many recent completed runs per job the recommendation reads (bounded memory).
const RECOMMEND_FROM: u32 = 500;

/// Recommendations per job from its recent runs before `to` (lookback 30 days).
fn recommendations(
    lazy: &LazyFrame,
    period: &Period,
    book: &PriceBook,
    jobs: &[Job],
) -> Result<HashMap<String, Size>> {
    let lookback = (period.to - chrono::Duration::days(30)).timestamp_millis();
    let window = col(c::STARTED_MS)
        .gt_eq(lit(lookback))
        .and(col(c::STARTED_MS).lt(lit(period.to.timestamp_millis())));
    // Pass 1, two narrow columns: when does each job's 500th latest run start? Pass 2 reads
    // full rows only from the earliest of those instants on (a predicate the Parquet scan
    // applies), so memory follows the rows kept, not the whole window.
    let cutoffs = lazy
        .clone()
        .filter(window.clone())
        .select([col(c::JOB), col(c::STARTED_MS)])
        .group_by([col(c::JOB)])
        .agg([col(c::STARTED_MS)
            .sort(SortOptions::default().with_order_descending(true))
            .head(Some(RECOMMEND_FROM as usize))
            .min()
            .alias("cutoff")])
        .select([col("cutoff").min()])
        .collect()
        .map_err(polars_error)?;
    let cutoff = cutoffs
        .column("cutoff")
        .and_then(|c| c.i64().cloned())
        .ok()
        .and_then(|c| c.get(0))
        .unwrap_or(lookback);
    let recent = lazy
        .clone()
        .filter(window.and(col(c::STARTED_MS).gt_eq(lit(cutoff))))
        .collect()
        .map_err(polars_error)?;
    let runs = index::runs_from(&recent)?;
    let mut by_job: HashMap<String, Vec<Run>> = HashMap::new();
    for run in runs {
        by_job.entry(run.job.clone()).or_default().push(run);
    }
    for runs in by_job.values_mut() {
        runs.sort_by_key(|r| std::cmp::Reverse(r.started_at));
        runs.truncate(RECOMMEND_FROM as usize);
    }
    let mut out = HashMap::new();
    for (job, runs) in by_job {
        let Some(latest) = runs.iter().max_by_key(|r| r.started_at) else {
            continue;
        };
        // The size the job is configured with; else the size it last ran at.
        let configured = jobs.iter().find(|j| j.name == job).and_then(|j| j.size);
        let (Some(current), Ok(prices)) =
            (configured.or(latest.size()), book.region(&latest.region))
        else {
            continue;
        };
        let ctx = JobContext {
            name: job.clone(),
            current,
            os: latest.os,
            arch: latest.arch,
            capacity: latest.capacity,
            region: latest.region.clone(),
            ephemeral_storage_gib: latest.ephemeral_storage_gib,
            runs_per_month: Decimal::ONE,
        };
        let options = Options {
            since: Duration::from_secs(30 * 86_400),
            now: period.to,
            min_runs: 1,
            force: true,
            memory_headroom: 0.2,
            cpu_percentile: CpuPercentile::P95,
            strategy: Strategy::Cost,
            deadline: None,
        };
        if let Ok(rec) = sizing::recommend(&runs, &ctx, &options, prices) {
            out.insert(job, rec.recommended);
        }
    }
    Ok(out)
}

/// Hourly micro-dollars of a Fargate task shape, if the book prices it.
fn hourly(
    book: &PriceBook,
    region: &str,
    size: Size,
    os: Os,
    arch: Arch,
    capacity: Capacity,
    storage: u32,
) -> Option<f64> {
    let prices = book.region(region).ok()?;
    let task = FargateTask {
        size,
        os,
        arch,
        capacity,
        ephemeral_storage_gib: storage,
    };
    price::task(region, prices, &task, Duration::from_secs(3600))
        .ok()
        .map(|c| micros(c.total_usd))
}

/// Build the report rows (jobs sorted by name, then TOTAL).
pub fn report(
    lazy: Option<LazyFrame>,
    period: &Period,
    book: &PriceBook,
    jobs: &[Job],
) -> Result<Vec<ReportRow>> {
    let Some(lazy) = lazy else {
        return Ok(Vec::new());
    };
    let (from, to) = (period.from.timestamp_millis(), period.to.timestamp_millis());
    let end = col(c::BILLED_FROM_MS) + col(c::BILLED_S) * lit(1000i64);
    let overlapping = lazy
        .clone()
        .filter(
            col(c::BILLED_FROM_MS)
                .lt(lit(to))
                .and(end.clone().gt(lit(from))),
        )
        .with_columns([
            ((when(end.clone().lt(lit(to)))
                .then(end.clone())
                .otherwise(lit(to))
                - when(col(c::BILLED_FROM_MS).gt(lit(from)))
                    .then(col(c::BILLED_FROM_MS))
                    .otherwise(lit(from)))
            .cast(DataType::Float64)
                / (col(c::BILLED_S) * lit(1000i64)).cast(DataType::Float64))
            .alias("share"),
            col(c::BILLED_FROM_MS)
                .gt_eq(lit(from))
                .and(col(c::BILLED_FROM_MS).lt(lit(to)))
                .alias("counted"),
        ]);

    // Price each distinct task shape once; join the hourly figures onto the runs.
    let keys = [
        c::JOB,
        c::REGION,
        c::ARCH,
        c::OS,
        c::CAPACITY,
        c::CPU_UNITS,
        c::MEMORY_MIB,
        c::STORAGE_GIB,
    ];
    let shapes = overlapping
        .clone()
        .select(keys.iter().map(|k| col(*k)).collect::<Vec<_>>())
        .unique(None, UniqueKeepStrategy::First)
        .collect()
        .map_err(polars_error)?;
    let recommended = recommendations(&lazy, period, book, jobs)?;
    let shape_runs = index_shapes(&shapes)?;
    let mut spot = Vec::new();
    let mut glue_hourly = Vec::new();
    let mut glue_min = Vec::new();
    let mut glue_speedup = Vec::new();
    let mut rec_hourly = Vec::new();
    for s in &shape_runs {
        let size = Size::new(s.cpu_units, s.memory_mib, s.os).ok();
        spot.push(
            size.and_then(|z| hourly(book, &s.region, z, s.os, s.arch, Capacity::Spot, s.storage)),
        );
        let job = jobs.iter().find(|j| j.name == s.job);
        let glue_config = match (
            job.and_then(|j| j.glue.clone()),
            size,
            book.region(&s.region),
        ) {
            (Some(config), _, _) => Some(config),
            (None, Some(z), Ok(prices)) => crate::pricing::glue::equivalent_for(
                z,
                job.map_or(Engine::Python, |j| j.engine),
                GlueVersion::DEFAULT,
                &s.region,
                prices,
            )
            .ok()
            .map(|e| e.config),
            _ => None,
        };
        let glue_rate = glue_config.as_ref().and_then(|g| {
            let prices = book.region(&s.region).ok()?;
            Some((
                micros(g.dpu() * crate::pricing::glue::rate(g, &s.region, prices).ok()?.usd),
                g.minimum_billed_seconds(),
            ))
        });
        glue_hourly.push(glue_rate.map(|g| g.0));
        glue_min.push(glue_rate.map_or(60i64, |g| g.1 as i64));
        glue_speedup.push(
            job.and_then(|j| j.glue_speedup)
                .and_then(|d| d.to_f64())
                .unwrap_or(1.0),
        );
        rec_hourly.push(
            recommended
                .get(&s.job)
                .and_then(|r| hourly(book, &s.region, *r, s.os, s.arch, s.capacity, s.storage)),
        );
    }
    let mut priced = shapes.clone();
    priced
        .with_column(Column::new("spot_hourly".into(), spot))
        .and_then(|f| f.with_column(Column::new("glue_hourly".into(), glue_hourly)))
        .and_then(|f| f.with_column(Column::new("glue_min_s".into(), glue_min)))
        .and_then(|f| f.with_column(Column::new("glue_speedup".into(), glue_speedup)))
        .and_then(|f| f.with_column(Column::new("rec_hourly".into(), rec_hourly)))
        .map_err(polars_error)?;

    let hours_in = (col(c::BILLED_S).cast(DataType::Float64) / lit(3600.0)) * col("share");
    // Values are ≥ 0, so adding ½ and truncating rounds half up (no float rounding kernel).
    let rounded = |e: Expr| (e + lit(0.5)).cast(DataType::Int64);
    // Glue bills whole seconds (rounded up), at least its minimum.
    let glue_raw = col(c::DURATION_MS).cast(DataType::Float64) / lit(1000.0) / col("glue_speedup");
    let truncated = glue_raw
        .clone()
        .cast(DataType::Int64)
        .cast(DataType::Float64);
    let glue_seconds = when(glue_raw.gt(truncated.clone()))
        .then(truncated.clone() + lit(1.0))
        .otherwise(truncated);
    let glue_billed = when(
        glue_seconds
            .clone()
            .lt(col("glue_min_s").cast(DataType::Float64)),
    )
    .then(col("glue_min_s").cast(DataType::Float64))
    .otherwise(glue_seconds);
    let grouped = overlapping
        .join(
            priced.lazy(),
            keys.iter().map(|k| col(*k)).collect::<Vec<_>>(),
            keys.iter().map(|k| col(*k)).collect::<Vec<_>>(),
            JoinArgs::new(JoinType::Left),
        )
        .with_columns([
            rounded(col(c::USD_MICROS).cast(DataType::Float64) * col("share"))
                .alias("fargate_micros"),
            rounded(col("spot_hourly") * hours_in.clone()).alias("spot_micros"),
            rounded(col("glue_hourly") * glue_billed / lit(3600.0) * col("share"))
                .alias("glue_micros"),
            rounded(col("rec_hourly") * hours_in.clone()).alias("rec_micros"),
            hours_in.clone().alias("hours"),
            (hours_in.clone() * col(c::CPU_UNITS).cast(DataType::Float64) / lit(1024.0))
                .alias("vcpu_hours"),
            (hours_in * col(c::MEMORY_MIB).cast(DataType::Float64) / lit(1024.0)).alias("gb_hours"),
        ])
        .group_by([col(c::JOB)])
        .agg([
            col("counted").cast(DataType::Int64).sum().alias("runs"),
            col("counted")
                .and(col(c::STOP_REASON).neq(lit("completed")))
                .cast(DataType::Int64)
                .sum()
                .alias("failed"),
            col("hours").sum(),
            col("vcpu_hours").sum(),
            col("gb_hours").sum(),
            col("fargate_micros").sum(),
            col("spot_micros").sum(),
            col("spot_micros").null_count().alias("spot_missing"),
            col("glue_micros").sum(),
            col("glue_micros").null_count().alias("glue_missing"),
            col("rec_micros").sum(),
            col("rec_micros").null_count().alias("rec_missing"),
        ])
        .sort([c::JOB], SortMultipleOptions::default())
        .collect()
        .map_err(polars_error)?;
    rows_from(&grouped, period, &recommended)
}

struct Shape {
    job: String,
    region: String,
    arch: Arch,
    os: Os,
    capacity: Capacity,
    cpu_units: u32,
    memory_mib: u32,
    storage: u32,
}

fn index_shapes(frame: &DataFrame) -> Result<Vec<Shape>> {
    let s = |name: &str| {
        frame
            .column(name)
            .and_then(|x| x.str().cloned())
            .map_err(polars_error)
    };
    let i = |name: &str| {
        frame
            .column(name)
            .and_then(|x| x.i64().cloned())
            .map_err(polars_error)
    };
    let (job, region, arch, os, capacity) = (
        s(c::JOB)?,
        s(c::REGION)?,
        s(c::ARCH)?,
        s(c::OS)?,
        s(c::CAPACITY)?,
    );
    let (cpu, memory, storage) = (i(c::CPU_UNITS)?, i(c::MEMORY_MIB)?, i(c::STORAGE_GIB)?);
    Ok((0..frame.height())
        .map(|k| Shape {
            job: job.get(k).unwrap_or("").into(),
            region: region.get(k).unwrap_or("").into(),
            arch: parse_or_default(arch.get(k)),
            os: parse_or_default(os.get(k)),
            capacity: parse_or_default(capacity.get(k)),
            cpu_units: cpu.get(k).unwrap_or(0) as u32,
            memory_mib: memory.get(k).unwrap_or(0) as u32,
            storage: storage.get(k).unwrap_or(20) as u32,
        })
        .collect())
}

fn rows_from(
    frame: &DataFrame,
    period: &Period,
    recommended: &HashMap<String, Size>,
) -> Result<Vec<ReportRow>> {
    let i = |name: &str| -> Result<Vec<i64>> {
        let col = frame.column(name).map_err(polars_error)?;
        let cast = col.cast(&DataType::Int64).map_err(polars_error)?;
        Ok(cast
            .i64()
            .map_err(polars_error)?
            .iter()
            .map(|v| v.unwrap_or(0))
            .collect())
    };
    let f = |name: &str| -> Result<Vec<f64>> {
        Ok(frame
            .column(name)
            .and_then(|c| c.f64().cloned())
            .map_err(polars_error)?
            .iter()
            .map(|v| v.unwrap_or(0.0))
            .collect())
    };
    let jobs: Vec<String> = frame
        .column(c::JOB)
        .and_then(|c| c.str().cloned())
        .map_err(polars_error)?
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect();
    let (runs, failed, fargate, spot, spot_missing, glue, glue_missing, rec, rec_missing) = (
        i("runs")?,
        i("failed")?,
        i("fargate_micros")?,
        i("spot_micros")?,
        i("spot_missing")?,
        i("glue_micros")?,
        i("glue_missing")?,
        i("rec_micros")?,
        i("rec_missing")?,
    );
    let (hours, vcpu, gb) = (f("hours")?, f("vcpu_hours")?, f("gb_hours")?);
    let dec4 = |v: f64| Decimal::from_f64(v).unwrap_or_default().round_dp(4);
    let mut rows = Vec::new();
    for k in 0..jobs.len() {
        let fargate_usd = usd_from_micros(fargate[k]);
        let recommended_usd = (rec_missing[k] == 0 && recommended.contains_key(&jobs[k]))
            .then(|| usd_from_micros(rec[k]));
        rows.push(ReportRow {
            month: period.label.clone(),
            job: jobs[k].clone(),
            runs: runs[k].max(0) as u64,
            failed_runs: failed[k].max(0) as u64,
            billed_hours: dec4(hours[k]),
            vcpu_hours: dec4(vcpu[k]),
            gb_hours: dec4(gb[k]),
            fargate_usd,
            fargate_spot_usd: (spot_missing[k] == 0).then(|| usd_from_micros(spot[k])),
            glue_equivalent_usd: (glue_missing[k] == 0).then(|| usd_from_micros(glue[k])),
            recommended_cpu_vcpu: recommended.get(&jobs[k]).map(|s| s.vcpu()),
            recommended_memory_gib: recommended.get(&jobs[k]).map(|s| s.memory_gb()),
            recommended_usd,
            savings_usd: recommended_usd
                .map(|r| (fargate_usd - r).max(Decimal::ZERO).min(fargate_usd)),
        });
    }
    if !rows.is_empty() {
        let sum = |f: &dyn Fn(&ReportRow) -> Decimal| rows.iter().map(f).sum::<Decimal>();
        let sum_opt = |f: &dyn Fn(&ReportRow) -> Option<Decimal>| -> Option<Decimal> {
            rows.iter().map(f).sum()
        };
        let total = ReportRow {
            month: period.label.clone(),
            job: "TOTAL".into(),
            runs: rows.iter().map(|r| r.runs).sum(),
            failed_runs: rows.iter().map(|r| r.failed_runs).sum(),
            billed_hours: sum(&|r| r.billed_hours),
            vcpu_hours: sum(&|r| r.vcpu_hours),
            gb_hours: sum(&|r| r.gb_hours),
            fargate_usd: sum(&|r| r.fargate_usd),
            fargate_spot_usd: sum_opt(&|r| r.fargate_spot_usd),
            glue_equivalent_usd: sum_opt(&|r| r.glue_equivalent_usd),
            recommended_cpu_vcpu: None,
            recommended_memory_gib: None,
            // Jobs without a recommendation keep their cost: the total saving is the sum of
            // per-job savings, each at most that job's cost.
            recommended_usd: Some(
                rows.iter()
                    .map(|r| r.recommended_usd.unwrap_or(r.fargate_usd))
                    .sum(),
            ),
            savings_usd: Some(rows.iter().filter_map(|r| r.savings_usd).sum()),
        };
        rows.push(total);
    }
    Ok(rows)
}
