//! The output of `tune job NAME --engines`: one row per engine (run time, peak, recommended
//! size, cost per run and month, the saving of moving from the first engine) and a line
//! on whether the engines computed the same answer.

use std::time::Duration;

use crate::analysis::engines::{Agreement, EngineComparison};
use crate::error::Result;
use crate::report::rows::EngineRow;
use crate::report::{self, Format, Grid, text};

/// The sentence on the engines' results; for digests that differ it is the warning the
/// command also prints on stderr.
pub(crate) fn agreement(comparison: &EngineComparison) -> String {
    let names: Vec<&str> = comparison.lines.iter().map(|l| l.engine.as_str()).collect();
    match &comparison.agreement {
        Agreement::Same(digest) => format!(
            "Results agree: {} printed result={digest}.",
            names.join(" and ")
        ),
        Agreement::Differ => {
            let each: Vec<String> = comparison
                .lines
                .iter()
                .map(|l| format!("{} result={}", l.engine, l.result.as_deref().unwrap_or("-")))
                .collect();
            format!(
                "RESULTS DIFFER: {} — the engines do not compute the same answer; compare their outputs before moving",
                each.join(", ")
            )
        }
        Agreement::Unknown(missing) => format!(
            "Results not compared: {} printed no result=<digest> line.",
            missing.join(", ")
        ),
    }
}

/// The engines as a table.
pub(crate) fn grid(comparison: &EngineComparison) -> Grid {
    let base = comparison
        .lines
        .first()
        .map_or("the first", |l| l.engine.as_str());
    let rows = comparison
        .lines
        .iter()
        .map(|l| {
            vec![
                l.engine.clone(),
                l.runs.to_string(),
                text::duration(Duration::from_secs_f64(l.seconds.max(0.0))),
                format!("{:.0} MiB", l.peak_mib),
                l.size.to_string(),
                text::usd(l.usd_per_run),
                text::usd(l.usd_per_month),
                text::usd(l.savings_per_month),
                l.result.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    Grid {
        headers: [
            "Engine",
            "Runs",
            "Run time",
            "Peak",
            "Size",
            "Per run",
            "Per month",
            "Saving",
            "Result",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        right_aligned: vec![1, 2, 3, 5, 6, 7],
        notes: vec![
            agreement(comparison),
            format!(
                "Each engine is sized from its own runs of {}: size is the recommended one, run time is expected at it, peak is the highest of its completed runs; saving is {base}'s monthly cost minus the engine's.",
                comparison.job
            ),
        ],
        // The digest is copied, and sizes read badly wrapped.
        wide: true,
    }
}

/// The comparison in a format: rows for JSON/CSV, the table for people.
pub(crate) fn render(format: Format, comparison: &EngineComparison) -> Result<String> {
    report::render(format, &EngineRow::all(comparison), || grid(comparison))
}
