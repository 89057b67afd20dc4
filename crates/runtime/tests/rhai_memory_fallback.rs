//! Rhai without the counting allocator (a library user with an allocator of its own): spells
//! still run, and a single value over the memory limit still ends the spell; many small
//! values are not counted.
//!
//! No `mod common`: it installs the counting allocator, which this file must not have.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use llmspell_bridge::{Function, Module, Registry, Type, Value};
use llmspell_runtime::{EngineKind, Limits, RunOptions, Spell, SpellError};

fn run(code: &str, memory: usize) -> (String, Result<Value, SpellError>) {
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
    let limits = Limits { memory: Some(memory), timeout: Some(Duration::from_secs(20)), max_instructions: None };
    let spell = Spell::from_source("test.rhai", code, EngineKind::Rhai);
    let result = llmspell_runtime::run(spell, Arc::new(registry), RunOptions { limits, ..RunOptions::default() });
    let printed = output.lock().unwrap().clone();
    (printed, result)
}

#[test]
fn the_allocator_is_not_installed_here() {
    assert!(!llmspell_runtime::alloc::is_installed());
    assert_eq!(llmspell_runtime::alloc::thread_balance(), 0);
}

#[test]
fn many_small_values_are_not_counted() {
    let (printed, result) = run("let xs = []; for i in 0..300000 { xs.push(i); } print(xs.len())", 1 << 20);
    assert_eq!((printed.as_str(), result.is_ok()), ("300000\n", true));
}

#[test]
fn one_value_over_the_limit_ends_the_spell() {
    for bomb in ["let b = blob(1000000000000);", "let s = \"x\"; s.pad(100000000, 'x');"] {
        let code = format!("try {{ {bomb} }} catch (e) {{ print(\"caught\") }}");
        let (printed, result) = run(&code, 16 << 20);
        assert_eq!(printed, "", "{bomb}");
        assert_eq!(result.unwrap_err().code, "memory_limit", "{bomb}");
    }
    let (printed, result) = run("let b = blob(1000000); print(b.len())", 16 << 20);
    assert_eq!((printed.as_str(), result.is_ok()), ("1000000\n", true));
}
