//! A Compute Savings Plan as the user states it (reference 10.3): a term with its typical
//! discount, or the plan's own rate. `pricing::savings_plan` applies it to the price book.

use rust_decimal::Decimal;

/// Fargate pricing page: "savings of up to 50 % … for a one- or three-year term"
/// (reference 10.3). A larger discount is not a Fargate Savings Plan.
const MAX_RATE: Decimal = Decimal::from_parts(50, 0, 0, false, 0);

/// A Compute Savings Plan's discount on Fargate on-demand vCPU and memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SavingsPlan {
    /// 1-year term, no upfront: typically about 20 % (reference 10.3, vantage.sh).
    OneYear,
    /// 3-year term, no upfront: typically about 45 % (reference 10.3, vantage.sh).
    ThreeYear,
    /// `--savings-plan-rate PCT`: the user's own rate (e.g. from the Savings Plans console
    /// or DescribeSavingsPlansOfferingRates).
    Rate(Decimal),
}

impl SavingsPlan {
    /// The discount in percent.
    pub fn percent(self) -> Decimal {
        match self {
            SavingsPlan::OneYear => Decimal::from(20),
            SavingsPlan::ThreeYear => Decimal::from(45),
            SavingsPlan::Rate(pct) => pct,
        }
    }
}

/// `--savings-plan`'s value: a term, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term(pub Option<SavingsPlan>);

/// `--savings-plan`'s value: none, 1y or 3y.
pub fn parse_term(text: &str) -> std::result::Result<Term, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "none" => Ok(Term(None)),
        "1y" | "1yr" | "1-year" => Ok(Term(Some(SavingsPlan::OneYear))),
        "3y" | "3yr" | "3-year" => Ok(Term(Some(SavingsPlan::ThreeYear))),
        _ => Err(format!(
            "`{text}` is not a Savings Plan term; valid: none, 1y (about 20 % off), 3y (about 45 % off), or --savings-plan-rate PCT"
        )),
    }
}

/// `--savings-plan-rate`'s value: a percentage in [0, 50] with at most 2 decimals.
pub fn parse_rate(text: &str) -> std::result::Result<Decimal, String> {
    let bad = || {
        format!(
            "`{text}` is not a Savings Plan discount in percent; give 0–50 (Fargate plans save up to 50 %), e.g. 20"
        )
    };
    let pct: Decimal = text
        .trim()
        .trim_end_matches('%')
        .parse()
        .map_err(|_| bad())?;
    if pct.is_sign_negative() || pct > MAX_RATE || pct.scale() > 2 {
        return Err(bad());
    }
    Ok(pct.normalize())
}

/// `savings_plan` in `[defaults]`: a term (none, 1y, 3y) or the plan's own rate in percent
/// ("27.5%" or 27.5).
pub fn parse_config(text: &str) -> std::result::Result<Option<SavingsPlan>, String> {
    if let Ok(Term(plan)) = parse_term(text) {
        return Ok(plan);
    }
    parse_rate(text).map(|pct| Some(SavingsPlan::Rate(pct))).map_err(|_| {
        format!(
            "`{text}` is not a Savings Plan; valid: \"none\", \"1y\" (about 20 % off), \"3y\" (about 45 % off), or your plan's rate in percent, 0–50 (e.g. \"27.5%\")"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn a_config_value_is_a_term_or_a_rate() {
        assert_eq!(parse_config("1y").unwrap(), Some(SavingsPlan::OneYear));
        assert_eq!(parse_config("none").unwrap(), None);
        assert_eq!(
            parse_config("27.5%").unwrap(),
            Some(SavingsPlan::Rate(dec!(27.5)))
        );
        assert!(parse_config("60").unwrap_err().contains("0–50"));
    }
}
