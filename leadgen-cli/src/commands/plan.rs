//! `leadgen plan FILE… | --all`: what the main job's executor stages would do —
//! entities per stage, pairs to run, estimated credits — before anything runs.
//!
//! With files, the rows are imported into a throw-away in-memory store and the
//! job is planned over them (nothing is written to the database). With `--all`,
//! the job is planned over every contact stored for the tenant, stored
//! completions respected (work done already is not counted again).

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use leadgen::core::executor::{
    EntitySelection, Executor, ExecutorConfig, Plan, RunRequest, StageRegistry,
};
use leadgen::core::store::{ContactFilter, MemoryStore};
use leadgen::core::{EntityRef, TenantStore};

use super::import::{ReadArgs, import_one};
use crate::context::{GlobalArgs, print_json};
use crate::exit::{CliError, INPUT};

/// `leadgen plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Files the job would import (CSV/TSV, XLSX/XLS/ODS, JSON Lines).
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub files: Vec<PathBuf>,
    /// Plan over every contact stored for the tenant instead of files.
    #[arg(long)]
    pub all: bool,
    /// Print the plan as a Mermaid graph (`--json` wins over it).
    #[arg(long)]
    pub mermaid: bool,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// The executor stages of the main job (`leadgen run`), in the order it runs them.
pub const JOB_STAGES: &[&str] = &["normalize_contact", "email_validation"];

/// The built-in stages (the same registry the Python and Node bindings use).
pub fn job_registry() -> Result<StageRegistry, CliError> {
    Ok(leadgen::pipeline::builtin_registry()?)
}

/// Runs `leadgen plan`.
pub async fn run(global: &GlobalArgs, args: PlanArgs) -> Result<(), CliError> {
    let registry = job_registry()?;
    let stages = JOB_STAGES.iter().copied();
    let executor = Executor::new(registry, ExecutorConfig::default())?;
    let (store, selection) = if args.all {
        (global.open().await?, EntitySelection::All)
    } else {
        let options = args.read.options()?;
        let tenant = leadgen::core::TenantId::new(&global.tenant)
            .map_err(|e| CliError::new(INPUT, format!("--tenant: {e}")))?;
        let scratch = TenantStore::new(Arc::new(MemoryStore::new()), tenant);
        let mut refs = Vec::new();
        for file in &args.files {
            let report = import_one(&scratch, global, file, &options, false).await?;
            refs.extend(
                report
                    .outcomes
                    .iter()
                    .filter_map(|o| o.contact)
                    .map(EntityRef::from),
            );
        }
        (scratch, EntitySelection::Refs(refs))
    };
    let selection = match selection {
        EntitySelection::All => EntitySelection::Filtered {
            companies: None,
            contacts: Some(ContactFilter::default()),
        },
        other => other,
    };
    let plan: Plan = executor
        .plan(&store, &RunRequest::new(stages, selection))
        .await?;
    if global.json {
        print_json(&plan)?;
    } else if args.mermaid {
        print!("{}", plan.to_mermaid());
    } else {
        print!("{}", plan.to_text());
    }
    Ok(())
}
