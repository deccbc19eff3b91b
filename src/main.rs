//! `fargate-cost`: parse arguments, run the command, turn an error into one line on
//! stderr and an exit code (2 bad input, 1 runtime failure).

use fargate_cost::{cli, commands, printer::Printer};

fn main() {
    let cli = cli::parse_args();
    let printer = Printer::new(cli.quiet, cli.verbose);
    if let Err(error) = commands::run(cli, &printer) {
        printer.error(&format!("{error:#}"));
        std::process::exit(commands::exit_code(&error));
    }
}
