//! No false positives: every example spell in `spells/` and every case of the conformance corpus
//! (`tests/conformance/<case>/spell.{lua,js,rhai}`) gets no diagnostic at all — except the cases
//! that misuse the API on purpose, whose expected output shows the runtime error; those are
//! listed below with the reason, and the diagnostics they must get are asserted (a true positive
//! is a feature).

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use llmspell_ide::Language;

/// A conformance case that misuses the API on purpose: its expected output shows the runtime
/// error for each diagnostic listed here (`line:code`, one-based lines, per engine).
struct Misuse {
    case: &'static str,
    reason: &'static str,
    lua: &'static [&'static str],
    js: &'static [&'static str],
    rhai: &'static [&'static str],
}

/// The test configuration lists models (see `common::project_config`), so an unknown model is
/// reported where the runtime answers `provider_config`.
const DELIBERATE_MISUSE: &[Misuse] = &[
    Misuse {
        case: "14-json-errors",
        reason: "json.decode(42): invalid_argument",
        lua: &["12:argument-type"],
        js: &["11:argument-type"],
        rhai: &["11:argument-type"],
    },
    Misuse {
        case: "15-errors-invalid-argument",
        reason: "every line passes a wrong type or count: invalid_argument with the bridge's message",
        lua: &[
            "12:argument-type",
            "13:argument-count",
            "14:argument-count",
            "15:argument-type",
            "16:argument-type",
            "17:argument-type",
            "18:argument-type",
            "19:argument-type",
            "20:argument-type",
            "21:argument-count",
            "22:argument-count",
            "23:argument-count",
        ],
        js: &[
            "11:argument-type",
            "12:argument-count",
            "13:argument-count",
            "14:argument-type",
            "15:argument-type",
            "16:argument-type",
            "17:argument-type",
            "18:argument-type",
            "19:argument-type",
            "20:argument-count",
            "21:argument-count",
            "22:argument-count",
        ],
        rhai: &[
            "12:argument-type",
            "13:argument-count",
            "14:argument-count",
            "15:argument-type",
            "16:argument-type",
            "17:argument-type",
            "18:argument-type",
            "19:argument-type",
            "20:argument-type",
            "21:argument-count",
            "22:argument-count",
            "23:argument-count",
        ],
    },
    Misuse {
        case: "17-errors-script-thrown",
        reason: "state.create(…):set(5, \"bad\"): invalid_argument, passed through script frames",
        lua: &["13:argument-type"],
        js: &["13:argument-type"],
        rhai: &["13:argument-type"],
    },
    Misuse {
        case: "35-state-errors",
        reason: "bad arguments to State methods and state functions: invalid_argument",
        lua: &[
            "9:argument-type",
            "10:argument-type",
            "11:argument-count",
            "12:argument-type",
            "13:argument-count",
            "15:argument-type",
        ],
        js: &[
            "8:argument-type",
            "9:argument-type",
            "10:argument-count",
            "11:argument-type",
            "12:argument-count",
            "14:argument-type",
        ],
        rhai: &[
            "8:argument-type",
            "9:argument-type",
            "10:argument-count",
            "11:argument-type",
            "12:argument-count",
            "14:argument-type",
        ],
    },
    Misuse {
        case: "68-llm-request-errors",
        reason: "unknown request key, wrong key type, unknown tool, unknown provider (provider_config), a number as the request",
        lua: &[
            "6:unknown-key",
            "7:argument-type",
            "10:unknown-tool",
            "12:unknown-model",
            "14:argument-type",
        ],
        js: &[
            "5:unknown-key",
            "6:argument-type",
            "9:unknown-tool",
            "11:unknown-model",
            "12:argument-type",
        ],
        rhai: &[
            "5:unknown-key",
            "6:argument-type",
            "9:unknown-tool",
            "11:unknown-model",
            "12:argument-type",
        ],
    },
    Misuse {
        case: "70-tools-define-validate",
        reason: "tools.define with the unknown spec key `colour`: invalid_argument",
        lua: &["28:unknown-key"],
        js: &["27:unknown-key"],
        rhai: &["28:unknown-key"],
    },
    Misuse {
        case: "71-agent-echo-memory-state",
        reason: "agent.create with the unknown key `colour` and the unknown tool `nope`: invalid_argument",
        lua: &["16:unknown-key", "20:unknown-tool"],
        js: &["16:unknown-key", "18:unknown-tool"],
        rhai: &["16:unknown-key", "18:unknown-tool"],
    },
    Misuse {
        case: "83-workflow-loop-until",
        reason: "workflow.loop without max_iterations: invalid_argument",
        lua: &["17:missing-key"],
        js: &["16:missing-key"],
        rhai: &["16:missing-key"],
    },
    Misuse {
        case: "86-workflow-errors",
        reason: "a number as a step, a workflow without a name, an unknown config key: invalid_argument",
        lua: &["22:argument-type", "24:missing-key", "25:unknown-key"],
        js: &["19:argument-type", "21:missing-key", "22:unknown-key"],
        rhai: &["19:argument-type", "21:missing-key", "22:unknown-key"],
    },
];

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The spells to check: `spells/*.{lua,js,rhai}` and every conformance case's spells.
fn spells() -> Vec<PathBuf> {
    let root = repository_root();
    let mut found = Vec::new();
    let mut add_spells_in = |folder: &Path| {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(folder)
            .unwrap_or_else(|error| panic!("reading {}: {error}", folder.display()))
            .map(|entry| entry.expect("a directory entry").path())
            .filter(|path| path.is_file() && language_of(path).is_some())
            .collect();
        entries.sort();
        found.extend(entries);
    };
    add_spells_in(&root.join("spells"));
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root.join("tests/conformance"))
        .expect("the conformance corpus")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    for case in cases {
        add_spells_in(&case);
    }
    found
}

fn language_of(path: &Path) -> Option<Language> {
    Language::from_path(path.to_str()?)
}

/// `case/spell.ext` for a conformance spell, `spells/name.ext` for an example.
fn short_name(path: &Path) -> String {
    let parent = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|name| name.to_str())
        .unwrap_or("");
    let file = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("");
    format!("{parent}/{file}")
}

#[test]
fn example_spells_and_the_conformance_corpus_get_no_false_positives() {
    let ide = common::ide();
    let spells = spells();
    assert!(spells.len() > 250, "found only {} spells", spells.len());
    let mut unexpected = String::new();
    let mut exceptions_seen = Vec::new();
    for path in &spells {
        let language = language_of(path).expect("filtered by language");
        let text = std::fs::read_to_string(path).expect("a readable spell");
        let document = ide.open(language, &text);
        let diagnostics = ide.diagnostics(&document);
        let actual: Vec<String> = diagnostics
            .iter()
            .map(|diagnostic| format!("{}:{}", diagnostic.range.start.line + 1, diagnostic.code))
            .collect();
        let name = short_name(path);
        let extension = path
            .extension()
            .and_then(|extension| extension.to_str())
            .unwrap_or("");
        let expected: Vec<String> = DELIBERATE_MISUSE
            .iter()
            .find(|misuse| name.starts_with(&format!("{}/", misuse.case)))
            .map(|misuse| {
                assert!(!misuse.reason.is_empty());
                exceptions_seen.push(name.clone());
                let codes = match extension {
                    "lua" => misuse.lua,
                    "js" => misuse.js,
                    _ => misuse.rhai,
                };
                codes.iter().map(|code| (*code).to_owned()).collect()
            })
            .unwrap_or_default();
        if actual != expected {
            let _ = writeln!(unexpected, "{name}: expected {expected:?}, got:");
            for diagnostic in &diagnostics {
                let _ = writeln!(
                    unexpected,
                    "  {}:{} {} {}",
                    diagnostic.range.start.line + 1,
                    diagnostic.range.start.character + 1,
                    diagnostic.code,
                    diagnostic.message
                );
            }
        }
    }
    assert!(
        unexpected.is_empty(),
        "diagnostics differ from the expectation:\n{unexpected}"
    );
    assert_eq!(
        exceptions_seen.len(),
        DELIBERATE_MISUSE.len() * 3,
        "every listed exception names an existing spell: saw {exceptions_seen:?}"
    );
}
