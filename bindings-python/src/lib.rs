//! Python bindings of leadgen: the private native module `leadgen._leadgen`.
//!
//! Every function here converts types, maps errors and releases the GIL while the
//! Rust facade works; the public API is the `leadgen` Python package around it.
#![allow(unsafe_code)]
// PyO3's generated module init
// Python methods take their filters as keyword arguments, one parameter each.
#![allow(clippy::too_many_arguments)]

mod client;
mod dedup;
mod errors;
mod json;
mod mapping;
mod normalize;
mod pipeline;
mod pipeline_reports;
mod records;
mod reports;
mod runtime;

use pyo3::prelude::*;

/// mimalloc instead of the system allocator: importing and deduplicating make many
/// small allocations, which glibc's malloc serves markedly slower.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    m.add_class::<dedup::PyDedupReport>()?;
    m.add_class::<normalize::PyCompanyName>()?;
    m.add_class::<normalize::PyJobTitle>()?;
    m.add_class::<normalize::PyPersonName>()?;
    m.add_class::<normalize::PyPhone>()?;
    m.add_class::<normalize::PyLocation>()?;
    m.add_function(wrap_pyfunction!(normalize::normalize_company_name, m)?)?;
    m.add_function(wrap_pyfunction!(normalize::normalize_company_names, m)?)?;
    m.add_function(wrap_pyfunction!(normalize::normalize_job_title, m)?)?;
    m.add_function(wrap_pyfunction!(normalize::normalize_job_titles, m)?)?;
    m.add_function(wrap_pyfunction!(normalize::parse_person_name, m)?)?;
    m.add_function(wrap_pyfunction!(normalize::normalize_phone, m)?)?;
    m.add_function(wrap_pyfunction!(normalize::parse_location, m)?)?;
    m.add_function(wrap_pyfunction!(normalize::canonical_linkedin_url, m)?)?;
    m.add_function(wrap_pyfunction!(normalize::registrable_domain, m)?)?;
    m.add_function(wrap_pyfunction!(normalize::country_code, m)?)?;
    m.add_function(wrap_pyfunction!(normalize::tidy_email, m)?)?;
    m.add_class::<pipeline_reports::PyImportReport>()?;
    m.add_class::<pipeline_reports::PyRowError>()?;
    m.add_class::<pipeline_reports::PyMappedColumn>()?;
    m.add_class::<pipeline_reports::PyExportSummary>()?;
    m.add_class::<pipeline_reports::PyEmailVerification>()?;
    m.add_class::<pipeline_reports::PyPlan>()?;
    m.add_class::<pipeline_reports::PyRunSummary>()?;
    m.add_class::<pipeline_reports::PyMainJobReport>()?;
    m.add_function(wrap_pyfunction!(pipeline::validate_email, m)?)?;
    m.add_function(wrap_pyfunction!(pipeline::validate_emails, m)?)?;
    m.add_function(wrap_pyfunction!(pipeline::builtin_stages, m)?)?;
    Ok(())
}
