//! The local backend: run a job's command on this machine inside a fresh cgroup with the
//! CPU quota and memory limit of its Fargate size, sample CPU and memory while it runs, and
//! classify how it ended (completed, failed, oom, timeout, interrupted) like ECS would.

use std::collections::BTreeMap;
use std::io;
use std::os::fd::AsFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::cgroup::Cgroup;
use super::procfs;
use crate::error::{Error, Result};
use crate::model::run::{Limits, Sample, StopReason};
use crate::model::size::Size;

/// How long a stopped job gets between SIGTERM and SIGKILL (ECS StopTask gives 30 s; a
/// local user waiting at a terminal wants less).
pub const STOP_GRACE: Duration = Duration::from_secs(5);
/// How often the loop checks for exit, signals and the timeout between samples.
const POLL: Duration = Duration::from_millis(20);

/// What to run and how.
#[derive(Debug, Clone)]
pub struct LocalRequest {
    /// Job name (for messages).
    pub job: String,
    /// Unique name for the cgroup.
    pub run_id: String,
    /// argv.
    pub command: Vec<String>,
    /// Extra environment.
    pub env: BTreeMap<String, String>,
    /// Working directory.
    pub workdir: PathBuf,
    /// Fargate size to emulate.
    pub size: Size,
    /// Sampling interval.
    pub sample_interval: Duration,
    /// Stop the job after this long.
    pub timeout: Option<Duration>,
    /// Set (by a SIGINT/SIGTERM handler) to stop the job.
    pub stop: Arc<AtomicBool>,
    /// Send the job's stdout and stderr to our stderr (else discard them).
    pub show_output: bool,
}

/// A live view for progress displays.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Time since launch.
    pub elapsed: Duration,
    /// vCPU in use over the last interval.
    pub cpu_vcpu: f64,
    /// MiB in use.
    pub memory_mib: f64,
}

/// What the local runner measured.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// Launch time.
    pub started_at: DateTime<Utc>,
    /// Exit time.
    pub stopped_at: DateTime<Utc>,
    /// Wall time from launch to exit.
    pub wall: Duration,
    /// Exit code, 128 + signal when killed by a signal.
    pub exit_code: Option<i32>,
    /// How it ended.
    pub stop_reason: StopReason,
    /// Human detail of how it ended.
    pub stop_detail: String,
    /// The trace.
    pub samples: Vec<Sample>,
    /// Mean vCPU from the exact CPU-time counter over the whole run.
    pub cpu_mean: Option<f64>,
    /// Kernel peak memory, MiB (cgroup only).
    pub kernel_peak_mib: Option<f64>,
    /// Whether limits were applied.
    pub limits: Limits,
    /// The job's last `result=<digest>` stdout line (the digest only), if it printed one.
    pub result: Option<String>,
}

/// Where the counters come from.
enum Source {
    Cgroup(Cgroup),
    ProcessGroup,
}

impl Source {
    fn counters(&self, pgid: i32) -> (u64, u64) {
        match self {
            Source::Cgroup(group) => group
                .counters()
                .map(|c| (c.cpu_ns, c.memory_bytes))
                .unwrap_or((0, 0)),
            Source::ProcessGroup => procfs::group_counters(pgid),
        }
    }
}

fn signal_group(pgid: i32, signal: i32) {
    // SAFETY: kill(2) with a negative pid signals the job's own process group only.
    unsafe {
        libc::kill(-pgid, signal);
    }
}

/// In the child between fork and exec: ask the kernel to SIGKILL it when its parent's forking
/// thread exits. If the runner already died before the request took effect, the child was
/// handed to another parent: stop here (the spawn fails) rather than run unwatched.
fn die_with_runner(runner: libc::pid_t) -> io::Result<()> {
    // SAFETY: prctl(PR_SET_PDEATHSIG) and getppid take no pointers and are async-signal-safe.
    unsafe {
        if libc::prctl(
            libc::PR_SET_PDEATHSIG,
            libc::SIGKILL as libc::c_ulong,
            0,
            0,
            0,
        ) != 0
        {
            return Err(io::Error::last_os_error());
        }
        if libc::getppid() != runner {
            return Err(io::Error::from_raw_os_error(libc::ESRCH));
        }
    }
    Ok(())
}

/// Resolve a relative program path ("jobs/x.sh") against the working directory; bare names
/// ("python3") are left for PATH lookup.
fn program(command: &str, workdir: &Path) -> PathBuf {
    let path = Path::new(command);
    if path.is_relative() && command.contains('/') {
        workdir.join(path)
    } else {
        path.to_path_buf()
    }
}

const MIB: f64 = 1024.0 * 1024.0;

/// Run the job to its end, calling `progress` after every sample.
pub fn run(request: &LocalRequest, progress: &mut dyn FnMut(Progress)) -> Result<Measurement> {
    let Some(program_name) = request.command.first() else {
        return Err(Error::Launch {
            job: request.job.clone(),
            message: "[jobs.local] command is empty".into(),
        });
    };
    let (source, limits) = measuring_source(request);
    let mut command = job_command(request, program_name, &source);
    let started_at = Utc::now();
    let start = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|e| launch_error(request, program_name, &e))?;
    let pgid = child.id() as i32;
    let result = child
        .stdout
        .take()
        .map(|out| watch_result(out, request.show_output));
    let ended = Watch::new(request, &source, pgid, start).until_exit(&mut child, progress)?;
    let wall = start.elapsed();
    let stopped_at = Utc::now();
    let totals = settle(&source, pgid, wall, ended.status);
    drop(source); // removes the cgroup
    // Everything holding the pipe is gone with the cgroup; a process that escaped it (the
    // unmeasured fallback) could keep it open, so the wait is bounded.
    let result = result.and_then(|r| r.recv_timeout(RESULT_WAIT).ok().flatten());
    let (exit_code, stop_reason, stop_detail) =
        how_it_ended(request, ended.status, ended.stopping, totals.oom_kills);
    Ok(Measurement {
        started_at,
        stopped_at,
        wall,
        exit_code,
        stop_reason,
        stop_detail,
        samples: with_final_point(ended.samples, wall, &totals),
        cpu_mean: totals.cpu_mean,
        kernel_peak_mib: totals.kernel_peak_mib,
        limits,
        result,
    })
}

/// How long the end of the job's stdout is awaited after the job ended.
const RESULT_WAIT: Duration = Duration::from_secs(2);

/// The longest digest kept from a `result=` line (a fingerprint, not the data).
const MAX_RESULT_CHARS: usize = 128;

/// Pass the job's stdout through to our stderr (when shown) line by line, and send the
/// digest of its last `result=<digest>` line when the stream ends: `tune --engines` tells
/// by it whether two engines computed the same answer.
fn watch_result(
    out: std::process::ChildStdout,
    show: bool,
) -> std::sync::mpsc::Receiver<Option<String>> {
    use std::io::{BufRead, Write};
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = io::BufReader::new(out);
        let mut line = Vec::new();
        let mut result = None;
        while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
            if show {
                // Our stderr gone (a closed terminal) must not stop the job: keep reading.
                let _ = io::stderr().write_all(&line);
            }
            let text = String::from_utf8_lossy(&line);
            if let Some(digest) = text.trim().strip_prefix("result=") {
                result = Some(digest.chars().take(MAX_RESULT_CHARS).collect());
            }
            line.clear();
        }
        // The runner may have stopped waiting: nothing to do then.
        let _ = sender.send(result);
    });
    receiver
}

/// A fresh cgroup with the size's limits, else (saying why) the job's process group,
/// measured from /proc and unconstrained.
fn measuring_source(request: &LocalRequest) -> (Source, Limits) {
    match Cgroup::create(&request.run_id, request.size) {
        Ok(group) => {
            let mechanism = format!("cgroup {}", group.version().name());
            (
                Source::Cgroup(group),
                Limits {
                    enforced: true,
                    mechanism,
                    reason: None,
                },
            )
        }
        Err(e) => (
            Source::ProcessGroup,
            Limits {
                enforced: false,
                mechanism: "none".into(),
                reason: Some(format!(
                    "no cgroup could be created ({e}); the job ran unconstrained and was measured from /proc"
                )),
            },
        ),
    }
}

/// The job's command: its own process group, output to our stderr or nowhere, and between
/// fork and exec the parent-death signal and the move into the cgroup.
fn job_command(request: &LocalRequest, program_name: &str, source: &Source) -> Command {
    let mut command = Command::new(program(program_name, &request.workdir));
    command
        .args(&request.command[1..])
        .envs(&request.env)
        .current_dir(&request.workdir)
        .stdin(Stdio::null())
        // Its own process group: a terminal's Ctrl-C reaches only us, and we stop the job
        // (and everything it started) on purpose, so the partial run is still recorded.
        .process_group(0);
    // The job's own output goes to our stderr: our stdout carries only data. Its stdout
    // comes through a pipe, read for a `result=` line (see `watch_result`).
    command.stdout(Stdio::piped());
    if request.show_output {
        command.stderr(dup_stderr());
    } else {
        command.stderr(Stdio::null());
    }
    // The job dies with its runner (SIGKILL of `fargate-cost` gives us no chance to stop it).
    // The kernel sends the signal when the *thread* that forked the child exits: that is the
    // thread running `run`, which does not return before the child has been reaped (or, on
    // error, killed), so it outlives the child unless the whole runner dies. What the job
    // forks does not inherit the signal; the next run kills those with the group (see
    // cgroup::remove_stale).
    let runner = std::process::id() as libc::pid_t;
    // SAFETY: the closure only calls prctl and getppid, which are async-signal-safe.
    unsafe {
        command.pre_exec(move || die_with_runner(runner));
    }
    if let Source::Cgroup(group) = source {
        let joiner = group.joiner();
        // SAFETY: the closure only makes open/write/close system calls on memory prepared
        // before fork (see Cgroup::join_self), which is async-signal-safe.
        unsafe {
            command.pre_exec(move || joiner.join_self());
        }
    }
    command
}

/// Why the job could not start, in terms of its `[jobs.local] command`.
fn launch_error(request: &LocalRequest, program_name: &str, e: &io::Error) -> Error {
    Error::Launch {
        job: request.job.clone(),
        message: match e.kind() {
            io::ErrorKind::NotFound => format!(
                "`{program_name}` was not found (in {} or on PATH); check [jobs.local] command",
                request.workdir.display()
            ),
            io::ErrorKind::PermissionDenied => {
                format!("`{program_name}` is not executable; check [jobs.local] command")
            }
            _ => format!("`{program_name}`: {e}"),
        },
    }
}

/// The job while it runs: the samples so far, and whether (and since when) we are stopping it.
struct Watch<'a> {
    request: &'a LocalRequest,
    source: &'a Source,
    pgid: i32,
    start: Instant,
    interval: Duration,
    samples: Vec<Sample>,
    /// Time and CPU counter of the previous sample.
    last: (Instant, u64),
    next_sample: Instant,
    stopping: Option<(StopReason, Instant)>,
    killed: bool,
}

/// How the watch ended: the exit status, the samples, and whether we had stopped the job.
struct Ended {
    status: ExitStatus,
    samples: Vec<Sample>,
    stopping: Option<(StopReason, Instant)>,
}

impl<'a> Watch<'a> {
    fn new(request: &'a LocalRequest, source: &'a Source, pgid: i32, start: Instant) -> Self {
        let interval = request.sample_interval.max(Duration::from_millis(10));
        Watch {
            request,
            source,
            pgid,
            start,
            interval,
            samples: Vec::new(),
            last: (start, source.counters(pgid).0),
            next_sample: start + interval,
            stopping: None,
            killed: false,
        }
    }

    /// Poll until the job exits: stop it when asked or at the timeout, sample on schedule.
    fn until_exit(
        mut self,
        child: &mut Child,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Ended> {
        loop {
            match child.try_wait() {
                Ok(Some(status)) => {
                    return Ok(Ended {
                        status,
                        samples: self.samples,
                        stopping: self.stopping,
                    });
                }
                Ok(None) => {}
                Err(e) => {
                    // We can no longer watch it: it must not run on unwatched.
                    signal_group(self.pgid, libc::SIGKILL);
                    return Err(Error::Runner(e.to_string()));
                }
            }
            let now = Instant::now();
            self.stop_if_due(now);
            if now >= self.next_sample {
                progress(self.sample(now));
            }
            let until_sample = self.next_sample.saturating_duration_since(Instant::now());
            std::thread::sleep(POLL.min(until_sample));
        }
    }

    /// SIGTERM on Ctrl-C/SIGTERM or at the timeout; SIGKILL (the group and the cgroup) when
    /// the job is still there [`STOP_GRACE`] later.
    fn stop_if_due(&mut self, now: Instant) {
        match self.stopping {
            None => {
                let reason = if self.request.stop.load(Ordering::SeqCst) {
                    Some(StopReason::Interrupted)
                } else if self.request.timeout.is_some_and(|t| now - self.start >= t) {
                    Some(StopReason::Timeout)
                } else {
                    None
                };
                if let Some(reason) = reason {
                    signal_group(self.pgid, libc::SIGTERM);
                    self.stopping = Some((reason, now));
                }
            }
            Some((_, since)) if !self.killed && now - since >= STOP_GRACE => {
                signal_group(self.pgid, libc::SIGKILL);
                if let Source::Cgroup(group) = self.source {
                    group.kill_all();
                }
                self.killed = true;
            }
            Some(_) => {}
        }
    }

    /// Record one sample: CPU over the time since the previous one, memory now.
    fn sample(&mut self, now: Instant) -> Progress {
        let (cpu_ns, memory_bytes) = self.source.counters(self.pgid);
        let dt = (now - self.last.0).as_secs_f64();
        let cpu_vcpu = if dt > 0.0 {
            cpu_ns.saturating_sub(self.last.1) as f64 / 1e9 / dt
        } else {
            0.0
        };
        let sample = Sample {
            offset_ms: (now - self.start).as_millis() as u64,
            cpu_vcpu,
            memory_mib: memory_bytes as f64 / MIB,
        };
        self.samples.push(sample);
        self.last = (now, cpu_ns);
        self.next_sample += self.interval;
        if self.next_sample < now {
            self.next_sample = now + self.interval; // fell behind (suspended machine): resync
        }
        Progress {
            elapsed: now - self.start,
            cpu_vcpu,
            memory_mib: sample.memory_mib,
        }
    }
}

/// What the group's counters say about the whole run.
struct Totals {
    cpu_mean: Option<f64>,
    kernel_peak_mib: Option<f64>,
    oom_kills: u64,
}

/// Read the totals while the group still exists (before the cgroup is removed), then kill
/// whatever the job left running.
fn settle(source: &Source, pgid: i32, wall: Duration, status: ExitStatus) -> Totals {
    let (total_cpu_ns, _) = source.counters(pgid);
    let (kernel_peak_mib, oom_kills) = match source {
        Source::Cgroup(group) => (
            group.peak_memory_bytes().map(|b| b as f64 / MIB),
            settled_oom_kills(group, status.signal() == Some(libc::SIGKILL)),
        ),
        Source::ProcessGroup => (None, 0),
    };
    // Anything the job left running dies with it, as in a Fargate task.
    signal_group(pgid, libc::SIGKILL);
    let cpu_mean = match source {
        Source::Cgroup(_) if wall.as_secs_f64() > 0.0 => {
            Some(total_cpu_ns as f64 / 1e9 / wall.as_secs_f64())
        }
        _ => None,
    };
    Totals {
        cpu_mean,
        kernel_peak_mib,
        oom_kills,
    }
}

/// A job shorter than one interval still gets one point: its whole-run average CPU and the
/// kernel's peak memory, at its end.
fn with_final_point(mut samples: Vec<Sample>, wall: Duration, totals: &Totals) -> Vec<Sample> {
    if samples.is_empty() {
        samples.push(Sample {
            offset_ms: wall.as_millis() as u64,
            cpu_vcpu: totals.cpu_mean.unwrap_or(0.0),
            memory_mib: totals.kernel_peak_mib.unwrap_or(0.0),
        });
    }
    samples
}

/// Exit code, stop reason and detail: we stopped it (Ctrl-C, timeout), or it completed,
/// hit the memory limit, or failed.
fn how_it_ended(
    request: &LocalRequest,
    status: ExitStatus,
    stopping: Option<(StopReason, Instant)>,
    oom_kills: u64,
) -> (Option<i32>, StopReason, String) {
    let (exit_code, how) = match (status.code(), status.signal()) {
        (Some(code), _) => (Some(code), format!("exited with code {code}")),
        (None, Some(signal)) => (Some(128 + signal), format!("killed by signal {signal}")),
        _ => (None, "ended".to_string()),
    };
    let (stop_reason, stop_detail) = match stopping {
        Some((StopReason::Interrupted, _)) => (
            StopReason::Interrupted,
            format!("stopped by Ctrl-C/SIGTERM; {how}"),
        ),
        Some((reason, _)) => (
            reason,
            format!(
                "stopped at the {} timeout; {how}",
                humantime::format_duration(request.timeout.unwrap_or_default())
            ),
        ),
        None if status.success() && oom_kills > 0 => (
            StopReason::Completed,
            format!(
                "{how}; the kernel killed {oom_kills} process(es) of the job at the memory limit"
            ),
        ),
        None if status.success() => (StopReason::Completed, how),
        None if oom_kills > 0 => (
            StopReason::Oom,
            format!(
                "{how}: out of memory at the {} MiB limit ({oom_kills} OOM kill(s))",
                request.size.memory_mib()
            ),
        ),
        None => (StopReason::Failed, how),
    };
    (exit_code, stop_reason, stop_detail)
}

/// The kernel bumps a cgroup's `oom_kill` counter just after it sends SIGKILL to the victim,
/// so a SIGKILLed job can be reaped before the count shows; give the counter a moment.
fn settled_oom_kills(group: &Cgroup, sigkilled: bool) -> u64 {
    let mut kills = group.oom_kills();
    for _ in 0..10 {
        if kills > 0 || !sigkilled {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
        kills = group.oom_kills();
    }
    kills
}

fn dup_stderr() -> Stdio {
    io::stderr()
        .as_fd()
        .try_clone_to_owned()
        .map(Stdio::from)
        .unwrap_or_else(|_| Stdio::null())
}
