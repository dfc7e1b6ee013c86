//! # leadgen-core
//!
//! The domain of leadgen: the model (tenants, companies, contacts, provenance), the
//! traits every backend and provider implements ([`Store`], [`Stage`],
//! [`providers::RegistryAdapter`], …), and the pure engines. No network and no
//! database drivers live here.

pub mod clock;
pub mod dedup;
pub mod error;
pub mod executor;
pub mod model;
pub mod normalize;
pub mod providers;
pub mod stage;
pub mod store;

pub use error::{Error, ErrorKind, Result};
pub use model::*;
pub use stage::{Stage, StageContext, StageOutcome};
pub use store::{Store, TenantStore};

/// The version of leadgen.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
