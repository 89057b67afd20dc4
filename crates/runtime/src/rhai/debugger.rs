//! The debug seam on Rhai's `debugging` feature.
//!
//! Rhai calls back for every statement and expression node. The callback always answers
//! `StepInto` (any other answer after a function-exit event makes Rhai run to the end) and
//! turns the node stream into line events itself: one per new line of a frame, where a
//! frame starts at the function-entry marker Rhai emits (a `Noop` at the body's start).
//!
//! Rhai gives each script function a fresh scope, so only the innermost frame's locals are
//! live; outer frames show the locals they had at their last call.

use std::sync::{Arc, Mutex};

use llmspell_bridge::Value;
use rhai::debugger::{CallStackFrame, DebuggerCommand, DebuggerEvent};
use rhai::{ASTNode, Dynamic, Engine, EvalContext, Expr, ImmutableString, Position, Stmt};

use super::convert::to_value;
use super::session::terminated;
use crate::debug::{DebugHook, Frame, LineEvent, Resume};

/// Installs the debugger that reports to `hook`; `file` names the spell's own source.
pub(crate) fn install(engine: &mut Engine, hook: Arc<dyn DebugHook>, file: String) {
    let tracker = Mutex::new(Tracker::default());
    #[allow(deprecated, reason = "register_debugger is marked volatile, not deprecated")]
    engine.register_debugger(
        |_, debugger| debugger,
        move |context, event, node, source, position| {
            if matches!(event, DebuggerEvent::Start | DebuggerEvent::Step) {
                let stop = match tracker.lock() {
                    Ok(mut tracker) => {
                        tracker.observe(&context, node, position, source.unwrap_or(&file), &*hook)
                    }
                    Err(_) => None,
                };
                if let Some((line_event, frames)) = stop
                    && hook.stopped(&line_event, frames) == Resume::Stop
                {
                    return Err(terminated(super::terminated_error()));
                }
            }
            Ok(DebuggerCommand::StepInto)
        },
    );
}

/// What the debugger remembers of each frame.
#[derive(Default)]
struct Tracker {
    main: FrameState,
    /// One entry per frame of Rhai's call stack: `Some` for script functions, `None` for
    /// native ones (a host call that called back into the script).
    frames: Vec<Option<FrameState>>,
}

#[derive(Default)]
struct FrameState {
    /// The call-stack frame this is: function name and call position.
    identity: Option<(ImmutableString, Position)>,
    name: String,
    /// The last line reported for this frame (0: none yet).
    last_line: u32,
    /// Where the last statement of this frame started.
    last_statement: Option<Position>,
    /// The frame's locals when it last called a function.
    locals: Vec<(String, Value)>,
}

impl FrameState {
    fn entered(frame: &CallStackFrame) -> FrameState {
        FrameState {
            identity: Some((frame.fn_name.clone(), frame.pos)),
            name: super::frame_name(&frame.fn_name),
            last_line: 0,
            last_statement: None,
            locals: Vec::new(),
        }
    }

    fn is(&self, frame: &CallStackFrame) -> bool {
        self.identity
            .as_ref()
            .is_some_and(|(name, position)| *name == frame.fn_name && *position == frame.pos)
    }
}

impl Tracker {
    /// Follows one node; returns the stop to report when the hook wants one.
    fn observe(
        &mut self,
        context: &EvalContext<'_, '_, '_, '_, '_, '_>,
        node: ASTNode<'_>,
        position: Position,
        file: &str,
        hook: &dyn DebugHook,
    ) -> Option<(LineEvent, Vec<Frame>)> {
        let call_stack = context.debugger().map(|debugger| debugger.call_stack()).unwrap_or(&[]);
        let depth = call_stack.len();
        self.frames.truncate(depth);

        if let ASTNode::Stmt(Stmt::Noop(_)) = node {
            // A function's entry marker (or an empty statement, which changes nothing).
            if let Some(frame) = call_stack.last() {
                let known = matches!(self.frames.get(depth - 1), Some(Some(state)) if state.is(frame));
                if !known {
                    self.frames.truncate(depth - 1);
                    self.frames.resize_with(depth - 1, || None);
                    self.frames.push(Some(FrameState::entered(frame)));
                }
            }
            return None;
        }
        self.frames.resize_with(depth, || None);
        if let (Some(frame), Some(slot)) = (call_stack.last(), self.frames.last_mut())
            && slot.as_ref().is_some_and(|state| !state.is(frame))
        {
            *slot = Some(FrameState::entered(frame));
        }

        let script_depth = 1 + self.frames.iter().filter(|frame| frame.is_some()).count();
        let current = match self.frames.iter_mut().rev().find_map(Option::as_mut) {
            Some(frame) => frame,
            None => &mut self.main,
        };
        if is_call(node) {
            current.locals = locals(context);
        }
        let line = position.line()? as u32;
        // A new line, or a statement that runs again (a loop's next iteration, even when the
        // whole loop is on one line).
        let is_statement = matches!(node, ASTNode::Stmt(_));
        let again = is_statement && current.last_statement.is_some_and(|last| position <= last);
        if is_statement {
            current.last_statement = Some(position);
        }
        if current.last_line == line && !again {
            return None;
        }
        current.last_line = line;
        let event = LineEvent { file: file.to_owned(), line, depth: script_depth };
        if !hook.should_stop(&event) {
            return None;
        }

        let mut frames = Vec::with_capacity(script_depth);
        let mut innermost = true;
        for state in self.frames.iter().rev().flatten().chain(std::iter::once(&self.main)) {
            let name = if std::ptr::eq(state, &self.main) { "<main>".to_owned() } else { state.name.clone() };
            let locals = if innermost { locals(context) } else { state.locals.clone() };
            frames.push(Frame { name, file: file.to_owned(), line: state.last_line, locals });
            innermost = false;
        }
        Some((event, frames))
    }
}

/// Whether `node` may call a script function (so the frame's locals are worth keeping).
fn is_call(node: ASTNode<'_>) -> bool {
    match node {
        ASTNode::Expr(Expr::FnCall(call, _)) => !call.is_operator_call(),
        ASTNode::Stmt(Stmt::FnCall(call, _)) => !call.is_operator_call(),
        // Not `MethodCall`: Rhai reports it with an empty scope; its `Dot` comes first.
        ASTNode::Expr(Expr::Dot(..)) => true,
        _ => false,
    }
}

/// The visible locals of the innermost frame, in declaration order (a shadowed variable
/// shows its latest value at its latest position).
fn locals(context: &EvalContext<'_, '_, '_, '_, '_, '_>) -> Vec<(String, Value)> {
    let all: Vec<(&str, Dynamic)> = context.scope().iter().map(|(name, _, value)| (name, value)).collect();
    all.iter()
        .enumerate()
        .filter(|(index, (name, _))| !all[index + 1..].iter().any(|(later, _)| later == name))
        .map(|(_, (name, value))| {
            let value = to_value(value).unwrap_or_else(|_| Value::Str(format!("<{}>", value.type_name())));
            ((*name).to_owned(), value)
        })
        .collect()
}
