//! Parsing never fails: trees plus readable syntax errors, and incremental reparse after edits.

mod common;

use expect_test::{Expect, expect};
use llmspell_syntax::{Language, TextRange, parse};

/// Parses a fixture and lists its errors as `range: message`.
fn check(language: Language, fixture: &str, expect: Expect) {
    let (text, _) = common::cursor(fixture);
    let tree = parse(language, &text);
    let mut actual = String::new();
    for error in tree.errors() {
        actual += &format!("{}: {}\n", common::range(&text, error.range), error.message);
    }
    if actual.is_empty() {
        actual = "no errors\n".to_owned();
    }
    expect.assert_eq(&actual);
}

/// Inserts `insertion` at `$0`, reparses incrementally, and checks that the tree and errors
/// equal a fresh parse of the edited text; shows the errors after the edit.
fn check_edit(language: Language, fixture: &str, insertion: &str, expect: Expect) {
    let (text, cursor) = common::cursor(fixture);
    let cursor = cursor.expect("the fixture has a $0 cursor");
    let mut tree = parse(language, &text);
    tree.edit(TextRange::new(cursor, cursor), insertion);
    let mut edited = text.clone();
    edited.insert_str(cursor, insertion);
    let fresh = parse(language, &edited);
    assert_eq!(tree.text(), edited);
    assert_eq!(tree.to_sexp(), fresh.to_sexp());
    assert_eq!(tree.errors(), fresh.errors());
    let mut actual = format!("before: {} errors\n", parse(language, &text).errors().len());
    for error in tree.errors() {
        actual += &format!(
            "{}: {}\n",
            common::range(&edited, error.range),
            error.message
        );
    }
    expect.assert_eq(&actual);
}

#[test]
fn lua_valid() {
    check(
        Language::Lua,
        "local a = agent.create{ name = \"x\" }\nprint(a:run(\"hi\"))\n",
        expect![[r#"
        no errors
    "#]],
    );
}

#[test]
fn lua_missing_end() {
    check(
        Language::Lua,
        "function f()\n  print(1)\n",
        expect![[r#"
        1:1-2:11: expected `end` to close `function` at 1:1
    "#]],
    );
}

#[test]
fn lua_missing_end_in_if() {
    check(
        Language::Lua,
        "local x = 1\nif x then\n  print(x)\n\nprint(2)\n",
        expect![[r#"
        2:1-5:9: expected `end` to close `if` at 2:1
    "#]],
    );
}

#[test]
fn lua_unexpected_token() {
    check(
        Language::Lua,
        "local x = = 1\n",
        expect![[r#"
        1:11-1:12: unexpected `=`
    "#]],
    );
}

#[test]
fn lua_unclosed_table() {
    check(
        Language::Lua,
        "local a = agent.create{ name = \"x\"\nprint(a)\n",
        expect![[r#"
        1:32-1:35: unexpected `"x"`
        2:9-2:9: expected `}` to close `{` at 1:23
    "#]],
    );
}

#[test]
fn javascript_valid() {
    check(
        Language::JavaScript,
        "const a = agent.create({ name: \"x\" });\nprint(await a.run(\"hi\"));\n",
        expect![[r#"
        no errors
    "#]],
    );
}

#[test]
fn javascript_missing_brace() {
    check(
        Language::JavaScript,
        "function f() {\n  print(1);\n",
        expect![[r#"
        2:12-2:12: expected `}` to close `{` at 1:14
    "#]],
    );
}

#[test]
fn javascript_unexpected_token() {
    check(
        Language::JavaScript,
        "const x = ;\n",
        expect![[r#"
        1:9-1:10: unexpected `=`
    "#]],
    );
}

#[test]
fn javascript_unclosed_call() {
    check(
        Language::JavaScript,
        "print(1;\nprint(2);\n",
        expect![[r#"
        1:8-1:8: expected `)` to close `(` at 1:6
    "#]],
    );
}

#[test]
fn rhai_valid() {
    check(
        Language::Rhai,
        "let a = agent.create(#{ name: \"x\" });\nprint(a.run(\"hi\"));\n",
        expect![[r#"
        no errors
    "#]],
    );
}

#[test]
fn rhai_missing_brace() {
    check(
        Language::Rhai,
        "fn f() {\n  print(1);\n",
        expect![[r#"
        2:12-2:12: expected `}` to close `{` at 1:8
    "#]],
    );
}

#[test]
fn rhai_unexpected_token() {
    check(
        Language::Rhai,
        "let x = ;\n",
        expect![[r#"
        1:7-1:8: unexpected `=`
    "#]],
    );
}

#[test]
fn rhai_edit() {
    check_edit(
        Language::Rhai,
        "fn f() {\n  print(1);\n$0",
        "}\n",
        expect![[r#"
        before: 1 errors
    "#]],
    );
    check_edit(
        Language::Rhai,
        "let m = $0#{ a: 1 };\n",
        "(",
        expect![[r#"
        before: 0 errors
        1:19-1:19: expected `)` to close `(` at 1:9
    "#]],
    );
}

#[test]
fn lua_edit_breaks_then_fixes() {
    check_edit(
        Language::Lua,
        "function f()\n  print(1)\n$0",
        "end\n",
        expect![[r#"
        before: 1 errors
    "#]],
    );
    check_edit(
        Language::Lua,
        "local x = $01\n",
        "=",
        expect![[r#"
        before: 0 errors
        1:11-1:12: unexpected `=`
    "#]],
    );
}

#[test]
fn javascript_edit() {
    check_edit(
        Language::JavaScript,
        "function f() {\n  print(1);\n$0",
        "}\n",
        expect![[r#"
        before: 1 errors
    "#]],
    );
    check_edit(
        Language::JavaScript,
        "const x = $01;\n",
        "(",
        expect![[r#"
        before: 0 errors
        1:13-1:13: expected `)` to close `(` at 1:11
    "#]],
    );
}

#[test]
fn edits_out_of_range_or_inside_a_character_never_panic() {
    let mut tree = parse(Language::Lua, "local s = \"é\"\n");
    tree.edit(TextRange::new(12, 100), "x");
    tree.edit(TextRange::new(500, 400), "y");
    tree.edit(TextRange::new(0, 0), "\u{0}\u{ffff}");
    assert_eq!(tree.text(), "\u{0}\u{ffff}local s = \"xy");
    let tree = parse(Language::JavaScript, "\u{0}{{{{((([[[\"\n`${");
    assert!(!tree.errors().is_empty());
}
