//! The JavaScript engine (QuickJS through rquickjs).
//!
//! A spell is evaluated as an ES module named after its file, so top-level `await` works and
//! stacks read `at f (spell.js:3:5)`. Host modules are bound on `globalThis` from the
//! registry's descriptors ([`bind`]). I/O-bound host functions return Promises; the spell
//! thread runs its own event loop ([`drive`]): QuickJS jobs, then settled host calls, then
//! the mailbox, until the module's evaluation settles and no host call is pending.
//!
//! Limits ([`limits`]): a capped allocator and an interrupt handler make memory exhaustion,
//! deep recursion, the deadline, cancellation and the instruction budget end the spell with
//! an uncatchable error. Imports resolve only inside the workspace ([`sandbox`]).

mod bind;
mod convert;
mod debug;
mod limits;
mod sandbox;
mod state;

use std::rc::Rc;

use llmspell_bridge::{HostError, Value, codes};
use llmspell_syntax::instrument::{Instrumented, instrument_javascript};
use rquickjs::function::Args;
use rquickjs::promise::PromiseState;
use rquickjs::{Context, Ctx, Module, Persistent, Promise, Runtime, Value as JsValue};

use self::convert::{ErrorInfo, caught, to_js, to_value};
use self::debug::JsDebugger;
use self::limits::{Guards, HARD_STACK_LIMIT, stack_overflow_error};
use self::sandbox::{SandboxLoader, SandboxResolver, WorkspaceLoader};
use self::state::{ActiveGuard, State, active, spell_ended};
use crate::spell_thread::Mailbox;
use crate::{Diagnostic, Spell, SpellEnv, SpellError, StackEntry};

/// Runs a spell on this (the spell's) thread.
pub(crate) fn run(env: &SpellEnv) -> Result<Value, SpellError> {
    let guards = Rc::new(Guards::new(env));
    let allocator = guards.allocator(env.limits.memory);
    let runtime = Runtime::new_with_alloc(allocator).map_err(|error| setup_error(&guards, error))?;
    runtime.set_max_stack_size(HARD_STACK_LIMIT);
    let interrupt_guards = guards.clone();
    runtime.set_interrupt_handler(Some(Box::new(move || interrupt_guards.on_interrupt())));
    let loader = Rc::new(WorkspaceLoader::new(&env.workspace));
    runtime.set_loader(SandboxResolver(loader.clone()), SandboxLoader(loader));
    let context = Context::full(&runtime).map_err(|error| setup_error(&guards, error))?;
    let state = Rc::new(State::new(env.registry.clone(), guards.clone(), env.mailbox.sender()));
    let tracker_state = state.clone();
    runtime.set_host_promise_rejection_tracker(Some(Box::new(move |ctx, promise, reason, handled| {
        tracker_state.track_rejection(&ctx, promise, reason, handled)
    })));

    // Under a debug session the spell runs instrumented ([`debug`]).
    let instrumented = env.debug.as_ref().map(|_| Rc::new(instrument_javascript(env.spell.code_without_shebang())));
    let debugger = env.debug.clone().zip(instrumented.clone()).map(|(hook, instrumented)| {
        Rc::new(JsDebugger::new(hook, env.spell.file_name(), instrumented))
    });
    let result = context.with(|ctx| {
        let _active = ActiveGuard::enter(&state, &ctx, &env.mailbox);
        // Drops every QuickJS value the state holds before the runtime goes, even on panic.
        let _clear = ClearOnDrop(&state, debugger.as_deref());
        let debugged = debugger.as_ref().zip(instrumented.as_deref());
        run_module(&ctx, &state, env, debugged)
    });

    runtime.set_host_promise_rejection_tracker(None);
    runtime.set_interrupt_handler(None);
    drop(context);
    drop(runtime);
    result
}

/// Compiles a spell without running it; QuickJS reports the first syntax error.
pub(crate) fn check(spell: &Spell) -> Vec<Diagnostic> {
    let file = spell.file_name();
    let failure = |message: String| vec![Diagnostic { file: file.clone(), line: 1, column: 1, message }];
    let Ok(runtime) = Runtime::new() else {
        return failure("cannot start the JavaScript engine".to_owned());
    };
    let Ok(context) = Context::full(&runtime) else {
        return failure("cannot start the JavaScript engine".to_owned());
    };
    context.with(|ctx| match Module::declare(ctx.clone(), file.clone(), spell.code_without_shebang()) {
        Ok(_) => Vec::new(),
        Err(error) => {
            let value = if error.is_exception() { ctx.catch() } else { JsValue::new_undefined(ctx.clone()) };
            let info = ErrorInfo::of(&ctx, &value);
            let message = if info.message.is_empty() { error.to_string() } else { info.message };
            let frame = info.stack.as_deref().map(parse_stack).and_then(|frames| frames.into_iter().next());
            let (line, column) = frame.map(|frame| (frame.line, frame.column)).unwrap_or((1, 1));
            vec![Diagnostic { file: file.clone(), line, column, message }]
        }
    })
}

struct ClearOnDrop<'a>(&'a State, Option<&'a JsDebugger>);

impl Drop for ClearOnDrop<'_> {
    fn drop(&mut self) {
        if let Some(debugger) = self.1 {
            debugger.clear();
        }
        self.0.clear();
    }
}

fn setup_error(guards: &Guards, error: rquickjs::Error) -> SpellError {
    match error {
        rquickjs::Error::Allocation => guards.memory_error().into(),
        other => SpellError::internal(format!("cannot start the JavaScript engine: {other}")),
    }
}

/// Runs the spell's module. Under a debug session the module is the instrumented source
/// ([`debug`]); otherwise it is the spell's own text, untouched.
fn run_module<'js>(
    ctx: &Ctx<'js>,
    state: &Rc<State>,
    env: &SpellEnv,
    debugged: Option<(&Rc<JsDebugger>, &Instrumented)>,
) -> Result<Value, SpellError> {
    if let Err(error) = bind::bind_registry(ctx, state) {
        return Err(rquickjs_failure(ctx, state, error, Stage::Run));
    }
    let name = env.spell.file_name();
    let Some((debugger, instrumented)) = debugged else {
        return evaluate_module(ctx, state, env, name, env.spell.code_without_shebang());
    };
    if let Err(error) = debug::install(ctx, state, debugger) {
        return Err(rquickjs_failure(ctx, state, error, Stage::Run));
    }
    evaluate_module(ctx, state, env, name.clone(), &instrumented.code).map_err(|mut error| {
        // Lines are the user's already; columns move back past the inserted calls.
        if error.file.as_deref() == Some(name.as_str())
            && let (Some(line), Some(column)) = (error.line, error.column)
        {
            error.column = Some(instrumented.original_column(line, column));
        }
        error
    })
}

fn evaluate_module<'js>(
    ctx: &Ctx<'js>,
    state: &Rc<State>,
    env: &SpellEnv,
    name: String,
    code: &str,
) -> Result<Value, SpellError> {
    let module = Module::declare(ctx.clone(), name, code)
        .map_err(|error| rquickjs_failure(ctx, state, error, Stage::Compile))?;
    let (module, promise) = module.eval().map_err(|error| rquickjs_failure(ctx, state, error, Stage::Link))?;
    drive(ctx, state, &env.mailbox, &promise, true)?;
    match promise.result::<JsValue<'js>>() {
        Some(Ok(_)) => {
            // `export default value` is the spell's result.
            let result: JsValue<'js> = module.get("default").unwrap_or_else(|_| {
                let _ = ctx.catch();
                JsValue::new_undefined(ctx.clone())
            });
            to_value(ctx, state, &result).map_err(SpellError::from)
        }
        Some(Err(error)) => Err(rquickjs_failure(ctx, state, error, Stage::Run)),
        None => Err(SpellError::internal("the spell's evaluation did not settle")),
    }
}

/// Where an error came from: compile errors are `syntax` errors.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Compile,
    Link,
    Run,
}

/// The event loop. Runs QuickJS jobs, settles finished host calls and serves the mailbox
/// until `promise` settles — and, with `wait_for_calls`, until no host call is pending.
/// Fails with the spell's fatal error, or with a rejection nobody handled.
fn drive<'js>(
    ctx: &Ctx<'js>,
    state: &Rc<State>,
    mailbox: &Mailbox,
    promise: &Promise<'js>,
    wait_for_calls: bool,
) -> Result<(), SpellError> {
    loop {
        loop {
            if let Some(fatal) = state.guards.check() {
                return Err(fatal_failure(ctx, fatal, Some(promise)));
            }
            if !ctx.execute_pending_job() {
                break;
            }
        }
        let completions = state.take_completions();
        if !completions.is_empty() {
            for (id, result) in completions {
                if let Err(error) = bind::settle(ctx, state, id, result) {
                    return Err(rquickjs_failure(ctx, state, error, Stage::Run));
                }
            }
            // A failed call's rejection made an Error; its backtrace must not stand in for
            // the next thrown value's.
            State::forget_backtrace(ctx);
            continue;
        }
        state.free_dropped();
        let settled = match promise.state() {
            PromiseState::Pending => false,
            // A failed spell does not wait for the calls it left behind.
            PromiseState::Rejected => return Ok(()),
            PromiseState::Resolved => true,
        };
        if settled && (!wait_for_calls || !state.has_pending()) {
            return Ok(());
        }
        // Like Node: a rejected promise nobody handles ends the spell.
        if let Some(reason) = state.unhandled_rejection(ctx, promise.as_value()) {
            return Err(value_failure(ctx, state, reason, Stage::Run));
        }
        if !settled && !state.has_pending() && mailbox.run_pending() == 0 {
            return Err(SpellError::new(codes::RUNTIME, "the spell awaits a promise that nothing will ever settle"));
        }
        match mailbox.run_one(state.guards.deadline(), state.guards.cancel_token()) {
            Ok(true) => {}
            Ok(false) => {
                if state.guards.check().is_none() {
                    // The deadline passed (checked above) or the mailbox closed: both end here.
                    state.guards.set_fatal(state.guards.timeout_error());
                }
            }
            Err(error) => state.guards.set_fatal(error),
        }
    }
}

/// Calls script function `id` of spell `spell_id` with `args`; runs on the spell thread,
/// re-entrantly inside a host call or from the event loop.
pub(super) fn call_on_spell_thread(spell_id: u64, id: u64, args: Vec<Value>) -> Result<Value, HostError> {
    let Some(active) = active() else {
        return Err(spell_ended());
    };
    if active.state.spell_id != spell_id {
        return Err(spell_ended());
    }
    // SAFETY: `active()` is set only inside the spell's `Context::with` on this thread.
    let ctx = unsafe { active.ctx() };
    call_script(&ctx, &active.state, active.mailbox(), id, args)
}

fn call_script<'js>(
    ctx: &Ctx<'js>,
    state: &Rc<State>,
    mailbox: &Mailbox,
    id: u64,
    args: Vec<Value>,
) -> Result<Value, HostError> {
    if let Some(fatal) = state.guards.check() {
        return Err(fatal);
    }
    let function = state
        .callable_function(id)
        .ok_or_else(|| HostError::new(codes::NOT_FOUND, "this script function is no longer available"))?
        .restore(ctx)
        .map_err(|error| HostError::internal(error.to_string()))?;
    State::forget_backtrace(ctx);
    let mut js_args = Args::new(ctx.clone(), args.len());
    for value in args {
        let value = to_js(ctx, state, value).map_err(|error| caught(ctx, state, error))?;
        js_args.push_arg(value).map_err(|error| caught(ctx, state, error))?;
    }
    let result: JsValue<'js> = function.call_arg(js_args).map_err(|error| callback_failure(ctx, state, error))?;
    let result = match result.as_promise() {
        // An async callback: run the event loop until its promise settles.
        Some(promise) => {
            drive(ctx, state, mailbox, promise, false)
                .map_err(|error| state.guards.check().unwrap_or_else(|| error.to_host_error()))?;
            match promise.result::<JsValue<'js>>() {
                Some(Ok(value)) => value,
                Some(Err(error)) => return Err(callback_failure(ctx, state, error)),
                None => return Err(HostError::internal("an async callback did not settle")),
            }
        }
        None => result,
    };
    to_value(ctx, state, &result)
}

/// The host error for a callback that threw; remembers the thrown value so the host call
/// that fails because of it rethrows the original (same stack).
fn callback_failure<'js>(ctx: &Ctx<'js>, state: &State, error: rquickjs::Error) -> HostError {
    if !error.is_exception() {
        return caught(ctx, state, error);
    }
    let value = ctx.catch();
    if let Some(fatal) = state.guards.check() {
        return fatal;
    }
    let info = ErrorInfo::of(ctx, &value);
    if is_stack_overflow(&info) {
        state.guards.set_fatal(stack_overflow_error());
        return stack_overflow_error();
    }
    let host = HostError::new(info.code.clone().unwrap_or_else(|| codes::RUNTIME.to_owned()), info.headline());
    state.set_callback_error(host.clone(), Persistent::save(ctx, value));
    host
}

/// The spell error for an rquickjs error (taking the pending exception, if any).
fn rquickjs_failure<'js>(ctx: &Ctx<'js>, state: &State, error: rquickjs::Error, stage: Stage) -> SpellError {
    if error.is_exception() {
        let value = ctx.catch();
        return value_failure(ctx, state, value, stage);
    }
    if let Some(fatal) = state.guards.check() {
        return fatal.into();
    }
    match error {
        rquickjs::Error::Allocation => state.guards.memory_error().into(),
        other => SpellError::internal(other.to_string()),
    }
}

/// The spell error for the sticky fatal error, located where the script was stopped when
/// the stop is visible (the rejection of `promise`).
fn fatal_failure<'js>(ctx: &Ctx<'js>, fatal: HostError, promise: Option<&Promise<'js>>) -> SpellError {
    let mut error = SpellError::from(fatal);
    if let Some(promise) = promise
        && promise.state() == PromiseState::Rejected
        && let Some(Err(_)) = promise.result::<JsValue<'js>>()
    {
        let reason = ctx.catch();
        let info = ErrorInfo::of(ctx, &reason);
        locate(&mut error, info.stack.as_deref());
    }
    error
}

/// The spell error for a thrown value.
fn value_failure<'js>(ctx: &Ctx<'js>, state: &State, value: JsValue<'js>, stage: Stage) -> SpellError {
    let mut info = ErrorInfo::of(ctx, &value);
    if info.stack.is_none() {
        // A thrown object or primitive: the stack noted when it was thrown.
        info.stack = state.thrown_stack(ctx, &value);
    }
    let mut error = if let Some(fatal) = state.guards.check() {
        SpellError::from(fatal)
    } else if is_stack_overflow(&info) {
        SpellError::from(stack_overflow_error())
    } else if info.name.as_deref() == Some("InternalError") && info.message == "out of memory" {
        SpellError::from(state.guards.memory_error())
    } else if info.name.as_deref() == Some("SyntaxError") && stage != Stage::Run {
        SpellError::new(codes::SYNTAX, info.message.clone())
    } else {
        let code = info.code.clone().unwrap_or_else(|| codes::RUNTIME.to_owned());
        SpellError::new(code, info.headline())
    };
    locate(&mut error, info.stack.as_deref());
    error
}

fn is_stack_overflow(info: &ErrorInfo) -> bool {
    info.name.as_deref() == Some("RangeError") && info.message.contains("Maximum call stack size exceeded")
}

/// Fills the error's location and stack from a QuickJS stack text.
fn locate(error: &mut SpellError, stack: Option<&str>) {
    let Some(stack) = stack else {
        return;
    };
    let frames = parse_stack(stack);
    if let Some(first) = frames.first() {
        error.file = Some(first.file.clone());
        error.line = Some(first.line);
        error.column = Some(first.column);
    }
    error.stack = frames
        .into_iter()
        .map(|frame| StackEntry { function: frame.function, file: frame.file, line: frame.line })
        .collect();
}

/// One script frame of a QuickJS stack.
#[derive(Debug, PartialEq, Eq)]
struct ScriptFrame {
    function: String,
    file: String,
    line: u32,
    column: u32,
}

/// Parses `    at f (file.js:3:5)` lines; native frames (no location) are left out.
fn parse_stack(stack: &str) -> Vec<ScriptFrame> {
    stack
        .lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("at ")?;
            let (function, location) = match rest.strip_suffix(')').and_then(|inner| inner.rsplit_once(" (")) {
                Some((function, location)) => (Some(function), location),
                None => (None, rest),
            };
            let mut parts = location.rsplitn(3, ':');
            let column = parts.next()?.parse().ok()?;
            let line = parts.next()?.parse().ok()?;
            let file = parts.next()?.to_owned();
            let function = match function {
                None | Some("<eval>") => "<main>".to_owned(),
                Some("") | Some("<anonymous>") => "<anonymous>".to_owned(),
                Some(name) => name.to_owned(),
            };
            Some(ScriptFrame { function, file, line, column })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_lines_become_script_frames() {
        let stack = "    at inner (test.js:3:11)\n    at add (native)\n    at <anonymous> (lib/x.js:9:1)\n    at <eval> (test.js:12:1)\n";
        let frames = parse_stack(stack);
        assert_eq!(
            frames,
            vec![
                ScriptFrame { function: "inner".into(), file: "test.js".into(), line: 3, column: 11 },
                ScriptFrame { function: "<anonymous>".into(), file: "lib/x.js".into(), line: 9, column: 1 },
                ScriptFrame { function: "<main>".into(), file: "test.js".into(), line: 12, column: 1 },
            ]
        );
        assert_eq!(parse_stack("    at test.js:2:7\n")[0].line, 2);
    }
}
