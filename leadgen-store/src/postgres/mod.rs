//! The PostgreSQL backend: pooled, with row-level security on every tenant table.
//!
//! Every operation runs in a transaction that first sets `leadgen.tenant` for that
//! transaction only; the policies of the schema (see `migrations/`) then admit only
//! that tenant's rows, so a bug in a query cannot leak another tenant's data when
//! leadgen connects as an ordinary (non-superuser) role.

mod entities;
mod records;
mod work;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use leadgen_core::error::redact_url;
use leadgen_core::{Result, Store, TenantId};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection, PgConnection, Postgres, Row, Transaction};

use crate::error::{StoreError, StoreResult};
use crate::migrate::{Applied, Migration, pending};

const BACKEND: &str = "postgres";

/// How long an operation waits for a pooled connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// The schema, in order. Never edit a released migration: add the next one.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sql: include_str!("migrations/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "point_reads",
        sql: include_str!("migrations/0002_point_reads.sql"),
    },
    Migration {
        version: 3,
        name: "work_queue",
        sql: include_str!("migrations/0003_work_queue.sql"),
    },
];

/// A pooled connection idle for longer than this is pinged before use; fresher
/// ones are used at once (a ping costs a round trip per operation).
const PING_AFTER_IDLE: Duration = Duration::from_secs(30);

/// How to reach a PostgreSQL database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostgresOptions {
    /// `postgres://user:password@host:port/database`; any parameter libpq-style
    /// URLs accept (`sslmode`, `application_name`, …) is honoured.
    pub url: String,
    /// The most connections the pool opens.
    pub max_connections: u32,
    /// The schema leadgen's tables live in (created if missing); `None` uses the
    /// connection's default `search_path` (normally `public`). Lower-case letters,
    /// digits and `_`, starting with a letter or `_`, at most 63 characters.
    pub schema: Option<String>,
}

impl PostgresOptions {
    /// Options for `url` with a pool of 10 connections and the default schema.
    pub fn new(url: impl Into<String>) -> Self {
        PostgresOptions {
            url: url.into(),
            max_connections: 10,
            schema: None,
        }
    }
}

/// A store in a PostgreSQL database.
///
/// ```no_run
/// # async fn demo() -> leadgen_core::Result<()> {
/// use leadgen_store::{PostgresOptions, PostgresStore};
/// let store = PostgresStore::connect_with(PostgresOptions {
///     url: "postgres://leadgen@127.0.0.1/leads".into(),
///     max_connections: 20,
///     schema: Some("sales".into()),
/// })
/// .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    url: String,
}

impl PostgresStore {
    /// Connects to `url` with default options and applies pending migrations.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(PostgresOptions::new(url)).await
    }

    /// Connects with `options` and applies pending migrations. Several processes
    /// may do this at once: migrations run under an advisory lock.
    pub async fn connect_with(options: PostgresOptions) -> Result<Self> {
        Ok(Self::try_connect(options).await?)
    }

    async fn try_connect(options: PostgresOptions) -> StoreResult<Self> {
        let url = redact_url(&options.url);
        let mut connect =
            PgConnectOptions::from_str(&options.url).map_err(|e| StoreError::InvalidUrl {
                url: url.clone(),
                reason: e.to_string(),
            })?;
        if let Some(schema) = &options.schema {
            check_schema_name(&url, schema)?;
            connect = connect.options([("search_path", schema.as_str())]);
        }
        // One connection first: a refused connection fails here at once with its
        // cause (a pool would retry until its timeout), and migrations run on it.
        let mut conn = PgConnection::connect_with(&connect)
            .await
            .map_err(|source| StoreError::Connect {
                backend: BACKEND,
                url: url.clone(),
                source,
            })?;
        migrate(&mut conn, options.schema.as_deref()).await?;
        let _ = conn.close().await;
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > PING_AFTER_IDLE {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            })
            .connect_lazy_with(connect);
        Ok(PostgresStore { pool, url })
    }

    /// The connection URL, password removed.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The connection pool, for tests and tools that need raw SQL. Queries on it
    /// run without a tenant set, so row-level security admits no rows unless the
    /// role bypasses it.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// A transaction in which row-level security admits `tenant`'s rows only.
    ///
    /// `BEGIN` and `set_config` go in one simple-protocol round trip; the tenant is
    /// spliced into the text, which is safe because a [`TenantId`] holds only
    /// ASCII letters, digits, `-`, `_` and `.` (checked again here).
    pub(crate) async fn begin(
        &self,
        tenant: &TenantId,
    ) -> StoreResult<Transaction<'static, Postgres>> {
        let id = tenant.as_str();
        if !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(StoreError::InvalidValue {
                backend: BACKEND,
                field: "tenant_id".into(),
                reason: format!("{id:?} is not a valid tenant id"),
            });
        }
        let begin = format!("BEGIN; SELECT set_config('leadgen.tenant', '{id}', true)");
        self.pool
            .begin_with(AssertSqlSafe(begin))
            .await
            .map_err(db("begin"))
    }
}

fn check_schema_name(url: &str, schema: &str) -> StoreResult<()> {
    let mut chars = schema.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if first_ok && rest_ok && schema.len() <= 63 {
        Ok(())
    } else {
        Err(StoreError::InvalidUrl {
            url: url.into(),
            reason: format!(
                "schema {schema:?}: use lower-case letters, digits and '_', starting with a \
                 letter or '_'"
            ),
        })
    }
}

/// Applies pending migrations in one transaction under an advisory lock on the
/// schema, so two processes opening the same database migrate it once.
async fn migrate(conn: &mut PgConnection, schema: Option<&str>) -> StoreResult<()> {
    let failed = |m: &Migration, reason: &str, source: sqlx::Error| StoreError::Migration {
        backend: BACKEND,
        version: m.version,
        name: m.name.into(),
        reason: format!("{reason}: {source}"),
        source: Some(source),
    };
    let first = &MIGRATIONS[0];
    let mut tx = conn
        .begin()
        .await
        .map_err(|e| failed(first, "cannot begin", e))?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('leadgen-migrate:' || coalesce($1, current_schema(), '')))")
        .bind(schema)
        .execute(&mut *tx)
        .await
        .map_err(|e| failed(first, "cannot take the migration lock", e))?;
    if let Some(schema) = schema {
        // Look before creating: `CREATE SCHEMA IF NOT EXISTS` needs the right to
        // create even when the schema exists, which an application role lacks.
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)")
                .bind(schema)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| failed(first, "cannot look for the schema", e))?;
        if !exists {
            // Checked by `check_schema_name`: a plain identifier, safe to splice.
            sqlx::raw_sql(AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
                .execute(&mut *tx)
                .await
                .map_err(|e| failed(first, "cannot create the schema", e))?;
        }
    }
    // Look before creating, so a role without CREATE rights can open a database
    // that is already migrated.
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('leadgen_migrations') IS NOT NULL")
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| failed(first, "cannot look for the migration table", e))?;
    if !exists {
        sqlx::raw_sql(
            "CREATE TABLE leadgen_migrations (
                version bigint PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )",
        )
        .execute(&mut *tx)
        .await
        .map_err(|e| failed(first, "cannot create the migration table", e))?;
    }
    let applied = sqlx::query("SELECT version, checksum FROM leadgen_migrations")
        .fetch_all(&mut *tx)
        .await
        .and_then(|rows| {
            rows.iter()
                .map(|row| {
                    Ok(Applied {
                        version: row.try_get(0)?,
                        checksum: row.try_get(1)?,
                    })
                })
                .collect::<std::result::Result<Vec<_>, sqlx::Error>>()
        })
        .map_err(|e| failed(first, "cannot read the migration table", e))?;
    for m in pending(BACKEND, MIGRATIONS, &applied)? {
        sqlx::raw_sql(m.sql)
            .execute(&mut *tx)
            .await
            .map_err(|e| failed(m, "cannot apply", e))?;
        sqlx::query("INSERT INTO leadgen_migrations (version, name, checksum) VALUES ($1, $2, $3)")
            .bind(m.version)
            .bind(m.name)
            .bind(m.checksum())
            .execute(&mut *tx)
            .await
            .map_err(|e| failed(m, "cannot record", e))?;
    }
    tx.commit()
        .await
        .map_err(|e| failed(first, "cannot commit", e))
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    async fn close(&self) {
        self.pool.close().await;
    }

    fn leases(&self) -> Option<&dyn leadgen_core::store::LeaseStore> {
        Some(self)
    }
}

/// Shorthand: a driver error raised while doing `operation`.
fn db(operation: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| StoreError::db(BACKEND, operation, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_are_checked() {
        for ok in ["leadgen", "_x", "sales_2"] {
            assert!(check_schema_name("u", ok).is_ok(), "{ok}");
        }
        for bad in ["", "1abc", "Sales", "a-b", "a\"b", "a b", &"x".repeat(64)] {
            assert!(check_schema_name("u", bad).is_err(), "{bad}");
        }
    }
}
