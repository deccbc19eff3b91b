//! One file per command. Each takes resolved settings and the printer, and returns an
//! error for the CLI edge to print.

pub(crate) mod compare;
pub(crate) mod import;
pub(crate) mod import_glue;
pub(crate) mod prices;
pub(crate) mod prices_update;
pub(crate) mod report;
pub(crate) mod run;
pub(crate) mod runs;
pub(crate) mod shell;
pub(crate) mod store;
pub(crate) mod tune;

use crate::cli::{Cli, Command, ImportCommand, PricesCommand, StoreCommand, TuneCommand};
use crate::printer::Printer;
use crate::settings::GlobalSettings;

/// Run the command the user asked for.
pub fn run(cli: Cli, printer: &Printer) -> anyhow::Result<()> {
    let settings = GlobalSettings::resolve(&cli)?;
    match cli.command {
        Command::Compare(args) => compare::compare(&settings, &args, printer),
        Command::Run(args) => run::run(&settings, &args, printer),
        Command::Runs(args) => runs::runs(&settings, &args, printer),
        Command::Report(args) => report::report(&settings, &args, printer),
        Command::Import {
            command: ImportCommand::Ecs(args),
        } => import::import_ecs(&settings, &args, printer),
        Command::Import {
            command: ImportCommand::Glue(args),
        } => import_glue::import_glue(&settings, &args, printer),
        Command::Tune {
            command: TuneCommand::Job(args),
        } => tune::tune_job(&settings, &args, printer),
        Command::Prices {
            command: PricesCommand::Show,
        } => prices::show(&settings, printer),
        Command::Prices {
            command: PricesCommand::Update(args),
        } => prices_update::update(&settings, &args, printer),
        Command::Store {
            command: StoreCommand::Sync(args),
        } => store::sync(&settings, &args, printer),
        Command::Completions { shell } => shell::completions(shell, printer),
        Command::Man => shell::man(printer),
    }
}

/// Exit code for an error: the library's own classification, else 1.
pub fn exit_code(error: &anyhow::Error) -> i32 {
    error
        .chain()
        .find_map(|e| e.downcast_ref::<crate::Error>())
        .map_or(1, crate::Error::exit_code)
}

/// The price book a command prices with (`--prices`), its footer said on stderr (`-v` also
/// lists the rates that still come from the bundled book).
fn prices_in_use(
    settings: &GlobalSettings,
    printer: &Printer,
    regions: &[String],
) -> crate::error::Result<crate::pricing::book::PriceBook> {
    let prices = settings.prices_for(regions)?;
    if let Some(warning) = &prices.warning {
        printer.warn(warning);
    }
    printer.debug(&prices.footer);
    printer.debug(&prices.spot);
    prices.notes.iter().for_each(|n| printer.debug(n));
    Ok(prices.book)
}

/// The book under the Savings Plan in effect, its footer line said on stderr. Runs are
/// recorded at list prices (`run`, `import`, sweeps); commands that price apply the plan.
fn under_savings_plan(
    settings: &GlobalSettings,
    printer: &Printer,
    book: crate::pricing::book::PriceBook,
) -> crate::error::Result<crate::pricing::book::PriceBook> {
    let (book, plan) = settings.with_savings_plan(book)?;
    if let Some(line) = &plan {
        printer.note(line);
    }
    Ok(book)
}

/// The driver heap of a Spark job running its own command (`[jobs.spark] driver_memory`,
/// its env, its task definition's env, else Spark's default), with the warnings about it
/// in a task of `size` said on stderr; `None` for other engines.
fn warn_heap(
    config: &crate::model::job::Config,
    job: &crate::model::job::Job,
    size: crate::model::size::Size,
    printer: &Printer,
) -> Option<crate::model::spark::Heap> {
    let (heap, warnings) = heap_warnings(config, job, size);
    warnings.iter().for_each(|w| printer.warn(w));
    heap
}

/// The job's JVM heap, if it sets one, and what is wrong with it at `size`.
fn heap_warnings(
    config: &crate::model::job::Config,
    job: &crate::model::job::Job,
    size: crate::model::size::Size,
) -> (Option<crate::model::spark::Heap>, Vec<String>) {
    match job.heap(&task_definition_env(config, job)) {
        Some(heap) => {
            let warnings = crate::analysis::jvm::warnings(&job.name, &heap, size);
            (Some(heap), warnings)
        }
        None => (None, Vec::new()),
    }
}

/// The environment of the job's task definition file (its container), if it has one that
/// reads; an unreadable file is reported by the commands that edit it, not here.
fn task_definition_env(
    config: &crate::model::job::Config,
    job: &crate::model::job::Job,
) -> Vec<(String, String)> {
    let container = job.ecs.as_ref().and_then(|e| e.container.as_deref());
    match crate::store::rewrite::read_task_definition(config, job) {
        Ok(Some((_, text))) => crate::model::spark::task_definition_env(&text, container),
        _ => Vec::new(),
    }
}
