//! Node bindings of leadgen: the native addon under the `leadgen` npm package.
//!
//! Bindings hold no logic: they convert types, map errors to `Error`s with a stable
//! `code` (see [`errors`]), and run every I/O call off the JavaScript thread,
//! returning a Promise.
#![allow(unsafe_code)] // napi-rs's generated registration
#![allow(missing_docs)]
// fields of `#[napi(object)]` types are documented in index.d.ts

// napi-derive registers exports only outside `cfg(test)`; clippy --all-targets checks
// the test build too, where the exported items look unused.
#![cfg_attr(test, allow(dead_code))]

mod client;
mod dedup;
mod errors;
mod normalize;
mod packed;
mod pipeline;
mod records;
mod reports;

use napi::Env;
use napi_derive::napi;

pub use client::{Leadgen, Tenant, open};

/// mimalloc instead of the system allocator: importing and deduplicating make many
/// small allocations, which glibc's malloc serves markedly slower.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The version of leadgen (the same in Rust, Python and Node).
#[napi]
pub fn version() -> String {
    leadgen::VERSION.to_string()
}

/// A new contact with a fresh id and the given fields (store it with `upsertContact`).
#[napi]
pub fn new_contact(
    env: Env,
    fields: Option<records::ContactFields>,
) -> napi::Result<records::Contact> {
    let contact: leadgen::core::Contact = fields
        .unwrap_or_default()
        .try_into()
        .map_err(|e| errors::thrown(&env, e))?;
    Ok(contact.into())
}

/// A new company with a fresh id, `name` and the given fields.
#[napi]
pub fn new_company(name: String, fields: Option<records::CompanyFields>) -> records::Company {
    records::new_company(name, fields.unwrap_or_default()).into()
}
