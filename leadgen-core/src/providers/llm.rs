//! Large-language-model providers (OpenAI, Anthropic, Perplexity, …).

use std::fmt::Debug;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// Who said a chat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatRole {
    /// Instructions.
    System,
    /// The user.
    User,
    /// The model.
    Assistant,
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Who said it.
    pub role: ChatRole,
    /// What was said.
    pub content: String,
}

/// A chat-completion request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    /// The model (`gpt-4.1-mini`); empty for the provider's default.
    pub model: String,
    /// The conversation.
    pub messages: Vec<ChatMessage>,
    /// Sampling temperature.
    pub temperature: Option<f32>,
    /// Most tokens to generate.
    pub max_tokens: Option<u32>,
    /// Ask for a JSON object as the answer.
    pub json: bool,
}

/// Tokens used by one call (logged per call, so cost is known).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenUsage {
    /// Prompt tokens.
    pub input_tokens: u64,
    /// Completion tokens.
    pub output_tokens: u64,
}

/// A chat-completion response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatResponse {
    /// The answer.
    pub content: String,
    /// The model that answered.
    pub model: String,
    /// Token usage.
    pub usage: TokenUsage,
}

/// A chat-completion provider.
///
/// ```
/// use async_trait::async_trait;
/// use leadgen_core::providers::{ChatRequest, ChatResponse, LlmProvider, TokenUsage};
/// use leadgen_core::Result;
///
/// /// Answers every prompt with the same text (for tests).
/// #[derive(Debug)]
/// struct Canned(&'static str);
///
/// #[async_trait]
/// impl LlmProvider for Canned {
///     fn id(&self) -> &str { "canned" }
///     async fn complete(&self, _r: &ChatRequest) -> Result<ChatResponse> {
///         Ok(ChatResponse { content: self.0.into(), model: "canned".into(), usage: TokenUsage::default() })
///     }
/// }
/// ```
#[async_trait]
pub trait LlmProvider: Send + Sync + Debug {
    /// The provider's id (`openai`).
    fn id(&self) -> &str;
    /// Runs one chat completion.
    async fn complete(&self, request: &ChatRequest) -> Result<ChatResponse>;
}
