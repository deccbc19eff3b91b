//! The price book: per-region Fargate and Glue rates, each with its source and as-of date.
//! The bundled snapshot (`fixtures/prices/price-book.toml`) is embedded in the binary.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::size::{Arch, Capacity, Os};
use crate::pricing::plan_rates::PlanTermRates;

/// The bundled snapshot, as text.
pub const BUNDLED_PRICE_BOOK: &str = include_str!("../../fixtures/prices/price-book.toml");

/// How far a figure can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grade {
    /// An AWS pricing page.
    Official,
    /// AWS Price List API output.
    AwsData,
    /// A third-party copy of AWS data.
    Secondary,
    /// No regional figure known: another region's figure, flagged.
    Assumed,
    /// Given by the user on the command line (`--spot-discount`).
    Given,
}

/// Where figures come from.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// What the source is.
    pub title: String,
    /// Where to check it.
    pub url: String,
    /// Trust level.
    pub grade: Grade,
    /// When the figures were read or published (ISO date, or a year).
    pub as_of: String,
}

/// A vCPU-hour + GB-hour pair.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComputeRate {
    /// USD per vCPU-hour.
    pub vcpu_hour: Decimal,
    /// USD per GB-hour of memory.
    pub gb_hour: Decimal,
    /// Windows only: OS license fee per vCPU-hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_license_vcpu_hour: Option<Decimal>,
    /// Key into [`PriceBook::sources`].
    pub source: String,
    /// The license fee's own source, when it differs from `source` (a Savings Plan lowers
    /// vCPU and GB but not the license).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_license_source: Option<String>,
}

/// A single rate.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    /// USD per unit-hour.
    pub usd: Decimal,
    /// Key into [`PriceBook::sources`].
    pub source: String,
}

/// All rates of one region. Optional rates are absent where the reference has no figure.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionPrices {
    /// Price List location name, e.g. "US East (N. Virginia)".
    pub name: String,
    /// Fargate Linux/x86 on-demand.
    pub fargate_linux_x86: ComputeRate,
    /// Fargate Linux/ARM (Graviton) on-demand.
    pub fargate_linux_arm: Option<ComputeRate>,
    /// Fargate Windows/x86 on-demand, with the OS license fee.
    pub fargate_windows: Option<ComputeRate>,
    /// Fargate Spot Linux/x86.
    pub fargate_spot_x86: Option<ComputeRate>,
    /// Fargate Spot Linux/ARM.
    pub fargate_spot_arm: Option<ComputeRate>,
    /// Ephemeral storage per GB-hour above the free 20 GB.
    pub ephemeral_storage_gb_hour: Option<Rate>,
    /// Glue ETL (Spark, Python shell) standard DPU-hour.
    pub glue_dpu_hour: Rate,
    /// Glue Flex DPU-hour.
    pub glue_flex_dpu_hour: Option<Rate>,
    /// Glue memory-optimized (R.*) M-DPU-hour.
    pub glue_memory_optimized_dpu_hour: Option<Rate>,
    /// Glue for Ray (Z.2X) M-DPU-hour.
    pub glue_ray_dpu_hour: Option<Rate>,
    /// Glue 6.0 ("Gen2") standard DPU-hour.
    pub glue_gen2_dpu_hour: Option<Rate>,
    /// Glue 6.0 ("Gen2") Flex DPU-hour.
    pub glue_gen2_flex_dpu_hour: Option<Rate>,
    /// A public IPv4 address in use, per address-hour (Amazon VPC; billed to every Fargate
    /// task with `assignPublicIp = ENABLED`).
    #[serde(default)]
    pub public_ipv4_address_hour: Option<Rate>,
    /// Compute Savings Plan rates fetched by `prices update --savings-plans`, by term
    /// ("1y", "3y"); `--savings-plan 1y|3y` uses them where present.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub savings_plan_rates: BTreeMap<String, PlanTermRates>,
}

/// A dated, cited set of rates for many regions.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceBook {
    /// What this book is.
    pub title: String,
    /// When the book was assembled.
    pub as_of: String,
    /// Always USD.
    pub currency: String,
    /// Sources by key.
    pub sources: BTreeMap<String, Source>,
    /// Rates by region code.
    pub regions: BTreeMap<String, RegionPrices>,
}

impl PriceBook {
    /// The snapshot embedded in the binary.
    pub fn bundled() -> Result<PriceBook> {
        PriceBook::from_toml(BUNDLED_PRICE_BOOK)
    }

    /// Parse a book and check that every rate names a known source.
    pub fn from_toml(text: &str) -> Result<PriceBook> {
        let book: PriceBook =
            toml::from_str(text).map_err(|e| Error::PriceBook(e.message().to_string()))?;
        for (code, region) in &book.regions {
            for source in region.source_keys() {
                if !book.sources.contains_key(source) {
                    return Err(Error::PriceBook(format!(
                        "region {code} cites unknown source `{source}`"
                    )));
                }
            }
        }
        Ok(book)
    }

    /// The rates of one region, or an error listing the known regions.
    pub fn region(&self, code: &str) -> Result<&RegionPrices> {
        self.regions.get(code).ok_or_else(|| Error::UnknownRegion {
            region: code.to_string(),
            known: self.regions.keys().cloned().collect::<Vec<_>>().join(", "),
        })
    }

    /// A source by key.
    pub fn source(&self, key: &str) -> Option<&Source> {
        self.sources.get(key)
    }
}

impl RegionPrices {
    fn source_keys(&self) -> Vec<&str> {
        let compute = [
            Some(&self.fargate_linux_x86),
            self.fargate_linux_arm.as_ref(),
            self.fargate_windows.as_ref(),
            self.fargate_spot_x86.as_ref(),
            self.fargate_spot_arm.as_ref(),
        ]
        .into_iter()
        .chain(self.savings_plan_rates.values().flat_map(|term| {
            [
                term.linux_x86.as_ref(),
                term.linux_arm.as_ref(),
                term.windows.as_ref(),
            ]
        }));
        let rates = [
            self.ephemeral_storage_gb_hour.as_ref(),
            Some(&self.glue_dpu_hour),
            self.glue_flex_dpu_hour.as_ref(),
            self.glue_memory_optimized_dpu_hour.as_ref(),
            self.glue_ray_dpu_hour.as_ref(),
            self.glue_gen2_dpu_hour.as_ref(),
            self.glue_gen2_flex_dpu_hour.as_ref(),
            self.public_ipv4_address_hour.as_ref(),
        ];
        compute
            .flatten()
            .flat_map(|r| std::iter::once(r.source.as_str()).chain(r.os_license_source.as_deref()))
            .chain(rates.into_iter().flatten().map(|r| r.source.as_str()))
            .collect()
    }

    /// The Fargate compute rate for an OS, architecture and capacity, if the book has it and
    /// Fargate offers it (Windows is x86 on-demand only).
    pub fn fargate(&self, os: Os, arch: Arch, capacity: Capacity) -> Option<&ComputeRate> {
        match (os, arch, capacity) {
            (Os::Linux, Arch::X86_64, Capacity::OnDemand) => Some(&self.fargate_linux_x86),
            (Os::Linux, Arch::Arm64, Capacity::OnDemand) => self.fargate_linux_arm.as_ref(),
            (Os::Linux, Arch::X86_64, Capacity::Spot) => self.fargate_spot_x86.as_ref(),
            (Os::Linux, Arch::Arm64, Capacity::Spot) => self.fargate_spot_arm.as_ref(),
            (Os::Windows, Arch::X86_64, Capacity::OnDemand) => self.fargate_windows.as_ref(),
            (Os::Windows, _, _) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn bundled_book_has_the_required_regions_and_reference_rates() {
        let book = PriceBook::bundled().unwrap();
        for code in [
            "us-east-1",
            "us-east-2",
            "us-west-2",
            "eu-west-1",
            "eu-central-1",
            "ap-south-1",
            "ap-northeast-1",
            "sa-east-1",
        ] {
            let region = book.region(code).unwrap();
            assert!(region.glue_flex_dpu_hour.is_some(), "{code}");
            assert!(region.fargate_spot_x86.is_some(), "{code}");
        }
        let use1 = book.region("us-east-1").unwrap();
        assert_eq!(use1.fargate_linux_x86.vcpu_hour, dec!(0.04048));
        assert_eq!(use1.fargate_linux_x86.gb_hour, dec!(0.004445));
        assert_eq!(
            use1.fargate_linux_arm.as_ref().unwrap().vcpu_hour,
            dec!(0.03238)
        );
        assert_eq!(
            use1.ephemeral_storage_gb_hour.as_ref().unwrap().usd,
            dec!(0.000111)
        );
        assert_eq!(use1.glue_dpu_hour.usd, dec!(0.44));
        let sae1 = book.region("sa-east-1").unwrap();
        assert_eq!(sae1.fargate_linux_x86.vcpu_hour, dec!(0.0696));
        assert_eq!(
            book.source(&sae1.glue_dpu_hour.source).unwrap().grade,
            Grade::Assumed
        );
    }

    #[test]
    fn unknown_region_lists_known_ones() {
        let book = PriceBook::bundled().unwrap();
        let err = book.region("mars-north-1").unwrap_err().to_string();
        assert!(err.starts_with("unknown region `mars-north-1`: the price book has "));
        assert!(err.contains("us-east-1"));
    }

    #[test]
    fn windows_has_no_arm_or_spot() {
        let book = PriceBook::bundled().unwrap();
        let use1 = book.region("us-east-1").unwrap();
        assert!(
            use1.fargate(Os::Windows, Arch::Arm64, Capacity::OnDemand)
                .is_none()
        );
        assert!(
            use1.fargate(Os::Windows, Arch::X86_64, Capacity::Spot)
                .is_none()
        );
        assert!(
            use1.fargate(Os::Windows, Arch::X86_64, Capacity::OnDemand)
                .is_some()
        );
    }
}
