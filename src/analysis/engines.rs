//! Engines of one job side by side (`tune job NAME --engines spark,duckdb`): each engine's
//! recommendation (sized from its own runs), its measured peak, the monthly saving of
//! moving from the first engine named, and whether the engines computed the same answer
//! (the `result=<digest>` line each printed).

use rust_decimal::Decimal;

use crate::analysis::sizing::Recommendation;
use crate::model::run::{Run, StopReason};
use crate::model::size::Size;

/// One engine's measured runs and recommendation.
pub(crate) struct EngineInput<'a> {
    /// Engine name ("spark", "duckdb").
    pub engine: String,
    /// Its recommendation, from its own runs.
    pub recommendation: &'a Recommendation,
    /// Its recorded runs (any outcome).
    pub runs: &'a [Run],
}

/// One engine's line of the comparison.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EngineLine {
    /// Engine name.
    pub engine: String,
    /// Completed runs the recommendation is based on.
    pub runs: usize,
    /// Expected run time at the recommended size, seconds.
    pub seconds: f64,
    /// Highest memory peak of its completed runs, MiB.
    pub peak_mib: f64,
    /// Recommended size.
    pub size: Size,
    /// USD per run at the recommended size.
    pub usd_per_run: Decimal,
    /// USD per month at the recommended size.
    pub usd_per_month: Decimal,
    /// The first engine's monthly cost minus this one's: what moving to it saves
    /// (negative: it costs more; 0 for the first engine).
    pub savings_per_month: Decimal,
    /// The digest its latest completed run printed.
    pub result: Option<String>,
}

/// Whether the engines computed the same answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Agreement {
    /// Every engine printed the same digest.
    Same(String),
    /// At least two digests differ.
    Differ,
    /// Some engine printed no digest (names them): nothing to compare.
    Unknown(Vec<String>),
}

/// The engines side by side.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EngineComparison {
    /// Job.
    pub job: String,
    /// One line per engine, in the order named.
    pub lines: Vec<EngineLine>,
    /// Whether their results agree.
    pub agreement: Agreement,
}

/// Compare engines; savings are measured from the first one.
pub(crate) fn compare(job: &str, inputs: &[EngineInput<'_>]) -> EngineComparison {
    let base = inputs.first().map_or(Decimal::ZERO, |i| {
        i.recommendation.recommended_usd_per_month
    });
    let lines: Vec<EngineLine> = inputs
        .iter()
        .map(|input| {
            let rec = input.recommendation;
            let mut completed: Vec<&Run> = input
                .runs
                .iter()
                .filter(|r| r.stop_reason == StopReason::Completed)
                .collect();
            completed.sort_by_key(|r| r.started_at);
            EngineLine {
                engine: input.engine.clone(),
                runs: rec.runs,
                seconds: rec.recommended_seconds,
                peak_mib: completed
                    .iter()
                    .map(|r| r.memory.peak_mib)
                    .fold(0.0, f64::max),
                size: rec.recommended,
                usd_per_run: rec.recommended_usd_per_run,
                usd_per_month: rec.recommended_usd_per_month,
                savings_per_month: base - rec.recommended_usd_per_month,
                result: completed.iter().rev().find_map(|r| r.result.clone()),
            }
        })
        .collect();
    EngineComparison {
        job: job.to_string(),
        agreement: agreement(&lines),
        lines,
    }
}

fn agreement(lines: &[EngineLine]) -> Agreement {
    let missing: Vec<String> = lines
        .iter()
        .filter(|l| l.result.is_none())
        .map(|l| l.engine.clone())
        .collect();
    if !missing.is_empty() {
        return Agreement::Unknown(missing);
    }
    let mut digests = lines.iter().filter_map(|l| l.result.as_deref());
    match digests.next() {
        Some(first) if digests.all(|d| d == first) => Agreement::Same(first.to_string()),
        Some(_) => Agreement::Differ,
        None => Agreement::Unknown(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn line(engine: &str, result: Option<&str>) -> EngineLine {
        EngineLine {
            engine: engine.into(),
            runs: 1,
            seconds: 10.0,
            peak_mib: 100.0,
            size: Size::new(1024, 2048, crate::model::size::Os::Linux).unwrap(),
            usd_per_run: dec!(0.01),
            usd_per_month: dec!(0.3),
            savings_per_month: Decimal::ZERO,
            result: result.map(String::from),
        }
    }

    #[test]
    fn digests_agree_differ_or_are_missing() {
        let same = [line("spark", Some("ab")), line("duckdb", Some("ab"))];
        assert_eq!(agreement(&same), Agreement::Same("ab".into()));
        let differ = [line("spark", Some("ab")), line("duckdb", Some("cd"))];
        assert_eq!(agreement(&differ), Agreement::Differ);
        let missing = [line("spark", Some("ab")), line("duckdb", None)];
        assert_eq!(
            agreement(&missing),
            Agreement::Unknown(vec!["duckdb".into()])
        );
    }
}
