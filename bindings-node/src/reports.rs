//! What operations take and report back: filters, paging, upsert counts, pages, runs,
//! audit entries.

use chrono::{DateTime, Utc};
use leadgen::core::CompanyId;
use leadgen::core::store::{
    AuditEntry as RsAuditEntry, CompanyFilter, ContactFilter, PageRequest, RunRecord,
    UpsertReport as RsUpsertReport,
};
use napi_derive::napi;

use crate::errors::invalid;
use crate::records::{Company, Contact, parse_enum};

/// What an upsert did.
#[napi(object)]
pub struct UpsertReport {
    /// Rows that did not exist before.
    pub inserted: i64,
    /// Rows that replaced an existing row with the same id.
    pub updated: i64,
}

impl From<RsUpsertReport> for UpsertReport {
    fn from(r: RsUpsertReport) -> Self {
        UpsertReport {
            inserted: i64::try_from(r.inserted).unwrap_or(i64::MAX),
            updated: i64::try_from(r.updated).unwrap_or(i64::MAX),
        }
    }
}

/// Paging: at most `limit` items (default 100, capped at 10 000), after `cursor`.
#[napi(object)]
#[derive(Default)]
pub struct PageOptions {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The page request of optional paging options.
pub fn page_request(p: Option<PageOptions>) -> leadgen::Result<PageRequest> {
    let p = p.unwrap_or_default();
    Ok(PageRequest {
        limit: count("limit", p.limit.unwrap_or(0))?,
        cursor: p.cursor,
    })
}

/// A non-negative count given as a JavaScript number.
pub fn count(field: &str, n: i64) -> leadgen::Result<usize> {
    usize::try_from(n).map_err(|_| invalid(field, format!("{n} is negative")))
}

/// Filters for contacts; every given filter must match.
#[napi(object)]
#[derive(Default)]
pub struct ContactQuery {
    pub company_id: Option<String>,
    pub emails: Option<Vec<String>>,
    pub linkedin_urls: Option<Vec<String>>,
    pub email_status: Option<String>,
    pub country: Option<String>,
    pub search: Option<String>,
    pub updated_since: Option<DateTime<Utc>>,
    pub updated_before: Option<DateTime<Utc>>,
    pub include_merged: Option<bool>,
    /// Only contacts with neither an email nor a LinkedIn URL.
    pub keyless: Option<bool>,
}

/// The contact filter of an optional query.
pub fn contact_filter(q: Option<ContactQuery>) -> leadgen::Result<ContactFilter> {
    {
        let q = q.unwrap_or_default();
        Ok(ContactFilter {
            company_id: q.company_id.as_deref().map(CompanyId::parse).transpose()?,
            emails: q.emails.unwrap_or_default(),
            linkedin_urls: q.linkedin_urls.unwrap_or_default(),
            email_status: q
                .email_status
                .as_deref()
                .map(|s| parse_enum("emailStatus", s))
                .transpose()?,
            country: q.country,
            search: q.search,
            updated_since: q.updated_since,
            updated_before: q.updated_before,
            include_merged: q.include_merged.unwrap_or(false),
            keyless: q.keyless.unwrap_or(false),
        })
    }
}

/// Filters for companies; every given filter must match.
#[napi(object)]
#[derive(Default)]
pub struct CompanyQuery {
    pub domains: Option<Vec<String>>,
    pub country: Option<String>,
    pub name_contains: Option<String>,
    pub updated_since: Option<DateTime<Utc>>,
    pub updated_before: Option<DateTime<Utc>>,
    pub include_merged: Option<bool>,
}

/// The company filter of an optional query.
pub fn company_filter(q: Option<CompanyQuery>) -> CompanyFilter {
    {
        let q = q.unwrap_or_default();
        CompanyFilter {
            domains: q.domains.unwrap_or_default(),
            country: q.country,
            name_contains: q.name_contains,
            updated_since: q.updated_since,
            updated_before: q.updated_before,
            include_merged: q.include_merged.unwrap_or(false),
        }
    }
}

/// One page of contacts; `nextCursor` is absent on the last page.
#[napi(object)]
pub struct ContactPage {
    pub items: Vec<Contact>,
    pub next_cursor: Option<String>,
}

impl From<leadgen::core::store::Page<leadgen::core::Contact>> for ContactPage {
    fn from(p: leadgen::core::store::Page<leadgen::core::Contact>) -> Self {
        ContactPage {
            items: p.items.into_iter().map(Into::into).collect(),
            next_cursor: p.next_cursor,
        }
    }
}

/// One page of companies; `nextCursor` is absent on the last page.
#[napi(object)]
pub struct CompanyPage {
    pub items: Vec<Company>,
    pub next_cursor: Option<String>,
}

impl From<leadgen::core::store::Page<leadgen::core::Company>> for CompanyPage {
    fn from(p: leadgen::core::store::Page<leadgen::core::Company>) -> Self {
        CompanyPage {
            items: p.items.into_iter().map(Into::into).collect(),
            next_cursor: p.next_cursor,
        }
    }
}

/// One run: an execution of stages over entities, or an import job.
#[napi(object)]
pub struct Run {
    pub id: String,
    pub kind: String,
    /// `pending`, `running`, `completed`, `failed`, `cancelled`, `budget_exhausted`.
    pub status: String,
    pub stages: Vec<String>,
    pub budget: Option<f64>,
    pub spent: f64,
    pub summary: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<RunRecord> for Run {
    fn from(r: RunRecord) -> Self {
        Run {
            id: r.id.to_string(),
            kind: r.kind,
            status: r.status.as_str().to_string(),
            stages: r.stages,
            budget: r.budget.map(|b| b.as_credits()),
            spent: r.spent.as_credits(),
            summary: r.summary,
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
        }
    }
}

/// One entry of the audit log.
#[napi(object)]
pub struct AuditEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    /// `contact:<uuid>` or `company:<uuid>`.
    pub entity: Option<String>,
    pub details: serde_json::Value,
}

impl From<RsAuditEntry> for AuditEntry {
    fn from(e: RsAuditEntry) -> Self {
        AuditEntry {
            id: e.id.to_string(),
            at: e.at,
            actor: e.actor,
            action: e.action,
            entity: e.entity.map(|r| r.to_string()),
            details: e.details,
        }
    }
}

/// Filters for the audit log.
#[napi(object)]
#[derive(Default)]
pub struct AuditQuery {
    /// `contact:<uuid>` or `company:<uuid>`.
    pub entity: Option<String>,
    pub action: Option<String>,
    /// At most this many, newest first (default 100).
    pub limit: Option<i64>,
}

/// An audit entry to append.
#[napi(object)]
pub struct AuditInput {
    /// Who: `user:alice`, `import`, …
    pub actor: String,
    /// What: `export`, `merge`, …
    pub action: String,
    /// `contact:<uuid>` or `company:<uuid>`.
    pub entity: Option<String>,
    /// Any JSON value.
    pub details: Option<serde_json::Value>,
}
