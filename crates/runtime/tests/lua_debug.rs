//! Lua engine: the debug seam. Line events with depth, frames and locals at each stop,
//! stepping, breakpoints and stopping, driven by a controller on another thread.

mod common;

use std::sync::Arc;
use std::thread::JoinHandle;

use common::test_registry;
use llmspell_bridge::Value;
use llmspell_runtime::EngineKind::Lua;
use llmspell_runtime::{
    DebugController, Resume, RunOptions, Spell, SpellError, Stopped, debug_channel,
};

/// The spell the Rhai engine is held to as well.
const ADD: &str = "local function add(a, b)
  local sum = a + b
  return sum
end
local x = 1
local y = add(x, 2)
print(y)
";

fn start(code: &str, initial: Resume) -> (DebugController, JoinHandle<Result<Value, SpellError>>) {
    start_with_breakpoints(code, initial, &[])
}

/// Like [`start`], with line breakpoints set before the spell starts (so it cannot finish first).
fn start_with_breakpoints(
    code: &str,
    initial: Resume,
    breakpoints: &[u32],
) -> (DebugController, JoinHandle<Result<Value, SpellError>>) {
    let (hook, controller) = debug_channel(initial);
    controller.set_breakpoints("test.lua", breakpoints);
    let (registry, _) = test_registry();
    let spell = Spell::from_source("test.lua", code, Lua);
    let options = RunOptions {
        debug: Some(hook),
        ..RunOptions::default()
    };
    let runner =
        std::thread::spawn(move || llmspell_runtime::run(spell, Arc::new(registry), options));
    (controller, runner)
}

/// `(line, depth, "name=value" locals of the innermost frame)`.
type Step = (u32, usize, Vec<String>);

fn step(stop: &Stopped) -> Step {
    assert_eq!(stop.event.file, "test.lua");
    let locals = stop
        .frames
        .first()
        .map(|frame| frame.locals.as_slice())
        .unwrap_or_default();
    let locals = locals
        .iter()
        .map(|(name, value)| format!("{name}={}", value.to_display()))
        .collect();
    (stop.event.line, stop.event.depth, locals)
}

/// Runs `code`, answering every stop with `answer`, and records the stops.
fn record(code: &str, initial: Resume, answer: Resume) -> (Vec<Step>, Result<Value, SpellError>) {
    let (controller, runner) = start(code, initial);
    let mut steps = Vec::new();
    while let Some(stop) = controller.next_stop() {
        steps.push(step(&stop));
        controller.resume(answer);
    }
    (steps, runner.join().unwrap())
}

fn s(line: u32, depth: usize, locals: &[&str]) -> Step {
    (
        line,
        depth,
        locals.iter().map(|local| local.to_string()).collect(),
    )
}

#[test]
fn stepping_in_records_every_line_with_depth_and_locals() {
    let (steps, result) = record(ADD, Resume::StepIn, Resume::StepIn);
    assert!(result.is_ok());
    // Lua creates the closure of `local function add` on the line of its `end`: the first event
    // is line 4, not 1. The return to line 6 after `add` is not a new line event.
    assert_eq!(
        steps,
        vec![
            s(4, 1, &[]),
            s(5, 1, &["add=<function add>"]),
            s(6, 1, &["add=<function add>", "x=1"]),
            s(2, 2, &["a=1", "b=2"]),
            s(3, 2, &["a=1", "b=2", "sum=3"]),
            s(7, 1, &["add=<function add>", "x=1", "y=3"]),
        ]
    );
}

#[test]
fn frames_list_the_stack_innermost_first() {
    let (controller, runner) = start(ADD, Resume::StepIn);
    let mut seen = None;
    while let Some(stop) = controller.next_stop() {
        if stop.event.line == 3 {
            seen = Some(stop.frames.clone());
        }
        controller.resume(Resume::StepIn);
    }
    runner.join().unwrap().unwrap();
    let frames = seen.expect("stopped at line 3");
    let summary: Vec<(String, String, u32, usize)> = frames
        .iter()
        .map(|frame| {
            (
                frame.name.clone(),
                frame.file.clone(),
                frame.line,
                frame.locals.len(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("add".into(), "test.lua".into(), 3, 3),
            ("<main>".into(), "test.lua".into(), 6, 2)
        ]
    );
}

#[test]
fn step_over_and_step_out_follow_the_depth() {
    // Step over from the start: the body of `add` is skipped.
    let (steps, _) = record(ADD, Resume::StepIn, Resume::StepOver);
    let lines: Vec<(u32, usize)> = steps
        .iter()
        .map(|(line, depth, _)| (*line, *depth))
        .collect();
    assert_eq!(lines, vec![(4, 1), (5, 1), (6, 1), (7, 1)]);

    // Step out of `add` from its first line lands back in the main chunk.
    let (controller, runner) = start(ADD, Resume::StepIn);
    let mut lines = Vec::new();
    while let Some(stop) = controller.next_stop() {
        lines.push((stop.event.line, stop.event.depth));
        let answer = if stop.event.depth == 2 {
            Resume::StepOut
        } else {
            Resume::StepIn
        };
        controller.resume(answer);
    }
    runner.join().unwrap().unwrap();
    assert_eq!(lines, vec![(4, 1), (5, 1), (6, 1), (2, 2), (7, 1)]);
}

#[test]
fn breakpoints_stop_only_where_set() {
    let code = "local total = 0\nfor i = 1, 3 do\n  total = total + i\nend\nprint(total)\n";
    let (controller, runner) = start_with_breakpoints(code, Resume::Continue, &[3]);
    let mut steps = Vec::new();
    while let Some(stop) = controller.next_stop() {
        steps.push(step(&stop));
        controller.resume(Resume::Continue);
    }
    runner.join().unwrap().unwrap();
    assert_eq!(
        steps,
        vec![
            s(3, 1, &["total=0", "i=1"]),
            s(3, 1, &["total=1", "i=2"]),
            s(3, 1, &["total=3", "i=3"]),
        ]
    );
}

#[test]
fn stop_ends_the_spell_as_terminated() {
    let (controller, runner) = start(
        "local n = 0\nwhile true do\n  n = n + 1\nend\n",
        Resume::StepIn,
    );
    let first = controller.next_stop().expect("a first stop");
    assert_eq!(first.event.line, 1);
    controller.set_breakpoints("test.lua", &[3]);
    controller.resume(Resume::Continue);
    let again = controller.next_stop().expect("the breakpoint in the loop");
    assert_eq!(step(&again).2, vec!["n=0"]);
    controller.resume(Resume::Stop);
    assert!(controller.next_stop().is_none());
    let error = runner.join().unwrap().unwrap_err();
    assert_eq!((error.code.as_str(), error.line), ("terminated", Some(3)));
}

#[test]
fn locals_are_named_visible_values_in_declaration_order() {
    let code = "local t = { 1, \"two\", { k = true } }
local s = 'text'
do
  local hidden = 1
end
for index, value in ipairs(t) do
  local seen = value
end
local c = test.counter('c')
print(#t)
";
    let (steps, result) = record(code, Resume::StepIn, Resume::StepIn);
    assert!(result.is_ok());
    // Inside the generic `for`: only `index`, `value` and `seen`, never Lua's `(for state)` slots.
    assert!(steps.contains(&s(
        7,
        1,
        &[r#"t=[1,"two",{"k":true}]"#, "s=text", "index=1", "value=1"]
    )));
    assert!(steps.contains(&s(
        7,
        1,
        &[
            r#"t=[1,"two",{"k":true}]"#,
            "s=text",
            "index=3",
            r#"value={"k":true}"#
        ]
    )));
    // After the block, `hidden` is gone.
    assert_eq!(
        steps.last(),
        Some(&s(
            10,
            1,
            &[r#"t=[1,"two",{"k":true}]"#, "s=text", "c=<Counter>"]
        ))
    );
}

#[test]
fn the_engine_s_own_wrappers_and_callbacks_are_seen_correctly() {
    // `pcall` runs through a Lua wrapper: its lines never show up; a callback the host runs is
    // one level deeper than the line that called the host.
    let code = "local ok = pcall(function()
  return 1
end)
test.call(function()
  local inside = true
end)
";
    let (steps, result) = record(code, Resume::StepIn, Resume::StepIn);
    assert!(result.is_ok());
    let lines: Vec<(u32, usize)> = steps
        .iter()
        .map(|(line, depth, _)| (*line, *depth))
        .collect();
    // What Lua reports for a call spanning lines: the call's line, the closure's `end` line, the
    // call's line again; a function without `return` also stops on its `end`.
    assert_eq!(
        lines,
        vec![
            (1, 1),
            (3, 1),
            (1, 1),
            (2, 2),
            (4, 1),
            (6, 1),
            (4, 1),
            (5, 2),
            (6, 2),
            (6, 1)
        ]
    );
}

#[test]
fn without_a_debugger_the_spell_runs_normally() {
    let (registry, output) = test_registry();
    let spell = Spell::from_source("test.lua", ADD, Lua);
    llmspell_runtime::run(spell, Arc::new(registry), RunOptions::default()).unwrap();
    assert_eq!(*output.lock().unwrap(), "3\n");
}
