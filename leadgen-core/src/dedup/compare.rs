//! Similarity kernels: two prepared features → a similarity in 0.0–1.0, and the
//! similarity → an agreement level of the comparison.
//!
//! String kernels come from `strsim` (Jaro–Winkler, normalized Levenshtein); token
//! kernels and the person-name and LinkedIn kernels are written here because they
//! work on the prepared features.

use super::config::{Comparator, ComparisonConfig};
use super::features::{Feature, TokenTable};

/// The level index of a missing value on either side (contributes nothing).
pub const LEVEL_NULL: u8 = 0;

/// Jaro–Winkler similarity of two strings, 1.0 for equal strings.
///
/// The same function as `strsim::jaro_winkler`; ASCII strings up to 64 bytes (every
/// folded feature) take an allocation-free path with bit-mask match flags, which is
/// what makes the scoring loop fast. Longer or non-ASCII strings go to `strsim`.
///
/// ```
/// use leadgen_core::dedup::compare::jaro_winkler;
/// assert!(jaro_winkler("martha", "marhta") > 0.95);
/// assert_eq!(jaro_winkler("", ""), 1.0);
/// ```
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    jaro_winkler_bytes(a.as_bytes(), b.as_bytes())
}

/// [`jaro_winkler`] of the bytes of two strings (a UTF-8 check only on the rare
/// non-ASCII or long path).
fn jaro_winkler_bytes(x: &[u8], y: &[u8]) -> f64 {
    if x == y {
        return 1.0;
    }
    if x.len() > 64 || y.len() > 64 || !x.is_ascii() || !y.is_ascii() {
        return match (std::str::from_utf8(x), std::str::from_utf8(y)) {
            (Ok(a), Ok(b)) => strsim::jaro_winkler(a, b),
            _ => 0.0,
        };
    }
    let sim = jaro_ascii(x, y);
    if sim > 0.7 {
        let prefix = x.iter().zip(y).take(4).take_while(|(p, q)| p == q).count();
        sim + 0.1 * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

/// Jaro similarity of two ASCII byte strings of at most 64 bytes (as
/// `strsim::generic_jaro`), bit-parallel: a table of the positions of each byte in
/// `b` finds a character's first free match inside the window in a few instructions.
fn jaro_ascii(a: &[u8], b: &[u8]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let mut positions = [0u64; 128];
    for (j, &c) in b.iter().enumerate() {
        positions[(c & 0x7f) as usize] |= 1 << j;
    }
    let range = (a.len().max(b.len()) / 2).saturating_sub(1);
    // The match window of `a[i]` in `b` is `i − range ..= i + range`: a mask that
    // grows by one bit per step until `i` reaches `range`, then slides up by one
    // (bits past `b`'s end are never set in `positions`, so they need no clearing;
    // `range` < 32, so the first window fits).
    let mut window = (1u64 << (range + 1)) - 1;
    let (mut a_flags, mut b_flags) = (0u64, 0u64);
    let mut matches = 0usize;
    for (i, &c) in a.iter().enumerate() {
        let free = positions[(c & 0x7f) as usize] & !b_flags & window;
        if free != 0 {
            b_flags |= free & free.wrapping_neg();
            a_flags |= 1 << i;
            matches += 1;
        }
        window = if i < range {
            (window << 1) | 1
        } else {
            window << 1
        };
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let (mut af, mut bf) = (a_flags, b_flags);
    while af != 0 {
        let i = af.trailing_zeros() as usize;
        let j = bf.trailing_zeros() as usize;
        transpositions += usize::from(a[i] != b[j]);
        af &= af - 1;
        bf &= bf - 1;
    }
    let m = matches as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (matches - transpositions / 2) as f64 / m) / 3.0
}

/// Normalized Levenshtein similarity, 1.0 for equal strings: `1 − distance / longer
/// length`, as `strsim::normalized_levenshtein`. ASCII strings up to 64 bytes use the
/// bit-parallel distance of Myers/Hyyrö; others go to `strsim`.
pub fn levenshtein(a: &str, b: &str) -> f64 {
    levenshtein_bytes(a.as_bytes(), b.as_bytes())
}

/// [`levenshtein`] of the bytes of two strings (as [`jaro_winkler_bytes`]).
fn levenshtein_bytes(x: &[u8], y: &[u8]) -> f64 {
    if x == y {
        return 1.0;
    }
    if x.len() > 64 || !x.is_ascii() || !y.is_ascii() {
        return match (std::str::from_utf8(x), std::str::from_utf8(y)) {
            (Ok(a), Ok(b)) => strsim::normalized_levenshtein(a, b),
            _ => 0.0,
        };
    }
    1.0 - levenshtein_ascii(x, y) as f64 / x.len().max(y.len()) as f64
}

/// Edit distance of an ASCII pattern `a` (≤ 64 bytes) and text `b` (Hyyrö's
/// bit-vector algorithm).
fn levenshtein_ascii(a: &[u8], b: &[u8]) -> usize {
    let m = a.len();
    if m == 0 {
        return b.len();
    }
    let mut peq = [0u64; 128];
    for (i, &c) in a.iter().enumerate() {
        peq[(c & 0x7f) as usize] |= 1 << i;
    }
    let last = 1u64 << (m - 1);
    let (mut pv, mut mv, mut score) = (u64::MAX, 0u64, m);
    for &c in b {
        let eq = peq[(c & 0x7f) as usize];
        let xv = eq | mv;
        let xh = ((eq & pv).wrapping_add(pv) ^ pv) | eq;
        let mut ph = mv | !(xh | pv);
        let mut mh = pv & xh;
        if ph & last != 0 {
            score += 1;
        } else if mh & last != 0 {
            score -= 1;
        }
        ph = (ph << 1) | 1;
        mh <<= 1;
        pv = mh | !(xv | ph);
        mv = ph & xv;
    }
    score
}

/// Dice coefficient of the whitespace-separated word sets: `2|A∩B| / (|A| + |B|)`.
///
/// ```
/// use leadgen_core::dedup::compare::token_set;
/// assert_eq!(token_set("acme group", "group acme"), 1.0);
/// assert_eq!(token_set("acme", "beta"), 0.0);
/// ```
pub fn token_set(a: &str, b: &str) -> f64 {
    let mut x: Vec<&str> = a.split_whitespace().collect();
    let mut y: Vec<&str> = b.split_whitespace().collect();
    x.sort_unstable();
    x.dedup();
    y.sort_unstable();
    y.dedup();
    if x.is_empty() && y.is_empty() {
        return 1.0;
    }
    let common = x.iter().filter(|t| y.binary_search(t).is_ok()).count();
    2.0 * common as f64 / (x.len() + y.len()) as f64
}

/// Rarity-weighted token overlap of two sorted id lists: the mean of the shared weight
/// over the smaller and over the larger side's weight. Without a shared word, a
/// squashed-text Jaro–Winkler ≥ 0.93 (×0.8) catches names split differently
/// ("Chemo Mont" ~ "Chemomont") and one-word typos.
pub fn rare_tokens(a: (&[u32], &str), b: (&[u32], &str), table: &TokenTable) -> f64 {
    if a.1 == b.1 {
        return 1.0;
    }
    let (mut i, mut j) = (0, 0);
    let (mut shared, mut wa, mut wb) = (0.0, 0.0, 0.0);
    let (x, y) = (a.0, b.0);
    while i < x.len() || j < y.len() {
        if j >= y.len() || (i < x.len() && x[i] < y[j]) {
            wa += table.weight(x[i]);
            i += 1;
        } else if i >= x.len() || y[j] < x[i] {
            wb += table.weight(y[j]);
            j += 1;
        } else {
            let w = table.weight(x[i]);
            shared += w;
            wa += w;
            wb += w;
            i += 1;
            j += 1;
        }
    }
    let overlap = if wa > 0.0 && wb > 0.0 {
        0.5 * (shared / wa.min(wb)) + 0.5 * (shared / wa.max(wb))
    } else {
        0.0
    };
    if overlap > 0.0 {
        return overlap;
    }
    // No shared word: the same letters split differently, or one typo in a one-word
    // name, still count.
    let squashed = jaro_winkler(a.1, b.1);
    if squashed >= 0.93 {
        0.8 * squashed
    } else {
        0.0
    }
}

/// Person-name similarity: 1.0 when given (nicknames resolved) and family names
/// agree, 0.97 when the words agree in another order (swapped or "surname first"),
/// else a blend that weighs the weaker of the two name parts most.
pub fn person_name(a: &Feature, b: &Feature) -> f64 {
    let (Some(pa), Some(pb)) = (a.as_person(), b.as_person()) else {
        return 0.0;
    };
    let (ga, fa, la, sa) = (pa.given(), pa.first(), pa.last(), pa.sorted());
    let (gb, fb, lb, sb) = (pb.given(), pb.first(), pb.last(), pb.sorted());
    if (ga == gb || fa == fb) && la == lb {
        return 1.0;
    }
    if sa == sb || (ga == lb && la == gb) || (fa == lb && la == fb) {
        return 0.97;
    }
    let part = |x: &str, y: &str| {
        if x.is_empty() || y.is_empty() {
            0.5
        } else {
            jaro_winkler(x, y)
        }
    };
    let blend = |f: f64, l: f64| 0.4 * f.max(l) + 0.6 * f.min(l);
    let first = if ga == gb {
        1.0
    } else if ga == fa && gb == fb {
        // No nickname on either side (the usual case): one kernel call, not two.
        part(ga, gb)
    } else {
        part(ga, gb).max(part(fa, fb))
    };
    let direct = blend(first, part(la, lb));
    if direct >= 0.96 {
        return direct;
    }
    let swapped = blend(part(fa, lb), part(la, fb));
    // Sorted words catch "Tan Wei Ming" ~ "Wei Ming Tan" with a typo.
    let words = jaro_winkler(sa, sb) * 0.95;
    direct.max(swapped * 0.97).max(words)
}

/// LinkedIn similarity: 1.0 for the same slug; 0.85 when one side has no uniquifier
/// (legacy `/pub/` or a vanity slug) and the name parts agree; else 0.
pub fn linkedin(a: &Feature, b: &Feature) -> f64 {
    let (
        Feature::Linkedin {
            slug: sa,
            base_len: ba,
            legacy: la,
        },
        Feature::Linkedin {
            slug: sb,
            base_len: bb,
            legacy: lb,
        },
    ) = (a, b)
    else {
        return 0.0;
    };
    if sa == sb {
        return 1.0;
    }
    let base_a = &sa[..*ba as usize];
    let base_b = &sb[..*bb as usize];
    let a_bare = *la || base_a.len() == sa.len();
    let b_bare = *lb || base_b.len() == sb.len();
    if (a_bare || b_bare) && base_a == base_b {
        0.85
    } else {
        0.0
    }
}

/// Whether a LinkedIn feature is a member id (`ACwAA…`), not a vanity slug.
fn is_member_id(f: &Feature) -> bool {
    matches!(f, Feature::Linkedin { slug, .. } if slug.len() >= 30 && slug.starts_with("acw"))
}

/// The text a string comparator reads of a feature, as bytes (no UTF-8 check: the
/// texts are `str`s or copies of one).
fn feature_text(f: &Feature) -> Option<&[u8]> {
    match f {
        Feature::Text(_) | Feature::ShortText { .. } => f.text_bytes(),
        Feature::Tokens(t) => Some(t.squashed().as_bytes()),
        Feature::Person { .. } => f.as_person().map(|p| p.sorted().as_bytes()),
        Feature::Linkedin { slug, .. } => Some(slug.as_bytes()),
        _ => None,
    }
}

/// [`token_set`] of two feature texts.
fn token_set_bytes(a: &[u8], b: &[u8]) -> f64 {
    match (std::str::from_utf8(a), std::str::from_utf8(b)) {
        (Ok(a), Ok(b)) => token_set(a, b),
        _ => 0.0,
    }
}

/// The similarity of two features under `comparator`; `None` when either is missing.
pub fn similarity(
    comparator: Comparator,
    scale: Option<f64>,
    a: &Feature,
    b: &Feature,
    tokens: &TokenTable,
) -> Option<f64> {
    use Feature as F;
    if matches!(a, F::Missing) || matches!(b, F::Missing) {
        return None;
    }
    let text = feature_text;
    Some(match comparator {
        Comparator::Exact => match (a, b) {
            (F::Number(x), F::Number(y)) => f64::from(u8::from(x == y)),
            _ => f64::from(u8::from(text(a)? == text(b)?)),
        },
        Comparator::JaroWinkler => jaro_winkler_bytes(text(a)?, text(b)?),
        Comparator::Levenshtein => levenshtein_bytes(text(a)?, text(b)?),
        Comparator::TokenSet => match (a, b) {
            (F::Tokens(x), F::Tokens(y)) => {
                let (x, y) = (&x.ids, &y.ids);
                let common = x.iter().filter(|t| y.binary_search(t).is_ok()).count();
                2.0 * common as f64 / (x.len() + y.len()).max(1) as f64
            }
            _ => token_set_bytes(text(a)?, text(b)?),
        },
        Comparator::RareTokens => match (a, b) {
            (F::Tokens(x), F::Tokens(y)) => rare_tokens(
                (&x.ids[..], x.squashed()),
                (&y.ids[..], y.squashed()),
                tokens,
            ),
            _ => token_set_bytes(text(a)?, text(b)?),
        },
        Comparator::NumericDistance => match (a, b) {
            (F::Number(x), F::Number(y)) => {
                let scale = scale.unwrap_or(1.0).max(f64::MIN_POSITIVE);
                (1.0 - (x - y).abs() / scale).max(0.0)
            }
            _ => return None,
        },
        Comparator::Linkedin => {
            // A member-id URL (Sales Navigator) and a vanity slug cannot be compared.
            if is_member_id(a) != is_member_id(b) {
                return None;
            }
            linkedin(a, b)
        }
        Comparator::PersonName => person_name(a, b),
    })
}

/// The agreement level of two features: [`LEVEL_NULL`] when one is missing, `1 + i`
/// for the first configured level `i` whose minimum the similarity reaches, and
/// `levels + 1` (disagreement) otherwise.
pub fn level_of(config: &ComparisonConfig, a: &Feature, b: &Feature, tokens: &TokenTable) -> u8 {
    match similarity(config.comparator, config.scale, a, b, tokens) {
        None => LEVEL_NULL,
        Some(s) => level_of_similarity(config, s),
    }
}

/// The level a similarity falls into (see [`level_of`]).
pub fn level_of_similarity(config: &ComparisonConfig, s: f64) -> u8 {
    config
        .levels
        .iter()
        .position(|l| s >= l.min_similarity)
        .map_or(config.levels.len() as u8 + 1, |i| i as u8 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::config::DedupConfig;
    use crate::dedup::features::FeatureTable;
    use crate::dedup::record::Record;

    fn features(config: &DedupConfig, records: &[Record]) -> FeatureTable {
        let mut t = FeatureTable::new(config);
        t.extend(config, records);
        t
    }

    #[test]
    fn company_names_meet_by_rare_tokens() {
        let config = DedupConfig::companies();
        let mut records: Vec<Record> = (0..50)
            .map(|i| {
                let suffix = if i % 5 == 0 { "Holding Group" } else { "Group" };
                Record::new(i.to_string()).with("name", format!("Firm{i} {suffix}"))
            })
            .collect();
        records.push(Record::new("a").with("name", "Acme Holding Group"));
        records.push(Record::new("b").with("name", "Acme Group"));
        records.push(Record::new("c").with("name", "Beta Group"));
        let t = features(&config, &records);
        let sim = |i: usize, j: usize| {
            similarity(
                Comparator::RareTokens,
                None,
                &t.row(i)[0],
                &t.row(j)[0],
                &t.tokens[0],
            )
            .unwrap()
        };
        let acme = sim(50, 51);
        let group_only = sim(51, 52);
        assert!(acme > 0.75, "{acme}");
        assert!(group_only < 0.45, "{group_only}");
    }

    #[test]
    fn person_names_tolerate_swaps_nicknames_typos() {
        let config = DedupConfig::contacts();
        let r = |f: &str, l: &str| Record::new("x").with("first_name", f).with("last_name", l);
        let t = features(
            &config,
            &[
                r("William", "Smith"),
                r("Bill", "Smith"),
                r("Smith", "William"),
                r("Wiliam", "Smith"),
                r("Peter", "Smith"),
                r("Иван", "Петров"),
                r("Ivan", "Petrov"),
            ],
        );
        let s = |i: usize, j: usize| person_name(&t.row(i)[0], &t.row(j)[0]);
        assert_eq!(s(0, 1), 1.0);
        assert_eq!(s(0, 2), 0.97);
        assert!(s(0, 3) > 0.9);
        assert!(s(0, 4) < 0.88, "{}", s(0, 4));
        assert_eq!(s(5, 6), 1.0);
    }

    #[test]
    fn linkedin_levels() {
        let config = DedupConfig::contacts();
        let r = |u: &str| Record::new("x").with("linkedin_url", u);
        let t = features(
            &config,
            &[
                r("https://www.linkedin.com/in/jackie-downs-f94331a9/"),
                r("https://www.linkedin.com/pub/jackie-downs/2e/8c5/54a"),
                r("https://www.linkedin.com/in/jackie-downs-1234abcd"),
            ],
        );
        assert_eq!(linkedin(&t.row(0)[2], &t.row(1)[2]), 0.85);
        assert_eq!(linkedin(&t.row(0)[2], &t.row(2)[2]), 0.0);
        assert_eq!(
            level_of(
                &config.comparisons[2],
                &t.row(0)[2],
                &t.row(1)[2],
                &t.tokens[2]
            ),
            2
        );
        assert_eq!(
            level_of(
                &config.comparisons[2],
                &t.row(0)[2],
                &t.row(2)[2],
                &t.tokens[2]
            ),
            3
        );
    }

    #[test]
    fn jaro_winkler_equals_strsim_on_random_strings() {
        // Small alphabets make many matches and transpositions; lengths up to 64
        // cover every window size of the bit-parallel path.
        let mut rng = crate::dedup::model::SplitMix::new(7);
        let mut word = |alphabet: &[u8], max: usize| -> String {
            let len = rng.below(max + 1);
            (0..len)
                .map(|_| char::from(alphabet[rng.below(alphabet.len())]))
                .collect()
        };
        for round in 0..20_000 {
            let (alphabet, max): (&[u8], usize) = match round % 3 {
                0 => (b"ab", 12),
                1 => (b"abcde ", 30),
                _ => (b"abcdefghijklmnopqrstuvwxyz", 64),
            };
            let (a, b) = (word(alphabet, max), word(alphabet, max));
            let (ours, theirs) = (jaro_winkler(&a, &b), strsim::jaro_winkler(&a, &b));
            assert!(
                (ours - theirs).abs() < 1e-12,
                "{a:?} {b:?}: {ours} vs {theirs}"
            );
        }
    }

    #[test]
    fn fast_kernels_equal_strsim() {
        let words = [
            "",
            "a",
            "ab",
            "martha",
            "marhta",
            "dixon",
            "dicksonx",
            "jellyfish",
            "smellyfish",
            "novak",
            "novakova",
            "jan novak",
            "novak jan",
            "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl",
            "aaaa",
            "aaab",
            "baaa",
            "crate",
            "trace",
            "dwayne",
            "duane",
            "ňovák",
        ];
        for a in words {
            for b in words {
                let (ours, theirs) = (jaro_winkler(a, b), strsim::jaro_winkler(a, b));
                assert!(
                    (ours - theirs).abs() < 1e-12,
                    "{a:?} {b:?}: {ours} vs {theirs}"
                );
            }
        }
    }

    #[test]
    fn missing_and_numeric() {
        let empty = TokenTable::default();
        assert_eq!(
            similarity(
                Comparator::Exact,
                None,
                &Feature::Missing,
                &Feature::Number(1.0),
                &empty
            ),
            None
        );
        let s = similarity(
            Comparator::NumericDistance,
            Some(10.0),
            &Feature::Number(3.0),
            &Feature::Number(8.0),
            &empty,
        );
        assert_eq!(s, Some(0.5));
        assert_eq!(levenshtein("kitten", "sitting"), 1.0 - 3.0 / 7.0);
        assert_eq!(token_set("", ""), 1.0);
    }
}
