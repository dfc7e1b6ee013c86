//! How the executor behaves (limits, retries, timeouts) and what one run asks for
//! (stages, entities, budgets, re-runs).

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::model::{Credits, EntityRef};
use crate::store::{CompanyFilter, ContactFilter};

/// Retries of retryable errors ([`Error::is_retryable`](crate::Error::is_retryable)):
/// exponential backoff with full jitter, and at least what the provider asked for
/// with `Retry-After`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1 = no retry).
    pub max_attempts: u32,
    /// The backoff before the second attempt; doubled before each later one.
    pub base_delay: Duration,
    /// The longest backoff (a `Retry-After` may ask for longer, up to
    /// [`RetryPolicy::max_retry_after`]).
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; a provider asking for more fails the pair
    /// rather than holding a worker for hours.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `next_attempt` (2 or more), given a random number
    /// for the jitter and the provider's `Retry-After`, or `None` when the
    /// `Retry-After` is longer than allowed.
    ///
    /// ```
    /// use std::time::Duration;
    /// use leadgen_core::executor::RetryPolicy;
    /// let p = RetryPolicy { base_delay: Duration::from_millis(100), ..RetryPolicy::default() };
    /// // Full jitter: between half and all of 100 ms × 2^(attempt-2).
    /// let d = p.backoff(3, u64::MAX, None).unwrap();
    /// assert!(d <= Duration::from_millis(200) && d >= Duration::from_millis(100));
    /// assert_eq!(p.backoff(2, 0, Some(7)), Some(Duration::from_secs(7)));
    /// assert_eq!(p.backoff(2, 0, Some(100_000)), None);
    /// ```
    pub fn backoff(
        &self,
        next_attempt: u32,
        random: u64,
        retry_after_secs: Option<u64>,
    ) -> Option<Duration> {
        let exp = next_attempt.saturating_sub(2).min(30);
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << exp)
            .min(self.max_delay);
        // "Equal jitter": half fixed, half random, so retries never bunch at zero.
        let half = ceiling / 2;
        let spread = half.as_nanos().max(1) as u64;
        let jittered = half + Duration::from_nanos(random % (spread + 1));
        match retry_after_secs.map(Duration::from_secs) {
            Some(ra) if ra > self.max_retry_after => None,
            Some(ra) => Some(ra.max(jittered)),
            None => Some(jittered),
        }
    }
}

/// A rate limit for one provider: `per_second` calls per second with bursts of `burst`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimit {
    /// Sustained calls per second.
    pub per_second: NonZeroU32,
    /// Calls allowed at once after a quiet spell.
    pub burst: NonZeroU32,
}

/// How one stage is run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageLimits {
    /// Calls of the stage in flight at once.
    pub concurrency: usize,
    /// Time limit of one call (a timed-out call is retryable).
    pub timeout: Duration,
    /// Time an external pair may wait for its callback before it fails.
    pub external_timeout: Duration,
}

impl Default for StageLimits {
    fn default() -> Self {
        StageLimits {
            concurrency: 16,
            timeout: Duration::from_secs(120),
            external_timeout: Duration::from_secs(24 * 3600),
        }
    }
}

/// Which attempts get a stage-run record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptRecords {
    /// Every attempt.
    #[default]
    All,
    /// Every attempt except a free pair completed on its first try, which its
    /// completion describes fully (status, timing, cost 0, one attempt). Halves the
    /// rows a run of cheap stages writes; credits per tenant are unaffected.
    Notable,
}

/// The executor's settings, shared by all its runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutorConfig {
    /// Which attempts get a stage-run record.
    #[serde(default)]
    pub attempt_records: AttemptRecords,
    /// Limits of stages not listed in `stage_limits`.
    pub default_limits: StageLimits,
    /// Limits per stage id.
    pub stage_limits: HashMap<String, StageLimits>,
    /// Rate limits per provider id ([`Stage::provider`](crate::Stage::provider)).
    pub rate_limits: HashMap<String, RateLimit>,
    /// Retries.
    pub retry: RetryPolicy,
    /// Credits a tenant may spend per UTC day across runs (`None`: no limit).
    pub tenant_daily_budget: Option<Credits>,
}

impl ExecutorConfig {
    /// The limits of one stage.
    pub fn limits(&self, stage: &str) -> &StageLimits {
        self.stage_limits.get(stage).unwrap_or(&self.default_limits)
    }
}

/// Which entities a run works on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "select", content = "value", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)] // built once per run: boxing would only cost users
pub enum EntitySelection {
    /// Every company and contact of the tenant (tombstones left out).
    All,
    /// The entities matching filters; `None` selects none of that kind.
    Filtered {
        /// Companies to include.
        companies: Option<CompanyFilter>,
        /// Contacts to include.
        contacts: Option<ContactFilter>,
    },
    /// These entities (missing ones are reported in the summary, not an error).
    Refs(Vec<EntityRef>),
}

/// What one run asks for.
///
/// A contact's company joins the run when the run has company stages, so that
/// contact stages depending on company stages find their company's work done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRequest {
    /// The stages (ids), in any order.
    pub stages: Vec<String>,
    /// The entities.
    pub entities: EntitySelection,
    /// The run's credit budget (`None`: no limit).
    pub budget: Option<Credits>,
    /// Run again pairs whose stored completion is `failed` (this run's included,
    /// so resuming a retry after a crash retries what failed meanwhile again).
    #[serde(default)]
    pub retry_failed: bool,
    /// Pairs to run again even if done: these entities for these stages.
    #[serde(default)]
    pub force: Option<ForceRerun>,
    /// Wait for external callbacks before returning (until they time out).
    #[serde(default = "yes")]
    pub wait_for_external: bool,
}

fn yes() -> bool {
    true
}

/// `force`: re-run `stages` for `entities` even though they are done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForceRerun {
    /// The entities (all entities of the run when empty).
    pub entities: Vec<EntityRef>,
    /// The stages (all stages of the run when empty).
    pub stages: Vec<String>,
}

impl RunRequest {
    /// A request for `stages` over `entities`, no budget, no re-runs.
    pub fn new(
        stages: impl IntoIterator<Item = impl Into<String>>,
        entities: EntitySelection,
    ) -> Self {
        RunRequest {
            stages: stages.into_iter().map(Into::into).collect(),
            entities,
            budget: None,
            retry_failed: false,
            force: None,
            wait_for_external: true,
        }
    }

    /// Sets the budget.
    pub fn with_budget(mut self, budget: Credits) -> Self {
        self.budget = Some(budget);
        self
    }
}
