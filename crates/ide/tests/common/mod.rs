//! Shared fixture helpers for the feature tests: the real host API, a small project
//! configuration, and fixtures with a `$0` cursor marker.

#![allow(dead_code, reason = "each test file uses a different subset")]

use std::collections::BTreeMap;

use llmspell_ide::{Document, Ide, Language, ModelInfo, Position, ProjectConfig};

/// An [`Ide`] over the real host API (the manifest the binary serves) and a configuration with
/// two providers: `openai` listing two models, and `offline` (scripted) listing `echo`.
pub fn ide() -> Ide {
    let manifest = llmspell_host::manifest_registry().manifest();
    Ide::new(&manifest, project_config())
}

pub fn project_config() -> ProjectConfig {
    let model = |provider: &str, model: &str, kind: &str| ModelInfo {
        id: format!("{provider}/{model}"),
        provider: provider.to_owned(),
        kind: kind.to_owned(),
    };
    ProjectConfig {
        providers: vec!["offline".to_owned(), "openai".to_owned()],
        models: vec![
            model("offline", "echo", "scripted"),
            model("openai", "gpt-4o", "openai"),
            model("openai", "gpt-4o-mini", "openai"),
        ],
        aliases: BTreeMap::from([("fast".to_owned(), "openai/gpt-4o-mini".to_owned())]),
        default_model: Some("offline/echo".to_owned()),
        open_providers: Vec::new(),
    }
}

/// A document from a fixture and the position of its `$0` marker (the marker is removed).
/// Without a marker, the position is the end of the text.
pub fn fixture(language: Language, text: &str) -> (Document, Position) {
    let offset = text.find("$0");
    let text = text.replacen("$0", "", 1);
    let document = Document::new(language, &text);
    let position = document.position(offset.unwrap_or(text.len()));
    (document, position)
}
