//! The one way output leaves the program: data on stdout, progress, notes, warnings and
//! errors on stderr. Colour only on a terminal and never with `NO_COLOR` set.

use std::io::{self, IsTerminal, Write};

use anstyle::{AnsiColor, Style};

/// Verbosity and colour settings for output.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    quiet: bool,
    verbose: bool,
    color: bool,
}

/// True when `NO_COLOR` is set to a non-empty value (https://no-color.org).
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

impl Printer {
    /// A printer for this process; colour is decided from stderr and `NO_COLOR`.
    pub fn new(quiet: bool, verbose: bool) -> Printer {
        Printer {
            quiet,
            verbose,
            color: io::stderr().is_terminal() && !no_color(),
        }
    }

    /// True when progress and notes should be suppressed (`-q`).
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// Write data to stdout. A closed pipe (`| head`) is not an error.
    pub fn data(&self, text: &str) -> io::Result<()> {
        let mut out = io::stdout().lock();
        match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other,
        }
    }

    /// A note for people (assumptions, what was used); hidden by `-q`.
    pub fn note(&self, text: &str) {
        if !self.quiet {
            self.stderr("", Style::new(), text);
        }
    }

    /// Detail shown only with `-v`.
    pub fn debug(&self, text: &str) {
        if self.verbose && !self.quiet {
            self.stderr("debug: ", AnsiColor::Cyan.on_default(), text);
        }
    }

    /// A warning; shown even with `-q`.
    pub fn warn(&self, text: &str) {
        self.stderr("warning: ", AnsiColor::Yellow.on_default().bold(), text);
    }

    /// An error line.
    pub fn error(&self, text: &str) {
        self.stderr("error: ", AnsiColor::Red.on_default().bold(), text);
    }

    fn stderr(&self, label: &str, style: Style, text: &str) {
        let mut err = io::stderr().lock();
        // Nothing sensible can be done when stderr itself is gone.
        let _ = if self.color && !label.is_empty() {
            writeln!(err, "{style}{label}{style:#}{text}")
        } else {
            writeln!(err, "{label}{text}")
        };
    }
}
