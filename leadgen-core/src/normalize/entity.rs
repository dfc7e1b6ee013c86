//! Normalizing whole entities: every normalizer applied to the fields of a
//! [`Contact`] or [`Company`], with provenance for what changed, and the two
//! stages that run it in a pipeline.
//!
//! Nothing is lost: when a field's value is replaced, the value it had is kept in
//! `attributes` under `raw.<field>` (first time only, so re-running keeps the
//! original). Values normalization cannot read (an invalid phone, an unknown
//! country) stay where they were and get a warning; an invalid phone also gets
//! `attributes["phone_status"]`. Fields derived from others (normalized title,
//! seniority, department, normalized name, legal form) are filled when empty or
//! when normalization wrote them before, never over a value another source gave.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::company::normalize_company_name_in;
use super::country::country_code;
use super::email::tidy_email;
use super::linkedin::{LinkedInKind, canonical_linkedin_url};
use super::location::parse_location;
use super::person::{parse_person_name, repair_capitalization, strip_name_titles};
use super::phone::{PhoneProblem, normalize_phone};
use super::text::collapse_whitespace;
use super::title::normalize_job_title;
use super::web::registrable_domain;
use crate::error::{Error, Result};
use crate::model::{Company, Contact, Credits, Entity, EntityKind, FieldProvenance, Provenance};
use crate::stage::{Stage, StageContext, StageOutcome};

/// The provenance source of values written by normalization.
pub const SOURCE: &str = "normalize";

/// How to normalize an entity.
#[derive(Debug, Clone, PartialEq)]
pub struct NormalizeOptions {
    /// Country (ISO alpha-2) for reading phone numbers when the entity names none,
    /// e.g. the contact's company's country.
    pub default_country: Option<String>,
    /// The time recorded in provenance and `updated_at`.
    pub now: DateTime<Utc>,
}

impl Default for NormalizeOptions {
    fn default() -> Self {
        NormalizeOptions {
            default_country: None,
            now: Utc::now(),
        }
    }
}

/// What normalizing one entity did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NormalizeReport {
    /// The fields that got a new value.
    pub changed: Vec<&'static str>,
    /// Values that could not be normalized and were left as they were.
    pub warnings: Vec<String>,
}

impl NormalizeReport {
    /// Whether anything changed.
    pub fn is_changed(&self) -> bool {
        !self.changed.is_empty()
    }
}

/// Writes field values and their provenance, keeping replaced values.
struct Writer<'a> {
    now: DateTime<Utc>,
    report: NormalizeReport,
    provenance: &'a mut FieldProvenance,
    attributes: &'a mut crate::model::Attributes,
}

impl Writer<'_> {
    /// The confidence of `from`'s value (1.0 when unknown).
    fn confidence(&self, from: &str) -> f32 {
        self.provenance.get(from).map_or(1.0, |p| p.confidence)
    }

    fn record(&mut self, field: &'static str, from: &str) {
        let confidence = self.confidence(from);
        self.provenance.insert(
            field.to_string(),
            Provenance::new(SOURCE, self.now, confidence),
        );
        if !self.report.changed.contains(&field) {
            self.report.changed.push(field);
        }
    }

    /// Replaces a field's value (normalizing it), keeping the old one as `raw.<field>`.
    fn replace(&mut self, field: &'static str, slot: &mut Option<String>, value: Option<String>) {
        if *slot == value {
            return;
        }
        if let Some(old) = slot.as_ref() {
            self.attributes
                .get_or_insert_with(format!("raw.{field}"), || old.clone());
        }
        *slot = value;
        self.record(field, field);
    }

    /// Fills a derived field when it is empty or was derived by normalization before.
    fn derive<T: PartialEq>(
        &mut self,
        field: &'static str,
        from: &str,
        slot: &mut Option<T>,
        value: Option<T>,
    ) {
        let ours = self
            .provenance
            .get(field)
            .is_some_and(|p| &*p.source == SOURCE);
        if value.is_none() || *slot == value || (slot.is_some() && !ours) {
            return;
        }
        *slot = value;
        self.record(field, from);
    }

    /// Stores a value in `attributes` (for things with no field of their own).
    fn attribute(&mut self, key: &str, value: String) {
        if self.attributes.get(key) != Some(&value) {
            self.attributes.insert(key.to_string(), value);
            if !self.report.changed.contains(&"attributes") {
                self.report.changed.push("attributes");
            }
        }
    }

    fn warn(&mut self, warning: String) {
        self.report.warnings.push(warning);
    }
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Normalizes every field of a contact; see [`normalize_contact_with`].
///
/// ```
/// use leadgen_core::Contact;
/// use leadgen_core::normalize::normalize_contact;
/// let mut c = Contact::new();
/// c.full_name = Some("Ing. JAN NOVÁK".into());
/// c.title = Some("VP Sales".into());
/// c.country = Some("Česko".into());
/// c.phone = Some("602 123 456".into());
/// normalize_contact(&mut c);
/// assert_eq!((c.first_name.as_deref(), c.last_name.as_deref()), (Some("Jan"), Some("Novák")));
/// assert_eq!(c.normalized_title.as_deref(), Some("Vice President of Sales"));
/// assert_eq!(c.country.as_deref(), Some("CZ"));
/// assert_eq!(c.phone.as_deref(), Some("+420602123456"));
/// assert_eq!(&*c.provenance["phone"].source, "normalize");
/// ```
pub fn normalize_contact(contact: &mut Contact) -> NormalizeReport {
    normalize_contact_with(contact, &NormalizeOptions::default())
}

/// Normalizes every field of a contact: names split and capitalized, e-mail tidied,
/// title expanded and classified, LinkedIn URL canonical, country as ISO code,
/// location parsed, phone in E.164 (read in the contact's country, else
/// `options.default_country`).
pub fn normalize_contact_with(
    contact: &mut Contact,
    options: &NormalizeOptions,
) -> NormalizeReport {
    let mut w = Writer {
        now: options.now,
        report: NormalizeReport::default(),
        provenance: &mut contact.provenance,
        attributes: &mut contact.attributes,
    };

    // Names.
    if non_empty(&contact.first_name).is_none() && non_empty(&contact.last_name).is_none() {
        if let Some(full) = non_empty(&contact.full_name) {
            let parsed = parse_person_name(full);
            let first = parsed.first.as_deref().map(repair_capitalization);
            let last = parsed.last.as_deref().map(repair_capitalization);
            w.derive("first_name", "full_name", &mut contact.first_name, first);
            w.derive("last_name", "full_name", &mut contact.last_name, last);
            for (key, value) in [
                ("middle_name", parsed.middle),
                ("name_prefix", parsed.prefix),
                ("name_suffix", parsed.suffix),
                ("nickname", parsed.nickname),
            ] {
                if let Some(v) = value {
                    w.attribute(key, v);
                }
            }
        }
    } else {
        if let Some(first) = non_empty(&contact.first_name) {
            let (prefix, rest, _) = strip_name_titles(first);
            if let Some(prefix) = prefix {
                w.attribute("name_prefix", prefix);
            }
            let value = Some(repair_capitalization(&rest));
            w.replace("first_name", &mut contact.first_name, value);
        }
        if let Some(last) = non_empty(&contact.last_name) {
            let (_, rest, suffix) = strip_name_titles(last);
            if let Some(suffix) = suffix {
                w.attribute("name_suffix", suffix);
            }
            let value = Some(repair_capitalization(&rest));
            w.replace("last_name", &mut contact.last_name, value);
        }
    }

    // E-mail.
    if let Some(email) = contact.email.clone() {
        let tidy = tidy_email(&email);
        w.replace("email", &mut contact.email, tidy);
    }

    // Title.
    if let Some(title) = non_empty(&contact.title) {
        let t = normalize_job_title(title);
        w.derive(
            "normalized_title",
            "title",
            &mut contact.normalized_title,
            Some(t.normalized),
        );
        w.derive("seniority", "title", &mut contact.seniority, t.seniority);
        w.derive("department", "title", &mut contact.department, t.department);
    }

    // LinkedIn.
    if let Some(url) = non_empty(&contact.linkedin_url).map(str::to_string) {
        match canonical_linkedin_url(&url) {
            Some(li) if li.kind.is_public_profile() => {
                w.replace("linkedin_url", &mut contact.linkedin_url, Some(li.url));
            }
            Some(li) if li.kind == LinkedInKind::SalesNavigatorLead => {
                // Not a public profile: kept apart so it is never compared as one.
                w.attribute("linkedin_sales_navigator_url", li.url);
                w.replace("linkedin_url", &mut contact.linkedin_url, None);
            }
            _ => w.warn(format!("linkedin_url: not a LinkedIn profile URL: {url}")),
        }
    }

    // Country and location.
    if let Some(country) = non_empty(&contact.country).map(str::to_string) {
        match country_code(&country) {
            Some(code) => w.replace("country", &mut contact.country, Some(code.to_string())),
            None => w.warn(format!("country: unknown country {country:?}")),
        }
    }
    if let Some(location) = non_empty(&contact.location).map(str::to_string) {
        let mut loc = parse_location(&location);
        if contact.country.is_none() {
            let named = loc.country.map(str::to_string);
            w.derive("country", "location", &mut contact.country, named);
        }
        if loc.country.is_none() {
            loc.country = contact.country.as_deref().and_then(country_code);
        }
        if !loc.is_empty() {
            w.replace("location", &mut contact.location, Some(loc.to_string()));
        }
    }

    // Phone, read in the contact's country.
    if let Some(raw) = non_empty(&contact.phone).map(str::to_string) {
        let mut values = raw.split(":::").map(str::trim).filter(|s| !s.is_empty());
        let first = values.next().unwrap_or_default().to_string();
        let others: Vec<&str> = values.collect();
        if !others.is_empty() {
            w.attribute("phone_other", others.join(" ::: "));
        }
        let region = contact
            .country
            .as_deref()
            .or(options.default_country.as_deref());
        let phone = normalize_phone(&first, region);
        match (phone.e164, phone.problem) {
            (Some(e164), None) => w.replace("phone", &mut contact.phone, Some(e164)),
            (e164, Some(problem)) => {
                let status = match problem {
                    PhoneProblem::NoRegion => "no_region",
                    PhoneProblem::Empty | PhoneProblem::Unparseable | PhoneProblem::Invalid => {
                        "invalid"
                    }
                };
                w.attribute("phone_status", status.to_string());
                w.warn(format!("phone: {status} number {first:?}"));
                let value = e164.unwrap_or_else(|| collapse_whitespace(&first));
                w.replace("phone", &mut contact.phone, Some(value));
            }
            (None, None) => {}
        }
    }

    let report = w.report;
    if report.is_changed() {
        contact.updated_at = options.now;
    }
    report
}

/// Normalizes every field of a company; see [`normalize_company_with`].
///
/// ```
/// use leadgen_core::Company;
/// use leadgen_core::normalize::normalize_company;
/// let mut c = Company::new("Agro Tech s. r. o.");
/// c.website = Some("http://www.agrotech.cz/kontakt".into());
/// c.country = Some("Czechia".into());
/// normalize_company(&mut c);
/// assert_eq!(c.name, "Agro Tech s. r. o.");
/// assert_eq!(c.normalized_name.as_deref(), Some("agro tech"));
/// assert_eq!(c.legal_form.as_deref(), Some("s.r.o."));
/// assert_eq!(c.domain.as_deref(), Some("agrotech.cz"));
/// assert_eq!(c.country.as_deref(), Some("CZ"));
/// ```
pub fn normalize_company(company: &mut Company) -> NormalizeReport {
    normalize_company_with(company, &NormalizeOptions::default())
}

/// Normalizes every field of a company: country as ISO code, HQ parsed, name split
/// into matching key and legal form (the display name is kept as given), domain
/// registrable and in punycode (from the domain, else the website), LinkedIn
/// company URL canonical.
pub fn normalize_company_with(
    company: &mut Company,
    options: &NormalizeOptions,
) -> NormalizeReport {
    let mut w = Writer {
        now: options.now,
        report: NormalizeReport::default(),
        provenance: &mut company.provenance,
        attributes: &mut company.attributes,
    };

    if let Some(country) = non_empty(&company.country).map(str::to_string) {
        match country_code(&country) {
            Some(code) => w.replace("country", &mut company.country, Some(code.to_string())),
            None => w.warn(format!("country: unknown country {country:?}")),
        }
    }
    if let Some(hq) = non_empty(&company.hq).map(str::to_string) {
        let mut loc = parse_location(&hq);
        if company.country.is_none() {
            let named = loc.country.map(str::to_string);
            w.derive("country", "hq", &mut company.country, named);
        }
        if loc.country.is_none() {
            loc.country = company.country.as_deref().and_then(country_code);
        }
        if !loc.is_empty() {
            w.replace("hq", &mut company.hq, Some(loc.to_string()));
        }
    }

    let tidy_name = collapse_whitespace(&company.name);
    if tidy_name != company.name && !tidy_name.is_empty() {
        w.attributes
            .get_or_insert_with("raw.name", || company.name.clone());
        company.name = tidy_name;
        w.record("name", "name");
    }
    let name = normalize_company_name_in(&company.name, company.country.as_deref());
    let key = Some(name.key).filter(|k| !k.is_empty());
    w.derive("normalized_name", "name", &mut company.normalized_name, key);
    w.derive(
        "legal_form",
        "name",
        &mut company.legal_form,
        name.legal_form,
    );

    match non_empty(&company.domain).map(str::to_string) {
        Some(domain) => match registrable_domain(&domain) {
            Some(d) => w.replace("domain", &mut company.domain, Some(d)),
            None => w.warn(format!("domain: not a domain: {domain:?}")),
        },
        None => {
            if let Some(website) = non_empty(&company.website) {
                let d = registrable_domain(website);
                w.derive("domain", "website", &mut company.domain, d);
            }
        }
    }

    if let Some(url) = non_empty(&company.linkedin_url).map(str::to_string) {
        match canonical_linkedin_url(&url) {
            Some(li) if li.kind.is_company() => {
                w.replace("linkedin_url", &mut company.linkedin_url, Some(li.url));
            }
            Some(li) if li.kind == LinkedInKind::SalesNavigatorCompany => {
                w.attribute("linkedin_sales_navigator_url", li.url);
                w.replace("linkedin_url", &mut company.linkedin_url, None);
            }
            _ => w.warn(format!("linkedin_url: not a LinkedIn company URL: {url}")),
        }
    }

    let report = w.report;
    if report.is_changed() {
        company.updated_at = options.now;
    }
    report
}

/// The outcome of normalizing `entity` of `kind`: the report as output, the
/// updated entity when anything changed. Free.
fn outcome(kind: EntityKind, entity: &Entity, options: &NormalizeOptions) -> Result<StageOutcome> {
    let (report, updated) = match (kind, entity) {
        (EntityKind::Contact, Entity::Contact(c)) => {
            let mut c = c.clone();
            let report = normalize_contact_with(&mut c, options);
            (report, Entity::Contact(c))
        }
        (EntityKind::Company, Entity::Company(c)) => {
            let mut c = c.clone();
            let report = normalize_company_with(&mut c, options);
            (report, Entity::Company(c))
        }
        _ => {
            return Err(Error::invalid(
                "entity",
                format!("normalize_{kind} got a {}", entity.kind()),
            ));
        }
    };
    let output = serde_json::to_value(&report).unwrap_or_default();
    Ok(StageOutcome::Completed {
        output,
        cost: Credits::ZERO,
        updated: report.is_changed().then(|| Box::new(updated)),
    })
}

/// The `normalize_contact` stage: [`normalize_contact_with`] on one contact, with
/// the contact's company's country as default region. Free, inline, no
/// dependencies.
#[derive(Debug, Clone, Copy, Default)]
pub struct NormalizeContactStage;

impl NormalizeContactStage {
    /// What the stage does for `entity`, given the contact's company: the pure core
    /// of [`Stage::run`].
    pub fn apply(
        &self,
        entity: &Entity,
        company: Option<&Company>,
        now: DateTime<Utc>,
    ) -> Result<StageOutcome> {
        let options = NormalizeOptions {
            default_country: company.and_then(|c| c.country.clone()),
            now,
        };
        outcome(EntityKind::Contact, entity, &options)
    }
}

#[async_trait]
impl Stage for NormalizeContactStage {
    fn id(&self) -> &str {
        "normalize_contact"
    }

    fn entity_kind(&self) -> EntityKind {
        EntityKind::Contact
    }

    async fn run(&self, ctx: &StageContext, entity: &Entity) -> Result<StageOutcome> {
        self.apply(entity, ctx.company.as_ref(), ctx.clock.now())
    }
}

/// The `normalize_company` stage: [`normalize_company_with`] on one company. Free,
/// inline, no dependencies.
#[derive(Debug, Clone, Copy, Default)]
pub struct NormalizeCompanyStage;

impl NormalizeCompanyStage {
    /// What the stage does for `entity`: the pure core of [`Stage::run`].
    pub fn apply(&self, entity: &Entity, now: DateTime<Utc>) -> Result<StageOutcome> {
        let options = NormalizeOptions {
            default_country: None,
            now,
        };
        outcome(EntityKind::Company, entity, &options)
    }
}

#[async_trait]
impl Stage for NormalizeCompanyStage {
    fn id(&self) -> &str {
        "normalize_company"
    }

    fn entity_kind(&self) -> EntityKind {
        EntityKind::Company
    }

    async fn run(&self, ctx: &StageContext, entity: &Entity) -> Result<StageOutcome> {
        self.apply(entity, ctx.clock.now())
    }
}

#[cfg(test)]
#[path = "entity_tests.rs"]
mod tests;
