//! The in-memory store keeps the promises of the `Store` traits: tenants, filters,
//! paging, tenant mismatches, all-or-nothing batches, records and cache.

use std::sync::Arc;

use chrono::{Duration, Utc};
use leadgen_core::store::{
    AuditEntry, AuditFilter, CacheEntry, CompanyFilter, Completion, CompletionStatus,
    ContactFilter, MemoryStore, PageRequest, RunRecord, StageRunRecord, Store, TenantStore,
};
use leadgen_core::{Company, Contact, Credits, EmailStatus, EntityRef, ErrorKind, TenantId};

fn handles() -> (TenantStore, TenantStore, Arc<dyn Store>) {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    (
        TenantStore::new(store.clone(), TenantId::new("acme").unwrap()),
        TenantStore::new(store.clone(), TenantId::new("globex").unwrap()),
        store,
    )
}

fn company(name: &str, domain: &str, country: &str) -> Company {
    let mut c = Company::new(name);
    c.domain = Some(domain.into());
    c.country = Some(country.into());
    c
}

#[tokio::test]
async fn tenants_never_see_each_other() {
    let (acme, globex, _) = handles();
    let c = company("Initech", "initech.com", "US");
    let report = acme.upsert_company(&c).await.unwrap();
    assert_eq!((report.inserted, report.updated), (1, 0));
    assert_eq!(acme.upsert_company(&c).await.unwrap().updated, 1);
    assert!(globex.get_company(c.id).await.unwrap().is_none());
    assert_eq!(
        globex
            .count_companies(&CompanyFilter::default())
            .await
            .unwrap(),
        0
    );
    assert!(!globex.delete_company(c.id).await.unwrap());
    // Writing another tenant's id is a TenantMismatch, and nothing of the batch lands.
    let fresh = company("Hooli", "hooli.com", "US");
    let err = globex
        .upsert_companies(&[fresh.clone(), c.clone()])
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TenantMismatch);
    assert!(globex.get_company(fresh.id).await.unwrap().is_none());
    assert_eq!(
        acme.get_company(c.id).await.unwrap().unwrap().name,
        "Initech"
    );
}

#[tokio::test]
async fn batches_are_all_or_nothing() {
    let (acme, _, _) = handles();
    let good = company("Good", "good.com", "CZ");
    let bad = Company::new("");
    let err = acme
        .upsert_companies(&[good.clone(), bad])
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        acme.count_companies(&CompanyFilter::default())
            .await
            .unwrap(),
        0
    );
    let mut ok = Contact::new();
    ok.email = Some("a@b.cz".into());
    let mut too_long = Contact::new();
    too_long.title = Some("x".repeat(20_000));
    assert!(acme.upsert_contacts(&[ok, too_long]).await.is_err());
    assert_eq!(
        acme.count_contacts(&ContactFilter::default())
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn filters_and_paging_match_the_sql_backends() {
    let (acme, _, _) = handles();
    let mut all = Vec::new();
    for i in 0..25 {
        let mut c = company(
            &format!("Firm {i}"),
            &format!("firm{i}.COM"),
            if i % 2 == 0 { "CZ" } else { "NO" },
        );
        c.updated_at = Utc::now() - Duration::days(i);
        all.push(c);
    }
    all[3].merged_into = Some(all[4].id);
    acme.upsert_companies(&all).await.unwrap();
    let f = CompanyFilter {
        country: Some("cz".into()),
        ..Default::default()
    };
    assert_eq!(acme.count_companies(&f).await.unwrap(), 13);
    let f = CompanyFilter {
        domains: vec!["FIRM7.com".into()],
        ..Default::default()
    };
    assert_eq!(
        acme.list_companies(&f, &PageRequest::first(10))
            .await
            .unwrap()
            .items[0]
            .name,
        "Firm 7"
    );
    let f = CompanyFilter {
        name_contains: Some("firm 1".into()),
        ..Default::default()
    };
    assert_eq!(acme.count_companies(&f).await.unwrap(), 11); // 1, 10..19
    let f = CompanyFilter {
        updated_before: Some(Utc::now() - Duration::hours(20 * 24 + 1)),
        ..Default::default()
    };
    assert_eq!(acme.count_companies(&f).await.unwrap(), 4); // 21..24
    // Tombstones are left out unless asked for.
    assert_eq!(
        acme.count_companies(&CompanyFilter::default())
            .await
            .unwrap(),
        24
    );
    let with_merged = CompanyFilter {
        include_merged: true,
        ..Default::default()
    };
    assert_eq!(acme.count_companies(&with_merged).await.unwrap(), 25);
    // Paging in id order, cursor opaque, last page without cursor.
    let mut seen = Vec::new();
    let mut page = PageRequest::first(10);
    loop {
        let got = acme.list_companies(&with_merged, &page).await.unwrap();
        assert!(got.items.len() <= 10);
        seen.extend(got.items.iter().map(|c| c.id));
        match got.next_cursor {
            Some(c) => page.cursor = Some(c),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    assert_eq!(seen.len(), 25);
    let bad = PageRequest {
        limit: 5,
        cursor: Some("garbage".into()),
    };
    assert_eq!(
        acme.list_companies(&with_merged, &bad)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
}

#[tokio::test]
async fn contact_filters_and_unlinking() {
    let (acme, _, _) = handles();
    let firm = company("Acme", "acme.cz", "CZ");
    acme.upsert_company(&firm).await.unwrap();
    let mut jana = Contact::new();
    jana.first_name = Some("Jana".into());
    jana.email = Some(" Jana@Acme.cz ".into());
    jana.company_id = Some(firm.id);
    jana.email_status = EmailStatus::Valid;
    jana.linkedin_url = Some("https://www.linkedin.com/in/jana".into());
    let mut petr = Contact::new();
    petr.company_name = Some("Petrol Ltd".into());
    acme.upsert_contacts(&[jana.clone(), petr.clone()])
        .await
        .unwrap();
    let by = |f: ContactFilter| {
        let acme = acme.clone();
        async move { acme.count_contacts(&f).await.unwrap() }
    };
    assert_eq!(
        by(ContactFilter {
            emails: vec!["jana@acme.CZ".into()],
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        by(ContactFilter {
            company_id: Some(firm.id),
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        by(ContactFilter {
            email_status: Some(EmailStatus::Valid),
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        by(ContactFilter {
            keyless: true,
            ..Default::default()
        })
        .await,
        1,
        "petr has neither an email nor a LinkedIn URL"
    );
    assert_eq!(
        by(ContactFilter {
            search: Some("PETROL".into()),
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        by(ContactFilter {
            search: Some("jan".into()),
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        by(ContactFilter {
            linkedin_urls: vec!["https://www.linkedin.com/in/jana".into()],
            ..Default::default()
        })
        .await,
        1
    );
    assert!(acme.delete_company(firm.id).await.unwrap());
    assert_eq!(
        acme.get_contact(jana.id).await.unwrap().unwrap().company_id,
        None
    );
    assert!(acme.delete_contact(petr.id).await.unwrap());
    assert_eq!(
        acme.all_contacts(&ContactFilter::default())
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn runs_completions_stage_runs_audit_cache() {
    let (acme, globex, store) = handles();
    let mut old = RunRecord::new("enrich", vec!["a".into()]);
    old.created_at = Utc::now() - Duration::hours(1);
    let new = RunRecord::new("import", vec![]);
    acme.save_run(&old).await.unwrap();
    acme.save_run(&new).await.unwrap();
    assert_eq!(acme.list_runs(10).await.unwrap()[0].id, new.id);
    assert_eq!(acme.list_runs(1).await.unwrap().len(), 1);
    assert!(globex.get_run(old.id).await.unwrap().is_none());
    assert_eq!(
        globex.save_run(&old).await.unwrap_err().kind(),
        ErrorKind::TenantMismatch
    );

    let e: EntityRef = Company::new("x").id.into();
    let now = Utc::now();
    let completion = |stage: &str, status| Completion {
        entity: e,
        stage: stage.into(),
        status,
        run_id: Some(old.id),
        cost: Credits::from_millis(5),
        attempts: 1,
        started_at: now,
        finished_at: now,
        error: None,
        output: None,
    };
    acme.record_completions(&[
        completion("a", CompletionStatus::Failed),
        completion("b", CompletionStatus::Completed),
    ])
    .await
    .unwrap();
    acme.record_completions(&[completion("a", CompletionStatus::Completed)])
        .await
        .unwrap();
    let got = acme.get_completions(&[e], &[]).await.unwrap();
    assert_eq!(got.len(), 2);
    assert!(got.iter().all(|c| c.status == CompletionStatus::Completed));
    assert!(globex.get_completions(&[e], &[]).await.unwrap().is_empty());
    assert_eq!(
        acme.delete_completions(&[e], &["a".into()]).await.unwrap(),
        1
    );
    assert_eq!(
        acme.get_completions(&[e], &["a".into(), "b".into()])
            .await
            .unwrap()
            .len(),
        1
    );

    let record = |minutes_ago: i64, millis| StageRunRecord {
        id: uuid::Uuid::now_v7(),
        run_id: old.id,
        entity: e,
        stage: "a".into(),
        status: CompletionStatus::Completed,
        attempt: 1,
        started_at: now - Duration::minutes(minutes_ago),
        finished_at: now,
        cost: Credits::from_millis(millis),
        error: None,
    };
    acme.record_stage_runs(&[record(0, 10), record(120, 100)])
        .await
        .unwrap();
    let runs = acme.list_stage_runs(old.id).await.unwrap();
    assert_eq!(runs.len(), 2);
    assert!(runs[0].started_at < runs[1].started_at, "oldest first");
    assert_eq!(
        acme.credits_spent_since(now - Duration::minutes(60))
            .await
            .unwrap(),
        Credits::from_millis(10)
    );
    assert_eq!(
        globex
            .credits_spent_since(now - Duration::days(1))
            .await
            .unwrap(),
        Credits::ZERO
    );

    let mut entry = AuditEntry::new("user:alice", "merge");
    entry.entity = Some(e);
    acme.append_audit(&[entry, AuditEntry::new("import", "import")])
        .await
        .unwrap();
    let merges = acme
        .list_audit(&AuditFilter {
            action: Some("merge".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(merges.len(), 1);
    assert_eq!(
        acme.list_audit(&AuditFilter {
            entity: Some(e),
            ..Default::default()
        })
        .await
        .unwrap()
        .len(),
        1
    );
    assert!(
        globex
            .list_audit(&AuditFilter::default())
            .await
            .unwrap()
            .is_empty()
    );

    acme.cache_put(
        "mx",
        &[CacheEntry {
            key: "acme.cz".into(),
            value: serde_json::json!(["mx1"]),
            stored_at: now,
        }],
    )
    .await
    .unwrap();
    assert_eq!(
        acme.cache_get("mx", &["acme.cz".into(), "nope".into()])
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        globex
            .cache_get("mx", &["acme.cz".into()])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        acme.cache_get("other", &["acme.cz".into()])
            .await
            .unwrap()
            .is_empty()
    );

    assert_eq!(store.backend(), "memory");
    store.close().await;
    assert_eq!(
        acme.list_runs(1).await.unwrap_err().kind(),
        ErrorKind::Connection
    );
}

#[tokio::test]
async fn companies_and_contacts_are_written_together_or_not_at_all() {
    let (acme, _, store) = handles();
    let firms = vec![
        company("Acme", "acme.cz", "CZ"),
        company("Beta", "beta.no", "NO"),
    ];
    let mut jana = Contact::new();
    jana.email = Some("jana@acme.cz".into());
    let mut bad = Contact::new();
    bad.title = Some("x".repeat(9_000));
    let err = store
        .upsert_companies_and_contacts(acme.tenant(), &firms, &[jana.clone(), bad])
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        acme.count_companies(&CompanyFilter::default())
            .await
            .unwrap(),
        0
    );
    let (firms_written, people_written) = store
        .upsert_companies_and_contacts(acme.tenant(), &firms, &[jana])
        .await
        .unwrap();
    assert_eq!((firms_written.inserted, people_written.inserted), (2, 1));
    assert_eq!(
        acme.count_contacts(&ContactFilter::default())
            .await
            .unwrap(),
        1
    );
}
