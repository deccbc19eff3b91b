//! The price cache `prices update` writes: rates read from the Price List API, per region,
//! each with its SKU, usage type and dates so it can be audited like the bundled book's
//! sources; and what changed against the previous cache (or the bundled book).
//! Pure: the command reads and writes the file.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::pricing::book::{ComputeRate, Grade, PriceBook, Rate, RegionPrices, Source};
use crate::pricing::live::{FetchedRate, LiveRate};
use crate::pricing::plan_rates::{self, CachedPlans, PlanTermRates};

/// The `format` of every cache this version writes and reads.
pub const FORMAT: &str = "fargate-cost price cache v1";

/// The cache file under a cache directory.
const FILE: &str = "fargate-cost/prices.json";

/// Where the cache lives by default: `$XDG_CACHE_HOME/fargate-cost/prices.json`, else
/// `$HOME/.cache/fargate-cost/prices.json` (empty variables count as unset, as XDG says).
pub fn default_path(xdg_cache_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    let set = |v: Option<OsString>| v.filter(|v| !v.is_empty()).map(PathBuf::from);
    set(xdg_cache_home)
        .filter(|p| p.is_absolute())
        .or_else(|| set(home).map(|h| h.join(".cache")))
        .map(|dir| dir.join(FILE))
}

/// One region's rates as fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CachedRegion {
    /// When they were fetched (RFC 3339, UTC).
    pub fetched_at: String,
    /// The endpoint they came from.
    pub endpoint: String,
    /// Rates by name (`fargate_linux_x86_vcpu_hour`, …).
    pub rates: BTreeMap<String, FetchedRate>,
}

/// The cache file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceCache {
    /// Always [`FORMAT`].
    pub format: String,
    /// When the last update ran (RFC 3339, UTC).
    pub fetched_at: String,
    /// The endpoint of the last update.
    pub endpoint: String,
    /// Rates by region code.
    pub regions: BTreeMap<String, CachedRegion>,
    /// Compute Savings Plan rates by region code (`prices update --savings-plans`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub savings_plans: BTreeMap<String, CachedPlans>,
}

impl PriceCache {
    /// An empty cache stamped with the update's time and endpoint.
    pub fn new(fetched_at: &str, endpoint: &str) -> PriceCache {
        PriceCache {
            format: FORMAT.to_string(),
            fetched_at: fetched_at.to_string(),
            endpoint: endpoint.to_string(),
            regions: BTreeMap::new(),
            savings_plans: BTreeMap::new(),
        }
    }

    /// Read a cache file's text; a file that is not one (another program's JSON, a
    /// future format, broken text) is an error naming `origin`, never half-used.
    pub fn from_json(text: &str, origin: &str) -> Result<PriceCache> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| Error::PriceCache(format!("{origin} is not JSON: {e}")))?;
        match value.get("format").and_then(|f| f.as_str()) {
            Some(FORMAT) => {}
            Some(other) => {
                return Err(Error::PriceCache(format!(
                    "{origin} is a price cache of format `{other}`, not `{FORMAT}`"
                )));
            }
            None => {
                return Err(Error::PriceCache(format!(
                    "{origin} is not a fargate-cost price cache (no \"format\": \"{FORMAT}\")"
                )));
            }
        }
        let cache: PriceCache = serde_json::from_value(value)
            .map_err(|e| Error::PriceCache(format!("{origin} is a damaged price cache: {e}")))?;
        for (region, cached) in &cache.regions {
            if let Some(key) = cached
                .rates
                .keys()
                .find(|k| LiveRate::from_key(k).is_none())
            {
                return Err(Error::PriceCache(format!(
                    "{origin}: region {region} has an unknown rate `{key}`"
                )));
            }
            // `prices update` never caches a zero or negative price (it skips them), so such
            // a figure means the file was edited or damaged: pricing with it would be wrong.
            if let Some((key, rate)) = cached.rates.iter().find(|(_, r)| r.usd <= Decimal::ZERO) {
                return Err(Error::PriceCache(format!(
                    "{origin}: region {region} rate `{key}` is {}, not a price above 0",
                    rate.usd
                )));
            }
        }
        check_plans(&cache, origin)?;
        Ok(cache)
    }

    /// The cache as pretty JSON with a final newline.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map(|s| s + "\n")
            .map_err(|e| Error::PriceCache(format!("cannot write the price cache: {e}")))
    }

    /// Store one region's fetched rates, replacing what the cache had for it.
    pub fn put(
        &mut self,
        region: &str,
        fetched_at: &str,
        endpoint: &str,
        rates: &BTreeMap<LiveRate, FetchedRate>,
    ) {
        self.regions.insert(
            region.to_string(),
            CachedRegion {
                fetched_at: fetched_at.to_string(),
                endpoint: endpoint.to_string(),
                rates: rates
                    .iter()
                    .map(|(rate, fetched)| (rate.key().to_string(), fetched.clone()))
                    .collect(),
            },
        );
    }

    /// A rate of a region, if the cache has it.
    pub fn rate(&self, region: &str, rate: LiveRate) -> Option<&FetchedRate> {
        self.regions.get(region)?.rates.get(rate.key())
    }
}

impl PriceCache {
    /// The footer every output using these prices shows, e.g. "prices: Price List API,
    /// fetched 2026-11-26 from https://api.pricing.us-east-1.amazonaws.com".
    pub fn footer(&self) -> String {
        format!(
            "prices: Price List API, fetched {} from {}",
            date_of(&self.fetched_at),
            self.endpoint
        )
    }

    /// The bundled book with this cache's rates laid over it: each cached region's rates
    /// replace the bundled figures (cited as a `price-list-<region>` source, grade
    /// `aws-data`); a rate the cache lacks stays bundled and is named in the notes; a region
    /// the bundled book lacks is added when the cache has its Linux/x86 pair and Glue DPU.
    pub fn overlay(&self, bundled: PriceBook) -> (PriceBook, Vec<String>) {
        let mut book = bundled;
        let mut notes = Vec::new();
        book.title = format!(
            "Price List API cache (fetched {}) over the {} of {}",
            date_of(&self.fetched_at),
            book.title,
            book.as_of
        );
        book.as_of = date_of(&self.fetched_at).to_string();
        for (code, cached) in &self.regions {
            overlay_region(&mut book, code, cached, &mut notes);
        }
        for (code, plans) in &self.savings_plans {
            overlay_plans(&mut book, code, plans, &mut notes);
        }
        (book, notes)
    }
}

/// Plan rates are what `prices update --savings-plans` keeps: a 1- or 3-year term, a
/// vCPU or memory rate a plan covers, a price above 0. Anything else means the file was
/// edited or damaged.
fn check_plans(cache: &PriceCache, origin: &str) -> Result<()> {
    for (region, plans) in &cache.savings_plans {
        for (term, rates) in &plans.terms {
            if term != "1y" && term != "3y" {
                return Err(Error::PriceCache(format!(
                    "{origin}: region {region} has a Savings Plan term `{term}`, not 1y or 3y"
                )));
            }
            for (key, rate) in rates {
                if !LiveRate::from_key(key).is_some_and(|r| plan_rates::COVERED.contains(&r)) {
                    return Err(Error::PriceCache(format!(
                        "{origin}: region {region} has a Savings Plan rate `{key}` a plan does not cover"
                    )));
                }
                if rate.usd <= Decimal::ZERO {
                    return Err(Error::PriceCache(format!(
                        "{origin}: region {region} {term} Savings Plan rate `{key}` is {}, not a price above 0",
                        rate.usd
                    )));
                }
            }
        }
    }
    Ok(())
}

/// A region's cached Savings Plan rates into the book, cited as
/// `savings-plans-api-<region>`; `--savings-plan 1y|3y` uses them (pricing::savings_plan).
fn overlay_plans(book: &mut PriceBook, code: &str, plans: &CachedPlans, notes: &mut Vec<String>) {
    let Some(region) = book.regions.get_mut(code) else {
        notes.push(format!(
            "{code}: Savings Plan rates cached but no on-demand rates for the region; not used"
        ));
        return;
    };
    let key = plan_rates::source_key(code);
    region.savings_plan_rates = plans
        .terms
        .iter()
        .map(|(term, rates)| (term.clone(), PlanTermRates::from_cached(rates, &key)))
        .collect();
    book.sources.insert(
        key,
        Source {
            title: format!(
                "AWS Savings Plans API (DescribeSavingsPlansOfferingRates), {} Savings Plan, {code}, fetched {}",
                plans.offering, plans.fetched_at
            ),
            url: plans.endpoint.clone(),
            grade: Grade::AwsData,
            as_of: date_of(&plans.fetched_at).to_string(),
        },
    );
}

/// One region's cached rates in the book's types, cited as `price-list-<region>`.
struct Cached<'a> {
    region: &'a CachedRegion,
    key: String,
}

impl Cached<'_> {
    fn get(&self, rate: LiveRate) -> Option<Decimal> {
        self.region.rates.get(rate.key()).map(|r| r.usd)
    }

    fn rate(&self, rate: LiveRate) -> Option<Rate> {
        self.get(rate).map(|usd| Rate {
            usd,
            source: self.key.clone(),
        })
    }

    fn pair(&self, vcpu: LiveRate, gb: LiveRate) -> Option<ComputeRate> {
        Some(ComputeRate {
            vcpu_hour: self.get(vcpu)?,
            gb_hour: self.get(gb)?,
            os_license_vcpu_hour: None,
            source: self.key.clone(),
            os_license_source: None,
        })
    }

    fn windows(&self) -> Option<ComputeRate> {
        let mut windows = self.pair(LiveRate::FargateWindowsVcpu, LiveRate::FargateWindowsGb)?;
        windows.os_license_vcpu_hour = Some(self.get(LiveRate::FargateWindowsOsLicense)?);
        Some(windows)
    }
}

/// Lay one cached region over the book, noting each rate that stays bundled.
fn overlay_region(
    book: &mut PriceBook,
    code: &str,
    cached: &CachedRegion,
    notes: &mut Vec<String>,
) {
    let cached = Cached {
        region: cached,
        key: format!("price-list-{code}"),
    };
    let Some(region) = region_to_overlay(book, code, &cached, notes) else {
        return;
    };
    let bundled_rates: Vec<LiveRate> = LiveRate::ALL
        .into_iter()
        .filter(|r| r.in_book(region).is_some())
        .collect();
    apply(region, &cached);
    // What still comes from the bundled book, said per rate.
    for live in bundled_rates {
        if !from_cache(region, &cached, live) {
            notes.push(format!(
                "{code}: {} from the bundled book (the cache has no usable figure)",
                live.key()
            ));
        }
    }
    book.sources.insert(
        cached.key.clone(),
        Source {
            title: format!(
                "AWS Price List API (GetProducts), {code}, fetched {}",
                cached.region.fetched_at
            ),
            url: cached.region.endpoint.clone(),
            grade: Grade::AwsData,
            as_of: date_of(&cached.region.fetched_at).to_string(),
        },
    );
}

/// The book's region to overlay; a region the book lacks is added when the cache has its
/// Linux/x86 pair and Glue DPU rate, else it is noted as not usable.
fn region_to_overlay<'a>(
    book: &'a mut PriceBook,
    code: &str,
    cached: &Cached<'_>,
    notes: &mut Vec<String>,
) -> Option<&'a mut RegionPrices> {
    if !book.regions.contains_key(code) {
        let x86 = cached.pair(LiveRate::FargateLinuxX86Vcpu, LiveRate::FargateLinuxX86Gb);
        let (Some(x86), Some(glue)) = (x86, cached.rate(LiveRate::GlueDpu)) else {
            notes.push(format!(
                "{code}: the cache lacks its Fargate Linux/x86 or Glue DPU rate and the bundled book has no {code}; not usable"
            ));
            return None;
        };
        book.regions.insert(
            code.to_string(),
            RegionPrices {
                name: code.to_string(),
                fargate_linux_x86: x86,
                fargate_linux_arm: None,
                fargate_windows: None,
                fargate_spot_x86: None,
                fargate_spot_arm: None,
                ephemeral_storage_gb_hour: None,
                glue_dpu_hour: glue,
                glue_flex_dpu_hour: None,
                glue_memory_optimized_dpu_hour: None,
                glue_ray_dpu_hour: None,
                glue_gen2_dpu_hour: None,
                glue_gen2_flex_dpu_hour: None,
                public_ipv4_address_hour: None,
                savings_plan_rates: BTreeMap::new(),
            },
        );
    }
    book.regions.get_mut(code)
}

/// Replace every rate the cache has.
fn apply(region: &mut RegionPrices, cached: &Cached<'_>) {
    if let Some(x86) = cached.pair(LiveRate::FargateLinuxX86Vcpu, LiveRate::FargateLinuxX86Gb) {
        region.fargate_linux_x86 = x86;
    }
    if let Some(arm) = cached.pair(LiveRate::FargateLinuxArmVcpu, LiveRate::FargateLinuxArmGb) {
        region.fargate_linux_arm = Some(arm);
    }
    if let Some(windows) = cached.windows() {
        region.fargate_windows = Some(windows);
    }
    let singles: [(LiveRate, &mut Option<Rate>); 6] = [
        (
            LiveRate::EphemeralStorageGb,
            &mut region.ephemeral_storage_gb_hour,
        ),
        (LiveRate::GlueFlexDpu, &mut region.glue_flex_dpu_hour),
        (
            LiveRate::GlueMemoryOptimizedDpu,
            &mut region.glue_memory_optimized_dpu_hour,
        ),
        (LiveRate::GlueGen2Dpu, &mut region.glue_gen2_dpu_hour),
        (
            LiveRate::GlueGen2FlexDpu,
            &mut region.glue_gen2_flex_dpu_hour,
        ),
        (LiveRate::PublicIpv4, &mut region.public_ipv4_address_hour),
    ];
    for (live, slot) in singles {
        if let Some(rate) = cached.rate(live) {
            *slot = Some(rate);
        }
    }
    if let Some(glue) = cached.rate(LiveRate::GlueDpu) {
        region.glue_dpu_hour = glue;
    }
}

/// Whether the region's figure for `live` now comes from the cache.
fn from_cache(region: &RegionPrices, cached: &Cached<'_>, live: LiveRate) -> bool {
    let key = &cached.key;
    match live {
        LiveRate::FargateLinuxX86Vcpu | LiveRate::FargateLinuxX86Gb => {
            region.fargate_linux_x86.source == *key
        }
        LiveRate::FargateLinuxArmVcpu | LiveRate::FargateLinuxArmGb => region
            .fargate_linux_arm
            .as_ref()
            .is_some_and(|r| r.source == *key),
        LiveRate::FargateWindowsVcpu
        | LiveRate::FargateWindowsGb
        | LiveRate::FargateWindowsOsLicense => region
            .fargate_windows
            .as_ref()
            .is_some_and(|r| r.source == *key),
        other => cached.get(other).is_some(),
    }
}

/// The date part of an RFC 3339 time.
fn date_of(time: &str) -> &str {
    time.get(..10).unwrap_or(time)
}

/// What a diff compares against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Baseline {
    /// The previous cache had the region.
    Cache,
    /// The bundled price book (no previous cache, or it lacked the region).
    Bundled,
}

impl Baseline {
    /// As written in diff rows.
    pub fn name(self) -> &'static str {
        match self {
            Baseline::Cache => "cache",
            Baseline::Bundled => "bundled",
        }
    }
}

/// One changed rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Region code.
    pub region: String,
    /// The rate.
    pub rate: LiveRate,
    /// What it is compared against.
    pub baseline: Baseline,
    /// The previous figure (None: new rate).
    pub old: Option<Decimal>,
    /// The fetched figure (None: the Price List no longer gave it).
    pub new: Option<Decimal>,
    /// The fetched rate's SKU and usage type, when fetched.
    pub sku: Option<String>,
    /// The fetched rate's usage type, when fetched.
    pub usage_type: Option<String>,
}

impl Change {
    /// Percent change old → new, to two places; None when either is missing or old is 0.
    pub fn percent(&self) -> Option<Decimal> {
        let (old, new) = (self.old?, self.new?);
        if old.is_zero() {
            return None;
        }
        ((new - old) * Decimal::ONE_HUNDRED)
            .checked_div(old)
            .map(|p| p.round_dp(2).normalize())
    }
}

/// The changes of the regions in `fetched` against `previous` (where it has the region)
/// or the bundled book: every rate whose figure differs, appeared or disappeared.
pub fn diff(
    fetched: &PriceCache,
    previous: Option<&PriceCache>,
    bundled: &PriceBook,
) -> Vec<Change> {
    let mut changes = Vec::new();
    for (region, now) in &fetched.regions {
        let before = previous.and_then(|p| p.regions.get(region));
        let baseline = if before.is_some() {
            Baseline::Cache
        } else {
            Baseline::Bundled
        };
        for rate in LiveRate::ALL {
            let old = match before {
                Some(cached) => cached.rates.get(rate.key()).map(|r| r.usd),
                None => bundled.regions.get(region).and_then(|r| rate.in_book(r)),
            };
            let fetched_rate = now.rates.get(rate.key());
            let new = fetched_rate.map(|r| r.usd);
            let same = match (old, new) {
                (Some(a), Some(b)) => a == b,
                (None, None) => true,
                _ => false,
            };
            if !same {
                changes.push(Change {
                    region: region.clone(),
                    rate,
                    baseline,
                    old,
                    new,
                    sku: fetched_rate.map(|r| r.sku.clone()),
                    usage_type: fetched_rate.map(|r| r.usage_type.clone()),
                });
            }
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn fetched(usd: Decimal) -> FetchedRate {
        FetchedRate {
            usd,
            unit: "hours".into(),
            sku: "SKU".into(),
            usage_type: "USE1-Fargate-GB-Hours".into(),
            publication_date: Some("2026-11-20T00:00:00Z".into()),
            effective_date: None,
        }
    }

    #[test]
    fn default_path_prefers_an_absolute_xdg_cache_home() {
        let p = default_path(Some("/x/cache".into()), Some("/home/u".into()));
        assert_eq!(p, Some(PathBuf::from("/x/cache/fargate-cost/prices.json")));
        let p = default_path(Some("".into()), Some("/home/u".into()));
        assert_eq!(
            p,
            Some(PathBuf::from("/home/u/.cache/fargate-cost/prices.json"))
        );
        let p = default_path(Some("relative".into()), Some("/home/u".into()));
        assert_eq!(
            p,
            Some(PathBuf::from("/home/u/.cache/fargate-cost/prices.json"))
        );
        assert_eq!(default_path(None, None), None);
    }

    #[test]
    fn a_cache_round_trips_exactly_and_foreign_files_are_refused() {
        let mut cache = PriceCache::new("2026-11-26T00:00:00Z", "http://127.0.0.1:1");
        let rates = BTreeMap::from([(LiveRate::FargateLinuxX86Gb, fetched(dec!(0.004445)))]);
        cache.put(
            "us-east-1",
            "2026-11-26T00:00:00Z",
            "http://127.0.0.1:1",
            &rates,
        );
        let text = cache.to_json().unwrap();
        assert!(text.contains(r#""usd": "0.004445""#), "{text}");
        assert_eq!(PriceCache::from_json(&text, "f").unwrap(), cache);
        assert_eq!(
            cache
                .rate("us-east-1", LiveRate::FargateLinuxX86Gb)
                .unwrap()
                .usd,
            dec!(0.004445)
        );
        for (text, says) in [
            ("{", "is not JSON"),
            ("{\"regions\": {}}", "is not a fargate-cost price cache"),
            ("{\"format\": \"v9\"}", "of format `v9`"),
            (
                &text.replace("fargate_linux_x86_gb_hour", "bogus"),
                "unknown rate `bogus`",
            ),
            (
                &text.replace("\"endpoint\"", "\"endpoint_x\""),
                "damaged price cache",
            ),
            (
                &text.replace("\"0.004445\"", "\"-0.05\""),
                "is -0.05, not a price above 0",
            ),
            (
                &text.replace("\"0.004445\"", "\"0\""),
                "is 0, not a price above 0",
            ),
        ] {
            let err = PriceCache::from_json(text, "prices.json").unwrap_err();
            assert!(err.to_string().contains(says), "{err}");
        }
    }

    #[test]
    fn plan_rates_round_trip_overlay_and_damaged_ones_are_refused() {
        let plan_rate = |usd| plan_rates::PlanRate {
            usd,
            unit: "Hrs".into(),
            usage_type: "USE1-Fargate-GB-Hours".into(),
            offering_id: "o".into(),
        };
        let mut cache = PriceCache::new("2026-11-26T00:00:00Z", "http://127.0.0.1:1");
        let terms = BTreeMap::from([(
            "1y".to_string(),
            BTreeMap::from([
                (
                    "fargate_linux_x86_vcpu_hour".to_string(),
                    plan_rate(dec!(0.0321)),
                ),
                (
                    "fargate_linux_x86_gb_hour".to_string(),
                    plan_rate(dec!(0.00352)),
                ),
            ]),
        )]);
        let plans = CachedPlans {
            fetched_at: "2026-11-26T00:00:00Z".into(),
            endpoint: "http://127.0.0.1:1".into(),
            offering: "Compute, No Upfront".into(),
            terms,
        };
        cache.savings_plans.insert("us-east-1".into(), plans);
        let text = cache.to_json().unwrap();
        assert_eq!(PriceCache::from_json(&text, "f").unwrap(), cache);
        // A cache written before plan rates existed still reads.
        let old = PriceCache::new("t", "e").to_json().unwrap();
        assert!(!old.contains("savings_plans"));
        assert!(
            PriceCache::from_json(&old, "f")
                .unwrap()
                .savings_plans
                .is_empty()
        );
        // The overlay puts the pair in the region's 1y rates, cited.
        let (book, _) = cache.overlay(PriceBook::bundled().unwrap());
        let x86 = book.regions["us-east-1"].savings_plan_rates["1y"]
            .linux_x86
            .clone()
            .unwrap();
        assert_eq!((x86.vcpu_hour, x86.gb_hour), (dec!(0.0321), dec!(0.00352)));
        assert_eq!(book.source(&x86.source).unwrap().grade, Grade::AwsData);
        for (text, says) in [
            (text.replace("\"1y\"", "\"2y\""), "term `2y`, not 1y or 3y"),
            (
                text.replace("fargate_linux_x86_gb_hour", "glue_dpu_hour"),
                "rate `glue_dpu_hour` a plan does not cover",
            ),
            (
                text.replace("\"0.0321\"", "\"0\""),
                "is 0, not a price above 0",
            ),
        ] {
            let err = PriceCache::from_json(&text, "prices.json").unwrap_err();
            assert!(err.to_string().contains(says), "{err}");
        }
    }

    #[test]
    fn diff_compares_with_the_previous_cache_else_the_bundled_book() {
        let book = PriceBook::bundled().unwrap();
        let mut now = PriceCache::new("t", "e");
        let rates = BTreeMap::from([
            (LiveRate::FargateLinuxX86Vcpu, fetched(dec!(0.04048))),
            (LiveRate::FargateLinuxX86Gb, fetched(dec!(0.005))),
            (LiveRate::GlueDpu, fetched(dec!(0.44))),
        ]);
        now.put("us-east-1", "t", "e", &rates);
        let changes = diff(&now, None, &book);
        let gb = changes
            .iter()
            .find(|c| c.rate == LiveRate::FargateLinuxX86Gb)
            .unwrap();
        assert_eq!(gb.baseline, Baseline::Bundled);
        assert_eq!((gb.old, gb.new), (Some(dec!(0.004445)), Some(dec!(0.005))));
        assert_eq!(gb.percent(), Some(dec!(12.49)));
        // Unchanged rates are not listed; bundled rates the fetch lacked are.
        assert!(
            !changes
                .iter()
                .any(|c| c.rate == LiveRate::FargateLinuxX86Vcpu)
        );
        let flex = changes
            .iter()
            .find(|c| c.rate == LiveRate::GlueFlexDpu)
            .unwrap();
        assert_eq!((flex.old, flex.new), (Some(dec!(0.29)), None));
        // Against a previous cache that has the region: only its figures count.
        let changes = diff(&now, Some(&now), &book);
        assert!(changes.is_empty(), "{changes:?}");
    }

    #[test]
    fn overlay_replaces_cached_rates_keeps_the_rest_bundled_and_adds_new_regions() {
        let mut cache = PriceCache::new(
            "2026-11-26T10:00:00Z",
            "https://api.pricing.us-east-1.amazonaws.com",
        );
        let use1 = BTreeMap::from([
            (LiveRate::FargateLinuxX86Vcpu, fetched(dec!(0.05))),
            (LiveRate::FargateLinuxX86Gb, fetched(dec!(0.005))),
            // Only half of the ARM pair: the bundled pair stays.
            (LiveRate::FargateLinuxArmVcpu, fetched(dec!(0.03))),
            (LiveRate::GlueDpu, fetched(dec!(0.45))),
        ]);
        cache.put("us-east-1", "2026-11-26T10:00:00Z", "e", &use1);
        let new_region = BTreeMap::from([
            (LiveRate::FargateLinuxX86Vcpu, fetched(dec!(0.06))),
            (LiveRate::FargateLinuxX86Gb, fetched(dec!(0.006))),
            (LiveRate::GlueDpu, fetched(dec!(0.5))),
        ]);
        cache.put("xx-test-1", "2026-11-26T10:00:00Z", "e", &new_region);
        cache.put(
            "yy-test-1",
            "2026-11-26T10:00:00Z",
            "e",
            &BTreeMap::from([(LiveRate::GlueDpu, fetched(dec!(0.5)))]),
        );
        let (book, notes) = cache.overlay(PriceBook::bundled().unwrap());
        assert_eq!(book.as_of, "2026-11-26");
        let r = book.region("us-east-1").unwrap();
        assert_eq!(r.fargate_linux_x86.vcpu_hour, dec!(0.05));
        assert_eq!(r.fargate_linux_x86.source, "price-list-us-east-1");
        assert_eq!(r.glue_dpu_hour.usd, dec!(0.45));
        assert_eq!(
            r.fargate_linux_arm.as_ref().unwrap().vcpu_hour,
            dec!(0.03238)
        );
        assert_eq!(r.glue_flex_dpu_hour.as_ref().unwrap().usd, dec!(0.29));
        assert_eq!(
            book.source("price-list-us-east-1").unwrap().grade,
            Grade::AwsData
        );
        assert!(notes.contains(&"us-east-1: fargate_linux_arm_vcpu_hour from the bundled book (the cache has no usable figure)".to_string()), "{notes:?}");
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("us-east-1: glue_flex_dpu_hour from the bundled"))
        );
        assert!(
            !notes.iter().any(|n| n.contains("fargate_linux_x86")),
            "{notes:?}"
        );
        let x = book.region("xx-test-1").unwrap();
        assert_eq!(x.fargate_linux_x86.gb_hour, dec!(0.006));
        assert!(book.region("yy-test-1").is_err());
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("yy-test-1: the cache lacks"))
        );
        assert_eq!(
            cache.footer(),
            "prices: Price List API, fetched 2026-11-26 from https://api.pricing.us-east-1.amazonaws.com"
        );
    }
}
