//! Import into a real (SQLite, in-memory) store: idempotent re-import, company links,
//! preview, the LLM mapper with a fake provider, and export → import round trips.
#![cfg(all(feature = "import", feature = "export"))]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use leadgen_core::providers::{ChatRequest, ChatResponse, LlmProvider, TokenUsage};
use leadgen_core::store::{CompanyFilter, ContactFilter, RunStatus};
use leadgen_core::{Contact, TenantId, TenantStore};
use leadgen_stages::export::{ExportFormat, ExportOptions, export_companies, export_contacts};
use leadgen_stages::import::{
    Field, ImportOptions, MatchMethod, RowStatus, SheetSelector, import_file, parse_file,
    preview_file,
};

fn shared() -> PathBuf {
    std::env::var_os("LEADGEN_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")))
}

async fn store() -> TenantStore {
    let s = leadgen_store::open("sqlite::memory:").await.unwrap();
    TenantStore::new(s, TenantId::new("t").unwrap())
}

#[tokio::test]
async fn import_is_idempotent_links_companies_and_records_a_run() {
    let st = store().await;
    let path = shared().join("data/team_contacts.csv");
    let first = import_file(&st, &path, &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(first.read, 316);
    assert_eq!(first.errors.len(), 3);
    assert_eq!(first.imported + first.updated + first.duplicates, 313);
    let stored = st.count_contacts(&ContactFilter::default()).await.unwrap();
    assert_eq!(stored as usize, first.imported);
    // Contacts are linked to the companies they name.
    let contacts = st.all_contacts(&ContactFilter::default()).await.unwrap();
    let named = contacts.iter().filter(|c| c.company_name.is_some()).count();
    let linked = contacts.iter().filter(|c| c.company_id.is_some()).count();
    assert_eq!(named, linked);
    assert!(first.companies_created > 10);
    let companies = st.count_companies(&CompanyFilter::default()).await.unwrap();
    assert_eq!(companies as usize, first.companies_created);

    let run = st.get_run(first.run_id.unwrap()).await.unwrap().unwrap();
    assert_eq!(run.kind, "import");
    assert_eq!(run.status, RunStatus::Completed);
    assert_eq!(run.summary["counts"]["read"], 316);
    assert_eq!(run.summary["counts"]["errors"], 3);
    assert!(run.summary["mapping"].as_array().unwrap().len() >= 9);

    let again = import_file(&st, &path, &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!((again.imported, again.updated), (0, 0));
    assert_eq!(again.duplicates, 313);
    assert_eq!(
        st.count_contacts(&ContactFilter::default()).await.unwrap(),
        stored
    );
    assert_eq!(
        st.count_companies(&CompanyFilter::default()).await.unwrap(),
        companies
    );
    assert_eq!(st.list_runs(10).await.unwrap().len(), 2);
}

/// Two stored contacts can share a LinkedIn URL with different emails: the second
/// was matched by email and then given the URL. Re-importing the file must find
/// both, not create the one whose URL another record also has.
#[tokio::test]
async fn reimport_finds_contacts_that_share_a_linkedin_url() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("people.csv");
    std::fs::write(
        &path,
        "First Name,Last Name,Email,LinkedIn URL\n\
         Eva,Dvorak,eva@beta.cz,\n\
         Jan,Novak,jan@alfa.cz,https://www.linkedin.com/in/shared-profile\n\
         Eva,Dvorak,eva@beta.cz,https://www.linkedin.com/in/shared-profile\n\
         Jan,Novak,jan@alfa.cz,\n",
    )
    .unwrap();
    let st = store().await;
    let first = import_file(&st, &path, &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!((first.imported, first.duplicates), (2, 2));
    let stored = st.all_contacts(&ContactFilter::default()).await.unwrap();
    assert!(
        stored.iter().all(|c| c.linkedin_url.is_some()),
        "{stored:?}"
    );

    let again = import_file(&st, &path, &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!((again.imported, again.updated, again.duplicates), (0, 0, 4));
    assert_eq!(
        st.count_contacts(&ContactFilter::default()).await.unwrap(),
        2
    );
}

/// A row without a usable email that shares its LinkedIn URL with two stored
/// contacts matches the older one on a re-import, as it did in the first import:
/// re-importing an unchanged file updates nothing. Before, the URL was not looked
/// up (a contact found by email carried it), and the row went to the newer contact.
#[tokio::test]
async fn reimport_routes_a_shared_url_to_the_oldest_contact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("people.csv");
    std::fs::write(
        &path,
        "First Name,Last Name,Email,LinkedIn URL\n\
         Douglas,Kennedy,douglas(at)patel.co.uk,https://www.linkedin.com/in/douglas-k\n\
         Doug,Kennedy,douglas@patel.co.uk,\n\
         Douglas,Kennedy,douglas@patel.co.uk,https://www.linkedin.com/in/douglas-k\n",
    )
    .unwrap();
    let st = store().await;
    let first = import_file(&st, &path, &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!((first.imported, first.duplicates), (2, 1));
    let before = st.all_contacts(&ContactFilter::default()).await.unwrap();
    assert!(
        before.iter().all(|c| c.linkedin_url.is_some()),
        "{before:?}"
    );

    let again = import_file(&st, &path, &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!((again.imported, again.updated, again.duplicates), (0, 0, 3));
    let after = st.all_contacts(&ContactFilter::default()).await.unwrap();
    assert_eq!(after, before);
}

#[tokio::test]
async fn the_same_people_across_exports_match_by_exact_keys() {
    let st = store().await;
    let hub = import_file(
        &st,
        &shared().join("data/hubspot_contacts_export.csv"),
        &ImportOptions::default(),
    )
    .await
    .unwrap();
    // HubSpot repeats people as separate records with the same email: merged.
    assert!(hub.duplicates + hub.updated > 0 || hub.imported == 553);
    let apollo = import_file(
        &st,
        &shared().join("data/apollo_people_export.csv"),
        &ImportOptions::default(),
    )
    .await
    .unwrap();
    assert!(
        apollo.updated + apollo.duplicates > 0,
        "Apollo shares people with HubSpot by email"
    );
    let total = st.count_contacts(&ContactFilter::default()).await.unwrap() as usize;
    assert_eq!(total, hub.imported + apollo.imported);
}

#[tokio::test]
async fn preview_writes_nothing() {
    let st = store().await;
    let path = shared().join("data/linkedin_connections.csv");
    let preview = preview_file(&st, &path, &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(preview.imported, 885);
    assert!(preview.run_id.is_none());
    assert_eq!(
        st.count_contacts(&ContactFilter::default()).await.unwrap(),
        0
    );
    assert!(st.list_runs(10).await.unwrap().is_empty());
    import_file(&st, &path, &ImportOptions::default())
        .await
        .unwrap();
    let preview = preview_file(&st, &path, &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(preview.duplicates, 885);
    assert!(
        preview
            .outcomes
            .iter()
            .all(|o| o.status == RowStatus::Duplicate)
    );
}

/// Answers with a fixed mapping and records the prompt.
#[derive(Debug)]
struct FakeLlm {
    answer: String,
    prompts: std::sync::Mutex<Vec<String>>,
}

#[async_trait]
impl LlmProvider for FakeLlm {
    fn id(&self) -> &str {
        "fake"
    }
    async fn complete(&self, r: &ChatRequest) -> leadgen_core::Result<ChatResponse> {
        self.prompts
            .lock()
            .unwrap()
            .push(r.messages.last().unwrap().content.clone());
        Ok(ChatResponse {
            content: self.answer.clone(),
            model: "fake".into(),
            usage: TokenUsage::default(),
        })
    }
}

#[tokio::test]
async fn an_llm_maps_headers_nothing_else_resolves() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odd.csv");
    std::fs::write(
        &path,
        "Osoba,Pracuje v,Qwzx\nJan Novák,Acme s.r.o.,ABC\nEva Malá,Beta a.s.,DEF\nPetr Dlouhý,Gama,GHI\n",
    )
    .unwrap();
    let llm = Arc::new(FakeLlm {
        answer: r#"{"Osoba": "full_name", "Pracuje v": "company_name", "Qwzx": null}"#.into(),
        prompts: Default::default(),
    });
    let opts = ImportOptions {
        llm: Some(llm.clone()),
        ..ImportOptions::default()
    };
    let parsed = parse_file(&path, &opts).await.unwrap();
    let by_header: BTreeMap<&str, (Option<Field>, MatchMethod)> = parsed
        .mapping
        .columns
        .iter()
        .map(|c| (c.header.as_str(), (c.field, c.method)))
        .collect();
    assert_eq!(
        by_header["Osoba"],
        (Some(Field::FullName), MatchMethod::Llm)
    );
    assert_eq!(
        by_header["Pracuje v"],
        (Some(Field::CompanyName), MatchMethod::Llm)
    );
    assert_eq!(by_header["Qwzx"], (None, MatchMethod::Unmapped));
    let prompt = llm.prompts.lock().unwrap()[0].clone();
    assert!(
        prompt.contains("Osoba") && prompt.contains("Jan Novák"),
        "{prompt}"
    );
    let jan = parsed.draft(0).and_then(|d| d.contact).unwrap();
    assert_eq!(jan.first_name.as_deref(), Some("Jan"));
    assert_eq!(jan.company_name.as_deref(), Some("Acme s.r.o."));
    assert_eq!(jan.attributes["Qwzx"], "ABC");
    // A garbled answer is a clear mapping error, not a panic.
    let bad = ImportOptions {
        llm: Some(Arc::new(FakeLlm {
            answer: "Sure! Osoba is a name.".into(),
            prompts: Default::default(),
        })),
        ..ImportOptions::default()
    };
    let err = parse_file(&path, &bad).await.unwrap_err();
    assert!(err.to_string().contains("llm:fake"), "{err}");
}

/// The fields a round trip must keep.
fn essence(c: &Contact) -> String {
    format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        c.first_name,
        c.last_name,
        c.full_name,
        c.email,
        c.email_status,
        c.title,
        c.linkedin_url,
        c.phone,
        c.location,
        c.country,
        c.company_name,
        c.source,
        c.attributes
    )
}

#[tokio::test]
async fn export_then_import_yields_the_same_records() {
    let dir = tempfile::tempdir().unwrap();
    let original = store().await;
    for file in ["team_contacts.csv", "google_contacts.csv"] {
        import_file(
            &original,
            &shared().join("data").join(file),
            &ImportOptions::default(),
        )
        .await
        .unwrap();
    }
    let mut want: Vec<String> = original
        .all_contacts(&ContactFilter::default())
        .await
        .unwrap()
        .iter()
        .map(essence)
        .collect();
    want.sort();
    let companies_before = original
        .count_companies(&CompanyFilter::default())
        .await
        .unwrap();
    for format in [ExportFormat::Csv, ExportFormat::Xlsx, ExportFormat::Jsonl] {
        let out = dir.path().join(format!("contacts.{}", format.as_str()));
        let summary = export_contacts(&original, &out, &ExportOptions::new(format))
            .await
            .unwrap();
        assert_eq!(summary.rows, want.len());
        let copy = store().await;
        let report = import_file(&copy, &out, &ImportOptions::default())
            .await
            .unwrap();
        assert!(report.errors.is_empty(), "{format:?}: {:?}", report.errors);
        assert_eq!(report.imported, want.len(), "{format:?}");
        let mut got: Vec<String> = copy
            .all_contacts(&ContactFilter::default())
            .await
            .unwrap()
            .iter()
            .map(essence)
            .collect();
        got.sort();
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g, w, "{format:?}");
        }
        // Companies come back from the contacts' company columns.
        let companies = copy
            .count_companies(&CompanyFilter::default())
            .await
            .unwrap();
        assert_eq!(companies, companies_before, "{format:?}");
    }
}

#[tokio::test]
async fn companies_round_trip_with_registry_ids() {
    let dir = tempfile::tempdir().unwrap();
    let original = store().await;
    let opts = ImportOptions {
        sheet: SheetSelector::Name("Firmy".into()),
        ..ImportOptions::default()
    };
    import_file(&original, &shared().join("data/team_workbook.xlsx"), &opts)
        .await
        .unwrap();
    let mut want: Vec<_> = original
        .all_companies(&CompanyFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.name, c.domain, c.country, c.registry_ids, c.attributes))
        .collect();
    want.sort();
    let out = dir.path().join("firms.xlsx");
    export_companies(&original, &out, &ExportOptions::new(ExportFormat::Xlsx))
        .await
        .unwrap();
    let copy = store().await;
    import_file(&copy, &out, &ImportOptions::default())
        .await
        .unwrap();
    let mut got: Vec<_> = copy
        .all_companies(&CompanyFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.name, c.domain, c.country, c.registry_ids, c.attributes))
        .collect();
    got.sort();
    assert_eq!(got, want);
}
