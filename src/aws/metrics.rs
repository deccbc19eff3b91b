//! Container Insights metrics for ECS tasks: GetMetricData packed as full as the API allows
//! (500 queries and 100,800 data points per request), NextToken followed, periods that obey
//! CloudWatch's rules for older data, and the conversion to the [`Sample`] model.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::primitives::DateTime as AwsDateTime;
use aws_sdk_cloudwatch::types::{
    Dimension, Metric, MetricDataQuery, MetricDataResult, MetricStat, ScanBy,
};
use chrono::{DateTime, Utc};

use crate::aws::error::translate;
use crate::error::Result;
use crate::model::run::Sample;

/// Namespace of Container Insights.
pub const NAMESPACE: &str = "ECS/ContainerInsights";
/// Most queries in one GetMetricData request.
pub const MAX_QUERIES: usize = 500;
/// Most data points one GetMetricData request returns.
pub const MAX_POINTS: usize = 100_800;

/// One metric of one task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskMetric {
    /// Cluster name.
    pub cluster: String,
    /// Task definition family.
    pub family: String,
    /// Task id (last part of the ARN).
    pub task_id: String,
    /// Metric name, e.g. CpuUtilized.
    pub metric: String,
}

/// A time series returned for one query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    /// (time, value), sorted by time.
    pub points: Vec<(DateTime<Utc>, f64)>,
}

/// The period GetMetricData needs for data starting at `start` (CloudWatch keeps 1-minute
/// data 15 days, 5-minute data 63 days, then hourly).
pub fn period_for(start: DateTime<Utc>, now: DateTime<Utc>) -> i32 {
    let age = now - start;
    if age > chrono::Duration::days(63) {
        3600
    } else if age > chrono::Duration::days(15) {
        300
    } else {
        60
    }
}

/// How many queries fit in one request for a window: 500, fewer when each returns many
/// points (the 100,800-point cap).
pub fn queries_per_request(start: DateTime<Utc>, end: DateTime<Utc>, period: i32) -> usize {
    let points = ((end - start).num_seconds().max(1) as usize).div_ceil(period.max(1) as usize);
    (MAX_POINTS / points.max(1)).clamp(1, MAX_QUERIES)
}

fn aws_time(t: DateTime<Utc>) -> AwsDateTime {
    AwsDateTime::from_secs(t.timestamp())
}

fn chrono_time(t: &AwsDateTime) -> DateTime<Utc> {
    crate::aws::chrono_time(t).unwrap_or_default()
}

/// The statistic a metric is pulled with. Memory: `Maximum`, since a peak must not be
/// averaged away (250, 300 and 280 MiB within one minute are a peak of 300, where
/// `Average` says 276.67); everything else `Average` (CPU percentiles are over the
/// minutes). Still a 1-minute value: spikes shorter than the agent's reports stay unseen.
pub fn statistic_of(metric: &str) -> &'static str {
    if metric == "MemoryUtilized" {
        "Maximum"
    } else {
        "Average"
    }
}

/// Pull every metric (each with [`statistic_of`]) over [start, end) and return the series
/// by index of `metrics`, with the number of GetMetricData requests made.
pub async fn pull(
    client: &aws_sdk_cloudwatch::Client,
    metrics: &[TaskMetric],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(Vec<Series>, usize)> {
    let period = period_for(start, now);
    let start = period_start(start, period);
    let per_request = queries_per_request(start, end, period);
    let mut series = vec![Series::default(); metrics.len()];
    let mut requests = 0;
    for (chunk_index, chunk) in metrics.chunks(per_request).enumerate() {
        // Ids are the metric's index in `metrics`, so results land in their series.
        let queries: Vec<MetricDataQuery> = chunk
            .iter()
            .enumerate()
            .map(|(i, m)| query(m, chunk_index * per_request + i, period))
            .collect();
        requests += pull_pages(client, queries, (start, end), &mut series).await?;
    }
    for s in &mut series {
        s.points.sort_by_key(|p| p.0);
        s.points.dedup_by_key(|p| p.0);
    }
    Ok((series, requests))
}

/// `start` rounded down to a period boundary, as CloudWatch rounds it anyway.
fn period_start(start: DateTime<Utc>, period: i32) -> DateTime<Utc> {
    DateTime::from_timestamp(
        start.timestamp() - start.timestamp().rem_euclid(i64::from(period)),
        0,
    )
    .unwrap_or(start)
}

/// The query for one task metric, with id `q{index}`.
fn query(m: &TaskMetric, index: usize, period: i32) -> MetricDataQuery {
    let dimension = |name: &str, value: &str| Dimension::builder().name(name).value(value).build();
    let metric = Metric::builder()
        .namespace(NAMESPACE)
        .metric_name(&m.metric)
        .dimensions(dimension("ClusterName", &m.cluster))
        .dimensions(dimension("TaskDefinitionFamily", &m.family))
        .dimensions(dimension("TaskId", &m.task_id))
        .build();
    MetricDataQuery::builder()
        .id(format!("q{index}"))
        .metric_stat(
            MetricStat::builder()
                .metric(metric)
                .period(period)
                .stat(statistic_of(&m.metric))
                .build(),
        )
        .return_data(true)
        .build()
}

/// One GetMetricData request for `queries`, following NextToken to the last page; the
/// points go to the series their query id names. Returns the requests made.
async fn pull_pages(
    client: &aws_sdk_cloudwatch::Client,
    queries: Vec<MetricDataQuery>,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    series: &mut [Series],
) -> Result<usize> {
    let mut requests = 0;
    let mut token: Option<String> = None;
    loop {
        let response = client
            .get_metric_data()
            .set_metric_data_queries(Some(queries.clone()))
            .start_time(aws_time(start))
            .end_time(aws_time(end))
            .scan_by(ScanBy::TimestampAscending)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| translate("cloudwatch:GetMetricData", e))?;
        requests += 1;
        for result in response.metric_data_results() {
            add_points(result, series);
        }
        token = response.next_token().map(String::from);
        if token.is_none() {
            return Ok(requests);
        }
    }
}

/// Append one result's points to the series its id (`q{index}`) names; other ids are ignored.
fn add_points(result: &MetricDataResult, series: &mut [Series]) {
    let Some(index) = result
        .id()
        .and_then(|id| id.strip_prefix('q'))
        .and_then(|n| n.parse::<usize>().ok())
    else {
        return;
    };
    if let Some(target) = series.get_mut(index) {
        target.points.extend(
            result
                .timestamps()
                .iter()
                .map(chrono_time)
                .zip(result.values().iter().copied()),
        );
    }
}

/// MB as Container Insights reports memory → MiB (10^6 / 2^20).
pub const MIB_PER_MB: f64 = 1_000_000.0 / 1_048_576.0;

/// Join CpuUtilized (CPU units) and MemoryUtilized (MB) series into samples (vCPU, MiB),
/// offsets from `started`.
pub fn samples(cpu: &Series, memory: &Series, started: DateTime<Utc>) -> Vec<Sample> {
    let mut by_time: BTreeMap<DateTime<Utc>, (Option<f64>, Option<f64>)> = BTreeMap::new();
    for (t, v) in &cpu.points {
        by_time.entry(*t).or_default().0 = Some(*v);
    }
    for (t, v) in &memory.points {
        by_time.entry(*t).or_default().1 = Some(*v);
    }
    by_time
        .into_iter()
        .map(|(t, (c, m))| Sample {
            offset_ms: (t - started).num_milliseconds().max(0) as u64,
            cpu_vcpu: c.unwrap_or(0.0) / 1024.0,
            memory_mib: m.unwrap_or(0.0) * MIB_PER_MB,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn requests_are_packed_to_the_api_limits() {
        let start = Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap();
        // A 2-hour task at 60 s: 120 points a query → 500 queries (60,000 points) fit.
        assert_eq!(
            queries_per_request(start, start + chrono::Duration::hours(2), 60),
            500
        );
        // 14 days at 60 s: 20,160 points a query → 5 queries (100,800 points) a request.
        assert_eq!(
            queries_per_request(start, start + chrono::Duration::days(14), 60),
            5
        );
    }

    #[test]
    fn periods_follow_the_retention_rules() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap();
        assert_eq!(period_for(now - chrono::Duration::days(2), now), 60);
        assert_eq!(period_for(now - chrono::Duration::days(20), now), 300);
        assert_eq!(period_for(now - chrono::Duration::days(90), now), 3600);
    }
}
