use super::*;
use crate::normalize::test_data::read_csv;

/// (input, country, display, legal form, key)
type Case = (
    &'static str,
    Option<&'static str>,
    &'static str,
    Option<&'static str>,
    &'static str,
);

const CASES: &[Case] = &[
    ("Google LLC", None, "Google", Some("LLC"), "google"),
    (
        "Golden Gateio L.L.C.",
        Some("US"),
        "Golden Gateio",
        Some("LLC"),
        "golden gateio",
    ),
    (
        "Blue Foods, Inc.",
        None,
        "Blue Foods",
        Some("Inc."),
        "blue foods",
    ),
    ("Acme Incorporated", None, "Acme", Some("Inc."), "acme"),
    (
        "SUMMITLY CORP.",
        None,
        "SUMMITLY",
        Some("Corp."),
        "summitly",
    ),
    (
        "Lone Star Software Corporation",
        None,
        "Lone Star Software",
        Some("Corp."),
        "lone star software",
    ),
    (
        "Bristol Ventures PLC",
        None,
        "Bristol Ventures",
        Some("PLC"),
        "bristol ventures",
    ),
    (
        "Highland Digital LLP",
        None,
        "Highland Digital",
        Some("LLP"),
        "highland digital",
    ),
    (
        "Abbey Energy Limited",
        None,
        "Abbey Energy",
        Some("Ltd"),
        "abbey energy",
    ),
    (
        "Kangaroo Mining Pty Ltd",
        Some("AU"),
        "Kangaroo Mining",
        Some("Pty Ltd"),
        "kangaroo mining",
    ),
    (
        "Infosys Pvt Ltd",
        Some("IN"),
        "Infosys",
        Some("Pvt. Ltd."),
        "infosys",
    ),
    (
        "Raffles Builders Pte Ltd.",
        None,
        "Raffles Builders",
        Some("Pte. Ltd."),
        "raffles builders",
    ),
    (
        "Golden Technologies PTE. LTD.",
        None,
        "Golden Technologies",
        Some("Pte. Ltd."),
        "golden technologies",
    ),
    (
        "Stahl Elektronik GmbH",
        None,
        "Stahl Elektronik",
        Some("GmbH"),
        "stahl elektronik",
    ),
    ("Bergdata Gmbh", None, "Bergdata", Some("GmbH"), "bergdata"),
    (
        "Hansa Energie GmbH & Co. KG",
        None,
        "Hansa Energie",
        Some("GmbH & Co. KG"),
        "hansa energie",
    ),
    (
        "Technik Maschinenbau GmbH & Co KG",
        None,
        "Technik Maschinenbau",
        Some("GmbH & Co. KG"),
        "technik maschinenbau",
    ),
    ("Süd Soft AG", None, "Süd Soft", Some("AG"), "sud soft"),
    (
        "Stein & Partner GmbH",
        None,
        "Stein & Partner",
        Some("GmbH"),
        "stein partner",
    ),
    (
        "Bastide Digital SAS",
        None,
        "Bastide Digital",
        Some("SAS"),
        "bastide digital",
    ),
    (
        "Azursoft S.A.R.L.",
        None,
        "Azursoft",
        Some("SARL"),
        "azursoft",
    ),
    (
        "Lutèce Transports SA",
        Some("FR"),
        "Lutèce Transports",
        Some("SA"),
        "lutece transports",
    ),
    ("Philips N.V.", None, "Philips", Some("NV"), "philips"),
    (
        "Booking Holdings B.V.",
        None,
        "Booking Holdings",
        Some("BV"),
        "booking holdings",
    ),
    ("Ferrari S.p.A.", None, "Ferrari", Some("S.p.A."), "ferrari"),
    (
        "Pasta Fresca Srl",
        Some("IT"),
        "Pasta Fresca",
        Some("S.r.l."),
        "pasta fresca",
    ),
    (
        "Construcciones García S.L.",
        None,
        "Construcciones García",
        Some("S.L."),
        "construcciones garcia",
    ),
    (
        "Vinhos do Porto, Lda.",
        None,
        "Vinhos do Porto",
        Some("Lda."),
        "vinhos do porto",
    ),
    (
        "Kowalski i Syn sp. z o.o.",
        None,
        "Kowalski i Syn",
        Some("sp. z o.o."),
        "kowalski syn",
    ),
    (
        "Dřevodesign s.r.o.",
        None,
        "Dřevodesign",
        Some("s.r.o."),
        "drevodesign",
    ),
    (
        "Info Plzeň s. r. o.",
        None,
        "Info Plzeň",
        Some("s.r.o."),
        "info plzen",
    ),
    (
        "Chemoing spol.s r.o.",
        None,
        "Chemoing",
        Some("spol. s r.o."),
        "chemoing",
    ),
    (
        "Energo Brno spol. s r.o.",
        None,
        "Energo Brno",
        Some("spol. s r.o."),
        "energo brno",
    ),
    (
        "Slavík a syn s.r.o.",
        None,
        "Slavík a syn",
        Some("s.r.o."),
        "slavik syn",
    ),
    (
        "TECHNO PROJEKT A.S.",
        Some("CZ"),
        "TECHNO PROJEKT",
        Some("a.s."),
        "techno projekt",
    ),
    (
        "Havngruppen A.S.",
        Some("NO"),
        "Havngruppen",
        Some("AS"),
        "havngruppen",
    ),
    (
        "Budapest Trade Kft.",
        None,
        "Budapest Trade",
        Some("Kft."),
        "budapest trade",
    ),
    (
        "Skogsolutions AS",
        None,
        "Skogsolutions",
        Some("AS"),
        "skogsolutions",
    ),
    (
        "Vestgruppen ASA",
        None,
        "Vestgruppen",
        Some("ASA"),
        "vestgruppen",
    ),
    ("Volvo AB (publ)", None, "Volvo", Some("AB (publ)"), "volvo"),
    ("Lego A/S", None, "Lego", Some("A/S"), "lego"),
    ("Hygge ApS", None, "Hygge", Some("ApS"), "hygge"),
    ("Lumi Labs Oy", None, "Lumi Labs", Some("Oy"), "lumi labs"),
    (
        "Rakennus Puustinen Oyj",
        None,
        "Rakennus Puustinen",
        Some("Oyj"),
        "rakennus puustinen",
    ),
    (
        "Oy Rauta Media Ab",
        None,
        "Rauta Media",
        Some("Oy Ab"),
        "rauta media",
    ),
    (
        "Savonpuu OY AB",
        None,
        "Savonpuu",
        Some("Oy Ab"),
        "savonpuu",
    ),
    (
        "Tallinn Code OÜ",
        None,
        "Tallinn Code",
        Some("OÜ"),
        "tallinn code",
    ),
    ("The Acme Group", None, "The Acme Group", None, "acme group"),
    (
        "Burnett & Co LLC",
        None,
        "Burnett & Co",
        Some("LLC"),
        "burnett co",
    ),
    ("Knowles & Co", None, "Knowles & Co", None, "knowles co"),
    (
        "Johnson and Johnson",
        None,
        "Johnson and Johnson",
        None,
        "johnson johnson",
    ),
    ("AG", None, "AG", None, "ag"),
    (
        "  Ardèche\u{a0}Industrie   SAS ",
        None,
        "Ardèche Industrie",
        Some("SAS"),
        "ardeche industrie",
    ),
    ("", None, "", None, ""),
    ("Яндекс ООО", None, "Яндекс", Some("OOO"), "iandeks"),
];

#[test]
fn table_of_cases() {
    for &(input, country, display, legal_form, key) in CASES {
        let got = normalize_company_name_in(input, country);
        assert_eq!(got.display, display, "display of {input:?}");
        assert_eq!(
            got.legal_form.as_deref(),
            legal_form,
            "legal form of {input:?}"
        );
        assert_eq!(got.key, key, "key of {input:?}");
    }
}

#[test]
fn covers_the_required_jurisdictions() {
    for country in [
        "US", "GB", "IE", "CA", "AU", "NZ", "IN", "SG", "DE", "AT", "CH", "FR", "BE", "NL", "LU",
        "IT", "ES", "PT", "PL", "CZ", "SK", "HU", "NO", "SE", "DK", "FI", "EE",
    ] {
        let any = LEGAL_FORMS
            .forms
            .iter()
            .any(|f| f.countries.contains(&country));
        assert!(any, "no legal form for {country}");
    }
}

#[test]
fn tokens_and_compact_key() {
    let n = normalize_company_name("Kovo Print a.s.");
    assert_eq!(n.tokens, ["kovo", "print"]);
    assert_eq!(
        n.compact_key(),
        normalize_company_name("Kovoprint").compact_key()
    );
}

/// Every canonical company of the sample data splits into the truth's name without
/// legal form and legal form.
#[test]
fn truth_company_entities_split_exactly() {
    let rows = read_csv("truth_company_entities.csv");
    let mut wrong = Vec::new();
    for row in &rows {
        let got = normalize_company_name_in(&row["name"], Some(&row["country"]));
        if got.display != row["name_without_legal_form"]
            || got.legal_form.as_deref().unwrap_or("") != row["legal_form"]
        {
            wrong.push((row["name"].clone(), got.display, got.legal_form));
        }
    }
    assert!(rows.len() > 300);
    assert!(
        wrong.is_empty(),
        "{} of {} wrong: {wrong:?}",
        wrong.len(),
        rows.len()
    );
}

/// The messy company names of companies.csv get the key of their canonical entity.
#[test]
fn messy_company_rows_meet_their_entity_key() {
    let truth = read_csv("truth_company_entities.csv");
    let key_of: HashMap<&str, String> = truth
        .iter()
        .map(|r| {
            (
                r["entity_id"].as_str(),
                normalize_company_name(&r["name"]).compact_key(),
            )
        })
        .collect();
    let rows = read_csv("truth_companies.csv");
    let companies = read_csv("companies.csv");
    let mut total = 0;
    let mut same = 0;
    let mut misses = Vec::new();
    for row in rows.iter().filter(|r| r["file"] == "companies.csv") {
        let line: usize = row["row_number"].parse().unwrap();
        let input = &companies[line - 2]["Company"];
        let got = normalize_company_name(input).compact_key();
        total += 1;
        if key_of[row["entity_id"].as_str()] == got {
            same += 1;
        } else {
            misses.push(input.clone());
        }
    }
    let rate = same as f64 / total as f64;
    assert!(total >= 400, "{total}");
    // The misses are other spellings of the name itself (Südsoft / Süd Soft,
    // Établissements …), which are the dedup engine's to match.
    assert!(rate >= 0.95, "{same}/{total}: {misses:?}");
}
