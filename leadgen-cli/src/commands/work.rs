//! `leadgen work --run RUN_ID`: join a stored run as one of several workers
//! sharing it through the database's work queue (PostgreSQL), and work it until
//! nothing is left. Start it on as many machines as wanted; a worker that dies
//! loses its leases and the others take its pairs over once they expire.

use std::time::Duration;

use clap::Args;
use leadgen::core::RunId;
use leadgen::core::executor::{Executor, ExecutorConfig, WorkerConfig};

use super::plan::job_registry;
use crate::context::{GlobalArgs, print_json};
use crate::exit::{CliError, INPUT};

/// `leadgen work`.
#[derive(Debug, Args)]
pub struct WorkArgs {
    /// The run to work.
    #[arg(long = "run")]
    pub run_id: String,
    /// This worker's name (default: `worker-<pid>`).
    #[arg(long)]
    pub worker: Option<String>,
    /// Seconds a claim holds without a heartbeat.
    #[arg(long, default_value_t = 30)]
    pub lease_secs: u64,
    /// Pairs claimed at once.
    #[arg(long, default_value_t = 512)]
    pub batch: usize,
}

/// Runs `leadgen work`.
pub async fn run(global: &GlobalArgs, args: WorkArgs) -> Result<(), CliError> {
    let id = RunId::parse(&args.run_id)
        .map_err(|e| CliError::new(INPUT, format!("--run {:?}: {e}", args.run_id)))?;
    let store = global.open().await?;
    let executor = Executor::new(job_registry()?, ExecutorConfig::default())?;
    let name = args
        .worker
        .unwrap_or_else(|| format!("worker-{}", std::process::id()));
    let config = WorkerConfig::new(name)
        .with_lease(Duration::from_secs(args.lease_secs))
        .with_batch(args.batch);
    let summary = executor.work(&store, id, config).await?;
    if global.json {
        print_json(&summary)?;
    } else {
        println!(
            "worker {} on run {}: {}, {} pairs in {} batches, {} credits, {:.1?}",
            summary.worker_id,
            summary.run_id,
            summary.status.as_str(),
            summary.pairs_finished(),
            summary.batches,
            summary.spent_now,
            summary.elapsed
        );
    }
    match summary.error {
        Some(e) => Err(CliError::new(crate::exit::STORE, e)),
        None => Ok(()),
    }
}
