//! Flags about an address that are not syntax: disposable domain, role account,
//! free-mail provider. Each is its own flag; none of them makes an address invalid.
//!
//! ```
//! use leadgen_stages::email::flags::FlagRules;
//! let rules = FlagRules::bundled();
//! let f = rules.flags("info", "mailinator.com");
//! assert!(f.disposable && f.role_account && !f.free_provider);
//! assert!(rules.flags("jana", "gmail.com").free_provider);
//! // Subdomains of a listed domain match too.
//! assert!(rules.flags("x", "eu.mailinator.com").disposable);
//! ```

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};

use super::error::EmailError;

const BUNDLED_DISPOSABLE: &str = include_str!("../../data/email/disposable_domains.txt");
const BUNDLED_FREE: &str = include_str!("../../data/email/free_providers.txt");

/// Local parts that name a function or a mailing list rather than a person.
const ROLE_LOCAL_PARTS: &[&str] = &[
    "abuse",
    "accounting",
    "accounts",
    "admin",
    "administrator",
    "all",
    "billing",
    "bookings",
    "careers",
    "ceo",
    "compliance",
    "contact",
    "contactus",
    "customercare",
    "customerservice",
    "customersupport",
    "dev",
    "devnull",
    "enquiries",
    "enquiry",
    "everyone",
    "feedback",
    "finance",
    "hello",
    "help",
    "helpdesk",
    "hostmaster",
    "hr",
    "info",
    "inquiries",
    "inquiry",
    "investors",
    "it",
    "jobs",
    "kontakt",
    "legal",
    "mail",
    "mailerdaemon",
    "marketing",
    "media",
    "news",
    "newsletter",
    "noc",
    "noreply",
    "nospam",
    "office",
    "orders",
    "partners",
    "postmaster",
    "press",
    "privacy",
    "reception",
    "recruiting",
    "recruitment",
    "remove",
    "root",
    "sales",
    "security",
    "service",
    "spam",
    "staff",
    "subscribe",
    "support",
    "team",
    "tech",
    "unsubscribe",
    "usenet",
    "uucp",
    "webmaster",
    "www",
];

/// The flags of one address.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EmailFlags {
    /// The domain (or a parent of it) is a known disposable-mail service.
    pub disposable: bool,
    /// The local part names a role (`info@`, `sales@`), not a person.
    pub role_account: bool,
    /// The domain is a free consumer mail provider (`gmail.com`, `seznam.cz`).
    pub free_provider: bool,
}

/// A set of domains matched by suffix: `a.b.example.co` matches a listed
/// `example.co` (and `b.example.co`), so subdomains of a registrable domain count.
#[derive(Debug, Default)]
pub struct DomainList {
    domains: RwLock<Arc<HashSet<Box<str>>>>,
}

impl DomainList {
    /// A list from text: one domain per line, `#` comments and blank lines ignored,
    /// compared lower-cased.
    pub fn from_text(text: &str) -> Self {
        DomainList {
            domains: RwLock::new(Arc::new(parse_list(text))),
        }
    }

    /// Replaces the list with the contents of `path` (runtime update).
    pub fn reload_from_file(&self, path: &Path) -> Result<usize, EmailError> {
        let text = read_list_file(path)?;
        let set = parse_list(&text);
        let n = set.len();
        *self.domains.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(set);
        Ok(n)
    }

    /// Adds the domains of `path` to the list (runtime update); returns how many
    /// domains the list now holds.
    pub fn extend_from_file(&self, path: &Path) -> Result<usize, EmailError> {
        let text = read_list_file(path)?;
        let mut guard = self.domains.write().unwrap_or_else(|p| p.into_inner());
        let mut set = HashSet::clone(&guard);
        set.extend(parse_list(&text));
        let n = set.len();
        *guard = Arc::new(set);
        Ok(n)
    }

    /// How many domains are listed.
    pub fn len(&self) -> usize {
        self.snapshot().len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.snapshot().is_empty()
    }

    fn snapshot(&self) -> Arc<HashSet<Box<str>>> {
        Arc::clone(&self.domains.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Whether `domain` (ASCII, lower-case) or one of its parent domains is listed.
    /// A bare top-level label never matches.
    pub fn matches(&self, domain: &str) -> bool {
        let set = self.domains.read().unwrap_or_else(|p| p.into_inner());
        let mut rest = domain;
        while let Some(dot) = rest.find('.') {
            if set.contains(rest) {
                return true;
            }
            rest = &rest[dot + 1..];
        }
        false
    }
}

fn read_list_file(path: &Path) -> Result<String, EmailError> {
    let bytes = std::fs::read(path).map_err(|source| EmailError::ListFile {
        path: path.display().to_string(),
        source,
    })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn parse_list(text: &str) -> HashSet<Box<str>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            l.trim_end_matches('.')
                .to_ascii_lowercase()
                .into_boxed_str()
        })
        .collect()
}

/// The flag rules: the disposable and free-mail lists and the role names.
#[derive(Debug)]
pub struct FlagRules {
    /// Disposable-mail domains (updatable at runtime).
    pub disposable: DomainList,
    /// Free-mail provider domains (updatable at runtime).
    pub free_providers: DomainList,
}

impl FlagRules {
    /// The lists bundled with leadgen (disposable: the `disposable-email-domains`
    /// list, MIT licence).
    pub fn bundled() -> Self {
        FlagRules {
            disposable: DomainList::from_text(BUNDLED_DISPOSABLE),
            free_providers: DomainList::from_text(BUNDLED_FREE),
        }
    }

    /// The flags of `local_part@domain_ascii` (domain in ASCII, lower-case).
    pub fn flags(&self, local_part: &str, domain_ascii: &str) -> EmailFlags {
        EmailFlags {
            disposable: self.disposable.matches(domain_ascii),
            role_account: is_role_account(local_part),
            free_provider: self.free_providers.matches(domain_ascii),
        }
    }
}

impl Default for FlagRules {
    fn default() -> Self {
        FlagRules::bundled()
    }
}

/// Whether a local part names a role: compared case-insensitively, without a `+tag`
/// and without `.`, `-` and `_` (`no-reply`, `No.Reply+x` are `noreply`).
pub fn is_role_account(local_part: &str) -> bool {
    let base = local_part.split('+').next().unwrap_or_default();
    if base.len() > 32 {
        return false;
    }
    let mut key = [0u8; 32];
    let mut n = 0;
    for b in base.bytes() {
        match b {
            b'.' | b'-' | b'_' => {}
            b if b.is_ascii() => {
                key[n] = b.to_ascii_lowercase();
                n += 1;
            }
            _ => return false,
        }
    }
    std::str::from_utf8(&key[..n])
        .map(|k| ROLE_LOCAL_PARTS.binary_search(&k).is_ok())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_list_is_sorted_for_binary_search() {
        assert!(ROLE_LOCAL_PARTS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn roles() {
        for r in [
            "info",
            "INFO",
            "no-reply",
            "No.Reply+x",
            "sales",
            "postmaster",
        ] {
            assert!(is_role_account(r), "{r}");
        }
        for r in ["jana", "information", "salesman", "žena", ""] {
            assert!(!is_role_account(r), "{r}");
        }
    }

    #[test]
    fn suffix_matching() {
        let l = DomainList::from_text("# c\nmailinator.com\nExample.CO\n\n");
        assert!(l.matches("mailinator.com"));
        assert!(l.matches("a.b.mailinator.com"));
        assert!(!l.matches("notmailinator.com"));
        assert!(!l.matches("com"));
        assert!(l.matches("x.example.co"));
        assert_eq!(l.len(), 2);
    }

    #[test]
    fn bundled_list_is_large() {
        let r = FlagRules::bundled();
        assert!(r.disposable.len() > 5000);
        assert!(!r.disposable.matches("gmail.com"));
        assert!(r.free_providers.matches("seznam.cz"));
    }
}
