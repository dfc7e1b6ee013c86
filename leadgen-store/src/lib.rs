//! # leadgen-store
//!
//! The [`Store`] backends of leadgen: [`SqliteStore`] (the embedded default,
//! feature `sqlite`) and [`PostgresStore`] (feature `postgres`), both passing one
//! conformance suite. Pick one at run time with [`open`]:
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use leadgen_core::{Company, TenantId, TenantStore};
//!
//! let store = leadgen_store::open("sqlite::memory:").await?;
//! let acme = TenantStore::new(store, TenantId::new("acme")?);
//! acme.upsert_company(&Company::new("Acme s.r.o.")).await?;
//! assert_eq!(acme.count_companies(&Default::default()).await?, 1);
//! # Ok::<(), leadgen_core::Error>(())
//! # }).unwrap();
//! ```
//!
//! Every record is stored whole as JSON beside the columns used to filter it, so a
//! field added to the model persists without a migration. Migrations are compiled
//! in and applied when a store is opened.

// Without a backend feature the crate only reports that none is compiled in.
#![cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]

#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod codec;
mod error;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod migrate;
mod open;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

pub use error::StoreError;
pub use leadgen_core::store::Store;
pub use open::open;
#[cfg(feature = "postgres")]
pub use postgres::{PostgresOptions, PostgresStore};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;
