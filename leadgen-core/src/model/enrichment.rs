//! The structured output of one stage for one entity.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::credits::Credits;
use super::entity::EntityRef;

/// A source a stage used: a URL, a registry record, a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Citation {
    /// Where (URL or registry reference).
    pub url: String,
    /// A title or label, if any.
    pub title: Option<String>,
    /// When it was retrieved.
    pub retrieved_at: Option<DateTime<Utc>>,
}

/// One stage's structured output for one entity, with its cost and sources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrichmentResult {
    /// The entity enriched.
    pub entity: EntityRef,
    /// The stage that produced it.
    pub stage: String,
    /// The output, as JSON (shape defined by the stage).
    pub data: serde_json::Value,
    /// What producing it cost.
    pub cost: Credits,
    /// The sources used.
    pub sources: Vec<Citation>,
    /// When it was produced.
    pub produced_at: DateTime<Utc>,
}
