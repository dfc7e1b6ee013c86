//! LinkedIn URLs: one canonical form per profile, company or Sales Navigator lead.
//!
//! Handled: `http`/`https`, with or without `www.`, country and mobile subdomains
//! (`cz.linkedin.com`, `m.linkedin.com`), query strings and fragments, trailing
//! slashes and extra path parts (`/details/experience/`, `/en`), percent-encoded
//! Unicode slugs (`daniela-slav%C3%ADkov%C3%A1` → `daniela-slavíková`), the legacy
//! `/pub/name/x/y/z` form, member-id profile URLs (`/in/ACwAA…`) and company ids.
//!
//! Choices: vanity slugs are lower-cased and percent-decoded (LinkedIn treats them
//! case-insensitively; the canonical URL is an IRI with the Unicode slug, as
//! LinkedIn shows it). Member ids keep their case (they are case-sensitive).
//! Sales Navigator URLs (`/sales/lead/…`, `/sales/people/…`) are not public
//! profiles: they get their own [`LinkedInKind`] so they are never stored or
//! compared as one, and their search-context suffix (`,NAME_SEARCH,xxxx`) is dropped.

use percent_encoding::percent_decode_str;

/// What a LinkedIn URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LinkedInKind {
    /// A public profile by its vanity slug (`/in/jana-novakova`).
    Profile,
    /// A profile by member id (`/in/ACwAA…`), as tools export it.
    MemberProfile,
    /// A legacy public profile (`/pub/jana-novakova/1a/2b3/4c5`).
    LegacyProfile,
    /// A company page by its slug (`/company/acme`).
    Company,
    /// A company page by its numeric id (`/company/12345`).
    CompanyId,
    /// A school page.
    School,
    /// A showcase page.
    Showcase,
    /// A Sales Navigator lead (`/sales/lead/ACwAA…`, `/sales/people/…`): not a public
    /// profile URL.
    SalesNavigatorLead,
    /// A Sales Navigator account (`/sales/company/…`).
    SalesNavigatorCompany,
}

impl LinkedInKind {
    /// Whether the URL is a person's profile anyone can open (not Sales Navigator).
    pub fn is_public_profile(self) -> bool {
        matches!(
            self,
            LinkedInKind::Profile | LinkedInKind::MemberProfile | LinkedInKind::LegacyProfile
        )
    }

    /// Whether the URL is a company, school or showcase page (not Sales Navigator).
    pub fn is_company(self) -> bool {
        matches!(
            self,
            LinkedInKind::Company
                | LinkedInKind::CompanyId
                | LinkedInKind::School
                | LinkedInKind::Showcase
        )
    }
}

/// A canonical LinkedIn URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LinkedInUrl {
    /// What it points at.
    pub kind: LinkedInKind,
    /// The slug or id (`jana-novakova`, `12345`, `ACwAA…`, `jana-novakova/1a/2b3/4c5`).
    pub id: String,
    /// The canonical URL (`https://www.linkedin.com/in/jana-novakova`).
    pub url: String,
}

/// Whether an `/in/` segment is a member id rather than a vanity slug.
fn is_member_id(s: &str) -> bool {
    (s.starts_with("ACo") || s.starts_with("ACw") || s.starts_with("AEM"))
        && s.len() >= 20
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
}

fn decode(segment: &str) -> String {
    percent_decode_str(segment)
        .decode_utf8()
        .map(|s| s.into_owned())
        .unwrap_or_else(|_| segment.to_string())
}

fn valid_slug(s: &str) -> bool {
    !s.is_empty()
        && !s
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '@'))
}

/// Canonicalizes a LinkedIn profile, company or Sales Navigator URL; `None` for
/// anything else (other hosts, feed or search pages, empty text).
///
/// ```
/// use leadgen_core::normalize::{canonical_linkedin_url, linkedin::LinkedInKind};
/// let p = canonical_linkedin_url("http://cz.linkedin.com/in/Daniela-Slav%C3%ADkov%C3%A1-8ce2603e/?trk=x").unwrap();
/// assert_eq!(p.kind, LinkedInKind::Profile);
/// assert_eq!(p.url, "https://www.linkedin.com/in/daniela-slavíková-8ce2603e");
///
/// let lead = canonical_linkedin_url("https://www.linkedin.com/sales/lead/ACwAAB1234567890abcdefgh,NAME_SEARCH,x1Yz").unwrap();
/// assert_eq!(lead.kind, LinkedInKind::SalesNavigatorLead);
/// assert!(!lead.kind.is_public_profile());
/// ```
pub fn canonical_linkedin_url(input: &str) -> Option<LinkedInUrl> {
    let s = input
        .trim_matches(|c: char| super::text::is_space(c) || matches!(c, '<' | '>' | '"' | '\''));
    let lower = s.to_ascii_lowercase();
    let start = ["https://", "http://", "//"]
        .iter()
        .find(|p| lower.starts_with(*p))
        .map_or(0, |p| p.len());
    let rest = &s[start..];
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = rest[..host_end].to_ascii_lowercase();
    let host = host
        .split(':')
        .next()
        .unwrap_or_default()
        .trim_end_matches('.');
    if host != "linkedin.com" && !host.ends_with(".linkedin.com") {
        return None;
    }
    let path = rest[host_end..]
        .split(['?', '#'])
        .next()
        .unwrap_or_default();
    let segments: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let first = segments.first()?.to_ascii_lowercase();
    let second = segments.get(1).map(|s| decode(s));

    let (kind, id) = match first.as_str() {
        "in" => {
            let slug = second?;
            if is_member_id(&slug) {
                (LinkedInKind::MemberProfile, slug)
            } else {
                (LinkedInKind::Profile, slug.to_lowercase())
            }
        }
        "pub" if segments.len() >= 5 && second.as_deref() != Some("dir") => {
            let parts: Vec<String> = segments[1..5]
                .iter()
                .map(|s| decode(s).to_lowercase())
                .collect();
            (LinkedInKind::LegacyProfile, parts.join("/"))
        }
        "company" | "company-beta" => {
            let slug = second?.to_lowercase();
            if slug.chars().all(|c| c.is_ascii_digit()) {
                (LinkedInKind::CompanyId, slug)
            } else {
                (LinkedInKind::Company, slug)
            }
        }
        "school" => (LinkedInKind::School, second?.to_lowercase()),
        "showcase" => (LinkedInKind::Showcase, second?.to_lowercase()),
        "sales" => {
            let what = second?.to_ascii_lowercase();
            let id = decode(segments.get(2)?);
            let id = id.split(',').next().unwrap_or_default().to_string();
            match what.as_str() {
                "lead" | "people" => (LinkedInKind::SalesNavigatorLead, id),
                "company" | "account" | "accounts" => (LinkedInKind::SalesNavigatorCompany, id),
                _ => return None,
            }
        }
        _ => return None,
    };
    if !valid_slug(&id) {
        return None;
    }
    let prefix = match kind {
        LinkedInKind::Profile | LinkedInKind::MemberProfile => "in",
        LinkedInKind::LegacyProfile => "pub",
        LinkedInKind::Company | LinkedInKind::CompanyId => "company",
        LinkedInKind::School => "school",
        LinkedInKind::Showcase => "showcase",
        LinkedInKind::SalesNavigatorLead => "sales/lead",
        LinkedInKind::SalesNavigatorCompany => "sales/company",
    };
    Some(LinkedInUrl {
        kind,
        url: format!("https://www.linkedin.com/{prefix}/{id}"),
        id,
    })
}

#[cfg(test)]
#[path = "linkedin_tests.rs"]
mod tests;
