//! Atomic file writes: a temp file in the target's directory, fsync, rename. Used for run
//! records, the index, reports and the user's own files (`tune --write`); for an existing
//! file the new one keeps its permissions and owner, and a symlink is written through (the
//! target is replaced, the link stays a link).

use std::fs::{self, File};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

fn fs_error(path: &Path, what: &str, error: impl std::fmt::Display) -> Error {
    Error::Store(format!("{what} {}: {error}", path.display()))
}

/// The file a write to `path` should replace: the symlink's target (followed to the end),
/// or `path` itself when it is not a symlink or does not exist yet.
fn write_target(path: &Path) -> Result<PathBuf> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::canonicalize(path).map_err(|e| fs_error(path, "cannot follow the symlink", e))
        }
        _ => Ok(path.to_path_buf()),
    }
}

/// Write `path` atomically: temp file in the same directory, fsync, rename. An existing
/// file's mode and owner carry over; a symlink's target is what gets replaced.
pub fn write_atomic(path: &Path, write: impl FnOnce(&mut File) -> Result<()>) -> Result<()> {
    let target = write_target(path)?;
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| fs_error(dir, "cannot create", e))?;
    // A new file gets the usual 0666 less the umask (tempfile alone would make it 0600,
    // unreadable to the team sharing reports); an existing file's mode is copied below.
    let mut temp = tempfile::Builder::new()
        .prefix(".tmp-")
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(|e| fs_error(dir, "cannot create a temp file in", e))?;
    write(temp.as_file_mut())?;
    if let Ok(existing) = fs::metadata(&target) {
        // tempfile creates 0600 files owned by us: give the new file the old one's
        // permissions and owner, so a rewrite never changes who can read the config.
        temp.as_file()
            .set_permissions(existing.permissions())
            .map_err(|e| fs_error(&target, "cannot keep the permissions of", e))?;
        let owner = (existing.uid(), existing.gid());
        let current = temp.as_file().metadata().map(|m| (m.uid(), m.gid()));
        if current.ok() != Some(owner) {
            std::os::unix::fs::fchown(temp.as_file(), Some(owner.0), Some(owner.1))
                .map_err(|e| fs_error(&target, "cannot keep the owner of", e))?;
        }
    }
    temp.as_file_mut()
        .sync_all()
        .map_err(|e| fs_error(&target, "cannot sync", e))?;
    temp.persist(&target)
        .map_err(|e| fs_error(&target, "cannot rename into", e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write_text(path: &Path, text: &str) -> Result<()> {
        write_atomic(path, |f| {
            f.write_all(text.as_bytes())
                .map_err(|e| fs_error(path, "write", e))
        })
    }

    /// Regression: a rewrite turned mode 644 into 600.
    #[test]
    fn a_rewrite_keeps_the_file_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fargate-cost.toml");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        write_text(&path, "new").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
    }

    /// Regression: a symlinked config was replaced by a regular file, its target unchanged.
    #[test]
    fn a_rewrite_goes_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("real")).unwrap();
        let target = dir.path().join("real/jobs.toml");
        fs::write(&target, "old").unwrap();
        let link = dir.path().join("fargate-cost.toml");
        std::os::unix::fs::symlink("real/jobs.toml", &link).unwrap();
        write_text(&link, "new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
    }

    /// Regression: new reports and charts were written 0600 (tempfile's mode).
    #[test]
    fn a_new_file_gets_the_usual_mode_less_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.csv");
        write_text(&path, "a\r\n").unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        // SAFETY: umask only reads and restores the process's file mode mask.
        let umask = unsafe {
            let mask = libc::umask(0o022);
            libc::umask(mask);
            mask
        };
        assert_eq!(mode, 0o666 & !umask, "mode {mode:o}");
    }

    #[test]
    fn a_new_file_is_created_with_its_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reports/x.csv");
        write_text(&path, "a,b\r\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "a,b\r\n");
    }
}

/// What a listing needs of a file: its type, size and last change.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stat {
    pub(crate) is_file: bool,
    pub(crate) len: u64,
    /// The later of the modification and status-change times, ns since the epoch.
    pub(crate) changed_ns: i64,
}

/// `fstatat` of `name` in the open directory `dir`, not following a symlink: the kernel
/// looks up one name instead of walking the whole path, which is most of listing a million
/// run files.
pub(crate) fn stat_at(dir: &File, name: &std::ffi::OsStr) -> std::io::Result<Stat> {
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;
    let name = std::ffi::CString::new(name.as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    // SAFETY: an all-zero stat is a valid value for fstatat to overwrite.
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: the fd is open for the call, the name is NUL-terminated, `stat` is live.
    let status = unsafe {
        libc::fstatat(
            dir.as_raw_fd(),
            name.as_ptr(),
            &mut stat,
            libc::AT_SYMLINK_NOFOLLOW,
        )
    };
    if status != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let ns = |secs: i64, nsec: i64| secs.saturating_mul(1_000_000_000).saturating_add(nsec);
    Ok(Stat {
        is_file: stat.st_mode & libc::S_IFMT == libc::S_IFREG,
        len: u64::try_from(stat.st_size).unwrap_or(0),
        changed_ns: ns(stat.st_mtime, stat.st_mtime_nsec)
            .max(ns(stat.st_ctime, stat.st_ctime_nsec)),
    })
}
