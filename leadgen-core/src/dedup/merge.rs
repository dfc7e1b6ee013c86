//! Merging a cluster into one survivor: strategies, tombstones, audit, undo.
//!
//! The losers are not deleted: each stays as a tombstone with `merged_into` set to the
//! survivor, and one `merge` audit entry keeps the before-image of every member, so
//! [`undo_merge`] restores exactly what was there.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::DedupError;
use crate::model::{Company, Contact, EntityRef, FieldProvenance};
use crate::store::AuditEntry;

/// How a cluster is merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "strategy")]
pub enum MergeStrategy {
    /// The most recently updated member survives unchanged.
    KeepNewest,
    /// The member with the most filled fields survives unchanged.
    KeepMostComplete,
    /// The oldest member survives (its id is the one others point at), and each field
    /// takes the value whose provenance ranks best: source priority first (earlier in
    /// `source_priority` wins; unlisted sources rank last), then recency.
    MergeFields {
        /// Sources best first (`user`, `crm:hubspot`, `import:apollo`…); a prefix
        /// matches (`import` ranks every `import:*`).
        source_priority: Vec<String>,
    },
    /// Leave the cluster alone.
    Skip,
}

/// The result of merging one cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct MergeOutcome<T> {
    /// The survivor, with merged values.
    pub survivor: T,
    /// The other members, now tombstones pointing at the survivor.
    pub tombstones: Vec<T>,
    /// The audit entry recording the merge (with before-images, for undo).
    pub audit: AuditEntry,
}

/// What the merge needs to know about an entity.
trait Mergeable: Serialize + DeserializeOwned + Clone {
    const KIND: &'static str;
    fn key(&self) -> String;
    fn entity(&self) -> EntityRef;
    fn created(&self) -> DateTime<Utc>;
    fn updated(&self) -> DateTime<Utc>;
    fn record_source(&self) -> Option<&str>;
    fn provenance(&self) -> &FieldProvenance;
    fn tombstone(&mut self, survivor: &Self, at: DateTime<Utc>);
}

impl Mergeable for Contact {
    const KIND: &'static str = "contact";
    fn key(&self) -> String {
        self.id.to_string()
    }
    fn entity(&self) -> EntityRef {
        self.id.into()
    }
    fn created(&self) -> DateTime<Utc> {
        self.created_at
    }
    fn updated(&self) -> DateTime<Utc> {
        self.updated_at
    }
    fn record_source(&self) -> Option<&str> {
        self.source.as_deref()
    }
    fn provenance(&self) -> &FieldProvenance {
        &self.provenance
    }
    fn tombstone(&mut self, survivor: &Self, at: DateTime<Utc>) {
        self.merged_into = Some(survivor.id);
        self.updated_at = at;
    }
}

impl Mergeable for Company {
    const KIND: &'static str = "company";
    fn key(&self) -> String {
        self.id.to_string()
    }
    fn entity(&self) -> EntityRef {
        self.id.into()
    }
    fn created(&self) -> DateTime<Utc> {
        self.created_at
    }
    fn updated(&self) -> DateTime<Utc> {
        self.updated_at
    }
    fn record_source(&self) -> Option<&str> {
        None
    }
    fn provenance(&self) -> &FieldProvenance {
        &self.provenance
    }
    fn tombstone(&mut self, survivor: &Self, at: DateTime<Utc>) {
        self.merged_into = Some(survivor.id);
        self.updated_at = at;
    }
}

/// Bookkeeping fields that are never merged value by value.
const NOT_MERGED: &[&str] = &[
    "id",
    "created_at",
    "updated_at",
    "merged_into",
    "provenance",
];

fn to_json<T: Serialize>(x: &T) -> Result<Value, DedupError> {
    serde_json::to_value(x).map_err(|e| DedupError::Merge {
        reason: e.to_string(),
    })
}

fn is_filled(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => true,
    }
}

fn completeness(v: &Value) -> usize {
    v.as_object().map_or(0, |m| {
        m.iter()
            .filter(|(k, v)| !NOT_MERGED.contains(&k.as_str()) && is_filled(v))
            .count()
    })
}

fn source_rank(priority: &[String], source: Option<&str>) -> usize {
    source
        .and_then(|s| {
            priority
                .iter()
                .position(|p| s == p || s.starts_with(&format!("{p}:")))
        })
        .unwrap_or(priority.len())
}

fn merge<T: Mergeable>(
    members: &[T],
    strategy: &MergeStrategy,
    actor: &str,
) -> Result<Option<MergeOutcome<T>>, DedupError> {
    if members.len() < 2 || *strategy == MergeStrategy::Skip {
        return Ok(None);
    }
    let images: Vec<Value> = members.iter().map(to_json).collect::<Result<_, _>>()?;
    let survivor_index = match strategy {
        MergeStrategy::KeepNewest => (0..members.len())
            .max_by(|&a, &b| {
                members[a]
                    .updated()
                    .cmp(&members[b].updated())
                    .then(members[b].key().cmp(&members[a].key()))
            })
            .unwrap_or(0),
        MergeStrategy::KeepMostComplete => (0..members.len())
            .max_by(|&a, &b| {
                completeness(&images[a])
                    .cmp(&completeness(&images[b]))
                    .then(members[a].updated().cmp(&members[b].updated()))
            })
            .unwrap_or(0),
        MergeStrategy::MergeFields { .. } | MergeStrategy::Skip => (0..members.len())
            .min_by(|&a, &b| {
                members[a]
                    .created()
                    .cmp(&members[b].created())
                    .then(members[a].key().cmp(&members[b].key()))
            })
            .unwrap_or(0),
    };
    let mut survivor = members[survivor_index].clone();
    if let MergeStrategy::MergeFields { source_priority } = strategy {
        survivor = merge_fields(members, &images, survivor_index, source_priority)?;
    }
    let now = Utc::now();
    let mut survivor_json = to_json(&survivor)?;
    if survivor_json != images[survivor_index] {
        if let Some(m) = survivor_json.as_object_mut() {
            m.insert("updated_at".into(), to_json(&now)?);
        }
        survivor = serde_json::from_value(survivor_json).map_err(|e| DedupError::Merge {
            reason: e.to_string(),
        })?;
    }
    let tombstones: Vec<T> = members
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != survivor_index)
        .map(|(_, m)| {
            let mut t = m.clone();
            t.tombstone(&survivor, now);
            t
        })
        .collect();
    let mut audit = AuditEntry::new(actor, "merge");
    audit.entity = Some(survivor.entity());
    audit.details = serde_json::json!({
        "kind": T::KIND,
        "strategy": strategy,
        "survivor": survivor.key(),
        "merged": tombstones.iter().map(Mergeable::key).collect::<Vec<_>>(),
        "before": images,
    });
    Ok(Some(MergeOutcome {
        survivor,
        tombstones,
        audit,
    }))
}

fn merge_fields<T: Mergeable>(
    members: &[T],
    images: &[Value],
    survivor_index: usize,
    priority: &[String],
) -> Result<T, DedupError> {
    let mut out: Map<String, Value> = images[survivor_index]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut provenance: FieldProvenance = members[survivor_index].provenance().clone();
    let fields: Vec<String> = out
        .keys()
        .filter(|k| !NOT_MERGED.contains(&k.as_str()))
        .cloned()
        .collect();
    for field in fields {
        // Map fields (attributes, registry ids): union, the best-ranked member's keys win.
        let mut ranked: Vec<usize> = (0..members.len())
            .filter(|&i| images[i].get(&field).is_some_and(is_filled))
            .collect();
        if ranked.is_empty() {
            continue;
        }
        let rank = |i: usize| {
            let p = members[i].provenance().get(&field);
            let source = p.map(|p| &*p.source).or(members[i].record_source());
            let when = p.map_or(members[i].updated(), |p| p.observed_at);
            (
                source_rank(priority, source),
                std::cmp::Reverse(when),
                i != survivor_index,
            )
        };
        ranked.sort_by_key(|&i| rank(i));
        let best = ranked[0];
        let value = if images[best][&field].is_object() {
            let mut merged = Map::new();
            for &i in ranked.iter().rev() {
                if let Some(m) = images[i][&field].as_object() {
                    merged.extend(m.clone());
                }
            }
            Value::Object(merged)
        } else {
            images[best][&field].clone()
        };
        out.insert(field.clone(), value);
        if let Some(p) = members[best].provenance().get(&field) {
            provenance.insert(field, p.clone());
        }
    }
    out.insert("provenance".into(), to_json(&provenance)?);
    serde_json::from_value(Value::Object(out)).map_err(|e| DedupError::Merge {
        reason: e.to_string(),
    })
}

/// Merges a cluster of contacts; `None` for [`MergeStrategy::Skip`] or fewer than two.
pub fn merge_contacts(
    members: &[Contact],
    strategy: &MergeStrategy,
    actor: &str,
) -> Result<Option<MergeOutcome<Contact>>, DedupError> {
    merge(members, strategy, actor)
}

/// Merges a cluster of companies; `None` for [`MergeStrategy::Skip`] or fewer than two.
pub fn merge_companies(
    members: &[Company],
    strategy: &MergeStrategy,
    actor: &str,
) -> Result<Option<MergeOutcome<Company>>, DedupError> {
    merge(members, strategy, actor)
}

/// The records that restore the state before a merge, and the audit entry of the undo.
#[derive(Debug, Clone, PartialEq)]
pub struct Undo {
    /// Contacts to write back (empty for a company merge).
    pub contacts: Vec<Contact>,
    /// Companies to write back (empty for a contact merge).
    pub companies: Vec<Company>,
    /// The `unmerge` audit entry.
    pub audit: AuditEntry,
}

/// Undoes a merge from its audit entry: the before-images of every member.
///
/// ```
/// use leadgen_core::Contact;
/// use leadgen_core::dedup::{merge_contacts, undo_merge, MergeStrategy};
/// let mut a = Contact::new();
/// a.email = Some("jan@acme.cz".into());
/// let b = Contact { email: Some("jan@acme.cz".into()), ..Contact::new() };
/// let merged = merge_contacts(&[a.clone(), b.clone()], &MergeStrategy::KeepMostComplete, "user:test")
///     .unwrap().unwrap();
/// assert_eq!(merged.tombstones[0].merged_into, Some(merged.survivor.id));
/// let undo = undo_merge(&merged.audit, "user:test").unwrap();
/// assert!(undo.contacts.contains(&a) && undo.contacts.contains(&b));
/// ```
pub fn undo_merge(entry: &AuditEntry, actor: &str) -> Result<Undo, DedupError> {
    let fail = |reason: &str| DedupError::Undo {
        entry: entry.id.to_string(),
        reason: reason.to_string(),
    };
    if entry.action != "merge" {
        return Err(fail("not a merge entry"));
    }
    let before = entry
        .details
        .get("before")
        .and_then(Value::as_array)
        .ok_or_else(|| fail("no before-images"))?;
    let kind = entry
        .details
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut undo = Undo {
        contacts: Vec::new(),
        companies: Vec::new(),
        audit: AuditEntry::new(actor, "unmerge"),
    };
    undo.audit.entity = entry.entity;
    undo.audit.details = serde_json::json!({ "undoes": entry.id.to_string() });
    for image in before {
        match kind {
            "contact" => undo
                .contacts
                .push(serde_json::from_value(image.clone()).map_err(|e| fail(&e.to_string()))?),
            "company" => undo
                .companies
                .push(serde_json::from_value(image.clone()).map_err(|e| fail(&e.to_string()))?),
            _ => return Err(fail("unknown entity kind")),
        }
    }
    Ok(undo)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Provenance;
    use chrono::TimeZone;

    fn at(year: i32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0).unwrap()
    }

    fn contacts() -> Vec<Contact> {
        let mut old = Contact::new();
        old.created_at = at(2020);
        old.updated_at = at(2020);
        old.first_name = Some("Jan".into());
        old.title = Some("Sales Manager".into());
        old.source = Some("import:linkedin".into());
        old.set_provenance("title", Provenance::new("import:linkedin", at(2020), 0.9));
        let mut new = Contact::new();
        new.created_at = at(2023);
        new.updated_at = at(2023);
        new.first_name = Some("Jan".into());
        new.title = Some("Head of Sales".into());
        new.phone = Some("+420606352769".into());
        new.source = Some("crm:hubspot".into());
        new.set_provenance("title", Provenance::new("crm:hubspot", at(2023), 0.9));
        new.attributes.insert("Owner", "Tomáš".into());
        vec![old, new]
    }

    #[test]
    fn keep_newest_and_most_complete() {
        let c = contacts();
        let m = merge_contacts(&c, &MergeStrategy::KeepNewest, "t")
            .unwrap()
            .unwrap();
        assert_eq!(m.survivor, c[1]);
        assert_eq!(m.tombstones[0].merged_into, Some(c[1].id));
        let m = merge_contacts(&c, &MergeStrategy::KeepMostComplete, "t")
            .unwrap()
            .unwrap();
        assert_eq!(m.survivor.id, c[1].id);
        assert!(
            merge_contacts(&c, &MergeStrategy::Skip, "t")
                .unwrap()
                .is_none()
        );
        assert!(
            merge_contacts(&c[..1], &MergeStrategy::KeepNewest, "t")
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn merge_fields_by_source_priority_then_recency() {
        let c = contacts();
        let linkedin_first = MergeStrategy::MergeFields {
            source_priority: vec!["import".into()],
        };
        let m = merge_contacts(&c, &linkedin_first, "t").unwrap().unwrap();
        assert_eq!(m.survivor.id, c[0].id, "oldest survives");
        assert_eq!(m.survivor.title.as_deref(), Some("Sales Manager"));
        assert_eq!(
            m.survivor.phone.as_deref(),
            Some("+420606352769"),
            "filled from the other"
        );
        assert_eq!(
            m.survivor.attributes.get("Owner").map(String::as_str),
            Some("Tomáš")
        );
        let by_recency = MergeStrategy::MergeFields {
            source_priority: vec![],
        };
        let m = merge_contacts(&c, &by_recency, "t").unwrap().unwrap();
        assert_eq!(m.survivor.title.as_deref(), Some("Head of Sales"));
        assert_eq!(&*m.survivor.provenance["title"].source, "crm:hubspot");
        assert!(m.survivor.updated_at > at(2024));
    }

    #[test]
    fn undo_restores_before_images_and_rejects_other_entries() {
        let c = contacts();
        let m = merge_contacts(
            &c,
            &MergeStrategy::MergeFields {
                source_priority: vec![],
            },
            "t",
        )
        .unwrap()
        .unwrap();
        let undo = undo_merge(&m.audit, "t").unwrap();
        assert_eq!(undo.contacts, c);
        assert_eq!(undo.audit.action, "unmerge");
        assert!(undo_merge(&AuditEntry::new("t", "import"), "t").is_err());
        let mut broken = m.audit.clone();
        broken.details = serde_json::json!({"kind": "contact"});
        assert!(undo_merge(&broken, "t").is_err());
    }

    #[test]
    fn companies_merge_registry_ids() {
        let mut a = Company::new("Acme s.r.o.");
        a.registry_ids.insert("cz:ico".into(), "28745612".into());
        let mut b = Company::new("ACME");
        b.domain = Some("acme.cz".into());
        let m = merge_companies(
            &[a.clone(), b],
            &MergeStrategy::MergeFields {
                source_priority: vec![],
            },
            "t",
        )
        .unwrap()
        .unwrap();
        assert_eq!(m.survivor.domain.as_deref(), Some("acme.cz"));
        assert_eq!(
            m.survivor.registry_ids.get("cz:ico").map(String::as_str),
            Some("28745612")
        );
        let undo = undo_merge(&m.audit, "t").unwrap();
        assert!(undo.companies.contains(&a));
    }
}
