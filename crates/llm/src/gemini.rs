//! Google Gemini (`POST {base}/v1beta/models/{model}:generateContent`, and
//! `:streamGenerateContent?alt=sse` for streaming).
//!
//! Wire facts: `x-goog-api-key` header; `contents[{role: "user"|"model", parts}]` with parts
//! `text`, `functionCall {name, args}` and `functionResponse {name, response}` (an object);
//! `systemInstruction {parts}`; tools are `[{functionDeclarations: [{name, description,
//! parametersJsonSchema}]}]`; structured output is `generationConfig.responseMimeType =
//! "application/json"` with `responseJsonSchema`. We send the `…JsonSchema` fields because they take
//! JSON Schema as written, where `parameters`/`responseSchema` take only an OpenAPI subset. The
//! answer is `candidates[0].content.parts` with `finishReason`, and `usageMetadata
//! {promptTokenCount, candidatesTokenCount}`. Streaming is SSE where each `data:` is a whole
//! `GenerateContentResponse`; a function call arrives whole in one chunk; there is no end
//! marker (the chunk with `finishReason` is the last). Gemini answers a wrong key with
//! 400 `INVALID_ARGUMENT` and reason `API_KEY_INVALID`, which we report as `provider_auth`.
//! A call's `thoughtSignature` is kept in [`crate::ToolCall::signature`] and sent back with it.

use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::{Value as JsonValue, json};

use crate::assemble::{ResponseAssembler, synthetic_tool_call_id};
use crate::config::ProviderConfig;
use crate::error::{ErrorCode, LlmError, LlmResult};
use crate::framing::{Frame, Framing};
use crate::http_provider::{self, WireFormat};
use crate::provider::{EventStream, Provider, ProviderKind};
use crate::transport::{StreamDecoder, Transport, WireRequest, join_versioned_url};
use crate::types::{FinishReason, Request, Response, Role, StreamEvent, ToolCall, Usage};

/// A client of the Gemini API.
#[derive(Clone, Debug)]
pub struct GeminiProvider {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    transport: Arc<Transport>,
    base_url: String,
    api_key: Option<String>,
}

impl GeminiProvider {
    pub fn new(config: &ProviderConfig) -> LlmResult<GeminiProvider> {
        let base_url = config.effective_base_url()?;
        let transport = Transport::new(
            &config.name,
            config.retry,
            config.timeout,
            config.api_key.is_some(),
            classify_error,
        )?;
        Ok(GeminiProvider {
            inner: Arc::new(Inner {
                transport: Arc::new(transport),
                base_url,
                api_key: config.api_key.clone(),
            }),
        })
    }
}

impl Provider for GeminiProvider {
    fn name(&self) -> &str {
        &self.inner.transport.provider
    }

    fn kind(&self) -> ProviderKind {
        ProviderKind::Gemini
    }

    fn chat(&self, request: Request) -> BoxFuture<'static, LlmResult<Response>> {
        http_provider::chat(self.inner.clone(), request)
    }

    fn stream(&self, request: Request) -> EventStream {
        http_provider::stream(self.inner.clone(), request)
    }
}

impl WireFormat for Inner {
    type Decoder = ChunkDecoder;

    const FRAMING: Framing = Framing::ServerSentEvents;

    fn transport(&self) -> &Arc<Transport> {
        &self.transport
    }

    fn wire_request(&self, request: &Request, stream: bool) -> WireRequest {
        let model = request
            .model
            .strip_prefix("models/")
            .unwrap_or(&request.model);
        let method = if stream {
            "streamGenerateContent?alt=sse"
        } else {
            "generateContent"
        };
        let url = join_versioned_url(
            &self.base_url,
            "v1beta",
            &format!("models/{model}:{method}"),
        );
        let mut headers = Vec::new();
        if let Some(key) = &self.api_key {
            headers.push(("x-goog-api-key", key.clone()));
        }
        WireRequest {
            url,
            headers,
            body: request_body(request),
        }
    }

    fn parse_response(
        provider: &str,
        requested_model: &str,
        body: &JsonValue,
    ) -> LlmResult<Response> {
        parse_generate_content(provider, requested_model, body)
    }

    fn new_decoder(provider: &str) -> ChunkDecoder {
        ChunkDecoder {
            provider: provider.to_owned(),
            ..ChunkDecoder::default()
        }
    }
}

/// The `generateContent` request body (the same for streaming).
pub(crate) fn request_body(request: &Request) -> JsonValue {
    let mut system_parts: Vec<JsonValue> = request
        .system
        .iter()
        .map(|text| json!({"text": text}))
        .collect();
    let mut contents: Vec<JsonValue> = Vec::new();
    for message in &request.messages {
        match message.role {
            Role::System => system_parts.push(json!({"text": message.content})),
            Role::User => {
                contents.push(json!({"role": "user", "parts": [{"text": message.content}]}))
            }
            Role::Assistant => {
                let mut parts = Vec::new();
                if !message.content.is_empty() {
                    parts.push(json!({"text": message.content}));
                }
                for call in &message.tool_calls {
                    let mut part =
                        json!({"functionCall": {"name": call.name, "args": call.arguments}});
                    if let Some(signature) = &call.signature {
                        part["thoughtSignature"] = json!(signature);
                    }
                    parts.push(part);
                }
                contents.push(json!({"role": "model", "parts": parts}));
            }
            Role::Tool => {
                let name = request.tool_name_for_result(message).unwrap_or_default();
                // `response` must be an object: JSON objects go as they are, anything else is wrapped.
                let response = match serde_json::from_str::<JsonValue>(&message.content) {
                    Ok(JsonValue::Object(object)) => JsonValue::Object(object),
                    Ok(other) => json!({"result": other}),
                    Err(_) => json!({"result": message.content}),
                };
                let part = json!({"functionResponse": {"name": name, "response": response}});
                let previous_is_responses = contents.last().is_some_and(|last| {
                    last["role"] == "user"
                        && last["parts"].as_array().is_some_and(|parts| {
                            parts
                                .iter()
                                .all(|part| part.get("functionResponse").is_some())
                        })
                });
                if previous_is_responses {
                    if let Some(parts) = contents
                        .last_mut()
                        .and_then(|last| last["parts"].as_array_mut())
                    {
                        parts.push(part);
                    }
                } else {
                    contents.push(json!({"role": "user", "parts": [part]}));
                }
            }
        }
    }
    let mut body = json!({"contents": contents});
    if !system_parts.is_empty() {
        body["systemInstruction"] = json!({"parts": system_parts});
    }
    if !request.tools.is_empty() {
        let declarations: Vec<JsonValue> = request
            .tools
            .iter()
            .map(|tool| json!({"name": tool.name, "description": tool.description, "parametersJsonSchema": tool.parameters}))
            .collect();
        body["tools"] = json!([{"functionDeclarations": declarations}]);
    }
    let mut generation = serde_json::Map::new();
    if let Some(temperature) = request.temperature {
        generation.insert("temperature".into(), json!(temperature));
    }
    if let Some(max_tokens) = request.max_tokens {
        generation.insert("maxOutputTokens".into(), json!(max_tokens));
    }
    if let Some(schema) = &request.schema {
        generation.insert("responseMimeType".into(), json!("application/json"));
        generation.insert("responseJsonSchema".into(), schema.clone());
    }
    if !generation.is_empty() {
        body["generationConfig"] = JsonValue::Object(generation);
    }
    body
}

/// What one `GenerateContentResponse` carries.
#[derive(Debug, Default)]
struct Chunk {
    text: String,
    calls: Vec<ToolCall>,
    finish_reason: Option<FinishReason>,
    usage: Option<Usage>,
    model: Option<String>,
}

fn read_chunk(provider: &str, body: &JsonValue, first_call_index: usize) -> LlmResult<Chunk> {
    let mut chunk = Chunk {
        model: body
            .get("modelVersion")
            .and_then(JsonValue::as_str)
            .map(str::to_owned),
        usage: body.get("usageMetadata").map(read_usage),
        ..Chunk::default()
    };
    let candidate = body
        .get("candidates")
        .and_then(|candidates| candidates.get(0));
    let Some(candidate) = candidate else {
        if body.pointer("/promptFeedback/blockReason").is_some() {
            chunk.finish_reason = Some(FinishReason::ContentFilter);
        }
        return Ok(chunk);
    };
    for part in candidate
        .pointer("/content/parts")
        .and_then(JsonValue::as_array)
        .into_iter()
        .flatten()
    {
        if part.get("thought").and_then(JsonValue::as_bool) == Some(true) {
            continue;
        }
        if let Some(text) = part.get("text").and_then(JsonValue::as_str) {
            chunk.text.push_str(text);
        }
        if let Some(call) = part.get("functionCall") {
            let name = call
                .get("name")
                .and_then(JsonValue::as_str)
                .ok_or_else(|| {
                    LlmError::new(
                        ErrorCode::InvalidResponse,
                        provider,
                        "a functionCall without name",
                    )
                })?;
            let index = first_call_index + chunk.calls.len();
            chunk.calls.push(ToolCall {
                id: call
                    .get("id")
                    .and_then(JsonValue::as_str)
                    .map(str::to_owned)
                    .unwrap_or_else(|| synthetic_tool_call_id(index)),
                name: name.to_owned(),
                arguments: call.get("args").cloned().unwrap_or_else(|| json!({})),
                signature: part
                    .get("thoughtSignature")
                    .and_then(JsonValue::as_str)
                    .map(str::to_owned),
            });
        }
    }
    chunk.finish_reason = candidate
        .get("finishReason")
        .and_then(JsonValue::as_str)
        .map(finish_reason);
    Ok(chunk)
}

fn parse_generate_content(
    provider: &str,
    requested_model: &str,
    body: &JsonValue,
) -> LlmResult<Response> {
    if body.get("candidates").is_none() && body.get("promptFeedback").is_none() {
        return Err(LlmError::new(
            ErrorCode::InvalidResponse,
            provider,
            "unexpected Gemini answer: no candidates",
        ));
    }
    let chunk = read_chunk(provider, body, 0)?;
    Ok(Response {
        text: chunk.text,
        model: chunk.model.unwrap_or_else(|| requested_model.to_owned()),
        provider: provider.to_owned(),
        finish_reason: chunk.finish_reason.unwrap_or_default(),
        usage: chunk.usage.unwrap_or_default(),
        tool_calls: chunk.calls,
        data: None,
    })
}

fn finish_reason(name: &str) -> FinishReason {
    match name {
        "STOP" => FinishReason::Stop,
        "MAX_TOKENS" => FinishReason::Length,
        "SAFETY" | "RECITATION" | "BLOCKLIST" | "PROHIBITED_CONTENT" | "SPII" | "IMAGE_SAFETY" => {
            FinishReason::ContentFilter
        }
        other => FinishReason::Other(other.to_ascii_lowercase()),
    }
}

fn read_usage(usage: &JsonValue) -> Usage {
    let count = |field: &str| {
        usage
            .get(field)
            .and_then(JsonValue::as_u64)
            .unwrap_or_default()
    };
    Usage {
        input_tokens: count("promptTokenCount"),
        // Thinking tokens are billed as output.
        output_tokens: count("candidatesTokenCount") + count("thoughtsTokenCount"),
    }
}

/// Gemini reports a bad key as 400 `API_KEY_INVALID`, and uses gRPC status names.
fn classify_error(_status: u16, body: &JsonValue) -> Option<ErrorCode> {
    let error = body.get("error")?;
    let invalid_key = error
        .get("details")
        .and_then(JsonValue::as_array)
        .into_iter()
        .flatten()
        .any(|detail| detail.get("reason").and_then(JsonValue::as_str) == Some("API_KEY_INVALID"));
    if invalid_key {
        return Some(ErrorCode::ProviderAuth);
    }
    match error.get("status").and_then(JsonValue::as_str)? {
        "UNAUTHENTICATED" | "PERMISSION_DENIED" => Some(ErrorCode::ProviderAuth),
        "RESOURCE_EXHAUSTED" => Some(ErrorCode::ProviderRateLimit),
        _ => None,
    }
}

/// Decodes the SSE chunks of `streamGenerateContent`.
#[derive(Debug, Default)]
struct ChunkDecoder {
    provider: String,
    tool_calls_seen: usize,
    saw_finish: bool,
}

impl StreamDecoder for ChunkDecoder {
    fn decode(
        &mut self,
        frame: Frame,
        events: &mut Vec<StreamEvent>,
        assembler: &mut ResponseAssembler,
    ) -> LlmResult<()> {
        let body: JsonValue = serde_json::from_str(&frame.data).map_err(|error| {
            LlmError::new(
                ErrorCode::InvalidResponse,
                &self.provider,
                format!("a stream chunk is not JSON ({error})"),
            )
        })?;
        if body.get("error").is_some() {
            let message = crate::transport::error_message_from_body(&body)
                .unwrap_or_else(|| body.to_string());
            let code = classify_error(0, &body).unwrap_or(ErrorCode::ProviderHttp);
            return Err(LlmError::new(code, &self.provider, message));
        }
        let chunk = read_chunk(&self.provider, &body, self.tool_calls_seen)?;
        if let Some(model) = &chunk.model {
            assembler.set_model(model);
        }
        if !chunk.text.is_empty() {
            events.push(StreamEvent::TextDelta { text: chunk.text });
        }
        for call in chunk.calls {
            let index = self.tool_calls_seen;
            self.tool_calls_seen += 1;
            events.push(StreamEvent::ToolCallStart {
                index,
                id: call.id,
                name: call.name,
                signature: call.signature,
            });
            events.push(StreamEvent::ToolCallDelta {
                index,
                arguments: call.arguments.to_string(),
            });
        }
        if let Some(usage) = chunk.usage {
            events.push(StreamEvent::Usage { usage });
        }
        if let Some(reason) = chunk.finish_reason {
            self.saw_finish = true;
            events.push(StreamEvent::Finish { reason });
        }
        Ok(())
    }

    fn saw_end_marker(&self) -> bool {
        false
    }

    fn is_complete(&self) -> bool {
        self.saw_finish
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Message, ToolSpec};

    #[test]
    fn tool_results_become_function_responses_named_after_their_call() {
        let mut request = Request::from_prompt("gemini-2.5-flash", "weather?");
        request.system = Some("be brief".into());
        request.max_tokens = Some(100);
        request.schema = Some(json!({"type": "object"}));
        request.tools = vec![ToolSpec {
            name: "w".into(),
            description: "".into(),
            parameters: json!({"type": "object"}),
        }];
        request.messages.push(Message::assistant_with_tool_calls(
            "",
            vec![ToolCall {
                signature: Some("sig".into()),
                ..ToolCall::new("call_0", "w", json!({"city": "Oslo"}))
            }],
        ));
        let mut result = Message::tool_result("call_0", "", "[1, 2]");
        result.name = None;
        request.messages.push(result);
        let body = request_body(&request);
        assert_eq!(
            body["systemInstruction"],
            json!({"parts": [{"text": "be brief"}]})
        );
        assert_eq!(body["contents"][1]["role"], json!("model"));
        assert_eq!(
            body["contents"][1]["parts"][0]["thoughtSignature"],
            json!("sig")
        );
        assert_eq!(
            body["contents"][2]["parts"][0],
            json!({"functionResponse": {"name": "w", "response": {"result": [1, 2]}}})
        );
        assert_eq!(
            body["tools"][0]["functionDeclarations"][0]["parametersJsonSchema"],
            json!({"type": "object"})
        );
        assert_eq!(
            body["generationConfig"]["responseMimeType"],
            json!("application/json")
        );
        assert_eq!(body["generationConfig"]["maxOutputTokens"], json!(100));
    }
}
