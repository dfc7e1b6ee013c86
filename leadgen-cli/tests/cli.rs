//! The built `leadgen` binary on the shared sample files and on bad input.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod common;
use common::leadgen;

fn shared() -> PathBuf {
    std::env::var_os("LEADGEN_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")))
}

fn data(file: &str) -> PathBuf {
    shared().join("data").join(file)
}

fn expected(file: &str) -> Value {
    let text = std::fs::read_to_string(shared().join("data/expected_outcomes.json")).unwrap();
    let all: Vec<Value> = serde_json::from_str(&text).unwrap();
    all.into_iter().find(|e| e["file"] == file).unwrap()
}

fn import_json(db: &Path, file: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["import", "--json", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = leadgen(db, &args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let reports = out.json();
    assert_eq!(reports.as_array().unwrap().len(), 1);
    reports[0].clone()
}

fn runs_recorded(db: &Path) -> usize {
    let out = leadgen(db, &["contacts", "list", "--json"]);
    if out.code != 0 {
        return 0;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = leadgen::store::open(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        let tenant = leadgen::core::TenantStore::new(
            store,
            leadgen::core::TenantId::new("default").unwrap(),
        );
        tenant.list_runs(100).await.unwrap().len()
    })
}

#[test]
fn every_sample_csv_imports_with_the_expected_counts_and_lines() {
    let dir = tempfile::tempdir().unwrap();
    for file in [
        "linkedin_connections.csv",
        "salesnav_leads_phantombuster.csv",
        "apollo_people_export.csv",
        "hubspot_contacts_export.csv",
        "google_contacts.csv",
        "team_contacts.csv",
        "team_contacts_semicolon.csv",
        "team_contacts_bom_crlf.csv",
        "team_contacts_cp1250.csv",
        "companies.csv",
    ] {
        let db = dir.path().join(format!("{file}.db"));
        let exp = expected(file);
        let r = import_json(&db, &data(file), &[]);
        assert_eq!(r["read"], exp["data_records"], "{file}");
        let valid = exp["valid_records"].as_u64().unwrap();
        let written = r["imported"].as_u64().unwrap()
            + r["updated"].as_u64().unwrap()
            + r["duplicates"].as_u64().unwrap();
        assert_eq!(written, valid, "{file}: every valid row is accounted for");
        let lines: Vec<(u64, String)> = r["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["line"].as_u64().unwrap(),
                    e["kind"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let want: Vec<(u64, String)> = exp["malformed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m[0].as_u64().unwrap(), m[1].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(lines, want, "{file}");
        for e in r["errors"].as_array().unwrap() {
            assert!(!e["reason"].as_str().unwrap().is_empty());
        }
        // Re-importing the same file creates nothing new and changes nothing.
        let again = import_json(&db, &data(file), &[]);
        assert_eq!(again["imported"], 0, "{file}: re-import");
        assert_eq!(again["updated"], 0, "{file}: re-import");
        assert_eq!(
            again["duplicates"].as_u64().unwrap(),
            valid,
            "{file}: re-import"
        );
    }
}

#[test]
fn the_workbook_imports_contacts_then_companies() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("wb.db");
    let book = data("team_workbook.xlsx");
    let contacts = import_json(&db, &book, &[]);
    assert_eq!(contacts["read"], 296);
    assert_eq!(contacts["format"]["sheet"], "Kontakty");
    assert!(contacts["errors"].as_array().unwrap().is_empty());
    let firms = import_json(&db, &book, &["--sheet", "Firmy"]);
    assert_eq!(firms["read"], 255);
    let total: u64 = ["imported", "updated", "duplicates"]
        .iter()
        .map(|k| firms[k].as_u64().unwrap())
        .sum();
    assert_eq!(total, 255);
    let listed = leadgen(&db, &["companies", "list", "--json", "--limit", "1"]).json();
    assert!(listed["total"].as_u64().unwrap() > 100);
}

#[test]
fn a_preset_can_be_forced_and_a_wrong_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let r = import_json(
        &db,
        &data("apollo_people_export.csv"),
        &["--preset", "apollo"],
    );
    assert_eq!(r["preset"], "apollo");
    let wrong = leadgen(
        &db,
        &[
            "import",
            data("team_contacts.csv").to_str().unwrap(),
            "--preset",
            "hubspot",
        ],
    );
    assert_eq!(wrong.code, 3, "{}", wrong.stderr);
    assert!(
        wrong.stderr.contains("do not match preset hubspot"),
        "{}",
        wrong.stderr
    );
    let unknown = leadgen(
        &db,
        &[
            "import",
            data("team_contacts.csv").to_str().unwrap(),
            "--preset",
            "salesforce",
        ],
    );
    assert_eq!(unknown.code, 3);
    assert!(
        unknown.stderr.contains("unknown preset"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn a_mapping_file_overrides_columns() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let csv = dir.path().join("odd.csv");
    std::fs::write(&csv, "Kdo,Kam psát,Poznámka\nJan Novák,jan@acme.cz,x\nEva Malá,eva@acme.cz,y\nPetr Dlouhý,petr@acme.cz,z\n").unwrap();
    let mapping = dir.path().join("map.toml");
    std::fs::write(
        &mapping,
        "[columns]\n\"Kdo\" = \"full_name\"\n\"Poznámka\" = \"ignore\"\n",
    )
    .unwrap();
    let r = import_json(&db, &csv, &["--mapping", mapping.to_str().unwrap()]);
    assert_eq!(r["imported"], 3);
    let mapped: Vec<(String, Value)> = r["mapping"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["header"].as_str().unwrap().to_string(),
                c["field"].clone(),
            )
        })
        .collect();
    assert!(
        mapped.contains(&("Kdo".into(), Value::from("full_name"))),
        "{mapped:?}"
    );
    // The email column was found by its content.
    assert!(
        mapped.contains(&("Kam psát".into(), Value::from("email"))),
        "{mapped:?}"
    );
    let listed = leadgen(&db, &["contacts", "list", "--json"]).json();
    let first = &listed["items"][0];
    assert_eq!(first["first_name"], "Jan");
    assert!(
        first["attributes"].as_object().unwrap().is_empty(),
        "ignored column kept: {first}"
    );
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"columns": {"Kdo": "nmae"}}"#).unwrap();
    let out = leadgen(
        &db,
        &[
            "import",
            csv.to_str().unwrap(),
            "--mapping",
            bad.to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 3);
    assert!(out.stderr.contains("unknown target"), "{}", out.stderr);
}

#[test]
fn bad_input_gives_one_clear_message_and_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.csv");
    let bytes: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    std::fs::write(&garbage, bytes).unwrap();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, b"").unwrap();
    let header_only = dir.path().join("header.csv");
    std::fs::write(&header_only, "First Name,Last Name,Email\n").unwrap();
    let long_line = dir.path().join("long.csv");
    let mut body = b"First Name,Email\nJan,jan@acme.cz\n".to_vec();
    body.extend(std::iter::repeat_n(b'x', 200_000));
    body.extend_from_slice(b"\nEva,eva@acme.cz\n");
    std::fs::write(&long_line, body).unwrap();
    let missing = dir.path().join("does-not-exist.csv");
    let book = data("team_workbook.xlsx");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec![garbage.display().to_string()], "not a text file"),
        (vec![empty.display().to_string()], "empty"),
        (vec![header_only.display().to_string()], "only a header"),
        (
            vec![
                long_line.display().to_string(),
                "--max-line-bytes".into(),
                "100000".into(),
            ],
            "line 3 is longer than the limit",
        ),
        (vec![missing.display().to_string()], "cannot read"),
        (vec![dir.path().display().to_string()], "cannot read"),
        (
            vec![book.display().to_string(), "--sheet".into(), "Leads".into()],
            "no sheet \"Leads\"",
        ),
        (
            vec![book.display().to_string(), "--sheet".into(), "7".into()],
            "no sheet #7",
        ),
    ];
    for (i, (args, message)) in cases.iter().enumerate() {
        let db = dir.path().join(format!("bad{i}.db"));
        let mut full = vec!["import"];
        full.extend(args.iter().map(String::as_str));
        let out = leadgen(&db, &full);
        assert_eq!(out.code, 3, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(message), "{args:?}: {}", out.stderr);
        assert_eq!(
            out.stderr.trim().lines().count(),
            1,
            "{args:?}: one message: {}",
            out.stderr
        );
        assert!(!out.stderr.contains("panicked"));
        assert_eq!(runs_recorded(&db), 0, "{args:?}: no import run recorded");
        // With --json the failure is in the report too.
        let mut json_args = full.clone();
        json_args.push("--json");
        let out = leadgen(&db, &json_args);
        assert_eq!(out.code, 3);
        assert_eq!(out.json()[0]["exit_code"], 3);
    }
}

#[test]
fn the_main_job_imports_and_exports_the_cleaned_list() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("run.db");
    let sample = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/data/contacts.csv"
    ));
    for ext in ["xlsx", "csv", "jsonl"] {
        let out_file = dir.path().join(format!("cleaned.{ext}"));
        let out = leadgen(
            &db,
            &[
                "run",
                sample.to_str().unwrap(),
                "-o",
                out_file.to_str().unwrap(),
                "--json",
            ],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        let summary = out.json();
        let import = &summary["steps"][0];
        assert_eq!(import["step"], "import");
        let steps: Vec<&str> = summary["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["step"].as_str().unwrap())
            .collect();
        assert_eq!(steps, ["import", "normalize", "dedup", "emails"]);
        let report = &import["details"][0];
        assert_eq!(report["read"], 39, "{report}");
        // Jana Horáková and Oliver Grant appear twice (other casing, other URL form).
        let rows = summary["output"]["rows"].as_u64().unwrap();
        assert_eq!(rows, 37, "{summary}");
        assert!(out_file.metadata().unwrap().len() > 0);
    }
    // The cleaning steps ran after the import, in order, over every listed contact.
    let jsonl = std::fs::read_to_string(dir.path().join("cleaned.jsonl")).unwrap();
    let contacts: Vec<Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(contacts.len(), 37);
    let statuses: Vec<&str> = contacts
        .iter()
        .filter(|c| c["email"].is_string())
        .filter_map(|c| c["email_status"].as_str())
        .collect();
    assert!(
        statuses.iter().all(|s| *s != "unverified"),
        "every email was checked: {statuses:?}"
    );
    assert!(
        statuses.contains(&"risky"),
        "the sample's disposable and role addresses are flagged"
    );
    assert!(
        contacts.iter().any(|c| c["seniority"].is_string()),
        "titles were normalized"
    );
    // The exported list imports back into the same records.
    let fresh = dir.path().join("fresh.db");
    let back = import_json(&fresh, &dir.path().join("cleaned.csv"), &[]);
    assert_eq!(back["preset"], "leadgen");
    assert_eq!(back["imported"], 37);
    assert!(back["errors"].as_array().unwrap().is_empty());
}

#[test]
fn export_filters_and_columns() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db");
    import_json(&db, &data("hubspot_contacts_export.csv"), &[]);
    let out_file = dir.path().join("fr.csv");
    let out = leadgen(
        &db,
        &[
            "export",
            "-o",
            out_file.to_str().unwrap(),
            "--country",
            "FR",
            "--columns",
            "first_name,last_name,email,country",
            "--json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let summary = out.json();
    let text = std::fs::read_to_string(&out_file).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("first_name,last_name,email,country"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len() as u64, summary["rows"].as_u64().unwrap());
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.ends_with(",FR")), "{rows:?}");
    let bad = leadgen(
        &db,
        &["export", "-o", dir.path().join("x.pdf").to_str().unwrap()],
    );
    assert_eq!(bad.code, 3, "{}", bad.stderr);
    let bad_col = leadgen(
        &db,
        &[
            "export",
            "-o",
            out_file.to_str().unwrap(),
            "--columns",
            "emial",
        ],
    );
    assert_eq!(bad_col.code, 3);
    assert!(
        bad_col.stderr.contains("unknown column"),
        "{}",
        bad_col.stderr
    );
}

#[test]
fn contacts_show_and_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    import_json(&db, &data("linkedin_connections.csv"), &[]);
    let listed = leadgen(&db, &["contacts", "list", "--json", "--limit", "3"]).json();
    assert_eq!(listed["total"], 885);
    let id = listed["items"][0]["id"].as_str().unwrap().to_string();
    let shown = leadgen(&db, &["contacts", "show", &id]).json();
    assert_eq!(shown["id"], id.as_str());
    assert_eq!(shown["source"], "import:linkedin_connections");
    let missing = leadgen(
        &db,
        &["contacts", "show", "0190b3c2-0000-7000-8000-000000000000"],
    );
    assert_eq!(missing.code, 6);
    let help = Command::new(env!("CARGO_BIN_EXE_leadgen"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("Exit codes"));
}

#[test]
fn dedup_on_plain_files_writes_one_line_per_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("unused.db");
    let clusters = dir.path().join("clusters.csv");
    let report = dir.path().join("dedup.html");
    let (team, apollo) = (data("team_contacts.csv"), data("apollo_people_export.csv"));
    let out = leadgen(
        &db,
        &[
            "dedup",
            "--input",
            team.to_str().unwrap(),
            apollo.to_str().unwrap(),
            "--clusters",
            clusters.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let summary = out.json();
    let text = std::fs::read_to_string(&clusters).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "source_file,source_line,cluster_id,score");
    // Every good row of both files: 313 + 636.
    assert_eq!(lines.len() - 1, 313 + 636);
    assert_eq!(summary["records"], 313 + 636);
    let mut sizes = std::collections::HashMap::new();
    for line in &lines[1..] {
        let cluster = line.rsplit(',').nth(1).unwrap();
        *sizes.entry(cluster.to_string()).or_insert(0) += 1;
    }
    let duplicate_clusters = sizes.values().filter(|&&n| n > 1).count();
    assert!(duplicate_clusters > 0, "the sample files share people");
    assert_eq!(summary["duplicate_clusters"], duplicate_clusters);
    assert!(!db.exists(), "file mode needs no database");
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(
        html.contains("<html") || html.contains("<!DOCTYPE"),
        "an HTML report"
    );
}

/// A command closes the store before it exits: the write-ahead log is copied into
/// the database file and removed, so the file alone holds every row (a bulk
/// import leaves that copy to the background, and closing waits for it).
#[test]
fn the_database_file_is_whole_when_a_command_exits() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("whole.db");
    let report = import_json(&db, &data("linkedin_connections.csv"), &[]);
    assert!(report["imported"].as_u64().unwrap() > 0, "{report}");
    let wal = dir.path().join("whole.db-wal");
    assert!(
        !wal.exists(),
        "the log is left: {} bytes",
        wal.metadata().unwrap().len()
    );
}
