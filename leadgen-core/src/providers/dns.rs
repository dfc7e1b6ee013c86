//! DNS lookups needed for email validation.

use std::fmt::Debug;
use std::net::IpAddr;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// One MX record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MxRecord {
    /// Preference (lower first).
    pub preference: u16,
    /// Mail exchanger host name, without the trailing dot.
    pub exchange: String,
}

/// The answer to "where does mail for this domain go?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum MxLookup {
    /// MX records, sorted by preference.
    Records {
        /// The records.
        records: Vec<MxRecord>,
    },
    /// No MX, but the domain has addresses: the implicit MX of RFC 5321 §5.1.
    Implicit {
        /// The domain's addresses.
        addresses: Vec<IpAddr>,
    },
    /// A null MX (RFC 7505): the domain accepts no mail.
    NullMx,
    /// The domain exists but has neither MX nor addresses.
    NoMailHost,
    /// The domain does not exist.
    NxDomain,
}

/// Resolves mail hosts.
#[async_trait]
pub trait DnsResolver: Send + Sync + Debug {
    /// Where mail for `domain` (ASCII form) goes.
    async fn mx(&self, domain: &str) -> Result<MxLookup>;
}
