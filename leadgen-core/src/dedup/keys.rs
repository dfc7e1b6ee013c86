//! Matching keys: the small normalizations dedup needs to make fields comparable.
//!
//! This is the one seam between dedup and the normalization engine: every other dedup
//! file calls these functions and nothing else, so swapping in richer normalizers only
//! touches this file. Measured with `crate::normalize` behind these functions (its
//! legal-form table for company tokens, its nickname table, its public-suffix-aware
//! registrable domain): F1 0.9955 instead of 0.9954 on the 100k file and 0.9550
//! instead of 0.9545 on the samples, but blocking twice as slow (100k: 3.7 s instead
//! of 1.9 s), so these lean versions stay on the hot path. The functions are deliberately conservative: a key is only
//! produced when the value clearly is what it claims to be, because a wrong key makes
//! strangers share a block or a comparison level.

use std::borrow::Cow;
use std::sync::OnceLock;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// A lookup set over a static table, built once.
fn set_of(
    cell: &'static OnceLock<HashSet<&'static str>>,
    table: &'static [&'static str],
) -> &'static HashSet<&'static str> {
    cell.get_or_init(|| table.iter().copied().collect())
}

/// Folds text for matching: transliterated to ASCII (diacritics dropped, Cyrillic
/// and CJK romanized), lower-cased, punctuation turned into single spaces.
///
/// ```
/// use leadgen_core::dedup::keys::fold;
/// assert_eq!(fold("  Dvořák-Müller "), "dvorak muller");
/// assert_eq!(fold("Иван"), "ivan");
/// ```
pub fn fold(text: &str) -> String {
    let mut out = String::new();
    fold_into(text, &mut out);
    out
}

/// [`fold`], appended to `out` (the hot paths reuse one buffer per worker instead
/// of allocating a string per value).
pub(crate) fn fold_into(text: &str, out: &mut String) {
    let ascii: Cow<'_, str> = if text.is_ascii() {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(deunicode::deunicode(text))
    };
    out.reserve(ascii.len());
    let start = out.len();
    let mut pending_space = false;
    for ch in ascii.chars() {
        if ch.is_ascii_alphanumeric() {
            if pending_space && out.len() > start {
                out.push(' ');
            }
            pending_space = false;
            out.push(ch.to_ascii_lowercase());
        } else if ch == '\'' || ch == '\u{2019}' {
            // O'Neil and O’Neil fold to "oneil", not "o neil".
        } else {
            pending_space = true;
        }
    }
}

/// Local parts of role addresses: shared by several people, so they identify nobody.
const ROLE_LOCAL_PARTS: &[&str] = &[
    "info",
    "sales",
    "contact",
    "office",
    "hello",
    "support",
    "admin",
    "team",
    "mail",
    "obchod",
    "kontakt",
    "marketing",
    "hr",
    "jobs",
    "careers",
    "billing",
    "help",
    "enquiries",
    "inquiries",
    "post",
    "postmaster",
    "noreply",
    "no-reply",
    "kancelar",
    "firma",
    "bureau",
    "accounts",
    "service",
    "kundeservice",
    "asiakaspalvelu",
    "reception",
];

/// Free-mail domains: a domain shared by strangers, so never a company key.
const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "yahoo.fr",
    "hotmail.com",
    "hotmail.co.uk",
    "hotmail.fr",
    "outlook.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "t-online.de",
    "seznam.cz",
    "email.cz",
    "centrum.cz",
    "post.cz",
    "volny.cz",
    "atlas.cz",
    "online.no",
    "hotmail.no",
    "live.no",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "wanadoo.fr",
    "sfr.fr",
    "proton.me",
    "protonmail.com",
    "yandex.ru",
    "mail.ru",
    "qq.com",
    "163.com",
    "suomi24.fi",
    "luukku.com",
    "kolumbus.fi",
    "wp.pl",
    "o2.pl",
    "guerrillamail.com",
    "mailinator.com",
    "yopmail.com",
    "10minutemail.com",
    "tempmail.com",
    "trashmail.com",
    "singnet.com.sg",
];

/// Whether `domain` (lower-case) is a free-mail or disposable provider.
pub fn is_free_mail(domain: &str) -> bool {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    set_of(&SET, FREE_MAIL_DOMAINS).contains(domain)
}

fn is_role_local_part(local: &str) -> bool {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    set_of(&SET, ROLE_LOCAL_PARTS).contains(local)
}

fn is_legal_form_token(token: &str) -> bool {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    set_of(&SET, LEGAL_FORM_TOKENS).contains(token)
}

/// Whether a folded word is an academic title or honorific ([`person_name_fold`]
/// drops them).
pub(crate) fn is_name_noise(token: &str) -> bool {
    // Every noise word is short: longer words need no lookup.
    if token.len() > 5 {
        return false;
    }
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    set_of(&SET, NAME_NOISE).contains(token)
}

fn nickname_of(name: &str) -> Option<&'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| NICKNAMES.iter().copied().collect())
        .get(name)
        .copied()
}

/// The matching key of an email address: trimmed (also of zero-width and
/// non-breaking spaces), lower-cased, `mailto:` removed. `None` when the value is
/// not an address, a placeholder, or a role address (`info@`, `sales@`…), which
/// several people share.
///
/// ```
/// use leadgen_core::dedup::keys::email_key;
/// assert_eq!(email_key(" Jan.Novak@ACME.cz\u{200b}").as_deref(), Some("jan.novak@acme.cz"));
/// assert_eq!(email_key("sales@acme.cz"), None);
/// assert_eq!(email_key("N/A"), None);
/// ```
pub fn email_key(raw: &str) -> Option<String> {
    // ASCII without spaces (nearly every address) needs only lower-casing; the
    // general path removes whitespace and zero-width characters first.
    let cleaned: String = if raw.bytes().all(|b| b.is_ascii_graphic()) {
        raw.to_ascii_lowercase()
    } else {
        raw.chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '\u{200b}' | '\u{200c}' | '\u{feff}'))
            .collect::<String>()
            .to_lowercase()
    };
    let stripped = cleaned.strip_prefix("mailto:");
    let (local, domain) = stripped.unwrap_or(&cleaned).split_once('@')?;
    if local.is_empty() || !domain.contains('.') || domain.contains('@') {
        return None;
    }
    if domain.starts_with('.') || domain.ends_with('.') {
        return None;
    }
    let base_local = local.split('+').next().unwrap_or(local);
    if is_role_local_part(base_local) || contains_bytes(local.as_bytes(), b"not_unlocked") {
        return None;
    }
    Some(match stripped {
        Some(rest) => rest.to_string(),
        None => cleaned,
    })
}

/// Whether `needle` occurs in `haystack` (for the short needles here a plain scan
/// beats setting up a substring searcher per call).
fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    find_bytes(haystack, needle).is_some()
}

/// The first position of `needle` in `haystack`.
fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let last_start = haystack.len().checked_sub(needle.len())?;
    (0..=last_start).find(|&i| haystack[i] == first && &haystack[i + 1..i + needle.len()] == rest)
}

/// The domain of an email address (lower-cased), when it looks like one.
pub fn email_domain(raw: &str) -> Option<String> {
    let at = raw.rfind('@')?;
    domain_key(&raw[at + 1..])
}

/// The host of a website or bare domain, lower-cased, without scheme, `www.`, port,
/// path, or trailing dot. `None` when nothing host-like is left.
///
/// ```
/// use leadgen_core::dedup::keys::domain_key;
/// assert_eq!(domain_key("https://www.Acme.cz/about?x=1").as_deref(), Some("acme.cz"));
/// assert_eq!(domain_key("not a domain"), None);
/// ```
pub fn domain_key(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_ascii() {
        // Lower-casing ASCII keeps every byte where it is, so the host can be cut
        // out first and only it lower-cased.
        return domain_host(raw)
            .map(str::to_ascii_lowercase)
            .and_then(valid_host);
    }
    let lower = raw.to_lowercase();
    domain_host(&lower).map(str::to_string).and_then(valid_host)
}

/// The host part of a website or bare domain (scheme, path, user, port cut off).
fn domain_host(raw: &str) -> Option<&str> {
    // Byte scans (every delimiter is ASCII, so the cuts fall on char boundaries).
    let rest = find_bytes(raw.as_bytes(), b"://").map_or(raw, |i| &raw[i + 3..]);
    let end = rest
        .bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let host = &rest[..end];
    let host = host
        .bytes()
        .rposition(|b| b == b'@')
        .map_or(host, |i| &host[i + 1..]);
    Some(
        host.bytes()
            .position(|b| b == b':')
            .map_or(host, |i| &host[..i]),
    )
}

/// A lower-cased host without trailing dot and `www.`, if it looks like a domain.
fn valid_host(host: String) -> Option<String> {
    let trimmed = host.trim_end_matches('.');
    let trimmed = trimmed.strip_prefix("www.").unwrap_or(trimmed);
    let valid = trimmed.contains('.')
        && !trimmed.starts_with('.')
        && trimmed
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    if !valid {
        None
    } else if trimmed.len() == host.len() {
        Some(host)
    } else {
        Some(trimmed.to_string())
    }
}

/// What a LinkedIn profile URL identifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedInKey {
    /// The slug, lower-cased and percent-decoded (`jan-novak-1a2b3c4d`), or the
    /// member id for Sales Navigator and member-id URLs (`acwaa…`).
    pub slug: String,
    /// Whether the slug came from a legacy `/pub/name/x/y/z` URL, which carries only
    /// the name part, so it can only be compared with a slug's name part.
    pub legacy_pub: bool,
}

impl LinkedInKey {
    /// The slug without a trailing hexadecimal uniquifier (`jan-novak-1a2b3c4d` →
    /// `jan-novak`), the part a legacy `/pub/` URL shares with the modern form.
    pub fn base(&self) -> &str {
        match self.slug.rsplit_once('-') {
            Some((base, tail))
                if tail.len() >= 6
                    && tail.chars().all(|c| c.is_ascii_hexdigit())
                    && tail.chars().any(|c| c.is_ascii_digit()) =>
            {
                base
            }
            _ => &self.slug,
        }
    }
}

/// The key of a LinkedIn profile URL in any of its forms (country subdomains,
/// http/https, with/without `www`, `/pub/` legacy paths, query strings, trailing
/// slashes and sub-pages, percent-encoded slugs, Sales Navigator lead URLs).
///
/// ```
/// use leadgen_core::dedup::keys::linkedin_key;
/// let k = linkedin_key("https://cz.linkedin.com/in/Jan-Novak-1a2b3c4d/?trk=x").unwrap();
/// assert_eq!(k.slug, "jan-novak-1a2b3c4d");
/// assert_eq!(k.base(), "jan-novak");
/// assert_eq!(linkedin_key("https://www.linkedin.com/pub/jan-novak/2e/8c5/54a").unwrap().slug, "jan-novak");
/// ```
pub fn linkedin_key(raw: &str) -> Option<LinkedInKey> {
    let lower = raw.trim();
    // ASCII case-insensitive search (lower-casing ASCII keeps byte positions).
    const NEEDLE: &[u8] = b"linkedin.com/";
    let bytes = lower.as_bytes();
    let idx = (0..=bytes.len().checked_sub(NEEDLE.len())?).find(|&i| {
        (bytes[i] | 0x20) == b'l' && bytes[i..i + NEEDLE.len()].eq_ignore_ascii_case(NEEDLE)
    })?;
    let path = &lower[idx + "linkedin.com/".len()..];
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut parts = path.split('/').filter(|p| !p.is_empty());
    let kind = parts.next()?;
    let first = parts.next()?;
    let (slug, legacy_pub) = if kind.eq_ignore_ascii_case("in") {
        (first, false)
    } else if kind.eq_ignore_ascii_case("pub") {
        (first, parts.next().is_some())
    } else if kind.eq_ignore_ascii_case("sales")
        && (first.eq_ignore_ascii_case("lead") || first.eq_ignore_ascii_case("people"))
    {
        let id = parts.next()?;
        (id.split(',').next().unwrap_or(id), false)
    } else {
        return None;
    };
    let slug = percent_decode(slug).to_lowercase();
    (!slug.is_empty()).then_some(LinkedInKey { slug, legacy_pub })
}

fn percent_decode(s: &str) -> Cow<'_, str> {
    if !s.contains('%') {
        return Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// The key of a phone number: its last nine digits (enough to identify a subscriber
/// in every numbering plan the sample data has, and blind to the `+420`/`00420`/`0`
/// prefixes that formatting and spreadsheets add or drop). `None` under seven digits.
///
/// ```
/// use leadgen_core::dedup::keys::phone_key;
/// assert_eq!(phone_key("+420 606 352 769"), phone_key("606352769"));
/// assert_eq!(phone_key("+44 (0)7706 453105"), phone_key("07706 453105"));
/// ```
pub fn phone_key(raw: &str) -> Option<String> {
    let count = raw.bytes().filter(u8::is_ascii_digit).count();
    if count < 7 {
        return None;
    }
    let skip = count.saturating_sub(9);
    let mut key = String::with_capacity(count - skip);
    key.extend(
        raw.bytes()
            .filter(u8::is_ascii_digit)
            .skip(skip)
            .map(char::from),
    );
    Some(key)
}

/// Legal-form tokens (already folded) that say nothing about which company it is.
const LEGAL_FORM_TOKENS: &[&str] = &[
    "inc",
    "incorporated",
    "llc",
    "ltd",
    "limited",
    "plc",
    "corp",
    "corporation",
    "co",
    "gmbh",
    "ag",
    "kg",
    "ohg",
    "ug",
    "mbh",
    "sas",
    "sa",
    "sarl",
    "sasu",
    "eurl",
    "bv",
    "nv",
    "spa",
    "srl",
    "sl",
    "slu",
    "sro",
    "spol",
    "as",
    "asa",
    "ab",
    "publ",
    "aps",
    "oy",
    "oyj",
    "ou",
    "pte",
    "pty",
    "kft",
    "zrt",
    "nyrt",
    "sp",
    "zoo",
    "z",
    "o",
    "s",
    "r",
    "a",
    "v",
    "lda",
    "lp",
    "llp",
    "se",
    "bvba",
    "sprl",
    "cv",
    "ek",
    "ev",
    "vos",
    "ks",
    "ky",
    "tmi",
];

/// Tokens of a company name for matching: folded, `&` as `and`, legal forms and a
/// leading "the" removed (`"The Acme Group, s.r.o."` → `["acme", "group"]`).
///
/// ```
/// use leadgen_core::dedup::keys::company_tokens;
/// assert_eq!(company_tokens("Agro Plzeň a. s."), vec!["agro", "plzen"]);
/// assert_eq!(company_tokens("Hobbs & Associates Inc."), vec!["hobbs", "and", "associates"]);
/// assert_eq!(company_tokens("Chemo Mont spol. s r.o."), vec!["chemo", "mont"]);
/// ```
pub fn company_tokens(raw: &str) -> Vec<String> {
    let folded = company_fold(raw);
    company_token_slices(&folded)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// The folded text [`company_tokens`] splits (`&` and `+` read as "and").
fn company_fold(raw: &str) -> String {
    if raw.contains(['&', '+']) {
        fold(&raw.replace(['&', '+'], " and "))
    } else {
        fold(raw)
    }
}

/// [`company_tokens`] as byte spans of the folded text (as [`company_fold`] makes it) written
/// into `folded` (cleared first); `spans` is cleared and refilled.
pub(crate) fn company_token_spans(raw: &str, folded: &mut String, spans: &mut Vec<(u32, u32)>) {
    folded.clear();
    spans.clear();
    if raw.bytes().any(|b| b == b'&' || b == b'+') {
        fold_into(&raw.replace(['&', '+'], " and "), folded);
    } else {
        fold_into(raw, folded);
    }
    let base = folded.as_ptr() as usize;
    spans.extend(company_token_slices(folded).into_iter().map(|t| {
        let start = (t.as_ptr() as usize - base) as u32;
        (start, start + t.len() as u32)
    }));
}

/// [`company_tokens`] as slices of the folded text.
fn company_token_slices(folded: &str) -> Vec<&str> {
    let mut tokens: Vec<&str> = folded.split(' ').collect();
    if tokens.first().is_some_and(|t| *t == "the") && tokens.len() > 1 {
        tokens.remove(0);
    }
    // Legal forms sit at the ends ("Oy Koistinen Group Ab"); strip them from both ends
    // but never strip the name to nothing.
    while tokens.len() > 1 && tokens.last().is_some_and(|t| is_legal_form_token(t)) {
        tokens.pop();
    }
    while tokens.len() > 1 && tokens.first().is_some_and(|t| is_legal_form_token(t)) {
        tokens.remove(0);
    }
    tokens.retain(|t| !t.is_empty());
    tokens
}

/// The matching key of a company name: [`company_tokens`] joined by spaces.
pub fn company_key(raw: &str) -> Option<String> {
    let folded = company_fold(raw);
    let tokens = company_token_slices(&folded);
    (!tokens.is_empty()).then(|| tokens.join(" "))
}

/// Academic titles and honorifics that appear inside name fields.
const NAME_NOISE: &[&str] = &[
    "ing", "mgr", "bc", "phdr", "judr", "mudr", "rndr", "doc", "prof", "dr", "phd", "csc", "mba",
    "msc", "bsc", "dipl", "dis", "jr", "sr", "ii", "iii", "mr", "mrs", "ms", "miss", "herr",
    "frau", "mme", "m", "bin", "binti", "mudr", "drsc", "ma", "ba",
];

/// Nicknames and short forms mapped to one canonical given name (folded).
const NICKNAMES: &[(&str, &str)] = &[
    ("bob", "robert"),
    ("rob", "robert"),
    ("bobby", "robert"),
    ("robbie", "robert"),
    ("bill", "william"),
    ("will", "william"),
    ("billy", "william"),
    ("liam", "william"),
    ("jim", "james"),
    ("jimmy", "james"),
    ("jamie", "james"),
    ("mike", "michael"),
    ("mick", "michael"),
    ("dave", "david"),
    ("tom", "thomas"),
    ("tommy", "thomas"),
    ("chris", "christopher"),
    ("kate", "katherine"),
    ("katie", "katherine"),
    ("kathy", "katherine"),
    ("cathy", "katherine"),
    ("catherine", "katherine"),
    ("liz", "elizabeth"),
    ("beth", "elizabeth"),
    ("betty", "elizabeth"),
    ("lizzie", "elizabeth"),
    ("dan", "daniel"),
    ("danny", "daniel"),
    ("joe", "joseph"),
    ("joey", "joseph"),
    ("tony", "anthony"),
    ("alex", "alexander"),
    ("sasha", "alexander"),
    ("andy", "andrew"),
    ("drew", "andrew"),
    ("ben", "benjamin"),
    ("sam", "samuel"),
    ("nick", "nicholas"),
    ("matt", "matthew"),
    ("pat", "patrick"),
    ("steve", "stephen"),
    ("steven", "stephen"),
    ("jon", "jonathan"),
    ("john", "jonathan"),
    ("jenny", "jennifer"),
    ("jen", "jennifer"),
    ("jess", "jessica"),
    ("peggy", "margaret"),
    ("maggie", "margaret"),
    ("meg", "margaret"),
    ("sue", "susan"),
    ("suzy", "susan"),
    ("ted", "edward"),
    ("ed", "edward"),
    ("eddie", "edward"),
    ("ned", "edward"),
    ("rick", "richard"),
    ("dick", "richard"),
    ("rich", "richard"),
    ("ricky", "richard"),
    ("greg", "gregory"),
    ("larry", "lawrence"),
    ("charlie", "charles"),
    ("chuck", "charles"),
    ("fred", "frederick"),
    ("harry", "henry"),
    ("hank", "henry"),
    ("jack", "jonathan"),
    ("johnny", "jonathan"),
    ("honza", "jan"),
    ("jenik", "jan"),
    ("pepa", "josef"),
    ("pepik", "josef"),
    ("franta", "frantisek"),
    ("standa", "stanislav"),
    ("jirka", "jiri"),
    ("tonda", "antonin"),
    ("vasek", "vaclav"),
    ("mira", "miroslav"),
    ("pavlik", "pavel"),
    ("petr", "peter"),
    ("katka", "katerina"),
    ("kaca", "katerina"),
    ("misa", "michaela"),
    ("verca", "veronika"),
    ("lenka", "lenka"),
    ("bara", "barbora"),
    ("jussi", "juhani"),
    ("jukka", "juhani"),
    ("pekka", "petteri"),
    ("matti", "mattias"),
    ("hannes", "johannes"),
    ("hans", "johannes"),
    ("sepp", "josef"),
    ("fritz", "friedrich"),
    ("guigui", "guillaume"),
    ("guille", "guillaume"),
    ("manu", "emmanuel"),
    ("fifi", "sophie"),
    ("seb", "sebastien"),
    ("nico", "nicolas"),
    ("jb", "jean baptiste"),
    ("lars", "laurentius"),
    ("kalle", "karl"),
    ("nils", "nicolas"),
    ("bjoern", "bjorn"),
    ("gus", "augustus"),
    ("wei", "wei"),
    ("tim", "timothy"),
    ("timmy", "timothy"),
    ("vicky", "victoria"),
    ("tori", "victoria"),
    ("abby", "abigail"),
    ("becky", "rebecca"),
    ("ron", "ronald"),
    ("ronnie", "ronald"),
    ("don", "donald"),
    ("ken", "kenneth"),
    ("kenny", "kenneth"),
    ("phil", "philip"),
    ("phillip", "philip"),
    ("jeff", "jeffrey"),
    ("geoff", "jeffrey"),
    ("josh", "joshua"),
    ("zach", "zachary"),
    ("nate", "nathan"),
    ("nathaniel", "nathan"),
    ("vince", "vincent"),
    ("walt", "walter"),
    ("al", "albert"),
    ("frank", "francis"),
    ("frankie", "francis"),
    ("gabe", "gabriel"),
    ("ray", "raymond"),
];

/// The canonical form of a given name for matching: folded, and a nickname replaced
/// by the name it shortens (Bob → robert, Honza → jan).
///
/// ```
/// use leadgen_core::dedup::keys::given_name_key;
/// assert_eq!(given_name_key("Bill"), given_name_key("William"));
/// assert_eq!(given_name_key("Honza"), "jan");
/// ```
pub fn given_name_key(raw: &str) -> String {
    given_name_key_of_folded(person_name_fold(raw))
}

/// [`given_name_key_of_folded`], appended to `out`.
pub(crate) fn given_name_key_into(folded: &str, out: &mut String) {
    let first = folded.split(' ').next().unwrap_or("");
    match nickname_of(first) {
        Some(full) => {
            out.push_str(full);
            let rest = folded[first.len()..].trim_start();
            if !rest.is_empty() {
                out.push(' ');
                out.push_str(rest);
            }
        }
        None => out.push_str(folded),
    }
}

/// [`given_name_key`] of a value already folded by [`person_name_fold`].
pub fn given_name_key_of_folded(folded: String) -> String {
    let first = folded.split(' ').next().unwrap_or("");
    match nickname_of(first) {
        Some(full) => {
            let rest = folded[first.len()..].trim_start();
            if rest.is_empty() {
                full.to_string()
            } else {
                format!("{full} {rest}")
            }
        }
        None => folded,
    }
}

/// A person-name field folded for matching, with academic titles, honorifics and
/// generational suffixes removed (`"Ing. Jan"` → `"jan"`, `"MAREŠ"` → `"mares"`).
pub fn person_name_fold(raw: &str) -> String {
    let mut out = String::new();
    person_name_fold_into(raw, &mut out);
    out
}

/// [`person_name_fold`] into `out` (cleared first), without temporary strings.
pub(crate) fn person_name_fold_into(raw: &str, out: &mut String) {
    out.clear();
    fold_into(raw, out);
    if !out.contains(' ') && !is_name_noise(out) {
        return;
    }
    if out.split(' ').all(is_name_noise) {
        // Nothing but titles: keep them rather than nothing.
        return;
    }
    // Compact the kept words to the front, in place (a kept word never moves right).
    let mut bytes = std::mem::take(out).into_bytes();
    let (mut write, mut read) = (0, 0);
    let len = bytes.len();
    while read < len {
        let end = bytes[read..]
            .iter()
            .position(|&b| b == b' ')
            .map_or(len, |p| read + p);
        let word = std::str::from_utf8(&bytes[read..end]).unwrap_or("");
        if !is_name_noise(word) {
            if write > 0 {
                bytes[write] = b' ';
                write += 1;
            }
            bytes.copy_within(read..end, write);
            write += end - read;
        }
        read = end + 1;
    }
    bytes.truncate(write);
    // Only ASCII bytes were moved, at word boundaries, so the text stays UTF-8.
    *out = String::from_utf8(bytes).unwrap_or_default();
}

/// A simple phonetic code (American Soundex over the folded text): names that sound
/// alike share it (`Mareš`/`Mares`, `Schmidt`/`Schmitt`).
///
/// ```
/// use leadgen_core::dedup::keys::soundex;
/// assert_eq!(soundex("Robert"), "r163");
/// assert_eq!(soundex("Rupert"), "r163");
/// assert_eq!(soundex(""), "");
/// ```
pub fn soundex(raw: &str) -> String {
    soundex_of_folded(&fold(raw))
}

/// [`soundex`] of text already folded by [`fold`] (folding twice changes nothing).
pub(crate) fn soundex_of_folded(folded: &str) -> String {
    let mut out = String::with_capacity(4);
    soundex_into(folded, &mut out);
    out
}

/// [`soundex_of_folded`], appended to `out` (nothing when there is no letter).
pub(crate) fn soundex_into(folded: &str, out: &mut String) {
    let mut chars = folded.chars().filter(char::is_ascii_alphabetic);
    let Some(first) = chars.next() else {
        return;
    };
    let code = |c: char| match c {
        'b' | 'f' | 'p' | 'v' => '1',
        'c' | 'g' | 'j' | 'k' | 'q' | 's' | 'x' | 'z' => '2',
        'd' | 't' => '3',
        'l' => '4',
        'm' | 'n' => '5',
        'r' => '6',
        'h' | 'w' => '-',
        _ => '0',
    };
    out.push(first);
    let mut len = 1;
    let mut last = code(first);
    for c in chars {
        let d = code(c);
        if d == '-' {
            continue;
        }
        if d != '0' && d != last {
            out.push(d);
            len += 1;
            if len == 4 {
                break;
            }
        }
        last = d;
    }
    for _ in len..4 {
        out.push('0');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_handles_scripts_and_punctuation() {
        assert_eq!(fold("O'Neil"), "oneil");
        assert_eq!(fold("Jean-Luc  PICARD"), "jean luc picard");
        assert_eq!(fold(""), "");
        assert_eq!(fold("!!!"), "");
        assert!(!fold("王伟").is_empty());
    }

    #[test]
    fn email_keys() {
        assert_eq!(email_key("mailto:A@b.co").as_deref(), Some("a@b.co"));
        assert_eq!(email_key("a@b"), None);
        assert_eq!(email_key("@b.com"), None);
        assert_eq!(email_key("email_not_unlocked@domain.com"), None);
        assert_eq!(email_key("info+x@acme.cz"), None);
        assert_eq!(
            email_key("jan+news@acme.cz").as_deref(),
            Some("jan+news@acme.cz")
        );
        assert_eq!(
            email_domain("x@Mail.Acme.cz").as_deref(),
            Some("mail.acme.cz")
        );
        assert!(is_free_mail("gmail.com"));
    }

    #[test]
    fn linkedin_forms() {
        let forms = [
            "https://www.linkedin.com/in/viktorie-maskova-f24fed25/",
            "linkedin.com/in/viktorie-maskova-f24fed25",
            "http://www.linkedin.com/in/Viktorie-Maskova-F24FED25?trk=public",
            "https://cz.linkedin.com/in/viktorie-maskova-f24fed25/details/experience/",
        ];
        for f in forms {
            assert_eq!(
                linkedin_key(f).unwrap().slug,
                "viktorie-maskova-f24fed25",
                "{f}"
            );
        }
        let enc = linkedin_key("https://www.linkedin.com/in/jan-nov%C3%A1k").unwrap();
        assert_eq!(enc.slug, "jan-novák");
        let sales =
            linkedin_key("https://www.linkedin.com/sales/lead/ACwAAB12,NAME_SEARCH,xy").unwrap();
        assert_eq!(sales.slug, "acwaab12");
        assert!(linkedin_key("https://www.linkedin.com/company/acme").is_none());
        assert!(linkedin_key("not a url").is_none());
        assert!(linkedin_key("https://linkedin.com/in/").is_none());
        assert_eq!(
            linkedin_key("https://linkedin.com/in/a%").unwrap().slug,
            "a%"
        );
    }

    #[test]
    fn company_tokens_strip_legal_forms_but_not_everything() {
        assert_eq!(
            company_tokens("Pennine Partners Limited"),
            vec!["pennine", "partners"]
        );
        assert_eq!(
            company_tokens("Lucky Digital Pte. Ltd."),
            vec!["lucky", "digital"]
        );
        assert_eq!(
            company_tokens("Oy Koistinen Group Ab"),
            vec!["koistinen", "group"]
        );
        assert_eq!(company_tokens("AG"), vec!["ag"]);
        assert_eq!(company_key(""), None);
        assert_eq!(company_key("The Acme Group").as_deref(), Some("acme group"));
    }

    #[test]
    fn person_names() {
        assert_eq!(person_name_fold("Ing. Jan"), "jan");
        assert_eq!(person_name_fold("Dr."), "dr");
        assert_eq!(given_name_key("Bob Lee"), "robert lee");
        assert_eq!(soundex("Mareš"), soundex("Mares"));
        assert_eq!(phone_key("123"), None);
    }
}
