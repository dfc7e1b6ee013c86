//! Job titles: abbreviations expanded, seniority and department classified.
//!
//! The table (`data/normalize/titles.tsv`) holds the abbreviations (VP, SVP, EVP,
//! Sr., Jr., Mgr, Dir., Eng., SWE, CxO, PDG, GF, TJ…) and ordered pattern rules for
//! seniority and department in English, Czech, German, French, Norwegian and
//! Finnish. Patterns match folded words and word parts, so compounds such as
//! `Vertriebsleiter`, `Myyntipäällikkö` or `Markedsdirektør` are understood.
//!
//! Choices worth knowing:
//! - a functional director ("Sales Director", "Obchodní ředitel", "Myyntijohtaja")
//!   is [`Seniority::Head`]; a general one ("Managing Director", "Country Manager",
//!   "Ředitel pobočky") is [`Seniority::Director`];
//! - national chief titles (Jednatel, Geschäftsführer, Daglig leder,
//!   Toimitusjohtaja, PDG) are [`Seniority::CLevel`]; chairs and board members are
//!   [`Seniority::Board`];
//! - procurement and purchasing count as [`Department::Operations`] (supply chain),
//!   data engineers as engineering and data scientists/analysts as
//!   [`Department::Data`];
//! - a title with a known function but no level word is [`Seniority::Entry`]
//!   ("Software Engineer", "Selger"); a title with no known word gets neither.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::text::{collapse_whitespace, fold, list, tsv_rows};
use crate::model::{Department, Seniority};

/// A normalized job title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobTitle {
    /// The title with abbreviations expanded ("Vice President of Sales").
    pub normalized: String,
    /// How senior the title is.
    pub seniority: Option<Seniority>,
    /// The function the title belongs to.
    pub department: Option<Department>,
}

#[derive(Debug)]
struct Abbreviation {
    expansion: &'static str,
    /// Used instead when another word follows ("Eng Manager" → "Engineering").
    before_word: Option<&'static str>,
}

/// One word of a pattern.
#[derive(Debug)]
enum PatternWord {
    Exact(String),
    Prefix(String),
    Suffix(String),
    Contains(String),
}

impl PatternWord {
    fn parse(word: &str) -> PatternWord {
        let w = fold(word.trim_matches('*'));
        match (word.starts_with('*'), word.ends_with('*')) {
            (true, true) => PatternWord::Contains(w),
            (true, false) => PatternWord::Suffix(w),
            (false, true) => PatternWord::Prefix(w),
            (false, false) => PatternWord::Exact(w),
        }
    }

    fn matches(&self, token: &str) -> bool {
        match self {
            PatternWord::Exact(w) => token == w,
            PatternWord::Prefix(w) => token.starts_with(w.as_str()),
            PatternWord::Suffix(w) => token.ends_with(w.as_str()),
            PatternWord::Contains(w) => token.contains(w.as_str()),
        }
    }
}

#[derive(Debug)]
struct Pattern {
    words: Vec<PatternWord>,
    at_start: bool,
    at_end: bool,
}

impl Pattern {
    /// Whether the pattern matches `tokens` starting at `i`.
    fn matches_at(&self, tokens: &[String], i: usize) -> bool {
        let n = self.words.len();
        i + n <= tokens.len()
            && (!self.at_start || i == 0)
            && (!self.at_end || i + n == tokens.len())
            && self
                .words
                .iter()
                .zip(&tokens[i..i + n])
                .all(|(p, t)| p.matches(t))
    }

    fn matches(&self, tokens: &[String]) -> bool {
        (0..tokens.len()).any(|i| self.matches_at(tokens, i))
    }
}

/// Ordered rules (the earliest matching line wins), indexed so that a title is
/// checked against the few patterns that can match it rather than all of them.
#[derive(Debug)]
struct RuleSet<T> {
    values: Vec<T>,
    /// Single whole words → the rules naming them.
    words: HashMap<String, Vec<usize>>,
    /// Patterns whose first word is a whole word, keyed by it.
    by_first_word: HashMap<String, Vec<(usize, Pattern)>>,
    /// Patterns starting with a word part (`*leiter`, `vertrieb*`): scanned.
    affix: Vec<(usize, Pattern)>,
}

impl<T: Copy> RuleSet<T> {
    fn new() -> Self {
        RuleSet {
            values: Vec::new(),
            words: HashMap::new(),
            by_first_word: HashMap::new(),
            affix: Vec::new(),
        }
    }

    fn push(&mut self, value: T, items: &'static str) {
        let rule = self.values.len();
        self.values.push(value);
        for item in list(items) {
            let at_start = item.starts_with('^');
            let at_end = item.ends_with('$');
            let body = item.trim_start_matches('^').trim_end_matches('$');
            let words: Vec<PatternWord> = body.split(' ').map(PatternWord::parse).collect();
            let pattern = Pattern {
                words,
                at_start,
                at_end,
            };
            match pattern.words.as_slice() {
                [PatternWord::Exact(w)] if !at_start && !at_end => {
                    self.words.entry(w.clone()).or_default().push(rule);
                }
                [PatternWord::Exact(w), ..] => {
                    let w = w.clone();
                    self.by_first_word
                        .entry(w)
                        .or_default()
                        .push((rule, pattern));
                }
                _ => self.affix.push((rule, pattern)),
            }
        }
    }

    /// The value of the earliest rule matching any of `texts`.
    fn first_match(&self, texts: &[&[String]]) -> Option<T> {
        let mut best = usize::MAX;
        for tokens in texts {
            for (i, token) in tokens.iter().enumerate() {
                if let Some(rules) = self.words.get(token) {
                    best = best.min(rules.iter().copied().min().unwrap_or(usize::MAX));
                }
                for (rule, pattern) in self.by_first_word.get(token).into_iter().flatten() {
                    if *rule < best && pattern.matches_at(tokens, i) {
                        best = *rule;
                    }
                }
            }
            for (rule, pattern) in &self.affix {
                if *rule < best && pattern.matches(tokens) {
                    best = *rule;
                }
            }
        }
        self.values.get(best).copied()
    }
}

#[derive(Debug)]
struct TitleTables {
    /// Folded, dotless words joined by spaces → expansion.
    abbreviations: HashMap<String, Abbreviation>,
    max_abbreviation_words: usize,
    /// Lower-case role phrases, longest first.
    of_roles: Vec<&'static str>,
    of_fields: Vec<&'static str>,
    seniority: RuleSet<Seniority>,
    department: RuleSet<Department>,
}

fn parse_seniority(s: &str) -> Option<Seniority> {
    Some(match s {
        "owner" => Seniority::Owner,
        "board" => Seniority::Board,
        "c_level" => Seniority::CLevel,
        "vp" => Seniority::Vp,
        "director" => Seniority::Director,
        "head" => Seniority::Head,
        "manager" => Seniority::Manager,
        "senior" => Seniority::Senior,
        "entry" => Seniority::Entry,
        "intern" => Seniority::Intern,
        _ => return None,
    })
}

fn parse_department(s: &str) -> Option<Department> {
    Some(match s {
        "executive" => Department::Executive,
        "sales" => Department::Sales,
        "marketing" => Department::Marketing,
        "engineering" => Department::Engineering,
        "product" => Department::Product,
        "design" => Department::Design,
        "data" => Department::Data,
        "finance" => Department::Finance,
        "hr" => Department::Hr,
        "operations" => Department::Operations,
        "legal" => Department::Legal,
        "it" => Department::It,
        "customer_success" => Department::CustomerSuccess,
        "other" => Department::Other,
        _ => return None,
    })
}

static TITLES: LazyLock<TitleTables> = LazyLock::new(|| {
    let mut t = TitleTables {
        abbreviations: HashMap::new(),
        max_abbreviation_words: 1,
        of_roles: Vec::new(),
        of_fields: Vec::new(),
        seniority: RuleSet::new(),
        department: RuleSet::new(),
    };
    for row in tsv_rows(include_str!("../../data/normalize/titles.tsv")) {
        match row.as_slice() {
            ["abbr", spellings, expansion, rest @ ..] => {
                for spelling in list(spellings) {
                    let key = abbreviation_key(spelling.split(' '));
                    t.max_abbreviation_words = t.max_abbreviation_words.max(key.split(' ').count());
                    t.abbreviations.insert(
                        key,
                        Abbreviation {
                            expansion,
                            before_word: rest.first().copied().filter(|s| !s.is_empty()),
                        },
                    );
                }
            }
            ["of_role", items, ..] => t.of_roles.extend(list(items)),
            ["of_field", items, ..] => t.of_fields.extend(list(items)),
            ["seniority", value, items, ..] => {
                if let Some(v) = parse_seniority(value) {
                    t.seniority.push(v, items);
                }
            }
            ["department", value, items, ..] => {
                if let Some(v) = parse_department(value) {
                    t.department.push(v, items);
                }
            }
            _ => {}
        }
    }
    t.of_roles.sort_by_key(|r| std::cmp::Reverse(r.len()));
    t
});

/// The lookup key of abbreviation words: folded, dots removed, joined by spaces.
fn abbreviation_key<'a>(words: impl Iterator<Item = &'a str>) -> String {
    words
        .map(|w| fold(w).replace('.', ""))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A word or the separator between words.
enum Piece<'a> {
    Word(&'a str),
    Sep(&'a str),
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '\'' | '’' | '-' | '+' | '#')
}

fn pieces(s: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_word = None;
    for (i, c) in s.char_indices() {
        let w = is_word_char(c);
        if in_word != Some(w) {
            if i > start {
                out.push(if in_word == Some(true) {
                    Piece::Word(&s[start..i])
                } else {
                    Piece::Sep(&s[start..i])
                });
            }
            start = i;
            in_word = Some(w);
        }
    }
    if start < s.len() {
        out.push(if in_word == Some(true) {
            Piece::Word(&s[start..])
        } else {
            Piece::Sep(&s[start..])
        });
    }
    out
}

/// Expands the abbreviations of a title.
fn expand(title: &str, t: &TitleTables) -> String {
    let pieces = pieces(title);
    let mut out = String::with_capacity(title.len() + 16);
    let mut i = 0;
    'outer: while i < pieces.len() {
        match pieces[i] {
            Piece::Sep(s) => out.push_str(s),
            Piece::Word(_) => {
                // The longest run of words (joined by plain spaces) that is an abbreviation.
                for n in (1..=t.max_abbreviation_words).rev() {
                    let Some(words) = word_run(&pieces, i, n) else {
                        continue;
                    };
                    let Some(abbr) = t.abbreviations.get(&abbreviation_key(words.into_iter()))
                    else {
                        continue;
                    };
                    let end = i + 2 * n - 1;
                    let word_follows = matches!(pieces.get(end), Some(Piece::Sep(s)) if s.trim().is_empty())
                        && matches!(pieces.get(end + 1), Some(Piece::Word(_)));
                    out.push_str(match abbr.before_word {
                        Some(before) if word_follows => before,
                        _ => abbr.expansion,
                    });
                    i = end;
                    continue 'outer;
                }
                if let Piece::Word(w) = pieces[i] {
                    out.push_str(w);
                }
            }
        }
        i += 1;
    }
    insert_of(&collapse_whitespace(&out), t)
}

/// `n` words starting at piece `i`, when only spaces separate them.
fn word_run<'a>(pieces: &[Piece<'a>], i: usize, n: usize) -> Option<Vec<&'a str>> {
    let mut words = Vec::with_capacity(n);
    for k in 0..n {
        match pieces.get(i + 2 * k)? {
            Piece::Word(w) => words.push(*w),
            Piece::Sep(_) => return None,
        }
        if k + 1 < n {
            match pieces.get(i + 2 * k + 1)? {
                Piece::Sep(s) if s.trim().is_empty() => {}
                _ => return None,
            }
        }
    }
    Some(words)
}

/// "Vice President Sales" / "Vice President, Sales" → "Vice President of Sales".
fn insert_of(s: &str, t: &TitleTables) -> String {
    let lower = s.to_ascii_lowercase();
    let is_boundary =
        |i: usize| i == 0 || i >= lower.len() || !lower.as_bytes()[i - 1].is_ascii_alphanumeric();
    let mut edits: Vec<(usize, usize)> = Vec::new();
    for role in &t.of_roles {
        let mut from = 0;
        while let Some(pos) = lower[from..].find(role) {
            let start = from + pos;
            let end = start + role.len();
            from = end;
            if !is_boundary(start) || edits.iter().any(|&(a, b)| a <= end && start <= b) {
                continue;
            }
            let rest = &lower[end..];
            let sep = if rest.starts_with(", ") {
                2
            } else if rest.starts_with(' ') {
                1
            } else {
                continue;
            };
            let after = &rest[sep..];
            let field_follows = t.of_fields.iter().any(|f| {
                after.starts_with(f)
                    && after[f.len()..]
                        .chars()
                        .next()
                        .is_none_or(|c| !c.is_ascii_alphanumeric())
            });
            if field_follows {
                edits.push((end, end + sep));
            }
        }
    }
    edits.sort_unstable();
    let mut out = String::with_capacity(s.len() + 8);
    let mut last = 0;
    for (a, b) in edits {
        out.push_str(&s[last..a]);
        out.push_str(" of ");
        last = b;
    }
    out.push_str(&s[last..]);
    out
}

/// Folded words of a text, split on everything that is not a letter or digit.
fn class_tokens(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Expands a job title's abbreviations and classifies its seniority and department.
///
/// ```
/// use leadgen_core::normalize::normalize_job_title;
/// use leadgen_core::{Department, Seniority};
/// let t = normalize_job_title("VP Sales");
/// assert_eq!(t.normalized, "Vice President of Sales");
/// assert_eq!(t.seniority, Some(Seniority::Vp));
/// assert_eq!(t.department, Some(Department::Sales));
///
/// let t = normalize_job_title("Jednatel");
/// assert_eq!((t.seniority, t.department), (Some(Seniority::CLevel), Some(Department::Executive)));
/// ```
pub fn normalize_job_title(title: &str) -> JobTitle {
    let t = &*TITLES;
    let cleaned = collapse_whitespace(title);
    let normalized = expand(&cleaned, t);
    let expanded_tokens = class_tokens(&normalized);
    let original_tokens = class_tokens(&cleaned);
    let hit = |tokens: &[String]| !tokens.is_empty();
    let texts: Vec<&[String]> = [expanded_tokens.as_slice(), original_tokens.as_slice()]
        .into_iter()
        .filter(|x| hit(x))
        .collect();

    let department = t.department.first_match(&texts);
    let mut seniority = t.seniority.first_match(&texts);

    if seniority == Some(Seniority::Director)
        && department.is_some_and(|d| d != Department::Executive)
    {
        seniority = Some(Seniority::Head);
    }
    if seniority.is_none() && department.is_some() {
        seniority = Some(Seniority::Entry);
    }
    let department = department.or(match seniority {
        Some(Seniority::Owner | Seniority::Board | Seniority::CLevel | Seniority::Director) => {
            Some(Department::Executive)
        }
        _ => None,
    });
    JobTitle {
        normalized,
        seniority,
        department,
    }
}

#[cfg(test)]
#[path = "title_tests.rs"]
mod tests;
