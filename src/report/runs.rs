//! Human tables of recorded runs: the list (`runs`, `run`, `import`) and one run's
//! details with use against the size's limits (`runs show`).

use std::time::Duration;

use crate::model::run::{Backend, GlueRun, Run};
use crate::model::size::format_gb;
use crate::report::{Grid, text};

/// The human table of runs.
pub(crate) fn runs(runs: &[Run]) -> Grid {
    Grid {
        headers: [
            "Run",
            "Job",
            "Size",
            "Started UTC",
            "Duration",
            "Outcome",
            "Peak MiB",
            "CPU p95",
            "Cost",
        ]
        .map(String::from)
        .to_vec(),
        rows: runs
            .iter()
            .map(|r| {
                vec![
                    r.id.clone(),
                    r.job.clone(),
                    match &r.glue {
                        Some(g) if g.worker_type == "pythonshell" => {
                            format!("Glue Python shell {} DPU", g.dpu.normalize())
                        }
                        Some(g) => format!("Glue {} × {}", g.workers, g.worker_type),
                        None => format!(
                            "{} vCPU / {} GB",
                            r.vcpu().normalize(),
                            format_gb(r.memory_mib)
                        ),
                    },
                    r.started_at.format("%m-%d %H:%M:%S").to_string(),
                    text::duration(Duration::from_millis(r.duration_ms)),
                    match r.exit_code {
                        Some(code) if code != 0 => format!("{} ({code})", r.stop_reason),
                        _ => r.stop_reason.to_string(),
                    },
                    // A Glue run has no samples.
                    match r.glue {
                        Some(_) => "–".into(),
                        None => format!("{:.0}", r.memory.peak_mib),
                    },
                    match r.glue {
                        Some(_) => "–".into(),
                        None => format!("{:.2}", r.cpu.p95),
                    },
                    text::usd(r.usd),
                ]
            })
            .collect(),
        right_aligned: vec![4, 6, 7, 8],
        notes: Vec::new(),
        wide: true,
    }
}

/// One run as field/value lines, with use against the size's limits.
pub(crate) fn detail(run: &Run, samples_read: usize) -> Grid {
    let mut rows = identity_rows(run);
    match &run.glue {
        // A Glue run has no samples: what Glue reported stands in for the use rows.
        Some(glue) => rows.extend(glue_rows(glue)),
        None => rows.extend(usage_rows(run)),
    }
    rows.extend(record_rows(run, samples_read));
    for note in &run.notes {
        rows.push(vec!["Note".into(), note.clone()]);
    }
    Grid {
        headers: vec!["Field".into(), "Value".into()],
        rows,
        ..Grid::default()
    }
}

/// What ran where, when, for how long, and how it ended.
fn identity_rows(run: &Run) -> Vec<Vec<String>> {
    let time =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    vec![
        vec!["Run".into(), run.id.clone()],
        vec![
            "Job".into(),
            format!("{} ({} backend, {})", run.job, run.backend, run.region),
        ],
        vec![
            match run.glue {
                Some(_) => "Fargate equivalent".into(),
                None => "Size".into(),
            },
            format!(
                "{} vCPU / {} GB, {}/{} {}",
                run.vcpu().normalize(),
                format_gb(run.memory_mib),
                run.os,
                run.arch,
                run.capacity
            ),
        ],
        vec!["Started".into(), time(run.started_at)],
        vec!["Stopped".into(), time(run.stopped_at)],
        vec![
            "Duration".into(),
            format!(
                "{} (billed {} s)",
                text::duration(Duration::from_millis(run.duration_ms)),
                run.billed_seconds
            ),
        ],
        vec![
            "Outcome".into(),
            format!("{} — {}", run.stop_reason, run.stop_detail),
        ],
    ]
}

/// "42%" of a limit, or "–" without one.
fn share(used: f64, limit: f64) -> String {
    if limit > 0.0 {
        format!("{:.0}%", used / limit * 100.0)
    } else {
        "–".into()
    }
}

/// CPU and memory statistics against the size's limits.
fn usage_rows(run: &Run) -> Vec<Vec<String>> {
    let vcpu: f64 = run.vcpu().try_into().unwrap_or(0.0);
    let limit_mib = f64::from(run.memory_mib);
    vec![
        vec![
            "CPU (vCPU)".into(),
            format!(
                "mean {:.2} ({}), p50 {:.2}, p95 {:.2}, p99 {:.2}, max {:.2} of {}",
                run.cpu.mean,
                share(run.cpu.mean, vcpu),
                run.cpu.p50,
                run.cpu.p95,
                run.cpu.p99,
                run.cpu.max,
                run.vcpu().normalize()
            ),
        ],
        vec![
            "Memory (MiB)".into(),
            format!(
                "peak {:.1} ({}{}), p95 {:.1} of {}",
                run.memory.peak_mib,
                share(run.memory.peak_mib, limit_mib),
                match (run.memory.peak_exact, run.backend) {
                    (true, _) => ", kernel counter",
                    (false, Backend::Ecs) => {
                        ", Container Insights' 1-minute maximum: shorter spikes are not seen"
                    }
                    (false, _) => ", sampled",
                },
                run.memory.p95_mib,
                run.memory_mib
            ),
        ],
    ]
}

/// What Glue reported for an imported Glue run, and how it was billed.
fn glue_rows(glue: &GlueRun) -> Vec<Vec<String>> {
    let shape = match glue.worker_type.as_str() {
        "pythonshell" => format!("Python shell {} DPU", glue.dpu.normalize()),
        worker => format!("{} × {worker} ({} DPU)", glue.workers, glue.dpu.normalize()),
    };
    let billed = match glue.dpu_seconds {
        Some(dpu_seconds) => format!("its DPUSeconds, {}", dpu_seconds.normalize()),
        None => "ExecutionTime × DPUs, with the version's minimum".into(),
    };
    vec![
        vec![
            "Glue".into(),
            format!(
                "{shape}, Glue {}, {} ({}), {} vCPU / {} GB",
                glue.version,
                glue.execution_class,
                glue.command,
                glue.vcpu.normalize(),
                glue.memory_gb.normalize(),
            ),
        ],
        vec!["Glue billed".into(), billed],
    ]
}

/// How the run was measured and priced, and what was launched.
fn record_rows(run: &Run, samples_read: usize) -> Vec<Vec<String>> {
    vec![
        vec![
            "Samples".into(),
            format!(
                "{} every {} ms ({samples_read} read back)",
                run.samples, run.sample_interval_ms
            ),
        ],
        vec![
            "Limits".into(),
            if run.limits.enforced {
                format!("enforced ({})", run.limits.mechanism)
            } else {
                format!(
                    "NOT enforced: {}",
                    run.limits.reason.clone().unwrap_or_default()
                )
            },
        ],
        vec![
            match run.backend {
                crate::model::run::Backend::Glue => "Glue cost".into(),
                _ => "Fargate cost".into(),
            },
            cost_text(run),
        ],
        vec!["Command".into(), run.launched.join(" ")],
    ]
}

/// "$x", with the parts that are not compute: "of which public IPv4 $y, image pull 12.3 s
/// $z" (the pull from ECS's pullStartedAt → pullStoppedAt, billed like the rest).
fn cost_text(run: &Run) -> String {
    let mut parts = Vec::new();
    if !run.public_ipv4_usd.is_zero() {
        parts.push(format!("public IPv4 {}", text::usd(run.public_ipv4_usd)));
    }
    if let Some(ms) = run.pull_ms() {
        let pull = Duration::from_millis(ms);
        let usd = crate::pricing::fargate::share_of(
            run.usd - run.public_ipv4_usd,
            run.billed_seconds,
            pull,
        );
        parts.push(format!(
            "image pull {} {}",
            text::duration(pull),
            text::usd(usd)
        ));
    }
    if parts.is_empty() {
        text::usd(run.usd)
    } else {
        format!("{} of which {}", text::usd(run.usd), parts.join(", "))
    }
}
