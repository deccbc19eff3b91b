//! The progress line a measuring session draws on stderr (a spinner with elapsed time and
//! CPU/memory against the limits; hidden when quiet or when stderr is not a terminal), and
//! its notes through the printer.

use std::cell::RefCell;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::model::run::Run;
use crate::model::size::Size;
use crate::printer::Printer;
use crate::report::text;
use crate::runner::local::Progress;
use crate::runner::session::Observer;
use crate::store::Store;

/// Shows a session's runs as they happen.
pub(crate) struct ProgressLine<'a> {
    printer: &'a Printer,
    bar: RefCell<Option<ProgressBar>>,
}

impl<'a> ProgressLine<'a> {
    /// A progress line drawn through `printer`'s verbosity.
    pub(crate) fn new(printer: &'a Printer) -> ProgressLine<'a> {
        ProgressLine {
            printer,
            bar: RefCell::new(None),
        }
    }

    fn spinner(&self) -> ProgressBar {
        status_line(self.printer)
    }

    fn message(&self, message: String) {
        if let Some(bar) = self.bar.borrow().as_ref() {
            bar.set_message(message);
        }
    }
}

/// A one-line status on stderr for work without runs (paging the Price List): hidden when
/// quiet or when stderr is not a terminal.
pub(crate) fn status_line(printer: &Printer) -> ProgressBar {
    if printer.is_quiet() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

impl Observer for ProgressLine<'_> {
    fn launching(&self, label: &str, size: Size, backend: &str, run_id: Option<&str>) {
        self.printer.note(&match run_id {
            Some(id) => format!("running {label} at {size} on the {backend} backend (run {id})"),
            None => format!("launching {label} at {size} on {backend}"),
        });
        *self.bar.borrow_mut() = Some(self.spinner());
    }

    fn local_progress(&self, label: &str, size: Size, p: &Progress) {
        self.message(format!(
            "{label} · {} · CPU {:.2} / {} vCPU · memory {:.0} / {} MiB",
            text::duration(Duration::from_secs(p.elapsed.as_secs())),
            p.cpu_vcpu,
            size.vcpu().normalize(),
            p.memory_mib,
            size.memory_mib()
        ));
    }

    fn ecs_progress(&self, label: &str, status: &str, elapsed: Duration) {
        self.message(format!(
            "{label} · {} · task {status}",
            text::duration(Duration::from_secs(elapsed.as_secs()))
        ));
    }

    fn ended(&self) {
        if let Some(bar) = self.bar.borrow_mut().take() {
            bar.finish_and_clear();
        }
    }

    fn warn(&self, message: &str) {
        self.printer.warn(message);
    }

    fn recorded(&self, run: &Run, store: &Store) {
        self.printer.note(&format!(
            "recorded run {} ({}, {}) in {}",
            run.id,
            run.stop_reason,
            text::duration(Duration::from_millis(run.duration_ms)),
            store.root().display()
        ));
    }
}
