//! Explanations: why a pair scored what it did, field by field.

use serde::{Deserialize, Serialize};

use super::config::ComparisonConfig;
use super::engine::{DedupResult, ScoredPair};
use super::model::MatchModel;
use super::record::Record;

/// One comparison's part in a pair's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldContribution {
    /// The comparison's name.
    pub comparison: String,
    /// The level reached ("exact", "typo", "different", "missing").
    pub level: String,
    /// Its weight in bits (log2 m/u): positive pulls towards a match.
    pub weight: f64,
    /// The first record's values of the compared columns.
    pub value_a: String,
    /// The second record's values.
    pub value_b: String,
}

/// A pair's score with each field's contribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairExplanation {
    /// Id of the first record.
    pub a: String,
    /// Id of the second record.
    pub b: String,
    /// Match probability.
    pub probability: f64,
    /// Match weight: `prior_weight` plus the sum of the field weights.
    pub weight: f64,
    /// The prior's weight.
    pub prior_weight: f64,
    /// Field by field.
    pub fields: Vec<FieldContribution>,
}

fn values(record: &Record, config: &ComparisonConfig) -> String {
    config
        .columns
        .iter()
        .filter_map(|c| record.get(c))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// Explains levels of a pair of records under a model.
pub fn explain_levels(
    comparisons: &[ComparisonConfig],
    model: &MatchModel,
    a: &Record,
    b: &Record,
    levels: &[u8],
) -> PairExplanation {
    let fields = comparisons
        .iter()
        .zip(levels)
        .enumerate()
        .map(|(c, (cfg, &level))| FieldContribution {
            comparison: cfg.name.clone(),
            level: model
                .comparisons
                .get(c)
                .and_then(|p| p.levels.get(level as usize))
                .map_or_else(|| format!("level {level}"), |l| l.label.clone()),
            weight: model.weight(c, level),
            value_a: values(a, cfg),
            value_b: values(b, cfg),
        })
        .collect();
    let weight = model.match_weight(levels);
    PairExplanation {
        a: a.id.clone(),
        b: b.id.clone(),
        probability: MatchModel::probability(weight),
        weight,
        prior_weight: model.prior_weight(),
        fields,
    }
}

impl DedupResult {
    /// Explains one scored pair of this result.
    pub fn explain(&self, pair: &ScoredPair) -> PairExplanation {
        explain_levels(
            &self.config.comparisons,
            &self.model,
            &self.records[pair.a as usize],
            &self.records[pair.b as usize],
            &pair.levels,
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::dedup::{DedupConfig, Record, dedup_records};

    #[test]
    fn contributions_add_up_to_the_weight() {
        let records = vec![
            Record::new("1")
                .with("first_name", "Jan")
                .with("last_name", "Novák")
                .with("phone", "+420 606 352 769"),
            Record::new("2")
                .with("first_name", "Jan")
                .with("last_name", "Novak")
                .with("phone", "606352769")
                .with("title", "CEO"),
        ];
        let r = dedup_records(records, &DedupConfig::contacts()).unwrap();
        let e = r.explain(&r.pairs[0]);
        let sum: f64 = e.prior_weight + e.fields.iter().map(|f| f.weight).sum::<f64>();
        assert!((sum - e.weight).abs() < 1e-9);
        let phone = e.fields.iter().find(|f| f.comparison == "phone").unwrap();
        assert_eq!(phone.level, "same number");
        assert_eq!(phone.value_b, "606352769");
        let title = e.fields.iter().find(|f| f.comparison == "title").unwrap();
        assert_eq!((title.level.as_str(), title.weight), ("missing", 0.0));
        assert_eq!(e.a, "1");
    }
}
