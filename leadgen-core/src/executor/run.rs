//! The [`Executor`]: plans and runs stage sets over entities, resumes runs, and
//! takes callbacks of external stages.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::attempt::{Limiter, limiter};
use super::config::{ExecutorConfig, ForceRerun, RunRequest};
use super::coordinator::{Coordinator, RunInputs};
use super::eligibility::Prepared;
use super::events::{EventCallback, EventSink, ExecutorEvent};
use super::external::{ExternalMsg, ExternalResult, complete_stored};
use super::plan::Plan;
use super::registry::StageRegistry;
use super::summary::RunSummary;
use crate::clock::{Clock, Randomness, SystemClock, SystemRandomness};
use crate::error::{Error, Result};
use crate::model::{Credits, EntityRef, RunId};
use crate::store::{RunRecord, RunStatus, TenantStore};

/// The `kind` of run records the executor writes.
pub const RUN_KIND: &str = "enrich";

/// Runs stage DAGs over entities: plans, budgets, retries, resumable runs.
///
/// Cheap to share: hold it in an `Arc` and call it from many tasks; every run is
/// independent.
///
/// ```
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// use std::sync::Arc;
/// use leadgen_core::executor::{EntitySelection, Executor, ExecutorConfig, RunRequest,
///     StageRegistry, testing::NoopStage};
/// use leadgen_core::store::{MemoryStore, RunStatus, TenantStore};
/// use leadgen_core::{Company, EntityKind, TenantId};
///
/// let mut registry = StageRegistry::new();
/// registry.register(Arc::new(NoopStage::new("clean", EntityKind::Company)))?;
/// let executor = Executor::new(registry, ExecutorConfig::default())?;
/// let store = TenantStore::new(Arc::new(MemoryStore::new()), TenantId::new("acme")?);
/// store.upsert_company(&Company::new("Initech")).await?;
///
/// let request = RunRequest::new(["clean"], EntitySelection::All);
/// let plan = executor.plan(&store, &request).await?;
/// assert_eq!(plan.pairs_to_run, 1);
/// let summary = executor.run(&store, request.clone()).await?;
/// assert_eq!(summary.status, RunStatus::Completed);
/// // Completions are stored: a second run has nothing left to do.
/// assert_eq!(executor.plan(&store, &request).await?.pairs_to_run, 0);
/// # Ok::<(), leadgen_core::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct Executor {
    pub(super) registry: Arc<StageRegistry>,
    pub(super) config: Arc<ExecutorConfig>,
    pub(super) limiters: HashMap<String, Arc<Limiter>>,
    pub(super) events: EventSink,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) random: Arc<dyn Randomness>,
    active: Arc<Mutex<HashMap<RunId, mpsc::Sender<ExternalMsg>>>>,
}

impl Executor {
    /// An executor over a validated registry.
    pub fn new(registry: StageRegistry, config: ExecutorConfig) -> Result<Self> {
        registry.validate()?;
        for (id, limits) in &config.stage_limits {
            if registry.get(id).is_none() {
                return Err(Error::Config(format!(
                    "limits are configured for unknown stage `{id}`"
                )));
            }
            if limits.concurrency == 0 {
                return Err(Error::Config(format!(
                    "stage `{id}` has a concurrency of 0"
                )));
            }
        }
        if config.default_limits.concurrency == 0 {
            return Err(Error::Config("the default concurrency is 0".into()));
        }
        let limiters = config
            .rate_limits
            .iter()
            .map(|(provider, l)| (provider.clone(), limiter(l)))
            .collect();
        Ok(Executor {
            registry: Arc::new(registry),
            config: Arc::new(config),
            limiters,
            events: EventSink::new(),
            clock: Arc::new(SystemClock),
            random: Arc::new(SystemRandomness),
            active: Arc::default(),
        })
    }

    /// Uses another clock (tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Uses another source of randomness for retry jitter (tests).
    pub fn with_randomness(mut self, random: Arc<dyn Randomness>) -> Self {
        self.random = random;
        self
    }

    /// Calls `callback` with every event of every run.
    pub fn on_event(mut self, callback: EventCallback) -> Self {
        self.events = self.events.clone().with_callback(callback);
        self
    }

    /// A stream of the events of every later run.
    pub fn subscribe(&self) -> broadcast::Receiver<ExecutorEvent> {
        self.events.subscribe()
    }

    /// The registry.
    pub fn registry(&self) -> &StageRegistry {
        &self.registry
    }

    /// The configuration.
    pub fn config(&self) -> &ExecutorConfig {
        &self.config
    }

    /// What `request` would do: entities per stage, pairs to run, estimated credits.
    /// Reads the store, writes nothing.
    pub async fn plan(&self, store: &TenantStore, request: &RunRequest) -> Result<Plan> {
        let graph = self.registry.resolve(&request.stages)?;
        let prepared = Prepared::load(store, graph, request, None).await?;
        Ok(Plan::from_prepared(&prepared, request.budget))
    }

    /// Creates a pending run record for `request` without running it.
    pub async fn create_run(&self, store: &TenantStore, request: &RunRequest) -> Result<RunRecord> {
        let graph = self.registry.resolve(&request.stages)?;
        let mut run = RunRecord::new(RUN_KIND, graph.stage_ids().map(str::to_string).collect());
        run.created_at = self.clock.now();
        run.budget = request.budget;
        run.summary = request_summary(request)?;
        store.save_run(&run).await?;
        Ok(run)
    }

    /// Creates a run for `request` and runs it to the end.
    pub async fn run(&self, store: &TenantStore, request: RunRequest) -> Result<RunSummary> {
        self.run_with_cancel(store, request, CancellationToken::new())
            .await
    }

    /// Like [`Executor::run`], stopping (status `cancelled`) when `cancel` fires:
    /// no new pair starts, calls in flight are abandoned, nothing done is lost.
    pub async fn run_with_cancel(
        &self,
        store: &TenantStore,
        request: RunRequest,
        cancel: CancellationToken,
    ) -> Result<RunSummary> {
        let run = self.create_run(store, &request).await?;
        self.execute(store, run.id, cancel).await
    }

    /// Resumes a run (after a crash, a cancellation or a spent budget): only pairs
    /// without a completion run; nothing done is paid for twice.
    pub async fn resume(&self, store: &TenantStore, run_id: RunId) -> Result<RunSummary> {
        self.execute(store, run_id, CancellationToken::new()).await
    }

    /// Runs again the failed pairs of a run (and whatever they blocked).
    pub async fn retry_failed(&self, store: &TenantStore, run_id: RunId) -> Result<RunSummary> {
        let mut run = self.load_run(store, run_id).await?;
        let mut request = stored_request(&run)?;
        request.retry_failed = true;
        run.summary = request_summary(&request)?;
        store.save_run(&run).await?;
        self.execute(store, run_id, CancellationToken::new()).await
    }

    /// A new run re-enriching `entities` for `stages`, even where done already.
    pub async fn force(
        &self,
        store: &TenantStore,
        stages: Vec<String>,
        entities: Vec<EntityRef>,
    ) -> Result<RunSummary> {
        let mut request = RunRequest::new(
            stages.clone(),
            super::config::EntitySelection::Refs(entities.clone()),
        );
        request.force = Some(ForceRerun { entities, stages });
        self.run(store, request).await
    }

    pub(super) async fn load_run(&self, store: &TenantStore, run_id: RunId) -> Result<RunRecord> {
        store.get_run(run_id).await?.ok_or_else(|| Error::NotFound {
            entity: "run",
            id: run_id.to_string(),
        })
    }

    /// Executes (or resumes) a stored run.
    pub async fn execute(
        &self,
        store: &TenantStore,
        run_id: RunId,
        cancel: CancellationToken,
    ) -> Result<RunSummary> {
        let mut run = self.load_run(store, run_id).await?;
        let request = stored_request(&run)?;
        let graph = self.registry.resolve(&request.stages)?;
        let prepared = Prepared::load(store, graph, &request, Some(run_id)).await?;
        let daily_remaining = match self.config.tenant_daily_budget {
            None => None,
            Some(daily) => {
                let now = self.clock.now();
                let midnight = Utc
                    .from_utc_datetime(&now.date_naive().and_hms_opt(0, 0, 0).unwrap_or_default());
                Some(daily.saturating_sub(store.credits_spent_since(midnight).await?))
            }
        };
        run.status = RunStatus::Running;
        run.started_at.get_or_insert(self.clock.now());
        run.finished_at = None;
        store.save_run(&run).await?;

        let (tx, rx) = mpsc::channel(256);
        self.lock_active().insert(run_id, tx);
        let inputs = RunInputs {
            store: store.clone(),
            run,
            wait_for_external: request.wait_for_external,
            config: self.config.clone(),
            limiters: self.limiters.clone(),
            events: self.events.clone(),
            clock: self.clock.clone(),
            random: self.random.clone(),
            cancel,
            external: rx,
            daily_remaining,
            only: None,
        };
        let summary = Coordinator::new(prepared, inputs).run().await;
        self.lock_active().remove(&run_id);
        Ok(summary)
    }

    /// Delivers the result of an external stage's work for (`entity`, `stage`) of
    /// `run_id`. The pair must be `waiting`; anything else — an unknown run, pair
    /// or stage, a pair already settled — is a `NotFound` error and changes nothing.
    /// Returns once the result is stored.
    pub async fn complete_external(
        &self,
        store: &TenantStore,
        run_id: RunId,
        entity: EntityRef,
        stage: &str,
        result: ExternalResult,
    ) -> Result<()> {
        let active = self.lock_active().get(&run_id).cloned();
        if let Some(tx) = active {
            let (reply, answer) = oneshot::channel();
            let msg = ExternalMsg {
                entity,
                stage: stage.to_string(),
                result,
                reply,
            };
            match tx.send(msg).await {
                Ok(()) => {
                    if let Ok(r) = answer.await {
                        return r;
                    }
                    // The run ended before handling it: fall through to the store.
                    return Err(Error::Store {
                        kind: crate::ErrorKind::Storage,
                        backend: "executor",
                        message: format!(
                            "run {run_id} ended while the callback for {entity} / {stage} was queued; call again"
                        ),
                        source: None,
                    });
                }
                Err(mpsc::error::SendError(msg)) => {
                    return complete_stored(store, run_id, entity, stage, msg.result).await;
                }
            }
        }
        complete_stored(store, run_id, entity, stage, result).await
    }

    fn lock_active(&self) -> std::sync::MutexGuard<'_, HashMap<RunId, mpsc::Sender<ExternalMsg>>> {
        self.active.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The summary of a new run record: the request it runs.
fn request_summary(request: &RunRequest) -> Result<serde_json::Value> {
    let request = serde_json::to_value(request)
        .map_err(|e| Error::invalid("request", format!("cannot be stored: {e}")))?;
    Ok(serde_json::json!({ "request": request }))
}

/// The request a run record was created with.
pub(super) fn stored_request(run: &RunRecord) -> Result<RunRequest> {
    let raw = run.summary.get("request").cloned().ok_or_else(|| {
        Error::invalid(
            "run",
            format!(
                "run {} was not created by the executor (no request stored)",
                run.id
            ),
        )
    })?;
    serde_json::from_value(raw).map_err(|e| {
        Error::invalid(
            "run",
            format!("run {}: stored request unreadable: {e}", run.id),
        )
    })
}

/// Credits spent by the tenant today (UTC), for showing next to a plan.
pub async fn spent_today(store: &TenantStore, clock: &dyn Clock) -> Result<Credits> {
    let now = clock.now();
    let midnight =
        Utc.from_utc_datetime(&now.date_naive().and_hms_opt(0, 0, 0).unwrap_or_default());
    store.credits_spent_since(midnight).await
}
