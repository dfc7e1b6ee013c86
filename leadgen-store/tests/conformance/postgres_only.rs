//! PostgreSQL specifics: row-level security under an application role, migrations
//! under concurrency, refused connections, URLs.

use std::error::Error as _;
use std::sync::Arc;

use leadgen_core::store::ContactFilter;
use leadgen_core::{ErrorKind, Store, TenantId, TenantStore};
use leadgen_store::{PostgresOptions, PostgresStore};
use sqlx::{Connection, PgConnection, Row};

use crate::entities::contact;
use crate::fixtures::Fixture;
use crate::pg::{Role, Schema, admin_connection, test_url};

/// The whole error chain as text: what a log line would show.
fn chain(err: &leadgen_core::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(" / ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[tokio::test]
async fn a_refused_connection_is_a_connection_error_without_the_password() {
    let url = "postgres://leadgen:s3cret-pw@127.0.0.1:1/leads";
    let started = std::time::Instant::now();
    let err = PostgresStore::connect(url).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connection, "{err}");
    assert!(err.is_retryable());
    let text = chain(&err);
    assert!(
        text.contains("postgres://leadgen:***@127.0.0.1:1/leads"),
        "{text}"
    );
    assert!(!text.contains("s3cret"), "{text}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "fails at once, not after a pool timeout"
    );

    let err = leadgen_store::open(url).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connection);
    assert!(!chain(&err).contains("s3cret"));

    let err = PostgresStore::connect("postgres://u:s3cret-pw@127.0.0.1:notaport/x")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config, "{err}");
    assert!(!chain(&err).contains("s3cret"), "{}", chain(&err));

    let err = PostgresStore::connect_with(PostgresOptions {
        url: test_url(),
        max_connections: 1,
        schema: Some("Robert'); DROP TABLE students;--".into()),
    })
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config, "{err}");
}

#[tokio::test]
async fn row_level_security_confines_the_application_role() {
    let schema = Schema::create().await;
    let store = schema.open_store().await;
    let shared: Arc<dyn Store> = Arc::new(store.clone());
    let a = TenantStore::new(shared.clone(), TenantId::new("tenant-a").unwrap());
    let b = TenantStore::new(shared, TenantId::new("tenant-b").unwrap());
    a.upsert_contacts(&[
        contact("A", "1", "a1@a.example"),
        contact("A", "2", "a2@a.example"),
    ])
    .await
    .unwrap();
    b.upsert_contact(&contact("B", "1", "b1@b.example"))
        .await
        .unwrap();
    let role = Role::create(&schema.name).await;

    let mut conn = admin_connection().await;
    let search_path = format!("SET search_path TO \"{}\"", schema.name);
    sqlx::raw_sql(sqlx::AssertSqlSafe(search_path))
        .execute(&mut conn)
        .await
        .unwrap();

    // Every tenant table has forced row-level security with a policy.
    let unprotected: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname <> 'leadgen_migrations' \
         AND (NOT c.relrowsecurity OR NOT c.relforcerowsecurity \
              OR NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))",
    )
    .bind(&schema.name)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(unprotected.is_empty(), "without RLS: {unprotected:?}");

    let tenants = raw_select_as(&role.name, &schema.name, Some("tenant-a")).await;
    assert_eq!(
        tenants,
        vec!["tenant-a".to_string(), "tenant-a".to_string()]
    );
    let tenants = raw_select_as(&role.name, &schema.name, Some("tenant-b")).await;
    assert_eq!(tenants, vec!["tenant-b".to_string()]);
    let tenants = raw_select_as(&role.name, &schema.name, None).await;
    assert!(tenants.is_empty(), "no tenant set, no rows: {tenants:?}");

    // The superuser sees all three, so the filtering above was the policy's doing.
    let all: i64 = sqlx::query_scalar("SELECT count(*) FROM contacts")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(all, 3);

    // Writing another tenant's row under the role is refused by WITH CHECK.
    let mut tx = conn.begin().await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("SET LOCAL ROLE {}", role.name)))
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("SELECT set_config('leadgen.tenant', 'tenant-a', true)")
        .execute(&mut *tx)
        .await
        .unwrap();
    let refused = sqlx::query(
        "INSERT INTO contacts (id, tenant_id, email_status, search_text, updated_at, doc) \
         VALUES (gen_random_uuid(), 'tenant-b', 'unverified', '', now(), '{}')",
    )
    .execute(&mut *tx)
    .await
    .unwrap_err();
    assert_eq!(
        refused
            .as_database_error()
            .and_then(|e| e.code())
            .as_deref(),
        Some("42501"),
        "{refused}"
    );
    tx.rollback().await.unwrap();
    let _ = conn.close().await;

    store.close().await;
    drop(role);
    schema.drop_now().await;
}

/// `SELECT * FROM contacts` in a transaction under `role`, with the tenant set
/// (or not): the tenant ids of the rows it sees.
async fn raw_select_as(role: &str, schema: &str, tenant: Option<&str>) -> Vec<String> {
    let mut conn = PgConnection::connect(&test_url()).await.unwrap();
    let mut tx = conn.begin().await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "SET LOCAL ROLE {role}; SET LOCAL search_path TO \"{schema}\""
    )))
    .execute(&mut *tx)
    .await
    .unwrap();
    if let Some(t) = tenant {
        sqlx::query("SELECT set_config('leadgen.tenant', $1, true)")
            .bind(t)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    let rows = sqlx::query("SELECT * FROM contacts")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    let tenants = rows.iter().map(|r| r.get("tenant_id")).collect();
    tx.rollback().await.unwrap();
    let _ = conn.close().await;
    tenants
}

#[tokio::test]
async fn the_store_works_as_the_application_role() {
    let schema = Schema::create().await;
    // The owner migrates; the application role only uses the tables.
    let owner = schema.open_store().await;
    let role = Role::create(&schema.name).await;
    let app = PostgresStore::connect_with(schema.options(role.url()))
        .await
        .unwrap_or_else(|e| panic!("connecting as the application role: {e}"));
    let fx = Fixture::wrap_postgres(app);
    crate::isolation::tenants_never_see_each_other(&fx).await;
    crate::isolation::failed_batches_write_nothing(&fx).await;
    fx.teardown().await;
    owner.close().await;
    drop(role);
    schema.drop_now().await;
}

#[tokio::test]
async fn concurrent_opens_migrate_once() {
    let schema = Schema::create().await;
    let (a, b, c) = tokio::join!(
        PostgresStore::connect_with(schema.options(test_url())),
        PostgresStore::connect_with(schema.options(test_url())),
        PostgresStore::connect_with(schema.options(test_url())),
    );
    let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
    let again = schema.open_store().await;
    let versions: i64 = sqlx::query_scalar("SELECT count(*) FROM leadgen_migrations")
        .fetch_one(again.pool())
        .await
        .unwrap();
    assert_eq!(versions, 3, "every migration recorded, each once");
    let t = TenantStore::new(Arc::new(a.clone()), TenantId::new("acme").unwrap());
    t.upsert_contact(&contact("A", "B", "a@b.c")).await.unwrap();
    let u = TenantStore::new(Arc::new(b.clone()), TenantId::new("acme").unwrap());
    assert_eq!(
        u.count_contacts(&ContactFilter::default()).await.unwrap(),
        1
    );
    for s in [a, b, c, again] {
        s.close().await;
    }
    schema.drop_now().await;
}

#[tokio::test]
async fn open_accepts_postgres_urls() {
    let schema = Schema::create().await;
    let mut conn = admin_connection().await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE SCHEMA \"{}\"",
        schema.name
    )))
    .execute(&mut conn)
    .await
    .unwrap();
    let _ = conn.close().await;
    let base = test_url();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{}", schema.name);
    for url in [url.clone(), url.replacen("postgres://", "postgresql://", 1)] {
        let store = leadgen_store::open(&url).await.unwrap();
        assert_eq!(store.backend(), "postgres");
        let t = TenantStore::new(store.clone(), TenantId::new("acme").unwrap());
        t.upsert_contact(&contact("A", "B", "a@b.c")).await.unwrap();
        store.close().await;
    }
    schema.drop_now().await;
}
