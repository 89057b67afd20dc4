//! The Lua engine: Lua 5.4 through mlua, sandboxed, with every registry module bound from its
//! descriptors, limits enforced by a count hook and the allocator, and the debug seam fed by a
//! line hook that exists only while a debugger is attached.
//!
//! Code map:
//! - this file: the [`Engine`] of one spell, start-up (sandbox, wrappers), `run` and `check`;
//! - [`bind`]: modules, global functions, host calls and host object handles;
//! - [`convert`]: values between Lua and the bridge, callables both ways;
//! - [`errors`]: error values scripts see, uncaught errors with their location and stack;
//! - [`hooks`]: the count hook (time, instructions, cancellation) and the debugger's line hook;
//! - [`async_all`]: the Lua-only global `async.all({ fn1, fn2, … })` (spell-api.md
//!   "Concurrency"): the functions run as coroutines that interleave at I/O-bound host calls, and
//!   their first values come back in order as a list. It is an engine global, not a registry
//!   module, so the engine-neutral manifest does not list it.
//!
//! Everything that touches Lua runs on the spell thread. Closures handed to mlua must be `Send`
//! (mlua's `send` feature), so they hold no engine state: they find the running spell's
//! [`Engine`] through a thread-local slot that [`run`] fills and empties.

mod async_all;
mod bind;
mod convert;
mod errors;
mod hooks;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use llmspell_bridge::{Value, codes};
use mlua::chunk::ChunkMode;
use mlua::{Function, Lua, LuaOptions, MultiValue, StdLib, Table};

use crate::{Diagnostic, Spell, SpellEnv, SpellError};

/// Runs the spell to its end and returns the first value its chunk returned.
pub(crate) fn run(env: &SpellEnv) -> Result<Value, SpellError> {
    let engine = Rc::new(Engine::new(env).map_err(|error| startup_error(env, &error))?);
    let _installed = Installed::new(engine.clone());
    let async_all = async_all::install(&engine).map_err(|error| startup_error(env, &error))?;
    let _ = engine.async_all.set(async_all);
    bind::bind_registry(&engine).map_err(|error| startup_error(env, &error))?;
    hooks::install(&engine).map_err(|error| startup_error(env, &error))?;
    let chunk = engine
        .lua
        .load(env.spell.code_without_shebang())
        .set_name(engine.source.as_str())
        .set_mode(ChunkMode::Text)
        .into_function()
        .map_err(|error| engine.load_error(&error))?;
    let outcome = engine
        .protected_call(&chunk, MultiValue::new())
        .and_then(|mut values| match engine.fatal.borrow().clone() {
            // Host code swallowed a fatal error a callback raised, and the chunk then ended.
            Some(fatal) => Err(fatal),
            None => engine.result_value(values.pop_front().unwrap_or(mlua::Value::Nil)),
        });
    engine.lua.remove_global_hook();
    outcome
}

/// Compiles the spell without running it. Lua stops at its first syntax error.
pub(crate) fn check(spell: &Spell) -> Vec<Diagnostic> {
    let file = spell.file_name();
    let lua = match Lua::new_with(StdLib::NONE, LuaOptions::new()) {
        Ok(lua) => lua,
        Err(error) => {
            return vec![Diagnostic {
                file,
                line: 1,
                column: 1,
                message: error.to_string(),
            }];
        }
    };
    let code = spell.code_without_shebang();
    let name = format!("@{file}");
    let compile = |code: &str| {
        lua.load(code)
            .set_name(name.as_str())
            .set_mode(ChunkMode::Text)
            .into_function()
            .err()
    };
    match compile(code) {
        None => Vec::new(),
        Some(error) => {
            let text = errors::syntax_message(&error);
            let (line, message) = errors::split_position(&text, &short_source(&file));
            let line = line.unwrap_or(1);
            let column = errors::syntax_column(code, line, &message, |prefix| {
                compile(prefix).map(|error| errors::syntax_message(&error))
            });
            vec![Diagnostic {
                file,
                line,
                column,
                message,
            }]
        }
    }
}

thread_local! {
    /// The engine of the spell running on this thread, while `run` runs.
    static CURRENT: RefCell<Option<Rc<Engine>>> = const { RefCell::new(None) };
}

/// The engine of the spell running on this thread.
fn current() -> mlua::Result<Rc<Engine>> {
    CURRENT
        .with(|slot| slot.borrow().clone())
        .ok_or_else(|| mlua::Error::runtime("the spell has already ended"))
}

/// Fills the thread's engine slot for as long as it lives.
struct Installed {
    previous: Option<Rc<Engine>>,
}

impl Installed {
    fn new(engine: Rc<Engine>) -> Installed {
        Installed {
            previous: CURRENT.with(|slot| slot.replace(Some(engine))),
        }
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        let engine = CURRENT.with(|slot| slot.replace(self.previous.take()));
        drop(engine);
    }
}

/// Gives every engine a distinct id, so a callable of an ended spell is never run by another.
static NEXT_ENGINE_ID: AtomicU64 = AtomicU64::new(1);

/// One spell's Lua state and everything the bindings share.
pub(super) struct Engine {
    id: u64,
    env: *const SpellEnv,
    /// The spell's file name as errors and line events carry it.
    file: String,
    /// The chunk name: `@` + `file`.
    source: String,
    /// How Lua writes the chunk name in its messages (long paths are shortened).
    short_src: String,
    /// The metatable marking lists that came from the host, so `{}`-lists round trip.
    list_mt: Table,
    /// Host lists holding nils (weak keys), with their length and last non-nil index, so
    /// `[1, null, 3]` and `[null]` round trip.
    list_holes: Table,
    /// The metatable of error values (`code`, `message`) scripts catch.
    error_mt: Table,
    /// Script functions handed to the host, by callable id.
    callbacks: Table,
    callables: RefCell<convert::Callables>,
    /// The original `xpcall`, used for every protected call the engine makes.
    xpcall: Function,
    /// Records where an error was raised before the stack unwinds.
    message_handler: Function,
    /// `debug.getlocal`, kept only while a debugger is attached.
    getlocal: Option<Function>,
    /// The error that ends the spell whatever the script does (limits, termination, stack
    /// overflow): once set, every hook, host call and `pcall` raises it again.
    fatal: RefCell<Option<SpellError>>,
    /// What the message handler recorded about the error being raised.
    last_error: RefCell<Option<SpellError>>,
    /// Where the last failing script callback failed, to report the error where it began.
    callback_error: RefCell<Option<SpellError>>,
    /// VM instructions counted so far by the count hook.
    instructions: Cell<u64>,
    /// The Lua functions a debug session's raw hook calls.
    debug_session: RefCell<Option<hooks::DebugSession>>,
    /// The address of the chunk's source string, once seen by the debug hook.
    chunk_source: Cell<*const std::ffi::c_char>,
    /// `async.all`: its Lua helpers and scheduler.
    async_all: std::cell::OnceCell<async_all::AsyncAll>,
    /// Declared last: every handle above is released before the state closes.
    lua: Lua,
}

impl Engine {
    fn new(env: &SpellEnv) -> mlua::Result<Engine> {
        let libs = StdLib::COROUTINE
            | StdLib::TABLE
            | StdLib::STRING
            | StdLib::UTF8
            | StdLib::MATH
            | StdLib::OS;
        // The default options keep Lua's own `pcall`/`xpcall` (mlua's replacements cannot be
        // yielded across). A Rust panic still cannot be swallowed by a script: the wrappers hand
        // every caught value to Rust, and converting a caught panic resumes it.
        let options = LuaOptions::new();
        let lua = if env.debug.is_some() {
            // SAFETY: the debug library is loaded only so the debugger can keep
            // `debug.getlocal`; `sandbox` removes `debug` from the globals before any spell
            // code runs, so scripts never reach it.
            unsafe { Lua::unsafe_new_with(libs | StdLib::DEBUG, options) }
        } else {
            Lua::new_with(libs, options)?
        };
        if let Some(limit) = env.limits.memory {
            lua.set_memory_limit(limit)?;
        }
        let file = env.spell.file_name();
        // Protected (`__metatable`), like the error metatable: a script that could add `__gc`
        // to it would have every later host list finalized by its code, with hooks off.
        let list_mt = lua.create_table()?;
        list_mt.raw_set("__name", "list")?;
        list_mt.raw_set("__metatable", false)?;
        let list_holes = lua.create_table()?;
        let weak_keys = lua.create_table()?;
        weak_keys.raw_set("__mode", "k")?;
        list_holes.set_metatable(Some(weak_keys))?;
        let error_mt = errors::error_metatable(&lua)?;
        let sandbox = sandbox(&lua, &error_mt)?;
        Ok(Engine {
            id: NEXT_ENGINE_ID.fetch_add(1, Ordering::Relaxed),
            env: env as *const SpellEnv,
            source: format!("@{file}"),
            short_src: short_source(&file),
            file,
            list_mt,
            list_holes,
            error_mt,
            callbacks: lua.create_table()?,
            callables: RefCell::new(convert::Callables::default()),
            xpcall: sandbox.xpcall,
            message_handler: lua.create_function(errors::message_handler)?,
            getlocal: sandbox.getlocal,
            fatal: RefCell::new(None),
            last_error: RefCell::new(None),
            callback_error: RefCell::new(None),
            instructions: Cell::new(0),
            debug_session: RefCell::new(None),
            chunk_source: Cell::new(std::ptr::null()),
            async_all: std::cell::OnceCell::new(),
            lua,
        })
    }

    /// The environment of the running spell.
    fn env(&self) -> &SpellEnv {
        // SAFETY: `env` is the `SpellEnv` that `run` borrows. The engine is reachable only
        // through this thread's slot, which `run` empties before it returns (the `Installed`
        // guard), and no other long-lived handle to the engine exists: closures stored in Lua
        // look it up in the slot on every call. So the pointer is never used after the borrow.
        unsafe { &*self.env }
    }

    /// Converts the chunk's first return value into the spell's result.
    fn result_value(&self, value: mlua::Value) -> Result<Value, SpellError> {
        self.to_value(&self.lua, value, convert::Mode::Strict)
            .map_err(|error| match error {
                convert::ConvertError::Invalid(message) => {
                    let mut error = SpellError::new(
                        codes::INVALID_ARGUMENT,
                        format!("the spell's result cannot be passed to the host: {message}"),
                    );
                    error.file = Some(self.file.clone());
                    error
                }
                convert::ConvertError::Lua(error) => {
                    self.final_error(None, &mlua::Value::Error(Box::new(error)))
                }
            })
    }
}

/// What the sandbox keeps for the engine.
struct Sandboxed {
    xpcall: Function,
    getlocal: Option<Function>,
}

/// The Lua helpers that replace `pcall`, `xpcall`, `coroutine.resume`/`close`, `load`,
/// `collectgarbage` and `setmetatable`, named `=llmspell` so stacks and line events skip them.
///
/// - They are written in Lua so coroutines can still yield across `pcall`.
/// - What `pcall` & co. return goes through `check` (Rust), which raises a fatal error again and
///   turns host errors into `{code, message}` tables.
/// - A script's `xpcall` handler is skipped for a fatal error: Lua runs message handlers with
///   hooks off when the error came from a hook, so a handler that loops could never be stopped.
/// - `setmetatable` refuses `__gc`, for the same reason: Lua runs finalizers with hooks off.
/// - `forward` must be tail-called: its `error(message, 2)` then points at the wrapper's caller.
const WRAPPERS: &str = r#"
local pcall, xpcall, resume, close, load, collectgarbage, type, tostring, setmetatable, error,
      rawget, gsub, check, convert, error_mt = ...
local gc_allowed = { count = true, collect = true, step = true, isrunning = true }
local function denied(message)
  error(setmetatable({ code = "sandbox_denied", message = message }, error_mt), 3)
end
-- Tail-called by a wrapper with what `pcall(library_function, ...)` returned: an error about
-- the arguments is raised again at the wrapper's caller, as if it had called the library itself.
local function forward(name, ok, ...)
  if ok then return ... end
  local message = ...
  if type(message) == "string" then
    message = gsub(message, "to '%?'", "to '" .. name .. "'", 1)
  end
  error(message, 2)
end
local function expect_coroutine(co, name)
  if type(co) ~= "thread" then
    error("bad argument #1 to '" .. name .. "' (coroutine expected, got " .. type(co) .. ")", 3)
  end
end
local function spell_pcall(f, ...)
  return check(pcall(f, ...))
end
local function spell_xpcall(f, handler, ...)
  if type(handler) ~= "function" then
    error("bad argument #2 to 'xpcall' (function expected, got " .. type(handler) .. ")", 2)
  end
  return check(xpcall(f, function(e)
    local caught, fatal = convert(e)
    if fatal then return caught end
    return handler(caught)
  end, ...))
end
local function spell_resume(co, ...)
  expect_coroutine(co, "resume")
  return check(resume(co, ...))
end
local function spell_close(co)
  expect_coroutine(co, "close")
  return check(close(co))
end
local function spell_load(chunk, name, _, ...)
  return forward("load", pcall(load, chunk, name, "t", ...))
end
local function spell_collectgarbage(option, ...)
  if option ~= nil and not gc_allowed[option] then
    denied("collectgarbage('" .. tostring(option) .. "') is not allowed in a spell")
  end
  return forward("collectgarbage", pcall(collectgarbage, option, ...))
end
local function spell_setmetatable(t, mt)
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
    denied("__gc metamethods are not allowed in a spell")
  end
  return forward("setmetatable", pcall(setmetatable, t, mt))
end
return spell_pcall, spell_xpcall, spell_resume, spell_close, spell_load, spell_collectgarbage,
       spell_setmetatable
"#;

/// Removes what a spell must not reach (files, processes, the debug library, binary chunks)
/// and installs the wrappers that keep limits uncatchable.
fn sandbox(lua: &Lua, error_mt: &Table) -> mlua::Result<Sandboxed> {
    let globals = lua.globals();
    let get = |name: &str| globals.raw_get::<mlua::Value>(name);
    let coroutine: Table = globals.raw_get("coroutine")?;
    let pcall = get("pcall")?;
    let xpcall: Function = globals.raw_get("xpcall")?;
    let wrappers: MultiValue = lua.load(WRAPPERS).set_name("=llmspell").call((
        pcall,
        xpcall.clone(),
        coroutine.raw_get::<mlua::Value>("resume")?,
        coroutine.raw_get::<mlua::Value>("close")?,
        get("load")?,
        get("collectgarbage")?,
        get("type")?,
        get("tostring")?,
        get("setmetatable")?,
        get("error")?,
        get("rawget")?,
        globals
            .raw_get::<Table>("string")?
            .raw_get::<mlua::Value>("gsub")?,
        lua.create_function(errors::catch)?,
        lua.create_function(errors::convert_caught)?,
        error_mt.clone(),
    ))?;
    let mut wrappers = wrappers.into_iter();
    let mut next = || wrappers.next().unwrap_or(mlua::Value::Nil);
    globals.raw_set("pcall", next())?;
    globals.raw_set("xpcall", next())?;
    coroutine.raw_set("resume", next())?;
    coroutine.raw_set("close", next())?;
    globals.raw_set("load", next())?;
    globals.raw_set("collectgarbage", next())?;
    globals.raw_set("setmetatable", next())?;

    for name in [
        "dofile", "loadfile", "require", "package", "io", "print", "module",
    ] {
        globals.raw_set(name, mlua::Value::Nil)?;
    }
    let os: Table = globals.raw_get("os")?;
    let safe_os = lua.create_table()?;
    for name in ["time", "clock", "date"] {
        safe_os.raw_set(name, os.raw_get::<mlua::Value>(name)?)?;
    }
    globals.raw_set("os", safe_os)?;
    let string: Table = globals.raw_get("string")?;
    string.raw_set("dump", mlua::Value::Nil)?;
    // The string metatable is shared by every string: hide it so scripts cannot swap `__index`.
    let string_mt: Table = globals.raw_get::<Function>("getmetatable")?.call("")?;
    string_mt.raw_set("__metatable", false)?;

    let getlocal = match globals.raw_get::<Option<Table>>("debug")? {
        Some(debug) => Some(debug.raw_get::<Function>("getlocal")?),
        None => None,
    };
    globals.raw_set("debug", mlua::Value::Nil)?;
    Ok(Sandboxed { xpcall, getlocal })
}

/// How Lua abbreviates a `@file` chunk name in messages (`luaO_chunkid`, `LUA_IDSIZE` 60).
fn short_source(file: &str) -> String {
    const ID_SIZE: usize = 60;
    let bytes = file.as_bytes();
    if bytes.len() < ID_SIZE {
        file.to_owned()
    } else {
        let tail = &bytes[bytes.len() - (ID_SIZE - 4)..];
        format!("...{}", String::from_utf8_lossy(tail))
    }
}

/// An error while building the engine: out of memory (a tiny limit) or an internal failure.
fn startup_error(env: &SpellEnv, error: &mlua::Error) -> SpellError {
    if matches!(errors::root_cause(error), mlua::Error::MemoryError(_)) {
        return SpellError::from(env.memory_error());
    }
    SpellError::internal(format!("cannot start the Lua engine: {error}"))
}
