//! Prepared features: every compared field of every record, normalized once, so the
//! pairwise comparisons (the hot loop) only compare ready values.

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use super::blocking::{self, Folds, KeyPlan};
use super::config::{ComparisonConfig, DedupConfig, Prepare};
use super::keys;
use super::record::Record;

/// One prepared field value.
#[derive(Debug, Clone, PartialEq)]
pub enum Feature {
    /// The record has no usable value.
    Missing,
    /// Normalized text longer than [`INLINE_TEXT`] bytes (read any text with
    /// [`Feature::text`]).
    Text(Box<str>),
    /// Normalized text of at most [`INLINE_TEXT`] bytes, stored in place: most
    /// phones, domains and many emails, so no allocation to make and to free.
    ShortText {
        /// Its length in bytes.
        len: u8,
        /// The text, zero-padded.
        bytes: [u8; INLINE_TEXT],
    },
    /// A number (or a day number for dates).
    Number(f64),
    /// Interned tokens (boxed to keep every feature small: a million records hold
    /// one feature per comparison).
    Tokens(Box<TokenFeature>),
    /// A person name: read it with [`Feature::as_person`]. Stored in place (not
    /// boxed: one allocation per record less to make and to free).
    Person {
        /// `given`, `first`, `last`, `sorted`, back to back; for a name whose first
        /// three parts are `u16::MAX` bytes or longer, after a header with their ends.
        text: Box<str>,
        /// Where `given`, `first` and `last` end in `text`, or all `u16::MAX` when the
        /// ends are in the header.
        ends: [u16; 3],
    },
    /// A LinkedIn profile.
    Linkedin {
        /// The slug.
        slug: Box<str>,
        /// Length of the slug's name part (without uniquifier).
        base_len: u16,
        /// From a legacy `/pub/` URL.
        legacy: bool,
    },
}

/// The longest text a [`Feature::ShortText`] holds (what fits next to the tag in the
/// 24 bytes every feature takes anyway).
pub const INLINE_TEXT: usize = 22;

impl Feature {
    /// A text feature: `Missing` when empty, in place when short.
    pub fn text(text: &str) -> Feature {
        match text.len() {
            0 => Feature::Missing,
            len if len <= INLINE_TEXT => {
                let mut bytes = [0; INLINE_TEXT];
                bytes[..len].copy_from_slice(text.as_bytes());
                Feature::ShortText {
                    len: len as u8,
                    bytes,
                }
            }
            _ => Feature::Text(text.into()),
        }
    }

    /// The bytes of a `Text` or `ShortText` feature (what the hot paths read: no
    /// UTF-8 check).
    pub fn text_bytes(&self) -> Option<&[u8]> {
        match self {
            Feature::Text(t) => Some(t.as_bytes()),
            Feature::ShortText { len, bytes } => Some(&bytes[..*len as usize]),
            _ => None,
        }
    }

    /// The text of a `Text` or `ShortText` feature.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Feature::Text(t) => Some(t),
            // Always valid: the bytes were copied from a `str`.
            Feature::ShortText { len, bytes } => std::str::from_utf8(&bytes[..*len as usize]).ok(),
            _ => None,
        }
    }
}

/// Interned, de-duplicated, sorted tokens plus the joined text without spaces.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenFeature {
    /// Token ids into the comparison's [`TokenTable`].
    pub ids: TokenIds,
    /// The tokens concatenated, then the tokens joined by spaces (one allocation;
    /// the spaced form is what the ids are interned from).
    text: Box<str>,
    /// Where the concatenated tokens end in `text`.
    squashed_len: u32,
}

impl TokenFeature {
    /// The tokens concatenated (catches "Chemo Mont" ~ "Chemomont").
    pub fn squashed(&self) -> &str {
        &self.text[..self.squashed_len as usize]
    }

    /// The tokens joined by single spaces.
    pub fn joined(&self) -> &str {
        &self.text[self.squashed_len as usize..]
    }
}

/// How many token ids a [`TokenIds`] holds without an allocation.
const INLINE_IDS: usize = 5;

/// The token ids of one document: up to five in place (nearly every company name:
/// one allocation less per record, and one free less when the table is dropped),
/// more on the heap. Dereferences to the ids.
#[derive(Debug, Clone)]
pub enum TokenIds {
    /// `ids[..len]`, the rest zero.
    Inline {
        /// How many ids.
        len: u8,
        /// The ids.
        ids: [u32; INLINE_IDS],
    },
    /// More than [`INLINE_IDS`] ids.
    Heap(Box<[u32]>),
}

impl TokenIds {
    /// `len` zero ids (slots the interning pass fills in).
    fn zeroed(len: usize) -> Self {
        if len <= INLINE_IDS {
            TokenIds::Inline {
                len: len as u8,
                ids: [0; INLINE_IDS],
            }
        } else {
            TokenIds::Heap(vec![0; len].into_boxed_slice())
        }
    }
}

impl From<&[u32]> for TokenIds {
    fn from(ids: &[u32]) -> Self {
        let mut out = TokenIds::zeroed(ids.len());
        out.copy_from_slice(ids);
        out
    }
}

impl std::ops::Deref for TokenIds {
    type Target = [u32];
    fn deref(&self) -> &[u32] {
        match self {
            TokenIds::Inline { len, ids } => &ids[..*len as usize],
            TokenIds::Heap(ids) => ids,
        }
    }
}

impl std::ops::DerefMut for TokenIds {
    fn deref_mut(&mut self) -> &mut [u32] {
        match self {
            TokenIds::Inline { len, ids } => &mut ids[..*len as usize],
            TokenIds::Heap(ids) => ids,
        }
    }
}

impl PartialEq for TokenIds {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

/// A prepared person name, as read from a [`Feature::Person`]: its four texts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PersonName<'a> {
    /// `given`, `first`, `last`, `sorted`, back to back.
    text: &'a str,
    /// Where `given`, `first` and `last` end in `text`.
    ends: [usize; 3],
}

/// Width of one end in the header of a long person name (decimal digits).
const LONG_END_DIGITS: usize = 10;

impl<'a> PersonName<'a> {
    /// The name stored as `text` and `ends` in a [`Feature::Person`].
    fn of(text: &'a str, ends: [u16; 3]) -> Self {
        if ends != [u16::MAX; 3] {
            return PersonName {
                text,
                ends: ends.map(usize::from),
            };
        }
        // A long name: the ends are written in front, as decimal digits.
        let mut parsed = [0usize; 3];
        for (k, end) in parsed.iter_mut().enumerate() {
            let digits = text.get(k * LONG_END_DIGITS..(k + 1) * LONG_END_DIGITS);
            *end = digits.and_then(|d| d.parse().ok()).unwrap_or(0);
        }
        let text = text.get(LONG_END_DIGITS * 3..).unwrap_or("");
        PersonName {
            text,
            ends: parsed.map(|e| e.min(text.len())),
        }
    }

    /// Canonical given name (nicknames resolved).
    pub fn given(&self) -> &'a str {
        &self.text[..self.ends[0]]
    }

    /// Folded given name as written.
    pub fn first(&self) -> &'a str {
        &self.text[self.ends[0]..self.ends[1]]
    }

    /// Folded family name.
    pub fn last(&self) -> &'a str {
        &self.text[self.ends[1]..self.ends[2]]
    }

    /// All name words, sorted.
    pub fn sorted(&self) -> &'a str {
        &self.text[self.ends[2]..]
    }
}

impl Feature {
    /// A person feature from its parts.
    pub fn person(given: &str, first: &str, last: &str, sorted: &str) -> Feature {
        let text = [given, first, last, sorted].concat();
        person_of_text(&text, given.len(), first.len(), last.len())
    }

    /// The person name of a [`Feature::Person`].
    pub fn as_person(&self) -> Option<PersonName<'_>> {
        match self {
            Feature::Person { text, ends } => Some(PersonName::of(text, *ends)),
            _ => None,
        }
    }
}

/// The [`Feature::Person`] of `text` (the four parts back to back) whose first three
/// parts are `given`, `first` and `last` bytes long.
fn person_of_text(text: &str, given: usize, first: usize, last: usize) -> Feature {
    let ends = [given, given + first, given + first + last];
    if ends[2] < usize::from(u16::MAX) {
        return Feature::Person {
            text: text.into(),
            ends: ends.map(|e| e as u16),
        };
    }
    let mut long = String::with_capacity(LONG_END_DIGITS * 3 + text.len());
    for end in ends {
        long.push_str(&format!("{end:0width$}", width = LONG_END_DIGITS));
    }
    long.push_str(text);
    Feature::Person {
        text: long.into_boxed_str(),
        ends: [u16::MAX; 3],
    }
}

/// Token ids and their rarity weights for one comparison (inverse document frequency
/// over the records prepared so far).
#[derive(Debug, Clone, Default)]
pub struct TokenTable {
    ids: HashMap<Box<str>, u32>,
    counts: Vec<u32>,
    documents: u32,
    weights: Vec<f64>,
}

impl TokenTable {
    /// Interns the tokens of one document and counts them.
    pub fn add_document(&mut self, tokens: &[String]) -> Box<[u32]> {
        self.add_words(tokens.iter().map(String::as_str))
    }

    /// [`TokenTable::add_document`] over borrowed tokens.
    pub fn add_words<'t>(&mut self, tokens: impl Iterator<Item = &'t str>) -> Box<[u32]> {
        self.intern(tokens, |ids| ids.into())
    }

    /// [`TokenTable::add_words`] writing the ids into `ids` when it has the right
    /// length (the features allocate it in parallel, one slot per token; this runs
    /// sequentially for every record, so it avoids allocating).
    pub(crate) fn fill_words<'t>(
        &mut self,
        tokens: impl Iterator<Item = &'t str>,
        ids: &mut TokenIds,
    ) {
        self.intern(tokens, |unique| {
            if unique.len() == ids.len() {
                ids.copy_from_slice(unique);
            } else {
                *ids = TokenIds::from(unique);
            }
        });
    }

    /// Interns and counts one document's tokens and hands their sorted, distinct
    /// ids to `done`. A name's few ids are gathered on the stack.
    fn intern<'t, R>(
        &mut self,
        tokens: impl Iterator<Item = &'t str>,
        done: impl FnOnce(&[u32]) -> R,
    ) -> R {
        self.documents += 1;
        let mut small = [0u32; 16];
        let mut large: Vec<u32> = Vec::new();
        let mut n = 0;
        for t in tokens {
            let id = match self.ids.get(t) {
                Some(&id) => id,
                None => {
                    let id = self.counts.len() as u32;
                    self.ids.insert(t.into(), id);
                    self.counts.push(0);
                    id
                }
            };
            if n < small.len() {
                small[n] = id;
            } else {
                if large.is_empty() {
                    large.extend_from_slice(&small);
                }
                large.push(id);
            }
            n += 1;
        }
        let ids: &mut [u32] = if n <= small.len() {
            &mut small[..n]
        } else {
            &mut large
        };
        ids.sort_unstable();
        let mut unique = 0;
        for k in 0..ids.len() {
            if k == 0 || ids[k] != ids[unique - 1] {
                ids[unique] = ids[k];
                unique += 1;
            }
        }
        let ids = &ids[..unique];
        for &id in ids {
            self.counts[id as usize] += 1;
        }
        done(ids)
    }

    /// The rarity weight of a token: `ln((N + 1) / (df + 0.5))`, at least 0.05
    /// (cached by [`TokenTable::refresh_weights`], computed otherwise).
    pub fn weight(&self, id: u32) -> f64 {
        if let Some(&w) = self.weights.get(id as usize) {
            return w;
        }
        let df = self.counts.get(id as usize).copied().unwrap_or(0) as f64;
        (((self.documents as f64) + 1.0) / (df + 0.5))
            .ln()
            .max(0.05)
    }

    /// Caches every token's weight (after a batch of documents was added).
    pub fn refresh_weights(&mut self) {
        self.weights.clear();
        let cached: Vec<f64> = (0..self.counts.len() as u32)
            .map(|id| self.weight(id))
            .collect();
        self.weights = cached;
    }
}

/// The prepared features of a set of records: `values[record * stride + comparison]`.
#[derive(Debug, Clone, Default)]
pub struct FeatureTable {
    /// Number of comparisons (row stride).
    pub stride: usize,
    /// The features, row-major.
    pub values: Vec<Feature>,
    /// One token table per comparison (empty for comparisons without tokens).
    pub tokens: Vec<TokenTable>,
    /// A hash of each value's text ([`text_hash`], 0 for a value without text), laid
    /// out like `values`: an exact comparison of two different values is decided
    /// from these alone, without reading the values (a cache miss each on large
    /// inputs).
    pub hashes: Vec<u64>,
}

/// The hash of a feature's text in [`FeatureTable::hashes`]: never 0 for a feature
/// with text (`Text`, the squashed tokens, a person's sorted words, a LinkedIn slug),
/// 0 for the others. Equal texts have equal hashes.
pub fn text_hash(feature: &Feature) -> u64 {
    let text: &[u8] = match feature {
        Feature::Text(_) | Feature::ShortText { .. } => feature.text_bytes().unwrap_or(b""),
        Feature::Tokens(t) => t.squashed().as_bytes(),
        Feature::Person { text, ends } => PersonName::of(text, *ends).sorted().as_bytes(),
        Feature::Linkedin { slug, .. } => slug.as_bytes(),
        Feature::Missing | Feature::Number(_) => return 0,
    };
    hash_bytes(text)
}

fn hash_text(text: &str) -> u64 {
    hash_bytes(text.as_bytes())
}

fn hash_bytes(text: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(text);
    h.finish() | 1
}

impl FeatureTable {
    /// An empty table for `config`.
    pub fn new(config: &DedupConfig) -> Self {
        FeatureTable {
            stride: config.comparisons.len(),
            values: Vec::new(),
            tokens: vec![TokenTable::default(); config.comparisons.len()],
            hashes: Vec::new(),
        }
    }

    /// How many records are prepared.
    pub fn len(&self) -> usize {
        self.values.len().checked_div(self.stride).unwrap_or(0)
    }

    /// Whether no record is prepared.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The features of record `i`.
    pub fn row(&self, i: usize) -> &[Feature] {
        &self.values[i * self.stride..(i + 1) * self.stride]
    }

    /// The text hashes of record `i` ([`FeatureTable::hashes`]).
    pub fn row_hashes(&self, i: usize) -> &[u64] {
        &self.hashes[i * self.stride..(i + 1) * self.stride]
    }

    /// Prepares `records` (in parallel) and appends them.
    pub fn extend(&mut self, config: &DedupConfig, records: &[Record]) {
        self.extend_keyed(config, records, None);
    }

    /// [`FeatureTable::extend`], computing the records' blocking keys in the same pass
    /// (`keys[record * rules + rule]`, as [`blocking::record_keys`] makes them): the
    /// keys reuse the prepared values and the person-name folds instead of
    /// normalizing the fields again.
    #[cfg(test)]
    pub(crate) fn extend_with_keys(
        &mut self,
        config: &DedupConfig,
        records: &[Record],
    ) -> Vec<u64> {
        let (keys, pending) = self.extend_with_keys_pending(config, records);
        self.intern(pending);
        keys
    }

    /// [`FeatureTable::extend_with_keys`] without interning the company tokens: the
    /// table is not usable until [`FeatureTable::intern`] has run with the returned
    /// [`Pending`]. The keys are ready at once, so blocking can run while the
    /// (sequential) interning does.
    pub(crate) fn extend_with_keys_pending(
        &mut self,
        config: &DedupConfig,
        records: &[Record],
    ) -> (Vec<u64>, Pending) {
        let plan = KeyPlan::new(config, true, true);
        let rules = plan.rules();
        let start = self.len();
        if rules == 0 || self.stride == 0 {
            self.extend(config, records);
            return (blocking::record_keys(config, records), Pending(self.len()));
        }
        let mut keys = vec![blocking::NO_KEY; records.len() * rules];
        self.fill(config, records, Some((&plan, &mut keys)));
        (keys, Pending(start))
    }

    fn extend_keyed<'c>(
        &mut self,
        config: &'c DedupConfig,
        records: &[Record],
        keyed: Option<(&KeyPlan<'c>, &mut [u64])>,
    ) {
        let start = self.len();
        self.fill(config, records, keyed);
        self.intern(Pending(start));
    }

    /// Interns the company tokens of the records prepared since `pending` and
    /// refreshes the token weights (sequential: token ids are numbered in order of
    /// first appearance).
    pub(crate) fn intern(&mut self, Pending(start): Pending) {
        let stride = self.stride;
        if stride > 0 {
            for row in self.values[start * stride..].chunks_mut(stride) {
                for (c, feature) in row.iter_mut().enumerate() {
                    if let Feature::Tokens(t) = feature {
                        let TokenFeature {
                            ids,
                            text,
                            squashed_len,
                        } = &mut **t;
                        let joined = &text[*squashed_len as usize..];
                        self.tokens[c].fill_words(joined.split(' '), ids);
                    }
                }
            }
        }
        for table in &mut self.tokens {
            if !table.counts.is_empty() {
                table.refresh_weights();
            }
        }
    }

    /// Prepares `records` into new rows, in parallel (company tokens are left for
    /// [`FeatureTable::intern`]).
    fn fill<'c>(
        &mut self,
        config: &'c DedupConfig,
        records: &[Record],
        keyed: Option<(&KeyPlan<'c>, &mut [u64])>,
    ) {
        let stride = self.stride;
        if stride == 0 {
            return;
        }
        // The features are written in place, in parallel. Company tokens cannot be
        // interned in parallel: the sequential pass below fills in their ids.
        let start = self.values.len();
        // Grown in parallel: the first touch of these pages is a good part of the
        // cost on large inputs.
        let cells = records.len() * stride;
        self.values
            .par_extend((0..cells).into_par_iter().map(|_| Feature::Missing));
        self.hashes
            .par_extend((0..cells).into_par_iter().map(|_| 0u64));
        let fill =
            |row: &mut [Feature], hashes: &mut [u64], r: &Record, scratch: &mut Scratch<'c>| {
                scratch.folds.clear();
                for (c, comparison) in config.comparisons.iter().enumerate() {
                    match stage(comparison, r, scratch) {
                        Staged::Ready(f) => {
                            hashes[c] = text_hash(&f);
                            row[c] = f;
                        }
                        Staged::Tokens(feature) => {
                            hashes[c] = hash_text(feature.squashed());
                            row[c] = Feature::Tokens(feature);
                        }
                    }
                }
            };
        let rows = self.values[start..]
            .par_chunks_mut(stride)
            .zip(self.hashes[start..].par_chunks_mut(stride))
            .zip(records.par_iter());
        match keyed {
            Some((plan, keys)) => rows
                .zip(keys.par_chunks_mut(plan.rules()))
                .with_min_len(64)
                .for_each_init(Scratch::default, |scratch, (((row, hashes), r), out)| {
                    fill(row, hashes, r, scratch);
                    let row: &[Feature] = row;
                    plan.keys_of(
                        r,
                        &mut scratch.folds,
                        |c| Some(&row[c]),
                        |c| match &row[c] {
                            Feature::Tokens(t) => Some(t.joined()),
                            _ => None,
                        },
                        out,
                    );
                }),
            None => rows
                .with_min_len(64)
                .for_each_init(Scratch::default, |scratch, ((row, hashes), r)| {
                    fill(row, hashes, r, scratch)
                }),
        }
    }
}

/// Rows whose company tokens are not interned yet (from
/// [`FeatureTable::extend_with_keys_pending`]): the first such row.
#[must_use = "the features are unusable until FeatureTable::intern runs"]
pub(crate) struct Pending(usize);

enum Staged {
    Ready(Feature),
    /// Company tokens, not interned yet (`ids` has one slot per token).
    Tokens(Box<TokenFeature>),
}

/// Buffers one worker reuses from record to record (instead of a string per value).
#[derive(Default)]
struct Scratch<'c> {
    folds: Folds<'c>,
    text: String,
    spans: Vec<(u32, u32)>,
}

/// [`Feature::text`] of an owned string (a long one keeps its allocation).
fn text(s: String) -> Feature {
    if s.len() > INLINE_TEXT {
        Feature::Text(s.into_boxed_str())
    } else {
        Feature::text(&s)
    }
}

/// A `Text` feature of folded `value`, folded in `scratch` (one exact allocation).
fn folded_text(value: &str, scratch: &mut String) -> Feature {
    scratch.clear();
    keys::fold_into(value, scratch);
    Feature::text(scratch)
}

/// The first non-empty value among `columns`.
fn first_value<'r>(record: &'r Record, columns: &[String]) -> Option<&'r str> {
    columns.iter().find_map(|c| record.get(c))
}

fn stage<'c>(config: &'c ComparisonConfig, record: &Record, scratch: &mut Scratch<'c>) -> Staged {
    let cols = &config.columns;
    let ready = |f: Feature| Staged::Ready(f);
    match config.prepare {
        Prepare::Text => ready(
            first_value(record, cols)
                .map_or(Feature::Missing, |v| folded_text(v, &mut scratch.text)),
        ),
        Prepare::Email => ready(
            first_value(record, cols)
                .and_then(keys::email_key)
                .map_or(Feature::Missing, text),
        ),
        Prepare::Phone => ready(
            first_value(record, cols)
                .and_then(keys::phone_key)
                .map_or(Feature::Missing, text),
        ),
        Prepare::Domain => ready(
            cols.iter()
                .filter_map(|c| record.get(c))
                .find_map(domain_of_value)
                .map_or(Feature::Missing, text),
        ),
        Prepare::Identifier => ready(
            first_value(record, cols)
                .map(identifier_key)
                .map_or(Feature::Missing, text),
        ),
        Prepare::Linkedin => ready(
            first_value(record, cols)
                .and_then(keys::linkedin_key)
                .map_or(Feature::Missing, |k| Feature::Linkedin {
                    base_len: k.base().len().min(u16::MAX as usize) as u16,
                    legacy: k.legacy_pub,
                    slug: k.slug.into(),
                }),
        ),
        Prepare::CompanyName => match first_value(record, cols) {
            Some(v) => {
                let (folded, spans) = (&mut scratch.text, &mut scratch.spans);
                keys::company_token_spans(v, folded, spans);
                match (spans.first(), spans.last()) {
                    (Some(&(start, _)), Some(&(_, end))) => {
                        // The tokens are a run of the folded words (only words at the
                        // ends are dropped), so joined by spaces they are a slice of it.
                        let joined = &folded[start as usize..end as usize];
                        let len: usize = spans.iter().map(|(a, b)| (b - a) as usize).sum();
                        let mut text = String::with_capacity(len + joined.len());
                        for &(a, b) in spans.iter() {
                            text.push_str(&folded[a as usize..b as usize]);
                        }
                        text.push_str(joined);
                        // The ids are filled in by the sequential interning pass;
                        // their memory is allocated here, in parallel.
                        Staged::Tokens(Box::new(TokenFeature {
                            ids: TokenIds::zeroed(spans.len()),
                            text: text.into_boxed_str(),
                            squashed_len: len as u32,
                        }))
                    }
                    _ => ready(Feature::Missing),
                }
            }
            None => ready(Feature::Missing),
        },
        Prepare::Number => ready(
            first_value(record, cols)
                .and_then(parse_number)
                .map_or(Feature::Missing, Feature::Number),
        ),
        Prepare::Date => ready(
            first_value(record, cols)
                .and_then(parse_day)
                .map_or(Feature::Missing, Feature::Number),
        ),
        Prepare::PersonName => ready(person(record, cols, scratch)),
    }
}

/// The domain of a value that is a website, a bare domain or an email address;
/// free-mail domains give nothing.
pub fn domain_of_value(value: &str) -> Option<String> {
    let domain = if value.contains('@') {
        keys::email_domain(value)?
    } else {
        keys::domain_key(value)?
    };
    (!keys::is_free_mail(&domain)).then_some(domain)
}

/// Identifier key: letters and digits, upper-cased, without a leading two-letter
/// country prefix or leading zeros (`CZ04626133` and `4626133` agree).
pub fn identifier_key(value: &str) -> String {
    let alnum: String = value
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let b = alnum.as_bytes();
    let body = if b.len() > 4
        && b[0].is_ascii_alphabetic()
        && b[1].is_ascii_alphabetic()
        && b[2].is_ascii_digit()
    {
        &alnum[2..]
    } else {
        &alnum[..]
    };
    let trimmed = body.trim_start_matches('0');
    if trimmed.is_empty() {
        body.to_string()
    } else {
        trimmed.to_string()
    }
}

fn parse_number(value: &str) -> Option<f64> {
    let start = value.find(|c: char| c.is_ascii_digit() || c == '-')?;
    let rest = &value[start..];
    let end = rest
        .char_indices()
        .skip(1)
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
        .map_or(rest.len(), |(i, _)| i);
    rest[..end].parse::<f64>().ok().filter(|n| n.is_finite())
}

fn parse_day(value: &str) -> Option<f64> {
    let head = value.trim().get(..10)?;
    let date = chrono::NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()?;
    Some(chrono::Datelike::num_days_from_ce(&date) as f64)
}

fn person<'c>(record: &Record, cols: &'c [String], scratch: &mut Scratch<'c>) -> Feature {
    let get = |i: usize| cols.get(i).and_then(|c| record.get(c));
    // First and last name folds are shared with the blocking keys of the record.
    let folds = &mut scratch.folds;
    let mut fold_of =
        |i: usize| get(i).map(|value| blocking::person_fold(folds, &cols[i..i + 1], value));
    let (first, last) = (fold_of(0), fold_of(1));
    let folds = &scratch.folds;
    let (first, last) = (
        first.map_or("", |k| folds.text(k)),
        last.map_or("", |k| folds.text(k)),
    );
    // The texts are written into `buf`: given, first, last, then the sorted words.
    let buf = &mut scratch.text;
    buf.clear();
    if first.is_empty() && last.is_empty() {
        // No first or last name: split the full name (its first word is the given
        // name, the rest the family name).
        keys::person_name_fold_into(get(2).unwrap_or(""), buf);
        let full = buf.trim_matches(' ');
        let (head, tail) = full.split_once(' ').unwrap_or((full, ""));
        let (head, tail) = (head.to_string(), tail.trim_start_matches(' ').to_string());
        if head.is_empty() && tail.is_empty() {
            return Feature::Missing;
        }
        buf.clear();
        keys::given_name_key_into(&head, buf);
        let given = buf.len();
        return person_feature(buf, given, &head, &tail);
    }
    keys::given_name_key_into(first, buf);
    let given = buf.len();
    person_feature(buf, given, first, last)
}

/// The person feature of `given` (the first `given` bytes of `buf`), `first` and
/// `last`; `buf` is used as scratch.
fn person_feature(buf: &mut String, given: usize, first: &str, last: &str) -> Feature {
    buf.push_str(first);
    buf.push_str(last);
    blocking::sort_words_into(&[first, last], false, buf);
    person_of_text(buf, given, first.len(), last.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_agree_across_forms() {
        assert_eq!(identifier_key("CZ04626133"), identifier_key("4626133"));
        assert_eq!(identifier_key("FI11394084"), identifier_key("1139408-4"));
        assert_eq!(identifier_key("000"), "000");
        assert_eq!(identifier_key("HRB 1234"), "HRB1234");
    }

    #[test]
    fn numbers_and_dates() {
        assert_eq!(parse_number("51-200"), Some(51.0));
        assert_eq!(parse_number("n/a"), None);
        assert_eq!(
            parse_day("2024-03-13").unwrap() - parse_day("2024-03-12 09:14").unwrap(),
            1.0
        );
        assert_eq!(parse_day("12/03/2024"), None);
    }

    #[test]
    fn features_of_records() {
        let config = DedupConfig::contacts();
        let mut table = FeatureTable::new(&config);
        let records = vec![
            Record::new("1")
                .with("full_name", "Ing. Jan Novák")
                .with("company", "Acme s.r.o."),
            Record::new("2")
                .with("first_name", "Bob")
                .with("last_name", "Smith")
                .with("email", "bob@gmail.com"),
            Record::new("3"),
        ];
        table.extend(&config, &records);
        assert_eq!(table.len(), 3);
        match table.row(0)[0].as_person() {
            Some(p) => {
                assert_eq!(p.given(), "jan");
                assert_eq!(p.last(), "novak");
            }
            None => panic!("{:?}", table.row(0)[0]),
        }
        assert!(matches!(table.row(1)[0].as_person(), Some(p) if p.given() == "robert"));
        assert!(std::mem::size_of::<Feature>() <= 24);
        // free-mail gives no domain
        assert_eq!(table.row(1)[5], Feature::Missing);
        assert!(table.row(2).iter().all(|f| *f == Feature::Missing));
        assert!(matches!(table.row(0)[4], Feature::Tokens(_)));
        assert!(matches!(
            table.row(1)[1],
            Feature::ShortText { len: 13, .. }
        ));
        assert_eq!(table.row(1)[1].as_text(), Some("bob@gmail.com"));
    }

    #[test]
    fn texts_short_and_long() {
        assert_eq!(Feature::text(""), Feature::Missing);
        let long = "abcdefghij".repeat(3);
        for len in [1, 2, INLINE_TEXT - 1, INLINE_TEXT, INLINE_TEXT + 1, 30] {
            let t = &long[..len];
            let f = Feature::text(t);
            assert_eq!(f.as_text(), Some(t));
            assert_eq!(f.text_bytes(), Some(t.as_bytes()));
            assert_eq!(matches!(f, Feature::ShortText { .. }), len <= INLINE_TEXT);
            assert_eq!(text_hash(&f), hash_text(t));
        }
        let f = Feature::text("dvořák");
        assert_eq!(f.as_text(), Some("dvořák"));
        assert_ne!(Feature::text("ab"), Feature::text("abc"));
    }

    #[test]
    fn person_parts_and_token_ids_survive_their_storage() {
        let max = usize::from(u16::MAX);
        let long = "x".repeat(max);
        for (given, first, last, sorted) in [
            ("robert", "bob", "smith", "bob smith"),
            ("", "", "", ""),
            ("", "", "novak", "novak"),
            (long.as_str(), "bob", "smith", "bob smith"),
            ("jan", long.as_str(), "", "x"),
            ("jan", "jan", long.as_str(), long.as_str()),
            (&long[..100], &long[..200], &long[..max - 301], ""),
            (&long[..100], &long[..200], &long[..max - 300], "a"),
        ] {
            let f = Feature::person(given, first, last, sorted);
            let p = f.as_person().expect("a person");
            assert_eq!(
                (p.given(), p.first(), p.last(), p.sorted()),
                (given, first, last, sorted)
            );
            assert_eq!(text_hash(&f), hash_text(sorted));
        }
        let tokens = TokenIds::from(&[1u32, 2, 3][..]);
        assert!(matches!(tokens, TokenIds::Inline { len: 3, .. }));
        let many: Vec<u32> = (0..9).collect();
        let heap = TokenIds::from(&many[..]);
        assert!(matches!(heap, TokenIds::Heap(_)));
        assert_eq!(&heap[..], &many[..]);
        assert_eq!(TokenIds::zeroed(2), TokenIds::from(&[0u32, 0][..]));
    }
}
