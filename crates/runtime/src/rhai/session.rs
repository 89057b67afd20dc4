//! Per-spell state that Rhai's raw functions and callbacks reach through a thread local.
//!
//! Rhai calls host functions through plain closures shared by every spell (see `bind`), so
//! the spell they belong to is found here: the [`SpellEnv`], the stack of live native call
//! contexts (a script function called back from inside a host call runs in the context of
//! that call: same script functions, imports, call level and debugger stack), the sticky
//! fatal error (a limit that ended the spell stays in force even if host code swallowed it),
//! and the table that turns a callable this spell handed out back into its function pointer.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::{Arc, Weak};

use llmspell_bridge::{Callable, HostError, ScriptFunction, codes};
use rhai::{Dynamic, EvalAltResult, FnPtr, NativeCallContext, Position};

use super::memory::MemoryMeter;
use crate::SpellEnv;
use crate::spell_thread::MailboxSender;

thread_local! {
    static CURRENT: Cell<*const Session<'static>> = const { Cell::new(std::ptr::null()) };
}

/// The running spell, as seen from its own thread.
pub(crate) struct Session<'env> {
    pub env: &'env SpellEnv,
    pub sender: MailboxSender,
    /// Native call contexts of the host calls in progress, innermost last.
    contexts: RefCell<Vec<*const NativeCallContext<'static>>>,
    fatal: RefCell<Option<HostError>>,
    /// The script error of the last callback that failed, so the host call that got it as a
    /// `HostError` can re-raise the original (with its position and stack).
    callback_error: RefCell<Option<(HostError, Box<EvalAltResult>)>>,
    callables: RefCell<CallableTable>,
    /// `Functions` module names and aliases -> index in the registry.
    modules: HashMap<&'static str, usize>,
    /// The spell's memory use and limit (`None`: no limit).
    pub memory: Option<MemoryMeter>,
}

impl<'env> Session<'env> {
    pub fn new(env: &'env SpellEnv) -> Session<'env> {
        let mut modules = HashMap::new();
        for (index, module) in env.registry.modules.iter().enumerate() {
            modules.insert(module.name, index);
            for alias in &module.aliases {
                modules.insert(*alias, index);
            }
        }
        Session {
            env,
            sender: env.mailbox.sender(),
            contexts: RefCell::new(Vec::new()),
            fatal: RefCell::new(None),
            callback_error: RefCell::new(None),
            callables: RefCell::new(CallableTable::default()),
            modules,
            memory: MemoryMeter::start(env.limits.memory),
        }
    }

    /// Makes this the current session of the thread until the guard drops.
    pub fn enter(&self) -> Entered<'_> {
        let pointer = (self as *const Session<'_>).cast::<Session<'static>>();
        let previous = CURRENT.with(|current| current.replace(pointer));
        Entered { previous, _session: std::marker::PhantomData }
    }

    /// Records `context` as the innermost host call until the guard drops.
    pub fn push_context<'s>(&'s self, context: &NativeCallContext<'_>) -> ContextGuard<'s, 'env> {
        let pointer = (context as *const NativeCallContext<'_>).cast::<NativeCallContext<'static>>();
        self.contexts.borrow_mut().push(pointer);
        ContextGuard { session: self }
    }

    /// Runs `work` with the innermost live call context, if there is one.
    pub fn with_context<R>(&self, work: impl FnOnce(&NativeCallContext<'_>) -> R) -> Option<R> {
        let pointer = self.contexts.borrow().last().copied()?;
        // SAFETY: the pointer was pushed by `push_context` from a context that lives on the
        // stack of a raw function still running on this thread (its guard pops the pointer
        // before the context goes away), and only shared references are ever made from it.
        let context = unsafe { &*pointer };
        Some(work(context))
    }

    pub fn fatal(&self) -> Option<HostError> {
        self.fatal.borrow().clone()
    }

    /// Records the error that ends the spell; the first one wins.
    pub fn set_fatal(&self, error: HostError) {
        let mut fatal = self.fatal.borrow_mut();
        if fatal.is_none() {
            *fatal = Some(error);
        }
    }

    pub fn stash_callback_error(&self, host: HostError, error: Box<EvalAltResult>) {
        *self.callback_error.borrow_mut() = Some((host, error));
    }

    /// The script error behind `host`, when `host` is what the last failed callback returned.
    fn take_callback_error(&self, host: &HostError) -> Option<Box<EvalAltResult>> {
        let mut slot = self.callback_error.borrow_mut();
        match slot.as_ref() {
            Some((stashed, _)) if stashed.code == host.code && stashed.message == host.message => {
                slot.take().map(|(_, error)| error)
            }
            _ => None,
        }
    }

    /// The registry index of the `Functions` module called `name` (or an alias of it).
    pub fn module_index(&self, name: &str) -> Option<usize> {
        self.modules.get(name).copied()
    }

    /// Remembers that `callable` wraps `function`, so it converts back to it.
    pub fn remember_callable(&self, callable: &Arc<dyn ScriptFunction>, function: FnPtr) {
        self.callables.borrow_mut().insert(callable, function);
    }

    /// The function pointer a callable of this spell wraps.
    pub fn function_of(&self, callable: &Callable) -> Option<FnPtr> {
        self.callables.borrow().get(&callable.0)
    }

    /// The Rhai error a failed host call raises in the script.
    ///
    /// A failed callback's own error comes back as it was; a limit raises an uncatchable
    /// termination: a fatal error already recorded, the spell's own deadline or cancellation
    /// (a `timeout` from a host call that gave up early, say an HTTP request, stays
    /// catchable), and memory, instruction and stack limits reported by the host (nested
    /// `events.emit` has its own depth guard); anything else is a catchable runtime error
    /// whose value is `#{code, message}`.
    pub fn raise(&self, error: HostError) -> Box<EvalAltResult> {
        if let Some(original) = self.take_callback_error(&error) {
            return original;
        }
        if let Some(fatal) = self.fatal() {
            return terminated(fatal);
        }
        if self.env.ends_spell(&error) {
            let error = if error.code == codes::TIMEOUT { self.env.timeout_error() } else { error };
            self.set_fatal(error.clone());
            return terminated(error);
        }
        Box::new(EvalAltResult::ErrorRuntime(error_value(error), Position::NONE))
    }
}

/// Restores the previous session when dropped.
pub(crate) struct Entered<'s> {
    previous: *const Session<'static>,
    _session: std::marker::PhantomData<&'s ()>,
}

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        CURRENT.with(|current| current.set(self.previous));
    }
}

/// Pops the context pushed by [`Session::push_context`] when dropped.
pub(crate) struct ContextGuard<'s, 'env> {
    session: &'s Session<'env>,
}

impl Drop for ContextGuard<'_, '_> {
    fn drop(&mut self) {
        self.session.contexts.borrow_mut().pop();
    }
}

/// Runs `work` with the session of this thread, if a spell is running on it.
pub(crate) fn with_session<R>(work: impl FnOnce(&Session<'_>) -> R) -> Option<R> {
    let pointer = CURRENT.with(Cell::get);
    if pointer.is_null() {
        return None;
    }
    // SAFETY: `CURRENT` is only non-null between `Session::enter` and the drop of its guard,
    // which borrows the session, so the session is alive; it is only used on this thread.
    Some(work(unsafe { &*pointer }))
}

/// The error that is ending the current spell, if any.
pub(crate) fn fatal() -> Option<HostError> {
    with_session(|session| session.fatal()).flatten()
}

/// Records `error` as the end of the spell and returns the token `on_progress` terminates
/// with.
pub(crate) fn terminate(error: HostError) -> Dynamic {
    let token = Dynamic::from(error.code.clone());
    with_session(|session| session.set_fatal(error));
    token
}

/// The uncatchable error that ends the spell with `error`.
pub(crate) fn terminated(error: HostError) -> Box<EvalAltResult> {
    with_session(|session| session.set_fatal(error.clone()));
    Box::new(EvalAltResult::ErrorTerminated(Dynamic::from(error.code), Position::NONE))
}

/// `#{code, message}` (and `data` when the error has some): what `catch (e)` sees.
pub(crate) fn error_value(error: HostError) -> Dynamic {
    let mut map = rhai::Map::new();
    map.insert("code".into(), error.code.into());
    map.insert("message".into(), error.message.into());
    if let Some(data) = error.data {
        map.insert("data".into(), super::convert::to_dynamic(data));
    }
    Dynamic::from_map(map)
}

/// Callables this spell handed to the host, by the address of their shared function.
#[derive(Default)]
struct CallableTable {
    entries: HashMap<usize, (Weak<dyn ScriptFunction>, FnPtr)>,
    /// Dead entries are swept when the table reaches this size.
    sweep_at: usize,
}

impl CallableTable {
    fn key(callable: &Arc<dyn ScriptFunction>) -> usize {
        Arc::as_ptr(callable).cast::<()>() as usize
    }

    fn insert(&mut self, callable: &Arc<dyn ScriptFunction>, function: FnPtr) {
        if self.entries.len() >= self.sweep_at {
            self.entries.retain(|_, (weak, _)| weak.strong_count() > 0);
            self.sweep_at = (self.entries.len() * 2).max(64);
        }
        self.entries.insert(Self::key(callable), (Arc::downgrade(callable), function));
    }

    fn get(&self, callable: &Arc<dyn ScriptFunction>) -> Option<FnPtr> {
        let (weak, function) = self.entries.get(&Self::key(callable))?;
        // The address could have been reused by another callable after ours was dropped.
        let alive = weak.upgrade()?;
        (Self::key(&alive) == Self::key(callable)).then(|| function.clone())
    }
}
