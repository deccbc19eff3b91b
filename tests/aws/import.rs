//! `import ecs` against moto: tasks discovered from their metrics, imported once.

use std::process::Command;

use aws_sdk_cloudwatch::primitives::DateTime as AwsDateTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use chrono::{Duration, TimeZone, Utc};

use super::Moto;

fn import(moto: &Moto, store: &std::path::Path) -> (Vec<serde_json::Value>, String) {
    import_from(moto, store, "data")
}

fn import_from(
    moto: &Moto,
    store: &std::path::Path,
    cluster: &str,
) -> (Vec<serde_json::Value>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_fargate-cost"))
        .args([
            "--store",
            &store.to_string_lossy(),
            "--config",
            "/nonexistent.toml",
            "import",
            "ecs",
            "--cluster",
            cluster,
            "--output",
            "json",
        ])
        .envs(moto.env())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    (serde_json::from_slice(&output.stdout).unwrap(), stderr)
}

#[test]
fn an_import_discovers_tasks_from_metrics_and_twice_records_nothing_twice() {
    let Some(moto) = Moto::start(0.0) else { return };
    moto.setup_ecs(1);
    put_task_metrics(&moto, "data");
    let store = tempfile::tempdir().unwrap();
    let (first, notes) = import(&moto, store.path());
    assert_eq!(first.len(), 3, "{notes}");
    for run in &first {
        assert_eq!(run["backend"], "ecs");
        assert_eq!(run["job"], "etl");
        assert_eq!(run["cpu_vcpu"], 1, "size from CpuReserved/MemoryReserved");
        assert_eq!(run["memory_gib"], 2);
        assert_eq!(run["duration_s"], 300, "first to last point + one minute");
        assert_eq!(run["samples"], 5);
    }
    assert!(
        notes.contains("imported 3 run(s), 0 already recorded"),
        "{notes}"
    );
    let (second, notes) = import(&moto, store.path());
    assert!(second.is_empty());
    assert!(
        notes.contains("imported 0 run(s), 3 already recorded"),
        "{notes}"
    );
}

/// Container Insights-shaped data for three finished tasks ECS no longer remembers.
fn put_task_metrics(moto: &Moto, cluster: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let now = Utc::now();
    let start = Utc
        .timestamp_opt(now.timestamp() - now.timestamp() % 60 - 2 * 3600, 0)
        .unwrap();
    runtime.block_on(async {
        let cw = aws_sdk_cloudwatch::Client::new(&moto.sdk_config().await);
        for (t, task) in ["a1", "b2", "c3"].iter().enumerate() {
            let mut data = Vec::new();
            for m in 0..5 {
                for (name, value) in [
                    ("CpuUtilized", 200.0 + 100.0 * t as f64 + m as f64),
                    ("MemoryUtilized", 500.0 + m as f64),
                    ("CpuReserved", 1024.0),
                    ("MemoryReserved", 2048.0),
                ] {
                    data.push(
                        MetricDatum::builder()
                            .metric_name(name)
                            .dimensions(
                                Dimension::builder()
                                    .name("ClusterName")
                                    .value(cluster)
                                    .build(),
                            )
                            .dimensions(
                                Dimension::builder()
                                    .name("TaskDefinitionFamily")
                                    .value("etl")
                                    .build(),
                            )
                            .dimensions(Dimension::builder().name("TaskId").value(*task).build())
                            .timestamp(AwsDateTime::from_secs(
                                (start + Duration::minutes(m)).timestamp(),
                            ))
                            .value(value)
                            .build(),
                    );
                }
            }
            cw.put_metric_data()
                .namespace("ECS/ContainerInsights")
                .set_metric_data(Some(data))
                .send()
                .await
                .unwrap();
        }
    });
}

/// Regression: a cluster that no longer exists (its metrics outlive it by months) stopped
/// the import with "cluster not found". The runs come from the metrics alone, and it says so.
#[test]
fn a_deleted_cluster_is_imported_from_its_metrics_alone() {
    let Some(moto) = Moto::start(0.0) else { return };
    moto.setup_ecs(1);
    put_task_metrics(&moto, "gone");
    let store = tempfile::tempdir().unwrap();
    let (runs, notes) = import_from(&moto, store.path(), "gone");
    assert_eq!(runs.len(), 3, "{notes}");
    assert!(notes.contains("cluster gone no longer exists"), "{notes}");
    assert_eq!(runs[0]["duration_s"], 300, "timing from the metrics");
}
