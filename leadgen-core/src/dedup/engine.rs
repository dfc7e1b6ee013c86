//! The bulk pipeline: prepare → block → (train) → score → cluster, and its result.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::DedupError;
use super::blocking::{self, OversizedBlock, pack, unpack};
use super::cluster::{self, Edge};
use super::compare::{level_of, level_of_similarity};
use super::config::DedupConfig;
use super::config::MAX_COMPARISONS;
use super::features::{Feature, FeatureTable, TokenTable};
use super::model::{MatchModel, SplitMix};
use super::record::Record;

/// Fewer records than this: the configured weights are used even if estimation is on.
pub const MIN_RECORDS_FOR_EM: usize = 200;
/// Fewer candidate pairs than this: likewise.
pub const MIN_PAIRS_FOR_EM: usize = 50;

/// A scored candidate pair (kept when at or above the review threshold).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredPair {
    /// Index of the first record.
    pub a: u32,
    /// Index of the second record.
    pub b: u32,
    /// Match weight (log2 Bayes factor plus prior).
    pub weight: f64,
    /// Match probability.
    pub probability: f64,
    /// The agreement level of each comparison (0 = a value missing).
    pub levels: Vec<u8>,
}

/// A cluster: records believed to be one entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    /// Stable id: `c-` + the id of the oldest member (earliest `created_at`, then
    /// smallest id), so the same data gives the same ids run after run.
    pub id: String,
    /// Record indexes, oldest first.
    pub members: Vec<u32>,
}

/// Counts describing a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DedupStats {
    /// Records in.
    pub records: usize,
    /// Candidate pairs compared.
    pub candidate_pairs: usize,
    /// Pairs at or above the match threshold.
    pub matched_pairs: usize,
    /// Clusters (singletons included).
    pub clusters: usize,
    /// Clusters with two or more members.
    pub duplicate_clusters: usize,
    /// Records that are duplicates of another (members beyond the first per cluster).
    pub duplicate_records: usize,
    /// Components re-cut by the chain guard.
    pub recut_components: usize,
    /// Whether m/u were estimated by EM in this run.
    pub estimated: bool,
    /// Milliseconds spent per stage: prepare, block, score (and train), cluster.
    pub stage_ms: [u64; 4],
}

/// What [`dedup_records`] found.
#[derive(Debug, Clone)]
pub struct DedupResult {
    /// The config used.
    pub config: DedupConfig,
    /// The records, in input order (moved in, handed back).
    pub records: Vec<Record>,
    /// Every cluster, singletons included, ordered by their oldest member's index.
    pub clusters: Vec<Cluster>,
    /// Cluster index of each record.
    pub assignment: Vec<u32>,
    /// Each record's best match probability inside its cluster (0 for singletons).
    pub record_scores: Vec<f64>,
    /// Scored pairs at or above the review threshold, best first.
    pub pairs: Vec<ScoredPair>,
    /// The model that scored them (trained if the config asked).
    pub model: MatchModel,
    /// Blocks too large to compare all-pairs.
    pub oversized_blocks: Vec<OversizedBlock>,
    /// Counts.
    pub stats: DedupStats,
}

impl DedupResult {
    /// The cluster of record `i`.
    pub fn cluster_of(&self, i: usize) -> &Cluster {
        &self.clusters[self.assignment[i] as usize]
    }

    /// Clusters with two or more members.
    pub fn duplicate_clusters(&self) -> impl Iterator<Item = &Cluster> {
        self.clusters.iter().filter(|c| c.members.len() > 1)
    }
}

/// The oldest-first order key of a record.
pub(crate) fn age_key(r: &Record) -> (bool, Option<chrono::DateTime<chrono::Utc>>, &str) {
    (r.created_at.is_none(), r.created_at, r.id.as_str())
}

/// Levels of every pair (flat, `stride` per pair), in parallel.
pub(crate) fn score_levels(
    config: &DedupConfig,
    features: &FeatureTable,
    pairs: &[u64],
) -> Vec<u8> {
    pairs
        .par_iter()
        .flat_map_iter(|&p| {
            let (a, b) = unpack(p);
            let (ra, rb) = (features.row(a as usize), features.row(b as usize));
            config
                .comparisons
                .iter()
                .enumerate()
                .map(move |(c, cfg)| level_of(cfg, &ra[c], &rb[c], &features.tokens[c]))
        })
        .collect()
}

/// The order in which a pair's comparisons are computed — cheap ones (exact
/// identifiers) first, string kernels last — and, after each, the most the remaining
/// ones can still add to the match weight. A pair whose weight cannot reach the kept
/// minimum any more is dropped before the expensive kernels run; a pair that can is
/// computed in full, so every kept pair's levels and weight are exactly those of a
/// full comparison.
pub(crate) struct ScoringPlan {
    order: Vec<usize>,
    /// Per comparison: the level of two different texts when it is an exact
    /// comparison (decided from the text hashes), else `None`.
    unequal: Vec<Option<u8>>,
    /// `rest[k]`: the sum of the maximum weights of `order[k + 1..]`.
    rest: Vec<f64>,
    prior: f64,
    /// The weight below which the probability is under the kept minimum (with a
    /// margin against rounding; the final decision uses the full weight).
    floor: f64,
}

impl ScoringPlan {
    pub(crate) fn new(config: &DedupConfig, model: &MatchModel, keep: f64) -> Self {
        use super::config::Comparator as C;
        let cost = |c: C| match c {
            C::Exact | C::NumericDistance => 0,
            C::Linkedin => 1,
            C::TokenSet | C::RareTokens => 2,
            C::JaroWinkler | C::Levenshtein | C::PersonName => 3,
        };
        let mut order: Vec<usize> = (0..config.comparisons.len()).collect();
        order.sort_by_key(|&c| cost(config.comparisons[c].comparator));
        let max_weight = |c: usize| {
            let levels = model.comparisons.get(c).map_or(0, |p| p.levels.len());
            (0..levels)
                .map(|l| model.weight(c, l as u8))
                .fold(0.0f64, f64::max)
        };
        let mut rest = vec![0.0; order.len()];
        for k in (0..order.len().saturating_sub(1)).rev() {
            rest[k] = rest[k + 1] + max_weight(order[k + 1]);
        }
        let floor = if keep > 0.0 && keep < 1.0 {
            (keep / (1.0 - keep)).log2() - 1e-6
        } else {
            f64::NEG_INFINITY
        };
        let unequal = config
            .comparisons
            .iter()
            .map(|c| (c.comparator == C::Exact).then(|| level_of_similarity(c, 0.0)))
            .collect();
        ScoringPlan {
            order,
            unequal,
            rest,
            prior: model.prior_weight(),
            floor,
        }
    }

    /// Fills `levels` for a pair; `false` (levels incomplete) when the pair cannot
    /// reach the kept minimum.
    pub(crate) fn levels(
        &self,
        config: &DedupConfig,
        model: &MatchModel,
        (ra, ha): (&[Feature], &[u64]),
        (rb, hb): (&[Feature], &[u64]),
        tokens: &[TokenTable],
        levels: &mut [u8],
    ) -> bool {
        let mut w = self.prior;
        for (k, &c) in self.order.iter().enumerate() {
            let l = match self.unequal[c] {
                // Both have text and the hashes differ: the texts differ.
                Some(l) if ha[c] != 0 && hb[c] != 0 && ha[c] != hb[c] => l,
                _ => level_of(&config.comparisons[c], &ra[c], &rb[c], &tokens[c]),
            };
            levels[c] = l;
            w += model.weight(c, l);
            if w + self.rest[k] < self.floor {
                return false;
            }
        }
        true
    }
}

/// Trains the model: u from random pairs, m and the prior by EM over the candidates.
pub(crate) fn train(
    config: &DedupConfig,
    features: &FeatureTable,
    candidates: &[u8],
    n: usize,
) -> MatchModel {
    let mut model = MatchModel::from_config(config);
    if n < 2 || candidates.is_empty() {
        return model;
    }
    let mut rng = SplitMix::new(config.seed);
    let total_pairs = n as f64 * (n as f64 - 1.0) / 2.0;
    let samples = (config.u_sample_pairs as f64).min(total_pairs) as usize;
    let random: Vec<u64> = (0..samples)
        .filter_map(|_| {
            let a = rng.below(n) as u32;
            let b = rng.below(n) as u32;
            (a != b).then(|| pack(a, b))
        })
        .collect();
    let random_levels = score_levels(config, features, &random);
    let stride = config.comparisons.len();
    model.estimate_u(&random_levels, stride);
    let share = (candidates.len() / stride) as f64 / total_pairs;
    model.estimate_m(candidates, stride, config.em_iterations, share);
    model
}

/// Finds the duplicate clusters among `records`.
///
/// Cost grows with the number of candidate pairs the blocking rules make, about
/// linearly in the number of records; oversized blocks are windowed and reported in
/// [`DedupResult::oversized_blocks`].
pub fn dedup_records(
    records: Vec<Record>,
    config: &DedupConfig,
) -> Result<DedupResult, DedupError> {
    // The whole pipeline runs on a worker of the thread pool: called from outside
    // it, each parallel step would otherwise put the caller to sleep and wait for
    // it to be woken again, which on a busy machine costs more than some steps.
    rayon::scope(|_| dedup_in_pool(records, config))
}

fn dedup_in_pool(records: Vec<Record>, config: &DedupConfig) -> Result<DedupResult, DedupError> {
    config.validate()?;
    if records.len() >= u32::MAX as usize {
        return Err(DedupError::TooManyRecords {
            count: records.len(),
            max: u32::MAX as usize - 1,
        });
    }
    let n = records.len();
    let clock = std::time::Instant::now();
    let mut stage_ms = [0u64; 4];
    let mut lap = |stage: usize| {
        stage_ms[stage] = clock.elapsed().as_millis() as u64 - stage_ms[..stage].iter().sum::<u64>()
    };
    let mut features = FeatureTable::new(config);
    // The blocking keys are made in the same pass as the features (they share the
    // normalized values), so stage 0 covers both. Blocking needs only the keys: it
    // runs while the company tokens are interned (the one sequential step of the
    // preparation).
    let (keys, pending) = features.extend_with_keys_pending(config, &records);
    lap(0);
    let ((), (candidates, oversized_blocks)) = rayon::join(
        || features.intern(pending),
        || blocking::candidate_pairs_of_keys(config, &records, &keys),
    );
    drop(keys);
    lap(1);
    // EM needs enough pairs to see both populations; on a handful of records it
    // would invent parameters, so small inputs keep the configured weights.
    let estimate =
        config.estimate && n >= MIN_RECORDS_FOR_EM && candidates.len() >= MIN_PAIRS_FOR_EM;
    let model = if estimate {
        let levels = score_levels(config, &features, &candidates);
        train(config, &features, &levels, n)
    } else {
        MatchModel::from_config(config)
    };
    // Score without keeping every candidate's levels: only pairs that can matter
    // (at or above the lower of the two thresholds) are kept.
    let keep = config.review_threshold.min(config.match_threshold);
    let stride = config.comparisons.len();
    let plan = ScoringPlan::new(config, &model, keep);
    let kept: Vec<ScoredPair> = candidates
        .par_iter()
        .with_min_len(1024)
        .filter_map(|&pair| {
            let (a, b) = unpack(pair);
            let (ra, rb) = (features.row(a as usize), features.row(b as usize));
            let mut buf = [0u8; MAX_COMPARISONS];
            let (ha, hb) = (
                features.row_hashes(a as usize),
                features.row_hashes(b as usize),
            );
            if !plan.levels(
                config,
                &model,
                (ra, ha),
                (rb, hb),
                &features.tokens,
                &mut buf,
            ) {
                return None;
            }
            let w = model.match_weight(&buf[..stride]);
            let p = MatchModel::probability(w);
            (p >= keep).then(|| ScoredPair {
                a,
                b,
                weight: w,
                probability: p,
                levels: buf[..stride].to_vec(),
            })
        })
        .collect();
    // The features are not needed any more: free their million small allocations
    // off the critical path.
    rayon::spawn(move || drop(features));
    lap(2);
    let edges: Vec<Edge> = kept
        .iter()
        .filter(|s| s.probability >= config.match_threshold)
        .map(|s| (s.a, s.b, s.probability))
        .collect();
    let (labels, recut) =
        cluster::connected_components(n, &edges, config.match_threshold, config.max_cluster_size);
    let (clusters, assignment) = build_clusters(&records, &labels);
    let mut record_scores = vec![0.0f64; n];
    for &(a, b, p) in &edges {
        if assignment[a as usize] == assignment[b as usize] {
            for x in [a, b] {
                let s = &mut record_scores[x as usize];
                *s = s.max(p);
            }
        }
    }
    let mut pairs: Vec<ScoredPair> = kept
        .into_iter()
        .filter(|s| s.probability >= config.review_threshold)
        .collect();
    pairs.par_sort_unstable_by(|x, y| {
        y.weight
            .total_cmp(&x.weight)
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    lap(3);
    let duplicate_clusters = clusters.iter().filter(|c| c.members.len() > 1).count();
    let stats = DedupStats {
        records: n,
        candidate_pairs: candidates.len(),
        matched_pairs: edges.len(),
        clusters: clusters.len(),
        duplicate_clusters,
        duplicate_records: n - clusters.len(),
        recut_components: recut,
        estimated: estimate,
        stage_ms,
    };
    Ok(DedupResult {
        config: config.clone(),
        records,
        clusters,
        assignment,
        record_scores,
        pairs,
        model,
        oversized_blocks,
        stats,
    })
}

/// Turns component labels into clusters with stable ids.
pub(crate) fn build_clusters(records: &[Record], labels: &[u32]) -> (Vec<Cluster>, Vec<u32>) {
    let n = records.len();
    // Clusters are numbered in the order of their first (smallest) member, which is
    // the order they are reported in.
    let mut index_of_label =
        vec![u32::MAX; labels.iter().map(|&l| l as usize + 1).max().unwrap_or(0)];
    let mut sizes: Vec<u32> = Vec::new();
    let mut assignment = vec![0u32; n];
    for (i, &label) in labels.iter().enumerate() {
        let slot = &mut index_of_label[label as usize];
        if *slot == u32::MAX {
            *slot = sizes.len() as u32;
            sizes.push(0);
        }
        sizes[*slot as usize] += 1;
        assignment[i] = *slot;
    }
    // Members of every cluster side by side, in index order (one array, not a
    // vector per cluster); each cluster's own vector is then made in parallel.
    let mut offsets = Vec::with_capacity(sizes.len() + 1);
    offsets.push(0usize);
    for &size in &sizes {
        offsets.push(offsets[offsets.len() - 1] + size as usize);
    }
    let mut next = offsets.clone();
    let mut flat = vec![0u32; n];
    for (i, &c) in assignment.iter().enumerate() {
        flat[next[c as usize]] = i as u32;
        next[c as usize] += 1;
    }
    let clusters = offsets
        .par_windows(2)
        .with_min_len(1024)
        .map(|w| {
            let mut members = flat[w[0]..w[1]].to_vec();
            if members.len() > 1 {
                members.sort_by(|&x, &y| {
                    age_key(&records[x as usize]).cmp(&age_key(&records[y as usize]))
                });
            }
            let oldest = &records[members[0] as usize].id;
            let mut id = String::with_capacity(2 + oldest.len());
            id.push_str("c-");
            id.push_str(oldest);
            Cluster { id, members }
        })
        .collect();
    (clusters, assignment)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(id: &str, first: &str, last: &str, email: &str, company: &str) -> Record {
        Record::new(id)
            .with("first_name", first)
            .with("last_name", last)
            .with("email", email)
            .with("company", company)
    }

    #[test]
    fn finds_duplicates_and_keeps_strangers_apart() {
        let records = vec![
            contact("a", "Jan", "Novák", "jan.novak@acme.cz", "Acme s.r.o."),
            contact("b", "Honza", "Novak", "JAN.NOVAK@acme.cz", "ACME"),
            contact("c", "Jan", "Novák", "jan.novak@beta.cz", "Beta a.s."),
            contact("d", "Eva", "Malá", "", ""),
        ];
        let r = dedup_records(records, &DedupConfig::contacts()).unwrap();
        assert_eq!(r.assignment[0], r.assignment[1]);
        assert_ne!(r.assignment[0], r.assignment[2], "same name, other company");
        assert_eq!(r.cluster_of(0).id, "c-a");
        assert_eq!(r.stats.duplicate_clusters, 1);
        assert_eq!(r.stats.duplicate_records, 1);
        assert!(r.record_scores[0] > 0.9 && r.record_scores[3] == 0.0);
    }

    #[test]
    fn bad_input_never_panics() {
        let config = DedupConfig::contacts();
        assert_eq!(dedup_records(vec![], &config).unwrap().clusters.len(), 0);
        // Records with nothing in them.
        let empty: Vec<Record> = (0..100).map(|i| Record::new(i.to_string())).collect();
        let r = dedup_records(empty, &config).unwrap();
        assert_eq!(r.stats.duplicate_clusters, 0);
        // Cyrillic, CJK, emoji, huge values.
        let odd = vec![
            contact("1", "Иван", "Петров", "ivan@пример.рф", "ООО Ромашка"),
            contact("2", "Иван", "Петров", "ivan@пример.рф", "Ромашка"),
            contact("3", "伟", "王", "", "华为技术有限公司"),
            contact("4", "😀", "x".repeat(10_000).as_str(), "@@@", ","),
        ];
        let r = dedup_records(odd, &config).unwrap();
        assert_eq!(r.assignment[0], r.assignment[1]);
    }

    #[test]
    fn all_identical_records_form_one_cluster_without_quadratic_blowup() {
        let config = DedupConfig::contacts();
        let same: Vec<Record> = (0..3000)
            .map(|i| contact(&format!("{i:05}"), "Jan", "Novák", "jan@gmail.com", "Acme"))
            .collect();
        let r = dedup_records(same, &config).unwrap();
        assert!(
            r.stats.candidate_pairs < 3000 * 3000 / 20,
            "{}",
            r.stats.candidate_pairs
        );
        assert!(!r.oversized_blocks.is_empty());
        assert_eq!(r.stats.duplicate_clusters, 1);
        assert_eq!(r.clusters[0].id, "c-00000");
    }

    #[test]
    fn everyone_at_one_free_mail_domain_makes_no_giant_block() {
        // 5,000 strangers at gmail.com: the domain rules give free-mail addresses no
        // key, so no block holds everyone and the pairs stay near-linear.
        let config = DedupConfig::contacts();
        let records: Vec<Record> = (0..5000)
            .map(|i| {
                contact(
                    &format!("{i:05}"),
                    &format!("First{i}"),
                    &format!("Last{}", i * 7919 % 10007),
                    &format!("user{i}@gmail.com"),
                    "",
                )
            })
            .collect();
        let r = dedup_records(records, &config).unwrap();
        assert!(
            r.stats.candidate_pairs < 5000,
            "{}",
            r.stats.candidate_pairs
        );
        assert!(r.oversized_blocks.is_empty(), "{:?}", r.oversized_blocks);
        assert_eq!(r.stats.duplicate_clusters, 0);
    }

    #[test]
    fn a_giant_name_block_is_capped_split_and_reported() {
        // 2,000 "Jan Novák" at gmail.com, half of them twice (same address): the name
        // blocks are over the cap and compared by sorted neighbourhood, reported, and
        // the duplicates are still found through their addresses.
        let config = DedupConfig::contacts();
        let records: Vec<Record> = (0..3000)
            .map(|i| {
                let person = i % 2000;
                contact(
                    &format!("{i:05}"),
                    "Jan",
                    "Novák",
                    &format!("jan.novak{person}@gmail.com"),
                    "",
                )
            })
            .collect();
        let r = dedup_records(records, &config).unwrap();
        assert!(
            r.stats.candidate_pairs < 3000 * 25,
            "{}",
            r.stats.candidate_pairs
        );
        let names: Vec<&OversizedBlock> = r
            .oversized_blocks
            .iter()
            .filter(|b| b.rule.contains("name"))
            .collect();
        assert!(!names.is_empty(), "{:?}", r.oversized_blocks);
        assert!(
            names
                .iter()
                .all(|b| b.size == 3000 && b.pairs_compared < b.size * 11)
        );
        assert_eq!(r.stats.duplicate_clusters, 1000);
        assert_eq!(r.assignment[5], r.assignment[2005]);
        assert_ne!(r.assignment[5], r.assignment[6]);
    }

    #[test]
    fn names_in_scripts_the_tables_do_not_know() {
        let config = DedupConfig::contacts();
        let records = vec![
            contact("1", "伟", "王", "", "华为技术有限公司"),
            contact("2", "伟", "王", "", "华为技术有限公司"),
            contact("3", "Иван", "Петров", "", "Ромашка"),
            contact("4", "Ivan", "Petrov", "", "Romashka"),
            contact("5", "Мария", "Иванова", "", ""),
            contact("6", "", "", "", ""),
        ];
        let r = dedup_records(records, &config).unwrap();
        assert_eq!(
            r.assignment[0], r.assignment[1],
            "same CJK name and company"
        );
        assert_eq!(
            r.assignment[2], r.assignment[3],
            "Cyrillic and its romanization"
        );
        assert_ne!(r.assignment[2], r.assignment[4]);
        assert_ne!(r.assignment[5], r.assignment[0]);
    }

    #[test]
    fn early_exit_keeps_exactly_the_pairs_a_full_scoring_keeps() {
        let config = DedupConfig::contacts();
        let records = vec![
            contact("a", "Jan", "Novák", "jan.novak@acme.cz", "Acme s.r.o."),
            contact("b", "Honza", "Novak", "JAN.NOVAK@acme.cz", "ACME"),
            contact("c", "Jan", "Novák", "jan.novak@beta.cz", "Beta a.s."),
            contact("d", "Jan", "Novák", "", ""),
            contact("e", "Eva", "Nováková", "eva@acme.cz", "Acme"),
        ];
        let r = dedup_records(records.clone(), &config).unwrap();
        let mut features = FeatureTable::new(&config);
        features.extend(&config, &records);
        let model = MatchModel::from_config(&config);
        let keep = config.review_threshold.min(config.match_threshold);
        let (candidates, _) = blocking::candidate_pairs(&config, &records);
        let full: Vec<(u32, u32)> = candidates
            .iter()
            .map(|&p| unpack(p))
            .filter(|&(a, b)| {
                let levels: Vec<u8> = config
                    .comparisons
                    .iter()
                    .enumerate()
                    .map(|(c, cfg)| {
                        level_of(
                            cfg,
                            &features.row(a as usize)[c],
                            &features.row(b as usize)[c],
                            &features.tokens[c],
                        )
                    })
                    .collect();
                MatchModel::probability(model.match_weight(&levels)) >= keep
            })
            .collect();
        let mut kept: Vec<(u32, u32)> = r.pairs.iter().map(|p| (p.a, p.b)).collect();
        kept.sort_unstable();
        assert_eq!(kept, full);
        assert!(!kept.is_empty());
    }

    #[test]
    fn estimation_runs_and_is_reproducible() {
        let mut config = DedupConfig::contacts();
        config.estimate = true;
        let records: Vec<Record> = (0..400)
            .map(|i| {
                let k = i / 2;
                contact(
                    &i.to_string(),
                    &format!("First{k}"),
                    &format!("Last{k}"),
                    &format!("p{k}@firm{k}.com"),
                    "",
                )
            })
            .collect();
        let a = dedup_records(records.clone(), &config).unwrap();
        let b = dedup_records(records, &config).unwrap();
        assert_eq!(a.model, b.model);
        assert_eq!(a.stats.duplicate_clusters, 200);
    }
}
