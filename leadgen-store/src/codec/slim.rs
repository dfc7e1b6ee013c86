//! Slim documents: SQLite rows whose JSON document leaves out the fields the row's
//! columns already hold.
//!
//! Why: a bulk import writes every byte of a row twice (WAL, then checkpoint) and
//! spills the page cache once rows outgrow it, so a row's size is most of what it
//! costs. A whole contact document repeated its id, company id, email status, email,
//! LinkedIn URL and country, all of them also columns: about a third of the row.
//!
//! How: each entity lists its [`ColumnField`]s. A slim row's `doc_form` column has
//! the [`SLIM`] bit, and the document leaves out:
//! - every field whose column holds it exactly (`bit == 0`: ids, the email status,
//!   a company's name), and the provenance map (the provenance column holds it);
//! - each field whose column holds a normalized key (the email's key is trimmed and
//!   lower-case) only when the key equals the field, which `doc_form` records with
//!   the field's bit.
//!
//! Reading puts the left-out fields back from the columns before decoding
//! ([`whole_doc`]). A row with `doc_form` NULL (written before schema 5) holds a
//! whole document and reads as before.

use std::borrow::Cow;

/// The `doc_form` bit of every slim row.
pub(crate) const SLIM: i64 = 1;

/// A field of an entity's document that a slim row reads from a column instead.
#[derive(Debug)]
pub(crate) struct ColumnField {
    /// The field's key in the entity's JSON.
    pub key: &'static str,
    /// The column that holds it.
    pub column: &'static str,
    /// 0 when the column always holds the field exactly, so a slim document never
    /// writes it; else the `doc_form` bit set when this row's column equals the
    /// field and the document left it out.
    pub bit: i64,
}

const fn exact(key: &'static str, column: &'static str) -> ColumnField {
    ColumnField {
        key,
        column,
        bit: 0,
    }
}

const fn when_equal(key: &'static str, column: &'static str, bit: i64) -> ColumnField {
    ColumnField { key, column, bit }
}

/// The most fields an entity keeps in columns (readers size a buffer by it).
pub(crate) const MAX_COLUMN_FIELDS: usize = 8;

/// A contact's fields held by `contacts` columns.
pub(crate) const CONTACT_FIELDS: &[ColumnField] = &[
    exact("id", "id"),
    exact("company_id", "company_id"),
    exact("email_status", "email_status"),
    exact("merged_into", "merged_into"),
    when_equal("email", "email_key", 2),
    when_equal("linkedin_url", "linkedin_url", 4),
    when_equal("country", "country", 8),
];

/// A company's fields held by `companies` columns.
pub(crate) const COMPANY_FIELDS: &[ColumnField] = &[
    exact("id", "id"),
    exact("name", "name"),
    exact("merged_into", "merged_into"),
    when_equal("domain", "domain_key", 2),
    when_equal("country", "country", 4),
];

// Checked when compiling: a longer list would overflow the readers' buffer.
const _: () = assert!(CONTACT_FIELDS.len() <= MAX_COLUMN_FIELDS);
const _: () = assert!(COMPANY_FIELDS.len() <= MAX_COLUMN_FIELDS);

/// The columns to select, after `id, doc, provenance`, to read an entity with these
/// fields: `doc_form`, then each field's column in order.
pub(crate) fn select_list(fields: &[ColumnField]) -> String {
    let mut list = String::from("doc_form");
    for f in fields {
        list.push_str(", ");
        list.push_str(f.column);
    }
    list
}

/// What a slim row's document leaves out: the provenance map, and the fields of
/// `fields` that `form` (its `doc_form`) leaves to the columns.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LeftOut {
    fields: &'static [ColumnField],
    form: i64,
}

impl LeftOut {
    /// A new slim row's: `held` tells whether the column of a field with a bit
    /// equals the field in this row.
    pub(crate) fn of(fields: &'static [ColumnField], held: impl Fn(&ColumnField) -> bool) -> Self {
        let form = fields
            .iter()
            .filter(|f| f.bit != 0 && held(f))
            .fold(SLIM, |form, f| form | f.bit);
        LeftOut { fields, form }
    }

    /// The row's `doc_form`.
    pub(crate) fn doc_form(self) -> i64 {
        self.form
    }

    /// Whether the document leaves out the field `key`.
    pub(crate) fn contains(self, key: &str) -> bool {
        key == "provenance"
            || self
                .fields
                .iter()
                .any(|f| f.key == key && in_columns(f, self.form))
    }
}

/// Whether a row of `doc_form` `form` keeps field `f` in its column only.
fn in_columns(f: &ColumnField, form: i64) -> bool {
    f.bit == 0 || form & f.bit != 0
}

/// The whole JSON document of a stored row: `doc` itself unless `doc_form` marks it
/// slim, else `doc` with the left-out fields put back from `columns` (the values of
/// `fields`' columns, in order) and an empty provenance map (the provenance column
/// fills it). A NULL column puts nothing back: the field reads as absent.
pub(crate) fn whole_doc<'d>(
    doc: &'d str,
    doc_form: Option<i64>,
    fields: &[ColumnField],
    columns: &[Option<&str>],
) -> Cow<'d, str> {
    let Some(form) = doc_form.filter(|form| form & SLIM != 0) else {
        return Cow::Borrowed(doc);
    };
    // Not an object: left for the decoder to report as a corrupt row.
    let Some(rest) = doc.strip_prefix('{') else {
        return Cow::Borrowed(doc);
    };
    let mut out = String::with_capacity(doc.len() + 192);
    out.push('{');
    for (f, value) in fields.iter().zip(columns) {
        if !in_columns(f, form) {
            continue;
        }
        if let Some(value) = value {
            push_json_string(&mut out, f.key);
            out.push(':');
            push_json_string(&mut out, value);
            out.push(',');
        }
    }
    out.push_str(r#""provenance":{}"#);
    if !rest.trim_start().starts_with('}') {
        out.push(',');
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Appends `value` as a JSON string.
fn push_json_string(out: &mut String, value: &str) {
    if value.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(value);
        out.push('"');
    } else {
        // Serializing a string cannot fail.
        out.push_str(&serde_json::Value::from(value).to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_put_back_from_the_columns() {
        let fields = CONTACT_FIELDS;
        let columns = [
            Some("0190-x"),
            None,
            Some("valid"),
            None,
            Some("a\"b@x.cz"),
            Some("https://www.linkedin.com/in/x"),
            Some("CZ"),
        ];
        // The email was left out; the URL and country were not (their bits unset).
        let doc = whole_doc(r#"{"title":"CEO"}"#, Some(SLIM | 2), fields, &columns);
        let value: serde_json::Value = serde_json::from_str(&doc).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"id": "0190-x", "email_status": "valid",
                "email": "a\"b@x.cz", "provenance": {}, "title": "CEO"})
        );
        // An empty document takes no trailing comma.
        let doc = whole_doc("{}", Some(SLIM), fields, &columns);
        assert_eq!(
            doc,
            r#"{"id":"0190-x","email_status":"valid","provenance":{}}"#
        );
        // Whole documents are read as they are.
        assert_eq!(whole_doc("{}", None, fields, &columns), "{}");
        assert_eq!(whole_doc("[1", Some(SLIM), fields, &columns), "[1");
    }

    #[test]
    fn left_out_sets_the_bit_of_each_held_key() {
        let left_out = LeftOut::of(CONTACT_FIELDS, |f| f.key == "country");
        assert_eq!(left_out.doc_form(), SLIM | 8);
        let keys: Vec<&str> = ["provenance", "title"]
            .into_iter()
            .chain(CONTACT_FIELDS.iter().map(|f| f.key))
            .filter(|key| left_out.contains(key))
            .collect();
        assert_eq!(
            keys,
            [
                "provenance",
                "id",
                "company_id",
                "email_status",
                "merged_into",
                "country"
            ]
        );
        assert_eq!(
            select_list(COMPANY_FIELDS),
            "doc_form, id, name, merged_into, domain_key, country"
        );
    }
}
