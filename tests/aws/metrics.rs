//! GetMetricData packing and the CBOR path against moto (through the adapter).

use aws_sdk_cloudwatch::primitives::DateTime as AwsDateTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use chrono::{Duration, TimeZone, Utc};
use fargate_cost::aws::metrics::{TaskMetric, pull};

use super::Moto;

/// PutMetricData the way Container Insights publishes per-task metrics (moto cannot run
/// the agent): one point a minute for `minutes`, value = f(task, minute).
async fn seed(
    cw: &aws_sdk_cloudwatch::Client,
    task: &str,
    metric: &str,
    start: chrono::DateTime<Utc>,
    minutes: i64,
    value: impl Fn(i64) -> f64,
) {
    let points: Vec<_> = (0..minutes)
        .map(|m| (start + Duration::minutes(m), value(m)))
        .collect();
    seed_points(cw, task, metric, &points).await;
}

/// PutMetricData of `points` (time, value) of one task metric.
async fn seed_points(
    cw: &aws_sdk_cloudwatch::Client,
    task: &str,
    metric: &str,
    points: &[(chrono::DateTime<Utc>, f64)],
) {
    let dimension = |name: &str, value: &str| Dimension::builder().name(name).value(value).build();
    let data: Vec<MetricDatum> = points
        .iter()
        .map(|(t, v)| {
            MetricDatum::builder()
                .metric_name(metric)
                .dimensions(dimension("ClusterName", "data"))
                .dimensions(dimension("TaskDefinitionFamily", "etl"))
                .dimensions(dimension("TaskId", task))
                .timestamp(AwsDateTime::from_secs(t.timestamp()))
                .value(*v)
                .unit(if metric.starts_with("Memory") {
                    StandardUnit::Megabytes
                } else {
                    StandardUnit::None
                })
                .build()
        })
        .collect();
    for chunk in data.chunks(500) {
        cw.put_metric_data()
            .namespace("ECS/ContainerInsights")
            .set_metric_data(Some(chunk.to_vec()))
            .send()
            .await
            .expect("PutMetricData");
    }
}

fn metric(task: &str, name: &str) -> TaskMetric {
    TaskMetric {
        cluster: "data".into(),
        family: "etl".into(),
        task_id: task.into(),
        metric: name.into(),
    }
}

#[test]
fn metrics_seeded_for_three_tasks_come_back_exactly() {
    let Some(moto) = Moto::start(0.0) else { return };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let cw = aws_sdk_cloudwatch::Client::new(&moto.sdk_config().await);
        let now = Utc::now();
        let start = Utc
            .timestamp_opt(now.timestamp() - now.timestamp() % 60 - 3600, 0)
            .unwrap();
        for (t, task) in ["t1", "t2", "t3"].iter().enumerate() {
            seed(&cw, task, "CpuUtilized", start, 10, |m| {
                (t as f64 + 1.0) * 100.0 + m as f64
            })
            .await;
        }
        let wanted: Vec<TaskMetric> = ["t1", "t2", "t3"]
            .iter()
            .map(|t| metric(t, "CpuUtilized"))
            .collect();
        let (series, requests) = pull(&cw, &wanted, start, start + Duration::minutes(10), now)
            .await
            .unwrap();
        assert_eq!(requests, 1, "three queries fit one request");
        for (t, s) in series.iter().enumerate() {
            let values: Vec<f64> = s.points.iter().map(|p| p.1).collect();
            let expected: Vec<f64> = (0..10)
                .map(|m| (t as f64 + 1.0) * 100.0 + m as f64)
                .collect();
            assert_eq!(values, expected, "task {t}");
            assert_eq!(s.points[0].0, start);
        }
    });
}

#[test]
fn queries_over_the_point_cap_are_split_across_requests_and_survive_faults() {
    // 20% of requests fail (throttling or 503): the SDK's retries must make the result
    // complete and identical.
    let Some(moto) = Moto::start(0.2) else { return };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let cw = aws_sdk_cloudwatch::Client::new(&moto.sdk_config().await);
        let now = Utc::now();
        // 14 days at 60 s = 20,160 points a query: only 5 queries fit under 100,800 points.
        let start = Utc
            .timestamp_opt(
                now.timestamp() - now.timestamp() % 60 - 14 * 86_400 + 3600,
                0,
            )
            .unwrap();
        let tasks: Vec<String> = (0..7).map(|i| format!("task-{i}")).collect();
        for (i, task) in tasks.iter().enumerate() {
            seed(&cw, task, "MemoryUtilized", start, 3, |m| {
                1000.0 * (i as f64 + 1.0) + m as f64
            })
            .await;
        }
        let wanted: Vec<TaskMetric> = tasks.iter().map(|t| metric(t, "MemoryUtilized")).collect();
        let (series, requests) = pull(&cw, &wanted, start, start + Duration::days(14), now)
            .await
            .unwrap();
        assert_eq!(
            requests, 2,
            "7 queries: 5 in the first request, 2 in the second"
        );
        for (i, s) in series.iter().enumerate() {
            let values: Vec<f64> = s.points.iter().map(|p| p.1).collect();
            assert_eq!(
                values,
                vec![
                    1000.0 * (i as f64 + 1.0),
                    1000.0 * (i as f64 + 1.0) + 1.0,
                    1000.0 * (i as f64 + 1.0) + 2.0
                ]
            );
        }
        let stats = moto.stats();
        assert!(stats["GetMetricData"].as_u64().unwrap() >= 2, "{stats}");
    });
}

#[test]
fn next_token_pages_are_followed_to_the_end() {
    // The adapter pages GetMetricData every 250 points, as CloudWatch does past MaxDatapoints
    // (moto itself never paginates); 2 × 300 points need three pages.
    let Some(moto) = Moto::start_with(0.0, 250) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let cw = aws_sdk_cloudwatch::Client::new(&moto.sdk_config().await);
        let now = Utc::now();
        let start = Utc
            .timestamp_opt(now.timestamp() - now.timestamp() % 60 - 6 * 3600, 0)
            .unwrap();
        seed(&cw, "p1", "CpuUtilized", start, 300, |m| m as f64).await;
        seed(&cw, "p2", "CpuUtilized", start, 300, |m| 1000.0 + m as f64).await;
        let wanted = [metric("p1", "CpuUtilized"), metric("p2", "CpuUtilized")];
        let (series, requests) = pull(&cw, &wanted, start, start + Duration::minutes(300), now)
            .await
            .unwrap();
        assert_eq!(requests, 3, "600 points in pages of 250");
        let p1: Vec<f64> = series[0].points.iter().map(|p| p.1).collect();
        let p2: Vec<f64> = series[1].points.iter().map(|p| p.1).collect();
        assert_eq!(p1, (0..300).map(|m| m as f64).collect::<Vec<_>>());
        assert_eq!(p2, (0..300).map(|m| 1000.0 + m as f64).collect::<Vec<_>>());
    });
}

/// Issue 15: several memory points in one minute (250, 300, 280 MB) are a peak of 300 MB,
/// not their average (276.67); CPU keeps the minute's average for its percentiles.
#[test]
fn memory_is_pulled_as_the_minutes_maximum_and_cpu_as_its_average() {
    let Some(moto) = Moto::start(0.0) else { return };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let cw = aws_sdk_cloudwatch::Client::new(&moto.sdk_config().await);
        let now = Utc::now();
        let minute = Utc
            .timestamp_opt(now.timestamp() - now.timestamp() % 60 - 600, 0)
            .unwrap();
        let at = |s: i64| minute + Duration::seconds(s);
        let memory = [(at(5), 250.0), (at(20), 300.0), (at(45), 280.0)];
        seed_points(&cw, "t9", "MemoryUtilized", &memory).await;
        let cpu = [(at(5), 512.0), (at(20), 1024.0), (at(45), 768.0)];
        seed_points(&cw, "t9", "CpuUtilized", &cpu).await;
        let wanted = [metric("t9", "CpuUtilized"), metric("t9", "MemoryUtilized")];
        let (series, _) = pull(&cw, &wanted, minute, minute + Duration::minutes(2), now)
            .await
            .unwrap();
        let values = |s: &fargate_cost::aws::metrics::Series| -> Vec<f64> {
            s.points.iter().map(|p| p.1).collect()
        };
        assert_eq!(
            values(&series[0]),
            vec![768.0],
            "CPU: (512 + 1024 + 768) / 3"
        );
        assert_eq!(
            values(&series[1]),
            vec![300.0],
            "memory: the minute's maximum"
        );
        let samples = fargate_cost::aws::metrics::samples(&series[0], &series[1], minute);
        // 300 MB = 300 × 10^6 / 2^20 MiB = 286.102… MiB; 768 CPU units = 0.75 vCPU.
        assert!((samples[0].memory_mib - 286.102_294_921_875).abs() < 1e-9);
        assert_eq!(samples[0].cpu_vcpu, 0.75);
    });
}
