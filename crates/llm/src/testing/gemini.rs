//! Gemini `generateContent` / `streamGenerateContent?alt=sse` as the test server speaks it, after
//! the published API reference: `GenerateContentResponse` objects (`candidates[].content.parts[]`
//! with `text` or `functionCall {name, args}`, `finishReason`, `usageMetadata`, `modelVersion`,
//! `responseId`); streamed as SSE `data:` lines ended by CRLF, each a whole response, function
//! calls whole in one chunk (the first part with a `thoughtSignature`), no end marker; errors as
//! `{"error": {"code", "message", "status", "details"?}}`, a bad key being 400 `INVALID_ARGUMENT`
//! with reason `API_KEY_INVALID`.

use serde_json::{Value as JsonValue, json};

use super::{Answer, RecordedRequest};

/// The signature the server puts on the first function call of an answer.
pub const TEST_THOUGHT_SIGNATURE: &str = "c2lnbmF0dXJlLXRlc3Q=";

fn requested_model(request: &RecordedRequest) -> String {
    // The model is in the path: /v1beta/models/{model}:method
    request
        .path
        .strip_prefix("/v1beta/models/")
        .and_then(|rest| rest.split(':').next())
        .unwrap_or("gemini-test")
        .to_owned()
}

fn finish_reason(answer: &Answer) -> &'static str {
    if answer.truncated {
        "MAX_TOKENS"
    } else {
        "STOP"
    }
}

fn function_call_parts(answer: &Answer) -> Vec<JsonValue> {
    answer
        .tool_calls
        .iter()
        .enumerate()
        .map(|(index, call)| {
            let mut part = json!({"functionCall": {"name": call.name, "args": call.arguments}});
            if index == 0 {
                part["thoughtSignature"] = json!(TEST_THOUGHT_SIGNATURE);
            }
            part
        })
        .collect()
}

fn full_usage(answer: &Answer) -> JsonValue {
    json!({
        "promptTokenCount": answer.input_tokens,
        "candidatesTokenCount": answer.output_tokens,
        "totalTokenCount": answer.input_tokens + answer.output_tokens,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": answer.input_tokens}],
    })
}

pub(super) fn json_answer(answer: &Answer, request: &RecordedRequest) -> JsonValue {
    let mut parts = Vec::new();
    let text = answer.text();
    if !text.is_empty() {
        parts.push(json!({"text": text}));
    }
    parts.extend(function_call_parts(answer));
    json!({
        "candidates": [{
            "content": {"parts": parts, "role": "model"},
            "finishReason": finish_reason(answer),
            "index": 0,
        }],
        "usageMetadata": full_usage(answer),
        "modelVersion": answer.model.clone().unwrap_or_else(|| requested_model(request)),
        "responseId": "test-response-01",
    })
}

pub(super) fn stream_frames(answer: &Answer, request: &RecordedRequest) -> Vec<String> {
    let model = answer
        .model
        .clone()
        .unwrap_or_else(|| requested_model(request));
    let frame = |parts: Vec<JsonValue>, last: bool| {
        let mut candidate = json!({"content": {"parts": parts, "role": "model"}, "index": 0});
        let usage = if last {
            candidate["finishReason"] = json!(finish_reason(answer));
            full_usage(answer)
        } else {
            json!({"promptTokenCount": answer.input_tokens, "totalTokenCount": answer.input_tokens})
        };
        let chunk = json!({
            "candidates": [candidate],
            "usageMetadata": usage,
            "modelVersion": model,
            "responseId": "test-response-01",
        });
        format!("data: {chunk}\r\n\r\n")
    };
    let mut parts_per_chunk: Vec<Vec<JsonValue>> = answer
        .chunks
        .iter()
        .map(|text| vec![json!({"text": text})])
        .collect();
    if !answer.tool_calls.is_empty() {
        parts_per_chunk.push(function_call_parts(answer));
    }
    if parts_per_chunk.is_empty() {
        parts_per_chunk.push(vec![json!({"text": ""})]);
    }
    let last = parts_per_chunk.len() - 1;
    parts_per_chunk
        .into_iter()
        .enumerate()
        .map(|(index, parts)| frame(parts, index == last))
        .collect()
}

pub(super) fn error_frame() -> String {
    let error = json!({"error": {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}});
    format!("data: {error}\r\n\r\n")
}

pub(super) fn error_body(status: u16) -> JsonValue {
    let (message, grpc_status) = match status {
        400 => ("Request contains an invalid argument.", "INVALID_ARGUMENT"),
        403 => ("The caller does not have permission", "PERMISSION_DENIED"),
        404 => (
            "models/unknown is not found for API version v1beta.",
            "NOT_FOUND",
        ),
        429 => (
            "Resource has been exhausted (e.g. check quota).",
            "RESOURCE_EXHAUSTED",
        ),
        503 => (
            "The model is overloaded. Please try again later.",
            "UNAVAILABLE",
        ),
        504 => (
            "The request timed out. Please try again.",
            "DEADLINE_EXCEEDED",
        ),
        _ => (
            "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
            "INTERNAL",
        ),
    };
    json!({"error": {"code": status, "message": message, "status": grpc_status}})
}

pub(super) fn auth_error(key_given: bool) -> (u16, JsonValue) {
    if key_given {
        (
            400,
            json!({"error": {
                "code": 400,
                "message": "API key not valid. Please pass a valid API key.",
                "status": "INVALID_ARGUMENT",
                "details": [{
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "API_KEY_INVALID",
                    "domain": "googleapis.com",
                    "metadata": {"service": "generativelanguage.googleapis.com"},
                }],
            }}),
        )
    } else {
        (
            403,
            json!({"error": {
                "code": 403,
                "message": "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
                "status": "PERMISSION_DENIED",
            }}),
        )
    }
}
