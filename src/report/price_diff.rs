//! What `prices update` changed: one row per rate whose figure differs from the previous
//! cache (or the bundled book), with the percent change and the fetched SKU and usage type.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::pricing::cache::Change;
use crate::report::Grid;

/// One `prices update --output json|csv` row: one changed rate.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub(crate) struct PriceChangeRow {
    /// Region code.
    pub region: String,
    /// What is priced, e.g. `fargate_linux_x86_vcpu_hour` (as in `prices show`).
    pub rate: String,
    /// What it is compared with: `cache` or `bundled`.
    pub against: String,
    /// The previous figure, USD per unit (empty: a rate the baseline lacked).
    #[serde(with = "crate::report::number::option")]
    pub old_usd: Option<Decimal>,
    /// The fetched figure (empty: the Price List no longer gives it).
    #[serde(with = "crate::report::number::option")]
    pub new_usd: Option<Decimal>,
    /// Change in percent, two places.
    #[serde(with = "crate::report::number::option")]
    pub change_percent: Option<Decimal>,
    /// The fetched product's SKU.
    pub sku: String,
    /// The fetched product's usage type.
    pub usage_type: String,
}

/// Changes as rows.
pub(crate) fn rows(changes: &[Change]) -> Vec<PriceChangeRow> {
    changes
        .iter()
        .map(|c| PriceChangeRow {
            region: c.region.clone(),
            rate: c.rate.key().to_string(),
            against: c.baseline.name().to_string(),
            old_usd: c.old.map(|d| d.normalize()),
            new_usd: c.new.map(|d| d.normalize()),
            change_percent: c.percent(),
            sku: c.sku.clone().unwrap_or_default(),
            usage_type: c.usage_type.clone().unwrap_or_default(),
        })
        .collect()
}

/// The human table: region, rate, old → new, percent.
pub(crate) fn grid(rows: &[PriceChangeRow]) -> Grid {
    let usd = |v: Option<Decimal>| v.map_or_else(|| "—".to_string(), |v| format!("${v}"));
    Grid {
        headers: [
            "Region",
            "Rate",
            "Against",
            "Old",
            "New",
            "Change",
            "Usage type",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.region.clone(),
                    r.rate.clone(),
                    r.against.clone(),
                    usd(r.old_usd),
                    usd(r.new_usd),
                    match (r.change_percent, r.old_usd, r.new_usd) {
                        (Some(p), _, _) if p.is_sign_positive() => format!("+{p}%"),
                        (Some(p), _, _) => format!("{p}%"),
                        (None, None, Some(_)) => "new".to_string(),
                        (None, Some(_), None) => "not listed".to_string(),
                        _ => String::new(),
                    },
                    r.usage_type.clone(),
                ]
            })
            .collect(),
        right_aligned: vec![3, 4, 5],
        notes: Vec::new(),
        wide: true,
    }
}
