//! `llmspell lsp`: the language server on stdio. Wiring only: the server is `llmspell-lsp`; this
//! module gives it the host manifest and a reader of `llmspell.toml` (whose format the CLI owns),
//! and sends logs to stderr or a file, never to stdout (the protocol stream).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args as ClapArgs;
use llmspell_ide::{ModelInfo, ProjectConfig};
use llmspell_lsp::{ConfigError, ServerOptions};

use crate::config::{self, Config};

#[derive(ClapArgs)]
pub struct LspArgs {
    /// Talk LSP over stdin/stdout (the default and only transport; accepted because editors such
    /// as VS Code pass it).
    #[arg(long)]
    stdio: bool,
    /// The editor's process id (vscode-languageclient appends `--clientProcessId=N` to a server's
    /// arguments). Accepted and ignored: the server ends when its input closes.
    #[arg(long = "clientProcessId", value_name = "PID", hide = true)]
    client_process_id: Option<u32>,
    /// Write logs to FILE instead of stderr. `LLMSPELL_LOG` filters them (default: info).
    #[arg(long, value_name = "FILE")]
    log_file: Option<PathBuf>,
}

/// Set to 1 to make requests on a document containing `LLMSPELL_LSP_INJECT_PANIC` panic inside the
/// analysis (for tests of the server's panic handling).
const FAULT_INJECTION_VARIABLE: &str = "LLMSPELL_LSP_FAULT_INJECTION";

pub fn run(args: LspArgs) -> Result<ExitCode, String> {
    let _ = (args.stdio, args.client_process_id);
    init_logging(args.log_file.as_deref())?;
    let options = ServerOptions {
        manifest: llmspell_host::manifest_registry().manifest(),
        load_config: Arc::new(load_project_config),
        fault_injection: std::env::var(FAULT_INJECTION_VARIABLE).is_ok_and(|value| value == "1"),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("llmspell-lsp")
        .build()
        .map_err(|error| format!("cannot start the language server: {error}"))?;
    let outcome = runtime.block_on(llmspell_lsp::serve_stdio(options));
    // The stdin reader may still be blocked in a read: do not wait for it.
    runtime.shutdown_background();
    tracing::info!(
        "language server stopped (shutdown requested: {})",
        outcome.shutdown_requested
    );
    Ok(ExitCode::from(outcome.exit_code()))
}

fn init_logging(log_file: Option<&Path>) -> Result<(), String> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LLMSPELL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = match log_file {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|error| format!("--log-file {}: {error}", path.display()))?;
            builder
                .with_writer(std::sync::Mutex::new(file))
                .with_ansi(false)
                .try_init()
        }
        None => builder
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .try_init(),
    };
    Ok(())
}

/// Reads `llmspell.toml` (the editor's unsaved `text` when given) into what the editor features
/// need. A missing file is an empty configuration.
fn load_project_config(path: &Path, text: Option<&str>) -> Result<ProjectConfig, ConfigError> {
    let text = match text {
        Some(text) => text.to_owned(),
        None if !path.is_file() => return Ok(project_config(&Config::default())),
        None => std::fs::read_to_string(path).map_err(|error| ConfigError {
            message: format!("cannot read {}: {error}", path.display()),
            line: None,
            column: None,
        })?,
    };
    let config = config::parse(&text).map_err(config_error)?;
    Ok(project_config(&config))
}

/// `config::parse` errors read `line:column: message`.
fn config_error(error: String) -> ConfigError {
    let mut parts = error.splitn(3, ':');
    let line = parts.next().and_then(|line| line.trim().parse().ok());
    let column = parts.next().and_then(|column| column.trim().parse().ok());
    match (line, column, parts.next()) {
        (Some(line), Some(column), Some(message)) => ConfigError {
            message: message.trim().to_owned(),
            line: Some(line),
            column: Some(column),
        },
        _ => ConfigError {
            message: error,
            line: None,
            column: None,
        },
    }
}

/// The providers the runtime would have (configured, then built in), their listed models, and
/// which of them accept any model name.
fn project_config(config: &Config) -> ProjectConfig {
    let mut project = ProjectConfig::default();
    for (name, section) in &config.providers {
        let kind = section.kind();
        project.providers.push(name.clone());
        for model in &section.models {
            project.models.push(ModelInfo {
                id: format!("{name}/{model}"),
                provider: name.clone(),
                kind: kind.as_str().to_owned(),
            });
        }
        if section.models.is_empty() || kind == llmspell_llm::ProviderKind::Ollama {
            project.open_providers.push(name.clone());
        }
    }
    // Built-in providers the configuration does not shadow: the scripted echo, Ollama (whatever
    // is pulled) and the vendors (any of their models).
    let builtins = [
        (
            llmspell_llm::SCRIPTED_PROVIDER_NAME,
            llmspell_llm::ProviderKind::Scripted,
        ),
        ("ollama", llmspell_llm::ProviderKind::Ollama),
        ("openai", llmspell_llm::ProviderKind::OpenAi),
        ("anthropic", llmspell_llm::ProviderKind::Anthropic),
        ("gemini", llmspell_llm::ProviderKind::Gemini),
    ];
    for (name, kind) in builtins {
        if config.providers.contains_key(name) {
            continue;
        }
        project.providers.push(name.to_owned());
        if kind == llmspell_llm::ProviderKind::Scripted {
            project.models.push(ModelInfo {
                id: format!("{name}/echo"),
                provider: name.to_owned(),
                kind: kind.as_str().to_owned(),
            });
        } else {
            project.open_providers.push(name.to_owned());
        }
    }
    project.aliases = config
        .aliases
        .iter()
        .map(|(alias, target)| (alias.clone(), target.get_ref().clone()))
        .collect();
    project.default_model = config
        .llm
        .default_model
        .as_ref()
        .map(|model| model.get_ref().clone());
    project
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_errors_keep_their_position() {
        let error = load_project_config(Path::new("llmspell.toml"), Some("[llm]\nbogus = 1\n"))
            .unwrap_err();
        assert_eq!((error.line, error.column), (Some(2), Some(1)));
        assert!(error.message.contains("bogus"), "{}", error.message);
    }

    #[test]
    fn listed_models_and_open_providers() {
        let text = "[providers.openai]\nkind = \"openai\"\nmodels = [\"gpt-4o\"]\n\
                    [providers.local]\nkind = \"ollama\"\n[aliases]\nfast = \"openai/gpt-4o\"\n";
        let project = load_project_config(Path::new("llmspell.toml"), Some(text)).unwrap();
        assert_eq!(project.knows_model("openai/gpt-4o"), Some(true));
        assert_eq!(project.knows_model("openai/gpt-9"), Some(false));
        assert_eq!(project.knows_model("local/llama3"), Some(true));
        assert_eq!(project.knows_model("fast"), Some(true));
        assert_eq!(project.knows_model("scripted/echo"), Some(true));
    }
}
