//! `state`: immutable `State` values (every change makes a new one) and the persistent
//! key-value store shared by every spell of the workspace.

use std::any::Any;

use llmspell_bridge::{
    Args, Function, HostError, HostObject, Map, Module, Object, ObjectType, Type, Value,
};

use crate::HostContext;
use crate::modules::in_function;

/// An immutable map of values flowing through agents and workflows.
///
/// `set` and `merge` return new states. Nil values are never stored: setting a key to nil
/// removes it, so a state looks the same from every engine (a Lua table cannot hold nil).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    values: Map,
}

impl State {
    /// A state holding `values`, without the nil entries.
    pub fn new(mut values: Map) -> State {
        values.retain(|_, value| !value.is_nil());
        State { values }
    }

    /// The entries, sorted by key.
    pub fn values(&self) -> &Map {
        &self.values
    }

    /// The value under `key`, or nil.
    pub fn get(&self, key: &str) -> Value {
        self.values.get(key).cloned().unwrap_or_default()
    }

    /// A new state with `key` set to `value` (removed when `value` is nil).
    pub fn with(&self, key: &str, value: Value) -> State {
        let mut values = self.values.clone();
        if value.is_nil() {
            values.remove(key);
        } else {
            values.insert(key.to_owned(), value);
        }
        State { values }
    }

    /// A new state with every entry of `changes` applied as by [`State::with`].
    pub fn merged(&self, changes: &Map) -> State {
        let mut values = self.values.clone();
        for (key, value) in changes {
            if value.is_nil() {
                values.remove(key);
            } else {
                values.insert(key.clone(), value.clone());
            }
        }
        State { values }
    }

    /// This state as a script value (a `State` host object).
    pub fn into_value(self) -> Value {
        Value::Object(Object::new(self))
    }

    /// The state inside `value`, when it is one.
    pub fn from_value(value: &Value) -> Option<&State> {
        value.as_object().and_then(Object::downcast::<State>)
    }
}

impl HostObject for State {
    fn type_name(&self) -> &'static str {
        "State"
    }
    fn to_value(&self) -> Option<Value> {
        Some(Value::Map(self.values.clone()))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

pub(crate) fn module(context: &HostContext) -> Module {
    Module::new(
        "state",
        "Immutable `State` values, and a persistent key-value store (embedded SQLite in \
         `.llmspell/state.db`) shared by every spell and engine of the workspace.",
    )
    .alias("State")
    .function(
        Function::new("create")
            .alias("new")
            .doc("Creates a `State` from a map. Nil values are left out.")
            .optional(
                "values",
                Type::Map,
                None,
                "The initial entries; empty when omitted.",
            )
            .returns(Type::Object("State"), "The new state.")
            .example(
                r#"local s = state.create({ topic = "rust" })
print(s:get("topic"))  -- rust"#,
                r#"const s = state.create({ topic: "rust" });
print(s.get("topic")); // rust"#,
                r#"let s = state.create(#{ topic: "rust" });
print(s.get("topic")); // rust"#,
            )
            .sync(|args| {
                Ok(State::new(args.get(0).as_map().cloned().unwrap_or_default()).into_value())
            }),
    )
    .function(
        Function::new("save")
            .doc(
                "Stores a value under a key in the workspace's persistent store, replacing \
                 any previous one. Values are stored as JSON: a `State` saves as its map, \
                 functions cannot be saved, and saving nil deletes the key.",
            )
            .param("key", Type::Str, "The key.")
            .param("value", Type::Any, "The value to store.")
            .returns(Type::Nil, "Nothing.")
            .example(
                r#"state.save("last_topic", "rust")"#,
                r#"state.save("last_topic", "rust");"#,
                r#"state.save("last_topic", "rust");"#,
            )
            .sync(with_store(context, |context, args| {
                let key = args.str(0)?;
                match args.get(1) {
                    Value::Nil => context.state_store().delete(key).map(|_| ()),
                    value => context.state_store().save(key, value),
                }
                .map(|()| Value::Nil)
            })),
    )
    .function(
        Function::new("load")
            .doc("Reads a value from the workspace's persistent store.")
            .param("key", Type::Str, "The key.")
            .returns(
                Type::Any,
                "The stored value (a saved `State` comes back as a map), or nil.",
            )
            .example(
                r#"local topic = state.load("last_topic") or "default""#,
                r#"const topic = state.load("last_topic") ?? "default";"#,
                r#"let topic = state.load("last_topic") ?? "default";"#,
            )
            .sync(with_store(context, |context, args| {
                Ok(context
                    .state_store()
                    .load(args.str(0)?)?
                    .unwrap_or_default())
            })),
    )
    .function(
        Function::new("delete")
            .doc("Removes a key from the workspace's persistent store.")
            .param("key", Type::Str, "The key.")
            .returns(Type::Bool, "`true` when the key existed.")
            .example(
                r#"local removed = state.delete("last_topic")"#,
                r#"const removed = state.delete("last_topic");"#,
                r#"let removed = state.delete("last_topic");"#,
            )
            .sync(with_store(context, |context, args| {
                context.state_store().delete(args.str(0)?).map(Value::Bool)
            })),
    )
    .function(
        Function::new("list")
            .doc("Lists the keys of the workspace's persistent store, sorted.")
            .optional(
                "prefix",
                Type::Str,
                None,
                "Only keys starting with this text (compared literally); all keys when omitted.",
            )
            .returns(Type::list(Type::Str), "The keys, in sorted order.")
            .example(
                r#"for _, key in ipairs(state.list("cache/")) do print(key) end"#,
                r#"for (const key of state.list("cache/")) { print(key); }"#,
                r#"for key in state.list("cache/") { print(key); }"#,
            )
            .sync(with_store(context, |context, args| {
                let keys = context.state_store().list(args.opt_str(0).unwrap_or(""))?;
                Ok(Value::List(keys.into_iter().map(Value::Str).collect()))
            })),
    )
}

/// A state-store function body bound to `context`. Errors raised below the body (JSON
/// encoding, the database) get the function's qualified name in front.
fn with_store(
    context: &HostContext,
    body: fn(&HostContext, &Args) -> Result<Value, HostError>,
) -> impl Fn(Args) -> Result<Value, HostError> + Send + Sync + 'static {
    let context = context.clone();
    move |args: Args| body(&context, &args).map_err(|error| in_function(&args.qualified, error))
}

/// The `State` object type and its methods.
pub(crate) fn object_type() -> ObjectType {
    ObjectType::new(
        "State",
        "An immutable map of values. `set` and `merge` return a new State and leave the \
         receiver unchanged; nil values are never stored. `json.encode` and `print` show \
         its map.",
    )
    .method(
        Function::new("get")
            .doc("Reads one entry.")
            .param("key", Type::Str, "The key.")
            .returns(Type::Any, "The value, or nil when the key is absent.")
            .example(
                r#"local s = state.create({ topic = "rust" })
print(s:get("topic"))  -- rust"#,
                r#"const s = state.create({ topic: "rust" });
print(s.get("topic")); // rust"#,
                r#"let s = state.create(#{ topic: "rust" });
print(s.get("topic")); // rust"#,
            )
            .sync(|args| Ok(args.this::<State>()?.get(args.str(0)?))),
    )
    .method(
        Function::new("keys")
            .doc("Lists the keys.")
            .returns(Type::list(Type::Str), "The keys, in sorted order.")
            .example(
                r#"local s = state.create({ b = 1, a = 2 })
print(s:keys())  -- ["a","b"]"#,
                r#"const s = state.create({ b: 1, a: 2 });
print(s.keys()); // ["a","b"]"#,
                r#"let s = state.create(#{ b: 1, a: 2 });
print(s.keys()); // ["a","b"]"#,
            )
            .sync(|args| {
                let state = args.this::<State>()?;
                Ok(Value::List(
                    state.values.keys().cloned().map(Value::Str).collect(),
                ))
            }),
    )
    .method(
        Function::new("to_map")
            .doc("Copies the entries into a plain map.")
            .returns(Type::Map, "The entries.")
            .example(
                r#"local s = state.create({ topic = "rust" })
local m = s:to_map()
print(m.topic)  -- rust"#,
                r#"const s = state.create({ topic: "rust" });
const m = s.to_map();
print(m.topic); // rust"#,
                r#"let s = state.create(#{ topic: "rust" });
let m = s.to_map();
print(m.topic); // rust"#,
            )
            .sync(|args| Ok(Value::Map(args.this::<State>()?.values.clone()))),
    )
    .method(
        Function::new("set")
            .doc("Makes a new State with one entry changed; the receiver is unchanged.")
            .param("key", Type::Str, "The key.")
            .param("value", Type::Any, "The new value; nil removes the key.")
            .returns(Type::Object("State"), "The new state.")
            .example(
                r#"local s1 = state.create({ n = 1 })
local s2 = s1:set("n", 2)
print(s1:get("n"), s2:get("n"))  -- 1 2"#,
                r#"const s1 = state.create({ n: 1 });
const s2 = s1.set("n", 2);
print(s1.get("n"), s2.get("n")); // 1 2"#,
                r#"let s1 = state.create(#{ n: 1 });
let s2 = s1.set("n", 2);
print(s1.get("n"), s2.get("n")); // 1 2"#,
            )
            .sync(|args| {
                let state = args.this::<State>()?;
                Ok(state.with(args.str(0)?, args.get(1).clone()).into_value())
            }),
    )
    .method(
        Function::new("merge")
            .doc(
                "Makes a new State with every entry of a map applied on top; the receiver is \
                 unchanged.",
            )
            .param(
                "values",
                Type::Map,
                "The entries to add or replace; nil values remove keys.",
            )
            .returns(Type::Object("State"), "The new state.")
            .example(
                r#"local s = state.create({ a = 1 }):merge({ b = 2 })
print(s:keys())  -- ["a","b"]"#,
                r#"const s = state.create({ a: 1 }).merge({ b: 2 });
print(s.keys()); // ["a","b"]"#,
                r#"let s = state.create(#{ a: 1 }).merge(#{ b: 2 });
print(s.keys()); // ["a","b"]"#,
            )
            .sync(|args| {
                let state = args.this::<State>()?;
                let changes = args.get(0).as_map().cloned().unwrap_or_default();
                Ok(state.merged(&changes).into_value())
            }),
    )
}

#[cfg(test)]
mod tests {
    use llmspell_bridge::{Callable, RustFunction, Value, map_of};

    use super::State;
    use crate::test_support::TestHost;

    fn state_map(value: &Value) -> Value {
        Value::Map(State::from_value(value).expect("a State").values().clone())
    }

    #[test]
    fn create_and_new_make_states() {
        let host = TestHost::new();
        let created = host
            .call(
                "state",
                "create",
                vec![map_of([("a", 1.into()), ("n", Value::Nil)])],
            )
            .unwrap();
        assert_eq!(created.type_name(), "State");
        assert_eq!(state_map(&created), map_of([("a", 1.into())]));
        let empty = host.call("state", "new", vec![]).unwrap();
        assert_eq!(state_map(&empty), map_of([]));
        assert!(host.registry.module("State").is_some());
        assert!(
            !host.context.state_store().is_open(),
            "State values never touch the database"
        );
    }

    #[test]
    fn methods_read_and_derive_without_changing_the_receiver() {
        let host = TestHost::new();
        let s1 = host
            .call(
                "state",
                "create",
                vec![map_of([("b", 1.into()), ("a", 2.into())])],
            )
            .unwrap();
        assert_eq!(
            host.method(&s1, "get", vec!["a".into()]).unwrap(),
            Value::Int(2)
        );
        assert_eq!(
            host.method(&s1, "get", vec!["zzz".into()]).unwrap(),
            Value::Nil
        );
        assert_eq!(
            host.method(&s1, "keys", vec![]).unwrap(),
            Value::List(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            host.method(&s1, "to_map", vec![]).unwrap(),
            map_of([("a", 2.into()), ("b", 1.into())])
        );

        let s2 = host.method(&s1, "set", vec!["a".into(), 3.into()]).unwrap();
        assert_eq!(state_map(&s2), map_of([("a", 3.into()), ("b", 1.into())]));
        let s3 = host
            .method(&s2, "set", vec!["b".into(), Value::Nil])
            .unwrap();
        assert_eq!(state_map(&s3), map_of([("a", 3.into())]));
        let s4 = host
            .method(
                &s1,
                "merge",
                vec![map_of([("c", "x".into()), ("a", Value::Nil)])],
            )
            .unwrap();
        assert_eq!(state_map(&s4), map_of([("b", 1.into()), ("c", "x".into())]));
        // The receivers never change.
        assert_eq!(state_map(&s1), map_of([("a", 2.into()), ("b", 1.into())]));
        assert_eq!(state_map(&s2), map_of([("a", 3.into()), ("b", 1.into())]));
    }

    #[test]
    fn a_state_encodes_and_prints_as_its_map() {
        let host = TestHost::new();
        let state = host
            .call("state", "create", vec![map_of([("k", "v".into())])])
            .unwrap();
        assert_eq!(
            host.call("json", "encode", vec![state.clone()]).unwrap(),
            Value::from(r#"{"k":"v"}"#)
        );
        host.call("print", "print", vec![state]).unwrap();
        assert_eq!(host.output.stdout_text(), "<State {\"k\":\"v\"}>\n");
    }

    #[test]
    fn save_load_delete_list_persist_across_contexts() {
        let host = TestHost::new();
        assert!(
            !host.workspace().join(".llmspell").exists(),
            "the store opens on first use"
        );
        assert_eq!(
            host.call("state", "load", vec!["missing".into()]).unwrap(),
            Value::Nil
        );
        assert!(host.workspace().join(".llmspell/state.db").exists());

        let state = host
            .call("state", "create", vec![map_of([("topic", "rust".into())])])
            .unwrap();
        host.call("state", "save", vec!["run/1".into(), state])
            .unwrap();
        host.call("state", "save", vec!["run/2".into(), Value::Float(2.5)])
            .unwrap();
        host.call(
            "state",
            "save",
            vec!["other".into(), Value::List(vec![1.into(), Value::Nil])],
        )
        .unwrap();

        // A second spell of the same workspace sees the same store.
        let other = host.another_spell();
        assert_eq!(
            other.call("state", "load", vec!["run/1".into()]).unwrap(),
            map_of([("topic", "rust".into())])
        );
        assert_eq!(
            other.call("state", "load", vec!["run/2".into()]).unwrap(),
            Value::Float(2.5)
        );
        assert_eq!(
            other.call("state", "load", vec!["other".into()]).unwrap(),
            Value::List(vec![1.into(), Value::Nil])
        );
        assert_eq!(
            other.call("state", "list", vec![]).unwrap(),
            Value::List(vec!["other".into(), "run/1".into(), "run/2".into()])
        );
        assert_eq!(
            other.call("state", "list", vec!["run/".into()]).unwrap(),
            Value::List(vec!["run/1".into(), "run/2".into()])
        );
        assert_eq!(
            other.call("state", "delete", vec!["run/2".into()]).unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            other.call("state", "delete", vec!["run/2".into()]).unwrap(),
            Value::Bool(false)
        );
        host.call("state", "save", vec!["other".into(), Value::Nil])
            .unwrap();
        assert_eq!(
            host.call("state", "list", vec![]).unwrap(),
            Value::List(vec!["run/1".into()])
        );
    }

    #[test]
    fn concurrent_spells_save_through_their_own_contexts() {
        let host = TestHost::new();
        let threads: Vec<_> = (0..6)
            .map(|writer| {
                let spell = host.another_spell();
                std::thread::spawn(move || {
                    for index in 0..25 {
                        let key = format!("t{writer}/{index:02}");
                        spell
                            .call("state", "save", vec![key.into(), Value::Int(index)])
                            .unwrap();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let keys = host.call("state", "list", vec!["t".into()]).unwrap();
        assert_eq!(keys.as_list().unwrap().len(), 6 * 25);
        assert_eq!(
            host.call("state", "load", vec!["t5/24".into()]).unwrap(),
            Value::Int(24)
        );
    }

    #[test]
    fn functions_cannot_be_saved() {
        let host = TestHost::new();
        let function = Value::Callable(Callable::new(RustFunction(|_| Ok(Value::Nil))));
        let error = host
            .call("state", "save", vec!["k".into(), function])
            .unwrap_err();
        assert_eq!(error.code, "invalid_argument");
        assert_eq!(
            error.message,
            "state.save: cannot encode a function as JSON"
        );
    }

    #[test]
    fn an_unusable_store_is_a_state_error() {
        let host = TestHost::new();
        std::fs::write(host.workspace().join(".llmspell"), "not a folder").unwrap();
        let error = host
            .call("state", "save", vec!["k".into(), 1.into()])
            .unwrap_err();
        assert_eq!(error.code, "state");
        assert!(
            error
                .message
                .starts_with("state.save: cannot create the state folder"),
            "{error}"
        );
    }

    #[test]
    fn arguments_are_validated() {
        let host = TestHost::new();
        let s = host.call("state", "create", vec![]).unwrap();
        let cases: Vec<(Result<Value, llmspell_bridge::HostError>, &str)> = vec![
            (
                host.call("state", "create", vec!["x".into()]),
                "state.create: parameter 'values' expects map, got str \"x\"",
            ),
            (
                host.call("state", "save", vec![Value::Int(1), Value::Int(2)]),
                "state.save: parameter 'key' expects str, got int 1",
            ),
            (
                host.call("state", "save", vec!["k".into()]),
                "state.save: expected 2 arguments, got 1",
            ),
            (
                host.call("state", "load", vec![]),
                "state.load: expected 1 argument, got 0",
            ),
            (
                host.call("state", "delete", vec![Value::Bool(true)]),
                "state.delete: parameter 'key' expects str, got bool true",
            ),
            (
                host.call("state", "list", vec![Value::Int(3)]),
                "state.list: parameter 'prefix' expects str, got int 3",
            ),
            (
                host.method(&s, "get", vec![Value::Int(1)]),
                "State.get: parameter 'key' expects str, got int 1",
            ),
            (
                host.method(&s, "set", vec!["k".into()]),
                "State.set: expected 2 arguments, got 1",
            ),
            (
                host.method(&s, "merge", vec![Value::List(vec![])]),
                "State.merge: parameter 'values' expects map, got list",
            ),
            (
                host.method(&s, "keys", vec![Value::Int(1)]),
                "State.keys: expected 0 arguments, got 1",
            ),
        ];
        for (result, message) in cases {
            let error = result.unwrap_err();
            assert_eq!(error.code, "invalid_argument");
            assert_eq!(error.message, message);
        }
        // A method called on something that is not a State.
        let error = host
            .method(&Value::Int(1), "get", vec!["k".into()])
            .unwrap_err();
        assert_eq!(error.message, "State.get: called without its object");
    }
}
