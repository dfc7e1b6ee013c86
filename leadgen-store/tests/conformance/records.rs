//! Conformance: runs, completions, stage runs, the audit log and the cache.

use chrono::{Duration, Utc};
use leadgen_core::store::{
    AuditEntry, AuditFilter, CacheEntry, Completion, CompletionStatus, RunRecord, RunStatus,
    StageRunRecord,
};
use leadgen_core::{CompanyId, ContactId, Credits, EntityRef, ErrorKind, RunId};
use uuid::Uuid;

use crate::entities::tenant;
use crate::fixtures::Fixture;

pub async fn runs_round_trip(fx: &Fixture) {
    let t = tenant(fx, "acme");
    let base = Utc::now() - Duration::hours(3);
    let mut runs = Vec::new();
    for (i, kind) in ["import", "enrich", "dedup"].into_iter().enumerate() {
        let mut run = RunRecord::new(kind, vec!["ares".into(), "email_verify".into()]);
        run.created_at = base + Duration::hours(i as i64);
        run.budget = Some(Credits::from_credits(12.5));
        t.save_run(&run).await.unwrap();
        runs.push(run);
    }
    assert_eq!(t.get_run(runs[0].id).await.unwrap(), Some(runs[0].clone()));
    assert_eq!(t.get_run(RunId::new()).await.unwrap(), None);

    let run = &mut runs[1];
    run.status = RunStatus::Completed;
    run.spent = Credits::from_millis(4_250);
    run.started_at = Some(run.created_at);
    run.finished_at = Some(Utc::now());
    run.summary = serde_json::json!({"enriched": 42, "errors": []});
    t.save_run(run).await.unwrap();
    assert_eq!(t.get_run(run.id).await.unwrap().as_ref(), Some(&*run));

    let newest_first: Vec<RunId> = t
        .list_runs(10)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(newest_first, vec![runs[2].id, runs[1].id, runs[0].id]);
    assert_eq!(t.list_runs(2).await.unwrap().len(), 2);
    assert_eq!(
        t.list_runs(0).await.unwrap().len(),
        3,
        "0 means the default"
    );
}

fn completion(entity: EntityRef, stage: &str, status: CompletionStatus) -> Completion {
    let now = Utc::now();
    Completion {
        entity,
        stage: stage.into(),
        status,
        run_id: Some(RunId::new()),
        cost: Credits::from_millis(250),
        attempts: 1,
        started_at: now - Duration::seconds(2),
        finished_at: now,
        error: None,
        output: Some(serde_json::json!({"ico": "28745612"})),
    }
}

pub async fn completions_replace_per_entity_and_stage(fx: &Fixture) {
    let t = tenant(fx, "acme");
    let company: EntityRef = CompanyId::new().into();
    let person: EntityRef = ContactId::new().into();
    let unrelated: EntityRef = ContactId::new().into();
    let first = vec![
        completion(company, "ares", CompletionStatus::Completed),
        completion(company, "web", CompletionStatus::Failed),
        completion(person, "email_verify", CompletionStatus::Completed),
        completion(unrelated, "email_verify", CompletionStatus::Skipped),
    ];
    t.record_completions(&first).await.unwrap();

    let mut got = t.get_completions(&[company, person], &[]).await.unwrap();
    got.sort_by(|a, b| a.stage.cmp(&b.stage));
    assert_eq!(got.len(), 3);
    let only_ares = t
        .get_completions(&[company, person], &["ares".into()])
        .await
        .unwrap();
    assert_eq!(only_ares, vec![first[0].clone()]);

    // Recording again replaces: still one per (entity, stage).
    let mut retried = completion(company, "web", CompletionStatus::Completed);
    retried.attempts = 2;
    retried.error = None;
    t.record_completions(std::slice::from_ref(&retried))
        .await
        .unwrap();
    let web = t
        .get_completions(&[company], &["web".into()])
        .await
        .unwrap();
    assert_eq!(web, vec![retried]);

    // A company and a contact with the same stage do not mix.
    let contact_view: EntityRef = EntityRef {
        kind: leadgen_core::EntityKind::Contact,
        id: company.id,
    };
    assert!(
        t.get_completions(&[contact_view], &[])
            .await
            .unwrap()
            .is_empty()
    );

    assert_eq!(
        t.delete_completions(&[company], &["ares".into()])
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        t.delete_completions(&[company, person], &[]).await.unwrap(),
        2
    );
    assert!(
        t.get_completions(&[company, person], &[])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        t.get_completions(&[unrelated], &[]).await.unwrap().len(),
        1,
        "other entities keep theirs"
    );
    assert!(t.get_completions(&[], &[]).await.unwrap().is_empty());

    // Many entities in one call.
    let many: Vec<Completion> = (0..1_200)
        .map(|_| {
            completion(
                ContactId::new().into(),
                "email_verify",
                CompletionStatus::Completed,
            )
        })
        .collect();
    t.record_completions(&many).await.unwrap();
    let refs: Vec<EntityRef> = many.iter().map(|c| c.entity).collect();
    assert_eq!(t.get_completions(&refs, &[]).await.unwrap().len(), 1_200);
}

pub async fn stage_runs_append(fx: &Fixture) {
    let t = tenant(fx, "acme");
    let run = RunId::new();
    let other_run = RunId::new();
    let at = Utc::now();
    let record =
        |run_id: RunId, stage: &str, attempt: u32, started: chrono::DateTime<Utc>| StageRunRecord {
            id: Uuid::now_v7(),
            run_id,
            entity: ContactId::new().into(),
            stage: stage.into(),
            status: CompletionStatus::Failed,
            attempt,
            started_at: started,
            finished_at: started + Duration::milliseconds(300),
            cost: Credits::from_millis(1),
            error: Some("timeout".into()),
        };
    let records = [
        record(run, "b", 1, at),
        record(run, "a", 1, at),
        record(run, "c", 2, at - Duration::seconds(5)),
        record(other_run, "a", 1, at),
    ];
    t.record_stage_runs(&records[..2]).await.unwrap();
    t.record_stage_runs(&records[2..]).await.unwrap();
    let listed = t.list_stage_runs(run).await.unwrap();
    assert_eq!(
        listed,
        vec![records[2].clone(), records[0].clone(), records[1].clone()],
        "oldest first; same start time in append order"
    );
    assert_eq!(t.list_stage_runs(other_run).await.unwrap().len(), 1);

    let err = t.record_stage_runs(&records[..1]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UniqueViolation, "{err}");
    assert_eq!(t.list_stage_runs(run).await.unwrap().len(), 3);
}

pub async fn audit_log_newest_first(fx: &Fixture) {
    let t = tenant(fx, "acme");
    let jana: EntityRef = ContactId::new().into();
    let base = Utc::now() - Duration::minutes(10);
    let mut entries = Vec::new();
    for (i, (action, entity)) in [
        ("import", None),
        ("merge", Some(jana)),
        ("erase", Some(jana)),
        ("merge", None),
    ]
    .into_iter()
    .enumerate()
    {
        let mut e = AuditEntry::new("user:alice", action);
        e.at = base + Duration::minutes(i as i64);
        e.entity = entity;
        e.details = serde_json::json!({"step": i});
        entries.push(e);
    }
    t.append_audit(&entries).await.unwrap();

    let all = t.list_audit(&AuditFilter::default()).await.unwrap();
    let want: Vec<_> = entries.iter().rev().cloned().collect();
    assert_eq!(all, want);
    let about_jana = t
        .list_audit(&AuditFilter {
            entity: Some(jana),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(about_jana, vec![entries[2].clone(), entries[1].clone()]);
    let merges = t
        .list_audit(&AuditFilter {
            action: Some("merge".into()),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(merges, vec![entries[3].clone()]);

    let err = t.append_audit(&entries[..1]).await.unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::UniqueViolation,
        "append never rewrites"
    );
}

pub async fn cache_round_trip(fx: &Fixture) {
    let t = tenant(fx, "acme");
    let at = Utc::now();
    let entry = |key: &str, status: &str| CacheEntry {
        key: key.into(),
        value: serde_json::json!({"status": status, "mx": ["mx1.acme.cz"]}),
        stored_at: at,
    };
    t.cache_put(
        "email",
        &[entry("a@acme.cz", "valid"), entry("b@acme.cz", "risky")],
    )
    .await
    .unwrap();
    t.cache_put("dns", &[entry("a@acme.cz", "dns")])
        .await
        .unwrap();

    let keys = ["a@acme.cz".to_string(), "missing@acme.cz".to_string()];
    assert_eq!(
        t.cache_get("email", &keys).await.unwrap(),
        vec![entry("a@acme.cz", "valid")]
    );
    assert_eq!(
        t.cache_get("dns", &keys).await.unwrap(),
        vec![entry("a@acme.cz", "dns")]
    );

    let mut newer = entry("a@acme.cz", "invalid");
    newer.stored_at = at + Duration::seconds(5);
    t.cache_put("email", std::slice::from_ref(&newer))
        .await
        .unwrap();
    assert_eq!(t.cache_get("email", &keys).await.unwrap(), vec![newer]);
    assert!(t.cache_get("email", &[]).await.unwrap().is_empty());
}
