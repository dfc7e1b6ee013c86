//! # leadgen
//!
//! Embeddable B2B lead pipelines: import contact and company lists, normalize,
//! deduplicate, validate emails, enrich through a DAG of stages, score against an
//! ideal customer profile, and deliver.
//!
//! This facade re-exports the workspace crates; most users need only the [`prelude`].

mod client;
/// Built-in stages, plans and runs with progress, the main job (features import, export, email).
#[cfg(all(feature = "import", feature = "export", feature = "email"))]
pub mod pipeline;

pub use client::Leadgen;
pub use leadgen_core as core;
pub use leadgen_stages as stages;
pub use leadgen_store as store;

pub use leadgen_core::{Error, ErrorKind, Result, VERSION};

/// The names most programs use.
pub mod prelude {
    pub use crate::Leadgen;
    pub use leadgen_core::store::{
        CompanyFilter, ContactFilter, Page, PageRequest, Store, TenantStore,
    };
    pub use leadgen_core::{
        Company, CompanyId, Contact, ContactId, Credits, EmailStatus, Entity, EntityKind, Error,
        ErrorKind, Result, TenantId,
    };
}

/// The README's Rust examples, run as doc tests so they stay true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
