//! Python bindings of leadgen: the private native module `leadgen._leadgen`.
//!
//! Every function here converts types, maps errors and releases the GIL while the
//! Rust facade works; the public API is the `leadgen` Python package around it.
#![allow(unsafe_code)] // PyO3's generated module init

mod client;
mod errors;
mod json;
mod mapping;
mod records;
mod reports;
mod runtime;

use pyo3::prelude::*;

/// The native module. The public API is the `leadgen` Python package around it.
#[pymodule]
fn _leadgen(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", leadgen::VERSION)?;
    errors::register(m)?;
    m.add_class::<client::PyLeadgen>()?;
    m.add_class::<client::PyTenant>()?;
    m.add_class::<records::PyContact>()?;
    m.add_class::<records::PyCompany>()?;
    m.add_class::<reports::PyUpsertReport>()?;
    m.add_class::<reports::PyContactPage>()?;
    m.add_class::<reports::PyCompanyPage>()?;
    m.add_class::<reports::PyRun>()?;
    m.add_class::<reports::PyAuditEntry>()?;
    Ok(())
}
