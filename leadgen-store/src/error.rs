//! The error type of leadgen-store, and its conversion into [`leadgen_core::Error`].
//!
//! Every variant names the backend; connection URLs are kept only in redacted form
//! (see [`leadgen_core::error::redact_url`]), so no message ever carries a password.

use leadgen_core::{Error, ErrorKind};

/// What went wrong in a store backend.
///
/// Store methods return [`leadgen_core::Error`]; this type is what they convert
/// from, and it is kept as the `source` of the `Error::Store` they return.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be reached or opened.
    #[error("cannot connect to {url}: {source}")]
    Connect {
        /// `sqlite` or `postgres`.
        backend: &'static str,
        /// The connection URL or path, password removed.
        url: String,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// A connection URL or option is not acceptable.
    #[error("invalid store address {url}: {reason}")]
    InvalidUrl {
        /// The URL, password removed.
        url: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The backend for a URL scheme was not compiled in.
    #[error("{url}: the `{feature}` feature of leadgen-store is not enabled")]
    BackendDisabled {
        /// The URL, password removed.
        url: String,
        /// The cargo feature that would enable it.
        feature: &'static str,
    },
    /// A statement failed.
    #[error("{operation}: {source}")]
    Database {
        /// `sqlite` or `postgres`.
        backend: &'static str,
        /// What the store was doing (`upsert contacts`, `list audit`, …).
        operation: &'static str,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// Applying a schema migration failed, or the database is not one leadgen can use.
    #[error("migration {version} ({name}): {reason}")]
    Migration {
        /// `sqlite` or `postgres`.
        backend: &'static str,
        /// The migration's version number.
        version: i64,
        /// The migration's name.
        name: String,
        /// What went wrong.
        reason: String,
        /// The driver's error, if one.
        #[source]
        source: Option<sqlx::Error>,
    },
    /// A record with this id exists, but under another tenant.
    #[error("{entity} {id} belongs to another tenant")]
    TenantMismatch {
        /// `sqlite` or `postgres`.
        backend: &'static str,
        /// `company` or `contact`.
        entity: &'static str,
        /// The id that clashed.
        id: String,
    },
    /// A stored row could not be decoded (written by another program or corrupted).
    #[error("stored {table} row {id} is unreadable: {reason}")]
    Corrupt {
        /// `sqlite` or `postgres`.
        backend: &'static str,
        /// The table.
        table: &'static str,
        /// The row's id.
        id: String,
        /// What could not be decoded.
        reason: String,
    },
    /// A value could not be stored (serialization or a limit of the backend).
    #[error("{field}: {reason}")]
    InvalidValue {
        /// `sqlite` or `postgres`.
        backend: &'static str,
        /// The field or argument.
        field: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A paging cursor that this store did not hand out.
    #[error("invalid paging cursor {cursor:?}")]
    InvalidCursor {
        /// `sqlite` or `postgres`.
        backend: &'static str,
        /// The cursor as given (truncated).
        cursor: String,
    },
    /// The store was closed.
    #[error("the store is closed")]
    Closed {
        /// `sqlite` or `postgres`.
        backend: &'static str,
    },
}

impl StoreError {
    /// The backend this error comes from (`sqlite`, `postgres`, or `store` when the
    /// URL named none).
    pub fn backend(&self) -> &'static str {
        match self {
            StoreError::Connect { backend, .. }
            | StoreError::Database { backend, .. }
            | StoreError::Migration { backend, .. }
            | StoreError::TenantMismatch { backend, .. }
            | StoreError::Corrupt { backend, .. }
            | StoreError::InvalidValue { backend, .. }
            | StoreError::InvalidCursor { backend, .. }
            | StoreError::Closed { backend } => backend,
            StoreError::InvalidUrl { .. } | StoreError::BackendDisabled { .. } => "store",
        }
    }

    /// The leadgen error kind this error maps to.
    pub fn kind(&self) -> ErrorKind {
        match self {
            StoreError::Connect { .. } | StoreError::Closed { .. } => ErrorKind::Connection,
            StoreError::InvalidUrl { .. } | StoreError::BackendDisabled { .. } => ErrorKind::Config,
            StoreError::Database { source, .. } => classify(source),
            StoreError::Migration { .. } => ErrorKind::Migration,
            StoreError::TenantMismatch { .. } => ErrorKind::TenantMismatch,
            StoreError::Corrupt { .. } => ErrorKind::Storage,
            StoreError::InvalidValue { .. } | StoreError::InvalidCursor { .. } => {
                ErrorKind::InvalidInput
            }
        }
    }

    /// Wraps a driver error raised while doing `operation`.
    pub(crate) fn db(backend: &'static str, operation: &'static str, source: sqlx::Error) -> Self {
        match source {
            sqlx::Error::PoolClosed => StoreError::Closed { backend },
            source => StoreError::Database {
                backend,
                operation,
                source,
            },
        }
    }
}

/// The kind of a driver error: connection trouble, a uniqueness clash, a value the
/// database refused, or a storage failure.
fn classify(error: &sqlx::Error) -> ErrorKind {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => ErrorKind::Connection,
        sqlx::Error::RowNotFound => ErrorKind::NotFound,
        sqlx::Error::Database(db) => {
            if db.kind() == sqlx::error::ErrorKind::UniqueViolation {
                return ErrorKind::UniqueViolation;
            }
            match db.code().as_deref() {
                // PostgreSQL: a row-level security policy refused the row.
                Some("42501") => ErrorKind::TenantMismatch,
                // PostgreSQL data exceptions: a value the database cannot hold
                // (NUL in text or JSON, bad encoding, too long, out of range).
                Some(code) if code.starts_with("22") => ErrorKind::InvalidInput,
                // PostgreSQL class 08 (connection exception), 57P01..03 (shutdown).
                Some(code) if code.starts_with("08") || code.starts_with("57P") => {
                    ErrorKind::Connection
                }
                _ => ErrorKind::Storage,
            }
        }
        _ => ErrorKind::Storage,
    }
}

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        let kind = error.kind();
        let backend = error.backend();
        if let StoreError::InvalidUrl { .. } | StoreError::BackendDisabled { .. } = error {
            return Error::Config(error.to_string());
        }
        Error::Store {
            kind,
            backend,
            message: error.to_string(),
            source: Some(Box::new(error)),
        }
    }
}

/// The result type inside this crate.
pub(crate) type StoreResult<T> = std::result::Result<T, StoreError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_into_core_errors() {
        let e: Error = StoreError::TenantMismatch {
            backend: "sqlite",
            entity: "contact",
            id: "x".into(),
        }
        .into();
        assert_eq!(e.kind(), ErrorKind::TenantMismatch);
        assert!(e.to_string().contains("another tenant"));

        let e: Error = StoreError::BackendDisabled {
            url: "postgres://u:***@h/db".into(),
            feature: "postgres",
        }
        .into();
        assert_eq!(e.kind(), ErrorKind::Config);

        let e: Error = StoreError::db("postgres", "get contact", sqlx::Error::PoolTimedOut).into();
        assert_eq!(e.kind(), ErrorKind::Connection);
        assert!(e.is_retryable());

        let e: Error = StoreError::db("sqlite", "get contact", sqlx::Error::PoolClosed).into();
        assert_eq!(e.kind(), ErrorKind::Connection);
    }
}
