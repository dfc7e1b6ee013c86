//! Retries, Retry-After, timeouts, concurrency and rate limits.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::*;
use crate::executor::{EntitySelection, RateLimit, RunRequest, StageLimits, testing::Script};
use crate::model::EntityKind::*;
use crate::store::CompletionStatus;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_errors_are_retried_and_every_attempt_recorded() {
    let st = store();
    let cos = companies(&st, &["CZ", "NO"]).await;
    let flaky = Arc::new(test_stage(
        "flaky",
        Company,
        Script {
            transient_failures: 2,
            ..Script::default()
        },
    ));
    let ex = executor(vec![flaky.clone()], fast_config());
    let s = ex
        .run(&st, RunRequest::new(["flaky"], EntitySelection::All))
        .await
        .unwrap();
    assert_eq!(s.counts("flaky").unwrap().completed, 2);
    assert_eq!(flaky.calls_for(cos[0].id.into()), 3);
    let records = st.list_stage_runs(s.run_id).await.unwrap();
    assert_eq!(records.len(), 6);
    assert_eq!(
        records
            .iter()
            .filter(|r| r.status == CompletionStatus::Failed)
            .count(),
        4
    );
    let c = st.get_completions(&[cos[0].id.into()], &[]).await.unwrap();
    assert_eq!(c[0].attempts, 3);
    // Three failures with three attempts allowed: failed, naming the attempts.
    let st = store();
    companies(&st, &["CZ"]).await;
    let worse = Arc::new(test_stage(
        "worse",
        Company,
        Script {
            transient_failures: 3,
            ..Script::default()
        },
    ));
    let ex = executor(vec![worse.clone()], fast_config());
    let s = ex
        .run(&st, RunRequest::new(["worse"], EntitySelection::All))
        .await
        .unwrap();
    assert_eq!(s.counts("worse").unwrap().failed, 1);
    assert_eq!(worse.total_calls(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_honoured() {
    let st = store();
    companies(&st, &["CZ"]).await;
    let limited = Arc::new(test_stage(
        "limited",
        Company,
        Script {
            transient_failures: 1,
            retry_after_secs: Some(1),
            ..Script::default()
        },
    ));
    let ex = executor(vec![limited.clone()], fast_config());
    let t = Instant::now();
    let s = ex
        .run(&st, RunRequest::new(["limited"], EntitySelection::All))
        .await
        .unwrap();
    assert_eq!(s.counts("limited").unwrap().completed, 1);
    assert!(
        t.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        t.elapsed()
    );
    // A Retry-After beyond the allowed maximum fails at once.
    let st = store();
    companies(&st, &["CZ"]).await;
    let greedy = Arc::new(test_stage(
        "greedy",
        Company,
        Script {
            transient_failures: 1,
            retry_after_secs: Some(3600),
            ..Script::default()
        },
    ));
    let ex = executor(vec![greedy.clone()], fast_config());
    let s = ex
        .run(&st, RunRequest::new(["greedy"], EntitySelection::All))
        .await
        .unwrap();
    assert_eq!(s.counts("greedy").unwrap().failed, 1);
    assert_eq!(greedy.total_calls(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_time_out() {
    let st = store();
    let cos = companies(&st, &["CZ"]).await;
    let slow = Arc::new(test_stage(
        "slow",
        Company,
        Script {
            sleep: Some(Duration::from_secs(30)),
            ..Script::default()
        },
    ));
    let mut config = fast_config();
    config.retry.max_attempts = 2;
    config.stage_limits.insert(
        "slow".into(),
        StageLimits {
            timeout: Duration::from_millis(50),
            ..StageLimits::default()
        },
    );
    let ex = executor(vec![slow.clone()], config);
    let s = ex
        .run(&st, RunRequest::new(["slow"], EntitySelection::All))
        .await
        .unwrap();
    assert_eq!(s.counts("slow").unwrap().failed, 1);
    assert_eq!(slow.total_calls(), 2, "a timeout is retryable");
    let c = st.get_completions(&[cos[0].id.into()], &[]).await.unwrap();
    assert!(
        c[0].error.as_deref().unwrap().contains("timed out"),
        "{c:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_is_bounded_per_stage() {
    let st = store();
    companies(&st, &["CZ"; 24]).await;
    let a = Arc::new(test_stage(
        "a",
        Company,
        Script {
            sleep: Some(Duration::from_millis(10)),
            ..Script::default()
        },
    ));
    let b = Arc::new(test_stage(
        "b",
        Company,
        Script {
            sleep: Some(Duration::from_millis(10)),
            ..Script::default()
        },
    ));
    let mut config = fast_config();
    config.default_limits.concurrency = 6;
    config.stage_limits.insert(
        "b".into(),
        StageLimits {
            concurrency: 2,
            ..StageLimits::default()
        },
    );
    let ex = executor(vec![a.clone(), b.clone()], config);
    ex.run(&st, RunRequest::new(["a", "b"], EntitySelection::All))
        .await
        .unwrap();
    assert!(
        a.max_in_flight() <= 6 && a.max_in_flight() >= 2,
        "{}",
        a.max_in_flight()
    );
    assert!(b.max_in_flight() <= 2, "{}", b.max_in_flight());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn providers_are_rate_limited() {
    let st = store();
    companies(&st, &["CZ"; 12]).await;
    let a = Arc::new(test_stage("a", Company, Script::default()).provider("ares"));
    let mut config = fast_config();
    config.rate_limits.insert(
        "ares".into(),
        RateLimit {
            per_second: NonZeroU32::new(20).unwrap(),
            burst: NonZeroU32::new(2).unwrap(),
        },
    );
    let ex = executor(vec![a.clone()], config);
    let t = Instant::now();
    ex.run(&st, RunRequest::new(["a"], EntitySelection::All))
        .await
        .unwrap();
    // 2 at once, then 10 more at 20/s: at least ~0.5 s.
    assert!(
        t.elapsed() >= Duration::from_millis(450),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(a.total_calls(), 12);
}

#[test]
fn configuration_errors_name_the_stage() {
    let mut config = fast_config();
    config
        .stage_limits
        .insert("nope".into(), StageLimits::default());
    let mut r = crate::executor::StageRegistry::new();
    r.register(Arc::new(noop("a", Company))).unwrap();
    let err = crate::executor::Executor::new(r, config).unwrap_err();
    assert!(err.to_string().contains("`nope`"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notable_attempt_records_leave_out_plain_free_successes() {
    let st = store();
    companies(&st, &["CZ", "NO"]).await;
    let plain = Arc::new(test_stage("plain", Company, Script::default()));
    let flaky = Arc::new(test_stage(
        "flaky",
        Company,
        Script {
            transient_failures: 1,
            ..Script::default()
        },
    ));
    let paid = Arc::new(test_stage(
        "paid",
        Company,
        Script {
            cost: crate::Credits::from_millis(3),
            ..Script::default()
        },
    ));
    let mut config = fast_config();
    config.attempt_records = crate::executor::AttemptRecords::Notable;
    let ex = executor(vec![plain, flaky, paid], config);
    let s = ex
        .run(
            &st,
            RunRequest::new(["plain", "flaky", "paid"], EntitySelection::All),
        )
        .await
        .unwrap();
    let records = st.list_stage_runs(s.run_id).await.unwrap();
    assert!(records.iter().all(|r| r.stage != "plain"));
    assert_eq!(records.iter().filter(|r| r.stage == "flaky").count(), 4);
    assert_eq!(records.iter().filter(|r| r.stage == "paid").count(), 2);
    assert_eq!(s.counts("plain").unwrap().completed, 2);
}
