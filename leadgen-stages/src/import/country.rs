//! Country names and codes as people type them → ISO 3166-1 alpha-2, for the
//! countries leadgen's users work in most. Anything else is kept as text.

use super::keys::fold;

const COUNTRIES: &[(&str, &[&str])] = &[
    (
        "CZ",
        &[
            "cz",
            "cze",
            "czechia",
            "czechrepublic",
            "cesko",
            "ceskarepublika",
            "cr",
            "tschechien",
            "republiquetcheque",
            "tsjekkia",
            "tsekki",
        ],
    ),
    (
        "SK",
        &[
            "sk",
            "svk",
            "slovakia",
            "slovensko",
            "slowakei",
            "slovaquie",
        ],
    ),
    (
        "NO",
        &[
            "no", "nor", "norway", "norge", "noreg", "norsko", "norwegen", "norvege", "norja",
        ],
    ),
    (
        "FI",
        &[
            "fi", "fin", "finland", "suomi", "finsko", "finnland", "finlande",
        ],
    ),
    (
        "SE",
        &[
            "se", "swe", "sweden", "sverige", "svedsko", "schweden", "suede", "ruotsi",
        ],
    ),
    (
        "DK",
        &[
            "dk", "dnk", "denmark", "danmark", "dansko", "danemark", "tanska",
        ],
    ),
    (
        "FR",
        &[
            "fr",
            "fra",
            "france",
            "francie",
            "frankreich",
            "frankrike",
            "ranska",
        ],
    ),
    (
        "DE",
        &[
            "de",
            "deu",
            "ger",
            "germany",
            "deutschland",
            "nemecko",
            "allemagne",
            "tyskland",
            "saksa",
        ],
    ),
    (
        "AT",
        &["at", "aut", "austria", "osterreich", "rakousko", "autriche"],
    ),
    (
        "PL",
        &[
            "pl", "pol", "poland", "polska", "polsko", "polen", "pologne",
        ],
    ),
    (
        "NL",
        &[
            "nl",
            "nld",
            "netherlands",
            "nederland",
            "holland",
            "nizozemsko",
            "paysbas",
        ],
    ),
    (
        "BE",
        &["be", "bel", "belgium", "belgie", "belgique", "belgien"],
    ),
    (
        "CH",
        &["ch", "che", "switzerland", "schweiz", "suisse", "svycarsko"],
    ),
    (
        "GB",
        &[
            "gb",
            "gbr",
            "uk",
            "unitedkingdom",
            "greatbritain",
            "england",
            "scotland",
            "wales",
            "britain",
            "velkabritanie",
            "royaumeuni",
            "storbritannia",
        ],
    ),
    ("IE", &["ie", "irl", "ireland", "irsko"]),
    (
        "US",
        &[
            "us",
            "usa",
            "unitedstates",
            "unitedstatesofamerica",
            "america",
            "spojenestaty",
            "usa",
            "etatsunis",
            "vereinigtestaaten",
        ],
    ),
    ("CA", &["ca", "can", "canada", "kanada"]),
    ("SG", &["sg", "sgp", "singapore", "singapur", "singapour"]),
    (
        "ES",
        &[
            "es",
            "esp",
            "spain",
            "espana",
            "spanelsko",
            "espagne",
            "spanien",
        ],
    ),
    ("IT", &["it", "ita", "italy", "italia", "italie", "italien"]),
    ("EE", &["ee", "est", "estonia", "eesti", "viro"]),
];

/// The ISO alpha-2 code of a country name or code (`"Norge"` → `NO`, `"FRA"` → `FR`).
///
/// ```
/// use leadgen_stages::import::country::country_code;
/// assert_eq!(country_code("Czech Republic"), Some("CZ"));
/// assert_eq!(country_code("Suomi"), Some("FI"));
/// assert_eq!(country_code("Atlantis"), None);
/// ```
pub fn country_code(raw: &str) -> Option<&'static str> {
    let key = fold(raw);
    if key.is_empty() {
        return None;
    }
    COUNTRIES
        .iter()
        .find(|(_, names)| names.contains(&key.as_str()))
        .map(|(code, _)| *code)
}
