//! Persistence: the [`Store`] trait (composed of focused parts) and the
//! [`TenantStore`] handle every entity operation goes through.
//!
//! Backends live in `leadgen-store` (SQLite, PostgreSQL); they all pass one
//! conformance suite.

mod lease;
mod query;
mod records;
mod tenant;
mod traits;
mod validate;

pub mod memory;

pub use lease::{LeaseStore, PairLease, QueueCounts, QueuedPair};
pub use memory::MemoryStore;
pub use query::{
    AuditFilter, CompanyFilter, ContactFilter, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page, PageRequest,
    UpsertReport,
};
pub use records::{
    AuditEntry, CacheEntry, Completion, CompletionStatus, RunRecord, RunStatus, StageRunRecord,
};
pub use tenant::TenantStore;
pub use traits::{AuditStore, CacheStore, EntityStore, RunStore, SPENT_SCAN_RUN_LIMIT, Store};
pub use validate::{
    MAX_ATTRIBUTES, MAX_FIELD_BYTES, email_key, validate_company, validate_contact,
};
