//! Column mapping: which column holds which contact or company field.
//!
//! Sources, strongest first: a user override (JSON/TOML or API), a detected
//! [`Preset`], header synonyms in English, Czech, German, French, Norwegian and
//! Finnish, fuzzy header matching (`strsim`), content sniffing (a column full of
//! emails is the email column), and optionally an [`LlmProvider`] for headers
//! nothing else resolves. Each mapped column carries a confidence.

use std::collections::BTreeMap;
use std::path::Path;

use leadgen_core::providers::{ChatMessage, ChatRequest, ChatRole, LlmProvider};
use serde::{Deserialize, Serialize};

use super::error::ImportError;
use super::keys::{canonical_linkedin_url, domain_of, fold, normalize_email};
use super::presets::Preset;
use super::table::Table;

/// A field a column can map to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Field {
    /// Contact given name.
    FirstName,
    /// Contact family name.
    LastName,
    /// Contact full name (split into first/last when those are absent).
    FullName,
    /// Contact email.
    Email,
    /// Email status (`valid`, `invalid`, …) as leadgen exports it.
    EmailStatus,
    /// Job title.
    Title,
    /// Normalized job title, as leadgen exports it.
    NormalizedTitle,
    /// Seniority, as leadgen exports it.
    Seniority,
    /// Department, as leadgen exports it.
    Department,
    /// LinkedIn profile URL.
    LinkedinUrl,
    /// Phone number.
    Phone,
    /// City (contact location, or company HQ in a company table).
    City,
    /// Location text.
    Location,
    /// Country (contact, or company in a company table).
    Country,
    /// Company name.
    CompanyName,
    /// Company domain.
    CompanyDomain,
    /// Company website.
    CompanyWebsite,
    /// Company LinkedIn page.
    CompanyLinkedinUrl,
    /// Company country.
    CompanyCountry,
    /// Company location / HQ.
    CompanyLocation,
    /// National registry id (IČO, orgnr, Y-tunnus, SIREN, UEN…).
    RegistryId,
    /// VAT id.
    VatId,
    /// Industry.
    Industry,
    /// Employee count or band.
    CompanySize,
    /// Where the record came from, as leadgen exports it.
    Source,
}

impl Field {
    /// Every field.
    pub const ALL: [Field; 25] = [
        Field::FirstName,
        Field::LastName,
        Field::FullName,
        Field::Email,
        Field::EmailStatus,
        Field::Title,
        Field::NormalizedTitle,
        Field::Seniority,
        Field::Department,
        Field::LinkedinUrl,
        Field::Phone,
        Field::City,
        Field::Location,
        Field::Country,
        Field::CompanyName,
        Field::CompanyDomain,
        Field::CompanyWebsite,
        Field::CompanyLinkedinUrl,
        Field::CompanyCountry,
        Field::CompanyLocation,
        Field::RegistryId,
        Field::VatId,
        Field::Industry,
        Field::CompanySize,
        Field::Source,
    ];

    /// The snake_case name (`first_name`), as used in overrides and exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::FullName => "full_name",
            Field::Email => "email",
            Field::EmailStatus => "email_status",
            Field::Title => "title",
            Field::NormalizedTitle => "normalized_title",
            Field::Seniority => "seniority",
            Field::Department => "department",
            Field::LinkedinUrl => "linkedin_url",
            Field::Phone => "phone",
            Field::City => "city",
            Field::Location => "location",
            Field::Country => "country",
            Field::CompanyName => "company_name",
            Field::CompanyDomain => "company_domain",
            Field::CompanyWebsite => "company_website",
            Field::CompanyLinkedinUrl => "company_linkedin_url",
            Field::CompanyCountry => "company_country",
            Field::CompanyLocation => "company_location",
            Field::RegistryId => "registry_id",
            Field::VatId => "vat_id",
            Field::Industry => "industry",
            Field::CompanySize => "company_size",
            Field::Source => "source",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(s: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.as_str() == s.trim())
    }

    /// Whether the field describes a person (its presence makes a row a contact).
    pub fn is_person(self) -> bool {
        matches!(
            self,
            Field::FirstName
                | Field::LastName
                | Field::FullName
                | Field::Email
                | Field::Title
                | Field::LinkedinUrl
        )
    }

    /// Whether a synonym found inside a longer header is evidence ("Work email
    /// address"); for names and places it is not ("Contact owner", "Company city").
    fn matches_inside_longer_headers(self) -> bool {
        matches!(
            self,
            Field::Email
                | Field::Phone
                | Field::LinkedinUrl
                | Field::CompanyName
                | Field::CompanyWebsite
                | Field::RegistryId
                | Field::VatId
        )
    }

    /// Folded header synonyms, in English, Czech, German, French, Norwegian, Finnish.
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::FirstName => &[
                "firstname",
                "first",
                "givenname",
                "forename",
                "fname",
                "jmeno",
                "krestnijmeno",
                "vorname",
                "prenom",
                "fornavn",
                "etunimi",
            ],
            Field::LastName => &[
                "lastname",
                "surname",
                "familyname",
                "lname",
                "prijmeni",
                "nachname",
                "nom",
                "nomdefamille",
                "etternavn",
                "sukunimi",
            ],
            Field::FullName => &[
                "name",
                "fullname",
                "contact",
                "contactname",
                "contactperson",
                "kontakt",
                "kontaktperson",
                "jmenoaprijmeni",
                "celejmeno",
                "displayname",
                "navn",
                "fulltnavn",
                "nimi",
                "kokonimi",
                "nomcomplet",
                "vollername",
                "person",
            ],
            Field::Email => &[
                "email",
                "emailaddress",
                "mail",
                "email1",
                "emailvalue",
                "email1value",
                "workemail",
                "businessemail",
                "primaryemail",
                "emailadresa",
                "emailovaadresa",
                "emailadresse",
                "epost",
                "epostadresse",
                "sahkoposti",
                "sahkopostiosoite",
                "courriel",
                "adresseemail",
                "adressemail",
                "mel",
            ],
            Field::EmailStatus => &["emailstatus"],
            Field::Title => &[
                "title",
                "jobtitle",
                "position",
                "role",
                "job",
                "jobrole",
                "funkce",
                "pozice",
                "pracovnipozice",
                "stilling",
                "stillingstittel",
                "tittel",
                "tehtava",
                "tehtavanimike",
                "nimike",
                "titteli",
                "poste",
                "fonction",
                "intitule",
                "intituledeposte",
                "beruf",
                "jobbezeichnung",
                "funktion",
                "occupation",
                "designation",
                "organizationtitle",
            ],
            Field::NormalizedTitle => &["normalizedtitle"],
            Field::Seniority => &["seniority"],
            Field::Department => &["department", "oddeleni", "abteilung", "avdeling", "osasto"],
            Field::LinkedinUrl => &[
                "linkedin",
                "linkedinurl",
                "linkedinprofile",
                "linkedinprofil",
                "linkedinprofileurl",
                "personlinkedinurl",
                "linkedinlink",
                "linkedinprofilurl",
            ],
            Field::Phone => &[
                "phone",
                "phonenumber",
                "telephone",
                "tel",
                "telefon",
                "telefonnicislo",
                "mobile",
                "mobil",
                "mobilephone",
                "mobilephonenumber",
                "cellphone",
                "cell",
                "mobiltelefon",
                "mobilnummer",
                "handy",
                "puhelin",
                "puhelinnumero",
                "matkapuhelin",
                "portable",
                "telephoneportable",
                "workphone",
                "directphone",
                "phone1value",
                "telefonnummer",
            ],
            Field::City => &[
                "city",
                "town",
                "mesto",
                "obec",
                "stadt",
                "ort",
                "ville",
                "by",
                "kaupunki",
                "poststed",
                "paikkakunta",
            ],
            Field::Location => &[
                "location", "address", "adresa", "lokalita", "sted", "sijainti", "lieu",
                "standort", "adresse", "osoite",
            ],
            Field::Country => &["country", "countryregion", "zeme", "land", "pays", "maa"],
            Field::CompanyName => &[
                "company",
                "companyname",
                "organization",
                "organisation",
                "organizationname",
                "firma",
                "spolecnost",
                "nazevfirmy",
                "unternehmen",
                "entreprise",
                "societe",
                "selskap",
                "firmanavn",
                "yritys",
                "organisaatio",
                "account",
                "accountname",
                "employer",
                "zamestnavatel",
                "arbeitgeber",
                "companyorg",
            ],
            Field::CompanyDomain => &[
                "domain",
                "companydomain",
                "domena",
                "domaine",
                "domene",
                "verkkotunnus",
            ],
            Field::CompanyWebsite => &[
                "website",
                "web",
                "www",
                "homepage",
                "webpage",
                "websiteurl",
                "companywebsite",
                "webovestranky",
                "webseite",
                "siteweb",
                "nettside",
                "hjemmeside",
                "kotisivu",
                "verkkosivu",
                "verkkosivut",
            ],
            Field::CompanyLinkedinUrl => &[
                "companylinkedinurl",
                "companylinkedin",
                "linkedincompany",
                "linkedincompanyurl",
            ],
            Field::CompanyCountry => &["companycountry"],
            Field::CompanyLocation => &["companylocation", "headquarters", "hq", "sidlo"],
            Field::RegistryId => &[
                "registryid",
                "registrationnumber",
                "companynumber",
                "companyregistrationnumber",
                "ico",
                "orgnr",
                "organisasjonsnummer",
                "ytunnus",
                "siren",
                "siret",
                "uen",
                "handelsregister",
                "hrb",
                "regnr",
                "crn",
                "businessid",
            ],
            Field::VatId => &[
                "vat",
                "vatid",
                "vatnumber",
                "dic",
                "ustidnr",
                "tva",
                "numerotva",
                "mva",
                "alvnumero",
            ],
            Field::Industry => &[
                "industry", "sector", "obor", "odvetvi", "branche", "secteur", "bransje",
                "toimiala",
            ],
            Field::CompanySize => &[
                "employees",
                "employeecount",
                "numberofemployees",
                "companysize",
                "size",
                "headcount",
                "pocetzamestnancu",
                "zamestnanci",
                "mitarbeiter",
                "effectif",
                "ansatte",
                "henkilosto",
                "henkilostomaara",
            ],
            Field::Source => &["source", "leadsource", "zdroj", "quelle"],
        }
    }
}

/// Folded headers that look like a field but are not one (the Czech `Titul` is an
/// academic title, not a job title).
const NOT_FIELDS: &[&str] = &[
    "titul",
    "titel",
    "tituly",
    "anrede",
    "salutation",
    "prefix",
    "nameprefix",
];

/// How a column's mapping was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MatchMethod {
    /// The user said so.
    User,
    /// A detected or chosen preset.
    Preset,
    /// The header is a known synonym.
    Synonym,
    /// The header is close to a known synonym.
    Fuzzy,
    /// The values look like the field (emails, LinkedIn URLs, phones).
    Content,
    /// An LLM suggested it.
    Llm,
    /// Nothing matched: the column is kept as an attribute.
    Unmapped,
    /// The user asked to drop the column.
    Ignored,
}

/// One column and what it maps to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MappedColumn {
    /// 0-based column index.
    pub index: usize,
    /// The header.
    pub header: String,
    /// The field, or `None` when the column is kept as an attribute (or ignored).
    pub field: Option<Field>,
    /// Confidence in the mapping, 0.0–1.0 (1.0 for user and preset mappings).
    pub confidence: f32,
    /// How it was decided.
    pub method: MatchMethod,
}

/// The mapping of every column of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnMapping {
    /// The preset used, if any.
    pub preset: Option<Preset>,
    /// One entry per column, in column order.
    pub columns: Vec<MappedColumn>,
}

impl ColumnMapping {
    /// The column mapped to `field`, if any.
    pub fn column_of(&self, field: Field) -> Option<&MappedColumn> {
        self.columns.iter().find(|c| c.field == Some(field))
    }

    /// Whether any person field is mapped.
    pub fn has_person_fields(&self) -> bool {
        self.columns
            .iter()
            .any(|c| c.field.is_some_and(Field::is_person))
    }

    /// Whether any field at all is mapped.
    pub fn has_fields(&self) -> bool {
        self.columns.iter().any(|c| c.field.is_some())
    }
}

/// What a user says about one column in an override.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ColumnTarget {
    /// A field name (`email`), `ignore` (drop the column) or `attribute` (keep as is).
    Name(String),
}

/// A user's mapping override, from a small JSON or TOML file or built in code.
///
/// ```
/// use leadgen_stages::import::{MappingOverride, Field};
/// let m = MappingOverride::from_toml_str(r#"
/// preset = "apollo"
/// [columns]
/// "Kontaktní e-mail" = "email"
/// "Interní poznámka" = "ignore"
/// "Zdroj leadu" = "attribute"
/// "#, "m.toml").unwrap();
/// assert_eq!(m.columns["Kontaktní e-mail"], "email");
/// assert_eq!(m.preset.as_deref(), Some("apollo"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingOverride {
    /// A preset to use instead of detection.
    #[serde(default)]
    pub preset: Option<String>,
    /// Header → field name, `ignore` or `attribute`.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
}

impl MappingOverride {
    /// Parses and checks a JSON override.
    pub fn from_json_str(s: &str, origin: &str) -> Result<Self, ImportError> {
        let m: MappingOverride = serde_json::from_str(s).map_err(|e| ImportError::Mapping {
            origin: origin.into(),
            reason: e.to_string(),
        })?;
        m.validate(origin)
    }

    /// Parses and checks a TOML override.
    pub fn from_toml_str(s: &str, origin: &str) -> Result<Self, ImportError> {
        let m: MappingOverride = toml::from_str(s).map_err(|e| ImportError::Mapping {
            origin: origin.into(),
            reason: e.to_string(),
        })?;
        m.validate(origin)
    }

    /// Reads an override file: `.toml` as TOML, anything else as JSON.
    pub fn from_file(path: &Path) -> Result<Self, ImportError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ImportError::Io {
            file: origin.clone(),
            source,
        })?;
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
        {
            Self::from_toml_str(&text, &origin)
        } else {
            Self::from_json_str(&text, &origin)
        }
    }

    fn validate(self, origin: &str) -> Result<Self, ImportError> {
        for (header, target) in &self.columns {
            if !matches!(target.as_str(), "ignore" | "attribute") && Field::parse(target).is_none()
            {
                return Err(ImportError::Mapping {
                    origin: origin.into(),
                    reason: format!(
                        "column {header:?}: unknown target {target:?} (use a field name, \"ignore\" or \"attribute\"; fields: {})",
                        Field::ALL.map(Field::as_str).join(", ")
                    ),
                });
            }
        }
        if let Some(p) = &self.preset {
            Preset::parse(p)?;
        }
        Ok(self)
    }
}

/// What the values of a column look like.
#[derive(Debug, Default, Clone, Copy)]
struct ContentProfile {
    samples: usize,
    emails: usize,
    linkedin_people: usize,
    linkedin_companies: usize,
    domains: usize,
    phones: usize,
}

/// Whether `v` contains "linkedin" in any ASCII case (every LinkedIn URL does).
fn mentions_linkedin(v: &str) -> bool {
    v.as_bytes()
        .windows(8)
        .any(|w| w.eq_ignore_ascii_case(b"linkedin"))
}

impl ContentProfile {
    fn of(table: &Table, column: usize) -> Self {
        let mut p = ContentProfile::default();
        for row in table.rows.iter() {
            let Some(v) = row.get(column).map(str::trim) else {
                continue;
            };
            if v.is_empty() {
                continue;
            }
            p.samples += 1;
            // Cheap byte checks first: most cells are neither emails nor LinkedIn URLs,
            // and the full parsers allocate.
            if v.contains('@') && normalize_email(v).is_ok() {
                p.emails += 1;
            }
            let linkedin = mentions_linkedin(v)
                .then(|| canonical_linkedin_url(v))
                .flatten();
            match linkedin {
                Some(u) if u.contains("/company/") => p.linkedin_companies += 1,
                Some(_) => p.linkedin_people += 1,
                None => {
                    if !v.contains('@') && !v.contains(' ') && domain_of(v).is_some() {
                        p.domains += 1;
                    }
                }
            }
            let digits = v.chars().filter(char::is_ascii_digit).count();
            if (7..=16).contains(&digits)
                && v.chars()
                    .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
            {
                p.phones += 1;
            }
            if p.samples >= 200 {
                break;
            }
        }
        p
    }

    fn ratio(&self, n: usize) -> f32 {
        if self.samples == 0 {
            0.0
        } else {
            n as f32 / self.samples as f32
        }
    }
}

struct Candidate {
    column: usize,
    field: Field,
    confidence: f32,
    method: MatchMethod,
}

/// Maps a table's columns.
///
/// `preset` forces a preset (else one is detected from the headers); `overrides`
/// wins over everything.
pub fn infer_mapping(
    table: &Table,
    preset: Option<Preset>,
    overrides: Option<&MappingOverride>,
) -> Result<ColumnMapping, ImportError> {
    let preset = match preset {
        Some(p) => {
            p.check_headers(&table.file, &table.headers)?;
            Some(p)
        }
        None => match overrides.and_then(|o| o.preset.as_deref()) {
            Some(name) => {
                let p = Preset::parse(name)?;
                p.check_headers(&table.file, &table.headers)?;
                Some(p)
            }
            None => Preset::detect(&table.headers),
        },
    };
    let mut columns: Vec<MappedColumn> = table
        .headers
        .iter()
        .enumerate()
        .map(|(index, header)| MappedColumn {
            index,
            header: header.clone(),
            field: None,
            confidence: 0.0,
            method: MatchMethod::Unmapped,
        })
        .collect();
    let mut candidates = Vec::new();
    let user: BTreeMap<String, &String> = overrides
        .map(|o| o.columns.iter().map(|(k, v)| (fold(k), v)).collect())
        .unwrap_or_default();
    for (i, header) in table.headers.iter().enumerate() {
        let folded = fold(header);
        if let Some(target) = user.get(&folded) {
            match target.as_str() {
                "ignore" => columns[i].method = MatchMethod::Ignored,
                "attribute" => columns[i].method = MatchMethod::User,
                name => {
                    if let Some(field) = Field::parse(name) {
                        candidates.push(Candidate {
                            column: i,
                            field,
                            confidence: 2.0,
                            method: MatchMethod::User,
                        });
                    }
                }
            }
            continue;
        }
        if let Some(p) = preset {
            if p.ignores(header) {
                columns[i].method = MatchMethod::Ignored;
            } else if let Some(field) = p.field_for(header) {
                candidates.push(Candidate {
                    column: i,
                    field,
                    confidence: 1.5,
                    method: MatchMethod::Preset,
                });
            }
            continue;
        }
        header_candidates(i, &folded, &mut candidates);
        // "IČO / Reg. č.", "DIČ / VAT", "Company/Org": each part may name the field.
        let parts: Vec<&str> = header.split(['/', '|', '(', ')']).collect();
        if parts.len() > 1 {
            for part in parts {
                let folded_part = fold(part);
                if folded_part != folded {
                    let mut part_candidates = Vec::new();
                    header_candidates(i, &folded_part, &mut part_candidates);
                    for mut c in part_candidates {
                        c.confidence *= 0.95;
                        candidates.push(c);
                    }
                }
            }
        }
        content_candidates(table, i, &mut candidates);
    }
    let decided: Vec<bool> = columns
        .iter()
        .map(|c| c.method != MatchMethod::Unmapped)
        .collect();
    candidates.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    let mut taken: Vec<Field> = Vec::new();
    for c in candidates {
        let col = &mut columns[c.column];
        if col.field.is_some() || taken.contains(&c.field) {
            continue;
        }
        if decided[c.column] && c.method != MatchMethod::User {
            continue;
        }
        taken.push(c.field);
        col.field = Some(c.field);
        col.confidence = c.confidence.min(1.0);
        col.method = c.method;
    }
    Ok(ColumnMapping { preset, columns })
}

/// Whether a folded header is one of `field`'s synonyms.
pub(crate) fn header_matches(field: Field, folded: &str) -> bool {
    field.synonyms().contains(&folded)
}

/// Whether two strings' lengths allow a Jaro-Winkler similarity of 0.92 or more.
///
/// Jaro is at most (2 + short/long) / 3 (every character of the shorter one
/// matching), and the Winkler prefix bonus lifts j to at most j + 0.4 (1 − j); 0.92
/// thus needs j ≥ 0.8667 and short/long ≥ 0.6. Skipping the pairs that cannot
/// reach it changes no result and saves most of the comparisons.
fn lengths_can_match(a: &str, b: &str) -> bool {
    let (la, lb) = (a.chars().count(), b.chars().count());
    let (short, long) = if la < lb { (la, lb) } else { (lb, la) };
    short * 5 >= long * 3
}

/// ASCII letter counts and the length in characters of a folded header, for
/// [`jaro_winkler_can_reach`].
struct LetterCounts {
    ascii: [u8; 128],
    chars: usize,
}

impl LetterCounts {
    fn of(s: &str) -> Self {
        let mut ascii = [0u8; 128];
        let mut chars = 0;
        for c in s.chars() {
            chars += 1;
            if c.is_ascii() {
                ascii[c as usize] = ascii[c as usize].saturating_add(1);
            }
        }
        LetterCounts { ascii, chars }
    }
}

/// Whether `strsim::jaro_winkler(header, syn)` can reach the fuzzy threshold (0.92),
/// from an upper bound that costs a few byte counts instead of the full comparison.
///
/// Jaro matches pair equal characters, so there are at most `m` of them, the sum
/// over characters of the smaller count in either string; the Jaro similarity is then
/// at most `(m/|a| + m/|b| + 1) / 3`, and the Winkler boost grows with it. Synonyms
/// are ASCII, so a header's other characters never match. A pair ruled out here
/// would have scored below the threshold: the mapping does not change.
fn jaro_winkler_can_reach(header: &str, counts: &LetterCounts, syn: &str) -> bool {
    if !syn.is_ascii() {
        // Not expected in a synonym; compare fully.
        return true;
    }
    let syn_chars = syn.len();
    let mut left = counts.ascii;
    let mut m = 0usize;
    for b in syn.bytes() {
        let n = &mut left[usize::from(b)];
        if *n > 0 {
            *n -= 1;
            m += 1;
        }
    }
    if m == 0 {
        return false;
    }
    let m = m as f64;
    let jaro = (m / counts.chars as f64 + m / syn_chars as f64 + 1.0) / 3.0;
    let prefix = header
        .chars()
        .zip(syn.chars())
        .take(4)
        .take_while(|(a, b)| a == b)
        .count();
    let bound = if jaro > 0.7 {
        jaro + 0.1 * prefix as f64 * (1.0 - jaro)
    } else {
        jaro
    };
    // A margin far above rounding error, far below any real difference.
    bound >= 0.92 - 1e-6
}

fn header_candidates(column: usize, folded: &str, out: &mut Vec<Candidate>) {
    if folded.is_empty() || NOT_FIELDS.contains(&folded) {
        return;
    }
    let counts = LetterCounts::of(folded);
    for field in Field::ALL {
        let mut best: Option<(f32, MatchMethod)> = None;
        for &syn in field.synonyms() {
            let (score, method) = if syn == folded {
                (0.95, MatchMethod::Synonym)
            } else if field.matches_inside_longer_headers()
                && syn.len() >= 5
                && folded.len() > syn.len()
                && folded.contains(syn)
            {
                // "workemailaddress" holds "email"; shorter synonyms are too ambiguous.
                (
                    0.7 + 0.1 * (syn.len() as f32 / folded.len() as f32),
                    MatchMethod::Fuzzy,
                )
            } else if syn.len() >= 4
                && folded.len() >= 4
                && lengths_can_match(folded, syn)
                && jaro_winkler_can_reach(folded, &counts, syn)
            {
                let sim = strsim::jaro_winkler(folded, syn) as f32;
                if sim < 0.92 {
                    continue;
                }
                (0.8 * sim, MatchMethod::Fuzzy)
            } else {
                continue;
            };
            if best.is_none_or(|(b, _)| score > b) {
                best = Some((score, method));
            }
        }
        if let Some((confidence, method)) = best {
            out.push(Candidate {
                column,
                field,
                confidence,
                method,
            });
        }
    }
}

fn content_candidates(table: &Table, column: usize, out: &mut Vec<Candidate>) {
    let p = ContentProfile::of(table, column);
    if p.samples < 3 {
        return;
    }
    let mut push = |field, ratio: f32, base: f32| {
        out.push(Candidate {
            column,
            field,
            confidence: base + 0.1 * ratio,
            method: MatchMethod::Content,
        })
    };
    let emails = p.ratio(p.emails);
    if emails >= 0.6 {
        push(Field::Email, emails, 0.8);
    }
    let li_companies = p.ratio(p.linkedin_companies);
    if li_companies >= 0.5 {
        // Beats a "LinkedIn" header synonym: the values say these are company pages.
        push(Field::CompanyLinkedinUrl, li_companies, 0.9);
    }
    let li_people = p.ratio(p.linkedin_people);
    if li_people >= 0.6 {
        push(Field::LinkedinUrl, li_people, 0.8);
    }
    let phones = p.ratio(p.phones);
    if phones >= 0.8 {
        push(Field::Phone, phones, 0.5);
    }
    let domains = p.ratio(p.domains);
    if domains >= 0.8 {
        push(Field::CompanyWebsite, domains, 0.5);
    }
}

/// Asks an LLM to map the columns nothing else resolved; returns how many it mapped.
///
/// The model sees each unmapped header with a few sample values and answers a JSON
/// object `{header: field or null}`; answers naming unknown or already mapped fields
/// are ignored. Mapped columns get confidence 0.6 and method [`MatchMethod::Llm`].
pub async fn map_unresolved_with_llm(
    mapping: &mut ColumnMapping,
    table: &Table,
    provider: &dyn LlmProvider,
) -> Result<usize, ImportError> {
    let unresolved: Vec<usize> = mapping
        .columns
        .iter()
        .filter(|c| c.method == MatchMethod::Unmapped)
        .map(|c| c.index)
        .collect();
    if unresolved.is_empty() {
        return Ok(0);
    }
    let taken: Vec<Field> = mapping.columns.iter().filter_map(|c| c.field).collect();
    let free: Vec<&str> = Field::ALL
        .iter()
        .filter(|f| !taken.contains(f))
        .map(|f| f.as_str())
        .collect();
    let columns: Vec<serde_json::Value> = unresolved
        .iter()
        .map(|&i| {
            let samples: Vec<&str> = table
                .rows
                .iter()
                .filter_map(|r| r.get(i).map(str::trim))
                .filter(|v| !v.is_empty())
                .take(3)
                .collect();
            serde_json::json!({ "header": table.headers[i], "samples": samples })
        })
        .collect();
    let request = ChatRequest {
        model: String::new(),
        messages: vec![
            ChatMessage {
                role: ChatRole::System,
                content: format!(
                    "You map spreadsheet columns of contact and company lists to fields. \
                     Answer only a JSON object whose keys are the headers given and whose values \
                     are one of these field names or null: {}.",
                    free.join(", ")
                ),
            },
            ChatMessage {
                role: ChatRole::User,
                content: serde_json::Value::Array(columns).to_string(),
            },
        ],
        temperature: Some(0.0),
        max_tokens: Some(512),
        json: true,
    };
    let response = provider.complete(&request).await?;
    let answer: BTreeMap<String, Option<String>> = serde_json::from_str(response.content.trim())
        .map_err(|e| ImportError::Mapping {
            origin: format!("llm:{}", provider.id()),
            reason: format!("the answer is not a JSON object of header → field: {e}"),
        })?;
    let mut taken = taken;
    let mut mapped = 0;
    for i in unresolved {
        let header = &mapping.columns[i].header;
        let Some(Some(name)) = answer.get(header) else {
            continue;
        };
        let Some(field) = Field::parse(name) else {
            continue;
        };
        if taken.contains(&field) {
            continue;
        }
        taken.push(field);
        let col = &mut mapping.columns[i];
        col.field = Some(field);
        col.confidence = 0.6;
        col.method = MatchMethod::Llm;
        mapped += 1;
    }
    Ok(mapped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::table::{Rows, SourceFormat};

    fn table(headers: &[&str], rows: &[&[&str]]) -> Table {
        Table {
            file: "t.csv".into(),
            format: SourceFormat::Jsonl,
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Rows::from_cells(
                &rows
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (i as u64 + 2, *r))
                    .collect::<Vec<_>>(),
            ),
            errors: vec![],
        }
    }

    fn field_of(m: &ColumnMapping, header: &str) -> Option<Field> {
        m.columns
            .iter()
            .find(|c| c.header == header)
            .and_then(|c| c.field)
    }

    #[test]
    fn synonyms_in_six_languages() {
        let cases = [
            ("E-mail", Field::Email),
            ("Sähköposti", Field::Email),
            ("Courriel", Field::Email),
            ("Firma", Field::CompanyName),
            ("Stilling", Field::Title),
            ("Poste", Field::Title),
            ("Příjmení", Field::LastName),
            ("Vorname", Field::FirstName),
            ("Etternavn", Field::LastName),
            ("Puhelin", Field::Phone),
            ("Město", Field::City),
            ("Funkce", Field::Title),
        ];
        for (header, want) in cases {
            let t = table(&[header, "x"], &[&["", ""]]);
            let m = infer_mapping(&t, None, None).unwrap();
            assert_eq!(field_of(&m, header), Some(want), "{header}");
        }
    }

    #[test]
    fn fuzzy_headers_and_the_titul_trap() {
        let t = table(
            &["Emial Adress", "Titul", "Company Nme", "Mobile Phone No"],
            &[&["", "Ing.", "", ""]],
        );
        let m = infer_mapping(&t, None, None).unwrap();
        assert_eq!(field_of(&m, "Emial Adress"), Some(Field::Email));
        assert_eq!(field_of(&m, "Titul"), None);
        assert_eq!(field_of(&m, "Company Nme"), Some(Field::CompanyName));
        assert_eq!(field_of(&m, "Mobile Phone No"), Some(Field::Phone));
        let email = m.column_of(Field::Email).unwrap();
        assert!(email.confidence < 0.95 && email.method == MatchMethod::Fuzzy);
    }

    #[test]
    fn content_sniffing_finds_emails_and_linkedin_kinds() {
        let t = table(
            &["Kolonka 1", "Kolonka 2", "LinkedIn"],
            &[
                &[
                    "jan@acme.cz",
                    "Jan",
                    "https://www.linkedin.com/company/acme",
                ],
                &[
                    "eva@beta.fi",
                    "Eva",
                    "https://www.linkedin.com/company/beta/",
                ],
                &["petr@gamma.no", "Petr", "linkedin.com/company/gamma"],
            ],
        );
        let m = infer_mapping(&t, None, None).unwrap();
        let email = m.column_of(Field::Email).unwrap();
        assert_eq!(
            (email.header.as_str(), email.method),
            ("Kolonka 1", MatchMethod::Content)
        );
        assert_eq!(field_of(&m, "LinkedIn"), Some(Field::CompanyLinkedinUrl));
        assert_eq!(field_of(&m, "Kolonka 2"), None);
    }

    /// The cheap bound never rules out a pair strsim scores at the threshold or above.
    #[test]
    fn jaro_winkler_bound_keeps_every_close_pair() {
        let mut headers: Vec<String> = Field::ALL
            .iter()
            .flat_map(|f| f.synonyms().iter().map(|s| s.to_string()))
            .collect();
        for extra in [
            "emialadress",
            "companynme",
            "mobilephoneno",
            "fristname",
            "lastnmae",
            "telefonnumer",
            "jobtitel",
            "sahkopostiosoit",
            "prijmenii",
            "žluťoučký",
            "organisatio",
        ] {
            headers.push(extra.to_string());
        }
        let mut close = 0;
        for h in &headers {
            let counts = LetterCounts::of(h);
            for f in Field::ALL {
                for syn in f.synonyms() {
                    let sim = strsim::jaro_winkler(h, syn) as f32;
                    if sim >= 0.92 {
                        close += 1;
                        assert!(jaro_winkler_can_reach(h, &counts, syn), "{h} ~ {syn}");
                    }
                }
            }
        }
        assert!(close > headers.len(), "the test compares close pairs");
    }

    #[test]
    fn overrides_win_and_are_validated() {
        let t = table(&["Mail", "Notes", "X"], &[&["a@b.cz", "n", "jan"]]);
        let o = MappingOverride::from_json_str(
            r#"{"columns": {"Notes": "ignore", "X": "first_name", "Mail": "attribute"}}"#,
            "api",
        )
        .unwrap();
        let m = infer_mapping(&t, None, Some(&o)).unwrap();
        assert_eq!(field_of(&m, "X"), Some(Field::FirstName));
        assert_eq!(m.columns[1].method, MatchMethod::Ignored);
        assert_eq!(field_of(&m, "Mail"), None);
        assert_eq!(m.columns[0].method, MatchMethod::User);
        let bad = MappingOverride::from_json_str(r#"{"columns": {"A": "emial"}}"#, "m.json");
        assert!(matches!(bad, Err(ImportError::Mapping { .. })));
        assert!(MappingOverride::from_json_str(r#"{"colums": {}}"#, "m.json").is_err());
    }
}
