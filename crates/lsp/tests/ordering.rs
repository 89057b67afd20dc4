//! Requests are answered against the document as it was when they were sent, even when the client
//! sends edits right behind them (in the same write): the specification asks for answers in
//! message order, while the handlers run concurrently and later than the edits are read.

mod common;

use common::{TestClient, apply_edit, notification_message, position_json, storm_edit};
use llmspell_ide::{Position, Range};
use serde_json::{Value, json};

/// A spell in each language: its text, and a line that can be inserted before it.
const SPELLS: [(&str, &str, &str); 3] = [
    (
        "order.lua",
        "local a = agent.create{ name = \"a\" }\nagent.\nprint(a)\n",
        "x = 1\n",
    ),
    (
        "order.js",
        "const a = agent.create({ name: \"a\" });\nagent.\nconsole.log(a);\n",
        "x = 1;\n",
    ),
    (
        "order.rhai",
        "let a = agent.create(#{ name: \"a\" });\nagent.\nprint(a);\n",
        "let x = 1;\n",
    ),
];

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

fn at(uri: &str, position: Position) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": position_json(position) })
}

fn did_change(uri: &str, version: u64, range: Range, text: &str) -> Value {
    notification_message(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [
            { "range": { "start": position_json(range.start), "end": position_json(range.end) }, "text": text }
        ] }),
    )
}

/// A value for a failure message, cut short.
fn brief(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// The `result` of a response; fails the test on an error.
fn result_of(response: &Value, context: &str) -> Value {
    match response.get("result") {
        Some(result) => result.clone(),
        None => panic!("{context}: {response}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_followed_at_once_by_an_edit_is_answered_against_the_text_before_the_edit() {
    let mut client = TestClient::start().await;
    for (file, original, inserted_line) in SPELLS {
        let uri = client.open(file, original).await;
        let mut text = original.to_owned();
        let create_column = original.find("create").unwrap() as u32;
        for round in 0..200u64 {
            // The text alternates between the original and the original below one more line;
            // each round asks at positions of the current text and, in the same write, edits
            // the text before those positions.
            let shifted = round % 2 == 1;
            let first_line = u32::from(shifted);
            let edit = if shifted {
                (Range::new(Position::new(0, 0), Position::new(1, 0)), "")
            } else {
                (
                    Range::new(Position::new(0, 0), Position::new(0, 0)),
                    inserted_line,
                )
            };
            let (completion_id, completion) = client.request_message(
                "textDocument/completion",
                at(&uri, Position::new(first_line + 1, 6)),
            );
            let (hover_id, hover) = client.request_message(
                "textDocument/hover",
                at(&uri, Position::new(first_line, create_column + 1)),
            );
            let change = did_change(&uri, round + 2, edit.0, edit.1);
            client.send_together(&[completion, hover, change]).await;
            apply_edit(&mut text, edit.0, edit.1);

            let context = format!("{file}, round {round}");
            let completion = result_of(&client.response(completion_id).await, &context);
            assert!(
                labels(&completion).contains(&"create".to_owned()),
                "{context}: the completion after `agent.` was computed on other text: {}",
                brief(&completion)
            );
            let hover = result_of(&client.response(hover_id).await, &context);
            assert_eq!(
                hover["range"],
                json!({
                    "start": { "line": first_line, "character": create_column },
                    "end": { "line": first_line, "character": create_column + 6 }
                }),
                "{context}: the hover on `create` was computed on other text: {hover}"
            );
        }
        let (server_text, version) = client.server_text(&uri).await;
        assert_eq!(version, 201, "{file}");
        assert_eq!(server_text, text, "{file}");
    }
}

/// The requests of one storm step and their answers.
struct Asked {
    text: String,
    position: Position,
    ids: Vec<(&'static str, i64)>,
}

const STORM_METHODS: [&str; 3] = [
    "textDocument/completion",
    "textDocument/hover",
    "textDocument/documentHighlight",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_of_an_edit_storm_matches_the_text_its_request_was_sent_on() {
    let mut client = TestClient::start().await;
    for (file, original, _) in SPELLS {
        let uri = client.open(file, original).await;
        let mut text = original.to_owned();
        let mut asked = Vec::new();
        for step in 0..150u64 {
            // Requests at the position of the coming edit, then the edit, all in one write;
            // nothing is awaited until the storm is over.
            let (range, inserted) = storm_edit(step, &text);
            let mut messages = Vec::new();
            let mut ids = Vec::new();
            for method in STORM_METHODS {
                let (id, message) = client.request_message(method, at(&uri, range.start));
                ids.push((method, id));
                messages.push(message);
            }
            messages.push(did_change(&uri, step + 2, range, &inserted));
            client.send_together(&messages).await;
            asked.push(Asked {
                text: text.clone(),
                position: range.start,
                ids,
            });
            apply_edit(&mut text, range, &inserted);
        }
        let mut answers = Vec::new();
        for step in &asked {
            let mut step_answers = Vec::new();
            for (method, id) in &step.ids {
                let response = client.response(*id).await;
                step_answers.push(result_of(&response, method));
            }
            answers.push(step_answers);
        }
        let (server_text, version) = client.server_text(&uri).await;
        assert_eq!(version, 151, "{file}");
        assert!(
            server_text == text,
            "{file}: the server's text differs from the client's"
        );

        // Each answer must be the one a quiet server gives on the text the request was sent
        // on: reopen the document with that text and ask again.
        for (step, (asked, answers)) in asked.iter().zip(answers).enumerate() {
            client
                .notify(
                    "textDocument/didOpen",
                    json!({ "textDocument": { "uri": uri, "languageId": "plaintext", "version": 1000 + step, "text": asked.text } }),
                )
                .await;
            for (method, answer) in STORM_METHODS.iter().zip(answers) {
                let quiet = client.result(method, at(&uri, asked.position)).await;
                assert!(
                    quiet == answer,
                    "{file}, step {step}: {method} at {:?} was answered against other text:\n\
                     during the storm: {}\non the text it was sent on: {}",
                    asked.position,
                    brief(&answer),
                    brief(&quiet),
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_right_behind_a_request_and_an_edit_ends_the_session() {
    let mut client = TestClient::start().await;
    let (file, original, inserted_line) = SPELLS[0];
    let uri = client.open(file, original).await;
    let (id, completion) =
        client.request_message("textDocument/completion", at(&uri, Position::new(1, 6)));
    let change = did_change(
        &uri,
        2,
        Range::new(Position::new(0, 0), Position::new(0, 0)),
        inserted_line,
    );
    let exit = notification_message("exit", json!(null));
    client.send_together(&[completion, change, exit]).await;
    let completion = result_of(&client.response(id).await, "completion");
    assert!(
        labels(&completion).contains(&"create".to_owned()),
        "{completion}"
    );
    assert_eq!(client.finished().await.exit_code(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_and_exit_right_behind_a_request_answer_both_requests() {
    let mut client = TestClient::start().await;
    let (file, original, _) = SPELLS[2];
    let uri = client.open(file, original).await;
    let create_column = original.find("create").unwrap() as u32;
    let (hover_id, hover) = client.request_message(
        "textDocument/hover",
        at(&uri, Position::new(0, create_column)),
    );
    let (shutdown_id, shutdown) = client.request_message("shutdown", json!(null));
    let exit = notification_message("exit", json!(null));
    client.send_together(&[hover, shutdown, exit]).await;
    let hover = result_of(&client.response(hover_id).await, "hover");
    assert!(
        hover["contents"]["value"]
            .as_str()
            .is_some_and(|text| text.contains("create")),
        "{hover}"
    );
    assert_eq!(
        result_of(&client.response(shutdown_id).await, "shutdown"),
        json!(null)
    );
    assert_eq!(client.finished().await.exit_code(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_go_on_while_a_server_request_is_unanswered_and_requests_are_cancelled() {
    let mut client = TestClient::start_with(json!({
        "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } }
    }))
    .await;
    // The server's `client/registerCapability` stays unanswered for the whole test.
    client.answer_server_requests = false;
    let (file, original, inserted_line) = SPELLS[1];
    let uri = client.open(file, original).await;
    let mut text = original.to_owned();
    for round in 0..60u64 {
        let shifted = round % 2 == 1;
        let first_line = u32::from(shifted);
        let edit = if shifted {
            (Range::new(Position::new(0, 0), Position::new(1, 0)), "")
        } else {
            (
                Range::new(Position::new(0, 0), Position::new(0, 0)),
                inserted_line,
            )
        };
        let (id, completion) = client.request_message(
            "textDocument/completion",
            at(&uri, Position::new(first_line + 1, 6)),
        );
        let mut messages = vec![completion];
        if round % 3 == 0 {
            messages.push(notification_message("$/cancelRequest", json!({ "id": id })));
        }
        messages.push(did_change(&uri, round + 2, edit.0, edit.1));
        client.send_together(&messages).await;
        apply_edit(&mut text, edit.0, edit.1);
        let response = client.response(id).await;
        match response.get("result") {
            Some(completion) => assert!(
                labels(completion).contains(&"create".to_owned()),
                "round {round}: {completion}"
            ),
            // Cancelled before it ran.
            None => assert_eq!(
                response["error"]["code"], -32800,
                "round {round}: {response}"
            ),
        }
    }
    let registration = client
        .wait_for(|message| message["method"] == "client/registerCapability")
        .await;
    assert!(registration.get("id").is_some(), "{registration}");
    let (server_text, version) = client.server_text(&uri).await;
    assert_eq!((server_text, version), (text, 61));
}
