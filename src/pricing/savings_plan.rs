//! Compute Savings Plans on Fargate (reference 10.3). A plan lowers the Fargate on-demand
//! vCPU-hour and GB-hour only: "Savings Plans do not apply to spot usage", Glue is not a
//! Savings Plans service (its service codes are Ec2, Fargate, FargateEks, Lambda,
//! Sagemaker), and the reference warns not to assume it discounts ephemeral storage, the
//! Windows OS license or public IPv4. Like `--spot-discount` (pricing::spot), a plan is
//! applied to the price book once, cited by its own source, and stated in a footer line.
//!
//! Runs are recorded at list (on-demand) prices; commands that price apply the plan.

use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::pricing::book::{ComputeRate, Grade, PriceBook, Source};
use crate::pricing::plan_rates;

/// The source key a plan's rates cite when they are on-demand less the discount.
pub const SOURCE: &str = "savings-plan";

pub use crate::model::plan::{SavingsPlan, Term, parse_rate, parse_term};

/// Where a plan's rate comes from, for the footer and `prices show`.
fn source(plan: SavingsPlan) -> String {
    match plan {
        SavingsPlan::OneYear | SavingsPlan::ThreeYear => format!(
            "{}-year Compute Savings Plan, no upfront: the typical {} % for Fargate Linux/x86 (vantage.sh, reference 10.3; AWS: up to 50 %, exact rates from DescribeSavingsPlansOfferingRates or --savings-plan-rate)",
            if plan == SavingsPlan::OneYear { 1 } else { 3 },
            plan.percent()
        ),
        SavingsPlan::Rate(pct) => {
            format!("a given rate of {pct} % (--savings-plan-rate or savings_plan in [defaults])")
        }
    }
}

/// The book with every region's Fargate on-demand vCPU-hour and GB-hour (Linux x86, ARM,
/// Windows) under the plan: a 1y or 3y term takes the Savings Plans API's rates where
/// `prices update --savings-plans` fetched them, else the plan's discount. Spot, the
/// Windows license, storage, public IPv4 and Glue keep their rates.
pub fn with_plan(mut book: PriceBook, plan: SavingsPlan) -> Result<PriceBook> {
    let pct = plan.percent();
    let factor = (Decimal::ONE_HUNDRED - pct)
        .checked_div(Decimal::ONE_HUNDRED)
        .ok_or_else(|| Error::invalid("--savings-plan-rate", "is out of range"))?;
    let term = term_key(plan);
    for region in book.regions.values_mut() {
        let fetched = term
            .and_then(|t| region.savings_plan_rates.get(t))
            .cloned()
            .unwrap_or_default();
        covered(
            &mut region.fargate_linux_x86,
            fetched.linux_x86.as_ref(),
            factor,
        )?;
        if let Some(arm) = region.fargate_linux_arm.as_mut() {
            covered(arm, fetched.linux_arm.as_ref(), factor)?;
        }
        if let Some(windows) = region.fargate_windows.as_mut() {
            covered(windows, fetched.windows.as_ref(), factor)?;
        }
    }
    book.sources.insert(
        SOURCE.to_string(),
        Source {
            title: format!(
                "{}: Fargate on-demand vCPU and GB less {pct} % (not the Windows license fee)",
                source(plan)
            ),
            url: "https://aws.amazon.com/savingsplans/faqs/".to_string(),
            grade: Grade::Given,
            as_of: book.as_of.clone(),
        },
    );
    Ok(book)
}

/// The cache's term key of a plan ("1y", "3y"); None for a given rate.
fn term_key(plan: SavingsPlan) -> Option<&'static str> {
    match plan {
        SavingsPlan::OneYear => Some("1y"),
        SavingsPlan::ThreeYear => Some("3y"),
        SavingsPlan::Rate(_) => None,
    }
}

/// One on-demand vCPU + GB pair under the plan: the fetched plan rates, else less the
/// discount. The Windows license keeps its rate and source.
fn covered(rate: &mut ComputeRate, fetched: Option<&ComputeRate>, factor: Decimal) -> Result<()> {
    let times = |usd: Decimal| {
        usd.checked_mul(factor)
            .ok_or_else(|| Error::invalid("--savings-plan-rate", "overflows a rate"))
    };
    if rate.os_license_vcpu_hour.is_some() && rate.os_license_source.is_none() {
        rate.os_license_source = Some(rate.source.clone());
    }
    match fetched {
        Some(plan) => {
            rate.vcpu_hour = plan.vcpu_hour;
            rate.gb_hour = plan.gb_hour;
            rate.source = plan.source.clone();
        }
        None => {
            rate.vcpu_hour = times(rate.vcpu_hour)?;
            rate.gb_hour = times(rate.gb_hour)?;
            rate.source = SOURCE.to_string();
        }
    }
    Ok(())
}

/// Whether the book's on-demand rates are a plan's.
pub fn applied(book: &PriceBook) -> bool {
    book.source(SOURCE).is_some()
}

/// The regions whose plan rates came from the Savings Plans API, and the source of the
/// first (for its date and endpoint).
fn fetched_regions(book: &PriceBook) -> (Vec<&str>, Option<&Source>) {
    let from_api = |r: &ComputeRate| r.source.starts_with(plan_rates::SOURCE_PREFIX);
    let regions: Vec<&str> = book
        .regions
        .iter()
        .filter(|(_, r)| {
            from_api(&r.fargate_linux_x86)
                || r.fargate_linux_arm.as_ref().is_some_and(from_api)
                || r.fargate_windows.as_ref().is_some_and(from_api)
        })
        .map(|(code, _)| code.as_str())
        .collect();
    let first = regions
        .first()
        .and_then(|code| book.source(&plan_rates::source_key(code)));
    (regions, first)
}

/// The footer line that says which plan applies, with which rates, and to what.
pub fn note(book: &PriceBook, plan: SavingsPlan) -> String {
    let (regions, api) = fetched_regions(book);
    let rates = match (term_key(plan), api) {
        (Some(_), Some(api)) => format!(
            "{}-year Compute, No Upfront: the Savings Plans API's rates fetched {} from {} for {}; other regions and pairs less the typical {} %",
            if plan == SavingsPlan::OneYear { 1 } else { 3 },
            api.as_of,
            api.url,
            regions.join(", "),
            plan.percent()
        ),
        _ => format!(
            "Fargate on-demand vCPU and memory less {} % ({})",
            plan.percent(),
            source(plan)
        ),
    };
    format!(
        "Savings Plan: {rates}; not applied to Spot, Glue, the Windows license, ephemeral storage or public IPv4. Runs are recorded at list prices; report reprices on-demand runs under the plan."
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::size::{Arch, Capacity, Os, Size};
    use crate::model::task::FargateTask;
    use crate::pricing::price;
    use rust_decimal_macros::dec;
    use std::time::Duration;

    fn task(cpu: u32, mib: u32, os: Os, capacity: Capacity) -> FargateTask {
        FargateTask {
            size: Size::new(cpu, mib, os).unwrap(),
            os,
            arch: Arch::X86_64,
            capacity,
            ephemeral_storage_gib: 20,
            public_ip: false,
        }
    }

    #[test]
    fn a_one_year_plan_discounts_on_demand_vcpu_and_memory_only() {
        let book = with_plan(PriceBook::bundled().unwrap(), SavingsPlan::OneYear).unwrap();
        let use1 = book.region("us-east-1").unwrap();
        let hour = Duration::from_secs(3600);
        // 4 vCPU / 16 GB for 1 h in us-east-1, on-demand: 4 × 0.04048 + 16 × 0.004445
        // = 0.16192 + 0.07112 = 0.23304; less 20 %: × 0.8 = 0.186432
        // (vCPU 0.04048 × 0.8 = 0.032384, GB 0.004445 × 0.8 = 0.003556:
        //  4 × 0.032384 + 16 × 0.003556 = 0.129536 + 0.056896 = 0.186432).
        let on_demand = task(4096, 16384, Os::Linux, Capacity::OnDemand);
        let c = price::task("us-east-1", use1, &on_demand, hour).unwrap();
        assert_eq!(c.total_usd, dec!(0.186432));
        // Spot is untouched: 4 × 0.01264355 + 16 × 0.00138835 = 0.0505742 + 0.0222136
        // = 0.0727878.
        let spot = price::task(
            "us-east-1",
            use1,
            &on_demand.with_capacity(Capacity::Spot),
            hour,
        )
        .unwrap();
        assert_eq!(spot.total_usd, dec!(0.0727878));
        // Storage and public IPv4 are untouched: 50 GB → 30 × 0.000111 = 0.00333; + 0.005.
        let extras = FargateTask {
            ephemeral_storage_gib: 50,
            public_ip: true,
            ..on_demand
        };
        let c = price::task("us-east-1", use1, &extras, hour).unwrap();
        assert_eq!(c.storage_usd, dec!(0.00333));
        assert_eq!(c.public_ipv4_usd, dec!(0.005));
        assert_eq!(c.total_usd, dec!(0.186432) + dec!(0.00333) + dec!(0.005));
        // Windows: vCPU and GB less 20 %, the license fee (0.046 per vCPU-hour) is not:
        // 1 × 0.046552 × 0.8 + 2 × 0.00511175 × 0.8 + 0.046 = 0.0372416 + 0.0081788 + 0.046.
        let windows = task(1024, 2048, Os::Windows, Capacity::OnDemand);
        let c = price::task("us-east-1", use1, &windows, hour).unwrap();
        assert_eq!(c.os_license_usd, dec!(0.046));
        assert_eq!(c.total_usd, dec!(0.0914204));
        // Glue keeps its rate.
        assert_eq!(use1.glue_dpu_hour.usd, dec!(0.44));
        assert!(applied(&book));
        assert!(!applied(&PriceBook::bundled().unwrap()));
        assert!(note(&book, SavingsPlan::OneYear).contains("less 20 %"));
    }

    #[test]
    fn terms_and_rates_outside_0_to_50_are_refused() {
        assert_eq!(parse_term("1y").unwrap(), Term(Some(SavingsPlan::OneYear)));
        assert_eq!(
            parse_term("3Y").unwrap(),
            Term(Some(SavingsPlan::ThreeYear))
        );
        assert_eq!(parse_term("none").unwrap(), Term(None));
        assert!(parse_term("5y").unwrap_err().contains("none, 1y"));
        assert_eq!(SavingsPlan::ThreeYear.percent(), dec!(45));
        assert_eq!(parse_rate("27.5%").unwrap(), dec!(27.5));
        assert_eq!(parse_rate("0").unwrap(), dec!(0));
        for bad in ["51", "-1", "x", "10.125", ""] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
    }
}
