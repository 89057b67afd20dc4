//! Architecture invariants that a test can read: which crate may depend on which.
//!
//! Every crate's `Cargo.toml` is read; a dependency edge the design forbids fails the test,
//! and so does a crate the rules below do not know (add it here on purpose, with the design).

use std::collections::BTreeMap;
use std::path::Path;

/// Project crates each crate may depend on (normal and build dependencies).
const ALLOWED: &[(&str, &[&str])] = &[
    ("llmspell-bridge", &[]),
    ("llmspell-syntax", &["tree-sitter-rhai"]),
    ("llmspell-llm", &["llmspell-bridge"]),
    ("llmspell-runtime", &["llmspell-bridge", "llmspell-syntax"]),
    ("llmspell-host", &["llmspell-bridge", "llmspell-llm"]),
    ("llmspell-ide", &["llmspell-syntax", "llmspell-bridge"]),
    ("llmspell-lsp", &["llmspell-ide", "llmspell-syntax", "llmspell-bridge"]),
    ("llmspell-dap", &["llmspell-runtime", "llmspell-host", "llmspell-bridge"]),
    (
        "llmspell-cli",
        &[
            "llmspell-bridge",
            "llmspell-llm",
            "llmspell-host",
            "llmspell-runtime",
            "llmspell-syntax",
            "llmspell-ide",
            "llmspell-lsp",
            "llmspell-dap",
        ],
    ),
];

/// Script engines: only the runtime (and the binary that wires it) may link one.
const ENGINES: &[&str] = &["mlua", "rquickjs", "rhai"];
const MAY_LINK_ENGINES: &[&str] = &["llmspell-runtime", "llmspell-cli"];

/// Protocol crates: only their own adapter (and the binary) may see them.
const PROTOCOLS: &[(&str, &[&str])] = &[
    ("tower-lsp-server", &["llmspell-lsp", "llmspell-cli"]),
    ("lsp-types", &["llmspell-lsp", "llmspell-cli"]),
    ("dap", &["llmspell-dap", "llmspell-cli"]),
];

fn manifests() -> BTreeMap<String, (String, Vec<String>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut crates = BTreeMap::new();
    let mut folders = vec![root.join("crates")];
    if root.join("grammars").is_dir() {
        for entry in std::fs::read_dir(root.join("grammars")).unwrap() {
            folders.push(entry.unwrap().path());
        }
    }
    for folder in folders {
        let candidates: Vec<_> = if folder.join("Cargo.toml").is_file() {
            vec![folder.join("Cargo.toml")]
        } else {
            std::fs::read_dir(&folder)
                .unwrap()
                .map(|entry| entry.unwrap().path().join("Cargo.toml"))
                .filter(|path| path.is_file())
                .collect()
        };
        for path in candidates {
            let text = std::fs::read_to_string(&path).unwrap();
            let manifest: toml::Table = toml::from_str(&text).unwrap();
            let name = manifest["package"]["name"].as_str().unwrap().to_owned();
            let mut dependencies = Vec::new();
            for section in ["dependencies", "build-dependencies"] {
                if let Some(table) = manifest.get(section).and_then(|value| value.as_table()) {
                    dependencies.extend(table.keys().cloned());
                }
            }
            crates.insert(name, (path.display().to_string(), dependencies));
        }
    }
    crates
}

#[test]
fn crate_dependencies_follow_the_design() {
    let crates = manifests();
    assert!(crates.contains_key("llmspell-bridge"), "found crates: {:?}", crates.keys());
    let mut problems = Vec::new();
    for (name, (path, dependencies)) in &crates {
        let allowed = ALLOWED.iter().find(|(crate_name, _)| crate_name == name);
        if name.starts_with("llmspell-") && allowed.is_none() {
            problems.push(format!("{path}: crate {name} has no rule in tests/architecture.rs"));
        }
        for dependency in dependencies {
            let project = dependency.starts_with("llmspell-") || dependency == "tree-sitter-rhai";
            if project && allowed.is_some_and(|(_, ok)| !ok.contains(&dependency.as_str())) {
                problems.push(format!("{path}: {name} must not depend on {dependency}"));
            }
            if ENGINES.contains(&dependency.as_str()) && !MAY_LINK_ENGINES.contains(&name.as_str()) {
                problems.push(format!("{path}: {name} must not link the script engine {dependency}"));
            }
            if let Some((_, owners)) = PROTOCOLS.iter().find(|(protocol, _)| protocol == dependency) {
                if !owners.contains(&name.as_str()) {
                    problems.push(format!("{path}: {name} must not see protocol crate {dependency}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "forbidden dependency edges:\n{}", problems.join("\n"));
}

#[test]
fn the_rules_catch_a_forbidden_edge() {
    // The check itself must be able to fail: the bridge may depend on nothing of ours.
    let rule = ALLOWED.iter().find(|(name, _)| *name == "llmspell-bridge").unwrap();
    assert!(!rule.1.contains(&"llmspell-runtime"));
    let ide = ALLOWED.iter().find(|(name, _)| *name == "llmspell-ide").unwrap();
    assert!(!ide.1.contains(&"llmspell-runtime"), "the IDE layer never links an engine");
}
