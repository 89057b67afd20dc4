//! Ollama `/api/chat` as the test server speaks it, after Ollama's API documentation: one JSON
//! object when the request set `stream: false`, else (the default) newline-delimited JSON
//! objects with `message.content` pieces, tool calls whole in one object
//! (`message.tool_calls[{function: {name, arguments}}]`, arguments an object), and a last object
//! with `done: true`, `done_reason`, durations, `prompt_eval_count` and `eval_count`. Errors are
//! `{"error": "…"}`, also as a line of a stream.

use serde_json::{Value as JsonValue, json};

use super::{Answer, RecordedRequest};

const CREATED_AT: &str = "2024-07-22T20:33:28.123648Z";

fn requested_model(request: &RecordedRequest) -> &str {
    request
        .body
        .get("model")
        .and_then(JsonValue::as_str)
        .unwrap_or("llama-test")
}

fn done_reason(answer: &Answer) -> &'static str {
    if answer.truncated { "length" } else { "stop" }
}

fn tool_calls(answer: &Answer) -> Vec<JsonValue> {
    answer
        .tool_calls
        .iter()
        .map(|call| json!({"function": {"name": call.name, "arguments": call.arguments}}))
        .collect()
}

fn final_fields(answer: &Answer, object: &mut JsonValue) {
    object["done_reason"] = json!(done_reason(answer));
    object["done"] = json!(true);
    object["total_duration"] = json!(5_191_566_416u64);
    object["load_duration"] = json!(2_154_458u64);
    object["prompt_eval_count"] = json!(answer.input_tokens);
    object["prompt_eval_duration"] = json!(383_809_000u64);
    object["eval_count"] = json!(answer.output_tokens);
    object["eval_duration"] = json!(4_799_921_000u64);
}

pub(super) fn json_answer(answer: &Answer, request: &RecordedRequest) -> JsonValue {
    let mut message = json!({"role": "assistant", "content": answer.text()});
    if !answer.tool_calls.is_empty() {
        message["tool_calls"] = json!(tool_calls(answer));
    }
    let mut object = json!({"model": answer.model_or(requested_model(request)), "created_at": CREATED_AT, "message": message});
    final_fields(answer, &mut object);
    object
}

pub(super) fn stream_frames(answer: &Answer, request: &RecordedRequest) -> Vec<String> {
    let model = answer.model_or(requested_model(request));
    let mut lines = Vec::new();
    for text in &answer.chunks {
        let line = json!({"model": model, "created_at": CREATED_AT, "message": {"role": "assistant", "content": text}, "done": false});
        lines.push(format!("{line}\n"));
    }
    if !answer.tool_calls.is_empty() {
        let line = json!({
            "model": model,
            "created_at": CREATED_AT,
            "message": {"role": "assistant", "content": "", "tool_calls": tool_calls(answer)},
            "done": false,
        });
        lines.push(format!("{line}\n"));
    }
    let mut last = json!({"model": model, "created_at": CREATED_AT, "message": {"role": "assistant", "content": ""}});
    final_fields(answer, &mut last);
    lines.push(format!("{last}\n"));
    lines
}

pub(super) fn error_frame() -> String {
    format!(
        "{}\n",
        json!({"error": "an error was encountered while running the model: unexpected EOF"})
    )
}

pub(super) fn error_body(status: u16) -> JsonValue {
    let message = match status {
        400 => "invalid request",
        401 => "unauthorized",
        404 => "model \"unknown\" not found, try pulling it first",
        429 => "too many requests",
        503 => "server busy, please try again.  maximum pending requests exceeded",
        _ => "llama runner process has terminated: exit status 2",
    };
    json!({"error": message})
}

pub(super) fn auth_error() -> (u16, JsonValue) {
    (401, error_body(401))
}
