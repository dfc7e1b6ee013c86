//! How entities and records become rows, shared by both backends.
//!
//! Each record is stored as JSON (so fields added to the model later persist
//! without a schema change) beside a few columns extracted from it for filtering,
//! ordering and tenant checks. The extraction lives here so both backends index the
//! same values the same way. PostgreSQL keeps the whole record in its document;
//! SQLite's contacts and companies keep a slim one ([`DocForm`], [`slim`]).

use std::collections::HashMap;
use std::hash::Hash;

use chrono::{DateTime, Utc};
use leadgen_core::store::{email_key, validate_company, validate_contact};
use leadgen_core::{Company, Contact, Error, FieldProvenance, Result};
use rayon::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};

pub(crate) mod slim;

use slim::ColumnField;

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
    /// The provenance, when it is kept in a column of its own (see [`DocForm`]).
    pub provenance: Option<String>,
    /// Which fields the document leaves to the columns ([`slim`]); `None` for a
    /// whole document.
    pub doc_form: Option<i64>,
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
    /// As [`ContactRow::provenance`].
    pub provenance: Option<String>,
    /// As [`ContactRow::doc_form`].
    pub doc_form: Option<i64>,
}

/// How a stored entity is split between its document and its row's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DocForm {
    /// The document holds the whole entity, provenance included (PostgreSQL, and
    /// SQLite rows of schema 1 and 2).
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Whole,
    /// SQLite since schema 5: the provenance in a column of its own, grouped by
    /// origin (see [`provenance_column`]), and a document without the fields the
    /// row's columns hold (see [`slim`]). Rows of schema 3 and 4 have the column
    /// and a whole document with an empty provenance map; they read back as well.
    Slim,
}

/// A contact or company as the backends store it, with its provenance reachable.
pub(crate) trait Entity: DeserializeOwned {
    /// The fields a slim document leaves to its row's columns.
    const COLUMN_FIELDS: &'static [ColumnField];

    /// The entity's provenance map.
    fn provenance_mut(&mut self) -> &mut FieldProvenance;

    /// When any field last changed: the time a provenance entry written as `null`
    /// stands for.
    fn updated_at(&self) -> DateTime<Utc>;
}

impl Entity for Contact {
    const COLUMN_FIELDS: &'static [ColumnField] = slim::CONTACT_FIELDS;

    fn provenance_mut(&mut self) -> &mut FieldProvenance {
        &mut self.provenance
    }

    fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
}

impl Entity for Company {
    const COLUMN_FIELDS: &'static [ColumnField] = slim::COMPANY_FIELDS;

    fn provenance_mut(&mut self) -> &mut FieldProvenance {
        &mut self.provenance
    }

    fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
}

/// A provenance map as its own column: a JSON array of `[origin, fields]` pairs,
/// one per distinct origin (`[source, observed_at, confidence]`, the compact
/// entry of [`entity_doc`]), fields in name order. An import observes every field
/// of a row at one time from one source, so its eight or so entries, each with the
/// same 30-byte time, become one pair: the row shrinks by about a third. An origin
/// observed at `updated_at` (every origin of a fresh import's row) writes its time
/// as `null`, which reads back as the entity's `updated_at`.
pub(crate) fn provenance_column(
    backend: &'static str,
    field: &str,
    provenance: &FieldProvenance,
    updated_at: DateTime<Utc>,
) -> StoreResult<String> {
    let mut groups: Vec<(&leadgen_core::Provenance, Vec<&str>)> = Vec::new();
    for (name, p) in provenance {
        let same = groups.iter_mut().find(|(q, _)| {
            q.source == p.source
                && q.observed_at == p.observed_at
                && q.confidence.to_bits() == p.confidence.to_bits()
        });
        match same {
            Some((_, names)) => names.push(name),
            None => groups.push((p, vec![name])),
        }
    }
    let groups: Vec<(entity_doc::Origin<'_>, Vec<&str>)> = groups
        .into_iter()
        .map(|(p, names)| {
            let origin = entity_doc::Origin {
                entry: p,
                at_update: p.observed_at == updated_at,
            };
            (origin, names)
        })
        .collect();
    serde_json::to_string(&groups).map_err(|e| StoreError::InvalidValue {
        backend,
        field: format!("{field}.provenance"),
        reason: format!("cannot be serialized as JSON: {e}"),
    })
}

/// One stored contact or company as its row holds it.
pub(crate) struct StoredEntity<'r> {
    /// The JSON document.
    pub doc: &'r str,
    /// The provenance column; `None` for rows that keep it in the document (written
    /// before the column existed).
    pub provenance: Option<&'r str>,
    /// The row's `doc_form` (see [`slim`]); `None` for a whole document.
    pub doc_form: Option<i64>,
    /// The values of the entity's [`Entity::COLUMN_FIELDS`] columns, in that order.
    pub columns: &'r [Option<&'r str>],
}

/// Reads a stored entity: its document, with the fields a slim document leaves to
/// the columns put back, and its provenance column when the row has one.
pub(crate) fn from_entity_doc<T: Entity>(
    backend: &'static str,
    table: &'static str,
    id: &dyn std::fmt::Display,
    stored: StoredEntity<'_>,
) -> StoreResult<T> {
    let doc = slim::whole_doc(
        stored.doc,
        stored.doc_form,
        T::COLUMN_FIELDS,
        stored.columns,
    );
    let mut entity: T = from_doc(backend, table, id, &doc)?;
    if let Some(column) = stored.provenance {
        /// One origin as the column holds it: `[source, observed_at, confidence]`,
        /// the time `null` when it is the entity's `updated_at`.
        #[derive(serde::Deserialize)]
        struct StoredOrigin(String, Option<DateTime<Utc>>, f32);
        let groups: Vec<(StoredOrigin, Vec<String>)> = from_doc(backend, table, id, column)?;
        let updated_at = entity.updated_at();
        let map = entity.provenance_mut();
        map.clear();
        // One allocation: a re-import reads back 100k of these.
        map.reserve(groups.iter().map(|(_, names)| names.len()).sum());
        for (StoredOrigin(source, observed_at, confidence), names) in groups {
            let p = leadgen_core::Provenance {
                source: source.into(),
                observed_at: observed_at.unwrap_or(updated_at),
                confidence,
            };
            for name in names {
                map.insert(name, p.clone());
            }
        }
    }
    Ok(entity)
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

/// Serializes a contact or company as its stored document: the entity's JSON, except
/// that each provenance entry is the array `[source, observed_at, confidence]` (its
/// fields in declaration order) rather than an object, with the time written by a
/// hand-rolled RFC 3339 formatter, and empty `Option` fields are left out rather
/// than written as `null`. About half the size of the plain JSON, and read back by
/// the plain decoder: serde reads a struct from an array of its fields and a missing
/// `Option` field as `None`, so documents in either form decode the same way with
/// [`from_doc`]. Without `provenance` (kept in a column), the document's map is empty.
/// The fields `left_out` names are not written (a slim document, see [`slim`]).
pub(crate) fn entity_doc<T: Serialize>(
    backend: &'static str,
    field: &str,
    value: &T,
    provenance: Option<&FieldProvenance>,
    left_out: Option<slim::LeftOut>,
) -> StoreResult<String> {
    let mut out = Vec::with_capacity(1024);
    let mut ser = serde_json::Serializer::new(&mut out);
    let invalid = |reason: String| StoreError::InvalidValue {
        backend,
        field: field.to_string(),
        reason,
    };
    value
        .serialize(entity_doc::Doc {
            inner: &mut ser,
            provenance,
            left_out,
        })
        .map_err(|e| invalid(format!("cannot be serialized as JSON: {e}")))?;
    String::from_utf8(out).map_err(|e| invalid(format!("serialized JSON is not UTF-8: {e}")))
}

/// The serializer behind [`entity_doc`].
mod entity_doc {
    use std::io;

    use super::slim::LeftOut;
    use leadgen_core::{FieldProvenance, Provenance};
    use serde::Serialize;
    use serde::ser::{
        Error as _, Impossible, SerializeMap, SerializeStruct, SerializeTuple, Serializer,
    };

    type Json<'a, W> = &'a mut serde_json::Serializer<W>;
    type Error = serde_json::Error;

    /// Passes an entity (a struct) to serde_json, swapping its `provenance` field
    /// for the compact form.
    pub(super) struct Doc<'a, 'p, W: io::Write> {
        pub inner: Json<'a, W>,
        pub provenance: Option<&'p FieldProvenance>,
        /// Fields not written.
        pub left_out: Option<LeftOut>,
    }

    pub(super) struct DocStruct<'a, 'p, W: io::Write> {
        inner: serde_json::ser::Compound<'a, W, serde_json::ser::CompactFormatter>,
        provenance: Option<&'p FieldProvenance>,
        left_out: Option<LeftOut>,
    }

    impl<W: io::Write> SerializeStruct for DocStruct<'_, '_, W> {
        type Ok = ();
        type Error = Error;

        fn serialize_field<T: ?Sized + Serialize>(
            &mut self,
            key: &'static str,
            value: &T,
        ) -> Result<(), Error> {
            if self.left_out.is_some_and(|l| l.contains(key)) {
                Ok(())
            } else if key == "provenance" {
                match self.provenance {
                    Some(p) => self.inner.serialize_field(key, &Compact(p)),
                    None => self.inner.serialize_field(key, &FieldProvenance::new()),
                }
            } else if value.serialize(IsNull).unwrap_or(false) {
                // A missing `Option` field reads back as `None`: leave it out.
                Ok(())
            } else {
                self.inner.serialize_field(key, value)
            }
        }

        fn skip_field(&mut self, key: &'static str) -> Result<(), Error> {
            SerializeStruct::skip_field(&mut self.inner, key)
        }

        fn end(self) -> Result<(), Error> {
            SerializeStruct::end(self.inner)
        }
    }

    fn not_a_struct() -> Error {
        Error::custom("a stored entity must serialize as a struct")
    }

    macro_rules! refuse {
        ($($name:ident($($arg:ty),*)),* $(,)?) => {
            $(fn $name(self $(, _: $arg)*) -> Result<(), Error> { Err(not_a_struct()) })*
        };
    }

    impl<'a, 'p, W: io::Write> Serializer for Doc<'a, 'p, W> {
        type Ok = ();
        type Error = Error;
        type SerializeSeq = Impossible<(), Error>;
        type SerializeTuple = Impossible<(), Error>;
        type SerializeTupleStruct = Impossible<(), Error>;
        type SerializeTupleVariant = Impossible<(), Error>;
        type SerializeMap = Impossible<(), Error>;
        type SerializeStruct = DocStruct<'a, 'p, W>;
        type SerializeStructVariant = Impossible<(), Error>;

        fn serialize_struct(
            self,
            name: &'static str,
            len: usize,
        ) -> Result<Self::SerializeStruct, Error> {
            Ok(DocStruct {
                inner: self.inner.serialize_struct(name, len)?,
                provenance: self.provenance,
                left_out: self.left_out,
            })
        }

        refuse!(
            serialize_bool(bool),
            serialize_i8(i8),
            serialize_i16(i16),
            serialize_i32(i32),
            serialize_i64(i64),
            serialize_u8(u8),
            serialize_u16(u16),
            serialize_u32(u32),
            serialize_u64(u64),
            serialize_f32(f32),
            serialize_f64(f64),
            serialize_char(char),
            serialize_str(&str),
            serialize_bytes(&[u8]),
            serialize_none(),
            serialize_unit(),
            serialize_unit_struct(&'static str),
            serialize_unit_variant(&'static str, u32, &'static str),
        );

        fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<(), Error> {
            Err(not_a_struct())
        }
        fn serialize_newtype_struct<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            _: &T,
        ) -> Result<(), Error> {
            Err(not_a_struct())
        }
        fn serialize_newtype_variant<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<(), Error> {
            Err(not_a_struct())
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
            Err(not_a_struct())
        }
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
            Err(not_a_struct())
        }
        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleStruct, Error> {
            Err(not_a_struct())
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, Error> {
            Err(not_a_struct())
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
            Err(not_a_struct())
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, Error> {
            Err(not_a_struct())
        }
    }

    /// Tells whether a value serializes as JSON `null` (an empty `Option`), without
    /// serializing anything else: every other kind answers `false` at once.
    struct IsNull;

    macro_rules! not_null {
        ($($name:ident($($arg:ty),*)),* $(,)?) => {
            $(fn $name(self $(, _: $arg)*) -> Result<bool, NotNull> { Ok(false) })*
        };
    }

    /// How [`IsNull`] stops at a compound value (which is not null): an error
    /// that allocates nothing.
    #[derive(Debug)]
    struct NotNull;

    impl std::fmt::Display for NotNull {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("not null")
        }
    }

    impl std::error::Error for NotNull {}

    impl serde::ser::Error for NotNull {
        fn custom<T: std::fmt::Display>(_: T) -> Self {
            NotNull
        }
    }

    /// Short-circuits a compound value: it is not null.
    fn compound<T>() -> Result<T, NotNull> {
        Err(NotNull)
    }

    impl Serializer for IsNull {
        type Ok = bool;
        type Error = NotNull;
        type SerializeSeq = Impossible<bool, NotNull>;
        type SerializeTuple = Impossible<bool, NotNull>;
        type SerializeTupleStruct = Impossible<bool, NotNull>;
        type SerializeTupleVariant = Impossible<bool, NotNull>;
        type SerializeMap = Impossible<bool, NotNull>;
        type SerializeStruct = Impossible<bool, NotNull>;
        type SerializeStructVariant = Impossible<bool, NotNull>;

        /// A value written as text (a time, an id) is not null; the default would
        /// format it only to throw the text away.
        fn collect_str<T: ?Sized + std::fmt::Display>(self, _: &T) -> Result<bool, NotNull> {
            Ok(false)
        }

        // Only an `Option` itself: a missing field of any other type (a newtype
        // around an `Option`, `()`) would not read back.
        fn serialize_none(self) -> Result<bool, NotNull> {
            Ok(true)
        }

        not_null!(
            serialize_bool(bool),
            serialize_i8(i8),
            serialize_i16(i16),
            serialize_i32(i32),
            serialize_i64(i64),
            serialize_u8(u8),
            serialize_u16(u16),
            serialize_u32(u32),
            serialize_u64(u64),
            serialize_f32(f32),
            serialize_f64(f64),
            serialize_char(char),
            serialize_str(&str),
            serialize_bytes(&[u8]),
            serialize_unit(),
            serialize_unit_struct(&'static str),
            serialize_unit_variant(&'static str, u32, &'static str),
        );

        fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<bool, NotNull> {
            Ok(false)
        }
        fn serialize_newtype_struct<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            _: &T,
        ) -> Result<bool, NotNull> {
            Ok(false)
        }
        fn serialize_newtype_variant<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<bool, NotNull> {
            Ok(false)
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotNull> {
            compound()
        }
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotNull> {
            compound()
        }
        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleStruct, NotNull> {
            compound()
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, NotNull> {
            compound()
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotNull> {
            compound()
        }
        fn serialize_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStruct, NotNull> {
            compound()
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, NotNull> {
            compound()
        }
    }

    /// The provenance map with each entry as `[source, observed_at, confidence]`.
    struct Compact<'p>(&'p FieldProvenance);

    impl Serialize for Compact<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(Some(self.0.len()))?;
            for (field, p) in self.0 {
                map.serialize_entry(field, &Entry(p))?;
            }
            map.end()
        }
    }

    /// One provenance entry as `[source, observed_at, confidence]`.
    pub(super) struct Entry<'p>(pub &'p Provenance);

    impl Serialize for Entry<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut t = s.serialize_tuple(3)?;
            t.serialize_element(&self.0.source)?;
            t.serialize_element(&Time(self.0.observed_at))?;
            t.serialize_element(&self.0.confidence)?;
            t.end()
        }
    }

    /// One origin of a provenance column: `[source, observed_at, confidence]`, the
    /// time `null` when the origin was observed `at_update` (see
    /// [`provenance_column`](super::provenance_column)).
    pub(super) struct Origin<'p> {
        pub entry: &'p Provenance,
        pub at_update: bool,
    }

    impl Serialize for Origin<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut t = s.serialize_tuple(3)?;
            t.serialize_element(&self.entry.source)?;
            if self.at_update {
                t.serialize_element(&())?;
            } else {
                t.serialize_element(&Time(self.entry.observed_at))?;
            }
            t.serialize_element(&self.entry.confidence)?;
            t.end()
        }
    }

    pub(super) use leadgen_core::model::time::Rfc3339 as Time;
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
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(crate) fn contact_rows(
    backend: &'static str,
    contacts: &[Contact],
    form: DocForm,
) -> Result<Vec<ContactRow>> {
    let contacts = last_by_id(contacts, |c| c.id.0);
    encode_all(&contacts, |&(index, contact)| {
        validate_contact(contact).map_err(|e| in_batch(e, "contacts", index))?;
        Ok(contact_row(backend, contact, form)?)
    })
}

/// Validates every contact of a batch (as [`last_by_id`] gives it), in order: the
/// first bad contact's error, naming its index in the batch.
#[cfg(feature = "sqlite")]
pub(crate) fn validate_contacts(contacts: &[(usize, &Contact)]) -> Result<()> {
    contacts.iter().try_for_each(|&(index, contact)| {
        validate_contact(contact).map_err(|e| in_batch(e, "contacts", index))
    })
}

/// Validates every company and turns each into its row.
pub(crate) fn company_rows(
    backend: &'static str,
    companies: &[Company],
    form: DocForm,
) -> Result<Vec<CompanyRow>> {
    let companies = last_by_id(companies, |c| c.id.0);
    encode_all(&companies, |&(index, company)| {
        validate_company(company).map_err(|e| in_batch(e, "companies", index))?;
        Ok(company_row(backend, company, form)?)
    })
}

/// The document, provenance column and `doc_form` of an entity stored in `form`;
/// `held` tells, for each of its [`Entity::COLUMN_FIELDS`] in order, whether the
/// row's column holds the field's value exactly (see [`slim`]).
fn entity_columns<T: Entity + Serialize>(
    backend: &'static str,
    field: &str,
    value: &T,
    provenance: &FieldProvenance,
    form: DocForm,
    held: impl Fn(&ColumnField) -> bool,
) -> StoreResult<(String, Option<String>, Option<i64>)> {
    Ok(match form {
        DocForm::Whole => (
            entity_doc(backend, field, value, Some(provenance), None)?,
            None,
            None,
        ),
        DocForm::Slim => {
            let left_out = slim::LeftOut::of(T::COLUMN_FIELDS, held);
            (
                entity_doc(backend, field, value, None, Some(left_out))?,
                Some(provenance_column(
                    backend,
                    field,
                    provenance,
                    value.updated_at(),
                )?),
                Some(left_out.doc_form()),
            )
        }
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

/// One contact's row (the contact already validated).
pub(crate) fn contact_row(
    backend: &'static str,
    c: &Contact,
    form: DocForm,
) -> StoreResult<ContactRow> {
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
    let email_key = non_empty(c.email.as_deref()).map(email_key);
    let linkedin_url = non_empty(c.linkedin_url.as_deref()).map(str::to_string);
    let country = non_empty(c.country.as_deref()).map(country_key);
    let (doc, provenance, doc_form) =
        entity_columns(backend, "contact", c, &c.provenance, form, |f| {
            match f.key {
                // Whether the key column holds the field exactly (both absent
                // counts: the field reads back as absent).
                "email" => c.email == email_key,
                "linkedin_url" => c.linkedin_url == linkedin_url,
                "country" => c.country == country,
                // Only the fields with a `doc_form` bit are asked (`LeftOut::of`).
                _ => false,
            }
        })?;
    Ok(ContactRow {
        id: c.id.0,
        company_id: c.company_id.map(|id| id.0),
        email_key,
        linkedin_url,
        country,
        name,
        email_status: c.email_status.as_str(),
        search_text: search,
        updated_at: c.updated_at,
        merged_into: c.merged_into.map(|id| id.0),
        doc,
        provenance,
        doc_form,
    })
}

fn company_row(backend: &'static str, c: &Company, form: DocForm) -> StoreResult<CompanyRow> {
    let domain_key = non_empty(c.domain.as_deref()).map(domain_key);
    let country = non_empty(c.country.as_deref()).map(country_key);
    let (doc, provenance, doc_form) =
        entity_columns(backend, "company", c, &c.provenance, form, |f| {
            match f.key {
                "domain" => c.domain == domain_key,
                "country" => c.country == country,
                _ => false,
            }
        })?;
    Ok(CompanyRow {
        id: c.id.0,
        name: c.name.clone(),
        domain_key,
        country,
        search_text: search_key(&c.name),
        updated_at: c.updated_at,
        merged_into: c.merged_into.map(|id| id.0),
        doc,
        provenance,
        doc_form,
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
        let err = contact_rows("sqlite", &[Contact::new(), bad], DocForm::Whole).unwrap_err();
        assert!(err.to_string().contains("contacts[1].email"), "{err}");
    }

    fn contact_with_provenance() -> Contact {
        use chrono::TimeZone;
        use leadgen_core::Provenance;
        let mut c = Contact::new();
        c.email = Some("jana@acme.cz".into());
        c.full_name = Some("Jana \"Quote\" Nováková".into());
        let base = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
        let times = [
            base,
            base + chrono::Duration::milliseconds(123),
            base + chrono::Duration::microseconds(123_456),
            base + chrono::Duration::nanoseconds(123_456_789),
            Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(12_345, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(-44, 3, 15, 0, 0, 0).unwrap(),
            DateTime::<Utc>::MAX_UTC,
        ];
        for (i, at) in times.into_iter().enumerate() {
            c.set_provenance(
                format!("field{i}"),
                Provenance::new(format!("import:\"src\"{i}"), at, 0.1 * i as f32),
            );
        }
        c
    }

    #[test]
    fn compact_documents_round_trip_and_are_smaller() {
        let c = contact_with_provenance();
        let compact = entity_doc("sqlite", "contact", &c, Some(&c.provenance), None).unwrap();
        let plain = to_doc("sqlite", "contact", &c).unwrap();
        assert!(compact.len() < plain.len(), "{compact}");
        assert!(compact.contains(r#""field0":["#), "{compact}");
        let back: Contact = from_doc("sqlite", "contacts", &"x", &compact).unwrap();
        assert_eq!(back, c);
        // Documents written before the compact form still decode.
        let old: Contact = from_doc("sqlite", "contacts", &"x", &plain).unwrap();
        assert_eq!(old, c);
        // The same JSON apart from provenance.
        let mut a: serde_json::Value = serde_json::from_str(&compact).unwrap();
        let mut b: serde_json::Value = serde_json::from_str(&plain).unwrap();
        a.as_object_mut().unwrap().remove("provenance");
        b.as_object_mut().unwrap().remove("provenance");
        b.as_object_mut().unwrap().retain(|_, v| !v.is_null());
        assert_eq!(a, b);
        assert!(!compact.contains("null"), "{compact}");
    }

    #[test]
    fn times_are_written_as_chrono_writes_them() {
        let c = contact_with_provenance();
        for p in c.provenance.values() {
            let ours = serde_json::to_string(&entity_doc::Time(p.observed_at)).unwrap();
            let chrono = serde_json::to_string(&p.observed_at).unwrap();
            assert_eq!(ours, chrono);
        }
    }

    /// The values of a contact row's [`CONTACT_FIELDS`](slim::CONTACT_FIELDS)
    /// columns, as SQLite would return them.
    fn contact_columns(row: &ContactRow) -> Vec<Option<String>> {
        vec![
            Some(row.id.to_string()),
            row.company_id.map(|id| id.to_string()),
            Some(row.email_status.to_string()),
            row.merged_into.map(|id| id.to_string()),
            row.email_key.clone(),
            row.linkedin_url.clone(),
            row.country.clone(),
        ]
    }

    fn read_contact(row: &ContactRow) -> StoreResult<Contact> {
        let columns = contact_columns(row);
        let columns: Vec<Option<&str>> = columns.iter().map(|c| c.as_deref()).collect();
        from_entity_doc(
            "sqlite",
            "contacts",
            &"x",
            StoredEntity {
                doc: &row.doc,
                provenance: row.provenance.as_deref(),
                doc_form: row.doc_form,
                columns: &columns,
            },
        )
    }

    #[test]
    fn provenance_columns_round_trip_and_group_by_origin() {
        let mut c = contact_with_provenance();
        // Entries of one origin share a group.
        let first = c.provenance["field1"].clone();
        c.set_provenance("shared", first);
        // An origin observed when the contact last changed writes no time.
        c.set_provenance(
            "at_update",
            leadgen_core::Provenance::new("import:file", c.updated_at, 0.9),
        );
        let rows = contact_rows("sqlite", std::slice::from_ref(&c), DocForm::Slim).unwrap();
        let row = &rows[0];
        let column = row.provenance.as_deref().unwrap();
        assert!(!row.doc.contains("provenance"), "{}", row.doc);
        let groups: Vec<serde_json::Value> = serde_json::from_str(column).unwrap();
        assert_eq!(groups.len(), c.provenance.len() - 1, "{column}");
        assert!(column.contains(r#"["import:file",null,0.9]"#), "{column}");
        assert_eq!(read_contact(row).unwrap(), c);
        // Without a column, the document's own provenance stands.
        let whole = entity_doc("sqlite", "contact", &c, Some(&c.provenance), None).unwrap();
        let stored = StoredEntity {
            doc: &whole,
            provenance: None,
            doc_form: None,
            columns: &[],
        };
        let back: Contact = from_entity_doc("sqlite", "contacts", &"x", stored).unwrap();
        assert_eq!(back, c);
        // An unreadable column is reported as a corrupt row.
        let mut bad = rows.into_iter().next().unwrap();
        bad.provenance = Some("[1".into());
        assert!(read_contact(&bad).is_err());
    }

    #[test]
    fn slim_documents_leave_columns_out_and_read_back_whole() {
        use leadgen_core::{CompanyId, ContactId, EmailStatus};
        let mut plain = contact_with_provenance();
        plain.email = Some("jana@acme.cz".into());
        plain.linkedin_url = Some("https://www.linkedin.com/in/jana".into());
        plain.country = Some("CZ".into());
        plain.company_id = Some(CompanyId::new());
        plain.email_status = EmailStatus::Valid;
        // Fields that differ from their key column stay in the document.
        let mut unlike = plain.clone();
        unlike.id = ContactId::new();
        unlike.email = Some(" Jana@Acme.CZ ".into());
        unlike.linkedin_url = Some(" https://www.linkedin.com/in/jana ".into());
        unlike.country = Some("cz".into());
        unlike.merged_into = Some(ContactId::new());
        unlike.company_id = None;
        // Blank values have no key column at all.
        let mut blank = Contact::new();
        blank.email = Some("  ".into());
        blank.linkedin_url = Some(String::new());
        blank.full_name = Some("\"Quoted\" \\ name\n".into());
        let mut contacts = vec![plain, unlike, blank];
        for status in [
            EmailStatus::Unverified,
            EmailStatus::Invalid,
            EmailStatus::Risky,
            EmailStatus::Unknown,
        ] {
            let mut c = Contact::new();
            c.email_status = status;
            contacts.push(c);
        }
        let rows = contact_rows("sqlite", &contacts, DocForm::Slim).unwrap();
        for (c, row) in contacts.iter().zip(&rows) {
            assert_eq!(read_contact(row).unwrap(), *c, "{}", row.doc);
            assert!(!row.doc.contains(&c.id.to_string()), "{}", row.doc);
            assert!(!row.doc.contains("email_status"), "{}", row.doc);
        }
        assert_eq!(rows[0].doc_form, Some(slim::SLIM | 2 | 4 | 8));
        assert!(!rows[0].doc.contains("jana@acme.cz"), "{}", rows[0].doc);
        assert_eq!(rows[1].doc_form, Some(slim::SLIM));
        assert!(rows[1].doc.contains("Jana@Acme.CZ"), "{}", rows[1].doc);
        // Smaller than the whole document.
        let whole = contact_rows("sqlite", &contacts[..1], DocForm::Whole).unwrap();
        assert!(
            rows[0].doc.len() + 150 < whole[0].doc.len(),
            "{} vs {}",
            rows[0].doc,
            whole[0].doc
        );
    }

    #[test]
    fn slim_company_documents_read_back_whole() {
        let mut companies = vec![Company::new("Acme s.r.o.")];
        companies[0].domain = Some("acme.cz".into());
        companies[0].country = Some("CZ".into());
        let mut unlike = Company::new("Other \"a.s.\"");
        unlike.domain = Some("Other.CZ.".into());
        unlike.country = Some("cz".into());
        unlike.merged_into = Some(leadgen_core::CompanyId::new());
        companies.push(unlike);
        let rows = company_rows("sqlite", &companies, DocForm::Slim).unwrap();
        for (c, row) in companies.iter().zip(&rows) {
            let columns = [
                Some(row.id.to_string()),
                Some(row.name.clone()),
                row.merged_into.map(|id| id.to_string()),
                row.domain_key.clone(),
                row.country.clone(),
            ];
            let columns: Vec<Option<&str>> = columns.iter().map(|c| c.as_deref()).collect();
            let stored = StoredEntity {
                doc: &row.doc,
                provenance: row.provenance.as_deref(),
                doc_form: row.doc_form,
                columns: &columns,
            };
            let back: Company = from_entity_doc("sqlite", "companies", &"x", stored).unwrap();
            assert_eq!(back, *c, "{}", row.doc);
            assert!(!row.doc.contains(&c.name), "{}", row.doc);
        }
        assert_eq!(rows[0].doc_form, Some(slim::SLIM | 2 | 4));
        assert_eq!(rows[1].doc_form, Some(slim::SLIM));
    }

    #[test]
    fn company_documents_round_trip() {
        let mut c = Company::new("Acme s.r.o.");
        c.domain = Some("acme.cz".into());
        c.provenance = contact_with_provenance().provenance;
        let doc = entity_doc("sqlite", "company", &c, Some(&c.provenance), None).unwrap();
        let back: Company = from_doc("sqlite", "companies", &"x", &doc).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn columns_are_normalized() {
        let mut c = Contact::new();
        c.email = Some(" Jana@Acme.CZ ".into());
        c.country = Some("cz".into());
        c.full_name = Some("Jana NOVÁKOVÁ".into());
        let row = &contact_rows("sqlite", &[c], DocForm::Whole).unwrap()[0];
        assert_eq!(row.email_key.as_deref(), Some("jana@acme.cz"));
        assert_eq!(row.country.as_deref(), Some("CZ"));
        assert!(row.search_text.contains("nováková"));
    }
}
