//! The waterfall combinator inside a run.

use std::sync::Arc;

use super::*;
use crate::executor::{EntitySelection, RunRequest, Waterfall, testing::Script};
use crate::model::{Credits, EntityKind::*};

fn provider(id: &str, output: serde_json::Value, millis: u64) -> Arc<TestStage> {
    Arc::new(test_stage(
        id,
        Contact,
        Script {
            output: Some(output),
            cost: Credits::from_millis(millis),
            ..Script::default()
        },
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stops_when_fields_are_found_and_pays_only_for_calls() {
    let st = store();
    let people = contacts_at(&st, None, 2).await;
    let first = provider(
        "first",
        serde_json::json!({ "email": "a@x.test", "phone": null }),
        100,
    );
    let second = provider(
        "second",
        serde_json::json!({ "phone": "+1 555", "email": "other@x.test" }),
        300,
    );
    let third = provider("third", serde_json::json!({ "phone": "+2" }), 900);
    let wf = Waterfall::new("find", Contact, ["email", "phone"])
        .provider(first.clone())
        .unwrap()
        .provider(second.clone())
        .unwrap()
        .provider(third.clone())
        .unwrap();
    let ex = executor(vec![Arc::new(wf)], fast_config());
    let s = ex
        .run(&st, RunRequest::new(["find"], EntitySelection::All))
        .await
        .unwrap();
    assert_eq!(s.counts("find").unwrap().completed, 2);
    assert_eq!(s.spent, Credits::from_millis(800));
    assert_eq!(third.total_calls(), 0);
    let c = st
        .get_completions(&[people[0].id.into()], &[])
        .await
        .unwrap();
    let out = c[0].output.as_ref().unwrap();
    assert_eq!(
        out["fields"]["email"], "a@x.test",
        "the first provider wins a field"
    );
    assert_eq!(out["fields"]["phone"], "+1 555");
    assert_eq!(out["missing"], serde_json::json!([]));
    assert_eq!(c[0].cost, Credits::from_millis(400));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cost_ceiling_stops_the_waterfall() {
    let st = store();
    contacts_at(&st, None, 1).await;
    let first = provider("first", serde_json::json!({ "phone": null }), 100);
    let dear = provider("dear", serde_json::json!({ "phone": "+1" }), 1000);
    let wf = Waterfall::new("find", Contact, ["phone"])
        .provider(first.clone())
        .unwrap()
        .provider(dear.clone())
        .unwrap()
        .cost_ceiling(Credits::from_millis(500));
    let ex = executor(vec![Arc::new(wf)], fast_config());
    let s = ex
        .run(&st, RunRequest::new(["find"], EntitySelection::All))
        .await
        .unwrap();
    assert_eq!(dear.total_calls(), 0);
    assert_eq!(s.spent, Credits::from_millis(100));
}

#[test]
fn providers_must_fit() {
    let company_provider = Arc::new(test_stage("p", Company, Script::default()));
    assert!(
        Waterfall::new("w", Contact, ["x"])
            .provider(company_provider)
            .is_err()
    );
    let external = Arc::new(test_stage(
        "e",
        Contact,
        Script {
            external: true,
            ..Script::default()
        },
    ));
    assert!(
        Waterfall::new("w", Contact, ["x"])
            .provider(external)
            .is_err()
    );
}
