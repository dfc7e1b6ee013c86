//! Phone numbers to E.164, with the contact's country as the default region.
//!
//! Parsing and validation are Google's libphonenumber metadata through the
//! `phonenumber` crate. Around it, this adds what lead lists need, and where it
//! differs from plain libphonenumber:
//! - an international number with the trunk zero in brackets (`+49 (0)151 …`,
//!   `+44 (0)20 …`) is read without the zero;
//! - a number that spreadsheets stripped of its `+` (`420602123456`) is tried again
//!   as international when it is not valid in the default region;
//! - `00` is accepted as international prefix even without a default region;
//! - an invalid number is never dropped: [`Phone`] keeps the input, says what is
//!   wrong, and still gives the E.164 form when the number parses to a country code
//!   with a plausible length (libphonenumber only formats valid numbers), so that
//!   duplicates can meet on a number that was typed into a range not yet assigned.

use std::borrow::Cow;
use std::sync::LazyLock;

use phonenumber::{Mode, PhoneNumber, country};

use super::text::collapse_whitespace;

/// What is wrong with a phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PhoneProblem {
    /// Nothing that looks like a number.
    Empty,
    /// A national number and no country to read it in.
    NoRegion,
    /// Not parseable as a phone number.
    Unparseable,
    /// Parsed, but not a valid number of its country (wrong length or range).
    Invalid,
}

/// A phone number: the input kept, the E.164 form when it has one, validity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    /// The input as given (whitespace tidied).
    pub raw: String,
    /// `+420602123456`: set for valid numbers, and for invalid ones that still
    /// parse to a country code with a plausible length.
    pub e164: Option<String>,
    /// The number's country (ISO alpha-2), when known.
    pub country: Option<String>,
    /// The extension, if one was given (`ext. 221`).
    pub extension: Option<String>,
    /// What is wrong, when the number is not valid.
    pub problem: Option<PhoneProblem>,
}

impl Phone {
    /// Whether libphonenumber's metadata accepts the number.
    pub fn is_valid(&self) -> bool {
        self.problem.is_none()
    }
}

/// Regular expressions the metadata keeps compiled. libphonenumber's metadata is
/// regex-heavy and the `phonenumber` crate keeps only 100 compiled, shared by all
/// countries: a list with numbers from a handful of countries thrashes that cache
/// and recompiles on almost every call (about 1 ms each). A few thousand covers
/// every region a lead list plausibly has.
const REGEX_CACHE_CAPACITY: usize = 4096;

static ENLARGED_REGEX_CACHE: LazyLock<()> = LazyLock::new(|| {
    if let Ok(mut cache) = phonenumber::metadata::DATABASE.cache().lock() {
        cache.set_capacity(REGEX_CACHE_CAPACITY);
    }
});

/// Normalizes a phone number to E.164. `default_country` (ISO alpha-2, e.g. the
/// contact's country) is used for numbers written without a country code.
///
/// ```
/// use leadgen_core::normalize::normalize_phone;
/// assert_eq!(normalize_phone("602 123 456", Some("CZ")).e164.as_deref(), Some("+420602123456"));
/// assert_eq!(normalize_phone("+49 (0)151 8377482", None).e164.as_deref(), Some("+491518377482"));
/// let bad = normalize_phone("123", Some("CZ"));
/// assert!(!bad.is_valid());
/// assert_eq!(bad.raw, "123");
/// ```
pub fn normalize_phone(raw: &str, default_country: Option<&str>) -> Phone {
    LazyLock::force(&ENLARGED_REGEX_CACHE);
    let raw = collapse_whitespace(raw);
    let mut phone = Phone {
        raw: raw.clone(),
        e164: None,
        country: None,
        extension: None,
        problem: None,
    };
    let region =
        default_country.and_then(|c| c.trim().to_ascii_uppercase().parse::<country::Id>().ok());
    let cleaned = clean(&raw);
    let digits: String = cleaned.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 4 {
        phone.problem = Some(PhoneProblem::Empty);
        return phone;
    }
    let international = cleaned.starts_with('+');
    if !international && region.is_none() && !(digits.len() >= 11 && digits_only(&cleaned)) {
        phone.problem = Some(PhoneProblem::NoRegion);
        return phone;
    }

    let mut attempts: Vec<(Option<country::Id>, Cow<'_, str>)> = Vec::with_capacity(2);
    if international || region.is_some() {
        attempts.push((region, Cow::Borrowed(cleaned.as_ref())));
    }
    // A number that lost its "+" in a spreadsheet. When it starts with the default
    // region's own calling code and is too long to be national, try that first.
    if !international && digits.len() >= 10 && digits_only(&cleaned) {
        let lost_plus = (None, Cow::Owned(format!("+{digits}")));
        let own_code = region
            .and_then(|r| phonenumber::metadata::DATABASE.by_id(r.as_ref()))
            .map(|m| m.country_code().to_string());
        if own_code.is_some_and(|code| digits.starts_with(&code) && digits.len() >= 11) {
            attempts.insert(0, lost_plus);
        } else {
            attempts.push(lost_plus);
        }
    }
    let mut invalid: Option<PhoneNumber> = None;
    for (region, text) in attempts {
        match phonenumber::parse(region, text.as_ref()) {
            Ok(number) if phonenumber::is_valid(&number) => {
                fill(&mut phone, &number);
                return phone;
            }
            Ok(number) => {
                invalid.get_or_insert(number);
            }
            Err(_) => {}
        }
    }
    match invalid {
        Some(number) => {
            let national = number.national().to_string().len();
            if (6..=13).contains(&national) {
                fill(&mut phone, &number);
            }
            phone.problem = Some(PhoneProblem::Invalid);
        }
        None => phone.problem = Some(PhoneProblem::Unparseable),
    }
    phone
}

fn fill(phone: &mut Phone, number: &PhoneNumber) {
    phone.e164 = Some(number.format().mode(Mode::E164).to_string());
    phone.country = number.country().id().map(|id| id.as_ref().to_string());
    phone.extension = number.extension().map(|e| e.to_string());
}

fn digits_only(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '/' | '(' | ')'))
}

/// Removes what libphonenumber does not expect: a `tel:` prefix, the bracketed
/// trunk zero after a country code, and `00` as international prefix.
fn clean(raw: &str) -> Cow<'_, str> {
    let mut s: Cow<'_, str> = Cow::Borrowed(raw.trim());
    if s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("tel:")) {
        s = Cow::Owned(s[4..].trim().to_string());
    }
    if s.starts_with("00") {
        s = Cow::Owned(format!("+{}", &s[2..]));
    }
    if s.starts_with('+') && s.contains("(0)") {
        s = Cow::Owned(s.replacen("(0)", "", 1));
    }
    s
}

#[cfg(test)]
#[path = "phone_tests.rs"]
mod tests;
