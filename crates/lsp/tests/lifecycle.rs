//! The session lifecycle: initialize (capabilities, position encoding), requests before it,
//! unknown methods, shutdown and exit (with and without shutdown), and the end of the input.

mod common;

use common::TestClient;
use expect_test::expect;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initialize_announces_every_capability_in_utf16() {
    let mut client = TestClient::start_uninitialized();
    let result = client
        .result(
            "initialize",
            json!({ "capabilities": { "general": { "positionEncodings": ["utf-8", "utf-16"] } } }),
        )
        .await;
    let capabilities = serde_json::to_string_pretty(&result["capabilities"]).unwrap();
    expect![[r#"
        {
          "codeLensProvider": {
            "resolveProvider": false
          },
          "completionProvider": {
            "resolveProvider": false,
            "triggerCharacters": [
              ".",
              ":",
              "\"",
              "'",
              "{",
              ","
            ]
          },
          "definitionProvider": true,
          "documentHighlightProvider": true,
          "documentSymbolProvider": true,
          "hoverProvider": true,
          "positionEncoding": "utf-16",
          "referencesProvider": true,
          "semanticTokensProvider": {
            "full": true,
            "legend": {
              "tokenModifiers": [
                "defaultLibrary"
              ],
              "tokenTypes": [
                "namespace",
                "function",
                "method",
                "variable",
                "parameter",
                "property"
              ]
            }
          },
          "signatureHelpProvider": {
            "retriggerCharacters": [
              ","
            ],
            "triggerCharacters": [
              "(",
              ","
            ]
          },
          "textDocumentSync": {
            "change": 2,
            "openClose": true,
            "save": {
              "includeText": true
            }
          }
        }"#]]
    .assert_eq(&capabilities);
    assert_eq!(result["serverInfo"]["name"], "llmspell");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_before_initialize_are_refused_then_served() {
    let mut client = TestClient::start_uninitialized();
    let uri = client.uri("a.rhai");
    let response = client
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 0 } }),
        )
        .await;
    assert_eq!(response["error"]["code"], -32002, "{response}");
    // A document opened before initialize is ignored, as the service ignores it.
    client.open("early.rhai", "let x = 1;").await;
    client
        .result("initialize", json!({ "capabilities": {} }))
        .await;
    client.notify("initialized", json!({})).await;
    let response = client
        .request(
            "llmspell/documentText",
            json!({ "uri": client.uri("early.rhai") }),
        )
        .await;
    assert_eq!(response["error"]["code"], -32602, "{response}");
    let uri = client
        .open("a.rhai", "agent.create(#{ name: \"a\" });")
        .await;
    let hover = client
        .result(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 8 } }),
        )
        .await;
    assert!(
        hover["contents"]["value"]
            .as_str()
            .is_some_and(|text| text.contains("agent.create")),
        "{hover}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_methods_are_method_not_found_and_unknown_notifications_ignored() {
    let mut client = TestClient::start().await;
    let response = client.request("textDocument/noSuchThing", json!({})).await;
    assert_eq!(response["error"]["code"], -32601, "{response}");
    client.notify("$/noSuchNotification", json!({})).await;
    client.notify("custom/whatever", json!({ "x": 1 })).await;
    let response = client.request("$/noSuchRequest", json!({})).await;
    assert_eq!(response["error"]["code"], -32601, "{response}");
    let result = client.result("shutdown", json!(null)).await;
    assert_eq!(result, json!(null));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_then_exit_ends_with_code_zero() {
    let mut client = TestClient::start().await;
    assert_eq!(client.result("shutdown", json!(null)).await, json!(null));
    // After shutdown, requests are invalid.
    let response = client
        .request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": client.uri("a.lua") } }),
        )
        .await;
    assert_eq!(response["error"]["code"], -32600, "{response}");
    client.notify("exit", json!(null)).await;
    let outcome = client.finished().await;
    assert!(outcome.shutdown_requested);
    assert_eq!(outcome.exit_code(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_without_shutdown_ends_with_code_one() {
    let mut client = TestClient::start().await;
    client.notify("exit", json!(null)).await;
    let outcome = client.finished().await;
    assert!(!outcome.shutdown_requested);
    assert_eq!(outcome.exit_code(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_end_of_the_input_ends_the_session() {
    let mut client = TestClient::start().await;
    client.close_input();
    assert_eq!(client.finished().await.exit_code(), 1);
}
