//! How often a job runs: a plain runs-per-month figure, or an EventBridge schedule expression
//! (`cron(...)` or `rate(...)`) whose average monthly run count is computed.
//!
//! EventBridge's cron dialect differs from Unix cron (six fields with a year, day-of-week
//! 1–7 = SUN–SAT, exactly one of day-of-month/day-of-week is `?`, plus `L`, `W` and `#`), and
//! the crates on crates.io speak Unix or Quartz cron, so the small evaluator lives here. It
//! counts matching days rather than minutes, so a schedule costs ~1,500 day checks.
//!
//! A cron expression is counted over a window of four whole years from January 1 of an
//! anchor year (one leap cycle, so a daily schedule averages 1461 / 48 = 30.4375 runs a
//! month). The year field decides which of those years count: `cron(0 3 * * ? 2024-2025)`
//! anchored at 2024 runs 366 + 365 = 731 times in the 48 months. [`Schedule::parse_expression`]
//! anchors at the current UTC year, so a schedule whose years are all past counts 0 runs (it
//! will not run again) and [`Schedule::note`] says why.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{Datelike, NaiveDate, Utc, Weekday};
use rust_decimal::Decimal;

use crate::error::{Error, Result};

/// Years in the averaging window. Four consecutive years hold exactly one leap day (for
/// anchors 1901–2096), so an "average month" is 1461 / 48 = 30.4375 days (the Gregorian mean
/// is 30.436875).
const WINDOW_YEARS: i32 = 4;
const WINDOW_MONTHS: i64 = 48;
/// Days in such a window: `rate(...)` expressions, which have no calendar, use it directly.
const WINDOW_DAYS: i64 = 1461;
/// Years EventBridge accepts in the year field.
const FIRST_YEAR: u32 = 1970;
const LAST_YEAR: u32 = 2199;

/// Most runs a month a plain figure may give: one run every 2.6 seconds. An EventBridge
/// schedule fires at most once a minute (43,830 runs a month), and the limit keeps a monthly
/// cost far inside `Decimal`'s range.
pub(crate) const MAX_RUNS_PER_MONTH: u32 = 1_000_000;

/// When a job runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    /// A fixed number of runs per month (may be fractional, e.g. 4.35 for weekly).
    RunsPerMonth(Decimal),
    /// An EventBridge expression, kept as written, with its computed monthly runs.
    Expression {
        /// As written, e.g. `cron(0 3 * * ? *)`.
        text: String,
        /// Average runs per month.
        runs_per_month: Decimal,
        /// Why the count may surprise (see [`Schedule::note`]).
        note: Option<String>,
    },
}

impl Schedule {
    /// Average runs per month.
    pub fn runs_per_month(&self) -> Decimal {
        match self {
            Schedule::RunsPerMonth(n) => *n,
            Schedule::Expression { runs_per_month, .. } => *runs_per_month,
        }
    }

    /// A sentence the caller can show when the count may surprise: the expression's years
    /// leave out some or all of the averaging window, e.g. "cron(0 3 * * ? 2024-2025) fires in
    /// none of 2026–2029: counted as 0 runs/month".
    pub fn note(&self) -> Option<&str> {
        match self {
            Schedule::RunsPerMonth(_) => None,
            Schedule::Expression { note, .. } => note.as_deref(),
        }
    }

    /// Parse an EventBridge `cron(...)`/`rate(...)` expression, counting a cron expression's
    /// runs from January 1 of the current UTC year.
    pub fn parse_expression(text: &str) -> Result<Schedule> {
        Schedule::parse_expression_from(text, current_year())
    }

    /// Parse an EventBridge expression, counting a cron expression's runs over the 48 months
    /// from January 1 of `anchor_year`.
    pub fn parse_expression_from(text: &str, anchor_year: i32) -> Result<Schedule> {
        let key = (text.trim().to_string(), anchor_year);
        // Expanding a cron expression walks 1,461 days; a big config repeats a few
        // expressions thousands of times, so each distinct one is counted once a process.
        let counted = COUNTS.with(|memo| memo.borrow().get(&key).cloned());
        let count = match counted {
            Some(count) => count,
            None => {
                let count = count_runs(text, anchor_year)?;
                COUNTS.with(|memo| memo.borrow_mut().insert(key.clone(), count.clone()));
                count
            }
        };
        Ok(Schedule::Expression {
            text: key.0,
            runs_per_month: count.runs_per_month,
            note: count.note,
        })
    }

    /// Validate a plain runs-per-month figure: 0 to [`MAX_RUNS_PER_MONTH`].
    pub fn runs(n: Decimal) -> Result<Schedule> {
        if n < Decimal::ZERO {
            return Err(Error::invalid(
                "runs_per_month",
                format!("{n} must be 0 or more"),
            ));
        }
        if n > Decimal::from(MAX_RUNS_PER_MONTH) {
            return Err(Error::invalid(
                "runs_per_month",
                format!(
                    "{n} is more than 1,000,000 runs a month (one every 2.6 s); valid: 0 to 1000000"
                ),
            ));
        }
        Ok(Schedule::RunsPerMonth(n))
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::RunsPerMonth(n) => write!(f, "{} runs/month", n.normalize()),
            Schedule::Expression {
                text,
                runs_per_month,
                ..
            } => write!(
                f,
                "{text} ≈ {} runs/month",
                runs_per_month.round_dp(2).normalize()
            ),
        }
    }
}

fn invalid(text: &str, why: impl fmt::Display) -> Error {
    Error::invalid(
        "schedule",
        format!(
            "`{text}`: {why} (EventBridge syntax: cron(minutes hours day-of-month month day-of-week year) or rate(1 day))"
        ),
    )
}

fn current_year() -> i32 {
    Utc::now().year()
}

/// Average runs per month of an EventBridge schedule expression: a cron expression's runs in
/// the 48 months from January 1 of `anchor_year`, divided by 48.
#[cfg(test)]
fn monthly_runs_from(text: &str, anchor_year: i32) -> Result<Decimal> {
    Ok(count_runs(text, anchor_year)?.runs_per_month)
}

thread_local! {
    /// Counts of the expressions seen in this process, by (expression, anchor year).
    static COUNTS: std::cell::RefCell<std::collections::HashMap<(String, i32), Count>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Monthly runs of an expression and the note that explains a surprising count.
#[derive(Clone)]
struct Count {
    runs_per_month: Decimal,
    note: Option<String>,
}

fn count_runs(text: &str, anchor_year: i32) -> Result<Count> {
    let trimmed = text.trim();
    if let Some(body) = trimmed
        .strip_prefix("rate(")
        .and_then(|s| s.strip_suffix(')'))
    {
        return Ok(Count {
            runs_per_month: rate_runs(text, body)?,
            note: None,
        });
    }
    let body = trimmed
        .strip_prefix("cron(")
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or(trimmed);
    let cron = Cron::parse(text, body)?;
    let last_year = anchor_year + WINDOW_YEARS - 1;
    let (Some(start), Some(end)) = (
        NaiveDate::from_ymd_opt(anchor_year, 1, 1),
        NaiveDate::from_ymd_opt(last_year + 1, 1, 1),
    ) else {
        return Err(invalid(
            text,
            format!("cannot count runs from the year {anchor_year}"),
        ));
    };
    let mut days: i64 = 0;
    let mut years_fired = BTreeSet::new();
    for day in start.iter_days().take_while(|d| *d < end) {
        if cron.matches_day(day) {
            days += 1;
            years_fired.insert(day.year());
        }
    }
    let per_day = (cron.minutes.len() * cron.hours.len()) as i64;
    let window = format!("{anchor_year}–{last_year}");
    let note = if years_fired.is_empty() {
        Some(format!(
            "{trimmed} fires in none of {window}: counted as 0 runs/month"
        ))
    } else if years_fired.len() < WINDOW_YEARS as usize {
        let years: Vec<String> = years_fired.iter().map(|y| y.to_string()).collect();
        Some(format!(
            "{trimmed} fires only in {} of {window}: its runs are averaged over all {WINDOW_MONTHS} months",
            years.join(", ")
        ))
    } else {
        None
    };
    Ok(Count {
        runs_per_month: Decimal::from(days * per_day) / Decimal::from(WINDOW_MONTHS),
        note,
    })
}

fn rate_runs(text: &str, body: &str) -> Result<Decimal> {
    let mut parts = body.split_whitespace();
    let (Some(value), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid(
            text,
            "rate needs a value and a unit, e.g. rate(6 hours)",
        ));
    };
    let value: u32 = value
        .parse()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| invalid(text, "rate value must be a positive whole number"))?;
    // EventBridge wants the singular for 1 and the plural otherwise; accept both.
    let minutes_per_unit: i64 = match unit.trim_end_matches('s') {
        "minute" => 1,
        "hour" => 60,
        "day" => 1440,
        _ => {
            return Err(invalid(
                text,
                "rate unit must be minute(s), hour(s) or day(s)",
            ));
        }
    };
    let window_minutes = Decimal::from(WINDOW_DAYS * 1440) / Decimal::from(WINDOW_MONTHS);
    Ok(window_minutes / Decimal::from(minutes_per_unit * i64::from(value)))
}

/// Day-of-month rule.
#[derive(Debug)]
enum DayOfMonth {
    Any,
    Days(Vec<u32>),
    Last,
    LastWeekday,
    NearestWeekday(u32),
}

/// Day-of-week rule (weekday numbers 1–7 = SUN–SAT).
#[derive(Debug)]
enum DayOfWeek {
    Any,
    Days(Vec<u32>),
    LastOfMonth(u32),
    Nth(u32, u32),
}

#[derive(Debug)]
struct Cron {
    minutes: Vec<u32>,
    hours: Vec<u32>,
    day_of_month: DayOfMonth,
    months: Vec<u32>,
    day_of_week: DayOfWeek,
    /// Years the schedule is active in (`*` is every year EventBridge accepts).
    years: Vec<u32>,
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

impl Cron {
    fn parse(text: &str, body: &str) -> Result<Cron> {
        let fields: Vec<&str> = body.split_whitespace().collect();
        if fields.len() != 6 {
            return Err(invalid(
                text,
                format!("expected 6 fields, found {}", fields.len()),
            ));
        }
        let minutes = list(text, "minutes", fields[0], 0, 59, &[])?;
        let hours = list(text, "hours", fields[1], 0, 23, &[])?;
        let months = list(text, "month", fields[3], 1, 12, &MONTHS)?;
        // The year says in which years the schedule is active: days of other years never match.
        let years = list(text, "year", fields[5], FIRST_YEAR, LAST_YEAR, &[])?;
        let (dom, dow) = (fields[2], fields[4]);
        match (dom == "?", dow == "?") {
            (true, true) => {
                return Err(invalid(
                    text,
                    "only one of day-of-month and day-of-week can be `?`",
                ));
            }
            (false, false) => {
                return Err(invalid(
                    text,
                    "one of day-of-month and day-of-week must be `?`",
                ));
            }
            _ => {}
        }
        let day_of_month = match dom.to_ascii_uppercase().as_str() {
            "?" => DayOfMonth::Any,
            "L" => DayOfMonth::Last,
            "LW" => DayOfMonth::LastWeekday,
            d if d.ends_with('W') => {
                let day = d[..d.len() - 1]
                    .parse()
                    .ok()
                    .filter(|n| (1..=31).contains(n))
                    .ok_or_else(|| invalid(text, "day-of-month W needs a day 1–31, e.g. 15W"))?;
                DayOfMonth::NearestWeekday(day)
            }
            "*" => DayOfMonth::Days((1..=31).collect()),
            _ => DayOfMonth::Days(list(text, "day-of-month", dom, 1, 31, &[])?),
        };
        let upper = dow.to_ascii_uppercase();
        let day_of_week = if upper == "?" {
            DayOfWeek::Any
        } else if let Some((day, nth)) = upper.split_once('#') {
            let day = value(text, "day-of-week", day, 1, 7, &WEEKDAYS)?;
            let nth = nth
                .parse()
                .ok()
                .filter(|n| (1..=5).contains(n))
                .ok_or_else(|| invalid(text, "day-of-week # needs 1–5, e.g. 2#1"))?;
            DayOfWeek::Nth(day, nth)
        } else if upper == "L" {
            DayOfWeek::Days(vec![7])
        } else if let Some(day) = upper.strip_suffix('L') {
            DayOfWeek::LastOfMonth(value(text, "day-of-week", day, 1, 7, &WEEKDAYS)?)
        } else {
            DayOfWeek::Days(list(text, "day-of-week", dow, 1, 7, &WEEKDAYS)?)
        };
        Ok(Cron {
            minutes,
            hours,
            day_of_month,
            months,
            day_of_week,
            years,
        })
    }

    fn matches_day(&self, date: NaiveDate) -> bool {
        let in_years = u32::try_from(date.year()).is_ok_and(|year| self.years.contains(&year));
        if !in_years || !self.months.contains(&date.month()) {
            return false;
        }
        let last = last_day_of_month(date);
        let weekday = date.weekday().number_from_sunday();
        let dom_ok = match &self.day_of_month {
            DayOfMonth::Any => true,
            DayOfMonth::Days(days) => days.contains(&date.day()),
            DayOfMonth::Last => date.day() == last,
            DayOfMonth::LastWeekday => date.day() == nearest_weekday(date, last),
            DayOfMonth::NearestWeekday(day) => {
                *day <= last && date.day() == nearest_weekday(date, *day)
            }
        };
        let dow_ok = match &self.day_of_week {
            DayOfWeek::Any => true,
            DayOfWeek::Days(days) => days.contains(&weekday),
            DayOfWeek::LastOfMonth(day) => *day == weekday && date.day() + 7 > last,
            DayOfWeek::Nth(day, nth) => *day == weekday && (date.day() - 1) / 7 + 1 == *nth,
        };
        dom_ok && dow_ok
    }
}

fn last_day_of_month(date: NaiveDate) -> u32 {
    (28..=31)
        .rev()
        .find(|d| date.with_day(*d).is_some())
        .unwrap_or(28)
}

/// The weekday nearest to `day` in the same month (Quartz/EventBridge `W`: never crosses
/// into another month).
fn nearest_weekday(date: NaiveDate, day: u32) -> u32 {
    let Some(target) = date.with_day(day) else {
        return 0;
    };
    let last = last_day_of_month(date);
    match target.weekday() {
        Weekday::Sat if day == 1 => 3,
        Weekday::Sat => day - 1,
        Weekday::Sun if day == last => day - 2,
        Weekday::Sun => day + 1,
        _ => day,
    }
}

/// One value: a number in range or a name (JAN, MON).
fn value(text: &str, field: &str, token: &str, min: u32, max: u32, names: &[&str]) -> Result<u32> {
    let upper = token.to_ascii_uppercase();
    if let Some(index) = names.iter().position(|n| *n == upper) {
        return Ok(index as u32 + min);
    }
    match token.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        Ok(n) => Err(invalid(text, format!("{field} {n} is outside {min}–{max}"))),
        Err(_) => {
            let named = match (names.first(), names.last()) {
                (Some(first), Some(last)) => format!(" or {first}–{last}"),
                _ => String::new(),
            };
            Err(invalid(
                text,
                format!("{field} `{token}` must be {min}–{max}{named}"),
            ))
        }
    }
}

/// A list: `*`, `a`, `a-b`, `a/step`, `a-b/step`, comma-separated.
fn list(
    text: &str,
    field: &str,
    spec: &str,
    min: u32,
    max: u32,
    names: &[&str],
) -> Result<Vec<u32>> {
    let mut out = Vec::new();
    for part in spec.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => {
                let step: u32 = step.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                    invalid(
                        text,
                        format!("{field} step `{step}` must be a positive number"),
                    )
                })?;
                (range, step)
            }
            None => (part, 1),
        };
        let (low, high) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (
                value(text, field, a, min, max, names)?,
                value(text, field, b, min, max, names)?,
            )
        } else {
            let start = value(text, field, range, min, max, names)?;
            // "5/15" means from 5 every 15 up to the maximum.
            (start, if step > 1 { max } else { start })
        };
        if low > high {
            return Err(invalid(
                text,
                format!("{field} range `{range}` runs backwards"),
            ));
        }
        out.extend((low..=high).step_by(step as usize));
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_distinct_expression_is_counted_once_a_process() {
        let text = "cron(17 3 * * ? *)";
        let first = Schedule::parse_expression_from(text, 2031).unwrap();
        let again = Schedule::parse_expression_from(&format!("  {text} "), 2031).unwrap();
        assert_eq!(first, again);
        let entries = COUNTS.with(|memo| {
            memo.borrow()
                .keys()
                .filter(|(t, year)| t == text && *year == 2031)
                .count()
        });
        assert_eq!(entries, 1);
        // Daily over 2031–2034: 1,461 days / 48 months.
        assert_eq!(
            first.runs_per_month(),
            Decimal::from(1461) / Decimal::from(48)
        );
    }
    use rust_decimal_macros::dec;

    /// The window these tests count in: 2024-01-01 to 2027-12-31 (2024 is the leap year).
    const ANCHOR: i32 = 2024;

    fn monthly_runs(text: &str) -> Result<Decimal> {
        monthly_runs_from(text, ANCHOR)
    }

    #[test]
    fn plain_runs_per_month_range() {
        assert_eq!(Schedule::runs(dec!(0)).unwrap().runs_per_month(), dec!(0));
        assert_eq!(
            Schedule::runs(dec!(1000000)).unwrap().runs_per_month(),
            dec!(1000000)
        );
        assert!(Schedule::runs(dec!(-1)).is_err());
        let err = Schedule::runs(dec!(1000000.5)).unwrap_err().to_string();
        assert_eq!(
            err,
            "runs_per_month: 1000000.5 is more than 1,000,000 runs a month (one every 2.6 s); valid: 0 to 1000000"
        );
        assert!(Schedule::runs(dec!(100000000000000)).is_err());
        // The busiest schedule EventBridge accepts stays well inside the range.
        assert!(monthly_runs("rate(1 minute)").unwrap() < dec!(1000000));
    }

    #[test]
    fn daily_runs_average_month() {
        // 1461 days / 48 months = 30.4375 runs per month.
        assert_eq!(monthly_runs("cron(0 3 * * ? *)").unwrap(), dec!(30.4375));
        assert_eq!(monthly_runs("rate(1 day)").unwrap(), dec!(30.4375));
    }

    #[test]
    fn hourly_and_stepped() {
        // Every hour: 24 × 30.4375 = 730.5.
        assert_eq!(monthly_runs("cron(0 * * * ? *)").unwrap(), dec!(730.5));
        assert_eq!(monthly_runs("rate(1 hour)").unwrap(), dec!(730.5));
        // Every 15 minutes at 9–17h (9 hours) = 4 × 9 per day.
        assert_eq!(
            monthly_runs("cron(0/15 9-17 * * ? *)").unwrap(),
            dec!(36) * dec!(30.4375)
        );
    }

    #[test]
    fn weekdays_monthly_and_special_days() {
        // MON-FRI over 2024-01-01 (a Monday) .. 2027-12-31 (a Friday): 208 whole weeks of
        // 5 weekdays, then Mon 27 – Fri 31 Dec 2027: 208 × 5 + 5 = 1045 days, / 48 months.
        assert_eq!(
            monthly_runs("cron(0 6 ? * MON-FRI *)").unwrap(),
            Decimal::from(1045) / Decimal::from(48)
        );
        // 1st of every month: exactly 1.
        assert_eq!(monthly_runs("cron(0 0 1 * ? *)").unwrap(), dec!(1));
        assert_eq!(monthly_runs("cron(0 0 L * ? *)").unwrap(), dec!(1));
        assert_eq!(monthly_runs("cron(0 0 LW * ? *)").unwrap(), dec!(1));
        assert_eq!(monthly_runs("cron(0 0 15W * ? *)").unwrap(), dec!(1));
        assert_eq!(monthly_runs("cron(0 0 ? * 2#1 *)").unwrap(), dec!(1));
        assert_eq!(monthly_runs("cron(0 0 ? * 6L *)").unwrap(), dec!(1));
        // Quarterly on the 1st: 4 a year × 4 years = 16 runs / 48 months = 1/3.
        assert_eq!(
            monthly_runs("cron(0 0 1 1,4,7,10 ? *)").unwrap(),
            Decimal::from(16) / Decimal::from(48)
        );
    }

    #[test]
    fn rejects_bad_expressions() {
        for bad in [
            "cron(0 3 * * * *)",
            "cron(0 3 ? * ? *)",
            "cron(0 3 * *)",
            "cron(61 3 * * ? *)",
            "cron(0 3 ? * FOO *)",
            "rate(0 days)",
            "rate(5 weeks)",
        ] {
            let err = monthly_runs(bad).unwrap_err().to_string();
            assert!(err.starts_with("schedule: "), "{bad}: {err}");
        }
    }

    #[test]
    fn year_field_limits_the_years_counted() {
        // 2024 (366 days) + 2025 (365 days) = 731 daily runs in the 48 months of 2024–2027.
        let runs = monthly_runs("cron(0 3 * * ? 2024-2025)").unwrap();
        assert_eq!(runs, Decimal::from(731) / Decimal::from(48));
        assert_eq!(runs.round_dp(2), dec!(15.23));
        // 2030 is outside 2024–2027: no runs.
        assert_eq!(monthly_runs("cron(0 3 * * ? 2030)").unwrap(), dec!(0));
        // Once, on 1 January 2025: 1 run / 48 months.
        assert_eq!(
            monthly_runs("cron(0 0 1 1 ? 2025)").unwrap(),
            Decimal::from(1) / Decimal::from(48)
        );
        // A list: the 1st of every month in 2024 and 2027 = 2 × 12 = 24 runs / 48 = 0.5.
        assert_eq!(
            monthly_runs("cron(0 0 1 * ? 2024,2027)").unwrap(),
            dec!(0.5)
        );
        // A step: every second year from 2024 = 2024 and 2026, once each on 1 January.
        assert_eq!(
            monthly_runs("cron(0 0 1 1 ? 2024/2)").unwrap(),
            Decimal::from(2) / Decimal::from(48)
        );
        // `*` and a range covering the window count every year: 1461 days / 48 = 30.4375.
        assert_eq!(monthly_runs("cron(0 3 * * ? *)").unwrap(), dec!(30.4375));
        assert_eq!(
            monthly_runs("cron(0 3 * * ? 1970-2199)").unwrap(),
            dec!(30.4375)
        );
    }

    #[test]
    fn years_outside_eventbridge_range_are_rejected() {
        for (bad, year) in [
            ("cron(0 3 * * ? 2300)", "2300"),
            ("cron(0 3 * * ? 1969)", "1969"),
            ("cron(0 3 * * ? 2024-2300)", "2300"),
        ] {
            let err = monthly_runs(bad).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad}");
            let err = err.to_string();
            assert!(err.starts_with("schedule: "), "{bad}: {err}");
            assert!(
                err.contains(&format!("year {year} is outside 1970–2199")),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn a_schedule_that_never_fires_in_the_window_says_so() {
        let schedule = Schedule::parse_expression_from("cron(0 3 * * ? 2030)", ANCHOR).unwrap();
        assert_eq!(schedule.runs_per_month(), dec!(0));
        assert_eq!(
            schedule.note(),
            Some("cron(0 3 * * ? 2030) fires in none of 2024–2027: counted as 0 runs/month")
        );
        // Partly in the window: the runs are averaged over all 48 months, and the note says so.
        let schedule =
            Schedule::parse_expression_from("cron(0 3 * * ? 2024-2025)", ANCHOR).unwrap();
        assert_eq!(
            schedule.note(),
            Some(
                "cron(0 3 * * ? 2024-2025) fires only in 2024, 2025 of 2024–2027: its runs are averaged over all 48 months"
            )
        );
        // Every year: nothing to explain.
        let daily = Schedule::parse_expression_from("cron(0 3 * * ? *)", ANCHOR).unwrap();
        assert_eq!(daily.note(), None);
        assert_eq!(
            Schedule::parse_expression("rate(1 day)").unwrap().note(),
            None
        );
    }

    #[test]
    fn public_parse_counts_from_the_current_year() {
        let year = Utc::now().year();
        for text in ["cron(0 3 * * ? 2024-2025)", "cron(0 6 ? * MON-FRI *)"] {
            assert_eq!(
                Schedule::parse_expression(text).unwrap(),
                Schedule::parse_expression_from(text, year).unwrap(),
                "{text}"
            );
        }
        // A schedule whose years are all past will not run again: 0 runs, with a note.
        let past = Schedule::parse_expression("cron(0 3 * * ? 1999)").unwrap();
        assert_eq!(past.runs_per_month(), dec!(0));
        assert!(
            past.note().unwrap().contains("fires in none of"),
            "{past:?}"
        );
    }
}
