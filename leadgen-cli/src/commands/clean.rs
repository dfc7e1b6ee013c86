//! The cleaning steps of the main job: normalization and email validation run as
//! executor stages (so they leave completion and stage-run records, and a re-run
//! skips work already done), deduplication merges duplicate contacts in the store.

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use leadgen::core::dedup::bulk::dedup_stored_contacts;
use leadgen::core::dedup::{DedupConfig, MergeStrategy};
use leadgen::core::executor::{
    EntitySelection, Executor, ExecutorConfig, RunRequest, StageRegistry,
};
use leadgen::core::normalize::NormalizeContactStage;
use leadgen::core::store::ContactFilter;
use leadgen::core::{EntityRef, Stage};
use leadgen::stages::email::{Depth, EmailValidationStage, EmailValidator, ValidatorOptions};
use serde_json::json;

use super::run::{JobState, Step, StepSummary};
use crate::context::GlobalArgs;
use crate::exit::CliError;

/// Runs one stage over the job's contacts through the executor.
async fn run_stage(job: &JobState, stage: Arc<dyn Stage>) -> Result<StepSummary, CliError> {
    let id = stage.id().to_string();
    let mut registry = StageRegistry::new();
    registry.register(stage)?;
    let executor = Executor::new(registry, ExecutorConfig::default())?;
    let entities = job.contacts.iter().map(|c| EntityRef::from(*c)).collect();
    let summary = executor
        .run(
            &job.store,
            RunRequest::new([id.as_str()], EntitySelection::Refs(entities)),
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
        let summary = run_stage(job, Arc::new(NormalizeContactStage)).await?;
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
        let alive: HashSet<_> = job
            .store
            .all_contacts(&ContactFilter::default())
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        let before = job.contacts.len();
        job.contacts.retain(|id| alive.contains(id));
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
        let validator = Arc::new(EmailValidator::offline(ValidatorOptions::default()));
        let stage = EmailValidationStage::new(validator, Depth::Syntax);
        let summary = run_stage(job, Arc::new(stage)).await?;
        Ok(StepSummary {
            step: self.name(),
            ..summary
        })
    }
}
