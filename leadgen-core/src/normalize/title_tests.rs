use super::*;
use crate::normalize::test_data::read_csv;
use Department as D;
use Seniority as S;

/// (input, normalized, seniority, department)
const CASES: &[(&str, &str, Option<Seniority>, Option<Department>)] = &[
    (
        "VP Sales",
        "Vice President of Sales",
        Some(S::Vp),
        Some(D::Sales),
    ),
    (
        "VP of Sales",
        "Vice President of Sales",
        Some(S::Vp),
        Some(D::Sales),
    ),
    (
        "Vice President, Sales",
        "Vice President of Sales",
        Some(S::Vp),
        Some(D::Sales),
    ),
    (
        "SVP Sales",
        "Senior Vice President of Sales",
        Some(S::Vp),
        Some(D::Sales),
    ),
    (
        "EVP, Marketing",
        "Executive Vice President of Marketing",
        Some(S::Vp),
        Some(D::Marketing),
    ),
    (
        "VP Engineering",
        "Vice President of Engineering",
        Some(S::Vp),
        Some(D::Engineering),
    ),
    (
        "CEO",
        "Chief Executive Officer",
        Some(S::CLevel),
        Some(D::Executive),
    ),
    (
        "CEO & Co-founder",
        "Chief Executive Officer & Co-founder",
        Some(S::CLevel),
        Some(D::Executive),
    ),
    (
        "Co-founder & CTO",
        "Co-founder & Chief Technology Officer",
        Some(S::CLevel),
        Some(D::Engineering),
    ),
    (
        "CFO",
        "Chief Financial Officer",
        Some(S::CLevel),
        Some(D::Finance),
    ),
    (
        "Co-Founder",
        "Co-Founder",
        Some(S::Owner),
        Some(D::Executive),
    ),
    ("Owner", "Owner", Some(S::Owner), Some(D::Executive)),
    (
        "Managing Partner",
        "Managing Partner",
        Some(S::Owner),
        Some(D::Executive),
    ),
    (
        "MD",
        "Managing Director",
        Some(S::Director),
        Some(D::Executive),
    ),
    (
        "Country Manager",
        "Country Manager",
        Some(S::Director),
        Some(D::Executive),
    ),
    (
        "Sales Director",
        "Sales Director",
        Some(S::Head),
        Some(D::Sales),
    ),
    (
        "Dir. Marketing",
        "Director of Marketing",
        Some(S::Head),
        Some(D::Marketing),
    ),
    (
        "Head of Growth",
        "Head of Growth",
        Some(S::Head),
        Some(D::Marketing),
    ),
    (
        "Sr. SWE",
        "Senior Software Engineer",
        Some(S::Senior),
        Some(D::Engineering),
    ),
    (
        "Software Engineer III",
        "Software Engineer III",
        Some(S::Senior),
        Some(D::Engineering),
    ),
    (
        "SWE",
        "Software Engineer",
        Some(S::Entry),
        Some(D::Engineering),
    ),
    (
        "Eng Manager",
        "Engineering Manager",
        Some(S::Manager),
        Some(D::Engineering),
    ),
    (
        "Software Eng.",
        "Software Engineer",
        Some(S::Entry),
        Some(D::Engineering),
    ),
    (
        "Lead Data Engineer",
        "Lead Data Engineer",
        Some(S::Senior),
        Some(D::Engineering),
    ),
    (
        "Jr. Developer",
        "Junior Developer",
        Some(S::Entry),
        Some(D::Engineering),
    ),
    (
        "Sr. PM",
        "Senior Product Manager",
        Some(S::Manager),
        Some(D::Product),
    ),
    ("AE", "Account Executive", Some(S::Senior), Some(D::Sales)),
    (
        "SDR",
        "Sales Development Representative",
        Some(S::Entry),
        Some(D::Sales),
    ),
    (
        "KAM",
        "Key Account Manager",
        Some(S::Manager),
        Some(D::Sales),
    ),
    (
        "CSM",
        "Customer Success Manager",
        Some(S::Manager),
        Some(D::CustomerSuccess),
    ),
    (
        "HR Business Partner",
        "HR Business Partner",
        Some(S::Manager),
        Some(D::Hr),
    ),
    (
        "Mktg Mgr",
        "Marketing Manager",
        Some(S::Manager),
        Some(D::Marketing),
    ),
    (
        "Marketing Intern",
        "Marketing Intern",
        Some(S::Intern),
        Some(D::Marketing),
    ),
    (
        "Board Member",
        "Board Member",
        Some(S::Board),
        Some(D::Executive),
    ),
    ("Chairman", "Chairman", Some(S::Board), Some(D::Executive)),
    (
        "General Counsel",
        "General Counsel",
        Some(S::Entry),
        Some(D::Legal),
    ),
    (
        "Procurement Manager",
        "Procurement Manager",
        Some(S::Manager),
        Some(D::Operations),
    ),
    ("Head of IT", "Head of IT", Some(S::Head), Some(D::It)),
    // Czech
    ("Jednatel", "Jednatel", Some(S::CLevel), Some(D::Executive)),
    (
        "Jednatelka a CEO",
        "Jednatelka a Chief Executive Officer",
        Some(S::CLevel),
        Some(D::Executive),
    ),
    (
        "Obchodní ředitel",
        "Obchodní ředitel",
        Some(S::Head),
        Some(D::Sales),
    ),
    (
        "Finanční ředitelka",
        "Finanční ředitelka",
        Some(S::CLevel),
        Some(D::Finance),
    ),
    (
        "Ředitel pobočky",
        "Ředitel pobočky",
        Some(S::Director),
        Some(D::Executive),
    ),
    (
        "Vedoucí nákupu",
        "Vedoucí nákupu",
        Some(S::Manager),
        Some(D::Operations),
    ),
    (
        "Senior Java vývojář",
        "Senior Java vývojář",
        Some(S::Senior),
        Some(D::Engineering),
    ),
    (
        "Zakladatelka",
        "Zakladatelka",
        Some(S::Owner),
        Some(D::Executive),
    ),
    // German
    (
        "Geschäftsführer",
        "Geschäftsführer",
        Some(S::CLevel),
        Some(D::Executive),
    ),
    ("GF", "Geschäftsführer", Some(S::CLevel), Some(D::Executive)),
    (
        "Vertriebsleiter",
        "Vertriebsleiter",
        Some(S::Head),
        Some(D::Sales),
    ),
    (
        "Teamleiter Softwareentwicklung",
        "Teamleiter Softwareentwicklung",
        Some(S::Manager),
        Some(D::Engineering),
    ),
    ("Gründer", "Gründer", Some(S::Owner), Some(D::Executive)),
    (
        "Einkäufer",
        "Einkäufer",
        Some(S::Manager),
        Some(D::Operations),
    ),
    // French
    (
        "PDG",
        "Président-directeur général",
        Some(S::CLevel),
        Some(D::Executive),
    ),
    (
        "Directrice Générale",
        "Directrice Générale",
        Some(S::CLevel),
        Some(D::Executive),
    ),
    (
        "Directeur commercial",
        "Directeur commercial",
        Some(S::Head),
        Some(D::Sales),
    ),
    (
        "Chef de produit",
        "Chef de produit",
        Some(S::Manager),
        Some(D::Product),
    ),
    (
        "Responsable d'exploitation",
        "Responsable d'exploitation",
        Some(S::Manager),
        Some(D::Operations),
    ),
    (
        "Président du conseil d'administration",
        "Président du conseil d'administration",
        Some(S::Board),
        Some(D::Executive),
    ),
    // Norwegian
    (
        "Daglig leder",
        "Daglig leder",
        Some(S::CLevel),
        Some(D::Executive),
    ),
    (
        "Adm. dir.",
        "Administrerende direktør",
        Some(S::CLevel),
        Some(D::Executive),
    ),
    ("Salgssjef", "Salgssjef", Some(S::Head), Some(D::Sales)),
    (
        "Seniorutvikler",
        "Seniorutvikler",
        Some(S::Senior),
        Some(D::Engineering),
    ),
    (
        "Innkjøpssjef",
        "Innkjøpssjef",
        Some(S::Manager),
        Some(D::Operations),
    ),
    // Finnish
    (
        "Toimitusjohtaja",
        "Toimitusjohtaja",
        Some(S::CLevel),
        Some(D::Executive),
    ),
    ("TJ", "Toimitusjohtaja", Some(S::CLevel), Some(D::Executive)),
    (
        "Myyntipäällikkö",
        "Myyntipäällikkö",
        Some(S::Manager),
        Some(D::Sales),
    ),
    (
        "Markkinointijohtaja",
        "Markkinointijohtaja",
        Some(S::Head),
        Some(D::Marketing),
    ),
    (
        "Ohjelmistokehittäjä",
        "Ohjelmistokehittäjä",
        Some(S::Entry),
        Some(D::Engineering),
    ),
    // Tidy-up and nothing known
    (
        "  head   of  sales ",
        "head of sales",
        Some(S::Head),
        Some(D::Sales),
    ),
    ("Wizard", "Wizard", None, None),
    ("", "", None, None),
];

#[test]
fn table_of_cases() {
    for &(input, normalized, seniority, department) in CASES {
        let got = normalize_job_title(input);
        assert_eq!(got.normalized, normalized, "normalized {input:?}");
        assert_eq!(got.seniority, seniority, "seniority of {input:?}");
        assert_eq!(got.department, department, "department of {input:?}");
    }
}

/// Agreement with the sample data's canonical titles. The truth has no board
/// level (chairs and board members are `c_level` there) and no procurement
/// department here (operations); those are mapped before comparing. The rest of
/// the disagreements are listed in the failure message.
#[test]
fn agrees_with_the_truth_titles() {
    let rows = read_csv("truth_contact_entities.csv");
    let (mut s_ok, mut d_ok) = (0, 0);
    let mut misses = std::collections::BTreeMap::new();
    for row in &rows {
        let got = normalize_job_title(&row["title"]);
        let seniority = match got.seniority {
            Some(S::Board) => Some(S::CLevel),
            s => s,
        };
        let want_s = parse_seniority(&row["seniority"]);
        let want_d = match row["department"].as_str() {
            "procurement" => Some(D::Operations),
            d => parse_department(d),
        };
        if seniority == want_s {
            s_ok += 1;
        } else {
            misses.insert(
                row["title"].clone(),
                format!("{:?} want {}", got.seniority, row["seniority"]),
            );
        }
        if got.department == want_d {
            d_ok += 1;
        } else {
            misses.insert(
                row["title"].clone(),
                format!("{:?} want {}", got.department, row["department"]),
            );
        }
    }
    let n = rows.len() as f64;
    let (s_rate, d_rate) = (s_ok as f64 / n, d_ok as f64 / n);
    eprintln!("title agreement: seniority {s_rate:.3}, department {d_rate:.3} over {n} titles");
    assert!(
        s_rate >= 0.9 && d_rate >= 0.95,
        "seniority {s_rate:.3}, department {d_rate:.3}: {misses:#?}"
    );
}
