//! The Price List client (`aws::pricing`) through the real aws-sdk-pricing client against
//! tests/support/pricing_server.py, a loopback stand-in for GetProducts (moto has no Pricing
//! service): filters honoured, NextToken followed, a throttling error retried.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use fargate_cost::aws::pricing;
use fargate_cost::pricing::live::{self, LiveRate};
use rust_decimal_macros::dec;

use super::{KillOnDrop, support, unavailable};
use crate::cli::{fargate_cost, run};

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
        PricingServer::start_with(page_size, throttle, &[])
    }

    /// [`PricingServer::start`] with more of the server's options.
    fn start_with(page_size: usize, throttle: usize, options: &[&str]) -> Option<PricingServer> {
        let spawned = Command::new("python3")
            .arg(support("pricing_server.py"))
            .args(["--listen", "0"])
            .args(["--page-size", &page_size.to_string()])
            .args(["--throttle", &throttle.to_string()])
            .args(options)
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

    /// The tool, pointed at this server with test credentials and a cache in `dir`.
    fn tool(&self, dir: &std::path::Path) -> assert_cmd::Command {
        tool_at(&self.url, dir)
    }

    /// `prices update ARGS` against the stand-in: exit code, stdout, stderr.
    fn update(&self, dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
        run(self.tool(dir).args(["prices", "update"]).args(args))
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

/// The tool, pointed at `url` with test credentials and a cache in `dir`.
fn tool_at(url: &str, dir: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = fargate_cost();
    cmd.env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_PROFILE")
        .env_remove("FARGATE_COST_PRICES_FILE")
        .env("XDG_CACHE_HOME", dir)
        .args(["--endpoint-url", url]);
    cmd
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

#[test]
fn prices_update_fills_the_cache_and_prints_the_diff() {
    let Some(server) = PricingServer::start(3, 1) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(server.tool(dir.path()).args([
        "prices",
        "update",
        "us-east-1",
        "eu-central-1",
        "--output",
        "json",
    ]));
    assert_eq!(code, 0, "{stderr}");
    // The XDG cache: every fetched rate with its SKU, usage type and dates.
    let path = dir.path().join("fargate-cost/prices.json");
    let cache: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(cache["format"], "fargate-cost price cache v1");
    assert_eq!(cache["endpoint"], server.url.as_str());
    let use1 = &cache["regions"]["us-east-1"]["rates"];
    assert_eq!(use1.as_object().unwrap().len(), 11, "{use1}");
    // Amazon VPC's in-use public IPv4 address-hour (the idle-address rate is not used).
    let ipv4 = &use1["public_ipv4_address_hour"];
    assert_eq!(ipv4["usd"], "0.005");
    assert_eq!(ipv4["usage_type"], "USE1-PublicIPv4:InUseAddress");
    assert_eq!(ipv4["sku"], "TESTSKUVPC00001");
    let vcpu = &use1["fargate_linux_x86_vcpu_hour"];
    assert_eq!(vcpu["usd"], "0.04048");
    assert_eq!(vcpu["sku"], "8CESGAFWKAJ98PME");
    assert_eq!(vcpu["usage_type"], "USE1-Fargate-vCPU-Hours:perCPU");
    assert_eq!(vcpu["publication_date"], "2022-11-21T18:21:30Z");
    let euc1 = &cache["regions"]["eu-central-1"]["rates"];
    assert_eq!(euc1["fargate_linux_arm_vcpu_hour"]["usd"], "0.03725");
    // A throttled first answer was retried; ECS us-east-1's 10 documents took 4 pages.
    let stats = server.stats();
    assert_eq!(stats["throttled"], 1, "{stats}");
    assert!(
        stats["tokens_seen"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "9"),
        "{stats}"
    );
    // The diff against the bundled book: the 2022 Windows rates differ from the bundled
    // 2026 ones; eu-central-1 gains ARM rates the bundled book lacks.
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let row = |region: &str, rate: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["region"] == region && r["rate"] == rate)
            .cloned()
    };
    let windows = row("us-east-1", "fargate_windows_vcpu_hour").expect("windows changed");
    assert_eq!(windows["against"], "bundled");
    assert_eq!(windows["old_usd"].to_string(), "0.046552");
    assert_eq!(windows["new_usd"].to_string(), "0.09148");
    assert_eq!(windows["change_percent"].to_string(), "96.51");
    let arm = row("eu-central-1", "fargate_linux_arm_vcpu_hour").expect("new ARM rate");
    assert!(arm["old_usd"].is_null());
    assert_eq!(arm["usage_type"], "EUC1-Fargate-ARM-vCPU-Hours:perCPU");
    assert!(row("us-east-1", "fargate_linux_x86_vcpu_hour").is_none());

    // No progress line when stderr is not a terminal.
    assert!(!stderr.contains("products"), "{stderr}");

    // A second update diffs against the cache: nothing changed.
    let (code, stdout, stderr) = server.update(dir.path(), &["us-east-1", "--output", "csv"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.lines().count() <= 1, "no rows: {stdout}");
    let cache: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(
        cache["regions"]["eu-central-1"].is_object(),
        "other regions kept"
    );
}

#[test]
fn prices_update_refuses_to_overwrite_a_foreign_file() {
    let Some(server) = PricingServer::start(100, 0) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.json");
    std::fs::write(&file, "{\"not\": \"a cache\"}").unwrap();
    let (code, _, stderr) = run(server.tool(dir.path()).args([
        "prices",
        "update",
        "us-east-1",
        "--prices-file",
        file.to_str().unwrap(),
    ]));
    assert_ne!(code, 0);
    assert!(
        stderr.contains("not a fargate-cost price cache") && stderr.contains("not overwriting"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "{\"not\": \"a cache\"}"
    );
}

#[test]
fn prices_update_against_an_unreachable_endpoint_fails_in_one_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let port = super::free_port();
    let (code, _, stderr) = run(fargate_cost()
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("XDG_CACHE_HOME", dir.path())
        .env_remove("FARGATE_COST_PRICES_FILE")
        .args(["--endpoint-url", &format!("http://127.0.0.1:{port}")])
        .args(["prices", "update", "us-east-1"]));
    assert_ne!(code, 0);
    assert!(stderr.contains("cannot reach --endpoint-url"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(!dir.path().join("fargate-cost/prices.json").exists());
}

/// Acceptance: after `prices update`, `compare --prices cached` prices with the cached
/// rates to the micro-dollar (and says so), `--prices bundled` still uses the bundled book,
/// and the default (`auto`) takes the fresh cache.
#[test]
fn compare_uses_the_cache_it_is_told_to() {
    let Some(server) = PricingServer::start(100, 0) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = server.update(dir.path(), &["us-east-1"]);
    assert_eq!(code, 0, "{stderr}");
    let cache: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("fargate-cost/prices.json")).unwrap(),
    )
    .unwrap();
    let rate = |key: &str| -> rust_decimal::Decimal {
        let text = cache["regions"]["us-east-1"]["rates"][key]["usd"]
            .as_str()
            .unwrap();
        text.parse().unwrap()
    };
    // 1 vCPU / 2 GB Windows for one hour: vCPU + 2 × GB + 1 × OS license, at cached rates.
    let expected = (rate("fargate_windows_vcpu_hour")
        + rate("fargate_windows_gb_hour") * rust_decimal::Decimal::from(2)
        + rate("fargate_windows_os_license_vcpu_hour"))
    .round_dp(6);
    let per_run = |prices: &str| {
        let (code, stdout, stderr) = run(server.tool(dir.path()).args([
            "--prices",
            prices,
            "compare",
            "--os",
            "windows",
            "--cpu",
            "1",
            "--memory",
            "2GB",
            "--duration",
            "1h",
            "--region",
            "us-east-1",
            "--output",
            "csv",
        ]));
        assert_eq!(code, 0, "{stderr}");
        let mut reader = csv::Reader::from_reader(stdout.as_bytes());
        let headers = reader.headers().unwrap().clone();
        let row = reader.records().next().unwrap().unwrap();
        let at = headers
            .iter()
            .position(|h| h == "fargate_usd_per_run")
            .unwrap();
        (row[at].parse::<rust_decimal::Decimal>().unwrap(), stderr)
    };
    let (cached, stderr) = per_run("cached");
    assert_eq!(cached, expected);
    assert!(
        stderr.contains("prices: Price List API, fetched"),
        "{stderr}"
    );
    let (auto, _) = per_run("auto");
    assert_eq!(auto, expected, "a fresh cache is used by default");
    let (bundled, stderr) = per_run("bundled");
    assert_ne!(
        bundled, expected,
        "the stand-in's Windows rates differ from the bundled ones"
    );
    assert!(
        stderr.contains("prices: bundled price book as of"),
        "{stderr}"
    );
}

/// The stand-in's figure for a usage type, read from the recorded documents.
fn recorded(usage_type: &str) -> rust_decimal::Decimal {
    let data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(support("pricing_items.json")).unwrap())
            .unwrap();
    data["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| serde_json::from_str::<serde_json::Value>(s.as_str().unwrap()).unwrap())
        .find(|d| d["product"]["attributes"]["usagetype"] == usage_type)
        .map(|d| {
            let on_demand = d["terms"]["OnDemand"].as_object().unwrap();
            let term = on_demand.values().next().unwrap();
            let dim = term["priceDimensions"]
                .as_object()
                .unwrap()
                .values()
                .next()
                .unwrap();
            dim["pricePerUnit"]["USD"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap()
        })
        .unwrap_or_else(|| panic!("no recorded {usage_type}"))
}

/// compare's Fargate per-run figure (CSV) for 1 vCPU / 2 GB for one hour.
fn per_run(
    cmd: &mut assert_cmd::Command,
    region: &str,
) -> (i32, Option<rust_decimal::Decimal>, String) {
    let (code, row, stderr) =
        compare_row(cmd, &["--cpu", "1", "--memory", "2GB", "--region", region]);
    let value = row.get("fargate_usd_per_run").and_then(|v| v.parse().ok());
    (code, value, stderr)
}

/// compare's CSV row (column → value) for a one-hour job described by `args`.
fn compare_row(
    cmd: &mut assert_cmd::Command,
    args: &[&str],
) -> (i32, std::collections::HashMap<String, String>, String) {
    let (code, stdout, stderr) = run(cmd
        .args(["compare", "--duration", "1h", "--output", "csv"])
        .args(args));
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let row = reader
        .headers()
        .ok()
        .cloned()
        .zip(reader.records().next().and_then(Result::ok))
        .map(|(headers, row)| {
            headers
                .iter()
                .zip(row.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_default();
    (code, row, stderr)
}

/// Acceptance: a region the bundled book lacks is priced after `prices update` fetched it.
#[test]
fn a_region_missing_from_the_bundled_book_works_after_an_update() {
    let Some(server) = PricingServer::start(100, 0) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = per_run(
        server.tool(dir.path()).args(["--prices", "bundled"]),
        "mx-central-1",
    );
    assert_eq!(code, 2, "the bundled book has no mx-central-1: {stderr}");
    assert!(stderr.contains("mx-central-1"), "{stderr}");
    let (code, _, stderr) = server.update(dir.path(), &["mx-central-1", "-v"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("mx-central-1: 3 rates, 0 skipped, 0 products of other kinds ignored"),
        "{stderr}"
    );
    let (code, usd, stderr) = per_run(
        server.tool(dir.path()).args(["--prices", "cached"]),
        "mx-central-1",
    );
    assert_eq!(code, 0, "{stderr}");
    // 1 vCPU + 2 GB for one hour at the fetched rates: 0.045 + 2 × 0.00495 = 0.0549.
    let expected = recorded("MXC1-Fargate-vCPU-Hours:perCPU")
        + rust_decimal::Decimal::TWO * recorded("MXC1-Fargate-GB-Hours");
    assert_eq!(usd, Some(expected.round_dp(6)));
    assert_eq!(expected, rust_decimal_macros::dec!(0.0549));
}

/// `--prices live` prices with the Price List now; when the endpoint cannot be reached it
/// falls back to the cache, else the bundled book, with one warning line naming why.
#[test]
fn live_prices_are_fetched_now_and_fall_back_with_one_warning() {
    let Some(server) = PricingServer::start(100, 0) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Live, no cache anywhere: the stand-in's eu-central-1 rates.
    let (code, usd, stderr) = per_run(
        server.tool(dir.path()).args(["--prices", "live"]),
        "eu-central-1",
    );
    assert_eq!(code, 0, "{stderr}");
    let expected = recorded("EUC1-Fargate-vCPU-Hours:perCPU")
        + rust_decimal::Decimal::TWO * recorded("EUC1-Fargate-GB-Hours");
    assert_eq!(usd, Some(expected.round_dp(6)));
    assert!(
        stderr.contains("prices: Price List API, fetched"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("fargate-cost/prices.json").exists(),
        "live writes no cache"
    );

    // Unreachable, no cache: the bundled book, one warning.
    let unreachable = format!("http://127.0.0.1:{}", super::free_port());
    let bundled_usd = {
        let (_, usd, _) = per_run(
            server.tool(dir.path()).args(["--prices", "bundled"]),
            "eu-central-1",
        );
        usd
    };
    let (code, usd, stderr) = per_run(
        tool_at(&unreachable, dir.path()).args(["--prices", "live"]),
        "eu-central-1",
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(usd, bundled_usd);
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("--prices live"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(
        warnings[0].contains("cannot reach --endpoint-url")
            && warnings[0].contains("using the bundled price book"),
        "{stderr}"
    );

    // Unreachable with a cache: the cache (of any age), one warning.
    let (code, _, stderr) = server.update(dir.path(), &["eu-central-1"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, usd, stderr) = per_run(
        tool_at(&unreachable, dir.path()).args(["--prices", "live"]),
        "eu-central-1",
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(usd, Some(expected.round_dp(6)));
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("--prices live"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(
        warnings[0].contains("using the price cache (fetched"),
        "{stderr}"
    );
}

/// `prices update --savings-plans` reads Fargate's Compute, No Upfront plan rates through the
/// real aws-sdk-savingsplans client (restJson1, nextToken followed at 2 rows a page) into
/// the cache; `--savings-plan 1y|3y` then prices with them, and Spot stays untouched.
#[test]
fn savings_plan_rates_are_fetched_cached_and_used() {
    let Some(server) = PricingServer::start(2, 0) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = server.update(dir.path(), &["us-east-1", "--savings-plans"]);
    assert_eq!(code, 0, "{stderr}");
    // 1y: x86 and ARM pairs; 3y: x86 pair. The Windows license row the API also gives
    // is not covered by a plan; Partial Upfront, EKS and eu-west-1 rows are filtered out.
    assert!(
        stderr.contains("cached 6 Compute Savings Plan rates (1y, 3y; No Upfront) of 1 region(s)"),
        "{stderr}"
    );
    let cache: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("fargate-cost/prices.json")).unwrap(),
    )
    .unwrap();
    let use1 = &cache["savings_plans"]["us-east-1"];
    assert_eq!(use1["offering"], "Compute, No Upfront");
    assert_eq!(
        use1["terms"]["1y"]["fargate_linux_x86_vcpu_hour"]["usage_type"],
        "USE1-Fargate-vCPU-Hours:perCPU"
    );
    // 7 matching rows at 2 a page: 4 pages, 3 of them asked for with a nextToken.
    assert_eq!(
        server.stats()["plan_tokens_seen"],
        serde_json::json!(["2", "4", "6"])
    );

    let job = ["--cpu", "4", "--memory", "16GB", "--region", "us-east-1"];
    let price = |plan: &[&str]| {
        let (code, row, stderr) =
            compare_row(&mut server.tool(dir.path()), &[&job[..], plan].concat());
        assert_eq!(code, 0, "{stderr}");
        let usd = |c: &str| row[c].parse::<rust_decimal::Decimal>().unwrap();
        (
            usd("fargate_usd_per_run"),
            usd("fargate_arm_usd_per_run"),
            usd("fargate_spot_usd_per_run"),
            stderr,
        )
    };
    // 1y at the fetched rates: x86 4 × 0.0321 + 16 × 0.00352 = 0.1284 + 0.05632 = 0.18472;
    // ARM 4 × 0.0259 + 16 × 0.00285 = 0.1036 + 0.0456 = 0.1492.
    let (x86, arm, spot, stderr) = price(&["--savings-plan", "1y"]);
    assert_eq!((x86, arm), (dec!(0.18472), dec!(0.1492)));
    assert!(
        stderr.contains(
            "Savings Plan: 1-year Compute, No Upfront: the Savings Plans API's rates fetched"
        ) && stderr.contains("for us-east-1"),
        "{stderr}"
    );
    // 3y: x86 4 × 0.02226 + 16 × 0.002445 = 0.08904 + 0.03912 = 0.12816; no ARM 3y rates
    // were fetched, so ARM is on-demand less the typical 45 %.
    let (x86_3y, arm_3y, spot_3y, _) = price(&["--savings-plan", "3y"]);
    assert_eq!(x86_3y, dec!(0.12816));
    let arm_on_demand = dec!(4) * recorded("USE1-Fargate-ARM-vCPU-Hours:perCPU")
        + dec!(16) * recorded("USE1-Fargate-ARM-GB-Hours");
    assert_eq!(arm_3y, arm_on_demand * dec!(0.55));
    // A given rate ignores the fetched ones: x86 on-demand less 20 %.
    let (x86_rate, _, _, _) = price(&["--savings-plan-rate", "20"]);
    let x86_on_demand = dec!(4) * recorded("USE1-Fargate-vCPU-Hours:perCPU")
        + dec!(16) * recorded("USE1-Fargate-GB-Hours");
    assert_eq!(x86_rate, x86_on_demand * dec!(0.8));
    // Spot is never under a plan.
    let (_, _, spot_none, _) = price(&[]);
    assert_eq!((spot, spot_3y), (spot_none, spot_none));
}

/// Without savingsplans:DescribeSavingsPlansOfferingRates the update fails in one line
/// naming the action, and writes nothing.
#[test]
fn a_denied_savings_plans_call_names_the_iam_action_and_writes_nothing() {
    let Some(server) = PricingServer::start_with(100, 0, &["--deny-plans"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = server.update(dir.path(), &["us-east-1", "--savings-plans"]);
    assert_ne!(code, 0, "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("savingsplans:DescribeSavingsPlansOfferingRates"),
        "{stderr}"
    );
    assert!(!dir.path().join("fargate-cost/prices.json").exists());
}

/// A region code the Price List has nothing for is one line, exit 2, and no cache is
/// written.
#[test]
fn a_region_without_rates_fails_in_one_line_and_caches_nothing() {
    let Some(server) = PricingServer::start(100, 0) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = server.update(dir.path(), &["nowhere-1"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("no Fargate, Glue or VPC rates for nowhere-1"),
        "{stderr}"
    );
    assert!(!dir.path().join("fargate-cost/prices.json").exists());
}

/// A plan rate above the on-demand rate it would lower is kept as the API gave it and
/// named with both figures; the stand-in's usual rates (all below) draw no such line.
#[test]
fn a_plan_rate_above_on_demand_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(support("savings_plans_rates.json")).unwrap();
    assert!(text.contains("\"rate\": \"0.0321000000\""));
    let high = dir.path().join("rates.json");
    std::fs::write(
        &high,
        text.replace("\"rate\": \"0.0321000000\"", "\"rate\": \"0.0500000000\""),
    )
    .unwrap();
    let Some(server) = PricingServer::start_with(100, 0, &["--plan-rates", high.to_str().unwrap()])
    else {
        return;
    };
    let (code, _, stderr) = server.update(dir.path(), &["us-east-1", "--savings-plans"]);
    assert_eq!(code, 0, "{stderr}");
    let on_demand = recorded("USE1-Fargate-vCPU-Hours:perCPU").normalize();
    assert!(
        stderr.contains(&format!(
            "Savings Plans API: 1y fargate_linux_x86_vcpu_hour in us-east-1 is 0.05 USD, above the on-demand {on_demand}; kept as given"
        )),
        "{stderr}"
    );
    assert_eq!(stderr.matches("above the on-demand").count(), 1, "{stderr}");
}
