//! Checks every backend runs before writing, so bad input fails the same way on all.

use crate::error::{Error, Result};
use crate::model::{Company, Contact};

/// The longest text field accepted, in bytes.
pub const MAX_FIELD_BYTES: usize = 8 * 1024;
/// The most extra attributes one record may carry.
pub const MAX_ATTRIBUTES: usize = 512;

fn check_text(record: &str, field: &str, value: Option<&str>) -> Result<()> {
    if let Some(v) = value {
        if v.len() > MAX_FIELD_BYTES {
            return Err(Error::invalid(
                format!("{record}.{field}"),
                format!(
                    "{} bytes, more than the limit of {MAX_FIELD_BYTES}",
                    v.len()
                ),
            ));
        }
        if v.contains('\0') {
            return Err(Error::invalid(
                format!("{record}.{field}"),
                "contains a NUL character",
            ));
        }
    }
    Ok(())
}

fn check_attributes<'a>(
    record: &str,
    attributes: impl ExactSizeIterator<Item = (&'a str, &'a String)>,
) -> Result<()> {
    if attributes.len() > MAX_ATTRIBUTES {
        return Err(Error::invalid(
            format!("{record}.attributes"),
            format!("more than {MAX_ATTRIBUTES} attributes"),
        ));
    }
    for (k, v) in attributes {
        check_text(record, "attributes key", Some(k))?;
        check_text(record, &format!("attributes[{k:?}]"), Some(v))?;
    }
    Ok(())
}

/// Validates a company before it is written.
///
/// ```
/// use leadgen_core::{store::validate_company, Company};
/// assert!(validate_company(&Company::new("Acme")).is_ok());
/// assert!(validate_company(&Company::new("x".repeat(10_000))).is_err());
/// ```
pub fn validate_company(c: &Company) -> Result<()> {
    let r = "company";
    if c.name.trim().is_empty() {
        return Err(Error::invalid("company.name", "must not be empty"));
    }
    for (field, value) in [
        ("name", Some(c.name.as_str())),
        ("normalized_name", c.normalized_name.as_deref()),
        ("legal_form", c.legal_form.as_deref()),
        ("domain", c.domain.as_deref()),
        ("website", c.website.as_deref()),
        ("country", c.country.as_deref()),
        ("industry", c.industry.as_deref()),
        ("size", c.size.as_deref()),
        ("hq", c.hq.as_deref()),
        ("linkedin_url", c.linkedin_url.as_deref()),
    ] {
        check_text(r, field, value)?;
    }
    check_attributes(r, c.registry_ids.iter().map(|(k, v)| (k.as_str(), v)))?;
    check_attributes(r, c.attributes.iter())
}

/// Validates a contact before it is written.
pub fn validate_contact(c: &Contact) -> Result<()> {
    let r = "contact";
    for (field, value) in [
        ("first_name", c.first_name.as_deref()),
        ("last_name", c.last_name.as_deref()),
        ("full_name", c.full_name.as_deref()),
        ("email", c.email.as_deref()),
        ("title", c.title.as_deref()),
        ("normalized_title", c.normalized_title.as_deref()),
        ("linkedin_url", c.linkedin_url.as_deref()),
        ("phone", c.phone.as_deref()),
        ("location", c.location.as_deref()),
        ("country", c.country.as_deref()),
        ("company_name", c.company_name.as_deref()),
        ("source", c.source.as_deref()),
    ] {
        check_text(r, field, value)?;
    }
    if let Some(q) = c.quality_score
        && !(0.0..=1.0).contains(&q)
    {
        return Err(Error::invalid(
            "contact.quality_score",
            "must be within 0.0–1.0",
        ));
    }
    check_attributes(r, c.attributes.iter())
}

/// The key contacts are matched on by email: trimmed and lower-cased.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}
