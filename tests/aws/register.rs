//! `tune job --write --register` registers the resized task definition with ECS (moto).

use std::process::Command;

use super::Moto;

/// A run record as the store holds it (written directly: this test is about registering).
fn run_json(n: u32) -> serde_json::Value {
    let started = chrono::Utc::now() - chrono::Duration::hours(i64::from(n) + 1);
    let stopped = started + chrono::Duration::minutes(10);
    serde_json::json!({
        "schema_version": 1, "id": format!("r{n}"), "job": "etl", "backend": "ecs",
        "cpu_units": 2048, "memory_mib": 8192, "arch": "x86_64", "os": "linux",
        "capacity": "on-demand", "region": "us-east-1", "ephemeral_storage_gib": 20,
        "created_at": started, "pull_started_at": started, "started_at": started,
        "stopped_at": stopped, "duration_ms": 600000, "billed_seconds": 600,
        "exit_code": 0, "stop_reason": "completed", "stop_detail": "",
        "cpu": {"mean": 0.25, "p50": 0.25, "p95": 0.3, "p99": 0.3, "max": 0.35},
        "memory": {"peak_mib": 600.0, "p95_mib": 580.0, "peak_exact": false},
        "samples": 10, "sample_interval_ms": 60000,
        "limits": {"enforced": true, "mechanism": "fargate"},
        "usd": "0.05", "launched": [], "notes": []
    })
}

#[test]
fn register_creates_a_resized_revision() {
    let Some(moto) = Moto::start(0.0) else { return };
    moto.setup_ecs(1);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("fargate-cost.toml");
    std::fs::write(
        &config,
        "[[jobs]]\nname = \"etl\"\ncpu = 2\nmemory = \"8GB\"\nruns_per_month = 30\n[jobs.ecs]\ncluster = \"data\"\ntask_definition = \"etl\"\n",
    )
    .unwrap();
    let runs = dir.path().join(".fargate-cost/runs/etl");
    std::fs::create_dir_all(&runs).unwrap();
    for n in 0..3 {
        std::fs::write(runs.join(format!("r{n}.json")), run_json(n).to_string()).unwrap();
    }
    let output = Command::new(env!("CARGO_BIN_EXE_fargate-cost"))
        .args([
            "--config",
            &config.to_string_lossy(),
            "tune",
            "job",
            "etl",
            "--write",
            "--register",
        ])
        .envs(moto.env())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("registered arn:aws:ecs:us-east-1:123456789012:task-definition/etl:2"),
        "{stderr}"
    );
    // Peak 600 MiB (3 runs, 1-minute peaks): the p99.9 bound is under 1 GB; CPU 0.3 × 1.2
    // = 0.36 → 0.5 vCPU / 1 GB.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (cpu, memory, container_memory) = runtime.block_on(async {
        let ecs = aws_sdk_ecs::Client::new(&moto.sdk_config().await);
        let out = ecs
            .describe_task_definition()
            .task_definition("etl:2")
            .send()
            .await
            .unwrap();
        let td = out.task_definition().unwrap().clone();
        (
            td.cpu().map(String::from),
            td.memory().map(String::from),
            td.container_definitions()[0].memory,
        )
    });
    assert_eq!(cpu.as_deref(), Some("512"));
    assert_eq!(memory.as_deref(), Some("1024"));
    assert_eq!(
        container_memory,
        Some(1024),
        "the container's hard limit followed the task"
    );
    assert!(
        std::fs::read_to_string(&config)
            .unwrap()
            .contains("cpu = 0.5\nmemory = \"1GB\"")
    );
}
