//! The domain model: tenants, companies, contacts, provenance, enrichment output.

pub mod company;
pub mod contact;
pub mod credits;
pub mod enrichment;
pub mod entity;
pub mod field_map;
pub mod ids;
pub mod legal;
pub mod provenance;
pub mod time;

pub use company::Company;
pub use contact::{Contact, Department, EmailStatus, Seniority};
pub use credits::Credits;
pub use enrichment::{Citation, EnrichmentResult};
pub use entity::{Entity, EntityKind, EntityRef};
pub use field_map::{Attributes, FieldMap, FieldName};
pub use ids::{CompanyId, ContactId, IdBlock, RunId, TenantId};
pub use legal::{Address, Director, IndustryCode, LegalProfile, LegalStatus, Money};
pub use provenance::{FieldProvenance, Provenance};
