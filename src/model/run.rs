//! The measured-run data model shared by every runner and every analysis: a [`Run`] record
//! and its [`Sample`]s. The JSON form of `Run` is a file format (the run store), so fields
//! are only ever added.

use std::fmt;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::size::{Arch, Capacity, MIB_PER_GB, Os, Size, UNITS_PER_VCPU};
use crate::model::task::FargateTask;
use rust_decimal::prelude::ToPrimitive;

/// Version of the run record format.
pub const RUN_SCHEMA_VERSION: u32 = 1;

/// Run ids of imported Glue job runs start with this (`glue-<JobRunId>`); the report tells
/// Glue runs from Fargate runs by it, as the run index has no backend column.
pub const GLUE_RUN_ID_PREFIX: &str = "glue-";

/// Which runner produced a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// This machine, under emulated Fargate limits.
    Local,
    /// A real ECS task on Fargate.
    Ecs,
    /// An AWS Glue job run (`import glue`): its `usd` and `billed_seconds` are Glue's, and
    /// its size is the Fargate size covering the Glue workers (see [`GlueRun`]).
    Glue,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Local => "local",
            Backend::Ecs => "ecs",
            Backend::Glue => "glue",
        })
    }
}

/// How a run ended (ECS-like).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// Exit code 0.
    Completed,
    /// Non-zero exit or killed by a signal, not by the memory limit.
    Failed,
    /// Killed by the memory limit (the cgroup's OOM counter rose).
    Oom,
    /// Stopped at `--timeout`.
    Timeout,
    /// Stopped by Ctrl-C / SIGTERM.
    Interrupted,
    /// Fargate Spot reclaimed the capacity.
    SpotInterruption,
    /// Still running when imported (a Glue run STARTING, RUNNING, STOPPING or WAITING): only
    /// the time billed so far is priced, and a later import replaces the record.
    Running,
}

impl StopReason {
    /// Every stop reason, in the order the contract lists them.
    pub const ALL: [StopReason; 7] = [
        StopReason::Completed,
        StopReason::Failed,
        StopReason::Oom,
        StopReason::Timeout,
        StopReason::Interrupted,
        StopReason::SpotInterruption,
        StopReason::Running,
    ];
}

impl std::str::FromStr for StopReason {
    type Err = crate::error::Error;

    /// The contract's names (`completed`, `spot_interruption`, ...); anything else is an
    /// error, never silently `failed`.
    fn from_str(text: &str) -> crate::error::Result<StopReason> {
        StopReason::ALL
            .into_iter()
            .find(|r| r.to_string() == text)
            .ok_or_else(|| {
                crate::error::Error::invalid(
                    "stop_reason",
                    format!(
                        "`{text}` is not a stop reason; valid: completed, failed, oom, timeout, interrupted, spot_interruption, running"
                    ),
                )
            })
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StopReason::Completed => "completed",
            StopReason::Failed => "failed",
            StopReason::Oom => "oom",
            StopReason::Timeout => "timeout",
            StopReason::Interrupted => "interrupted",
            StopReason::SpotInterruption => "spot_interruption",
            StopReason::Running => "running",
        })
    }
}

/// One point of a run's trace.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Milliseconds since the run started.
    pub offset_ms: u64,
    /// vCPU in use over the interval ending here.
    pub cpu_vcpu: f64,
    /// Memory in use, MiB.
    pub memory_mib: f64,
}

/// CPU use summary, vCPU.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct CpuStats {
    /// Mean over the whole run (total CPU time / wall time where the counter is known).
    pub mean: f64,
    /// Median sample.
    pub p50: f64,
    /// 95th percentile sample.
    pub p95: f64,
    /// 99th percentile sample.
    pub p99: f64,
    /// Highest sample.
    pub max: f64,
    /// Share of samples at the CPU limit (≥ [`AT_LIMIT`] of the vCPU allocated): the time the
    /// job waited for CPU, which the one-size runtime model scales. None without samples
    /// (and in runs recorded before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_limit: Option<f64>,
}

/// CPU use at or above this share of the allocation counts as at the limit (CPU-bound).
pub const AT_LIMIT: f64 = 0.9;

/// Memory use summary, MiB.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct MemoryStats {
    /// Peak: the kernel's exact counter where available, else the highest sample.
    pub peak_mib: f64,
    /// 95th percentile sample.
    pub p95_mib: f64,
    /// True when `peak_mib` is the kernel's counter rather than a sample.
    pub peak_exact: bool,
}

/// Whether the Fargate limits were really applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// CPU quota and memory limit were enforced.
    pub enforced: bool,
    /// "cgroup v1", "cgroup v2", "fargate" (ECS), or "none".
    pub mechanism: String,
    /// Why not, when not enforced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Limits {
    /// The limits of a task Fargate ran: enforced by Fargate itself.
    pub fn fargate() -> Limits {
        Limits {
            enforced: true,
            mechanism: "fargate".into(),
            reason: None,
        }
    }
}

/// One recorded run of a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// Format version.
    pub schema_version: u32,
    /// Unique, time-ordered id.
    pub id: String,
    /// Job name.
    pub job: String,
    /// Runner.
    pub backend: Backend,
    /// CPU units of the size it ran at.
    pub cpu_units: u32,
    /// Memory MiB of the size it ran at.
    pub memory_mib: u32,
    /// Architecture billed.
    pub arch: Arch,
    /// OS billed.
    pub os: Os,
    /// Capacity billed.
    pub capacity: Capacity,
    /// Region priced.
    pub region: String,
    /// Ephemeral storage GiB billed.
    pub ephemeral_storage_gib: u32,
    /// When the run was requested.
    pub created_at: DateTime<Utc>,
    /// Image pull start (ECS); none for local runs, which pull nothing.
    pub pull_started_at: Option<DateTime<Utc>>,
    /// Image pull end (ECS `pullStoppedAt`, reference 7): the pull is billed like the rest
    /// of the window, so it is kept to show its share. Absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_stopped_at: Option<DateTime<Utc>>,
    /// When the job started.
    pub started_at: DateTime<Utc>,
    /// When it stopped.
    pub stopped_at: DateTime<Utc>,
    /// Wall time, milliseconds.
    pub duration_ms: u64,
    /// Seconds billed by Fargate's rules.
    pub billed_seconds: u64,
    /// Exit code (128 + signal when killed by a signal).
    pub exit_code: Option<i32>,
    /// How it ended.
    pub stop_reason: StopReason,
    /// Details of how it ended.
    pub stop_detail: String,
    /// CPU summary.
    pub cpu: CpuStats,
    /// Memory summary.
    pub memory: MemoryStats,
    /// Number of samples.
    pub samples: u64,
    /// Sampling interval, milliseconds.
    pub sample_interval_ms: u64,
    /// Whether limits were enforced.
    pub limits: Limits,
    /// Fargate cost of this run at its size, USD (public IPv4 included).
    pub usd: Decimal,
    /// The task had a public IPv4 address (absent = false: older records, private subnets).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub public_ip: bool,
    /// Of `usd`, the public IPv4 address (Amazon VPC's charge, reference 10.1).
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    pub public_ipv4_usd: Decimal,
    /// The command run (local) or task ARN (ECS).
    pub launched: Vec<String>,
    /// Things a reader should know (e.g. "no image pull").
    #[serde(default)]
    pub notes: Vec<String>,
    /// What Glue reported, for a run of backend `glue`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glue: Option<GlueRun>,
    /// The engine it ran on: the job's own ("spark", "python") or a `[jobs.engines]`
    /// alternative ("duckdb"). Absent in older records and imported runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    /// The digest the job printed on its last `result=<digest>` stdout line: two engines
    /// of one job agree when their digests are equal. Absent when it printed none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
}

/// The Glue facts of an imported Glue job run (GetJobRuns, reference §8), kept so the
/// migration estimate and the report can be redone from the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlueRun {
    /// Glue's JobRunState, as Glue wrote it (SUCCEEDED, RUNNING, ...).
    pub state: String,
    /// The job's command type: glueetl, gluestreaming, pythonshell or glueray.
    pub command: String,
    /// Worker type as Glue names it ("G.1X"), or "pythonshell".
    pub worker_type: String,
    /// Workers (1 for a Python shell).
    pub workers: u32,
    /// Glue version.
    pub version: String,
    /// "standard" or "flex".
    pub execution_class: String,
    /// DPUs (M-DPUs for R and Z workers) of the configuration.
    pub dpu: Decimal,
    /// DPUSeconds when Glue reported it (Flex, auto scaling): then the bill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpu_seconds: Option<Decimal>,
    /// ExecutionTime, seconds.
    pub execution_time_s: u64,
    /// Total vCPU of the workers.
    pub vcpu: Decimal,
    /// Total memory GB of the workers.
    pub memory_gb: Decimal,
}

impl GlueRun {
    /// The Glue configuration it ran with (as recorded, so already validated on import).
    pub fn config(&self) -> crate::error::Result<crate::model::glue::GlueConfig> {
        use crate::model::glue::{ExecutionClass, GlueConfig, GlueVersion, WorkerType};
        let worker_type = WorkerType::parse(&self.worker_type)?;
        let class = match self.execution_class.as_str() {
            "flex" => ExecutionClass::Flex,
            _ => ExecutionClass::Standard,
        };
        let version = GlueVersion::parse(&self.version)?;
        match worker_type {
            WorkerType::PythonShell => {
                GlueConfig::new(worker_type, None, version, class, Some(self.dpu))
            }
            _ => GlueConfig::new(worker_type, Some(self.workers), version, class, None),
        }
    }
}

impl Run {
    /// The size it ran at. Records are written by this tool, so the pair is valid; a
    /// hand-edited record with an invalid pair is still readable through the raw fields.
    pub fn size(&self) -> Option<Size> {
        Size::new(self.cpu_units, self.memory_mib, self.os).ok()
    }

    /// vCPU of its size.
    pub fn vcpu(&self) -> Decimal {
        Decimal::from(self.cpu_units) / Decimal::from(UNITS_PER_VCPU)
    }

    /// Memory GiB of its size.
    pub fn memory_gib(&self) -> Decimal {
        Decimal::from(self.memory_mib) / Decimal::from(MIB_PER_GB)
    }

    /// The image pull, ms (pullStartedAt → pullStoppedAt), when ECS reported both.
    pub fn pull_ms(&self) -> Option<u64> {
        let (start, stop) = (self.pull_started_at?, self.pull_stopped_at?);
        u64::try_from((stop - start).num_milliseconds()).ok()
    }
}

/// The most one recorded run may cost: 16 vCPU / 120 GB on Windows for 31 days is under
/// $2,000; anything above is a damaged or hand-made record, never summed.
pub const MAX_RUN_USD: Decimal = Decimal::from_parts(100_000, 0, 0, false, 0);

/// The longest billed window a record may claim (a batch run longer than 31 days is not a
/// batch run).
pub const MAX_RUN_MS: u64 = 31 * 24 * 3600 * 1000;

impl Run {
    /// Why this record cannot be trusted, if it cannot: an unknown format version, money
    /// that is negative or absurd, a size Fargate does not offer, an impossible duration.
    /// Such records are reported and skipped, never summed.
    pub fn validate(&self) -> std::result::Result<(), String> {
        if self.schema_version != RUN_SCHEMA_VERSION {
            return Err(format!(
                "unknown schema_version {} (this fargate-cost reads {RUN_SCHEMA_VERSION})",
                self.schema_version
            ));
        }
        if self.usd.is_sign_negative() || self.usd > MAX_RUN_USD {
            return Err(format!(
                "usd {} is outside 0–{MAX_RUN_USD} for one run",
                self.usd
            ));
        }
        if let Err(e) = Size::new(self.cpu_units, self.memory_mib, self.os) {
            return Err(format!(
                "{} CPU units / {} MiB is not a Fargate size ({e})",
                self.cpu_units, self.memory_mib
            ));
        }
        if self.duration_ms > MAX_RUN_MS || self.billed_seconds > MAX_RUN_MS / 1000 + 300 {
            return Err("duration is longer than 31 days".to_string());
        }
        Ok(())
    }
}

/// What a backend knows about a run when it ends; [`Run::record`] turns it into the record.
#[derive(Debug, Clone)]
pub struct RunFacts {
    /// Run id.
    pub id: String,
    /// Job name.
    pub job: String,
    /// Runner.
    pub backend: Backend,
    /// What was launched (size, platform, capacity, storage).
    pub task: FargateTask,
    /// Region priced.
    pub region: String,
    /// When the run was requested.
    pub created_at: DateTime<Utc>,
    /// Image pull start (ECS).
    pub pull_started_at: Option<DateTime<Utc>>,
    /// Image pull end (ECS).
    pub pull_stopped_at: Option<DateTime<Utc>>,
    /// When the job started.
    pub started_at: DateTime<Utc>,
    /// When it stopped.
    pub stopped_at: DateTime<Utc>,
    /// The billed window: image pull start (launch, locally) to stop.
    pub wall: std::time::Duration,
    /// Exit code.
    pub exit_code: Option<i32>,
    /// How it ended.
    pub stop_reason: StopReason,
    /// Details of how it ended.
    pub stop_detail: String,
    /// Mean vCPU from an exact counter, when the backend has one.
    pub cpu_mean: Option<f64>,
    /// The kernel's exact memory peak, when the backend has one.
    pub kernel_peak_mib: Option<f64>,
    /// Sampling interval, milliseconds.
    pub sample_interval_ms: u64,
    /// Whether the limits were enforced.
    pub limits: Limits,
    /// The command run, or the task ARN/id.
    pub launched: Vec<String>,
    /// Things a reader should know.
    pub notes: Vec<String>,
    /// The digest of the job's `result=<digest>` line, when it printed one.
    pub result: Option<String>,
}

/// What `pricing::price` billed for a run's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Billed {
    /// Seconds billed (rounded up, after the minimum).
    pub seconds: u64,
    /// Total USD, public IPv4 included.
    pub usd: Decimal,
    /// Of which the public IPv4 address.
    pub public_ipv4_usd: Decimal,
}

impl Run {
    /// The one place a run record is built (local, ECS and imported runs): statistics from
    /// the samples, the price as computed by `pricing::price` for the billed window.
    pub fn record(facts: RunFacts, samples: &[Sample], billed: Billed) -> Run {
        let task = facts.task;
        Run {
            schema_version: RUN_SCHEMA_VERSION,
            id: facts.id,
            job: facts.job,
            backend: facts.backend,
            cpu_units: task.size.cpu_units(),
            memory_mib: task.size.memory_mib(),
            arch: task.arch,
            os: task.os,
            capacity: task.capacity,
            region: facts.region,
            ephemeral_storage_gib: task.ephemeral_storage_gib,
            created_at: facts.created_at,
            pull_started_at: facts.pull_started_at,
            pull_stopped_at: facts.pull_stopped_at,
            started_at: facts.started_at,
            stopped_at: facts.stopped_at,
            duration_ms: u64::try_from(facts.wall.as_millis()).unwrap_or(u64::MAX),
            billed_seconds: billed.seconds,
            exit_code: facts.exit_code,
            stop_reason: facts.stop_reason,
            stop_detail: facts.stop_detail,
            cpu: cpu_stats(
                samples,
                facts.cpu_mean,
                facts.task.size.vcpu().to_f64().unwrap_or(0.0),
            ),
            memory: memory_stats(samples, facts.kernel_peak_mib),
            samples: samples.len() as u64,
            sample_interval_ms: facts.sample_interval_ms,
            limits: facts.limits,
            usd: billed.usd,
            public_ip: task.public_ip,
            public_ipv4_usd: billed.public_ipv4_usd,
            launched: facts.launched,
            notes: facts.notes,
            glue: None,
            engine: None,
            result: facts.result,
        }
    }

    /// The record of a Glue job run: [`Run::record`] with what Glue reported.
    pub fn with_glue(mut self, glue: GlueRun) -> Run {
        self.glue = Some(glue);
        self
    }
}

/// Percentile by linear interpolation between closest ranks (numpy's default, polars'
/// `QuantileMethod::Linear`), of unsorted values. 0 for no values.
pub fn percentile(values: &[f64], q: f64) -> f64 {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return 0.0;
    }
    sorted.sort_by(f64::total_cmp);
    let rank = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
    sorted[low] + (sorted[high] - sorted[low]) * (rank - low as f64)
}

/// CPU statistics from samples; `mean` is supplied by the caller (exact counter) or taken
/// from the samples.
pub fn cpu_stats(samples: &[Sample], mean: Option<f64>, limit_vcpu: f64) -> CpuStats {
    let values: Vec<f64> = samples.iter().map(|s| s.cpu_vcpu).collect();
    let sample_mean = if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    };
    CpuStats {
        mean: mean.unwrap_or(sample_mean),
        p50: percentile(&values, 0.50),
        p95: percentile(&values, 0.95),
        p99: percentile(&values, 0.99),
        max: values.iter().copied().fold(0.0, f64::max),
        at_limit: (!values.is_empty()).then(|| {
            let at = values
                .iter()
                .filter(|&&v| v >= AT_LIMIT * limit_vcpu)
                .count();
            at as f64 / values.len() as f64
        }),
    }
}

/// Memory statistics from samples and, when known, the kernel's exact peak.
pub fn memory_stats(samples: &[Sample], kernel_peak_mib: Option<f64>) -> MemoryStats {
    let values: Vec<f64> = samples.iter().map(|s| s.memory_mib).collect();
    let sampled_peak = values.iter().copied().fold(0.0, f64::max);
    MemoryStats {
        peak_mib: kernel_peak_mib.map_or(sampled_peak, |k| k.max(sampled_peak)),
        p95_mib: percentile(&values, 0.95),
        peak_exact: kernel_peak_mib.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_reasons_round_trip_and_unknown_ones_are_errors() {
        for reason in StopReason::ALL {
            assert_eq!(reason.to_string().parse::<StopReason>().unwrap(), reason);
        }
        let err = "exploded".parse::<StopReason>().unwrap_err().to_string();
        assert!(err.contains("`exploded` is not a stop reason"), "{err}");
    }

    #[test]
    fn records_written_before_engines_still_read() {
        // A record as version 1 wrote it before runs carried an engine.
        let old = r#"{"schema_version":1,"id":"r1","job":"j","backend":"local",
            "cpu_units":1024,"memory_mib":2048,"arch":"x86_64","os":"linux",
            "capacity":"on-demand","region":"us-east-1","ephemeral_storage_gib":20,
            "created_at":"2026-11-01T00:00:00Z","pull_started_at":null,
            "started_at":"2026-11-01T00:00:00Z","stopped_at":"2026-11-01T00:01:00Z",
            "duration_ms":60000,"billed_seconds":60,"exit_code":0,"stop_reason":"completed",
            "stop_detail":"exit 0","cpu":{"mean":1,"p50":1,"p95":1,"p99":1,"max":1},
            "memory":{"peak_mib":100,"p95_mib":90,"peak_exact":true},"samples":60,
            "sample_interval_ms":1000,"limits":{"enforced":true,"mechanism":"cgroup v2"},
            "usd":"0.0008","launched":["true"]}"#;
        let mut run: Run = serde_json::from_str(old).unwrap();
        assert_eq!(run.engine, None);
        run.engine = Some("duckdb".into());
        let text = serde_json::to_string(&run).unwrap();
        assert!(text.contains(r#""engine":"duckdb""#), "{text}");
    }

    #[test]
    fn percentiles_interpolate_linearly() {
        let values = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(percentile(&values, 0.5), 3.0);
        // rank 0.95 × 4 = 3.8 → 4 + 0.8 × (5 − 4) = 4.8
        assert!((percentile(&values, 0.95) - 4.8).abs() < 1e-12);
        assert_eq!(percentile(&[], 0.95), 0.0);
        assert_eq!(percentile(&[7.0], 0.99), 7.0);
    }

    #[test]
    fn kernel_peak_wins_over_samples() {
        let samples = [
            Sample {
                offset_ms: 0,
                cpu_vcpu: 0.5,
                memory_mib: 100.0,
            },
            Sample {
                offset_ms: 1000,
                cpu_vcpu: 0.4,
                memory_mib: 120.0,
            },
        ];
        let m = memory_stats(&samples, Some(130.0));
        assert_eq!(m.peak_mib, 130.0);
        assert!(m.peak_exact);
        let c = cpu_stats(&samples, None, 0.5);
        assert!((c.mean - 0.45).abs() < 1e-12);
        assert_eq!(c.max, 0.5);
        // At a 0.5 vCPU limit, 0.5 is at it (≥ 0.45) and 0.4 is not: half the samples.
        assert_eq!(c.at_limit, Some(0.5));
        assert_eq!(cpu_stats(&[], None, 0.5).at_limit, None);
    }
}
