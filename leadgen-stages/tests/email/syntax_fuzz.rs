//! A bounded randomized test of the syntax parser (the same properties as the
//! `cargo fuzz` target in `leadgen-stages/fuzz/`, runnable on stable in every test
//! run): no panic on any input; every accepted address re-parses to itself and
//! respects the length limits.

#![cfg(feature = "email")]

use leadgen_stages::email::syntax::{SyntaxOptions, parse_address};

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// Pieces that stress every rule: separators, quotes, brackets, IDNA, combining
/// marks, unsafe characters, long runs.
const PIECES: &[&str] = &[
    "a",
    "Z",
    "0",
    "9",
    ".",
    "..",
    "@",
    "@@",
    "-",
    "_",
    "+",
    "\"",
    "\\",
    "[",
    "]",
    " ",
    "\t",
    "\0",
    "\u{7f}",
    "\u{85}",
    "\u{200B}",
    "\u{202E}",
    "\u{FEFF}",
    "\u{FFFD}",
    "é",
    "e\u{301}",
    "ß",
    "ﬁ",
    "。",
    "．",
    "ａ",
    "příklad",
    "xn--",
    "xn--pklad-zsa96e",
    "xn--zz",
    "例",
    "δ",
    "ı",
    "İ",
    "\u{0308}",
    "IPv6:",
    "::1",
    "192.0.2.1",
    "cz",
    "com",
    "test",
    "localhost",
    "onion",
    "gmail",
    "mailinator",
    "!",
    "#",
    "$",
    "%",
    "&",
    "'",
    "*",
    "/",
    "=",
    "?",
    "^",
    "`",
    "{",
    "|",
    "}",
    "~",
    "(",
    ")",
    ",",
    ":",
    ";",
    "<",
    ">",
    "\r\n",
];

fn random_input(rng: &mut Rng) -> String {
    let mut s = String::new();
    let pieces = 1 + rng.next() % 24;
    for _ in 0..pieces {
        let p = PIECES[(rng.next() % PIECES.len() as u64) as usize];
        let repeat = if rng.next().is_multiple_of(16) {
            1 + rng.next() % 70
        } else {
            1
        };
        for _ in 0..repeat {
            s.push_str(p);
        }
    }
    // Often shape it like an address.
    if rng.next().is_multiple_of(2) && !s.contains('@') {
        s.push_str("@acme.cz");
    }
    s
}

#[test]
fn randomized_inputs_never_panic_and_accepted_forms_are_stable() {
    let iterations: u64 = std::env::var("LEADGEN_SYNTAX_FUZZ_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60_000);
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let lenient = SyntaxOptions::default()
        .with_quoted_local(true)
        .with_domain_literal(true)
        .with_special_use_domains(true);
    let mut accepted = 0u64;
    for _ in 0..iterations {
        let input = random_input(&mut rng);
        for options in [&SyntaxOptions::default(), &lenient] {
            if let Ok(p) = parse_address(&input, options) {
                accepted += 1;
                assert!(p.local_part.len() <= 64, "{input:?}");
                assert!(
                    p.local_part.len() + 1 + p.domain_ascii.len() <= 254,
                    "{input:?}"
                );
                assert!(p.domain_ascii.is_ascii(), "{input:?}");
                let again = parse_address(&p.normalized, options)
                    .unwrap_or_else(|e| panic!("{input:?} -> {:?}: {e}", p.normalized));
                assert_eq!(again.normalized, p.normalized, "{input:?}");
                assert_eq!(again.domain_ascii, p.domain_ascii, "{input:?}");
            }
        }
    }
    // The generator reaches the accepting paths, not only the rejections.
    assert!(accepted > iterations / 50, "only {accepted} accepted");
}
