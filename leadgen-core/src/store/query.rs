//! Filters and paging for listing entities and records.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{CompanyId, EmailStatus, EntityRef};

/// The default page size.
pub const DEFAULT_PAGE_SIZE: usize = 100;
/// The largest page a store returns.
pub const MAX_PAGE_SIZE: usize = 10_000;

/// Paging: how many, and after which cursor.
///
/// Pages are ordered by id (ids are time-ordered UUIDs). The cursor is opaque:
/// pass back what [`Page::next_cursor`] gave.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    /// Page size; 0 means [`DEFAULT_PAGE_SIZE`]; capped at [`MAX_PAGE_SIZE`].
    pub limit: usize,
    /// Continue after this cursor.
    pub cursor: Option<String>,
}

impl PageRequest {
    /// The first page of `limit` items.
    pub fn first(limit: usize) -> Self {
        PageRequest {
            limit,
            cursor: None,
        }
    }

    /// The effective page size.
    pub fn effective_limit(&self) -> usize {
        match self.limit {
            0 => DEFAULT_PAGE_SIZE,
            n => n.min(MAX_PAGE_SIZE),
        }
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items, in id order.
    pub items: Vec<T>,
    /// The cursor of the next page, or `None` on the last page.
    pub next_cursor: Option<String>,
}

/// Filters for listing companies. Every set filter must match (AND).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompanyFilter {
    /// Any of these registrable domains (case-insensitive).
    pub domains: Vec<String>,
    /// ISO country code.
    pub country: Option<String>,
    /// Name contains this text (case-insensitive).
    pub name_contains: Option<String>,
    /// Updated at or after.
    pub updated_since: Option<DateTime<Utc>>,
    /// Updated before (staleness).
    pub updated_before: Option<DateTime<Utc>>,
    /// Include tombstones of merged-away companies (left out by default).
    pub include_merged: bool,
}

/// Filters for listing contacts. Every set filter must match (AND); the list
/// filters match any of their values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactFilter {
    /// Works at this company.
    pub company_id: Option<CompanyId>,
    /// Any of these emails (compared trimmed and lower-cased).
    pub emails: Vec<String>,
    /// Any of these LinkedIn URLs (compared as stored).
    pub linkedin_urls: Vec<String>,
    /// Email status.
    pub email_status: Option<EmailStatus>,
    /// ISO country code.
    pub country: Option<String>,
    /// Name, email or company name contains this text (case-insensitive).
    pub search: Option<String>,
    /// Updated at or after.
    pub updated_since: Option<DateTime<Utc>>,
    /// Updated before (staleness).
    pub updated_before: Option<DateTime<Utc>>,
    /// Include tombstones of merged-away contacts (left out by default).
    pub include_merged: bool,
    /// Only contacts with neither an email nor a LinkedIn URL (a blank one counts
    /// as none): those an import matches by name and company, since they have no
    /// exact key.
    #[serde(default)]
    pub keyless: bool,
}

/// Filters for reading the audit log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// Entries about this entity.
    pub entity: Option<EntityRef>,
    /// Entries with this action.
    pub action: Option<String>,
    /// At most this many, newest first; 0 means [`DEFAULT_PAGE_SIZE`].
    pub limit: usize,
}

/// What a bulk upsert did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpsertReport {
    /// Rows that did not exist before.
    pub inserted: u64,
    /// Rows that replaced an existing row with the same id.
    pub updated: u64,
}
