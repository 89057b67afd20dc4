//! Hover in the fixture style: a spell with a `$0` cursor, and the hover's range and markdown.

mod common;

use expect_test::{Expect, expect};
use llmspell_ide::Language;

use common::{fixture, ide};

/// The hover at the cursor: the hovered range, then the markdown (or "no hover").
fn check(language: Language, text: &str, expect: Expect) {
    let (document, position) = fixture(language, text);
    let rendered = match ide().hover(&document, position) {
        None => "no hover".to_owned(),
        Some(hover) => {
            let range = hover.range.map_or("-".to_owned(), |range| {
                format!(
                    "{}:{}-{}:{}",
                    range.start.line, range.start.character, range.end.line, range.end.character
                )
            });
            format!("{range}\n{}", hover.markdown)
        }
    };
    expect.assert_eq(&rendered);
}

/// The first `count` lines of each hover's text, fences and blank lines left out (the
/// signature, declaration or title, then the doc), for the same context in all languages.
fn check_headings(cases: &[(Language, &str)], count: usize, expect: Expect) {
    let ide = ide();
    let mut lines = Vec::new();
    for (language, text) in cases {
        let (document, position) = fixture(*language, text);
        let heading = ide
            .hover(&document, position)
            .map_or("no hover".to_owned(), |hover| {
                let lines: Vec<&str> = hover
                    .markdown
                    .lines()
                    .filter(|line| !line.starts_with("```") && !line.is_empty())
                    .take(count)
                    .collect();
                lines.join(" / ")
            });
        lines.push(format!("{language:?}: {heading}"));
    }
    expect.assert_eq(&lines.join("\n"));
}

#[test]
fn acceptance_hover_on_agent_create_in_every_language() {
    check_headings(
        &[
            (Language::Lua, "local a = agent.cre$0ate{ name = \"a\" }"),
            (
                Language::JavaScript,
                "const a = agent.cre$0ate({ name: \"a\" });",
            ),
            (Language::Rhai, "let a = agent.cre$0ate(#{ name: \"a\" });"),
        ],
        2,
        expect![[r#"
            Lua: agent.create(config: AgentConfig) -> Agent / Creates an agent and registers it under its name (replacing an agent of the same name). Tool names are looked up now; an unknown name, model or config key is an error.
            JavaScript: agent.create(config: AgentConfig) -> Agent / Creates an agent and registers it under its name (replacing an agent of the same name). Tool names are looked up now; an unknown name, model or config key is an error.
            Rhai: agent.create(config: AgentConfig) -> Agent / Creates an agent and registers it under its name (replacing an agent of the same name). Tool names are looked up now; an unknown name, model or config key is an error."#]],
    );
}

#[test]
fn every_hover_context_in_every_language() {
    check_headings(
        &[
            (Language::Lua, "print(sta$0te)"),
            (Language::JavaScript, "print(sta$0te);"),
            (Language::Rhai, "print(sta$0te);"),
            (
                Language::Lua,
                "local a = agent.create{ name = \"a\" }\na:hist$0ory()",
            ),
            (
                Language::JavaScript,
                "const a = agent.create({ name: \"a\" });\na.hist$0ory();",
            ),
            (
                Language::Rhai,
                "let a = agent.create(#{ name: \"a\" });\na.hist$0ory();",
            ),
            (
                Language::Lua,
                "local a = agent.create{ name = \"a\" }\nprint(a$0)",
            ),
            (
                Language::JavaScript,
                "let a = agent.create({ name: \"a\" });\nprint(a$0);",
            ),
            (
                Language::Rhai,
                "let a = agent.create(#{ name: \"a\" });\nprint(a$0);",
            ),
            (Language::Lua, "local function f(x) return x$0 end"),
            (Language::JavaScript, "function f(x) { return x$0; }"),
            (Language::Rhai, "fn f(x) { x$0 }"),
            (Language::Lua, "agent.create{ sys$0tem_prompt = \"s\" }"),
            (
                Language::JavaScript,
                "agent.create({ sys$0tem_prompt: \"s\" })",
            ),
            (Language::Rhai, "agent.create(#{ sys$0tem_prompt: \"s\" })"),
            (Language::Lua, "agent.create{ tools = { \"web_f$0etch\" } }"),
            (Language::JavaScript, "tools.get(\"web_f$0etch\")"),
            (
                Language::Rhai,
                "agent.create(#{ tools: [\"web_f$0etch\"] })",
            ),
            (Language::Lua, "llm.chat{ model = \"openai/gpt-4$0o\" }"),
            (
                Language::JavaScript,
                "llm.chat({ model: \"openai/gpt-4$0o\" })",
            ),
            (Language::Rhai, "llm.chat(#{ model: \"openai/gpt-4$0o\" })"),
        ],
        1,
        expect![[r#"
            Lua: (module) state
            JavaScript: (module) state
            Rhai: (module) state
            Lua: Agent.history() -> list<map>
            JavaScript: Agent.history() -> list<map>
            Rhai: Agent.history() -> list<map>
            Lua: local a: Agent
            JavaScript: let a: Agent
            Rhai: let a: Agent
            Lua: (parameter) x
            JavaScript: (parameter) x
            Rhai: (parameter) x
            Lua: (key) system_prompt?: str
            JavaScript: (key) system_prompt?: str
            Rhai: (key) system_prompt?: str
            Lua: **web_fetch** — built-in tool
            JavaScript: **web_fetch** — built-in tool
            Rhai: **web_fetch** — built-in tool
            Lua: **openai/gpt-4o** — model of provider `openai` (kind `openai`), from `llmspell.toml`.
            JavaScript: **openai/gpt-4o** — model of provider `openai` (kind `openai`), from `llmspell.toml`.
            Rhai: **openai/gpt-4o** — model of provider `openai` (kind `openai`), from `llmspell.toml`."#]],
    );
}

#[test]
fn host_function_shows_signature_doc_and_the_lua_example() {
    check(
        Language::Lua,
        "local a = agent.cr$0eate{ name = \"a\" }",
        expect![[r#"
            0:16-0:22
            ```lua
            agent.create(config: AgentConfig) -> Agent
            ```

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
fn host_function_shows_the_javascript_example_and_await_note() {
    check(
        Language::JavaScript,
        "const text = await llm.$0complete(\"hi\");",
        expect![[r#"
        0:23-0:31
        ```js
        llm.complete(prompt: str | LlmRequest) -> str
        ```

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

#[test]
fn host_function_through_a_rhai_path() {
    check(
        Language::Rhai,
        "let a = agent::cre$0ate(#{ name: \"a\" });",
        expect![[r#"
        0:15-0:21
        ```rhai
        agent.create(config: AgentConfig) -> Agent
        ```

        Creates an agent and registers it under its name (replacing an agent of the same name). Tool names are looked up now; an unknown name, model or config key is an error.

        **Parameters**
        - `config: AgentConfig` — The agent's name, model, role, tools and limits. Keys of `AgentConfig`: `name`, `model?`, `system_prompt?`, `tools?`, `temperature?`, `max_tokens?`, `max_turns?`, `memory?`, `input_key?`, `output_key?`.

        **Returns** `Agent` — The new agent.

        **Example**

        ```rhai
        let helper = agent.create(#{ name: "helper", system_prompt: "Be brief", tools: ["calculator"] });
        print(helper.run("What is 6 * 7?"));
        ```"#]],
    );
}

#[test]
fn module_shows_its_doc_and_functions() {
    check(
        Language::Lua,
        "local x = js$0on.encode({})",
        expect![[r#"
        0:10-0:14
        ```lua
        (module) json
        ```

        JSON text to and from values. Object keys are always written sorted.

        **Functions**
        - `json.encode(value: any, pretty?: bool) -> str` — Encodes a value as JSON.
        - `json.decode(text: str) -> any` — Decodes JSON text."#]],
    );
}

#[test]
fn module_alias_says_what_it_aliases() {
    check(
        Language::JavaScript,
        "const a = new Age$0nt({ name: \"a\" });",
        expect![[r#"
        0:14-0:19
        ```js
        (module) Agent
        ```

        Alias of `agent`.

        Agents: an LLM with a role (system prompt), tools and optional memory. `run` performs the model's native tool-calling loop: the model asks for tools, they run (arguments validated against their schema), their results go back, until the model answers or `max_turns` model calls were made (error `max_turns`). A failing tool call — bad arguments, an unknown tool, an error the tool raises — is not raised: it is sent back to the model as `{"error": {code, message}}` so it can correct itself (limits and termination still end the spell). Runs emit `agent.start` and `agent.end`.

        Also reachable as `Agent`.

        **Functions**
        - `agent.create(config: AgentConfig) -> Agent` — Creates an agent and registers it under its name (replacing an agent of the same name).
        - `agent.get(name: str) -> Agent` — Finds an agent created by this spell.
        - `agent.list() -> list<str>` — Lists the names of the agents this spell created."#]],
    );
}

#[test]
fn method_on_a_typed_local() {
    check(
        Language::Rhai,
        "let w = workflow.sequential(#{ name: \"w\", steps: [] });\nlet s = w.r$0un(\"x\");",
        expect![[r#"
            1:10-1:13
            ```rhai
            Workflow.run(input: str | map | State) -> State
            ```

            Runs the workflow. A string input becomes the State `{ input = <string> }`, a map the State of its entries; a State is used as is. Each step receives the current State and its result is folded in: a State replaces it, a map is merged into it (nil removes a key), nil leaves it unchanged, any other value is stored under `output`. A parallel workflow returns its input State with one entry per step (step name → output).

            **Parameters**
            - `input: str | map | State` — The starting input.

            **Returns** `State` — The final State.

            **Example**

            ```rhai
            let w = workflow.sequential(#{ name: "w", steps: [|s| "done"] });
            print(w.run("go").get("output")); // done
            ```"#]],
    );
}

#[test]
fn local_shows_its_inferred_host_type_and_definition_line() {
    check(
        Language::Lua,
        "local helper = agent.create{ name = \"h\" }\nprint(hel$0per:run(\"hi\"))",
        expect![[r#"
            1:6-1:12
            ```lua
            local helper: Agent
            ```

            Defined on line 1.

            ---

            `Agent`: An LLM with a role, tools and optional memory, made by `agent.create`. Usable as a workflow step (State in, State out).

            **Methods**
            - `Agent.run(input: str | map | State) -> str | State`
            - `Agent.stream(input: str | map | State, on_chunk: fn) -> str | State`
            - `Agent.history() -> list<map>`
            - `Agent.reset() -> nil`"#]],
    );
    check(
        Language::JavaScript,
        "const helper = agent.create({ name: \"h\" });\nconst n = 1;\nprint(n$0);",
        expect![[r#"
            2:6-2:7
            ```js
            const n
            ```

            Defined on line 2."#]],
    );
}

#[test]
fn field_of_a_value_module() {
    check(
        Language::JavaScript,
        "print(spell.eng$0ine);",
        expect![[r#"
        0:12-0:18
        ```js
        spell.engine: str
        ```

        The engine running it: `"lua"`, `"js"` or `"rhai"`."#]],
    );
}

#[test]
fn local_initialised_with_a_host_call_shows_its_return_type() {
    check(
        Language::JavaScript,
        "const text = await llm.complete(\"hi\");\nprint(te$0xt);",
        expect![[r#"
            1:6-1:10
            ```js
            const text: str
            ```

            Defined on line 1."#]],
    );
    check(
        Language::Lua,
        "local names = agent.list()\nprint(na$0mes)",
        expect![[r#"
        1:6-1:11
        ```lua
        local names: list<str>
        ```

        Defined on line 1."#]],
    );
    check(
        Language::Rhai,
        "let n = 1 + json.encode(2);\nprint(n$0);",
        expect![[r#"
        1:6-1:7
        ```rhai
        let n
        ```

        Defined on line 1."#]],
    );
}

#[test]
fn step_parameter_shows_the_state_type() {
    check_headings(
        &[
            (
                Language::Lua,
                "workflow.sequential{ name = \"w\", steps = { function(s$0) return s end } }",
            ),
            (
                Language::JavaScript,
                "workflow.loop({ name: \"w\", step: (s) => s, until: (st$0ate) => true });",
            ),
            (
                Language::Rhai,
                "workflow.parallel(#{ name: \"w\", steps: [|s$0| s] });",
            ),
            (Language::Lua, "events.on(\"x\", function(ev$0ent) end)"),
        ],
        1,
        expect![[r#"
            Lua: (parameter) s: State
            JavaScript: (parameter) state: State
            Rhai: (parameter) s: State
            Lua: (parameter) event"#]],
    );
}

#[test]
fn parameter_of_a_function() {
    check(
        Language::Rhai,
        "fn greet(who) {\n  print(w$0ho);\n}",
        expect![[r#"
        1:8-1:11
        ```rhai
        (parameter) who
        ```

        Defined on line 1."#]],
    );
}

#[test]
fn config_key_shows_its_type_doc_and_record() {
    check(
        Language::Lua,
        "agent.create{ name = \"a\", max_tu$0rns = 3 }",
        expect![[r#"
            0:26-0:35
            ```lua
            (key) max_turns?: int
            ```

            The most model calls of one run (a positive int); then error `max_turns`.

            Optional, default `8`. Key of `AgentConfig`."#]],
    );
    check(
        Language::JavaScript,
        "llm.chat({ $0prompt: \"hi\" })",
        expect![[r#"
            0:11-0:17
            ```js
            (key) prompt?: str
            ```

            The user message.

            Optional. Key of `LlmRequest`."#]],
    );
}

#[test]
fn tool_name_shows_its_description_and_schema() {
    check(
        Language::JavaScript,
        "agent.create({ name: \"a\", tools: [\"calcul$0ator\"] })",
        expect![[r#"
            0:35-0:45
            **calculator** — built-in tool

            Evaluates an arithmetic expression: numbers, + - * / % ^ (power), parentheses, unary minus, constants pi and e, functions sqrt, abs, floor, ceil, round, exp, ln, log10, log2, sin, cos, tan, min, max, pow. Returns the number.

            **Arguments**

            ```json
            {
              "additionalProperties": false,
              "properties": {
                "expression": {
                  "description": "The expression, e.g. `(2 + 3) * 4 ^ 2`.",
                  "type": "string"
                }
              },
              "required": [
                "expression"
              ],
              "type": "object"
            }
            ```"#]],
    );
    check(
        Language::Lua,
        "tools.define{ name = \"shout\", description = \"Shouts\", params = { type = \"object\" }, run = function(a) return a end }\nprint(tools.call(\"sh$0out\", {}))",
        expect![[r#"
            1:18-1:23
            **shout** — tool defined in this spell

            Shouts

            **Arguments**

            ```lua
            { type = "object" }
            ```"#]],
    );
}

#[test]
fn model_name_shows_its_provider() {
    check(
        Language::Rhai,
        "llm.chat(#{ model: \"fa$0st\" })",
        expect![[r#"
        0:20-0:24
        **fast** — alias of `openai/gpt-4o-mini`, from `llmspell.toml`."#]],
    );
}

#[test]
fn nothing_on_keywords_comments_and_plain_strings() {
    check(Language::Lua, "loc$0al x = 1", expect!["no hover"]);
    check(
        Language::JavaScript,
        "// agent.cr$0eate",
        expect!["no hover"],
    );
    check(Language::Rhai, "print(\"age$0nt\")", expect!["no hover"]);
}

#[test]
fn field_of_a_host_object_and_a_global_function() {
    check(
        Language::Lua,
        "local a = agent.create{ name = \"a\" }\nprint(a.mo$0del)",
        expect![[r#"
            1:8-1:13
            ```lua
            Agent.model: str
            ```

            The `provider/model` it uses."#]],
    );
    check(
        Language::JavaScript,
        "pri$0nt(1);",
        expect![[r#"
        0:0-0:5
        ```js
        print(...values: any) -> nil
        ```

        Writes its arguments to standard output as text, separated by one space, followed by a newline. Strings are written as they are, `nil` as `nil`, lists and maps as compact JSON with sorted keys: the same bytes in every engine.

        **Parameters**
        - `...values: any` — The values to write, in order.

        **Returns** `nil` — Nothing.

        **Example**

        ```js
        print("answer:", 42, true); // answer: 42 true
        ```"#]],
    );
}

/// Every host call in the example spells: hovering its name shows the callee's signature.
#[test]
fn every_host_call_in_the_example_spells_has_a_hover() {
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
            let function = ide.api().callee(&call.callee).expect("host calls resolve");
            let position = document.position(call.name_range.start);
            let hover = ide
                .hover(&document, position)
                .unwrap_or_else(|| panic!("no hover on {} in {}", call.callee, path.display()));
            assert!(
                hover.markdown.contains(&format!("{}(", function.qualified)),
                "{}: hover on {} shows {}",
                path.display(),
                call.callee,
                hover.markdown
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
fn strings_naming_a_defined_tool_an_agent_or_a_provider() {
    check(
        Language::Rhai,
        "tools.define(#{ name: \"sh$0out\", description: \"Shouts\", run: |a| a });",
        expect![[r#"
            0:23-0:28
            **shout** — tool defined in this spell

            Shouts"#]],
    );
    check(
        Language::Lua,
        "agent.create{ name = \"writer\" }\nlocal w = agent.get(\"wri$0ter\")",
        expect![[r#"
            1:21-1:27
            **writer** — agent created in this spell on line 1."#]],
    );
    check(
        Language::JavaScript,
        "await llm.models(\"ope$0nai\")",
        expect![[r#"
        0:18-0:24
        **openai** — provider from `llmspell.toml`.

        Models: `openai/gpt-4o`, `openai/gpt-4o-mini`."#]],
    );
}
