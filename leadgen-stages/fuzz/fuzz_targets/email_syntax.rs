//! Fuzzes the email syntax parser: no panic on any input, and every accepted
//! address is stable under re-parsing with the limits respected.

#![no_main]

use leadgen_stages::email::syntax::{SyntaxOptions, parse_address};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    for options in [
        SyntaxOptions::default(),
        SyntaxOptions::default()
            .with_quoted_local(true)
            .with_domain_literal(true)
            .with_special_use_domains(true),
    ] {
        if let Ok(p) = parse_address(&input, &options) {
            assert!(p.local_part.len() <= 64);
            assert!(p.local_part.len() + 1 + p.domain_ascii.len() <= 254);
            assert!(p.domain_ascii.is_ascii());
            let again = parse_address(&p.normalized, &options).expect("normalized form re-parses");
            assert_eq!(again.normalized, p.normalized);
            assert_eq!(again.domain_ascii, p.domain_ascii);
        }
    }
});
