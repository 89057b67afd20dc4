//! llmspell-host: the host modules spells call — `print`, `log`, `json`, `params`, `spell`,
//! `fs`, `state`, `events`, `llm`, `agent`, `tools`, `workflow`, `http` — with the file sandbox
//! and network policies, the persistent state store and the step runners.
//!
//! [`registry`] turns one spell's [`HostContext`] into the [`Registry`] an engine binds;
//! [`manifest_registry`] gives the same declarations without a spell, for `llmspell api`.
//!
//! Architecture invariant: this crate never sees a script engine. It calls back into
//! scripts only through the bridge's [`Callable`](llmspell_bridge::Callable) handle.

mod context;
mod event_bus;
mod modules;
pub mod net;
mod runners;
mod sandbox;
mod state_store;
mod tools;
#[cfg(test)]
mod test_support;

use llmspell_bridge::Registry;

pub use context::{
    CapturedOutput, HostContext, OFFLINE_MODEL, OFFLINE_PROVIDER, Output, SandboxSettings, SpellInfo,
    StdOutput, offline_providers,
};
pub use runners::{Runner, Runners};
pub use event_bus::{EventBus, MAX_EMIT_DEPTH, event_value, pattern_matches};
pub use modules::state::State;
pub use sandbox::Sandbox;
pub use state_store::StateStore;
pub use tools::{Tool, ToolBox};
pub use modules::agent::{Agent, DEFAULT_MAX_TURNS, MAX_TURNS};

/// Every host module of this crate, bound to one spell's context.
///
/// Constructing it does no I/O: the state database opens on the first `state.save`,
/// `load`, `delete` or `list`.
pub fn registry(context: HostContext) -> Registry {
    let mut registry = Registry::new();
    let toolbox = ToolBox::new(&context);
    registry
        .add_module(modules::print::module(&context))
        .add_module(modules::log::module(&context))
        .add_module(modules::json::module())
        .add_module(modules::spell::params_module(&context))
        .add_module(modules::spell::spell_module(&context))
        .add_module(modules::fs::module(&context))
        .add_module(modules::state::module(&context))
        .add_module(modules::events::module(&context))
        .add_module(modules::http::module(&context))
        .add_module(modules::llm::module(&context, &toolbox))
        .add_module(modules::agent::module(&context, &toolbox))
        .add_module(modules::tools::module(&toolbox))
        .add_module(modules::workflow::module(&context))
        .add_type(modules::state::object_type())
        .add_type(modules::agent::object_type())
        .add_type(modules::tools::object_type())
        .add_type(modules::workflow::object_type());
    // The built-in tools as `tools.list()` shows them (before the spell defines any).
    for tool in toolbox.list() {
        registry.add_tool(llmspell_bridge::BuiltinTool {
            name: tool.name().to_owned(),
            description: tool.description().to_owned(),
            parameters: tool.params().clone(),
        });
    }
    registry
}

/// The same declarations bound to a placeholder context, for the manifest
/// (`llmspell api`). Does no I/O; do not run spells against it.
pub fn manifest_registry() -> Registry {
    registry(HostContext::placeholder())
}

#[cfg(test)]
mod tests {
    use llmspell_bridge::{Function, ModuleKind};

    use super::*;

    fn every_function(registry: &Registry) -> Vec<(String, &Function)> {
        let mut functions = Vec::new();
        for module in &registry.modules {
            for function in &module.functions {
                functions.push((module.qualified(function.name), function));
            }
        }
        for object_type in &registry.types {
            for method in &object_type.methods {
                functions.push((format!("{}.{}", object_type.name, method.name), method));
            }
        }
        functions
    }

    #[test]
    fn the_registry_has_every_module_of_the_contract() {
        let registry = manifest_registry();
        let mut names: Vec<&str> = registry.modules.iter().map(|module| module.name).collect();
        names.sort();
        assert_eq!(
            names,
            [
                "agent", "events", "fs", "http", "json", "llm", "log", "params", "print", "spell", "state", "tools",
                "workflow"
            ]
        );
        assert!(matches!(
            registry.module("print").unwrap().kind,
            ModuleKind::Globals
        ));
        assert!(matches!(
            registry.module("params").unwrap().kind,
            ModuleKind::Value(_)
        ));
        assert!(matches!(
            registry.module("spell").unwrap().kind,
            ModuleKind::Value(_)
        ));
        assert_eq!(registry.module("State").unwrap().name, "state");
        assert_eq!(
            registry.module("state").unwrap().find("new").unwrap().name,
            "create"
        );
        let signatures: Vec<String> = every_function(&registry)
            .into_iter()
            .map(|(qualified, function)| {
                let prefix = qualified.strip_suffix(function.name).unwrap_or("");
                format!("{prefix}{}", function.signature())
            })
            .collect();
        let expected = [
            "print(...values: any) -> nil",
            "log.debug(msg: str, fields?: map) -> nil",
            "log.info(msg: str, fields?: map) -> nil",
            "log.warn(msg: str, fields?: map) -> nil",
            "log.error(msg: str, fields?: map) -> nil",
            "json.encode(value: any, pretty?: bool) -> str",
            "json.decode(text: str) -> any",
            "fs.read(path: str) -> str",
            "fs.write(path: str, text: str) -> nil",
            "fs.append(path: str, text: str) -> nil",
            "fs.exists(path: str) -> bool",
            "fs.list(dir?: str) -> list<str>",
            "fs.remove(path: str) -> nil",
            "state.create(values?: map) -> State",
            "state.save(key: str, value: any) -> nil",
            "state.load(key: str) -> any",
            "state.delete(key: str) -> bool",
            "state.list(prefix?: str) -> list<str>",
            "events.on(pattern: str, handler: fn) -> int",
            "events.off(id: int) -> bool",
            "events.emit(name: str, data?: any) -> nil",
            "http.get(url: str, opts?: HttpOptions) -> map",
            "http.post(url: str, body: str | map | list, opts?: HttpOptions) -> map",
            "llm.complete(prompt: str | LlmRequest) -> str",
            "llm.chat(request: str | LlmRequest) -> map",
            "llm.stream(request: str | LlmRequest, on_chunk: fn) -> map",
            "llm.providers() -> list<map>",
            "llm.models(provider?: str) -> list<str>",
            "agent.create(config: AgentConfig) -> Agent",
            "agent.get(name: str) -> Agent",
            "agent.list() -> list<str>",
            "tools.list() -> list<map>",
            "tools.get(name: str) -> Tool",
            "tools.call(name: str, args?: map) -> any",
            "tools.define(spec: ToolDefinition) -> Tool",
            "workflow.sequential(config: SequentialConfig) -> Workflow",
            "workflow.parallel(config: ParallelConfig) -> Workflow",
            "workflow.conditional(config: ConditionalConfig) -> Workflow",
            "workflow.loop(config: LoopConfig) -> Workflow",
            "State.get(key: str) -> any",
            "State.keys() -> list<str>",
            "State.to_map() -> map",
            "State.set(key: str, value: any) -> State",
            "State.merge(values: map) -> State",
            "Agent.run(input: str | map | State) -> str | State",
            "Agent.stream(input: str | map | State, on_chunk: fn) -> str | State",
            "Agent.history() -> list<map>",
            "Agent.reset() -> nil",
            "Tool.call(args?: map) -> any",
            "Workflow.run(input: str | map | State) -> State",
        ];
        assert_eq!(signatures, expected);
    }

    #[test]
    fn the_manifest_lists_every_config_record_and_the_built_in_tools() {
        let manifest = manifest_registry().manifest();
        let records: Vec<String> = manifest
            .records
            .iter()
            .map(|record| {
                let fields: Vec<String> = record
                    .fields
                    .iter()
                    .map(|field| {
                        let mark = if field.optional { "?" } else { "" };
                        format!("{}{mark}: {}", field.name, field.ty)
                    })
                    .collect();
                format!("{} {{ {} }}", record.name, fields.join(", "))
            })
            .collect();
        let step = "Agent | Tool | Workflow | object | fn | StepConfig";
        assert_eq!(records, [
            "AgentConfig { name: str, model?: str, system_prompt?: str, tools?: list<str | Tool>, \
             temperature?: float, max_tokens?: int, max_turns?: int, memory?: bool, input_key?: str, \
             output_key?: str }"
                .to_owned(),
            format!("Branch {{ when: fn, step: {step} }}"),
            "ChatMessage { role: str, content: str }".to_owned(),
            format!("ConditionalConfig {{ name: str, branches: list<Branch>, otherwise?: {step} }}"),
            "HttpOptions { headers?: map, timeout?: float }".to_owned(),
            "LlmRequest { prompt?: str, messages?: list<ChatMessage>, system?: str, model?: str, \
             temperature?: float, max_tokens?: int, schema?: map, tools?: list<str | Tool> }"
                .to_owned(),
            format!("LoopConfig {{ name: str, step: {step}, until: fn, max_iterations: int }}"),
            format!("ParallelConfig {{ name: str, steps: list<{step}>, max_concurrency?: int }}"),
            "RetryPolicy { retry: int }".to_owned(),
            format!("SequentialConfig {{ name: str, steps: list<{step}> }}"),
            "StepConfig { name?: str, run: Agent | Tool | Workflow | object | fn, on_error?: str | RetryPolicy }"
                .to_owned(),
            "ToolDefinition { name: str, description?: str, params?: map, run: fn }".to_owned(),
        ]);
        let tools: Vec<&str> = manifest.tools.iter().map(|tool| tool.name.as_str()).collect();
        let listed: Vec<String> = ToolBox::new(&HostContext::placeholder())
            .list()
            .iter()
            .map(|tool| tool.name().to_owned())
            .collect();
        assert_eq!(tools, listed);
        assert!(tools.contains(&"calculator"), "{tools:?}");
        let calculator = manifest.tools.iter().find(|tool| tool.name == "calculator").unwrap();
        assert!(!calculator.description.is_empty());
        assert_eq!(calculator.parameters["type"], "object");
        assert!(calculator.parameters["properties"]["expression"].is_object());
    }

    #[test]
    fn every_function_is_documented_with_examples_in_three_languages() {
        let registry = manifest_registry();
        for (qualified, function) in every_function(&registry) {
            assert!(!function.doc.is_empty(), "{qualified}: no doc");
            assert!(
                !function.returns_doc.is_empty(),
                "{qualified}: no return doc"
            );
            for param in &function.params {
                assert!(
                    !param.doc.is_empty(),
                    "{qualified}: parameter {} has no doc",
                    param.name
                );
            }
            let examples = &function.examples;
            for (language, example) in [
                ("lua", examples.lua),
                ("js", examples.js),
                ("rhai", examples.rhai),
            ] {
                assert!(!example.is_empty(), "{qualified}: no {language} example");
                let mentions = example.contains(function.name);
                assert!(
                    mentions,
                    "{qualified}: the {language} example does not call it"
                );
            }
            assert!(
                !examples.lua.contains("#{"),
                "{qualified}: Rhai map in the Lua example"
            );
            assert!(
                !examples.js.contains("#{"),
                "{qualified}: Rhai map in the JS example"
            );
            assert!(
                !examples.lua.contains(';'),
                "{qualified}: semicolon in the Lua example"
            );
            let map_literal = examples.lua.contains("= {") || examples.lua.contains("({");
            if map_literal && examples.lua.contains(" = ") {
                assert!(
                    examples.rhai.contains("#{"),
                    "{qualified}: Rhai maps are #{{…}}"
                );
            }
        }
        for module in &registry.modules {
            assert!(!module.doc.is_empty(), "module {} has no doc", module.name);
        }
    }

    #[test]
    fn the_manifest_serialises() {
        let manifest = manifest_registry().manifest();
        let json: serde_json::Value = serde_json::from_str(&manifest.to_json()).unwrap();
        let encode = &json["modules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|module| module["name"] == "json")
            .unwrap()["functions"][0];
        assert_eq!(encode["params"][1]["default"], serde_json::json!(false));
        let types = json["types"].as_array().unwrap();
        assert!(types.iter().any(|object_type| object_type["name"] == "State"));
    }

    #[test]
    fn building_a_registry_does_no_io() {
        let workspace = tempfile::tempdir().unwrap();
        let context = HostContext::new(workspace.path(), SpellInfo::default(), Default::default());
        let _registry = registry(context.clone());
        assert!(!context.state_store().is_open());
        assert_eq!(std::fs::read_dir(workspace.path()).unwrap().count(), 0);
    }

    #[test]
    fn the_placeholder_refuses_file_and_state_calls_without_touching_the_disk() {
        let registry = manifest_registry();
        let call = |module: &str, function: &str, args: Vec<llmspell_bridge::Value>| {
            let module = registry.module(module).unwrap();
            let function = module.find(function).unwrap();
            match function.invoke(&module.qualified(function.name), None, args) {
                llmspell_bridge::Invocation::Ready(result) => result.unwrap_err().code,
                llmspell_bridge::Invocation::Pending(_) => panic!("synchronous"),
            }
        };
        assert_eq!(call("state", "save", vec!["k".into(), 1.into()]), "state");
        assert_eq!(call("fs", "write", vec!["a.txt".into(), "x".into()]), "io");
        assert!(!std::path::Path::new("/nonexistent").exists());
    }
}
