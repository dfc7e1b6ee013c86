//! `leadgen dedup`: find duplicate contacts or companies.
//!
//! - On plain files, without a database: `leadgen dedup --input FILE… --clusters OUT.csv`
//!   writes one line per input record (`source_file,source_line,cluster_id,score`).
//! - On the store: `leadgen dedup` shows the clusters; `--apply` merges each with
//!   `--strategy` (merged-away records stay as tombstones; merges are in the audit log).
//!
//! Both take `--config cfg.toml` (a `DedupConfig`; the ready contact/company configs
//! by default) and `--report dedup.html` (clusters with per-field explanations).

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use leadgen::core::dedup::bulk::{dedup_stored_companies, dedup_stored_contacts};
use leadgen::core::dedup::{
    DedupConfig, DedupResult, MergeStrategy, Record, dedup_records, render_html_report,
};
use leadgen::stages::import::parse_file;
use serde_json::json;

use super::import::ReadArgs;
use crate::context::{GlobalArgs, print_json};
use crate::exit::{CliError, INPUT, OUTPUT};

/// Which entity kind to dedup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// People.
    Contacts,
    /// Organisations.
    Companies,
}

/// How `--apply` merges a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StrategyArg {
    /// Field by field, by provenance: source priority (user, crm, import), then recency.
    Merge,
    /// The most recently updated record survives unchanged.
    Newest,
    /// The record with the most filled fields survives unchanged.
    MostComplete,
}

/// `leadgen dedup`.
#[derive(Debug, Args)]
pub struct DedupArgs {
    /// Plain files to dedup without a database (CSV, XLSX/XLS/ODS, JSON Lines).
    #[arg(long = "input", num_args = 1..)]
    pub inputs: Vec<PathBuf>,
    /// With --input: where to write `source_file,source_line,cluster_id,score`.
    #[arg(long)]
    pub clusters: Option<PathBuf>,
    /// Contacts or companies.
    #[arg(long, value_enum, default_value = "contacts")]
    pub kind: KindArg,
    /// A comparison config (TOML) instead of the ready one for the kind.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Write an HTML report of the clusters with per-field explanations.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// On the store: merge every cluster.
    #[arg(long)]
    pub apply: bool,
    /// How --apply merges.
    #[arg(long, value_enum, default_value = "merge")]
    pub strategy: StrategyArg,
    #[command(flatten)]
    pub read: ReadArgs,
}

fn config_for(args: &DedupArgs) -> Result<DedupConfig, CliError> {
    match &args.config {
        Some(path) => {
            DedupConfig::from_toml_file(path).map_err(|e| CliError::new(INPUT, e.to_string()))
        }
        None => Ok(match args.kind {
            KindArg::Contacts => DedupConfig::contacts(),
            KindArg::Companies => DedupConfig::companies(),
        }),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn write_report(path: &Option<PathBuf>, result: &DedupResult) -> Result<(), CliError> {
    if let Some(path) = path {
        std::fs::write(path, render_html_report(result))
            .map_err(|e| CliError::new(OUTPUT, format!("{}: {e}", path.display())))?;
    }
    Ok(())
}

/// Runs `leadgen dedup`.
pub async fn run(global: &GlobalArgs, args: DedupArgs) -> Result<(), CliError> {
    let config = config_for(&args)?;
    if args.inputs.is_empty() {
        return run_on_store(global, &args, &config).await;
    }
    let Some(out) = &args.clusters else {
        return Err(CliError::new(INPUT, "--input needs --clusters OUT.csv"));
    };
    let options = args.read.options()?;
    let mut records = Vec::new();
    let mut origins = Vec::new();
    for path in &args.inputs {
        let parsed = parse_file(path, &options).await?;
        for draft in parsed.drafts() {
            let record = match args.kind {
                KindArg::Contacts => draft.contact.as_ref().map(Record::from_contact),
                KindArg::Companies => draft.company.as_ref().map(Record::from_company),
            };
            if let Some(mut record) = record {
                record.id = format!("{}:{}", path.display(), draft.line);
                records.push(record);
                origins.push((path.display().to_string(), draft.line));
            }
        }
    }
    let result =
        dedup_records(records, &config).map_err(|e| CliError::new(INPUT, e.to_string()))?;
    let mut text = String::from("source_file,source_line,cluster_id,score\n");
    for (i, (file, line)) in origins.iter().enumerate() {
        let _ = writeln!(
            text,
            "{},{},{},{:.4}",
            csv_field(file),
            line,
            csv_field(&result.cluster_of(i).id),
            result.record_scores[i]
        );
    }
    std::fs::write(out, text)
        .map_err(|e| CliError::new(OUTPUT, format!("{}: {e}", out.display())))?;
    write_report(&args.report, &result)?;
    let duplicates = result.duplicate_clusters().count();
    if global.json {
        print_json(&json!({
            "records": origins.len(),
            "clusters": result.clusters.len(),
            "duplicate_clusters": duplicates,
            "oversized_blocks": result.oversized_blocks.len(),
            "output": out.display().to_string(),
        }))?;
    } else {
        eprintln!(
            "{} records, {} clusters ({} with duplicates) written to {}",
            origins.len(),
            result.clusters.len(),
            duplicates,
            out.display()
        );
    }
    Ok(())
}

async fn run_on_store(
    global: &GlobalArgs,
    args: &DedupArgs,
    config: &DedupConfig,
) -> Result<(), CliError> {
    let store = global.open().await?;
    let strategy = match args.strategy {
        StrategyArg::Merge => MergeStrategy::MergeFields {
            source_priority: vec!["user".into(), "crm".into(), "import".into()],
        },
        StrategyArg::Newest => MergeStrategy::KeepNewest,
        StrategyArg::MostComplete => MergeStrategy::KeepMostComplete,
    };
    let bulk = match args.kind {
        KindArg::Contacts => dedup_stored_contacts(&store, config, &strategy, args.apply).await?,
        KindArg::Companies => dedup_stored_companies(&store, config, &strategy, args.apply).await?,
    };
    write_report(&args.report, &bulk.result)?;
    let clusters: Vec<_> = bulk
        .result
        .duplicate_clusters()
        .map(|c| {
            let ids: Vec<&str> = c
                .members
                .iter()
                .map(|&m| bulk.result.records[m as usize].id.as_str())
                .collect();
            (c.id.clone(), ids)
        })
        .collect();
    if global.json {
        print_json(&json!({
            "duplicate_clusters": clusters.iter().map(|(id, m)| json!({"cluster_id": id, "members": m})).collect::<Vec<_>>(),
            "applied": args.apply,
            "clusters_merged": bulk.applied.clusters_merged,
            "tombstoned": bulk.applied.tombstoned,
        }))?;
    } else {
        for (id, members) in &clusters {
            println!("{id}: {}", members.join(" "));
        }
        eprintln!(
            "{} clusters with duplicates{}",
            clusters.len(),
            if args.apply {
                format!(
                    ", {} merged, {} records tombstoned",
                    bulk.applied.clusters_merged, bulk.applied.tombstoned
                )
            } else {
                " (use --apply to merge)".to_string()
            }
        );
    }
    Ok(())
}
