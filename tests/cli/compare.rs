//! `compare`: contract columns, hand-computed figures, formats.

use super::{fargate_cost, fixture, run};

const CONTRACT_COLUMNS: [&str; 21] = [
    "job",
    "region",
    "arch",
    "cpu_vcpu",
    "memory_gib",
    "duration_s",
    "runs_per_month",
    "fargate_billed_s",
    "fargate_usd_per_run",
    "fargate_spot_usd_per_run",
    "fargate_arm_usd_per_run",
    "fargate_usd_per_month",
    "glue_worker_type",
    "glue_workers",
    "glue_dpu",
    "glue_billed_s",
    "glue_usd_per_run",
    "glue_flex_usd_per_run",
    "glue_usd_per_month",
    "glue_to_fargate_ratio",
    "public_ipv4_usd_per_run",
];

#[test]
fn csv_has_the_contract_columns_in_order_and_hand_computed_values() {
    let (code, stdout, stderr) = run(fargate_cost()
        .arg("--config")
        .arg(fixture("fargate-cost.toml"))
        .args(["compare", "--output", "csv"]));
    assert_eq!(code, 0, "{stderr}");
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(headers, CONTRACT_COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 5);
    let get = |row: &csv::StringRecord, column: &str| {
        let index = CONTRACT_COLUMNS.iter().position(|c| *c == column).unwrap();
        row[index].to_string()
    };
    // pyspark-daily-sessions: 4 vCPU / 16 GB, 50 GB storage, 38 min = 2280 s, 30 runs.
    let spark = &rows[1];
    assert_eq!(get(spark, "job"), "pyspark-daily-sessions");
    assert_eq!(get(spark, "fargate_billed_s"), "2280");
    // Hourly: 4 × 0.04048 + 16 × 0.004445 + (50 − 20) × 0.000111
    //       = 0.16192 + 0.07112 + 0.00333 = 0.23637; × 2280 / 3600 = 0.149701
    assert_eq!(get(spark, "fargate_usd_per_run"), "0.149701");
    // × 30 runs = 4.49103
    assert_eq!(get(spark, "fargate_usd_per_month"), "4.49103");
    // Configured Glue: 4 × G.1X = 4 DPU × 0.44 × 2280 / 3600 = 1.1147; × 30 = 33.44
    assert_eq!(get(spark, "glue_worker_type"), "G.1X");
    assert_eq!(get(spark, "glue_workers"), "4");
    assert_eq!(get(spark, "glue_usd_per_run"), "1.114667");
    assert_eq!(get(spark, "glue_usd_per_month"), "33.44");
    // Flex: 4 × 0.29 × 2280 / 3600 = 0.734667
    assert_eq!(get(spark, "glue_flex_usd_per_run"), "0.734667");
    // duckdb job: Python shell has no Flex, so the column is empty.
    assert_eq!(get(&rows[0], "glue_worker_type"), "pythonshell");
    assert_eq!(get(&rows[0], "glue_flex_usd_per_run"), "");
    // The assumption is stated (on stderr for data formats).
    assert!(
        stderr.contains("Assumes a Glue run takes as long as the Fargate run"),
        "{stderr}"
    );
}

#[test]
fn json_rows_carry_the_contract_keys_in_order() {
    let (code, stdout, stderr) = run(fargate_cost().args([
        "compare",
        "--cpu",
        "1 vCPU",
        "--memory",
        "2GB",
        "--duration",
        "45m",
        "--runs-per-month",
        "30",
        "--output",
        "json",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let row = &rows[0];
    assert_eq!(row["job"], "adhoc");
    assert_eq!(row["region"], "us-east-1");
    // 0.75 h × (0.04048 + 2 × 0.004445) = 0.0370275 → 0.037028 (micro-dollars)
    assert_eq!(row["fargate_usd_per_run"], 0.037028);
    // × 30 = 1.110825
    assert_eq!(row["fargate_usd_per_month"], 1.110825);
    // ARM: 0.75 × (0.03238 + 2 × 0.00356) = 0.75 × 0.0395 = 0.029625
    assert_eq!(row["fargate_arm_usd_per_run"], 0.029625);
    // Spot: 0.75 × (0.01264355 + 2 × 0.00138835) = 0.0115651875 → 0.011565
    assert_eq!(row["fargate_spot_usd_per_run"], 0.011565);
    // Python shell 1 DPU: 0.75 × 0.44 = 0.33; ratio 9.9 / 1.110825 = 8.9123
    assert_eq!(row["glue_usd_per_run"], 0.33);
    assert_eq!(row["glue_to_fargate_ratio"], 8.9123);
    // No public IP asked for: the address part is 0.
    assert_eq!(row["public_ipv4_usd_per_run"], 0);
    // Key order in the text is the contract's order.
    let positions: Vec<usize> = CONTRACT_COLUMNS
        .iter()
        .map(|c| stdout.find(&format!("\"{c}\":")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{stdout}");
}

#[test]
fn glue_flags_windows_and_minimums() {
    // A Windows job of 2 min is billed 5 min: (1 × 0.046552 + 2 × 0.00511175 + 1 × 0.046)
    // = 0.1027755 per hour × 300 / 3600 = 0.008564625 → 0.008565.
    // Glue 1.0, 2 × G.1X, 2 min is billed the 10-minute minimum: 2 × 0.44 / 6 = 0.146667.
    let (code, stdout, stderr) = run(fargate_cost().args([
        "compare",
        "--cpu",
        "1",
        "--memory",
        "2GB",
        "--os",
        "windows",
        "--duration",
        "2m",
        "--glue-worker-type",
        "G.1X",
        "--glue-workers",
        "2",
        "--glue-version",
        "1.0",
        "--output",
        "json",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let row = &serde_json::from_str::<serde_json::Value>(&stdout).unwrap()[0];
    assert_eq!(row["fargate_billed_s"], 300);
    assert_eq!(row["fargate_usd_per_run"], 0.008565);
    // No Spot and no ARM for Windows.
    assert!(row["fargate_spot_usd_per_run"].is_null());
    assert!(row["fargate_arm_usd_per_run"].is_null());
    assert_eq!(row["glue_billed_s"], 600);
    assert_eq!(row["glue_usd_per_run"], 0.146667);
}

#[test]
fn speedup_changes_glue_time_and_is_stated() {
    let (code, stdout, _) = run(fargate_cost().args([
        "compare",
        "--cpu",
        "4",
        "--memory",
        "8GB",
        "--duration",
        "1h",
        "--engine",
        "spark",
        "--glue-speedup",
        "2",
        "--output",
        "markdown",
    ]));
    assert_eq!(code, 0);
    // 2 × G.1X for 30 min: 2 × 0.44 × 0.5 = $0.44 per run.
    assert!(stdout.contains("| 2 × G.1X"), "{stdout}");
    assert!(stdout.contains("$0.44"), "{stdout}");
    assert!(
        stdout.contains("Glue run takes the Fargate run time / 2"),
        "{stdout}"
    );
}

#[test]
fn table_output_of_the_fixture_config() {
    let (code, stdout, stderr) = run(fargate_cost()
        .arg("--config")
        .arg(fixture("fargate-cost.toml"))
        .arg("compare"));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout
            .lines()
            .all(|l| l.chars().count() <= 100 || !l.starts_with(['│', '┌', '└', '╞']))
    );
    insta::assert_snapshot!(stdout);
}

#[test]
fn one_job_by_name_and_glue_only_job() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("fargate-cost.toml");
    std::fs::write(
        &config,
        "[[jobs]]\nname = \"legacy-glue\"\nduration = \"20m\"\nruns_per_month = 10\n[jobs.glue]\nworker_type = \"G.2X\"\nworkers = 2\n\n[[jobs]]\nname = \"other\"\ncpu = 1\nmemory = 2\nduration = \"1m\"\n",
    )
    .unwrap();
    let (code, stdout, stderr) = run(fargate_cost().current_dir(dir.path()).args([
        "compare",
        "--job",
        "legacy-glue",
        "--output",
        "csv",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    // 2 × G.2X = 16 vCPU / 64 GB → the smallest covering Fargate size is 16 vCPU / 64 GB.
    assert!(
        lines[1].starts_with("legacy-glue,us-east-1,x86_64,16,64,1200,10,"),
        "{stdout}"
    );
    assert!(stderr.contains("smallest that covers Glue"), "{stderr}");
}

/// Regression: `--runs-per-month 0.001` printed money as `8e-6`; JSON and CSV write every
/// number with its exact decimal digits.
#[test]
fn tiny_amounts_are_written_without_exponent() {
    let args = [
        "compare",
        "--cpu",
        "0.25",
        "--memory",
        "0.5GB",
        "--duration",
        "1s",
        "--runs-per-month",
        "0.001",
    ];
    for format in ["json", "csv"] {
        let (code, stdout, stderr) = run(fargate_cost().args(args).args(["--output", format]));
        assert_eq!(code, 0, "{stderr}");
        assert!(!stdout.contains("e-"), "{stdout}");
        // 60 s minimum × (0.25 × 0.04048 + 0.5 × 0.004445) / 3600 = 0.0002056...; × 0.001
        // = 0.000000205... → 0 at the micro-dollar; the Spot per-run 0.0000642... → 0.000064.
        assert!(stdout.contains("0.000064"), "{stdout}");
    }
}

/// The cron year field counts: a schedule whose years are past runs 0 times a month, and
/// the output says why.
#[test]
fn a_schedule_whose_years_are_past_counts_zero_and_says_so() {
    let (code, stdout, stderr) = run(fargate_cost().args([
        "compare",
        "--cpu",
        "1",
        "--memory",
        "2GB",
        "--duration",
        "10m",
        "--schedule",
        "cron(0 3 * * ? 2024-2025)",
        "--output",
        "csv",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let row = reader.records().next().unwrap().unwrap();
    let at = |name: &str| &row[headers.iter().position(|h| h == name).unwrap()];
    assert_eq!(at("runs_per_month"), "0");
    assert_eq!(at("fargate_usd_per_month"), "0");
    assert!(stderr.contains("fires in none of"), "{stderr}");
}

/// A damaged or foreign price cache is reported and ignored, never used: the bundled book
/// prices the job, and `-v` says why the cache was not used.
#[test]
fn a_damaged_price_cache_is_ignored_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("prices.json");
    std::fs::write(&cache, "{ not a price cache").unwrap();
    let (code, stdout, stderr) =
        run(fargate_cost()
            .env("FARGATE_COST_PRICES_FILE", &cache)
            .args([
                "compare",
                "--cpu",
                "1",
                "--memory",
                "2GB",
                "--duration",
                "1h",
            ]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("the price cache is ignored"), "{stderr}");
    assert!(
        stdout.contains("prices: bundled price book as of"),
        "{stdout}"
    );
    let (code, _, stderr) = run(fargate_cost()
        .env("FARGATE_COST_PRICES_FILE", &cache)
        .args([
            "--prices",
            "cached",
            "compare",
            "--cpu",
            "1",
            "--memory",
            "2GB",
            "--duration",
            "1h",
        ]));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.starts_with("error: --prices: the price cache is ignored"),
        "{stderr}"
    );
}

/// Spot is not in the Price List: ARM Spot has no bundled figure and says how to get one;
/// `--spot-discount 70` prices x86 and ARM Spot as on-demand less 70 %, and says so.
#[test]
fn spot_discount_prices_arm_and_x86_spot_and_is_stated() {
    let args = [
        "compare",
        "--cpu",
        "1",
        "--memory",
        "2GB",
        "--duration",
        "1h",
        "--capacity",
        "spot",
    ];
    let (code, _, stderr) = run(fargate_cost().args(args).args(["--arch", "arm64"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--spot-discount PCT"), "{stderr}");

    let per_run = |arch: &str| {
        let (code, stdout, stderr) = run(fargate_cost().args(args).args([
            "--arch",
            arch,
            "--spot-discount",
            "70",
            "--output",
            "csv",
        ]));
        assert_eq!(code, 0, "{stderr}");
        assert!(
            stderr.contains("on-demand less 70 % (--spot-discount)"),
            "{stderr}"
        );
        let mut reader = csv::Reader::from_reader(stdout.as_bytes());
        let headers = reader.headers().unwrap().clone();
        let row = reader.records().next().unwrap().unwrap();
        let at = headers
            .iter()
            .position(|h| h == "fargate_usd_per_run")
            .unwrap();
        row[at].parse::<rust_decimal::Decimal>().unwrap()
    };
    // ARM us-east-1 on-demand: (0.03238 + 2 × 0.00356) × 0.30 = 0.0395 × 0.30 = 0.01185.
    assert_eq!(per_run("arm64"), rust_decimal_macros::dec!(0.01185));
    // x86: (0.04048 + 2 × 0.004445) × 0.30 = 0.04937 × 0.30 = 0.014811.
    assert_eq!(per_run("x86_64"), rust_decimal_macros::dec!(0.014811));

    // Windows never runs on Spot: no discount helps, and the message says so.
    let (code, _, stderr) =
        run(fargate_cost()
            .args(args)
            .args(["--os", "windows", "--spot-discount", "70"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("Fargate Spot runs Linux tasks only"),
        "{stderr}"
    );

    let (code, _, stderr) = run(fargate_cost().args(args).args(["--spot-discount", "100"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--spot-discount") && stderr.contains("0–99.99"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

/// A public IP is priced per task for its billed window and shown as its own part, in the
/// data columns and in the table's verdict; a config job asks with `[jobs.ecs]
/// assign_public_ip = true`.
#[test]
fn a_public_ip_is_priced_and_shown_as_its_own_part() {
    let adhoc = [
        "compare",
        "--cpu",
        "0.25",
        "--memory",
        "0.5GB",
        "--duration",
        "10m",
        "--runs-per-month",
        "30",
        "--public-ip",
    ];
    let (code, stdout, stderr) = run(fargate_cost().args(adhoc).args(["--output", "json"]));
    assert_eq!(code, 0, "{stderr}");
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // 600 s: compute (0.25 × 0.04048 + 0.5 × 0.004445) × 600 / 3600 = 0.0123425 / 6
    // = 0.00205708…; address 0.005 × 600 / 3600 = 0.00083333… → 0.000833;
    // per run 0.0173425 / 6 = 0.00289041… → 0.00289.
    assert_eq!(rows[0]["public_ipv4_usd_per_run"], 0.000833);
    assert_eq!(rows[0]["fargate_usd_per_run"], 0.00289);
    // Spot pays the same address: (0.25 × 0.01264355 + 0.5 × 0.00138835 + 0.005) / 6
    // = (0.0031608875 + 0.000694175 + 0.005) / 6 = 0.0088550625 / 6 = 0.00147584… → 0.001476
    assert_eq!(rows[0]["fargate_spot_usd_per_run"], 0.001476);

    let (code, stdout, stderr) = run(fargate_cost().args(adhoc));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("Fargate per run $0.00289 of which public IPv4 $0.000833"),
        "{stdout}"
    );

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("fargate-cost.toml");
    std::fs::write(
        &config,
        "[[jobs]]\nname = \"public\"\ncpu = 0.25\nmemory = \"0.5GB\"\nduration = \"10m\"\nregion = \"eu-west-1\"\nruns_per_month = 30\n[jobs.ecs]\nassign_public_ip = true\n",
    )
    .unwrap();
    let (code, stdout, stderr) = run(fargate_cost()
        .arg("--config")
        .arg(&config)
        .args(["compare", "--output", "csv"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.lines().nth(1).unwrap().ends_with(",0.000833"),
        "{stdout}"
    );
    // eu-west-1 has no captured figure: the us-east-1 one is used and said to be.
    assert!(
        stderr.contains("no public IPv4 figure of its own for eu-west-1"),
        "{stderr}"
    );
}

/// `--savings-plan 1y` prices Fargate on-demand vCPU and memory 20 % lower, leaves Spot and
/// Glue alone, and says where the rate comes from.
#[test]
fn a_savings_plan_lowers_on_demand_compute_only_and_is_stated() {
    let (code, stdout, stderr) = run(fargate_cost().args([
        "--savings-plan",
        "1y",
        "compare",
        "--cpu",
        "4",
        "--memory",
        "16GB",
        "--duration",
        "1h",
        "--runs-per-month",
        "30",
        "--output",
        "json",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // (4 × 0.04048 + 16 × 0.004445) × 0.8 = 0.23304 × 0.8 = 0.186432
    assert_eq!(rows[0]["fargate_usd_per_run"], 0.186432);
    // Spot as bundled: 4 × 0.01264355 + 16 × 0.00138835 = 0.0727878 → 0.072788
    assert_eq!(rows[0]["fargate_spot_usd_per_run"], 0.072788);
    // Glue is not covered: the 1-DPU Python shell (the cheapest equivalent of 4 vCPU /
    // 16 GB for a Python job) costs 0.44 for the hour, as without a plan.
    assert_eq!(rows[0]["glue_usd_per_run"], 0.44);
    assert!(
        stderr.contains("Savings Plan: Fargate on-demand vCPU and memory less 20 %"),
        "{stderr}"
    );
    assert!(stderr.contains("not applied to Spot, Glue"), "{stderr}");

    // Your own rate: 27.5 % off → 0.23304 × 0.725 = 0.168954
    let (code, stdout, stderr) = run(fargate_cost().args([
        "--savings-plan-rate",
        "27.5",
        "compare",
        "--cpu",
        "4",
        "--memory",
        "16GB",
        "--duration",
        "1h",
        "--output",
        "csv",
    ]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.lines().nth(1).unwrap().contains(",0.168954,"),
        "{stdout}"
    );
}

/// `[jobs.ecs] image_size_mb` estimates the pull a local measurement lacks, bills it on
/// Fargate (not Glue) and marks it as an estimate.
#[test]
fn an_image_size_estimates_the_pull_and_says_it_is_an_estimate() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("fargate-cost.toml");
    std::fs::write(
        &config,
        "[[jobs]]\nname = \"pulled\"\ncpu = 0.25\nmemory = \"0.5GB\"\nduration = \"60s\"\nruns_per_month = 30\n[jobs.ecs]\nimage_size_mb = 600\n",
    )
    .unwrap();
    let (code, stdout, stderr) = run(fargate_cost()
        .arg("--config")
        .arg(&config)
        .args(["compare", "--output", "json"]));
    assert_eq!(code, 0, "{stderr}");
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // 600 MB / 15 MB/s = 40 s of pull + 60 s of run = 100 s billed:
    // 0.0123425 × 100 / 3600 = 0.000342847… → 0.000343.
    assert_eq!(rows[0]["fargate_billed_s"], 100);
    assert_eq!(rows[0]["fargate_usd_per_run"], 0.000343);
    assert_eq!(rows[0]["glue_billed_s"], 60);
    assert!(stderr.contains("image pull estimated at 40 s"), "{stderr}");
    let (code, stdout, stderr) = run(fargate_cost().arg("--config").arg(&config).arg("compare"));
    assert_eq!(code, 0, "{stderr}");
    // Of which the pull: 0.0123425 × 40 / 3600 = 0.000137138… → $0.000137.
    assert!(
        stdout.contains("of which image pull $0.000137 (estimate)"),
        "{stdout}"
    );
}

/// `[defaults] savings_plan = "3y"` applies to every priced job; `--savings-plan none` on
/// the command line wins over it.
#[test]
fn the_configs_savings_plan_applies_unless_the_flag_says_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("fargate-cost.toml");
    std::fs::write(
        &config,
        "[defaults]\nsavings_plan = \"3y\"\n[[jobs]]\nname = \"j\"\ncpu = 4\nmemory = \"16GB\"\nduration = \"1h\"\nruns_per_month = 30\n",
    )
    .unwrap();
    let per_run = |extra: &[&str]| {
        let (code, stdout, stderr) = run(fargate_cost()
            .arg("--config")
            .arg(&config)
            .args(extra)
            .args(["compare", "--output", "json"]));
        assert_eq!(code, 0, "{stderr}");
        let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        (rows[0]["fargate_usd_per_run"].clone(), stderr)
    };
    // 0.23304 × (1 − 0.45) = 0.128172
    let (usd, stderr) = per_run(&[]);
    assert_eq!(usd, 0.128172);
    assert!(stderr.contains("less 45 %"), "{stderr}");
    // On-demand list price: 4 × 0.04048 + 16 × 0.004445 = 0.23304
    let (usd, stderr) = per_run(&["--savings-plan", "none"]);
    assert_eq!(usd, 0.23304);
    assert!(!stderr.contains("Savings Plan:"), "{stderr}");
}

/// A Spark job's driver heap is read from its config, its env or its task definition's
/// env, and `compare` warns when heap + overhead exceeds the task or leaves most of it
/// unused; a heap that fits is not mentioned.
#[test]
fn compare_warns_about_a_spark_heap_that_does_not_fit_the_task() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("task.json"),
        r#"{"family":"big","containerDefinitions":[{"name":"app","environment":[{"name":"SPARK_DRIVER_MEMORY","value":"1g"}]}]}"#,
    )
    .unwrap();
    let config = dir.path().join("fargate-cost.toml");
    std::fs::write(
        &config,
        r#"[defaults]
engine = "spark"
duration = "10m"
runs_per_month = 30

[[jobs]]
name = "over"
cpu = 1
memory = "2GB"
[jobs.spark]
driver_memory = "2g"

[[jobs]]
name = "submit-args"
cpu = 2
memory = "4GB"
[jobs.local]
command = ["python3", "job.py"]
env = { PYSPARK_SUBMIT_ARGS = "--driver-memory 2g pyspark-shell" }

[[jobs]]
name = "big"
cpu = 4
memory = "16GB"
task_definition_file = "task.json"
"#,
    )
    .unwrap();
    let (code, _, stderr) = run(fargate_cost().arg("--config").arg(&config).arg("compare"));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("over: driver heap 2.0 GB ([jobs.spark] driver_memory) + overhead 384 MiB (max(384 MiB, 10%), as Spark reserves) = 2.4 GB exceeds the task's memory 2.0 GB"),
        "{stderr}"
    );
    assert!(
        stderr.contains("big: driver heap 1.0 GB (SPARK_DRIVER_MEMORY in the task definition) + overhead 384 MiB (max(384 MiB, 10%), as Spark reserves) = 1.4 GB leaves most of the task's 16.0 GB out of Spark's reach"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("submit-args:"),
        "2 GB + 384 MiB fits 4 GB: {stderr}"
    );
}

/// The same heap warning about many jobs is said once, naming three of them, in config
/// order; a different warning keeps its own line.
#[test]
fn compare_says_a_heap_warning_shared_by_many_jobs_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("fargate-cost.toml");
    let mut text = String::from(
        "[defaults]\nengine = \"spark\"\nduration = \"10m\"\nruns_per_month = 30\ncpu = 0.25\nmemory = \"0.5GB\"\n",
    );
    for name in ["e", "d", "c", "b", "a"] {
        text.push_str(&format!("\n[[jobs]]\nname = \"{name}\"\n"));
    }
    text.push_str("\n[[jobs]]\nname = \"large\"\ncpu = 4\nmemory = \"16GB\"\n");
    std::fs::write(&config, text).unwrap();
    let (code, _, stderr) = run(fargate_cost().arg("--config").arg(&config).arg("compare"));
    assert_eq!(code, 0, "{stderr}");
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("driver heap"))
        .collect();
    assert_eq!(warnings.len(), 2, "{stderr}");
    assert!(
        warnings[0].contains("e, d, c and 2 more jobs: driver heap 1.0 GB (Spark's default, nothing sets spark.driver.memory)")
            && warnings[0].contains("exceeds the task's memory 512 MiB"),
        "{stderr}"
    );
    assert!(
        warnings[1].contains("large: driver heap 1.0 GB"),
        "{stderr}"
    );
}
