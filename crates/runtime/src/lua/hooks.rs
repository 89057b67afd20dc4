//! The engine's Lua hook (set with `set_global_hook`, so coroutines inherit it).
//!
//! Count events (every 1000 instructions, fewer under a smaller budget) check cancellation,
//! the wall clock and the instruction budget. Line events exist only while a debugger is
//! attached: they report each new line of the spell's own chunk with its depth, and collect
//! frames and locals when the hook says stop.
//!
//! Once a fatal error is recorded, the hook never raises it itself: an error returned from an
//! mlua hook closes the interrupted function's to-be-closed variables *inside* the hook, where
//! Lua runs no hooks, so a `__close` method that loops could never be stopped. Instead the
//! thread gets a raw hook that fails on its very next instruction ([`arm_fatal_hook`]); from
//! then on every instruction of that thread fails, `__close` methods and handlers included.

use llmspell_bridge::{HostError, Value, codes};
use mlua::debug::{Debug, DebugEvent};
use mlua::{HookTriggers, Lua, VmState, ffi};

use super::convert::Mode;
use super::{Engine, current};
use crate::debug::{Frame, LineEvent, Resume};

/// Instructions between two count events.
const COUNT_EVERY: u64 = 1000;

/// Installs the hook: always the count events, line events only under a debugger.
pub(super) fn install(engine: &Engine) -> mlua::Result<()> {
    let env = engine.env();
    let every = match env.limits.max_instructions {
        Some(max) if max > 0 => max.min(COUNT_EVERY) as u32,
        _ => COUNT_EVERY as u32,
    };
    let triggers = HookTriggers {
        every_line: env.debug.is_some(),
        every_nth_instruction: Some(every),
        ..HookTriggers::new()
    };
    engine.lua.set_global_hook(triggers, move |lua, debug| {
        let Ok(engine) = current() else {
            return Ok(VmState::Continue);
        };
        match debug.event() {
            DebugEvent::Count => engine.on_count(lua, every),
            DebugEvent::Line => engine.on_line(lua, debug),
            _ => Ok(VmState::Continue),
        }
    })
}

impl Engine {
    fn on_count(&self, lua: &Lua, every: u32) -> mlua::Result<VmState> {
        if self.fatal.borrow().is_some() {
            arm_fatal_hook(lua);
            return Ok(VmState::Continue);
        }
        let env = self.env();
        if env.cancel.is_cancelled() {
            let error = HostError::new(codes::TERMINATED, "the spell was terminated");
            self.trip_at(lua, error, None);
        } else if env.past_deadline() {
            self.trip_at(lua, env.timeout_error(), None);
        }
        if let Some(max) = env.limits.max_instructions
            && max > 0
        {
            let executed = self.instructions.get() + u64::from(every);
            self.instructions.set(executed);
            if executed >= max {
                self.trip_at(lua, env.instruction_error(), None);
            }
        }
        Ok(VmState::Continue)
    }

    fn on_line(&self, lua: &Lua, debug: &Debug<'_>) -> mlua::Result<VmState> {
        if self.fatal.borrow().is_some() {
            arm_fatal_hook(lua);
            return Ok(VmState::Continue);
        }
        let Some(hook) = self.env().debug.as_ref() else {
            return Ok(VmState::Continue);
        };
        if debug.source().source.as_deref() != Some(self.source.as_str()) {
            return Ok(VmState::Continue);
        }
        let Some(line) = debug.current_line() else {
            return Ok(VmState::Continue);
        };
        let event = LineEvent { file: self.file.clone(), line: line as u32, depth: self.script_depth(lua) };
        if !hook.should_stop(&event) {
            return Ok(VmState::Continue);
        }
        let frames = self.frames(lua);
        match hook.stopped(&event, frames) {
            Resume::Stop => {
                let error = HostError::new(codes::TERMINATED, "the spell was stopped by the debugger");
                self.trip_at(lua, error, Some(event.line));
                Ok(VmState::Continue)
            }
            _ => Ok(VmState::Continue),
        }
    }

    /// How many frames of the spell's own code are on the running thread's stack.
    fn script_depth(&self, lua: &Lua) -> usize {
        let mut depth = 0;
        let mut level = 0;
        while let Some(ours) =
            lua.inspect_stack(level, |debug| debug.source().source.as_deref() == Some(self.source.as_str()))
        {
            depth += usize::from(ours);
            level += 1;
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
            let Ok((name, value)) = getlocal.call::<(Option<String>, mlua::Value)>((level + 1, index))
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
                mlua::Value::Function(function) => {
                    self.register_function(lua, function, Some(name.clone())).unwrap_or_default()
                }
                other => self
                    .to_value(lua, other, Mode::Lenient)
                    .unwrap_or_else(|_| Value::Str("<unavailable>".into())),
            };
            locals.push((name, value));
        }
        locals
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
