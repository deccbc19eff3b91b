//! Fallback measurement where no cgroup can be created (not root, macOS-like sandboxes,
//! read-only cgroupfs): CPU time and resident memory of the job's process group, summed
//! from /proc. Limits are not enforced in this mode, and CPU time of children that already
//! exited is not counted (the kernel only adds it to a parent that waits for them).

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

/// (process group, utime + stime ticks, rss pages) from /proc/<pid>/stat.
fn stat(pid: &str) -> Option<(i64, u64, u64)> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may contain spaces.
    let rest = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // rest starts at field 3 (state): pgrp = field 5, utime 14, stime 15, rss 24.
    let pgrp = fields.get(2)?.parse().ok()?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let rss = fields.get(21)?.parse().ok()?;
    Some((pgrp, utime + stime, rss))
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
    fn reads_our_own_process_group() {
        // SAFETY: getpgrp has no preconditions.
        let pgid = unsafe { libc::getpgrp() };
        let (_, rss) = group_counters(pgid);
        assert!(rss > 0, "this test process has resident memory");
    }
}
