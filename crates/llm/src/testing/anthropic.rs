//! Anthropic Messages as the test server speaks it, after the published API reference: a
//! `message` object, or the SSE event sequence `message_start`, `content_block_start`, `ping`,
//! `content_block_delta` (`text_delta`; `input_json_delta` with `partial_json` fragments for a
//! `tool_use` block), `content_block_stop`, `message_delta` (stop reason and output usage),
//! `message_stop`; errors as `{"type": "error", "error": {"type", "message"}}`, also as an
//! `error` event mid-stream.

use serde_json::{Value as JsonValue, json};

use super::{Answer, RecordedRequest, fragments, sse_event};

fn requested_model(request: &RecordedRequest) -> &str {
    request
        .body
        .get("model")
        .and_then(JsonValue::as_str)
        .unwrap_or("claude-test")
}

fn tool_use_id(index: usize) -> String {
    format!("toolu_test{index}Bq9")
}

fn stop_reason(answer: &Answer) -> &'static str {
    if answer.truncated {
        "max_tokens"
    } else if answer.tool_calls.is_empty() {
        "end_turn"
    } else {
        "tool_use"
    }
}

pub(super) fn json_answer(answer: &Answer, request: &RecordedRequest) -> JsonValue {
    let mut content = Vec::new();
    let text = answer.text();
    if !text.is_empty() {
        content.push(json!({"type": "text", "text": text}));
    }
    for (index, call) in answer.tool_calls.iter().enumerate() {
        content.push(json!({"type": "tool_use", "id": tool_use_id(index), "name": call.name, "input": call.arguments}));
    }
    json!({
        "id": "msg_test01",
        "type": "message",
        "role": "assistant",
        "model": answer.model_or(requested_model(request)),
        "content": content,
        "stop_reason": stop_reason(answer),
        "stop_sequence": null,
        "usage": {
            "input_tokens": answer.input_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": answer.output_tokens,
        },
    })
}

pub(super) fn stream_frames(answer: &Answer, request: &RecordedRequest) -> Vec<String> {
    let mut frames = vec![sse_event(
        Some("message_start"),
        &json!({"type": "message_start", "message": {
            "id": "msg_test01",
            "type": "message",
            "role": "assistant",
            "content": [],
            "model": answer.model_or(requested_model(request)),
            "stop_reason": null,
            "stop_sequence": null,
            "usage": {"input_tokens": answer.input_tokens, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 1},
        }}),
    )];
    let mut block = 0;
    if !answer.chunks.is_empty() {
        frames.push(sse_event(
            Some("content_block_start"),
            &json!({"type": "content_block_start", "index": block, "content_block": {"type": "text", "text": ""}}),
        ));
        frames.push(sse_event(Some("ping"), &json!({"type": "ping"})));
        for text in &answer.chunks {
            frames.push(sse_event(
                Some("content_block_delta"),
                &json!({"type": "content_block_delta", "index": block, "delta": {"type": "text_delta", "text": text}}),
            ));
        }
        frames.push(sse_event(
            Some("content_block_stop"),
            &json!({"type": "content_block_stop", "index": block}),
        ));
        block += 1;
    }
    for (index, call) in answer.tool_calls.iter().enumerate() {
        frames.push(sse_event(
            Some("content_block_start"),
            &json!({"type": "content_block_start", "index": block, "content_block": {
                "type": "tool_use", "id": tool_use_id(index), "name": call.name, "input": {},
            }}),
        ));
        // The first delta of a tool_use block carries an empty fragment, as the API sends it.
        let mut pieces = vec![String::new()];
        pieces.extend(fragments(&call.arguments.to_string(), 6));
        for piece in pieces {
            frames.push(sse_event(
                Some("content_block_delta"),
                &json!({"type": "content_block_delta", "index": block, "delta": {"type": "input_json_delta", "partial_json": piece}}),
            ));
        }
        frames.push(sse_event(
            Some("content_block_stop"),
            &json!({"type": "content_block_stop", "index": block}),
        ));
        block += 1;
    }
    frames.push(sse_event(
        Some("message_delta"),
        &json!({"type": "message_delta", "delta": {"stop_reason": stop_reason(answer), "stop_sequence": null}, "usage": {"output_tokens": answer.output_tokens}}),
    ));
    frames.push(sse_event(
        Some("message_stop"),
        &json!({"type": "message_stop"}),
    ));
    frames
}

pub(super) fn error_frame() -> String {
    sse_event(
        Some("error"),
        &json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
    )
}

pub(super) fn error_body(status: u16) -> JsonValue {
    let (kind, message) = match status {
        400 => ("invalid_request_error", "Your request was malformed."),
        401 => ("authentication_error", "invalid x-api-key"),
        403 => (
            "permission_error",
            "Your API key does not have permission to use the specified resource.",
        ),
        404 => (
            "not_found_error",
            "The requested resource could not be found.",
        ),
        413 => (
            "request_too_large",
            "Request exceeds the maximum allowed number of bytes.",
        ),
        429 => (
            "rate_limit_error",
            "Number of request tokens has exceeded your per-minute rate limit.",
        ),
        529 => ("overloaded_error", "Overloaded"),
        _ => ("api_error", "Internal server error"),
    };
    json!({"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_test01"})
}

pub(super) fn auth_error() -> (u16, JsonValue) {
    (401, error_body(401))
}
