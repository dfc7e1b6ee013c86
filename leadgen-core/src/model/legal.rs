//! The legal profile a national company register returns.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The legal status of a registered company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LegalStatus {
    /// Active.
    Active,
    /// Dissolved, struck off, deleted.
    Dissolved,
    /// In liquidation.
    InLiquidation,
    /// Bankrupt or in insolvency proceedings.
    Bankrupt,
    /// The register does not say, or says something leadgen does not map.
    Unknown,
}

/// A person with a role in the company (director, board member, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Director {
    /// Full name.
    pub name: String,
    /// Role as the register names it.
    pub role: String,
    /// Since when, if known.
    pub since: Option<NaiveDate>,
}

/// An industry classification code (NACE, NAF, TOL, SSIC…).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndustryCode {
    /// The scheme (`nace`, `naf`, `tol2008`, `ssic`).
    pub scheme: String,
    /// The code.
    pub code: String,
    /// Its label, if the register gives one.
    pub label: Option<String>,
}

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Address {
    /// Street and number.
    pub street: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Option<String>,
}

/// An amount of money.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Money {
    /// Amount in the currency's main unit.
    pub amount: f64,
    /// ISO 4217 currency code.
    pub currency: String,
}

/// What a national company register says about a company.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegalProfile {
    /// The register (`cz:ares`, `no:brreg`, `fi:prh`, `fr:recherche-entreprises`, `sg:acra`).
    pub registry: String,
    /// Registration number in that register.
    pub registration_number: String,
    /// Registered name.
    pub name: String,
    /// Legal form as the register names it.
    pub legal_form: Option<String>,
    /// Legal status.
    pub status: LegalStatus,
    /// Directors and other roles.
    pub directors: Vec<Director>,
    /// Registered capital.
    pub capital: Option<Money>,
    /// Industry codes.
    pub industry_codes: Vec<IndustryCode>,
    /// Registered address.
    pub registered_address: Option<Address>,
    /// Date of incorporation.
    pub incorporated_on: Option<NaiveDate>,
    /// How complete and consistent the record is, 0.0–1.0.
    pub credibility: f32,
}
