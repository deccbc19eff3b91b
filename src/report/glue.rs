//! The migration estimate of imported Glue jobs (`import glue`): the data row for
//! `--output json|csv` and the human table.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::analysis::glue_migration::{GlueMigration, speed_assumption};
use crate::pricing::book::{Grade, PriceBook};
use crate::report::{Grid, number, text};

/// One `import glue --output json|csv` row; field order is the column order.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub(crate) struct GlueMigrationRow {
    /// Glue job name.
    pub job: String,
    /// Region.
    pub region: String,
    /// Glue runs in the window.
    pub runs: usize,
    /// The latest run's Glue configuration.
    pub glue_config: String,
    /// Its workers' total vCPU.
    #[serde(with = "number")]
    pub glue_vcpu: Decimal,
    /// Its workers' total memory GB.
    #[serde(with = "number")]
    pub glue_memory_gb: Decimal,
    /// Fargate vCPU of the equivalent task.
    #[serde(with = "number")]
    pub fargate_cpu_vcpu: Decimal,
    /// Fargate memory GiB of the equivalent task.
    #[serde(with = "number")]
    pub fargate_memory_gib: Decimal,
    /// The workers did not fit the largest Fargate task.
    pub fargate_capped: bool,
    /// What Glue billed for the window's runs.
    #[serde(with = "number")]
    pub glue_usd: Decimal,
    /// Glue per average month.
    #[serde(with = "number")]
    pub glue_usd_per_month: Decimal,
    /// Fargate on-demand per average month.
    #[serde(with = "number")]
    pub fargate_usd_per_month: Decimal,
    /// Fargate Spot per average month.
    #[serde(with = "number::option")]
    pub fargate_spot_usd_per_month: Option<Decimal>,
    /// Fargate ARM per average month.
    #[serde(with = "number::option")]
    pub fargate_arm_usd_per_month: Option<Decimal>,
    /// Glue − Fargate on-demand per month.
    #[serde(with = "number")]
    pub saving_usd_per_month: Decimal,
}

impl From<&GlueMigration> for GlueMigrationRow {
    fn from(m: &GlueMigration) -> GlueMigrationRow {
        // Money rounded once, here, to the micro-dollar.
        let usd = |v: Decimal| v.round_dp(6);
        GlueMigrationRow {
            job: m.job.clone(),
            region: m.region.clone(),
            runs: m.runs,
            glue_config: m.glue_config.clone(),
            glue_vcpu: m.glue_vcpu,
            glue_memory_gb: m.glue_memory_gb,
            fargate_cpu_vcpu: m.size.vcpu(),
            fargate_memory_gib: m.size.memory_gb(),
            fargate_capped: m.capped,
            glue_usd: usd(m.glue_usd),
            glue_usd_per_month: usd(m.glue_per_month),
            fargate_usd_per_month: usd(m.fargate_per_month),
            fargate_spot_usd_per_month: m.spot_per_month.map(usd),
            fargate_arm_usd_per_month: m.arm_per_month.map(usd),
            saving_usd_per_month: usd(m.saving_per_month()),
        }
    }
}

/// What the estimate assumes: speed, the month, and the Glue rate where the book lacks one.
pub(crate) fn notes(
    speedup: Decimal,
    window_days: Decimal,
    book: &PriceBook,
    region: &str,
) -> Vec<String> {
    let mut notes = vec![
        speed_assumption(speedup),
        format!(
            "Per month: the runs of the last {days} days × 30.4375 / {days}. Glue is what Glue billed; Fargate is the same runs on the task covering the Glue workers.",
            days = window_days.normalize()
        ),
    ];
    notes.extend(assumed_rate_note(book, region));
    notes
}

/// A note when the price book has no Glue rate of its own for `region` (it then carries the
/// us-east-1 rate, graded `assumed`): the Glue figures are computed, not read from a bill.
pub(crate) fn assumed_rate_note(book: &PriceBook, region: &str) -> Option<String> {
    let prices = book.region(region).ok()?;
    let source = book.source(&prices.glue_dpu_hour.source)?;
    (source.grade == Grade::Assumed).then(|| {
        format!(
            "The price book has no Glue rate of its own for {region}: Glue runs are priced at the us-east-1 rate (check live prices); what Glue billed may differ."
        )
    })
}

/// The human table, with what every figure assumes.
pub(crate) fn table(estimates: &[GlueMigration], notes: Vec<String>) -> Grid {
    let option = |v: Option<Decimal>| v.map_or_else(|| "—".to_string(), text::usd);
    let mut all_notes = notes;
    for m in estimates.iter().filter(|m| m.capped) {
        all_notes.push(format!(
            "{}: its Glue workers ({} vCPU / {} GB) are more than the largest Fargate task; priced as {}, which holds only if the job fits on one node.",
            m.job,
            m.glue_vcpu.normalize(),
            m.glue_memory_gb.normalize(),
            m.size
        ));
    }
    Grid {
        headers: [
            "Job",
            "Runs",
            "Glue config",
            "Fargate size",
            "Glue /month",
            "Fargate /month",
            "Spot /month",
            "ARM /month",
            "Saving /month",
        ]
        .map(String::from)
        .to_vec(),
        rows: estimates
            .iter()
            .map(|m| {
                vec![
                    m.job.clone(),
                    m.runs.to_string(),
                    m.glue_config.clone(),
                    format!("{}{}", m.size, if m.capped { " (capped)" } else { "" }),
                    text::usd(m.glue_per_month),
                    text::usd(m.fargate_per_month),
                    option(m.spot_per_month),
                    option(m.arm_per_month),
                    text::usd(m.saving_per_month()),
                ]
            })
            .collect(),
        right_aligned: vec![1, 4, 5, 6, 7, 8],
        notes: all_notes,
        wide: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_priced_at_the_us_east_1_glue_rate_says_so() {
        let book = PriceBook::bundled().unwrap();
        assert_eq!(assumed_rate_note(&book, "us-east-1"), None);
        let note = assumed_rate_note(&book, "eu-west-1").unwrap();
        assert!(
            note.contains("no Glue rate of its own for eu-west-1"),
            "{note}"
        );
    }
}
