//! Runs, completions, stage runs, the audit log and the cache on SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use leadgen_core::store::{
    AuditEntry, AuditFilter, AuditStore, CacheEntry, CacheStore, Completion, CompletionStatus,
    DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, RunRecord, RunStore, StageRunRecord,
};
use leadgen_core::{Credits, EntityKind, EntityRef, Result, RunId, TenantId};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};
use uuid::Uuid;

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

/// Rows per multi-row `INSERT` of completions and stage runs (13 columns each,
/// well under SQLite's 32 766 bound parameters).
const RECORD_ROWS_PER_INSERT: usize = 1000;

/// A UUID in its hyphenated text form, without going through `fmt`.
fn uuid_text(id: Uuid) -> String {
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    id.hyphenated().encode_lower(&mut buf).to_owned()
}

/// Nanoseconds since the Unix epoch, or `None` outside 1677–2262.
fn nanos(at: DateTime<Utc>) -> Option<i64> {
    at.timestamp_nanos_opt()
}

/// The columns of one `completions` row that are not plain copies of fields.
///
/// A completion is stored in columns; only one whose times do not fit the
/// nanosecond columns (outside 1677–2262) is stored whole as JSON in `doc`.
struct CompletionRow<'a> {
    completion: &'a Completion,
    cost: i64,
    started_at: i64,
    finished_at: i64,
    output: Option<String>,
    doc: Option<String>,
}

impl<'a> CompletionRow<'a> {
    fn new(c: &'a Completion) -> StoreResult<Self> {
        let times = nanos(c.started_at).zip(nanos(c.finished_at));
        let doc = match times {
            Some(_) => None,
            None => Some(to_doc(BACKEND, "completion", c)?),
        };
        let (started_at, finished_at) = times.unwrap_or((0, 0));
        let output = c
            .output
            .as_ref()
            .map(|o| to_doc(BACKEND, "completion output", o))
            .transpose()?;
        Ok(CompletionRow {
            completion: c,
            cost: millis_column(c.cost),
            started_at,
            finished_at,
            output,
            doc,
        })
    }
}

/// The columns of one `stage_runs` row that are not plain copies of fields (see
/// [`CompletionRow`]).
struct StageRunRow<'a> {
    record: &'a StageRunRecord,
    cost: i64,
    started_at: i64,
    finished_at: i64,
    doc: Option<String>,
}

impl<'a> StageRunRow<'a> {
    fn new(r: &'a StageRunRecord) -> StoreResult<Self> {
        // `started_at` orders the run's records, so it is stored in nanoseconds
        // even for a record kept as a document (clamped to the column's range).
        let doc = match nanos(r.started_at).zip(nanos(r.finished_at)) {
            Some(_) => None,
            None => Some(to_doc(BACKEND, "stage run", r)?),
        };
        Ok(StageRunRow {
            record: r,
            cost: millis_column(r.cost),
            started_at: nanos(r.started_at).unwrap_or(if r.started_at.timestamp() < 0 {
                i64::MIN
            } else {
                i64::MAX
            }),
            finished_at: nanos(r.finished_at).unwrap_or_default(),
            doc,
        })
    }
}

/// Credits as the integer thousandths stored in a `cost` column.
fn millis_column(cost: Credits) -> i64 {
    i64::try_from(cost.millis()).unwrap_or(i64::MAX)
}

fn corrupt(table: &'static str, id: &dyn std::fmt::Display, reason: String) -> StoreError {
    StoreError::Corrupt {
        backend: BACKEND,
        table,
        id: id.to_string(),
        reason,
    }
}

/// Parses a UUID column.
fn uuid_column(table: &'static str, id: &str, value: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(value).map_err(|e| corrupt(table, &id, format!("bad UUID {value:?}: {e}")))
}

/// Parses an entity-kind column.
fn kind_column(table: &'static str, id: &str, value: &str) -> StoreResult<EntityKind> {
    EntityKind::parse(value)
        .ok_or_else(|| corrupt(table, &id, format!("bad entity kind {value:?}")))
}

/// Parses a status column.
fn status_column(table: &'static str, id: &str, value: &str) -> StoreResult<CompletionStatus> {
    CompletionStatus::parse(value)
        .ok_or_else(|| corrupt(table, &id, format!("bad status {value:?}")))
}

/// Credits from a `cost` column.
fn cost_column(value: i64) -> Credits {
    Credits::from_millis(u64::try_from(value).unwrap_or_default())
}

/// A count from an integer column.
fn count_column(table: &'static str, id: &str, value: i64) -> StoreResult<u32> {
    u32::try_from(value).map_err(|_| corrupt(table, &id, format!("bad count {value}")))
}

/// Reads one `completions` row: its document when it has one (rows of schema
/// version 1, out-of-range times), else its columns.
fn decode_completion(row: &SqliteRow) -> StoreResult<Completion> {
    const TABLE: &str = "completions";
    let entity_id: String = row.try_get(1).map_err(db("read"))?;
    let doc: Option<String> = row.try_get(11).map_err(db("read"))?;
    if let Some(doc) = doc {
        return from_doc(BACKEND, TABLE, &entity_id, &doc);
    }
    let kind: String = row.try_get(0).map_err(db("read"))?;
    let stage: String = row.try_get(2).map_err(db("read"))?;
    let status: String = row.try_get(3).map_err(db("read"))?;
    let run_id: Option<String> = row.try_get(4).map_err(db("read"))?;
    let cost: i64 = row.try_get(5).map_err(db("read"))?;
    let attempts: i64 = row.try_get(6).map_err(db("read"))?;
    let started_at: i64 = row.try_get(7).map_err(db("read"))?;
    let finished_at: i64 = row.try_get(8).map_err(db("read"))?;
    let error: Option<String> = row.try_get(9).map_err(db("read"))?;
    let output: Option<String> = row.try_get(10).map_err(db("read"))?;
    Ok(Completion {
        entity: EntityRef {
            kind: kind_column(TABLE, &entity_id, &kind)?,
            id: uuid_column(TABLE, &entity_id, &entity_id)?,
        },
        stage,
        status: status_column(TABLE, &entity_id, &status)?,
        run_id: run_id
            .map(|r| uuid_column(TABLE, &entity_id, &r).map(RunId))
            .transpose()?,
        cost: cost_column(cost),
        attempts: count_column(TABLE, &entity_id, attempts)?,
        started_at: DateTime::from_timestamp_nanos(started_at),
        finished_at: DateTime::from_timestamp_nanos(finished_at),
        error,
        output: output
            .map(|o| from_doc(BACKEND, TABLE, &entity_id, &o))
            .transpose()?,
    })
}

/// Reads one `stage_runs` row (see [`decode_completion`]).
fn decode_stage_run(row: &SqliteRow) -> StoreResult<StageRunRecord> {
    const TABLE: &str = "stage_runs";
    let id: String = row.try_get(0).map_err(db("read"))?;
    let doc: Option<String> = row.try_get(11).map_err(db("read"))?;
    if let Some(doc) = doc {
        return from_doc(BACKEND, TABLE, &id, &doc);
    }
    let run_id: String = row.try_get(1).map_err(db("read"))?;
    let kind: String = row.try_get(2).map_err(db("read"))?;
    let entity_id: String = row.try_get(3).map_err(db("read"))?;
    let stage: String = row.try_get(4).map_err(db("read"))?;
    let status: String = row.try_get(5).map_err(db("read"))?;
    let attempt: i64 = row.try_get(6).map_err(db("read"))?;
    let started_at: i64 = row.try_get(7).map_err(db("read"))?;
    let finished_at: i64 = row.try_get(8).map_err(db("read"))?;
    let cost: i64 = row.try_get(9).map_err(db("read"))?;
    let error: Option<String> = row.try_get(10).map_err(db("read"))?;
    Ok(StageRunRecord {
        id: uuid_column(TABLE, &id, &id)?,
        run_id: RunId(uuid_column(TABLE, &id, &run_id)?),
        entity: EntityRef {
            kind: kind_column(TABLE, &id, &kind)?,
            id: uuid_column(TABLE, &id, &entity_id)?,
        },
        stage,
        status: status_column(TABLE, &id, &status)?,
        attempt: count_column(TABLE, &id, attempt)?,
        started_at: DateTime::from_timestamp_nanos(started_at),
        finished_at: DateTime::from_timestamp_nanos(finished_at),
        cost: cost_column(cost),
        error,
    })
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
            rows.push(CompletionRow::new(c)?);
        }
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db("begin"))?;
        for chunk in rows.chunks(RECORD_ROWS_PER_INSERT) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO completions (tenant_id, entity_kind, entity_id, stage, status, \
                 run_id, cost, attempts, started_at, finished_at, error, output, doc) ",
            );
            q.push_values(chunk, |mut b, r| {
                let c = r.completion;
                b.push_bind(tenant.as_str())
                    .push_bind(c.entity.kind.as_str())
                    .push_bind(uuid_text(c.entity.id))
                    .push_bind(c.stage.as_str())
                    .push_bind(c.status.as_str())
                    .push_bind(c.run_id.map(|r| uuid_text(r.0)))
                    .push_bind(r.cost)
                    .push_bind(i64::from(c.attempts))
                    .push_bind(r.started_at)
                    .push_bind(r.finished_at)
                    .push_bind(c.error.as_deref())
                    .push_bind(r.output.as_deref())
                    .push_bind(r.doc.as_deref());
            });
            q.push(
                " ON CONFLICT (tenant_id, entity_kind, entity_id, stage) DO UPDATE SET \
                 status = excluded.status, run_id = excluded.run_id, cost = excluded.cost, \
                 attempts = excluded.attempts, started_at = excluded.started_at, \
                 finished_at = excluded.finished_at, error = excluded.error, \
                 output = excluded.output, doc = excluded.doc",
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
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT entity_kind, entity_id, stage, status, run_id, cost, attempts, \
             started_at, finished_at, error, output, doc FROM completions",
        );
        push_completion_scope(&mut q, tenant, entities, stages);
        q.push(" ORDER BY entity_kind, entity_id, stage");
        let rows = q
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db("get completions"))?;
        Ok(rows
            .iter()
            .map(decode_completion)
            .collect::<StoreResult<Vec<_>>>()?)
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
            rows.push(StageRunRow::new(r)?);
        }
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db("begin"))?;
        for chunk in rows.chunks(RECORD_ROWS_PER_INSERT) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO stage_runs (id, tenant_id, run_id, entity_kind, entity_id, stage, \
                 status, attempt, started_at, finished_at, cost, error, doc) ",
            );
            q.push_values(chunk, |mut b, row| {
                let r = row.record;
                b.push_bind(uuid_text(r.id))
                    .push_bind(tenant.as_str())
                    .push_bind(uuid_text(r.run_id.0))
                    .push_bind(r.entity.kind.as_str())
                    .push_bind(uuid_text(r.entity.id))
                    .push_bind(r.stage.as_str())
                    .push_bind(r.status.as_str())
                    .push_bind(i64::from(r.attempt))
                    .push_bind(row.started_at)
                    .push_bind(row.finished_at)
                    .push_bind(row.cost)
                    .push_bind(r.error.as_deref())
                    .push_bind(row.doc.as_deref());
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
            "SELECT id, run_id, entity_kind, entity_id, stage, status, attempt, started_at, \
             finished_at, cost, error, doc FROM stage_runs WHERE tenant_id = ? AND run_id = ? \
             ORDER BY started_at, seq",
        )
        .bind(tenant.as_str())
        .bind(run.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db("list stage runs"))?;
        Ok(rows
            .iter()
            .map(decode_stage_run)
            .collect::<StoreResult<Vec<_>>>()?)
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

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::{Connection, SqliteConnection};

    fn completion(output: Option<serde_json::Value>) -> Completion {
        Completion {
            entity: EntityRef {
                kind: EntityKind::Contact,
                id: Uuid::now_v7(),
            },
            stage: "verify".into(),
            status: CompletionStatus::Failed,
            run_id: Some(RunId::new()),
            cost: Credits::from_millis(1_250),
            attempts: 3,
            started_at: DateTime::from_timestamp_nanos(1_790_000_000_123_456_789),
            finished_at: DateTime::from_timestamp_nanos(1_790_000_001_987_654_321),
            error: Some("timeout".into()),
            output,
        }
    }

    fn stage_run(c: &Completion) -> StageRunRecord {
        StageRunRecord {
            id: Uuid::now_v7(),
            run_id: c.run_id.unwrap_or_default(),
            entity: c.entity,
            stage: c.stage.clone(),
            status: c.status,
            attempt: 3,
            started_at: c.started_at,
            finished_at: c.finished_at,
            cost: c.cost,
            error: c.error.clone(),
        }
    }

    /// Rows written as JSON documents by schema version 1 read back unchanged
    /// after migration 2, beside rows written in columns, and count in the spend.
    #[tokio::test]
    async fn version_1_rows_survive_migration_2() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        let tenant = TenantId::new("acme").unwrap();
        let old = completion(Some(serde_json::json!({"ok": false})));
        let old_run = stage_run(&old);
        {
            let options = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&path)
                .create_if_missing(true);
            let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
            let v1 = &super::super::MIGRATIONS[0];
            sqlx::raw_sql(
                "CREATE TABLE leadgen_migrations (version INTEGER PRIMARY KEY, \
                 name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT)",
            )
            .execute(&mut conn)
            .await
            .unwrap();
            sqlx::raw_sql(v1.sql).execute(&mut conn).await.unwrap();
            sqlx::query(
                "INSERT INTO leadgen_migrations (version, name, checksum) VALUES (?, ?, ?)",
            )
            .bind(v1.version)
            .bind(v1.name)
            .bind(v1.checksum())
            .execute(&mut conn)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO completions (tenant_id, entity_kind, entity_id, stage, status, \
                 run_id, finished_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(tenant.as_str())
            .bind(old.entity.kind.as_str())
            .bind(old.entity.id.to_string())
            .bind(&old.stage)
            .bind(old.status.as_str())
            .bind(old.run_id.map(|r| r.to_string()))
            .bind(crate::codec::micros(old.finished_at))
            .bind(serde_json::to_string(&old).unwrap())
            .execute(&mut conn)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO stage_runs (id, tenant_id, run_id, entity_kind, entity_id, stage, \
                 status, started_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(old_run.id.to_string())
            .bind(tenant.as_str())
            .bind(old_run.run_id.to_string())
            .bind(old_run.entity.kind.as_str())
            .bind(old_run.entity.id.to_string())
            .bind(&old_run.stage)
            .bind(old_run.status.as_str())
            .bind(crate::codec::micros(old_run.started_at))
            .bind(serde_json::to_string(&old_run).unwrap())
            .execute(&mut conn)
            .await
            .unwrap();
            conn.close().await.unwrap();
        }

        let store = SqliteStore::open(&path).await.unwrap();
        let mut new = completion(None);
        new.run_id = old.run_id;
        let new_run = stage_run(&new);
        store
            .record_completions(&tenant, std::slice::from_ref(&new))
            .await
            .unwrap();
        store
            .record_stage_runs(&tenant, std::slice::from_ref(&new_run))
            .await
            .unwrap();

        let mut got = store
            .get_completions(&tenant, &[old.entity, new.entity], &[])
            .await
            .unwrap();
        got.sort_by_key(|c| c.entity.id);
        assert_eq!(got, vec![old.clone(), new.clone()]);
        let runs = store
            .list_stage_runs(&tenant, old_run.run_id)
            .await
            .unwrap();
        assert_eq!(runs.len(), 2);
        assert!(runs.contains(&old_run) && runs.contains(&new_run));
        let spent = store
            .credits_spent_since(
                &tenant,
                DateTime::from_timestamp_nanos(1_700_000_000_000_000_000),
            )
            .await
            .unwrap();
        assert_eq!(spent, Credits::from_millis(2_500));
        let later = store
            .credits_spent_since(
                &tenant,
                DateTime::from_timestamp_nanos(1_790_000_000_200_000_000),
            )
            .await
            .unwrap();
        assert_eq!(later, Credits::ZERO);
        store.pool().close().await;
    }
}
