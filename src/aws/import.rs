//! `import ecs`: recorded runs for ECS tasks the tool did not launch. Tasks are discovered
//! from Container Insights' per-task metrics (ListMetrics, TaskId dimension), their metrics
//! pulled in bulk, and timing and size taken from DescribeTasks where ECS still has the task
//! (stopped tasks stay about an hour) or else from the metrics (marked approximate).

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_cloudwatch::types::DimensionFilter;
use aws_sdk_ecs::types::Task;
use chrono::{DateTime, Utc};

use crate::aws::Aws;
use crate::aws::error::translate;
use crate::aws::metrics::{self, MIB_PER_MB, NAMESPACE, TaskMetric};
use crate::error::Result;
use crate::model::run::{Backend, Limits, Run, RunFacts, Sample, StopReason};
use crate::model::size::{Arch, Capacity, Os, Size};
use crate::model::task::FargateTask;
use crate::pricing::book::RegionPrices;
use crate::pricing::price;
use crate::runner::ecs::classify;

/// A task found in the metrics.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct FoundTask {
    /// Task definition family.
    pub family: String,
    /// Task id.
    pub task_id: String,
}

/// Tasks with per-task Container Insights metrics in a cluster (optionally one family).
pub(crate) async fn discover(
    aws: &Aws,
    cluster: &str,
    family: Option<&str>,
) -> Result<Vec<FoundTask>> {
    let mut request = aws
        .cloudwatch
        .list_metrics()
        .namespace(NAMESPACE)
        .metric_name("CpuUtilized")
        .dimensions(
            DimensionFilter::builder()
                .name("ClusterName")
                .value(cluster)
                .build(),
        )
        .dimensions(DimensionFilter::builder().name("TaskId").build());
    if let Some(family) = family {
        request = request.dimensions(
            DimensionFilter::builder()
                .name("TaskDefinitionFamily")
                .value(family)
                .build(),
        );
    }
    let mut pages = request.into_paginator().send();
    let mut found = std::collections::BTreeSet::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| translate("cloudwatch:ListMetrics", e))?;
        for metric in page.metrics() {
            let dim = |name: &str| {
                metric
                    .dimensions()
                    .iter()
                    .find(|d| d.name() == Some(name))
                    .and_then(|d| d.value())
                    .map(String::from)
            };
            if let (Some(family), Some(task_id)) = (dim("TaskDefinitionFamily"), dim("TaskId")) {
                found.insert(FoundTask { family, task_id });
            }
        }
    }
    Ok(found.into_iter().collect())
}

/// What an import built, and the GetMetricData requests it took.
#[derive(Debug, Default)]
pub(crate) struct Imported {
    /// Runs with their samples.
    pub runs: Vec<(Run, Vec<Sample>)>,
    /// GetMetricData requests made.
    pub requests: usize,
    /// Things the user should know (e.g. the cluster no longer exists).
    pub notes: Vec<String>,
}

/// Container Insights metrics pulled per task, in this order (see [`TaskSeries`]).
const METRICS: [&str; 4] = [
    "CpuUtilized",
    "MemoryUtilized",
    "CpuReserved",
    "MemoryReserved",
];

/// Build runs for `tasks`: metrics over [since, now], DescribeTasks for what ECS remembers.
/// DescribeTasks does not show a task's public IP (its ENI details hold the private address
/// only), so `public_ip_of_job` says which jobs launch with `assign_public_ip = true`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn build(
    aws: &Aws,
    cluster: &str,
    tasks: &[FoundTask],
    job_for_family: &dyn Fn(&str) -> String,
    public_ip_of_job: &dyn Fn(&str) -> bool,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    prices: &RegionPrices,
) -> Result<Imported> {
    let queries = metric_queries(cluster, tasks);
    let (series, requests) = metrics::pull(&aws.cloudwatch, &queries, since, now, now).await?;
    let mut imported = Imported {
        requests,
        ..Imported::default()
    };
    let described = match describe(aws, cluster, tasks).await? {
        Some(described) => described,
        None => {
            imported.notes.push(format!(
                "cluster {cluster} no longer exists: runs imported from its Container Insights metrics alone (timing approximate, size from CpuReserved/MemoryReserved)"
            ));
            BTreeMap::new()
        }
    };
    for (index, found) in tasks.iter().enumerate() {
        let metrics = TaskSeries::of(&series, index);
        if metrics.cpu.points.is_empty() && metrics.memory.points.is_empty() {
            continue;
        }
        let task = described.get(&found.task_id);
        let reserved_cpu = reserved(metrics.cpu_reserved);
        let Some(size) = size_of(task, reserved_cpu, reserved(metrics.memory_reserved)) else {
            continue;
        };
        let job = job_for_family(&found.family);
        let source = Source {
            aws,
            cluster,
            found,
            task,
            public_ip: public_ip_of_job(&job),
            job,
        };
        let run = import_run(&source, &metrics, size, (since, now), prices)?;
        imported.runs.push(run);
    }
    Ok(imported)
}

/// One query per task and metric, task by task in [`METRICS`] order.
fn metric_queries(cluster: &str, tasks: &[FoundTask]) -> Vec<TaskMetric> {
    tasks
        .iter()
        .flat_map(|t| {
            METRICS.iter().map(move |m| TaskMetric {
                cluster: cluster.to_string(),
                family: t.family.clone(),
                task_id: t.task_id.clone(),
                metric: m.to_string(),
            })
        })
        .collect()
}

/// DescribeTasks for every task ECS still has, by task id. It takes up to 100 tasks a call;
/// tasks ECS no longer has come back as failures and are left out. `None` when the cluster
/// itself is gone (its metrics outlive it by months).
async fn describe(
    aws: &Aws,
    cluster: &str,
    tasks: &[FoundTask],
) -> Result<Option<BTreeMap<String, Task>>> {
    let mut described = BTreeMap::new();
    for chunk in tasks.chunks(100) {
        let response = aws
            .ecs
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(chunk.iter().map(|t| t.task_id.clone()).collect()))
            .send()
            .await;
        let response = match response {
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_cluster_not_found_exception()) =>
            {
                return Ok(None);
            }
            other => other.map_err(|e| translate("ecs:DescribeTasks", e))?,
        };
        for task in response.tasks() {
            if let Some(arn) = task.task_arn() {
                described.insert(crate::runner::ecs::task_id(arn), task.clone());
            }
        }
    }
    Ok(Some(described))
}

/// One task's metric series.
struct TaskSeries<'a> {
    cpu: &'a metrics::Series,
    memory: &'a metrics::Series,
    cpu_reserved: &'a metrics::Series,
    memory_reserved: &'a metrics::Series,
}

impl<'a> TaskSeries<'a> {
    /// The series of the `index`th task, as [`metric_queries`] asked for them.
    fn of(series: &'a [metrics::Series], index: usize) -> TaskSeries<'a> {
        let [cpu, memory, cpu_reserved, memory_reserved] =
            [0, 1, 2, 3].map(|k| &series[index * METRICS.len() + k]);
        TaskSeries {
            cpu,
            memory,
            cpu_reserved,
            memory_reserved,
        }
    }
}

/// Where one imported task comes from.
struct Source<'a> {
    aws: &'a Aws,
    cluster: &'a str,
    found: &'a FoundTask,
    /// What DescribeTasks returned, if ECS still had the task.
    task: Option<&'a Task>,
    /// The job its family maps to.
    job: String,
    /// That job launches with a public IP.
    public_ip: bool,
}

/// The highest value of a Reserved series (0 when empty).
fn reserved(series: &metrics::Series) -> f64 {
    series.points.iter().map(|p| p.1).fold(0.0, f64::max)
}

/// When a task ran: ECS's own times where it still has the task, else its metric points.
struct Timing {
    pull: Option<DateTime<Utc>>,
    billed_from: DateTime<Utc>,
    started_at: DateTime<Utc>,
    stopped_at: DateTime<Utc>,
    /// Both the pull start and the stop came from ECS.
    exact: bool,
}

fn timing(
    task: Option<&Task>,
    metrics: &TaskSeries<'_>,
    window: (DateTime<Utc>, DateTime<Utc>),
) -> Timing {
    let (since, now) = window;
    let points = || {
        metrics
            .cpu
            .points
            .iter()
            .chain(&metrics.memory.points)
            .map(|p| p.0)
    };
    let first = points().min().unwrap_or(since);
    let last = points().max().unwrap_or(now);
    let time = |t: Option<&aws_sdk_ecs::primitives::DateTime>| t.and_then(crate::aws::chrono_time);
    let pull = task.and_then(|t| time(t.pull_started_at()));
    let stopped = task.and_then(|t| time(t.stopped_at()));
    // Without ECS's times the run spans its metric points, the last one a full minute.
    Timing {
        pull,
        billed_from: pull.unwrap_or(first),
        started_at: task.and_then(|t| time(t.started_at())).unwrap_or(first),
        stopped_at: stopped.unwrap_or(last + chrono::Duration::minutes(1)),
        exact: pull.is_some() && stopped.is_some(),
    }
}

/// Exit code, stop reason and detail: ECS's for a stopped task it still has.
fn outcome(task: Option<&Task>) -> (Option<i32>, StopReason, String) {
    match task {
        Some(task) if task.last_status() == Some("STOPPED") => classify(task, None, None),
        _ => (
            None,
            StopReason::Completed,
            "outcome unknown: ECS no longer has the task; imported from its metrics".to_string(),
        ),
    }
}

/// The Fargate task as it ran: Spot when its capacity provider says so, ARM when its
/// attributes do; Linux with the free storage (what Container Insights tasks report).
fn fargate_task(task: Option<&Task>, size: Size, public_ip: bool) -> FargateTask {
    let capacity = if task.and_then(|t| t.capacity_provider_name()) == Some("FARGATE_SPOT") {
        Capacity::Spot
    } else {
        Capacity::OnDemand
    };
    let arch = match task
        .and_then(|t| {
            t.attributes()
                .iter()
                .find(|a| a.name() == "ecs.cpu-architecture")
        })
        .and_then(|a| a.value())
    {
        Some("arm64") => Arch::Arm64,
        _ => Arch::X86_64,
    };
    FargateTask {
        size,
        os: Os::Linux,
        arch,
        capacity,
        ephemeral_storage_gib: 20,
        public_ip,
    }
}

/// Price and record one task as a run with its samples.
fn import_run(
    source: &Source<'_>,
    metrics: &TaskSeries<'_>,
    size: Size,
    window: (DateTime<Utc>, DateTime<Utc>),
    prices: &RegionPrices,
) -> Result<(Run, Vec<Sample>)> {
    let Source {
        aws,
        cluster,
        found,
        task,
        ..
    } = *source;
    let timing = timing(task, metrics, window);
    let (exit_code, stop_reason, stop_detail) = outcome(task);
    let samples = metrics::samples(metrics.cpu, metrics.memory, timing.started_at);
    let wall = (timing.stopped_at - timing.billed_from)
        .to_std()
        .unwrap_or(Duration::ZERO);
    let fargate = fargate_task(task, size, source.public_ip);
    let priced = price::task(&aws.region, prices, &fargate, wall)?;
    let mut notes = vec![format!("imported from ECS cluster {cluster}")];
    if !timing.exact {
        notes.push("approximate: timing from the task's first and last Container Insights points (ECS no longer had the task)".into());
    }
    let facts = RunFacts {
        id: format!("ecs-{}", found.task_id),
        job: source.job.clone(),
        backend: Backend::Ecs,
        task: fargate,
        region: aws.region.clone(),
        created_at: timing.billed_from,
        pull_started_at: timing.pull,
        pull_stopped_at: task.and_then(|t| t.pull_stopped_at().and_then(crate::aws::chrono_time)),
        started_at: timing.started_at,
        stopped_at: timing.stopped_at,
        wall,
        exit_code,
        stop_reason,
        stop_detail,
        cpu_mean: None,
        kernel_peak_mib: None,
        sample_interval_ms: 60_000,
        limits: Limits::fargate(),
        launched: vec![found.task_id.clone()],
        notes,
        result: None,
    };
    let run = Run::record(facts, &samples, priced.billed());
    Ok((run, samples))
}

/// The task's size: from ECS (overrides first) or from the Reserved metrics.
fn size_of(task: Option<&Task>, cpu_reserved: f64, memory_reserved_mb: f64) -> Option<Size> {
    let parse = |s: Option<&str>| s.and_then(|v| v.parse::<u32>().ok());
    if let Some(task) = task {
        let overrides = task.overrides();
        let cpu = parse(overrides.and_then(|o| o.cpu())).or(parse(task.cpu()));
        let memory = parse(overrides.and_then(|o| o.memory())).or(parse(task.memory()));
        if let (Some(cpu), Some(memory)) = (cpu, memory)
            && let Ok(size) = Size::new(cpu, memory, Os::Linux)
        {
            return Some(size);
        }
    }
    if cpu_reserved <= 0.0 || memory_reserved_mb <= 0.0 {
        return None;
    }
    let cpu = cpu_reserved.round() as u32;
    // Reserved memory is the task's MiB figure labelled Megabytes; fall back to converting.
    Size::new(cpu, memory_reserved_mb.round() as u32, Os::Linux)
        .ok()
        .or_else(|| {
            Size::smallest_covering(
                cpu,
                (memory_reserved_mb * MIB_PER_MB).round() as u32,
                Os::Linux,
            )
        })
}
