//! The debug seam is engine-neutral: the same small spell, stepped line by line from a
//! controller on another thread, yields the same lines, depths and locals in Lua, JavaScript
//! and Rhai.
//!
//! Two differences are the languages', not the seam's, and are the only ones normalised:
//! a Lua `local function` is a value created at run time (a stop on its `end` line and a local
//! holding it), while a Rhai `fn` and a JavaScript `function` declaration are hoisted and
//! never run as statements.

mod common;

use std::sync::Arc;

use llmspell_runtime::{EngineKind, Resume, RunOptions, Spell, debug_channel};

const LUA: &str = "local function add(a, b)
  local sum = a + b
  return sum
end
local x = 1
local y = add(x, 2)
print(y)
";

const RHAI: &str = "fn add(a, b) {
  let sum = a + b;
  return sum;
}
let x = 1;
let y = add(x, 2);
print(y);
";

const JS: &str = "function add(a, b) {
  let sum = a + b;
  return sum;
}
let x = 1;
let y = add(x, 2);
print(y);
";

/// `(line, depth, innermost locals as "name=value")`, plus the frame names at each stop.
type Stop = (u32, usize, Vec<String>, Vec<String>);

/// Runs `code` under `debug_channel`, stepping in at every stop, from this (controller) thread.
fn step_through(engine: EngineKind, file: &str, code: &str) -> (Vec<Stop>, String) {
    let (hook, controller) = debug_channel(Resume::StepIn);
    let (registry, output) = common::test_registry();
    let spell = Spell::from_source(file, code, engine);
    let options = RunOptions { debug: Some(hook), ..RunOptions::default() };
    let spell_thread = std::thread::spawn(move || llmspell_runtime::run(spell, Arc::new(registry), options));
    let mut stops = Vec::new();
    while let Some(stopped) = controller.next_stop() {
        assert_eq!(stopped.event.file, file, "line events name the spell's file");
        assert_ne!(
            std::thread::current().id(),
            spell_thread.thread().id(),
            "the controller runs on its own thread"
        );
        let locals = stopped.frames[0]
            .locals
            .iter()
            .map(|(name, value)| format!("{name}={}", value.to_display()))
            .collect();
        let frames = stopped.frames.iter().map(|frame| format!("{}:{}", frame.name, frame.line)).collect();
        stops.push((stopped.event.line, stopped.event.depth, locals, frames));
        controller.resume(Resume::StepIn);
    }
    spell_thread.join().unwrap().expect("the spell runs to its end");
    let printed = output.lock().unwrap().clone();
    (stops, printed)
}

fn stop(line: u32, depth: usize, locals: &[&str], frames: &[&str]) -> Stop {
    let owned = |items: &[&str]| items.iter().map(|item| item.to_string()).collect();
    (line, depth, owned(locals), owned(frames))
}

/// Drops what only a Lua `local function` produces: its closure-creation stop and the local
/// holding the function.
fn without_function_values(stops: &[Stop]) -> Vec<Stop> {
    stops
        .iter()
        .filter(|(line, ..)| *line != 4)
        .map(|(line, depth, locals, frames)| {
            let locals = locals.iter().filter(|local| !local.contains("<function")).cloned().collect();
            (*line, *depth, locals, frames.clone())
        })
        .collect()
}

#[test]
fn lua_steps_through_every_line_with_depth_frames_and_locals() {
    let (stops, printed) = step_through(EngineKind::Lua, "seam.lua", LUA);
    assert_eq!(printed, "3\n");
    assert_eq!(
        without_function_values(&stops),
        vec![
            stop(5, 1, &[], &["<main>:5"]),
            stop(6, 1, &["x=1"], &["<main>:6"]),
            stop(2, 2, &["a=1", "b=2"], &["add:2", "<main>:6"]),
            stop(3, 2, &["a=1", "b=2", "sum=3"], &["add:3", "<main>:6"]),
            stop(7, 1, &["x=1", "y=3"], &["<main>:7"]),
        ]
    );
    assert_eq!(stops[0].0, 4, "Lua creates the local function's closure on its `end` line");
}

#[test]
fn rhai_steps_through_every_line_with_depth_frames_and_locals() {
    let (stops, printed) = step_through(EngineKind::Rhai, "seam.rhai", RHAI);
    assert_eq!(printed, "3\n");
    assert_eq!(
        stops,
        vec![
            stop(5, 1, &[], &["<main>:5"]),
            stop(6, 1, &["x=1"], &["<main>:6"]),
            stop(2, 2, &["a=1", "b=2"], &["add:2", "<main>:6"]),
            stop(3, 2, &["a=1", "b=2", "sum=3"], &["add:3", "<main>:6"]),
            stop(7, 1, &["x=1", "y=3"], &["<main>:7"]),
        ]
    );
}

#[test]
fn javascript_steps_through_every_line_with_depth_frames_and_locals() {
    let (stops, printed) = step_through(EngineKind::Js, "seam.js", JS);
    assert_eq!(printed, "3\n");
    assert_eq!(
        stops,
        vec![
            stop(5, 1, &[], &["<main>:5"]),
            stop(6, 1, &["x=1"], &["<main>:6"]),
            stop(2, 2, &["a=1", "b=2"], &["add:2", "<main>:6"]),
            stop(3, 2, &["a=1", "b=2", "sum=3"], &["add:3", "<main>:6"]),
            stop(7, 1, &["x=1", "y=3"], &["<main>:7"]),
        ]
    );
}

#[test]
fn lua_javascript_and_rhai_agree_line_for_line() {
    let (lua, _) = step_through(EngineKind::Lua, "seam.lua", LUA);
    let (js, _) = step_through(EngineKind::Js, "seam.js", JS);
    let (rhai, _) = step_through(EngineKind::Rhai, "seam.rhai", RHAI);
    assert_eq!(without_function_values(&lua), rhai);
    assert_eq!(js, rhai);
}

#[test]
fn stop_ends_the_spell_with_terminated_in_every_engine() {
    for (engine, file, code) in
        [(EngineKind::Lua, "t.lua", LUA), (EngineKind::Js, "t.js", JS), (EngineKind::Rhai, "t.rhai", RHAI)]
    {
        let (hook, controller) = debug_channel(Resume::StepIn);
        let (registry, output) = common::test_registry();
        let spell = Spell::from_source(file, code, engine);
        let options = RunOptions { debug: Some(hook), ..RunOptions::default() };
        let runner = std::thread::spawn(move || llmspell_runtime::run(spell, Arc::new(registry), options));
        let first = controller.next_stop().expect("a first stop");
        controller.resume(Resume::Stop);
        let error = runner.join().unwrap().unwrap_err();
        assert_eq!(error.code, "terminated", "{engine}: {error}");
        assert!(first.event.line > 0);
        assert_eq!(output.lock().unwrap().as_str(), "", "{engine} ran on after Stop");
    }
}

#[test]
fn without_a_debugger_the_same_spells_just_run() {
    for (engine, code) in [(EngineKind::Lua, LUA), (EngineKind::Js, JS), (EngineKind::Rhai, RHAI)] {
        let (printed, result) = common::run(engine, code);
        assert_eq!(printed, "3\n");
        assert!(result.is_ok(), "{engine}: {result:?}");
    }
}

#[test]
fn a_while_loop_stops_on_its_head_at_each_test_alike_in_every_engine() {
    let lua = "local total = 0\nlocal i = 0\nwhile i < 2 do\n  total = total + i\n  i = i + 1\nend\nprint(total)\n";
    let js = "let total = 0;\nlet i = 0;\nwhile (i < 2) {\n  total += i;\n  i += 1;\n}\nprint(total);\n";
    let rhai = "let total = 0;\nlet i = 0;\nwhile i < 2 {\n  total += i;\n  i += 1;\n}\nprint(total);\n";
    let expected = vec![
        stop(1, 1, &[], &["<main>:1"]),
        stop(2, 1, &["total=0"], &["<main>:2"]),
        stop(3, 1, &["total=0", "i=0"], &["<main>:3"]),
        stop(4, 1, &["total=0", "i=0"], &["<main>:4"]),
        stop(5, 1, &["total=0", "i=0"], &["<main>:5"]),
        stop(3, 1, &["total=0", "i=1"], &["<main>:3"]),
        stop(4, 1, &["total=0", "i=1"], &["<main>:4"]),
        stop(5, 1, &["total=1", "i=1"], &["<main>:5"]),
        stop(3, 1, &["total=1", "i=2"], &["<main>:3"]),
        stop(7, 1, &["total=1", "i=2"], &["<main>:7"]),
    ];
    for (engine, file, code) in
        [(EngineKind::Lua, "loop.lua", lua), (EngineKind::Js, "loop.js", js), (EngineKind::Rhai, "loop.rhai", rhai)]
    {
        let (stops, printed) = step_through(engine, file, code);
        assert_eq!(printed, "1\n", "{engine}");
        assert_eq!(stops, expected, "{engine}");
    }
}
