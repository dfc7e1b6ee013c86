//! Executor benchmark: `--stages` no-op company stages (a chain: each depends on
//! the previous one) over `--entities` companies, on the store `--store` names
//! (`memory`, `sqlite://file.db`, `postgres://…`). Prints one JSON line with the
//! pairs per second of the run (seeding the companies is timed apart).
//!
//! ```text
//! leadgen-bench-executor --store sqlite:///tmp/b.db --entities 100000 --stages 10
//! leadgen-bench-executor --store postgres://… --schema s1 --workers 4 --entities 20000
//! ```
//!
//! With `--workers N` (PostgreSQL), the run is created, then worked by N worker
//! processes (this binary again, with `--join RUN_ID`) sharing it through the
//! store's work queue ([`Executor::work`]); the time is from their start to the
//! last one's end. `--schema` puts the tables in a schema of their own, dropped at
//! the end with `--drop-schema`.

use std::sync::Arc;
use std::time::Instant;

use leadgen_core::executor::testing::NoopStage;
use leadgen_core::executor::{
    AttemptRecords, EntitySelection, Executor, ExecutorConfig, RunRequest, StageRegistry,
    WorkerConfig,
};
use leadgen_core::store::{CompanyFilter, MemoryStore, RunStatus, Store, TenantStore};
use leadgen_core::{Company, EntityKind, TenantId};

struct Args {
    store: String,
    entities: usize,
    stages: usize,
    concurrency: usize,
    notable_attempts_only: bool,
    schema: Option<String>,
    drop_schema: bool,
    workers: usize,
    join: Option<String>,
    worker_id: String,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        store: "memory".into(),
        entities: 100_000,
        stages: 10,
        concurrency: 1024,
        notable_attempts_only: false,
        schema: None,
        drop_schema: false,
        workers: 0,
        join: None,
        worker_id: "w".into(),
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
            "--schema" => args.schema = Some(value()?),
            "--drop-schema" => args.drop_schema = true,
            "--workers" => {
                args.workers = value()?.parse().map_err(|e| format!("--workers: {e}"))?
            }
            "--join" => args.join = Some(value()?),
            "--worker-id" => args.worker_id = value()?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

async fn open(url: &str, schema: Option<&str>) -> leadgen_core::Result<Arc<dyn Store>> {
    if url == "memory" {
        return Ok(Arc::new(MemoryStore::new()));
    }
    if let Some(schema) = schema {
        return Ok(Arc::new(
            leadgen_store::PostgresStore::connect_with(leadgen_store::PostgresOptions {
                schema: Some(schema.to_string()),
                ..leadgen_store::PostgresOptions::new(url)
            })
            .await?,
        ));
    }
    leadgen_store::open(url).await
}

fn stage_id(i: usize) -> String {
    format!("noop_{i:02}")
}

async fn bench(args: Args) -> leadgen_core::Result<serde_json::Value> {
    let store = TenantStore::new(
        open(&args.store, args.schema.as_deref()).await?,
        TenantId::new("bench")?,
    );
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
    if let Some(run) = &args.join {
        let run = leadgen_core::RunId::parse(run)?;
        let s = executor
            .work(
                &store,
                run,
                WorkerConfig::new(args.worker_id.clone()).with_batch(2048),
            )
            .await?;
        if let Some(e) = s.error {
            return Err(leadgen_core::Error::Config(e));
        }
        return Ok(serde_json::json!({ "worker": s.worker_id, "pairs": s.pairs_finished() }));
    }
    if args.workers > 0 {
        let run = executor
            .create_run(&store, &RunRequest::new(stages, EntitySelection::All))
            .await?;
        let exe = std::env::current_exe().map_err(|e| leadgen_core::Error::Io {
            path: "current_exe".into(),
            source: e,
        })?;
        let start = Instant::now();
        let mut children = Vec::new();
        for w in 0..args.workers {
            let mut c = std::process::Command::new(&exe);
            c.args([
                "--store",
                &args.store,
                "--entities",
                &args.entities.to_string(),
            ])
            .args(["--stages", &args.stages.to_string()])
            .args([
                "--join",
                &run.id.to_string(),
                "--worker-id",
                &format!("w{w}"),
            ])
            .stdout(std::process::Stdio::null());
            if let Some(s) = &args.schema {
                c.args(["--schema", s]);
            }
            children.push(c.spawn().map_err(|e| leadgen_core::Error::Io {
                path: exe.display().to_string(),
                source: e,
            })?);
        }
        for mut c in children {
            let ok = c.wait().map(|s| s.success()).unwrap_or(false);
            if !ok {
                return Err(leadgen_core::Error::Config(
                    "a worker process failed".into(),
                ));
            }
        }
        let secs = start.elapsed().as_secs_f64();
        let record = store.get_run(run.id).await?;
        let status = record.map(|r| r.status);
        if status != Some(RunStatus::Completed) {
            return Err(leadgen_core::Error::Config(format!(
                "the benchmark run ended {status:?}"
            )));
        }
        let pairs = (args.entities * args.stages) as u64;
        if args.drop_schema {
            drop_schema(&store, &args.store, args.schema.as_deref()).await;
        }
        return Ok(serde_json::json!({
            "bench": "executor",
            "impl": "leadgen",
            "store": leadgen_core::error::redact_url(&args.store),
            "workers": args.workers,
            "entities": args.entities,
            "stages": args.stages,
            "pairs": pairs,
            "seconds": secs,
            "pairs_per_sec": pairs as f64 / secs,
            "seed_seconds": seed_secs,
        }));
    }
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
    if args.drop_schema {
        drop_schema(&store, &args.store, args.schema.as_deref()).await;
    }
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

/// Drops the benchmark's PostgreSQL schema (best effort).
async fn drop_schema(store: &TenantStore, url: &str, schema: Option<&str>) {
    let Some(schema) = schema else { return };
    store.store().close().await;
    if let Ok(pg) = leadgen_store::PostgresStore::connect(url).await {
        // The name was accepted by the store as a plain identifier.
        let sql = format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(pg.pool())
            .await;
        pg.close().await;
    }
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
