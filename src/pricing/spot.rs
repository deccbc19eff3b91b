//! Fargate Spot rates. Spot prices are not in the Price List (reference 1.3): they come
//! from the bundled snapshot of the pricing page's feed, or from `--spot-discount PCT`,
//! which prices Spot as the region's on-demand rate less PCT percent, for Linux on x86 and
//! ARM alike (Spot runs both since platform 1.4.0; Windows never).

use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::pricing::book::{ComputeRate, Grade, PriceBook, Source};

/// The source key `--spot-discount` rates cite.
pub const DISCOUNT_SOURCE: &str = "spot-discount";

/// The largest discount accepted: 100 % would make Spot free.
const MAX_DISCOUNT: Decimal = Decimal::from_parts(99_99, 0, 0, false, 2);

/// Said where a Linux Spot rate is missing.
pub const MISSING_HINT: &str = "Spot rates are not in the Price List: pass --spot-discount PCT to price Spot as on-demand less PCT %";

/// `--spot-discount`'s value: a percentage in [0, 99.99] with at most 2 decimals.
pub fn parse_discount(text: &str) -> std::result::Result<Decimal, String> {
    let bad = || {
        format!(
            "`{text}` is not a discount in percent; give 0–99.99 with at most 2 decimals, e.g. 70 for 70 % off on-demand"
        )
    };
    let pct: Decimal = text
        .trim()
        .trim_end_matches('%')
        .parse()
        .map_err(|_| bad())?;
    if pct.is_sign_negative() || pct > MAX_DISCOUNT || pct.scale() > 2 {
        return Err(bad());
    }
    Ok(pct.normalize())
}

/// The book with every region's Linux Spot rates set to on-demand × (100 − `pct`) / 100.
pub fn with_discount(mut book: PriceBook, pct: Decimal) -> Result<PriceBook> {
    let factor = (Decimal::ONE_HUNDRED - pct)
        .checked_div(Decimal::ONE_HUNDRED)
        .ok_or_else(|| Error::invalid("--spot-discount", "is out of range"))?;
    let discounted = |rate: &ComputeRate| -> Result<ComputeRate> {
        let times = |usd: Decimal| {
            usd.checked_mul(factor)
                .ok_or_else(|| Error::invalid("--spot-discount", "overflows a rate"))
        };
        Ok(ComputeRate {
            vcpu_hour: times(rate.vcpu_hour)?,
            gb_hour: times(rate.gb_hour)?,
            os_license_vcpu_hour: None,
            source: DISCOUNT_SOURCE.to_string(),
            os_license_source: None,
        })
    };
    for region in book.regions.values_mut() {
        region.fargate_spot_x86 = Some(discounted(&region.fargate_linux_x86)?);
        region.fargate_spot_arm = match &region.fargate_linux_arm {
            Some(arm) => Some(discounted(arm)?),
            None => None,
        };
    }
    book.sources.insert(
        DISCOUNT_SOURCE.to_string(),
        Source {
            title: format!("--spot-discount {pct}: Fargate Spot = on-demand less {pct} %"),
            url: "https://aws.amazon.com/fargate/pricing/".to_string(),
            grade: Grade::Given,
            as_of: book.as_of.clone(),
        },
    );
    Ok(book)
}

/// The line that says which Spot rates apply.
pub fn note(book: &PriceBook, discount: Option<Decimal>) -> String {
    if let Some(pct) = discount {
        return format!(
            "Spot: on-demand less {pct} % (--spot-discount), Linux x86 and ARM in every region."
        );
    }
    let snapshot = book
        .regions
        .values()
        .filter_map(|r| r.fargate_spot_x86.as_ref())
        .filter_map(|r| book.source(&r.source))
        .map(|s| s.as_of.clone())
        .max()
        .unwrap_or_else(|| "—".to_string());
    format!(
        "Spot: bundled snapshot of the pricing page's feed as of {snapshot} (Linux/x86; not in the Price List); --spot-discount PCT overrides it and prices ARM Spot."
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::size::{Arch, Capacity, Os};
    use rust_decimal_macros::dec;

    #[test]
    fn a_discount_prices_x86_and_arm_spot_from_on_demand() {
        let book = with_discount(PriceBook::bundled().unwrap(), dec!(70)).unwrap();
        let use1 = book.region("us-east-1").unwrap();
        let x86 = use1
            .fargate(Os::Linux, Arch::X86_64, Capacity::Spot)
            .unwrap();
        // 0.04048 × 0.30 = 0.012144; 0.004445 × 0.30 = 0.0013335
        assert_eq!(x86.vcpu_hour, dec!(0.012144));
        assert_eq!(x86.gb_hour, dec!(0.0013335));
        let arm = use1
            .fargate(Os::Linux, Arch::Arm64, Capacity::Spot)
            .unwrap();
        // 0.03238 × 0.30 = 0.009714; 0.00356 × 0.30 = 0.001068
        assert_eq!(arm.vcpu_hour, dec!(0.009714));
        assert_eq!(arm.gb_hour, dec!(0.001068));
        assert_eq!(arm.source, DISCOUNT_SOURCE);
        assert!(
            use1.fargate(Os::Windows, Arch::X86_64, Capacity::Spot)
                .is_none()
        );
        let bundled = PriceBook::bundled().unwrap();
        assert!(
            bundled
                .region("us-east-1")
                .unwrap()
                .fargate_spot_arm
                .is_none(),
            "the bundled book has no ARM Spot figure; only the discount gives one"
        );
        assert!(note(&book, Some(dec!(70))).contains("less 70 %"));
        assert!(note(&bundled, None).contains("as of 2026-09-29"));
    }

    #[test]
    fn discounts_outside_0_to_99_99_are_refused() {
        assert_eq!(parse_discount("70").unwrap(), dec!(70));
        assert_eq!(parse_discount("12.5%").unwrap(), dec!(12.5));
        assert_eq!(parse_discount("0").unwrap(), dec!(0));
        for bad in ["100", "-5", "abc", "99.999", "1e3", ""] {
            assert!(parse_discount(bad).is_err(), "{bad}");
        }
    }
}
