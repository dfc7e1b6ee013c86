//! Email validation: offline syntax and normalization, flags (disposable, role,
//! free-mail), MX lookup, an opt-in SMTP probe, a verification cache in the store,
//! and the `email_validation` stage.
//!
//! ```
//! use leadgen_stages::email::{EmailValidator, ValidatorOptions};
//! use leadgen_stages::email::result::{Reason, VerificationStatus};
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let v = EmailValidator::offline(ValidatorOptions::default());
//! let r = v.validate("Info@Mailinator.com").await;
//! assert_eq!(r.status, VerificationStatus::Risky);
//! assert!(r.flags.disposable && r.flags.role_account);
//! assert_eq!(r.normalized.as_deref(), Some("Info@mailinator.com"));
//! let bad = v.validate("jana@@acme.cz").await;
//! assert_eq!(bad.status, VerificationStatus::Invalid);
//! # });
//! ```

pub mod cache;
pub mod canonical;
pub mod dns;
pub mod error;
pub mod flags;
pub mod providers;
pub mod result;
pub mod smtp;
mod smtp_conn;
pub mod stage;
pub mod syntax;
mod unsafe_chars;
pub mod validator;

pub use error::{DnsFailure, EmailError};
pub use flags::{EmailFlags, FlagRules};
pub use result::{Depth, EmailVerification, Reason, VerificationStatus};

pub use syntax::{ParsedAddress, SyntaxError, SyntaxErrorKind, SyntaxOptions, parse_address};

pub use stage::EmailValidationStage;
pub use validator::{EmailValidator, ValidatorOptions};
