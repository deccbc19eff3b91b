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
        self.stderr(
            "error: ",
            AnsiColor::Red.on_default().bold(),
            &bounded(text),
        );
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

/// The longest word an error line repeats from the input: a 50 MB value pasted into a flag
/// is shown by its start and its length, not echoed whole.
const MAX_WORD: usize = 120;

/// `text` on one line with every over-long word cut.
fn bounded(text: &str) -> String {
    let line = text.replace(['\n', '\r'], " ");
    if line.len() <= 4 * MAX_WORD && line.split(' ').all(|w| w.len() <= MAX_WORD) {
        return line;
    }
    line.split(' ')
        .map(|word| {
            if word.chars().count() <= MAX_WORD {
                return word.to_string();
            }
            let start: String = word.chars().take(MAX_WORD / 2).collect();
            format!("{start}…({} bytes)", word.len())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_values_are_cut_and_errors_stay_on_one_line() {
        let huge = "9".repeat(50_000_000);
        let line = bounded(&format!("--cpu: `{huge}` is not valid;\nuse 0.25, 0.5"));
        assert!(line.len() < 300, "{} bytes", line.len());
        assert!(
            line.contains("…(50000002 bytes)") && !line.contains('\n'),
            "{line}"
        );
        assert_eq!(
            bounded("--cpu: `3` is not valid"),
            "--cpu: `3` is not valid"
        );
    }
}
