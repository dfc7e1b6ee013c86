//! Locations: "City, Region, Country" text → a canonical city, a region and an ISO
//! country code.
//!
//! The city table (`data/normalize/cities.tsv`) maps local names, exonyms and
//! nicknames (`NYC`, `SF`, `Praha`, `München`, `Helsingfors`) to one canonical name
//! with its country. Metro-area labels (`Greater London`, `San Francisco Bay Area`,
//! `New York City Metropolitan Area`) and city districts (`Praha 5`, `Paris 8e`,
//! `Brno-střed`) are reduced to the city. A two-letter US state or Canadian province
//! after a city (`Austin, TX`) places it in that country, so `Boston, MA` is not
//! Morocco.
//!
//! Unlike geocoders (`geopy`, libpostal) this never guesses: an unknown city is kept
//! as written (whitespace tidied), and nothing is looked up over the network.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use super::country::country_code;
use super::text::{collapse_whitespace, fold, list, tsv_rows};

/// A parsed location.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// The city: canonical when known ("Prague"), else as written.
    pub city: Option<String>,
    /// The region (state, county, land) as written, or the table's default for a
    /// known city ("NY" for New York).
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Option<&'static str>,
}

impl Location {
    /// Whether nothing was recognized.
    pub fn is_empty(&self) -> bool {
        self.city.is_none() && self.region.is_none() && self.country.is_none()
    }
}

impl fmt::Display for Location {
    /// "City, Region, CC", leaving out the parts that are unknown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = [self.city.as_deref(), self.region.as_deref(), self.country];
        let mut first = true;
        for part in parts.into_iter().flatten() {
            if !first {
                f.write_str(", ")?;
            }
            f.write_str(part)?;
            first = false;
        }
        Ok(())
    }
}

#[derive(Debug)]
struct City {
    name: &'static str,
    region: Option<&'static str>,
    country: &'static str,
}

#[derive(Debug)]
struct Places {
    cities: Vec<City>,
    /// Folded name or alias → index into `cities`.
    city_by_key: HashMap<String, usize>,
    /// Folded state/province code or name → (code, country).
    states: HashMap<String, (&'static str, &'static str)>,
}

static PLACES: LazyLock<Places> = LazyLock::new(|| {
    let mut cities = Vec::new();
    let mut city_by_key = HashMap::new();
    for row in tsv_rows(include_str!("../../data/normalize/cities.tsv")) {
        let [name, region, country, rest @ ..] = row.as_slice() else {
            continue;
        };
        let index = cities.len();
        cities.push(City {
            name,
            region: Some(*region).filter(|r| !r.is_empty()),
            country,
        });
        let names =
            std::iter::once(*name).chain(rest.first().map(|r| list(r)).into_iter().flatten());
        for n in names {
            city_by_key.entry(place_key(n)).or_insert(index);
        }
    }
    let mut states = HashMap::new();
    for row in tsv_rows(include_str!("../../data/normalize/us_states.tsv")) {
        let [code, country, rest @ ..] = row.as_slice() else {
            continue;
        };
        let names =
            std::iter::once(*code).chain(rest.first().map(|r| list(r)).into_iter().flatten());
        for n in names {
            states.entry(place_key(n)).or_insert((*code, *country));
        }
    }
    Places {
        cities,
        city_by_key,
        states,
    }
});

/// The lookup key of a place name: folded, letters and digits only, single spaces.
fn place_key(s: &str) -> String {
    let folded = fold(s);
    let mut out = String::with_capacity(folded.len());
    let mut space = false;
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
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

/// Metro-area wording around a city name, removed before lookup.
const AREA_PREFIXES: &[&str] = &["greater "];
const AREA_SUFFIXES: &[&str] = &[
    " city metropolitan area",
    " metropolitan area",
    " metropolitan region",
    " metro area",
    " bay area",
    " area",
    " region",
    " metro",
];

/// Finds a known city for `text`, trying the text itself, then without metro-area
/// wording, then without a district (`Praha 5`, `Paris 8e`, `Brno-střed`).
fn find_city(text: &str) -> Option<&'static City> {
    let places = &*PLACES;
    let lookup = |key: &str| places.city_by_key.get(key).map(|&i| &places.cities[i]);
    let key = place_key(text);
    if key.is_empty() {
        return None;
    }
    if let Some(city) = lookup(&key) {
        return Some(city);
    }
    let mut reduced = key.as_str();
    for p in AREA_PREFIXES {
        reduced = reduced.strip_prefix(p).unwrap_or(reduced);
    }
    for s in AREA_SUFFIXES {
        reduced = reduced.strip_suffix(s).unwrap_or(reduced);
    }
    if let Some(city) = lookup(reduced) {
        return Some(city);
    }
    // A district: the words before a number or a dash ("praha 5", "paris 8e",
    // "ostrava poruba" from "Ostrava-Poruba").
    let words: Vec<&str> = reduced.split(' ').collect();
    for n in (1..words.len()).rev().take(3) {
        let is_district = words[n].starts_with(|c: char| c.is_ascii_digit()) || text.contains('-');
        if is_district && let Some(city) = lookup(&words[..n].join(" ")) {
            return Some(city);
        }
    }
    None
}

/// A US state or Canadian province named by `text`: (code, country).
fn find_state(text: &str) -> Option<(&'static str, &'static str)> {
    PLACES.states.get(&place_key(text)).copied()
}

/// Parses "City, Region, Country" text.
///
/// ```
/// use leadgen_core::normalize::parse_location;
/// let nyc = parse_location("NYC");
/// assert_eq!(nyc.to_string(), "New York, NY, US");
/// let prague = parse_location("Praha 5, Česko");
/// assert_eq!(prague.city.as_deref(), Some("Prague"));
/// assert_eq!(prague.country, Some("CZ"));
/// ```
pub fn parse_location(text: &str) -> Location {
    parse_location_in(text, None)
}

/// Parses "City, Region, Country" text; `default_country` (ISO alpha-2) applies
/// when the text names no country and its city is unknown.
///
/// ```
/// use leadgen_core::normalize::parse_location_in;
/// let loc = parse_location_in("Kuřim", Some("CZ"));
/// assert_eq!(loc.to_string(), "Kuřim, CZ");
/// ```
pub fn parse_location_in(text: &str, default_country: Option<&str>) -> Location {
    let mut parts: Vec<String> = text
        .split([',', ';', '\n'])
        .map(collapse_whitespace)
        .filter(|p| !p.is_empty())
        .collect();
    let mut loc = Location::default();
    if parts.is_empty() {
        return loc;
    }

    // The country: the last part, unless it is the only part and a city
    // ("Singapore" is both; "New York" is not a country anyway).
    if let Some(last) = parts.last() {
        let code = country_code(last);
        let only_part_is_city = parts.len() == 1 && find_city(last).is_some();
        if let Some(code) = code.filter(|_| !only_part_is_city) {
            // "Boston, MA", "Chicago, IL": a state code after a city, not a country.
            let state = (parts.len() == 2 && last.len() == 2)
                .then(|| find_state(last))
                .flatten();
            match state {
                Some((state, country)) => {
                    loc.region = Some(state.to_string());
                    loc.country = country_code(country);
                }
                None => loc.country = Some(code),
            }
            parts.pop();
        }
    }
    if parts.is_empty() {
        return loc;
    }

    let city_text = parts.remove(0);
    // The remaining parts are regions; a US state or Canadian province also gives
    // the country.
    if loc.region.is_none()
        && let Some(region) = parts.first()
    {
        match find_state(region) {
            Some((code, country))
                if region.len() == 2 || loc.country.is_none_or(|c| c == country) =>
            {
                loc.region = Some(code.to_string());
                loc.country = loc.country.or(country_code(country));
            }
            _ => loc.region = Some(region.clone()),
        }
    }

    match find_city(&city_text) {
        Some(city) if loc.country.is_none_or(|c| c == city.country) => {
            loc.city = Some(city.name.to_string());
            loc.country = country_code(city.country);
            if loc.region.is_none() {
                loc.region = city.region.map(str::to_string);
            }
        }
        _ => {
            loc.city = Some(city_text);
            if loc.country.is_none() {
                loc.country = default_country.and_then(country_code);
            }
        }
    }
    // "Oslo, Oslo, Norway": a region that repeats the city says nothing.
    if let (Some(city), Some(region)) = (&loc.city, &loc.region)
        && place_key(city) == place_key(region)
    {
        loc.region = None;
    }
    // A city-state named only by its country ("SG", "Singapore").
    if loc.city.is_none() && loc.country == Some("SG") {
        loc.city = Some("Singapore".to_string());
    }
    loc
}

/// The canonical name of a known city ("Praha" → "Prague", "NYC" → "New York").
///
/// ```
/// use leadgen_core::normalize::location::canonical_city;
/// assert_eq!(canonical_city("Helsingfors"), Some("Helsinki"));
/// assert_eq!(canonical_city("Gotham"), None);
/// ```
pub fn canonical_city(name: &str) -> Option<&'static str> {
    find_city(name).map(|c| c.name)
}

#[cfg(test)]
#[path = "location_tests.rs"]
mod tests;
