//! Offline syntax check and normalization of one address (RFC 5321/5322, RFC 6531
//! for internationalized local parts, IDNA 2008 / UTS-46 for domains).
//!
//! ```
//! use leadgen_stages::email::syntax::{parse_address, SyntaxOptions};
//! let a = parse_address("  Jana.Novakova@Příklad.CZ ", &SyntaxOptions::default()).unwrap();
//! assert_eq!(a.local_part, "Jana.Novakova");
//! assert_eq!(a.domain_unicode, "příklad.cz");
//! assert_eq!(a.domain_ascii, "xn--pklad-zsa96e.cz");
//! assert_eq!(a.normalized, "Jana.Novakova@příklad.cz");
//! assert_eq!(a.ascii.as_deref(), Some("Jana.Novakova@xn--pklad-zsa96e.cz"));
//! assert!(!a.smtputf8);
//! ```

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

pub use super::canonical::canonical_form;
use super::unsafe_chars::classify;

/// Longest address, in octets (RFC 5321 path limit 256 less the angle brackets).
pub const MAX_ADDRESS_OCTETS: usize = 254;
/// Longest local part, in octets (RFC 5321 §4.5.3.1.1).
pub const MAX_LOCAL_OCTETS: usize = 64;
/// Longest domain, in octets of its ASCII form.
pub const MAX_DOMAIN_OCTETS: usize = 253;
/// Longest DNS label, in octets.
pub const MAX_LABEL_OCTETS: usize = 63;
/// Inputs longer than this are rejected before any other work (a 10 KB string costs
/// one length check).
const MAX_INPUT_BYTES: usize = 1024;

/// Domains reserved for special use (RFC 6761, RFC 7686, RFC 8375, RFC 9476 and the
/// `.internal` reservation): no public mail host can live under them.
const SPECIAL_USE_SUFFIXES: &[&str] = &[
    "localhost",
    "local",
    "test",
    "invalid",
    "example",
    "onion",
    "alt",
    "internal",
    "arpa",
    "localdomain",
    "example.com",
    "example.net",
    "example.org",
];

/// What the syntax check accepts beyond the common form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SyntaxOptions {
    /// Accept internationalized (non-ASCII) local parts (they need SMTPUTF8 and are
    /// flagged). Default: true.
    pub allow_smtputf8: bool,
    /// Accept quoted local parts (`"john smith"@acme.cz`). Default: false.
    pub allow_quoted_local: bool,
    /// Accept domain literals (`user@[192.0.2.1]`). Default: false.
    pub allow_domain_literal: bool,
    /// Accept special-use domains (`.test`, `localhost`, …). Default: false; tests set
    /// it to validate against their own zones.
    pub allow_special_use_domains: bool,
}

impl Default for SyntaxOptions {
    fn default() -> Self {
        SyntaxOptions {
            allow_smtputf8: true,
            allow_quoted_local: false,
            allow_domain_literal: false,
            allow_special_use_domains: false,
        }
    }
}

impl SyntaxOptions {
    /// The defaults with quoted local parts accepted or not.
    pub fn with_quoted_local(mut self, yes: bool) -> Self {
        self.allow_quoted_local = yes;
        self
    }

    /// The defaults with domain literals accepted or not.
    pub fn with_domain_literal(mut self, yes: bool) -> Self {
        self.allow_domain_literal = yes;
        self
    }

    /// With internationalized local parts accepted or not.
    pub fn with_smtputf8(mut self, yes: bool) -> Self {
        self.allow_smtputf8 = yes;
        self
    }

    /// With special-use domains accepted or not.
    pub fn with_special_use_domains(mut self, yes: bool) -> Self {
        self.allow_special_use_domains = yes;
        self
    }
}

/// Which syntax rule an address broke: a stable, machine-readable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SyntaxErrorKind {
    /// Nothing but whitespace.
    Empty,
    /// Longer than 254 octets (or far longer: over 1 KB).
    TooLong,
    /// No `@`.
    NoAtSign,
    /// Nothing before the `@`.
    EmptyLocalPart,
    /// The local part is longer than 64 octets.
    LocalPartTooLong,
    /// A dot at the start or end of the local part, or two in a row.
    LocalPartDots,
    /// A character not allowed in a dot-atom local part.
    LocalPartInvalidChar,
    /// A quoted local part, not accepted by the options.
    QuotedLocalPartNotAllowed,
    /// A malformed quoted local part.
    QuotedLocalPartInvalid,
    /// A non-ASCII local part, not accepted by the options.
    SmtpUtf8NotAllowed,
    /// A control, bidi, zero-width or other unsafe character anywhere.
    UnsafeUnicode,
    /// Nothing after the `@`.
    EmptyDomain,
    /// The domain is longer than 253 octets in ASCII form.
    DomainTooLong,
    /// A domain label is empty or longer than 63 octets.
    DomainLabelInvalid,
    /// A character or hyphen placement not allowed in a domain, or an IDNA error.
    DomainInvalid,
    /// A domain literal, not accepted by the options.
    DomainLiteralNotAllowed,
    /// A malformed domain literal.
    DomainLiteralInvalid,
    /// A domain with no dot (`user@localhost`-like, or `user@com`).
    DomainDotless,
    /// An all-numeric top-level label (`user@1.2.3.4` without brackets).
    DomainNumericTld,
    /// A special-use domain (`.test`, `.invalid`, `localhost`, `.onion`, …).
    DomainSpecialUse,
}

impl SyntaxErrorKind {
    /// The snake_case code.
    pub fn as_str(self) -> &'static str {
        match self {
            SyntaxErrorKind::Empty => "empty",
            SyntaxErrorKind::TooLong => "too_long",
            SyntaxErrorKind::NoAtSign => "no_at_sign",
            SyntaxErrorKind::EmptyLocalPart => "empty_local_part",
            SyntaxErrorKind::LocalPartTooLong => "local_part_too_long",
            SyntaxErrorKind::LocalPartDots => "local_part_dots",
            SyntaxErrorKind::LocalPartInvalidChar => "local_part_invalid_char",
            SyntaxErrorKind::QuotedLocalPartNotAllowed => "quoted_local_part_not_allowed",
            SyntaxErrorKind::QuotedLocalPartInvalid => "quoted_local_part_invalid",
            SyntaxErrorKind::SmtpUtf8NotAllowed => "smtputf8_not_allowed",
            SyntaxErrorKind::UnsafeUnicode => "unsafe_unicode",
            SyntaxErrorKind::EmptyDomain => "empty_domain",
            SyntaxErrorKind::DomainTooLong => "domain_too_long",
            SyntaxErrorKind::DomainLabelInvalid => "domain_label_invalid",
            SyntaxErrorKind::DomainInvalid => "domain_invalid",
            SyntaxErrorKind::DomainLiteralNotAllowed => "domain_literal_not_allowed",
            SyntaxErrorKind::DomainLiteralInvalid => "domain_literal_invalid",
            SyntaxErrorKind::DomainDotless => "domain_dotless",
            SyntaxErrorKind::DomainNumericTld => "domain_numeric_tld",
            SyntaxErrorKind::DomainSpecialUse => "domain_special_use",
        }
    }

    /// Every kind, for parsing codes back.
    pub const ALL: [SyntaxErrorKind; 20] = [
        SyntaxErrorKind::Empty,
        SyntaxErrorKind::TooLong,
        SyntaxErrorKind::NoAtSign,
        SyntaxErrorKind::EmptyLocalPart,
        SyntaxErrorKind::LocalPartTooLong,
        SyntaxErrorKind::LocalPartDots,
        SyntaxErrorKind::LocalPartInvalidChar,
        SyntaxErrorKind::QuotedLocalPartNotAllowed,
        SyntaxErrorKind::QuotedLocalPartInvalid,
        SyntaxErrorKind::SmtpUtf8NotAllowed,
        SyntaxErrorKind::UnsafeUnicode,
        SyntaxErrorKind::EmptyDomain,
        SyntaxErrorKind::DomainTooLong,
        SyntaxErrorKind::DomainLabelInvalid,
        SyntaxErrorKind::DomainInvalid,
        SyntaxErrorKind::DomainLiteralNotAllowed,
        SyntaxErrorKind::DomainLiteralInvalid,
        SyntaxErrorKind::DomainDotless,
        SyntaxErrorKind::DomainNumericTld,
        SyntaxErrorKind::DomainSpecialUse,
    ];

    /// Parses a code produced by [`SyntaxErrorKind::as_str`].
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == code)
    }
}

/// Why an address failed the syntax check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{}: {detail}", kind.as_str())]
pub struct SyntaxError {
    /// The rule broken.
    pub kind: SyntaxErrorKind,
    /// A human-readable detail (the offending character and its position, …).
    pub detail: String,
}

fn err(kind: SyntaxErrorKind, detail: impl Into<String>) -> SyntaxError {
    SyntaxError {
        kind,
        detail: detail.into(),
    }
}

/// An address that passed the syntax check, in its normalized forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedAddress {
    /// The local part, NFC-normalized; quotes removed when they were not needed.
    pub local_part: String,
    /// The domain in Unicode form, lower-cased (`příklad.cz`), or a domain literal.
    pub domain_unicode: String,
    /// The domain in ASCII form (`xn--pklad-zsa96e.cz`), what DNS and SMTP use.
    pub domain_ascii: String,
    /// `local_part@domain_unicode`: the address to store and display.
    pub normalized: String,
    /// `local_part@domain_ascii`, when the local part is ASCII (usable without SMTPUTF8).
    pub ascii: Option<String>,
    /// The local part is non-ASCII: delivery needs SMTPUTF8 (RFC 6531).
    pub smtputf8: bool,
    /// The local part is quoted (only with [`SyntaxOptions::allow_quoted_local`]).
    pub quoted_local: bool,
    /// The domain is a literal (only with [`SyntaxOptions::allow_domain_literal`]).
    pub domain_literal: bool,
    /// The provider's canonical form for dedup (`johndoe@gmail.com` for
    /// `John.Doe+news@googlemail.com`), when the provider's rules are known. Never
    /// replaces the address.
    pub canonical: Option<String>,
}

/// Checks and normalizes one address.
///
/// Leading and trailing whitespace is trimmed; everything else must be a valid
/// address. Unsafe characters anywhere reject the address.
pub fn parse_address(input: &str, options: &SyntaxOptions) -> Result<ParsedAddress, SyntaxError> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(err(
            SyntaxErrorKind::TooLong,
            format!("{} bytes", input.len()),
        ));
    }
    let trimmed = input.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\r' || c == '\n');
    if trimmed.is_empty() {
        return Err(err(SyntaxErrorKind::Empty, "no address"));
    }
    check_safe(trimmed)?;
    // NFC first, then every rule runs on the normalized text (re-validation).
    let text: Cow<'_, str> =
        if trimmed.is_ascii() || is_nfc_quick(trimmed.chars()) == IsNormalized::Yes {
            Cow::Borrowed(trimmed)
        } else {
            let nfc: String = trimmed.nfc().collect();
            check_safe(&nfc)?;
            Cow::Owned(nfc)
        };
    let at = text
        .rfind('@')
        .ok_or_else(|| err(SyntaxErrorKind::NoAtSign, "no @"))?;
    let (raw_local, raw_domain) = (&text[..at], &text[at + 1..]);

    let local = parse_local(raw_local, options)?;
    let domain = parse_domain(raw_domain, options)?;

    let smtputf8 = !local.text.is_ascii();
    let total = local.text.len() + 1 + domain.ascii.len();
    if total > MAX_ADDRESS_OCTETS {
        return Err(err(
            SyntaxErrorKind::TooLong,
            format!("{total} octets (at most {MAX_ADDRESS_OCTETS})"),
        ));
    }
    let normalized = format!("{}@{}", local.text, domain.unicode);
    let ascii = (!smtputf8).then(|| format!("{}@{}", local.text, domain.ascii));
    let canonical = if local.quoted || domain.literal {
        None
    } else {
        canonical_form(&local.text, &domain.ascii)
    };
    Ok(ParsedAddress {
        local_part: local.text,
        domain_unicode: domain.unicode,
        domain_ascii: domain.ascii,
        normalized,
        ascii,
        smtputf8,
        quoted_local: local.quoted,
        domain_literal: domain.literal,
        canonical,
    })
}

fn check_safe(text: &str) -> Result<(), SyntaxError> {
    if text.is_ascii() && !text.bytes().any(|b| b < 0x20 || b == 0x7F) {
        return Ok(());
    }
    for (i, c) in text.char_indices() {
        if let Some(class) = classify(c) {
            return Err(err(
                SyntaxErrorKind::UnsafeUnicode,
                format!("{} U+{:04X} at byte {i}", class.as_str(), c as u32),
            ));
        }
    }
    Ok(())
}

struct Local {
    text: String,
    quoted: bool,
}

/// `atext` of RFC 5322 §3.2.3, widened by RFC 6531 to non-ASCII characters.
fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || !c.is_ascii()
}

fn parse_local(raw: &str, options: &SyntaxOptions) -> Result<Local, SyntaxError> {
    if raw.is_empty() {
        return Err(err(SyntaxErrorKind::EmptyLocalPart, "nothing before @"));
    }
    if raw.starts_with('"') {
        return parse_quoted_local(raw, options);
    }
    check_dot_atom(raw)?;
    check_local_common(raw, options)?;
    Ok(Local {
        text: raw.to_string(),
        quoted: false,
    })
}

fn check_dot_atom(raw: &str) -> Result<(), SyntaxError> {
    if raw.starts_with('.') || raw.ends_with('.') || raw.contains("..") {
        return Err(err(
            SyntaxErrorKind::LocalPartDots,
            "a dot at the start or end of the local part, or two in a row",
        ));
    }
    if let Some((i, c)) = raw.char_indices().find(|&(_, c)| c != '.' && !is_atext(c)) {
        return Err(err(
            SyntaxErrorKind::LocalPartInvalidChar,
            format!("{c:?} at byte {i} of the local part"),
        ));
    }
    Ok(())
}

fn check_local_common(text: &str, options: &SyntaxOptions) -> Result<(), SyntaxError> {
    if text.len() > MAX_LOCAL_OCTETS {
        return Err(err(
            SyntaxErrorKind::LocalPartTooLong,
            format!("{} octets (at most {MAX_LOCAL_OCTETS})", text.len()),
        ));
    }
    if !options.allow_smtputf8 && !text.is_ascii() {
        return Err(err(
            SyntaxErrorKind::SmtpUtf8NotAllowed,
            "non-ASCII local part",
        ));
    }
    Ok(())
}

fn parse_quoted_local(raw: &str, options: &SyntaxOptions) -> Result<Local, SyntaxError> {
    if !options.allow_quoted_local {
        return Err(err(
            SyntaxErrorKind::QuotedLocalPartNotAllowed,
            "quoted local parts are not accepted",
        ));
    }
    let inner = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .filter(|_| raw.len() >= 2)
        .ok_or_else(|| err(SyntaxErrorKind::QuotedLocalPartInvalid, "unbalanced quotes"))?;
    let mut content = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                // quoted-pair: VCHAR or WSP (RFC 5322 §3.2.1), widened to non-ASCII.
                Some(q) if q == ' ' || q == '\t' || !q.is_ascii_control() => content.push(q),
                _ => {
                    return Err(err(
                        SyntaxErrorKind::QuotedLocalPartInvalid,
                        "a backslash must escape a printable character",
                    ));
                }
            },
            '"' => {
                return Err(err(
                    SyntaxErrorKind::QuotedLocalPartInvalid,
                    "an unescaped quote inside a quoted local part",
                ));
            }
            c if c == ' ' || !c.is_ascii_control() => content.push(c),
            c => {
                return Err(err(
                    SyntaxErrorKind::QuotedLocalPartInvalid,
                    format!("{c:?} inside a quoted local part"),
                ));
            }
        }
    }
    // Quotes that were not needed are dropped: `"john"@x` is `john@x`.
    let text = if !content.is_empty() && check_dot_atom(&content).is_ok() {
        content
    } else {
        let mut q = String::with_capacity(content.len() + 2);
        q.push('"');
        for c in content.chars() {
            if c == '"' || c == '\\' {
                q.push('\\');
            }
            q.push(c);
        }
        q.push('"');
        q
    };
    check_local_common(&text, options)?;
    let quoted = text.starts_with('"');
    Ok(Local { text, quoted })
}

struct Domain {
    unicode: String,
    ascii: String,
    literal: bool,
}

fn parse_domain(raw: &str, options: &SyntaxOptions) -> Result<Domain, SyntaxError> {
    if raw.is_empty() {
        return Err(err(SyntaxErrorKind::EmptyDomain, "nothing after @"));
    }
    if raw.starts_with('[') {
        return parse_domain_literal(raw, options);
    }
    if raw.ends_with('.') {
        return Err(err(
            SyntaxErrorKind::DomainLabelInvalid,
            "a trailing dot (empty label)",
        ));
    }
    let (ascii, unicode) = if is_plain_ascii_domain(raw) {
        let lower = raw.to_ascii_lowercase();
        (lower.clone(), lower)
    } else {
        idna_forms(raw)?
    };
    check_labels(&ascii)?;
    if !ascii.contains('.') {
        return Err(err(
            SyntaxErrorKind::DomainDotless,
            format!("{ascii} has no dot"),
        ));
    }
    let tld = ascii.rsplit('.').next().unwrap_or_default();
    if tld.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err(
            SyntaxErrorKind::DomainNumericTld,
            format!("top-level label {tld} is numeric"),
        ));
    }
    if !options.allow_special_use_domains
        && let Some(suffix) = special_use_suffix(&ascii)
    {
        return Err(err(
            SyntaxErrorKind::DomainSpecialUse,
            format!("{ascii} is under the special-use name {suffix}"),
        ));
    }
    Ok(Domain {
        unicode,
        ascii,
        literal: false,
    })
}

/// LDH labels with no IDNA work to do: ASCII letters, digits, hyphens and dots, no
/// `xx--` label (those go through IDNA for its hyphen and Punycode rules).
fn is_plain_ascii_domain(raw: &str) -> bool {
    raw.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && raw
            .split('.')
            .all(|label| label.len() < 4 || &label.as_bytes()[2..4] != b"--")
}

fn idna_forms(raw: &str) -> Result<(String, String), SyntaxError> {
    use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
    let uts46 = Uts46::new();
    let ascii = uts46
        .to_ascii(
            raw.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::Check,
            DnsLength::Ignore,
        )
        .map_err(|e| err(SyntaxErrorKind::DomainInvalid, format!("IDNA: {e:?}")))?
        .into_owned();
    let (unicode, result) = uts46.to_unicode(ascii.as_bytes(), AsciiDenyList::STD3, Hyphens::Check);
    result.map_err(|e| err(SyntaxErrorKind::DomainInvalid, format!("IDNA: {e:?}")))?;
    let unicode = unicode.into_owned();
    Ok((ascii, unicode))
}

fn check_labels(ascii: &str) -> Result<(), SyntaxError> {
    if ascii.len() > MAX_DOMAIN_OCTETS {
        return Err(err(
            SyntaxErrorKind::DomainTooLong,
            format!("{} octets (at most {MAX_DOMAIN_OCTETS})", ascii.len()),
        ));
    }
    for label in ascii.split('.') {
        if label.is_empty() || label.len() > MAX_LABEL_OCTETS {
            return Err(err(
                SyntaxErrorKind::DomainLabelInvalid,
                format!("label of {} octets (1 to {MAX_LABEL_OCTETS})", label.len()),
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(err(
                SyntaxErrorKind::DomainInvalid,
                format!("label {label} starts or ends with a hyphen"),
            ));
        }
    }
    Ok(())
}

fn special_use_suffix(ascii: &str) -> Option<&'static str> {
    SPECIAL_USE_SUFFIXES.iter().copied().find(|suffix| {
        ascii == *suffix
            || (ascii.len() > suffix.len()
                && ascii.ends_with(suffix)
                && ascii.as_bytes()[ascii.len() - suffix.len() - 1] == b'.')
    })
}

fn parse_domain_literal(raw: &str, options: &SyntaxOptions) -> Result<Domain, SyntaxError> {
    if !options.allow_domain_literal {
        return Err(err(
            SyntaxErrorKind::DomainLiteralNotAllowed,
            "domain literals are not accepted",
        ));
    }
    let inner = raw
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .ok_or_else(|| err(SyntaxErrorKind::DomainLiteralInvalid, "unbalanced brackets"))?;
    let literal = if let Some(v6) = inner
        .strip_prefix("IPv6:")
        .or_else(|| inner.strip_prefix("ipv6:"))
    {
        let ip: std::net::Ipv6Addr = v6.parse().map_err(|_| {
            err(
                SyntaxErrorKind::DomainLiteralInvalid,
                format!("{v6} is not an IPv6 address"),
            )
        })?;
        format!("[IPv6:{ip}]")
    } else {
        let ip: std::net::Ipv4Addr = inner.parse().map_err(|_| {
            err(
                SyntaxErrorKind::DomainLiteralInvalid,
                format!("{inner} is not an IPv4 address"),
            )
        })?;
        format!("[{ip}]")
    };
    Ok(Domain {
        unicode: literal.clone(),
        ascii: literal,
        literal: true,
    })
}
