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

/// Notes with the jobs they are about grouped: the same sentence about many jobs ("job-1:
/// the price book has no Glue rate of its own for us-west-2 …") is said once, naming the
/// first jobs and how many more, so a 10,000-job config gets a readable list, not 10,000
/// lines. Notes not about one of `jobs` are kept as they are, in order.
pub(crate) fn grouped_notes(notes: &[String], jobs: &[&str]) -> Vec<String> {
    const NAMED: usize = 3;
    let mut order: Vec<String> = Vec::new();
    let mut about: std::collections::HashMap<String, Vec<&str>> = Default::default();
    let names: std::collections::HashSet<&str> = jobs.iter().copied().collect();
    for note in notes {
        let split = note.split_once(": ").filter(|(job, _)| names.contains(job));
        let (key, job) = match split {
            Some((job, rest)) => (format!("\u{0}{rest}"), Some(job)),
            None => (note.clone(), None),
        };
        let entry = about.entry(key.clone()).or_default();
        if entry.is_empty() && !order.contains(&key) {
            order.push(key);
        }
        if let Some(job) = job {
            entry.push(job);
        }
    }
    order
        .into_iter()
        .map(|key| match key.strip_prefix('\u{0}') {
            None => key,
            Some(rest) => {
                let jobs = &about[&key];
                let named = jobs
                    .iter()
                    .take(NAMED)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ");
                match jobs.len() {
                    n if n == NAMED + 1 => format!("{named} and 1 more job: {rest}"),
                    n if n > NAMED => format!("{named} and {} more jobs: {rest}", n - NAMED),
                    _ => format!("{named}: {rest}"),
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod grouped_tests {
    use super::grouped_notes;

    #[test]
    fn the_same_note_about_many_jobs_is_said_once() {
        let notes: Vec<String> = [
            "Assumes a Glue run takes as long as the Fargate run.",
            "a: no Glue rate of its own for us-west-2.",
            "b: 8 vCPU is more than a Python shell.",
            "c: no Glue rate of its own for us-west-2.",
            "d: no Glue rate of its own for us-west-2.",
            "e: no Glue rate of its own for us-west-2.",
            "odd: not a job of this config.",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            grouped_notes(&notes, &["a", "b", "c", "d", "e"]),
            [
                "Assumes a Glue run takes as long as the Fargate run.",
                "a, c, d and 1 more job: no Glue rate of its own for us-west-2.",
                "b: 8 vCPU is more than a Python shell.",
                "odd: not a job of this config.",
            ]
        );
    }
}
