//! Record and replay: a wrapper that writes every exchange of a run (request, and the response
//! or the stream's events, or the error) to a JSON file, and a provider that serves a recording
//! back, so that a run can be repeated without a network or tokens.
//!
//! Exchanges are recorded in the order their requests were made. Replay serves, for each request,
//! the first exchange not yet served that was recorded for the same provider with an identical
//! request: in a sequential run that is simply the next one; concurrent requests (a parallel
//! workflow) may arrive in another order and still find theirs. A request that the recording
//! does not hold, or one more than it holds, fails with `replay_mismatch` saying what was
//! expected.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::Value as JsonValue;

use crate::error::{ErrorCode, LlmError, LlmResult};
use crate::provider::{EventStream, Provider, ProviderKind};
use crate::structured::excerpt;
use crate::types::{Request, Response, StreamEvent};

/// The version written in recording files.
pub const RECORDING_VERSION: u32 = 1;

/// A recording file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RecordingFile {
    pub version: u32,
    pub exchanges: Vec<Exchange>,
}

/// Whether an exchange was a `chat` or a `stream` call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeMode {
    Chat,
    Stream,
}

/// One request and what came back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// The configured provider name the request went to.
    pub provider: String,
    pub mode: ExchangeMode,
    pub request: Request,
    /// For streams: the events before the end, in order (`Done` is not repeated here).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<StreamEvent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Response>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<LlmError>,
}

/// Collects the exchanges of one run and writes them to a file as each one completes.
#[derive(Debug)]
pub struct Recorder {
    path: PathBuf,
    /// One slot per request, in request order; filled when the exchange ends.
    slots: Mutex<Vec<Option<Exchange>>>,
}

impl Recorder {
    /// Starts a recording; the file is written at once (empty), so an unwritable path fails now.
    pub fn create(path: impl Into<PathBuf>) -> LlmResult<Arc<Recorder>> {
        let recorder = Arc::new(Recorder {
            path: path.into(),
            slots: Mutex::new(Vec::new()),
        });
        recorder.save()?;
        Ok(recorder)
    }

    /// Wraps a provider so that every call through it is recorded.
    pub fn wrap(self: &Arc<Self>, provider: Arc<dyn Provider>) -> Arc<dyn Provider> {
        Arc::new(RecordingProvider {
            recorder: self.clone(),
            inner: provider,
        })
    }

    /// The exchanges completed so far, in request order.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.lock().iter().flatten().cloned().collect()
    }

    /// Writes the file (also done after every exchange).
    pub fn save(&self) -> LlmResult<()> {
        let file = RecordingFile {
            version: RECORDING_VERSION,
            exchanges: self.exchanges(),
        };
        let text =
            serde_json::to_string_pretty(&file).map_err(|error| self.error(error.to_string()))?;
        let temporary = self.path.with_extension("json.partial");
        std::fs::write(&temporary, text + "\n")
            .and_then(|()| std::fs::rename(&temporary, &self.path))
            .map_err(|error| {
                self.error(format!(
                    "cannot write the recording {}: {error}",
                    self.path.display()
                ))
            })
    }

    fn reserve(&self) -> usize {
        let mut slots = self.lock();
        slots.push(None);
        slots.len() - 1
    }

    fn fill(&self, slot: usize, exchange: Exchange) {
        self.lock()[slot] = Some(exchange);
        if let Err(error) = self.save() {
            tracing::warn!(%error, "recording not saved");
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Option<Exchange>>> {
        self.slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn error(&self, message: String) -> LlmError {
        LlmError::new(ErrorCode::ProviderConfig, "record", message)
    }
}

/// A provider whose calls are recorded.
struct RecordingProvider {
    recorder: Arc<Recorder>,
    inner: Arc<dyn Provider>,
}

impl Provider for RecordingProvider {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn kind(&self) -> ProviderKind {
        self.inner.kind()
    }

    fn chat(&self, request: Request) -> BoxFuture<'static, LlmResult<Response>> {
        let recorder = self.recorder.clone();
        let provider = self.inner.name().to_owned();
        let call = self.inner.chat(request.clone());
        async move {
            let slot = recorder.reserve();
            let result = call.await;
            let (response, error) = match &result {
                Ok(response) => (Some(response.clone()), None),
                Err(error) => (None, Some(error.clone())),
            };
            recorder.fill(
                slot,
                Exchange {
                    provider,
                    mode: ExchangeMode::Chat,
                    request,
                    events: Vec::new(),
                    response,
                    error,
                },
            );
            result
        }
        .boxed()
    }

    fn stream(&self, request: Request) -> EventStream {
        let slot = StreamSlot {
            recorder: self.recorder.clone(),
            slot: None,
            exchange: Some(Exchange {
                provider: self.inner.name().to_owned(),
                mode: ExchangeMode::Stream,
                request: request.clone(),
                events: Vec::new(),
                response: None,
                error: None,
            }),
        };
        let inner = self.inner.stream(request);
        futures::stream::unfold((inner, slot), |(mut inner, mut slot)| async move {
            if slot.slot.is_none() {
                slot.slot = Some(slot.recorder.reserve());
            }
            let item = inner.next().await?;
            match &item {
                Ok(StreamEvent::Done { response }) => slot.finish(Some(response.clone()), None),
                Ok(event) => {
                    if let Some(exchange) = slot.exchange.as_mut() {
                        exchange.events.push(event.clone());
                    }
                }
                Err(error) => slot.finish(None, Some(error.clone())),
            }
            Some((item, (inner, slot)))
        })
        .boxed()
    }
}

/// The exchange of a stream being recorded; written when the stream ends, or when it is dropped
/// part-way (then with the events seen so far and neither response nor error).
struct StreamSlot {
    recorder: Arc<Recorder>,
    slot: Option<usize>,
    exchange: Option<Exchange>,
}

impl StreamSlot {
    fn finish(&mut self, response: Option<Response>, error: Option<LlmError>) {
        if let (Some(slot), Some(mut exchange)) = (self.slot, self.exchange.take()) {
            exchange.response = response;
            exchange.error = error;
            self.recorder.fill(slot, exchange);
        }
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.finish(None, None);
    }
}

/// A recording being served back. One log serves every provider name of a run.
#[derive(Debug)]
pub struct ReplayLog {
    source: String,
    exchanges: Vec<Exchange>,
    /// Each recorded request as JSON, compared with incoming requests.
    requests: Vec<JsonValue>,
    served: Mutex<Vec<bool>>,
}

impl ReplayLog {
    /// Reads a recording file.
    pub fn open(path: &Path) -> LlmResult<Arc<ReplayLog>> {
        let error = |message: String| LlmError::new(ErrorCode::ProviderConfig, "replay", message);
        let text = std::fs::read_to_string(path).map_err(|problem| {
            error(format!(
                "cannot read the recording {}: {problem}",
                path.display()
            ))
        })?;
        let file: RecordingFile = serde_json::from_str(&text)
            .map_err(|problem| error(format!("bad recording {}: {problem}", path.display())))?;
        if file.version != RECORDING_VERSION {
            return Err(error(format!(
                "recording {} has version {}, not {RECORDING_VERSION}",
                path.display(),
                file.version
            )));
        }
        Ok(ReplayLog::from_exchanges(
            path.display().to_string(),
            file.exchanges,
        ))
    }

    pub fn from_exchanges(source: impl Into<String>, exchanges: Vec<Exchange>) -> Arc<ReplayLog> {
        let requests = exchanges
            .iter()
            .map(|exchange| canonical_request(&exchange.request))
            .collect();
        let served = Mutex::new(vec![false; exchanges.len()]);
        Arc::new(ReplayLog {
            source: source.into(),
            exchanges,
            requests,
            served,
        })
    }

    /// A provider answering from this log under a configured name.
    pub fn provider(
        self: &Arc<Self>,
        name: impl Into<String>,
        kind: ProviderKind,
    ) -> Arc<dyn Provider> {
        Arc::new(ReplayProvider {
            log: self.clone(),
            name: name.into(),
            kind,
        })
    }

    /// How many exchanges were not served yet.
    pub fn remaining(&self) -> usize {
        self.lock().iter().filter(|served| !**served).count()
    }

    fn take(&self, provider: &str, request: &Request) -> LlmResult<Exchange> {
        let wanted = canonical_request(request);
        let mut served = self.lock();
        let found = (0..self.exchanges.len()).find(|&index| {
            !served[index]
                && self.exchanges[index].provider == provider
                && self.requests[index] == wanted
        });
        if let Some(index) = found {
            served[index] = true;
            return Ok(self.exchanges[index].clone());
        }
        let asked = describe(provider, request);
        let message = match served.iter().position(|served| !served) {
            None => format!(
                "the recording {} is exhausted: its {} exchange(s) were all replayed, and the run asked for another ({asked})",
                self.source,
                self.exchanges.len()
            ),
            Some(next) => {
                let expected = &self.exchanges[next];
                let difference = first_difference(&self.requests[next], &wanted)
                    .map(|field| format!("; they differ in `{field}`"))
                    .unwrap_or_default();
                format!(
                    "the run asked for something the recording {} does not hold: ({asked}); the next recorded exchange is #{} ({}){difference}",
                    self.source,
                    next + 1,
                    describe(&expected.provider, &expected.request)
                )
            }
        };
        Err(LlmError::new(ErrorCode::ReplayMismatch, provider, message))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<bool>> {
        self.served
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Serves recorded exchanges for one provider name.
struct ReplayProvider {
    log: Arc<ReplayLog>,
    name: String,
    kind: ProviderKind,
}

impl Provider for ReplayProvider {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> ProviderKind {
        self.kind
    }

    fn chat(&self, request: Request) -> BoxFuture<'static, LlmResult<Response>> {
        let result = self
            .log
            .take(&self.name, &request)
            .and_then(|exchange| match exchange {
                Exchange {
                    error: Some(error), ..
                } => Err(error),
                Exchange {
                    response: Some(response),
                    ..
                } => Ok(response),
                Exchange { .. } => Err(LlmError::new(
                    ErrorCode::ReplayMismatch,
                    &self.name,
                    "the recorded exchange was cut off before it ended (its stream was dropped)",
                )),
            });
        futures::future::ready(result).boxed()
    }

    fn stream(&self, request: Request) -> EventStream {
        let items: Vec<LlmResult<StreamEvent>> = match self.log.take(&self.name, &request) {
            Err(error) => vec![Err(error)],
            Ok(exchange) => {
                let mut items: Vec<LlmResult<StreamEvent>> = match exchange.mode {
                    ExchangeMode::Stream => exchange.events.into_iter().map(Ok).collect(),
                    ExchangeMode::Chat => exchange
                        .response
                        .as_ref()
                        .map(events_of_response)
                        .unwrap_or_default()
                        .into_iter()
                        .map(Ok)
                        .collect(),
                };
                match (exchange.response, exchange.error) {
                    (_, Some(error)) => items.push(Err(error)),
                    (Some(response), None) => items.push(Ok(StreamEvent::Done { response })),
                    // A stream that was dropped while recording ends the same way again.
                    (None, None) => {}
                }
                items
            }
        };
        futures::stream::iter(items).boxed()
    }
}

/// The events a stream of this response would have had (to serve a recorded `chat` as a stream).
pub fn events_of_response(response: &Response) -> Vec<StreamEvent> {
    let mut events = Vec::new();
    if !response.text.is_empty() {
        events.push(StreamEvent::TextDelta {
            text: response.text.clone(),
        });
    }
    for (index, call) in response.tool_calls.iter().enumerate() {
        events.push(StreamEvent::ToolCallStart {
            index,
            id: call.id.clone(),
            name: call.name.clone(),
            signature: call.signature.clone(),
        });
        events.push(StreamEvent::ToolCallDelta {
            index,
            arguments: call.arguments.to_string(),
        });
    }
    events.push(StreamEvent::Usage {
        usage: response.usage,
    });
    events.push(StreamEvent::Finish {
        reason: response.finish_reason.clone(),
    });
    events
}

/// A request as JSON the way a recording file holds it (floats written and read back), so that
/// comparing a live request with a recorded one is exact.
fn canonical_request(request: &Request) -> JsonValue {
    serde_json::to_string(request)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(JsonValue::Null)
}

fn describe(provider: &str, request: &Request) -> String {
    let prompt = request.last_user_text().map(excerpt).unwrap_or_default();
    format!(
        "provider `{provider}`, model `{}`, {} message(s), last user message {prompt:?}",
        request.model,
        request.messages.len()
    )
}

fn first_difference(expected: &JsonValue, actual: &JsonValue) -> Option<String> {
    let (JsonValue::Object(expected), JsonValue::Object(actual)) = (expected, actual) else {
        return None;
    };
    expected
        .keys()
        .chain(actual.keys())
        .find(|key| expected.get(*key) != actual.get(*key))
        .cloned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::provider::collect_stream;
    use crate::scripted::{Script, ScriptedProvider};
    use crate::types::{ToolCall, Usage};

    fn scripted() -> Arc<dyn Provider> {
        let script = r#"{"rules": [{"match": "tool", "reply": {"tool_calls": [{"name": "t", "arguments": {"a": 1}}]}},
                                   {"match": "fail", "reply": {"error": {"code": "provider_rate_limit", "message": "slow"}}},
                                   {"match": "stream", "reply": {"chunks": ["a", "b", "c"]}}]}"#;
        Arc::new(
            ScriptedProvider::from_script("offline", Script::from_json_str(script).unwrap())
                .unwrap(),
        )
    }

    #[tokio::test]
    async fn a_recorded_run_replays_identically_and_then_is_exhausted() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("run.json");
        let recorder = Recorder::create(&path).unwrap();
        let provider = recorder.wrap(scripted());
        let mut temperature_request = Request::from_prompt("m", "hello");
        temperature_request.temperature = Some(0.7);
        let first = provider.chat(temperature_request.clone()).await.unwrap();
        let tool = provider
            .chat(Request::from_prompt("m", "use a tool"))
            .await
            .unwrap();
        let failure = provider
            .chat(Request::from_prompt("m", "fail please"))
            .await
            .unwrap_err();
        let streamed = collect_stream(
            provider.stream(Request::from_prompt("m", "stream it")),
            |_| {},
        )
        .await
        .unwrap();
        assert_eq!(
            tool.tool_calls,
            vec![ToolCall::new("call_0", "t", json!({"a": 1}))]
        );

        let log = ReplayLog::open(&path).unwrap();
        assert_eq!(log.remaining(), 4);
        let replay = log.provider("offline", ProviderKind::Scripted);
        assert_eq!(replay.chat(temperature_request).await.unwrap(), first);
        assert_eq!(
            replay
                .chat(Request::from_prompt("m", "use a tool"))
                .await
                .unwrap(),
            tool
        );
        assert_eq!(
            replay
                .chat(Request::from_prompt("m", "fail please"))
                .await
                .unwrap_err(),
            failure
        );
        let events: Vec<_> = replay
            .stream(Request::from_prompt("m", "stream it"))
            .collect()
            .await;
        let deltas: Vec<_> = events
            .iter()
            .filter_map(|event| match event {
                Ok(StreamEvent::TextDelta { text }) => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(deltas, vec!["a", "b", "c"]);
        assert_eq!(
            events.last(),
            Some(&Ok(StreamEvent::Done { response: streamed }))
        );

        let exhausted = replay
            .chat(Request::from_prompt("m", "hello"))
            .await
            .unwrap_err();
        assert_eq!(exhausted.code, ErrorCode::ReplayMismatch);
        assert!(
            exhausted.message.contains("exhausted"),
            "{}",
            exhausted.message
        );
    }

    #[tokio::test]
    async fn a_different_request_is_a_clear_mismatch() {
        let response = Response {
            text: "x".into(),
            provider: "p".into(),
            usage: Usage::default(),
            ..Response::default()
        };
        let exchange = Exchange {
            provider: "p".into(),
            mode: ExchangeMode::Chat,
            request: Request::from_prompt("m", "expected prompt"),
            events: Vec::new(),
            response: Some(response),
            error: None,
        };
        let log = ReplayLog::from_exchanges("test", vec![exchange]);
        let replay = log.provider("p", ProviderKind::OpenAi);
        let error = replay
            .chat(Request::from_prompt("m", "another prompt"))
            .await
            .unwrap_err();
        assert_eq!(error.code, ErrorCode::ReplayMismatch);
        assert!(
            error.message.contains("expected prompt") && error.message.contains("another prompt"),
            "{}",
            error.message
        );
        assert!(
            error.message.contains("differ in `messages`"),
            "{}",
            error.message
        );
        // A recorded chat can be served as a stream.
        let streamed = collect_stream(
            replay.stream(Request::from_prompt("m", "expected prompt")),
            |_| {},
        )
        .await
        .unwrap();
        assert_eq!(streamed.text, "x");
    }

    #[tokio::test]
    async fn concurrent_requests_find_their_exchange_in_any_order() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("run.json");
        let recorder = Recorder::create(&path).unwrap();
        let provider = recorder.wrap(scripted());
        provider
            .chat(Request::from_prompt("m", "one"))
            .await
            .unwrap();
        provider
            .chat(Request::from_prompt("m", "two"))
            .await
            .unwrap();
        let replay = ReplayLog::open(&path)
            .unwrap()
            .provider("offline", ProviderKind::Scripted);
        assert_eq!(
            replay
                .chat(Request::from_prompt("m", "two"))
                .await
                .unwrap()
                .text,
            "echo: two"
        );
        assert_eq!(
            replay
                .chat(Request::from_prompt("m", "one"))
                .await
                .unwrap()
                .text,
            "echo: one"
        );
    }

    #[tokio::test]
    async fn a_stream_dropped_part_way_is_recorded_with_what_was_seen() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("run.json");
        let recorder = Recorder::create(&path).unwrap();
        let provider = recorder.wrap(scripted());
        let mut stream = provider.stream(Request::from_prompt("m", "stream it"));
        assert_eq!(
            stream.next().await,
            Some(Ok(StreamEvent::TextDelta { text: "a".into() }))
        );
        drop(stream);
        let exchanges = recorder.exchanges();
        assert_eq!(exchanges.len(), 1);
        assert_eq!(
            exchanges[0].events,
            vec![StreamEvent::TextDelta { text: "a".into() }]
        );
        assert_eq!(
            (
                exchanges[0].response.is_none(),
                exchanges[0].error.is_none()
            ),
            (true, true)
        );
    }
}
