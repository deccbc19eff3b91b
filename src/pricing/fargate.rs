//! Fargate's billing rule as pure functions: what AWS charges for one Fargate task of a
//! given duration. Money is exact (`Decimal`); rounding happens only on display.
//!
//! Fargate (reference §1.1): per second, rounded up, from image pull start to task stop;
//! 1-minute minimum on Linux, 5 minutes on Windows; memory GB = MiB / 1024; ephemeral
//! storage above the free 20 GB; Windows adds an OS license fee per vCPU-hour.
//!
//! A task launched with a public IP also pays Amazon VPC's public IPv4 address-hour
//! (reference 10.1: per second, $0.005/h, no free tier for Fargate). The address is attached
//! with the task's network interface before the image pull starts and released after the
//! task stops, so it is held at least for the billed window: pricing it for the billed
//! seconds never overstates it.

use std::time::Duration;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::size::{Arch, Capacity, FREE_EPHEMERAL_GIB, Os};
use crate::model::task::FargateTask;
use crate::pricing::book::RegionPrices;

const SECONDS_PER_HOUR: u64 = 3600;

/// Whole seconds, rounded up ("rounded up to the nearest second").
pub(crate) fn whole_seconds(duration: Duration) -> u64 {
    // Saturates: `Duration::MAX` has a fraction of a second past u64::MAX seconds.
    duration
        .as_secs()
        .saturating_add(u64::from(duration.subsec_nanos() > 0))
}

/// Minimum billed seconds of a Fargate task: 60 on Linux, 300 on Windows.
pub(crate) fn fargate_minimum_seconds(os: Os) -> u64 {
    match os {
        Os::Linux => 60,
        Os::Windows => 300,
    }
}

/// Billed seconds of a Fargate task that ran `duration`.
pub(crate) fn fargate_billed_seconds(duration: Duration, os: Os) -> u64 {
    whole_seconds(duration).max(fargate_minimum_seconds(os))
}

/// The price of one Fargate task, with its parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FargateCost {
    /// Seconds billed (after rounding and the minimum).
    pub billed_seconds: u64,
    /// vCPU part.
    pub cpu_usd: Decimal,
    /// Memory part.
    pub memory_usd: Decimal,
    /// Windows OS license part.
    pub os_license_usd: Decimal,
    /// Ephemeral storage above 20 GB.
    pub storage_usd: Decimal,
    /// The public IPv4 address (Amazon VPC), when the task has one.
    pub public_ipv4_usd: Decimal,
    /// Total.
    pub total_usd: Decimal,
}

impl FargateCost {
    /// The cost of `part` of the billed window (e.g. the image pull, which Fargate bills
    /// like the rest: reference 10.2): total × part / billed, which is the same as the
    /// hourly rate × part / 3600 and never more than the total.
    pub fn share(&self, part: Duration) -> Decimal {
        // The address is its own part (public_ipv4_usd) for the whole window: the share is
        // of the rest, so the parts add up instead of counting the address twice.
        share_of(
            self.total_usd - self.public_ipv4_usd,
            self.billed_seconds,
            part,
        )
    }

    /// What the run record keeps of this price.
    pub fn billed(&self) -> crate::model::run::Billed {
        crate::model::run::Billed {
            seconds: self.billed_seconds,
            usd: self.total_usd,
            public_ipv4_usd: self.public_ipv4_usd,
        }
    }
}

/// `total × part / billed seconds`, capped at the total; 0 when nothing is billed.
pub(crate) fn share_of(total: Decimal, billed_seconds: u64, part: Duration) -> Decimal {
    let whole_ms = Decimal::from(billed_seconds) * Decimal::from(1000);
    let part_ms = Decimal::from(u64::try_from(part.as_millis()).unwrap_or(u64::MAX));
    if whole_ms.is_zero() || part_ms >= whole_ms {
        return if whole_ms.is_zero() {
            Decimal::ZERO
        } else {
            total
        };
    }
    // total ≤ $100,000 a run and part < whole: the product stays far inside Decimal's range.
    total
        .checked_mul(part_ms)
        .and_then(|p| p.checked_div(whole_ms))
        .unwrap_or(total)
}

/// An hourly amount for some seconds. Multiplies before dividing, so the result is exact
/// whenever it has a finite decimal form (0.1027755 × 300 / 3600 = 0.008564625).
pub(crate) fn for_seconds(hourly: Decimal, seconds: u64) -> Result<Decimal> {
    checked_product(hourly, Decimal::from(seconds), "duration")?
        .checked_div(Decimal::from(SECONDS_PER_HOUR))
        .ok_or_else(|| too_large("duration", format!("{hourly} USD/hour for {seconds} s")))
}

/// `a × b`, or an input error naming `field` when the product does not fit a `Decimal`
/// (about 7.9 × 10^28). The valid ranges — a run takes at most 31 days, at most 1,000,000
/// runs a month, sizes from the catalog — keep every real cost far below that; this is the
/// second line of defence, so an odd record or a new caller gets an error, never a panic.
pub(crate) fn checked_product(a: Decimal, b: Decimal, field: &str) -> Result<Decimal> {
    a.checked_mul(b)
        .ok_or_else(|| too_large(field, format!("{a} × {b}")))
}

/// The sum of `parts`, or an input error naming `field` (see [`checked_product`]).
pub(crate) fn checked_sum(parts: &[Decimal], field: &str) -> Result<Decimal> {
    parts.iter().try_fold(Decimal::ZERO, |sum, part| {
        sum.checked_add(*part)
            .ok_or_else(|| too_large(field, format!("{sum} + {part}")))
    })
}

fn too_large(field: &str, what: String) -> Error {
    Error::invalid(field, format!("{what} is too large to price"))
}

/// Price one Fargate task that ran for `duration` in a region.
pub(crate) fn fargate_cost(
    region_code: &str,
    region: &RegionPrices,
    task: &FargateTask,
    duration: Duration,
) -> Result<FargateCost> {
    let rate = region
        .fargate(task.os, task.arch, task.capacity)
        .ok_or_else(|| missing_fargate_rate(region_code, task))?;
    let billed_seconds = fargate_billed_seconds(duration, task.os);
    let vcpu = task.size.vcpu();
    let cpu_hourly = checked_product(vcpu, rate.vcpu_hour, "cpu")?;
    let memory_hourly = checked_product(task.size.memory_gb(), rate.gb_hour, "memory")?;
    let os_license_hourly = match task.os {
        Os::Linux => Decimal::ZERO,
        Os::Windows => {
            let fee = rate
                .os_license_vcpu_hour
                .ok_or_else(|| Error::MissingRate {
                    rate: "Fargate Windows OS license".into(),
                    region: region_code.into(),
                    hint: String::new(),
                })?;
            checked_product(vcpu, fee, "cpu")?
        }
    };
    let extra_gib = task
        .ephemeral_storage_gib
        .saturating_sub(FREE_EPHEMERAL_GIB);
    let storage_hourly = if extra_gib == 0 {
        Decimal::ZERO
    } else {
        let rate = region
            .ephemeral_storage_gb_hour
            .as_ref()
            .ok_or_else(|| Error::MissingRate {
                rate: "Fargate ephemeral storage".into(),
                region: region_code.into(),
                hint: format!(
                    "; the job asks for {} GB, {extra_gib} GB above the free {FREE_EPHEMERAL_GIB} GB",
                    task.ephemeral_storage_gib
                ),
            })?;
        checked_product(Decimal::from(extra_gib), rate.usd, "ephemeral_storage_gb")?
    };
    let ipv4_hourly = if task.public_ip {
        public_ipv4_rate(region_code, region)?
    } else {
        Decimal::ZERO
    };
    let hourly = checked_sum(
        &[
            cpu_hourly,
            memory_hourly,
            os_license_hourly,
            storage_hourly,
            ipv4_hourly,
        ],
        "size",
    )?;
    Ok(FargateCost {
        billed_seconds,
        cpu_usd: for_seconds(cpu_hourly, billed_seconds)?,
        memory_usd: for_seconds(memory_hourly, billed_seconds)?,
        os_license_usd: for_seconds(os_license_hourly, billed_seconds)?,
        storage_usd: for_seconds(storage_hourly, billed_seconds)?,
        public_ipv4_usd: for_seconds(ipv4_hourly, billed_seconds)?,
        total_usd: for_seconds(hourly, billed_seconds)?,
    })
}

/// The region's public IPv4 address-hour. The bundled book has one for every region (the
/// us-east-1 figure, flagged assumed, where no capture was read); a region added by a price
/// cache without it is an error only for a job that asks for a public IP.
fn public_ipv4_rate(region_code: &str, region: &RegionPrices) -> Result<Decimal> {
    region
        .public_ipv4_address_hour
        .as_ref()
        .map(|r| r.usd)
        .ok_or_else(|| Error::MissingRate {
            rate: "public IPv4 address-hour (Amazon VPC)".into(),
            region: region_code.into(),
            hint: "; the job has assign_public_ip = true: run `fargate-cost prices update` for this region, or use a private subnet".into(),
        })
}

fn missing_fargate_rate(region_code: &str, task: &FargateTask) -> Error {
    let hint = match (task.os, task.arch, task.capacity) {
        (Os::Windows, Arch::Arm64, _) => "; Fargate runs Windows on x86_64 only".to_string(),
        (Os::Windows, _, Capacity::Spot) => "; Fargate Spot runs Linux tasks only".to_string(),
        (Os::Linux, _, Capacity::Spot) => format!("; {}", crate::pricing::spot::MISSING_HINT),
        _ => "; see `fargate-cost prices show` for the regions that have it".to_string(),
    };
    Error::MissingRate {
        rate: format!("Fargate {} {} {}", task.os, task.arch, task.capacity),
        region: region_code.to_string(),
        hint,
    }
}

#[cfg(test)]
mod tests {
    //! Each expected figure is written out from the reference's rates (us-east-1 unless
    //! said otherwise), so a reader can redo the arithmetic.
    use super::*;
    use crate::model::size::Size;
    use crate::pricing::book::PriceBook;
    use rust_decimal_macros::dec;

    fn book() -> PriceBook {
        PriceBook::bundled().unwrap()
    }

    fn task(cpu: u32, mib: u32, os: Os, arch: Arch, capacity: Capacity, gib: u32) -> FargateTask {
        FargateTask {
            size: Size::new(cpu, mib, os).unwrap(),
            os,
            arch,
            capacity,
            ephemeral_storage_gib: gib,
            public_ip: false,
        }
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn linux_x86_per_second() {
        let book = book();
        let r = book.region("us-east-1").unwrap();
        // 1 vCPU / 2 GB for 45 min = 2700 s = 0.75 h:
        // 0.75 × (1 × 0.04048 + 2 × 0.004445) = 0.75 × 0.04937 = 0.0370275
        let t = task(1024, 2048, Os::Linux, Arch::X86_64, Capacity::OnDemand, 20);
        let c = fargate_cost("us-east-1", r, &t, secs(2700)).unwrap();
        assert_eq!(c.billed_seconds, 2700);
        assert_eq!(c.total_usd, dec!(0.0370275));
        // 100.2 s rounds up to 101 s: 0.04937 × 101 / 3600 = 4.98637 / 3600 = 0.00138510277…
        let c = fargate_cost("us-east-1", r, &t, Duration::from_millis(100_200)).unwrap();
        assert_eq!(c.billed_seconds, 101);
        assert_eq!(c.total_usd.round_dp(9), dec!(0.001385103));
    }

    #[test]
    fn linux_one_minute_minimum() {
        let book = book();
        let r = book.region("us-east-1").unwrap();
        // 0.25 vCPU / 0.5 GB for 10 s is billed 60 s:
        // 60/3600 × (0.25 × 0.04048 + 0.5 × 0.004445) = 1/60 × 0.0123425 = 0.000205708…
        let t = task(256, 512, Os::Linux, Arch::X86_64, Capacity::OnDemand, 20);
        let c = fargate_cost("us-east-1", r, &t, secs(10)).unwrap();
        assert_eq!(c.billed_seconds, 60);
        assert_eq!(c.total_usd.round_dp(9), dec!(0.000205708));
    }

    #[test]
    fn arm_rates() {
        let book = book();
        let r = book.region("us-east-1").unwrap();
        // 2 vCPU / 4 GB ARM for 1 h: 2 × 0.03238 + 4 × 0.00356 = 0.06476 + 0.01424 = 0.079
        let t = task(2048, 4096, Os::Linux, Arch::Arm64, Capacity::OnDemand, 20);
        let c = fargate_cost("us-east-1", r, &t, secs(3600)).unwrap();
        assert_eq!(c.total_usd, dec!(0.079));
    }

    #[test]
    fn spot_rates() {
        let book = book();
        let r = book.region("us-east-1").unwrap();
        // 1 vCPU / 2 GB Spot for 1 h: 0.01264355 + 2 × 0.00138835 = 0.01542025
        let t = task(1024, 2048, Os::Linux, Arch::X86_64, Capacity::Spot, 20);
        let c = fargate_cost("us-east-1", r, &t, secs(3600)).unwrap();
        assert_eq!(c.total_usd, dec!(0.01542025));
    }

    #[test]
    fn windows_five_minute_minimum_and_os_license() {
        let book = book();
        let r = book.region("us-east-1").unwrap();
        // 1 vCPU / 2 GB Windows for 2 min is billed 5 min = 300 s = 1/12 h:
        // vCPU 1 × 0.046552 + memory 2 × 0.00511175 + license 1 × 0.046 = 0.1027755 per h,
        // / 12 = 0.008564625
        let t = task(
            1024,
            2048,
            Os::Windows,
            Arch::X86_64,
            Capacity::OnDemand,
            20,
        );
        let c = fargate_cost("us-east-1", r, &t, secs(120)).unwrap();
        assert_eq!(c.billed_seconds, 300);
        assert_eq!(c.os_license_usd.round_dp(12), dec!(0.003833333333));
        assert_eq!(c.total_usd, dec!(0.008564625));
    }

    #[test]
    fn extra_ephemeral_storage() {
        let book = book();
        let r = book.region("us-east-1").unwrap();
        // 1 vCPU / 2 GB with 50 GB storage for 1 h: 0.04937 + (50 − 20) × 0.000111
        // = 0.04937 + 0.00333 = 0.0527
        let t = task(1024, 2048, Os::Linux, Arch::X86_64, Capacity::OnDemand, 50);
        let c = fargate_cost("us-east-1", r, &t, secs(3600)).unwrap();
        assert_eq!(c.storage_usd, dec!(0.00333));
        assert_eq!(c.total_usd, dec!(0.0527));
        // A region without a storage rate refuses rather than guessing.
        let eu = book.region("eu-west-1").unwrap();
        let err = fargate_cost("eu-west-1", eu, &t, secs(3600)).unwrap_err();
        assert!(err.to_string().contains("ephemeral storage"), "{err}");
    }

    #[test]
    fn costs_too_large_for_a_decimal_are_errors() {
        // The largest task for the longest Duration (584 billion years) still fits:
        // 2^64 s × (16 × 0.04048 + 120 × 0.004445 + 180 × 0.000111) / 3600 ≈ 6.1 × 10^15.
        let book = book();
        let r = book.region("us-east-1").unwrap();
        let t = task(
            16384,
            122880,
            Os::Linux,
            Arch::X86_64,
            Capacity::OnDemand,
            200,
        );
        let c = fargate_cost("us-east-1", r, &t, Duration::MAX).unwrap();
        assert!(
            c.total_usd > dec!(6e15) && c.total_usd < dec!(7e15),
            "{}",
            c.total_usd
        );
        // Past Decimal's range the arithmetic says which input, instead of panicking.
        let err = for_seconds(Decimal::MAX, 2).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().starts_with("duration: "), "{err}");
        assert!(err.to_string().ends_with("is too large to price"), "{err}");
        let err = checked_sum(&[Decimal::MAX, Decimal::ONE], "size").unwrap_err();
        assert!(err.to_string().starts_with("size: "), "{err}");
        assert_eq!(for_seconds(dec!(0.04937), 2700).unwrap(), dec!(0.0370275));
    }

    #[test]
    fn public_ipv4_is_its_own_part_of_the_total() {
        let book = book();
        let r = book.region("us-east-1").unwrap();
        // 0.25 vCPU / 0.5 GB for 10 min = 600 s:
        // compute (0.25 × 0.04048 + 0.5 × 0.004445) × 600 / 3600 = 0.0123425 / 6
        //   = 0.00205708333…
        // public IPv4 0.005 × 600 / 3600 = 0.005 / 6 = 0.00083333… (+40.5 %, reference 10.1)
        let t = FargateTask {
            public_ip: true,
            ..task(256, 512, Os::Linux, Arch::X86_64, Capacity::OnDemand, 20)
        };
        let c = fargate_cost("us-east-1", r, &t, secs(600)).unwrap();
        assert_eq!(c.public_ipv4_usd, dec!(0.005) * dec!(600) / dec!(3600));
        assert_eq!(c.public_ipv4_usd.round_dp(9), dec!(0.000833333));
        let compute = c.cpu_usd + c.memory_usd;
        assert_eq!(compute.round_dp(9), dec!(0.002057083));
        // Total = (0.0123425 + 0.005) × 600 / 3600 = 0.0173425 / 6 = 0.00289041666…
        assert_eq!(c.total_usd, dec!(0.0173425) * dec!(600) / dec!(3600));
        assert_eq!(c.total_usd.round_dp(9), dec!(0.002890417));
        // The share: 0.000833… / 0.002890… ≈ 28.8 % of the run (0.005 / 0.0173425).
        assert_eq!((c.public_ipv4_usd / c.total_usd).round_dp(4), dec!(0.2883));
        // Without a public IP the part is zero and the total is compute alone.
        let private = fargate_cost(
            "us-east-1",
            r,
            &FargateTask {
                public_ip: false,
                ..t
            },
            secs(600),
        )
        .unwrap();
        assert_eq!(private.public_ipv4_usd, Decimal::ZERO);
        // (equal up to Decimal's last digit: each part is divided by 3600 on its own)
        assert_eq!(
            private.total_usd.round_dp(24),
            (c.total_usd - c.public_ipv4_usd).round_dp(24)
        );
        // Billed by the window, so the 1-minute minimum applies: 10 s → 60 s,
        // 0.005 × 60 / 3600 = 0.0000833…
        let short = fargate_cost("us-east-1", r, &t, secs(10)).unwrap();
        assert_eq!(short.public_ipv4_usd, dec!(0.005) * dec!(60) / dec!(3600));
    }

    #[test]
    fn public_ipv4_outside_the_captured_regions_is_assumed_or_missing() {
        let book = book();
        // eu-west-1 has no Price List capture: the us-east-1 figure, flagged assumed.
        let eu = book.region("eu-west-1").unwrap();
        let rate = eu.public_ipv4_address_hour.as_ref().unwrap();
        assert_eq!(rate.usd, dec!(0.005));
        assert_eq!(
            book.source(&rate.source).unwrap().grade,
            crate::pricing::book::Grade::Assumed
        );
        // A region without the figure refuses only a task that has a public IP.
        let mut bare = eu.clone();
        bare.public_ipv4_address_hour = None;
        let t = task(256, 512, Os::Linux, Arch::X86_64, Capacity::OnDemand, 20);
        assert!(fargate_cost("xx-test-1", &bare, &t, secs(60)).is_ok());
        let err = fargate_cost(
            "xx-test-1",
            &bare,
            &FargateTask {
                public_ip: true,
                ..t
            },
            secs(60),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("public IPv4") && err.contains("assign_public_ip"),
            "{err}"
        );
    }

    #[test]
    fn the_pull_share_of_a_run() {
        let book = book();
        let r = book.region("us-east-1").unwrap();
        // A 60 s billed window of which the pull took 40 s, 0.25 vCPU / 0.5 GB:
        // total 0.0123425 × 60 / 3600 = 0.000205708…; pull 0.0123425 × 40 / 3600
        //   = 0.00013713888… = 2/3 of the total.
        let t = task(256, 512, Os::Linux, Arch::X86_64, Capacity::OnDemand, 20);
        let c = fargate_cost("us-east-1", r, &t, secs(60)).unwrap();
        let pull = c.share(secs(40));
        assert_eq!(pull, dec!(0.0123425) * dec!(40) / dec!(3600));
        assert_eq!(pull.round_dp(9), dec!(0.000137139));
        // Never more than the run, nothing for nothing billed.
        assert_eq!(c.share(secs(90)), c.total_usd);
        assert_eq!(share_of(dec!(1), 0, secs(5)), Decimal::ZERO);
    }

    #[test]
    fn other_region_rates() {
        let book = book();
        let r = book.region("sa-east-1").unwrap();
        // 4 vCPU / 8 GB for 30 min in São Paulo: 0.5 × (4 × 0.0696 + 8 × 0.0076)
        // = 0.5 × (0.2784 + 0.0608) = 0.1696
        let t = task(4096, 8192, Os::Linux, Arch::X86_64, Capacity::OnDemand, 20);
        let c = fargate_cost("sa-east-1", r, &t, secs(1800)).unwrap();
        assert_eq!(c.total_usd, dec!(0.1696));
    }
}
