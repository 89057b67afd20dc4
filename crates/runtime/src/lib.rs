//! llmspell-runtime: runs a spell in Lua, JavaScript or Rhai with the host modules of a
//! [`Registry`] bound from their descriptors alone.
//!
//! Each spell runs on a thread of its own (never a tokio worker). I/O-bound host calls are
//! driven on a shared tokio runtime while the spell thread waits and serves callbacks.
//! Limits (wall clock, memory, instructions) are enforced by every engine, and the debug
//! seam ([`debug`]) lets a controller on another thread follow and pause the spell.
//! Binaries install [`alloc::SpellAllocator`] as their global allocator so the Rhai engine
//! can count a spell's memory exactly.
//!
//! Architecture invariant: this crate never sees LSP or DAP types, and knows no host module
//! by name; everything it binds comes from the registry.

pub mod alloc;
pub mod debug;
mod error;
pub mod spell_thread;

#[cfg(feature = "js")]
mod js;
#[cfg(feature = "lua")]
mod lua;
#[cfg(feature = "rhai")]
mod rhai;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use llmspell_bridge::{Function, HostError, Invocation, Registry, Value};

pub use debug::{DebugController, DebugHook, Frame, LineEvent, Resume, Stopped, debug_channel};
pub use error::{Diagnostic, SpellError, StackEntry};
pub use spell_thread::{CancelToken, Mailbox, MailboxSender, io_runtime};

/// The three script languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EngineKind {
    Lua,
    Js,
    Rhai,
}

impl EngineKind {
    pub const ALL: [EngineKind; 3] = [EngineKind::Lua, EngineKind::Js, EngineKind::Rhai];

    /// `lua`, `js` or `rhai`: what `spell.engine` holds and `--engine` takes.
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Lua => "lua",
            EngineKind::Js => "js",
            EngineKind::Rhai => "rhai",
        }
    }

    pub fn from_name(name: &str) -> Option<EngineKind> {
        match name {
            "lua" => Some(EngineKind::Lua),
            "js" | "javascript" => Some(EngineKind::Js),
            "rhai" => Some(EngineKind::Rhai),
            _ => None,
        }
    }

    /// The engine a file extension means (`.lua`, `.js`/`.mjs`, `.rhai`).
    pub fn from_extension(path: &Path) -> Option<EngineKind> {
        match path.extension()?.to_str()? {
            "lua" => Some(EngineKind::Lua),
            "js" | "mjs" => Some(EngineKind::Js),
            "rhai" => Some(EngineKind::Rhai),
            _ => None,
        }
    }

    /// The engine a `#!` line names: `--engine X`, or an interpreter called lua, node/qjs or rhai.
    pub fn from_shebang(code: &str) -> Option<EngineKind> {
        let line = code.lines().next()?.strip_prefix("#!")?;
        let words: Vec<&str> = line.split_whitespace().collect();
        if let Some(position) = words.iter().position(|word| *word == "--engine") {
            return words.get(position + 1).and_then(|name| EngineKind::from_name(name));
        }
        if let Some(value) = words.iter().find_map(|word| word.strip_prefix("--engine=")) {
            return EngineKind::from_name(value);
        }
        words.iter().rev().find_map(|word| {
            let program = word.rsplit('/').next().unwrap_or(word);
            match program {
                name if name.starts_with("lua") => Some(EngineKind::Lua),
                "node" | "qjs" | "deno" | "bun" => Some(EngineKind::Js),
                name if name.starts_with("rhai") => Some(EngineKind::Rhai),
                _ => None,
            }
        })
    }
}

impl fmt::Display for EngineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A spell's source, ready to run.
#[derive(Clone, Debug)]
pub struct Spell {
    /// The path as errors and the debugger show it.
    pub path: PathBuf,
    /// The spell's name: the file stem.
    pub name: String,
    pub code: String,
    pub engine: EngineKind,
}

impl Spell {
    /// Reads a spell; the engine comes from `engine`, else the extension, else a shebang.
    pub fn load(path: &Path, engine: Option<EngineKind>) -> Result<Spell, SpellError> {
        let bytes = std::fs::read(path).map_err(|error| {
            SpellError::new(llmspell_bridge::codes::IO, format!("cannot read {}: {error}", path.display()))
        })?;
        let code = String::from_utf8(bytes).map_err(|error| {
            SpellError::new(
                llmspell_bridge::codes::SYNTAX,
                format!("{} is not valid UTF-8 (byte {})", path.display(), error.utf8_error().valid_up_to()),
            )
        })?;
        let engine = engine
            .or_else(|| EngineKind::from_extension(path))
            .or_else(|| EngineKind::from_shebang(&code))
            .ok_or_else(|| {
                SpellError::new(
                    llmspell_bridge::codes::INVALID_ARGUMENT,
                    format!(
                        "cannot tell the language of {}: use a .lua, .js, .mjs or .rhai extension, a #! line, or --engine",
                        path.display()
                    ),
                )
            })?;
        Ok(Spell::from_source(path, code, engine))
    }

    pub fn from_source(path: impl Into<PathBuf>, code: impl Into<String>, engine: EngineKind) -> Spell {
        let path = path.into();
        let name = path.file_stem().and_then(|stem| stem.to_str()).unwrap_or("spell").to_owned();
        Spell { path, name, code: code.into(), engine }
    }

    /// The file name errors and line events carry.
    pub fn file_name(&self) -> String {
        self.path.display().to_string()
    }

    /// The source with a `#!` first line blanked out, so every engine accepts it and line
    /// numbers stay the same.
    pub fn code_without_shebang(&self) -> &str {
        if self.code.starts_with("#!") {
            match self.code.find('\n') {
                Some(end) => &self.code[end..],
                None => "",
            }
        } else {
            &self.code
        }
    }
}

/// Resource limits for one spell. `None` turns a limit off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub timeout: Option<Duration>,
    pub memory: Option<usize>,
    pub max_instructions: Option<u64>,
}

impl Default for Limits {
    /// The defaults of spell-api.md: 300 s, 256 MiB, no instruction budget.
    fn default() -> Self {
        Limits {
            timeout: Some(Duration::from_secs(300)),
            memory: Some(256 * 1024 * 1024),
            max_instructions: None,
        }
    }
}

/// How to run a spell.
#[derive(Clone, Default)]
pub struct RunOptions {
    pub limits: Limits,
    /// Installs the debug seam; `None` (the default) installs no hook at all.
    pub debug: Option<Arc<dyn DebugHook>>,
    pub cancel: CancelToken,
    /// The workspace root: JS imports and Rhai `import` resolve inside it only.
    /// `None` means the spell's own folder.
    pub workspace: Option<PathBuf>,
}

/// Everything an engine needs to run one spell, on the spell thread.
pub(crate) struct SpellEnv {
    pub spell: Spell,
    pub registry: Arc<Registry>,
    pub limits: Limits,
    pub deadline: Option<Instant>,
    pub debug: Option<Arc<dyn DebugHook>>,
    pub cancel: CancelToken,
    pub mailbox: Mailbox,
    /// The workspace root (absolute when the spell's path is).
    pub workspace: PathBuf,
}

impl SpellEnv {
    /// Calls a host function and waits for it if it is I/O-bound (Lua and Rhai semantics).
    #[allow(dead_code, reason = "used by the engines that block on I/O-bound calls")]
    pub fn call_blocking(
        &self,
        function: &Function,
        qualified: &str,
        this: Option<Value>,
        args: Vec<Value>,
    ) -> Result<Value, HostError> {
        match function.invoke(qualified, this, args) {
            Invocation::Ready(result) => result,
            Invocation::Pending(future) => {
                self.mailbox.wait_for(future, self.deadline, &self.cancel)?
            }
        }
    }

    /// The error for a spell that ran past its wall-clock limit.
    #[allow(dead_code, reason = "used by every engine's limit checks")]
    pub fn timeout_error(&self) -> HostError {
        let limit = self.limits.timeout.map(humanise_duration).unwrap_or_default();
        HostError::new(
            llmspell_bridge::codes::TIMEOUT,
            format!("the spell ran past its time limit of {limit}"),
        )
    }

    #[allow(dead_code, reason = "used by every engine's limit checks")]
    pub fn memory_error(&self) -> HostError {
        let limit = self.limits.memory.map(humanise_bytes).unwrap_or_default();
        HostError::new(
            llmspell_bridge::codes::MEMORY_LIMIT,
            format!("the spell used more than its memory limit of {limit}"),
        )
    }

    #[allow(dead_code, reason = "used by every engine's limit checks")]
    pub fn instruction_error(&self) -> HostError {
        let limit = self.limits.max_instructions.unwrap_or_default();
        HostError::new(
            llmspell_bridge::codes::INSTRUCTION_LIMIT,
            format!("the spell ran past its instruction limit of {limit}"),
        )
    }

    /// Whether a host error must end this spell rather than reach the script as a catchable
    /// error: a limit or termination ([`HostError::is_fatal`]), where a `timeout` or
    /// `terminated` counts only when this spell's own deadline passed or it was cancelled.
    #[allow(dead_code, reason = "used by the engines that raise host errors")]
    pub fn ends_spell(&self, error: &HostError) -> bool {
        match error.code.as_str() {
            llmspell_bridge::codes::TIMEOUT => self.past_deadline(),
            llmspell_bridge::codes::TERMINATED => self.cancel.is_cancelled(),
            _ => error.is_fatal(),
        }
    }

    /// Whether the wall clock has run out.
    #[allow(dead_code, reason = "used by every engine's limit checks")]
    pub fn past_deadline(&self) -> bool {
        self.deadline.is_some_and(|deadline| Instant::now() >= deadline)
    }
}

/// `3s`, `1m 30s`, `250ms`.
pub fn humanise_duration(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{}s", duration.as_secs())
    } else {
        format!("{}ms", duration.as_millis())
    }
}

/// `128MiB`, `1GiB`, `4096B`.
pub fn humanise_bytes(bytes: usize) -> String {
    const UNITS: [(&str, usize); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if bytes >= size && bytes % size == 0 {
            return format!("{}{unit}", bytes / size);
        }
    }
    format!("{bytes}B")
}

/// Runs a spell to its end on a thread of its own and returns its final value.
///
/// Nothing the spell does can panic the caller: engine panics come back as `internal` errors.
pub fn run(spell: Spell, registry: Arc<Registry>, options: RunOptions) -> Result<Value, SpellError> {
    let engine = spell.engine;
    let deadline = options.limits.timeout.map(|timeout| Instant::now() + timeout);
    let limit = options.limits.timeout;
    let watchdog = options.debug.is_none();
    let cancel = options.cancel.clone();
    let (result_sender, result) = std::sync::mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name(format!("spell-{engine}"))
        .stack_size(64 * 1024 * 1024)
        .spawn(move || {
            let workspace = options.workspace.unwrap_or_else(|| {
                spell.path.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
            });
            let env = SpellEnv {
                deadline,
                spell,
                registry,
                limits: options.limits,
                debug: options.debug,
                cancel: options.cancel,
                mailbox: Mailbox::for_current_thread(),
                workspace,
            };
            let outcome =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_on_this_thread(&env)))
                    .unwrap_or_else(|panic| Err(SpellError::internal(panic_message(&panic))));
            let _ = result_sender.send(outcome);
        })
        .map_err(|error| SpellError::internal(format!("cannot start the spell thread: {error}")))?;
    let ended_early = || SpellError::internal("the spell thread ended without a result");
    let Some(deadline) = deadline.filter(|_| watchdog) else {
        return result.recv().unwrap_or_else(|_| Err(ended_early()));
    };
    // The engines stop themselves at the deadline. The watchdog covers native code that no
    // hook can interrupt (a pathological Lua pattern, say): past the deadline and a grace
    // period, the spell is cancelled and abandoned, and the caller gets its answer anyway.
    match result.recv_timeout(deadline.saturating_duration_since(Instant::now()) + WATCHDOG_GRACE) {
        Ok(outcome) => outcome,
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(ended_early()),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            cancel.cancel();
            let limit = limit.map(humanise_duration).unwrap_or_default();
            Err(SpellError::new(
                llmspell_bridge::codes::TIMEOUT,
                format!(
                    "the spell ran past its time limit of {limit} inside native code that cannot be interrupted; it was abandoned"
                ),
            ))
        }
    }
}

/// How long past its deadline a spell may take to stop before it is abandoned.
const WATCHDOG_GRACE: Duration = Duration::from_secs(2);

fn run_on_this_thread(env: &SpellEnv) -> Result<Value, SpellError> {
    match env.spell.engine {
        #[cfg(feature = "lua")]
        EngineKind::Lua => lua::run(env),
        #[cfg(feature = "js")]
        EngineKind::Js => js::run(env),
        #[cfg(feature = "rhai")]
        EngineKind::Rhai => rhai::run(env),
        #[allow(unreachable_patterns, reason = "reachable when an engine feature is off")]
        other => Err(SpellError::new(
            llmspell_bridge::codes::INVALID_ARGUMENT,
            format!("this build of llmspell has no {other} engine"),
        )),
    }
}

/// Compiles a spell without running it and returns every syntax error with its position.
pub fn check(spell: &Spell) -> Vec<Diagnostic> {
    let spell = spell.clone();
    std::panic::catch_unwind(move || match spell.engine {
        #[cfg(feature = "lua")]
        EngineKind::Lua => lua::check(&spell),
        #[cfg(feature = "js")]
        EngineKind::Js => js::check(&spell),
        #[cfg(feature = "rhai")]
        EngineKind::Rhai => rhai::check(&spell),
        #[allow(unreachable_patterns, reason = "reachable when an engine feature is off")]
        other => vec![Diagnostic {
            file: spell.file_name(),
            line: 1,
            column: 1,
            message: format!("this build of llmspell has no {other} engine"),
        }],
    })
    .unwrap_or_else(|panic| {
        vec![Diagnostic { file: String::new(), line: 1, column: 1, message: panic_message(&panic) }]
    })
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    let detail = panic
        .downcast_ref::<&str>()
        .map(|text| text.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".to_owned());
    format!("internal error in the engine: {detail}")
}
