//! Test support shared by the engine tests: a small host API that exercises every binding
//! feature (modules, globals, values, aliases, objects with methods and fields, callbacks,
//! I/O-bound functions, errors), and a helper that runs a snippet and captures `print`.
//!
//! The real host modules live in llmspell-host; these exist so the runtime is tested without it.

#![allow(dead_code, reason = "each test file uses a different part of the support code")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use llmspell_bridge::{
    Function, HostError, HostObject, Map, Module, Object, ObjectType, Registry, Type, Value, map_of,
};
use llmspell_runtime::{EngineKind, Limits, RunOptions, Spell, SpellError};

/// The counting allocator, as the `llmspell` binary installs it: the Rhai engine reads the
/// spell thread's allocations from it to enforce the memory limit.
#[global_allocator]
static ALLOCATOR: llmspell_runtime::alloc::SpellAllocator = llmspell_runtime::alloc::SpellAllocator;

/// A host object with a counter, a field and methods.
pub struct Counter {
    pub name: String,
    pub count: Mutex<i64>,
}

impl HostObject for Counter {
    fn type_name(&self) -> &'static str {
        "Counter"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "name" => Some(Value::Str(self.name.clone())),
            _ => None,
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The test registry and the buffer its `print` writes to.
pub fn test_registry() -> (Registry, Arc<Mutex<String>>) {
    let output = Arc::new(Mutex::new(String::new()));
    let mut registry = Registry::new();

    let sink = output.clone();
    registry.add_module(
        Module::globals("print", "Global functions.").function(
            Function::new("print")
                .doc("Writes its arguments separated by spaces, then a newline.")
                .variadic("values", Type::Any, "what to print")
                .sync(move |args| {
                    let line: Vec<String> = args.values.iter().map(Value::to_display).collect();
                    let mut out = sink.lock().unwrap();
                    out.push_str(&line.join(" "));
                    out.push('\n');
                    Ok(Value::Nil)
                }),
        ),
    );

    registry.add_module(
        Module::new("test", "Functions for engine tests.")
            .alias("Test")
            .function(
                Function::new("echo")
                    .doc("Returns its argument unchanged.")
                    .param("value", Type::Any, "any value")
                    .returns(Type::Any, "")
                    .sync(|mut args| Ok(args.take(0))),
            )
            .function(
                Function::new("add")
                    .doc("Adds two integers.")
                    .param("a", Type::Int, "")
                    .param("b", Type::Int, "")
                    .returns(Type::Int, "")
                    .sync(|args| Ok(Value::Int(args.int(0)? + args.int(1)?))),
            )
            .function(
                Function::new("fail")
                    .doc("Raises a host error with the given code and message.")
                    .param("code", Type::Str, "")
                    .param("message", Type::Str, "")
                    .sync(|args| Err(HostError::new(args.str(0)?, args.str(1)?))),
            )
            .function(
                Function::new("sleep")
                    .doc("Waits `ms` milliseconds on the I/O runtime, then returns `ms`.")
                    .param("ms", Type::Int, "")
                    .returns(Type::Int, "")
                    .io(|args| {
                        let ms = args.int(0).unwrap_or(0);
                        Box::pin(async move {
                            tokio::time::sleep(Duration::from_millis(ms as u64)).await;
                            Ok(Value::Int(ms))
                        })
                    }),
            )
            .function(
                Function::new("call")
                    .doc("Calls `f` with the remaining arguments and returns its result.")
                    .param("f", Type::Fn, "")
                    .variadic("args", Type::Any, "")
                    .returns(Type::Any, "")
                    .sync(|mut args| {
                        let function = args.take(0);
                        let rest = args.values.split_off(1);
                        function.as_callable().unwrap().call(rest)
                    }),
            )
            .function(
                Function::new("call_later")
                    .doc("I/O-bound: calls `f(x)` from a tokio worker after `ms` and returns its result.")
                    .param("f", Type::Fn, "")
                    .param("x", Type::Any, "")
                    .optional("ms", Type::Int, Some(Value::Int(10)), "")
                    .returns(Type::Any, "")
                    .io(|mut args| {
                        let function = args.take(0).as_callable().cloned().unwrap();
                        let value = args.take(1);
                        let ms = args.int(2).unwrap_or(10) as u64;
                        Box::pin(async move {
                            tokio::time::sleep(Duration::from_millis(ms)).await;
                            tokio::task::spawn_blocking(move || function.call(vec![value]))
                                .await
                                .map_err(|error| HostError::internal(error.to_string()))?
                        })
                    }),
            )
            .function(
                Function::new("counter")
                    .alias("new")
                    .doc("Creates a Counter.")
                    .param("name", Type::Str, "")
                    .optional("start", Type::Int, Some(Value::Int(0)), "")
                    .returns(Type::Object("Counter"), "")
                    .sync(|args| {
                        Ok(Value::Object(Object::new(Counter {
                            name: args.str(0)?.to_owned(),
                            count: Mutex::new(args.int(1)?),
                        })))
                    }),
            )
            .function(
                Function::new("same")
                    .doc("Whether two values are the same host object.")
                    .param("a", Type::Any, "")
                    .param("b", Type::Any, "")
                    .returns(Type::Bool, "")
                    .sync(|args| Ok(Value::Bool(args.get(0) == args.get(1)))),
            ),
    );

    registry.add_type(
        ObjectType::new("Counter", "A counter.")
            .field("name", Type::Str, "its name")
            .method(
                Function::new("incr")
                    .doc("Adds `by` (default 1) and returns the new count.")
                    .optional("by", Type::Int, Some(Value::Int(1)), "")
                    .returns(Type::Int, "")
                    .sync(|args| {
                        let counter = args.this::<Counter>()?;
                        let mut count = counter.count.lock().unwrap();
                        *count += args.int(0)?;
                        Ok(Value::Int(*count))
                    }),
            )
            .method(
                Function::new("get")
                    .doc("The current count.")
                    .returns(Type::Int, "")
                    .sync(|args| Ok(Value::Int(*args.this::<Counter>()?.count.lock().unwrap()))),
            ),
    );

    let mut params = Map::new();
    params.insert("topic".into(), Value::Str("rust".into()));
    registry.add_module(
        Module::value("params", "The spell's parameters.", Value::Map(params)),
    );
    registry.add_module(Module::value(
        "spell",
        "This spell.",
        map_of([("name", Value::Str("t".into())), ("engine", Value::Str("?".into()))]),
    ));
    (registry, output)
}

/// The file extension of an engine.
pub fn extension(engine: EngineKind) -> &'static str {
    match engine {
        EngineKind::Lua => "lua",
        EngineKind::Js => "js",
        EngineKind::Rhai => "rhai",
    }
}

/// Runs `code` in `engine` with the test registry; returns what it printed and its result.
pub fn run_with(
    engine: EngineKind,
    code: &str,
    limits: Limits,
) -> (String, Result<Value, SpellError>) {
    let (registry, output) = test_registry();
    let spell = Spell::from_source(format!("test.{}", extension(engine)), code, engine);
    let result = llmspell_runtime::run(
        spell,
        Arc::new(registry),
        RunOptions { limits, ..RunOptions::default() },
    );
    let printed = output.lock().unwrap().clone();
    (printed, result)
}

/// Runs `code` with default limits.
pub fn run(engine: EngineKind, code: &str) -> (String, Result<Value, SpellError>) {
    run_with(engine, code, Limits::default())
}

/// Runs `code`, fails the test on a spell error, and returns what it printed.
pub fn output(engine: EngineKind, code: &str) -> String {
    let (printed, result) = run(engine, code);
    if let Err(error) = result {
        panic!("spell failed: {error}\nprinted so far:\n{printed}");
    }
    printed
}
