//! SQLite specifics: files persist, WAL, URLs, unusable paths, undecodable text.

use std::sync::Arc;

use leadgen_core::store::ContactFilter;
use leadgen_core::{ErrorKind, Store, TenantId, TenantStore};
use leadgen_store::SqliteStore;

use crate::entities::contact;

#[tokio::test]
async fn a_file_persists_across_opens_and_runs_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leads.db");
    let jana = contact("Jana", "Nováková", "jana@acme.cz");
    {
        let store = SqliteStore::open(&path).await.unwrap();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(fk, 1);
        let t = TenantStore::new(Arc::new(store.clone()), TenantId::new("acme").unwrap());
        t.upsert_contact(&jana).await.unwrap();
        store.close().await;
    }
    let store = SqliteStore::open(&path).await.unwrap();
    let versions: i64 = sqlx::query_scalar("SELECT count(*) FROM leadgen_migrations")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(versions, 5, "each of the 5 migrations applied once");
    let t = TenantStore::new(Arc::new(store), TenantId::new("acme").unwrap());
    assert_eq!(t.get_contact(jana.id).await.unwrap(), Some(jana));
}

#[tokio::test]
async fn two_opens_of_a_new_file_at_once_both_work() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("race.db");
    let (a, b) = tokio::join!(SqliteStore::open(&path), SqliteStore::open(&path));
    let (a, b) = (a.unwrap(), b.unwrap());
    let t = TenantStore::new(Arc::new(a), TenantId::new("acme").unwrap());
    t.upsert_contact(&contact("A", "B", "a@b.c")).await.unwrap();
    let u = TenantStore::new(Arc::new(b), TenantId::new("acme").unwrap());
    assert_eq!(
        u.count_contacts(&ContactFilter::default()).await.unwrap(),
        1
    );
}

#[tokio::test]
async fn every_url_form_opens() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.db");
    let urls = [
        "sqlite::memory:".to_string(),
        format!("sqlite://{}", dir.path().join("slashes.db").display()),
        format!("sqlite:{}", dir.path().join("colon.db").display()),
        plain.display().to_string(),
    ];
    for url in &urls {
        let store = leadgen_store::open(url).await.unwrap();
        assert_eq!(store.backend(), "sqlite", "{url}");
        let t = TenantStore::new(store, TenantId::new("acme").unwrap());
        t.upsert_contact(&contact("A", "B", "a@b.c")).await.unwrap();
    }
    assert!(plain.exists());
    assert!(dir.path().join("slashes.db").exists());
    assert!(dir.path().join("colon.db").exists());

    let err = leadgen_store::open("mysql://root:hunter2@127.0.0.1/x")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

#[cfg(not(feature = "postgres"))]
#[tokio::test]
async fn postgres_urls_need_the_feature() {
    let err = leadgen_store::open("postgres://app:hunter2@127.0.0.1/leads")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().contains("`postgres` feature"), "{err}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

#[tokio::test]
async fn an_unusable_path_is_a_connection_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no/such/dir/leads.db");
    let err = SqliteStore::open(&path).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connection, "{err}");
    assert!(err.to_string().contains("no/such/dir"), "{err}");

    let not_a_db = dir.path().join("text.db");
    std::fs::write(
        &not_a_db,
        "this is not a database, just some text ".repeat(100),
    )
    .unwrap();
    let err = SqliteStore::open(&not_a_db).await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Connection | ErrorKind::Migration),
        "{err}"
    );
}

#[tokio::test]
async fn invalid_utf8_in_a_row_is_a_storage_error() {
    let store = SqliteStore::in_memory().await.unwrap();
    let t = TenantStore::new(Arc::new(store.clone()), TenantId::new("acme").unwrap());
    let victim = contact("Vic", "Tim", "vic@acme.cz");
    t.upsert_contact(&victim).await.unwrap();
    sqlx::raw_sql("UPDATE contacts SET doc = CAST(x'7b22ff227d' AS TEXT)")
        .execute(store.pool())
        .await
        .unwrap();
    let err = t.get_contact(victim.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
}
