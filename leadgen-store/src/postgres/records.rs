//! Runs, completions, stage runs, the audit log and the cache on PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use leadgen_core::store::{
    AuditEntry, AuditFilter, AuditStore, CacheEntry, CacheStore, Completion, DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE, RunRecord, RunStore, StageRunRecord,
};
use leadgen_core::{EntityKind, EntityRef, Result, RunId, TenantId};
use sqlx::postgres::PgRow;
use sqlx::{Postgres, QueryBuilder, Row};
use uuid::Uuid;

use super::{BACKEND, PostgresStore, db};
use crate::codec::{from_doc, last_by_id, to_doc};
use crate::error::{StoreError, StoreResult};

/// Decodes `(key, doc::text)` rows into records.
fn decode_rows<T: serde::de::DeserializeOwned>(
    table: &'static str,
    rows: &[PgRow],
) -> StoreResult<Vec<T>> {
    rows.iter()
        .map(|row| {
            let key: String = row.try_get(0).map_err(db("read"))?;
            let doc: String = row.try_get(1).map_err(db("read"))?;
            from_doc(BACKEND, table, &key, &doc)
        })
        .collect()
}

fn ids_of(entities: &[EntityRef], kind: EntityKind) -> Vec<Uuid> {
    entities
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.id)
        .collect()
}

/// Appends `WHERE tenant AND entity in … AND stage in …` for completions.
fn push_completion_scope(
    q: &mut QueryBuilder<Postgres>,
    tenant: &TenantId,
    entities: &[EntityRef],
    stages: &[String],
) {
    q.push(" WHERE tenant_id = ")
        .push_bind(tenant.as_str().to_string())
        .push(" AND ((entity_kind = 'company' AND entity_id = ANY(")
        .push_bind(ids_of(entities, EntityKind::Company))
        .push(")) OR (entity_kind = 'contact' AND entity_id = ANY(")
        .push_bind(ids_of(entities, EntityKind::Contact))
        .push(")))");
    if !stages.is_empty() {
        q.push(" AND stage = ANY(")
            .push_bind(stages.to_vec())
            .push(")");
    }
}

fn effective_limit(limit: usize) -> i64 {
    match limit {
        0 => DEFAULT_PAGE_SIZE as i64,
        n => n.min(MAX_PAGE_SIZE) as i64,
    }
}

#[async_trait]
impl RunStore for PostgresStore {
    async fn save_run(&self, tenant: &TenantId, run: &RunRecord) -> Result<()> {
        let doc = to_doc(BACKEND, "run", run)?;
        let mut tx = self.begin(tenant).await?;
        let written = sqlx::query(
            "INSERT INTO runs AS t (id, tenant_id, kind, status, created_at, doc) \
             VALUES ($1, $2, $3, $4, $5, $6::jsonb) \
             ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, status = EXCLUDED.status, \
             created_at = EXCLUDED.created_at, doc = EXCLUDED.doc \
             WHERE t.tenant_id = EXCLUDED.tenant_id",
        )
        .bind(run.id.0)
        .bind(tenant.as_str())
        .bind(&run.kind)
        .bind(run.status.as_str())
        .bind(run.created_at)
        .bind(doc)
        .execute(&mut *tx)
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
        tx.commit().await.map_err(db("commit"))?;
        Ok(())
    }

    async fn get_run(&self, tenant: &TenantId, id: RunId) -> Result<Option<RunRecord>> {
        let mut tx = self.begin(tenant).await?;
        let doc: Option<String> =
            sqlx::query_scalar("SELECT doc::text FROM runs WHERE tenant_id = $1 AND id = $2")
                .bind(tenant.as_str())
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db("get run"))?;
        tx.commit().await.map_err(db("commit"))?;
        Ok(doc
            .map(|doc| from_doc(BACKEND, "runs", &id, &doc))
            .transpose()?)
    }

    async fn list_runs(&self, tenant: &TenantId, limit: usize) -> Result<Vec<RunRecord>> {
        let mut tx = self.begin(tenant).await?;
        let rows = sqlx::query(
            "SELECT id::text, doc::text FROM runs WHERE tenant_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(tenant.as_str())
        .bind(effective_limit(limit))
        .fetch_all(&mut *tx)
        .await
        .map_err(db("list runs"))?;
        tx.commit().await.map_err(db("commit"))?;
        Ok(decode_rows("runs", &rows)?)
    }

    async fn record_completions(
        &self,
        tenant: &TenantId,
        completions: &[Completion],
    ) -> Result<()> {
        let completions = last_by_id(completions, |c| (c.entity, c.stage.as_str()));
        if completions.is_empty() {
            return Ok(());
        }
        let n = completions.len();
        let (mut kinds, mut ids, mut stages, mut statuses) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let (mut runs, mut finished, mut docs): (
            Vec<Option<Uuid>>,
            Vec<DateTime<Utc>>,
            Vec<String>,
        ) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for (_, c) in completions {
            kinds.push(c.entity.kind.as_str());
            ids.push(c.entity.id);
            stages.push(c.stage.as_str());
            statuses.push(c.status.as_str());
            runs.push(c.run_id.map(|r| r.0));
            finished.push(c.finished_at);
            docs.push(to_doc(BACKEND, "completion", c)?);
        }
        let mut tx = self.begin(tenant).await?;
        sqlx::query(
            "INSERT INTO completions (tenant_id, entity_kind, entity_id, stage, status, run_id, \
                                      finished_at, doc) \
             SELECT $1, u.kind, u.id, u.stage, u.status, u.run_id, u.finished_at, u.doc::jsonb \
             FROM UNNEST($2::text[], $3::uuid[], $4::text[], $5::text[], $6::uuid[], \
                         $7::timestamptz[], $8::text[]) \
                  AS u(kind, id, stage, status, run_id, finished_at, doc) \
             ON CONFLICT (tenant_id, entity_kind, entity_id, stage) DO UPDATE SET \
                 status = EXCLUDED.status, run_id = EXCLUDED.run_id, \
                 finished_at = EXCLUDED.finished_at, doc = EXCLUDED.doc",
        )
        .bind(tenant.as_str())
        .bind(kinds)
        .bind(ids)
        .bind(stages)
        .bind(statuses)
        .bind(runs)
        .bind(finished)
        .bind(docs)
        .execute(&mut *tx)
        .await
        .map_err(db("record completions"))?;
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
        // One primary-key probe per entity (a nested loop over the keys, the
        // subquery kept apart by `OFFSET 0`): `kind = … AND id = ANY(…) OR …`
        // let the planner fall back to scanning every completion of the
        // tenant by stage when its statistics are stale (no autovacuum, a
        // table that grew since the last ANALYZE), which made each call cost
        // O(completions) — the workers of a large run spent most of their time
        // there.
        let mut seen = std::collections::HashSet::with_capacity(entities.len());
        let (mut kinds, mut ids) = (Vec::new(), Vec::new());
        for e in entities {
            if seen.insert(*e) {
                kinds.push(e.kind.as_str());
                ids.push(e.id);
            }
        }
        // `$4` empty means every stage.
        const SQL: &str = "SELECT c.entity_id::text, c.doc::text \
             FROM UNNEST($2::text[], $3::uuid[]) AS u(kind, id) \
             CROSS JOIN LATERAL ( \
                 SELECT entity_kind, entity_id, stage, doc FROM completions \
                 WHERE tenant_id = $1 AND entity_kind = u.kind AND entity_id = u.id \
                   AND (cardinality($4::text[]) = 0 OR stage = ANY($4::text[])) \
                 OFFSET 0 \
             ) c \
             ORDER BY c.entity_kind, c.entity_id, c.stage COLLATE \"C\"";
        let query = sqlx::query(SQL)
            .bind(tenant.as_str())
            .bind(kinds)
            .bind(ids)
            .bind(stages.to_vec());
        let mut tx = self.begin(tenant).await?;
        let rows = query
            .fetch_all(&mut *tx)
            .await
            .map_err(db("get completions"))?;
        tx.commit().await.map_err(db("commit"))?;
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
        let mut q = QueryBuilder::<Postgres>::new("DELETE FROM completions");
        push_completion_scope(&mut q, tenant, entities, stages);
        let mut tx = self.begin(tenant).await?;
        let done = q
            .build()
            .execute(&mut *tx)
            .await
            .map_err(db("delete completions"))?;
        tx.commit().await.map_err(db("commit"))?;
        Ok(done.rows_affected())
    }

    async fn record_stage_runs(&self, tenant: &TenantId, records: &[StageRunRecord]) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let n = records.len();
        let (mut ids, mut runs, mut kinds, mut entities) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let (mut stages, mut statuses, mut started, mut docs): (
            Vec<&str>,
            Vec<&str>,
            Vec<DateTime<Utc>>,
            Vec<String>,
        ) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for r in records {
            ids.push(r.id);
            runs.push(r.run_id.0);
            kinds.push(r.entity.kind.as_str());
            entities.push(r.entity.id);
            stages.push(r.stage.as_str());
            statuses.push(r.status.as_str());
            started.push(r.started_at);
            docs.push(to_doc(BACKEND, "stage run", r)?);
        }
        let mut tx = self.begin(tenant).await?;
        // Ordered by position, so `seq` follows the order of `records`.
        sqlx::query(
            "INSERT INTO stage_runs (id, tenant_id, run_id, entity_kind, entity_id, stage, \
                                     status, started_at, doc) \
             SELECT u.id, $1, u.run_id, u.kind, u.entity_id, u.stage, u.status, u.started_at, \
                    u.doc::jsonb \
             FROM UNNEST($2::uuid[], $3::uuid[], $4::text[], $5::uuid[], $6::text[], \
                         $7::text[], $8::timestamptz[], $9::text[]) WITH ORDINALITY \
                  AS u(id, run_id, kind, entity_id, stage, status, started_at, doc, n) \
             ORDER BY u.n",
        )
        .bind(tenant.as_str())
        .bind(ids)
        .bind(runs)
        .bind(kinds)
        .bind(entities)
        .bind(stages)
        .bind(statuses)
        .bind(started)
        .bind(docs)
        .execute(&mut *tx)
        .await
        .map_err(db("record stage runs"))?;
        tx.commit().await.map_err(db("commit"))?;
        Ok(())
    }

    async fn list_stage_runs(&self, tenant: &TenantId, run: RunId) -> Result<Vec<StageRunRecord>> {
        let mut tx = self.begin(tenant).await?;
        let rows = sqlx::query(
            "SELECT id::text, doc::text FROM stage_runs WHERE tenant_id = $1 AND run_id = $2 \
             ORDER BY started_at, seq",
        )
        .bind(tenant.as_str())
        .bind(run.0)
        .fetch_all(&mut *tx)
        .await
        .map_err(db("list stage runs"))?;
        tx.commit().await.map_err(db("commit"))?;
        Ok(decode_rows("stage_runs", &rows)?)
    }
    async fn credits_spent_since(
        &self,
        tenant: &TenantId,
        since: DateTime<Utc>,
    ) -> Result<leadgen_core::Credits> {
        let mut tx = self.begin(tenant).await?;
        // `cost` is stored in thousandths of a credit (an integer).
        let millis: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM((doc->>'cost')::bigint), 0)::bigint FROM stage_runs \
             WHERE tenant_id = $1 AND started_at >= $2",
        )
        .bind(tenant.as_str())
        .bind(since)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("sum stage-run costs"))?;
        tx.commit().await.map_err(db("commit"))?;
        Ok(leadgen_core::Credits::from_millis(
            u64::try_from(millis).unwrap_or_default(),
        ))
    }
}

#[async_trait]
impl AuditStore for PostgresStore {
    async fn append_audit(&self, tenant: &TenantId, entries: &[AuditEntry]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let n = entries.len();
        let (mut ids, mut at, mut actors, mut actions): (
            Vec<Uuid>,
            Vec<DateTime<Utc>>,
            Vec<&str>,
            Vec<&str>,
        ) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let (mut kinds, mut entity_ids, mut docs): (
            Vec<Option<&str>>,
            Vec<Option<Uuid>>,
            Vec<String>,
        ) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for e in entries {
            ids.push(e.id);
            at.push(e.at);
            actors.push(e.actor.as_str());
            actions.push(e.action.as_str());
            kinds.push(e.entity.map(|r| r.kind.as_str()));
            entity_ids.push(e.entity.map(|r| r.id));
            docs.push(to_doc(BACKEND, "audit entry", e)?);
        }
        let mut tx = self.begin(tenant).await?;
        sqlx::query(
            "INSERT INTO audit_log (id, tenant_id, at, actor, action, entity_kind, entity_id, doc) \
             SELECT u.id, $1, u.at, u.actor, u.action, u.kind, u.entity_id, u.doc::jsonb \
             FROM UNNEST($2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], \
                         $7::uuid[], $8::text[]) \
                  AS u(id, at, actor, action, kind, entity_id, doc)",
        )
        .bind(tenant.as_str())
        .bind(ids)
        .bind(at)
        .bind(actors)
        .bind(actions)
        .bind(kinds)
        .bind(entity_ids)
        .bind(docs)
        .execute(&mut *tx)
        .await
        .map_err(db("append audit"))?;
        tx.commit().await.map_err(db("commit"))?;
        Ok(())
    }

    async fn list_audit(&self, tenant: &TenantId, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let mut q = QueryBuilder::<Postgres>::new(
            "SELECT id::text, doc::text FROM audit_log WHERE tenant_id = ",
        );
        q.push_bind(tenant.as_str().to_string());
        if let Some(entity) = filter.entity {
            q.push(" AND entity_kind = ")
                .push_bind(entity.kind.as_str())
                .push(" AND entity_id = ")
                .push_bind(entity.id);
        }
        if let Some(action) = &filter.action {
            q.push(" AND action = ").push_bind(action.clone());
        }
        q.push(" ORDER BY at DESC, id DESC LIMIT ")
            .push_bind(effective_limit(filter.limit));
        let mut tx = self.begin(tenant).await?;
        let rows = q
            .build()
            .fetch_all(&mut *tx)
            .await
            .map_err(db("list audit"))?;
        tx.commit().await.map_err(db("commit"))?;
        Ok(decode_rows("audit_log", &rows)?)
    }
}

#[async_trait]
impl CacheStore for PostgresStore {
    async fn cache_get(
        &self,
        tenant: &TenantId,
        namespace: &str,
        keys: &[String],
    ) -> Result<Vec<CacheEntry>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin(tenant).await?;
        let rows = sqlx::query(
            "SELECT key, doc::text FROM cache_entries WHERE tenant_id = $1 AND namespace = $2 \
             AND key = ANY($3) ORDER BY key COLLATE \"C\"",
        )
        .bind(tenant.as_str())
        .bind(namespace)
        .bind(keys)
        .fetch_all(&mut *tx)
        .await
        .map_err(db("cache get"))?;
        tx.commit().await.map_err(db("commit"))?;
        Ok(decode_rows("cache_entries", &rows)?)
    }

    async fn cache_put(
        &self,
        tenant: &TenantId,
        namespace: &str,
        entries: &[CacheEntry],
    ) -> Result<()> {
        let entries = last_by_id(entries, |e| e.key.as_str());
        if entries.is_empty() {
            return Ok(());
        }
        let n = entries.len();
        let (mut keys, mut stored, mut docs): (Vec<&str>, Vec<DateTime<Utc>>, Vec<String>) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for (_, e) in entries {
            keys.push(e.key.as_str());
            stored.push(e.stored_at);
            docs.push(to_doc(BACKEND, "cache entry", e)?);
        }
        let mut tx = self.begin(tenant).await?;
        sqlx::query(
            "INSERT INTO cache_entries (tenant_id, namespace, key, stored_at, doc) \
             SELECT $1, $2, u.key, u.stored_at, u.doc::jsonb \
             FROM UNNEST($3::text[], $4::timestamptz[], $5::text[]) AS u(key, stored_at, doc) \
             ON CONFLICT (tenant_id, namespace, key) DO UPDATE SET \
                 stored_at = EXCLUDED.stored_at, doc = EXCLUDED.doc",
        )
        .bind(tenant.as_str())
        .bind(namespace)
        .bind(keys)
        .bind(stored)
        .bind(docs)
        .execute(&mut *tx)
        .await
        .map_err(db("cache put"))?;
        tx.commit().await.map_err(db("commit"))?;
        Ok(())
    }
}
