//! A basic e-mail tidy-up: what every importer should do before comparing
//! addresses. Validation (syntax, MX, disposable and role accounts) belongs to the
//! email-validation stage.
//!
//! Differs from RFC 5321 on purpose: the local part is lower-cased too, because
//! every mailbox provider leads are found at treats it case-insensitively and
//! duplicates differ by case far more often than by meaning; `+tags` are kept.

use super::text::is_space;

/// Trims an address (also NBSP and zero-width characters, which spreadsheets leave
/// inside cells), removes a `mailto:` prefix, angle brackets and quotes, takes the
/// address out of a `Name <address>` form, and lower-cases it. `None` when nothing
/// is left. The address is not validated.
///
/// ```
/// use leadgen_core::normalize::tidy_email;
/// assert_eq!(tidy_email(" Jana.Novakova+crm@ACME.cz\u{200b} ").as_deref(), Some("jana.novakova+crm@acme.cz"));
/// assert_eq!(tidy_email("Jana Nováková <jana@acme.cz>").as_deref(), Some("jana@acme.cz"));
/// assert_eq!(tidy_email("  "), None);
/// ```
pub fn tidy_email(raw: &str) -> Option<String> {
    let mut s: &str = raw.trim_matches(is_space);
    if let (Some(open), Some(close)) = (s.rfind('<'), s.rfind('>'))
        && open < close
    {
        s = &s[open + 1..close];
    }
    let s =
        s.trim_matches(|c: char| is_space(c) || matches!(c, '"' | '\'' | '<' | '>' | ',' | ';'));
    let s = match s.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("mailto:") => &s[7..],
        _ => s,
    };
    let s = s.split('?').next().unwrap_or_default();
    let tidy: String = s
        .chars()
        .filter(|&c| {
            !matches!(
                c,
                '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{a0}'
            )
        })
        .flat_map(char::to_lowercase)
        .collect();
    let tidy = tidy.trim().trim_end_matches('.').to_string();
    (!tidy.is_empty()).then_some(tidy)
}

/// The domain part of an address (after the last `@`), if any.
///
/// ```
/// use leadgen_core::normalize::email::email_domain;
/// assert_eq!(email_domain("jana@acme.cz"), Some("acme.cz"));
/// assert_eq!(email_domain("jana"), None);
/// ```
pub fn email_domain(email: &str) -> Option<&str> {
    email
        .rsplit_once('@')
        .map(|(_, d)| d)
        .filter(|d| !d.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_data::{read_csv, read_csv_lines};

    const CASES: &[(&str, Option<&str>)] = &[
        ("jana@acme.cz", Some("jana@acme.cz")),
        ("Jana@Acme.CZ", Some("jana@acme.cz")),
        ("JANA.NOVAKOVA@ACME.CZ", Some("jana.novakova@acme.cz")),
        ("  jana@acme.cz  ", Some("jana@acme.cz")),
        ("\u{a0}jana@acme.cz\u{a0}", Some("jana@acme.cz")),
        ("jana@acme.cz\u{200b}", Some("jana@acme.cz")),
        ("\u{feff}jana@acme.cz", Some("jana@acme.cz")),
        ("ja\u{200b}na@acme.cz", Some("jana@acme.cz")),
        ("jana+crm@acme.cz", Some("jana+crm@acme.cz")),
        ("mailto:jana@acme.cz", Some("jana@acme.cz")),
        ("MAILTO:Jana@acme.cz", Some("jana@acme.cz")),
        ("mailto:jana@acme.cz?subject=Hi", Some("jana@acme.cz")),
        ("<jana@acme.cz>", Some("jana@acme.cz")),
        ("\"jana@acme.cz\"", Some("jana@acme.cz")),
        ("Jana Nováková <jana@acme.cz>", Some("jana@acme.cz")),
        ("\"Novák, Jan\" <jan@acme.cz>", Some("jan@acme.cz")),
        ("jana@acme.cz;", Some("jana@acme.cz")),
        ("jana@acme.cz,", Some("jana@acme.cz")),
        ("jana@acme.cz.", Some("jana@acme.cz")),
        ("Müller@Bäckerei.de", Some("müller@bäckerei.de")),
        ("ÅSE@EXAMPLE.NO", Some("åse@example.no")),
        (
            "email_not_unlocked@domain.com",
            Some("email_not_unlocked@domain.com"),
        ),
        ("rolf(at)acme.fr", Some("rolf(at)acme.fr")),
        (
            "nela.jarosova@-elektrotech.cz",
            Some("nela.jarosova@-elektrotech.cz"),
        ),
        ("N/A", Some("n/a")),
        ("-", Some("-")),
        ("jana", Some("jana")),
        ("", None),
        ("   ", None),
        ("\u{200b}", None),
        ("<>", None),
        ("mailto:", None),
    ];

    #[test]
    fn table_of_cases() {
        for &(input, want) in CASES {
            assert_eq!(tidy_email(input).as_deref(), want, "{input:?}");
        }
    }

    /// The messy addresses of the team files tidy into the truth's normalized
    /// address wherever the truth has one.
    #[test]
    fn team_file_addresses_tidy_into_the_truth() {
        let truth = read_csv("truth_contacts.csv");
        for (file, delimiter, column) in [
            ("team_contacts.csv", b',', "E-mail"),
            ("team_contacts_semicolon.csv", b';', "E-mail"),
            ("team_contacts_bom_crlf.csv", b',', "Email Address"),
        ] {
            let want: std::collections::HashMap<usize, &str> = truth
                .iter()
                .filter(|r| {
                    r["file"] == file
                        && r["row_status"] == "ok"
                        && !r["email_normalized"].is_empty()
                })
                .map(|r| {
                    (
                        r["row_number"].parse().unwrap(),
                        r["email_normalized"].as_str(),
                    )
                })
                .collect();
            let mut checked = 0;
            for (line, row) in read_csv_lines(file, delimiter) {
                let Some(want) = want.get(&line) else {
                    continue;
                };
                let raw = row
                    .get(column)
                    .or_else(|| row.get(&format!("\u{feff}{column}")))
                    .unwrap();
                checked += 1;
                assert_eq!(
                    tidy_email(raw).as_deref(),
                    Some(*want),
                    "{file}:{line} {raw:?}"
                );
            }
            assert!(checked > 100, "{file}: {checked}");
        }
    }
}
