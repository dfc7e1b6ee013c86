//! Incremental dedup: new records are matched against the existing clusters through a
//! persistent block index, without redoing the whole set, and cluster ids stay stable.
//!
//! A cluster's id is `c-` + its oldest member's id. New records are younger than what
//! is indexed, so a record that joins a cluster never renames it; two clusters that a
//! newcomer bridges keep the older one's id. The model (weights) of the initial run is
//! reused, so scores do not drift from run to run.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::DedupError;
use super::blocking::{NO_KEY, record_keys_with};
use super::cluster::UnionFind;
use super::compare::level_of;
use super::config::DedupConfig;
use super::engine::{DedupResult, age_key, dedup_records};
use super::features::FeatureTable;
use super::model::MatchModel;
use super::record::Record;

/// A candidate match of one record in the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexMatch {
    /// Index of the matched record.
    pub index: u32,
    /// Its id.
    pub id: String,
    /// Match probability.
    pub probability: f64,
    /// Agreement levels per comparison.
    pub levels: Vec<u8>,
}

/// Where an added record went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    /// The record's index in the index.
    pub index: u32,
    /// Its cluster id after the addition.
    pub cluster_id: String,
    /// Its best match at or above the match threshold, if any.
    pub matched: Option<IndexMatch>,
}

/// A persistent dedup index: prepared features, blocks, clusters, model.
#[derive(Debug, Clone)]
pub struct DedupIndex {
    config: DedupConfig,
    model: MatchModel,
    records: Vec<Record>,
    features: FeatureTable,
    blocks: Vec<HashMap<u64, Vec<u32>>>,
    clusters: UnionFind,
    oldest: Vec<u32>,
    capped_lookups: usize,
}

impl DedupIndex {
    /// An empty index scoring with the config's weights.
    pub fn new(config: &DedupConfig) -> Result<Self, DedupError> {
        config.validate()?;
        Ok(Self::with_model(config, MatchModel::from_config(config)))
    }

    fn with_model(config: &DedupConfig, model: MatchModel) -> Self {
        DedupIndex {
            config: config.clone(),
            model,
            records: Vec::new(),
            features: FeatureTable::new(config),
            blocks: vec![HashMap::new(); config.blocking.len()],
            clusters: UnionFind::new(0),
            oldest: Vec::new(),
            capped_lookups: 0,
        }
    }

    /// Runs the bulk dedup over `records` and indexes the result.
    pub fn build(records: Vec<Record>, config: &DedupConfig) -> Result<Self, DedupError> {
        Ok(Self::from_result(dedup_records(records, config)?))
    }

    /// Indexes the result of a bulk run (its clusters and trained model are kept).
    pub fn from_result(result: DedupResult) -> Self {
        let mut index = Self::with_model(&result.config, result.model);
        index.features.extend(&index.config, &result.records);
        let keys = record_keys_with(&index.config, &result.records, Some((&index.features, 0)));
        let rules = index.config.blocking.len();
        for i in 0..result.records.len() {
            index.clusters.push();
            index.oldest.push(i as u32);
            for r in 0..rules {
                let k = keys[i * rules + r];
                if k != NO_KEY {
                    index.blocks[r].entry(k).or_default().push(i as u32);
                }
            }
        }
        index.records = result.records;
        for c in &result.clusters {
            for &m in &c.members[1..] {
                index.join(c.members[0], m);
            }
        }
        index
    }

    /// Records indexed.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The indexed record `i`.
    pub fn record(&self, i: u32) -> &Record {
        &self.records[i as usize]
    }

    /// The config.
    pub fn config(&self) -> &DedupConfig {
        &self.config
    }

    /// The model.
    pub fn model(&self) -> &MatchModel {
        &self.model
    }

    /// Lookups that met a block over `max_block_size` and compared only its most
    /// recent members.
    pub fn capped_lookups(&self) -> usize {
        self.capped_lookups
    }

    fn join(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.clusters.find(a), self.clusters.find(b));
        if ra == rb {
            return;
        }
        let (oa, ob) = (self.oldest[ra as usize], self.oldest[rb as usize]);
        let older = if age_key(&self.records[oa as usize]) <= age_key(&self.records[ob as usize]) {
            oa
        } else {
            ob
        };
        let root = self.clusters.union(a, b);
        self.oldest[root as usize] = older;
    }

    /// The stable id of record `i`'s cluster.
    pub fn cluster_id(&mut self, i: u32) -> String {
        let root = self.clusters.find(i);
        format!("c-{}", self.records[self.oldest[root as usize] as usize].id)
    }

    /// Candidate matches of a prepared row (`features` row `row`) among indexed
    /// records below `limit`, at or above the review threshold, best first.
    fn matches_of(
        &self,
        probe: Option<&FeatureTable>,
        row: usize,
        keys: &[u64],
        limit: u32,
    ) -> (Vec<IndexMatch>, bool) {
        let features = probe.unwrap_or(&self.features);
        let mut capped = false;
        let mut candidates: Vec<u32> = Vec::new();
        let cap = self.config.max_block_size;
        for (r, &k) in keys.iter().enumerate() {
            if k == NO_KEY {
                continue;
            }
            if let Some(members) = self.blocks[r].get(&k) {
                let below: Vec<u32> = members.iter().copied().filter(|&m| m < limit).collect();
                capped |= below.len() > cap;
                candidates.extend(&below[below.len().saturating_sub(cap)..]);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let new_row = features.row(row);
        let mut out: Vec<IndexMatch> = candidates
            .into_iter()
            .filter_map(|c| {
                let old_row = self.features.row(c as usize);
                let levels: Vec<u8> = self
                    .config
                    .comparisons
                    .iter()
                    .enumerate()
                    .map(|(i, cfg)| {
                        level_of(cfg, &new_row[i], &old_row[i], &self.features.tokens[i])
                    })
                    .collect();
                let p = MatchModel::probability(self.model.match_weight(&levels));
                (p >= self.config.review_threshold).then(|| IndexMatch {
                    index: c,
                    id: self.records[c as usize].id.clone(),
                    probability: p,
                    levels,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            b.probability
                .total_cmp(&a.probability)
                .then(a.index.cmp(&b.index))
        });
        (out, capped)
    }

    /// Matches records against the index without adding them (for previews).
    pub fn find_matches(&mut self, records: &[Record]) -> Vec<Vec<IndexMatch>> {
        let mut features = FeatureTable::new(&self.config);
        // Rarity weights come from the index; the probe only needs its own ids.
        features.tokens = self.features.tokens.clone();
        features.extend(&self.config, records);
        let keys = record_keys_with(&self.config, records, Some((&features, 0)));
        let rules = self.config.blocking.len();
        let limit = self.records.len() as u32;
        (0..records.len())
            .map(|i| {
                let (found, capped) =
                    self.matches_of(Some(&features), i, &keys[i * rules..(i + 1) * rules], limit);
                self.capped_lookups += usize::from(capped);
                found
            })
            .collect()
    }

    /// Adds records: each is matched against everything indexed before it (the
    /// existing clusters and the earlier new records), joined to its matches at or
    /// above the match threshold (unless the cluster would outgrow
    /// `max_cluster_size`), and indexed.
    pub fn add(&mut self, records: Vec<Record>) -> Result<Vec<Placement>, DedupError> {
        if self.records.len() + records.len() >= u32::MAX as usize {
            return Err(DedupError::TooManyRecords {
                count: self.records.len() + records.len(),
                max: u32::MAX as usize - 1,
            });
        }
        let start = self.records.len();
        let offset = self.features.len();
        self.features.extend(&self.config, &records);
        let keys = record_keys_with(&self.config, &records, Some((&self.features, offset)));
        self.records.extend(records);
        let rules = self.config.blocking.len();
        let mut placements = Vec::with_capacity(self.records.len() - start);
        for i in start..self.records.len() {
            let idx = i as u32;
            self.clusters.push();
            self.oldest.push(idx);
            let own_keys = &keys[(i - start) * rules..(i - start + 1) * rules];
            let (matches, capped) = self.matches_of(None, i, own_keys, idx);
            self.capped_lookups += usize::from(capped);
            let mut best = None;
            let threshold = self.config.match_threshold;
            for m in matches.into_iter().filter(|m| m.probability >= threshold) {
                let size = self.clusters.set_size(idx) + self.clusters.set_size(m.index);
                if self.clusters.find(idx) != self.clusters.find(m.index)
                    && size > self.config.max_cluster_size
                {
                    continue;
                }
                self.join(idx, m.index);
                if best.is_none() {
                    best = Some(m);
                }
            }
            for (r, &k) in own_keys.iter().enumerate() {
                if k != NO_KEY {
                    self.blocks[r].entry(k).or_default().push(idx);
                }
            }
            placements.push(Placement {
                index: idx,
                cluster_id: self.cluster_id(idx),
                matched: best,
            });
        }
        Ok(placements)
    }

    /// The cluster id of every indexed record, in index order.
    pub fn cluster_ids(&mut self) -> Vec<String> {
        (0..self.records.len() as u32)
            .map(|i| self.cluster_id(i))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn contact(id: &str, first: &str, last: &str, email: &str, year: i32) -> Record {
        Record::new(id)
            .with("first_name", first)
            .with("last_name", last)
            .with("email", email)
            .created(Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0).unwrap())
    }

    #[test]
    fn new_records_join_existing_clusters_and_ids_stay_stable() {
        let config = DedupConfig::contacts();
        let existing = vec![
            contact("b", "Jan", "Novák", "jan@acme.cz", 2021),
            contact("a", "Jan", "Novak", "jan@acme.cz", 2020),
            contact("c", "Eva", "Malá", "eva@beta.cz", 2022),
        ];
        let bulk = dedup_records(existing.clone(), &config).unwrap();
        let bulk_ids: Vec<String> = (0..3).map(|i| bulk.cluster_of(i).id.clone()).collect();
        assert_eq!(bulk_ids[0], "c-a", "the oldest member names the cluster");
        let mut index = DedupIndex::from_result(bulk);
        assert_eq!(index.cluster_ids(), bulk_ids);
        let placed = index
            .add(vec![
                contact("d", "Honza", "Novák", "JAN@ACME.CZ", 2024),
                contact("e", "Petr", "Svoboda", "petr@gamma.cz", 2024),
                contact("f", "Petr", "Svoboda", "petr@gamma.cz", 2025),
            ])
            .unwrap();
        assert_eq!(placed[0].cluster_id, "c-a");
        assert_eq!(placed[0].matched.as_ref().map(|m| m.id.as_str()), Some("b"));
        assert_eq!(placed[1].cluster_id, "c-e");
        assert_eq!(placed[2].cluster_id, "c-e");
        // The same data in one bulk run gives the same ids.
        let mut all = existing;
        all.extend([
            contact("d", "Honza", "Novák", "JAN@ACME.CZ", 2024),
            contact("e", "Petr", "Svoboda", "petr@gamma.cz", 2024),
            contact("f", "Petr", "Svoboda", "petr@gamma.cz", 2025),
        ]);
        let again = dedup_records(all, &config).unwrap();
        let again_ids: Vec<String> = (0..6).map(|i| again.cluster_of(i).id.clone()).collect();
        assert_eq!(index.cluster_ids(), again_ids);
    }

    #[test]
    fn find_matches_does_not_insert_and_caps_big_blocks() {
        let mut config = DedupConfig::contacts();
        config.max_block_size = 10;
        let mut index = DedupIndex::new(&config).unwrap();
        assert!(index.is_empty());
        let same: Vec<Record> = (0..50)
            .map(|i| contact(&i.to_string(), "Jan", "Novák", "", 2020))
            .collect();
        index.add(same).unwrap();
        let m = index.find_matches(&[contact("x", "Jan", "Novák", "", 2024)]);
        assert_eq!(index.len(), 50);
        assert!(m[0].len() <= 10 * config.blocking.len());
        assert!(index.capped_lookups() > 0);
    }
}
