//! Delivering outgoing email (SMTP, email APIs).

use std::fmt::Debug;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// One message to deliver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutgoingMessage {
    /// Sender address.
    pub from: String,
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body, if any.
    pub html: Option<String>,
    /// Extra headers (`List-Unsubscribe`, …).
    pub headers: Vec<(String, String)>,
    /// A key that makes a retried send deliver at most once.
    pub idempotency_key: String,
}

/// Delivers one message and returns the provider's message id.
///
/// ```
/// use async_trait::async_trait;
/// use leadgen_core::providers::{Mailer, OutgoingMessage};
/// use leadgen_core::Result;
///
/// #[derive(Debug, Default)]
/// struct Outbox(std::sync::Mutex<Vec<OutgoingMessage>>);
///
/// #[async_trait]
/// impl Mailer for Outbox {
///     fn id(&self) -> &str { "outbox" }
///     async fn send(&self, m: &OutgoingMessage) -> Result<String> {
///         self.0.lock().unwrap().push(m.clone());
///         Ok(format!("msg-{}", m.idempotency_key))
///     }
/// }
/// ```
#[async_trait]
pub trait Mailer: Send + Sync + Debug {
    /// The mailer's id (`smtp`, `resend`).
    fn id(&self) -> &str;
    /// Delivers `message`; returns the provider's message id.
    async fn send(&self, message: &OutgoingMessage) -> Result<String>;
}
