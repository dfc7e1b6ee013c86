//! The PostgreSQL work queue ([`LeaseStore`]): concurrent claims never hand a
//! pair to two workers, leases expire and are taken over, a worker that lost its
//! lease cannot mark the pair done, and tenants do not see each other's queues.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use leadgen_core::store::{LeaseStore, QueuedPair, Store};
use leadgen_core::{Credits, EntityKind, EntityRef, RunId, TenantId};

use crate::pg::Schema;

fn pairs(n: usize) -> Vec<QueuedPair> {
    (0..n)
        .map(|i| QueuedPair {
            entity: EntityRef {
                kind: EntityKind::Company,
                id: uuid::Uuid::now_v7(),
            },
            stage: format!("s{}", i % 3),
            rank: (i % 3) as u32,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_claims_never_overlap_and_leases_expire() {
    let schema = Schema::create().await;
    let store = Arc::new(schema.open_store().await);
    let leases: &dyn LeaseStore = store.leases().expect("PostgreSQL has a work queue");
    let tenant = TenantId::new("acme").unwrap();
    let run = RunId::new();
    let queued = pairs(600);
    assert_eq!(
        leases.enqueue_pairs(&tenant, run, &queued).await.unwrap(),
        600
    );
    // Queuing again adds nothing.
    assert_eq!(
        leases.enqueue_pairs(&tenant, run, &queued).await.unwrap(),
        0
    );

    let mut tasks = Vec::new();
    for w in 0..6 {
        let (store, tenant) = (store.clone(), tenant.clone());
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = store
                    .claim_pairs(&tenant, run, &format!("w{w}"), 37, Duration::from_secs(60))
                    .await
                    .unwrap();
                if got.is_empty() {
                    break;
                }
                mine.extend(got.into_iter().map(|l| (l.entity, l.stage)));
            }
            mine
        }));
    }
    let mut seen = HashSet::new();
    for t in tasks {
        for pair in t.await.unwrap() {
            assert!(seen.insert(pair.clone()), "{pair:?} claimed twice");
        }
    }
    assert_eq!(seen.len(), 600);
    let counts = leases.queue_counts(&tenant, run).await.unwrap();
    assert_eq!((counts.leased, counts.open, counts.done), (600, 0, 0));

    // Another tenant sees nothing of it.
    let other = TenantId::new("globex").unwrap();
    assert_eq!(
        leases.queue_counts(&other, run).await.unwrap().remaining(),
        0
    );
    assert!(
        leases
            .claim_pairs(&other, run, "x", 10, Duration::from_secs(1))
            .await
            .unwrap()
            .is_empty()
    );

    // A short lease expires and the pair goes to another worker; the first
    // worker can then neither extend nor finish it.
    let run2 = RunId::new();
    let one = pairs(1);
    leases.enqueue_pairs(&tenant, run2, &one).await.unwrap();
    let a = leases
        .claim_pairs(&tenant, run2, "a", 10, Duration::from_millis(300))
        .await
        .unwrap();
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].worker.as_deref(), Some("a"));
    assert!(
        leases
            .claim_pairs(&tenant, run2, "b", 10, Duration::from_secs(60))
            .await
            .unwrap()
            .is_empty(),
        "a live lease is not handed out"
    );
    assert_eq!(leases.list_leases(&tenant, run2).await.unwrap().len(), 1);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        leases
            .extend_leases(&tenant, run2, "a", Duration::from_secs(60))
            .await
            .unwrap(),
        0,
        "an expired lease is not extended"
    );
    let b = leases
        .claim_pairs(&tenant, run2, "b", 10, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].claims, 2);
    let key = (
        one[0].entity,
        one[0].stage.clone(),
        Credits::from_millis(1500),
    );
    assert_eq!(
        leases
            .finish_pairs(&tenant, run2, "a", std::slice::from_ref(&key))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        leases
            .finish_pairs(&tenant, run2, "b", std::slice::from_ref(&key))
            .await
            .unwrap(),
        1
    );
    let counts = leases.queue_counts(&tenant, run2).await.unwrap();
    assert_eq!((counts.done, counts.remaining()), (1, 0));
    assert_eq!(
        leases.queue_spent(&tenant, run2).await.unwrap(),
        Credits::from_millis(1500)
    );
    // Released pairs wait out their delay.
    let run3 = RunId::new();
    let three = pairs(3);
    leases.enqueue_pairs(&tenant, run3, &three).await.unwrap();
    let c = leases
        .claim_pairs(&tenant, run3, "c", 10, Duration::from_secs(60))
        .await
        .unwrap();
    let keys: Vec<_> = c.iter().map(|l| (l.entity, l.stage.clone())).collect();
    assert_eq!(
        leases
            .release_pairs(&tenant, run3, "c", &keys, Duration::from_secs(60))
            .await
            .unwrap(),
        3
    );
    assert!(
        leases
            .claim_pairs(&tenant, run3, "d", 10, Duration::from_secs(60))
            .await
            .unwrap()
            .is_empty()
    );
    store.close().await;
    schema.drop_now().await;
}
