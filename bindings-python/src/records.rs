//! `Contact` and `Company`: Python mirrors of the Rust records, converted field by
//! field at the boundary. Ids are `str` (UUIDs), enums are their snake_case names,
//! timestamps are timezone-aware `datetime`s.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use leadgen::core::{
    Company, CompanyId, Contact, ContactId, EmailStatus, FieldProvenance, Provenance,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde::de::DeserializeOwned;

use crate::errors::invalid;
use crate::mapping::record_mapping;

/// Where one field's value came from: `{"source", "observed_at", "confidence"}`.
#[derive(Clone, PartialEq, IntoPyObject, IntoPyObjectRef, FromPyObject)]
#[pyo3(from_item_all)]
pub struct ProvenanceDict {
    source: String,
    observed_at: DateTime<Utc>,
    confidence: f32,
}

fn provenance_out(p: FieldProvenance) -> BTreeMap<String, ProvenanceDict> {
    p.into_iter()
        .map(|(k, v)| {
            let d = ProvenanceDict {
                source: v.source.to_string(),
                observed_at: v.observed_at,
                confidence: v.confidence,
            };
            (k, d)
        })
        .collect()
}

fn provenance_in(p: BTreeMap<String, ProvenanceDict>) -> FieldProvenance {
    p.into_iter()
        .map(|(k, v)| (k, Provenance::new(v.source, v.observed_at, v.confidence)))
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
pub fn parse_enum<T: DeserializeOwned>(field: &str, name: &str) -> PyResult<T> {
    serde_json::from_value(serde_json::Value::String(name.to_string()))
        .map_err(|_| invalid(field, format!("{name:?} is not a known value")))
}

/// Applies keyword arguments through the class's own setters (which type-check).
fn apply_kwargs(
    obj: &Bound<'_, PyAny>,
    kwargs: Option<&Bound<'_, PyDict>>,
    fields: &[&str],
) -> PyResult<()> {
    for (key, v) in kwargs.into_iter().flat_map(|k| k.iter()) {
        let key: String = key.extract()?;
        if !fields.contains(&key.as_str()) {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "unexpected keyword argument {key:?}"
            )));
        }
        obj.setattr(key.as_str(), v)?;
    }
    Ok(())
}

/// A contact (a person at a company). Build one with keyword arguments, e.g.
/// `Contact(email="jana@acme.cz", first_name="Jana")`.
#[pyclass(module = "leadgen", name = "Contact", from_py_object, eq)]
#[derive(Clone, PartialEq)]
pub struct PyContact {
    #[pyo3(get, set)]
    id: String,
    #[pyo3(get, set)]
    company_id: Option<String>,
    #[pyo3(get, set)]
    first_name: Option<String>,
    #[pyo3(get, set)]
    last_name: Option<String>,
    #[pyo3(get, set)]
    full_name: Option<String>,
    #[pyo3(get, set)]
    email: Option<String>,
    #[pyo3(get, set)]
    email_status: String,
    #[pyo3(get, set)]
    title: Option<String>,
    #[pyo3(get, set)]
    normalized_title: Option<String>,
    #[pyo3(get, set)]
    seniority: Option<String>,
    #[pyo3(get, set)]
    department: Option<String>,
    #[pyo3(get, set)]
    linkedin_url: Option<String>,
    #[pyo3(get, set)]
    phone: Option<String>,
    #[pyo3(get, set)]
    location: Option<String>,
    #[pyo3(get, set)]
    country: Option<String>,
    #[pyo3(get, set)]
    company_name: Option<String>,
    #[pyo3(get, set)]
    source: Option<String>,
    #[pyo3(get, set)]
    attributes: BTreeMap<String, String>,
    #[pyo3(get, set)]
    provenance: BTreeMap<String, ProvenanceDict>,
    #[pyo3(get, set)]
    quality_score: Option<f32>,
    #[pyo3(get, set)]
    created_at: DateTime<Utc>,
    #[pyo3(get, set)]
    updated_at: DateTime<Utc>,
    #[pyo3(get, set)]
    last_enriched_at: Option<DateTime<Utc>>,
    #[pyo3(get, set)]
    merged_into: Option<String>,
}

record_mapping!(
    PyContact,
    "Contact",
    [
        "id",
        "company_id",
        "first_name",
        "last_name",
        "full_name",
        "email",
        "email_status",
        "title",
        "normalized_title",
        "seniority",
        "department",
        "linkedin_url",
        "phone",
        "location",
        "country",
        "company_name",
        "source",
        "attributes",
        "provenance",
        "quality_score",
        "created_at",
        "updated_at",
        "last_enriched_at",
        "merged_into",
    ]
);

#[pymethods]
impl PyContact {
    #[new]
    #[pyo3(signature = (**kwargs))]
    fn new(py: Python<'_>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let obj = Bound::new(py, Self::from(Contact::new()))?;
        apply_kwargs(obj.as_any(), kwargs, Self::FIELDS)?;
        Ok(obj.borrow().clone())
    }

    /// Full name, else first + last name, else the email.
    fn display_name(&self) -> PyResult<Option<String>> {
        Ok(Contact::try_from(self.clone())?.display_name())
    }
}

impl From<Contact> for PyContact {
    fn from(c: Contact) -> Self {
        PyContact {
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
            quality_score: c.quality_score,
            created_at: c.created_at,
            updated_at: c.updated_at,
            last_enriched_at: c.last_enriched_at,
            merged_into: c.merged_into.map(|id| id.to_string()),
        }
    }
}

impl TryFrom<PyContact> for Contact {
    type Error = PyErr;
    fn try_from(c: PyContact) -> PyResult<Self> {
        let mut out = Contact::new();
        out.id = ContactId::parse(&c.id).map_err(crate::errors::to_py)?;
        out.company_id = c
            .company_id
            .as_deref()
            .map(CompanyId::parse)
            .transpose()
            .map_err(crate::errors::to_py)?;
        out.first_name = c.first_name;
        out.last_name = c.last_name;
        out.full_name = c.full_name;
        out.email = c.email;
        out.email_status = EmailStatus::parse(&c.email_status).ok_or_else(|| {
            invalid(
                "email_status",
                format!("{:?} is not a known status", c.email_status),
            )
        })?;
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
        out.attributes = c.attributes.into_iter().collect();
        out.provenance = provenance_in(c.provenance);
        out.quality_score = c.quality_score;
        out.created_at = c.created_at;
        out.updated_at = c.updated_at;
        out.last_enriched_at = c.last_enriched_at;
        out.merged_into = c
            .merged_into
            .as_deref()
            .map(ContactId::parse)
            .transpose()
            .map_err(crate::errors::to_py)?;
        Ok(out)
    }
}

/// A company (an account). Build one with keyword arguments, e.g.
/// `Company(name="Acme s.r.o.", domain="acme.cz", country="CZ")`.
#[pyclass(module = "leadgen", name = "Company", from_py_object, eq)]
#[derive(Clone, PartialEq)]
pub struct PyCompany {
    #[pyo3(get, set)]
    id: String,
    #[pyo3(get, set)]
    name: String,
    #[pyo3(get, set)]
    normalized_name: Option<String>,
    #[pyo3(get, set)]
    legal_form: Option<String>,
    #[pyo3(get, set)]
    domain: Option<String>,
    #[pyo3(get, set)]
    website: Option<String>,
    #[pyo3(get, set)]
    country: Option<String>,
    #[pyo3(get, set)]
    registry_ids: BTreeMap<String, String>,
    #[pyo3(get, set)]
    industry: Option<String>,
    #[pyo3(get, set)]
    size: Option<String>,
    #[pyo3(get, set)]
    hq: Option<String>,
    #[pyo3(get, set)]
    linkedin_url: Option<String>,
    #[pyo3(get, set)]
    attributes: BTreeMap<String, String>,
    #[pyo3(get, set)]
    provenance: BTreeMap<String, ProvenanceDict>,
    #[pyo3(get, set)]
    created_at: DateTime<Utc>,
    #[pyo3(get, set)]
    updated_at: DateTime<Utc>,
    #[pyo3(get, set)]
    last_enriched_at: Option<DateTime<Utc>>,
    #[pyo3(get, set)]
    merged_into: Option<String>,
}

record_mapping!(
    PyCompany,
    "Company",
    [
        "id",
        "name",
        "normalized_name",
        "legal_form",
        "domain",
        "website",
        "country",
        "registry_ids",
        "industry",
        "size",
        "hq",
        "linkedin_url",
        "attributes",
        "provenance",
        "created_at",
        "updated_at",
        "last_enriched_at",
        "merged_into",
    ]
);

#[pymethods]
impl PyCompany {
    #[new]
    #[pyo3(signature = (name = None, **kwargs))]
    fn new(
        py: Python<'_>,
        name: Option<String>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let obj = Bound::new(py, Self::from(Company::new(name.unwrap_or_default())))?;
        apply_kwargs(obj.as_any(), kwargs, Self::FIELDS)?;
        Ok(obj.borrow().clone())
    }
}

impl From<Company> for PyCompany {
    fn from(c: Company) -> Self {
        PyCompany {
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

impl TryFrom<PyCompany> for Company {
    type Error = PyErr;
    fn try_from(c: PyCompany) -> PyResult<Self> {
        let mut out = Company::new(c.name);
        out.id = CompanyId::parse(&c.id).map_err(crate::errors::to_py)?;
        out.normalized_name = c.normalized_name;
        out.legal_form = c.legal_form;
        out.domain = c.domain;
        out.website = c.website;
        out.country = c.country;
        out.registry_ids = c.registry_ids;
        out.industry = c.industry;
        out.size = c.size;
        out.hq = c.hq;
        out.linkedin_url = c.linkedin_url;
        out.attributes = c.attributes.into_iter().collect();
        out.provenance = provenance_in(c.provenance);
        out.created_at = c.created_at;
        out.updated_at = c.updated_at;
        out.last_enriched_at = c.last_enriched_at;
        out.merged_into = c
            .merged_into
            .as_deref()
            .map(CompanyId::parse)
            .transpose()
            .map_err(crate::errors::to_py)?;
        Ok(out)
    }
}
