//! A contact: a person at a company.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::field_map::{Attributes, FieldName};
use super::ids::{CompanyId, ContactId};
use super::provenance::{FieldProvenance, Provenance};

/// What is known about a contact's email address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EmailStatus {
    /// Not checked yet.
    #[default]
    Unverified,
    /// Deliverable as far as the checks go.
    Valid,
    /// Will bounce (bad syntax, no mail server, rejected recipient).
    Invalid,
    /// May bounce or hurt reputation (catch-all, disposable, role account).
    Risky,
    /// Checked, but the answer was inconclusive (greylisting, timeouts).
    Unknown,
}

impl EmailStatus {
    /// The snake_case name, as stored and serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            EmailStatus::Unverified => "unverified",
            EmailStatus::Valid => "valid",
            EmailStatus::Invalid => "invalid",
            EmailStatus::Risky => "risky",
            EmailStatus::Unknown => "unknown",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "unverified" => EmailStatus::Unverified,
            "valid" => EmailStatus::Valid,
            "invalid" => EmailStatus::Invalid,
            "risky" => EmailStatus::Risky,
            "unknown" => EmailStatus::Unknown,
            _ => return None,
        })
    }
}

/// How senior a job title is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Seniority {
    /// Owner, founder, co-founder, partner.
    Owner,
    /// Board member, chair.
    Board,
    /// CEO, CTO, CFO and other chiefs.
    CLevel,
    /// Vice president (incl. SVP, EVP).
    Vp,
    /// Director.
    Director,
    /// Head of a function.
    Head,
    /// Manager, lead.
    Manager,
    /// Senior individual contributor.
    Senior,
    /// Entry-level or unspecified individual contributor.
    Entry,
    /// Intern, trainee, student.
    Intern,
}

/// The function a job title belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Department {
    /// General management.
    Executive,
    /// Sales, business development, account management.
    Sales,
    /// Marketing, growth, communications.
    Marketing,
    /// Software and hardware engineering.
    Engineering,
    /// Product management.
    Product,
    /// Design, UX.
    Design,
    /// Data, analytics.
    Data,
    /// Finance, accounting.
    Finance,
    /// People, HR, recruiting.
    Hr,
    /// Operations, supply chain.
    Operations,
    /// Legal, compliance.
    Legal,
    /// IT, security.
    It,
    /// Customer success, support.
    CustomerSuccess,
    /// Anything else.
    Other,
}

/// A contact, as leadgen stores it.
///
/// ```
/// use leadgen_core::{Contact, EmailStatus};
/// let mut jana = Contact::new();
/// jana.first_name = Some("Jana".into());
/// jana.last_name = Some("Nováková".into());
/// jana.email = Some("jana@acme.cz".into());
/// assert_eq!(jana.email_status, EmailStatus::Unverified);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// Stable id.
    pub id: ContactId,
    /// The company the contact works at, when linked.
    pub company_id: Option<CompanyId>,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Full name as the source gave it.
    pub full_name: Option<String>,
    /// Email address as given (trimmed).
    pub email: Option<String>,
    /// What is known about the address.
    pub email_status: EmailStatus,
    /// Job title as given.
    pub title: Option<String>,
    /// Job title with abbreviations expanded ("Vice President of Sales").
    pub normalized_title: Option<String>,
    /// Seniority derived from the title.
    pub seniority: Option<Seniority>,
    /// Department derived from the title.
    pub department: Option<Department>,
    /// Canonical LinkedIn profile URL.
    pub linkedin_url: Option<String>,
    /// Phone, E.164 when it could be normalized.
    pub phone: Option<String>,
    /// Location as text ("Prague, CZ").
    pub location: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Option<String>,
    /// The company name as the source gave it (kept even when linked).
    pub company_name: Option<String>,
    /// Where the record came from (`import:apollo`, `crm:hubspot`, …).
    pub source: Option<String>,
    /// Columns the user had that map to no field, kept verbatim.
    pub attributes: Attributes,
    /// Where each field's value came from.
    pub provenance: FieldProvenance,
    /// Data-quality score, 0.0–1.0, when computed.
    pub quality_score: Option<f32>,
    /// When leadgen first stored the contact.
    #[serde(serialize_with = "super::time::serialize")]
    pub created_at: DateTime<Utc>,
    /// When any field last changed.
    #[serde(serialize_with = "super::time::serialize")]
    pub updated_at: DateTime<Utc>,
    /// When an enrichment stage last ran for it.
    #[serde(serialize_with = "super::time::serialize_option")]
    pub last_enriched_at: Option<DateTime<Utc>>,
    /// Set when dedup merged this contact into another: the record stays as a
    /// tombstone pointing to the survivor (so a merge can be undone), and is left out
    /// of listings unless asked for.
    #[serde(default)]
    pub merged_into: Option<ContactId>,
}

impl Contact {
    /// A contact with a fresh id and every field empty.
    pub fn new() -> Self {
        Contact::new_at(Utc::now())
    }

    /// A contact with a fresh id, every field empty, created (and updated) at `now`.
    ///
    /// Importers stamp every record of a file with one time: this skips a clock read
    /// per record.
    pub fn new_at(now: DateTime<Utc>) -> Self {
        Contact::with_id_at(ContactId::new(), now)
    }

    /// A contact with the given id and every field empty, created (and updated) at
    /// `now`. Importers take ids from an [`IdBlock`](crate::IdBlock).
    pub fn with_id_at(id: ContactId, now: DateTime<Utc>) -> Self {
        Contact {
            id,
            company_id: None,
            first_name: None,
            last_name: None,
            full_name: None,
            email: None,
            email_status: EmailStatus::Unverified,
            title: None,
            normalized_title: None,
            seniority: None,
            department: None,
            linkedin_url: None,
            phone: None,
            location: None,
            country: None,
            company_name: None,
            source: None,
            attributes: Attributes::new(),
            provenance: FieldProvenance::new(),
            quality_score: None,
            created_at: now,
            updated_at: now,
            last_enriched_at: None,
            merged_into: None,
        }
    }

    /// The best display name: full name, else first + last, else the email.
    pub fn display_name(&self) -> Option<String> {
        if let Some(full) = self.full_name.as_deref().filter(|s| !s.is_empty()) {
            return Some(full.to_string());
        }
        let parts: Vec<&str> = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect();
        if !parts.is_empty() {
            return Some(parts.join(" "));
        }
        self.email.clone()
    }

    /// Records where `field`'s value came from.
    pub fn set_provenance(&mut self, field: impl Into<FieldName>, provenance: Provenance) {
        self.provenance.insert(field, provenance);
    }
}

impl Default for Contact {
    fn default() -> Self {
        Contact::new()
    }
}
