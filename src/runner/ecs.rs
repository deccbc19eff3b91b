//! The ECS backend: launch the job as a Fargate task (RunTask with cpu/memory overrides, or
//! FARGATE_SPOT), wait for it to stop with a bounded, backing-off poll (StopTask on Ctrl-C or
//! timeout), read how it ended, and pull its Container Insights metrics.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_ecs::operation::run_task::builders::RunTaskFluentBuilder;
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, CapacityProviderStrategyItem, ContainerOverride,
    LaunchType, NetworkConfiguration, Task, TaskDefinition, TaskOverride, TaskStopCode,
};
use chrono::{DateTime, Utc};

use crate::aws::Aws;
use crate::aws::error::translate;
use crate::aws::metrics::{self, TaskMetric};
use crate::error::{Error, Result};
use crate::model::job::EcsSettings;
use crate::model::run::{Sample, StopReason};
use crate::model::size::{Capacity, Size};

/// First and longest wait between DescribeTasks polls.
const POLL_FIRST: Duration = Duration::from_secs(2);
const POLL_MAX: Duration = Duration::from_secs(15);
/// Default bound on waiting when the run has no --timeout.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(12 * 3600);

/// What to launch.
#[derive(Debug, Clone)]
pub struct EcsRequest {
    /// Job name.
    pub job: String,
    /// Launch settings from the config.
    pub settings: EcsSettings,
    /// Size to run at.
    pub size: Size,
    /// On-demand or Spot.
    pub capacity: Capacity,
    /// Command override for the container.
    pub command: Option<Vec<String>>,
    /// Stop the task after this long.
    pub timeout: Option<Duration>,
    /// Set by Ctrl-C/SIGTERM.
    pub stop: Arc<AtomicBool>,
}

/// How the task ran.
#[derive(Debug, Clone)]
pub struct EcsOutcome {
    /// Task ARN.
    pub task_arn: String,
    /// Task id.
    pub task_id: String,
    /// Task definition family.
    pub family: String,
    /// Cluster name.
    pub cluster: String,
    /// Start of the billed window (pullStartedAt, else an observed time).
    pub billed_from: DateTime<Utc>,
    /// When it started running.
    pub started_at: DateTime<Utc>,
    /// When it stopped.
    pub stopped_at: DateTime<Utc>,
    /// ECS gave pullStartedAt and stoppedAt (else our own observed times were used).
    pub exact_times: bool,
    /// pullStartedAt as ECS reported it.
    pub pull_started_at: Option<DateTime<Utc>>,
    /// pullStoppedAt as ECS reported it (the pull's end, reference 7).
    pub pull_stopped_at: Option<DateTime<Utc>>,
    /// Container exit code.
    pub exit_code: Option<i32>,
    /// How it ended.
    pub stop_reason: StopReason,
    /// stopCode / stoppedReason / container reason.
    pub stop_detail: String,
}

fn time(t: Option<&aws_sdk_ecs::primitives::DateTime>) -> Option<DateTime<Utc>> {
    t.and_then(crate::aws::chrono_time)
}

/// The last part of a task ARN.
pub fn task_id(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_string()
}

fn cluster_name(cluster: &str) -> String {
    cluster.rsplit('/').next().unwrap_or(cluster).to_string()
}

/// Classify a stopped task like the local runner does.
pub fn classify(
    task: &Task,
    container: Option<&str>,
    we_stopped: Option<StopReason>,
) -> (Option<i32>, StopReason, String) {
    let chosen = task
        .containers()
        .iter()
        .find(|c| container.is_none_or(|name| c.name() == Some(name)))
        .or_else(|| task.containers().first());
    let exit_code = chosen.and_then(|c| c.exit_code());
    let container_reason = chosen.and_then(|c| c.reason()).unwrap_or("");
    let stop_code = task.stop_code();
    let detail = [
        stop_code
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
        task.stopped_reason().unwrap_or("").to_string(),
        container_reason.to_string(),
        exit_code
            .map(|c| format!("exit code {c}"))
            .unwrap_or_default(),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join("; ");
    let reason = if let Some(reason) = we_stopped {
        reason
    } else if stop_code == Some(&TaskStopCode::SpotInterruption) {
        StopReason::SpotInterruption
    } else if container_reason.contains("OutOfMemory") || exit_code == Some(137) {
        StopReason::Oom
    } else if exit_code == Some(0) {
        StopReason::Completed
    } else {
        StopReason::Failed
    };
    (exit_code, reason, detail)
}

/// Launch, wait, classify. `progress` is called with the task's status after each poll.
pub async fn run(
    aws: &Aws,
    request: &EcsRequest,
    progress: &mut dyn FnMut(&str, Duration),
) -> Result<EcsOutcome> {
    let target = resolve(aws, request).await?;
    let run_task = run_task(aws, request, &target)?;
    let launched_at = Utc::now();
    let launched = Instant::now();
    let task_arn = launch(run_task).await?;
    let (task, we_stopped) =
        wait_stopped(aws, request, &target.cluster, &task_arn, launched, progress).await?;
    Ok(outcome(&task, task_arn, &target, we_stopped, launched_at))
}

/// Where and what to launch, resolved from `[jobs.ecs]` and the task definition.
struct Target {
    cluster: String,
    task_definition: String,
    family: String,
    /// The container whose command and exit code count.
    container: Option<String>,
    overrides: TaskOverride,
}

/// Check the settings RunTask needs and read the task definition (its family, its first
/// container, and whether the size differs from it).
async fn resolve(aws: &Aws, request: &EcsRequest) -> Result<Target> {
    let s = &request.settings;
    let missing = |field: &str| {
        Error::invalid(
            format!("ecs.{field}"),
            format!(
                "job `{}` needs [jobs.ecs] {field} to run on ECS",
                request.job
            ),
        )
    };
    let cluster = s.cluster.clone().ok_or_else(|| missing("cluster"))?;
    let task_definition = s
        .task_definition
        .clone()
        .ok_or_else(|| missing("task_definition"))?;
    let described = aws
        .ecs
        .describe_task_definition()
        .task_definition(&task_definition)
        .send()
        .await
        .map_err(|e| translate("ecs:DescribeTaskDefinition", e))?;
    let definition = described
        .task_definition()
        .ok_or_else(|| Error::Aws(format!("task definition {task_definition} not found")))?;
    let family = definition.family().unwrap_or(&task_definition).to_string();
    let container = s.container.clone().or_else(|| {
        definition
            .container_definitions()
            .first()
            .and_then(|c| c.name().map(String::from))
    });
    let overrides = overrides(request, definition, container.as_deref());
    Ok(Target {
        cluster,
        task_definition,
        family,
        container,
        overrides,
    })
}

/// Override only what differs from the task definition: the size, and the command.
fn overrides(
    request: &EcsRequest,
    definition: &TaskDefinition,
    container: Option<&str>,
) -> TaskOverride {
    let cpu = request.size.cpu_units().to_string();
    let memory = request.size.memory_mib().to_string();
    let mut overrides = TaskOverride::builder();
    if definition.cpu() != Some(cpu.as_str()) || definition.memory() != Some(memory.as_str()) {
        overrides = overrides.cpu(cpu).memory(memory);
    }
    if let (Some(command), Some(name)) = (&request.command, container) {
        overrides = overrides.container_overrides(
            ContainerOverride::builder()
                .name(name)
                .set_command(Some(command.clone()))
                .build(),
        );
    }
    overrides.build()
}

/// The RunTask request: one task, on Fargate or FARGATE_SPOT, in the job's subnets.
fn run_task(aws: &Aws, request: &EcsRequest, target: &Target) -> Result<RunTaskFluentBuilder> {
    let s = &request.settings;
    let network = AwsVpcConfiguration::builder()
        .set_subnets(s.subnets.clone())
        .set_security_groups(s.security_groups.clone())
        .assign_public_ip(if s.assign_public_ip.unwrap_or(false) {
            AssignPublicIp::Enabled
        } else {
            AssignPublicIp::Disabled
        })
        .build()
        .map_err(|e| Error::invalid("ecs.subnets", format!("job `{}`: {e}", request.job)))?;
    let run_task = aws
        .ecs
        .run_task()
        .cluster(&target.cluster)
        .task_definition(&target.task_definition)
        .count(1)
        .started_by("fargate-cost")
        .overrides(target.overrides.clone())
        .network_configuration(
            NetworkConfiguration::builder()
                .awsvpc_configuration(network)
                .build(),
        )
        .set_platform_version(s.platform_version.clone());
    Ok(match request.capacity {
        Capacity::OnDemand => run_task.launch_type(LaunchType::Fargate),
        // With a capacity provider strategy, launchType must be omitted.
        Capacity::Spot => run_task.capacity_provider_strategy(
            CapacityProviderStrategyItem::builder()
                .capacity_provider("FARGATE_SPOT")
                .weight(1)
                .build()
                .map_err(|e| Error::Aws(e.to_string()))?,
        ),
    })
}

/// Send RunTask; the launched task's ARN.
async fn launch(run_task: RunTaskFluentBuilder) -> Result<String> {
    let response = run_task
        .send()
        .await
        .map_err(|e| translate("ecs:RunTask", e))?;
    if let Some(failure) = response.failures().first() {
        return Err(Error::Aws(format!(
            "ecs:RunTask failed: {} {}",
            failure.reason().unwrap_or("unknown reason"),
            failure.detail().unwrap_or("")
        )));
    }
    Ok(response
        .tasks()
        .first()
        .and_then(|t| t.task_arn())
        .ok_or_else(|| Error::Aws("ecs:RunTask returned no task".into()))?
        .to_string())
}

/// Poll DescribeTasks, backing off from [`POLL_FIRST`] to [`POLL_MAX`], until the task is
/// STOPPED; send StopTask on Ctrl-C/SIGTERM or at the timeout (else [`DEFAULT_WAIT`]), and
/// give up 2 minutes after it. The stopped task, and why we stopped it if we did.
async fn wait_stopped(
    aws: &Aws,
    request: &EcsRequest,
    cluster: &str,
    task_arn: &str,
    launched: Instant,
    progress: &mut dyn FnMut(&str, Duration),
) -> Result<(Task, Option<StopReason>)> {
    let bound = request.timeout.unwrap_or(DEFAULT_WAIT);
    let mut wait = POLL_FIRST;
    let mut stopping: Option<(StopReason, Instant)> = None;
    loop {
        let task = describe(aws, cluster, task_arn).await?;
        let status = task
            .as_ref()
            .and_then(|t| t.last_status())
            .unwrap_or("MISSING")
            .to_string();
        progress(&status, launched.elapsed());
        if status == "STOPPED" {
            let task = task.ok_or_else(|| Error::Aws("task vanished".into()))?;
            return Ok((task, stopping.map(|(reason, _)| reason)));
        }
        match stopping {
            None => {
                if let Some(reason) = stop_due(request, launched, bound) {
                    stop(aws, cluster, task_arn, reason).await?;
                    stopping = Some((reason, Instant::now()));
                    wait = POLL_FIRST;
                }
            }
            Some((_, sent)) if sent.elapsed() > Duration::from_secs(120) => {
                return Err(Error::Aws(format!(
                    "task {task_arn} did not stop within 2 minutes of StopTask"
                )));
            }
            Some(_) => {}
        }
        pause(request, wait, stopping.is_some()).await;
        wait = (wait * 2).min(POLL_MAX);
    }
}

/// The task as DescribeTasks sees it now (None when ECS no longer knows it).
async fn describe(aws: &Aws, cluster: &str, task_arn: &str) -> Result<Option<Task>> {
    let described = aws
        .ecs
        .describe_tasks()
        .cluster(cluster)
        .tasks(task_arn)
        .send()
        .await
        .map_err(|e| translate("ecs:DescribeTasks", e))?;
    Ok(described.tasks().first().cloned())
}

/// Whether to stop the task now: Ctrl-C/SIGTERM, or the wait bound reached.
fn stop_due(request: &EcsRequest, launched: Instant, bound: Duration) -> Option<StopReason> {
    if request.stop.load(Ordering::SeqCst) {
        Some(StopReason::Interrupted)
    } else if launched.elapsed() >= bound {
        Some(StopReason::Timeout)
    } else {
        None
    }
}

/// StopTask, saying why.
async fn stop(aws: &Aws, cluster: &str, task_arn: &str, reason: StopReason) -> Result<()> {
    aws.ecs
        .stop_task()
        .cluster(cluster)
        .task(task_arn)
        .reason(format!("fargate-cost: {reason}"))
        .send()
        .await
        .map_err(|e| translate("ecs:StopTask", e))?;
    Ok(())
}

/// Wait `wait` before the next poll, in short steps so Ctrl-C is noticed promptly (until
/// StopTask has been sent; then the whole wait).
async fn pause(request: &EcsRequest, wait: Duration, stop_sent: bool) {
    let until = Instant::now() + wait;
    while Instant::now() < until && (stop_sent || !request.stop.load(Ordering::SeqCst)) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The outcome of a stopped task: how it ended, and its billed window from ECS's times
/// (pullStartedAt to stoppedAt), else from our own observations.
fn outcome(
    task: &Task,
    task_arn: String,
    target: &Target,
    we_stopped: Option<StopReason>,
    launched_at: DateTime<Utc>,
) -> EcsOutcome {
    let observed_stop = Utc::now();
    let (exit_code, stop_reason, stop_detail) =
        classify(task, target.container.as_deref(), we_stopped);
    let pull_started_at = time(task.pull_started_at());
    let stopped = time(task.stopped_at());
    EcsOutcome {
        task_id: task_id(&task_arn),
        task_arn,
        family: target.family.clone(),
        cluster: cluster_name(&target.cluster),
        billed_from: pull_started_at.unwrap_or(launched_at),
        started_at: time(task.started_at())
            .or(pull_started_at)
            .unwrap_or(launched_at),
        stopped_at: stopped.unwrap_or(observed_stop),
        exact_times: pull_started_at.is_some() && stopped.is_some(),
        pull_started_at,
        pull_stopped_at: time(task.pull_stopped_at()),
        exit_code,
        stop_reason,
        stop_detail,
    }
}

/// CpuUtilized and MemoryUtilized of a task as samples (empty when Container Insights has no
/// per-task data), with the number of GetMetricData requests.
pub async fn task_samples(aws: &Aws, outcome: &EcsOutcome) -> Result<(Vec<Sample>, usize)> {
    let metric = |name: &str| TaskMetric {
        cluster: outcome.cluster.clone(),
        family: outcome.family.clone(),
        task_id: outcome.task_id.clone(),
        metric: name.into(),
    };
    let queries = [metric("CpuUtilized"), metric("MemoryUtilized")];
    let start = outcome.started_at - chrono::Duration::minutes(1);
    let end = outcome.stopped_at + chrono::Duration::minutes(2);
    let (series, requests) =
        metrics::pull(&aws.cloudwatch, &queries, start, end, Utc::now()).await?;
    Ok((
        metrics::samples(&series[0], &series[1], outcome.started_at),
        requests,
    ))
}
