//! `import glue`: Glue jobs (GetJobs) and their runs (GetJobRuns), both through the SDK's
//! paginators, as plain values; [`super::glue_run`] turns them into run records.

use aws_sdk_glue::types::{Job, JobRun};
use chrono::{DateTime, Utc};

use crate::aws::Aws;
use crate::aws::error::translate;
use crate::error::{Error, Result};

/// A Glue job as GetJobs describes it: what its runs inherit when they do not say.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct GlueJob {
    /// Job name.
    pub name: String,
    /// Command type: glueetl, gluestreaming, pythonshell or glueray (glueetl when absent).
    pub command: String,
    /// WorkerType ("G.1X", "Standard", ...).
    pub worker_type: Option<String>,
    /// NumberOfWorkers.
    pub workers: Option<i32>,
    /// MaxCapacity (DPUs; a Python shell's 0.0625 or 1).
    pub max_capacity: Option<f64>,
    /// GlueVersion.
    pub version: Option<String>,
    /// ExecutionClass ("STANDARD" or "FLEX").
    pub execution_class: Option<String>,
}

/// One job run as GetJobRuns reports it (reference §8).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct GlueJobRun {
    /// JobRun Id.
    pub id: String,
    /// JobRunState, as Glue writes it.
    pub state: String,
    /// StartedOn.
    pub started_on: Option<DateTime<Utc>>,
    /// CompletedOn.
    pub completed_on: Option<DateTime<Utc>>,
    /// ExecutionTime, seconds ("the amount of time that the job run consumed resources").
    pub execution_time: i32,
    /// WorkerType.
    pub worker_type: Option<String>,
    /// NumberOfWorkers.
    pub workers: Option<i32>,
    /// MaxCapacity.
    pub max_capacity: Option<f64>,
    /// GlueVersion.
    pub version: Option<String>,
    /// ExecutionClass.
    pub execution_class: Option<String>,
    /// DPUSeconds (Flex and auto-scaling runs only).
    pub dpu_seconds: Option<f64>,
    /// ErrorMessage, for failed runs.
    pub error_message: Option<String>,
}

/// How many job names an unknown `--job` error lists.
const NAMES_SHOWN: usize = 5;

/// Every Glue job in the region (GetJobs, all pages).
pub(crate) async fn jobs(aws: &Aws) -> Result<Vec<GlueJob>> {
    // The API's largest pages (GetJobs 1000, GetJobRuns 200): fewest requests.
    let mut pages = aws
        .glue
        .get_jobs()
        .max_results(1000)
        .into_paginator()
        .send();
    let mut jobs = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| translate("glue:GetJobs", e))?;
        jobs.extend(page.jobs().iter().filter_map(job));
    }
    jobs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(jobs)
}

fn job(job: &Job) -> Option<GlueJob> {
    Some(GlueJob {
        name: job.name()?.to_string(),
        command: job
            .command()
            .and_then(|c| c.name())
            .unwrap_or("glueetl")
            .to_string(),
        worker_type: job.worker_type().map(|w| w.as_str().to_string()),
        workers: job.number_of_workers(),
        max_capacity: job.max_capacity(),
        version: job.glue_version().map(String::from),
        execution_class: job.execution_class().map(|c| c.as_str().to_string()),
    })
}

/// The jobs named by `--job` (all jobs when none is named). A name Glue does not have is
/// bad input: the error lists the first few jobs that do exist.
pub(crate) fn select(all: Vec<GlueJob>, wanted: &[String]) -> Result<Vec<GlueJob>> {
    if wanted.is_empty() {
        return Ok(all);
    }
    if let Some(missing) = wanted.iter().find(|w| !all.iter().any(|j| &j.name == *w)) {
        let names: Vec<&str> = all
            .iter()
            .take(NAMES_SHOWN)
            .map(|j| j.name.as_str())
            .collect();
        let existing = match (names.is_empty(), all.len() > NAMES_SHOWN) {
            (true, _) => "there are no Glue jobs in this region".to_string(),
            (false, false) => format!("Glue jobs here: {}", names.join(", ")),
            (false, true) => format!(
                "Glue jobs here: {}, … ({} in all)",
                names.join(", "),
                all.len()
            ),
        };
        return Err(Error::invalid(
            "--job",
            format!("no Glue job named `{missing}`; {existing}"),
        ));
    }
    Ok(all
        .into_iter()
        .filter(|j| wanted.contains(&j.name))
        .collect())
}

/// The runs of `job` started at or after `since` (GetJobRuns, newest first: paging stops at
/// the first page that reaches back past `since`).
pub(crate) async fn runs(aws: &Aws, job: &str, since: DateTime<Utc>) -> Result<Vec<GlueJobRun>> {
    let mut pages = aws
        .glue
        .get_job_runs()
        .job_name(job)
        .max_results(200)
        .into_paginator()
        .send();
    let mut runs = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| translate("glue:GetJobRuns", e))?;
        let page: Vec<GlueJobRun> = page.job_runs().iter().filter_map(job_run).collect();
        if !keep_since(page, since, &mut runs) {
            break;
        }
    }
    Ok(runs)
}

/// Add a page's runs started at or after `since` (or with no start time, which the record
/// then refuses by name) to `runs`; false once the page reaches back past `since`, so no
/// older page is asked for (pages come newest first).
fn keep_since(page: Vec<GlueJobRun>, since: DateTime<Utc>, runs: &mut Vec<GlueJobRun>) -> bool {
    let mut newer_only = true;
    for run in page {
        match run.started_on {
            Some(started) if started < since => newer_only = false,
            _ => runs.push(run),
        }
    }
    newer_only
}

fn job_run(run: &JobRun) -> Option<GlueJobRun> {
    let time = |t: Option<&aws_sdk_glue::primitives::DateTime>| t.and_then(crate::aws::chrono_time);
    Some(GlueJobRun {
        id: run.id()?.to_string(),
        state: run
            .job_run_state()
            .map_or("UNKNOWN", |s| s.as_str())
            .to_string(),
        started_on: time(run.started_on()),
        completed_on: time(run.completed_on()),
        execution_time: run.execution_time(),
        worker_type: run.worker_type().map(|w| w.as_str().to_string()),
        workers: run.number_of_workers(),
        max_capacity: run.max_capacity(),
        version: run.glue_version().map(String::from),
        execution_class: run.execution_class().map(|c| c.as_str().to_string()),
        dpu_seconds: run.dpu_seconds(),
        error_message: run.error_message().map(String::from),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(names: &[&str]) -> Vec<GlueJob> {
        names
            .iter()
            .map(|n| GlueJob {
                name: n.to_string(),
                ..GlueJob::default()
            })
            .collect()
    }

    #[test]
    fn paging_stops_at_the_first_page_reaching_past_the_window() {
        let at = |hours: i64| GlueJobRun {
            id: format!("jr_{hours}"),
            started_on: DateTime::from_timestamp(1_790_000_000 + hours * 3600, 0),
            ..GlueJobRun::default()
        };
        let since = DateTime::from_timestamp(1_790_000_000 + 10 * 3600, 0).unwrap();
        let mut runs = Vec::new();
        // Newest first: a page all inside the window asks for the next one.
        assert!(keep_since(vec![at(30), at(20)], since, &mut runs));
        // One run before `since` ends the paging; the page's newer runs are kept.
        assert!(!keep_since(vec![at(15), at(5), at(1)], since, &mut runs));
        let ids: Vec<&str> = runs.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["jr_30", "jr_20", "jr_15"]);
        // A run without a start time is kept, for the record to refuse by name.
        let no_start = GlueJobRun::default();
        assert!(keep_since(vec![no_start], since, &mut runs));
        assert_eq!(runs.len(), 4);
    }

    #[test]
    fn an_unknown_job_names_the_first_jobs_that_exist() {
        let all = named(&["a", "b", "c", "d", "e", "f", "g"]);
        let err = select(all.clone(), &["nope".into()]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert_eq!(
            err.to_string(),
            "--job: no Glue job named `nope`; Glue jobs here: a, b, c, d, e, … (7 in all)"
        );
        let err = select(named(&[]), &["x".into()]).unwrap_err().to_string();
        assert!(
            err.ends_with("there are no Glue jobs in this region"),
            "{err}"
        );
        let picked = select(all, &["c".into(), "a".into()]).unwrap();
        let names: Vec<&str> = picked.iter().map(|j| j.name.as_str()).collect();
        assert_eq!(names, ["a", "c"]);
    }
}
