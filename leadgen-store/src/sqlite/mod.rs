//! The SQLite backend: the embedded default store.
//!
//! A file database runs in WAL mode with a small connection pool, so readers never
//! wait for the writer; an in-memory database lives on one connection that the pool
//! never closes (an in-memory database disappears with its last connection).
//! Write transactions start with `BEGIN IMMEDIATE`, so two writers queue on the
//! busy timeout instead of failing half-way.

mod checkpoint;
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

/// Page size of a new database file, in bytes (SQLite's default is 4096).
const PAGE_SIZE: u32 = 8192;

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
    Migration {
        version: 3,
        name: "entity_rows",
        sql: include_str!("migrations/0003_entity_rows.sql"),
    },
    Migration {
        version: 4,
        name: "lookup_keys_first",
        sql: include_str!("migrations/0004_lookup_keys_first.sql"),
    },
    Migration {
        version: 5,
        name: "slim_documents",
        sql: include_str!("migrations/0005_slim_documents.sql"),
    },
];

/// Whether `e` is SQLite's "database is locked" (`SQLITE_BUSY`, or one of its
/// extended codes).
fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => db
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .is_some_and(|code| code & 0xff == 5),
        _ => false,
    }
}

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
    /// Whether the database keeps a write-ahead log (a file; not `:memory:`), whose
    /// checkpoints bulk writes leave to the background ([`checkpoint`]).
    wal: bool,
}

impl SqliteStore {
    /// Opens (creating it if missing) the database file at `path` and brings its
    /// schema up to date.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            // Applied before the WAL switch, so it takes effect on a new file only
            // (an existing database keeps its page size): entity rows are about
            // 700 bytes, and larger pages waste less space per page and split less.
            .page_size(PAGE_SIZE)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);
        let pool = SqlitePoolOptions::new().max_connections(FILE_POOL_SIZE);
        Ok(Self::connect(options, pool, path.display().to_string(), true).await?)
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
        Ok(Self::connect(options, pool, "sqlite::memory:".into(), false).await?)
    }

    async fn connect(
        options: SqliteConnectOptions,
        pool: SqlitePoolOptions,
        location: String,
        wal: bool,
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
        let started = std::time::Instant::now();
        let mut conn = loop {
            match SqliteConnection::connect_with(&options).await {
                Ok(conn) => break conn,
                // Two opens of a new file at once both ask to switch it to WAL.
                // SQLite answers one of them "busy" at once rather than wait (both
                // waiting would deadlock); the answer is to try again.
                Err(e) if is_busy(&e) && started.elapsed() < BUSY_TIMEOUT => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                Err(e) => return Err(connect_error(e)),
            }
        };
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
        Ok(SqliteStore {
            pool,
            location,
            wal,
        })
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
    use leadgen_core::store::{ContactFilter, PageRequest};
    use leadgen_core::{Company, Contact, Provenance, TenantId, TenantStore};

    /// A new database file at `path` with the first `version` migrations applied,
    /// as that version of leadgen left it.
    async fn database_at_version(path: &std::path::Path, version: usize) -> SqliteConnection {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal);
        let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
        sqlx::raw_sql(
            "CREATE TABLE leadgen_migrations (version INTEGER PRIMARY KEY, \
             name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL \
             DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        for m in &MIGRATIONS[..version] {
            sqlx::raw_sql(m.sql).execute(&mut conn).await.unwrap();
            sqlx::query(
                "INSERT INTO leadgen_migrations (version, name, checksum) VALUES (?, ?, ?)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(m.checksum())
            .execute(&mut conn)
            .await
            .unwrap();
        }
        conn
    }

    /// A database left at schema version 2, with a contact and a company written
    /// the way version 2 wrote them (provenance and nulls inside the document),
    /// migrates to the current schema and reads back unchanged; rewriting the rows
    /// moves them to the current form.
    #[tokio::test]
    async fn a_version_2_database_migrates_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.db");
        let tenant = TenantId::new("acme").unwrap();
        let at = chrono::Utc::now();
        let mut company = Company::new("Acme s.r.o.");
        company.domain = Some("acme.cz".into());
        company.set_provenance("domain", Provenance::new("import:file", at, 0.9));
        let mut jana = Contact::new();
        jana.email = Some("jana@acme.cz".into());
        jana.first_name = Some("Jana".into());
        jana.company_id = Some(company.id);
        jana.set_provenance("email", Provenance::new("import:file", at, 0.95));
        jana.set_provenance("first_name", Provenance::new("user", at, 1.0));
        {
            let mut conn = database_at_version(&path, 2).await;
            sqlx::query(
                "INSERT INTO companies (id, tenant_id, name, domain_key, search_text, \
                 updated_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(company.id.to_string())
            .bind(tenant.as_str())
            .bind(&company.name)
            .bind("acme.cz")
            .bind("acme s.r.o.")
            .bind(company.updated_at.timestamp_micros())
            .bind(serde_json::to_string(&company).unwrap())
            .execute(&mut conn)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO contacts (id, tenant_id, company_id, email_key, email_status, \
                 search_text, updated_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(jana.id.to_string())
            .bind(tenant.as_str())
            .bind(company.id.to_string())
            .bind("jana@acme.cz")
            .bind("unverified")
            .bind("jana\njana@acme.cz\n")
            .bind(jana.updated_at.timestamp_micros())
            .bind(serde_json::to_string(&jana).unwrap())
            .execute(&mut conn)
            .await
            .unwrap();
            conn.close().await.unwrap();
        }

        let store = std::sync::Arc::new(SqliteStore::open(&path).await.unwrap());
        let version: i64 = sqlx::query_scalar("SELECT max(version) FROM leadgen_migrations")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(version, MIGRATIONS.last().unwrap().version);
        let leads = TenantStore::new(store.clone(), tenant);
        assert_eq!(
            leads.get_contact(jana.id).await.unwrap(),
            Some(jana.clone())
        );
        assert_eq!(
            leads.get_company(company.id).await.unwrap(),
            Some(company.clone())
        );
        let by_email = ContactFilter {
            emails: vec!["jana@acme.cz".into()],
            ..ContactFilter::default()
        };
        let page = leads
            .list_contacts(&by_email, &PageRequest::first(10))
            .await
            .unwrap();
        assert_eq!(page.items, vec![jana.clone()]);

        // Rewritten, the row takes the current form and still reads back the same.
        jana.title = Some("CEO".into());
        let report = leads
            .upsert_contacts(std::slice::from_ref(&jana))
            .await
            .unwrap();
        assert_eq!((report.inserted, report.updated), (0, 1));
        let provenance: Option<String> =
            sqlx::query_scalar("SELECT provenance FROM contacts WHERE id = ?")
                .bind(jana.id.to_string())
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert!(provenance.is_some());
        assert_eq!(
            leads.get_contact(jana.id).await.unwrap(),
            Some(jana.clone())
        );
        // Deleting the company unlinks the contact in its document.
        assert!(leads.delete_company(company.id).await.unwrap());
        let unlinked = leads.get_contact(jana.id).await.unwrap().unwrap();
        assert_eq!(unlinked.company_id, None);
        assert_eq!(unlinked.provenance, jana.provenance);
    }

    /// A database left at schema version 4, with a contact written the way versions
    /// 3 and 4 wrote it (a whole document beside its provenance column), migrates
    /// and reads back unchanged; unlinking its company edits the document; rewriting
    /// it makes it slim.
    #[tokio::test]
    async fn a_version_4_database_migrates_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v4.db");
        let tenant = TenantId::new("acme").unwrap();
        let company = Company::new("Acme s.r.o.");
        let mut jana = Contact::new();
        jana.email = Some("jana@acme.cz".into());
        jana.company_id = Some(company.id);
        jana.set_provenance(
            "email",
            Provenance::new("import:file", jana.updated_at, 0.95),
        );
        {
            let mut conn = database_at_version(&path, 4).await;
            let doc = crate::codec::entity_doc(BACKEND, "contact", &jana, None, None).unwrap();
            // Version 4 wrote every origin's time.
            let provenance =
                serde_json::json!([[["import:file", jana.updated_at, 0.95], ["email"]]]);
            sqlx::query(
                "INSERT INTO contacts (id, tenant_id, company_id, email_key, email_status, \
                 search_text, updated_at, doc, provenance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(jana.id.to_string())
            .bind(tenant.as_str())
            .bind(company.id.to_string())
            .bind("jana@acme.cz")
            .bind("unverified")
            .bind("jana@acme.cz\n")
            .bind(jana.updated_at.timestamp_micros())
            .bind(doc)
            .bind(provenance.to_string())
            .execute(&mut conn)
            .await
            .unwrap();
            conn.close().await.unwrap();
        }
        let store = std::sync::Arc::new(SqliteStore::open(&path).await.unwrap());
        let leads = TenantStore::new(store.clone(), tenant);
        assert_eq!(
            leads.get_contact(jana.id).await.unwrap(),
            Some(jana.clone())
        );
        let doc_form = || async {
            sqlx::query_scalar::<_, Option<i64>>("SELECT doc_form FROM contacts WHERE id = ?")
                .bind(jana.id.to_string())
                .fetch_one(store.pool())
                .await
                .unwrap()
        };
        assert_eq!(doc_form().await, None);
        // The whole document loses its company id with the column.
        leads.upsert_company(&company).await.unwrap();
        assert!(leads.delete_company(company.id).await.unwrap());
        jana.company_id = None;
        assert_eq!(
            leads.get_contact(jana.id).await.unwrap(),
            Some(jana.clone())
        );
        // Rewritten, the row is slim and reads back the same.
        jana.title = Some("CEO".into());
        leads.upsert_contact(&jana).await.unwrap();
        assert!(doc_form().await.is_some());
        assert_eq!(
            leads.get_contact(jana.id).await.unwrap(),
            Some(jana.clone())
        );
    }

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
