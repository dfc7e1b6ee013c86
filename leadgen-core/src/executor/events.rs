//! Progress events: what the CLI draws as progress bars and the bindings hand to
//! callbacks.
//!
//! Events go to an optional callback (called inline, so keep it cheap) and to a
//! tokio broadcast channel that any number of subscribers read; a subscriber that
//! falls behind loses the oldest events, never slows the run.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::broadcast;

use crate::model::{Credits, EntityRef, RunId};
use crate::store::{CompletionStatus, RunStatus};

/// How many events a broadcast subscriber may lag behind before losing some.
pub const EVENT_BUFFER: usize = 4096;

/// Counts of pair outcomes for one stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StageCounts {
    /// Completed in this run.
    pub completed: u64,
    /// Skipped (gate) in this run.
    pub skipped: u64,
    /// Failed in this run.
    pub failed: u64,
    /// Blocked by a failed hard dependency in this run.
    pub blocked: u64,
    /// Waiting for an external callback when the run ended.
    pub waiting: u64,
    /// Already done before the run (completed or skipped earlier), not run again.
    pub already_done: u64,
    /// Not run: the budget was spent, the run was cancelled, or a dependency
    /// did not finish.
    pub not_run: u64,
}

impl StageCounts {
    /// Adds one outcome.
    pub(crate) fn add(&mut self, status: CompletionStatus) {
        match status {
            CompletionStatus::Completed => self.completed += 1,
            CompletionStatus::Skipped => self.skipped += 1,
            CompletionStatus::Failed => self.failed += 1,
            CompletionStatus::Blocked => self.blocked += 1,
            CompletionStatus::Waiting => self.waiting += 1,
        }
    }

    /// Pairs that reached an outcome in this run (completed, skipped, failed, blocked).
    pub fn finished(&self) -> u64 {
        self.completed + self.skipped + self.failed + self.blocked
    }
}

/// One progress event of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExecutorEvent {
    /// The run started.
    RunStarted {
        /// The run.
        run_id: RunId,
        /// Its stages, dependencies first.
        stages: Vec<String>,
        /// Pairs the run expects to work (not already done).
        pairs: u64,
    },
    /// One (entity, stage) pair reached an outcome.
    PairFinished {
        /// The run.
        run_id: RunId,
        /// The stage.
        stage: Arc<str>,
        /// The entity.
        entity: EntityRef,
        /// The outcome.
        status: CompletionStatus,
        /// Credits it cost.
        cost: Credits,
        /// Attempts it took (0 when it did not run: skipped by gate, blocked).
        attempts: u32,
    },
    /// Every pair of a stage reached an outcome (or the run ended).
    StageFinished {
        /// The run.
        run_id: RunId,
        /// The stage.
        stage: Arc<str>,
        /// Its counts.
        counts: StageCounts,
    },
    /// Credits were spent.
    CreditsSpent {
        /// The run.
        run_id: RunId,
        /// The stage that spent them.
        stage: Arc<str>,
        /// How much this time.
        amount: Credits,
        /// The run's total so far.
        run_total: Credits,
    },
    /// The run ended.
    RunFinished {
        /// The run.
        run_id: RunId,
        /// How it ended.
        status: RunStatus,
        /// Credits spent in the run.
        spent: Credits,
    },
}

/// A callback receiving every event, inline.
pub type EventCallback = Arc<dyn Fn(&ExecutorEvent) + Send + Sync>;

/// Where events go: a callback and a broadcast channel.
#[derive(Clone)]
pub struct EventSink {
    callback: Option<EventCallback>,
    sender: broadcast::Sender<ExecutorEvent>,
}

impl fmt::Debug for EventSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventSink")
            .field("callback", &self.callback.is_some())
            .field("subscribers", &self.sender.receiver_count())
            .finish()
    }
}

impl Default for EventSink {
    fn default() -> Self {
        EventSink::new()
    }
}

impl EventSink {
    /// A sink with no callback and no subscriber yet.
    pub fn new() -> Self {
        EventSink {
            callback: None,
            sender: broadcast::channel(EVENT_BUFFER).0,
        }
    }

    /// Sets the callback.
    pub fn with_callback(mut self, callback: EventCallback) -> Self {
        self.callback = Some(callback);
        self
    }

    /// A new receiver of every later event.
    pub fn subscribe(&self) -> broadcast::Receiver<ExecutorEvent> {
        self.sender.subscribe()
    }

    /// Whether anyone listens (so per-pair events can be skipped when nobody does).
    pub(crate) fn is_listened(&self) -> bool {
        self.callback.is_some() || self.sender.receiver_count() > 0
    }

    /// Delivers one event.
    pub(crate) fn emit(&self, event: ExecutorEvent) {
        if let Some(cb) = &self.callback {
            cb(&event);
        }
        if self.sender.receiver_count() > 0 {
            // An error only means every receiver went away meanwhile.
            let _ = self.sender.send(event);
        }
    }
}
