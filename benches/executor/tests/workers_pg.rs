//! Several worker processes share one run on PostgreSQL through the store's work
//! queue: every pair runs exactly once, and a worker killed (SIGKILL) in the
//! middle of a pair loses its lease, which another worker takes over once it
//! expires.
//!
//! Needs the PostgreSQL test server (`LEADGEN_TEST_DATABASE_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`); fails, never skips, without it.
//! Each test works in a schema of its own, dropped afterwards.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use leadgen_core::store::{CompletionStatus, Store, TenantStore};
use leadgen_core::{EntityRef, RunId, TenantId};
use leadgen_store::{PostgresOptions, PostgresStore};
use sqlx::Connection;

const WORKER: &str = env!("CARGO_BIN_EXE_leadgen-executor-worker");
const STAGES: usize = 3;
const LEASE_MS: u64 = 2000;

fn test_url() -> String {
    std::env::var("LEADGEN_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A schema of its own, dropped on drop (also when the test fails).
struct Schema(String);

impl Schema {
    async fn new(prefix: &str) -> Schema {
        let url = test_url();
        // Fail (never skip) when the server is down.
        let conn = sqlx::PgConnection::connect(&url).await.unwrap_or_else(|e| {
            panic!(
                "PostgreSQL at {} is unreachable: {e}; these tests need it \
                 (set LEADGEN_TEST_DATABASE_URL)",
                leadgen_core::error::redact_url(&url)
            )
        });
        let _ = conn.close().await;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        Schema(format!("{prefix}_{}_{nanos}", std::process::id()))
    }

    async fn store(&self) -> TenantStore {
        let store: Arc<dyn Store> = Arc::new(
            PostgresStore::connect_with(PostgresOptions {
                schema: Some(self.0.clone()),
                ..PostgresOptions::new(test_url())
            })
            .await
            .unwrap(),
        );
        TenantStore::new(store, TenantId::new("worker").unwrap())
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let name = self.0.clone();
        let url = test_url();
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&url).await {
                    let sql = format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE");
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}

fn worker(schema: &Schema, args: &[&str]) -> Command {
    let mut c = Command::new(WORKER);
    c.args(args)
        .args(["--store", &test_url(), "--schema", &schema.0]);
    c
}

/// Seeds `n` companies and creates a run; returns its id.
fn seed_and_create(schema: &Schema, n: usize) -> String {
    let out = worker(schema, &["seed", "--entities", &n.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = worker(schema, &["create"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.lines()
        .next()
        .and_then(|l| l.strip_prefix("run "))
        .unwrap()
        .trim()
        .to_string()
}

fn spawn_worker(schema: &Schema, run: &str, name: &str, ledger: &Path, extra: &[&str]) -> Child {
    worker(
        schema,
        &[
            "work",
            "--run",
            run,
            "--worker",
            name,
            "--lease-ms",
            &LEASE_MS.to_string(),
            "--batch",
            "16",
            "--sleep-ms",
            "2",
            "--ledger",
            &ledger.display().to_string(),
        ],
    )
    .args(extra)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap()
}

/// (stage, entity) → the workers that called it, in ledger order.
fn ledgers(paths: &[PathBuf]) -> HashMap<(String, String), Vec<String>> {
    let mut calls: HashMap<(String, String), Vec<String>> = HashMap::new();
    for p in paths {
        for line in std::fs::read_to_string(p).unwrap_or_default().lines() {
            let mut f = line.split(' ');
            if let (Some(s), Some(e), Some(w)) = (f.next(), f.next(), f.next()) {
                calls
                    .entry((s.to_string(), e.to_string()))
                    .or_default()
                    .push(w.to_string());
            }
        }
    }
    calls
}

fn wait_ok(child: Child, name: &str) {
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "worker {name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn entity_refs(store: &TenantStore) -> Vec<EntityRef> {
    let companies = store.all_companies(&Default::default()).await.unwrap();
    companies.iter().map(|c| c.id.into()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_worker_processes_run_every_pair_exactly_once() {
    const ENTITIES: usize = 120;
    let schema = Schema::new("exec_workers").await;
    let run = seed_and_create(&schema, ENTITIES);
    let dir = tempfile::tempdir().unwrap();
    let names = ["w1", "w2", "w3", "w4"];
    let paths: Vec<PathBuf> = names
        .iter()
        .map(|n| dir.path().join(format!("{n}.txt")))
        .collect();
    let children: Vec<Child> = names
        .iter()
        .zip(&paths)
        .map(|(n, p)| spawn_worker(&schema, &run, n, p, &[]))
        .collect();
    for (child, name) in children.into_iter().zip(names) {
        wait_ok(child, name);
    }

    let calls = ledgers(&paths);
    assert_eq!(calls.len(), ENTITIES * STAGES, "every pair was called");
    for (pair, by) in &calls {
        assert_eq!(by.len(), 1, "{pair:?} was called by {by:?}");
    }
    let busy: HashSet<&String> = calls.values().flatten().collect();
    assert!(busy.len() >= 2, "the work was shared: {busy:?}");

    let store = schema.store().await;
    let refs = entity_refs(&store).await;
    let all = store.get_completions(&refs, &[]).await.unwrap();
    assert_eq!(all.len(), ENTITIES * STAGES);
    assert!(all.iter().all(|c| c.status == CompletionStatus::Completed));
    let run_id = RunId::parse(&run).unwrap();
    let records = store.list_stage_runs(run_id).await.unwrap();
    assert_eq!(
        records.len(),
        ENTITIES * STAGES,
        "one stage-run record per pair"
    );
    let run = store.get_run(run_id).await.unwrap().unwrap();
    assert_eq!(run.status, leadgen_core::store::RunStatus::Completed);
    assert_eq!(
        run.spent,
        leadgen_core::Credits::from_millis((ENTITIES * STAGES) as u64 * 1000)
    );
    store.store().close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_workers_pair_is_taken_over_after_its_lease_expires() {
    const ENTITIES: usize = 40;
    let schema = Schema::new("exec_takeover").await;
    let run = seed_and_create(&schema, ENTITIES);
    let store = schema.store().await;
    let mut refs = entity_refs(&store).await;
    // The first pair claimed: the lowest entity id of the first stage.
    refs.sort();
    let slow = refs[0].id.to_string();
    let dir = tempfile::tempdir().unwrap();
    let p1 = dir.path().join("w1.txt");
    let mut w1 = spawn_worker(
        &schema,
        &run,
        "w1",
        &p1,
        &["--slow-entity", &slow, "--slow-ms", "600000"],
    );
    // Wait until w1 is inside the slow pair, and hold it there a few heartbeats.
    let start = Instant::now();
    while !ledgers(std::slice::from_ref(&p1)).contains_key(&("fetch".to_string(), slow.clone())) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "w1 never started the pair"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(LEASE_MS + 500)).await;
    let held = store
        .leases()
        .unwrap()
        .list_leases(store.tenant(), RunId::parse(&run).unwrap())
        .await
        .unwrap();
    assert!(
        held.iter()
            .any(|l| l.entity.id.to_string() == slow && l.worker.as_deref() == Some("w1")),
        "w1 extends its lease while it works: {held:?}"
    );
    w1.kill().unwrap(); // SIGKILL
    let killed_at = chrono::Utc::now();
    w1.wait().unwrap();
    let before = ledgers(std::slice::from_ref(&p1));

    let names = ["w2", "w3", "w4"];
    let paths: Vec<PathBuf> = names
        .iter()
        .map(|n| dir.path().join(format!("{n}.txt")))
        .collect();
    let children: Vec<Child> = names
        .iter()
        .zip(&paths)
        .map(|(n, p)| spawn_worker(&schema, &run, n, p, &[]))
        .collect();
    for (child, name) in children.into_iter().zip(names) {
        wait_ok(child, name);
    }

    let all = store.get_completions(&refs, &[]).await.unwrap();
    assert_eq!(all.len(), ENTITIES * STAGES);
    assert!(all.iter().all(|c| c.status == CompletionStatus::Completed));
    let taken = all
        .iter()
        .find(|c| c.stage == "fetch" && c.entity.id.to_string() == slow)
        .unwrap();
    // The lease was at most LEASE_MS old at the kill, at least 2/3 of it.
    let waited = (taken.started_at - killed_at).num_milliseconds();
    assert!(
        waited >= (LEASE_MS as i64) / 2,
        "taken over {waited} ms after the kill, before the lease expired"
    );
    let mut paths_all = paths.clone();
    paths_all.push(p1.clone());
    let calls = ledgers(&paths_all);
    assert_eq!(calls.len(), ENTITIES * STAGES);
    let by = &calls[&("fetch".to_string(), slow.clone())];
    assert_eq!(by.len(), 2, "{by:?}");
    assert_eq!(
        by.iter().filter(|w| *w == "w1").count(),
        1,
        "w1 started it, another worker finished it: {by:?}"
    );
    // Everything else ran once, except what w1 had called without storing
    // its completion before it died (at most the rest of its batch).
    for (pair, by) in &calls {
        if by.len() > 1 {
            assert!(before.contains_key(pair), "{pair:?} ran twice: {by:?}");
            assert_eq!(by.len(), 2);
        }
    }
    let run = store
        .get_run(RunId::parse(&run).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(run.status, leadgen_core::store::RunStatus::Completed);
    store.store().close().await;
}
