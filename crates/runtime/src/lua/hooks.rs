//! The engine's Lua hook. Coroutines created by the script inherit it.
//!
//! Count events (every 1000 instructions, fewer under a smaller budget) check cancellation,
//! the wall clock and the instruction budget. Without a debugger that is all: an mlua hook with
//! count events only, and no line events at all.
//!
//! Under a debugger the hook is a raw one ([`debug_hook`]): a line event of the spell's own
//! chunk is filtered, given its depth and offered to `DebugHook::should_stop` with plain C API
//! calls (an mlua hook per line costs several times more). Only count events and actual stops
//! call back into mlua, through Lua functions kept in the registry, where frames and locals
//! are collected.
//!
//! Once a fatal error is recorded, no hook raises it through mlua: an error returned from an
//! mlua hook closes the interrupted function's to-be-closed variables *inside* the hook, where
//! Lua runs no hooks, so a `__close` method that loops could never be stopped. Instead the
//! thread gets a raw hook that fails on its very next instruction ([`arm_fatal_hook`]); from
//! then on every instruction of that thread fails, `__close` methods and handlers included.

use std::ffi::{CStr, c_int};

use llmspell_bridge::{HostError, Value, codes};
use mlua::{HookTriggers, Lua, RegistryKey, VmState, ffi};

use super::convert::Mode;
use super::{Engine, current};
use crate::debug::{Frame, LineEvent, Resume};

/// Instructions between two count events.
const COUNT_EVERY: u64 = 1000;

/// What a debug session keeps: the Lua functions the raw hook calls.
pub(super) struct DebugSession {
    on_count: RegistryKey,
    on_stop: RegistryKey,
}

/// Installs the hook: count events always, line events only under a debugger.
pub(super) fn install(engine: &Engine) -> mlua::Result<()> {
    let env = engine.env();
    let every = match env.limits.max_instructions {
        Some(max) if max > 0 => max.min(COUNT_EVERY) as u32,
        _ => COUNT_EVERY as u32,
    };
    let lua = &engine.lua;
    if env.debug.is_none() {
        let triggers = HookTriggers {
            every_nth_instruction: Some(every),
            ..HookTriggers::new()
        };
        return lua.set_global_hook(triggers, move |lua, _debug| {
            if let Ok(engine) = current() {
                engine.on_count(lua, every);
            }
            Ok(VmState::Continue)
        });
    }
    let on_count = lua.create_function(move |lua, ()| {
        if let Ok(engine) = current() {
            engine.on_count(lua, every);
        }
        Ok(())
    })?;
    let on_stop = lua.create_function(|lua, (line, depth): (u32, usize)| {
        if let Ok(engine) = current() {
            engine.on_stop(lua, line, depth);
        }
        Ok(())
    })?;
    *engine.debug_session.borrow_mut() = Some(DebugSession {
        on_count: lua.create_registry_value(on_count)?,
        on_stop: lua.create_registry_value(on_stop)?,
    });
    let mask = ffi::LUA_MASKLINE | ffi::LUA_MASKCOUNT;
    // SAFETY: the main thread is not running yet; `debug_hook` only uses the C API on the
    // thread it is called for.
    unsafe { ffi::lua_sethook(lua.state(), Some(debug_hook), mask, every as c_int) };
    Ok(())
}

/// What the raw hook asks mlua to do, as registry references and plain numbers (nothing that
/// needs dropping may live across a call into Lua, which can unwind).
enum Call {
    Count(c_int),
    Stop(c_int, u32, usize),
}

/// The raw hook of a debug session.
unsafe extern "C-unwind" fn debug_hook(state: *mut ffi::lua_State, debug: *mut ffi::lua_Debug) {
    // SAFETY: Lua calls the hook with a valid `debug` for `state`, and leaves at least
    // `LUA_MINSTACK` free stack slots; the pushed function and arguments take three.
    unsafe {
        match triage(state, debug) {
            None => {}
            Some(Call::Count(reference)) => {
                ffi::lua_rawgeti(state, ffi::LUA_REGISTRYINDEX, reference.into());
                ffi::lua_call(state, 0, 0);
            }
            Some(Call::Stop(reference, line, depth)) => {
                ffi::lua_rawgeti(state, ffi::LUA_REGISTRYINDEX, reference.into());
                ffi::lua_pushinteger(state, line.into());
                ffi::lua_pushinteger(state, depth as ffi::lua_Integer);
                ffi::lua_call(state, 2, 0);
            }
        }
    }
}

/// Decides what a hook event needs. Everything it creates is dropped when it returns.
unsafe fn triage(state: *mut ffi::lua_State, debug: *mut ffi::lua_Debug) -> Option<Call> {
    let engine = current().ok()?;
    let session = engine.debug_session.borrow();
    let session = session.as_ref()?;
    // SAFETY: `debug` is the hook's activation record for `state`.
    unsafe {
        match (*debug).event {
            ffi::LUA_HOOKCOUNT => Some(Call::Count(session.on_count.id())),
            ffi::LUA_HOOKLINE if engine.fatal.borrow().is_some() => {
                Some(Call::Count(session.on_count.id()))
            }
            ffi::LUA_HOOKLINE => {
                ffi::lua_getinfo(state, c"S".as_ptr(), debug);
                if !engine.is_chunk_source((*debug).source) {
                    return None;
                }
                let line = u32::try_from((*debug).currentline).ok()?;
                let depth = engine.raw_depth(state);
                let hook = engine.env().debug.as_ref()?;
                let event = LineEvent {
                    file: engine.file.clone(),
                    line,
                    depth,
                };
                hook.should_stop(&event)
                    .then(|| Call::Stop(session.on_stop.id(), line, depth))
            }
            _ => None,
        }
    }
}

/// Makes every following instruction of the running Lua thread raise an error: the spell has
/// a fatal error (recorded in the engine, which every catcher raises again).
pub(super) fn arm_fatal_hook(lua: &Lua) {
    // SAFETY: `lua.state()` is the thread running now (mlua tracks it inside callbacks and
    // hooks); `lua_sethook` may be called at any time, even from inside a hook.
    unsafe { ffi::lua_sethook(lua.state(), Some(raise_fatal), ffi::LUA_MASKCOUNT, 1) }
}

/// The raw hook of a thread whose spell has ended: raises a plain error from plain C API calls,
/// so no Lua value on the interrupted frame is touched.
unsafe extern "C-unwind" fn raise_fatal(state: *mut ffi::lua_State, _debug: *mut ffi::lua_Debug) {
    // SAFETY: called by Lua as a hook on `state`, with room for a value on the stack; raising an
    // error from a hook is allowed and unwinds to the nearest protected call.
    unsafe {
        ffi::lua_pushstring(state, c"the spell has been stopped".as_ptr());
        ffi::lua_error(state)
    }
}

impl Engine {
    /// A count event: cancellation, the wall clock, the instruction budget.
    fn on_count(&self, lua: &Lua, every: u32) {
        if self.fatal.borrow().is_some() {
            arm_fatal_hook(lua);
            return;
        }
        let env = self.env();
        if env.cancel.is_cancelled() {
            let error = HostError::new(codes::TERMINATED, "the spell was terminated");
            self.trip_at(lua, error, None);
        } else if env.past_deadline() {
            self.trip_at(lua, env.timeout_error(), None);
        } else if let Some(max) = env.limits.max_instructions
            && max > 0
        {
            let executed = self.instructions.get() + u64::from(every);
            self.instructions.set(executed);
            if executed >= max {
                self.trip_at(lua, env.instruction_error(), None);
            }
        }
    }

    /// The debugger stops at `line`: collect the frames and wait for the controller.
    fn on_stop(&self, lua: &Lua, line: u32, depth: usize) {
        let Some(hook) = self.env().debug.as_ref() else {
            return;
        };
        let event = LineEvent {
            file: self.file.clone(),
            line,
            depth,
        };
        let frames = self.frames(lua);
        if hook.stopped(&event, frames) == Resume::Stop {
            let error = HostError::new(codes::TERMINATED, "the spell was stopped by the debugger");
            self.trip_at(lua, error, Some(line));
        }
    }

    /// Whether a function's `source` (from `lua_getinfo`) is the spell's chunk. Every function
    /// of a chunk shares one source string, so the pointer seen first is remembered.
    fn is_chunk_source(&self, source: *const std::ffi::c_char) -> bool {
        if source.is_null() {
            return false;
        }
        if source == self.chunk_source.get() {
            return true;
        }
        // SAFETY: `lua_getinfo` gives a NUL-terminated string that lives as long as the function.
        let ours = unsafe { CStr::from_ptr(source) }.to_bytes() == self.source.as_bytes();
        if ours {
            self.chunk_source.set(source);
        }
        ours
    }

    /// How many frames of the spell's own chunk are on `state`'s stack.
    fn raw_depth(&self, state: *mut ffi::lua_State) -> usize {
        let mut depth = 0;
        let mut level = 0;
        // SAFETY: `lua_getstack` fills `record` for an existing level, which `lua_getinfo` reads.
        unsafe {
            let mut record: ffi::lua_Debug = std::mem::zeroed();
            while ffi::lua_getstack(state, level, &mut record) != 0 {
                ffi::lua_getinfo(state, c"S".as_ptr(), &mut record);
                depth += usize::from(self.is_chunk_source(record.source));
                level += 1;
            }
        }
        depth
    }

    /// The spell's frames, innermost first, with their locals.
    fn frames(&self, lua: &Lua) -> Vec<Frame> {
        let mut frames = Vec::new();
        let mut level = 0;
        while let Some(entry) = lua.inspect_stack(level, |debug| self.stack_entry(debug)) {
            if let Some(entry) = entry {
                frames.push(Frame {
                    name: entry.function,
                    file: entry.file,
                    line: entry.line,
                    locals: self.locals(lua, level),
                });
            }
            level += 1;
        }
        frames
    }

    /// The named locals visible at stack `level` (as `inspect_stack` counts), in declaration
    /// order; Lua's internal slots (`(temporary)`, `(for state)`) are left out.
    fn locals(&self, lua: &Lua, level: usize) -> Vec<(String, Value)> {
        let Some(getlocal) = &self.getlocal else {
            return Vec::new();
        };
        let mut locals = Vec::new();
        for index in 1.. {
            // `debug.getlocal` counts from its own frame: the frame at `level` is `level + 1`.
            let Ok((name, value)) =
                getlocal.call::<(Option<String>, mlua::Value)>((level + 1, index))
            else {
                break;
            };
            let Some(name) = name else {
                break;
            };
            if name.starts_with('(') {
                continue;
            }
            let value = match value {
                mlua::Value::Function(function) => self
                    .register_function(lua, function, Some(name.clone()))
                    .unwrap_or_default(),
                other => self
                    .to_value(lua, other, Mode::Lenient)
                    .unwrap_or_else(|_| Value::Str("<unavailable>".into())),
            };
            locals.push((name, value));
        }
        locals
    }
}
