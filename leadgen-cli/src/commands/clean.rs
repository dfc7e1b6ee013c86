//! The cleaning steps of the main job: normalization and email validation run as
//! executor stages (so they leave completion and stage-run records, and a re-run
//! skips work already done), deduplication merges duplicate contacts in the store.

use std::collections::HashSet;

use async_trait::async_trait;
use leadgen::core::EntityRef;
use leadgen::core::dedup::bulk::dedup_stored_contacts;
use leadgen::core::dedup::{DedupConfig, MergeStrategy};
use leadgen::core::executor::{EntitySelection, Executor, ExecutorConfig, RunRequest};
use serde_json::json;

use super::plan::job_registry;
use super::run::{JobState, Step, StepSummary};
use crate::context::GlobalArgs;
use crate::exit::CliError;

/// Runs one stage over the job's contacts through the executor.
/// The stage comes from the built-in registry (`leadgen::pipeline`), the one the
/// bindings run too.
async fn run_stage(job: &JobState, stage: &str) -> Result<StepSummary, CliError> {
    let executor = Executor::new(job_registry()?, ExecutorConfig::default())?;
    let entities = job.contacts.iter().map(|c| EntityRef::from(*c)).collect();
    let summary = executor
        .run(
            &job.store,
            RunRequest::new([stage], EntitySelection::Refs(entities)),
        )
        .await?;
    Ok(StepSummary {
        step: "",
        message: format!(
            "{} contacts, run {} {}",
            summary.pairs_finished(),
            summary.run_id,
            summary.status.as_str()
        ),
        details: serde_json::to_value(&summary).unwrap_or_default(),
    })
}

/// Normalizes names, titles, countries, phones, LinkedIn URLs of the job's contacts.
pub struct NormalizeStep;

#[async_trait]
impl Step for NormalizeStep {
    fn name(&self) -> &'static str {
        "normalize"
    }

    async fn run(&self, job: &mut JobState, _global: &GlobalArgs) -> Result<StepSummary, CliError> {
        let summary = run_stage(job, "normalize_contact").await?;
        Ok(StepSummary {
            step: self.name(),
            ..summary
        })
    }
}

/// Finds duplicate contacts in the store and merges each cluster field by field
/// (merged-away contacts stay as tombstones; the merge is in the audit log).
pub struct DedupStep;

#[async_trait]
impl Step for DedupStep {
    fn name(&self) -> &'static str {
        "dedup"
    }

    async fn run(&self, job: &mut JobState, _global: &GlobalArgs) -> Result<StepSummary, CliError> {
        let strategy = MergeStrategy::MergeFields {
            source_priority: vec!["user".into(), "crm".into(), "import".into()],
        };
        let bulk =
            dedup_stored_contacts(&job.store, &DedupConfig::contacts(), &strategy, true).await?;
        // Survivors keep their ids; merged-away contacts leave the job's list.
        let gone: HashSet<EntityRef> = bulk.merged_away.iter().copied().collect();
        let before = job.contacts.len();
        job.contacts
            .retain(|id| !gone.contains(&EntityRef::from(*id)));
        Ok(StepSummary {
            step: self.name(),
            message: format!(
                "{} clusters merged, {} duplicates removed from the list",
                bulk.applied.clusters_merged,
                before - job.contacts.len()
            ),
            details: json!({
                "clusters_merged": bulk.applied.clusters_merged,
                "tombstoned": bulk.applied.tombstoned,
            }),
        })
    }
}

/// Validates the job's contacts' emails offline (syntax, disposable, role, free-mail).
pub struct ValidateEmailsStep;

#[async_trait]
impl Step for ValidateEmailsStep {
    fn name(&self) -> &'static str {
        "emails"
    }

    async fn run(&self, job: &mut JobState, _global: &GlobalArgs) -> Result<StepSummary, CliError> {
        let summary = run_stage(job, "email_validation").await?;
        Ok(StepSummary {
            step: self.name(),
            ..summary
        })
    }
}
