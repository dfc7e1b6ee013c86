//! The tokio runtime the binding drives leadgen with, and the two ways Python waits
//! for it: blocking with the GIL released, or awaiting an asyncio future.
//!
//! Fork safety: a runtime's worker threads do not survive `fork()`. The runtime is
//! keyed by process id and rebuilt in a child on first use; the parent's runtime is
//! leaked there, not dropped (dropping would join threads that do not exist).

use std::future::Future;
use std::sync::{Arc, Mutex};

use pyo3::prelude::*;
use pyo3::types::PyCFunction;
use tokio::runtime::Runtime;

use crate::errors;

static RUNTIME: Mutex<Option<(u32, Arc<Runtime>)>> = Mutex::new(None);

/// The runtime of this process, built on first use (again after a fork).
pub fn runtime() -> PyResult<Arc<Runtime>> {
    let pid = std::process::id();
    let mut slot = RUNTIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((owner, rt)) = slot.as_ref()
        && *owner == pid
    {
        return Ok(rt.clone());
    }
    if let Some((_, inherited)) = slot.take() {
        // Threads of the parent's runtime do not exist in this child.
        std::mem::forget(inherited);
    }
    let rt = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("leadgen")
            .enable_all()
            .build()
            .map_err(|e| {
                errors::to_py(leadgen::Error::Io {
                    path: "<tokio runtime>".into(),
                    source: e,
                })
            })?,
    );
    *slot = Some((pid, rt.clone()));
    Ok(rt)
}

/// Runs `fut` to completion with the GIL released, so other Python threads run
/// meanwhile. The future must own its inputs.
pub fn block_on<T, F>(py: Python<'_>, fut: F) -> PyResult<T>
where
    T: Send,
    F: Future<Output = leadgen::Result<T>> + Send,
{
    let rt = runtime()?;
    py.detach(|| rt.block_on(fut)).map_err(errors::to_py)
}

/// Starts `fut` on the runtime and returns an asyncio future of the running loop that
/// resolves with `convert(output)` (or raises the mapped error). Cancelling the
/// asyncio future does not stop the Rust work; its result is then dropped.
pub fn awaitable<'py, T, F, C>(py: Python<'py>, fut: F, convert: C) -> PyResult<Bound<'py, PyAny>>
where
    T: Send + 'static,
    F: Future<Output = leadgen::Result<T>> + Send + 'static,
    C: for<'a> FnOnce(Python<'a>, T) -> PyResult<Bound<'a, PyAny>> + Send + 'static,
{
    let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
    let py_future = event_loop.call_method0("create_future")?;
    let (loop_ref, future_ref) = (event_loop.unbind(), py_future.clone().unbind());
    runtime()?.spawn(async move {
        let output = fut.await;
        Python::attach(|py| {
            let settle = || -> PyResult<()> {
                let (ok, value) = match output.map_err(errors::to_py) {
                    Ok(v) => match convert(py, v) {
                        Ok(v) => (true, v),
                        Err(e) => (false, e.into_value(py).into_bound(py).into_any()),
                    },
                    Err(e) => (false, e.into_value(py).into_bound(py).into_any()),
                };
                let future = future_ref.clone_ref(py);
                let value = value.unbind();
                let setter = PyCFunction::new_closure(py, None, None, move |args, _kwargs| {
                    let py = args.py();
                    let future = future.bind(py);
                    // The awaiting task may have been cancelled meanwhile.
                    if future.call_method0("done")?.is_truthy()? {
                        return Ok(());
                    }
                    let method = if ok { "set_result" } else { "set_exception" };
                    future.call_method1(method, (value.bind(py),))?;
                    Ok::<(), PyErr>(())
                })?;
                loop_ref
                    .bind(py)
                    .call_method1("call_soon_threadsafe", (setter,))?;
                Ok(())
            };
            // The loop may be closed when the work ends; nobody waits then.
            if let Err(e) = settle()
                && !e.is_instance_of::<pyo3::exceptions::PyRuntimeError>(py)
            {
                e.print(py);
            }
        });
    });
    Ok(py_future)
}
