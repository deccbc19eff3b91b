//! The human output of `tune job`: the recommendation as field/value lines (Compute
//! Optimizer style: finding, risk, reasons, current vs recommended, alternatives, why), and
//! the sizes the runtime model priced.

use std::time::Duration;

use rust_decimal::Decimal;

use crate::analysis::sizing::Recommendation;
use crate::analysis::tuning::Alternatives;
use crate::error::Result;
use crate::report::rows::TuneRow;
use crate::report::{Format, Grid, text};
use crate::store::rewrite::Edit;

/// The recommendation as field/value lines, Compute Optimizer style.
pub(crate) fn summary(rec: &Recommendation, alternatives: &Alternatives) -> Grid {
    let size = rec.recommended;
    let seconds = rec.recommended_seconds;
    let per_run = |cost: Option<Decimal>| {
        cost.map_or_else(
            || "n/a".to_string(),
            |c| format!("{} per run", text::usd(c)),
        )
    };
    let glue = match &alternatives.glue {
        Ok((config, cost)) => format!("{config} — {} per run", text::usd(*cost)),
        Err(why) => format!("n/a ({why})"),
    };
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
        vec!["Recommended on ARM".into(), per_run(alternatives.arm)],
        vec!["Recommended on Spot".into(), per_run(alternatives.spot)],
        vec!["Cheapest Glue".into(), glue],
    ];
    rows.extend(public_ipv4_rows(rec, alternatives));
    if let Some(pull) = alternatives.pull {
        rows.push(vec![
            "Image pull".into(),
            format!(
                "{} {}, {} of a run at {} (Fargate bills from the pull's start)",
                text::duration(pull.duration),
                if pull.estimated {
                    format!(
                        "estimated from [jobs.ecs] image_size_mb at an assumed {} MB/s",
                        crate::analysis::workload::ASSUMED_PULL_MB_PER_S
                    )
                } else {
                    "measured (median pull of the job's ECS runs)".to_string()
                },
                text::usd(pull.per_run),
                rec.recommended
            ),
        ]);
    }
    if let Some(deadline) = rec.deadline {
        rows.push(vec![
            "Deadline".into(),
            humantime::format_duration(deadline).to_string(),
        ]);
    }
    for line in &rec.explanation {
        rows.push(vec!["Why".into(), line.clone()]);
    }
    Grid {
        headers: vec!["Field".into(), "Value".into()],
        rows,
        ..Grid::default()
    }
}

/// The public IPv4 address's part of a run, and the private-subnet suggestion when it is at
/// least 5 % of the run (what the suggestion changes is said: the address goes, a NAT
/// gateway or VPC endpoints come, with their own charges).
fn public_ipv4_rows(rec: &Recommendation, alternatives: &Alternatives) -> Vec<Vec<String>> {
    let Some(ipv4) = alternatives.public_ipv4 else {
        return Vec::new();
    };
    let percent = (ipv4.share * Decimal::ONE_HUNDRED).round_dp(1).normalize();
    let mut rows = vec![vec![
        "Public IPv4".into(),
        format!(
            "{} per run ({percent} % of a run at {}; $0.005 per address-hour, Amazon VPC)",
            text::usd(ipv4.per_run),
            rec.recommended
        ),
    ]];
    if ipv4.suggest_private_subnet {
        rows.push(vec![
            "Suggestion".into(),
            format!(
                "run it in a private subnet (assign_public_ip = false) that reaches ECR, S3 and the logs through a NAT gateway or VPC endpoints: saves the address, {} per run ({} per month); the NAT gateway or interface endpoints bill their own hours and GB (not priced here), so this pays when they are already there or shared",
                text::usd(ipv4.per_run),
                text::usd(ipv4.per_month)
            ),
        ]);
    }
    rows
}

/// Sizes the runtime model priced.
pub(crate) fn candidates(rec: &Recommendation) -> Grid {
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

/// The whole `tune job` output in a format: the contract row for data formats; for people,
/// the summary, the priced sizes and the diff of each edit.
pub(crate) fn render(
    format: Format,
    rec: &Recommendation,
    alternatives: &Alternatives,
    edits: &[Edit],
) -> Result<String> {
    let style = match format {
        Format::Json => return crate::report::json::render(&[TuneRow::from(rec)]),
        Format::Csv => return crate::report::csv::render(&[TuneRow::from(rec)]),
        Format::Markdown => crate::report::table::Style::Markdown,
        Format::Table => crate::report::table::Style::Terminal,
    };
    let mut out = crate::report::table::render(&summary(rec, alternatives), style);
    if !rec.candidates.is_empty() {
        out.push('\n');
        out.push_str(&crate::report::table::render(&candidates(rec), style));
    }
    for edit in edits {
        out.push('\n');
        out.push_str(&edit.diff());
    }
    Ok(out)
}
