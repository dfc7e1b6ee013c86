//! The error type of the email family.

use serde::{Deserialize, Serialize};

/// How a DNS lookup failed (as opposed to a negative answer, which is not an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DnsFailure {
    /// No answer within the configured timeout and attempts.
    Timeout,
    /// The server answered SERVFAIL.
    ServFail,
    /// The server refused the query.
    Refused,
    /// The resolver could not reach any nameserver (refused connection, no route).
    Unreachable,
    /// Any other failure (malformed answer, unexpected response code).
    Other,
}

impl DnsFailure {
    /// The snake_case code.
    pub fn as_str(self) -> &'static str {
        match self {
            DnsFailure::Timeout => "timeout",
            DnsFailure::ServFail => "servfail",
            DnsFailure::Refused => "refused",
            DnsFailure::Unreachable => "unreachable",
            DnsFailure::Other => "error",
        }
    }
}

/// Errors of email validation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmailError {
    /// A domain list file could not be read.
    #[error("{path}: {source}")]
    ListFile {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A DNS lookup failed.
    #[error("DNS lookup of {domain} failed: {} ({message})", failure.as_str())]
    Dns {
        /// The domain looked up (ASCII).
        domain: String,
        /// How it failed.
        failure: DnsFailure,
        /// The resolver's description.
        message: String,
    },
    /// An option is invalid (a nameserver that is not `IP:PORT`, a zero limit, …).
    #[error("invalid option {option}: {reason}")]
    Config {
        /// The option.
        option: &'static str,
        /// Why.
        reason: String,
    },
    /// The verification cache could not be read or written.
    #[error("verification cache: {0}")]
    Cache(#[source] leadgen_core::Error),
}

impl EmailError {
    /// The DNS failure kind, when this is a DNS error.
    pub fn dns_failure(&self) -> Option<DnsFailure> {
        match self {
            EmailError::Dns { failure, .. } => Some(*failure),
            _ => None,
        }
    }
}

impl From<EmailError> for leadgen_core::Error {
    fn from(e: EmailError) -> Self {
        match e {
            EmailError::ListFile { path, source } => leadgen_core::Error::Io { path, source },
            EmailError::Config { option, reason } => {
                leadgen_core::Error::Config(format!("{option}: {reason}"))
            }
            EmailError::Cache(inner) => inner,
            dns @ EmailError::Dns { .. } => {
                let retryable = matches!(
                    dns.dns_failure(),
                    Some(DnsFailure::Timeout | DnsFailure::ServFail | DnsFailure::Unreachable)
                );
                leadgen_core::Error::Provider {
                    provider: "dns".into(),
                    message: dns.to_string(),
                    retryable,
                    retry_after_secs: None,
                    source: Some(Box::new(dns)),
                }
            }
        }
    }
}

/// The DNS failure inside a core error produced by a resolver, when it can be told:
/// a [`leadgen_core::Error::Timeout`] is a timeout; a provider error whose source is
/// an [`EmailError::Dns`] carries its kind; anything else is `Other`.
pub fn dns_failure_of(error: &leadgen_core::Error) -> DnsFailure {
    match error {
        leadgen_core::Error::Timeout(_) => DnsFailure::Timeout,
        leadgen_core::Error::Provider {
            source: Some(source),
            ..
        } => source
            .downcast_ref::<EmailError>()
            .and_then(EmailError::dns_failure)
            .unwrap_or(DnsFailure::Other),
        _ => DnsFailure::Other,
    }
}
