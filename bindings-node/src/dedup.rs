//! Deduplication of stored contacts and companies: a dry run by default, merges (with
//! tombstones and audit entries) when asked.

use leadgen::core::dedup::bulk::BulkDedup;
use leadgen::core::dedup::merge::MergeStrategy;
use napi_derive::napi;

use crate::errors::invalid;

/// How to deduplicate.
#[napi(object)]
#[derive(Default)]
pub struct DedupOptions {
    /// Write the merges (default `false`: a dry run).
    pub apply: Option<bool>,
    /// `keep_newest` (default), `keep_most_complete`, `merge_fields` or `skip`.
    pub strategy: Option<String>,
    /// For `merge_fields`: sources best first (`user`, `crm:hubspot`, `import`).
    pub source_priority: Option<Vec<String>>,
}

/// What a dedup run found and (with `apply`) merged.
#[napi(object)]
pub struct DedupReport {
    pub records: u32,
    pub candidate_pairs: u32,
    pub matched_pairs: u32,
    pub duplicate_clusters: u32,
    pub duplicate_records: u32,
    /// The duplicate clusters, as lists of entity ids (oldest first).
    pub clusters: Vec<Vec<String>>,
    pub applied: bool,
    pub clusters_merged: u32,
    pub tombstoned: u32,
}

fn small(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl DedupReport {
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
        DedupReport {
            records: small(r.stats.records),
            candidate_pairs: small(r.stats.candidate_pairs),
            matched_pairs: small(r.stats.matched_pairs),
            duplicate_clusters: small(r.stats.duplicate_clusters),
            duplicate_records: small(r.stats.duplicate_records),
            clusters,
            applied,
            clusters_merged: small(run.applied.clusters_merged),
            tombstoned: small(run.applied.tombstoned),
        }
    }
}

/// The merge strategy the options name.
pub fn strategy(options: &DedupOptions) -> leadgen::Result<MergeStrategy> {
    Ok(match options.strategy.as_deref().unwrap_or("keep_newest") {
        "keep_newest" => MergeStrategy::KeepNewest,
        "keep_most_complete" => MergeStrategy::KeepMostComplete,
        "merge_fields" => MergeStrategy::MergeFields {
            source_priority: options.source_priority.clone().unwrap_or_default(),
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
