//! Rhai: the debug seam (line events, depth, frames and locals, stepping, breakpoints, stop).

mod common;

use std::sync::Arc;

use llmspell_bridge::Value;
use llmspell_runtime::{EngineKind, Resume, RunOptions, Spell, SpellError, Stopped, debug_channel};

/// The spell the Lua engine is checked with too, line for line.
const ADD: &str =
    "fn add(a, b) {\n  let sum = a + b;\n  return sum;\n}\nlet x = 1;\nlet y = add(x, 2);\nprint(y);\n";

/// A stop as the tests compare it: line, depth, innermost locals.
type Line = (u32, usize, Vec<(String, Value)>);
/// A frame as the tests compare it: name, line, locals.
type FrameView<'a> = (&'a str, u32, Vec<(String, Value)>);

/// Runs `code` under the debugger, starting in `initial` mode with `breakpoints`, and
/// answers every stop with `next(stop)`. Returns the stops, what was printed, the result.
fn debug(
    code: &str,
    initial: Resume,
    breakpoints: &[u32],
    next: impl Fn(&Stopped) -> Resume,
) -> (Vec<Stopped>, String, Result<Value, SpellError>) {
    let (hook, controller) = debug_channel(initial);
    controller.set_breakpoints("test.rhai", breakpoints);
    let (registry, output) = common::test_registry();
    let spell = Spell::from_source("test.rhai", code, EngineKind::Rhai);
    let runner = std::thread::spawn(move || {
        llmspell_runtime::run(
            spell,
            Arc::new(registry),
            RunOptions { debug: Some(hook), ..RunOptions::default() },
        )
    });
    let mut stops = Vec::new();
    while let Some(stop) = controller.next_stop() {
        controller.resume(next(&stop));
        stops.push(stop);
    }
    let result = runner.join().unwrap();
    let printed = output.lock().unwrap().clone();
    (stops, printed, result)
}

fn lines(stops: &[Stopped]) -> Vec<Line> {
    stops.iter().map(|stop| (stop.event.line, stop.event.depth, stop.frames[0].locals.clone())).collect()
}

fn locals(pairs: &[(&str, i64)]) -> Vec<(String, Value)> {
    pairs.iter().map(|(name, value)| ((*name).to_owned(), Value::Int(*value))).collect()
}

#[test]
fn stepping_in_stops_at_every_line_with_depth_and_locals() {
    let (stops, printed, result) = debug(ADD, Resume::StepIn, &[], |_| Resume::StepIn);
    assert_eq!(
        lines(&stops),
        vec![
            (5, 1, locals(&[])),
            (6, 1, locals(&[("x", 1)])),
            (2, 2, locals(&[("a", 1), ("b", 2)])),
            (3, 2, locals(&[("a", 1), ("b", 2), ("sum", 3)])),
            (7, 1, locals(&[("x", 1), ("y", 3)])),
        ]
    );
    assert_eq!(printed, "3\n");
    assert!(result.is_ok());
    assert!(stops.iter().all(|stop| stop.event.file == "test.rhai"));
}

#[test]
fn frames_are_innermost_first_with_their_lines_and_locals() {
    let (stops, _, _) = debug(ADD, Resume::Continue, &[3], |_| Resume::Continue);
    assert_eq!(stops.len(), 1);
    let frames: Vec<FrameView<'_>> =
        stops[0].frames.iter().map(|frame| (frame.name.as_str(), frame.line, frame.locals.clone())).collect();
    assert_eq!(
        frames,
        vec![("add", 3, locals(&[("a", 1), ("b", 2), ("sum", 3)])), ("<main>", 6, locals(&[("x", 1)])),]
    );
    assert!(stops[0].frames.iter().all(|frame| frame.file == "test.rhai"));
}

#[test]
fn step_over_skips_the_called_function() {
    let (stops, _, _) = debug(ADD, Resume::StepIn, &[], |_| Resume::StepOver);
    let seen: Vec<(u32, usize)> = stops.iter().map(|stop| (stop.event.line, stop.event.depth)).collect();
    assert_eq!(seen, vec![(5, 1), (6, 1), (7, 1)]);
}

#[test]
fn step_out_returns_to_the_caller() {
    let (stops, _, _) = debug(ADD, Resume::Continue, &[2], |_| Resume::StepOut);
    let seen: Vec<(u32, usize)> = stops.iter().map(|stop| (stop.event.line, stop.event.depth)).collect();
    assert_eq!(seen, vec![(2, 2), (7, 1)]);
}

#[test]
fn breakpoints_stop_every_time_a_line_runs() {
    let code = "let total = 0;\nfor i in 0..3 {\n  total += i;\n}\nprint(total);\n";
    let (stops, printed, _) = debug(code, Resume::Continue, &[3], |_| Resume::Continue);
    let seen: Vec<Line> = lines(&stops);
    assert_eq!(
        seen,
        vec![
            (3, 1, locals(&[("total", 0), ("i", 0)])),
            (3, 1, locals(&[("total", 0), ("i", 1)])),
            (3, 1, locals(&[("total", 1), ("i", 2)])),
        ]
    );
    assert_eq!(printed, "3\n");
}

#[test]
fn stop_terminates_the_spell() {
    let (stops, printed, result) =
        debug(
            ADD,
            Resume::StepIn,
            &[],
            |stop| {
                if stop.event.line == 2 { Resume::Stop } else { Resume::StepIn }
            },
        );
    assert_eq!(stops.len(), 3);
    assert_eq!(printed, "");
    assert_eq!(result.unwrap_err().code, "terminated");
}

#[test]
fn stop_cannot_be_caught() {
    let code = "try {\n  let x = 1;\n} catch (e) {\n  print(\"caught\");\n}\nprint(\"after\");\n";
    let (_, printed, result) =
        debug(
            code,
            Resume::StepIn,
            &[],
            |stop| {
                if stop.event.line == 2 { Resume::Stop } else { Resume::StepIn }
            },
        );
    assert_eq!(result.unwrap_err().code, "terminated");
    assert_eq!(printed, "");
}

#[test]
fn module_objects_are_not_locals_and_shadowing_shows_the_visible_value() {
    let code = "let c = test.counter(\"n\");\nlet v = 1;\nlet v = \"two\";\nprint(v);\n";
    let (stops, _, _) = debug(code, Resume::Continue, &[4], |_| Resume::Continue);
    let names: Vec<&str> = stops[0].frames[0].locals.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, vec!["c", "v"]);
    assert_eq!(stops[0].frames[0].locals[1].1, Value::Str("two".into()));
    assert!(matches!(stops[0].frames[0].locals[0].1, Value::Object(_)));
}

#[test]
fn callbacks_from_the_host_are_frames_too() {
    let code = "fn cb(n) {\n  n + 1\n}\nlet r = test.call(cb, 41);\nlet f = |x| {\n  x * 2\n};\nf.call(r);\n";
    let (stops, _, result) = debug(code, Resume::Continue, &[2, 6], |_| Resume::Continue);
    assert_eq!(result.unwrap(), Value::Int(84));
    let frames: Vec<Vec<(&str, u32)>> = stops
        .iter()
        .map(|stop| stop.frames.iter().map(|frame| (frame.name.as_str(), frame.line)).collect())
        .collect();
    assert_eq!(frames, vec![vec![("cb", 2), ("<main>", 4)], vec![("<anonymous>", 6), ("<main>", 8)]]);
    assert_eq!(stops[0].event.depth, 2);
    // The caller's locals as they were when it called.
    let main_locals = &stops[1].frames[1].locals;
    let names: Vec<&str> = main_locals.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, vec!["r", "f"]);
    assert_eq!(main_locals[0].1, Value::Int(42));
}

#[test]
fn calls_on_one_line_enter_separate_frames() {
    let code = "fn id(v) {\n  v\n}\nlet s = id(1) + id(2);\n";
    let (stops, _, _) = debug(code, Resume::StepIn, &[], |_| Resume::StepIn);
    let seen: Vec<Line> = lines(&stops);
    assert_eq!(seen, vec![(4, 1, vec![]), (2, 2, locals(&[("v", 1)])), (2, 2, locals(&[("v", 2)]))]);
}

#[test]
fn a_controller_that_goes_away_lets_the_spell_finish() {
    let (hook, controller) = debug_channel(Resume::StepIn);
    drop(controller);
    let (registry, output) = common::test_registry();
    let spell = Spell::from_source("test.rhai", ADD, EngineKind::Rhai);
    let result = llmspell_runtime::run(
        spell,
        Arc::new(registry),
        RunOptions { debug: Some(hook), ..RunOptions::default() },
    );
    assert!(result.is_ok());
    assert_eq!(output.lock().unwrap().as_str(), "3\n");
}
