//! Every contract row type (ARCHITECTURE.md "Contracts"): the flat rows of
//! `compare`, `runs` and `tune` for `--output json|csv`, each built from the analysis or
//! model value it shows. Money is rounded here, once, to the micro-dollar.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::analysis::comparison::Comparison;
use crate::analysis::engines::{Agreement, EngineComparison};
use crate::analysis::sizing::Recommendation;
use crate::model::run::Run;
use crate::report::number;

/// Money in data output: rounded to the micro-dollar.
fn usd(value: Decimal) -> Decimal {
    value.round_dp(6)
}

/// One `compare --output json|csv` row; field order is the contract's column order.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub(crate) struct CompareRow {
    /// Job name.
    pub job: String,
    /// Region.
    pub region: String,
    /// Architecture.
    pub arch: String,
    /// vCPU.
    #[serde(with = "number")]
    pub cpu_vcpu: Decimal,
    /// Memory GiB.
    #[serde(with = "number")]
    pub memory_gib: Decimal,
    /// Fargate run time, seconds.
    #[serde(with = "number")]
    pub duration_s: Decimal,
    /// Runs per month.
    #[serde(with = "number")]
    pub runs_per_month: Decimal,
    /// Fargate billed seconds per run.
    pub fargate_billed_s: u64,
    /// Fargate USD per run at the job's capacity (on-demand or Spot).
    #[serde(with = "number")]
    pub fargate_usd_per_run: Decimal,
    /// Fargate Spot USD per run.
    #[serde(with = "number::option")]
    pub fargate_spot_usd_per_run: Option<Decimal>,
    /// Fargate ARM USD per run.
    #[serde(with = "number::option")]
    pub fargate_arm_usd_per_run: Option<Decimal>,
    /// Fargate USD per month at the job's capacity.
    #[serde(with = "number")]
    pub fargate_usd_per_month: Decimal,
    /// Glue worker type.
    pub glue_worker_type: String,
    /// Glue workers.
    pub glue_workers: u32,
    /// Glue DPUs.
    #[serde(with = "number")]
    pub glue_dpu: Decimal,
    /// Glue billed seconds per run.
    pub glue_billed_s: u64,
    /// Glue USD per run.
    #[serde(with = "number")]
    pub glue_usd_per_run: Decimal,
    /// Glue Flex USD per run.
    #[serde(with = "number::option")]
    pub glue_flex_usd_per_run: Option<Decimal>,
    /// Glue USD per month.
    #[serde(with = "number")]
    pub glue_usd_per_month: Decimal,
    /// Glue / Fargate monthly cost.
    #[serde(with = "number::option")]
    pub glue_to_fargate_ratio: Option<Decimal>,
    /// Of `fargate_usd_per_run`, the public IPv4 address (0 without one).
    #[serde(with = "number")]
    pub public_ipv4_usd_per_run: Decimal,
}

impl From<&Comparison> for CompareRow {
    fn from(comparison: &Comparison) -> CompareRow {
        CompareRow {
            job: comparison.workload.name.clone(),
            region: comparison.workload.region.clone(),
            arch: comparison.workload.arch.to_string(),
            cpu_vcpu: comparison.size.vcpu(),
            memory_gib: comparison.size.memory_gb(),
            duration_s: Decimal::from(comparison.workload.duration.as_millis() as u64)
                / Decimal::from(1000),
            runs_per_month: comparison.workload.runs_per_month.round_dp(4),
            fargate_billed_s: comparison.fargate.billed_seconds,
            fargate_usd_per_run: usd(comparison.fargate_per_run),
            fargate_spot_usd_per_run: comparison.spot.as_ref().map(|c| usd(c.total_usd)),
            fargate_arm_usd_per_run: comparison.arm.as_ref().map(|c| usd(c.total_usd)),
            fargate_usd_per_month: usd(comparison.fargate_per_month),
            glue_worker_type: comparison.glue_config.worker_type().name().to_string(),
            glue_workers: comparison.glue_config.workers(),
            glue_dpu: comparison.glue_config.dpu(),
            glue_billed_s: comparison.glue.billed_seconds,
            glue_usd_per_run: usd(comparison.glue.total_usd),
            glue_flex_usd_per_run: comparison.glue_flex.as_ref().map(|c| usd(c.total_usd)),
            glue_usd_per_month: usd(comparison.glue_per_month),
            glue_to_fargate_ratio: comparison.ratio().map(|r| r.round_dp(4)),
            public_ipv4_usd_per_run: usd(comparison.fargate.public_ipv4_usd),
        }
    }
}

/// One `runs --output json|csv` row; field order is the contract's column order.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub(crate) struct RunRow {
    /// Run id.
    pub id: String,
    /// Job.
    pub job: String,
    /// local | ecs.
    pub backend: String,
    /// vCPU.
    #[serde(with = "number")]
    pub cpu_vcpu: Decimal,
    /// Memory GiB.
    #[serde(with = "number")]
    pub memory_gib: Decimal,
    /// x86_64 | arm64.
    pub arch: String,
    /// on-demand | spot.
    pub capacity: String,
    /// RFC 3339 UTC.
    pub started_at: String,
    /// RFC 3339 UTC.
    pub stopped_at: String,
    /// Wall seconds.
    #[serde(with = "number")]
    pub duration_s: Decimal,
    /// Billed seconds.
    pub billed_s: u64,
    /// Exit code.
    pub exit_code: Option<i32>,
    /// completed | failed | oom | timeout | interrupted | spot_interruption | running (a Glue run not yet ended).
    pub stop_reason: String,
    /// Mean vCPU.
    #[serde(with = "number")]
    pub cpu_mean_vcpu: Decimal,
    /// p95 vCPU.
    #[serde(with = "number")]
    pub cpu_p95_vcpu: Decimal,
    /// Max vCPU.
    #[serde(with = "number")]
    pub cpu_max_vcpu: Decimal,
    /// Peak MiB.
    #[serde(with = "number")]
    pub memory_peak_mib: Decimal,
    /// p95 MiB.
    #[serde(with = "number")]
    pub memory_p95_mib: Decimal,
    /// Sample count.
    pub samples: u64,
    /// Limits enforced.
    pub limits_enforced: bool,
    /// USD as billed: Fargate's, or Glue's for backend `glue`.
    #[serde(with = "number")]
    pub usd: Decimal,
    /// The engine it ran on (`run --engine`); empty for older records and imported runs.
    pub engine: Option<String>,
}

impl From<&Run> for RunRow {
    fn from(run: &Run) -> RunRow {
        RunRow {
            id: run.id.clone(),
            job: run.job.clone(),
            backend: run.backend.to_string(),
            // A Glue run ran on its workers: their vCPU and memory, not the Fargate size
            // its record carries for the migration estimate.
            cpu_vcpu: run.glue.as_ref().map_or_else(|| run.vcpu(), |g| g.vcpu),
            memory_gib: run
                .glue
                .as_ref()
                .map_or_else(|| run.memory_gib(), |g| g.memory_gb),
            arch: run.arch.to_string(),
            capacity: run.capacity.to_string(),
            started_at: run
                .started_at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            stopped_at: run
                .stopped_at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            duration_s: Decimal::from(run.duration_ms) / Decimal::from(1000),
            billed_s: run.billed_seconds,
            exit_code: run.exit_code,
            stop_reason: run.stop_reason.to_string(),
            cpu_mean_vcpu: round3(run.cpu.mean),
            cpu_p95_vcpu: round3(run.cpu.p95),
            cpu_max_vcpu: round3(run.cpu.max),
            memory_peak_mib: round3(run.memory.peak_mib),
            memory_p95_mib: round3(run.memory.p95_mib),
            samples: run.samples,
            limits_enforced: run.limits.enforced,
            usd: run.usd.round_dp(6),
            engine: run.engine.clone(),
        }
    }
}

fn round3(value: f64) -> Decimal {
    Decimal::from_f64_retain(value)
        .unwrap_or_default()
        .round_dp(3)
}

/// One `tune --output json` row; field order is the contract's.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub(crate) struct TuneRow {
    /// Job.
    pub job: String,
    /// Finding.
    pub finding: String,
    /// Risk.
    pub risk: String,
    /// Runs used.
    pub runs: usize,
    /// Current vCPU.
    #[serde(with = "number")]
    pub current_cpu_vcpu: Decimal,
    /// Current GiB.
    #[serde(with = "number")]
    pub current_memory_gib: Decimal,
    /// Recommended vCPU.
    #[serde(with = "number")]
    pub recommended_cpu_vcpu: Decimal,
    /// Recommended GiB.
    #[serde(with = "number")]
    pub recommended_memory_gib: Decimal,
    /// Current USD per month.
    #[serde(with = "number")]
    pub current_usd_per_month: Decimal,
    /// Recommended USD per month.
    #[serde(with = "number")]
    pub recommended_usd_per_month: Decimal,
    /// Saving per month.
    #[serde(with = "number")]
    pub savings_usd_per_month: Decimal,
    /// Reason codes.
    pub reasons: Vec<String>,
}

impl From<&Recommendation> for TuneRow {
    fn from(rec: &Recommendation) -> TuneRow {
        TuneRow {
            job: rec.job.clone(),
            finding: rec.finding.to_string(),
            risk: rec.risk.to_string(),
            runs: rec.runs,
            current_cpu_vcpu: rec.current.vcpu(),
            current_memory_gib: rec.current.memory_gb(),
            recommended_cpu_vcpu: rec.recommended.vcpu(),
            recommended_memory_gib: rec.recommended.memory_gb(),
            current_usd_per_month: rec.current_usd_per_month.round_dp(6),
            recommended_usd_per_month: rec.recommended_usd_per_month.round_dp(6),
            savings_usd_per_month: rec.savings_per_month().round_dp(6),
            reasons: rec.reasons.iter().map(|r| r.code().to_string()).collect(),
        }
    }
}

/// One `tune job --engines` row (`--output json|csv`): an engine of the job, sized from its
/// own runs and priced at its recommended size.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub(crate) struct EngineRow {
    /// Job.
    pub job: String,
    /// Engine.
    pub engine: String,
    /// Completed runs used.
    pub runs: usize,
    /// Expected run time at the recommended size, seconds.
    #[serde(with = "number")]
    pub duration_s: Decimal,
    /// Highest memory peak of its completed runs, MiB.
    #[serde(with = "number")]
    pub memory_peak_mib: Decimal,
    /// Recommended vCPU.
    #[serde(with = "number")]
    pub recommended_cpu_vcpu: Decimal,
    /// Recommended GiB.
    #[serde(with = "number")]
    pub recommended_memory_gib: Decimal,
    /// USD per run at the recommended size.
    #[serde(with = "number")]
    pub usd_per_run: Decimal,
    /// USD per month at the recommended size.
    #[serde(with = "number")]
    pub usd_per_month: Decimal,
    /// What moving from the first engine named saves per month (negative: costs more).
    #[serde(with = "number")]
    pub savings_usd_per_month: Decimal,
    /// The digest its latest completed run printed (`result=<digest>`).
    pub result: Option<String>,
    /// Whether every engine printed the same digest (empty when one printed none).
    pub results_agree: Option<bool>,
}

impl EngineRow {
    /// The rows of a comparison, in the order the engines were named.
    pub(crate) fn all(comparison: &EngineComparison) -> Vec<EngineRow> {
        let agree = match comparison.agreement {
            Agreement::Same(_) => Some(true),
            Agreement::Differ => Some(false),
            Agreement::Unknown(_) => None,
        };
        comparison
            .lines
            .iter()
            .map(|l| EngineRow {
                job: comparison.job.clone(),
                engine: l.engine.clone(),
                runs: l.runs,
                duration_s: round3(l.seconds),
                memory_peak_mib: round3(l.peak_mib),
                recommended_cpu_vcpu: l.size.vcpu(),
                recommended_memory_gib: l.size.memory_gb(),
                usd_per_run: l.usd_per_run.round_dp(6),
                usd_per_month: l.usd_per_month.round_dp(6),
                savings_usd_per_month: l.savings_per_month.round_dp(6),
                result: l.result.clone(),
                results_agree: agree,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::comparison::{Workload, compare};

    use crate::model::size::Capacity;
    use crate::pricing::book::PriceBook;
    use rust_decimal_macros::dec;

    fn workload() -> Workload {
        crate::analysis::workload::example()
    }

    #[test]
    fn compare_row_rounds_money_once_to_the_micro_dollar() {
        let book = PriceBook::bundled().unwrap();
        let row = CompareRow::from(&compare(&book, &workload()).unwrap());
        // 0.0370275 → 0.037028
        assert_eq!(row.fargate_usd_per_run, dec!(0.037028));
        assert_eq!(row.glue_worker_type, "pythonshell");
    }

    /// Every money column means the same thing in every row: `fargate_usd_per_run` and
    /// `fargate_usd_per_month` are both at the job's own capacity, the Spot column is always
    /// Spot, and the ratio is Glue over the per-month column. Regression: a Spot job's
    /// per-run column used to be on-demand while its per-month column was Spot.
    #[test]
    fn compare_row_columns_are_consistent_for_every_capacity() {
        let book = PriceBook::bundled().unwrap();
        for capacity in [Capacity::OnDemand, Capacity::Spot] {
            let mut w = workload();
            w.capacity = capacity;
            let c = compare(&book, &w).unwrap();
            let row = CompareRow::from(&c);
            // On-demand 0.75 h × (0.04048 + 2 × 0.004445) = 0.0370275; Spot 0.0115651875.
            let (per_run, per_month) = match capacity {
                Capacity::OnDemand => (dec!(0.037028), dec!(1.110825)),
                Capacity::Spot => (dec!(0.011565), dec!(0.346956)),
            };
            assert_eq!(row.fargate_usd_per_run, per_run, "{capacity}");
            // 0.0115651875 × 30 = 0.346955625 → 0.346956 (rounded once, from the exact sum).
            assert_eq!(row.fargate_usd_per_month, per_month, "{capacity}");
            assert_eq!(
                row.fargate_spot_usd_per_run,
                Some(dec!(0.011565)),
                "{capacity}"
            );
            let ratio = (c.glue_per_month / c.fargate_per_run / dec!(30)).round_dp(4);
            assert_eq!(row.glue_to_fargate_ratio, Some(ratio), "{capacity}");
        }
    }
}
