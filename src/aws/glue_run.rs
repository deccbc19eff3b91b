//! A Glue job run as a run record of backend `glue`: its configuration resolved from the
//! run (falling back to the job, then to Glue's defaults), billed by Glue's rules through
//! `pricing::price::glue_run`, and sized as the Fargate task covering its workers.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::aws::glue::{GlueJob, GlueJobRun};
use crate::error::{Error, Result};
use crate::model::glue::{ExecutionClass, GlueConfig, GlueVersion, WorkerType, fargate_for};
use crate::model::run::{Backend, GLUE_RUN_ID_PREFIX, GlueRun, Limits, Run, RunFacts, StopReason};
use crate::model::size::{Arch, Capacity, Os};
use crate::model::task::FargateTask;
use crate::pricing::book::RegionPrices;
use crate::pricing::price;

/// The run id of a Glue job run: stable, so importing twice records it once.
pub(crate) fn run_id(job_run_id: &str) -> String {
    format!("{GLUE_RUN_ID_PREFIX}{job_run_id}")
}

/// Glue's JobRunState as a stop reason; `Running` for the states of a run not yet ended.
pub(crate) fn stop_reason(state: &str) -> StopReason {
    match state {
        "SUCCEEDED" => StopReason::Completed,
        "TIMEOUT" => StopReason::Timeout,
        "STOPPED" => StopReason::Interrupted,
        "STARTING" | "RUNNING" | "STOPPING" | "WAITING" => StopReason::Running,
        // FAILED, ERROR, EXPIRED and anything newer.
        _ => StopReason::Failed,
    }
}

/// A number from AWS as an exact decimal; NaN, infinities and negatives are refused.
fn decimal(field: &str, value: f64) -> Result<Decimal> {
    Decimal::try_from(value)
        .ok()
        .filter(|d| !d.is_sign_negative())
        .ok_or_else(|| Error::invalid(field, format!("{value}: not a number Glue can bill")))
}

/// A whole count from AWS (NumberOfWorkers, a Standard job's MaxCapacity).
fn count(field: &str, value: Decimal) -> Result<u32> {
    if !value.fract().is_zero() {
        return Err(Error::invalid(
            field,
            format!("{value}: not a whole number"),
        ));
    }
    u32::try_from(value).map_err(|_| Error::invalid(field, format!("{value}: out of range")))
}

/// The configuration a run ran with: the run's fields, else the job's. Glue's defaults:
/// version 0.9 ("Jobs that are created without specifying a Glue version default to Glue
/// 0.9"), a Python shell's 0.0625 DPU. A Python shell ignores the version it names (any
/// bills at the same DPU-hour and 1-minute minimum), so it is taken as 1.0 or 3.0; a
/// Standard job on 2.0+ (sized by MaxCapacity) as G.1X workers, the same 1 DPU at the same
/// rate. Each such reading is said in `notes`.
pub(crate) fn config(
    job: &GlueJob,
    run: &GlueJobRun,
    notes: &mut Vec<String>,
) -> Result<GlueConfig> {
    let text = run
        .version
        .as_deref()
        .or(job.version.as_deref())
        .unwrap_or("0.9");
    let version = GlueVersion::parse(text)?;
    let class = match run
        .execution_class
        .as_deref()
        .or(job.execution_class.as_deref())
    {
        Some(c) if c.eq_ignore_ascii_case("FLEX") => ExecutionClass::Flex,
        _ => ExecutionClass::Standard,
    };
    let capacity = match run.max_capacity.or(job.max_capacity) {
        Some(value) => Some(decimal("MaxCapacity", value)?),
        None => None,
    };
    if job.command == "pythonshell" {
        let shell = if version >= GlueVersion::PYTHON_SHELL {
            GlueVersion::PYTHON_SHELL
        } else {
            GlueVersion::parse("1.0")?
        };
        if shell != version {
            notes.push(format!(
                "Python shell on Glue {version} priced as on {shell} (a Python shell bills alike on every version)"
            ));
        }
        return GlueConfig::new(WorkerType::PythonShell, None, shell, class, capacity);
    }
    let named = run.worker_type.as_deref().or(job.worker_type.as_deref());
    let workers = match run.workers.or(job.workers) {
        Some(w) => Some(count("NumberOfWorkers", Decimal::from(w))?),
        None => None,
    };
    let worker_type = WorkerType::parse(named.unwrap_or("Standard"))?;
    if worker_type != WorkerType::Standard {
        return GlueConfig::new(worker_type, workers, version, class, None);
    }
    // Standard workers are sized by MaxCapacity, in whole DPUs (default 10).
    let dpus = count("MaxCapacity", capacity.unwrap_or(Decimal::TEN))?;
    if version.is_legacy() {
        return GlueConfig::new(WorkerType::Standard, Some(dpus), version, class, None);
    }
    notes.push(format!(
        "{dpus} Standard DPUs on Glue {version} priced as {dpus} × G.1X (the same 1 DPU at the same rate)"
    ));
    GlueConfig::new(WorkerType::G1X, Some(dpus), version, class, None)
}

/// One Glue job run as a run record, priced in `region`.
pub(crate) fn record(
    job: &GlueJob,
    run: &GlueJobRun,
    region: &str,
    prices: &RegionPrices,
) -> Result<Run> {
    let mut notes = vec![format!("imported from AWS Glue job {}", job.name)];
    let config = config(job, run, &mut notes)?;
    let execution_s = u64::try_from(run.execution_time).map_err(|_| {
        Error::invalid(
            "ExecutionTime",
            format!("{} s: negative", run.execution_time),
        )
    })?;
    let execution = Duration::from_secs(execution_s);
    let dpu_seconds = match run.dpu_seconds {
        Some(value) => Some(decimal("DPUSeconds", value)?),
        None => None,
    };
    let cost = price::glue_run(region, prices, &config, execution, dpu_seconds)?;
    let (size, capped) = fargate_for(&config, Os::Linux);
    notes.extend(capped);
    let started = run
        .started_on
        .ok_or_else(|| Error::invalid("StartedOn", format!("run {} has no start time", run.id)))?;
    let stopped = stopped_at(run, started, execution_s);
    let reason = stop_reason(&run.state);
    let detail = match &run.error_message {
        Some(message) => format!("Glue {}: {message}", run.state),
        None => format!("Glue {}", run.state),
    };
    let facts = RunFacts {
        id: run_id(&run.id),
        job: job.name.clone(),
        backend: Backend::Glue,
        task: FargateTask {
            size,
            os: Os::Linux,
            arch: Arch::X86_64,
            capacity: Capacity::OnDemand,
            ephemeral_storage_gib: 20,
            public_ip: false,
        },
        region: region.to_string(),
        created_at: started,
        pull_started_at: None,
        pull_stopped_at: None,
        started_at: started,
        stopped_at: stopped,
        wall: execution,
        exit_code: None,
        stop_reason: reason,
        stop_detail: detail,
        cpu_mean: None,
        kernel_peak_mib: None,
        sample_interval_ms: 0,
        limits: Limits {
            enforced: false,
            mechanism: "glue".into(),
            reason: Some("an AWS Glue job run: Glue's workers, not Fargate limits".into()),
        },
        launched: vec![run.id.clone()],
        notes,
        result: None,
    };
    let glue = GlueRun {
        dpu_seconds,
        execution_time_s: execution_s,
        ..glue_facts(job, run, &config)
    };
    Ok(Run::record(
        facts,
        &[],
        crate::model::run::Billed {
            seconds: cost.billed_seconds,
            usd: cost.total_usd,
            public_ipv4_usd: Decimal::ZERO,
        },
    )
    .with_glue(glue))
}

/// What the record keeps of Glue's view of the run (its DPU-seconds and time aside).
fn glue_facts(job: &GlueJob, run: &GlueJobRun, config: &GlueConfig) -> GlueRun {
    GlueRun {
        state: run.state.clone(),
        command: job.command.clone(),
        worker_type: config.worker_type().name().to_string(),
        workers: config.workers(),
        version: config.version().to_string(),
        execution_class: match config.execution_class() {
            ExecutionClass::Standard => "standard".into(),
            ExecutionClass::Flex => "flex".into(),
        },
        dpu: config.dpu(),
        dpu_seconds: None,
        execution_time_s: 0,
        vcpu: config.vcpu(),
        memory_gb: config.memory_gb(),
    }
}

/// When the run ended: CompletedOn when Glue has it and it is not before the start, else
/// start + ExecutionTime (a run still going, or an odd record).
fn stopped_at(run: &GlueJobRun, started: DateTime<Utc>, execution_s: u64) -> DateTime<Utc> {
    let by_execution = i64::try_from(execution_s)
        .ok()
        .and_then(chrono::TimeDelta::try_seconds)
        .and_then(|d| started.checked_add_signed(d))
        .unwrap_or(started);
    match run.completed_on {
        Some(completed) if completed >= started => completed,
        _ => by_execution,
    }
}

#[cfg(test)]
mod tests {
    //! How a GetJobRuns record becomes a priced run, for the fields moto does not fill.
    //! Rates: us-east-1, $0.44 / DPU-hour, Flex $0.29, Glue 6.0 $0.308 (reference §3).
    use super::*;
    use crate::pricing::book::PriceBook;
    use rust_decimal_macros::dec;

    fn etl(worker: &str, workers: i32, version: &str) -> GlueJob {
        GlueJob {
            name: "etl".into(),
            command: "glueetl".into(),
            worker_type: Some(worker.into()),
            workers: Some(workers),
            version: Some(version.into()),
            ..GlueJob::default()
        }
    }

    fn run(state: &str, seconds: i32) -> GlueJobRun {
        GlueJobRun {
            id: "jr_1".into(),
            state: state.into(),
            started_on: DateTime::from_timestamp(1_790_000_000, 0),
            execution_time: seconds,
            ..GlueJobRun::default()
        }
    }

    fn recorded(job: &GlueJob, run: &GlueJobRun) -> Result<Run> {
        let book = PriceBook::bundled()?;
        record(job, run, "us-east-1", book.region("us-east-1")?)
    }

    #[test]
    fn a_flex_run_with_dpu_seconds_is_billed_its_dpu_seconds() {
        // The job says STANDARD; the run says FLEX and metered 1,800 DPU-seconds in 600 s:
        // 1800 / 3600 × 0.29 = 0.145.
        let mut r = run("SUCCEEDED", 600);
        r.execution_class = Some("FLEX".into());
        r.dpu_seconds = Some(1800.0);
        let rec = recorded(&etl("G.1X", 10, "4.0"), &r).unwrap();
        assert_eq!(rec.usd, dec!(0.145));
        assert_eq!((rec.billed_seconds, rec.duration_ms), (600, 600_000));
        let glue = rec.glue.unwrap();
        assert_eq!(glue.execution_class, "flex");
        assert_eq!(glue.dpu_seconds, Some(dec!(1800)));
        assert_eq!(rec.id, "glue-jr_1");
        assert_eq!(rec.backend, Backend::Glue);
    }

    #[test]
    fn the_run_wins_over_the_job_and_glue_6_is_billed_at_gen2() {
        // Job on 4.0 with 2 workers; the run ran on 6.0 with 4: 4 × G.1X for 30 min =
        // 4 × 0.5 × 0.308 = 0.616.
        let mut r = run("SUCCEEDED", 1800);
        r.version = Some("6.0".into());
        r.workers = Some(4);
        let rec = recorded(&etl("G.1X", 2, "4.0"), &r).unwrap();
        assert_eq!(rec.usd, dec!(0.616));
        // 4 × G.1X = 16 vCPU / 64 GB, which is a Fargate size.
        assert_eq!((rec.cpu_units, rec.memory_mib), (16384, 65536));
    }

    #[test]
    fn python_shells_standard_jobs_and_defaults() {
        // A Python shell of 1 DPU on "4.0" (a version it ignores) is priced as on 3.0:
        // 1 × 90 / 3600 × 0.44 = 0.011.
        let shell = GlueJob {
            name: "py".into(),
            command: "pythonshell".into(),
            max_capacity: Some(1.0),
            version: Some("4.0".into()),
            ..GlueJob::default()
        };
        let rec = recorded(&shell, &run("SUCCEEDED", 90)).unwrap();
        assert_eq!(rec.usd, dec!(0.011));
        assert!(
            rec.notes.iter().any(|n| n.contains("priced as on 3.0")),
            "{:?}",
            rec.notes
        );
        // No version and no worker type: Glue 0.9 Standard, MaxCapacity default 10 DPU,
        // a 10-minute minimum: 10 × 600 / 3600 × 0.44 = 0.733333…
        let bare = GlueJob {
            name: "old".into(),
            command: "glueetl".into(),
            ..GlueJob::default()
        };
        let rec = recorded(&bare, &run("FAILED", 30)).unwrap();
        assert_eq!(rec.usd.round_dp(6), dec!(0.733333));
        assert_eq!(rec.stop_reason, StopReason::Failed);
        // Standard 4 DPU on 2.0 is priced as 4 × G.1X with a 1-minute minimum:
        // 4 × 60 / 3600 × 0.44 = 0.029333…
        let mut standard = bare.clone();
        standard.version = Some("2.0".into());
        standard.max_capacity = Some(4.0);
        let rec = recorded(&standard, &run("SUCCEEDED", 45)).unwrap();
        assert_eq!(rec.usd.round_dp(6), dec!(0.029333));
        assert!(rec.notes.iter().any(|n| n.contains("4 × G.1X")));
    }

    #[test]
    fn states_map_to_stop_reasons() {
        let cases = [
            ("SUCCEEDED", StopReason::Completed),
            ("RUNNING", StopReason::Running),
            ("STARTING", StopReason::Running),
            ("WAITING", StopReason::Running),
            ("STOPPED", StopReason::Interrupted),
            ("TIMEOUT", StopReason::Timeout),
            ("ERROR", StopReason::Failed),
            ("EXPIRED", StopReason::Failed),
        ];
        for (state, reason) in cases {
            assert_eq!(stop_reason(state), reason, "{state}");
        }
        // A running run is priced for the time so far: 2 × G.1X on 4.0, 120 s:
        // 2 × 120 / 3600 × 0.44 = 0.029333…; its end is start + ExecutionTime.
        let rec = recorded(&etl("G.1X", 2, "4.0"), &run("RUNNING", 120)).unwrap();
        assert_eq!(rec.stop_reason, StopReason::Running);
        assert_eq!(rec.usd.round_dp(6), dec!(0.029333));
        assert_eq!((rec.stopped_at - rec.started_at).num_seconds(), 120);
    }

    #[test]
    fn numbers_from_the_sdk_become_the_decimals_glue_wrote() {
        // The SDK hands DPUSeconds and MaxCapacity over as f64: the decimal is the shortest
        // one that reads back as that f64 (what Glue wrote), not its binary expansion.
        assert_eq!(decimal("DPUSeconds", 1234.56).unwrap(), dec!(1234.56));
        assert_eq!(decimal("DPUSeconds", 0.1).unwrap(), dec!(0.1));
        assert_eq!(decimal("MaxCapacity", 0.0625).unwrap(), dec!(0.0625));
        assert!(decimal("DPUSeconds", f64::INFINITY).is_err());
        assert!(decimal("DPUSeconds", -0.5).is_err());
    }

    #[test]
    fn numbers_glue_cannot_have_sent_are_refused_not_priced() {
        let job = etl("G.1X", 2, "4.0");
        let mut r = run("SUCCEEDED", 60);
        r.dpu_seconds = Some(f64::NAN);
        let err = recorded(&job, &r).unwrap_err().to_string();
        assert!(err.starts_with("DPUSeconds: NaN"), "{err}");
        let err = recorded(&job, &run("SUCCEEDED", -5))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("ExecutionTime: -5 s"), "{err}");
        let err = recorded(&etl("G.1X", -2, "4.0"), &run("SUCCEEDED", 60)).unwrap_err();
        assert!(err.to_string().starts_with("NumberOfWorkers: -2"), "{err}");
        let mut shell = job.clone();
        shell.command = "pythonshell".into();
        shell.max_capacity = Some(0.5);
        let err = recorded(&shell, &run("SUCCEEDED", 60))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("a Python shell takes 0.0625 or 1 DPU"),
            "{err}"
        );
        let err = recorded(&etl("G.3X", 2, "4.0"), &run("SUCCEEDED", 60)).unwrap_err();
        assert!(err.to_string().contains("unknown Glue worker type `G.3X`"));
        let mut no_start = run("SUCCEEDED", 60);
        no_start.started_on = None;
        assert!(recorded(&job, &no_start).is_err());
    }
}
