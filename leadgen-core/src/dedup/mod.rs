//! Deduplication: find the records that describe the same person or company, explain
//! why, and merge them safely.
//!
//! The engine works on generic [`Record`]s (an id and named text fields) under a
//! declarative [`DedupConfig`] (fields → comparator → levels and weights, blocking
//! rules, thresholds), with ready configs for contacts and companies; a TOML config
//! dedups any CSV. The pipeline:
//!
//! 1. **prepare** every compared field once ([`features`], through [`keys`]);
//! 2. **block** on several keys so only plausible pairs are compared ([`blocking`]);
//! 3. **compare** each candidate pair field by field into agreement levels
//!    ([`compare`]) and **score** it with a Fellegi–Sunter model ([`model`]);
//! 4. **cluster** pairs above the match threshold ([`cluster`]), and keep every
//!    scored pair's per-field contributions for [`explain`]ing and the HTML report.
//!
//! Around it: [`merge`] strategies with tombstones and undo, import-time [`preview`]
//! (new / duplicate of / update of), [`incremental`] matching against existing
//! clusters with stable cluster ids, [`bulk`] dedup over a store, and [`metrics`]
//! (pairwise and B-cubed precision/recall/F1) for ground truth.
//!
//! ```
//! use leadgen_core::dedup::{dedup_records, DedupConfig, Record};
//! let records = vec![
//!     Record::new("1").with("first_name", "William").with("last_name", "Smith")
//!         .with("email", "w.smith@acme.com").with("company", "Acme Inc."),
//!     Record::new("2").with("first_name", "Bill").with("last_name", "Smith")
//!         .with("email", "W.Smith@acme.com").with("company", "Acme"),
//!     Record::new("3").with("first_name", "Jana").with("last_name", "Nováková")
//!         .with("email", "jana@beta.cz"),
//! ];
//! let result = dedup_records(records, &DedupConfig::contacts()).unwrap();
//! assert_eq!(result.cluster_of(0), result.cluster_of(1));
//! assert_ne!(result.cluster_of(0), result.cluster_of(2));
//! let why = result.explain(&result.pairs[0]);
//! assert!(why.fields.iter().any(|f| f.comparison == "email" && f.weight > 0.0));
//! ```

pub mod blocking;
pub mod bulk;
pub mod cluster;
pub mod compare;
pub mod config;
pub mod engine;
pub mod explain;
pub mod features;
pub mod incremental;
pub mod keys;
pub mod merge;
pub mod metrics;
pub mod model;
pub mod preview;
pub mod record;
pub mod report;

pub use blocking::OversizedBlock;
pub use config::{
    BlockingRule, Comparator, ComparisonConfig, DedupConfig, KeyPart, KeyTransform, Level, Prepare,
};
pub use engine::{Cluster, DedupResult, DedupStats, ScoredPair, dedup_records};
pub use explain::{FieldContribution, PairExplanation};
pub use incremental::DedupIndex;
pub use merge::{MergeOutcome, MergeStrategy, merge_companies, merge_contacts, undo_merge};
pub use model::MatchModel;
pub use preview::{PreviewDecision, preview_import};
pub use record::Record;
pub use report::render_html_report;

/// The errors of the dedup engine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DedupError {
    /// The config is not valid.
    #[error("dedup config: {field}: {reason}")]
    InvalidConfig {
        /// The offending field (`comparisons[2] (email).levels[0]`).
        field: String,
        /// Why.
        reason: String,
    },
    /// The config text could not be parsed.
    #[error("dedup config: {message}")]
    ConfigParse {
        /// The parser's message (with line and column).
        message: String,
    },
    /// A config file could not be read.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What happened.
        message: String,
    },
    /// More records than the engine indexes (u32).
    #[error("too many records: {count} (at most {max})")]
    TooManyRecords {
        /// Given.
        count: usize,
        /// Allowed.
        max: usize,
    },
    /// A merge was asked for something it cannot do.
    #[error("merge: {reason}")]
    Merge {
        /// Why.
        reason: String,
    },
    /// An audit entry cannot be undone.
    #[error("undo of audit entry {entry}: {reason}")]
    Undo {
        /// The audit entry id.
        entry: String,
        /// Why.
        reason: String,
    },
}

impl From<DedupError> for crate::Error {
    fn from(e: DedupError) -> Self {
        match e {
            DedupError::InvalidConfig { .. } | DedupError::ConfigParse { .. } => {
                crate::Error::Config(e.to_string())
            }
            DedupError::Io {
                ref path,
                ref message,
            } => crate::Error::Io {
                path: path.clone(),
                source: std::io::Error::other(message.clone()),
            },
            DedupError::TooManyRecords { .. } => crate::Error::invalid("records", e.to_string()),
            DedupError::Merge { .. } => crate::Error::invalid("merge", e.to_string()),
            DedupError::Undo { .. } => crate::Error::invalid("audit_entry", e.to_string()),
        }
    }
}
