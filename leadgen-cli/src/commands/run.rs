//! `leadgen run FILE… -o OUT`: the main job. Import the files, run every cleaning
//! step that exists over what was imported, export the cleaned list, print a summary.
//!
//! The job is a list of [`Step`]s (see [`pipeline`]): normalization, deduplication
//! and email validation are added there as they land, each as one more entry.

use std::path::PathBuf;

use async_trait::async_trait;
use clap::Args;
use leadgen::core::{ContactId, TenantStore};
use leadgen::stages::export::{ExportOptions, export_contacts};
use leadgen::stages::import::{ImportOptions, ImportReport};
use serde_json::json;

use super::export::{FormatArg, format_of};
use super::import::{ReadArgs, import_one, print_report, report_json};
use crate::context::{GlobalArgs, print_json};
use crate::exit::CliError;
use crate::progress::Progress;

/// `leadgen run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Files to import (CSV/TSV, XLSX/XLS/ODS, JSON Lines).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The cleaned list to write (format from the extension: .csv, .xlsx, .jsonl).
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// The output format, when the extension does not say.
    #[arg(long)]
    pub format: Option<FormatArg>,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// What the job carries from step to step.
pub struct JobState {
    /// The store.
    pub store: TenantStore,
    /// The files to import.
    pub files: Vec<PathBuf>,
    /// Import options.
    pub import_options: ImportOptions,
    /// The contacts the job works on (imported or matched), in file order.
    pub contacts: Vec<ContactId>,
    /// One import report per file.
    pub reports: Vec<ImportReport>,
}

/// What one step did, for the summary.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StepSummary {
    /// The step's name.
    pub step: &'static str,
    /// A one-line description of what it did.
    pub message: String,
    /// Details, as JSON.
    pub details: serde_json::Value,
}

/// One step of the main job.
#[async_trait]
pub trait Step: Send + Sync {
    /// The step's name (`import`, `normalize`, `dedup`, `validate_emails`).
    fn name(&self) -> &'static str;
    /// Runs the step over the job.
    async fn run(&self, job: &mut JobState, global: &GlobalArgs) -> Result<StepSummary, CliError>;
}

/// Imports every file; the imported and matched contacts become the job's contacts.
struct ImportStep;

#[async_trait]
impl Step for ImportStep {
    fn name(&self) -> &'static str {
        "import"
    }

    async fn run(&self, job: &mut JobState, global: &GlobalArgs) -> Result<StepSummary, CliError> {
        let mut seen = std::collections::HashSet::new();
        for file in job.files.clone() {
            let report = import_one(&job.store, global, &file, &job.import_options, false).await?;
            if !global.json {
                print_report(&report);
            }
            for id in report.outcomes.iter().filter_map(|o| o.contact) {
                if seen.insert(id) {
                    job.contacts.push(id);
                }
            }
            job.reports.push(report);
        }
        let sum = |f: fn(&ImportReport) -> usize| job.reports.iter().map(f).sum::<usize>();
        let (read, imported, updated, duplicates, errors) = (
            sum(|r| r.read),
            sum(|r| r.imported),
            sum(|r| r.updated),
            sum(|r| r.duplicates),
            sum(|r| r.errors.len()),
        );
        Ok(StepSummary {
            step: self.name(),
            message: format!(
                "{read} rows read, {imported} new, {updated} updated, {duplicates} duplicates, {errors} errors"
            ),
            details: json!(job.reports.iter().map(report_json).collect::<Vec<_>>()),
        })
    }
}

/// The steps of the main job, in order. Cleaning stages slot in after `import`.
pub fn pipeline() -> Vec<Box<dyn Step>> {
    use super::clean::{DedupStep, NormalizeStep, ValidateEmailsStep};
    vec![
        Box::new(ImportStep),
        Box::new(NormalizeStep),
        Box::new(DedupStep),
        Box::new(ValidateEmailsStep),
    ]
}

/// Runs `leadgen run`.
pub async fn run(global: &GlobalArgs, args: RunArgs) -> Result<(), CliError> {
    let format = format_of(args.format, &args.output)?;
    let import_options = args.read.options()?;
    let store = global.open().await?;
    let mut job = JobState {
        store,
        files: args.files.clone(),
        import_options,
        contacts: Vec::new(),
        reports: Vec::new(),
    };
    let mut steps = Vec::new();
    for step in pipeline() {
        let summary = step.run(&mut job, global).await?;
        if !global.json {
            eprintln!("{:>10}: {}", summary.step, summary.message);
        }
        steps.push(summary);
    }
    let mut options = ExportOptions::new(format);
    options.contact_ids = Some(job.contacts.clone());
    let progress = Progress::spinner(
        global.progress_enabled(),
        format!("writing {}", args.output.display()),
    );
    let exported = export_contacts(&job.store, &args.output, &options).await;
    progress.finish();
    let exported = exported?;
    if global.json {
        print_json(&json!({
            "steps": steps,
            "output": exported,
        }))?;
    } else {
        eprintln!(
            "{:>10}: {} contacts written to {} ({})",
            "export",
            exported.rows,
            exported.path,
            exported.format.as_str()
        );
    }
    Ok(())
}
