//! The run index: one Parquet file (`index/runs.parquet` in the store) with a row per
//! recorded run holding what the report filters, groups and prices by — job, task shape,
//! billed window, stop reason and the run's exact recorded cost — so a report over months and
//! millions of runs is one lazy polars scan instead of a million JSON reads. It is derived
//! data: the run JSON files stay the source of truth, and [`refresh`] appends the runs it
//! does not have yet and rewrites the file atomically. Nothing here stands in for a run
//! record: a reader that needs whole runs reads them from the store by id.

use std::collections::HashSet;
use std::path::PathBuf;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::model::run::Run;
use crate::store::lock::IndexLock;
use crate::store::{Skipped, Store, write_atomic};

/// Column names of the index.
pub mod columns {
    /// Run id (the run file's name in `runs/<job>/`).
    pub const ID: &str = "id";
    /// Job.
    pub const JOB: &str = "job";
    /// Region.
    pub const REGION: &str = "region";
    /// x86_64 | arm64.
    pub const ARCH: &str = "arch";
    /// linux | windows.
    pub const OS: &str = "os";
    /// on-demand | spot.
    pub const CAPACITY: &str = "capacity";
    /// CPU units.
    pub const CPU_UNITS: &str = "cpu_units";
    /// MiB.
    pub const MEMORY_MIB: &str = "memory_mib";
    /// Ephemeral storage GiB.
    pub const STORAGE_GIB: &str = "ephemeral_storage_gib";
    /// Start of the billed window, ms since the epoch (pull start, else start).
    pub const BILLED_FROM_MS: &str = "billed_from_ms";
    /// Job start, ms since the epoch.
    pub const STARTED_MS: &str = "started_at_ms";
    /// Wall time, ms.
    pub const DURATION_MS: &str = "duration_ms";
    /// Billed seconds.
    pub const BILLED_S: &str = "billed_s";
    /// completed | failed | ….
    pub const STOP_REASON: &str = "stop_reason";
    /// The run's recorded Fargate cost, USD, exactly as recorded: the `Decimal`'s text
    /// (e.g. "0.0008365472222222222222222222"). Text, not a number column: it round-trips
    /// every recorded value (any scale up to 28 digits) with no width to outgrow, and the
    /// index never sums money — readers parse it back into a `Decimal`.
    pub const USD: &str = "usd";

    /// Every column, in order (an index with other columns is rebuilt).
    pub const ALL: [&str; 15] = [
        ID,
        JOB,
        REGION,
        ARCH,
        OS,
        CAPACITY,
        CPU_UNITS,
        MEMORY_MIB,
        STORAGE_GIB,
        BILLED_FROM_MS,
        STARTED_MS,
        DURATION_MS,
        BILLED_S,
        STOP_REASON,
        USD,
    ];
}

use columns as c;

/// Where the index lives in a store.
pub fn path(store: &Store) -> PathBuf {
    dir(store).join("runs.parquet")
}

/// Runs as an index frame.
pub fn frame(runs: &[Run]) -> PolarsResult<DataFrame> {
    let text = |f: &dyn Fn(&Run) -> String| runs.iter().map(f).collect::<Vec<_>>();
    let int = |f: &dyn Fn(&Run) -> i64| runs.iter().map(f).collect::<Vec<_>>();
    DataFrame::new_infer_height(vec![
        Column::new(c::ID.into(), text(&|r| r.id.clone())),
        Column::new(c::JOB.into(), text(&|r| r.job.clone())),
        Column::new(c::REGION.into(), text(&|r| r.region.clone())),
        Column::new(c::ARCH.into(), text(&|r| r.arch.to_string())),
        Column::new(c::OS.into(), text(&|r| r.os.to_string())),
        Column::new(c::CAPACITY.into(), text(&|r| r.capacity.to_string())),
        Column::new(c::CPU_UNITS.into(), int(&|r| i64::from(r.cpu_units))),
        Column::new(c::MEMORY_MIB.into(), int(&|r| i64::from(r.memory_mib))),
        Column::new(
            c::STORAGE_GIB.into(),
            int(&|r| i64::from(r.ephemeral_storage_gib)),
        ),
        Column::new(
            c::BILLED_FROM_MS.into(),
            int(&|r| r.pull_started_at.unwrap_or(r.started_at).timestamp_millis()),
        ),
        Column::new(
            c::STARTED_MS.into(),
            int(&|r| r.started_at.timestamp_millis()),
        ),
        Column::new(c::DURATION_MS.into(), int(&|r| r.duration_ms as i64)),
        Column::new(c::BILLED_S.into(), int(&|r| r.billed_seconds as i64)),
        Column::new(c::STOP_REASON.into(), text(&|r| r.stop_reason.to_string())),
        Column::new(c::USD.into(), text(&|r| r.usd.to_string())),
    ])
}

fn index_error(e: impl std::fmt::Display) -> Error {
    Error::Store(format!("run index: {e}"))
}

/// A lazy scan of the index (None when there is none yet).
pub fn scan(store: &Store) -> Result<Option<LazyFrame>> {
    let file = path(store);
    if !file.exists() {
        return Ok(None);
    }
    let lazy = PlRefPath::try_from_path(&file)
        .and_then(|p| LazyFrame::scan_parquet(p, ScanArgsParquet::default()))
        .map_err(index_error)?;
    Ok(Some(lazy))
}

/// Write a whole index (used by benchmarks and by [`refresh`]).
pub fn write(store: &Store, frame: &mut DataFrame) -> Result<()> {
    let file = path(store);
    write_atomic(&file, |f| {
        ParquetWriter::new(f)
            .finish(frame)
            .map(|_| ())
            .map_err(index_error)
    })
}

/// What a refresh did.
#[derive(Debug, Default)]
pub struct Refresh {
    /// Runs newly indexed.
    pub added: usize,
    /// Rows dropped because their run file is gone, damaged or no longer valid.
    pub removed: usize,
    /// Why the index was rebuilt from the run files, when it was (unreadable, old format).
    pub rebuilt: Option<String>,
    /// Files skipped while reading the store.
    pub skipped: Vec<Skipped>,
}

/// Make the index follow the run files: add runs not indexed yet, drop rows whose file is
/// gone or no longer a valid run, rebuild an index that cannot be read (with the reason).
/// It parses every run file in the store, so its cost follows the store's size; it holds
/// the index's exclusive lock, so concurrent refreshes never lose each other's rows.
pub fn refresh(store: &Store) -> Result<Refresh> {
    let _lock = IndexLock::exclusive(&dir(store))?;
    let mut outcome = Refresh::default();
    let existing = match scan(store).and_then(|lazy| match lazy {
        Some(lazy) => lazy.collect().map(Some).map_err(index_error),
        None => Ok(None),
    }) {
        Ok(frame) => frame,
        Err(e) => {
            outcome.rebuilt = Some(e.to_string());
            None
        }
    };
    let existing = existing.filter(|f| {
        let same = f
            .get_column_names()
            .iter()
            .map(|n| n.as_str())
            .eq(c::ALL.iter().copied());
        if !same {
            outcome.rebuilt = Some("written by another version of fargate-cost".into());
        }
        same
    });
    let (runs, skipped) = store.runs(None);
    outcome.skipped = skipped;
    let valid: HashSet<&str> = runs.iter().map(|r| r.id.as_str()).collect();
    let (kept, known) = match existing {
        Some(frame) => keep_valid(frame, &valid)?,
        None => (None, HashSet::new()),
    };
    let new: Vec<Run> = runs
        .iter()
        .filter(|r| !known.contains(&r.id))
        .cloned()
        .collect();
    outcome.added = new.len();
    outcome.removed = known_removed(&kept, &known);
    let unchanged = outcome.added == 0 && outcome.removed == 0 && kept.is_some();
    if unchanged {
        return Ok(outcome);
    }
    let added = frame(&new).map_err(index_error)?;
    let mut all = match kept {
        Some(mut old) => {
            old.vstack_mut(&added).map_err(index_error)?;
            old
        }
        None => added,
    };
    write(store, &mut all)?;
    Ok(outcome)
}

/// The rows whose run is still a valid file, and the ids the index had.
fn keep_valid(
    frame: DataFrame,
    valid: &HashSet<&str>,
) -> Result<(Option<DataFrame>, HashSet<String>)> {
    let ids = frame
        .column(c::ID)
        .and_then(|col| col.str().cloned())
        .map_err(index_error)?;
    let known: HashSet<String> = ids.iter().flatten().map(String::from).collect();
    let mask: BooleanChunked = ids
        .iter()
        .map(|id| id.is_some_and(|id| valid.contains(id)))
        .collect();
    let kept = frame.filter(&mask).map_err(index_error)?;
    Ok((Some(kept), known))
}

/// How many of the ids the index had are no longer in it.
fn known_removed(kept: &Option<DataFrame>, known: &HashSet<String>) -> usize {
    known.len() - kept.as_ref().map_or(0, DataFrame::height).min(known.len())
}

/// The directory of the index and its lock.
pub fn dir(store: &Store) -> PathBuf {
    store.root().join("index")
}

/// An index column value as Arch/Os/Capacity (written with their Display), default when
/// empty or unknown.
pub fn parse_or_default<T: std::str::FromStr + Default>(text: Option<&str>) -> T {
    text.and_then(|t| t.parse().ok()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(id: &str, usd: &str) -> Run {
        serde_json::from_value(serde_json::json!({
            "schema_version": 1, "id": id, "job": "nightly", "backend": "ecs",
            "cpu_units": 1024, "memory_mib": 2048, "arch": "x86_64", "os": "linux",
            "capacity": "on-demand", "region": "us-east-1", "ephemeral_storage_gib": 20,
            "created_at": "2026-11-03T10:00:00Z", "pull_started_at": "2026-11-03T09:59:50Z",
            "started_at": "2026-11-03T10:00:00Z", "stopped_at": "2026-11-03T10:01:01Z",
            "duration_ms": 71_000, "billed_seconds": 71, "exit_code": 0,
            "stop_reason": "completed", "stop_detail": "",
            "cpu": {"mean": 0.2, "p50": 0.2, "p95": 0.25, "p99": 0.3, "max": 0.3},
            "memory": {"peak_mib": 400.0, "p95_mib": 390.0, "peak_exact": true},
            "samples": 10, "sample_interval_ms": 1000,
            "limits": {"enforced": true, "mechanism": "fargate"},
            "usd": usd, "launched": [], "notes": []
        }))
        .unwrap()
    }

    fn costs(store: &Store) -> Vec<String> {
        let frame = scan(store).unwrap().unwrap().collect().unwrap();
        assert_eq!(
            frame
                .get_column_names()
                .iter()
                .map(|n| n.as_str())
                .collect::<Vec<_>>(),
            c::ALL
        );
        let usd = frame.column(c::USD).unwrap().str().unwrap().clone();
        usd.iter().map(|v| v.unwrap().to_string()).collect()
    }

    #[test]
    fn the_index_keeps_each_recorded_cost_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let exact = "0.0009736388888888888888888889";
        store.write(&run("r1", exact), &[]).unwrap();
        assert_eq!(refresh(&store).unwrap().added, 1);
        assert_eq!(costs(&store), [exact]);
        store.write(&run("r2", "0.5"), &[]).unwrap();
        assert_eq!(
            refresh(&store).unwrap().added,
            1,
            "only the new run is added"
        );
        let mut all = costs(&store);
        all.sort();
        assert_eq!(all, [exact, "0.5"]);
    }

    #[test]
    fn an_index_with_other_columns_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        store.write(&run("r1", "0.25"), &[]).unwrap();
        // An index as an older version wrote it: the cost in rounded micro-dollars.
        let mut old = DataFrame::new_infer_height(vec![
            Column::new(c::ID.into(), vec!["r1"]),
            Column::new("usd_micros".into(), vec![250_000i64]),
        ])
        .unwrap();
        write(&store, &mut old).unwrap();
        assert_eq!(refresh(&store).unwrap().added, 1);
        assert_eq!(costs(&store), ["0.25"]);
    }
}
