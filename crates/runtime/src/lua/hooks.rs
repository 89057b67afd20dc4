//! The engine's single Lua hook (set with `set_global_hook`, so coroutines inherit it).
//!
//! Count events (every 1000 instructions, fewer under a smaller budget) check cancellation,
//! the wall clock and the instruction budget; once one trips, every later event raises the same
//! fatal error. Line events exist only while a debugger is attached: they report each new line
//! of the spell's own chunk with its depth, and collect frames and locals when the hook says stop.

use llmspell_bridge::{HostError, Value, codes};
use mlua::debug::{Debug, DebugEvent};
use mlua::{HookTriggers, Lua, VmState};

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
        if let Some(fatal) = self.fatal_error() {
            return Err(fatal);
        }
        let env = self.env();
        if env.cancel.is_cancelled() {
            let error = HostError::new(codes::TERMINATED, "the spell was terminated");
            return Err(self.trip_at(lua, error, None));
        }
        if env.past_deadline() {
            return Err(self.trip_at(lua, env.timeout_error(), None));
        }
        if let Some(max) = env.limits.max_instructions
            && max > 0
        {
            let executed = self.instructions.get() + u64::from(every);
            self.instructions.set(executed);
            if executed >= max {
                return Err(self.trip_at(lua, env.instruction_error(), None));
            }
        }
        Ok(VmState::Continue)
    }

    fn on_line(&self, lua: &Lua, debug: &Debug<'_>) -> mlua::Result<VmState> {
        if let Some(fatal) = self.fatal_error() {
            return Err(fatal);
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
                Err(self.trip_at(lua, error, Some(event.line)))
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
