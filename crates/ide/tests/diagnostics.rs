//! Diagnostics in all three languages: syntax errors, unknown members and methods, argument
//! counts and literal types, config keys, tool and model names — each with its range, severity
//! and stable code — and silence wherever the spell is right or the value is not a literal.

mod common;

use expect_test::{Expect, expect};
use llmspell_ide::{DIAGNOSTIC_CODES, Document, Ide, Language, ProjectConfig, Severity};

use common::{fixture, ide};

fn render(ide: &Ide, document: &Document) -> String {
    let mut actual = String::new();
    for diagnostic in ide.diagnostics(document) {
        let range = diagnostic.range;
        let text_range = document.line_index().text_range(document.text(), range);
        let severity = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "info",
            Severity::Hint => "hint",
        };
        assert!(
            DIAGNOSTIC_CODES.contains(&diagnostic.code),
            "{} is a documented code",
            diagnostic.code
        );
        actual += &format!(
            "{}:{}-{}:{} {severity} {} `{}`: {}\n",
            range.start.line,
            range.start.character,
            range.end.line,
            range.end.character,
            diagnostic.code,
            document
                .text()
                .get(text_range.start..text_range.end)
                .unwrap_or("?"),
            diagnostic.message
        );
    }
    actual
}

fn check(language: Language, text: &str, expect: Expect) {
    let (document, _) = fixture(language, text);
    expect.assert_eq(&render(&ide(), &document));
}

// ----- The acceptance case: a typo in a module member -----

#[test]
fn lua_typo_in_agent_create() {
    check(
        Language::Lua,
        "local a = agent.craete{ name = \"a\" }\n",
        expect![[r#"
            0:16-0:22 error unknown-member `craete`: module `agent` has no member `craete`; did you mean `create`?
        "#]],
    );
}

#[test]
fn javascript_typo_in_agent_create() {
    check(
        Language::JavaScript,
        "const a = agent.craete({ name: \"a\" });\n",
        expect![[r#"
            0:16-0:22 error unknown-member `craete`: module `agent` has no member `craete`; did you mean `create`?
        "#]],
    );
}

#[test]
fn rhai_typo_in_agent_create_and_in_a_path() {
    check(
        Language::Rhai,
        "let a = agent.craete(#{ name: \"a\" });\nlet b = agent::craete(#{ name: \"b\" });\n",
        expect![[r#"
            0:14-0:20 error unknown-member `craete`: module `agent` has no member `craete`; did you mean `create`?
            1:15-1:21 error unknown-member `craete`: module `agent` has no member `craete`; did you mean `create`?
        "#]],
    );
}

// ----- Members and methods -----

#[test]
fn lua_unknown_method_on_an_agent_and_a_read_of_an_unknown_field() {
    check(
        Language::Lua,
        "local a = agent.create{ name = \"a\" }\nprint(a:rnu(\"x\"), a.nme, a.name, a:run(\"y\"))\nlocal n = spell.nmae\nlocal t = params.anything\n",
        expect![[r#"
            1:8-1:11 error unknown-method `rnu`: `Agent` has no method `rnu`; did you mean `run`?
            1:20-1:23 warning unknown-method `nme`: `Agent` has no method or field `nme`; did you mean `name`?
            2:16-2:20 warning unknown-member `nmae`: module `spell` has no member `nmae`; did you mean `name`?
        "#]],
    );
}

#[test]
fn javascript_unknown_method_and_object_prototype_names() {
    check(
        Language::JavaScript,
        "const w = workflow.sequential({ name: \"w\", steps: [] });\nawait w.runn(\"x\");\nprint(w.toString(), w.name, w.kind);\nw.run(\"x\").then((s) => print(s));\n",
        expect![[r#"
            1:8-1:12 error unknown-method `runn`: `Workflow` has no method `runn`; did you mean `run`?
        "#]],
    );
}

#[test]
fn rhai_method_style_calls_of_script_functions_are_not_unknown_methods() {
    check(
        Language::Rhai,
        "fn shout(a) { a.name }\nlet a = agent.create(#{ name: \"a\" });\nprint(a.shout());\nprint(a.type_of());\nprint(a.whisper());\n",
        expect![[r#"
            4:8-4:15 error unknown-method `whisper`: `Agent` has no method `whisper`
        "#]],
    );
}

#[test]
fn shadowed_modules_and_untyped_values_say_nothing() {
    check(
        Language::Lua,
        "local agent = { craete = function() end }\nagent.craete()\nlocal t = {}\nt:anything()\n",
        expect![""],
    );
    check(
        Language::JavaScript,
        "function f(agent) { return agent.craete(); }\nconst x = JSON.stringify({});\nconsole.log(x.length);\n",
        expect![""],
    );
}

#[test]
fn members_the_spell_sets_itself_are_not_unknown() {
    check(
        Language::Lua,
        "function agent.helper() return 1 end\nprint(agent.helper())\nspell.extra = 1\nprint(spell.extra, spell.other)\n",
        expect![[r#"
            3:25-3:30 warning unknown-member `other`: module `spell` has no member `other`
        "#]],
    );
    check(
        Language::JavaScript,
        "agent.helper = () => 1;\nprint(agent.helper(), agent.helpr());\n",
        expect![[r#"
            1:28-1:33 error unknown-member `helpr`: module `agent` has no member `helpr`
        "#]],
    );
    check(
        Language::Rhai,
        "spell.extra = 1;\nprint(spell.extra);\n",
        expect![""],
    );
}

// ----- Argument counts -----

#[test]
fn lua_argument_counts() {
    check(
        Language::Lua,
        "json.decode()\nfs.exists(\"a\", \"b\")\njson.encode(1, true, nil)\nfs.read(\"a\", ...)\nfs.read(g())\n",
        expect![[r#"
            0:11-0:13 error argument-count `()`: `json.decode` expects 1 argument, got 0
            1:15-1:18 error argument-count `"b"`: `fs.exists` expects 1 argument, got 2
        "#]],
    );
}

#[test]
fn javascript_argument_counts_and_spreads() {
    check(
        Language::JavaScript,
        "json.decode();\nfs.write(\"a\");\nfs.write(...args);\nconst a = agent.create({ name: \"a\" });\nawait a.run();\nawait a.run(\"x\", \"y\");\n",
        expect![[r#"
            0:11-0:13 error argument-count `()`: `json.decode` expects 1 argument, got 0
            1:8-1:13 error argument-count `("a")`: `fs.write` expects 2 arguments, got 1
            4:11-4:13 error argument-count `()`: `Agent.run` expects 1 argument, got 0
            5:17-5:20 error argument-count `"y"`: `Agent.run` expects 1 argument, got 2
        "#]],
    );
}

#[test]
fn rhai_argument_counts_on_methods() {
    check(
        Language::Rhai,
        "let s = state.create(#{});\nlet t = s.set(\"k\");\nlet u = s.get(\"k\", 1, 2);\nlet v = s.keys();\n",
        expect![[r#"
            1:13-1:18 error argument-count `("k")`: `State.set` expects 2 arguments, got 1
            2:19-2:23 error argument-count `1, 2`: `State.get` expects 1 argument, got 3
        "#]],
    );
}

#[test]
fn lua_dot_call_with_the_object_as_first_argument_is_a_method_call() {
    check(
        Language::Lua,
        "local s = state.create({})\nlocal t = s.set(s, \"k\", 1)\nlocal u = s:set(\"k\", 1)\n",
        expect![""],
    );
}

// ----- Literal types -----

#[test]
fn lua_literal_types() {
    check(
        Language::Lua,
        "fs.read(42)\nfs.write(\"a.txt\", { 1 })\nevents.on(\"x\", 42)\nevents.off(1.5)\nfs.read(nil)\nlocal p = \"x\"\nfs.read(p)\nhttp.post(\"u\", { a = 1 })\n",
        expect![[r#"
            0:8-0:10 error argument-type `42`: `fs.read`: parameter `path` expects str, got int 42
            1:18-1:23 error argument-type `{ 1 }`: `fs.write`: parameter `text` expects str, got list
            2:15-2:17 error argument-type `42`: `events.on`: parameter `handler` expects fn, got int 42
            3:11-3:14 error argument-type `1.5`: `events.off`: parameter `id` expects int, got float 1.5
            4:8-4:11 error argument-type `nil`: `fs.read`: parameter `path` expects str, got nil
        "#]],
    );
}

#[test]
fn javascript_literal_types() {
    check(
        Language::JavaScript,
        "fs.read(42);\nstate.create(\"not a map\");\nevents.on(\"x\", () => 1);\nevents.emit(7);\nfs.write(`a`, `b ${x}`);\n",
        expect![[r#"
            0:8-0:10 error argument-type `42`: `fs.read`: parameter `path` expects str, got int 42
            1:13-1:24 error argument-type `"not a map"`: `state.create`: parameter `values` expects map, got str "not a map"
            3:12-3:13 error argument-type `7`: `events.emit`: parameter `name` expects str, got int 7
        "#]],
    );
}

#[test]
fn rhai_literal_types() {
    check(
        Language::Rhai,
        "fs.read(42);\nlet s = state.create(#{}).set(1, \"x\");\nevents.on(\"x\", |e| 1);\njson.encode([1], \"yes\");\n",
        expect![[r#"
            0:8-0:10 error argument-type `42`: `fs.read`: parameter `path` expects str, got int 42
            1:30-1:31 error argument-type `1`: `State.set`: parameter `key` expects str, got int 1
            3:17-3:22 error argument-type `"yes"`: `json.encode`: parameter `pretty` expects bool, got str "yes"
        "#]],
    );
}

// ----- Config maps -----

#[test]
fn lua_config_keys_unknown_missing_and_typed() {
    check(
        Language::Lua,
        r#"local a = agent.create{ name = "a", colour = "red", max_turns = "many", memory = true }
local b = agent.create{ system_prompt = "x" }
local c = agent.create{ name = "c", [key] = 1 }
local d = agent.create{ "positional", model = "offline/echo" }
"#,
        expect![[r#"
            0:36-0:42 error unknown-key `colour`: `agent.create`: unknown config key `colour` (expected name, model, system_prompt, tools, temperature, max_tokens, max_turns, memory, input_key, output_key)
            0:64-0:70 error argument-type `"many"`: `agent.create`: `config.max_turns` expects int, got str "many"
            1:22-1:23 error missing-key `{`: `agent.create`: config key `name` is required
        "#]],
    );
}

#[test]
fn javascript_nested_config_keys_in_workflow_steps() {
    check(
        Language::JavaScript,
        r#"const w = workflow.sequential({
  name: "w",
  steps: [
    { name: "one", run: (s) => s, on_eror: "continue" },
    { name: "two", run: (s) => s, on_error: { retry: "twice" } },
    { run: (s) => s },
    42,
  ],
});
const p = workflow.parallel({ name: "p", steps: [], ...more });
const q = workflow.parallel({ steps: [] });
"#,
        expect![[r#"
            3:34-3:41 error unknown-key `on_eror`: `workflow.sequential`: unknown config.steps item 1 key `on_eror` (expected name, run, on_error); did you mean `on_error`?
            4:53-4:60 error argument-type `"twice"`: `workflow.sequential`: `config.steps item 2.on_error.retry` expects int, got str "twice"
            6:4-6:6 error argument-type `42`: `workflow.sequential`: `config.steps item 4` expects Agent | Tool | Workflow | object | fn | StepConfig, got int 42
            10:28-10:29 error missing-key `{`: `workflow.parallel`: config key `name` is required
        "#]],
    );
}

#[test]
fn rhai_llm_request_keys_and_messages() {
    check(
        Language::Rhai,
        r#"let r = llm.chat(#{ prompt: "hi", temprature: 0.5 });
let s = llm.chat(#{ messages: [#{ role: "user", content: 1 }] });
let t = llm.complete("just a prompt");
"#,
        expect![[r#"
            0:34-0:44 error unknown-key `temprature`: `llm.chat`: unknown request key `temprature` (expected prompt, messages, system, model, temperature, max_tokens, schema, tools); did you mean `temperature`?
            1:57-1:58 error argument-type `1`: `llm.chat`: `request.messages item 1.content` expects str, got int 1
        "#]],
    );
}

#[test]
fn constructor_and_path_calls_are_checked_like_create() {
    check(
        Language::JavaScript,
        "const a = new Agent({ name: \"a\", colour: 1 });\nconst s = new State(\"x\");\n",
        expect![[r#"
            0:33-0:39 error unknown-key `colour`: `agent.create`: unknown config key `colour` (expected name, model, system_prompt, tools, temperature, max_tokens, max_turns, memory, input_key, output_key)
            1:20-1:23 error argument-type `"x"`: `state.create`: parameter `values` expects map, got str "x"
        "#]],
    );
    check(
        Language::Rhai,
        "let a = agent::create(#{ colour: 1 });\n",
        expect![[r#"
            0:22-0:24 error missing-key `#{`: `agent.create`: config key `name` is required
            0:25-0:31 error unknown-key `colour`: `agent.create`: unknown config key `colour` (expected name, model, system_prompt, tools, temperature, max_tokens, max_turns, memory, input_key, output_key)
        "#]],
    );
}

// ----- Tools and models -----

#[test]
fn lua_unknown_tool_names_and_script_tools() {
    check(
        Language::Lua,
        r#"tools.define{ name = "lookup", description = "d", run = function(args) return 1 end }
local a = agent.create{ name = "a", tools = { "calculator", "lookup", "calculater", "nothing_like_it" } }
"#,
        expect![[r#"
            1:71-1:81 error unknown-tool `calculater`: no tool named `calculater`: it is neither built in nor defined in this spell; did you mean `calculator`?
            1:85-1:100 error unknown-tool `nothing_like_it`: no tool named `nothing_like_it`: it is neither built in nor defined in this spell
        "#]],
    );
}

#[test]
fn a_tool_defined_with_a_computed_name_silences_unknown_tools() {
    check(
        Language::JavaScript,
        "tools.define({ name: prefix + \"x\", run: (a) => a });\nconst a = agent.create({ name: \"a\", tools: [\"anything\"] });\n",
        expect![""],
    );
}

#[test]
fn unknown_models_when_the_config_lists_models() {
    check(
        Language::Rhai,
        r#"let a = agent.create(#{ name: "a", model: "openai/gpt-4o" });
let b = agent.create(#{ name: "b", model: "fast" });
let c = agent.create(#{ name: "c", model: "openai/gpt-4" });
let d = agent.create(#{ name: "d", model: "mistral/large" });
let e = llm.chat(#{ prompt: "x", model: "offline/echoo" });
"#,
        expect![[r#"
            2:43-2:55 warning unknown-model `openai/gpt-4`: model `openai/gpt-4` is not configured in llmspell.toml; did you mean `openai/gpt-4o`?
            3:43-3:56 warning unknown-model `mistral/large`: model `mistral/large` is not configured in llmspell.toml (known: offline/echo, openai/gpt-4o, openai/gpt-4o-mini, fast)
            4:41-4:54 warning unknown-model `offline/echoo`: model `offline/echoo` is not configured in llmspell.toml; did you mean `offline/echo`?
        "#]],
    );
}

#[test]
fn no_model_diagnostics_when_the_config_lists_no_models() {
    let manifest = llmspell_host::manifest_registry().manifest();
    let ide = Ide::new(&manifest, ProjectConfig::default());
    let (document, _) = fixture(
        Language::Lua,
        "local a = agent.create{ name = \"a\", model = \"whatever/model\" }\n",
    );
    assert_eq!(render(&ide, &document), "");
}

// ----- Syntax errors and broken code -----

#[test]
fn syntax_errors_in_each_language() {
    check(
        Language::Lua,
        "local x = \nprint(x\n",
        expect![[r#"
            1:7-1:7 error syntax-error ``: expected `)` to close `(` at 2:6
        "#]],
    );
    check(
        Language::JavaScript,
        "const x = ;\n",
        expect![[r#"
            0:8-0:9 error syntax-error `=`: unexpected `=`
        "#]],
    );
    check(
        Language::Rhai,
        "let x = 1 +;\n",
        expect![[r#"
            0:10-0:11 error syntax-error `+`: unexpected `+`
        "#]],
    );
}

#[test]
fn a_call_being_typed_gets_no_count_or_missing_key_noise() {
    check(
        Language::Lua,
        "local a = agent.create{ name = \n",
        expect![[r#"
            0:8-0:30 error syntax-error `= agent.create{ name =`: expected `}` to close `{` at 1:23
        "#]],
    );
    check(
        Language::JavaScript,
        "const a = agent.create({ na\n",
        expect![[r#"
            0:0-0:27 error syntax-error `const a = agent.create({ na`: expected `)` to close `(` at 1:23
        "#]],
    );
}

#[test]
fn diagnostics_follow_edits() {
    let ide = ide();
    let (mut document, _) = fixture(Language::Lua, "local a = agent.create{ name = \"a\" }\n");
    assert_eq!(render(&ide, &document), "");
    let start = llmspell_ide::Position::new(0, 16);
    let end = llmspell_ide::Position::new(0, 22);
    document.apply_change(Some(llmspell_ide::Range::new(start, end)), "craete");
    expect![[r#"
        0:16-0:22 error unknown-member `craete`: module `agent` has no member `craete`; did you mean `create`?
    "#]]
    .assert_eq(&render(&ide, &document));
}

// ----- Robustness -----

/// Runs `features` on a thread with a small (1 MiB) stack, as a server's worker might have.
fn on_small_stack(features: impl FnOnce() + Send + 'static) {
    let worker = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(features)
        .expect("a thread");
    assert!(
        worker.join().is_ok(),
        "the features finished without overflowing or panicking"
    );
}

/// Every feature of this module family on one document: diagnostics, symbols, tokens, lenses,
/// and definition, references and highlights at a few positions (some out of range).
fn run_every_feature(language: Language, text: String) {
    on_small_stack(move || {
        let ide = ide();
        let (document, _) = fixture(language, &text);
        let _ = ide.diagnostics(&document);
        let _ = ide.document_symbols(&document);
        let _ = ide.semantic_tokens(&document);
        let _ = ide.code_lenses(&document);
        let last_line = document.line_index().line_count() as u32;
        for position in [
            (0, 0),
            (0, 9),
            (last_line / 2, 3),
            (last_line, 0),
            (u32::MAX, u32::MAX),
        ] {
            let position = llmspell_ide::Position::new(position.0, position.1);
            let _ = ide.definition(&document, position);
            let _ = ide.references(&document, position, true);
            let _ = ide.highlights(&document, position);
        }
    });
}

#[test]
fn deeply_nested_code_never_overflows_the_stack() {
    let depth = 10_000;
    for language in [Language::Lua, Language::JavaScript, Language::Rhai] {
        for (open, close) in [("(", ")"), ("[", "]"), ("{", "}")] {
            run_every_feature(
                language,
                format!(
                    "x = agent.create({}1{});\n",
                    open.repeat(depth),
                    close.repeat(depth)
                ),
            );
        }
    }
    run_every_feature(
        Language::JavaScript,
        format!("const {}x{} = y;\n", "{a:".repeat(depth), "}".repeat(depth)),
    );
    run_every_feature(
        Language::JavaScript,
        format!("const x = {}1;\n", "1 + ".repeat(depth)),
    );
    run_every_feature(
        Language::Lua,
        format!("local x = {}1\n", "\"a\" .. ".repeat(depth)),
    );
    run_every_feature(
        Language::Rhai,
        format!("let x = {}1;\n", "1 + ".repeat(depth)),
    );
    run_every_feature(
        Language::Lua,
        format!("print({}1{})\n", "f(".repeat(depth), ")".repeat(depth)),
    );
}

#[test]
fn huge_and_invalid_spells_never_panic() {
    // About 1 MB and 50,000 lines, with a typo on every 10th line.
    let mut lua = String::new();
    for line in 0..50_000 {
        if line % 10 == 0 {
            lua += &format!("local a{line} = agent.craete{{ name = \"a{line}\" }}\n");
        } else {
            lua += &format!(
                "print(a{} and json.encode({{ n = {line} }}))\n",
                line - line % 10
            );
        }
    }
    assert!(lua.len() > 1_000_000);
    run_every_feature(Language::Lua, lua);
    // Invalid UTF-8 arrives as lossy text: replacement characters inside names and strings.
    let lossy =
        String::from_utf8_lossy(b"local \xff = agent.create{ name = \"\xfe\xff\" }\nprint(\xff)\n")
            .into_owned();
    for language in [Language::Lua, Language::JavaScript, Language::Rhai] {
        run_every_feature(language, lossy.clone());
        run_every_feature(language, "\u{feff}😀\r\n\t\0".to_owned());
        run_every_feature(language, String::new());
    }
}
