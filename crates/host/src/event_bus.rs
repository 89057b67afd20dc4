//! The event bus behind the `events` module: subscriptions by wildcard pattern, and
//! synchronous delivery in subscription order.
//!
//! Scripts subscribe through `events.on` and signal through `events.emit`; host code (the
//! runtime, and later `llm`, `agent`, `workflow`) emits its own events on the same bus via
//! [`HostContext::events`](crate::HostContext). Handlers are bridge [`Callable`]s, which the
//! engines run on the spell's thread whichever thread emits.

use std::cell::Cell;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use llmspell_bridge::{Callable, HostError, Map, Value, codes};

/// How deeply handlers may emit events from inside handlers before `emit` refuses,
/// so a handler that re-emits the event it handles fails cleanly instead of overflowing.
pub const MAX_EMIT_DEPTH: usize = 32;

/// A shared, cloneable handle to one spell's event bus.
#[derive(Clone, Default)]
pub struct EventBus {
    inner: Arc<Mutex<Subscriptions>>,
}

#[derive(Default)]
struct Subscriptions {
    next_id: i64,
    entries: Vec<Subscription>,
}

struct Subscription {
    id: i64,
    pattern: String,
    handler: Callable,
}

thread_local! {
    static EMIT_DEPTH: Cell<usize> = const { Cell::new(0) };
}

impl EventBus {
    pub fn new() -> EventBus {
        EventBus::default()
    }

    /// Subscribes `handler` to every event whose name matches `pattern` (`*` matches any run
    /// of characters) and returns the subscription id, counting from 1.
    pub fn subscribe(&self, pattern: &str, handler: Callable) -> i64 {
        let mut subscriptions = self.lock();
        subscriptions.next_id += 1;
        let id = subscriptions.next_id;
        subscriptions.entries.push(Subscription {
            id,
            pattern: pattern.to_owned(),
            handler,
        });
        id
    }

    /// Removes a subscription; `false` when no subscription has that id.
    pub fn unsubscribe(&self, id: i64) -> bool {
        let mut subscriptions = self.lock();
        let before = subscriptions.entries.len();
        subscriptions
            .entries
            .retain(|subscription| subscription.id != id);
        subscriptions.entries.len() != before
    }

    /// Whether any subscription matches `name`: lets host code skip building costly data.
    pub fn has_subscribers(&self, name: &str) -> bool {
        self.lock()
            .entries
            .iter()
            .any(|subscription| pattern_matches(&subscription.pattern, name))
    }

    /// Delivers the event `{name, time, data}` to every matching handler, in subscription
    /// order, and returns once all have run. `data` is left out of the event when it is nil.
    ///
    /// A handler's error stops delivery and is returned to the emitter. Handlers subscribed
    /// while the event is delivered do not receive it; handlers removed meanwhile do not either.
    pub fn emit(&self, name: &str, data: Value) -> Result<(), HostError> {
        let handlers: Vec<(i64, Callable)> = self
            .lock()
            .entries
            .iter()
            .filter(|subscription| pattern_matches(&subscription.pattern, name))
            .map(|subscription| (subscription.id, subscription.handler.clone()))
            .collect();
        if handlers.is_empty() {
            return Ok(());
        }
        let _depth = DepthGuard::enter(name)?;
        let event = event_value(name, data);
        for (id, handler) in handlers {
            if !self
                .lock()
                .entries
                .iter()
                .any(|subscription| subscription.id == id)
            {
                continue;
            }
            handler.call(vec![event.clone()])?;
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Subscriptions> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The value handlers receive: `{name, time, data}`, `time` in seconds since the Unix epoch.
pub fn event_value(name: &str, data: Value) -> Value {
    let time = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_secs_f64());
    let mut event = Map::new();
    event.insert("name".to_owned(), Value::Str(name.to_owned()));
    event.insert("time".to_owned(), Value::Float(time.unwrap_or(0.0)));
    if !data.is_nil() {
        event.insert("data".to_owned(), data);
    }
    Value::Map(event)
}

/// Whether `name` matches `pattern`, where `*` matches any run of characters (also none)
/// and every other character matches itself.
pub fn pattern_matches(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    let (mut p, mut n) = (0, 0);
    // Where the last `*` was, and how much of the name it has swallowed so far.
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, n));
            p += 1;
        } else if p < pattern.len() && pattern[p] == name[n] {
            p += 1;
            n += 1;
        } else if let Some((star_p, star_n)) = star {
            p = star_p + 1;
            n = star_n + 1;
            star = Some((star_p, star_n + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&character| character == '*')
}

/// Counts nested `emit` calls on this thread.
struct DepthGuard;

impl DepthGuard {
    fn enter(name: &str) -> Result<DepthGuard, HostError> {
        EMIT_DEPTH.with(|depth| {
            if depth.get() >= MAX_EMIT_DEPTH {
                return Err(HostError::new(
                    codes::STACK_OVERFLOW,
                    format!(
                        "events.emit: events nested more than {MAX_EMIT_DEPTH} deep at '{name}' \
                         (does a handler emit the event it handles?)"
                    ),
                ));
            }
            depth.set(depth.get() + 1);
            Ok(DepthGuard)
        })
    }
}

impl Drop for DepthGuard {
    fn drop(&mut self) {
        EMIT_DEPTH.with(|depth| depth.set(depth.get().saturating_sub(1)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_patterns() {
        let cases = [
            ("workflow.*", "workflow.step.start", true),
            ("workflow.*", "workflow.", true),
            ("workflow.*", "workflow", false),
            ("workflow.*", "agent.start", false),
            ("*", "anything.at.all", true),
            ("*", "", true),
            ("*.end", "workflow.step.end", true),
            ("*.end", "workflow.step.start", false),
            ("workflow.*.start", "workflow.step.start", true),
            ("workflow.*.start", "workflow.a.b.start", true),
            ("workflow.*.start", "workflow.step.end", false),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
            ("**", "x", true),
            ("spell.start", "spell.start", true),
            ("spell.start", "spell.started", false),
            ("spell.start", "spell.star", false),
            ("é*", "événement", true),
        ];
        for (pattern, name, expected) in cases {
            assert_eq!(
                pattern_matches(pattern, name),
                expected,
                "{pattern} vs {name}"
            );
        }
    }
}
