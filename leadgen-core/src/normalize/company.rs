//! Company names: the legal form split off, a display name kept, a matching key folded.
//!
//! The legal-form table (`data/normalize/legal_forms.tsv`) covers the English-law
//! countries (US, UK, IE, CA, AU, NZ, IN, SG), the German-speaking ones, France and
//! Benelux, Italy, Spain, Portugal, Poland, Czechia, Slovakia, Hungary, the Nordics and
//! Estonia, plus a few forms common in lead lists elsewhere.
//!
//! Where this differs from Python's `cleanco` on purpose:
//! - the legal form is **returned** in its canonical spelling (`s. r. o.` → `s.r.o.`,
//!   `Pte Ltd` → `Pte. Ltd.`), and forms that share a spelling across countries
//!   (`AS` in Norway, `A/S` in Denmark, `a.s.` in Czechia) are told apart by the
//!   company's country when it is given;
//! - only legal forms are removed: words like `Group`, `Holding`, `& Co` or `Company`
//!   stay in the name (cleanco drops several of them), because "Acme Group" and
//!   "Acme" are not always one company — the dedup engine weighs such tokens instead;
//! - a form is removed only at the end (or, for forms used that way, at the start:
//!   `Oy Acme Ab`), never from the middle of a name, and never when nothing would be
//!   left (`AG` alone stays a name);
//! - the key folds diacritics by transliteration (`Dřevo` → `drevo`, `Sjø` → `sjo`),
//!   drops connectors (`&`, `and`, `und`, `et`, `a`, …) between words and a leading
//!   article (`The`).

use std::collections::HashMap;
use std::sync::LazyLock;

use super::text::{collapse_whitespace, fold, fold_tokens, list, tsv_rows};

/// A company name split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyName {
    /// The name without its legal form, as written ("Acme Labs").
    pub display: String,
    /// The legal form in its canonical spelling ("s.r.o.", "GmbH", "Pte. Ltd.").
    pub legal_form: Option<String>,
    /// The matching key: folded tokens joined by single spaces ("acme labs").
    pub key: String,
    /// The tokens of the key, for token-based comparison.
    pub tokens: Vec<String>,
}

impl CompanyName {
    /// The key without spaces, so that "Kovo Print" and "Kovoprint" meet.
    pub fn compact_key(&self) -> String {
        self.tokens.concat()
    }
}

/// One legal form of the table.
#[derive(Debug)]
struct LegalForm {
    canonical: &'static str,
    countries: Vec<&'static str>,
    prefix: bool,
    suffix: bool,
    spellings: Vec<&'static str>,
}

#[derive(Debug)]
struct LegalForms {
    forms: Vec<LegalForm>,
    /// Compact key → indexes into `forms`, in table order.
    by_key: HashMap<String, Vec<usize>>,
    /// The most whitespace-separated words any spelling has.
    max_words: usize,
}

static LEGAL_FORMS: LazyLock<LegalForms> = LazyLock::new(|| {
    let mut forms = Vec::new();
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
    let mut max_words = 1;
    for row in tsv_rows(include_str!("../../data/normalize/legal_forms.tsv")) {
        let [canonical, countries, position, rest @ ..] = row.as_slice() else {
            continue;
        };
        let mut spellings = vec![*canonical];
        spellings.extend(rest.first().map(|s| list(s)).into_iter().flatten());
        let index = forms.len();
        for spelling in &spellings {
            max_words = max_words.max(spelling.split_whitespace().count());
            let entry = by_key.entry(compact(spelling)).or_default();
            if !entry.contains(&index) {
                entry.push(index);
            }
        }
        forms.push(LegalForm {
            canonical,
            countries: countries.split(',').map(str::trim).collect(),
            prefix: matches!(*position, "prefix" | "both"),
            suffix: matches!(*position, "suffix" | "both"),
            spellings,
        });
    }
    LegalForms {
        forms,
        by_key,
        max_words,
    }
});

struct CompanyWords {
    connectors: Vec<&'static str>,
    articles: Vec<&'static str>,
}

static COMPANY_WORDS: LazyLock<CompanyWords> = LazyLock::new(|| {
    let mut words = CompanyWords {
        connectors: Vec::new(),
        articles: Vec::new(),
    };
    for row in tsv_rows(include_str!("../../data/normalize/company_words.tsv")) {
        match row.as_slice() {
            ["connector", items, ..] => words.connectors.extend(list(items)),
            ["article", items, ..] => words.articles.extend(list(items)),
            _ => {}
        }
    }
    words
});

/// The compact matching form of a legal-form spelling: folded, with only letters,
/// digits, `&` and `+` kept.
fn compact(s: &str) -> String {
    fold(s)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '&' | '+'))
        .collect()
}

/// Splits a company name into display name, legal form and matching key.
///
/// Same as [`normalize_company_name_in`] without a country.
///
/// ```
/// use leadgen_core::normalize::normalize_company_name;
/// let n = normalize_company_name("The Acme Widget Company, Inc.");
/// assert_eq!(n.display, "The Acme Widget Company");
/// assert_eq!(n.legal_form.as_deref(), Some("Inc."));
/// assert_eq!(n.key, "acme widget company");
/// ```
pub fn normalize_company_name(name: &str) -> CompanyName {
    normalize_company_name_in(name, None)
}

/// Splits a company name, using the company's country (ISO alpha-2) to choose
/// between legal forms that are spelled alike in several countries.
///
/// ```
/// use leadgen_core::normalize::normalize_company_name_in;
/// let no = normalize_company_name_in("Havngruppen A.S.", Some("NO"));
/// assert_eq!(no.legal_form.as_deref(), Some("AS"));
/// let cz = normalize_company_name_in("TECHNO PROJEKT A.S.", Some("CZ"));
/// assert_eq!(cz.legal_form.as_deref(), Some("a.s."));
/// assert_eq!(cz.key, "techno projekt");
/// ```
pub fn normalize_company_name_in(name: &str, country: Option<&str>) -> CompanyName {
    let cleaned = collapse_whitespace(name);
    let words: Vec<&str> = cleaned.split(' ').filter(|w| !w.is_empty()).collect();
    let table = &*LEGAL_FORMS;

    let mut end = words.len();
    let mut suffix = None;
    for k in (1..=table.max_words.min(end.saturating_sub(1))).rev() {
        // A name does not end with "&" or "and": "Roberts & Co Ltd" is "Roberts & Co" + Ltd,
        // not "Roberts &" + "Co., Ltd.".
        if ends_with_connector(words[end - k - 1]) {
            continue;
        }
        if let Some(form) = find_form(table, &words[end - k..end], country, Position::Suffix) {
            suffix = Some(form);
            end -= k;
            break;
        }
    }
    let mut start = 0;
    let mut prefix = None;
    for k in (1..=table.max_words.min(end.saturating_sub(1))).rev() {
        if let Some(form) = find_form(table, &words[..k], country, Position::Prefix) {
            prefix = Some(form);
            start = k;
            break;
        }
    }

    let display = words[start..end]
        .join(" ")
        .trim_end_matches([',', ';', '-', '–', '/', ' '])
        .to_string();
    let legal_form = match (prefix, suffix) {
        (Some(p), Some(s)) if p != s => Some(format!("{p} {s}")),
        (Some(f), _) | (None, Some(f)) => Some(f.to_string()),
        (None, None) => None,
    };
    let tokens = key_tokens(&display);
    CompanyName {
        display,
        legal_form,
        key: tokens.join(" "),
        tokens,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Position {
    Prefix,
    Suffix,
}

/// Whether a word is "&", "+" or a connector like "and" (so a legal form cannot
/// start right after it).
fn ends_with_connector(word: &str) -> bool {
    word.ends_with(['&', '+'])
        || COMPANY_WORDS
            .connectors
            .iter()
            .any(|c| c.len() > 1 && word.eq_ignore_ascii_case(c))
}

/// The canonical legal form spelled by `words`, if any.
fn find_form(
    table: &LegalForms,
    words: &[&str],
    country: Option<&str>,
    position: Position,
) -> Option<&'static str> {
    let joined = words.join(" ");
    let key = compact(&joined);
    let candidates: Vec<&LegalForm> = table
        .by_key
        .get(&key)?
        .iter()
        .map(|&i| &table.forms[i])
        .filter(|f| match position {
            Position::Prefix => f.prefix,
            Position::Suffix => f.suffix,
        })
        .collect();
    let exact = joined.trim_end_matches(',');
    let chosen = country
        .and_then(|c| {
            candidates
                .iter()
                .find(|f| f.countries.iter().any(|fc| fc.eq_ignore_ascii_case(c)))
        })
        .or_else(|| candidates.iter().find(|f| f.spellings.contains(&exact)))
        .or_else(|| candidates.first())?;
    Some(chosen.canonical)
}

/// The folded tokens of a name without legal form: connectors between words and a
/// leading article dropped.
fn key_tokens(display: &str) -> Vec<String> {
    let words = &*COMPANY_WORDS;
    let mut tokens = fold_tokens(display);
    if tokens.len() > 1 && words.articles.contains(&tokens[0].as_str()) {
        tokens.remove(0);
    }
    if tokens.len() > 2 {
        let last = tokens.len() - 1;
        let mut i = 0;
        tokens.retain(|t| {
            let keep = i == 0 || i == last || !words.connectors.contains(&t.as_str());
            i += 1;
            keep
        });
    }
    tokens
}

/// The countries (ISO alpha-2) where a canonical legal form is used, first the most
/// common one; empty for an unknown form.
///
/// ```
/// use leadgen_core::normalize::company::legal_form_countries;
/// assert_eq!(legal_form_countries("Oyj"), ["FI"]);
/// assert!(legal_form_countries("Nonsense").is_empty());
/// ```
pub fn legal_form_countries(legal_form: &str) -> &'static [&'static str] {
    LEGAL_FORMS
        .forms
        .iter()
        .find(|f| f.canonical == legal_form)
        .map(|f| f.countries.as_slice())
        .unwrap_or(&[])
}

#[cfg(test)]
#[path = "company_tests.rs"]
mod tests;
