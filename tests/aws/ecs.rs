//! `run --backend ecs` against moto.

use std::process::Command;

use aws_sdk_ecs::types::{Container, Task, TaskStopCode};
use fargate_cost::model::run::StopReason;
use fargate_cost::runner::ecs::classify;

use super::Moto;

/// A config with one job `etl` at `size` ("cpu = 1\nmemory = 2") running on moto's
/// cluster, with `extra` lines in its [jobs.ecs] table.
fn ecs_config(
    dir: &std::path::Path,
    ids: &serde_json::Value,
    size: &str,
    extra: &str,
) -> std::path::PathBuf {
    let config = dir.join("fargate-cost.toml");
    std::fs::write(
        &config,
        format!(
            "[[jobs]]\nname = \"etl\"\n{size}\n[jobs.ecs]\ncluster = \"data\"\ntask_definition = \"etl\"\n{extra}subnets = [\"{}\"]\nsecurity_groups = [\"{}\"]\n",
            ids["subnet"].as_str().unwrap(),
            ids["security_group"].as_str().unwrap()
        ),
    )
    .unwrap();
    config
}

/// `fargate-cost run etl --output json` against moto.
fn run_etl(moto: &Moto, config: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fargate-cost"));
    cmd.args([
        "--config",
        &config.to_string_lossy(),
        "run",
        "etl",
        "--output",
        "json",
    ])
    .envs(moto.env());
    cmd
}

#[test]
fn a_run_with_overrides_records_the_overridden_size() {
    let Some(moto) = Moto::start(0.0) else { return };
    let ids = moto.setup_ecs(1);
    let dir = tempfile::tempdir().unwrap();
    let config = ecs_config(
        dir.path(),
        &ids,
        "cpu = 2\nmemory = \"4GB\"",
        "container = \"app\"\ncommand = [\"python\", \"etl.py\", \"--day\", \"today\"]\n",
    );
    let output = run_etl(&moto, &config).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let rows: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let run = &rows[0];
    assert_eq!(run["backend"], "ecs");
    assert_eq!(run["cpu_vcpu"], 2);
    assert_eq!(run["memory_gib"], 4);
    assert_eq!(run["stop_reason"], "completed");
    // moto gives no timestamps: the record says its window is approximate.
    assert!(
        stderr.contains("no Container Insights per-task metrics"),
        "{stderr}"
    );
    // An ECS peak is a 1-minute value, and `runs show` says what that hides.
    let show = Command::new(env!("CARGO_BIN_EXE_fargate-cost"))
        .args(["--config", &config.to_string_lossy(), "runs", "show"])
        .arg(run["id"].as_str().unwrap())
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&show.stdout);
    assert!(
        shown.contains("1-minute maximum: shorter spikes are not seen"),
        "{shown}"
    );

    // The task really was launched with task-level overrides (checked with the SDK).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let overrides = runtime.block_on(async {
        let ecs = aws_sdk_ecs::Client::new(&moto.sdk_config().await);
        // The run's id is "ecs-<task id>"; moto keeps desiredStatus RUNNING for a task its
        // state manager stopped, so the task is found by id rather than by ListTasks.
        let task_id = run["id"]
            .as_str()
            .unwrap()
            .trim_start_matches("ecs-")
            .to_string();
        let arns = vec![task_id];
        let tasks = ecs
            .describe_tasks()
            .cluster("data")
            .set_tasks(Some(arns))
            .send()
            .await
            .unwrap();
        tasks.tasks()[0].overrides().cloned().unwrap()
    });
    assert_eq!(overrides.cpu(), Some("2048"));
    assert_eq!(overrides.memory(), Some("4096"));
    let container = &overrides.container_overrides()[0];
    assert_eq!(container.name(), Some("app"));
    assert_eq!(container.command(), ["python", "etl.py", "--day", "today"]);
}

/// moto cannot make a container exit with a code, so the classification of the stopped
/// task AWS would return is checked on the SDK's own Task type.
#[test]
fn exit_137_and_out_of_memory_are_recorded_as_oom() {
    let task = Task::builder()
        .stop_code(TaskStopCode::EssentialContainerExited)
        .stopped_reason("Essential container in task exited")
        .containers(
            Container::builder()
                .name("app")
                .exit_code(137)
                .reason("OutOfMemoryError: Container killed due to memory usage")
                .build(),
        )
        .build();
    let (code, reason, detail) = classify(&task, Some("app"), None);
    assert_eq!(code, Some(137));
    assert_eq!(reason, StopReason::Oom);
    assert!(detail.contains("OutOfMemoryError"), "{detail}");
    let spot = Task::builder()
        .stop_code(TaskStopCode::SpotInterruption)
        .containers(Container::builder().name("app").exit_code(143).build())
        .build();
    assert_eq!(
        classify(&spot, Some("app"), None).1,
        StopReason::SpotInterruption
    );
}

#[test]
fn missing_credentials_say_how_to_provide_them() {
    let Some(moto) = Moto::start(0.0) else { return };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("fargate-cost.toml");
    std::fs::write(
        &config,
        "[[jobs]]\nname = \"etl\"\ncpu = 1\nmemory = 2\n[jobs.ecs]\ncluster = \"data\"\ntask_definition = \"etl\"\nsubnets = [\"subnet-1\"]\nsecurity_groups = [\"sg-1\"]\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_fargate-cost"))
        .args(["--config", &config.to_string_lossy(), "run", "etl"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("AWS_CONFIG_FILE", dir.path().join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("none"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", &moto.url)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "no AWS credentials for ecs:DescribeTaskDefinition: set AWS_PROFILE or --profile"
        ),
        "{stderr}"
    );
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{stderr}"
    );
}

#[test]
fn ctrl_c_stops_the_task_and_records_it_as_interrupted() {
    let Some(moto) = Moto::start(0.0) else { return };
    // Each status lasts a minute: the task is still running when Ctrl-C arrives.
    let ids = moto.setup_ecs(60);
    let dir = tempfile::tempdir().unwrap();
    let config = ecs_config(dir.path(), &ids, "cpu = 1\nmemory = 2", "");
    let child = run_etl(&moto, &config)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(4));
    // SAFETY: kill(2) on our own child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    let rows: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rows[0]["stop_reason"], "interrupted", "{stderr}");
}

#[test]
fn an_ecs_run_survives_injected_faults() {
    // 20% of requests (RunTask, DescribeTasks, GetMetricData, …) fail with throttling or a
    // 503 before reaching moto; the SDK's retries must still record the run.
    let Some(moto) = Moto::start(0.2) else { return };
    let ids = moto.setup_ecs(1);
    let dir = tempfile::tempdir().unwrap();
    let config = ecs_config(dir.path(), &ids, "cpu = 1\nmemory = 2", "");
    let output = run_etl(&moto, &config).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let rows: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rows[0]["stop_reason"], "completed");
    assert_eq!(rows[0]["cpu_vcpu"], 1);
}

/// `assign_public_ip = true` launches the task with a public IP and records the address's
/// cost as a part of the run: $0.005 an hour for the billed seconds (reference 10.1).
#[test]
fn a_public_ip_launch_records_the_address_cost() {
    let Some(moto) = Moto::start(0.0) else { return };
    let ids = moto.setup_ecs(1);
    let dir = tempfile::tempdir().unwrap();
    let config = ecs_config(
        dir.path(),
        &ids,
        "cpu = 0.25\nmemory = \"0.5GB\"",
        "assign_public_ip = true\n",
    );
    let output = run_etl(&moto, &config).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let runs = dir.path().join(".fargate-cost").join("runs").join("etl");
    let file = std::fs::read_dir(&runs)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let run: fargate_cost::model::run::Run =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert!(run.public_ip);
    // 0.005 × billed / 3600, exact to the Decimal's last digit.
    let expected = rust_decimal_macros::dec!(0.005)
        * rust_decimal::Decimal::from(run.billed_seconds)
        / rust_decimal::Decimal::from(3600);
    let (usd, ipv4) = (run.usd, run.public_ipv4_usd);
    assert_eq!(ipv4.round_dp(20), expected.round_dp(20));
    assert!(
        usd > ipv4,
        "the address is a part of the run's cost: {usd} vs {ipv4}"
    );
}

/// Issue 15: `tune --sweep` on ECS launches every size × repeat at once (so the sweep takes
/// about as long as its slowest task): every task was launched before the first ended.
#[test]
fn a_parallel_ecs_sweep_launches_every_task_before_the_first_ends() {
    let Some(moto) = Moto::start(0.0) else { return };
    // Each task status lasts 1 s in moto, so a task runs for a few seconds.
    let ids = moto.setup_ecs(1);
    let dir = tempfile::tempdir().unwrap();
    let config = ecs_config(dir.path(), &ids, "cpu = 1\nmemory = \"2GB\"", "");
    // A recorded baseline, so the sweep is all there is to launch.
    let baseline = run_etl(&moto, &config).output().unwrap();
    assert!(
        baseline.status.success(),
        "{}",
        String::from_utf8_lossy(&baseline.stderr)
    );
    let output = Command::new(env!("CARGO_BIN_EXE_fargate-cost"))
        .args(["--config", &config.to_string_lossy(), "tune", "job", "etl"])
        .args([
            "--sweep",
            "0.5,1",
            "--repeat",
            "2",
            "--force",
            "--memory-headroom",
            "0",
        ])
        .envs(moto.env())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("ECS sweep: 4 task(s), 4 at a time"),
        "{stderr}"
    );
    let store = dir.path().join(".fargate-cost/runs/etl");
    let mut runs: Vec<serde_json::Value> = std::fs::read_dir(&store)
        .unwrap()
        .filter_map(|e| {
            let path = e.ok()?.path();
            (path.extension()? == "json")
                .then(|| serde_json::from_slice(&std::fs::read(path).ok()?).ok())?
        })
        .collect();
    runs.sort_by_key(|r| r["created_at"].as_str().unwrap().to_string());
    assert_eq!(runs.len(), 5, "baseline + 4 sweep runs: {stderr}");
    let time = |r: &serde_json::Value, field: &str| {
        chrono::DateTime::parse_from_rfc3339(r[field].as_str().unwrap()).unwrap()
    };
    let sweep = &runs[1..];
    let last_launch = sweep.iter().map(|r| time(r, "created_at")).max().unwrap();
    let first_end = sweep.iter().map(|r| time(r, "stopped_at")).min().unwrap();
    assert!(
        last_launch < first_end,
        "launched {last_launch}, first ended {first_end}"
    );
}

/// A parallel ECS sweep into an S3 store: each run is recorded from its own async task, so
/// the store's upload runs inside the ECS runtime (a nested `block_on` would panic). Every
/// run reaches the bucket.
#[test]
fn a_parallel_ecs_sweep_records_every_run_in_an_s3_store() {
    let Some(moto) = Moto::start(0.0) else { return };
    let ids = moto.setup_ecs(1);
    moto.setup_s3("bucket", "team-runs");
    let dir = tempfile::tempdir().unwrap();
    let config = ecs_config(dir.path(), &ids, "cpu = 1\nmemory = \"2GB\"", "");
    let tool = |cache: &str, args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_fargate-cost"))
            .args(["--config", &config.to_string_lossy()])
            .args(["--store", "s3://team-runs/ecs"])
            .args(args)
            .envs(moto.env())
            .env("XDG_CACHE_HOME", dir.path().join(cache))
            .output()
            .unwrap()
    };
    let baseline = tool("a", &["run", "etl"]);
    assert!(
        baseline.status.success(),
        "{}",
        String::from_utf8_lossy(&baseline.stderr)
    );
    let sweep = ["tune", "job", "etl", "--sweep", "0.5,1", "--force"];
    let output = tool("a", &[&sweep[..], &["--memory-headroom", "0"]].concat());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("ECS sweep: 2 task(s), 2 at a time"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Another machine (its own cache) lists them from the bucket.
    let listed = tool("b", &["runs", "--output", "json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(rows.len(), 3, "baseline + 2 sweep runs: {stderr}");
}
