//! The declarative comparison config: which fields are compared how, which blocking
//! keys make candidate pairs, and the thresholds. Loadable from TOML, so any CSV can be
//! deduplicated without code.
//!
//! ```
//! use leadgen_core::dedup::DedupConfig;
//! let contacts = DedupConfig::contacts();
//! let text = contacts.to_toml_string().unwrap();
//! let back = DedupConfig::from_toml_str(&text).unwrap();
//! assert_eq!(back, contacts);
//! ```

use serde::{Deserialize, Serialize};

use super::DedupError;

/// The most comparisons a config may have.
pub const MAX_COMPARISONS: usize = 64;

/// How a field's raw text is turned into a comparable feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prepare {
    /// Folded text (ASCII, lower case, punctuation as spaces).
    Text,
    /// A person's name from up to three columns: first, last, full name (used when
    /// first and last are empty). Nicknames canonicalized, titles removed.
    PersonName,
    /// An email address ([`super::keys::email_key`]); role addresses count as missing.
    Email,
    /// A LinkedIn profile URL ([`super::keys::linkedin_key`]).
    Linkedin,
    /// A phone number ([`super::keys::phone_key`]).
    Phone,
    /// A registrable domain from a website, a domain or a non-free-mail email address;
    /// the first column that yields one wins.
    Domain,
    /// A company name as rarity-weighted tokens ([`super::keys::company_tokens`]).
    CompanyName,
    /// An identifier (registry id, VAT id): digits and letters only, upper-cased, a
    /// leading two-letter country prefix and leading zeros removed.
    Identifier,
    /// A number (`"51-200"` takes the first number).
    Number,
    /// A date (`YYYY-MM-DD…`), as a day number.
    Date,
}

/// How two prepared features are compared into a similarity in 0.0–1.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparator {
    /// 1 when equal, else 0.
    Exact,
    /// Jaro–Winkler similarity.
    JaroWinkler,
    /// Normalized Levenshtein similarity.
    Levenshtein,
    /// Token-set overlap (Dice coefficient of the word sets).
    TokenSet,
    /// Token overlap weighted by token rarity in the data set, so that rare words
    /// ("acme") count and common ones ("group") hardly do; "Acme Holding Group" meets
    /// "Acme Group". For [`Prepare::CompanyName`].
    RareTokens,
    /// `1 - |a - b| / scale`, for [`Prepare::Number`] and [`Prepare::Date`].
    NumericDistance,
    /// LinkedIn profiles: 1 for the same slug, 0.85 when only the name part can be
    /// compared (legacy `/pub/` URLs, slugs without uniquifier) and agrees.
    Linkedin,
    /// Person names: exact, swapped first/last, nickname and typo tolerant.
    PersonName,
}

/// One agreement level of a comparison: a similarity at or above `min_similarity`
/// falls into it (levels are tried best first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Level {
    /// Shown in explanations ("exact", "jaro-winkler ≥ 0.92").
    pub label: String,
    /// The lowest similarity of this level.
    pub min_similarity: f64,
    /// Prior probability of this level among true matches.
    pub m: f64,
    /// Prior probability of this level among non-matches.
    pub u: f64,
}

/// One compared field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonConfig {
    /// Name shown in explanations.
    pub name: String,
    /// The record fields read (see [`Prepare`] for multi-column preparations).
    pub columns: Vec<String>,
    /// How the raw values are prepared.
    pub prepare: Prepare,
    /// How prepared values are compared.
    pub comparator: Comparator,
    /// The distance that makes similarity 0 for [`Comparator::NumericDistance`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
    /// Agreement levels, best first.
    pub levels: Vec<Level>,
    /// m of the implicit last level (disagreement).
    pub else_m: f64,
    /// u of the implicit last level (disagreement).
    pub else_u: f64,
}

/// How one part of a blocking key is made from record fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyTransform {
    /// Folded text.
    Folded,
    /// Email key (role addresses give no key).
    Email,
    /// LinkedIn slug.
    Linkedin,
    /// Phone key.
    Phone,
    /// Domain of a website/domain, or of a non-free-mail email.
    Domain,
    /// Company-name key (legal forms removed).
    CompanyKey,
    /// Canonical given name (nicknames resolved).
    GivenName,
    /// Folded person name without titles.
    PersonName,
    /// First letter of the folded value.
    Initial,
    /// Soundex code of the first word.
    Soundex,
    /// The folded words, sorted (catches swapped name orders).
    SortedWords,
    /// Identifier (as [`Prepare::Identifier`]).
    Identifier,
}

/// One part of a blocking key: the values of `columns` joined by a space, then
/// transformed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPart {
    /// The record fields joined.
    pub columns: Vec<String>,
    /// The transform.
    pub transform: KeyTransform,
}

/// A blocking rule: records with the same key are compared. A record with any part
/// empty gets no key under this rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockingRule {
    /// Name shown in reports.
    pub name: String,
    /// The key parts.
    pub parts: Vec<KeyPart>,
}

/// The full dedup configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DedupConfig {
    /// Name of the config (`contacts`, `companies`, or the user's).
    pub name: String,
    /// Compared fields.
    pub comparisons: Vec<ComparisonConfig>,
    /// Blocking rules (their union makes the candidate pairs).
    pub blocking: Vec<BlockingRule>,
    /// Blocks larger than this are not compared all-pairs: their members are sorted
    /// by `sort_columns` and each is compared with its `oversized_window` neighbours.
    pub max_block_size: usize,
    /// Neighbours compared in an oversized block.
    pub oversized_window: usize,
    /// Sort key for oversized blocks.
    pub sort_columns: Vec<String>,
    /// Pairs with a match probability at or above this are linked into clusters.
    pub match_threshold: f64,
    /// Pairs at or above this (and below the match threshold) are kept in the result
    /// for review.
    pub review_threshold: f64,
    /// Clusters larger than this are re-cut at stricter thresholds (guard against
    /// chains A~B~C~… of records that are not alike end to end).
    pub max_cluster_size: usize,
    /// Prior probability that a random pair matches (re-estimated by EM if enabled).
    pub prior: f64,
    /// Estimate m/u by EM on the data (Fellegi–Sunter, as Splink does) instead of
    /// using the configured weights as a fixed rule model. Inputs under
    /// [`super::engine::MIN_RECORDS_FOR_EM`] records keep the configured weights.
    pub estimate: bool,
    /// EM iterations at most.
    pub em_iterations: usize,
    /// Random pairs sampled to estimate u.
    pub u_sample_pairs: usize,
    /// Seed of the sampling, so runs are reproducible.
    pub seed: u64,
}

fn level(label: &str, min_similarity: f64, m: f64, u: f64) -> Level {
    Level {
        label: label.into(),
        min_similarity,
        m,
        u,
    }
}

fn part(columns: &[&str], transform: KeyTransform) -> KeyPart {
    KeyPart {
        columns: columns.iter().map(|c| c.to_string()).collect(),
        transform,
    }
}

fn rule(name: &str, parts: Vec<KeyPart>) -> BlockingRule {
    BlockingRule {
        name: name.into(),
        parts,
    }
}

#[allow(clippy::too_many_arguments)]
fn comparison(
    name: &str,
    columns: &[&str],
    prepare: Prepare,
    comparator: Comparator,
    levels: Vec<Level>,
    else_m: f64,
    else_u: f64,
) -> ComparisonConfig {
    ComparisonConfig {
        name: name.into(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        prepare,
        comparator,
        scale: None,
        levels,
        else_m,
        else_u,
    }
}

impl DedupConfig {
    /// The ready config for contacts (fields of [`super::Record::from_contact`], and the
    /// usual CSV header names after mapping: `first_name`, `last_name`, `full_name`,
    /// `email`, `phone`, `linkedin_url`, `company`, `website`, `title`, `city`).
    pub fn contacts() -> Self {
        use Comparator as C;
        use KeyTransform as K;
        use Prepare as P;
        DedupConfig {
            name: "contacts".into(),
            comparisons: vec![
                comparison(
                    "name",
                    &["first_name", "last_name", "full_name"],
                    P::PersonName,
                    C::PersonName,
                    vec![
                        level("exact", 1.0, 0.70, 0.0005),
                        level("swapped, reordered or one typo", 0.96, 0.08, 0.0001),
                        level("typo", 0.88, 0.12, 0.001),
                        level("similar", 0.7, 0.03, 0.03),
                    ],
                    0.00001,
                    0.9784,
                ),
                comparison(
                    "email",
                    &["email"],
                    P::Email,
                    C::Exact,
                    // No fuzzy level: colleagues' addresses differ by one
                    // letter (vdvorak@ / rdvorak@), typos in addresses are rare.
                    vec![level("exact", 1.0, 0.85, 0.0001)],
                    0.15,
                    0.9999,
                ),
                comparison(
                    "linkedin",
                    &["linkedin_url"],
                    P::Linkedin,
                    C::Linkedin,
                    vec![
                        level("same profile", 1.0, 0.85, 0.00005),
                        level("same name part", 0.8, 0.10, 0.001),
                    ],
                    0.05,
                    0.99895,
                ),
                comparison(
                    "phone",
                    &["phone"],
                    P::Phone,
                    C::Exact,
                    vec![level("same number", 1.0, 0.85, 0.001)],
                    0.15,
                    0.999,
                ),
                comparison(
                    "company",
                    &["company"],
                    P::CompanyName,
                    C::RareTokens,
                    vec![
                        level("same name", 0.99, 0.75, 0.002),
                        level("mostly same words", 0.75, 0.12, 0.003),
                        level("some rare word shared", 0.45, 0.05, 0.01),
                    ],
                    0.08,
                    0.985,
                ),
                comparison(
                    "domain",
                    &["email", "website"],
                    P::Domain,
                    C::Exact,
                    vec![level("same domain", 1.0, 0.9, 0.01)],
                    0.1,
                    0.99,
                ),
                comparison(
                    "title",
                    &["title"],
                    P::Text,
                    C::JaroWinkler,
                    vec![
                        level("exact", 1.0, 0.5, 0.05),
                        level("similar", 0.85, 0.15, 0.08),
                    ],
                    0.35,
                    0.87,
                ),
                comparison(
                    "city",
                    &["city"],
                    P::Text,
                    C::JaroWinkler,
                    vec![level("same or similar", 0.9, 0.8, 0.1)],
                    0.2,
                    0.9,
                ),
            ],
            blocking: vec![
                rule("email", vec![part(&["email"], K::Email)]),
                rule("linkedin", vec![part(&["linkedin_url"], K::Linkedin)]),
                rule("phone", vec![part(&["phone"], K::Phone)]),
                rule(
                    "given name + last name",
                    vec![
                        part(&["first_name"], K::GivenName),
                        part(&["last_name"], K::PersonName),
                    ],
                ),
                rule(
                    "sorted name words",
                    vec![part(
                        &["first_name", "last_name", "full_name"],
                        K::SortedWords,
                    )],
                ),
                rule(
                    "domain + last name sound",
                    vec![
                        part(&["email", "website"], K::Domain),
                        part(&["last_name"], K::Soundex),
                    ],
                ),
                rule(
                    "company + first initial + last name sound",
                    vec![
                        part(&["company"], K::CompanyKey),
                        part(&["first_name"], K::Initial),
                        part(&["last_name"], K::Soundex),
                    ],
                ),
            ],
            // Common names ("Jan Novák") make the biggest blocks: past 50 members the
            // block is sorted by company and email, so duplicates sit side by side.
            max_block_size: 50,
            oversized_window: 10,
            sort_columns: vec![
                "company".into(),
                "email".into(),
                "last_name".into(),
                "first_name".into(),
            ],
            match_threshold: 0.9,
            review_threshold: 0.5,
            max_cluster_size: 25,
            prior: 0.0001,
            estimate: false,
            em_iterations: 25,
            u_sample_pairs: 200_000,
            seed: 42,
        }
    }

    /// The ready config for companies (fields of [`super::Record::from_company`]:
    /// `name`, `domain`, `website`, `registry_id`, `linkedin_url`, `country`, `city`).
    pub fn companies() -> Self {
        use Comparator as C;
        use KeyTransform as K;
        use Prepare as P;
        DedupConfig {
            name: "companies".into(),
            comparisons: vec![
                comparison(
                    "name",
                    &["name"],
                    P::CompanyName,
                    C::RareTokens,
                    vec![
                        level("same name", 0.99, 0.7, 0.001),
                        level("mostly same words", 0.75, 0.18, 0.003),
                        level("some rare word shared", 0.45, 0.07, 0.02),
                    ],
                    0.05,
                    0.976,
                ),
                comparison(
                    "domain",
                    &["domain", "website"],
                    P::Domain,
                    C::Exact,
                    vec![level("same domain", 1.0, 0.9, 0.001)],
                    0.1,
                    0.999,
                ),
                comparison(
                    "registry id",
                    &["registry_id"],
                    P::Identifier,
                    C::Levenshtein,
                    vec![
                        level("same id", 1.0, 0.9, 0.0001),
                        level("one typo", 0.85, 0.08, 0.001),
                    ],
                    0.02,
                    0.9989,
                ),
                comparison(
                    "linkedin",
                    &["linkedin_url"],
                    P::Text,
                    C::Exact,
                    vec![level("same page", 1.0, 0.6, 0.001)],
                    0.4,
                    0.999,
                ),
                comparison(
                    "city",
                    &["city"],
                    P::Text,
                    C::JaroWinkler,
                    vec![level("same or similar", 0.9, 0.85, 0.1)],
                    0.15,
                    0.9,
                ),
            ],
            blocking: vec![
                rule("domain", vec![part(&["domain", "website"], K::Domain)]),
                rule("name key", vec![part(&["name"], K::CompanyKey)]),
                rule("registry id", vec![part(&["registry_id"], K::Identifier)]),
                rule("name sound", vec![part(&["name"], K::Soundex)]),
            ],
            max_block_size: 200,
            oversized_window: 12,
            sort_columns: vec!["name".into()],
            match_threshold: 0.9,
            review_threshold: 0.5,
            max_cluster_size: 25,
            prior: 0.002,
            // Measured on companies.csv: EM-estimated m/u reach pairwise F1 1.000,
            // these configured priors 0.986 (benches/dedup/README.md).
            estimate: true,
            em_iterations: 25,
            u_sample_pairs: 100_000,
            seed: 42,
        }
    }

    /// Parses a TOML config and checks it ([`DedupConfig::validate`]).
    pub fn from_toml_str(text: &str) -> Result<Self, DedupError> {
        let config: DedupConfig = toml::from_str(text).map_err(|e| DedupError::ConfigParse {
            message: e.to_string(),
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Reads and parses a TOML config file.
    pub fn from_toml_file(path: &std::path::Path) -> Result<Self, DedupError> {
        let text = std::fs::read_to_string(path).map_err(|e| DedupError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::from_toml_str(&text)
    }

    /// The config as TOML.
    pub fn to_toml_string(&self) -> Result<String, DedupError> {
        toml::to_string(self).map_err(|e| DedupError::ConfigParse {
            message: e.to_string(),
        })
    }

    /// Checks the config: at least one comparison and one blocking rule, levels best
    /// first, probabilities inside (0, 1], thresholds inside [0, 1].
    pub fn validate(&self) -> Result<(), DedupError> {
        let bad = |field: String, reason: &str| {
            Err(DedupError::InvalidConfig {
                field,
                reason: reason.to_string(),
            })
        };
        if self.comparisons.is_empty() {
            return bad("comparisons".into(), "at least one comparison is needed");
        }
        if self.blocking.is_empty() {
            return bad("blocking".into(), "at least one blocking rule is needed");
        }
        if self.comparisons.len() > MAX_COMPARISONS {
            return bad("comparisons".into(), "at most 64 comparisons");
        }
        let unit = |x: f64| x.is_finite() && x > 0.0 && x <= 1.0;
        for (i, c) in self.comparisons.iter().enumerate() {
            let at = |f: &str| format!("comparisons[{i}] ({}).{f}", c.name);
            if c.columns.is_empty() {
                return bad(at("columns"), "no columns");
            }
            if c.levels.len() > 200 {
                return bad(at("levels"), "at most 200 levels");
            }
            if !unit(c.else_m) || !unit(c.else_u) {
                return bad(at("else_m/else_u"), "must be in (0, 1]");
            }
            let mut previous = f64::INFINITY;
            for (j, l) in c.levels.iter().enumerate() {
                if !unit(l.m) || !unit(l.u) {
                    return bad(at(&format!("levels[{j}]")), "m and u must be in (0, 1]");
                }
                if !(l.min_similarity.is_finite() && l.min_similarity < previous) {
                    return bad(
                        at(&format!("levels[{j}].min_similarity")),
                        "levels must be ordered best first",
                    );
                }
                previous = l.min_similarity;
            }
            if c.comparator == Comparator::NumericDistance && !c.scale.is_some_and(|s| s > 0.0) {
                return bad(at("scale"), "numeric_distance needs a positive scale");
            }
        }
        for (i, r) in self.blocking.iter().enumerate() {
            if r.parts.is_empty() || r.parts.iter().any(|p| p.columns.is_empty()) {
                return bad(format!("blocking[{i}] ({})", r.name), "empty key part");
            }
        }
        for (name, v) in [
            ("match_threshold", self.match_threshold),
            ("review_threshold", self.review_threshold),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return bad(name.into(), "must be in [0, 1]");
            }
        }
        if !(self.prior > 0.0 && self.prior < 1.0) {
            return bad("prior".into(), "must be in (0, 1)");
        }
        if self.max_block_size < 2 || self.max_cluster_size < 2 {
            return bad(
                "max_block_size/max_cluster_size".into(),
                "must be at least 2",
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_configs_are_valid_and_roundtrip() {
        for c in [DedupConfig::contacts(), DedupConfig::companies()] {
            c.validate().unwrap();
            let text = c.to_toml_string().unwrap();
            assert_eq!(DedupConfig::from_toml_str(&text).unwrap(), c);
        }
    }

    #[test]
    fn a_hand_written_config_for_any_csv() {
        let text = r#"
            name = "products"
            max_block_size = 50
            oversized_window = 5
            sort_columns = ["title"]
            match_threshold = 0.8
            review_threshold = 0.5
            max_cluster_size = 10
            prior = 0.01
            estimate = false
            em_iterations = 10
            u_sample_pairs = 1000
            seed = 1

            [[comparisons]]
            name = "title"
            columns = ["title"]
            prepare = "text"
            comparator = "token_set"
            else_m = 0.1
            else_u = 0.9
            levels = [{ label = "same", min_similarity = 1.0, m = 0.8, u = 0.01 }]

            [[comparisons]]
            name = "price"
            columns = ["price"]
            prepare = "number"
            comparator = "numeric_distance"
            scale = 10.0
            else_m = 0.2
            else_u = 0.9
            levels = [{ label = "close", min_similarity = 0.9, m = 0.8, u = 0.1 }]

            [[blocking]]
            name = "title sound"
            parts = [{ columns = ["title"], transform = "soundex" }]
        "#;
        let c = DedupConfig::from_toml_str(text).unwrap();
        assert_eq!(c.comparisons[1].scale, Some(10.0));
    }

    #[test]
    fn bad_configs_are_rejected_with_the_field() {
        let mut c = DedupConfig::contacts();
        c.comparisons[0].levels[1].min_similarity = 2.0;
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("comparisons[0] (name)"), "{err}");
        let mut c = DedupConfig::contacts();
        c.blocking.clear();
        assert!(c.validate().is_err());
        let mut c = DedupConfig::contacts();
        c.comparisons[3].comparator = Comparator::NumericDistance;
        assert!(c.validate().is_err());
        assert!(DedupConfig::from_toml_str("name = 1").is_err());
    }
}
