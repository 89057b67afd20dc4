//! JavaScript line instrumentation for the debug seam: every statement gets a guarded line
//! call on its own line, function bodies report entry and exit, and the traps of crates.md
//! (same-line prefixes, `for` heads, single-statement bodies, `switch` cases, labels, the
//! temporal dead zone) are handled. Snapshots abbreviate the generated calls:
//! `«line names»` is a line call with the locals it reads, `«enter name»`/`«exit»` a
//! function's entry and exit.

use expect_test::{Expect, expect};
use llmspell_syntax::instrument::{Instrumented, instrument_javascript};
use llmspell_syntax::{Language, parse};

/// Instruments `source`, checks the result parses without error and keeps every line, and
/// compares the abbreviated text with `expected`.
fn check(source: &str, expected: Expect) {
    let instrumented = instrument_javascript(source);
    assert_parses_with_same_lines(source, &instrumented);
    expected.assert_eq(&abbreviate(&instrumented.code));
}

fn assert_parses_with_same_lines(source: &str, instrumented: &Instrumented) {
    let tree = parse(Language::JavaScript, &instrumented.code);
    assert!(tree.errors().is_empty(), "instrumented text has errors {:?}:\n{}", tree.errors(), instrumented.code);
    assert_eq!(source.lines().count(), instrumented.code.lines().count(), "the line count changed");
}

/// Replaces the generated calls with short markers.
fn abbreviate(code: &str) -> String {
    let mut text = code.to_owned();
    loop {
        let Some(start) = text.find("if (__dbgOn && __dbg(") else { break };
        let end = start + text[start..].find("eval(__dbgExpr)); ").expect("a whole line call") + "eval(__dbgExpr)); ".len();
        let call = &text[start..end];
        let arguments = &call["if (__dbgOn && __dbg(".len()..];
        let line = arguments.split(", ").nth(1).expect("a line");
        let names = call.split('"').nth(1).expect("a names list");
        let marker = if names.is_empty() { format!("«{line}» ") } else { format!("«{line} {names}» ") };
        text.replace_range(start..end, &marker);
    }
    loop {
        let Some(start) = text.find("const __dbgFrame = __dbgEnter(") else { break };
        let end = start + text[start..].find("try { ").expect("a try") + "try { ".len();
        let name = text[start..end].split('"').nth(1).expect("a name").to_owned();
        text.replace_range(start..end, &format!("«enter {name}» "));
    }
    text.replace(" } finally { __dbgExit(__dbgFrame); }", " «exit»")
}

#[test]
fn the_generated_calls_are_exactly_these() {
    let instrumented = instrument_javascript("function f(a) {\n  return a;\n}\nlet x = f(1);\n");
    expect![[r#"
        function f(a) { const __dbgFrame = __dbgEnter("f"); try { 
          if (__dbgOn && __dbg(__dbgFrame, 2, 3)) __dbgStop(__dbgFrame, "a", (__dbgExpr) => eval(__dbgExpr)); return a;
         } finally { __dbgExit(__dbgFrame); } }
        if (__dbgOn && __dbg(0, 4, 1)) __dbgStop(0, "", (__dbgExpr) => eval(__dbgExpr)); let x = f(1);
    "#]]
    .assert_eq(&instrumented.code);
    assert_eq!(instrumented.lines, vec![2, 4]);
}
