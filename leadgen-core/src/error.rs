//! The one error type of `leadgen-core`, shared by every trait the core defines.
//!
//! Callers branch on [`Error::kind`] (an [`ErrorKind`]), never on message strings.
//! Backends and providers in other crates convert their own errors into this one at
//! the trait boundary, keeping the original as `source`.

use std::fmt;

/// A boxed error kept as the cause of an [`Error`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Result alias used throughout leadgen.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, as a stable code that bindings expose (`STORE_NOT_FOUND`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A value given by the caller is not acceptable (bad id, over-long field, …).
    InvalidInput,
    /// The requested record does not exist (for this tenant).
    NotFound,
    /// A uniqueness rule of the store was violated.
    UniqueViolation,
    /// A record belongs to another tenant than the handle used.
    TenantMismatch,
    /// The store could not be reached (refused connection, bad URL, missing file).
    Connection,
    /// The store failed while executing an operation.
    Storage,
    /// Applying the schema migrations failed.
    Migration,
    /// A remote provider (registry, CRM, LLM, mailer, DNS) failed.
    Provider,
    /// The operation was cancelled.
    Cancelled,
    /// A time limit was hit.
    Timeout,
    /// A credit budget is spent.
    BudgetExhausted,
    /// A stage graph or stage configuration is invalid.
    Config,
    /// A file could not be read or written.
    Io,
}

impl ErrorKind {
    /// The stable, upper-snake-case code of this kind (used as the JS `code`).
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "INVALID_INPUT",
            ErrorKind::NotFound => "NOT_FOUND",
            ErrorKind::UniqueViolation => "UNIQUE_VIOLATION",
            ErrorKind::TenantMismatch => "TENANT_MISMATCH",
            ErrorKind::Connection => "CONNECTION",
            ErrorKind::Storage => "STORAGE",
            ErrorKind::Migration => "MIGRATION",
            ErrorKind::Provider => "PROVIDER",
            ErrorKind::Cancelled => "CANCELLED",
            ErrorKind::Timeout => "TIMEOUT",
            ErrorKind::BudgetExhausted => "BUDGET_EXHAUSTED",
            ErrorKind::Config => "CONFIG",
            ErrorKind::Io => "IO",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The error of every leadgen-core operation and trait.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A caller-supplied value was rejected.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The field or argument that was rejected.
        field: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A record was not found for the tenant.
    #[error("{entity} {id} not found")]
    NotFound {
        /// The kind of record (`company`, `contact`, `run`, …).
        entity: &'static str,
        /// Its id.
        id: String,
    },
    /// A store operation failed.
    #[error("{backend} store: {message}")]
    Store {
        /// What kind of failure it was.
        kind: ErrorKind,
        /// The backend (`sqlite`, `postgres`).
        backend: &'static str,
        /// A human-readable description; never contains a password.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<BoxError>,
    },
    /// A remote provider failed.
    #[error("provider {provider}: {message}")]
    Provider {
        /// Provider id (`ares`, `openai`, `smtp`, …).
        provider: String,
        /// What happened.
        message: String,
        /// Whether a retry may succeed (rate limit, timeout, 5xx).
        retryable: bool,
        /// Seconds the provider asked to wait before retrying, if it said so.
        retry_after_secs: Option<u64>,
        /// The underlying error.
        #[source]
        source: Option<BoxError>,
    },
    /// A stage graph or configuration is invalid.
    #[error("configuration: {0}")]
    Config(String),
    /// The operation was cancelled.
    #[error("cancelled")]
    Cancelled,
    /// A time limit was hit.
    #[error("timed out after {0:?}")]
    Timeout(std::time::Duration),
    /// A credit budget is spent.
    #[error("credit budget exhausted: {0}")]
    BudgetExhausted(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The stable kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput { .. } => ErrorKind::InvalidInput,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::Store { kind, .. } => *kind,
            Error::Provider { .. } => ErrorKind::Provider,
            Error::Config(_) => ErrorKind::Config,
            Error::Cancelled => ErrorKind::Cancelled,
            Error::Timeout(_) => ErrorKind::Timeout,
            Error::BudgetExhausted(_) => ErrorKind::BudgetExhausted,
            Error::Io { .. } => ErrorKind::Io,
        }
    }

    /// Shorthand for [`Error::InvalidInput`].
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// Whether retrying the same call may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Provider { retryable, .. } => *retryable,
            Error::Timeout(_) => true,
            Error::Store { kind, .. } => *kind == ErrorKind::Connection,
            _ => false,
        }
    }
}

/// Removes the password from a connection URL, for error messages and logs.
///
/// ```
/// use leadgen_core::error::redact_url;
/// assert_eq!(
///     redact_url("postgres://app:s3cret@db.local:5432/leads"),
///     "postgres://app:***@db.local:5432/leads"
/// );
/// assert_eq!(redact_url("sqlite://leadgen.db"), "sqlite://leadgen.db");
/// ```
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let userinfo = &authority[..at];
    let user = match userinfo.find(':') {
        Some(colon) => format!("{}:***", &userinfo[..colon]),
        None => userinfo.to_string(),
    };
    format!("{}://{}@{}", &url[..scheme_end], user, &rest[at + 1..])
}
