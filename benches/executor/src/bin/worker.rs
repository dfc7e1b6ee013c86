//! A test worker process for the executor's crash tests: it seeds companies,
//! starts or resumes a run of paid, slow stages on a store, and appends one line
//! per stage call (`stage entity`) to a ledger file, so a test can kill it mid-run
//! and check afterwards what was called how often.
//!
//! ```text
//! leadgen-executor-worker seed   --store URL --entities N
//! leadgen-executor-worker run    --store URL --ledger FILE [--sleep-ms MS]
//! leadgen-executor-worker resume --store URL --ledger FILE --run RUN_ID [--sleep-ms MS]
//! leadgen-executor-worker create --store URL
//! leadgen-executor-worker work   --store URL --ledger FILE --run RUN_ID --worker NAME
//!                                [--lease-ms MS] [--batch N] [--sleep-ms MS]
//!                                [--slow-entity UUID --slow-ms MS]
//! ```
//! `run` and `create` print `run <id>` on their first line. `work` joins the run
//! as one of several workers ([`Executor::work`], PostgreSQL); its ledger lines
//! carry the worker name as a third field, and a call for `--slow-entity` sleeps
//! `--slow-ms` (so a test can kill the worker in the middle of that pair).
//! Every mode takes `--schema NAME` to put a PostgreSQL store in that schema.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use leadgen_core::executor::{
    EntitySelection, Executor, ExecutorConfig, RunRequest, StageRegistry, WorkerConfig,
};
use leadgen_core::stage::{Dependency, Stage, StageContext, StageOutcome};
use leadgen_core::store::TenantStore;
use leadgen_core::{Company, Credits, Entity, EntityKind, Result, RunId, TenantId};

/// The stages of the worker's runs, a chain.
pub const STAGES: [&str; 3] = ["fetch", "research", "score"];

#[derive(Debug)]
struct LedgerStage {
    id: &'static str,
    dep: Option<&'static str>,
    sleep: Duration,
    ledger: Arc<Mutex<File>>,
    /// Written after the entity id on each ledger line (the worker's name).
    tag: Option<String>,
    /// An entity whose calls sleep longer.
    slow: Option<(uuid::Uuid, Duration)>,
}

#[async_trait]
impl Stage for LedgerStage {
    fn id(&self) -> &str {
        self.id
    }
    fn entity_kind(&self) -> EntityKind {
        EntityKind::Company
    }
    fn dependencies(&self) -> Vec<Dependency> {
        self.dep.map(Dependency::hard).into_iter().collect()
    }
    fn estimate(&self, _entity: &Entity) -> Credits {
        Credits::from_millis(1000)
    }
    fn is_paid(&self) -> bool {
        true
    }
    async fn run(&self, _ctx: &StageContext, entity: &Entity) -> Result<StageOutcome> {
        {
            let mut f = self.ledger.lock().unwrap_or_else(|p| p.into_inner());
            let line = match &self.tag {
                Some(tag) => format!("{} {} {tag}", self.id, entity.entity_ref().id),
                None => format!("{} {}", self.id, entity.entity_ref().id),
            };
            writeln!(f, "{line}").map_err(|e| leadgen_core::Error::Io {
                path: "ledger".into(),
                source: e,
            })?;
        }
        let sleep = match self.slow {
            Some((id, slow)) if id == entity.entity_ref().id => slow,
            _ => self.sleep,
        };
        tokio::time::sleep(sleep).await;
        Ok(StageOutcome::Completed {
            output: serde_json::Value::Null,
            cost: Credits::from_millis(1000),
            updated: None,
        })
    }
}

fn value(args: &[String], flag: &str) -> Option<String> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1).cloned())
}

async fn main_async(args: Vec<String>) -> std::result::Result<(), String> {
    let mode = args.first().cloned().unwrap_or_default();
    let url = value(&args, "--store").ok_or("--store is required")?;
    let store: Arc<dyn leadgen_core::store::Store> = match value(&args, "--schema") {
        Some(schema) => Arc::new(
            leadgen_store::PostgresStore::connect_with(leadgen_store::PostgresOptions {
                schema: Some(schema),
                ..leadgen_store::PostgresOptions::new(url.clone())
            })
            .await
            .map_err(|e| e.to_string())?,
        ),
        None => leadgen_store::open(&url).await.map_err(|e| e.to_string())?,
    };
    let store = TenantStore::new(store, TenantId::new("worker").map_err(|e| e.to_string())?);
    if mode == "seed" {
        let n: usize = value(&args, "--entities")
            .ok_or("--entities is required")?
            .parse()
            .map_err(|e| format!("--entities: {e}"))?;
        let companies: Vec<Company> = (0..n)
            .map(|i| Company::new(format!("Company {i}")))
            .collect();
        store
            .upsert_companies(&companies)
            .await
            .map_err(|e| e.to_string())?;
        return Ok(());
    }
    let ledger_path = match mode.as_str() {
        "create" => "/dev/null".to_string(),
        _ => value(&args, "--ledger").ok_or("--ledger is required")?,
    };
    let ledger = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&ledger_path)
        .map_err(|e| format!("{ledger_path}: {e}"))?;
    let ledger = Arc::new(Mutex::new(ledger));
    let sleep = Duration::from_millis(
        value(&args, "--sleep-ms")
            .map(|v| v.parse().map_err(|e| format!("--sleep-ms: {e}")))
            .transpose()?
            .unwrap_or(20),
    );
    let worker = value(&args, "--worker");
    let slow = match value(&args, "--slow-entity") {
        None => None,
        Some(id) => Some((
            uuid::Uuid::parse_str(&id).map_err(|e| format!("--slow-entity: {e}"))?,
            Duration::from_millis(
                value(&args, "--slow-ms")
                    .ok_or("--slow-ms is required with --slow-entity")?
                    .parse()
                    .map_err(|e| format!("--slow-ms: {e}"))?,
            ),
        )),
    };
    let mut registry = StageRegistry::new();
    for (i, id) in STAGES.iter().enumerate() {
        let stage = LedgerStage {
            id,
            dep: i.checked_sub(1).map(|j| STAGES[j]),
            sleep,
            ledger: ledger.clone(),
            tag: worker.clone(),
            slow,
        };
        registry
            .register(Arc::new(stage))
            .map_err(|e| e.to_string())?;
    }
    let mut config = ExecutorConfig::default();
    config.default_limits.concurrency = 4;
    let executor = Executor::new(registry, config).map_err(|e| e.to_string())?;
    let summary = match mode.as_str() {
        "run" => {
            let request = RunRequest::new(STAGES, EntitySelection::All);
            let run = executor
                .create_run(&store, &request)
                .await
                .map_err(|e| e.to_string())?;
            println!("run {}", run.id);
            std::io::stdout().flush().map_err(|e| e.to_string())?;
            executor
                .execute(&store, run.id, Default::default())
                .await
                .map_err(|e| e.to_string())?
        }
        "create" => {
            let request = RunRequest::new(STAGES, EntitySelection::All);
            let run = executor
                .create_run(&store, &request)
                .await
                .map_err(|e| e.to_string())?;
            println!("run {}", run.id);
            return Ok(());
        }
        "work" => {
            let id = RunId::parse(&value(&args, "--run").ok_or("--run is required")?)
                .map_err(|e| e.to_string())?;
            let mut config = WorkerConfig::new(worker.ok_or("--worker is required")?);
            if let Some(ms) = value(&args, "--lease-ms") {
                config.lease =
                    Duration::from_millis(ms.parse().map_err(|e| format!("--lease-ms: {e}"))?);
            }
            if let Some(n) = value(&args, "--batch") {
                config.batch = n.parse().map_err(|e| format!("--batch: {e}"))?;
            }
            let s = executor
                .work(&store, id, config)
                .await
                .map_err(|e| e.to_string())?;
            if let Some(e) = &s.error {
                return Err(e.clone());
            }
            println!(
                "worker {} {}: {} pairs, {} batches, {} taken over done, {} not ready",
                s.worker_id,
                s.status.as_str(),
                s.pairs_finished(),
                s.batches,
                s.already_done,
                s.not_ready
            );
            return Ok(());
        }
        "resume" => {
            let id = RunId::parse(&value(&args, "--run").ok_or("--run is required")?)
                .map_err(|e| e.to_string())?;
            executor
                .resume(&store, id)
                .await
                .map_err(|e| e.to_string())?
        }
        other => return Err(format!("unknown mode {other:?}")),
    };
    println!("{}", summary.to_text());
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    if let Err(e) = runtime.block_on(main_async(args)) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
