//! What the editor features need from the project's `llmspell.toml`, as plain data. The caller
//! (the CLI) reads and validates the file; this crate never touches the file system.

use std::collections::BTreeMap;

#[derive(Clone, Debug, Default)]
pub struct ProjectConfig {
    /// Configured provider names (`openai`, `local`, `offline`, …).
    pub providers: Vec<String>,
    /// Models the configuration lists, as `provider/model`.
    pub models: Vec<ModelInfo>,
    /// Alias → `provider/model`.
    pub aliases: BTreeMap<String, String>,
    pub default_model: Option<String>,
    /// Providers whose models are open-ended (no `models` list, or a kind such as `ollama`
    /// that serves whatever is pulled): a `provider/anything` model string is accepted for them.
    pub open_providers: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelInfo {
    /// `provider/model`.
    pub id: String,
    pub provider: String,
    /// The provider's kind (`openai`, `scripted`, …), for the completion detail.
    pub kind: String,
}

impl ProjectConfig {
    /// Whether a model string names a model this configuration knows: a listed model, an alias,
    /// or any model of an open-ended provider. `None` when the configuration cannot tell (it
    /// lists no models at all), so no diagnostic should be raised.
    pub fn knows_model(&self, model: &str) -> Option<bool> {
        if self.models.is_empty() {
            return None;
        }
        if self.aliases.contains_key(model) || self.models.iter().any(|known| known.id == model) {
            return Some(true);
        }
        let provider = model.split_once('/').map_or(model, |(provider, _)| provider);
        Some(self.open_providers.iter().any(|open| open == provider))
    }
}
