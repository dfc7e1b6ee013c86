//! Import-time preview: for each incoming row, before anything is written, whether it
//! is new, a duplicate of a stored record, or an update of one (it matches and brings
//! values the stored record lacks or has otherwise).

use serde::{Deserialize, Serialize};

use super::incremental::DedupIndex;
use super::keys::fold;
use super::record::Record;

/// What importing one row would do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum PreviewDecision {
    /// No stored or earlier incoming record matches.
    New,
    /// Matches a record and brings nothing new.
    Duplicate {
        /// The matched record's id (stored, or an earlier incoming row's).
        of: String,
        /// Match probability.
        probability: f64,
    },
    /// Matches a stored record and would change or fill these fields.
    Update {
        /// The matched record's id.
        of: String,
        /// Match probability.
        probability: f64,
        /// Fields whose value the row would add or change.
        changed_fields: Vec<String>,
    },
}

/// Fields of `incoming` whose value `existing` lacks or has differently (compared
/// folded, so case and accents alone are no change).
pub fn changed_fields(incoming: &Record, existing: &Record) -> Vec<String> {
    incoming
        .fields
        .iter()
        .filter(|(name, value)| {
            existing
                .get(name)
                .is_none_or(|old| fold(old) != fold(value))
        })
        .map(|(name, _)| name.to_string())
        .collect()
}

/// Previews an import of `incoming` rows into the records of `index`.
///
/// Rows are matched against the stored records first, then against the earlier
/// incoming rows (a file that repeats a person yields one `new` and then
/// `duplicate`s). Nothing is added to `index`.
///
/// ```
/// use leadgen_core::dedup::{preview_import, DedupConfig, DedupIndex, PreviewDecision, Record};
/// let stored = vec![Record::new("c1").with("first_name", "Jan").with("last_name", "Novák")
///     .with("email", "jan@acme.cz")];
/// let mut index = DedupIndex::build(stored, &DedupConfig::contacts()).unwrap();
/// let rows = vec![
///     Record::new("row2").with("first_name", "Jan").with("last_name", "Novak").with("email", "JAN@acme.cz"),
///     Record::new("row3").with("first_name", "Jan").with("last_name", "Novák")
///         .with("email", "jan@acme.cz").with("phone", "+420 606 352 769"),
///     Record::new("row4").with("first_name", "Eva").with("email", "eva@beta.cz"),
/// ];
/// let decisions = preview_import(&mut index, &rows).unwrap();
/// assert!(matches!(&decisions[0], PreviewDecision::Duplicate { of, .. } if of == "c1"));
/// assert!(matches!(&decisions[1], PreviewDecision::Update { changed_fields, .. } if changed_fields == &["phone"]));
/// assert_eq!(decisions[2], PreviewDecision::New);
/// assert_eq!(index.len(), 1);
/// ```
pub fn preview_import(
    index: &mut DedupIndex,
    incoming: &[Record],
) -> Result<Vec<PreviewDecision>, super::DedupError> {
    let threshold = index.config().match_threshold;
    let stored = index.find_matches(incoming);
    // In-batch duplicates: the incoming rows indexed among themselves, same model.
    let mut batch = DedupIndex::new(index.config())?;
    let placed = batch.add(incoming.to_vec())?;
    Ok(incoming
        .iter()
        .zip(stored)
        .zip(placed)
        .map(|((row, matches), placement)| {
            if let Some(best) = matches.into_iter().find(|m| m.probability >= threshold) {
                let existing = index.record(best.index);
                let changed = changed_fields(row, existing);
                if changed.is_empty() {
                    PreviewDecision::Duplicate {
                        of: best.id,
                        probability: best.probability,
                    }
                } else {
                    PreviewDecision::Update {
                        of: best.id,
                        probability: best.probability,
                        changed_fields: changed,
                    }
                }
            } else if let Some(m) = placement.matched {
                PreviewDecision::Duplicate {
                    of: m.id,
                    probability: m.probability,
                }
            } else {
                PreviewDecision::New
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::DedupConfig;

    #[test]
    fn in_batch_duplicates_and_empty_rows() {
        let mut index = DedupIndex::new(&DedupConfig::contacts()).unwrap();
        let rows = vec![
            Record::new("r1")
                .with("first_name", "Eva")
                .with("last_name", "Malá")
                .with("email", "eva@beta.cz"),
            Record::new("r2")
                .with("first_name", "Eva")
                .with("last_name", "Mala")
                .with("email", "EVA@beta.cz"),
            Record::new("r3"),
        ];
        let d = preview_import(&mut index, &rows).unwrap();
        assert_eq!(d[0], PreviewDecision::New);
        assert!(matches!(&d[1], PreviewDecision::Duplicate { of, .. } if of == "r1"));
        assert_eq!(d[2], PreviewDecision::New);
    }

    #[test]
    fn changed_fields_ignore_case_and_accents() {
        let a = Record::new("a")
            .with("last_name", "NOVÁK")
            .with("title", "CEO");
        let b = Record::new("b").with("last_name", "Novak");
        assert_eq!(changed_fields(&a, &b), vec!["title".to_string()]);
    }
}
