//! LLM providers for llmspell: one [`Provider`] trait with chat and streaming chat, native tool
//! calling and structured output, implemented for OpenAI Chat Completions (and any
//! OpenAI-compatible server), Anthropic Messages, Gemini and Ollama; the offline `scripted`
//! provider; and record/replay of whole runs.
//!
//! This crate knows nothing of scripts: requests and responses are plain Rust data, schemas and
//! tool arguments `serde_json` values. The host maps the spell API's `Request`/`Response` onto
//! [`Request`]/[`Response`], and the CLI builds providers from `[providers.NAME]` with
//! [`ProviderConfig`] and [`build_provider`].
//!
//! Every provider call retries 429/5xx/overloaded answers with backoff (honouring
//! `retry-after`), is bounded by a per-request timeout, is cancelled by dropping its future or
//! stream, and fails with an [`LlmError`] carrying a stable [`ErrorCode`].
//!
//! With the `test-server` feature, [`testing`] has local HTTP servers speaking each vendor's
//! wire format, for this crate's tests and those of the host and the CLI.

mod anthropic;
mod assemble;
mod config;
mod error;
mod framing;
mod gemini;
mod http_provider;
mod ollama;
mod openai;
mod provider;
mod record;
mod registry;
mod retry;
mod scripted;
mod structured;
mod transport;
mod types;

#[cfg(feature = "test-server")]
pub mod testing;

pub use anthropic::{ANTHROPIC_VERSION, AnthropicProvider};
pub use config::{DEFAULT_TIMEOUT, ProviderConfig, build_provider};
pub use error::{ErrorCode, LlmError, LlmResult};
pub use gemini::GeminiProvider;
pub use ollama::OllamaProvider;
pub use openai::OpenAiProvider;
pub use provider::{EventStream, ModelRef, Provider, ProviderKind, collect_stream};
pub use record::{
    Exchange, ExchangeMode, RECORDING_VERSION, Recorder, RecordingFile, ReplayLog,
    events_of_response,
};
pub use registry::{ProviderInfo, ProviderRegistry, is_reachable, ollama_base_url};
pub use retry::RetryPolicy;
pub use scripted::{
    SCRIPTED_PROVIDER_NAME, Script, ScriptedError, ScriptedOtherwise, ScriptedProvider,
    ScriptedReply, ScriptedRule, ScriptedToolCall,
};
pub use structured::{check_schema, parse_structured_answer, validate_against_schema};
pub use types::{
    FinishReason, Message, Request, Response, Role, StreamEvent, ToolCall, ToolSpec, Usage,
};
