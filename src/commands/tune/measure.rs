//! Launching the job for `tune`: its session, the `--sweep` of sizes, and runs at the
//! current size until it has the completed runs a recommendation needs (`--engines`).

use crate::analysis::tuning;
use crate::cli::TuneJobArgs;
use crate::error::Result;
use crate::model::job::{Config, Job};
use crate::model::run::StopReason;
use crate::model::size::Size;
use crate::pricing::book::PriceBook;
use crate::printer::Printer;
use crate::report::progress::ProgressLine;
use crate::runner::session::{self, Session};
use crate::settings::{self, GlobalSettings};

/// What every launch of one `tune` needs, resolved once.
pub(super) struct Launcher<'a> {
    pub settings: &'a GlobalSettings,
    pub config: &'a Config,
    pub book: &'a PriceBook,
    pub current: Size,
    pub args: &'a TuneJobArgs,
    pub printer: &'a Printer,
}

impl<'a> Launcher<'a> {
    /// A session launching `job` on its default backend, reporting on `progress`.
    fn session<'s>(&self, job: &'s Job, progress: &'s ProgressLine) -> Result<Session<'s>>
    where
        'a: 's,
    {
        let settings = settings::session_settings(
            self.settings,
            self.config,
            job,
            self.book,
            session::default_backend(job),
            self.args.sample_interval,
            self.args.timeout,
            !self.printer.is_quiet(),
        )?;
        Session::new(settings, progress)
    }

    /// Run the sweep: a baseline run first when no run completed yet (memory comes from
    /// the observed peak), then each size `--repeat` times.
    pub(super) fn sweep(&self, job: &Job) -> Result<()> {
        let (current, args, printer) = (self.current, self.args, self.printer);
        let progress = ProgressLine::new(printer);
        let session = self.session(job, &progress)?;
        let (mut before, _) = session.store().runs(Some(&job.name));
        before.retain(|r| job.ran(r));
        if !before
            .iter()
            .any(|r| r.stop_reason == StopReason::Completed)
        {
            printer.note(&format!(
                "{}: no completed run yet; one baseline run at {current} measures its memory peak",
                job.name
            ));
            before.push(session.run_once(current, &format!("{} baseline", job.name))?);
        }
        let (sizes, warnings) = tuning::sweep_sizes(
            job,
            current,
            &before,
            &args.sweep,
            args.memory_headroom.unwrap_or(tuning::SWEEP_HEADROOM),
        );
        warnings.iter().for_each(|w| printer.warn(w));
        let runs = sizes.len() * args.repeat as usize;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let (parallel, note) = tuning::sweep_parallel(session.on_ecs(), args.parallel, runs, cores);
        note.iter().for_each(|n| printer.note(n));
        session.sweep(&sizes, args.repeat, parallel)
    }

    /// Runs at the current size until `job` has `needed` completed ones (it has
    /// `completed`); a run that does not complete ends the measuring.
    pub(super) fn run_until(&self, job: &Job, completed: usize, needed: usize) -> Result<()> {
        let (current, engine) = (self.current, job.engine_name());
        self.printer.note(&format!(
            "{}: {completed} completed run(s) on {engine}; running {} more at {current}",
            job.name,
            needed - completed
        ));
        let progress = ProgressLine::new(self.printer);
        let session = self.session(job, &progress)?;
        for attempt in completed + 1..=needed {
            let label = format!("{} on {engine} ({attempt}/{needed})", job.name);
            let run = session.run_once(current, &label)?;
            if run.stop_reason != StopReason::Completed || session.stopped() {
                break;
            }
        }
        Ok(())
    }
}
