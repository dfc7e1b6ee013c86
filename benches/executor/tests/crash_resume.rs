//! A run killed mid-way (SIGKILL, no chance to clean up) resumes in a new process
//! and finishes: every pair completes, and no pair whose completion was stored
//! before the kill is called again.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use leadgen_core::store::{CompletionStatus, TenantStore};
use leadgen_core::{EntityRef, TenantId};

const WORKER: &str = env!("CARGO_BIN_EXE_leadgen-executor-worker");
const ENTITIES: usize = 60;
const STAGES: usize = 3;

fn ledger(path: &std::path::Path) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            l.split_once(' ')
                .map(|(s, e)| (s.to_string(), e.to_string()))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_run_resumes_and_pays_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let url = db.display().to_string();
    let ledger_path = dir.path().join("ledger.txt");
    let status = Command::new(WORKER)
        .args(["seed", "--store", &url, "--entities", &ENTITIES.to_string()])
        .status()
        .unwrap();
    assert!(status.success());

    let mut child = Command::new(WORKER)
        .args(["run", "--store", &url, "--ledger"])
        .arg(&ledger_path)
        .args(["--sleep-ms", "25"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let run_id = first.trim().strip_prefix("run ").unwrap().to_string();
    // Kill it once a good part of the work is done, but not all.
    let start = Instant::now();
    while ledger(&ledger_path).len() < ENTITIES * STAGES / 3 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the worker made no progress"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let calls_before = ledger(&ledger_path).len();
    assert!(
        calls_before < ENTITIES * STAGES,
        "killed too late to test anything"
    );

    // What was stored before the kill.
    let store = TenantStore::new(
        leadgen_store::open(&url).await.unwrap(),
        TenantId::new("worker").unwrap(),
    );
    let companies = store.all_companies(&Default::default()).await.unwrap();
    let refs: Vec<EntityRef> = companies.iter().map(|c| c.id.into()).collect();
    let stored_before: HashSet<(String, String)> = store
        .get_completions(&refs, &[])
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.status == CompletionStatus::Completed)
        .map(|c| (c.stage, c.entity.id.to_string()))
        .collect();
    assert!(!stored_before.is_empty());
    drop(store);

    let out = Command::new(WORKER)
        .args(["resume", "--store", &url, "--run", &run_id, "--ledger"])
        .arg(&ledger_path)
        .args(["--sleep-ms", "1"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let store = TenantStore::new(
        leadgen_store::open(&url).await.unwrap(),
        TenantId::new("worker").unwrap(),
    );
    let all = store.get_completions(&refs, &[]).await.unwrap();
    assert_eq!(all.len(), ENTITIES * STAGES);
    assert!(all.iter().all(|c| c.status == CompletionStatus::Completed));
    let mut calls: HashMap<(String, String), usize> = HashMap::new();
    for call in ledger(&ledger_path) {
        *calls.entry(call).or_default() += 1;
    }
    for pair in &stored_before {
        assert_eq!(
            calls[pair], 1,
            "{pair:?} was completed before the kill and called again"
        );
    }
    // Only pairs in flight at the kill (at most the concurrency of each stage) ran twice.
    let twice = calls.values().filter(|n| **n > 1).count();
    assert!(twice <= 4 * STAGES, "{twice} pairs ran twice");
    assert_eq!(calls.len(), ENTITIES * STAGES);
    let run = store
        .get_run(leadgen_core::RunId::parse(&run_id).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(run.status, leadgen_core::store::RunStatus::Completed);
}
