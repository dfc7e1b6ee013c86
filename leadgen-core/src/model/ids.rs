//! Identifiers: the tenant a record belongs to, and the ids of companies, contacts and runs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};

/// The longest tenant id accepted.
pub const MAX_TENANT_ID_LEN: usize = 64;

/// One customer workspace. Every stored thing belongs to exactly one tenant.
///
/// A tenant id is a short slug: 1–64 characters of ASCII letters, digits, `-`, `_`
/// and `.`, starting with a letter or digit. It is chosen by the user (an agency
/// names its clients), so it is validated rather than generated.
///
/// ```
/// use leadgen_core::TenantId;
/// let acme = TenantId::new("acme-sales").unwrap();
/// assert_eq!(acme.as_str(), "acme-sales");
/// assert!(TenantId::new("").is_err());
/// assert!(TenantId::new("no spaces").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct TenantId(String);

impl TenantId {
    /// Validates and wraps a tenant id.
    pub fn new(id: impl Into<String>) -> Result<Self> {
        let id = id.into();
        if id.is_empty() {
            return Err(Error::invalid("tenant_id", "must not be empty"));
        }
        if id.len() > MAX_TENANT_ID_LEN {
            return Err(Error::invalid(
                "tenant_id",
                format!("longer than {MAX_TENANT_ID_LEN} characters"),
            ));
        }
        let mut chars = id.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
        let rest_ok = id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !first_ok || !rest_ok {
            return Err(Error::invalid(
                "tenant_id",
                format!(
                    "{id:?}: use letters, digits, '-', '_' or '.', starting with a letter or digit"
                ),
            ));
        }
        Ok(TenantId(id))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for TenantId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        TenantId::new(s)
    }
}

impl<'de> Deserialize<'de> for TenantId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        TenantId::new(s).map_err(serde::de::Error::custom)
    }
}

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $label:literal) => {
        $(#[$doc])*
        ///
        /// A UUID version 7: time-ordered, so ids sort by creation time and make
        /// good cursors for paging.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new, time-ordered id.
            pub fn new() -> Self {
                $name(Uuid::now_v7())
            }

            /// Parses an id from its text form, with a typed error on bad input.
            pub fn parse(s: &str) -> Result<Self> {
                Uuid::parse_str(s.trim())
                    .map($name)
                    .map_err(|e| Error::invalid($label, format!("{s:?} is not a UUID: {e}")))
            }

            /// The underlying UUID.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                $name::parse(s)
            }
        }
    };
}

uuid_id!(
    /// The id of a [`Company`](crate::Company).
    CompanyId,
    "company_id"
);
uuid_id!(
    /// The id of a [`Contact`](crate::Contact).
    ContactId,
    "contact_id"
);
uuid_id!(
    /// The id of a run (one execution of a stage set over entities, or an import job).
    RunId,
    "run_id"
);

/// Ids for a batch of new records, such as the rows of one imported file.
///
/// The `i`-th id of a block is computed rather than drawn, so a bulk import spends
/// next to nothing on its ids, and they ascend in the batch's order: SQLite appends
/// them to its index instead of inserting all over it.
///
/// Each id is a valid UUID version 7. Its top 96 bits are those of a fresh
/// [`Uuid::now_v7`] (the time in milliseconds, then the `uuid` crate's 42-bit counter,
/// which it reseeds at random each millisecond and steps on every call), and its low
/// 32 bits are the index. Blocks made in one process therefore never overlap; blocks
/// made in other processes in the same millisecond overlap only if 42 random bits
/// agree.
///
/// ```
/// use leadgen_core::IdBlock;
/// let ids = IdBlock::new();
/// let (a, b) = (ids.contact(0), ids.contact(1));
/// assert!(a < b);
/// assert_eq!(a.0.get_version_num(), 7);
/// assert_ne!(IdBlock::new().contact(0), a);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdBlock {
    prefix: u128,
}

impl IdBlock {
    /// A block with a fresh prefix.
    pub fn new() -> Self {
        IdBlock {
            prefix: Uuid::now_v7().as_u128() & !u128::from(u32::MAX),
        }
    }

    /// The `index`-th UUID of the block.
    pub fn uuid(&self, index: u32) -> Uuid {
        Uuid::from_u128(self.prefix | u128::from(index))
    }

    /// The `index`-th id, as a contact id.
    pub fn contact(&self, index: u32) -> ContactId {
        ContactId(self.uuid(index))
    }

    /// The `index`-th id, as a company id.
    pub fn company(&self, index: u32) -> CompanyId {
        CompanyId(self.uuid(index))
    }
}

impl Default for IdBlock {
    fn default() -> Self {
        IdBlock::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids_are_validated() {
        for ok in ["a", "acme", "acme-sales_2.eu", "0day"] {
            assert!(TenantId::new(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-x", "a b", "ä", "a/b", &"x".repeat(65)] {
            assert_eq!(
                TenantId::new(bad).unwrap_err().kind(),
                crate::ErrorKind::InvalidInput,
                "{bad}"
            );
        }
    }

    #[test]
    fn uuid_ids_parse_and_reject() {
        let id = CompanyId::new();
        assert_eq!(CompanyId::parse(&id.to_string()).unwrap(), id);
        assert!(ContactId::parse("not-a-uuid").is_err());
        assert!(
            ContactId::new() < ContactId::new(),
            "v7 ids are time-ordered"
        );
    }

    /// Blocks made back to back never share a prefix, and every id is a v7 UUID of
    /// RFC 9562's variant that sorts after the ids made before its block.
    #[test]
    fn id_blocks_are_distinct_and_ordered() {
        let mut prefixes = std::collections::HashSet::new();
        let mut last = ContactId::new();
        for _ in 0..10_000 {
            let block = IdBlock::new();
            assert!(prefixes.insert(block.prefix));
            let first = block.contact(0);
            assert!(first > last);
            assert!(block.contact(u32::MAX) > block.contact(7));
            assert_eq!(first.0.get_version_num(), 7);
            assert_eq!(first.0.get_variant(), uuid::Variant::RFC4122);
            last = block.contact(u32::MAX);
        }
    }

    #[test]
    fn tenant_deserialize_validates() {
        assert!(serde_json::from_str::<TenantId>("\"\"").is_err());
        assert!(serde_json::from_str::<TenantId>("\"acme\"").is_ok());
    }
}
