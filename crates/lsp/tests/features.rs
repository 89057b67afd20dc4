//! Every capability through the protocol, in Lua, JavaScript and Rhai: the request reaches the
//! analysis with the right position, and the answer comes back in LSP's shape (UTF-16 ranges,
//! markdown, snippets, relative semantic tokens, code-lens arguments). The analysis itself is
//! tested in `llmspell-ide`; these tests render answers compactly and compare inline snapshots.

mod common;

use common::{TestClient, cursor, position_json};
use expect_test::{Expect, expect};
use serde_json::{Value, json};

/// Opens `fixture` (with its `$0` cursor) as `file`, sends `method` at the cursor and renders the
/// result with `render`.
async fn check(
    file: &str,
    fixture: &str,
    method: &str,
    render: fn(&str, &Value) -> String,
    expect: Expect,
) {
    let mut client = TestClient::start().await;
    let (text, position) = cursor(fixture);
    let uri = client.open(file, &text).await;
    let mut params = json!({ "textDocument": { "uri": uri }, "position": position_json(position) });
    if method == "textDocument/references" {
        params["context"] = json!({ "includeDeclaration": true });
    }
    let result = client.result(method, params).await;
    expect.assert_eq(&render(&text, &result));
}

/// The items whose label is one of the few the tests look for, one a line: label, kind, detail,
/// inserted text (snippet or plain) and the documentation's format.
fn completion(_: &str, result: &Value) -> String {
    let items = result
        .get("items")
        .unwrap_or(result)
        .as_array()
        .cloned()
        .unwrap_or_default();
    let wanted = ["create", "run", "name", "model"];
    let mut lines: Vec<String> = items
        .iter()
        .filter(|item| wanted.contains(&item["label"].as_str().unwrap_or("")))
        .map(|item| {
            let insert = item["textEdit"]["newText"]
                .as_str()
                .or(item["insertText"].as_str())
                .unwrap_or("-");
            let format = if item["insertTextFormat"] == 2 {
                "snippet"
            } else {
                "plain"
            };
            format!(
                "{} kind={} detail={} {format}={insert} doc={}",
                item["label"].as_str().unwrap_or(""),
                item["kind"],
                item["detail"].as_str().unwrap_or("-"),
                item["documentation"]["kind"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    lines.sort();
    lines.join("\n")
}

fn hover(text: &str, result: &Value) -> String {
    let markdown = result["contents"]["value"].as_str().unwrap_or("");
    let first_lines: Vec<&str> = markdown.lines().take(3).collect();
    format!(
        "{}\nkind={} range={}",
        first_lines.join("\n"),
        result["contents"]["kind"],
        slice(text, &result["range"])
    )
}

fn signature_help(_: &str, result: &Value) -> String {
    let active = result["activeSignature"].as_u64().unwrap_or(0) as usize;
    let signature = &result["signatures"][active];
    let label = signature["label"].as_str().unwrap_or("");
    let parameter = result["activeParameter"]
        .as_u64()
        .map(|index| &signature["parameters"][index as usize]);
    let parameter_text = parameter
        .and_then(|parameter| {
            let offsets = parameter["label"].as_array()?;
            let units: Vec<u16> = label.encode_utf16().collect();
            let start = offsets[0].as_u64()? as usize;
            let end = offsets[1].as_u64()? as usize;
            String::from_utf16(units.get(start..end)?).ok()
        })
        .unwrap_or_else(|| "-".to_owned());
    format!("{label}\nactive parameter: {parameter_text}")
}

fn definition(text: &str, result: &Value) -> String {
    format!(
        "{} {}",
        result["uri"]
            .as_str()
            .map_or("-", |uri| uri.rsplit('/').next().unwrap_or("")),
        slice(text, &result["range"])
    )
}

fn locations(text: &str, result: &Value) -> String {
    let ranges: Vec<String> = result
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|location| slice(text, location.get("range").unwrap_or(location)))
        .collect();
    ranges.join("\n")
}

fn highlights(text: &str, result: &Value) -> String {
    let lines: Vec<String> = result
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|highlight| {
            format!(
                "{} kind={}",
                slice(text, &highlight["range"]),
                highlight["kind"]
            )
        })
        .collect();
    lines.join("\n")
}

/// `line:column-line:column "text"` of an LSP range in `text`.
fn slice(text: &str, range: &Value) -> String {
    if range.is_null() {
        return "-".to_owned();
    }
    let position = |value: &Value| {
        llmspell_ide::Position::new(
            value["line"].as_u64().unwrap() as u32,
            value["character"].as_u64().unwrap() as u32,
        )
    };
    let start = position(&range["start"]);
    let end = position(&range["end"]);
    let index = llmspell_ide::LineIndex::new(text);
    let covered = &text[index.offset(text, start)..index.offset(text, end)];
    format!(
        "{}:{}-{}:{} {covered:?}",
        start.line, start.character, end.line, end.character
    )
}

// Completion after `agent.` lists `create`, with its signature, markdown doc and a snippet.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_of_module_functions() {
    check("c.lua", "local a = agent.$0", "textDocument/completion", completion, expect!["create kind=3 detail=agent.create(config: AgentConfig) -> Agent snippet=create{$0} doc=markdown"]).await;
    check("c.js", "const a = agent.$0", "textDocument/completion", completion, expect!["create kind=3 detail=agent.create(config: AgentConfig) -> Agent snippet=create({ $0 }) doc=markdown"]).await;
    check("c.rhai", "let a = agent.$0", "textDocument/completion", completion, expect!["create kind=3 detail=agent.create(config: AgentConfig) -> Agent snippet=create(#{ $0 }) doc=markdown"]).await;
}

// After `local a = agent.create{…}`, completion on `a:` (`a.` in JavaScript and Rhai) lists `run`.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_of_methods_on_an_inferred_agent() {
    check("m.lua", "local a = agent.create{ name = \"a\" }\na:$0", "textDocument/completion", completion, expect!["run kind=2 detail=Agent.run(input: str | map | State) -> str | State snippet=run(${1:input})$0 doc=markdown"])
        .await;
    check("m.js", "const a = agent.create({ name: \"a\" });\nawait a.$0", "textDocument/completion", completion, expect![[r#"
        model kind=5 detail=str plain=- doc=markdown
        name kind=5 detail=str plain=- doc=markdown
        run kind=2 detail=async Agent.run(input: str | map | State) -> str | State (await it) snippet=run(${1:input})$0 doc=markdown"#]])
        .await;
    check("m.rhai", "let a = agent.create(#{ name: \"a\" });\na.$0", "textDocument/completion", completion, expect![[r#"
        model kind=5 detail=str plain=- doc=markdown
        name kind=5 detail=str plain=- doc=markdown
        run kind=2 detail=Agent.run(input: str | map | State) -> str | State snippet=run(${1:input})$0 doc=markdown"#]])
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_of_config_keys() {
    check(
        "k.lua",
        "agent.create{ $0 }",
        "textDocument/completion",
        completion,
        expect![[r#"
        model kind=10 detail=str plain=model =  doc=markdown
        name kind=10 detail=str plain=name =  doc=markdown"#]],
    )
    .await;
    check(
        "k.js",
        "agent.create({ $0 })",
        "textDocument/completion",
        completion,
        expect![[r#"
        model kind=10 detail=str plain=model:  doc=markdown
        name kind=10 detail=str plain=name:  doc=markdown"#]],
    )
    .await;
    check(
        "k.rhai",
        "agent.create(#{ $0 })",
        "textDocument/completion",
        completion,
        expect![[r#"
        model kind=10 detail=str plain=model:  doc=markdown
        name kind=10 detail=str plain=name:  doc=markdown"#]],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_on_a_host_function() {
    check(
        "h.lua",
        "local a = agent.cre$0ate{ name = \"a\" }",
        "textDocument/hover",
        hover,
        expect![[r#"
        ```lua
        agent.create(config: AgentConfig) -> Agent
        ```
        kind="markdown" range=0:16-0:22 "create""#]],
    )
    .await;
    check(
        "h.js",
        "const a = agent.cre$0ate({ name: \"a\" });",
        "textDocument/hover",
        hover,
        expect![[r#"
        ```js
        agent.create(config: AgentConfig) -> Agent
        ```
        kind="markdown" range=0:16-0:22 "create""#]],
    )
    .await;
    check(
        "h.rhai",
        "let a = agent.cre$0ate(#{ name: \"a\" });",
        "textDocument/hover",
        hover,
        expect![[r#"
        ```rhai
        agent.create(config: AgentConfig) -> Agent
        ```
        kind="markdown" range=0:14-0:20 "create""#]],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signature_help_shows_the_active_parameter() {
    check(
        "s.lua",
        "local a = agent.create{ name = \"a\" }\na:stream(\"x\", $0)",
        "textDocument/signatureHelp",
        signature_help,
        expect![[r#"
        Agent.stream(input: str | map | State, on_chunk: fn) -> str | State
        active parameter: on_chunk: fn"#]],
    )
    .await;
    check(
        "s.js",
        "const a = agent.create({ name: \"a\" });\na.stream(\"x\", $0)",
        "textDocument/signatureHelp",
        signature_help,
        expect![[r#"
        Agent.stream(input: str | map | State, on_chunk: fn) -> str | State
        active parameter: on_chunk: fn"#]],
    )
    .await;
    check(
        "s.rhai",
        "let a = agent.create(#{ name: \"a\" });\na.stream(\"x\", $0)",
        "textDocument/signatureHelp",
        signature_help,
        expect![[r#"
        Agent.stream(input: str | map | State, on_chunk: fn) -> str | State
        active parameter: on_chunk: fn"#]],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn definition_of_a_local() {
    check(
        "d.lua",
        "local helper = 1\nprint(hel$0per)",
        "textDocument/definition",
        definition,
        expect![[r#"d.lua 0:6-0:12 "helper""#]],
    )
    .await;
    check(
        "d.js",
        "const helper = 1;\nprint(hel$0per);",
        "textDocument/definition",
        definition,
        expect![[r#"d.js 0:6-0:12 "helper""#]],
    )
    .await;
    check(
        "d.rhai",
        "let helper = 1;\nprint(hel$0per);",
        "textDocument/definition",
        definition,
        expect![[r#"d.rhai 0:4-0:10 "helper""#]],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn references_and_highlights_of_a_local() {
    check(
        "r.lua",
        "local n$0 = 1\nprint(n + n)",
        "textDocument/references",
        locations,
        expect![[r#"
        0:6-0:7 "n"
        1:6-1:7 "n"
        1:10-1:11 "n""#]],
    )
    .await;
    check(
        "r.js",
        "let n$0 = 1;\nprint(n + n);",
        "textDocument/references",
        locations,
        expect![[r#"
        0:4-0:5 "n"
        1:6-1:7 "n"
        1:10-1:11 "n""#]],
    )
    .await;
    check(
        "r.rhai",
        "let n$0 = 1;\nprint(n + n);",
        "textDocument/references",
        locations,
        expect![[r#"
        0:4-0:5 "n"
        1:6-1:7 "n"
        1:10-1:11 "n""#]],
    )
    .await;
    check(
        "r.lua",
        "local n = 1\nn$0 = n + 1",
        "textDocument/documentHighlight",
        highlights,
        expect![[r#"
        0:6-0:7 "n" kind=3
        1:0-1:1 "n" kind=3
        1:4-1:5 "n" kind=2"#]],
    )
    .await;
}

/// Opens `text` as `file` and renders the answer to a whole-document request.
async fn check_document(
    file: &str,
    text: &str,
    method: &str,
    render: fn(&str, &str, &Value) -> String,
    expect: Expect,
) {
    let mut client = TestClient::start().await;
    let uri = client.open(file, text).await;
    let result = client
        .result(method, json!({ "textDocument": { "uri": uri } }))
        .await;
    expect.assert_eq(&render(&uri, text, &result));
}

fn symbols(_: &str, text: &str, result: &Value) -> String {
    fn walk(text: &str, symbols: &Value, depth: usize, out: &mut Vec<String>) {
        for symbol in symbols.as_array().cloned().unwrap_or_default() {
            out.push(format!(
                "{:indent$}{} kind={} name={}",
                "",
                symbol["name"].as_str().unwrap_or(""),
                symbol["kind"],
                slice(text, &symbol["selectionRange"]),
                indent = depth * 2
            ));
            walk(text, &symbol["children"], depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(text, result, 0, &mut out);
    out.join("\n")
}

/// Decodes the relative encoding back into `line:column text type+modifiers` a line.
fn semantic_tokens(_: &str, text: &str, result: &Value) -> String {
    let types = [
        "namespace",
        "function",
        "method",
        "variable",
        "parameter",
        "property",
    ];
    let data: Vec<u64> = result["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect();
    let (mut line, mut start) = (0u64, 0u64);
    let mut out = Vec::new();
    for token in data.chunks(5) {
        if token[0] > 0 {
            line += token[0];
            start = token[1];
        } else {
            start += token[1];
        }
        let range = json!({ "start": { "line": line, "character": start }, "end": { "line": line, "character": start + token[2] } });
        let host = if token[4] & 1 == 1 {
            "+defaultLibrary"
        } else {
            ""
        };
        out.push(format!(
            "{} {}{host}",
            slice(text, &range),
            types[token[3] as usize]
        ));
    }
    out.join("\n")
}

fn code_lenses(uri: &str, text: &str, result: &Value) -> String {
    let lines: Vec<String> = result
        .as_array()
        .unwrap()
        .iter()
        .map(|lens| {
            let arguments = &lens["command"]["arguments"];
            assert_eq!(
                arguments,
                &json!([uri]),
                "the argument is the document's URI"
            );
            format!(
                "{} {} {}",
                slice(text, &lens["range"]),
                lens["command"]["title"],
                lens["command"]["command"]
            )
        })
        .collect();
    lines.join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_symbols_are_nested() {
    check_document(
        "o.lua",
        "local a = agent.create{ name = \"writer\" }\nlocal function outer()\n  local function inner() end\nend\n",
        "textDocument/documentSymbol",
        symbols,
        expect![[r#"
            writer kind=19 name=0:32-0:38 "writer"
            outer kind=12 name=1:15-1:20 "outer"
              inner kind=12 name=2:17-2:22 "inner""#]],
    )
    .await;
    check_document(
        "o.js",
        "const a = agent.create({ name: \"writer\" });\nfunction outer() {\n  function inner() {}\n}\n",
        "textDocument/documentSymbol",
        symbols,
        expect![[r#"
            writer kind=19 name=0:32-0:38 "writer"
            outer kind=12 name=1:9-1:14 "outer"
              inner kind=12 name=2:11-2:16 "inner""#]],
    )
    .await;
    check_document(
        "o.rhai",
        "let a = agent.create(#{ name: \"writer\" });\nfn outer() {\n  1\n}\n",
        "textDocument/documentSymbol",
        symbols,
        expect![[r#"
            writer kind=19 name=0:31-0:37 "writer"
            outer kind=12 name=1:3-1:8 "outer""#]],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn semantic_tokens_mark_the_host_api() {
    check_document(
        "t.lua",
        "local a = agent.create{ name = \"é😀\" }\na:run(\"x\")\n",
        "textDocument/semanticTokens/full",
        semantic_tokens,
        expect![[r#"
        0:6-0:7 "a" variable
        0:10-0:15 "agent" namespace+defaultLibrary
        0:16-0:22 "create" function+defaultLibrary
        1:0-1:1 "a" variable
        1:2-1:5 "run" method+defaultLibrary"#]],
    )
    .await;
    check_document(
        "t.js",
        "const a = agent.create({ name: \"é😀\" });\na.run(\"x\");\n",
        "textDocument/semanticTokens/full",
        semantic_tokens,
        expect![[r#"
        0:6-0:7 "a" variable
        0:10-0:15 "agent" namespace+defaultLibrary
        0:16-0:22 "create" function+defaultLibrary
        1:0-1:1 "a" variable
        1:2-1:5 "run" method+defaultLibrary"#]],
    )
    .await;
    check_document(
        "t.rhai",
        "let a = agent.create(#{ name: \"é😀\" });\na.run(\"x\");\n",
        "textDocument/semanticTokens/full",
        semantic_tokens,
        expect![[r#"
        0:4-0:5 "a" variable
        0:8-0:13 "agent" namespace+defaultLibrary
        0:14-0:20 "create" function+defaultLibrary
        1:0-1:1 "a" variable
        1:2-1:5 "run" method+defaultLibrary"#]],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_lenses_run_and_debug_the_file() {
    check_document(
        "l.lua",
        "print(1)\n",
        "textDocument/codeLens",
        code_lenses,
        expect![[r#"
        0:0-0:0 "" "▶ Run" "llmspell.runSpell"
        0:0-0:0 "" "Debug" "llmspell.debugSpell""#]],
    )
    .await;
    check_document(
        "l.js",
        "print(1);\n",
        "textDocument/codeLens",
        code_lenses,
        expect![[r#"
        0:0-0:0 "" "▶ Run" "llmspell.runSpell"
        0:0-0:0 "" "Debug" "llmspell.debugSpell""#]],
    )
    .await;
    check_document(
        "l.rhai",
        "print(1);\n",
        "textDocument/codeLens",
        code_lenses,
        expect![[r#"
        0:0-0:0 "" "▶ Run" "llmspell.runSpell"
        0:0-0:0 "" "Debug" "llmspell.debugSpell""#]],
    )
    .await;
}

/// Diagnostics published after opening `text` as `file`, one a line.
async fn check_diagnostics(file: &str, text: &str, expect: Expect) {
    let mut client = TestClient::start().await;
    let uri = client.open(file, text).await;
    let diagnostics = client.diagnostics(&uri, Some(1)).await;
    let lines: Vec<String> = diagnostics
        .iter()
        .map(|diagnostic| {
            format!(
                "{} severity={} code={} source={} {}",
                slice(text, &diagnostic["range"]),
                diagnostic["severity"],
                diagnostic["code"].as_str().unwrap_or("-"),
                diagnostic["source"].as_str().unwrap_or("-"),
                diagnostic["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    expect.assert_eq(&lines.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_are_published_on_open() {
    check_diagnostics("x.lua", "local a = agent.craete{ name = \"a\" }\nlocal b = (\n", expect![[r#"
        0:16-0:22 "craete" severity=1 code=unknown-member source=llmspell module `agent` has no member `craete`; did you mean `create`?
        1:8-1:11 "= (" severity=1 code=syntax-error source=llmspell expected `)` to close `(` at 2:11"#]]).await;
    check_diagnostics("x.js", "const a = agent.craete({ name: \"a\" });\nconst b = (;\n", expect![[r#"
        0:16-0:22 "craete" severity=1 code=unknown-member source=llmspell module `agent` has no member `craete`; did you mean `create`?
        1:8-1:11 "= (" severity=1 code=syntax-error source=llmspell expected `)` to close `(` at 2:11"#]]).await;
    check_diagnostics("x.rhai", "let a = agent.craete(#{ name: \"a\" });\nlet b = (;\n", expect![[r#"
        0:14-0:20 "craete" severity=1 code=unknown-member source=llmspell module `agent` has no member `craete`; did you mean `create`?
        1:9-1:9 "" severity=1 code=syntax-error source=llmspell expected `)` to close `(` at 2:9"#]]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_follow_each_change_with_its_version() {
    let mut client = TestClient::start().await;
    let uri = client.open("v.lua", "agent.craete{}\n").await;
    assert!(!client.diagnostics(&uri, Some(1)).await.is_empty());
    client
        .notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": 7 }, "contentChanges": [
                { "range": { "start": { "line": 0, "character": 8 }, "end": { "line": 0, "character": 12 } }, "text": "eate" }
            ] }),
        )
        .await;
    assert_eq!(client.server_text(&uri).await.0, "agent.create{}\n");
    // Fixed: the diagnostics of version 7 no longer mention the typo.
    let diagnostics = client.diagnostics(&uri, Some(7)).await;
    assert!(
        diagnostics.iter().all(|diagnostic| !diagnostic["message"]
            .as_str()
            .unwrap_or("")
            .contains("craete")),
        "{diagnostics:?}"
    );
    // Closing clears them.
    client
        .notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": uri } }),
        )
        .await;
    let cleared = client
        .wait_for(|message| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri.as_str()
                && message["params"]["version"].is_null()
        })
        .await;
    assert_eq!(cleared["params"]["diagnostics"], json!([]));
}
