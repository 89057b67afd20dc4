//! The per-spell host context: the workspace root, who the spell is, its parameters, where
//! `print` writes, the sandbox settings, the event bus and the (lazily opened) state store.
//!
//! One context belongs to one running spell. It is cheap to clone: every clone shares the
//! same output sink, event bus and state store.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use llmspell_bridge::Map;

use crate::event_bus::EventBus;
use crate::runners::Runners;
use crate::sandbox::Sandbox;
use crate::state_store::StateStore;

/// Everything the host modules of one spell share.
#[derive(Clone)]
pub struct HostContext {
    /// Who the spell is; bound to scripts as the `spell` module.
    pub spell: SpellInfo,
    /// The spell's parameters (`llmspell run s.lua -p topic=rust`); bound as `params`.
    pub params: Map,
    /// Where `print` writes.
    pub output: Arc<dyn Output>,
    /// Limits on what host modules may reach beyond the workspace.
    pub sandbox: SandboxSettings,
    /// The event bus behind the `events` module; host code emits runtime events on it.
    pub events: EventBus,
    /// The LLM providers, model aliases and default model. Without configuration: the
    /// offline `scripted` provider (deterministic echo), so every spell runs with no setup.
    pub llm: Arc<llmspell_llm::ProviderRegistry>,
    /// How host objects (Agent, Tool, Workflow) run as workflow steps.
    pub runners: Runners,
    workspace: PathBuf,
    state_store: Arc<StateStore>,
}

/// Who the running spell is: the value of the `spell` module.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpellInfo {
    /// The spell's file name without its extension (`research` for `research.lua`).
    pub name: String,
    /// The spell's path as given to the runtime.
    pub path: String,
    /// `"lua"`, `"js"` or `"rhai"`.
    pub engine: String,
}

/// Sandbox settings for host modules that reach past the file system.
///
/// File access needs no setting: it is always confined to the workspace root.
/// The network fields are read by the network modules (`http`, `web_fetch`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SandboxSettings {
    /// Extra hosts the network tools may reach.
    pub allow_hosts: Vec<String>,
    /// Whether tools may reach loopback and private addresses.
    pub allow_private_network: bool,
}

/// Where `print` output goes: the process's streams, a debugger, or a test buffer.
pub trait Output: Send + Sync {
    /// Writes `text` (already newline-terminated when it is a line) to standard output.
    fn stdout(&self, text: &str);
    /// Writes `text` to standard error.
    fn stderr(&self, text: &str);
}

/// Writes to the process's stdout and stderr, flushing after every call so output
/// interleaves correctly with other writers. Write errors (a closed pipe) are ignored.
#[derive(Clone, Copy, Debug, Default)]
pub struct StdOutput;

impl Output for StdOutput {
    fn stdout(&self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(text.as_bytes());
        let _ = stdout.flush();
    }
    fn stderr(&self, text: &str) {
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(text.as_bytes());
        let _ = stderr.flush();
    }
}

/// Keeps everything written, for tests and embedders.
#[derive(Debug, Default)]
pub struct CapturedOutput {
    stdout: Mutex<String>,
    stderr: Mutex<String>,
}

impl CapturedOutput {
    pub fn new() -> Arc<CapturedOutput> {
        Arc::new(CapturedOutput::default())
    }
    /// Everything written to stdout so far.
    pub fn stdout_text(&self) -> String {
        self.stdout
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
    /// Everything written to stderr so far.
    pub fn stderr_text(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Output for CapturedOutput {
    fn stdout(&self, text: &str) {
        self.stdout
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_str(text);
    }
    fn stderr(&self, text: &str) {
        self.stderr
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_str(text);
    }
}

impl HostContext {
    /// A context for a spell in `workspace` (made absolute against the current folder when
    /// it is relative) with its parameters, printing to the process's stdout.
    ///
    /// Does no I/O: the state store opens on first use.
    pub fn new(workspace: impl Into<PathBuf>, spell: SpellInfo, params: Map) -> HostContext {
        let workspace = workspace.into();
        let workspace = std::path::absolute(&workspace).unwrap_or(workspace);
        HostContext {
            spell,
            params,
            output: Arc::new(StdOutput),
            sandbox: SandboxSettings::default(),
            events: EventBus::new(),
            llm: Arc::new(offline_providers()),
            runners: Runners::new(),
            state_store: Arc::new(StateStore::for_workspace(&workspace)),
            workspace,
        }
    }

    /// A context that stands for no spell, for building the manifest (`llmspell api`).
    /// Its workspace does not exist and its state store is disabled, so file and state
    /// functions fail without touching the disk if they are ever called.
    pub fn placeholder() -> HostContext {
        let mut context = HostContext::new(
            "/nonexistent/llmspell-placeholder-workspace",
            SpellInfo::default(),
            Map::new(),
        );
        context.state_store = Arc::new(StateStore::disabled());
        context
    }

    pub fn with_output(mut self, output: Arc<dyn Output>) -> HostContext {
        self.output = output;
        self
    }

    /// Uses these providers (built by the CLI from `llmspell.toml` and the environment).
    pub fn with_llm(mut self, llm: Arc<llmspell_llm::ProviderRegistry>) -> HostContext {
        self.llm = llm;
        self
    }

    pub fn with_sandbox(mut self, sandbox: SandboxSettings) -> HostContext {
        self.sandbox = sandbox;
        self
    }

    /// The workspace root (absolute). Files and the state store live under it.
    pub fn workspace(&self) -> &Path {
        &self.workspace
    }

    /// The file-system policy for this workspace.
    pub fn file_sandbox(&self) -> Sandbox {
        Sandbox::new(&self.workspace)
    }

    /// The persistent key-value store (`<workspace>/.llmspell/state.db`), opened on first use.
    pub fn state_store(&self) -> &StateStore {
        &self.state_store
    }
}

/// The name of the built-in offline provider and its default model string.
pub const OFFLINE_PROVIDER: &str = llmspell_llm::SCRIPTED_PROVIDER_NAME;
pub const OFFLINE_MODEL: &str = "scripted/echo";

/// Providers when nothing is configured: the `scripted` provider echoing deterministically,
/// as the default model.
pub fn offline_providers() -> llmspell_llm::ProviderRegistry {
    let mut registry = llmspell_llm::ProviderRegistry::new();
    registry.insert(Arc::new(llmspell_llm::ScriptedProvider::echo(OFFLINE_PROVIDER)));
    registry.set_default_model(OFFLINE_MODEL);
    registry
}
