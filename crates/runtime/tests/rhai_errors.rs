//! Rhai: host errors through `try`/`catch`, uncaught errors with position and stack,
//! syntax errors from `run` and `check`.

mod common;

use llmspell_runtime::{EngineKind, Spell, SpellError, StackEntry};

fn check(code: &str, expected: &str) {
    assert_eq!(common::output(EngineKind::Rhai, code), expected, "spell:\n{code}");
}

/// Runs `code`, which must fail, and returns its error.
fn failure(code: &str) -> SpellError {
    let (_, result) = common::run(EngineKind::Rhai, code);
    match result {
        Ok(value) => panic!("spell succeeded with {value:?}:\n{code}"),
        Err(error) => error,
    }
}

fn frame(function: &str, line: u32) -> StackEntry {
    StackEntry { function: function.to_owned(), file: "test.rhai".to_owned(), line }
}

#[test]
fn host_errors_are_caught_with_code_and_message() {
    check(
        r#"try { test.fail("my_code", "it broke"); print("not here"); }
           catch (e) { print(e.code, "|", e.message, "|", type_of(e)); }"#,
        "my_code | it broke | map\n",
    );
}

#[test]
fn validation_errors_name_function_and_parameter() {
    check(
        r#"try { test.add("x", 1) } catch (e) { print(e.code); print(e.message) }"#,
        "invalid_argument\ntest.add: parameter 'a' expects int, got str \"x\"\n",
    );
    check(r#"try { test.add(1) } catch (e) { print(e.message) }"#, "test.add: expected 2 arguments, got 1\n");
    check(
        r#"try { test.add(1, 2, 3) } catch (e) { print(e.message) }"#,
        "test.add: expected 2 arguments, got 3\n",
    );
    check(
        r#"let c = test.counter("c"); try { c.incr("x") } catch (e) { print(e.message) }"#,
        "Counter.incr: parameter 'by' expects int, got str \"x\"\n",
    );
    check(
        r#"try { test::add(1.5, 1) } catch (e) { print(e.message) }"#,
        "test.add: parameter 'a' expects int, got float 1.5\n",
    );
}

#[test]
fn errors_keep_their_code_through_functions() {
    check(
        r#"fn inner() { test.fail("deep", "from inner") }
           fn outer() { inner() }
           try { outer() } catch (e) { print(e.code, e.message) }"#,
        "deep from inner\n",
    );
}

#[test]
fn script_errors_can_be_caught_and_rethrown() {
    check(r#"try { throw "plain"; } catch (e) { print(e) }"#, "plain\n");
    check(
        r#"try { try { test.fail("a", "b") } catch (e) { throw e } } catch (again) { print(again.code) }"#,
        "a\n",
    );
}

#[test]
fn uncaught_host_error_has_position_and_stack() {
    let error = failure("let x = 1;\n\ntest.fail(\"boom\", \"went off\");\n");
    assert_eq!(error.code, "boom");
    assert_eq!(error.message, "went off");
    assert_eq!(error.file.as_deref(), Some("test.rhai"));
    assert_eq!(error.line, Some(3));
    assert_eq!(error.column, Some(6));
    assert_eq!(error.stack, vec![frame("<main>", 3)]);
    assert_eq!(error.to_string(), "test.rhai:3: went off [boom]\nstack:\n  at <main> (test.rhai:3)");
}

#[test]
fn uncaught_error_in_nested_functions_lists_every_frame() {
    let code =
        "fn inner(x) {\n  test.fail(\"bad\", `x is ${x}`)\n}\nfn outer() {\n  inner(7)\n}\n\nouter();\n";
    let error = failure(code);
    assert_eq!((error.code.as_str(), error.message.as_str()), ("bad", "x is 7"));
    assert_eq!(error.line, Some(2));
    assert_eq!(error.stack, vec![frame("inner", 2), frame("outer", 5), frame("<main>", 8)]);
}

#[test]
fn thrown_values_end_the_spell_with_runtime_or_their_code() {
    let error = failure("\nthrow \"plain text\";");
    assert_eq!((error.code.as_str(), error.message.as_str(), error.line), ("runtime", "plain text", Some(2)));
    let error = failure(r#"throw #{code: "custom", message: "with a code"};"#);
    assert_eq!((error.code.as_str(), error.message.as_str()), ("custom", "with a code"));
    let error = failure("throw 42;");
    assert_eq!((error.code.as_str(), error.message.as_str()), ("runtime", "42"));
}

#[test]
fn rhai_errors_are_runtime_errors_with_rhai_messages() {
    let error = failure("let a = 1;\nprint(nope);");
    assert_eq!(error.code, "runtime");
    assert_eq!(error.message, "Variable not found: nope");
    assert_eq!(error.line, Some(2));
    let error = failure("test.nope(1)");
    assert_eq!(error.code, "runtime");
    assert_eq!(error.message, "Function not found: nope (host, i64)");
    let error = failure("let x = 5; x.call(1)");
    assert!(!error.message.contains('@'), "{}", error.message);
    check("try { let a = [1]; a[5] } catch (e) { print(e.error) }", "ErrorArrayBounds\n");
}

#[test]
fn closures_are_anonymous_in_the_stack() {
    let error = failure("let f = |x| {\n  throw `no ${x}`;\n};\nf.call(1);\n");
    assert_eq!(error.message, "no 1");
    assert_eq!(error.stack, vec![frame("<anonymous>", 2), frame("<main>", 4)]);
}

#[test]
fn syntax_errors_stop_the_run() {
    let error = failure("let x = 1;\nlet = 2;\n");
    assert_eq!(error.code, "syntax");
    assert_eq!(error.line, Some(2));
    assert_eq!(error.column, Some(5));
}

#[test]
fn check_reports_syntax_errors_with_positions() {
    let spell = Spell::from_source("bad.rhai", "let x = 1;\nfn f( {\n", EngineKind::Rhai);
    let diagnostics = llmspell_runtime::check(&spell);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!((diagnostics[0].file.as_str(), diagnostics[0].line), ("bad.rhai", 2));
    assert!(!diagnostics[0].message.is_empty());

    let good = "#!/usr/bin/env llmspell\nlet c = agent.new(#{name: \"a\"});\nworkflow.loop(#{});\ntools.call(\"x\", #{});\nlog.debug(\"d\");\nx::new(1);";
    let spell = Spell::from_source("good.rhai", good, EngineKind::Rhai);
    assert_eq!(llmspell_runtime::check(&spell), vec![]);
}
