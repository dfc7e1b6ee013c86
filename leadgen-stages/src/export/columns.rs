//! The columns of an export and how each value is rendered as text.

use std::collections::BTreeSet;

use leadgen_core::{Company, Contact};

use super::error::ExportError;

/// The standard contact columns, in order.
pub const CONTACT_COLUMNS: &[&str] = &[
    "id",
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
    "company_domain",
    "company_website",
    "source",
    "quality_score",
    "created_at",
    "updated_at",
];

/// The standard company columns, in order.
pub const COMPANY_COLUMNS: &[&str] = &[
    "id",
    "company_name",
    "normalized_name",
    "legal_form",
    "company_domain",
    "company_website",
    "company_country",
    "industry",
    "company_size",
    "company_location",
    "company_linkedin_url",
    "created_at",
    "updated_at",
];

fn snake<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// One contact value as text (`company` is the linked company, if loaded).
pub fn contact_value(c: &Contact, company: Option<&Company>, column: &str) -> String {
    if let Some(key) = column.strip_prefix("attributes.") {
        return c.attributes.get(key).cloned().unwrap_or_default();
    }
    match column {
        "id" => c.id.to_string(),
        "first_name" => opt(&c.first_name),
        "last_name" => opt(&c.last_name),
        "full_name" => opt(&c.full_name),
        "email" => opt(&c.email),
        "email_status" => c.email_status.as_str().to_string(),
        "title" => opt(&c.title),
        "normalized_title" => opt(&c.normalized_title),
        "seniority" => c.seniority.as_ref().map(snake).unwrap_or_default(),
        "department" => c.department.as_ref().map(snake).unwrap_or_default(),
        "linkedin_url" => opt(&c.linkedin_url),
        "phone" => opt(&c.phone),
        "location" => opt(&c.location),
        "country" => opt(&c.country),
        "company_name" => opt(&c.company_name),
        "company_id" => c.company_id.map(|i| i.to_string()).unwrap_or_default(),
        "company_domain" => company.and_then(|co| co.domain.clone()).unwrap_or_default(),
        "company_website" => company
            .and_then(|co| co.website.clone())
            .unwrap_or_default(),
        "source" => opt(&c.source),
        "quality_score" => c.quality_score.map(|q| q.to_string()).unwrap_or_default(),
        "created_at" => c.created_at.to_rfc3339(),
        "updated_at" => c.updated_at.to_rfc3339(),
        _ => String::new(),
    }
}

/// One company value as text.
pub fn company_value(c: &Company, column: &str) -> String {
    if let Some(key) = column.strip_prefix("attributes.") {
        return c.attributes.get(key).cloned().unwrap_or_default();
    }
    if let Some(scheme) = column.strip_prefix("registry_ids.") {
        return c.registry_ids.get(scheme).cloned().unwrap_or_default();
    }
    match column {
        "id" => c.id.to_string(),
        "company_name" | "name" => c.name.clone(),
        "normalized_name" => opt(&c.normalized_name),
        "legal_form" => opt(&c.legal_form),
        "company_domain" | "domain" => opt(&c.domain),
        "company_website" | "website" => opt(&c.website),
        "company_country" | "country" => opt(&c.country),
        "industry" => opt(&c.industry),
        "company_size" | "size" => opt(&c.size),
        "company_location" | "hq" => opt(&c.hq),
        "company_linkedin_url" | "linkedin_url" => opt(&c.linkedin_url),
        "created_at" => c.created_at.to_rfc3339(),
        "updated_at" => c.updated_at.to_rfc3339(),
        _ => String::new(),
    }
}

/// Standard columns plus every attribute key present, in first-seen order.
pub(crate) fn default_contact_columns(contacts: &[Contact]) -> Vec<String> {
    let mut cols: Vec<String> = CONTACT_COLUMNS.iter().map(|s| s.to_string()).collect();
    let mut seen = BTreeSet::new();
    for c in contacts {
        for k in c.attributes.keys() {
            if seen.insert(k) {
                cols.push(format!("attributes.{k}"));
            }
        }
    }
    cols
}

/// Standard columns plus every registry scheme and attribute key present.
pub(crate) fn default_company_columns(companies: &[Company]) -> Vec<String> {
    let mut cols: Vec<String> = COMPANY_COLUMNS.iter().map(|s| s.to_string()).collect();
    let mut schemes = BTreeSet::new();
    let mut attrs = BTreeSet::new();
    for c in companies {
        schemes.extend(c.registry_ids.keys().cloned());
        attrs.extend(c.attributes.keys().map(str::to_string));
    }
    cols.extend(schemes.into_iter().map(|s| format!("registry_ids.{s}")));
    cols.extend(attrs.into_iter().map(|a| format!("attributes.{a}")));
    cols
}

fn check(
    columns: &[String],
    known: &[&str],
    prefixes: &[&str],
) -> Result<Vec<String>, ExportError> {
    for c in columns {
        let ok = known.contains(&c.as_str())
            || prefixes
                .iter()
                .any(|p| c.strip_prefix(p).is_some_and(|rest| !rest.is_empty()));
        if !ok {
            return Err(ExportError::UnknownColumn {
                column: c.clone(),
                known: known.join(", "),
            });
        }
    }
    Ok(columns.to_vec())
}

pub(crate) fn check_contact_columns(columns: &[String]) -> Result<Vec<String>, ExportError> {
    let mut known = CONTACT_COLUMNS.to_vec();
    known.push("company_id");
    check(columns, &known, &["attributes."])
}

pub(crate) fn check_company_columns(columns: &[String]) -> Result<Vec<String>, ExportError> {
    check(columns, COMPANY_COLUMNS, &["attributes.", "registry_ids."])
}
