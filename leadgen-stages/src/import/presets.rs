//! Presets for the exports small teams bring: LinkedIn Connections, Sales Navigator
//! (PhantomBuster's "Sales Navigator Search Export"), Apollo people, HubSpot contacts,
//! Google Contacts, and leadgen's own export. Detected from the headers; columns a
//! preset does not map are kept as attributes.

use serde::{Deserialize, Serialize};

use super::error::ImportError;
use super::mapping::Field;

/// A known export layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Preset {
    /// LinkedIn "Get a copy of your data" → Connections.csv.
    LinkedinConnections,
    /// LinkedIn Sales Navigator leads exported by PhantomBuster.
    SalesNavigator,
    /// Apollo.io people export.
    Apollo,
    /// HubSpot CRM contacts export.
    Hubspot,
    /// Google Contacts "Google CSV" (current and legacy layouts).
    GoogleContacts,
    /// leadgen's own export (CSV, XLSX or JSON Lines).
    Leadgen,
}

use Field as F;

const LINKEDIN: &[(&str, Field)] = &[
    ("First Name", F::FirstName),
    ("Last Name", F::LastName),
    ("URL", F::LinkedinUrl),
    ("Email Address", F::Email),
    ("Company", F::CompanyName),
    ("Position", F::Title),
];

const SALES_NAVIGATOR: &[(&str, Field)] = &[
    ("firstName", F::FirstName),
    ("lastName", F::LastName),
    ("fullName", F::FullName),
    ("companyName", F::CompanyName),
    ("title", F::Title),
    ("linkedInProfileUrl", F::LinkedinUrl),
    ("location", F::Location),
    ("industry", F::Industry),
    ("companyLocation", F::CompanyLocation),
    ("regularCompanyUrl", F::CompanyLinkedinUrl),
];

const APOLLO: &[(&str, Field)] = &[
    ("First Name", F::FirstName),
    ("Last Name", F::LastName),
    ("Title", F::Title),
    ("Company", F::CompanyName),
    ("Email", F::Email),
    ("First Phone", F::Phone),
    ("# Employees", F::CompanySize),
    ("Industry", F::Industry),
    ("Person Linkedin Url", F::LinkedinUrl),
    ("Website", F::CompanyWebsite),
    ("Company Linkedin Url", F::CompanyLinkedinUrl),
    ("City", F::City),
    ("Country", F::Country),
    ("Company City", F::CompanyLocation),
    ("Company Country", F::CompanyCountry),
];

const HUBSPOT: &[(&str, Field)] = &[
    ("First Name", F::FirstName),
    ("Last Name", F::LastName),
    ("Email", F::Email),
    ("Phone Number", F::Phone),
    ("Job Title", F::Title),
    ("Company Name", F::CompanyName),
    ("Website URL", F::CompanyWebsite),
    ("City", F::City),
    ("Country/Region", F::Country),
    ("LinkedIn URL", F::LinkedinUrl),
];

const GOOGLE: &[(&str, Field)] = &[
    ("First Name", F::FirstName),
    ("Last Name", F::LastName),
    ("Given Name", F::FirstName),
    ("Family Name", F::LastName),
    ("Name", F::FullName),
    ("Organization Name", F::CompanyName),
    ("Organization Title", F::Title),
    ("Organization 1 - Name", F::CompanyName),
    ("Organization 1 - Title", F::Title),
    ("E-mail 1 - Value", F::Email),
    ("Phone 1 - Value", F::Phone),
    ("Address 1 - City", F::City),
    ("Address 1 - Country", F::Country),
    ("Website 1 - Value", F::CompanyWebsite),
];

impl Preset {
    /// Every preset.
    pub const ALL: [Preset; 6] = [
        Preset::LinkedinConnections,
        Preset::SalesNavigator,
        Preset::Apollo,
        Preset::Hubspot,
        Preset::GoogleContacts,
        Preset::Leadgen,
    ];

    /// The preset's id (`linkedin_connections`, `sales_navigator`, `apollo`,
    /// `hubspot`, `google_contacts`, `leadgen`).
    pub fn id(self) -> &'static str {
        match self {
            Preset::LinkedinConnections => "linkedin_connections",
            Preset::SalesNavigator => "sales_navigator",
            Preset::Apollo => "apollo",
            Preset::Hubspot => "hubspot",
            Preset::GoogleContacts => "google_contacts",
            Preset::Leadgen => "leadgen",
        }
    }

    /// The `source` recorded on imported records (`import:apollo`).
    pub fn source(self) -> String {
        format!("import:{}", self.id())
    }

    /// Parses a preset id (a few aliases accepted: `linkedin`, `salesnav`, `google`).
    ///
    /// ```
    /// use leadgen_stages::import::Preset;
    /// assert_eq!(Preset::parse("salesnav").unwrap(), Preset::SalesNavigator);
    /// assert!(Preset::parse("salesforce").is_err());
    /// ```
    pub fn parse(name: &str) -> Result<Preset, ImportError> {
        let n = name.trim().to_ascii_lowercase().replace('-', "_");
        let found = match n.as_str() {
            "linkedin" | "linkedin_connections" | "connections" => Preset::LinkedinConnections,
            "sales_navigator" | "salesnav" | "salesnavigator" | "phantombuster" => {
                Preset::SalesNavigator
            }
            "apollo" | "apollo_people" => Preset::Apollo,
            "hubspot" | "hubspot_contacts" => Preset::Hubspot,
            "google" | "google_contacts" | "gmail" => Preset::GoogleContacts,
            "leadgen" => Preset::Leadgen,
            _ => {
                return Err(ImportError::UnknownPreset {
                    name: name.into(),
                    known: Preset::ALL.map(Preset::id).join(", "),
                });
            }
        };
        Ok(found)
    }

    /// Headers that identify the layout; all must be present (case-insensitive).
    fn signature(self) -> &'static [&'static str] {
        match self {
            Preset::LinkedinConnections => &[
                "First Name",
                "Last Name",
                "URL",
                "Company",
                "Position",
                "Connected On",
            ],
            Preset::SalesNavigator => &[
                "profileUrl",
                "fullName",
                "companyName",
                "vmid",
                "linkedInProfileUrl",
            ],
            Preset::Apollo => &[
                "Person Linkedin Url",
                "Company Name for Emails",
                "Email Status",
                "First Phone",
            ],
            Preset::Hubspot => &[
                "Record ID",
                "First Name",
                "Last Name",
                "Email",
                "Lifecycle Stage",
            ],
            Preset::GoogleContacts => &["E-mail 1 - Value"],
            // Detected by its snake_case field names instead (see `detect`).
            Preset::Leadgen => &["id"],
        }
    }

    fn columns(self) -> &'static [(&'static str, Field)] {
        match self {
            Preset::LinkedinConnections => LINKEDIN,
            Preset::SalesNavigator => SALES_NAVIGATOR,
            Preset::Apollo => APOLLO,
            Preset::Hubspot => HUBSPOT,
            Preset::GoogleContacts => GOOGLE,
            Preset::Leadgen => &[],
        }
    }

    /// The field a header maps to under this preset (`None`: kept as an attribute).
    pub fn field_for(self, header: &str) -> Option<Field> {
        let header = header.trim();
        if self == Preset::Leadgen {
            return Field::parse(header);
        }
        self.columns()
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(header))
            .map(|(_, f)| *f)
    }

    /// The preset whose signature the headers carry, if any.
    pub fn detect(headers: &[String]) -> Option<Preset> {
        let leadgen_fields = headers.iter().filter(|h| Field::parse(h).is_some()).count();
        if headers.iter().any(|h| h == "id") && leadgen_fields >= 3 {
            return Some(Preset::Leadgen);
        }
        Preset::ALL
            .into_iter()
            .filter(|p| *p != Preset::Leadgen)
            .find(|p| p.missing_headers(headers).is_empty())
    }

    /// Columns the preset drops: leadgen's own bookkeeping (ids, timestamps, derived
    /// values) is not imported back as data.
    pub fn ignores(self, header: &str) -> bool {
        self == Preset::Leadgen
            && matches!(
                header.trim(),
                "id" | "company_id"
                    | "created_at"
                    | "updated_at"
                    | "quality_score"
                    | "normalized_name"
                    | "legal_form"
            )
    }

    fn missing_headers(self, headers: &[String]) -> Vec<&'static str> {
        self.signature()
            .iter()
            .filter(|s| !headers.iter().any(|h| h.trim().eq_ignore_ascii_case(s)))
            .copied()
            .collect()
    }

    /// Checks that a forced preset fits the headers.
    pub fn check_headers(self, file: &str, headers: &[String]) -> Result<(), ImportError> {
        let missing = self.missing_headers(headers);
        if missing.is_empty() {
            Ok(())
        } else {
            Err(ImportError::PresetMismatch {
                file: file.into(),
                preset: self.id().into(),
                missing: missing.join(", "),
            })
        }
    }
}

impl std::fmt::Display for Preset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(list: &str) -> Vec<String> {
        list.split(',').map(String::from).collect()
    }

    #[test]
    fn detects_each_layout() {
        let cases = [
            (
                "First Name,Last Name,URL,Email Address,Company,Position,Connected On",
                Preset::LinkedinConnections,
            ),
            (
                "profileUrl,fullName,firstName,lastName,companyName,title,vmid,linkedInProfileUrl",
                Preset::SalesNavigator,
            ),
            (
                "First Name,Last Name,Company Name for Emails,Email,Email Status,First Phone,Person Linkedin Url",
                Preset::Apollo,
            ),
            (
                "Record ID,First Name,Last Name,Email,Lifecycle Stage",
                Preset::Hubspot,
            ),
            (
                "Name,Given Name,Family Name,E-mail 1 - Type,E-mail 1 - Value",
                Preset::GoogleContacts,
            ),
            (
                "id,first_name,last_name,email,email_status,linkedin_url",
                Preset::Leadgen,
            ),
        ];
        for (headers, want) in cases {
            assert_eq!(Preset::detect(&h(headers)), Some(want), "{headers}");
        }
        assert_eq!(Preset::detect(&h("Jméno,Příjmení,E-mail")), None);
    }

    #[test]
    fn forced_preset_must_fit() {
        let err = Preset::Apollo
            .check_headers("x.csv", &h("Jméno,E-mail"))
            .unwrap_err();
        assert!(err.to_string().contains("Person Linkedin Url"), "{err}");
    }
}
