//! The outcome of validating one address: status, machine-readable reasons,
//! normalized forms, MX hosts and flags. Serializable.
//!
//! ```
//! use leadgen_stages::email::result::{Reason, VerificationStatus};
//! use leadgen_stages::email::syntax::SyntaxErrorKind;
//! let r = Reason::Syntax(SyntaxErrorKind::NoAtSign);
//! assert_eq!(r.code(), "syntax.no_at_sign");
//! assert_eq!(Reason::parse("syntax.no_at_sign"), Some(r));
//! assert_eq!(serde_json::to_string(&Reason::CatchAll).unwrap(), "\"smtp.catch_all\"");
//! assert_eq!(VerificationStatus::Risky.as_str(), "risky");
//! ```

use std::fmt;

use chrono::{DateTime, Utc};
use leadgen_core::EmailStatus;
use serde::{Deserialize, Serialize};

use super::error::DnsFailure;
use super::flags::EmailFlags;
use super::syntax::SyntaxErrorKind;

/// The verdict on an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    /// Deliverable as far as the checks requested go.
    Valid,
    /// Will bounce: bad syntax, no mail host, recipient rejected.
    Invalid,
    /// May bounce or hurt reputation: disposable, role account, catch-all, a provider
    /// that accepts everything.
    Risky,
    /// The checks could not decide (timeouts, greylisting, DNS failure).
    Unknown,
}

impl VerificationStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationStatus::Valid => "valid",
            VerificationStatus::Invalid => "invalid",
            VerificationStatus::Risky => "risky",
            VerificationStatus::Unknown => "unknown",
        }
    }

    /// The contact field's status.
    pub fn to_email_status(self) -> EmailStatus {
        match self {
            VerificationStatus::Valid => EmailStatus::Valid,
            VerificationStatus::Invalid => EmailStatus::Invalid,
            VerificationStatus::Risky => EmailStatus::Risky,
            VerificationStatus::Unknown => EmailStatus::Unknown,
        }
    }
}

/// How deep a validation goes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Depth {
    /// Syntax, normalization and flags; offline and free.
    #[default]
    Syntax,
    /// Plus an MX lookup.
    Mx,
    /// Plus an SMTP probe of the recipient (opt-in: it talks to the mail server).
    Smtp,
}

impl Depth {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Depth::Syntax => "syntax",
            Depth::Mx => "mx",
            Depth::Smtp => "smtp",
        }
    }

    /// Parses `syntax`, `mx` or `smtp`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "syntax" => Some(Depth::Syntax),
            "mx" => Some(Depth::Mx),
            "smtp" => Some(Depth::Smtp),
            _ => None,
        }
    }
}

/// One machine-readable reason behind a verdict, serialized as a dotted code
/// (`syntax.no_at_sign`, `dns.null_mx`, `smtp.catch_all`, `disposable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// A syntax rule was broken.
    Syntax(SyntaxErrorKind),
    /// The local part is non-ASCII: delivery needs SMTPUTF8.
    SmtpUtf8,
    /// A disposable-mail domain.
    Disposable,
    /// A role account (`info@`).
    RoleAccount,
    /// A free-mail provider.
    FreeProvider,
    /// The domain does not exist.
    NxDomain,
    /// The domain publishes a null MX: it accepts no mail.
    NullMx,
    /// The domain exists but has neither MX nor address records.
    NoMailHost,
    /// No MX; mail goes to the domain's own address (implicit MX).
    ImplicitMx,
    /// The DNS lookup failed in this way.
    Dns(DnsFailure),
    /// The mail server accepted the recipient.
    SmtpAccepted,
    /// The mail server rejected the recipient (5xx).
    SmtpRejected,
    /// A temporary failure (4xx, e.g. greylisting); retry later.
    SmtpTemporaryFailure,
    /// The server accepts any recipient: acceptance proves nothing.
    CatchAll,
    /// The mail provider (by MX) accepts everything or hides rejections.
    ProviderPolicy,
    /// No mail host could be reached.
    SmtpConnectionFailed,
    /// The server closed the connection mid-conversation.
    SmtpConnectionDropped,
    /// The server did not answer within the timeout.
    SmtpTimeout,
    /// The server answered something that is not SMTP.
    SmtpProtocolError,
    /// STARTTLS was offered but the TLS handshake failed.
    SmtpTlsFailed,
    /// The server refused our `MAIL FROM` (policy, reputation).
    SmtpSenderRejected,
    /// The probe was asked for but the address needs SMTPUTF8 and the server lacks it.
    SmtpUtf8Unsupported,
    /// The result came from the verification cache.
    Cached,
}

impl Reason {
    /// The dotted code.
    pub fn code(self) -> String {
        match self {
            Reason::Syntax(k) => format!("syntax.{}", k.as_str()),
            Reason::Dns(f) => format!("dns.{}", f.as_str()),
            other => other.simple_code().unwrap_or_default().to_string(),
        }
    }

    fn simple_code(self) -> Option<&'static str> {
        Some(match self {
            Reason::SmtpUtf8 => "smtputf8",
            Reason::Disposable => "disposable",
            Reason::RoleAccount => "role_account",
            Reason::FreeProvider => "free_provider",
            Reason::NxDomain => "dns.nxdomain",
            Reason::NullMx => "dns.null_mx",
            Reason::NoMailHost => "dns.no_mail_host",
            Reason::ImplicitMx => "dns.implicit_mx",
            Reason::SmtpAccepted => "smtp.accepted",
            Reason::SmtpRejected => "smtp.rejected",
            Reason::SmtpTemporaryFailure => "smtp.temporary_failure",
            Reason::CatchAll => "smtp.catch_all",
            Reason::ProviderPolicy => "smtp.provider_policy",
            Reason::SmtpConnectionFailed => "smtp.connection_failed",
            Reason::SmtpConnectionDropped => "smtp.connection_dropped",
            Reason::SmtpTimeout => "smtp.timeout",
            Reason::SmtpProtocolError => "smtp.protocol_error",
            Reason::SmtpTlsFailed => "smtp.tls_failed",
            Reason::SmtpSenderRejected => "smtp.sender_rejected",
            Reason::SmtpUtf8Unsupported => "smtp.smtputf8_unsupported",
            Reason::Cached => "cached",
            Reason::Syntax(_) | Reason::Dns(_) => return None,
        })
    }

    const SIMPLE: [Reason; 21] = [
        Reason::SmtpUtf8,
        Reason::Disposable,
        Reason::RoleAccount,
        Reason::FreeProvider,
        Reason::NxDomain,
        Reason::NullMx,
        Reason::NoMailHost,
        Reason::ImplicitMx,
        Reason::SmtpAccepted,
        Reason::SmtpRejected,
        Reason::SmtpTemporaryFailure,
        Reason::CatchAll,
        Reason::ProviderPolicy,
        Reason::SmtpConnectionFailed,
        Reason::SmtpConnectionDropped,
        Reason::SmtpTimeout,
        Reason::SmtpProtocolError,
        Reason::SmtpTlsFailed,
        Reason::SmtpSenderRejected,
        Reason::SmtpUtf8Unsupported,
        Reason::Cached,
    ];

    /// Parses a dotted code.
    pub fn parse(code: &str) -> Option<Self> {
        if let Some(k) = code.strip_prefix("syntax.") {
            return SyntaxErrorKind::parse(k).map(Reason::Syntax);
        }
        if let Some(f) = code.strip_prefix("dns.") {
            let failure = [
                DnsFailure::Timeout,
                DnsFailure::ServFail,
                DnsFailure::Refused,
                DnsFailure::Unreachable,
                DnsFailure::Other,
            ]
            .into_iter()
            .find(|x| x.as_str() == f);
            if let Some(failure) = failure {
                return Some(Reason::Dns(failure));
            }
        }
        Self::SIMPLE
            .into_iter()
            .find(|r| r.simple_code() == Some(code))
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code())
    }
}

impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Reason::parse(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown reason {code:?}")))
    }
}

/// The result of validating one address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailVerification {
    /// The address as given.
    pub address: String,
    /// The verdict.
    pub status: VerificationStatus,
    /// Why, as machine-readable codes, most decisive first.
    pub reasons: Vec<Reason>,
    /// A human-readable detail for the first reason (offending character, server reply).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The normalized address (`local@unicode-domain`), when the syntax is valid.
    pub normalized: Option<String>,
    /// The ASCII form (`local@xn--…`), when the local part is ASCII.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ascii: Option<String>,
    /// The provider's canonical mailbox for dedup (Gmail dots and `+tag` removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical: Option<String>,
    /// The local part needs SMTPUTF8.
    #[serde(default)]
    pub smtputf8: bool,
    /// Disposable, role account, free-mail provider.
    #[serde(flatten)]
    pub flags: EmailFlags,
    /// Mail hosts in preference order (MX depth and deeper).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mx_hosts: Vec<String>,
    /// Whether the server accepted a random recipient (SMTP depth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catch_all: Option<bool>,
    /// Seconds to wait before trying again, after a temporary failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
    /// The depth the checks went to.
    pub depth: Depth,
    /// When the checks ran.
    pub checked_at: DateTime<Utc>,
}

impl EmailVerification {
    /// A result with no reasons yet.
    pub fn new(
        address: impl Into<String>,
        status: VerificationStatus,
        depth: Depth,
        checked_at: DateTime<Utc>,
    ) -> Self {
        EmailVerification {
            address: address.into(),
            status,
            reasons: Vec::new(),
            detail: None,
            normalized: None,
            ascii: None,
            canonical: None,
            smtputf8: false,
            flags: EmailFlags::default(),
            mx_hosts: Vec::new(),
            catch_all: None,
            retry_after_secs: None,
            depth,
            checked_at,
        }
    }

    /// Whether `reason` is among the reasons.
    pub fn has(&self, reason: Reason) -> bool {
        self.reasons.contains(&reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_round_trips() {
        let mut all: Vec<Reason> = Reason::SIMPLE.to_vec();
        all.extend(SyntaxErrorKind::ALL.map(Reason::Syntax));
        all.extend(
            [
                DnsFailure::Timeout,
                DnsFailure::ServFail,
                DnsFailure::Refused,
                DnsFailure::Unreachable,
                DnsFailure::Other,
            ]
            .map(Reason::Dns),
        );
        for r in all {
            assert_eq!(Reason::parse(&r.code()), Some(r), "{r}");
        }
        assert_eq!(Reason::parse("nope"), None);
    }

    #[test]
    fn serializes_flat() {
        let mut v =
            EmailVerification::new("a@b.cz", VerificationStatus::Risky, Depth::Mx, Utc::now());
        v.flags.disposable = true;
        v.reasons = vec![Reason::Disposable, Reason::Dns(DnsFailure::Timeout)];
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["status"], "risky");
        assert_eq!(json["disposable"], true);
        assert_eq!(json["reasons"][1], "dns.timeout");
        let back: EmailVerification = serde_json::from_value(json).unwrap();
        assert_eq!(back, v);
    }
}
