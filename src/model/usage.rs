//! What a period's report reads from the store: the period, each run's usage inside it
//! (its task shape, billed milliseconds inside the period, exact recorded cost), and how
//! many recent runs a recommendation reads. Plain data between the store and the analysis.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::model::size::{Arch, Capacity, Os};

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

/// What prices a run besides its times: its job and task shape.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Shape {
    /// Job name.
    pub job: String,
    /// Region priced.
    pub region: String,
    /// CPU units.
    pub cpu_units: u32,
    /// Memory MiB.
    pub memory_mib: u32,
    /// Operating system.
    pub os: Os,
    /// Architecture.
    pub arch: Arch,
    /// Capacity it ran on.
    pub capacity: Capacity,
    /// Ephemeral storage GiB.
    pub ephemeral_storage_gib: u32,
}

/// One run whose billed window overlaps the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunUsage {
    /// Its shape: an index into [`Usage::shapes`].
    pub shape: usize,
    /// Billed milliseconds inside the period.
    pub inside_ms: u64,
    /// Billed seconds of the whole run (its billed window is this × 1000 ms).
    pub billed_seconds: u64,
    /// Wall time, ms (the Glue equivalent runs this, divided by the job's speedup).
    pub duration_ms: u64,
    /// The run's recorded Fargate cost, exact.
    pub usd: Decimal,
    /// Of which the public IPv4 address, exact.
    pub public_ipv4_usd: Decimal,
    /// The image pull (part of the billed window), ms; 0 when not recorded.
    pub pull_ms: u64,
    /// Its billed window starts in the period: it counts in `runs`.
    pub counted: bool,
    /// Counted and did not complete.
    pub failed: bool,
    /// An imported Glue run: `usd` is what Glue billed, and its Fargate figures are
    /// estimates for its shape (the task covering its workers) over its `duration_ms`.
    pub glue: bool,
}

/// The runs whose billed window overlaps a period, and their shapes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Usage {
    /// Distinct shapes.
    pub shapes: Vec<Shape>,
    /// Runs.
    pub runs: Vec<RunUsage>,
}

/// How many latest runs per job (started in the 30 days before the period's end) the
/// recommendation reads.
pub const RECOMMEND_FROM: usize = 500;

/// The recommendation's lookback before the period's end.
pub const RECOMMEND_LOOKBACK_DAYS: i64 = 30;
