//! OpenAI Chat Completions as the test server speaks it, after the published API reference:
//! a `chat.completion` object, or SSE `chat.completion.chunk`s (role first, then content deltas,
//! tool calls as fragments keyed by `index` with `id`, `type` and `function.name` in the first,
//! a chunk with `finish_reason`, a usage chunk with empty `choices` when the request set
//! `stream_options.include_usage`, and `data: [DONE]`).

use serde_json::{Value as JsonValue, json};

use super::{Answer, RecordedRequest, fragments, sse_event};

const CREATED: u64 = 1_700_000_000;

fn requested_model(request: &RecordedRequest) -> &str {
    request
        .body
        .get("model")
        .and_then(JsonValue::as_str)
        .unwrap_or("gpt-test")
}

fn tool_call_id(index: usize) -> String {
    format!("call_test{index}Xq7")
}

fn finish_reason(answer: &Answer) -> &'static str {
    if answer.truncated {
        "length"
    } else if answer.tool_calls.is_empty() {
        "stop"
    } else {
        "tool_calls"
    }
}

fn usage(answer: &Answer) -> JsonValue {
    json!({
        "prompt_tokens": answer.input_tokens,
        "completion_tokens": answer.output_tokens,
        "total_tokens": answer.input_tokens + answer.output_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
    })
}

pub(super) fn json_answer(answer: &Answer, request: &RecordedRequest) -> JsonValue {
    let text = answer.text();
    let mut message = json!({
        "role": "assistant",
        "content": if text.is_empty() && !answer.tool_calls.is_empty() { JsonValue::Null } else { json!(text) },
        "refusal": null,
        "annotations": [],
    });
    if !answer.tool_calls.is_empty() {
        let calls: Vec<JsonValue> = answer
            .tool_calls
            .iter()
            .enumerate()
            .map(|(index, call)| {
                json!({
                    "id": tool_call_id(index),
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments.to_string()},
                })
            })
            .collect();
        message["tool_calls"] = json!(calls);
    }
    json!({
        "id": "chatcmpl-test123",
        "object": "chat.completion",
        "created": CREATED,
        "model": answer.model_or(requested_model(request)),
        "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": finish_reason(answer)}],
        "usage": usage(answer),
        "service_tier": "default",
        "system_fingerprint": "fp_test",
    })
}

pub(super) fn stream_frames(answer: &Answer, request: &RecordedRequest) -> Vec<String> {
    let include_usage = request
        .body
        .pointer("/stream_options/include_usage")
        .and_then(JsonValue::as_bool)
        == Some(true);
    let model = answer.model_or(requested_model(request)).to_owned();
    let chunk = |delta: JsonValue, finish_reason: JsonValue| {
        let mut chunk = json!({
            "id": "chatcmpl-test123",
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": model,
            "system_fingerprint": "fp_test",
            "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason}],
        });
        if include_usage {
            chunk["usage"] = JsonValue::Null;
        }
        sse_event(None, &chunk)
    };
    let mut frames = vec![chunk(
        json!({"role": "assistant", "content": "", "refusal": null}),
        JsonValue::Null,
    )];
    for text in &answer.chunks {
        frames.push(chunk(json!({"content": text}), JsonValue::Null));
    }
    for (index, call) in answer.tool_calls.iter().enumerate() {
        frames.push(chunk(
            json!({"tool_calls": [{
                "index": index,
                "id": tool_call_id(index),
                "type": "function",
                "function": {"name": call.name, "arguments": ""},
            }]}),
            JsonValue::Null,
        ));
        for fragment in fragments(&call.arguments.to_string(), 5) {
            frames.push(chunk(
                json!({"tool_calls": [{"index": index, "function": {"arguments": fragment}}]}),
                JsonValue::Null,
            ));
        }
    }
    frames.push(chunk(json!({}), json!(finish_reason(answer))));
    if include_usage {
        let usage_chunk = json!({
            "id": "chatcmpl-test123",
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": model,
            "system_fingerprint": "fp_test",
            "choices": [],
            "usage": usage(answer),
        });
        frames.push(sse_event(None, &usage_chunk));
    }
    frames.push("data: [DONE]\n\n".to_owned());
    frames
}

pub(super) fn error_frame() -> String {
    sse_event(
        None,
        &json!({"error": {
            "message": "The server had an error while processing your request. Sorry about that!",
            "type": "server_error",
            "param": null,
            "code": null,
        }}),
    )
}

pub(super) fn error_body(status: u16) -> JsonValue {
    let (message, kind, code) = match status {
        401 => (
            "Incorrect API key provided.",
            "invalid_request_error",
            json!("invalid_api_key"),
        ),
        403 => (
            "You are not allowed to sample from this model",
            "invalid_request_error",
            JsonValue::Null,
        ),
        429 => (
            "Rate limit reached for gpt-test in organization org-test on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.",
            "requests",
            json!("rate_limit_exceeded"),
        ),
        500 => (
            "The server had an error while processing your request. Sorry about that!",
            "server_error",
            JsonValue::Null,
        ),
        503 => (
            "The engine is currently overloaded, please try again later",
            "server_error",
            JsonValue::Null,
        ),
        _ => (
            "The request failed.",
            "invalid_request_error",
            JsonValue::Null,
        ),
    };
    json!({"error": {"message": message, "type": kind, "param": null, "code": code}})
}

pub(super) fn auth_error(given: Option<&str>) -> (u16, JsonValue) {
    let message = match given {
        Some(_) => {
            "Incorrect API key provided: sk-****. You can find your API key at https://platform.openai.com/account/api-keys."
        }
        None => {
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
        }
    };
    let code = if given.is_some() {
        json!("invalid_api_key")
    } else {
        JsonValue::Null
    };
    (
        401,
        json!({"error": {"message": message, "type": "invalid_request_error", "param": null, "code": code}}),
    )
}
