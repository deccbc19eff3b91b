//! AWS access in one place: the SDK config is built once (standard credential chain,
//! `--profile`, `--region`, `--endpoint-url` / `AWS_ENDPOINT_URL`) and the clients are
//! handed to the code that needs them. SDK errors become the tool's own in [`error`].

pub(crate) mod error;
pub(crate) mod import;
pub mod metrics;
pub(crate) mod task_definition;

use aws_config::BehaviorVersion;
use aws_config::Region;
use aws_config::retry::RetryConfig;

use crate::error::{Error, Result};

/// An SDK timestamp as a chrono UTC time (`None` when out of chrono's range). The ECS and
/// CloudWatch clients share the smithy `DateTime`; this is the one conversion.
pub fn chrono_time(t: &aws_sdk_ecs::primitives::DateTime) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

/// How to reach AWS, from global flags and the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsSettings {
    /// Named profile (`--profile`).
    pub profile: Option<String>,
    /// Region (`--region`); else the chain (AWS_REGION, profile).
    pub region: Option<String>,
    /// Endpoint override (`--endpoint-url`); AWS_ENDPOINT_URL is read by the SDK itself.
    pub endpoint_url: Option<String>,
}

/// The clients the tool uses, built from one config.
#[derive(Debug, Clone)]
pub struct Aws {
    /// ECS.
    pub ecs: aws_sdk_ecs::Client,
    /// CloudWatch.
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    /// The region in use.
    pub region: String,
}

/// Attempts per request: throttling and 5xx are retried with the SDK's standard backoff.
pub const MAX_ATTEMPTS: u32 = 8;

/// A current-thread runtime for the async SDK (commands are otherwise synchronous).
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Runner(format!("cannot start the async runtime: {e}")))
}

/// Load the SDK config and build the clients.
pub async fn connect(settings: &AwsSettings) -> Result<Aws> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS));
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &settings.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &settings.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    let region = config.region().map(|r| r.to_string()).ok_or_else(|| {
        Error::invalid(
            "--region",
            "no AWS region: pass --region, set AWS_REGION, or set one in your AWS profile",
        )
    })?;
    Ok(Aws {
        ecs: aws_sdk_ecs::Client::new(&config),
        cloudwatch: aws_sdk_cloudwatch::Client::new(&config),
        region,
    })
}
