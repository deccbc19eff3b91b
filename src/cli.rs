//! Command-line syntax (clap derive). Only this module knows clap; commands receive these
//! plain structs and resolve them into settings.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use rust_decimal::Decimal;

use crate::analysis::sizing::{CpuPercentile, Strategy};
use crate::error::Error;
use crate::model::glue::{Engine, GlueVersion, WorkerType};
use crate::model::job::{parse_duration, parse_lookback, parse_positive};
use crate::model::size::{self, Arch, Capacity, Os};
use crate::report::Format;

/// Price batch jobs on AWS Fargate and AWS Glue, side by side, as AWS bills them.
#[derive(Debug, Parser)]
#[command(name = "fargate-cost", version, propagate_version = true)]
pub struct Cli {
    /// Job config file [default: ./fargate-cost.toml]
    #[arg(long, global = true, value_name = "FILE", env = "FARGATE_COST_CONFIG")]
    pub config: Option<PathBuf>,

    /// Run store: a directory, or s3://BUCKET/PREFIX shared by a team [default:
    /// .fargate-cost beside the config]
    #[arg(
        long,
        global = true,
        value_name = "DIR|S3_URL",
        env = "FARGATE_COST_STORE"
    )]
    pub store: Option<PathBuf>,

    /// AWS region to price in (overrides the config's regions)
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,

    /// AWS named profile (ECS runner, import)
    #[arg(long, global = true, value_name = "PROFILE")]
    pub profile: Option<String>,

    /// AWS endpoint URL override (also AWS_ENDPOINT_URL), e.g. a local test server
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Output format: a table for people, or json/csv/markdown for scripts and docs
    #[arg(long, short = 'o', global = true, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,

    /// Prices to use: the price cache when present and younger than --max-price-age, else
    /// the bundled book (auto); or exactly one of them
    #[arg(long, global = true, value_enum, default_value_t = PricesArg::Auto)]
    pub prices: PricesArg,

    /// The oldest price cache `--prices auto` uses
    #[arg(long, global = true, value_parser = duration_any, default_value = "30d")]
    pub max_price_age: Duration,

    /// The price cache `prices update` writes [default: $XDG_CACHE_HOME/fargate-cost/prices.json]
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        env = "FARGATE_COST_PRICES_FILE"
    )]
    pub prices_file: Option<PathBuf>,

    /// Price Fargate Spot as on-demand less PCT percent (x86 and ARM) instead of the
    /// bundled Spot snapshot
    #[arg(long, global = true, value_name = "PCT", allow_hyphen_values = true, value_parser = crate::pricing::spot::parse_discount)]
    pub spot_discount: Option<rust_decimal::Decimal>,

    /// Price Fargate on-demand vCPU and memory under a Compute Savings Plan: none, 1y (about
    /// 20 % off) or 3y (about 45 % off), no upfront; not Spot, Glue, storage or public IPv4
    #[arg(long, global = true, value_name = "TERM", value_parser = crate::pricing::savings_plan::parse_term, conflicts_with = "savings_plan_rate")]
    pub savings_plan: Option<crate::pricing::savings_plan::Term>,

    /// Your Savings Plan's discount on Fargate on-demand vCPU and memory, in percent (0-50)
    #[arg(long, global = true, value_name = "PCT", allow_hyphen_values = true, value_parser = crate::pricing::savings_plan::parse_rate)]
    pub savings_plan_rate: Option<rust_decimal::Decimal>,

    /// Print only data (no notes or progress on stderr)
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,

    /// Print more detail on stderr
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,

    /// What to do
    #[command(subcommand)]
    pub command: Command,
}

/// `--output` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A table for a terminal
    Table,
    /// A JSON array of flat rows
    Json,
    /// CSV with a header row
    Csv,
    /// A Markdown table
    Markdown,
}

impl From<OutputFormat> for Format {
    fn from(format: OutputFormat) -> Format {
        match format {
            OutputFormat::Table => Format::Table,
            OutputFormat::Json => Format::Json,
            OutputFormat::Csv => Format::Csv,
            OutputFormat::Markdown => Format::Markdown,
        }
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compare Fargate and Glue costs for the config's jobs or an ad-hoc job
    Compare(CompareArgs),
    /// Run a job under its Fargate size and record what it used
    Run(RunArgs),
    /// List recorded runs, or show one
    Runs(RunsArgs),
    /// Recommend a size from measured runs (and optionally sweep sizes, rewrite configs)
    Tune {
        /// What to tune
        #[command(subcommand)]
        command: TuneCommand,
    },
    /// Monthly cost per job from recorded runs, with Spot, Glue and right-sized alternatives
    Report(ReportArgs),
    /// Import runs of tasks the tool did not launch
    Import {
        /// Where from
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Show the price book
    Prices {
        /// What to do with prices
        #[command(subcommand)]
        command: PricesCommand,
    },
    /// Manage the run store (upload a local history to an S3 store)
    Store {
        /// What to do with the store
        #[command(subcommand)]
        command: StoreCommand,
    },
    /// Print a shell completion script (e.g. `fargate-cost completions bash > /etc/bash_completion.d/fargate-cost`)
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff; e.g. `fargate-cost man | man -l -`)
    Man,
}

/// The clap command tree, for completions and the man page.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// Where prices come from (`--prices`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PricesArg {
    /// The cache when present and fresh, else the bundled book
    Auto,
    /// The bundled, cited price book
    Bundled,
    /// The cache `prices update` wrote (an error when there is none)
    Cached,
    /// The Price List API now, for the regions this command prices (needs
    /// pricing:GetProducts); falls back to the cache, then the bundled book, with a warning
    Live,
}

/// Runner backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendArg {
    /// This machine, under emulated Fargate limits (cgroups)
    Local,
    /// A real ECS task on Fargate
    Ecs,
}

/// `run` flags.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Job name from the config
    pub job: String,

    /// Where to run [default: local]
    #[arg(long, value_enum)]
    pub backend: Option<BackendArg>,

    /// Run at this CPU instead of the configured size
    #[arg(long, value_parser = cpu_units)]
    pub cpu: Option<u32>,

    /// Run at this memory instead of the configured size
    #[arg(long, value_parser = memory_mib)]
    pub memory: Option<u32>,

    /// Run the job N times, one record each
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub repeat: u32,

    /// Stop a run after this long ("30m"); recorded as `timeout`
    #[arg(long, value_parser = run_duration)]
    pub timeout: Option<Duration>,

    /// How often to sample CPU and memory ("1s", "100ms")
    #[arg(long, default_value = "1s", value_parser = interval)]
    pub sample_interval: Duration,

    /// Run on this engine: the job's own (its `engine`) or a [jobs.engines.NAME]
    /// alternative; recorded with the run
    #[arg(long, value_name = "NAME")]
    pub engine: Option<String>,
}

/// `runs` flags.
#[derive(Debug, Clone, Args)]
pub struct RunsArgs {
    /// Only this job's runs
    #[arg(long, value_name = "NAME")]
    pub job: Option<String>,

    /// Show one run
    #[command(subcommand)]
    pub command: Option<RunsCommand>,
}

/// `runs` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum RunsCommand {
    /// One run in detail, with its CPU and memory summary
    Show {
        /// Run id (a unique prefix is enough)
        run_id: String,

        /// Draw CPU and memory over time against the size's limits to FILE (.svg or .png)
        #[arg(long, value_name = "FILE")]
        chart: Option<PathBuf>,
    },
}

/// `report` flags.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Month, YYYY-MM (UTC) [default: this month]
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub month: Option<String>,

    /// Start day, YYYY-MM-DD (with --to)
    #[arg(long, requires = "to")]
    pub from: Option<String>,

    /// End day (exclusive), YYYY-MM-DD
    #[arg(long, requires = "from")]
    pub to: Option<String>,

    /// Also write the output to FILE [default for csv: reports/fargate-cost-PERIOD.csv]
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Draw cost per job (Fargate, right-sized, Glue) to FILE (.svg or .png)
    #[arg(long, value_name = "FILE")]
    pub chart: Option<PathBuf>,
}

/// `import` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum ImportCommand {
    /// ECS tasks with Container Insights per-task metrics
    Ecs(ImportEcsArgs),
    /// AWS Glue job runs (GetJobs, GetJobRuns), with what the jobs would cost on Fargate
    Glue(ImportGlueArgs),
}

/// `import glue` flags.
#[derive(Debug, Clone, Args)]
pub struct ImportGlueArgs {
    /// Only this Glue job (repeat for more); all jobs when none is named
    #[arg(long = "job", value_name = "NAME")]
    pub jobs: Vec<String>,

    /// How far back
    #[arg(long, default_value = "30d", value_parser = duration, allow_hyphen_values = true)]
    pub since: Duration,

    /// Glue is F times faster than one Fargate task (the Fargate run time = Glue run time × F)
    #[arg(long, value_parser = positive, value_name = "F", allow_hyphen_values = true)]
    pub glue_speedup: Option<Decimal>,
}

/// `import ecs` flags.
#[derive(Debug, Clone, Args)]
pub struct ImportEcsArgs {
    /// Cluster name
    #[arg(long)]
    pub cluster: String,

    /// Only this task definition family
    #[arg(long)]
    pub family: Option<String>,

    /// How far back
    #[arg(long, default_value = "14d", value_parser = duration, allow_hyphen_values = true)]
    pub since: Duration,
}

/// `tune` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum TuneCommand {
    /// Right-size one job
    Job(TuneJobArgs),
}

/// `tune job` flags.
#[derive(Debug, Clone, Args)]
pub struct TuneJobArgs {
    /// Job name from the config
    pub name: String,

    /// Use runs from this far back
    #[arg(long, default_value = "30d", value_parser = duration, allow_hyphen_values = true)]
    pub since: Duration,

    /// Refuse with fewer completed runs than this
    #[arg(long, default_value_t = 3, allow_hyphen_values = true)]
    pub min_runs: usize,

    /// Recommend even with fewer runs than --min-runs
    #[arg(long)]
    pub force: bool,

    /// Risk of running out of memory per run ("0.1%" or 0.001; 5% or more only with a
    /// "%"): memory is the upper
    /// prediction bound of the next run's peak at this risk, from a log-normal fit of the
    /// runs' peaks (never below the highest) [default: 0.1%]
    #[arg(long, value_parser = oom_risk, conflicts_with = "memory_headroom")]
    pub oom_risk: Option<f64>,

    /// Size memory as the highest peak + this headroom ("20%" or 0.2) instead of
    /// --oom-risk; also the memory --sweep sizes get [sweeps: 20%]
    #[arg(long, value_parser = headroom, allow_hyphen_values = true)]
    pub memory_headroom: Option<f64>,

    /// CPU statistic that sizes CPU: p50, p95, p99 or max
    #[arg(long, default_value = "p95", value_parser = cpu_percentile)]
    pub cpu_percentile: CpuPercentile,

    /// With a runtime model: cost (cheapest), speed (fastest) or balanced
    #[arg(long, value_enum, default_value_t = StrategyArg::Cost)]
    pub strategy: StrategyArg,

    /// Latest acceptable run time ("30m"); the cheapest size predicted to meet it [default: the job's deadline]
    #[arg(long, value_parser = run_duration)]
    pub deadline: Option<Duration>,

    /// Run the job at these vCPU sizes first ("0.5,1,2,4") to fit a runtime model
    #[arg(long, value_delimiter = ',', value_parser = sweep_cpu, value_name = "VCPUS")]
    pub sweep: Vec<u32>,

    /// Runs per sweep size (the model uses their trimmed mean)
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub repeat: u32,

    /// ECS sweep tasks launched at once [default: all of them, at most 20]; the local
    /// backend runs one at a time (side-by-side runs would share this machine's cores)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=50))]
    pub parallel: Option<u32>,

    /// Stop a sweep run after this long
    #[arg(long, value_parser = run_duration)]
    pub timeout: Option<Duration>,

    /// Sampling interval of sweep runs
    #[arg(long, default_value = "1s", value_parser = interval)]
    pub sample_interval: Duration,

    /// Apply the change to fargate-cost.toml and the job's task_definition_file
    #[arg(long)]
    pub write: bool,

    /// Register the rewritten task definition with ECS as a new revision
    #[arg(long, requires = "write")]
    pub register: bool,

    /// Draw cost and run time per size to FILE (.svg or .png)
    #[arg(long, value_name = "FILE")]
    pub chart: Option<PathBuf>,

    /// Compare the job's engines ("spark,duckdb"): each is sized from its own runs (run
    /// first where it has fewer than --min-runs) and priced side by side
    #[arg(long, value_delimiter = ',', value_name = "NAMES", conflicts_with_all = ["write", "chart"])]
    pub engines: Vec<String>,
}

/// `--strategy` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StrategyArg {
    /// Cheapest size (that meets the deadline)
    Cost,
    /// Fastest predicted run time
    Speed,
    /// Best cost/time balance
    Balanced,
}

impl From<StrategyArg> for Strategy {
    fn from(value: StrategyArg) -> Strategy {
        match value {
            StrategyArg::Cost => Strategy::Cost,
            StrategyArg::Speed => Strategy::Speed,
            StrategyArg::Balanced => Strategy::Balanced,
        }
    }
}

/// `prices` subcommands.
#[derive(Debug, Subcommand)]
pub enum PricesCommand {
    /// Print the bundled price book with sources (all regions, or --region)
    Show,
    /// Fetch current rates from the AWS Price List API (pricing:GetProducts) into the price
    /// cache and print what changed
    Update(PricesUpdateArgs),
}

/// `store` subcommands.
#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Upload the runs of a local store that an S3 store lacks (never overwrites; a second
    /// sync uploads nothing)
    Sync(StoreSyncArgs),
}

/// `store sync` flags.
#[derive(Debug, Clone, Args)]
pub struct StoreSyncArgs {
    /// The local store directory to upload
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
    /// The S3 store to upload to, s3://BUCKET/PREFIX
    #[arg(long, value_name = "S3_URL")]
    pub to: String,
}

/// `prices update` flags.
#[derive(Debug, Clone, Default, Args)]
pub struct PricesUpdateArgs {
    /// Regions to fetch (with --region: that one) [default: every region of the bundled book]
    #[arg(value_name = "REGION", value_parser = region_code)]
    pub regions: Vec<String>,
    /// Also fetch Fargate's 1- and 3-year Compute Savings Plan rates (No Upfront) from the
    /// Savings Plans API; `--savings-plan 1y|3y` then uses them instead of the typical
    /// discount (IAM: savingsplans:DescribeSavingsPlansOfferingRates)
    #[arg(long)]
    pub savings_plans: bool,
}

/// An AWS region code: lower-case letters, digits and hyphens, e.g. `eu-central-1`.
fn region_code(text: &str) -> Result<String, String> {
    let ok = text.len() <= 32
        && text.contains('-')
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(text.to_string())
    } else {
        Err(format!(
            "`{text}` is not an AWS region code (e.g. us-east-1)"
        ))
    }
}

/// `compare` flags. With --cpu/--memory/--duration they describe one ad-hoc job; otherwise
/// the config's jobs are compared and these flags override their settings.
#[derive(Debug, Clone, Default, Args)]
pub struct CompareArgs {
    /// Compare only this job from the config
    #[arg(long, value_name = "NAME")]
    pub job: Option<String>,

    /// Task CPU: vCPU (0.25, "1 vCPU") or CPU units ("512 units")
    #[arg(long, value_parser = cpu_units, allow_hyphen_values = true)]
    pub cpu: Option<u32>,

    /// Task memory: "2GB", "2 GiB", "2048MiB"
    #[arg(long, value_parser = memory_mib, allow_hyphen_values = true)]
    pub memory: Option<u32>,

    /// Run time of one run: "45m", "1h30m", "90s"
    #[arg(long, value_parser = run_duration, allow_hyphen_values = true)]
    pub duration: Option<Duration>,

    /// Runs per month [default: 30 for an ad-hoc job]
    #[arg(long, value_parser = runs, allow_hyphen_values = true, conflicts_with = "schedule")]
    pub runs_per_month: Option<Decimal>,

    /// EventBridge schedule, e.g. "cron(0 3 * * ? *)" or "rate(6 hours)"
    #[arg(long, value_name = "EXPRESSION")]
    pub schedule: Option<String>,

    /// CPU architecture: x86_64 or arm64
    #[arg(long, value_parser = arch)]
    pub arch: Option<Arch>,

    /// Operating system: linux or windows
    #[arg(long, value_parser = os)]
    pub os: Option<Os>,

    /// Capacity the job runs on: on-demand or spot
    #[arg(long, value_parser = capacity)]
    pub capacity: Option<Capacity>,

    /// Ephemeral storage in GB (20 free; 21-200)
    #[arg(long, value_name = "GB", value_parser = ephemeral_gb, allow_hyphen_values = true)]
    pub ephemeral_storage: Option<u32>,

    /// Price a public IPv4 address per task (assignPublicIp = ENABLED; $0.005/address-hour,
    /// Amazon VPC); a job's own setting is [jobs.ecs] assign_public_ip
    #[arg(long)]
    pub public_ip: bool,

    /// Kind of program: python (DuckDB, Polars: Python shell on Glue) or spark
    #[arg(long, value_parser = engine)]
    pub engine: Option<Engine>,

    /// Glue worker type to compare with (G.1X, G.2X, ..., R.1X, Z.2X, pythonshell)
    #[arg(long, value_parser = worker_type, value_name = "TYPE")]
    pub glue_worker_type: Option<WorkerType>,

    /// Number of Glue workers (Spark: at least 2)
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub glue_workers: Option<u32>,

    /// Glue version: 0.9, 1.0, 2.0, 3.0, 4.0, 5.0, 5.1, 6.0 [default: 4.0; a Python shell 3.0]
    #[arg(long, value_parser = glue_version, value_name = "VERSION")]
    pub glue_version: Option<GlueVersion>,

    /// Python shell capacity in DPU: 0.0625 or 1
    #[arg(long, value_parser = positive, value_name = "DPU")]
    pub glue_max_capacity: Option<Decimal>,

    /// Price the Glue job on the Flex execution class
    #[arg(long)]
    pub glue_flex: bool,

    /// Glue is F times faster than Fargate (Glue run time = Fargate run time / F)
    #[arg(long, value_parser = positive, value_name = "F", allow_hyphen_values = true)]
    pub glue_speedup: Option<Decimal>,
}

/// The message of a library error, without the field prefix clap already names.
/// Model field → the flag that sets it: an input error about a value typed on the command
/// line names the flag, through this one table.
const FLAGS: [(&str, &str); 17] = [
    ("cpu", "--cpu"),
    ("memory", "--memory"),
    ("duration", "--duration"),
    ("os", "--os"),
    ("arch", "--arch"),
    ("capacity", "--capacity"),
    ("ephemeral_storage_gb", "--ephemeral-storage"),
    ("runs_per_month", "--runs-per-month"),
    ("schedule", "--schedule"),
    ("engine", "--engine"),
    ("glue worker_type", "--glue-worker-type"),
    ("glue workers", "--glue-workers"),
    ("glue version", "--glue-version"),
    ("glue max_capacity", "--glue-max-capacity"),
    ("glue execution_class", "--glue-flex"),
    ("glue_flex", "--glue-flex"),
    ("glue_speedup", "--glue-speedup"),
];

/// The flag that sets a model field, if one does.
pub fn flag_for(field: &str) -> Option<&'static str> {
    FLAGS
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, flag)| *flag)
}

/// An input error about a field set on the command line, renamed to its flag.
pub fn name_flag(error: Error) -> Error {
    match error {
        Error::Invalid { what, message } => match flag_for(&what) {
            Some(flag) => Error::invalid(flag, message),
            None => Error::Invalid { what, message },
        },
        other => other,
    }
}

fn detail(error: Error) -> String {
    match error {
        Error::Invalid { message, .. } => message,
        other => other.to_string(),
    }
}

fn duration_any(text: &str) -> Result<Duration, String> {
    crate::model::job::parse_lookback("--max-price-age", text).map_err(detail)
}

fn ephemeral_gb(text: &str) -> Result<u32, String> {
    text.trim().parse::<u32>().map_err(|_| {
        format!("`{text}` is not a whole number of GB; Fargate ephemeral storage is 20–200 GB")
    })
}

/// A sweep's CPU: a CPU level some Fargate size has (checked before anything runs).
fn sweep_cpu(text: &str) -> Result<u32, String> {
    let units = cpu_units(text)?;
    let levels = [256, 512, 1024, 2048, 4096, 8192, 16384];
    if levels.contains(&units) {
        Ok(units)
    } else {
        Err(format!(
            "{} vCPU is not a Fargate CPU size; sweep over 0.25, 0.5, 1, 2, 4, 8, 16",
            size::format_vcpu(units)
        ))
    }
}

fn cpu_units(text: &str) -> Result<u32, String> {
    size::parse_cpu(text).map_err(detail)
}

fn memory_mib(text: &str) -> Result<u32, String> {
    size::parse_memory(text).map_err(detail)
}

/// How long one run takes (--duration, --timeout, --deadline): at most 31 days.
fn run_duration(text: &str) -> Result<Duration, String> {
    parse_duration("--duration", text).map_err(detail)
}

/// How far back to look (--since): any positive duration.
fn duration(text: &str) -> Result<Duration, String> {
    parse_lookback("--since", text).map_err(detail)
}

fn interval(text: &str) -> Result<Duration, String> {
    let value = parse_duration("--sample-interval", text).map_err(detail)?;
    if value < Duration::from_millis(10) {
        return Err(format!(
            "`{text}` is too short; the smallest interval is 10ms"
        ));
    }
    Ok(value)
}

fn headroom(text: &str) -> Result<f64, String> {
    crate::analysis::sizing::parse_fraction(text).map_err(detail)
}

fn oom_risk(text: &str) -> Result<f64, String> {
    let bad = || {
        format!(
            "`{text}` is not a risk per run; give a share above 0 and below 50%, e.g. 0.1% or 0.001"
        )
    };
    let risk = crate::analysis::sizing::parse_fraction(text).map_err(|_| bad())?;
    if !(risk > 0.0 && risk < 0.5) {
        return Err(bad());
    }
    // `--oom-risk 0.1` is far more often "0.1 %" than "one run in ten": a bare share of
    // 5 % or more must be written as a percentage to be taken.
    if risk >= 0.05 && !text.trim_end().ends_with('%') {
        let percent = risk * 100.0;
        return Err(format!(
            "`{text}` reads as {percent}% of runs out of memory; write {percent}% if that is meant, or {text}% for {text} percent"
        ));
    }
    Ok(risk)
}

fn cpu_percentile(text: &str) -> Result<CpuPercentile, String> {
    CpuPercentile::parse(text).map_err(detail)
}

fn runs(text: &str) -> Result<Decimal, String> {
    text.trim()
        .parse::<Decimal>()
        .ok()
        .filter(|d| !d.is_sign_negative())
        .ok_or_else(|| format!("`{text}` must be a number of runs, 0 or more"))
}

fn positive(text: &str) -> Result<Decimal, String> {
    parse_positive("value", text).map_err(detail)
}

fn arch(text: &str) -> Result<Arch, String> {
    text.parse().map_err(detail)
}

fn os(text: &str) -> Result<Os, String> {
    text.parse().map_err(detail)
}

fn capacity(text: &str) -> Result<Capacity, String> {
    text.parse().map_err(detail)
}

fn engine(text: &str) -> Result<Engine, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "python" | "duckdb" | "polars" | "pandas" => Ok(Engine::Python),
        "spark" | "pyspark" => Ok(Engine::Spark),
        _ => Err(format!("`{text}` is not valid; use python or spark")),
    }
}

fn worker_type(text: &str) -> Result<WorkerType, String> {
    WorkerType::parse(text).map_err(detail)
}

fn glue_version(text: &str) -> Result<GlueVersion, String> {
    GlueVersion::parse(text).map_err(detail)
}

/// Parse the process arguments. Help and version go to stdout with exit 0; a usage error
/// is printed as its one first line on stderr with exit 2.
pub fn parse_args() -> Cli {
    match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => error.exit(),
        Err(error) => {
            let printer = crate::printer::Printer::new(false, false);
            let rendered = error.render().to_string();
            let line = match error.kind() {
                clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    missing_subcommand(&rendered)
                }
                _ => one_line(&rendered),
            };
            printer.error(&line);
            std::process::exit(2);
        }
    }
}

/// "missing subcommand; one of: job" from the help clap would print instead.
fn missing_subcommand(help: &str) -> String {
    let names: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .collect();
    format!(
        "missing subcommand; one of: {} (see --help)",
        names.join(", ")
    )
}

/// A clap error as one line that keeps what matters: the message, the valid values or the
/// missing arguments, and a tip; not the usage block or "For more information".
fn one_line(rendered: &str) -> String {
    let parts: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .collect();
    let line = parts.join(" ");
    let line = line.trim_start_matches("error: ");
    if line.is_empty() {
        "invalid arguments (see --help)".to_string()
    } else {
        line.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Small risks are taken bare or as a percentage; from 5 % on only with a "%".
    #[test]
    fn oom_risk_forms() {
        assert_eq!(oom_risk("0.1%"), Ok(0.001));
        assert_eq!(oom_risk("0.001"), Ok(0.001));
        assert_eq!(oom_risk("0.01"), Ok(0.01));
        assert_eq!(oom_risk("10%"), Ok(0.1));
        assert!(
            oom_risk("0.1")
                .unwrap_err()
                .contains("reads as 10% of runs")
        );
        assert!(oom_risk("0.3").is_err() && oom_risk("50%").is_err());
    }

    fn rendered_error(args: &[&str]) -> String {
        let error = Cli::try_parse_from(args).unwrap_err();
        one_line(&error.render().to_string())
    }

    /// Regression: errors were cut to their first line, so valid values and missing
    /// arguments were never shown.
    #[test]
    fn usage_errors_keep_valid_values_and_missing_arguments_on_one_line() {
        let output = rendered_error(&["fargate-cost", "--output", "bogus", "compare"]);
        assert!(
            output.contains("'bogus'") && output.contains("table, json, csv, markdown"),
            "{output}"
        );
        let from = rendered_error(&["fargate-cost", "report", "--from", "2026-11-01"]);
        assert!(from.contains("not provided: --to"), "{from}");
        assert!(!from.contains('\n') && !from.contains("Usage:"), "{from}");
        let storage = rendered_error(&["fargate-cost", "compare", "--ephemeral-storage", "-1"]);
        assert!(
            storage.contains("--ephemeral-storage") && storage.contains("20–200"),
            "{storage}"
        );
    }

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_compare_flags() {
        let cli = Cli::try_parse_from([
            "fargate-cost",
            "compare",
            "--cpu",
            "1 vCPU",
            "--memory",
            "2GB",
            "--duration",
            "1h30m",
            "--output",
            "json",
        ])
        .unwrap();
        let Command::Compare(args) = cli.command else {
            panic!("not compare");
        };
        assert_eq!(args.cpu, Some(1024));
        assert_eq!(args.memory, Some(2048));
        assert_eq!(args.duration, Some(Duration::from_secs(5400)));
        assert_eq!(cli.output, OutputFormat::Json);
    }
}
