//! Field provenance: where a value came from, when, and how sure we are.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where one field's current value came from.
///
/// Merges (dedup, CRM sync) decide between competing values by provenance:
/// source priority first, then recency, then confidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The source: an import (`import:linkedin_connections`), a stage
    /// (`stage:ares`), a CRM (`crm:hubspot`), or `user`.
    pub source: String,
    /// When the value was observed at the source.
    pub observed_at: DateTime<Utc>,
    /// Confidence in the value, 0.0–1.0.
    pub confidence: f32,
}

impl Provenance {
    /// A provenance record with the confidence clamped into 0.0–1.0.
    pub fn new(source: impl Into<String>, observed_at: DateTime<Utc>, confidence: f32) -> Self {
        let confidence = if confidence.is_nan() {
            0.0
        } else {
            confidence.clamp(0.0, 1.0)
        };
        Provenance {
            source: source.into(),
            observed_at,
            confidence,
        }
    }
}

/// Provenance per field name (`"email"`, `"title"`, `"attributes.Industry"`, …).
pub type FieldProvenance = BTreeMap<String, Provenance>;
