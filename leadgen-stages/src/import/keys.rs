//! Small text keys the importer matches on: folded headers, exact-duplicate keys
//! (normalized email, canonical LinkedIn profile URL), company keys, missing markers.
//!
//! These are deliberately narrow: full normalization (names, titles, phones,
//! countries) is a cleaning stage of its own; the importer only needs stable keys.

/// Folds text for comparison: lower-case, Latin diacritics removed, only ASCII letters
/// and digits kept (`"Sähköposti"` → `"sahkoposti"`, `"E-mail 1 - Value"` → `"email1value"`).
///
/// ```
/// use leadgen_stages::import::keys::fold;
/// assert_eq!(fold("Příjmení"), "prijmeni");
/// assert_eq!(fold(" Email Address "), "emailaddress");
/// assert_eq!(fold("Straße / Ort"), "strasseort");
/// ```
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        if c.is_ascii() {
            continue;
        }
        let lower: String = c.to_lowercase().collect();
        for l in lower.chars() {
            match fold_char(l) {
                Some(f) => out.push_str(f),
                None if l.is_alphanumeric() => out.push(l),
                None => {}
            }
        }
    }
    out
}

fn fold_char(c: char) -> Option<&'static str> {
    Some(match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ā' | 'ą' => "a",
        'æ' => "ae",
        'č' | 'ç' | 'ć' => "c",
        'ď' | 'đ' => "d",
        'é' | 'è' | 'ê' | 'ë' | 'ě' | 'ē' | 'ę' => "e",
        'í' | 'ì' | 'î' | 'ï' | 'ī' => "i",
        'ľ' | 'ĺ' | 'ł' => "l",
        'ň' | 'ñ' | 'ń' => "n",
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' | 'ŕ' => "r",
        'š' | 'ś' | 'ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' => "t",
        'ú' | 'ù' | 'û' | 'ü' | 'ů' | 'ū' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ž' | 'ź' | 'ż' => "z",
        _ => return None,
    })
}

/// Whether a cell holds a "no value" marker people type into spreadsheets.
pub fn is_missing_marker(s: &str) -> bool {
    const MARKERS: [&str; 12] = [
        "", "-", "--", "—", "–", "n/a", "na", "none", "null", "nil", "#n/a", "?",
    ];
    // Every marker is at most 4 bytes: longer cells (nearly all) are values, told
    // apart without trimming when they start and end visibly.
    if let [first, .., last] = s.as_bytes()
        && s.len() > 4
        && first.is_ascii_graphic()
        && last.is_ascii_graphic()
    {
        return false;
    }
    let s = s.trim();
    s.len() <= 4 && MARKERS.iter().any(|m| m.eq_ignore_ascii_case(s))
}

/// Trims whitespace including no-break and zero-width spaces.
pub fn clean(s: &str) -> &str {
    s.trim_matches(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' | '\u{a0}'
            )
    })
}

/// Why a value is not kept as the email address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailProblem {
    /// Apollo's locked-address placeholder and similar.
    Placeholder,
    /// Not the shape of an address.
    Syntax,
}

/// The email key: trimmed (also NBSP and zero-width spaces), `mailto:` removed,
/// lower-cased, `+tag` kept; the first of several values joined by ` ::: ` or `;`.
///
/// ```
/// use leadgen_stages::import::keys::normalize_email;
/// assert_eq!(normalize_email(" Jan.Novak+crm@Acme.CZ\u{a0}"), Ok("jan.novak+crm@acme.cz".to_string()));
/// assert_eq!(normalize_email("mailto:eva@x.fi ::: eva@gmail.com"), Ok("eva@x.fi".to_string()));
/// assert!(normalize_email("jan@@acme").is_err());
/// ```
pub fn normalize_email(raw: &str) -> Result<String, EmailProblem> {
    // Nearly every cell is a plain lower-case address: answered without allocating
    // for splitting, trimming and lower-casing.
    match plain_email(raw) {
        Some(email) => Ok(email),
        None => normalize_any_email(raw),
    }
}

/// The usual email cell, a lower-case ASCII address with nothing around it, as
/// [`normalize_email`] would give it, without its splitting, trimming and
/// lower-casing; `None` for anything else (the general path then decides).
fn plain_email(v: &str) -> Option<String> {
    let at = memchr::memchr(b'@', v.as_bytes())?;
    let (local, domain) = (&v[..at], &v[at + 1..]);
    // One pass over each part's bytes; `str::contains("..")` would set up a
    // substring search per call, which costs more than these short parts.
    let part_ok = |part: &str, allowed: fn(u8) -> bool| {
        let bytes = part.as_bytes();
        let mut previous = b'.';
        !bytes.is_empty()
            && bytes[bytes.len() - 1] != b'.'
            && bytes.iter().all(|&b| {
                // A dot first, or after a dot, is refused (previous starts as one).
                let ok = allowed(b) && !(b == b'.' && previous == b'.');
                previous = b;
                ok
            })
    };
    let local_ok = part_ok(local, |b| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'+' | b'-')
    })
        // Placeholders (`email_not_unlocked@…`, `noreply…@example.com`) go the long way.
        && !local.starts_with("email_not_unlocked")
        && !local.starts_with("noreply");
    let domain_ok = part_ok(domain, |b| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-')
    }) && memchr::memchr(b'.', domain.as_bytes()).is_some()
        && !domain.starts_with('-')
        && !domain.ends_with('-');
    (local_ok && domain_ok).then(|| v.to_string())
}

/// [`normalize_email`] for any shape of cell.
fn normalize_any_email(raw: &str) -> Result<String, EmailProblem> {
    let first = raw.split(" ::: ").next().unwrap_or(raw);
    let first = first
        .split([';', ','])
        .map(clean)
        .find(|s| !s.is_empty())
        .unwrap_or("");
    let mut s = clean(first);
    if let Some(prefix) = s.get(..7)
        && prefix.eq_ignore_ascii_case("mailto:")
    {
        s = clean(&s[7..]);
    }
    let s = s.trim_matches(['<', '>']).to_lowercase();
    if s.starts_with("email_not_unlocked@")
        || s.ends_with("@example.com") && s.starts_with("noreply")
    {
        return Err(EmailProblem::Placeholder);
    }
    let Some((local, domain)) = s.split_once('@') else {
        return Err(EmailProblem::Syntax);
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with(['.', '-'])
        && !domain.ends_with(['.', '-'])
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    let local_ok = !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    if domain_ok && local_ok {
        Ok(s)
    } else {
        Err(EmailProblem::Syntax)
    }
}

/// The canonical LinkedIn URL used as an exact key:
/// `https://www.linkedin.com/in/<slug>` (slug lower-cased and percent-decoded; a
/// member-id slug `ACw…` keeps its case), `/pub/…` paths kept, Sales Navigator lead
/// URLs reduced to `https://www.linkedin.com/sales/lead/<id>`, company pages to
/// `https://www.linkedin.com/company/<slug>`. Anything that is not a LinkedIn URL
/// gives `None`.
///
/// ```
/// use leadgen_stages::import::keys::canonical_linkedin_url;
/// let c = |s| canonical_linkedin_url(s).unwrap();
/// assert_eq!(c("http://cz.linkedin.com/in/Jan-Novak/?trk=x"), "https://www.linkedin.com/in/jan-novak");
/// assert_eq!(c("linkedin.com/in/jan-nov%C3%A1k"), "https://www.linkedin.com/in/jan-novák");
/// assert_eq!(c("https://www.linkedin.com/sales/lead/ACwAAB1x,NAME_SEARCH,ab1"), "https://www.linkedin.com/sales/lead/ACwAAB1x");
/// assert_eq!(canonical_linkedin_url("https://example.com/in/x"), None);
/// ```
pub fn canonical_linkedin_url(raw: &str) -> Option<String> {
    // Most cells are the usual profile URL: built in one allocation.
    plain_profile_url(raw).or_else(|| canonical_any_linkedin_url(raw))
}

/// The canonical form of the usual profile URL, `[https://]www.linkedin.com/in/slug`
/// with a lower-case ASCII slug, built in one allocation; `None` for any other shape
/// (the general path then decides). For the shapes it accepts it gives what that
/// function gives: the slug needs no percent-decoding or lower-casing, and what
/// follows it (a slash, more path, a query, a fragment) is dropped there too.
fn plain_profile_url(v: &str) -> Option<String> {
    const CANONICAL: &str = "https://www.linkedin.com/in/";
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"))
        .unwrap_or(v);
    let (host, path) = rest.split_at(memchr::memchr(b'/', rest.as_bytes())?);
    let host_ok = host == "linkedin.com"
        || host
            .strip_suffix(".linkedin.com")
            .is_some_and(|sub| !sub.is_empty() && sub.bytes().all(|b| b.is_ascii_lowercase()));
    let after = path.strip_prefix("/in/")?;
    // The slug ends at the next slash, query or fragment; what follows
    // (`/details/…`, `?trk=…`) is not part of the key.
    let end = memchr::memchr3(b'/', b'?', b'#', after.as_bytes()).unwrap_or(after.len());
    let slug = &after[..end];
    let slug_ok = !slug.is_empty()
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !(host_ok && slug_ok) {
        return None;
    }
    let mut out = String::with_capacity(CANONICAL.len() + slug.len());
    out.push_str(CANONICAL);
    out.push_str(slug);
    Some(out)
}

/// [`canonical_linkedin_url`] for any shape of URL.
fn canonical_any_linkedin_url(raw: &str) -> Option<String> {
    let s = clean(raw);
    let lower = s.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let host_end = rest.find('/')?;
    let host = &rest[..host_end];
    if !(host == "linkedin.com" || host.ends_with(".linkedin.com")) {
        return None;
    }
    // Work on the original-case path (member ids are case-sensitive).
    let offset = s.len() - rest.len() + host_end;
    let path = &s[offset..];
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let segments: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let kind = segments.first()?.to_ascii_lowercase();
    match kind.as_str() {
        "in" | "company" | "school" => {
            let slug = percent_decode(segments.get(1)?);
            let slug = if kind == "in" && slug.starts_with("ACw") && slug.len() > 20 {
                slug
            } else {
                slug.to_lowercase()
            };
            Some(format!("https://www.linkedin.com/{kind}/{slug}"))
        }
        "pub" => {
            let rest: Vec<String> = segments[1..]
                .iter()
                .map(|p| percent_decode(p).to_lowercase())
                .collect();
            if rest.is_empty() {
                return None;
            }
            Some(format!("https://www.linkedin.com/pub/{}", rest.join("/")))
        }
        "sales" => {
            let what = segments.get(1)?.to_ascii_lowercase();
            let id = segments.get(2)?.split(',').next()?;
            Some(format!("https://www.linkedin.com/sales/{what}/{id}"))
        }
        _ => None,
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// The registrable domain of a website or domain value (`https://www.Acme.cz/about`
/// → `acme.cz`). Only `www.` is removed: subdomains other than that are kept.
///
/// ```
/// use leadgen_stages::import::keys::domain_of;
/// assert_eq!(domain_of("https://www.Acme.cz/about").as_deref(), Some("acme.cz"));
/// assert_eq!(domain_of("AALTOMEDIA.FI").as_deref(), Some("aaltomedia.fi"));
/// assert_eq!(domain_of("not a domain"), None);
/// ```
pub fn domain_of(raw: &str) -> Option<String> {
    let s = clean(raw);
    // Most cells are lower case already: lowered only when needed.
    let lowered;
    let s = if s.bytes().any(|b| b.is_ascii_uppercase()) {
        lowered = s.to_ascii_lowercase();
        lowered.as_str()
    } else {
        s
    };
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(s);
    // The host ends at the first of `/ ? # :` (all ASCII: a byte search is exact).
    let end = rest
        .bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#' | b':'))
        .unwrap_or(rest.len());
    let host = &rest[..end];
    let host = host.strip_prefix("www.").unwrap_or(host);
    let ok = memchr::memchr(b'.', host.as_bytes()).is_some()
        && !host.starts_with('.')
        && !host.ends_with('.')
        && if host.is_ascii() {
            host.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        } else {
            host.chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
        };
    ok.then(|| host.to_string())
}

/// The key companies are matched on by name: folded, with a trailing legal form
/// removed (`"Acme s.r.o."` and `"ACME"` share a key).
///
/// ```
/// use leadgen_stages::import::keys::company_name_key;
/// assert_eq!(company_name_key("Dřevodesign s. r. o."), company_name_key("Drevodesign"));
/// assert_eq!(company_name_key("Kampong Solutions Pte. Ltd."), "kampongsolutions");
/// assert_eq!(company_name_key("Oy Koistinen Group Ab"), "koistinengroup");
/// ```
pub fn company_name_key(name: &str) -> String {
    const FORMS: [&str; 34] = [
        "spolsro",
        "sro",
        "as",
        "vos",
        "ks",
        "zs",
        "gmbh",
        "ag",
        "kg",
        "ohg",
        "ug",
        "se",
        "sarl",
        "sas",
        "sasu",
        "sa",
        "eurl",
        "sca",
        "oy",
        "oyj",
        "ab",
        "asa",
        "ans",
        "da",
        "ltd",
        "limited",
        "plc",
        "llc",
        "inc",
        "incorporated",
        "corp",
        "pteltd",
        "pte",
        "co",
    ];
    let words: Vec<String> = name
        .split(|c: char| c.is_whitespace() || c == ',')
        .map(fold)
        .filter(|w| !w.is_empty())
        .collect();
    let mut start = 0;
    let mut end = words.len();
    // Legal forms written over several words ("s. r. o.", "Pte. Ltd.") fold into
    // pieces; join the tail and strip known forms from the end repeatedly.
    loop {
        let mut stripped = false;
        for take in (1..=4.min(end.saturating_sub(start + 1))).rev() {
            let tail: String = words[end - take..end].concat();
            if FORMS.contains(&tail.as_str()) {
                end -= take;
                stripped = true;
                break;
            }
        }
        if !stripped {
            break;
        }
    }
    if end - start > 1 && matches!(words[start].as_str(), "oy" | "ab" | "as") {
        start += 1;
    }
    words[start..end].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The no-trim shortcut for long cells agrees with trimming first.
    #[test]
    fn missing_markers_with_and_without_trimming() {
        let by_trimming = |s: &str| {
            let t = s.trim();
            t.len() <= 4
                && [
                    "", "-", "--", "—", "–", "n/a", "na", "none", "null", "nil", "#n/a", "?",
                ]
                .iter()
                .any(|m| m.eq_ignore_ascii_case(t))
        };
        for s in [
            "",
            " ",
            "-",
            " - ",
            "N/A",
            "  n/a  ",
            "none",
            " NULL\t",
            "nil",
            "#N/A",
            "?",
            "—",
            " – ",
            "nones",
            "n/a.",
            "Jana",
            "Jana Nováková",
            "  none   ",
            "\tnull\t\t",
            "x",
            "abcde",
            " abcd ",
            "—-—",
        ] {
            assert_eq!(is_missing_marker(s), by_trimming(s), "{s:?}");
        }
    }

    /// The cells of every file in `../shared/data` that `keep` accepts, cleaned: a
    /// rough split on separators and quotes, enough to collect realistic values.
    fn shared_cells(keep: impl Fn(&str) -> bool) -> Vec<String> {
        let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
        let mut cells = Vec::new();
        for entry in std::fs::read_dir(&shared).into_iter().flatten().flatten() {
            let text = std::fs::read(entry.path()).unwrap_or_default();
            let text = String::from_utf8_lossy(&text);
            for cell in text.split([',', ';', '\t', '\n', '"']) {
                if keep(cell) {
                    cells.push(clean(cell).to_string());
                }
            }
        }
        cells
    }

    /// The fast path agrees with the general one wherever it answers, on
    /// every LinkedIn URL of the shared sample files and on odd shapes.
    #[test]
    fn plain_profile_urls_match_the_canonical_form() {
        let mut urls: Vec<String> = [
            "https://www.linkedin.com/in/jan-novak",
            "https://www.linkedin.com/in/jan-novak/",
            "http://cz.linkedin.com/in/jan_novak-12ab/",
            "https://linkedin.com/in/x",
            "https://www.linkedin.com/in/Jan-Novak/",
            "https://www.linkedin.com/in/ACwAAB1xYzAbCdEfGhIjKl",
            "https://www.linkedin.com/in/jan-nov%C3%A1k",
            "https://www.linkedin.com/in/jan/details/",
            "https://www.linkedin.com/in/jan?trk=x",
            "https://www.linkedin.com//in/jan",
            "https://www.linkedin.com/in//",
            "https://www.linkedin.com/in/",
            "https://WWW.LinkedIn.com/in/jan",
            "https://.linkedin.com/in/jan",
            "https://evil.com/x.linkedin.com/in/jan",
            "https://notlinkedin.com/in/jan",
            "https://www.linkedin.com/company/acme",
            "https://www.linkedin.com/IN/jan",
            "www.linkedin.com/in/jan-novak",
            "linkedin.com/in/jan-novak/",
            "https://www.linkedin.com/in/jan-novak?originalSubdomain=cz",
            "https://www.linkedin.com/in/jan-novak/?trk=public_profile",
            "https://www.linkedin.com/in/jan-novak/details/experience/",
            "https://www.linkedin.com/in/jan-novak#about",
            "https://www.linkedin.com/in/jan-novak?",
            "https://www.linkedin.com/in/?x=jan",
            "https://www.linkedin.com/in/ACwAAB1xYzAbCdEfGhIjKl?x",
            "www.linkedin.com/in/Jan",
            " www.linkedin.com/in/jan",
            "linkedin.com",
            "linkedin.com/in",
        ]
        .map(String::from)
        .to_vec();
        urls.extend(shared_cells(|cell| cell.contains("linkedin")));
        let mut fast = 0;
        for url in &urls {
            if let Some(u) = plain_profile_url(url) {
                fast += 1;
                assert_eq!(Some(u), canonical_any_linkedin_url(url), "{url}");
            }
        }
        assert!(
            fast > 1000,
            "the shared files have plain profile URLs: {fast}"
        );
    }

    /// The fast path agrees with the general one wherever it answers, on every
    /// address-like cell of the shared sample files and on odd shapes.
    #[test]
    fn plain_emails_match_the_normalized_form() {
        let mut cells: Vec<String> = [
            "jan@acme.cz",
            "jan.novak+crm@acme.co.uk",
            "Jan@acme.cz",
            "jan@acme",
            ".jan@acme.cz",
            "jan.@acme.cz",
            "ja..n@acme.cz",
            "jan@-acme.cz",
            "jan@acme.cz-",
            "jan@acme..cz",
            "jan@@acme.cz",
            "@acme.cz",
            "jan@",
            "email_not_unlocked@domain.com",
            "noreply@example.com",
            "noreply1@example.com",
            "mailto:jan@acme.cz",
            "<jan@acme.cz>",
            "jan@acme.cz;eva@acme.cz",
            "jan@acme.cz ::: eva@x.fi",
            "jan@ac_me.cz",
            "j'an@acme.cz",
            "jan@.acme.cz",
            "jan@acme.cz.",
            "jan@a.",
            ".@a.cz",
            "jan@a-.cz",
            "jan@a..",
            "jan@.",
        ]
        .map(String::from)
        .to_vec();
        cells.extend(shared_cells(|cell| cell.contains('@')));
        let mut fast = 0;
        for cell in &cells {
            if let Some(e) = plain_email(cell) {
                fast += 1;
                assert_eq!(Ok(e), normalize_any_email(cell), "{cell}");
            }
        }
        assert!(fast > 1000, "the shared files have plain addresses: {fast}");
    }

    #[test]
    fn email_problems() {
        assert_eq!(
            normalize_email("email_not_unlocked@domain.com"),
            Err(EmailProblem::Placeholder)
        );
        for bad in [
            "jan.novak",
            "jan@acme",
            "@acme.cz",
            "jan@-acme.cz",
            "ja n@acme.cz",
        ] {
            assert_eq!(normalize_email(bad), Err(EmailProblem::Syntax), "{bad}");
        }
        assert_eq!(normalize_email("\u{200b}EVA@X.FI").unwrap(), "eva@x.fi");
    }

    #[test]
    fn linkedin_forms_share_a_key() {
        let forms = [
            "https://www.linkedin.com/in/jan-novak",
            "http://linkedin.com/in/jan-novak/",
            "https://cz.linkedin.com/in/Jan-Novak?originalSubdomain=cz",
            "www.linkedin.com/in/jan-novak",
            "linkedin.com/in/JAN-NOVAK/#x",
        ];
        for f in forms {
            assert_eq!(
                canonical_linkedin_url(f).as_deref(),
                Some("https://www.linkedin.com/in/jan-novak"),
                "{f}"
            );
        }
        assert_eq!(
            canonical_linkedin_url("https://www.linkedin.com/in/ACwAAAbCdEfGhIjKlMnOpQrStUv")
                .as_deref(),
            Some("https://www.linkedin.com/in/ACwAAAbCdEfGhIjKlMnOpQrStUv")
        );
        assert_eq!(
            canonical_linkedin_url("https://www.linkedin.com/pub/finn-larsen/d3/380/45e")
                .as_deref(),
            Some("https://www.linkedin.com/pub/finn-larsen/d3/380/45e")
        );
        assert_eq!(canonical_linkedin_url("jan-novak"), None);
    }

    #[test]
    fn company_keys() {
        assert_eq!(company_name_key("Acme, Inc."), "acme");
        assert_eq!(company_name_key("Prokop Group a.s."), "prokopgroup");
        assert_eq!(company_name_key("Stahl Elektronik GmbH"), "stahlelektronik");
        assert_eq!(company_name_key("AS"), "as");
        assert_eq!(company_name_key("Energo Brno spol. s r. o."), "energobrno");
    }
}
