//! The `report` contract row (CSV/JSON): a job's (or the total's) exact figures from
//! [`analysis::monthly`](crate::analysis::monthly), rounded once here — money to the
//! micro-dollar, hours to 4 decimals. The `TOTAL` row rounds the exact total, so it is not
//! the sum of the rounded job rows.

use crate::model::usage::Period;
use crate::report::{Grid, text};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::analysis::monthly::{JobMonth, Monthly};

/// One report row; field order is the contract's CSV column order.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ReportRow {
    /// Period label.
    pub month: String,
    /// Job, or TOTAL.
    pub job: String,
    /// Runs that started in the period.
    pub runs: u64,
    /// Of which did not complete.
    pub failed_runs: u64,
    /// Billed hours in the period.
    #[serde(with = "crate::report::number")]
    pub billed_hours: Decimal,
    /// vCPU-hours.
    #[serde(with = "crate::report::number")]
    pub vcpu_hours: Decimal,
    /// GB-hours.
    #[serde(with = "crate::report::number")]
    pub gb_hours: Decimal,
    /// Fargate cost as run.
    #[serde(with = "crate::report::number")]
    pub fargate_usd: Decimal,
    /// The same runs on Spot.
    #[serde(with = "crate::report::number::option")]
    pub fargate_spot_usd: Option<Decimal>,
    /// The same runs on the Glue equivalent.
    #[serde(with = "crate::report::number::option")]
    pub glue_equivalent_usd: Option<Decimal>,
    /// Recommended vCPU.
    #[serde(with = "crate::report::number::option")]
    pub recommended_cpu_vcpu: Option<Decimal>,
    /// Recommended GiB.
    #[serde(with = "crate::report::number::option")]
    pub recommended_memory_gib: Option<Decimal>,
    /// The same runs at the recommended size.
    #[serde(with = "crate::report::number::option")]
    pub recommended_usd: Option<Decimal>,
    /// fargate_usd − recommended_usd, never below 0 nor above the cost.
    #[serde(with = "crate::report::number::option")]
    pub savings_usd: Option<Decimal>,
    /// Imported Glue runs among `runs` (not a contract column: the table's notes say it).
    #[serde(skip)]
    pub glue_runs: u64,
    /// Of fargate_usd, public IPv4 addresses.
    #[serde(with = "crate::report::number")]
    pub public_ipv4_usd: Decimal,
    /// Of fargate_usd, image pulls (ECS runs with pullStoppedAt).
    #[serde(with = "crate::report::number")]
    pub pull_usd: Decimal,
}

/// Money in the rows: to the micro-dollar, halves away from zero.
fn usd(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero)
}

fn hours(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
}

impl ReportRow {
    /// The row of one job (or the total) in a period labelled `month`.
    pub fn new(month: &str, job: &JobMonth) -> ReportRow {
        ReportRow {
            month: month.to_string(),
            job: job.job.clone(),
            runs: job.runs,
            failed_runs: job.failed_runs,
            billed_hours: hours(job.billed_hours),
            vcpu_hours: hours(job.vcpu_hours),
            gb_hours: hours(job.gb_hours),
            fargate_usd: usd(job.fargate_usd),
            fargate_spot_usd: job.fargate_spot_usd.map(usd),
            glue_equivalent_usd: job.glue_equivalent_usd.map(usd),
            recommended_cpu_vcpu: job.recommended.map(|s| s.vcpu()),
            recommended_memory_gib: job.recommended.map(|s| s.memory_gb()),
            recommended_usd: job.recommended_usd.map(usd),
            savings_usd: job.savings_usd.map(usd),
            glue_runs: job.glue_runs,
            public_ipv4_usd: usd(job.public_ipv4_usd),
            pull_usd: usd(job.pull_usd),
        }
    }
}

/// The rows of a report: one a job, then TOTAL (none when no run).
pub fn rows(report: &Monthly) -> Vec<ReportRow> {
    report
        .jobs
        .iter()
        .chain(&report.total)
        .map(|job| ReportRow::new(&report.label, job))
        .collect()
}

/// The human table of a period's report.
pub(crate) fn grid(rows: &[ReportRow], period: &Period) -> Grid {
    let money = |v: Option<rust_decimal::Decimal>| v.map_or_else(|| "–".to_string(), text::usd);
    Grid {
        headers: [
            "Job",
            "Runs (failed)",
            "Billed h",
            "Fargate",
            "Spot",
            "Glue equiv.",
            "Right-sized",
            "Saving",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.job.clone(),
                    format!("{} ({})", r.runs, r.failed_runs),
                    format!("{}", r.billed_hours.round_dp(2)),
                    text::usd(r.fargate_usd),
                    money(r.fargate_spot_usd),
                    money(r.glue_equivalent_usd),
                    match (r.recommended_cpu_vcpu, r.recommended_memory_gib) {
                        (Some(c), Some(m)) => format!(
                            "{} vCPU / {} GB: {}",
                            c.normalize(),
                            m.normalize(),
                            money(r.recommended_usd)
                        ),
                        _ => money(r.recommended_usd),
                    },
                    money(r.savings_usd),
                ]
            })
            .collect(),
        right_aligned: vec![1, 2, 3, 4, 5, 7],
        notes: std::iter::once(format!(
            "{}: each run billed at its own size, architecture and capacity; runs crossing the period's edge are split at it (UTC). Spot, Glue and right-sized columns price the same runs.",
            period.label
        ))
        .chain(rows.iter().filter(|r| r.glue_runs > 0 && r.job != "TOTAL").map(|r| {
            format!(
                "{}: {} imported Glue run(s): Glue equiv. is what Glue billed; Fargate and Spot are those runs on the task covering the Glue workers (Spark on one node may run at another speed).",
                r.job, r.glue_runs
            )
        }))
        .chain(rows.iter().filter_map(parts_note))
        .collect(),
        wide: false,
    }
}

/// "job: Fargate $x of which public IPv4 $y, image pull $z", for rows with either part.
fn parts_note(row: &ReportRow) -> Option<String> {
    let mut parts = Vec::new();
    if !row.public_ipv4_usd.is_zero() {
        parts.push(format!("public IPv4 {}", text::usd(row.public_ipv4_usd)));
    }
    if !row.pull_usd.is_zero() {
        parts.push(format!("image pull {}", text::usd(row.pull_usd)));
    }
    (!parts.is_empty()).then(|| {
        format!(
            "{}: Fargate {} of which {}.",
            row.job,
            text::usd(row.fargate_usd),
            parts.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn job(name: &str, usd: Decimal) -> JobMonth {
        JobMonth {
            job: name.into(),
            runs: 1,
            failed_runs: 0,
            glue_runs: 0,
            billed_hours: dec!(0.00005),
            vcpu_hours: Decimal::ZERO,
            gb_hours: Decimal::ZERO,
            fargate_usd: usd,
            public_ipv4_usd: Decimal::ZERO,
            pull_usd: Decimal::ZERO,
            fargate_spot_usd: None,
            glue_equivalent_usd: Some(usd),
            recommended: None,
            recommended_usd: None,
            savings_usd: None,
        }
    }

    #[test]
    fn rows_round_once_and_the_total_rounds_the_exact_total() {
        // Two jobs of $0.0000004 each: each row shows 0, the total row $0.000001 (the exact
        // 0.0000008 rounded), not 0 + 0.
        let report = Monthly {
            label: "2026-11".into(),
            jobs: vec![job("a", dec!(0.0000004)), job("b", dec!(0.0000004))],
            total: Some(job("TOTAL", dec!(0.0000008))),
        };
        let rows = rows(&report);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].fargate_usd, Decimal::ZERO);
        assert_eq!(rows[1].glue_equivalent_usd, Some(Decimal::ZERO));
        assert_eq!(rows[2].job, "TOTAL");
        assert_eq!(rows[2].fargate_usd, dec!(0.000001));
        assert_eq!(rows[2].glue_equivalent_usd, Some(dec!(0.000001)));
        // Halves go away from zero; hours keep 4 decimals.
        assert_eq!(usd(dec!(0.0000005)), dec!(0.000001));
        assert_eq!(rows[0].billed_hours, dec!(0.0001));
        assert_eq!(rows[0].month, "2026-11");
    }
}
