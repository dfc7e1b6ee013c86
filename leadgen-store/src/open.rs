//! Opening a store from a URL, so configuration files and bindings pick a backend
//! at run time.

use std::sync::Arc;

use leadgen_core::Result;
use leadgen_core::error::redact_url;
use leadgen_core::store::Store;

use crate::error::StoreError;

/// Opens the store a URL names, applying pending migrations.
///
/// - `sqlite::memory:` — a private in-memory database;
/// - `sqlite://path.db`, `sqlite:path.db` or a plain file path — a SQLite file,
///   created if missing;
/// - `postgres://…` or `postgresql://…` — a PostgreSQL database (feature
///   `postgres`; without it, a `Config` error says so).
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let store = leadgen_store::open("sqlite::memory:").await?;
/// assert_eq!(store.backend(), "sqlite");
/// let err = leadgen_store::open("mysql://root:pw@localhost/db").await.unwrap_err();
/// assert_eq!(err.kind(), leadgen_core::ErrorKind::Config);
/// assert!(!err.to_string().contains("pw"));
/// # Ok::<(), leadgen_core::Error>(())
/// # }).unwrap();
/// ```
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    let url = url.trim();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return open_postgres(url).await;
    }
    if let Some((scheme, _)) = url.split_once("://")
        && scheme != "sqlite"
        && !scheme.contains(['/', '\\'])
    {
        return Err(StoreError::InvalidUrl {
            url: redact_url(url),
            reason: format!("unknown scheme {scheme:?}; use sqlite://, postgres:// or a file path"),
        }
        .into());
    }
    open_sqlite(url).await
}

#[cfg(feature = "postgres")]
async fn open_postgres(url: &str) -> Result<Arc<dyn Store>> {
    Ok(Arc::new(crate::PostgresStore::connect(url).await?))
}

#[cfg(not(feature = "postgres"))]
async fn open_postgres(url: &str) -> Result<Arc<dyn Store>> {
    Err(StoreError::BackendDisabled {
        url: redact_url(url),
        feature: "postgres",
    }
    .into())
}

#[cfg(feature = "sqlite")]
async fn open_sqlite(url: &str) -> Result<Arc<dyn Store>> {
    use crate::SqliteStore;
    Ok(match crate::sqlite::parse_location(url)? {
        None => Arc::new(SqliteStore::in_memory().await?),
        Some(path) => Arc::new(SqliteStore::open(path).await?),
    })
}

#[cfg(not(feature = "sqlite"))]
async fn open_sqlite(url: &str) -> Result<Arc<dyn Store>> {
    Err(StoreError::BackendDisabled {
        url: redact_url(url),
        feature: "sqlite",
    }
    .into())
}
