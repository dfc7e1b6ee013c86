//! A small map keyed by field name: a record's provenance and its extra attributes.
//!
//! A record has a dozen entries at most. A sorted list keeps them all in one
//! allocation, where a `BTreeMap` takes a 500-byte node plus one allocation per key;
//! an import builds two or three of these per row, so that difference was a large
//! share of its time and memory. Fixed names (`"email"`) are borrowed, not copied,
//! and clones share their entries until one of them changes.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A key of a [`FieldMap`]: borrowed for fixed names (`"email"`), owned for the
/// others (`"attributes.Industry"`, a column header), so the common case allocates
/// nothing.
pub type FieldName = Cow<'static, str>;

/// A map from field names to values, in name order, with the API of a `BTreeMap`
/// and the same serde form (a JSON object with sorted keys).
///
/// ```
/// use leadgen_core::Attributes;
/// let mut a = Attributes::new();
/// a.insert("Twitter", "@jana".to_string());
/// a.insert(String::from("Industry"), "Software".to_string());
/// assert_eq!(a.keys().collect::<Vec<_>>(), ["Industry", "Twitter"]);
/// assert_eq!(a["Twitter"], "@jana");
/// assert_eq!(serde_json::to_string(&a).unwrap(), r#"{"Industry":"Software","Twitter":"@jana"}"#);
///
/// // A clone shares the entries until one side changes (copy on write).
/// let mut b = a.clone();
/// b.insert("Twitter", "@jana_n".to_string());
/// assert_eq!(a["Twitter"], "@jana");
/// assert_eq!(b["Twitter"], "@jana_n");
/// ```
/// Equality and order are those of the entries in name order, as with a `BTreeMap`.
///
/// Clones share their entries until one of them changes: an import gives the records
/// of one file a handful of distinct provenance maps, and a clone per record that
/// copied the entries was about 800 bytes of fresh memory a row.
pub struct FieldMap<V> {
    /// `None` when empty, so an empty map allocates nothing.
    entries: Option<Arc<Vec<(FieldName, V)>>>,
}

impl<V> FieldMap<V> {
    /// An empty map.
    pub const fn new() -> Self {
        FieldMap { entries: None }
    }

    /// An empty map with room for `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Self {
        FieldMap {
            entries: (capacity > 0).then(|| Arc::new(Vec::with_capacity(capacity))),
        }
    }

    fn entries(&self) -> &[(FieldName, V)] {
        self.entries.as_deref().map_or(&[], Vec::as_slice)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.entries().is_empty()
    }

    fn position(&self, field: &str) -> Result<usize, usize> {
        self.entries()
            .binary_search_by(|(k, _)| k.as_ref().cmp(field))
    }

    /// The value of `field`.
    pub fn get(&self, field: &str) -> Option<&V> {
        self.position(field).ok().map(|i| &self.entries()[i].1)
    }

    /// Whether `field` has a value.
    pub fn contains_key(&self, field: &str) -> bool {
        self.position(field).is_ok()
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.entries = None;
    }

    /// The entries, in name order.
    pub fn iter(&self) -> Iter<'_, V> {
        self.entries().iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// The names, in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> + DoubleEndedIterator {
        self.entries().iter().map(|(k, _)| k.as_ref())
    }

    /// The values, in name order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &V> + DoubleEndedIterator {
        self.entries().iter().map(|(_, v)| v)
    }
}

/// The changes: each copies the entries first when a clone shares them.
impl<V: Clone> FieldMap<V> {
    /// The entries, to change: this map's own (copied first if shared).
    fn entries_mut(&mut self) -> &mut Vec<(FieldName, V)> {
        Arc::make_mut(self.entries.get_or_insert_with(Default::default))
    }

    /// Makes room for `additional` more entries.
    pub fn reserve(&mut self, additional: usize) {
        self.entries_mut().reserve(additional);
    }

    /// The value of `field`, to change in place.
    pub fn get_mut(&mut self, field: &str) -> Option<&mut V> {
        let i = self.position(field).ok()?;
        Some(&mut self.entries_mut()[i].1)
    }

    /// Sets `field`'s value; returns the one it replaces.
    pub fn insert(&mut self, field: impl Into<FieldName>, value: V) -> Option<V> {
        let field = field.into();
        // Appending past the last name (the usual case when entries are set in name
        // order) needs one comparison, not a search.
        if self
            .entries()
            .last()
            .is_none_or(|(last, _)| name_before(last, &field))
        {
            self.entries_mut().push((field, value));
            return None;
        }
        match self.position(&field) {
            Ok(i) => Some(std::mem::replace(&mut self.entries_mut()[i].1, value)),
            Err(i) => {
                self.entries_mut().insert(i, (field, value));
                None
            }
        }
    }

    /// The value of `field`, inserted with `default()` first if it has none.
    pub fn get_or_insert_with(
        &mut self,
        field: impl Into<FieldName>,
        default: impl FnOnce() -> V,
    ) -> &mut V {
        let field = field.into();
        let i = match self.position(&field) {
            Ok(i) => i,
            Err(i) => {
                self.entries_mut().insert(i, (field, default()));
                i
            }
        };
        &mut self.entries_mut()[i].1
    }

    /// Removes `field` and returns its value.
    pub fn remove(&mut self, field: &str) -> Option<V> {
        let i = self.position(field).ok()?;
        Some(self.entries_mut().remove(i).1)
    }

    /// Moves every entry of `other` into this map (a name in both takes `other`'s
    /// value), leaving `other` empty, as `BTreeMap::append` does.
    pub fn append(&mut self, other: &mut FieldMap<V>) {
        if self.is_empty() {
            std::mem::swap(&mut self.entries, &mut other.entries);
            return;
        }
        for (k, v) in std::mem::take(other).into_entries() {
            self.insert(k, v);
        }
    }

    /// Keeps the entries for which `keep` says true.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &mut V) -> bool) {
        if !self.is_empty() {
            self.entries_mut().retain_mut(|(k, v)| keep(k, v));
        }
    }

    /// The entries, to change the values in place.
    pub fn iter_mut(&mut self) -> impl ExactSizeIterator<Item = (&str, &mut V)> {
        let entries: &mut [(FieldName, V)] = if self.is_empty() {
            &mut []
        } else {
            self.entries_mut()
        };
        entries.iter_mut().map(|(k, v)| (&**k, v))
    }

    /// The values, to change in place.
    pub fn values_mut(&mut self) -> impl ExactSizeIterator<Item = &mut V> {
        self.iter_mut().map(|(_, v)| v)
    }

    /// The entries, owned (moved out when no clone shares them, copied otherwise).
    fn into_entries(self) -> Vec<(FieldName, V)> {
        self.entries.map(Arc::unwrap_or_clone).unwrap_or_default()
    }
}

/// Whether `a` sorts before `b`; names nearly always differ in their first byte,
/// which settles it without a call to `memcmp`.
#[inline]
fn name_before(a: &str, b: &str) -> bool {
    match (a.as_bytes().first(), b.as_bytes().first()) {
        (Some(x), Some(y)) if x != y => x < y,
        _ => a < b,
    }
}

/// Values the user had that map to no field (a column header, or a CRM property,
/// and its value), kept verbatim on a contact or company.
pub type Attributes = FieldMap<String>;

/// The iterator of [`FieldMap::iter`].
pub type Iter<'a, V> = std::iter::Map<
    std::slice::Iter<'a, (FieldName, V)>,
    fn(&'a (FieldName, V)) -> (&'a str, &'a V),
>;

impl<V> Default for FieldMap<V> {
    fn default() -> Self {
        FieldMap::new()
    }
}

impl<V> Clone for FieldMap<V> {
    /// A map sharing this one's entries (copied when either side changes).
    fn clone(&self) -> Self {
        FieldMap {
            entries: self.entries.clone(),
        }
    }
}

// Equality, order and hash are those of the entries: an empty map is equal to
// another however each became empty.
impl<V: PartialEq> PartialEq for FieldMap<V> {
    fn eq(&self, other: &Self) -> bool {
        self.entries() == other.entries()
    }
}

impl<V: Eq> Eq for FieldMap<V> {}

impl<V: PartialOrd> PartialOrd for FieldMap<V> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.entries().partial_cmp(other.entries())
    }
}

impl<V: Ord> Ord for FieldMap<V> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.entries().cmp(other.entries())
    }
}

impl<V: Hash> Hash for FieldMap<V> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.entries().hash(state);
    }
}

impl<V: fmt::Debug> fmt::Debug for FieldMap<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<V, Q: Borrow<str> + ?Sized> std::ops::Index<&Q> for FieldMap<V> {
    type Output = V;

    /// The value of a field.
    ///
    /// # Panics
    /// When the field has none, as `BTreeMap`'s index does; use [`FieldMap::get`] on
    /// data that may lack it.
    fn index(&self, field: &Q) -> &V {
        let field = field.borrow();
        match self.get(field) {
            Some(v) => v,
            None => panic!("no entry for field {field:?}"),
        }
    }
}

impl<K: Into<FieldName>, V: Clone> FromIterator<(K, V)> for FieldMap<V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let mut map = FieldMap::with_capacity(iter.size_hint().0);
        map.extend(iter);
        map
    }
}

impl<K: Into<FieldName>, V: Clone> Extend<(K, V)> for FieldMap<V> {
    /// Inserts each pair in turn: a name given twice keeps the later value.
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<V: Clone> IntoIterator for FieldMap<V> {
    type Item = (String, V);
    type IntoIter =
        std::iter::Map<std::vec::IntoIter<(FieldName, V)>, fn((FieldName, V)) -> (String, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.into_entries()
            .into_iter()
            .map(|(k, v)| (k.into_owned(), v))
    }
}

impl<'a, V> IntoIterator for &'a FieldMap<V> {
    type Item = (&'a str, &'a V);
    type IntoIter = Iter<'a, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<V: Serialize> Serialize for FieldMap<V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de, V: Deserialize<'de> + Clone> Deserialize<'de> for FieldMap<V> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de> + Clone> serde::de::Visitor<'de> for Visit<V> {
            type Value = FieldMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of field names to values")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut access: A,
            ) -> Result<FieldMap<V>, A::Error> {
                let mut map = FieldMap::with_capacity(access.size_hint().unwrap_or(0).min(64));
                while let Some((k, v)) = access.next_entry::<String, V>()? {
                    map.insert(k, v);
                }
                Ok(map)
            }
        }
        deserializer.deserialize_map(Visit(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// Whatever order names are set in, the map holds, returns and serializes
    /// exactly what a `BTreeMap` would; duplicate keys in JSON keep the last value.
    #[test]
    fn behaves_like_a_btreemap() {
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
        let mut ours = FieldMap::new();
        let mut tree = BTreeMap::new();
        for (i, name) in names.iter().enumerate() {
            assert_eq!(ours.insert(*name, i), tree.insert(name.to_string(), i));
        }
        assert_eq!(ours.len(), tree.len());
        let json = serde_json::to_string(&ours).unwrap();
        assert_eq!(json, serde_json::to_string(&tree).unwrap());
        let back: FieldMap<usize> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ours);
        assert_eq!(ours["email"], 5);
        assert_eq!(ours.remove("b"), Some(3));
        assert!(!ours.contains_key("b"));
        let keys: Vec<&str> = ours.keys().collect();
        assert_eq!(
            keys,
            ["a", "attributes.Ind", "country", "email", "title", "zz"]
        );
        assert_eq!(
            format!("{ours:?}"),
            format!("{:?}", {
                tree.remove("b");
                tree
            })
        );

        let dup = r#"{"b":1,"a":2,"b":3}"#;
        let parsed: FieldMap<u8> = serde_json::from_str(dup).unwrap();
        let tree: BTreeMap<String, u8> = serde_json::from_str(dup).unwrap();
        let parsed: BTreeMap<String, u8> = parsed.into_iter().collect();
        assert_eq!(parsed, tree);
    }

    /// A clone shares the entries until either side changes, and a change to one
    /// never shows in the other; maps compare by entries, however they got there.
    #[test]
    fn clones_share_until_changed() {
        let a: FieldMap<String> = [("x", "1".to_string()), ("y", "2".to_string())]
            .into_iter()
            .collect();
        let mut b = a.clone();
        assert!(std::ptr::eq(a.get("x").unwrap(), b.get("x").unwrap()));
        b.get_mut("x").unwrap().push('!');
        b.insert("z", "3".into());
        assert_eq!(
            a.iter().collect::<Vec<_>>(),
            [("x", &"1".into()), ("y", &"2".into())]
        );
        assert_eq!(b["x"], "1!");
        assert_eq!(b.len(), 3);

        let mut c = a.clone();
        for v in c.values_mut() {
            v.clear();
        }
        assert_eq!(a["y"], "2");
        c.retain(|_, _| false);
        assert!(c.is_empty());
        assert_eq!(c, FieldMap::new(), "emptied and never filled are equal");
        let mut d = a.clone();
        assert_eq!(d.remove("x").as_deref(), Some("1"));
        assert_eq!(a.len(), 2);
        let owned: Vec<(String, String)> = a.clone().into_iter().collect();
        assert_eq!(owned.len(), 2);
        assert_eq!(a["x"], "1");
    }

    #[test]
    fn append_and_get_or_insert() {
        let mut a: FieldMap<u8> = [("x", 1), ("z", 3)].into_iter().collect();
        let mut b: FieldMap<u8> = [("y", 2), ("z", 9)].into_iter().collect();
        a.append(&mut b);
        assert!(b.is_empty());
        assert_eq!(
            a.iter().collect::<Vec<_>>(),
            [("x", &1), ("y", &2), ("z", &9)]
        );
        let mut empty = FieldMap::new();
        empty.append(&mut a);
        assert_eq!(empty.len(), 3);
        *empty.get_or_insert_with("w", || 0) += 5;
        *empty.get_or_insert_with("x", || 0) += 5;
        assert_eq!(empty["w"], 5);
        assert_eq!(empty["x"], 6);
        assert_eq!(empty.keys().collect::<Vec<_>>(), ["w", "x", "y", "z"]);
    }
}
