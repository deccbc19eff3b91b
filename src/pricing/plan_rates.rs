//! Compute Savings Plan rates from the Savings Plans API (`DescribeSavingsPlansOfferingRates`,
//! reference 10.3): which of its rows are Fargate's 1- and 3-year Compute, No Upfront rates
//! of a region, how `prices update --savings-plans` caches them, and how they enter the
//! price book for `--savings-plan 1y|3y`. Pure: the request is made in
//! `aws::savings_plans`.
//!
//! The API prices a plan per usage type, like the Price List (`USE1-Fargate-vCPU-Hours:perCPU`
//! at "Hrs"), so the Price List's usage-type selectors name the rates; only the vCPU and
//! memory pairs are kept, as a plan covers nothing else of Fargate.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::pricing::book::ComputeRate;
use crate::pricing::live::{self, LiveRate};

/// The plan type every fetched rate is of.
pub const PLAN_TYPE: &str = "Compute";

/// The payment option every fetched rate is of (the one `--savings-plan`'s typical
/// discounts describe).
pub const PAYMENT_OPTION: &str = "No Upfront";

/// The Savings Plans API's service code for Fargate on ECS.
pub const SERVICE_CODE: &str = "AmazonECS";

/// A 1-year term in seconds, as offerings state it (365 days).
const ONE_YEAR_SECONDS: i64 = 31_536_000;

/// A 3-year term in seconds (3 × 365 days).
const THREE_YEAR_SECONDS: i64 = 94_608_000;

/// The rates a Compute Savings Plan lowers: Fargate vCPU and memory of every OS and
/// architecture (not the Windows license, storage or public IPv4, reference 10.3).
pub const COVERED: [LiveRate; 6] = [
    LiveRate::FargateLinuxX86Vcpu,
    LiveRate::FargateLinuxX86Gb,
    LiveRate::FargateLinuxArmVcpu,
    LiveRate::FargateLinuxArmGb,
    LiveRate::FargateWindowsVcpu,
    LiveRate::FargateWindowsGb,
];

/// One row of `DescribeSavingsPlansOfferingRates`, flattened from the SDK's types.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OfferingRate {
    /// The offering's id.
    pub offering_id: String,
    /// "No Upfront", "Partial Upfront", "All Upfront".
    pub payment_option: String,
    /// "Compute", "EC2Instance", …
    pub plan_type: String,
    /// The term in seconds.
    pub duration_seconds: i64,
    /// "USD" (or "CNY" in the China regions).
    pub currency: String,
    /// The rate as the API writes it ("0.0323840000").
    pub rate: String,
    /// "Hrs", …
    pub unit: String,
    /// "AmazonECS", …
    pub service_code: String,
    /// e.g. `USE1-Fargate-vCPU-Hours:perCPU`.
    pub usage_type: String,
    /// The `region` property.
    pub region: Option<String>,
}

/// One plan rate, as cached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRate {
    /// USD per unit under the plan.
    pub usd: Decimal,
    /// The unit as the API writes it ("Hrs").
    pub unit: String,
    /// The usage type, e.g. `USE1-Fargate-vCPU-Hours:perCPU`.
    pub usage_type: String,
    /// The offering it belongs to.
    pub offering_id: String,
}

/// A region's plan rates as cached: by term ("1y", "3y"), then by rate name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CachedPlans {
    /// When they were fetched (RFC 3339, UTC).
    pub fetched_at: String,
    /// The endpoint they came from.
    pub endpoint: String,
    /// Plan type and payment option of every rate ("Compute, No Upfront").
    pub offering: String,
    /// Rates by term, then by rate name (`fargate_linux_x86_vcpu_hour`, …).
    pub terms: BTreeMap<String, BTreeMap<String, PlanRate>>,
}

/// The price book's source keys of fetched plan rates start with this.
pub const SOURCE_PREFIX: &str = "savings-plans-api-";

/// The price book's source key of a region's fetched plan rates.
pub fn source_key(region: &str) -> String {
    format!("{SOURCE_PREFIX}{region}")
}

/// The term key of an offering's duration.
pub fn term_key(duration_seconds: i64) -> Option<&'static str> {
    match duration_seconds {
        ONE_YEAR_SECONDS => Some("1y"),
        THREE_YEAR_SECONDS => Some("3y"),
        _ => None,
    }
}

/// Rates by region, then term, then rate name.
pub type Collected = BTreeMap<String, BTreeMap<String, BTreeMap<String, PlanRate>>>;

/// The Fargate Compute, No Upfront, USD rates of `regions` among `rows`, and a line for
/// each row of those that could not be used (never guessed at). Rows of other plans,
/// products and regions are the API's answer to a wider question and are passed over.
pub fn collect(rows: &[OfferingRate], regions: &[String]) -> (Collected, Vec<String>) {
    let mut out = Collected::new();
    let mut notes = Vec::new();
    for row in rows {
        let Some(region) = row
            .region
            .as_deref()
            .filter(|r| regions.iter().any(|x| x == r))
        else {
            continue;
        };
        let wanted = row.plan_type == PLAN_TYPE
            && row.payment_option == PAYMENT_OPTION
            && row.service_code == SERVICE_CODE;
        let Some(rate) = live::classify(live::SERVICE_ECS, &row.usage_type)
            .filter(|r| wanted && COVERED.contains(r))
        else {
            continue;
        };
        match usable(row) {
            Ok((term, usd)) => {
                let slot = out
                    .entry(region.to_string())
                    .or_default()
                    .entry(term.to_string())
                    .or_default();
                let plan_rate = PlanRate {
                    usd,
                    unit: row.unit.clone(),
                    usage_type: row.usage_type.clone(),
                    offering_id: row.offering_id.clone(),
                };
                match slot.get(rate.key()) {
                    Some(first) if first.usd != usd => notes.push(format!(
                        "{region}: two {term} rates for {} ({} and {usd}); keeping the first",
                        row.usage_type, first.usd
                    )),
                    Some(_) => {}
                    None => {
                        slot.insert(rate.key().to_string(), plan_rate);
                    }
                }
            }
            Err(why) => notes.push(format!(
                "{region}: skipped the Savings Plan rate for {} (offering {}): {why}",
                row.usage_type, row.offering_id
            )),
        }
    }
    (out, notes)
}

/// The term and USD rate of a row, or why it cannot be used.
fn usable(row: &OfferingRate) -> Result<(&'static str, Decimal), String> {
    let term = term_key(row.duration_seconds).ok_or_else(|| {
        format!(
            "a term of {} s is neither 1 nor 3 years",
            row.duration_seconds
        )
    })?;
    if row.currency != "USD" {
        return Err(format!("priced in {}, not USD", row.currency));
    }
    if row.unit != "Hrs" {
        return Err(format!("unit `{}`, not Hrs", row.unit));
    }
    let usd: Decimal = row
        .rate
        .trim()
        .parse()
        .map_err(|_| format!("rate `{}` is not a number", row.rate))?;
    if usd <= Decimal::ZERO {
        return Err(format!("rate {usd} is not a price above 0"));
    }
    Ok((term, usd.normalize()))
}

/// A term's plan rates in the book's types: the vCPU + GB pair of each OS and
/// architecture the cache has both of, cited as `source`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanTermRates {
    /// Linux/x86 under the plan.
    pub linux_x86: Option<ComputeRate>,
    /// Linux/ARM under the plan.
    pub linux_arm: Option<ComputeRate>,
    /// Windows vCPU and memory under the plan (the license fee is not covered).
    pub windows: Option<ComputeRate>,
}

impl PlanTermRates {
    /// A cached term's pairs, cited as `source`.
    pub fn from_cached(rates: &BTreeMap<String, PlanRate>, source: &str) -> PlanTermRates {
        let pair = |vcpu: LiveRate, gb: LiveRate| {
            Some(ComputeRate {
                vcpu_hour: rates.get(vcpu.key())?.usd,
                gb_hour: rates.get(gb.key())?.usd,
                os_license_vcpu_hour: None,
                source: source.to_string(),
                os_license_source: None,
            })
        };
        PlanTermRates {
            linux_x86: pair(LiveRate::FargateLinuxX86Vcpu, LiveRate::FargateLinuxX86Gb),
            linux_arm: pair(LiveRate::FargateLinuxArmVcpu, LiveRate::FargateLinuxArmGb),
            windows: pair(LiveRate::FargateWindowsVcpu, LiveRate::FargateWindowsGb),
        }
    }
}

/// A line for each cached plan rate above the on-demand rate of the same region and name
/// (`on_demand(region, name)`): a plan only lowers a rate, so such a figure is suspect. It
/// is kept as the API gave it (never guessed at) and named, with both figures.
pub fn above_on_demand(
    plans: &BTreeMap<String, CachedPlans>,
    on_demand: impl Fn(&str, &str) -> Option<Decimal>,
) -> Vec<String> {
    let mut lines = Vec::new();
    for (region, cached) in plans {
        for (term, rates) in &cached.terms {
            for (name, rate) in rates {
                match on_demand(region, name) {
                    Some(list) if rate.usd > list => lines.push(format!(
                        "Savings Plans API: {term} {name} in {region} is {} USD, above the on-demand {list}; kept as given (check the offering {})",
                        rate.usd, rate.offering_id
                    )),
                    _ => {}
                }
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    /// 0.05 > 0.04048 is named with both figures; 0.0321 < 0.04048 and rates without an
    /// on-demand figure are not.
    #[test]
    fn a_plan_rate_above_on_demand_is_named() {
        let rate = |usd: &str| PlanRate {
            usd: usd.parse().unwrap(),
            unit: "Hrs".into(),
            usage_type: "USE1-Fargate-vCPU-Hours:perCPU".into(),
            offering_id: "off-1".into(),
        };
        let terms = BTreeMap::from([
            (
                "1y".to_string(),
                BTreeMap::from([("fargate_linux_x86_vcpu_hour".to_string(), rate("0.0321"))]),
            ),
            (
                "3y".to_string(),
                BTreeMap::from([
                    ("fargate_linux_x86_vcpu_hour".to_string(), rate("0.05")),
                    ("fargate_windows_vcpu_hour".to_string(), rate("9")),
                ]),
            ),
        ]);
        let plans = BTreeMap::from([(
            "us-east-1".to_string(),
            CachedPlans {
                fetched_at: String::new(),
                endpoint: String::new(),
                offering: String::new(),
                terms,
            },
        )]);
        let on_demand = |region: &str, name: &str| {
            (region == "us-east-1" && name == "fargate_linux_x86_vcpu_hour")
                .then(|| "0.04048".parse().unwrap())
        };
        assert_eq!(
            above_on_demand(&plans, on_demand),
            [
                "Savings Plans API: 3y fargate_linux_x86_vcpu_hour in us-east-1 is 0.05 USD, above the on-demand 0.04048; kept as given (check the offering off-1)"
            ]
        );
    }

    fn row(usage_type: &str, seconds: i64, rate: &str) -> OfferingRate {
        OfferingRate {
            offering_id: format!("off-{seconds}"),
            payment_option: PAYMENT_OPTION.into(),
            plan_type: PLAN_TYPE.into(),
            duration_seconds: seconds,
            currency: "USD".into(),
            rate: rate.into(),
            unit: "Hrs".into(),
            service_code: SERVICE_CODE.into(),
            usage_type: usage_type.into(),
            region: Some("us-east-1".into()),
        }
    }

    #[test]
    fn fargate_compute_no_upfront_rates_are_kept_by_term_and_the_rest_said_or_passed_over() {
        let regions = vec!["us-east-1".to_string()];
        let mut rows = vec![
            row(
                "USE1-Fargate-vCPU-Hours:perCPU",
                ONE_YEAR_SECONDS,
                "0.0320000000",
            ),
            row("USE1-Fargate-GB-Hours", ONE_YEAR_SECONDS, "0.0035100000"),
            row(
                "USE1-Fargate-vCPU-Hours:perCPU",
                THREE_YEAR_SECONDS,
                "0.0222600000",
            ),
            // The license fee is not covered by a plan: passed over.
            row(
                "USE1-Fargate-Windows-OS-Hours:perCPU",
                ONE_YEAR_SECONDS,
                "0.04",
            ),
            // A 2-year term does not exist: said.
            row("USE1-Fargate-GB-Hours", 63_072_000, "0.003"),
            // Not a price: said.
            row("USE1-Fargate-ARM-GB-Hours", ONE_YEAR_SECONDS, "0"),
        ];
        let mut eks = row("USE1-Fargate-GB-Hours", ONE_YEAR_SECONDS, "0.001");
        eks.service_code = "AmazonEKS".into();
        let mut partial = row("USE1-Fargate-GB-Hours", ONE_YEAR_SECONDS, "0.002");
        partial.payment_option = "Partial Upfront".into();
        let mut elsewhere = row("EUC1-Fargate-GB-Hours", ONE_YEAR_SECONDS, "0.004");
        elsewhere.region = Some("eu-central-1".into());
        rows.extend([eks, partial, elsewhere]);

        let (got, notes) = collect(&rows, &regions);
        let use1 = &got["us-east-1"];
        assert_eq!(use1["1y"]["fargate_linux_x86_vcpu_hour"].usd, dec!(0.032));
        assert_eq!(use1["1y"]["fargate_linux_x86_gb_hour"].usd, dec!(0.00351));
        assert_eq!(use1["3y"]["fargate_linux_x86_vcpu_hour"].usd, dec!(0.02226));
        assert_eq!(use1["1y"].len(), 2, "{:?}", use1["1y"]);
        assert_eq!(use1["3y"].len(), 1);
        assert!(!got.contains_key("eu-central-1"));
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("63072000 s is neither 1 nor 3 years"));
        assert!(notes[1].contains("not a price above 0"));

        // Pairs: 1y has x86 (both halves); 3y has only the vCPU half, so no pair.
        let one = PlanTermRates::from_cached(&use1["1y"], "sp");
        let x86 = one.linux_x86.unwrap();
        assert_eq!((x86.vcpu_hour, x86.gb_hour), (dec!(0.032), dec!(0.00351)));
        assert!(one.linux_arm.is_none() && one.windows.is_none());
        assert!(
            PlanTermRates::from_cached(&use1["3y"], "sp")
                .linux_x86
                .is_none()
        );
    }
}
