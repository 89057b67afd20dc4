//! Lua engine: the figures the report quotes, printed (run with `--nocapture`, ideally
//! `--release`). Only correctness is asserted: timings on a shared machine are not test material.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::test_registry;
use llmspell_bridge::Value;
use llmspell_runtime::EngineKind::Lua;
use llmspell_runtime::{Limits, Resume, RunOptions, Spell, debug_channel};

fn timed(code: &str, options: RunOptions) -> (Duration, Value) {
    let (registry, _) = test_registry();
    let registry = Arc::new(registry);
    let spell = Spell::from_source("test.lua", code, Lua);
    let started = Instant::now();
    let value = llmspell_runtime::run(spell, registry, options).unwrap();
    (started.elapsed(), value)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[test]
fn start_up_and_host_call_cost() {
    // One-line spell, `run` start to end (thread, engine, sandbox, bindings, chunk, teardown).
    timed("print('warm up')", RunOptions::default());
    let runs: Vec<Duration> = (0..50)
        .map(|_| timed("print('hello')", RunOptions::default()).0)
        .collect();
    let fastest = *runs.iter().min().unwrap();
    println!(
        "one-line spell: median {:?}, fastest {fastest:?} (50 runs)",
        median(runs)
    );

    // 100k host calls from Lua, against the same loop without them.
    let calls = "local s = 0 for i = 1, 100000 do s = test.add(s, 1) end return s";
    let plain = "local s = 0 for i = 1, 100000 do s = s + 1 end return s";
    let (with_calls, value) = timed(calls, RunOptions::default());
    assert_eq!(value, Value::Int(100_000));
    let (without, value) = timed(plain, RunOptions::default());
    assert_eq!(value, Value::Int(100_000));
    let per_call = with_calls.saturating_sub(without) / 100_000;
    println!("100k test.add: {with_calls:?} (loop alone {without:?}), {per_call:?} per call");

    // The cost of the count hook and of an attached debugger on a busy loop.
    let busy = "local n = 0 for i = 1, 3000000 do n = n + i end return n";
    let expected = Value::Int(4_500_001_500_000);
    let no_limits = RunOptions {
        limits: Limits {
            timeout: None,
            memory: None,
            max_instructions: None,
        },
        ..RunOptions::default()
    };
    let (plain_loop, value) = timed(busy, no_limits);
    assert_eq!(value, expected);
    let (hook, _controller) = debug_channel(Resume::Continue);
    let (debugged, value) = timed(
        busy,
        RunOptions {
            debug: Some(hook),
            ..RunOptions::default()
        },
    );
    assert_eq!(value, expected);
    println!(
        "3M-iteration loop: {plain_loop:?}; with a debugger attached (no breakpoint): {debugged:?}"
    );
}
