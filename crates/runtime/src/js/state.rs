//! The per-spell state shared by the bindings and the event loop: the table of script
//! functions handed to the host, pending I/O-bound calls, cached host-object prototypes,
//! and the thread-local that lets a host call re-enter the script.
//!
//! Everything here that holds a QuickJS value is dropped by [`State::clear`] before the
//! runtime goes away (QuickJS aborts when a value outlives its runtime). What the host may
//! keep — a [`JsCallable`] — holds only ids, never a QuickJS value.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::ptr::NonNull;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use llmspell_bridge::{Callable, HostError, Registry, ScriptFunction, Value, codes};
use rquickjs::{Ctx, Function, Object, Persistent, Value as JsValue, qjs};

use super::limits::Guards;
use crate::spell_thread::{Mailbox, MailboxSender};

/// Results of I/O-bound host calls, posted by tokio tasks and settled on the spell thread.
pub(super) type Completions = Arc<Mutex<VecDeque<(u64, Result<Value, HostError>)>>>;

/// One spell's engine state.
pub(super) struct State {
    pub spell_id: u64,
    pub registry: Arc<Registry>,
    pub guards: Rc<Guards>,
    pub sender: MailboxSender,
    pub completions: Completions,
    /// The QuickJS class ids of host-object handles and of Rust functions (0: none yet).
    pub plain_class: Cell<u32>,
    pub callable_class: Cell<u32>,
    callables: RefCell<HashMap<u64, CallableEntry>>,
    /// The address of each live `JsCallable`, to give the script its own function back.
    callable_addresses: RefCell<HashMap<usize, u64>>,
    next_id: Cell<u64>,
    /// Ids of `JsCallable`s the host dropped (on any thread), freed on the spell thread.
    dropped: Arc<Mutex<Vec<u64>>>,
    pending: RefCell<HashMap<u64, PendingCall>>,
    prototypes: RefCell<HashMap<&'static str, Persistent<Object<'static>>>>,
    /// The last few script errors callbacks raised, so the host call that fails because of
    /// one rethrows the very same value (with its original stack).
    callback_errors: RefCell<VecDeque<(HostError, Persistent<JsValue<'static>>)>>,
    /// The JavaScript function that formats error stacks.
    stack_formatter: RefCell<Option<Persistent<Function<'static>>>>,
    /// Rejected promises nobody handles yet: (promise, reason).
    unhandled: RefCell<Vec<(Persistent<JsValue<'static>>, Persistent<JsValue<'static>>)>>,
    /// The last thrown value that is not an Error, with the stack where it was thrown
    /// (QuickJS keeps a stack only on Error objects; see [`State::note_thrown`]).
    thrown: RefCell<Option<(Persistent<JsValue<'static>>, String)>>,
}

struct CallableEntry {
    function: Persistent<Function<'static>>,
    handle: std::sync::Weak<JsCallable>,
    address: usize,
}

/// An I/O-bound host call whose Promise is not settled yet.
pub(super) struct PendingCall {
    pub resolve: Persistent<Function<'static>>,
    pub reject: Persistent<Function<'static>>,
    /// An Error made at the call, so a rejection points at the calling line.
    pub error: Persistent<Object<'static>>,
    pub abort: Option<tokio::task::AbortHandle>,
}

impl State {
    pub fn new(registry: Arc<Registry>, guards: Rc<Guards>, sender: MailboxSender) -> State {
        static NEXT_SPELL: AtomicU64 = AtomicU64::new(1);
        State {
            spell_id: NEXT_SPELL.fetch_add(1, Ordering::Relaxed),
            registry,
            guards,
            sender,
            completions: Arc::default(),
            plain_class: Cell::new(0),
            callable_class: Cell::new(0),
            callables: RefCell::default(),
            callable_addresses: RefCell::default(),
            next_id: Cell::new(1),
            dropped: Arc::default(),
            pending: RefCell::default(),
            prototypes: RefCell::default(),
            callback_errors: RefCell::default(),
            stack_formatter: RefCell::default(),
            unhandled: RefCell::default(),
            thrown: RefCell::default(),
        }
    }

    fn next_id(&self) -> u64 {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        id
    }

    /// Wraps a script function for the host.
    pub fn register_callable<'js>(&self, ctx: &Ctx<'js>, function: Function<'js>) -> Callable {
        self.free_dropped();
        let id = self.next_id();
        let name = super::convert::read::<String>(ctx, &function, "name").filter(|name| !name.is_empty());
        let handle = Arc::new(JsCallable {
            spell_id: self.spell_id,
            id,
            sender: self.sender.clone(),
            dropped: self.dropped.clone(),
            name,
        });
        let address = Arc::as_ptr(&handle) as *const () as usize;
        self.callables.borrow_mut().insert(
            id,
            CallableEntry { function: Persistent::save(ctx, function), handle: Arc::downgrade(&handle), address },
        );
        self.callable_addresses.borrow_mut().insert(address, id);
        Callable(handle)
    }

    /// The script function behind a callable id.
    pub fn callable_function(&self, id: u64) -> Option<Persistent<Function<'static>>> {
        self.callables.borrow().get(&id).map(|entry| entry.function.clone())
    }

    /// The script function a callable came from, when it came from this spell.
    pub fn original_function(&self, callable: &Callable) -> Option<Persistent<Function<'static>>> {
        let address = Arc::as_ptr(&callable.0) as *const () as usize;
        let id = *self.callable_addresses.borrow().get(&address)?;
        let callables = self.callables.borrow();
        let entry = callables.get(&id)?;
        let alive = entry.handle.upgrade()?;
        (Arc::as_ptr(&alive) as *const () as usize == address).then(|| entry.function.clone())
    }

    /// Frees the script functions the host no longer holds.
    pub fn free_dropped(&self) {
        let ids: Vec<u64> = match self.dropped.lock() {
            Ok(mut dropped) if !dropped.is_empty() => std::mem::take(&mut *dropped),
            _ => return,
        };
        let mut callables = self.callables.borrow_mut();
        let mut addresses = self.callable_addresses.borrow_mut();
        for id in ids {
            if let Some(entry) = callables.remove(&id) {
                // The address may already belong to a newer callable.
                if addresses.get(&entry.address) == Some(&id) {
                    addresses.remove(&entry.address);
                }
            }
        }
    }

    pub fn add_pending(&self, call: PendingCall) -> u64 {
        let id = self.next_id();
        self.pending.borrow_mut().insert(id, call);
        id
    }

    pub fn set_abort(&self, id: u64, abort: tokio::task::AbortHandle) {
        if let Some(call) = self.pending.borrow_mut().get_mut(&id) {
            call.abort = Some(abort);
        }
    }

    pub fn take_pending(&self, id: u64) -> Option<PendingCall> {
        self.pending.borrow_mut().remove(&id)
    }

    pub fn has_pending(&self) -> bool {
        !self.pending.borrow().is_empty()
    }

    pub fn take_completions(&self) -> Vec<(u64, Result<Value, HostError>)> {
        match self.completions.lock() {
            Ok(mut queue) => queue.drain(..).collect(),
            Err(_) => Vec::new(),
        }
    }

    pub fn prototype(&self, type_name: &str) -> Option<Persistent<Object<'static>>> {
        self.prototypes.borrow().get(type_name).cloned()
    }

    pub fn set_prototype(&self, type_name: &'static str, prototype: Persistent<Object<'static>>) {
        self.prototypes.borrow_mut().insert(type_name, prototype);
    }

    pub fn set_stack_formatter(&self, formatter: Persistent<Function<'static>>) {
        *self.stack_formatter.borrow_mut() = Some(formatter);
    }

    pub fn stack_formatter(&self) -> Option<Persistent<Function<'static>>> {
        self.stack_formatter.borrow().clone()
    }

    /// Remembers where `value`, a thrown value that is not an Error, was thrown.
    ///
    /// When an exception starts unwinding and QuickJS holds no backtrace yet (none since the
    /// last `catch`), it builds one through `Error.prepareStackTrace` with the thrown value,
    /// whatever it is, before any frame is left: that is the throw's own stack.
    pub fn note_thrown<'js>(&self, ctx: &Ctx<'js>, value: JsValue<'js>, stack: String) {
        *self.thrown.borrow_mut() = Some((Persistent::save(ctx, value), stack));
    }

    /// The stack where `value` was thrown, when it is the last non-Error value noted.
    pub fn thrown_stack<'js>(&self, ctx: &Ctx<'js>, value: &JsValue<'js>) -> Option<String> {
        let thrown = self.thrown.borrow();
        let (noted, stack) = thrown.as_ref()?;
        same_value(ctx, noted, value).then(|| stack.clone())
    }

    /// Drops QuickJS's pending backtrace, so the next thrown value builds (and notes) its own.
    ///
    /// QuickJS builds a backtrace for a thrown non-Error value only when it holds none, and
    /// only a script `catch` drops the one it holds: an Error made but not thrown, or an
    /// exception that a promise swallowed, would leave theirs in place. The engine drops it
    /// whenever it gets control back between throws: host calls, settled I/O calls and
    /// callbacks. (`js_std_cmd(ErrorBackTrace)` is QuickJS's hook for its own libc.)
    pub fn forget_backtrace(ctx: &Ctx<'_>) {
        const ERROR_BACK_TRACE: std::ffi::c_int = 2;
        let mut trace = qjs::JS_UNDEFINED;
        let context = ctx.as_raw().as_ptr();
        // SAFETY: `js_std_cmd(2, ctx, &value)` moves the context's pending backtrace (or
        // undefined) into `trace` and leaves undefined behind; the value is owned, freed here.
        unsafe {
            qjs::js_std_cmd(ERROR_BACK_TRACE, context, &mut trace as *mut qjs::JSValue);
            qjs::JS_FreeValue(context, trace);
        }
    }

    pub fn set_callback_error(&self, error: HostError, value: Persistent<JsValue<'static>>) {
        const KEEP: usize = 8;
        let mut errors = self.callback_errors.borrow_mut();
        if errors.len() == KEEP {
            errors.pop_front();
        }
        errors.push_back((error, value));
    }

    /// The script value of a recent callback error, when `error` is that error.
    pub fn take_callback_error(&self, error: &HostError) -> Option<Persistent<JsValue<'static>>> {
        let mut errors = self.callback_errors.borrow_mut();
        let index =
            errors.iter().rposition(|(raised, _)| raised.code == error.code && raised.message == error.message)?;
        errors.remove(index).map(|(_, value)| value)
    }

    /// The rejection tracker: remembers promises rejected with no handler.
    pub fn track_rejection<'js>(&self, ctx: &Ctx<'js>, promise: JsValue<'js>, reason: JsValue<'js>, handled: bool) {
        let mut unhandled = self.unhandled.borrow_mut();
        if handled {
            unhandled.retain(|(tracked, _)| !same_value(ctx, tracked, &promise));
        } else {
            unhandled.push((Persistent::save(ctx, promise), Persistent::save(ctx, reason)));
        }
    }

    /// The reason of the oldest rejected promise nobody handled, other than `except`.
    pub fn unhandled_rejection<'js>(&self, ctx: &Ctx<'js>, except: &JsValue<'js>) -> Option<JsValue<'js>> {
        let unhandled = self.unhandled.borrow();
        let (_, reason) = unhandled.iter().find(|(promise, _)| !same_value(ctx, promise, except))?;
        reason.clone().restore(ctx).ok()
    }

    /// Drops every QuickJS value this state holds and aborts pending host calls.
    /// Must run while the runtime is alive.
    pub fn clear(&self) {
        for (_, call) in self.pending.borrow_mut().drain() {
            if let Some(abort) = call.abort {
                abort.abort();
            }
        }
        self.callables.borrow_mut().clear();
        self.callable_addresses.borrow_mut().clear();
        self.prototypes.borrow_mut().clear();
        self.callback_errors.borrow_mut().clear();
        self.unhandled.borrow_mut().clear();
        self.stack_formatter.borrow_mut().take();
        self.thrown.borrow_mut().take();
    }
}

fn same_value<'js>(ctx: &Ctx<'js>, persistent: &Persistent<JsValue<'static>>, value: &JsValue<'js>) -> bool {
    persistent.clone().restore(ctx).is_ok_and(|restored| restored == *value)
}

/// A script function held by the host. Calls run on the spell thread: directly when the
/// caller is already there (re-entrant), otherwise through the mailbox.
pub(super) struct JsCallable {
    spell_id: u64,
    id: u64,
    sender: MailboxSender,
    dropped: Arc<Mutex<Vec<u64>>>,
    name: Option<String>,
}

impl ScriptFunction for JsCallable {
    fn call(&self, args: Vec<Value>) -> Result<Value, HostError> {
        let (spell_id, id) = (self.spell_id, self.id);
        self.sender.run_on_spell_thread(move || super::call_on_spell_thread(spell_id, id, args))
    }

    fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
}

impl Drop for JsCallable {
    fn drop(&mut self) {
        if let Ok(mut dropped) = self.dropped.lock() {
            dropped.push(self.id);
        }
    }
}

/// What a host call needs to re-enter the running spell from the spell thread.
#[derive(Clone)]
pub(super) struct Active {
    pub state: Rc<State>,
    pub context: NonNull<qjs::JSContext>,
    /// The spell's mailbox; valid while the guard that set it lives.
    mailbox: *const Mailbox,
}

impl Active {
    /// The spell's mailbox.
    pub fn mailbox(&self) -> &Mailbox {
        // SAFETY: `ActiveGuard::enter` borrows the mailbox for as long as this value can be
        // read from the thread-local; the guard clears it before the borrow ends.
        unsafe { &*self.mailbox }
    }

    /// A `Ctx` for the running spell's context.
    ///
    /// # Safety
    /// Only while the spell's `Context::with` is running on this thread (the guard's scope).
    pub unsafe fn ctx<'js>(&self) -> Ctx<'js> {
        // SAFETY: per the caller's contract the runtime lock is held by this thread.
        unsafe { Ctx::from_raw(self.context) }
    }
}

thread_local! {
    static ACTIVE: RefCell<Option<Active>> = const { RefCell::new(None) };
}

/// The running spell on this thread, if any.
pub(super) fn active() -> Option<Active> {
    ACTIVE.with(|active| active.borrow().clone())
}

/// Marks a spell as running on this thread for as long as it lives.
pub(super) struct ActiveGuard<'a> {
    _mailbox: std::marker::PhantomData<&'a Mailbox>,
}

impl<'a> ActiveGuard<'a> {
    pub fn enter(state: &Rc<State>, ctx: &Ctx<'_>, mailbox: &'a Mailbox) -> ActiveGuard<'a> {
        let active = Active { state: state.clone(), context: ctx.as_raw(), mailbox };
        ACTIVE.with(|slot| *slot.borrow_mut() = Some(active));
        ActiveGuard { _mailbox: std::marker::PhantomData }
    }
}

impl Drop for ActiveGuard<'_> {
    fn drop(&mut self) {
        ACTIVE.with(|slot| slot.borrow_mut().take());
    }
}

/// The error for a callback whose spell has ended.
pub(super) fn spell_ended() -> HostError {
    HostError::new(codes::TERMINATED, "the spell that defined this function has ended")
}
