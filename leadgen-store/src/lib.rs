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
//! Every record is stored as JSON beside the columns used to filter it, so a field
//! added to the model persists without a migration (SQLite's contacts and companies
//! leave the fields their columns hold out of the JSON, and put them back when
//! read). Migrations are compiled in and applied when a store is opened.
//!
//! Features: `sqlite` (default; bundled SQLite, WAL), `postgres` (no TLS: loopback,
//! private networks, sidecars), `postgres-tls` (adds rustls with ring for
//! `sslmode=require`). On PostgreSQL every tenant table has row-level security
//! keyed on `current_setting('leadgen.tenant')`, which the store sets at the start
//! of every transaction; connect as a role without `BYPASSRLS` (not a superuser)
//! to have the database enforce tenant isolation too.
//!
//! Errors come back as [`leadgen_core::Error::Store`] with a kind (`Connection`,
//! `Storage`, `Migration`, `UniqueViolation`, `TenantMismatch`, `NotFound`, or
//! `InvalidInput` for values a database refuses) and a [`StoreError`] as source;
//! connection URLs in messages never carry a password.

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
