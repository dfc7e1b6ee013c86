//! Entities: the two kinds of record stages work on.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::company::Company;
use super::contact::Contact;
use super::ids::{CompanyId, ContactId};

/// The two entity kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// A [`Company`].
    Company,
    /// A [`Contact`].
    Contact,
}

impl EntityKind {
    /// `"company"` or `"contact"`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Company => "company",
            EntityKind::Contact => "contact",
        }
    }

    /// Parses `"company"` or `"contact"`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "company" => Some(EntityKind::Company),
            "contact" => Some(EntityKind::Contact),
            _ => None,
        }
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A reference to one entity: its kind and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EntityRef {
    /// Company or contact.
    pub kind: EntityKind,
    /// The entity's UUID.
    pub id: Uuid,
}

impl From<CompanyId> for EntityRef {
    fn from(id: CompanyId) -> Self {
        EntityRef {
            kind: EntityKind::Company,
            id: id.0,
        }
    }
}

impl From<ContactId> for EntityRef {
    fn from(id: ContactId) -> Self {
        EntityRef {
            kind: EntityKind::Contact,
            id: id.0,
        }
    }
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.id)
    }
}

/// A company or a contact, as handed to a stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Entity {
    /// A company.
    Company(Company),
    /// A contact.
    Contact(Contact),
}

impl Entity {
    /// The entity's kind.
    pub fn kind(&self) -> EntityKind {
        match self {
            Entity::Company(_) => EntityKind::Company,
            Entity::Contact(_) => EntityKind::Contact,
        }
    }

    /// A reference to this entity.
    pub fn entity_ref(&self) -> EntityRef {
        match self {
            Entity::Company(c) => c.id.into(),
            Entity::Contact(c) => c.id.into(),
        }
    }

    /// The ISO country code of the entity, if known.
    pub fn country(&self) -> Option<&str> {
        match self {
            Entity::Company(c) => c.country.as_deref(),
            Entity::Contact(c) => c.country.as_deref(),
        }
    }
}
