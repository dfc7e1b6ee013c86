//! Bulk dedup over a tenant's stored contacts and companies: read all, cluster, and —
//! when asked — merge every duplicate cluster with a strategy, writing survivors and
//! tombstones in one batch and recording each merge in the audit log.

use serde::{Deserialize, Serialize};

use super::config::DedupConfig;
use super::engine::{DedupResult, dedup_records};
use super::merge::{MergeOutcome, MergeStrategy, merge_companies, merge_contacts, undo_merge};
use super::record::Record;
use crate::error::Result;
use crate::model::EntityRef;
use crate::store::{AuditEntry, CompanyFilter, ContactFilter, TenantStore};

/// What a bulk run found and did.
#[derive(Debug, Clone)]
pub struct BulkDedup {
    /// The clusters (record ids are entity ids), for display and the HTML report.
    pub result: DedupResult,
    /// Changes applied (all zero for a dry run).
    pub applied: AppliedMerges,
    /// The records turned into tombstones by this run (empty for a dry run), so a
    /// caller can drop them from its own lists without reading the store again.
    pub merged_away: Vec<EntityRef>,
}

/// Counts of applied merges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedMerges {
    /// Clusters merged.
    pub clusters_merged: usize,
    /// Records turned into tombstones.
    pub tombstoned: usize,
    /// Audit entries written.
    pub audit_entries: usize,
}

const ACTOR: &str = "dedup";

/// Dedups the tenant's contacts (tombstones excluded); merges with `strategy` when
/// `apply` is true, otherwise only reports.
pub async fn dedup_stored_contacts(
    store: &TenantStore,
    config: &DedupConfig,
    strategy: &MergeStrategy,
    apply: bool,
) -> Result<BulkDedup> {
    let contacts = store.all_contacts(&ContactFilter::default()).await?;
    let records: Vec<Record> = contacts.iter().map(Record::from_contact).collect();
    let result = dedup_records(records, config)?;
    if !apply {
        return Ok(BulkDedup::report(result));
    }
    let merges = merge_clusters(
        &contacts,
        &result,
        |members| merge_contacts(members, strategy, ACTOR),
        |c| EntityRef::from(c.id),
    )?;
    if !merges.writes.is_empty() {
        store.upsert_contacts(&merges.writes).await?;
        store.append_audit(&merges.audit).await?;
    }
    Ok(merges.into_bulk(result))
}

/// Dedups the tenant's companies (tombstones excluded); merges with `strategy` when
/// `apply` is true, otherwise only reports.
pub async fn dedup_stored_companies(
    store: &TenantStore,
    config: &DedupConfig,
    strategy: &MergeStrategy,
    apply: bool,
) -> Result<BulkDedup> {
    let companies = store.all_companies(&CompanyFilter::default()).await?;
    let records: Vec<Record> = companies.iter().map(Record::from_company).collect();
    let result = dedup_records(records, config)?;
    if !apply {
        return Ok(BulkDedup::report(result));
    }
    let merges = merge_clusters(
        &companies,
        &result,
        |members| merge_companies(members, strategy, ACTOR),
        |c| EntityRef::from(c.id),
    )?;
    if !merges.writes.is_empty() {
        store.upsert_companies(&merges.writes).await?;
        store.append_audit(&merges.audit).await?;
    }
    Ok(merges.into_bulk(result))
}

impl BulkDedup {
    /// A dry run: the clusters, nothing applied.
    fn report(result: DedupResult) -> Self {
        BulkDedup {
            result,
            applied: AppliedMerges::default(),
            merged_away: Vec::new(),
        }
    }
}

/// What merging every duplicate cluster writes: survivors and tombstones (in one
/// batch), and one audit entry per merged cluster.
struct ClusterMerges<T> {
    writes: Vec<T>,
    tombstones: usize,
    clusters_merged: usize,
    audit: Vec<AuditEntry>,
    merged_away: Vec<EntityRef>,
}

/// Merges each duplicate cluster of `result` (member indices into `records`).
fn merge_clusters<T: Clone>(
    records: &[T],
    result: &DedupResult,
    merge: impl Fn(&[T]) -> std::result::Result<Option<MergeOutcome<T>>, super::DedupError>,
    entity_ref: impl Fn(&T) -> EntityRef,
) -> Result<ClusterMerges<T>> {
    let mut merges = ClusterMerges {
        writes: Vec::new(),
        tombstones: 0,
        clusters_merged: 0,
        audit: Vec::new(),
        merged_away: Vec::new(),
    };
    for cluster in result.duplicate_clusters() {
        let members: Vec<T> = cluster
            .members
            .iter()
            .map(|&m| records[m as usize].clone())
            .collect();
        if let Some(outcome) = merge(&members)? {
            merges.clusters_merged += 1;
            merges.tombstones += outcome.tombstones.len();
            merges.writes.push(outcome.survivor);
            merges
                .merged_away
                .extend(outcome.tombstones.iter().map(&entity_ref));
            merges.writes.extend(outcome.tombstones);
            merges.audit.push(outcome.audit);
        }
    }
    Ok(merges)
}

impl<T> ClusterMerges<T> {
    /// The bulk report once the merges are written.
    fn into_bulk(self, result: DedupResult) -> BulkDedup {
        BulkDedup {
            result,
            applied: AppliedMerges {
                clusters_merged: self.clusters_merged,
                tombstoned: self.tombstones,
                audit_entries: self.audit.len(),
            },
            merged_away: self.merged_away,
        }
    }
}

/// Undoes a recorded merge in the store: writes back every member's before-image and
/// records an `unmerge` audit entry.
pub async fn undo_stored_merge(store: &TenantStore, entry: &AuditEntry) -> Result<()> {
    let undo = undo_merge(entry, ACTOR)?;
    if !undo.contacts.is_empty() {
        store.upsert_contacts(&undo.contacts).await?;
    }
    if !undo.companies.is_empty() {
        store.upsert_companies(&undo.companies).await?;
    }
    store.append_audit(std::slice::from_ref(&undo.audit)).await
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::{Arc, Mutex};

    use crate::model::{Company, Contact};
    use async_trait::async_trait;

    use super::*;
    use crate::model::{CompanyId, ContactId, EntityRef, RunId, TenantId};
    use crate::store::*;

    /// A minimal in-memory store: entities and audit for real, the rest empty.
    #[derive(Debug, Default)]
    struct MemoryStore {
        contacts: Mutex<BTreeMap<ContactId, Contact>>,
        companies: Mutex<BTreeMap<CompanyId, Company>>,
        audit: Mutex<Vec<AuditEntry>>,
    }

    fn page<T: Clone>(items: Vec<T>, req: &PageRequest, offset_of: usize) -> Page<T> {
        let limit = req.effective_limit();
        let start: usize = req
            .cursor
            .as_deref()
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let end = (start + limit).min(items.len());
        let _ = offset_of;
        Page {
            items: items[start.min(end)..end].to_vec(),
            next_cursor: (end < items.len()).then(|| end.to_string()),
        }
    }

    #[async_trait]
    impl EntityStore for MemoryStore {
        async fn upsert_companies(
            &self,
            _: &TenantId,
            companies: &[Company],
        ) -> crate::Result<UpsertReport> {
            let mut m = self.companies.lock().unwrap();
            for c in companies {
                m.insert(c.id, c.clone());
            }
            Ok(UpsertReport::default())
        }
        async fn get_company(&self, _: &TenantId, id: CompanyId) -> crate::Result<Option<Company>> {
            Ok(self.companies.lock().unwrap().get(&id).cloned())
        }
        async fn delete_company(&self, _: &TenantId, id: CompanyId) -> crate::Result<bool> {
            Ok(self.companies.lock().unwrap().remove(&id).is_some())
        }
        async fn list_companies(
            &self,
            _: &TenantId,
            f: &CompanyFilter,
            p: &PageRequest,
        ) -> crate::Result<Page<Company>> {
            let all: Vec<Company> = self
                .companies
                .lock()
                .unwrap()
                .values()
                .filter(|c| f.include_merged || c.merged_into.is_none())
                .cloned()
                .collect();
            Ok(page(all, p, 0))
        }
        async fn count_companies(&self, _: &TenantId, _: &CompanyFilter) -> crate::Result<u64> {
            Ok(self.companies.lock().unwrap().len() as u64)
        }
        async fn upsert_contacts(
            &self,
            _: &TenantId,
            contacts: &[Contact],
        ) -> crate::Result<UpsertReport> {
            let mut m = self.contacts.lock().unwrap();
            for c in contacts {
                m.insert(c.id, c.clone());
            }
            Ok(UpsertReport::default())
        }
        async fn get_contact(&self, _: &TenantId, id: ContactId) -> crate::Result<Option<Contact>> {
            Ok(self.contacts.lock().unwrap().get(&id).cloned())
        }
        async fn delete_contact(&self, _: &TenantId, id: ContactId) -> crate::Result<bool> {
            Ok(self.contacts.lock().unwrap().remove(&id).is_some())
        }
        async fn list_contacts(
            &self,
            _: &TenantId,
            f: &ContactFilter,
            p: &PageRequest,
        ) -> crate::Result<Page<Contact>> {
            let all: Vec<Contact> = self
                .contacts
                .lock()
                .unwrap()
                .values()
                .filter(|c| f.include_merged || c.merged_into.is_none())
                .cloned()
                .collect();
            Ok(page(all, p, 0))
        }
        async fn count_contacts(&self, _: &TenantId, _: &ContactFilter) -> crate::Result<u64> {
            Ok(self.contacts.lock().unwrap().len() as u64)
        }
    }

    #[async_trait]
    impl RunStore for MemoryStore {
        async fn save_run(&self, _: &TenantId, _: &RunRecord) -> crate::Result<()> {
            Ok(())
        }
        async fn get_run(&self, _: &TenantId, _: RunId) -> crate::Result<Option<RunRecord>> {
            Ok(None)
        }
        async fn list_runs(&self, _: &TenantId, _: usize) -> crate::Result<Vec<RunRecord>> {
            Ok(vec![])
        }
        async fn record_completions(&self, _: &TenantId, _: &[Completion]) -> crate::Result<()> {
            Ok(())
        }
        async fn get_completions(
            &self,
            _: &TenantId,
            _: &[EntityRef],
            _: &[String],
        ) -> crate::Result<Vec<Completion>> {
            Ok(vec![])
        }
        async fn delete_completions(
            &self,
            _: &TenantId,
            _: &[EntityRef],
            _: &[String],
        ) -> crate::Result<u64> {
            Ok(0)
        }
        async fn record_stage_runs(&self, _: &TenantId, _: &[StageRunRecord]) -> crate::Result<()> {
            Ok(())
        }
        async fn list_stage_runs(
            &self,
            _: &TenantId,
            _: RunId,
        ) -> crate::Result<Vec<StageRunRecord>> {
            Ok(vec![])
        }
    }

    #[async_trait]
    impl AuditStore for MemoryStore {
        async fn append_audit(&self, _: &TenantId, entries: &[AuditEntry]) -> crate::Result<()> {
            self.audit.lock().unwrap().extend_from_slice(entries);
            Ok(())
        }
        async fn list_audit(
            &self,
            _: &TenantId,
            f: &AuditFilter,
        ) -> crate::Result<Vec<AuditEntry>> {
            Ok(self
                .audit
                .lock()
                .unwrap()
                .iter()
                .rev()
                .filter(|e| f.action.as_ref().is_none_or(|a| *a == e.action))
                .cloned()
                .collect())
        }
    }

    #[async_trait]
    impl CacheStore for MemoryStore {
        async fn cache_get(
            &self,
            _: &TenantId,
            _: &str,
            _: &[String],
        ) -> crate::Result<Vec<CacheEntry>> {
            Ok(vec![])
        }
        async fn cache_put(&self, _: &TenantId, _: &str, _: &[CacheEntry]) -> crate::Result<()> {
            Ok(())
        }
    }

    #[async_trait]
    impl Store for MemoryStore {
        fn backend(&self) -> &'static str {
            "memory"
        }
        async fn close(&self) {}
    }

    fn contact(first: &str, last: &str, email: &str, source: &str) -> Contact {
        let mut c = Contact::new();
        c.first_name = Some(first.into());
        c.last_name = Some(last.into());
        c.email = Some(email.into());
        c.source = Some(source.into());
        c
    }

    #[tokio::test]
    async fn bulk_merge_then_undo() {
        let store = TenantStore::new(
            Arc::new(MemoryStore::default()),
            TenantId::new("t1").unwrap(),
        );
        let a = contact("Jan", "Novák", "jan@acme.cz", "import:csv");
        let mut b = contact("Honza", "Novak", "JAN@acme.cz", "crm:hubspot");
        b.phone = Some("+420606352769".into());
        let c = contact("Eva", "Malá", "eva@beta.cz", "import:csv");
        store
            .upsert_contacts(&[a.clone(), b.clone(), c.clone()])
            .await
            .unwrap();

        let strategy = MergeStrategy::MergeFields {
            source_priority: vec!["crm".into()],
        };
        let dry = dedup_stored_contacts(&store, &DedupConfig::contacts(), &strategy, false)
            .await
            .unwrap();
        assert_eq!(dry.result.stats.duplicate_clusters, 1);
        assert_eq!(dry.applied, AppliedMerges::default());

        let run = dedup_stored_contacts(&store, &DedupConfig::contacts(), &strategy, true)
            .await
            .unwrap();
        assert_eq!(run.applied.clusters_merged, 1);
        assert_eq!(run.applied.tombstoned, 1);
        let live = store.all_contacts(&ContactFilter::default()).await.unwrap();
        assert_eq!(live.len(), 2);
        let survivor = live
            .iter()
            .find(|x| {
                x.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case("jan@acme.cz"))
            })
            .unwrap();
        assert_eq!(survivor.phone.as_deref(), Some("+420606352769"));
        assert_eq!(
            survivor.first_name.as_deref(),
            Some("Honza"),
            "crm ranks first"
        );
        let all = store
            .all_contacts(&ContactFilter {
                include_merged: true,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            all.iter()
                .filter(|x| x.merged_into == Some(survivor.id))
                .count(),
            1
        );

        // A second run finds nothing more.
        let again = dedup_stored_contacts(&store, &DedupConfig::contacts(), &strategy, true)
            .await
            .unwrap();
        assert_eq!(again.applied.clusters_merged, 0);

        let merges = store
            .list_audit(&AuditFilter {
                action: Some("merge".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(merges.len(), 1);
        undo_stored_merge(&store, &merges[0]).await.unwrap();
        let restored = store.all_contacts(&ContactFilter::default()).await.unwrap();
        assert_eq!(restored.len(), 3);
        assert!(restored.contains(&a) && restored.contains(&b) && restored.contains(&c));
    }

    #[tokio::test]
    async fn bulk_companies() {
        let store = TenantStore::new(
            Arc::new(MemoryStore::default()),
            TenantId::new("t1").unwrap(),
        );
        let mut a = Company::new("Acme s.r.o.");
        a.domain = Some("acme.cz".into());
        let mut b = Company::new("ACME");
        b.website = Some("https://www.acme.cz/".into());
        let other = Company::new("Beta a.s.");
        store.upsert_companies(&[a, b, other]).await.unwrap();
        let run = dedup_stored_companies(
            &store,
            &DedupConfig::companies(),
            &MergeStrategy::KeepMostComplete,
            true,
        )
        .await
        .unwrap();
        assert_eq!(run.applied.clusters_merged, 1);
        assert_eq!(
            store
                .all_companies(&CompanyFilter::default())
                .await
                .unwrap()
                .len(),
            2
        );
        let skip = dedup_stored_companies(
            &store,
            &DedupConfig::companies(),
            &MergeStrategy::Skip,
            true,
        )
        .await
        .unwrap();
        assert_eq!(skip.applied.audit_entries, 0);
    }
}
