//! National company registers (CZ ARES, NO BRREG, FI PRH, FR recherche-entreprises, SG ACRA).

use std::fmt::Debug;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::LegalProfile;

/// One hit of a search by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistryHit {
    /// Registration number.
    pub registration_number: String,
    /// Registered name.
    pub name: String,
    /// City of the registered address, if given.
    pub city: Option<String>,
}

/// A national company register.
///
/// ```
/// use async_trait::async_trait;
/// use leadgen_core::providers::{RegistryAdapter, RegistryHit};
/// use leadgen_core::{LegalProfile, Result};
///
/// #[derive(Debug)]
/// struct EmptyRegister;
///
/// #[async_trait]
/// impl RegistryAdapter for EmptyRegister {
///     fn id(&self) -> &str { "xx:empty" }
///     fn countries(&self) -> &[&str] { &["XX"] }
///     async fn lookup(&self, _id: &str) -> Result<Option<LegalProfile>> { Ok(None) }
///     async fn search(&self, _name: &str, _limit: usize) -> Result<Vec<RegistryHit>> { Ok(vec![]) }
/// }
///
/// assert!(EmptyRegister.serves("XX"));
/// assert!(!EmptyRegister.serves("CZ"));
/// ```
#[async_trait]
pub trait RegistryAdapter: Send + Sync + Debug {
    /// The register's id (`cz:ares`).
    fn id(&self) -> &str;
    /// The ISO countries it serves.
    fn countries(&self) -> &[&str];
    /// Whether it serves `country` (ISO alpha-2, case-insensitive).
    fn serves(&self, country: &str) -> bool {
        self.countries()
            .iter()
            .any(|c| c.eq_ignore_ascii_case(country))
    }
    /// The legal profile for a registration number, if registered.
    async fn lookup(&self, registration_number: &str) -> Result<Option<LegalProfile>>;
    /// Companies whose name matches, best first.
    async fn search(&self, name: &str, limit: usize) -> Result<Vec<RegistryHit>>;
}
