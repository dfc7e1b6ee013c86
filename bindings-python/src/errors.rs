//! leadgen errors as a Python exception hierarchy rooted at `LeadgenError`.
//!
//! The classes are built once, at import, with `type(name, bases, ns)` so that a
//! subclass can also derive from the builtin a Python programmer expects to catch
//! (`InvalidInputError` is a `ValueError`, `NotFoundError` a `LookupError`, …); PyO3's
//! `create_exception!` allows one base only. `leadgen/exceptions.py` re-exports them.

use leadgen::ErrorKind;
use pyo3::exceptions::{
    PyConnectionError, PyException, PyLookupError, PyOSError, PyPermissionError, PyRuntimeError,
    PyTimeoutError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

/// One exception class per [`ErrorKind`], plus the root.
struct Classes {
    root: Py<PyType>,
    by_kind: Vec<(&'static str, Py<PyType>)>,
}

static CLASSES: PyOnceLock<Classes> = PyOnceLock::new();

/// The name, docstring, parent (`None` = the root) and builtin base of every class.
/// `UniqueViolationError` and `MigrationError` are kinds of `StorageError`.
const SPEC: &[(&str, &str, Option<&str>, Builtin)] = &[
    (
        "InvalidInputError",
        "A value given to leadgen is not acceptable.",
        None,
        Builtin::Value,
    ),
    (
        "NotFoundError",
        "The requested record does not exist for this tenant.",
        None,
        Builtin::Lookup,
    ),
    (
        "StorageError",
        "The store failed while executing an operation.",
        None,
        Builtin::None,
    ),
    (
        "UniqueViolationError",
        "A uniqueness rule of the store was violated.",
        Some("StorageError"),
        Builtin::None,
    ),
    (
        "MigrationError",
        "Applying the schema migrations failed.",
        Some("StorageError"),
        Builtin::None,
    ),
    (
        "TenantMismatchError",
        "A record belongs to another tenant than the handle used.",
        None,
        Builtin::Permission,
    ),
    (
        "StoreConnectionError",
        "The store could not be reached, or is closed.",
        None,
        Builtin::Connection,
    ),
    (
        "ProviderError",
        "A remote provider (registry, CRM, LLM, mailer, DNS) failed.",
        None,
        Builtin::None,
    ),
    (
        "CancelledError",
        "The operation was cancelled.",
        None,
        Builtin::None,
    ),
    (
        "OperationTimeoutError",
        "A time limit was hit.",
        None,
        Builtin::Timeout,
    ),
    (
        "BudgetExhaustedError",
        "A credit budget is spent.",
        None,
        Builtin::None,
    ),
    (
        "ConfigError",
        "A stage graph or configuration is invalid.",
        None,
        Builtin::Value,
    ),
    (
        "FileError",
        "A file could not be read or written.",
        None,
        Builtin::OS,
    ),
];

#[derive(Clone, Copy)]
enum Builtin {
    None,
    Value,
    Lookup,
    Permission,
    Connection,
    Timeout,
    OS,
}

/// The class name for an error kind: the one exhaustive mapping of the binding.
fn class_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidInput => "InvalidInputError",
        ErrorKind::NotFound => "NotFoundError",
        ErrorKind::UniqueViolation => "UniqueViolationError",
        ErrorKind::TenantMismatch => "TenantMismatchError",
        ErrorKind::Connection => "StoreConnectionError",
        ErrorKind::Storage => "StorageError",
        ErrorKind::Migration => "MigrationError",
        ErrorKind::Provider => "ProviderError",
        ErrorKind::Cancelled => "CancelledError",
        ErrorKind::Timeout => "OperationTimeoutError",
        ErrorKind::BudgetExhausted => "BudgetExhaustedError",
        ErrorKind::Config => "ConfigError",
        ErrorKind::Io => "FileError",
        // `ErrorKind` is non-exhaustive: a kind added later is still a LeadgenError.
        _ => "LeadgenError",
    }
}

fn classes(py: Python<'_>) -> PyResult<&Classes> {
    CLASSES.get_or_try_init(py, || {
        let type_ = py.get_type::<PyType>();
        let make = |name: &str, doc: &str, bases: Bound<'_, PyTuple>| -> PyResult<Py<PyType>> {
            let ns = PyDict::new(py);
            ns.set_item("__module__", "leadgen.exceptions")?;
            ns.set_item("__doc__", doc)?;
            Ok(type_
                .call1((name, bases, ns))?
                .cast_into::<PyType>()?
                .unbind())
        };
        let root = make(
            "LeadgenError",
            "Root of every error leadgen raises. `code` is the stable ErrorKind code \
             (e.g. 'NOT_FOUND'); the Rust cause chain is kept in `__cause__`.",
            PyTuple::new(py, [py.get_type::<PyException>()])?,
        )?;
        let mut by_kind: Vec<(&'static str, Py<PyType>)> = Vec::new();
        for (name, doc, parent, builtin) in SPEC {
            let parent = match parent {
                Some(p) => by_kind
                    .iter()
                    .find(|(n, _)| n == p)
                    .map(|(_, t)| t.bind(py).clone())
                    .ok_or_else(|| PyRuntimeError::new_err(format!("unknown parent {p}")))?,
                None => root.bind(py).clone(),
            };
            let builtin = match builtin {
                Builtin::None => None,
                Builtin::Value => Some(py.get_type::<PyValueError>()),
                Builtin::Lookup => Some(py.get_type::<PyLookupError>()),
                Builtin::Permission => Some(py.get_type::<PyPermissionError>()),
                Builtin::Connection => Some(py.get_type::<PyConnectionError>()),
                Builtin::Timeout => Some(py.get_type::<PyTimeoutError>()),
                Builtin::OS => Some(py.get_type::<PyOSError>()),
            };
            let bases = match builtin {
                Some(b) => PyTuple::new(py, [parent, b])?,
                None => PyTuple::new(py, [parent])?,
            };
            by_kind.push((name, make(name, doc, bases)?));
        }
        Ok(Classes { root, by_kind })
    })
}

/// Adds `LeadgenError` and every subclass to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let c = classes(m.py())?;
    m.add("LeadgenError", c.root.bind(m.py()))?;
    for (name, class) in &c.by_kind {
        m.add(*name, class.bind(m.py()))?;
    }
    Ok(())
}

/// Converts a leadgen error into the matching Python exception, with `code` set and
/// the Rust `source()` chain kept as `__cause__` (an `OSError` for I/O causes).
pub fn to_py(err: leadgen::Error) -> PyErr {
    Python::attach(|py| {
        let name = class_name(err.kind());
        let class = match classes(py) {
            Ok(c) => c
                .by_kind
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| t.bind(py).clone())
                .unwrap_or_else(|| c.root.bind(py).clone()),
            Err(e) => return e,
        };
        let exc = match class.call1((err.to_string(),)) {
            Ok(exc) => exc,
            Err(e) => return e,
        };
        let pyerr = PyErr::from_value(exc);
        let value = pyerr.value(py);
        // Failing to set an attribute on a fresh exception is not possible short of
        // memory exhaustion; the exception itself is still raised.
        let _ = value.setattr("code", err.kind().code());
        pyerr.set_cause(py, cause_chain(py, std::error::Error::source(&err)));
        pyerr
    })
}

/// The Rust cause chain as chained Python exceptions.
fn cause_chain(
    py: Python<'_>,
    source: Option<&(dyn std::error::Error + 'static)>,
) -> Option<PyErr> {
    let source = source?;
    let err = match source.downcast_ref::<std::io::Error>() {
        Some(io) => PyErr::from(std::io::Error::new(io.kind(), io.to_string())),
        None => PyRuntimeError::new_err(source.to_string()),
    };
    err.set_cause(py, cause_chain(py, source.source()));
    Some(err)
}

/// Shorthand: a leadgen `InvalidInput` error as its Python exception.
pub fn invalid(field: &str, reason: impl Into<String>) -> PyErr {
    to_py(leadgen::Error::invalid(field, reason))
}
