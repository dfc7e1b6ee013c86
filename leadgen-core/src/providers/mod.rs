//! Traits for the services leadgen talks to. Implementations live in `leadgen-stages`.

mod crm;
mod dns;
mod llm;
mod mailer;
mod registry;

pub use crm::{CrmConnector, CrmRecord, FieldMapping, PullPage, PushReport};
pub use dns::{DnsResolver, MxLookup, MxRecord};
pub use llm::{ChatMessage, ChatRequest, ChatResponse, ChatRole, LlmProvider, TokenUsage};
pub use mailer::{Mailer, OutgoingMessage};
pub use registry::{RegistryAdapter, RegistryHit};
