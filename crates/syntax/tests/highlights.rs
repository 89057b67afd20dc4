//! The editor highlight queries under `crates/syntax/queries/` compile against the grammars,
//! mark host modules and their members, and list exactly the host modules of `docs/api.md`.

use std::collections::BTreeSet;

use llmspell_syntax::tree_sitter::{Language, Parser, Query, QueryCursor, StreamingIterator};

const LUA_QUERY: &str = include_str!("../queries/lua/highlights.scm");
const JS_QUERY: &str = include_str!("../queries/javascript/highlights.scm");
const RHAI_QUERY: &str = include_str!("../queries/rhai/highlights.scm");
const RHAI_RESEARCH_SPELL: &str = include_str!("../../../spells/research_agent.rhai");
const API_DOC: &str = include_str!("../../../docs/api.md");

fn lua() -> Language {
    tree_sitter_lua::LANGUAGE.into()
}

fn javascript() -> Language {
    tree_sitter_javascript::LANGUAGE.into()
}

fn rhai() -> Language {
    tree_sitter_rhai::LANGUAGE.into()
}

fn query(language: &Language, source: &str) -> Query {
    Query::new(language, source).unwrap_or_else(|e| panic!("query does not compile: {e}"))
}

/// Every `(capture, text, start byte)` that the query's matches produce on `source`.
fn captures(language: &Language, query_source: &str, source: &str) -> Vec<(String, String, usize)> {
    let query = query(language, query_source);
    let mut parser = Parser::new();
    parser.set_language(language).unwrap();
    let tree = parser.parse(source, None).unwrap();
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(&query, tree.root_node(), source.as_bytes());
    let mut out = Vec::new();
    while let Some(m) = matches.next() {
        for c in m.captures() {
            let name = query.capture_names()[c.index as usize].to_string();
            let text = c.node.utf8_text(source.as_bytes()).unwrap().to_string();
            out.push((name, text, c.node.start_byte()));
        }
    }
    out
}

fn names_at(caps: &[(String, String, usize)], offset: usize) -> BTreeSet<&str> {
    caps.iter()
        .filter(|(_, _, s)| *s == offset)
        .map(|(n, _, _)| n.as_str())
        .collect()
}

fn assert_host_marks(language: &Language, query_source: &str, source: &str) {
    let caps = captures(language, query_source, source);
    let agent = source.find("agent.create").expect("spell has agent.create");
    let create = agent + "agent.".len();
    assert!(
        names_at(&caps, agent).contains("module.builtin"),
        "agent: {:?}",
        names_at(&caps, agent)
    );
    assert!(
        names_at(&caps, create).contains("function.builtin"),
        "create: {:?}",
        names_at(&caps, create)
    );
    for (offset, _) in source.match_indices("agents") {
        let names = names_at(&caps, offset);
        assert!(
            !names.contains("module.builtin"),
            "agents at {offset}: {names:?}"
        );
        assert!(
            !names.contains("function.builtin"),
            "agents at {offset}: {names:?}"
        );
    }
    // The ordinary highlights are there too.
    let all: BTreeSet<&str> = caps.iter().map(|(n, _, _)| n.as_str()).collect();
    for expected in ["keyword", "string", "number", "comment", "variable"] {
        assert!(all.contains(expected), "no @{expected} in {all:?}");
    }
}

#[test]
fn queries_compile_against_the_grammars() {
    let lua_query = query(&lua(), LUA_QUERY);
    let js_query = query(&javascript(), JS_QUERY);
    let rhai_query = query(&rhai(), RHAI_QUERY);
    for q in [&lua_query, &js_query, &rhai_query] {
        let names: Vec<&str> = q.capture_names().to_vec();
        assert!(
            names.contains(&"module.builtin") && names.contains(&"function.builtin"),
            "{names:?}"
        );
    }
}

#[test]
fn lua_marks_host_modules_and_members() {
    let spell = r#"-- a spell
local agents = {}
local a = agent.create({ name = "writer", temperature = 0.5 })
agents.first = a
local b = agent:create({ name = "b" })
print(agents.first, state.get("k"), 42)
"#;
    assert_host_marks(&lua(), LUA_QUERY, spell);
    let caps = captures(&lua(), LUA_QUERY, spell);
    let colon = spell.find("agent:create").unwrap();
    assert!(names_at(&caps, colon).contains("module.builtin"));
    assert!(names_at(&caps, colon + "agent:".len()).contains("function.builtin"));
}

#[test]
fn javascript_marks_host_modules_and_members() {
    let spell = r#"// a spell
const agents = [];
const a = agent.create({ name: "writer", temperature: 0.5 });
agents.push(a);
print(agents.length, state.get("k"), 42);
"#;
    assert_host_marks(&javascript(), JS_QUERY, spell);
}

/// Asserts that the `module` of the first `module<separator>member` in `source` is marked
/// `@module.builtin` and its `member` `@function.builtin`.
fn assert_host_access_marked(caps: &[(String, String, usize)], source: &str, access: &str) {
    let module = source
        .find(access)
        .unwrap_or_else(|| panic!("spell has no {access}"));
    let separator = access
        .find(|c: char| !c.is_alphanumeric() && c != '_')
        .expect("access has a separator");
    let member_offset = access[separator..]
        .find(|c: char| c.is_alphanumeric() || c == '_')
        .expect("access has a member");
    let member = module + separator + member_offset;
    assert!(
        names_at(caps, module).contains("module.builtin"),
        "{access}: module has {:?}",
        names_at(caps, module)
    );
    assert!(
        names_at(caps, member).contains("function.builtin"),
        "{access}: member has {:?}",
        names_at(caps, member)
    );
}

/// Asserts that nothing at `offset` is marked as a host module or host member.
fn assert_not_host(caps: &[(String, String, usize)], offset: usize, what: &str) {
    let names = names_at(caps, offset);
    assert!(
        !names.contains("module.builtin") && !names.contains("function.builtin"),
        "{what} at {offset}: {names:?}"
    );
}

#[test]
fn rhai_marks_host_modules_and_members() {
    let spell = r#"// a spell
let agents = [];
let a = agent.create(#{ name: "writer", temperature: 0.5 });
agents.push(a);
let b = agent::create(#{ name: "b" });
let c = agent?.get("writer");
let d = agent?.x;
let x = #{ state: 1, agent: 2 };
let y = x.state + x.agent;
print(agents.len(), state.get("k"), 42);
"#;
    assert_host_marks(&rhai(), RHAI_QUERY, spell);
    let caps = captures(&rhai(), RHAI_QUERY, spell);
    for access in ["agent::create", "agent?.get", "agent?.x", "state.get"] {
        assert_host_access_marked(&caps, spell, access);
    }
    // Map keys and fields that share a module's name are ordinary properties.
    for needle in ["state: 1", "agent: 2"] {
        let offset = spell.find(needle).unwrap();
        assert_not_host(&caps, offset, needle);
        assert!(names_at(&caps, offset).contains("property"), "{needle}");
    }
    for needle in ["state +", "agent;"] {
        let offset = spell.find(needle).unwrap();
        assert_not_host(&caps, offset, needle);
        assert!(names_at(&caps, offset).contains("property"), "{needle}");
    }
    // `x` in `x.state` is an ordinary variable.
    let x = spell.find("x.state").unwrap();
    assert_not_host(&caps, x, "x");
    assert!(names_at(&caps, x).contains("variable"));
}

#[test]
fn rhai_marks_host_modules_in_a_real_spell() {
    let spell = RHAI_RESEARCH_SPELL;
    let caps = captures(&rhai(), RHAI_QUERY, spell);
    for access in ["tools.define", "events.on", "json.encode", "agent.create"] {
        assert_host_access_marked(&caps, spell, access);
    }
    // Map keys named like modules (`params:`, `tools:`), a method on a spell variable
    // (`researcher.run`) and fields of a closure parameter (`event.data.tool`) are not host accesses.
    for needle in [
        "params:",
        "tools:",
        "researcher.run",
        "run(",
        "event.data",
        "data.tool",
        "tool,",
    ] {
        let offset = spell
            .find(needle)
            .unwrap_or_else(|| panic!("spell has no {needle}"));
        assert_not_host(&caps, offset, needle);
    }
    let all: BTreeSet<&str> = caps.iter().map(|(n, _, _)| n.as_str()).collect();
    for expected in [
        "keyword",
        "string",
        "comment",
        "variable",
        "variable.parameter",
        "property",
    ] {
        assert!(all.contains(expected), "no @{expected} in {all:?}");
    }
}

/// Host module names from `docs/api.md` (`- [`name`](#name)` under `## Modules`) plus the aliases.
fn manifest_modules() -> BTreeSet<String> {
    let mut modules = BTreeSet::new();
    let mut in_modules = false;
    for line in API_DOC.lines() {
        if line.starts_with("## ") {
            in_modules = line.trim() == "## Modules";
            continue;
        }
        if !in_modules {
            continue;
        }
        if let Some(rest) = line.trim().strip_prefix("- [`") {
            let name = rest.split('`').next().unwrap();
            assert!(
                rest.contains(&format!("](#{}", name.to_lowercase())),
                "odd module line: {line}"
            );
            modules.insert(name.to_string());
        }
    }
    assert!(
        !modules.is_empty(),
        "no modules found under `## Modules` in docs/api.md"
    );
    modules.insert("Agent".to_string());
    modules.insert("State".to_string());
    modules
}

/// The names in each `(#any-of? @module.builtin …)` of a query.
fn query_module_lists(source: &str) -> Vec<BTreeSet<String>> {
    let mut lists = Vec::new();
    let marker = "#any-of? @module.builtin";
    let mut rest = source;
    while let Some(at) = rest.find(marker) {
        let after = &rest[at + marker.len()..];
        let end = after.find(')').expect("unclosed #any-of?");
        let names = after[..end]
            .split_whitespace()
            .map(|n| n.trim_matches('"').to_string())
            .collect();
        lists.push(names);
        rest = &after[end..];
    }
    lists
}

#[test]
fn query_module_lists_match_the_manifest() {
    let expected = manifest_modules();
    for (file, source) in [
        ("lua", LUA_QUERY),
        ("javascript", JS_QUERY),
        ("rhai", RHAI_QUERY),
    ] {
        let lists = query_module_lists(source);
        assert!(!lists.is_empty(), "{file}: no (#any-of? @module.builtin …)");
        for list in lists {
            assert_eq!(
                list, expected,
                "{file}/highlights.scm host modules differ from docs/api.md"
            );
        }
    }
}
