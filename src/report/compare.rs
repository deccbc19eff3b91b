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
        let mut rows: Vec<[String; 6]> = Vec::new();
        let mut push = |label: String, size: String, billed: u64, per_run: Decimal| {
            let monthly = per_run * runs;
            rows.push([
                label,
                size,
                text::duration(std::time::Duration::from_secs(billed)),
                text::usd(per_run),
                text::usd(monthly),
                versus(monthly),
            ]);
        };
        let size = c.size.to_string();
        let od = Capacity::OnDemand;
        push(
            fargate_label(w.os, w.arch, od),
            size.clone(),
            c.fargate.billed_seconds,
            c.fargate.total_usd,
        );
        if let Some(spot) = &c.spot {
            push(
                fargate_label(w.os, w.arch, Capacity::Spot),
                size.clone(),
                spot.billed_seconds,
                spot.total_usd,
            );
        }
        if w.arch != Arch::Arm64
            && let Some(arm) = &c.arm
        {
            push(
                fargate_label(w.os, Arch::Arm64, od),
                size.clone(),
                arm.billed_seconds,
                arm.total_usd,
            );
        }
        let glue = &c.glue_config;
        let glue_size = match glue.worker_type() {
            WorkerType::PythonShell => {
                format!("Python shell {} DPU", glue.dpu().normalize())
            }
            worker => format!("{} × {worker}", glue.workers()),
        };
        let flex = glue.execution_class() == ExecutionClass::Flex;
        let label = format!("Glue {}{}", glue.version(), if flex { " Flex" } else { "" });
        push(
            label,
            glue_size.clone(),
            c.glue.billed_seconds,
            c.glue.total_usd,
        );
        if !flex && let Some(cost) = &c.glue_flex {
            push(
                format!("Glue {} Flex", glue.version()),
                glue_size,
                cost.billed_seconds,
                cost.total_usd,
            );
        }
        for (index, row) in rows.into_iter().enumerate() {
            let mut cells = vec![if index == 0 {
                job_cell.clone()
            } else {
                String::new()
            }];
            cells.extend(row);
            grid.rows.push(cells);
        }
    }
    for c in comparisons {
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
        grid.notes.push(format!(
            "{}: {} {}/month vs Glue {}/month: {verdict}. Glue: {} = {} vCPU / {} GB ({origin}).",
            w.name,
            fargate_label(w.os, w.arch, w.capacity),
            text::usd(c.fargate_per_month),
            text::usd(c.glue_per_month),
            c.glue_config,
            c.glue_config.vcpu().normalize(),
            c.glue_config.memory_gb().normalize(),
        ));
    }
    grid.notes.extend(notes.iter().cloned());
    grid
}
