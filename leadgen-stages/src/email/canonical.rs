//! Provider canonical mailboxes, for dedup: never a replacement for the address.
//!
//! ```
//! use leadgen_stages::email::canonical::canonical_form;
//! assert_eq!(canonical_form("John.Doe+news", "googlemail.com").as_deref(), Some("johndoe@gmail.com"));
//! assert_eq!(canonical_form("jana+crm", "outlook.com").as_deref(), Some("jana@outlook.com"));
//! assert_eq!(canonical_form("jana+crm", "acme.cz"), None);
//! ```

/// The provider's canonical mailbox for dedup: Gmail ignores dots and `+tags` and
/// treats `googlemail.com` as `gmail.com`; several providers drop `+tags`; all of
/// these are case-insensitive.
pub fn canonical_form(local: &str, domain_ascii: &str) -> Option<String> {
    const PLUS_TAG_PROVIDERS: &[&str] = &[
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "fastmail.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "zoho.com",
        "yandex.com",
        "yandex.ru",
    ];
    let gmail = matches!(domain_ascii, "gmail.com" | "googlemail.com");
    if !gmail && !PLUS_TAG_PROVIDERS.contains(&domain_ascii) {
        return None;
    }
    let lower = local.to_lowercase();
    let untagged = lower.split('+').next().unwrap_or_default();
    match domain_ascii {
        "gmail.com" | "googlemail.com" => {
            let without_dots: String = untagged.chars().filter(|&c| c != '.').collect();
            (!without_dots.is_empty()).then(|| format!("{without_dots}@gmail.com"))
        }
        d if PLUS_TAG_PROVIDERS.contains(&d) => {
            (!untagged.is_empty()).then(|| format!("{untagged}@{d}"))
        }
        _ => None,
    }
}
