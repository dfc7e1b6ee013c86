//! The syntax table: every rule of `email::syntax`, valid, invalid and normalized.

#![cfg(feature = "email")]

use leadgen_stages::email::syntax::{SyntaxErrorKind as K, SyntaxOptions, parse_address};

/// Which options a case runs with.
#[derive(Clone, Copy, Debug)]
enum Opt {
    Default,
    Quoted,
    Literal,
    AsciiOnly,
    SpecialUse,
}

impl Opt {
    fn options(self) -> SyntaxOptions {
        let d = SyntaxOptions::default();
        match self {
            Opt::Default => d,
            Opt::Quoted => d.with_quoted_local(true),
            Opt::Literal => d.with_domain_literal(true),
            Opt::AsciiOnly => d.with_smtputf8(false),
            Opt::SpecialUse => d.with_special_use_domains(true),
        }
    }
}

/// Expected outcome: the normalized address, or the rule broken.
enum Want {
    Ok(&'static str),
    Err(K),
}
use Want::{Err as E, Ok as N};

fn long(n: usize, c: char) -> String {
    std::iter::repeat_n(c, n).collect()
}

fn cases() -> Vec<(String, Opt, Want)> {
    let d = Opt::Default;
    let mut t: Vec<(String, Opt, Want)> = vec![
        // --- plain valid dot-atoms and normalization
        ("jana@acme.cz".into(), d, N("jana@acme.cz")),
        (
            "Jana.Novakova@acme.cz".into(),
            d,
            N("Jana.Novakova@acme.cz"),
        ),
        ("jana@ACME.CZ".into(), d, N("jana@acme.cz")),
        ("  jana@acme.cz  ".into(), d, N("jana@acme.cz")),
        ("\tjana@acme.cz\r\n".into(), d, N("jana@acme.cz")),
        ("a@b.co".into(), d, N("a@b.co")),
        (
            "first.last@sub.domain.acme.cz".into(),
            d,
            N("first.last@sub.domain.acme.cz"),
        ),
        ("user+tag@acme.cz".into(), d, N("user+tag@acme.cz")),
        (
            "user-name@acme-corp.cz".into(),
            d,
            N("user-name@acme-corp.cz"),
        ),
        ("user_name@acme.cz".into(), d, N("user_name@acme.cz")),
        ("o'brien@acme.ie".into(), d, N("o'brien@acme.ie")),
        (
            "x!#$%&'*+-/=?^_`{|}~@acme.cz".into(),
            d,
            N("x!#$%&'*+-/=?^_`{|}~@acme.cz"),
        ),
        ("1234567890@acme.cz".into(), d, N("1234567890@acme.cz")),
        ("jana@123acme.cz".into(), d, N("jana@123acme.cz")),
        ("jana@a1.b2.c3.cz".into(), d, N("jana@a1.b2.c3.cz")),
        ("jana@acme.co.uk".into(), d, N("jana@acme.co.uk")),
        ("jana@acme.technology".into(), d, N("jana@acme.technology")),
        ("JANA@Acme.Cz".into(), d, N("JANA@acme.cz")),
        ("j@x.io".into(), d, N("j@x.io")),
        ("jana@a-b-c.cz".into(), d, N("jana@a-b-c.cz")),
        ("jana@xn--pklad-zsa96e.cz".into(), d, N("jana@příklad.cz")),
        ("jana@XN--PKLAD-ZSA96E.CZ".into(), d, N("jana@příklad.cz")),
        // --- internationalized domains (IDNA 2008 / UTS-46)
        ("jana@příklad.cz".into(), d, N("jana@příklad.cz")),
        ("jana@PŘÍKLAD.CZ".into(), d, N("jana@příklad.cz")),
        ("user@bücher.de".into(), d, N("user@bücher.de")),
        ("user@münchen.de".into(), d, N("user@münchen.de")),
        ("user@例え.jp".into(), d, N("user@例え.jp")),
        ("user@пример.рф".into(), d, N("user@пример.рф")),
        ("user@ﬁnance.com".into(), d, N("user@finance.com")),
        ("user@ａｃｍｅ.cz".into(), d, N("user@acme.cz")),
        ("user@acme。cz".into(), d, N("user@acme.cz")),
        ("user@faß.de".into(), d, N("user@faß.de")),
        ("user@xn--mnchen-3ya.de".into(), d, N("user@münchen.de")),
        // --- internationalized local parts (SMTPUTF8)
        ("jürgen@acme.de".into(), d, N("jürgen@acme.de")),
        ("用户@例子.广告".into(), d, N("用户@例子.广告")),
        (
            "δοκιμή@παράδειγμα.δοκιμή".into(),
            d,
            N("δοκιμή@παράδειγμα.δοκιμή"),
        ),
        ("Ωmega@acme.gr".into(), d, N("Ωmega@acme.gr")),
        (
            "jürgen@acme.de".into(),
            Opt::AsciiOnly,
            E(K::SmtpUtf8NotAllowed),
        ),
        (
            "用户@acme.cn".into(),
            Opt::AsciiOnly,
            E(K::SmtpUtf8NotAllowed),
        ),
        (
            "ascii@bücher.de".into(),
            Opt::AsciiOnly,
            N("ascii@bücher.de"),
        ),
        // --- NFC normalization, then re-validation
        ("ju\u{0308}rgen@acme.de".into(), d, N("jürgen@acme.de")),
        ("jana@pr\u{030C}iklad.cz".into(), d, N("jana@přiklad.cz")),
        ("e\u{0301}@acme.fr".into(), d, N("é@acme.fr")),
        ("A\u{030A}sa@acme.se".into(), d, N("Åsa@acme.se")),
        ("\u{212B}sa@acme.se".into(), d, N("Åsa@acme.se")),
        // --- empty and missing parts
        ("".into(), d, E(K::Empty)),
        ("   ".into(), d, E(K::Empty)),
        ("jana".into(), d, E(K::NoAtSign)),
        ("jana.acme.cz".into(), d, E(K::NoAtSign)),
        ("@acme.cz".into(), d, E(K::EmptyLocalPart)),
        ("jana@".into(), d, E(K::EmptyDomain)),
        ("@".into(), d, E(K::EmptyLocalPart)),
        // --- dots in the local part
        (".jana@acme.cz".into(), d, E(K::LocalPartDots)),
        ("jana.@acme.cz".into(), d, E(K::LocalPartDots)),
        ("ja..na@acme.cz".into(), d, E(K::LocalPartDots)),
        ("...@acme.cz".into(), d, E(K::LocalPartDots)),
        // --- characters outside atext
        ("ja na@acme.cz".into(), d, E(K::LocalPartInvalidChar)),
        ("jana@@acme.cz".into(), d, E(K::LocalPartInvalidChar)),
        ("ja@na@acme.cz".into(), d, E(K::LocalPartInvalidChar)),
        ("ja(na)@acme.cz".into(), d, E(K::LocalPartInvalidChar)),
        ("ja,na@acme.cz".into(), d, E(K::LocalPartInvalidChar)),
        ("ja:na@acme.cz".into(), d, E(K::LocalPartInvalidChar)),
        ("ja;na@acme.cz".into(), d, E(K::LocalPartInvalidChar)),
        ("ja<na@acme.cz".into(), d, E(K::LocalPartInvalidChar)),
        ("ja>na@acme.cz".into(), d, E(K::LocalPartInvalidChar)),
        ("ja[na]@acme.cz".into(), d, E(K::LocalPartInvalidChar)),
        ("ja\\na@acme.cz".into(), d, E(K::LocalPartInvalidChar)),
        ("Jana <jana@acme.cz>".into(), d, E(K::LocalPartInvalidChar)),
        ("mailto:jana@acme.cz".into(), d, E(K::LocalPartInvalidChar)),
        // --- quoted local parts: rejected by default, accepted behind an option
        (
            "\"jana\"@acme.cz".into(),
            d,
            E(K::QuotedLocalPartNotAllowed),
        ),
        (
            "\"jana novak\"@acme.cz".into(),
            d,
            E(K::QuotedLocalPartNotAllowed),
        ),
        ("\"jana\"@acme.cz".into(), Opt::Quoted, N("jana@acme.cz")),
        (
            "\"jana novak\"@acme.cz".into(),
            Opt::Quoted,
            N("\"jana novak\"@acme.cz"),
        ),
        (
            "\"ja@na\"@acme.cz".into(),
            Opt::Quoted,
            N("\"ja@na\"@acme.cz"),
        ),
        (
            "\"ja\\\"na\"@acme.cz".into(),
            Opt::Quoted,
            N("\"ja\\\"na\"@acme.cz"),
        ),
        ("\"ja\\na\"@acme.cz".into(), Opt::Quoted, N("jana@acme.cz")),
        ("\"..\"@acme.cz".into(), Opt::Quoted, N("\"..\"@acme.cz")),
        ("\"\"@acme.cz".into(), Opt::Quoted, N("\"\"@acme.cz")),
        (
            "\"jana@acme.cz".into(),
            Opt::Quoted,
            E(K::QuotedLocalPartInvalid),
        ),
        (
            "\"ja\"na\"@acme.cz".into(),
            Opt::Quoted,
            E(K::QuotedLocalPartInvalid),
        ),
        (
            "\"jana\\\"@acme.cz".into(),
            Opt::Quoted,
            E(K::QuotedLocalPartInvalid),
        ),
        ("\"".into(), Opt::Quoted, E(K::NoAtSign)),
        // --- domain literals: rejected by default, accepted behind an option
        ("jana@[192.0.2.1]".into(), d, E(K::DomainLiteralNotAllowed)),
        (
            "jana@[IPv6:2001:db8::1]".into(),
            d,
            E(K::DomainLiteralNotAllowed),
        ),
        (
            "jana@[192.0.2.1]".into(),
            Opt::Literal,
            N("jana@[192.0.2.1]"),
        ),
        (
            "jana@[IPv6:2001:DB8::1]".into(),
            Opt::Literal,
            N("jana@[IPv6:2001:db8::1]"),
        ),
        (
            "jana@[IPv6:2001:db8:0:0:0:0:0:1]".into(),
            Opt::Literal,
            N("jana@[IPv6:2001:db8::1]"),
        ),
        (
            "jana@[300.0.2.1]".into(),
            Opt::Literal,
            E(K::DomainLiteralInvalid),
        ),
        (
            "jana@[192.0.2]".into(),
            Opt::Literal,
            E(K::DomainLiteralInvalid),
        ),
        (
            "jana@[192.0.2.1".into(),
            Opt::Literal,
            E(K::DomainLiteralInvalid),
        ),
        (
            "jana@[IPv6:zz::1]".into(),
            Opt::Literal,
            E(K::DomainLiteralInvalid),
        ),
        (
            "jana@[2001:db8::1]".into(),
            Opt::Literal,
            E(K::DomainLiteralInvalid),
        ),
        // --- domain syntax
        ("jana@acme".into(), d, E(K::DomainDotless)),
        ("jana@com".into(), d, E(K::DomainDotless)),
        ("jana@acme.cz.".into(), d, E(K::DomainLabelInvalid)),
        ("jana@.acme.cz".into(), d, E(K::DomainLabelInvalid)),
        ("jana@acme..cz".into(), d, E(K::DomainLabelInvalid)),
        ("jana@-acme.cz".into(), d, E(K::DomainInvalid)),
        ("jana@acme-.cz".into(), d, E(K::DomainInvalid)),
        ("jana@ac--me.cz".into(), d, E(K::DomainInvalid)),
        ("jana@acme_corp.cz".into(), d, E(K::DomainInvalid)),
        ("jana@acme corp.cz".into(), d, E(K::DomainInvalid)),
        ("jana@acme!.cz".into(), d, E(K::DomainInvalid)),
        ("jana@acme.cz/x".into(), d, E(K::DomainInvalid)),
        ("jana@xn--zz.cz".into(), d, E(K::DomainInvalid)),
        ("jana@1.2.3.4".into(), d, E(K::DomainNumericTld)),
        ("jana@acme.123".into(), d, E(K::DomainNumericTld)),
        ("jana@ac\u{FF0F}me.cz".into(), d, E(K::DomainInvalid)),
        // --- special-use domains
        ("jana@localhost".into(), d, E(K::DomainDotless)),
        ("jana@mail.localhost".into(), d, E(K::DomainSpecialUse)),
        ("jana@acme.test".into(), d, E(K::DomainSpecialUse)),
        ("jana@acme.invalid".into(), d, E(K::DomainSpecialUse)),
        ("jana@acme.example".into(), d, E(K::DomainSpecialUse)),
        ("jana@example.com".into(), d, E(K::DomainSpecialUse)),
        ("jana@mail.example.org".into(), d, E(K::DomainSpecialUse)),
        (
            "jana@duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion".into(),
            d,
            E(K::DomainSpecialUse),
        ),
        ("jana@acme.local".into(), d, E(K::DomainSpecialUse)),
        ("jana@router.home.arpa".into(), d, E(K::DomainSpecialUse)),
        ("jana@acme.internal".into(), d, E(K::DomainSpecialUse)),
        ("jana@acme.alt".into(), d, E(K::DomainSpecialUse)),
        ("jana@ACME.TEST".into(), d, E(K::DomainSpecialUse)),
        (
            "jana@acme.test".into(),
            Opt::SpecialUse,
            N("jana@acme.test"),
        ),
        ("jana@notexample.com".into(), d, N("jana@notexample.com")),
        ("jana@testing.cz".into(), d, N("jana@testing.cz")),
        ("jana@test.cz".into(), d, N("jana@test.cz")),
        // --- unsafe Unicode anywhere
        ("ja\u{0}na@acme.cz".into(), d, E(K::UnsafeUnicode)),
        ("jana@acme.cz\u{0}".into(), d, E(K::UnsafeUnicode)),
        ("ja\u{7}na@acme.cz".into(), d, E(K::UnsafeUnicode)),
        ("ja\u{1b}[31mna@acme.cz".into(), d, E(K::UnsafeUnicode)),
        ("ja\u{7f}na@acme.cz".into(), d, E(K::UnsafeUnicode)),
        ("ja\u{85}na@acme.cz".into(), d, E(K::UnsafeUnicode)),
        ("ja\nna@acme.cz".into(), d, E(K::UnsafeUnicode)),
        ("jana@ac\tme.cz".into(), d, E(K::UnsafeUnicode)),
        ("ja\u{200B}na@acme.cz".into(), d, E(K::UnsafeUnicode)),
        ("jana@ac\u{200D}me.cz".into(), d, E(K::UnsafeUnicode)),
        ("ja\u{FEFF}na@acme.cz".into(), d, E(K::UnsafeUnicode)),
        ("\u{FEFF}jana@acme.cz".into(), d, E(K::UnsafeUnicode)),
        ("ja\u{202E}an@acme.cz".into(), d, E(K::UnsafeUnicode)),
        (
            "ja\u{2066}na\u{2069}@acme.cz".into(),
            d,
            E(K::UnsafeUnicode),
        ),
        ("ja\u{200F}na@acme.cz".into(), d, E(K::UnsafeUnicode)),
        ("ja\u{00AD}na@acme.cz".into(), d, E(K::UnsafeUnicode)),
        ("ja\u{00A0}na@acme.cz".into(), d, E(K::UnsafeUnicode)),
        ("ja\u{3000}na@acme.cz".into(), d, E(K::UnsafeUnicode)),
        ("ja\u{2028}na@acme.cz".into(), d, E(K::UnsafeUnicode)),
        ("ja\u{E000}na@acme.cz".into(), d, E(K::UnsafeUnicode)),
        ("ja\u{FFFD}na@acme.cz".into(), d, E(K::UnsafeUnicode)),
        ("ja\u{E0041}na@acme.cz".into(), d, E(K::UnsafeUnicode)),
        ("ja\u{FE0F}na@acme.cz".into(), d, E(K::UnsafeUnicode)),
        (
            "\"ja\u{0}na\"@acme.cz".into(),
            Opt::Quoted,
            E(K::UnsafeUnicode),
        ),
    ];
    // --- length limits
    let l64 = long(64, 'a');
    let l65 = long(65, 'a');
    t.push((
        format!("{l64}@acme.cz"),
        d,
        Want::Ok(leak(format!("{l64}@acme.cz"))),
    ));
    t.push((format!("{l65}@acme.cz"), d, E(K::LocalPartTooLong)));
    // 32 two-octet characters = 64 octets: fits; 33 do not.
    let u32c = long(32, 'é');
    let u33c = long(33, 'é');
    t.push((
        format!("{u32c}@acme.cz"),
        d,
        Want::Ok(leak(format!("{u32c}@acme.cz"))),
    ));
    t.push((format!("{u33c}@acme.cz"), d, E(K::LocalPartTooLong)));
    let label63 = long(63, 'b');
    let label64 = long(64, 'b');
    t.push((
        format!("a@{label63}.cz"),
        d,
        Want::Ok(leak(format!("a@{label63}.cz"))),
    ));
    t.push((format!("a@{label64}.cz"), d, E(K::DomainLabelInvalid)));
    // A 253-octet domain: 3 × 63 + 61 + 3 dots.
    let dom253 = format!("{label63}.{label63}.{label63}.{}", long(61, 'c'));
    assert_eq!(dom253.len(), 253);
    t.push((format!("a@{dom253}"), d, E(K::TooLong)));
    let dom254 = format!("{label63}.{label63}.{label63}.{}", long(62, 'c'));
    t.push((format!("a@{dom254}"), d, E(K::DomainTooLong)));
    // Address exactly 254 octets: 64 + 1 + 189; 255 is one too many.
    let dom189 = format!("{label63}.{label63}.{}", long(61, 'c'));
    assert_eq!(dom189.len(), 189);
    t.push((
        format!("{l64}@{dom189}"),
        d,
        Want::Ok(leak(format!("{l64}@{dom189}"))),
    ));
    let dom190 = format!("{label63}.{label63}.{}", long(62, 'c'));
    t.push((format!("{l64}@{dom190}"), d, E(K::TooLong)));
    // An IDN domain whose ASCII form is over the limit although its Unicode is short.
    let idn_label: String = (0..30u32)
        .filter_map(|i| char::from_u32(0x4E00 + i * 37))
        .collect();
    let idn = format!("a@{idn_label}.cz");
    t.push((idn, d, E(K::DomainLabelInvalid)));
    // 10 KB strings are rejected at once.
    t.push((long(10_240, 'a'), d, E(K::TooLong)));
    t.push((format!("{}@acme.cz", long(10_240, 'a')), d, E(K::TooLong)));
    t.push((format!("jana@{}.cz", long(10_240, 'a')), d, E(K::TooLong)));
    t
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

#[test]
fn syntax_table() {
    let cases = cases();
    assert!(cases.len() >= 120, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for (input, opt, want) in &cases {
        let got = parse_address(input, &opt.options());
        let ok = match (want, &got) {
            (Want::Ok(n), Ok(p)) => p.normalized == *n,
            (Want::Err(k), Err(e)) => e.kind == *k,
            _ => false,
        };
        if !ok {
            let shown: String = input.chars().take(80).collect();
            let want_s = match want {
                Want::Ok(n) => format!("Ok({n:.80})"),
                Want::Err(k) => format!("Err({k:?})"),
            };
            failures.push(format!("{shown:?} [{opt:?}]: want {want_s}, got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn ascii_and_unicode_forms() {
    let p = parse_address("jana@Příklad.cz", &SyntaxOptions::default()).unwrap();
    assert_eq!(p.domain_ascii, "xn--pklad-zsa96e.cz");
    assert_eq!(p.domain_unicode, "příklad.cz");
    assert_eq!(p.ascii.as_deref(), Some("jana@xn--pklad-zsa96e.cz"));
    assert!(!p.smtputf8);
    let u = parse_address("jürgen@bücher.de", &SyntaxOptions::default()).unwrap();
    assert!(u.smtputf8);
    assert_eq!(u.ascii, None);
    assert_eq!(u.domain_ascii, "xn--bcher-kva.de");
}

#[test]
fn provider_canonical_form_is_separate() {
    let o = SyntaxOptions::default();
    let g = parse_address("John.Doe+news@googlemail.com", &o).unwrap();
    assert_eq!(g.normalized, "John.Doe+news@googlemail.com");
    assert_eq!(g.canonical.as_deref(), Some("johndoe@gmail.com"));
    let g2 = parse_address("j.o.h.n.d.o.e@Gmail.com", &o).unwrap();
    assert_eq!(g2.canonical, g.canonical);
    let ms = parse_address("Jana+crm@outlook.com", &o).unwrap();
    assert_eq!(ms.canonical.as_deref(), Some("jana@outlook.com"));
    let other = parse_address("jana+x@acme.cz", &o).unwrap();
    assert_eq!(other.canonical, None);
    let quoted = parse_address("\"a b\"@gmail.com", &o.clone().with_quoted_local(true)).unwrap();
    assert_eq!(quoted.canonical, None);
}

#[test]
fn errors_carry_details_and_codes() {
    let e = parse_address("ja\u{202E}na@acme.cz", &SyntaxOptions::default()).unwrap_err();
    assert_eq!(e.kind.as_str(), "unsafe_unicode");
    assert!(e.detail.contains("U+202E"), "{}", e.detail);
    for k in leadgen_stages::email::SyntaxErrorKind::ALL {
        assert_eq!(
            leadgen_stages::email::SyntaxErrorKind::parse(k.as_str()),
            Some(k)
        );
    }
}

#[test]
fn invalid_utf8_lines_are_rejected_not_panicking() {
    // A file line with invalid UTF-8, decoded lossily as a reader would.
    let bytes = b"ja\xffna@acme.cz";
    let line = String::from_utf8_lossy(bytes);
    let e = parse_address(&line, &SyntaxOptions::default()).unwrap_err();
    assert_eq!(e.kind, K::UnsafeUnicode);
}
