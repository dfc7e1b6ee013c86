//! The generic record dedup works on: an id and named text fields.
//!
//! Contacts, companies and the rows of any CSV a user has all become [`Record`]s, so
//! one engine and one declarative config serve them all.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::model::{Company, Contact};

/// One record to deduplicate: an id, optional creation time and source, and named
/// text fields.
///
/// Field names are shared `Arc<str>`s so that a million records do not each carry
/// their own copy of every column name ([`Record::with_key`]).
///
/// ```
/// use leadgen_core::dedup::Record;
/// let r = Record::new("row-2").with("email", "jan@acme.cz").with("first_name", "Jan");
/// assert_eq!(r.get("email"), Some("jan@acme.cz"));
/// assert_eq!(r.get("phone"), None);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The record's id (an entity id, or `file:line` for plain files).
    pub id: String,
    /// When the record was created; decides the oldest member, which names a cluster.
    pub created_at: Option<DateTime<Utc>>,
    /// Where it came from (`import:apollo`, a file name).
    pub source: Option<String>,
    /// Named values; empty values are not stored.
    pub fields: Vec<(Arc<str>, String)>,
}

impl Record {
    /// A record with no fields.
    pub fn new(id: impl Into<String>) -> Self {
        Record {
            id: id.into(),
            created_at: None,
            source: None,
            fields: Vec::new(),
        }
    }

    /// Adds a field (ignored when the value is blank), builder style.
    pub fn with(self, name: &str, value: impl Into<String>) -> Self {
        self.with_key(Arc::from(name), value)
    }

    /// Adds a field under a shared name (ignored when the value is blank).
    pub fn with_key(mut self, name: Arc<str>, value: impl Into<String>) -> Self {
        self.set(name, value.into());
        self
    }

    /// Sets a field, replacing an earlier value; blank values remove it.
    pub fn set(&mut self, name: Arc<str>, value: String) {
        self.fields.retain(|(k, _)| *k != name);
        if !value.trim().is_empty() {
            self.fields.push((name, value));
        }
    }

    /// Sets the creation time, builder style.
    pub fn created(mut self, at: DateTime<Utc>) -> Self {
        self.created_at = Some(at);
        self
    }

    /// The value of a field, if present and not blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        // Field names are short and mostly differ in length or first letter: test
        // those before comparing bytes (this lookup runs for every field a config
        // reads, for every record).
        let (len, first) = (name.len(), name.as_bytes().first());
        self.fields
            .iter()
            .find(|(k, _)| k.len() == len && k.as_bytes().first() == first && &**k == name)
            .map(|(_, v)| v.as_str())
    }

    /// How many fields have a value.
    pub fn filled(&self) -> usize {
        self.fields.len()
    }

    /// A contact as a record, with the field names of [`super::DedupConfig::contacts`]:
    /// `first_name`, `last_name`, `full_name`, `email`, `phone`, `linkedin_url`,
    /// `company`, `title`, `city` (the location), `country`.
    pub fn from_contact(contact: &Contact) -> Self {
        let mut r = Record::new(contact.id.to_string());
        r.created_at = Some(contact.created_at);
        r.source = contact.source.clone();
        let pairs: [(&str, &Option<String>); 10] = [
            ("first_name", &contact.first_name),
            ("last_name", &contact.last_name),
            ("full_name", &contact.full_name),
            ("email", &contact.email),
            ("phone", &contact.phone),
            ("linkedin_url", &contact.linkedin_url),
            ("company", &contact.company_name),
            ("title", &contact.title),
            ("city", &contact.location),
            ("country", &contact.country),
        ];
        for (name, value) in pairs {
            if let Some(v) = value {
                r.set(Arc::from(name), v.clone());
            }
        }
        r
    }

    /// A company as a record, with the field names of
    /// [`super::DedupConfig::companies`]: `name`, `domain`, `website`, `country`,
    /// `linkedin_url`, `registry_id` (`scheme:value`, the first registry id), `city`.
    pub fn from_company(company: &Company) -> Self {
        let mut r = Record::new(company.id.to_string());
        r.created_at = Some(company.created_at);
        let pairs: [(&str, &Option<String>); 5] = [
            ("domain", &company.domain),
            ("website", &company.website),
            ("country", &company.country),
            ("linkedin_url", &company.linkedin_url),
            ("city", &company.hq),
        ];
        r.set(Arc::from("name"), company.name.clone());
        for (name, value) in pairs {
            if let Some(v) = value {
                r.set(Arc::from(name), v.clone());
            }
        }
        if let Some((scheme, id)) = company.registry_ids.iter().next() {
            r.set(Arc::from("registry_id"), format!("{scheme}:{id}"));
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_values_are_not_stored_and_set_replaces() {
        let mut r = Record::new("1").with("a", "  ").with("b", "x");
        assert_eq!(r.get("a"), None);
        assert_eq!(r.filled(), 1);
        r.set(Arc::from("b"), "y".into());
        assert_eq!(r.get("b"), Some("y"));
        r.set(Arc::from("b"), String::new());
        assert_eq!(r.get("b"), None);
    }

    #[test]
    fn from_entities() {
        let mut c = Contact::new();
        c.first_name = Some("Jan".into());
        c.email = Some("jan@acme.cz".into());
        c.company_name = Some("Acme".into());
        let r = Record::from_contact(&c);
        assert_eq!(r.id, c.id.to_string());
        assert_eq!(r.get("company"), Some("Acme"));
        assert_eq!(r.created_at, Some(c.created_at));

        let mut co = Company::new("Acme s.r.o.");
        co.registry_ids.insert("cz:ico".into(), "28745612".into());
        let r = Record::from_company(&co);
        assert_eq!(r.get("name"), Some("Acme s.r.o."));
        assert_eq!(r.get("registry_id"), Some("cz:ico:28745612"));
    }
}
