//! Countries: names and codes in several languages → ISO 3166-1 alpha-2.
//!
//! The table (`data/normalize/countries.tsv`) holds alpha-2 and alpha-3 codes, the
//! English short name, and the names used in Czech, Slovak, German, French,
//! Norwegian, Swedish, Danish, Finnish, Estonian, Spanish, Italian, Polish,
//! Hungarian and Dutch, plus the native name, for the countries leads come from.
//!
//! Differences from `pycountry` on purpose: lookups fold case, diacritics and
//! punctuation (`U.S.A.`, `ČR`, `Česko` all match), accept the constituent countries
//! of the United Kingdom (`England` → `GB`) and the code `UK`, and answer `None`
//! instead of guessing for anything not in the table.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::text::{fold, list, tsv_rows};

#[derive(Debug)]
struct Country {
    alpha2: &'static str,
    alpha3: &'static str,
    name: &'static str,
}

#[derive(Debug)]
struct Countries {
    list: Vec<Country>,
    /// Folded name or code → index into `list`.
    by_key: HashMap<String, usize>,
}

static COUNTRIES: LazyLock<Countries> = LazyLock::new(|| {
    let mut list_ = Vec::new();
    let mut by_key = HashMap::new();
    for row in tsv_rows(include_str!("../../data/normalize/countries.tsv")) {
        let [alpha2, alpha3, name, rest @ ..] = row.as_slice() else {
            continue;
        };
        let index = list_.len();
        list_.push(Country {
            alpha2,
            alpha3,
            name,
        });
        let names = [*alpha2, *alpha3, *name]
            .into_iter()
            .chain(rest.first().map(|r| list(r)).into_iter().flatten());
        for n in names {
            by_key.entry(country_key(n)).or_insert(index);
        }
    }
    Countries {
        list: list_,
        by_key,
    }
});

/// The lookup key of a country name: folded, letters only, single spaces.
fn country_key(s: &str) -> String {
    let folded = fold(s);
    let mut out = String::with_capacity(folded.len());
    let mut space = false;
    for c in folded.chars() {
        if c.is_ascii_alphabetic() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else if c != '.' && c != '\'' {
            space = true;
        }
    }
    out
}

/// The ISO 3166-1 alpha-2 code of a country name or code, in any of the table's
/// languages; `None` when unknown.
///
/// ```
/// use leadgen_core::normalize::country_code;
/// assert_eq!(country_code("Czech Republic"), Some("CZ"));
/// assert_eq!(country_code("Česko"), Some("CZ"));
/// assert_eq!(country_code("Norge"), Some("NO"));
/// assert_eq!(country_code("U.S.A."), Some("US"));
/// assert_eq!(country_code("sgp"), Some("SG"));
/// assert_eq!(country_code("Atlantis"), None);
/// ```
pub fn country_code(name: &str) -> Option<&'static str> {
    let table = &*COUNTRIES;
    let key = country_key(name);
    if key.is_empty() {
        return None;
    }
    table.by_key.get(&key).map(|&i| table.list[i].alpha2)
}

/// The English short name of an ISO alpha-2 code in the table.
///
/// ```
/// use leadgen_core::normalize::country::country_name;
/// assert_eq!(country_name("fi"), Some("Finland"));
/// ```
pub fn country_name(alpha2: &str) -> Option<&'static str> {
    COUNTRIES
        .list
        .iter()
        .find(|c| c.alpha2.eq_ignore_ascii_case(alpha2))
        .map(|c| c.name)
}

/// The ISO alpha-3 code of an ISO alpha-2 code in the table.
///
/// ```
/// use leadgen_core::normalize::country::alpha3;
/// assert_eq!(alpha3("NO"), Some("NOR"));
/// ```
pub fn alpha3(alpha2: &str) -> Option<&'static str> {
    COUNTRIES
        .list
        .iter()
        .find(|c| c.alpha2.eq_ignore_ascii_case(alpha2))
        .map(|c| c.alpha3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_data::read_csv;

    const CASES: &[(&str, Option<&str>)] = &[
        ("CZ", Some("CZ")),
        ("cz", Some("CZ")),
        ("CZE", Some("CZ")),
        ("Czechia", Some("CZ")),
        ("Czech Republic", Some("CZ")),
        ("Česká republika", Some("CZ")),
        ("ČR", Some("CZ")),
        ("Tschechien", Some("CZ")),
        ("Slovensko", Some("SK")),
        ("Deutschland", Some("DE")),
        ("Allemagne", Some("DE")),
        ("Österreich", Some("AT")),
        ("Schweiz", Some("CH")),
        ("France", Some("FR")),
        ("FRA", Some("FR")),
        ("Francie", Some("FR")),
        ("The Netherlands", Some("NL")),
        ("Holland", Some("NL")),
        ("Norge", Some("NO")),
        ("Norway", Some("NO")),
        ("NOR", Some("NO")),
        ("Sverige", Some("SE")),
        ("Danmark", Some("DK")),
        ("Suomi", Some("FI")),
        ("FIN", Some("FI")),
        ("Eesti", Some("EE")),
        ("UK", Some("GB")),
        ("United Kingdom", Some("GB")),
        ("England", Some("GB")),
        ("Great Britain", Some("GB")),
        ("USA", Some("US")),
        ("U.S.", Some("US")),
        ("United States of America", Some("US")),
        ("Spojené státy", Some("US")),
        ("Singapore", Some("SG")),
        ("SGP", Some("SG")),
        ("Polska", Some("PL")),
        ("España", Some("ES")),
        ("Magyarország", Some("HU")),
        ("  italia ", Some("IT")),
        ("Korea, Republic of", Some("KR")),
        ("Atlantis", None),
        ("", None),
        ("--", None),
    ];

    #[test]
    fn table_of_cases() {
        for &(input, want) in CASES {
            assert_eq!(country_code(input), want, "{input:?}");
        }
    }

    #[test]
    fn no_name_means_two_countries() {
        let mut seen: HashMap<String, &str> = HashMap::new();
        for row in tsv_rows(include_str!("../../data/normalize/countries.tsv")) {
            let names = row[..3]
                .iter()
                .copied()
                .chain(row.get(3).map(|r| list(r)).into_iter().flatten());
            for n in names {
                if let Some(other) = seen.insert(country_key(n), row[0]) {
                    assert_eq!(other, row[0], "{n:?} names {other} and {}", row[0]);
                }
            }
        }
    }

    #[test]
    fn every_country_of_the_sample_companies_is_known() {
        for row in read_csv("companies.csv") {
            let c = &row["Country"];
            assert!(country_code(c).is_some(), "{c:?}");
        }
    }
}
