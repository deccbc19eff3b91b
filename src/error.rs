//! The library's error type. Every variant says which input was wrong and what is valid, so
//! the CLI edge can print it as one line; [`Error::exit_code`] separates bad input (2) from
//! runtime failures (1).

use std::path::PathBuf;

/// Result alias for library code.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything the library can report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value typed by the user (flag or config field) is not valid.
    #[error("{what}: {message}")]
    Invalid {
        /// The flag or field, e.g. `--cpu` or `memory`.
        what: String,
        /// What is wrong and what is valid.
        message: String,
    },
    /// A problem in a config file, located by line and column.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Config {
        /// The config file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong, naming the field.
        message: String,
    },
    /// The config file could not be read.
    #[error("cannot read config {}", path.display())]
    ConfigRead {
        /// The config file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A region the price book does not know.
    #[error("unknown region `{region}`: the price book has {known}")]
    UnknownRegion {
        /// The requested region.
        region: String,
        /// Comma-separated list of known regions.
        known: String,
    },
    /// A job name not in the config.
    #[error("no job named `{name}` in {}; jobs: {known}", path.display())]
    UnknownJob {
        /// The requested name.
        name: String,
        /// The config file.
        path: PathBuf,
        /// Comma-separated job names.
        known: String,
    },
    /// The price book lacks a rate needed for this job.
    #[error("the price book has no {rate} rate for {region}{hint}")]
    MissingRate {
        /// The rate, e.g. "Fargate Spot arm64".
        rate: String,
        /// The region.
        region: String,
        /// Extra advice, starting with "; " when present.
        hint: String,
    },
    /// The embedded price book itself is broken (a build defect, not user input).
    #[error("bundled price book is invalid: {0}")]
    PriceBook(String),
    /// A price cache file cannot be used (not JSON, not a price cache, damaged).
    #[error("{0}")]
    PriceCache(String),
    /// Reading or writing the run store failed.
    #[error("run store: {0}")]
    Store(String),
    /// A job's command could not be started (not found, not executable).
    #[error("cannot start job `{job}`: {message}")]
    Launch {
        /// The job.
        job: String,
        /// What went wrong and where to fix it.
        message: String,
    },
    /// The runner failed while a job ran.
    #[error("runner: {0}")]
    Runner(String),
    /// The job ran and was recorded, but did not complete.
    #[error("job `{job}` did not complete: {message}")]
    JobFailed {
        /// The job.
        job: String,
        /// How it ended and which run recorded it.
        message: String,
    },
    /// Too few recorded runs to recommend from.
    #[error(
        "only {found} usable (completed) run(s) of `{job}` in the last {days} days; need {needed} — record more with `fargate-cost run {job} --repeat {needed}`, or pass --force"
    )]
    NotEnoughRuns {
        /// The job.
        job: String,
        /// Completed runs found.
        found: usize,
        /// --min-runs.
        needed: usize,
        /// Lookback days.
        days: u64,
    },
    /// Completed runs exist, but none has measurements to size from.
    #[error(
        "the {count} completed run(s) of `{job}` have no CPU or memory measurements (ECS tasks without Container Insights per-task metrics); turn on Container Insights with enhanced observability for the cluster, or measure locally with `fargate-cost run {job}`"
    )]
    Unmeasured {
        /// The job.
        job: String,
        /// Completed runs without measurements.
        count: usize,
    },
    /// An AWS call failed (message says what to do).
    #[error("{0}")]
    Aws(String),
    /// Stopped by Ctrl-C or SIGTERM.
    #[error("interrupted: {0}")]
    Interrupted(String),
    /// Writing output failed.
    #[error("cannot write output")]
    Output(#[from] std::io::Error),
}

impl Error {
    /// Build an [`Error::Invalid`] for a flag or field.
    pub fn invalid(what: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid {
            what: what.into(),
            message: message.into(),
        }
    }

    /// The same input error about another field (e.g. a value re-checked because an
    /// override changed it); other errors unchanged.
    pub fn for_field(self, field: &str) -> Self {
        match self {
            Error::Invalid { message, .. } => Error::invalid(field, message),
            other => other,
        }
    }

    /// Process exit code: 2 for bad input or usage, 130 when interrupted, 1 for runtime
    /// failures (a job that did not complete included).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Invalid { .. }
            | Error::Config { .. }
            | Error::ConfigRead { .. }
            | Error::UnknownRegion { .. }
            | Error::UnknownJob { .. }
            | Error::MissingRate { .. }
            | Error::Launch { .. } => 2,
            Error::Interrupted(_) => 130,
            Error::PriceBook(_)
            | Error::PriceCache(_)
            | Error::Output(_)
            | Error::Store(_)
            | Error::Runner(_)
            | Error::JobFailed { .. }
            | Error::NotEnoughRuns { .. }
            | Error::Unmeasured { .. }
            | Error::Aws(_) => 1,
        }
    }
}
