//! Anthropic Messages (`POST {base}/v1/messages`).
//!
//! Wire facts: `x-api-key` and `anthropic-version: 2023-06-01` headers; `max_tokens` is
//! required; the system prompt is a top-level `system`; content is a list of blocks (`text`,
//! `tool_use {id, name, input}`, and in user turns `tool_result {tool_use_id, content}`); tools are
//! `{name, description, input_schema}`; structured output is
//! `output_config: {format: {type: "json_schema", schema}}`. Streaming is SSE with named events:
//! `message_start` (model, input usage), `content_block_start` / `content_block_delta`
//! (`text_delta`, `input_json_delta` fragments of a tool's input) / `content_block_stop`,
//! `message_delta` (stop reason, output usage), `message_stop`, `ping`, and `error`
//! (e.g. `overloaded_error`) which can arrive mid-stream.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::{Value as JsonValue, json};

use crate::assemble::ResponseAssembler;
use crate::config::ProviderConfig;
use crate::error::{ErrorCode, LlmError, LlmResult};
use crate::framing::{Frame, Framing};
use crate::http_provider::{self, WireFormat};
use crate::provider::{EventStream, Provider, ProviderKind};
use crate::transport::{StreamDecoder, Transport, WireRequest, join_versioned_url};
use crate::types::{FinishReason, Request, Response, Role, StreamEvent, ToolCall, Usage};

/// The API version header every request carries.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// `max_tokens` when the request sets none (the API requires one).
pub const DEFAULT_MAX_TOKENS: u32 = 4096;

/// A client of the Messages API.
#[derive(Clone, Debug)]
pub struct AnthropicProvider {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    transport: Arc<Transport>,
    endpoint: String,
    api_key: Option<String>,
}

impl AnthropicProvider {
    pub fn new(config: &ProviderConfig) -> LlmResult<AnthropicProvider> {
        let base_url = config.effective_base_url()?;
        let transport = Transport::new(
            &config.name,
            config.retry,
            config.timeout,
            config.api_key.is_some(),
            classify_error,
        )?;
        Ok(AnthropicProvider {
            inner: Arc::new(Inner {
                transport: Arc::new(transport),
                endpoint: join_versioned_url(&base_url, "v1", "messages"),
                api_key: config.api_key.clone(),
            }),
        })
    }
}

impl Provider for AnthropicProvider {
    fn name(&self) -> &str {
        &self.inner.transport.provider
    }

    fn kind(&self) -> ProviderKind {
        ProviderKind::Anthropic
    }

    fn chat(&self, request: Request) -> BoxFuture<'static, LlmResult<Response>> {
        http_provider::chat(self.inner.clone(), request)
    }

    fn stream(&self, request: Request) -> EventStream {
        http_provider::stream(self.inner.clone(), request)
    }
}

impl WireFormat for Inner {
    type Decoder = EventDecoder;

    const FRAMING: Framing = Framing::ServerSentEvents;

    fn transport(&self) -> &Arc<Transport> {
        &self.transport
    }

    fn wire_request(&self, request: &Request, stream: bool) -> WireRequest {
        let mut headers = vec![("anthropic-version", ANTHROPIC_VERSION.to_owned())];
        if let Some(key) = &self.api_key {
            headers.push(("x-api-key", key.clone()));
        }
        WireRequest {
            url: self.endpoint.clone(),
            headers,
            body: request_body(request, stream),
        }
    }

    fn parse_response(
        provider: &str,
        requested_model: &str,
        body: &JsonValue,
    ) -> LlmResult<Response> {
        parse_message(provider, requested_model, body)
    }

    fn new_decoder(provider: &str) -> EventDecoder {
        EventDecoder {
            provider: provider.to_owned(),
            ..EventDecoder::default()
        }
    }
}

/// The Messages request body.
pub(crate) fn request_body(request: &Request, stream: bool) -> JsonValue {
    let mut system_parts: Vec<&str> = request.system.iter().map(String::as_str).collect();
    let mut messages: Vec<JsonValue> = Vec::new();
    for message in &request.messages {
        match message.role {
            Role::System => system_parts.push(&message.content),
            Role::User => messages.push(json!({"role": "user", "content": message.content})),
            Role::Assistant => {
                let mut blocks = Vec::new();
                if !message.content.is_empty() {
                    blocks.push(json!({"type": "text", "text": message.content}));
                }
                for call in &message.tool_calls {
                    blocks.push(json!({"type": "tool_use", "id": call.id, "name": call.name, "input": call.arguments}));
                }
                messages.push(json!({"role": "assistant", "content": blocks}));
            }
            Role::Tool => {
                let block = json!({
                    "type": "tool_result",
                    "tool_use_id": message.tool_call_id.clone().unwrap_or_default(),
                    "content": message.content,
                });
                // All results of one turn go back in one user message.
                let previous_is_tool_results = messages.last().is_some_and(|last| {
                    last["role"] == "user"
                        && last["content"].as_array().is_some_and(|blocks| {
                            blocks.iter().all(|block| block["type"] == "tool_result")
                        })
                });
                if previous_is_tool_results {
                    if let Some(blocks) = messages
                        .last_mut()
                        .and_then(|last| last["content"].as_array_mut())
                    {
                        blocks.push(block);
                    }
                } else {
                    messages.push(json!({"role": "user", "content": [block]}));
                }
            }
        }
    }
    let mut body = json!({
        "model": request.model,
        "max_tokens": request.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
        "messages": messages,
    });
    if !system_parts.is_empty() {
        body["system"] = json!(system_parts.join("\n\n"));
    }
    if let Some(temperature) = request.temperature {
        body["temperature"] = json!(temperature);
    }
    if !request.tools.is_empty() {
        let tools: Vec<JsonValue> = request
            .tools
            .iter()
            .map(|tool| json!({"name": tool.name, "description": tool.description, "input_schema": tool.parameters}))
            .collect();
        body["tools"] = json!(tools);
    }
    if let Some(schema) = &request.schema {
        body["output_config"] = json!({"format": {"type": "json_schema", "schema": schema}});
    }
    if stream {
        body["stream"] = json!(true);
    }
    body
}

/// Reads a `message` object.
fn parse_message(provider: &str, requested_model: &str, body: &JsonValue) -> LlmResult<Response> {
    let invalid = |what: &str| {
        LlmError::new(
            ErrorCode::InvalidResponse,
            provider,
            format!("unexpected Messages answer: {what}"),
        )
    };
    let blocks = body
        .get("content")
        .and_then(JsonValue::as_array)
        .ok_or_else(|| invalid("no content"))?;
    let mut text = String::new();
    let mut tool_calls = Vec::new();
    for block in blocks {
        match block.get("type").and_then(JsonValue::as_str) {
            Some("text") => text.push_str(
                block
                    .get("text")
                    .and_then(JsonValue::as_str)
                    .unwrap_or_default(),
            ),
            Some("tool_use") => tool_calls.push(ToolCall {
                id: block
                    .get("id")
                    .and_then(JsonValue::as_str)
                    .ok_or_else(|| invalid("tool_use without id"))?
                    .to_owned(),
                name: block
                    .get("name")
                    .and_then(JsonValue::as_str)
                    .ok_or_else(|| invalid("tool_use without name"))?
                    .to_owned(),
                arguments: block.get("input").cloned().unwrap_or_else(|| json!({})),
                signature: None,
            }),
            _ => {}
        }
    }
    Ok(Response {
        text,
        model: body
            .get("model")
            .and_then(JsonValue::as_str)
            .unwrap_or(requested_model)
            .to_owned(),
        provider: provider.to_owned(),
        finish_reason: body
            .get("stop_reason")
            .and_then(JsonValue::as_str)
            .map(stop_reason)
            .unwrap_or_default(),
        usage: body
            .get("usage")
            .map(|usage| read_usage(usage, Usage::default()))
            .unwrap_or_default(),
        tool_calls,
        data: None,
    })
}

fn stop_reason(name: &str) -> FinishReason {
    match name {
        "end_turn" | "stop_sequence" => FinishReason::Stop,
        "max_tokens" => FinishReason::Length,
        "tool_use" => FinishReason::ToolCalls,
        "refusal" => FinishReason::ContentFilter,
        other => FinishReason::Other(other.to_owned()),
    }
}

/// Reads `usage`, keeping what an earlier event said for counts this one lacks.
fn read_usage(usage: &JsonValue, earlier: Usage) -> Usage {
    let count = |field: &str| usage.get(field).and_then(JsonValue::as_u64);
    Usage {
        input_tokens: count("input_tokens").unwrap_or(earlier.input_tokens),
        output_tokens: count("output_tokens").unwrap_or(earlier.output_tokens),
    }
}

/// The code for an error body or an `error` event, by its `error.type`.
fn classify_error(_status: u16, body: &JsonValue) -> Option<ErrorCode> {
    match body.pointer("/error/type").and_then(JsonValue::as_str)? {
        "authentication_error" | "permission_error" => Some(ErrorCode::ProviderAuth),
        "rate_limit_error" => Some(ErrorCode::ProviderRateLimit),
        _ => None,
    }
}

/// Decodes the Messages event stream.
#[derive(Debug, Default)]
struct EventDecoder {
    provider: String,
    usage: Usage,
    /// Content-block index → tool-call index (0, 1, … in order of appearance).
    tool_call_index_of_block: BTreeMap<u64, usize>,
    saw_message_stop: bool,
}

impl StreamDecoder for EventDecoder {
    fn decode(
        &mut self,
        frame: Frame,
        events: &mut Vec<StreamEvent>,
        assembler: &mut ResponseAssembler,
    ) -> LlmResult<()> {
        let data: JsonValue = serde_json::from_str(&frame.data).map_err(|error| {
            LlmError::new(
                ErrorCode::InvalidResponse,
                &self.provider,
                format!("a stream event is not JSON ({error})"),
            )
        })?;
        let kind = data
            .get("type")
            .and_then(JsonValue::as_str)
            .or(frame.event.as_deref())
            .unwrap_or_default();
        match kind {
            "message_start" => {
                let message = data.get("message").unwrap_or(&JsonValue::Null);
                if let Some(model) = message.get("model").and_then(JsonValue::as_str) {
                    assembler.set_model(model);
                }
                if let Some(usage) = message.get("usage") {
                    self.usage = read_usage(usage, self.usage);
                    events.push(StreamEvent::Usage { usage: self.usage });
                }
            }
            "content_block_start" => {
                let block = data.get("content_block").unwrap_or(&JsonValue::Null);
                let block_index = data
                    .get("index")
                    .and_then(JsonValue::as_u64)
                    .unwrap_or_default();
                match block.get("type").and_then(JsonValue::as_str) {
                    Some("text") => {
                        if let Some(text) = block
                            .get("text")
                            .and_then(JsonValue::as_str)
                            .filter(|text| !text.is_empty())
                        {
                            events.push(StreamEvent::TextDelta {
                                text: text.to_owned(),
                            });
                        }
                    }
                    Some("tool_use") => {
                        let index = self.tool_call_index_of_block.len();
                        self.tool_call_index_of_block.insert(block_index, index);
                        events.push(StreamEvent::ToolCallStart {
                            index,
                            id: block
                                .get("id")
                                .and_then(JsonValue::as_str)
                                .unwrap_or_default()
                                .to_owned(),
                            name: block
                                .get("name")
                                .and_then(JsonValue::as_str)
                                .unwrap_or_default()
                                .to_owned(),
                            signature: None,
                        });
                    }
                    _ => {}
                }
            }
            "content_block_delta" => {
                let delta = data.get("delta").unwrap_or(&JsonValue::Null);
                let block_index = data
                    .get("index")
                    .and_then(JsonValue::as_u64)
                    .unwrap_or_default();
                match delta.get("type").and_then(JsonValue::as_str) {
                    Some("text_delta") => {
                        if let Some(text) = delta
                            .get("text")
                            .and_then(JsonValue::as_str)
                            .filter(|text| !text.is_empty())
                        {
                            events.push(StreamEvent::TextDelta {
                                text: text.to_owned(),
                            });
                        }
                    }
                    Some("input_json_delta") => {
                        let Some(&index) = self.tool_call_index_of_block.get(&block_index) else {
                            return Err(LlmError::new(
                                ErrorCode::InvalidResponse,
                                &self.provider,
                                format!(
                                    "input_json_delta for block {block_index}, which is not a tool_use block"
                                ),
                            ));
                        };
                        let fragment = delta
                            .get("partial_json")
                            .and_then(JsonValue::as_str)
                            .unwrap_or_default();
                        if !fragment.is_empty() {
                            events.push(StreamEvent::ToolCallDelta {
                                index,
                                arguments: fragment.to_owned(),
                            });
                        }
                    }
                    _ => {}
                }
            }
            "message_delta" => {
                if let Some(reason) = data
                    .pointer("/delta/stop_reason")
                    .and_then(JsonValue::as_str)
                {
                    events.push(StreamEvent::Finish {
                        reason: stop_reason(reason),
                    });
                }
                if let Some(usage) = data.get("usage") {
                    self.usage = read_usage(usage, self.usage);
                    events.push(StreamEvent::Usage { usage: self.usage });
                }
            }
            "message_stop" => self.saw_message_stop = true,
            "error" => {
                let message = crate::transport::error_message_from_body(&data)
                    .unwrap_or_else(|| data.to_string());
                let code = classify_error(0, &data).unwrap_or(ErrorCode::ProviderHttp);
                return Err(LlmError::new(code, &self.provider, message));
            }
            // `ping`, `content_block_stop` and event types added later carry nothing we need.
            _ => {}
        }
        Ok(())
    }

    fn saw_end_marker(&self) -> bool {
        self.saw_message_stop
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Message, ToolSpec};

    #[test]
    fn tool_results_of_one_turn_share_one_user_message_and_system_is_top_level() {
        let mut request = Request::from_prompt("claude", "weather in two cities?");
        request.system = Some("be brief".into());
        request.tools = vec![ToolSpec {
            name: "w".into(),
            description: "".into(),
            parameters: json!({"type": "object"}),
        }];
        request.schema = Some(json!({"type": "object"}));
        request.messages.push(Message::assistant_with_tool_calls(
            "checking",
            vec![
                ToolCall::new("toolu_1", "w", json!({"city": "Oslo"})),
                ToolCall::new("toolu_2", "w", json!({"city": "Rome"})),
            ],
        ));
        request
            .messages
            .push(Message::tool_result("toolu_1", "w", "3"));
        request
            .messages
            .push(Message::tool_result("toolu_2", "w", "21"));
        let body = request_body(&request, false);
        assert_eq!(body["system"], json!("be brief"));
        assert_eq!(body["max_tokens"], json!(DEFAULT_MAX_TOKENS));
        assert_eq!(body["messages"].as_array().unwrap().len(), 3);
        assert_eq!(body["messages"][1]["content"][1]["type"], json!("tool_use"));
        assert_eq!(
            body["messages"][2]["content"][1],
            json!({"type": "tool_result", "tool_use_id": "toolu_2", "content": "21"})
        );
        assert_eq!(body["tools"][0]["input_schema"], json!({"type": "object"}));
        assert_eq!(
            body["output_config"]["format"]["type"],
            json!("json_schema")
        );
    }
}
