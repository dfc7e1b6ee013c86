use super::*;
use crate::normalize::test_data::{read_csv, read_csv_lines};

type Parts = (
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

/// (input, (prefix, first, middle, last, suffix))
const CASES: &[(&str, Parts)] = &[
    (
        "John Smith",
        (None, Some("John"), None, Some("Smith"), None),
    ),
    (
        "  John   Smith ",
        (None, Some("John"), None, Some("Smith"), None),
    ),
    (
        "Smith, John",
        (None, Some("John"), None, Some("Smith"), None),
    ),
    (
        "Smith, John Paul",
        (None, Some("John"), Some("Paul"), Some("Smith"), None),
    ),
    (
        "Rodney K. Blevins",
        (None, Some("Rodney"), Some("K."), Some("Blevins"), None),
    ),
    (
        "Eugene Hong Wei Teo",
        (None, Some("Eugene"), Some("Hong Wei"), Some("Teo"), None),
    ),
    (
        "Jan van der Berg",
        (None, Some("Jan"), None, Some("van der Berg"), None),
    ),
    (
        "Ludwig van Beethoven",
        (None, Some("Ludwig"), None, Some("van Beethoven"), None),
    ),
    (
        "Ursula von der Leyen",
        (None, Some("Ursula"), None, Some("von der Leyen"), None),
    ),
    (
        "Juan de la Cruz",
        (None, Some("Juan"), None, Some("de la Cruz"), None),
    ),
    (
        "Margaux Le Gall",
        (None, Some("Margaux"), None, Some("Le Gall"), None),
    ),
    (
        "Tristan de Pereira",
        (None, Some("Tristan"), None, Some("de Pereira"), None),
    ),
    (
        "Patricia du Chartier",
        (None, Some("Patricia"), None, Some("du Chartier"), None),
    ),
    (
        "Van Morrison",
        (None, Some("Van"), None, Some("Morrison"), None),
    ),
    (
        "Dr. Jane Doe",
        (Some("Dr."), Some("Jane"), None, Some("Doe"), None),
    ),
    (
        "Ing. Jan Novák",
        (Some("Ing."), Some("Jan"), None, Some("Novák"), None),
    ),
    (
        "Ing. arch. veronika marková",
        (
            Some("Ing. arch."),
            Some("veronika"),
            None,
            Some("marková"),
            None,
        ),
    ),
    (
        "Mgr. Adéla Petrová",
        (Some("Mgr."), Some("Adéla"), None, Some("Petrová"), None),
    ),
    (
        "Prof. Dr. Hans Müller",
        (Some("Prof. Dr."), Some("Hans"), None, Some("Müller"), None),
    ),
    (
        "MUDr. Petr Svoboda, CSc.",
        (
            Some("MUDr."),
            Some("Petr"),
            None,
            Some("Svoboda"),
            Some("CSc."),
        ),
    ),
    (
        "Ing. Jana Nováková, Ph.D., MBA",
        (
            Some("Ing."),
            Some("Jana"),
            None,
            Some("Nováková"),
            Some("Ph.D., MBA"),
        ),
    ),
    (
        "Jana Nováková Ph.D.",
        (None, Some("Jana"), None, Some("Nováková"), Some("Ph.D.")),
    ),
    (
        "Martin Luther King Jr.",
        (
            None,
            Some("Martin"),
            Some("Luther"),
            Some("King"),
            Some("Jr."),
        ),
    ),
    (
        "John Smith, Jr.",
        (None, Some("John"), None, Some("Smith"), Some("Jr.")),
    ),
    (
        "William Gates III",
        (None, Some("William"), None, Some("Gates"), Some("III")),
    ),
    (
        "Sarah Connor MBA",
        (None, Some("Sarah"), None, Some("Connor"), Some("MBA")),
    ),
    ("Jack Ma", (None, Some("Jack"), None, Some("Ma"), None)),
    (
        "Jane Doe, MD",
        (None, Some("Jane"), None, Some("Doe"), Some("MD")),
    ),
    (
        "DUPONT Jean",
        (None, Some("Jean"), None, Some("DUPONT"), None),
    ),
    (
        "NOVÁK Jan Pavel",
        (None, Some("Jan"), Some("Pavel"), Some("NOVÁK"), None),
    ),
    (
        "JOHN SMITH",
        (None, Some("JOHN"), None, Some("SMITH"), None),
    ),
    (
        "Anne-Sophie Schneider",
        (None, Some("Anne-Sophie"), None, Some("Schneider"), None),
    ),
    ("Madonna", (None, Some("Madonna"), None, None, None)),
    ("Mr. Bean", (Some("Mr."), Some("Bean"), None, None, None)),
    ("Dr", (None, Some("Dr"), None, None, None)),
    (
        "Mgr.  Jarmila Kovářová ",
        (Some("Mgr."), Some("Jarmila"), None, Some("Kovářová"), None),
    ),
    ("", (None, None, None, None, None)),
    (" , ", (None, None, None, None, None)),
];

#[test]
fn table_of_cases() {
    for &(input, (prefix, first, middle, last, suffix)) in CASES {
        let n = parse_person_name(input);
        let got = (
            n.prefix.as_deref(),
            n.first.as_deref(),
            n.middle.as_deref(),
            n.last.as_deref(),
            n.suffix.as_deref(),
        );
        assert_eq!(got, (prefix, first, middle, last, suffix), "{input:?}");
    }
}

#[test]
fn nicknames_in_quotes() {
    let n = parse_person_name("Robert \"Bob\" Smith");
    assert_eq!(n.nickname.as_deref(), Some("Bob"));
    assert_eq!(
        (n.first.as_deref(), n.last.as_deref()),
        (Some("Robert"), Some("Smith"))
    );
    let n = parse_person_name("Jan (Honza) Novák");
    assert_eq!(n.nickname.as_deref(), Some("Honza"));
    assert_eq!(n.last.as_deref(), Some("Novák"));
}

const CAPITALIZATION: &[(&str, &str)] = &[
    ("JOHN", "John"),
    ("john", "John"),
    ("JOHN O'NEIL", "John O'Neil"),
    ("o'neil", "O'Neil"),
    ("mcdonald", "McDonald"),
    ("MCCARTHY", "McCarthy"),
    ("MACDONALD", "MacDonald"),
    ("MACHOVÁ", "Machová"),
    ("mack", "Mack"),
    ("ŠEVČÍKOVÁ", "Ševčíková"),
    ("dvořák", "Dvořák"),
    ("anne-sophie", "Anne-Sophie"),
    ("JEAN-LUC PICARD", "Jean-Luc Picard"),
    ("VAN DER BERG", "Van der Berg"),
    ("jan van der berg", "Jan van der Berg"),
    ("LE GALL", "Le Gall"),
    ("margaux le gall", "Margaux Le Gall"),
    ("WILLIAM GATES III", "William Gates III"),
    ("K.", "K."),
    ("j.r.", "J.R."),
    ("BJØRN", "Bjørn"),
    ("ÆRØ", "Ærø"),
    ("MÜLLER", "Müller"),
    ("mc", "Mc"),
    // Mixed case is kept as written.
    ("McDonald", "McDonald"),
    ("DeShawn", "DeShawn"),
    ("van Dijk", "van Dijk"),
    ("DUPONT Jean", "DUPONT Jean"),
    ("d'Artagnan", "d'Artagnan"),
    ("Mcconnell", "Mcconnell"),
    ("", ""),
    ("李", "李"),
];

#[test]
fn capitalization_table() {
    for &(input, want) in CAPITALIZATION {
        assert_eq!(repair_capitalization(input), want, "{input:?}");
    }
}

const NICKNAMES: &[(&str, Option<&str>)] = &[
    ("Bob", Some("Robert")),
    ("bobby", Some("Robert")),
    ("Rob", Some("Robert")),
    ("Robert", Some("Robert")),
    ("Bill", Some("William")),
    ("Will", Some("William")),
    ("Dick", Some("Richard")),
    ("Jim", Some("James")),
    ("Mike", Some("Michael")),
    ("Peggy", Some("Margaret")),
    ("Trish", Some("Patricia")),
    ("Honza", Some("Jan")),
    ("Jarda", Some("Jaroslav")),
    ("Standa", Some("Stanislav")),
    ("Zdenda", Some("Zdeněk")),
    ("Ondra", Some("Ondřej")),
    ("Vojta", Some("Vojtěch")),
    ("Tonda", Some("Antonín")),
    ("Láďa", Some("Ladislav")),
    ("lada", Some("Ladislav")),
    ("Katka", Some("Kateřina")),
    ("Bětka", Some("Alžběta")),
    ("Zuzka", Some("Zuzana")),
    ("Verča", Some("Veronika")),
    ("Jussi", Some("Juhani")),
    ("Hannes", Some("Johannes")),
    ("JB", Some("Jean-Baptiste")),
    ("JP", Some("Jean-Pierre")),
    ("Seb", Some("Sébastien")),
    ("Guigui", Some("Guillaume")),
    ("Wolf", Some("Wolfgang")),
    ("Zebulon", None),
    ("", None),
];

#[test]
fn nickname_table() {
    for &(input, want) in NICKNAMES {
        assert_eq!(nickname_canonical(input), want, "{input:?}");
    }
    assert!(given_name_candidates("Chris").len() >= 4);
    assert!(same_given_name("Míša", "Michaela"));
    assert!(same_given_name("Misa", "Michal"));
    assert!(same_given_name("Jean Baptiste", "Jean-Baptiste"));
    assert!(!same_given_name("", ""));
}

/// Every nickname the sample data uses leads back to the person's given name.
#[test]
fn truth_nicknames_match_their_given_names() {
    let rows = read_csv("truth_contact_entities.csv");
    let mut misses = Vec::new();
    let mut total = 0;
    for row in rows.iter().filter(|r| !r["nickname"].is_empty()) {
        total += 1;
        if !same_given_name(&row["nickname"], &row["first_name"]) {
            misses.push((row["nickname"].clone(), row["first_name"].clone()));
        }
    }
    assert!(total > 400);
    assert!(misses.is_empty(), "{misses:?}");
}

/// The one-column names of the semicolon team file split into the truth's first
/// and last names (compared folded, so dropped diacritics and capitals do not count).
#[test]
fn team_file_full_names_split_like_the_truth() {
    let truth = read_csv("truth_contact_entities.csv");
    let person: std::collections::HashMap<&str, &std::collections::HashMap<String, String>> =
        truth.iter().map(|r| (r["entity_id"].as_str(), r)).collect();
    let rows = read_csv("truth_contacts.csv");
    let entity_of: std::collections::HashMap<usize, (&str, &str)> = rows
        .iter()
        .filter(|r| r["file"] == "team_contacts_semicolon.csv" && r["row_status"] == "ok")
        .map(|r| {
            (
                r["row_number"].parse().unwrap(),
                (r["entity_id"].as_str(), r["variations"].as_str()),
            )
        })
        .collect();
    let (mut total, mut same) = (0, 0);
    let mut misses = Vec::new();
    for (line, row) in read_csv_lines("team_contacts_semicolon.csv", b';') {
        let Some((entity, variations)) = entity_of.get(&line) else {
            continue;
        };
        // Swapped or surname-first names without capitals cannot be told apart
        // without a table of given names; dedup compares them both ways.
        if variations.contains("swap_names") || variations.contains("surname_first") {
            continue;
        }
        let p = person[entity];
        let n = parse_person_name(&row["Kontakt"]);
        total += 1;
        let first_ok = n.first.as_deref().map(fold) == Some(fold(&p["first_name"]))
            || same_given_name(n.first.as_deref().unwrap_or(""), &p["first_name"]);
        let last_ok = n.last.as_deref().map(fold) == Some(fold(&p["last_name"]));
        if first_ok && last_ok {
            same += 1;
        } else {
            misses.push((
                row["Kontakt"].clone(),
                n.first,
                n.last,
                p["first_name"].clone(),
                p["last_name"].clone(),
            ));
        }
    }
    assert!(total > 150, "{total}");
    // What remains: typos in the surname and Singapore name orders.
    assert!(
        same as f64 / total as f64 >= 0.9,
        "{same}/{total} {misses:?}"
    );
}
