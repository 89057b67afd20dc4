//! What the CLI builds from `[providers.NAME]` (and the environment) to get a provider.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{ErrorCode, LlmError, LlmResult};
use crate::provider::{Provider, ProviderKind};
use crate::registry::ProviderInfo;
use crate::retry::RetryPolicy;

/// One provider's settings, resolved: the key is the value of `api_key_env` (read by the CLI,
/// never shown to scripts and never printed: `Debug` hides it), relative paths are already
/// resolved against the workspace.
#[derive(Clone, PartialEq)]
pub struct ProviderConfig {
    /// The table key of `[providers.NAME]`: the prefix of model strings and `Response::provider`.
    pub name: String,
    pub kind: ProviderKind,
    /// As the vendor's own SDK takes it: OpenAI and compatible servers with `/v1`
    /// (`https://api.openai.com/v1`), Anthropic, Gemini and Ollama the bare host. `None` takes
    /// the vendor's default; OpenAI-compatible servers need one.
    pub base_url: Option<String>,
    pub api_key: Option<String>,
    /// The configured model names (for listing and checks; any name is passed through).
    pub models: Vec<String>,
    /// For `scripted`: the script file; `None` echoes.
    pub script: Option<PathBuf>,
    pub retry: RetryPolicy,
    /// The per-request timeout: for `chat` the whole call, for `stream` the wait for the answer
    /// to start and then the longest silence between two pieces of it. A request's own
    /// `timeout` overrides it.
    pub timeout: Duration,
}

/// The default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

impl ProviderConfig {
    /// A configuration with the kind's defaults (no key, default base URL, default retries).
    pub fn new(name: impl Into<String>, kind: ProviderKind) -> ProviderConfig {
        ProviderConfig {
            name: name.into(),
            kind,
            base_url: None,
            api_key: None,
            models: Vec::new(),
            script: None,
            retry: RetryPolicy::default(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    pub fn with_base_url(mut self, base_url: impl Into<String>) -> ProviderConfig {
        self.base_url = Some(base_url.into());
        self
    }

    pub fn with_api_key(mut self, api_key: impl Into<String>) -> ProviderConfig {
        self.api_key = Some(api_key.into());
        self
    }

    pub fn with_script(mut self, script: impl Into<PathBuf>) -> ProviderConfig {
        self.script = Some(script.into());
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> ProviderConfig {
        self.retry = retry;
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> ProviderConfig {
        self.timeout = timeout;
        self
    }

    /// What scripts may see of this configuration (never the key): name, kind, configured
    /// base URL and models, and `available` as [`ProviderInfo::available`] says, judged by the
    /// kind alone: `false` only for the `openai`, `anthropic` and `gemini` kinds without a key.
    /// A caller that knows the configuration names an `api_key_env` adjusts it.
    pub fn info(&self) -> ProviderInfo {
        let needs_key = self.kind.default_api_key_env().is_some();
        ProviderInfo {
            name: self.name.clone(),
            kind: self.kind,
            base_url: self.base_url.clone().filter(|url| !url.trim().is_empty()),
            models: self.models.clone(),
            available: !needs_key || self.api_key.is_some(),
        }
    }

    /// The base URL in use: the configured one or the kind's default.
    pub fn effective_base_url(&self) -> LlmResult<String> {
        self.base_url
            .clone()
            .filter(|url| !url.trim().is_empty())
            .or_else(|| self.kind.default_base_url().map(str::to_owned))
            .ok_or_else(|| {
                LlmError::new(
                    ErrorCode::ProviderConfig,
                    &self.name,
                    format!("a provider of kind `{}` needs a base_url", self.kind),
                )
            })
    }
}

impl fmt::Debug for ProviderConfig {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("ProviderConfig")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<hidden>"))
            .field("models", &self.models)
            .field("script", &self.script)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Builds the provider a configuration describes. Nothing is sent over the network; a scripted
/// provider reads (and checks) its script file now.
pub fn build_provider(config: &ProviderConfig) -> LlmResult<Arc<dyn Provider>> {
    Ok(match config.kind {
        ProviderKind::OpenAi | ProviderKind::OpenAiCompatible => {
            Arc::new(crate::openai::OpenAiProvider::new(config)?)
        }
        ProviderKind::Anthropic => Arc::new(crate::anthropic::AnthropicProvider::new(config)?),
        ProviderKind::Gemini => Arc::new(crate::gemini::GeminiProvider::new(config)?),
        ProviderKind::Ollama => Arc::new(crate::ollama::OllamaProvider::new(config)?),
        ProviderKind::Scripted => Arc::new(crate::scripted::ScriptedProvider::from_config(config)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_key() {
        let config = ProviderConfig::new("openai", ProviderKind::OpenAi).with_api_key("sk-secret");
        let text = format!("{config:?}");
        assert!(!text.contains("sk-secret"), "{text}");
        assert!(text.contains("<hidden>"), "{text}");
    }

    #[test]
    fn the_description_shows_the_configuration_but_not_the_key() {
        let mut config = ProviderConfig::new("openai", ProviderKind::OpenAi)
            .with_base_url("http://127.0.0.1:9/v1");
        config.models = vec!["gpt-4o".to_owned()];
        let info = config.info();
        assert_eq!(info.base_url.as_deref(), Some("http://127.0.0.1:9/v1"));
        assert_eq!(info.models, vec!["gpt-4o".to_owned()]);
        assert!(!info.available, "no key");
        assert!(config.clone().with_api_key("sk-secret").info().available);
        assert!(
            ProviderConfig::new("o", ProviderKind::Ollama)
                .info()
                .available
        );
        assert!(
            ProviderConfig::new("s", ProviderKind::Scripted)
                .info()
                .available
        );
        assert_eq!(
            ProviderConfig::new("o", ProviderKind::Ollama)
                .info()
                .base_url,
            None
        );
    }

    #[test]
    fn openai_compatible_servers_need_a_base_url() {
        let error = ProviderConfig::new("local", ProviderKind::OpenAiCompatible)
            .effective_base_url()
            .unwrap_err();
        assert_eq!(error.code, ErrorCode::ProviderConfig);
        let anthropic = ProviderConfig::new("a", ProviderKind::Anthropic)
            .effective_base_url()
            .unwrap();
        assert_eq!(anthropic, "https://api.anthropic.com");
    }
}
