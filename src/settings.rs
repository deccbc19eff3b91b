//! Settings resolved once: global flags, the environment and defaults become one
//! [`GlobalSettings`] before any command runs (parse → resolve → act). Commands take
//! resolved settings, never clap types' raw defaults.

use std::path::PathBuf;

use crate::cli::Cli;
use crate::model::job::DEFAULT_CONFIG;
use crate::report::Format;
use crate::store::DEFAULT_STORE;

/// Settings shared by every command, resolved from global flags and the environment.
#[derive(Debug, Clone)]
pub struct GlobalSettings {
    /// Config file path.
    pub config: PathBuf,
    /// True when the user named the config (so a missing file is an error to report as such).
    pub config_given: bool,
    /// Run store directory.
    pub store: PathBuf,
    /// Region override.
    pub region: Option<String>,
    /// How to reach AWS.
    pub aws: crate::aws::AwsSettings,
    /// Output format.
    pub format: Format,
}

impl GlobalSettings {
    /// Resolve global flags.
    pub fn resolve(cli: &Cli) -> GlobalSettings {
        let config = cli
            .config
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG));
        // The store lives beside the config, so runs follow the jobs they measure.
        let store = cli.store.clone().unwrap_or_else(|| {
            config
                .parent()
                .map(|p| p.join(DEFAULT_STORE))
                .unwrap_or_else(|| PathBuf::from(DEFAULT_STORE))
        });
        GlobalSettings {
            config,
            store,
            config_given: cli.config.is_some(),
            region: cli.region.clone(),
            aws: crate::aws::AwsSettings {
                profile: cli.profile.clone(),
                region: cli.region.clone(),
                endpoint_url: cli.endpoint_url.clone(),
            },
            format: cli.output.into(),
        }
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
