//! Which documents are spells, and the workspace configuration: `.lua`/`.js`/`.mjs` only under an
//! `llmspell.toml`, `.rhai` anywhere; configuration errors as diagnostics on `llmspell.toml`;
//! reloading when the file changes (open buffer, save, or a watched-file event).

mod common;

use common::TestClient;
use serde_json::{Value, json};

async fn completion_labels(client: &mut TestClient, uri: &str, line: u32, character: u32) -> Vec<String> {
    let result = client
        .result("textDocument/completion", json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } }))
        .await;
    let items = result.get("items").unwrap_or(&result).as_array().cloned().unwrap_or_default();
    items.iter().filter_map(|item| item["label"].as_str().map(str::to_owned)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lua_and_javascript_outside_a_workspace_are_left_alone_but_rhai_is_served() {
    let mut client = TestClient::start().await;
    let outside = tempfile::tempdir().unwrap();
    let outside = outside.path().canonicalize().unwrap();
    for (file, text) in [("plain.lua", "agent.craete{}\nagent."), ("plain.js", "agent.craete({});\nagent.")] {
        let path = outside.join(file);
        std::fs::write(&path, text).unwrap();
        let uri = format!("file://{}", path.display());
        client
            .notify("textDocument/didOpen", json!({ "textDocument": { "uri": uri, "languageId": "lua", "version": 1, "text": text } }))
            .await;
        // Tracked (edits apply), answered with nothing.
        assert_eq!(client.server_text(&uri).await.0, text);
        let response = client
            .result("textDocument/completion", json!({ "textDocument": { "uri": uri }, "position": { "line": 1, "character": 6 } }))
            .await;
        assert_eq!(response, Value::Null);
        let hover = client
            .result("textDocument/hover", json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 8 } }))
            .await;
        assert_eq!(hover, Value::Null);
    }
    let path = outside.join("lone.rhai");
    std::fs::write(&path, "agent.").unwrap();
    let uri = format!("file://{}", path.display());
    client
        .notify("textDocument/didOpen", json!({ "textDocument": { "uri": uri, "languageId": "rhai", "version": 1, "text": "agent." } }))
        .await;
    assert!(completion_labels(&mut client, &uri, 0, 6).await.contains(&"create".to_owned()));
    // No diagnostics were published for the Lua and JavaScript files: the first publication
    // after them is the Rhai file's.
    let first = client.wait_for(|message| message["method"] == "textDocument/publishDiagnostics" && !message["params"]["uri"].as_str().unwrap_or("").ends_with("llmspell.toml")).await;
    assert_eq!(first["params"]["uri"], uri.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spells_in_nested_folders_and_mjs_files_belong_to_the_workspace() {
    let mut client = TestClient::start().await;
    for file in ["deep/er/nested.lua", "module.mjs"] {
        let uri = client.open(file, "agent.").await;
        assert!(completion_labels(&mut client, &uri, 0, 6).await.contains(&"create".to_owned()), "{file}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configuration_error_is_a_diagnostic_on_its_line_and_clears_when_fixed() {
    let mut client = TestClient::start().await;
    std::fs::write(client.path("llmspell.toml"), "# models\nbogus\n").unwrap();
    let config_uri = client.uri("llmspell.toml");
    client.open("spell.lua", "print(1)\n").await;
    let diagnostics = client.diagnostics(&config_uri, None).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["range"]["start"], json!({ "line": 1, "character": 0 }));
    assert_eq!(diagnostics[0]["message"], "unknown key `bogus`");
    // The user opens the file and fixes it in the editor: the buffer's text counts.
    client.open("llmspell.toml", "# models\nbogus\n").await;
    client.diagnostics(&config_uri, None).await;
    client
        .notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": config_uri, "version": 2 }, "contentChanges": [
                { "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 5 } }, "text": "models = \"offline/echo\"" }
            ] }),
        )
        .await;
    assert_eq!(client.diagnostics(&config_uri, None).await, Vec::<Value>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watched_file_change_reloads_the_configuration() {
    let mut client = TestClient::start_with(json!({
        "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } }
    }))
    .await;
    let config_uri = client.uri("llmspell.toml");
    let spell = client.open("spell.rhai", "print(1);").await;
    client.diagnostics(&spell, Some(1)).await;
    // The workspace's configuration was read with the first spell: no error.
    assert_eq!(client.diagnostics(&config_uri, None).await, Vec::<Value>::new());
    std::fs::write(client.path("llmspell.toml"), "bogus\n").unwrap();
    client
        .notify("workspace/didChangeWatchedFiles", json!({ "changes": [ { "uri": config_uri, "type": 2 } ] }))
        .await;
    let diagnostics = client.diagnostics(&config_uri, None).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    // The spells of the workspace are re-checked with the new configuration.
    client.diagnostics(&spell, Some(1)).await;
}
