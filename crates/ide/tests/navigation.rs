//! Navigation: the document outline (functions, agents, tools, workflows and their steps,
//! nested), go to definition, find references and document highlight, in all three languages.

mod common;

use expect_test::{Expect, expect};
use llmspell_ide::{Document, DocumentSymbol, HighlightKind, Language, Range};

use common::{fixture, ide};

/// `line:character` (zero-based, as editors send them) of both ends, and the text in between.
fn describe(document: &Document, range: Range) -> String {
    let text_range = document.line_index().text_range(document.text(), range);
    format!(
        "{}:{}-{}:{} `{}`",
        range.start.line,
        range.start.character,
        range.end.line,
        range.end.character,
        document
            .text()
            .get(text_range.start..text_range.end)
            .unwrap_or("?")
    )
}

fn render_symbols(document: &Document, symbols: &[DocumentSymbol], depth: usize, out: &mut String) {
    for symbol in symbols {
        let range = symbol.range;
        out.push_str(&format!(
            "{}{:?} {}{} [{}:{}-{}:{}] name {}\n",
            "  ".repeat(depth),
            symbol.kind,
            symbol.name,
            symbol
                .detail
                .as_ref()
                .map(|detail| format!(" ({detail})"))
                .unwrap_or_default(),
            range.start.line,
            range.start.character,
            range.end.line,
            range.end.character,
            describe(document, symbol.selection_range),
        ));
        assert!(
            range.start <= symbol.selection_range.start && symbol.selection_range.end <= range.end,
            "the selection range of {} lies inside its range",
            symbol.name
        );
        render_symbols(document, &symbol.children, depth + 1, out);
    }
}

fn check_symbols(language: Language, text: &str, expect: Expect) {
    let (document, _) = fixture(language, text);
    let symbols = ide().document_symbols(&document);
    let mut actual = String::new();
    render_symbols(&document, &symbols, 0, &mut actual);
    expect.assert_eq(&actual);
}

fn check_definition(language: Language, text: &str, expect: Expect) {
    let (document, position) = fixture(language, text);
    let actual = match ide().definition(&document, position) {
        Some(location) => format!("{}\n", describe(&document, location.range)),
        None => "no definition\n".to_owned(),
    };
    expect.assert_eq(&actual);
}

/// References with the declaration, then highlights (W = written, R = read).
fn check_references(language: Language, text: &str, expect: Expect) {
    let ide = ide();
    let (document, position) = fixture(language, text);
    let mut actual = String::new();
    for location in ide.references(&document, position, true) {
        actual += &format!("ref {}\n", describe(&document, location.range));
    }
    let without_declaration = ide.references(&document, position, false).len();
    actual += &format!("without the declaration: {without_declaration}\n");
    for highlight in ide.highlights(&document, position) {
        let kind = match highlight.kind {
            HighlightKind::Write => "W",
            HighlightKind::Read => "R",
            HighlightKind::Text => "T",
        };
        actual += &format!("{kind} {}\n", describe(&document, highlight.range));
    }
    expect.assert_eq(&actual);
}

// ----- Document symbols -----

#[test]
fn lua_outline_nests_functions_agents_tools_and_workflow_steps() {
    check_symbols(
        Language::Lua,
        r#"local function outer(a, b)
  local function inner() return a end
  return inner()
end
local helper = function(x) return x end
local poet = agent.create{ name = "poet", system_prompt = "Rhyme" }
tools.define{ name = "lookup", description = "d", params = {}, run = function(args) return 1 end }
local flow = workflow.sequential{
  name = "flow",
  steps = {
    poet,
    { name = "prepare", run = function(s) return s end },
    workflow.parallel{ name = "both", steps = { poet, agent.create{ name = "critic" } } },
  },
}
"#,
        expect![[r#"
            Function outer ((a, b)) [0:0-3:3] name 0:15-0:20 `outer`
              Function inner (()) [1:2-1:37] name 1:17-1:22 `inner`
            Function helper ((x)) [4:0-4:39] name 4:6-4:12 `helper`
            Agent poet (poet) [5:13-5:67] name 5:35-5:39 `poet`
            Tool lookup (tools.define) [6:0-6:98] name 6:22-6:28 `lookup`
            Workflow flow (workflow.sequential) [7:13-14:1] name 8:10-8:14 `flow`
              Step poet [10:4-10:8] name 10:4-10:8 `poet`
              Step prepare [11:4-11:56] name 11:4-11:56 `{ name = "prepare", run = function(s) return s end }`
              Step both (workflow.parallel) [12:4-12:89] name 12:4-12:89 `workflow.parallel{ name = "both", steps = { poet, agent.create{ name = "critic" } } }`
                Step poet [12:48-12:52] name 12:48-12:52 `poet`
                Step critic (agent.create) [12:54-12:85] name 12:54-12:85 `agent.create{ name = "critic" }`
        "#]],
    );
}

#[test]
fn javascript_outline() {
    check_symbols(
        Language::JavaScript,
        r#"function outer(a) {
  const inner = (b) => b;
  return inner(a);
}
const poet = agent.create({ name: "poet" });
const flow = workflow.parallel({ name: "flow", steps: [poet, { name: "count", run: (s) => s }] });
const anonymous = new Agent({ model: "offline/echo" });
"#,
        expect![[r#"
            Function outer ((a)) [0:0-3:1] name 0:9-0:14 `outer`
              Function inner ((b)) [1:2-1:25] name 1:8-1:13 `inner`
            Agent poet (poet) [4:13-4:43] name 4:35-4:39 `poet`
            Workflow flow (workflow.parallel) [5:13-5:97] name 5:40-5:44 `flow`
              Step poet [5:55-5:59] name 5:55-5:59 `poet`
              Step count [5:61-5:93] name 5:61-5:93 `{ name: "count", run: (s) => s }`
            Agent anonymous (anonymous) [6:18-6:54] name 6:18-6:21 `new`
        "#]],
    );
}

#[test]
fn rhai_outline() {
    check_symbols(
        Language::Rhai,
        r#"fn shout(text) {
  text.to_upper()
}
let poet = agent.create(#{ name: "poet" });
let tool = tools.define(#{ name: "lookup", description: "d", params: #{}, run: |args| 1 });
let flow = workflow.sequential(#{ name: "flow", steps: [poet, #{ name: "last", run: |s| s }] });
"#,
        expect![[r#"
            Function shout ((text)) [0:0-2:1] name 0:3-0:8 `shout`
            Agent poet (poet) [3:11-3:42] name 3:34-3:38 `poet`
            Tool lookup (tool) [4:11-4:90] name 4:34-4:40 `lookup`
            Workflow flow (workflow.sequential) [5:11-5:95] name 5:41-5:45 `flow`
              Step poet [5:56-5:60] name 5:56-5:60 `poet`
              Step last [5:62-5:91] name 5:62-5:91 `#{ name: "last", run: |s| s }`
        "#]],
    );
}

#[test]
fn outline_of_broken_code_keeps_what_it_can() {
    check_symbols(
        Language::Lua,
        "local poet = agent.create{ name = \"poet\" }\nfunction half(x\n  local y = \n",
        expect![[r#"
            Agent poet (poet) [0:13-0:42] name 0:35-0:39 `poet`
            Function half [1:9-1:13] name 1:9-1:13 `half`
        "#]],
    );
}

// ----- Go to definition -----

#[test]
fn lua_definition_of_a_local_jumps_to_its_declaration() {
    check_definition(
        Language::Lua,
        "local count = 1\nlocal function bump()\n  return co$0unt + 1\nend\n",
        expect![[r#"
            0:6-0:11 `count`
        "#]],
    );
}

#[test]
fn javascript_definition_of_a_parameter_and_of_a_function() {
    check_definition(
        Language::JavaScript,
        "function twice(value) {\n  return val$0ue * 2;\n}\n",
        expect![[r#"
            0:15-0:20 `value`
        "#]],
    );
    check_definition(
        Language::JavaScript,
        "print(twi$0ce(2));\nfunction twice(value) { return value * 2; }\n",
        expect![[r#"
            1:9-1:14 `twice`
        "#]],
    );
}

#[test]
fn lua_global_function_called_above_its_definition() {
    check_definition(
        Language::Lua,
        "function main()\n  return hel$0per(1)\nend\nfunction helper(x) return x end\nprint(main())\n",
        expect![[r#"
            3:9-3:15 `helper`
        "#]],
    );
    check_references(
        Language::Lua,
        "function main()\n  return helper(1)\nend\nfunction hel$0per(x) return x end\nhelper(2)\n",
        expect![[r#"
            ref 1:9-1:15 `helper`
            ref 3:9-3:15 `helper`
            ref 4:0-4:6 `helper`
            without the declaration: 2
            R 1:9-1:15 `helper`
            W 3:9-3:15 `helper`
            R 4:0-4:6 `helper`
        "#]],
    );
}

#[test]
fn rhai_definition_respects_shadowing() {
    check_definition(
        Language::Rhai,
        "let x = 1;\n{\n  let x = 2;\n  print(x$0);\n}\n",
        expect![[r#"
            2:6-2:7 `x`
        "#]],
    );
}

#[test]
fn definition_of_a_script_tool_from_its_name_in_a_tools_list() {
    check_definition(
        Language::Lua,
        "tools.define{ name = \"lookup\", run = function(a) return a end }\nlocal r = agent.create{ name = \"r\", tools = { \"calculator\", \"look$0up\" } }\n",
        expect![[r#"
            0:22-0:28 `lookup`
        "#]],
    );
    check_definition(
        Language::JavaScript,
        "tools.define({ name: \"lookup\", run: (a) => a });\nawait tools.call(\"look$0up\", {});\n",
        expect![[r#"
            0:22-0:28 `lookup`
        "#]],
    );
    check_definition(
        Language::Rhai,
        "tools.define(#{ name: \"lookup\", run: |a| a });\nlet r = agent.create(#{ name: \"r\", tools: [\"lookup$0\"] });\n",
        expect![[r#"
            0:23-0:29 `lookup`
        "#]],
    );
}

#[test]
fn no_definition_for_host_modules_builtin_tools_or_whitespace() {
    check_definition(
        Language::Lua,
        "agent.cre$0ate{}\n",
        expect!["no definition\n"],
    );
    check_definition(
        Language::Lua,
        "local r = agent.create{ name = \"r\", tools = { \"calcu$0lator\" } }\n",
        expect!["no definition\n"],
    );
    check_definition(Language::JavaScript, "$0\n\n", expect!["no definition\n"]);
}

// ----- References and highlights -----

#[test]
fn lua_references_respect_scopes_and_mark_assignments() {
    check_references(
        Language::Lua,
        "local n = 1\nn = n + 1\nlocal function f()\n  local n = 5\n  return n\nend\nprint(n$0)\n",
        expect![[r#"
            ref 0:6-0:7 `n`
            ref 1:0-1:1 `n`
            ref 1:4-1:5 `n`
            ref 6:6-6:7 `n`
            without the declaration: 3
            W 0:6-0:7 `n`
            W 1:0-1:1 `n`
            R 1:4-1:5 `n`
            R 6:6-6:7 `n`
        "#]],
    );
}

#[test]
fn javascript_references_of_a_function() {
    check_references(
        Language::JavaScript,
        "function $0greet(name) { return name; }\ngreet(\"a\");\nlet g = greet;\ng = null;\n",
        expect![[r#"
            ref 0:9-0:14 `greet`
            ref 1:0-1:5 `greet`
            ref 2:8-2:13 `greet`
            without the declaration: 2
            W 0:9-0:14 `greet`
            R 1:0-1:5 `greet`
            R 2:8-2:13 `greet`
        "#]],
    );
}

#[test]
fn rhai_references_of_a_parameter_stay_in_its_function() {
    check_references(
        Language::Rhai,
        "let x = 10;\nfn add(x) {\n  x += 1;\n  $0x\n}\nprint(x);\n",
        expect![[r#"
            ref 1:7-1:8 `x`
            ref 2:2-2:3 `x`
            ref 3:2-3:3 `x`
            without the declaration: 2
            W 1:7-1:8 `x`
            W 2:2-2:3 `x`
            R 3:2-3:3 `x`
        "#]],
    );
}

#[test]
fn references_of_a_script_tool_are_its_name_strings() {
    check_references(
        Language::JavaScript,
        r#"tools.define({ name: "lookup", run: (args) => 1 });
const a = agent.create({ name: "a", tools: ["lookup", "calculator"] });
const b = agent.create({ name: "b", tools: ["look$0up"] });
await tools.call("lookup", {});
"#,
        expect![[r#"
            ref 0:22-0:28 `lookup`
            ref 1:45-1:51 `lookup`
            ref 2:45-2:51 `lookup`
            ref 3:18-3:24 `lookup`
            without the declaration: 3
            W 0:22-0:28 `lookup`
            R 1:45-1:51 `lookup`
            R 2:45-2:51 `lookup`
            R 3:18-3:24 `lookup`
        "#]],
    );
}

#[test]
fn nothing_to_reference_on_a_keyword_or_out_of_range() {
    check_references(
        Language::Lua,
        "lo$0cal x = 1\n",
        expect!["without the declaration: 0\n"],
    );
    let ide = ide();
    let (document, _) = fixture(Language::Rhai, "let x = 1;\n");
    let far = llmspell_ide::Position::new(99, 99);
    assert!(ide.references(&document, far, true).is_empty());
    assert!(ide.highlights(&document, far).is_empty());
    assert!(ide.definition(&document, far).is_none());
}
