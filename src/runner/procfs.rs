//! What /proc tells the runner. Fallback measurement where no cgroup can be created (not
//! root, macOS-like sandboxes, read-only cgroupfs): CPU time and resident memory of the job's
//! process group, summed from /proc. Limits are not enforced in this mode, and CPU time of
//! children that already exited is not counted (the kernel only adds it to a parent that
//! waits for them). And whether a process (a runner that owns a cgroup) is still running.

use std::fs;

/// Ticks per second of /proc CPU times.
fn clock_ticks() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 { ticks as u64 } else { 100 }
}

fn page_size() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if size > 0 { size as u64 } else { 4096 }
}

/// Read /proc/<pid>/stat and hand its fields from field 3 (state) on to `read`: field n of
/// proc(5) is `fields[n - 3]`.
fn with_stat<T>(pid: &str, read: impl FnOnce(&[&str]) -> Option<T>) -> Option<T> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may contain spaces.
    let rest = text.get(text.rfind(')')? + 2..)?;
    read(&rest.split_whitespace().collect::<Vec<_>>())
}

/// (process group, utime + stime ticks, rss pages) from /proc/<pid>/stat.
fn stat(pid: &str) -> Option<(i64, u64, u64)> {
    // pgrp = field 5, utime 14, stime 15, rss 24.
    with_stat(pid, |fields| {
        let pgrp = fields.get(2)?.parse().ok()?;
        let utime: u64 = fields.get(11)?.parse().ok()?;
        let stime: u64 = fields.get(12)?.parse().ok()?;
        let rss = fields.get(21)?.parse().ok()?;
        Some((pgrp, utime + stime, rss))
    })
}

/// One process, told apart from a later process that the kernel gave the same pid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Process {
    /// Process id.
    pub pid: i32,
    /// Start time, clock ticks after boot (field 22 of /proc/<pid>/stat).
    pub start: u64,
}

impl Process {
    /// The process `pid` now, if it exists.
    pub(crate) fn of(pid: i32) -> Option<Process> {
        let start = with_stat(&pid.to_string(), |fields| fields.get(19)?.parse().ok())?;
        Some(Process { pid, start })
    }

    /// This process.
    pub(crate) fn current() -> Option<Process> {
        Process::of(i32::try_from(std::process::id()).ok()?)
    }

    /// Whether it still runs: its pid exists with the same start time and is not a zombie.
    /// A zombie leader whose other threads still run is alive (the kernel shows a process
    /// whose main thread exited that way). When in doubt, running: callers kill what is not.
    pub(crate) fn is_running(self) -> bool {
        let pid = self.pid.to_string();
        let Some((state, start)) = with_stat(&pid, |fields| {
            Some((
                fields.first()?.to_string(),
                fields.get(19)?.parse::<u64>().ok()?,
            ))
        }) else {
            return pid_exists(self.pid);
        };
        if start != self.start {
            return false;
        }
        if state != "Z" && state != "X" {
            return true;
        }
        fs::read_dir(format!("/proc/{pid}/task")).is_ok_and(|tasks| tasks.count() > 1)
    }
}

/// Whether a pid exists though /proc does not show it (mounted with `hidepid`, or absent):
/// kill(2) with signal 0 says so, EPERM included (it exists, but is not ours to signal).
fn pid_exists(pid: i32) -> bool {
    // SAFETY: signal 0 sends nothing; kill(2) only checks the pid.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// CPU nanoseconds and resident bytes of every process in a process group.
pub(crate) fn group_counters(pgid: i32) -> (u64, u64) {
    let (ticks, page) = (clock_ticks(), page_size());
    let Ok(entries) = fs::read_dir("/proc") else {
        return (0, 0);
    };
    let (mut cpu_ticks, mut rss_pages) = (0u64, 0u64);
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !name.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if let Some((pgrp, cpu, rss)) = stat(&name)
            && pgrp == i64::from(pgid)
        {
            cpu_ticks += cpu;
            rss_pages += rss;
        }
    }
    (cpu_ticks * 1_000_000_000 / ticks, rss_pages * page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_a_running_process_from_a_gone_one() {
        let me = Process::current().expect("/proc/self/stat");
        assert!(me.is_running());
        // The same pid with another start time is another (earlier) process.
        let earlier = Process {
            start: me.start.wrapping_sub(1),
            ..me
        };
        assert!(!earlier.is_running());
        let mut child = std::process::Command::new("true")
            .spawn()
            .expect("true runs");
        // Not reaped yet, so its pid exists (running, or a zombie once `true` exits).
        let seen = Process::of(i32::try_from(child.id()).expect("pid")).expect("our child");
        let since = std::time::Instant::now();
        while seen.is_running() {
            assert!(since.elapsed().as_secs() < 10, "a zombie is not running");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        child.wait().expect("reaped");
        assert!(!seen.is_running());
    }

    #[test]
    fn reads_our_own_process_group() {
        // SAFETY: getpgrp has no preconditions.
        let pgid = unsafe { libc::getpgrp() };
        let (_, rss) = group_counters(pgid);
        assert!(rss > 0, "this test process has resident memory");
    }
}
