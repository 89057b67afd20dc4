//! Signature help in the fixture style: a spell with a `$0` cursor, and the signature with
//! its active parameter in brackets.

mod common;

use expect_test::{Expect, expect};
use llmspell_ide::Language;

use common::{fixture, ide};

/// The signature label with the active parameter marked `[…]` (using the UTF-16 offsets the
/// help reports), then the documentation of that parameter.
fn check(language: Language, text: &str, expect: Expect) {
    let (document, position) = fixture(language, text);
    let rendered = match ide().signature_help(&document, position) {
        None => "no signature help".to_owned(),
        Some(help) => {
            let signature = &help.signatures[help.active_signature as usize];
            let label: Vec<u16> = signature.label.encode_utf16().collect();
            match help
                .active_parameter
                .map(|index| &signature.parameters[index as usize])
            {
                Some(parameter) => {
                    let (start, end) = (parameter.label.0 as usize, parameter.label.1 as usize);
                    format!(
                        "{}[{}]{}\n{}",
                        String::from_utf16_lossy(&label[..start]),
                        String::from_utf16_lossy(&label[start..end]),
                        String::from_utf16_lossy(&label[end..]),
                        parameter.documentation.as_deref().unwrap_or("-"),
                    )
                }
                None => format!("{} (no active parameter)", signature.label),
            }
        }
    };
    expect.assert_eq(&rendered);
}

#[test]
fn acceptance_active_parameter_in_every_language() {
    check(
        Language::Lua,
        "local a = agent.create{ name = \"a\" }\na:stream(\"hi\", $0",
        expect![[r#"
        Agent.stream(input: str | map | State, [on_chunk: fn]) -> str | State
        `on_chunk: fn` — Called with each text delta (a string)."#]],
    );
    check(
        Language::JavaScript,
        "const a = new Agent({ name: \"a\" });\nawait a.stream(\"hi\", $0",
        expect![[r#"
        Agent.stream(input: str | map | State, [on_chunk: fn]) -> str | State
        `on_chunk: fn` — Called with each text delta (a string)."#]],
    );
    check(
        Language::Rhai,
        "let a = agent::create(#{ name: \"a\" });\na.stream(\"hi\", $0",
        expect![[r#"
        Agent.stream(input: str | map | State, [on_chunk: fn]) -> str | State
        `on_chunk: fn` — Called with each text delta (a string)."#]],
    );
}

#[test]
fn first_parameter_after_the_open_paren() {
    check(
        Language::Lua,
        "state.save($0)",
        expect![[r#"
        state.save([key: str], value: any) -> nil
        `key: str` — The key."#]],
    );
    check(
        Language::JavaScript,
        "state.save($0)",
        expect![[r#"
        state.save([key: str], value: any) -> nil
        `key: str` — The key."#]],
    );
    check(
        Language::Rhai,
        "state::save($0)",
        expect![[r#"
        state.save([key: str], value: any) -> nil
        `key: str` — The key."#]],
    );
}

#[test]
fn second_parameter_after_a_comma() {
    check(
        Language::Lua,
        "state.save(\"k\", $0)",
        expect![[r#"
        state.save(key: str, [value: any]) -> nil
        `value: any` — The value to store."#]],
    );
    check(
        Language::JavaScript,
        "await http.post(\"u\", $0",
        expect![[r#"
        http.post(url: str, [body: str | map | list], opts?: HttpOptions) -> map
        `body: str | map | list` — The request body: text, or a map or list to send as JSON."#]],
    );
    check(
        Language::Rhai,
        "json.encode(#{ a: 1 }, $0)",
        expect![[r#"
        json.encode(value: any, [pretty?: bool]) -> str
        `pretty?: bool` — Indent with two spaces and one item per line. Default: `false`."#]],
    );
}

#[test]
fn commas_inside_nested_maps_and_strings_do_not_count() {
    check(
        Language::Lua,
        "http.post(\"a,b\", { x = 1, y = 2 }, { headers = { a = 1 }, $0 })",
        expect![[r#"
            http.post(url: str, body: str | map | list, [opts?: HttpOptions]) -> map
            `opts?: HttpOptions` — Extra request headers and the timeout. Keys of `HttpOptions`: `headers?`, `timeout?`."#]],
    );
    check(
        Language::JavaScript,
        "http.post(\"u\", [1, 2, 3], $0)",
        expect![[r#"
            http.post(url: str, body: str | map | list, [opts?: HttpOptions]) -> map
            `opts?: HttpOptions` — Extra request headers and the timeout. Keys of `HttpOptions`: `headers?`, `timeout?`."#]],
    );
}

#[test]
fn lua_table_call_is_the_one_parameter() {
    check(
        Language::Lua,
        "local a = agent.create{ name = \"a\", $0",
        expect![[r#"
            agent.create([config: AgentConfig]) -> Agent
            `config: AgentConfig` — The agent's name, model, role, tools and limits. Keys of `AgentConfig`: `name`, `model?`, `system_prompt?`, `tools?`, `temperature?`, `max_tokens?`, `max_turns?`, `memory?`, `input_key?`, `output_key?`."#]],
    );
}

#[test]
fn method_of_a_typed_local() {
    check(
        Language::Lua,
        "local a = agent.create{ name = \"a\" }\nprint(a:stream(\"hi\", $0",
        expect![[r#"
            Agent.stream(input: str | map | State, [on_chunk: fn]) -> str | State
            `on_chunk: fn` — Called with each text delta (a string)."#]],
    );
    check(
        Language::JavaScript,
        "const a = agent.create({ name: \"a\" });\nawait a.run($0);",
        expect![[r#"
            Agent.run([input: str | map | State]) -> str | State
            `input: str | map | State` — The user message, a map, or a State."#]],
    );
    check(
        Language::Rhai,
        "let a = agent.create(#{ name: \"a\" });\na.stream(\"hi\", $0);",
        expect![[r#"
            Agent.stream(input: str | map | State, [on_chunk: fn]) -> str | State
            `on_chunk: fn` — Called with each text delta (a string)."#]],
    );
}

#[test]
fn inner_call_wins_and_map_arguments_belong_to_their_call() {
    check(
        Language::JavaScript,
        "print(json.encode($0))",
        expect![[r#"
        json.encode([value: any], pretty?: bool) -> str
        `value: any` — The value to encode."#]],
    );
    check(
        Language::Rhai,
        "agent.create(#{ name: \"a\", tools: [$0] })",
        expect![[r#"
            agent.create([config: AgentConfig]) -> Agent
            `config: AgentConfig` — The agent's name, model, role, tools and limits. Keys of `AgentConfig`: `name`, `model?`, `system_prompt?`, `tools?`, `temperature?`, `max_tokens?`, `max_turns?`, `memory?`, `input_key?`, `output_key?`."#]],
    );
}

#[test]
fn functions_the_spell_defines() {
    check(
        Language::Lua,
        "local function greet(name, greeting, ...)\nend\ngreet(\"a\", $0",
        expect![[r#"
            greet(name, [greeting], ...)
            -"#]],
    );
    check(
        Language::JavaScript,
        "const greet = (name, { loud } = {}) => name;\ngreet(\"a\", $0)",
        expect![[r#"
            greet(name, [{ loud } = {}])
            -"#]],
    );
    check(
        Language::Rhai,
        "fn greet(name, greeting) { name }\ngreet($0)",
        expect![[r#"
        greet([name], greeting)
        -"#]],
    );
}

#[test]
fn variadic_parameter_stays_active() {
    check(
        Language::Lua,
        "print(1, 2, 3, $0)",
        expect![[r#"
        print([...values: any]) -> nil
        `...values: any` — The values to write, in order."#]],
    );
}

#[test]
fn too_many_arguments_have_no_active_parameter() {
    check(
        Language::JavaScript,
        "agent.get(\"a\", $0)",
        expect!["agent.get(name: str) -> Agent (no active parameter)"],
    );
}

#[test]
fn no_help_inside_a_function_body_or_outside_calls() {
    check(
        Language::Lua,
        "events.on(\"agent.*\", function(event)\n  local x = $0\nend)",
        expect!["no signature help"],
    );
    check(
        Language::JavaScript,
        "const x = $0",
        expect!["no signature help"],
    );
    check(
        Language::Rhai,
        "unknown_function($0)",
        expect!["no signature help"],
    );
}

#[test]
fn non_ascii_arguments_do_not_shift_the_active_parameter() {
    check(
        Language::Lua,
        "log.info(\"caf\u{e9} \u{1F600}\", $0)",
        expect![[r#"
        log.info(msg: str, [fields?: map]) -> nil
        `fields?: map` — Structured fields, logged as one JSON object with sorted keys."#]],
    );
}

#[test]
fn javascript_constructor_and_chained_calls() {
    check(
        Language::JavaScript,
        "const a = new Agent({ $0 });",
        expect![[r#"
            agent.create([config: AgentConfig]) -> Agent
            `config: AgentConfig` — The agent's name, model, role, tools and limits. Keys of `AgentConfig`: `name`, `model?`, `system_prompt?`, `tools?`, `temperature?`, `max_tokens?`, `max_turns?`, `memory?`, `input_key?`, `output_key?`."#]],
    );
    check(
        Language::JavaScript,
        "const s = (await workflow.sequential({ name: \"w\", steps: [] }).run(\"x\")).get($0",
        expect![[r#"
            State.get([key: str]) -> any
            `key: str` — The key."#]],
    );
}

/// Inside the argument list of every host call with arguments in the example spells,
/// signature help names the callee and marks a parameter.
#[test]
fn every_host_call_in_the_example_spells_has_signature_help() {
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
            if call.arguments.is_empty() {
                continue;
            }
            let function = ide.api().callee(&call.callee).expect("host calls resolve");
            // Right after the opening bracket: `(`, or a Lua table call's `{`.
            let position = document.position(call.arguments_range.start + 1);
            let help = ide.signature_help(&document, position).unwrap_or_else(|| {
                panic!("no signature help in {} in {}", call.callee, path.display())
            });
            assert!(
                help.signatures[0]
                    .label
                    .starts_with(&format!("{}(", function.qualified)),
                "{}: {} shows {}",
                path.display(),
                call.callee,
                help.signatures[0].label
            );
            assert_eq!(
                help.active_parameter,
                Some(0),
                "{}: {}",
                path.display(),
                call.callee
            );
            checked += 1;
        }
    }
    assert!(
        checked > 100,
        "only {checked} host calls with arguments in the example spells"
    );
}
