//! `leadgen plan` and `leadgen runs list|show` on the built binary.

use serde_json::Value;

mod common;
use common::leadgen;

const CSV: &str = "first_name,last_name,email,company\n\
Ada,Lovelace,ada@analytical.example,Analytical\n\
Alan,Turing,alan@bletchley.example,Bletchley\n\
Grace,Hopper,grace@navy.example,Navy\n";

fn setup() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("l.db");
    let csv = dir.path().join("people.csv");
    std::fs::write(&csv, CSV).unwrap();
    let csv = csv.display().to_string();
    (dir, db, csv)
}

#[test]
fn plan_of_files_counts_the_rows_and_writes_nothing() {
    let (_dir, db, csv) = setup();
    let out = leadgen(&db, &["--json", "plan", &csv]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let plan = out.json();
    let stages = plan["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 2, "{plan}");
    for s in stages {
        assert_eq!(s["entities"], 3, "{s}");
        assert_eq!(s["to_run"], 3, "{s}");
    }
    assert_eq!(plan["contacts"], 3);
    assert_eq!(plan["pairs_to_run"], 6);

    let text = leadgen(&db, &["plan", &csv]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    for s in stages {
        assert!(
            text.stdout.contains(s["stage"].as_str().unwrap()),
            "{}",
            text.stdout
        );
    }
    let mermaid = leadgen(&db, &["plan", "--mermaid", &csv]);
    assert_eq!(mermaid.code, 0, "{}", mermaid.stderr);
    assert!(
        mermaid.stdout.starts_with("flowchart"),
        "{}",
        mermaid.stdout
    );
    assert_ne!(mermaid.stdout, text.stdout);

    // Nothing was stored: no runs, and --all finds no contact.
    let runs = leadgen(&db, &["--json", "runs", "list"]);
    assert_eq!(runs.code, 0, "{}", runs.stderr);
    assert_eq!(runs.json(), Value::Array(vec![]));
    let all = leadgen(&db, &["--json", "plan", "--all"]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    assert_eq!(all.json()["pairs_to_run"], 0);
}

#[test]
fn runs_of_the_main_job_are_listed_and_shown() {
    let (dir, db, csv) = setup();
    let output = dir.path().join("out.csv").display().to_string();
    let run = leadgen(&db, &["run", &csv, "-o", &output]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    // The stored contacts' work is done: planning them again finds nothing to run.
    let all = leadgen(&db, &["--json", "plan", "--all"]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    let plan = all.json();
    assert_eq!(plan["contacts"], 3, "{plan}");
    assert_eq!(plan["pairs_to_run"], 0, "{plan}");

    let list = leadgen(&db, &["--json", "runs", "list"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    let runs = list.json();
    let runs = runs.as_array().unwrap();
    assert!(runs.len() >= 2, "{runs:?}");
    for r in runs {
        assert_eq!(r["status"], "completed", "{r}");
    }
    let text = leadgen(&db, &["runs", "list"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert_eq!(text.stdout.lines().count(), runs.len());

    let id = runs[0]["id"].as_str().unwrap();
    let show = leadgen(&db, &["--json", "runs", "show", id]);
    assert_eq!(show.code, 0, "{}", show.stderr);
    let report = show.json();
    assert_eq!(report["run"]["id"], id);
    let stages = report["stages"].as_object().unwrap();
    assert_eq!(stages.len(), 1, "{report}");
    let (_, stats) = stages.iter().next().unwrap();
    assert_eq!(stats["attempts"], 3, "{report}");
    let show_text = leadgen(&db, &["runs", "show", id]);
    assert_eq!(show_text.code, 0);
    assert!(
        show_text.stdout.contains("completed"),
        "{}",
        show_text.stdout
    );
    assert!(show_text.stdout.contains(id));
}

#[test]
fn bad_runs_arguments_are_clear_errors() {
    let (_dir, db, _csv) = setup();
    let unknown = leadgen(
        &db,
        &["runs", "show", "01a205ea-9550-7025-a339-879766d50cf0"],
    );
    assert_eq!(unknown.code, 6, "{}", unknown.stderr);
    assert!(unknown.stderr.contains("run"), "{}", unknown.stderr);
    let bad = leadgen(&db, &["runs", "show", "not-an-id"]);
    assert_eq!(bad.code, 3, "{}", bad.stderr);
    let nothing = leadgen(&db, &["plan"]);
    assert_eq!(nothing.code, 2, "{}", nothing.stderr);
    let missing = leadgen(&db, &["plan", "/nonexistent/file.csv"]);
    assert_eq!(missing.code, 3, "{}", missing.stderr);
    // SQLite has no work queue: `work` says to use PostgreSQL.
    let (dir, db2, csv) = setup();
    let output = dir.path().join("o.csv").display().to_string();
    assert_eq!(leadgen(&db2, &["run", &csv, "-o", &output]).code, 0);
    let list = leadgen(&db2, &["--json", "runs", "list"]).json();
    let id = list[0]["id"].as_str().unwrap().to_string();
    let work = leadgen(&db2, &["work", "--run", &id]);
    assert_ne!(work.code, 0);
    assert!(work.stderr.contains("PostgreSQL"), "{}", work.stderr);
    let unknown = leadgen(&db2, &["work", "--run", "not-an-id"]);
    assert_eq!(unknown.code, 3, "{}", unknown.stderr);
}
