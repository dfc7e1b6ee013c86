//! The SQLite backend: the embedded default store.
//!
//! A file database runs in WAL mode with a small connection pool, so readers never
//! wait for the writer; an in-memory database lives on one connection that the pool
//! never closes (an in-memory database disappears with its last connection).
//! Write transactions start with `BEGIN IMMEDIATE`, so two writers queue on the
//! busy timeout instead of failing half-way.

mod entities;
mod records;
mod work;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use leadgen_core::{Result, Store};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, Row, SqliteConnection};

use crate::error::{StoreError, StoreResult};
use crate::migrate::{Applied, Migration, pending};

const BACKEND: &str = "sqlite";

/// How long a statement waits for another connection's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections of a file database's pool.
const FILE_POOL_SIZE: u32 = 4;
/// Page cache per connection, in KiB (SQLite's default is 2 MiB): bulk upserts
/// touch index pages all over the file, and a page that falls out of the cache
/// mid-transaction is written to the WAL and read back.
const CACHE_KIB: i64 = 64 * 1024;

/// The schema, in order. Never edit a released migration: add the next one.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sql: include_str!("migrations/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "compact_records",
        sql: include_str!("migrations/0002_compact_records.sql"),
    },
];

/// A store in a SQLite database file, or in memory.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use std::sync::Arc;
/// use leadgen_core::{Contact, TenantId, TenantStore};
/// use leadgen_store::SqliteStore;
///
/// let store = Arc::new(SqliteStore::in_memory().await?);
/// let leads = TenantStore::new(store, TenantId::new("acme")?);
/// let mut jana = Contact::new();
/// jana.email = Some("jana@acme.cz".into());
/// leads.upsert_contact(&jana).await?;
/// assert_eq!(leads.get_contact(jana.id).await?, Some(jana));
/// # Ok::<(), leadgen_core::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    location: String,
}

impl SqliteStore {
    /// Opens (creating it if missing) the database file at `path` and brings its
    /// schema up to date.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);
        let pool = SqlitePoolOptions::new().max_connections(FILE_POOL_SIZE);
        Ok(Self::connect(options, pool, path.display().to_string()).await?)
    }

    /// A fresh, private in-memory database; it disappears when the store is
    /// dropped or closed.
    pub async fn in_memory() -> Result<Self> {
        // `:memory:` gives a uniquely named shared-cache database; one connection
        // that is never retired keeps it alive and serializes access to it.
        let options = SqliteConnectOptions::from_str("sqlite::memory:")
            .map_err(|e| StoreError::Connect {
                backend: BACKEND,
                url: "sqlite::memory:".into(),
                source: e,
            })?
            .journal_mode(SqliteJournalMode::Memory);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None);
        Ok(Self::connect(options, pool, "sqlite::memory:".into()).await?)
    }

    async fn connect(
        options: SqliteConnectOptions,
        pool: SqlitePoolOptions,
        location: String,
    ) -> StoreResult<Self> {
        let options = options
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .statement_cache_capacity(256)
            .pragma("cache_size", format!("-{CACHE_KIB}"))
            // Multi-row upserts keep a statement journal; on disk (the default) it
            // spills to a temp file past 64 KiB and costs a write per page touched.
            .pragma("temp_store", "memory");
        let connect_error = |source| StoreError::Connect {
            backend: BACKEND,
            url: location.clone(),
            source,
        };
        // One connection first, to report an unusable file at once (a pool would
        // retry until its timeout) and to migrate before anyone else uses the
        // database.
        let mut conn = SqliteConnection::connect_with(&options)
            .await
            .map_err(connect_error)?;
        migrate(&mut conn).await?;
        // A local connection does not go stale: skip the ping before each use,
        // which would cost a round trip to the connection's worker thread.
        let pool = pool
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(connect_error)?;
        // Closing after the pool exists keeps an in-memory database alive.
        let _ = conn.close().await;
        Ok(SqliteStore { pool, location })
    }

    /// Where the database is: its file path, or `sqlite::memory:`.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The connection pool, for tests and tools that need raw SQL.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// Applies the pending migrations in one write transaction, so two processes
/// opening the same new file migrate it once.
async fn migrate(conn: &mut SqliteConnection) -> StoreResult<()> {
    let failed = |m: &Migration, reason: &str, source: sqlx::Error| StoreError::Migration {
        backend: BACKEND,
        version: m.version,
        name: m.name.into(),
        reason: format!("{reason}: {source}"),
        source: Some(source),
    };
    let first = &MIGRATIONS[0];
    let mut tx = conn
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(|e| failed(first, "cannot lock the database", e))?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS leadgen_migrations (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            checksum TEXT NOT NULL,
            applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        )",
    )
    .execute(&mut *tx)
    .await
    .map_err(|e| failed(first, "cannot create the migration table", e))?;
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
        sqlx::query("INSERT INTO leadgen_migrations (version, name, checksum) VALUES (?, ?, ?)")
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

/// The location `open` uses for a `sqlite:` URL or plain path, or `None` for an
/// in-memory database.
pub(crate) fn parse_location(url: &str) -> StoreResult<Option<PathBuf>> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    if rest.contains('?') {
        return Err(StoreError::InvalidUrl {
            url: url.into(),
            reason: "query parameters are not supported; give a file path or sqlite::memory:"
                .into(),
        });
    }
    match rest {
        ":memory:" => Ok(None),
        "" => Err(StoreError::InvalidUrl {
            url: url.into(),
            reason: "no file path given".into(),
        }),
        path => Ok(Some(PathBuf::from(path))),
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    async fn close(&self) {
        self.pool.close().await;
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
    fn locations_parse() {
        assert_eq!(parse_location("sqlite::memory:").unwrap(), None);
        assert_eq!(
            parse_location("sqlite://data/x.db").unwrap(),
            Some(PathBuf::from("data/x.db"))
        );
        assert_eq!(
            parse_location("sqlite:x.db").unwrap(),
            Some(PathBuf::from("x.db"))
        );
        assert_eq!(
            parse_location("/tmp/x.db").unwrap(),
            Some(PathBuf::from("/tmp/x.db"))
        );
        assert!(parse_location("sqlite://").is_err());
        assert!(parse_location("sqlite://x.db?mode=ro").is_err());
    }
}
