//! The backends the conformance suite runs against, each behind a [`Fixture`] that
//! hands out a fresh, empty store and cleans up after it.

use std::sync::Arc;

use leadgen_core::Store;

/// A fresh store plus what keeps it alive (a temp dir, a PostgreSQL schema).
pub struct Fixture {
    pub store: Arc<dyn Store>,
    raw: Raw,
    #[cfg(feature = "postgres")]
    pg: Option<crate::pg::Schema>,
    _dir: Option<tempfile::TempDir>,
}

enum Raw {
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::SqlitePool),
    #[cfg(feature = "postgres")]
    Postgres(sqlx::PgPool),
}

impl Fixture {
    /// Runs one statement with no parameters, bypassing the store (and, on
    /// PostgreSQL, row-level security): used to damage rows on purpose.
    pub async fn exec_raw(&self, sql: &'static str) -> u64 {
        match &self.raw {
            #[cfg(feature = "sqlite")]
            Raw::Sqlite(pool) => sqlx::raw_sql(sql)
                .execute(pool)
                .await
                .unwrap()
                .rows_affected(),
            #[cfg(feature = "postgres")]
            Raw::Postgres(pool) => sqlx::raw_sql(sql)
                .execute(pool)
                .await
                .unwrap()
                .rows_affected(),
        }
    }

    /// Drops what the fixture created (a PostgreSQL schema); a fixture dropped
    /// without it (a failed test) cleans up in its `Drop`.
    pub async fn teardown(self) {
        self.store.close().await;
        #[cfg(feature = "postgres")]
        if let Some(schema) = self.pg {
            schema.drop_now().await;
        }
    }
}

#[cfg(feature = "sqlite")]
pub async fn sqlite_memory() -> Fixture {
    let store = leadgen_store::SqliteStore::in_memory().await.unwrap();
    Fixture {
        raw: Raw::Sqlite(store.pool().clone()),
        store: Arc::new(store),
        #[cfg(feature = "postgres")]
        pg: None,
        _dir: None,
    }
}

#[cfg(feature = "sqlite")]
pub async fn sqlite_file() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = leadgen_store::SqliteStore::open(dir.path().join("leadgen.db"))
        .await
        .unwrap();
    Fixture {
        raw: Raw::Sqlite(store.pool().clone()),
        store: Arc::new(store),
        #[cfg(feature = "postgres")]
        pg: None,
        _dir: Some(dir),
    }
}

#[cfg(feature = "postgres")]
pub async fn postgres() -> Fixture {
    let schema = crate::pg::Schema::create().await;
    let store = schema.open_store().await;
    Fixture {
        raw: Raw::Postgres(store.pool().clone()),
        store: Arc::new(store),
        pg: Some(schema),
        _dir: None,
    }
}

impl Fixture {
    /// A fixture around an already opened PostgreSQL store (whose schema the
    /// caller drops).
    #[cfg(feature = "postgres")]
    pub fn wrap_postgres(store: leadgen_store::PostgresStore) -> Fixture {
        Fixture {
            raw: Raw::Postgres(store.pool().clone()),
            store: Arc::new(store),
            pg: None,
            _dir: None,
        }
    }
}
