use super::*;
use crate::normalize::test_data::{read_csv, read_csv_lines};

/// (input, default country, E.164, valid)
const CASES: &[(&str, Option<&str>, Option<&str>, bool)] = &[
    ("+420 602 123 456", None, Some("+420602123456"), true),
    ("+420602123456", Some("DE"), Some("+420602123456"), true),
    ("602 123 456", Some("CZ"), Some("+420602123456"), true),
    ("602123456", Some("cz"), Some("+420602123456"), true),
    ("00420 606 793 583", None, Some("+420606793583"), true),
    ("00420 606 793 583", Some("GB"), Some("+420606793583"), true),
    ("420602123456", Some("CZ"), Some("+420602123456"), true),
    ("420602123456", None, Some("+420602123456"), true),
    ("+49 (0)1512 8377482", None, Some("+4915128377482"), true),
    ("0177/1425416", Some("DE"), Some("+491771425416"), true),
    ("+44 (0)20 7471 7013", None, Some("+442074717013"), true),
    ("07761 443087", Some("GB"), Some("+447761443087"), true),
    ("020 3000 5617", Some("GB"), Some("+442030005617"), true),
    ("+44 7948 793731", None, Some("+447948793731"), true),
    ("+1 (212) 607-7227", None, Some("+12126077227"), true),
    ("1-917-482-5434", Some("US"), Some("+19174825434"), true),
    ("(312) 902-2166", Some("US"), Some("+13129022166"), true),
    ("+47 97 33 59 56", None, Some("+4797335956"), true),
    ("90198914", Some("NO"), Some("+4790198914"), true),
    ("+358 50 603 2557", None, Some("+358506032557"), true),
    ("050 603 2557", Some("FI"), Some("+358506032557"), true),
    ("+33 1 33 19 77 58", None, Some("+33133197758"), true),
    ("01 78 37 13 00", Some("FR"), Some("+33178371300"), true),
    ("0033 588695426", Some("FR"), Some("+33588695426"), true),
    ("+65 6300 9300", None, Some("+6563009300"), true),
    ("97778511", Some("SG"), Some("+6597778511"), true),
    ("tel:+420602123456", None, Some("+420602123456"), true),
    (
        "+420 602 123 456 ext. 221",
        None,
        Some("+420602123456"),
        true,
    ),
    ("602 123 456", None, None, false),
    ("123", Some("CZ"), None, false),
    ("+420 123", None, None, false),
    ("+420 301 729 546", None, Some("+420301729546"), false),
    ("420301729546", Some("CZ"), Some("+420301729546"), false),
    ("+49 (0)151 8377482", None, Some("+491518377482"), false),
    ("n/a", Some("CZ"), None, false),
    ("", Some("CZ"), None, false),
    ("tel. linka 221", Some("CZ"), None, false),
];

#[test]
fn table_of_cases() {
    for &(input, country, want, valid) in CASES {
        let got = normalize_phone(input, country);
        assert_eq!(got.e164.as_deref(), want, "{input:?} in {country:?}");
        assert_eq!(
            got.raw,
            collapse_whitespace(input),
            "raw kept for {input:?}"
        );
        assert_eq!(got.is_valid(), valid, "validity of {input:?}");
    }
}

#[test]
fn problems_and_extension() {
    assert_eq!(
        normalize_phone("602 123 456", None).problem,
        Some(PhoneProblem::NoRegion)
    );
    assert_eq!(
        normalize_phone("123", Some("CZ")).problem,
        Some(PhoneProblem::Empty)
    );
    assert_eq!(
        normalize_phone("+420 123 45", None).problem,
        Some(PhoneProblem::Invalid)
    );
    assert_eq!(normalize_phone("+420 123 45", None).e164, None);
    let p = normalize_phone("+420 602 123 456 ext. 221", None);
    assert_eq!(p.extension.as_deref(), Some("221"));
    assert_eq!(p.country.as_deref(), Some("CZ"));
}

/// The phones of the team files, read with the person's country as default,
/// become the truth's E.164 numbers.
#[test]
fn team_file_phones_give_the_truth_numbers() {
    let people = read_csv("truth_contact_entities.csv");
    let person: std::collections::HashMap<&str, &std::collections::HashMap<String, String>> =
        people
            .iter()
            .map(|r| (r["entity_id"].as_str(), r))
            .collect();
    let truth = read_csv("truth_contacts.csv");
    let (mut checked, mut same) = (0, 0);
    let mut misses = Vec::new();
    for (file, delimiter, columns) in [
        ("team_contacts.csv", b',', &["Tel."][..]),
        ("team_contacts_semicolon.csv", b';', &["Tel.", "Mobil"][..]),
        (
            "hubspot_contacts_export.csv",
            b',',
            &["Phone Number", "Mobile Phone Number"][..],
        ),
    ] {
        let entity: std::collections::HashMap<usize, &str> = truth
            .iter()
            .filter(|r| r["file"] == file && r["row_status"] == "ok")
            .map(|r| (r["row_number"].parse().unwrap(), r["entity_id"].as_str()))
            .collect();
        for (line, row) in read_csv_lines(file, delimiter) {
            let Some(id) = entity.get(&line) else {
                continue;
            };
            let p = person[id];
            for column in columns {
                let raw = &row[*column];
                if raw.trim().is_empty() {
                    continue;
                }
                checked += 1;
                let got = normalize_phone(raw, Some(&p["country"]));
                let e164 = got.e164.as_deref().unwrap_or("");
                if e164 == p["mobile_e164"] || e164 == p["work_phone_e164"] {
                    same += 1;
                } else {
                    misses.push(format!(
                        "{file}:{line} {raw:?} {} -> {e164:?}",
                        p["country"]
                    ));
                }
            }
        }
    }
    assert!(checked > 500, "{checked}");
    assert!(
        same as f64 / checked as f64 >= 0.97,
        "{same}/{checked}: {misses:#?}"
    );
}
