//! One (entity, stage) pair, called until it settles: rate limit, timeout,
//! retries with backoff and jitter, cancellation, and panics caught.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::FutureExt;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio_util::sync::CancellationToken;

use super::config::{RateLimit, RetryPolicy};
use crate::clock::{Clock, Randomness};
use crate::error::{Error, Result};
use crate::model::{Credits, Entity};
use crate::stage::{Stage, StageContext, StageOutcome};
use crate::store::{CompletionStatus, validate_company, validate_contact};

/// A provider's rate limiter.
pub(crate) type Limiter = DefaultDirectRateLimiter;

/// Builds the limiter of a rate limit.
pub(crate) fn limiter(limit: &RateLimit) -> Arc<Limiter> {
    Arc::new(RateLimiter::direct(
        Quota::per_second(limit.per_second).allow_burst(limit.burst),
    ))
}

/// One attempt's record, turned into a stage-run record by the coordinator.
#[derive(Debug, Clone)]
pub(crate) struct Attempt {
    pub attempt: u32,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub status: CompletionStatus,
    pub cost: Credits,
    pub error: Option<String>,
}

/// How the pair settled.
#[derive(Debug)]
pub(crate) enum Settled {
    /// The stage answered (completed, skipped or waiting).
    Outcome(StageOutcome),
    /// Every attempt failed, or the stage panicked or returned garbage.
    Failed(String),
    /// The run was cancelled before the pair settled; nothing is recorded.
    Cancelled,
}

/// The pair's report to the coordinator.
#[derive(Debug)]
pub(crate) struct PairReport {
    pub stage: u32,
    pub slot: u32,
    pub settled: Settled,
    pub attempts: Vec<Attempt>,
    /// The credits reserved for the pair when it was scheduled.
    pub reserved: Credits,
}

/// Everything one pair needs to run.
pub(crate) struct PairJob {
    pub stage_index: u32,
    pub slot: u32,
    pub stage: Arc<dyn Stage>,
    pub entity: Arc<Entity>,
    pub ctx: Arc<StageContext>,
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub limiter: Option<Arc<Limiter>>,
    pub cancel: CancellationToken,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Randomness>,
    pub reserved: Credits,
}

/// The message of a panic payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a non-text panic payload".to_string()
    }
}

/// Checks what a stage returned before anything of it is kept.
pub(crate) fn check_outcome(stage: &str, entity: &Entity, outcome: &StageOutcome) -> Result<()> {
    if let StageOutcome::Completed {
        updated: Some(new), ..
    } = outcome
    {
        if new.entity_ref() != entity.entity_ref() {
            return Err(Error::invalid(
                format!("stage {stage} output"),
                format!(
                    "returned entity {} as the update of {}",
                    new.entity_ref(),
                    entity.entity_ref()
                ),
            ));
        }
        match &**new {
            Entity::Company(c) => validate_company(c),
            Entity::Contact(c) => validate_contact(c),
        }
        .map_err(|e| {
            Error::invalid(
                format!("stage {stage} output"),
                format!("invalid entity: {e}"),
            )
        })?;
    }
    Ok(())
}

impl PairJob {
    /// Runs the pair until it settles; never panics.
    pub async fn execute(self) -> PairReport {
        let (stage_index, slot, reserved) = (self.stage_index, self.slot, self.reserved);
        let mut attempts = Vec::new();
        let settled = match AssertUnwindSafe(self.attempts(&mut attempts))
            .catch_unwind()
            .await
        {
            Ok(s) => s,
            Err(p) => Settled::Failed(format!("executor panicked: {}", panic_message(&*p))),
        };
        PairReport {
            stage: stage_index,
            slot,
            settled,
            attempts,
            reserved,
        }
    }

    async fn attempts(&self, log: &mut Vec<Attempt>) -> Settled {
        let stage_id = self.stage.id();
        let mut attempt = 1u32;
        loop {
            if let Some(l) = &self.limiter {
                tokio::select! {
                    _ = self.cancel.cancelled() => return Settled::Cancelled,
                    _ = l.until_ready() => {}
                }
            }
            let started_at = self.clock.now();
            let call = AssertUnwindSafe(self.stage.run(&self.ctx, &self.entity)).catch_unwind();
            let result = tokio::select! {
                _ = self.cancel.cancelled() => return Settled::Cancelled,
                r = tokio::time::timeout(self.timeout, call) => r,
            };
            let finished_at = self.clock.now();
            let mut record = |status, cost, error: Option<String>| {
                log.push(Attempt {
                    attempt,
                    started_at,
                    finished_at,
                    status,
                    cost,
                    error,
                })
            };
            let err = match result {
                Err(_elapsed) => Error::Timeout(self.timeout),
                Ok(Err(panic)) => {
                    let msg = format!("stage {stage_id} panicked: {}", panic_message(&*panic));
                    record(CompletionStatus::Failed, Credits::ZERO, Some(msg.clone()));
                    return Settled::Failed(msg);
                }
                Ok(Ok(Ok(outcome))) => {
                    if let Err(e) = check_outcome(stage_id, &self.entity, &outcome) {
                        let cost = outcome_cost(&outcome);
                        record(CompletionStatus::Failed, cost, Some(e.to_string()));
                        return Settled::Failed(e.to_string());
                    }
                    let (status, cost) = match &outcome {
                        StageOutcome::Completed { cost, .. } => {
                            (CompletionStatus::Completed, *cost)
                        }
                        StageOutcome::Skipped { .. } => (CompletionStatus::Skipped, Credits::ZERO),
                        StageOutcome::Waiting { cost, .. } => (CompletionStatus::Waiting, *cost),
                    };
                    record(status, cost, None);
                    return Settled::Outcome(outcome);
                }
                Ok(Ok(Err(e))) => e,
            };
            record(
                CompletionStatus::Failed,
                Credits::ZERO,
                Some(err.to_string()),
            );
            if !err.is_retryable() || attempt >= self.retry.max_attempts {
                return Settled::Failed(if attempt > 1 {
                    format!("{err} (after {attempt} attempts)")
                } else {
                    err.to_string()
                });
            }
            let retry_after = match &err {
                Error::Provider {
                    retry_after_secs, ..
                } => *retry_after_secs,
                _ => None,
            };
            let Some(wait) = self
                .retry
                .backoff(attempt + 1, self.random.next_u64(), retry_after)
            else {
                return Settled::Failed(format!(
                    "{err} (Retry-After longer than the {:?} allowed)",
                    self.retry.max_retry_after
                ));
            };
            tokio::select! {
                _ = self.cancel.cancelled() => return Settled::Cancelled,
                _ = tokio::time::sleep(wait) => {}
            }
            attempt += 1;
        }
    }
}

/// The credits an outcome reports.
pub(crate) fn outcome_cost(outcome: &StageOutcome) -> Credits {
    match outcome {
        StageOutcome::Completed { cost, .. } | StageOutcome::Waiting { cost, .. } => *cost,
        _ => Credits::ZERO,
    }
}
