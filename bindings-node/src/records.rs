//! `Contact` and `Company` as plain JavaScript objects (camelCase fields), converted
//! field by field at the boundary. Ids are UUID strings, enums their snake_case names,
//! timestamps `Date`s.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use leadgen::core::{
    Company as RsCompany, CompanyId, Contact as RsContact, ContactId, EmailStatus,
};
use napi_derive::napi;
use serde::de::DeserializeOwned;

use crate::errors::invalid;

/// Where one field's value came from.
#[napi(object)]
#[derive(Clone)]
pub struct Provenance {
    /// `import:linkedin_connections`, `stage:ares`, `crm:hubspot`, `user`, …
    pub source: String,
    /// When the value was observed at the source.
    pub observed_at: DateTime<Utc>,
    /// Confidence, 0–1.
    pub confidence: f64,
}

fn provenance_out(p: leadgen::core::FieldProvenance) -> BTreeMap<String, Provenance> {
    p.into_iter()
        .map(|(k, v)| {
            let js = Provenance {
                source: v.source.to_string(),
                observed_at: v.observed_at,
                confidence: f64::from(v.confidence),
            };
            (k, js)
        })
        .collect()
}

fn provenance_in(p: Option<BTreeMap<String, Provenance>>) -> leadgen::core::FieldProvenance {
    p.unwrap_or_default()
        .into_iter()
        .map(|(k, v)| {
            (
                k,
                leadgen::core::Provenance::new(v.source, v.observed_at, v.confidence as f32),
            )
        })
        .collect()
}

/// An enum's snake_case name (its serde form).
pub fn enum_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// Parses an enum from its snake_case name, naming the field on failure.
pub fn parse_enum<T: DeserializeOwned>(field: &str, name: &str) -> leadgen::Result<T> {
    serde_json::from_value(serde_json::Value::String(name.to_string()))
        .map_err(|_| invalid(field, format!("{name:?} is not a known value")))
}

/// A stored contact.
#[napi(object)]
pub struct Contact {
    pub id: String,
    pub company_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub full_name: Option<String>,
    pub email: Option<String>,
    /// `unverified`, `valid`, `invalid`, `risky` or `unknown`.
    pub email_status: String,
    pub title: Option<String>,
    pub normalized_title: Option<String>,
    /// `owner`, `board`, `c_level`, `vp`, `director`, `head`, `manager`, `senior`, `entry`, `intern`.
    pub seniority: Option<String>,
    /// `executive`, `sales`, `marketing`, `engineering`, … (snake_case).
    pub department: Option<String>,
    pub linkedin_url: Option<String>,
    pub phone: Option<String>,
    pub location: Option<String>,
    pub country: Option<String>,
    pub company_name: Option<String>,
    pub source: Option<String>,
    pub attributes: BTreeMap<String, String>,
    pub provenance: BTreeMap<String, Provenance>,
    pub quality_score: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_enriched_at: Option<DateTime<Utc>>,
    pub merged_into: Option<String>,
}

/// A contact to store: `id` is required (make one with `newContact`), every other
/// field is optional. A `Contact` read from the store is a valid `ContactInput`.
#[napi(object)]
pub struct ContactInput {
    pub id: String,
    pub company_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub full_name: Option<String>,
    pub email: Option<String>,
    pub email_status: Option<String>,
    pub title: Option<String>,
    pub normalized_title: Option<String>,
    pub seniority: Option<String>,
    pub department: Option<String>,
    pub linkedin_url: Option<String>,
    pub phone: Option<String>,
    pub location: Option<String>,
    pub country: Option<String>,
    pub company_name: Option<String>,
    pub source: Option<String>,
    pub attributes: Option<BTreeMap<String, String>>,
    pub provenance: Option<BTreeMap<String, Provenance>>,
    pub quality_score: Option<f64>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub last_enriched_at: Option<DateTime<Utc>>,
    pub merged_into: Option<String>,
}

/// The fields of a new contact (all optional).
#[napi(object)]
#[derive(Default)]
pub struct ContactFields {
    pub company_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub full_name: Option<String>,
    pub email: Option<String>,
    pub title: Option<String>,
    pub linkedin_url: Option<String>,
    pub phone: Option<String>,
    pub location: Option<String>,
    pub country: Option<String>,
    pub company_name: Option<String>,
    pub source: Option<String>,
    pub attributes: Option<BTreeMap<String, String>>,
}

impl From<RsContact> for Contact {
    fn from(c: RsContact) -> Self {
        Contact {
            id: c.id.to_string(),
            company_id: c.company_id.map(|id| id.to_string()),
            first_name: c.first_name,
            last_name: c.last_name,
            full_name: c.full_name,
            email: c.email,
            email_status: c.email_status.as_str().to_string(),
            title: c.title,
            normalized_title: c.normalized_title,
            seniority: c.seniority.as_ref().map(enum_name),
            department: c.department.as_ref().map(enum_name),
            linkedin_url: c.linkedin_url,
            phone: c.phone,
            location: c.location,
            country: c.country,
            company_name: c.company_name,
            source: c.source,
            attributes: c.attributes.into_iter().collect(),
            provenance: provenance_out(c.provenance),
            quality_score: c.quality_score.map(f64::from),
            created_at: c.created_at,
            updated_at: c.updated_at,
            last_enriched_at: c.last_enriched_at,
            merged_into: c.merged_into.map(|id| id.to_string()),
        }
    }
}

impl TryFrom<ContactInput> for RsContact {
    type Error = leadgen::Error;
    fn try_from(c: ContactInput) -> leadgen::Result<Self> {
        let mut out = RsContact::new();
        out.id = ContactId::parse(&c.id)?;
        out.company_id = c.company_id.as_deref().map(CompanyId::parse).transpose()?;
        out.first_name = c.first_name;
        out.last_name = c.last_name;
        out.full_name = c.full_name;
        out.email = c.email;
        if let Some(status) = c.email_status {
            out.email_status = EmailStatus::parse(&status).ok_or_else(|| {
                invalid("emailStatus", format!("{status:?} is not a known status"))
            })?;
        }
        out.title = c.title;
        out.normalized_title = c.normalized_title;
        out.seniority = c
            .seniority
            .as_deref()
            .map(|s| parse_enum("seniority", s))
            .transpose()?;
        out.department = c
            .department
            .as_deref()
            .map(|s| parse_enum("department", s))
            .transpose()?;
        out.linkedin_url = c.linkedin_url;
        out.phone = c.phone;
        out.location = c.location;
        out.country = c.country;
        out.company_name = c.company_name;
        out.source = c.source;
        out.attributes = c.attributes.unwrap_or_default().into_iter().collect();
        out.provenance = provenance_in(c.provenance);
        out.quality_score = c.quality_score.map(|q| q as f32);
        if let Some(at) = c.created_at {
            out.created_at = at;
        }
        if let Some(at) = c.updated_at {
            out.updated_at = at;
        }
        out.last_enriched_at = c.last_enriched_at;
        out.merged_into = c.merged_into.as_deref().map(ContactId::parse).transpose()?;
        Ok(out)
    }
}

impl TryFrom<ContactFields> for RsContact {
    type Error = leadgen::Error;
    fn try_from(f: ContactFields) -> leadgen::Result<Self> {
        let mut c = RsContact::new();
        c.company_id = f.company_id.as_deref().map(CompanyId::parse).transpose()?;
        c.first_name = f.first_name;
        c.last_name = f.last_name;
        c.full_name = f.full_name;
        c.email = f.email;
        c.title = f.title;
        c.linkedin_url = f.linkedin_url;
        c.phone = f.phone;
        c.location = f.location;
        c.country = f.country;
        c.company_name = f.company_name;
        c.source = f.source;
        c.attributes = f.attributes.unwrap_or_default().into_iter().collect();
        Ok(c)
    }
}

/// A stored company.
#[napi(object)]
pub struct Company {
    pub id: String,
    pub name: String,
    pub normalized_name: Option<String>,
    pub legal_form: Option<String>,
    pub domain: Option<String>,
    pub website: Option<String>,
    pub country: Option<String>,
    pub registry_ids: BTreeMap<String, String>,
    pub industry: Option<String>,
    pub size: Option<String>,
    pub hq: Option<String>,
    pub linkedin_url: Option<String>,
    pub attributes: BTreeMap<String, String>,
    pub provenance: BTreeMap<String, Provenance>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_enriched_at: Option<DateTime<Utc>>,
    pub merged_into: Option<String>,
}

/// A company to store: `id` and `name` required (make one with `newCompany`).
#[napi(object)]
pub struct CompanyInput {
    pub id: String,
    pub name: String,
    pub normalized_name: Option<String>,
    pub legal_form: Option<String>,
    pub domain: Option<String>,
    pub website: Option<String>,
    pub country: Option<String>,
    pub registry_ids: Option<BTreeMap<String, String>>,
    pub industry: Option<String>,
    pub size: Option<String>,
    pub hq: Option<String>,
    pub linkedin_url: Option<String>,
    pub attributes: Option<BTreeMap<String, String>>,
    pub provenance: Option<BTreeMap<String, Provenance>>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub last_enriched_at: Option<DateTime<Utc>>,
    pub merged_into: Option<String>,
}

/// The fields of a new company besides its name (all optional).
#[napi(object)]
#[derive(Default)]
pub struct CompanyFields {
    pub domain: Option<String>,
    pub website: Option<String>,
    pub country: Option<String>,
    pub registry_ids: Option<BTreeMap<String, String>>,
    pub industry: Option<String>,
    pub size: Option<String>,
    pub hq: Option<String>,
    pub linkedin_url: Option<String>,
    pub attributes: Option<BTreeMap<String, String>>,
}

impl From<RsCompany> for Company {
    fn from(c: RsCompany) -> Self {
        Company {
            id: c.id.to_string(),
            name: c.name,
            normalized_name: c.normalized_name,
            legal_form: c.legal_form,
            domain: c.domain,
            website: c.website,
            country: c.country,
            registry_ids: c.registry_ids,
            industry: c.industry,
            size: c.size,
            hq: c.hq,
            linkedin_url: c.linkedin_url,
            attributes: c.attributes.into_iter().collect(),
            provenance: provenance_out(c.provenance),
            created_at: c.created_at,
            updated_at: c.updated_at,
            last_enriched_at: c.last_enriched_at,
            merged_into: c.merged_into.map(|id| id.to_string()),
        }
    }
}

impl TryFrom<CompanyInput> for RsCompany {
    type Error = leadgen::Error;
    fn try_from(c: CompanyInput) -> leadgen::Result<Self> {
        let mut out = RsCompany::new(c.name);
        out.id = CompanyId::parse(&c.id)?;
        out.normalized_name = c.normalized_name;
        out.legal_form = c.legal_form;
        out.domain = c.domain;
        out.website = c.website;
        out.country = c.country;
        out.registry_ids = c.registry_ids.unwrap_or_default();
        out.industry = c.industry;
        out.size = c.size;
        out.hq = c.hq;
        out.linkedin_url = c.linkedin_url;
        out.attributes = c.attributes.unwrap_or_default().into_iter().collect();
        out.provenance = provenance_in(c.provenance);
        if let Some(at) = c.created_at {
            out.created_at = at;
        }
        if let Some(at) = c.updated_at {
            out.updated_at = at;
        }
        out.last_enriched_at = c.last_enriched_at;
        out.merged_into = c.merged_into.as_deref().map(CompanyId::parse).transpose()?;
        Ok(out)
    }
}

/// A new company named `name` with `f`'s fields.
pub fn new_company(name: String, f: CompanyFields) -> RsCompany {
    {
        let mut c = RsCompany::new(name);
        c.domain = f.domain;
        c.website = f.website;
        c.country = f.country;
        c.registry_ids = f.registry_ids.unwrap_or_default();
        c.industry = f.industry;
        c.size = f.size;
        c.hq = f.hq;
        c.linkedin_url = f.linkedin_url;
        c.attributes = f.attributes.unwrap_or_default().into_iter().collect();
        c
    }
}
