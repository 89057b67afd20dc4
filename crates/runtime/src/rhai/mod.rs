//! The Rhai engine: runs a spell on a per-spell [`Engine`] built from a shared standard
//! package and a shared, registry-derived binding module.
//!
//! Bird's-eye view:
//! - [`bind`] turns the registry's descriptors into Rhai functions: one raw function per
//!   distinct host function or method name and arity that dispatches on its receiver (a
//!   [`convert::HostRef`]), one static module per host module (`test::echo(1)`), the host
//!   `print`, and the token mapper that lets host names such as `new`, `loop`, `call` or
//!   `debug` follow a `.` or `::`.
//! - [`convert`] converts values both ways and wraps script functions as host callables.
//! - [`session`] is the per-spell state the raw functions reach through a thread local: the
//!   environment, the stack of live call contexts (for re-entrant callbacks), the sticky
//!   fatal error and the callables the spell handed out.
//! - [`debugger`] is the debug seam, [`resolver`] the workspace-confined `import`.
//!
//! Architecture invariant: nothing here knows a host module by name; module objects come
//! from the variable resolver (visible inside `fn` bodies, shadowed by locals), never from
//! scope variables, so the debugger's locals are the script's own.

mod bind;
mod convert;
mod debugger;
mod memory;
mod resolver;
mod session;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use llmspell_bridge::{HostError, Value, codes};
use rhai::packages::{Package, StandardPackage};
use rhai::{Dynamic, Engine, EvalAltResult, OptimizationLevel, Position, Shared};

use crate::{Diagnostic, Spell, SpellEnv, SpellError, StackEntry};
use session::Session;

/// Script functions may nest this deep (calls, callbacks through the host, `eval`).
pub(crate) const MAX_CALL_LEVELS: usize = 256;
/// Expression nesting allowed at the top level and inside functions.
const MAX_EXPR_DEPTH: (usize, usize) = (128, 64);
/// The deadline and cancellation are checked every this many operations (memory at every
/// one: a thread-local read).
const CHECK_EVERY: u64 = 1024;

/// Runs a spell to its end and returns its final value.
pub(crate) fn run(env: &SpellEnv) -> Result<Value, SpellError> {
    let session = Session::new(env);
    let _entered = session.enter();
    let file = env.spell.file_name();

    let mut engine = new_engine();
    bind::bind_registry(&mut engine, &session);
    apply_limits(&mut engine, env, session.memory.clone());
    engine.set_module_resolver(resolver::WorkspaceResolver::new(env));
    if let Some(hook) = &env.debug {
        debugger::install(&mut engine, hook.clone(), file.clone());
    }

    let mut ast =
        engine.compile(env.spell.code_without_shebang()).map_err(|error| syntax_error(&file, &error))?;
    ast.set_source(file.as_str());

    // A spell that ran to its end succeeded: a final value the host cannot hold (a module
    // object, a timestamp) is simply no value.
    let value = match engine.eval_ast::<Dynamic>(&ast) {
        Ok(value) => value,
        Err(error) => match *error {
            EvalAltResult::Exit(value, _) | EvalAltResult::Return(value, _) => value,
            _ => return Err(spell_error(&session, &file, &error)),
        },
    };
    Ok(convert::to_value(&value).unwrap_or(Value::Nil))
}

/// Compiles a spell without running it and returns its syntax error, if any (Rhai stops at
/// the first one).
pub(crate) fn check(spell: &Spell) -> Vec<Diagnostic> {
    let engine = parser_engine();
    match engine.compile(spell.code_without_shebang()) {
        Ok(_) => Vec::new(),
        Err(error) => {
            let (line, column) = line_and_column(error.position());
            vec![Diagnostic {
                file: spell.file_name(),
                line: line.unwrap_or(1),
                column: column.unwrap_or(1),
                message: error.err_type().to_string(),
            }]
        }
    }
}

/// The standard package, built once per process and shared by every spell's engine.
fn standard_package() -> Shared<rhai::Module> {
    static PACKAGE: OnceLock<Shared<rhai::Module>> = OnceLock::new();
    PACKAGE.get_or_init(|| StandardPackage::new().as_shared_module()).clone()
}

/// A raw engine with the standard package and the settings every spell shares.
fn new_engine() -> Engine {
    let mut engine = Engine::new_raw();
    engine.register_global_module(standard_package());
    engine.register_global_module(memory::guarded_functions());
    engine.set_max_expr_depths(MAX_EXPR_DEPTH.0, MAX_EXPR_DEPTH.1);
    engine.set_max_call_levels(MAX_CALL_LEVELS);
    bind::install_token_mapper(&mut engine);
    // No optimiser: it folds constants with Rust's own text for host values (`${x}` of a
    // host handle), and a debugged spell must keep every statement anyway. Spells spend
    // their time in host calls, not in arithmetic the optimiser could fold.
    engine.set_optimization_level(OptimizationLevel::None);
    engine
}

/// The engine `check` parses with: same syntax, no packages.
fn parser_engine() -> Engine {
    let mut engine = Engine::new_raw();
    engine.set_max_expr_depths(MAX_EXPR_DEPTH.0, MAX_EXPR_DEPTH.1);
    bind::install_token_mapper(&mut engine);
    engine
}

/// Wall clock, cancellation, instruction budget and memory.
///
/// All of them end the spell with an error Rhai's `try` cannot catch: `on_progress`
/// terminates with `ErrorTerminated`, a system exception that passes straight through
/// `catch`. Memory is the spell thread's allocation balance (see [`memory`]); Rhai's own
/// data-size limits are not set, as they make growing a container O(n²).
fn apply_limits(engine: &mut Engine, env: &SpellEnv, memory: Option<memory::MemoryMeter>) {
    let memory = memory.filter(memory::MemoryMeter::counts);
    let memory_error = env.memory_error();

    let deadline = env.deadline;
    let cancel = env.cancel.clone();
    let budget = env.limits.max_instructions.unwrap_or(u64::MAX);
    let timeout = env.timeout_error();
    let instructions = env.instruction_error();
    let counter = Arc::new(AtomicU64::new(0));
    engine.on_progress(move |_| {
        // One counter for the whole spell: callbacks start from a copy of the caller's
        // operation count, so Rhai's own count would undercount them.
        let count = counter.fetch_add(1, Ordering::Relaxed) + 1;
        if count > budget {
            return Some(session::terminate(instructions.clone()));
        }
        // At every operation: one doubling of a string or array is a single operation.
        if memory.as_ref().is_some_and(memory::MemoryMeter::over) {
            return Some(session::terminate(memory_error.clone()));
        }
        if !count.is_multiple_of(CHECK_EVERY) {
            return None;
        }
        if let Some(fatal) = session::fatal() {
            return Some(session::terminate(fatal));
        }
        if cancel.is_cancelled() {
            return Some(session::terminate(terminated_error()));
        }
        if deadline.is_some_and(|deadline| std::time::Instant::now() >= deadline) {
            return Some(session::terminate(timeout.clone()));
        }
        None
    });
}

/// The error for a spell stopped by the debugger or a cancellation.
pub(crate) fn terminated_error() -> HostError {
    HostError::new(codes::TERMINATED, "the spell was terminated")
}

/// The message of a stack overflow.
pub(crate) fn stack_overflow_message() -> String {
    format!("stack overflow: more than {MAX_CALL_LEVELS} nested calls")
}

/// 1-based line and column of a Rhai position, when it has one.
fn line_and_column(position: Position) -> (Option<u32>, Option<u32>) {
    let line = position.line().map(|line| line as u32);
    let column = position.position().map(|column| column as u32);
    (line, column)
}

fn syntax_error(file: &str, error: &rhai::ParseError) -> SpellError {
    let (line, column) = line_and_column(error.position());
    let mut spell_error = SpellError::new(codes::SYNTAX, error.err_type().to_string());
    spell_error.file = Some(file.to_owned());
    spell_error.line = line;
    spell_error.column = column;
    spell_error
}

/// The stable code and message of a Rhai error (the innermost one of a call chain).
///
/// A thrown map with a string `code` keeps it (host errors are such maps); a thrown string
/// is a `runtime` error with that message; limits map to their own codes.
pub(crate) fn classify(error: &EvalAltResult) -> HostError {
    match error {
        EvalAltResult::ErrorRuntime(value, _) => thrown_value_error(value),
        EvalAltResult::ErrorTerminated(token, _) => {
            session::fatal().unwrap_or_else(|| HostError::new(codes::TERMINATED, token.to_string()))
        }
        EvalAltResult::ErrorStackOverflow(_) => {
            HostError::new(codes::STACK_OVERFLOW, stack_overflow_message())
        }
        EvalAltResult::ErrorDataTooLarge(what, _) => session::with_session(|session| {
            let limit = session.env.memory_error();
            HostError::new(limit.code, format!("{} ({what} is over the limit)", limit.message))
        })
        .unwrap_or_else(|| HostError::new(codes::MEMORY_LIMIT, format!("{what} is over the limit"))),
        EvalAltResult::ErrorTooManyOperations(_) => {
            session::with_session(|session| session.env.instruction_error())
                .unwrap_or_else(|| HostError::new(codes::INSTRUCTION_LIMIT, "too many operations"))
        }
        EvalAltResult::ErrorParsing(kind, _) => HostError::new(codes::SYNTAX, kind.to_string()),
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _) | EvalAltResult::ErrorInModule(_, inner, _) => {
            classify(inner)
        }
        other => HostError::new(codes::RUNTIME, bind::unmangle(&message_without_position(other))),
    }
}

/// Rhai's text for an error, without the ` (line 1, position 2)` it appends.
fn message_without_position(error: &EvalAltResult) -> String {
    let text = error.to_string();
    let position = error.position();
    if position.is_none() {
        return text;
    }
    let suffix = format!(" ({position})");
    text.strip_suffix(&suffix).map(str::to_owned).unwrap_or(text)
}

/// The error a `throw` of `value` stands for.
fn thrown_value_error(value: &Dynamic) -> HostError {
    let value = value.flatten_clone();
    if let Ok(map) = value.as_map_ref()
        && let Some(code) = map.get("code").and_then(|code| code.clone().into_string().ok())
    {
        let message = map
            .get("message")
            .map(|message| match message.clone().into_string() {
                Ok(text) => text,
                Err(_) => display(message),
            })
            .unwrap_or_default();
        return HostError::new(code, message);
    }
    match value.clone().into_string() {
        Ok(text) => HostError::new(codes::RUNTIME, text),
        Err(_) => HostError::new(codes::RUNTIME, display(&value)),
    }
}

/// The canonical text of a Rhai value, as `print` writes it.
fn display(value: &Dynamic) -> String {
    convert::to_value(value).map(|value| value.to_display()).unwrap_or_else(|_| value.to_string())
}

/// An uncaught error as the spell's result: code, message, position and script stack.
fn spell_error(session: &Session<'_>, file: &str, error: &EvalAltResult) -> SpellError {
    // The chain of `ErrorInFunctionCall`s, outermost first: each names a function and the
    // position it was called from.
    let mut calls: Vec<(String, Position)> = Vec::new();
    let mut innermost = error;
    loop {
        match innermost {
            EvalAltResult::ErrorInFunctionCall(name, _, inner, position) => {
                calls.push((frame_name(name), *position));
                innermost = inner;
            }
            EvalAltResult::ErrorInModule(name, inner, position) => {
                calls.push((format!("<module {name}>"), *position));
                innermost = inner;
            }
            _ => break,
        }
    }
    let host = session.fatal().unwrap_or_else(|| classify(innermost));
    let mut position = innermost.position();
    if position.is_none() {
        position = calls
            .iter()
            .rev()
            .map(|(_, position)| *position)
            .find(|p| !p.is_none())
            .unwrap_or(Position::NONE);
    }
    let (line, column) = line_and_column(position);

    let mut stack = Vec::with_capacity(calls.len() + 1);
    let mut frame_line = line.unwrap_or(0);
    for index in (0..=calls.len()).rev() {
        let function = if index == 0 { "<main>".to_owned() } else { calls[index - 1].0.clone() };
        stack.push(StackEntry { function, file: file.to_owned(), line: frame_line });
        if index > 0 {
            frame_line = line_and_column(calls[index - 1].1).0.unwrap_or(0);
        }
    }

    let mut spell_error = SpellError::new(host.code, host.message);
    spell_error.file = Some(file.to_owned());
    spell_error.line = line;
    spell_error.column = column;
    spell_error.stack = stack;
    spell_error
}

/// How a stack shows a script function: its name, or `<anonymous>` for a closure.
pub(crate) fn frame_name(name: &str) -> String {
    if name.starts_with("anon$") { "<anonymous>".to_owned() } else { name.to_owned() }
}
