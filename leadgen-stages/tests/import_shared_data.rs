//! The importer against the shared sample files: row counts and malformed lines must
//! match `expected_outcomes.json`, and every preset must be detected.
#![cfg(feature = "import")]

use std::path::PathBuf;

use leadgen_stages::import::{
    ImportOptions, Preset, RowErrorKind, SheetSelector, SourceFormat, parse_file,
};

fn shared() -> PathBuf {
    std::env::var_os("LEADGEN_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")))
}

fn expected() -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(shared().join("data/expected_outcomes.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn kind_code(k: RowErrorKind) -> &'static str {
    k.as_str()
}

#[tokio::test]
async fn every_csv_matches_expected_outcomes() {
    let mut checked = 0;
    for exp in expected() {
        let file = exp["file"].as_str().unwrap();
        if !file.ends_with(".csv") {
            continue;
        }
        let parsed = parse_file(&shared().join("data").join(file), &ImportOptions::default())
            .await
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let data_records = exp["data_records"].as_u64().unwrap() as usize;
        let valid = exp["valid_records"].as_u64().unwrap() as usize;
        assert_eq!(parsed.records_read, data_records, "{file}: data records");
        let malformed: Vec<(u64, String)> = exp["malformed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m[0].as_u64().unwrap(), m[1].as_str().unwrap().to_string()))
            .collect();
        let got: Vec<(u64, String)> = parsed
            .errors
            .iter()
            .map(|e| (e.line, kind_code(e.kind).to_string()))
            .collect();
        assert_eq!(got, malformed, "{file}: malformed lines");
        assert_eq!(
            parsed.draft_count(),
            valid,
            "{file}: valid rows become drafts"
        );
        match &parsed.format {
            SourceFormat::Csv {
                delimiter,
                header_line,
                bom,
                encoding,
            } => {
                assert_eq!(
                    delimiter.to_string(),
                    exp["delimiter"].as_str().unwrap(),
                    "{file}"
                );
                assert_eq!(*header_line, exp["header_line"].as_u64().unwrap(), "{file}");
                assert_eq!(*bom, exp["bom"].as_bool().unwrap(), "{file}");
                assert!(
                    encoding.eq_ignore_ascii_case(exp["encoding"].as_str().unwrap()),
                    "{file}: {encoding}"
                );
            }
            other => panic!("{file}: {other:?}"),
        }
        assert_eq!(
            parsed.headers.len(),
            exp["columns"].as_u64().unwrap() as usize,
            "{file}"
        );
        checked += 1;
    }
    assert_eq!(checked, 11);
}

#[tokio::test]
async fn presets_are_detected_and_map_the_key_fields() {
    let cases = [
        ("linkedin_connections.csv", Preset::LinkedinConnections),
        ("salesnav_leads_phantombuster.csv", Preset::SalesNavigator),
        ("apollo_people_export.csv", Preset::Apollo),
        ("hubspot_contacts_export.csv", Preset::Hubspot),
        ("google_contacts.csv", Preset::GoogleContacts),
    ];
    for (file, preset) in cases {
        let parsed = parse_file(&shared().join("data").join(file), &ImportOptions::default())
            .await
            .unwrap();
        assert_eq!(parsed.mapping.preset, Some(preset), "{file}");
        assert_eq!(parsed.source, format!("import:{}", preset.id()));
        let contacts: Vec<_> = parsed
            .drafts()
            .into_iter()
            .filter_map(|d| d.contact)
            .collect();
        assert_eq!(
            contacts.len(),
            parsed.draft_count(),
            "{file}: every row is a contact"
        );
        assert!(
            contacts
                .iter()
                .all(|c| c.first_name.is_some() || c.full_name.is_some()),
            "{file}"
        );
        // Unmapped columns survive as attributes.
        assert!(contacts.iter().any(|c| !c.attributes.is_empty()), "{file}");
    }
}

#[tokio::test]
async fn workbook_sheets_headers_dates_and_merged_cells() {
    let path = shared().join("data/team_workbook.xlsx");
    let contacts = parse_file(&path, &ImportOptions::default()).await.unwrap();
    match &contacts.format {
        SourceFormat::Spreadsheet { sheet, header_row } => {
            assert_eq!((sheet.as_str(), *header_row), ("Kontakty", 4));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(contacts.records_read, 296);
    assert_eq!(contacts.draft_count(), 296);
    assert!(contacts.errors.is_empty(), "{:?}", contacts.errors);
    assert_eq!(contacts.drafts().first().unwrap().line, 5);
    assert_eq!(contacts.drafts().last().unwrap().line, 300);
    // Column G has no header and no values: dropped.
    assert!(
        !contacts.headers.iter().any(|h| h == "G"),
        "{:?}",
        contacts.headers
    );
    // D17:D19 is one merged Firma cell: all three contacts get the company.
    let firms: Vec<_> = contacts
        .drafts()
        .iter()
        .filter(|d| (17..=19).contains(&d.line))
        .map(|d| d.contact.as_ref().unwrap().company_name.clone())
        .collect();
    assert_eq!(firms.len(), 3);
    assert!(
        firms.iter().all(|f| f.is_some() && *f == firms[0]),
        "{firms:?}"
    );
    // Phones typed as numbers come without ".0" or exponent.
    for d in &contacts.drafts() {
        let p = d.contact.as_ref().unwrap().phone.as_deref().unwrap_or("");
        assert!(
            !p.ends_with(".0") && !p.contains("E+"),
            "row {}: {p}",
            d.line
        );
    }
    // Dates become ISO dates.
    let dated = contacts
        .drafts()
        .into_iter()
        .find_map(|d| d.contact.unwrap().attributes.get("Datum kontaktu").cloned())
        .expect("a Datum kontaktu value");
    assert!(
        dated.len() == 10 && dated.as_bytes()[4] == b'-' && dated.as_bytes()[7] == b'-',
        "{dated}"
    );

    let opts = ImportOptions {
        sheet: SheetSelector::Name("Firmy".into()),
        ..ImportOptions::default()
    };
    let firms = parse_file(&path, &opts).await.unwrap();
    assert_eq!(firms.records_read, 255);
    assert_eq!(firms.draft_count(), 255);
    assert!(
        firms
            .drafts()
            .iter()
            .all(|d| d.contact.is_none() && d.company.is_some())
    );
    assert_eq!(firms.drafts()[0].line, 4);
    // An IČO typed as a number lost its leading zeros; the importer pads it back.
    assert!(firms.drafts().iter().any(|d| {
        d.company
            .as_ref()
            .unwrap()
            .registry_ids
            .get("cz:ico")
            .is_some_and(|i| i.len() == 8)
    }));
    let by_index = ImportOptions {
        sheet: SheetSelector::Index(1),
        ..ImportOptions::default()
    };
    assert_eq!(
        parse_file(&path, &by_index).await.unwrap().records_read,
        255
    );
}

#[tokio::test]
async fn companies_csv_is_a_company_table() {
    let parsed = parse_file(
        &shared().join("data/companies.csv"),
        &ImportOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(parsed.draft_count(), 400);
    let companies: Vec<_> = parsed
        .drafts()
        .into_iter()
        .filter_map(|d| d.company)
        .collect();
    assert_eq!(companies.len(), 400);
    assert!(parsed.drafts().iter().all(|d| d.contact.is_none()));
    assert!(companies.iter().filter(|c| c.domain.is_some()).count() > 350);
    assert!(
        companies
            .iter()
            .filter(|c| !c.registry_ids.is_empty())
            .count()
            > 100
    );
    assert!(
        companies
            .iter()
            .filter(|c| c.linkedin_url.is_some())
            .count()
            > 100
    );
}
