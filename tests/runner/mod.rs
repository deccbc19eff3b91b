//! The local runner with real processes and real cgroups. Tests that need cgroups skip,
//! printing why, where none can be created (not root, no cgroupfs); under `CI=true` they
//! fail instead, since CI here runs them all.

mod fixtures;
mod local;
mod orphans;
mod store;

use std::sync::{Mutex, MutexGuard};

use fargate_cost::model::size::{Os, Size};
use fargate_cost::runner::cgroup::{self, Cgroup};

/// CPU measurements need the machine to themselves (2 cores): one runner test at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// Hold the machine for one measuring test.
pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// True when a cgroup can be created here; otherwise prints why the caller skips, or panics
/// under `CI=true` (where a skipped test would hide a broken machine).
pub fn cgroups_or_skip(test: &str) -> bool {
    static PROBES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let probe = PROBES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let size = Size::new(256, 512, Os::Linux).expect("valid size");
    match Cgroup::create(&format!("probe-{}-{probe}", std::process::id()), size) {
        Ok(_) => true,
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{test} needs cgroups and CI=true, but none can be created here ({e})")
        }
        Err(e) => {
            eprintln!("skipping {test}: cannot create a cgroup here ({e})");
            false
        }
    }
}

/// Directories of run `name` anywhere under /sys/fs/cgroup (a leaked run cgroup; its
/// directory name also carries the runner, see [`cgroup::run_name`]).
pub fn cgroup_dirs_named(name: &str) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, name: &str, depth: usize, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.filter_map(|e| e.ok()) {
            let path = entry.path();
            if !path.is_dir() || path.is_symlink() {
                continue;
            }
            if cgroup::run_name(&entry.file_name().to_string_lossy()) == name {
                out.push(path.clone());
            }
            if depth > 0 {
                walk(&path, name, depth - 1, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(std::path::Path::new("/sys/fs/cgroup"), name, 5, &mut out);
    out
}
