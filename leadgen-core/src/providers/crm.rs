//! CRM connectors (HubSpot, Pipedrive, Notion, Odoo).

use std::collections::BTreeMap;
use std::fmt::Debug;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::EntityKind;

/// One record as the CRM holds it, with leadgen field names after mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrmRecord {
    /// The CRM's id of the record, when it exists there.
    pub crm_id: Option<String>,
    /// Field values keyed by leadgen field name (`email`, `first_name`, …).
    pub fields: BTreeMap<String, String>,
    /// When the CRM last modified it.
    pub modified_at: Option<DateTime<Utc>>,
}

/// One page of a pull.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullPage {
    /// The records.
    pub records: Vec<CrmRecord>,
    /// Cursor to continue from (also the incremental-sync bookmark), `None` at the end.
    pub next_cursor: Option<String>,
}

/// What a push did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PushReport {
    /// Records created in the CRM.
    pub created: u64,
    /// Records updated.
    pub updated: u64,
    /// Records rejected, with the CRM's reason.
    pub failed: Vec<(usize, String)>,
}

/// Maps leadgen field names to CRM property names, per entity kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldMapping {
    /// leadgen field → CRM property, for contacts.
    pub contact: BTreeMap<String, String>,
    /// leadgen field → CRM property, for companies.
    pub company: BTreeMap<String, String>,
}

/// A CRM: incremental pull by cursor, batch upsert push.
#[async_trait]
pub trait CrmConnector: Send + Sync + Debug {
    /// The connector's id (`hubspot`).
    fn id(&self) -> &str;
    /// Pulls one page of records of `kind` changed since `cursor`.
    async fn pull(&self, kind: EntityKind, cursor: Option<&str>, limit: usize) -> Result<PullPage>;
    /// Creates or updates records of `kind`.
    async fn push(&self, kind: EntityKind, records: &[CrmRecord]) -> Result<PushReport>;
}
