//! Credit budgets per run and per tenant per day.

use std::sync::Arc;

use super::*;
use crate::executor::{EntitySelection, RunRequest, testing::Script};
use crate::model::{Credits, EntityKind::*};
use crate::store::RunStatus;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spent_budget_stops_paid_work_and_keeps_the_rest() {
    let st = store();
    companies(&st, &["CZ"; 10]).await;
    let paid = Arc::new(test_stage(
        "llm",
        Company,
        Script {
            cost: Credits::from_millis(1000),
            ..Script::default()
        },
    ));
    let free = Arc::new(test_stage("normalize", Company, Script::default()));
    let after = Arc::new(test_stage("score", Company, Script::default()).hard_dep("llm"));
    let mut config = fast_config();
    config.default_limits.concurrency = 1;
    let ex = executor(vec![paid.clone(), free.clone(), after.clone()], config);
    let request = RunRequest::new(["llm", "normalize", "score"], EntitySelection::All)
        .with_budget(Credits::from_millis(3500));
    let s = ex.run(&st, request).await.unwrap();
    assert_eq!(s.status, RunStatus::BudgetExhausted, "{}", s.to_text());
    assert_eq!(paid.total_calls(), 3);
    assert_eq!(s.spent, Credits::from_millis(3000));
    assert_eq!(
        s.counts("normalize").unwrap().completed,
        10,
        "free stages finish"
    );
    let score = s.counts("score").unwrap();
    assert_eq!((score.completed, score.not_run), (3, 7));
    let run = st.get_run(s.run_id).await.unwrap().unwrap();
    assert_eq!(run.status, RunStatus::BudgetExhausted);
    assert_eq!(run.spent, Credits::from_millis(3000));
    // Resuming the same run: its budget is still spent, nothing paid runs.
    let again = ex.resume(&st, s.run_id).await.unwrap();
    assert_eq!(again.status, RunStatus::BudgetExhausted);
    assert_eq!(paid.total_calls(), 3);
    // A new run with more budget does the rest, and nothing twice.
    let more = ex
        .run(
            &st,
            RunRequest::new(["llm", "score"], EntitySelection::All)
                .with_budget(Credits::from_millis(100_000)),
        )
        .await
        .unwrap();
    assert_eq!(more.status, RunStatus::Completed);
    assert_eq!(paid.total_calls(), 10);
    assert_eq!(more.counts("llm").unwrap().already_done, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zero_budget_runs_only_free_stages() {
    let st = store();
    companies(&st, &["CZ"; 3]).await;
    let paid = Arc::new(test_stage(
        "llm",
        Company,
        Script {
            cost: Credits::from_millis(1),
            ..Script::default()
        },
    ));
    let free = Arc::new(test_stage("normalize", Company, Script::default()));
    let ex = executor(vec![paid.clone(), free.clone()], fast_config());
    let s = ex
        .run(
            &st,
            RunRequest::new(["llm", "normalize"], EntitySelection::All).with_budget(Credits::ZERO),
        )
        .await
        .unwrap();
    assert_eq!(s.status, RunStatus::BudgetExhausted);
    assert_eq!(paid.total_calls(), 0);
    assert_eq!(free.total_calls(), 3);
    assert_eq!(s.counts("llm").unwrap().not_run, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tenant_daily_budget_spans_runs() {
    let st = store();
    companies(&st, &["CZ"; 4]).await;
    let paid = Arc::new(test_stage(
        "llm",
        Company,
        Script {
            cost: Credits::from_millis(1000),
            ..Script::default()
        },
    ));
    let other = Arc::new(test_stage(
        "llm2",
        Company,
        Script {
            cost: Credits::from_millis(1000),
            ..Script::default()
        },
    ));
    let mut config = fast_config();
    config.tenant_daily_budget = Some(Credits::from_millis(5000));
    config.default_limits.concurrency = 1;
    let ex = executor(vec![paid.clone(), other.clone()], config);
    let first = ex
        .run(&st, RunRequest::new(["llm"], EntitySelection::All))
        .await
        .unwrap();
    assert_eq!(first.status, RunStatus::Completed);
    assert_eq!(
        st.credits_spent_since(chrono::Utc::now() - chrono::Duration::hours(1))
            .await
            .unwrap(),
        Credits::from_millis(4000)
    );
    // Only 1 credit of today's 5 is left for the second run.
    let second = ex
        .run(&st, RunRequest::new(["llm2"], EntitySelection::All))
        .await
        .unwrap();
    assert_eq!(second.status, RunStatus::BudgetExhausted);
    assert_eq!(other.total_calls(), 1);
}
