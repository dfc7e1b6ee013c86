//! Accuracy against ground truth: pairwise and B-cubed precision, recall and F1.

use std::collections::HashMap;
use std::hash::Hash;

use serde::{Deserialize, Serialize};

/// Precision, recall and F1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// Harmonic mean of the two.
    pub f1: f64,
}

impl Scores {
    fn new(precision: f64, recall: f64) -> Self {
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Scores {
            precision,
            recall,
            f1,
        }
    }
}

/// Pairwise and B-cubed scores of a clustering.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Accuracy {
    /// Over record pairs: a pair is predicted when both records share a cluster.
    pub pairwise: Scores,
    /// Per record, averaged (Bagga & Baldwin).
    pub bcubed: Scores,
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// Scores `predicted` cluster labels against `truth` labels (same length, one per
/// record).
///
/// ```
/// use leadgen_core::dedup::metrics::accuracy;
/// let a = accuracy(&[1, 1, 2, 3], &["x", "x", "y", "y"]);
/// assert_eq!(a.pairwise.precision, 1.0);
/// assert_eq!(a.pairwise.recall, 0.5);
/// ```
pub fn accuracy<P: Eq + Hash, T: Eq + Hash>(predicted: &[P], truth: &[T]) -> Accuracy {
    let n = predicted.len().min(truth.len());
    let mut pred_size: HashMap<&P, u64> = HashMap::new();
    let mut truth_size: HashMap<&T, u64> = HashMap::new();
    let mut both: HashMap<(&P, &T), u64> = HashMap::new();
    for i in 0..n {
        *pred_size.entry(&predicted[i]).or_default() += 1;
        *truth_size.entry(&truth[i]).or_default() += 1;
        *both.entry((&predicted[i], &truth[i])).or_default() += 1;
    }
    let tp: u64 = both.values().map(|&c| pairs(c)).sum();
    let predicted_pairs: u64 = pred_size.values().map(|&c| pairs(c)).sum();
    let true_pairs: u64 = truth_size.values().map(|&c| pairs(c)).sum();
    let ratio = |a: u64, b: u64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let pairwise = Scores::new(ratio(tp, predicted_pairs), ratio(tp, true_pairs));
    let (mut p_sum, mut r_sum) = (0.0, 0.0);
    for i in 0..n {
        let inter = both[&(&predicted[i], &truth[i])] as f64;
        p_sum += inter / pred_size[&predicted[i]] as f64;
        r_sum += inter / truth_size[&truth[i]] as f64;
    }
    let bcubed = if n == 0 {
        Scores::new(1.0, 1.0)
    } else {
        Scores::new(p_sum / n as f64, r_sum / n as f64)
    };
    Accuracy { pairwise, bcubed }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_imperfect() {
        let a = accuracy(&[1, 1, 2], &[5, 5, 6]);
        assert_eq!(a.pairwise.f1, 1.0);
        assert_eq!(a.bcubed.f1, 1.0);
        // Everything in one cluster: pairwise precision 1/3.
        let a = accuracy(&[1, 1, 1], &[5, 5, 6]);
        assert!((a.pairwise.precision - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(a.pairwise.recall, 1.0);
        assert!((a.bcubed.precision - (2.0 / 3.0 * 2.0 + 1.0 / 3.0) / 3.0).abs() < 1e-12);
        let none: [u8; 0] = [];
        assert_eq!(accuracy(&none, &none).bcubed.f1, 1.0);
    }
}
