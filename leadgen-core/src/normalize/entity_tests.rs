use super::*;
use crate::normalize::test_data::read_csv;
use crate::{Department, Seniority};

fn at() -> NormalizeOptions {
    NormalizeOptions {
        default_country: None,
        now: DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc),
    }
}

fn messy_contact() -> Contact {
    let mut c = Contact::new();
    c.first_name = Some("Ing. JAN".into());
    c.last_name = Some("NOVÁK, Ph.D.".into());
    c.email = Some(" Jan.Novak@ACME.cz\u{200b}".into());
    c.title = Some("Sr. SWE".into());
    c.linkedin_url = Some("http://cz.linkedin.com/in/Jan-Nov%C3%A1k-1a2b3c4d/?trk=x".into());
    c.country = Some("Česká republika".into());
    c.location = Some("Praha 5".into());
    c.phone = Some("602 123 456 ::: +420 221 000 111".into());
    c
}

#[test]
fn contact_fields_are_normalized_with_provenance_and_raw_values_kept() {
    let mut c = messy_contact();
    let report = normalize_contact_with(&mut c, &at());
    assert_eq!(c.first_name.as_deref(), Some("Jan"));
    assert_eq!(c.last_name.as_deref(), Some("Novák"));
    assert_eq!(c.attributes["name_prefix"], "Ing.");
    assert_eq!(c.attributes["name_suffix"], "Ph.D.");
    assert_eq!(c.attributes["raw.first_name"], "Ing. JAN");
    assert_eq!(c.email.as_deref(), Some("jan.novak@acme.cz"));
    assert_eq!(
        c.normalized_title.as_deref(),
        Some("Senior Software Engineer")
    );
    assert_eq!(c.seniority, Some(Seniority::Senior));
    assert_eq!(c.department, Some(Department::Engineering));
    assert_eq!(
        c.title.as_deref(),
        Some("Sr. SWE"),
        "the title as given stays"
    );
    assert_eq!(
        c.linkedin_url.as_deref(),
        Some("https://www.linkedin.com/in/jan-novák-1a2b3c4d")
    );
    assert_eq!(c.country.as_deref(), Some("CZ"));
    assert_eq!(c.location.as_deref(), Some("Prague, CZ"));
    assert_eq!(c.phone.as_deref(), Some("+420602123456"));
    assert_eq!(c.attributes["phone_other"], "+420 221 000 111");
    assert_eq!(
        c.attributes["raw.phone"],
        "602 123 456 ::: +420 221 000 111"
    );
    for field in [
        "first_name",
        "email",
        "seniority",
        "phone",
        "country",
        "linkedin_url",
    ] {
        let p = &c.provenance[field];
        assert_eq!(&*p.source, SOURCE, "{field}");
        assert_eq!(p.observed_at, at().now, "{field}");
        assert!(report.changed.contains(&field), "{field} in {report:?}");
    }
    assert_eq!(c.updated_at, at().now);
    assert!(report.warnings.is_empty(), "{report:?}");
}

#[test]
fn normalizing_twice_changes_nothing_more() {
    let mut c = messy_contact();
    normalize_contact_with(&mut c, &at());
    let once = c.clone();
    let report = normalize_contact_with(&mut c, &at());
    assert!(!report.is_changed(), "{report:?}");
    assert_eq!(c, once);

    let mut co = Company::new("  TECHNO  PROJEKT A.S. ");
    co.country = Some("Czechia".into());
    co.website = Some("www.technoprojekt.cz".into());
    normalize_company_with(&mut co, &at());
    let once = co.clone();
    assert!(!normalize_company_with(&mut co, &at()).is_changed());
    assert_eq!(co, once);
}

#[test]
fn full_name_is_split_when_the_parts_are_missing() {
    let mut c = Contact::new();
    c.full_name = Some("DUPONT Jean-Luc".into());
    normalize_contact_with(&mut c, &at());
    assert_eq!(c.first_name.as_deref(), Some("Jean-Luc"));
    assert_eq!(c.last_name.as_deref(), Some("Dupont"));
    assert_eq!(c.full_name.as_deref(), Some("DUPONT Jean-Luc"));
    assert_eq!(&*c.provenance["last_name"].source, SOURCE);
}

#[test]
fn invalid_phone_is_flagged_not_dropped() {
    let mut c = Contact::new();
    c.phone = Some("tel. linka 221".into());
    c.country = Some("CZ".into());
    let report = normalize_contact_with(&mut c, &at());
    assert_eq!(c.phone.as_deref(), Some("tel. linka 221"));
    assert_eq!(c.attributes["phone_status"], "invalid");
    assert_eq!(report.warnings.len(), 1);

    // No country anywhere: the number cannot be read, and says so.
    let mut c = Contact::new();
    c.phone = Some("602 123 456".into());
    normalize_contact_with(&mut c, &at());
    assert_eq!(c.phone.as_deref(), Some("602 123 456"));
    assert_eq!(c.attributes["phone_status"], "no_region");

    // The company's country is the default region.
    let mut c = Contact::new();
    c.phone = Some("602 123 456".into());
    let mut acme = Company::new("Acme s.r.o.");
    acme.country = Some("CZ".into());
    let out = NormalizeContactStage
        .apply(&Entity::Contact(c), Some(&acme), at().now)
        .unwrap();
    let StageOutcome::Completed {
        updated: Some(e),
        cost,
        ..
    } = out
    else {
        panic!("{out:?}")
    };
    let Entity::Contact(c) = *e else { panic!() };
    assert_eq!(c.phone.as_deref(), Some("+420602123456"));
    assert_eq!(cost, Credits::ZERO);
}

#[test]
fn sales_navigator_url_is_not_kept_as_a_profile() {
    let mut c = Contact::new();
    let lead = "https://www.linkedin.com/sales/lead/ACwAACofYOx2PIvxITL7fy2CIgQ3719c5aAi9n4,NAME_SEARCH,Ab12";
    c.linkedin_url = Some(lead.into());
    normalize_contact_with(&mut c, &at());
    assert_eq!(c.linkedin_url, None);
    assert_eq!(c.attributes["raw.linkedin_url"], lead);
    assert_eq!(
        c.attributes["linkedin_sales_navigator_url"],
        "https://www.linkedin.com/sales/lead/ACwAACofYOx2PIvxITL7fy2CIgQ3719c5aAi9n4"
    );
}

#[test]
fn values_from_other_sources_are_not_overwritten_by_derived_ones() {
    let mut c = Contact::new();
    c.title = Some("VP Sales".into());
    c.seniority = Some(Seniority::CLevel);
    c.set_provenance("seniority", Provenance::new("import:apollo", at().now, 0.8));
    normalize_contact_with(&mut c, &at());
    assert_eq!(c.seniority, Some(Seniority::CLevel));
    assert_eq!(c.department, Some(Department::Sales));
    assert_eq!(&*c.provenance["seniority"].source, "import:apollo");
}

#[test]
fn derived_values_carry_the_confidence_of_their_source() {
    let mut c = Contact::new();
    c.title = Some("CFO".into());
    c.set_provenance("title", Provenance::new("import:team", at().now, 0.6));
    normalize_contact_with(&mut c, &at());
    assert_eq!(c.provenance["department"].confidence, 0.6);
}

#[test]
fn unknown_values_stay_with_a_warning() {
    let mut c = Contact::new();
    c.country = Some("Atlantis".into());
    c.linkedin_url = Some("https://example.com/jan".into());
    let report = normalize_contact_with(&mut c, &at());
    assert_eq!(c.country.as_deref(), Some("Atlantis"));
    assert_eq!(c.linkedin_url.as_deref(), Some("https://example.com/jan"));
    assert_eq!(report.warnings.len(), 2, "{report:?}");
    assert!(!report.is_changed());
}

#[test]
fn stage_outcomes() {
    let unchanged = Entity::Contact(Contact::new());
    let out = NormalizeContactStage
        .apply(&unchanged, None, at().now)
        .unwrap();
    let StageOutcome::Completed {
        updated, output, ..
    } = out
    else {
        panic!()
    };
    assert!(updated.is_none());
    assert_eq!(output["changed"], serde_json::json!([]));

    let wrong = NormalizeCompanyStage
        .apply(&unchanged, at().now)
        .unwrap_err();
    assert!(matches!(wrong, Error::InvalidInput { .. }), "{wrong:?}");

    assert_eq!(NormalizeContactStage.id(), "normalize_contact");
    assert_eq!(NormalizeCompanyStage.id(), "normalize_company");
    assert_eq!(NormalizeCompanyStage.entity_kind(), EntityKind::Company);
    assert!(!NormalizeCompanyStage.is_paid());
    assert_eq!(
        NormalizeContactStage.execution_mode(),
        crate::stage::ExecutionMode::Inline
    );
}

/// Every row of companies.csv, normalized as a company, gets its entity's domain,
/// legal form (when the row spells one) and country.
#[test]
fn sample_company_rows_normalize_to_their_entity() {
    let truth = read_csv("truth_company_entities.csv");
    let entity: std::collections::HashMap<&str, &std::collections::HashMap<String, String>> =
        truth.iter().map(|r| (r["entity_id"].as_str(), r)).collect();
    let companies = read_csv("companies.csv");
    let mut n = 0;
    for row in read_csv("truth_companies.csv")
        .iter()
        .filter(|r| r["file"] == "companies.csv")
    {
        let line: usize = row["row_number"].parse().unwrap();
        let input = &companies[line - 2];
        let want = entity[row["entity_id"].as_str()];
        let mut c = Company::new(input["Company"].clone());
        c.domain = Some(input["Domain"].clone()).filter(|s| !s.is_empty());
        c.website = Some(input["Website"].clone()).filter(|s| !s.is_empty());
        c.country = Some(input["Country"].clone());
        c.hq = Some(input["City"].clone()).filter(|s| !s.is_empty());
        c.linkedin_url = Some(input["LinkedIn"].clone()).filter(|s| !s.is_empty());
        let report = normalize_company_with(&mut c, &at());
        assert!(report.warnings.is_empty(), "{input:?}: {report:?}");
        assert_eq!(
            c.domain.as_deref(),
            Some(want["domain"].as_str()),
            "{input:?}"
        );
        assert_eq!(
            c.country.as_deref(),
            Some(want["country"].as_str()),
            "{input:?}"
        );
        // "legal_variant" rows spell another legal form on purpose (Oy Ab for Oy).
        if let Some(form) = c
            .legal_form
            .as_ref()
            .filter(|_| !row["variations"].contains("legal_variant"))
        {
            // "spol. s r.o." and "s.r.o." are two spellings of one Czech form.
            fn same(f: &str) -> &str {
                if f == "spol. s r.o." { "s.r.o." } else { f }
            }
            assert_eq!(same(form), same(&want["legal_form"]), "{input:?}");
        }
        if let Some(li) = &c.linkedin_url {
            assert!(li.starts_with("https://www.linkedin.com/company/"), "{li}");
        }
        n += 1;
    }
    assert_eq!(n, 400);
}
