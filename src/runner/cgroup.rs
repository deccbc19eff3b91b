//! A fresh cgroup per run that emulates a Fargate task's limits: CPU quota = the size's
//! vCPU, memory limit = the size's memory, no swap. Works with cgroup v2 (unified) and v1
//! (separate cpu, cpuacct and memory hierarchies). The cgroup is created under the cgroup
//! this process already lives in, so limits set by whoever runs us still apply, and it is
//! removed on drop (after its processes are killed).
//!
//! A runner that is SIGKILLed cannot remove its group, and what its job forked (which the
//! parent-death signal does not reach) keeps running in it. So each group's name carries its
//! runner (pid and start time), and every run first kills and removes the groups whose
//! runner is gone; a live concurrent run's group is never touched.

use std::ffi::CString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::procfs::Process;
use crate::model::size::Size;

const CGROUP_ROOT: &str = "/sys/fs/cgroup";
/// CFS period used for the quota (the kernel default, 100 ms).
const CFS_PERIOD_US: u64 = 100_000;

/// Which cgroup version a run used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// Unified hierarchy.
    V2,
    /// Legacy per-controller hierarchies.
    V1,
}

impl Version {
    /// "v1" / "v2".
    pub fn name(self) -> &'static str {
        match self {
            Version::V1 => "v1",
            Version::V2 => "v2",
        }
    }
}

/// Counters read from a cgroup at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Total CPU time used by the group, nanoseconds.
    pub cpu_ns: u64,
    /// Memory in use, bytes, excluding reclaimable page cache (inactive file pages), like
    /// Container Insights' MemoryUtilized.
    pub memory_bytes: u64,
}

/// A cgroup created for one run; removed on drop.
#[derive(Debug)]
pub struct Cgroup {
    version: Version,
    /// v2: one directory. v1: cpu, cpuacct, memory directories.
    dirs: Vec<PathBuf>,
    /// Moves a process into the group.
    joiner: Joiner,
}

/// The `cgroup.procs` paths of a group, prepared before fork so a child can join the group
/// between fork and exec.
#[derive(Debug, Clone)]
pub struct Joiner {
    procs: Vec<CString>,
}

fn write(path: &Path, value: &str) -> io::Result<()> {
    fs::write(path, value).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

fn read_u64(path: &Path) -> io::Result<u64> {
    let text = fs::read_to_string(path)?;
    text.trim().parse().map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: not a number", path.display()),
        )
    })
}

/// A `key value` line of a flat-keyed file (memory.stat, memory.events, cpu.stat).
fn read_key(path: &Path, key: &str) -> io::Result<Option<u64>> {
    let text = fs::read_to_string(path)?;
    Ok(text.lines().find_map(|line| {
        let (k, v) = line.split_once(' ')?;
        (k == key).then(|| v.trim().parse().ok()).flatten()
    }))
}

/// This process's cgroup path for a v1 controller (or v2 with `controller = ""`), from
/// /proc/self/cgroup lines such as `4:memory:/process_api/abc` or `0::/user.slice`.
fn own_path(controller: &str) -> Option<String> {
    let text = fs::read_to_string("/proc/self/cgroup").ok()?;
    text.lines().find_map(|line| {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        let matches = if controller.is_empty() {
            controllers.is_empty()
        } else {
            controllers.split(',').any(|c| c == controller)
        };
        matches.then(|| path.trim_start_matches('/').to_string())
    })
}

/// Where to create groups for a controller ("" = v2): first inside the cgroup this process
/// is in (so limits set on us still apply), then at the hierarchy's root.
fn parents(controller: &str) -> Vec<PathBuf> {
    let root = Path::new(CGROUP_ROOT).join(controller);
    let mut out = Vec::new();
    if let Some(own) = own_path(controller).filter(|p| !p.is_empty()) {
        out.push(root.join(own));
    }
    out.push(root);
    out
}

fn make_dir_in(parent: &Path, name: &str, v2: bool) -> io::Result<PathBuf> {
    // Another run that ends removes the shared `fargate-cost` directory when it looks
    // unused, possibly between our mkdir of it and of our group in it: then start again.
    let mut attempts = 0;
    loop {
        match try_make_dir_in(parent, name, v2) {
            Err(e) if e.kind() == io::ErrorKind::NotFound && attempts < 3 => attempts += 1,
            made => return made,
        }
    }
}

fn try_make_dir_in(parent: &Path, name: &str, v2: bool) -> io::Result<PathBuf> {
    let base = parent.join("fargate-cost");
    match fs::create_dir(&base) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", base.display()))),
    }
    remove_stale(&base);
    if v2 {
        // v2 only lets a group without processes hand controllers down ("no internal
        // processes"), so this fails inside our own non-root group; then the root is tried.
        let enabled = write(&parent.join("cgroup.subtree_control"), "+cpu +memory")
            .and_then(|_| write(&base.join("cgroup.subtree_control"), "+cpu +memory"));
        if let Err(e) = enabled {
            let _ = fs::remove_dir(&base);
            return Err(e);
        }
    }
    let dir = base.join(name);
    fs::create_dir(&dir).map_err(|e| {
        let _ = fs::remove_dir(&base);
        io::Error::new(e.kind(), format!("{}: {e}", dir.display()))
    })?;
    Ok(dir)
}

/// Separates a run's name from its runner in a group's name: `<run>.runner-<pid>-<start>`.
const OWNER_TAG: &str = ".runner-";

/// The directory name of run `name`'s group, owned by the runner `owner`.
fn owned_name(name: &str, owner: Process) -> String {
    format!("{name}{OWNER_TAG}{}-{}", owner.pid, owner.start)
}

/// The runner that owns a group, from its directory name (None for names without one, such
/// as the groups of earlier versions).
fn owner_of(dir_name: &str) -> Option<Process> {
    let (_, owner) = dir_name.rsplit_once(OWNER_TAG)?;
    let (pid, start) = owner.split_once('-')?;
    Some(Process {
        pid: pid.parse().ok()?,
        start: start.parse().ok()?,
    })
}

/// The run a group directory belongs to: its name without the runner tag.
pub fn run_name(dir_name: &str) -> &str {
    match dir_name.rsplit_once(OWNER_TAG) {
        Some((run, _)) if owner_of(dir_name).is_some() => run,
        _ => dir_name,
    }
}

/// Clean up after runs whose runner died (SIGKILL, OOM, a closed terminal): kill every
/// process left in their groups (a job's grandchildren do not get the parent-death signal)
/// and remove the groups. A group whose runner still runs is left alone, whoever's it is.
/// Groups without an owner (earlier versions) are only removed when empty and older than
/// [`STALE_AFTER`], so a concurrent old run's group that its job is about to join survives.
fn remove_stale(base: &Path) {
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let dir = entry.path();
        match owner_of(&entry.file_name().to_string_lossy()) {
            Some(owner) if owner.is_running() => {}
            Some(_) => {
                let _ = empty_and_remove(&dir);
            }
            None if is_empty(&dir) && is_older_than(&dir, STALE_AFTER) => {
                let _ = fs::remove_dir(&dir);
            }
            None => {}
        }
    }
}

/// Age after which an empty group without an owner is considered left over by a killed run.
const STALE_AFTER: Duration = Duration::from_secs(10);

fn is_older_than(dir: &Path, age: Duration) -> bool {
    fs::metadata(dir)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|elapsed| elapsed > age)
}

/// The processes in one group directory.
fn members(dir: &Path) -> Vec<i32> {
    fs::read_to_string(dir.join("cgroup.procs"))
        .map(|t| t.lines().filter_map(|l| l.trim().parse().ok()).collect())
        .unwrap_or_default()
}

fn is_empty(dir: &Path) -> bool {
    fs::read_to_string(dir.join("cgroup.procs")).is_ok_and(|p| p.trim().is_empty())
}

/// SIGKILL every process in one group directory: all at once with `cgroup.kill` (v2, Linux
/// 5.14+) where present, else each pid in `cgroup.procs` (a process forking meanwhile is
/// caught by the caller's next round). Never this process itself.
fn kill_members(dir: &Path) {
    let kill_file = dir.join("cgroup.kill");
    if kill_file.exists() && write(&kill_file, "1").is_ok() {
        return;
    }
    let own = i32::try_from(std::process::id()).unwrap_or(0);
    for pid in members(dir).into_iter().filter(|&pid| pid != own) {
        // SAFETY: plain kill(2) on a pid read from the group.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    }
}

/// Kill a group's processes until none is left, then remove its directory (retrying while
/// the kernel reaps). True when the directory is gone.
fn empty_and_remove(dir: &Path) -> bool {
    for _ in 0..100 {
        if !dir.exists() || members(dir).is_empty() {
            break;
        }
        kill_members(dir);
        std::thread::sleep(Duration::from_millis(10));
    }
    for _ in 0..50 {
        if fs::remove_dir(dir).is_ok() || !dir.exists() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

/// The cgroup version this machine offers for cpu and memory, if any.
pub fn detect() -> Option<Version> {
    let root = Path::new(CGROUP_ROOT);
    if root.join("cgroup.controllers").exists() {
        return Some(Version::V2);
    }
    let v1 = ["cpu", "cpuacct", "memory"]
        .iter()
        .all(|c| root.join(c).join("cgroup.procs").exists());
    v1.then_some(Version::V1)
}

impl Cgroup {
    /// Create `fargate-cost/<name>.runner-<pid>-<start>` (this process is the runner) with
    /// the limits of `size`, after cleaning up the groups of runners that died. Fails (so the
    /// caller can fall back to an unconstrained run) when cgroups are missing or not writable.
    pub fn create(name: &str, size: Size) -> io::Result<Cgroup> {
        let version = detect().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::Unsupported,
                "no cgroup v2 or v1 cpu+memory hierarchy",
            )
        })?;
        let owner = Process::current().ok_or_else(|| {
            io::Error::new(io::ErrorKind::NotFound, "/proc/self/stat is unreadable")
        })?;
        let name = &owned_name(name, owner);
        let quota_us = u64::from(size.cpu_units()) * CFS_PERIOD_US / 1024;
        let memory_bytes = u64::from(size.memory_mib()) * 1024 * 1024;
        let mut group = Cgroup {
            version,
            dirs: Vec::new(),
            joiner: Joiner { procs: Vec::new() },
        };
        match version {
            Version::V2 => {
                let dir = group.make_dir(&parents(""), name, true)?;
                write(&dir.join("cpu.max"), &format!("{quota_us} {CFS_PERIOD_US}"))?;
                write(&dir.join("memory.max"), &memory_bytes.to_string())?;
                // Fargate tasks have no swap.
                let _ = write(&dir.join("memory.swap.max"), "0");
            }
            Version::V1 => {
                for controller in ["cpu", "cpuacct", "memory"] {
                    group.make_dir(&parents(controller), name, false)?;
                }
                let (cpu, memory) = (group.dirs[0].clone(), group.dirs[2].clone());
                write(&cpu.join("cpu.cfs_period_us"), &CFS_PERIOD_US.to_string())?;
                write(&cpu.join("cpu.cfs_quota_us"), &quota_us.to_string())?;
                write(
                    &memory.join("memory.limit_in_bytes"),
                    &memory_bytes.to_string(),
                )?;
                // No swap: memsw limit = memory limit (absent when swap accounting is off).
                let _ = write(
                    &memory.join("memory.memsw.limit_in_bytes"),
                    &memory_bytes.to_string(),
                );
            }
        }
        Ok(group)
    }

    /// mkdir `<parent>/fargate-cost/<name>` in the first parent that allows it; on v2 also
    /// enable the cpu and memory controllers for the children of the two levels above.
    fn make_dir(&mut self, parents: &[PathBuf], name: &str, v2: bool) -> io::Result<PathBuf> {
        let mut last_error = io::Error::new(io::ErrorKind::NotFound, "no cgroup parent");
        for parent in parents {
            match make_dir_in(parent, name, v2) {
                Ok(dir) => {
                    let procs =
                        CString::new(dir.join("cgroup.procs").to_string_lossy().into_owned())
                            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
                    self.dirs.push(dir.clone());
                    self.joiner.procs.push(procs);
                    return Ok(dir);
                }
                Err(e) => last_error = e,
            }
        }
        Err(last_error)
    }

    /// The version in use.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The cgroup directories (for tests and messages).
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// What a child needs to join this group before exec.
    pub fn joiner(&self) -> Joiner {
        self.joiner.clone()
    }

    /// The directory holding a controller's files; an empty path (reads then fail) for a
    /// group whose creation stopped part-way.
    fn dir(&self, v2: usize, v1: usize) -> &Path {
        let index = match self.version {
            Version::V2 => v2,
            Version::V1 => v1,
        };
        self.dirs.get(index).map_or(Path::new(""), PathBuf::as_path)
    }

    fn cpu_dir(&self) -> &Path {
        self.dir(0, 1)
    }

    fn memory_dir(&self) -> &Path {
        self.dir(0, 2)
    }

    /// Read CPU time and memory in use now.
    pub fn counters(&self) -> io::Result<Counters> {
        let (cpu_ns, usage, inactive) = match self.version {
            Version::V2 => (
                read_key(&self.cpu_dir().join("cpu.stat"), "usage_usec")?.unwrap_or(0) * 1000,
                read_u64(&self.memory_dir().join("memory.current"))?,
                read_key(&self.memory_dir().join("memory.stat"), "inactive_file")?.unwrap_or(0),
            ),
            Version::V1 => (
                read_u64(&self.cpu_dir().join("cpuacct.usage"))?,
                read_u64(&self.memory_dir().join("memory.usage_in_bytes"))?,
                read_key(
                    &self.memory_dir().join("memory.stat"),
                    "total_inactive_file",
                )?
                .unwrap_or(0),
            ),
        };
        Ok(Counters {
            cpu_ns,
            memory_bytes: usage.saturating_sub(inactive),
        })
    }

    /// The kernel's exact peak memory of the group, bytes (v2 `memory.peak` needs Linux
    /// 5.19+; `None` when absent).
    pub fn peak_memory_bytes(&self) -> Option<u64> {
        let file = match self.version {
            Version::V2 => "memory.peak",
            Version::V1 => "memory.max_usage_in_bytes",
        };
        read_u64(&self.memory_dir().join(file)).ok()
    }

    /// How many processes the kernel killed for hitting the memory limit.
    pub fn oom_kills(&self) -> u64 {
        let (file, key) = match self.version {
            Version::V2 => ("memory.events", "oom_kill"),
            Version::V1 => ("memory.oom_control", "oom_kill"),
        };
        read_key(&self.memory_dir().join(file), key)
            .ok()
            .flatten()
            .unwrap_or(0)
    }

    /// PIDs still in the group.
    pub fn pids(&self) -> Vec<i32> {
        self.dirs.last().map(|dir| members(dir)).unwrap_or_default()
    }

    /// SIGKILL everything left in the group (a job's stray children included).
    pub fn kill_all(&self) {
        for dir in &self.dirs {
            kill_members(dir);
        }
    }

    /// Kill what is left and remove the directories (retrying while the kernel reaps).
    fn remove(&mut self) {
        for dir in self.dirs.drain(..) {
            // The shared `fargate-cost` parent goes too when no other run is using it.
            if empty_and_remove(&dir)
                && let Some(parent) = dir.parent()
            {
                let _ = fs::remove_dir(parent);
            }
        }
    }
}

impl Joiner {
    /// Move the calling process into the cgroup. Meant for `pre_exec`, between fork and
    /// exec: it only calls open/write/close on paths prepared before the fork (no
    /// allocation), and writing "0" to cgroup.procs moves the writer itself.
    pub fn join_self(&self) -> io::Result<()> {
        for path in &self.procs {
            // SAFETY: `path` is a valid NUL-terminated string owned by self; the buffer is a
            // static byte string; the fd is closed before returning.
            unsafe {
                let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
                if fd < 0 {
                    return Err(io::Error::last_os_error());
                }
                let written = libc::write(fd, b"0".as_ptr().cast(), 1);
                libc::close(fd);
                if written != 1 {
                    return Err(io::Error::last_os_error());
                }
            }
        }
        Ok(())
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        self.remove();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_name_carries_its_runner() {
        let runner = Process {
            pid: 4242,
            start: 987_654,
        };
        let name = owned_name("20260101T000000Z-deadbeef", runner);
        assert_eq!(name, "20260101T000000Z-deadbeef.runner-4242-987654");
        assert_eq!(owner_of(&name), Some(runner));
        assert_eq!(run_name(&name), "20260101T000000Z-deadbeef");
        // Groups of earlier versions have no runner: never killed, only removed when empty.
        assert_eq!(owner_of("20260101T000000Z-deadbeef"), None);
        assert_eq!(owner_of("probe.runner-x-1"), None);
        assert_eq!(run_name("probe.runner-x-1"), "probe.runner-x-1");
    }
}
