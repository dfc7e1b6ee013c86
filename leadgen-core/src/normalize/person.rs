//! Person names: splitting a full name, repairing capitalization, and matching
//! nicknames to given names.
//!
//! Tables: `data/normalize/person_words.tsv` (prefixes such as `Dr.`, `Ing.`, `Mgr.`,
//! `Prof.`; suffixes such as `Jr.`, `III`, `Ph.D.`, `MBA`, `CSc.`; surname particles
//! such as `van`, `der`, `de`, `la`, `von`; surnames with unguessable capitals) and
//! `data/normalize/nicknames.tsv` (Bob ↔ Robert, Bill ↔ William, Honza ↔ Jan,
//! Jussi ↔ Juhani, Míša ↔ Michal/Michaela…).
//!
//! Where this differs from Python's `nameparser` on purpose:
//! - Central European academic titles are first-class: `Ing. arch.`, `Mgr.`, `Bc.`,
//!   `MUDr.`, `JUDr.` before the name and `Ph.D.`, `CSc.`, `DiS.` after it are
//!   recognized and returned in their canonical spelling;
//! - a name written surname-first with the surname in capitals (`DUPONT Jean`, the
//!   French and Czech habit) is turned around;
//! - short credentials that are also surnames (`MA`, `MD`, `Jr`) are taken as suffixes
//!   only when written exactly so or with dots, so `Jack Ma` keeps his surname;
//! - parsing never changes letters: capitalization is repaired separately by
//!   [`repair_capitalization`], and only for names written in a single case.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::text::{collapse_whitespace, fold, list, tsv_rows};

/// A full name split into its parts. Parts keep the spelling they were given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonName {
    /// Honorifics and academic titles before the name, canonical ("Ing. arch.").
    pub prefix: Option<String>,
    /// Given name.
    pub first: Option<String>,
    /// Middle names or initials.
    pub middle: Option<String>,
    /// Family name, with its particles ("van der Berg").
    pub last: Option<String>,
    /// Generational suffixes and credentials after the name, canonical ("Ph.D., MBA").
    pub suffix: Option<String>,
    /// A nickname given in quotes or parentheses (`Robert "Bob" Smith`).
    pub nickname: Option<String>,
}

#[derive(Debug, Default)]
struct PersonWords {
    /// Dotless lower-case key → (canonical, exact spellings).
    prefixes: HashMap<String, (&'static str, Vec<&'static str>)>,
    suffixes: HashMap<String, (&'static str, Vec<&'static str>)>,
    /// Lower-case particle → canonical spelling.
    particles: HashMap<String, &'static str>,
    /// Lower-case surname → its spelling.
    spellings: HashMap<String, &'static str>,
}

static PERSON_WORDS: LazyLock<PersonWords> = LazyLock::new(|| {
    let mut words = PersonWords::default();
    for row in tsv_rows(include_str!("../../data/normalize/person_words.tsv")) {
        let [kind, canonical, rest @ ..] = row.as_slice() else {
            continue;
        };
        let spellings: Vec<&'static str> = std::iter::once(*canonical)
            .chain(rest.first().map(|r| list(r)).into_iter().flatten())
            .collect();
        let map = match *kind {
            "prefix" => &mut words.prefixes,
            "suffix" => &mut words.suffixes,
            "particle" => {
                for s in &spellings {
                    words.particles.insert(s.to_lowercase(), canonical);
                }
                continue;
            }
            "spelling" => {
                words.spellings.insert(canonical.to_lowercase(), canonical);
                continue;
            }
            _ => continue,
        };
        for s in &spellings {
            map.entry(title_key(s))
                .or_insert_with(|| (*canonical, Vec::new()))
                .1
                .push(s);
        }
    }
    words
});

/// The key of a title word: folded, without dots, dashes and spaces.
fn title_key(s: &str) -> String {
    fold(s)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// The canonical title that `words` spell, if any. Short keys (`Dr`, `MA`, `Jr`)
/// must be written with a dot or exactly as the table spells them.
fn match_title(
    map: &HashMap<String, (&'static str, Vec<&'static str>)>,
    words: &[&str],
) -> Option<&'static str> {
    let joined = words.join(" ");
    let key = title_key(&joined);
    let (canonical, spellings) = map.get(&key)?;
    let loose_ok = key.len() >= 3 || joined.contains('.');
    (loose_ok || spellings.iter().any(|s| *s == joined)).then_some(*canonical)
}

/// Strips leading titles from `tokens`, returning their canonical spellings.
fn take_prefixes<'a>(tokens: &mut &'a [&'a str]) -> Vec<&'static str> {
    let map = &PERSON_WORDS.prefixes;
    let mut found = Vec::new();
    // Keep at least one word for the name itself.
    while tokens.len() > 1 {
        if tokens.len() > 2
            && let Some(t) = match_title(map, &tokens[..2])
        {
            found.push(t);
            *tokens = &tokens[2..];
        } else if let Some(t) = match_title(map, &tokens[..1]) {
            found.push(t);
            *tokens = &tokens[1..];
        } else {
            break;
        }
    }
    found
}

/// Strips trailing suffixes from `tokens`, returning them in written order.
fn take_suffixes<'a>(tokens: &mut &'a [&'a str], keep: usize) -> Vec<&'static str> {
    let map = &PERSON_WORDS.suffixes;
    let mut found = Vec::new();
    while tokens.len() > keep {
        let last = tokens.len() - 1;
        match match_title(map, &tokens[last..]) {
            Some(t) => {
                found.insert(0, t);
                *tokens = &tokens[..last];
            }
            None => break,
        }
    }
    found
}

/// Whether a whole segment (`Ph.D.`, `MBA`) consists of suffixes.
fn all_suffixes(tokens: &[&str]) -> bool {
    let mut rest = tokens;
    !tokens.is_empty() && {
        take_suffixes(&mut rest, 0);
        rest.is_empty()
    }
}

fn is_particle(word: &str) -> bool {
    PERSON_WORDS.particles.contains_key(&word.to_lowercase())
}

fn is_all_caps(word: &str) -> bool {
    let mut letters = word.chars().filter(|c| c.is_alphabetic()).peekable();
    letters.peek().is_some() && letters.clone().count() > 1 && letters.all(char::is_uppercase)
}

fn join(words: &[&str]) -> Option<String> {
    (!words.is_empty()).then(|| words.join(" "))
}

fn join_titles(titles: &[&str], sep: &str) -> Option<String> {
    (!titles.is_empty()).then(|| titles.join(sep))
}

/// Takes a one-word nickname in double quotes or parentheses out of `s`
/// (`Robert "Bob" Smith`, `Jan (Honza) Novák`).
fn take_nickname(s: &str) -> (String, Option<String>) {
    for (open, close) in [('"', '"'), ('(', ')'), ('„', '“'), ('“', '”')] {
        let Some(start) = s.find(open) else { continue };
        let after = start + open.len_utf8();
        let Some(len) = s[after..].find(close) else {
            continue;
        };
        let inner = s[after..after + len].trim();
        if !inner.is_empty() && !inner.contains(' ') {
            let rest = format!("{} {}", &s[..start], &s[after + len + close.len_utf8()..]);
            return (collapse_whitespace(&rest), Some(inner.to_string()));
        }
    }
    (s.to_string(), None)
}

/// Splits a full name into prefix, first, middle, last, suffix (and a nickname in
/// quotes). Understands "Last, First Middle", surname particles, academic titles
/// and surnames written first in capitals.
///
/// ```
/// use leadgen_core::normalize::parse_person_name;
/// let n = parse_person_name("Ing. Jan van der Berg, Ph.D.");
/// assert_eq!(n.prefix.as_deref(), Some("Ing."));
/// assert_eq!(n.first.as_deref(), Some("Jan"));
/// assert_eq!(n.last.as_deref(), Some("van der Berg"));
/// assert_eq!(n.suffix.as_deref(), Some("Ph.D."));
///
/// let n = parse_person_name("Novák, Jan");
/// assert_eq!((n.first.as_deref(), n.last.as_deref()), (Some("Jan"), Some("Novák")));
/// ```
pub fn parse_person_name(full: &str) -> PersonName {
    let (cleaned, nickname) = take_nickname(&collapse_whitespace(full));
    let mut name = PersonName {
        nickname,
        ..PersonName::default()
    };
    let segments: Vec<Vec<&str>> = cleaned
        .split(',')
        .map(|s| s.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>())
        .filter(|s| !s.is_empty())
        .collect();
    let Some((main, rest)) = segments.split_first() else {
        return name;
    };

    let mut prefixes = Vec::new();
    let mut suffixes = Vec::new();
    // "Last, First Middle": a second segment that is not a list of credentials.
    let mut family_first: Option<&[&str]> = None;
    let mut given: &[&str] = main;
    for (i, segment) in rest.iter().enumerate() {
        if all_suffixes(segment) {
            let mut s: &[&str] = segment;
            suffixes.extend(take_suffixes(&mut s, 0));
        } else if i == 0 {
            let mut family: &[&str] = main;
            prefixes.extend(take_prefixes(&mut family));
            family_first = Some(family);
            given = segment;
        }
    }

    let mut tokens: &[&str] = given;
    prefixes.extend(take_prefixes(&mut tokens));
    let mut trailing = take_suffixes(&mut tokens, if family_first.is_some() { 1 } else { 2 });
    trailing.extend(suffixes);
    name.prefix = join_titles(&prefixes, " ");
    name.suffix = join_titles(&trailing, ", ");

    if let Some(family) = family_first {
        name.last = join(family);
        name.first = tokens.first().map(|s| s.to_string());
        name.middle = join(tokens.get(1..).unwrap_or(&[]));
        return name;
    }
    match tokens.len() {
        0 => {}
        1 => name.first = Some(tokens[0].to_string()),
        n => {
            // "DUPONT Jean": a surname in capitals written first.
            if is_all_caps(tokens[0]) && !tokens[1..].iter().all(|t| is_all_caps(t)) {
                name.last = Some(tokens[0].to_string());
                name.first = Some(tokens[1].to_string());
                name.middle = join(&tokens[2..]);
                return name;
            }
            let mut start = n - 1;
            while start > 1 && is_particle(tokens[start - 1]) {
                start -= 1;
            }
            name.first = Some(tokens[0].to_string());
            name.middle = join(&tokens[1..start]);
            name.last = join(&tokens[start..]);
        }
    }
    name
}

/// Takes academic titles and honorifics off the front of a given name (`Ing. Jan` →
/// `Jan`) and suffixes off the end of a family name (`Nováková, Ph.D.` →
/// `Nováková`), as tools that split a full name into two columns leave them.
/// Returns (prefix, name, suffix); the name keeps at least one word.
///
/// ```
/// use leadgen_core::normalize::person::strip_name_titles;
/// assert_eq!(strip_name_titles("Bc. Igor"), (Some("Bc.".into()), "Igor".into(), None));
/// assert_eq!(strip_name_titles("Nováková, Ph.D."), (None, "Nováková".into(), Some("Ph.D.".into())));
/// assert_eq!(strip_name_titles("Dr"), (None, "Dr".into(), None));
/// ```
pub fn strip_name_titles(name: &str) -> (Option<String>, String, Option<String>) {
    let cleaned = collapse_whitespace(&name.replace(',', " "));
    let words: Vec<&str> = cleaned.split(' ').filter(|w| !w.is_empty()).collect();
    let mut tokens: &[&str] = &words;
    let prefixes = take_prefixes(&mut tokens);
    let suffixes = take_suffixes(&mut tokens, 1);
    (
        join_titles(&prefixes, " "),
        tokens.join(" "),
        join_titles(&suffixes, ", "),
    )
}

/// Repairs the capitalization of a name written in one case: `JOHN O'NEIL` →
/// `John O'Neil`, `mcdonald` → `McDonald`, `VAN DER BERG` → `van der Berg`,
/// `ŠEVČÍKOVÁ` → `Ševčíková`. A name that already mixes cases is returned as is
/// (`DeShawn`, `McKenzie-Smith`, `van Dijk` are fine as written).
///
/// ```
/// use leadgen_core::normalize::repair_capitalization;
/// assert_eq!(repair_capitalization("JOHN O'NEIL"), "John O'Neil");
/// assert_eq!(repair_capitalization("mcdonald"), "McDonald");
/// assert_eq!(repair_capitalization("DeShawn"), "DeShawn");
/// ```
pub fn repair_capitalization(name: &str) -> String {
    let has_upper = name.chars().any(char::is_uppercase);
    let has_lower = name.chars().any(char::is_lowercase);
    if has_upper && has_lower {
        return name.to_string();
    }
    let words = &*PERSON_WORDS;
    let mut out = String::with_capacity(name.len());
    for (i, word) in name.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let lower = word.to_lowercase();
        if let Some(spelling) = words.spellings.get(&lower) {
            out.push_str(spelling);
        } else if i > 0
            && let Some(particle) = words.particles.get(&lower)
        {
            out.push_str(particle);
        } else if let Some(numeral) = roman_numeral(&lower) {
            out.push_str(numeral);
        } else {
            capitalize_word(&lower, &mut out);
        }
    }
    out
}

fn roman_numeral(lower: &str) -> Option<&'static str> {
    ["ii", "iii", "iv", "vi", "vii", "viii"]
        .iter()
        .zip(["II", "III", "IV", "VI", "VII", "VIII"])
        .find(|(l, _)| **l == lower)
        .map(|(_, u)| u)
}

/// Capitals at the start of the word and after `-`, `'` and `Mc`.
fn capitalize_word(lower: &str, out: &mut String) {
    let mut capital_next = true;
    let mut chars = lower.chars().peekable();
    let mut written = 0;
    while let Some(c) = chars.next() {
        if capital_next && c.is_alphabetic() {
            out.extend(c.to_uppercase());
            capital_next = false;
        } else {
            out.push(c);
        }
        written += 1;
        if matches!(c, '-' | '\'' | '’' | '.') {
            capital_next = true;
        }
        // "Mc" + capital, when a longer name follows ("McDonald", not "Mc").
        if written == 2 && lower.starts_with("mc") && chars.clone().count() >= 2 {
            capital_next = true;
        }
    }
}

#[derive(Debug, Default)]
struct Nicknames {
    /// Folded name → indexes of the rows (canonical names) it belongs to; rows
    /// where it is the canonical name come first.
    rows_of: HashMap<String, Vec<usize>>,
    canonical: Vec<&'static str>,
}

static NICKNAMES: LazyLock<Nicknames> = LazyLock::new(|| {
    let mut table = Nicknames::default();
    let rows: Vec<Vec<&'static str>> =
        tsv_rows(include_str!("../../data/normalize/nicknames.tsv")).collect();
    for row in &rows {
        table.canonical.push(row[0]);
    }
    // Canonical names first, so that "Christina" is Christina before it is a
    // spelling of Kristýna.
    for (i, row) in rows.iter().enumerate() {
        table.rows_of.entry(name_key(row[0])).or_default().push(i);
    }
    for (i, row) in rows.iter().enumerate() {
        for nick in row.get(1).map(|r| list(r)).into_iter().flatten() {
            let entry = table.rows_of.entry(name_key(nick)).or_default();
            if !entry.contains(&i) {
                entry.push(i);
            }
        }
    }
    table
});

/// The key of a given name: folded, letters only ("Jean-Baptiste" → "jeanbaptiste").
fn name_key(s: &str) -> String {
    fold(s)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// The canonical given name for a nickname or a known given name (`Bob` →
/// `Robert`, `Honza` → `Jan`, `Robert` → `Robert`); `None` when the name is not in
/// the table. A nickname shared by several names answers with the first; see
/// [`given_name_candidates`] for all of them.
///
/// ```
/// use leadgen_core::normalize::nickname_canonical;
/// assert_eq!(nickname_canonical("Bob"), Some("Robert"));
/// assert_eq!(nickname_canonical("honza"), Some("Jan"));
/// assert_eq!(nickname_canonical("Zebulon"), None);
/// ```
pub fn nickname_canonical(name: &str) -> Option<&'static str> {
    given_name_candidates(name).first().copied()
}

/// Every canonical given name a nickname may stand for (`Chris` → Christopher,
/// Christian, Christina, Christine, Christophe…).
pub fn given_name_candidates(name: &str) -> Vec<&'static str> {
    let table = &*NICKNAMES;
    table
        .rows_of
        .get(&name_key(name))
        .map(|rows| rows.iter().map(|&i| table.canonical[i]).collect())
        .unwrap_or_default()
}

/// Whether two given names may be the same person's: equal when folded, or
/// sharing a canonical name in the nickname table (`Bill` / `William`,
/// `Míša` / `Michaela`).
///
/// ```
/// use leadgen_core::normalize::person::same_given_name;
/// assert!(same_given_name("Bill", "william"));
/// assert!(same_given_name("Jussi", "Juhani"));
/// assert!(!same_given_name("Bill", "Robert"));
/// ```
pub fn same_given_name(a: &str, b: &str) -> bool {
    let (ka, kb) = (name_key(a), name_key(b));
    if ka == kb {
        return !ka.is_empty();
    }
    let table = &*NICKNAMES;
    match (table.rows_of.get(&ka), table.rows_of.get(&kb)) {
        (Some(ra), Some(rb)) => ra.iter().any(|r| rb.contains(r)),
        _ => false,
    }
}

#[cfg(test)]
#[path = "person_tests.rs"]
mod tests;
