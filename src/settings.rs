//! Settings resolved once: global flags, the environment and defaults become one
//! [`GlobalSettings`] before any command runs (parse → resolve → act). Commands take
//! resolved settings, never clap types' raw defaults.

use std::path::{Path, PathBuf};

use std::time::Duration;

use crate::analysis::sizing::{MemoryRule, Options};
use crate::analysis::workload::Overrides;
use crate::aws::s3::{Bucket, S3Location};
use crate::cli::{self, Cli, CompareArgs, PricesArg, TuneJobArgs};
use crate::error::{Error, Result};
use crate::model::glue::{ExecutionClass, GlueConfig, GlueVersion};
use crate::model::job::DEFAULT_CONFIG;
use crate::model::job::{Config, Job};
use crate::model::run::Backend;
use crate::model::schedule::Schedule;
use crate::model::size::Size;
use crate::pricing::book::PriceBook;
use crate::pricing::cache::{self, PriceCache};
use crate::pricing::savings_plan::{self, SavingsPlan, Term};
use crate::report::Format;
use crate::runner::session::{EcsTarget, Launch, SessionSettings};
use crate::store::DEFAULT_STORE;
use crate::store::Store;
use crate::store::remote::Remote;

/// Settings shared by every command, resolved from global flags and the environment.
#[derive(Debug, Clone)]
pub struct GlobalSettings {
    /// Config file path.
    pub config: PathBuf,
    /// True when the user named the config (so a missing file is an error to report as such).
    pub config_given: bool,
    /// Run store directory: the store, or the local mirror of the S3 store below.
    pub store: PathBuf,
    /// `--store s3://bucket/prefix`: the S3 store (mirrored in `store`).
    pub store_s3: Option<crate::aws::s3::S3Location>,
    /// Region override.
    pub region: Option<String>,
    /// How to reach AWS.
    pub aws: crate::aws::AwsSettings,
    /// Output format.
    pub format: Format,
    /// Where prices come from.
    pub prices: PricesArg,
    /// The oldest cache `--prices auto` uses.
    pub max_price_age: Duration,
    /// The price cache file (`--prices-file`, else the XDG cache path), if one can be named.
    pub prices_file: Option<PathBuf>,
    /// `--spot-discount`: Spot = on-demand less this percentage.
    pub spot_discount: Option<rust_decimal::Decimal>,
    /// `--savings-plan` or `--savings-plan-rate` when given (`Term(None)`: `none`, which
    /// also overrides the config's plan).
    pub savings_plan: Option<Term>,
}

impl GlobalSettings {
    /// Resolve global flags (an `s3://` store that is not a valid URL is bad input).
    pub fn resolve(cli: &Cli) -> Result<GlobalSettings> {
        let config = cli
            .config
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG));
        let store_s3 = cli
            .store
            .as_deref()
            .and_then(|p| p.to_str())
            .and_then(S3Location::parse)
            .transpose()?;
        // The store lives beside the config, so runs follow the jobs they measure; an S3
        // store is mirrored in the user's cache.
        let store = match &store_s3 {
            Some(location) => s3_mirror(
                location,
                std::env::var_os("XDG_CACHE_HOME"),
                std::env::var_os("HOME"),
            )?,
            None => cli.store.clone().unwrap_or_else(|| {
                config
                    .parent()
                    .map(|p| p.join(DEFAULT_STORE))
                    .unwrap_or_else(|| PathBuf::from(DEFAULT_STORE))
            }),
        };
        Ok(GlobalSettings {
            config,
            store,
            store_s3,
            config_given: cli.config.is_some(),
            region: cli.region.clone(),
            aws: crate::aws::AwsSettings {
                profile: cli.profile.clone(),
                region: cli.region.clone(),
                endpoint_url: cli.endpoint_url.clone(),
            },
            format: cli.output.into(),
            prices: cli.prices,
            max_price_age: cli.max_price_age,
            prices_file: cli.prices_file.clone().or_else(|| {
                cache::default_path(std::env::var_os("XDG_CACHE_HOME"), std::env::var_os("HOME"))
            }),
            spot_discount: cli.spot_discount,
            savings_plan: cli
                .savings_plan_rate
                .map(|pct| Term(Some(SavingsPlan::Rate(pct))))
                .or(cli.savings_plan),
        })
    }

    /// The run store: the directory, or the S3 store with its mirror brought up to date
    /// (listed, new records downloaded, removed ones dropped).
    pub fn open_store(&self) -> Result<Store> {
        let Some(location) = &self.store_s3 else {
            return Ok(Store::new(&self.store));
        };
        let remote = self.connect_s3(location)?;
        remote.pull(&self.store)?;
        Ok(Store::with_remote(&self.store, remote))
    }

    /// The bucket of an S3 store, reached with the shared AWS settings.
    pub fn connect_s3(&self, location: &S3Location) -> Result<std::sync::Arc<Remote>> {
        let runtime = crate::aws::runtime()?;
        let aws = self.connect_aws(&runtime, None)?;
        let bucket = Bucket::new(aws.s3, location.clone(), aws.region);
        Ok(Remote::new(bucket, runtime))
    }
}

/// Where an S3 store is mirrored: `$XDG_CACHE_HOME/fargate-cost/s3/<bucket>/<prefix>` (else
/// `~/.cache/…`): a cache, rebuilt from the bucket's listing whenever the store is read.
fn s3_mirror(
    location: &S3Location,
    xdg_cache: Option<std::ffi::OsString>,
    home: Option<std::ffi::OsString>,
) -> Result<PathBuf> {
    let cache = xdg_cache
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| home.map(|h| PathBuf::from(h).join(".cache")))
        .ok_or_else(|| {
            Error::invalid(
                "--store",
                "an s3:// store is mirrored in the cache directory: set XDG_CACHE_HOME or HOME",
            )
        })?;
    let mut dir = cache.join("fargate-cost/s3").join(&location.bucket);
    if !location.prefix.is_empty() {
        dir.push(&location.prefix);
    }
    Ok(dir)
}

/// The prices every command uses, and the line that says which.
#[derive(Debug)]
pub struct Prices {
    /// The book (bundled, or the cache laid over it).
    pub book: PriceBook,
    /// "prices: Price List API, fetched … from …" or "prices: bundled price book as of …".
    pub footer: String,
    /// Why the cache was not used, or which rates still come from the bundled book.
    pub notes: Vec<String>,
    /// Which Spot rates apply (the bundled snapshot or `--spot-discount`).
    pub spot: String,
    /// `--prices live` failed: why, and what is used instead (one line to warn with).
    pub warning: Option<String>,
}

impl GlobalSettings {
    /// Resolve `--prices` and `--spot-discount`: the bundled book, the cache, (auto) the
    /// cache when it exists, is a price cache and is younger than `--max-price-age` — a
    /// corrupt or foreign cache is reported and ignored, never used — or (live) the Price
    /// List now for `regions`, the ones the command prices.
    pub fn prices_for(&self, regions: &[String]) -> Result<Prices> {
        let mut prices = match self.prices {
            PricesArg::Live => self.live_prices(regions)?,
            _ => self.stored_prices()?,
        };
        if let Some(pct) = self.spot_discount {
            prices.book = crate::pricing::spot::with_discount(prices.book, pct)?;
        }
        prices.spot = crate::pricing::spot::note(&prices.book, self.spot_discount);
        Ok(prices)
    }

    /// The book under the Savings Plan in effect (`--savings-plan`, else the config's
    /// `[defaults] savings_plan`), with the footer line that says so; the book unchanged
    /// without one. Commands that price apply it; runs are recorded at list prices, so a
    /// report can apply a plan to any month.
    pub fn with_savings_plan(&self, book: PriceBook) -> Result<(PriceBook, Option<String>)> {
        self.with_savings_plan_of(book, None)
    }

    /// [`GlobalSettings::with_savings_plan`] for a command that has already loaded the
    /// config: `config` is its `[defaults] savings_plan` (so a 10,000-job config is not
    /// parsed twice); None reads it from the config file.
    pub fn with_savings_plan_of(
        &self,
        book: PriceBook,
        config: Option<Option<SavingsPlan>>,
    ) -> Result<(PriceBook, Option<String>)> {
        let plan = match (self.savings_plan, config) {
            (Some(Term(given)), _) => given,
            (None, Some(from_config)) => from_config,
            (None, None) if self.config.exists() => Config::load(&self.config)?.savings_plan,
            (None, None) => None,
        };
        match plan {
            Some(plan) => {
                let book = savings_plan::with_plan(book, plan)?;
                let note = savings_plan::note(&book, plan);
                Ok((book, Some(note)))
            }
            None => Ok((book, None)),
        }
    }

    /// The region this command prices when no job names one.
    pub fn default_regions(&self) -> Vec<String> {
        vec![self.region_for(None)]
    }

    /// `--prices live`: the Price List now; when that fails, the cache (of any age), else
    /// the bundled book, with one warning naming why.
    fn live_prices(&self, regions: &[String]) -> Result<Prices> {
        let mut regions = regions.to_vec();
        regions.sort();
        regions.dedup();
        let fetched = crate::aws::runtime().and_then(|runtime| {
            let fetched_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            runtime.block_on(async {
                let client =
                    crate::aws::pricing::connect(&self.aws, regions.first().map(String::as_str))
                        .await?;
                client.fetch(&regions, &fetched_at, |_, _, _| {}).await
            })
        });
        let why = match fetched {
            Ok((mut cache, parses)) if !cache.regions.is_empty() => {
                // Plan rates are not in the Price List: those `prices update --savings-plans`
                // cached still apply under live on-demand rates.
                if let Ok(stored) = self.read_price_cache() {
                    cache.savings_plans = stored.savings_plans;
                }
                let (book, mut notes) = cache.overlay(PriceBook::bundled()?);
                for (region, parsed) in &parses {
                    notes.extend(parsed.skipped_notes(region));
                    notes.extend(parsed.unreadable_notes(region));
                }
                return Ok(Prices {
                    book,
                    footer: cache.footer(),
                    notes,
                    spot: String::new(),
                    warning: None,
                });
            }
            Ok(_) => format!("the Price List gave no rates for {}", regions.join(", ")),
            Err(e) => e.to_string(),
        };
        let mut prices = match self.read_price_cache() {
            Ok(cache) => {
                let (book, notes) = cache.overlay(PriceBook::bundled()?);
                Prices {
                    warning: Some(format!(
                        "--prices live: {why}; using the price cache (fetched {})",
                        cache.fetched_at
                    )),
                    footer: cache.footer(),
                    book,
                    notes,
                    spot: String::new(),
                }
            }
            Err(_) => {
                let mut prices = bundled_prices()?;
                prices.warning = Some(format!(
                    "--prices live: {why}; using the bundled price book as of {}",
                    prices.book.as_of
                ));
                prices
            }
        };
        prices
            .notes
            .insert(0, format!("--prices live failed: {why}"));
        Ok(prices)
    }

    /// `--prices auto|bundled|cached`.
    fn stored_prices(&self) -> Result<Prices> {
        let bundled = bundled_prices;
        if self.prices == PricesArg::Bundled {
            return bundled();
        }
        let cache = match self.read_price_cache() {
            Ok(cache) => cache,
            Err(why) if self.prices == PricesArg::Cached => {
                return Err(Error::invalid("--prices", why));
            }
            Err(why) => {
                // Auto: no cache is the normal case; a damaged one is said, then ignored.
                let mut prices = bundled()?;
                if !why.starts_with("no price cache") {
                    prices.warning = Some(why);
                }
                return Ok(prices);
            }
        };
        let age = chrono::DateTime::parse_from_rfc3339(&cache.fetched_at)
            .map(|t| chrono::Utc::now() - t.with_timezone(&chrono::Utc))
            .ok()
            .and_then(|age| age.to_std().ok());
        let stale = age.is_none_or(|age| age > self.max_price_age);
        if self.prices == PricesArg::Auto && stale {
            let mut prices = bundled()?;
            prices.notes.push(format!(
                "the price cache (fetched {}) is older than --max-price-age {}; using the bundled book (run `fargate-cost prices update`)",
                cache.fetched_at,
                humantime::format_duration(self.max_price_age)
            ));
            return Ok(prices);
        }
        let footer = cache.footer();
        let (book, notes) = cache.overlay(PriceBook::bundled()?);
        Ok(Prices {
            book,
            footer,
            notes,
            spot: String::new(),
            warning: None,
        })
    }

    /// The price cache, or why there is none to use.
    fn read_price_cache(&self) -> std::result::Result<PriceCache, String> {
        let path = self
            .prices_file
            .as_ref()
            .ok_or("no price cache: set XDG_CACHE_HOME or HOME, or pass --prices-file FILE")?;
        match read_price_cache(path) {
            Ok(Some(cache)) => Ok(cache),
            Ok(None) => Err(format!(
                "no price cache at {}; run `fargate-cost prices update` first",
                path.display()
            )),
            Err(e) => Err(format!("the price cache is ignored: {e}")),
        }
    }
}

/// The bundled book, said so in the footer.
fn bundled_prices() -> Result<Prices> {
    let book = PriceBook::bundled()?;
    let footer = format!("prices: bundled price book as of {}", book.as_of);
    Ok(Prices {
        book,
        footer,
        notes: Vec::new(),
        spot: String::new(),
        warning: None,
    })
}

/// The price cache at `path`: `None` when there is none yet; an error when the file cannot
/// be read or is not a price cache. The one reader for `prices update` and `--prices`.
pub(crate) fn read_price_cache(path: &Path) -> Result<Option<PriceCache>> {
    match std::fs::read_to_string(path) {
        Ok(text) => PriceCache::from_json(&text, &path.display().to_string()).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::PriceCache(format!(
            "cannot read the price cache {}: {e}",
            path.display()
        ))),
    }
}

/// Region used when neither flags, config nor environment name one.
pub const DEFAULT_REGION: &str = "us-east-1";

impl GlobalSettings {
    /// The region to price and run in: `--region`, else the job's, else AWS_REGION /
    /// AWS_DEFAULT_REGION, else us-east-1.
    pub fn region_for(&self, job_region: Option<&str>) -> String {
        self.region
            .clone()
            .or_else(|| job_region.map(String::from))
            .or_else(|| {
                ["AWS_REGION", "AWS_DEFAULT_REGION"]
                    .iter()
                    .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
            })
            .unwrap_or_else(|| DEFAULT_REGION.to_string())
    }

    /// Connect to AWS for a job (its region unless `--region` says otherwise).
    pub fn connect_aws(
        &self,
        runtime: &tokio::runtime::Runtime,
        job_region: Option<&str>,
    ) -> crate::Result<crate::aws::Aws> {
        let mut aws = self.aws.clone();
        aws.region = aws.region.or_else(|| job_region.map(String::from));
        runtime.block_on(crate::aws::connect(&aws))
    }
}

/// `compare`, resolved: which jobs (config jobs, one of them, or an ad-hoc job from flags)
/// and the typed overrides every job gets.
#[derive(Debug, Clone)]
pub struct CompareSettings {
    /// What to price.
    pub target: CompareTarget,
    /// Flag overrides applied to every job.
    pub overrides: Overrides,
}

/// What `compare` prices.
#[derive(Debug, Clone)]
pub enum CompareTarget {
    /// The config's jobs, or the one named by `--job`.
    Jobs(Option<String>),
    /// One job described by flags.
    Adhoc {
        /// `--cpu`/`--memory`; `None` when a Glue config gives the size.
        size: Option<Size>,
        /// `--duration`.
        duration: Duration,
    },
}

impl CompareSettings {
    /// Resolve `compare`'s flags; errors name the flag.
    pub fn resolve(args: &CompareArgs) -> Result<CompareSettings> {
        Self::resolve_fields(args).map_err(cli::name_flag)
    }

    fn resolve_fields(args: &CompareArgs) -> Result<CompareSettings> {
        let overrides = Overrides {
            os: args.os,
            arch: args.arch,
            capacity: args.capacity,
            ephemeral_storage_gib: args.ephemeral_storage,
            public_ip: args.public_ip.then_some(true),
            engine: args.engine,
            glue: glue_from_flags(args)?,
            glue_flex: args.glue_flex,
            glue_version: args.glue_version,
            glue_speedup: args.glue_speedup,
            schedule: schedule_from_flags(args)?,
        };
        let adhoc = args.cpu.is_some() || args.memory.is_some() || args.duration.is_some();
        if !adhoc {
            return Ok(CompareSettings {
                target: CompareTarget::Jobs(args.job.clone()),
                overrides,
            });
        }
        if args.job.is_some() {
            return Err(Error::invalid(
                "--job",
                "selects a job from the config; --cpu/--memory/--duration describe an ad-hoc job: use one or the other",
            ));
        }
        let os = args.os.unwrap_or_default();
        let size = match (args.cpu, args.memory) {
            (Some(cpu), Some(memory)) => Some(Size::new(cpu, memory, os)?),
            (None, None) if overrides.glue.is_some() => None,
            (Some(_), None) => {
                return Err(Error::invalid("memory", "missing: --cpu needs --memory"));
            }
            (None, _) => return Err(Error::invalid("cpu", "missing: --memory needs --cpu")),
        };
        let duration = args.duration.ok_or_else(|| {
            Error::invalid("duration", "missing: how long one run takes, e.g. 45m")
        })?;
        Ok(CompareSettings {
            target: CompareTarget::Adhoc { size, duration },
            overrides,
        })
    }
}

/// The Glue config given by flags, if any.
fn glue_from_flags(args: &CompareArgs) -> Result<Option<GlueConfig>> {
    let Some(worker_type) = args.glue_worker_type else {
        if args.glue_workers.is_some() || args.glue_max_capacity.is_some() {
            return Err(Error::invalid(
                "glue worker_type",
                "missing: --glue-workers and --glue-max-capacity need a worker type",
            ));
        }
        return Ok(None);
    };
    let class = if args.glue_flex {
        ExecutionClass::Flex
    } else {
        ExecutionClass::Standard
    };
    GlueConfig::new(
        worker_type,
        args.glue_workers,
        args.glue_version
            .unwrap_or_else(|| GlueVersion::default_for(worker_type)),
        class,
        args.glue_max_capacity,
    )
    .map(Some)
}

fn schedule_from_flags(args: &CompareArgs) -> Result<Option<Schedule>> {
    if let Some(runs) = args.runs_per_month {
        return Ok(Some(Schedule::runs(runs)?));
    }
    match &args.schedule {
        Some(text) => Ok(Some(
            Schedule::parse_expression(text).map_err(|e| e.for_field("schedule"))?,
        )),
        None => Ok(None),
    }
}

/// How a measuring session of `job` is set up: its launch on `backend`, the region and
/// prices its runs are priced at, the store; shared by `run` and `tune --sweep`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn session_settings<'a>(
    settings: &GlobalSettings,
    config: &Config,
    job: &'a Job,
    book: &'a PriceBook,
    backend: Backend,
    sample_interval: Duration,
    timeout: Option<Duration>,
    show_output: bool,
) -> Result<SessionSettings<'a>> {
    let (launch, region) = resolve_launch(settings, config, job, backend)?;
    Ok(SessionSettings {
        job,
        prices: book.region(&region)?,
        region,
        store: settings.open_store()?,
        launch,
        sample_interval,
        timeout,
        show_output,
    })
}

/// How a job launches on a backend, resolved from its config and the global flags: the
/// local command (workdir relative to the config) or connected ECS clients, and the region
/// its runs are priced in.
pub(crate) fn resolve_launch(
    settings: &GlobalSettings,
    config: &Config,
    job: &Job,
    backend: Backend,
) -> Result<(Launch, String)> {
    let source = config.path.display();
    match backend {
        Backend::Ecs => {
            let ecs = job.ecs.clone().ok_or_else(|| {
                Error::invalid(
                    "ecs",
                    format!("job `{}` has no [jobs.ecs] settings in {source}", job.name),
                )
            })?;
            let runtime = crate::aws::runtime()?;
            let aws = settings.connect_aws(&runtime, job.region.as_deref())?;
            let region = aws.region.clone();
            let target = EcsTarget {
                aws,
                runtime,
                settings: ecs,
            };
            Ok((Launch::Ecs(Box::new(target)), region))
        }
        // Glue runs are imported (`import glue`), never launched by this tool.
        Backend::Glue => Err(Error::invalid(
            "--backend",
            "glue runs are imported with `import glue`, not launched",
        )),
        Backend::Local => {
            let local = job.local.as_ref().ok_or_else(|| {
                Error::invalid(
                    "local.command",
                    format!(
                        "job `{}` has no [jobs.local] command in {source}; add one, e.g. command = [\"python3\", \"job.py\"]",
                        job.name
                    ),
                )
            })?;
            let config_dir = config
                .path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let workdir = match &local.workdir {
                Some(dir) => config_dir.join(dir),
                None => config_dir.to_path_buf(),
            };
            // Checked here: a missing workdir would otherwise look like a missing command.
            if !workdir.is_dir() {
                return Err(Error::invalid(
                    "local.workdir",
                    format!(
                        "job `{}` in {source}: workdir {} is not a directory",
                        job.name,
                        workdir.display()
                    ),
                ));
            }
            let mut env = local.env.clone();
            // `[jobs.spark] driver_memory` reaches the job the way spark-submit reads it.
            if let Some(mib) = job.driver_memory_mib.filter(|_| job.alternative.is_none()) {
                env.insert(
                    "SPARK_DRIVER_MEMORY".into(),
                    crate::model::spark::format_heap(mib),
                );
            }
            let launch = Launch::Local {
                command: local.command.clone(),
                env,
                workdir,
            };
            Ok((launch, settings.region_for(job.region.as_deref())))
        }
    }
}

/// `tune job`'s sizing options: flags, else the job's own deadline.
pub fn tune_options(args: &TuneJobArgs, job: &Job) -> Options {
    Options {
        since: args.since,
        now: chrono::Utc::now(),
        min_runs: args.min_runs,
        force: args.force,
        memory: match (args.oom_risk, args.memory_headroom) {
            (_, Some(headroom)) => MemoryRule::Headroom(headroom),
            (Some(risk), None) => MemoryRule::Risk(risk),
            (None, None) => MemoryRule::default(),
        },
        cpu_percentile: args.cpu_percentile,
        strategy: args.strategy.into(),
        deadline: args.deadline.or(job.deadline),
    }
}
