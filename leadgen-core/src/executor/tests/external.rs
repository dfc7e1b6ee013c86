//! External (asynchronous) stages and their callbacks.

use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::executor::{EntitySelection, ExternalResult, RunRequest, StageLimits, testing::Script};
use crate::model::{Credits, EntityKind::*, EntityRef};
use crate::store::{CompletionStatus, RunStatus};

fn external_pipeline() -> (Arc<TestStage>, Arc<TestStage>) {
    let hook = Arc::new(test_stage(
        "webhook",
        Company,
        Script {
            external: true,
            cost: Credits::from_millis(5),
            ..Script::default()
        },
    ));
    let after = Arc::new(test_stage("after", Company, Script::default()).hard_dep("webhook"));
    (hook, after)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callbacks_complete_waiting_pairs_and_start_dependents() {
    let st = store();
    let cos = companies(&st, &["CZ", "NO"]).await;
    let (hook, after) = external_pipeline();
    let ex = executor(vec![hook.clone(), after.clone()], fast_config());
    let mut events = ex.subscribe();
    let run = {
        let (ex, st) = (ex.clone(), st.clone());
        tokio::spawn(async move {
            ex.run(
                &st,
                RunRequest::new(["webhook", "after"], EntitySelection::All),
            )
            .await
        })
    };
    // Wait until both pairs are waiting.
    let mut run_id = None;
    let mut waiting = 0;
    while waiting < 2 {
        match events.recv().await.unwrap() {
            crate::executor::ExecutorEvent::RunStarted { run_id: id, .. } => run_id = Some(id),
            crate::executor::ExecutorEvent::CreditsSpent { .. } => waiting += 1,
            _ => {}
        }
    }
    let run_id = run_id.unwrap();
    let a: EntityRef = cos[0].id.into();
    let b: EntityRef = cos[1].id.into();
    // The stored completion says waiting.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let c = st.get_completions(&[a], &["webhook".into()]).await.unwrap();
    assert_eq!(c[0].status, CompletionStatus::Waiting);
    // A callback for an unknown pair is refused and changes nothing.
    let err = ex
        .complete_external(
            &st,
            run_id,
            a,
            "after",
            ExternalResult::completed(serde_json::json!({}), Credits::ZERO),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::NotFound);
    ex.complete_external(
        &st,
        run_id,
        a,
        "webhook",
        ExternalResult::completed(serde_json::json!({"ok": 1}), Credits::from_millis(20)),
    )
    .await
    .unwrap();
    // A second callback for the same pair is refused.
    assert!(
        ex.complete_external(
            &st,
            run_id,
            a,
            "webhook",
            ExternalResult::Failed { error: "x".into() }
        )
        .await
        .is_err()
    );
    ex.complete_external(
        &st,
        run_id,
        b,
        "webhook",
        ExternalResult::Failed {
            error: "vendor said no".into(),
        },
    )
    .await
    .unwrap();
    let s = run.await.unwrap().unwrap();
    assert_eq!(s.status, RunStatus::Completed);
    let w = s.counts("webhook").unwrap();
    assert_eq!((w.completed, w.failed), (1, 1));
    let af = s.counts("after").unwrap();
    assert_eq!((af.completed, af.blocked), (1, 1));
    assert_eq!(s.spent, Credits::from_millis(30));
    let c = st.get_completions(&[a], &["webhook".into()]).await.unwrap();
    assert_eq!(c[0].output, Some(serde_json::json!({"ok": 1})));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pair_without_callback_times_out() {
    let st = store();
    companies(&st, &["CZ"]).await;
    let (hook, after) = external_pipeline();
    let mut config = fast_config();
    config.stage_limits.insert(
        "webhook".into(),
        StageLimits {
            external_timeout: Duration::from_millis(100),
            ..StageLimits::default()
        },
    );
    let ex = executor(vec![hook, after], config);
    let s = ex
        .run(
            &st,
            RunRequest::new(["webhook", "after"], EntitySelection::All),
        )
        .await
        .unwrap();
    assert_eq!(s.counts("webhook").unwrap().failed, 1);
    assert_eq!(s.counts("after").unwrap().blocked, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_after_the_run_ended_is_stored_and_resume_goes_on() {
    let st = store();
    let cos = companies(&st, &["CZ"]).await;
    let (hook, after) = external_pipeline();
    let ex = executor(vec![hook.clone(), after.clone()], fast_config());
    let mut request = RunRequest::new(["webhook", "after"], EntitySelection::All);
    request.wait_for_external = false;
    let s = ex.run(&st, request).await.unwrap();
    assert_eq!(s.counts("webhook").unwrap().waiting, 1);
    assert_eq!(s.counts("after").unwrap().not_run, 1);
    // Another executor (another process, say) takes the callback.
    let other = executor(vec![hook.clone(), after.clone()], fast_config());
    let a: EntityRef = cos[0].id.into();
    other
        .complete_external(
            &st,
            s.run_id,
            a,
            "webhook",
            ExternalResult::completed(serde_json::json!({}), Credits::ZERO),
        )
        .await
        .unwrap();
    let err = other
        .complete_external(
            &st,
            crate::RunId::new(),
            a,
            "webhook",
            ExternalResult::completed(serde_json::json!({}), Credits::ZERO),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::NotFound);
    let resumed = other.resume(&st, s.run_id).await.unwrap();
    assert_eq!(resumed.counts("after").unwrap().completed, 1);
    assert_eq!(
        hook.total_calls(),
        1,
        "the external work was not started twice"
    );
}
