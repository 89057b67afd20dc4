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
