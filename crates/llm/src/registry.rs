//! The configured providers of a run, found by model string: `provider/model`, an alias, or the
//! default model. Also the small helpers the CLI needs to pick the offline default: where Ollama
//! is (`OLLAMA_HOST`) and whether a provider answers at all.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::config::ProviderConfig;
use crate::error::{ErrorCode, LlmError, LlmResult};
use crate::provider::{ModelRef, Provider, ProviderKind};

/// What a script may know about one provider (never its key): what the configuration says,
/// and whether it can be used without asking the network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderInfo {
    /// The configured name (the prefix of its model strings).
    pub name: String,
    pub kind: ProviderKind,
    /// The configured base URL; `None` when the configuration gives none (the kind's default
    /// endpoint is then used, see [`ProviderKind::default_base_url`]).
    pub base_url: Option<String>,
    /// The configured model names (without the provider prefix).
    pub models: Vec<String>,
    /// Whether the provider is usable without a network probe: `scripted` and `ollama`
    /// providers always are; any other provider is when it has its API key, if it needs one
    /// (the `openai`, `anthropic` and `gemini` kinds always do; other kinds when their
    /// configuration names an `api_key_env`). Reachability is not checked.
    pub available: bool,
}

impl ProviderInfo {
    /// The description of a provider added without one: its name and kind, no base URL, no
    /// models, available.
    pub fn unconfigured(provider: &dyn Provider) -> ProviderInfo {
        ProviderInfo {
            name: provider.name().to_owned(),
            kind: provider.kind(),
            base_url: None,
            models: Vec::new(),
            available: true,
        }
    }
}

/// Providers by configured name, with aliases and the default model.
#[derive(Clone, Default)]
pub struct ProviderRegistry {
    providers: BTreeMap<String, Arc<dyn Provider>>,
    infos: BTreeMap<String, ProviderInfo>,
    aliases: BTreeMap<String, String>,
    default_model: Option<String>,
}

impl std::fmt::Debug for ProviderRegistry {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ProviderRegistry")
            .field("providers", &self.providers.keys().collect::<Vec<_>>())
            .field("aliases", &self.aliases)
            .field("default_model", &self.default_model)
            .finish()
    }
}

impl ProviderRegistry {
    pub fn new() -> ProviderRegistry {
        ProviderRegistry::default()
    }

    /// Adds a provider under its own name (replacing one of the same name), described by
    /// [`ProviderInfo::unconfigured`].
    pub fn insert(&mut self, provider: Arc<dyn Provider>) {
        let info = ProviderInfo::unconfigured(provider.as_ref());
        self.insert_described(provider, info);
    }

    /// Adds a provider under its own name (replacing one of the same name) with its
    /// description (see [`ProviderConfig::info`]); the description's name is the provider's.
    pub fn insert_described(&mut self, provider: Arc<dyn Provider>, mut info: ProviderInfo) {
        let name = provider.name().to_owned();
        info.name = name.clone();
        self.infos.insert(name.clone(), info);
        self.providers.insert(name, provider);
    }

    /// The description of the provider named `name`.
    pub fn info(&self, name: &str) -> Option<&ProviderInfo> {
        self.infos.get(name)
    }

    /// The descriptions of every provider, by name.
    pub fn infos(&self) -> impl Iterator<Item = &ProviderInfo> {
        self.infos.values()
    }

    /// `alias` stands for `model` (`fast` → `openai/gpt-4o-mini`).
    pub fn set_alias(&mut self, alias: impl Into<String>, model: impl Into<String>) {
        self.aliases.insert(alias.into(), model.into());
    }

    /// The model used when a request names none (a model string or an alias).
    pub fn set_default_model(&mut self, model: impl Into<String>) {
        self.default_model = Some(model.into());
    }

    pub fn default_model(&self) -> Option<&str> {
        self.default_model.as_deref()
    }

    pub fn get(&self, name: &str) -> Option<&Arc<dyn Provider>> {
        self.providers.get(name)
    }

    /// The providers, by name.
    pub fn providers(&self) -> impl Iterator<Item = &Arc<dyn Provider>> {
        self.providers.values()
    }

    pub fn aliases(&self) -> &BTreeMap<String, String> {
        &self.aliases
    }

    /// The same registry with every provider wrapped (e.g. by a [`crate::Recorder`]).
    pub fn map_providers(
        mut self,
        wrap: impl Fn(Arc<dyn Provider>) -> Arc<dyn Provider>,
    ) -> ProviderRegistry {
        self.providers = self
            .providers
            .into_iter()
            .map(|(name, provider)| (name, wrap(provider)))
            .collect();
        self
    }

    /// Finds the provider and the model name inside it for a request's model (`None`: the
    /// default). Aliases are followed (one level). Unknown names are `provider_config` errors
    /// that list what is configured.
    pub fn resolve(&self, model: Option<&str>) -> LlmResult<(Arc<dyn Provider>, String)> {
        let requested = match model.filter(|model| !model.is_empty()) {
            Some(model) => model,
            None => self.default_model.as_deref().ok_or_else(|| {
                LlmError::new(
                    ErrorCode::ProviderConfig,
                    "llm",
                    "no model given and no default model configured",
                )
            })?,
        };
        let full = self
            .aliases
            .get(requested)
            .map(String::as_str)
            .unwrap_or(requested);
        let Some(reference) = ModelRef::parse(full) else {
            return Err(LlmError::new(
                ErrorCode::ProviderConfig,
                "llm",
                format!(
                    "model `{requested}` is neither `provider/model` nor an alias (aliases: {})",
                    list_or_none(self.aliases.keys())
                ),
            ));
        };
        match self.providers.get(&reference.provider) {
            Some(provider) => Ok((provider.clone(), reference.model)),
            None => Err(LlmError::new(
                ErrorCode::ProviderConfig,
                &reference.provider,
                format!(
                    "model `{full}` names provider `{}`, which is not configured (configured: {})",
                    reference.provider,
                    list_or_none(self.providers.keys())
                ),
            )),
        }
    }
}

fn list_or_none<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<&str> = names.map(String::as_str).collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

/// Ollama's base URL from `OLLAMA_HOST` as Ollama itself reads it: `host`, `host:port`,
/// `http(s)://host:port`; `0.0.0.0` (a listen address) means this machine. Unset or empty:
/// `http://127.0.0.1:11434`.
pub fn ollama_base_url(ollama_host: Option<&str>) -> String {
    let value = ollama_host
        .map(str::trim)
        .unwrap_or_default()
        .trim_end_matches('/');
    if value.is_empty() {
        return "http://127.0.0.1:11434".to_owned();
    }
    let (scheme, rest) = match value.split_once("://") {
        Some((scheme, rest)) => (scheme, rest),
        None => ("http", value),
    };
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) => {
            (host, port.to_owned())
        }
        _ => (
            rest,
            if scheme == "https" {
                "443".to_owned()
            } else {
                "11434".to_owned()
            },
        ),
    };
    let host = if host.is_empty() || host == "0.0.0.0" {
        "127.0.0.1"
    } else {
        host
    };
    format!("{scheme}://{host}:{port}")
}

/// Whether the provider's server answers HTTP at all within `timeout` (any status counts: a
/// 401 or 404 still proves it is there). For Ollama it asks `/api/version`; the scripted provider
/// is always there. No key is sent and nothing is billed.
pub async fn is_reachable(config: &ProviderConfig, timeout: Duration) -> bool {
    if config.kind == ProviderKind::Scripted {
        return true;
    }
    let Ok(base_url) = config.effective_base_url() else {
        return false;
    };
    let url = match config.kind {
        ProviderKind::Ollama => {
            crate::transport::join_url(base_url.trim_end_matches("/api"), "api/version")
        }
        _ => base_url,
    };
    let Ok(client) = crate::transport::http_client(&config.name) else {
        return false;
    };
    matches!(
        tokio::time::timeout(timeout, client.get(&url).send()).await,
        Ok(Ok(_))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scripted::ScriptedProvider;

    fn registry() -> ProviderRegistry {
        let mut registry = ProviderRegistry::new();
        registry.insert(Arc::new(ScriptedProvider::echo("offline")));
        registry.insert(Arc::new(ScriptedProvider::echo("local")));
        registry.set_alias("fast", "local/qwen/qwen3-4b");
        registry.set_default_model("offline/any");
        registry
    }

    #[test]
    fn model_strings_aliases_and_the_default_resolve() {
        let registry = registry();
        let (provider, model) = registry.resolve(Some("offline/echo-1")).unwrap();
        assert_eq!((provider.name(), model.as_str()), ("offline", "echo-1"));
        let (provider, model) = registry.resolve(Some("fast")).unwrap();
        assert_eq!(
            (provider.name(), model.as_str()),
            ("local", "qwen/qwen3-4b")
        );
        let (provider, model) = registry.resolve(None).unwrap();
        assert_eq!((provider.name(), model.as_str()), ("offline", "any"));
    }

    #[test]
    fn providers_carry_their_description() {
        let mut registry = registry();
        let mut config = ProviderConfig::new("remote", ProviderKind::OpenAi)
            .with_base_url("http://127.0.0.1:9/v1")
            .with_api_key("sk-secret");
        config.models = vec!["gpt-4o-mini".to_owned()];
        registry.insert_described(Arc::new(ScriptedProvider::echo("remote")), config.info());
        let info = registry.info("remote").unwrap();
        assert_eq!(info.base_url.as_deref(), Some("http://127.0.0.1:9/v1"));
        assert_eq!(info.models, vec!["gpt-4o-mini".to_owned()]);
        assert!(info.available);
        assert!(!format!("{info:?}").contains("sk-secret"));
        let offline = registry.info("offline").unwrap();
        assert_eq!((offline.base_url.clone(), offline.available), (None, true));
        let names: Vec<&str> = registry.infos().map(|info| info.name.as_str()).collect();
        assert_eq!(names, ["local", "offline", "remote"]);
        let wrapped = registry.map_providers(|provider| provider);
        assert_eq!(wrapped.info("remote").unwrap().models.len(), 1);
    }

    #[test]
    fn unknown_providers_and_bare_names_say_what_is_configured() {
        let registry = registry();
        let unknown = registry.resolve(Some("openai/gpt-4o")).unwrap_err();
        assert_eq!(unknown.code, ErrorCode::ProviderConfig);
        assert!(
            unknown.message.contains("configured: local, offline"),
            "{unknown}"
        );
        let bare = registry.resolve(Some("gpt-4o")).unwrap_err();
        assert!(bare.message.contains("aliases: fast"), "{bare}");
        assert!(ProviderRegistry::new().resolve(None).is_err());
    }

    #[test]
    fn ollama_host_values_as_ollama_reads_them() {
        assert_eq!(ollama_base_url(None), "http://127.0.0.1:11434");
        assert_eq!(ollama_base_url(Some("")), "http://127.0.0.1:11434");
        assert_eq!(ollama_base_url(Some("0.0.0.0")), "http://127.0.0.1:11434");
        assert_eq!(
            ollama_base_url(Some("127.0.0.1:8080")),
            "http://127.0.0.1:8080"
        );
        assert_eq!(ollama_base_url(Some("gpu-box")), "http://gpu-box:11434");
        assert_eq!(
            ollama_base_url(Some("https://ollama.example/")),
            "https://ollama.example:443"
        );
        assert_eq!(
            ollama_base_url(Some("http://[::1]:11434")),
            "http://[::1]:11434"
        );
    }
}
