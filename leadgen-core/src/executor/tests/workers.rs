//! Several workers sharing one run through the memory store's work queue.

use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::executor::testing::Script;
use crate::executor::{EntitySelection, RunRequest, WorkerConfig};
use crate::model::Credits;
use crate::store::{CompletionStatus, RunStatus};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_workers_run_every_pair_exactly_once() {
    let store = store();
    let list = companies(&store, &["FR"; 300]).await;
    // A contact stage depending on a company stage, across a chain.
    let company = list[0].clone();
    let people = contacts_at(&store, Some(&company), 20).await;
    let a = Arc::new(test_stage("a", EntityKind::Company, Script::default()));
    let b = Arc::new(test_stage("b", EntityKind::Company, Script::default()).hard_dep("a"));
    let c = Arc::new(test_stage("c", EntityKind::Contact, Script::default()).hard_dep("b"));
    let ex = executor(vec![a.clone(), b.clone(), c.clone()], fast_config());
    let run = ex
        .create_run(
            &store,
            &RunRequest::new(["a", "b", "c"], EntitySelection::All),
        )
        .await
        .unwrap();
    let work = |name: &str| {
        let (ex, store) = (ex.clone(), store.clone());
        let cfg = WorkerConfig::new(name).with_batch(16);
        tokio::spawn(async move { ex.work(&store, run.id, cfg).await })
    };
    let handles: Vec<_> = ["w1", "w2", "w3", "w4"].iter().map(|n| work(n)).collect();
    let mut finished = 0;
    let mut busy = 0;
    for h in handles {
        let s = h.await.unwrap().unwrap();
        assert_eq!(s.status, RunStatus::Completed, "{s:?}");
        finished += s.pairs_finished();
        busy += u64::from(s.pairs_finished() > 0);
    }
    assert_eq!(finished, 300 + 300 + 20);
    assert!(busy >= 2, "the work was shared");
    for co in &list {
        assert_eq!(a.calls_for(co.id.into()), 1);
        assert_eq!(b.calls_for(co.id.into()), 1);
    }
    for p in &people {
        assert_eq!(c.calls_for(p.id.into()), 1);
    }
    assert_eq!(store.list_stage_runs(run.id).await.unwrap().len(), 620);
    let rec = store.get_run(run.id).await.unwrap().unwrap();
    assert_eq!(rec.status, RunStatus::Completed);
    // Joining a finished run does nothing.
    let late = ex
        .work(&store, run.id, WorkerConfig::new("late"))
        .await
        .unwrap();
    assert_eq!(late.pairs_finished(), 0);
    assert_eq!(late.status, RunStatus::Completed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_blocks_dependents_across_workers() {
    let store = store();
    companies(&store, &["FR"; 10]).await;
    let a = Arc::new(test_stage(
        "a",
        EntityKind::Company,
        Script {
            always_fail: true,
            ..Script::default()
        },
    ));
    let b = Arc::new(test_stage("b", EntityKind::Company, Script::default()).hard_dep("a"));
    let ex = executor(vec![a.clone(), b.clone()], fast_config());
    let run = ex
        .create_run(&store, &RunRequest::new(["a", "b"], EntitySelection::All))
        .await
        .unwrap();
    let (x, y) = tokio::join!(
        ex.work(&store, run.id, WorkerConfig::new("x").with_batch(3)),
        ex.work(&store, run.id, WorkerConfig::new("y").with_batch(3)),
    );
    let (x, y) = (x.unwrap(), y.unwrap());
    let failed = x.stages[0].counts.failed + y.stages[0].counts.failed;
    let blocked = x.stages[1].counts.blocked + y.stages[1].counts.blocked;
    assert_eq!((failed, blocked), (10, 10));
    assert_eq!(b.total_calls(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_lease_is_taken_over() {
    let store = store();
    let list = companies(&store, &["FR"; 4]).await;
    let a = Arc::new(test_stage("a", EntityKind::Company, Script::default()));
    let ex = executor(vec![a.clone()], fast_config());
    let run = ex
        .create_run(&store, &RunRequest::new(["a"], EntitySelection::All))
        .await
        .unwrap();
    // A "dead" worker: claims everything and never comes back.
    let leases = store.leases().unwrap();
    let pairs: Vec<_> = list
        .iter()
        .map(|c| crate::store::QueuedPair {
            entity: c.id.into(),
            stage: "a".into(),
            rank: 0,
        })
        .collect();
    leases
        .enqueue_pairs(store.tenant(), run.id, &pairs)
        .await
        .unwrap();
    let held = leases
        .claim_pairs(
            store.tenant(),
            run.id,
            "dead",
            10,
            Duration::from_millis(300),
        )
        .await
        .unwrap();
    assert_eq!(held.len(), 4);
    assert_eq!(
        leases
            .list_leases(store.tenant(), run.id)
            .await
            .unwrap()
            .len(),
        4
    );
    let started = std::time::Instant::now();
    let s = ex
        .work(&store, run.id, WorkerConfig::new("alive"))
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert_eq!(s.stages[0].counts.completed, 4);
    assert_eq!(a.total_calls(), 4);
    // The dead worker cannot mark them done any more.
    let gone: Vec<_> = list
        .iter()
        .map(|c| (c.id.into(), "a".to_string(), Credits::ZERO))
        .collect();
    assert_eq!(
        leases
            .finish_pairs(store.tenant(), run.id, "dead", &gone)
            .await
            .unwrap(),
        0
    );
    let c = store
        .get_completions(&[list[0].id.into()], &["a".to_string()])
        .await
        .unwrap();
    assert_eq!(c[0].status, CompletionStatus::Completed);
}

#[tokio::test]
async fn a_paid_run_stops_workers_at_the_budget() {
    let store = store();
    companies(&store, &["FR"; 20]).await;
    let a = Arc::new(test_stage(
        "a",
        EntityKind::Company,
        Script {
            cost: Credits::from_millis(1000),
            ..Script::default()
        },
    ));
    let ex = executor(vec![a.clone()], fast_config());
    let run = ex
        .create_run(
            &store,
            &RunRequest::new(["a"], EntitySelection::All).with_budget(Credits::from_millis(5000)),
        )
        .await
        .unwrap();
    let s = ex
        .work(&store, run.id, WorkerConfig::new("w").with_batch(4))
        .await
        .unwrap();
    assert_eq!(s.status, RunStatus::BudgetExhausted);
    assert!(a.total_calls() <= 5, "{}", a.total_calls());
    assert_eq!(
        s.spent_now,
        Credits::from_millis(u64::from(a.total_calls()) * 1000)
    );
}

#[tokio::test]
async fn bad_worker_configs_and_unknown_runs_are_refused() {
    let store = store();
    let ex = executor(
        vec![Arc::new(noop("a", EntityKind::Company))],
        fast_config(),
    );
    let run = ex
        .create_run(&store, &RunRequest::new(["a"], EntitySelection::All))
        .await
        .unwrap();
    let short = WorkerConfig::new("w").with_lease(Duration::from_millis(1));
    assert!(ex.work(&store, run.id, short).await.is_err());
    assert!(
        ex.work(&store, run.id, WorkerConfig::new(" "))
            .await
            .is_err()
    );
    let unknown = crate::model::RunId::new();
    assert!(
        ex.work(&store, unknown, WorkerConfig::new("w"))
            .await
            .is_err()
    );
}
