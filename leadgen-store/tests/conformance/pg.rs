//! The PostgreSQL test server: a fresh schema (and, where a test needs one, a
//! role) per test, dropped afterwards — also when the test fails.

use std::sync::atomic::{AtomicU32, Ordering};

use leadgen_core::error::redact_url;
use leadgen_store::{PostgresOptions, PostgresStore};
use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// The server the tests use.
pub fn test_url() -> String {
    std::env::var("LEADGEN_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A name no other test run uses.
pub fn unique_name(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        nanos,
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Connects to the test server, failing the test with a clear message when it
/// cannot: the PostgreSQL tests never skip.
pub async fn admin_connection() -> PgConnection {
    let url = test_url();
    PgConnection::connect(&url).await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL at {} is unreachable: {e}. The PostgreSQL conformance tests need a \
             server: start one (on Debian: pg_ctlcluster 15 main start) or set \
             LEADGEN_TEST_DATABASE_URL.",
            redact_url(&url)
        )
    })
}

/// Runs statements on the test server from a thread of its own, so it works in
/// `Drop` (also while a failed test unwinds).
fn run_blocking(statements: Vec<String>) {
    let url = test_url();
    let worker = std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async move {
            if let Ok(mut conn) = PgConnection::connect(&url).await {
                for sql in statements {
                    let _ = sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut conn).await;
                }
                let _ = conn.close().await;
            }
        });
    });
    let _ = worker.join();
}

/// A schema made for one test.
pub struct Schema {
    pub name: String,
    dropped: bool,
}

impl Schema {
    /// Reserves a fresh schema name after checking the server is up; the store
    /// creates the schema when it migrates.
    pub async fn create() -> Schema {
        let conn = admin_connection().await;
        let _ = conn.close().await;
        Schema {
            name: unique_name("leadgen_test"),
            dropped: false,
        }
    }

    /// Options for a store in this schema, as `url`'s user.
    pub fn options(&self, url: String) -> PostgresOptions {
        PostgresOptions {
            url,
            max_connections: 2,
            schema: Some(self.name.clone()),
        }
    }

    /// A store in this schema, as the test server's (super)user.
    pub async fn open_store(&self) -> PostgresStore {
        PostgresStore::connect_with(self.options(test_url()))
            .await
            .unwrap_or_else(|e| panic!("opening the PostgreSQL store: {e}"))
    }

    /// Drops the schema and everything in it.
    pub async fn drop_now(mut self) {
        let mut conn = admin_connection().await;
        sqlx::raw_sql(AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS \"{}\" CASCADE",
            self.name
        )))
        .execute(&mut conn)
        .await
        .unwrap();
        let _ = conn.close().await;
        self.dropped = true;
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        if !self.dropped {
            run_blocking(vec![format!(
                "DROP SCHEMA IF EXISTS \"{}\" CASCADE",
                self.name
            )]);
        }
    }
}

/// A non-superuser role made for one test; dropped with its grants.
pub struct Role {
    pub name: String,
    pub password: String,
}

impl Role {
    /// Creates a LOGIN role without superuser or BYPASSRLS, allowed to use
    /// `schema`'s tables (but not to create anything).
    pub async fn create(schema: &str) -> Role {
        let role = Role {
            name: unique_name("leadgen_app"),
            password: "app-secret".into(),
        };
        let mut conn = admin_connection().await;
        let sql = format!(
            "CREATE ROLE {r} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '{p}';
             GRANT USAGE ON SCHEMA \"{s}\" TO {r};
             GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA \"{s}\" TO {r};",
            r = role.name,
            p = role.password,
            s = schema
        );
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .unwrap();
        let _ = conn.close().await;
        role
    }

    /// The test server's URL, logging in as this role.
    pub fn url(&self) -> String {
        let url = test_url();
        let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
        let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
        format!("postgres://{}:{}@{host}", self.name, self.password)
    }
}

impl Drop for Role {
    fn drop(&mut self) {
        run_blocking(vec![
            format!("DROP OWNED BY {}", self.name),
            format!("DROP ROLE IF EXISTS {}", self.name),
        ]);
    }
}
