//! Completion in the fixture style: a spell with a `$0` cursor, and the items an editor would
//! show after filtering by the word being typed, one per line.

mod common;

use expect_test::{Expect, expect};
use llmspell_ide::{CompletionItem, Language, Position};

use common::{fixture, ide};

/// The completion items at the cursor, filtered like a client does (by the typed prefix of
/// the word being replaced), in sort order: `kind label [insert] — detail`.
fn check(language: Language, text: &str, expect: Expect) {
    let (document, position) = fixture(language, text);
    let items = ide().completions(&document, position);
    let typed = typed_prefix(document.text(), &document, &items, position);
    let mut shown: Vec<&CompletionItem> = items
        .iter()
        .filter(|item| item.label.to_lowercase().starts_with(&typed.to_lowercase()))
        .collect();
    shown.sort_by(|a, b| (a.sort_text.as_ref(), &a.label).cmp(&(b.sort_text.as_ref(), &b.label)));
    let rendered: Vec<String> = shown.iter().map(|item| render(item)).collect();
    expect.assert_eq(&rendered.join("\n"));
}

/// Like [`check`], but only the items of the given kinds (to keep long lists short).
fn check_kinds(language: Language, text: &str, kinds: &[&str], expect: Expect) {
    let (document, position) = fixture(language, text);
    let items = ide().completions(&document, position);
    let typed = typed_prefix(document.text(), &document, &items, position);
    let mut shown: Vec<&CompletionItem> = items
        .iter()
        .filter(|item| item.label.to_lowercase().starts_with(&typed.to_lowercase()))
        .filter(|item| kinds.contains(&format!("{:?}", item.kind).as_str()))
        .collect();
    shown.sort_by(|a, b| (a.sort_text.as_ref(), &a.label).cmp(&(b.sort_text.as_ref(), &b.label)));
    let rendered: Vec<String> = shown.iter().map(|item| render(item)).collect();
    expect.assert_eq(&rendered.join("\n"));
}

/// Everything about one item (named `Kind label`): detail, insert text, replace range and
/// documentation.
fn check_item(language: Language, text: &str, kind_and_label: &str, expect: Expect) {
    let (document, position) = fixture(language, text);
    let items = ide().completions(&document, position);
    let item = items
        .iter()
        .find(|item| format!("{:?} {}", item.kind, item.label) == kind_and_label)
        .unwrap_or_else(|| panic!("no item {kind_and_label} in {items:#?}"));
    let range = item.replace_range.map(|range| {
        format!(
            "{}:{}-{}:{}",
            range.start.line, range.start.character, range.end.line, range.end.character
        )
    });
    let rendered = format!(
        "{:?} {}\ndetail: {}\ninsert: {}{}\nreplace: {}\n---\n{}",
        item.kind,
        item.label,
        item.detail.as_deref().unwrap_or("-"),
        item.insert_text.as_deref().unwrap_or("-"),
        if item.is_snippet { " (snippet)" } else { "" },
        range.as_deref().unwrap_or("-"),
        item.documentation.as_deref().unwrap_or("-"),
    );
    expect.assert_eq(&rendered);
}

fn render(item: &CompletionItem) -> String {
    let mut line = format!("{:?} {}", item.kind, item.label);
    if let Some(insert) = &item.insert_text {
        line.push_str(&format!(
            " [{}]",
            insert.replace('\n', "\\n").replace('\t', "\\t")
        ));
    }
    if let Some(detail) = &item.detail {
        line.push_str(&format!(" — {detail}"));
    }
    line
}

/// The part of the word being replaced that is before the cursor.
fn typed_prefix(
    text: &str,
    document: &llmspell_ide::Document,
    items: &[CompletionItem],
    position: Position,
) -> String {
    let Some(range) = items.iter().find_map(|item| item.replace_range) else {
        return String::new();
    };
    if range.start > position {
        return String::new();
    }
    let start = document.offset(range.start);
    let end = document.offset(position);
    text.get(start..end).unwrap_or("").to_owned()
}

// ----- Module functions -----

#[test]
fn after_module_dot_lists_its_functions_lua() {
    check(
        Language::Lua,
        "local a = agent.$0",
        expect![[r#"
            Function create [create{$0}] — agent.create(config: AgentConfig) -> Agent
            Function new [new{$0}] — agent.create(config: AgentConfig) -> Agent
            Function get [get(${1:name})$0] — agent.get(name: str) -> Agent
            Function list [list()$0] — agent.list() -> list<str>"#]],
    );
}

#[test]
fn after_module_dot_lists_its_functions_js() {
    check(
        Language::JavaScript,
        "const a = agent.$0",
        expect![[r#"
            Function create [create({ $0 })] — agent.create(config: AgentConfig) -> Agent
            Function new [new({ $0 })] — agent.create(config: AgentConfig) -> Agent
            Function get [get(${1:name})$0] — agent.get(name: str) -> Agent
            Function list [list()$0] — agent.list() -> list<str>"#]],
    );
}

#[test]
fn after_module_dot_lists_its_functions_rhai() {
    check(
        Language::Rhai,
        "let a = agent.$0",
        expect![[r#"
            Function create [create(#{ $0 })] — agent.create(config: AgentConfig) -> Agent
            Function new [new(#{ $0 })] — agent.create(config: AgentConfig) -> Agent
            Function get [get(${1:name})$0] — agent.get(name: str) -> Agent
            Function list [list()$0] — agent.list() -> list<str>"#]],
    );
}

#[test]
fn rhai_path_separator_lists_module_functions() {
    check(
        Language::Rhai,
        "let s = state::cr$0",
        expect![[r#"
            Function create [create($0)] — state.create(values?: map) -> State"#]],
    );
}

#[test]
fn module_alias_lists_the_same_functions() {
    check(
        Language::Lua,
        "local s = State.n$0",
        expect![[r#"
            Function new [new($0)] — state.create(values?: map) -> State"#]],
    );
}

#[test]
fn typed_prefix_replaces_the_whole_word() {
    check_item(
        Language::Lua,
        "local a = agent.cre$0ate",
        "Function create",
        expect![[r#"
            Function create
            detail: agent.create(config: AgentConfig) -> Agent
            insert: create{$0} (snippet)
            replace: 0:16-0:22
            ---
            Creates an agent and registers it under its name (replacing an agent of the same name). Tool names are looked up now; an unknown name, model or config key is an error.

            **Parameters**
            - `config: AgentConfig` — The agent's name, model, role, tools and limits. Keys of `AgentConfig`: `name`, `model?`, `system_prompt?`, `tools?`, `temperature?`, `max_tokens?`, `max_turns?`, `memory?`, `input_key?`, `output_key?`.

            **Returns** `Agent` — The new agent.

            **Example**

            ```lua
            local helper = agent.create({ name = "helper", system_prompt = "Be brief", tools = { "calculator" } })
            print(helper:run("What is 6 * 7?"))
            ```"#]],
    );
}

#[test]
fn an_existing_argument_list_is_not_duplicated() {
    check(
        Language::JavaScript,
        "json.enc$0(value)",
        expect![[r#"
            Function encode — json.encode(value: any, pretty?: bool) -> str"#]],
    );
}

// ----- Methods of typed values -----

#[test]
fn method_after_colon_on_an_agent_lua() {
    check(
        Language::Lua,
        "local a = agent.create{ name = \"a\" }\na:$0",
        expect![[r#"
            Method run [run(${1:input})$0] — Agent.run(input: str | map | State) -> str | State
            Method stream [stream(${1:input}, ${2:on_chunk})$0] — Agent.stream(input: str | map | State, on_chunk: fn) -> str | State
            Method history [history()$0] — Agent.history() -> list<map>
            Method reset [reset()$0] — Agent.reset() -> nil"#]],
    );
}

#[test]
fn method_and_fields_after_dot_on_an_agent_lua() {
    check_kinds(
        Language::Lua,
        "local a = agent.create({ name = \"a\" })\nprint(a.$0)",
        &["Method", "Field"],
        expect![[r#"
            Method run [run(${1:input})$0] — Agent.run(input: str | map | State) -> str | State
            Method stream [stream(${1:input}, ${2:on_chunk})$0] — Agent.stream(input: str | map | State, on_chunk: fn) -> str | State
            Method history [history()$0] — Agent.history() -> list<map>
            Method reset [reset()$0] — Agent.reset() -> nil
            Field name — str
            Field model — str"#]],
    );
}

#[test]
fn method_after_dot_on_an_agent_js() {
    check(
        Language::JavaScript,
        "const a = agent.create({ name: \"a\" });\nawait a.r$0",
        expect![[r#"
            Method run [run(${1:input})$0] — async Agent.run(input: str | map | State) -> str | State (await it)
            Method reset [reset()$0] — Agent.reset() -> nil"#]],
    );
}

#[test]
fn method_after_dot_on_an_agent_rhai() {
    check(
        Language::Rhai,
        "let a = agent.create(#{ name: \"a\" });\na.r$0",
        expect![[r#"
            Method run [run(${1:input})$0] — Agent.run(input: str | map | State) -> str | State
            Method reset [reset()$0] — Agent.reset() -> nil"#]],
    );
}

#[test]
fn workflow_step_functions_receive_the_state() {
    check(
        Language::Lua,
        "workflow.sequential{ name = \"w\", steps = {\n  function(s) return s:g$0 end,\n} }",
        expect!["Method get [get(${1:key})$0] — State.get(key: str) -> any"],
    );
    check(
        Language::JavaScript,
        "workflow.sequential({ name: \"w\", steps: [{ name: \"a\", run: (s) => s.ke$0 }] });",
        expect!["Method keys [keys()$0] — State.keys() -> list<str>"],
    );
    check(
        Language::JavaScript,
        "workflow.parallel({ name: \"w\", steps: [s => s.me$0] });",
        expect!["Method merge [merge(${1:values})$0] — State.merge(values: map) -> State"],
    );
    check(
        Language::Rhai,
        "workflow.conditional(#{ name: \"w\", branches: [#{ when: |s| s.ge$0, step: |s| s }] });",
        expect!["Method get [get(${1:key})$0] — State.get(key: str) -> any"],
    );
}

#[test]
fn other_callbacks_do_not_receive_the_state() {
    check(
        Language::Lua,
        "tools.define{ name = \"t\", run = function(args) return args:g$0 end }",
        expect![[r#""#]],
    );
    check(
        Language::JavaScript,
        "workflow.sequential({ name: \"w\", steps: [(s) => { const f = (x) => x.ge$0; }] });",
        expect![[r#""#]],
    );
}

#[test]
fn methods_of_a_call_result() {
    check(
        Language::Lua,
        "print(agent.create{ name = \"a\" }:r$0)",
        expect![[r#"
            Method run [run(${1:input})$0] — Agent.run(input: str | map | State) -> str | State
            Method reset [reset()$0] — Agent.reset() -> nil"#]],
    );
}

#[test]
fn methods_of_a_js_new_expression_and_awaited_result() {
    check(
        Language::JavaScript,
        "const w = workflow.sequential({ name: \"w\", steps: [] });\nconst s = (await w.run(\"x\")).ke$0",
        expect!["Method keys [keys()$0] — State.keys() -> list<str>"],
    );
}

#[test]
fn fields_of_a_value_module() {
    check(
        Language::Rhai,
        "print(spell.$0)",
        expect![[r#"
        Field name — str
        Field path — str
        Field engine — str"#]],
    );
    check(Language::Lua, "print(spell:$0)", expect![[r#""#]]);
}

#[test]
fn no_module_functions_after_lua_colon() {
    check(Language::Lua, "agent:$0", expect![[r#""#]]);
}

#[test]
fn unknown_receiver_gives_nothing() {
    check(
        Language::JavaScript,
        "const x = foo();\nx.$0",
        expect![[r#""#]],
    );
}

// ----- Config keys -----

#[test]
fn config_keys_in_a_lua_table_call() {
    check(
        Language::Lua,
        "local a = agent.create{ name = \"a\", $0 }",
        expect![[r#"
            Property model [model = ] — str
            Property system_prompt [system_prompt = ] — str
            Property tools [tools = ] — list<str | Tool>
            Property temperature [temperature = ] — float
            Property max_tokens [max_tokens = ] — int
            Property max_turns [max_turns = ] — int
            Property memory [memory = ] — bool
            Property input_key [input_key = ] — str
            Property output_key [output_key = ] — str"#]],
    );
}

#[test]
fn config_keys_in_a_js_object_argument() {
    check(
        Language::JavaScript,
        "const a = agent.create({ name: \"a\", sys$0 });",
        expect!["Property system_prompt [system_prompt: ] — str"],
    );
}

#[test]
fn config_keys_in_a_rhai_map_argument() {
    check(
        Language::Rhai,
        "let a = agent.create(#{ temp$0 });",
        expect!["Property temperature [temperature: ] — float"],
    );
}

#[test]
fn config_keys_while_the_table_is_unclosed() {
    check(
        Language::Lua,
        "local a = agent.create{\n  name = \"a\",\n  max_t$0\nprint(a)\n",
        expect![[r#"
            Property max_tokens [max_tokens = ] — int
            Property max_turns [max_turns = ] — int"#]],
    );
}

#[test]
fn config_keys_while_the_map_is_unclosed_js_and_rhai() {
    check(
        Language::JavaScript,
        "const a = agent.create({\n  name: \"a\",\n  mem$0\nprint(a);\n",
        expect!["Property memory [memory: ] — bool"],
    );
    check(
        Language::Rhai,
        "let a = agent.create(#{\n  name: \"a\",\n  inp$0\nprint(a);\n",
        expect!["Property input_key [input_key: ] — str"],
    );
}

#[test]
fn module_functions_at_the_end_of_a_broken_file() {
    check(
        Language::JavaScript,
        "const a = 1;\nconst b = json.$0",
        expect![[r#"
        Function encode [encode(${1:value})$0] — json.encode(value: any, pretty?: bool) -> str
        Function decode [decode(${1:text})$0] — json.decode(text: str) -> any"#]],
    );
    check(
        Language::Rhai,
        "let a = 1;\nlet b = json.$0",
        expect![[r#"
        Function encode [encode(${1:value})$0] — json.encode(value: any, pretty?: bool) -> str
        Function decode [decode(${1:text})$0] — json.decode(text: str) -> any"#]],
    );
}

#[test]
fn config_keys_exclude_keys_written_after_the_cursor() {
    check(
        Language::JavaScript,
        "llm.chat({ $0, prompt: \"hi\", model: \"fast\" });",
        expect![[r#"
            Property messages [messages: ] — list<ChatMessage>
            Property system [system: ] — str
            Property temperature [temperature: ] — float
            Property max_tokens [max_tokens: ] — int
            Property schema [schema: ] — map
            Property tools [tools: ] — list<str | Tool>"#]],
    );
}

#[test]
fn config_keys_exclude_bracketed_and_quoted_keys() {
    check(
        Language::Lua,
        "agent.create{ [\"name\"] = \"a\", [\"memory\"] = true, max_$0, [\"max_tokens\"] = 5 }",
        expect!["Property max_turns [max_turns = ] — int"],
    );
    check(
        Language::JavaScript,
        "agent.create({ \"name\": \"a\", 'memory': true, max_$0 })",
        expect![[r#"
            Property max_tokens [max_tokens: ] — int
            Property max_turns [max_turns: ] — int"#]],
    );
}

#[test]
fn completion_inside_a_template_interpolation() {
    check(
        Language::JavaScript,
        "print(`${json.enc$0}`)",
        expect![
            "Function encode [encode(${1:value})$0] — json.encode(value: any, pretty?: bool) -> str"
        ],
    );
    check(
        Language::Rhai,
        "print(`x ${json.dec$0} y`)",
        expect!["Function decode [decode(${1:text})$0] — json.decode(text: str) -> any"],
    );
}

#[test]
fn editing_an_existing_key_inserts_only_the_name() {
    check(
        Language::Rhai,
        "agent.create(#{ name: \"a\", sys$0tem: \"x\" })",
        expect!["Property system_prompt — str"],
    );
}

#[test]
fn config_key_item_documentation() {
    check_item(
        Language::Lua,
        "agent.create{ max_$0 }",
        "Property max_turns",
        expect![[r#"
            Property max_turns
            detail: int
            insert: max_turns = 
            replace: 0:14-0:18
            ---
            The most model calls of one run (a positive int); then error `max_turns`.

            Optional, default `8`. Key of `AgentConfig`."#]],
    );
}

#[test]
fn nested_record_keys_in_workflow_steps() {
    check(
        Language::Rhai,
        "let w = workflow.sequential(#{ name: \"w\", steps: [ #{ $0 } ] });",
        expect![[r#"
            Property name [name: ] — str
            Property run [run: ] — Agent | Tool | Workflow | object | fn
            Property on_error [on_error: ] — str | RetryPolicy"#]],
    );
}

#[test]
fn record_keys_of_a_nested_value() {
    check(
        Language::Lua,
        "workflow.sequential{ name = \"w\", steps = { { name = \"s\", run = f, on_error = { $0 } } } }",
        expect!["Property retry [retry = ] — int"],
    );
}

#[test]
fn record_keys_of_a_later_argument_and_of_list_items() {
    check(
        Language::Lua,
        "http.get(\"https://example.com\", { $0 })",
        expect![[r#"
        Property headers [headers = ] — map
        Property timeout [timeout = ] — float"#]],
    );
    check(
        Language::JavaScript,
        "llm.chat({ messages: [{ role: \"user\", $0 }] })",
        expect!["Property content [content: ] — str"],
    );
}

#[test]
fn after_new_only_modules_with_a_constructor() {
    check(
        Language::JavaScript,
        "const a = new $0",
        expect![[r#"
        Module Agent [Agent({ $0 })] — agent.create(config: AgentConfig) -> Agent
        Module State [State($0)] — state.create(values?: map) -> State
        Module agent [agent({ $0 })] — agent.create(config: AgentConfig) -> Agent
        Module state [state($0)] — state.create(values?: map) -> State"#]],
    );
}

#[test]
fn tools_define_keys() {
    check(
        Language::JavaScript,
        "tools.define({\n  $0\n});",
        expect![[r#"
            Property name [name: ] — str
            Property description [description: ] — str
            Property params [params: ] — map
            Property run [run: ] — fn"#]],
    );
}

// ----- Models and tools -----

#[test]
fn model_names_inside_the_model_string() {
    check_item(
        Language::Lua,
        "agent.create{ name = \"a\", model = \"op$0enai\" }",
        "Value openai/gpt-4o",
        expect![[r#"
            Value openai/gpt-4o
            detail: openai model
            insert: -
            replace: 0:35-0:41
            ---
            Model `openai/gpt-4o` of provider `openai` (kind `openai`), from `llmspell.toml`."#]],
    );
    check(
        Language::Rhai,
        "agent.create(#{ model: \"$0\" })",
        expect![[r#"
            Value offline/echo — scripted model (default)
            Value openai/gpt-4o — openai model
            Value openai/gpt-4o-mini — openai model
            Value fast — alias of openai/gpt-4o-mini"#]],
    );
}

#[test]
fn model_names_in_an_unterminated_string() {
    check(
        Language::Lua,
        "local a = agent.create{ name = \"a\", model = \"openai/$0",
        expect![[r#"
        Value openai/gpt-4o — openai model
        Value openai/gpt-4o-mini — openai model"#]],
    );
}

#[test]
fn an_unterminated_string_ends_before_a_crlf_line_break() {
    check_item(
        Language::JavaScript,
        "llm.chat({ model: \"fa$0\r\n})",
        "Value fast",
        expect![[r#"
            Value fast
            detail: alias of openai/gpt-4o-mini
            insert: -
            replace: 0:19-0:21
            ---
            Alias of `openai/gpt-4o-mini`, from `llmspell.toml`."#]],
    );
}

#[test]
fn model_names_quoted_at_the_value_position() {
    check_kinds(
        Language::JavaScript,
        "llm.chat({ model: $0 })",
        &["Value"],
        expect![[r#"
            Value offline/echo ["offline/echo"] — scripted model (default)
            Value openai/gpt-4o ["openai/gpt-4o"] — openai model
            Value openai/gpt-4o-mini ["openai/gpt-4o-mini"] — openai model
            Value fast ["fast"] — alias of openai/gpt-4o-mini"#]],
    );
}

#[test]
fn tool_names_in_a_tools_list() {
    check(
        Language::Lua,
        "tools.define{ name = \"shout\", run = function(args) return args end }\nagent.create{ name = \"a\", tools = { \"$0\" } }",
        expect![[r#"
            Value calculator — built-in tool
            Value datetime — built-in tool
            Value file_list — built-in tool
            Value file_read — built-in tool
            Value file_write — built-in tool
            Value http_request — built-in tool
            Value json_query — built-in tool
            Value web_fetch — built-in tool
            Value shout — tool defined in this spell"#]],
    );
    check(
        Language::JavaScript,
        "agent.create({ name: \"a\", tools: [\"calc$0\"] })",
        expect!["Value calculator — built-in tool"],
    );
    check(
        Language::Rhai,
        "tools.call(\"dat$0\")",
        expect!["Value datetime — built-in tool"],
    );
}

#[test]
fn quoted_tool_names_at_an_item_position() {
    check_kinds(
        Language::Lua,
        "agent.create{ name = \"a\", tools = { \"calculator\", j$0 } }",
        &["Value"],
        expect![[r#"Value json_query ["json_query"] — built-in tool"#]],
    );
    check_kinds(
        Language::Rhai,
        "agent.create(#{ name: \"a\", tools: [ $0 ] })",
        &["Value"],
        expect![[r#"
            Value calculator ["calculator"] — built-in tool
            Value datetime ["datetime"] — built-in tool
            Value file_list ["file_list"] — built-in tool
            Value file_read ["file_read"] — built-in tool
            Value file_write ["file_write"] — built-in tool
            Value http_request ["http_request"] — built-in tool
            Value json_query ["json_query"] — built-in tool
            Value web_fetch ["web_fetch"] — built-in tool"#]],
    );
}

#[test]
fn listed_tools_are_not_offered_again() {
    check_kinds(
        Language::JavaScript,
        "agent.create({ name: \"a\", tools: [\"calculator\", \"file_$0\", \"file_read\"] })",
        &["Value"],
        expect![[r#"
            Value file_list — built-in tool
            Value file_write — built-in tool"#]],
    );
}

#[test]
fn provider_and_agent_names_in_their_string_arguments() {
    check(
        Language::Lua,
        "print(llm.models(\"$0\"))",
        expect![[r#"
        Value offline — scripted provider
        Value openai — openai provider"#]],
    );
    check(
        Language::JavaScript,
        "agent.create({ name: \"writer\" });\nagent.create({ name: \"critic\" });\nconst w = agent.get(\"$0\");",
        expect![[r#"
            Value writer — agent created in this spell
            Value critic — agent created in this spell"#]],
    );
    check(Language::Rhai, "agent.get(\"x\", \"$0\")", expect![[r#""#]]);
}

#[test]
fn nothing_in_other_strings_and_comments() {
    check(Language::Lua, "print(\"age$0\")", expect![[r#""#]]);
    check(Language::Lua, "-- agent.$0", expect![[r#""#]]);
    check(Language::JavaScript, "/* agent.$0 */", expect![[r#""#]]);
    check(
        Language::Rhai,
        "agent.create(#{ name: \"he$0\" })",
        expect![[r#""#]],
    );
    check(Language::Rhai, "// agent.$0", expect![[r#""#]]);
    check(Language::Rhai, "let x = 1; /* json.$0 */", expect![[r#""#]]);
}

// ----- Names in scope, modules, keywords, snippets -----

#[test]
fn bare_word_lists_locals_modules_and_globals_lua() {
    check(
        Language::Lua,
        "local helper = agent.create{ name = \"h\" }\nlocal function handle(request)\n  local n = 1\n  h$0\nend",
        expect![[r#"
            Function handle [handle(${1:request})$0] — function handle(request)
            Variable helper — Agent
            Module http — module"#]],
    );
}

#[test]
fn bare_word_lists_locals_modules_and_globals_js() {
    check(
        Language::JavaScript,
        "const pipeline = workflow.sequential({ name: \"p\", steps: [] });\nfunction run(p) {\n  p$0\n}",
        expect![[r#"
            Parameter p — parameter
            Variable pipeline — Workflow
            Module params — module
            Function print [print($0)] — print(...values: any) -> nil"#]],
    );
}

#[test]
fn functions_the_spell_defines_complete_with_their_parameters() {
    check_kinds(
        Language::Lua,
        "local summarize = function(text, limit) return text end\nsum$0",
        &["Function"],
        expect![
            "Function summarize [summarize(${1:text}, ${2:limit})$0] — function summarize(text, limit)"
        ],
    );
    check_kinds(
        Language::JavaScript,
        "function shout(text) { return text; }\nconst quiet = () => 1;\nprint(sh$0",
        &["Function"],
        expect!["Function shout [shout(${1:text})$0] — function shout(text)"],
    );
    check_kinds(
        Language::Rhai,
        "fn shout(text) { text }\nlet quiet = || 1;\nq$0",
        &["Function"],
        expect!["Function quiet [quiet()$0] — function quiet()"],
    );
}

#[test]
fn bare_word_in_a_rhai_fn_sees_modules_not_spell_variables() {
    check(
        Language::Rhai,
        "let secret = 1;\nfn helper(x) {\n  s$0\n}",
        expect![[r#"
            Module State — module (alias of state)
            Module spell — module
            Module state — module
            Keyword switch"#]],
    );
}

#[test]
fn snippets_for_common_spell_shapes() {
    check_item(
        Language::Lua,
        "agen$0",
        "Snippet agent",
        expect![[r#"
            Snippet agent
            detail: create an agent
            insert: local ${1:assistant} = agent.create{
            	name = "${2:assistant}",
            	system_prompt = "${3:You are a helpful assistant.}",
            }
            $0 (snippet)
            replace: 0:0-0:4
            ---
            ```lua
            local assistant = agent.create{
              name = "assistant",
              system_prompt = "You are a helpful assistant.",
            }
            ```"#]],
    );
    check_kinds(
        Language::JavaScript,
        "wor$0",
        &["Snippet"],
        expect![[
            r#"Snippet workflow [const ${1:pipeline} = workflow.sequential({\n\tname: "${2:pipeline}",\n\tsteps: [\n\t\t${3:firstStep},\n\t\t{ name: "${4:finish}", run: (state) => {\n\t\t\t$0\n\t\t} },\n\t],\n});] — a sequential workflow with steps"#
        ]],
    );
    check_kinds(
        Language::Rhai,
        "too$0",
        &["Snippet"],
        expect![[
            r#"Snippet tool [let ${1:tool} = tools.define(#{\n\tname: "${2:tool_name}",\n\tdescription: "${3:What the tool does}",\n\tparams: #{\n\t\ttype: "object",\n\t\tproperties: #{ ${4:text}: #{ type: "string" } },\n\t\trequired: ["${4:text}"],\n\t},\n\trun: |args| {\n\t\t$0\n\t},\n});] — define a tool with an argument schema"#
        ]],
    );
}

#[test]
fn keywords_in_callback_bodies_but_only_values_in_arguments() {
    check_kinds(
        Language::Lua,
        "events.on(\"agent.*\", function(event)\n  re$0\nend)",
        &["Keyword"],
        expect![[r#"
            Keyword repeat
            Keyword return"#]],
    );
    check_kinds(
        Language::JavaScript,
        "events.on(\"agent.*\", (event) => {\n  re$0\n});",
        &["Keyword"],
        expect!["Keyword return"],
    );
    check_kinds(
        Language::Rhai,
        "print(t$0)",
        &["Keyword", "Snippet"],
        expect![[r#"
            Keyword this
            Keyword true"#]],
    );
}

#[test]
fn nothing_right_after_a_value() {
    check(Language::Lua, "local x = 12$0", expect![[r#""#]]);
    check(Language::JavaScript, "const x = \"a\"$0", expect![[r#""#]]);
    check(Language::Rhai, "let x = foo()$0", expect![[r#""#]]);
}

#[test]
fn nothing_while_naming_a_new_local() {
    check(Language::Lua, "local ag$0", expect![[r#""#]]);
    check(Language::JavaScript, "const ag$0", expect![[r#""#]]);
    check(Language::Rhai, "let ag$0", expect![[r#""#]]);
}

#[test]
fn async_functions_carry_an_await_hint_in_javascript() {
    check_item(
        Language::JavaScript,
        "llm.comp$0",
        "Function complete",
        expect![[r#"
            Function complete
            detail: async llm.complete(prompt: str | LlmRequest) -> str (await it)
            insert: complete(${1:prompt})$0 (snippet)
            replace: 0:4-0:8
            ---
            Asks the model and returns the text of its answer.

            **Parameters**
            - `prompt: str | LlmRequest` — The prompt, or a request map. Keys of `LlmRequest`: `prompt?`, `messages?`, `system?`, `model?`, `temperature?`, `max_tokens?`, `schema?`, `tools?`.

            **Returns** `str` — The answer's text.

            *I/O-bound:* returns a Promise in JavaScript; `await` it.

            **Example**

            ```js
            print(await llm.complete("Say hi"));
            ```"#]],
    );
}

/// Every host call in the example spells: completing at the end of its name offers that name
/// (module functions and methods of typed values, in real code of all three languages).
#[test]
fn every_host_call_name_in_the_example_spells_completes() {
    let ide = ide();
    let spells = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spells");
    let mut checked = 0;
    for entry in std::fs::read_dir(&spells).expect("spells/ exists") {
        let path = entry.expect("a directory entry").path();
        let Some(language) = path.to_str().and_then(Language::from_path) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).expect("a spell is UTF-8");
        let document = ide.open(language, &text);
        for call in &document.analysis(&ide).host_calls {
            let name = &text[call.name_range.start..call.name_range.end];
            // `new Agent(…)`: the name is the module, completed as a bare word.
            let position = document.position(call.name_range.end);
            let items = ide.completions(&document, position);
            assert!(
                items.iter().any(|item| item.label == name),
                "{}: no {name} completing {} at {position:?}",
                path.display(),
                call.callee
            );
            checked += 1;
        }
    }
    assert!(
        checked > 100,
        "only {checked} host calls in the example spells"
    );
}

#[test]
fn broken_code_and_odd_positions_do_not_panic() {
    let ide = ide();
    for language in [Language::Lua, Language::JavaScript, Language::Rhai] {
        for text in [
            "",
            "(((",
            "agent.create{{{{",
            "\"unterminated",
            "`${",
            "a\u{e9}\u{1F600}.",
            "#{",
            "[[",
            "--[[",
            "/*",
        ] {
            let (document, _) = fixture(language, text);
            for line in 0..3 {
                for character in 0..20 {
                    ide.completions(&document, Position::new(line, character));
                    ide.hover(&document, Position::new(line, character));
                    ide.signature_help(&document, Position::new(line, character));
                }
            }
        }
    }
}

/// A 50,000-line spell with an unclosed table at its end and 100,000 nested calls: completion,
/// hover and signature help answer (no stack overflow, no panic) and still see the context.
#[test]
fn huge_and_deeply_nested_spells_are_answered() {
    let ide = ide();
    let mut text = String::new();
    for line in 0..50_000 {
        text.push_str(&format!(
            "print(\"line {line}\", json.encode({{ n = {line} }}))\n"
        ));
    }
    text.push_str("local a = agent.create{ max_t");
    let document = ide.open(Language::Lua, &text);
    let end = document.position(text.len());
    let labels: Vec<String> = ide
        .completions(&document, end)
        .into_iter()
        .map(|item| item.label)
        .collect();
    // Only the keys of AgentConfig: the context is the unclosed table, not the statements.
    assert!(labels.contains(&"max_turns".to_owned()), "{labels:?}");
    assert_eq!(labels.len(), 10, "{labels:?}");
    let help = ide
        .signature_help(&document, Position::new(30_000, 33))
        .expect("inside json.encode");
    assert!(
        help.signatures[0].label.starts_with("json.encode("),
        "{help:?}"
    );
    let hover = ide
        .hover(&document, Position::new(30_000, 22))
        .expect("on json");
    assert!(
        hover.markdown.contains("(module) json"),
        "{}",
        hover.markdown
    );

    for language in [Language::Lua, Language::JavaScript, Language::Rhai] {
        let deep = format!("{}json.$0{}", "print(".repeat(100_000), ")".repeat(100_000));
        let (document, position) = fixture(language, &deep);
        let items = ide.completions(&document, position);
        assert!(
            items.iter().any(|item| item.label == "encode"),
            "{language:?}"
        );
        ide.hover(&document, position);
        let help = ide.signature_help(&document, position);
        assert!(help.is_none_or(|help| help.signatures[0].label.starts_with("print(")));
    }
}
