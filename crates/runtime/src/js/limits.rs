//! Limits of a JavaScript spell: the memory-capped allocator, and the guards the interrupt
//! handler and every host call consult (deadline, cancellation, instruction budget, native
//! stack depth, and the sticky fatal error that no `try`/`catch` can swallow).
//!
//! QuickJS reports running out of memory and stack as ordinary (catchable) exceptions. To
//! make them end the spell whatever the script does:
//! - the allocator records a refused allocation;
//! - deep recursion is seen three ways: the interrupt handler (polled every ~10 000 calls or
//!   loop iterations) and every host call measure the native stack against a soft limit, and
//!   `Error.prepareStackTrace` (which QuickJS calls without a stack check, even for the
//!   RangeError of its own hard limit) notes errors made past it;
//! - the first limit hit becomes the sticky fatal error: the interrupt handler then stops the
//!   script with QuickJS's uncatchable interrupt, and host calls throw it uncatchable.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Instant;

use llmspell_bridge::{HostError, codes};
use rquickjs::allocator::{Allocator, RustAllocator};

use crate::{CancelToken, SpellEnv};

/// The native stack QuickJS may use before it throws its own (catchable) RangeError.
/// rquickjs treats anything above 16 MiB as "no limit"; the spell thread has 64 MiB.
pub(super) const HARD_STACK_LIMIT: usize = 15 * 1024 * 1024;
/// The stack depth at which the interrupt handler and host calls end the spell with
/// `stack_overflow` (uncatchable). It sits well below the hard limit so that the ~10 000
/// calls between two interrupt polls fit in the gap for ordinary frames.
pub(super) const SOFT_STACK_LIMIT: usize = 4 * 1024 * 1024;
/// Roughly how many VM steps (calls and backward jumps) pass between two interrupt polls.
const STEPS_PER_POLL: u64 = 10_000;

/// Everything the interrupt handler and the host calls need to stop a spell.
pub(super) struct Guards {
    /// The error that ends the spell once set; sticky.
    fatal: RefCell<Option<HostError>>,
    /// Set by the allocator when it refused an allocation.
    pub out_of_memory: Rc<Cell<bool>>,
    /// Set when an error was made past the soft stack limit (see [`Guards::note_error`]).
    too_deep: Cell<bool>,
    deadline: Option<Instant>,
    cancel: CancelToken,
    max_steps: Option<u64>,
    steps: Cell<u64>,
    /// The address of a local near the bottom of the spell's native stack.
    stack_base: usize,
    timeout: HostError,
    memory: HostError,
    instructions: HostError,
}

impl Guards {
    pub fn new(env: &SpellEnv) -> Guards {
        Guards {
            fatal: RefCell::new(None),
            out_of_memory: Rc::new(Cell::new(false)),
            too_deep: Cell::new(false),
            deadline: env.deadline,
            cancel: env.cancel.clone(),
            max_steps: env.limits.max_instructions,
            steps: Cell::new(0),
            stack_base: stack_address(),
            timeout: env.timeout_error(),
            memory: env.memory_error(),
            instructions: env.instruction_error(),
        }
    }

    /// The sticky error, if the spell must end.
    pub fn fatal(&self) -> Option<HostError> {
        self.fatal.borrow().clone()
    }

    /// Records the error that ends the spell (the first one wins).
    pub fn set_fatal(&self, error: HostError) {
        let mut fatal = self.fatal.borrow_mut();
        if fatal.is_none() {
            *fatal = Some(error);
        }
    }

    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    pub fn cancel_token(&self) -> &CancelToken {
        &self.cancel
    }

    pub fn timeout_error(&self) -> HostError {
        self.timeout.clone()
    }

    pub fn memory_error(&self) -> HostError {
        self.memory.clone()
    }

    /// The interrupt handler: true stops the script with an uncatchable error.
    pub fn on_interrupt(&self) -> bool {
        if let Some(max) = self.max_steps {
            let steps = self.steps.get().saturating_add(STEPS_PER_POLL);
            self.steps.set(steps);
            if steps > max {
                self.set_fatal(self.instructions.clone());
            }
        }
        self.check().is_some()
    }

    /// Checks every limit that can be checked at any moment; returns the fatal error if the
    /// spell must end. Cheap: called on every host call.
    pub fn check(&self) -> Option<HostError> {
        if self.fatal.borrow().is_none() {
            if self.out_of_memory.get() {
                self.set_fatal(self.memory.clone());
            } else if self.cancel.is_cancelled() {
                self.set_fatal(HostError::new(codes::TERMINATED, "the spell was terminated"));
            } else if self.deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                self.set_fatal(self.timeout.clone());
            } else if self.too_deep.get() || self.stack_used() > SOFT_STACK_LIMIT {
                self.set_fatal(stack_overflow_error());
            }
        }
        self.fatal()
    }

    fn stack_used(&self) -> usize {
        self.stack_base.saturating_sub(stack_address())
    }

    /// The allocator for this spell's runtime.
    pub fn allocator(&self, limit: Option<usize>) -> LimitedAllocator {
        LimitedAllocator {
            inner: RustAllocator,
            limit: limit.unwrap_or(usize::MAX),
            used: 0,
            out_of_memory: self.out_of_memory.clone(),
        }
    }

    /// Called whenever QuickJS makes an Error (through `Error.prepareStackTrace`, which
    /// QuickJS calls without a stack check). The RangeError QuickJS throws at its own stack
    /// limit is catchable; seeing it made this deep ends the spell anyway.
    pub fn note_error(&self) {
        if self.stack_used() > SOFT_STACK_LIMIT {
            self.too_deep.set(true);
        }
    }
}

/// The error for unbounded recursion.
pub(super) fn stack_overflow_error() -> HostError {
    HostError::new(codes::STACK_OVERFLOW, "stack overflow: the spell recursed too deeply")
}

/// The address of a local variable: where the native stack currently is.
#[inline(never)]
fn stack_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// QuickJS's allocator, capped at the spell's memory limit. A refused allocation is
/// recorded so the spell ends even when the script catches the "out of memory" error.
pub(super) struct LimitedAllocator {
    inner: RustAllocator,
    limit: usize,
    used: usize,
    out_of_memory: Rc<Cell<bool>>,
}

impl LimitedAllocator {
    fn admits(&mut self, extra: usize) -> bool {
        if self.used.checked_add(extra).is_some_and(|total| total <= self.limit) {
            true
        } else {
            self.out_of_memory.set(true);
            false
        }
    }
}

// SAFETY: every pointer comes from and goes back to the wrapped `RustAllocator`; this type
// only adds bookkeeping and refuses requests over the limit by returning null.
unsafe impl Allocator for LimitedAllocator {
    fn alloc(&mut self, size: usize) -> *mut u8 {
        if !self.admits(size) {
            return std::ptr::null_mut();
        }
        let pointer = self.inner.alloc(size);
        if !pointer.is_null() {
            // SAFETY: the pointer was just allocated by the wrapped allocator.
            self.used += unsafe { RustAllocator::usable_size(pointer) };
        }
        pointer
    }

    fn calloc(&mut self, count: usize, size: usize) -> *mut u8 {
        let Some(total) = count.checked_mul(size) else {
            return std::ptr::null_mut();
        };
        if !self.admits(total) {
            return std::ptr::null_mut();
        }
        let pointer = self.inner.calloc(count, size);
        if !pointer.is_null() {
            // SAFETY: the pointer was just allocated by the wrapped allocator.
            self.used += unsafe { RustAllocator::usable_size(pointer) };
        }
        pointer
    }

    unsafe fn dealloc(&mut self, pointer: *mut u8) {
        // SAFETY: the caller passes a pointer this allocator handed out.
        let size = unsafe { RustAllocator::usable_size(pointer) };
        self.used = self.used.saturating_sub(size);
        // SAFETY: as above.
        unsafe { self.inner.dealloc(pointer) }
    }

    unsafe fn realloc(&mut self, pointer: *mut u8, new_size: usize) -> *mut u8 {
        if pointer.is_null() {
            return self.alloc(new_size);
        }
        // SAFETY: the caller passes a pointer this allocator handed out.
        let old_size = unsafe { RustAllocator::usable_size(pointer) };
        if new_size > old_size && !self.admits(new_size - old_size) {
            return std::ptr::null_mut();
        }
        // SAFETY: as above.
        let new_pointer = unsafe { self.inner.realloc(pointer, new_size) };
        if !new_pointer.is_null() {
            // SAFETY: the pointer was just (re)allocated by the wrapped allocator.
            let size = unsafe { RustAllocator::usable_size(new_pointer) };
            self.used = self.used.saturating_sub(old_size) + size;
        }
        new_pointer
    }

    unsafe fn usable_size(pointer: *mut u8) -> usize {
        // SAFETY: the caller passes a pointer this allocator handed out.
        unsafe { RustAllocator::usable_size(pointer) }
    }
}
