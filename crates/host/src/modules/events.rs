//! `events`: subscribe script handlers to event names by wildcard pattern, and emit events
//! that every matching handler receives before `emit` returns.

use llmspell_bridge::{Function, HostError, Module, Type, Value};

use crate::HostContext;

pub(crate) fn module(context: &HostContext) -> Module {
    let (on_bus, off_bus, emit_bus) = (
        context.events.clone(),
        context.events.clone(),
        context.events.clone(),
    );
    Module::new(
        "events",
        "Observe and signal. Handlers receive `{ name, time, data }` (`time` in seconds since \
         the Unix epoch) on the spell's thread, in subscription order. The runtime emits \
         `spell.start/end`, `llm.request/response`, `agent.start/end`, `tool.call/result`, \
         `workflow.start/end`, `workflow.step.start/end` and `error`.",
    )
    .function(
        Function::new("on")
            .doc(
                "Subscribes a handler to every event whose name matches a pattern. In patterns \
                 `*` matches any run of characters: `\"workflow.*\"` matches \
                 `workflow.step.start`, `\"*\"` matches everything.",
            )
            .param(
                "pattern",
                Type::Str,
                "The event names to receive, with `*` wildcards.",
            )
            .param(
                "handler",
                Type::Fn,
                "Called with each matching event `{ name, time, data }`.",
            )
            .returns(Type::Int, "The subscription id, for `events.off`.")
            .example(
                r#"local id = events.on("workflow.*", function(event) print(event.name) end)"#,
                r#"const id = events.on("workflow.*", (event) => print(event.name));"#,
                r#"let id = events.on("workflow.*", |event| print(event.name));"#,
            )
            .sync(move |mut args| {
                let pattern = args.str(0)?.to_owned();
                let Value::Callable(handler) = args.take(1) else {
                    return Err(HostError::internal(format!(
                        "{}: no handler",
                        args.qualified
                    )));
                };
                Ok(Value::Int(on_bus.subscribe(&pattern, handler)))
            }),
    )
    .function(
        Function::new("off")
            .doc("Removes a subscription made with `events.on`.")
            .param("id", Type::Int, "The subscription id `events.on` returned.")
            .returns(Type::Bool, "`true` when the subscription existed.")
            .example(
                r#"local id = events.on("tick", function(event) end)
print(events.off(id))  -- true"#,
                r#"const id = events.on("tick", (event) => {});
print(events.off(id)); // true"#,
                r#"let id = events.on("tick", |event| {});
print(events.off(id)); // true"#,
            )
            .sync(move |args| Ok(Value::Bool(off_bus.unsubscribe(args.int(0)?)))),
    )
    .function(
        Function::new("emit")
            .doc(
                "Emits an event: every matching handler runs, in subscription order, before \
                 `emit` returns. An error raised by a handler propagates to the caller of `emit`.",
            )
            .param("name", Type::Str, "The event name (`report.ready`).")
            .optional(
                "data",
                Type::Any,
                None,
                "The event's payload; left out of the event when nil.",
            )
            .returns(Type::Nil, "Nothing.")
            .example(
                r#"events.emit("report.ready", { pages = 3 })"#,
                r#"events.emit("report.ready", { pages: 3 });"#,
                r#"events.emit("report.ready", #{ pages: 3 });"#,
            )
            .sync(move |mut args| {
                let data = args.take(1);
                emit_bus.emit(args.str(0)?, data)?;
                Ok(Value::Nil)
            }),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use llmspell_bridge::{Callable, HostError, RustFunction, Value, map_of};

    use crate::test_support::TestHost;

    /// A handler that records `label` and the event it got.
    fn recorder(label: &'static str, log: &Arc<Mutex<Vec<(String, Value)>>>) -> Value {
        let log = Arc::clone(log);
        Value::Callable(Callable::new(RustFunction(move |args: Vec<Value>| {
            log.lock().unwrap().push((
                label.to_owned(),
                args.into_iter().next().unwrap_or_default(),
            ));
            Ok(Value::Nil)
        })))
    }

    #[test]
    fn handlers_run_in_subscription_order_before_emit_returns() {
        let host = TestHost::new();
        let log = Arc::new(Mutex::new(Vec::new()));
        let first = host
            .call(
                "events",
                "on",
                vec!["workflow.*".into(), recorder("first", &log)],
            )
            .unwrap();
        let second = host
            .call("events", "on", vec!["*".into(), recorder("second", &log)])
            .unwrap();
        let third = host
            .call(
                "events",
                "on",
                vec!["agent.*".into(), recorder("third", &log)],
            )
            .unwrap();
        assert_eq!(
            (first, second, third),
            (Value::Int(1), Value::Int(2), Value::Int(3))
        );

        let before = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let data = map_of([("step", "fetch".into())]);
        host.call(
            "events",
            "emit",
            vec!["workflow.step.start".into(), data.clone()],
        )
        .unwrap();
        let seen = log.lock().unwrap().clone();
        assert_eq!(
            seen.iter()
                .map(|(label, _)| label.as_str())
                .collect::<Vec<_>>(),
            ["first", "second"]
        );
        let event = seen[0].1.as_map().unwrap();
        assert_eq!(event["name"], Value::from("workflow.step.start"));
        assert_eq!(event["data"], data);
        let time = event["time"].as_float().unwrap();
        assert!(matches!(event["time"], Value::Float(_)));
        assert!(
            time >= before - 1.0 && time < before + 60.0,
            "{time} vs {before}"
        );
        assert_eq!(seen[0].1, seen[1].1);

        log.lock().unwrap().clear();
        host.call("events", "emit", vec!["agent.end".into()])
            .unwrap();
        let seen = log.lock().unwrap().clone();
        assert_eq!(
            seen.iter()
                .map(|(label, _)| label.as_str())
                .collect::<Vec<_>>(),
            ["second", "third"]
        );
        let event = seen[0].1.as_map().unwrap();
        assert_eq!(
            event.keys().collect::<Vec<_>>(),
            ["name", "time"],
            "nil data is left out"
        );
    }

    #[test]
    fn off_removes_a_subscription_once() {
        let host = TestHost::new();
        let log = Arc::new(Mutex::new(Vec::new()));
        let id = host
            .call("events", "on", vec!["tick".into(), recorder("tick", &log)])
            .unwrap();
        assert_eq!(
            host.call("events", "off", vec![id.clone()]).unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            host.call("events", "off", vec![id]).unwrap(),
            Value::Bool(false)
        );
        assert_eq!(
            host.call("events", "off", vec![Value::Int(99)]).unwrap(),
            Value::Bool(false)
        );
        host.call("events", "emit", vec!["tick".into()]).unwrap();
        assert!(log.lock().unwrap().is_empty());
    }

    #[test]
    fn a_handler_error_reaches_the_emitter_and_stops_delivery() {
        let host = TestHost::new();
        let log = Arc::new(Mutex::new(Vec::new()));
        let failing = Value::Callable(Callable::new(RustFunction(|_| {
            Err(HostError::new("runtime", "handler exploded"))
        })));
        host.call("events", "on", vec!["boom".into(), failing])
            .unwrap();
        host.call("events", "on", vec!["boom".into(), recorder("after", &log)])
            .unwrap();
        let error = host
            .call("events", "emit", vec!["boom".into()])
            .unwrap_err();
        assert_eq!(
            (error.code.as_str(), error.message.as_str()),
            ("runtime", "handler exploded")
        );
        assert!(log.lock().unwrap().is_empty());
    }

    #[test]
    fn handlers_may_subscribe_unsubscribe_and_emit_while_handling() {
        let host = TestHost::new();
        let log = Arc::new(Mutex::new(Vec::new()));
        let bus = host.context.events.clone();
        let inner_log = Arc::clone(&log);
        let nested = Callable::new(RustFunction(move |_| {
            // Re-entrant use of the bus from a handler must not deadlock.
            bus.subscribe("late", Callable::new(RustFunction(|_| Ok(Value::Nil))));
            bus.unsubscribe(3);
            bus.emit("inner", Value::Int(1))?;
            inner_log
                .lock()
                .unwrap()
                .push(("nested".to_owned(), Value::Nil));
            Ok(Value::Nil)
        }));
        host.call(
            "events",
            "on",
            vec!["outer".into(), Value::Callable(nested)],
        )
        .unwrap();
        host.call(
            "events",
            "on",
            vec!["inner".into(), recorder("inner", &log)],
        )
        .unwrap();
        host.call(
            "events",
            "on",
            vec!["outer".into(), recorder("removed meanwhile", &log)],
        )
        .unwrap();
        host.call("events", "emit", vec!["outer".into()]).unwrap();
        let labels: Vec<String> = log
            .lock()
            .unwrap()
            .iter()
            .map(|(label, _)| label.clone())
            .collect();
        assert_eq!(labels, ["inner", "nested"]);
    }

    #[test]
    fn runaway_re_emission_fails_cleanly() {
        let host = TestHost::new();
        let bus = host.context.events.clone();
        let again = Callable::new(RustFunction(move |_| {
            bus.emit("loop", Value::Nil)?;
            Ok(Value::Nil)
        }));
        host.call("events", "on", vec!["loop".into(), Value::Callable(again)])
            .unwrap();
        let error = host
            .call("events", "emit", vec!["loop".into()])
            .unwrap_err();
        assert_eq!(error.code, "stack_overflow");
        // The depth count unwinds: the bus still works afterwards.
        host.call("events", "emit", vec!["other".into()]).unwrap();
    }

    #[test]
    fn host_code_emits_on_the_same_bus() {
        let host = TestHost::new();
        let log = Arc::new(Mutex::new(Vec::new()));
        host.call(
            "events",
            "on",
            vec!["spell.*".into(), recorder("script", &log)],
        )
        .unwrap();
        assert!(host.context.events.has_subscribers("spell.start"));
        assert!(!host.context.events.has_subscribers("agent.start"));
        host.context
            .events
            .emit("spell.start", map_of([("name", "test".into())]))
            .unwrap();
        assert_eq!(log.lock().unwrap().len(), 1);
    }

    #[test]
    fn arguments_are_validated() {
        let host = TestHost::new();
        let cases: Vec<(&str, Vec<Value>, &str)> = vec![
            (
                "on",
                vec!["x".into(), "not a function".into()],
                "events.on: parameter 'handler' expects fn, got str \"not a function\"",
            ),
            (
                "on",
                vec![Value::Int(1), Value::Nil],
                "events.on: parameter 'pattern' expects str, got int 1",
            ),
            (
                "on",
                vec!["x".into()],
                "events.on: expected 2 arguments, got 1",
            ),
            (
                "off",
                vec!["1".into()],
                "events.off: parameter 'id' expects int, got str \"1\"",
            ),
            (
                "off",
                vec![Value::Float(1.5)],
                "events.off: parameter 'id' expects int, got float 1.5",
            ),
            (
                "emit",
                vec![],
                "events.emit: expected 1 to 2 arguments, got 0",
            ),
            (
                "emit",
                vec![Value::Bool(true)],
                "events.emit: parameter 'name' expects str, got bool true",
            ),
        ];
        for (function, args, message) in cases {
            let error = host.call("events", function, args).unwrap_err();
            assert_eq!(error.code, "invalid_argument");
            assert_eq!(error.message, message);
        }
        // An integral float is an acceptable id.
        assert_eq!(
            host.call("events", "off", vec![Value::Float(7.0)]).unwrap(),
            Value::Bool(false)
        );
    }
}
