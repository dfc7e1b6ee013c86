//! What import, export, email validation, plans and runs report back, as typed
//! read-only records (`to_dict()`, mapping protocol).

use leadgen::pipeline::{MainJobReport, Plan, RunSummary};
use leadgen::stages::email::EmailVerification;
use leadgen::stages::export::ExportSummary;
use leadgen::stages::import::{ImportReport, MappedColumn, RowError};
use pyo3::prelude::*;
use serde::Serialize;

use crate::mapping::record_mapping;

/// A serializable value as JSON (every leadgen report type serializes).
pub fn json_of<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// The snake_case name a unit enum serializes to.
fn name_of<T: Serialize + std::fmt::Debug>(value: &T) -> String {
    match json_of(value) {
        serde_json::Value::String(s) => s,
        _ => format!("{value:?}"),
    }
}

/// One row of a file that was reported and kept out of the import.
#[pyclass(module = "leadgen", name = "RowError", frozen)]
pub struct PyRowError {
    #[pyo3(get)]
    file: String,
    /// 1-based line (CSV) or worksheet row.
    #[pyo3(get)]
    line: u64,
    /// The column concerned, by header, when one is.
    #[pyo3(get)]
    column: Option<String>,
    /// `too_many_fields`, `too_few_fields`, `unterminated_quote`, …
    #[pyo3(get)]
    kind: String,
    #[pyo3(get)]
    reason: String,
}
record_mapping!(
    PyRowError,
    "RowError",
    ["file", "line", "column", "kind", "reason"]
);

impl From<RowError> for PyRowError {
    fn from(e: RowError) -> Self {
        PyRowError {
            kind: e.kind.as_str().to_string(),
            file: e.file,
            line: e.line,
            column: e.column,
            reason: e.reason,
        }
    }
}

/// How one column of an imported file was mapped.
#[pyclass(module = "leadgen", name = "MappedColumn", frozen)]
pub struct PyMappedColumn {
    #[pyo3(get)]
    index: usize,
    #[pyo3(get)]
    header: String,
    /// The leadgen field, or `None` (kept as an attribute, or ignored).
    #[pyo3(get)]
    field: Option<String>,
    #[pyo3(get)]
    confidence: f32,
    /// `user`, `preset`, `alias`, `fuzzy`, `content`, `llm`, …
    #[pyo3(get)]
    method: String,
}
record_mapping!(
    PyMappedColumn,
    "MappedColumn",
    ["index", "header", "field", "confidence", "method"]
);

impl From<MappedColumn> for PyMappedColumn {
    fn from(c: MappedColumn) -> Self {
        PyMappedColumn {
            field: c.field.as_ref().map(name_of),
            method: name_of(&c.method),
            index: c.index,
            header: c.header,
            confidence: c.confidence,
        }
    }
}

/// What an import did (or, for a preview, would do).
#[pyclass(module = "leadgen", name = "ImportReport", frozen)]
pub struct PyImportReport {
    #[pyo3(get)]
    file: String,
    format_json: serde_json::Value,
    #[pyo3(get)]
    preset: Option<String>,
    #[pyo3(get)]
    source: String,
    #[pyo3(get)]
    read: usize,
    #[pyo3(get)]
    imported: usize,
    #[pyo3(get)]
    updated: usize,
    #[pyo3(get)]
    duplicates: usize,
    #[pyo3(get)]
    companies_created: usize,
    #[pyo3(get)]
    companies_updated: usize,
    #[pyo3(get)]
    errors: Vec<Py<PyRowError>>,
    #[pyo3(get)]
    mapping: Vec<Py<PyMappedColumn>>,
    /// The import run's id (`None` for a preview).
    #[pyo3(get)]
    run_id: Option<String>,
    /// The contacts the rows became or matched, in file order, without repeats.
    #[pyo3(get)]
    contact_ids: Vec<String>,
}
record_mapping!(
    PyImportReport,
    "ImportReport",
    [
        "file",
        "format",
        "preset",
        "source",
        "read",
        "imported",
        "updated",
        "duplicates",
        "companies_created",
        "companies_updated",
        "errors",
        "mapping",
        "run_id",
        "contact_ids"
    ]
);

#[pymethods]
impl PyImportReport {
    /// How the file was read: `{"format": "csv", "encoding": …, "delimiter": …}`.
    #[getter]
    fn format<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::json::to_py(py, &self.format_json)
    }
}

impl PyImportReport {
    /// The report as Python objects.
    pub fn new(py: Python<'_>, r: ImportReport) -> PyResult<Self> {
        let mut seen = std::collections::HashSet::new();
        let contact_ids = r
            .outcomes
            .iter()
            .filter_map(|o| o.contact)
            .filter(|id| seen.insert(*id))
            .map(|id| id.to_string())
            .collect();
        Ok(PyImportReport {
            format_json: json_of(&r.format),
            preset: r.preset.map(|p| p.id().to_string()),
            read: r.read,
            imported: r.imported,
            updated: r.updated,
            duplicates: r.duplicates,
            companies_created: r.companies_created,
            companies_updated: r.companies_updated,
            errors: r
                .errors
                .into_iter()
                .map(|e| Py::new(py, PyRowError::from(e)))
                .collect::<PyResult<_>>()?,
            mapping: r
                .mapping
                .into_iter()
                .map(|c| Py::new(py, PyMappedColumn::from(c)))
                .collect::<PyResult<_>>()?,
            run_id: r.run_id.map(|id| id.to_string()),
            contact_ids,
            file: r.file,
            source: r.source,
        })
    }
}

/// What an export wrote.
#[pyclass(module = "leadgen", name = "ExportSummary", frozen)]
pub struct PyExportSummary {
    #[pyo3(get)]
    path: String,
    /// `csv`, `xlsx` or `jsonl`.
    #[pyo3(get)]
    format: String,
    /// Rows written (without the header).
    #[pyo3(get)]
    rows: usize,
    #[pyo3(get)]
    columns: Vec<String>,
}
record_mapping!(
    PyExportSummary,
    "ExportSummary",
    ["path", "format", "rows", "columns"]
);

impl From<ExportSummary> for PyExportSummary {
    fn from(s: ExportSummary) -> Self {
        PyExportSummary {
            format: s.format.as_str().to_string(),
            path: s.path,
            rows: s.rows,
            columns: s.columns,
        }
    }
}

/// The verdict on one email address (offline checks: syntax, normalization, flags).
/// Holds the Rust result; attributes are converted when read, so a batch of 100 000
/// costs little more than the checks themselves.
#[pyclass(module = "leadgen", name = "EmailVerification", frozen)]
pub struct PyEmailVerification {
    inner: EmailVerification,
}
record_mapping!(
    PyEmailVerification,
    "EmailVerification",
    [
        "address",
        "status",
        "reasons",
        "detail",
        "normalized",
        "ascii",
        "canonical",
        "disposable",
        "role_account",
        "free_provider",
        "depth"
    ]
);

#[pymethods]
impl PyEmailVerification {
    /// The address as given.
    #[getter]
    fn address(&self) -> &str {
        &self.inner.address
    }
    /// `valid`, `invalid`, `risky` or `unknown`.
    #[getter]
    fn status(&self) -> &'static str {
        self.inner.status.as_str()
    }
    /// Machine-readable reasons, most decisive first (`syntax.no_at_sign`, `disposable`).
    #[getter]
    fn reasons(&self) -> Vec<String> {
        self.inner.reasons.iter().map(|r| r.code()).collect()
    }
    /// A human-readable detail for the first reason.
    #[getter]
    fn detail(&self) -> Option<&str> {
        self.inner.detail.as_deref()
    }
    /// The normalized address, when the syntax is valid.
    #[getter]
    fn normalized(&self) -> Option<&str> {
        self.inner.normalized.as_deref()
    }
    /// The ASCII form (`local@xn--…`).
    #[getter]
    fn ascii(&self) -> Option<&str> {
        self.inner.ascii.as_deref()
    }
    /// The provider's canonical mailbox (Gmail dots and `+tag` removed).
    #[getter]
    fn canonical(&self) -> Option<&str> {
        self.inner.canonical.as_deref()
    }
    /// A disposable-mail domain.
    #[getter]
    fn disposable(&self) -> bool {
        self.inner.flags.disposable
    }
    /// A role account (`info@`).
    #[getter]
    fn role_account(&self) -> bool {
        self.inner.flags.role_account
    }
    /// A free-mail provider.
    #[getter]
    fn free_provider(&self) -> bool {
        self.inner.flags.free_provider
    }
    /// The depth the checks went to (`syntax`).
    #[getter]
    fn depth(&self) -> &'static str {
        self.inner.depth.as_str()
    }
}

impl From<EmailVerification> for PyEmailVerification {
    fn from(inner: EmailVerification) -> Self {
        PyEmailVerification { inner }
    }
}

/// What a run would do, before anything runs.
#[pyclass(module = "leadgen", name = "Plan", frozen)]
pub struct PyPlan {
    /// Pairs (entity, stage) that would run.
    #[pyo3(get)]
    pairs_to_run: u64,
    #[pyo3(get)]
    companies: u64,
    #[pyo3(get)]
    contacts: u64,
    #[pyo3(get)]
    estimated_credits: f64,
    stages_json: serde_json::Value,
    /// The plan as text, for a terminal.
    #[pyo3(get)]
    text: String,
}
record_mapping!(
    PyPlan,
    "Plan",
    [
        "pairs_to_run",
        "companies",
        "contacts",
        "estimated_credits",
        "stages",
        "text"
    ]
);

#[pymethods]
impl PyPlan {
    /// Per stage, dependencies first: `{"stage", "kind", "entities", "to_run",
    /// "already_done", "skipped", …}`.
    #[getter]
    fn stages<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::json::to_py(py, &self.stages_json)
    }
}

impl From<Plan> for PyPlan {
    fn from(p: Plan) -> Self {
        PyPlan {
            pairs_to_run: p.pairs_to_run,
            companies: p.companies,
            contacts: p.contacts,
            estimated_credits: p.estimated_credits.as_credits(),
            stages_json: json_of(&p.stages),
            text: p.to_text(),
        }
    }
}

/// What one run did.
#[pyclass(module = "leadgen", name = "RunSummary", frozen)]
pub struct PyRunSummary {
    #[pyo3(get)]
    run_id: String,
    /// `completed`, `failed`, `cancelled`, …
    #[pyo3(get)]
    status: String,
    /// Pairs that reached an outcome in this run.
    #[pyo3(get)]
    pairs_finished: u64,
    #[pyo3(get)]
    spent: f64,
    /// Wall time, in seconds.
    #[pyo3(get)]
    elapsed: f64,
    #[pyo3(get)]
    error: Option<String>,
    stages_json: serde_json::Value,
    /// The summary as text, for a terminal.
    #[pyo3(get)]
    text: String,
}
record_mapping!(
    PyRunSummary,
    "RunSummary",
    [
        "run_id",
        "status",
        "pairs_finished",
        "spent",
        "elapsed",
        "error",
        "stages",
        "text"
    ]
);

#[pymethods]
impl PyRunSummary {
    /// Per stage: `{"stage", "counts": {"completed", "skipped", "failed", …}, "cost",
    /// "attempts"}`.
    #[getter]
    fn stages<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::json::to_py(py, &self.stages_json)
    }
}

impl From<RunSummary> for PyRunSummary {
    fn from(s: RunSummary) -> Self {
        PyRunSummary {
            run_id: s.run_id.to_string(),
            status: s.status.as_str().to_string(),
            pairs_finished: s.pairs_finished(),
            spent: s.spent.as_credits(),
            elapsed: s.elapsed.as_secs_f64(),
            stages_json: json_of(&s.stages),
            text: s.to_text(),
            error: s.error,
        }
    }
}

/// What the main job did, step by step (`None`: the step was off).
#[pyclass(module = "leadgen", name = "MainJobReport", frozen)]
pub struct PyMainJobReport {
    #[pyo3(get)]
    import_report: Py<PyImportReport>,
    #[pyo3(get)]
    normalize: Option<Py<PyRunSummary>>,
    /// Clusters merged by deduplication.
    #[pyo3(get)]
    clusters_merged: Option<usize>,
    #[pyo3(get)]
    validate_emails: Option<Py<PyRunSummary>>,
    #[pyo3(get)]
    export: Option<Py<PyExportSummary>>,
    /// The job's contacts after dedup.
    #[pyo3(get)]
    contacts: usize,
}
record_mapping!(
    PyMainJobReport,
    "MainJobReport",
    [
        "import_report",
        "normalize",
        "clusters_merged",
        "validate_emails",
        "export",
        "contacts"
    ]
);

impl PyMainJobReport {
    /// The report as Python objects.
    pub fn new(py: Python<'_>, r: MainJobReport) -> PyResult<Self> {
        Ok(PyMainJobReport {
            import_report: Py::new(py, PyImportReport::new(py, r.import)?)?,
            normalize: r
                .normalize
                .map(|s| Py::new(py, PyRunSummary::from(s)))
                .transpose()?,
            clusters_merged: r.dedup.map(|d| d.clusters_merged),
            validate_emails: r
                .validate_emails
                .map(|s| Py::new(py, PyRunSummary::from(s)))
                .transpose()?,
            export: r
                .export
                .map(|s| Py::new(py, PyExportSummary::from(s)))
                .transpose()?,
            contacts: r.contacts,
        })
    }
}
