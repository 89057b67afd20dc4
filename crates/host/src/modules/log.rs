//! `log`: structured log lines, emitted through `tracing` with the target `spell`.
//!
//! The CLI installs the subscriber that writes them to stderr; each event carries the
//! message, the spell's name (`spell`) and, when given, the fields as JSON (`fields`).

use llmspell_bridge::{Args, Function, HostError, Module, Type, Value};
use tracing::Level;

use crate::HostContext;
use crate::modules::in_function;

pub(crate) fn module(context: &HostContext) -> Module {
    let mut module = Module::new(
        "log",
        "Structured logging to stderr through `tracing` (target `spell`), with optional fields.",
    );
    for (name, level, doc, example) in [
        (
            "debug",
            Level::DEBUG,
            "Logs a debug message, shown only when debug logging is on.",
            [
                "log.debug(\"cache miss\", { key = \"topic\" })",
                "log.debug(\"cache miss\", { key: \"topic\" });",
                "log.debug(\"cache miss\", #{ key: \"topic\" });",
            ],
        ),
        (
            "info",
            Level::INFO,
            "Logs an informational message.",
            [
                "log.info(\"fetched page\", { url = \"https://example.com\", bytes = 512 })",
                "log.info(\"fetched page\", { url: \"https://example.com\", bytes: 512 });",
                "log.info(\"fetched page\", #{ url: \"https://example.com\", bytes: 512 });",
            ],
        ),
        (
            "warn",
            Level::WARN,
            "Logs a warning.",
            [
                "log.warn(\"retrying\", { attempt = 2 })",
                "log.warn(\"retrying\", { attempt: 2 });",
                "log.warn(\"retrying\", #{ attempt: 2 });",
            ],
        ),
        (
            "error",
            Level::ERROR,
            "Logs an error. It does not stop the spell: raise an error for that.",
            [
                "log.error(\"step failed\", { step = \"summarise\" })",
                "log.error(\"step failed\", { step: \"summarise\" });",
                "log.error(\"step failed\", #{ step: \"summarise\" });",
            ],
        ),
    ] {
        let spell = context.spell.name.clone();
        let [lua, js, rhai] = example;
        module = module.function(
            Function::new(name)
                .doc(doc)
                .param("msg", Type::Str, "The message.")
                .optional(
                    "fields",
                    Type::Map,
                    None,
                    "Structured fields, logged as one JSON object with sorted keys.",
                )
                .returns(Type::Nil, "Nothing.")
                .example(lua, js, rhai)
                .sync(move |args| log(level, &spell, &args)),
        );
    }
    module
}

fn log(level: Level, spell: &str, args: &Args) -> Result<Value, HostError> {
    let message = args.str(0)?;
    let fields = match args.get(1) {
        Value::Nil => None,
        fields => Some(
            fields
                .to_json()
                .map_err(|error| in_function(&args.qualified, error))?
                .to_string(),
        ),
    };
    // `event!` needs its level as a constant, hence one call per level.
    macro_rules! emit {
        ($level:expr) => {
            match &fields {
                Some(fields) => {
                    tracing::event!(target: "spell", $level, spell, fields = %fields, "{message}")
                }
                None => tracing::event!(target: "spell", $level, spell, "{message}"),
            }
        };
    }
    match level {
        Level::DEBUG => emit!(Level::DEBUG),
        Level::INFO => emit!(Level::INFO),
        Level::WARN => emit!(Level::WARN),
        _ => emit!(Level::ERROR),
    }
    Ok(Value::Nil)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::fmt;
    use std::sync::{Arc, Mutex};

    use llmspell_bridge::{Callable, RustFunction, Value, map_of};
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    use crate::test_support::TestHost;

    /// One captured event: level, target and every field as text.
    type Captured = (String, String, BTreeMap<String, String>);

    /// A minimal subscriber that keeps every event it sees.
    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<Captured>>>);

    struct Fields<'a>(&'a mut BTreeMap<String, String>);

    impl Visit for Fields<'_> {
        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.insert(field.name().to_owned(), value.to_owned());
        }
        fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
            self.0.insert(field.name().to_owned(), format!("{value:?}"));
        }
    }

    impl Subscriber for Capture {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut fields = BTreeMap::new();
            event.record(&mut Fields(&mut fields));
            let metadata = event.metadata();
            self.0.lock().unwrap().push((
                metadata.level().to_string(),
                metadata.target().to_owned(),
                fields,
            ));
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    fn captured(body: impl FnOnce()) -> Vec<Captured> {
        let capture = Capture::default();
        tracing::subscriber::with_default(capture.clone(), body);
        capture.0.lock().unwrap().clone()
    }

    #[test]
    fn every_level_logs_to_the_spell_target_with_json_fields() {
        let host = TestHost::new();
        let events = captured(|| {
            let fields = map_of([("b", Value::Int(2)), ("a", Value::from("x"))]);
            host.call("log", "debug", vec!["d".into()]).unwrap();
            host.call("log", "info", vec!["i".into(), fields]).unwrap();
            host.call("log", "warn", vec!["w".into(), Value::Nil])
                .unwrap();
            host.call("log", "error", vec!["e".into()]).unwrap();
        });
        let summary: Vec<(String, String, String, Option<String>, String)> = events
            .into_iter()
            .map(|(level, target, fields)| {
                (
                    level,
                    target,
                    fields["message"].clone(),
                    fields.get("fields").cloned(),
                    fields["spell"].clone(),
                )
            })
            .collect();
        let expected = [
            ("DEBUG", "d", None),
            ("INFO", "i", Some(r#"{"a":"x","b":2}"#)),
            ("WARN", "w", None),
            ("ERROR", "e", None),
        ];
        assert_eq!(summary.len(), expected.len());
        for (got, (level, message, fields)) in summary.iter().zip(expected) {
            assert_eq!(got.0, level);
            assert_eq!(got.1, "spell");
            assert_eq!(got.2, message);
            assert_eq!(got.3.as_deref(), fields);
            assert_eq!(got.4, "test");
        }
    }

    #[test]
    fn bad_arguments_are_invalid() {
        let host = TestHost::new();
        let error = host.call("log", "info", vec![Value::Int(5)]).unwrap_err();
        assert_eq!(error.code, "invalid_argument");
        assert_eq!(
            error.message,
            "log.info: parameter 'msg' expects str, got int 5"
        );
        let error = host
            .call("log", "warn", vec!["m".into(), "not a map".into()])
            .unwrap_err();
        assert_eq!(
            error.message,
            "log.warn: parameter 'fields' expects map, got str \"not a map\""
        );
        let error = host.call("log", "debug", vec![]).unwrap_err();
        assert_eq!(error.message, "log.debug: expected 1 to 2 arguments, got 0");
        let function = Value::Callable(Callable::new(RustFunction(|_| Ok(Value::Nil))));
        let error = host
            .call("log", "error", vec!["m".into(), map_of([("f", function)])])
            .unwrap_err();
        assert_eq!(error.code, "invalid_argument");
        assert_eq!(error.message, "log.error: cannot encode a function as JSON");
    }
}
