//! Rhai's memory count stays exact across threads: what an I/O-bound host call takes to an
//! I/O worker (its arguments, its future) or brings back (its result, a callback's arguments)
//! is freed on another thread than the one that allocated it, and must neither pile up as
//! phantom use nor cancel real use.
//!
//! A registry of its own (no `mod common`), with the counting allocator installed here.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use llmspell_bridge::{Function, Module, Registry, Type, Value};
use llmspell_runtime::{EngineKind, Limits, RunOptions, Spell, SpellError};

#[global_allocator]
static ALLOCATOR: llmspell_runtime::alloc::SpellAllocator = llmspell_runtime::alloc::SpellAllocator;

fn registry() -> (Registry, Arc<Mutex<String>>) {
    let output = Arc::new(Mutex::new(String::new()));
    let sink = output.clone();
    let mut registry = Registry::new();
    registry.add_module(
        Module::globals("print", "Global functions.").function(
            Function::new("print").doc("Prints.").variadic("values", Type::Any, "what to print").sync(move |args| {
                let line: Vec<String> = args.values.iter().map(Value::to_display).collect();
                let mut out = sink.lock().unwrap();
                out.push_str(&line.join(" "));
                out.push('\n');
                Ok(Value::Nil)
            }),
        ),
    );
    registry.add_module(
        Module::new("io", "I/O-bound functions that move memory between threads.")
            .function(
                Function::new("discard")
                    .doc("Drops its argument (a string) on an I/O worker and returns its length.")
                    .param("value", Type::Str, "")
                    .io(|mut args| {
                        let value = args.take(0);
                        Box::pin(async move {
                            let length = value.as_str().map_or(0, str::len);
                            drop(value);
                            Ok(Value::Int(length as i64))
                        })
                    }),
            )
            .function(
                Function::new("make")
                    .doc("Returns a string of `n` bytes made on an I/O worker.")
                    .param("n", Type::Int, "")
                    .io(|args| {
                        let n = args.int(0).unwrap_or(0) as usize;
                        Box::pin(async move { Ok(Value::Str("y".repeat(n))) })
                    }),
            )
            .function(
                Function::new("call")
                    .doc("Calls `f` from a worker with a string of `n` bytes made there; drops its result there.")
                    .param("f", Type::Fn, "")
                    .param("n", Type::Int, "")
                    .io(|mut args| {
                        let function = args.take(0).as_callable().cloned().unwrap();
                        let n = args.int(1).unwrap_or(0) as usize;
                        Box::pin(async move {
                            tokio::task::spawn_blocking(move || function.call(vec![Value::Str("z".repeat(n))]))
                                .await
                                .map_err(|error| llmspell_bridge::HostError::internal(error.to_string()))??;
                            Ok(Value::Nil)
                        })
                    }),
            ),
    );
    (registry, output)
}

fn run(code: &str) -> (String, Result<Value, SpellError>) {
    let (registry, output) = registry();
    let limits = Limits { memory: Some(8 << 20), timeout: Some(Duration::from_secs(60)), max_instructions: None };
    let spell = Spell::from_source("test.rhai", code, EngineKind::Rhai);
    let result = llmspell_runtime::run(spell, Arc::new(registry), RunOptions { limits, ..RunOptions::default() });
    let printed = output.lock().unwrap().clone();
    (printed, result)
}

#[test]
fn arguments_freed_on_a_worker_are_not_phantom_use() {
    // 1,000 calls each hand 100 kB to a worker: 100 MB that would never be seen freed.
    let (printed, result) =
        run("let big = \"x\"; big.pad(100000, 'x'); let n = 0; for i in 0..1000 { n += io.discard(big); } print(n)");
    assert_eq!((printed.as_str(), result.map_err(|error| error.to_string())), ("100000000\n", Ok(Value::Nil)));
}

#[test]
fn results_made_on_a_worker_do_not_hide_real_use() {
    // 1,000 results of 100 kB each, made on a worker and freed here: a count that went down by
    // 100 MB would let the 12 MB blob through.
    let (printed, result) = run(
        "for i in 0..1000 { let s = io.make(100000); }\nprint(\"made\");\nlet keep = blob(6000000); let more = blob(6000000); print(\"kept\")",
    );
    assert_eq!(printed, "made\n");
    assert_eq!(result.unwrap_err().code, "memory_limit");
}

#[test]
fn callbacks_from_a_worker_count_only_what_the_spell_keeps() {
    // Arguments made on a worker and freed here must not lower the count...
    let (printed, result) = run(
        "let seen = 0; for i in 0..300 { io.call(|s| { seen += s.len(); }, 100000); }\nprint(seen);\nlet keep = blob(6000000); let more = blob(6000000); print(\"kept\")",
    );
    assert_eq!(printed, "30000000\n");
    assert_eq!(result.unwrap_err().code, "memory_limit");
    // ... and results made here and freed on the worker must not raise it.
    let (printed, result) = run(
        "let big = \"x\"; big.pad(100000, 'x'); for i in 0..300 { io.call(|s| big, 1); }\nprint(\"done\")",
    );
    assert_eq!((printed.as_str(), result.map_err(|error| error.to_string())), ("done\n", Ok(Value::Nil)));
}
