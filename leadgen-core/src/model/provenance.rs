//! Field provenance: where a value came from, when, and how sure we are.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::field_map::FieldMap;

/// Where one field's current value came from.
///
/// Merges (dedup, CRM sync) decide between competing values by provenance:
/// source priority first, then recency, then confidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The source: an import (`import:linkedin_connections`), a stage
    /// (`stage:ares`), a CRM (`crm:hubspot`), or `user`.
    ///
    /// Shared: an import gives every field of every row the same source, and a copy
    /// per field was a large share of its allocations. Serialized as a plain string.
    pub source: Arc<str>,
    /// When the value was observed at the source.
    #[serde(serialize_with = "super::time::serialize")]
    pub observed_at: DateTime<Utc>,
    /// Confidence in the value, 0.0–1.0.
    pub confidence: f32,
}

impl Provenance {
    /// A provenance record with the confidence clamped into 0.0–1.0.
    ///
    /// Pass an `Arc<str>` to share one source among many records.
    pub fn new(source: impl Into<Arc<str>>, observed_at: DateTime<Utc>, confidence: f32) -> Self {
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

/// Provenance per field name (`"email"`, `"title"`, `"attributes.Industry"`, …), in
/// field-name order. The serde form is a JSON object.
///
/// ```
/// use chrono::Utc;
/// use leadgen_core::{FieldProvenance, Provenance};
/// let mut p = FieldProvenance::new();
/// p.insert("title", Provenance::new("import:apollo", Utc::now(), 0.9));
/// p.insert("email", Provenance::new("import:apollo", Utc::now(), 1.0));
/// p.insert(format!("attributes.{}", "Industry"), Provenance::new("user", Utc::now(), 1.0));
/// assert_eq!(p.keys().collect::<Vec<_>>(), ["attributes.Industry", "email", "title"]);
/// assert_eq!(p["title"].confidence, 0.9);
/// assert!(p.get("phone").is_none());
/// ```
pub type FieldProvenance = FieldMap<Provenance>;

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared source serializes exactly as the former `String` did.
    #[test]
    fn serde_form_is_a_plain_string() {
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        let p = Provenance::new("import:apollo", at, 0.5);
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(
            json,
            r#"{"source":"import:apollo","observed_at":"2023-11-14T22:13:20Z","confidence":0.5}"#
        );
        let back: Provenance = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        assert_eq!(&*back.source, "import:apollo");
    }
}
