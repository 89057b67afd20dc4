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
    expected.assert_eq(&abbreviate(&instrumented));
}

fn assert_parses_with_same_lines(source: &str, instrumented: &Instrumented) {
    let tree = parse(Language::JavaScript, &instrumented.code);
    assert!(tree.errors().is_empty(), "instrumented text has errors {:?}:\n{}", tree.errors(), instrumented.code);
    assert_eq!(source.lines().count(), instrumented.code.lines().count(), "the line count changed");
}

/// Replaces the generated calls with short markers (`«?line names»` for a loop condition's).
fn abbreviate(instrumented: &Instrumented) -> String {
    let mut text = instrumented.code.clone();
    for (opening, closing, condition) in
        [("if (__dbgOn && __dbg(", "eval(__dbgExpr)); ", false), ("__dbgOn && __dbg(", "eval(__dbgExpr)), ", true)]
    {
        while let Some(start) = text.find(opening) {
            let end = start + text[start..].find(closing).expect("a whole line call") + closing.len();
            let call = &text[start..end];
            let line = call[opening.len()..].split(", ").nth(1).expect("a line");
            let stop = &call[call.find("__dbgStop(").expect("a stop") + "__dbgStop(".len()..];
            let scope: i64 = stop.split(", ").nth(1).expect("a scope").parse().expect("a scope number");
            let names = instrumented.locals_at(scope).join(",");
            let question = if condition { "?" } else { "" };
            let marker = if names.is_empty() { format!("«{question}{line}» ") } else { format!("«{question}{line} {names}» ") };
            text.replace_range(start..end, &marker);
        }
    }
    while let Some(start) = text.find("const __dbgFrame = __dbgEnter(") {
        let end = start + text[start..].find("try { ").expect("a try") + "try { ".len();
        let call = &text[start..end];
        let index: usize = call[call.find('(').unwrap() + 1..call.find(')').unwrap()].parse().expect("an index");
        let name = instrumented.function_names[index].clone();
        text.replace_range(start..end, &format!("«enter {name}» "));
    }
    text.replace(" } finally { __dbgExit(__dbgFrame); }", " «exit»")
}

#[test]
fn the_generated_calls_are_exactly_these() {
    let instrumented = instrument_javascript("function f(a) {\n  return a;\n}\nlet x = f(1);\nwhile (x) x--;\n");
    expect![[r#"
        function f(a) { const __dbgFrame = __dbgEnter(0); try { 
          if (__dbgOn && __dbg(__dbgFrame, 2, 3)) __dbgStop(__dbgFrame, 0, (__dbgExpr) => eval(__dbgExpr)); return a;
         } finally { __dbgExit(__dbgFrame); } }
        if (__dbgOn && __dbg(0, 4, 1)) __dbgStop(0, -1, (__dbgExpr) => eval(__dbgExpr)); let x = f(1);
        if (__dbgOn && __dbg(0, 5, 1)) __dbgStop(0, 1, (__dbgExpr) => eval(__dbgExpr)); while (__dbgOn && __dbg(0, 5, 7) && __dbgStop(0, 1, (__dbgExpr) => eval(__dbgExpr)), x) { if (__dbgOn && __dbg(0, 5, 11)) __dbgStop(0, 1, (__dbgExpr) => eval(__dbgExpr)); x--; }
    "#]]
    .assert_eq(&instrumented.code);
    assert_eq!(instrumented.lines, vec![2, 4, 5]);
    assert_eq!(instrumented.function_names, vec!["f"]);
}

#[test]
fn several_statements_on_one_line_each_get_a_call_on_that_line() {
    check("let a = 1; let b = a + 1; print(a, b);\n", expect![[r#"
        «1» let a = 1; «1 a» let b = a + 1; «1 a,b» print(a, b);
    "#]]);
}

#[test]
fn a_for_head_is_left_alone_and_its_let_is_a_local_of_the_body() {
    check(
        "let total = 0;\nfor (let i = 0, j = 2; i < j; i++) {\n  total += i;\n}\nfor (const key of [1]) total += key;\n",
        expect![[r#"
            «1» let total = 0;
            «2 total» for (let i = 0, j = 2; («?2 total,i,j» i < j); i++) {
              «3 total,i,j» total += i;
            }
            «5 total» for (const key of [1]) { «5 total,key» total += key; }
        "#]],
    );
}

#[test]
fn single_statement_bodies_are_braced() {
    check(
        "let i = 0;\nif (i) print(i);\nwhile (i < 3) i++;\ndo i--; while (i > 0);\nif (i) print(1); else print(2);\n",
        expect![[r#"
            «1» let i = 0;
            «2 i» if (i) { «2 i» print(i); }
            «3 i» while («?3 i» i < 3) { «3 i» i++; }
            «4 i» do { «4 i» i--; } while («?4 i» i > 0);
            «5 i» if (i) { «5 i» print(1); } else { «5 i» print(2); }
        "#]],
    );
}

#[test]
fn else_if_chains_get_one_call_per_branch_line() {
    check(
        "let n = 2;\nif (n === 1) {\n  print(1);\n} else if (n === 2) {\n  print(2);\n} else {\n  print(3);\n}\n",
        expect![[r#"
            «1» let n = 2;
            «2 n» if (n === 1) {
              «3 n» print(1);
            } else { «4 n» if (n === 2) {
              «5 n» print(2);
            } else {
              «7 n» print(3);
            } }
        "#]],
    );
}

#[test]
fn switch_cases_get_calls_and_earlier_case_lets_are_read_defensively() {
    check(
        "switch (x) {\n  case 1:\n    let a = 1;\n    break;\n  case 2:\n    print(a);\n  default:\n    print(0);\n}\n",
        expect![[r#"
            «1» switch (x) {
              case 1:
                «3» let a = 1;
                «4 a» break;
              case 2:
                «6 a» print(a);
              default:
                «8 a» print(0);
            }
        "#]],
    );
}

#[test]
fn a_label_keeps_its_loop() {
    check(
        "outer: for (let i = 0; i < 2; i++) {\n  for (let j = 0; j < 2; j++) {\n    if (j) continue outer;\n  }\n}\n",
        expect![[r#"
            «1» outer: for (let i = 0; («?1 i» i < 2); i++) {
              «2 i» for (let j = 0; («?2 i,j» j < 2); j++) {
                «3 i,j» if (j) { «3 i,j» continue outer; }
              }
            }
        "#]],
    );
}

#[test]
fn arrow_functions_with_expression_bodies_get_a_block_that_returns_it() {
    check("const double = (n) => n * 2;\nconst object = () => ({ a: 1 });\nprint([1].map(v => double(v)));\nlet empty = () => {};\n", expect![[r#"
        «1» const double = (n) => { «enter double» «1 n» return (n * 2) «exit» };
        «2 double» const object = () => { «enter object» «2» return (({ a: 1 })) «exit» };
        «3 double,object» print([1].map(v => { «enter <anonymous>» «3 v» return (double(v)) «exit» }));
        «4 double,object» let empty = () => { «enter empty»  «exit» };
    "#]]);
}

#[test]
fn async_functions_generators_and_awaits_are_wrapped_like_any_function() {
    check(
        "async function load(name) {\n  const value = await fetch(name);\n  return value;\n}\nfunction* count() {\n  yield 1;\n}\nawait load(\"a\");\n",
        expect![[r#"
            async function load(name) { «enter load» 
              «2 name» const value = await fetch(name);
              «3 name,value» return value;
             «exit» }
            function* count() { «enter count» 
              «6» yield 1;
             «exit» }
            «8» await load("a");
        "#]],
    );
}

#[test]
fn class_methods_constructors_and_static_blocks_are_frames_or_blocks() {
    check(
        "class Box extends Base {\n  constructor(v) {\n    super(v);\n    this.v = v;\n  }\n  get value() { return this.v; }\n  static { print(1); }\n}\n",
        expect![[r#"
            «1» class Box extends Base {
              constructor(v) { «enter constructor» 
                «3 v» super(v);
                «4 v» this.v = v;
               «exit» }
              get value() { «enter value»  «6» return this.v;  «exit» }
              static { «7» print(1); }
            }
        "#]],
    );
}

#[test]
fn a_multi_line_statement_gets_one_call_at_its_first_line() {
    check("const result = add(\n  1,\n  2,\n);\nprint(result);\n", expect![[r#"
        «1» const result = add(
          1,
          2,
        );
        «5 result» print(result);
    "#]]);
}

#[test]
fn locals_are_the_functions_own_in_declaration_order_without_later_lets() {
    check(
        "let top = 1;\nfunction f(a, { b, c: [d] }, ...rest) {\n  var early = 1;\n  if (a) {\n    let inner = 2;\n    print(inner);\n  }\n  let later = 3;\n  try { g(); } catch (error) { print(error); }\n  return later;\n}\n",
        expect![[r#"
            «1» let top = 1;
            function f(a, { b, c: [d] }, ...rest) { «enter f» 
              «3 a,b,d,rest» var early = 1;
              «4 a,b,d,rest,early» if (a) {
                «5 a,b,d,rest,early» let inner = 2;
                «6 a,b,d,rest,early,inner» print(inner);
              }
              «8 a,b,d,rest,early» let later = 3;
              «9 a,b,d,rest,early,later» try { «9 a,b,d,rest,early,later» g(); } catch (error) { «9 a,b,d,rest,early,later,error» print(error); }
              «10 a,b,d,rest,early,later» return later;
             «exit» }
        "#]],
    );
}

#[test]
fn exports_that_run_get_calls_and_hoisted_ones_do_not() {
    check(
        "import { helper } from './lib.js';\nexport const a = helper();\nexport function b() { return a; }\nexport { a as c };\nexport default a + 1;\n",
        expect![[r#"
            import { helper } from './lib.js';
            «2» export const a = helper();
            export function b() { «enter b»  «3» return a;  «exit» }
            export { a as c };
            «5 a» export default a + 1;
        "#]],
    );
}

#[test]
fn a_source_with_syntax_errors_comes_back_unchanged() {
    let source = "let x = ;\nprint(x);\n";
    let instrumented = instrument_javascript(source);
    assert_eq!(instrumented.code, source);
    assert!(instrumented.lines.is_empty());
}

#[test]
fn breakpoints_bind_to_the_next_instrumented_line() {
    let instrumented = instrument_javascript("let a = 1;\n\n// comment\nprint(a);\nfunction f() {\n  return 1;\n}\n");
    assert_eq!(instrumented.lines, vec![1, 4, 6]);
    assert_eq!(instrumented.breakpoint_line(2), Some(4));
    assert_eq!(instrumented.breakpoint_line(5), Some(6));
    assert_eq!(instrumented.breakpoint_line(7), None);
}

#[test]
fn columns_map_back_to_the_original_text() {
    let source = "let a = 1; let b = missing;\n";
    let instrumented = instrument_javascript(source);
    let line = instrumented.code.lines().next().unwrap();
    // 1-based columns of `missing` in the original and in the instrumented text.
    let original = source.find("missing").unwrap() as u32 + 1;
    let shifted = line.find("missing").unwrap() as u32 + 1;
    assert!(shifted > original);
    assert_eq!(instrumented.original_column(1, shifted), original);
    assert_eq!(instrumented.original_column(1, line.find("let a").unwrap() as u32 + 1), 1);
    assert_eq!(instrumented.original_column(2, 5), 5, "a line without insertions keeps its columns");
}

/// Every JavaScript spell and conformance case still parses, line for line, once instrumented.
#[test]
fn every_shipped_javascript_spell_instruments_cleanly() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(root.join("spells")).unwrap() {
        files.push(entry.unwrap().path());
    }
    for case in std::fs::read_dir(root.join("tests/conformance")).unwrap() {
        let case = case.unwrap().path();
        if case.is_dir() {
            for entry in std::fs::read_dir(&case).unwrap() {
                files.push(entry.unwrap().path());
            }
        }
    }
    files.retain(|path| path.extension().is_some_and(|extension| extension == "js"));
    assert!(files.len() > 50, "found only {} JavaScript spells", files.len());
    for path in files {
        let source = std::fs::read_to_string(&path).unwrap();
        if !parse(Language::JavaScript, &source).errors().is_empty() {
            // Conformance cases about syntax errors stay broken, and untouched.
            assert_eq!(instrument_javascript(&source).code, source, "{}", path.display());
            continue;
        }
        let instrumented = instrument_javascript(&source);
        assert!(!instrumented.lines.is_empty(), "{} has no instrumented line", path.display());
        assert_parses_with_same_lines(&source, &instrumented);
    }
}

/// Any cut of a real spell (code as it is being typed) instruments without a panic, and
/// whatever comes back parses: instrumented when the cut parses, untouched when it does not.
#[test]
fn every_prefix_of_a_spell_instruments_to_text_that_parses_or_is_untouched() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spells");
    let mut instrumented_cuts = 0;
    for name in ["workflow_pipeline.js", "research_agent.js", "common_api.js"] {
        let source = std::fs::read_to_string(root.join(name)).unwrap();
        let cuts = (0..source.len()).step_by(5).filter(|cut| source.is_char_boundary(*cut));
        for cut in cuts {
            let prefix = &source[..cut];
            let instrumented = instrument_javascript(prefix);
            if instrumented.code == prefix {
                continue;
            }
            assert_parses_with_same_lines(prefix, &instrumented);
            instrumented_cuts += 1;
        }
    }
    assert!(instrumented_cuts > 50, "only {instrumented_cuts} cuts parsed");
}

/// Machine-made nesting deeper than any hand-written spell comes back unchanged, without
/// exhausting a small thread stack; ordinary nesting is instrumented.
#[test]
fn deeply_nested_code_is_left_alone_without_overflowing_the_stack() {
    let worker = std::thread::Builder::new().stack_size(1024 * 1024);
    let handle = worker
        .spawn(|| {
            let deep = format!("var x = {}1{};\nprint(x);\n", "[".repeat(5_000), "]".repeat(5_000));
            assert!(parse(Language::JavaScript, &deep).errors().is_empty(), "deep but valid");
            let instrumented = instrument_javascript(&deep);
            assert_eq!(instrumented.code, deep);
            assert!(instrumented.lines.is_empty());
            let nested = format!("var x = {}1{};\nprint(x);\n", "[".repeat(100), "]".repeat(100));
            assert_eq!(instrument_javascript(&nested).lines, vec![1, 2]);
        })
        .unwrap();
    handle.join().unwrap();
}

/// A long spell with many variables instruments to text that grows linearly with it (the
/// locals of each statement are an index into one scope chain, not a list per statement).
#[test]
fn a_long_spell_with_many_variables_grows_linearly() {
    let mut source = String::new();
    for index in 0..5_000 {
        source.push_str(&format!("let v{index} = {index}; if (v{index} > 1) {{ print(v{index}); }}\n"));
    }
    let instrumented = instrument_javascript(&source);
    assert!(
        instrumented.code.len() < 10 * source.len(),
        "{} bytes from {}",
        instrumented.code.len(),
        source.len()
    );
    assert_eq!(instrumented.lines.len(), 5_000);
    let last_call = instrumented.code.lines().last().unwrap();
    let scope: i64 = last_call.split("__dbgStop(0, ").nth(1).unwrap().split(',').next().unwrap().parse().unwrap();
    let locals = instrumented.locals_at(scope);
    assert_eq!(locals.len(), 4_999);
    assert_eq!((locals[0], locals[4_998]), ("v0", "v4998"));
}

#[test]
fn a_var_outlives_its_block_a_let_does_not_and_shadowing_shows_the_latest() {
    check(
        "let x = 1;\nif (x) {\n  var kept = 2;\n  let gone = 3;\n  let x = 4;\n  print(x);\n}\nprint(kept);\n",
        expect![[r#"
            «1» let x = 1;
            «2 x» if (x) {
              «3 x» var kept = 2;
              «4 x,kept» let gone = 3;
              «5 x,kept,gone» let x = 4;
              «6 kept,gone,x» print(x);
            }
            «8 x,kept» print(kept);
        "#]],
    );
}
