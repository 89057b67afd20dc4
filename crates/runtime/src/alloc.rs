//! A counting global allocator: exact, per-thread memory accounting for engines that cannot
//! count their own allocations (Rhai).
//!
//! [`SpellAllocator`] wraps [`System`] and keeps, for every thread, the bytes allocated minus
//! the bytes freed on that thread (requested sizes, not the allocator's own overhead). A spell
//! runs on a thread of its own, so the growth of that balance since the spell started is what
//! the spell holds. Reading it is a thread-local load, cheap enough for every Rhai operation.
//!
//! A program opts in by installing it:
//!
//! ```
//! #[global_allocator]
//! static ALLOCATOR: llmspell_runtime::alloc::SpellAllocator = llmspell_runtime::alloc::SpellAllocator;
//!
//! fn main() {
//!     let held = vec![0u8; 4096];
//!     assert!(llmspell_runtime::alloc::is_installed());
//!     assert!(llmspell_runtime::alloc::thread_balance() >= held.len() as isize);
//! }
//! ```
//!
//! Without it (a library user with an allocator of its own), [`is_installed`] is false and the
//! engines fall back to what they can check alone (see the Rhai engine).
//!
//! Limits: memory freed on another thread than the one that allocated it (a value handed to
//! the host and dropped on an I/O worker, or the other way round) moves both threads'
//! balances, so a spell's balance drifts by what crosses threads unless the engine corrects
//! for it (the Rhai engine does at host-call boundaries); memory the host allocates on its
//! own threads for the spell is not the spell's.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

/// The counting allocator. Install it with `#[global_allocator]` in a binary.
#[derive(Clone, Copy, Debug, Default)]
pub struct SpellAllocator;

/// Set by the allocator on its first allocation: true once it is the global allocator.
static INSTALLED: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Bytes allocated minus bytes freed on this thread. Const-initialised and without a
    /// destructor, so reading or writing it never allocates.
    static BALANCE: Cell<isize> = const { Cell::new(0) };
}

#[inline]
fn record(delta: isize) {
    // `try_with` fails only while the thread's locals are being destroyed; the bytes of those
    // last moments belong to no spell.
    let _ = BALANCE.try_with(|balance| balance.set(balance.get().wrapping_add(delta)));
}

#[inline]
fn mark_installed() {
    // A load first, so threads only read a shared line after the first allocation.
    if !INSTALLED.load(Ordering::Relaxed) {
        INSTALLED.store(true, Ordering::Relaxed);
    }
}

// SAFETY: every request is forwarded unchanged to `System`; this type only adds bookkeeping
// in a thread-local `Cell` (no allocation, no panic, no unwinding).
unsafe impl GlobalAlloc for SpellAllocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            mark_installed();
            record(layout.size() as isize);
        }
        pointer
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let pointer = unsafe { System.alloc_zeroed(layout) };
        if !pointer.is_null() {
            mark_installed();
            record(layout.size() as isize);
        }
        pointer
    }

    #[inline]
    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(pointer, layout) };
        record(-(layout.size() as isize));
    }

    #[inline]
    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let new_pointer = unsafe { System.realloc(pointer, layout, new_size) };
        if !new_pointer.is_null() {
            record((new_size as isize).wrapping_sub(layout.size() as isize));
        }
        new_pointer
    }
}

/// Whether [`SpellAllocator`] is the process's global allocator (it has served an allocation).
#[inline]
pub fn is_installed() -> bool {
    INSTALLED.load(Ordering::Relaxed)
}

/// Bytes allocated minus bytes freed on the current thread since it started; always 0 when
/// [`SpellAllocator`] is not installed. Only differences between two readings on the same
/// thread mean something.
#[inline]
pub fn thread_balance() -> isize {
    BALANCE.try_with(Cell::get).unwrap_or(0)
}
