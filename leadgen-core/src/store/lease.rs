//! [`LeaseStore`]: the optional work queue that lets several worker processes
//! share one run.
//!
//! Every pair of a run that still has work gets a queue row. A worker *claims*
//! rows — the store hands each row to one worker only, with a lease that expires
//! at `expires_at` unless the worker extends it — runs the pairs, and marks the
//! rows done once their completions are stored. A worker that dies stops
//! extending its leases; once they expire another worker claims the pairs again.
//!
//! The queue only arbitrates *who* works a pair; completions stay the source of
//! truth for "done and paid": a worker that claims a pair whose completion is
//! already stored (its previous holder died after storing it) does not run it
//! again.
//!
//! PostgreSQL implements it with `FOR UPDATE SKIP LOCKED`; [`MemoryStore`]
//! implements it for tests and for several workers inside one process. A store
//! without it (SQLite) runs a run in one process at a time
//! ([`Executor::resume`](crate::executor::Executor::resume)).
//!
//! [`MemoryStore`]: super::MemoryStore

use std::fmt::Debug;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::{Company, Contact, Credits, EntityRef, RunId, TenantId};

/// One (entity, stage) pair of a run, as queued.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QueuedPair {
    /// The entity.
    pub entity: EntityRef,
    /// The stage id.
    pub stage: String,
    /// Claim order: lower ranks are handed out first (the executor uses the
    /// stage's position in the run's dependency order).
    pub rank: u32,
}

/// A queue row of a run: who holds the pair and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairLease {
    /// The entity.
    pub entity: EntityRef,
    /// The stage id.
    pub stage: String,
    /// The worker holding (or last holding) the pair.
    pub worker: Option<String>,
    /// When the lease ends (or, for a released pair, when it may be claimed again).
    pub expires_at: Option<DateTime<Utc>>,
    /// How many times the pair was claimed.
    pub claims: u32,
    /// Whether the pair is done (its completion stored).
    pub done: bool,
}

/// How many pairs of a run's queue are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCounts {
    /// Pairs done.
    pub done: u64,
    /// Pairs held by a worker whose lease has not expired.
    pub leased: u64,
    /// Pairs free to be claimed (never claimed, released, or lease expired).
    pub open: u64,
}

impl QueueCounts {
    /// Pairs not done yet.
    pub fn remaining(&self) -> u64 {
        self.leased + self.open
    }
}

/// The work queue of runs shared by several workers. See the
/// [module documentation](self).
///
/// Times (`expires_at`) are taken from the store's clock, so workers on machines
/// with skewed clocks still agree on when a lease expires.
#[async_trait]
pub trait LeaseStore: Send + Sync + Debug {
    /// Adds pairs to a run's queue; pairs already queued (done or not) are left
    /// as they are. Returns how many were added.
    async fn enqueue_pairs(
        &self,
        tenant: &TenantId,
        run: RunId,
        pairs: &[QueuedPair],
    ) -> Result<u64>;

    /// Claims up to `limit` pairs for `worker`: pairs not done whose lease is
    /// absent or expired, lowest rank first. Each pair goes to one caller only,
    /// even when many claim at once; the claimed rows carry the new lease.
    async fn claim_pairs(
        &self,
        tenant: &TenantId,
        run: RunId,
        worker: &str,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<PairLease>>;

    /// Extends every lease `worker` holds on pairs of `run` (not done, not
    /// expired) to `lease` from now; returns how many it extended.
    async fn extend_leases(
        &self,
        tenant: &TenantId,
        run: RunId,
        worker: &str,
        lease: Duration,
    ) -> Result<u64>;

    /// Marks pairs done, with what they cost, where `worker` still holds them;
    /// returns how many it marked.
    async fn finish_pairs(
        &self,
        tenant: &TenantId,
        run: RunId,
        worker: &str,
        pairs: &[(EntityRef, String, Credits)],
    ) -> Result<u64>;

    /// Gives pairs `worker` holds back to the queue, claimable again after
    /// `delay`; returns how many it released.
    async fn release_pairs(
        &self,
        tenant: &TenantId,
        run: RunId,
        worker: &str,
        pairs: &[(EntityRef, String)],
        delay: Duration,
    ) -> Result<u64>;

    /// How many pairs of the run are done, leased and open.
    async fn queue_counts(&self, tenant: &TenantId, run: RunId) -> Result<QueueCounts>;

    /// The credits the done pairs of the run cost (as given to
    /// [`LeaseStore::finish_pairs`]).
    async fn queue_spent(&self, tenant: &TenantId, run: RunId) -> Result<Credits>;

    /// The pairs of the run currently leased (lease not expired), for
    /// monitoring.
    async fn list_leases(&self, tenant: &TenantId, run: RunId) -> Result<Vec<PairLease>>;

    /// The companies and contacts among `refs` that exist, read in one query per
    /// kind (a worker loads each batch's entities fresh). `None` when the backend
    /// has no such query; callers then read them one by one.
    async fn load_entities(
        &self,
        _tenant: &TenantId,
        _refs: &[EntityRef],
    ) -> Result<Option<(Vec<Company>, Vec<Contact>)>> {
        Ok(None)
    }
}
