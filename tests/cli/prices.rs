//! `prices show`: the bundled book with sources.

use super::{fargate_cost, run};

#[test]
fn one_region_lists_every_rate_with_its_source() {
    let (code, stdout, stderr) =
        run(fargate_cost().args(["prices", "show", "--region", "us-east-1", "--output", "csv"]));
    assert_eq!(code, 0, "{stderr}");
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        headers,
        ["region", "rate", "usd", "unit", "source", "grade", "as_of"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let find = |rate: &str| {
        rows.iter()
            .find(|r| &r[1] == rate)
            .map(|r| r[2].to_string())
    };
    assert_eq!(
        find("fargate_linux_x86_vcpu_hour").as_deref(),
        Some("0.04048")
    );
    assert_eq!(
        find("fargate_windows_os_license_vcpu_hour").as_deref(),
        Some("0.046")
    );
    assert_eq!(find("glue_flex_dpu_hour").as_deref(), Some("0.29"));
    assert_eq!(find("public_ipv4_address_hour").as_deref(), Some("0.005"));
    assert!(rows.iter().all(|r| !r[4].is_empty() && !r[6].is_empty()));
}

/// The table ends with the footer naming the prices in use and the Spot line; with
/// `--spot-discount` the Spot rows cite it.
#[test]
fn the_table_says_which_prices_and_which_spot_rates() {
    let (code, stdout, stderr) =
        run(fargate_cost().args(["prices", "show", "--region", "us-east-1"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("prices: bundled price book as of 2026-11-25."),
        "{stdout}"
    );
    assert!(stdout.contains("Spot: bundled snapshot"), "{stdout}");
    let (code, stdout, stderr) = run(fargate_cost().args([
        "prices",
        "show",
        "--region",
        "us-east-1",
        "--spot-discount",
        "70",
        "--output",
        "csv",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let arm_spot: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("us-east-1,fargate_spot_arm"))
        .collect();
    assert_eq!(arm_spot.len(), 2, "{stdout}");
    assert!(
        stderr.contains("prices: bundled price book as of 2026-11-25.")
            && stderr.contains("Spot: on-demand less 70 %"),
        "scripts get the footer on stderr: {stderr}"
    );
    assert!(
        arm_spot.iter().all(|l| l.contains("spot-discount,given")),
        "{stdout}"
    );
}

#[test]
fn all_regions_table() {
    let (code, stdout, _) = run(fargate_cost().args(["prices", "show"]));
    assert_eq!(code, 0);
    for region in [
        "us-east-1",
        "us-east-2",
        "us-west-2",
        "eu-west-1",
        "eu-central-1",
        "ap-south-1",
        "ap-northeast-1",
        "sa-east-1",
    ] {
        assert!(stdout.contains(region), "{region}");
    }
    assert!(stdout.contains("[fgcalc]"));
}

/// `--savings-plan 1y`: on-demand vCPU and GB rows are 20 % lower and cite the plan; the
/// Windows license, Spot, storage, IPv4 and Glue rows keep their own figures and sources.
#[test]
fn a_savings_plan_shows_in_the_rates_it_lowers_only() {
    let (code, stdout, stderr) = run(fargate_cost().args([
        "--savings-plan",
        "1y",
        "prices",
        "show",
        "--region",
        "us-east-1",
        "--output",
        "csv",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let row = |rate: &str| {
        stdout
            .lines()
            .find(|l| l.split(',').nth(1) == Some(rate))
            .unwrap_or_else(|| panic!("{rate} in {stdout}"))
            .to_string()
    };
    // 0.04048 × 0.8 = 0.032384; 0.004445 × 0.8 = 0.003556.
    assert!(row("fargate_linux_x86_vcpu_hour").contains(",0.032384,vCPU-hour,savings-plan,given,"));
    assert!(row("fargate_linux_x86_gb_hour").contains(",0.003556,"));
    assert!(row("fargate_windows_os_license_vcpu_hour").contains(",0.046,vCPU-hour,windows-2026,"));
    assert!(row("fargate_spot_x86_vcpu_hour").contains(",0.01264355,"));
    assert!(row("public_ipv4_address_hour").contains(",0.005,"));
    assert!(row("glue_dpu_hour").contains(",0.44,"));
}
