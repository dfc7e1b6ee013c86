//! The `Store` trait and its focused parts. Backends (leadgen-store) implement these;
//! users hold a [`TenantStore`](super::TenantStore) handle instead of calling them.
//!
//! Every method takes the tenant explicitly: a backend never has an "ambient" tenant,
//! and on PostgreSQL the tenant is also set per transaction for row-level security.

use std::fmt::Debug;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::query::{AuditFilter, CompanyFilter, ContactFilter, Page, PageRequest, UpsertReport};
use super::records::{AuditEntry, CacheEntry, Completion, RunRecord, StageRunRecord};
use crate::error::Result;
use crate::model::{Company, CompanyId, Contact, ContactId, Credits, EntityRef, RunId, TenantId};

/// Companies and contacts.
#[async_trait]
pub trait EntityStore: Send + Sync + Debug {
    /// Inserts or replaces companies by id, in one transaction per batch: either
    /// every company of the call is written or none is.
    async fn upsert_companies(
        &self,
        tenant: &TenantId,
        companies: &[Company],
    ) -> Result<UpsertReport>;
    /// One company, if it exists for this tenant.
    async fn get_company(&self, tenant: &TenantId, id: CompanyId) -> Result<Option<Company>>;
    /// Deletes a company; `true` if it existed for this tenant. Contacts linked to
    /// it keep existing, unlinked.
    async fn delete_company(&self, tenant: &TenantId, id: CompanyId) -> Result<bool>;
    /// Companies matching `filter`, one page at a time, in id order.
    async fn list_companies(
        &self,
        tenant: &TenantId,
        filter: &CompanyFilter,
        page: &PageRequest,
    ) -> Result<Page<Company>>;
    /// How many companies match `filter`.
    async fn count_companies(&self, tenant: &TenantId, filter: &CompanyFilter) -> Result<u64>;

    /// Inserts or replaces contacts by id, all-or-nothing per call.
    async fn upsert_contacts(
        &self,
        tenant: &TenantId,
        contacts: &[Contact],
    ) -> Result<UpsertReport>;
    /// One contact, if it exists for this tenant.
    async fn get_contact(&self, tenant: &TenantId, id: ContactId) -> Result<Option<Contact>>;
    /// Deletes a contact; `true` if it existed for this tenant.
    async fn delete_contact(&self, tenant: &TenantId, id: ContactId) -> Result<bool>;
    /// Contacts matching `filter`, one page at a time, in id order.
    async fn list_contacts(
        &self,
        tenant: &TenantId,
        filter: &ContactFilter,
        page: &PageRequest,
    ) -> Result<Page<Contact>>;
    /// How many contacts match `filter`.
    async fn count_contacts(&self, tenant: &TenantId, filter: &ContactFilter) -> Result<u64>;

    /// Inserts or replaces companies and contacts by id together, as an import
    /// writes them: the reports of the companies and of the contacts.
    ///
    /// Backends with transactions write both in one, so either every record of the
    /// call is written or none is. The default writes the companies, then the
    /// contacts, each all-or-nothing: a backend that cannot do better may keep it.
    async fn upsert_companies_and_contacts(
        &self,
        tenant: &TenantId,
        companies: &[Company],
        contacts: &[Contact],
    ) -> Result<(UpsertReport, UpsertReport)> {
        let companies = self.upsert_companies(tenant, companies).await?;
        let contacts = self.upsert_contacts(tenant, contacts).await?;
        Ok((companies, contacts))
    }
}

/// Runs, completion records and stage-run records.
#[async_trait]
pub trait RunStore: Send + Sync + Debug {
    /// Creates or replaces a run record.
    async fn save_run(&self, tenant: &TenantId, run: &RunRecord) -> Result<()>;
    /// One run.
    async fn get_run(&self, tenant: &TenantId, id: RunId) -> Result<Option<RunRecord>>;
    /// The newest runs first.
    async fn list_runs(&self, tenant: &TenantId, limit: usize) -> Result<Vec<RunRecord>>;

    /// Records completions, replacing any earlier one for the same (entity, stage).
    async fn record_completions(&self, tenant: &TenantId, completions: &[Completion])
    -> Result<()>;
    /// The completions of the given entities for the given stages (all stages when
    /// `stages` is empty).
    async fn get_completions(
        &self,
        tenant: &TenantId,
        entities: &[EntityRef],
        stages: &[String],
    ) -> Result<Vec<Completion>>;
    /// Deletes completions (for `force` re-runs); returns how many were deleted.
    async fn delete_completions(
        &self,
        tenant: &TenantId,
        entities: &[EntityRef],
        stages: &[String],
    ) -> Result<u64>;

    /// Appends stage-run records.
    async fn record_stage_runs(&self, tenant: &TenantId, records: &[StageRunRecord]) -> Result<()>;
    /// The stage-run records of a run, oldest first.
    async fn list_stage_runs(&self, tenant: &TenantId, run: RunId) -> Result<Vec<StageRunRecord>>;

    /// The credits spent by `tenant` in stage runs that started at or after `since`,
    /// across all runs: the sum of [`StageRunRecord::cost`]. The executor uses it
    /// for the per-tenant daily budget.
    ///
    /// The default implementation reads the newest [`SPENT_SCAN_RUN_LIMIT`] runs and
    /// their stage-run records; backends override it with one aggregate query.
    async fn credits_spent_since(
        &self,
        tenant: &TenantId,
        since: DateTime<Utc>,
    ) -> Result<Credits> {
        let mut total = Credits::ZERO;
        for run in self.list_runs(tenant, SPENT_SCAN_RUN_LIMIT).await? {
            if run.finished_at.is_some_and(|f| f < since) {
                continue;
            }
            total += self
                .list_stage_runs(tenant, run.id)
                .await?
                .iter()
                .filter(|r| r.started_at >= since)
                .map(|r| r.cost)
                .sum::<Credits>();
        }
        Ok(total)
    }
}

/// How many recent runs the default [`RunStore::credits_spent_since`] reads.
pub const SPENT_SCAN_RUN_LIMIT: usize = 10_000;

/// The append-only audit log.
#[async_trait]
pub trait AuditStore: Send + Sync + Debug {
    /// Appends entries.
    async fn append_audit(&self, tenant: &TenantId, entries: &[AuditEntry]) -> Result<()>;
    /// Entries matching `filter`, newest first.
    async fn list_audit(&self, tenant: &TenantId, filter: &AuditFilter) -> Result<Vec<AuditEntry>>;
}

/// A per-tenant cache of computed facts keyed by text (email verification results,
/// DNS answers, …), each entry stamped with the time it was stored so callers can
/// apply their own TTL.
#[async_trait]
pub trait CacheStore: Send + Sync + Debug {
    /// The entries of `namespace` stored under `keys` (missing keys are left out).
    async fn cache_get(
        &self,
        tenant: &TenantId,
        namespace: &str,
        keys: &[String],
    ) -> Result<Vec<CacheEntry>>;
    /// Stores entries, replacing earlier ones with the same key.
    async fn cache_put(
        &self,
        tenant: &TenantId,
        namespace: &str,
        entries: &[CacheEntry],
    ) -> Result<()>;
}

/// A complete store: every focused part, plus lifecycle.
///
/// Object-safe: hold it as `Arc<dyn Store>`.
#[async_trait]
pub trait Store: EntityStore + RunStore + AuditStore + CacheStore {
    /// The backend's name (`sqlite`, `postgres`).
    fn backend(&self) -> &'static str;
    /// Closes connections; later calls fail with a `Connection` error.
    async fn close(&self);

    /// The work queue that lets several workers share a run, if this backend
    /// has one (see [`LeaseStore`](super::LeaseStore)). `None` by default.
    fn leases(&self) -> Option<&dyn super::lease::LeaseStore> {
        None
    }
}
