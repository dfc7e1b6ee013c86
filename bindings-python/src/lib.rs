//! Python bindings of leadgen: the private native module `leadgen._leadgen`.
#![allow(unsafe_code)] // PyO3's generated module init

use pyo3::prelude::*;

/// The native module. The public API is the `leadgen` Python package around it.
#[pymodule]
fn _leadgen(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", leadgen::VERSION)?;
    Ok(())
}
