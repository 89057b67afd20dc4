//! The LLM providers of a run, built from `llmspell.toml` and the environment: configured
//! providers, the built-in ones (`scripted`, `ollama`, and the vendors whose key variable is
//! known), aliases and the default model; the offline default when nothing chooses one; and the
//! wrappers a run may need (record, replay, progress on a terminal).
//!
//! Keys are read from the environment here and handed to the provider clients only: they never
//! reach scripts, events, recordings or messages (messages name the variable, never its value).

use std::collections::BTreeMap;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use futures::{FutureExt as _, StreamExt as _};
use llmspell_llm::{
    ErrorCode, EventStream, LlmError, LlmResult, ModelRef, Provider, ProviderConfig, ProviderKind,
    ProviderRegistry, Recorder, ReplayLog, Request, Response, ScriptedProvider,
};

use crate::config::Config;

/// The provider name of the lazily chosen default (`auto/default`).
pub const AUTO_PROVIDER: &str = "auto";
/// The model string of the lazily chosen default.
pub const AUTO_MODEL: &str = "auto/default";
/// How long the offline-default probe waits for Ollama.
const OLLAMA_PROBE_TIMEOUT: Duration = Duration::from_millis(200);
/// What the offline default says, once, when a spell first calls the LLM.
pub const OFFLINE_NOTICE: &str = "llmspell: no LLM provider configured; using the offline scripted provider (echo). See llmspell.toml [providers].";

/// The vendors tried, in order, when nothing is configured and Ollama does not answer, with the
/// model used by default.
const KEYED_DEFAULTS: [(ProviderKind, &str); 3] = [
    (ProviderKind::OpenAi, "gpt-4o-mini"),
    (ProviderKind::Anthropic, "claude-3-5-haiku-latest"),
    (ProviderKind::Gemini, "gemini-2.0-flash"),
];

/// What the command line adds to the configuration.
#[derive(Clone, Debug, Default)]
pub struct LlmOptions {
    /// `--model`: a model string or an alias.
    pub model: Option<String>,
    pub record: Option<PathBuf>,
    pub replay: Option<PathBuf>,
    /// `--quiet`: no offline notice, no progress.
    pub quiet: bool,
}

/// Where the default model came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DefaultSource {
    Flag,
    Environment,
    Config,
    /// Nothing chose one: Ollama, else a vendor key, else the scripted provider, on first use.
    Auto,
}

impl DefaultSource {
    pub fn describe(&self) -> &'static str {
        match self {
            DefaultSource::Flag => "--model",
            DefaultSource::Environment => "LLMSPELL_MODEL",
            DefaultSource::Config => "llmspell.toml [llm] default_model",
            DefaultSource::Auto => "nothing configured: Ollama, else a key in the environment, else the offline scripted provider",
        }
    }
}

/// One provider as configured (for `llmspell models`); never holds the key.
#[derive(Clone, Debug)]
pub struct Entry {
    pub config: ProviderConfig,
    /// Whether it comes from `[providers.NAME]` (else it is built in).
    pub configured: bool,
    /// The variable the key is read from, if the provider takes one.
    pub key_env: Option<String>,
    pub key_set: bool,
}

/// The providers of a run.
pub struct LlmSetup {
    pub registry: ProviderRegistry,
    pub entries: Vec<Entry>,
    pub default_model: String,
    pub default_source: DefaultSource,
    pub recorder: Option<Arc<Recorder>>,
    pub replay: Option<Arc<ReplayLog>>,
    auto: Option<Arc<AutoDefault>>,
}

/// Builds the providers from the configuration, the environment and the flags. Nothing is sent
/// over the network here.
pub fn build(
    config: &Config,
    config_path: Option<&Path>,
    workspace: &Path,
    options: &LlmOptions,
) -> Result<LlmSetup, String> {
    let where_ = config_path
        .map(|path| path.display().to_string())
        .unwrap_or_else(|| crate::config::CONFIG_FILE.to_owned());
    let mut entries = Vec::new();
    for (name, section) in &config.providers {
        let kind = section.kind();
        let mut provider = ProviderConfig::new(name, kind);
        provider.base_url = section.base_url.clone().filter(|url| !url.trim().is_empty());
        provider.models = section.models.clone();
        if let Some(script) = &section.script {
            provider.script = Some(workspace.join(script));
        }
        let key_env = section
            .api_key_env
            .clone()
            .or_else(|| kind.default_api_key_env().map(str::to_owned));
        entries.push(entry(provider, true, key_env));
    }
    let configured: Vec<String> = entries.iter().map(|entry| entry.config.name.clone()).collect();
    let builtin = |name: &str| !configured.iter().any(|configured| configured == name);
    if builtin(llmspell_llm::SCRIPTED_PROVIDER_NAME) {
        let mut scripted =
            ProviderConfig::new(llmspell_llm::SCRIPTED_PROVIDER_NAME, ProviderKind::Scripted);
        scripted.models = vec!["echo".to_owned()];
        entries.push(entry(scripted, false, None));
    }
    if builtin("ollama") {
        let ollama = ProviderConfig::new("ollama", ProviderKind::Ollama)
            .with_base_url(llmspell_llm::ollama_base_url(env("OLLAMA_HOST").as_deref()));
        entries.push(entry(ollama, false, None));
    }
    for (kind, model) in KEYED_DEFAULTS {
        if builtin(kind.as_str()) {
            let mut vendor = ProviderConfig::new(kind.as_str(), kind);
            vendor.models = vec![model.to_owned()];
            entries.push(entry(vendor, false, kind.default_api_key_env().map(str::to_owned)));
        }
    }

    let mut registry = ProviderRegistry::new();
    for entry in &entries {
        let provider = provider_for(entry, &where_)?;
        registry.insert_described(provider, describe(entry));
    }
    for (alias, target) in &config.aliases {
        registry.set_alias(alias, target.get_ref());
    }

    let (default_model, default_source) = if let Some(model) = &options.model {
        (model.clone(), DefaultSource::Flag)
    } else if let Some(model) = env("LLMSPELL_MODEL") {
        (model, DefaultSource::Environment)
    } else if let Some(model) = &config.llm.default_model {
        (model.get_ref().clone(), DefaultSource::Config)
    } else {
        (AUTO_MODEL.to_owned(), DefaultSource::Auto)
    };
    let auto = (default_source == DefaultSource::Auto).then(|| {
        let auto = Arc::new(AutoDefault::new(&entries, options.quiet));
        registry.insert(Arc::new(AutoProvider(auto.clone())));
        auto
    });
    check_model(&registry, &default_model).map_err(|problem| match default_source {
        DefaultSource::Flag => format!("--model {default_model:?}: {problem}"),
        DefaultSource::Environment => format!("LLMSPELL_MODEL={default_model:?}: {problem}"),
        _ => {
            let at = config.llm.default_model.as_ref().map(|model| config.position(model.span().start));
            format!("{where_}:{}: [llm] default_model: {problem}", at.unwrap_or_default())
        }
    })?;
    for (alias, target) in &config.aliases {
        check_model(&registry, target.get_ref()).map_err(|problem| {
            format!("{where_}:{}: [aliases] {alias}: {problem}", config.position(target.span().start))
        })?;
    }
    registry.set_default_model(&default_model);

    let replay = match &options.replay {
        Some(path) => {
            let log = ReplayLog::open(path).map_err(|error| format!("--replay: {}", error.message))?;
            let serving = log.clone();
            registry = registry.map_providers(|provider| serving.provider(provider.name(), provider.kind()));
            Some(log)
        }
        None => None,
    };
    let recorder = match &options.record {
        Some(path) => {
            let recorder =
                Recorder::create(path).map_err(|error| format!("--record: {}", error.message))?;
            let wrapping = recorder.clone();
            registry = registry.map_providers(|provider| wrapping.wrap(provider));
            Some(recorder)
        }
        None => None,
    };
    if !options.quiet && std::io::stderr().is_terminal() {
        let progress = Progress::new();
        registry = registry.map_providers(|provider| {
            Arc::new(ProgressProvider { inner: provider, progress: progress.clone() }) as Arc<dyn Provider>
        });
    }
    Ok(LlmSetup { registry, entries, default_model, default_source, recorder, replay, auto })
}

fn entry(config: ProviderConfig, configured: bool, key_env: Option<String>) -> Entry {
    let key_set = key_env.as_deref().and_then(env).is_some();
    Entry { config, configured, key_env, key_set }
}

/// What `llm.providers()` and `llm.models()` show of an entry: its configuration (never the
/// key), available unless it needs a key whose variable is unset (`scripted` and `ollama`
/// always are).
fn describe(entry: &Entry) -> llmspell_llm::ProviderInfo {
    let mut info = entry.config.info();
    info.available = matches!(entry.config.kind, ProviderKind::Scripted | ProviderKind::Ollama)
        || entry.key_env.is_none()
        || entry.key_set;
    info
}

/// A non-empty environment variable.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.trim().is_empty())
}

/// The client for one entry: the real one with its key, or, when the key variable is unset, one
/// that fails every call with `provider_auth` naming the variable.
fn provider_for(entry: &Entry, where_: &str) -> Result<Arc<dyn Provider>, String> {
    let mut config = entry.config.clone();
    if let Some(variable) = &entry.key_env {
        match env(variable) {
            Some(key) => config.api_key = Some(key),
            None if entry.config.kind.default_api_key_env().is_some() || entry.configured => {
                return Ok(Arc::new(MissingKey {
                    name: config.name.clone(),
                    kind: config.kind,
                    variable: variable.clone(),
                }));
            }
            None => {}
        }
    }
    if config.kind != ProviderKind::Scripted {
        // An HTTP client costs milliseconds to build (TLS roots): only when first used.
        return Ok(Arc::new(Lazy { config, built: OnceLock::new() }));
    }
    llmspell_llm::build_provider(&config).map_err(|error| {
        if entry.configured {
            format!("{where_}: [providers.{}]: {}", config.name, error.message)
        } else {
            error.message
        }
    })
}

/// A provider built on its first call.
struct Lazy {
    config: ProviderConfig,
    built: OnceLock<LlmResult<Arc<dyn Provider>>>,
}

impl Lazy {
    fn get(&self) -> LlmResult<Arc<dyn Provider>> {
        self.built.get_or_init(|| llmspell_llm::build_provider(&self.config)).clone()
    }
}

impl Provider for Lazy {
    fn name(&self) -> &str {
        &self.config.name
    }
    fn kind(&self) -> ProviderKind {
        self.config.kind
    }
    fn chat(&self, request: Request) -> BoxFuture<'static, LlmResult<Response>> {
        match self.get() {
            Ok(provider) => provider.chat(request),
            Err(error) => async move { Err(error) }.boxed(),
        }
    }
    fn stream(&self, request: Request) -> EventStream {
        match self.get() {
            Ok(provider) => provider.stream(request),
            Err(error) => futures::stream::once(futures::future::ready(Err(error))).boxed(),
        }
    }
}

/// Checks a model string or alias against the registry: its provider must exist.
fn check_model(registry: &ProviderRegistry, model: &str) -> Result<(), String> {
    let full = registry.aliases().get(model).map(String::as_str).unwrap_or(model);
    let Some(reference) = ModelRef::parse(full) else {
        let aliases: Vec<&str> = registry.aliases().keys().map(String::as_str).collect();
        return Err(format!(
            "expected `provider/model` or an alias (aliases: {})",
            if aliases.is_empty() { "none".to_owned() } else { aliases.join(", ") }
        ));
    };
    if registry.get(&reference.provider).is_none() {
        let names: Vec<&str> = registry.providers().map(|provider| provider.name()).collect();
        return Err(format!(
            "provider `{}` is not configured (providers: {})",
            reference.provider,
            names.join(", ")
        ));
    }
    Ok(())
}

/// A provider whose key variable is not set: every call fails with `provider_auth`.
struct MissingKey {
    name: String,
    kind: ProviderKind,
    variable: String,
}

impl MissingKey {
    fn error(&self) -> LlmError {
        LlmError::new(
            ErrorCode::ProviderAuth,
            &self.name,
            format!(
                "provider `{}` needs an API key: set the environment variable {}",
                self.name, self.variable
            ),
        )
    }
}

impl Provider for MissingKey {
    fn name(&self) -> &str {
        &self.name
    }
    fn kind(&self) -> ProviderKind {
        self.kind
    }
    fn chat(&self, _request: Request) -> BoxFuture<'static, LlmResult<Response>> {
        let error = self.error();
        async move { Err(error) }.boxed()
    }
    fn stream(&self, _request: Request) -> EventStream {
        futures::stream::once(futures::future::ready(Err(self.error()))).boxed()
    }
}

// ---------------------------------------------------------------------------------------------
// The offline default, chosen on first use.

/// The default when nothing chooses one, decided at the first LLM call: Ollama if it answers
/// (with a model), else the first vendor whose key is set, else the scripted provider (saying
/// so once on stderr).
pub struct AutoDefault {
    candidates: Vec<(Arc<dyn Provider>, ProviderConfig, String)>,
    ollama: Option<(Arc<dyn Provider>, ProviderConfig)>,
    scripted: Arc<dyn Provider>,
    quiet: bool,
    chosen: tokio::sync::OnceCell<Choice>,
    kind: OnceLock<ProviderKind>,
}

#[derive(Clone)]
pub struct Choice {
    pub provider: Arc<dyn Provider>,
    pub model: String,
    /// Why this one, for `llmspell models`.
    pub reason: String,
}

impl AutoDefault {
    fn new(entries: &[Entry], quiet: bool) -> AutoDefault {
        let mut candidates = Vec::new();
        let mut ollama = None;
        for entry in entries.iter().filter(|entry| !entry.configured) {
            let Ok(provider) = provider_for(entry, "") else { continue };
            match entry.config.kind {
                ProviderKind::Ollama => ollama = Some((provider, entry.config.clone())),
                ProviderKind::Scripted => {}
                kind if entry.key_set => {
                    let model = KEYED_DEFAULTS
                        .iter()
                        .find(|(candidate, _)| *candidate == kind)
                        .map(|(_, model)| (*model).to_owned())
                        .unwrap_or_default();
                    candidates.push((provider, entry.config.clone(), model));
                }
                _ => {}
            }
        }
        AutoDefault {
            candidates,
            ollama,
            scripted: Arc::new(ScriptedProvider::echo(llmspell_llm::SCRIPTED_PROVIDER_NAME)),
            quiet,
            chosen: tokio::sync::OnceCell::new(),
            kind: OnceLock::new(),
        }
    }

    /// The choice, made once. `announce`: print the offline notice if it is the scripted one.
    pub async fn choose(&self, announce: bool) -> Choice {
        let choice = self
            .chosen
            .get_or_init(|| async {
                let choice = self.decide().await;
                let _ = self.kind.set(choice.provider.kind());
                if announce && choice.provider.kind() == ProviderKind::Scripted && !self.quiet {
                    clear_progress_line();
                    eprintln!("{OFFLINE_NOTICE}");
                }
                choice
            })
            .await;
        choice.clone()
    }

    async fn decide(&self) -> Choice {
        if let Some((provider, config)) = &self.ollama {
            let base_url = config.effective_base_url().unwrap_or_default();
            if let Some(models) = ollama_models(&base_url, OLLAMA_PROBE_TIMEOUT).await
                && let Some(model) = models.into_iter().next()
            {
                return Choice {
                    provider: provider.clone(),
                    model,
                    reason: format!("Ollama answers at {base_url}"),
                };
            }
        }
        if let Some((provider, config, model)) = self.candidates.first() {
            return Choice {
                provider: provider.clone(),
                model: model.clone(),
                reason: format!(
                    "{} is set",
                    config.kind.default_api_key_env().unwrap_or("the key")
                ),
            };
        }
        Choice {
            provider: self.scripted.clone(),
            model: "echo".to_owned(),
            reason: "offline: no Ollama, no key in the environment".to_owned(),
        }
    }
}

/// The registry entry `auto` that forwards to the default chosen on first use. Requests for
/// `auto/default` take the chosen model; any other model name goes to the chosen provider as is.
struct AutoProvider(Arc<AutoDefault>);

impl AutoProvider {
    async fn prepare(auto: Arc<AutoDefault>, mut request: Request) -> (Arc<dyn Provider>, Request) {
        let choice = auto.choose(true).await;
        if request.model == "default" || request.model.is_empty() {
            request.model = choice.model.clone();
        }
        (choice.provider, request)
    }
}

impl Provider for AutoProvider {
    fn name(&self) -> &str {
        AUTO_PROVIDER
    }
    fn kind(&self) -> ProviderKind {
        self.0.kind.get().copied().unwrap_or(ProviderKind::Scripted)
    }
    fn chat(&self, request: Request) -> BoxFuture<'static, LlmResult<Response>> {
        let prepared = AutoProvider::prepare(self.0.clone(), request);
        async move {
            let (provider, request) = prepared.await;
            provider.chat(request).await
        }
        .boxed()
    }
    fn stream(&self, request: Request) -> EventStream {
        let prepared = AutoProvider::prepare(self.0.clone(), request);
        futures::stream::once(async move {
            let (provider, request) = prepared.await;
            provider.stream(request)
        })
        .flatten()
        .boxed()
    }
}

impl LlmSetup {
    /// The default model as it will be used: for the offline default, what it resolves to now
    /// (this probes Ollama), with the reason. Prints no notice.
    pub async fn effective_default(&self) -> (String, String) {
        match &self.auto {
            Some(auto) => {
                let choice = auto.choose(false).await;
                (format!("{}/{}", choice.provider.name(), choice.model), choice.reason)
            }
            None => {
                let model = match self.registry.aliases().get(&self.default_model) {
                    Some(target) => format!("{} = {target}", self.default_model),
                    None => self.default_model.clone(),
                };
                (model, self.default_source.describe().to_owned())
            }
        }
    }

    /// What is left of a replayed recording, said on stderr when a run ends.
    pub fn finish(&self, quiet: bool) {
        if let Some(log) = &self.replay
            && log.remaining() > 0
            && !quiet
        {
            eprintln!(
                "llmspell: --replay: {} recorded LLM exchange(s) were not used",
                log.remaining()
            );
        }
        if let Some(recorder) = &self.recorder
            && let Err(error) = recorder.save()
        {
            eprintln!("llmspell: --record: {}", error.message);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reachability and models, for the offline default and `llmspell models`.

fn http_client(timeout: Duration) -> Option<reqwest::Client> {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
    reqwest::Client::builder().timeout(timeout).connect_timeout(timeout).build().ok()
}

/// The models an Ollama server has (`GET /api/tags`), or `None` when it does not answer in time.
pub async fn ollama_models(base_url: &str, timeout: Duration) -> Option<Vec<String>> {
    let client = http_client(timeout)?;
    let url = format!("{}/api/tags", base_url.trim_end_matches('/').trim_end_matches("/api"));
    let response = tokio::time::timeout(timeout, client.get(&url).send()).await.ok()?.ok()?;
    if !response.status().is_success() {
        return None;
    }
    let body = tokio::time::timeout(timeout, response.bytes()).await.ok()?.ok()?;
    let json: serde_json::Value = serde_json::from_slice(&body).ok()?;
    Some(
        json.get("models")?
            .as_array()?
            .iter()
            .filter_map(|model| model.get("name").and_then(|name| name.as_str()).map(str::to_owned))
            .collect(),
    )
}

/// One row of `llmspell models`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ProviderStatus {
    pub name: String,
    pub kind: String,
    pub base_url: Option<String>,
    pub reachable: bool,
    pub models: Vec<String>,
    /// `config` or `builtin`.
    pub source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key_env: Option<String>,
    pub api_key_set: bool,
}

/// Probes every provider worth listing, all at once: the configured ones, the built-in scripted
/// and Ollama, and built-in vendors whose key is set.
pub async fn statuses(entries: &[Entry], timeout: Duration) -> Vec<ProviderStatus> {
    let listed = entries.iter().filter(|entry| {
        entry.configured
            || matches!(entry.config.kind, ProviderKind::Scripted | ProviderKind::Ollama)
            || entry.key_set
    });
    let probes = listed.map(|entry| async move {
        let base_url = entry.config.effective_base_url().ok();
        let (reachable, models) = match entry.config.kind {
            ProviderKind::Ollama => {
                // What it has installed, else what is configured.
                match ollama_models(base_url.as_deref().unwrap_or_default(), timeout).await {
                    Some(found) => (true, found),
                    None => (false, entry.config.models.clone()),
                }
            }
            _ => {
                http_client(timeout);
                (llmspell_llm::is_reachable(&entry.config, timeout).await, entry.config.models.clone())
            }
        };
        ProviderStatus {
            name: entry.config.name.clone(),
            kind: entry.config.kind.as_str().to_owned(),
            base_url,
            reachable,
            models,
            source: if entry.configured { "config" } else { "builtin" },
            api_key_env: entry.key_env.clone(),
            api_key_set: entry.key_set,
        }
    });
    futures::future::join_all(probes).await
}

/// Aliases as `name → model`.
pub fn aliases(setup: &LlmSetup) -> BTreeMap<String, String> {
    setup.registry.aliases().clone()
}

// ---------------------------------------------------------------------------------------------
// Progress on a terminal.

/// Calls in flight, and a spinner thread drawing on stderr while any has lasted over 300 ms.
#[derive(Clone)]
struct Progress {
    shared: Arc<ProgressShared>,
}

struct ProgressShared {
    started: AtomicBool,
}

/// The spinner's state. One lock for deciding and drawing, so a line is never drawn after the
/// last call ended (it would stay on screen).
struct Line {
    in_flight: usize,
    /// When the current busy period began.
    since: Option<Instant>,
    /// Whether the spinner line is on screen.
    shown: bool,
}

static LINE: Mutex<Line> = Mutex::new(Line { in_flight: 0, since: None, shown: false });

const SPINNER_DELAY: Duration = Duration::from_millis(300);
const SPINNER_FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

fn line() -> std::sync::MutexGuard<'static, Line> {
    LINE.lock().unwrap_or_else(|poison| poison.into_inner())
}

fn clear(line: &mut Line) {
    if line.shown {
        line.shown = false;
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "\r\x1b[2K");
        let _ = stderr.flush();
    }
}

/// Takes the spinner off the screen (before another line is written to stderr).
fn clear_progress_line() {
    clear(&mut line());
}

impl Progress {
    fn new() -> Progress {
        Progress { shared: Arc::new(ProgressShared { started: AtomicBool::new(false) }) }
    }

    fn begin(&self) -> ProgressGuard {
        {
            let mut line = line();
            line.in_flight += 1;
            if line.in_flight == 1 {
                line.since = Some(Instant::now());
            }
        }
        if !self.shared.started.swap(true, Ordering::SeqCst) {
            let _ = std::thread::Builder::new().name("llmspell-progress".to_owned()).spawn(spin);
        }
        ProgressGuard { active: true }
    }
}

fn spin() {
    let mut frame = 0usize;
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let mut line = line();
        match line.since {
            Some(since) if line.in_flight > 0 && since.elapsed() >= SPINNER_DELAY => {
                frame = (frame + 1) % SPINNER_FRAMES.len();
                let calls = match line.in_flight {
                    1 => String::new(),
                    count => format!(" ({count} calls)"),
                };
                let mut stderr = std::io::stderr().lock();
                let _ = write!(
                    stderr,
                    "\r\x1b[2K{} waiting for the model{calls}… {:.1}s",
                    SPINNER_FRAMES[frame],
                    since.elapsed().as_secs_f64()
                );
                let _ = stderr.flush();
                line.shown = true;
            }
            _ => clear(&mut line),
        }
    }
}

/// One call in flight; dropping it ends it.
struct ProgressGuard {
    active: bool,
}

impl ProgressGuard {
    fn end(&mut self) {
        if std::mem::take(&mut self.active) {
            let mut line = line();
            line.in_flight = line.in_flight.saturating_sub(1);
            if line.in_flight == 0 {
                line.since = None;
                clear(&mut line);
            }
        }
    }
}

impl Drop for ProgressGuard {
    fn drop(&mut self) {
        self.end();
    }
}

/// Counts a call as in flight until its answer (for a stream: its first event) arrives.
struct ProgressProvider {
    inner: Arc<dyn Provider>,
    progress: Progress,
}

impl Provider for ProgressProvider {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn kind(&self) -> ProviderKind {
        self.inner.kind()
    }
    fn chat(&self, request: Request) -> BoxFuture<'static, LlmResult<Response>> {
        let progress = self.progress.clone();
        let call = self.inner.chat(request);
        async move {
            let _guard = progress.begin();
            call.await
        }
        .boxed()
    }
    fn stream(&self, request: Request) -> EventStream {
        let progress = self.progress.clone();
        let inner = self.inner.stream(request);
        futures::stream::unfold((inner, None::<ProgressGuard>, false), move |(mut inner, mut guard, started)| {
            let progress = progress.clone();
            async move {
                if !started {
                    guard = Some(progress.begin());
                }
                let item = inner.next().await;
                if let Some(mut guard) = guard.take() {
                    guard.end();
                }
                item.map(|item| (item, (inner, None, true)))
            }
        })
        .boxed()
    }
}

// ---------------------------------------------------------------------------------------------
// `llmspell models`.

/// How long `llmspell models` waits for each provider (all are asked at once).
const MODELS_PROBE_TIMEOUT: Duration = Duration::from_millis(1500);

/// The text (or JSON) `llmspell models` prints.
pub fn models_report(setup: &LlmSetup, json: bool) -> Result<String, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the async runtime: {error}"))?;
    let (statuses, (default_model, default_reason)) = runtime.block_on(async {
        tokio::join!(statuses(&setup.entries, MODELS_PROBE_TIMEOUT), setup.effective_default())
    });
    let aliases = aliases(setup);
    if json {
        let report = serde_json::json!({
            "providers": statuses,
            "aliases": aliases,
            "default_model": default_model,
            "default_source": default_reason,
        });
        return Ok(format!("{report:#}\n"));
    }
    let mut rows = vec![[
        "PROVIDER".to_owned(),
        "KIND".to_owned(),
        "REACHABLE".to_owned(),
        "BASE URL".to_owned(),
        "MODELS".to_owned(),
    ]];
    for status in &statuses {
        let mut models = if status.models.is_empty() { "-".to_owned() } else { status.models.join(", ") };
        if let Some(variable) = status.api_key_env.as_deref().filter(|_| !status.api_key_set) {
            models.push_str(&format!("  (key: {variable} not set)"));
        }
        rows.push([
            status.name.clone(),
            status.kind.clone(),
            if status.reachable { "yes" } else { "no" }.to_owned(),
            status.base_url.clone().unwrap_or_else(|| "-".to_owned()),
            models,
        ]);
    }
    let widths: Vec<usize> = (0..4)
        .map(|column| rows.iter().map(|row| row[column].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        for (column, width) in widths.iter().enumerate() {
            out.push_str(&format!("{:<width$}  ", row[column]));
        }
        out.push_str(&row[4]);
        out.push('\n');
    }
    out.push_str("\naliases:");
    if aliases.is_empty() {
        out.push_str(" none\n");
    } else {
        out.push('\n');
        for (alias, model) in &aliases {
            out.push_str(&format!("  {alias} = {model}\n"));
        }
    }
    out.push_str(&format!("\ndefault model: {default_model} ({default_reason})\n"));
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// `llmspell run --events FILE`.

/// Subscribes to every event on the bus and writes each one to `path` as a line of JSON
/// (`{"name", "time", "data"}`), written through at once. The returned handle also writes
/// `spell.start` and `spell.end`, which happen outside the spell (no script handler can see them).
pub fn write_events_to(events: &llmspell_host::EventBus, path: &Path) -> Result<EventsFile, String> {
    let file = std::fs::File::create(path)
        .map_err(|error| format!("--events {}: {error}", path.display()))?;
    let file = EventsFile { file: Arc::new(Mutex::new(file)) };
    let writer = file.clone();
    let handler = llmspell_bridge::RustFunction(move |args: Vec<llmspell_bridge::Value>| {
        let event = args.into_iter().next().unwrap_or(llmspell_bridge::Value::Nil);
        writer.write(&lossy_json(&event));
        Ok(llmspell_bridge::Value::Nil)
    });
    events.subscribe("*", llmspell_bridge::Callable::new(handler));
    Ok(file)
}

/// The `--events` file.
#[derive(Clone)]
pub struct EventsFile {
    file: Arc<Mutex<std::fs::File>>,
}

impl EventsFile {
    fn write(&self, event: &serde_json::Value) {
        let mut line = event.to_string();
        line.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|poison| poison.into_inner());
        let _ = file.write_all(line.as_bytes());
        let _ = file.flush();
    }

    fn write_event(&self, name: &str, data: serde_json::Value) {
        let event = llmspell_host::event_value(name, llmspell_bridge::Value::from_json(data));
        self.write(&lossy_json(&event));
    }

    /// `spell.start` with `{name, path, engine}`.
    pub fn spell_start(&self, spell: &llmspell_host::SpellInfo) {
        let data = serde_json::json!({"name": spell.name, "path": spell.path, "engine": spell.engine});
        self.write_event("spell.start", data);
    }

    /// `spell.end` with `{ok}`, and the error's `{code, message, file, line}` when it failed.
    pub fn spell_end(&self, error: Option<&llmspell_runtime::SpellError>) {
        let data = match error {
            None => serde_json::json!({"ok": true}),
            Some(error) => serde_json::json!({
                "ok": false,
                "error": {"code": error.code, "message": error.message, "file": error.file, "line": error.line},
            }),
        };
        self.write_event("spell.end", data);
    }
}

/// JSON for any value: functions become `"<function>"`, objects their plain value or their
/// display text, non-finite numbers `null`.
fn lossy_json(value: &llmspell_bridge::Value) -> serde_json::Value {
    use llmspell_bridge::Value;
    match value {
        Value::List(list) => serde_json::Value::Array(list.iter().map(lossy_json).collect()),
        Value::Map(map) => serde_json::Value::Object(
            map.iter().map(|(key, value)| (key.clone(), lossy_json(value))).collect(),
        ),
        Value::Object(object) => match object.0.to_value() {
            Some(plain) => lossy_json(&plain),
            None => serde_json::Value::String(object.0.display()),
        },
        Value::Callable(_) => serde_json::Value::String("<function>".to_owned()),
        other => other.to_json().unwrap_or(serde_json::Value::Null),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin(kind: ProviderKind, key_set: bool, base_url: Option<&str>) -> Entry {
        let mut config = ProviderConfig::new(kind.as_str(), kind);
        config.base_url = base_url.map(str::to_owned);
        Entry {
            config,
            configured: false,
            key_env: kind.default_api_key_env().map(|name| format!("LLMSPELL_TEST_UNSET_{name}")),
            key_set,
        }
    }

    fn closed_url() -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    }

    #[tokio::test]
    async fn without_ollama_the_first_vendor_with_a_key_is_the_default_else_scripted() {
        let ollama = builtin(ProviderKind::Ollama, false, Some(&closed_url()));
        let entries = [
            builtin(ProviderKind::Scripted, false, None),
            ollama.clone(),
            builtin(ProviderKind::OpenAi, false, None),
            builtin(ProviderKind::Anthropic, true, None),
            builtin(ProviderKind::Gemini, true, None),
        ];
        let choice = AutoDefault::new(&entries, true).choose(false).await;
        assert_eq!((choice.provider.name(), choice.model.as_str()), ("anthropic", "claude-3-5-haiku-latest"));
        assert_eq!(choice.reason, "ANTHROPIC_API_KEY is set");

        let entries = [builtin(ProviderKind::Scripted, false, None), ollama];
        let choice = AutoDefault::new(&entries, true).choose(false).await;
        assert_eq!((choice.provider.name(), choice.model.as_str()), ("scripted", "echo"));
    }
}
