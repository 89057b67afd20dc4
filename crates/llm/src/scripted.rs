//! The built-in `scripted` provider: the offline default. It answers from a script file, or
//! without one echoes the last user message. It never touches the network, reports zero usage,
//! and is deterministic: the same spell gets the same answers.
//!
//! A script is JSON:
//!
//! ```json
//! {
//!   "rules": [
//!     {"match": "weather", "after_tool": false, "reply": {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Oslo"}}]}},
//!     {"match": "weather", "after_tool": true, "reply": {"text": "It is 3 °C in Oslo."}},
//!     {"regex": "^summari[sz]e", "times": 1, "reply": {"chunks": ["A short ", "summary."]}},
//!     {"match": "fail", "reply": {"error": {"code": "provider_rate_limit", "message": "slow down"}}}
//!   ],
//!   "queue": [{"text": "first answer"}, {"data": {"name": "Ada"}}],
//!   "otherwise": "echo"
//! }
//! ```
//!
//! Each call takes the first rule that matches the last user message (`match`: a substring,
//! `regex`: a regular expression; `after_tool`: only when the last message is / is not a tool
//! result; `times`: how often the rule may be used), else the next reply of `queue`, else
//! `otherwise` (`"echo"`, the default, or a reply). A file that is just a list is a queue.
//! A reply has `text` or streamed `chunks`, `tool_calls` (`{name, arguments, id?}`), `data`
//! (structured output; its JSON becomes the text), an `error` (`{code, message}`, after the
//! chunks when streaming), `finish_reason`, and `delay_ms` (a wait before answering, to imitate a
//! slow model).

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};
use serde::Deserialize;
use serde_json::Value as JsonValue;

use crate::assemble::{ResponseAssembler, synthetic_tool_call_id};
use crate::config::ProviderConfig;
use crate::error::{ErrorCode, LlmError, LlmResult};
use crate::provider::{EventStream, Provider, ProviderKind};
use crate::types::{FinishReason, Request, Response, Role, StreamEvent, Usage};

/// The provider name of the built-in offline default.
pub const SCRIPTED_PROVIDER_NAME: &str = "scripted";

/// A scripted provider: a script (possibly empty, then it echoes) and how far it has got.
#[derive(Clone, Debug)]
pub struct ScriptedProvider {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    name: String,
    state: Mutex<ScriptState>,
}

#[derive(Debug)]
struct ScriptState {
    rules: Vec<CompiledRule>,
    queue: VecDeque<ScriptedReply>,
    otherwise: ScriptedOtherwise,
}

#[derive(Debug)]
struct CompiledRule {
    pattern: Pattern,
    after_tool: Option<bool>,
    uses_left: Option<u32>,
    reply: ScriptedReply,
}

#[derive(Debug)]
enum Pattern {
    Substring(String),
    Regex(regex::Regex),
    Any,
}

/// A parsed script file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    #[serde(default)]
    pub rules: Vec<ScriptedRule>,
    #[serde(default)]
    pub queue: Vec<ScriptedReply>,
    #[serde(default)]
    pub otherwise: ScriptedOtherwise,
}

/// One rule of a script.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedRule {
    /// Matches when the last user message contains this text.
    #[serde(default, rename = "match")]
    pub substring: Option<String>,
    /// Matches when this regular expression finds a match in the last user message.
    #[serde(default)]
    pub regex: Option<String>,
    /// `true`: only when the last message is a tool result; `false`: only when it is not.
    #[serde(default)]
    pub after_tool: Option<bool>,
    /// How many calls the rule may answer (unlimited when absent).
    #[serde(default)]
    pub times: Option<u32>,
    pub reply: ScriptedReply,
}

/// What the scripted provider answers.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedReply {
    #[serde(default)]
    pub text: Option<String>,
    /// The text in the pieces a stream delivers (the text is their concatenation).
    #[serde(default)]
    pub chunks: Option<Vec<String>>,
    #[serde(default)]
    pub tool_calls: Vec<ScriptedToolCall>,
    /// Structured output; its compact JSON becomes the text when no text is given.
    #[serde(default)]
    pub data: Option<JsonValue>,
    #[serde(default)]
    pub error: Option<ScriptedError>,
    #[serde(default)]
    pub finish_reason: Option<FinishReason>,
    #[serde(default)]
    pub delay_ms: Option<u64>,
}

/// A tool call a reply makes.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedToolCall {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    #[serde(default = "empty_object")]
    pub arguments: JsonValue,
}

fn empty_object() -> JsonValue {
    JsonValue::Object(Default::default())
}

/// An error a reply raises.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedError {
    pub code: ErrorCode,
    #[serde(default)]
    pub message: String,
}

/// What to answer when no rule matches and the queue is empty.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum ScriptedOtherwise {
    #[default]
    Echo,
    Reply(Box<ScriptedReply>),
}

impl<'de> Deserialize<'de> for ScriptedOtherwise {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = JsonValue::deserialize(deserializer)?;
        match value {
            JsonValue::String(word) if word == "echo" => Ok(ScriptedOtherwise::Echo),
            JsonValue::Object(_) => serde_json::from_value(value)
                .map(|reply| ScriptedOtherwise::Reply(Box::new(reply)))
                .map_err(serde::de::Error::custom),
            other => Err(serde::de::Error::custom(format!(
                "`otherwise` is \"echo\" or a reply, not {other}"
            ))),
        }
    }
}

impl Script {
    /// Parses a script: an object with `rules`/`queue`/`otherwise`, or a list (a queue).
    pub fn from_json_str(text: &str) -> Result<Script, String> {
        let value: JsonValue = serde_json::from_str(text).map_err(|error| error.to_string())?;
        if value.is_array() {
            let queue: Vec<ScriptedReply> =
                serde_json::from_value(value).map_err(|error| error.to_string())?;
            return Ok(Script {
                queue,
                ..Script::default()
            });
        }
        serde_json::from_value(value).map_err(|error| error.to_string())
    }
}

impl ScriptedProvider {
    /// No script: every answer is `echo: <last user message>`.
    pub fn echo(name: impl Into<String>) -> ScriptedProvider {
        ScriptedProvider::from_script(name, Script::default())
            .unwrap_or_else(|_| unreachable!("an empty script compiles"))
    }

    pub fn from_script(name: impl Into<String>, script: Script) -> LlmResult<ScriptedProvider> {
        let name = name.into();
        let mut rules = Vec::with_capacity(script.rules.len());
        for (position, rule) in script.rules.into_iter().enumerate() {
            let pattern = match (rule.substring, rule.regex) {
                (Some(_), Some(_)) => {
                    return Err(config_error(
                        &name,
                        format!("rule {}: give `match` or `regex`, not both", position + 1),
                    ));
                }
                (Some(text), None) => Pattern::Substring(text),
                (None, Some(expression)) => {
                    Pattern::Regex(regex::Regex::new(&expression).map_err(|error| {
                        config_error(&name, format!("rule {}: bad regex: {error}", position + 1))
                    })?)
                }
                (None, None) => Pattern::Any,
            };
            rules.push(CompiledRule {
                pattern,
                after_tool: rule.after_tool,
                uses_left: rule.times,
                reply: rule.reply,
            });
        }
        let state = ScriptState {
            rules,
            queue: script.queue.into(),
            otherwise: script.otherwise,
        };
        Ok(ScriptedProvider {
            inner: Arc::new(Inner {
                name,
                state: Mutex::new(state),
            }),
        })
    }

    pub fn from_file(name: impl Into<String>, path: &Path) -> LlmResult<ScriptedProvider> {
        let name = name.into();
        let text = std::fs::read_to_string(path).map_err(|error| {
            config_error(
                &name,
                format!("cannot read the script {}: {error}", path.display()),
            )
        })?;
        let script = Script::from_json_str(&text).map_err(|error| {
            config_error(&name, format!("bad script {}: {error}", path.display()))
        })?;
        ScriptedProvider::from_script(name, script)
    }

    pub fn from_config(config: &ProviderConfig) -> LlmResult<ScriptedProvider> {
        match &config.script {
            Some(path) => ScriptedProvider::from_file(&config.name, path),
            None => Ok(ScriptedProvider::echo(&config.name)),
        }
    }

    /// The reply for a request (consuming a rule use or a queue entry), and whether it is the echo.
    fn next_reply(&self, request: &Request) -> (ScriptedReply, bool) {
        let prompt = request.last_user_text().unwrap_or_default();
        let after_tool = request
            .messages
            .last()
            .is_some_and(|message| message.role == Role::Tool);
        let mut state = self
            .inner
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for rule in &mut state.rules {
            if rule.uses_left == Some(0)
                || rule.after_tool.is_some_and(|wanted| wanted != after_tool)
            {
                continue;
            }
            let matches = match &rule.pattern {
                Pattern::Substring(text) => prompt.contains(text.as_str()),
                Pattern::Regex(regex) => regex.is_match(prompt),
                Pattern::Any => true,
            };
            if matches {
                if let Some(uses) = rule.uses_left.as_mut() {
                    *uses -= 1;
                }
                return (rule.reply.clone(), false);
            }
        }
        if let Some(reply) = state.queue.pop_front() {
            return (reply, false);
        }
        match &state.otherwise {
            ScriptedOtherwise::Echo => (
                ScriptedReply {
                    text: Some(format!("echo: {prompt}")),
                    ..ScriptedReply::default()
                },
                true,
            ),
            ScriptedOtherwise::Reply(reply) => ((**reply).clone(), false),
        }
    }

    /// The events a reply streams, before `Done`, and its error if it fails.
    fn reply_events(&self, reply: &ScriptedReply) -> (Vec<StreamEvent>, Option<LlmError>) {
        let mut events = Vec::new();
        let chunks = match (&reply.chunks, &reply.text, &reply.data) {
            (Some(chunks), _, _) => chunks.clone(),
            (None, Some(text), _) => vec![text.clone()],
            (None, None, Some(data)) => vec![data.to_string()],
            (None, None, None) => Vec::new(),
        };
        events.extend(
            chunks
                .into_iter()
                .filter(|text| !text.is_empty())
                .map(|text| StreamEvent::TextDelta { text }),
        );
        if let Some(error) = &reply.error {
            let message = if error.message.is_empty() {
                format!("scripted {}", error.code)
            } else {
                error.message.clone()
            };
            return (
                events,
                Some(LlmError::new(error.code, &self.inner.name, message)),
            );
        }
        for (index, call) in reply.tool_calls.iter().enumerate() {
            events.push(StreamEvent::ToolCallStart {
                index,
                id: call
                    .id
                    .clone()
                    .unwrap_or_else(|| synthetic_tool_call_id(index)),
                name: call.name.clone(),
                signature: None,
            });
            events.push(StreamEvent::ToolCallDelta {
                index,
                arguments: call.arguments.to_string(),
            });
        }
        events.push(StreamEvent::Usage {
            usage: Usage::default(),
        });
        let reason = reply
            .finish_reason
            .clone()
            .unwrap_or(if reply.tool_calls.is_empty() {
                FinishReason::Stop
            } else {
                FinishReason::ToolCalls
            });
        events.push(StreamEvent::Finish { reason });
        (events, None)
    }

    fn answer(&self, request: &Request) -> (ScriptedReply, Vec<StreamEvent>, LlmResult<Response>) {
        let (reply, is_echo) = self.next_reply(request);
        let (events, error) = self.reply_events(&reply);
        let result = match error {
            Some(error) => Err(error),
            None if is_echo && request.schema.is_some() => Err(LlmError::new(
                ErrorCode::InvalidResponse,
                &self.inner.name,
                "the scripted provider only echoes; a request with a schema needs a script whose reply has `data`",
            )),
            None => {
                let model = if request.model.is_empty() {
                    SCRIPTED_PROVIDER_NAME
                } else {
                    &request.model
                };
                let mut assembler =
                    ResponseAssembler::new(&self.inner.name, model, request.schema.clone());
                for event in &events {
                    assembler.observe(event);
                }
                assembler.finish()
            }
        };
        (reply, events, result)
    }
}

impl Provider for ScriptedProvider {
    fn name(&self) -> &str {
        &self.inner.name
    }

    fn kind(&self) -> ProviderKind {
        ProviderKind::Scripted
    }

    fn chat(&self, request: Request) -> BoxFuture<'static, LlmResult<Response>> {
        let (reply, _events, result) = self.answer(&request);
        async move {
            if let Some(delay) = reply.delay_ms {
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
            result
        }
        .boxed()
    }

    fn stream(&self, request: Request) -> EventStream {
        let provider = self.clone();
        futures::stream::once(async move {
            let (reply, events, result) = provider.answer(&request);
            if let Some(delay) = reply.delay_ms {
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
            let mut items: Vec<LlmResult<StreamEvent>> = events.into_iter().map(Ok).collect();
            match result {
                Ok(response) => items.push(Ok(StreamEvent::Done { response })),
                // The error comes after the text, as from a stream that fails mid-way.
                Err(error) => items.push(Err(error)),
            }
            futures::stream::iter(items)
        })
        .flatten()
        .boxed()
    }
}

fn config_error(provider: &str, message: String) -> LlmError {
    LlmError::new(ErrorCode::ProviderConfig, provider, message)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::provider::collect_stream;
    use crate::types::{Message, ToolCall};

    fn scripted(script: &str) -> ScriptedProvider {
        ScriptedProvider::from_script("scripted", Script::from_json_str(script).unwrap()).unwrap()
    }

    #[tokio::test]
    async fn echo_is_deterministic_with_zero_usage() {
        let provider = ScriptedProvider::echo(SCRIPTED_PROVIDER_NAME);
        let response = provider
            .chat(Request::from_prompt("any", "hello there"))
            .await
            .unwrap();
        assert_eq!(response.text, "echo: hello there");
        assert_eq!(response.provider, "scripted");
        assert_eq!(response.usage, Usage::default());
        assert_eq!(response.finish_reason, FinishReason::Stop);
        let again = provider
            .chat(Request::from_prompt("any", "hello there"))
            .await
            .unwrap();
        assert_eq!(again, response);
    }

    #[tokio::test]
    async fn rules_match_by_substring_and_regex_then_the_queue_then_echo() {
        let provider = scripted(
            r#"{"rules": [{"match": "weather", "reply": {"text": "sunny"}},
                          {"regex": "^sum+ari[sz]e", "times": 1, "reply": {"text": "short"}}],
                "queue": [{"text": "queued"}]}"#,
        );
        let ask = |prompt: &str| provider.chat(Request::from_prompt("m", prompt));
        assert_eq!(ask("the weather today?").await.unwrap().text, "sunny");
        assert_eq!(ask("summarise this").await.unwrap().text, "short");
        assert_eq!(ask("summarise this").await.unwrap().text, "queued");
        assert_eq!(
            ask("summarise this").await.unwrap().text,
            "echo: summarise this"
        );
    }

    #[tokio::test]
    async fn an_agent_loop_gets_a_tool_call_then_an_answer_after_the_tool_result() {
        let provider = scripted(
            r#"{"rules": [
                {"match": "weather", "after_tool": false, "reply": {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Oslo"}}]}},
                {"match": "weather", "after_tool": true, "reply": {"text": "3 degrees"}}]}"#,
        );
        let mut request = Request::from_prompt("m", "weather in Oslo?");
        let first = provider.chat(request.clone()).await.unwrap();
        assert_eq!(first.finish_reason, FinishReason::ToolCalls);
        assert_eq!(
            first.tool_calls,
            vec![ToolCall::new(
                "call_0",
                "get_weather",
                json!({"city": "Oslo"})
            )]
        );
        request.messages.push(Message::assistant_with_tool_calls(
            "",
            first.tool_calls.clone(),
        ));
        request.messages.push(Message::tool_result(
            "call_0",
            "get_weather",
            "{\"celsius\": 3}",
        ));
        assert_eq!(provider.chat(request).await.unwrap().text, "3 degrees");
    }

    #[tokio::test]
    async fn streams_deliver_chunks_and_errors_come_after_them() {
        let provider = scripted(
            r#"[{"chunks": ["Hel", "lo"]}, {"chunks": ["par"], "error": {"code": "provider_http", "message": "cut"}}]"#,
        );
        let mut deltas = Vec::new();
        let response = collect_stream(provider.stream(Request::from_prompt("m", "x")), |event| {
            if let StreamEvent::TextDelta { text } = event {
                deltas.push(text.clone());
            }
        })
        .await
        .unwrap();
        assert_eq!(deltas, vec!["Hel", "lo"]);
        assert_eq!(response.text, "Hello");
        let events: Vec<_> = provider
            .stream(Request::from_prompt("m", "x"))
            .collect()
            .await;
        assert_eq!(events[0], Ok(StreamEvent::TextDelta { text: "par".into() }));
        let error = events[1].clone().unwrap_err();
        assert_eq!(
            (error.code, error.message.as_str()),
            (ErrorCode::ProviderHttp, "cut")
        );
        assert_eq!(events.len(), 2);
    }

    #[tokio::test]
    async fn structured_data_is_validated_and_echo_refuses_schemas() {
        let provider = scripted(r#"[{"data": {"name": "Ada"}}, {"data": {"name": 3}}]"#);
        let mut request = Request::from_prompt("m", "extract");
        request.schema = Some(
            json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}),
        );
        let response = provider.chat(request.clone()).await.unwrap();
        assert_eq!(response.data, Some(json!({"name": "Ada"})));
        assert_eq!(response.text, r#"{"name":"Ada"}"#);
        assert_eq!(
            provider.chat(request.clone()).await.unwrap_err().code,
            ErrorCode::InvalidResponse
        );
        let echo_error = provider.chat(request).await.unwrap_err();
        assert_eq!(echo_error.code, ErrorCode::InvalidResponse);
        assert!(
            echo_error.message.contains("needs a script"),
            "{}",
            echo_error.message
        );
    }

    #[tokio::test]
    async fn bad_scripts_are_configuration_errors() {
        let bad_regex =
            Script::from_json_str(r#"{"rules": [{"regex": "(", "reply": {"text": "x"}}]}"#)
                .unwrap();
        assert_eq!(
            ScriptedProvider::from_script("s", bad_regex)
                .unwrap_err()
                .code,
            ErrorCode::ProviderConfig
        );
        assert!(Script::from_json_str(r#"{"rulez": []}"#).is_err());
        assert!(Script::from_json_str(r#"[{"error": {"code": "no_such_code"}}]"#).is_err());
        let missing =
            ScriptedProvider::from_file("s", Path::new("/nonexistent/answers.json")).unwrap_err();
        assert_eq!(missing.code, ErrorCode::ProviderConfig);
    }

    #[tokio::test]
    async fn delays_imitate_a_slow_model() {
        let provider = scripted(r#"{"otherwise": {"text": "late", "delay_ms": 100}}"#);
        let started = std::time::Instant::now();
        assert_eq!(
            provider
                .chat(Request::from_prompt("m", "x"))
                .await
                .unwrap()
                .text,
            "late"
        );
        assert!(started.elapsed() >= Duration::from_millis(100));
    }
}
