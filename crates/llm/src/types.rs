//! The request, response and stream-event types every provider speaks.
//!
//! These are our own types, independent of any vendor's wire format: each provider module maps
//! them to and from its API. Schemas and tool arguments are plain `serde_json` values. All types
//! serialise to JSON (record and replay files store them as they are).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value as JsonValue;

/// One call to a model: the conversation, sampling settings, tools and an optional output schema.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// The model name inside the provider (`gpt-4o-mini`, not `openai/gpt-4o-mini`).
    pub model: String,
    /// The system prompt, sent the way each provider expects it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// The conversation so far, oldest first.
    #[serde(default)]
    pub messages: Vec<Message>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// Tools the model may call (native tool calling).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolSpec>,
    /// A JSON Schema the answer must follow (structured output); the parsed answer is checked
    /// against it and returned in [`Response::data`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<JsonValue>,
    /// Overrides the provider's per-request timeout for this call.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "optional_millis"
    )]
    pub timeout: Option<Duration>,
}

impl Request {
    /// A request with one user message.
    pub fn from_prompt(model: impl Into<String>, prompt: impl Into<String>) -> Request {
        Request {
            model: model.into(),
            messages: vec![Message::user(prompt)],
            ..Request::default()
        }
    }

    /// The name of the tool a tool-result message answers: its own `name`, else the name of the
    /// earlier assistant tool call with its `tool_call_id`.
    pub fn tool_name_for_result(&self, message: &Message) -> Option<String> {
        if let Some(name) = message.name.as_ref().filter(|name| !name.is_empty()) {
            return Some(name.clone());
        }
        let id = message.tool_call_id.as_ref()?;
        self.messages
            .iter()
            .flat_map(|earlier| earlier.tool_calls.iter())
            .find(|call| &call.id == id)
            .map(|call| call.name.clone())
    }

    /// The text of the last user message, if any (what the scripted provider matches on).
    pub fn last_user_text(&self) -> Option<&str> {
        self.messages
            .iter()
            .rev()
            .find(|message| message.role == Role::User)
            .map(|message| message.content.as_str())
    }
}

/// Who wrote a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
    /// The result of a tool call, answering an assistant message's [`ToolCall`].
    Tool,
}

/// One message of the conversation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    /// The text (for a tool message: the tool's result, usually JSON text).
    #[serde(default)]
    pub content: String,
    /// The tool calls an assistant message made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// For a tool message: the id of the call it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
    /// For a tool message: the tool's name (Gemini and Ollama need it; found from the id when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Message {
    pub fn new(role: Role, content: impl Into<String>) -> Message {
        Message {
            role,
            content: content.into(),
            tool_calls: Vec::new(),
            tool_call_id: None,
            name: None,
        }
    }

    pub fn system(content: impl Into<String>) -> Message {
        Message::new(Role::System, content)
    }

    pub fn user(content: impl Into<String>) -> Message {
        Message::new(Role::User, content)
    }

    pub fn assistant(content: impl Into<String>) -> Message {
        Message::new(Role::Assistant, content)
    }

    /// An assistant message that requested tool calls (what to append after a [`Response`] with calls).
    pub fn assistant_with_tool_calls(
        content: impl Into<String>,
        tool_calls: Vec<ToolCall>,
    ) -> Message {
        Message {
            tool_calls,
            ..Message::new(Role::Assistant, content)
        }
    }

    /// The result of one tool call.
    pub fn tool_result(
        tool_call_id: impl Into<String>,
        name: impl Into<String>,
        content: impl Into<String>,
    ) -> Message {
        Message {
            tool_call_id: Some(tool_call_id.into()),
            name: Some(name.into()),
            ..Message::new(Role::Tool, content)
        }
    }
}

/// A tool the model may call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The JSON Schema of the tool's arguments (an object schema).
    #[serde(default = "empty_object_schema")]
    pub parameters: JsonValue,
}

fn empty_object_schema() -> JsonValue {
    serde_json::json!({"type": "object", "properties": {}})
}

/// A tool call the model made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The provider's call id (synthesised as `call_<n>` by providers that have none).
    pub id: String,
    pub name: String,
    /// The arguments, parsed from the model's JSON.
    pub arguments: JsonValue,
    /// An opaque token the provider wants back with the call when the conversation continues
    /// (Gemini's `thoughtSignature`). Keep it in the assistant message; scripts need not see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

impl ToolCall {
    pub fn new(id: impl Into<String>, name: impl Into<String>, arguments: JsonValue) -> ToolCall {
        ToolCall {
            id: id.into(),
            name: name.into(),
            arguments,
            signature: None,
        }
    }
}

/// Tokens counted by the provider for one call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// Why the model stopped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum FinishReason {
    /// A natural end of the answer.
    #[default]
    Stop,
    /// The token limit was reached.
    Length,
    /// The model is waiting for the results of the tool calls it made.
    ToolCalls,
    /// The provider withheld content.
    ContentFilter,
    /// Anything else, as the provider named it.
    Other(String),
}

impl FinishReason {
    /// The stable name: `stop`, `length`, `tool_calls`, `content_filter`, or the provider's own word.
    pub fn as_str(&self) -> &str {
        match self {
            FinishReason::Stop => "stop",
            FinishReason::Length => "length",
            FinishReason::ToolCalls => "tool_calls",
            FinishReason::ContentFilter => "content_filter",
            FinishReason::Other(other) => other,
        }
    }

    pub fn from_name(name: &str) -> FinishReason {
        match name {
            "stop" => FinishReason::Stop,
            "length" => FinishReason::Length,
            "tool_calls" => FinishReason::ToolCalls,
            "content_filter" => FinishReason::ContentFilter,
            other => FinishReason::Other(other.to_owned()),
        }
    }
}

impl Serialize for FinishReason {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for FinishReason {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(FinishReason::from_name(&name))
    }
}

/// The complete answer of one call.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// The answer's text (empty when the model only called tools).
    pub text: String,
    /// The model that answered, as the provider reported it (else as requested).
    pub model: String,
    /// The configured provider name (`openai`, `local`, `scripted`, …).
    pub provider: String,
    pub finish_reason: FinishReason,
    pub usage: Usage,
    #[serde(default)]
    pub tool_calls: Vec<ToolCall>,
    /// The parsed answer when the request had a schema (validated against it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<JsonValue>,
}

/// One event of a streamed answer, in arrival order.
///
/// A stream that succeeds ends with exactly one [`StreamEvent::Done`] carrying the assembled
/// [`Response`] (tool calls parsed, `data` validated); a stream that fails ends with one `Err`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamEvent {
    /// More text of the answer.
    TextDelta { text: String },
    /// The model started a tool call; `index` (0, 1, … in order) identifies it in the
    /// following fragments.
    ToolCallStart {
        index: usize,
        id: String,
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signature: Option<String>,
    },
    /// A fragment of a tool call's JSON arguments (concatenate them in order).
    ToolCallDelta { index: usize, arguments: String },
    /// Token counts so far (the last one wins).
    Usage { usage: Usage },
    /// Why the model stopped.
    Finish { reason: FinishReason },
    /// The assembled answer: always the last event of a successful stream.
    Done { response: Response },
}

mod optional_millis {
    //! Serialises an optional `Duration` as whole milliseconds.

    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        value: &Option<Duration>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(duration) => serializer.serialize_u64(duration.as_millis() as u64),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(deserializer)?.map(Duration::from_millis))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finish_reasons_serialise_as_their_stable_names() {
        let reasons = vec![
            FinishReason::Stop,
            FinishReason::ToolCalls,
            FinishReason::Other("refusal".into()),
        ];
        let text = serde_json::to_string(&reasons).unwrap();
        assert_eq!(text, r#"["stop","tool_calls","refusal"]"#);
        let back: Vec<FinishReason> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, reasons);
    }

    #[test]
    fn stream_events_are_tagged_by_type() {
        let event = StreamEvent::ToolCallDelta {
            index: 1,
            arguments: "{\"a\"".into(),
        };
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            serde_json::json!({"type": "tool_call_delta", "index": 1, "arguments": "{\"a\""})
        );
    }

    #[test]
    fn last_user_text_skips_assistant_and_tool_messages() {
        let mut request = Request::from_prompt("m", "first");
        request.messages.push(Message::assistant("answer"));
        request.messages.push(Message::user("second"));
        request
            .messages
            .push(Message::tool_result("call_0", "t", "{}"));
        assert_eq!(request.last_user_text(), Some("second"));
    }
}
