//! Runs end to end: outcomes, dependencies, resume, force, retry, plans, reports.

use std::sync::{Arc, Mutex};

use super::*;
use crate::executor::{
    EntitySelection, ExecutorEvent, RunRequest, list_runs, run_report, testing::Script,
};
use crate::model::{Credits, Entity, EntityKind::*, EntityRef};
use crate::store::{CompletionStatus, RunStatus};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dag_runs_in_order_and_writes_updates_back() {
    let st = store();
    let cos = companies(&st, &["CZ", "NO", "CZ"]).await;
    let a = Arc::new(test_stage(
        "a",
        Company,
        Script {
            update_entity: true,
            ..Script::default()
        },
    ));
    let b = Arc::new(
        test_stage(
            "b",
            Company,
            Script {
                update_entity: true,
                ..Script::default()
            },
        )
        .hard_dep("a"),
    );
    let ex = executor(vec![a.clone(), b.clone()], fast_config());
    let s = ex
        .run(&st, RunRequest::new(["b", "a"], EntitySelection::All))
        .await
        .unwrap();
    assert_eq!(s.status, RunStatus::Completed);
    assert_eq!(s.counts("a").unwrap().completed, 3);
    assert_eq!(s.counts("b").unwrap().completed, 3);
    // b saw a's update (it is based on the entity a wrote), and both were stored.
    let stored = st.get_company(cos[0].id).await.unwrap().unwrap();
    assert_eq!(stored.attributes.get("a").map(String::as_str), Some("done"));
    assert_eq!(stored.attributes.get("b").map(String::as_str), Some("done"));
    let comps = st.get_completions(&[cos[1].id.into()], &[]).await.unwrap();
    assert_eq!(comps.len(), 2);
    assert!(
        comps
            .iter()
            .all(|c| c.status == CompletionStatus::Completed && c.run_id == Some(s.run_id))
    );
    let records = st.list_stage_runs(s.run_id).await.unwrap();
    assert_eq!(records.len(), 6);
    let run = st.get_run(s.run_id).await.unwrap().unwrap();
    assert_eq!(run.status, RunStatus::Completed);
    assert!(run.finished_at.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gates_skip_failures_block_and_panics_are_caught() {
    let st = store();
    let cos = companies(&st, &["CZ", "NO", "FI", "SG"]).await;
    // Registry stage for CZ only; a research stage panics for FI and fails for SG.
    let registry = Arc::new(test_stage(
        "ares",
        Company,
        Script {
            only_country: Some("CZ".into()),
            ..Script::default()
        },
    ));
    let research = Arc::new(test_stage(
        "research",
        Company,
        Script {
            panic_for_country: Some("FI".into()),
            ..Script::default()
        },
    ));
    let bad = Arc::new(test_stage(
        "always_fails",
        Company,
        Script {
            always_fail: true,
            ..Script::default()
        },
    ));
    let after_registry = Arc::new(
        test_stage("qc", Company, Script::default())
            .hard_dep("ares")
            .hard_dep("research"),
    );
    let after_bad =
        Arc::new(test_stage("after_bad", Company, Script::default()).hard_dep("always_fails"));
    let ex = executor(
        vec![
            registry.clone(),
            research.clone(),
            bad.clone(),
            after_registry.clone(),
            after_bad.clone(),
        ],
        fast_config(),
    );
    let s = ex
        .run(
            &st,
            RunRequest::new(
                ["ares", "research", "always_fails", "qc", "after_bad"],
                EntitySelection::All,
            ),
        )
        .await
        .unwrap();
    assert_eq!(s.status, RunStatus::Completed, "{}", s.to_text());
    let ares = s.counts("ares").unwrap();
    assert_eq!((ares.completed, ares.skipped), (1, 3));
    let research_counts = s.counts("research").unwrap();
    assert_eq!((research_counts.completed, research_counts.failed), (3, 1));
    // qc: skipped ares unblocks; the panicking research blocks FI.
    let qc = s.counts("qc").unwrap();
    assert_eq!((qc.completed, qc.blocked), (3, 1));
    assert_eq!(s.counts("after_bad").unwrap().blocked, 4);
    assert_eq!(after_bad.total_calls(), 0);
    // A permanent failure is not retried.
    assert_eq!(bad.calls_for(cos[0].id.into()), 1);
    let fi: EntityRef = cos[2].id.into();
    let c = st
        .get_completions(&[fi], &["research".into(), "qc".into()])
        .await
        .unwrap();
    let research_c = c.iter().find(|c| c.stage == "research").unwrap();
    assert_eq!(research_c.status, CompletionStatus::Failed);
    assert!(
        research_c.error.as_deref().unwrap().contains("panicked"),
        "{research_c:?}"
    );
    let qc_c = c.iter().find(|c| c.stage == "qc").unwrap();
    assert_eq!(qc_c.status, CompletionStatus::Blocked);
    assert!(
        qc_c.error
            .as_deref()
            .unwrap()
            .contains("`research` is failed"),
        "{qc_c:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resuming_runs_only_what_is_missing_and_pays_nothing_twice() {
    let st = store();
    companies(&st, &["CZ"; 20]).await;
    let paid = Arc::new(test_stage(
        "paid",
        Company,
        Script {
            cost: Credits::from_millis(100),
            ..Script::default()
        },
    ));
    let slow = Arc::new(
        test_stage(
            "slow",
            Company,
            Script {
                sleep: Some(std::time::Duration::from_millis(30)),
                ..Script::default()
            },
        )
        .hard_dep("paid"),
    );
    let mut config = fast_config();
    config.default_limits.concurrency = 2;
    let ex = executor(vec![paid.clone(), slow.clone()], config);
    let request = RunRequest::new(["paid", "slow"], EntitySelection::All);
    let cancel = crate::executor::CancellationToken::new();
    let canceller = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(120)).await;
            cancel.cancel();
        })
    };
    let first = ex
        .run_with_cancel(&st, request.clone(), cancel)
        .await
        .unwrap();
    canceller.await.unwrap();
    assert_eq!(first.status, RunStatus::Cancelled);
    let done_first = first.counts("slow").unwrap().completed;
    assert!(done_first < 20, "cancelled mid-run: {}", first.to_text());
    let second = ex.resume(&st, first.run_id).await.unwrap();
    assert_eq!(second.status, RunStatus::Completed, "{}", second.to_text());
    assert_eq!(second.counts("slow").unwrap().completed + done_first, 20);
    assert_eq!(second.counts("slow").unwrap().already_done, done_first);
    // Every paid pair ran exactly once over both executions.
    assert_eq!(paid.total_calls(), 20);
    assert_eq!(second.spent, Credits::from_millis(2000));
    // A third execution has nothing to do.
    let third = ex.resume(&st, first.run_id).await.unwrap();
    assert_eq!(third.pairs_finished(), 0);
    assert_eq!(paid.total_calls(), 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_failed_and_force_are_explicit() {
    let st = store();
    let cos = companies(&st, &["CZ", "NO"]).await;
    // Fails twice per entity with retries off: the first run fails both pairs.
    let flaky = Arc::new(test_stage(
        "flaky",
        Company,
        Script {
            transient_failures: 1,
            ..Script::default()
        },
    ));
    let next = Arc::new(test_stage("next", Company, Script::default()).hard_dep("flaky"));
    let mut config = fast_config();
    config.retry.max_attempts = 1;
    let ex = executor(vec![flaky.clone(), next.clone()], config);
    let s = ex
        .run(
            &st,
            RunRequest::new(["flaky", "next"], EntitySelection::All),
        )
        .await
        .unwrap();
    assert_eq!(s.counts("flaky").unwrap().failed, 2);
    assert_eq!(s.counts("next").unwrap().blocked, 2);
    // Resuming does not retry failures by itself.
    let again = ex.resume(&st, s.run_id).await.unwrap();
    assert_eq!(flaky.total_calls(), 2);
    assert_eq!(again.counts("next").unwrap().blocked, 2);
    let retried = ex.retry_failed(&st, s.run_id).await.unwrap();
    assert_eq!(retried.counts("flaky").unwrap().completed, 2);
    assert_eq!(
        retried.counts("next").unwrap().completed,
        2,
        "blocked pairs are decided again"
    );
    // Force one entity for one stage.
    let forced = ex
        .force(&st, vec!["next".into()], vec![cos[0].id.into()])
        .await
        .unwrap();
    assert_eq!(forced.counts("next").unwrap().completed, 1);
    assert_eq!(next.calls_for(cos[0].id.into()), 2);
    assert_eq!(next.calls_for(cos[1].id.into()), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_stages_wait_for_their_company() {
    let st = store();
    let cos = companies(&st, &["CZ", "NO"]).await;
    contacts_at(&st, Some(&cos[0]), 3).await;
    contacts_at(&st, Some(&cos[1]), 2).await;
    contacts_at(&st, None, 1).await;
    // The company stage fails for NO: its contacts are blocked.
    let firm = Arc::new(test_stage(
        "firm",
        Company,
        Script {
            panic_for_country: Some("NO".into()),
            update_entity: true,
            ..Script::default()
        },
    ));
    let seen = Arc::new(Mutex::new(Vec::new()));
    #[derive(Debug)]
    struct Person(Arc<Mutex<Vec<bool>>>);
    #[async_trait::async_trait]
    impl crate::Stage for Person {
        fn id(&self) -> &str {
            "person"
        }
        fn entity_kind(&self) -> crate::EntityKind {
            Contact
        }
        fn dependencies(&self) -> Vec<crate::stage::Dependency> {
            vec![crate::stage::Dependency::hard("firm")]
        }
        async fn run(
            &self,
            ctx: &crate::StageContext,
            _e: &Entity,
        ) -> crate::Result<crate::StageOutcome> {
            // The context carries the company as the company stage left it.
            let enriched = ctx
                .company
                .as_ref()
                .is_some_and(|c| c.attributes.contains_key("firm"));
            self.0.lock().unwrap().push(enriched);
            Ok(crate::StageOutcome::Completed {
                output: serde_json::Value::Null,
                cost: Credits::ZERO,
                updated: None,
            })
        }
    }
    let ex = executor(
        vec![firm.clone(), Arc::new(Person(seen.clone()))],
        fast_config(),
    );
    // Only contacts are selected: their companies join because the run has a company stage.
    let request = RunRequest::new(
        ["person", "firm"],
        EntitySelection::Filtered {
            companies: None,
            contacts: Some(Default::default()),
        },
    );
    let plan = ex.plan(&st, &request).await.unwrap();
    assert_eq!((plan.companies, plan.contacts), (2, 6));
    let s = ex.run(&st, request).await.unwrap();
    let person = s.counts("person").unwrap();
    assert_eq!(
        (person.completed, person.blocked, person.skipped),
        (3, 2, 1),
        "{}",
        s.to_text()
    );
    assert_eq!(*seen.lock().unwrap(), vec![true; 3]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soft_dependencies_and_dependencies_outside_the_run() {
    let st = store();
    companies(&st, &["CZ", "NO"]).await;
    let base = Arc::new(test_stage(
        "base",
        Company,
        Script {
            always_fail: true,
            ..Script::default()
        },
    ));
    let soft = Arc::new(test_stage("soft", Company, Script::default()).soft_dep("base"));
    let hard = Arc::new(test_stage("hard", Company, Script::default()).hard_dep("base"));
    let ex = executor(
        vec![base.clone(), soft.clone(), hard.clone()],
        fast_config(),
    );
    // A failed soft dependency does not block.
    let s = ex
        .run(&st, RunRequest::new(["base", "soft"], EntitySelection::All))
        .await
        .unwrap();
    assert_eq!(s.counts("soft").unwrap().completed, 2);
    // A hard dependency outside the run needs a stored completion: here it failed.
    let s = ex
        .run(&st, RunRequest::new(["hard"], EntitySelection::All))
        .await
        .unwrap();
    assert_eq!(s.counts("hard").unwrap().blocked, 2);
    let st2 = store();
    companies(&st2, &["CZ"]).await;
    let plan = ex
        .plan(&st2, &RunRequest::new(["hard"], EntitySelection::All))
        .await
        .unwrap();
    assert_eq!(plan.stages[0].blocked, 1);
    let s = ex
        .run(&st2, RunRequest::new(["hard"], EntitySelection::All))
        .await
        .unwrap();
    let run = run_report(&st2, s.run_id).await.unwrap();
    assert_eq!(run.run.status, RunStatus::Completed);
    let c = st2
        .get_completions(
            &[st2.all_companies(&Default::default()).await.unwrap()[0]
                .id
                .into()],
            &[],
        )
        .await
        .unwrap();
    assert!(
        c[0].error
            .as_deref()
            .unwrap()
            .contains("not part of this run"),
        "{c:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_count_and_estimate_before_running() {
    let st = store();
    companies(&st, &["CZ", "CZ", "NO"]).await;
    let ares = Arc::new(test_stage(
        "ares",
        Company,
        Script {
            only_country: Some("CZ".into()),
            cost: Credits::from_millis(250),
            ..Script::default()
        },
    ));
    let llm = Arc::new(
        test_stage(
            "llm",
            Company,
            Script {
                cost: Credits::from_millis(1000),
                ..Script::default()
            },
        )
        .soft_dep("ares"),
    );
    let ex = executor(vec![ares, llm], fast_config());
    let request = RunRequest::new(["llm", "ares"], EntitySelection::All)
        .with_budget(Credits::from_millis(2000));
    let plan = ex.plan(&st, &request).await.unwrap();
    assert_eq!(plan.stages[0].stage, "ares");
    assert_eq!((plan.stages[0].to_run, plan.stages[0].skipped), (2, 1));
    assert_eq!(plan.stages[1].to_run, 3);
    assert_eq!(plan.estimated_credits, Credits::from_millis(3500));
    assert!(!plan.fits_budget());
    let text = plan.to_text();
    assert!(
        text.contains("3.500") && text.contains("OVER the budget"),
        "{text}"
    );
    let mermaid = plan.to_mermaid();
    assert!(mermaid.starts_with("flowchart TD"), "{mermaid}");
    assert!(mermaid.contains("s_ares -.-> s_llm"), "{mermaid}");
    // Planning wrote nothing.
    assert!(list_runs(&st, 10).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_report_progress() {
    let st = store();
    companies(&st, &["CZ"; 5]).await;
    let paid = Arc::new(test_stage(
        "paid",
        Company,
        Script {
            cost: Credits::from_millis(10),
            ..Script::default()
        },
    ));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let cb_seen = seen.clone();
    let ex = executor(vec![paid], fast_config()).on_event(Arc::new(move |e: &ExecutorEvent| {
        cb_seen.lock().unwrap().push(e.clone());
    }));
    let mut rx = ex.subscribe();
    let s = ex
        .run(&st, RunRequest::new(["paid"], EntitySelection::All))
        .await
        .unwrap();
    let events = seen.lock().unwrap().clone();
    assert!(matches!(
        events.first(),
        Some(ExecutorEvent::RunStarted { pairs: 5, .. })
    ));
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, ExecutorEvent::PairFinished { .. }))
            .count(),
        5
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, ExecutorEvent::CreditsSpent { .. }))
            .count(),
        5
    );
    assert!(events.iter().any(
        |e| matches!(e, ExecutorEvent::StageFinished { counts, .. } if counts.completed == 5)
    ));
    assert!(matches!(
        events.last(),
        Some(ExecutorEvent::RunFinished {
            status: RunStatus::Completed,
            ..
        })
    ));
    let mut streamed = 0;
    while let Ok(e) = rx.try_recv() {
        streamed += 1;
        if let ExecutorEvent::RunFinished { spent, .. } = e {
            assert_eq!(spent, s.spent);
        }
    }
    assert_eq!(streamed, events.len());
    let report = run_report(&st, s.run_id).await.unwrap();
    assert_eq!(report.stages["paid"].attempts, 5);
    assert!(
        report.to_text().contains("0.050 credits"),
        "{}",
        report.to_text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_clear_error() {
    let st = store();
    let ex = executor(vec![Arc::new(noop("a", Company))], fast_config());
    let err = ex
        .run(&st, RunRequest::new(["a", "ghost"], EntitySelection::All))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("`ghost`"), "{err}");
    let err = ex.resume(&st, crate::RunId::new()).await.unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::NotFound);
    // Missing entities are reported, not fatal.
    let ghost = EntityRef {
        kind: Company,
        id: uuid::Uuid::now_v7(),
    };
    let s = ex
        .run(
            &st,
            RunRequest::new(["a"], EntitySelection::Refs(vec![ghost])),
        )
        .await
        .unwrap();
    assert_eq!(s.missing, vec![ghost]);
    assert_eq!(s.status, RunStatus::Completed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_from_a_stage_fails_the_pair_and_keeps_the_entity() {
    #[derive(Debug)]
    struct Garbage;
    #[async_trait::async_trait]
    impl crate::Stage for Garbage {
        fn id(&self) -> &str {
            "garbage"
        }
        fn entity_kind(&self) -> crate::EntityKind {
            Company
        }
        async fn run(
            &self,
            _ctx: &crate::StageContext,
            e: &Entity,
        ) -> crate::Result<crate::StageOutcome> {
            let Entity::Company(c) = e else {
                unreachable!()
            };
            let mut bad = c.clone();
            if c.country.as_deref() == Some("CZ") {
                bad.name = String::new(); // invalid: empty name
            } else {
                bad.id = crate::CompanyId::new(); // another entity
            }
            Ok(crate::StageOutcome::Completed {
                output: serde_json::Value::Null,
                cost: Credits::ZERO,
                updated: Some(Box::new(Entity::Company(bad))),
            })
        }
    }
    let st = store();
    let cos = companies(&st, &["CZ", "NO"]).await;
    let ex = executor(vec![Arc::new(Garbage)], fast_config());
    let s = ex
        .run(&st, RunRequest::new(["garbage"], EntitySelection::All))
        .await
        .unwrap();
    assert_eq!(s.counts("garbage").unwrap().failed, 2);
    for c in &cos {
        assert_eq!(st.get_company(c.id).await.unwrap().unwrap().name, c.name);
        let comp = st.get_completions(&[c.id.into()], &[]).await.unwrap();
        assert!(
            comp[0].error.as_deref().unwrap().contains("garbage output"),
            "{comp:?}"
        );
    }
    assert_eq!(st.count_companies(&Default::default()).await.unwrap(), 2);
}
