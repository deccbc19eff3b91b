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
