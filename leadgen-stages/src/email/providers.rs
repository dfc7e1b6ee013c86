//! Mail providers whose SMTP answers mean nothing to a probe (they accept every
//! recipient or hide rejections), recognised by the suffix of their MX hosts.

use serde::{Deserialize, Serialize};

/// What to conclude for a provider whose probe answers are unreliable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderVerdict {
    /// Accepts every recipient: `risky`.
    Risky,
    /// Hides rejections or blocks probes: `unknown`.
    Unknown,
}

/// A rule for a mail provider, keyed by the suffix of its MX host names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderRule {
    /// MX host suffix (`mail.protection.outlook.com`).
    pub mx_suffix: String,
    /// The provider's name, for details.
    pub provider: String,
    /// The verdict given instead of probing.
    pub verdict: ProviderVerdict,
}

impl ProviderRule {
    fn new(mx_suffix: &str, provider: &str, verdict: ProviderVerdict) -> Self {
        ProviderRule {
            mx_suffix: mx_suffix.into(),
            provider: provider.into(),
            verdict,
        }
    }

    /// Whether `mx_host` falls under this rule.
    pub fn matches(&self, mx_host: &str) -> bool {
        let host = mx_host.trim_end_matches('.');
        host.eq_ignore_ascii_case(&self.mx_suffix)
            || (host.len() > self.mx_suffix.len()
                && host.is_char_boundary(host.len() - self.mx_suffix.len())
                && host[host.len() - self.mx_suffix.len()..].eq_ignore_ascii_case(&self.mx_suffix)
                && host.as_bytes()[host.len() - self.mx_suffix.len() - 1] == b'.')
    }
}

/// The built-in provider rules: Microsoft 365 and Outlook.com, Yahoo/AOL, Proofpoint,
/// Mimecast.
pub fn default_provider_rules() -> Vec<ProviderRule> {
    vec![
        ProviderRule::new(
            "protection.outlook.com",
            "Microsoft 365",
            ProviderVerdict::Unknown,
        ),
        ProviderRule::new("yahoodns.net", "Yahoo", ProviderVerdict::Risky),
        ProviderRule::new("pphosted.com", "Proofpoint", ProviderVerdict::Unknown),
        ProviderRule::new(
            "ppe-hosted.com",
            "Proofpoint Essentials",
            ProviderVerdict::Unknown,
        ),
        ProviderRule::new("mimecast.com", "Mimecast", ProviderVerdict::Unknown),
        ProviderRule::new(
            "mimecast-offshore.com",
            "Mimecast",
            ProviderVerdict::Unknown,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_suffixes() {
        let rules = default_provider_rules();
        let hit = |h: &str| {
            rules
                .iter()
                .find(|r| r.matches(h))
                .map(|r| r.provider.clone())
        };
        assert_eq!(
            hit("acme-cz.mail.protection.outlook.com").as_deref(),
            Some("Microsoft 365")
        );
        assert_eq!(hit("mta7.am0.yahoodns.net.").as_deref(), Some("Yahoo"));
        assert_eq!(hit("mx0a-001.pphosted.com").as_deref(), Some("Proofpoint"));
        assert_eq!(
            hit("eu-smtp-inbound-1.mimecast.com").as_deref(),
            Some("Mimecast")
        );
        assert_eq!(hit("notmimecast.com"), None);
        assert_eq!(hit("aspmx.l.google.com"), None);
    }
}
