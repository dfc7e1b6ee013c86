//! How entities and records become rows, shared by both backends.
//!
//! Each record is stored whole as JSON (so fields added to the model later persist
//! without a schema change) beside a few columns extracted from it for filtering,
//! ordering and tenant checks. The extraction lives here so both backends index the
//! same values the same way.

use std::collections::HashMap;
use std::hash::Hash;

use chrono::{DateTime, Utc};
use leadgen_core::store::{email_key, validate_company, validate_contact};
use leadgen_core::{Company, Contact, Error, Result};
use rayon::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};

/// The columns of one `contacts` row.
#[derive(Debug)]
pub(crate) struct ContactRow {
    pub id: Uuid,
    pub company_id: Option<Uuid>,
    pub email_key: Option<String>,
    pub linkedin_url: Option<String>,
    pub country: Option<String>,
    pub name: Option<String>,
    pub email_status: &'static str,
    pub search_text: String,
    pub updated_at: DateTime<Utc>,
    pub merged_into: Option<Uuid>,
    pub doc: String,
}

/// The columns of one `companies` row.
#[derive(Debug)]
pub(crate) struct CompanyRow {
    pub id: Uuid,
    pub name: String,
    pub domain_key: Option<String>,
    pub country: Option<String>,
    pub search_text: String,
    pub updated_at: DateTime<Utc>,
    pub merged_into: Option<Uuid>,
    pub doc: String,
}

/// A country code as compared in filters: trimmed, upper-case.
pub(crate) fn country_key(country: &str) -> String {
    country.trim().to_uppercase()
}

/// A domain as compared in filters: trimmed, lower-case, without a trailing dot.
pub(crate) fn domain_key(domain: &str) -> String {
    domain.trim().trim_end_matches('.').to_lowercase()
}

/// Text as searched by `search` / `name_contains`: Unicode lower-case, computed
/// here rather than in SQL because SQLite's `lower()` folds ASCII only.
pub(crate) fn search_key(text: &str) -> String {
    text.to_lowercase()
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// Serializes a record as the JSON document stored beside its columns.
pub(crate) fn to_doc<T: Serialize>(
    backend: &'static str,
    field: &str,
    value: &T,
) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::InvalidValue {
        backend,
        field: field.to_string(),
        reason: format!("cannot be serialized as JSON: {e}"),
    })
}

/// Parses a stored JSON document, naming the table and row when it is unreadable.
pub(crate) fn from_doc<T: DeserializeOwned>(
    backend: &'static str,
    table: &'static str,
    id: &dyn std::fmt::Display,
    doc: &str,
) -> StoreResult<T> {
    serde_json::from_str(doc).map_err(|e| StoreError::Corrupt {
        backend,
        table,
        id: id.to_string(),
        reason: e.to_string(),
    })
}

/// Names the row of a batch in a validation error: `contacts[3].email`.
fn in_batch(error: Error, batch: &str, index: usize) -> Error {
    match error {
        Error::InvalidInput { field, reason } => {
            let field = field
                .split_once('.')
                .map_or(field.as_str(), |(_, rest)| rest);
            Error::InvalidInput {
                field: format!("{batch}[{index}].{field}"),
                reason,
            }
        }
        other => other,
    }
}

/// Validates every contact and turns each into its row; the first bad contact fails
/// the whole batch before anything is written.
pub(crate) fn contact_rows(backend: &'static str, contacts: &[Contact]) -> Result<Vec<ContactRow>> {
    let contacts = last_by_id(contacts, |c| c.id.0);
    encode_all(&contacts, |&(index, contact)| {
        validate_contact(contact).map_err(|e| in_batch(e, "contacts", index))?;
        Ok(contact_row(backend, contact)?)
    })
}

/// Validates every company and turns each into its row.
pub(crate) fn company_rows(
    backend: &'static str,
    companies: &[Company],
) -> Result<Vec<CompanyRow>> {
    let companies = last_by_id(companies, |c| c.id.0);
    encode_all(&companies, |&(index, company)| {
        validate_company(company).map_err(|e| in_batch(e, "companies", index))?;
        Ok(company_row(backend, company)?)
    })
}

/// Batches smaller than this are encoded on the calling thread.
const PARALLEL_ENCODE_MIN: usize = 256;

/// Encodes every item, on all cores for a large batch; the error of the first bad
/// item (in input order) wins, as if they had been encoded one by one.
fn encode_all<I: Sync, R: Send>(
    items: &[I],
    encode: impl Fn(&I) -> Result<R> + Sync + Send,
) -> Result<Vec<R>> {
    if items.len() < PARALLEL_ENCODE_MIN {
        return items.iter().map(encode).collect();
    }
    let mut encoded = Vec::with_capacity(items.len());
    items
        .par_iter()
        .with_min_len(PARALLEL_ENCODE_MIN)
        .map(encode)
        .collect_into_vec(&mut encoded);
    encoded.into_iter().collect()
}

fn contact_row(backend: &'static str, c: &Contact) -> StoreResult<ContactRow> {
    let name = c.display_name().filter(|n| !n.trim().is_empty());
    let mut search = String::new();
    for part in [
        c.full_name.as_deref(),
        c.first_name.as_deref(),
        c.last_name.as_deref(),
        c.email.as_deref(),
        c.company_name.as_deref(),
    ]
    .into_iter()
    .flatten()
    {
        // A newline keeps a search from matching across two fields.
        search.push_str(&search_key(part));
        search.push('\n');
    }
    Ok(ContactRow {
        id: c.id.0,
        company_id: c.company_id.map(|id| id.0),
        email_key: non_empty(c.email.as_deref()).map(email_key),
        linkedin_url: non_empty(c.linkedin_url.as_deref()).map(str::to_string),
        country: non_empty(c.country.as_deref()).map(country_key),
        name,
        email_status: c.email_status.as_str(),
        search_text: search,
        updated_at: c.updated_at,
        merged_into: c.merged_into.map(|id| id.0),
        doc: to_doc(backend, "contact", c)?,
    })
}

fn company_row(backend: &'static str, c: &Company) -> StoreResult<CompanyRow> {
    Ok(CompanyRow {
        id: c.id.0,
        name: c.name.clone(),
        domain_key: non_empty(c.domain.as_deref()).map(domain_key),
        country: non_empty(c.country.as_deref()).map(country_key),
        search_text: search_key(&c.name),
        updated_at: c.updated_at,
        merged_into: c.merged_into.map(|id| id.0),
        doc: to_doc(backend, "company", c)?,
    })
}

/// Keeps the last occurrence of every id, with its index in the input, in input
/// order: a batch that names an id twice writes the later version, as two
/// consecutive upserts would.
pub(crate) fn last_by_id<'a, T, K: Hash + Eq>(
    items: &'a [T],
    id: impl Fn(&'a T) -> K,
) -> Vec<(usize, &'a T)> {
    let mut last: HashMap<K, usize> = HashMap::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        last.insert(id(item), index);
    }
    if last.len() == items.len() {
        return items.iter().enumerate().collect();
    }
    items
        .iter()
        .enumerate()
        .filter(|(index, item)| last.get(&id(item)) == Some(index))
        .collect()
}

/// Paging cursors: opaque to callers, the id of the last item of a page inside.
pub(crate) mod cursor {
    use uuid::Uuid;

    use crate::error::{StoreError, StoreResult};

    const PREFIX: &str = "c1-";

    /// The cursor after `id`.
    pub(crate) fn encode(id: Uuid) -> String {
        format!("{PREFIX}{}", id.simple())
    }

    /// The id inside a cursor handed out by [`encode`].
    pub(crate) fn decode(backend: &'static str, cursor: &str) -> StoreResult<Uuid> {
        cursor
            .strip_prefix(PREFIX)
            .filter(|hex| hex.len() == 32)
            .and_then(|hex| Uuid::try_parse(hex).ok())
            .ok_or_else(|| StoreError::InvalidCursor {
                backend,
                cursor: cursor.chars().take(80).collect(),
            })
    }
}

/// Microseconds since the Unix epoch: how SQLite stores times in its columns
/// (PostgreSQL's `timestamptz` has the same resolution).
#[cfg(feature = "sqlite")]
pub(crate) fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let id = Uuid::now_v7();
        assert_eq!(cursor::decode("sqlite", &cursor::encode(id)).unwrap(), id);
        for bad in ["", "c1-", "c1-xyz", &id.to_string(), "c1-0000"] {
            assert!(cursor::decode("sqlite", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn later_duplicates_win() {
        let items = [(1, 'a'), (2, 'b'), (1, 'c')];
        let ids = [Uuid::from_u128(1), Uuid::from_u128(2)];
        let kept = last_by_id(&items, |(n, _)| ids[*n as usize - 1]);
        let letters: Vec<char> = kept.iter().map(|(_, (_, l))| *l).collect();
        assert_eq!(letters, ['b', 'c']);
    }

    #[test]
    fn batch_errors_name_the_row() {
        let mut bad = Contact::new();
        bad.email = Some("x".repeat(10_000));
        let err = contact_rows("sqlite", &[Contact::new(), bad]).unwrap_err();
        assert!(err.to_string().contains("contacts[1].email"), "{err}");
    }

    #[test]
    fn columns_are_normalized() {
        let mut c = Contact::new();
        c.email = Some(" Jana@Acme.CZ ".into());
        c.country = Some("cz".into());
        c.full_name = Some("Jana NOVÁKOVÁ".into());
        let row = &contact_rows("sqlite", &[c]).unwrap()[0];
        assert_eq!(row.email_key.as_deref(), Some("jana@acme.cz"));
        assert_eq!(row.country.as_deref(), Some("CZ"));
        assert!(row.search_text.contains("nováková"));
    }
}
