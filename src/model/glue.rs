//! AWS Glue job configurations: worker types and their DPUs, versions, execution classes,
//! validation against Glue's rules, and the smallest Fargate size covering a Glue
//! configuration (the cheapest Glue equivalent of a Fargate size is priced in
//! `pricing::glue`).
//!
//! Sources: Glue API JobRun.WorkerType/MaxCapacity and the worker-types page (reference §3).
//! Which worker type runs on which Glue version in which execution class is the offer
//! matrix ([`offer`]): a configuration AWS does not sell is refused, never priced.

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
    /// Spark and Python shell: DPU-hour (Flex for G.1X/G.2X on Glue 3.0+, see [`offer`]).
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
    /// 12 DPU, 48 vCPU, 192 GB; Glue 4.0+.
    G12X,
    /// 16 DPU, 64 vCPU, 256 GB; Glue 4.0+.
    G16X,
    /// 1 M-DPU, 4 vCPU, 32 GB; Glue 4.0+.
    R1X,
    /// 2 M-DPU, 8 vCPU, 64 GB; Glue 4.0+.
    R2X,
    /// 4 M-DPU, 16 vCPU, 128 GB; Glue 4.0+.
    R4X,
    /// 8 M-DPU, 32 vCPU, 256 GB; Glue 4.0+.
    R8X,
    /// Ray: 2 M-DPU, 8 vCPU, 64 GB; Glue 4.0.
    Z2X,
    /// Python shell: 0.0625 or 1 DPU (see [`GlueConfig::max_capacity`]); Glue 1.0 or 3.0.
    PythonShell,
}

impl WorkerType {
    /// Every worker type, in the order of the offer matrix.
    pub const ALL: [WorkerType; 14] = [
        WorkerType::Standard,
        WorkerType::G025X,
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
        WorkerType::Z2X,
        WorkerType::PythonShell,
    ];
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
pub(crate) const PYTHON_SHELL_CAPACITIES: [Decimal; 2] = [dec!(0.0625), dec!(1)];

/// Resources of one DPU: "4 vCPUs of compute capacity and 16 GB of memory".
/// The most workers one job may name: far above any account's Glue quota, and low enough
/// that a configuration's vCPU and memory (16 DPU × 64 vCPU a worker at most) stay exact.
pub(crate) const MAX_WORKERS: u32 = 10_000;

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

/// Versions Glue has shipped, in tenths (reference §3; 5.1 and 6.0 from the 2026 tables).
const VERSIONS: [u32; 8] = [9, 10, 20, 30, 40, 50, 51, 60];

impl GlueVersion {
    /// The version used when none is given: 4.0, which runs every Spark worker type and
    /// Flex (a Python shell runs on [`GlueVersion::PYTHON_SHELL`] instead).
    pub const DEFAULT: GlueVersion = GlueVersion { tenths: 40 };

    /// The version of a current Python shell job: 3.0 (Python 3.9).
    pub const PYTHON_SHELL: GlueVersion = GlueVersion { tenths: 30 };

    /// Every version Glue has shipped, oldest first.
    pub const ALL: [GlueVersion; 8] = [
        GlueVersion { tenths: 9 },
        GlueVersion { tenths: 10 },
        GlueVersion { tenths: 20 },
        GlueVersion { tenths: 30 },
        GlueVersion { tenths: 40 },
        GlueVersion { tenths: 50 },
        GlueVersion { tenths: 51 },
        GlueVersion { tenths: 60 },
    ];

    /// The version to assume for `worker_type` when none is given: [`GlueVersion::DEFAULT`],
    /// or 3.0 for a Python shell (which does not run on 4.0).
    pub fn default_for(worker_type: WorkerType) -> GlueVersion {
        match worker_type {
            WorkerType::PythonShell => GlueVersion::PYTHON_SHELL,
            _ => GlueVersion::DEFAULT,
        }
    }

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
    /// FLEX: spare capacity, cheaper; G.1X and G.2X Spark jobs on Glue 3.0+ only.
    #[serde(alias = "FLEX")]
    Flex,
}

/// One row of the offer matrix: the Glue versions a worker type runs on, the versions that
/// also sell it in the Flex execution class, and what to tell the user otherwise.
struct Offer {
    worker_type: WorkerType,
    /// Versions (in tenths) that run this worker type in the STANDARD execution class.
    versions: &'static [u32],
    /// The field to blame when the version is not one of them.
    version_field: &'static str,
    /// Why not, and what is valid (the refused version is appended).
    version_rule: &'static str,
    /// Versions that also sell FLEX for this worker type (a subset of `versions`).
    flex_versions: &'static [u32],
    /// Why a worker type without Flex has none.
    no_flex: &'static str,
}

const ALL_VERSIONS: &[u32] = &VERSIONS;
const V3_ON: &[u32] = &[30, 40, 50, 51, 60];
const V4_ON: &[u32] = &[40, 50, 51, 60];
const NONE: &[u32] = &[];

/// What AWS sells: worker type × Glue version × execution class. Where the reference and the
/// AWS docs disagree or say nothing, the rule is the conservative one (refuse), so the tool
/// never prices a configuration that may not exist. Sources, per row:
///
/// - Flex: reference §8 (JobRun.ExecutionClass: "Only jobs with AWS Glue version 3.0 and above
///   and command type glueetl will be allowed to set ExecutionClass to FLEX") and the Glue
///   developer guide as quoted in aws/aws-cdk PR #26203 ("Flexible job runs are supported for
///   jobs using AWS Glue version 3.0 or later and G.1X or G.2X worker types"). Glue 6.0 has
///   Flex: reference §3.5/§4.4 (usagetype `ETL-Flex-DPU-Hour-Gen2`). So Flex = G.1X and G.2X
///   on 3.0+; no other worker type (the price book has no Flex M-DPU rate either, §3.1).
/// - Standard: reference §3.3 ("Glue ≤1.0 (CDK docs)") and §3.2 (Standard jobs are sized by
///   Maximum capacity, and on "Glue 2.0+: you cannot specify a Maximum capacity"). Some users
///   ran Standard on 2.0 (LBHackney-IT/Data-Platform PR #1367); unclear, so 0.9 and 1.0 only.
///   G.1X is the same 1 DPU at the same rate, so nothing is lost.
/// - G.025X: reference §3.2/§3.3 (API: "only available for Glue version 3.0 or later streaming
///   jobs"); §3.5 prices streaming on 6.0. Streaming has no Flex (Flex is glueetl only, §8).
/// - G.1X, G.2X: no version limit in reference §3.3 or the Glue API.
/// - G.4X, G.8X: reference §3.3 ("Glue 3.0+ Spark").
/// - G.12X, G.16X: reference §3.3 gives no version ("worker-types page only"). They launched
///   with the R types (AWS What's New, July 2025) and carry the same footnote mark on the
///   worker-types page; an AWS CDK doc comment says 3.0+. Unclear, so 4.0+ like the R types.
/// - R.1X–R.8X: reference §3.3 gives no version; aws/aws-cdk issue #35071 ("R.1X, R.2X,
///   R.4X, R.8X for Glue 4.0+"). 4.0+; §3.5 prices them on 6.0.
/// - Z.2X: the Glue for Ray worker (reference §3.1/§3.3). The Glue API says "Ray jobs should
///   set GlueVersion to 4.0 or greater", but the only Ray runtime (Ray2.4) ships with 4.0 and
///   no 6.0 Ray rate is published (§3.5). Unclear, so 4.0 only. Ray jobs have no Flex.
/// - Python shell: the reference gives rates (§3.1) and capacities (§3.2) but no versions. The
///   Glue release notes (docs.aws.amazon.com/glue/latest/dg/release-notes.html): "PythonShell
///   v3.6 is supported in Glue version 1.0. PythonShell v3.9 is supported in Glue version
///   3.0." The Python-shell page says "Any version specified will be ignored", but AWS CDK
///   refuses 4.0 for Python shells (aws/aws-cdk issue #26616) and AWS's data-lakes sample kept
///   its shells on 3.0 "as 4.0 is not supported yet" (PR #205); unclear, so 1.0 and 3.0 only,
///   and in particular no Python shell on 6.0, whose Gen2 rates are Spark rates (§3.5). A
///   Python shell has no Flex (§8: glueetl only).
const OFFERS: [Offer; 14] = [
    Offer {
        worker_type: WorkerType::Standard,
        versions: &[9, 10],
        version_field: "worker_type",
        version_rule: "Standard workers run only on Glue 0.9 and 1.0 (use G.1X, the same 1 DPU of 4 vCPU / 16 GB at the same rate, on Glue 2.0 and later)",
        flex_versions: NONE,
        no_flex: "Standard workers (Glue 0.9/1.0) have no Flex",
    },
    Offer {
        worker_type: WorkerType::G025X,
        versions: V3_ON,
        version_field: "version",
        version_rule: "G.025X workers run streaming jobs on Glue 3.0 or later (3.0, 4.0, 5.0, 5.1, 6.0)",
        flex_versions: NONE,
        no_flex: "G.025X is for streaming jobs, which have no Flex",
    },
    Offer {
        worker_type: WorkerType::G1X,
        versions: ALL_VERSIONS,
        version_field: "version",
        version_rule: "runs on every Glue version",
        flex_versions: V3_ON,
        no_flex: "",
    },
    Offer {
        worker_type: WorkerType::G2X,
        versions: ALL_VERSIONS,
        version_field: "version",
        version_rule: "runs on every Glue version",
        flex_versions: V3_ON,
        no_flex: "",
    },
    Offer {
        worker_type: WorkerType::G4X,
        versions: V3_ON,
        version_field: "version",
        version_rule: "G.4X workers need Glue 3.0 or later (3.0, 4.0, 5.0, 5.1, 6.0)",
        flex_versions: NONE,
        no_flex: "there is no Flex for G.4X",
    },
    Offer {
        worker_type: WorkerType::G8X,
        versions: V3_ON,
        version_field: "version",
        version_rule: "G.8X workers need Glue 3.0 or later (3.0, 4.0, 5.0, 5.1, 6.0)",
        flex_versions: NONE,
        no_flex: "there is no Flex for G.8X",
    },
    Offer {
        worker_type: WorkerType::G12X,
        versions: V4_ON,
        version_field: "version",
        version_rule: "G.12X workers need Glue 4.0 or later (4.0, 5.0, 5.1, 6.0)",
        flex_versions: NONE,
        no_flex: "there is no Flex for G.12X",
    },
    Offer {
        worker_type: WorkerType::G16X,
        versions: V4_ON,
        version_field: "version",
        version_rule: "G.16X workers need Glue 4.0 or later (4.0, 5.0, 5.1, 6.0)",
        flex_versions: NONE,
        no_flex: "there is no Flex for G.16X",
    },
    Offer {
        worker_type: WorkerType::R1X,
        versions: V4_ON,
        version_field: "version",
        version_rule: "memory-optimized R.1X workers need Glue 4.0 or later (4.0, 5.0, 5.1, 6.0)",
        flex_versions: NONE,
        no_flex: "there is no Flex for the memory-optimized R.1X",
    },
    Offer {
        worker_type: WorkerType::R2X,
        versions: V4_ON,
        version_field: "version",
        version_rule: "memory-optimized R.2X workers need Glue 4.0 or later (4.0, 5.0, 5.1, 6.0)",
        flex_versions: NONE,
        no_flex: "there is no Flex for the memory-optimized R.2X",
    },
    Offer {
        worker_type: WorkerType::R4X,
        versions: V4_ON,
        version_field: "version",
        version_rule: "memory-optimized R.4X workers need Glue 4.0 or later (4.0, 5.0, 5.1, 6.0)",
        flex_versions: NONE,
        no_flex: "there is no Flex for the memory-optimized R.4X",
    },
    Offer {
        worker_type: WorkerType::R8X,
        versions: V4_ON,
        version_field: "version",
        version_rule: "memory-optimized R.8X workers need Glue 4.0 or later (4.0, 5.0, 5.1, 6.0)",
        flex_versions: NONE,
        no_flex: "there is no Flex for the memory-optimized R.8X",
    },
    Offer {
        worker_type: WorkerType::Z2X,
        versions: &[40],
        version_field: "version",
        version_rule: "Z.2X is the Glue for Ray worker, and Ray jobs run on Glue 4.0",
        flex_versions: NONE,
        no_flex: "Z.2X is the Ray worker, and Ray jobs have no Flex",
    },
    Offer {
        worker_type: WorkerType::PythonShell,
        versions: &[10, 30],
        version_field: "version",
        version_rule: "a Python shell job runs on Glue 3.0 (Python 3.9) or 1.0 (Python 3.6) only",
        flex_versions: NONE,
        no_flex: "a Python shell job has no Flex",
    },
];

/// Check that AWS sells `worker_type` on Glue `version` in `execution_class` (the offer
/// matrix `OFFERS`, with its sources); the error names the field to change and what is valid.
pub(crate) fn offer(
    worker_type: WorkerType,
    version: GlueVersion,
    execution_class: ExecutionClass,
) -> Result<()> {
    let Some(row) = OFFERS.iter().find(|o| o.worker_type == worker_type) else {
        return Err(Error::invalid(
            "glue worker_type",
            format!("{worker_type} is not in the Glue offer matrix"),
        ));
    };
    if !row.versions.contains(&version.tenths) {
        return Err(Error::invalid(
            format!("glue {}", row.version_field),
            format!("{}; not {version}", row.version_rule),
        ));
    }
    if execution_class == ExecutionClass::Flex && !row.flex_versions.contains(&version.tenths) {
        let why = if row.flex_versions.is_empty() {
            row.no_flex.to_string()
        } else {
            format!("not on Glue {version}")
        };
        return Err(Error::invalid(
            "glue execution_class",
            format!("Flex runs G.1X and G.2X workers on Glue 3.0 or later; {why}"),
        ));
    }
    Ok(())
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
                if workers > MAX_WORKERS {
                    return Err(invalid(
                        "workers",
                        format!("{workers}: at most {MAX_WORKERS} workers per job"),
                    ));
                }
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
        offer(worker_type, version, execution_class)?;
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

    /// The same configuration in another execution class, if AWS sells it (see [`offer`]):
    /// compare's Flex column is empty when this fails.
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
pub(crate) fn fargate_for(config: &GlueConfig, os: Os) -> (Size, Option<String>) {
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
            GlueVersion::PYTHON_SHELL,
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
        // Regression: 4,000,000,000 G.16X workers overflowed the vCPU count (a panic).
        let err = config("G.16X", 4_000_000_000, "4.0")
            .unwrap_err()
            .to_string();
        assert!(err.contains("at most 10000 workers"), "{err}");
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
            GlueVersion::PYTHON_SHELL,
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

    /// A configuration of `worker_type` with a valid worker count or capacity, so only the
    /// offer matrix can refuse it.
    fn offered(
        worker_type: WorkerType,
        version: GlueVersion,
        class: ExecutionClass,
    ) -> Result<GlueConfig> {
        let workers = match worker_type {
            WorkerType::PythonShell => None,
            _ => Some(2),
        };
        GlueConfig::new(worker_type, workers, version, class, None)
    }

    fn refusal(result: Result<GlueConfig>) -> (String, String) {
        match result {
            Err(Error::Invalid { what, message }) => (what, message),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    /// The Glue offer matrix, written out by hand from the sources listed on `OFFERS`: one
    /// row per worker type, one column per version. `.` not sold, `S` sold in the STANDARD
    /// execution class only, `F` sold in STANDARD and FLEX.
    const MATRIX: &str = "
        worker       0.9  1.0  2.0  3.0  4.0  5.0  5.1  6.0
        Standard      S    S    .    .    .    .    .    .
        G.025X        .    .    .    S    S    S    S    S
        G.1X          S    S    S    F    F    F    F    F
        G.2X          S    S    S    F    F    F    F    F
        G.4X          .    .    .    S    S    S    S    S
        G.8X          .    .    .    S    S    S    S    S
        G.12X         .    .    .    .    S    S    S    S
        G.16X         .    .    .    .    S    S    S    S
        R.1X          .    .    .    .    S    S    S    S
        R.2X          .    .    .    .    S    S    S    S
        R.4X          .    .    .    .    S    S    S    S
        R.8X          .    .    .    .    S    S    S    S
        Z.2X          .    .    .    .    S    .    .    .
        pythonshell   .    S    .    S    .    .    .    .
    ";

    #[test]
    fn glue_offer_matrix() {
        let mut lines = MATRIX
            .lines()
            .map(str::split_whitespace)
            .filter_map(|mut cells| {
                let first = cells.next()?;
                Some((first, cells.collect::<Vec<&str>>()))
            });
        // Every version has a column and every worker type a row, in order.
        let (_, header) = lines.next().unwrap();
        let versions: Vec<String> = GlueVersion::ALL.iter().map(|v| v.to_string()).collect();
        assert_eq!(header, versions);
        let rows: Vec<(&str, Vec<&str>)> = lines.collect();
        let names: Vec<&str> = rows.iter().map(|(name, _)| *name).collect();
        let all: Vec<&str> = WorkerType::ALL.iter().map(|w| w.name()).collect();
        assert_eq!(names, all);
        let mut checked = 0;
        for (name, cells) in rows {
            let worker_type = WorkerType::parse(name).unwrap();
            assert_eq!(cells.len(), GlueVersion::ALL.len(), "{name}");
            for (version, cell) in GlueVersion::ALL.into_iter().zip(cells) {
                for class in [ExecutionClass::Standard, ExecutionClass::Flex] {
                    let sold = match class {
                        ExecutionClass::Standard => cell != ".",
                        ExecutionClass::Flex => cell == "F",
                    };
                    let result = offered(worker_type, version, class);
                    let case = format!("{name} on {version}, {class:?}");
                    if sold {
                        let config = result.unwrap_or_else(|e| panic!("{case}: {e}"));
                        assert_eq!(config.execution_class(), class, "{case}");
                        // with_class is how compare asks for its Flex column.
                        let flex = config.with_class(ExecutionClass::Flex);
                        assert_eq!(flex.is_ok(), cell == "F", "{case}");
                    } else {
                        let err = result.expect_err(&case);
                        assert_eq!(err.exit_code(), 2, "{case}");
                        let (what, _) = refusal(Err(err));
                        let fields = ["glue version", "glue worker_type", "glue execution_class"];
                        assert!(fields.contains(&what.as_str()), "{case}: {what}");
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 14 * 8 * 2);
    }

    fn version(text: &str) -> GlueVersion {
        GlueVersion::parse(text).unwrap()
    }

    #[test]
    fn flex_is_only_g1x_and_g2x_on_glue_3_and_later() {
        let (what, message) = refusal(offered(
            WorkerType::G025X,
            version("3.0"),
            ExecutionClass::Flex,
        ));
        assert_eq!(what, "glue execution_class");
        assert_eq!(
            message,
            "Flex runs G.1X and G.2X workers on Glue 3.0 or later; G.025X is for streaming jobs, which have no Flex"
        );
        let (what, message) = refusal(offered(
            WorkerType::G1X,
            version("2.0"),
            ExecutionClass::Flex,
        ));
        assert_eq!(what, "glue execution_class");
        assert!(message.ends_with("not on Glue 2.0"), "{message}");
        for worker_type in [
            WorkerType::G4X,
            WorkerType::G8X,
            WorkerType::G12X,
            WorkerType::G16X,
            WorkerType::R1X,
            WorkerType::R8X,
            WorkerType::Z2X,
        ] {
            let (what, _) = refusal(offered(worker_type, version("4.0"), ExecutionClass::Flex));
            assert_eq!(what, "glue execution_class", "{worker_type}");
        }
        let shell = GlueConfig::new(
            WorkerType::PythonShell,
            None,
            GlueVersion::PYTHON_SHELL,
            ExecutionClass::Standard,
            None,
        )
        .unwrap();
        let (what, message) = refusal(shell.with_class(ExecutionClass::Flex));
        assert_eq!(what, "glue execution_class");
        assert!(
            message.ends_with("a Python shell job has no Flex"),
            "{message}"
        );
        // Sold: G.1X and G.2X Flex on 3.0 through 6.0.
        for v in ["3.0", "4.0", "5.0", "5.1", "6.0"] {
            assert!(offered(WorkerType::G1X, version(v), ExecutionClass::Flex).is_ok());
            assert!(offered(WorkerType::G2X, version(v), ExecutionClass::Flex).is_ok());
        }
    }

    #[test]
    fn standard_workers_are_glue_0_9_and_1_0_only() {
        assert!(config("Standard", 2, "1.0").is_ok());
        let (what, message) = refusal(config("Standard", 2, "3.0"));
        assert_eq!(what, "glue worker_type");
        assert_eq!(
            message,
            "Standard workers run only on Glue 0.9 and 1.0 (use G.1X, the same 1 DPU of 4 vCPU / 16 GB at the same rate, on Glue 2.0 and later); not 3.0"
        );
        assert!(config("Standard", 2, "2.0").is_err());
        assert!(config("Standard", 2, "6.0").is_err());
    }

    #[test]
    fn ray_and_memory_optimized_workers_need_their_versions() {
        assert!(config("Z.2X", 2, "4.0").is_ok());
        for v in ["3.0", "5.0", "6.0"] {
            let (what, message) = refusal(config("Z.2X", 2, v));
            assert_eq!(what, "glue version", "{v}");
            assert_eq!(
                message,
                format!("Z.2X is the Glue for Ray worker, and Ray jobs run on Glue 4.0; not {v}")
            );
        }
        let (what, message) = refusal(config("R.1X", 2, "3.0"));
        assert_eq!(what, "glue version");
        assert_eq!(
            message,
            "memory-optimized R.1X workers need Glue 4.0 or later (4.0, 5.0, 5.1, 6.0); not 3.0"
        );
        assert!(config("R.1X", 2, "4.0").is_ok());
        assert!(config("G.12X", 2, "3.0").is_err());
        let (what, _) = refusal(config("G.4X", 2, "2.0"));
        assert_eq!(what, "glue version");
    }

    #[test]
    fn python_shell_is_glue_1_0_or_3_0() {
        let shell = |v: &str| {
            GlueConfig::new(
                WorkerType::PythonShell,
                None,
                version(v),
                ExecutionClass::Standard,
                Some(dec!(1)),
            )
        };
        assert!(shell("3.0").is_ok());
        assert!(shell("1.0").is_ok());
        // Glue 6.0's Gen2 rates are Spark rates: a Python shell on 6.0 is refused, not priced.
        for v in ["6.0", "4.0", "2.0", "0.9"] {
            let (what, message) = refusal(shell(v));
            assert_eq!(what, "glue version", "{v}");
            assert_eq!(
                message,
                format!(
                    "a Python shell job runs on Glue 3.0 (Python 3.9) or 1.0 (Python 3.6) only; not {v}"
                )
            );
        }
        assert_eq!(
            GlueVersion::default_for(WorkerType::PythonShell),
            GlueVersion::PYTHON_SHELL
        );
        assert_eq!(
            GlueVersion::default_for(WorkerType::G1X),
            GlueVersion::DEFAULT
        );
    }
}
