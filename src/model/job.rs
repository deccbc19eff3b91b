//! The job config file (`fargate-cost.toml`): parsing with forgiving units, `[defaults]`
//! merged into every job, and errors that name the file, line, column and field.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, Result};
use crate::model::glue::{Engine, ExecutionClass, GlueConfig, GlueVersion, WorkerType};
use crate::model::plan::{self, SavingsPlan};
use crate::model::schedule::Schedule;
use crate::model::size::{self, Arch, Capacity, FREE_EPHEMERAL_GIB, Os, Size};
use crate::model::spark::{self, Heap, HeapSource};

/// Default config path, relative to the working directory.
pub const DEFAULT_CONFIG: &str = "fargate-cost.toml";

/// A batch job as configured.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Unique name (letters, digits, `.`, `_`, `-`).
    pub name: String,
    /// Fargate size; `None` when the job only names a Glue config (derived later).
    pub size: Option<Size>,
    /// CPU architecture.
    pub arch: Arch,
    /// Operating system.
    pub os: Os,
    /// On-demand or Spot.
    pub capacity: Capacity,
    /// Ephemeral storage GiB (20 = free default).
    pub ephemeral_storage_gib: u32,
    /// AWS region, if set in the file.
    pub region: Option<String>,
    /// How often it runs.
    pub schedule: Option<Schedule>,
    /// Typical run time, used until runs are recorded.
    pub duration: Option<Duration>,
    /// Latest acceptable run time.
    pub deadline: Option<Duration>,
    /// Python (single process) or Spark.
    pub engine: Engine,
    /// Explicit Glue alternative.
    pub glue: Option<GlueConfig>,
    /// Glue run time = Fargate run time / speedup.
    pub glue_speedup: Option<Decimal>,
    /// ECS task-definition JSON that `tune --write` rewrites.
    pub task_definition_file: Option<PathBuf>,
    /// Settings of the embedded local runner.
    pub local: Option<LocalSettings>,
    /// Settings of the ECS runner.
    pub ecs: Option<EcsSettings>,
    /// `[jobs.engines.<name>]`: the same job on other engines (e.g. a Spark job on DuckDB's
    /// Spark API), by name; the job's own command is its `engine`'s.
    pub engines: BTreeMap<String, EngineSettings>,
    /// `[jobs.spark] driver_memory`, MiB: the driver's JVM heap (`spark.driver.memory`).
    pub driver_memory_mib: Option<u32>,
    /// The alternative engine this copy of the job runs ([`Job::on_engine`]); `None` for
    /// the job's own engine.
    pub alternative: Option<String>,
}

/// `[jobs.engines.<name>]`: how the local runner starts the job on another engine.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineSettings {
    /// argv, in place of `[jobs.local] command`.
    pub command: Vec<String>,
    /// Environment added to (and overriding) `[jobs.local] env`.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

impl Job {
    /// The driver heap of a Spark job running its own command: `[jobs.spark]
    /// driver_memory`, else the strongest heap setting of `[jobs.local] env`, else of the
    /// task definition's environment (`task_env`), else Spark's default. `None` for other
    /// engines.
    pub fn heap(&self, task_env: &[(String, String)]) -> Option<Heap> {
        if self.engine != Engine::Spark || self.alternative.is_some() {
            return None;
        }
        if let Some(mib) = self.driver_memory_mib {
            return Some(Heap {
                mib,
                source: HeapSource::Config,
            });
        }
        let local = self.local.iter().flat_map(|l| &l.env);
        if let Some((key, mib)) = spark::heap_in_env(local.map(|(k, v)| (k.as_str(), v.as_str()))) {
            return Some(Heap {
                mib,
                source: HeapSource::JobEnv(key),
            });
        }
        let task = task_env.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        Some(match spark::heap_in_env(task) {
            Some((key, mib)) => Heap {
                mib,
                source: HeapSource::TaskDefinition(key),
            },
            None => Heap {
                mib: spark::DEFAULT_HEAP_MIB,
                source: HeapSource::Default,
            },
        })
    }

    /// Name of the engine this copy runs: an alternative's name, else the job's own
    /// `engine` ("spark", "python").
    pub fn engine_name(&self) -> String {
        self.alternative
            .clone()
            .unwrap_or_else(|| self.engine.to_string())
    }

    /// True when `run` ran on this copy's engine (a record without an engine ran the job's
    /// own command: runs were recorded before jobs had alternatives).
    pub fn ran(&self, run: &crate::model::run::Run) -> bool {
        match &run.engine {
            Some(engine) => *engine == self.engine_name(),
            None => self.alternative.is_none(),
        }
    }

    /// Every engine of the job: its own first, then the alternatives in name order.
    pub fn engine_names(&self) -> Vec<String> {
        std::iter::once(self.engine.to_string())
            .chain(self.engines.keys().cloned())
            .collect()
    }

    /// The job as run on engine `name`: its own engine unchanged, or an alternative's
    /// command with its environment over `[jobs.local] env`. `field` names the flag in the
    /// error for an unknown engine.
    pub fn on_engine(&self, name: &str, field: &str) -> Result<Job> {
        if name == self.engine.to_string() {
            return Ok(self.clone());
        }
        let engine = self.engines.get(name).ok_or_else(|| {
            Error::invalid(
                field,
                format!(
                    "job `{}` has no engine `{name}`; valid: {}",
                    self.name,
                    self.engine_names().join(", ")
                ),
            )
        })?;
        let mut job = self.clone();
        let mut local = job.local.take().unwrap_or_default();
        local.command = engine.command.clone();
        local.env.extend(engine.env.clone());
        job.local = Some(local);
        job.alternative = Some(name.to_string());
        Ok(job)
    }
}

/// `[jobs.local]`: how the local runner starts the job.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LocalSettings {
    /// argv; a shell only when the user writes `["sh", "-c", "..."]`.
    pub command: Vec<String>,
    /// Extra environment.
    pub env: BTreeMap<String, String>,
    /// Working directory, relative to the config file.
    pub workdir: Option<PathBuf>,
}

/// `[jobs.ecs]`: how the ECS runner launches the job.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EcsSettings {
    /// Cluster name or ARN.
    pub cluster: Option<String>,
    /// Task definition family, family:revision or ARN.
    pub task_definition: Option<String>,
    /// Container to override and read exit codes from.
    pub container: Option<String>,
    /// awsvpc subnets.
    pub subnets: Option<Vec<String>>,
    /// awsvpc security groups.
    pub security_groups: Option<Vec<String>>,
    /// Give the task a public IP.
    pub assign_public_ip: Option<bool>,
    /// Fargate platform version.
    pub platform_version: Option<String>,
    /// Command override for the container (argv).
    pub command: Option<Vec<String>>,
    /// Compressed image size, MB: lets a local measurement estimate the image pull that
    /// Fargate bills on every task (reference 10.2: nothing is cached between tasks).
    pub image_size_mb: Option<u32>,
}

/// The largest image: Fargate unpacks it into the task's ephemeral storage, at most 200 GiB.
pub const MAX_IMAGE_SIZE_MB: u32 = 200 * 1024;

impl EcsSettings {
    fn or(self, defaults: Option<&EcsSettings>) -> EcsSettings {
        let Some(d) = defaults else { return self };
        EcsSettings {
            cluster: self.cluster.or_else(|| d.cluster.clone()),
            task_definition: self.task_definition.or_else(|| d.task_definition.clone()),
            container: self.container.or_else(|| d.container.clone()),
            subnets: self.subnets.or_else(|| d.subnets.clone()),
            security_groups: self.security_groups.or_else(|| d.security_groups.clone()),
            assign_public_ip: self.assign_public_ip.or(d.assign_public_ip),
            platform_version: self.platform_version.or_else(|| d.platform_version.clone()),
            command: self.command.or_else(|| d.command.clone()),
            image_size_mb: self.image_size_mb.or(d.image_size_mb),
        }
    }
}

/// A parsed config file.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where it was read from.
    pub path: PathBuf,
    /// Jobs in file order.
    pub jobs: Vec<Job>,
    /// The text as read: `tune --write` edits this text and refuses to write when the file
    /// no longer holds it (someone edited it meanwhile).
    pub text: String,
    /// `[defaults] savings_plan` (`--savings-plan` and `--savings-plan-rate` win over it).
    pub savings_plan: Option<SavingsPlan>,
}

impl Config {
    /// Read and parse a config file.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::ConfigRead {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(path, &text)
    }

    /// Parse config text; `path` is used in error messages.
    pub fn parse(path: &Path, text: &str) -> Result<Config> {
        let parts = rayon::current_num_threads();
        Config::parse_in(path, text, parts, super::toml_pieces::MIN_PIECE)
    }

    /// Parse with the text cut into at most `parts` pieces (of `min_piece` bytes or more)
    /// parsed side by side.
    fn parse_in(path: &Path, text: &str, parts: usize, min_piece: usize) -> Result<Config> {
        let locate = |span: std::ops::Range<usize>, message: String| {
            let (line, column) = line_column(text, span.start);
            Error::Config {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        };
        let (defaults, raw_jobs) = parse_raw(text, parts, min_piece).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            let message = match key_at(text, span.start) {
                Some(key) => format!("field `{key}`: {}", plain(e.message())),
                None => e.message().to_string(),
            };
            locate(span, message.trim_end().to_string())
        })?;
        let defaults = match defaults {
            Some(d) => {
                if let Some(name) = &d.get_ref().name {
                    return Err(locate(
                        name.span(),
                        "field `name`: [defaults] cannot name a job".into(),
                    ));
                }
                d.into_inner()
            }
            None => RawJob::default(),
        };
        let savings_plan = match &defaults.savings_plan {
            Some(text) => plan::parse_config(text.get_ref())
                .map_err(|e| locate(text.span(), format!("field `savings_plan`: {e}")))?,
            None => None,
        };
        // A plan covers the account's Fargate usage, not one job.
        if let Some((offset, text)) = raw_jobs
            .iter()
            .find_map(|(offset, j)| Some((offset, j.get_ref().savings_plan.as_ref()?)))
        {
            return Err(locate(
                shift(text.span(), *offset),
                "field `savings_plan`: belongs in [defaults] (a Savings Plan covers the account, not one job)".into(),
            ));
        }
        // Jobs resolve independently (a 10,000-job config spends a fifth of its parse
        // here); errors are still reported for the first bad job in file order.
        let resolved: Vec<_> = raw_jobs
            .into_par_iter()
            .enumerate()
            .map(|(index, (offset, spanned))| {
                let job_span = shift(spanned.span(), offset);
                let raw_job = spanned.into_inner().or(&defaults);
                let Some(name) = raw_job.name.clone() else {
                    return Err(locate(
                        job_span,
                        format!("jobs[{index}]: missing field `name`"),
                    ));
                };
                let job = raw_job.resolve().map_err(|(span, e)| {
                    locate(
                        shift(span, offset),
                        format!("job `{}`: {e}", name.get_ref()),
                    )
                })?;
                Ok((shift(name.span(), offset), job))
            })
            .collect();
        let mut seen = HashSet::new();
        let mut jobs = Vec::with_capacity(resolved.len());
        for result in resolved {
            let (name_span, job) = result?;
            if !seen.insert(job.name.clone()) {
                return Err(locate(
                    name_span,
                    format!("field `name`: job `{}` is defined twice", job.name),
                ));
            }
            jobs.push(job);
        }
        Ok(Config {
            savings_plan,
            text: text.to_string(),
            path: path.to_path_buf(),
            jobs,
        })
    }

    /// A job by name, or an error listing the jobs.
    pub fn job(&self, name: &str) -> Result<&Job> {
        self.jobs
            .iter()
            .find(|j| j.name == name)
            .ok_or_else(|| Error::UnknownJob {
                name: name.to_string(),
                path: self.path.clone(),
                known: self
                    .jobs
                    .iter()
                    .map(|j| j.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The key written on the line holding `offset` (`key = value`), to name it in errors.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    let valid = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    valid.then(|| key.to_string())
}

/// What a size, count or duration field takes.
const SCALAR_EXPECTED: &str =
    "a number or a text value with a unit (e.g. 1, \"1 vCPU\", \"2GB\", \"45m\")";

/// serde's wording for a value of the wrong type, in the config's terms.
fn plain(message: &str) -> String {
    if message.contains(SCALAR_EXPECTED) {
        format!("expected {SCALAR_EXPECTED}")
    } else {
        message.to_string()
    }
}

/// A number or a string with a unit, as people write sizes.
#[derive(Debug, Clone)]
enum Scalar {
    Integer(i64),
    Float(f64),
    Text(String),
}

/// By hand rather than `#[serde(untagged)]`, which buffers every value before trying each
/// variant.
impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl serde::de::Visitor<'_> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(SCALAR_EXPECTED)
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Scalar, E> {
        Ok(Scalar::Integer(v))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Scalar, E> {
        i64::try_from(v)
            .map(Scalar::Integer)
            .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Scalar, E> {
        Ok(Scalar::Float(v))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Scalar, E> {
        Ok(Scalar::Text(v.to_string()))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> std::result::Result<Scalar, E> {
        Ok(Scalar::Text(v))
    }
}

impl Scalar {
    fn text(&self) -> String {
        match self {
            Scalar::Integer(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Text(s) => s.clone(),
        }
    }
}

/// A span of a piece of the text, as a span of the whole text.
fn shift(span: std::ops::Range<usize>, offset: usize) -> std::ops::Range<usize> {
    span.start + offset..span.end + offset
}

/// `[defaults]` and the jobs, each job with the offset its spans count from. A config of
/// thousands of jobs is parsed in pieces side by side (TOML parsing is most of `compare`'s
/// time on 10,000 jobs); when a piece does not parse alone, or `[defaults]` comes after
/// the jobs, the whole text is parsed at once, which also gives errors their position.
type RawJobs = (Option<Spanned<RawJob>>, Vec<(usize, Spanned<RawJob>)>);

fn parse_raw(
    text: &str,
    parts: usize,
    min_piece: usize,
) -> std::result::Result<RawJobs, toml::de::Error> {
    let pieces = super::toml_pieces::pieces(text, "[[jobs]]", parts, min_piece);
    if pieces.len() > 1 {
        let parsed: std::result::Result<Vec<_>, _> = pieces
            .par_iter()
            .map(|&(offset, piece)| toml::from_str::<RawFile>(piece).map(|raw| (offset, raw)))
            .collect();
        if let Ok(parsed) = parsed
            && parsed.iter().skip(1).all(|(_, raw)| raw.defaults.is_none())
        {
            let mut defaults = None;
            let mut jobs = Vec::new();
            for (offset, raw) in parsed {
                defaults = defaults.or(raw.defaults);
                jobs.extend(raw.jobs.into_iter().map(|job| (offset, job)));
            }
            return Ok((defaults, jobs));
        }
    }
    let raw: RawFile = toml::from_str(text)?;
    Ok((
        raw.defaults,
        raw.jobs.into_iter().map(|job| (0, job)).collect(),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    defaults: Option<Spanned<RawJob>>,
    #[serde(default)]
    jobs: Vec<Spanned<RawJob>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJob {
    name: Option<Spanned<String>>,
    cpu: Option<Spanned<Scalar>>,
    memory: Option<Spanned<Scalar>>,
    arch: Option<Arch>,
    os: Option<Os>,
    capacity: Option<Capacity>,
    ephemeral_storage_gb: Option<Spanned<u32>>,
    region: Option<String>,
    runs_per_month: Option<Spanned<Scalar>>,
    schedule: Option<Spanned<String>>,
    duration: Option<Spanned<String>>,
    deadline: Option<Spanned<String>>,
    engine: Option<Engine>,
    task_definition_file: Option<PathBuf>,
    glue: Option<Spanned<RawGlue>>,
    local: Option<Spanned<RawLocal>>,
    ecs: Option<EcsSettings>,
    engines: Option<Spanned<BTreeMap<String, EngineSettings>>>,
    spark: Option<RawSpark>,
    /// `[defaults]` only.
    savings_plan: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGlue {
    worker_type: Spanned<String>,
    workers: Option<Spanned<u32>>,
    version: Option<Spanned<Scalar>>,
    execution_class: Option<ExecutionClass>,
    max_capacity: Option<Spanned<Scalar>>,
    speedup: Option<Spanned<Scalar>>,
}

/// `[jobs.spark]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpark {
    driver_memory: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocal {
    command: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    workdir: Option<PathBuf>,
}

type Located<T> = std::result::Result<T, (std::ops::Range<usize>, Error)>;

fn at<T>(span: std::ops::Range<usize>, result: Result<T>) -> Located<T> {
    result.map_err(|e| (span, e))
}

/// The longest run priced or launched: a batch run longer than 31 days is not a batch run,
/// and the limit keeps every cost far inside `Decimal`'s range.
pub const MAX_RUN_DURATION: Duration = Duration::from_secs(31 * 24 * 3600);

/// Parse the length of one run — "45m", "1h30m", "90s" — into a duration above 0 and at
/// most [`MAX_RUN_DURATION`] (run time, timeout, deadline).
pub fn parse_duration(field: &str, text: &str) -> Result<Duration> {
    let duration = parse_positive_duration(field, text)?;
    if duration > MAX_RUN_DURATION {
        return Err(Error::invalid(
            field,
            format!("`{text}` is longer than 31 days: one batch run takes at most 31d"),
        ));
    }
    Ok(duration)
}

/// Parse how far back to look ("14d", "90d"): above 0, at most 10 years.
pub fn parse_lookback(field: &str, text: &str) -> Result<Duration> {
    let duration = parse_positive_duration(field, text)?;
    if duration > MAX_LOOKBACK {
        return Err(Error::invalid(
            field,
            format!("`{text}` is more than 10 years back"),
        ));
    }
    Ok(duration)
}

/// A duration above 0, in humantime's syntax.
fn parse_positive_duration(field: &str, text: &str) -> Result<Duration> {
    let duration = humantime::parse_duration(text.trim()).map_err(|_| {
        Error::invalid(
            field,
            format!("`{text}` is not a duration; write e.g. \"45m\", \"1h30m\" or \"90s\""),
        )
    })?;
    if duration.is_zero() {
        return Err(Error::invalid(
            field,
            format!("`{text}` must be more than 0"),
        ));
    }
    Ok(duration)
}

/// The furthest back `--since` looks (runs older than this are not sizing evidence).
const MAX_LOOKBACK: Duration = Duration::from_secs(3653 * 86_400);

/// Parse a positive decimal ("1.5"); `field` names it in errors.
pub fn parse_positive(field: &str, text: &str) -> Result<Decimal> {
    text.trim()
        .parse::<Decimal>()
        .ok()
        .filter(|d| *d > Decimal::ZERO)
        .ok_or_else(|| Error::invalid(field, format!("`{text}` must be a number above 0")))
}

impl RawJob {
    /// Fill unset fields from `[defaults]`.
    fn or(self, d: &RawJob) -> RawJob {
        RawJob {
            name: self.name,
            cpu: self.cpu.or_else(|| d.cpu.clone()),
            memory: self.memory.or_else(|| d.memory.clone()),
            arch: self.arch.or(d.arch),
            os: self.os.or(d.os),
            capacity: self.capacity.or(d.capacity),
            ephemeral_storage_gb: self
                .ephemeral_storage_gb
                .or_else(|| d.ephemeral_storage_gb.clone()),
            region: self.region.or_else(|| d.region.clone()),
            runs_per_month: self.runs_per_month.or_else(|| d.runs_per_month.clone()),
            schedule: self.schedule.or_else(|| d.schedule.clone()),
            duration: self.duration.or_else(|| d.duration.clone()),
            deadline: self.deadline.or_else(|| d.deadline.clone()),
            engine: self.engine.or(d.engine),
            task_definition_file: self.task_definition_file,
            savings_plan: None,
            glue: self.glue.or_else(|| d.glue.clone()),
            local: self.local.or_else(|| d.local.clone()),
            ecs: match self.ecs {
                Some(ecs) => Some(ecs.or(d.ecs.as_ref())),
                None => d.ecs.clone(),
            },
            engines: self.engines.or_else(|| d.engines.clone()),
            spark: self.spark.or_else(|| d.spark.clone()),
        }
    }

    /// Check every field and build the [`Job`]; an error carries the span of the value
    /// (or the job's `name` when a field is missing) so it reads `file:line:column`. The
    /// steps run in the order a reader meets the fields, so the first error is the one
    /// reported.
    fn resolve(self) -> Located<Job> {
        let name = self
            .name
            .as_ref()
            .ok_or_else(|| (0..0, Error::invalid("name", "missing")))?;
        let name_span = name.span();
        let name_text = checked_name(name)?;
        let (os, arch) = self.platform(&name_span)?;
        let glue = match &self.glue {
            Some(g) => Some(resolve_glue(g.get_ref())?),
            None => None,
        };
        let glue_speedup = self.glue_speedup()?;
        let size = self.size(os, glue.is_some(), &name_span)?;
        let ephemeral_storage_gib = self.ephemeral_storage(os)?;
        let schedule = self.schedule()?;
        let duration = optional_duration("duration", self.duration.as_ref())?;
        let deadline = optional_duration("deadline", self.deadline.as_ref())?;
        let local = match self.local {
            Some(l) => Some(resolve_local(l)?),
            None => None,
        };
        let engine = self.engine.unwrap_or_default();
        let engines = match self.engines {
            Some(e) => resolve_engines(e, engine)?,
            None => BTreeMap::new(),
        };
        let driver_memory_mib = match self.spark.as_ref().and_then(|s| s.driver_memory.as_ref()) {
            Some(text) => Some(spark::parse_jvm_size(text.get_ref()).ok_or_else(|| {
                (
                    text.span(),
                    Error::invalid(
                        "spark.driver_memory",
                        format!(
                            "`{}` is not a JVM memory size; write e.g. \"2g\" or \"2048m\"",
                            text.get_ref()
                        ),
                    ),
                )
            })?),
            None => None,
        };
        let image_size_mb = self.ecs.as_ref().and_then(|e| e.image_size_mb);
        if image_size_mb.is_some_and(|mb| mb == 0 || mb > MAX_IMAGE_SIZE_MB) {
            return Err((
                name_span,
                Error::invalid(
                    "ecs.image_size_mb",
                    format!(
                        "must be 1–{MAX_IMAGE_SIZE_MB} (MB, compressed; an image has to fit the task's 200 GiB ephemeral storage)"
                    ),
                ),
            ));
        }
        Ok(Job {
            name: name_text,
            size,
            arch,
            os,
            capacity: self.capacity.unwrap_or_default(),
            ephemeral_storage_gib,
            region: self.region,
            schedule,
            duration,
            deadline,
            engine,
            glue,
            glue_speedup,
            task_definition_file: self.task_definition_file,
            local,
            ecs: self.ecs,
            engines,
            driver_memory_mib,
            alternative: None,
        })
    }

    /// OS and architecture (defaults: Linux, x86_64); Windows runs on x86_64 only.
    fn platform(&self, name_span: &std::ops::Range<usize>) -> Located<(Os, Arch)> {
        let os = self.os.unwrap_or_default();
        let arch = self.arch.unwrap_or_default();
        if os == Os::Windows && arch == Arch::Arm64 {
            return Err((
                name_span.clone(),
                Error::invalid("arch", "Fargate runs Windows tasks on x86_64 only"),
            ));
        }
        Ok((os, arch))
    }

    /// `[jobs.glue] speedup`, if given.
    fn glue_speedup(&self) -> Located<Option<Decimal>> {
        match self.glue.as_ref().and_then(|g| g.get_ref().speedup.clone()) {
            Some(s) => Ok(Some(at(
                s.span(),
                parse_positive("glue speedup", &s.get_ref().text()),
            )?)),
            None => Ok(None),
        }
    }

    /// The Fargate size from `cpu` and `memory` (both or neither); neither is allowed only
    /// when the job names a Glue config, whose covering size is derived later.
    fn size(
        &self,
        os: Os,
        has_glue: bool,
        name_span: &std::ops::Range<usize>,
    ) -> Located<Option<Size>> {
        match (&self.cpu, &self.memory) {
            (Some(cpu), Some(memory)) => {
                let units = at(cpu.span(), size::parse_cpu(&cpu.get_ref().text()))?;
                let mib = at(memory.span(), size::parse_memory(&memory.get_ref().text()))?;
                Ok(Some(at(memory.span(), Size::new(units, mib, os))?))
            }
            (None, None) if has_glue => Ok(None),
            (Some(cpu), None) => Err((
                cpu.span(),
                Error::invalid("memory", "missing: a job with `cpu` needs `memory` too"),
            )),
            (None, Some(memory)) => Err((
                memory.span(),
                Error::invalid("cpu", "missing: a job with `memory` needs `cpu` too"),
            )),
            (None, None) => Err((
                name_span.clone(),
                Error::invalid(
                    "cpu",
                    "missing: give `cpu` and `memory` (or a [jobs.glue] table)",
                ),
            )),
        }
    }

    /// `ephemeral_storage_gb`, or the free 20 GB.
    fn ephemeral_storage(&self, os: Os) -> Located<u32> {
        match &self.ephemeral_storage_gb {
            Some(gb) => at(
                gb.span(),
                size::validate_ephemeral_storage(*gb.get_ref(), os),
            ),
            None => Ok(FREE_EPHEMERAL_GIB),
        }
    }

    /// `runs_per_month` or `schedule` (not both), if either is given.
    fn schedule(&self) -> Located<Option<Schedule>> {
        match (&self.runs_per_month, &self.schedule) {
            (Some(_), Some(s)) => Err((
                s.span(),
                Error::invalid("schedule", "give `runs_per_month` or `schedule`, not both"),
            )),
            (Some(n), None) => {
                let text = n.get_ref().text();
                let runs = text.trim().parse::<Decimal>().map_err(|_| {
                    (
                        n.span(),
                        Error::invalid("runs_per_month", format!("`{text}` is not a number")),
                    )
                })?;
                Ok(Some(at(n.span(), Schedule::runs(runs))?))
            }
            (None, Some(s)) => Ok(Some(at(s.span(), Schedule::parse_expression(s.get_ref()))?)),
            (None, None) => Ok(None),
        }
    }
}

/// The job's name, if it can name files in the run store.
fn checked_name(name: &Spanned<String>) -> Located<String> {
    let text = name.get_ref();
    let ok = !text.is_empty()
        && text.len() <= 128
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !ok {
        return Err((
            name.span(),
            Error::invalid(
                "name",
                "use 1–128 letters, digits, `.`, `_` or `-` (it names files in the run store)",
            ),
        ));
    }
    Ok(text.clone())
}

/// An optional duration field (`duration`, `deadline`).
fn optional_duration(field: &str, value: Option<&Spanned<String>>) -> Located<Option<Duration>> {
    match value {
        Some(d) => Ok(Some(at(d.span(), parse_duration(field, d.get_ref()))?)),
        None => Ok(None),
    }
}

/// `[jobs.local]`: the command must name a program.
fn resolve_local(local: Spanned<RawLocal>) -> Located<LocalSettings> {
    let span = local.span();
    let local = local.into_inner();
    if local.command.is_empty() || local.command[0].trim().is_empty() {
        return Err((
            span,
            Error::invalid(
                "local.command",
                "must name a program, e.g. [\"python3\", \"job.py\"]",
            ),
        ));
    }
    Ok(LocalSettings {
        command: local.command,
        env: local.env,
        workdir: local.workdir,
    })
}

/// `[jobs.engines.<name>]`: names like job names, each with a program; none named after the
/// job's own engine, whose command is `[jobs.local] command`.
fn resolve_engines(
    engines: Spanned<BTreeMap<String, EngineSettings>>,
    own: Engine,
) -> Located<BTreeMap<String, EngineSettings>> {
    let span = engines.span();
    let engines = engines.into_inner();
    for (name, settings) in &engines {
        let field = format!("engines.{name}");
        let valid_name = !name.is_empty()
            && name.len() <= 64
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
        let problem = if !valid_name {
            Some("an engine name is 1–64 letters, digits, `_` or `-`".to_string())
        } else if *name == own.to_string() {
            Some(format!(
                "`{own}` is the job's own engine, whose command is [jobs.local] command; name only alternatives here"
            ))
        } else if settings.command.first().is_none_or(|p| p.trim().is_empty()) {
            Some("command must name a program, e.g. [\"python3\", \"job.py\"]".to_string())
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err((span, Error::invalid(&field, problem)));
        }
    }
    Ok(engines)
}

fn resolve_glue(g: &RawGlue) -> Located<GlueConfig> {
    let worker_type = at(
        g.worker_type.span(),
        WorkerType::parse(g.worker_type.get_ref()),
    )?;
    let version = match &g.version {
        Some(v) => at(v.span(), GlueVersion::parse(&v.get_ref().text()))?,
        None => GlueVersion::default_for(worker_type),
    };
    let max_capacity = match &g.max_capacity {
        Some(c) => Some(at(
            c.span(),
            parse_positive("glue max_capacity", &c.get_ref().text()),
        )?),
        None => None,
    };
    let span = g
        .workers
        .as_ref()
        .map(|w| w.span())
        .unwrap_or_else(|| g.worker_type.span());
    at(
        span,
        GlueConfig::new(
            worker_type,
            g.workers.as_ref().map(|w| *w.get_ref()),
            version,
            g.execution_class.unwrap_or_default(),
            max_capacity,
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(Path::new("jobs.toml"), text)
    }

    fn jobs(count: usize, extra: impl Fn(usize) -> String) -> String {
        (0..count)
            .map(|i| {
                format!(
                    "[[jobs]]\nname = \"j{i}\"\ncpu = {}\nmemory = \"{}GB\"\nduration = \"{}m\"\n{}\n",
                    1 << (i % 3),
                    2 << (i % 3),
                    1 + i % 50,
                    extra(i)
                )
            })
            .collect()
    }

    /// Cut into pieces parsed side by side, a config reads exactly as in one parse:
    /// defaults, sub-tables, multi-line strings holding a `[[jobs]]` line, `[defaults]`
    /// after the jobs.
    #[test]
    fn parsing_in_pieces_reads_the_same_as_one_parse() {
        let glue = |i: usize| match i % 4 {
            0 => {
                "schedule = \"cron(0 3 * * ? *)\"\n[jobs.glue]\nworker_type = \"G.1X\"\nworkers = 2"
                    .to_string()
            }
            1 => "[jobs.local]\ncommand = [\"sh\", \"-c\", \"\"\"\n[[jobs]]\nname = 'x'\n\"\"\"]"
                .to_string(),
            _ => format!("runs_per_month = {i}"),
        };
        let body = jobs(40, glue);
        let texts = [
            format!("[defaults]\nregion = \"eu-west-1\"\n\n{body}"),
            format!("{body}[defaults]\nregion = \"eu-west-1\"\n"),
            body.clone(),
        ];
        for text in &texts {
            let whole = Config::parse_in(Path::new("c.toml"), text, 1, 1).unwrap();
            for parts in [2, 3, 7] {
                let pieces = Config::parse_in(Path::new("c.toml"), text, parts, 1).unwrap();
                assert_eq!(format!("{:?}", pieces.jobs), format!("{:?}", whole.jobs));
            }
            assert_eq!(whole.jobs.len(), 40);
        }
        let job = &Config::parse_in(Path::new("c.toml"), &texts[1], 3, 1)
            .unwrap()
            .jobs[1];
        assert_eq!(job.region.as_deref(), Some("eu-west-1"));
    }

    /// The pieces are really parsed apart, and a cut inside a multi-line string falls
    /// back to one parse.
    #[test]
    fn pieces_are_used_unless_a_cut_lands_in_a_string() {
        let offsets = |text: &str| {
            let (_, jobs) = parse_raw(text, 3, 1).unwrap();
            let mut offsets: Vec<usize> = jobs.iter().map(|(offset, _)| *offset).collect();
            offsets.dedup();
            offsets.len()
        };
        assert_eq!(offsets(&jobs(30, |_| String::new())), 3);
        let in_string = |_| "[jobs.local]\ncommand = [\"\"\"\n[[jobs]]\n\"\"\"]".to_string();
        assert_eq!(offsets(&jobs(30, in_string)), 1);
    }

    /// Errors in a later piece name the line in the whole file.
    #[test]
    fn errors_in_a_later_piece_name_their_line_in_the_file() {
        let bad_at = |i: usize| match i {
            30 => "deadline = \"soon\"".to_string(),
            _ => String::new(),
        };
        let text = jobs(40, bad_at);
        let line = text.lines().position(|l| l.contains("soon")).unwrap() + 1;
        let clean = jobs(40, |_| String::new());
        let dup = clean.replace("name = \"j35\"", "name = \"j2\"");
        let dup_lines: Vec<&str> = dup.lines().collect();
        let dup_line = dup_lines
            .iter()
            .rposition(|l| *l == "name = \"j2\"")
            .unwrap()
            + 1;
        let syntax = clean.replace("cpu = 4\nmemory = \"8GB\"\nduration = \"36m\"", "cpu = = 4");
        for parts in [1, 4] {
            let error = Config::parse_in(Path::new("c.toml"), &text, parts, 1).unwrap_err();
            assert!(
                error.to_string().starts_with(&format!("c.toml:{line}:")),
                "{line} {error}"
            );
            let error = Config::parse_in(Path::new("c.toml"), &dup, parts, 1).unwrap_err();
            assert!(
                error
                    .to_string()
                    .starts_with(&format!("c.toml:{dup_line}:")),
                "{error}"
            );
            let error = Config::parse_in(Path::new("c.toml"), &syntax, parts, 1).unwrap_err();
            assert!(error.to_string().contains("c.toml:"), "{error}");
        }
    }

    /// A size of the wrong type is named with what the field takes, at its line.
    #[test]
    fn a_size_of_the_wrong_type_says_what_it_takes() {
        for value in ["true", "[1]", "18446744073709551615"] {
            let text = format!("[[jobs]]\nname = \"a\"\ncpu = {value}\n");
            let error = parse(&text).unwrap_err().to_string();
            assert!(
                error.contains("jobs.toml:3:")
                    && error.contains("field `cpu`: expected a number or a text value with a unit"),
                "{value}: {error}"
            );
        }
        let config = parse("[[jobs]]\nname = \"a\"\ncpu = 2\nmemory = \"4GB\"\n").unwrap();
        assert_eq!(config.jobs[0].size.map(|s| s.cpu_units()), Some(2048));
    }

    #[test]
    fn parses_a_full_job_with_defaults() {
        let config = parse(
            r#"
[defaults]
region = "eu-west-1"
ecs = { cluster = "data", subnets = ["subnet-1"] }

[[jobs]]
name = "daily-orders"
cpu = "1 vCPU"
memory = "2GB"
schedule = "cron(0 3 * * ? *)"
duration = "12m"
deadline = "30m"
[jobs.glue]
worker_type = "G.1X"
workers = 2
version = "4.0"
[jobs.ecs]
task_definition = "daily-orders"

[[jobs]]
name = "small"
cpu = 0.25
memory = 512
runs_per_month = 300
duration = "1m"
"#,
        )
        .unwrap();
        let job = config.job("daily-orders").unwrap();
        assert_eq!(job.size.unwrap().to_string(), "1 vCPU / 2 GB");
        assert_eq!(job.region.as_deref(), Some("eu-west-1"));
        assert_eq!(job.duration, Some(Duration::from_secs(720)));
        assert_eq!(
            job.glue.as_ref().unwrap().to_string(),
            "2 × G.1X (2 DPU), Glue 4.0"
        );
        let ecs = job.ecs.as_ref().unwrap();
        assert_eq!(ecs.cluster.as_deref(), Some("data"));
        assert_eq!(ecs.task_definition.as_deref(), Some("daily-orders"));
        let small = config.job("small").unwrap();
        assert_eq!(small.size.unwrap().to_string(), "0.25 vCPU / 0.5 GB");
        assert_eq!(small.region.as_deref(), Some("eu-west-1"));
    }

    #[test]
    fn an_alternative_engine_replaces_the_command_and_adds_its_env() {
        let config = parse(
            r#"
[[jobs]]
name = "sessions"
engine = "spark"
cpu = 2
memory = "4GB"
[jobs.local]
command = ["python3", "job.py"]
env = { EVENTS = "100", ENGINE = "spark" }
[jobs.engines.duckdb]
command = ["python3", "job.py", "--duckdb"]
env = { ENGINE = "duckdb" }
"#,
        )
        .unwrap();
        let job = config.job("sessions").unwrap();
        assert_eq!(job.engine_names(), ["spark", "duckdb"]);
        assert_eq!(job.engine_name(), "spark");
        assert_eq!(job.on_engine("spark", "--engine").unwrap(), *job);
        let duckdb = job.on_engine("duckdb", "--engine").unwrap();
        assert_eq!(duckdb.engine_name(), "duckdb");
        let local = duckdb.local.unwrap();
        assert_eq!(local.command, ["python3", "job.py", "--duckdb"]);
        assert_eq!(local.env["ENGINE"], "duckdb");
        assert_eq!(local.env["EVENTS"], "100");
        let unknown = job.on_engine("polars", "--engine").unwrap_err().to_string();
        assert!(unknown.contains("--engine"), "{unknown}");
        assert!(unknown.contains("valid: spark, duckdb"), "{unknown}");
    }

    #[test]
    fn errors_name_line_and_field() {
        let err = parse("[[jobs]]\nname = \"a\"\ncpux = 1\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("jobs.toml:3:1: "), "{err}");
        assert!(err.contains("unknown field `cpux`"), "{err}");
        let err = parse("[[jobs]]\nname = \"a\"\ncpu = 8\nmemory = \"8GB\"\nduration = \"1m\"\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "jobs.toml:4:10: job `a`: memory: 8 vCPU / 8 GB is not a valid Fargate size: 8 vCPU needs 16–60 GB in 4 GB steps; nearest valid: 8 vCPU / 16 GB"
        );
        let err = parse("[[jobs]]\nname = \"a\"\ncpu = 1\nmemory = 2\narch = \"sparc\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("jobs.toml:5:8: field `arch`: unknown variant `sparc`"),
            "{err}"
        );
        let err = parse("[[jobs]]\nname = \"a\"\ncpu = 1\nmemory = 2\nduration = \"-5m\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("duration: `-5m` is not a duration"), "{err}");
        let err = parse("[[jobs]]\nname = \"a\"\ncpu = 1\nmemory = 2\n[[jobs]]\nname = \"a\"\ncpu = 1\nmemory = 2\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("jobs.toml:6:8: field `name`: job `a` is defined twice"),
            "{err}"
        );
    }

    #[test]
    fn glue_only_job_and_bad_glue() {
        let config = parse("[[jobs]]\nname = \"g\"\nduration = \"1h\"\n[jobs.glue]\nworker_type = \"G.2X\"\nworkers = 4\n").unwrap();
        assert!(config.jobs[0].size.is_none());
        let err =
            parse("[[jobs]]\nname = \"g\"\n[jobs.glue]\nworker_type = \"G.9X\"\nworkers = 4\n")
                .unwrap_err()
                .to_string();
        assert!(
            err.starts_with(
                "jobs.toml:4:15: job `g`: glue worker_type: unknown Glue worker type `G.9X`"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_run_takes_at_most_31_days() {
        assert_eq!(
            parse_duration("duration", "31d").unwrap(),
            Duration::from_secs(31 * 86_400)
        );
        assert_eq!(
            parse_duration("duration", "744h").unwrap(),
            MAX_RUN_DURATION
        );
        let err = parse_duration("duration", "744h 1s")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "duration: `744h 1s` is longer than 31 days: one batch run takes at most 31d"
        );
        let err = parse_duration("--timeout", "500000000000 years")
            .unwrap_err()
            .to_string();
        assert!(err.contains("longer than 31 days"), "{err}");
        // Looking back has no such limit.
        assert_eq!(
            parse_lookback("--since", "90d").unwrap(),
            Duration::from_secs(90 * 86_400)
        );
        let err = parse("[[jobs]]\nname = \"a\"\ncpu = 1\nmemory = 2\nduration = \"32d\"\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "jobs.toml:5:12: job `a`: duration: `32d` is longer than 31 days: one batch run takes at most 31d"
        );
    }
}
