//! The import job: parse a file, map it, match its rows against the store by exact
//! keys, write new and changed records in bulk, and record the job as a run.

use std::path::Path;
use std::sync::Arc;

use chrono::Utc;
use leadgen_core::providers::LlmProvider;
use leadgen_core::store::{RunRecord, RunStatus};
use leadgen_core::{CompanyId, ContactId, RunId, TenantStore};
use serde::{Deserialize, Serialize};

use super::csv_reader::{CsvOptions, read_csv_file};
use super::draft::{MappedRows, RowDraft};
use super::error::{ImportError, RowError};
use super::jsonl::{is_jsonl_path, read_jsonl};
use super::mapping::{
    ColumnMapping, MappedColumn, MappingOverride, infer_mapping, map_unresolved_with_llm,
};
use super::matching::{MatchPlan, RowStatus, plan_matches};
use super::presets::Preset;
use super::spreadsheet::{
    SheetSelector, is_spreadsheet_file, is_spreadsheet_path, read_spreadsheet,
};
use super::table::{ReadLimits, SourceFormat, Table};

/// A progress callback (the CLI draws bars with it; bindings pass it on).
pub type ProgressFn = Arc<dyn Fn(ImportProgress) + Send + Sync>;

/// Where an import is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ImportProgress {
    /// The file was read: this many data records.
    Parsed {
        /// Records read.
        records: usize,
    },
    /// Rows were matched against the store.
    Matched {
        /// Contacts and companies to write.
        to_write: usize,
    },
    /// Records were written.
    Written {
        /// Records written so far.
        done: usize,
        /// Records to write in all.
        total: usize,
    },
}

/// How to import a file.
#[derive(Clone, Default)]
pub struct ImportOptions {
    /// Force a preset (else detected from the headers).
    pub preset: Option<Preset>,
    /// A user's mapping override.
    pub mapping: Option<MappingOverride>,
    /// The sheet of a workbook.
    pub sheet: SheetSelector,
    /// The delimiter of a text file (else sniffed).
    pub delimiter: Option<u8>,
    /// Size limits.
    pub limits: ReadLimits,
    /// The `source` recorded (default: `import:<preset>` or `import:file`).
    pub source: Option<String>,
    /// An LLM that maps headers nothing else resolves.
    pub llm: Option<Arc<dyn LlmProvider>>,
    /// Progress callback.
    pub progress: Option<ProgressFn>,
}

impl std::fmt::Debug for ImportOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportOptions")
            .field("preset", &self.preset)
            .field("mapping", &self.mapping)
            .field("sheet", &self.sheet)
            .field("delimiter", &self.delimiter)
            .field("limits", &self.limits)
            .field("source", &self.source)
            .field("llm", &self.llm.as_ref().map(|l| l.id().to_string()))
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl ImportOptions {
    fn report(&self, p: ImportProgress) {
        if let Some(cb) = &self.progress {
            cb(p);
        }
    }
}

/// A file parsed and mapped, nothing written.
///
/// Every row is read, mapped and checked when the file is parsed: the counts and
/// the errors are final. The drafts (a [`Contact`](leadgen_core::Contact) and/or a
/// [`Company`](leadgen_core::Company) per usable row) are built when asked for, by
/// [`ParsedFile::drafts`] or [`ParsedFile::draft`], from the cells the file keeps:
/// 100k rows of cells take about 15 MB, their records about 200 MB.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use leadgen_stages::import::{ImportOptions, parse_file};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("leads.csv");
/// std::fs::write(&path, "Name,E-mail\nJana Nováková,jana@acme.cz\n,\nPetr Svoboda,petr@beta.cz\n")?;
/// let parsed = parse_file(&path, &ImportOptions::default()).await?;
/// assert_eq!(parsed.draft_count(), 2);
/// assert_eq!(parsed.draft_lines().collect::<Vec<_>>(), [2, 4]);
/// let jana = parsed.draft(0).and_then(|d| d.contact).expect("a contact");
/// assert_eq!(jana.email.as_deref(), Some("jana@acme.cz"));
/// assert_eq!(parsed.drafts()[0].contact.as_ref(), Some(&jana)); // the same each time
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFile {
    /// The file.
    pub file: String,
    /// How it was read.
    pub format: SourceFormat,
    /// The headers.
    pub headers: Vec<String>,
    /// The mapping used.
    pub mapping: ColumnMapping,
    /// The source recorded on the records.
    pub source: String,
    /// Data records read (good and malformed).
    pub records_read: usize,
    /// Malformed and unusable rows, in line order.
    pub errors: Vec<RowError>,
    /// The usable rows, whose drafts are built on demand.
    rows: MappedRows,
}

impl ParsedFile {
    /// The number of drafts: one per usable row.
    pub fn draft_count(&self) -> usize {
        self.rows.len()
    }

    /// The lines of the usable rows, in file order (the `line` of each draft).
    pub fn draft_lines(&self) -> impl ExactSizeIterator<Item = u64> + '_ {
        self.rows.lines()
    }

    /// The drafts of the `i`-th usable row (0-based, in file order).
    pub fn draft(&self, i: usize) -> Option<RowDraft> {
        self.rows.get(i)
    }

    /// The drafts of every usable row, in file order, built in parallel.
    pub fn drafts(&self) -> Vec<RowDraft> {
        self.rows.to_drafts()
    }

    /// The drafts of the usable rows in `range` (0-based, in file order), built in
    /// parallel: what an import matches one part at a time.
    pub(crate) fn drafts_in(&self, range: std::ops::Range<usize>) -> Vec<RowDraft> {
        self.rows.drafts_in(range)
    }
}

/// Reads a file into a table by its kind (workbook, JSON Lines, delimited text).
///
/// A workbook is recognized by its first bytes (ZIP or OLE2 signature) as well as by
/// its extension, so `contacts.csv` that is really an XLSX file is read as one.
pub fn read_table(path: &Path, options: &ImportOptions) -> Result<Table, ImportError> {
    if is_spreadsheet_path(path) || is_spreadsheet_file(path) {
        read_spreadsheet(path, &options.sheet, &options.limits)
    } else if is_jsonl_path(path) {
        read_jsonl(path, &options.limits)
    } else {
        let csv = CsvOptions {
            delimiter: options.delimiter,
            limits: options.limits,
        };
        read_csv_file(path, &csv)
    }
}

/// Parses and maps a file: every row becomes drafts or a row error. Writes nothing.
pub async fn parse_file(path: &Path, options: &ImportOptions) -> Result<ParsedFile, ImportError> {
    if options.sheet != SheetSelector::Auto
        && !is_spreadsheet_path(path)
        && !is_spreadsheet_file(path)
    {
        return Err(ImportError::SheetNotFound {
            file: path.display().to_string(),
            sheet: format!("{:?}", options.sheet),
            available: "none: not a workbook".into(),
        });
    }
    let mut table = read_table(path, options)?;
    let mut mapping = infer_mapping(&table, options.preset, options.mapping.as_ref())?;
    if let Some(llm) = &options.llm {
        map_unresolved_with_llm(&mut mapping, &table, llm.as_ref()).await?;
    }
    if !mapping.has_fields() {
        return Err(ImportError::NothingMapped {
            file: table.file.clone(),
            headers: table.headers.join(", "),
        });
    }
    let source = options.source.clone().unwrap_or_else(|| {
        mapping
            .preset
            .map_or_else(|| "import:file".to_string(), Preset::source)
    });
    let records_read = table.records_read();
    let mut errors = std::mem::take(&mut table.errors);
    let (file, format, headers) = (
        table.file.clone(),
        table.format.clone(),
        table.headers.clone(),
    );
    let (rows, row_errors) = MappedRows::new(table, &mapping, &source);
    errors.extend(row_errors);
    errors.sort_by_key(|e| e.line);
    options.report(ImportProgress::Parsed {
        records: records_read,
    });
    Ok(ParsedFile {
        file,
        format,
        headers,
        mapping,
        source,
        records_read,
        errors,
        rows,
    })
}

/// What happened to one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowOutcome {
    /// The row's line.
    pub line: u64,
    /// New, updated or duplicate.
    pub status: RowStatus,
    /// The contact the row became or matched.
    pub contact: Option<ContactId>,
    /// The company the row named, created or matched.
    pub company: Option<CompanyId>,
}

/// What an import did (or, for a preview, would do).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    /// The file.
    pub file: String,
    /// How it was read.
    pub format: SourceFormat,
    /// The preset used.
    pub preset: Option<Preset>,
    /// The source recorded.
    pub source: String,
    /// Data records read.
    pub read: usize,
    /// Rows that became new records.
    pub imported: usize,
    /// Rows that matched a stored record by exact key and added to it.
    pub updated: usize,
    /// Rows that matched a stored record, or an earlier row of the file, by exact key
    /// (normalized email, LinkedIn URL, or for rows without either the name and
    /// company) and were merged into it instead of stored again.
    pub duplicates: usize,
    /// Companies created.
    pub companies_created: usize,
    /// Stored companies that gained values.
    pub companies_updated: usize,
    /// Rows reported and kept out.
    pub errors: Vec<RowError>,
    /// The mapping used.
    pub mapping: Vec<MappedColumn>,
    /// The import run's id (`None` for a preview).
    pub run_id: Option<RunId>,
    /// Every row's outcome, in file order.
    #[serde(skip)]
    pub outcomes: Vec<RowOutcome>,
}

/// A preview: what [`import_file`] would do, with nothing written.
pub type ImportPreview = ImportReport;

fn report_of(parsed: &ParsedFile, plan: &MatchPlan, run_id: Option<RunId>) -> ImportReport {
    let count = |s: RowStatus| plan.outcomes.iter().filter(|o| o.status == s).count();
    ImportReport {
        file: parsed.file.clone(),
        format: parsed.format.clone(),
        preset: parsed.mapping.preset,
        source: parsed.source.clone(),
        read: parsed.records_read,
        imported: count(RowStatus::New),
        updated: count(RowStatus::Updated),
        duplicates: count(RowStatus::Duplicate),
        companies_created: plan.companies_created,
        companies_updated: plan.companies_updated,
        errors: parsed.errors.clone(),
        mapping: parsed.mapping.columns.clone(),
        run_id,
        outcomes: plan.outcomes.clone(),
    }
}

/// Parses a file and matches it against the store, writing nothing.
pub async fn preview_file(
    store: &TenantStore,
    path: &Path,
    options: &ImportOptions,
) -> Result<ImportPreview, ImportError> {
    let parsed = parse_file(path, options).await?;
    let plan = plan_matches(store, &parsed).await?;
    Ok(report_of(&parsed, &plan, None))
}

/// Imports a file into the store.
///
/// Good rows are written (bulk upsert), malformed rows are reported, never the
/// reason a good row is lost. Rows that match a stored record by exact key
/// (normalized email, canonical LinkedIn URL) fill that record's empty fields instead
/// of creating another, so importing the same file twice creates no duplicates.
/// Contacts are linked to companies by domain or name. The job is stored as a run of
/// kind `import` whose `summary` holds the counts and the mapping.
///
/// A file that cannot be read at all fails before anything is written or recorded.
pub async fn import_file(
    store: &TenantStore,
    path: &Path,
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let parsed = parse_file(path, options).await?;
    let plan = plan_matches(store, &parsed).await?;
    options.report(ImportProgress::Matched {
        to_write: plan.contacts.len() + plan.companies.len(),
    });
    let mut run = RunRecord::new("import", vec!["import".into()]);
    run.status = RunStatus::Running;
    run.started_at = Some(Utc::now());
    let mut report = report_of(&parsed, &plan, Some(run.id));
    run.summary = summary(&report, None);
    store.save_run(&run).await?;
    let total = plan.contacts.len() + plan.companies.len();
    // Companies and contacts in one write: a failure leaves neither.
    let written = store
        .store()
        .upsert_companies_and_contacts(store.tenant(), &plan.companies, &plan.contacts)
        .await;
    run.finished_at = Some(Utc::now());
    match written {
        Ok(_) => {
            options.report(ImportProgress::Written { done: total, total });
            run.status = RunStatus::Completed;
            run.summary = summary(&report, None);
            store.save_run(&run).await?;
            let records = plan.contacts.len() + plan.companies.len();
            drop_in_background(plan, records);
            report.run_id = Some(run.id);
            Ok(report)
        }
        Err(e) => {
            run.status = RunStatus::Failed;
            run.summary = summary(&report, Some(&e.to_string()));
            // The write error is the one to report; a failure to record it is secondary.
            let _ = store.save_run(&run).await;
            Err(ImportError::Store(e))
        }
    }
}

/// Frees `value`, which holds `records` records, on another thread when they are
/// many: 100k written contacts, or the drafts merged into others, are millions of
/// small allocations (strings, provenance maps), and the caller need not wait.
pub(super) fn drop_in_background<T: Send + 'static>(value: T, records: usize) {
    if records < BACKGROUND_DROP_MIN {
        return;
    }
    // A thread that cannot start drops the value here instead.
    let _ = std::thread::Builder::new()
        .name("leadgen-import-free".into())
        .spawn(move || drop(value));
}

/// Records below this many are freed on the calling thread.
const BACKGROUND_DROP_MIN: usize = 10_000;

/// The run summary: counts, mapping, the first errors.
fn summary(report: &ImportReport, failure: Option<&str>) -> serde_json::Value {
    const MAX_ERRORS_IN_SUMMARY: usize = 1000;
    serde_json::json!({
        "file": report.file,
        "format": report.format,
        "preset": report.preset,
        "source": report.source,
        "counts": {
            "read": report.read,
            "imported": report.imported,
            "updated": report.updated,
            "duplicates": report.duplicates,
            "errors": report.errors.len(),
            "companies_created": report.companies_created,
            "companies_updated": report.companies_updated,
        },
        "mapping": report.mapping,
        "errors": report.errors.iter().take(MAX_ERRORS_IN_SUMMARY).collect::<Vec<_>>(),
        "failure": failure,
    })
}
