//! # leadgen-stages
//!
//! Implementations that talk to the world: importers and exporters, email
//! validation, registry adapters, CRM connectors, mailers, LLM providers. Each
//! family sits behind a cargo feature.

#[cfg(feature = "email")]
pub mod email;
#[cfg(feature = "export")]
pub mod export;
#[cfg(feature = "import")]
pub mod import;
