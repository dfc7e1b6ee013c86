//! The [`Stage`] trait: one unit of enrichment or cleaning for one entity kind.

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::error::Result;
use crate::model::{Company, Credits, Entity, EntityKind, RunId};
use crate::store::TenantStore;

/// A dependency of a stage on another stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dependency {
    /// The stage depended on.
    pub stage: String,
    /// Hard: must have completed (or been skipped). Soft: waited for only when it
    /// is part of the same run.
    pub hard: bool,
}

impl Dependency {
    /// A hard dependency.
    pub fn hard(stage: impl Into<String>) -> Self {
        Dependency {
            stage: stage.into(),
            hard: true,
        }
    }

    /// A soft dependency.
    pub fn soft(stage: impl Into<String>) -> Self {
        Dependency {
            stage: stage.into(),
            hard: false,
        }
    }
}

/// Whether a stage applies to an entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// Run the stage.
    Admit,
    /// Do not run it; record `skipped` with this reason (dependents may go on).
    Skip(String),
}

/// How a stage finishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExecutionMode {
    /// `run` returns the result.
    #[default]
    Inline,
    /// `run` starts external work; the result arrives later through a callback.
    External,
}

/// What one call of a stage produced.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum StageOutcome {
    /// Done: the output, what it cost, and the entity updated with the stage's
    /// findings (written back by the executor), if the stage changes it.
    Completed {
        /// Structured output, kept on the completion record.
        output: serde_json::Value,
        /// Credits actually spent.
        cost: Credits,
        /// The entity with the stage's changes applied, if any.
        updated: Option<Box<Entity>>,
    },
    /// The stage decided at run time that it does not apply.
    Skipped {
        /// Why.
        reason: String,
    },
    /// External work was started; the pair waits for its callback.
    Waiting {
        /// The provider's reference for the pending work.
        external_ref: String,
        /// Credits spent to start it.
        cost: Credits,
    },
}

/// What a stage sees besides the entity.
#[derive(Debug, Clone)]
pub struct StageContext {
    /// The tenant's store handle.
    pub store: TenantStore,
    /// The run this call belongs to.
    pub run_id: RunId,
    /// The clock (a fake one in tests).
    pub clock: Arc<dyn Clock>,
    /// For a contact stage: the contact's company, when linked.
    pub company: Option<Company>,
}

/// One unit of enrichment or cleaning for one entity kind.
///
/// A stage declares its id, its dependencies, a gate, an execution mode and a cost
/// estimate; the executor does the rest (scheduling, retries, completion records).
///
/// ```
/// use async_trait::async_trait;
/// use leadgen_core::stage::{Stage, StageContext, StageOutcome};
/// use leadgen_core::{Credits, Entity, EntityKind, Result};
///
/// /// Upper-cases company names (an example, not a useful stage).
/// #[derive(Debug)]
/// struct ShoutName;
///
/// #[async_trait]
/// impl Stage for ShoutName {
///     fn id(&self) -> &str { "shout_name" }
///     fn entity_kind(&self) -> EntityKind { EntityKind::Company }
///     async fn run(&self, _ctx: &StageContext, entity: &Entity) -> Result<StageOutcome> {
///         let Entity::Company(mut c) = entity.clone() else { unreachable!() };
///         c.name = c.name.to_uppercase();
///         Ok(StageOutcome::Completed {
///             output: serde_json::json!({ "name": c.name }),
///             cost: Credits::ZERO,
///             updated: Some(Box::new(Entity::Company(c))),
///         })
///     }
/// }
///
/// let stage: std::sync::Arc<dyn Stage> = std::sync::Arc::new(ShoutName);
/// assert_eq!(stage.id(), "shout_name");
/// assert!(stage.dependencies().is_empty());
/// ```
#[async_trait]
pub trait Stage: Send + Sync + Debug {
    /// The stage's unique id (`normalize_contact`, `ares`, `email_validation`).
    fn id(&self) -> &str;

    /// The kind of entity the stage works on.
    fn entity_kind(&self) -> EntityKind;

    /// Stages this one depends on. A contact stage may depend on a company stage:
    /// it then waits for that stage on the contact's company.
    fn dependencies(&self) -> Vec<Dependency> {
        Vec::new()
    }

    /// Whether the stage applies to `entity` (e.g. a country gate).
    fn gate(&self, _entity: &Entity) -> Gate {
        Gate::Admit
    }

    /// Inline or external.
    fn execution_mode(&self) -> ExecutionMode {
        ExecutionMode::Inline
    }

    /// The credits one call is expected to cost for `entity`.
    fn estimate(&self, _entity: &Entity) -> Credits {
        Credits::ZERO
    }

    /// Whether the stage costs credits (paid stages stop when a budget is spent).
    fn is_paid(&self) -> bool {
        false
    }

    /// The provider the stage calls, for rate limiting (`openai`, `ares`, …).
    fn provider(&self) -> Option<&str> {
        None
    }

    /// Runs the stage for one entity.
    async fn run(&self, ctx: &StageContext, entity: &Entity) -> Result<StageOutcome>;
}
