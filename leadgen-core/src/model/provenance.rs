//! Field provenance: where a value came from, when, and how sure we are.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where one field's current value came from.
///
/// Merges (dedup, CRM sync) decide between competing values by provenance:
/// source priority first, then recency, then confidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The source: an import (`import:linkedin_connections`), a stage
    /// (`stage:ares`), a CRM (`crm:hubspot`), or `user`.
    ///
    /// Shared: an import gives every field of every row the same source, and a copy
    /// per field was a large share of its allocations. Serialized as a plain string.
    pub source: Arc<str>,
    /// When the value was observed at the source.
    pub observed_at: DateTime<Utc>,
    /// Confidence in the value, 0.0–1.0.
    pub confidence: f32,
}

impl Provenance {
    /// A provenance record with the confidence clamped into 0.0–1.0.
    ///
    /// Pass an `Arc<str>` to share one source among many records.
    pub fn new(source: impl Into<Arc<str>>, observed_at: DateTime<Utc>, confidence: f32) -> Self {
        let confidence = if confidence.is_nan() {
            0.0
        } else {
            confidence.clamp(0.0, 1.0)
        };
        Provenance {
            source: source.into(),
            observed_at,
            confidence,
        }
    }
}

/// A field name in a [`FieldProvenance`]: borrowed for the fixed field names
/// (`"email"`), owned for computed ones (`"attributes.Industry"`), so the common
/// case allocates nothing.
pub type FieldName = Cow<'static, str>;

/// Provenance per field name (`"email"`, `"title"`, `"attributes.Industry"`, …), in
/// field-name order.
///
/// A sorted list rather than a tree: a record has a dozen entries at most, one
/// allocation holds them all, and fixed names are not copied. An import builds one
/// per record, so this was a large share of its time. The serde form is a JSON
/// object, exactly as a `BTreeMap<String, Provenance>` would write it.
///
/// ```
/// use chrono::Utc;
/// use leadgen_core::{FieldProvenance, Provenance};
/// let mut p = FieldProvenance::new();
/// p.insert("title", Provenance::new("import:apollo", Utc::now(), 0.9));
/// p.insert("email", Provenance::new("import:apollo", Utc::now(), 1.0));
/// p.insert(format!("attributes.{}", "Industry"), Provenance::new("user", Utc::now(), 1.0));
/// assert_eq!(p.keys().collect::<Vec<_>>(), ["attributes.Industry", "email", "title"]);
/// assert_eq!(p["title"].confidence, 0.9);
/// assert!(p.get("phone").is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldProvenance {
    entries: Vec<(FieldName, Provenance)>,
}

impl FieldProvenance {
    /// An empty map.
    pub const fn new() -> Self {
        FieldProvenance {
            entries: Vec::new(),
        }
    }

    /// An empty map with room for `capacity` fields.
    pub fn with_capacity(capacity: usize) -> Self {
        FieldProvenance {
            entries: Vec::with_capacity(capacity),
        }
    }

    /// Makes room for `additional` more fields.
    pub fn reserve(&mut self, additional: usize) {
        self.entries.reserve(additional);
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no field has provenance.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, field: &str) -> Result<usize, usize> {
        self.entries
            .binary_search_by(|(k, _)| k.as_ref().cmp(field))
    }

    /// The provenance of `field`.
    pub fn get(&self, field: &str) -> Option<&Provenance> {
        self.position(field).ok().map(|i| &self.entries[i].1)
    }

    /// The provenance of `field`, to change in place.
    pub fn get_mut(&mut self, field: &str) -> Option<&mut Provenance> {
        self.position(field).ok().map(|i| &mut self.entries[i].1)
    }

    /// Whether `field` has provenance.
    pub fn contains_key(&self, field: &str) -> bool {
        self.position(field).is_ok()
    }

    /// Sets `field`'s provenance; returns the one it replaces.
    pub fn insert(
        &mut self,
        field: impl Into<FieldName>,
        provenance: Provenance,
    ) -> Option<Provenance> {
        let field = field.into();
        // Appending past the last field (the common case when fields are set in
        // name order) needs one comparison, not a search.
        if self
            .entries
            .last()
            .is_none_or(|(last, _)| last.as_ref() < field.as_ref())
        {
            self.entries.push((field, provenance));
            return None;
        }
        match self.position(&field) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, provenance)),
            Err(i) => {
                self.entries.insert(i, (field, provenance));
                None
            }
        }
    }

    /// Removes `field`'s provenance and returns it.
    pub fn remove(&mut self, field: &str) -> Option<Provenance> {
        self.position(field).ok().map(|i| self.entries.remove(i).1)
    }

    /// Keeps the fields for which `keep` says true.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &mut Provenance) -> bool) {
        self.entries.retain_mut(|(k, p)| keep(k, p));
    }

    /// Removes every field.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The fields and their provenance, in field-name order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Provenance)> + DoubleEndedIterator {
        self.entries.iter().map(|(k, p)| (k.as_ref(), p))
    }

    /// The fields and their provenance, to change in place.
    pub fn iter_mut(&mut self) -> impl ExactSizeIterator<Item = (&str, &mut Provenance)> {
        self.entries.iter_mut().map(|(k, p)| (&**k, p))
    }

    /// The field names, in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> + DoubleEndedIterator {
        self.entries.iter().map(|(k, _)| k.as_ref())
    }

    /// The provenance records, in field-name order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &Provenance> + DoubleEndedIterator {
        self.entries.iter().map(|(_, p)| p)
    }

    /// The provenance records, to change in place.
    pub fn values_mut(&mut self) -> impl ExactSizeIterator<Item = &mut Provenance> {
        self.entries.iter_mut().map(|(_, p)| p)
    }
}

impl std::ops::Index<&str> for FieldProvenance {
    type Output = Provenance;

    /// The provenance of a field.
    ///
    /// # Panics
    /// When the field has none (as `BTreeMap`'s index does); use [`FieldProvenance::get`]
    /// on data that may lack it.
    fn index(&self, field: &str) -> &Provenance {
        match self.get(field) {
            Some(p) => p,
            None => panic!("no provenance for field {field:?}"),
        }
    }
}

impl<K: Into<FieldName>> FromIterator<(K, Provenance)> for FieldProvenance {
    fn from_iter<I: IntoIterator<Item = (K, Provenance)>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let mut map = FieldProvenance::with_capacity(iter.size_hint().0);
        map.extend(iter);
        map
    }
}

impl<K: Into<FieldName>> Extend<(K, Provenance)> for FieldProvenance {
    /// Inserts each pair in turn: a field given twice keeps the later provenance.
    fn extend<I: IntoIterator<Item = (K, Provenance)>>(&mut self, iter: I) {
        for (k, p) in iter {
            self.insert(k, p);
        }
    }
}

impl IntoIterator for FieldProvenance {
    type Item = (String, Provenance);
    type IntoIter = std::iter::Map<
        std::vec::IntoIter<(FieldName, Provenance)>,
        fn((FieldName, Provenance)) -> (String, Provenance),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter().map(|(k, p)| (k.into_owned(), p))
    }
}

impl<'a> IntoIterator for &'a FieldProvenance {
    type Item = (&'a str, &'a Provenance);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (FieldName, Provenance)>,
        fn(&'a (FieldName, Provenance)) -> (&'a str, &'a Provenance),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, p)| (k.as_ref(), p))
    }
}

impl Serialize for FieldProvenance {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for FieldProvenance {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = FieldProvenance;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map of field names to provenance")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut access: A,
            ) -> Result<FieldProvenance, A::Error> {
                let mut map = FieldProvenance::with_capacity(access.size_hint().unwrap_or(0));
                while let Some((k, p)) = access.next_entry::<String, Provenance>()? {
                    map.insert(k, p);
                }
                Ok(map)
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared source serializes exactly as the former `String` did.
    #[test]
    fn serde_form_is_a_plain_string() {
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        let p = Provenance::new("import:apollo", at, 0.5);
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(
            json,
            r#"{"source":"import:apollo","observed_at":"2023-11-14T22:13:20Z","confidence":0.5}"#
        );
        let back: Provenance = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        assert_eq!(&*back.source, "import:apollo");
    }

    /// The map reads and writes JSON exactly as the `BTreeMap<String, Provenance>` it
    /// replaced, whatever order fields were set in, and a field set twice keeps the
    /// later value.
    #[test]
    fn field_map_matches_a_btreemap() {
        use std::collections::BTreeMap;
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        let names = [
            "title",
            "email",
            "attributes.Ind",
            "b",
            "a",
            "email",
            "zz",
            "country",
        ];
        let mut ours = FieldProvenance::new();
        let mut tree = BTreeMap::new();
        for (i, name) in names.iter().enumerate() {
            let p = Provenance::new("import:x", at, i as f32 / 10.0);
            assert_eq!(
                ours.insert(*name, p.clone()),
                tree.insert(name.to_string(), p)
            );
        }
        assert_eq!(ours.len(), tree.len());
        let json = serde_json::to_string(&ours).unwrap();
        assert_eq!(json, serde_json::to_string(&tree).unwrap());
        let back: FieldProvenance = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ours);
        assert_eq!(ours["email"].confidence, 0.5);
        assert_eq!(ours.remove("b").map(|p| p.confidence), Some(0.3));
        assert!(!ours.contains_key("b"));
        let keys: Vec<&str> = ours.keys().collect();
        assert_eq!(
            keys,
            ["a", "attributes.Ind", "country", "email", "title", "zz"]
        );
        // Duplicate keys in stored JSON: the last one wins, as with a BTreeMap.
        let dup = r#"{"b":{"source":"s","observed_at":"2023-11-14T22:13:20Z","confidence":0.1},
                      "a":{"source":"s","observed_at":"2023-11-14T22:13:20Z","confidence":0.2},
                      "b":{"source":"s","observed_at":"2023-11-14T22:13:20Z","confidence":0.3}}"#;
        let parsed: FieldProvenance = serde_json::from_str(dup).unwrap();
        let tree: BTreeMap<String, Provenance> = serde_json::from_str(dup).unwrap();
        assert_eq!(
            parsed
                .iter()
                .map(|(k, p)| (k.to_string(), p.clone()))
                .collect::<BTreeMap<_, _>>(),
            tree
        );
    }
}
