//! Deduplication of stored contacts and companies: a dry run by default, merges (with
//! tombstones and audit entries) when asked.

use leadgen::core::dedup::bulk::BulkDedup;
use leadgen::core::dedup::merge::MergeStrategy;
use pyo3::prelude::*;

use crate::errors::invalid;
use crate::mapping::record_mapping;

/// What a dedup run found and (with `apply=True`) merged.
#[pyclass(module = "leadgen", name = "DedupReport", frozen)]
pub struct PyDedupReport {
    /// Records compared.
    #[pyo3(get)]
    records: usize,
    /// Candidate pairs scored.
    #[pyo3(get)]
    candidate_pairs: usize,
    /// Pairs at or above the match threshold.
    #[pyo3(get)]
    matched_pairs: usize,
    /// Clusters with two or more members.
    #[pyo3(get)]
    duplicate_clusters: usize,
    /// Records that duplicate another.
    #[pyo3(get)]
    duplicate_records: usize,
    /// The duplicate clusters, as lists of entity ids (oldest first).
    #[pyo3(get)]
    clusters: Vec<Vec<String>>,
    /// Whether merges were written.
    #[pyo3(get)]
    applied: bool,
    /// Clusters merged (0 for a dry run).
    #[pyo3(get)]
    clusters_merged: usize,
    /// Records turned into tombstones (0 for a dry run).
    #[pyo3(get)]
    tombstoned: usize,
}
record_mapping!(
    PyDedupReport,
    "DedupReport",
    [
        "records",
        "candidate_pairs",
        "matched_pairs",
        "duplicate_clusters",
        "duplicate_records",
        "clusters",
        "applied",
        "clusters_merged",
        "tombstoned"
    ]
);

impl PyDedupReport {
    /// The report of a bulk run.
    pub fn new(run: BulkDedup, applied: bool) -> Self {
        let r = &run.result;
        let clusters = r
            .duplicate_clusters()
            .map(|c| {
                c.members
                    .iter()
                    .map(|&m| r.records[m as usize].id.clone())
                    .collect()
            })
            .collect();
        PyDedupReport {
            records: r.stats.records,
            candidate_pairs: r.stats.candidate_pairs,
            matched_pairs: r.stats.matched_pairs,
            duplicate_clusters: r.stats.duplicate_clusters,
            duplicate_records: r.stats.duplicate_records,
            clusters,
            applied,
            clusters_merged: run.applied.clusters_merged,
            tombstoned: run.applied.tombstoned,
        }
    }
}

/// The merge strategy named `name` (`keep_newest`, `keep_most_complete`,
/// `merge_fields` with `source_priority`, `skip`).
pub fn strategy(name: &str, source_priority: Option<Vec<String>>) -> PyResult<MergeStrategy> {
    Ok(match name {
        "keep_newest" => MergeStrategy::KeepNewest,
        "keep_most_complete" => MergeStrategy::KeepMostComplete,
        "merge_fields" => MergeStrategy::MergeFields {
            source_priority: source_priority.unwrap_or_default(),
        },
        "skip" => MergeStrategy::Skip,
        other => {
            return Err(invalid(
                "strategy",
                format!("{other:?}: use keep_newest, keep_most_complete, merge_fields or skip"),
            ));
        }
    })
}
