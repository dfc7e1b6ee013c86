//! Conformance: companies and contacts — CRUD, filters, paging, counts, tombstones.

use chrono::{Duration, Utc};
use leadgen_core::store::{CompanyFilter, ContactFilter, PageRequest, UpsertReport};
use leadgen_core::{
    Company, Contact, Department, EmailStatus, ErrorKind, Provenance, Seniority, TenantId,
    TenantStore,
};

use crate::fixtures::Fixture;

pub fn tenant(fx: &Fixture, name: &str) -> TenantStore {
    TenantStore::new(fx.store.clone(), TenantId::new(name).unwrap())
}

pub fn contact(first: &str, last: &str, email: &str) -> Contact {
    let mut c = Contact::new();
    c.first_name = Some(first.into());
    c.last_name = Some(last.into());
    c.email = Some(email.into());
    c
}

fn report(inserted: u64, updated: u64) -> UpsertReport {
    UpsertReport { inserted, updated }
}

pub async fn contact_crud(fx: &Fixture) {
    let t = tenant(fx, "acme");
    let mut jana = contact("Jana", "Nováková", "jana@acme.cz");
    jana.title = Some("VP Sales".into());
    jana.seniority = Some(Seniority::Vp);
    jana.department = Some(Department::Sales);
    jana.quality_score = Some(0.7);
    jana.attributes.insert("Lead source", "Webinar".into());
    jana.set_provenance("email", Provenance::new("import:apollo", Utc::now(), 0.9));

    assert_eq!(t.upsert_contact(&jana).await.unwrap(), report(1, 0));
    assert_eq!(t.get_contact(jana.id).await.unwrap(), Some(jana.clone()));

    jana.email_status = EmailStatus::Valid;
    jana.title = Some("Chief Revenue Officer".into());
    jana.updated_at = Utc::now();
    assert_eq!(t.upsert_contact(&jana).await.unwrap(), report(0, 1));
    assert_eq!(t.get_contact(jana.id).await.unwrap(), Some(jana.clone()));
    assert_eq!(
        t.count_contacts(&ContactFilter::default()).await.unwrap(),
        1
    );

    assert!(t.delete_contact(jana.id).await.unwrap());
    assert_eq!(t.get_contact(jana.id).await.unwrap(), None);
    assert!(!t.delete_contact(jana.id).await.unwrap());
    assert_eq!(
        t.count_contacts(&ContactFilter::default()).await.unwrap(),
        0
    );
}

pub async fn company_crud(fx: &Fixture) {
    let t = tenant(fx, "acme");
    let mut acme = Company::new("Acme s.r.o.");
    acme.domain = Some("acme.cz".into());
    acme.country = Some("CZ".into());
    acme.registry_ids.insert("cz:ico".into(), "28745612".into());
    acme.last_enriched_at = Some(Utc::now());

    assert_eq!(t.upsert_company(&acme).await.unwrap(), report(1, 0));
    assert_eq!(t.get_company(acme.id).await.unwrap(), Some(acme.clone()));
    acme.industry = Some("Software".into());
    assert_eq!(t.upsert_company(&acme).await.unwrap(), report(0, 1));
    assert_eq!(t.get_company(acme.id).await.unwrap(), Some(acme.clone()));
    assert!(t.delete_company(acme.id).await.unwrap());
    assert_eq!(t.get_company(acme.id).await.unwrap(), None);
    assert!(!t.delete_company(acme.id).await.unwrap());
}

pub async fn deleting_a_company_unlinks_its_contacts(fx: &Fixture) {
    let t = tenant(fx, "acme");
    let acme = Company::new("Acme");
    let other = Company::new("Other");
    t.upsert_companies(&[acme.clone(), other.clone()])
        .await
        .unwrap();
    let mut a = contact("A", "One", "a@acme.cz");
    a.company_id = Some(acme.id);
    let mut b = contact("B", "Two", "b@acme.cz");
    b.company_id = Some(acme.id);
    let mut c = contact("C", "Three", "c@other.cz");
    c.company_id = Some(other.id);
    t.upsert_contacts(&[a.clone(), b.clone(), c.clone()])
        .await
        .unwrap();

    let at_acme = ContactFilter {
        company_id: Some(acme.id),
        ..Default::default()
    };
    assert_eq!(t.count_contacts(&at_acme).await.unwrap(), 2);
    assert!(t.delete_company(acme.id).await.unwrap());
    assert_eq!(t.count_contacts(&at_acme).await.unwrap(), 0);
    for id in [a.id, b.id] {
        let stored = t.get_contact(id).await.unwrap().expect("contact kept");
        assert_eq!(stored.company_id, None, "unlinked in the stored record");
    }
    let stored_c = t.get_contact(c.id).await.unwrap().unwrap();
    assert_eq!(stored_c.company_id, Some(other.id), "other links untouched");
    assert_eq!(
        t.count_contacts(&ContactFilter::default()).await.unwrap(),
        3
    );
}

pub async fn contact_filters_and_counts(fx: &Fixture) {
    let t = tenant(fx, "acme");
    let acme = Company::new("Acme");
    t.upsert_company(&acme).await.unwrap();
    let old = Utc::now() - Duration::days(30);

    let mut jana = contact("Jana", "NOVÁKOVÁ", "Jana@Acme.CZ");
    jana.company_id = Some(acme.id);
    jana.country = Some("cz".into());
    jana.email_status = EmailStatus::Valid;
    jana.linkedin_url = Some("https://www.linkedin.com/in/jana".into());
    jana.company_name = Some("Acme s.r.o.".into());
    let mut olaf = contact("Olaf", "Berg", "olaf@fjord.no");
    olaf.country = Some("NO".into());
    olaf.email_status = EmailStatus::Invalid;
    olaf.updated_at = old;
    let mut emil = contact("Emil", "Virtanen", "emil@acme.fi");
    emil.company_id = Some(acme.id);
    emil.country = Some("FI".into());
    emil.linkedin_url = Some("https://www.linkedin.com/in/emil".into());
    let mut anon = Contact::new();
    anon.phone = Some("+420123456789".into());
    t.upsert_contacts(&[jana.clone(), olaf.clone(), emil.clone(), anon.clone()])
        .await
        .unwrap();

    let cases: Vec<(&str, ContactFilter, Vec<_>)> = vec![
        (
            "all",
            ContactFilter::default(),
            vec![jana.id, olaf.id, emil.id, anon.id],
        ),
        (
            "company",
            ContactFilter {
                company_id: Some(acme.id),
                ..Default::default()
            },
            vec![jana.id, emil.id],
        ),
        (
            "emails, case and spaces ignored",
            ContactFilter {
                emails: vec![
                    " JANA@acme.cz".into(),
                    "olaf@FJORD.no".into(),
                    "nobody@x.y".into(),
                ],
                ..Default::default()
            },
            vec![jana.id, olaf.id],
        ),
        (
            "linkedin",
            ContactFilter {
                linkedin_urls: vec!["https://www.linkedin.com/in/emil".into()],
                ..Default::default()
            },
            vec![emil.id],
        ),
        (
            "keyless: neither email nor LinkedIn URL",
            ContactFilter {
                keyless: true,
                ..Default::default()
            },
            vec![anon.id],
        ),
        (
            "status",
            ContactFilter {
                email_status: Some(EmailStatus::Unverified),
                ..Default::default()
            },
            vec![emil.id, anon.id],
        ),
        (
            "country, any case",
            ContactFilter {
                country: Some("cz".into()),
                ..Default::default()
            },
            vec![jana.id],
        ),
        (
            "search in names, Unicode case",
            ContactFilter {
                search: Some("nováková".into()),
                ..Default::default()
            },
            vec![jana.id],
        ),
        (
            "search in email",
            ContactFilter {
                search: Some("FJORD".into()),
                ..Default::default()
            },
            vec![olaf.id],
        ),
        (
            "search in company name",
            ContactFilter {
                search: Some("s.r.o".into()),
                ..Default::default()
            },
            vec![jana.id],
        ),
        (
            "search for % is literal",
            ContactFilter {
                search: Some("%".into()),
                ..Default::default()
            },
            vec![],
        ),
        (
            "stale",
            ContactFilter {
                updated_before: Some(Utc::now() - Duration::days(1)),
                ..Default::default()
            },
            vec![olaf.id],
        ),
        (
            "fresh",
            ContactFilter {
                updated_since: Some(Utc::now() - Duration::days(1)),
                ..Default::default()
            },
            vec![jana.id, emil.id, anon.id],
        ),
        (
            "combined",
            ContactFilter {
                company_id: Some(acme.id),
                email_status: Some(EmailStatus::Valid),
                country: Some("CZ".into()),
                ..Default::default()
            },
            vec![jana.id],
        ),
    ];
    for (label, filter, mut want) in cases {
        want.sort();
        let got: Vec<_> = t
            .list_contacts(&filter, &PageRequest::default())
            .await
            .unwrap()
            .items
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(got, want, "{label}: listed in id order");
        assert_eq!(
            t.count_contacts(&filter).await.unwrap(),
            want.len() as u64,
            "{label}: count"
        );
    }
}

pub async fn company_filters_and_counts(fx: &Fixture) {
    let t = tenant(fx, "acme");
    let mut acme = Company::new("Acme Software s.r.o.");
    acme.domain = Some("Acme.CZ".into());
    acme.country = Some("CZ".into());
    let mut fjord = Company::new("Fjord Fisk AS");
    fjord.domain = Some("fjord.no".into());
    fjord.country = Some("no".into());
    fjord.updated_at = Utc::now() - Duration::days(90);
    let mut oy = Company::new("Öljy Oy");
    oy.country = Some("FI".into());
    t.upsert_companies(&[acme.clone(), fjord.clone(), oy.clone()])
        .await
        .unwrap();

    let cases: Vec<(&str, CompanyFilter, Vec<_>)> = vec![
        (
            "all",
            CompanyFilter::default(),
            vec![acme.id, fjord.id, oy.id],
        ),
        (
            "domains",
            CompanyFilter {
                domains: vec!["acme.cz".into(), "FJORD.NO".into()],
                ..Default::default()
            },
            vec![acme.id, fjord.id],
        ),
        (
            "country",
            CompanyFilter {
                country: Some("NO".into()),
                ..Default::default()
            },
            vec![fjord.id],
        ),
        (
            "name, Unicode case",
            CompanyFilter {
                name_contains: Some("ÖLJY".into()),
                ..Default::default()
            },
            vec![oy.id],
        ),
        (
            "stale",
            CompanyFilter {
                updated_before: Some(Utc::now() - Duration::days(30)),
                ..Default::default()
            },
            vec![fjord.id],
        ),
        (
            "fresh software",
            CompanyFilter {
                name_contains: Some("software".into()),
                updated_since: Some(Utc::now() - Duration::days(30)),
                ..Default::default()
            },
            vec![acme.id],
        ),
    ];
    for (label, filter, mut want) in cases {
        want.sort();
        let got: Vec<_> = t
            .list_companies(&filter, &PageRequest::default())
            .await
            .unwrap()
            .items
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(got, want, "{label}");
        assert_eq!(t.count_companies(&filter).await.unwrap(), want.len() as u64);
    }
}

pub async fn merged_tombstones_are_hidden(fx: &Fixture) {
    let t = tenant(fx, "acme");
    let keep = contact("Jana", "Nováková", "jana@acme.cz");
    let mut gone = contact("Jana", "Novakova", "jana.novakova@acme.cz");
    gone.merged_into = Some(keep.id);
    t.upsert_contacts(&[keep.clone(), gone.clone()])
        .await
        .unwrap();
    let live = ContactFilter::default();
    let all = ContactFilter {
        include_merged: true,
        ..Default::default()
    };
    assert_eq!(t.count_contacts(&live).await.unwrap(), 1);
    assert_eq!(t.count_contacts(&all).await.unwrap(), 2);
    let listed = t.all_contacts(&live).await.unwrap();
    assert_eq!(listed, vec![keep.clone()]);
    assert_eq!(t.get_contact(gone.id).await.unwrap(), Some(gone.clone()));

    let survivor = Company::new("Acme");
    let mut dup = Company::new("ACME");
    dup.merged_into = Some(survivor.id);
    t.upsert_companies(&[survivor.clone(), dup]).await.unwrap();
    assert_eq!(
        t.count_companies(&CompanyFilter::default()).await.unwrap(),
        1
    );
    let with_merged = CompanyFilter {
        include_merged: true,
        ..Default::default()
    };
    assert_eq!(t.count_companies(&with_merged).await.unwrap(), 2);
}

pub async fn cursor_paging(fx: &Fixture) {
    let t = tenant(fx, "acme");
    let contacts: Vec<Contact> = (0..25)
        .map(|i| contact("P", &format!("{i}"), &format!("p{i}@acme.cz")))
        .collect();
    t.upsert_contacts(&contacts).await.unwrap();
    let mut want: Vec<_> = contacts.iter().map(|c| c.id).collect();
    want.sort();

    let mut page = PageRequest::first(10);
    let mut sizes = Vec::new();
    let mut seen = Vec::new();
    loop {
        let got = t
            .list_contacts(&ContactFilter::default(), &page)
            .await
            .unwrap();
        sizes.push(got.items.len());
        seen.extend(got.items.iter().map(|c| c.id));
        match got.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => break,
        }
    }
    assert_eq!(sizes, [10, 10, 5]);
    assert_eq!(seen, want, "every contact once, in id order");

    // An exact multiple of the page size ends without an empty extra page.
    let twenty_five = t
        .list_contacts(&ContactFilter::default(), &PageRequest::first(25))
        .await
        .unwrap();
    assert_eq!(twenty_five.items.len(), 25);
    assert_eq!(twenty_five.next_cursor, None);

    // Paging and filtering together.
    let filter = ContactFilter {
        search: Some("p1".into()),
        ..Default::default()
    };
    let first = t
        .list_contacts(&filter, &PageRequest::first(4))
        .await
        .unwrap();
    assert_eq!(first.items.len(), 4);
    let rest = t
        .list_contacts(
            &filter,
            &PageRequest {
                limit: 100,
                cursor: first.next_cursor.clone(),
            },
        )
        .await
        .unwrap();
    assert_eq!(first.items.len() + rest.items.len(), 11, "p1, p10..p19");
    assert_eq!(t.count_contacts(&filter).await.unwrap(), 11);

    let bad = PageRequest {
        limit: 10,
        cursor: Some("not-a-cursor".into()),
    };
    let err = t
        .list_contacts(&ContactFilter::default(), &bad)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let err = t
        .list_companies(&CompanyFilter::default(), &bad)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
}

pub async fn large_batches_and_duplicates(fx: &Fixture) {
    let t = tenant(fx, "acme");
    let mut contacts: Vec<Contact> = (0..1_234)
        .map(|i| contact("Bulk", &format!("{i}"), &format!("bulk{i}@acme.cz")))
        .collect();
    assert_eq!(
        t.upsert_contacts(&contacts).await.unwrap(),
        report(1_234, 0)
    );
    for c in &mut contacts {
        c.email_status = EmailStatus::Risky;
    }
    assert_eq!(
        t.upsert_contacts(&contacts).await.unwrap(),
        report(0, 1_234)
    );
    let risky = ContactFilter {
        email_status: Some(EmailStatus::Risky),
        ..Default::default()
    };
    assert_eq!(t.count_contacts(&risky).await.unwrap(), 1_234);
    assert_eq!(t.all_contacts(&risky).await.unwrap().len(), 1_234);

    // The same id twice in one batch: the later version wins.
    let mut first = contact("Dup", "One", "dup@acme.cz");
    let mut second = first.clone();
    second.title = Some("Later".into());
    first.title = Some("Earlier".into());
    let got = t.upsert_contacts(&[first, second.clone()]).await.unwrap();
    assert_eq!(got, report(1, 0));
    assert_eq!(t.get_contact(second.id).await.unwrap(), Some(second));

    assert_eq!(t.upsert_contacts(&[]).await.unwrap(), report(0, 0));
    assert_eq!(t.upsert_companies(&[]).await.unwrap(), report(0, 0));
}
