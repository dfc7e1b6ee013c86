//! The `leadgen` command-line program: the main job (`leadgen run`), import, export,
//! and a look at what is stored. A thin user of the `leadgen` library.
//!
//! Each command lives in `src/commands/<name>.rs`; this file only parses the command
//! line and dispatches.

mod commands;
mod context;
mod exit;
mod progress;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::context::GlobalArgs;
use crate::exit::CliError;

/// mimalloc instead of the system allocator: importing and deduplicating make many
/// small allocations, which glibc's malloc serves markedly slower.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const EXIT_CODES: &str = "\
Exit codes:
  0  success (rows reported as malformed do not make an import fail)
  1  unexpected internal error
  2  bad command line (unknown option, missing argument)
  3  bad input: unreadable, empty or binary file, header only, a line over the limit,
     unknown or mismatching --preset, bad --mapping file, missing sheet
  4  database error: cannot open, migrate, read or write the store
  5  cannot write the output file
  6  not found (contacts show / companies show with an unknown id)";

/// leadgen: import, clean and export B2B contact and company lists.
#[derive(Debug, Parser)]
#[command(name = "leadgen", version, about, after_help = EXIT_CODES)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The main job: import files, run every cleaning stage, export the cleaned list.
    #[command(after_help = EXIT_CODES)]
    Run(commands::run::RunArgs),
    /// Import CSV, XLSX/XLS/ODS or JSON Lines files into the store.
    #[command(after_help = EXIT_CODES)]
    Import(commands::import::ImportArgs),
    /// Export stored contacts or companies to CSV, XLSX or JSON Lines.
    #[command(after_help = EXIT_CODES)]
    Export(commands::export::ExportArgs),
    /// List or show stored contacts.
    #[command(subcommand)]
    Contacts(commands::contacts::ContactsCommand),
    /// List or show stored companies.
    #[command(subcommand)]
    Companies(commands::companies::CompaniesCommand),
    /// Find duplicates in plain files (--input) or in the store, and merge them (--apply).
    #[command(after_help = EXIT_CODES)]
    Dedup(commands::dedup::DedupArgs),
    /// Validate email addresses (syntax and flags, MX, or an SMTP probe).
    Emails(commands::emails::EmailsArgs),
    /// Show what the main job's stages would do (entities, pairs, credits) before running.
    #[command(after_help = EXIT_CODES)]
    Plan(commands::plan::PlanArgs),
    /// List or show the executor's stored runs.
    #[command(subcommand)]
    Runs(commands::runs::RunsCommand),
    /// Join a stored run as one of several workers (PostgreSQL) and work it.
    #[command(after_help = EXIT_CODES)]
    Work(commands::work::WorkArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `emails` needs no store and has its own exit codes (0 all valid, 1 some not).
    let command = match cli.command {
        Command::Emails(args) => return commands::emails::run_blocking(args),
        other => other,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("leadgen: cannot start the async runtime: {e}");
            return ExitCode::from(exit::INTERNAL as u8);
        }
    };
    let result: Result<(), CliError> = runtime.block_on(async {
        let result = match command {
            Command::Run(args) => commands::run::run(&cli.global, args).await,
            Command::Import(args) => commands::import::run(&cli.global, args).await,
            Command::Export(args) => commands::export::run(&cli.global, args).await,
            Command::Contacts(cmd) => commands::contacts::run(&cli.global, cmd).await,
            Command::Companies(cmd) => commands::companies::run(&cli.global, cmd).await,
            Command::Dedup(args) => commands::dedup::run(&cli.global, args).await,
            Command::Plan(args) => commands::plan::run(&cli.global, args).await,
            Command::Runs(cmd) => commands::runs::run(&cli.global, cmd).await,
            Command::Work(args) => commands::work::run(&cli.global, args).await,
            Command::Emails(_) => unreachable!("handled before the runtime starts"),
        };
        context::close_opened().await;
        result
    });
    if let Err(e) = result {
        if !e.already_reported {
            eprintln!("leadgen: {}", e.message);
        }
        return ExitCode::from(u8::try_from(e.code).unwrap_or(1));
    }
    ExitCode::SUCCESS
}
