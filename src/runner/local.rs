//! The local backend: run a job's command on this machine inside a fresh cgroup with the
//! CPU quota and memory limit of its Fargate size, sample CPU and memory while it runs, and
//! classify how it ended (completed, failed, oom, timeout, interrupted) like ECS would.

use std::collections::BTreeMap;
use std::io;
use std::os::fd::AsFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
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
    let (source, limits) = match Cgroup::create(&request.run_id, request.size) {
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
    };

    let mut command = Command::new(program(program_name, &request.workdir));
    command
        .args(&request.command[1..])
        .envs(&request.env)
        .current_dir(&request.workdir)
        .stdin(Stdio::null())
        // Its own process group: a terminal's Ctrl-C reaches only us, and we stop the job
        // (and everything it started) on purpose, so the partial run is still recorded.
        .process_group(0);
    // The job's own output goes to our stderr: our stdout carries only data.
    if request.show_output {
        command.stdout(dup_stderr()).stderr(dup_stderr());
    } else {
        command.stdout(Stdio::null()).stderr(Stdio::null());
    }
    // The job dies with its runner (SIGKILL of `fargate-cost` gives us no chance to stop it).
    // The kernel sends the signal when the *thread* that forked the child exits: that is the
    // thread running this function, which does not return before the child has been reaped,
    // so it outlives the child unless the whole runner dies. What the job forks does not
    // inherit the signal; the next run kills those with the group (see cgroup::remove_stale).
    let runner = std::process::id() as libc::pid_t;
    // SAFETY: the closure only calls prctl and getppid, which are async-signal-safe.
    unsafe {
        command.pre_exec(move || die_with_runner(runner));
    }
    if let Source::Cgroup(group) = &source {
        let joiner = group.joiner();
        // SAFETY: the closure only makes open/write/close system calls on memory prepared
        // before fork (see Cgroup::join_self), which is async-signal-safe.
        unsafe {
            command.pre_exec(move || joiner.join_self());
        }
    }

    let started_at = Utc::now();
    let start = Instant::now();
    let mut child = command.spawn().map_err(|e| Error::Launch {
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
    })?;
    let pgid = child.id() as i32;

    let interval = request.sample_interval.max(Duration::from_millis(10));
    let mut samples = Vec::new();
    let mut last = (start, source.counters(pgid).0);
    let mut next_sample = start + interval;
    let mut stopping: Option<(StopReason, Instant)> = None;
    let mut killed = false;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| Error::Runner(e.to_string()))? {
            break status;
        }
        let now = Instant::now();
        if stopping.is_none() {
            let reason = if request.stop.load(Ordering::SeqCst) {
                Some(StopReason::Interrupted)
            } else if request.timeout.is_some_and(|t| now - start >= t) {
                Some(StopReason::Timeout)
            } else {
                None
            };
            if let Some(reason) = reason {
                signal_group(pgid, libc::SIGTERM);
                stopping = Some((reason, now));
            }
        } else if let Some((_, since)) = stopping
            && !killed
            && now - since >= STOP_GRACE
        {
            signal_group(pgid, libc::SIGKILL);
            if let Source::Cgroup(group) = &source {
                group.kill_all();
            }
            killed = true;
        }
        if now >= next_sample {
            let (cpu_ns, memory_bytes) = source.counters(pgid);
            let dt = (now - last.0).as_secs_f64();
            let cpu_vcpu = if dt > 0.0 {
                cpu_ns.saturating_sub(last.1) as f64 / 1e9 / dt
            } else {
                0.0
            };
            let sample = Sample {
                offset_ms: (now - start).as_millis() as u64,
                cpu_vcpu,
                memory_mib: memory_bytes as f64 / MIB,
            };
            samples.push(sample);
            progress(Progress {
                elapsed: now - start,
                cpu_vcpu,
                memory_mib: sample.memory_mib,
            });
            last = (now, cpu_ns);
            next_sample += interval;
            if next_sample < now {
                next_sample = now + interval; // fell behind (suspended machine): resync
            }
        }
        std::thread::sleep(POLL.min(next_sample.saturating_duration_since(Instant::now())));
    };
    let wall = start.elapsed();
    let stopped_at = Utc::now();

    // Totals while the group still exists (before the cgroup is removed).
    let (total_cpu_ns, _) = source.counters(pgid);
    let (kernel_peak_mib, oom_kills) = match &source {
        Source::Cgroup(group) => (
            group.peak_memory_bytes().map(|b| b as f64 / MIB),
            settled_oom_kills(group, status.signal() == Some(libc::SIGKILL)),
        ),
        Source::ProcessGroup => (None, 0),
    };
    // Anything the job left running dies with it, as in a Fargate task.
    signal_group(pgid, libc::SIGKILL);
    let cpu_mean = match &source {
        Source::Cgroup(_) if wall.as_secs_f64() > 0.0 => {
            Some(total_cpu_ns as f64 / 1e9 / wall.as_secs_f64())
        }
        _ => None,
    };
    drop(source); // removes the cgroup
    if samples.is_empty() {
        // A job shorter than one interval still gets one point: its whole-run average CPU
        // and the kernel's peak memory, at its end.
        samples.push(Sample {
            offset_ms: wall.as_millis() as u64,
            cpu_vcpu: cpu_mean.unwrap_or(0.0),
            memory_mib: kernel_peak_mib.unwrap_or(0.0),
        });
    }

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
    Ok(Measurement {
        started_at,
        stopped_at,
        wall,
        exit_code,
        stop_reason,
        stop_detail,
        samples,
        cpu_mean,
        kernel_peak_mib,
        limits,
    })
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
