//! A measuring session, shared by `run` and `tune --sweep`: launch a job at a size on a
//! backend, measure it, price the run with the one pricing function, and record it in the
//! store. What happens is told to an [`Observer`] (the commands draw a progress line);
//! the session itself prints nothing.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Utc;
use rust_decimal::Decimal;

use crate::aws::Aws;
use crate::error::{Error, Result};
use crate::model::job::{EcsSettings, Job};
use crate::model::run::{Backend, Limits, Run, RunFacts, StopReason};
use crate::model::size::Size;
use crate::model::task::FargateTask;
use crate::pricing::book::RegionPrices;
use crate::pricing::price;
use crate::runner::ecs::{self, EcsRequest};
use crate::runner::local::{self, LocalRequest, Progress};
use crate::store::Store;

/// Told what a session does, so a command can show it.
pub(crate) trait Observer {
    /// A run is about to start (`run_id` is known for local runs).
    fn launching(&self, label: &str, size: Size, backend: &str, run_id: Option<&str>);
    /// A local run's latest sample.
    fn local_progress(&self, label: &str, size: Size, progress: &Progress);
    /// An ECS task's latest status.
    fn ecs_progress(&self, label: &str, status: &str, elapsed: Duration);
    /// The run `label` ended (clear its progress line).
    fn ended(&self, label: &str);
    /// Something the user should know.
    fn warn(&self, message: &str);
    /// The run was recorded.
    fn recorded(&self, run: &Run, store: &Store);
}

/// An ECS session's clients and launch settings.
pub(crate) struct EcsTarget {
    /// Connected clients (their region is the session's).
    pub aws: Aws,
    /// The runtime the SDK runs on.
    pub runtime: tokio::runtime::Runtime,
    /// `[jobs.ecs]`.
    pub settings: EcsSettings,
}

/// How a session launches: here (the job's local command) or on ECS.
pub(crate) enum Launch {
    /// The local runner.
    Local {
        /// argv.
        command: Vec<String>,
        /// Extra environment.
        env: BTreeMap<String, String>,
        /// Working directory.
        workdir: PathBuf,
    },
    /// RunTask on ECS.
    Ecs(Box<EcsTarget>),
}

/// Everything needed to run one job repeatedly and record each run.
pub(crate) struct Session<'a> {
    job: &'a Job,
    region: String,
    prices: &'a RegionPrices,
    store: Store,
    launch: Launch,
    stop: Arc<AtomicBool>,
    sample_interval: Duration,
    timeout: Option<Duration>,
    show_output: bool,
    observer: &'a dyn Observer,
}

/// The backend a job runs on by default: ECS when it has only ECS settings.
pub(crate) fn default_backend(job: &Job) -> Backend {
    if job.local.is_none() && job.ecs.is_some() {
        Backend::Ecs
    } else {
        Backend::Local
    }
}

/// A new run id: UTC time (sortable) and 8 random hex digits (unique across concurrent runs).
pub(crate) fn new_run_id() -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{}-{}", Utc::now().format("%Y%m%dT%H%M%SZ"), &random[..8])
}

/// How a session is set up, resolved by the command.
pub(crate) struct SessionSettings<'a> {
    /// The job.
    pub job: &'a Job,
    /// Region priced (and launched in, on ECS).
    pub region: String,
    /// Its prices.
    pub prices: &'a RegionPrices,
    /// The run store.
    pub store: Store,
    /// Local command or ECS target.
    pub launch: Launch,
    /// Sampling interval (local).
    pub sample_interval: Duration,
    /// Stop a run after this long.
    pub timeout: Option<Duration>,
    /// Pass the job's own output through (to stderr).
    pub show_output: bool,
}

impl<'a> Session<'a> {
    /// Prepare runs. SIGINT/SIGTERM only set a flag: the runner stops the job and the
    /// partial run is still recorded.
    pub(crate) fn new(
        settings: SessionSettings<'a>,
        observer: &'a dyn Observer,
    ) -> Result<Session<'a>> {
        settings.store.check_writable(&settings.job.name)?;
        let stop = Arc::new(AtomicBool::new(false));
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            signal_hook::flag::register(signal, Arc::clone(&stop))
                .map_err(|e| Error::Runner(format!("cannot handle signals: {e}")))?;
        }
        Ok(Session {
            job: settings.job,
            region: settings.region,
            prices: settings.prices,
            store: settings.store,
            launch: settings.launch,
            stop,
            sample_interval: settings.sample_interval,
            timeout: settings.timeout,
            show_output: settings.show_output,
            observer,
        })
    }

    /// True once Ctrl-C/SIGTERM arrived: start no further runs.
    pub(crate) fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// The store runs are recorded in.
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Run the job once at `size` and record it.
    pub(crate) fn run_once(&self, size: Size, label: &str) -> Result<Run> {
        let (facts, samples) = match &self.launch {
            Launch::Local {
                command,
                env,
                workdir,
            } => self.local_facts(size, label, command, env, workdir)?,
            Launch::Ecs(target) => self.ecs_facts(target, size, label)?,
        };
        self.record(facts, &samples)
    }

    /// Price a measured run with the one pricing function and record it.
    fn record(&self, facts: RunFacts, samples: &[crate::model::run::Sample]) -> Result<Run> {
        let priced = price::task(&self.region, self.prices, &facts.task, facts.wall)?;
        let mut run = Run::record(facts, samples, priced.billed());
        run.engine = Some(self.job.engine_name());
        self.store.write(&run, samples)?;
        self.observer.recorded(&run, &self.store);
        Ok(run)
    }

    /// Run each size `repeat` times (a sweep), stopping at Ctrl-C: the runs so far stay
    /// recorded and the sweep reports it was interrupted. On ECS up to `parallel` tasks run
    /// at once; locally one at a time, as runs would share this machine's cores and measure
    /// each other.
    pub(crate) fn sweep(&self, sizes: &[Size], repeat: u32, parallel: usize) -> Result<()> {
        let runs: Vec<(Size, String)> = sizes
            .iter()
            .flat_map(|&size| {
                (1..=repeat).map(move |attempt| {
                    (
                        size,
                        format!("{} sweep {size} ({attempt}/{repeat})", self.job.name),
                    )
                })
            })
            .collect();
        match &self.launch {
            Launch::Ecs(target) if parallel > 1 => self.sweep_ecs(target, &runs, parallel)?,
            _ => {
                for (size, label) in &runs {
                    if self.stopped() {
                        break;
                    }
                    self.run_once(*size, label)?;
                }
            }
        }
        if self.stopped() {
            return Err(Error::Interrupted(
                "sweep stopped; the runs so far are recorded".into(),
            ));
        }
        Ok(())
    }

    /// Whether sweeps run on ECS (where tasks can run side by side).
    pub(crate) fn on_ecs(&self) -> bool {
        matches!(self.launch, Launch::Ecs(_))
    }

    fn local_facts(
        &self,
        size: Size,
        label: &str,
        command: &[String],
        env: &BTreeMap<String, String>,
        workdir: &std::path::Path,
    ) -> Result<(RunFacts, Vec<crate::model::run::Sample>)> {
        let run_id = new_run_id();
        let created_at = Utc::now();
        let request = LocalRequest {
            job: self.job.name.clone(),
            run_id: run_id.clone(),
            command: command.to_vec(),
            env: env.clone(),
            workdir: workdir.to_path_buf(),
            size,
            sample_interval: self.sample_interval,
            timeout: self.timeout,
            stop: Arc::clone(&self.stop),
            show_output: self.show_output,
        };
        self.observer.launching(label, size, "local", Some(&run_id));
        let measurement = local::run(&request, &mut |p| {
            self.observer.local_progress(label, size, &p);
        });
        self.observer.ended(label);
        let mut m = measurement?;
        if let Some(reason) = &m.limits.reason {
            self.observer
                .warn(&format!("limits NOT enforced: {reason}"));
        }
        let mut notes = vec![
            "local run: no image pull, so billed from launch to exit (Fargate bills from image pull start)".to_string(),
        ];
        let host_cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        if size.vcpu() > Decimal::from(host_cpus) {
            notes.push(format!(
                "the size has {} vCPU but this machine has {host_cpus} CPUs; the job could use at most {host_cpus}",
                size.vcpu().normalize()
            ));
        }
        notes.extend(m.limits.reason.clone());
        if self.job.public_ip() {
            notes.push("priced with a public IPv4 address, as Fargate would bill it ([jobs.ecs] assign_public_ip = true)".to_string());
        }
        let samples = std::mem::take(&mut m.samples);
        let facts = RunFacts {
            id: run_id,
            job: self.job.name.clone(),
            backend: Backend::Local,
            task: self.job.task(size),
            region: self.region.clone(),
            created_at,
            pull_started_at: None,
            pull_stopped_at: None,
            started_at: m.started_at,
            stopped_at: m.stopped_at,
            wall: m.wall,
            exit_code: m.exit_code,
            stop_reason: m.stop_reason,
            stop_detail: m.stop_detail,
            cpu_mean: m.cpu_mean,
            kernel_peak_mib: m.kernel_peak_mib,
            sample_interval_ms: u64::try_from(self.sample_interval.as_millis()).unwrap_or(u64::MAX),
            limits: m.limits,
            launched: command.to_vec(),
            notes,
            result: m.result.take(),
        };
        Ok((facts, samples))
    }

    fn ecs_facts(
        &self,
        target: &EcsTarget,
        size: Size,
        label: &str,
    ) -> Result<(RunFacts, Vec<crate::model::run::Sample>)> {
        target
            .runtime
            .block_on(self.ecs_measure(target, size, label))
    }

    /// Launch one ECS task at `size`, wait for it, and read its metrics.
    async fn ecs_measure(
        &self,
        target: &EcsTarget,
        size: Size,
        label: &str,
    ) -> Result<(RunFacts, Vec<crate::model::run::Sample>)> {
        let job = self.job;
        let created_at = Utc::now();
        let request = EcsRequest {
            job: job.name.clone(),
            settings: target.settings.clone(),
            size,
            capacity: job.capacity,
            command: target.settings.command.clone(),
            timeout: self.timeout,
            stop: Arc::clone(&self.stop),
        };
        self.observer.launching(label, size, "ECS", None);
        let outcome = ecs::run(&target.aws, &request, &mut |status, elapsed| {
            self.observer.ecs_progress(label, status, elapsed);
        })
        .await;
        self.observer.ended(label);
        let outcome = outcome?;
        let (samples, _) = ecs::task_samples(&target.aws, &outcome).await?;
        let mut notes = Vec::new();
        if !outcome.exact_times {
            notes.push("ECS did not report pullStartedAt/stoppedAt: the billed window uses fargate-cost's own launch and stop observations (approximate)".to_string());
        }
        if samples.is_empty() {
            let note = "no Container Insights per-task metrics (Container Insights off, standard rather than enhanced observability, or not yet published): recorded with billing data and no samples";
            self.observer.warn(note);
            notes.push(note.to_string());
        }
        let wall = (outcome.stopped_at - outcome.billed_from)
            .to_std()
            .unwrap_or_default();
        let facts = RunFacts {
            id: format!("ecs-{}", outcome.task_id),
            job: job.name.clone(),
            backend: Backend::Ecs,
            // The address follows the launch as sent (`[jobs.ecs]` merged with defaults).
            task: FargateTask {
                public_ip: target.settings.assign_public_ip.unwrap_or(false),
                ..job.task(size)
            },
            region: self.region.clone(),
            created_at,
            pull_started_at: outcome.pull_started_at,
            pull_stopped_at: outcome.pull_stopped_at,
            started_at: outcome.started_at,
            stopped_at: outcome.stopped_at,
            wall,
            exit_code: outcome.exit_code,
            stop_reason: outcome.stop_reason,
            stop_detail: outcome.stop_detail.clone(),
            cpu_mean: None,
            kernel_peak_mib: None,
            sample_interval_ms: 60_000,
            limits: Limits::fargate(),
            launched: vec![outcome.task_arn.clone()],
            notes,
            result: None,
        };
        Ok((facts, samples))
    }

    /// A sweep on ECS with up to `parallel` tasks at once: every task is launched without
    /// waiting for the others, so the sweep takes about as long as its slowest size. Each
    /// run is recorded as it ends; a failed launch does not stop the others, and the first
    /// error is returned once all have ended.
    fn sweep_ecs(
        &self,
        target: &EcsTarget,
        runs: &[(Size, String)],
        parallel: usize,
    ) -> Result<()> {
        use futures_util::StreamExt;
        let results: Vec<Result<Run>> = target.runtime.block_on(
            futures_util::stream::iter(runs)
                .map(|(size, label)| async move {
                    let (facts, samples) = self.ecs_measure(target, *size, label).await?;
                    self.record(facts, &samples)
                })
                .buffer_unordered(parallel.max(1))
                .collect(),
        );
        results
            .into_iter()
            .find_map(Result::err)
            .map_or(Ok(()), Err)
    }
}

/// Whether a run's outcome should end a series of runs (Ctrl-C).
pub(crate) fn interrupted(run: &Run) -> bool {
    run.stop_reason == StopReason::Interrupted
}
