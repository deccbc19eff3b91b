//! The Price List client (`aws::pricing`) through the real aws-sdk-pricing client against
//! tests/support/pricing_server.py, a loopback stand-in for GetProducts (moto has no Pricing
//! service): filters honoured, NextToken followed, a throttling error retried.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use fargate_cost::aws::pricing;
use fargate_cost::pricing::live::{self, LiveRate};
use rust_decimal_macros::dec;

use super::{KillOnDrop, support, unavailable};

/// The stand-in server, killed when dropped.
pub struct PricingServer {
    _child: KillOnDrop,
    /// Its URL.
    pub url: String,
}

impl PricingServer {
    /// Start the server with at most `page_size` documents a page, answering the first
    /// `throttle` requests with ThrottlingException; None (saying why) without python3.
    pub fn start(page_size: usize, throttle: usize) -> Option<PricingServer> {
        let spawned = Command::new("python3")
            .arg(support("pricing_server.py"))
            .args(["--listen", "0"])
            .args(["--page-size", &page_size.to_string()])
            .args(["--throttle", &throttle.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn();
        let Ok(child) = spawned else {
            return unavailable("python3 is not installed (the Price List stand-in needs it)");
        };
        let mut child = KillOnDrop(child);
        let mut line = String::new();
        if let Some(stdout) = child.0.stdout.take() {
            let _ = BufReader::new(stdout).read_line(&mut line);
        }
        let Some(port) = line.trim().strip_prefix("ready ") else {
            return unavailable(&format!(
                "the Price List stand-in did not start (said {:?})",
                line.trim()
            ));
        };
        let url = format!("http://127.0.0.1:{port}");
        Some(PricingServer { _child: child, url })
    }

    /// Requests, throttled answers and pages served.
    pub fn stats(&self) -> serde_json::Value {
        let output = Command::new("python3")
            .args([
                "-c",
                &format!(
                    "import urllib.request;print(urllib.request.urlopen('{}/_stats').read().decode())",
                    self.url
                ),
            ])
            .output()
            .expect("stats");
        serde_json::from_slice(&output.stdout).expect("stats JSON")
    }

    async fn client(&self, user_region: &str) -> pricing::PriceList {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(&self.url)
            .region(aws_config::Region::new(user_region.to_string()))
            .credentials_provider(aws_sdk_pricing::config::Credentials::new(
                "testing", "testing", None, None, "test",
            ))
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(4))
            .load()
            .await;
        pricing::from_config(&config, Some(user_region))
    }
}

#[test]
fn get_products_follows_next_token_retries_throttling_and_honours_filters() {
    let Some(server) = PricingServer::start(2, 1) else {
        return;
    };
    let runtime = fargate_cost::aws::runtime().unwrap();
    let (ecs, glue, endpoint_region) = runtime.block_on(async {
        let client = server.client("eu-west-1").await;
        let mut progress = Vec::new();
        let ecs = client
            .products(live::SERVICE_ECS, "eu-central-1", |n| progress.push(n))
            .await
            .unwrap();
        assert_eq!(progress, vec![2, 4], "one call per page");
        let glue = client
            .products(live::SERVICE_GLUE, "us-east-1", |_| {})
            .await
            .unwrap();
        (ecs, glue, client.endpoint_region.clone())
    });
    assert_eq!(endpoint_region, "eu-central-1");
    // Only eu-central-1's four AmazonECS documents: the region and service filters held.
    assert_eq!(ecs.len(), 4);
    let parsed = live::parse("eu-central-1", &ecs);
    assert_eq!(
        parsed.rates[&LiveRate::FargateLinuxX86Vcpu].usd,
        dec!(0.04656)
    );
    assert_eq!(
        parsed.rates[&LiveRate::FargateLinuxX86Gb].usage_type,
        "EUC1-Fargate-GB-Hours"
    );
    assert!(parsed.skipped.is_empty() && parsed.ignored == 0);
    // us-east-1 Glue: standard, Flex, and a crawler the parser ignores.
    let parsed = live::parse("us-east-1", &glue);
    assert_eq!(parsed.rates[&LiveRate::GlueDpu].usd, dec!(0.44));
    assert_eq!(parsed.rates[&LiveRate::GlueFlexDpu].usd, dec!(0.29));
    assert_eq!(parsed.ignored, 1);
    let stats = server.stats();
    assert_eq!(stats["throttled"], 1, "{stats}");
    // ECS: 2 pages (+1 throttled try); Glue: 3 documents at 2 a page = 2 pages.
    assert_eq!(stats["pages"], 4, "{stats}");
    assert_eq!(stats["requests"], 5, "{stats}");
}
