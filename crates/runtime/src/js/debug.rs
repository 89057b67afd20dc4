//! The debug seam for JavaScript, on instrumented source.
//!
//! QuickJS has no debugger API. Under a debug session (and only then) the spell runs the
//! text `llmspell_syntax::instrument::instrument_javascript` makes of it: each statement
//! calls `__dbg(frame, line, column)` first, on the same line, and each function body
//! reports its entry and exit. This module defines those globals and turns the calls into
//! the neutral [`LineEvent`]s and [`Frame`]s of [`crate::debug`].
//!
//! Call depth comes from a stack of frame records kept here. A function's entry pushes one;
//! its exit (a `finally`, so exceptions count) pops it. Async functions and generators
//! leave and re-enter the real stack without exiting: a line event from a frame that is on
//! the record stack drops the records above it (they were suspended), and one from a frame
//! that is not pushes it again (it was resumed).
//!
//! Several statements on one line make one event, as Lua and Rhai do: a statement counts
//! only when its frame moves to a new line, or back to an earlier (or the same) column of
//! the same line — a loop's next iteration.
//!
//! Locals are read only when the hook stops: the statement hands over its scope (an index
//! into the instrumenter's scope chain, naming the function's variables declared before it)
//! and a closure that `eval`s a name in the statement's scope. A name that cannot be read (a `let` still in
//! its temporal dead zone) is left out. Outer frames show their locals through the closure
//! of their own last stop, live, or none when they never stopped.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use llmspell_bridge::{HostError, Value, codes};
use llmspell_syntax::instrument::{
    Instrumented, JS_DEBUG_ENTER, JS_DEBUG_EXIT, JS_DEBUG_LINE, JS_DEBUG_MAIN_FRAME, JS_DEBUG_ON, JS_DEBUG_STOP,
};
use rquickjs::{Ctx, Function, Persistent, Value as JsValue};

use super::convert::{host_error_object, read, to_value};
use super::state::State;
use crate::debug::{DebugHook, Frame, LineEvent, Resume};

/// One spell's debugger: the hook, the frame records and the event being reported.
pub(super) struct JsDebugger {
    hook: Arc<dyn DebugHook>,
    file: String,
    /// The instrumented text's tables: function names and scope chain.
    instrumented: Rc<Instrumented>,
    frames: RefCell<Vec<FrameRecord>>,
    /// Frames dropped from the stack while suspended (an async function at an `await`, a
    /// generator at a `yield`), by id, until they resume or exit.
    suspended: RefCell<HashMap<u32, FrameRecord>>,
    next_id: Cell<u32>,
    /// The last line event; reused so a statement allocates nothing.
    event: RefCell<LineEvent>,
    /// Whether `event` is a stop the next `__dbgStop` reports.
    stopping: Cell<bool>,
    /// Set while the debugger reads locals: script code run meanwhile (a getter) makes no event.
    inspecting: Cell<bool>,
}

/// A frame's scope (see [`Instrumented::locals_at`]) and evaluate closure, from its last stop.
type Scope = (i64, Persistent<Function<'static>>);

/// The function index of the top level.
const MAIN: u32 = u32::MAX;
/// The function index of a frame seen first at a line event (never entered: cannot happen
/// with the instrumenter's text, but a name is needed anyway).
const UNKNOWN: u32 = u32::MAX - 1;

struct FrameRecord {
    id: u32,
    /// Index into the function names, or [`MAIN`].
    function: u32,
    line: u32,
    column: u32,
    /// The scope and evaluate closure of this frame's last stop.
    scope: Option<Scope>,
}

impl FrameRecord {
    fn new(id: u32, function: u32) -> FrameRecord {
        FrameRecord { id, function, line: 0, column: 0, scope: None }
    }
}

impl JsDebugger {
    pub fn new(hook: Arc<dyn DebugHook>, file: String, instrumented: Rc<Instrumented>) -> JsDebugger {
        JsDebugger {
            hook,
            event: RefCell::new(LineEvent { file: file.clone(), line: 0, depth: 0 }),
            file,
            instrumented,
            frames: RefCell::new(vec![FrameRecord::new(JS_DEBUG_MAIN_FRAME, MAIN)]),
            suspended: RefCell::default(),
            next_id: Cell::new(JS_DEBUG_MAIN_FRAME + 1),
            stopping: Cell::new(false),
            inspecting: Cell::new(false),
        }
    }

    /// Drops every QuickJS value held (before the runtime goes).
    pub fn clear(&self) {
        self.frames.borrow_mut().clear();
        self.suspended.borrow_mut().clear();
    }

    fn name(&self, function: u32) -> String {
        if function == MAIN {
            return "<main>".to_owned();
        }
        self.instrumented.function_names.get(function as usize).cloned().unwrap_or_else(|| "<anonymous>".to_owned())
    }

    fn enter(&self, function: u32) -> u32 {
        let mut id = self.next_id.get();
        if id == JS_DEBUG_MAIN_FRAME {
            id += 1;
        }
        self.next_id.set(id.wrapping_add(1));
        self.frames.borrow_mut().push(FrameRecord::new(id, function));
        id
    }

    fn exit(&self, id: u32) {
        let mut frames = self.frames.borrow_mut();
        match frames.iter().rposition(|frame| frame.id == id) {
            Some(position) if position > 0 => {
                // Records above it belong to frames suspended inside it.
                self.suspend_above(&mut frames, position);
                frames.pop();
            }
            _ => {
                self.suspended.borrow_mut().remove(&id);
            }
        }
    }

    /// Moves the records above `position` to the suspended ones.
    fn suspend_above(&self, frames: &mut Vec<FrameRecord>, position: usize) {
        if frames.len() > position + 1 {
            let mut suspended = self.suspended.borrow_mut();
            for record in frames.drain(position + 1..) {
                suspended.insert(record.id, record);
            }
        }
    }

    /// A statement is about to run; true when the hook wants to stop there.
    fn line(&self, id: u32, line: u32, column: u32) -> bool {
        if self.inspecting.get() {
            return false;
        }
        let depth = {
            let mut frames = self.frames.borrow_mut();
            match frames.iter().rposition(|frame| frame.id == id) {
                Some(position) => self.suspend_above(&mut frames, position),
                None => {
                    let resumed = self.suspended.borrow_mut().remove(&id);
                    frames.push(resumed.unwrap_or_else(|| FrameRecord::new(id, UNKNOWN)));
                }
            }
            let depth = frames.len();
            let Some(current) = frames.last_mut() else {
                return false;
            };
            if current.line == line && column > current.column {
                // A later statement of the line already reported.
                current.column = column;
                return false;
            }
            current.line = line;
            current.column = column;
            depth
        };
        let stop = {
            let mut event = self.event.borrow_mut();
            event.line = line;
            event.depth = depth;
            self.hook.should_stop(&event)
        };
        self.stopping.set(stop);
        stop
    }

    /// The stop: collects the frames and blocks until the controller resumes.
    fn stop<'js>(
        &self,
        ctx: &Ctx<'js>,
        state: &State,
        id: u32,
        scope: i64,
        evaluate: Function<'js>,
    ) -> Result<(), HostError> {
        if !self.stopping.replace(false) {
            return Ok(());
        }
        let event = self.event.borrow().clone();
        if let Some(frame) = self.frames.borrow_mut().iter_mut().rev().find(|frame| frame.id == id) {
            frame.scope = Some((scope, Persistent::save(ctx, evaluate)));
        }
        let records: Vec<(String, u32, Option<Scope>)> = self
            .frames
            .borrow()
            .iter()
            .rev()
            .map(|frame| (self.name(frame.function), frame.line, frame.scope.clone()))
            .collect();
        self.inspecting.set(true);
        let frames = records
            .into_iter()
            .map(|(name, line, scope)| Frame {
                name,
                file: self.file.clone(),
                line,
                locals: scope
                    .map(|(scope, evaluate)| read_locals(ctx, state, &self.instrumented.locals_at(scope), evaluate))
                    .unwrap_or_default(),
            })
            .collect();
        self.inspecting.set(false);
        State::forget_backtrace(ctx);
        match self.hook.stopped(&event, frames) {
            Resume::Stop => {
                let error = HostError::new(codes::TERMINATED, "the spell was terminated");
                state.guards.set_fatal(error.clone());
                Err(error)
            }
            _ => Ok(()),
        }
    }
}

/// Defines the instrumented spell's debug globals on `globalThis`.
pub(super) fn install<'js>(ctx: &Ctx<'js>, state: &Rc<State>, debugger: &Rc<JsDebugger>) -> rquickjs::Result<()> {
    let globals = ctx.globals();
    globals.set(JS_DEBUG_ON, true)?;

    let on_line = debugger.clone();
    globals.set(
        JS_DEBUG_LINE,
        Function::new(ctx.clone(), move |frame: u32, line: u32, column: u32| on_line.line(frame, line, column))?,
    )?;

    let on_stop = debugger.clone();
    let stop_state = state.clone();
    globals.set(
        JS_DEBUG_STOP,
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, frame: u32, scope: f64, evaluate: Function<'js>| -> rquickjs::Result<()> {
                on_stop.stop(&ctx, &stop_state, frame, scope as i64, evaluate).map_err(|error| {
                    match host_error_object(&ctx, &error, true) {
                        Ok(object) => ctx.throw(object.into_value()),
                        Err(error) => error,
                    }
                })
            },
        )?,
    )?;

    let on_enter = debugger.clone();
    globals.set(JS_DEBUG_ENTER, Function::new(ctx.clone(), move |function: u32| on_enter.enter(function))?)?;
    let on_exit = debugger.clone();
    globals.set(JS_DEBUG_EXIT, Function::new(ctx.clone(), move |frame: u32| on_exit.exit(frame))?)?;
    Ok(())
}

/// Reads each named local through `evaluate`; names that throw (temporal dead zone) are skipped.
fn read_locals<'js>(
    ctx: &Ctx<'js>,
    state: &State,
    names: &[&str],
    evaluate: Persistent<Function<'static>>,
) -> Vec<(String, Value)> {
    let Ok(evaluate) = evaluate.restore(ctx) else {
        return Vec::new();
    };
    names
        .iter()
        .filter_map(|name| match evaluate.call::<_, JsValue<'js>>((*name,)) {
            Ok(value) => Some(((*name).to_owned(), local_value(ctx, state, &value))),
            Err(error) => {
                if error.is_exception() {
                    let _ = ctx.catch();
                }
                None
            }
        })
        .collect()
}

/// A local's value for the controller. Functions show as `<function name>` (converting
/// them would register them with the host); what cannot be converted shows its type.
fn local_value<'js>(ctx: &Ctx<'js>, state: &State, value: &JsValue<'js>) -> Value {
    if let Some(function) = value.as_function() {
        let name = read::<String>(ctx, function, "name").unwrap_or_default();
        return Value::Str(if name.is_empty() { "<function>".to_owned() } else { format!("<function {name}>") });
    }
    to_value(ctx, state, value).unwrap_or_else(|_| Value::Str(format!("<{}>", value.type_name())))
}
