//! The records a store keeps besides entities: runs, completions, stage runs, audit.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::{Credits, EntityRef, RunId};

/// The state of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RunStatus {
    /// Created, not started.
    Pending,
    /// Being worked.
    Running,
    /// Every eligible pair finished.
    Completed,
    /// Stopped by an error outside any single pair.
    Failed,
    /// Stopped by the user.
    Cancelled,
    /// Stopped scheduling paid work because the budget is spent.
    BudgetExhausted,
}

impl RunStatus {
    /// The snake_case name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Pending => "pending",
            RunStatus::Running => "running",
            RunStatus::Completed => "completed",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
            RunStatus::BudgetExhausted => "budget_exhausted",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => RunStatus::Pending,
            "running" => RunStatus::Running,
            "completed" => RunStatus::Completed,
            "failed" => RunStatus::Failed,
            "cancelled" => RunStatus::Cancelled,
            "budget_exhausted" => RunStatus::BudgetExhausted,
            _ => return None,
        })
    }
}

/// One run: an execution of a stage set over entities, or an import job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The run's id.
    pub id: RunId,
    /// What kind of run (`enrich`, `import`, `dedup`, …).
    pub kind: String,
    /// Its state.
    pub status: RunStatus,
    /// The stages it runs, in the order given.
    pub stages: Vec<String>,
    /// Its credit budget, if any.
    pub budget: Option<Credits>,
    /// Credits spent so far.
    pub spent: Credits,
    /// Free-form summary (counts, mapping used, errors), as JSON.
    pub summary: serde_json::Value,
    /// When the run was created.
    pub created_at: DateTime<Utc>,
    /// When it started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it finished.
    pub finished_at: Option<DateTime<Utc>>,
}

impl RunRecord {
    /// A pending run of `kind` over `stages`, created now.
    pub fn new(kind: impl Into<String>, stages: Vec<String>) -> Self {
        RunRecord {
            id: RunId::new(),
            kind: kind.into(),
            status: RunStatus::Pending,
            stages,
            budget: None,
            spent: Credits::ZERO,
            summary: serde_json::Value::Null,
            created_at: Utc::now(),
            started_at: None,
            finished_at: None,
        }
    }
}

/// The outcome recorded for one (entity, stage) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CompletionStatus {
    /// The stage ran and produced its output.
    Completed,
    /// The stage's gate rejected the entity; dependents may go on.
    Skipped,
    /// The stage failed; hard dependents are blocked.
    Failed,
    /// A hard dependency failed, so the stage could not run.
    Blocked,
    /// An asynchronous stage started external work and waits for its callback.
    Waiting,
}

impl CompletionStatus {
    /// The snake_case name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            CompletionStatus::Completed => "completed",
            CompletionStatus::Skipped => "skipped",
            CompletionStatus::Failed => "failed",
            CompletionStatus::Blocked => "blocked",
            CompletionStatus::Waiting => "waiting",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "completed" => CompletionStatus::Completed,
            "skipped" => CompletionStatus::Skipped,
            "failed" => CompletionStatus::Failed,
            "blocked" => CompletionStatus::Blocked,
            "waiting" => CompletionStatus::Waiting,
            _ => return None,
        })
    }

    /// Whether dependents may run after this status (completed or skipped).
    pub fn unblocks_dependents(self) -> bool {
        matches!(
            self,
            CompletionStatus::Completed | CompletionStatus::Skipped
        )
    }
}

/// "Stage S finished for entity E": what makes runs resumable.
///
/// There is at most one completion per (tenant, entity, stage); recording another
/// replaces it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Completion {
    /// The entity.
    pub entity: EntityRef,
    /// The stage id.
    pub stage: String,
    /// The outcome.
    pub status: CompletionStatus,
    /// The run that produced it, if any.
    pub run_id: Option<RunId>,
    /// What it cost.
    pub cost: Credits,
    /// How many attempts it took.
    pub attempts: u32,
    /// When the (last) attempt started.
    pub started_at: DateTime<Utc>,
    /// When it finished.
    pub finished_at: DateTime<Utc>,
    /// The error, for `failed` and `blocked`.
    pub error: Option<String>,
    /// The stage's output, as JSON.
    pub output: Option<serde_json::Value>,
}

/// One attempt of one stage on one entity: timing, status, error, cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageRunRecord {
    /// Id of this record.
    pub id: Uuid,
    /// The run.
    pub run_id: RunId,
    /// The entity.
    pub entity: EntityRef,
    /// The stage id.
    pub stage: String,
    /// The outcome of this attempt.
    pub status: CompletionStatus,
    /// Attempt number, from 1.
    pub attempt: u32,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it finished.
    pub finished_at: DateTime<Utc>,
    /// What it cost.
    pub cost: Credits,
    /// The error, if it failed.
    pub error: Option<String>,
}

/// One entry of the audit log: who did what to which entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Id (UUID v7, time-ordered).
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (`user:alice`, `stage:dedup`, `import`, …).
    pub actor: String,
    /// What (`merge`, `delete`, `import`, `erase`, …).
    pub action: String,
    /// The entity concerned, if one.
    pub entity: Option<EntityRef>,
    /// Details, as JSON.
    pub details: serde_json::Value,
}

impl AuditEntry {
    /// An entry stamped now.
    pub fn new(actor: impl Into<String>, action: impl Into<String>) -> Self {
        AuditEntry {
            id: Uuid::now_v7(),
            at: Utc::now(),
            actor: actor.into(),
            action: action.into(),
            entity: None,
            details: serde_json::Value::Null,
        }
    }
}

/// One cached fact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CacheEntry {
    /// The key within its namespace (e.g. a normalized email address).
    pub key: String,
    /// The cached value.
    pub value: serde_json::Value,
    /// When it was stored (callers compare it with their TTL).
    pub stored_at: DateTime<Utc>,
}
