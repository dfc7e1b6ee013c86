//! Conformance: tenant isolation, all-or-nothing batches, and bad input.

use leadgen_core::store::{
    AuditEntry, AuditFilter, CacheEntry, CompanyFilter, Completion, CompletionStatus,
    ContactFilter, PageRequest, RunRecord,
};
use leadgen_core::{Company, Contact, ContactId, Credits, ErrorKind, Store, TenantId};

use crate::entities::{contact, tenant};
use crate::fixtures::Fixture;

pub async fn tenants_never_see_each_other(fx: &Fixture) {
    let a = tenant(fx, "tenant-a");
    let b = tenant(fx, "tenant-b");
    let b_company = Company::new("B Corp");
    let mut b_contact = contact("Bea", "B", "bea@b.example");
    b_contact.company_id = Some(b_company.id);
    b.upsert_company(&b_company).await.unwrap();
    b.upsert_contact(&b_contact).await.unwrap();
    a.upsert_contact(&contact("Ada", "A", "ada@a.example"))
        .await
        .unwrap();

    // Reads.
    assert_eq!(a.get_contact(b_contact.id).await.unwrap(), None);
    assert_eq!(a.get_company(b_company.id).await.unwrap(), None);
    assert_eq!(
        a.count_contacts(&ContactFilter::default()).await.unwrap(),
        1
    );
    assert_eq!(
        a.count_companies(&CompanyFilter::default()).await.unwrap(),
        0
    );
    let by_email = ContactFilter {
        emails: vec!["bea@b.example".into()],
        ..Default::default()
    };
    assert_eq!(a.count_contacts(&by_email).await.unwrap(), 0);
    let listed = a
        .list_contacts(&ContactFilter::default(), &PageRequest::default())
        .await
        .unwrap();
    assert!(listed.items.iter().all(|c| c.id != b_contact.id));

    // Deletes.
    assert!(!a.delete_contact(b_contact.id).await.unwrap());
    assert!(!a.delete_company(b_company.id).await.unwrap());
    assert_eq!(
        b.get_contact(b_contact.id).await.unwrap(),
        Some(b_contact.clone())
    );
    assert_eq!(
        b.get_company(b_company.id).await.unwrap(),
        Some(b_company.clone())
    );

    // Updates: B's id under A is refused, and B's row stays as it was.
    let mut hijack = b_contact.clone();
    hijack.email = Some("evil@a.example".into());
    let err = a.upsert_contact(&hijack).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TenantMismatch, "{err}");
    let mut hijack_company = b_company.clone();
    hijack_company.name = "Evil".into();
    let err = a.upsert_company(&hijack_company).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TenantMismatch, "{err}");
    assert_eq!(
        b.get_contact(b_contact.id).await.unwrap(),
        Some(b_contact.clone())
    );
    assert_eq!(b.get_company(b_company.id).await.unwrap(), Some(b_company));

    // Runs, completions, audit and cache are per tenant too.
    let run = RunRecord::new("enrich", vec!["ares".into()]);
    b.save_run(&run).await.unwrap();
    assert_eq!(a.get_run(run.id).await.unwrap(), None);
    assert!(a.list_runs(10).await.unwrap().is_empty());
    let err = a.save_run(&run).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TenantMismatch, "{err}");
    assert_eq!(b.get_run(run.id).await.unwrap(), Some(run.clone()));

    let now = chrono::Utc::now();
    let done = Completion {
        entity: b_contact.id.into(),
        stage: "email_verify".into(),
        status: CompletionStatus::Completed,
        run_id: Some(run.id),
        cost: Credits::from_millis(10),
        attempts: 1,
        started_at: now,
        finished_at: now,
        error: None,
        output: None,
    };
    b.record_completions(std::slice::from_ref(&done))
        .await
        .unwrap();
    let entities = [b_contact.id.into()];
    assert!(a.get_completions(&entities, &[]).await.unwrap().is_empty());
    assert_eq!(a.delete_completions(&entities, &[]).await.unwrap(), 0);
    assert_eq!(b.get_completions(&entities, &[]).await.unwrap(), vec![done]);

    b.append_audit(&[AuditEntry::new("user:bea", "import")])
        .await
        .unwrap();
    assert!(
        a.list_audit(&AuditFilter::default())
            .await
            .unwrap()
            .is_empty()
    );

    let entry = CacheEntry {
        key: "bea@b.example".into(),
        value: serde_json::json!({"status": "valid"}),
        stored_at: now,
    };
    b.cache_put("email", std::slice::from_ref(&entry))
        .await
        .unwrap();
    let keys = ["bea@b.example".to_string()];
    assert!(a.cache_get("email", &keys).await.unwrap().is_empty());
    assert_eq!(b.cache_get("email", &keys).await.unwrap(), vec![entry]);
}

pub async fn failed_batches_write_nothing(fx: &Fixture) {
    let t = tenant(fx, "acme");
    // Companies and contacts written together: an invalid contact keeps the
    // companies out too.
    let firms: Vec<Company> = (0..20).map(|i| Company::new(format!("Firm {i}"))).collect();
    let mut people: Vec<Contact> = (0..30)
        .map(|i| contact("Ok", &format!("{i}"), &format!("both{i}@acme.cz")))
        .collect();
    people[29].title = Some("x".repeat(9_000));
    let err = t
        .store()
        .upsert_companies_and_contacts(t.tenant(), &firms, &people)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        t.count_companies(&CompanyFilter::default()).await.unwrap(),
        0
    );
    assert_eq!(
        t.count_contacts(&ContactFilter::default()).await.unwrap(),
        0
    );
    people[29].title = None;
    let (firms_written, people_written) = t
        .store()
        .upsert_companies_and_contacts(t.tenant(), &firms, &people)
        .await
        .unwrap();
    assert_eq!((firms_written.inserted, people_written.inserted), (20, 30));
    t.store()
        .upsert_companies_and_contacts(t.tenant(), &[], &[])
        .await
        .unwrap();
    for c in &people {
        assert!(t.delete_contact(c.id).await.unwrap());
    }
    for c in &firms {
        assert!(t.delete_company(c.id).await.unwrap());
    }

    // The last row is invalid: nothing of the batch is written.
    let mut batch: Vec<Contact> = (0..100)
        .map(|i| contact("Ok", &format!("{i}"), &format!("ok{i}@acme.cz")))
        .collect();
    let mut bad = contact("Bad", "Row", "bad@acme.cz");
    bad.title = Some("x".repeat(9_000));
    batch.push(bad);
    let err = t.upsert_contacts(&batch).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("contacts[100].title"), "{err}");
    assert_eq!(
        t.count_contacts(&ContactFilter::default()).await.unwrap(),
        0
    );

    // A clash found only inside the database, after several statements of the
    // same transaction already ran, rolls them all back.
    let other = tenant(fx, "other");
    let theirs = contact("Their", "Row", "their@other.example");
    other.upsert_contact(&theirs).await.unwrap();
    let mut batch: Vec<Contact> = (0..1_500)
        .map(|i| contact("Ok", &format!("{i}"), &format!("ok{i}@acme.cz")))
        .collect();
    batch.push(theirs.clone());
    let err = t.upsert_contacts(&batch).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TenantMismatch, "{err}");
    assert_eq!(
        t.count_contacts(&ContactFilter::default()).await.unwrap(),
        0
    );
    assert_eq!(other.get_contact(theirs.id).await.unwrap(), Some(theirs));

    let mut companies: Vec<Company> = (0..10).map(|i| Company::new(format!("C{i}"))).collect();
    companies.push(Company::new("   "));
    let err = t.upsert_companies(&companies).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("companies[10].name"), "{err}");
    assert_eq!(
        t.count_companies(&CompanyFilter::default()).await.unwrap(),
        0
    );
}

pub async fn bad_input_gets_typed_errors(fx: &Fixture) {
    let t = tenant(fx, "acme");
    let mut long = contact("Long", "Field", "long@acme.cz");
    long.attributes.insert("notes", "y".repeat(70_000));
    let err = t.upsert_contact(&long).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("notes"), "{err}");

    let mut nul = contact("Nul", "Byte", "nul@acme.cz");
    nul.last_name = Some("Nu\0l".into());
    let err = t.upsert_contact(&nul).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("last_name"), "{err}");

    let mut score = contact("Bad", "Score", "score@acme.cz");
    score.quality_score = Some(3.0);
    assert_eq!(
        t.upsert_contact(&score).await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        t.count_contacts(&ContactFilter::default()).await.unwrap(),
        0
    );

    // Ids and tenants arriving as text are checked before they reach a store.
    assert_eq!(
        ContactId::parse("not-a-uuid").unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        TenantId::new("").unwrap_err().kind(),
        ErrorKind::InvalidInput
    );

    // Text the model allows but some databases refuse (a NUL inside JSON output)
    // is a typed error, not a panic, on every backend.
    let now = chrono::Utc::now();
    let odd = Completion {
        entity: ContactId::new().into(),
        stage: "llm".into(),
        status: CompletionStatus::Completed,
        run_id: None,
        cost: Credits::ZERO,
        attempts: 1,
        started_at: now,
        finished_at: now,
        error: None,
        output: Some(serde_json::json!({"text": "a\u{0}b"})),
    };
    if let Err(err) = t.record_completions(std::slice::from_ref(&odd)).await {
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    } else {
        let got = t.get_completions(&[odd.entity], &[]).await.unwrap();
        assert_eq!(got, vec![odd]);
    }
}

pub async fn unreadable_rows_are_storage_errors(fx: &Fixture) {
    let t = tenant(fx, "acme");
    let victim = contact("Vic", "Tim", "vic@acme.cz");
    t.upsert_contact(&victim).await.unwrap();
    let changed = fx
        .exec_raw(r#"UPDATE contacts SET doc = '{"id": "not-a-uuid"}'"#)
        .await;
    assert_eq!(changed, 1);
    let err = t.get_contact(victim.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    assert!(err.to_string().contains(&victim.id.to_string()), "{err}");
    let err = t
        .list_contacts(&ContactFilter::default(), &PageRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
}

pub async fn closed_store_reports_connection(fx: &Fixture) {
    let t = tenant(fx, "acme");
    t.upsert_contact(&contact("A", "B", "a@b.c")).await.unwrap();
    fx.store.close().await;
    let err = t
        .count_contacts(&ContactFilter::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connection, "{err}");
    assert!(fx.store.backend() == "sqlite" || fx.store.backend() == "postgres");
    let _: &dyn Store = fx.store.as_ref();
}
