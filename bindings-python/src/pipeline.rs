//! Import, export, email validation, plans and runs of the built-in stages, and the
//! main job: one-line delegations to `leadgen::pipeline` and `leadgen::stages`, with
//! the GIL released while Rust works and progress handed to a Python callable.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use leadgen::core::executor::EventCallback;
use leadgen::core::store::TenantStore;
use leadgen::pipeline::{self, EntitySelection, MainJobOptions};
use leadgen::stages::export::{ExportFormat, ExportOptions, export_companies, export_contacts};
use leadgen::stages::import::{
    ImportOptions, MappingOverride, Preset, ProgressFn, SheetSelector, import_file, preview_file,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use serde::Serialize;

use crate::client::{PyTenant, company_filter, contact_filter, contact_id, entity_ref};
use crate::errors::{invalid, to_py};
use crate::pipeline_reports::{
    PyEmailVerification, PyExportSummary, PyImportReport, PyMainJobReport, PyPlan, PyRunSummary,
    json_of,
};
use crate::runtime::{awaitable, block_on};

/// The first exception a progress callable raised; later events are not delivered.
type Raised = Arc<Mutex<Option<PyErr>>>;

/// A Rust callback receiving events of type `T`.
type Callback<T> = Arc<dyn Fn(&T) + Send + Sync>;

/// A Rust callback that hands each event, as a dict, to `callable` (with the GIL
/// taken for the call only). An exception stops delivery and is raised after the call.
fn forward<T: Serialize>(callable: Option<Py<PyAny>>) -> (Option<Callback<T>>, Raised) {
    let raised: Raised = Arc::new(Mutex::new(None));
    let Some(callable) = callable else {
        return (None, raised);
    };
    let slot = raised.clone();
    let callback = move |event: &T| {
        let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_some() {
            return;
        }
        let value = json_of(event);
        Python::attach(|py| {
            let result = crate::json::to_py(py, &value).and_then(|arg| callable.call1(py, (arg,)));
            if let Err(e) = result {
                *slot = Some(e);
            }
        });
    };
    (Some(Arc::new(callback)), raised)
}

/// Raises what the progress callable raised, if it did.
fn reraise(raised: &Raised) -> PyResult<()> {
    match raised.lock().unwrap_or_else(|p| p.into_inner()).take() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// A callable or `None`; anything else is a `TypeError` before any work starts.
fn callable(on_progress: Option<Bound<'_, PyAny>>) -> PyResult<Option<Py<PyAny>>> {
    match on_progress {
        None => Ok(None),
        Some(f) if f.is_none() => Ok(None),
        Some(f) if f.is_callable() => Ok(Some(f.unbind())),
        Some(f) => Err(PyTypeError::new_err(format!(
            "on_progress must be callable, not {}",
            f.get_type().name()?
        ))),
    }
}

/// A path given as `str` or `os.PathLike`.
fn path_arg(field: &str, value: &Bound<'_, PyAny>) -> PyResult<PathBuf> {
    value.extract::<PathBuf>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{field} must be a str or os.PathLike, not {}",
            value
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })
}

/// A mapping override: a dict (header → field name, `ignore` or `attribute`) or the
/// path of a JSON/TOML override file.
fn mapping_arg(value: &Bound<'_, PyAny>) -> PyResult<MappingOverride> {
    if let Ok(columns) = value.cast::<PyDict>() {
        let json = serde_json::json!({ "columns": crate::json::from_py(columns.as_any())? });
        return MappingOverride::from_json_str(&json.to_string(), "mapping")
            .map_err(|e| to_py(e.into()));
    }
    if value.is_instance_of::<PyString>() || value.hasattr("__fspath__")? {
        let path = path_arg("mapping", value)?;
        return MappingOverride::from_file(&path).map_err(|e| to_py(e.into()));
    }
    Err(PyTypeError::new_err(
        "mapping must be a dict (header -> field) or the path of an override file",
    ))
}

/// Import options from keyword arguments.
fn import_options(
    preset: Option<&str>,
    mapping: Option<&Bound<'_, PyAny>>,
    delimiter: Option<&str>,
    sheet: Option<&Bound<'_, PyAny>>,
    source: Option<String>,
    progress: Option<ProgressFn>,
) -> PyResult<ImportOptions> {
    let mut options = ImportOptions {
        source,
        progress,
        ..ImportOptions::default()
    };
    if let Some(p) = preset {
        options.preset = Some(Preset::parse(p).map_err(|e| to_py(e.into()))?);
    }
    if let Some(m) = mapping.filter(|m| !m.is_none()) {
        options.mapping = Some(mapping_arg(m)?);
    }
    if let Some(d) = delimiter {
        let bytes = d.as_bytes();
        if bytes.len() != 1 {
            return Err(invalid(
                "delimiter",
                format!("{d:?}: one ASCII character expected"),
            ));
        }
        options.delimiter = Some(bytes[0]);
    }
    if let Some(s) = sheet.filter(|s| !s.is_none()) {
        options.sheet = if let Ok(i) = s.extract::<usize>() {
            SheetSelector::Index(i)
        } else if let Ok(name) = s.extract::<String>() {
            SheetSelector::parse(&name)
        } else {
            return Err(PyTypeError::new_err(
                "sheet must be a sheet name or a 0-based index",
            ));
        };
    }
    Ok(options)
}

/// `None` (every entity of the tenant) or `"contact:<id>"` / `"company:<id>"` refs.
fn selection(entities: Option<Vec<String>>) -> PyResult<EntitySelection> {
    match entities {
        None => Ok(EntitySelection::All),
        Some(refs) => Ok(EntitySelection::Refs(
            refs.iter()
                .map(|r| entity_ref(r))
                .collect::<PyResult<_>>()?,
        )),
    }
}

fn stage_list(stages: Vec<String>) -> PyResult<Vec<String>> {
    if stages.is_empty() {
        return Err(invalid("stages", "no stage given"));
    }
    Ok(stages)
}

fn export_format(path: &std::path::Path, format: Option<&str>) -> PyResult<ExportFormat> {
    match format {
        Some(f) => ExportFormat::parse(f),
        None => ExportFormat::from_path(path),
    }
    .map_err(|e| to_py(e.into()))
}

struct RunArgs {
    store: Arc<TenantStore>,
    stages: Vec<String>,
    entities: EntitySelection,
    callback: Option<EventCallback>,
    raised: Raised,
}

impl PyTenant {
    fn run_args(
        &self,
        stages: Vec<String>,
        entities: Option<Vec<String>>,
        on_progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<RunArgs> {
        let (callback, raised) = forward(callable(on_progress)?);
        Ok(RunArgs {
            store: self.store()?,
            stages: stage_list(stages)?,
            entities: selection(entities)?,
            callback,
            raised,
        })
    }
}

#[pymethods]
impl PyTenant {
    // --- import ----------------------------------------------------------------------

    /// Imports a file (CSV in any common encoding/delimiter, XLSX/XLS/ODS, JSON Lines):
    /// good rows are written, malformed rows come back in `report.errors` with line,
    /// column and reason. `preset` forces an export layout (`linkedin_connections`,
    /// `sales_navigator`, `apollo`, `hubspot`, `google_contacts`, `leadgen`); `mapping`
    /// overrides columns (`{"Firma": "company_name"}`, or an override file's path).
    /// `on_progress(dict)` gets `{"phase": "parsed" | "matched" | "written", …}`.
    #[pyo3(signature = (path, *, preset=None, mapping=None, delimiter=None, sheet=None,
        source=None, on_progress=None))]
    fn import_file(
        &self,
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        preset: Option<&str>,
        mapping: Option<&Bound<'_, PyAny>>,
        delimiter: Option<&str>,
        sheet: Option<&Bound<'_, PyAny>>,
        source: Option<String>,
        on_progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PyImportReport> {
        let (store, path) = (self.store()?, path_arg("path", path)?);
        let (progress, raised) = forward(callable(on_progress)?);
        let progress = progress.map(|f| -> ProgressFn { Arc::new(move |p| f(&p)) });
        let options = import_options(preset, mapping, delimiter, sheet, source, progress)?;
        let report = block_on(py, async move {
            Ok(import_file(&store, &path, &options).await?)
        })?;
        reraise(&raised)?;
        PyImportReport::new(py, report)
    }

    /// Like `import_file`, as an awaitable (`on_progress` is called from a worker thread).
    #[pyo3(signature = (path, *, preset=None, mapping=None, delimiter=None, sheet=None,
        source=None, on_progress=None))]
    fn import_file_async<'py>(
        &self,
        py: Python<'py>,
        path: &Bound<'py, PyAny>,
        preset: Option<&str>,
        mapping: Option<&Bound<'py, PyAny>>,
        delimiter: Option<&str>,
        sheet: Option<&Bound<'py, PyAny>>,
        source: Option<String>,
        on_progress: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (store, path) = (self.store()?, path_arg("path", path)?);
        let (progress, raised) = forward(callable(on_progress)?);
        let progress = progress.map(|f| -> ProgressFn { Arc::new(move |p| f(&p)) });
        let options = import_options(preset, mapping, delimiter, sheet, source, progress)?;
        awaitable(
            py,
            async move { Ok(import_file(&store, &path, &options).await?) },
            move |py, r| {
                reraise(&raised)?;
                Ok(Bound::new(py, PyImportReport::new(py, r)?)?.into_any())
            },
        )
    }

    /// What `import_file` would do — counts, row errors, the mapping — writing nothing.
    #[pyo3(signature = (path, *, preset=None, mapping=None, delimiter=None, sheet=None))]
    fn preview_file(
        &self,
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        preset: Option<&str>,
        mapping: Option<&Bound<'_, PyAny>>,
        delimiter: Option<&str>,
        sheet: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyImportReport> {
        let (store, path) = (self.store()?, path_arg("path", path)?);
        let options = import_options(preset, mapping, delimiter, sheet, None, None)?;
        let report = block_on(py, async move {
            Ok(preview_file(&store, &path, &options).await?)
        })?;
        PyImportReport::new(py, report)
    }

    /// Like `preview_file`, as an awaitable.
    #[pyo3(signature = (path, *, preset=None, mapping=None, delimiter=None, sheet=None))]
    fn preview_file_async<'py>(
        &self,
        py: Python<'py>,
        path: &Bound<'py, PyAny>,
        preset: Option<&str>,
        mapping: Option<&Bound<'py, PyAny>>,
        delimiter: Option<&str>,
        sheet: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (store, path) = (self.store()?, path_arg("path", path)?);
        let options = import_options(preset, mapping, delimiter, sheet, None, None)?;
        awaitable(
            py,
            async move { Ok(preview_file(&store, &path, &options).await?) },
            |py, r| Ok(Bound::new(py, PyImportReport::new(py, r)?)?.into_any()),
        )
    }

    // --- export ----------------------------------------------------------------------

    /// Writes contacts to `path` (`csv`, `xlsx` or `jsonl`, from the extension unless
    /// `format` says). `columns` picks and orders columns (`first_name`, `email`,
    /// `company_name`, `attributes.<name>`, …); `ids` exports only these contacts;
    /// the other keywords filter like `list_contacts`.
    #[pyo3(signature = (path, *, format=None, columns=None, ids=None, company_id=None,
        email_status=None, country=None, search=None, include_merged=false))]
    fn export_contacts(
        &self,
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        format: Option<&str>,
        columns: Option<Vec<String>>,
        ids: Option<Vec<String>>,
        company_id: Option<&str>,
        email_status: Option<&str>,
        country: Option<String>,
        search: Option<String>,
        include_merged: bool,
    ) -> PyResult<PyExportSummary> {
        let (store, path) = (self.store()?, path_arg("path", path)?);
        let filter = ContactExportFilter {
            ids,
            company_id,
            email_status,
            country,
            search,
            include_merged,
        };
        let options = contact_export_options(&path, format, columns, filter)?;
        block_on(py, async move {
            Ok(export_contacts(&store, &path, &options).await?)
        })
        .map(Into::into)
    }

    /// Like `export_contacts`, as an awaitable.
    #[pyo3(signature = (path, *, format=None, columns=None, ids=None, company_id=None,
        email_status=None, country=None, search=None, include_merged=false))]
    fn export_contacts_async<'py>(
        &self,
        py: Python<'py>,
        path: &Bound<'py, PyAny>,
        format: Option<&str>,
        columns: Option<Vec<String>>,
        ids: Option<Vec<String>>,
        company_id: Option<&str>,
        email_status: Option<&str>,
        country: Option<String>,
        search: Option<String>,
        include_merged: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (store, path) = (self.store()?, path_arg("path", path)?);
        let filter = ContactExportFilter {
            ids,
            company_id,
            email_status,
            country,
            search,
            include_merged,
        };
        let options = contact_export_options(&path, format, columns, filter)?;
        awaitable(
            py,
            async move { Ok(export_contacts(&store, &path, &options).await?) },
            |py, r| Ok(Bound::new(py, PyExportSummary::from(r))?.into_any()),
        )
    }

    /// Writes companies to `path`; see `export_contacts`.
    #[pyo3(signature = (path, *, format=None, columns=None, domains=None, country=None,
        name_contains=None, include_merged=false))]
    fn export_companies(
        &self,
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        format: Option<&str>,
        columns: Option<Vec<String>>,
        domains: Option<Vec<String>>,
        country: Option<String>,
        name_contains: Option<String>,
        include_merged: bool,
    ) -> PyResult<PyExportSummary> {
        let (store, path) = (self.store()?, path_arg("path", path)?);
        let options = company_export_options(
            &path,
            format,
            columns,
            domains,
            country,
            name_contains,
            include_merged,
        )?;
        block_on(py, async move {
            Ok(export_companies(&store, &path, &options).await?)
        })
        .map(Into::into)
    }

    /// Like `export_companies`, as an awaitable.
    #[pyo3(signature = (path, *, format=None, columns=None, domains=None, country=None,
        name_contains=None, include_merged=false))]
    fn export_companies_async<'py>(
        &self,
        py: Python<'py>,
        path: &Bound<'py, PyAny>,
        format: Option<&str>,
        columns: Option<Vec<String>>,
        domains: Option<Vec<String>>,
        country: Option<String>,
        name_contains: Option<String>,
        include_merged: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (store, path) = (self.store()?, path_arg("path", path)?);
        let options = company_export_options(
            &path,
            format,
            columns,
            domains,
            country,
            name_contains,
            include_merged,
        )?;
        awaitable(
            py,
            async move { Ok(export_companies(&store, &path, &options).await?) },
            |py, r| Ok(Bound::new(py, PyExportSummary::from(r))?.into_any()),
        )
    }

    // --- plans and runs ----------------------------------------------------------------

    /// What running `stages` (built-in: `normalize_company`, `normalize_contact`,
    /// `email_validation`) over `entities` would do; `entities` are
    /// `"contact:<id>"`/`"company:<id>"` refs, `None` for every entity of the tenant.
    #[pyo3(signature = (stages, *, entities=None))]
    fn plan(
        &self,
        py: Python<'_>,
        stages: Vec<String>,
        entities: Option<Vec<String>>,
    ) -> PyResult<PyPlan> {
        let a = self.run_args(stages, entities, None)?;
        block_on(py, async move {
            pipeline::plan(&a.store, &a.stages, a.entities).await
        })
        .map(Into::into)
    }

    /// Runs `stages` over `entities` (see `plan`). `on_progress(dict)` gets every
    /// executor event (`{"event": "run_started" | "pair_finished" | "stage_finished" |
    /// "run_finished", …}`), called from a worker thread; an exception it raises stops
    /// delivery and is raised when the run ends.
    #[pyo3(signature = (stages, *, entities=None, on_progress=None))]
    fn run(
        &self,
        py: Python<'_>,
        stages: Vec<String>,
        entities: Option<Vec<String>>,
        on_progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PyRunSummary> {
        let a = self.run_args(stages, entities, on_progress)?;
        let raised = a.raised.clone();
        let summary = block_on(py, async move {
            pipeline::run(&a.store, &a.stages, a.entities, a.callback).await
        })?;
        reraise(&raised)?;
        Ok(summary.into())
    }

    /// Like `run`, as an awaitable (`on_progress` is called from a worker thread).
    #[pyo3(signature = (stages, *, entities=None, on_progress=None))]
    fn run_async<'py>(
        &self,
        py: Python<'py>,
        stages: Vec<String>,
        entities: Option<Vec<String>>,
        on_progress: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let a = self.run_args(stages, entities, on_progress)?;
        let raised = a.raised.clone();
        awaitable(
            py,
            async move { pipeline::run(&a.store, &a.stages, a.entities, a.callback).await },
            move |py, s| {
                reraise(&raised)?;
                Ok(Bound::new(py, PyRunSummary::from(s))?.into_any())
            },
        )
    }

    /// The main job on one file: import it, normalize the contacts it touched, merge
    /// duplicates, validate emails offline, and (with `output`) export the job's
    /// contacts. Each step can be turned off.
    #[pyo3(signature = (path, *, output=None, columns=None, preset=None, mapping=None,
        normalize=true, dedup=true, validate_emails=true, on_progress=None))]
    fn main_job(
        &self,
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        output: Option<&Bound<'_, PyAny>>,
        columns: Option<Vec<String>>,
        preset: Option<&str>,
        mapping: Option<&Bound<'_, PyAny>>,
        normalize: bool,
        dedup: bool,
        validate_emails: bool,
        on_progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PyMainJobReport> {
        let (store, path) = (self.store()?, path_arg("path", path)?);
        let (callback, raised) = forward(callable(on_progress)?);
        let options = main_job_options(
            output,
            columns,
            preset,
            mapping,
            normalize,
            dedup,
            validate_emails,
        )?;
        let report = block_on(py, async move {
            pipeline::main_job(&store, &path, &options, callback).await
        })?;
        reraise(&raised)?;
        PyMainJobReport::new(py, report)
    }

    /// Like `main_job`, as an awaitable (`on_progress` is called from a worker thread).
    #[pyo3(signature = (path, *, output=None, columns=None, preset=None, mapping=None,
        normalize=true, dedup=true, validate_emails=true, on_progress=None))]
    fn main_job_async<'py>(
        &self,
        py: Python<'py>,
        path: &Bound<'py, PyAny>,
        output: Option<&Bound<'py, PyAny>>,
        columns: Option<Vec<String>>,
        preset: Option<&str>,
        mapping: Option<&Bound<'py, PyAny>>,
        normalize: bool,
        dedup: bool,
        validate_emails: bool,
        on_progress: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (store, path) = (self.store()?, path_arg("path", path)?);
        let (callback, raised) = forward(callable(on_progress)?);
        let options = main_job_options(
            output,
            columns,
            preset,
            mapping,
            normalize,
            dedup,
            validate_emails,
        )?;
        awaitable(
            py,
            async move { pipeline::main_job(&store, &path, &options, callback).await },
            move |py, r| {
                reraise(&raised)?;
                Ok(Bound::new(py, PyMainJobReport::new(py, r)?)?.into_any())
            },
        )
    }
}

/// The main job's options from keyword arguments.
fn main_job_options(
    output: Option<&Bound<'_, PyAny>>,
    columns: Option<Vec<String>>,
    preset: Option<&str>,
    mapping: Option<&Bound<'_, PyAny>>,
    normalize: bool,
    dedup: bool,
    validate_emails: bool,
) -> PyResult<MainJobOptions> {
    Ok(MainJobOptions {
        import: import_options(preset, mapping, None, None, None, None)?,
        normalize,
        dedup,
        validate_emails,
        output: output
            .filter(|o| !o.is_none())
            .map(|o| path_arg("output", o))
            .transpose()?,
        columns,
    })
}

// --- email validation (no store) -----------------------------------------------------

/// Validates one address offline: syntax, normalization, disposable/role/free-mail.
#[pyfunction]
pub fn validate_email(address: &str) -> PyEmailVerification {
    pipeline::validate_email(address).into()
}

/// Validates a list of addresses offline, results in input order (one call: the
/// fast way for many addresses).
#[pyfunction]
pub fn validate_emails(py: Python<'_>, addresses: Vec<String>) -> Vec<PyEmailVerification> {
    let results = py.detach(|| pipeline::validate_emails(&addresses));
    results.into_iter().map(Into::into).collect()
}

/// The ids of the built-in stages (`Tenant.plan`/`Tenant.run` accept these).
#[pyfunction]
pub fn builtin_stages() -> Vec<&'static str> {
    pipeline::BUILTIN_STAGES.to_vec()
}

/// The contact filters `export_contacts` takes as keywords.
struct ContactExportFilter<'a> {
    ids: Option<Vec<String>>,
    company_id: Option<&'a str>,
    email_status: Option<&'a str>,
    country: Option<String>,
    search: Option<String>,
    include_merged: bool,
}

/// Export options for `export_contacts(_async)`.
fn contact_export_options(
    path: &Path,
    format: Option<&str>,
    columns: Option<Vec<String>>,
    filter: ContactExportFilter<'_>,
) -> PyResult<ExportOptions> {
    let mut options = ExportOptions::new(export_format(path, format)?);
    options.columns = columns;
    options.contact_filter = contact_filter(
        filter.company_id,
        None,
        None,
        filter.email_status,
        filter.country,
        filter.search,
        None,
        None,
        filter.include_merged,
        false,
    )?;
    options.contact_ids = filter
        .ids
        .map(|ids| ids.iter().map(|id| contact_id(id)).collect::<PyResult<_>>())
        .transpose()?;
    Ok(options)
}

/// Export options for `export_companies(_async)`.
fn company_export_options(
    path: &Path,
    format: Option<&str>,
    columns: Option<Vec<String>>,
    domains: Option<Vec<String>>,
    country: Option<String>,
    name_contains: Option<String>,
    include_merged: bool,
) -> PyResult<ExportOptions> {
    let mut options = ExportOptions::new(export_format(path, format)?);
    options.columns = columns;
    options.company_filter =
        company_filter(domains, country, name_contains, None, None, include_merged);
    Ok(options)
}
