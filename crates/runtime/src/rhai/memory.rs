//! The memory limit of a Rhai spell.
//!
//! Rhai cannot count its allocations, and its own data-size limits re-measure a whole
//! container (nested contents included) after every change once any of them is set, which
//! makes building a list O(n²). So no Rhai data-size limit is set. Instead:
//!
//! - with [`crate::alloc::SpellAllocator`] installed as the global allocator, the spell
//!   thread's allocation balance is read at every operation (`on_progress`, see
//!   `apply_limits`): the growth since the spell started is exactly what the spell holds, and
//!   past the limit the spell ends with `memory_limit`, which no `catch` can swallow;
//! - the few standard functions that can allocate without bound in one operation (`blob(n)`,
//!   `blob(n, v)` and `pad` of strings, arrays and BLOBs) are replaced by versions that first
//!   check the size they are about to add against what is left of the limit, in O(1) (O(item)
//!   for an array's padding item), so a single `blob(1e12)` cannot take the process down.
//!
//! An I/O-bound host call moves memory between threads: its arguments and future are freed on
//! an I/O worker, its result was allocated there. The engine leaves both out of the spell's
//! balance ([`MemoryMeter::exclude_since`]), so long-running spells do not drift.
//!
//! Without the counting allocator (a library user with an allocator of its own), only the
//! second check applies, against the whole limit: a single value over the limit still ends
//! the spell, many small ones are not counted.

use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::{Arc, OnceLock};

use rhai::{Array, Blob, Dynamic, EvalAltResult, FuncRegistration, INT, ImmutableString, Module, Shared};

use super::session;
use crate::alloc;

/// A spell's memory limit and, when the counting allocator is installed, the thread balance
/// the spell's use is measured from.
///
/// The baseline starts as the balance when the spell started and moves by what the spell
/// thread allocates for other threads to free (the arguments of an I/O-bound host call and
/// its future, dropped on an I/O worker) or frees for them (the result of such a call): see
/// [`MemoryMeter::exclude_since`]. Clones share the baseline.
#[derive(Clone, Debug)]
pub(crate) struct MemoryMeter {
    limit: usize,
    baseline: Option<Arc<AtomicIsize>>,
}

impl MemoryMeter {
    /// Starts measuring on the spell thread; `None` when the spell has no memory limit.
    pub fn start(limit: Option<usize>) -> Option<MemoryMeter> {
        let limit = limit?;
        let baseline = alloc::is_installed().then(|| Arc::new(AtomicIsize::new(alloc::thread_balance())));
        Some(MemoryMeter { limit, baseline })
    }

    /// Whether the spell's allocations are counted (the counting allocator is installed).
    pub fn counts(&self) -> bool {
        self.baseline.is_some()
    }

    /// Bytes the spell holds now, as far as it is counted.
    #[inline]
    pub fn used(&self) -> usize {
        match &self.baseline {
            Some(baseline) => {
                usize::try_from(alloc::thread_balance().wrapping_sub(baseline.load(Ordering::Relaxed))).unwrap_or(0)
            }
            None => 0,
        }
    }

    /// Whether the spell holds more than its limit.
    #[inline]
    pub fn over(&self) -> bool {
        self.used() > self.limit
    }

    /// Whether `extra` more bytes stay within the limit.
    pub fn admits(&self, extra: usize) -> bool {
        self.used().saturating_add(extra) <= self.limit
    }

    /// Leaves out of the spell's use how the thread balance moved since `mark` (from [`mark`]):
    /// bytes allocated here that another thread will free, or freed here that another thread
    /// allocated.
    pub fn exclude_since(&self, mark: isize) {
        if let Some(baseline) = &self.baseline {
            baseline.fetch_add(alloc::thread_balance().wrapping_sub(mark), Ordering::Relaxed);
        }
    }
}

/// The thread balance now, for [`MemoryMeter::exclude_since`].
pub(crate) fn mark() -> isize {
    alloc::thread_balance()
}

/// Ends the spell with `memory_limit` unless `extra` more bytes fit in the current spell's
/// limit.
fn reserve(extra: usize) -> Result<(), Box<EvalAltResult>> {
    let refused = session::with_session(|session| {
        session.memory.as_ref().filter(|meter| !meter.admits(extra)).map(|_| session.env.memory_error())
    })
    .flatten();
    match refused {
        Some(error) => Err(session::terminated(error)),
        None => Ok(()),
    }
}

/// The replacements for the standard functions that allocate without bound in one step,
/// built once per process. Registered after the standard package, so they take precedence.
pub(crate) fn guarded_functions() -> Shared<Module> {
    static MODULE: OnceLock<Shared<Module>> = OnceLock::new();
    MODULE
        .get_or_init(|| {
            let mut module = Module::new();
            FuncRegistration::new("blob").set_into_module(&mut module, |len: INT| new_blob(len, 0));
            FuncRegistration::new("blob").set_into_module(&mut module, new_blob);
            FuncRegistration::new("pad").with_purity(false).set_into_module(&mut module, pad_string_with_char);
            FuncRegistration::new("pad").with_purity(false).set_into_module(&mut module, pad_string_with_string);
            FuncRegistration::new("pad").with_purity(false).set_into_module(&mut module, pad_array);
            FuncRegistration::new("pad").with_purity(false).set_into_module(&mut module, pad_blob);
            module.into()
        })
        .clone()
}

/// `blob(len, value)`: `len` bytes of `value` (its low 8 bits).
fn new_blob(len: INT, value: INT) -> Result<Blob, Box<EvalAltResult>> {
    let Ok(len) = usize::try_from(len) else {
        return Ok(Blob::new());
    };
    reserve(len)?;
    Ok(vec![(value & 0xff) as u8; len])
}

/// `string.pad(len, character)`: pads to at least `len` characters.
fn pad_string_with_char(string: &mut ImmutableString, len: INT, character: char) -> Result<(), Box<EvalAltResult>> {
    let Ok(len) = usize::try_from(len) else {
        return Ok(());
    };
    if len <= string.len() / 4 {
        // Shorter than the string, whatever its characters: no padding (and no O(n) count).
        return Ok(());
    }
    let count = string.chars().count();
    if len <= count {
        return Ok(());
    }
    reserve((len - count).saturating_mul(character.len_utf8()))?;
    let text = string.make_mut();
    text.extend(std::iter::repeat_n(character, len - count));
    Ok(())
}

/// `string.pad(len, padding)`: pads with copies of `padding` to at least `len` characters.
fn pad_string_with_string(string: &mut ImmutableString, len: INT, padding: &str) -> Result<(), Box<EvalAltResult>> {
    let Ok(len) = usize::try_from(len) else {
        return Ok(());
    };
    if len <= string.len() / 4 || padding.is_empty() {
        return Ok(());
    }
    let mut count = string.chars().count();
    if len <= count {
        return Ok(());
    }
    let padding_chars = padding.chars().count();
    let extra = (len - count).div_ceil(padding_chars).saturating_mul(padding.len());
    reserve(extra)?;
    let text = string.make_mut();
    while count < len {
        if count + padding_chars <= len {
            text.push_str(padding);
            count += padding_chars;
        } else {
            text.extend(padding.chars().take(len - count));
            count = len;
        }
    }
    Ok(())
}

/// `array.pad(len, item)`: pads with copies of `item` to at least `len` elements.
fn pad_array(array: &mut Array, len: INT, item: Dynamic) -> Result<(), Box<EvalAltResult>> {
    let Ok(len) = usize::try_from(len) else {
        return Ok(());
    };
    if len <= array.len() {
        return Ok(());
    }
    reserve((len - array.len()).saturating_mul(approximate_size(&item, 0)))?;
    array.resize(len, item);
    Ok(())
}

/// `blob.pad(len, value)`: pads with `value` (its low 8 bits) to at least `len` bytes.
fn pad_blob(blob: &mut Blob, len: INT, value: INT) -> Result<(), Box<EvalAltResult>> {
    let Ok(len) = usize::try_from(len) else {
        return Ok(());
    };
    if len <= blob.len() {
        return Ok(());
    }
    reserve(len - blob.len())?;
    blob.resize(len, (value & 0xff) as u8);
    Ok(())
}

/// Roughly the bytes one more copy of `value` takes (its slot and its contents).
fn approximate_size(value: &Dynamic, depth: usize) -> usize {
    const SLOT: usize = size_of::<Dynamic>();
    // Deeper contents are not walked (a lower bound is enough to refuse the absurd).
    if depth > 32 {
        return SLOT;
    }
    // Strings are shared, not copied; BLOBs, arrays and maps are copied.
    if let Ok(blob) = value.as_blob_ref() {
        return SLOT + blob.len();
    }
    if let Ok(array) = value.as_array_ref() {
        return array.iter().fold(2 * SLOT, |total, item| total.saturating_add(approximate_size(item, depth + 1)));
    }
    if let Ok(map) = value.as_map_ref() {
        return map.iter().fold(2 * SLOT, |total, (key, item)| {
            total.saturating_add(key.len() + SLOT).saturating_add(approximate_size(item, depth + 1))
        });
    }
    SLOT
}
