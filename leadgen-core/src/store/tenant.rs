//! The tenant-scoped handle: the only way users reach stored entities.

use std::sync::Arc;

use super::query::{AuditFilter, CompanyFilter, ContactFilter, Page, PageRequest, UpsertReport};
use super::records::{AuditEntry, CacheEntry, Completion, RunRecord, StageRunRecord};
use super::traits::Store;
use crate::error::Result;
use crate::model::{Company, CompanyId, Contact, ContactId, EntityRef, RunId, TenantId};

/// A store seen through one tenant: no call on it can reach another tenant's rows.
///
/// Cheap to clone (an `Arc` and a short string).
#[derive(Debug, Clone)]
pub struct TenantStore {
    store: Arc<dyn Store>,
    tenant: TenantId,
}

impl TenantStore {
    /// A handle on `store` for `tenant`.
    pub fn new(store: Arc<dyn Store>, tenant: TenantId) -> Self {
        TenantStore { store, tenant }
    }

    /// The tenant of this handle.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// The underlying store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The store's work queue for runs shared by several workers, if it has one.
    pub fn leases(&self) -> Option<&dyn super::lease::LeaseStore> {
        self.store.leases()
    }

    /// Inserts or replaces one company.
    pub async fn upsert_company(&self, company: &Company) -> Result<UpsertReport> {
        self.store
            .upsert_companies(&self.tenant, std::slice::from_ref(company))
            .await
    }

    /// Inserts or replaces companies, all-or-nothing.
    pub async fn upsert_companies(&self, companies: &[Company]) -> Result<UpsertReport> {
        self.store.upsert_companies(&self.tenant, companies).await
    }

    /// One company.
    pub async fn get_company(&self, id: CompanyId) -> Result<Option<Company>> {
        self.store.get_company(&self.tenant, id).await
    }

    /// Deletes a company; `true` if it existed.
    pub async fn delete_company(&self, id: CompanyId) -> Result<bool> {
        self.store.delete_company(&self.tenant, id).await
    }

    /// One page of companies.
    pub async fn list_companies(
        &self,
        filter: &CompanyFilter,
        page: &PageRequest,
    ) -> Result<Page<Company>> {
        self.store.list_companies(&self.tenant, filter, page).await
    }

    /// How many companies match.
    pub async fn count_companies(&self, filter: &CompanyFilter) -> Result<u64> {
        self.store.count_companies(&self.tenant, filter).await
    }

    /// Inserts or replaces one contact.
    pub async fn upsert_contact(&self, contact: &Contact) -> Result<UpsertReport> {
        self.store
            .upsert_contacts(&self.tenant, std::slice::from_ref(contact))
            .await
    }

    /// Inserts or replaces contacts, all-or-nothing.
    pub async fn upsert_contacts(&self, contacts: &[Contact]) -> Result<UpsertReport> {
        self.store.upsert_contacts(&self.tenant, contacts).await
    }

    /// One contact.
    pub async fn get_contact(&self, id: ContactId) -> Result<Option<Contact>> {
        self.store.get_contact(&self.tenant, id).await
    }

    /// Deletes a contact; `true` if it existed.
    pub async fn delete_contact(&self, id: ContactId) -> Result<bool> {
        self.store.delete_contact(&self.tenant, id).await
    }

    /// One page of contacts.
    pub async fn list_contacts(
        &self,
        filter: &ContactFilter,
        page: &PageRequest,
    ) -> Result<Page<Contact>> {
        self.store.list_contacts(&self.tenant, filter, page).await
    }

    /// How many contacts match.
    pub async fn count_contacts(&self, filter: &ContactFilter) -> Result<u64> {
        self.store.count_contacts(&self.tenant, filter).await
    }

    /// Every contact matching `filter`, reading page by page.
    pub async fn all_contacts(&self, filter: &ContactFilter) -> Result<Vec<Contact>> {
        let mut out = Vec::new();
        let mut page = PageRequest::first(crate::store::MAX_PAGE_SIZE);
        loop {
            let got = self.list_contacts(filter, &page).await?;
            out.extend(got.items);
            match got.next_cursor {
                Some(c) => page.cursor = Some(c),
                None => return Ok(out),
            }
        }
    }

    /// Every company matching `filter`, reading page by page.
    pub async fn all_companies(&self, filter: &CompanyFilter) -> Result<Vec<Company>> {
        let mut out = Vec::new();
        let mut page = PageRequest::first(crate::store::MAX_PAGE_SIZE);
        loop {
            let got = self.list_companies(filter, &page).await?;
            out.extend(got.items);
            match got.next_cursor {
                Some(c) => page.cursor = Some(c),
                None => return Ok(out),
            }
        }
    }

    /// Creates or replaces a run record.
    pub async fn save_run(&self, run: &RunRecord) -> Result<()> {
        self.store.save_run(&self.tenant, run).await
    }

    /// One run.
    pub async fn get_run(&self, id: RunId) -> Result<Option<RunRecord>> {
        self.store.get_run(&self.tenant, id).await
    }

    /// The newest runs first.
    pub async fn list_runs(&self, limit: usize) -> Result<Vec<RunRecord>> {
        self.store.list_runs(&self.tenant, limit).await
    }

    /// Records completions.
    pub async fn record_completions(&self, completions: &[Completion]) -> Result<()> {
        self.store
            .record_completions(&self.tenant, completions)
            .await
    }

    /// Completions of entities for stages (all stages when empty).
    pub async fn get_completions(
        &self,
        entities: &[EntityRef],
        stages: &[String],
    ) -> Result<Vec<Completion>> {
        self.store
            .get_completions(&self.tenant, entities, stages)
            .await
    }

    /// Deletes completions; returns how many.
    pub async fn delete_completions(
        &self,
        entities: &[EntityRef],
        stages: &[String],
    ) -> Result<u64> {
        self.store
            .delete_completions(&self.tenant, entities, stages)
            .await
    }

    /// Appends stage-run records.
    pub async fn record_stage_runs(&self, records: &[StageRunRecord]) -> Result<()> {
        self.store.record_stage_runs(&self.tenant, records).await
    }

    /// Stage-run records of a run.
    pub async fn list_stage_runs(&self, run: RunId) -> Result<Vec<StageRunRecord>> {
        self.store.list_stage_runs(&self.tenant, run).await
    }

    /// Credits spent by this tenant in stage runs started at or after `since`.
    pub async fn credits_spent_since(
        &self,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<crate::model::Credits> {
        self.store.credits_spent_since(&self.tenant, since).await
    }

    /// Appends audit entries.
    pub async fn append_audit(&self, entries: &[AuditEntry]) -> Result<()> {
        self.store.append_audit(&self.tenant, entries).await
    }

    /// Audit entries, newest first.
    pub async fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        self.store.list_audit(&self.tenant, filter).await
    }

    /// Cached entries of `namespace` under `keys`.
    pub async fn cache_get(&self, namespace: &str, keys: &[String]) -> Result<Vec<CacheEntry>> {
        self.store.cache_get(&self.tenant, namespace, keys).await
    }

    /// Stores cache entries.
    pub async fn cache_put(&self, namespace: &str, entries: &[CacheEntry]) -> Result<()> {
        self.store.cache_put(&self.tenant, namespace, entries).await
    }
}
