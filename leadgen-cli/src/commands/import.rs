//! `leadgen import FILE…`: import files, one report per file.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use leadgen::core::TenantStore;
use leadgen::stages::import::{
    ImportOptions, ImportProgress, ImportReport, MappingOverride, Preset, ReadLimits,
    SheetSelector, import_file, preview_file,
};
use serde_json::json;

use crate::context::{GlobalArgs, print_json};
use crate::exit::{CliError, INPUT};
use crate::progress::Progress;

/// How files are read; shared by `import` and `run`.
#[derive(Debug, Args, Clone)]
pub struct ReadArgs {
    /// Use this preset instead of detecting one (linkedin_connections, sales_navigator,
    /// apollo, hubspot, google_contacts, leadgen).
    #[arg(long)]
    pub preset: Option<String>,
    /// A JSON or TOML file mapping headers to fields: {"columns": {"Header": "email"}}.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// The workbook sheet, by name or 0-based index (default: the first contact or
    /// company table).
    #[arg(long)]
    pub sheet: Option<String>,
    /// The delimiter of text files (default: detected among , ; tab |).
    #[arg(long)]
    pub delimiter: Option<char>,
    /// The source recorded on imported records (default: import:<preset>).
    #[arg(long)]
    pub source: Option<String>,
    /// Refuse files with a physical line longer than this many bytes.
    #[arg(long, default_value_t = ReadLimits::default().max_line_bytes)]
    pub max_line_bytes: usize,
}

impl ReadArgs {
    /// The library options these arguments describe.
    pub fn options(&self) -> Result<ImportOptions, CliError> {
        let preset = self
            .preset
            .as_deref()
            .map(Preset::parse)
            .transpose()
            .map_err(|e| CliError::new(INPUT, e.to_string()))?;
        let mapping = self
            .mapping
            .as_deref()
            .map(MappingOverride::from_file)
            .transpose()
            .map_err(|e| CliError::new(INPUT, e.to_string()))?;
        let delimiter = match self.delimiter {
            None => None,
            Some(c) if c.is_ascii() => Some(c as u8),
            Some(c) => {
                return Err(CliError::new(
                    INPUT,
                    format!("--delimiter {c:?} is not one ASCII character"),
                ));
            }
        };
        Ok(ImportOptions {
            preset,
            mapping,
            sheet: self
                .sheet
                .as_deref()
                .map_or(SheetSelector::Auto, SheetSelector::parse),
            delimiter,
            limits: ReadLimits {
                max_line_bytes: self.max_line_bytes,
                ..ReadLimits::default()
            },
            source: self.source.clone(),
            ..ImportOptions::default()
        })
    }
}

/// `leadgen import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files to import (CSV/TSV, XLSX/XLS/ODS, JSON Lines).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
    /// Show what would be imported (new / updated / duplicate) without writing.
    #[arg(long)]
    pub preview: bool,
}

/// The JSON report of one file.
pub fn report_json(r: &ImportReport) -> serde_json::Value {
    json!({
        "file": r.file,
        "format": r.format,
        "preset": r.preset,
        "source": r.source,
        "read": r.read,
        "imported": r.imported,
        "updated": r.updated,
        "duplicates": r.duplicates,
        "companies_created": r.companies_created,
        "companies_updated": r.companies_updated,
        "errors": r.errors.iter().map(|e| json!({
            "line": e.line,
            "column": e.column,
            "reason": e.reason,
            "kind": e.kind,
        })).collect::<Vec<_>>(),
        "mapping": r.mapping,
        "run_id": r.run_id,
    })
}

/// Prints the human summary of one file.
pub fn print_report(r: &ImportReport) {
    let preset = r
        .preset
        .map(|p| format!(" (preset {p})"))
        .unwrap_or_default();
    eprintln!(
        "{}{preset}: {} read, {} imported, {} updated, {} duplicates, {} errors",
        r.file,
        r.read,
        r.imported,
        r.updated,
        r.duplicates,
        r.errors.len()
    );
    const SHOWN: usize = 20;
    for e in r.errors.iter().take(SHOWN) {
        let column = e
            .column
            .as_deref()
            .map(|c| format!(" [{c}]"))
            .unwrap_or_default();
        eprintln!(
            "  line {}{column}: {} ({})",
            e.line,
            e.reason,
            e.kind.as_str()
        );
    }
    if r.errors.len() > SHOWN {
        eprintln!("  … and {} more errors", r.errors.len() - SHOWN);
    }
}

/// Imports one file with a progress bar.
pub async fn import_one(
    store: &TenantStore,
    global: &GlobalArgs,
    file: &std::path::Path,
    options: &ImportOptions,
    preview: bool,
) -> Result<ImportReport, CliError> {
    let progress = Progress::spinner(
        global.progress_enabled(),
        format!("reading {}", file.display()),
    );
    let bar = progress.clone();
    let mut options = options.clone();
    options.progress = Some(Arc::new(move |p: ImportProgress| match p {
        ImportProgress::Parsed { records } => {
            bar.set_message(format!("matching {records} records"))
        }
        ImportProgress::Matched { to_write } => {
            bar.set_total(to_write as u64, "records");
            bar.set_message("writing");
        }
        ImportProgress::Written { done, .. } => bar.set_position(done as u64),
        _ => {}
    }));
    let result = if preview {
        preview_file(store, file, &options).await
    } else {
        import_file(store, file, &options).await
    };
    progress.finish();
    Ok(result?)
}

/// Runs `leadgen import`.
pub async fn run(global: &GlobalArgs, args: ImportArgs) -> Result<(), CliError> {
    let options = args.read.options()?;
    let store = global.open().await?;
    let mut reports = Vec::new();
    let mut first_failure: Option<CliError> = None;
    for file in &args.files {
        match import_one(&store, global, file, &options, args.preview).await {
            Ok(report) => {
                if !global.json {
                    print_report(&report);
                }
                reports.push(report_json(&report));
            }
            Err(e) => {
                eprintln!("leadgen: {}", e.message);
                reports.push(json!({
                    "file": file.display().to_string(),
                    "error": e.message,
                    "exit_code": e.code,
                }));
                first_failure.get_or_insert(CliError {
                    already_reported: true,
                    ..e
                });
            }
        }
    }
    if global.json {
        print_json(&reports)?;
    }
    match first_failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
