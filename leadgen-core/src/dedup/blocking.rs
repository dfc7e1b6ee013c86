//! Blocking: only records that share a key under some rule are compared, so the cost
//! grows with the number of true neighbours, not n².
//!
//! Keys are hashed to 64 bits at once (a million records × seven rules would otherwise
//! hold seven million key strings). A block over `max_block_size` members (everyone at
//! one free-mail domain, thousands of "Jan Novák") is not compared all-pairs: its
//! members are sorted by the config's sort columns and each is compared with its
//! `oversized_window` next neighbours (sorted neighbourhood), and the block is
//! reported so the user knows recall may suffer there.

use std::borrow::Cow;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::config::{BlockingRule, DedupConfig, KeyPart, KeyTransform};
use super::features::{Feature, FeatureTable, domain_of_value, identifier_key};
use super::keys;
use super::record::Record;

/// "No key under this rule".
pub const NO_KEY: u64 = 0;

/// A block that was too large to compare all-pairs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OversizedBlock {
    /// The blocking rule.
    pub rule: String,
    /// The key of the block (as text, from its first member).
    pub key: String,
    /// Members in the block.
    pub size: usize,
    /// Pairs compared instead of `size × (size − 1) / 2`.
    pub pairs_compared: usize,
}

/// The text of one key part for a record, `None` when it yields no key.
fn part_text(part: &KeyPart, record: &Record) -> Option<String> {
    part_text_memo(part, record, &mut Folds::default())
}

/// [`part_text`], reusing person-name folds of the same columns across parts (the
/// name columns appear under several transforms).
fn part_text_memo<'p>(part: &'p KeyPart, record: &Record, folds: &mut Folds<'p>) -> Option<String> {
    let mut out = String::new();
    part_text_into(part, record, folds, &mut out).then_some(out)
}

/// [`part_text_memo`], appending the text to `out`; `false` (and `out` as it was)
/// when the part yields no key.
fn part_text_into<'p>(
    part: &'p KeyPart,
    record: &Record,
    folds: &mut Folds<'p>,
    out: &mut String,
) -> bool {
    let start = out.len();
    if push_part_text(part, record, folds, out).is_some() && out.len() > start {
        true
    } else {
        out.truncate(start);
        false
    }
}

fn push_part_text<'p>(
    part: &'p KeyPart,
    record: &Record,
    folds: &mut Folds<'p>,
    out: &mut String,
) -> Option<()> {
    if part.transform == KeyTransform::SortedWords
        && part.columns.len() > 1
        && let Some(done) = sorted_words_of_columns(part, record, folds, out)
    {
        return done;
    }
    // One column (the usual case) is borrowed; several are joined by spaces, in
    // the folds' scratch buffer (given back below).
    let mut scratch = std::mem::take(&mut folds.joined);
    let joined: Cow<'_, str> = match part.columns.as_slice() {
        [column] => Cow::Borrowed(record.get(column)?),
        columns => {
            scratch.clear();
            for v in columns.iter().filter_map(|c| record.get(c)) {
                if !scratch.is_empty() {
                    scratch.push(' ');
                }
                scratch.push_str(v);
            }
            Cow::Borrowed(scratch.as_str())
        }
    };
    let done = push_joined_text(part, record, folds, &joined, out);
    drop(joined);
    folds.joined = scratch;
    done
}

/// [`KeyTransform::SortedWords`] of several columns from the person-name folds of
/// each column (which the record's other keys and features already made), instead
/// of folding the joined columns once more. Folding is word-wise, so the joined
/// fold's words are the columns' fold words in turn; its noise words (titles) are
/// dropped unless every word is one. So when some column has a word that is not
/// noise, the result is the sorted words of the columns whose folds are not all
/// noise. `None` (use the joined text) otherwise.
fn sorted_words_of_columns<'p>(
    part: &'p KeyPart,
    record: &Record,
    folds: &mut Folds<'p>,
    out: &mut String,
) -> Option<Option<()>> {
    let mut kept = [0usize; 8];
    let mut n = 0;
    for (i, column) in part.columns.iter().enumerate() {
        let Some(value) = record.get(column) else {
            continue;
        };
        let k = person_fold(folds, &part.columns[i..i + 1], value);
        // A column's fold is all noise words or has none (see person_name_fold).
        let first = folds.text(k).split(' ').next().unwrap_or("");
        if first.is_empty() || keys::is_name_noise(first) {
            continue;
        }
        *kept.get_mut(n)? = k;
        n += 1;
    }
    if n == 0 {
        return None;
    }
    let mut texts = [""; 8];
    for (t, &k) in texts.iter_mut().zip(&kept[..n]) {
        *t = folds.text(k);
    }
    let start = out.len();
    if sort_words_into(&texts[..n], true, out) < 2 {
        out.truncate(start);
        return Some(None);
    }
    Some(Some(()))
}

fn push_joined_text<'p>(
    part: &'p KeyPart,
    record: &Record,
    folds: &mut Folds<'p>,
    joined: &str,
    out: &mut String,
) -> Option<()> {
    if joined.is_empty() {
        return None;
    }
    // The index of the person-name fold of these columns in `folds`.
    let mut person_fold = || person_fold(folds, part.columns.as_slice(), joined);
    let first_value = || part.columns.iter().find_map(|c| record.get(c));
    match part.transform {
        KeyTransform::Folded => keys::fold_into(joined, out),
        KeyTransform::Email => out.push_str(&keys::email_key(first_value()?)?),
        KeyTransform::Linkedin => out.push_str(&keys::linkedin_key(first_value()?)?.slug),
        KeyTransform::Phone => out.push_str(&keys::phone_key(first_value()?)?),
        KeyTransform::Domain => out.push_str(
            &part
                .columns
                .iter()
                .filter_map(|c| record.get(c))
                .find_map(domain_of_value)?,
        ),
        KeyTransform::CompanyKey => out.push_str(&keys::company_key(joined)?),
        KeyTransform::GivenName => {
            let i = person_fold();
            keys::given_name_key_into(folds.text(i), out);
        }
        KeyTransform::PersonName => {
            let i = person_fold();
            out.push_str(folds.text(i));
        }
        KeyTransform::Initial => {
            let i = person_fold();
            out.push(folds.text(i).chars().next()?);
        }
        KeyTransform::Soundex => {
            let i = person_fold();
            keys::soundex_into(folds.text(i).split(' ').next()?, out);
        }
        KeyTransform::SortedWords => {
            let i = person_fold();
            if !push_sorted_words(folds.text(i), out) {
                return None;
            }
        }
        KeyTransform::Identifier => out.push_str(&identifier_key(joined)),
    }
    Some(())
}

/// The text key of a record under a rule (parts joined by `|`), `None` if any part
/// is empty.
pub fn key_text(rule: &BlockingRule, record: &Record) -> Option<String> {
    let mut key = String::new();
    for (i, p) in rule.parts.iter().enumerate() {
        if i > 0 {
            key.push('|');
        }
        key.push_str(&part_text(p, record)?);
    }
    Some(key)
}

/// FNV-1a over the rule index and the key: fast, and 64 bits make a collision between
/// two of a few million keys unlikely (a collision only adds a candidate pair).
#[cfg(test)]
fn hash_key(rule_index: usize, key: &str) -> u64 {
    let mut h = KeyHasher::new(rule_index);
    h.write(key.as_bytes());
    h.finish()
}

/// Streaming [`hash_key`]: the parts of a key are fed one by one (with the `|`
/// between them), so no key string is built.
struct KeyHasher(u64);

impl KeyHasher {
    fn new(rule_index: usize) -> Self {
        let mut h = KeyHasher(0xcbf2_9ce4_8422_2325);
        h.write(&(rule_index as u64).to_le_bytes());
        h
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        match self.0 {
            NO_KEY => 1,
            v => v,
        }
    }
}

/// The comparison whose prepared feature is, as text, exactly what `part` makes of a
/// record (the same columns through the same normalizer), so the key part can be
/// read from the prepared features instead of normalizing the fields again.
fn feature_source(config: &DedupConfig, part: &KeyPart) -> Option<usize> {
    use super::config::Prepare as P;
    use KeyTransform as K;
    config.comparisons.iter().position(|c| {
        c.columns == part.columns
            && match (part.transform, c.prepare) {
                (K::Email, P::Email)
                | (K::Linkedin, P::Linkedin)
                | (K::Phone, P::Phone)
                | (K::Domain, P::Domain) => true,
                // Single column: the joined text is that column's value.
                (K::Identifier, P::Identifier) | (K::Folded, P::Text) => c.columns.len() == 1,
                _ => false,
            }
    })
}

/// The comparison whose staged company tokens (joined by spaces) are the part's
/// [`KeyTransform::CompanyKey`] (one column: `company_key` is `company_tokens`
/// joined).
fn words_source(config: &DedupConfig, part: &KeyPart) -> Option<usize> {
    use super::config::Prepare as P;
    (part.transform == KeyTransform::CompanyKey && part.columns.len() == 1)
        .then(|| {
            config
                .comparisons
                .iter()
                .position(|c| c.columns == part.columns && c.prepare == P::CompanyName)
        })
        .flatten()
}

/// The text of a prepared feature that a key part can use (`None` when missing).
fn feature_key_text(f: &Feature) -> Option<&[u8]> {
    match f {
        Feature::Text(_) | Feature::ShortText { .. } => f.text_bytes(),
        Feature::Linkedin { slug, .. } => Some(slug.as_bytes()),
        _ => None,
    }
}

/// Where one distinct key part comes from.
#[derive(Clone, Copy)]
enum Source {
    /// Normalized from the record's fields.
    Fields,
    /// The text of comparison `c`'s feature.
    Feature(usize),
    /// Comparison `c`'s staged company tokens (joined by spaces).
    Words(usize),
}

/// The text of one key part of one record: borrowed from a prepared feature, or a
/// span of the record's key buffer.
#[derive(Clone, Copy)]
enum PartText<'a> {
    Borrowed(&'a [u8]),
    Span(usize, usize),
}

/// How the blocking keys of a config are computed: its distinct key parts (rules
/// share parts: the same name column under several transforms, the same transform
/// in several rules, each computed once per record) and where each comes from.
pub(crate) struct KeyPlan<'c> {
    parts: Vec<&'c KeyPart>,
    rule_parts: Vec<Vec<usize>>,
    sources: Vec<Source>,
}

impl<'c> KeyPlan<'c> {
    /// `features`: whether prepared features are at hand (else every part is made
    /// from the fields); `staged`: whether staged company tokens are too.
    pub(crate) fn new(config: &'c DedupConfig, features: bool, staged: bool) -> Self {
        let mut parts: Vec<&KeyPart> = Vec::new();
        let rule_parts: Vec<Vec<usize>> = config
            .blocking
            .iter()
            .map(|rule| {
                rule.parts
                    .iter()
                    .map(|p| match parts.iter().position(|q| *q == p) {
                        Some(i) => i,
                        None => {
                            parts.push(p);
                            parts.len() - 1
                        }
                    })
                    .collect()
            })
            .collect();
        let sources = parts
            .iter()
            .map(|p| match (features, staged) {
                (false, _) => Source::Fields,
                (true, _) if feature_source(config, p).is_some() => {
                    Source::Feature(feature_source(config, p).unwrap_or_default())
                }
                (true, true) => words_source(config, p).map_or(Source::Fields, Source::Words),
                (true, false) => Source::Fields,
            })
            .collect();
        KeyPlan {
            parts,
            rule_parts,
            sources,
        }
    }

    /// Number of rules (keys per record).
    pub(crate) fn rules(&self) -> usize {
        self.rule_parts.len()
    }

    /// Writes the hashed keys of `record` into `out` (one per rule). `feature(c)`
    /// gives comparison `c`'s prepared feature, `words(c)` its staged tokens joined
    /// by spaces.
    pub(crate) fn keys_of<'a>(
        &self,
        record: &'a Record,
        folds: &mut Folds<'c>,
        feature: impl Fn(usize) -> Option<&'a Feature>,
        words: impl Fn(usize) -> Option<&'a str>,
        out: &mut [u64],
    ) {
        // Every computed part goes into one buffer, reused from record to record.
        let mut buf = std::mem::take(&mut folds.keys);
        buf.clear();
        let mut small = [None; 16];
        let mut large = Vec::new();
        let texts: &mut [Option<PartText<'a>>] = if self.parts.len() <= small.len() {
            &mut small[..self.parts.len()]
        } else {
            large.resize(self.parts.len(), None);
            &mut large
        };
        for ((slot, p), src) in texts.iter_mut().zip(&self.parts).zip(&self.sources) {
            let start = buf.len();
            *slot = match *src {
                Source::Feature(c) => feature(c)
                    .and_then(feature_key_text)
                    .map(PartText::Borrowed),
                Source::Words(c) => words(c)
                    .filter(|w| !w.is_empty())
                    .map(|w| PartText::Borrowed(w.as_bytes())),
                Source::Fields => {
                    let found = part_text_into(p, record, folds, &mut buf);
                    found.then_some(PartText::Span(start, buf.len()))
                }
            };
        }
        for (slot, (rule, ids)) in out.iter_mut().zip(self.rule_parts.iter().enumerate()) {
            let mut h = KeyHasher::new(rule);
            let mut complete = true;
            for (n, &id) in ids.iter().enumerate() {
                let Some(text) = &texts[id] else {
                    complete = false;
                    break;
                };
                if n > 0 {
                    h.write(b"|");
                }
                match *text {
                    PartText::Borrowed(t) => h.write(t),
                    PartText::Span(a, b) => h.write(&buf.as_bytes()[a..b]),
                }
            }
            *slot = if complete { h.finish() } else { NO_KEY };
        }
        folds.keys = buf;
    }
}

/// The distinct non-empty words of `text` (split on spaces), sorted and joined by
/// spaces, appended to `out`; `false` (and nothing written) under two words.
fn push_sorted_words(text: &str, out: &mut String) -> bool {
    let start = out.len();
    if sort_words_into(&[text], true, out) < 2 {
        out.truncate(start);
        return false;
    }
    true
}

/// The non-empty words of `texts` (split on spaces), sorted, without repeats when
/// `dedup`, joined by spaces and appended to `out`; returns the number of words
/// found (repeats included).
pub(crate) fn sort_words_into(texts: &[&str], dedup: bool, out: &mut String) -> usize {
    // Names have a handful of words: sort them on the stack.
    let mut small: [&str; 8] = [""; 8];
    let mut large: Vec<&str> = Vec::new();
    let mut n = 0;
    for w in texts
        .iter()
        .flat_map(|t| t.split(' '))
        .filter(|w| !w.is_empty())
    {
        if n < small.len() {
            small[n] = w;
        } else {
            if large.is_empty() {
                large.extend_from_slice(&small);
            }
            large.push(w);
        }
        n += 1;
    }
    let words: &mut [&str] = if n <= small.len() {
        &mut small[..n]
    } else {
        &mut large
    };
    words.sort_unstable();
    let mut previous: Option<&str> = None;
    for &w in words.iter() {
        if dedup && previous == Some(w) {
            continue;
        }
        if previous.is_some() {
            out.push(' ');
        }
        out.push_str(w);
        previous = Some(w);
    }
    n
}

/// Person-name folds of one record by the columns folded, shared by every key part
/// and feature of the record that reads the same name columns. Kept per worker and
/// [`Folds::clear`]ed between records, so its strings are allocated once, not per
/// record.
#[derive(Default)]
pub(crate) struct Folds<'c> {
    slots: Vec<(&'c [String], String)>,
    used: usize,
    /// Scratch for joining several columns.
    joined: String,
    /// Scratch for the key parts of a record.
    keys: String,
}

impl<'c> Folds<'c> {
    /// Forgets the folds of the previous record (keeping the buffers).
    pub(crate) fn clear(&mut self) {
        self.used = 0;
    }

    /// The fold at `i` (from [`person_fold`]).
    pub(crate) fn text(&self, i: usize) -> &str {
        &self.slots[i].1
    }
}

/// The index in `folds` of the person-name fold of `joined` (the text of
/// `columns`), computed on first use.
pub(crate) fn person_fold<'c>(folds: &mut Folds<'c>, columns: &'c [String], joined: &str) -> usize {
    if let Some(i) = folds.slots[..folds.used]
        .iter()
        .position(|(cols, _)| *cols == columns)
    {
        return i;
    }
    let i = folds.used;
    if i == folds.slots.len() {
        folds.slots.push((columns, String::new()));
    }
    let slot = &mut folds.slots[i];
    slot.0 = columns;
    keys::person_name_fold_into(joined, &mut slot.1);
    folds.used += 1;
    i
}

/// The hashed keys of records: `keys[record * rules + rule]`, [`NO_KEY`] when none.
///
/// Rules share parts (the same name column under several transforms, the same
/// transform in several rules): each distinct part is computed once per record.
pub fn record_keys(config: &DedupConfig, records: &[Record]) -> Vec<u64> {
    record_keys_with(config, records, None)
}

/// [`record_keys`], reading the parts that equal a prepared comparison feature from
/// `features` (rows `offset..offset + records.len()` are `records`) instead of
/// normalizing the fields a second time.
pub(crate) fn record_keys_with(
    config: &DedupConfig,
    records: &[Record],
    features: Option<(&FeatureTable, usize)>,
) -> Vec<u64> {
    let plan = KeyPlan::new(config, features.is_some(), false);
    let rules = plan.rules();
    let mut keys = vec![NO_KEY; records.len() * rules];
    if rules == 0 {
        return keys;
    }
    keys.par_chunks_mut(rules)
        .zip(records.par_iter().enumerate())
        .with_min_len(256)
        .for_each(|(out, (i, r))| {
            let mut folds = Folds::default();
            let row = features.map(|(t, offset)| t.row(offset + i));
            plan.keys_of(r, &mut folds, |c| row.map(|row| &row[c]), |_| None, out);
        });
    keys
}

/// The sort key of a record inside an oversized block.
pub fn sort_key(config: &DedupConfig, record: &Record) -> String {
    let mut key = String::new();
    for c in &config.sort_columns {
        if let Some(v) = record.get(c) {
            key.push_str(&keys::fold(v));
        }
        key.push('\u{1}');
    }
    key.push_str(&record.id);
    key
}

/// Packs a pair (smaller index first).
#[inline]
pub fn pack(a: u32, b: u32) -> u64 {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    (u64::from(lo) << 32) | u64::from(hi)
}

/// Unpacks a pair.
#[inline]
pub fn unpack(p: u64) -> (u32, u32) {
    ((p >> 32) as u32, p as u32)
}

/// Candidate pairs (packed, sorted, unique) of `records` under every rule, and the
/// blocks that were too large to compare all-pairs.
pub fn candidate_pairs(
    config: &DedupConfig,
    records: &[Record],
) -> (Vec<u64>, Vec<OversizedBlock>) {
    candidate_pairs_with(config, records, None)
}

/// [`candidate_pairs`] with the records' prepared features (rows `0..records.len()`),
/// from which the key parts equal to a feature are read.
pub(crate) fn candidate_pairs_with(
    config: &DedupConfig,
    records: &[Record],
    features: Option<&FeatureTable>,
) -> (Vec<u64>, Vec<OversizedBlock>) {
    let keys = record_keys_with(config, records, features.map(|f| (f, 0)));
    candidate_pairs_of_keys(config, records, &keys)
}

/// Candidate pairs from the records' hashed keys ([`record_keys`]).
pub(crate) fn candidate_pairs_of_keys(
    config: &DedupConfig,
    records: &[Record],
    keys: &[u64],
) -> (Vec<u64>, Vec<OversizedBlock>) {
    let rules = config.blocking.len();
    // Rules in parallel; inside a rule, the members of a key sit side by side after
    // one sort of (key, record).
    let per_rule: Vec<(Vec<u64>, Vec<OversizedBlock>)> = config
        .blocking
        .par_iter()
        .enumerate()
        .map(|(rule_index, rule)| {
            let mut keyed: Vec<(u64, u32)> = (0..records.len())
                .filter_map(|i| {
                    let k = keys[i * rules + rule_index];
                    (k != NO_KEY).then_some((k, i as u32))
                })
                .collect();
            // Stable on the key alone: members of a block stay in index order,
            // as sorting the (key, index) pairs would leave them.
            radix_sort_by_key(&mut keyed, |&(k, _)| k);
            let mut pairs: Vec<u64> = Vec::new();
            let mut oversized = Vec::new();
            let mut start = 0;
            while start < keyed.len() {
                let key = keyed[start].0;
                let end = start + keyed[start..].partition_point(|(k, _)| *k == key);
                let block = &keyed[start..end];
                if block.len() <= config.max_block_size {
                    for (x, &(_, a)) in block.iter().enumerate() {
                        for &(_, b) in &block[x + 1..] {
                            // Records are in index order inside a block.
                            pairs.push((u64::from(a) << 32) | u64::from(b));
                        }
                    }
                } else {
                    let members: Vec<u32> = block.iter().map(|(_, i)| *i).collect();
                    let before = pairs.len();
                    window_pairs(config, records, &members, &mut pairs);
                    oversized.push(OversizedBlock {
                        rule: rule.name.clone(),
                        key: key_text(rule, &records[members[0] as usize]).unwrap_or_default(),
                        size: members.len(),
                        pairs_compared: pairs.len() - before,
                    });
                }
                start = end;
            }
            (pairs, oversized)
        })
        .collect();
    let total = per_rule.iter().map(|(p, _)| p.len()).sum();
    let mut pairs: Vec<u64> = Vec::with_capacity(total);
    let mut oversized = Vec::new();
    for (p, o) in per_rule {
        pairs.extend_from_slice(&p);
        oversized.extend(o);
    }
    radix_sort_by_key(&mut pairs, |&p| p);
    pairs.dedup();
    (pairs, oversized)
}

/// Sorts `v` by a 64-bit key, stably: least-significant-digit radix sort, eight
/// bits per pass, skipping the passes in which every key has the same digit. Keys
/// here are hashes and packed pairs, where this is several times faster than a
/// comparison sort.
fn radix_sort_by_key<T: Copy + Default>(v: &mut Vec<T>, key: impl Fn(&T) -> u64) {
    let n = v.len();
    if n <= 256 {
        v.sort_by_key(&key);
        return;
    }
    let mut counts = vec![[0usize; 256]; 8];
    for x in v.iter() {
        let k = key(x);
        for (d, c) in counts.iter_mut().enumerate() {
            c[((k >> (8 * d)) & 0xff) as usize] += 1;
        }
    }
    let mut other: Vec<T> = vec![T::default(); n];
    for (d, c) in counts.iter().enumerate() {
        if c.contains(&n) {
            continue;
        }
        let mut offsets = [0usize; 256];
        let mut sum = 0;
        for (o, &count) in offsets.iter_mut().zip(c.iter()) {
            *o = sum;
            sum += count;
        }
        for x in v.iter() {
            let digit = ((key(x) >> (8 * d)) & 0xff) as usize;
            other[offsets[digit]] = *x;
            offsets[digit] += 1;
        }
        std::mem::swap(v, &mut other);
    }
}

/// Sorted-neighbourhood pairs inside one oversized block.
fn window_pairs(config: &DedupConfig, records: &[Record], members: &[u32], pairs: &mut Vec<u64>) {
    let mut sorted: Vec<(String, u32)> = members
        .iter()
        .map(|&i| (sort_key(config, &records[i as usize]), i))
        .collect();
    sorted.sort_unstable();
    let window = config.oversized_window.max(1);
    for x in 0..sorted.len() {
        for y in x + 1..(x + 1 + window).min(sorted.len()) {
            pairs.push(pack(sorted[x].1, sorted[y].1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(id: &str, first: &str, last: &str, email: &str) -> Record {
        Record::new(id)
            .with("first_name", first)
            .with("last_name", last)
            .with("email", email)
    }

    #[test]
    fn rules_make_the_expected_pairs() {
        let config = DedupConfig::contacts();
        let records = vec![
            contact("0", "Jan", "Novák", "jan@acme.cz"),
            contact("1", "Honza", "Novak", "JAN@acme.cz"),
            contact("2", "Novák", "Jan", ""),
            contact("3", "Eva", "Malá", "eva@beta.cz"),
        ];
        let (pairs, oversized) = candidate_pairs(&config, &records);
        let pairs: Vec<(u32, u32)> = pairs.into_iter().map(unpack).collect();
        assert!(pairs.contains(&(0, 1)), "{pairs:?}");
        assert!(pairs.contains(&(0, 2)), "{pairs:?}");
        assert!(!pairs.iter().any(|&(a, b)| a == 3 || b == 3), "{pairs:?}");
        assert!(oversized.is_empty());
    }

    #[test]
    fn a_giant_block_is_windowed_and_reported() {
        let mut config = DedupConfig::contacts();
        config.max_block_size = 50;
        config.oversized_window = 5;
        // Everyone has the same name: one giant block under the name rules.
        let records: Vec<Record> = (0..2000)
            .map(|i| contact(&i.to_string(), "Jan", "Novák", &format!("jan{i}@gmail.com")))
            .collect();
        let (pairs, oversized) = candidate_pairs(&config, &records);
        assert!(pairs.len() <= 2000 * 5 * 2, "{}", pairs.len());
        assert!(!oversized.is_empty());
        assert!(oversized.iter().all(|b| b.size == 2000));
        assert!(oversized[0].key.contains("jan"), "{:?}", oversized[0]);
    }

    #[test]
    fn hashed_keys_agree_with_key_texts() {
        let config = DedupConfig::contacts();
        let records = vec![
            contact("0", "Jan", "Novák", "jan@acme.cz"),
            contact("1", "Honza", "Novak", "JAN@acme.cz"),
            Record::new("2"),
        ];
        let keys = record_keys(&config, &records);
        let rules = config.blocking.len();
        for (i, r) in records.iter().enumerate() {
            for (j, rule) in config.blocking.iter().enumerate() {
                let expected = key_text(rule, r).map_or(NO_KEY, |k| hash_key(j, &k));
                assert_eq!(keys[i * rules + j], expected, "record {i} rule {j}");
            }
        }
        assert_eq!(keys[0], keys[rules], "same email key");
        // Keys read from the prepared features are the keys computed from the fields.
        let mut features = FeatureTable::new(&config);
        features.extend(&config, &records);
        assert_eq!(
            record_keys_with(&config, &records, Some((&features, 0))),
            keys
        );
        for config in [DedupConfig::companies(), DedupConfig::contacts()] {
            let odd = vec![
                Record::new("x")
                    .with("website", "HTTPS://WWW.Acme.CZ/")
                    .with("domain", "acme.cz")
                    .with("name", "Acme a.s.")
                    .with("linkedin_url", "https://cz.LinkedIn.com/in/Jan-Nov%C3%A1k")
                    .with("registry_id", "CZ 0462 6133")
                    .with("phone", "+420 606 352 769")
                    .with("email", "Mailto:Jan@Acme.cz"),
                Record::new("y").with("email", "jan @acme.cz\u{200b}"),
            ];
            let mut features = FeatureTable::new(&config);
            features.extend(&config, &odd);
            assert_eq!(
                record_keys_with(&config, &odd, Some((&features, 0))),
                record_keys(&config, &odd)
            );
            // And the keys made in the same pass as the features.
            let mut table = FeatureTable::new(&config);
            let mut all = odd.clone();
            all.extend(records.iter().cloned());
            all.push(
                Record::new("z")
                    .with("first_name", "!!!")
                    .with("full_name", "Ing. Jan Novák")
                    .with("company", "The Acme & Sons s.r.o."),
            );
            assert_eq!(
                table.extend_with_keys(&config, &all),
                record_keys(&config, &all)
            );
            assert_eq!(table.values, {
                let mut t = FeatureTable::new(&config);
                t.extend(&config, &all);
                t.values
            });
        }
    }

    #[test]
    fn radix_sort_sorts_stably_by_key() {
        let mut rng = crate::dedup::model::SplitMix::new(3);
        for n in [0usize, 1, 5, 256, 257, 5000] {
            // Few distinct keys (many ties) and keys differing only in high bytes.
            let mut v: Vec<(u64, u32)> = (0..n as u32)
                .map(|i| ((rng.below(40) as u64) << (8 * (i as u64 % 8)), i))
                .collect();
            let mut expected = v.clone();
            expected.sort_unstable();
            radix_sort_by_key(&mut v, |&(k, _)| k);
            assert_eq!(v, expected, "n = {n}");
            let mut w: Vec<u64> = (0..n).map(|_| rng.below(1 << 20) as u64 * 977).collect();
            let mut expected = w.clone();
            expected.sort_unstable();
            radix_sort_by_key(&mut w, |&p| p);
            assert_eq!(w, expected);
        }
    }

    #[test]
    fn sorted_words_from_column_folds_equal_the_joined_fold() {
        // The definition: the joined columns folded as one person name, its words
        // sorted and de-duplicated, at least two of them.
        let reference = |r: &Record| -> Option<String> {
            let joined: Vec<&str> = ["first_name", "last_name", "full_name"]
                .iter()
                .filter_map(|c| r.get(c))
                .collect();
            let folded = keys::person_name_fold(&joined.join(" "));
            let mut words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
            if words.len() < 2 {
                return None;
            }
            words.sort_unstable();
            words.dedup();
            Some(words.join(" "))
        };
        let names: &[(&str, &str, &str)] = &[
            ("Jan", "Novák", ""),
            ("Dr", "Smith", ""),
            ("Ing.", "Dr.", "Jan Novák"),
            ("Ing.", "Dr.", ""),
            ("Mr", "", "Mrs"),
            ("O'", "Neil", ""),
            ("D’Angelo", "Rossi-Bianchi", "Rossi"),
            ("伟", "王", "王伟"),
            ("Иван", "Петров", ""),
            ("!!!", "Novák", ""),
            ("Jan Jan", "Novák", "Jan Novák"),
            ("Ph.D.", "Jan", "MBA"),
            ("", "", "Jan Novák Ph.D."),
            ("a b c d e", "f g h", "i j k l"),
        ];
        let config = DedupConfig::contacts();
        let rule = config
            .blocking
            .iter()
            .find(|r| r.parts[0].transform == KeyTransform::SortedWords)
            .expect("a sorted-words rule");
        for (first, last, full) in names {
            let r = Record::new("x")
                .with("first_name", *first)
                .with("last_name", *last)
                .with("full_name", *full);
            assert_eq!(
                key_text(rule, &r),
                reference(&r),
                "{first:?} {last:?} {full:?}"
            );
        }
    }

    #[test]
    fn key_texts() {
        let config = DedupConfig::contacts();
        let r = contact("0", "Ing. Jan", "Novák", "info@acme.cz")
            .with("website", "https://www.acme.cz");
        let texts: Vec<Option<String>> = config.blocking.iter().map(|b| key_text(b, &r)).collect();
        assert_eq!(texts[0], None, "role address gives no email key");
        assert_eq!(texts[3].as_deref(), Some("jan|novak"));
        assert_eq!(texts[4].as_deref(), Some("jan novak"));
        assert_eq!(texts[5].as_deref(), Some("acme.cz|n120"));
        assert_eq!(pack(5, 2), pack(2, 5));
        assert_eq!(unpack(pack(2, 5)), (2, 5));
    }
}
