//! The price book as output: one contract row per rate (region, rate, USD, unit, source,
//! grade, as of) and the human tables (one region's rates with sources, or all regions'
//! main rates side by side).

use rust_decimal::Decimal;
use serde::Serialize;

use crate::pricing::book::{ComputeRate, Grade, PriceBook, Rate, RegionPrices};
use crate::report::Grid;

/// One `prices show --output json|csv` row: one rate.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub(crate) struct PriceRow {
    /// Region code.
    pub region: String,
    /// What is priced, e.g. `fargate_linux_x86_vcpu_hour`.
    pub rate: String,
    /// USD per unit.
    #[serde(with = "crate::report::number")]
    pub usd: Decimal,
    /// Unit, e.g. `vCPU-hour`.
    pub unit: String,
    /// Source key.
    pub source: String,
    /// Source grade.
    pub grade: String,
    /// When the source was read or published.
    pub as_of: String,
}

/// All rates of a region as rows, in a fixed order.
pub(crate) fn rows(book: &PriceBook, code: &str, region: &RegionPrices) -> Vec<PriceRow> {
    let row = |rate: &str, usd: Decimal, unit: &str, source: &str| {
        price_row(book, code, rate, usd, unit, source)
    };
    let mut rows = Vec::new();
    for (name, rate) in compute_rates(region) {
        let Some(rate) = rate else { continue };
        rows.push(row(
            &format!("{name}_vcpu_hour"),
            rate.vcpu_hour,
            "vCPU-hour",
            &rate.source,
        ));
        rows.push(row(
            &format!("{name}_gb_hour"),
            rate.gb_hour,
            "GB-hour",
            &rate.source,
        ));
        if let Some(fee) = rate.os_license_vcpu_hour {
            rows.push(row(
                &format!("{name}_os_license_vcpu_hour"),
                fee,
                "vCPU-hour",
                rate.os_license_source.as_ref().unwrap_or(&rate.source),
            ));
        }
    }
    for (name, rate, unit) in single_rates(region) {
        if let Some(rate) = rate {
            rows.push(row(name, rate.usd, unit, &rate.source));
        }
    }
    rows
}

/// One rate as a row, with its source's grade and date.
fn price_row(
    book: &PriceBook,
    code: &str,
    rate: &str,
    usd: Decimal,
    unit: &str,
    source: &str,
) -> PriceRow {
    let (grade, as_of) = book
        .source(source)
        .map_or((String::new(), String::new()), |s| {
            (
                serde_json::to_value(s.grade)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
                s.as_of.clone(),
            )
        });
    PriceRow {
        region: code.to_string(),
        rate: rate.to_string(),
        usd,
        unit: unit.to_string(),
        source: source.to_string(),
        grade,
        as_of,
    }
}

/// The Fargate compute rates (vCPU-hour, GB-hour, OS license) by row-name prefix.
fn compute_rates(region: &RegionPrices) -> [(&'static str, Option<&ComputeRate>); 5] {
    [
        ("fargate_linux_x86", Some(&region.fargate_linux_x86)),
        ("fargate_linux_arm", region.fargate_linux_arm.as_ref()),
        ("fargate_windows", region.fargate_windows.as_ref()),
        ("fargate_spot_x86", region.fargate_spot_x86.as_ref()),
        ("fargate_spot_arm", region.fargate_spot_arm.as_ref()),
    ]
}

/// The single-figure rates (storage, Glue) with their units.
fn single_rates(region: &RegionPrices) -> [(&'static str, Option<&Rate>, &'static str); 8] {
    [
        (
            "ephemeral_storage_gb_hour",
            region.ephemeral_storage_gb_hour.as_ref(),
            "GB-hour above 20 GB",
        ),
        ("glue_dpu_hour", Some(&region.glue_dpu_hour), "DPU-hour"),
        (
            "glue_flex_dpu_hour",
            region.glue_flex_dpu_hour.as_ref(),
            "DPU-hour",
        ),
        (
            "glue_memory_optimized_dpu_hour",
            region.glue_memory_optimized_dpu_hour.as_ref(),
            "M-DPU-hour",
        ),
        (
            "glue_ray_dpu_hour",
            region.glue_ray_dpu_hour.as_ref(),
            "M-DPU-hour",
        ),
        (
            "glue_gen2_dpu_hour",
            region.glue_gen2_dpu_hour.as_ref(),
            "DPU-hour",
        ),
        (
            "glue_gen2_flex_dpu_hour",
            region.glue_gen2_flex_dpu_hour.as_ref(),
            "DPU-hour",
        ),
        (
            "public_ipv4_address_hour",
            region.public_ipv4_address_hour.as_ref(),
            "address-hour",
        ),
    ]
}

pub(crate) fn grade_name(grade: Grade) -> &'static str {
    match grade {
        Grade::Official => "official",
        Grade::AwsData => "aws-data",
        Grade::Secondary => "secondary",
        Grade::Assumed => "assumed",
        Grade::Given => "given",
    }
}

fn rate_text(rate: Option<Decimal>) -> String {
    rate.map_or_else(|| "–".to_string(), |r| r.normalize().to_string())
}

/// Every rate of one region, one per line, with its source.
pub(crate) fn single_region(rows: &[PriceRow]) -> Grid {
    Grid {
        headers: ["Rate", "USD", "Unit", "Source", "As of"]
            .map(String::from)
            .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.rate.clone(),
                    r.usd.normalize().to_string(),
                    r.unit.clone(),
                    format!("{} ({})", r.source, r.grade),
                    r.as_of.clone(),
                ]
            })
            .collect(),
        right_aligned: vec![1],
        ..Grid::default()
    }
}

/// All regions side by side: the rates most comparisons use.
pub(crate) fn matrix(regions: &[(&String, &RegionPrices)]) -> Grid {
    Grid {
        headers: [
            "Region",
            "vCPU-h",
            "GB-h",
            "ARM vCPU-h",
            "Spot vCPU-h",
            "Glue DPU-h",
            "Flex DPU-h",
        ]
        .map(String::from)
        .to_vec(),
        rows: regions
            .iter()
            .map(|(code, r)| {
                vec![
                    code.to_string(),
                    rate_text(Some(r.fargate_linux_x86.vcpu_hour)),
                    rate_text(Some(r.fargate_linux_x86.gb_hour)),
                    rate_text(r.fargate_linux_arm.as_ref().map(|a| a.vcpu_hour)),
                    rate_text(r.fargate_spot_x86.as_ref().map(|a| a.vcpu_hour)),
                    rate_text(Some(r.glue_dpu_hour.usd)),
                    rate_text(r.glue_flex_dpu_hour.as_ref().map(|a| a.usd)),
                ]
            })
            .collect(),
        right_aligned: (1..7).collect(),
        notes: vec![
            "vCPU-h and GB-h: Fargate Linux/x86 on-demand; Spot is Linux/x86. USD per hour.".into(),
            "Use --region R for every rate of one region (ARM and Spot memory, Windows, ephemeral storage, Glue R/Ray/6.0) with its source.".into(),
        ],
        wide: false,
    }
}
