//! Country names and codes as people type them → ISO 3166-1 alpha-2: the shared
//! normalizer of `leadgen_core::normalize`, plus the few spellings seen in exports
//! that it does not know. Anything else is kept as text.

use super::keys::fold;

/// Spellings `leadgen_core::normalize::country_code` does not resolve (folded).
const EXTRA: &[(&str, &str)] = &[("ger", "DE")];

/// The ISO alpha-2 code of a country name or code (`"Norge"` → `NO`, `"FRA"` → `FR`).
///
/// ```
/// use leadgen_stages::import::country::country_code;
/// assert_eq!(country_code("Czech Republic"), Some("CZ"));
/// assert_eq!(country_code("Suomi"), Some("FI"));
/// assert_eq!(country_code("Atlantis"), None);
/// ```
pub fn country_code(raw: &str) -> Option<&'static str> {
    if let Some(code) = leadgen_core::normalize::country_code(raw) {
        return Some(code);
    }
    let key = fold(raw);
    EXTRA.iter().find(|(k, _)| *k == key).map(|(_, code)| *code)
}

#[cfg(test)]
mod tests {
    use super::country_code;

    /// Every spelling the importer's own table used to know still resolves.
    #[test]
    fn spellings_of_the_former_table_still_resolve() {
        let cases = [
            ("CZ", "CZ"),
            ("cze", "CZ"),
            ("Czechia", "CZ"),
            ("Czech Republic", "CZ"),
            ("Česko", "CZ"),
            ("Česká republika", "CZ"),
            ("ČR", "CZ"),
            ("Tschechien", "CZ"),
            ("République tchèque", "CZ"),
            ("Tsjekkia", "CZ"),
            ("Tšekki", "CZ"),
            ("Slovensko", "SK"),
            ("Slowakei", "SK"),
            ("Norge", "NO"),
            ("Noreg", "NO"),
            ("Norsko", "NO"),
            ("Norja", "NO"),
            ("Suomi", "FI"),
            ("Finsko", "FI"),
            ("Sverige", "SE"),
            ("Ruotsi", "SE"),
            ("Danmark", "DK"),
            ("Tanska", "DK"),
            ("FRA", "FR"),
            ("France", "FR"),
            ("Francie", "FR"),
            ("Frankreich", "FR"),
            ("GER", "DE"),
            ("Deutschland", "DE"),
            ("Německo", "DE"),
            ("Allemagne", "DE"),
            ("Pays-Bas", "NL"),
            ("Nizozemsko", "NL"),
            ("United Kingdom", "GB"),
            ("Great Britain", "GB"),
            ("UK", "GB"),
            ("Velká Británie", "GB"),
            ("Royaume-Uni", "GB"),
            ("United States", "US"),
            ("USA", "US"),
            ("United States of America", "US"),
            ("Spojené státy", "US"),
            ("États-Unis", "US"),
            ("Vereinigte Staaten", "US"),
            ("Singapore", "SG"),
            ("Österreich", "AT"),
            ("Polska", "PL"),
            ("España", "ES"),
            ("Italia", "IT"),
            ("Eesti", "EE"),
            ("Viro", "EE"),
        ];
        for (raw, want) in cases {
            assert_eq!(country_code(raw), Some(want), "{raw}");
        }
        assert_eq!(country_code("Atlantis"), None);
        assert_eq!(country_code(""), None);
    }
}
