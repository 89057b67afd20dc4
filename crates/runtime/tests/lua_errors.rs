//! Lua engine: error values scripts catch, uncaught errors with their location and stack,
//! errors in callbacks, and syntax errors from `run` and `check`.

mod common;

use common::{output, run};
use llmspell_runtime::EngineKind::Lua;
use llmspell_runtime::{Diagnostic, Spell, SpellError, StackEntry};

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

fn failure(code: &str) -> SpellError {
    let (_, result) = run(Lua, code);
    result.expect_err("the spell should fail")
}

fn entry(function: &str, line: u32) -> StackEntry {
    StackEntry {
        function: function.into(),
        file: "test.lua".into(),
        line,
    }
}

#[test]
fn host_errors_are_tables_with_code_and_message_under_pcall() {
    let printed = output(
        Lua,
        r#"
        local ok, e = pcall(test.fail, "boom", "it broke")
        print(ok, type(e), e.code, e.message, tostring(e))
        local ok2, e2 = pcall(test.add, 1, "x")
        print(ok2, e2.code, e2.message)
        local ok3, e3 = pcall(function() return test:add() end)
        print(ok3, e3.code, e3.message)
        print(pcall(test.add, 1, 2))
        "#,
    );
    assert_eq!(
        lines(&printed),
        vec![
            "false table boom it broke it broke",
            r#"false invalid_argument test.add: parameter 'b' expects int, got str "x""#,
            "false invalid_argument test.add: expected 2 arguments, got 0",
            "true 3",
        ]
    );
}

#[test]
fn xpcall_handlers_see_the_error_table() {
    let printed = output(
        Lua,
        r#"
        print(xpcall(test.fail, function(e) return e.code .. "/" .. e.message end, "c", "m"))
        print(xpcall(function() error("plain") end, function(e) return "handled: " .. e end))
        print(xpcall(function(a, b) return a + b end, print, 1, 2))
        "#,
    );
    assert_eq!(
        lines(&printed),
        vec!["false c/m", "false handled: test.lua:3: plain", "true 3"]
    );
}

#[test]
fn an_uncaught_host_error_has_its_code_location_and_stack() {
    let error = failure(
        "local function inner()\n  test.fail(\"not_found\", \"no such thing\")\nend\nlocal function outer()\n  inner()\nend\nouter()\n",
    );
    assert_eq!(error.code, "not_found");
    assert_eq!(error.message, "no such thing");
    assert_eq!(
        (error.file.as_deref(), error.line),
        (Some("test.lua"), Some(2))
    );
    assert_eq!(
        error.stack,
        vec![entry("inner", 2), entry("outer", 5), entry("<main>", 7)]
    );
    assert_eq!(
        error.to_string(),
        "test.lua:2: no such thing [not_found]\nstack:\n  at inner (test.lua:2)\n  at outer (test.lua:5)\n  at <main> (test.lua:7)"
    );
}

#[test]
fn script_errors_are_runtime_errors_without_lua_s_prefix() {
    let error = failure("local x = 1\n\nerror(\"went wrong\")\n");
    assert_eq!(
        (error.code.as_str(), error.message.as_str()),
        ("runtime", "went wrong")
    );
    assert_eq!(error.line, Some(3));
    assert_eq!(error.stack, vec![entry("<main>", 3)]);

    let error = failure("local t = nil\nlocal function f()\n  return t.field\nend\nf()\n");
    assert_eq!(error.code, "runtime");
    assert_eq!(error.message, "attempt to index a nil value (upvalue 't')");
    assert_eq!(error.line, Some(3));
    assert_eq!(error.stack, vec![entry("f", 3), entry("<main>", 5)]);
}

#[test]
fn error_levels_point_at_the_caller() {
    let error = failure("local function check(x)\n  error(\"bad x\", 2)\nend\n\ncheck(1)\n");
    assert_eq!((error.message.as_str(), error.line), ("bad x", Some(5)));
}

#[test]
fn thrown_tables_with_a_code_keep_it() {
    let error = failure("error({ code = \"my_code\", message = \"custom failure\" })");
    assert_eq!(
        (error.code.as_str(), error.message.as_str()),
        ("my_code", "custom failure")
    );
    assert_eq!(error.line, Some(1));

    let error = failure("local ok, e = pcall(test.fail, \"io\", \"disk full\")\n\nerror(e)\n");
    assert_eq!(
        (error.code.as_str(), error.message.as_str(), error.line),
        ("io", "disk full", Some(3))
    );

    let error = failure("error({ message = \"no code\" })");
    assert_eq!(
        (error.code.as_str(), error.message.as_str()),
        ("runtime", "no code")
    );
}

#[test]
fn odd_error_values_still_read_well() {
    assert_eq!(failure("error()").message, "(error object is a nil value)");
    assert_eq!(failure("error(42)").message, "42");
    assert_eq!(
        failure("error({})").message,
        "(error object is a table value)"
    );
    assert_eq!(
        failure("error(true)").message,
        "(error object is a boolean value)"
    );
    assert_eq!(failure("error(test.counter('c'))").message, "<Counter>");
}

#[test]
fn an_error_in_a_callback_is_reported_where_it_happened() {
    let error = failure(
        "local function handler(x)\n  error(\"callback failed on \" .. x)\nend\n\ntest.call(handler, \"a\")\n",
    );
    assert_eq!(
        (error.code.as_str(), error.message.as_str()),
        ("runtime", "callback failed on a")
    );
    assert_eq!(error.line, Some(2));
    assert_eq!(error.stack.first(), Some(&entry("<anonymous>", 2)));
    assert_eq!(error.stack.last(), Some(&entry("<main>", 5)));

    let error = failure("test.call_later(function(x)\n  test.fail(\"late\", x)\nend, \"boom\")\n");
    assert_eq!(
        (error.code.as_str(), error.message.as_str(), error.line),
        ("late", "boom", Some(2))
    );
}

#[test]
fn callback_errors_can_be_caught_around_the_host_call() {
    let printed = output(
        Lua,
        r#"
        local ok, e = pcall(test.call, function() test.fail("inner", "from the callback") end)
        print(ok, e.code, e.message)
        local ok2, e2 = pcall(test.call, function() error({ code = "mine", message = "m" }) end)
        print(ok2, e2.code, e2.message)
        "#,
    );
    assert_eq!(
        lines(&printed),
        vec!["false inner from the callback", "false mine m"]
    );
}

#[test]
fn syntax_errors_fail_the_run_with_their_line() {
    let error = failure("local x = 1\nlocal y = = 2\n");
    assert_eq!(error.code, "syntax");
    assert_eq!((error.line, error.column), (Some(2), Some(11)));
    assert_eq!(error.message, "unexpected symbol near '='");
}

#[test]
fn check_reports_syntax_errors_with_line_and_column() {
    let check = |code: &str| llmspell_runtime::check(&Spell::from_source("test.lua", code, Lua));
    assert_eq!(check("print('fine')\n"), vec![]);
    assert_eq!(
        check("local x = 1\nlocal y = = 2\n"),
        vec![Diagnostic {
            file: "test.lua".into(),
            line: 2,
            column: 11,
            message: "unexpected symbol near '='".into()
        }]
    );
    let diagnostics = check("if x then\n  print(1)\n");
    assert_eq!(diagnostics.len(), 1);
    assert_eq!((diagnostics[0].line, diagnostics[0].column), (3, 1));
    assert_eq!(
        diagnostics[0].message,
        "'end' expected (to close 'if' at line 1) near <eof>"
    );
    // A shebang line is ignored and line numbers stay right.
    let diagnostics = check("#!/usr/bin/env llmspell\nprint(\n");
    assert_eq!(diagnostics[0].line, 3);
}

#[test]
fn errors_in_loaded_chunks_name_the_chunk() {
    let printed = output(
        Lua,
        r#"
        local f = load("return 1 +", "=snippet")
        print(f)
        local g = load("error('inside')")
        print(pcall(g))
        "#,
    );
    assert_eq!(
        lines(&printed),
        vec!["nil", "false [string \"error('inside')\"]:1: inside"]
    );
}

#[test]
fn errors_inside_coroutines_point_into_the_coroutine() {
    let error =
        failure("local co = coroutine.wrap(function()\n  error(\"inside\")\nend)\n\nco()\n");
    assert_eq!((error.message.as_str(), error.line), ("inside", Some(2)));
}

#[test]
fn a_shebang_line_keeps_line_numbers() {
    let error = failure("#!/usr/bin/env llmspell\nlocal x = 1\nerror(\"third\")\n");
    assert_eq!(error.line, Some(3));
}

#[test]
fn a_panicking_host_function_fails_its_call_with_an_internal_error() {
    use std::sync::Arc;

    use llmspell_bridge::{Function, Module, Registry};
    use llmspell_runtime::RunOptions;

    let mut registry = Registry::new();
    registry.add_module(
        Module::new("bad", "Misbehaves.")
            .function(Function::new("boom").sync(|_| panic!("kaboom"))),
    );
    let registry = Arc::new(registry);
    let run = |code: &str| {
        let spell = Spell::from_source("test.lua", code, Lua);
        llmspell_runtime::run(spell, registry.clone(), RunOptions::default())
    };
    let caught = run("local ok, e = pcall(bad.boom)\nreturn e.code .. ': ' .. e.message").unwrap();
    assert_eq!(
        caught.as_str(),
        Some("internal: bad.boom failed unexpectedly: kaboom")
    );
    let error = run("\nbad.boom()\n").unwrap_err();
    assert_eq!((error.code.as_str(), error.line), ("internal", Some(2)));
}
