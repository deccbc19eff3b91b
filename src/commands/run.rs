//! `fargate-cost run JOB`: run a job under its Fargate size, record each run in the store,
//! and show what it used and what it would cost on Fargate and Glue.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Utc;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::analysis::comparison;
use crate::aws::Aws;
use crate::cli::{BackendArg, RunArgs};
use crate::error::{Error, Result};
use crate::model::glue;
use crate::model::job::{Config, Job};
use crate::model::run::{Backend, RUN_SCHEMA_VERSION, Run, StopReason, cpu_stats, memory_stats};
use crate::model::size::Size;
use crate::model::task::FargateTask;
use crate::pricing::book::{PriceBook, RegionPrices};
use crate::pricing::price;
use crate::printer::Printer;
use crate::report::{self, Format, text};
use crate::runner::ecs::{self, EcsRequest};
use crate::runner::local::{self, LocalRequest, Measurement};
use crate::settings::GlobalSettings;
use crate::store::Store;

use super::compare::config_workload;
use super::runs::runs_grid;

/// A new run id: UTC time (sortable) and 8 random hex digits (unique across concurrent runs).
pub fn new_run_id() -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{}-{}", Utc::now().format("%Y%m%dT%H%M%SZ"), &random[..8])
}

/// The size to run at: flags override the config; a Glue-only job runs at the smallest
/// Fargate size covering its Glue config.
fn run_size(job: &Job, args: &RunArgs) -> Result<Size> {
    let configured = match (job.size, &job.glue) {
        (Some(size), _) => Some(size),
        (None, Some(glue)) => Some(glue::fargate_for(glue, job.os).0),
        (None, None) => None,
    };
    let cpu = args.cpu.or(configured.map(|s| s.cpu_units()));
    let memory = args.memory.or(configured.map(|s| s.memory_mib()));
    match (cpu, memory) {
        (Some(cpu), Some(memory)) => Size::new(cpu, memory, job.os).map_err(|e| match e {
            Error::Invalid { what, message } => Error::invalid(format!("--{what}"), message),
            other => other,
        }),
        _ => Err(Error::invalid(
            "--cpu",
            format!("job `{}` has no size: give --cpu and --memory", job.name),
        )),
    }
}

/// Everything needed to run one job repeatedly on the local backend and record each run.
pub struct Session<'a> {
    job: &'a Job,
    region: String,
    prices: &'a RegionPrices,
    store: Store,
    command: Vec<String>,
    env: std::collections::BTreeMap<String, String>,
    workdir: PathBuf,
    ecs: Option<EcsTarget>,
    stop: Arc<AtomicBool>,
    sample_interval: Duration,
    timeout: Option<Duration>,
    printer: &'a Printer,
}

/// An ECS session's clients and launch settings.
struct EcsTarget {
    aws: Aws,
    runtime: tokio::runtime::Runtime,
    settings: crate::model::job::EcsSettings,
}

/// The backend a job runs on by default: ECS when it has only ECS settings.
pub fn default_backend(job: &Job) -> Backend {
    if job.local.is_none() && job.ecs.is_some() {
        Backend::Ecs
    } else {
        Backend::Local
    }
}

impl<'a> Session<'a> {
    /// Prepare runs of `job`: its local command, region prices, the store, and Ctrl-C
    /// handling (SIGINT/SIGTERM only set a flag: the runner stops the job and the partial run
    /// is still recorded).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        settings: &GlobalSettings,
        config: &Config,
        job: &'a Job,
        book: &'a PriceBook,
        backend: Backend,
        sample_interval: Duration,
        timeout: Option<Duration>,
        printer: &'a Printer,
    ) -> Result<Session<'a>> {
        let mut region = settings.region_for(job.region.as_deref());
        let ecs = match backend {
            Backend::Local => None,
            Backend::Ecs => {
                let ecs_settings = job.ecs.clone().ok_or_else(|| {
                    Error::invalid(
                        "ecs",
                        format!(
                            "job `{}` has no [jobs.ecs] settings in {}",
                            job.name,
                            config.path.display()
                        ),
                    )
                })?;
                let runtime = crate::aws::runtime()?;
                let aws = settings.connect_aws(&runtime, job.region.as_deref())?;
                region = aws.region.clone();
                Some(EcsTarget {
                    aws,
                    runtime,
                    settings: ecs_settings,
                })
            }
        };
        let prices = book.region(&region)?;
        let empty = crate::model::job::LocalSettings::default();
        let local = match (&job.local, &ecs) {
            (Some(local), _) => Ok(local),
            (None, Some(_)) => Ok(&empty),
            (None, None) => Err(()),
        }
        .map_err(|_| {
            Error::invalid(
                "local.command",
                format!(
                    "job `{}` has no [jobs.local] command in {}; add one, e.g. command = [\"python3\", \"job.py\"]",
                    job.name,
                    config.path.display()
                ),
            )
        })?;
        let config_dir = config
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let workdir: PathBuf = match &local.workdir {
            Some(dir) => config_dir.join(dir),
            None => config_dir.to_path_buf(),
        };
        let stop = Arc::new(AtomicBool::new(false));
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            signal_hook::flag::register(signal, Arc::clone(&stop))
                .map_err(|e| Error::Runner(format!("cannot handle signals: {e}")))?;
        }
        Ok(Session {
            job,
            region,
            prices,
            store: Store::new(&settings.store),
            command: local.command.clone(),
            env: local.env.clone(),
            workdir,
            ecs,
            stop,
            sample_interval,
            timeout,
            printer,
        })
    }

    /// True once Ctrl-C/SIGTERM arrived: start no further runs.
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// The store runs are recorded in.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Run the job once at `size` and record it.
    pub fn run_once(&self, size: Size, label: &str) -> Result<Run> {
        if let Some(ecs) = &self.ecs {
            return self.run_once_ecs(ecs, size, label);
        }
        let job = self.job;
        let printer = self.printer;
        let run_id = new_run_id();
        let created_at = Utc::now();
        let request = LocalRequest {
            job: job.name.clone(),
            run_id: run_id.clone(),
            command: self.command.clone(),
            env: self.env.clone(),
            workdir: self.workdir.clone(),
            size,
            sample_interval: self.sample_interval,
            timeout: self.timeout,
            stop: Arc::clone(&self.stop),
            show_output: !printer.is_quiet(),
        };
        printer.note(&format!(
            "running {label} at {size} on the local backend (run {run_id})"
        ));
        let spinner = spinner(printer);
        let measurement = local::run(&request, &mut |p| {
            spinner.set_message(format!(
                "{label} · {} · CPU {:.2} / {} vCPU · memory {:.0} / {} MiB",
                text::duration(Duration::from_secs(p.elapsed.as_secs())),
                p.cpu_vcpu,
                size.vcpu().normalize(),
                p.memory_mib,
                size.memory_mib()
            ));
        });
        spinner.finish_and_clear();
        let mut measurement = measurement?;
        if let Some(reason) = &measurement.limits.reason {
            printer.warn(&format!("limits NOT enforced: {reason}"));
        }
        let task = FargateTask {
            size,
            os: job.os,
            arch: job.arch,
            capacity: job.capacity,
            ephemeral_storage_gib: job.ephemeral_storage_gib,
        };
        let priced = price::task(&self.region, self.prices, &task, measurement.wall)?;
        let mut notes = vec![
            "local run: no image pull, so billed from launch to exit (Fargate bills from image pull start)".to_string(),
        ];
        let host_cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        if size.vcpu() > rust_decimal::Decimal::from(host_cpus) {
            notes.push(format!(
                "the size has {} vCPU but this machine has {host_cpus} CPUs; the job could use at most {host_cpus}",
                size.vcpu().normalize()
            ));
        }
        notes.extend(measurement.limits.reason.clone());
        let samples = std::mem::take(&mut measurement.samples);
        let run = build_run(
            &run_id,
            job,
            &self.region,
            task,
            created_at,
            measurement,
            &samples,
            priced.billed_seconds,
            priced.total_usd,
            self.sample_interval,
            notes,
        );
        self.store.write(&run, &samples)?;
        printer.note(&format!(
            "recorded run {} ({}, {}) in {}",
            run.id,
            run.stop_reason,
            text::duration(Duration::from_millis(run.duration_ms)),
            self.store.root().display()
        ));
        Ok(run)
    }
}

impl Session<'_> {
    fn run_once_ecs(&self, ecs: &EcsTarget, size: Size, label: &str) -> Result<Run> {
        let job = self.job;
        let printer = self.printer;
        let created_at = Utc::now();
        let request = EcsRequest {
            job: job.name.clone(),
            settings: ecs.settings.clone(),
            size,
            capacity: job.capacity,
            command: ecs.settings.command.clone(),
            timeout: self.timeout,
            stop: Arc::clone(&self.stop),
        };
        printer.note(&format!(
            "launching {label} at {size} on ECS ({})",
            ecs.aws.region
        ));
        let spinner = spinner(printer);
        let outcome = ecs
            .runtime
            .block_on(ecs::run(&ecs.aws, &request, &mut |status, elapsed| {
                spinner.set_message(format!(
                    "{label} · {} · task {status}",
                    text::duration(Duration::from_secs(elapsed.as_secs()))
                ));
            }));
        spinner.finish_and_clear();
        let outcome = outcome?;
        let (samples, _) = ecs
            .runtime
            .block_on(ecs::task_samples(&ecs.aws, &outcome))?;
        let mut notes = Vec::new();
        if !outcome.exact_times {
            notes.push("ECS did not report pullStartedAt/stoppedAt: the billed window uses fargate-cost's own launch and stop observations (approximate)".to_string());
        }
        if samples.is_empty() {
            let note = "no Container Insights per-task metrics (Container Insights off, standard rather than enhanced observability, or not yet published): recorded with billing data and no samples";
            printer.warn(note);
            notes.push(note.to_string());
        }
        let wall = (outcome.stopped_at - outcome.billed_from)
            .to_std()
            .unwrap_or_default();
        let task = FargateTask {
            size,
            os: job.os,
            arch: job.arch,
            capacity: job.capacity,
            ephemeral_storage_gib: job.ephemeral_storage_gib,
        };
        let priced = price::task(&self.region, self.prices, &task, wall)?;
        let run = Run {
            schema_version: RUN_SCHEMA_VERSION,
            id: format!("ecs-{}", outcome.task_id),
            job: job.name.clone(),
            backend: Backend::Ecs,
            cpu_units: size.cpu_units(),
            memory_mib: size.memory_mib(),
            arch: job.arch,
            os: job.os,
            capacity: job.capacity,
            region: self.region.clone(),
            ephemeral_storage_gib: job.ephemeral_storage_gib,
            created_at,
            pull_started_at: outcome.pull_started_at,
            started_at: outcome.started_at,
            stopped_at: outcome.stopped_at,
            duration_ms: wall.as_millis() as u64,
            billed_seconds: priced.billed_seconds,
            exit_code: outcome.exit_code,
            stop_reason: outcome.stop_reason,
            stop_detail: outcome.stop_detail.clone(),
            cpu: cpu_stats(&samples, None),
            memory: memory_stats(&samples, None),
            samples: samples.len() as u64,
            sample_interval_ms: 60_000,
            limits: crate::model::run::Limits {
                enforced: true,
                mechanism: "fargate".into(),
                reason: None,
            },
            usd: priced.total_usd,
            launched: vec![outcome.task_arn.clone()],
            notes,
        };
        self.store.write(&run, &samples)?;
        printer.note(&format!(
            "recorded run {} ({}) in {}",
            run.id,
            run.stop_reason,
            self.store.root().display()
        ));
        Ok(run)
    }
}

/// Run `run`.
pub fn run(settings: &GlobalSettings, args: &RunArgs, printer: &Printer) -> anyhow::Result<()> {
    let config = Config::load(&settings.config)?;
    let job = config.job(&args.job)?;
    let backend = match args.backend {
        Some(BackendArg::Ecs) => Backend::Ecs,
        Some(BackendArg::Local) => Backend::Local,
        None => default_backend(job),
    };
    let size = run_size(job, args)?;
    let book = PriceBook::bundled()?;
    let session = Session::new(
        settings,
        &config,
        job,
        &book,
        backend,
        args.sample_interval,
        args.timeout,
        printer,
    )?;
    let mut recorded = Vec::new();
    for attempt in 1..=args.repeat {
        if session.stopped() {
            break;
        }
        let label = if args.repeat > 1 {
            format!("{} ({attempt}/{})", job.name, args.repeat)
        } else {
            job.name.clone()
        };
        let run = session.run_once(size, &label)?;
        let interrupted = run.stop_reason == StopReason::Interrupted;
        recorded.push(run);
        if interrupted {
            break;
        }
    }
    finish(settings, &config, job, &book, recorded, printer)
}

fn spinner(printer: &Printer) -> ProgressBar {
    if printer.is_quiet() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

#[allow(clippy::too_many_arguments)]
fn build_run(
    id: &str,
    job: &Job,
    region: &str,
    task: FargateTask,
    created_at: chrono::DateTime<Utc>,
    m: Measurement,
    samples: &[crate::model::run::Sample],
    billed_seconds: u64,
    usd: rust_decimal::Decimal,
    sample_interval: Duration,
    notes: Vec<String>,
) -> Run {
    Run {
        schema_version: RUN_SCHEMA_VERSION,
        id: id.to_string(),
        job: job.name.clone(),
        backend: Backend::Local,
        cpu_units: task.size.cpu_units(),
        memory_mib: task.size.memory_mib(),
        arch: task.arch,
        os: task.os,
        capacity: task.capacity,
        region: region.to_string(),
        ephemeral_storage_gib: task.ephemeral_storage_gib,
        created_at,
        pull_started_at: None,
        started_at: m.started_at,
        stopped_at: m.stopped_at,
        duration_ms: m.wall.as_millis() as u64,
        billed_seconds,
        exit_code: m.exit_code,
        stop_reason: m.stop_reason,
        stop_detail: m.stop_detail,
        cpu: cpu_stats(samples, m.cpu_mean),
        memory: memory_stats(samples, m.kernel_peak_mib),
        samples: samples.len() as u64,
        sample_interval_ms: sample_interval.as_millis() as u64,
        limits: m.limits,
        usd,
        launched: job
            .local
            .as_ref()
            .map(|l| l.command.clone())
            .unwrap_or_default(),
        notes,
    }
}

/// Print what was recorded and the Fargate-vs-Glue comparison of the last measured run;
/// fail (after recording) when the job did not complete.
fn finish(
    settings: &GlobalSettings,
    config: &Config,
    job: &Job,
    book: &PriceBook,
    recorded: Vec<Run>,
    printer: &Printer,
) -> anyhow::Result<()> {
    let Some(last) = recorded.last() else {
        return Err(
            Error::Interrupted("stopped before the job started; nothing recorded".into()).into(),
        );
    };
    let rows: Vec<_> = recorded.iter().map(Run::row).collect();
    let mut output = report::render(settings.format, &rows, || runs_grid(&recorded))?;
    if matches!(settings.format, Format::Table | Format::Markdown) {
        // Price the measured run both ways: its size, its measured duration.
        let mut measured = job.clone();
        measured.size = last.size();
        measured.duration = Some(Duration::from_millis(last.duration_ms.max(1)));
        let mut notes = Vec::new();
        let workload =
            config_workload(settings, &Default::default(), config, &measured, &mut notes)?;
        let comparison = comparison::compare(book, &workload)?;
        notes.extend(comparison.notes.iter().cloned());
        notes.insert(0, comparison::duration_assumption(workload.glue_speedup));
        notes.insert(
            0,
            format!(
                "Measured run {} priced at its size and measured duration ({}).",
                last.id,
                text::duration(Duration::from_millis(last.duration_ms))
            ),
        );
        let grid = super::compare::grid(std::slice::from_ref(&comparison), &notes);
        let style = match settings.format {
            Format::Markdown => report::table::Style::Markdown,
            _ => report::table::Style::Terminal,
        };
        output.push('\n');
        output.push_str(&report::table::render(&grid, style));
    }
    printer.data(&output)?;
    match last.stop_reason {
        StopReason::Completed => Ok(()),
        StopReason::Interrupted => Err(Error::Interrupted(format!(
            "run {} was stopped and recorded as interrupted",
            last.id
        ))
        .into()),
        reason => Err(Error::JobFailed {
            job: job.name.clone(),
            message: format!(
                "{reason}: {}; recorded as run {}",
                last.stop_detail, last.id
            ),
        }
        .into()),
    }
}
