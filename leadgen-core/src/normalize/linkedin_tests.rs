use super::*;
use crate::normalize::test_data::{read_csv, read_csv_lines};
use LinkedInKind as K;

const P: &str = "https://www.linkedin.com/in/jana-novakova";

/// (input, kind, canonical url)
const CASES: &[(&str, Option<(LinkedInKind, &str)>)] = &[
    (
        "https://www.linkedin.com/in/jana-novakova",
        Some((K::Profile, P)),
    ),
    (
        "https://www.linkedin.com/in/jana-novakova/",
        Some((K::Profile, P)),
    ),
    (
        "http://www.linkedin.com/in/jana-novakova",
        Some((K::Profile, P)),
    ),
    (
        "https://linkedin.com/in/jana-novakova",
        Some((K::Profile, P)),
    ),
    ("linkedin.com/in/jana-novakova", Some((K::Profile, P))),
    ("www.linkedin.com/in/jana-novakova/", Some((K::Profile, P))),
    (
        "https://cz.linkedin.com/in/jana-novakova",
        Some((K::Profile, P)),
    ),
    (
        "https://uk.linkedin.com/in/jana-novakova/",
        Some((K::Profile, P)),
    ),
    (
        "https://m.linkedin.com/in/jana-novakova",
        Some((K::Profile, P)),
    ),
    (
        "HTTPS://WWW.LINKEDIN.COM/in/Jana-Novakova",
        Some((K::Profile, P)),
    ),
    (
        "https://www.linkedin.com/in/jana-novakova?originalSubdomain=cz",
        Some((K::Profile, P)),
    ),
    (
        "https://www.linkedin.com/in/jana-novakova/?trk=public_profile#about",
        Some((K::Profile, P)),
    ),
    (
        "https://www.linkedin.com/in/jana-novakova/details/experience/",
        Some((K::Profile, P)),
    ),
    (
        "https://www.linkedin.com/in/jana-novakova/en",
        Some((K::Profile, P)),
    ),
    (
        "  <https://www.linkedin.com/in/jana-novakova>  ",
        Some((K::Profile, P)),
    ),
    (
        "http://www.linkedin.com/in/daniela-slav%C3%ADkov%C3%A1-8ce2603e",
        Some((
            K::Profile,
            "https://www.linkedin.com/in/daniela-slavíková-8ce2603e",
        )),
    ),
    (
        "https://www.linkedin.com/in/Daniela-Slavíková-8ce2603e/",
        Some((
            K::Profile,
            "https://www.linkedin.com/in/daniela-slavíková-8ce2603e",
        )),
    ),
    (
        "https://www.linkedin.com/pub/finn-larsen/d3/380/45e",
        Some((
            K::LegacyProfile,
            "https://www.linkedin.com/pub/finn-larsen/d3/380/45e",
        )),
    ),
    (
        "http://no.linkedin.com/pub/Finn-Larsen/D3/380/45E/",
        Some((
            K::LegacyProfile,
            "https://www.linkedin.com/pub/finn-larsen/d3/380/45e",
        )),
    ),
    (
        "https://www.linkedin.com/in/ACwAACofYOx2PIvxITL7fy2CIgQ3719c5aAi9n4",
        Some((
            K::MemberProfile,
            "https://www.linkedin.com/in/ACwAACofYOx2PIvxITL7fy2CIgQ3719c5aAi9n4",
        )),
    ),
    (
        "https://www.linkedin.com/sales/lead/ACwAACofYOx2PIvxITL7fy2CIgQ3719c5aAi9n4,NAME_SEARCH,Ab12",
        Some((
            K::SalesNavigatorLead,
            "https://www.linkedin.com/sales/lead/ACwAACofYOx2PIvxITL7fy2CIgQ3719c5aAi9n4",
        )),
    ),
    (
        "https://www.linkedin.com/sales/people/ACwAACofYOx2PIvxITL7fy2CIgQ3719c5aAi9n4,name",
        Some((
            K::SalesNavigatorLead,
            "https://www.linkedin.com/sales/lead/ACwAACofYOx2PIvxITL7fy2CIgQ3719c5aAi9n4",
        )),
    ),
    (
        "https://www.linkedin.com/sales/company/1035",
        Some((
            K::SalesNavigatorCompany,
            "https://www.linkedin.com/sales/company/1035",
        )),
    ),
    (
        "https://www.linkedin.com/company/acme/",
        Some((K::Company, "https://www.linkedin.com/company/acme")),
    ),
    (
        "http://www.linkedin.com/company/Acme-s-r-o/about/",
        Some((K::Company, "https://www.linkedin.com/company/acme-s-r-o")),
    ),
    (
        "linkedin.com/company/61340695/",
        Some((K::CompanyId, "https://www.linkedin.com/company/61340695")),
    ),
    (
        "https://www.linkedin.com/company-beta/1035/",
        Some((K::CompanyId, "https://www.linkedin.com/company/1035")),
    ),
    (
        "https://www.linkedin.com/school/cvut/",
        Some((K::School, "https://www.linkedin.com/school/cvut")),
    ),
    (
        "https://www.linkedin.com/showcase/acme-cloud",
        Some((K::Showcase, "https://www.linkedin.com/showcase/acme-cloud")),
    ),
    ("https://www.linkedin.com/feed/", None),
    ("https://www.linkedin.com/in/", None),
    ("https://www.linkedin.com/pub/dir/jana/novakova", None),
    ("https://notlinkedin.com/in/jana-novakova", None),
    ("https://linkedin.com.evil.example/in/jana", None),
    ("linkedin@acme.de", None),
    ("jana-novakova", None),
    ("", None),
];

#[test]
fn table_of_cases() {
    for &(input, want) in CASES {
        let got = canonical_linkedin_url(input).map(|u| (u.kind, u.url));
        assert_eq!(got, want.map(|(k, u)| (k, u.to_string())), "{input:?}");
    }
}

/// The profile URLs of the team files, in every form the generator wrote them,
/// canonicalize to the truth's slug (or its member id / legacy path).
#[test]
fn team_file_profile_urls_give_the_truth_slug() {
    let people = read_csv("truth_contact_entities.csv");
    let person: std::collections::HashMap<&str, &std::collections::HashMap<String, String>> =
        people
            .iter()
            .map(|r| (r["entity_id"].as_str(), r))
            .collect();
    let truth = read_csv("truth_contacts.csv");
    let mut checked = 0;
    for (file, delimiter, column) in [
        ("team_contacts.csv", b',', "LinkedIn"),
        ("team_contacts_semicolon.csv", b';', "LinkedIn profil"),
        ("hubspot_contacts_export.csv", b',', "LinkedIn URL"),
        ("apollo_people_export.csv", b',', "Person Linkedin Url"),
        ("linkedin_connections.csv", b',', "URL"),
        ("team_contacts_bom_crlf.csv", b',', "Linked In"),
    ] {
        let entity: std::collections::HashMap<usize, &str> = truth
            .iter()
            .filter(|r| r["file"] == file && r["row_status"] == "ok")
            .map(|r| (r["row_number"].parse().unwrap(), r["entity_id"].as_str()))
            .collect();
        for (line, row) in read_csv_lines(file, delimiter) {
            let (Some(id), Some(raw)) = (entity.get(&line), row.get(column)) else {
                continue;
            };
            if raw.trim().is_empty() {
                continue;
            }
            let p = person[id];
            let got =
                canonical_linkedin_url(raw).unwrap_or_else(|| panic!("{file}:{line} {raw:?}"));
            let want = match got.kind {
                K::Profile => &p["linkedin_slug"],
                K::MemberProfile => &p["linkedin_member_id"],
                K::LegacyProfile => &p["linkedin_pub_path"],
                other => panic!("{file}:{line} {raw:?} is {other:?}"),
            };
            assert_eq!(&got.id, want, "{file}:{line} {raw:?}");
            checked += 1;
        }
    }
    assert!(checked > 1000, "{checked}");
}
