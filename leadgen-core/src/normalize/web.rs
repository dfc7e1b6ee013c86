//! Websites and domains: the host of a URL and its registrable domain.
//!
//! The registrable domain ("eTLD+1") comes from the Public Suffix List compiled
//! into the `psl` crate, so `shop.acme.co.uk` gives `acme.co.uk` and
//! `acme.github.io` stays `acme.github.io`. Internationalized names are converted
//! to punycode with `idna` (`müller.de` → `xn--mller-kva.de`), so that the same
//! domain has one spelling whichever way it was written.
//!
//! Unlike `tldextract`, this never downloads a fresher list at run time (the list is
//! as new as the crate), rejects hosts whose suffix the list does not know
//! (`intranet`, `acme.local`) and IP addresses, and accepts e-mail addresses as
//! input.

/// The lower-case ASCII host of a website, URL, bare domain or e-mail address,
/// without `www.`, port, credentials or trailing dot; `None` when there is none.
///
/// ```
/// use leadgen_core::normalize::web::host;
/// assert_eq!(host("HTTPS://WWW.Acme.cz:443/kontakt?x=1").as_deref(), Some("acme.cz"));
/// assert_eq!(host("jana@Acme.CZ").as_deref(), Some("acme.cz"));
/// assert_eq!(host("www.müller.de").as_deref(), Some("xn--mller-kva.de"));
/// ```
pub fn host(input: &str) -> Option<String> {
    let s = input
        .trim_matches(|c: char| super::text::is_space(c) || matches!(c, '<' | '>' | '"' | '\''));
    let s = strip_prefix_ignore_case(s, "mailto:").unwrap_or(s);
    let after_scheme = match s.find("://") {
        Some(i)
            if s[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) =>
        {
            &s[i + 3..]
        }
        _ => s.strip_prefix("//").unwrap_or(s),
    };
    let authority = after_scheme
        .split(['/', '?', '#', '\\'])
        .next()
        .unwrap_or_default();
    // Credentials in a URL, or the local part of an e-mail address.
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = match host_port.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host_port,
    };
    let host = host.trim_end_matches('.');
    if host.is_empty()
        || host.contains(|c: char| c.is_whitespace() || matches!(c, '[' | ']' | ',' | ';'))
    {
        return None;
    }
    let ascii = idna::domain_to_ascii(host).ok()?;
    if !ascii.contains('.') || ascii.split('.').any(str::is_empty) {
        return None;
    }
    let ascii = ascii
        .strip_prefix("www.")
        .filter(|h| h.contains('.'))
        .map(str::to_string)
        .unwrap_or(ascii);
    Some(ascii)
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix))
    .then(|| &s[prefix.len()..])
}

/// The registrable domain of a website, URL, bare domain or e-mail address:
/// public-suffix aware and in punycode; `None` for IP addresses, unknown suffixes
/// and text that is not a host.
///
/// ```
/// use leadgen_core::normalize::registrable_domain;
/// assert_eq!(registrable_domain("https://shop.acme.co.uk/x").as_deref(), Some("acme.co.uk"));
/// assert_eq!(registrable_domain("sales@mail.acme.cz").as_deref(), Some("acme.cz"));
/// assert_eq!(registrable_domain("http://10.0.0.1/"), None);
/// assert_eq!(registrable_domain("n/a"), None);
/// ```
pub fn registrable_domain(input: &str) -> Option<String> {
    let host = host(input)?;
    if host
        .rsplit('.')
        .next()
        .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let domain = psl::domain(host.as_bytes())?;
    if !domain.suffix().is_known() {
        return None;
    }
    std::str::from_utf8(domain.as_bytes())
        .ok()
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_data::read_csv;

    const CASES: &[(&str, Option<&str>)] = &[
        ("acme.cz", Some("acme.cz")),
        ("ACME.CZ", Some("acme.cz")),
        ("www.acme.cz", Some("acme.cz")),
        ("https://www.acme.cz/", Some("acme.cz")),
        ("http://www.acme.cz", Some("acme.cz")),
        ("https://acme.cz/kontakt?utm_source=x#top", Some("acme.cz")),
        ("  https://www.drevodesign.cz/ ", Some("drevodesign.cz")),
        ("https://shop.acme.co.uk", Some("acme.co.uk")),
        (
            "www.albionengineering.co.uk",
            Some("albionengineering.co.uk"),
        ),
        ("merlionbuilders.com.sg", Some("merlionbuilders.com.sg")),
        (
            "https://www.merlionbuilders.com.sg/",
            Some("merlionbuilders.com.sg"),
        ),
        ("foo.bar.acme.com.au", Some("acme.com.au")),
        ("acme.github.io", Some("acme.github.io")),
        ("frontiersoftware.ai", Some("frontiersoftware.ai")),
        ("https://user:secret@www.acme.de:8443/path", Some("acme.de")),
        ("//cdn.acme.fr/x.js", Some("acme.fr")),
        ("jana.novakova@acme.cz", Some("acme.cz")),
        ("Jana@Mail.Acme.CZ", Some("acme.cz")),
        ("mailto:info@acme.no", Some("acme.no")),
        ("<info@acme.fi>", Some("acme.fi")),
        ("www.müller.de", Some("xn--mller-kva.de")),
        ("https://MÜLLER.de/", Some("xn--mller-kva.de")),
        ("xn--mller-kva.de", Some("xn--mller-kva.de")),
        ("sjøbygg.no", Some("xn--sjbygg-cya.no")),
        ("acme.cz.", Some("acme.cz")),
        ("http://10.0.0.1/", None),
        ("localhost", None),
        ("intranet", None),
        ("acme.local", None),
        ("", None),
        ("n/a", None),
        ("not a domain", None),
        ("https://", None),
        ("a..b.com", None),
    ];

    #[test]
    fn table_of_cases() {
        for &(input, want) in CASES {
            assert_eq!(registrable_domain(input).as_deref(), want, "{input:?}");
        }
    }

    /// Every website and domain of companies.csv gives the domain of its entity.
    #[test]
    fn sample_websites_give_the_entity_domain() {
        let truth = read_csv("truth_company_entities.csv");
        let domain_of: std::collections::HashMap<&str, &str> = truth
            .iter()
            .map(|r| (r["entity_id"].as_str(), r["domain"].as_str()))
            .collect();
        let companies = read_csv("companies.csv");
        let mut checked = 0;
        for row in read_csv("truth_companies.csv")
            .iter()
            .filter(|r| r["file"] == "companies.csv")
        {
            let line: usize = row["row_number"].parse().unwrap();
            let want = domain_of[row["entity_id"].as_str()];
            for column in ["Domain", "Website"] {
                let input = &companies[line - 2][column];
                if input.is_empty() {
                    continue;
                }
                checked += 1;
                assert_eq!(
                    registrable_domain(input).as_deref(),
                    Some(want),
                    "{column} {input:?}"
                );
            }
        }
        assert!(checked > 600, "{checked}");
    }
}
