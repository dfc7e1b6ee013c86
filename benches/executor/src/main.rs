//! Executor benchmark: `--stages` no-op company stages (a chain: each depends on
//! the previous one) over `--entities` companies, on the store `--store` names
//! (`memory`, `sqlite://file.db`, `postgres://…`). Prints one JSON line with the
//! pairs per second of the run (seeding the companies is timed apart).
//!
//! ```text
//! leadgen-bench-executor --store sqlite:///tmp/b.db --entities 100000 --stages 10
//! ```

use std::sync::Arc;
use std::time::Instant;

use leadgen_core::executor::testing::NoopStage;
use leadgen_core::executor::{
    AttemptRecords, EntitySelection, Executor, ExecutorConfig, RunRequest, StageRegistry,
};
use leadgen_core::store::{CompanyFilter, MemoryStore, RunStatus, Store, TenantStore};
use leadgen_core::{Company, EntityKind, TenantId};

struct Args {
    store: String,
    entities: usize,
    stages: usize,
    concurrency: usize,
    notable_attempts_only: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        store: "memory".into(),
        entities: 100_000,
        stages: 10,
        concurrency: 1024,
        notable_attempts_only: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--store" => args.store = value()?,
            "--entities" => {
                args.entities = value()?.parse().map_err(|e| format!("--entities: {e}"))?
            }
            "--stages" => args.stages = value()?.parse().map_err(|e| format!("--stages: {e}"))?,
            "--concurrency" => {
                args.concurrency = value()?
                    .parse()
                    .map_err(|e| format!("--concurrency: {e}"))?
            }
            "--notable-attempts-only" => args.notable_attempts_only = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

async fn open(url: &str) -> leadgen_core::Result<Arc<dyn Store>> {
    if url == "memory" {
        return Ok(Arc::new(MemoryStore::new()));
    }
    leadgen_store::open(url).await
}

fn stage_id(i: usize) -> String {
    format!("noop_{i:02}")
}

async fn bench(args: Args) -> leadgen_core::Result<serde_json::Value> {
    let store = TenantStore::new(open(&args.store).await?, TenantId::new("bench")?);
    let seed_start = Instant::now();
    let existing = store.count_companies(&CompanyFilter::default()).await? as usize;
    for chunk_start in (existing..args.entities).step_by(5000) {
        let n = 5000.min(args.entities - chunk_start);
        let batch: Vec<Company> = (0..n)
            .map(|i| Company::new(format!("Company {}", chunk_start + i)))
            .collect();
        store.upsert_companies(&batch).await?;
    }
    let seed_secs = seed_start.elapsed().as_secs_f64();

    let mut registry = StageRegistry::new();
    for i in 0..args.stages {
        let mut stage = NoopStage::new(stage_id(i), EntityKind::Company);
        if i > 0 {
            stage = stage.hard_dep(&stage_id(i - 1));
        }
        registry.register(Arc::new(stage))?;
    }
    let mut config = ExecutorConfig::default();
    config.default_limits.concurrency = args.concurrency;
    if args.notable_attempts_only {
        config.attempt_records = AttemptRecords::Notable;
    }
    let executor = Executor::new(registry, config)?;
    let stages: Vec<String> = (0..args.stages).map(stage_id).collect();
    let start = Instant::now();
    let summary = executor
        .run(&store, RunRequest::new(stages, EntitySelection::All))
        .await?;
    let secs = start.elapsed().as_secs_f64();
    if summary.status != RunStatus::Completed {
        return Err(leadgen_core::Error::Config(format!(
            "the benchmark run ended {}: {}",
            summary.status.as_str(),
            summary.to_text()
        )));
    }
    let pairs = summary.pairs_finished();
    Ok(serde_json::json!({
        "bench": "executor",
        "impl": "leadgen",
        "store": leadgen_core::error::redact_url(&args.store),
        "entities": args.entities,
        "stages": args.stages,
        "pairs": pairs,
        "seconds": secs,
        "pairs_per_sec": pairs as f64 / secs,
        "seed_seconds": seed_secs,
        "stage_run_records": if args.notable_attempts_only { "notable" } else { "all" },
    }))
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match runtime.block_on(bench(args)) {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
