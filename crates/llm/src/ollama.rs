//! Ollama's native chat API (`POST {base}/api/chat`).
//!
//! Wire facts: no key locally (a configured key is sent as `Authorization: Bearer`, for hosted
//! or proxied servers); messages `{role, content, tool_calls?}` where a tool call is
//! `{function: {name, arguments}}` with `arguments` an *object* and usually no id; tool results
//! are `role: "tool"` messages with `tool_name`; structured output is `format: <JSON Schema>`;
//! sampling goes in `options` (`temperature`, `num_predict`). Ollama streams by default: the
//! body is newline-delimited JSON objects with `message.content` pieces (and whole
//! `message.tool_calls`), the last one having `done: true`, `done_reason`, `prompt_eval_count`
//! and `eval_count`. An error is `{"error": "…"}`, as the body of an error status or as a line of
//! a stream. A non-streaming call sends `stream: false`.

use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::{Value as JsonValue, json};

use crate::assemble::{ResponseAssembler, synthetic_tool_call_id};
use crate::config::ProviderConfig;
use crate::error::{ErrorCode, LlmError, LlmResult};
use crate::framing::{Frame, Framing};
use crate::http_provider::{self, WireFormat};
use crate::provider::{EventStream, Provider, ProviderKind};
use crate::transport::{StreamDecoder, Transport, WireRequest, join_url};
use crate::types::{FinishReason, Request, Response, Role, StreamEvent, ToolCall, Usage};

/// A client of Ollama's `/api/chat`.
#[derive(Clone, Debug)]
pub struct OllamaProvider {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    transport: Arc<Transport>,
    endpoint: String,
    api_key: Option<String>,
}

impl OllamaProvider {
    pub fn new(config: &ProviderConfig) -> LlmResult<OllamaProvider> {
        let base_url = config.effective_base_url()?;
        let base_url = base_url
            .trim_end_matches('/')
            .trim_end_matches("/api")
            .to_owned();
        let transport =
            Transport::new(&config.name, config.retry, config.timeout, true, |_, _| {
                None
            })?;
        Ok(OllamaProvider {
            inner: Arc::new(Inner {
                transport: Arc::new(transport),
                endpoint: join_url(&base_url, "api/chat"),
                api_key: config.api_key.clone(),
            }),
        })
    }
}

impl Provider for OllamaProvider {
    fn name(&self) -> &str {
        &self.inner.transport.provider
    }

    fn kind(&self) -> ProviderKind {
        ProviderKind::Ollama
    }

    fn chat(&self, request: Request) -> BoxFuture<'static, LlmResult<Response>> {
        http_provider::chat(self.inner.clone(), request)
    }

    fn stream(&self, request: Request) -> EventStream {
        http_provider::stream(self.inner.clone(), request)
    }
}

impl WireFormat for Inner {
    type Decoder = LineDecoder;

    const FRAMING: Framing = Framing::NewlineDelimitedJson;

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
            body: request_body(request, stream),
        }
    }

    fn parse_response(
        provider: &str,
        requested_model: &str,
        body: &JsonValue,
    ) -> LlmResult<Response> {
        parse_chat(provider, requested_model, body)
    }

    fn new_decoder(provider: &str) -> LineDecoder {
        LineDecoder {
            provider: provider.to_owned(),
            ..LineDecoder::default()
        }
    }
}

/// The `/api/chat` request body.
pub(crate) fn request_body(request: &Request, stream: bool) -> JsonValue {
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
                    .map(|call| json!({"function": {"name": call.name, "arguments": call.arguments}}))
                    .collect();
                json!({"role": "assistant", "content": message.content, "tool_calls": calls})
            }
            Role::Tool => json!({
                "role": "tool",
                "content": message.content,
                "tool_name": request.tool_name_for_result(message).unwrap_or_default(),
            }),
        });
    }
    let mut body = json!({"model": request.model, "messages": messages, "stream": stream});
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
        body["format"] = schema.clone();
    }
    let mut options = serde_json::Map::new();
    if let Some(temperature) = request.temperature {
        options.insert("temperature".into(), json!(temperature));
    }
    if let Some(max_tokens) = request.max_tokens {
        options.insert("num_predict".into(), json!(max_tokens));
    }
    if !options.is_empty() {
        body["options"] = JsonValue::Object(options);
    }
    body
}

fn read_tool_calls(
    provider: &str,
    message: &JsonValue,
    first_index: usize,
) -> LlmResult<Vec<ToolCall>> {
    let mut calls = Vec::new();
    for call in message
        .get("tool_calls")
        .and_then(JsonValue::as_array)
        .into_iter()
        .flatten()
    {
        let function = call.get("function").unwrap_or(&JsonValue::Null);
        let name = function
            .get("name")
            .and_then(JsonValue::as_str)
            .ok_or_else(|| {
                LlmError::new(
                    ErrorCode::InvalidResponse,
                    provider,
                    "a tool call without name",
                )
            })?;
        let arguments = match function.get("arguments") {
            // Some versions and proxies send the arguments as JSON text.
            Some(JsonValue::String(text)) => {
                crate::assemble::parse_tool_arguments(provider, name, text)?
            }
            Some(value) => value.clone(),
            None => json!({}),
        };
        let index = first_index + calls.len();
        calls.push(ToolCall {
            id: call
                .get("id")
                .and_then(JsonValue::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| synthetic_tool_call_id(index)),
            name: name.to_owned(),
            arguments,
            signature: None,
        });
    }
    Ok(calls)
}

fn parse_chat(provider: &str, requested_model: &str, body: &JsonValue) -> LlmResult<Response> {
    let message = body.get("message").ok_or_else(|| {
        LlmError::new(
            ErrorCode::InvalidResponse,
            provider,
            "unexpected Ollama answer: no message",
        )
    })?;
    Ok(Response {
        text: message
            .get("content")
            .and_then(JsonValue::as_str)
            .unwrap_or_default()
            .to_owned(),
        model: body
            .get("model")
            .and_then(JsonValue::as_str)
            .unwrap_or(requested_model)
            .to_owned(),
        provider: provider.to_owned(),
        finish_reason: body
            .get("done_reason")
            .and_then(JsonValue::as_str)
            .map(done_reason)
            .unwrap_or_default(),
        usage: read_usage(body),
        tool_calls: read_tool_calls(provider, message, 0)?,
        data: None,
    })
}

fn done_reason(name: &str) -> FinishReason {
    match name {
        "stop" => FinishReason::Stop,
        "length" => FinishReason::Length,
        other => FinishReason::Other(other.to_owned()),
    }
}

fn read_usage(body: &JsonValue) -> Usage {
    let count = |field: &str| {
        body.get(field)
            .and_then(JsonValue::as_u64)
            .unwrap_or_default()
    };
    Usage {
        input_tokens: count("prompt_eval_count"),
        output_tokens: count("eval_count"),
    }
}

/// Decodes the NDJSON lines of a streamed `/api/chat`.
#[derive(Debug, Default)]
struct LineDecoder {
    provider: String,
    tool_calls_seen: usize,
    saw_done: bool,
}

impl StreamDecoder for LineDecoder {
    fn decode(
        &mut self,
        frame: Frame,
        events: &mut Vec<StreamEvent>,
        assembler: &mut ResponseAssembler,
    ) -> LlmResult<()> {
        let line: JsonValue = serde_json::from_str(&frame.data).map_err(|error| {
            LlmError::new(
                ErrorCode::InvalidResponse,
                &self.provider,
                format!("a stream line is not JSON ({error})"),
            )
        })?;
        if let Some(error) = line.get("error") {
            let message = error
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| error.to_string());
            return Err(LlmError::new(
                ErrorCode::ProviderHttp,
                &self.provider,
                message,
            ));
        }
        if let Some(model) = line.get("model").and_then(JsonValue::as_str) {
            assembler.set_model(model);
        }
        let message = line.get("message").unwrap_or(&JsonValue::Null);
        if let Some(text) = message
            .get("content")
            .and_then(JsonValue::as_str)
            .filter(|text| !text.is_empty())
        {
            events.push(StreamEvent::TextDelta {
                text: text.to_owned(),
            });
        }
        for call in read_tool_calls(&self.provider, message, self.tool_calls_seen)? {
            let index = self.tool_calls_seen;
            self.tool_calls_seen += 1;
            events.push(StreamEvent::ToolCallStart {
                index,
                id: call.id,
                name: call.name,
                signature: None,
            });
            events.push(StreamEvent::ToolCallDelta {
                index,
                arguments: call.arguments.to_string(),
            });
        }
        if line.get("done").and_then(JsonValue::as_bool) == Some(true) {
            self.saw_done = true;
            events.push(StreamEvent::Usage {
                usage: read_usage(&line),
            });
            let reason = line
                .get("done_reason")
                .and_then(JsonValue::as_str)
                .map(done_reason)
                .unwrap_or_default();
            events.push(StreamEvent::Finish { reason });
        }
        Ok(())
    }

    fn saw_end_marker(&self) -> bool {
        self.saw_done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Message, ToolSpec};

    #[test]
    fn options_format_and_tool_messages() {
        let mut request = Request::from_prompt("llama3.2", "weather?");
        request.temperature = Some(0.5);
        request.max_tokens = Some(64);
        request.schema = Some(json!({"type": "object"}));
        request.tools = vec![ToolSpec {
            name: "w".into(),
            description: "".into(),
            parameters: json!({"type": "object"}),
        }];
        request.messages.push(Message::assistant_with_tool_calls(
            "",
            vec![ToolCall::new("call_0", "w", json!({"city": "Oslo"}))],
        ));
        request
            .messages
            .push(Message::tool_result("call_0", "w", "3"));
        let body = request_body(&request, false);
        assert_eq!(body["stream"], json!(false));
        assert_eq!(
            body["options"],
            json!({"temperature": 0.5, "num_predict": 64})
        );
        assert_eq!(body["format"], json!({"type": "object"}));
        assert_eq!(
            body["messages"][1]["tool_calls"][0]["function"]["arguments"],
            json!({"city": "Oslo"})
        );
        assert_eq!(
            body["messages"][2],
            json!({"role": "tool", "content": "3", "tool_name": "w"})
        );
    }
}
