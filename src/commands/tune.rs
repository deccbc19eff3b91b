//! `fargate-cost tune job NAME`: recommend a size from recorded runs (after an optional
//! sweep of sizes), explain it, show the change as a diff, and apply it with `--write`.

use std::path::Path;
use std::time::Duration;

use rust_decimal::Decimal;

use crate::analysis::comparison::{self, Workload};
use crate::analysis::sizing::{self, JobContext, Options, Recommendation};
use crate::cli::TuneJobArgs;
use crate::error::{Error, Result};
use crate::model::glue::{self, GlueVersion};
use crate::model::job::{Config, Job};
use crate::model::size::{Arch, Capacity, Os, Size};
use crate::model::task::FargateTask;
use crate::pricing::book::PriceBook;
use crate::pricing::price;
use crate::printer::Printer;
use crate::report::chart::SweepChart;
use crate::report::progress::ProgressLine;
use crate::report::rows::TuneRow;
use crate::report::{self, Format, Grid, text};
use crate::runner::session::{self, Session, SessionSettings};
use crate::settings::{self, GlobalSettings};
use crate::store::Store;
use crate::store::rewrite::{self, Edit};

/// Runs per month assumed when the config gives no schedule.
const DEFAULT_RUNS_PER_MONTH: Decimal = Decimal::from_parts(30, 0, 0, false, 0);

fn current_size(job: &Job) -> Result<Size> {
    match (job.size, &job.glue) {
        (Some(size), _) => Ok(size),
        (None, Some(glue)) => Ok(glue::fargate_for(glue, job.os).0),
        (None, None) => Err(Error::invalid(
            "cpu",
            format!("job `{}` has no size to tune", job.name),
        )),
    }
}

/// The sizes a sweep runs: each CPU with the smallest valid memory at or above the memory
/// the runs so far call for (peak + headroom, above any OOM kill) or the configured memory.
fn sweep_sizes(
    job: &Job,
    current: Size,
    runs: &[crate::model::run::Run],
    args: &TuneJobArgs,
    printer: &Printer,
) -> Vec<Size> {
    let peak = runs
        .iter()
        .filter(|r| r.stop_reason == crate::model::run::StopReason::Completed)
        .map(|r| r.memory.peak_mib)
        .fold(0.0, f64::max);
    let oom_floor = runs
        .iter()
        .filter(|r| r.stop_reason == crate::model::run::StopReason::Oom)
        .map(|r| f64::from(r.memory_mib) * sizing::OOM_FACTOR)
        .fold(0.0, f64::max);
    let memory = if peak > 0.0 {
        (peak * (1.0 + args.memory_headroom)).max(oom_floor).ceil() as u32
    } else {
        current.memory_mib().max(oom_floor.ceil() as u32)
    };
    let mut sizes = Vec::new();
    for cpu in &args.sweep {
        match Size::smallest_covering(*cpu, memory, job.os) {
            Some(size) if size.cpu_units() == *cpu => sizes.push(size),
            Some(size) => printer.warn(&format!(
                "sweep: {} vCPU cannot have {memory} MiB; skipped ({size} covers it)",
                crate::model::size::format_vcpu(*cpu)
            )),
            None => printer.warn(&format!(
                "sweep: no Fargate size has {} vCPU and {memory} MiB; skipped",
                crate::model::size::format_vcpu(*cpu)
            )),
        }
    }
    sizes
}

/// Run `tune job`.
pub fn tune_job(
    settings: &GlobalSettings,
    args: &TuneJobArgs,
    printer: &Printer,
) -> anyhow::Result<()> {
    let config = Config::load(&settings.config)?;
    let job = config.job(&args.name)?;
    let book = PriceBook::bundled()?;
    let region = settings.region_for(job.region.as_deref());
    let prices = book.region(&region)?;
    let current = current_size(job)?;
    let store = Store::new(&settings.store);

    let progress = ProgressLine::new(printer);
    if !args.sweep.is_empty() {
        let (launch, session_region) =
            settings::resolve_launch(settings, &config, job, session::default_backend(job))?;
        let session = Session::new(
            SessionSettings {
                job,
                prices: book.region(&session_region)?,
                region: session_region,
                store: Store::new(&settings.store),
                launch,
                sample_interval: args.sample_interval,
                timeout: args.timeout,
                show_output: !printer.is_quiet(),
            },
            &progress,
        )?;
        let (mut before, _) = store.runs(Some(&job.name));
        if !before
            .iter()
            .any(|r| r.stop_reason == crate::model::run::StopReason::Completed)
        {
            // Memory for the sweep comes from the observed peak: learn it first.
            printer.note(&format!(
                "{}: no completed run yet; one baseline run at {current} measures its memory peak",
                job.name
            ));
            before.push(session.run_once(current, &format!("{} baseline", job.name))?);
        }
        let sizes = sweep_sizes(job, current, &before, args, printer);
        'sweep: for size in sizes {
            for attempt in 1..=args.repeat {
                if session.stopped() {
                    break 'sweep;
                }
                let label = format!("{} sweep {} ({attempt}/{})", job.name, size, args.repeat);
                session.run_once(size, &label)?;
            }
        }
        if session.stopped() {
            return Err(
                Error::Interrupted("sweep stopped; the runs so far are recorded".into()).into(),
            );
        }
    }

    let (runs, skipped) = store.runs(Some(&job.name));
    for s in &skipped {
        printer.warn(&format!("skipped {}: {}", s.path.display(), s.reason));
    }
    let runs_per_month = match &job.schedule {
        Some(schedule) => schedule.runs_per_month(),
        None => {
            printer.note(&format!(
                "{}: no runs_per_month or schedule in the config; monthly figures assume {DEFAULT_RUNS_PER_MONTH} runs",
                job.name
            ));
            DEFAULT_RUNS_PER_MONTH
        }
    };
    let ctx = JobContext {
        name: job.name.clone(),
        current,
        os: job.os,
        arch: job.arch,
        capacity: job.capacity,
        region: region.clone(),
        ephemeral_storage_gib: job.ephemeral_storage_gib,
        runs_per_month,
    };
    let options = Options {
        since: args.since,
        now: chrono::Utc::now(),
        min_runs: args.min_runs,
        force: args.force,
        memory_headroom: args.memory_headroom,
        cpu_percentile: args.cpu_percentile,
        strategy: args.strategy.into(),
        deadline: args.deadline.or(job.deadline),
    };
    let recommendation = sizing::recommend(&runs, &ctx, &options, prices)?;

    let config_dir = config
        .path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut edits: Vec<Edit> = Vec::new();
    if recommendation.recommended != current && job.size.is_some() {
        edits.push(rewrite::config_edit(
            &config.path,
            &job.name,
            recommendation.recommended,
        )?);
        if let Some(file) = &job.task_definition_file {
            let container = job.ecs.as_ref().and_then(|e| e.container.as_deref());
            edits.push(rewrite::task_definition_edit(
                &config_dir.join(file),
                container,
                recommendation.recommended,
            )?);
        }
    }

    if let Some(path) = &args.chart {
        let model = recommendation.model.as_ref();
        SweepChart {
            title: format!("{}: cost and run time per size", job.name),
            candidates: &recommendation.candidates,
            measured: model.map_or(&[][..], |m| &m.points[..]),
            recommended: recommendation.recommended,
            deadline: recommendation.deadline,
        }
        .write(path)?;
        printer.note(&format!("chart written to {}", path.display()));
    }

    let output = match settings.format {
        Format::Json => report::json::render(&[TuneRow::from(&recommendation)])?,
        Format::Csv => report::csv::render(&[TuneRow::from(&recommendation)])?,
        Format::Table | Format::Markdown => {
            let style = if settings.format == Format::Markdown {
                report::table::Style::Markdown
            } else {
                report::table::Style::Terminal
            };
            let mut out =
                report::table::render(&summary_grid(&recommendation, job, &book, &region)?, style);
            if !recommendation.candidates.is_empty() {
                out.push('\n');
                out.push_str(&report::table::render(
                    &candidates_grid(&recommendation),
                    style,
                ));
            }
            for edit in &edits {
                out.push('\n');
                out.push_str(&edit.diff());
            }
            out
        }
    };
    printer.data(&output)?;

    if args.write {
        if edits.is_empty() {
            printer.note("nothing to write: the job already has the recommended size");
        }
        for edit in &edits {
            edit.apply()?;
            printer.note(&format!("wrote {}", edit.path.display()));
        }
        if args.register {
            let task_definition = job
                .ecs
                .as_ref()
                .and_then(|e| e.task_definition.clone())
                .ok_or_else(|| {
                    Error::invalid(
                        "--register",
                        format!(
                            "job `{}` has no [jobs.ecs] task_definition to register",
                            job.name
                        ),
                    )
                })?;
            let runtime = crate::aws::runtime()?;
            let aws = settings.connect_aws(&runtime, job.region.as_deref())?;
            let arn = runtime.block_on(crate::aws::task_definition::register_resized(
                &aws,
                &task_definition,
                recommendation.recommended,
            ))?;
            printer.note(&format!("registered {arn}"));
        }
    } else if !edits.is_empty() {
        printer.note("run with --write to apply this change");
    }
    Ok(())
}

fn per_run_at(
    job: &Job,
    region: &str,
    book: &PriceBook,
    size: Size,
    seconds: f64,
    arch: Arch,
    capacity: Capacity,
) -> Option<Decimal> {
    let prices = book.region(region).ok()?;
    let task = FargateTask {
        size,
        os: job.os,
        arch,
        capacity,
        ephemeral_storage_gib: job.ephemeral_storage_gib,
    };
    price::task(
        region,
        prices,
        &task,
        Duration::from_secs_f64(seconds.max(0.001)),
    )
    .ok()
    .map(|c| c.total_usd)
}

/// The recommendation as field/value lines, Compute Optimizer style.
fn summary_grid(rec: &Recommendation, job: &Job, book: &PriceBook, region: &str) -> Result<Grid> {
    let size = rec.recommended;
    let seconds = rec.recommended_seconds;
    let months = |per_run: Option<Decimal>| {
        per_run.map_or_else(
            || "n/a".to_string(),
            |c| format!("{} per run", text::usd(c)),
        )
    };
    let arm = (job.os == Os::Linux)
        .then(|| {
            per_run_at(
                job,
                region,
                book,
                size,
                seconds,
                Arch::Arm64,
                Capacity::OnDemand,
            )
        })
        .flatten();
    let spot = per_run_at(job, region, book, size, seconds, job.arch, Capacity::Spot);
    // The cheapest Glue configuration for the recommended size and expected run time.
    let workload = Workload {
        name: job.name.clone(),
        region: region.to_string(),
        size: Some(size),
        arch: job.arch,
        os: job.os,
        capacity: job.capacity,
        ephemeral_storage_gib: job.ephemeral_storage_gib,
        duration: Duration::from_secs_f64(seconds.max(0.001)),
        runs_per_month: Decimal::ONE,
        engine: job.engine,
        glue: None,
        glue_version: GlueVersion::DEFAULT,
        glue_flex: false,
        glue_speedup: job.glue_speedup.unwrap_or(Decimal::ONE),
    };
    let glue = comparison::compare(book, &workload)
        .map(|c| {
            format!(
                "{} — {} per run",
                c.glue_config,
                text::usd(c.glue.total_usd)
            )
        })
        .unwrap_or_else(|e| format!("n/a ({e})"));
    let reasons: Vec<&str> = rec.reasons.iter().map(|r| r.code()).collect();
    let mut rows = vec![
        vec!["Job".into(), rec.job.clone()],
        vec!["Finding".into(), rec.finding.to_string()],
        vec!["Risk".into(), rec.risk.to_string()],
        vec!["Reasons".into(), reasons.join(", ")],
        vec![
            "Based on".into(),
            format!(
                "{} run{} over {} day{}",
                rec.runs,
                if rec.runs == 1 { "" } else { "s" },
                rec.days,
                if rec.days == 1 { "" } else { "s" }
            ),
        ],
        vec![
            "Current".into(),
            format!(
                "{} — {} per run, {} per month ({:.0} s a run)",
                rec.current,
                text::usd(rec.current_usd_per_run),
                text::usd(rec.current_usd_per_month),
                rec.current_seconds
            ),
        ],
        vec![
            "Recommended".into(),
            format!(
                "{} — {} per run, {} per month ({:.0} s a run)",
                size,
                text::usd(rec.recommended_usd_per_run),
                text::usd(rec.recommended_usd_per_month),
                seconds
            ),
        ],
        vec![
            "Saving".into(),
            format!("{} per month", text::usd(rec.savings_per_month())),
        ],
        vec!["Recommended on ARM".into(), months(arm)],
        vec!["Recommended on Spot".into(), months(spot)],
        vec!["Cheapest Glue".into(), glue],
    ];
    if let Some(deadline) = rec.deadline {
        rows.push(vec![
            "Deadline".into(),
            humantime::format_duration(deadline).to_string(),
        ]);
    }
    for line in &rec.explanation {
        rows.push(vec!["Why".into(), line.clone()]);
    }
    Ok(Grid {
        headers: vec!["Field".into(), "Value".into()],
        rows,
        ..Grid::default()
    })
}

/// Sizes the runtime model priced.
fn candidates_grid(rec: &Recommendation) -> Grid {
    Grid {
        headers: [
            "Size",
            "Predicted run time",
            "Per run",
            "Meets deadline",
            "",
        ]
        .map(String::from)
        .to_vec(),
        rows: rec
            .candidates
            .iter()
            .map(|c| {
                vec![
                    c.size.to_string(),
                    text::duration(Duration::from_secs_f64(c.seconds.max(0.0))),
                    text::usd(c.usd_per_run),
                    if c.meets_deadline { "yes" } else { "no" }.into(),
                    if c.size == rec.recommended {
                        "← recommended"
                    } else {
                        ""
                    }
                    .into(),
                ]
            })
            .collect(),
        right_aligned: vec![1, 2],
        ..Grid::default()
    }
}
