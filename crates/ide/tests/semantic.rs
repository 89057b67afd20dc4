//! Semantic tokens: host modules, host functions, methods and fields marked as the host's,
//! and the spell's own functions, parameters and variables, in all three languages.

mod common;

use expect_test::{Expect, expect};
use llmspell_ide::{Language, SemanticTokenKind};

use common::{fixture, ide};

/// One line per token: position, kind (`+host` for the host API) and the text it covers.
fn check(language: Language, text: &str, expect: Expect) {
    let (document, _) = fixture(language, text);
    let tokens = ide().semantic_tokens(&document);
    let mut actual = String::new();
    let mut previous = None;
    for token in &tokens {
        assert_eq!(
            token.range.start.line, token.range.end.line,
            "a token stays within one line"
        );
        assert!(
            previous <= Some(token.range.start),
            "tokens come in document order"
        );
        previous = Some(token.range.end);
        let text_range = document
            .line_index()
            .text_range(document.text(), token.range);
        let kind = match token.kind {
            SemanticTokenKind::Module => "module",
            SemanticTokenKind::Function => "function",
            SemanticTokenKind::Method => "method",
            SemanticTokenKind::Variable => "variable",
            SemanticTokenKind::Parameter => "parameter",
            SemanticTokenKind::Property => "property",
        };
        actual += &format!(
            "{}:{} {kind}{} `{}`\n",
            token.range.start.line,
            token.range.start.character,
            if token.host { "+host" } else { "" },
            &document.text()[text_range.start..text_range.end]
        );
    }
    expect.assert_eq(&actual);
}

#[test]
fn lua_host_modules_functions_methods_and_spell_symbols() {
    check(
        Language::Lua,
        r#"local a = Agent.new{ name = "a" }
local function ask(question)
  return a:run(question) .. a.name
end
print(ask("hi"), spell.name, agent.craete)
"#,
        expect![[r#"
            0:6 variable `a`
            0:10 module+host `Agent`
            0:16 function+host `new`
            1:15 function `ask`
            1:19 parameter `question`
            2:9 variable `a`
            2:11 method+host `run`
            2:15 parameter `question`
            2:28 variable `a`
            2:30 property+host `name`
            4:0 function+host `print`
            4:6 function `ask`
            4:17 module+host `spell`
            4:23 property+host `name`
            4:29 module+host `agent`
        "#]],
    );
}

#[test]
fn lua_a_shadowed_module_is_a_plain_variable() {
    check(
        Language::Lua,
        "local json = { encode = 1 }\nprint(json.encode)\nlocal print = 2\nprint(3)\n",
        expect![[r#"
            0:6 variable `json`
            1:0 function+host `print`
            1:6 variable `json`
            2:6 variable `print`
            3:0 variable `print`
        "#]],
    );
}

#[test]
fn javascript_tokens() {
    check(
        Language::JavaScript,
        r#"const helper = new Agent({ name: "h" });
const flow = workflow.sequential({ name: "f", steps: [helper] });
const out = await flow.run("go");
console.log(out.get("output"));
"#,
        expect![[r#"
            0:6 variable `helper`
            0:19 module+host `Agent`
            1:6 variable `flow`
            1:13 module+host `workflow`
            1:22 function+host `sequential`
            1:54 variable `helper`
            2:6 variable `out`
            2:18 variable `flow`
            2:23 method+host `run`
            3:12 variable `out`
            3:16 method+host `get`
        "#]],
    );
}

#[test]
fn rhai_tokens_with_paths_and_unicode() {
    check(
        Language::Rhai,
        r#"print("é😀"); let st = state::create(#{ "clé": 1 });
fn show(s) { print(s.get("clé")); }
show(st.set("x", 1));
"#,
        expect![[r#"
            0:0 function+host `print`
            0:18 variable `st`
            0:23 module+host `state`
            0:30 function+host `create`
            1:3 function `show`
            1:8 parameter `s`
            1:13 function+host `print`
            1:19 parameter `s`
            2:0 function `show`
            2:5 variable `st`
            2:8 method+host `set`
        "#]],
    );
}

#[test]
fn broken_code_still_gets_tokens() {
    check(
        Language::Lua,
        "local a = agent.create{ name = \nprint(a:\n",
        expect![[r#"
            0:6 variable `a`
            0:10 module+host `agent`
            0:16 function+host `create`
            1:6 variable `a`
        "#]],
    );
}
