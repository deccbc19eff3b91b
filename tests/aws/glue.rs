//! `import glue` through the real aws-sdk-glue client against moto's server (via the
//! adapter): runs priced as Glue bills them, recorded once, listed by `runs`; the migration
//! estimate; unknown jobs and missing IAM permissions named.
//!
//! moto 5.2 reports every run with ExecutionTime 123 s and GlueVersion "0.9" (whatever the
//! job says) and fills no DPUSeconds or ExecutionClass; those rules are unit-tested in
//! `pricing::price`. Rates are the bundled book's, us-east-1 (reference §1.2, §3.1):
//! Glue $0.44/DPU-hour; Fargate Linux x86 $0.04048/vCPU-hour + $0.004445/GB-hour.

use std::path::Path;
use std::process::{Command, Output};

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::Value;

use super::Moto;

fn tool(moto: &Moto, store: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fargate-cost"));
    command
        .args(["--store", &store.to_string_lossy()])
        .args(["--config", "/nonexistent.toml"])
        .args(args)
        .envs(moto.env())
        // The bundled price book, whatever cache this machine has.
        .env("FARGATE_COST_PRICES_FILE", "/nonexistent/prices.json")
        .env("NO_COLOR", "1");
    command
}

fn json_of(output: &Output) -> Vec<Value> {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"))
}

/// `import glue --output json`: the estimate rows and the notes on stderr.
fn import(moto: &Moto, store: &Path, extra: &[&str]) -> (Vec<Value>, String) {
    let mut args = vec!["import", "glue", "--output", "json"];
    args.extend_from_slice(extra);
    let output = tool(moto, store, &args).output().unwrap();
    let rows = json_of(&output);
    (rows, String::from_utf8_lossy(&output.stderr).into_owned())
}

fn runs(moto: &Moto, store: &Path) -> Vec<Value> {
    json_of(
        &tool(moto, store, &["runs", "--output", "json"])
            .output()
            .unwrap(),
    )
}

/// A JSON number as an exact decimal (the tool writes exact digits).
fn dec_of(value: &Value) -> Decimal {
    value
        .to_string()
        .parse()
        .unwrap_or_else(|_| panic!("{value}"))
}

fn by_job<'a>(rows: &'a [Value], job: &str) -> Vec<&'a Value> {
    rows.iter().filter(|r| r["job"] == job).collect()
}

#[test]
fn glue_runs_are_priced_as_glue_bills_them_and_recorded_once() {
    let Some(moto) = Moto::start(0.0) else { return };
    let ids = moto.setup_glue("runs");
    let store = tempfile::tempdir().unwrap();
    let (estimate, notes) = import(&moto, store.path(), &[]);
    assert!(
        notes.contains(
            "imported 4 Glue run(s) of 3 job(s), 0 updated (were running), 0 already recorded"
        ),
        "{notes}"
    );
    let recorded = runs(&moto, store.path());
    assert_eq!(recorded.len(), 4);
    for run in &recorded {
        assert_eq!(run["backend"], "glue");
        assert_eq!(run["stop_reason"], "completed");
        assert_eq!(run["duration_s"], 123, "ExecutionTime");
    }
    // etl: 10 × G.1X on Glue 0.9 (the run's version) = 10 DPU, 40 vCPU / 160 GB. 123 s is
    // under 0.9's 10-minute minimum: billed 600 s. 10 × 600 / 3600 × 0.44 = 0.733333…
    let etl = by_job(&recorded, "etl");
    assert_eq!(etl.len(), 2);
    let etl_ids: Vec<String> = ids["etl"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| format!("glue-{}", id.as_str().unwrap()))
        .collect();
    for run in &etl {
        assert!(etl_ids.contains(&run["id"].as_str().unwrap().to_string()));
        assert_eq!(run["billed_s"], 600);
        assert_eq!(dec_of(&run["usd"]), dec!(0.733333));
        assert_eq!(run["cpu_vcpu"], 40, "the workers' vCPU");
        assert_eq!(run["memory_gib"], 160);
    }
    // legacy: Standard, MaxCapacity 10 on 0.9: the same 10 DPU × 600 s = 0.733333…
    let legacy = by_job(&recorded, "legacy");
    assert_eq!(
        (legacy[0]["billed_s"].clone(), dec_of(&legacy[0]["usd"])),
        (600.into(), dec!(0.733333))
    );
    // shell: Python shell 0.0625 DPU, 1-minute minimum, so 123 s billed:
    // 0.0625 × 123 / 3600 × 0.44 = 0.000939583… → 0.00094.
    let shell = by_job(&recorded, "shell");
    assert_eq!(shell[0]["billed_s"], 123);
    assert_eq!(dec_of(&shell[0]["usd"]), dec!(0.00094));

    // The estimate: per month = window sum × 30.4375 / 30 (the default --since 30d).
    assert_eq!(estimate.len(), 3);
    let month = dec!(30.4375) / dec!(30);
    let etl_row = by_job(&estimate, "etl")[0];
    assert_eq!(etl_row["runs"], 2);
    // Glue: 2 × 0.733333… = 1.466666…; × month = 1.488055… → 1.488056.
    let glue_sum = dec!(2) * dec!(10) * dec!(600) * dec!(0.44) / dec!(3600);
    assert_eq!(dec_of(&etl_row["glue_usd"]), glue_sum.round_dp(6));
    assert_eq!(
        dec_of(&etl_row["glue_usd_per_month"]),
        (glue_sum * month).round_dp(6)
    );
    // 40 vCPU / 160 GB is more than the largest task: 16 vCPU / 120 GB, capped. Per run
    // 123 s × (16 × 0.04048 + 120 × 0.004445) / 3600 = 123 × 1.18108 / 3600.
    assert_eq!(etl_row["fargate_capped"], true);
    assert_eq!(
        (
            etl_row["fargate_cpu_vcpu"].clone(),
            etl_row["fargate_memory_gib"].clone()
        ),
        (16.into(), 120.into())
    );
    let fargate =
        dec!(2) * dec!(123) * (dec!(16) * dec!(0.04048) + dec!(120) * dec!(0.004445)) / dec!(3600);
    assert_eq!(
        dec_of(&etl_row["fargate_usd_per_month"]),
        (fargate * month).round_dp(6)
    );
    assert_eq!(
        dec_of(&etl_row["saving_usd_per_month"]),
        (glue_sum * month - fargate * month).round_dp(6)
    );
    // shell: 0.0625 DPU = 0.25 vCPU / 1 GB, exactly a Fargate size: 123 s ×
    // (0.25 × 0.04048 + 1 × 0.004445) / 3600.
    let shell_row = by_job(&estimate, "shell")[0];
    let shell_fargate = dec!(123) * (dec!(0.25) * dec!(0.04048) + dec!(0.004445)) / dec!(3600);
    assert_eq!(shell_row["fargate_capped"], false);
    assert_eq!(
        dec_of(&shell_row["fargate_usd_per_month"]),
        (shell_fargate * month).round_dp(6)
    );

    // Twice: nothing new, the same runs and the same estimate.
    let (again, notes) = import(&moto, store.path(), &[]);
    assert!(
        notes.contains(
            "imported 0 Glue run(s) of 3 job(s), 0 updated (were running), 4 already recorded"
        ),
        "{notes}"
    );
    assert_eq!(runs(&moto, store.path()).len(), 4);
    assert_eq!(again, estimate);
}

#[test]
fn one_job_and_a_glue_speedup_scale_only_the_fargate_side() {
    let Some(moto) = Moto::start(0.0) else { return };
    moto.setup_glue("runs");
    let store = tempfile::tempdir().unwrap();
    let (rows, notes) = import(
        &moto,
        store.path(),
        &["--job", "shell", "--glue-speedup", "2"],
    );
    assert!(
        notes.contains("imported 1 Glue run(s) of 1 job(s)"),
        "{notes}"
    );
    assert_eq!(rows.len(), 1);
    // Glue 2× faster: Fargate takes 246 s. 246 × (0.25 × 0.04048 + 0.004445) / 3600 × month.
    let month = dec!(30.4375) / dec!(30);
    let fargate = dec!(246) * (dec!(0.25) * dec!(0.04048) + dec!(0.004445)) / dec!(3600);
    assert_eq!(
        dec_of(&rows[0]["fargate_usd_per_month"]),
        (fargate * month).round_dp(6)
    );
    assert_eq!(
        runs(&moto, store.path()).len(),
        1,
        "only the named job is imported"
    );
}

#[test]
fn a_running_run_is_recorded_with_its_state_and_replaced_when_it_ends() {
    let Some(moto) = Moto::start(0.0) else { return };
    moto.setup_glue("running");
    let store = tempfile::tempdir().unwrap();
    let (_, notes) = import(&moto, store.path(), &[]);
    assert!(notes.contains("imported 1 Glue run(s)"), "{notes}");
    let first = runs(&moto, store.path());
    assert_eq!(first[0]["stop_reason"], "running");
    // 2 × G.2X = 4 DPU on 0.9, 123 s billed the 600 s minimum: 4 × 600 / 3600 × 0.44.
    assert_eq!(
        dec_of(&first[0]["usd"]),
        (dec!(4) * dec!(600) * dec!(0.44) / dec!(3600)).round_dp(6)
    );
    // In the report it is a run, not a failed one.
    let today = chrono::Utc::now().date_naive();
    let from = (today - chrono::Days::new(1)).to_string();
    let to = (today + chrono::Days::new(2)).to_string();
    let report = ["report", "--from", &from, "--to", &to, "--output", "json"];
    let rows = json_of(&tool(&moto, store.path(), &report).output().unwrap());
    assert_eq!(rows[0]["job"], "slow");
    assert_eq!(
        (rows[0]["runs"].clone(), rows[0]["failed_runs"].clone()),
        (1.into(), 0.into())
    );
    // Each read moves moto's run one state on; it ends within a few imports.
    let mut updated = false;
    for _ in 0..4 {
        let (_, notes) = import(&moto, store.path(), &[]);
        updated |= notes.contains("1 updated (were running)");
        if runs(&moto, store.path())[0]["stop_reason"] == "completed" {
            break;
        }
    }
    let last = runs(&moto, store.path());
    assert_eq!(last.len(), 1, "replaced, not recorded twice");
    assert_eq!(last[0]["stop_reason"], "completed");
    assert!(updated);
}

#[test]
fn an_unknown_job_is_refused_naming_the_jobs_that_exist() {
    let Some(moto) = Moto::start(0.0) else { return };
    moto.setup_glue("runs");
    let store = tempfile::tempdir().unwrap();
    let output = tool(&moto, store.path(), &["import", "glue", "--job", "nope"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim(),
        "error: --job: no Glue job named `nope`; Glue jobs here: etl, legacy, shell"
    );
}

/// moto enforcing IAM: a user who may call glue:GetJobs only, and one who may call nothing
/// in Glue. The error names the action the caller lacks.
#[test]
fn a_missing_glue_permission_names_the_iam_action() {
    let Some(moto) = Moto::start(0.0) else { return };
    let keys = moto.setup_glue("deny");
    let store = tempfile::tempdir().unwrap();
    for (user, action) in [("lister", "glue:GetJobRuns"), ("nobody", "glue:GetJobs")] {
        let output = tool(&moto, store.path(), &["import", "glue"])
            .env("AWS_ACCESS_KEY_ID", keys[user][0].as_str().unwrap())
            .env("AWS_SECRET_ACCESS_KEY", keys[user][1].as_str().unwrap())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains(&format!("the caller needs the IAM permission `{action}`")),
            "{user}: {stderr}"
        );
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    }
}

/// `compare --job NAME` for a job only `import glue` knows (no config file): Glue as its
/// latest run ran, Fargate on the task covering the workers, the median ExecutionTime.
#[test]
fn compare_prices_an_imported_glue_job() {
    let Some(moto) = Moto::start(0.0) else { return };
    moto.setup_glue("runs");
    let store = tempfile::tempdir().unwrap();
    import(&moto, store.path(), &[]);
    let output = tool(
        &moto,
        store.path(),
        &["compare", "--job", "etl", "--output", "json"],
    )
    .output()
    .unwrap();
    let rows = json_of(&output);
    let notes = String::from_utf8_lossy(&output.stderr);
    assert!(notes.contains("etl: imported Glue job"), "{notes}");
    let row = &rows[0];
    assert_eq!(
        (row["cpu_vcpu"].clone(), row["memory_gib"].clone()),
        (16.into(), 120.into())
    );
    assert_eq!(row["duration_s"], 123, "the median ExecutionTime");
    // 2 runs within a day (the span is clamped to 1 day): 2 × 30.4375 = 60.875 → 60.88.
    assert_eq!(dec_of(&row["runs_per_month"]), dec!(60.88));
    // Glue: 10 × G.1X on 0.9, 600 s billed: 10 × 600 / 3600 × 0.44 = 0.733333….
    assert_eq!(
        (
            row["glue_worker_type"].clone(),
            row["glue_billed_s"].clone()
        ),
        ("G.1X".into(), 600.into())
    );
    assert_eq!(dec_of(&row["glue_usd_per_run"]), dec!(0.733333));
    // Fargate: 123 s × (16 × 0.04048 + 120 × 0.004445) / 3600 = 0.040353….
    let fargate = dec!(123) * (dec!(16) * dec!(0.04048) + dec!(120) * dec!(0.004445)) / dec!(3600);
    assert_eq!(dec_of(&row["fargate_usd_per_run"]), fargate.round_dp(6));
}

/// `report` over imported Glue runs: the Glue column is what Glue billed, the Fargate column
/// the same runs on the task covering the workers, and the table says so.
#[test]
fn the_report_shows_what_glue_billed_next_to_the_fargate_estimate() {
    let Some(moto) = Moto::start(0.0) else { return };
    moto.setup_glue("runs");
    let store = tempfile::tempdir().unwrap();
    import(&moto, store.path(), &["--job", "etl"]);
    // Days around today: every billed window (at most 600 s) is inside, whatever the hour.
    let today = chrono::Utc::now().date_naive();
    let from = (today - chrono::Days::new(1)).to_string();
    let to = (today + chrono::Days::new(2)).to_string();
    let period = ["report", "--from", &from, "--to", &to];
    let rows = json_of(
        &tool(
            &moto,
            store.path(),
            &[&period[..], &["--output", "json"]].concat(),
        )
        .output()
        .unwrap(),
    );
    let etl = by_job(&rows, "etl")[0];
    assert_eq!(etl["runs"], 2);
    // Glue billed 2 × 10 DPU × 600 s × 0.44 / 3600 = 1.466666… → 1.466667.
    assert_eq!(dec_of(&etl["glue_equivalent_usd"]), dec!(1.466667));
    // Fargate: 2 × 123 s on 16 vCPU / 120 GB = 2 × 123 × 1.18108 / 3600 = 0.080707….
    let fargate =
        dec!(2) * dec!(123) * (dec!(16) * dec!(0.04048) + dec!(120) * dec!(0.004445)) / dec!(3600);
    assert_eq!(dec_of(&etl["fargate_usd"]), fargate.round_dp(6));
    assert_eq!(
        etl["recommended_usd"],
        Value::Null,
        "no samples to right-size from"
    );
    let table = tool(&moto, store.path(), &period).output().unwrap();
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("etl: 2 imported Glue run(s): Glue equiv. is what Glue billed"),
        "{text}"
    );
}

/// 205 runs take two GetJobRuns pages (200 at most a page), and a fifth of the requests
/// failing (throttling, 503; the SDK retries) changes nothing.
#[test]
fn many_runs_are_paged_and_faults_are_retried() {
    let Some(moto) = Moto::start(0.2) else { return };
    moto.setup_glue("many");
    let store = tempfile::tempdir().unwrap();
    let (rows, notes) = import(&moto, store.path(), &[]);
    assert!(
        notes.contains("imported 205 Glue run(s) of 1 job(s)"),
        "{notes}"
    );
    // Each: 2 × G.1X on 0.9 (moto's version) billed the 600 s minimum =
    // 2 × 600 × 0.44 / 3600 = 0.146666…; 205 of them = 30.066666… → 30.066667.
    let one = dec!(2) * dec!(600) * dec!(0.44) / dec!(3600);
    assert_eq!(dec_of(&rows[0]["glue_usd"]), (one * dec!(205)).round_dp(6));
    // moto answers at most 200 runs a page: all 205 recorded means NextToken was followed.
    assert_eq!(runs(&moto, store.path()).len(), 205);
}
