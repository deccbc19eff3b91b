//! The S3 store (`--store s3://bucket/prefix`) through the real aws-sdk-s3 client against
//! moto's S3 server (straight to moto, not the adapter): a history synced up once (a second
//! sync uploads nothing), reported exactly as its local copy; runs recorded from a job and
//! from two processes at once, none lost or overwritten; a store that cannot be written
//! stops `run` before the job starts.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use super::Moto;

const BUCKET: &str = "team-runs";

/// The tool on `store`, with moto's endpoint and its own cache (one "machine" per cache).
fn tool(moto: &Moto, cache: &Path, store: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fargate-cost"));
    command
        .args(["--store", store])
        .args(args)
        .envs(moto.env())
        .env("AWS_ENDPOINT_URL", &moto.moto_url)
        .env("XDG_CACHE_HOME", cache)
        .env("FARGATE_COST_PRICES_FILE", "/nonexistent/prices.json")
        .env("NO_COLOR", "1")
        // `report --output csv` also writes reports/…csv under the working directory.
        .current_dir(cache);
    command
}

/// `store sync --from local --to store` on the machine of `cache`; its stdout.
fn sync(moto: &Moto, cache: &Path, local: &Path, store: &str) -> String {
    let from = local.to_str().unwrap();
    let args = ["store", "sync", "--from", from, "--to", store];
    ok(tool(moto, cache, "unused", &args).output().unwrap())
}

fn ok(output: Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A run record like the store writes, for a history made by hand.
fn write_run(store: &Path, job: &str, id: &str, start: &str, seconds: i64, usd: &str) {
    let started: chrono::DateTime<chrono::Utc> = start.parse().unwrap();
    let run = serde_json::json!({
        "schema_version": 1, "id": id, "job": job, "backend": "local",
        "cpu_units": 1024, "memory_mib": 2048, "arch": "x86_64", "os": "linux",
        "capacity": "on-demand", "region": "us-east-1", "ephemeral_storage_gib": 20,
        "created_at": started, "pull_started_at": null, "started_at": started,
        "stopped_at": started + chrono::Duration::seconds(seconds),
        "duration_ms": seconds * 1000, "billed_seconds": seconds.max(60),
        "exit_code": 0, "stop_reason": "completed", "stop_detail": "",
        "cpu": {"mean": 0.2, "p50": 0.2, "p95": 0.25, "p99": 0.3, "max": 0.3},
        "memory": {"peak_mib": 400.0, "p95_mib": 390.0, "peak_exact": true},
        "samples": 10, "sample_interval_ms": 1000,
        "limits": {"enforced": true, "mechanism": "cgroup v1"},
        "usd": usd, "launched": [], "notes": []
    });
    // `usd` as the store writes it: an exact JSON number, not a string.
    let text = run
        .to_string()
        .replace(&format!("\"usd\":\"{usd}\""), &format!("\"usd\":{usd}"));
    let dir = store.join("runs").join(job);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{id}.json")), text).unwrap();
}

/// A config with one quick local job; `command` is its argv as TOML.
fn config(dir: &Path, command: &str) -> PathBuf {
    let path = dir.join("fargate-cost.toml");
    let text = format!(
        "[[jobs]]\nname = \"quick\"\ncpu = 0.25\nmemory = \"0.5GB\"\nduration = \"1m\"\n[jobs.local]\ncommand = {command}\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn run_ids(moto: &Moto, cache: &Path, store: &str) -> Vec<String> {
    let stdout = ok(tool(moto, cache, store, &["runs", "--output", "json"])
        .output()
        .unwrap());
    let rows: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    rows.iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// The acceptance line of the S3 store: `report` over the bucket equals `report` over the
/// local history it was synced from, byte for byte (every column, the TOTAL row).
#[test]
fn a_synced_history_reports_exactly_as_its_local_copy_and_syncs_once() {
    let Some(moto) = Moto::start(0.0) else { return };
    moto.setup_s3("bucket", BUCKET);
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("local");
    write_run(
        &local,
        "nightly",
        "n1",
        "2026-10-03T10:00:00Z",
        600,
        "0.008228",
    );
    write_run(
        &local,
        "nightly",
        "n2",
        "2026-10-10T10:00:00Z",
        1200,
        "0.016457",
    );
    write_run(
        &local,
        "hourly",
        "h1",
        "2026-10-30T23:30:00Z",
        3600,
        "0.04937",
    );
    write_run(
        &local,
        "hourly",
        "h2",
        "2026-11-01T08:00:00Z",
        60,
        "0.000823",
    );
    let store = format!("s3://{BUCKET}/fc");
    let sync = |cache: &Path| sync(&moto, cache, &local, &store);
    let first = sync(dir.path());
    assert_eq!(
        first,
        format!("uploaded 4 runs and 0 samples files to {store}; 0 already there\n")
    );
    let second = sync(dir.path());
    assert_eq!(
        second,
        format!(
            "nothing to upload: {store} already has all 4 files of {}\n",
            local.display()
        )
    );
    for month in ["2026-10", "2026-11"] {
        let args = ["report", "--month", month, "--output", "csv"];
        let cache = tempfile::tempdir().unwrap();
        let over_s3 = ok(tool(&moto, cache.path(), &store, &args).output().unwrap());
        let over_local = ok(tool(&moto, cache.path(), local.to_str().unwrap(), &args)
            .output()
            .unwrap());
        assert_eq!(over_s3, over_local, "{month}");
        assert!(over_s3.contains(&format!("{month},hourly,1,")), "{over_s3}");
    }
    // A run removed from the bucket leaves the mirror too: the index follows the listing.
    let mirror = dir.path().join("fargate-cost/s3").join(BUCKET).join("fc");
    std::fs::create_dir_all(mirror.join("runs/gone")).unwrap();
    std::fs::write(mirror.join("runs/gone/g1.json"), "{}").unwrap();
    let mut ids = run_ids(&moto, dir.path(), &store);
    ids.sort();
    assert_eq!(ids, ["h1", "h2", "n1", "n2"]);
}

/// `run` records to the bucket (samples and record), `runs` lists from it on another
/// machine, `runs show` downloads the samples; two processes recording at once lose and
/// overwrite nothing.
#[test]
fn runs_recorded_from_two_machines_at_once_are_all_listed() {
    let Some(moto) = Moto::start(0.0) else { return };
    // The jobs run under the local runner: not beside another test's CPU measurement.
    let _machine = crate::runner::serial();
    moto.setup_s3("bucket", BUCKET);
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), r#"["python3", "-c", "print('hello')"]"#);
    let store = format!("s3://{BUCKET}/team");
    let machines: Vec<tempfile::TempDir> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let children: Vec<_> = machines
        .iter()
        .map(|cache| {
            let args = [
                "--config",
                config.to_str().unwrap(),
                "run",
                "quick",
                "--repeat",
                "3",
            ];
            tool(&moto, cache.path(), &store, &args)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        ok(child.wait_with_output().unwrap());
    }
    let reader = tempfile::tempdir().unwrap();
    let mut ids = run_ids(&moto, reader.path(), &store);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6, "{ids:?}");
    let show = ok(
        tool(&moto, reader.path(), &store, &["runs", "show", &ids[0]])
            .output()
            .unwrap(),
    );
    assert!(show.contains(&ids[0]), "{show}");
    let samples = reader
        .path()
        .join("fargate-cost/s3")
        .join(BUCKET)
        .join("team/samples/quick");
    assert!(samples.join(format!("{}.parquet", ids[0])).is_file());
}

/// A store that cannot be written stops `run` in one line, before the job starts: a bucket
/// that does not exist, and a caller allowed to list and read but not s3:PutObject. Stores
/// at the bucket's root: under IAM enforcement moto 5.2 rejects the signature of any
/// listing whose prefix holds a '/' (boto3's too), which a store under a prefix sends.
#[test]
fn an_unwritable_s3_store_stops_run_before_the_job_starts() {
    let Some(moto) = Moto::start(0.0) else { return };
    let keys = moto.setup_s3("deny", BUCKET);
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("job-started");
    let config = config(dir.path(), &format!(r#"["touch", "{}"]"#, marker.display()));
    let args = ["--config", config.to_str().unwrap(), "run", "quick"];
    let missing = tool(&moto, dir.path(), "s3://no-such-bucket", &args)
        .env("AWS_ACCESS_KEY_ID", keys[0].as_str().unwrap())
        .env("AWS_SECRET_ACCESS_KEY", keys[1].as_str().unwrap())
        .output()
        .unwrap();
    let denied = tool(&moto, dir.path(), &format!("s3://{BUCKET}"), &args)
        .env("AWS_ACCESS_KEY_ID", keys[0].as_str().unwrap())
        .env("AWS_SECRET_ACCESS_KEY", keys[1].as_str().unwrap())
        .output()
        .unwrap();
    for (output, expected) in [
        (
            missing,
            "the store's bucket `no-such-bucket` does not exist (region `us-east-1`): create it",
        ),
        (
            denied,
            "the caller needs the IAM permission `s3:PutObject` on the store",
        ),
    ] {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    }
    // Reading needs only s3:ListBucket and s3:GetObject.
    let reader = tool(&moto, dir.path(), &format!("s3://{BUCKET}"), &["runs"])
        .env("AWS_ACCESS_KEY_ID", keys[0].as_str().unwrap())
        .env("AWS_SECRET_ACCESS_KEY", keys[1].as_str().unwrap())
        .output()
        .unwrap();
    ok(reader);
    assert!(
        !marker.exists(),
        "the job ran although its run could not be recorded"
    );
}

/// Bad S3 store input is named in one line with exit 2, before any AWS call (no server).
#[test]
fn bad_s3_store_input_is_named_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_store = dir.path().to_str().unwrap();
    for (args, expected) in [
        (
            vec!["--store", "s3://Bad_Bucket/x", "runs"],
            "error: --store: `s3://Bad_Bucket/x`: the bucket name must be 3-63 lowercase letters",
        ),
        (
            vec![
                "store",
                "sync",
                "--from",
                not_a_store,
                "--to",
                "team-runs/x",
            ],
            "error: --to: `team-runs/x` is not an S3 store; write s3://BUCKET/PREFIX",
        ),
        (
            vec![
                "store",
                "sync",
                "--from",
                not_a_store,
                "--to",
                "s3://team-runs/x",
            ],
            "is not a run store (it has no runs/ folder)",
        ),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_fargate-cost"))
            .args(&args)
            .env("XDG_CACHE_HOME", dir.path())
            .env("NO_COLOR", "1")
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    }
}

/// A bucket in another region: S3 answers 301 with `x-amz-bucket-region`, which moto does
/// not do, so tests/support/s3_redirect.py answers as S3 does. One line naming the region.
#[test]
fn a_bucket_in_another_region_names_the_region_to_pass() {
    use std::io::{BufRead, BufReader};
    let started = Command::new("python3")
        .arg(super::support("s3_redirect.py"))
        .arg("eu-west-1")
        .stdout(std::process::Stdio::piped())
        .spawn();
    let Ok(child) = started else {
        return super::unavailable("python3 cannot be started").unwrap_or(());
    };
    let mut server = super::KillOnDrop(child);
    let mut port = String::new();
    if let Some(stdout) = server.0.stdout.take() {
        let _ = BufReader::new(stdout).read_line(&mut port);
    }
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_fargate-cost"))
        .args(["runs"])
        .env("FARGATE_COST_STORE", format!("s3://{BUCKET}/fc"))
        .env(
            "AWS_ENDPOINT_URL",
            format!("http://127.0.0.1:{}", port.trim()),
        )
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("XDG_CACHE_HOME", dir.path())
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.trim(),
        "error: the store's bucket `team-runs` is in `eu-west-1`, not `us-east-1`: pass --region eu-west-1"
    );
}

/// Uploads through the library: the same record again passes (a retried upload), other
/// bytes under an existing key are refused; a replace (If-Match) of the version this
/// machine read goes through, a replace from a stale read is refused.
#[test]
fn an_existing_run_is_never_overwritten() {
    use fargate_cost::aws::s3::{Bucket, S3Location};
    use fargate_cost::store::remote::Remote;
    let Some(moto) = Moto::start(0.0) else { return };
    moto.setup_s3("bucket", BUCKET);
    let runtime = fargate_cost::aws::runtime().unwrap();
    let config = runtime.block_on(async {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(&moto.moto_url)
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_s3::config::Credentials::new(
                "testing", "testing", None, None, "test",
            ))
            .load()
            .await
    });
    let client = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    let location = S3Location::parse(&format!("s3://{BUCKET}/fc"))
        .unwrap()
        .unwrap();
    let remote = Remote::new(Bucket::new(client, location, "us-east-1".into()), runtime);
    let record = "runs/nightly/r1.json";
    let upload = |bytes: &[u8], previous: Option<&[u8]>| {
        remote
            .upload_run((record, bytes.to_vec()), None, previous)
            .map_err(|e| e.to_string())
    };
    let (first, second, third): (&[u8], &[u8], &[u8]) =
        (b"{\"id\":1}", b"{\"id\":2}", b"{\"id\":3}");
    upload(first, None).unwrap();
    upload(first, None).unwrap();
    let conflict = format!(
        "run store: s3://{BUCKET}/fc/{record} already exists with other contents; runs in an S3 store are never overwritten"
    );
    assert_eq!(upload(second, None).unwrap_err(), conflict);
    // A replace of the version read (a Glue run that was running) goes through, once.
    upload(second, Some(first)).unwrap();
    upload(second, Some(first)).unwrap();
    // A replace from a stale read (another machine changed the record meanwhile) does not.
    assert_eq!(upload(third, Some(first)).unwrap_err(), conflict);
    let mirror = tempfile::tempdir().unwrap();
    remote.pull(mirror.path()).unwrap();
    assert_eq!(std::fs::read(mirror.path().join(record)).unwrap(), second);
}

/// The README's DuckDB query over the bucket's layout, run on the same layout on disk
/// (DuckDB's httpfs extension is not installed here): exact sums per job.
#[test]
fn duckdb_reads_the_bucket_layout_with_the_readme_query() {
    if !crate::python_module_or_skip(
        "duckdb",
        "duckdb_reads_the_bucket_layout_with_the_readme_query",
    ) {
        return;
    }
    let store = tempfile::tempdir().unwrap();
    let usd = "0.0082283333333333333333333333";
    write_run(
        store.path(),
        "nightly",
        "n1",
        "2026-10-03T10:00:00Z",
        600,
        usd,
    );
    write_run(
        store.path(),
        "nightly",
        "n2",
        "2026-10-04T10:00:00Z",
        600,
        usd,
    );
    write_run(
        store.path(),
        "hourly",
        "h1",
        "2026-10-04T10:00:00Z",
        60,
        "0.000823",
    );
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let query = readme
        .split("```sql\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .find(|block| block.contains("read_json('s3://"))
        .expect("README has the S3 layout query")
        .replace(
            "s3://team-runs/fc/",
            &format!("{}/", store.path().display()),
        );
    let output = Command::new("python3")
        .args([
            "-c",
            "import sys, duckdb\nfor row in duckdb.sql(sys.argv[1]).fetchall(): print(*row, sep=',')",
            &query,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let rows = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        rows.lines().collect::<Vec<_>>(),
        [
            "hourly,1,0.000823000000000000",
            "nightly,2,0.016456666666666666"
        ],
        "{rows}"
    );
}

/// `import glue` into an S3 store: a run seen running is recorded, then replaced (If-Match)
/// once it ends; another machine reads the final state, one record.
#[test]
fn a_glue_run_imported_while_running_is_replaced_in_the_bucket() {
    let Some(moto) = Moto::start(0.0) else { return };
    moto.setup_s3("bucket", BUCKET);
    moto.setup_glue("running");
    let store = format!("s3://{BUCKET}/fc");
    let machine = tempfile::tempdir().unwrap();
    let import = ["--config", "/nonexistent.toml", "import", "glue"];
    let reason = |cache: &Path| -> Vec<String> {
        let stdout = ok(tool(&moto, cache, &store, &["runs", "--output", "json"])
            .output()
            .unwrap());
        let rows: Vec<Value> = serde_json::from_str(&stdout).unwrap();
        rows.iter()
            .map(|r| r["stop_reason"].as_str().unwrap().to_string())
            .collect()
    };
    ok(tool(&moto, machine.path(), &store, &import)
        .output()
        .unwrap());
    assert_eq!(reason(machine.path()), ["running"]);
    // Each read moves moto's run one state on; it ends within a few imports.
    for _ in 0..4 {
        ok(tool(&moto, machine.path(), &store, &import)
            .output()
            .unwrap());
        if reason(machine.path()) == ["completed"] {
            break;
        }
    }
    let other = tempfile::tempdir().unwrap();
    assert_eq!(reason(other.path()), ["completed"]);
}

/// Past one listing page (1,000 keys) the mirror lists each job's folder on its own, in
/// parallel: every run of every job still arrives, once.
#[test]
fn a_store_past_one_listing_page_is_listed_job_by_job() {
    let Some(moto) = Moto::start(0.0) else { return };
    moto.setup_s3("bucket", BUCKET);
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("local");
    let jobs = ["alpha", "beta", "gamma"];
    for i in 0..1_050 {
        let start = format!("2026-10-{:02}T10:00:00Z", 1 + i % 28);
        write_run(
            &local,
            jobs[i % 3],
            &format!("r{i:05}"),
            &start,
            60,
            "0.000823",
        );
    }
    let store = format!("s3://{BUCKET}/fc");
    let synced = sync(&moto, dir.path(), &local, &store);
    assert!(synced.starts_with("uploaded 1050 runs"), "{synced}");
    let reader = tempfile::tempdir().unwrap();
    let mut ids = run_ids(&moto, reader.path(), &store);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1_050);
}
