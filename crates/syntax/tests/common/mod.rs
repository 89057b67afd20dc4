//! Shared helpers for the syntax tests: fixtures with a `$0` cursor, positions as `line:column`,
//! and a small host API shaped like the manifest's.

#![allow(
    dead_code,
    reason = "each test file uses a different part of the helpers"
)]

use llmspell_syntax::{HostApi, HostFunction, HostModule, HostType, TextRange};

/// Splits a fixture into its text and the offset of `$0` (if any).
pub fn cursor(fixture: &str) -> (String, Option<usize>) {
    match fixture.find("$0") {
        Some(offset) => (fixture.replacen("$0", "", 1), Some(offset)),
        None => (fixture.to_owned(), None),
    }
}

/// `line:column` (1-based) of a byte offset.
pub fn position(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    format!("{line}:{}", before[line_start..].chars().count() + 1)
}

/// `line:column-line:column` of a range.
pub fn range(text: &str, range: TextRange) -> String {
    format!(
        "{}-{}",
        position(text, range.start),
        position(text, range.end)
    )
}

fn function(returns: Option<&str>) -> HostFunction {
    HostFunction {
        returns: returns.map(str::to_owned),
    }
}

/// Function (or method) names with their return types.
type Functions = &'static [(&'static str, Option<&'static str>)];

/// A slice of the real manifest: the functions and types these tests use.
pub fn host_api() -> HostApi {
    let mut api = HostApi::default();
    let modules: &[(&str, Functions)] = &[
        (
            "agent",
            &[
                ("create", Some("Agent")),
                ("new", Some("Agent")),
                ("get", Some("Agent")),
                ("list", Some("list<str>")),
            ],
        ),
        (
            "Agent",
            &[("create", Some("Agent")), ("new", Some("Agent"))],
        ),
        (
            "workflow",
            &[
                ("sequential", Some("Workflow")),
                ("parallel", Some("Workflow")),
                ("conditional", Some("Workflow")),
                ("loop", Some("Workflow")),
            ],
        ),
        ("state", &[("create", Some("State")), ("load", Some("any"))]),
        (
            "tools",
            &[
                ("define", Some("Tool")),
                ("get", Some("Tool")),
                ("call", Some("any")),
            ],
        ),
        ("llm", &[("complete", Some("str")), ("chat", Some("map"))]),
        ("log", &[("info", Some("nil"))]),
    ];
    for (module, functions) in modules {
        let mut host_module = HostModule::default();
        for (name, returns) in *functions {
            host_module
                .functions
                .insert((*name).to_owned(), function(*returns));
        }
        api.modules.insert((*module).to_owned(), host_module);
    }
    let types: &[(&str, Functions)] = &[
        (
            "Agent",
            &[
                ("run", Some("str | State")),
                ("stream", Some("str | State")),
                ("history", Some("list<map>")),
                ("reset", Some("nil")),
            ],
        ),
        ("Workflow", &[("run", Some("State"))]),
        (
            "State",
            &[
                ("get", Some("any")),
                ("set", Some("nil")),
                ("merge", Some("State")),
            ],
        ),
        ("Tool", &[("call", Some("any"))]),
    ];
    for (name, methods) in types {
        let mut host_type = HostType::default();
        for (method, returns) in *methods {
            host_type
                .methods
                .insert((*method).to_owned(), function(*returns));
        }
        api.types.insert((*name).to_owned(), host_type);
    }
    api
}
