//! Several workers on one run: [`Executor::work`] joins a stored run and works
//! the pairs it claims from the store's work queue ([`LeaseStore`]), alongside
//! any number of other workers — threads, processes or machines.
//!
//! A worker:
//! 1. queues every pair of the run that has no usable completion (pairs queued
//!    already, by itself or another worker, are left as they are);
//! 2. claims a batch of pairs with a lease (dependencies first), and extends its
//!    leases in the background while it works (every third of the lease);
//! 3. reads the batch's completions: a pair whose completion is stored already
//!    (its earlier holder died after storing it) is only marked done; a pair whose
//!    dependencies are not all settled yet is given back, claimable again a little
//!    later; the others run through the same scheduling as [`Executor::run`] —
//!    retries, timeouts, rate limits, budgets, stage-run records, events;
//! 4. marks the batch's pairs done once their completions are stored, and claims
//!    the next batch — until the queue has nothing left, when it writes the run's
//!    final record.
//!
//! A worker killed mid-pair stops extending its leases; once they expire another
//! worker claims the pairs and runs what has no completion. Completions stay the
//! source of truth for "done and paid".
//!
//! Budgets are checked per batch against the credits of the pairs done so far by
//! every worker; batches of several workers in flight at once can overshoot the
//! run's budget by what they spend. A worker stops once its batch finds the budget
//! spent (status `budget_exhausted`). External stages do not wait for callbacks in
//! a worker: their pairs stay `waiting` and [`Executor::complete_external`]
//! settles them in the store.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::config::{EntitySelection, RunRequest};
use super::coordinator::{Coordinator, RunInputs};
use super::eligibility::{Existing, Prepared};
use super::events::StageCounts;
use super::run::{Executor, stored_request};
use super::summary::StageSummary;
use crate::error::{Error, Result};
use crate::model::{Credits, EntityRef, RunId};
use crate::store::{CompletionStatus, LeaseStore, QueuedPair, RunStatus, TenantStore};

/// How many pairs one enqueue call carries.
const ENQUEUE_CHUNK: usize = 5_000;
/// How many entity refs one completion query carries.
const COMPLETION_CHUNK: usize = 1_000;

/// How a worker of a shared run behaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerConfig {
    /// This worker's id, unique among the run's workers (e.g. `host:pid`).
    pub worker_id: String,
    /// How long a claim holds without being extended; the worker extends its
    /// leases every third of it. A dead worker's pairs are taken over after it.
    pub lease: Duration,
    /// Pairs claimed at once.
    pub batch: usize,
    /// How long to wait when nothing is claimable but other workers still hold
    /// pairs.
    pub poll: Duration,
    /// How long a pair given back because its dependencies are not settled stays
    /// unclaimable.
    pub not_ready_delay: Duration,
}

impl WorkerConfig {
    /// A worker named `worker_id` with a 30 s lease and batches of 512 pairs.
    pub fn new(worker_id: impl Into<String>) -> Self {
        WorkerConfig {
            worker_id: worker_id.into(),
            lease: Duration::from_secs(30),
            batch: 512,
            poll: Duration::from_millis(100),
            not_ready_delay: Duration::from_millis(50),
        }
    }

    /// Sets the lease.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Sets the batch size.
    pub fn with_batch(mut self, batch: usize) -> Self {
        self.batch = batch;
        self
    }

    fn check(&self) -> Result<()> {
        if self.worker_id.trim().is_empty() {
            return Err(Error::Config("the worker id is empty".into()));
        }
        if self.lease < Duration::from_millis(100) {
            return Err(Error::Config(format!(
                "a lease of {:?} is too short (at least 100 ms)",
                self.lease
            )));
        }
        if self.batch == 0 {
            return Err(Error::Config("the worker batch size is 0".into()));
        }
        Ok(())
    }
}

/// What one worker did on a shared run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkerSummary {
    /// The run.
    pub run_id: RunId,
    /// The worker.
    pub worker_id: String,
    /// How the worker stopped: `completed` when the run's queue is empty.
    pub status: RunStatus,
    /// Batches worked.
    pub batches: u64,
    /// Pairs claimed (claims given back because of unsettled dependencies
    /// included).
    pub claimed: u64,
    /// Claimed pairs whose completion was stored already (taken over from a
    /// worker that died after storing it), marked done without running.
    pub already_done: u64,
    /// Claimed pairs given back because their dependencies were not settled.
    pub not_ready: u64,
    /// Per stage: what this worker's pairs did.
    pub stages: Vec<StageSummary>,
    /// Credits this worker spent.
    pub spent_now: Credits,
    /// Wall time.
    pub elapsed: Duration,
    /// The error that stopped the worker, for `failed`.
    pub error: Option<String>,
}

impl WorkerSummary {
    /// Pairs this worker settled.
    pub fn pairs_finished(&self) -> u64 {
        self.stages.iter().map(|s| s.counts.finished()).sum()
    }
}

/// One claimed pair, resolved against the batch's entities.
type PairKey = (EntityRef, String);

impl Executor {
    /// Joins the stored run `run_id` as a worker and works it until its queue is
    /// empty, alongside other workers. The store must have a work queue
    /// ([`TenantStore::leases`]; PostgreSQL and the memory store do). See the
    /// [module documentation](self).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
    /// use std::sync::Arc;
    /// use leadgen_core::executor::{EntitySelection, Executor, ExecutorConfig, RunRequest,
    ///     StageRegistry, WorkerConfig, testing::NoopStage};
    /// use leadgen_core::store::{MemoryStore, RunStatus, TenantStore};
    /// use leadgen_core::{Company, EntityKind, TenantId};
    ///
    /// let mut registry = StageRegistry::new();
    /// registry.register(Arc::new(NoopStage::new("clean", EntityKind::Company)))?;
    /// let executor = Executor::new(registry, ExecutorConfig::default())?;
    /// let store = TenantStore::new(Arc::new(MemoryStore::new()), TenantId::new("acme")?);
    /// store.upsert_company(&Company::new("Initech")).await?;
    ///
    /// let run = executor.create_run(&store, &RunRequest::new(["clean"], EntitySelection::All)).await?;
    /// let (a, b) = tokio::join!(
    ///     executor.work(&store, run.id, WorkerConfig::new("a")),
    ///     executor.work(&store, run.id, WorkerConfig::new("b")),
    /// );
    /// assert_eq!(a?.pairs_finished() + b?.pairs_finished(), 1);
    /// assert_eq!(store.get_run(run.id).await?.unwrap().status, RunStatus::Completed);
    /// # Ok::<(), leadgen_core::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn work(
        &self,
        store: &TenantStore,
        run_id: RunId,
        config: WorkerConfig,
    ) -> Result<WorkerSummary> {
        self.work_with_cancel(store, run_id, config, CancellationToken::new())
            .await
    }

    /// Like [`Executor::work`], stopping (status `cancelled`) when `cancel`
    /// fires; the pairs of the batch in hand that did not finish are given back.
    pub async fn work_with_cancel(
        &self,
        store: &TenantStore,
        run_id: RunId,
        config: WorkerConfig,
        cancel: CancellationToken,
    ) -> Result<WorkerSummary> {
        config.check()?;
        let Some(leases) = store.leases() else {
            return Err(Error::Config(format!(
                "the {} store cannot share a run between workers; run it in one process \
                 (resume) or use PostgreSQL",
                store.store().backend()
            )));
        };
        let started = Instant::now();
        let mut run = self.load_run(store, run_id).await?;
        let request = stored_request(&run)?;
        let graph = self.registry.resolve(&request.stages)?;
        let stage_ids: Vec<String> = graph.stage_ids().map(str::to_string).collect();

        // 1. Queue what has no usable completion.
        let prepared = Prepared::load(store, graph, &request, Some(run_id)).await?;
        let mut pairs = Vec::new();
        for (s, slots) in prepared.existing.iter().enumerate() {
            for (slot, ex) in slots.iter().enumerate() {
                if ex.is_none() {
                    let e = prepared.entity_index(s, slot);
                    pairs.push(QueuedPair {
                        entity: prepared.entities[e].entity_ref(),
                        stage: stage_ids[s].clone(),
                        rank: s as u32,
                    });
                }
            }
        }
        drop(prepared);
        for chunk in pairs.chunks(ENQUEUE_CHUNK) {
            leases.enqueue_pairs(store.tenant(), run_id, chunk).await?;
        }
        drop(pairs);
        if run.status == RunStatus::Pending {
            run.status = RunStatus::Running;
            run.started_at.get_or_insert(self.clock.now());
            store.save_run(&run).await?;
        }

        // 2. Heartbeat.
        let heartbeat = {
            let store = store.clone();
            let worker = config.worker_id.clone();
            let lease = config.lease;
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(lease / 3);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                tick.tick().await;
                loop {
                    tick.tick().await;
                    if let Some(l) = store.leases() {
                        // A failed heartbeat is retried at the next tick; if the
                        // leases expire meanwhile, another worker takes over.
                        let _ = l
                            .extend_leases(store.tenant(), run_id, &worker, lease)
                            .await;
                    }
                }
            })
        };
        let mut acc = Accumulator::new(&stage_ids);
        let outcome = self
            .work_loop(store, leases, &run, &request, &config, &cancel, &mut acc)
            .await;
        heartbeat.abort();
        let (status, error) = match outcome {
            Ok(status) => (status, None),
            Err(e) => (RunStatus::Failed, Some(e.to_string())),
        };
        if status == RunStatus::Completed {
            // 4. The queue is empty: the run is done; any worker may say so.
            if let Some(mut run) = store.get_run(run_id).await? {
                run.status = RunStatus::Completed;
                run.spent = run
                    .spent
                    .max(leases.queue_spent(store.tenant(), run_id).await?);
                run.finished_at = Some(self.clock.now());
                store.save_run(&run).await?;
            }
        } else if status == RunStatus::BudgetExhausted
            && let Some(mut run) = store.get_run(run_id).await?
        {
            run.status = RunStatus::BudgetExhausted;
            run.spent = run
                .spent
                .max(leases.queue_spent(store.tenant(), run_id).await?);
            run.finished_at = Some(self.clock.now());
            store.save_run(&run).await?;
        }
        Ok(WorkerSummary {
            run_id,
            worker_id: config.worker_id,
            status,
            batches: acc.batches,
            claimed: acc.claimed,
            already_done: acc.already_done,
            not_ready: acc.not_ready,
            stages: acc.stages,
            spent_now: acc.spent_now,
            elapsed: started.elapsed(),
            error,
        })
    }

    #[allow(clippy::too_many_arguments)]
    async fn work_loop(
        &self,
        store: &TenantStore,
        leases: &dyn LeaseStore,
        run: &crate::store::RunRecord,
        request: &RunRequest,
        config: &WorkerConfig,
        cancel: &CancellationToken,
        acc: &mut Accumulator,
    ) -> Result<RunStatus> {
        let tenant = store.tenant();
        loop {
            if cancel.is_cancelled() {
                return Ok(RunStatus::Cancelled);
            }
            let claimed = leases
                .claim_pairs(
                    tenant,
                    run.id,
                    &config.worker_id,
                    config.batch,
                    config.lease,
                )
                .await?;
            if claimed.is_empty() {
                if leases.queue_counts(tenant, run.id).await?.remaining() == 0 {
                    return Ok(RunStatus::Completed);
                }
                tokio::select! {
                    _ = tokio::time::sleep(config.poll) => {}
                    _ = cancel.cancelled() => return Ok(RunStatus::Cancelled),
                }
                continue;
            }
            acc.batches += 1;
            acc.claimed += claimed.len() as u64;
            let keys: Vec<PairKey> = claimed.into_iter().map(|l| (l.entity, l.stage)).collect();
            let status = self
                .work_batch(store, leases, run, request, config, cancel, &keys, acc)
                .await?;
            match status {
                RunStatus::Completed | RunStatus::Running | RunStatus::Pending => {}
                other => return Ok(other),
            }
        }
    }

    /// Works one claimed batch; returns the batch's status.
    #[allow(clippy::too_many_arguments)]
    async fn work_batch(
        &self,
        store: &TenantStore,
        leases: &dyn LeaseStore,
        run: &crate::store::RunRecord,
        request: &RunRequest,
        config: &WorkerConfig,
        cancel: &CancellationToken,
        claimed: &[PairKey],
        acc: &mut Accumulator,
    ) -> Result<RunStatus> {
        let tenant = store.tenant();
        let worker = config.worker_id.as_str();
        let mut refs: Vec<EntityRef> = Vec::new();
        let mut seen = HashSet::new();
        for (e, _) in claimed {
            if seen.insert(*e) {
                refs.push(*e);
            }
        }
        let mut batch_request = request.clone();
        batch_request.entities = EntitySelection::Refs(refs);
        let graph = self.registry.resolve(&request.stages)?;
        let mut p = Prepared::load(store, graph, &batch_request, Some(run.id)).await?;

        // The stored completions of every entity of the batch, as they are now.
        let all_refs: Vec<EntityRef> = p.entities.iter().map(|e| e.entity_ref()).collect();
        let pos: HashMap<EntityRef, usize> =
            all_refs.iter().enumerate().map(|(i, r)| (*r, i)).collect();
        let stage_ids: Vec<String> = p.graph.stage_ids().map(str::to_string).collect();
        let mut raw: HashMap<(usize, EntityRef), (CompletionStatus, DateTime<Utc>, Credits)> =
            HashMap::new();
        for chunk in all_refs.chunks(COMPLETION_CHUNK) {
            for c in store.get_completions(chunk, &stage_ids).await? {
                if let Some(s) = p.graph.index_of(&c.stage) {
                    raw.insert((s, c.entity), (c.status, c.started_at, c.cost));
                }
            }
        }

        let mut only: Vec<Vec<bool>> = p.existing.iter().map(|v| vec![false; v.len()]).collect();
        let mut done: Vec<(EntityRef, String, Credits)> = Vec::new();
        let mut not_ready: Vec<PairKey> = Vec::new();
        let mut to_run = 0usize;
        for (entity, stage) in claimed {
            let (Some(s), Some(&e)) = (p.graph.index_of(stage), pos.get(entity)) else {
                // A stage no longer in the run or an entity deleted meanwhile:
                // nothing to do for it.
                done.push((*entity, stage.clone(), Credits::ZERO));
                continue;
            };
            let range = p.range(p.graph.kinds[s]);
            if !range.contains(&e) {
                done.push((*entity, stage.clone(), Credits::ZERO));
                continue;
            }
            let slot = e - range.start;
            if p.existing[s][slot].is_some() {
                let cost = raw.get(&(s, *entity)).map(|r| r.2).unwrap_or_default();
                done.push((*entity, stage.clone(), cost));
                acc.already_done += 1;
                continue;
            }
            let ready =
                p.graph.deps[s]
                    .iter()
                    .all(|edge| match p.dep_target(s, slot, edge.cross) {
                        None => true,
                        Some(t) => {
                            let on = all_refs[p.entity_index(edge.stage, t)];
                            raw.get(&(edge.stage, on))
                                .is_some_and(|r| r.0 != CompletionStatus::Waiting)
                        }
                    });
            if ready {
                only[s][slot] = true;
                to_run += 1;
            } else {
                not_ready.push((*entity, stage.clone()));
            }
        }
        // Pairs outside the batch: as stored, whatever their status.
        for s in 0..p.existing.len() {
            for slot in 0..p.existing[s].len() {
                if only[s][slot] || p.existing[s][slot].is_some() {
                    continue;
                }
                let on = all_refs[p.entity_index(s, slot)];
                if let Some(&(status, started_at, _)) = raw.get(&(s, on)) {
                    p.existing[s][slot] = Some(Existing { status, started_at });
                }
            }
        }
        acc.not_ready += not_ready.len() as u64;
        if !not_ready.is_empty() {
            leases
                .release_pairs(tenant, run.id, worker, &not_ready, config.not_ready_delay)
                .await?;
        }
        let mut status = RunStatus::Completed;
        if to_run > 0 {
            let daily_remaining = match self.config.tenant_daily_budget {
                None => None,
                Some(daily) => {
                    Some(daily.saturating_sub(super::run::spent_today(store, &*self.clock).await?))
                }
            };
            let mut batch_run = run.clone();
            if run.budget.is_some() {
                // Only a budget needs it: summing every done pair per batch costs.
                batch_run.spent = run.spent.max(leases.queue_spent(tenant, run.id).await?);
            }
            let (_tx, external) = mpsc::channel(1);
            let inputs = RunInputs {
                store: store.clone(),
                run: batch_run,
                wait_for_external: false,
                config: self.config.clone(),
                limiters: self.limiters.clone(),
                events: self.events.clone(),
                clock: self.clock.clone(),
                random: self.random.clone(),
                cancel: cancel.child_token(),
                external,
                daily_remaining,
                only: Some(only.clone()),
            };
            let ids: Vec<std::sync::Arc<str>> = p.graph.ids.clone();
            let kinds = p.graph.kinds.clone();
            let n_companies = p.n_companies;
            let (summary, settled) = Coordinator::new(p, inputs).run_collect().await;
            let mut ran = HashSet::new();
            for (s, slot, cost) in settled {
                let (s, slot) = (s as usize, slot as usize);
                let e = match kinds[s] {
                    crate::model::EntityKind::Company => slot,
                    crate::model::EntityKind::Contact => n_companies + slot,
                };
                ran.insert((s, slot));
                done.push((all_refs[e], ids[s].to_string(), cost));
            }
            // Pairs of the batch that did not finish (cancelled, budget spent).
            let mut unfinished = Vec::new();
            for (s, slots) in only.iter().enumerate() {
                for (slot, &mine) in slots.iter().enumerate() {
                    if mine && !ran.contains(&(s, slot)) {
                        let e = match kinds[s] {
                            crate::model::EntityKind::Company => slot,
                            crate::model::EntityKind::Contact => n_companies + slot,
                        };
                        unfinished.push((all_refs[e], ids[s].to_string()));
                    }
                }
            }
            if !unfinished.is_empty() {
                leases
                    .release_pairs(tenant, run.id, worker, &unfinished, Duration::ZERO)
                    .await?;
            }
            acc.add(&summary);
            if let Some(error) = summary.error {
                return Err(Error::Store {
                    kind: crate::ErrorKind::Storage,
                    backend: "executor",
                    message: format!("worker {worker}: {error}"),
                    source: None,
                });
            }
            status = summary.status;
        }
        if !done.is_empty() {
            leases.finish_pairs(tenant, run.id, worker, &done).await?;
        }
        Ok(status)
    }
}

/// Sums the batches of one worker.
struct Accumulator {
    batches: u64,
    claimed: u64,
    already_done: u64,
    not_ready: u64,
    stages: Vec<StageSummary>,
    spent_now: Credits,
}

impl Accumulator {
    fn new(stage_ids: &[String]) -> Self {
        Accumulator {
            batches: 0,
            claimed: 0,
            already_done: 0,
            not_ready: 0,
            stages: stage_ids
                .iter()
                .map(|s| StageSummary {
                    stage: s.clone(),
                    counts: StageCounts::default(),
                    cost: Credits::ZERO,
                    attempts: 0,
                })
                .collect(),
            spent_now: Credits::ZERO,
        }
    }

    fn add(&mut self, summary: &super::summary::RunSummary) {
        self.spent_now += summary.spent_now;
        for st in &summary.stages {
            if let Some(mine) = self.stages.iter_mut().find(|m| m.stage == st.stage) {
                let (a, b) = (&mut mine.counts, &st.counts);
                a.completed += b.completed;
                a.skipped += b.skipped;
                a.failed += b.failed;
                a.blocked += b.blocked;
                a.waiting += b.waiting;
                mine.cost += st.cost;
                mine.attempts += st.attempts;
            }
        }
    }
}
