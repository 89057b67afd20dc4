//! Host-object inference, host call sites and literal workflow structure, from a host API
//! shaped like the manifest.

mod common;

use expect_test::{Expect, expect};
use llmspell_syntax::{Analysis, Language, Literal, Value, analyze, parse};

fn analysis(language: Language, text: &str) -> Analysis {
    analyze(&parse(language, text), &common::host_api())
}

/// The host type of the variable just before `$0` (the cursor sits after `a:` / `a.` or on `a`).
fn check_type(language: Language, fixture: &str, expect: Expect) {
    let (text, cursor) = common::cursor(fixture);
    let cursor = cursor.expect("a $0 cursor");
    let before = text[..cursor].trim_end_matches([':', '.']);
    let name_start = before
        .rfind(|character: char| !(character.is_alphanumeric() || character == '_'))
        .map_or(0, |index| index + 1);
    let name = &before[name_start..];
    let analysis = analysis(language, &text);
    let actual = format!(
        "{name}: {}\n",
        analysis.host_type_at(cursor, name).unwrap_or("unknown")
    );
    expect.assert_eq(&actual);
}

/// Every variable with a known host type.
fn check_types(language: Language, fixture: &str, expect: Expect) {
    let (text, _) = common::cursor(fixture);
    let analysis = analysis(language, &text);
    let mut actual = String::new();
    for symbol in &analysis.symbols {
        if let Some(host_type) = &symbol.host_type {
            actual += &format!(
                "{} @{}: {host_type}\n",
                symbol.name,
                common::position(&text, symbol.definition.start)
            );
        }
    }
    expect.assert_eq(&actual);
}

fn render(value: &Value) -> String {
    match &value.literal {
        Literal::Map(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(key, _, value)| format!("{key}: {}", render(value)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        Literal::List(items) => {
            let items: Vec<String> = items.iter().map(render).collect();
            format!("[{}]", items.join(", "))
        }
        Literal::String(string) => format!("{string:?}"),
        Literal::Number(number) => format!("{number}"),
        other => format!("{other:?}"),
    }
}

/// Every host call: callee, name position, argument ranges and literal values.
fn check_calls(language: Language, fixture: &str, expect: Expect) {
    let (text, _) = common::cursor(fixture);
    let analysis = analysis(language, &text);
    let mut actual = String::new();
    for call in &analysis.host_calls {
        actual += &format!(
            "{} @{} args {}\n",
            call.callee,
            common::position(&text, call.name_range.start),
            common::range(&text, call.arguments_range)
        );
        for argument in &call.arguments {
            actual += &format!(
                "  {} {}\n",
                common::range(&text, argument.value.range),
                render(&argument.value)
            );
        }
    }
    expect.assert_eq(&actual);
}

/// Every literal workflow with its name and step names.
fn check_workflows(language: Language, fixture: &str, expect: Expect) {
    let (text, _) = common::cursor(fixture);
    let analysis = analysis(language, &text);
    let mut actual = String::new();
    for workflow in &analysis.workflows {
        let name = match &workflow.name {
            Some((name, range)) => format!("{name} @{}", common::range(&text, *range)),
            None => "(no name)".to_owned(),
        };
        actual += &format!("{} {name}\n", workflow.callee);
        for step in &workflow.steps {
            actual += &format!(
                "  step {} @{}\n",
                step.name,
                common::range(&text, step.range)
            );
        }
    }
    expect.assert_eq(&actual);
}

#[test]
fn lua_agent_type_after_colon() {
    check_type(
        Language::Lua,
        "local a = agent.create{ name = \"poet\" }\na:$0\n",
        expect![[r#"
        a: Agent
    "#]],
    );
}

#[test]
fn lua_types_through_reassignment_and_aliases() {
    check_types(
        Language::Lua,
        r#"local a = agent.create({ name = "poet" })
local b = a
local c
c = b
local w = workflow.sequential({ name = "w", steps = { a } })
local s = state.create()
local merged = s:merge(s)
local n = llm.complete("hi")
local t = tools.define{ name = "t" }
local old = Agent.new{}
local x = a
x = 1
"#,
        expect![[r#"
            a @1:7: Agent
            b @2:7: Agent
            c @3:7: Agent
            w @5:7: Workflow
            s @6:7: State
            merged @7:7: State
            t @9:7: Tool
            old @10:7: Agent
        "#]],
    );
}

#[test]
fn lua_shadowed_module_is_not_a_host_module() {
    check_type(
        Language::Lua,
        "local agent = {}\nlocal a = agent.create{}\na:$0\n",
        expect![[r#"
        a: unknown
    "#]],
    );
}

#[test]
fn lua_type_in_inner_scope() {
    check_type(
        Language::Lua,
        "local a = agent.create{}\nlocal function f()\n  local a = 1\n  print(a$0)\nend\n",
        expect![[r#"
            a: unknown
        "#]],
    );
    check_type(
        Language::Lua,
        "local a = agent.create{}\nlocal function f()\n  return a:$0\nend\n",
        expect![[r#"
            a: Agent
        "#]],
    );
}

#[test]
fn javascript_agent_type_after_dot() {
    check_type(
        Language::JavaScript,
        "const a = agent.create({ name: \"poet\" });\nawait a.$0\n",
        expect![[r#"
            a: Agent
        "#]],
    );
}

#[test]
fn javascript_types_through_reassignment() {
    check_types(
        Language::JavaScript,
        r#"const a = agent.create({ name: "poet" });
let b;
b = a;
const w = workflow.parallel({ name: "p", steps: [a, b] });
const s = (state.create());
const r = await w.run(s);
var t = tools.get("search");
"#,
        expect![[r#"
            a @1:7: Agent
            b @2:5: Agent
            w @4:7: Workflow
            s @5:7: State
            r @6:7: State
            t @7:5: Tool
        "#]],
    );
}

#[test]
fn lua_host_calls_with_literals() {
    check_calls(
        Language::Lua,
        r#"local a = agent.create{ name = "poet", model = "openai/gpt", temperature = 0.5, tools = { "search", "fetch" }, memory = true }
print(a:run("Write a haiku", nil))
llm.complete(prompt .. "!")
log.info 'done'
unknown.call(1)
"#,
        expect![[r#"
            agent.create @1:17 args 1:23-1:127
              1:23-1:127 {name: "poet", model: "openai/gpt", temperature: 0.5, tools: ["search", "fetch"], memory: Bool(true)}
            Agent.run @2:9 args 2:12-2:34
              2:13-2:28 "Write a haiku"
              2:30-2:33 Nil
            llm.complete @3:5 args 3:13-3:28
              3:14-3:27 Expression
            log.info @4:5 args 4:10-4:16
              4:10-4:16 "done"
        "#]],
    );
}

#[test]
fn javascript_host_calls_with_literals() {
    check_calls(
        Language::JavaScript,
        r#"const a = agent.create({ name: "poet", "max_turns": 3, tools: ["search"], run: (s) => s });
print(await a.run(`Write a haiku`));
llm.complete(`about ${topic}`, { model: 'm' });
const other = { create() {} };
other.create(1);
"#,
        expect![[r#"
            agent.create @1:17 args 1:23-1:91
              1:24-1:90 {name: "poet", max_turns: 3, tools: ["search"], run: Function}
            Agent.run @2:15 args 2:18-2:35
              2:19-2:34 "Write a haiku"
            llm.complete @3:5 args 3:13-3:47
              3:14-3:30 Expression
              3:32-3:46 {model: "m"}
        "#]],
    );
}

#[test]
fn lua_workflow_structure() {
    check_workflows(
        Language::Lua,
        r#"local drafter = agent.create{ name = "drafter" }
local copy = drafter
local pipeline = workflow.sequential({
  name = "announce",
  steps = {
    copy,
    { name = "prepare", run = function(s) return s end },
    workflow.parallel({ name = "finish", steps = { { name = "a", run = f }, { name = "b", run = f } } }),
    unknown_step,
  },
})
"#,
        expect![[r#"
            workflow.sequential announce @4:10-4:20
              step drafter @6:5-6:9
              step prepare @7:5-7:57
              step finish @8:5-8:105
            workflow.parallel finish @8:32-8:40
              step a @8:52-8:75
              step b @8:77-8:100
        "#]],
    );
}

#[test]
fn javascript_workflow_structure() {
    check_workflows(
        Language::JavaScript,
        r#"const drafter = agent.create({ name: "drafter" });
const pipeline = workflow.sequential({
  name: "announce",
  steps: [
    drafter,
    { name: "prepare", run: (s) => s },
    workflow.loop({ name: "again", steps: [{ name: "step", run: f }], max_iterations: 3 }),
    agent.create({ name: "inline" }),
  ],
});
const dynamic = workflow.parallel(config);
"#,
        expect![[r#"
            workflow.sequential announce @3:9-3:19
              step drafter @5:5-5:12
              step prepare @6:5-6:39
              step again @7:5-7:91
              step inline @8:5-8:37
            workflow.loop again @7:27-7:34
              step step @7:44-7:68
            workflow.parallel (no name)
        "#]],
    );
}

#[test]
fn rhai_agent_type_after_dot() {
    check_type(
        Language::Rhai,
        "let a = agent.create(#{ name: \"poet\" });\na.$0\n",
        expect![[r#"
        a: Agent
    "#]],
    );
}

#[test]
fn rhai_types_through_reassignment() {
    check_types(
        Language::Rhai,
        r#"let a = agent.create(#{ name: "poet" });
let b = ();
b = a;
let wf = workflow.sequential(#{ name: "w", steps: [a] });
const s = state.create();
let r = wf.run(s);
let agent = 1;
let c = agent.create(#{});
"#,
        expect![[r#"
            a @1:5: Agent
            b @2:5: Agent
            wf @4:5: Workflow
            s @5:7: State
            r @6:5: State
        "#]],
    );
}

#[test]
fn rhai_host_calls_with_literals() {
    check_calls(
        Language::Rhai,
        r##"let a = agent.create(#{ name: "poet", "max_turns": 3, tools: ["search"], memory: true, temperature: 0.5, run: |s| s });
print(a.run(`Write a haiku`));
llm.complete(`about ${topic}`, #{ model: #"m"# });
"##,
        expect![[r#"
            agent.create @1:15 args 1:21-1:119
              1:22-1:118 {name: "poet", max_turns: 3, tools: ["search"], memory: Bool(true), temperature: 0.5, run: Function}
            Agent.run @2:9 args 2:12-2:29
              2:13-2:28 "Write a haiku"
            llm.complete @3:5 args 3:13-3:50
              3:14-3:30 Expression
              3:32-3:49 {model: "m"}
        "#]],
    );
}

#[test]
fn rhai_workflow_structure() {
    check_workflows(
        Language::Rhai,
        r#"let drafter = agent.create(#{ name: "drafter" });
let announce = workflow.sequential(#{
  name: "announce",
  steps: [
    drafter,
    #{ name: "prepare", run: |s| s },
    workflow.parallel(#{ name: "finish", steps: [#{ name: "a", run: f }] }),
  ],
});
"#,
        expect![[r#"
            workflow.sequential announce @3:9-3:19
              step drafter @5:5-5:12
              step prepare @6:5-6:37
              step finish @7:5-7:76
            workflow.parallel finish @7:32-7:40
              step a @7:50-7:72
        "#]],
    );
}

#[test]
fn lua_bracketed_variable_keys_are_not_key_names() {
    check_calls(
        Language::Lua,
        "agent.create{ name = \"a\", [key] = 1, [\"quoted\"] = 2 }\n",
        expect![[r#"
            agent.create @1:7 args 1:13-1:54
              1:13-1:54 {name: "a", quoted: 2}
        "#]],
    );
}
