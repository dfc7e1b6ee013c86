//! A test worker process for the executor's crash tests: it seeds companies,
//! starts or resumes a run of paid, slow stages on a store, and appends one line
//! per stage call (`stage entity`) to a ledger file, so a test can kill it mid-run
//! and check afterwards what was called how often.
//!
//! ```text
//! leadgen-executor-worker seed   --store URL --entities N
//! leadgen-executor-worker run    --store URL --ledger FILE [--sleep-ms MS]
//! leadgen-executor-worker resume --store URL --ledger FILE --run RUN_ID [--sleep-ms MS]
//! ```
//! `run` prints `run <id>` on its first line before working.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use leadgen_core::executor::{
    EntitySelection, Executor, ExecutorConfig, RunRequest, StageRegistry,
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
            writeln!(f, "{} {}", self.id, entity.entity_ref().id).map_err(|e| {
                leadgen_core::Error::Io {
                    path: "ledger".into(),
                    source: e,
                }
            })?;
        }
        tokio::time::sleep(self.sleep).await;
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
    let store = leadgen_store::open(&url).await.map_err(|e| e.to_string())?;
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
    let ledger_path = value(&args, "--ledger").ok_or("--ledger is required")?;
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
    let mut registry = StageRegistry::new();
    for (i, id) in STAGES.iter().enumerate() {
        let stage = LedgerStage {
            id,
            dep: i.checked_sub(1).map(|j| STAGES[j]),
            sleep,
            ledger: ledger.clone(),
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
