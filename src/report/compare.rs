//! The human table of a Fargate-vs-Glue comparison: one block of rows per job (Fargate
//! on-demand, Spot, ARM, Glue, Glue Flex), then a verdict per job and the notes.

use rust_decimal::Decimal;

use crate::analysis::comparison::{Comparison, GlueOrigin};
use crate::model::glue::{ExecutionClass, WorkerType};
use crate::model::size::{Arch, Capacity, Os};
use crate::report::{Grid, text};

/// "Fargate", "Fargate ARM", "Fargate Windows", with " Spot" for Spot.
fn fargate_label(os: Os, arch: Arch, capacity: Capacity) -> String {
    let platform = match (os, arch) {
        (Os::Windows, _) => " Windows",
        (Os::Linux, Arch::Arm64) => " ARM",
        (Os::Linux, Arch::X86_64) => "",
    };
    let spot = if capacity == Capacity::Spot {
        " Spot"
    } else {
        ""
    };
    format!("Fargate{platform}{spot}")
}

/// The human table: one block of rows per job, then the notes.
pub(crate) fn comparisons(comparisons: &[Comparison], notes: &[String]) -> Grid {
    let mut grid = Grid {
        headers: [
            "Job",
            "Option",
            "Size",
            "Billed",
            "Per run",
            "Per month",
            "×Fargate",
        ]
        .map(String::from)
        .to_vec(),
        right_aligned: vec![3, 4, 5, 6],
        ..Grid::default()
    };
    for c in comparisons {
        grid.rows.extend(job_rows(c));
    }
    grid.notes.extend(comparisons.iter().map(verdict));
    grid.notes.extend(notes.iter().cloned());
    grid
}

/// One priced option of a job: label, size, billed seconds, cost per run.
struct Priced {
    label: String,
    size: String,
    billed_seconds: u64,
    per_run: Decimal,
}

/// A job's block of rows: the job (with duration, runs and region) in the first row's first
/// cell, then each option with its monthly cost and its ratio to the Fargate row.
fn job_rows(c: &Comparison) -> Vec<Vec<String>> {
    let w = &c.workload;
    let runs = w.runs_per_month;
    let baseline = c.fargate_per_month;
    let versus = |monthly: Decimal| {
        if baseline.is_zero() {
            "–".to_string()
        } else {
            text::ratio(monthly / baseline)
        }
    };
    let job_cell = format!(
        "{}\n{} × {}/mo, {}",
        w.name,
        text::duration(w.duration),
        runs.round_dp(2).normalize(),
        w.region
    );
    options(c)
        .into_iter()
        .enumerate()
        .map(|(index, option)| {
            let monthly = option.per_run * runs;
            let first = if index == 0 {
                job_cell.clone()
            } else {
                String::new()
            };
            vec![
                first,
                option.label,
                option.size,
                text::duration(std::time::Duration::from_secs(option.billed_seconds)),
                text::usd(option.per_run),
                text::usd(monthly),
                versus(monthly),
            ]
        })
        .collect()
}

/// The options priced for a job, in table order: Fargate on-demand, Spot and ARM (when the
/// job is not already on ARM), Glue, and Glue Flex (when the job's Glue is not already Flex).
fn options(c: &Comparison) -> Vec<Priced> {
    let w = &c.workload;
    let size = c.size.to_string();
    let od = Capacity::OnDemand;
    let mut options = vec![Priced {
        label: fargate_label(w.os, w.arch, od),
        size: size.clone(),
        billed_seconds: c.fargate.billed_seconds,
        per_run: c.fargate.total_usd,
    }];
    if let Some(spot) = &c.spot {
        options.push(Priced {
            label: fargate_label(w.os, w.arch, Capacity::Spot),
            size: size.clone(),
            billed_seconds: spot.billed_seconds,
            per_run: spot.total_usd,
        });
    }
    if w.arch != Arch::Arm64
        && let Some(arm) = &c.arm
    {
        options.push(Priced {
            label: fargate_label(w.os, Arch::Arm64, od),
            size,
            billed_seconds: arm.billed_seconds,
            per_run: arm.total_usd,
        });
    }
    let glue = &c.glue_config;
    let glue_size = match glue.worker_type() {
        WorkerType::PythonShell => format!("Python shell {} DPU", glue.dpu().normalize()),
        worker => format!("{} × {worker}", glue.workers()),
    };
    let flex = glue.execution_class() == ExecutionClass::Flex;
    options.push(Priced {
        label: format!("Glue {}{}", glue.version(), if flex { " Flex" } else { "" }),
        size: glue_size.clone(),
        billed_seconds: c.glue.billed_seconds,
        per_run: c.glue.total_usd,
    });
    if !flex && let Some(cost) = &c.glue_flex {
        options.push(Priced {
            label: format!("Glue {} Flex", glue.version()),
            size: glue_size,
            billed_seconds: cost.billed_seconds,
            per_run: cost.total_usd,
        });
    }
    options
}

/// The sentence under the table for one job: monthly costs, who saves, and the Glue config.
fn verdict(c: &Comparison) -> String {
    let w = &c.workload;
    let saving = c.monthly_saving();
    let verdict = if saving.is_sign_negative() {
        format!("Glue saves {}/month", text::usd(-saving))
    } else {
        format!("Fargate saves {}/month", text::usd(saving))
    };
    let origin = match c.glue_origin {
        GlueOrigin::Configured => "configured".to_string(),
        GlueOrigin::Equivalent => format!("cheapest Glue equivalent of {}", c.size),
    };
    // The address is billed the same on-demand and on Spot (same window).
    let ipv4 = c.fargate.public_ipv4_usd;
    let mut parts = Vec::new();
    if !ipv4.is_zero() {
        parts.push(format!("public IPv4 {} (Amazon VPC)", text::usd(ipv4)));
    }
    if let Some(pull) = c.pull_estimate_usd {
        parts.push(format!("image pull {} (estimate)", text::usd(pull)));
    }
    let of_which = if parts.is_empty() {
        String::new()
    } else {
        format!(
            " Fargate per run {} of which {}.",
            text::usd(c.fargate_per_run),
            parts.join(", ")
        )
    };
    format!(
        "{}: {} {}/month vs Glue {}/month: {verdict}. Glue: {} = {} vCPU / {} GB ({origin}).{of_which}",
        w.name,
        fargate_label(w.os, w.arch, w.capacity),
        text::usd(c.fargate_per_month),
        text::usd(c.glue_per_month),
        c.glue_config,
        c.glue_config.vcpu().normalize(),
        c.glue_config.memory_gb().normalize(),
    )
}
