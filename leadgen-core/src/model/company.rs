//! A company (an account): the organisation contacts work at.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::field_map::{Attributes, FieldName};
use super::ids::CompanyId;
use super::provenance::{FieldProvenance, Provenance};

/// A company, as leadgen stores it.
///
/// ```
/// use leadgen_core::Company;
/// let mut acme = Company::new("Acme s.r.o.");
/// acme.domain = Some("acme.cz".into());
/// acme.country = Some("CZ".into());
/// acme.registry_ids.insert("cz:ico".into(), "28745612".into());
/// assert_eq!(acme.name, "Acme s.r.o.");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Company {
    /// Stable id.
    pub id: CompanyId,
    /// Display name as the source gave it ("Acme s.r.o.").
    pub name: String,
    /// The matching key of the name: legal form removed, folded ("acme").
    pub normalized_name: Option<String>,
    /// Legal form found in the name or the registry ("s.r.o.", "GmbH").
    pub legal_form: Option<String>,
    /// Registrable domain ("acme.cz").
    pub domain: Option<String>,
    /// Website URL as given.
    pub website: Option<String>,
    /// ISO 3166-1 alpha-2 country code of the HQ.
    pub country: Option<String>,
    /// Registry ids keyed by `country:register` (`cz:ico`, `no:orgnr`, `fi:ytunnus`,
    /// `fr:siren`, `sg:uen`).
    pub registry_ids: BTreeMap<String, String>,
    /// Industry label.
    pub industry: Option<String>,
    /// Size: employee count or band ("11-50").
    pub size: Option<String>,
    /// Headquarters location as text ("Prague, CZ").
    pub hq: Option<String>,
    /// Canonical LinkedIn company URL.
    pub linkedin_url: Option<String>,
    /// Columns the user had that map to no field, kept verbatim.
    pub attributes: Attributes,
    /// Where each field's value came from.
    pub provenance: FieldProvenance,
    /// When leadgen first stored the company.
    #[serde(serialize_with = "super::time::serialize")]
    pub created_at: DateTime<Utc>,
    /// When any field last changed.
    #[serde(serialize_with = "super::time::serialize")]
    pub updated_at: DateTime<Utc>,
    /// When an enrichment stage last ran for it.
    #[serde(serialize_with = "super::time::serialize_option")]
    pub last_enriched_at: Option<DateTime<Utc>>,
    /// Set when dedup merged this company into another: the record stays as a
    /// tombstone pointing to the survivor, left out of listings unless asked for.
    #[serde(default)]
    pub merged_into: Option<CompanyId>,
}

impl Company {
    /// A company with a fresh id, the given name and every other field empty.
    pub fn new(name: impl Into<String>) -> Self {
        Company::new_at(name, Utc::now())
    }

    /// A company with a fresh id and the given name, created (and updated) at `now`.
    ///
    /// Importers stamp every record of a file with one time: this skips a clock read
    /// per record.
    pub fn new_at(name: impl Into<String>, now: DateTime<Utc>) -> Self {
        Company::with_id_at(CompanyId::new(), name, now)
    }

    /// A company with the given id and name, created (and updated) at `now`.
    /// Importers take ids from an [`IdBlock`](crate::IdBlock).
    pub fn with_id_at(id: CompanyId, name: impl Into<String>, now: DateTime<Utc>) -> Self {
        Company {
            id,
            name: name.into(),
            normalized_name: None,
            legal_form: None,
            domain: None,
            website: None,
            country: None,
            registry_ids: BTreeMap::new(),
            industry: None,
            size: None,
            hq: None,
            linkedin_url: None,
            attributes: Attributes::new(),
            provenance: FieldProvenance::new(),
            created_at: now,
            updated_at: now,
            last_enriched_at: None,
            merged_into: None,
        }
    }

    /// Records where `field`'s value came from.
    pub fn set_provenance(&mut self, field: impl Into<FieldName>, provenance: Provenance) {
        self.provenance.insert(field, provenance);
    }
}
