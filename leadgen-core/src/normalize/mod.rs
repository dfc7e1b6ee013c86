//! Normalization: pure, table-driven functions that make fields comparable.
//!
//! Every normalizer keeps what it was given and returns a cleaned form beside it; the
//! tables (legal forms, titles, nicknames, countries, cities) are data files under
//! `data/normalize/`, compiled into the library and parsed once on first use.

pub mod company;
pub mod country;
pub mod location;
pub mod person;
pub mod text;
pub mod title;

#[cfg(test)]
mod test_data;

pub use company::{CompanyName, normalize_company_name, normalize_company_name_in};
pub use country::country_code;
pub use location::{Location, parse_location, parse_location_in};
pub use person::{PersonName, nickname_canonical, parse_person_name, repair_capitalization};
pub use title::{JobTitle, normalize_job_title};
