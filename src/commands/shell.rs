//! `fargate-cost completions SHELL` and `fargate-cost man`: generated from the clap
//! definitions, so they never drift from the real flags.

use crate::cli;
use crate::printer::Printer;

/// Print the completion script for `shell`.
pub(crate) fn completions(shell: clap_complete::Shell, printer: &Printer) -> anyhow::Result<()> {
    let mut command = cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "fargate-cost", &mut script);
    printer.data(&String::from_utf8_lossy(&script))?;
    Ok(())
}

/// Print the man page (roff).
pub(crate) fn man(printer: &Printer) -> anyhow::Result<()> {
    let mut page = Vec::new();
    clap_mangen::Man::new(cli::command()).render(&mut page)?;
    printer.data(&String::from_utf8_lossy(&page))?;
    Ok(())
}
