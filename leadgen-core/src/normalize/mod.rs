//! Normalization: pure, table-driven functions that make fields comparable.
//!
//! Every normalizer keeps what it was given and returns a cleaned form beside it; the
//! tables (legal forms, titles, nicknames, countries, cities) are data files under
//! `data/normalize/`, compiled into the library and parsed once on first use
//! (`LazyLock`), so a call allocates little and runs no regular expression of ours.
//!
//! | field | function | module |
//! |---|---|---|
//! | company name → display, legal form, key, tokens | [`normalize_company_name`] | [`company`] |
//! | full name → prefix, first, middle, last, suffix | [`parse_person_name`] | [`person`] |
//! | `JOHN O'NEIL` → `John O'Neil` | [`repair_capitalization`] | [`person`] |
//! | `Bob` → `Robert` | [`nickname_canonical`], [`person::same_given_name`] | [`person`] |
//! | job title → expanded, seniority, department | [`normalize_job_title`] | [`title`] |
//! | "City, Region, Country" → city, region, ISO code | [`parse_location`] | [`location`] |
//! | country name or code → ISO alpha-2 | [`country_code`] | [`country`] |
//! | website / e-mail → registrable domain | [`registrable_domain`] | [`web`] |
//! | LinkedIn URL → canonical URL and kind | [`canonical_linkedin_url`] | [`linkedin`] |
//! | phone → E.164 | [`normalize_phone`] | [`phone`] |
//! | e-mail tidy-up | [`tidy_email`] | [`email`] |
//! | a whole [`Contact`](crate::Contact) / [`Company`](crate::Company) | [`normalize_contact`], [`normalize_company`] | [`entity`] |
//!
//! Each module's documentation says where it deliberately differs from the
//! well-known library for its job (cleanco, nameparser, libphonenumber, …).
//!
//! ```
//! use leadgen_core::normalize::{normalize_company_name, normalize_job_title, parse_location};
//! assert_eq!(normalize_company_name("Google LLC").display, "Google");
//! assert_eq!(normalize_job_title("VP Sales").normalized, "Vice President of Sales");
//! assert_eq!(parse_location("NYC").to_string(), "New York, NY, US");
//! ```

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
pub use person::{
    PersonName, given_name_candidates, nickname_canonical, parse_person_name,
    repair_capitalization, same_given_name,
};
pub use phone::{Phone, PhoneProblem, normalize_phone};
pub use title::{JobTitle, normalize_job_title};
pub use web::registrable_domain;

#[cfg(test)]
#[path = "robustness_tests.rs"]
mod robustness;
