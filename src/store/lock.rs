//! The run index's lock: `index/.lock`, taken shared while a report reads the index and
//! exclusive while a refresh rewrites it. Readers never see the file swapped between reading
//! its footer and its pages (a lazy scan reads both), and two refreshes never both start
//! from the same old index and lose each other's rows. `flock(2)`: released when the file
//! closes, also when the process dies.

use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::path::Path;

use crate::error::{Error, Result};

/// A held lock; dropped, it is released.
#[derive(Debug)]
pub struct IndexLock {
    _file: File,
}

impl IndexLock {
    /// Wait for a shared (read) lock on the index in `dir`.
    pub fn shared(dir: &Path) -> Result<IndexLock> {
        IndexLock::take(dir, libc::LOCK_SH)
    }

    /// Wait for the exclusive (write) lock on the index in `dir`.
    pub fn exclusive(dir: &Path) -> Result<IndexLock> {
        IndexLock::take(dir, libc::LOCK_EX)
    }

    fn take(dir: &Path, operation: libc::c_int) -> Result<IndexLock> {
        let failed = |e: std::io::Error| {
            Error::Store(format!(
                "cannot lock the run index in {}: {e}",
                dir.display()
            ))
        };
        std::fs::create_dir_all(dir).map_err(failed)?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(".lock"))
            .map_err(failed)?;
        loop {
            // SAFETY: flock on a descriptor this function owns; no memory is shared.
            let status = unsafe { libc::flock(file.as_raw_fd(), operation) };
            if status == 0 {
                return Ok(IndexLock { _file: file });
            }
            let error = std::io::Error::last_os_error();
            if error.kind() != std::io::ErrorKind::Interrupted {
                return Err(failed(error));
            }
        }
    }
}
