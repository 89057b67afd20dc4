//! The `Provider` trait every client implements, provider kinds, and helpers to consume streams.

use std::fmt;

use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, LlmError, LlmResult};
use crate::types::{Request, Response, StreamEvent};

/// A stream of answer events; it ends after [`StreamEvent::Done`] or after one `Err`.
pub type EventStream = BoxStream<'static, LlmResult<StreamEvent>>;

/// A model provider: one configured endpoint (`[providers.NAME]`).
///
/// Futures and streams are `'static` and `Send`, so the host can spawn them. Dropping the future
/// or the stream cancels the call (the HTTP connection is closed); nothing keeps running.
pub trait Provider: Send + Sync {
    /// The configured name (the `NAME` of `[providers.NAME]`, the prefix of model strings).
    fn name(&self) -> &str;

    fn kind(&self) -> ProviderKind;

    /// Asks for a complete answer.
    fn chat(&self, request: Request) -> BoxFuture<'static, LlmResult<Response>>;

    /// Asks for an answer as it is produced. The stream does nothing until polled.
    fn stream(&self, request: Request) -> EventStream;
}

impl fmt::Debug for dyn Provider {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Provider")
            .field("name", &self.name())
            .field("kind", &self.kind())
            .finish()
    }
}

/// The kinds of provider, as written in `kind = "…"` of the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProviderKind {
    #[serde(rename = "openai")]
    OpenAi,
    #[serde(rename = "openai-compatible")]
    OpenAiCompatible,
    #[serde(rename = "anthropic")]
    Anthropic,
    #[serde(rename = "gemini")]
    Gemini,
    #[serde(rename = "ollama")]
    Ollama,
    #[serde(rename = "scripted")]
    Scripted,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 6] = [
        ProviderKind::OpenAi,
        ProviderKind::OpenAiCompatible,
        ProviderKind::Anthropic,
        ProviderKind::Gemini,
        ProviderKind::Ollama,
        ProviderKind::Scripted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "openai",
            ProviderKind::OpenAiCompatible => "openai-compatible",
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::Gemini => "gemini",
            ProviderKind::Ollama => "ollama",
            ProviderKind::Scripted => "scripted",
        }
    }

    pub fn from_name(name: &str) -> Option<ProviderKind> {
        ProviderKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }

    /// The vendor's own endpoint, as its SDK takes it (none for OpenAI-compatible and scripted).
    pub fn default_base_url(self) -> Option<&'static str> {
        match self {
            ProviderKind::OpenAi => Some("https://api.openai.com/v1"),
            ProviderKind::Anthropic => Some("https://api.anthropic.com"),
            ProviderKind::Gemini => Some("https://generativelanguage.googleapis.com"),
            ProviderKind::Ollama => Some("http://127.0.0.1:11434"),
            ProviderKind::OpenAiCompatible | ProviderKind::Scripted => None,
        }
    }

    /// The environment variable the vendor's tools read the key from.
    pub fn default_api_key_env(self) -> Option<&'static str> {
        match self {
            ProviderKind::OpenAi => Some("OPENAI_API_KEY"),
            ProviderKind::Anthropic => Some("ANTHROPIC_API_KEY"),
            ProviderKind::Gemini => Some("GEMINI_API_KEY"),
            ProviderKind::OpenAiCompatible | ProviderKind::Ollama | ProviderKind::Scripted => None,
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A model string split into the provider name and the model inside it:
/// `openai/gpt-4o-mini` → (`openai`, `gpt-4o-mini`); the model part may itself hold slashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelRef {
    pub provider: String,
    pub model: String,
}

impl ModelRef {
    /// Splits at the first `/`; `None` when there is no provider part or either part is empty.
    pub fn parse(model: &str) -> Option<ModelRef> {
        let (provider, model) = model.split_once('/')?;
        (!provider.is_empty() && !model.is_empty()).then(|| ModelRef {
            provider: provider.to_owned(),
            model: model.to_owned(),
        })
    }
}

impl fmt::Display for ModelRef {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}/{}", self.provider, self.model)
    }
}

/// Drives a stream to its end, calling `on_event` for every event before [`StreamEvent::Done`],
/// and returns the assembled response (what `llm.stream` returns after its callbacks).
pub async fn collect_stream(
    mut stream: EventStream,
    mut on_event: impl FnMut(&StreamEvent),
) -> LlmResult<Response> {
    while let Some(event) = stream.next().await {
        match event? {
            StreamEvent::Done { response } => return Ok(response),
            other => on_event(&other),
        }
    }
    // Our providers always end with `Done` or an error; this guards hand-made streams.
    Err(LlmError::new(
        ErrorCode::ProviderHttp,
        "unknown",
        "the stream ended without a complete answer",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_strings_split_at_the_first_slash() {
        assert_eq!(
            ModelRef::parse("local/meta-llama/Llama-3"),
            Some(ModelRef {
                provider: "local".into(),
                model: "meta-llama/Llama-3".into()
            })
        );
        assert_eq!(ModelRef::parse("gpt-4o"), None);
        assert_eq!(ModelRef::parse("/x"), None);
        assert_eq!(
            ModelRef::parse("openai/").map(|model| model.to_string()),
            None
        );
    }

    #[test]
    fn kinds_round_trip_through_their_configuration_names() {
        for kind in ProviderKind::ALL {
            assert_eq!(ProviderKind::from_name(kind.as_str()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::json!(kind.as_str())
            );
        }
    }
}
