//! `leadgen runs list` and `leadgen runs show RUN_ID`: the executor's stored runs
//! — status, per-stage summary from the stage-run records, credits.

use clap::Subcommand;
use leadgen::core::RunId;
use leadgen::core::executor::{list_runs, run_report};

use crate::context::{GlobalArgs, print_json};
use crate::exit::{CliError, INPUT};

/// `leadgen runs`.
#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// The newest runs first.
    List {
        /// How many runs to show.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// One run: status, credits, and per stage attempts by status, cost, time.
    Show {
        /// The run's id.
        run_id: String,
    },
}

/// Runs `leadgen runs …`.
pub async fn run(global: &GlobalArgs, command: RunsCommand) -> Result<(), CliError> {
    let store = global.open().await?;
    match command {
        RunsCommand::List { limit } => {
            let runs = list_runs(&store, limit).await?;
            if global.json {
                return print_json(&runs);
            }
            if runs.is_empty() {
                eprintln!("no runs");
            }
            for r in runs {
                println!(
                    "{}  {:<7} {:<16} spent {:>10}  {}  {}",
                    r.id,
                    r.kind,
                    r.status.as_str(),
                    r.spent.to_string(),
                    r.created_at.format("%Y-%m-%d %H:%M:%S"),
                    r.stages.join(",")
                );
            }
            Ok(())
        }
        RunsCommand::Show { run_id } => {
            let id = RunId::parse(&run_id)
                .map_err(|e| CliError::new(INPUT, format!("run id {run_id:?}: {e}")))?;
            let report = run_report(&store, id).await?;
            if global.json {
                print_json(&report)
            } else {
                print!("{}", report.to_text());
                Ok(())
            }
        }
    }
}
