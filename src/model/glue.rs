//! AWS Glue job configurations: worker types and their DPUs, versions, execution classes,
//! validation against Glue's rules, and the smallest Fargate size covering a Glue
//! configuration (the cheapest Glue equivalent of a Fargate size is priced in
//! `pricing::glue`).
//!
//! Sources: Glue API JobRun.WorkerType/MaxCapacity and the worker-types page (reference §3).

use std::fmt;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::size::{MIB_PER_GB, Os, Size, UNITS_PER_VCPU};

/// What kind of program the job is, which decides the Glue job types that can run it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// A single-process job (DuckDB, Polars, pandas): a Glue Python shell when it fits.
    #[default]
    #[serde(alias = "duckdb", alias = "polars", alias = "pandas")]
    Python,
    /// A Spark job (PySpark): Glue Spark workers, at least two.
    #[serde(alias = "pyspark")]
    Spark,
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Engine::Python => "python",
            Engine::Spark => "spark",
        })
    }
}

/// Which hourly rate a worker type is billed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RateKind {
    /// Spark and Python shell: DPU-hour (Flex allowed for Spark G-types on Glue 3.0+).
    Etl,
    /// R.* workers: memory-optimized M-DPU-hour.
    MemoryOptimized,
    /// Z.2X: Glue for Ray M-DPU-hour.
    Ray,
}

/// A Glue worker type (or the Python shell, which has no workers but a capacity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkerType {
    /// Glue ≤ 1.0 Standard worker, 1 DPU (4 vCPU, 16 GB).
    Standard,
    /// 0.25 DPU, 2 vCPU, 4 GB; streaming only, Glue 3.0+.
    G025X,
    /// 1 DPU, 4 vCPU, 16 GB.
    G1X,
    /// 2 DPU, 8 vCPU, 32 GB.
    G2X,
    /// 4 DPU, 16 vCPU, 64 GB; Glue 3.0+.
    G4X,
    /// 8 DPU, 32 vCPU, 128 GB; Glue 3.0+.
    G8X,
    /// 12 DPU, 48 vCPU, 192 GB.
    G12X,
    /// 16 DPU, 64 vCPU, 256 GB.
    G16X,
    /// 1 M-DPU, 4 vCPU, 32 GB.
    R1X,
    /// 2 M-DPU, 8 vCPU, 64 GB.
    R2X,
    /// 4 M-DPU, 16 vCPU, 128 GB.
    R4X,
    /// 8 M-DPU, 32 vCPU, 256 GB.
    R8X,
    /// Ray: 2 M-DPU, 8 vCPU, 64 GB.
    Z2X,
    /// Python shell: 0.0625 or 1 DPU (see [`GlueConfig::max_capacity`]).
    PythonShell,
}

/// (type, name, DPU per worker, vCPU per worker, GB per worker, rate kind).
const WORKERS: [(WorkerType, &str, Decimal, u32, u32, RateKind); 13] = [
    (
        WorkerType::Standard,
        "Standard",
        dec!(1),
        4,
        16,
        RateKind::Etl,
    ),
    (WorkerType::G025X, "G.025X", dec!(0.25), 2, 4, RateKind::Etl),
    (WorkerType::G1X, "G.1X", dec!(1), 4, 16, RateKind::Etl),
    (WorkerType::G2X, "G.2X", dec!(2), 8, 32, RateKind::Etl),
    (WorkerType::G4X, "G.4X", dec!(4), 16, 64, RateKind::Etl),
    (WorkerType::G8X, "G.8X", dec!(8), 32, 128, RateKind::Etl),
    (WorkerType::G12X, "G.12X", dec!(12), 48, 192, RateKind::Etl),
    (WorkerType::G16X, "G.16X", dec!(16), 64, 256, RateKind::Etl),
    (
        WorkerType::R1X,
        "R.1X",
        dec!(1),
        4,
        32,
        RateKind::MemoryOptimized,
    ),
    (
        WorkerType::R2X,
        "R.2X",
        dec!(2),
        8,
        64,
        RateKind::MemoryOptimized,
    ),
    (
        WorkerType::R4X,
        "R.4X",
        dec!(4),
        16,
        128,
        RateKind::MemoryOptimized,
    ),
    (
        WorkerType::R8X,
        "R.8X",
        dec!(8),
        32,
        256,
        RateKind::MemoryOptimized,
    ),
    (WorkerType::Z2X, "Z.2X", dec!(2), 8, 64, RateKind::Ray),
];

/// Spark worker types a batch job can be moved to, in the order ties are broken.
/// G.025X is streaming-only and Z.2X is Ray, so neither is an equivalent of a batch job.
pub(crate) const SPARK_CANDIDATES: [WorkerType; 10] = [
    WorkerType::G1X,
    WorkerType::G2X,
    WorkerType::G4X,
    WorkerType::G8X,
    WorkerType::G12X,
    WorkerType::G16X,
    WorkerType::R1X,
    WorkerType::R2X,
    WorkerType::R4X,
    WorkerType::R8X,
];

/// Python shell capacities ("either 0.0625 or 1 DPU. The default is 0.0625 DPU.").
pub const PYTHON_SHELL_CAPACITIES: [Decimal; 2] = [dec!(0.0625), dec!(1)];

/// Resources of one DPU: "4 vCPUs of compute capacity and 16 GB of memory".
const DPU_VCPU: Decimal = dec!(4);
const DPU_GB: Decimal = dec!(16);

impl WorkerType {
    /// Parse a worker type name as Glue writes it (case-insensitive; `pythonshell` too).
    pub fn parse(text: &str) -> Result<WorkerType> {
        let upper = text.trim().to_ascii_uppercase();
        if matches!(
            upper.as_str(),
            "PYTHONSHELL" | "PYTHON-SHELL" | "PYTHON_SHELL"
        ) {
            return Ok(WorkerType::PythonShell);
        }
        WORKERS
            .iter()
            .find(|w| w.1.to_ascii_uppercase() == upper)
            .map(|w| w.0)
            .ok_or_else(|| {
                let names: Vec<&str> = WORKERS.iter().map(|w| w.1).collect();
                Error::invalid(
                    "glue worker_type",
                    format!(
                        "unknown Glue worker type `{text}`; valid: {}, pythonshell",
                        names.join(", ")
                    ),
                )
            })
    }

    pub(crate) fn row(
        self,
    ) -> Option<&'static (WorkerType, &'static str, Decimal, u32, u32, RateKind)> {
        WORKERS.iter().find(|w| w.0 == self)
    }

    /// Name as Glue writes it ("G.1X"), or "pythonshell".
    pub fn name(self) -> &'static str {
        self.row().map(|w| w.1).unwrap_or("pythonshell")
    }

    pub(crate) fn rate_kind(self) -> RateKind {
        self.row().map(|w| w.5).unwrap_or(RateKind::Etl)
    }

    /// True for the Spark worker types (which need at least two workers).
    pub fn is_spark(self) -> bool {
        !matches!(self, WorkerType::PythonShell | WorkerType::Z2X)
    }
}

impl fmt::Display for WorkerType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A Glue version ("0.9" … "6.0").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GlueVersion {
    /// Version × 10, e.g. 40 for "4.0".
    tenths: u32,
}

/// Versions Glue has shipped (reference §3; 5.1 and 6.0 from the 2026 tables).
const VERSIONS: [u32; 8] = [9, 10, 20, 30, 40, 50, 51, 60];

impl GlueVersion {
    /// The version used when none is given: 4.0, supported for Spark, Python shell and Flex.
    pub const DEFAULT: GlueVersion = GlueVersion { tenths: 40 };

    /// Parse "4.0", "4", "0.9".
    pub fn parse(text: &str) -> Result<GlueVersion> {
        let number: Decimal = text.trim().parse().map_err(|_| version_error(text))?;
        let tenths = u32::try_from(number * dec!(10)).map_err(|_| version_error(text))?;
        if (number * dec!(10)).fract().is_zero() && VERSIONS.contains(&tenths) {
            Ok(GlueVersion { tenths })
        } else {
            Err(version_error(text))
        }
    }

    /// Glue 0.9 and 1.0 bill Spark jobs with a 10-minute minimum.
    pub fn is_legacy(self) -> bool {
        self.tenths <= 10
    }

    /// Glue 6.0 bills at the "Gen2" rates.
    pub fn is_gen2(self) -> bool {
        self.tenths >= 60
    }
}

fn version_error(text: &str) -> Error {
    Error::invalid(
        "glue version",
        format!("unknown Glue version `{text}`; valid: 0.9, 1.0, 2.0, 3.0, 4.0, 5.0, 5.1, 6.0"),
    )
}

impl fmt::Display for GlueVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.tenths / 10, self.tenths % 10)
    }
}

/// Glue execution class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ExecutionClass {
    /// STANDARD.
    #[default]
    #[serde(alias = "STANDARD")]
    Standard,
    /// FLEX: spare capacity, cheaper, Glue 3.0+ Spark only.
    #[serde(alias = "FLEX")]
    Flex,
}

/// A validated Glue job configuration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GlueConfig {
    worker_type: WorkerType,
    workers: u32,
    version: GlueVersion,
    execution_class: ExecutionClass,
    /// Python shell only: 0.0625 or 1 DPU.
    max_capacity: Decimal,
}

impl GlueConfig {
    /// Validate a configuration against Glue's rules. `workers` and `max_capacity` may be
    /// omitted where they have a default (Python shell: 1 worker, 0.0625 DPU).
    pub fn new(
        worker_type: WorkerType,
        workers: Option<u32>,
        version: GlueVersion,
        execution_class: ExecutionClass,
        max_capacity: Option<Decimal>,
    ) -> Result<GlueConfig> {
        let invalid =
            |field: &str, message: String| Error::invalid(format!("glue {field}"), message);
        let mut capacity = dec!(1);
        let workers = match worker_type {
            WorkerType::PythonShell => {
                if workers.is_some_and(|w| w != 1) {
                    return Err(invalid(
                        "workers",
                        "a Python shell job runs on one machine: set max_capacity (0.0625 or 1 DPU), not workers".into(),
                    ));
                }
                capacity = max_capacity.unwrap_or(PYTHON_SHELL_CAPACITIES[0]);
                if !PYTHON_SHELL_CAPACITIES.contains(&capacity) {
                    return Err(invalid(
                        "max_capacity",
                        format!("{capacity} DPU: a Python shell takes 0.0625 or 1 DPU"),
                    ));
                }
                1
            }
            _ => {
                if max_capacity.is_some() {
                    return Err(invalid(
                        "max_capacity",
                        format!(
                            "max_capacity is for Python shell jobs; {worker_type} jobs set workers"
                        ),
                    ));
                }
                let Some(workers) = workers else {
                    return Err(invalid(
                        "workers",
                        format!("{worker_type} needs a number of workers"),
                    ));
                };
                if worker_type.is_spark() && workers < 2 {
                    return Err(invalid(
                        "workers",
                        format!("{workers}: Glue Spark jobs need at least 2 workers"),
                    ));
                }
                if workers == 0 {
                    return Err(invalid("workers", "0: needs at least 1 worker".into()));
                }
                workers
            }
        };
        let needs_v3 = matches!(
            worker_type,
            WorkerType::G025X | WorkerType::G4X | WorkerType::G8X
        );
        if needs_v3 && version < (GlueVersion { tenths: 30 }) {
            return Err(invalid(
                "version",
                format!("{worker_type} workers need Glue 3.0 or later, not {version}"),
            ));
        }
        if execution_class == ExecutionClass::Flex
            && (!worker_type.is_spark() || version < (GlueVersion { tenths: 30 }))
        {
            return Err(invalid(
                "execution_class",
                format!(
                    "Flex runs only Spark (glueetl) jobs on Glue 3.0 or later, not {worker_type} on {version}"
                ),
            ));
        }
        Ok(GlueConfig {
            worker_type,
            workers,
            version,
            execution_class,
            max_capacity: capacity,
        })
    }

    /// The worker type.
    pub fn worker_type(&self) -> WorkerType {
        self.worker_type
    }

    /// Number of workers (1 for a Python shell).
    pub fn workers(&self) -> u32 {
        self.workers
    }

    /// Glue version.
    pub fn version(&self) -> GlueVersion {
        self.version
    }

    /// Execution class.
    pub fn execution_class(&self) -> ExecutionClass {
        self.execution_class
    }

    /// DPUs billed (M-DPUs for R/Z workers).
    pub fn dpu(&self) -> Decimal {
        match self.worker_type.row() {
            Some(row) => row.2 * Decimal::from(self.workers),
            None => self.max_capacity,
        }
    }

    /// Total vCPU of all workers.
    pub fn vcpu(&self) -> Decimal {
        match self.worker_type.row() {
            Some(row) => Decimal::from(row.3 * self.workers),
            None => self.max_capacity * DPU_VCPU,
        }
    }

    /// Total memory GB of all workers.
    pub fn memory_gb(&self) -> Decimal {
        match self.worker_type.row() {
            Some(row) => Decimal::from(row.4 * self.workers),
            None => self.max_capacity * DPU_GB,
        }
    }

    /// Minimum billed seconds: 10 minutes for Spark on Glue 0.9/1.0, else 1 minute
    /// (reference §3.2; the Python shell's 1-minute minimum is from secondary sources).
    pub fn minimum_billed_seconds(&self) -> u64 {
        if self.worker_type.is_spark() && self.version.is_legacy() {
            600
        } else {
            60
        }
    }

    /// The same configuration in another execution class, if Glue allows it.
    pub fn with_class(&self, execution_class: ExecutionClass) -> Result<GlueConfig> {
        let workers = (self.worker_type != WorkerType::PythonShell).then_some(self.workers);
        let capacity = (self.worker_type == WorkerType::PythonShell).then_some(self.max_capacity);
        GlueConfig::new(
            self.worker_type,
            workers,
            self.version,
            execution_class,
            capacity,
        )
    }
}

impl fmt::Display for GlueConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flex = if self.execution_class == ExecutionClass::Flex {
            " Flex"
        } else {
            ""
        };
        match self.worker_type {
            WorkerType::PythonShell => write!(
                f,
                "Python shell {} DPU, Glue {}",
                self.max_capacity.normalize(),
                self.version
            ),
            _ => write!(
                f,
                "{} × {} ({} DPU), Glue {}{flex}",
                self.workers,
                self.worker_type,
                self.dpu().normalize(),
                self.version
            ),
        }
    }
}

/// The smallest valid Fargate size that covers a Glue configuration's total vCPU and
/// memory, capped at the largest task (with a warning when the cap applies).
pub fn fargate_for(config: &GlueConfig, os: Os) -> (Size, Option<String>) {
    let cpu_units =
        u32::try_from((config.vcpu() * Decimal::from(UNITS_PER_VCPU)).ceil()).unwrap_or(u32::MAX);
    let memory_mib =
        u32::try_from((config.memory_gb() * Decimal::from(MIB_PER_GB)).ceil()).unwrap_or(u32::MAX);
    match Size::smallest_covering(cpu_units, memory_mib, os) {
        Some(size) => (size, None),
        None => {
            let largest = Size::all(os).last().copied().unwrap_or_else(Size::largest);
            let warning = format!(
                "Glue {config} has {} vCPU / {} GB, more than the largest Fargate {os} task; priced as {largest}, assuming the job fits in one task",
                config.vcpu().normalize(),
                config.memory_gb().normalize()
            );
            (largest, Some(warning))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(worker: &str, workers: u32, version: &str) -> Result<GlueConfig> {
        GlueConfig::new(
            WorkerType::parse(worker)?,
            Some(workers),
            GlueVersion::parse(version)?,
            ExecutionClass::Standard,
            None,
        )
    }

    #[test]
    fn dpus_by_worker_type() {
        assert_eq!(config("G.1X", 2, "4.0").unwrap().dpu(), dec!(2));
        assert_eq!(config("G.2X", 3, "4.0").unwrap().dpu(), dec!(6));
        assert_eq!(config("G.025X", 2, "3.0").unwrap().dpu(), dec!(0.5));
        assert_eq!(config("G.16X", 2, "4.0").unwrap().dpu(), dec!(32));
        assert_eq!(config("R.2X", 2, "4.0").unwrap().memory_gb(), dec!(128));
        assert_eq!(config("Z.2X", 1, "4.0").unwrap().dpu(), dec!(2));
        let shell = GlueConfig::new(
            WorkerType::PythonShell,
            None,
            GlueVersion::DEFAULT,
            ExecutionClass::Standard,
            None,
        )
        .unwrap();
        assert_eq!(shell.dpu(), dec!(0.0625));
        assert_eq!(shell.vcpu(), dec!(0.25));
        assert_eq!(shell.memory_gb(), dec!(1));
    }

    #[test]
    fn glue_rules_are_enforced() {
        let err = config("G.1X", 1, "4.0").unwrap_err().to_string();
        assert_eq!(
            err,
            "glue workers: 1: Glue Spark jobs need at least 2 workers"
        );
        assert!(config("G.4X", 2, "2.0").is_err());
        let err = WorkerType::parse("G.3X").unwrap_err().to_string();
        assert!(err.contains("unknown Glue worker type `G.3X`"), "{err}");
        assert!(GlueVersion::parse("3.5").is_err());
        let flex_on_v2 = GlueConfig::new(
            WorkerType::G1X,
            Some(2),
            GlueVersion::parse("2.0").unwrap(),
            ExecutionClass::Flex,
            None,
        );
        assert!(flex_on_v2.is_err());
        let shell_capacity = GlueConfig::new(
            WorkerType::PythonShell,
            None,
            GlueVersion::DEFAULT,
            ExecutionClass::Standard,
            Some(dec!(0.5)),
        );
        assert!(shell_capacity.is_err());
    }

    #[test]
    fn minimums_by_version() {
        assert_eq!(
            config("G.1X", 2, "1.0").unwrap().minimum_billed_seconds(),
            600
        );
        assert_eq!(
            config("Standard", 2, "0.9")
                .unwrap()
                .minimum_billed_seconds(),
            600
        );
        assert_eq!(
            config("G.1X", 2, "2.0").unwrap().minimum_billed_seconds(),
            60
        );
    }

    #[test]
    fn reverse_equivalence_and_cap() {
        let (size, warning) = fargate_for(&config("G.1X", 2, "4.0").unwrap(), Os::Linux);
        assert_eq!(size.to_string(), "8 vCPU / 32 GB");
        assert!(warning.is_none());
        let (size, warning) = fargate_for(&config("G.2X", 10, "4.0").unwrap(), Os::Linux);
        assert_eq!(size.to_string(), "16 vCPU / 120 GB");
        assert!(warning.unwrap().contains("80 vCPU / 320 GB"));
    }
}
