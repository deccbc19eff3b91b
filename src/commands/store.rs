//! `fargate-cost store sync --from DIR --to s3://…`: upload a local history to an S3 store.
//! Samples first, then run records, each created only if its key is new, so a sync can be
//! repeated (or interrupted and run again) without duplicating or overwriting a run.

use anyhow::Context;

use crate::aws::s3::S3Location;
use crate::cli::StoreSyncArgs;
use crate::error::Error;
use crate::printer::Printer;
use crate::settings::GlobalSettings;

/// Run `store sync`.
pub(crate) fn sync(
    settings: &GlobalSettings,
    args: &StoreSyncArgs,
    printer: &Printer,
) -> anyhow::Result<()> {
    let location = S3Location::parse(&args.to).unwrap_or_else(|| {
        Err(Error::invalid(
            "--to",
            format!("`{}` is not an S3 store; write s3://BUCKET/PREFIX", args.to),
        ))
    })?;
    if !args.from.join("runs").is_dir() {
        return Err(Error::invalid(
            "--from",
            format!(
                "{} is not a run store (it has no runs/ folder)",
                args.from.display()
            ),
        )
        .into());
    }
    let remote = settings.connect_s3(&location)?;
    let synced = remote
        .sync_from(&args.from)
        .with_context(|| format!("store sync to {location}"))?;
    let line = match synced.runs + synced.samples {
        0 => format!(
            "nothing to upload: {location} already has all {} files of {}",
            synced.present,
            args.from.display()
        ),
        _ => format!(
            "uploaded {} runs and {} samples files to {location}; {} already there",
            synced.runs, synced.samples, synced.present
        ),
    };
    printer.data(&format!("{line}\n"))?;
    Ok(())
}
