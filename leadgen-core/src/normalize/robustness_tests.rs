use super::*;

/// Odd input of every kind goes through every normalizer without a panic.
#[test]
fn odd_input_never_panics() {
    let long = "Ab ".repeat(5_000);
    let inputs = [
        "",
        " ",
        ",",
        ",,,;;;",
        "....",
        "&",
        "()",
        "\"\"",
        "@",
        "@@",
        "://",
        "tel:",
        "tel:日本",
        "日本語の会社株式会社",
        "北京市",
        "Москва, Россия",
        "Иван Петров",
        "ООО Ромашка",
        "🙂🙂",
        "e\u{301}\u{301}",
        "\u{200b}\u{feff}",
        "\u{0}",
        "+",
        "+0",
        "00",
        "(0)",
        "https://",
        "http://linkedin.com",
        "linkedin.com/in/%E0%A4%A",
        "linkedin.com/sales/lead/",
        "Ing.",
        "Dr. Ph.D.",
        "Jr.",
        "van der",
        "O'",
        "Mc",
        "VP",
        "VP,",
        "Head of",
        "a.s.",
        "GmbH & Co. KG",
        long.as_str(),
    ];
    for s in inputs {
        let _ = normalize_company_name(s);
        let _ = normalize_company_name_in(s, Some("CZ"));
        let _ = parse_person_name(s);
        let _ = repair_capitalization(s);
        let _ = nickname_canonical(s);
        let _ = normalize_job_title(s);
        let _ = parse_location(s);
        let _ = country_code(s);
        let _ = registrable_domain(s);
        let _ = canonical_linkedin_url(s);
        let _ = normalize_phone(s, Some("CZ"));
        let _ = normalize_phone(s, None);
        let _ = tidy_email(s);
        let _ = person::strip_name_titles(s);
        let mut c = crate::Contact::new();
        c.full_name = Some(s.into());
        c.title = Some(s.into());
        c.phone = Some(s.into());
        c.location = Some(s.into());
        c.country = Some(s.into());
        c.linkedin_url = Some(s.into());
        c.email = Some(s.into());
        let _ = normalize_contact(&mut c);
        let mut co = crate::Company::new(s);
        co.website = Some(s.into());
        co.hq = Some(s.into());
        co.linkedin_url = Some(s.into());
        let _ = normalize_company(&mut co);
    }
}
