//! The manifest and the documents generated from it: `llmspell api` and `docs/api.md`.

mod support;

use support::{llmspell, repo};

/// The modules and functions this host API must declare.
const EXPECTED: &[(&str, &[&str])] = &[
    ("print", &["print"]),
    ("log", &["debug", "info", "warn", "error"]),
    ("json", &["encode", "decode"]),
    ("fs", &["read", "write", "append", "exists", "list", "remove"]),
    ("state", &["create", "save", "load", "delete", "list"]),
    ("events", &["on", "off", "emit"]),
];

#[test]
fn api_docs_md_matches_the_manifest() {
    let path = repo().join("docs/api.md");
    let generated = llmspell(repo(), &["api", "--markdown"]).stdout;
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/api.md is out of date with the manifest; regenerate it with\n  UPDATE_EXPECT=1 cargo test -p llmspell-cli --test api_docs"
    );
}

#[test]
fn api_json_lists_every_module_function_parameter_and_doc() {
    let ran = llmspell(repo(), &["api", "--json"]);
    assert_eq!(ran.code, 0);
    let manifest: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    let modules = manifest["modules"].as_array().unwrap();
    for (module_name, functions) in EXPECTED {
        let module = modules
            .iter()
            .find(|module| module["name"] == *module_name)
            .unwrap_or_else(|| panic!("module {module_name} missing from the manifest"));
        assert!(!module["doc"].as_str().unwrap().is_empty(), "{module_name} has no doc");
        for function_name in *functions {
            let function = module["functions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|function| function["name"] == *function_name)
                .unwrap_or_else(|| panic!("{module_name}.{function_name} missing"));
            assert!(!function["doc"].as_str().unwrap().is_empty(), "{module_name}.{function_name} has no doc");
            for language in ["lua", "js", "rhai"] {
                assert!(
                    !function["examples"][language].as_str().unwrap().is_empty(),
                    "{module_name}.{function_name} has no {language} example"
                );
            }
            for param in function["params"].as_array().unwrap() {
                assert!(param["type"].is_string() && param["name"].is_string());
                assert!(!param["doc"].as_str().unwrap().is_empty(), "{module_name}.{function_name}({}) has no doc", param["name"]);
            }
        }
    }
    for value_module in ["params", "spell"] {
        let module = modules.iter().find(|module| module["name"] == value_module).unwrap();
        assert_eq!(module["kind"], "value");
    }
    let state = manifest["types"].as_array().unwrap().iter().find(|ty| ty["name"] == "State").unwrap();
    let methods: Vec<&str> = state["methods"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    for method in ["get", "keys", "to_map", "set", "merge"] {
        assert!(methods.contains(&method), "State.{method} missing: {methods:?}");
    }
}

#[test]
fn api_text_is_readable() {
    let ran = llmspell(repo(), &["api"]);
    assert_eq!(ran.code, 0);
    assert!(ran.stdout.contains("json.encode(value: any, pretty?: bool) -> str"), "{}", ran.stdout);
}

/// `llmspell api --stubs DIR` writes the three editor stubs; the committed copies in
/// `editors/stubs/` must be exactly what it writes (`UPDATE_EXPECT=1` refreshes them).
#[test]
fn editor_stubs_match_the_manifest() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("stubs");
    let ran = llmspell(repo(), &["api", "--stubs", dir.to_str().unwrap()]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let mut stale = Vec::new();
    for name in ["llmspell.lua", "llmspell.d.ts", "llmspell.d.rhai"] {
        let generated = std::fs::read_to_string(dir.join(name)).unwrap();
        let committed_path = repo().join("editors/stubs").join(name);
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            std::fs::create_dir_all(committed_path.parent().unwrap()).unwrap();
            std::fs::write(&committed_path, &generated).unwrap();
        }
        if std::fs::read_to_string(&committed_path).unwrap_or_default() != generated {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "editors/stubs/{stale:?} out of date with the manifest; regenerate them with\n  UPDATE_EXPECT=1 cargo test -p llmspell-cli --test api_docs"
    );
}

/// The stubs declare what the manifest declares, in each editor's own form.
#[test]
fn editor_stubs_declare_modules_records_aliases_and_async_results() {
    let stub = |name: &str| std::fs::read_to_string(repo().join("editors/stubs").join(name)).unwrap();
    let lua = stub("llmspell.lua");
    for expected in [
        "---@meta llmspell\n",
        "---@class AgentConfig\n---@field name string ",
        "---@field max_turns? integer ",
        "---@param config AgentConfig ",
        "---@return Agent # The new agent.\nfunction agent.create(config) end\nagent.new = agent.create\n",
        "\nAgent = agent\n",
        "function Agent_methods:run(input) end",
        "---@param ... any The values to write, in order.\nfunction print(...) end",
    ] {
        assert!(lua.contains(expected), "llmspell.lua lacks {expected:?}");
    }
    let ts = stub("llmspell.d.ts");
    for expected in [
        "interface AgentConfig {\n",
        "  max_turns?: number;\n",
        "  new (config: AgentConfig): Agent;\n",
        "  \"new\"(config: AgentConfig): Agent;\n",
        "declare var Agent: AgentModule;\n",
        "  run(input: State): Promise<State>;\n",
        "  run(input: string | { [key: string]: any }): Promise<string>;\n",
        "  complete(prompt: string | LlmRequest): Promise<string>;\n",
        "declare function print(...values: any[]): void;\n",
    ] {
        assert!(ts.contains(expected), "llmspell.d.ts lacks {expected:?}");
    }
    assert!(
        !ts.lines().any(|line| line.starts_with("import ") || line.starts_with("export ")),
        "the .d.ts must stay ambient"
    );
    let rhai = stub("llmspell.d.rhai");
    for expected in [
        "module static;\n",
        "module agent {\n",
        "fn create(config: Map) -> Agent;\n",
        "/// Another name of `create`.\n",
        "fn new(config: Map) -> Agent;\n",
        "fn get name(agent: Agent) -> String;\n",
        "fn run(agent: Agent, input: ?) -> ?;\n",
        "fn get(url: String) -> Map;\nfn get(url: String, opts: Map) -> Map;\n",
    ] {
        assert!(rhai.contains(expected), "llmspell.d.rhai lacks {expected:?}");
    }
}

/// The Lua meta file is valid Lua: our own parser reads it without an error.
#[test]
fn lua_stub_parses_without_errors() {
    let ran = llmspell(repo(), &["parse", "editors/stubs/llmspell.lua"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(!ran.stdout.contains("ERROR"), "the parse tree has an error node");
}
