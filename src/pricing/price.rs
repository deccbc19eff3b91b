//! The one place a price is computed. Every path — `compare`, `run`, `tune`, `report`,
//! `import` — prices a Fargate task or a recorded run through [`task`] / [`run`], and a
//! Glue run through [`glue`], so a billing rule has exactly one implementation.

use std::time::Duration;

use crate::error::{Error, Result};
use crate::model::glue::GlueConfig;
use crate::model::run::Run;
use crate::model::task::FargateTask;
use crate::pricing::book::{PriceBook, RegionPrices};
use crate::pricing::fargate::{self, FargateCost};
use crate::pricing::glue::{self as glue_rules, GlueCost};

/// Price one Fargate task that ran (or will run) for `duration` in a region.
pub fn task(
    region_code: &str,
    prices: &RegionPrices,
    task: &FargateTask,
    duration: Duration,
) -> Result<FargateCost> {
    fargate::fargate_cost(region_code, prices, task, duration)
}

/// Price a recorded run from its record: its region, size, platform, capacity, storage and
/// billed window (`duration_ms`, from image pull start — or launch, for local runs — to
/// stop).
pub fn run(book: &PriceBook, run: &Run) -> Result<FargateCost> {
    let fargate_task = run.task().ok_or_else(|| {
        Error::invalid(
            "run record",
            format!(
                "run {}: {} CPU units / {} MiB is not a valid Fargate {} size",
                run.id, run.cpu_units, run.memory_mib, run.os
            ),
        )
    })?;
    let prices = book.region(&run.region)?;
    task(
        &run.region,
        prices,
        &fargate_task,
        Duration::from_millis(run.duration_ms),
    )
}

/// Price one Glue job run of `duration` in a region.
pub fn glue(
    region_code: &str,
    prices: &RegionPrices,
    config: &GlueConfig,
    duration: Duration,
) -> Result<GlueCost> {
    glue_rules::glue_cost(region_code, prices, config, duration)
}

/// Price one Glue job run as Glue billed it: by its DPU-seconds when Glue reported them
/// (Flex, auto scaling; reference §8), else as [`glue`] does — `execution` (ExecutionTime)
/// with the version's minimum × the configuration's DPUs. Rates by execution class and
/// version (Flex, Glue 6.0 Gen2) either way.
pub fn glue_run(
    region_code: &str,
    prices: &RegionPrices,
    config: &GlueConfig,
    execution: Duration,
    dpu_seconds: Option<rust_decimal::Decimal>,
) -> Result<GlueCost> {
    match dpu_seconds {
        Some(dpu_seconds) => {
            glue_rules::glue_cost_dpu_seconds(region_code, prices, config, dpu_seconds, execution)
        }
        None => glue(region_code, prices, config, execution),
    }
}

#[cfg(test)]
mod tests {
    //! The Glue billing rules `import glue` applies, through [`glue_run`]: the fields moto
    //! does not fill (DPUSeconds, Flex, a Python shell's DPU, Glue 6.0, a short 0.9 run).
    //! Rates: us-east-1 from the reference — $0.44 / DPU-hour, Flex $0.29 (§3.1); Glue 6.0
    //! $0.308, 6.0 Flex $0.203 (§3.5).
    use super::*;
    use crate::model::glue::{ExecutionClass, GlueVersion, WorkerType};
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    fn config(
        worker: WorkerType,
        workers: Option<u32>,
        version: &str,
        class: ExecutionClass,
        capacity: Option<Decimal>,
    ) -> GlueConfig {
        let version = GlueVersion::parse(version).unwrap();
        GlueConfig::new(worker, workers, version, class, capacity).unwrap()
    }

    fn priced(config: &GlueConfig, seconds: u64, dpu_seconds: Option<Decimal>) -> GlueCost {
        let book = PriceBook::bundled().unwrap();
        let prices = book.region("us-east-1").unwrap();
        let execution = Duration::from_secs(seconds);
        glue_run("us-east-1", prices, config, execution, dpu_seconds).unwrap()
    }

    #[test]
    fn dpu_seconds_are_the_bill_when_glue_reports_them() {
        // Flex, 10 × G.1X on 4.0, ran 900 s but Glue metered 5,400 DPU-seconds:
        // 5400 / 3600 = 1.5 DPU-hours × 0.29 = 0.435 (not 10 DPU × 0.25 h × 0.29 = 0.725).
        let flex = config(WorkerType::G1X, Some(10), "4.0", ExecutionClass::Flex, None);
        let cost = priced(&flex, 900, Some(dec!(5400)));
        assert_eq!(cost.total_usd, dec!(0.435));
        assert_eq!(cost.dpu_hour_usd, dec!(0.29));
        // Billed seconds are the execution time; DPUs its average: 5400 / 900 = 6.
        assert_eq!((cost.billed_seconds, cost.dpu), (900, dec!(6)));
        // Auto scaling on the standard class, 10 × G.2X on 4.0: 7,200 DPU-seconds =
        // 2 DPU-hours × 0.44 = 0.88.
        let auto = config(
            WorkerType::G2X,
            Some(10),
            "4.0",
            ExecutionClass::Standard,
            None,
        );
        assert_eq!(priced(&auto, 1800, Some(dec!(7200))).total_usd, dec!(0.88));
        // No minimum on top of DPUSeconds (reference §8): Flex 2 × G.1X metered 40
        // DPU-seconds in 20 s = 40 × 0.29 / 3600 = 0.003222…
        let small = config(WorkerType::G1X, Some(2), "4.0", ExecutionClass::Flex, None);
        let cost = priced(&small, 20, Some(dec!(40)));
        assert_eq!(cost.total_usd, dec!(40) * dec!(0.29) / dec!(3600));
        assert_eq!(cost.total_usd.round_dp(6), dec!(0.003222));
        // A fractional DPUSeconds stays exact: 1234.5 × 0.44 / 3600 = 0.150883…
        let cost = priced(&auto, 600, Some(dec!(1234.5)));
        assert_eq!(cost.total_usd, dec!(1234.5) * dec!(0.44) / dec!(3600));
    }

    #[test]
    fn negative_dpu_seconds_are_refused() {
        let book = PriceBook::bundled().unwrap();
        let prices = book.region("us-east-1").unwrap();
        let c = config(WorkerType::G1X, Some(2), "4.0", ExecutionClass::Flex, None);
        let err = glue_run(
            "us-east-1",
            prices,
            &c,
            Duration::from_secs(60),
            Some(dec!(-1)),
        )
        .unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().starts_with("DPUSeconds: -1"), "{err}");
    }

    #[test]
    fn without_dpu_seconds_execution_time_and_the_version_minimum_are_billed() {
        // Flex without DPUSeconds: 2 × G.1X on 3.0 for 1 h = 2 DPU × 0.29 = 0.58.
        let flex = config(WorkerType::G1X, Some(2), "3.0", ExecutionClass::Flex, None);
        assert_eq!(priced(&flex, 3600, None).total_usd, dec!(0.58));
        // Python shell 0.0625 DPU for 10 min: 0.0625 × 600 / 3600 × 0.44 = 0.004583…
        let small = config(
            WorkerType::PythonShell,
            None,
            "3.0",
            ExecutionClass::Standard,
            Some(dec!(0.0625)),
        );
        let cost = priced(&small, 600, None);
        assert_eq!(
            cost.total_usd,
            dec!(0.0625) * dec!(600) * dec!(0.44) / dec!(3600)
        );
        assert_eq!(cost.total_usd.round_dp(6), dec!(0.004583));
        // Python shell 1 DPU for 30 s is billed its 1-minute minimum: 60 / 3600 × 0.44.
        let big = config(
            WorkerType::PythonShell,
            None,
            "3.0",
            ExecutionClass::Standard,
            Some(dec!(1)),
        );
        let cost = priced(&big, 30, None);
        assert_eq!(cost.billed_seconds, 60);
        assert_eq!(cost.total_usd.round_dp(6), dec!(0.007333));
        // Glue 6.0 (Gen2): 2 × G.1X for 30 min = 2 × 0.5 × 0.308 = 0.308; on Flex with
        // 3,600 DPU-seconds = 1 DPU-hour × 0.203 = 0.203.
        let gen2 = config(
            WorkerType::G1X,
            Some(2),
            "6.0",
            ExecutionClass::Standard,
            None,
        );
        assert_eq!(priced(&gen2, 1800, None).total_usd, dec!(0.308));
        let gen2_flex = config(WorkerType::G1X, Some(2), "6.0", ExecutionClass::Flex, None);
        assert_eq!(
            priced(&gen2_flex, 2000, Some(dec!(3600))).total_usd,
            dec!(0.203)
        );
        // Glue 0.9, 2 × G.1X, 5 min is billed the 10-minute minimum:
        // 2 × 600 / 3600 × 0.44 = 0.146666…; Standard 10 DPU on 0.9 for 123 s: 0.733333…
        let old = config(
            WorkerType::G1X,
            Some(2),
            "0.9",
            ExecutionClass::Standard,
            None,
        );
        let cost = priced(&old, 300, None);
        assert_eq!(cost.billed_seconds, 600);
        assert_eq!(cost.total_usd.round_dp(6), dec!(0.146667));
        let standard = config(
            WorkerType::Standard,
            Some(10),
            "0.9",
            ExecutionClass::Standard,
            None,
        );
        assert_eq!(
            priced(&standard, 123, None).total_usd.round_dp(6),
            dec!(0.733333)
        );
        // Glue 2.0 has the 1-minute minimum: 2 × G.1X for 20 s = 2 × 60 / 3600 × 0.44.
        let v2 = config(
            WorkerType::G1X,
            Some(2),
            "2.0",
            ExecutionClass::Standard,
            None,
        );
        assert_eq!(priced(&v2, 20, None).billed_seconds, 60);
    }
}
