//! Fargate versus Glue for one workload: per run and per month, Fargate on-demand, Spot and
//! ARM next to the Glue configuration (explicit or equivalent), with the assumptions stated.

use std::time::Duration;

use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::glue::{self, ExecutionClass, GlueConfig};
use crate::model::size::{Arch, Capacity, Size};
use crate::model::task::FargateTask;
use crate::pricing::book::{Grade, PriceBook, RegionPrices};
use crate::pricing::fargate::{FargateCost, checked_product};
use crate::pricing::glue::{self as glue_pricing, GlueCost};
use crate::pricing::price;

use crate::analysis::workload::ASSUMED_PULL_MB_PER_S;
pub use crate::analysis::workload::Workload;

/// Where the Glue side came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GlueOrigin {
    /// Named by the user.
    Configured,
    /// The cheapest configuration covering the Fargate size.
    Equivalent,
}

/// The priced comparison of one workload.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The input.
    pub workload: Workload,
    /// The Fargate size priced (given, or derived from the Glue config).
    pub size: Size,
    /// Fargate on-demand at the job's OS and architecture.
    pub fargate: FargateCost,
    /// Fargate Spot at the job's architecture, where the book has it.
    pub spot: Option<FargateCost>,
    /// Fargate on-demand on ARM (Linux), where the book has it.
    pub arm: Option<FargateCost>,
    /// Cost of one run at the job's own capacity.
    pub fargate_per_run: Decimal,
    /// Of which the estimated image pull (`Workload::pull_estimate`).
    pub pull_estimate_usd: Option<Decimal>,
    /// Per month at the job's own capacity.
    pub fargate_per_month: Decimal,
    /// The Glue configuration priced.
    pub glue_config: GlueConfig,
    /// Configured or equivalent.
    pub glue_origin: GlueOrigin,
    /// Glue run time.
    pub glue_duration: Duration,
    /// Glue at the configuration's execution class.
    pub glue: GlueCost,
    /// The same configuration on Flex, where Glue allows it.
    pub glue_flex: Option<GlueCost>,
    /// Glue per month.
    pub glue_per_month: Decimal,
    /// Assumptions and warnings to show with the figures.
    pub notes: Vec<String>,
}

impl Comparison {
    /// Glue monthly cost / Fargate monthly cost, if Fargate costs anything.
    pub fn ratio(&self) -> Option<Decimal> {
        // `None` for a zero divisor (and, unreachably, for a quotient past Decimal's range).
        self.glue_per_month.checked_div(self.fargate_per_month)
    }

    /// Monthly saving of Fargate over Glue (negative when Glue is cheaper).
    pub fn monthly_saving(&self) -> Decimal {
        self.glue_per_month - self.fargate_per_month
    }
}

/// The Glue run time for a Fargate run time and a speedup factor (at most u64::MAX
/// nanoseconds, about 584 years).
pub fn glue_duration(duration: Duration, speedup: Decimal) -> Duration {
    checked_glue_duration(duration, speedup).unwrap_or(Duration::from_nanos(u64::MAX))
}

/// The Glue run time, or `None` when it is too long for a `Duration` of u64 nanoseconds
/// (a tiny speedup).
fn checked_glue_duration(duration: Duration, speedup: Decimal) -> Option<Duration> {
    if speedup == Decimal::ONE || speedup <= Decimal::ZERO {
        return Some(duration);
    }
    let nanos = Decimal::from_u128(duration.as_nanos())?
        .checked_div(speedup)?
        .ceil();
    nanos.to_u64().map(Duration::from_nanos)
}

/// The sentence every output carries about durations.
pub fn duration_assumption(speedup: Decimal) -> String {
    if speedup == Decimal::ONE {
        "Assumes a Glue run takes as long as the Fargate run (use --glue-speedup F if Glue is F× faster).".to_string()
    } else {
        format!(
            "Assumes a Glue run takes the Fargate run time / {} (--glue-speedup).",
            speedup.normalize()
        )
    }
}

/// Price a workload on Fargate and Glue.
pub fn compare(book: &PriceBook, workload: &Workload) -> Result<Comparison> {
    let region = book.region(&workload.region)?;
    let code = workload.region.as_str();
    let mut notes = Vec::new();
    let (glue_config, glue_origin, size) = sides(workload, code, region, &mut notes)?;
    let fargate = fargate_side(workload, size, code, region)?;
    let glue_duration = checked_glue_duration(workload.duration, workload.glue_speedup)
        .ok_or_else(|| {
            Error::invalid(
                "glue_speedup",
                format!(
                    "`{}` makes the Glue run (run time / speedup) too long to price",
                    workload.glue_speedup
                ),
            )
        })?;
    let glue_cost = price::glue(code, region, &glue_config, glue_duration)?;
    let glue_flex = match glue_config.with_class(ExecutionClass::Flex) {
        Ok(flex) => price::glue(code, region, &flex, glue_duration).ok(),
        Err(_) => None,
    };
    for key in rate_sources(region, &glue_config) {
        if book.source(&key).is_some_and(|s| s.grade == Grade::Assumed) {
            notes.push(format!(
                "{}: the price book has no Glue rate of its own for {code}; the us-east-1 rate is used (check live prices).",
                workload.name
            ));
        }
    }
    notes.extend(ipv4_assumed(book, region, workload));
    notes.extend(workload.pull_estimate.map(|pull| {
        format!(
            "{}: image pull estimated at {} s ([jobs.ecs] image_size_mb at an assumed {ASSUMED_PULL_MB_PER_S} MB/s; AWS publishes no figure) and billed with each Fargate run; runs on ECS measure it.",
            workload.name,
            pull.as_secs()
        )
    }));
    let runs = workload.runs_per_month;
    Ok(Comparison {
        workload: workload.clone(),
        size,
        fargate_per_month: checked_product(fargate.per_run, runs, "runs_per_month")?,
        fargate_per_run: fargate.per_run,
        pull_estimate_usd: workload.pull_estimate.map(|pull| {
            let own = match workload.capacity {
                Capacity::Spot => fargate.spot.as_ref().unwrap_or(&fargate.on_demand),
                Capacity::OnDemand => &fargate.on_demand,
            };
            own.share(pull)
        }),
        fargate: fargate.on_demand,
        spot: fargate.spot,
        arm: fargate.arm,
        glue_per_month: checked_product(glue_cost.total_usd, runs, "runs_per_month")?,
        glue_config,
        glue_origin,
        glue_duration,
        glue: glue_cost,
        glue_flex,
        notes,
    })
}

/// The Glue configuration and the Fargate size to compare: both given; a Glue config alone
/// (the smallest Fargate size covering it); or a size alone (the cheapest Glue equivalent).
fn sides(
    workload: &Workload,
    code: &str,
    region: &RegionPrices,
    notes: &mut Vec<String>,
) -> Result<(GlueConfig, GlueOrigin, Size)> {
    match (&workload.glue, workload.size) {
        (Some(config), Some(size)) => Ok((config.clone(), GlueOrigin::Configured, size)),
        (Some(config), None) => {
            let (size, warning) = glue::fargate_for(config, workload.os);
            notes.push(format!(
                "{}: Fargate size {size} is the smallest that covers Glue {config}.",
                workload.name
            ));
            notes.extend(warning.map(|w| format!("{}: {w}.", workload.name)));
            Ok((config.clone(), GlueOrigin::Configured, size))
        }
        (None, Some(size)) => {
            let equivalent = glue_pricing::equivalent_for(
                size,
                workload.engine,
                workload.glue_version,
                code,
                region,
            )?;
            notes.extend(equivalent.note.map(|n| format!("{}: {n}.", workload.name)));
            let config = if workload.glue_flex {
                equivalent.config.with_class(ExecutionClass::Flex)?
            } else {
                equivalent.config
            };
            Ok((config, GlueOrigin::Equivalent, size))
        }
        (None, None) => Err(Error::invalid(
            "size",
            format!(
                "job `{}` needs a Fargate size (cpu and memory) or a Glue config",
                workload.name
            ),
        )),
    }
}

/// The Fargate figures of one run: on-demand, Spot and ARM where offered, and the cost at
/// the job's own capacity.
struct FargateSide {
    on_demand: FargateCost,
    spot: Option<FargateCost>,
    arm: Option<FargateCost>,
    per_run: Decimal,
}

fn fargate_side(
    workload: &Workload,
    size: Size,
    code: &str,
    region: &RegionPrices,
) -> Result<FargateSide> {
    let task = FargateTask {
        size,
        os: workload.os,
        arch: workload.arch,
        capacity: Capacity::OnDemand,
        ephemeral_storage_gib: workload.ephemeral_storage_gib,
        public_ip: workload.public_ip,
    };
    // Fargate bills from the image pull's start (reference 10.2), Glue does not pull.
    let billed = workload
        .duration
        .checked_add(workload.pull_estimate.unwrap_or_default())
        .ok_or_else(|| Error::invalid("duration", "plus the image pull is too long to price"))?;
    let on_demand = price::task(code, region, &task, billed)?;
    let priced_if_offered = |t: FargateTask| -> Result<Option<FargateCost>> {
        match region.fargate(t.os, t.arch, t.capacity) {
            Some(_) => price::task(code, region, &t, billed).map(Some),
            None => Ok(None),
        }
    };
    let spot = priced_if_offered(task.with_capacity(Capacity::Spot))?;
    let arm = priced_if_offered(task.with_arch(Arch::Arm64))?;
    let per_run = match workload.capacity {
        Capacity::OnDemand => on_demand.total_usd,
        Capacity::Spot => spot
            .as_ref()
            .map(|s| s.total_usd)
            .ok_or_else(|| Error::MissingRate {
                rate: format!("Fargate Spot {} {}", workload.os, workload.arch),
                region: code.into(),
                hint: match workload.os {
                    crate::model::size::Os::Windows => format!(
                        "; job `{}` runs on Spot, and Fargate Spot runs Linux tasks only",
                        workload.name
                    ),
                    crate::model::size::Os::Linux => format!(
                        "; job `{}` runs on Spot. {}",
                        workload.name,
                        crate::pricing::spot::MISSING_HINT
                    ),
                },
            })?,
    };
    Ok(FargateSide {
        on_demand,
        spot,
        arm,
        per_run,
    })
}

/// The note for a job with a public IP priced at another region's address-hour.
fn ipv4_assumed(book: &PriceBook, region: &RegionPrices, workload: &Workload) -> Option<String> {
    let rate = region.public_ipv4_address_hour.as_ref()?;
    let assumed = book
        .source(&rate.source)
        .is_some_and(|s| s.grade == Grade::Assumed);
    (workload.public_ip && assumed).then(|| {
        format!(
            "{}: the price book has no public IPv4 figure of its own for {}; ${}/address-hour (us-east-1, the announced global price) is used (check live prices).",
            workload.name, workload.region, rate.usd.normalize()
        )
    })
}

fn rate_sources(region: &RegionPrices, config: &GlueConfig) -> Vec<String> {
    glue_pricing::rate(config, "", region)
        .map(|r| vec![r.source.clone()])
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::glue::{Engine, GlueVersion};
    use crate::model::size::Os;
    use rust_decimal_macros::dec;

    fn workload() -> Workload {
        crate::analysis::workload::example()
    }

    #[test]
    fn python_job_against_python_shell() {
        let book = PriceBook::bundled().unwrap();
        let c = compare(&book, &workload()).unwrap();
        // Fargate: 0.75 h × 0.04937 = 0.0370275 per run; × 30 = 1.110825 per month.
        assert_eq!(c.fargate_per_run, dec!(0.0370275));
        assert_eq!(c.fargate_per_month, dec!(1.110825));
        // Glue: 1-DPU Python shell, 0.75 h × 0.44 = 0.33 per run, 9.9 per month.
        assert_eq!(c.glue.total_usd, dec!(0.33));
        assert_eq!(c.glue_per_month, dec!(9.9));
        // Flex does not run Python shells.
        assert!(c.glue_flex.is_none());
        // ratio 9.9 / 1.110825 = 8.912290...
        assert_eq!(c.ratio().unwrap().round_dp(4), dec!(8.9123));
        assert_eq!(c.monthly_saving(), dec!(8.789175));
    }

    #[test]
    fn speedup_and_spot_capacity() {
        let book = PriceBook::bundled().unwrap();
        let mut w = workload();
        w.engine = Engine::Spark;
        w.capacity = Capacity::Spot;
        w.glue_speedup = dec!(1.5);
        let c = compare(&book, &w).unwrap();
        // Glue time 2700 / 1.5 = 1800 s; 2 × G.1X = 2 DPU × 0.5 h × 0.44 = 0.44.
        assert_eq!(c.glue.billed_seconds, 1800);
        assert_eq!(c.glue.total_usd, dec!(0.44));
        // Flex: 2 DPU × 0.5 h × 0.29 = 0.29.
        assert_eq!(c.glue_flex.unwrap().total_usd, dec!(0.29));
        // Spot per run: 0.75 × (0.01264355 + 2 × 0.00138835) = 0.75 × 0.01542025 = 0.0115651875
        assert_eq!(c.fargate_per_run, dec!(0.0115651875));
    }

    #[test]
    fn monthly_costs_past_decimal_range_are_input_errors() {
        // What the flags' ranges refuse, built directly: 16 vCPU / 120 GB for 2^64 s costs
        // about 6 × 10^15 a run; 10^20 runs a month is past Decimal's 7.9 × 10^28.
        let book = PriceBook::bundled().unwrap();
        let mut w = workload();
        w.size = Some(Size::new(16384, 122880, Os::Linux).unwrap());
        w.duration = Duration::from_secs(u64::MAX);
        w.runs_per_month = dec!(100000000000000000000);
        let err = compare(&book, &w).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().starts_with("runs_per_month: "), "{err}");
        assert!(err.to_string().ends_with("is too large to price"), "{err}");
        // At the limits (31 days, 1,000,000 runs a month) it is priced.
        w.duration = Duration::from_secs(31 * 86_400);
        w.runs_per_month = dec!(1000000);
        let c = compare(&book, &w).unwrap();
        assert_eq!(c.fargate_per_month, c.fargate_per_run * dec!(1000000));
    }

    #[test]
    fn a_speedup_too_small_to_price_is_an_input_error() {
        let book = PriceBook::bundled().unwrap();
        let mut w = workload();
        w.glue_speedup = dec!(0.00000000000000000001);
        let err = compare(&book, &w).unwrap_err().to_string();
        assert!(
            err.starts_with(
                "glue_speedup: `0.00000000000000000001` makes the Glue run (run time / speedup) too long to price"
            ),
            "{err}"
        );
        // The public helper saturates instead (about 584 years).
        assert_eq!(
            glue_duration(w.duration, w.glue_speedup),
            Duration::from_nanos(u64::MAX)
        );
        assert_eq!(
            glue_duration(Duration::from_secs(2700), dec!(1.5)),
            Duration::from_secs(1800)
        );
    }

    #[test]
    fn glue_only_workload_derives_the_fargate_size() {
        let book = PriceBook::bundled().unwrap();
        let mut w = workload();
        w.size = None;
        w.glue = Some(
            GlueConfig::new(
                crate::model::glue::WorkerType::G1X,
                Some(2),
                GlueVersion::DEFAULT,
                ExecutionClass::Standard,
                None,
            )
            .unwrap(),
        );
        let c = compare(&book, &w).unwrap();
        assert_eq!(c.size.to_string(), "8 vCPU / 32 GB");
        assert_eq!(c.glue_origin, GlueOrigin::Configured);
    }

    #[test]
    fn an_estimated_pull_of_40_s_on_a_60_s_job_is_billed_on_fargate_only() {
        let book = PriceBook::bundled().unwrap();
        let mut w = workload();
        w.size = Some(Size::new(256, 512, Os::Linux).unwrap());
        w.duration = Duration::from_secs(60);
        // 600 MB at the assumed 15 MB/s = 40 s.
        w.pull_estimate = Some(crate::analysis::workload::estimated_pull(600));
        assert_eq!(w.pull_estimate, Some(Duration::from_secs(40)));
        let c = compare(&book, &w).unwrap();
        // Fargate bills pull + run = 100 s: 0.0123425 × 100 / 3600 = 0.000342847…
        assert_eq!(c.fargate.billed_seconds, 100);
        assert_eq!(c.fargate_per_run, dec!(0.0123425) * dec!(100) / dec!(3600));
        // Of which the pull: 0.0123425 × 40 / 3600 = 0.000137138… (40 % of the run).
        assert_eq!(
            c.pull_estimate_usd.unwrap(),
            dec!(0.0123425) * dec!(40) / dec!(3600)
        );
        // Glue pulls no image: its 0.0625-DPU Python shell bills the 60 s run only,
        // 0.0625 × 0.44 × 60 / 3600 = 0.000458333….
        assert_eq!(c.glue.billed_seconds, 60);
        assert!(
            c.notes
                .iter()
                .any(|n| n.contains("image pull estimated at 40 s"))
        );
    }
}
