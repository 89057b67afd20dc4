//! Rhai: start-up and host-call cost. Prints the figures (`--nocapture`); the bounds are
//! loose so a busy machine does not fail them.

mod common;

use std::time::{Duration, Instant};

use llmspell_runtime::EngineKind;

/// The median wall time of `runs` runs of `code`.
fn median(code: &str, runs: usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            let (_, result) = common::run(EngineKind::Rhai, code);
            result.expect("the spell runs");
            started.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

#[test]
fn a_one_line_spell_runs_in_a_few_milliseconds() {
    median("print(1)", 3); // warm up the shared binding and the standard package
    let one_line = median(r#"print("hello")"#, 31);
    println!("rhai one-line spell: {one_line:?} (median of 31, spell thread included)");
    assert!(one_line < Duration::from_millis(50), "{one_line:?}");
}

#[test]
fn host_calls_cost_microseconds() {
    median("print(1)", 1);
    let calls = median("let s = 0; for i in 0..100000 { s = test.add(s, 1); } s", 3);
    let baseline = median("let s = 0; for i in 0..100000 { s = s + 1; } s", 3);
    let per_call = calls.saturating_sub(baseline) / 100_000;
    println!("rhai 100k test.add: {calls:?} (loop alone {baseline:?}, {per_call:?} per call)");
    assert!(calls < Duration::from_secs(20), "{calls:?}");
}
