//! A job must not outlive its runner. When `fargate-cost run` is SIGKILLed, the job's direct
//! child dies at once (the kernel's parent-death signal), and what the job forked (which
//! does not inherit that signal) is killed, with the run's cgroup, by the next run.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{cgroups_or_skip, serial};

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_fargate-cost")
}

/// A process's start time (clock ticks after boot, field 22 of /proc/<pid>/stat) and state,
/// read here rather than through the crate so the test does not trust the code it checks.
fn stat(pid: i32) -> Option<(char, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = text[text.rfind(')')? + 2..].split_whitespace().collect();
    Some((
        fields.first()?.chars().next()?,
        fields.get(19)?.parse().ok()?,
    ))
}

/// A process we saw, by pid and start time (so a reused pid is never mistaken for it).
#[derive(Debug, Clone, Copy)]
struct Seen {
    pid: i32,
    start: u64,
}

impl Seen {
    fn new(pid: i32) -> Seen {
        let (_, start) = stat(pid).unwrap_or_else(|| panic!("process {pid} exists"));
        Seen { pid, start }
    }

    /// Still running (a zombie waiting to be reaped has ended).
    fn alive(self) -> bool {
        stat(self.pid).is_some_and(|(state, start)| start == self.start && !"ZX".contains(state))
    }

    /// Wait up to `limit` for the process to end; how long it took, or None.
    fn ended_within(self, limit: Duration) -> Option<Duration> {
        let since = Instant::now();
        while self.alive() {
            if since.elapsed() > limit {
                return None;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        Some(since.elapsed())
    }
}

/// Everything the test started, killed (and the job's cgroups removed) even when an
/// assertion fails, so a failing run leaves nothing behind.
#[derive(Default)]
struct Leftovers {
    runner: Option<Child>,
    processes: Vec<Seen>,
    cgroups: Vec<PathBuf>,
}

impl Drop for Leftovers {
    fn drop(&mut self) {
        if let Some(runner) = &mut self.runner {
            let _ = runner.kill();
            let _ = runner.wait();
        }
        for process in self.processes.iter().filter(|p| p.alive()) {
            // SAFETY: kill(2) on a process this test started (pid and start time checked).
            unsafe {
                libc::kill(process.pid, libc::SIGKILL);
            }
        }
        // Whatever else the job forked is in its cgroup (the shell's foreground sleep too).
        for dir in &self.cgroups {
            for _ in 0..100 {
                if std::fs::remove_dir(dir).is_ok() || !dir.exists() {
                    break;
                }
                let procs = std::fs::read_to_string(dir.join("cgroup.procs")).unwrap_or_default();
                for pid in procs.lines().filter_map(|l| l.trim().parse::<i32>().ok()) {
                    // SAFETY: kill(2) on a process in the test job's own cgroup.
                    unsafe {
                        libc::kill(pid, libc::SIGKILL);
                    }
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

/// The fargate-cost cgroup directories a process is in, from /proc/<pid>/cgroup
/// (`4:memory:/x/fargate-cost/<run>` on v1, `0::/fargate-cost/<run>` on v2).
fn run_cgroups(pid: i32) -> Vec<PathBuf> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, ':');
            let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
            // Named hierarchies (name=systemd) have no directory of their own here.
            (path.contains("/fargate-cost/") && !controllers.starts_with("name=")).then(|| {
                Path::new("/sys/fs/cgroup")
                    .join(controllers)
                    .join(&path[1..])
            })
        })
        .collect()
}

/// The pids the job wrote to `file` (its shell's, then its background child's).
fn job_pids(file: &Path) -> Option<(i32, i32)> {
    let text = std::fs::read_to_string(file).ok()?;
    let mut pids = text.split_whitespace().map(|p| p.parse().ok());
    Some((pids.next()??, pids.next()??))
}

/// A config with two jobs: `forks`, a shell that forks a background sleep (which does not
/// inherit the parent-death signal), writes both pids to `pids` atomically and waits; and
/// `next`, which runs `true`.
fn forking_config(dir: &Path) -> (PathBuf, PathBuf) {
    let pids = dir.join("pids");
    let script = format!(
        "sleep 300 & echo $$ $! > {0}.tmp && mv {0}.tmp {0}; sleep 300",
        pids.display()
    );
    let config = dir.join("fargate-cost.toml");
    std::fs::write(
        &config,
        format!(
            "[[jobs]]\nname = \"forks\"\ncpu = 0.25\nmemory = \"0.5GB\"\n[jobs.local]\ncommand = [\"sh\", \"-c\", {script:?}]\n\n\
             [[jobs]]\nname = \"next\"\ncpu = 0.25\nmemory = \"0.5GB\"\n[jobs.local]\ncommand = [\"true\"]\n"
        ),
    )
    .unwrap();
    (config, pids)
}

/// `fargate-cost run <job>`.
fn run_job(config: &Path, job: &str) -> Command {
    let mut command = Command::new(binary());
    command.args(["--config", &config.to_string_lossy(), "-q", "run", job]);
    command
}

/// Start `run forks` and wait until its job has forked: the guard (holding the runner, the
/// job's two processes and its cgroups), the job's direct child and its grandchild.
fn start_forking_run(config: &Path, pids: &Path) -> (Leftovers, Seen, Seen) {
    let mut leftovers = Leftovers::default();
    leftovers.runner = Some(
        run_job(config, "forks")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let since = Instant::now();
    let (child, grandchild) = loop {
        if let Some(found) = job_pids(pids) {
            break found;
        }
        assert!(
            since.elapsed() < Duration::from_secs(20),
            "the job did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let (child, grandchild) = (Seen::new(child), Seen::new(grandchild));
    leftovers.processes.extend([child, grandchild]);
    leftovers.cgroups = run_cgroups(child.pid);
    assert!(
        !leftovers.cgroups.is_empty(),
        "the job runs in a fargate-cost cgroup"
    );
    (leftovers, child, grandchild)
}

/// `run next` to its end.
fn run_next(config: &Path) {
    let next = run_job(config, "next").output().unwrap();
    assert!(
        next.status.success(),
        "{}",
        String::from_utf8_lossy(&next.stderr)
    );
}

#[test]
fn a_killed_runner_leaves_no_job_behind() {
    if !cgroups_or_skip("a_killed_runner_leaves_no_job_behind") {
        return;
    }
    let _machine = serial();
    let dir = tempfile::tempdir().unwrap();
    let (config, pids) = forking_config(dir.path());
    let (mut leftovers, child, grandchild) = start_forking_run(&config, &pids);

    let runner = leftovers.runner.as_mut().unwrap();
    let runner_pid = runner.id();
    runner.kill().unwrap(); // SIGKILL: no handler, no cleanup
    runner.wait().unwrap();
    let death = child.ended_within(Duration::from_secs(2));
    eprintln!(
        "runner {runner_pid} SIGKILLed: its child {} ended after {death:?}; the grandchild {} is {}",
        child.pid,
        grandchild.pid,
        if grandchild.alive() {
            "still running"
        } else {
            "gone"
        }
    );
    assert!(
        death.is_some(),
        "the job's direct child outlived its runner by 2 s"
    );

    // The next run, of any job, cleans up what the killed run left.
    run_next(&config);
    assert!(
        grandchild
            .ended_within(Duration::from_millis(500))
            .is_some(),
        "the job's grandchild {} survived the next run",
        grandchild.pid
    );
    let left: Vec<&PathBuf> = leftovers.cgroups.iter().filter(|d| d.exists()).collect();
    assert!(left.is_empty(), "the killed run's cgroups remain: {left:?}");
}

#[test]
fn a_live_concurrent_run_is_left_alone() {
    if !cgroups_or_skip("a_live_concurrent_run_is_left_alone") {
        return;
    }
    let _machine = serial();
    let dir = tempfile::tempdir().unwrap();
    let (config, pids) = forking_config(dir.path());
    let (leftovers, child, grandchild) = start_forking_run(&config, &pids);
    // Another run starts (and cleans up stale groups) while this one is running.
    run_next(&config);
    assert!(
        child.alive() && grandchild.alive(),
        "the live run's job survives"
    );
    let gone: Vec<&PathBuf> = leftovers.cgroups.iter().filter(|d| !d.exists()).collect();
    assert!(
        gone.is_empty(),
        "the live run's cgroups were removed: {gone:?}"
    );
}
