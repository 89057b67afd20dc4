//! Assembles a [`Response`] from stream events, and finishes responses of every path the same way:
//! tool-call arguments parsed, the finish reason made consistent, structured output validated.

use std::collections::BTreeMap;

use serde_json::Value as JsonValue;

use crate::error::{ErrorCode, LlmError, LlmResult};
use crate::structured::{excerpt, parse_structured_answer};
use crate::types::{FinishReason, Response, StreamEvent, ToolCall, Usage};

/// Collects the events of one streamed answer.
#[derive(Debug)]
pub(crate) struct ResponseAssembler {
    provider: String,
    model: String,
    schema: Option<JsonValue>,
    text: String,
    tool_calls: BTreeMap<usize, PartialToolCall>,
    usage: Usage,
    finish_reason: Option<FinishReason>,
}

#[derive(Debug, Default)]
struct PartialToolCall {
    id: String,
    name: String,
    arguments: String,
    signature: Option<String>,
}

impl ResponseAssembler {
    pub fn new(
        provider: &str,
        requested_model: &str,
        schema: Option<JsonValue>,
    ) -> ResponseAssembler {
        ResponseAssembler {
            provider: provider.to_owned(),
            model: requested_model.to_owned(),
            schema,
            text: String::new(),
            tool_calls: BTreeMap::new(),
            usage: Usage::default(),
            finish_reason: None,
        }
    }

    /// The model the provider says answered.
    pub fn set_model(&mut self, model: &str) {
        if !model.is_empty() {
            self.model = model.to_owned();
        }
    }

    pub fn observe(&mut self, event: &StreamEvent) {
        match event {
            StreamEvent::TextDelta { text } => self.text.push_str(text),
            StreamEvent::ToolCallStart {
                index,
                id,
                name,
                signature,
            } => {
                let call = self.tool_calls.entry(*index).or_default();
                call.id.clone_from(id);
                call.name.clone_from(name);
                call.signature.clone_from(signature);
            }
            StreamEvent::ToolCallDelta { index, arguments } => self
                .tool_calls
                .entry(*index)
                .or_default()
                .arguments
                .push_str(arguments),
            StreamEvent::Usage { usage } => self.usage = *usage,
            StreamEvent::Finish { reason } => self.finish_reason = Some(reason.clone()),
            StreamEvent::Done { .. } => {}
        }
    }

    pub fn finish(self) -> LlmResult<Response> {
        let mut tool_calls = Vec::with_capacity(self.tool_calls.len());
        for (index, call) in self.tool_calls {
            if call.name.is_empty() {
                return Err(LlmError::new(
                    ErrorCode::InvalidResponse,
                    &self.provider,
                    format!("tool call {index} has no name"),
                ));
            }
            let arguments = parse_tool_arguments(&self.provider, &call.name, &call.arguments)?;
            let id = if call.id.is_empty() {
                synthetic_tool_call_id(index)
            } else {
                call.id
            };
            tool_calls.push(ToolCall {
                id,
                name: call.name,
                arguments,
                signature: call.signature,
            });
        }
        let response = Response {
            text: self.text,
            model: self.model,
            provider: self.provider,
            finish_reason: self.finish_reason.unwrap_or_default(),
            usage: self.usage,
            tool_calls,
            data: None,
        };
        finish_response(response, self.schema.as_ref())
    }
}

/// The id given to a tool call whose provider sent none (Ollama, older Gemini): stable across
/// runs, so recorded and replayed runs match.
pub(crate) fn synthetic_tool_call_id(index: usize) -> String {
    format!("call_{index}")
}

/// Parses a tool call's JSON arguments; empty text means no arguments (`{}`).
pub(crate) fn parse_tool_arguments(provider: &str, tool: &str, text: &str) -> LlmResult<JsonValue> {
    if text.trim().is_empty() {
        return Ok(JsonValue::Object(Default::default()));
    }
    serde_json::from_str(text).map_err(|error| {
        LlmError::new(
            ErrorCode::InvalidResponse,
            provider,
            format!(
                "the arguments of tool call `{tool}` are not JSON ({error}): {}",
                excerpt(text)
            ),
        )
    })
}

/// The last steps every response goes through: a model that called tools finished with
/// `tool_calls` (Gemini and Ollama say `stop`), and structured output is parsed and validated.
/// A response cut off by the token limit keeps `length` and is not validated (its JSON is
/// incomplete by nature); `data` stays absent then.
pub(crate) fn finish_response(
    mut response: Response,
    schema: Option<&JsonValue>,
) -> LlmResult<Response> {
    if !response.tool_calls.is_empty() && response.finish_reason == FinishReason::Stop {
        response.finish_reason = FinishReason::ToolCalls;
    }
    if let Some(schema) = schema
        && response.tool_calls.is_empty()
        && response.finish_reason != FinishReason::Length
        && response.data.is_none()
    {
        response.data = Some(parse_structured_answer(
            &response.provider,
            &response.text,
            schema,
        )?);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn fragments_are_reassembled_per_index_in_index_order() {
        let mut assembler = ResponseAssembler::new("p", "m", None);
        let events = [
            StreamEvent::ToolCallStart {
                index: 1,
                id: "b".into(),
                name: "second".into(),
                signature: None,
            },
            StreamEvent::ToolCallStart {
                index: 0,
                id: "a".into(),
                name: "first".into(),
                signature: Some("s".into()),
            },
            StreamEvent::ToolCallDelta {
                index: 0,
                arguments: "{\"x\":".into(),
            },
            StreamEvent::ToolCallDelta {
                index: 1,
                arguments: "".into(),
            },
            StreamEvent::ToolCallDelta {
                index: 0,
                arguments: " 1}".into(),
            },
            StreamEvent::Finish {
                reason: FinishReason::Stop,
            },
        ];
        for event in &events {
            assembler.observe(event);
        }
        let response = assembler.finish().unwrap();
        assert_eq!(response.finish_reason, FinishReason::ToolCalls);
        assert_eq!(
            response.tool_calls,
            vec![
                ToolCall {
                    signature: Some("s".into()),
                    ..ToolCall::new("a", "first", json!({"x": 1}))
                },
                ToolCall::new("b", "second", json!({})),
            ]
        );
    }

    #[test]
    fn broken_arguments_are_an_invalid_response() {
        let mut assembler = ResponseAssembler::new("p", "m", None);
        assembler.observe(&StreamEvent::ToolCallStart {
            index: 0,
            id: "a".into(),
            name: "t".into(),
            signature: None,
        });
        assembler.observe(&StreamEvent::ToolCallDelta {
            index: 0,
            arguments: "{\"x\":".into(),
        });
        assert_eq!(
            assembler.finish().unwrap_err().code,
            ErrorCode::InvalidResponse
        );
    }

    #[test]
    fn structured_text_becomes_data() {
        let mut assembler =
            ResponseAssembler::new("p", "m", Some(json!({"type": "object", "required": ["n"]})));
        assembler.observe(&StreamEvent::TextDelta {
            text: "{\"n\"".into(),
        });
        assembler.observe(&StreamEvent::TextDelta {
            text: ": 2}".into(),
        });
        assert_eq!(assembler.finish().unwrap().data, Some(json!({"n": 2})));
    }
}
