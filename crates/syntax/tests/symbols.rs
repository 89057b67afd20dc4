//! Symbols and scopes: functions, locals and parameters with definition and reference ranges.

mod common;

use expect_test::{Expect, expect};
use llmspell_syntax::{HostApi, Language, analyze, parse};

/// Lists every symbol: kind, name, definition, references and the scope it lives in.
fn check(language: Language, fixture: &str, expect: Expect) {
    let (text, _) = common::cursor(fixture);
    let analysis = analyze(&parse(language, &text), &HostApi::default());
    let mut actual = String::new();
    for symbol in &analysis.symbols {
        let scope = analysis.scopes[symbol.scope.0].range;
        let references: Vec<String> = symbol
            .references
            .iter()
            .map(|range| common::position(&text, range.start))
            .collect();
        actual += &format!(
            "{:?} {} @{} refs [{}] scope {}\n",
            symbol.kind,
            symbol.name,
            common::position(&text, symbol.definition.start),
            references.join(", "),
            common::range(&text, scope),
        );
    }
    expect.assert_eq(&actual);
}

/// Finds the symbol at `$0` and shows its definition and references.
fn check_references(language: Language, fixture: &str, expect: Expect) {
    let (text, cursor) = common::cursor(fixture);
    let analysis = analyze(&parse(language, &text), &HostApi::default());
    let actual = match analysis.symbol_at(cursor.expect("a $0 cursor")) {
        Some(id) => {
            let symbol = analysis.symbol(id);
            let references: Vec<String> = symbol
                .references
                .iter()
                .map(|range| common::range(&text, *range))
                .collect();
            format!(
                "{} defined {} used {}\n",
                symbol.name,
                common::range(&text, symbol.definition),
                references.join(", ")
            )
        }
        None => "no symbol\n".to_owned(),
    };
    expect.assert_eq(&actual);
}

/// Lists the names visible at `$0`, innermost first.
fn check_visible(language: Language, fixture: &str, expect: Expect) {
    let (text, cursor) = common::cursor(fixture);
    let analysis = analyze(&parse(language, &text), &HostApi::default());
    let names: Vec<String> = analysis
        .visible_at(cursor.expect("a $0 cursor"))
        .into_iter()
        .map(|id| {
            format!(
                "{:?} {}",
                analysis.symbol(id).kind,
                analysis.symbol(id).name
            )
        })
        .collect();
    expect.assert_eq(&(names.join("\n") + "\n"));
}

#[test]
fn lua_locals_functions_and_parameters() {
    check(
        Language::Lua,
        r#"local count = 0
local function add(a, b)
  local sum = a + b
  count = count + sum
  return sum
end
function greet(name) print(name) end
total = add(1, 2)
for i, v in ipairs({}) do print(i, v) end
"#,
        expect![[r#"
            Local count @1:7 refs [4:3, 4:11] scope 1:1-10:1
            Function add @2:16 refs [8:9] scope 1:1-10:1
            Parameter a @2:20 refs [3:15] scope 2:1-6:4
            Parameter b @2:23 refs [3:19] scope 2:1-6:4
            Local sum @3:9 refs [4:19, 5:10] scope 3:3-6:1
            Function greet @7:10 refs [] scope 1:1-10:1
            Parameter name @7:16 refs [7:28] scope 7:1-7:37
            Global total @8:1 refs [] scope 1:1-10:1
            Local i @9:5 refs [9:33] scope 9:1-9:42
            Local v @9:8 refs [9:36] scope 9:1-9:42
        "#]],
    );
}

#[test]
fn lua_shadowing_and_local_self_reference() {
    check(
        Language::Lua,
        r#"local x = 1
do
  local x = x + 1
  print(x)
end
print(x)
"#,
        expect![[r#"
            Local x @1:7 refs [3:13, 6:7] scope 1:1-7:1
            Local x @3:9 refs [4:9] scope 3:3-5:1
        "#]],
    );
}

#[test]
fn lua_references_at_cursor() {
    check_references(
        Language::Lua,
        "local agent_one = 1\nprint(agent_$0one)\nagent_one = agent_one + 1\n",
        expect![[r#"
            agent_one defined 1:7-1:16 used 2:7-2:16, 3:1-3:10, 3:13-3:22
        "#]],
    );
    check_references(
        Language::Lua,
        "local t = {}\nprint(t.fi$0eld)\n",
        expect![[r#"
        no symbol
    "#]],
    );
}

#[test]
fn lua_visible_names() {
    check_visible(
        Language::Lua,
        "local a = 1\nlocal function f(b)\n  local c = 2\n  $0\nend\nlocal d = 3\n",
        expect![[r#"
            Local c
            Parameter b
            Function f
            Local a
        "#]],
    );
}

#[test]
fn javascript_locals_functions_and_parameters() {
    check(
        Language::JavaScript,
        r#"let count = 0;
function add(a, b = 1) {
  const sum = a + b;
  count = count + sum;
  return sum;
}
const greet = (name) => print(name);
const { x, y: why } = point;
for (let i = 0; i < 3; i++) { print(i); }
try { add(1); } catch (error) { print(error); }
"#,
        expect![[r#"
            Local count @1:5 refs [4:3, 4:11] scope 1:1-11:1
            Function add @2:10 refs [10:7] scope 1:1-11:1
            Parameter a @2:14 refs [3:15] scope 2:1-6:2
            Parameter b @2:17 refs [3:19] scope 2:1-6:2
            Local sum @3:9 refs [4:19, 5:10] scope 2:1-6:2
            Local greet @7:7 refs [] scope 1:1-11:1
            Parameter name @7:16 refs [7:31] scope 7:15-7:36
            Local x @8:9 refs [] scope 1:1-11:1
            Local why @8:15 refs [] scope 1:1-11:1
            Local i @9:10 refs [9:17, 9:24, 9:37] scope 9:1-9:42
            Local error @10:24 refs [10:39] scope 10:17-10:48
        "#]],
    );
}

#[test]
fn javascript_references_and_shadowing() {
    check_references(
        Language::JavaScript,
        "const value = 1;\n{ const value = 2; print(value); }\nprint(val$0ue);\n",
        expect![[r#"
            value defined 1:7-1:12 used 3:7-3:12
        "#]],
    );
    check_references(
        Language::JavaScript,
        "function fact(n) { return n <= 1 ? 1 : n * fa$0ct(n - 1); }\n",
        expect![[r#"
            fact defined 1:10-1:14 used 1:44-1:48
        "#]],
    );
}

#[test]
fn javascript_loops() {
    check(
        Language::JavaScript,
        "const items = [1];\nfor (const item of items) { print(item); }\nlet key;\nfor (key in items) print(key);\n",
        expect![[r#"
            Local items @1:7 refs [2:20, 4:13] scope 1:1-5:1
            Local item @2:12 refs [2:35] scope 2:1-2:43
            Local key @3:5 refs [4:6, 4:26] scope 1:1-5:1
        "#]],
    );
}

#[test]
fn javascript_visible_names() {
    check_visible(
        Language::JavaScript,
        "const a = 1;\nfunction f(b) {\n  const c = 2;\n  $0\n}\nconst d = 3;\n",
        expect![[r#"
            Local c
            Parameter b
            Function f
            Local a
        "#]],
    );
}

#[test]
fn rhai_locals_functions_and_parameters() {
    check(
        Language::Rhai,
        r#"let count = 0;
fn add(a, b) {
    let sum = a + b;
    sum
}
const LIMIT = 3;
let double = |x| x * 2;
for (item, index) in [1, 2] { print(item + index); }
try { add(1, 2); } catch (error) { print(error); }
count = add(count, LIMIT);
let count = count + 1;
"#,
        expect![[r#"
            Local count @1:5 refs [10:1, 10:13, 11:13] scope 1:1-12:1
            Function add @2:4 refs [9:7, 10:9] scope 1:1-12:1
            Parameter a @2:8 refs [3:15] scope 2:1-5:2
            Parameter b @2:11 refs [3:19] scope 2:1-5:2
            Local sum @3:9 refs [4:5] scope 2:1-5:2
            Local LIMIT @6:7 refs [10:20] scope 1:1-12:1
            Local double @7:5 refs [] scope 1:1-12:1
            Parameter x @7:15 refs [7:18] scope 7:14-7:23
            Local item @8:6 refs [8:37] scope 8:1-8:53
            Local index @8:12 refs [8:44] scope 8:1-8:53
            Local error @9:27 refs [9:42] scope 9:20-9:51
            Local count @11:5 refs [] scope 1:1-12:1
        "#]],
    );
}

#[test]
fn rhai_functions_do_not_see_spell_variables() {
    check(
        Language::Rhai,
        "let secret = 1;\nfn helper() { 2 }\nfn f(x) {\n    helper() + secret + x\n}\n",
        expect![[r#"
            Local secret @1:5 refs [] scope 1:1-6:1
            Function helper @2:4 refs [4:5] scope 1:1-6:1
            Function f @3:4 refs [] scope 1:1-6:1
            Parameter x @3:6 refs [4:25] scope 3:1-5:2
        "#]],
    );
    check_visible(
        Language::Rhai,
        "let secret = 1;\nfn helper() { 2 }\nfn f(x) {\n    $0\n}\n",
        expect![[r#"
            Parameter x
            Function f
            Function helper
        "#]],
    );
}

#[test]
fn rhai_references_and_visible_names() {
    check_references(
        Language::Rhai,
        "let value = 1;\n{ let value = 2; print(value); }\nprint(val$0ue);\n",
        expect![[r#"
            value defined 1:5-1:10 used 3:7-3:12
        "#]],
    );
    check_visible(
        Language::Rhai,
        "let a = 1;\nfn f(b) {\n    let c = 2;\n    $0\n}\nlet d = 3;\n",
        expect![[r#"
            Local c
            Parameter b
            Function f
        "#]],
    );
}

#[test]
fn symbols_on_broken_code() {
    // The function being typed is an `ERROR` node in Lua and JavaScript: its name and
    // parameters are still found, for completion while typing.
    check(
        Language::Lua,
        "local a = 1\nfunction f(x)\n  print(a, x\n",
        expect![[r#"
            Local a @1:7 refs [3:9] scope 1:1-4:1
            Function f @2:10 refs [] scope 1:1-4:1
            Parameter x @2:12 refs [3:12] scope 2:11-4:1
        "#]],
    );
    check_visible(
        Language::Rhai,
        "let a = 1;\nfn f(x) {\n  print(a, x$0\n",
        expect![[r#"
            Parameter x
            Function f
        "#]],
    );
    check(
        Language::JavaScript,
        "const a = 1;\nfunction f(x) {\n  print(a, x\n",
        expect![[r#"
            Local a @1:7 refs [3:9] scope 1:1-4:1
            Function f @2:10 refs [] scope 1:1-4:1
            Parameter x @2:12 refs [3:12] scope 2:11-3:13
        "#]],
    );
}
