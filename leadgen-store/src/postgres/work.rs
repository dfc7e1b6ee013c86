//! The work queue of runs shared by several workers ([`LeaseStore`]) on
//! PostgreSQL: claims with `FOR UPDATE SKIP LOCKED` inside a CTE, so concurrent
//! workers never get the same pair and never wait for each other's locks (the
//! claimed rows are updated by `ctid`, a TID scan, within the same statement).
//! Lease times come from the database's clock.
//!
//! Batch updates by key (finish, release) look each pair up by its primary key
//! in a `LATERAL` subquery that locks it, then update it by `ctid`: a plain
//! `UPDATE … FROM UNNEST(…)` join let the planner, with the stale statistics of
//! a queue that grew since its last `ANALYZE` (or with autovacuum off), pick a
//! nested loop over the worker's held rows × the keys — seconds per batch on a
//! 200k-pair run. The subquery names only primary-key columns (the worker and
//! `done` are checked outside it, `OFFSET 0` keeps them from being pushed in), so
//! the primary key is the only index it can use: the partial index of held
//! pairs would otherwise be walked whole for every key.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use leadgen_core::store::{LeaseStore, PairLease, QueueCounts, QueuedPair};
use leadgen_core::{Company, Contact, Credits, EntityKind, EntityRef, Result, RunId, TenantId};
use sqlx::Row;
use sqlx::postgres::PgRow;
use uuid::Uuid;

use super::{BACKEND, PostgresStore, db};
use crate::codec::from_doc;
use crate::error::{StoreError, StoreResult};

/// Milliseconds, for `$n * interval '1 millisecond'`.
fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2)
}

fn lease_of(row: &PgRow) -> StoreResult<PairLease> {
    let kind: String = row.try_get(0).map_err(db("read run pairs"))?;
    let kind = EntityKind::parse(&kind).ok_or_else(|| StoreError::InvalidValue {
        backend: BACKEND,
        field: "run_pairs.entity_kind".into(),
        reason: format!("unknown entity kind {kind:?}"),
    })?;
    let claims: i32 = row.try_get(5).map_err(db("read run pairs"))?;
    Ok(PairLease {
        entity: EntityRef {
            kind,
            id: row.try_get(1).map_err(db("read run pairs"))?,
        },
        stage: row.try_get(2).map_err(db("read run pairs"))?,
        worker: row.try_get(3).map_err(db("read run pairs"))?,
        expires_at: row
            .try_get::<Option<DateTime<Utc>>, _>(4)
            .map_err(db("read run pairs"))?,
        claims: u32::try_from(claims).unwrap_or_default(),
        done: row.try_get(6).map_err(db("read run pairs"))?,
    })
}

/// Column arrays of pair keys, for `UNNEST`.
fn key_arrays<'a>(
    pairs: impl Iterator<Item = (&'a EntityRef, &'a str)>,
) -> (Vec<&'static str>, Vec<Uuid>, Vec<&'a str>) {
    let (mut kinds, mut ids, mut stages) = (Vec::new(), Vec::new(), Vec::new());
    for (e, s) in pairs {
        kinds.push(e.kind.as_str());
        ids.push(e.id);
        stages.push(s);
    }
    (kinds, ids, stages)
}

#[async_trait]
impl LeaseStore for PostgresStore {
    async fn enqueue_pairs(
        &self,
        tenant: &TenantId,
        run: RunId,
        pairs: &[QueuedPair],
    ) -> Result<u64> {
        if pairs.is_empty() {
            return Ok(0);
        }
        let (kinds, ids, stages) = key_arrays(pairs.iter().map(|p| (&p.entity, p.stage.as_str())));
        let ranks: Vec<i32> = pairs
            .iter()
            .map(|p| i32::try_from(p.rank).unwrap_or(i32::MAX))
            .collect();
        let mut tx = self.begin(tenant).await?;
        let done = sqlx::query(
            "INSERT INTO run_pairs (tenant_id, run_id, entity_kind, entity_id, stage, rank) \
             SELECT $1, $2, u.kind, u.id, u.stage, u.rank \
             FROM UNNEST($3::text[], $4::uuid[], $5::text[], $6::int[]) AS u(kind, id, stage, rank) \
             ON CONFLICT DO NOTHING",
        )
        .bind(tenant.as_str())
        .bind(run.0)
        .bind(kinds)
        .bind(ids)
        .bind(stages)
        .bind(ranks)
        .execute(&mut *tx)
        .await
        .map_err(db("enqueue run pairs"))?;
        tx.commit().await.map_err(db("commit"))?;
        Ok(done.rows_affected())
    }

    async fn claim_pairs(
        &self,
        tenant: &TenantId,
        run: RunId,
        worker: &str,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<PairLease>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut tx = self.begin(tenant).await?;
        let rows = sqlx::query(
            "WITH c AS ( \
                 SELECT ctid FROM run_pairs \
                 WHERE tenant_id = $1 AND run_id = $2 AND NOT done \
                   AND (expires_at IS NULL OR expires_at <= clock_timestamp()) \
                 ORDER BY rank, entity_id \
                 LIMIT $3 \
                 FOR UPDATE SKIP LOCKED \
             ) \
             UPDATE run_pairs p \
             SET worker = $4, claims = p.claims + 1, \
                 expires_at = clock_timestamp() + $5 * interval '1 millisecond' \
             WHERE p.ctid = ANY(ARRAY(SELECT ctid FROM c)) \
             RETURNING p.entity_kind, p.entity_id, p.stage, p.worker, p.expires_at, p.claims, \
                       p.done",
        )
        .bind(tenant.as_str())
        .bind(run.0)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind(worker)
        .bind(millis(lease))
        .fetch_all(&mut *tx)
        .await
        .map_err(db("claim run pairs"))?;
        tx.commit().await.map_err(db("commit"))?;
        Ok(rows.iter().map(lease_of).collect::<StoreResult<_>>()?)
    }

    async fn extend_leases(
        &self,
        tenant: &TenantId,
        run: RunId,
        worker: &str,
        lease: Duration,
    ) -> Result<u64> {
        let mut tx = self.begin(tenant).await?;
        let done = sqlx::query(
            "UPDATE run_pairs SET expires_at = clock_timestamp() + $4 * interval '1 millisecond' \
             WHERE tenant_id = $1 AND run_id = $2 AND worker = $3 AND NOT done \
               AND expires_at > clock_timestamp()",
        )
        .bind(tenant.as_str())
        .bind(run.0)
        .bind(worker)
        .bind(millis(lease))
        .execute(&mut *tx)
        .await
        .map_err(db("extend leases"))?;
        tx.commit().await.map_err(db("commit"))?;
        Ok(done.rows_affected())
    }

    async fn finish_pairs(
        &self,
        tenant: &TenantId,
        run: RunId,
        worker: &str,
        pairs: &[(EntityRef, String, Credits)],
    ) -> Result<u64> {
        if pairs.is_empty() {
            return Ok(0);
        }
        let (kinds, ids, stages) = key_arrays(pairs.iter().map(|(e, s, _)| (e, s.as_str())));
        let costs: Vec<i64> = pairs
            .iter()
            .map(|(_, _, c)| i64::try_from(c.millis()).unwrap_or(i64::MAX))
            .collect();
        let mut tx = self.begin(tenant).await?;
        let done = sqlx::query(
            "WITH t AS ( \
                 SELECT q.ctid AS tid, u.cost \
                 FROM UNNEST($4::text[], $5::uuid[], $6::text[], $7::bigint[]) \
                      AS u(kind, id, stage, cost) \
                 CROSS JOIN LATERAL ( \
                     SELECT ctid, worker, done FROM run_pairs \
                     WHERE tenant_id = $1 AND run_id = $2 AND entity_kind = u.kind \
                       AND entity_id = u.id AND stage = u.stage \
                     OFFSET 0 FOR UPDATE \
                 ) q \
                 WHERE q.worker = $3 AND NOT q.done \
             ) \
             UPDATE run_pairs p SET done = true, cost = t.cost, expires_at = NULL \
             FROM t WHERE p.ctid = t.tid",
        )
        .bind(tenant.as_str())
        .bind(run.0)
        .bind(worker)
        .bind(kinds)
        .bind(ids)
        .bind(stages)
        .bind(costs)
        .execute(&mut *tx)
        .await
        .map_err(db("finish run pairs"))?;
        tx.commit().await.map_err(db("commit"))?;
        Ok(done.rows_affected())
    }

    async fn release_pairs(
        &self,
        tenant: &TenantId,
        run: RunId,
        worker: &str,
        pairs: &[(EntityRef, String)],
        delay: Duration,
    ) -> Result<u64> {
        if pairs.is_empty() {
            return Ok(0);
        }
        let (kinds, ids, stages) = key_arrays(pairs.iter().map(|(e, s)| (e, s.as_str())));
        let mut tx = self.begin(tenant).await?;
        let done = sqlx::query(
            "WITH t AS ( \
                 SELECT q.ctid AS tid \
                 FROM UNNEST($4::text[], $5::uuid[], $6::text[]) AS u(kind, id, stage) \
                 CROSS JOIN LATERAL ( \
                     SELECT ctid, worker, done FROM run_pairs \
                     WHERE tenant_id = $1 AND run_id = $2 AND entity_kind = u.kind \
                       AND entity_id = u.id AND stage = u.stage \
                     OFFSET 0 FOR UPDATE \
                 ) q \
                 WHERE q.worker = $3 AND NOT q.done \
             ) \
             UPDATE run_pairs p SET worker = NULL, \
                 expires_at = clock_timestamp() + $7 * interval '1 millisecond' \
             FROM t WHERE p.ctid = t.tid",
        )
        .bind(tenant.as_str())
        .bind(run.0)
        .bind(worker)
        .bind(kinds)
        .bind(ids)
        .bind(stages)
        .bind(millis(delay))
        .execute(&mut *tx)
        .await
        .map_err(db("release run pairs"))?;
        tx.commit().await.map_err(db("commit"))?;
        Ok(done.rows_affected())
    }

    async fn queue_counts(&self, tenant: &TenantId, run: RunId) -> Result<QueueCounts> {
        let mut tx = self.begin(tenant).await?;
        let row = sqlx::query(
            "SELECT count(*) FILTER (WHERE done), \
                    count(*) FILTER (WHERE NOT done AND worker IS NOT NULL \
                                     AND expires_at > clock_timestamp()), \
                    count(*) FILTER (WHERE NOT done AND (worker IS NULL \
                                     OR expires_at IS NULL OR expires_at <= clock_timestamp())) \
             FROM run_pairs WHERE tenant_id = $1 AND run_id = $2",
        )
        .bind(tenant.as_str())
        .bind(run.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("count run pairs"))?;
        tx.commit().await.map_err(db("commit"))?;
        let get = |i: usize| -> StoreResult<u64> {
            let n: i64 = row.try_get(i).map_err(db("count run pairs"))?;
            Ok(u64::try_from(n).unwrap_or_default())
        };
        Ok(QueueCounts {
            done: get(0)?,
            leased: get(1)?,
            open: get(2)?,
        })
    }

    async fn queue_spent(&self, tenant: &TenantId, run: RunId) -> Result<Credits> {
        let mut tx = self.begin(tenant).await?;
        let millis: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(cost), 0)::bigint FROM run_pairs \
             WHERE tenant_id = $1 AND run_id = $2 AND done",
        )
        .bind(tenant.as_str())
        .bind(run.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("sum run pair costs"))?;
        tx.commit().await.map_err(db("commit"))?;
        Ok(Credits::from_millis(
            u64::try_from(millis).unwrap_or_default(),
        ))
    }

    async fn list_leases(&self, tenant: &TenantId, run: RunId) -> Result<Vec<PairLease>> {
        let mut tx = self.begin(tenant).await?;
        let rows = sqlx::query(
            "SELECT entity_kind, entity_id, stage, worker, expires_at, claims, done \
             FROM run_pairs \
             WHERE tenant_id = $1 AND run_id = $2 AND NOT done AND worker IS NOT NULL \
               AND expires_at > clock_timestamp() \
             ORDER BY rank, entity_id, stage",
        )
        .bind(tenant.as_str())
        .bind(run.0)
        .fetch_all(&mut *tx)
        .await
        .map_err(db("list leases"))?;
        tx.commit().await.map_err(db("commit"))?;
        Ok(rows.iter().map(lease_of).collect::<StoreResult<_>>()?)
    }

    async fn load_entities(
        &self,
        tenant: &TenantId,
        refs: &[EntityRef],
    ) -> Result<Option<(Vec<Company>, Vec<Contact>)>> {
        let ids = |kind: EntityKind| -> Vec<Uuid> {
            refs.iter()
                .filter(|r| r.kind == kind)
                .map(|r| r.id)
                .collect()
        };
        let (company_ids, contact_ids) = (ids(EntityKind::Company), ids(EntityKind::Contact));
        let mut tx = self.begin(tenant).await?;
        let mut companies = Vec::with_capacity(company_ids.len());
        if !company_ids.is_empty() {
            let rows = sqlx::query(
                "SELECT id::text, doc::text FROM companies WHERE tenant_id = $1 AND id = ANY($2) \
                 ORDER BY id",
            )
            .bind(tenant.as_str())
            .bind(company_ids)
            .fetch_all(&mut *tx)
            .await
            .map_err(db("load companies"))?;
            for row in &rows {
                let id: String = row.try_get(0).map_err(db("read"))?;
                let doc: String = row.try_get(1).map_err(db("read"))?;
                companies.push(from_doc(BACKEND, "companies", &id, &doc)?);
            }
        }
        let mut contacts = Vec::with_capacity(contact_ids.len());
        if !contact_ids.is_empty() {
            let rows = sqlx::query(
                "SELECT id::text, doc::text FROM contacts WHERE tenant_id = $1 AND id = ANY($2) \
                 ORDER BY id",
            )
            .bind(tenant.as_str())
            .bind(contact_ids)
            .fetch_all(&mut *tx)
            .await
            .map_err(db("load contacts"))?;
            for row in &rows {
                let id: String = row.try_get(0).map_err(db("read"))?;
                let doc: String = row.try_get(1).map_err(db("read"))?;
                contacts.push(from_doc(BACKEND, "contacts", &id, &doc)?);
            }
        }
        tx.commit().await.map_err(db("commit"))?;
        Ok(Some((companies, contacts)))
    }
}
