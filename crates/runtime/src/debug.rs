//! The debug seam: neutral line events, frames and locals, and a controller on another thread.
//!
//! Engines call [`DebugHook::should_stop`] before every line when (and only when) a hook is
//! installed; outside a debug session no hook exists and nothing is paid. When the hook says
//! stop, the engine collects the frames with their locals and calls [`DebugHook::stopped`],
//! which blocks the spell thread until the controller resumes or stops it.
//!
//! Architecture invariant: nothing here knows DAP. The debug adapter maps these types to the
//! protocol; tests drive them directly.

use std::collections::{HashMap, HashSet};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

use llmspell_bridge::Value;

/// "About to run line `line` of `file`", at call depth `depth` (1 = top level).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineEvent {
    pub file: String,
    pub line: u32,
    pub depth: usize,
}

/// One frame of the script's stack, innermost first, with its locals in declaration order.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// The function's name, or `<main>` for the top level.
    pub name: String,
    pub file: String,
    pub line: u32,
    pub locals: Vec<(String, Value)>,
}

/// What the controller tells a stopped spell to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resume {
    /// Run until the next breakpoint.
    Continue,
    /// Stop at the very next line, whatever the depth.
    StepIn,
    /// Stop at the next line at this depth or shallower.
    StepOver,
    /// Stop at the next line shallower than this one.
    StepOut,
    /// End the spell with a `terminated` error.
    Stop,
}

/// Implemented by whatever controls a debugged spell; called on the spell thread.
pub trait DebugHook: Send + Sync {
    /// Called before every line; must be cheap. Engines collect frames only when it is true.
    fn should_stop(&self, event: &LineEvent) -> bool;
    /// Called when stopped, with the frames innermost first; blocks until resumed.
    fn stopped(&self, event: &LineEvent, frames: Vec<Frame>) -> Resume;
}

/// A stop as the controller sees it.
#[derive(Clone, Debug)]
pub struct Stopped {
    pub event: LineEvent,
    pub frames: Vec<Frame>,
}

/// Creates a hook for the runtime and its controller for another thread.
///
/// The spell starts in `initial` mode: [`Resume::StepIn`] stops at the first line,
/// [`Resume::Continue`] runs to the first breakpoint.
pub fn debug_channel(initial: Resume) -> (Arc<ChannelHook>, DebugController) {
    let (stops_tx, stops_rx) = mpsc::channel();
    let (resume_tx, resume_rx) = mpsc::channel();
    let breakpoints = Arc::new(Mutex::new(HashMap::new()));
    let hook = Arc::new(ChannelHook {
        state: Mutex::new(StepState { mode: initial, depth: 0 }),
        breakpoints: breakpoints.clone(),
        stops: Mutex::new(stops_tx),
        resumes: Mutex::new(resume_rx),
    });
    (hook, DebugController { stops: stops_rx, resumes: resume_tx, breakpoints })
}

/// Line breakpoints by file.
type Breakpoints = HashMap<String, HashSet<u32>>;

struct StepState {
    mode: Resume,
    /// Depth at which the last step began.
    depth: usize,
}

/// The runtime side of [`debug_channel`].
pub struct ChannelHook {
    state: Mutex<StepState>,
    breakpoints: Arc<Mutex<Breakpoints>>,
    stops: Mutex<Sender<Stopped>>,
    resumes: Mutex<Receiver<Resume>>,
}

impl DebugHook for ChannelHook {
    fn should_stop(&self, event: &LineEvent) -> bool {
        let state = self.state.lock().expect("debug state");
        let stepping = match state.mode {
            Resume::StepIn => true,
            Resume::StepOver => event.depth <= state.depth,
            Resume::StepOut => event.depth < state.depth,
            Resume::Continue | Resume::Stop => false,
        };
        stepping
            || self.breakpoints.lock().is_ok_and(|breakpoints| {
                breakpoints.get(&event.file).is_some_and(|lines| lines.contains(&event.line))
            })
    }

    fn stopped(&self, event: &LineEvent, frames: Vec<Frame>) -> Resume {
        let sent = self
            .stops
            .lock()
            .map(|stops| stops.send(Stopped { event: event.clone(), frames }).is_ok())
            .unwrap_or(false);
        // A controller that went away lets the spell run to its end.
        let resume = if sent {
            self.resumes.lock().ok().and_then(|resumes| resumes.recv().ok()).unwrap_or(Resume::Continue)
        } else {
            Resume::Continue
        };
        let mut state = self.state.lock().expect("debug state");
        state.mode = resume;
        state.depth = event.depth;
        resume
    }
}

/// The controller side of [`debug_channel`], for another thread.
pub struct DebugController {
    stops: Receiver<Stopped>,
    resumes: Sender<Resume>,
    breakpoints: Arc<Mutex<Breakpoints>>,
}

impl DebugController {
    /// Waits for the next stop; `None` when the spell has ended.
    pub fn next_stop(&self) -> Option<Stopped> {
        self.stops.recv().ok()
    }
    pub fn resume(&self, how: Resume) {
        let _ = self.resumes.send(how);
    }
    /// Replaces the breakpoints of `file` (as the engine names it) with `lines`.
    pub fn set_breakpoints(&self, file: &str, lines: &[u32]) {
        let mut breakpoints = self.breakpoints.lock().expect("breakpoints");
        if lines.is_empty() {
            breakpoints.remove(file);
        } else {
            breakpoints.insert(file.to_owned(), lines.iter().copied().collect());
        }
    }
}
