//! Tick and bar labels: money and plain numbers that stay readable, and distinct from their
//! neighbours, at any scale — from a fraction of a cent to millions.

/// Compact money for charts: "$0", "$0.0003", "$0.0012", "$0.12", "$0.50", "$1.50", "$12",
/// "$99.99", "$655", "$1.2k", "$12.3k", "$3.4M", "$2.5B". Under $1: three significant
/// digits, 2 to 6 decimals (the micro-dollar). $1 to $99.99: whole dollars, or cents when
/// there are any; $100 to $999: whole dollars. From $1,000: three significant digits with
/// k, M, B or T.
pub(crate) fn money(value: f64) -> String {
    if !value.is_finite() {
        return "–".to_string();
    }
    let sign = if value < 0.0 { "-" } else { "" };
    let amount = magnitude(value.abs());
    if amount == "0" {
        return "$0".to_string();
    }
    format!("{sign}${amount}")
}

fn magnitude(value: f64) -> String {
    if value < 1.0 {
        let text = significant(value, 3, 2, 6);
        if text.parse::<f64>().is_ok_and(|v| v < 1.0) {
            return text;
        }
    }
    let cents = (value * 100.0).round() / 100.0;
    if cents < 100.0 {
        return if cents.fract() == 0.0 {
            format!("{cents:.0}")
        } else {
            format!("{cents:.2}")
        };
    }
    if value.round() < 1000.0 {
        return format!("{:.0}", value.round());
    }
    let units = [(1e3, "k"), (1e6, "M"), (1e9, "B"), (1e12, "T")];
    for (i, (unit, suffix)) in units.iter().enumerate() {
        let text = significant(value / unit, 3, 0, 2);
        let last = i == units.len() - 1;
        if last || text.parse::<f64>().is_ok_and(|v| v < 1000.0) {
            return format!("{text}{suffix}");
        }
    }
    unreachable!("the last unit always returns")
}

/// Plain numbers for axes: three significant digits, at most six decimals, trailing zeros
/// dropped ("0", "0.25", "1.5", "450", "2048", "12000").
pub(crate) fn number(value: f64) -> String {
    if !value.is_finite() {
        return "–".to_string();
    }
    let text = significant(value.abs(), 3, 0, 6);
    if value < 0.0 && text != "0" {
        format!("-{text}")
    } else {
        text
    }
}

/// `value` (≥ 0) to `digits` significant digits, with `min..=max` decimals after trailing
/// zeros are dropped ("0.00120" → "0.0012" with min 2; "12.0" → "12" with min 0).
fn significant(value: f64, digits: i32, min: usize, max: usize) -> String {
    if value == 0.0 {
        return "0".to_string();
    }
    let magnitude = value.log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).clamp(min as i32, max as i32) as usize;
    let text = format!("{value:.decimals$}");
    let Some((whole, fraction)) = text.split_once('.') else {
        return text;
    };
    if fraction.bytes().all(|b| b == b'0') && whole == "0" {
        return "0".to_string();
    }
    let keep = fraction.trim_end_matches('0').len().max(min);
    if keep == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{}", &fraction[..keep])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_at_any_scale() {
        for (value, want) in [
            (0.0, "$0"),
            (1e-9, "$0"),
            (0.0003, "$0.0003"),
            (0.000312345, "$0.000312"),
            (0.0012, "$0.0012"),
            (0.00125, "$0.00125"),
            (0.12, "$0.12"),
            (0.1 + 0.2, "$0.30"),
            (0.5, "$0.50"),
            (0.9996, "$1"),
            (1.0, "$1"),
            (1.5, "$1.50"),
            (12.0, "$12"),
            (12.346, "$12.35"),
            (99.99, "$99.99"),
            (99.999, "$100"),
            (654.55, "$655"),
            (999.4, "$999"),
            (999.5, "$1k"),
            (1200.0, "$1.2k"),
            (1234.0, "$1.23k"),
            (1250.0, "$1.25k"),
            (12_000.0, "$12k"),
            (123_456.0, "$123k"),
            (999_999.0, "$1M"),
            (3_400_000.0, "$3.4M"),
            (2.5e9, "$2.5B"),
            (4.2e15, "$4200T"),
            (-1500.0, "-$1.5k"),
            (f64::NAN, "–"),
        ] {
            assert_eq!(money(value), want, "{value}");
        }
    }

    /// The ticks plotters picks are multiples of 1, 2 or 5 × 10^k: at every scale from a
    /// micro-dollar to a billion, ten consecutive ticks read as ten different amounts.
    #[test]
    fn money_ticks_are_distinct_at_every_scale() {
        for exponent in -6..=9 {
            for step in [1.0, 2.0, 5.0] {
                let step = step * 10f64.powi(exponent);
                let ticks: Vec<String> = (0..=10).map(|i| money(i as f64 * step)).collect();
                let distinct: std::collections::BTreeSet<&String> = ticks.iter().collect();
                assert_eq!(distinct.len(), ticks.len(), "step {step}: {ticks:?}");
                assert!(ticks.iter().all(|t| t.len() <= 9), "{ticks:?}");
            }
        }
    }

    #[test]
    fn numbers_drop_noise_and_trailing_zeros() {
        for (value, want) in [
            (0.0, "0"),
            (0.25, "0.25"),
            (1.5, "1.5"),
            (2.0, "2"),
            (0.1 + 0.2, "0.3"),
            (450.0, "450"),
            (2048.0, "2048"),
            (12_000.0, "12000"),
            (1e-9, "0"),
            (-0.5, "-0.5"),
        ] {
            assert_eq!(number(value), want, "{value}");
        }
    }
}
