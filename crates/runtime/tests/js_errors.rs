//! JavaScript engine: host errors as `Error`s with `.code`, uncaught errors with their
//! location and stack, errors in callbacks, syntax errors and `check`.

mod common;

use common::{output, run};
use llmspell_runtime::EngineKind::Js;
use llmspell_runtime::{Spell, SpellError, StackEntry};

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

fn failure(code: &str) -> SpellError {
    let (printed, result) = run(Js, code);
    result.expect_err(&format!("the spell should fail; it printed:\n{printed}"))
}

fn entry(function: &str, line: u32) -> StackEntry {
    StackEntry { function: function.into(), file: "test.js".into(), line }
}

#[test]
fn host_errors_are_errors_with_code_and_message_under_try_catch() {
    let printed = output(
        Js,
        r#"
        try {
          test.fail("not_found", "no such thing");
        } catch (e) {
          print(e instanceof Error, e.code, e.message, e.name);
          print(String(e));
        }
        try { test.add("x", 1) } catch ({ code, message }) { print(code, "|", message) }
        "#,
    );
    assert_eq!(
        lines(&printed),
        vec![
            "true not_found no such thing Error",
            "Error: no such thing",
            "invalid_argument | test.add: parameter 'a' expects int, got str \"x\"",
        ]
    );
}

#[test]
fn an_uncaught_host_error_has_its_code_location_and_stack() {
    let error = failure(
        "function inner() {\n  test.fail('not_found', 'no such thing');\n}\nfunction outer() {\n  inner();\n}\n\nouter();\n",
    );
    assert_eq!(error.code, "not_found");
    assert_eq!(error.message, "no such thing");
    assert_eq!((error.file.as_deref(), error.line, error.column), (Some("test.js"), Some(2), Some(8)));
    assert_eq!(error.stack, vec![entry("inner", 2), entry("outer", 5), entry("<main>", 8)]);
    assert_eq!(
        error.to_string(),
        "test.js:2: no such thing [not_found]\nstack:\n  at inner (test.js:2)\n  at outer (test.js:5)\n  at <main> (test.js:8)"
    );
}

#[test]
fn script_errors_are_runtime_errors() {
    let error = failure("const x = 1;\n\nthrow new Error('went wrong');\n");
    assert_eq!((error.code.as_str(), error.message.as_str()), ("runtime", "went wrong"));
    assert_eq!(error.line, Some(3));
    assert_eq!(error.stack, vec![entry("<main>", 3)]);

    let error = failure("const t = null;\nfunction f() {\n  return t.field;\n}\nf();\n");
    assert_eq!(error.code, "runtime");
    assert_eq!(error.message, "TypeError: cannot read property 'field' of null");
    assert_eq!(error.stack, vec![entry("f", 3), entry("<main>", 5)]);
}

#[test]
fn thrown_objects_with_a_code_keep_it() {
    let error = failure("throw { code: 'my_code', message: 'custom failure' }");
    assert_eq!((error.code.as_str(), error.message.as_str()), ("my_code", "custom failure"));
    let error = failure(
        "class DiskError extends Error { constructor() { super('disk full'); this.code = 'io' } }\n\nthrow new DiskError();",
    );
    assert_eq!((error.code.as_str(), error.message.as_str(), error.line), ("io", "disk full", Some(1)));
    let error = failure("throw { message: 'no code' }");
    assert_eq!((error.code.as_str(), error.message.as_str()), ("runtime", "no code"));
}

#[test]
fn thrown_values_that_are_not_errors_have_their_location_and_stack() {
    // QuickJS keeps a stack only on Error objects: the engine notes where others were thrown.
    let error = failure("print('before');\n\nthrow { code: 'quota_exceeded', message: 'out of quota' };\n");
    assert_eq!((error.code.as_str(), error.message.as_str()), ("quota_exceeded", "out of quota"));
    assert_eq!((error.file.as_deref(), error.line), (Some("test.js"), Some(3)));
    assert_eq!(error.stack, vec![entry("<main>", 3)]);
    assert_eq!(error.to_string(), "test.js:3: out of quota [quota_exceeded]\nstack:\n  at <main> (test.js:3)");

    let error = failure("function inner(n) {\n  throw 'too many: ' + n;\n}\nfunction outer() {\n  inner(3);\n}\nouter();\n");
    assert_eq!((error.message.as_str(), error.line), ("too many: 3", Some(2)));
    assert_eq!(error.stack, vec![entry("inner", 2), entry("outer", 5), entry("<main>", 7)]);

    // Caught and rethrown: where it was rethrown.
    let error = failure("let e;\ntry { throw { code: 'a', message: 'x' } } catch (caught) { e = caught }\n\nthrow e;\n");
    assert_eq!((error.code.as_str(), error.line), ("a", Some(4)));

    // Thrown in a callback and through the host call.
    let error = failure("test.call(function cb() {\n  throw { code: 'cb', message: 'from the callback' };\n});\n");
    assert_eq!((error.code.as_str(), error.line), ("cb", Some(2)));
    assert_eq!(error.stack.first(), Some(&entry("cb", 2)));

    // In an async function awaited at the top level.
    let error = failure("async function f() {\n  await test.sleep(1);\n  throw 42;\n}\nawait f();\n");
    assert_eq!((error.message.as_str(), error.line), ("42", Some(3)));
}

#[test]
fn a_stale_stack_is_never_reported_for_a_thrown_value() {
    // An Error made and not thrown, or a rejection handled by a promise, leaves QuickJS's
    // backtrace in place; a later thrown object then has no stack of its own, and must not
    // get theirs. (No location beats a wrong one.)
    for code in [
        "const unused = new Error('never thrown');\n\nthrow { code: 'late', message: 'x' };\n",
        "Promise.reject({ code: 'early' }).catch(() => {});\nawait null;\nthrow { code: 'late', message: 'x' };\n",
    ] {
        let error = failure(code);
        assert_eq!(error.code, "late", "{code}");
        assert!(error.line.is_none_or(|line| line == 3), "{code}: {error}");
    }
}

#[test]
fn odd_thrown_values_still_read_well() {
    assert_eq!(failure("throw 'just text'").message, "just text");
    assert_eq!(failure("throw 42").message, "42");
    assert_eq!(failure("throw null").message, "null");
    assert_eq!(failure("throw undefined").message, "undefined");
    assert_eq!(failure("throw test.counter('c')").message, "<Counter>");
    assert_eq!(failure("throw new RangeError('too far')").message, "RangeError: too far");
}

#[test]
fn an_error_in_a_callback_is_reported_where_it_happened() {
    let error = failure("function cb(x) {\n  throw new Error('callback failed on ' + x);\n}\n\ntest.call(cb, 'a');\n");
    assert_eq!((error.code.as_str(), error.message.as_str()), ("runtime", "callback failed on a"));
    assert_eq!(error.line, Some(2));
    assert_eq!(error.stack.first(), Some(&entry("cb", 2)));
    assert_eq!(error.stack.last(), Some(&entry("<main>", 5)));

    // Caught around the host call, it is the very error the callback threw.
    let printed = output(
        Js,
        r#"
        const thrown = new Error("original");
        thrown.code = "mine";
        try { test.call(() => { throw thrown }) } catch (e) { print(e === thrown, e.code, e.message) }
        try { test.call(() => test.fail("inner", "from the host")) } catch (e) { print(e.code, e.message) }
        "#,
    );
    assert_eq!(lines(&printed), vec!["true mine original", "inner from the host"]);
}

#[test]
fn an_error_in_a_callback_from_another_thread_rejects_the_promise() {
    let printed = output(
        Js,
        r#"
        try {
          await test.call_later((x) => { throw { code: "late", message: "boom " + x } }, 7);
        } catch (e) {
          print(e.code, e.message);
        }
        "#,
    );
    assert_eq!(lines(&printed), vec!["late boom 7"]);
    let error = failure("await test.call_later((x) => {\n  throw new Error('late ' + x);\n}, 1);\n");
    assert_eq!((error.code.as_str(), error.message.as_str(), error.line), ("runtime", "late 1", Some(2)));
}

#[test]
fn a_rejected_io_call_points_at_the_awaiting_line() {
    let error = failure("const a = 1;\nawait test.sleep('soon');\n");
    assert_eq!(error.code, "invalid_argument");
    assert_eq!(error.message, "test.sleep: parameter 'ms' expects int, got str \"soon\"");
    assert_eq!(error.line, Some(2));
}

#[test]
fn syntax_errors_are_reported_with_their_position() {
    let error = failure("const a = 1;\nconst b = ;\n");
    assert_eq!(error.code, "syntax");
    assert_eq!((error.file.as_deref(), error.line), (Some("test.js"), Some(2)));
    assert!(error.message.contains("unexpected token"), "{}", error.message);
}

#[test]
fn check_compiles_without_running() {
    let good = Spell::from_source(
        "ok.js",
        "print('never runs'); await test.sleep(1);\nexport default 1;",
        llmspell_runtime::EngineKind::Js,
    );
    assert_eq!(llmspell_runtime::check(&good), vec![]);

    let bad = Spell::from_source("bad.js", "let x = 1;\nlet y = );\nlet z = 3;\n", llmspell_runtime::EngineKind::Js);
    let diagnostics = llmspell_runtime::check(&bad);
    assert_eq!(diagnostics.len(), 1);
    let diagnostic = &diagnostics[0];
    assert_eq!((diagnostic.file.as_str(), diagnostic.line), ("bad.js", 2));
    assert!(diagnostic.column >= 1);
    assert!(!diagnostic.message.is_empty());

    let shebang = Spell::from_source("s.js", "#!/usr/bin/env llmspell\nlet = 2;\n", llmspell_runtime::EngineKind::Js);
    assert_eq!(llmspell_runtime::check(&shebang)[0].line, 2);
}

#[test]
fn error_stacks_name_functions_anonymous_ones_and_the_top_level() {
    let printed =
        output(Js, "function named() {\n  return [1].map(() => new Error('x'))[0];\n}\nprint(named().stack);\n");
    assert_eq!(
        lines(&printed),
        vec![
            "    at <anonymous> (test.js:2:28)",
            "    at map (native)",
            "    at named (test.js:2:14)",
            "    at <main> (test.js:4:7)",
            "",
        ]
    );
}

#[test]
fn messages_never_mention_rust_panics() {
    for code in ["null.x", "undefinedFunction()", "test.echo(Symbol())", "new Test()"] {
        let error = failure(code);
        assert!(!error.message.contains("panic"), "{code}: {}", error.message);
        assert!(error.line.is_some(), "{code}: no line");
    }
}
