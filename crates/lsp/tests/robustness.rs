//! Input that must never take the server down: malformed JSON-RPC, bad headers, invalid UTF-8,
//! out-of-range positions, huge documents, edit storms and panics in the analysis. Every test
//! ends by checking that the server still answers.

mod common;

use common::{TestClient, apply_edit, position_json, storm_edit};
use serde_json::{Value, json};

/// The server still answers a real request on a spell.
async fn assert_still_answering(client: &mut TestClient) {
    let uri = client
        .open("alive.rhai", "agent.create(#{ name: \"a\" });")
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
            .is_some_and(|text| text.contains("create")),
        "{hover}"
    );
}

fn null_id_error(message: &Value) -> bool {
    message["id"].is_null() && message.get("error").is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_and_bad_headers_get_errors_and_the_server_goes_on() {
    let mut client = TestClient::start().await;
    // Not JSON.
    client
        .send_raw(b"Content-Length: 9\r\n\r\n{\"jsonrpc")
        .await;
    let error = client.wait_for(null_id_error).await;
    assert_eq!(error["error"]["code"], -32700, "{error}");
    // JSON, but not JSON-RPC.
    client.send(&json!({ "hello": "world", "id": 41 })).await;
    let error = client.wait_for(|message| message["id"] == 41).await;
    assert_eq!(error["error"]["code"], -32600, "{error}");
    // A header without Content-Length, then garbage glued to the next header.
    client.send_raw(b"Content-Type: text/plain\r\n\r\n").await;
    let error = client.wait_for(null_id_error).await;
    assert_eq!(error["error"]["code"], -32700, "{error}");
    client.send_raw(b"\x00\xff garbage ").await;
    // A negative and a non-numeric length.
    client.send_raw(b"Content-Length: -5\r\n\r\n").await;
    client.wait_for(null_id_error).await;
    client.send_raw(b"Content-Length: lots\r\n\r\n").await;
    client.wait_for(null_id_error).await;
    // Parameters of the wrong shape for a known method.
    let response = client
        .request("textDocument/hover", json!({ "textDocument": 5 }))
        .await;
    assert_eq!(response["error"]["code"], -32602, "{response}");
    client
        .notify("textDocument/didChange", json!({ "textDocument": "nope" }))
        .await;
    // A batch (JSON-RPC arrays are not part of LSP).
    client.send_raw(b"Content-Length: 2\r\n\r\n[]").await;
    client.wait_for(null_id_error).await;
    assert_still_answering(&mut client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_utf8_in_a_message_body_is_decoded_lossily() {
    let mut client = TestClient::start().await;
    let uri = client.uri("bytes.lua");
    std::fs::write(client.path("bytes.lua"), "").unwrap();
    let mut body = format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"textDocument":{{"uri":"{uri}","languageId":"lua","version":1,"text":"local a = agent.create{{ name = \"x"#
    )
    .into_bytes();
    body.extend_from_slice(b"\xff\xfe\xc3");
    body.extend_from_slice(br#"\" }\nagent."}}}"#);
    let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    framed.extend_from_slice(&body);
    client.send_raw(&framed).await;
    let (text, _) = client.server_text(&uri).await;
    assert_eq!(
        text,
        "local a = agent.create{ name = \"x\u{fffd}\u{fffd}\u{fffd}\" }\nagent."
    );
    let completion = client
        .result(
            "textDocument/completion",
            json!({ "textDocument": { "uri": uri }, "position": { "line": 1, "character": 6 } }),
        )
        .await;
    assert!(
        labels(&completion).contains(&"create".to_owned()),
        "{completion}"
    );
    assert_still_answering(&mut client).await;
}

fn labels(completion: &Value) -> Vec<String> {
    let items = completion.get("items").unwrap_or(completion);
    items
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["label"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Every position request, at `position`, must answer without an error.
async fn every_request_answers(client: &mut TestClient, uri: &str, position: Value) {
    let at = json!({ "textDocument": { "uri": uri }, "position": position });
    for method in [
        "textDocument/completion",
        "textDocument/hover",
        "textDocument/signatureHelp",
        "textDocument/definition",
        "textDocument/documentHighlight",
    ] {
        client.result(method, at.clone()).await;
    }
    let mut references = at.clone();
    references["context"] = json!({ "includeDeclaration": true });
    client.result("textDocument/references", references).await;
    let document = json!({ "textDocument": { "uri": uri } });
    for method in [
        "textDocument/documentSymbol",
        "textDocument/semanticTokens/full",
        "textDocument/codeLens",
    ] {
        client.result(method, document.clone()).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_range_positions_are_answered() {
    let mut client = TestClient::start().await;
    for (file, text) in [
        (
            "range.lua",
            "local a = agent.create{ name = \"😀\" }\na:run(\"x\")\n",
        ),
        (
            "range.js",
            "const a = agent.create({ name: \"😀\" });\nawait a.run(\"x\");\n",
        ),
        (
            "range.rhai",
            "let a = agent.create(#{ name: \"😀\" });\na.run(\"x\");\n",
        ),
    ] {
        let uri = client.open(file, text).await;
        for position in [
            json!({ "line": 999, "character": 0 }),
            json!({ "line": 0, "character": 9999 }),
            json!({ "line": 4294967295u32, "character": 4294967295u32 }),
            // Inside the surrogate pair of 😀.
            json!({ "line": 0, "character": 33 }),
        ] {
            every_request_answers(&mut client, &uri, position).await;
        }
        // An edit whose range is past the end is clamped, not fatal.
        client
            .notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [
                    { "range": { "start": { "line": 50, "character": 3 }, "end": { "line": 60, "character": 0 } }, "text": "-- end" },
                    { "range": { "start": { "line": 0, "character": 40 }, "end": { "line": 0, "character": 2 } }, "text": "" }
                ] }),
            )
            .await;
        let (server_text, version) = client.server_text(&uri).await;
        assert_eq!(version, 2);
        assert!(server_text.ends_with("-- end"), "{server_text:?}");
    }
    assert_still_answering(&mut client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_megabyte_spell_and_a_fifty_thousand_line_spell_are_served() {
    let mut client = TestClient::start().await;
    let mut big = String::new();
    let mut index = 0;
    while big.len() < 1 << 20 {
        big.push_str(&format!(
            "local agent_{index} = agent.create{{ name = \"agent number {index}\" }}\n"
        ));
        index += 1;
    }
    big.push_str("agent.");
    let uri = client.open("big.lua", &big).await;
    let last_line = big.lines().count() as u32 - 1;
    client.diagnostics(&uri, Some(1)).await;
    let completion = client
        .result("textDocument/completion", json!({ "textDocument": { "uri": uri }, "position": { "line": last_line, "character": 6 } }))
        .await;
    assert!(labels(&completion).contains(&"create".to_owned()));
    every_request_answers(
        &mut client,
        &uri,
        json!({ "line": last_line / 2, "character": 20 }),
    )
    .await;

    let long: String = (0..50_000)
        .map(|line| format!("let x{line} = {line};\n"))
        .collect();
    let uri = client.open("long.rhai", &long).await;
    assert_eq!(client.diagnostics(&uri, Some(1)).await, Vec::<Value>::new());
    every_request_answers(&mut client, &uri, json!({ "line": 49_999, "character": 4 })).await;
    // An edit at the end of the long file is applied and answered.
    client
        .notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [
                { "range": { "start": { "line": 50_000, "character": 0 }, "end": { "line": 50_000, "character": 0 } }, "text": "agent." }
            ] }),
        )
        .await;
    let completion = client
        .result("textDocument/completion", json!({ "textDocument": { "uri": uri }, "position": { "line": 50_000, "character": 6 } }))
        .await;
    assert!(
        labels(&completion).contains(&"create".to_owned()),
        "{completion}"
    );
    assert_still_answering(&mut client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_storm_applies_every_edit_in_order() {
    let mut client = TestClient::start().await;
    for file in ["storm.lua", "storm.js", "storm.rhai"] {
        let mut text = "local a = agent.create{ name = \"a\" }\nprint(a)\n".to_owned();
        let uri = client.open(file, &text).await;
        let mut pending = Vec::new();
        for step in 0..500u64 {
            let (range, inserted) = storm_edit(step, &text);
            apply_edit(&mut text, range, &inserted);
            client
                .notify(
                    "textDocument/didChange",
                    json!({ "textDocument": { "uri": uri, "version": step + 2 }, "contentChanges": [
                        { "range": { "start": position_json(range.start), "end": position_json(range.end) }, "text": inserted }
                    ] }),
                )
                .await;
            // Requests interleaved with the edits, not awaited: handlers run concurrently.
            if step % 25 == 0 {
                let at = json!({ "textDocument": { "uri": uri }, "position": position_json(range.start) });
                pending.push(
                    client
                        .send_request("textDocument/completion", at.clone())
                        .await,
                );
                pending.push(client.send_request("textDocument/hover", at).await);
            }
        }
        for id in pending {
            let response = client.response(id).await;
            assert!(response.get("result").is_some(), "{response}");
        }
        let (server_text, version) = client.server_text(&uri).await;
        assert_eq!(version, 501);
        assert!(
            server_text == text,
            "{file}: the server's text differs from the client's"
        );
        // The diagnostics published last are for the last version.
        client.diagnostics(&uri, Some(501)).await;
    }
    assert_still_answering(&mut client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_text_change_replaces_the_document() {
    let mut client = TestClient::start().await;
    let uri = client.open("full.lua", "print(1)\n").await;
    client
        .notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [
                { "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": "x" },
                { "text": "local b = 2\n" },
                { "range": { "start": { "line": 0, "character": 6 }, "end": { "line": 0, "character": 7 } }, "text": "c" }
            ] }),
        )
        .await;
    assert_eq!(
        client.server_text(&uri).await,
        ("local c = 2\n".to_owned(), 2)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_a_handler_answers_an_error_and_the_server_keeps_serving() {
    let mut client = TestClient::start().await;
    let marker = llmspell_lsp::FAULT_INJECTION_MARKER;
    let uri = client
        .open("panics.lua", &format!("-- {marker}\nagent.create{{}}\n"))
        .await;
    let at = json!({ "textDocument": { "uri": uri }, "position": { "line": 1, "character": 8 } });
    for method in [
        "textDocument/hover",
        "textDocument/completion",
        "textDocument/definition",
    ] {
        let response = client.request(method, at.clone()).await;
        assert_eq!(response["error"]["code"], -32603, "{method}: {response}");
        let message = response["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("fault injection"), "{message}");
    }
    let response = client
        .request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": uri } }),
        )
        .await;
    assert_eq!(response["error"]["code"], -32603, "{response}");
    // The same document without the marker is served again.
    client
        .notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [
                { "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 1, "character": 0 } }, "text": "" }
            ] }),
        )
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
            .is_some_and(|text| text.contains("create")),
        "{hover}"
    );
    assert_still_answering(&mut client).await;
}
