//! leadgen errors as JavaScript `Error`s with a stable `code`.
//!
//! `code` is [`leadgen::ErrorKind::code`] unchanged — `INVALID_INPUT`, `NOT_FOUND`,
//! `UNIQUE_VIOLATION`, `TENANT_MISMATCH`, `CONNECTION`, `STORAGE`, `MIGRATION`,
//! `PROVIDER`, `CANCELLED`, `TIMEOUT`, `BUDGET_EXHAUSTED`, `CONFIG`, `IO` — the same
//! codes Python exceptions carry as `.code`. The Rust cause chain becomes `.cause`.
//!
//! napi's `async fn` rejects with a napi `Status` as the code, so asynchronous calls go
//! through [`promise`], which builds the error on the JavaScript thread instead.

use std::future::Future;

use napi::bindgen_prelude::{PromiseRaw, ToNapiValue};
use napi::{Env, JsError};

/// A leadgen error as a napi error whose status string is the stable code.
pub fn coded(err: &leadgen::Error) -> napi::Error<String> {
    let mut out = napi::Error::new(err.kind().code().to_string(), err.to_string());
    if let Some(cause) = std::error::Error::source(err) {
        out.set_cause(cause_chain(cause));
    }
    out
}

fn cause_chain(source: &(dyn std::error::Error + 'static)) -> napi::Error {
    let mut err = napi::Error::from_reason(source.to_string());
    if let Some(next) = source.source() {
        err.set_cause(cause_chain(next));
    }
    err
}

/// A leadgen error thrown from a synchronous call.
pub fn thrown(env: &Env, err: leadgen::Error) -> napi::Error {
    napi::Error::from(JsError::from(coded(&err)).into_unknown(*env))
}

/// Runs `fut` on napi's tokio runtime (off the JavaScript thread) and settles a
/// Promise with its output, or rejects it with a coded error.
pub fn promise<'env, T, F>(env: &'env Env, fut: F) -> napi::Result<PromiseRaw<'env, T>>
where
    T: ToNapiValue + Send + 'static,
    F: Future<Output = leadgen::Result<T>> + Send + 'static,
{
    env.spawn_future_with_callback(async move { Ok(fut.await) }, |env, result| {
        result.map_err(|e| napi::Error::from(JsError::from(coded(&e)).into_unknown(*env)))
    })
}

/// Shorthand: an `INVALID_INPUT` leadgen error.
pub fn invalid(field: &str, reason: impl Into<String>) -> leadgen::Error {
    leadgen::Error::invalid(field, reason)
}
