//! Queries the DAG executor needs beyond plain records: credits spent by a tenant
//! since a time (the per-tenant daily budget).

use chrono::{DateTime, Utc};
use leadgen_core::{Credits, Result, TenantId};

use super::{SqliteStore, db};

impl SqliteStore {
    /// The sum of the costs of the tenant's stage runs started at or after `since`,
    /// in one aggregate query over the `cost` column (thousandths of a credit) and
    /// `started_at` (nanoseconds since the Unix epoch).
    pub(crate) async fn spent_since(
        &self,
        tenant: &TenantId,
        since: DateTime<Utc>,
    ) -> Result<Credits> {
        let millis: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(cost), 0) AS INTEGER) \
             FROM stage_runs WHERE tenant_id = ? AND started_at >= ?",
        )
        .bind(tenant.as_str())
        .bind(
            since
                .timestamp_nanos_opt()
                .unwrap_or(if since.timestamp() < 0 {
                    i64::MIN
                } else {
                    i64::MAX
                }),
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db("sum stage-run costs"))?;
        Ok(Credits::from_millis(
            u64::try_from(millis).unwrap_or_default(),
        ))
    }
}
