//! AWS access in one place: the SDK config is built once (standard credential chain,
//! `--profile`, `--region`, `--endpoint-url` / `AWS_ENDPOINT_URL`) and the clients are
//! handed to the code that needs them. SDK errors become the tool's own in [`error`].

pub(crate) mod error;
pub(crate) mod glue;
pub(crate) mod glue_run;
pub(crate) mod import;
pub mod metrics;
pub mod pricing;
pub mod s3;
pub mod savings_plans;
pub(crate) mod task_definition;

use aws_config::BehaviorVersion;
use aws_config::Region;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;

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
    /// Glue (`import glue`).
    pub glue: aws_sdk_glue::Client,
    /// S3 (the `s3://` store).
    pub s3: aws_sdk_s3::Client,
    /// The region in use.
    pub region: String,
}

/// Attempts per request: throttling and 5xx are retried with the SDK's standard backoff.
pub const MAX_ATTEMPTS: u32 = 8;

/// How long a TCP connection to AWS may take before the attempt fails.
pub const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// How long to wait for a response once connected.
pub const READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Fail fast, in one line, when an explicit `--endpoint-url` cannot be reached: otherwise the
/// SDK's retries spend half a minute backing off before saying so.
pub(crate) async fn probe_endpoint(url: &str) -> Result<()> {
    let bad = |why: String| Error::invalid("--endpoint-url", why);
    let rest = url.split_once("://").map(|(_, rest)| rest).ok_or_else(|| {
        bad(format!(
            "`{url}` is not a URL; write e.g. http://127.0.0.1:5000"
        ))
    })?;
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    let default_port = if url.starts_with("https") { 443 } else { 80 };
    let address = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        authority.to_string()
    } else {
        format!("{authority}:{default_port}")
    };
    probe_address(
        &format!("--endpoint-url {url}"),
        &address,
        "is the server running?",
    )
    .await
}

/// Connect to `address` (host:port) once, within [`CONNECT_TIMEOUT`]: a host that does not
/// resolve or answer is one clear error at once, not the SDK's retries of a DNS failure
/// (~40 s offline). `what` names it, `hint` says what to check.
pub(crate) async fn probe_address(what: &str, address: &str, hint: &str) -> Result<()> {
    let connect = tokio::net::TcpStream::connect(address.to_string());
    match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(Error::Aws(format!(
            "cannot reach {what} ({address}): {e}; {hint}"
        ))),
        Err(_) => Err(Error::Aws(format!(
            "cannot reach {what}: no answer within {} s; {hint}",
            CONNECT_TIMEOUT.as_secs()
        ))),
    }
}

/// A current-thread runtime for the async SDK (commands are otherwise synchronous).
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Runner(format!("cannot start the async runtime: {e}")))
}

/// The SDK config of the tool's settings (credential chain, `--profile`, retries, timeouts;
/// `--endpoint-url` probed first) without a region: for the global or fixed-region APIs
/// (Price List, Savings Plans), whose clients set their own.
pub(crate) async fn load_config(settings: &AwsSettings) -> Result<aws_config::SdkConfig> {
    load(settings, None).await
}

/// The SDK config of the tool's settings, in `region` when given (else the chain's).
async fn load(settings: &AwsSettings, region: Option<&str>) -> Result<aws_config::SdkConfig> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .read_timeout(READ_TIMEOUT)
                .build(),
        );
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = region {
        loader = loader.region(Region::new(region.to_string()));
    }
    if let Some(url) = &settings.endpoint_url {
        probe_endpoint(url).await?;
        loader = loader.endpoint_url(url);
    }
    Ok(loader.load().await)
}

/// Load the SDK config and build the clients.
pub async fn connect(settings: &AwsSettings) -> Result<Aws> {
    let config = load(settings, settings.region.as_deref()).await?;
    let region = config.region().map(|r| r.to_string()).ok_or_else(|| {
        Error::invalid(
            "--region",
            "no AWS region: pass --region, set AWS_REGION, or set one in your AWS profile",
        )
    })?;
    Ok(Aws {
        ecs: aws_sdk_ecs::Client::new(&config),
        cloudwatch: aws_sdk_cloudwatch::Client::new(&config),
        glue: aws_sdk_glue::Client::new(&config),
        s3: s3_client(&config),
        region,
    })
}

/// The S3 client: path-style addressing under an endpoint override (a local server has no
/// `bucket.host` DNS names), virtual-hosted style on AWS itself.
fn s3_client(config: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    let s3 = aws_sdk_s3::config::Builder::from(config)
        .force_path_style(config.endpoint_url().is_some())
        .build();
    aws_sdk_s3::Client::from_conf(s3)
}
