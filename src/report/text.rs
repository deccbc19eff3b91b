//! Number formatting for people: money with as many decimals as it needs, durations,
//! ratios. Data formats (JSON/CSV) never use these.

use std::time::Duration;

use rust_decimal::{Decimal, RoundingStrategy};

/// "$1,234.57", "$0.037", "$0.000206": two decimals from $1 up, below that up to three
/// significant digits, at least two and at most six decimals (the micro-dollar).
pub(crate) fn usd(value: Decimal) -> String {
    let negative = value.is_sign_negative() && !value.is_zero();
    let abs = value.abs();
    let decimals = if abs >= Decimal::ONE || abs.is_zero() {
        2
    } else {
        // Leading zeros after the point, + 3 significant digits, within 2..=6.
        let mut zeros = 0;
        let mut scaled = abs;
        while scaled < Decimal::new(1, 1) && zeros < 6 {
            scaled *= Decimal::TEN;
            zeros += 1;
        }
        (zeros + 3).clamp(2, 6)
    };
    let rounded = abs.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    let text = format!("{rounded:.prec$}", prec = decimals as usize);
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    // Trailing zeros carry no information below a dollar: "$0.50", not "$0.500".
    let keep = fraction
        .trim_end_matches('0')
        .len()
        .max(2)
        .min(fraction.len());
    let fraction = &fraction[..keep];
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if negative { "-" } else { "" };
    if fraction.is_empty() {
        format!("{sign}${grouped}")
    } else {
        format!("{sign}${grouped}.{fraction}")
    }
}

/// "45m", "1h 30m", "2m 5s", "1.5s".
pub(crate) fn duration(value: Duration) -> String {
    if value < Duration::from_secs(10) && value.subsec_millis() != 0 {
        return format!("{:.1}s", value.as_secs_f64());
    }
    humantime::format_duration(Duration::from_secs(value.as_secs())).to_string()
}

/// "×8.91", "×0.31".
pub(crate) fn ratio(value: Decimal) -> String {
    let rounded = if value >= Decimal::TEN {
        value.round_dp(1)
    } else {
        value.round_dp(2)
    };
    format!("×{}", rounded.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn money_has_the_decimals_it_needs() {
        assert_eq!(usd(dec!(1234.567)), "$1,234.57");
        assert_eq!(usd(dec!(12)), "$12.00");
        assert_eq!(usd(dec!(0.5)), "$0.50");
        assert_eq!(usd(dec!(0.0370275)), "$0.037");
        assert_eq!(usd(dec!(0.0123456)), "$0.0123");
        assert_eq!(usd(dec!(0.000205708)), "$0.000206");
        assert_eq!(usd(dec!(0.0000001)), "$0.00");
        assert_eq!(usd(dec!(0)), "$0.00");
        assert_eq!(usd(dec!(-8.79)), "-$8.79");
        assert_eq!(usd(dec!(1000000)), "$1,000,000.00");
    }

    #[test]
    fn durations_and_ratios() {
        assert_eq!(duration(Duration::from_secs(5400)), "1h 30m");
        assert_eq!(duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(ratio(dec!(8.91229)), "×8.91");
        assert_eq!(ratio(dec!(17.84)), "×17.8");
    }
}
