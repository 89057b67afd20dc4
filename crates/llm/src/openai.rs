//! OpenAI Chat Completions (`POST {base}/chat/completions`), also used for any OpenAI-compatible
//! server (LM Studio, llama.cpp, vLLM, …) by base URL.
//!
//! Wire facts: `Authorization: Bearer KEY`; the system prompt is the first message; tool calls
//! come back as `message.tool_calls[{id, type: "function", function: {name, arguments}}]` with
//! `arguments` a JSON *string*; tool results are `role: "tool"` messages with `tool_call_id`;
//! structured output is `response_format: {type: "json_schema", json_schema: {name, schema}}`.
//! Streaming is SSE `data:` chunks of `choices[].delta`, tool calls arriving as fragments keyed
//! by `index` (id and name in the first), `usage` in a last chunk with empty `choices` when
//! `stream_options.include_usage` is set, then `data: [DONE]`.

use std::collections::BTreeSet;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::{Value as JsonValue, json};

use crate::assemble::{ResponseAssembler, parse_tool_arguments, synthetic_tool_call_id};
use crate::config::ProviderConfig;
use crate::error::{ErrorCode, LlmError, LlmResult};
use crate::framing::{Frame, Framing};
use crate::http_provider::{self, WireFormat};
use crate::provider::{EventStream, Provider, ProviderKind};
use crate::transport::{StreamDecoder, Transport, WireRequest, join_url};
use crate::types::{FinishReason, Request, Response, Role, StreamEvent, ToolCall, Usage};

/// A client of the Chat Completions API.
#[derive(Clone, Debug)]
pub struct OpenAiProvider {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    transport: Arc<Transport>,
    kind: ProviderKind,
    endpoint: String,
    api_key: Option<String>,
}

impl OpenAiProvider {
    /// For `kind = "openai"` or `"openai-compatible"` (the latter needs a base URL).
    pub fn new(config: &ProviderConfig) -> LlmResult<OpenAiProvider> {
        let base_url = config.effective_base_url()?;
        let transport = Transport::new(
            &config.name,
            config.retry,
            config.timeout,
            config.api_key.is_some(),
            |_, _| None,
        )?;
        Ok(OpenAiProvider {
            inner: Arc::new(Inner {
                transport: Arc::new(transport),
                kind: config.kind,
                endpoint: join_url(&base_url, "chat/completions"),
                api_key: config.api_key.clone(),
            }),
        })
    }
}

impl Provider for OpenAiProvider {
    fn name(&self) -> &str {
        &self.inner.transport.provider
    }

    fn kind(&self) -> ProviderKind {
        self.inner.kind
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
        let mut headers = Vec::new();
        if let Some(key) = &self.api_key {
            headers.push(("authorization", format!("Bearer {key}")));
        }
        WireRequest {
            url: self.endpoint.clone(),
            headers,
            body: request_body(request, self.kind, stream),
        }
    }

    fn parse_response(
        provider: &str,
        requested_model: &str,
        body: &JsonValue,
    ) -> LlmResult<Response> {
        parse_completion(provider, requested_model, body)
    }

    fn new_decoder(provider: &str) -> ChunkDecoder {
        ChunkDecoder {
            provider: provider.to_owned(),
            ..ChunkDecoder::default()
        }
    }
}

/// The Chat Completions request body.
pub(crate) fn request_body(request: &Request, kind: ProviderKind, stream: bool) -> JsonValue {
    let mut messages = Vec::new();
    if let Some(system) = &request.system {
        messages.push(json!({"role": "system", "content": system}));
    }
    for message in &request.messages {
        messages.push(match message.role {
            Role::System => json!({"role": "system", "content": message.content}),
            Role::User => json!({"role": "user", "content": message.content}),
            Role::Assistant if message.tool_calls.is_empty() => json!({"role": "assistant", "content": message.content}),
            Role::Assistant => {
                let calls: Vec<JsonValue> = message
                    .tool_calls
                    .iter()
                    .map(|call| {
                        json!({
                            "id": call.id,
                            "type": "function",
                            "function": {"name": call.name, "arguments": call.arguments.to_string()},
                        })
                    })
                    .collect();
                let content = if message.content.is_empty() { JsonValue::Null } else { json!(message.content) };
                json!({"role": "assistant", "content": content, "tool_calls": calls})
            }
            Role::Tool => json!({
                "role": "tool",
                "tool_call_id": message.tool_call_id.clone().unwrap_or_default(),
                "content": message.content,
            }),
        });
    }
    let mut body = json!({"model": request.model, "messages": messages});
    if let Some(temperature) = request.temperature {
        body["temperature"] = json!(temperature);
    }
    if let Some(max_tokens) = request.max_tokens {
        // OpenAI deprecated `max_tokens` for `max_completion_tokens` (newer models refuse the
        // old name); compatible servers mostly know only `max_tokens`.
        let field = if kind == ProviderKind::OpenAi {
            "max_completion_tokens"
        } else {
            "max_tokens"
        };
        body[field] = json!(max_tokens);
    }
    if !request.tools.is_empty() {
        let tools: Vec<JsonValue> = request
            .tools
            .iter()
            .map(|tool| {
                json!({
                    "type": "function",
                    "function": {"name": tool.name, "description": tool.description, "parameters": tool.parameters},
                })
            })
            .collect();
        body["tools"] = json!(tools);
    }
    if let Some(schema) = &request.schema {
        body["response_format"] = json!({
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": schema},
        });
    }
    if stream {
        body["stream"] = json!(true);
        body["stream_options"] = json!({"include_usage": true});
    }
    body
}

/// Reads a `chat.completion` object.
fn parse_completion(
    provider: &str,
    requested_model: &str,
    body: &JsonValue,
) -> LlmResult<Response> {
    let invalid = |what: &str| {
        LlmError::new(
            ErrorCode::InvalidResponse,
            provider,
            format!("unexpected Chat Completions answer: {what}"),
        )
    };
    let choice = body
        .get("choices")
        .and_then(|choices| choices.get(0))
        .ok_or_else(|| invalid("no choices"))?;
    let message = choice.get("message").ok_or_else(|| invalid("no message"))?;
    let text = message
        .get("content")
        .and_then(JsonValue::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut tool_calls = Vec::new();
    for (index, call) in message
        .get("tool_calls")
        .and_then(JsonValue::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let function = call
            .get("function")
            .ok_or_else(|| invalid("a tool call without function"))?;
        let name = function
            .get("name")
            .and_then(JsonValue::as_str)
            .ok_or_else(|| invalid("a tool call without name"))?;
        let arguments = function
            .get("arguments")
            .and_then(JsonValue::as_str)
            .unwrap_or_default();
        let id = call
            .get("id")
            .and_then(JsonValue::as_str)
            .map(str::to_owned);
        tool_calls.push(ToolCall {
            id: id.unwrap_or_else(|| synthetic_tool_call_id(index)),
            name: name.to_owned(),
            arguments: parse_tool_arguments(provider, name, arguments)?,
            signature: None,
        });
    }
    Ok(Response {
        text,
        model: body
            .get("model")
            .and_then(JsonValue::as_str)
            .unwrap_or(requested_model)
            .to_owned(),
        provider: provider.to_owned(),
        finish_reason: choice
            .get("finish_reason")
            .and_then(JsonValue::as_str)
            .map(finish_reason)
            .unwrap_or_default(),
        usage: body.get("usage").map(usage).unwrap_or_default(),
        tool_calls,
        data: None,
    })
}

fn finish_reason(name: &str) -> FinishReason {
    match name {
        "stop" => FinishReason::Stop,
        "length" => FinishReason::Length,
        "tool_calls" | "function_call" => FinishReason::ToolCalls,
        "content_filter" => FinishReason::ContentFilter,
        other => FinishReason::Other(other.to_owned()),
    }
}

fn usage(usage: &JsonValue) -> Usage {
    let count = |field: &str| {
        usage
            .get(field)
            .and_then(JsonValue::as_u64)
            .unwrap_or_default()
    };
    Usage {
        input_tokens: count("prompt_tokens"),
        output_tokens: count("completion_tokens"),
    }
}

/// Decodes `chat.completion.chunk` events.
#[derive(Debug, Default)]
struct ChunkDecoder {
    provider: String,
    started_tool_calls: BTreeSet<usize>,
    saw_done: bool,
    saw_finish: bool,
}

impl StreamDecoder for ChunkDecoder {
    fn decode(
        &mut self,
        frame: Frame,
        events: &mut Vec<StreamEvent>,
        assembler: &mut ResponseAssembler,
    ) -> LlmResult<()> {
        let data = frame.data.trim();
        if data == "[DONE]" {
            self.saw_done = true;
            return Ok(());
        }
        let chunk: JsonValue = serde_json::from_str(data).map_err(|error| {
            LlmError::new(
                ErrorCode::InvalidResponse,
                &self.provider,
                format!("a stream chunk is not JSON ({error})"),
            )
        })?;
        if let Some(error) = chunk.get("error") {
            let message = crate::transport::error_message_from_body(&chunk)
                .unwrap_or_else(|| error.to_string());
            return Err(LlmError::new(
                stream_error_code(error),
                &self.provider,
                message,
            ));
        }
        if let Some(model) = chunk.get("model").and_then(JsonValue::as_str) {
            assembler.set_model(model);
        }
        for choice in chunk
            .get("choices")
            .and_then(JsonValue::as_array)
            .into_iter()
            .flatten()
        {
            if choice.get("index").and_then(JsonValue::as_u64).unwrap_or(0) != 0 {
                continue;
            }
            let delta = choice.get("delta").unwrap_or(&JsonValue::Null);
            if let Some(text) = delta
                .get("content")
                .and_then(JsonValue::as_str)
                .filter(|text| !text.is_empty())
            {
                events.push(StreamEvent::TextDelta {
                    text: text.to_owned(),
                });
            }
            for call in delta
                .get("tool_calls")
                .and_then(JsonValue::as_array)
                .into_iter()
                .flatten()
            {
                let index = call.get("index").and_then(JsonValue::as_u64).unwrap_or(0) as usize;
                let function = call.get("function").unwrap_or(&JsonValue::Null);
                if !self.started_tool_calls.contains(&index) {
                    let name = function
                        .get("name")
                        .and_then(JsonValue::as_str)
                        .unwrap_or_default();
                    let id = call
                        .get("id")
                        .and_then(JsonValue::as_str)
                        .map(str::to_owned);
                    self.started_tool_calls.insert(index);
                    events.push(StreamEvent::ToolCallStart {
                        index,
                        id: id.unwrap_or_else(|| synthetic_tool_call_id(index)),
                        name: name.to_owned(),
                        signature: None,
                    });
                }
                if let Some(fragment) = function
                    .get("arguments")
                    .and_then(JsonValue::as_str)
                    .filter(|text| !text.is_empty())
                {
                    events.push(StreamEvent::ToolCallDelta {
                        index,
                        arguments: fragment.to_owned(),
                    });
                }
            }
            if let Some(reason) = choice.get("finish_reason").and_then(JsonValue::as_str) {
                self.saw_finish = true;
                events.push(StreamEvent::Finish {
                    reason: finish_reason(reason),
                });
            }
        }
        if let Some(usage_object) = chunk.get("usage").filter(|usage| usage.is_object()) {
            events.push(StreamEvent::Usage {
                usage: usage(usage_object),
            });
        }
        Ok(())
    }

    fn saw_end_marker(&self) -> bool {
        self.saw_done
    }

    /// Some compatible servers end the body after the finish reason without `[DONE]`.
    fn is_complete(&self) -> bool {
        self.saw_done || self.saw_finish
    }
}

/// The code of an error sent inside a stream (`{"error": {"type", "code", "message"}}`).
fn stream_error_code(error: &JsonValue) -> ErrorCode {
    let kind = error
        .get("type")
        .or_else(|| error.get("code"))
        .and_then(JsonValue::as_str)
        .unwrap_or_default();
    match kind {
        "rate_limit_exceeded" | "rate_limit_error" | "insufficient_quota" => {
            ErrorCode::ProviderRateLimit
        }
        "invalid_api_key" | "authentication_error" => ErrorCode::ProviderAuth,
        _ => ErrorCode::ProviderHttp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Message, ToolSpec};

    #[test]
    fn tool_conversations_map_to_chat_messages() {
        let mut request = Request::from_prompt("gpt-4o-mini", "weather?");
        request.system = Some("be brief".into());
        request.max_tokens = Some(50);
        request.tools = vec![ToolSpec {
            name: "get_weather".into(),
            description: "d".into(),
            parameters: json!({"type": "object"}),
        }];
        request.messages.push(Message::assistant_with_tool_calls(
            "",
            vec![ToolCall::new(
                "call_1",
                "get_weather",
                json!({"city": "Oslo"}),
            )],
        ));
        request
            .messages
            .push(Message::tool_result("call_1", "get_weather", "{\"t\":3}"));
        let body = request_body(&request, ProviderKind::OpenAi, false);
        assert_eq!(
            body["messages"][0],
            json!({"role": "system", "content": "be brief"})
        );
        assert_eq!(
            body["messages"][2]["tool_calls"][0]["function"]["arguments"],
            json!("{\"city\":\"Oslo\"}")
        );
        assert_eq!(body["messages"][2]["content"], JsonValue::Null);
        assert_eq!(
            body["messages"][3],
            json!({"role": "tool", "tool_call_id": "call_1", "content": "{\"t\":3}"})
        );
        assert_eq!(body["max_completion_tokens"], json!(50));
        assert_eq!(body["tools"][0]["type"], json!("function"));
        let compatible = request_body(&request, ProviderKind::OpenAiCompatible, true);
        assert_eq!(compatible["max_tokens"], json!(50));
        assert_eq!(compatible["stream_options"], json!({"include_usage": true}));
    }
}
