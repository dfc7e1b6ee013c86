//! The run's writer: one task that persists completions, stage-run records,
//! updated entities and the run record in batches ("group commit").
//!
//! While one batch is being written, new items queue up; the next write takes
//! them all. A pair's completion therefore waits at most one write, and a fast
//! run writes few, large batches. Within a batch, entities are written before
//! completions: a crash in between re-runs the pair rather than losing its data.

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::error::{Error, Result};
use crate::model::{Company, Contact};
use crate::store::{Completion, RunRecord, StageRunRecord, TenantStore};

/// The most items one write takes. Large: on SQLite, consecutive batches touch
/// the same B-tree pages, and each transaction writes every page it touched to
/// the WAL again, so fewer, larger transactions write far fewer bytes per pair.
const MAX_BATCH: usize = 100_000;
/// Attempts of a write failing with a retryable error.
const WRITE_ATTEMPTS: u32 = 4;

/// Something to persist.
#[derive(Debug)]
pub(crate) enum WriteItem {
    Completion(Completion),
    StageRun(StageRunRecord),
    Company(Company),
    Contact(Contact),
    Run(Box<RunRecord>),
    /// Answered once every earlier item is written.
    Ack(oneshot::Sender<Result<()>>),
}

/// The writer's handle, held by the coordinator.
#[derive(Debug)]
pub(crate) struct Writer {
    tx: mpsc::UnboundedSender<WriteItem>,
    task: tokio::task::JoinHandle<Result<()>>,
}

impl Writer {
    /// Starts the writer; a failed write is reported once on `failed`.
    pub fn start(store: TenantStore, failed: mpsc::UnboundedSender<String>) -> Writer {
        let (tx, rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(write_loop(store, rx, failed));
        Writer { tx, task }
    }

    /// Queues an item (dropped silently if the writer already stopped on an
    /// error, which the coordinator has been told about).
    pub fn push(&self, item: WriteItem) {
        let _ = self.tx.send(item);
    }

    /// Writes what is queued and stops.
    pub async fn finish(self) -> Result<()> {
        drop(self.tx);
        match self.task.await {
            Ok(r) => r,
            Err(e) => Err(Error::Store {
                kind: crate::ErrorKind::Storage,
                backend: "executor",
                message: format!("the run's writer stopped: {e}"),
                source: None,
            }),
        }
    }
}

#[derive(Default)]
struct Batch {
    completions: Vec<Completion>,
    stage_runs: Vec<StageRunRecord>,
    companies: Vec<Company>,
    company_pos: HashMap<uuid::Uuid, usize>,
    contacts: Vec<Contact>,
    contact_pos: HashMap<uuid::Uuid, usize>,
    run: Option<Box<RunRecord>>,
    acks: Vec<oneshot::Sender<Result<()>>>,
}

impl Batch {
    /// Adds an item, keeping only the newest of each completion and entity (a
    /// store must not see one key twice in one statement).
    fn add(&mut self, item: WriteItem) {
        match item {
            WriteItem::Completion(c) => self.completions.push(c),
            WriteItem::StageRun(r) => self.stage_runs.push(r),
            WriteItem::Company(c) => match self.company_pos.get(&c.id.0) {
                Some(&i) => self.companies[i] = c,
                None => {
                    self.company_pos.insert(c.id.0, self.companies.len());
                    self.companies.push(c);
                }
            },
            WriteItem::Contact(c) => match self.contact_pos.get(&c.id.0) {
                Some(&i) => self.contacts[i] = c,
                None => {
                    self.contact_pos.insert(c.id.0, self.contacts.len());
                    self.contacts.push(c);
                }
            },
            WriteItem::Run(r) => self.run = Some(r),
            WriteItem::Ack(a) => self.acks.push(a),
        }
    }

    /// Keeps only the newest completion of each (entity, stage) — rare (a waiting
    /// pair completed within one batch), so it is checked by sorting once rather
    /// than hashing every item.
    fn dedup_completions(&mut self) {
        if self.completions.len() < 2 {
            return;
        }
        self.completions.reverse();
        // Stable: among equal keys the newest (now first) stays first.
        self.completions
            .sort_by(|a, b| (a.entity, &a.stage).cmp(&(b.entity, &b.stage)));
        self.completions.dedup_by(|later, earlier| {
            later.entity == earlier.entity && later.stage == earlier.stage
        });
    }

    async fn write(&self, store: &TenantStore) -> Result<()> {
        if !self.companies.is_empty() {
            store.upsert_companies(&self.companies).await?;
        }
        if !self.contacts.is_empty() {
            store.upsert_contacts(&self.contacts).await?;
        }
        if !self.completions.is_empty() {
            store.record_completions(&self.completions).await?;
        }
        if !self.stage_runs.is_empty() {
            store.record_stage_runs(&self.stage_runs).await?;
        }
        if let Some(run) = &self.run {
            store.save_run(run).await?;
        }
        Ok(())
    }
}

async fn write_loop(
    store: TenantStore,
    mut rx: mpsc::UnboundedReceiver<WriteItem>,
    failed: mpsc::UnboundedSender<String>,
) -> Result<()> {
    while let Some(first) = rx.recv().await {
        let mut batch = Batch::default();
        batch.add(first);
        let mut n = 1;
        while n < MAX_BATCH {
            match rx.try_recv() {
                Ok(item) => {
                    batch.add(item);
                    n += 1;
                }
                Err(_) => break,
            }
        }
        batch.dedup_completions();
        let mut attempt = 1;
        let result = loop {
            match batch.write(&store).await {
                Err(e) if e.is_retryable() && attempt < WRITE_ATTEMPTS => {
                    tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
                    attempt += 1;
                }
                r => break r,
            }
        };
        match result {
            Ok(()) => {
                for ack in batch.acks {
                    let _ = ack.send(Ok(()));
                }
            }
            Err(e) => {
                let msg = format!("writing the run's results failed: {e}");
                for ack in batch.acks {
                    let _ = ack.send(Err(Error::Store {
                        kind: e.kind(),
                        backend: "executor",
                        message: msg.clone(),
                        source: None,
                    }));
                }
                let _ = failed.send(msg);
                // Answer later acks with the error too, so no caller waits forever.
                rx.close();
                while let Some(item) = rx.recv().await {
                    if let WriteItem::Ack(a) = item {
                        let _ = a.send(Err(Error::Store {
                            kind: e.kind(),
                            backend: "executor",
                            message: "an earlier write of the run failed".into(),
                            source: None,
                        }));
                    }
                }
                return Err(e);
            }
        }
    }
    Ok(())
}
