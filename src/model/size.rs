//! The Fargate task-size catalog: which (CPU, memory) pairs exist, forgiving parsing of the
//! units people write, and errors that name the valid range and the nearest valid size.
//!
//! Source: ECS developer guide, "task-cpu-memory-error" table (reference §2.1).

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// CPU units in one vCPU ("1024 (1 vCPU)").
pub const UNITS_PER_VCPU: u32 = 1024;
/// MiB in one billed GB ("GB = 1024^3 bytes").
pub const MIB_PER_GB: u32 = 1024;
/// Ephemeral storage every task gets without charge.
pub const FREE_EPHEMERAL_GIB: u32 = 20;
/// Smallest configurable ephemeral storage (`EphemeralStorage.sizeInGiB`).
pub const MIN_CONFIGURED_EPHEMERAL_GIB: u32 = 21;
/// Largest configurable ephemeral storage.
pub const MAX_EPHEMERAL_GIB: u32 = 200;

/// CPU architecture of the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Arch {
    /// Intel/AMD.
    #[default]
    #[serde(alias = "x86", alias = "amd64", alias = "X86_64")]
    X86_64,
    /// Graviton.
    #[serde(alias = "aarch64", alias = "arm", alias = "ARM64")]
    Arm64,
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Arch::X86_64 => "x86_64",
            Arch::Arm64 => "arm64",
        })
    }
}

/// Operating system family of the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Os {
    /// Linux.
    #[default]
    #[serde(alias = "Linux", alias = "LINUX")]
    Linux,
    /// Windows Server.
    #[serde(alias = "Windows", alias = "WINDOWS")]
    Windows,
}

impl fmt::Display for Os {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Os::Linux => "linux",
            Os::Windows => "windows",
        })
    }
}

/// Fargate capacity: regular on-demand or interruptible Spot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Capacity {
    /// FARGATE.
    #[default]
    #[serde(alias = "on_demand", alias = "ondemand", alias = "FARGATE")]
    OnDemand,
    /// FARGATE_SPOT.
    #[serde(alias = "FARGATE_SPOT")]
    Spot,
}

impl fmt::Display for Capacity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Capacity::OnDemand => "on-demand",
            Capacity::Spot => "spot",
        })
    }
}

fn parse_choice<T: Copy>(
    flag: &str,
    text: &str,
    choices: &[(&[&str], T)],
    valid: &str,
) -> Result<T> {
    let lower = text.trim().to_ascii_lowercase();
    choices
        .iter()
        .find(|(names, _)| names.contains(&lower.as_str()))
        .map(|(_, value)| *value)
        .ok_or_else(|| Error::invalid(flag, format!("`{text}` is not valid; use {valid}")))
}

impl std::str::FromStr for Arch {
    type Err = Error;
    fn from_str(text: &str) -> Result<Arch> {
        parse_choice(
            "arch",
            text,
            &[
                (&["x86_64", "x86", "amd64"], Arch::X86_64),
                (&["arm64", "aarch64", "arm"], Arch::Arm64),
            ],
            "x86_64 or arm64",
        )
    }
}

impl std::str::FromStr for Os {
    type Err = Error;
    fn from_str(text: &str) -> Result<Os> {
        parse_choice(
            "os",
            text,
            &[(&["linux"], Os::Linux), (&["windows"], Os::Windows)],
            "linux or windows",
        )
    }
}

impl std::str::FromStr for Capacity {
    type Err = Error;
    fn from_str(text: &str) -> Result<Capacity> {
        parse_choice(
            "capacity",
            text,
            &[
                (
                    &["on-demand", "on_demand", "ondemand", "fargate"],
                    Capacity::OnDemand,
                ),
                (&["spot", "fargate_spot"], Capacity::Spot),
            ],
            "on-demand or spot",
        )
    }
}

/// The memory choices for one CPU size.
#[derive(Debug, Clone, Copy)]
struct CpuRow {
    cpu_units: u32,
    min_mib: u32,
    max_mib: u32,
    step_mib: u32,
    windows: bool,
}

impl CpuRow {
    fn contains(&self, memory_mib: u32) -> bool {
        (self.min_mib..=self.max_mib).contains(&memory_mib)
            && (memory_mib - self.min_mib).is_multiple_of(self.step_mib)
    }

    fn memories(&self) -> impl Iterator<Item = u32> + '_ {
        (self.min_mib..=self.max_mib).step_by(self.step_mib as usize)
    }

    /// "8 vCPU needs 16–60 GB in 4 GB steps".
    fn describe(&self) -> String {
        let cpu = format_vcpu(self.cpu_units);
        if self.cpu_units == 256 {
            return format!("{cpu} vCPU needs 0.5, 1 or 2 GB");
        }
        format!(
            "{cpu} vCPU needs {}–{} GB in {} GB steps",
            format_gb(self.min_mib),
            format_gb(self.max_mib),
            format_gb(self.step_mib)
        )
    }
}

/// The catalog (reference §2.1). 0.25 vCPU allows 0.5, 1 and 2 GB, which is the 512 MiB
/// minimum plus two values that are not on a common step, so it is listed by hand below.
const ROWS: [CpuRow; 7] = [
    CpuRow {
        cpu_units: 256,
        min_mib: 512,
        max_mib: 2048,
        step_mib: 512,
        windows: false,
    },
    CpuRow {
        cpu_units: 512,
        min_mib: 1024,
        max_mib: 4096,
        step_mib: 1024,
        windows: false,
    },
    CpuRow {
        cpu_units: 1024,
        min_mib: 2048,
        max_mib: 8192,
        step_mib: 1024,
        windows: true,
    },
    CpuRow {
        cpu_units: 2048,
        min_mib: 4096,
        max_mib: 16384,
        step_mib: 1024,
        windows: true,
    },
    CpuRow {
        cpu_units: 4096,
        min_mib: 8192,
        max_mib: 30720,
        step_mib: 1024,
        windows: true,
    },
    CpuRow {
        cpu_units: 8192,
        min_mib: 16384,
        max_mib: 61440,
        step_mib: 4096,
        windows: false,
    },
    CpuRow {
        cpu_units: 16384,
        min_mib: 32768,
        max_mib: 122880,
        step_mib: 8192,
        windows: false,
    },
];

fn row(cpu_units: u32) -> Option<&'static CpuRow> {
    ROWS.iter().find(|r| r.cpu_units == cpu_units)
}

/// 0.25 vCPU has 512, 1024, 2048 MiB — not 1536 (the 512 MiB step above would allow it).
fn row_contains(row: &CpuRow, memory_mib: u32) -> bool {
    if row.cpu_units == 256 {
        return matches!(memory_mib, 512 | 1024 | 2048);
    }
    row.contains(memory_mib)
}

fn row_memories(row: &CpuRow) -> Vec<u32> {
    row.memories().filter(|m| row_contains(row, *m)).collect()
}

/// A valid Fargate task size. Only valid combinations can be constructed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Size {
    cpu_units: u32,
    memory_mib: u32,
}

impl Size {
    /// Validate a (CPU units, MiB) pair for an OS; the error names the valid range and the
    /// nearest valid size.
    pub fn new(cpu_units: u32, memory_mib: u32, os: Os) -> Result<Size> {
        // Only an error names the size; `compare` builds thousands of valid ones.
        let label = || {
            format!(
                "{} vCPU / {} GB",
                format_vcpu(cpu_units),
                format_gb(memory_mib)
            )
        };
        let Some(cpu_row) = row(cpu_units) else {
            return Err(Error::invalid(
                "cpu",
                format!(
                    "{} vCPU is not a Fargate CPU size (valid: {} vCPU){}",
                    format_vcpu(cpu_units),
                    valid_cpus(os),
                    nearest_hint(cpu_units, memory_mib, os)
                ),
            ));
        };
        if os == Os::Windows && !cpu_row.windows {
            return Err(Error::invalid(
                "cpu",
                format!(
                    "{} is not available for Windows: Windows tasks take 1, 2 or 4 vCPU{}",
                    label(),
                    nearest_hint(cpu_units, memory_mib, os)
                ),
            ));
        }
        if !row_contains(cpu_row, memory_mib) {
            return Err(Error::invalid(
                "memory",
                format!(
                    "{} is not a valid Fargate size: {}{}",
                    label(),
                    cpu_row.describe(),
                    nearest_hint(cpu_units, memory_mib, os)
                ),
            ));
        }
        Ok(Size {
            cpu_units,
            memory_mib,
        })
    }

    /// The cheapest valid size with at least this CPU and memory, for any positive rates
    /// (minimum memory grows with CPU, so the smallest CPU level that fits is cheapest).
    /// `None` when even 16 vCPU / 120 GB is too small.
    pub fn smallest_covering(cpu_units: u32, memory_mib: u32, os: Os) -> Option<Size> {
        Size::all(os)
            .into_iter()
            .find(|s| s.cpu_units >= cpu_units && s.memory_mib >= memory_mib)
    }

    /// Every valid size for an OS, ordered by CPU then memory.
    pub fn all(os: Os) -> Vec<Size> {
        ROWS.iter()
            .filter(|r| os == Os::Linux || r.windows)
            .flat_map(|r| {
                row_memories(r).into_iter().map(|m| Size {
                    cpu_units: r.cpu_units,
                    memory_mib: m,
                })
            })
            .collect()
    }

    /// The largest task Fargate offers (16 vCPU / 120 GB).
    pub fn largest() -> Size {
        Size {
            cpu_units: 16384,
            memory_mib: 122880,
        }
    }

    /// CPU units (1024 = 1 vCPU).
    pub fn cpu_units(&self) -> u32 {
        self.cpu_units
    }

    /// Memory in MiB.
    pub fn memory_mib(&self) -> u32 {
        self.memory_mib
    }

    /// vCPU as an exact decimal.
    pub fn vcpu(&self) -> Decimal {
        Decimal::from(self.cpu_units) / Decimal::from(UNITS_PER_VCPU)
    }

    /// Billed memory GB (MiB / 1024) as an exact decimal.
    pub fn memory_gb(&self) -> Decimal {
        Decimal::from(self.memory_mib) / Decimal::from(MIB_PER_GB)
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} vCPU / {} GB",
            format_vcpu(self.cpu_units),
            format_gb(self.memory_mib)
        )
    }
}

/// "0.25, 0.5, 1, 2, 4, 8, 16": the CPU sizes an OS can take.
fn valid_cpus(os: Os) -> String {
    ROWS.iter()
        .filter(|r| os == Os::Linux || r.windows)
        .map(|r| format_vcpu(r.cpu_units))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A CPU amount too large to count in CPU units: no Fargate size comes near it.
fn cpu_too_large(text: &str) -> Error {
    Error::invalid(
        "cpu",
        format!(
            "`{text}` is not a Fargate CPU size (valid: {} vCPU)",
            valid_cpus(Os::Linux)
        ),
    )
}

/// A memory amount too large to count in MiB: no Fargate size comes near it.
fn memory_too_large(text: &str) -> Error {
    let sizes = Size::all(Os::Linux);
    let smallest = sizes.first().map_or(512, |s| s.memory_mib);
    Error::invalid(
        "memory",
        format!(
            "`{text}` is not a Fargate memory size (valid: {}–{} GB)",
            format_gb(smallest),
            format_gb(Size::largest().memory_mib)
        ),
    )
}

fn nearest_hint(cpu_units: u32, memory_mib: u32, os: Os) -> String {
    match Size::smallest_covering(cpu_units, memory_mib, os) {
        Some(size) => format!("; nearest valid: {size}"),
        None => format!("; the largest {os} size is {}", largest_for(os)),
    }
}

fn largest_for(os: Os) -> Size {
    Size::all(os).last().copied().unwrap_or_else(Size::largest)
}

/// "0.25", "1", "16" — vCPU from CPU units, without trailing zeros.
pub fn format_vcpu(cpu_units: u32) -> String {
    (Decimal::from(cpu_units) / Decimal::from(UNITS_PER_VCPU))
        .normalize()
        .to_string()
}

/// "0.5", "2", "60" — GB from MiB, without trailing zeros.
pub fn format_gb(memory_mib: u32) -> String {
    (Decimal::from(memory_mib) / Decimal::from(MIB_PER_GB))
        .round_dp(3)
        .normalize()
        .to_string()
}

/// Split "1.5 GB" into (1.5, "gb"); the unit is lower-cased with spaces removed. A whole
/// part with more digits than a `Decimal` holds (about 7.9 × 10^28) reads as
/// `Decimal::MAX`, so the caller's range check says what is valid instead of "not a number".
fn split_number(text: &str) -> Option<(Decimal, String)> {
    let text = text.trim();
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let digits = &text[..end];
    let number: Decimal = match digits.parse() {
        Ok(number) => number,
        Err(_) if is_huge_number(digits) => Decimal::MAX,
        Err(_) => return None,
    };
    let unit = text[end..]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    Some((number, unit))
}

/// Digits with at most one `.` whose whole part has more than 28 significant digits.
fn is_huge_number(digits: &str) -> bool {
    let mut parts = digits.split('.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next().unwrap_or("");
    parts.next().is_none()
        && whole
            .chars()
            .chain(fraction.chars())
            .all(|c| c.is_ascii_digit())
        && whole.trim_start_matches('0').len() > 28
}

/// Parse a CPU amount: "0.25", "1 vCPU", "2vcpu" (vCPU) or "512", "512 units" (CPU units).
/// A bare number below 128 is vCPU, from 128 up it is CPU units (ECS's own convention: the
/// smallest task is 256 units, the largest 16 vCPU). Returns CPU units; not yet validated.
pub fn parse_cpu(text: &str) -> Result<u32> {
    let bad = || {
        Error::invalid(
            "cpu",
            format!(
                "`{text}` is not a CPU amount; write vCPU (0.25, \"1 vCPU\") or CPU units (\"512\", \"512 units\")"
            ),
        )
    };
    let (number, unit) = split_number(text).ok_or_else(bad)?;
    let per_vcpu = |n: Decimal| {
        n.checked_mul(Decimal::from(UNITS_PER_VCPU))
            .ok_or_else(|| cpu_too_large(text))
    };
    let units = match unit.as_str() {
        "vcpu" | "vcpus" | "cpu" | "cpus" => per_vcpu(number)?,
        "units" | "unit" | "cpuunits" | "cpuunit" => number,
        "" if number < Decimal::from(128) => per_vcpu(number)?,
        "" => number,
        _ => return Err(bad()),
    };
    if units <= Decimal::ZERO {
        return Err(Error::invalid(
            "cpu",
            format!("`{text}` must be more than 0"),
        ));
    }
    if !units.fract().is_zero() {
        return Err(Error::invalid(
            "cpu",
            format!("`{text}` is not a whole number of CPU units (1 vCPU = 1024 units)"),
        ));
    }
    u32::try_from(units).map_err(|_| cpu_too_large(text))
}

/// Parse a memory amount: "2GB", "2 GiB", "0.5 GB" (GB = GiB, as AWS bills) or "2048MiB",
/// "2048 MB", "2048" (MiB). A bare number below 128 is GB, from 128 up it is MiB (ECS task
/// definitions write MiB; the smallest task has 512). Returns MiB; not yet validated.
pub fn parse_memory(text: &str) -> Result<u32> {
    let bad = || {
        Error::invalid(
            "memory",
            format!("`{text}` is not a memory amount; write \"2GB\", \"2 GiB\" or \"2048MiB\""),
        )
    };
    let (number, unit) = split_number(text).ok_or_else(bad)?;
    let per_gb = |n: Decimal| {
        n.checked_mul(Decimal::from(MIB_PER_GB))
            .ok_or_else(|| memory_too_large(text))
    };
    let mib = match unit.as_str() {
        "gb" | "gib" | "g" => per_gb(number)?,
        "mb" | "mib" | "m" => number,
        "" if number < Decimal::from(128) => per_gb(number)?,
        "" => number,
        _ => return Err(bad()),
    };
    if mib <= Decimal::ZERO {
        return Err(Error::invalid(
            "memory",
            format!("`{text}` must be more than 0"),
        ));
    }
    if !mib.fract().is_zero() {
        return Err(Error::invalid(
            "memory",
            format!("`{text}` is not a whole number of MiB"),
        ));
    }
    u32::try_from(mib).map_err(|_| memory_too_large(text))
}

/// Validate ephemeral storage in GiB: 20 (the free default) or 21–200; Windows tasks cannot
/// configure it.
pub fn validate_ephemeral_storage(gib: u32, os: Os) -> Result<u32> {
    if gib == FREE_EPHEMERAL_GIB {
        return Ok(gib);
    }
    if os == Os::Windows {
        return Err(Error::invalid(
            "ephemeral_storage_gb",
            format!(
                "{gib} GB: Windows tasks on Fargate cannot configure ephemeral storage (only the default {FREE_EPHEMERAL_GIB} GB)"
            ),
        ));
    }
    if !(MIN_CONFIGURED_EPHEMERAL_GIB..=MAX_EPHEMERAL_GIB).contains(&gib) {
        return Err(Error::invalid(
            "ephemeral_storage_gb",
            format!(
                "{gib} GB is out of range: Fargate gives {FREE_EPHEMERAL_GIB} GB free and takes {MIN_CONFIGURED_EPHEMERAL_GIB}–{MAX_EPHEMERAL_GIB} GB when configured"
            ),
        ));
    }
    Ok(gib)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_counts_match_the_reference_table() {
        // 3 + 4 + 7 + 13 + 23 + 12 + 12 pairs (reference §2.1).
        let linux = Size::all(Os::Linux);
        assert_eq!(linux.len(), 3 + 4 + 7 + 13 + 23 + 12 + 12);
        // Windows: 1, 2, 4 vCPU rows only.
        assert_eq!(Size::all(Os::Windows).len(), 7 + 13 + 23);
        assert!(linux.contains(&Size::new(256, 512, Os::Linux).unwrap()));
        assert!(Size::new(256, 1536, Os::Linux).is_err());
        assert!(Size::new(16384, 122880, Os::Linux).is_ok());
        assert!(Size::new(16384, 126976, Os::Linux).is_err());
    }

    #[test]
    fn invalid_memory_names_range_and_nearest() {
        let err = Size::new(8192, 8192, Os::Linux).unwrap_err().to_string();
        assert_eq!(
            err,
            "memory: 8 vCPU / 8 GB is not a valid Fargate size: 8 vCPU needs 16–60 GB in 4 GB steps; nearest valid: 8 vCPU / 16 GB"
        );
        let err = Size::new(2048, 5632, Os::Linux).unwrap_err().to_string();
        assert!(err.ends_with("nearest valid: 2 vCPU / 6 GB"), "{err}");
        let err = Size::new(4096, 61440, Os::Linux).unwrap_err().to_string();
        assert!(err.ends_with("nearest valid: 8 vCPU / 60 GB"), "{err}");
    }

    #[test]
    fn invalid_cpu_lists_valid_cpus() {
        let err = Size::new(3072, 8192, Os::Linux).unwrap_err().to_string();
        assert_eq!(
            err,
            "cpu: 3 vCPU is not a Fargate CPU size (valid: 0.25, 0.5, 1, 2, 4, 8, 16 vCPU); nearest valid: 4 vCPU / 8 GB"
        );
    }

    #[test]
    fn windows_needs_one_to_four_vcpu() {
        let err = Size::new(512, 1024, Os::Windows).unwrap_err().to_string();
        assert!(err.contains("Windows tasks take 1, 2 or 4 vCPU"), "{err}");
        assert!(err.ends_with("nearest valid: 1 vCPU / 2 GB"), "{err}");
        assert!(Size::new(8192, 16384, Os::Windows).is_err());
        assert!(Size::new(1024, 2048, Os::Windows).is_ok());
    }

    #[test]
    fn parses_forgiving_units() {
        assert_eq!(parse_cpu("0.25").unwrap(), 256);
        assert_eq!(parse_cpu("1 vCPU").unwrap(), 1024);
        assert_eq!(parse_cpu("2vcpu").unwrap(), 2048);
        assert_eq!(parse_cpu("512").unwrap(), 512);
        assert_eq!(parse_cpu("512 units").unwrap(), 512);
        assert_eq!(parse_cpu("16").unwrap(), 16384);
        assert!(parse_cpu("fast").is_err());
        assert!(parse_cpu("0").is_err());
        assert!(parse_cpu("0.3").is_err());
        assert_eq!(parse_memory("2GB").unwrap(), 2048);
        assert_eq!(parse_memory("2 GiB").unwrap(), 2048);
        assert_eq!(parse_memory("0.5 GB").unwrap(), 512);
        assert_eq!(parse_memory("2048MiB").unwrap(), 2048);
        assert_eq!(parse_memory("2048").unwrap(), 2048);
        assert_eq!(parse_memory("4").unwrap(), 4096);
        assert!(parse_memory("2 TB").is_err());
        assert!(parse_memory("-1GB").is_err());
    }

    #[test]
    fn amounts_too_large_to_count_name_the_valid_sizes() {
        let cpu = "cpu: `70000000000000000000000000000 vcpu` is not a Fargate CPU size (valid: 0.25, 0.5, 1, 2, 4, 8, 16 vCPU)";
        let err = parse_cpu("70000000000000000000000000000 vcpu").unwrap_err();
        assert_eq!(err.to_string(), cpu);
        // Above u32 CPU units, and more digits than a Decimal holds.
        for text in [
            "4194304 vcpu",
            "5000000000",
            "123456789012345678901234567890123",
            "123456789012345678901234567890123 units",
        ] {
            let err = parse_cpu(text).unwrap_err().to_string();
            assert!(
                err.contains("is not a Fargate CPU size (valid: 0.25"),
                "{text}: {err}"
            );
        }
        let memory = "memory: `70000000000000000000000000000 GB` is not a Fargate memory size (valid: 0.5–120 GB)";
        let err = parse_memory("70000000000000000000000000000 GB").unwrap_err();
        assert_eq!(err.to_string(), memory);
        for text in [
            "4194304 GB",
            "5000000000",
            "99999999999999999999999999999999999 MiB",
        ] {
            let err = parse_memory(text).unwrap_err().to_string();
            assert!(
                err.contains("is not a Fargate memory size"),
                "{text}: {err}"
            );
        }
        // Malformed numbers are still "not an amount".
        assert!(
            parse_memory("1.2.3 GB")
                .unwrap_err()
                .to_string()
                .contains("is not a memory amount")
        );
        // Amounts that fit are checked against the catalog as before.
        assert_eq!(parse_cpu("4194303 units").unwrap(), 4194303);
    }

    #[test]
    fn ephemeral_storage_range() {
        assert_eq!(validate_ephemeral_storage(20, Os::Linux).unwrap(), 20);
        assert_eq!(validate_ephemeral_storage(21, Os::Linux).unwrap(), 21);
        assert_eq!(validate_ephemeral_storage(200, Os::Linux).unwrap(), 200);
        assert!(validate_ephemeral_storage(201, Os::Linux).is_err());
        assert!(validate_ephemeral_storage(10, Os::Linux).is_err());
        assert!(validate_ephemeral_storage(50, Os::Windows).is_err());
    }

    #[test]
    fn smallest_covering_is_lexicographic_minimum() {
        let s = Size::smallest_covering(1024, 10 * 1024, Os::Linux).unwrap();
        assert_eq!(s.to_string(), "2 vCPU / 10 GB");
        assert!(Size::smallest_covering(16384, 130 * 1024, Os::Linux).is_none());
    }
}
