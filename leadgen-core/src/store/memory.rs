//! [`MemoryStore`]: a complete [`Store`] kept in memory.
//!
//! It behaves like the SQL backends of `leadgen-store` on every point a caller can
//! observe — tenants never see each other's rows, an id owned by another tenant
//! fails with [`ErrorKind::TenantMismatch`], batches are all-or-nothing, filters and
//! id-ordered paging match — so tests (of leadgen and of its users) can use it as a
//! fake, and short-lived programs can use it as a store that needs no file.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use std::sync::Arc;
//! use leadgen_core::store::{memory::MemoryStore, CompanyFilter, TenantStore};
//! use leadgen_core::{Company, TenantId};
//!
//! let store = TenantStore::new(Arc::new(MemoryStore::new()), TenantId::new("acme").unwrap());
//! store.upsert_company(&Company::new("Initech")).await.unwrap();
//! assert_eq!(store.count_companies(&CompanyFilter::default()).await.unwrap(), 1);
//! # });
//! ```

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::lease::{LeaseStore, PairLease, QueueCounts, QueuedPair};
use super::query::{AuditFilter, CompanyFilter, ContactFilter, Page, PageRequest, UpsertReport};
use super::records::{AuditEntry, CacheEntry, Completion, RunRecord, StageRunRecord};
use super::traits::{AuditStore, CacheStore, EntityStore, RunStore, Store};
use super::validate::{email_key, validate_company, validate_contact};
use crate::error::{Error, ErrorKind, Result};
use crate::model::{Company, CompanyId, Contact, ContactId, Credits, EntityRef, RunId, TenantId};

const BACKEND: &str = "memory";

/// Everything the store holds, behind one lock.
#[derive(Debug, Default)]
struct State {
    /// Companies by (tenant, id): id order within a tenant gives paging for free.
    companies: BTreeMap<(TenantId, Uuid), Company>,
    contacts: BTreeMap<(TenantId, Uuid), Contact>,
    /// Which tenant owns each entity id (ids are unique across tenants, as in SQL).
    owners: HashMap<Uuid, TenantId>,
    runs: HashMap<(TenantId, RunId), RunRecord>,
    /// Completions by (tenant, entity), then stage.
    completions: HashMap<(TenantId, EntityRef), BTreeMap<String, Completion>>,
    /// Stage-run records by (tenant, run), in insertion order.
    stage_runs: HashMap<(TenantId, RunId), Vec<StageRunRecord>>,
    audit: HashMap<TenantId, Vec<AuditEntry>>,
    cache: HashMap<(TenantId, String, String), CacheEntry>,
    /// Work queues of runs shared by workers, by (tenant, run), then (entity, stage).
    queues: HashMap<(TenantId, RunId), BTreeMap<(EntityRef, String), QueueRow>>,
}

/// One queue row of [`LeaseStore`].
#[derive(Debug, Clone)]
struct QueueRow {
    rank: u32,
    worker: Option<String>,
    expires_at: Option<DateTime<Utc>>,
    claims: u32,
    done: bool,
    cost: Credits,
}

impl QueueRow {
    fn lease(&self, entity: EntityRef, stage: &str) -> PairLease {
        PairLease {
            entity,
            stage: stage.to_string(),
            worker: self.worker.clone(),
            expires_at: self.expires_at,
            claims: self.claims,
            done: self.done,
        }
    }

    fn claimable(&self, now: DateTime<Utc>) -> bool {
        !self.done && self.expires_at.is_none_or(|at| at <= now)
    }
}

fn after(now: DateTime<Utc>, d: std::time::Duration) -> DateTime<Utc> {
    now + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// A [`Store`] kept in process memory: complete, tenant-safe, lost on drop.
///
/// Cheap operations under one mutex; fit for tests and small jobs, not for millions
/// of rows. See the [module documentation](self) for the guarantees it shares with
/// the SQL backends.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
    closed: AtomicBool,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn state(&self) -> Result<std::sync::MutexGuard<'_, State>> {
        if self.closed.load(Ordering::Acquire) {
            return Err(Error::Store {
                kind: ErrorKind::Connection,
                backend: BACKEND,
                message: "the store is closed".into(),
                source: None,
            });
        }
        // A panic while holding the lock cannot leave a half-applied batch: every
        // write checks first and mutates after, so the state is still consistent.
        Ok(self.state.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

fn tenant_mismatch(kind: &str, id: Uuid) -> Error {
    Error::Store {
        kind: ErrorKind::TenantMismatch,
        backend: BACKEND,
        message: format!("{kind} {id} belongs to another tenant"),
        source: None,
    }
}

fn parse_cursor(page: &PageRequest) -> Result<Option<Uuid>> {
    page.cursor
        .as_deref()
        .map(|c| {
            Uuid::parse_str(c)
                .map_err(|e| Error::invalid("cursor", format!("{c:?} is not a cursor: {e}")))
        })
        .transpose()
}

/// One page of `items` (already in id order, already filtered) after the cursor.
fn paginate<'a, T: Clone + 'a>(
    items: impl Iterator<Item = (Uuid, &'a T)>,
    page: &PageRequest,
) -> Result<Page<T>> {
    let after = parse_cursor(page)?;
    let limit = page.effective_limit();
    let mut out: Vec<(Uuid, T)> = Vec::with_capacity(limit.min(1024));
    let mut more = false;
    for (id, item) in items.filter(|(id, _)| after.is_none_or(|a| *id > a)) {
        if out.len() == limit {
            more = true;
            break;
        }
        out.push((id, item.clone()));
    }
    let next_cursor = if more {
        out.last().map(|(id, _)| id.to_string())
    } else {
        None
    };
    Ok(Page {
        items: out.into_iter().map(|(_, t)| t).collect(),
        next_cursor,
    })
}

fn contains_ci(haystack: Option<&str>, needle_lower: &str) -> bool {
    haystack.is_some_and(|h| h.to_lowercase().contains(needle_lower))
}

/// No value, or only spaces: what the stores leave out of their key columns.
fn is_blank(value: Option<&str>) -> bool {
    value.is_none_or(|v| v.trim().is_empty())
}

fn eq_ci(a: Option<&str>, b: &str) -> bool {
    a.is_some_and(|a| a.eq_ignore_ascii_case(b))
}

fn updated_matches(
    at: DateTime<Utc>,
    since: Option<DateTime<Utc>>,
    before: Option<DateTime<Utc>>,
) -> bool {
    since.is_none_or(|s| at >= s) && before.is_none_or(|b| at < b)
}

fn company_matches(c: &Company, f: &CompanyFilter) -> bool {
    (f.include_merged || c.merged_into.is_none())
        && (f.domains.is_empty() || f.domains.iter().any(|d| eq_ci(c.domain.as_deref(), d)))
        && f.country
            .as_deref()
            .is_none_or(|k| eq_ci(c.country.as_deref(), k))
        && f.name_contains
            .as_deref()
            .is_none_or(|n| contains_ci(Some(&c.name), &n.to_lowercase()))
        && updated_matches(c.updated_at, f.updated_since, f.updated_before)
}

fn contact_matches(c: &Contact, f: &ContactFilter) -> bool {
    let search_ok = f.search.as_deref().is_none_or(|s| {
        let s = s.to_lowercase();
        [
            c.first_name.as_deref(),
            c.last_name.as_deref(),
            c.full_name.as_deref(),
            c.email.as_deref(),
            c.company_name.as_deref(),
        ]
        .into_iter()
        .any(|field| contains_ci(field, &s))
    });
    (f.include_merged || c.merged_into.is_none())
        && f.company_id.is_none_or(|id| c.company_id == Some(id))
        && (f.emails.is_empty()
            || c.email.as_deref().is_some_and(|e| {
                let key = email_key(e);
                f.emails.iter().any(|want| email_key(want) == key)
            }))
        && (f.linkedin_urls.is_empty()
            || c.linkedin_url
                .as_deref()
                .is_some_and(|u| f.linkedin_urls.iter().any(|w| w == u)))
        && (!f.keyless || (is_blank(c.email.as_deref()) && is_blank(c.linkedin_url.as_deref())))
        && f.email_status.is_none_or(|s| c.email_status == s)
        && f.country
            .as_deref()
            .is_none_or(|k| eq_ci(c.country.as_deref(), k))
        && search_ok
        && updated_matches(c.updated_at, f.updated_since, f.updated_before)
}

/// Checks a batch's ids against their owners, then reports what it would insert
/// or update, without writing (so the batch can fail before any change).
fn plan_upsert(
    owners: &HashMap<Uuid, TenantId>,
    tenant: &TenantId,
    kind: &str,
    ids: impl Iterator<Item = Uuid>,
) -> Result<UpsertReport> {
    let mut report = UpsertReport::default();
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        match owners.get(&id) {
            Some(owner) if owner != tenant => return Err(tenant_mismatch(kind, id)),
            Some(_) => report.updated += 1,
            None if seen.contains(&id) => report.updated += 1,
            None => report.inserted += 1,
        }
        seen.insert(id);
    }
    Ok(report)
}

#[async_trait]
impl EntityStore for MemoryStore {
    async fn upsert_companies(
        &self,
        tenant: &TenantId,
        companies: &[Company],
    ) -> Result<UpsertReport> {
        let (report, _) = self
            .upsert_companies_and_contacts(tenant, companies, &[])
            .await?;
        Ok(report)
    }

    async fn get_company(&self, tenant: &TenantId, id: CompanyId) -> Result<Option<Company>> {
        Ok(self
            .state()?
            .companies
            .get(&(tenant.clone(), id.0))
            .cloned())
    }

    async fn delete_company(&self, tenant: &TenantId, id: CompanyId) -> Result<bool> {
        let mut st = self.state()?;
        if st.companies.remove(&(tenant.clone(), id.0)).is_none() {
            return Ok(false);
        }
        st.owners.remove(&id.0);
        for ((t, _), contact) in st.contacts.iter_mut() {
            if t == tenant && contact.company_id == Some(id) {
                contact.company_id = None;
            }
        }
        Ok(true)
    }

    async fn list_companies(
        &self,
        tenant: &TenantId,
        filter: &CompanyFilter,
        page: &PageRequest,
    ) -> Result<Page<Company>> {
        let st = self.state()?;
        let items = tenant_range(&st.companies, tenant).filter(|(_, c)| company_matches(c, filter));
        paginate(items, page)
    }

    async fn count_companies(&self, tenant: &TenantId, filter: &CompanyFilter) -> Result<u64> {
        let st = self.state()?;
        Ok(tenant_range(&st.companies, tenant)
            .filter(|(_, c)| company_matches(c, filter))
            .count() as u64)
    }

    async fn upsert_companies_and_contacts(
        &self,
        tenant: &TenantId,
        companies: &[Company],
        contacts: &[Contact],
    ) -> Result<(UpsertReport, UpsertReport)> {
        // Everything is checked before anything is written, under one lock.
        companies.iter().try_for_each(validate_company)?;
        contacts.iter().try_for_each(validate_contact)?;
        let mut st = self.state()?;
        let company_report = plan_upsert(
            &st.owners,
            tenant,
            "company",
            companies.iter().map(|c| c.id.0),
        )?;
        let contact_report = plan_upsert(
            &st.owners,
            tenant,
            "contact",
            contacts.iter().map(|c| c.id.0),
        )?;
        for c in companies {
            st.owners.insert(c.id.0, tenant.clone());
            st.companies.insert((tenant.clone(), c.id.0), c.clone());
        }
        for c in contacts {
            st.owners.insert(c.id.0, tenant.clone());
            st.contacts.insert((tenant.clone(), c.id.0), c.clone());
        }
        Ok((company_report, contact_report))
    }

    async fn upsert_contacts(
        &self,
        tenant: &TenantId,
        contacts: &[Contact],
    ) -> Result<UpsertReport> {
        let (_, report) = self
            .upsert_companies_and_contacts(tenant, &[], contacts)
            .await?;
        Ok(report)
    }

    async fn get_contact(&self, tenant: &TenantId, id: ContactId) -> Result<Option<Contact>> {
        Ok(self.state()?.contacts.get(&(tenant.clone(), id.0)).cloned())
    }

    async fn delete_contact(&self, tenant: &TenantId, id: ContactId) -> Result<bool> {
        let mut st = self.state()?;
        let existed = st.contacts.remove(&(tenant.clone(), id.0)).is_some();
        if existed {
            st.owners.remove(&id.0);
        }
        Ok(existed)
    }

    async fn list_contacts(
        &self,
        tenant: &TenantId,
        filter: &ContactFilter,
        page: &PageRequest,
    ) -> Result<Page<Contact>> {
        let st = self.state()?;
        let items = tenant_range(&st.contacts, tenant).filter(|(_, c)| contact_matches(c, filter));
        paginate(items, page)
    }

    async fn count_contacts(&self, tenant: &TenantId, filter: &ContactFilter) -> Result<u64> {
        let st = self.state()?;
        Ok(tenant_range(&st.contacts, tenant)
            .filter(|(_, c)| contact_matches(c, filter))
            .count() as u64)
    }
}

/// The rows of one tenant, in id order.
fn tenant_range<'a, T>(
    map: &'a BTreeMap<(TenantId, Uuid), T>,
    tenant: &TenantId,
) -> impl Iterator<Item = (Uuid, &'a T)> + 'a {
    let start = (tenant.clone(), Uuid::nil());
    let tenant = tenant.clone();
    map.range(start..)
        .take_while(move |((t, _), _)| *t == tenant)
        .map(|((_, id), v)| (*id, v))
}

#[async_trait]
impl RunStore for MemoryStore {
    async fn save_run(&self, tenant: &TenantId, run: &RunRecord) -> Result<()> {
        let mut st = self.state()?;
        if st.runs.keys().any(|(t, id)| *id == run.id && t != tenant) {
            return Err(tenant_mismatch("run", run.id.0));
        }
        st.runs.insert((tenant.clone(), run.id), run.clone());
        Ok(())
    }

    async fn get_run(&self, tenant: &TenantId, id: RunId) -> Result<Option<RunRecord>> {
        Ok(self.state()?.runs.get(&(tenant.clone(), id)).cloned())
    }

    async fn list_runs(&self, tenant: &TenantId, limit: usize) -> Result<Vec<RunRecord>> {
        let st = self.state()?;
        let mut runs: Vec<RunRecord> = st
            .runs
            .iter()
            .filter(|((t, _), _)| t == tenant)
            .map(|(_, r)| r.clone())
            .collect();
        runs.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        // As the SQL backends: 0 means the default page, and pages are capped.
        runs.truncate(match limit {
            0 => super::DEFAULT_PAGE_SIZE,
            n => n.min(super::MAX_PAGE_SIZE),
        });
        Ok(runs)
    }

    async fn record_completions(
        &self,
        tenant: &TenantId,
        completions: &[Completion],
    ) -> Result<()> {
        let mut st = self.state()?;
        for c in completions {
            st.completions
                .entry((tenant.clone(), c.entity))
                .or_default()
                .insert(c.stage.clone(), c.clone());
        }
        Ok(())
    }

    async fn get_completions(
        &self,
        tenant: &TenantId,
        entities: &[EntityRef],
        stages: &[String],
    ) -> Result<Vec<Completion>> {
        let st = self.state()?;
        let mut out = Vec::new();
        for e in entities {
            let Some(by_stage) = st.completions.get(&(tenant.clone(), *e)) else {
                continue;
            };
            if stages.is_empty() {
                out.extend(by_stage.values().cloned());
            } else {
                out.extend(stages.iter().filter_map(|s| by_stage.get(s)).cloned());
            }
        }
        Ok(out)
    }

    async fn delete_completions(
        &self,
        tenant: &TenantId,
        entities: &[EntityRef],
        stages: &[String],
    ) -> Result<u64> {
        let mut st = self.state()?;
        let mut deleted = 0u64;
        for e in entities {
            let Some(by_stage) = st.completions.get_mut(&(tenant.clone(), *e)) else {
                continue;
            };
            if stages.is_empty() {
                deleted += by_stage.len() as u64;
                by_stage.clear();
            } else {
                for s in stages {
                    deleted += u64::from(by_stage.remove(s).is_some());
                }
            }
        }
        Ok(deleted)
    }

    async fn record_stage_runs(&self, tenant: &TenantId, records: &[StageRunRecord]) -> Result<()> {
        let mut st = self.state()?;
        for r in records {
            st.stage_runs
                .entry((tenant.clone(), r.run_id))
                .or_default()
                .push(r.clone());
        }
        Ok(())
    }

    async fn list_stage_runs(&self, tenant: &TenantId, run: RunId) -> Result<Vec<StageRunRecord>> {
        let st = self.state()?;
        let mut records = st
            .stage_runs
            .get(&(tenant.clone(), run))
            .cloned()
            .unwrap_or_default();
        // Stable: records started at the same instant keep their insertion order.
        records.sort_by_key(|r| r.started_at);
        Ok(records)
    }

    async fn credits_spent_since(
        &self,
        tenant: &TenantId,
        since: DateTime<Utc>,
    ) -> Result<Credits> {
        let st = self.state()?;
        Ok(st
            .stage_runs
            .iter()
            .filter(|((t, _), _)| t == tenant)
            .flat_map(|(_, records)| records.iter())
            .filter(|r| r.started_at >= since)
            .map(|r| r.cost)
            .sum())
    }
}

#[async_trait]
impl AuditStore for MemoryStore {
    async fn append_audit(&self, tenant: &TenantId, entries: &[AuditEntry]) -> Result<()> {
        let mut st = self.state()?;
        st.audit
            .entry(tenant.clone())
            .or_default()
            .extend(entries.iter().cloned());
        Ok(())
    }

    async fn list_audit(&self, tenant: &TenantId, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let st = self.state()?;
        let limit = match filter.limit {
            0 => super::DEFAULT_PAGE_SIZE,
            n => n,
        };
        let mut entries: Vec<AuditEntry> = st
            .audit
            .get(tenant)
            .map(|v| {
                v.iter()
                    .filter(|e| filter.entity.is_none_or(|want| e.entity == Some(want)))
                    .filter(|e| filter.action.as_deref().is_none_or(|a| e.action == a))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        entries.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));
        entries.truncate(limit);
        Ok(entries)
    }
}

#[async_trait]
impl CacheStore for MemoryStore {
    async fn cache_get(
        &self,
        tenant: &TenantId,
        namespace: &str,
        keys: &[String],
    ) -> Result<Vec<CacheEntry>> {
        let st = self.state()?;
        Ok(keys
            .iter()
            .filter_map(|k| {
                st.cache
                    .get(&(tenant.clone(), namespace.to_string(), k.clone()))
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
        let mut st = self.state()?;
        for e in entries {
            st.cache.insert(
                (tenant.clone(), namespace.to_string(), e.key.clone()),
                e.clone(),
            );
        }
        Ok(())
    }
}

#[async_trait]
impl Store for MemoryStore {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    async fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }

    fn leases(&self) -> Option<&dyn LeaseStore> {
        Some(self)
    }
}

#[async_trait]
impl LeaseStore for MemoryStore {
    async fn enqueue_pairs(
        &self,
        tenant: &TenantId,
        run: RunId,
        pairs: &[QueuedPair],
    ) -> Result<u64> {
        let mut state = self.state()?;
        let queue = state.queues.entry((tenant.clone(), run)).or_default();
        let mut added = 0;
        for p in pairs {
            queue.entry((p.entity, p.stage.clone())).or_insert_with(|| {
                added += 1;
                QueueRow {
                    rank: p.rank,
                    worker: None,
                    expires_at: None,
                    claims: 0,
                    done: false,
                    cost: Credits::ZERO,
                }
            });
        }
        Ok(added)
    }

    async fn claim_pairs(
        &self,
        tenant: &TenantId,
        run: RunId,
        worker: &str,
        limit: usize,
        lease: std::time::Duration,
    ) -> Result<Vec<PairLease>> {
        let now = Utc::now();
        let mut state = self.state()?;
        let Some(queue) = state.queues.get_mut(&(tenant.clone(), run)) else {
            return Ok(Vec::new());
        };
        let mut free: Vec<(u32, EntityRef, String)> = queue
            .iter()
            .filter(|(_, r)| r.claimable(now))
            .map(|((e, s), r)| (r.rank, *e, s.clone()))
            .collect();
        free.sort();
        free.truncate(limit);
        let mut out = Vec::with_capacity(free.len());
        for (_, entity, stage) in free {
            if let Some(row) = queue.get_mut(&(entity, stage.clone())) {
                row.worker = Some(worker.to_string());
                row.expires_at = Some(after(now, lease));
                row.claims += 1;
                out.push(row.lease(entity, &stage));
            }
        }
        Ok(out)
    }

    async fn extend_leases(
        &self,
        tenant: &TenantId,
        run: RunId,
        worker: &str,
        lease: std::time::Duration,
    ) -> Result<u64> {
        let now = Utc::now();
        let mut state = self.state()?;
        let mut n = 0;
        if let Some(queue) = state.queues.get_mut(&(tenant.clone(), run)) {
            for row in queue.values_mut() {
                if !row.done
                    && row.worker.as_deref() == Some(worker)
                    && row.expires_at.is_some_and(|at| at > now)
                {
                    row.expires_at = Some(after(now, lease));
                    n += 1;
                }
            }
        }
        Ok(n)
    }

    async fn finish_pairs(
        &self,
        tenant: &TenantId,
        run: RunId,
        worker: &str,
        pairs: &[(EntityRef, String, Credits)],
    ) -> Result<u64> {
        let mut state = self.state()?;
        let mut n = 0;
        if let Some(queue) = state.queues.get_mut(&(tenant.clone(), run)) {
            for (entity, stage, cost) in pairs {
                if let Some(row) = queue.get_mut(&(*entity, stage.clone()))
                    && !row.done
                    && row.worker.as_deref() == Some(worker)
                {
                    row.done = true;
                    row.cost = *cost;
                    n += 1;
                }
            }
        }
        Ok(n)
    }

    async fn release_pairs(
        &self,
        tenant: &TenantId,
        run: RunId,
        worker: &str,
        pairs: &[(EntityRef, String)],
        delay: std::time::Duration,
    ) -> Result<u64> {
        let now = Utc::now();
        let mut state = self.state()?;
        let mut n = 0;
        if let Some(queue) = state.queues.get_mut(&(tenant.clone(), run)) {
            for (entity, stage) in pairs {
                if let Some(row) = queue.get_mut(&(*entity, stage.clone()))
                    && !row.done
                    && row.worker.as_deref() == Some(worker)
                {
                    row.worker = None;
                    row.expires_at = Some(after(now, delay));
                    n += 1;
                }
            }
        }
        Ok(n)
    }

    async fn queue_counts(&self, tenant: &TenantId, run: RunId) -> Result<QueueCounts> {
        let now = Utc::now();
        let state = self.state()?;
        let mut c = QueueCounts::default();
        if let Some(queue) = state.queues.get(&(tenant.clone(), run)) {
            for row in queue.values() {
                if row.done {
                    c.done += 1;
                } else if row.worker.is_some() && row.expires_at.is_some_and(|at| at > now) {
                    c.leased += 1;
                } else {
                    c.open += 1;
                }
            }
        }
        Ok(c)
    }

    async fn queue_spent(&self, tenant: &TenantId, run: RunId) -> Result<Credits> {
        let state = self.state()?;
        Ok(state
            .queues
            .get(&(tenant.clone(), run))
            .map(|q| q.values().filter(|r| r.done).map(|r| r.cost).sum())
            .unwrap_or(Credits::ZERO))
    }

    async fn list_leases(&self, tenant: &TenantId, run: RunId) -> Result<Vec<PairLease>> {
        let now = Utc::now();
        let state = self.state()?;
        Ok(state
            .queues
            .get(&(tenant.clone(), run))
            .map(|q| {
                q.iter()
                    .filter(|(_, r)| {
                        !r.done && r.worker.is_some() && r.expires_at.is_some_and(|at| at > now)
                    })
                    .map(|((e, s), r)| r.lease(*e, s))
                    .collect()
            })
            .unwrap_or_default())
    }
}
