//! Normalization: pure, table-driven functions that make fields comparable.
//!
//! Every normalizer keeps what it was given and returns a cleaned form beside it; the
//! tables (legal forms, titles, nicknames, countries, cities) are data files under
//! `data/normalize/`, compiled into the library and parsed once on first use.

pub mod company;
pub mod country;
pub mod email;
pub mod entity;
pub mod linkedin;
pub mod location;
pub mod person;
pub mod phone;
pub mod text;
pub mod title;
pub mod web;

#[cfg(test)]
mod test_data;

pub use company::{CompanyName, normalize_company_name, normalize_company_name_in};
pub use country::country_code;
pub use email::tidy_email;
pub use entity::{
    NormalizeCompanyStage, NormalizeContactStage, NormalizeOptions, NormalizeReport,
    normalize_company, normalize_company_with, normalize_contact, normalize_contact_with,
};
pub use linkedin::{LinkedInKind, LinkedInUrl, canonical_linkedin_url};
pub use location::{Location, parse_location, parse_location_in};
pub use person::{PersonName, nickname_canonical, parse_person_name, repair_capitalization};
pub use phone::{Phone, PhoneProblem, normalize_phone};
pub use title::{JobTitle, normalize_job_title};
pub use web::registrable_domain;
