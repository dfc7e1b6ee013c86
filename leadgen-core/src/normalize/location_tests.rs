use super::*;
use crate::normalize::test_data::read_csv;

/// (input, city, region, country)
type Case = (
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

const CASES: &[Case] = &[
    ("NYC", Some("New York"), Some("NY"), Some("US")),
    ("New York, NY", Some("New York"), Some("NY"), Some("US")),
    (
        "New York City Metropolitan Area",
        Some("New York"),
        Some("NY"),
        Some("US"),
    ),
    ("SF", Some("San Francisco"), Some("CA"), Some("US")),
    (
        "San Francisco, CA",
        Some("San Francisco"),
        Some("CA"),
        Some("US"),
    ),
    (
        "San Francisco Bay Area",
        Some("San Francisco"),
        Some("CA"),
        Some("US"),
    ),
    ("Boston, MA", Some("Boston"), Some("MA"), Some("US")),
    ("Chicago, IL", Some("Chicago"), Some("IL"), Some("US")),
    (
        "Seattle, Washington, United States",
        Some("Seattle"),
        Some("WA"),
        Some("US"),
    ),
    (
        "Springfield, IL, USA",
        Some("Springfield"),
        Some("IL"),
        Some("US"),
    ),
    ("Praha", Some("Prague"), None, Some("CZ")),
    ("Praha 5", Some("Prague"), None, Some("CZ")),
    ("Praha, Česko", Some("Prague"), None, Some("CZ")),
    ("Prague, Czechia", Some("Prague"), None, Some("CZ")),
    ("Brno-střed", Some("Brno"), None, Some("CZ")),
    ("Ostrava-Poruba", Some("Ostrava"), None, Some("CZ")),
    ("Hradec Kralove", Some("Hradec Králové"), None, Some("CZ")),
    ("Pilsen", Some("Plzeň"), None, Some("CZ")),
    ("Muenchen", Some("Munich"), None, Some("DE")),
    ("Koeln", Some("Cologne"), None, Some("DE")),
    (
        "Frankfurt/Main",
        Some("Frankfurt am Main"),
        None,
        Some("DE"),
    ),
    ("Berlin, Germany", Some("Berlin"), None, Some("DE")),
    ("Paris 8e", Some("Paris"), None, Some("FR")),
    ("Lyon 3e", Some("Lyon"), None, Some("FR")),
    (
        "Paris, Île-de-France",
        Some("Paris"),
        Some("Île-de-France"),
        Some("FR"),
    ),
    (
        "Greater Paris Metropolitan Region",
        Some("Paris"),
        None,
        Some("FR"),
    ),
    ("Helsingfors", Some("Helsinki"), None, Some("FI")),
    ("Tammerfors", Some("Tampere"), None, Some("FI")),
    ("Åbo", Some("Turku"), None, Some("FI")),
    ("Jyvaskyla", Some("Jyväskylä"), None, Some("FI")),
    ("Oslo, Oslo, Norway", Some("Oslo"), None, Some("NO")),
    (
        "Stavanger, Rogaland",
        Some("Stavanger"),
        Some("Rogaland"),
        Some("NO"),
    ),
    ("Tromso", Some("Tromsø"), None, Some("NO")),
    (
        "Greater London",
        Some("London"),
        Some("England"),
        Some("GB"),
    ),
    (
        "London, England, United Kingdom",
        Some("London"),
        Some("England"),
        Some("GB"),
    ),
    (
        "Edinburgh, Scotland",
        Some("Edinburgh"),
        Some("Scotland"),
        Some("GB"),
    ),
    ("Singapore", Some("Singapore"), None, Some("SG")),
    ("SG", Some("Singapore"), None, Some("SG")),
    (
        "Central Region, Singapore",
        Some("Singapore"),
        None,
        Some("SG"),
    ),
    ("Cambridge, MA", Some("Cambridge"), Some("MA"), Some("US")),
    ("Germany", None, None, Some("DE")),
    (
        "Kuřim,  Jihomoravský kraj",
        Some("Kuřim"),
        Some("Jihomoravský kraj"),
        None,
    ),
    ("", None, None, None),
    (" , ; ", None, None, None),
];

#[test]
fn table_of_cases() {
    for &(input, city, region, country) in CASES {
        let got = parse_location(input);
        assert_eq!(got.city.as_deref(), city, "city of {input:?}");
        assert_eq!(got.region.as_deref(), region, "region of {input:?}");
        assert_eq!(got.country, country, "country of {input:?}");
    }
}

#[test]
fn display_and_default_country() {
    assert_eq!(
        parse_location("Washington, D.C.").to_string(),
        "Washington, DC, US"
    );
    assert_eq!(
        parse_location_in("Kuřim", Some("CZ")).to_string(),
        "Kuřim, CZ"
    );
    // A known city keeps its own country over the default.
    assert_eq!(parse_location_in("Oslo", Some("CZ")).country, Some("NO"));
    assert!(parse_location("").is_empty());
}

/// The city spellings of companies.csv resolve to the city of their entity.
#[test]
fn sample_company_cities_resolve_to_their_entity_city() {
    let truth = read_csv("truth_company_entities.csv");
    let city_of: std::collections::HashMap<&str, Location> = truth
        .iter()
        .map(|r| {
            (
                r["entity_id"].as_str(),
                parse_location_in(&r["city"], Some(&r["country"])),
            )
        })
        .collect();
    let companies = read_csv("companies.csv");
    let mut total = 0;
    let mut misses = Vec::new();
    for row in read_csv("truth_companies.csv")
        .iter()
        .filter(|r| r["file"] == "companies.csv")
    {
        let line: usize = row["row_number"].parse().unwrap();
        let input = &companies[line - 2]["City"];
        if input.is_empty() {
            continue;
        }
        total += 1;
        let want = &city_of[row["entity_id"].as_str()];
        let got = parse_location(input);
        if got.city != want.city || got.country.is_some_and(|c| Some(c) != want.country) {
            misses.push((input.clone(), got.city, want.city.clone()));
        }
    }
    assert!(total > 300);
    assert!(misses.is_empty(), "{} of {total}: {misses:?}", misses.len());
}
