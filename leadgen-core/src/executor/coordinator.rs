//! The scheduling loop of one run execution.
//!
//! One task owns every pair's state: it counts, per pair, the dependencies not yet
//! settled; when that count reaches zero it decides the pair (run, skip, block);
//! it starts pairs within each stage's concurrency and the budget; and it turns
//! each pair's report into a completion, stage-run records and events. Pairs run
//! in tokio tasks, a batch of ready pairs of one stage per task (so that a fast
//! stage costs one spawn per batch, not per pair, while each pair still reports
//! as soon as it settles); everything durable goes through the [`Writer`].

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::attempt::{Attempt, Limiter, PairJob, PairReport, Settled};
use super::budget::Budget;
use super::config::{AttemptRecords, ExecutorConfig, StageLimits};
use super::eligibility::{Decision, Prepared};
use super::events::{EventSink, ExecutorEvent, StageCounts};
use super::external::{ExternalMsg, ExternalResult};
use super::summary::{RunSummary, StageSummary};
use super::writer::{WriteItem, Writer};
use crate::clock::{Clock, Randomness};
use crate::error::{Error, Result};
use crate::model::{Credits, Entity, EntityKind, EntityRef};
use crate::stage::{StageContext, StageOutcome};
use crate::store::{
    Completion, CompletionStatus, RunRecord, RunStatus, StageRunRecord, TenantStore,
};

/// Where a pair is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Dependencies not settled yet.
    Pending,
    /// Ready, waiting for a concurrency slot.
    Queued,
    /// A task is working it.
    Running,
    /// External work started; waiting for its callback.
    Waiting,
    /// Not started because the budget is spent.
    Deferred,
    /// Settled with this outcome (now or before the run).
    Done(CompletionStatus),
    /// Not this execution's to run (another worker's pair, in a shared run).
    Foreign,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    pending: u32,
    state: State,
}

/// What a run execution needs besides its prepared pairs.
pub(crate) struct RunInputs {
    pub store: TenantStore,
    pub run: RunRecord,
    pub wait_for_external: bool,
    pub config: Arc<ExecutorConfig>,
    pub limiters: HashMap<String, Arc<Limiter>>,
    pub events: EventSink,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Randomness>,
    pub cancel: CancellationToken,
    pub external: mpsc::Receiver<ExternalMsg>,
    pub daily_remaining: Option<Credits>,
    /// In a run shared by workers: per stage, per slot, the pairs this batch
    /// may run. Other pairs without a completion are left alone, the run record
    /// is not written, and run-level events are not sent.
    pub only: Option<Vec<Vec<bool>>>,
}

pub(crate) struct Coordinator {
    p: Prepared,
    inputs: RunInputs,
    slots: Vec<Vec<Slot>>,
    queues: Vec<VecDeque<u32>>,
    in_flight: Vec<usize>,
    limits: Vec<StageLimits>,
    stage_limiters: Vec<Option<Arc<Limiter>>>,
    counts: Vec<StageCounts>,
    costs: Vec<Credits>,
    attempts: Vec<u64>,
    unsettled: Vec<u64>,
    stage_finished_sent: Vec<bool>,
    budget: Budget,
    spent_before: Credits,
    deadlines: BinaryHeap<Reverse<(Instant, u32, u32)>>,
    /// The batch tasks; each sends its pairs' reports before it ends.
    tasks: JoinSet<()>,
    reports_tx: mpsc::UnboundedSender<PairReport>,
    reports: mpsc::UnboundedReceiver<PairReport>,
    ids: FastIds,
    writer: Writer,
    writer_failed: mpsc::UnboundedReceiver<String>,
    company_ctx: Arc<StageContext>,
    contact_ctx: Vec<Option<Arc<StageContext>>>,
    entity_index: Option<HashMap<EntityRef, usize>>,
    /// Pairs in [`State::Waiting`] (the heap may hold stale deadlines).
    waiting: usize,
    listened: bool,
    fatal: Option<String>,
    /// In a shared run: the pairs settled (or left waiting), with their cost.
    settled_pairs: Vec<(u32, u32, Credits)>,
}

impl Coordinator {
    pub fn new(p: Prepared, inputs: RunInputs) -> Coordinator {
        let g = &p.graph;
        let n = g.len();
        let (failed_tx, writer_failed) = mpsc::unbounded_channel();
        let writer = Writer::start(inputs.store.clone(), failed_tx);
        let limits: Vec<StageLimits> = g
            .ids
            .iter()
            .map(|id| inputs.config.limits(id).clone())
            .collect();
        let stage_limiters = g
            .stages
            .iter()
            .map(|s| s.provider().and_then(|pr| inputs.limiters.get(pr).cloned()))
            .collect();
        let company_ctx = Arc::new(StageContext {
            store: inputs.store.clone(),
            run_id: inputs.run.id,
            clock: inputs.clock.clone(),
            company: None,
        });
        let budget = Budget::new(inputs.run.budget, inputs.daily_remaining, inputs.run.spent);
        let slots = (0..n)
            .map(|s| {
                vec![
                    Slot {
                        pending: 0,
                        state: State::Pending
                    };
                    p.range(g.kinds[s]).len()
                ]
            })
            .collect();
        let n_contacts = p.entities.len() - p.n_companies;
        let (reports_tx, reports) = mpsc::unbounded_channel();
        let ids = FastIds::new(inputs.random.next_u64());
        Coordinator {
            reports_tx,
            reports,
            ids,
            slots,
            queues: vec![VecDeque::new(); n],
            in_flight: vec![0; n],
            limits,
            stage_limiters,
            counts: vec![StageCounts::default(); n],
            costs: vec![Credits::ZERO; n],
            attempts: vec![0; n],
            unsettled: vec![0; n],
            stage_finished_sent: vec![false; n],
            spent_before: inputs.run.spent,
            budget,
            deadlines: BinaryHeap::new(),
            tasks: JoinSet::new(),
            writer,
            writer_failed,
            company_ctx,
            contact_ctx: vec![None; n_contacts],
            entity_index: None,
            waiting: 0,
            listened: inputs.events.is_listened(),
            fatal: None,
            settled_pairs: Vec::new(),
            p,
            inputs,
        }
    }

    /// Runs to the end and returns the summary.
    pub async fn run(self) -> RunSummary {
        self.run_collect().await.0
    }

    /// Runs to the end; returns the summary and, in a shared run, the pairs
    /// settled or left waiting (stage, slot, cost).
    pub async fn run_collect(mut self) -> (RunSummary, Vec<(u32, u32, Credits)>) {
        let started = Instant::now();
        // Pairs not settled before the run (waiting ones included).
        let to_run = self
            .p
            .existing
            .iter()
            .flatten()
            .filter(|e| e.is_none_or(|e| e.status == CompletionStatus::Waiting))
            .count() as u64;
        if self.inputs.only.is_none() {
            self.inputs.events.emit(ExecutorEvent::RunStarted {
                run_id: self.inputs.run.id,
                stages: self.p.graph.ids.iter().map(|s| s.to_string()).collect(),
                pairs: to_run,
            });
        }
        self.initialize();
        for s in 0..self.p.graph.len() {
            self.maybe_stage_finished(s);
        }
        let mut cancelled = false;
        let mut report_buf = Vec::with_capacity(4096);
        loop {
            if !cancelled && self.fatal.is_none() {
                self.dispatch_all();
            }
            let waiting_counts =
                self.inputs.wait_for_external && !cancelled && self.fatal.is_none();
            if self.tasks.is_empty()
                && self.reports.is_empty()
                && (self.waiting == 0 || !waiting_counts)
            {
                break;
            }
            let next_deadline = self.deadlines.peek().map(|Reverse((at, _, _))| *at);
            tokio::select! {
                biased;
                Some(msg) = self.writer_failed.recv() => {
                    self.fatal = Some(msg);
                    self.inputs.cancel.cancel();
                }
                n = self.reports.recv_many(&mut report_buf, 4096) => {
                    for report in report_buf.drain(..n) {
                        self.on_report(report);
                    }
                }
                Some(joined) = self.tasks.join_next(), if !self.tasks.is_empty() => {
                    // Pair futures catch their own panics; a join error means the
                    // runtime is shutting down and the batch's pairs are lost.
                    if let Err(e) = joined {
                        self.fatal = Some(format!("a batch of pairs was lost: {e}"));
                        self.inputs.cancel.cancel();
                    }
                }
                Some(msg) = self.inputs.external.recv() => self.on_external(msg),
                _ = self.inputs.cancel.cancelled(), if !cancelled => cancelled = true,
                _ = sleep_until(next_deadline), if next_deadline.is_some() && waiting_counts => {
                    self.expire_waiting();
                }
            }
        }
        self.inputs.external.close();
        while let Ok(msg) = self.inputs.external.try_recv() {
            self.on_external(msg);
        }
        self.finish(started.elapsed(), cancelled).await
    }

    /// The initial pass: pairs done before the run, pairs waiting, and pairs whose
    /// dependencies are all settled already.
    fn initialize(&mut self) {
        let now = self.inputs.clock.now();
        for s in 0..self.p.graph.len() {
            let len = self.slots[s].len();
            let external_timeout = self.limits[s].external_timeout;
            for slot in 0..len {
                if let Some(ex) = self.p.existing[s][slot] {
                    if ex.status == CompletionStatus::Waiting {
                        self.slots[s][slot].state = State::Waiting;
                        self.waiting += 1;
                        self.unsettled[s] += 1;
                        let waited = (now - ex.started_at).to_std().unwrap_or_default();
                        let left = external_timeout.saturating_sub(waited);
                        self.deadlines.push(Reverse((
                            Instant::now() + left,
                            s as u32,
                            slot as u32,
                        )));
                    } else {
                        self.slots[s][slot].state = State::Done(ex.status);
                        self.counts[s].already_done += 1;
                    }
                    continue;
                }
                if let Some(only) = &self.inputs.only
                    && !only[s][slot]
                {
                    self.slots[s][slot].state = State::Foreign;
                    continue;
                }
                self.unsettled[s] += 1;
                let mut pending = 0;
                for edge in &self.p.graph.deps[s] {
                    if let Some(t) = self.p.dep_target(s, slot, edge.cross)
                        && !matches!(self.slots[edge.stage][t].state, State::Done(_))
                    {
                        pending += 1;
                    }
                }
                self.slots[s][slot].pending = pending;
                if pending == 0 {
                    self.decide(s, slot);
                }
            }
        }
    }

    /// Decides a pair whose dependencies are settled.
    fn decide(&mut self, s: usize, slot: usize) {
        let e = self.p.entity_index(s, slot);
        let entity = self.p.entities[e].clone();
        let slots = &self.slots;
        let decision = self
            .p
            .decide(s, slot, &entity, |ds, dslot| match slots[ds][dslot].state {
                State::Done(st) => st,
                _ => CompletionStatus::Blocked,
            });
        let now = self.inputs.clock.now();
        match decision {
            Decision::Run => {
                self.slots[s][slot].state = State::Queued;
                self.queues[s].push_back(slot as u32);
            }
            Decision::Skip(reason) => {
                self.write_completion(
                    s,
                    e,
                    CompletionStatus::Skipped,
                    now,
                    0,
                    Credits::ZERO,
                    None,
                    Some(serde_json::json!({ "reason": reason })),
                );
                self.settle(s, slot, CompletionStatus::Skipped, Credits::ZERO, 0);
            }
            Decision::Block(reason) => {
                self.write_completion(
                    s,
                    e,
                    CompletionStatus::Blocked,
                    now,
                    0,
                    Credits::ZERO,
                    Some(reason),
                    None,
                );
                self.settle(s, slot, CompletionStatus::Blocked, Credits::ZERO, 0);
            }
        }
    }

    /// Records a pair's outcome in memory and releases its dependents.
    fn settle(
        &mut self,
        s: usize,
        slot: usize,
        status: CompletionStatus,
        cost: Credits,
        attempts: u32,
    ) {
        if self.slots[s][slot].state == State::Waiting {
            self.waiting -= 1;
        }
        self.slots[s][slot].state = State::Done(status);
        self.counts[s].add(status);
        if self.inputs.only.is_some() {
            self.settled_pairs.push((s as u32, slot as u32, cost));
        }
        self.unsettled[s] = self.unsettled[s].saturating_sub(1);
        if self.listened {
            let e = self.p.entity_index(s, slot);
            self.inputs.events.emit(ExecutorEvent::PairFinished {
                run_id: self.inputs.run.id,
                stage: self.p.graph.ids[s].clone(),
                entity: self.p.entities[e].entity_ref(),
                status,
                cost,
                attempts,
            });
        }
        self.maybe_stage_finished(s);
        for i in 0..self.p.graph.dependents[s].len() {
            let edge = self.p.graph.dependents[s][i];
            if edge.cross {
                let company = self.p.entity_index(s, slot);
                for j in 0..self.p.contacts_of[company].len() {
                    let contact = self.p.contacts_of[company][j] as usize;
                    self.release(edge.stage, contact - self.p.n_companies);
                }
            } else {
                self.release(edge.stage, slot);
            }
        }
    }

    fn release(&mut self, d: usize, slot: usize) {
        let sl = &mut self.slots[d][slot];
        if sl.state == State::Pending && sl.pending > 0 {
            sl.pending -= 1;
            if sl.pending == 0 {
                self.decide(d, slot);
            }
        }
    }

    fn maybe_stage_finished(&mut self, s: usize) {
        if self.unsettled[s] == 0 && !self.stage_finished_sent[s] && self.inputs.only.is_none() {
            self.stage_finished_sent[s] = true;
            self.inputs.events.emit(ExecutorEvent::StageFinished {
                run_id: self.inputs.run.id,
                stage: self.p.graph.ids[s].clone(),
                counts: self.counts[s],
            });
        }
    }

    fn dispatch_all(&mut self) {
        for s in 0..self.queues.len() {
            let mut batch = Vec::new();
            while self.in_flight[s] < self.limits[s].concurrency.max(1) && batch.len() < MAX_BATCH {
                let Some(slot) = self.queues[s].pop_front() else {
                    break;
                };
                if let Some(job) = self.start(s, slot as usize) {
                    batch.push(job);
                }
            }
            if batch.is_empty() {
                continue;
            }
            let tx = self.reports_tx.clone();
            self.tasks.spawn(async move {
                let mut running: FuturesUnordered<_> =
                    batch.into_iter().map(PairJob::execute).collect();
                while let Some(report) = running.next().await {
                    // The coordinator outlives every batch; a failed send means it
                    // is gone, and so is the interest in this report.
                    let _ = tx.send(report);
                }
            });
        }
    }

    /// Prepares a queued pair to run, or defers it when the budget is spent.
    fn start(&mut self, s: usize, slot: usize) -> Option<PairJob> {
        let stage = self.p.graph.stages[s].clone();
        let e = self.p.entity_index(s, slot);
        let entity = self.p.entities[e].clone();
        let mut reserved = Credits::ZERO;
        if stage.is_paid() {
            let estimate = stage.estimate(&entity);
            if !self.budget.try_reserve(estimate) {
                self.slots[s][slot].state = State::Deferred;
                return None;
            }
            reserved = estimate;
        }
        let ctx = self.context_for(e);
        self.slots[s][slot].state = State::Running;
        self.in_flight[s] += 1;
        Some(PairJob {
            stage_index: s as u32,
            slot: slot as u32,
            stage,
            entity,
            ctx,
            timeout: self.limits[s].timeout,
            retry: self.inputs.config.retry.clone(),
            limiter: self.stage_limiters[s].clone(),
            cancel: self.inputs.cancel.clone(),
            clock: self.inputs.clock.clone(),
            random: self.inputs.random.clone(),
            reserved,
        })
    }

    /// The stage context of entity `e`: shared for companies, per contact (with
    /// its company as it is now) for contacts.
    fn context_for(&mut self, e: usize) -> Arc<StageContext> {
        let Some(cslot) = e.checked_sub(self.p.n_companies) else {
            return self.company_ctx.clone();
        };
        if let Some(ctx) = &self.contact_ctx[cslot] {
            return ctx.clone();
        }
        let company = self
            .p
            .company_of_entity(e)
            .and_then(|c| match &*self.p.entities[c] {
                Entity::Company(c) => Some(c.clone()),
                Entity::Contact(_) => None,
            });
        let ctx = Arc::new(StageContext {
            company,
            ..(*self.company_ctx).clone()
        });
        self.contact_ctx[cslot] = Some(ctx.clone());
        ctx
    }

    fn on_report(&mut self, report: PairReport) {
        let (s, slot) = (report.stage as usize, report.slot as usize);
        self.in_flight[s] -= 1;
        let e = self.p.entity_index(s, slot);
        let entity_ref = self.p.entities[e].entity_ref();
        let cost: Credits = report.attempts.iter().map(|a| a.cost).sum();
        self.budget.settle(report.reserved, cost);
        self.attempts[s] += report.attempts.len() as u64;
        let plain_success = report.attempts.len() == 1
            && report.attempts[0].status == CompletionStatus::Completed
            && cost.is_zero();
        if !(plain_success && self.inputs.config.attempt_records == AttemptRecords::Notable) {
            for a in &report.attempts {
                self.write_stage_run(s, entity_ref, a);
            }
        }
        self.spend(s, cost);
        let started_at = report
            .attempts
            .last()
            .map(|a| a.started_at)
            .unwrap_or_else(|| self.inputs.clock.now());
        let n_attempts = report.attempts.len() as u32;
        match report.settled {
            Settled::Cancelled => {
                self.slots[s][slot].state = State::Pending;
            }
            Settled::Failed(error) => {
                self.write_completion(
                    s,
                    e,
                    CompletionStatus::Failed,
                    started_at,
                    n_attempts,
                    cost,
                    Some(error),
                    None,
                );
                self.settle(s, slot, CompletionStatus::Failed, cost, n_attempts);
            }
            Settled::Outcome(outcome) => {
                self.apply_outcome(s, slot, outcome, started_at, n_attempts, cost)
            }
        }
    }

    fn apply_outcome(
        &mut self,
        s: usize,
        slot: usize,
        outcome: StageOutcome,
        started_at: chrono::DateTime<chrono::Utc>,
        attempts: u32,
        cost: Credits,
    ) {
        let e = self.p.entity_index(s, slot);
        match outcome {
            StageOutcome::Completed {
                output, updated, ..
            } => {
                if let Some(new) = updated {
                    self.update_entity(e, *new);
                }
                self.write_completion(
                    s,
                    e,
                    CompletionStatus::Completed,
                    started_at,
                    attempts,
                    cost,
                    None,
                    Some(output),
                );
                self.settle(s, slot, CompletionStatus::Completed, cost, attempts);
            }
            StageOutcome::Skipped { reason } => {
                self.write_completion(
                    s,
                    e,
                    CompletionStatus::Skipped,
                    started_at,
                    attempts,
                    cost,
                    None,
                    Some(serde_json::json!({ "reason": reason })),
                );
                self.settle(s, slot, CompletionStatus::Skipped, cost, attempts);
            }
            StageOutcome::Waiting { external_ref, .. } => {
                self.write_completion(
                    s,
                    e,
                    CompletionStatus::Waiting,
                    started_at,
                    attempts,
                    cost,
                    None,
                    Some(serde_json::json!({ "external_ref": external_ref })),
                );
                self.slots[s][slot].state = State::Waiting;
                self.waiting += 1;
                if self.inputs.only.is_some() {
                    self.settled_pairs.push((s as u32, slot as u32, cost));
                }
                let at = Instant::now() + self.limits[s].external_timeout;
                self.deadlines.push(Reverse((at, s as u32, slot as u32)));
            }
        }
    }

    fn update_entity(&mut self, e: usize, new: Entity) {
        match &new {
            Entity::Company(c) => {
                self.writer.push(WriteItem::Company(c.clone()));
                for contact in self.p.contacts_of[e].clone() {
                    self.contact_ctx[contact as usize - self.p.n_companies] = None;
                }
            }
            Entity::Contact(c) => self.writer.push(WriteItem::Contact(c.clone())),
        }
        self.p.entities[e] = Arc::new(new);
    }

    fn spend(&mut self, s: usize, cost: Credits) {
        if cost.is_zero() {
            return;
        }
        self.costs[s] += cost;
        let total = self.spent_before + self.budget.spent_now();
        if self.inputs.only.is_none() {
            let mut run = self.inputs.run.clone();
            run.spent = total;
            self.writer.push(WriteItem::Run(Box::new(run)));
        }
        self.inputs.events.emit(ExecutorEvent::CreditsSpent {
            run_id: self.inputs.run.id,
            stage: self.p.graph.ids[s].clone(),
            amount: cost,
            run_total: total,
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn write_completion(
        &mut self,
        s: usize,
        e: usize,
        status: CompletionStatus,
        started_at: chrono::DateTime<chrono::Utc>,
        attempts: u32,
        cost: Credits,
        error: Option<String>,
        output: Option<serde_json::Value>,
    ) {
        self.writer.push(WriteItem::Completion(Completion {
            entity: self.p.entities[e].entity_ref(),
            stage: self.p.graph.ids[s].to_string(),
            status,
            run_id: Some(self.inputs.run.id),
            cost,
            attempts,
            started_at,
            finished_at: self.inputs.clock.now(),
            error,
            output,
        }));
    }

    fn write_stage_run(&mut self, s: usize, entity: EntityRef, a: &Attempt) {
        self.writer.push(WriteItem::StageRun(StageRunRecord {
            id: self.ids.next(a.started_at),
            run_id: self.inputs.run.id,
            entity,
            stage: self.p.graph.ids[s].to_string(),
            status: a.status,
            attempt: a.attempt,
            started_at: a.started_at,
            finished_at: a.finished_at,
            cost: a.cost,
            error: a.error.clone(),
        }));
    }

    fn expire_waiting(&mut self) {
        let now = Instant::now();
        while let Some(Reverse((at, s, slot))) = self.deadlines.peek().copied() {
            if at > now {
                break;
            }
            self.deadlines.pop();
            let (s, slot) = (s as usize, slot as usize);
            if self.slots[s][slot].state != State::Waiting {
                continue;
            }
            let e = self.p.entity_index(s, slot);
            let error = format!(
                "no callback within {:?} for external stage `{}`",
                self.limits[s].external_timeout, self.p.graph.ids[s]
            );
            let at = self.inputs.clock.now();
            let entity = self.p.entities[e].entity_ref();
            self.write_stage_run(
                s,
                entity,
                &Attempt {
                    attempt: 1,
                    started_at: at,
                    finished_at: at,
                    status: CompletionStatus::Failed,
                    cost: Credits::ZERO,
                    error: Some(error.clone()),
                },
            );
            self.write_completion(
                s,
                e,
                CompletionStatus::Failed,
                at,
                1,
                Credits::ZERO,
                Some(error),
                None,
            );
            self.settle(s, slot, CompletionStatus::Failed, Credits::ZERO, 1);
        }
    }

    /// A callback for an external pair of this run.
    fn on_external(&mut self, msg: ExternalMsg) {
        let reply = match self.apply_external(&msg.entity, &msg.stage, msg.result) {
            Ok(()) => {
                // Answered once the completion is durable.
                self.writer.push(WriteItem::Ack(msg.reply));
                return;
            }
            Err(e) => e,
        };
        let _ = msg.reply.send(Err(reply));
    }

    fn apply_external(
        &mut self,
        entity: &EntityRef,
        stage: &str,
        result: ExternalResult,
    ) -> Result<()> {
        let not_waiting = || Error::NotFound {
            entity: "waiting pair",
            id: format!("{entity} / {stage} in run {}", self.inputs.run.id),
        };
        let s = self.p.graph.index_of(stage).ok_or_else(not_waiting)?;
        let index = self.entity_index.get_or_insert_with(|| {
            self.p
                .entities
                .iter()
                .enumerate()
                .map(|(i, e)| (e.entity_ref(), i))
                .collect()
        });
        let e = *index.get(entity).ok_or_else(not_waiting)?;
        let kind = self.p.graph.kinds[s];
        if entity.kind != kind {
            return Err(not_waiting());
        }
        let slot = match kind {
            EntityKind::Company => e,
            EntityKind::Contact => e - self.p.n_companies,
        };
        if self.slots[s][slot].state != State::Waiting {
            return Err(not_waiting());
        }
        let now = self.inputs.clock.now();
        let (status, cost, error, outcome) =
            result.into_parts(&self.p.graph.ids[s], &self.p.entities[e])?;
        self.write_stage_run(
            s,
            *entity,
            &Attempt {
                attempt: 1,
                started_at: now,
                finished_at: now,
                status,
                cost,
                error: error.clone(),
            },
        );
        self.budget.settle(Credits::ZERO, cost);
        self.spend(s, cost);
        match outcome {
            Some(outcome) => self.apply_outcome(s, slot, outcome, now, 1, cost),
            None => {
                self.write_completion(s, e, CompletionStatus::Failed, now, 1, cost, error, None);
                self.settle(s, slot, CompletionStatus::Failed, cost, 1);
            }
        }
        Ok(())
    }

    async fn finish(
        mut self,
        elapsed: Duration,
        cancelled: bool,
    ) -> (RunSummary, Vec<(u32, u32, Credits)>) {
        let shared = self.inputs.only.is_some();
        let settled = std::mem::take(&mut self.settled_pairs);
        for s in 0..self.slots.len() {
            for slot in &self.slots[s] {
                match slot.state {
                    State::Waiting => self.counts[s].waiting += 1,
                    State::Done(_) | State::Foreign => {}
                    _ => self.counts[s].not_run += 1,
                }
            }
        }
        for s in 0..self.slots.len() {
            if !self.stage_finished_sent[s] && !shared {
                self.stage_finished_sent[s] = true;
                self.inputs.events.emit(ExecutorEvent::StageFinished {
                    run_id: self.inputs.run.id,
                    stage: self.p.graph.ids[s].clone(),
                    counts: self.counts[s],
                });
            }
        }
        let status = if self.fatal.is_some() {
            RunStatus::Failed
        } else if cancelled {
            RunStatus::Cancelled
        } else if self.budget.exhausted() {
            RunStatus::BudgetExhausted
        } else {
            RunStatus::Completed
        };
        let summary = RunSummary {
            run_id: self.inputs.run.id,
            status,
            spent: self.spent_before + self.budget.spent_now(),
            spent_now: self.budget.spent_now(),
            stages: (0..self.slots.len())
                .map(|s| StageSummary {
                    stage: self.p.graph.ids[s].to_string(),
                    counts: self.counts[s],
                    cost: self.costs[s],
                    attempts: self.attempts[s],
                })
                .collect(),
            missing: self.p.missing.clone(),
            elapsed,
            error: self.fatal.clone(),
        };
        let mut run = self.inputs.run.clone();
        run.status = status;
        run.spent = summary.spent;
        run.finished_at = Some(self.inputs.clock.now());
        if let serde_json::Value::Object(map) = &mut run.summary {
            map.insert(
                "result".into(),
                serde_json::to_value(&summary).unwrap_or_default(),
            );
        }
        let store = self.inputs.store.clone();
        let writer_result = self.writer.finish().await;
        let mut summary = summary;
        if let Err(e) = writer_result {
            summary.status = RunStatus::Failed;
            summary.error.get_or_insert_with(|| e.to_string());
            run.status = RunStatus::Failed;
        }
        if shared {
            return (summary, settled);
        }
        // The final run record is written last, after every completion.
        if let Err(e) = store.save_run(&run).await {
            summary.status = RunStatus::Failed;
            summary
                .error
                .get_or_insert_with(|| format!("saving the run record failed: {e}"));
        }
        self.inputs.events.emit(ExecutorEvent::RunFinished {
            run_id: summary.run_id,
            status: summary.status,
            spent: summary.spent,
        });
        (summary, settled)
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await,
        None => std::future::pending().await,
    }
}

/// The most pairs one batch task runs.
const MAX_BATCH: usize = 64;

/// UUID v7 ids for stage-run records without a system call per id: the time
/// part from the record, the random part from a xorshift generator seeded once.
struct FastIds(u64);

impl FastIds {
    fn new(seed: u64) -> Self {
        FastIds(seed | 1)
    }

    fn next(&mut self, at: chrono::DateTime<chrono::Utc>) -> uuid::Uuid {
        let mut random = [0u8; 10];
        for chunk in random.chunks_mut(8) {
            // xorshift64*
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            let v = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        let millis = u64::try_from(at.timestamp_millis()).unwrap_or_default();
        uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
    }
}
