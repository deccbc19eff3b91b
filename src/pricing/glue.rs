//! Glue pricing: the DPU-hour rate of a configuration (standard, Flex, memory-optimized,
//! Ray, Glue 6.0's Gen2 rates), the price of one Glue job run (reference §3.2: DPUs × hours,
//! per second, 1-minute minimum on Glue 2.0+ and 10 minutes on 0.9/1.0), and the cheapest
//! Glue configuration equivalent to a Fargate size.

use std::time::Duration;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::glue::{
    Engine, ExecutionClass, GlueConfig, GlueVersion, PYTHON_SHELL_CAPACITIES, RateKind,
    SPARK_CANDIDATES, WorkerType, offer,
};
use crate::model::size::Size;
use crate::pricing::book::{Rate, RegionPrices};
use crate::pricing::fargate::{checked_product, for_seconds, whole_seconds};

/// The hourly rate per DPU of `config` in a region. `config` is sold (GlueConfig checks
/// the offer matrix), so a Python shell is never on 6.0 and Flex is only G.1X/G.2X.
pub(crate) fn rate<'a>(
    config: &GlueConfig,
    region_code: &str,
    region: &'a RegionPrices,
) -> Result<&'a Rate> {
    let flex = config.execution_class() == ExecutionClass::Flex;
    let gen2 = config.version().is_gen2();
    let (rate, name) = match (config.worker_type().rate_kind(), flex, gen2) {
        (RateKind::Ray, _, _) => (region.glue_ray_dpu_hour.as_ref(), "Glue Ray M-DPU-hour"),
        // Glue 6.0 bills R workers at its own M-DPU rate ($0.364 vs $0.52 in the reference's
        // 2026 table, §3.5); the price book has no field for it, so refuse rather than charge
        // the ≤ 5.1 rate.
        (RateKind::MemoryOptimized, _, true) => (None, "Glue 6.0 memory-optimized M-DPU-hour"),
        (RateKind::MemoryOptimized, false, false) => (
            region.glue_memory_optimized_dpu_hour.as_ref(),
            "Glue memory-optimized M-DPU-hour",
        ),
        (RateKind::MemoryOptimized, true, false) => (None, "Glue Flex memory-optimized M-DPU-hour"),
        (RateKind::Etl, false, true) => (region.glue_gen2_dpu_hour.as_ref(), "Glue 6.0 DPU-hour"),
        (RateKind::Etl, true, true) => (
            region.glue_gen2_flex_dpu_hour.as_ref(),
            "Glue 6.0 Flex DPU-hour",
        ),
        (RateKind::Etl, false, false) => (Some(&region.glue_dpu_hour), "Glue DPU-hour"),
        (RateKind::Etl, true, false) => (region.glue_flex_dpu_hour.as_ref(), "Glue Flex DPU-hour"),
    };
    rate.ok_or_else(|| Error::MissingRate {
        rate: name.to_string(),
        region: region_code.to_string(),
        hint: String::new(),
    })
}

/// The price of one Glue job run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GlueCost {
    /// Seconds billed (after rounding and the minimum).
    pub billed_seconds: u64,
    /// DPUs billed.
    pub dpu: Decimal,
    /// Rate applied, USD per DPU-hour.
    pub dpu_hour_usd: Decimal,
    /// Total.
    pub total_usd: Decimal,
}

/// Billed seconds of a Glue run that took `duration`.
pub(crate) fn glue_billed_seconds(duration: Duration, config: &GlueConfig) -> u64 {
    whole_seconds(duration).max(config.minimum_billed_seconds())
}

/// Price one Glue job run of `duration` in a region.
pub(crate) fn glue_cost(
    region_code: &str,
    region: &RegionPrices,
    config: &GlueConfig,
    duration: Duration,
) -> Result<GlueCost> {
    let rate = rate(config, region_code, region)?;
    let billed_seconds = glue_billed_seconds(duration, config);
    let dpu = config.dpu();
    Ok(GlueCost {
        billed_seconds,
        dpu,
        dpu_hour_usd: rate.usd,
        total_usd: for_seconds(
            checked_product(dpu, rate.usd, "glue workers")?,
            billed_seconds,
        )?,
    })
}

/// Price one Glue job run Glue metered in DPU-seconds (JobRun.DPUSeconds: Flex runs and
/// auto-scaling runs). Reference §8: "if DPUSeconds present → DPU-hours = DPUSeconds/3600",
/// so the DPU-seconds are the bill and no minimum is added. `execution` is the run's
/// ExecutionTime; its whole seconds are the billed seconds shown, and `dpu` is the average
/// DPUs over them (the configuration's DPUs for a run of 0 s), so that
/// `dpu × billed_seconds × rate / 3600` is the total.
pub(crate) fn glue_cost_dpu_seconds(
    region_code: &str,
    region: &RegionPrices,
    config: &GlueConfig,
    dpu_seconds: Decimal,
    execution: Duration,
) -> Result<GlueCost> {
    if dpu_seconds.is_sign_negative() {
        return Err(Error::invalid(
            "DPUSeconds",
            format!("{dpu_seconds}: Glue reported negative DPU-seconds"),
        ));
    }
    let rate = rate(config, region_code, region)?;
    let billed_seconds = whole_seconds(execution);
    let dpu = match billed_seconds {
        0 => config.dpu(),
        seconds => dpu_seconds / Decimal::from(seconds),
    };
    // Multiply first (USD/DPU-hour × DPU-seconds), then divide: exact when it can be.
    let total_usd = checked_product(rate.usd, dpu_seconds, "DPUSeconds")? / dec!(3600);
    Ok(GlueCost {
        billed_seconds,
        dpu,
        dpu_hour_usd: rate.usd,
        total_usd,
    })
}

/// A Glue configuration chosen as the equivalent of a Fargate size, with why.
#[derive(Debug, Clone)]
pub(crate) struct Equivalent {
    /// The configuration.
    pub config: GlueConfig,
    /// A note when the choice is not the obvious one.
    pub note: Option<String>,
}

/// The cheapest Glue configuration whose workers together give at least `size`'s vCPU and
/// memory: a Python shell for a Python job that fits one (≤ 1 DPU), else Spark workers
/// (at least 2). Ranked by hourly cost in the region; ties go to fewer DPUs. Only
/// configurations AWS sells on `version` are candidates (every one is built by
/// `GlueConfig::new`, which checks the offer matrix), except that a Python shell, which does
/// not run on the Spark versions 4.0 and later, is taken on Glue 3.0 (Python 3.9).
pub(crate) fn equivalent_for(
    size: Size,
    engine: Engine,
    version: GlueVersion,
    region_code: &str,
    region: &RegionPrices,
) -> Result<Equivalent> {
    let (vcpu, memory) = (size.vcpu(), size.memory_gb());
    let fits = |c: &GlueConfig| c.vcpu() >= vcpu && c.memory_gb() >= memory;
    let mut note = None;
    if engine == Engine::Python {
        let shell_version = match offer(WorkerType::PythonShell, version, ExecutionClass::Standard)
        {
            Ok(()) => version,
            Err(_) => GlueVersion::PYTHON_SHELL,
        };
        for capacity in PYTHON_SHELL_CAPACITIES {
            let config = GlueConfig::new(
                WorkerType::PythonShell,
                None,
                shell_version,
                ExecutionClass::Standard,
                Some(capacity),
            )?;
            if fits(&config) {
                return Ok(Equivalent { config, note: None });
            }
        }
        note = Some(format!(
            "{size} is more than a Glue Python shell's 1 DPU (4 vCPU / 16 GB): priced as Glue Spark workers"
        ));
    }
    let mut best: Option<(Decimal, GlueConfig)> = None;
    for worker_type in SPARK_CANDIDATES {
        let Some(row) = worker_type.row() else {
            continue;
        };
        let by_cpu = (vcpu / Decimal::from(row.3)).ceil();
        let by_memory = (memory / Decimal::from(row.4)).ceil();
        let workers = u32::try_from(by_cpu.max(by_memory).max(dec!(2))).unwrap_or(2);
        let Ok(config) = GlueConfig::new(
            worker_type,
            Some(workers),
            version,
            ExecutionClass::Standard,
            None,
        ) else {
            continue; // not sold on this version, e.g. G.4X on 2.0 or R.1X on 3.0
        };
        let Ok(rate) = rate(&config, region_code, region) else {
            continue; // no rate for this worker type in the book
        };
        let hourly = checked_product(config.dpu(), rate.usd, "glue workers")?;
        let better = match &best {
            None => true,
            Some((cost, current)) => {
                hourly < *cost || (hourly == *cost && config.dpu() < current.dpu())
            }
        };
        if better {
            best = Some((hourly, config));
        }
    }
    let (_, config) = best.ok_or_else(|| Error::MissingRate {
        rate: "Glue DPU-hour".into(),
        region: region_code.into(),
        hint: String::new(),
    })?;
    Ok(Equivalent { config, note })
}

#[cfg(test)]
mod tests {
    //! Each expected figure is written out from the reference's rates (us-east-1 unless
    //! said otherwise), so a reader can redo the arithmetic.
    use super::*;
    use crate::model::size::Os;
    use crate::pricing::book::PriceBook;

    fn book() -> PriceBook {
        PriceBook::bundled().unwrap()
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    fn glue(
        worker: WorkerType,
        workers: Option<u32>,
        version: &str,
        class: ExecutionClass,
        cap: Option<Decimal>,
    ) -> GlueConfig {
        GlueConfig::new(
            worker,
            workers,
            GlueVersion::parse(version).unwrap(),
            class,
            cap,
        )
        .unwrap()
    }

    #[test]
    fn glue_worker_types_and_minimums() {
        let book = book();
        let r = book.region("us-east-1").unwrap();
        // 10 × G.1X for 30 min on Glue 4.0: 10 DPU × 0.5 h × 0.44 = 2.2
        let c = glue(
            WorkerType::G1X,
            Some(10),
            "4.0",
            ExecutionClass::Standard,
            None,
        );
        assert_eq!(
            glue_cost("us-east-1", r, &c, secs(1800)).unwrap().total_usd,
            dec!(2.2)
        );
        // 2 × G.2X for 20 s on Glue 4.0 is billed 60 s: 4 DPU × 1/60 h × 0.44 = 0.029333…
        let c = glue(
            WorkerType::G2X,
            Some(2),
            "4.0",
            ExecutionClass::Standard,
            None,
        );
        let cost = glue_cost("us-east-1", r, &c, secs(20)).unwrap();
        assert_eq!(cost.billed_seconds, 60);
        assert_eq!(cost.total_usd.round_dp(6), dec!(0.029333));
        // Glue 1.0, 2 × G.1X for 3 min is billed the 10-minute minimum:
        // 2 DPU × 1/6 h × 0.44 = 0.146666…
        let c = glue(
            WorkerType::G1X,
            Some(2),
            "1.0",
            ExecutionClass::Standard,
            None,
        );
        let cost = glue_cost("us-east-1", r, &c, secs(180)).unwrap();
        assert_eq!(cost.billed_seconds, 600);
        assert_eq!(cost.total_usd.round_dp(6), dec!(0.146667));
        // R.1X ×2 for 1 h: 2 M-DPU × 0.52 = 1.04
        let c = glue(
            WorkerType::R1X,
            Some(2),
            "4.0",
            ExecutionClass::Standard,
            None,
        );
        assert_eq!(
            glue_cost("us-east-1", r, &c, secs(3600)).unwrap().total_usd,
            dec!(1.04)
        );
    }

    #[test]
    fn the_largest_job_prices_without_overflow() {
        let book = book();
        let r = book.region("us-east-1").unwrap();
        // 10,000 × G.16X (the most workers a job may name) = 160,000 DPU × 0.44 = 70,400
        // USD/hour: even for Duration::MAX the checked product stays inside Decimal.
        let c = glue(
            WorkerType::G16X,
            Some(crate::model::glue::MAX_WORKERS),
            "4.0",
            ExecutionClass::Standard,
            None,
        );
        assert!(glue_cost("us-east-1", r, &c, Duration::MAX).is_ok());
        // The longest run (31 days = 744 h) is exact.
        let cost = glue_cost("us-east-1", r, &c, secs(31 * 86_400)).unwrap();
        assert_eq!(cost.total_usd, dec!(70400) * dec!(744));
    }

    #[test]
    fn glue_flex_and_python_shell() {
        let book = book();
        let r = book.region("us-east-1").unwrap();
        // Flex, 5 × G.1X for 1 h: 5 DPU × 0.29 = 1.45
        let c = glue(WorkerType::G1X, Some(5), "4.0", ExecutionClass::Flex, None);
        assert_eq!(
            glue_cost("us-east-1", r, &c, secs(3600)).unwrap().total_usd,
            dec!(1.45)
        );
        // Python shell 0.0625 DPU for 2 h: 0.0625 × 2 × 0.44 = 0.055
        let c = glue(
            WorkerType::PythonShell,
            None,
            "3.0",
            ExecutionClass::Standard,
            Some(dec!(0.0625)),
        );
        assert_eq!(
            glue_cost("us-east-1", r, &c, secs(7200)).unwrap().total_usd,
            dec!(0.055)
        );
        // Python shell 1 DPU for 30 s is billed 1 minute: 1 × 1/60 × 0.44 = 0.007333…
        let c = glue(
            WorkerType::PythonShell,
            None,
            "3.0",
            ExecutionClass::Standard,
            Some(dec!(1)),
        );
        let cost = glue_cost("us-east-1", r, &c, secs(30)).unwrap();
        assert_eq!(cost.billed_seconds, 60);
        assert_eq!(cost.total_usd.round_dp(6), dec!(0.007333));
    }

    #[test]
    fn equivalence_picks_the_cheapest_covering_config() {
        let book = PriceBook::bundled().unwrap();
        let use1 = book.region("us-east-1").unwrap();
        let v4 = GlueVersion::DEFAULT;
        // 1 vCPU / 2 GB Python job fits a 1-DPU Python shell (4 vCPU / 16 GB); 0.0625 DPU
        // has only 0.25 vCPU. Python shells do not run on 4.0: the shell is on 3.0.
        let size = Size::new(1024, 2048, Os::Linux).unwrap();
        let eq = equivalent_for(size, Engine::Python, v4, "us-east-1", use1).unwrap();
        assert_eq!(eq.config.to_string(), "Python shell 1 DPU, Glue 3.0");
        // 0.25 vCPU / 1 GB fits the 0.0625-DPU shell (0.25 vCPU / 1 GB).
        let size = Size::new(256, 1024, Os::Linux).unwrap();
        let eq = equivalent_for(size, Engine::Python, v4, "us-east-1", use1).unwrap();
        assert_eq!(eq.config.dpu(), dec!(0.0625));
        // A 4 vCPU / 8 GB Spark job: 2 × G.1X (8 vCPU, 32 GB) = 2 DPU × $0.44 = $0.88/h.
        let size = Size::new(4096, 8192, Os::Linux).unwrap();
        let eq = equivalent_for(size, Engine::Spark, v4, "us-east-1", use1).unwrap();
        assert_eq!(eq.config.to_string(), "2 × G.1X (2 DPU), Glue 4.0");
        // 16 vCPU / 120 GB: G.1X needs max(16/4, 120/16) = 8 workers = 8 DPU × 0.44 = $3.52/h;
        // R.1X needs max(16/4, 120/32 → 4) = 4 M-DPU × 0.52 = $2.08/h — cheaper.
        let size = Size::new(16384, 122880, Os::Linux).unwrap();
        let eq = equivalent_for(size, Engine::Spark, v4, "us-east-1", use1).unwrap();
        assert_eq!(eq.config.to_string(), "4 × R.1X (4 DPU), Glue 4.0");
        // A Python job too big for a shell goes to Spark workers, with a note.
        let size = Size::new(8192, 16384, Os::Linux).unwrap();
        let eq = equivalent_for(size, Engine::Python, v4, "us-east-1", use1).unwrap();
        assert_eq!(eq.config.worker_type(), WorkerType::G1X);
        assert!(eq.note.is_some());
    }

    #[test]
    fn equivalence_chooses_only_offered_configs() {
        let book = book();
        let use1 = book.region("us-east-1").unwrap();
        let v = |text: &str| GlueVersion::parse(text).unwrap();
        // 16 vCPU / 120 GB on Glue 3.0, where R.1X is not sold: G.1X needs
        // max(16/4, 120/16 → 8) = 8 workers = 8 DPU × 0.44 = $3.52/h; G.2X (4 × 2 DPU) and
        // G.4X (2 × 4 DPU) tie at 8 DPU and the first stays.
        let size = Size::new(16384, 122880, Os::Linux).unwrap();
        let eq = equivalent_for(size, Engine::Spark, v("3.0"), "us-east-1", use1).unwrap();
        assert_eq!(eq.config.to_string(), "8 × G.1X (8 DPU), Glue 3.0");
        // A Python job on Glue 6.0 gets a Python shell on 3.0 at the $0.44 DPU-hour, not
        // the 6.0 (Gen2) Spark rate of $0.308: 1 DPU × 0.44 for 1 h = $0.44.
        let small = Size::new(1024, 2048, Os::Linux).unwrap();
        let eq = equivalent_for(small, Engine::Python, v("6.0"), "us-east-1", use1).unwrap();
        assert_eq!(eq.config.to_string(), "Python shell 1 DPU, Glue 3.0");
        let cost = glue_cost("us-east-1", use1, &eq.config, secs(3600)).unwrap();
        assert_eq!(cost.total_usd, dec!(0.44));
        // On 1.0 the shell stays on 1.0 (Python 3.6).
        let eq = equivalent_for(small, Engine::Python, v("1.0"), "us-east-1", use1).unwrap();
        assert_eq!(eq.config.version(), v("1.0"));
        // Whatever the version, engine and size, the choice is sold.
        let sizes = [
            small,
            Size::new(4096, 8192, Os::Linux).unwrap(),
            Size::new(8192, 61440, Os::Linux).unwrap(),
            size,
        ];
        for version in GlueVersion::ALL {
            for engine in [Engine::Python, Engine::Spark] {
                for size in sizes {
                    let eq = equivalent_for(size, engine, version, "us-east-1", use1).unwrap();
                    let c = &eq.config;
                    assert!(
                        offer(c.worker_type(), c.version(), c.execution_class()).is_ok(),
                        "{size} {engine} on {version}: {c}"
                    );
                }
            }
        }
    }

    #[test]
    fn memory_optimized_on_glue_6_is_not_priced_at_the_older_rate() {
        let book = book();
        let use1 = book.region("us-east-1").unwrap();
        // R.1X on 5.1: 2 M-DPU × 0.52 for 1 h = 1.04.
        let r51 = glue(
            WorkerType::R1X,
            Some(2),
            "5.1",
            ExecutionClass::Standard,
            None,
        );
        assert_eq!(
            glue_cost("us-east-1", use1, &r51, secs(3600))
                .unwrap()
                .total_usd,
            dec!(1.04)
        );
        // On 6.0 the price book has no Gen2 M-DPU rate: refused, not charged 0.52.
        let r60 = glue(
            WorkerType::R1X,
            Some(2),
            "6.0",
            ExecutionClass::Standard,
            None,
        );
        let err = rate(&r60, "us-east-1", use1).unwrap_err().to_string();
        assert!(
            err.contains("Glue 6.0 memory-optimized M-DPU-hour"),
            "{err}"
        );
        // So a 16 vCPU / 120 GB Spark job on 6.0 is G.1X at the Gen2 rate:
        // 8 DPU × 0.308 = $2.464/h (on 4.0 it was 4 × R.1X at 0.52 = $2.08/h).
        let size = Size::new(16384, 122880, Os::Linux).unwrap();
        let v6 = GlueVersion::parse("6.0").unwrap();
        let eq = equivalent_for(size, Engine::Spark, v6, "us-east-1", use1).unwrap();
        assert_eq!(eq.config.to_string(), "8 × G.1X (8 DPU), Glue 6.0");
        let cost = glue_cost("us-east-1", use1, &eq.config, secs(3600)).unwrap();
        assert_eq!(cost.total_usd, dec!(2.464));
    }
}
