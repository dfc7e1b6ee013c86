//! The DAG executor on the SQLite store: a full run, the per-tenant spend query
//! the daily budget relies on, and resume.

use std::sync::Arc;

use chrono::{Duration, Utc};
use leadgen_core::executor::testing::{Script, TestStage};
use leadgen_core::executor::{
    EntitySelection, Executor, ExecutorConfig, RunRequest, StageRegistry,
};
use leadgen_core::store::{CompletionStatus, RunStatus, TenantStore};
use leadgen_core::{Company, Credits, EntityKind, TenantId};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_on_sqlite_records_completions_and_spend() {
    let store = leadgen_store::open("sqlite::memory:").await.unwrap();
    let acme = TenantStore::new(store.clone(), TenantId::new("acme").unwrap());
    let globex = TenantStore::new(store, TenantId::new("globex").unwrap());
    let companies: Vec<Company> = (0..30).map(|i| Company::new(format!("Firm {i}"))).collect();
    acme.upsert_companies(&companies).await.unwrap();

    let mut registry = StageRegistry::new();
    registry
        .register(Arc::new(TestStage::new(
            "research",
            EntityKind::Company,
            Script {
                cost: Credits::from_millis(250),
                update_entity: true,
                ..Script::default()
            },
        )))
        .unwrap();
    registry
        .register(Arc::new(
            TestStage::new("score", EntityKind::Company, Script::default()).hard_dep("research"),
        ))
        .unwrap();
    let config = ExecutorConfig {
        tenant_daily_budget: Some(Credits::from_millis(100_000)),
        ..ExecutorConfig::default()
    };
    let executor = Executor::new(registry, config).unwrap();
    let request = RunRequest::new(["research", "score"], EntitySelection::All);
    let summary = executor.run(&acme, request).await.unwrap();
    assert_eq!(
        summary.status,
        RunStatus::Completed,
        "{}",
        summary.to_text()
    );
    assert_eq!(summary.spent, Credits::from_millis(7500));

    let since = Utc::now() - Duration::hours(1);
    assert_eq!(
        acme.credits_spent_since(since).await.unwrap(),
        Credits::from_millis(7500)
    );
    assert_eq!(
        acme.credits_spent_since(Utc::now() + Duration::hours(1))
            .await
            .unwrap(),
        Credits::ZERO
    );
    assert_eq!(
        globex.credits_spent_since(since).await.unwrap(),
        Credits::ZERO
    );

    let refs: Vec<_> = companies.iter().map(|c| c.id.into()).collect();
    let done = acme.get_completions(&refs, &[]).await.unwrap();
    assert_eq!(done.len(), 60);
    assert!(done.iter().all(|c| c.status == CompletionStatus::Completed));
    let stored = acme.get_company(companies[0].id).await.unwrap().unwrap();
    assert_eq!(
        stored.attributes.get("research").map(String::as_str),
        Some("done")
    );
    let run = acme.get_run(summary.run_id).await.unwrap().unwrap();
    assert_eq!(run.status, RunStatus::Completed);
    assert_eq!(run.spent, Credits::from_millis(7500));

    // Resuming finds nothing to do.
    let again = executor.resume(&acme, summary.run_id).await.unwrap();
    assert_eq!(again.pairs_finished(), 0);
    assert_eq!(again.spent_now, Credits::ZERO);
}
