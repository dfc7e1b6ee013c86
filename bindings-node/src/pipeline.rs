//! Import, export, email validation, plans and runs of the built-in stages, and the
//! main job: one-line delegations to `leadgen::pipeline` and `leadgen::stages`. I/O
//! returns Promises; progress events reach a JavaScript callback through a
//! ThreadsafeFunction (never blocking the worker that sends them).

use std::path::PathBuf;
use std::sync::Arc;

use leadgen::core::executor::EventCallback;
use leadgen::pipeline::{self, EntitySelection, MainJobOptions};
use leadgen::stages::email::EmailVerification as RsEmailVerification;
use leadgen::stages::export::{
    ExportFormat, ExportOptions, ExportSummary as RsExportSummary, export_companies,
    export_contacts,
};
use leadgen::stages::import::{
    ImportOptions as RsImportOptions, ImportReport as RsImportReport, MappingOverride, Preset,
    ProgressFn, SheetSelector, import_file, preview_file,
};
use napi::bindgen_prelude::{AsyncTask, PromiseRaw};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Status, Task};
use napi_derive::napi;
use serde::Serialize;
use serde_json::Value;

use crate::client::{Tenant, entity_ref};
use crate::errors::{invalid, promise};
use crate::reports::{CompanyQuery, ContactQuery, company_filter, contact_filter};

/// A JavaScript progress callback, called with one event object per call.
pub type ProgressCallback = ThreadsafeFunction<Value, (), Value, Status, false>;

/// snake_case keys (as leadgen serializes) in camelCase, recursively.
fn camel(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let mut out = String::with_capacity(k.len());
                    let mut upper = false;
                    for ch in k.chars() {
                        if ch == '_' {
                            upper = true;
                        } else if upper {
                            out.extend(ch.to_uppercase());
                            upper = false;
                        } else {
                            out.push(ch);
                        }
                    }
                    (out, camel(v))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(camel).collect()),
        other => other,
    }
}

fn json_of<T: Serialize>(value: &T) -> Value {
    camel(serde_json::to_value(value).unwrap_or(Value::Null))
}

/// The snake_case name a unit enum serializes to.
fn name_of<T: Serialize + std::fmt::Debug>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        _ => format!("{value:?}"),
    }
}

/// A Rust callback receiving events of type `T`.
type Callback<T> = Arc<dyn Fn(&T) + Send + Sync>;

/// A Rust callback that queues each event for the JavaScript callback.
fn forward<T: Serialize>(callback: Option<ProgressCallback>) -> Option<Callback<T>> {
    let callback = Arc::new(callback?);
    Some(Arc::new(move |event: &T| {
        callback.call(json_of(event), ThreadsafeFunctionCallMode::NonBlocking);
    }))
}

fn usize_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn u64_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// How to read a file.
#[napi(object)]
#[derive(Default)]
pub struct ImportFileOptions {
    /// `linkedin_connections`, `sales_navigator`, `apollo`, `hubspot`, `google_contacts`, `leadgen`.
    pub preset: Option<String>,
    /// Header → field name, `ignore` or `attribute`.
    pub mapping: Option<std::collections::HashMap<String, String>>,
    /// The path of a JSON/TOML mapping override file.
    pub mapping_file: Option<String>,
    /// The delimiter of a text file (else sniffed).
    pub delimiter: Option<String>,
    /// A workbook's sheet, by name.
    pub sheet: Option<String>,
    /// The `source` recorded on the records.
    pub source: Option<String>,
}

fn import_options(
    o: Option<ImportFileOptions>,
    progress: Option<ProgressFn>,
) -> leadgen::Result<RsImportOptions> {
    let o = o.unwrap_or_default();
    let mut options = RsImportOptions {
        source: o.source,
        progress,
        ..RsImportOptions::default()
    };
    if let Some(p) = o.preset {
        options.preset = Some(Preset::parse(&p)?);
    }
    if let Some(columns) = o.mapping {
        let json = serde_json::json!({ "columns": columns });
        options.mapping = Some(MappingOverride::from_json_str(
            &json.to_string(),
            "mapping",
        )?);
    } else if let Some(file) = o.mapping_file {
        options.mapping = Some(MappingOverride::from_file(file.as_ref())?);
    }
    if let Some(d) = o.delimiter {
        match d.as_bytes() {
            [b] => options.delimiter = Some(*b),
            _ => {
                return Err(invalid(
                    "delimiter",
                    format!("{d:?}: one ASCII character expected"),
                ));
            }
        }
    }
    if let Some(s) = o.sheet {
        options.sheet = SheetSelector::parse(&s);
    }
    Ok(options)
}

/// One row that was reported and kept out of the import.
#[napi(object)]
pub struct RowError {
    pub file: String,
    pub line: i64,
    pub column: Option<String>,
    /// `too_many_fields`, `too_few_fields`, `unterminated_quote`, …
    pub kind: String,
    pub reason: String,
}

/// How one column was mapped.
#[napi(object)]
pub struct MappedColumn {
    pub index: i64,
    pub header: String,
    pub field: Option<String>,
    pub confidence: f64,
    pub method: String,
}

/// What an import did (or, for a preview, would do).
#[napi(object)]
pub struct ImportReport {
    pub file: String,
    /// How the file was read: `{ format: 'csv', encoding, delimiter, … }`.
    #[napi(ts_type = "Record<string, unknown>")]
    pub format: Value,
    pub preset: Option<String>,
    pub source: String,
    pub read: i64,
    pub imported: i64,
    pub updated: i64,
    pub duplicates: i64,
    pub companies_created: i64,
    pub companies_updated: i64,
    pub errors: Vec<RowError>,
    pub mapping: Vec<MappedColumn>,
    pub run_id: Option<String>,
    /// The contacts the rows became or matched, in file order, without repeats.
    pub contact_ids: Vec<String>,
}

impl From<RsImportReport> for ImportReport {
    fn from(r: RsImportReport) -> Self {
        let mut seen = std::collections::HashSet::new();
        ImportReport {
            format: json_of(&r.format),
            preset: r.preset.map(|p| p.id().to_string()),
            read: usize_i64(r.read),
            imported: usize_i64(r.imported),
            updated: usize_i64(r.updated),
            duplicates: usize_i64(r.duplicates),
            companies_created: usize_i64(r.companies_created),
            companies_updated: usize_i64(r.companies_updated),
            errors: r
                .errors
                .into_iter()
                .map(|e| RowError {
                    kind: e.kind.as_str().to_string(),
                    file: e.file,
                    line: u64_i64(e.line),
                    column: e.column,
                    reason: e.reason,
                })
                .collect(),
            mapping: r
                .mapping
                .into_iter()
                .map(|c| MappedColumn {
                    field: c.field.as_ref().map(name_of),
                    method: name_of(&c.method),
                    index: usize_i64(c.index),
                    header: c.header,
                    confidence: f64::from(c.confidence),
                })
                .collect(),
            run_id: r.run_id.map(|id| id.to_string()),
            contact_ids: r
                .outcomes
                .iter()
                .filter_map(|o| o.contact)
                .filter(|id| seen.insert(*id))
                .map(|id| id.to_string())
                .collect(),
            file: r.file,
            source: r.source,
        }
    }
}

/// Which records to export and how.
#[napi(object)]
#[derive(Default)]
pub struct ExportFileOptions {
    /// `csv`, `xlsx` or `jsonl` (default: from the extension).
    pub format: Option<String>,
    /// Columns, in order (`first_name`, `email`, `attributes.<name>`, …).
    pub columns: Option<Vec<String>>,
    /// Only these contacts, in this order.
    pub ids: Option<Vec<String>>,
}

/// What an export wrote.
#[napi(object)]
pub struct ExportSummary {
    pub path: String,
    pub format: String,
    pub rows: i64,
    pub columns: Vec<String>,
}

impl From<RsExportSummary> for ExportSummary {
    fn from(s: RsExportSummary) -> Self {
        ExportSummary {
            format: s.format.as_str().to_string(),
            path: s.path,
            rows: usize_i64(s.rows),
            columns: s.columns,
        }
    }
}

fn export_options(path: &std::path::Path, o: ExportFileOptions) -> leadgen::Result<ExportOptions> {
    let format = match &o.format {
        Some(f) => ExportFormat::parse(f)?,
        None => ExportFormat::from_path(path)?,
    };
    let mut options = ExportOptions::new(format);
    options.columns = o.columns;
    options.contact_ids = o
        .ids
        .map(|ids| {
            ids.iter()
                .map(|id| leadgen::core::ContactId::parse(id))
                .collect::<leadgen::Result<_>>()
        })
        .transpose()?;
    Ok(options)
}

/// The verdict on one email address.
#[napi(object)]
pub struct EmailVerification {
    pub address: String,
    /// `valid`, `invalid`, `risky` or `unknown`.
    pub status: String,
    pub reasons: Vec<String>,
    pub detail: Option<String>,
    pub normalized: Option<String>,
    pub ascii: Option<String>,
    pub canonical: Option<String>,
    pub disposable: bool,
    pub role_account: bool,
    pub free_provider: bool,
    pub depth: String,
}

impl From<RsEmailVerification> for EmailVerification {
    fn from(v: RsEmailVerification) -> Self {
        EmailVerification {
            status: v.status.as_str().to_string(),
            reasons: v.reasons.iter().map(|r| r.code()).collect(),
            depth: v.depth.as_str().to_string(),
            disposable: v.flags.disposable,
            role_account: v.flags.role_account,
            free_provider: v.flags.free_provider,
            address: v.address,
            detail: v.detail,
            normalized: v.normalized,
            ascii: v.ascii,
            canonical: v.canonical,
        }
    }
}

/// What a run would do, before anything runs.
#[napi(object)]
pub struct Plan {
    pub pairs_to_run: i64,
    pub companies: i64,
    pub contacts: i64,
    pub estimated_credits: f64,
    /// Per stage: `{ stage, kind, entities, toRun, alreadyDone, skipped, … }`.
    #[napi(ts_type = "Array<Record<string, unknown>>")]
    pub stages: Value,
    pub text: String,
}

impl From<pipeline::Plan> for Plan {
    fn from(p: pipeline::Plan) -> Self {
        Plan {
            pairs_to_run: u64_i64(p.pairs_to_run),
            companies: u64_i64(p.companies),
            contacts: u64_i64(p.contacts),
            estimated_credits: p.estimated_credits.as_credits(),
            stages: json_of(&p.stages),
            text: p.to_text(),
        }
    }
}

/// What one run did.
#[napi(object)]
pub struct RunSummary {
    pub run_id: String,
    pub status: String,
    pub pairs_finished: i64,
    pub spent: f64,
    /// Wall time, in seconds.
    pub elapsed: f64,
    pub error: Option<String>,
    /// Per stage: `{ stage, counts: { completed, skipped, failed, … }, cost, attempts }`.
    #[napi(ts_type = "Array<Record<string, unknown>>")]
    pub stages: Value,
    pub text: String,
}

impl From<pipeline::RunSummary> for RunSummary {
    fn from(s: pipeline::RunSummary) -> Self {
        RunSummary {
            run_id: s.run_id.to_string(),
            status: s.status.as_str().to_string(),
            pairs_finished: u64_i64(s.pairs_finished()),
            spent: s.spent.as_credits(),
            elapsed: s.elapsed.as_secs_f64(),
            stages: json_of(&s.stages),
            text: s.to_text(),
            error: s.error,
        }
    }
}

/// The steps of the main job; every step is on unless turned off.
#[napi(object)]
#[derive(Default)]
pub struct MainJobFileOptions {
    /// Export the job's contacts here (format from the extension).
    pub output: Option<String>,
    pub columns: Option<Vec<String>>,
    pub preset: Option<String>,
    pub mapping: Option<std::collections::HashMap<String, String>>,
    pub normalize: Option<bool>,
    pub dedup: Option<bool>,
    pub validate_emails: Option<bool>,
}

/// What the main job did, step by step (`null`: the step was off).
#[napi(object)]
pub struct MainJobReport {
    pub import_report: ImportReport,
    pub normalize: Option<RunSummary>,
    pub clusters_merged: Option<i64>,
    pub validate_emails: Option<RunSummary>,
    pub export: Option<ExportSummary>,
    pub contacts: i64,
}

fn selection(entities: Option<Vec<String>>) -> leadgen::Result<EntitySelection> {
    match entities {
        None => Ok(EntitySelection::All),
        Some(refs) => Ok(EntitySelection::Refs(
            refs.iter()
                .map(|r| entity_ref(r))
                .collect::<leadgen::Result<_>>()?,
        )),
    }
}

fn stage_list(stages: Vec<String>) -> leadgen::Result<Vec<String>> {
    if stages.is_empty() {
        return Err(invalid("stages", "no stage given"));
    }
    Ok(stages)
}

#[napi]
impl Tenant {
    /// Imports a file (CSV in any common encoding/delimiter, XLSX/XLS/ODS, JSON Lines):
    /// good rows are written, malformed rows come back in `errors` with line, column
    /// and reason. `onProgress` gets `{ phase: 'parsed' | 'matched' | 'written', … }`.
    #[napi(
        ts_args_type = "path: string, options?: ImportFileOptions | undefined | null, onProgress?: ((event: Record<string, unknown>) => void) | undefined | null",
        ts_return_type = "Promise<ImportReport>"
    )]
    pub fn import_file<'env>(
        &self,
        env: &'env Env,
        path: String,
        options: Option<ImportFileOptions>,
        on_progress: Option<ProgressCallback>,
    ) -> napi::Result<PromiseRaw<'env, ImportReport>> {
        let store = self.store();
        let progress = forward(on_progress).map(|f| -> ProgressFn { Arc::new(move |p| f(&p)) });
        promise(env, async move {
            let options = import_options(options, progress)?;
            Ok(import_file(&store, path.as_ref(), &options).await?.into())
        })
    }

    /// What `importFile` would do — counts, row errors, the mapping — writing nothing.
    #[napi(ts_return_type = "Promise<ImportReport>")]
    pub fn preview_file<'env>(
        &self,
        env: &'env Env,
        path: String,
        options: Option<ImportFileOptions>,
    ) -> napi::Result<PromiseRaw<'env, ImportReport>> {
        let store = self.store();
        promise(env, async move {
            let options = import_options(options, None)?;
            Ok(preview_file(&store, path.as_ref(), &options).await?.into())
        })
    }

    /// Writes contacts matching `query` (or `options.ids`) to `path`.
    #[napi(ts_return_type = "Promise<ExportSummary>")]
    pub fn export_contacts<'env>(
        &self,
        env: &'env Env,
        path: String,
        options: Option<ExportFileOptions>,
        query: Option<ContactQuery>,
    ) -> napi::Result<PromiseRaw<'env, ExportSummary>> {
        let store = self.store();
        promise(env, async move {
            let path = PathBuf::from(path);
            let mut options = export_options(&path, options.unwrap_or_default())?;
            options.contact_filter = contact_filter(query)?;
            Ok(export_contacts(&store, &path, &options).await?.into())
        })
    }

    /// Writes companies matching `query` to `path`.
    #[napi(ts_return_type = "Promise<ExportSummary>")]
    pub fn export_companies<'env>(
        &self,
        env: &'env Env,
        path: String,
        options: Option<ExportFileOptions>,
        query: Option<CompanyQuery>,
    ) -> napi::Result<PromiseRaw<'env, ExportSummary>> {
        let store = self.store();
        promise(env, async move {
            let path = PathBuf::from(path);
            let mut options = export_options(&path, options.unwrap_or_default())?;
            options.company_filter = company_filter(query);
            Ok(export_companies(&store, &path, &options).await?.into())
        })
    }

    /// What running `stages` over `entities` (`'contact:<id>'`/`'company:<id>'`;
    /// omitted: every entity) would do.
    #[napi(ts_return_type = "Promise<Plan>")]
    pub fn plan<'env>(
        &self,
        env: &'env Env,
        stages: Vec<String>,
        entities: Option<Vec<String>>,
    ) -> napi::Result<PromiseRaw<'env, Plan>> {
        let store = self.store();
        promise(env, async move {
            let (stages, entities) = (stage_list(stages)?, selection(entities)?);
            Ok(pipeline::plan(&store, &stages, entities).await?.into())
        })
    }

    /// Runs the built-in `stages` over `entities`; `onProgress` gets every executor
    /// event (`{ event: 'run_started' | 'pair_finished' | 'stage_finished' | 'run_finished', runId, … }`).
    #[napi(
        ts_args_type = "stages: string[], entities?: string[] | undefined | null, onProgress?: ((event: Record<string, unknown>) => void) | undefined | null",
        ts_return_type = "Promise<RunSummary>"
    )]
    pub fn run<'env>(
        &self,
        env: &'env Env,
        stages: Vec<String>,
        entities: Option<Vec<String>>,
        on_progress: Option<ProgressCallback>,
    ) -> napi::Result<PromiseRaw<'env, RunSummary>> {
        let store = self.store();
        let callback: Option<EventCallback> = forward(on_progress);
        promise(env, async move {
            let (stages, entities) = (stage_list(stages)?, selection(entities)?);
            Ok(pipeline::run(&store, &stages, entities, callback)
                .await?
                .into())
        })
    }

    /// The main job on one file: import, normalize, dedup, validate emails, export.
    #[napi(
        ts_args_type = "path: string, options?: MainJobFileOptions | undefined | null, onProgress?: ((event: Record<string, unknown>) => void) | undefined | null",
        ts_return_type = "Promise<MainJobReport>"
    )]
    pub fn main_job<'env>(
        &self,
        env: &'env Env,
        path: String,
        options: Option<MainJobFileOptions>,
        on_progress: Option<ProgressCallback>,
    ) -> napi::Result<PromiseRaw<'env, MainJobReport>> {
        let store = self.store();
        let callback: Option<EventCallback> = forward(on_progress);
        promise(env, async move {
            let o = options.unwrap_or_default();
            let import = import_options(
                Some(ImportFileOptions {
                    preset: o.preset,
                    mapping: o.mapping,
                    ..Default::default()
                }),
                None,
            )?;
            let options = MainJobOptions {
                import,
                normalize: o.normalize.unwrap_or(true),
                dedup: o.dedup.unwrap_or(true),
                validate_emails: o.validate_emails.unwrap_or(true),
                output: o.output.map(PathBuf::from),
                columns: o.columns,
            };
            let r = pipeline::main_job(&store, path.as_ref(), &options, callback).await?;
            Ok(MainJobReport {
                import_report: r.import.into(),
                normalize: r.normalize.map(Into::into),
                clusters_merged: r.dedup.map(|d| usize_i64(d.clusters_merged)),
                validate_emails: r.validate_emails.map(Into::into),
                export: r.export.map(Into::into),
                contacts: usize_i64(r.contacts),
            })
        })
    }
}

/// Validates one address offline: syntax, normalization, disposable/role/free-mail.
#[napi]
pub fn validate_email(address: String) -> EmailVerification {
    pipeline::validate_email(&address).into()
}

/// The work of `validateEmails`, done off the JavaScript thread.
pub struct ValidateEmails {
    addresses: Vec<String>,
}

impl Task for ValidateEmails {
    type Output = Vec<RsEmailVerification>;
    type JsValue = Vec<EmailVerification>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(pipeline::validate_emails(&self.addresses))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output.into_iter().map(Into::into).collect())
    }
}

/// Validates many addresses offline, off the JavaScript thread; same order as given.
#[napi(ts_return_type = "Promise<EmailVerification[]>")]
pub fn validate_emails(addresses: Vec<String>) -> AsyncTask<ValidateEmails> {
    AsyncTask::new(ValidateEmails { addresses })
}

/// The work of `validateEmailsPacked`: splitting, validation and packing, all off the
/// JavaScript thread.
pub struct ValidateEmailsPacked {
    joined: String,
    count: u32,
}

impl Task for ValidateEmailsPacked {
    type Output = String;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let addresses = crate::packed::split_inputs(&self.joined, self.count)?;
        let verdicts = pipeline::validate_emails(&addresses);
        Ok(crate::packed::email_verifications(&addresses, &verdicts))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
}

/// The transport of the package's `validateEmails` (use that): `count` addresses
/// joined by NUL characters in, the verdicts as one JSON array of 9 cells per address
/// out, which `leadgen.js` turns into `EmailVerification` objects.
#[napi(ts_return_type = "Promise<string>")]
pub fn validate_emails_packed(joined: String, count: u32) -> AsyncTask<ValidateEmailsPacked> {
    AsyncTask::new(ValidateEmailsPacked { joined, count })
}

/// The ids of the built-in stages (`tenant.plan`/`tenant.run` accept these).
#[napi]
pub fn builtin_stages() -> Vec<String> {
    pipeline::BUILTIN_STAGES
        .iter()
        .map(|s| s.to_string())
        .collect()
}
