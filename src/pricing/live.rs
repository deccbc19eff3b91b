//! Rates from the AWS Price List Query API (`GetProducts`): which products to ask for, and
//! how to read their PriceList documents (JSON strings) into on-demand rates of a region.
//! Pure: the request is made in `aws::pricing`; this module only selects and parses.
//!
//! Selection follows shared/reference/aws-pricing.md §4: by usage type, which carries a
//! region prefix (`USE1-`, `EUC1-`, `EU-`, …) or none, so both are matched. The price is the
//! OnDemand term's one price dimension; tiered and zero-priced dimensions are skipped with a
//! reason, never guessed at.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::pricing::book::{PriceBook, RegionPrices};

/// Price List service code of ECS (Fargate rates).
pub const SERVICE_ECS: &str = "AmazonECS";

/// Price List service code of Glue.
pub const SERVICE_GLUE: &str = "AWSGlue";

/// Amazon VPC's service code in the Price List (public IPv4 addresses are billed here, not
/// under ECS).
pub const SERVICE_VPC: &str = "AmazonVPC";

/// The services `prices update` and `--prices live` read, in order.
pub const SERVICES: [&str; 3] = [SERVICE_ECS, SERVICE_GLUE, SERVICE_VPC];

/// The Price List Query API's endpoint regions.
pub const ENDPOINT_REGIONS: [&str; 3] = ["us-east-1", "eu-central-1", "ap-south-1"];

/// The Price List endpoint region nearest a user's region: Europe, the Middle East and
/// Africa ask Frankfurt, Asia-Pacific asks Mumbai, everything else North Virginia.
pub fn endpoint_region(user_region: &str) -> &'static str {
    let area = user_region.split('-').next().unwrap_or("");
    match area {
        "eu" | "me" | "af" | "il" => "eu-central-1",
        "ap" => "ap-south-1",
        _ => "us-east-1",
    }
}

/// A rate the Price List gives, by the name `prices show` rows use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LiveRate {
    /// Fargate Linux/x86 per vCPU-hour.
    FargateLinuxX86Vcpu,
    /// Fargate Linux/x86 per GB-hour.
    FargateLinuxX86Gb,
    /// Fargate Linux/ARM per vCPU-hour.
    FargateLinuxArmVcpu,
    /// Fargate Linux/ARM per GB-hour.
    FargateLinuxArmGb,
    /// Fargate Windows per vCPU-hour.
    FargateWindowsVcpu,
    /// Fargate Windows per GB-hour.
    FargateWindowsGb,
    /// Fargate Windows OS license per vCPU-hour.
    FargateWindowsOsLicense,
    /// Fargate ephemeral storage per GB-hour (above the free 20 GB).
    EphemeralStorageGb,
    /// Glue ETL standard DPU-hour (Spark, streaming and Python shell jobs: one usage type).
    GlueDpu,
    /// Glue ETL Flex DPU-hour.
    GlueFlexDpu,
    /// Glue memory-optimized (R.*) M-DPU-hour.
    GlueMemoryOptimizedDpu,
    /// Glue 6.0 ("Gen2") standard DPU-hour.
    GlueGen2Dpu,
    /// Glue 6.0 ("Gen2") Flex DPU-hour.
    GlueGen2FlexDpu,
    /// A public IPv4 address in use, per address-hour (Amazon VPC).
    PublicIpv4,
}

/// Usage types without their region prefix, the service they belong to, and the rate.
const SELECTORS: [(&str, &str, LiveRate); 14] = [
    (
        "Fargate-vCPU-Hours:perCPU",
        SERVICE_ECS,
        LiveRate::FargateLinuxX86Vcpu,
    ),
    ("Fargate-GB-Hours", SERVICE_ECS, LiveRate::FargateLinuxX86Gb),
    (
        "Fargate-ARM-vCPU-Hours:perCPU",
        SERVICE_ECS,
        LiveRate::FargateLinuxArmVcpu,
    ),
    (
        "Fargate-ARM-GB-Hours",
        SERVICE_ECS,
        LiveRate::FargateLinuxArmGb,
    ),
    (
        "Fargate-Windows-vCPU-Hours:perCPU",
        SERVICE_ECS,
        LiveRate::FargateWindowsVcpu,
    ),
    (
        "Fargate-Windows-GB-Hours",
        SERVICE_ECS,
        LiveRate::FargateWindowsGb,
    ),
    (
        "Fargate-Windows-OS-Hours:perCPU",
        SERVICE_ECS,
        LiveRate::FargateWindowsOsLicense,
    ),
    (
        "Fargate-EphemeralStorage-GB-Hours",
        SERVICE_ECS,
        LiveRate::EphemeralStorageGb,
    ),
    ("ETL-DPU-Hour", SERVICE_GLUE, LiveRate::GlueDpu),
    ("ETL-Flex-DPU-Hour", SERVICE_GLUE, LiveRate::GlueFlexDpu),
    (
        "ETL-MemOptimized-DPU-Hour",
        SERVICE_GLUE,
        LiveRate::GlueMemoryOptimizedDpu,
    ),
    ("ETL-DPU-Hour-Gen2", SERVICE_GLUE, LiveRate::GlueGen2Dpu),
    (
        "ETL-Flex-DPU-Hour-Gen2",
        SERVICE_GLUE,
        LiveRate::GlueGen2FlexDpu,
    ),
    ("PublicIPv4:InUseAddress", SERVICE_VPC, LiveRate::PublicIpv4),
];

impl LiveRate {
    /// Every rate, in `prices show` order.
    pub const ALL: [LiveRate; 14] = [
        LiveRate::FargateLinuxX86Vcpu,
        LiveRate::FargateLinuxX86Gb,
        LiveRate::FargateLinuxArmVcpu,
        LiveRate::FargateLinuxArmGb,
        LiveRate::FargateWindowsVcpu,
        LiveRate::FargateWindowsGb,
        LiveRate::FargateWindowsOsLicense,
        LiveRate::EphemeralStorageGb,
        LiveRate::GlueDpu,
        LiveRate::GlueFlexDpu,
        LiveRate::GlueMemoryOptimizedDpu,
        LiveRate::GlueGen2Dpu,
        LiveRate::GlueGen2FlexDpu,
        LiveRate::PublicIpv4,
    ];

    /// The rate's name, as in `prices show` rows.
    pub fn key(self) -> &'static str {
        match self {
            LiveRate::FargateLinuxX86Vcpu => "fargate_linux_x86_vcpu_hour",
            LiveRate::FargateLinuxX86Gb => "fargate_linux_x86_gb_hour",
            LiveRate::FargateLinuxArmVcpu => "fargate_linux_arm_vcpu_hour",
            LiveRate::FargateLinuxArmGb => "fargate_linux_arm_gb_hour",
            LiveRate::FargateWindowsVcpu => "fargate_windows_vcpu_hour",
            LiveRate::FargateWindowsGb => "fargate_windows_gb_hour",
            LiveRate::FargateWindowsOsLicense => "fargate_windows_os_license_vcpu_hour",
            LiveRate::EphemeralStorageGb => "ephemeral_storage_gb_hour",
            LiveRate::GlueDpu => "glue_dpu_hour",
            LiveRate::GlueFlexDpu => "glue_flex_dpu_hour",
            LiveRate::GlueMemoryOptimizedDpu => "glue_memory_optimized_dpu_hour",
            LiveRate::GlueGen2Dpu => "glue_gen2_dpu_hour",
            LiveRate::GlueGen2FlexDpu => "glue_gen2_flex_dpu_hour",
            LiveRate::PublicIpv4 => "public_ipv4_address_hour",
        }
    }

    /// The rate named `key`.
    pub fn from_key(key: &str) -> Option<LiveRate> {
        LiveRate::ALL.into_iter().find(|r| r.key() == key)
    }

    /// The Price List service code the rate is listed under.
    pub fn service(self) -> &'static str {
        SELECTORS
            .iter()
            .find(|(_, _, r)| *r == self)
            .map_or(SERVICE_ECS, |(_, s, _)| s)
    }

    /// The bundled book's figure for this rate in a region, if it has one.
    pub fn in_book(self, region: &RegionPrices) -> Option<Decimal> {
        let arm = region.fargate_linux_arm.as_ref();
        let windows = region.fargate_windows.as_ref();
        let single = |r: Option<&crate::pricing::book::Rate>| r.map(|r| r.usd);
        match self {
            LiveRate::FargateLinuxX86Vcpu => Some(region.fargate_linux_x86.vcpu_hour),
            LiveRate::FargateLinuxX86Gb => Some(region.fargate_linux_x86.gb_hour),
            LiveRate::FargateLinuxArmVcpu => arm.map(|r| r.vcpu_hour),
            LiveRate::FargateLinuxArmGb => arm.map(|r| r.gb_hour),
            LiveRate::FargateWindowsVcpu => windows.map(|r| r.vcpu_hour),
            LiveRate::FargateWindowsGb => windows.map(|r| r.gb_hour),
            LiveRate::FargateWindowsOsLicense => windows.and_then(|r| r.os_license_vcpu_hour),
            LiveRate::EphemeralStorageGb => single(region.ephemeral_storage_gb_hour.as_ref()),
            LiveRate::GlueDpu => Some(region.glue_dpu_hour.usd),
            LiveRate::GlueFlexDpu => single(region.glue_flex_dpu_hour.as_ref()),
            LiveRate::GlueMemoryOptimizedDpu => {
                single(region.glue_memory_optimized_dpu_hour.as_ref())
            }
            LiveRate::GlueGen2Dpu => single(region.glue_gen2_dpu_hour.as_ref()),
            LiveRate::GlueGen2FlexDpu => single(region.glue_gen2_flex_dpu_hour.as_ref()),
            LiveRate::PublicIpv4 => single(region.public_ipv4_address_hour.as_ref()),
        }
    }
}

/// The rate a usage type prices, if it is one this tool uses. The usage type may carry a
/// region prefix (`USE1-`, `EU-`; upper-case letters and digits) or none.
pub fn classify(service: &str, usage_type: &str) -> Option<LiveRate> {
    let lookup = |ut: &str| {
        SELECTORS
            .iter()
            .find(|(suffix, s, _)| *suffix == ut && *s == service)
            .map(|(_, _, rate)| *rate)
    };
    lookup(usage_type).or_else(|| {
        let (prefix, rest) = usage_type.split_once('-')?;
        let is_prefix = !prefix.is_empty()
            && prefix
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if is_prefix { lookup(rest) } else { None }
    })
}

/// One rate read from the Price List.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FetchedRate {
    /// USD per unit.
    pub usd: Decimal,
    /// The price dimension's unit as the Price List writes it (`hours`, `DPU-Hour`, …).
    pub unit: String,
    /// The product's SKU.
    pub sku: String,
    /// The product's usage type, e.g. `USE1-Fargate-vCPU-Hours:perCPU`.
    pub usage_type: String,
    /// The PriceList document's publication date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publication_date: Option<String>,
    /// The OnDemand term's effective date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_date: Option<String>,
}

/// A PriceList document this tool could use but deliberately did not, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The rate it would have given.
    pub rate: &'static str,
    /// The product's SKU.
    pub sku: String,
    /// The product's usage type.
    pub usage_type: String,
    /// Why it was not used.
    pub reason: String,
}

/// What a region's PriceList documents gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Rates by rate.
    pub rates: BTreeMap<LiveRate, FetchedRate>,
    /// Documents of a known rate that were skipped, with the reason.
    pub skipped: Vec<Skipped>,
    /// Documents of products this tool does not price (crawlers, ECS on EC2, …).
    pub ignored: usize,
    /// Documents that were not PriceList JSON (each with the parser's message).
    pub unreadable: Vec<String>,
}

#[derive(Deserialize)]
struct Document {
    product: Product,
    #[serde(default, rename = "serviceCode")]
    service_code: Option<String>,
    #[serde(default)]
    terms: Terms,
    #[serde(default, rename = "publicationDate")]
    publication_date: Option<String>,
}

#[derive(Deserialize)]
struct Product {
    #[serde(default)]
    sku: String,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
struct Terms {
    #[serde(default, rename = "OnDemand")]
    on_demand: BTreeMap<String, Term>,
}

#[derive(Deserialize)]
struct Term {
    #[serde(default, rename = "priceDimensions")]
    price_dimensions: BTreeMap<String, Dimension>,
    #[serde(default, rename = "effectiveDate")]
    effective_date: Option<String>,
}

#[derive(Deserialize)]
struct Dimension {
    #[serde(default)]
    unit: String,
    #[serde(default, rename = "beginRange")]
    begin_range: Option<String>,
    #[serde(default, rename = "endRange")]
    end_range: Option<String>,
    #[serde(default, rename = "pricePerUnit")]
    price_per_unit: BTreeMap<String, String>,
}

impl Parsed {
    /// What was skipped and why, and a count line, for `-v`.
    pub fn skipped_notes(&self, region: &str) -> Vec<String> {
        let mut notes: Vec<String> = self
            .skipped
            .iter()
            .map(|s| {
                format!(
                    "{region}: skipped {} ({}, SKU {}): {}",
                    s.rate, s.usage_type, s.sku, s.reason
                )
            })
            .collect();
        notes.push(format!(
            "{region}: {} rates, {} skipped, {} products of other kinds ignored",
            self.rates.len(),
            self.skipped.len(),
            self.ignored
        ));
        notes
    }

    /// One warning per document that was not readable JSON.
    pub fn unreadable_notes(&self, region: &str) -> Vec<String> {
        self.unreadable
            .iter()
            .map(|why| {
                format!("{region}: a Price List document was not readable JSON ({why}); ignored")
            })
            .collect()
    }

    /// Read one PriceList document (a JSON string of a GetProducts response) for `region`.
    pub fn add(&mut self, region: &str, item: &str) {
        let doc: Document = match serde_json::from_str(item) {
            Ok(doc) => doc,
            Err(e) => {
                self.unreadable.push(e.to_string());
                return;
            }
        };
        let attrs = &doc.product.attributes;
        let service = attrs
            .get("servicecode")
            .cloned()
            .or(doc.service_code.clone())
            .unwrap_or_default();
        let usage_type = attrs.get("usagetype").cloned().unwrap_or_default();
        let Some(rate) = classify(&service, &usage_type) else {
            self.ignored += 1;
            return;
        };
        let skip = |reason: String| Skipped {
            rate: rate.key(),
            sku: doc.product.sku.clone(),
            usage_type: usage_type.clone(),
            reason,
        };
        if let Some(other) = attrs.get("regionCode").filter(|r| *r != region) {
            self.skipped
                .push(skip(format!("listed for region {other}, not {region}")));
            return;
        }
        match on_demand_price(&doc) {
            Err(reason) => self.skipped.push(skip(reason)),
            Ok(fetched) => {
                if let Some(kept) = self.rates.get(&rate) {
                    let reason = format!(
                        "a second product for the rate; kept SKU {} ({} USD)",
                        kept.sku, kept.usd
                    );
                    self.skipped.push(skip(reason));
                } else {
                    self.rates.insert(rate, fetched);
                }
            }
        }
    }
}

/// The one OnDemand price of a document, or why there is none to use.
fn on_demand_price(doc: &Document) -> std::result::Result<FetchedRate, String> {
    let dimensions: Vec<(&Term, &Dimension)> = doc
        .terms
        .on_demand
        .values()
        .flat_map(|term| term.price_dimensions.values().map(move |d| (term, d)))
        .collect();
    let (term, dimension) = match dimensions.as_slice() {
        [] => return Err("no OnDemand price dimension".to_string()),
        [one] => *one,
        many => {
            return Err(format!(
                "tiered: {} OnDemand price dimensions ({})",
                many.len(),
                many.iter()
                    .map(|(_, d)| range(d))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    };
    let begin = dimension.begin_range.as_deref().unwrap_or("0");
    let end = dimension.end_range.as_deref().unwrap_or("Inf");
    if begin != "0" || end != "Inf" {
        return Err(format!("tiered: one dimension for {}", range(dimension)));
    }
    let text = dimension
        .price_per_unit
        .get("USD")
        .ok_or_else(|| "no USD price".to_string())?;
    let usd: Decimal = text
        .trim()
        .parse()
        .map_err(|_| format!("USD price `{text}` is not a number"))?;
    if usd.is_zero() {
        return Err("zero-priced".to_string());
    }
    if usd.is_sign_negative() {
        return Err(format!("negative price {usd}"));
    }
    Ok(FetchedRate {
        usd: usd.normalize(),
        unit: dimension.unit.clone(),
        sku: doc.product.sku.clone(),
        usage_type: doc
            .product
            .attributes
            .get("usagetype")
            .cloned()
            .unwrap_or_default(),
        publication_date: doc.publication_date.clone(),
        effective_date: term.effective_date.clone(),
    })
}

fn range(d: &Dimension) -> String {
    format!(
        "{}–{}",
        d.begin_range.as_deref().unwrap_or("?"),
        d.end_range.as_deref().unwrap_or("?")
    )
}

/// Parse all PriceList documents of one region.
pub fn parse(region: &str, items: &[String]) -> Parsed {
    let mut parsed = Parsed::default();
    for item in items {
        parsed.add(region, item);
    }
    parsed
}

/// The bundled book's figure for a rate in a region, if it has the region and the rate.
pub fn bundled_figure(book: &PriceBook, region: &str, rate: LiveRate) -> Option<Decimal> {
    book.regions.get(region).and_then(|r| rate.in_book(r))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    /// shared/reference/aws-pricing.md §4.5, verbatim (a real 2022 GetProducts item).
    const REFERENCE_ITEM: &str = r#"{"product":{"productFamily":"Compute","attributes":{"regionCode":"us-east-1","servicecode":"AmazonECS","tenancy":"Shared","usagetype":"USE1-Fargate-vCPU-Hours:perCPU","locationType":"AWS Region","location":"US East (N. Virginia)","servicename":"Amazon Elastic Container Service","cputype":"perCPU","operation":""},"sku":"8CESGAFWKAJ98PME"},"serviceCode":"AmazonECS","terms":{"OnDemand":{"8CESGAFWKAJ98PME.JRTCKXETXF":{"priceDimensions":{"8CESGAFWKAJ98PME.JRTCKXETXF.6YS6EN2CT7":{"unit":"hours","endRange":"Inf","description":"AWS Fargate - vCPU - US East (N.Virginia)","appliesTo":[],"rateCode":"8CESGAFWKAJ98PME.JRTCKXETXF.6YS6EN2CT7","beginRange":"0","pricePerUnit":{"USD":"0.0404800000"}}},"sku":"8CESGAFWKAJ98PME","effectiveDate":"2022-11-01T00:00:00Z","offerTermCode":"JRTCKXETXF","termAttributes":{}}}},"version":"20221121182130","publicationDate":"2022-11-21T18:21:30Z"}"#;

    /// A document of the reference's shape with another usage type, service, region and
    /// price dimensions (`(begin, end, usd)`).
    fn item(
        service: &str,
        region: &str,
        usage_type: &str,
        sku: &str,
        dims: &[(&str, &str, &str)],
    ) -> String {
        let dimensions: serde_json::Map<String, serde_json::Value> = dims
            .iter()
            .enumerate()
            .map(|(i, (begin, end, usd))| {
                (
                    format!("{sku}.JRTCKXETXF.D{i}"),
                    serde_json::json!({"unit": "hours", "beginRange": begin, "endRange": end,
                        "description": "test", "appliesTo": [], "pricePerUnit": {"USD": usd}}),
                )
            })
            .collect();
        serde_json::json!({
            "product": {"productFamily": "Compute", "attributes": {"regionCode": region,
                "servicecode": service, "usagetype": usage_type}, "sku": sku},
            "serviceCode": service,
            "terms": {"OnDemand": {format!("{sku}.JRTCKXETXF"): {"priceDimensions": dimensions,
                "sku": sku, "effectiveDate": "2026-11-01T00:00:00Z", "offerTermCode": "JRTCKXETXF",
                "termAttributes": {}}}},
            "version": "20261101000000",
            "publicationDate": "2026-11-01T00:00:00Z"
        })
        .to_string()
    }

    #[test]
    fn the_reference_item_is_the_us_east_1_linux_x86_vcpu_rate() {
        let parsed = parse("us-east-1", &[REFERENCE_ITEM.to_string()]);
        let rate = &parsed.rates[&LiveRate::FargateLinuxX86Vcpu];
        assert_eq!(rate.usd, dec!(0.04048));
        assert_eq!(rate.sku, "8CESGAFWKAJ98PME");
        assert_eq!(rate.usage_type, "USE1-Fargate-vCPU-Hours:perCPU");
        assert_eq!(rate.unit, "hours");
        assert_eq!(
            rate.publication_date.as_deref(),
            Some("2022-11-21T18:21:30Z")
        );
        assert_eq!(rate.effective_date.as_deref(), Some("2022-11-01T00:00:00Z"));
        assert!(parsed.skipped.is_empty() && parsed.ignored == 0);
    }

    #[test]
    fn usage_types_match_with_any_region_prefix_or_none() {
        for ut in [
            "USE1-Fargate-GB-Hours",
            "EUC1-Fargate-GB-Hours",
            "EU-Fargate-GB-Hours",
            "Fargate-GB-Hours",
        ] {
            assert_eq!(
                classify(SERVICE_ECS, ut),
                Some(LiveRate::FargateLinuxX86Gb),
                "{ut}"
            );
        }
        assert_eq!(
            classify(SERVICE_GLUE, "ETL-DPU-Hour"),
            Some(LiveRate::GlueDpu)
        );
        assert_eq!(
            classify(SERVICE_GLUE, "APN2-ETL-Flex-DPU-Hour"),
            Some(LiveRate::GlueFlexDpu)
        );
        assert_eq!(
            classify(SERVICE_GLUE, "USE1-ETL-Flex-DPU-Hour-Gen2"),
            Some(LiveRate::GlueGen2FlexDpu)
        );
        // Same usage type under another service (EKS Fargate pods), lower-case "prefix",
        // and products this tool does not price.
        assert_eq!(classify("AmazonEKS", "USE1-Fargate-GB-Hours"), None);
        assert_eq!(classify(SERVICE_ECS, "use1-Fargate-GB-Hours"), None);
        assert_eq!(classify(SERVICE_ECS, "USE1-ECS-EC2-vCPU-Hours"), None);
        assert_eq!(classify(SERVICE_GLUE, "USE1-Crawler-DPU-Hour"), None);
        // Windows and ARM vCPU are their own rates, not Linux/x86.
        assert_eq!(
            classify(SERVICE_ECS, "USE1-Fargate-Windows-vCPU-Hours:perCPU"),
            Some(LiveRate::FargateWindowsVcpu)
        );
        assert_eq!(
            classify(SERVICE_ECS, "USE1-Fargate-Windows-OS-Hours:perCPU"),
            Some(LiveRate::FargateWindowsOsLicense)
        );
        assert_eq!(
            classify(SERVICE_ECS, "EUC1-Fargate-ARM-vCPU-Hours:perCPU"),
            Some(LiveRate::FargateLinuxArmVcpu)
        );
    }

    #[test]
    fn unprefixed_items_give_rates_too() {
        let items = [
            item(
                SERVICE_ECS,
                "us-east-1",
                "Fargate-EphemeralStorage-GB-Hours",
                "EPH",
                &[("0", "Inf", "0.0001110000")],
            ),
            item(
                SERVICE_GLUE,
                "us-east-1",
                "ETL-DPU-Hour",
                "GLUE",
                &[("0", "Inf", "0.4400000000")],
            ),
        ];
        let parsed = parse("us-east-1", &items);
        assert_eq!(
            parsed.rates[&LiveRate::EphemeralStorageGb].usd,
            dec!(0.000111)
        );
        assert_eq!(parsed.rates[&LiveRate::GlueDpu].usd, dec!(0.44));
        assert_eq!(parsed.rates[&LiveRate::GlueDpu].sku, "GLUE");
    }

    #[test]
    fn tiered_zero_priced_and_foreign_region_items_are_skipped_with_a_reason() {
        let items = [
            item(
                SERVICE_ECS,
                "us-east-1",
                "USE1-Fargate-ARM-GB-Hours",
                "TIER",
                &[("0", "100", "0.0000000000"), ("100", "Inf", "0.0035600000")],
            ),
            item(
                SERVICE_ECS,
                "us-east-1",
                "USE1-Fargate-ARM-vCPU-Hours:perCPU",
                "ZERO",
                &[("0", "Inf", "0.0000000000")],
            ),
            item(
                SERVICE_ECS,
                "eu-central-1",
                "EUC1-Fargate-GB-Hours",
                "FRA",
                &[("0", "Inf", "0.0051100000")],
            ),
            item(
                SERVICE_ECS,
                "us-east-1",
                "USE1-ECS-EC2-vCPU-Hours",
                "EC2",
                &[("0", "Inf", "0.0000000000")],
            ),
            "not json".to_string(),
        ];
        let parsed = parse("us-east-1", &items);
        assert!(parsed.rates.is_empty(), "{:?}", parsed.rates);
        let reasons: Vec<(&str, &str)> = parsed
            .skipped
            .iter()
            .map(|s| (s.sku.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert!(reasons[0].0 == "TIER" && reasons[0].1.starts_with("tiered: 2 OnDemand"));
        assert_eq!(reasons[1], ("ZERO", "zero-priced"));
        assert_eq!(
            reasons[2],
            ("FRA", "listed for region eu-central-1, not us-east-1")
        );
        assert_eq!(parsed.skipped[0].rate, "fargate_linux_arm_gb_hour");
        assert_eq!(parsed.ignored, 1);
        assert_eq!(parsed.unreadable.len(), 1);
    }

    #[test]
    fn a_second_product_for_one_rate_keeps_the_first() {
        let items = [
            item(
                SERVICE_GLUE,
                "us-east-1",
                "USE1-ETL-Flex-DPU-Hour",
                "A",
                &[("0", "Inf", "0.29")],
            ),
            item(
                SERVICE_GLUE,
                "us-east-1",
                "ETL-Flex-DPU-Hour",
                "B",
                &[("0", "Inf", "0.30")],
            ),
        ];
        let parsed = parse("us-east-1", &items);
        assert_eq!(parsed.rates[&LiveRate::GlueFlexDpu].sku, "A");
        assert!(parsed.skipped[0].reason.contains("kept SKU A (0.29 USD)"));
    }

    #[test]
    fn endpoint_region_follows_the_users_region() {
        assert_eq!(endpoint_region("us-west-2"), "us-east-1");
        assert_eq!(endpoint_region("sa-east-1"), "us-east-1");
        assert_eq!(endpoint_region("eu-west-1"), "eu-central-1");
        assert_eq!(endpoint_region("me-south-1"), "eu-central-1");
        assert_eq!(endpoint_region("ap-northeast-1"), "ap-south-1");
    }

    #[test]
    fn every_rate_has_a_key_a_service_and_a_bundled_figure_in_us_east_1() {
        let book = PriceBook::bundled().unwrap();
        for rate in LiveRate::ALL {
            assert_eq!(LiveRate::from_key(rate.key()), Some(rate));
            assert!(
                SELECTORS
                    .iter()
                    .any(|(_, s, r)| *r == rate && *s == rate.service())
            );
        }
        assert_eq!(
            bundled_figure(&book, "us-east-1", LiveRate::FargateLinuxX86Vcpu),
            Some(dec!(0.04048))
        );
    }
}
