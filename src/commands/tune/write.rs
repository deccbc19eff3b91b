//! `tune --write`: the edits that give the job its recommended size, and applying them
//! (with `--register`, a resized task definition revision).

use crate::analysis::sizing::Recommendation;
use crate::error::{Error, Result};
use crate::model::job::{Config, Job};
use crate::model::size::Size;
use crate::printer::Printer;
use crate::settings::GlobalSettings;
use crate::store::rewrite::{self, Edit};

/// The edits of the config and the task definition that give the job its recommended size
/// (and a Spark job's heap its recommended value); none when the size stays.
pub(super) fn edits(
    config: &Config,
    job: &Job,
    recommendation: &Recommendation,
    current: Size,
    task_definition: Option<(std::path::PathBuf, String)>,
    heap_mib: Option<u32>,
) -> Result<Vec<Edit>> {
    let size = recommendation.recommended;
    if size == current || job.size.is_none() {
        return Ok(Vec::new());
    }
    let mut edit = rewrite::config_edit(&config.path, config.text.clone(), &job.name, size)?;
    if let Some(mib) = heap_mib {
        edit = rewrite::with_heap_in_config(edit, &job.name, mib)?;
    }
    let mut edits = vec![edit];
    if let Some((path, text)) = task_definition {
        let container = job.ecs.as_ref().and_then(|e| e.container.as_deref());
        let mut edit = rewrite::task_definition_edit(&path, text, container, size)?;
        if let Some(mib) = heap_mib {
            edit = rewrite::with_heap_in_task_definition(edit, container, mib)?;
        }
        edits.push(edit);
    }
    Ok(edits)
}

/// `--write` (and `--register`): apply the edits, register a resized revision.
pub(super) fn write(
    settings: &GlobalSettings,
    job: &Job,
    rec: &Recommendation,
    edits: &[Edit],
    register: bool,
    printer: &Printer,
) -> Result<()> {
    if edits.is_empty() {
        printer.note("nothing to write: the job already has the recommended size");
    }
    for edit in edits {
        edit.apply()?;
        printer.note(&format!("wrote {}", edit.path.display()));
    }
    if !register {
        return Ok(());
    }
    let task_definition = job
        .ecs
        .as_ref()
        .and_then(|e| e.task_definition.clone())
        .ok_or_else(|| {
            Error::invalid(
                "--register",
                format!(
                    "job `{}` has no [jobs.ecs] task_definition to register",
                    job.name
                ),
            )
        })?;
    let runtime = crate::aws::runtime()?;
    let aws = settings.connect_aws(&runtime, job.region.as_deref())?;
    let arn = runtime.block_on(crate::aws::task_definition::register_resized(
        &aws,
        &task_definition,
        rec.recommended,
    ))?;
    printer.note(&format!("registered {arn}"));
    Ok(())
}
