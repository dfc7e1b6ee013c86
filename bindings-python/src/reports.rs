//! What operations report back: upsert counts, pages, runs, audit entries.

use chrono::{DateTime, Utc};
use leadgen::core::store::{AuditEntry, RunRecord, UpsertReport};
use pyo3::prelude::*;

use crate::mapping::record_mapping;
use crate::records::{PyCompany, PyContact};

/// What an upsert did: rows inserted and rows updated.
#[pyclass(module = "leadgen", name = "UpsertReport", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyUpsertReport {
    #[pyo3(get)]
    inserted: u64,
    #[pyo3(get)]
    updated: u64,
}
record_mapping!(PyUpsertReport, "UpsertReport", ["inserted", "updated"]);

impl From<UpsertReport> for PyUpsertReport {
    fn from(r: UpsertReport) -> Self {
        PyUpsertReport {
            inserted: r.inserted,
            updated: r.updated,
        }
    }
}

/// One page of contacts and the cursor of the next page (`None` on the last).
#[pyclass(module = "leadgen", name = "ContactPage", frozen)]
pub struct PyContactPage {
    #[pyo3(get)]
    items: Vec<PyContact>,
    #[pyo3(get)]
    next_cursor: Option<String>,
}

#[pymethods]
impl PyContactPage {
    fn __len__(&self) -> usize {
        self.items.len()
    }
}

impl From<leadgen::core::store::Page<leadgen::core::Contact>> for PyContactPage {
    fn from(p: leadgen::core::store::Page<leadgen::core::Contact>) -> Self {
        PyContactPage {
            items: p.items.into_iter().map(Into::into).collect(),
            next_cursor: p.next_cursor,
        }
    }
}

/// One page of companies and the cursor of the next page (`None` on the last).
#[pyclass(module = "leadgen", name = "CompanyPage", frozen)]
pub struct PyCompanyPage {
    #[pyo3(get)]
    items: Vec<PyCompany>,
    #[pyo3(get)]
    next_cursor: Option<String>,
}

#[pymethods]
impl PyCompanyPage {
    fn __len__(&self) -> usize {
        self.items.len()
    }
}

impl From<leadgen::core::store::Page<leadgen::core::Company>> for PyCompanyPage {
    fn from(p: leadgen::core::store::Page<leadgen::core::Company>) -> Self {
        PyCompanyPage {
            items: p.items.into_iter().map(Into::into).collect(),
            next_cursor: p.next_cursor,
        }
    }
}

/// One run: an execution of stages over entities, or an import job.
#[pyclass(module = "leadgen", name = "Run", frozen)]
pub struct PyRun {
    #[pyo3(get)]
    id: String,
    #[pyo3(get)]
    kind: String,
    #[pyo3(get)]
    status: String,
    #[pyo3(get)]
    stages: Vec<String>,
    #[pyo3(get)]
    budget: Option<f64>,
    #[pyo3(get)]
    spent: f64,
    summary_json: serde_json::Value,
    #[pyo3(get)]
    created_at: DateTime<Utc>,
    #[pyo3(get)]
    started_at: Option<DateTime<Utc>>,
    #[pyo3(get)]
    finished_at: Option<DateTime<Utc>>,
}
record_mapping!(
    PyRun,
    "Run",
    [
        "id",
        "kind",
        "status",
        "stages",
        "budget",
        "spent",
        "summary",
        "created_at",
        "started_at",
        "finished_at"
    ]
);

#[pymethods]
impl PyRun {
    /// Free-form summary (counts, mapping used, errors) as dicts and lists.
    #[getter]
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::json::to_py(py, &self.summary_json)
    }
}

impl From<RunRecord> for PyRun {
    fn from(r: RunRecord) -> Self {
        PyRun {
            id: r.id.to_string(),
            kind: r.kind,
            status: r.status.as_str().to_string(),
            stages: r.stages,
            budget: r.budget.map(|b| b.as_credits()),
            spent: r.spent.as_credits(),
            summary_json: r.summary,
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
        }
    }
}

/// One entry of the audit log: who did what to which entity.
#[pyclass(module = "leadgen", name = "AuditEntry", frozen)]
pub struct PyAuditEntry {
    #[pyo3(get)]
    id: String,
    #[pyo3(get)]
    at: DateTime<Utc>,
    #[pyo3(get)]
    actor: String,
    #[pyo3(get)]
    action: String,
    /// `"contact:<uuid>"` or `"company:<uuid>"`.
    #[pyo3(get)]
    entity: Option<String>,
    details_json: serde_json::Value,
}
record_mapping!(
    PyAuditEntry,
    "AuditEntry",
    ["id", "at", "actor", "action", "entity", "details"]
);

#[pymethods]
impl PyAuditEntry {
    /// Details, as dicts and lists.
    #[getter]
    fn details<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::json::to_py(py, &self.details_json)
    }
}

impl From<AuditEntry> for PyAuditEntry {
    fn from(e: AuditEntry) -> Self {
        PyAuditEntry {
            id: e.id.to_string(),
            at: e.at,
            actor: e.actor,
            action: e.action,
            entity: e.entity.map(|r| r.to_string()),
            details_json: e.details,
        }
    }
}
