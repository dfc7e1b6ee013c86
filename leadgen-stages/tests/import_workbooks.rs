//! XLS and ODS workbooks (fixtures written by `tests/fixtures/make_fixtures.py`): the
//! sheet found by content, the header below a merged title row, Excel dates as ISO
//! dates, phones stored as numbers without `.0` or exponent, a company cell merged over
//! two rows filled into both, an empty column dropped, and the format told by the
//! file's first bytes rather than its name. Plus the bad inputs of a workbook import.
#![cfg(feature = "import")]

use std::path::{Path, PathBuf};

use leadgen_stages::import::spreadsheet::{WorkbookKind, workbook_kind};
use leadgen_stages::import::{
    ImportError, ImportOptions, ParsedFile, ReadLimits, SheetSelector, SourceFormat, parse_file,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn contact_of(parsed: &ParsedFile, line: u64) -> leadgen_core::Contact {
    parsed
        .drafts()
        .into_iter()
        .find(|d| d.line == line)
        .and_then(|d| d.contact)
        .unwrap_or_else(|| panic!("no contact on row {line}"))
}

fn check_team_contacts(parsed: &ParsedFile) {
    assert_eq!(
        parsed.format,
        SourceFormat::Spreadsheet {
            sheet: "Kontakty".into(),
            header_row: 3
        },
        "the notes sheet is skipped, the header found below the title"
    );
    // Column G has neither header nor values: dropped.
    assert_eq!(
        parsed.headers,
        [
            "Jméno",
            "Příjmení",
            "E-mail",
            "Firma",
            "Telefon",
            "Přidáno",
            "IČO"
        ]
    );
    assert_eq!(parsed.records_read, 5);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let lines: Vec<u64> = parsed.drafts().iter().map(|d| d.line).collect();
    assert_eq!(lines, [4, 5, 6, 7, 8]);

    let jan = contact_of(parsed, 4);
    assert_eq!(jan.email.as_deref(), Some("jan.novak@acme.cz"));
    assert_eq!(jan.phone.as_deref(), Some("420602123456"), "no 4.20602E+11");
    assert_eq!(
        jan.attributes.get("Přidáno").map(String::as_str),
        Some("2024-03-15"),
        "a date cell as an ISO date"
    );
    let acme = parsed.draft(0).and_then(|d| d.company).unwrap();
    assert_eq!(acme.name, "Acme s.r.o.");
    assert_eq!(
        acme.registry_ids.get("cz:ico").map(String::as_str),
        Some("04626133"),
        "an IČO stored as a number gets its leading zero back"
    );

    // Rows 6 and 7 share one merged company cell.
    let petr = contact_of(parsed, 6);
    let lucie = contact_of(parsed, 7);
    assert_eq!(petr.company_name.as_deref(), Some("Gamma Tech s.r.o."));
    assert_eq!(
        lucie.company_name.as_deref(),
        Some("Gamma Tech s.r.o."),
        "a merged cell fills every row it covers"
    );
    assert_eq!(lucie.phone.as_deref(), Some("420731222333"));
    assert_eq!(
        lucie.attributes.get("Přidáno").map(String::as_str),
        Some("2024-02-29")
    );
}

#[tokio::test]
async fn xls_workbook_is_imported() {
    let path = fixture("team_contacts.xls");
    assert_eq!(workbook_kind(&path), Some(WorkbookKind::Xls));
    let parsed = parse_file(&path, &ImportOptions::default()).await.unwrap();
    check_team_contacts(&parsed);
}

#[tokio::test]
async fn ods_workbook_is_imported() {
    let path = fixture("team_contacts.ods");
    assert_eq!(workbook_kind(&path), Some(WorkbookKind::Ods));
    let parsed = parse_file(&path, &ImportOptions::default()).await.unwrap();
    check_team_contacts(&parsed);
}

#[tokio::test]
async fn workbooks_are_recognized_by_content_not_name() {
    let dir = tempfile::tempdir().unwrap();
    for (fixture_name, disguise) in [
        ("team_contacts.xls", "contacts.csv"),
        ("team_contacts.ods", "contacts.xlsx"),
        ("team_contacts.xls", "contacts"),
    ] {
        let path = dir.path().join(disguise);
        std::fs::copy(fixture(fixture_name), &path).unwrap();
        let parsed = parse_file(&path, &ImportOptions::default())
            .await
            .unwrap_or_else(|e| panic!("{fixture_name} as {disguise}: {e}"));
        check_team_contacts(&parsed);
    }
    // A text file named like a workbook is not taken for one.
    let fake = dir.path().join("fake.xlsx");
    std::fs::write(&fake, "Name,Email\nJan,jan@acme.cz\n").unwrap();
    assert_eq!(workbook_kind(&fake), None);
    let err = parse_file(&fake, &ImportOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, ImportError::Spreadsheet { .. }), "{err}");
    assert!(err.to_string().contains("not an XLSX, XLS or ODS"), "{err}");
}

#[tokio::test]
async fn a_missing_sheet_names_the_sheets_there_are() {
    for name in ["team_contacts.xls", "team_contacts.ods"] {
        let options = ImportOptions {
            sheet: SheetSelector::Name("Leads".into()),
            ..ImportOptions::default()
        };
        let err = parse_file(&fixture(name), &options).await.unwrap_err();
        match &err {
            ImportError::SheetNotFound {
                sheet, available, ..
            } => {
                assert_eq!(sheet, "\"Leads\"");
                assert_eq!(available, "Poznámky, Kontakty");
            }
            other => panic!("{name}: {other:?}"),
        }
        // By name, case-insensitively, and by index.
        for sheet in [
            SheetSelector::Name("kontakty".into()),
            SheetSelector::Index(1),
        ] {
            let options = ImportOptions {
                sheet,
                ..ImportOptions::default()
            };
            check_team_contacts(&parse_file(&fixture(name), &options).await.unwrap());
        }
    }
}

#[tokio::test]
async fn empty_and_truncated_workbooks_are_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.xls");
    std::fs::write(&empty, b"").unwrap();
    let err = parse_file(&empty, &ImportOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, ImportError::EmptyFile { .. }), "{err:?}");

    let bytes = std::fs::read(fixture("team_contacts.ods")).unwrap();
    let cut = dir.path().join("cut.ods");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let err = parse_file(&cut, &ImportOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, ImportError::Spreadsheet { .. }), "{err:?}");
}

/// A 2 GB line (a sparse file: no disk used) stops the import after the line limit,
/// without reading the file into memory.
#[tokio::test]
async fn a_two_gigabyte_line_is_refused_without_reading_it_all() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.csv");
    std::fs::write(&path, "Name,Email\nJan,jan@acme.cz\nEva,").unwrap();
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(2 * 1024 * 1024 * 1024 + 7).unwrap();
    drop(file);
    let err = parse_file(&path, &ImportOptions::default())
        .await
        .unwrap_err();
    match &err {
        ImportError::LineTooLong { line, limit, .. } => {
            assert_eq!(*line, 3);
            assert_eq!(*limit, ReadLimits::default().max_line_bytes);
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("line 3"), "{err}");
}
