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

mod codec;
mod error;
mod migrate;
mod open;
#[cfg(feature = "sqlite")]
mod sqlite;

pub use error::StoreError;
pub use leadgen_core::store::Store;
pub use open::open;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;
