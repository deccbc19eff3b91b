//! The run index: Parquet parts partitioned by the month of each run's billed start,
//! `index/month=YYYY-MM/part-*.parquet` (Hive-style, so DuckDB or Athena read it as is),
//! with a row per recorded run holding what the report filters, groups and prices by — job,
//! task shape, billed window, stop reason, the run's exact recorded cost — and the run
//! file's size and change time. A report over a month is a lazy polars scan of that month's
//! parts (and the month before, for runs that start there) instead of a million JSON reads.
//! It is derived data: the run JSON files stay the source of truth. [`refresh`] lists the
//! run files without reading them and parses only the ones it has not indexed at that size
//! and change time; removed and changed files leave the index. Nothing here stands in for a
//! run record: a reader that needs whole runs reads them from the store by id.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{Datelike, TimeZone, Utc};
use polars::prelude::*;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::model::run::Run;
use crate::store::lock::IndexLock;
use crate::store::{JobDir, RunFile, Skipped, Store, read_run, write_atomic};

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
    /// The run file's size when indexed, bytes.
    pub const FILE_LEN: &str = "file_len";
    /// The run file's last change when indexed, ns since the epoch.
    pub const FILE_CHANGED_NS: &str = "file_changed_ns";
    /// Of `usd`, the public IPv4 address, as exact text like `usd` ("0" without one).
    pub const PUBLIC_IPV4_USD: &str = "public_ipv4_usd";
    /// The image pull (pullStartedAt → pullStoppedAt), ms; 0 when not recorded.
    pub const PULL_MS: &str = "pull_ms";
    /// The engine the run ran on ("spark", "duckdb", ...); "" when not recorded (older
    /// records, imported runs).
    pub const ENGINE: &str = "engine";

    /// Every column, in order (a part with other columns makes the index rebuild).
    pub const ALL: [&str; 20] = [
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
        FILE_LEN,
        FILE_CHANGED_NS,
        PUBLIC_IPV4_USD,
        PULL_MS,
        ENGINE,
    ];
}

use columns as c;

/// Runs parsed per chunk on a cold build: bounds memory (one chunk of rows at a time) and
/// makes one part per chunk.
const CHUNK: usize = 100_000;

/// Threads reading new run files.
const READERS: usize = 16;

/// Parts a month may have before a refresh compacts them into one.
const MAX_PARTS: usize = 16;

/// The directory of the index and its lock.
pub fn dir(store: &Store) -> PathBuf {
    store.root().join("index")
}

/// The single-file index of earlier versions, replaced by the month parts.
fn legacy_path(store: &Store) -> PathBuf {
    dir(store).join("runs.parquet")
}

fn month_dir(store: &Store, month: &str) -> PathBuf {
    dir(store).join(format!("month={month}"))
}

/// "YYYY-MM" (UTC) of a time in ms since the epoch.
pub fn month_of_ms(ms: i64) -> String {
    let time = Utc
        .timestamp_millis_opt(ms)
        .single()
        .unwrap_or_else(|| Utc.timestamp_nanos(0));
    format!("{:04}-{:02}", time.year(), time.month())
}

/// A run as an indexed file: the run and the file it was read from.
struct Indexed {
    run: Run,
    len: u64,
    changed_ns: i64,
}

/// Runs (with their files' size and change time) as an index frame.
fn frame(rows: &[Indexed]) -> PolarsResult<DataFrame> {
    let text = |f: &dyn Fn(&Run) -> String| rows.iter().map(|r| f(&r.run)).collect::<Vec<_>>();
    let int = |f: &dyn Fn(&Run) -> i64| rows.iter().map(|r| f(&r.run)).collect::<Vec<_>>();
    let clamp = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
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
        Column::new(c::BILLED_FROM_MS.into(), int(&|r| billed_from_ms(r))),
        Column::new(
            c::STARTED_MS.into(),
            int(&|r| r.started_at.timestamp_millis()),
        ),
        Column::new(c::DURATION_MS.into(), int(&|r| clamp(r.duration_ms))),
        Column::new(c::BILLED_S.into(), int(&|r| clamp(r.billed_seconds))),
        Column::new(c::STOP_REASON.into(), text(&|r| r.stop_reason.to_string())),
        Column::new(c::USD.into(), text(&|r| r.usd.to_string())),
        Column::new(
            c::FILE_LEN.into(),
            rows.iter().map(|r| clamp(r.len)).collect::<Vec<_>>(),
        ),
        Column::new(
            c::FILE_CHANGED_NS.into(),
            rows.iter().map(|r| r.changed_ns).collect::<Vec<_>>(),
        ),
        Column::new(
            c::PUBLIC_IPV4_USD.into(),
            text(&|r| r.public_ipv4_usd.to_string()),
        ),
        Column::new(c::PULL_MS.into(), int(&|r| clamp(r.pull_ms().unwrap_or(0)))),
        Column::new(
            c::ENGINE.into(),
            text(&|r| r.engine.clone().unwrap_or_default()),
        ),
    ])
}

fn billed_from_ms(run: &Run) -> i64 {
    run.pull_started_at
        .unwrap_or(run.started_at)
        .timestamp_millis()
}

fn index_error(e: impl std::fmt::Display) -> Error {
    Error::Store(format!("run index: {e}"))
}

/// The part files of each month, oldest month first.
fn parts(store: &Store) -> Result<BTreeMap<String, Vec<PathBuf>>> {
    let mut months = BTreeMap::new();
    let entries = match std::fs::read_dir(dir(store)) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(months),
        Err(e) => return Err(index_error(e)),
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(month) = name.strip_prefix("month=") else {
            continue;
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(entry.path())
            .map_err(index_error)?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default();
                name.starts_with("part-") && name.ends_with(".parquet")
            })
            .collect();
        files.sort();
        if !files.is_empty() {
            months.insert(month.to_string(), files);
        }
    }
    Ok(months)
}

/// A lazy scan of these part files (None when there are none).
pub fn scan_paths(paths: Vec<PathBuf>) -> Result<Option<LazyFrame>> {
    if paths.is_empty() {
        return Ok(None);
    }
    let paths = paths
        .iter()
        .map(|p| PlRefPath::try_from_path(p))
        .collect::<PolarsResult<Vec<_>>>()
        .map_err(index_error)?;
    // The month is in the rows (billed_from_ms); the `month=` directory is for other
    // readers (DuckDB, Athena), so polars is told not to add it as a column.
    let mut args = ScanArgsParquet::default();
    args.hive_options.enabled = Some(false);
    LazyFrame::scan_parquet_files(paths.into_iter().collect(), args)
        .map(Some)
        .map_err(index_error)
}

/// A lazy scan of every month of the index (None when there is none yet).
pub fn scan(store: &Store) -> Result<Option<LazyFrame>> {
    scan_paths(parts(store)?.into_values().flatten().collect())
}

/// The part files of the months from `first` to `last` ("YYYY-MM", inclusive).
pub fn month_parts(store: &Store, first: &str, last: &str) -> Result<Vec<PathBuf>> {
    Ok(parts(store)?
        .into_iter()
        .filter(|(month, _)| month.as_str() >= first && month.as_str() <= last)
        .flat_map(|(_, files)| files)
        .collect())
}

/// Write one part of a month atomically (a temp file renamed into place, so a reader never
/// sees half a part).
fn write_part(store: &Store, month: &str, frame: &mut DataFrame) -> Result<PathBuf> {
    let name = format!(
        "part-{}-{}.parquet",
        Utc::now().format("%Y%m%dT%H%M%S%.9f"),
        std::process::id()
    );
    let file = month_dir(store, month).join(name);
    write_atomic(&file, |f| {
        ParquetWriter::new(f)
            .finish(frame)
            .map(|_| ())
            .map_err(index_error)
    })?;
    Ok(file)
}

/// What a refresh did.
#[derive(Debug, Default)]
pub struct Refresh {
    /// Runs newly indexed.
    pub added: usize,
    /// Rows dropped because their run file is gone, damaged or no longer valid.
    pub removed: usize,
    /// Run files read (new, or changed since they were indexed); the others are not opened.
    pub parsed: usize,
    /// Why the index was rebuilt from the run files, when it was (unreadable, old format).
    pub rebuilt: Option<String>,
    /// Files skipped while reading the store.
    pub skipped: Vec<Skipped>,
}

/// A run's place in the index: 128 bits, the first 32 from its job alone and 96 from its
/// job and id. Ten million ids as strings, with their months, held over 3 GiB while the
/// index was compared with the files; as keys they are 32 bytes a run. Keys sort by job
/// first, so a job folder's batch of names walks one stretch of the sorted index (spread
/// over all of it, the lookups were a third of a warm 10M-run report, in cache misses).
/// Two runs share a key with odds of about 1e-15 at 10M runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Key(u64, u64);

fn key(job: &str, id: &str) -> Key {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    // A job is a folder name, so it holds no '/': "a/bc" and "ab/c" differ.
    hasher.update(job.as_bytes());
    hasher.update(b"/");
    hasher.update(id.as_bytes());
    let run = hasher.digest128();
    let job = xxhash_rust::xxh3::xxh3_64(job.as_bytes());
    Key(
        (job & 0xFFFF_FFFF_0000_0000) | (run >> 96) as u64,
        run as u64,
    )
}

/// What the index knows of one run file: its month (an index into [`Known::months`]),
/// its file's size and change time, and whether this refresh listed it.
#[derive(Debug, Clone, Copy)]
struct Stamp {
    key: Key,
    changed_ns: i64,
    len: u32,
    month: u16,
    seen: bool,
}

impl Stamp {
    fn matches(&self, file: &RunFile) -> bool {
        u64::from(self.len) == file.len && self.changed_ns == file.changed_ns
    }
}

/// Every indexed run, sorted by key (32 bytes a run), and the months they are in.
#[derive(Default)]
struct Known {
    months: Vec<String>,
    runs: Vec<Stamp>,
}

impl Known {
    /// Where `key` is, looking forward from `from` (keys are looked up in order): a
    /// galloping search, so a sorted batch walks the runs once.
    fn find(&self, from: usize, key: Key) -> (usize, Option<usize>) {
        let runs = &self.runs[from.min(self.runs.len())..];
        let mut end = 1;
        while end < runs.len() && runs[end - 1].key < key {
            end *= 2;
        }
        let end = end.min(runs.len());
        let at = from + runs[..end].partition_point(|s| s.key < key);
        let found = self.runs.get(at).filter(|s| s.key == key).map(|_| at);
        (at, found)
    }
}

/// Every indexed run with its month and file stamp; an error when a part cannot be read or
/// has other columns.
fn known(store: &Store) -> Result<Known> {
    let parts = parts(store)?;
    // Sized from the parts' footers first: a Vec grown by doubling holds its old and new
    // buffers at once while it copies.
    let rows: usize = parts
        .values()
        .flatten()
        .map(|p| part_rows(p))
        .sum::<Result<usize>>()?;
    let mut known = Known {
        months: Vec::with_capacity(parts.len()),
        runs: Vec::with_capacity(rows),
    };
    for (month, files) in parts {
        let index = u16::try_from(known.months.len())
            .map_err(|_| index_error("more than 65,535 months"))?;
        known.months.push(month);
        for file in files {
            add_known(&mut known.runs, &file, index)?;
        }
    }
    known.runs.par_sort_unstable_by_key(|s| s.key);
    Ok(known)
}

/// The stamps of one index part.
fn add_known(runs: &mut Vec<Stamp>, file: &Path, month: u16) -> Result<()> {
    let Some(mut lazy) = scan_paths(vec![file.to_path_buf()])? else {
        return Ok(());
    };
    let schema = lazy.collect_schema().map_err(index_error)?;
    if !schema.iter_names().map(|n| n.as_str()).eq(c::ALL) {
        return Err(Error::Store(format!(
            "{} was written by another version of fargate-cost",
            file.display()
        )));
    }
    let frame = lazy
        .select([
            col(c::ID),
            col(c::JOB),
            col(c::FILE_LEN),
            col(c::FILE_CHANGED_NS),
        ])
        .collect()
        .map_err(index_error)?;
    let text = |name: &str| frame.column(name).and_then(|x| x.str().cloned());
    let int = |name: &str| frame.column(name).and_then(|x| x.i64().cloned());
    let (ids, jobs) = (
        text(c::ID).map_err(index_error)?,
        text(c::JOB).map_err(index_error)?,
    );
    let lens = int(c::FILE_LEN).map_err(index_error)?;
    let stamps = int(c::FILE_CHANGED_NS).map_err(index_error)?;
    for (((id, job), len), changed_ns) in ids
        .iter()
        .zip(jobs.iter())
        .zip(lens.iter())
        .zip(stamps.iter())
    {
        runs.push(Stamp {
            key: key(job.unwrap_or_default(), id.unwrap_or_default()),
            changed_ns: changed_ns.unwrap_or(-1),
            // A size that does not fit never matches a file: it is read again.
            len: len.and_then(|l| u32::try_from(l).ok()).unwrap_or(u32::MAX),
            month,
            seen: false,
        });
    }
    Ok(())
}

/// Make the index follow the run files: list them (without reading them), parse only the
/// ones not indexed at their current size and change time, drop rows whose file is gone
/// or no longer a valid run, rebuild an index that cannot be read (with the reason). It
/// holds the index's exclusive lock, so concurrent refreshes never lose each other's rows
/// and readers (shared lock) never see a month between two parts' writes. The store is
/// walked a job folder at a time, [`CHUNK`] names at a time: memory holds the index's
/// keys (32 bytes a run) and one chunk, however many runs there are.
///
/// With `months` (`first..=last`, "YYYY-MM", a report's), every run file is still listed
/// (new and removed runs of any month are followed), but only the files indexed in those
/// months, and new ones, are stat'ed. A run of another month changed in place is noticed
/// by the first report that reads its month — a warm report of one month (and the month
/// before, which it also reads) of a year's history stats a sixth of the files.
pub fn refresh(store: &Store, months: Option<(&str, &str)>) -> Result<Refresh> {
    let _lock = IndexLock::exclusive(&dir(store))?;
    let mut outcome = Refresh::default();
    let known = known_or_rebuild(store, &mut outcome)?;
    let outside = known
        .months
        .iter()
        .map(|m| months.is_some_and(|(first, last)| m.as_str() < first || m.as_str() > last))
        .collect();
    let mut walk = Walk {
        store,
        outcome,
        known,
        outside,
        new_rows: BTreeMap::new(),
        dropped: PlHashMap::default(),
        // Reading run files is mostly waiting on the disk when they are not cached: more
        // readers than cores keep its queue full.
        pool: rayon::ThreadPoolBuilder::new()
            .num_threads(READERS)
            .build()
            .ok(),
    };
    let (dirs, mut skipped) = store.job_dirs(None);
    walk.outcome.skipped.append(&mut skipped);
    // A folder that cannot be listed fails the refresh: treating it as empty would drop
    // its runs from the index.
    for path in dirs {
        let Some(dir) = JobDir::open(path)? else {
            continue;
        };
        let mut skipped = Vec::new();
        dir.ids(CHUNK, &mut skipped, |ids| walk.batch(&dir, ids))?;
        walk.outcome.skipped.append(&mut skipped);
    }
    walk.finish()
}

/// A refresh under way.
struct Walk<'a> {
    store: &'a Store,
    outcome: Refresh,
    known: Known,
    /// Per month of `known`: outside the months the refresh was asked for.
    outside: Vec<bool>,
    new_rows: BTreeMap<String, Vec<Indexed>>,
    /// Rows to drop, by month: files gone, or changed since they were indexed (re-read).
    dropped: PlHashMap<String, PlHashSet<Key>>,
    pool: Option<rayon::ThreadPool>,
}

impl Walk<'_> {
    /// Follow one batch of a job folder's ids: mark the known ones seen, stat the ones a
    /// refresh of these months checks, read the new and changed ones.
    fn batch(&mut self, dir: &JobDir, ids: Vec<String>) -> Result<()> {
        let mut keyed: Vec<(Key, String)> =
            ids.into_iter().map(|id| (key(&dir.job, &id), id)).collect();
        keyed.sort_unstable_by_key(|(k, _)| *k);
        let mut at = 0;
        let mut check = Vec::new();
        for (key, id) in keyed {
            let (next, found) = self.known.find(at, key);
            at = next;
            let found = found.filter(|&i| !self.duplicated(i));
            if let Some(i) = found
                && self.outside[usize::from(self.known.runs[i].month)]
            {
                self.known.runs[i].seen = true;
                continue;
            }
            check.push((found, id));
        }
        let stat = || {
            check
                .par_iter()
                .map(|(found, id)| (*found, dir.stat(id), id))
                .collect::<Vec<_>>()
        };
        let stats = match &self.pool {
            Some(pool) => pool.install(stat),
            None => stat(),
        };
        let mut to_read = Vec::new();
        for (found, stat, id) in stats {
            match stat {
                // A run whose file cannot be stat'ed stays unseen: it leaves the index.
                Err(reason) => self.outcome.skipped.push(Skipped {
                    path: dir.file(id),
                    reason,
                }),
                Ok(file) => {
                    let stamp = found.map(|i| {
                        self.known.runs[i].seen = true;
                        self.known.runs[i]
                    });
                    if !stamp.is_some_and(|s| s.matches(&file)) {
                        to_read.push((stamp, file));
                    }
                }
            }
        }
        self.read(dir, to_read)
    }

    /// Whether the run at `i` is in the index more than once (a refresh cut short between
    /// writing a part and removing the one it replaced): every copy is dropped and the file
    /// read again as new.
    fn duplicated(&mut self, i: usize) -> bool {
        let key = self.known.runs[i].key;
        let copies = self.known.runs[i..]
            .iter()
            .take_while(|s| s.key == key)
            .count();
        if copies == 1 {
            return false;
        }
        for stamp in &mut self.known.runs[i..i + copies] {
            stamp.seen = true;
            let month = self.known.months[usize::from(stamp.month)].clone();
            self.dropped.entry(month).or_default().insert(key);
        }
        true
    }

    /// Read new and changed run files; a changed one's old row is dropped either way.
    fn read(&mut self, dir: &JobDir, to_read: Vec<(Option<Stamp>, RunFile)>) -> Result<()> {
        self.outcome.parsed += to_read.len();
        for (stamp, _) in &to_read {
            if let Some(s) = stamp {
                let month = self.known.months[usize::from(s.month)].clone();
                self.dropped.entry(month).or_default().insert(s.key);
            }
        }
        let files: Vec<&RunFile> = to_read.iter().map(|(_, f)| f).collect();
        for (i, result) in read_chunk(self.pool.as_ref(), &dir.job, &files) {
            match result {
                Ok(indexed) => {
                    if to_read[i].0.is_none() {
                        self.outcome.added += 1;
                    }
                    let month = month_of_ms(billed_from_ms(&indexed.run));
                    self.new_rows.entry(month).or_default().push(indexed);
                }
                Err(reason) => {
                    // A changed file that no longer reads leaves the index.
                    if to_read[i].0.is_some() {
                        self.outcome.removed += 1;
                    }
                    self.outcome.skipped.push(Skipped {
                        path: to_read[i].1.path.clone(),
                        reason,
                    });
                }
            }
        }
        // A cold build writes as it goes, so memory holds one chunk of runs at a time.
        if self.new_rows.values().map(Vec::len).sum::<usize>() >= CHUNK {
            let ready = std::mem::take(&mut self.new_rows);
            write_months(self.store, ready, &mut self.dropped)?;
        }
        Ok(())
    }

    /// Drop the rows of runs no longer listed and write what is left.
    fn finish(mut self) -> Result<Refresh> {
        for stamp in self.known.runs.iter().filter(|s| !s.seen) {
            let month = &self.known.months[usize::from(stamp.month)];
            self.dropped
                .entry(month.clone())
                .or_default()
                .insert(stamp.key);
            self.outcome.removed += 1;
        }
        write_months(self.store, self.new_rows, &mut self.dropped)?;
        Ok(self.outcome)
    }
}

/// Read and check a chunk of one job's run files in parallel (on `pool`, else rayon's
/// global pool): each with its position in the chunk.
fn read_chunk(
    pool: Option<&rayon::ThreadPool>,
    job: &str,
    chunk: &[&RunFile],
) -> Vec<(usize, std::result::Result<Indexed, String>)> {
    let read = || {
        chunk
            .par_iter()
            .enumerate()
            .map(|(i, f)| {
                let run = read_run(&f.path).and_then(|run| {
                    if run.id != f.id {
                        return Err(format!(
                            "its id does not match its file name `{}.json`",
                            f.id
                        ));
                    }
                    if run.job != job {
                        return Err(format!(
                            "its job `{}` is not the folder it is in (runs/<job>/<id>.json)",
                            run.job
                        ));
                    }
                    Ok(run)
                });
                let indexed = run.map(|run| Indexed {
                    run,
                    len: f.len,
                    changed_ns: f.changed_ns,
                });
                (i, indexed)
            })
            .collect()
    };
    match pool {
        Some(pool) => pool.install(read),
        None => read(),
    }
}

/// The index's rows as it has them, or (when it cannot be read, or is in an earlier
/// layout) none, after removing every part, with the reason in the outcome.
fn known_or_rebuild(store: &Store, outcome: &mut Refresh) -> Result<Known> {
    let legacy = legacy_path(store);
    let why = if legacy.exists() {
        Some("the single-file index of an earlier fargate-cost".to_string())
    } else {
        match known(store) {
            Ok(known) => return Ok(known),
            Err(e) => Some(e.to_string()),
        }
    };
    for files in parts(store)?.values() {
        for file in files {
            std::fs::remove_file(file).map_err(index_error)?;
        }
    }
    if legacy.exists() {
        std::fs::remove_file(&legacy).map_err(index_error)?;
    }
    outcome.rebuilt = why;
    Ok(Known::default())
}

/// Write new rows by month, each month with [`write_month`].
fn write_months(
    store: &Store,
    new_rows: BTreeMap<String, Vec<Indexed>>,
    dropped: &mut PlHashMap<String, PlHashSet<Key>>,
) -> Result<()> {
    let mut months: BTreeMap<String, Vec<Indexed>> = new_rows;
    for month in dropped.keys() {
        months.entry(month.clone()).or_default();
    }
    let existing = parts(store)?;
    for (month, rows) in months {
        let old = existing.get(&month).cloned().unwrap_or_default();
        let gone = dropped.remove(month.as_str()).unwrap_or_default();
        write_month(store, &month, &old, &gone, &rows)?;
    }
    Ok(())
}

/// Add a month's new rows as a part and drop its gone ones, one old part at a time: a
/// part holding a gone row is rewritten without it, and once the month has [`MAX_PARTS`]
/// parts its small ones (under [`CHUNK`] rows: a refresh's few new runs each) are merged
/// into the new part. A month of millions of runs is never read back whole — memory is one
/// part, or at most [`MAX_PARTS`] small ones (merging the whole month into one part
/// held 9M rows, 3 GB, at 10M runs). Old parts are removed once their rows are written.
fn write_month(
    store: &Store,
    month: &str,
    old: &[PathBuf],
    gone: &PlHashSet<Key>,
    rows: &[Indexed],
) -> Result<()> {
    let mut pending = frame(rows).map_err(index_error)?;
    let merge_small = old.len() >= MAX_PARTS;
    let mut replaced = Vec::new();
    for part in old {
        let small = merge_small && part_rows(part)? < CHUNK;
        if gone.is_empty() && !small {
            continue;
        }
        let Some(lazy) = scan_paths(vec![part.clone()])? else {
            continue;
        };
        let rows = lazy.collect().map_err(index_error)?;
        let height = rows.height();
        let mut kept = without(rows, gone)?;
        if small {
            pending.vstack_mut(&kept).map_err(index_error)?;
        } else if kept.height() == height {
            continue;
        } else if kept.height() > 0 {
            write_part(store, month, &mut kept)?;
        }
        replaced.push(part);
    }
    if pending.height() > 0 {
        write_part(store, month, &mut pending)?;
    }
    for file in replaced {
        std::fs::remove_file(file).map_err(index_error)?;
    }
    Ok(())
}

/// A part's row count, from its Parquet footer.
fn part_rows(part: &Path) -> Result<usize> {
    let file = std::fs::File::open(part).map_err(index_error)?;
    ParquetReader::new(file).num_rows().map_err(index_error)
}

/// The rows whose key is not in `gone`.
fn without(frame: DataFrame, gone: &PlHashSet<Key>) -> Result<DataFrame> {
    let text = |name: &str| {
        frame
            .column(name)
            .and_then(|col| col.str().cloned())
            .map_err(index_error)
    };
    let (ids, jobs) = (text(c::ID)?, text(c::JOB)?);
    let mask: BooleanChunked = ids
        .iter()
        .zip(jobs.iter())
        .map(|(id, job)| !gone.contains(&key(job.unwrap_or_default(), id.unwrap_or_default())))
        .collect();
    frame.filter(&mask).map_err(index_error)
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

    /// A store in a temp dir holding these runs.
    fn store_with(runs: &[Run]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        for run in runs {
            store.write(run, &[]).unwrap();
        }
        (dir, store)
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
        assert_eq!(refresh(&store, None).unwrap().added, 1);
        assert_eq!(costs(&store), [exact]);
        store.write(&run("r2", "0.5"), &[]).unwrap();
        assert_eq!(
            refresh(&store, None).unwrap().added,
            1,
            "only the new run is added"
        );
        let mut all = costs(&store);
        all.sort();
        assert_eq!(all, [exact, "0.5"]);
    }

    #[test]
    fn an_index_with_other_columns_or_the_old_layout_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        store.write(&run("r1", "0.25"), &[]).unwrap();
        // A part as another version wrote it: the cost in rounded micro-dollars.
        let mut old = DataFrame::new_infer_height(vec![
            Column::new(c::ID.into(), vec!["r1"]),
            Column::new("usd_micros".into(), vec![250_000i64]),
        ])
        .unwrap();
        write_part(&store, "2026-11", &mut old).unwrap();
        let outcome = refresh(&store, None).unwrap();
        assert!(outcome.rebuilt.unwrap().contains("another version"));
        assert_eq!(outcome.added, 1);
        assert_eq!(costs(&store), ["0.25"]);
        // The single-file index of earlier versions is replaced by month parts.
        std::fs::write(legacy_path(&store), b"PAR1").unwrap();
        let outcome = refresh(&store, None).unwrap();
        assert!(outcome.rebuilt.unwrap().contains("single-file"));
        assert!(!legacy_path(&store).exists());
        assert_eq!(costs(&store), ["0.25"]);
    }

    /// A report's refresh stats only its months' files: a run of another month changed
    /// in place waits for a report of its month; new and removed runs of any month are
    /// followed by every refresh.
    #[test]
    fn a_refresh_for_some_months_stats_only_their_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        store.write(&run("nov", "0.1"), &[]).unwrap();
        let october = |id: &str, usd: &str| {
            let mut r = run(id, usd);
            for t in [&mut r.started_at, &mut r.created_at, &mut r.stopped_at] {
                *t -= chrono::Duration::days(20);
            }
            r.pull_started_at = Some(r.started_at);
            r
        };
        store.write(&october("oct", "0.2"), &[]).unwrap();
        refresh(&store, None).unwrap();
        let nov = Some(("2026-11", "2026-11"));
        let file = dir.path().join("runs/nightly/oct.json");
        std::thread::sleep(std::time::Duration::from_millis(20));
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, text.replace("0.2", "0.25")).unwrap();
        assert_eq!(refresh(&store, nov).unwrap().parsed, 0);
        let mut all = costs(&store);
        all.sort();
        assert_eq!(all, ["0.1", "0.2"]);
        // A new October run and a removed November one are followed all the same.
        store.write(&october("oct2", "0.3"), &[]).unwrap();
        std::fs::remove_file(dir.path().join("runs/nightly/nov.json")).unwrap();
        let outcome = refresh(&store, nov).unwrap();
        assert_eq!((outcome.added, outcome.removed, outcome.parsed), (1, 1, 1));
        // October's report reads the changed file again.
        let oct = refresh(&store, Some(("2026-10", "2026-10"))).unwrap();
        assert_eq!(oct.parsed, 1);
        let mut all = costs(&store);
        all.sort();
        assert_eq!(all, ["0.25", "0.3"]);
    }

    /// A removal rewrites only the part that held the run; once a month has MAX_PARTS
    /// parts its small ones are merged with the new rows into one, nothing lost.
    #[test]
    fn parts_are_rewritten_one_at_a_time_and_small_ones_merged() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let month = |store: &Store| parts(store).unwrap()["2026-11"].clone();
        for i in 0..3 {
            store.write(&run(&format!("r{i}"), "0.1"), &[]).unwrap();
            refresh(&store, None).unwrap();
        }
        let before = month(&store);
        assert_eq!(before.len(), 3);
        std::fs::remove_file(dir.path().join("runs/nightly/r1.json")).unwrap();
        assert_eq!(refresh(&store, None).unwrap().removed, 1);
        let after = month(&store);
        assert_eq!(after, [before[0].clone(), before[2].clone()]);
        for i in 3..MAX_PARTS + 2 {
            store.write(&run(&format!("r{i}"), "0.1"), &[]).unwrap();
            refresh(&store, None).unwrap();
        }
        // 2 + 14 one-run parts made 16, all small: the next refresh merged them with its
        // run into one part.
        assert_eq!(month(&store).len(), 1);
        assert_eq!(costs(&store).len(), MAX_PARTS + 1);
    }

    /// A full part (CHUNK rows, as a cold build writes them) is never read back or
    /// merged: with MAX_PARTS parts, only the small ones join the new rows.
    #[test]
    fn full_parts_are_left_alone_when_small_ones_are_merged() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let indexed = |id: String| Indexed {
            run: run(&id, "0.1"),
            len: 1,
            changed_ns: 1,
        };
        let full: Vec<Indexed> = (0..CHUNK).map(|i| indexed(format!("f{i}"))).collect();
        let full = write_part(&store, "2026-11", &mut frame(&full).unwrap()).unwrap();
        for i in 0..MAX_PARTS - 1 {
            let one = [indexed(format!("s{i}"))];
            write_part(&store, "2026-11", &mut frame(&one).unwrap()).unwrap();
        }
        let old = parts(&store).unwrap()["2026-11"].clone();
        assert_eq!(old.len(), MAX_PARTS);
        let stamp = |p: &Path| std::fs::metadata(p).unwrap().modified().unwrap();
        let full_stamp = stamp(&full);
        let gone = PlHashSet::default();
        write_month(&store, "2026-11", &old, &gone, &[indexed("new".into())]).unwrap();
        let now = parts(&store).unwrap()["2026-11"].clone();
        assert_eq!(now.len(), 2);
        assert!(now.contains(&full) && stamp(&full) == full_stamp);
        let merged = now.iter().find(|p| **p != full).unwrap();
        assert_eq!(part_rows(merged).unwrap(), MAX_PARTS);
    }

    #[test]
    fn only_new_and_changed_files_are_read_and_parts_follow_the_months() {
        let mut october = run("r0", "0.2");
        october.started_at -= chrono::Duration::days(20);
        october.pull_started_at = Some(october.started_at);
        october.created_at = october.started_at;
        october.stopped_at = october.started_at + chrono::Duration::seconds(61);
        let (dir, store) = store_with(&[run("r1", "0.1"), october]);
        let first = refresh(&store, None).unwrap();
        assert_eq!((first.added, first.parsed), (2, 2));
        let months: Vec<String> = parts(&store).unwrap().into_keys().collect();
        assert_eq!(months, ["2026-10", "2026-11"]);
        // Nothing changed: nothing is read.
        let again = refresh(&store, None).unwrap();
        assert_eq!((again.added, again.removed, again.parsed), (0, 0, 0));
        // One new file: only it is read; a new part joins its month.
        store.write(&run("r2", "0.3"), &[]).unwrap();
        let third = refresh(&store, None).unwrap();
        assert_eq!((third.added, third.parsed), (1, 1));
        assert_eq!(parts(&store).unwrap()["2026-11"].len(), 2);
        // A file rewritten since it was indexed is read again; a removed one leaves, and its
        // month is compacted into one part.
        store.write(&run("r2", "0.35"), &[]).unwrap();
        std::fs::remove_file(dir.path().join("runs/nightly/r1.json")).unwrap();
        let fourth = refresh(&store, None).unwrap();
        assert_eq!((fourth.added, fourth.removed, fourth.parsed), (0, 1, 1));
        assert_eq!(parts(&store).unwrap()["2026-11"].len(), 1);
        let mut all = costs(&store);
        all.sort();
        assert_eq!(all, ["0.2", "0.35"]);
        // Scanning one month reads only its parts.
        let november = scan_paths(month_parts(&store, "2026-11", "2026-11").unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(november.collect().unwrap().height(), 1);
    }

    /// Runs are keyed by job and id: two jobs may each have a run `r1`, and neither
    /// hides the other (keyed by id alone, one of them was read again at every refresh).
    #[test]
    fn runs_of_two_jobs_with_one_id_are_both_indexed() {
        let mut other = run("r1", "0.2");
        other.job = "weekly".into();
        let (dir, store) = store_with(&[run("r1", "0.1"), other]);
        assert_eq!(refresh(&store, None).unwrap().added, 2);
        let again = refresh(&store, None).unwrap();
        assert_eq!((again.added, again.removed, again.parsed), (0, 0, 0));
        std::fs::remove_file(dir.path().join("runs/weekly/r1.json")).unwrap();
        assert_eq!(refresh(&store, None).unwrap().removed, 1);
        assert_eq!(costs(&store), ["0.1"]);
    }

    /// Keys are looked up in order from where the last one was found: every key of a
    /// sorted batch is found at its place, and absent ones are not.
    #[test]
    fn a_sorted_walk_finds_every_known_key() {
        let stamp = |i: usize| Stamp {
            key: key("job", &format!("run-{i}")),
            changed_ns: 0,
            len: 0,
            month: 0,
            seen: false,
        };
        let mut known = Known {
            months: vec!["2026-11".into()],
            runs: (0..5000).filter(|i| i % 3 != 0).map(stamp).collect(),
        };
        known.runs.sort_unstable_by_key(|s| s.key);
        let mut batch: Vec<(Key, usize)> = (0..5000).map(|i| (stamp(i).key, i)).collect();
        batch.sort_unstable();
        let mut at = 0;
        let mut found = 0;
        for (key, i) in batch {
            let (next, place) = known.find(at, key);
            at = next;
            assert_eq!(place.is_some(), i % 3 != 0, "run-{i}");
            if let Some(place) = place {
                assert_eq!(known.runs[place].key, key);
                found += 1;
            }
        }
        assert_eq!(found, known.runs.len());
        // What the README counts on: 32 bytes a known run.
        assert_eq!(std::mem::size_of::<Stamp>(), 32);
    }

    /// A job's keys sort together, so its folder's names are looked up in one stretch of
    /// the index.
    #[test]
    fn keys_sort_by_job_first() {
        let mut keys: Vec<(Key, &str)> = (0..2000)
            .flat_map(|i| {
                let id = format!("run-{i}");
                [
                    ("nightly", key("nightly", &id)),
                    ("hourly", key("hourly", &id)),
                ]
            })
            .map(|(job, key)| (key, job))
            .collect();
        keys.sort_unstable();
        let changes = keys.windows(2).filter(|w| w[0].1 != w[1].1).count();
        assert_eq!(changes, 1, "one job's keys, then the other's");
        assert_ne!(key("a/b", "c"), key("a", "b/c"));
    }

    /// A run in the index twice (a refresh cut short between writing a part and removing
    /// the one it replaced) is read again and left once; a known run whose file cannot be
    /// stat'ed as a file leaves the index.
    #[test]
    fn a_run_indexed_twice_is_left_once_and_an_unstatable_one_leaves() {
        let (dir, store) = store_with(&[run("r1", "0.1"), run("r2", "0.2")]);
        refresh(&store, None).unwrap();
        let part = parts(&store).unwrap()["2026-11"][0].clone();
        std::fs::copy(&part, part.with_file_name("part-copy.parquet")).unwrap();
        assert_eq!(costs(&store).len(), 4);
        let outcome = refresh(&store, None).unwrap();
        assert_eq!(outcome.parsed, 2);
        let mut all = costs(&store);
        all.sort();
        assert_eq!(all, ["0.1", "0.2"]);
        let file = dir.path().join("runs/nightly/r2.json");
        std::fs::remove_file(&file).unwrap();
        std::fs::create_dir(&file).unwrap();
        let outcome = refresh(&store, None).unwrap();
        assert_eq!(outcome.removed, 1);
        assert!(outcome.skipped.iter().any(|s| s.path == file));
        assert_eq!(costs(&store), ["0.1"]);
    }
}
