//! Runs, completions, stage runs, the audit log and the cache on SQLite.

use async_trait::async_trait;
use leadgen_core::store::{
    AuditEntry, AuditFilter, AuditStore, CacheEntry, CacheStore, Completion, DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE, RunRecord, RunStore, StageRunRecord,
};
use leadgen_core::{EntityKind, EntityRef, Result, RunId, TenantId};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::{BACKEND, SqliteStore, db};
use crate::codec::{from_doc, last_by_id, micros, to_doc};
use crate::error::{StoreError, StoreResult};

/// Rows per multi-row `INSERT` of records (at most 9 columns each).
const ROWS_PER_INSERT: usize = 500;

/// Decodes the `(key, doc)` rows of a query into records.
fn decode_rows<T: serde::de::DeserializeOwned>(
    table: &'static str,
    rows: &[SqliteRow],
) -> StoreResult<Vec<T>> {
    rows.iter()
        .map(|row| {
            let key: String = row.try_get(0).map_err(db("read"))?;
            let doc: String = row.try_get(1).map_err(db("read"))?;
            from_doc(BACKEND, table, &key, &doc)
        })
        .collect()
}

/// The ids of `entities` of one kind, as a JSON array for `json_each`.
fn ids_of(entities: &[EntityRef], kind: EntityKind) -> String {
    let ids: Vec<String> = entities
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.id.to_string())
        .collect();
    serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into())
}

/// Appends `WHERE tenant AND entity in … AND stage in …` for completions.
fn push_completion_scope(
    q: &mut QueryBuilder<Sqlite>,
    tenant: &TenantId,
    entities: &[EntityRef],
    stages: &[String],
) {
    q.push(" WHERE tenant_id = ")
        .push_bind(tenant.as_str().to_string())
        .push(" AND ((entity_kind = 'company' AND entity_id IN (SELECT value FROM json_each(")
        .push_bind(ids_of(entities, EntityKind::Company))
        .push("))) OR (entity_kind = 'contact' AND entity_id IN (SELECT value FROM json_each(")
        .push_bind(ids_of(entities, EntityKind::Contact))
        .push("))))");
    if !stages.is_empty() {
        q.push(" AND stage IN (SELECT value FROM json_each(")
            .push_bind(serde_json::to_string(stages).unwrap_or_else(|_| "[]".into()))
            .push("))");
    }
}

fn effective_limit(limit: usize) -> i64 {
    match limit {
        0 => DEFAULT_PAGE_SIZE as i64,
        n => n.min(MAX_PAGE_SIZE) as i64,
    }
}

#[async_trait]
impl RunStore for SqliteStore {
    async fn save_run(&self, tenant: &TenantId, run: &RunRecord) -> Result<()> {
        let doc = to_doc(BACKEND, "run", run)?;
        let written = sqlx::query(
            "INSERT INTO runs (id, tenant_id, kind, status, created_at, doc) \
             VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, status = excluded.status, \
             created_at = excluded.created_at, doc = excluded.doc \
             WHERE runs.tenant_id = excluded.tenant_id",
        )
        .bind(run.id.to_string())
        .bind(tenant.as_str())
        .bind(&run.kind)
        .bind(run.status.as_str())
        .bind(micros(run.created_at))
        .bind(doc)
        .execute(&self.pool)
        .await
        .map_err(db("save run"))?
        .rows_affected();
        if written == 0 {
            return Err(StoreError::TenantMismatch {
                backend: BACKEND,
                entity: "run",
                id: run.id.to_string(),
            }
            .into());
        }
        Ok(())
    }

    async fn get_run(&self, tenant: &TenantId, id: RunId) -> Result<Option<RunRecord>> {
        let id = id.to_string();
        let doc: Option<String> =
            sqlx::query_scalar("SELECT doc FROM runs WHERE tenant_id = ? AND id = ?")
                .bind(tenant.as_str())
                .bind(&id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db("get run"))?;
        Ok(doc
            .map(|doc| from_doc(BACKEND, "runs", &id, &doc))
            .transpose()?)
    }

    async fn list_runs(&self, tenant: &TenantId, limit: usize) -> Result<Vec<RunRecord>> {
        let rows = sqlx::query(
            "SELECT id, doc FROM runs WHERE tenant_id = ? \
             ORDER BY created_at DESC, id DESC LIMIT ?",
        )
        .bind(tenant.as_str())
        .bind(effective_limit(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db("list runs"))?;
        Ok(decode_rows("runs", &rows)?)
    }

    async fn record_completions(
        &self,
        tenant: &TenantId,
        completions: &[Completion],
    ) -> Result<()> {
        if completions.is_empty() {
            return Ok(());
        }
        let mut rows = Vec::with_capacity(completions.len());
        for (_, c) in last_by_id(completions, |c| (c.entity, c.stage.as_str())) {
            rows.push((c, to_doc(BACKEND, "completion", c)?));
        }
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db("begin"))?;
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO completions (tenant_id, entity_kind, entity_id, stage, status, \
                 run_id, finished_at, doc) ",
            );
            q.push_values(chunk, |mut b, (c, doc)| {
                b.push_bind(tenant.as_str().to_string())
                    .push_bind(c.entity.kind.as_str())
                    .push_bind(c.entity.id.to_string())
                    .push_bind(c.stage.clone())
                    .push_bind(c.status.as_str())
                    .push_bind(c.run_id.map(|r| r.to_string()))
                    .push_bind(micros(c.finished_at))
                    .push_bind(doc.clone());
            });
            q.push(
                " ON CONFLICT (tenant_id, entity_kind, entity_id, stage) DO UPDATE SET \
                 status = excluded.status, run_id = excluded.run_id, \
                 finished_at = excluded.finished_at, doc = excluded.doc",
            );
            q.build()
                .execute(&mut *tx)
                .await
                .map_err(db("record completions"))?;
        }
        tx.commit().await.map_err(db("commit"))?;
        Ok(())
    }

    async fn get_completions(
        &self,
        tenant: &TenantId,
        entities: &[EntityRef],
        stages: &[String],
    ) -> Result<Vec<Completion>> {
        if entities.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Sqlite>::new("SELECT entity_id, doc FROM completions");
        push_completion_scope(&mut q, tenant, entities, stages);
        q.push(" ORDER BY entity_kind, entity_id, stage");
        let rows = q
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db("get completions"))?;
        Ok(decode_rows("completions", &rows)?)
    }

    async fn delete_completions(
        &self,
        tenant: &TenantId,
        entities: &[EntityRef],
        stages: &[String],
    ) -> Result<u64> {
        if entities.is_empty() {
            return Ok(0);
        }
        let mut q = QueryBuilder::<Sqlite>::new("DELETE FROM completions");
        push_completion_scope(&mut q, tenant, entities, stages);
        let done = q
            .build()
            .execute(&self.pool)
            .await
            .map_err(db("delete completions"))?;
        Ok(done.rows_affected())
    }

    async fn record_stage_runs(&self, tenant: &TenantId, records: &[StageRunRecord]) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let mut rows = Vec::with_capacity(records.len());
        for r in records {
            rows.push((r, to_doc(BACKEND, "stage run", r)?));
        }
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db("begin"))?;
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO stage_runs (id, tenant_id, run_id, entity_kind, entity_id, stage, \
                 status, started_at, doc) ",
            );
            q.push_values(chunk, |mut b, (r, doc)| {
                b.push_bind(r.id.to_string())
                    .push_bind(tenant.as_str().to_string())
                    .push_bind(r.run_id.to_string())
                    .push_bind(r.entity.kind.as_str())
                    .push_bind(r.entity.id.to_string())
                    .push_bind(r.stage.clone())
                    .push_bind(r.status.as_str())
                    .push_bind(micros(r.started_at))
                    .push_bind(doc.clone());
            });
            q.build()
                .execute(&mut *tx)
                .await
                .map_err(db("record stage runs"))?;
        }
        tx.commit().await.map_err(db("commit"))?;
        Ok(())
    }

    async fn list_stage_runs(&self, tenant: &TenantId, run: RunId) -> Result<Vec<StageRunRecord>> {
        let rows = sqlx::query(
            "SELECT id, doc FROM stage_runs WHERE tenant_id = ? AND run_id = ? \
             ORDER BY started_at, seq",
        )
        .bind(tenant.as_str())
        .bind(run.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db("list stage runs"))?;
        Ok(decode_rows("stage_runs", &rows)?)
    }

    async fn credits_spent_since(
        &self,
        tenant: &TenantId,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<leadgen_core::Credits> {
        self.spent_since(tenant, since).await
    }
}

#[async_trait]
impl AuditStore for SqliteStore {
    async fn append_audit(&self, tenant: &TenantId, entries: &[AuditEntry]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut rows = Vec::with_capacity(entries.len());
        for e in entries {
            rows.push((e, to_doc(BACKEND, "audit entry", e)?));
        }
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db("begin"))?;
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO audit_log (id, tenant_id, at, actor, action, entity_kind, \
                 entity_id, doc) ",
            );
            q.push_values(chunk, |mut b, (e, doc)| {
                b.push_bind(e.id.to_string())
                    .push_bind(tenant.as_str().to_string())
                    .push_bind(micros(e.at))
                    .push_bind(e.actor.clone())
                    .push_bind(e.action.clone())
                    .push_bind(e.entity.map(|r| r.kind.as_str()))
                    .push_bind(e.entity.map(|r| r.id.to_string()))
                    .push_bind(doc.clone());
            });
            q.build()
                .execute(&mut *tx)
                .await
                .map_err(db("append audit"))?;
        }
        tx.commit().await.map_err(db("commit"))?;
        Ok(())
    }

    async fn list_audit(&self, tenant: &TenantId, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT id, doc FROM audit_log WHERE tenant_id = ");
        q.push_bind(tenant.as_str().to_string());
        if let Some(entity) = filter.entity {
            q.push(" AND entity_kind = ")
                .push_bind(entity.kind.as_str())
                .push(" AND entity_id = ")
                .push_bind(entity.id.to_string());
        }
        if let Some(action) = &filter.action {
            q.push(" AND action = ").push_bind(action.clone());
        }
        q.push(" ORDER BY at DESC, id DESC LIMIT ")
            .push_bind(effective_limit(filter.limit));
        let rows = q
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db("list audit"))?;
        Ok(decode_rows("audit_log", &rows)?)
    }
}

#[async_trait]
impl CacheStore for SqliteStore {
    async fn cache_get(
        &self,
        tenant: &TenantId,
        namespace: &str,
        keys: &[String],
    ) -> Result<Vec<CacheEntry>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "SELECT key, doc FROM cache_entries WHERE tenant_id = ? AND namespace = ? \
             AND key IN (SELECT value FROM json_each(?)) ORDER BY key",
        )
        .bind(tenant.as_str())
        .bind(namespace)
        .bind(serde_json::to_string(keys).unwrap_or_else(|_| "[]".into()))
        .fetch_all(&self.pool)
        .await
        .map_err(db("cache get"))?;
        Ok(decode_rows("cache_entries", &rows)?)
    }

    async fn cache_put(
        &self,
        tenant: &TenantId,
        namespace: &str,
        entries: &[CacheEntry],
    ) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut rows = Vec::with_capacity(entries.len());
        for (_, e) in last_by_id(entries, |e| e.key.as_str()) {
            rows.push((e, to_doc(BACKEND, "cache entry", e)?));
        }
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db("begin"))?;
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO cache_entries (tenant_id, namespace, key, stored_at, doc) ",
            );
            q.push_values(chunk, |mut b, (e, doc)| {
                b.push_bind(tenant.as_str().to_string())
                    .push_bind(namespace.to_string())
                    .push_bind(e.key.clone())
                    .push_bind(micros(e.stored_at))
                    .push_bind(doc.clone());
            });
            q.push(
                " ON CONFLICT (tenant_id, namespace, key) DO UPDATE SET \
                 stored_at = excluded.stored_at, doc = excluded.doc",
            );
            q.build().execute(&mut *tx).await.map_err(db("cache put"))?;
        }
        tx.commit().await.map_err(db("commit"))?;
        Ok(())
    }
}
