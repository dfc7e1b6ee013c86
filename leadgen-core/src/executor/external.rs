//! Asynchronous (external) stages: a stage that starts work elsewhere returns
//! `Waiting`; the pair stays `waiting` until
//! [`Executor::complete_external`](super::Executor::complete_external) brings the
//! result (from a webhook handler, say), or fails when no callback comes in time.
//!
//! A callback for a run this executor is working goes to the run, which records
//! it and starts the pair's dependents at once. A callback for a run no longer
//! active (the process restarted) is recorded directly; the dependents run when
//! the run is resumed.

use tokio::sync::oneshot;

use super::attempt::{check_outcome, outcome_cost};
use crate::error::{Error, Result};
use crate::model::{Credits, Entity, EntityRef, RunId};
use crate::stage::StageOutcome;
use crate::store::{Completion, CompletionStatus, StageRunRecord, TenantStore};

/// What an external callback brings.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ExternalResult {
    /// The work succeeded.
    Completed {
        /// The stage's output.
        output: serde_json::Value,
        /// Credits the work cost (on top of what starting it cost).
        cost: Credits,
        /// The entity with the results applied, if the stage changes it.
        updated: Option<Box<Entity>>,
    },
    /// The work failed.
    Failed {
        /// Why.
        error: String,
    },
}

impl ExternalResult {
    /// A successful result without an entity update.
    pub fn completed(output: serde_json::Value, cost: Credits) -> Self {
        ExternalResult::Completed {
            output,
            cost,
            updated: None,
        }
    }

    /// Checks the result for `entity` and splits it into (status, cost, error,
    /// outcome to apply — `None` for a failure).
    pub(crate) fn into_parts(
        self,
        stage: &str,
        entity: &Entity,
    ) -> Result<(
        CompletionStatus,
        Credits,
        Option<String>,
        Option<StageOutcome>,
    )> {
        match self {
            ExternalResult::Completed {
                output,
                cost,
                updated,
            } => {
                let outcome = StageOutcome::Completed {
                    output,
                    cost,
                    updated,
                };
                check_outcome(stage, entity, &outcome)?;
                Ok((
                    CompletionStatus::Completed,
                    outcome_cost(&outcome),
                    None,
                    Some(outcome),
                ))
            }
            ExternalResult::Failed { error } => {
                Ok((CompletionStatus::Failed, Credits::ZERO, Some(error), None))
            }
        }
    }
}

/// A callback on its way to an active run.
#[derive(Debug)]
pub(crate) struct ExternalMsg {
    pub entity: EntityRef,
    pub stage: String,
    pub result: ExternalResult,
    pub reply: oneshot::Sender<Result<()>>,
}

/// Records a callback for a run that is not active in this process: the stored
/// completion must be `waiting` and belong to `run_id`.
pub(crate) async fn complete_stored(
    store: &TenantStore,
    run_id: RunId,
    entity: EntityRef,
    stage: &str,
    result: ExternalResult,
) -> Result<()> {
    let not_waiting = || Error::NotFound {
        entity: "waiting pair",
        id: format!("{entity} / {stage} in run {run_id}"),
    };
    let mut run = store
        .get_run(run_id)
        .await?
        .ok_or_else(|| Error::NotFound {
            entity: "run",
            id: run_id.to_string(),
        })?;
    let existing = store
        .get_completions(&[entity], &[stage.to_string()])
        .await?
        .into_iter()
        .next()
        .ok_or_else(not_waiting)?;
    if existing.status != CompletionStatus::Waiting || existing.run_id != Some(run_id) {
        return Err(not_waiting());
    }
    let current = load_entity(store, entity).await?.ok_or_else(not_waiting)?;
    let (status, cost, error, outcome) = result.into_parts(stage, &current)?;
    let now = chrono::Utc::now();
    let mut output = None;
    if let Some(StageOutcome::Completed {
        output: o, updated, ..
    }) = outcome
    {
        output = Some(o);
        match updated.map(|b| *b) {
            Some(Entity::Company(c)) => {
                store.upsert_company(&c).await?;
            }
            Some(Entity::Contact(c)) => {
                store.upsert_contact(&c).await?;
            }
            None => {}
        }
    }
    store
        .record_stage_runs(&[StageRunRecord {
            id: uuid::Uuid::now_v7(),
            run_id,
            entity,
            stage: stage.to_string(),
            status,
            attempt: 1,
            started_at: now,
            finished_at: now,
            cost,
            error: error.clone(),
        }])
        .await?;
    store
        .record_completions(&[Completion {
            entity,
            stage: stage.to_string(),
            status,
            run_id: Some(run_id),
            cost: existing.cost + cost,
            attempts: existing.attempts,
            started_at: existing.started_at,
            finished_at: now,
            error,
            output,
        }])
        .await?;
    if !cost.is_zero() {
        run.spent += cost;
        store.save_run(&run).await?;
    }
    Ok(())
}

async fn load_entity(store: &TenantStore, entity: EntityRef) -> Result<Option<Entity>> {
    Ok(match entity.kind {
        crate::model::EntityKind::Company => store
            .get_company(crate::model::CompanyId(entity.id))
            .await?
            .map(Entity::Company),
        crate::model::EntityKind::Contact => store
            .get_contact(crate::model::ContactId(entity.id))
            .await?
            .map(Entity::Contact),
    })
}
