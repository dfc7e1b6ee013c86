//! The DAG executor: runs stages over companies and contacts, paying once for
//! each piece of work and never more than the budget allows.
//!
//! - [`StageRegistry`] holds the stages and validates their graph (cycles, unknown
//!   dependencies, kinds) with errors that name the stages; depth presets are
//!   named stage sets.
//! - [`Executor::plan`] tells, before anything runs, how many entities each stage
//!   will touch and what it should cost ([`Plan`], as text and as Mermaid).
//! - [`Executor::run`] runs: bounded concurrency per stage, rate limits per
//!   provider, retries with backoff and jitter for retryable errors (honouring
//!   `Retry-After`), a timeout per call, cancellation, and credit budgets per run
//!   and per tenant per day. Panicking stages are recorded as failed; the run goes
//!   on.
//! - Completions are stored, so [`Executor::resume`] after a crash runs only what
//!   is missing; [`Executor::retry_failed`] and [`Executor::force`] re-run on
//!   request.
//! - External stages wait for [`Executor::complete_external`].
//! - [`Executor::work`] joins a stored run as one of several workers (processes
//!   or machines) sharing it through the store's work queue of leased pairs
//!   ([`LeaseStore`](crate::store::LeaseStore), on PostgreSQL).
//! - [`Waterfall`] tries providers in order until the wanted fields are found.
//! - Progress arrives as [`ExecutorEvent`]s, by callback or broadcast stream.

mod attempt;
mod budget;
mod config;
mod coordinator;
mod eligibility;
mod events;
mod external;
mod plan;
mod registry;
mod run;
mod summary;
pub mod testing;
mod waterfall;
mod worker;
mod writer;

pub use config::{
    AttemptRecords, EntitySelection, ExecutorConfig, ForceRerun, RateLimit, RetryPolicy,
    RunRequest, StageLimits,
};
pub use events::{EVENT_BUFFER, EventCallback, EventSink, ExecutorEvent, StageCounts};
pub use external::ExternalResult;
pub use plan::{Plan, StagePlan};
pub use registry::{PRESET_FULL, PRESET_QUICK, PRESET_STANDARD, RunGraph, StageRegistry};
pub use run::{Executor, RUN_KIND, spent_today};
pub use summary::{RunReport, RunSummary, StageRunStats, StageSummary, list_runs, run_report};
pub use tokio_util::sync::CancellationToken;
pub use waterfall::Waterfall;
pub use worker::{WorkerConfig, WorkerSummary};

#[cfg(test)]
mod tests;
