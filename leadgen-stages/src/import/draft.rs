//! Rows to drafts: each well-formed row becomes a contact draft and/or a company
//! draft, or a [`RowError`] when it holds nothing usable. Every value the user had
//! survives: fields go to their field, everything else to `attributes`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use leadgen_core::{
    Attributes, Company, CompanyId, Contact, ContactId, Department, EmailStatus, FieldProvenance,
    IdBlock, Provenance, Seniority,
};

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
#[derive(Debug, Clone, PartialEq)]
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

/// What each column of a table is for, and what every draft of it shares: the
/// source, the time, and the block its new records' ids come from. Fixed when a file
/// is parsed, so a row's drafts are the same whenever they are built.
#[derive(Debug, Clone, PartialEq)]
struct DraftPlan {
    actions: Vec<Action>,
    source: String,
    now: DateTime<Utc>,
    /// No column names a person: every row is a company.
    company_table: bool,
    /// The ids of the new records, by row index.
    contact_ids: IdBlock,
    company_ids: IdBlock,
}

impl DraftPlan {
    fn new(mapping: &ColumnMapping, source: &str) -> Self {
        let mut seen = BTreeMap::new();
        let actions = mapping
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
        DraftPlan {
            actions,
            source: source.to_string(),
            now: Utc::now(),
            company_table: !mapping.has_person_fields(),
            contact_ids: IdBlock::new(),
            company_ids: IdBlock::new(),
        }
    }
}

/// A table's rows, mapped and checked: which rows are usable is known, and each
/// usable row's drafts are built when asked for.
///
/// This is what [`ParsedFile`](super::ParsedFile) keeps instead of the drafts
/// themselves, and its draft methods are these: the cells of a file take a fraction of the memory of its records
/// (about 150 bytes a row here against 2 KB), and a caller that needs only the
/// counts, the errors or a few rows never pays for the rest. A draft is the same
/// each time it is built, ids included.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MappedRows {
    table: Table,
    plan: DraftPlan,
    /// The indices (in `table.rows`) of the rows that yield drafts, in file order.
    usable: Vec<u32>,
}

impl MappedRows {
    /// Maps a table's rows: every row is checked, and those that hold nothing usable
    /// come back as errors. The table's own errors (malformed rows) stay in it.
    pub(crate) fn new(
        table: Table,
        mapping: &ColumnMapping,
        source: &str,
    ) -> (Self, Vec<RowError>) {
        let plan = DraftPlan::new(mapping, source);
        let (usable, errors) = Context::new(&table, &plan).check_rows();
        (
            MappedRows {
                table,
                plan,
                usable,
            },
            errors,
        )
    }

    /// The number of usable rows: each yields one [`RowDraft`].
    pub(crate) fn len(&self) -> usize {
        self.usable.len()
    }

    /// The lines of the usable rows, in file order.
    pub(crate) fn lines(&self) -> impl ExactSizeIterator<Item = u64> + '_ {
        self.usable
            .iter()
            .map(|&i| self.table.rows.get(i as usize).map_or(0, |r| r.line))
    }

    /// The drafts of the `i`-th usable row (0-based).
    pub(crate) fn get(&self, i: usize) -> Option<RowDraft> {
        let index = *self.usable.get(i)?;
        Context::new(&self.table, &self.plan)
            .build_rows(&[index])
            .pop()
    }

    /// The drafts of the usable rows in `range` (0-based, in file order; clamped to
    /// the rows there are), built in parallel.
    pub(crate) fn drafts_in(&self, range: std::ops::Range<usize>) -> Vec<RowDraft> {
        let end = range.end.min(self.usable.len());
        let indices = self.usable.get(range.start.min(end)..end).unwrap_or(&[]);
        Context::new(&self.table, &self.plan).build_rows(indices)
    }

    /// The drafts of every usable row, in file order (built in parallel).
    pub(crate) fn to_drafts(&self) -> Vec<RowDraft> {
        Context::new(&self.table, &self.plan).build_rows(&self.usable)
    }
}

/// Builds the drafts of every row of a table.
///
/// `source` is recorded on each record and in each field's provenance. The same
/// drafts as [`parse_file`](super::parse_file) then
/// [`ParsedFile::drafts`](super::ParsedFile::drafts), from a table already read.
pub fn build_drafts(
    table: &Table,
    mapping: &ColumnMapping,
    source: &str,
) -> (Vec<RowDraft>, Vec<RowError>) {
    let plan = DraftPlan::new(mapping, source);
    let ctx = Context::new(table, &plan);
    let (usable, errors) = ctx.check_rows();
    (ctx.build_rows(&usable), errors)
}

/// Rows per parallel task at least: enough to amortize the task, and a small table
/// stays on the calling thread (see CONTRIBUTING: rayon and `fork`).
const ROWS_PER_TASK: usize = 1024;

/// Rows per parallel task of the check, which costs far less a row than a build.
const CHECKS_PER_TASK: usize = 8 * 1024;

/// A table and its plan, borrowed by the parallel tasks.
#[derive(Clone, Copy)]
struct Context<'a> {
    table: &'a Table,
    plan: &'a DraftPlan,
}

impl<'a> Context<'a> {
    fn new(table: &'a Table, plan: &'a DraftPlan) -> Self {
        Context { table, plan }
    }

    /// A row's cells that hold a value, trimmed, with what to do with each.
    fn cells(&self, row: Row<'a>) -> impl Iterator<Item = (usize, &'a Action, &'a str)> + 'a {
        let actions = &self.plan.actions;
        row.iter().enumerate().filter_map(move |(i, cell)| {
            let action = actions.get(i)?;
            let v = trimmed(cell);
            (!is_missing_marker(v)).then_some((i, action, v))
        })
    }

    /// Which rows yield drafts (their indices), and an error for each that does not.
    fn check_rows(&self) -> (Vec<u32>, Vec<RowError>) {
        let mut usable = Vec::new();
        self.table
            .rows
            .par_iter()
            .with_min_len(CHECKS_PER_TASK)
            .map(|row| self.is_usable(row))
            .collect_into_vec(&mut usable);
        let mut indices = Vec::with_capacity(usable.len());
        let mut errors = Vec::new();
        for (i, (ok, row)) in usable.into_iter().zip(self.table.rows.iter()).enumerate() {
            if ok {
                // A table has fewer than 2^32 rows: files are at most 4 GiB
                // (`ReadLimits`) and a row takes at least two bytes.
                indices.push(u32::try_from(i).unwrap_or(u32::MAX));
            } else {
                errors.push(RowError {
                    file: self.table.file.clone(),
                    line: row.line,
                    column: None,
                    kind: RowErrorKind::NoUsableFields,
                    reason: "the row has no name, email, LinkedIn URL or company".into(),
                });
            }
        }
        (indices, errors)
    }

    /// Whether a row yields a contact or a company: the decisions of
    /// [`RowBuilder::finish`] without building anything (`drafts_agree_with_the_check`
    /// holds the two together).
    fn is_usable(&self, row: Row<'a>) -> bool {
        let mut values: [Option<&'a str>; Field::ALL.len()] = [None; Field::ALL.len()];
        for (_, action, v) in self.cells(row) {
            if let Action::Field(f, _) = action {
                values[*f as usize] = Some(v);
            }
        }
        let has = |f: Field| values[f as usize].is_some();
        let person = !self.plan.company_table
            && [
                Field::FirstName,
                Field::LastName,
                Field::FullName,
                Field::Email,
                Field::LinkedinUrl,
            ]
            .into_iter()
            .any(has);
        if person || has(Field::CompanyName) {
            return true;
        }
        // A company without a name is named by its domain, when it has one and the
        // row is about companies or links one.
        (self.plan.company_table || has(Field::CompanyLinkedinUrl))
            && values[Field::CompanyDomain as usize]
                .and_then(domain_of)
                .or_else(|| values[Field::CompanyWebsite as usize].and_then(domain_of))
                .is_some()
    }

    /// The drafts of the rows at `indices`, in their order. Rows are independent:
    /// they are built in parallel, straight into one vector.
    fn build_rows(&self, indices: &[u32]) -> Vec<RowDraft> {
        let mut drafts = Vec::with_capacity(indices.len());
        indices
            .par_iter()
            .with_min_len(ROWS_PER_TASK)
            .map_init(
                // Each task shares its own copy of the source: no counter bounced
                // between cores.
                || {
                    let scratch = RowScratch::default();
                    let shared = Arc::<str>::from(self.plan.source.as_str());
                    (CountryCache::default(), shared, scratch)
                },
                |(countries, shared, scratch), &index| {
                    self.build_row(index, countries, shared, scratch)
                },
            )
            .collect_into_vec(&mut drafts);
        // Only a row the check passed and the builder did not would be empty here.
        drafts.retain(|d| d.contact.is_some() || d.company.is_some());
        drafts
    }

    /// One row's drafts; neither a contact nor a company when the row holds
    /// nothing usable.
    fn build_row(
        &self,
        index: u32,
        countries: &mut CountryCache<'a>,
        shared: &Arc<str>,
        scratch: &mut RowScratch,
    ) -> RowDraft {
        let Some(row) = self.table.rows.get(index as usize) else {
            return RowDraft {
                line: 0,
                contact: None,
                company: None,
            };
        };
        let plan = self.plan;
        let ids = (
            plan.contact_ids.contact(index),
            plan.company_ids.company(index),
        );
        let mut b = RowBuilder::new(
            &plan.source,
            shared,
            plan.now,
            plan.company_table,
            scratch,
            ids,
        );
        for (i, action, v) in self.cells(row) {
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

/// A field the drafts record provenance for. The variants are in the order of the
/// names, so a record's map is filled by appending, with no search or sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Noted {
    CompanyName,
    Country,
    Domain,
    Email,
    FirstName,
    FullName,
    Hq,
    Industry,
    LastName,
    LinkedinUrl,
    Location,
    Name,
    Phone,
    Size,
    Title,
    Website,
}

impl Noted {
    /// Names by variant; `registry_ids.*` names sort between `phone` and `size`.
    const NAMES: [&'static str; 16] = [
        "company_name",
        "country",
        "domain",
        "email",
        "first_name",
        "full_name",
        "hq",
        "industry",
        "last_name",
        "linkedin_url",
        "location",
        "name",
        "phone",
        "size",
        "title",
        "website",
    ];
}

/// Buffers a parallel task reuses from row to row.
#[derive(Default)]
struct RowScratch {
    /// Registry ids noted for the company being built.
    noted_registry: Vec<(String, f32)>,
    /// Provenance maps built so far, by the fields noted and their confidences. An
    /// import gives every value the same source and time, and each column one
    /// confidence, so a file's records share a handful of maps: cloning one costs a
    /// fraction of building it entry by entry.
    provenance: Vec<(ProvenanceKey, FieldProvenance)>,
}

/// The fields noted for a record (one bit each) and their confidences' bits. Equal keys give equal maps (equal bits, equal
/// confidences, whatever `Provenance::new` makes of them).
type ProvenanceKey = (u32, [u32; Noted::NAMES.len()]);

fn provenance_key(noted: &[Option<f32>; Noted::NAMES.len()]) -> ProvenanceKey {
    let mask = noted
        .iter()
        .enumerate()
        .fold(0, |m, (i, n)| m | (u32::from(n.is_some()) << i));
    (mask, noted.map(|n| n.map_or(0, f32::to_bits)))
}

/// Provenance maps a task keeps in [`RowScratch`] at most (a file has few shapes;
/// a bound keeps an odd file from filling memory with them).
const PROVENANCE_CACHE_LEN: usize = 64;

/// One mapped cell of a row: its (trimmed) value, the mapping's confidence, and
/// the column's header.
type Cell<'a> = (&'a str, f32, &'a str);

struct RowBuilder<'a, 'b> {
    source: &'a str,
    /// `source`, shared by every field's provenance.
    shared: Arc<str>,
    now: DateTime<Utc>,
    company_table: bool,
    values: [Option<Cell<'a>>; Field::ALL.len()],
    attributes: Attributes,
    registry: Vec<(String, String)>,
    /// Confidence noted per field for the record being built.
    noted: [Option<f32>; Noted::NAMES.len()],
    /// Buffers reused across rows (the registry ids noted for the company being
    /// built, the provenance maps built so far).
    scratch: &'b mut RowScratch,
    /// The ids the row's records get if they are new.
    contact_id: ContactId,
    company_id: CompanyId,
}

impl<'a, 'b> RowBuilder<'a, 'b> {
    fn new(
        source: &'a str,
        shared: &Arc<str>,
        now: DateTime<Utc>,
        company_table: bool,
        scratch: &'b mut RowScratch,
        (contact_id, company_id): (ContactId, CompanyId),
    ) -> Self {
        scratch.noted_registry.clear();
        RowBuilder {
            source,
            shared: Arc::clone(shared),
            now,
            company_table,
            values: [None; Field::ALL.len()],
            attributes: Attributes::new(),
            registry: Vec::new(),
            noted: [None; Noted::NAMES.len()],
            scratch,
            contact_id,
            company_id,
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

    /// Notes that `field` of the record being built came from the source (a field
    /// noted twice keeps the later note).
    fn note(&mut self, field: Noted, confidence: f32) {
        self.noted[field as usize] = Some(confidence);
    }

    /// [`RowBuilder::note`] for a registry id, whose name is not fixed.
    fn note_registry(&mut self, name: String, confidence: f32) {
        self.scratch.noted_registry.push((name, confidence));
    }

    /// The provenance noted since the last call, as a record's map.
    fn noted_provenance(&mut self) -> FieldProvenance {
        let noted = std::mem::replace(&mut self.noted, [None; Noted::NAMES.len()]);
        let key = provenance_key(&noted);
        let registry = &mut self.scratch.noted_registry;
        if registry.is_empty()
            && let Some((_, map)) = self.scratch.provenance.iter().find(|(k, _)| *k == key)
        {
            return map.clone();
        }
        let count = noted.iter().flatten().count() + registry.len();
        let mut map = FieldProvenance::with_capacity(count);
        let prov = |confidence| Provenance::new(Arc::clone(&self.shared), self.now, confidence);
        let cacheable = registry.is_empty();
        for (i, slot) in noted.iter().enumerate() {
            if i == Noted::Size as usize {
                // A stable sort: of two notes for one registry, the later wins.
                registry.sort_by(|a, b| a.0.cmp(&b.0));
                for (name, confidence) in registry.drain(..) {
                    map.insert(name, prov(confidence));
                }
            }
            if let Some(confidence) = *slot {
                map.insert(Noted::NAMES[i], prov(confidence));
            }
        }
        if cacheable && self.scratch.provenance.len() < PROVENANCE_CACHE_LEN {
            self.scratch.provenance.push((key, map.clone()));
        }
        map
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
        let mut c = Company::with_id_at(self.company_id, name, self.now);
        let conf = name_value.as_ref().map_or(0.9, |(_, conf, _)| *conf);
        self.note(Noted::Name, conf);
        if let Some((v, conf, _)) = website {
            c.website = Some(v.to_string());
            self.note(Noted::Website, conf);
        }
        if let Some(d) = domain {
            c.domain = Some(d);
            self.note(Noted::Domain, 0.9);
        } else if let Some((v, _, h)) = domain_value {
            c.attributes.insert(h.to_string(), v.to_string());
        }
        if let Some((v, conf, h)) = self.take(Field::CompanyLinkedinUrl) {
            match canonical_linkedin_url(v) {
                Some(u) => {
                    c.linkedin_url = Some(u);
                    self.note(Noted::LinkedinUrl, conf);
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
                    self.note(Noted::Country, conf);
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
            self.note(Noted::Hq, conf);
        }
        if let Some((v, conf, _)) = self.take(Field::Industry) {
            c.industry = Some(v.to_string());
            self.note(Noted::Industry, conf);
        }
        if let Some((v, conf, _)) = self.take(Field::CompanySize) {
            c.size = Some(v.to_string());
            self.note(Noted::Size, conf);
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
                    self.note_registry(format!("registry_ids.{scheme}"), conf);
                }
                None => {
                    c.attributes.insert(h.to_string(), v.to_string());
                }
            }
        }
        for (scheme, id) in std::mem::take(&mut self.registry) {
            self.note_registry(format!("registry_ids.{scheme}"), 1.0);
            c.registry_ids.insert(scheme, id);
        }
        if let Some((v, _, h)) = self.take(Field::VatId) {
            c.attributes.insert(h.to_string(), v.to_string());
        }
        c.provenance = self.noted_provenance();
        Some(c)
    }

    fn build_contact(
        &mut self,
        company_name: Option<String>,
        countries: &mut CountryCache<'a>,
    ) -> Option<Contact> {
        let mut p = Contact::with_id_at(self.contact_id, self.now);
        let first = self.take(Field::FirstName);
        let last = self.take(Field::LastName);
        let full = self.take(Field::FullName);
        let mut identity = false;
        if let Some((v, conf, _)) = first {
            p.first_name = Some(v.to_string());
            self.note(Noted::FirstName, conf);
            identity = true;
        }
        if let Some((v, conf, _)) = last {
            p.last_name = Some(v.to_string());
            self.note(Noted::LastName, conf);
            identity = true;
        }
        if let Some((v, conf, _)) = full {
            if p.first_name.is_none() && p.last_name.is_none() {
                let (f, l) = split_full_name(v);
                if f.is_some() {
                    self.note(Noted::FirstName, conf * 0.9);
                }
                if l.is_some() {
                    self.note(Noted::LastName, conf * 0.9);
                }
                p.first_name = f;
                p.last_name = l;
            }
            p.full_name = Some(v.to_string());
            self.note(Noted::FullName, conf);
            identity = true;
        }
        if let Some((v, conf, h)) = self.take(Field::Email) {
            identity = true;
            match normalize_email(v) {
                Ok(e) => {
                    p.email = Some(e);
                    self.note(Noted::Email, conf);
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
                    self.note(Noted::LinkedinUrl, conf);
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
            self.note(Noted::Title, conf);
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
            self.note(Noted::Phone, conf);
        }
        let location = self.take(Field::Location);
        let city = self.take(Field::City);
        match (location, city) {
            (Some((v, conf, _)), city) => {
                p.location = Some(v.to_string());
                self.note(Noted::Location, conf);
                if let Some((c, _, h)) = city {
                    self.attributes.insert(h.to_string(), c.to_string());
                }
            }
            (None, Some((v, conf, _))) => {
                p.location = Some(v.to_string());
                self.note(Noted::Location, conf);
            }
            (None, None) => {}
        }
        if let Some((v, conf, h)) = self.take(Field::Country) {
            match countries.code(v) {
                Some(cc) => {
                    p.country = Some(cc.into());
                    self.note(Noted::Country, conf);
                }
                None => {
                    self.attributes.insert(h.to_string(), v.to_string());
                }
            }
        }
        if let Some(name) = company_name {
            p.company_name = Some(name);
            self.note(Noted::CompanyName, 0.9);
        }
        p.source = Some(match self.take(Field::Source) {
            Some((v, _, _)) => v.to_string(),
            None => self.source.to_string(),
        });
        p.provenance = self.noted_provenance();
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
        let keys: Vec<&str> = contact.provenance.keys().collect();
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
        let keys: Vec<&str> = company.provenance.keys().collect();
        assert_eq!(keys, ["name", "registry_ids.cz:ico"]);
        // The explicit `registry_ids.` column comes after the mapped IČO: it wins.
        assert_eq!(company.provenance["registry_ids.cz:ico"].confidence, 1.0);
    }

    /// Rows of one shape share a provenance map; a row of another shape gets its
    /// own, never a map of the rows before it.
    #[test]
    fn provenance_follows_each_rows_fields() {
        use crate::import::mapping::infer_mapping;
        use crate::import::table::SourceFormat;
        let rows: [(u64, &[&str]); 5] = [
            (2, &["Jan", "jan@acme.cz", "Acme"]),
            (3, &["Eva", "", "Acme"]),
            (4, &["Petr", "petr@acme.cz", "Acme"]),
            (5, &["", "anna@acme.cz", ""]),
            (6, &["Ola", "", ""]),
        ];
        let table = Table {
            file: "t.csv".into(),
            format: SourceFormat::Jsonl,
            headers: ["First Name", "Email", "Company"]
                .map(String::from)
                .to_vec(),
            rows: crate::import::table::Rows::from_cells(&rows),
            errors: vec![],
        };
        let mapping = infer_mapping(&table, None, None).unwrap();
        let (drafts, errors) = build_drafts(&table, &mapping, "import:test");
        assert!(errors.is_empty(), "{errors:?}");
        let keys = |i: usize| -> Vec<&str> {
            drafts[i]
                .contact
                .as_ref()
                .unwrap()
                .provenance
                .keys()
                .collect()
        };
        assert_eq!(keys(0), ["company_name", "email", "first_name"]);
        assert_eq!(keys(1), ["company_name", "first_name"]);
        assert_eq!(keys(2), keys(0));
        assert_eq!(keys(3), ["email"]);
        assert_eq!(keys(4), ["first_name"]);
        let company = |i: usize| -> Vec<&str> {
            drafts[i]
                .company
                .as_ref()
                .unwrap()
                .provenance
                .keys()
                .collect()
        };
        assert_eq!(company(0), ["name"]);
        assert_eq!(company(1), ["name"]);
        assert!(drafts[3].company.is_none());
    }

    /// The rows a build turns into nothing, and no others, are the rows the check
    /// reports: over every sample file, and over tables made to sit on each edge of
    /// the decision (a company named only by its domain, an invalid domain, a person
    /// with only a bad email, a company table).
    #[test]
    fn drafts_agree_with_the_check() {
        use crate::import::job::{ImportOptions, read_table};
        use crate::import::mapping::infer_mapping;
        use crate::import::table::SourceFormat;

        let disagreements = |table: &Table, what: &str| {
            let mapping = infer_mapping(table, None, None).unwrap();
            let plan = DraftPlan::new(&mapping, "import:test");
            let ctx = Context::new(table, &plan);
            let (usable, errors) = ctx.check_rows();
            let all: Vec<u32> = (0..table.rows.len() as u32).collect();
            let (mut countries, shared, mut scratch) = (
                CountryCache::default(),
                Arc::<str>::from("import:test"),
                RowScratch::default(),
            );
            let built: Vec<u32> = all
                .iter()
                .copied()
                .filter(|&i| {
                    let d = ctx.build_row(i, &mut countries, &shared, &mut scratch);
                    d.contact.is_some() || d.company.is_some()
                })
                .collect();
            assert_eq!(usable, built, "{what}: the check and the build disagree");
            assert_eq!(usable.len() + errors.len(), table.rows.len(), "{what}");
            assert_eq!(ctx.build_rows(&usable).len(), usable.len(), "{what}");
            usable.len()
        };

        let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut files: Vec<_> = [shared, fixtures]
            .iter()
            .filter_map(|d| std::fs::read_dir(d).ok())
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                [".csv", ".xlsx", ".xls", ".ods"]
                    .iter()
                    .any(|x| name.ends_with(x))
                    && !name.contains("100k")
            })
            .collect();
        files.sort();
        assert!(files.len() >= 10, "the sample files: {files:?}");
        for path in &files {
            let table = read_table(path, &ImportOptions::default()).unwrap();
            disagreements(&table, &path.display().to_string());
        }

        let table = |headers: &[&str], rows: &[(u64, &[&str])]| Table {
            file: "t.csv".into(),
            format: SourceFormat::Jsonl,
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: crate::import::table::Rows::from_cells(rows),
            errors: vec![],
        };
        let people = table(
            &[
                "First Name",
                "Email",
                "Company",
                "Website",
                "Company LinkedIn",
                "Notes",
            ],
            &[
                (2, &["Jan", "", "", "", "", ""]),
                (3, &["", "not an email", "", "", "", ""]),
                (4, &["", "", "", "acme.cz", "", "x"]),
                (5, &["", "", "", "acme.cz", "linkedin.com/company/acme", ""]),
                (
                    6,
                    &["", "", "", "not a site", "linkedin.com/company/acme", ""],
                ),
                (7, &["", "", "Acme", "", "", ""]),
                (8, &["n/a", "-", "", "", "", "only a note"]),
                (9, &["", "", "", "", "", ""]),
            ],
        );
        assert_eq!(disagreements(&people, "people"), 4);
        let firms = table(
            &["Company Name", "Website", "Country"],
            &[
                (2, &["Acme", "", "CZ"]),
                (3, &["", "https://www.beta.no/about", "NO"]),
                (4, &["", "::::", "FI"]),
                (5, &["", "", "FI"]),
            ],
        );
        assert_eq!(disagreements(&firms, "firms"), 2);
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
