//! The run store: `runs/<job>/<id>.json` (the [`Run`]) and `samples/<job>/<id>.parquet`
//! (its [`Sample`]s). Every file is written to a temp file in the same directory and renamed,
//! and the run JSON is written last, so a run is visible only once it is complete; a crash
//! never leaves a half-written run. Unreadable or foreign files are reported and skipped.

use std::io::Write;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::model::run::{Run, Sample};

pub(crate) mod fs;
pub mod index;
pub mod lock;
pub mod period;
pub mod remote;
pub(crate) mod rewrite;

pub use fs::write_atomic;

/// Default store directory name, created beside the config file.
pub const DEFAULT_STORE: &str = ".fargate-cost";

/// Column names of the samples Parquet files.
pub mod columns {
    /// Run id (string).
    pub const RUN_ID: &str = "run_id";
    /// Milliseconds since the run started (i64).
    pub const OFFSET_MS: &str = "offset_ms";
    /// vCPU in use (f64).
    pub const CPU_VCPU: &str = "cpu_vcpu";
    /// MiB in use (f64).
    pub const MEMORY_MIB: &str = "memory_mib";
}

/// A file the store could not read, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The file.
    pub path: PathBuf,
    /// What is wrong with it.
    pub reason: String,
}

/// A run store rooted at a directory: the store itself, or the mirror of an S3 store.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    /// The S3 store this directory mirrors (writes go there first).
    remote: Option<std::sync::Arc<remote::Remote>>,
}

fn store_error(path: &Path, what: &str, error: impl std::fmt::Display) -> Error {
    Error::Store(format!("{what} {}: {error}", path.display()))
}

/// A run file as listed: its id (the file stem), path, size and last change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFile {
    /// Run id.
    pub id: String,
    /// Where it is.
    pub path: PathBuf,
    /// Size in bytes.
    pub len: u64,
    /// The later of its modification and status-change times, ns since the epoch: any
    /// rewrite, rename or `touch` moves it, so an unchanged (size, change) pair means the
    /// file was not replaced since it was indexed.
    pub changed_ns: i64,
}

/// One job's folder of run files (`runs/<job>/`), open so its files are stat'ed relative
/// to it rather than by full path.
#[derive(Debug)]
pub struct JobDir {
    /// The job: the folder's name.
    pub job: String,
    /// The folder.
    pub path: PathBuf,
    handle: std::fs::File,
}

impl JobDir {
    /// Open a job folder (one at a time: a store of thousands of jobs never holds them all
    /// open). None when it is gone (a job removed meanwhile: its runs are gone too).
    pub fn open(path: PathBuf) -> Result<Option<JobDir>> {
        let job = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match std::fs::File::open(&path) {
            Ok(handle) => Ok(Some(JobDir { job, path, handle })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(store_error(&path, "cannot open the job folder", e)),
        }
    }

    /// The path of the run file `id` in this folder.
    pub fn file(&self, id: &str) -> PathBuf {
        self.path.join(format!("{id}.json"))
    }

    /// The run ids of the folder, `batch` at a time, from the names alone (no stat): a
    /// folder of millions of runs is never held whole. Entries that are not `.json` are
    /// added to `skipped` with why; files being written (`.tmp-*`) are not listed, so a
    /// run is visible only once complete.
    pub fn ids(
        &self,
        batch: usize,
        skipped: &mut Vec<Skipped>,
        mut each: impl FnMut(Vec<String>) -> Result<()>,
    ) -> Result<()> {
        let entries = match std::fs::read_dir(&self.path) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(store_error(&self.path, "cannot list", e)),
        };
        let mut ids = Vec::new();
        for entry in entries.filter_map(|e| e.ok()) {
            let name = entry.file_name();
            let Some(text) = name.to_str() else {
                skipped.push(Skipped {
                    path: entry.path(),
                    reason: "its name is not UTF-8 (run ids are)".into(),
                });
                continue;
            };
            if text.starts_with(".tmp-") {
                continue; // a write in progress (or killed mid-way): never visible
            }
            match text.strip_suffix(".json") {
                Some(id) => ids.push(id.to_string()),
                None => skipped.push(Skipped {
                    path: entry.path(),
                    reason: "not a run record (.json)".into(),
                }),
            }
            if ids.len() >= batch {
                each(std::mem::take(&mut ids))?;
            }
        }
        if !ids.is_empty() {
            each(ids)?;
        }
        Ok(())
    }

    /// The run file `id` of this folder with its size and change time, or why it is
    /// skipped.
    pub fn stat(&self, id: &str) -> std::result::Result<RunFile, String> {
        let name = format!("{id}.json");
        match fs::stat_at(&self.handle, std::ffi::OsStr::new(&name)) {
            Ok(stat) if stat.is_file => Ok(RunFile {
                id: id.to_string(),
                path: self.path.join(name),
                len: stat.len,
                changed_ns: stat.changed_ns,
            }),
            Ok(_) => Err("not a run record (.json)".into()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// A run record's bytes as the store writes them (pretty JSON and a newline); the scale
/// benchmark writes a million records with it, in the store's own format.
pub fn encode_record(run: &Run) -> serde_json::Result<Vec<u8>> {
    let mut json = serde_json::to_vec_pretty(run)?;
    json.push(b'\n');
    Ok(json)
}

/// Read and validate one run file, or say why it cannot be used.
pub fn read_run(path: &Path) -> std::result::Result<Run, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let run = serde_json::from_slice::<Run>(&bytes).map_err(|e| e.to_string())?;
    run.validate()?;
    Ok(run)
}

impl Store {
    /// A store at `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Store {
        Store {
            root: root.into(),
            remote: None,
        }
    }

    /// The S3 store `remote`, mirrored at `mirror` (pull it first to read it).
    pub fn with_remote(
        mirror: impl Into<PathBuf>,
        remote: std::sync::Arc<remote::Remote>,
    ) -> Store {
        Store {
            root: mirror.into(),
            remote: Some(remote),
        }
    }

    /// The store as the user named it: its directory, or its `s3://` URL.
    pub fn name(&self) -> String {
        match &self.remote {
            Some(remote) => remote.url(),
            None => self.root.display().to_string(),
        }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn run_path(&self, job: &str, id: &str) -> PathBuf {
        self.root.join("runs").join(job).join(format!("{id}.json"))
    }

    /// True when a run with this id is recorded for the job.
    pub fn contains(&self, job: &str, id: &str) -> bool {
        self.run_path(job, id).exists()
    }

    /// Path of a run's samples file.
    pub fn samples_path(&self, job: &str, id: &str) -> PathBuf {
        self.root
            .join("samples")
            .join(job)
            .join(format!("{id}.parquet"))
    }

    /// Record a run: samples first, then the run JSON (the commit point). In an S3 store
    /// both go to the bucket (create-only) before the mirror.
    pub fn write(&self, run: &Run, samples: &[Sample]) -> Result<PathBuf> {
        self.record(run, samples, None)
    }

    /// Record a newer state of a run already recorded (an imported run that was still
    /// running). In an S3 store the record is replaced only if it is still the version
    /// this machine read; one another machine changed meanwhile is left as it is (error).
    pub fn replace(&self, run: &Run, samples: &[Sample]) -> Result<PathBuf> {
        let path = self.run_path(&run.job, &run.id);
        let previous = match &self.remote {
            Some(_) => {
                Some(std::fs::read(&path).map_err(|e| store_error(&path, "cannot read", e))?)
            }
            None => None,
        };
        self.record(run, samples, previous.as_deref())
    }

    fn record(&self, run: &Run, samples: &[Sample], previous: Option<&[u8]>) -> Result<PathBuf> {
        let samples_path = self.samples_path(&run.job, &run.id);
        let mut frame = samples_frame(&run.id, samples)
            .map_err(|e| store_error(&samples_path, "cannot build samples for", e))?;
        let mut parquet = Vec::new();
        ParquetWriter::new(&mut parquet)
            .finish(&mut frame)
            .map_err(|e| store_error(&samples_path, "cannot write", e))?;
        let run_path = self.run_path(&run.job, &run.id);
        let json = encode_record(run).map_err(|e| store_error(&run_path, "cannot encode", e))?;
        if let Some(remote) = &self.remote {
            remote.upload_run(
                (&format!("runs/{}/{}.json", run.job, run.id), json.clone()),
                Some((
                    &format!("samples/{}/{}.parquet", run.job, run.id),
                    parquet.clone(),
                )),
                previous,
            )?;
        }
        for (path, bytes) in [(&samples_path, &parquet), (&run_path, &json)] {
            write_atomic(path, |file| {
                file.write_all(bytes)
                    .map_err(|e| store_error(path, "cannot write", e))
            })?;
        }
        Ok(run_path)
    }

    /// Where a run's record lives: `runs/<job>/<id>.json`.
    pub fn record_path(&self, run: &Run) -> PathBuf {
        self.run_path(&run.job, &run.id)
    }

    /// Fail now, naming the store, if runs of `job` could not be recorded: checked before a
    /// job is launched, so an unwritable store never costs a whole run's measurement.
    pub fn check_writable(&self, job: &str) -> Result<()> {
        let unwritable = |e: &dyn std::fmt::Display| {
            Error::invalid(
                "--store",
                format!(
                    "{} is not a writable store directory ({e}); runs of `{job}` could not be recorded",
                    self.root.display()
                ),
            )
        };
        for dir in [
            self.root.join("runs").join(job),
            self.root.join("samples").join(job),
        ] {
            std::fs::create_dir_all(&dir).map_err(|e| unwritable(&e))?;
            tempfile::Builder::new()
                .prefix(".probe-")
                .tempfile_in(&dir)
                .map_err(|e| unwritable(&e))?;
        }
        match &self.remote {
            Some(remote) => remote.check_writable(),
            None => Ok(()),
        }
    }

    /// The jobs that have a folder of runs (one directory listing: a config of thousands of
    /// jobs looks up runs only for these).
    pub fn job_names(&self) -> std::collections::HashSet<String> {
        std::fs::read_dir(self.root.join("runs"))
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The job folders (of one job, or all) and the entries of `runs/` that are not one;
    /// open each with [`JobDir::open`] when its turn comes.
    pub fn job_dirs(&self, job: Option<&str>) -> (Vec<PathBuf>, Vec<Skipped>) {
        let base = self.root.join("runs");
        let paths: Vec<PathBuf> = match job {
            Some(job) => vec![base.join(job)],
            None => match std::fs::read_dir(&base) {
                Ok(entries) => entries.filter_map(|e| e.ok()).map(|e| e.path()).collect(),
                Err(_) => Vec::new(),
            },
        };
        let mut dirs = Vec::new();
        let mut skipped = Vec::new();
        for path in paths {
            if path.is_dir() {
                dirs.push(path);
            } else if path.exists() {
                skipped.push(Skipped {
                    path,
                    reason: "not a job directory".into(),
                });
            }
        }
        (dirs, skipped)
    }

    /// Every run file (of one job, or all) with its size and change time, listed without
    /// reading it, and the entries that are not run files (see [`JobDir::ids`]).
    pub fn run_files(&self, job: Option<&str>) -> (Vec<RunFile>, Vec<Skipped>) {
        let (dirs, mut skipped) = self.job_dirs(job);
        let mut files = Vec::new();
        for path in dirs {
            let mut unstated = Vec::new();
            let listed = JobDir::open(path.clone()).and_then(|dir| {
                let Some(dir) = dir else { return Ok(()) };
                dir.ids(usize::MAX, &mut skipped, |ids| {
                    let stats: Vec<_> = ids.par_iter().map(|id| (id, dir.stat(id))).collect();
                    for (id, stat) in stats {
                        match stat {
                            Ok(file) => files.push(file),
                            Err(reason) => unstated.push(Skipped {
                                path: dir.file(id),
                                reason,
                            }),
                        }
                    }
                    Ok(())
                })
            });
            skipped.append(&mut unstated);
            if let Err(e) = listed {
                skipped.push(Skipped {
                    path,
                    reason: e.to_string(),
                });
            }
        }
        (files, skipped)
    }

    /// All readable runs (of one job, or all), oldest first, and the files skipped.
    pub fn runs(&self, job: Option<&str>) -> (Vec<Run>, Vec<Skipped>) {
        let (files, mut skipped) = self.run_files(job);
        let mut runs = Vec::new();
        for file in files {
            match read_run(&file.path) {
                Ok(run) => runs.push(run),
                Err(reason) => skipped.push(Skipped {
                    path: file.path,
                    reason,
                }),
            }
        }
        runs.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        (runs, skipped)
    }

    /// The runs of `job` with these ids, read by path (no listing), in parallel; a file
    /// that is gone or unreadable is skipped with the reason. The report reads each job's
    /// latest runs this way.
    pub fn runs_by_id(&self, job: &str, ids: &[String]) -> (Vec<Run>, Vec<Skipped>) {
        let read: Vec<(PathBuf, std::result::Result<Run, String>)> = ids
            .par_iter()
            .map(|id| {
                let path = self.run_path(job, id);
                let run = read_run(&path);
                (path, run)
            })
            .collect();
        let mut runs = Vec::new();
        let mut skipped = Vec::new();
        for (path, run) in read {
            match run {
                Ok(run) => runs.push(run),
                Err(reason) => skipped.push(Skipped { path, reason }),
            }
        }
        (runs, skipped)
    }

    /// The run whose id is `id` or starts with it (unique prefix).
    pub fn find(&self, id: &str) -> Result<(Run, Vec<Skipped>)> {
        let (runs, skipped) = self.runs(None);
        let mut matches: Vec<Run> = runs.into_iter().filter(|r| r.id.starts_with(id)).collect();
        let damaged = skipped.iter().find(|s| {
            s.path
                .file_stem()
                .is_some_and(|stem| stem.to_string_lossy().starts_with(id))
        });
        match (matches.len(), damaged) {
            (0, Some(damaged)) => Err(Error::Store(format!(
                "run `{id}` is damaged: {} ({})",
                damaged.reason,
                damaged.path.display()
            ))),
            (1, _) => Ok((matches.remove(0), skipped)),
            (0, None) => Err(Error::invalid(
                "RUN_ID",
                format!(
                    "no run `{id}` in {}; list them with `fargate-cost runs`",
                    self.name()
                ),
            )),
            (n, _) => Err(Error::invalid(
                "RUN_ID",
                format!("`{id}` matches {n} runs; give more of the id"),
            )),
        }
    }

    /// A run's samples, read back from Parquet (lazily scanned, declared columns).
    pub fn samples(&self, run: &Run) -> Result<Vec<Sample>> {
        let path = self.samples_path(&run.job, &run.id);
        if let Some(remote) = &self.remote {
            remote.fetch(
                &self.root,
                &format!("samples/{}/{}.parquet", run.job, run.id),
            )?;
        }
        let frame = PlRefPath::try_from_path(&path)
            .and_then(|p| LazyFrame::scan_parquet(p, ScanArgsParquet::default()))
            .and_then(|lf| {
                lf.select([
                    col(columns::OFFSET_MS),
                    col(columns::CPU_VCPU),
                    col(columns::MEMORY_MIB),
                ])
                .sort([columns::OFFSET_MS], SortMultipleOptions::default())
                .collect()
            })
            .map_err(|e| store_error(&path, "cannot read samples", e))?;
        let offsets = frame
            .column(columns::OFFSET_MS)
            .and_then(|c| c.i64().cloned());
        let cpu = frame
            .column(columns::CPU_VCPU)
            .and_then(|c| c.f64().cloned());
        let memory = frame
            .column(columns::MEMORY_MIB)
            .and_then(|c| c.f64().cloned());
        let (offsets, cpu, memory) = match (offsets, cpu, memory) {
            (Ok(o), Ok(c), Ok(m)) => (o, c, m),
            _ => return Err(store_error(&path, "unexpected column types in", "samples")),
        };
        Ok(offsets
            .iter()
            .zip(cpu.iter())
            .zip(memory.iter())
            .map(|((o, c), m)| Sample {
                offset_ms: o.unwrap_or(0).max(0) as u64,
                cpu_vcpu: c.unwrap_or(0.0),
                memory_mib: m.unwrap_or(0.0),
            })
            .collect())
    }
}

/// The samples of one run as a DataFrame with the declared columns.
fn samples_frame(run_id: &str, samples: &[Sample]) -> PolarsResult<DataFrame> {
    DataFrame::new_infer_height(vec![
        Column::new(columns::RUN_ID.into(), vec![run_id; samples.len()]),
        Column::new(
            columns::OFFSET_MS.into(),
            samples
                .iter()
                .map(|s| s.offset_ms as i64)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            columns::CPU_VCPU.into(),
            samples.iter().map(|s| s.cpu_vcpu).collect::<Vec<_>>(),
        ),
        Column::new(
            columns::MEMORY_MIB.into(),
            samples.iter().map(|s| s.memory_mib).collect::<Vec<_>>(),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A job folder gone by its turn is empty; one that cannot be listed is an error (a
    /// refresh fails rather than drop its runs); a name that is not UTF-8 is skipped with
    /// why.
    #[test]
    fn job_folders_gone_unlistable_or_with_odd_names() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        assert!(JobDir::open(dir.path().join("gone")).unwrap().is_none());
        let file = dir.path().join("not-a-folder");
        std::fs::write(&file, b"x").unwrap();
        let mut skipped = Vec::new();
        let opened = JobDir::open(file).unwrap().unwrap();
        let listed = opened.ids(10, &mut skipped, |_| Ok(()));
        assert!(listed.unwrap_err().to_string().contains("cannot list"));
        let folder = dir.path().join("nightly");
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("r1.json"), b"{}").unwrap();
        let odd = std::ffi::OsStr::from_bytes(b"r\xff.json");
        std::fs::write(folder.join(odd), b"{}").unwrap();
        let job = JobDir::open(folder).unwrap().unwrap();
        let mut ids = Vec::new();
        job.ids(10, &mut skipped, |batch| {
            ids.extend(batch);
            Ok(())
        })
        .unwrap();
        assert_eq!(ids, ["r1"]);
        assert_eq!(skipped.len(), 1);
        assert!(skipped[0].reason.contains("not UTF-8"), "{:?}", skipped[0]);
    }
}
