//! Rows to drafts: each well-formed row becomes a contact draft and/or a company
//! draft, or a [`RowError`] when it holds nothing usable. Every value the user had
//! survives: fields go to their field, everything else to `attributes`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use leadgen_core::{Company, Contact, Department, EmailStatus, Provenance, Seniority};

use super::country::country_code;
use super::error::{RowError, RowErrorKind};
use super::keys::{
    canonical_linkedin_url, clean, domain_of, fold, is_missing_marker, normalize_email,
};
use super::mapping::{ColumnMapping, Field, MatchMethod};
use super::table::{Row, Table};
use rayon::prelude::*;

/// One row's drafts.
#[derive(Debug, Clone, PartialEq)]
pub struct RowDraft {
    /// The row's line (CSV) or worksheet row.
    pub line: u64,
    /// The contact the row describes, if it describes a person.
    pub contact: Option<Contact>,
    /// The company the row describes or names.
    pub company: Option<Company>,
}

/// What to do with one column.
#[derive(Debug, Clone)]
enum Action {
    Field(Field, f32),
    Registry(String),
    Attribute(String),
    Ignore,
}

/// Academic titles and similar tokens left out when a full name is split.
const NAME_TITLES: &[&str] = &[
    "ing", "mgr", "bc", "dr", "mudr", "judr", "phdr", "rndr", "paeddr", "doc", "prof", "phd",
    "mba", "msc", "bsc", "csc", "dipl", "dis", "mr", "mrs", "ms", "herr", "frau", "mme", "m",
];

fn split_full_name(full: &str) -> (Option<String>, Option<String>) {
    let words: Vec<&str> = full
        .split_whitespace()
        .map(|w| w.trim_end_matches(','))
        .filter(|w| {
            let is_title =
                NAME_TITLES.contains(&fold(w).as_str()) && (w.ends_with('.') || w.len() >= 2);
            !w.is_empty() && !is_title
        })
        .collect();
    match words.as_slice() {
        [] => (None, None),
        [one] => (Some(one.to_string()), None),
        [first, rest @ ..] => (Some(first.to_string()), Some(rest.join(" "))),
    }
}

/// The registry scheme a header names (`IČO` → `cz:ico`), else the company country's.
fn registry_scheme(header: &str, country: Option<&str>) -> Option<&'static str> {
    let h = fold(header);
    let by_header = [
        ("ico", "cz:ico"),
        ("orgnr", "no:orgnr"),
        ("organisasjonsnummer", "no:orgnr"),
        ("ytunnus", "fi:ytunnus"),
        ("siren", "fr:siren"),
        ("siret", "fr:siren"),
        ("uen", "sg:uen"),
        ("hrb", "de:hrb"),
        ("handelsregister", "de:hrb"),
        ("crn", "gb:crn"),
    ];
    if let Some((_, s)) = by_header.iter().find(|(k, _)| h.starts_with(k)) {
        return Some(s);
    }
    Some(match country? {
        "CZ" => "cz:ico",
        "NO" => "no:orgnr",
        "FI" => "fi:ytunnus",
        "FR" => "fr:siren",
        "SG" => "sg:uen",
        "GB" => "gb:crn",
        "DE" => "de:hrb",
        _ => return None,
    })
}

/// What joins several values in one cell (Google Contacts: `a@x.cz ::: b@y.cz`).
const VALUE_SEPARATOR: &str = " ::: ";

/// Whether a cell holds several values; a byte search for the colon first, as
/// nearly no cell has one and setting up a substring search costs more.
fn has_value_separator(v: &str) -> bool {
    memchr::memchr(b':', v.as_bytes()).is_some() && v.contains(VALUE_SEPARATOR)
}

/// [`clean`], skipping its character-by-character trim when the cell starts and
/// ends with a visible ASCII character (nearly every cell), which it would keep.
fn trimmed(cell: &str) -> &str {
    match (cell.as_bytes().first(), cell.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => cell,
        _ => clean(cell),
    }
}

fn parse_snake<T: serde::de::DeserializeOwned>(v: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(v.trim().to_ascii_lowercase())).ok()
}

/// Builds the drafts of every row of a table.
///
/// `source` is recorded on each record and in each field's provenance.
pub fn build_drafts(
    table: &Table,
    mapping: &ColumnMapping,
    source: &str,
) -> (Vec<RowDraft>, Vec<RowError>) {
    let now = Utc::now();
    let mut seen = BTreeMap::new();
    let actions: Vec<Action> = mapping
        .columns
        .iter()
        .map(|c| {
            if c.method == MatchMethod::Ignored {
                return Action::Ignore;
            }
            if let Some(f) = c.field {
                return Action::Field(f, c.confidence);
            }
            if let Some(scheme) = c.header.strip_prefix("registry_ids.")
                && !scheme.is_empty()
            {
                return Action::Registry(scheme.to_string());
            }
            let base = c
                .header
                .strip_prefix("attributes.")
                .unwrap_or(&c.header)
                .to_string();
            let n = seen.entry(base.clone()).or_insert(0u32);
            *n += 1;
            Action::Attribute(if *n == 1 {
                base
            } else {
                format!("{base} ({n})")
            })
        })
        .collect();
    let company_table = !mapping.has_person_fields();
    let ctx = Context {
        table,
        actions: &actions,
        source,
        now,
        company_table,
    };
    // Rows are independent: build them in parallel, straight into one vector in file
    // order. A row that yields nothing comes back empty and is taken out after.
    let mut drafts = Vec::with_capacity(table.rows.len());
    table
        .rows
        .par_iter()
        .with_min_len(ROWS_PER_TASK)
        .map_init(
            // Each task shares its own copy of the source: no counter bounced
            // between cores.
            || (CountryCache::default(), Arc::<str>::from(source)),
            |(countries, shared), row| ctx.build_row(row, countries, shared),
        )
        .collect_into_vec(&mut drafts);
    let mut errors = Vec::new();
    drafts.retain(|d| {
        let usable = d.contact.is_some() || d.company.is_some();
        if !usable {
            errors.push(RowError {
                file: table.file.clone(),
                line: d.line,
                column: None,
                kind: RowErrorKind::NoUsableFields,
                reason: "the row has no name, email, LinkedIn URL or company".into(),
            });
        }
        usable
    });
    (drafts, errors)
}

/// Rows per parallel task at least: enough to amortize the task.
const ROWS_PER_TASK: usize = 1024;

/// What every row of one table shares.
struct Context<'a> {
    table: &'a Table,
    actions: &'a [Action],
    source: &'a str,
    now: DateTime<Utc>,
    company_table: bool,
}

impl<'a> Context<'a> {
    /// One row's drafts; neither a contact nor a company when the row holds
    /// nothing usable.
    fn build_row(
        &self,
        row: Row<'a>,
        countries: &mut CountryCache<'a>,
        shared: &Arc<str>,
    ) -> RowDraft {
        let mut b = RowBuilder::new(self.source, shared, self.now, self.company_table);
        for (i, cell) in row.iter().enumerate() {
            let Some(action) = self.actions.get(i) else {
                continue;
            };
            let v = trimmed(cell);
            if is_missing_marker(v) {
                continue;
            }
            match action {
                Action::Ignore => {}
                Action::Attribute(key) => {
                    b.attributes.insert(key.clone(), v.to_string());
                }
                Action::Registry(scheme) => b.registry.push((scheme.clone(), v.to_string())),
                Action::Field(f, conf) => b.set(*f, v, *conf, &self.table.headers[i]),
            }
        }
        let (contact, company) = b.finish(countries).unwrap_or((None, None));
        RowDraft {
            line: row.line,
            contact,
            company,
        }
    }
}

/// Country cells repeat: each distinct spelling is looked up once per chunk.
///
/// A list scanned in order holds the first spellings (a column rarely has more): it
/// hashes nothing and allocates once, where a map grows step by step.
#[derive(Default)]
struct CountryCache<'a> {
    first: Vec<(&'a str, Option<&'static str>)>,
    more: HashMap<&'a str, Option<&'static str>>,
}

/// Spellings kept in [`CountryCache`]'s list before its map takes the rest: the
/// list stays under 1 KiB, glibc's "large" requests, each of which first sweeps the
/// allocator's free lists.
const COUNTRY_LIST_LEN: usize = 24;

impl<'a> CountryCache<'a> {
    fn code(&mut self, raw: &'a str) -> Option<&'static str> {
        if let Some((_, code)) = self.first.iter().find(|(k, _)| *k == raw) {
            return *code;
        }
        if self.first.len() < COUNTRY_LIST_LEN {
            if self.first.is_empty() {
                self.first.reserve_exact(COUNTRY_LIST_LEN);
            }
            let code = country_code(raw);
            self.first.push((raw, code));
            return code;
        }
        *self.more.entry(raw).or_insert_with(|| country_code(raw))
    }
}

/// One mapped cell of a row: its (trimmed) value, the mapping's confidence, and
/// the column's header.
type Cell<'a> = (&'a str, f32, &'a str);

struct RowBuilder<'a> {
    source: &'a str,
    /// `source`, shared by every field's provenance.
    shared: Arc<str>,
    now: DateTime<Utc>,
    company_table: bool,
    values: [Option<Cell<'a>>; Field::ALL.len()],
    attributes: BTreeMap<String, String>,
    registry: Vec<(String, String)>,
}

impl<'a> RowBuilder<'a> {
    fn new(source: &'a str, shared: &Arc<str>, now: DateTime<Utc>, company_table: bool) -> Self {
        RowBuilder {
            source,
            shared: Arc::clone(shared),
            now,
            company_table,
            values: [None; Field::ALL.len()],
            attributes: BTreeMap::new(),
            registry: Vec::new(),
        }
    }

    fn set(&mut self, field: Field, value: &'a str, confidence: f32, header: &'a str) {
        self.values[field as usize] = Some((value, confidence, header));
    }

    fn take(&mut self, field: Field) -> Option<Cell<'a>> {
        self.values[field as usize].take()
    }

    fn has(&self, field: Field) -> bool {
        self.values[field as usize].is_some()
    }

    fn prov(&self, confidence: f32) -> Provenance {
        Provenance::new(Arc::clone(&self.shared), self.now, confidence)
    }

    fn finish(
        mut self,
        countries: &mut CountryCache<'a>,
    ) -> Option<(Option<Contact>, Option<Company>)> {
        let company = self.build_company(countries);
        let contact = if self.company_table {
            None
        } else {
            self.build_contact(company.as_ref().map(|c| c.name.clone()), countries)
        };
        if contact.is_none() && company.is_none() {
            return None;
        }
        // Whatever no field took stays with the record as attributes.
        for (v, _, h) in std::mem::take(&mut self.values).into_iter().flatten() {
            self.attributes.insert(h.to_string(), v.to_string());
        }
        let (contact, company) = match (contact, company) {
            (Some(mut p), c) => {
                p.attributes.append(&mut self.attributes);
                (Some(p), c)
            }
            (None, Some(mut c)) => {
                c.attributes.append(&mut self.attributes);
                (None, Some(c))
            }
            (None, None) => return None,
        };
        Some((contact, company))
    }

    fn build_company(&mut self, countries: &mut CountryCache<'a>) -> Option<Company> {
        let name_value = self.take(Field::CompanyName);
        let website = self.take(Field::CompanyWebsite);
        let domain_value = self.take(Field::CompanyDomain);
        let domain = domain_value
            .as_ref()
            .and_then(|(v, _, _)| domain_of(v))
            .or_else(|| website.as_ref().and_then(|(v, _, _)| domain_of(v)));
        let name = match (&name_value, &domain) {
            (Some((n, _, _)), _) => n.to_string(),
            (None, Some(d)) if self.company_table || self.has(Field::CompanyLinkedinUrl) => {
                d.clone()
            }
            _ => {
                // No company: keep what was given as the contact's attributes.
                for (v, _, h) in [website, domain_value].into_iter().flatten() {
                    self.attributes.insert(h.to_string(), v.to_string());
                }
                return None;
            }
        };
        let mut c = Company::new_at(name, self.now);
        let conf = name_value.as_ref().map_or(0.9, |(_, conf, _)| *conf);
        c.set_provenance("name", self.prov(conf));
        if let Some((v, conf, _)) = website {
            c.website = Some(v.to_string());
            c.set_provenance("website", self.prov(conf));
        }
        if let Some(d) = domain {
            c.domain = Some(d);
            c.set_provenance("domain", self.prov(0.9));
        } else if let Some((v, _, h)) = domain_value {
            c.attributes.insert(h.to_string(), v.to_string());
        }
        if let Some((v, conf, h)) = self.take(Field::CompanyLinkedinUrl) {
            match canonical_linkedin_url(v) {
                Some(u) => {
                    c.linkedin_url = Some(u);
                    c.set_provenance("linkedin_url", self.prov(conf));
                }
                None => {
                    c.attributes.insert(h.to_string(), v.to_string());
                }
            }
        }
        let country_field = if self.company_table && !self.has(Field::CompanyCountry) {
            Field::Country
        } else {
            Field::CompanyCountry
        };
        if let Some((v, conf, h)) = self.take(country_field) {
            match countries.code(v) {
                Some(cc) => {
                    c.country = Some(cc.into());
                    c.set_provenance("country", self.prov(conf));
                }
                None => {
                    c.attributes.insert(h.to_string(), v.to_string());
                }
            }
        }
        let hq = self.take(Field::CompanyLocation).or_else(|| {
            if self.company_table {
                self.take(Field::Location)
                    .or_else(|| self.take(Field::City))
            } else {
                None
            }
        });
        if let Some((v, conf, _)) = hq {
            c.hq = Some(v.to_string());
            c.set_provenance("hq", self.prov(conf));
        }
        if let Some((v, conf, _)) = self.take(Field::Industry) {
            c.industry = Some(v.to_string());
            c.set_provenance("industry", self.prov(conf));
        }
        if let Some((v, conf, _)) = self.take(Field::CompanySize) {
            c.size = Some(v.to_string());
            c.set_provenance("size", self.prov(conf));
        }
        if let Some((v, conf, h)) = self.take(Field::RegistryId) {
            match registry_scheme(h, c.country.as_deref()) {
                Some(scheme) => {
                    let mut id = v.to_string();
                    // Excel turns an IČO typed as a number into one without its
                    // leading zeros (04626133 → 4626133).
                    if scheme == "cz:ico"
                        && id.len() < 8
                        && id.chars().all(|ch| ch.is_ascii_digit())
                    {
                        id = format!("{id:0>8}");
                    }
                    c.registry_ids.insert(scheme.into(), id);
                    c.set_provenance(&format!("registry_ids.{scheme}"), self.prov(conf));
                }
                None => {
                    c.attributes.insert(h.to_string(), v.to_string());
                }
            }
        }
        for (scheme, id) in std::mem::take(&mut self.registry) {
            c.set_provenance(&format!("registry_ids.{scheme}"), self.prov(1.0));
            c.registry_ids.insert(scheme, id);
        }
        if let Some((v, _, h)) = self.take(Field::VatId) {
            c.attributes.insert(h.to_string(), v.to_string());
        }
        Some(c)
    }

    fn build_contact(
        &mut self,
        company_name: Option<String>,
        countries: &mut CountryCache<'a>,
    ) -> Option<Contact> {
        let mut p = Contact::new_at(self.now);
        let first = self.take(Field::FirstName);
        let last = self.take(Field::LastName);
        let full = self.take(Field::FullName);
        let mut identity = false;
        if let Some((v, conf, _)) = first {
            p.first_name = Some(v.to_string());
            p.set_provenance("first_name", self.prov(conf));
            identity = true;
        }
        if let Some((v, conf, _)) = last {
            p.last_name = Some(v.to_string());
            p.set_provenance("last_name", self.prov(conf));
            identity = true;
        }
        if let Some((v, conf, _)) = full {
            if p.first_name.is_none() && p.last_name.is_none() {
                let (f, l) = split_full_name(v);
                if f.is_some() {
                    p.set_provenance("first_name", self.prov(conf * 0.9));
                }
                if l.is_some() {
                    p.set_provenance("last_name", self.prov(conf * 0.9));
                }
                p.first_name = f;
                p.last_name = l;
            }
            p.full_name = Some(v.to_string());
            p.set_provenance("full_name", self.prov(conf));
            identity = true;
        }
        if let Some((v, conf, h)) = self.take(Field::Email) {
            identity = true;
            match normalize_email(v) {
                Ok(e) => {
                    p.email = Some(e);
                    p.set_provenance("email", self.prov(conf));
                    // Other addresses in the same cell are kept.
                    if has_value_separator(v) {
                        self.attributes.insert(h.to_string(), v.to_string());
                    }
                }
                Err(_) => {
                    self.attributes.insert(h.to_string(), v.to_string());
                }
            }
        }
        if let Some((v, _, h)) = self.take(Field::EmailStatus) {
            match EmailStatus::parse(&v.to_ascii_lowercase()) {
                Some(s) => p.email_status = s,
                None => {
                    self.attributes.insert(h.to_string(), v.to_string());
                }
            }
        }
        if let Some((v, conf, h)) = self.take(Field::LinkedinUrl) {
            identity = true;
            match canonical_linkedin_url(v) {
                Some(u) if !u.contains("/company/") => {
                    p.linkedin_url = Some(u);
                    p.set_provenance("linkedin_url", self.prov(conf));
                }
                _ => {
                    self.attributes.insert(h.to_string(), v.to_string());
                }
            }
        }
        if !identity {
            // A contact row without a name, email or profile: only its company (if
            // any) is usable; its other values stay with the company.
            return None;
        }
        if let Some((v, conf, _)) = self.take(Field::Title) {
            p.title = Some(v.to_string());
            p.set_provenance("title", self.prov(conf));
        }
        if let Some((v, _, _)) = self.take(Field::NormalizedTitle) {
            p.normalized_title = Some(v.to_string());
        }
        if let Some((v, _, h)) = self.take(Field::Seniority) {
            match parse_snake::<Seniority>(v) {
                Some(s) => p.seniority = Some(s),
                None => {
                    self.attributes.insert(h.to_string(), v.to_string());
                }
            }
        }
        if let Some((v, _, h)) = self.take(Field::Department) {
            match parse_snake::<Department>(v) {
                Some(d) => p.department = Some(d),
                None => {
                    self.attributes.insert(h.to_string(), v.to_string());
                }
            }
        }
        if let Some((v, conf, h)) = self.take(Field::Phone) {
            // `v` is already trimmed: with one value, it is the phone.
            let first = if has_value_separator(v) {
                let mut parts = v.split(VALUE_SEPARATOR);
                let first = parts.next().map(clean).unwrap_or_default();
                if parts.next().is_some() {
                    self.attributes.insert(h.to_string(), v.to_string());
                }
                first
            } else {
                v
            };
            p.phone = Some(first.to_string());
            p.set_provenance("phone", self.prov(conf));
        }
        let location = self.take(Field::Location);
        let city = self.take(Field::City);
        match (location, city) {
            (Some((v, conf, _)), city) => {
                p.location = Some(v.to_string());
                p.set_provenance("location", self.prov(conf));
                if let Some((c, _, h)) = city {
                    self.attributes.insert(h.to_string(), c.to_string());
                }
            }
            (None, Some((v, conf, _))) => {
                p.location = Some(v.to_string());
                p.set_provenance("location", self.prov(conf));
            }
            (None, None) => {}
        }
        if let Some((v, conf, h)) = self.take(Field::Country) {
            match countries.code(v) {
                Some(cc) => {
                    p.country = Some(cc.into());
                    p.set_provenance("country", self.prov(conf));
                }
                None => {
                    self.attributes.insert(h.to_string(), v.to_string());
                }
            }
        }
        if let Some(name) = company_name {
            p.company_name = Some(name);
            p.set_provenance("company_name", self.prov(0.9));
        }
        p.source = Some(match self.take(Field::Source) {
            Some((v, _, _)) => v.to_string(),
            None => self.source.to_string(),
        });
        Some(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_names_split_without_titles() {
        assert_eq!(
            split_full_name("Mgr. Adéla Petrová"),
            (Some("Adéla".into()), Some("Petrová".into()))
        );
        assert_eq!(
            split_full_name("Ing. Jan Novák, Ph.D."),
            (Some("Jan".into()), Some("Novák".into()))
        );
        assert_eq!(split_full_name("Madonna"), (Some("Madonna".into()), None));
    }

    /// Every field set gets its provenance, a key set twice keeps the later one, and
    /// all share the import's source.
    #[test]
    fn provenance_of_each_field() {
        use crate::import::mapping::infer_mapping;
        use crate::import::table::SourceFormat;
        let table = Table {
            file: "t.csv".into(),
            format: SourceFormat::Jsonl,
            headers: ["Full Name", "E-mail", "Firma", "IČO", "registry_ids.cz:ico"]
                .map(String::from)
                .to_vec(),
            rows: crate::import::table::Rows::from_cells(&[(
                2,
                &[
                    "Ing. Jan Novák",
                    "jan@acme.cz",
                    "Acme s.r.o.",
                    "4626133",
                    "04626133",
                ],
            )]),
            errors: vec![],
        };
        let mapping = infer_mapping(&table, None, None).unwrap();
        let (drafts, errors) = build_drafts(&table, &mapping, "import:test");
        assert!(errors.is_empty());
        let contact = drafts[0].contact.as_ref().unwrap();
        let keys: Vec<&str> = contact.provenance.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "company_name",
                "email",
                "first_name",
                "full_name",
                "last_name"
            ]
        );
        let full = contact.provenance["full_name"].confidence;
        assert_eq!(contact.provenance["first_name"].confidence, full * 0.9);
        assert!(
            contact
                .provenance
                .values()
                .all(|p| &*p.source == "import:test")
        );
        let company = drafts[0].company.as_ref().unwrap();
        let keys: Vec<&str> = company.provenance.keys().map(String::as_str).collect();
        assert_eq!(keys, ["name", "registry_ids.cz:ico"]);
        // The explicit `registry_ids.` column comes after the mapped IČO: it wins.
        assert_eq!(company.provenance["registry_ids.cz:ico"].confidence, 1.0);
    }

    #[test]
    fn trimmed_is_clean() {
        for s in [
            "",
            " ",
            "a",
            " a ",
            "a\u{a0}",
            "\u{200b}a",
            "a\t",
            "\ta",
            "ab",
            "a b",
            "\u{feff}x",
            "x\u{feff}",
            "é",
            " é",
            "a\n",
        ] {
            assert_eq!(trimmed(s), clean(s), "{s:?}");
        }
        assert!(has_value_separator("a@x.cz ::: b@y.cz"));
        assert!(!has_value_separator("mailto:a@x.cz"));
    }

    #[test]
    fn registry_schemes() {
        assert_eq!(registry_scheme("IČO", None), Some("cz:ico"));
        assert_eq!(registry_scheme("Registry ID", Some("NO")), Some("no:orgnr"));
        assert_eq!(registry_scheme("Registry ID", Some("US")), None);
    }
}
