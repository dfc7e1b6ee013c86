//! A store whose cache works (in memory, per tenant and namespace) and whose other
//! parts refuse: enough for the email stage and cache tests while the SQLite store
//! is not on `main` yet. It counts cache reads and writes.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use leadgen_core::store::{
    AuditEntry, AuditFilter, AuditStore, CacheEntry, CacheStore, CompanyFilter, Completion,
    ContactFilter, EntityStore, Page, PageRequest, RunRecord, RunStore, StageRunRecord, Store,
    UpsertReport,
};
use leadgen_core::{
    Company, CompanyId, Contact, ContactId, EntityRef, Error, Result, RunId, TenantId,
};

#[derive(Debug, Default)]
pub struct CacheOnlyStore {
    entries: Mutex<HashMap<(String, String, String), CacheEntry>>,
    pub gets: AtomicUsize,
    pub puts: AtomicUsize,
}

impl CacheOnlyStore {
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap().len()
    }
    pub fn gets(&self) -> usize {
        self.gets.load(Ordering::SeqCst)
    }
}

fn refused<T>() -> Result<T> {
    Err(Error::Config("cache-only test store".into()))
}

#[async_trait]
impl CacheStore for CacheOnlyStore {
    async fn cache_get(
        &self,
        tenant: &TenantId,
        namespace: &str,
        keys: &[String],
    ) -> Result<Vec<CacheEntry>> {
        self.gets.fetch_add(1, Ordering::SeqCst);
        let map = self.entries.lock().unwrap();
        Ok(keys
            .iter()
            .filter_map(|k| {
                map.get(&(tenant.to_string(), namespace.to_string(), k.clone()))
                    .cloned()
            })
            .collect())
    }
    async fn cache_put(
        &self,
        tenant: &TenantId,
        namespace: &str,
        entries: &[CacheEntry],
    ) -> Result<()> {
        self.puts.fetch_add(1, Ordering::SeqCst);
        let mut map = self.entries.lock().unwrap();
        for e in entries {
            map.insert(
                (tenant.to_string(), namespace.to_string(), e.key.clone()),
                e.clone(),
            );
        }
        Ok(())
    }
}

#[async_trait]
impl EntityStore for CacheOnlyStore {
    async fn upsert_companies(&self, _: &TenantId, _: &[Company]) -> Result<UpsertReport> {
        refused()
    }
    async fn get_company(&self, _: &TenantId, _: CompanyId) -> Result<Option<Company>> {
        refused()
    }
    async fn delete_company(&self, _: &TenantId, _: CompanyId) -> Result<bool> {
        refused()
    }
    async fn list_companies(
        &self,
        _: &TenantId,
        _: &CompanyFilter,
        _: &PageRequest,
    ) -> Result<Page<Company>> {
        refused()
    }
    async fn count_companies(&self, _: &TenantId, _: &CompanyFilter) -> Result<u64> {
        refused()
    }
    async fn upsert_contacts(&self, _: &TenantId, _: &[Contact]) -> Result<UpsertReport> {
        refused()
    }
    async fn get_contact(&self, _: &TenantId, _: ContactId) -> Result<Option<Contact>> {
        refused()
    }
    async fn delete_contact(&self, _: &TenantId, _: ContactId) -> Result<bool> {
        refused()
    }
    async fn list_contacts(
        &self,
        _: &TenantId,
        _: &ContactFilter,
        _: &PageRequest,
    ) -> Result<Page<Contact>> {
        refused()
    }
    async fn count_contacts(&self, _: &TenantId, _: &ContactFilter) -> Result<u64> {
        refused()
    }
}

#[async_trait]
impl RunStore for CacheOnlyStore {
    async fn save_run(&self, _: &TenantId, _: &RunRecord) -> Result<()> {
        refused()
    }
    async fn get_run(&self, _: &TenantId, _: RunId) -> Result<Option<RunRecord>> {
        refused()
    }
    async fn list_runs(&self, _: &TenantId, _: usize) -> Result<Vec<RunRecord>> {
        refused()
    }
    async fn record_completions(&self, _: &TenantId, _: &[Completion]) -> Result<()> {
        refused()
    }
    async fn get_completions(
        &self,
        _: &TenantId,
        _: &[EntityRef],
        _: &[String],
    ) -> Result<Vec<Completion>> {
        refused()
    }
    async fn delete_completions(&self, _: &TenantId, _: &[EntityRef], _: &[String]) -> Result<u64> {
        refused()
    }
    async fn record_stage_runs(&self, _: &TenantId, _: &[StageRunRecord]) -> Result<()> {
        refused()
    }
    async fn list_stage_runs(&self, _: &TenantId, _: RunId) -> Result<Vec<StageRunRecord>> {
        refused()
    }
}

#[async_trait]
impl AuditStore for CacheOnlyStore {
    async fn append_audit(&self, _: &TenantId, _: &[AuditEntry]) -> Result<()> {
        refused()
    }
    async fn list_audit(&self, _: &TenantId, _: &AuditFilter) -> Result<Vec<AuditEntry>> {
        refused()
    }
}

#[async_trait]
impl Store for CacheOnlyStore {
    fn backend(&self) -> &'static str {
        "cache-only-test"
    }
    async fn close(&self) {}
}
