//! `fargate-cost import ecs`: record runs for ECS tasks the tool did not launch.

use chrono::Utc;

use super::prices_in_use;
use crate::aws::import;
use crate::cli::ImportEcsArgs;
use crate::model::job::Config;
use crate::model::run::Run;
use crate::printer::Printer;
use crate::report;
use crate::report::rows::RunRow;
use crate::settings::GlobalSettings;

/// Run `import ecs`.
pub(crate) fn import_ecs(
    settings: &GlobalSettings,
    args: &ImportEcsArgs,
    printer: &Printer,
) -> anyhow::Result<()> {
    // Jobs whose task definition names the family get the runs; other families keep theirs.
    let config = if settings.config.exists() {
        Some(Config::load(&settings.config)?)
    } else {
        None
    };
    let job_for_family = |family: &str| -> String {
        config
            .as_ref()
            .and_then(|c| {
                c.jobs.iter().find(|j| {
                    j.ecs
                        .as_ref()
                        .and_then(|e| e.task_definition.as_deref())
                        .map(|td| {
                            td.rsplit('/')
                                .next()
                                .unwrap_or(td)
                                .split(':')
                                .next()
                                .unwrap_or(td)
                        })
                        == Some(family)
                })
            })
            .map_or_else(|| family.to_string(), |j| j.name.clone())
    };
    let public_ip_of_job = |job: &str| {
        let job = config
            .as_ref()
            .and_then(|c| c.jobs.iter().find(|j| j.name == job));
        job.is_some_and(|j| j.public_ip())
    };
    let runtime = crate::aws::runtime()?;
    let aws = settings.connect_aws(&runtime, None)?;
    let book = prices_in_use(settings, printer, std::slice::from_ref(&aws.region))?;
    let prices = book.region(&aws.region)?;
    let now = Utc::now();
    let since = now - chrono::Duration::from_std(args.since)?;
    let tasks = runtime.block_on(import::discover(
        &aws,
        &args.cluster,
        args.family.as_deref(),
    ))?;
    printer.note(&format!(
        "found {} task(s) with Container Insights metrics in {}",
        tasks.len(),
        args.cluster
    ));
    let imported = runtime.block_on(import::build(
        &aws,
        &args.cluster,
        &tasks,
        &job_for_family,
        &public_ip_of_job,
        since,
        now,
        prices,
    ))?;
    imported.notes.iter().for_each(|note| printer.warn(note));
    let store = settings.open_store()?;
    let mut new_runs: Vec<Run> = Vec::new();
    let mut already = 0;
    for (run, samples) in imported.runs {
        if store.contains(&run.job, &run.id) {
            already += 1;
            continue;
        }
        store.write(&run, &samples)?;
        new_runs.push(run);
    }
    printer.note(&format!(
        "imported {} run(s), {already} already recorded, with {} GetMetricData request(s)",
        new_runs.len(),
        imported.requests
    ));
    let rows: Vec<_> = new_runs.iter().map(RunRow::from).collect();
    printer.data(&report::render(settings.format, &rows, || {
        report::runs::runs(&new_runs)
    })?)?;
    Ok(())
}
