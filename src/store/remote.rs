//! The S3 store (`--store s3://bucket/prefix`): the same layout as a local store
//! (`runs/<job>/<id>.json`, `samples/<job>/<id>.parquet`) under the prefix, mirrored in a
//! local cache directory so the tested local code (index, report, runs) reads it unchanged.
//!
//! - Reads list `runs/` (ListObjectsV2, paginated; past one page, job by job in parallel)
//!   and download only the records the mirror
//!   lacks or holds at another size; a mirrored record no longer listed is removed. The
//!   mirror, and so the run index built from it, follows the bucket's listing.
//! - Samples are downloaded when a command asks for them (`runs show`), not on every read.
//! - Writes go to S3 first, create-only (`If-None-Match: *`): samples, then the record (the
//!   commit point, as locally); only then into the mirror. A 412 means the id exists: it is
//!   never overwritten.

use std::path::Path;
use std::sync::Arc;

use tokio::task::JoinSet;

use crate::aws::s3::{Bucket, Created, Listed};
use crate::error::{Error, Result};
use crate::store::write_atomic;

/// S3 requests in flight at once when filling the mirror or syncing: S3's latency, not
/// its bandwidth, bounds one request at a time.
const PARALLEL_REQUESTS: usize = 16;

/// An S3 store's bucket, with the runtime its calls block on.
#[derive(Debug)]
pub struct Remote {
    bucket: Bucket,
    runtime: tokio::runtime::Runtime,
}

/// What a pull changed in the mirror.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pulled {
    /// Records listed in the bucket.
    pub listed: usize,
    /// Records downloaded (new, or changed in size).
    pub downloaded: usize,
    /// Mirrored records no longer in the bucket, removed.
    pub removed: usize,
}

/// What `store sync` uploaded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Synced {
    /// Run records uploaded.
    pub runs: usize,
    /// Samples files uploaded.
    pub samples: usize,
    /// Local files already in the bucket (left as they are).
    pub present: usize,
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    write_atomic(path, |file| {
        file.write_all(bytes)
            .map_err(|e| Error::Store(format!("cannot write {}: {e}", path.display())))
    })
}

/// A run file's key under `runs/`: `runs/<job>/<id>.json`, nothing deeper or stranger.
fn is_record(relative: &str) -> bool {
    let parts: Vec<&str> = relative.split('/').collect();
    matches!(parts.as_slice(), ["runs", job, file]
        if !job.is_empty() && !job.starts_with('.') && file.ends_with(".json") && !file.starts_with('.'))
}

impl Remote {
    /// A remote store in `bucket`, its calls run on `runtime`.
    pub fn new(bucket: Bucket, runtime: tokio::runtime::Runtime) -> Arc<Remote> {
        Arc::new(Remote { bucket, runtime })
    }

    /// Run `future` on this store's runtime. Called from inside another runtime (a parallel
    /// ECS sweep records each run from its own async task) tokio refuses a nested
    /// `block_on`, so there the future is driven on a scoped thread while the caller waits.
    fn block_on<F>(&self, future: F) -> F::Output
    where
        F: std::future::Future + Send,
        F::Output: Send,
    {
        if tokio::runtime::Handle::try_current().is_err() {
            return self.runtime.block_on(future);
        }
        std::thread::scope(
            |scope| match scope.spawn(|| self.runtime.block_on(future)).join() {
                Ok(output) => output,
                Err(panic) => std::panic::resume_unwind(panic),
            },
        )
    }

    /// The store's URL, for messages.
    pub fn url(&self) -> String {
        self.bucket.location.to_string()
    }

    /// Make the mirror at `root` hold exactly the run records listed in the bucket.
    pub fn pull(&self, root: &Path) -> Result<Pulled> {
        let listed: Vec<Listed> = self
            .block_on(self.list_records())?
            .into_iter()
            .filter(|l| is_record(&l.relative))
            .collect();
        let wanted: Vec<String> = listed
            .iter()
            .filter(|l| {
                std::fs::metadata(root.join(&l.relative)).map_or(true, |m| m.len() != l.size)
            })
            .map(|l| l.relative.clone())
            .collect();
        let downloaded = wanted.len();
        self.block_on(self.download(root, wanted))?;
        let names: std::collections::HashSet<&str> =
            listed.iter().map(|l| l.relative.as_str()).collect();
        let removed = remove_unlisted(root, &names);
        Ok(Pulled {
            listed: listed.len(),
            downloaded,
            removed,
        })
    }

    /// Every object under `runs/`: one request for a small store; past one page (1,000
    /// keys), each job's folder listed on its own, [`PARALLEL_REQUESTS`] at a time, since
    /// a listing's pages can only be read one after another.
    async fn list_records(&self) -> Result<Vec<Listed>> {
        let (first, more) = self.bucket.list_first_page("runs").await?;
        if !more {
            return Ok(first);
        }
        let jobs = self.bucket.subfolders("runs").await?;
        let listings = jobs.into_iter().map(|job| {
            let bucket = self.bucket.clone();
            async move { bucket.list(&job).await }
        });
        Ok(in_parallel(listings).await?.into_iter().flatten().collect())
    }

    async fn download(&self, root: &Path, wanted: Vec<String>) -> Result<()> {
        let jobs = wanted.into_iter().map(|relative| {
            let bucket = self.bucket.clone();
            let path = root.join(&relative);
            async move {
                let bytes = bucket.get(&relative).await?;
                write_file(&path, &bytes)
            }
        });
        in_parallel(jobs).await.map(|_| ())
    }

    /// Download `relative` into the mirror at `root` unless it is there already.
    pub fn fetch(&self, root: &Path, relative: &str) -> Result<()> {
        let path = root.join(relative);
        if path.exists() {
            return Ok(());
        }
        let bytes = self.block_on(self.bucket.get(relative))?;
        write_file(&path, &bytes)
    }

    /// Upload a run: its samples, then its record, both create-only. A record whose key
    /// exists with other bytes is refused; the same bytes again (a retried upload) pass.
    /// With `previous` (the record as this machine last read it) the record replaces that
    /// version only (`If-Match` on its ETag): a run imported while still running gets its
    /// final state, and a record another machine changed meanwhile is never overwritten.
    pub fn upload_run(
        &self,
        record: (&str, Vec<u8>),
        samples: Option<(&str, Vec<u8>)>,
        previous: Option<&[u8]>,
    ) -> Result<()> {
        let (relative, bytes) = record;
        let conflict = || {
            Error::Store(format!(
                "{}/{relative} already exists with other contents; runs in an S3 store are never overwritten",
                self.url()
            ))
        };
        self.block_on(async {
            if let Some((samples, parquet)) = samples {
                self.bucket.create(samples, parquet).await?;
            }
            let Some(previous) = previous else {
                let created = self.bucket.create(relative, bytes.clone()).await?;
                if created == Created::Exists && self.bucket.get(relative).await? != bytes {
                    return Err(conflict());
                }
                return Ok(());
            };
            let (current, etag) = self.bucket.get_tagged(relative).await?;
            match etag {
                Some(etag) if current == previous => {
                    match self.bucket.replace(relative, bytes, &etag).await? {
                        true => Ok(()),
                        false => Err(conflict()),
                    }
                }
                _ if current == bytes => Ok(()),
                _ => Err(conflict()),
            }
        })
    }

    /// Fail now if the bucket cannot be written (see [`Bucket::check_writable`]).
    pub fn check_writable(&self) -> Result<()> {
        self.block_on(self.bucket.check_writable())
    }

    /// Upload the local store at `from`: every samples file, then every run record, that
    /// the bucket does not have; nothing is overwritten, so a second sync uploads nothing.
    pub fn sync_from(&self, from: &Path) -> Result<Synced> {
        self.block_on(async {
            let mut present: std::collections::HashSet<String> = std::collections::HashSet::new();
            for folder in ["samples", "runs"] {
                present.extend(
                    self.bucket
                        .list(folder)
                        .await?
                        .into_iter()
                        .map(|l| l.relative),
                );
            }
            let mut synced = Synced::default();
            // Samples before records: a record is the commit point, as in a local store.
            for (folder, extension) in [("samples", "parquet"), ("runs", "json")] {
                let (there, missing): (Vec<String>, Vec<String>) =
                    local_files(from, folder, extension)
                        .into_iter()
                        .partition(|relative| present.contains(relative));
                synced.present += there.len();
                let uploads = missing.into_iter().map(|relative| {
                    let bucket = self.bucket.clone();
                    let path = from.join(&relative);
                    async move {
                        let bytes = std::fs::read(&path).map_err(|e| {
                            Error::Store(format!("cannot read {}: {e}", path.display()))
                        })?;
                        bucket.create(&relative, bytes).await
                    }
                });
                for created in in_parallel(uploads).await? {
                    match created {
                        Created::Exists => synced.present += 1,
                        Created::New if folder == "runs" => synced.runs += 1,
                        Created::New => synced.samples += 1,
                    }
                }
            }
            Ok(synced)
        })
    }
}

/// Run `jobs` with at most [`PARALLEL_REQUESTS`] in flight; their results, or the first
/// error (the rest are dropped, i.e. cancelled).
async fn in_parallel<T, F>(jobs: impl IntoIterator<Item = F>) -> Result<Vec<T>>
where
    T: Send + 'static,
    F: std::future::Future<Output = Result<T>> + Send + 'static,
{
    let mut jobs = jobs.into_iter();
    let mut tasks = JoinSet::new();
    let mut results = Vec::new();
    loop {
        while tasks.len() < PARALLEL_REQUESTS {
            let Some(job) = jobs.next() else { break };
            tasks.spawn(job);
        }
        match tasks.join_next().await {
            Some(joined) => results
                .push(joined.map_err(|e| Error::Store(format!("an S3 request stopped: {e}")))??),
            None => return Ok(results),
        }
    }
}

/// `<folder>/<job>/<name>.<extension>` files of a local store (temp files excluded), sorted.
fn local_files(root: &Path, folder: &str, extension: &str) -> Vec<String> {
    let mut files = Vec::new();
    let Ok(jobs) = std::fs::read_dir(root.join(folder)) else {
        return files;
    };
    for job in jobs.filter_map(|e| e.ok()).filter(|e| e.path().is_dir()) {
        let job_name = job.file_name().to_string_lossy().into_owned();
        let Ok(entries) = std::fs::read_dir(job.path()) else {
            continue;
        };
        for entry in entries.filter_map(|e| e.ok()) {
            let name = entry.file_name().to_string_lossy().into_owned();
            let wanted = name.ends_with(&format!(".{extension}")) && !name.starts_with('.');
            if wanted && entry.path().is_file() {
                files.push(format!("{folder}/{job_name}/{name}"));
            }
        }
    }
    files.sort();
    files
}

/// Remove the mirror's run records that the bucket no longer lists; how many.
fn remove_unlisted(root: &Path, listed: &std::collections::HashSet<&str>) -> usize {
    local_files(root, "runs", "json")
        .into_iter()
        .filter(|relative| !listed.contains(relative.as_str()))
        .filter(|relative| std::fs::remove_file(root.join(relative)).is_ok())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_job_level_json_keys_are_run_records() {
        assert!(is_record("runs/nightly/20260101-abc.json"));
        assert!(!is_record("runs/nightly/.tmp-x.json"));
        assert!(!is_record("runs/nightly/deeper/x.json"));
        assert!(!is_record("runs/x.json"));
        assert!(!is_record("runs/nightly/x.parquet"));
    }

    #[test]
    fn local_files_skip_temp_files_and_other_extensions() {
        let dir = tempfile::tempdir().unwrap();
        let job = dir.path().join("runs/nightly");
        std::fs::create_dir_all(&job).unwrap();
        for name in ["b.json", "a.json", ".tmp-c.json", "notes.txt"] {
            std::fs::write(job.join(name), "{}").unwrap();
        }
        assert_eq!(
            local_files(dir.path(), "runs", "json"),
            ["runs/nightly/a.json", "runs/nightly/b.json"]
        );
        let listed = ["runs/nightly/a.json"].into_iter().collect();
        assert_eq!(remove_unlisted(dir.path(), &listed), 1);
        assert!(!job.join("b.json").exists() && job.join("a.json").exists());
    }
}
