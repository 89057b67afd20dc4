//! `llmspell.toml`: finding the workspace, reading the file, and turning limit strings
//! (`3s`, `128MiB`) into values. Unknown keys are errors that name the line.

use std::path::{Path, PathBuf};
use std::time::Duration;

use llmspell_llm::{ModelRef, ProviderKind};
use serde::Deserialize;
use toml::Spanned;

/// The file that marks a spell workspace.
pub const CONFIG_FILE: &str = "llmspell.toml";

/// The whole configuration file. Sections for later issues are accepted and checked now,
/// so a user's file never goes from valid to invalid as features land.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub llm: LlmSection,
    #[serde(default)]
    pub providers: std::collections::BTreeMap<String, ProviderSection>,
    #[serde(default)]
    pub aliases: std::collections::BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub sandbox: SandboxSection,
    #[serde(default)]
    #[allow(dead_code, reason = "validated now, read by the state backends")]
    pub state: StateSection,
    /// The text the configuration was parsed from, to turn spans into `line:column`.
    #[serde(skip)]
    source: String,
}

impl Config {
    /// `line:column` of a byte offset into the file (from a [`Spanned`] value).
    pub fn position(&self, offset: usize) -> String {
        let (line, column) = line_and_column(&self.source, offset);
        format!("{line}:{column}")
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmSection {
    /// `provider/model` or an alias.
    pub default_model: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSection {
    /// `openai`, `openai-compatible`, `anthropic`, `gemini`, `ollama` or `scripted` (checked by
    /// [`parse`]).
    pub kind: Spanned<String>,
    pub base_url: Option<String>,
    pub api_key_env: Option<String>,
    #[serde(default)]
    pub models: Vec<String>,
    /// For `scripted`: the script file, relative to the workspace root.
    pub script: Option<String>,
}

impl ProviderSection {
    /// The kind; [`parse`] has checked that it is known.
    pub fn kind(&self) -> ProviderKind {
        ProviderKind::from_name(self.kind.get_ref()).unwrap_or(ProviderKind::Scripted)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxSection {
    /// `"300s"`, `"5m"`, … or `"0"` for no limit.
    pub timeout: Option<String>,
    /// `"256MiB"`, … or `"0"` for no limit.
    pub memory_limit: Option<String>,
    /// 0 = off.
    pub max_instructions: Option<u64>,
    #[serde(default)]
    pub allow_hosts: Vec<String>,
    #[serde(default)]
    pub allow_private_network: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "validated now, read by the LLM layer")]
pub struct StateSection {
    pub backend: Option<String>,
    pub url: Option<String>,
}

/// The workspace root of a spell: the nearest folder at or above it holding `llmspell.toml`,
/// else the spell's own folder. Always absolute.
pub fn workspace_root(spell: &Path) -> PathBuf {
    let absolute = std::path::absolute(spell).unwrap_or_else(|_| spell.to_path_buf());
    let folder = absolute.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("/"));
    let mut current = Some(folder.as_path());
    while let Some(dir) = current {
        if dir.join(CONFIG_FILE).is_file() {
            return dir.to_path_buf();
        }
        current = dir.parent();
    }
    folder
}

/// Reads the configuration: `LLMSPELL_CONFIG` if set, else `<workspace>/llmspell.toml` if present.
pub fn load(workspace: &Path) -> Result<(Config, Option<PathBuf>), String> {
    let path = match std::env::var_os("LLMSPELL_CONFIG") {
        Some(path) => PathBuf::from(path),
        None => workspace.join(CONFIG_FILE),
    };
    if !path.is_file() {
        return Ok((Config::default(), None));
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|error| format!("{}: cannot read: {error}", path.display()))?;
    let config = parse(&text).map_err(|message| format!("{}:{message}", path.display()))?;
    Ok((config, Some(path)))
}

/// Parses configuration text; errors read `line:column: message`. Besides the shape, it checks
/// provider kinds and model strings (`provider/model`, or an alias for the default model).
pub fn parse(text: &str) -> Result<Config, String> {
    let mut config = toml::from_str::<Config>(text).map_err(|error| {
        let (line, column) = error
            .span()
            .map(|span| line_and_column(text, span.start))
            .unwrap_or((1, 1));
        format!("{line}:{column}: {}", error.message())
    })?;
    check_llm(&config).map_err(|(offset, message)| {
        let (line, column) = line_and_column(text, offset);
        format!("{line}:{column}: {message}")
    })?;
    config.source = text.to_owned();
    Ok(config)
}

/// The checks serde cannot make: known provider kinds, well-formed model strings. An error
/// carries the byte offset it points at.
fn check_llm(config: &Config) -> Result<(), (usize, String)> {
    let kinds = ProviderKind::ALL.map(ProviderKind::as_str).join(", ");
    for (name, provider) in &config.providers {
        let kind = provider.kind.get_ref();
        let Some(parsed) = ProviderKind::from_name(kind) else {
            return Err((
                provider.kind.span().start,
                format!("[providers.{name}]: unknown kind `{kind}` (expected one of: {kinds})"),
            ));
        };
        if name.contains('/') || name.is_empty() {
            return Err((
                provider.kind.span().start,
                format!("[providers.{name}]: a provider name cannot be empty or contain `/`"),
            ));
        }
        if parsed == ProviderKind::OpenAiCompatible
            && provider.base_url.as_deref().is_none_or(|url| url.trim().is_empty())
        {
            return Err((
                provider.kind.span().start,
                format!("[providers.{name}]: kind `openai-compatible` needs a base_url (e.g. \"http://127.0.0.1:8080/v1\")"),
            ));
        }
    }
    for (alias, target) in &config.aliases {
        if ModelRef::parse(target.get_ref()).is_none() {
            return Err((
                target.span().start,
                format!(
                    "[aliases] {alias}: `{}` is not a model string; expected `provider/model`",
                    target.get_ref()
                ),
            ));
        }
    }
    if let Some(model) = &config.llm.default_model {
        let text = model.get_ref();
        if !config.aliases.contains_key(text.as_str()) && ModelRef::parse(text).is_none() {
            return Err((
                model.span().start,
                format!("[llm] default_model: `{text}` is neither `provider/model` nor an alias"),
            ));
        }
    }
    Ok(())
}

fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |rest| rest.chars().count()) + 1;
    (line, column)
}

/// Parses a duration like `3s`, `250ms`, `2m`; `0` means no limit (`None`).
pub fn parse_duration(text: &str) -> Result<Option<Duration>, String> {
    let text = text.trim();
    if text == "0" {
        return Ok(None);
    }
    humantime::parse_duration(text)
        .map(Some)
        .map_err(|error| format!("invalid duration {text:?} ({error}); expected e.g. 3s, 500ms, 5m"))
}

/// Parses a size like `128MiB`, `1GiB`, `64MB`; `0` means no limit (`None`).
pub fn parse_size(text: &str) -> Result<Option<usize>, String> {
    let text = text.trim();
    if text == "0" {
        return Ok(None);
    }
    text.parse::<bytesize::ByteSize>()
        .map(|size| Some(size.as_u64() as usize))
        .map_err(|error| format!("invalid size {text:?} ({error}); expected e.g. 128MiB, 1GiB"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_name_the_line() {
        let error = parse("[sandbox]\ntimeout = \"3s\"\ntimout = \"4s\"\n").unwrap_err();
        assert!(error.starts_with("3:1: unknown field `timout`"), "{error}");
    }

    #[test]
    fn limits_parse_with_units() {
        assert_eq!(parse_duration("3s").unwrap(), Some(Duration::from_secs(3)));
        assert_eq!(parse_duration("250ms").unwrap(), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("0").unwrap(), None);
        assert_eq!(parse_size("128MiB").unwrap(), Some(128 * 1024 * 1024));
        assert!(parse_size("lots").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn the_design_example_parses() {
        let config = parse(
            r#"
[llm]
default_model = "openai/gpt-4o-mini"
[providers.openai]
kind = "openai"
base_url = "https://api.openai.com/v1"
api_key_env = "OPENAI_API_KEY"
models = ["gpt-4o-mini"]
[providers.offline]
kind = "scripted"
[aliases]
fast = "openai/gpt-4o-mini"
[sandbox]
timeout = "300s"
memory_limit = "256MiB"
max_instructions = 0
allow_hosts = []
allow_private_network = false
[state]
backend = "sqlite"
url = ""
"#,
        )
        .unwrap();
        assert_eq!(config.sandbox.memory_limit.as_deref(), Some("256MiB"));
        assert_eq!(config.providers.len(), 2);
        assert_eq!(config.providers["offline"].kind(), ProviderKind::Scripted);
    }

    #[test]
    fn unknown_kinds_and_bad_model_strings_name_the_line() {
        let error = parse("[providers.x]\nkind = \"opnai\"\n").unwrap_err();
        assert!(error.starts_with("2:8: [providers.x]: unknown kind `opnai`"), "{error}");
        let error = parse("[llm]\ndefault_model = \"gpt-4o\"\n").unwrap_err();
        assert!(error.starts_with("2:17: [llm] default_model: `gpt-4o`"), "{error}");
        let error = parse("[aliases]\nfast = \"gpt\"\n").unwrap_err();
        assert!(error.starts_with("2:8: [aliases] fast"), "{error}");
        let error = parse("[providers.l]\nkind = \"openai-compatible\"\n").unwrap_err();
        assert!(error.contains("needs a base_url"), "{error}");
        parse("[llm]\ndefault_model = \"fast\"\n[aliases]\nfast = \"a/b\"\n").unwrap();
    }
}
