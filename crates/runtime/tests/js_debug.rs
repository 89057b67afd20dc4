//! The JavaScript debug seam, trap by trap: the instrumented spell stops on the user's lines
//! with the right depth, frames and locals through the temporal dead zone, `for` heads,
//! single-statement bodies, `switch`, arrow expression bodies, async functions, classes,
//! labels and `else if`; step over and out follow call depth; breakpoints stop where set;
//! errors keep their original lines, columns and messages; and a plain run executes the
//! original source.

mod common;

use std::sync::Arc;

use llmspell_bridge::Value;
use llmspell_runtime::{EngineKind, Resume, RunOptions, Spell, SpellError, Stopped, debug_channel};

/// The file every spell here runs as (the plain runs of `common` use the same name).
const FILE: &str = "test.js";

/// What one debugged run gave.
struct Session {
    stops: Vec<Stopped>,
    printed: String,
    result: Result<Value, SpellError>,
}

impl Session {
    /// `line@depth` for every stop.
    fn lines(&self) -> Vec<String> {
        self.stops.iter().map(|stop| format!("{}@{}", stop.event.line, stop.event.depth)).collect()
    }

    /// The innermost frame's locals at stop `index`, as `name=value`.
    fn locals(&self, index: usize) -> Vec<String> {
        locals_of(&self.stops[index])
    }

    /// The frames at stop `index`, as `name:line`.
    fn frames(&self, index: usize) -> Vec<String> {
        self.stops[index].frames.iter().map(|frame| format!("{}:{}", frame.name, frame.line)).collect()
    }
}

fn locals_of(stop: &Stopped) -> Vec<String> {
    stop.frames[0].locals.iter().map(|(name, value)| format!("{name}={}", value.to_display())).collect()
}

/// Runs `code` under a debugger that starts in `initial` mode with `breakpoints` set, and
/// answers every stop with `answer`.
fn debug(code: &str, initial: Resume, breakpoints: &[u32], mut answer: impl FnMut(&Stopped) -> Resume) -> Session {
    let (hook, controller) = debug_channel(initial);
    controller.set_breakpoints(FILE, breakpoints);
    let (registry, output) = common::test_registry();
    let spell = Spell::from_source(FILE, code, EngineKind::Js);
    let options = RunOptions { debug: Some(hook), ..RunOptions::default() };
    let runner = std::thread::spawn(move || llmspell_runtime::run(spell, Arc::new(registry), options));
    let mut stops = Vec::new();
    while let Some(stopped) = controller.next_stop() {
        assert_eq!(stopped.event.depth, stopped.frames.len(), "one frame per level of depth");
        controller.resume(answer(&stopped));
        stops.push(stopped);
    }
    let result = runner.join().unwrap();
    let printed = output.lock().unwrap().clone();
    Session { stops, printed, result }
}

/// Steps into every line.
fn step_everywhere(code: &str) -> Session {
    debug(code, Resume::StepIn, &[], |_| Resume::StepIn)
}

/// Runs under a debugger that never stops.
fn never_stopping(code: &str) -> Session {
    debug(code, Resume::Continue, &[], |_| Resume::Continue)
}

#[test]
fn a_let_declared_later_in_the_block_is_not_read_early() {
    let session = step_everywhere("{\n  let a = 1;\n  print(a);\n  let b = a + 1;\n  print(b);\n}\n");
    assert_eq!(session.printed, "1\n2\n");
    assert_eq!(session.lines(), ["2@1", "3@1", "4@1", "5@1"]);
    assert_eq!(session.locals(1), ["a=1"], "`b` is still in its temporal dead zone");
    assert_eq!(session.locals(3), ["a=1", "b=2"]);
}

#[test]
fn a_switch_case_let_in_its_dead_zone_is_left_out_of_the_locals() {
    let code = "function pick(n) {\n  switch (n) {\n    case 1:\n      let a = 10;\n      return a;\n    case 2:\n      return 20;\n  }\n}\nprint(pick(2));\n";
    let session = step_everywhere(code);
    assert_eq!(session.printed, "20\n");
    assert_eq!(session.lines(), ["10@1", "2@2", "7@2"]);
    assert_eq!(session.locals(2), ["n=2"], "`a` is in scope but uninitialised: not read");
    assert_eq!(session.frames(2), ["pick:7", "<main>:10"]);
}

#[test]
fn a_for_head_stops_at_each_test_and_its_let_is_a_local_of_each_iteration() {
    let session = step_everywhere("let total = 0;\nfor (let i = 0; i < 3; i++) {\n  total += i;\n}\nprint(total);\n");
    assert_eq!(session.printed, "3\n");
    // The head's line again before each test of the condition, as Lua and Rhai do.
    assert_eq!(session.lines(), ["1@1", "2@1", "3@1", "2@1", "3@1", "2@1", "3@1", "2@1", "5@1"]);
    assert_eq!(session.locals(2), ["total=0", "i=0"]);
    assert_eq!(session.locals(3), ["total=0", "i=1"], "the condition's stop sees the new iteration's `i`");
    assert_eq!(session.locals(6), ["total=1", "i=2"]);
    assert_eq!(session.locals(8), ["total=3"]);
}

#[test]
fn single_statement_bodies_stop_once_per_line_and_again_per_iteration() {
    let session = step_everywhere("let i = 0;\nwhile (i < 3) i++;\nif (i === 3) print(\"three\");\nif (i === 4) print(\"four\"); else print(\"not four\");\n");
    assert_eq!(session.printed, "three\nnot four\n");
    // The loop's line again at each further test of its condition; a body on its
    // statement's line adds nothing.
    assert_eq!(session.lines(), ["1@1", "2@1", "2@1", "2@1", "2@1", "3@1", "4@1"]);
    assert_eq!(session.locals(2), ["i=1"]);
    assert_eq!(session.locals(4), ["i=3"]);
}

#[test]
fn else_if_stops_on_the_branch_lines_taken() {
    let code = "let n = 2;\nif (n === 1) {\n  print(\"one\");\n} else if (n === 2) {\n  print(\"two\");\n} else {\n  print(\"many\");\n}\n";
    let session = step_everywhere(code);
    assert_eq!(session.printed, "two\n");
    assert_eq!(session.lines(), ["1@1", "2@1", "4@1", "5@1"]);
}

#[test]
fn switch_cases_stop_on_the_case_lines_run() {
    let code = "let kind = \"b\";\nswitch (kind) {\n  case \"a\":\n    print(\"a\");\n    break;\n  case \"b\":\n    print(\"b\");\n  default:\n    print(\"fell through\");\n}\n";
    let session = step_everywhere(code);
    assert_eq!(session.printed, "b\nfell through\n");
    assert_eq!(session.lines(), ["1@1", "2@1", "7@1", "9@1"]);
}

#[test]
fn an_arrow_expression_body_is_a_frame_with_its_parameters() {
    let session = step_everywhere("const double = (n) => n * 2;\nprint(double(21));\n");
    assert_eq!(session.printed, "42\n");
    assert_eq!(session.lines(), ["1@1", "2@1", "1@2"]);
    assert_eq!(session.locals(2), ["n=21"]);
    assert_eq!(session.frames(2), ["double:1", "<main>:2"]);
    assert_eq!(session.locals(1), ["double=<function double>"]);
}

#[test]
fn an_awaited_async_function_keeps_its_depth_across_the_await() {
    let code = "async function later(v) {\n  await null;\n  return v + 1;\n}\nconst r = await later(1);\nprint(r);\n";
    let session = step_everywhere(code);
    assert_eq!(session.printed, "2\n");
    assert_eq!(session.lines(), ["5@1", "2@2", "3@2", "6@1"]);
    assert_eq!(session.locals(2), ["v=1"]);
    assert_eq!(session.locals(3), ["r=2"]);
}

#[test]
fn a_suspended_async_function_leaves_the_stack_until_it_resumes() {
    let code = "async function later(v) {\n  await null;\n  return v + 1;\n}\nconst p = later(1);\nprint(\"meanwhile\");\nprint(await p);\n";
    let session = step_everywhere(code);
    assert_eq!(session.printed, "meanwhile\n2\n");
    assert_eq!(session.lines(), ["5@1", "2@2", "6@1", "7@1", "3@2"]);
    assert_eq!(session.frames(2), ["<main>:6"], "the suspended function is not on the stack");
    assert_eq!(session.frames(4)[0], "later:3");
}

#[test]
fn class_constructors_and_methods_are_named_frames() {
    let code = "class Counter {\n  constructor(start) {\n    this.n = start;\n  }\n  bump() {\n    this.n += 1;\n    return this.n;\n  }\n}\nconst c = new Counter(5);\nprint(c.bump());\n";
    let session = step_everywhere(code);
    assert_eq!(session.printed, "6\n");
    assert_eq!(session.lines(), ["1@1", "10@1", "3@2", "11@1", "6@2", "7@2"]);
    assert_eq!(session.frames(2), ["constructor:3", "<main>:10"]);
    assert_eq!(session.locals(2), ["start=5"]);
    assert_eq!(session.frames(5), ["bump:7", "<main>:11"]);
}

#[test]
fn a_labelled_continue_still_reaches_its_loop() {
    let code = "outer: for (let i = 0; i < 2; i++) {\n  for (let j = 0; j < 2; j++) {\n    if (j === 1) continue outer;\n    print(i, j);\n  }\n}\n";
    let session = step_everywhere(code);
    assert_eq!(session.printed, "0 0\n1 0\n");
    assert!(session.result.is_ok(), "{:?}", session.result);
    assert_eq!(session.locals(3), ["i=0", "j=0"]);
}

#[test]
fn a_multi_line_statement_stops_once_at_its_first_line() {
    let code = "const total = [1, 2, 3]\n  .map((n) => {\n    return n * 2;\n  })\n  .reduce((a, b) => a + b, 0);\nprint(total);\n";
    let session = step_everywhere(code);
    assert_eq!(session.printed, "12\n");
    let main_lines: Vec<String> =
        session.lines().into_iter().filter(|stop| stop.ends_with("@1")).collect();
    assert_eq!(main_lines, ["1@1", "6@1"]);
    assert_eq!(session.lines().iter().filter(|stop| *stop == "3@2").count(), 3);
    assert_eq!(session.lines().iter().filter(|stop| *stop == "5@2").count(), 3);
}

const CALLS: &str = "function inner(x) {\n  const y = x * 2;\n  return y;\n}\nconst a = inner(1);\nconst b = inner(a);\nprint(a, b);\n";

#[test]
fn step_over_a_call_does_not_stop_inside_it() {
    let session = debug(CALLS, Resume::StepIn, &[], |_| Resume::StepOver);
    assert_eq!(session.printed, "2 4\n");
    assert_eq!(session.lines(), ["5@1", "6@1", "7@1"]);
}

#[test]
fn step_out_returns_to_the_caller() {
    let session = debug(CALLS, Resume::StepIn, &[], |stop| {
        if stop.event.depth == 2 { Resume::StepOut } else { Resume::StepIn }
    });
    assert_eq!(session.printed, "2 4\n");
    assert_eq!(session.lines(), ["5@1", "2@2", "6@1", "2@2", "7@1"]);
    assert_eq!(session.locals(2), ["a=2"]);
}

#[test]
fn breakpoints_stop_on_their_lines_only() {
    let session = debug(CALLS, Resume::Continue, &[3, 7], |_| Resume::Continue);
    assert_eq!(session.printed, "2 4\n");
    assert_eq!(session.lines(), ["3@2", "3@2", "7@1"]);
    assert_eq!(session.locals(0), ["x=1", "y=2"]);
    assert_eq!(session.locals(1), ["x=2", "y=4"]);
    assert_eq!(session.frames(1), ["inner:3", "<main>:6"]);
}

#[test]
fn outer_frames_show_their_locals_from_their_last_stop() {
    let session = step_everywhere(CALLS);
    // Stop 2: inside `inner`, called from line 5 where main stopped before.
    assert_eq!(session.frames(1), ["inner:2", "<main>:5"]);
    assert!(session.stops[1].frames[1].locals.is_empty(), "`a` is not declared before line 5");
    // Inside the second call, main's locals are read live through its stop on line 6.
    let main = &session.stops[4].frames[1];
    assert_eq!(main.line, 6);
    assert_eq!(main.locals, vec![("a".to_owned(), Value::Int(2))]);
}

#[test]
fn an_error_keeps_its_original_line_column_message_and_stack() {
    let code = "function boom(reason) {\n  const text = \"bad \" + reason;\n  throw new Error(text);\n}\nlet ok = 1; boom(\"thing\");\n";
    let (_, plain) = common::run(EngineKind::Js, code);
    let debugged = never_stopping(code).result;
    let (plain, debugged) = (plain.unwrap_err(), debugged.unwrap_err());
    assert_eq!(debugged.message, "bad thing");
    assert_eq!(debugged.line, Some(3));
    assert_eq!((&debugged.code, &debugged.message), (&plain.code, &plain.message));
    assert_eq!((debugged.line, debugged.column), (plain.line, plain.column));
    assert_eq!(debugged.stack, plain.stack);
}

#[test]
fn a_reference_error_on_a_line_with_several_statements_keeps_its_column() {
    let code = "let a = 1; let b = a + missing;\n";
    let (_, plain) = common::run(EngineKind::Js, code);
    let debugged = never_stopping(code).result;
    let (plain, debugged) = (plain.unwrap_err(), debugged.unwrap_err());
    assert_eq!(debugged.message, plain.message);
    assert_eq!((debugged.line, debugged.column), (plain.line, plain.column));
}

#[test]
fn a_plain_run_executes_the_original_source() {
    let code = "print(typeof __dbgOn, typeof __dbg);\n";
    let (printed, result) = common::run(EngineKind::Js, code);
    assert!(result.is_ok());
    assert_eq!(printed, "undefined undefined\n");
    let session = never_stopping(code);
    assert_eq!(session.printed, "boolean function\n", "a debug session runs the instrumented source");
}

#[test]
fn stop_ends_the_spell_even_inside_a_try() {
    let code = "try {\n  print(\"first\");\n  print(\"second\");\n} catch (error) {\n  print(\"caught\", error);\n} finally {\n  print(\"finally\");\n}\n";
    let mut count = 0;
    let session = debug(code, Resume::StepIn, &[], |_| {
        count += 1;
        if count == 3 { Resume::Stop } else { Resume::StepIn }
    });
    assert_eq!(session.lines(), ["1@1", "2@1", "3@1"]);
    assert_eq!(session.printed, "first\n", "neither `catch` nor `finally` ran after Stop");
    assert_eq!(session.result.unwrap_err().code, "terminated");
}

/// Spells and conformance cases that need only `print` print the same under a debugger that
/// never stops as in a plain run (and what the conformance suite expects).
#[test]
fn shipped_spells_print_the_same_under_a_debugger_that_never_stops() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance");
    for case in ["01-print-args", "02-values-nested", "18-errors-uncaught-runtime", "43-functions-recursion"] {
        let code = std::fs::read_to_string(root.join(case).join("spell.js")).unwrap();
        let expected = std::fs::read_to_string(root.join(case).join("expected.txt")).unwrap();
        let (plain, plain_result) = common::run(EngineKind::Js, &code);
        let session = never_stopping(&code);
        assert_eq!(plain, expected, "{case}: plain run");
        assert_eq!(session.printed, plain, "{case}: under the debugger");
        assert_eq!(session.stops.len(), 0);
        match (plain_result, session.result) {
            (Ok(_), Ok(_)) => {}
            (Err(plain), Err(debugged)) => {
                assert_eq!((plain.code, plain.message, plain.line), (debugged.code, debugged.message, debugged.line));
            }
            (plain, debugged) => panic!("{case}: {plain:?} but under the debugger {debugged:?}"),
        }
    }
}

/// A spell using most of the language prints the same when every line is stepped into (and
/// every local read at every stop) as in a plain run.
#[test]
fn stepping_into_every_line_changes_nothing_the_spell_prints() {
    let code = r#"class Shape {
  static count = 0;
  #secret = 1;
  constructor(name) { this.name = name; Shape.count++; }
  get label() { return `${this.name}#${this.#secret}`; }
  static { Shape.kind = "shape"; }
}
class Square extends Shape {
  constructor(side) {
    super("square");
    this.side = side;
  }
  area() { return this.side ** 2; }
}
function* numbers(limit) {
  for (let n = 1; n <= limit; n++) yield n;
}
const { a, b: [first, ...others] = [], ...rest } = { a: 1, b: [2, 3, 4], c: 5 };
print(a, first, others, rest);
const square = new Square(3);
print(square.label, square.area(), Shape.count, Shape.kind);
print([...numbers(4)].map((n) => n * n).filter((n) => n % 2 === 0));
let text = "";
outer: for (const word of ["alpha", "beta", "gamma"]) {
  for (const letter of word) {
    if (letter === "e") continue outer;
    if (letter === "m") break outer;
    text += letter;
  }
}
print(text);
function classify(value) {
  switch (typeof value) {
    case "number":
      if (value < 0) return "negative";
      else if (value === 0) return "zero";
      else return "positive";
    case "string": {
      const trimmed = value.trim();
      return trimmed ? "text" : "blank";
    }
    default:
      return "other";
  }
}
print([-1, 0, 2, " x ", "  ", null].map(classify).join(","));
let countdown = 3, trace = [];
do trace.push(countdown); while (--countdown > 0);
while (countdown < 2) countdown++;
print(trace, countdown);
try {
  null.property;
} catch ({ name, message }) {
  print(name);
} finally {
  print("finally");
}
async function delayed(value) {
  await null;
  const doubled = await Promise.resolve(value * 2);
  return doubled;
}
const results = await Promise.all([delayed(1), delayed(2)]);
print(results, await delayed(5));
const counter = (() => { let n = 0; return () => ++n; })();
counter(); counter();
print(counter(), test.add(2, 3), test.echo({ nested: [1, { deep: true }] }));
export default results.length;
"#;
    let (plain, plain_result) = common::run(EngineKind::Js, code);
    assert!(plain_result.is_ok(), "{plain_result:?}");
    assert_eq!(
        plain,
        "1 2 [3,4] {\"c\":5}\nsquare#1 9 1 shape\n[4,16]\nalphabga\nnegative,zero,positive,text,blank,other\n\
         [3,2,1] 2\nTypeError\nfinally\n[2,4] 10\n3 5 {\"nested\":[1,{\"deep\":true}]}\n"
    );
    let session = step_everywhere(code);
    assert!(session.result.is_ok(), "{:?}", session.result);
    assert_eq!(session.printed, plain);
    assert_eq!(session.result.unwrap(), Value::Int(2));
    assert!(session.stops.len() > 80, "only {} stops", session.stops.len());
    let deepest = session.stops.iter().map(|stop| stop.event.depth).max().unwrap();
    assert!(deepest >= 3, "calls nest: {deepest}");
    assert!(session.stops.iter().all(|stop| stop.frames.last().unwrap().name == "<main>"));
}

/// A script function the host calls back is a frame above its caller's, sync or after I/O.
#[test]
fn host_callbacks_are_frames_above_the_calling_line() {
    let code = "function twice(x) {\n  return x * 2;\n}\nconst now = test.call(twice, 4);\nconst later = await test.call_later(twice, 5, 1);\nprint(now, later);\n";
    let session = step_everywhere(code);
    assert_eq!(session.printed, "8 10\n");
    assert!(session.result.is_ok(), "{:?}", session.result);
    assert_eq!(session.lines(), ["4@1", "2@2", "5@1", "2@2", "6@1"]);
    assert_eq!(session.frames(1), ["twice:2", "<main>:4"]);
    assert_eq!(session.locals(3), ["x=5"]);
    assert_eq!(session.locals(4), ["now=8", "later=10"]);
}

/// A generator leaves the stack at each `yield` and comes back with its own line and locals.
#[test]
fn a_generator_is_a_frame_only_while_it_runs() {
    let code = "function* count(limit) {\n  let n = 0;\n  while (n < limit) {\n    n++;\n    yield n;\n  }\n}\nfor (const value of count(2)) {\n  print(value);\n}\n";
    let session = step_everywhere(code);
    assert_eq!(session.printed, "1\n2\n");
    assert_eq!(
        session.lines(),
        ["8@1", "2@2", "3@2", "4@2", "5@2", "9@1", "3@2", "4@2", "5@2", "9@1", "3@2"]
    );
    assert_eq!(session.frames(5), ["<main>:9"]);
    assert_eq!(session.locals(5), ["value=1"]);
    assert_eq!(session.frames(6), ["count:3", "<main>:9"]);
    assert_eq!(session.locals(7), ["limit=2", "n=1"]);
}

/// A function left by an exception is off the stack when the `catch` runs.
#[test]
fn an_exception_unwinds_the_frames_it_leaves() {
    let code = "function fail() {\n  throw new Error(\"no\");\n}\ntry {\n  fail();\n} catch (error) {\n  print(error.message);\n}\nprint(\"after\");\n";
    let session = step_everywhere(code);
    assert_eq!(session.printed, "no\nafter\n");
    assert_eq!(session.lines(), ["4@1", "5@1", "2@2", "7@1", "9@1"]);
    assert_eq!(session.frames(3), ["<main>:7"]);
}
