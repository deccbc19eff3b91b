//! The progress line a measuring session draws on stderr (a spinner with elapsed time and
//! CPU/memory against the limits; hidden when quiet or when stderr is not a terminal), and
//! its notes through the printer.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::model::run::Run;
use crate::model::size::Size;
use crate::printer::Printer;
use crate::report::text;
use crate::runner::local::Progress;
use crate::runner::session::Observer;
use crate::store::Store;

/// Shows a session's runs as they happen: one line per run in flight (a parallel ECS
/// sweep has several).
pub(crate) struct ProgressLine<'a> {
    printer: &'a Printer,
    lines: MultiProgress,
    bars: RefCell<BTreeMap<String, ProgressBar>>,
}

impl<'a> ProgressLine<'a> {
    /// Progress lines drawn through `printer`'s verbosity.
    pub(crate) fn new(printer: &'a Printer) -> ProgressLine<'a> {
        let target = if printer.is_quiet() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        ProgressLine {
            printer,
            lines: MultiProgress::with_draw_target(target),
            bars: RefCell::new(BTreeMap::new()),
        }
    }

    fn message(&self, label: &str, message: String) {
        if let Some(bar) = self.bars.borrow().get(label) {
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
    spinner(ProgressBar::with_draw_target(
        None,
        ProgressDrawTarget::stderr(),
    ))
}

/// `bar` as a ticking spinner with a message.
fn spinner(bar: ProgressBar) -> ProgressBar {
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
        let bar = spinner(self.lines.add(ProgressBar::no_length()));
        bar.set_message(format!("{label} · launching"));
        self.bars.borrow_mut().insert(label.to_string(), bar);
    }

    fn local_progress(&self, label: &str, size: Size, p: &Progress) {
        self.message(
            label,
            format!(
                "{label} · {} · CPU {:.2} / {} vCPU · memory {:.0} / {} MiB",
                text::duration(Duration::from_secs(p.elapsed.as_secs())),
                p.cpu_vcpu,
                size.vcpu().normalize(),
                p.memory_mib,
                size.memory_mib()
            ),
        );
    }

    fn ecs_progress(&self, label: &str, status: &str, elapsed: Duration) {
        self.message(
            label,
            format!(
                "{label} · {} · task {status}",
                text::duration(Duration::from_secs(elapsed.as_secs()))
            ),
        );
    }

    fn ended(&self, label: &str) {
        if let Some(bar) = self.bars.borrow_mut().remove(label) {
            bar.finish_and_clear();
            self.lines.remove(&bar);
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
