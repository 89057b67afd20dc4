//! Local HTTP servers that speak each provider's real wire format, for tests (feature
//! `test-server`).
//!
//! A [`TestServer`] listens on 127.0.0.1 on a random port and answers the endpoint of one
//! [`WireFormat`] (OpenAI Chat Completions, Anthropic Messages, Gemini `generateContent` /
//! `streamGenerateContent?alt=sse`, Ollama `/api/chat`) with the [`Reply`]s queued on it, in
//! order: text (streamed in the chunks given), tool calls (streamed as the vendor streams them:
//! argument fragments for OpenAI and Anthropic, whole calls for Gemini and Ollama), usage,
//! latency between events, a mid-stream error event or a cut connection, an error status (401,
//! 429 with `retry-after`, 500, 529…) with the vendor's error body, or no answer at all. It
//! records every request it receives (headers and JSON body) so tests can assert the request
//! wire format too.
//!
//! The bodies follow the vendors' published API references; see the module of each format.

mod anthropic;
mod gemini;
mod ollama;
mod openai;

pub use gemini::TEST_THOUGHT_SIGNATURE;

use std::collections::{BTreeMap, VecDeque};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value as JsonValue;

use crate::config::ProviderConfig;
use crate::provider::ProviderKind;
use crate::retry::RetryPolicy;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type ResponseBody = UnsyncBoxBody<Bytes, BoxError>;

/// The API key [`TestServer::provider_config`] configures.
pub const TEST_API_KEY: &str = "test-key-0123456789";

/// Which vendor API a server speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WireFormat {
    OpenAi,
    Anthropic,
    Gemini,
    Ollama,
}

impl WireFormat {
    pub const ALL: [WireFormat; 4] = [
        WireFormat::OpenAi,
        WireFormat::Anthropic,
        WireFormat::Gemini,
        WireFormat::Ollama,
    ];

    /// The provider kind that talks to this format.
    pub fn provider_kind(self) -> ProviderKind {
        match self {
            WireFormat::OpenAi => ProviderKind::OpenAi,
            WireFormat::Anthropic => ProviderKind::Anthropic,
            WireFormat::Gemini => ProviderKind::Gemini,
            WireFormat::Ollama => ProviderKind::Ollama,
        }
    }

    pub fn name(self) -> &'static str {
        self.provider_kind().as_str()
    }
}

/// A request the server received.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    pub method: String,
    /// The path with its query (`/v1beta/models/m:streamGenerateContent?alt=sse`).
    pub path: String,
    /// Header names in lower case.
    pub headers: BTreeMap<String, String>,
    /// The JSON body (`Null` when the body was not JSON).
    pub body: JsonValue,
    pub received_at: Instant,
}

impl RecordedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

/// What the server answers to one request.
#[derive(Clone, Debug)]
pub struct Reply {
    pub kind: ReplyKind,
    /// For a JSON answer: the wait before answering. For a stream: the wait before each event.
    pub latency: Duration,
    /// Extra response headers.
    pub headers: Vec<(String, String)>,
}

/// The kinds of reply.
#[derive(Clone, Debug)]
pub enum ReplyKind {
    /// A successful answer, as JSON or as a stream depending on the request.
    Answer(Answer),
    /// An error status with the vendor's error body for it.
    Status(u16),
    /// The request is read and never answered (for timeouts).
    Hang,
}

/// A successful answer's content.
#[derive(Clone, Debug)]
pub struct Answer {
    pub model: Option<String>,
    /// The text, in the pieces a stream sends (joined for a JSON answer).
    pub chunks: Vec<String>,
    pub tool_calls: Vec<AnswerToolCall>,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// The answer hit the token limit.
    pub truncated: bool,
    pub stream_fault: Option<StreamFault>,
}

/// A tool call in an answer.
#[derive(Clone, Debug, PartialEq)]
pub struct AnswerToolCall {
    pub name: String,
    pub arguments: JsonValue,
}

/// How a stream goes wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamFault {
    /// The connection is cut after this many events.
    CutAfter(usize),
    /// The vendor's error event is sent after this many events, and the stream ends.
    ErrorEventAfter(usize),
}

impl Reply {
    /// A text answer; a stream sends it word by word.
    pub fn text(text: &str) -> Reply {
        let mut chunks = Vec::new();
        let mut current = String::new();
        for character in text.chars() {
            current.push(character);
            if character == ' ' {
                chunks.push(std::mem::take(&mut current));
            }
        }
        if !current.is_empty() {
            chunks.push(current);
        }
        Reply::chunks(chunks)
    }

    /// A text answer streamed in exactly these pieces.
    pub fn chunks<Chunk: Into<String>>(chunks: impl IntoIterator<Item = Chunk>) -> Reply {
        Reply::answer(Answer {
            model: None,
            chunks: chunks.into_iter().map(Into::into).collect(),
            tool_calls: Vec::new(),
            input_tokens: 11,
            output_tokens: 7,
            truncated: false,
            stream_fault: None,
        })
    }

    /// An answer that only calls tools.
    pub fn tool_calls<Name: Into<String>>(
        calls: impl IntoIterator<Item = (Name, JsonValue)>,
    ) -> Reply {
        let mut reply = Reply::chunks(Vec::<String>::new());
        if let ReplyKind::Answer(answer) = &mut reply.kind {
            answer.tool_calls = calls
                .into_iter()
                .map(|(name, arguments)| AnswerToolCall {
                    name: name.into(),
                    arguments,
                })
                .collect();
        }
        reply
    }

    pub fn answer(answer: Answer) -> Reply {
        Reply {
            kind: ReplyKind::Answer(answer),
            latency: Duration::ZERO,
            headers: Vec::new(),
        }
    }

    /// An error status (401, 403, 429, 500, 503, 529, …) with the vendor's body for it.
    pub fn status(status: u16) -> Reply {
        Reply {
            kind: ReplyKind::Status(status),
            latency: Duration::ZERO,
            headers: Vec::new(),
        }
    }

    /// 429 with `retry-after` (in seconds, as the vendors send it).
    pub fn rate_limited(retry_after_seconds: &str) -> Reply {
        Reply::status(429).with_header("retry-after", retry_after_seconds)
    }

    pub fn hang() -> Reply {
        Reply {
            kind: ReplyKind::Hang,
            latency: Duration::ZERO,
            headers: Vec::new(),
        }
    }

    pub fn with_latency(mut self, latency: Duration) -> Reply {
        self.latency = latency;
        self
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn with_usage(self, input_tokens: u64, output_tokens: u64) -> Reply {
        self.map_answer(|answer| {
            answer.input_tokens = input_tokens;
            answer.output_tokens = output_tokens;
        })
    }

    pub fn with_model(self, model: &str) -> Reply {
        self.map_answer(|answer| answer.model = Some(model.to_owned()))
    }

    /// Adds a tool call after the text.
    pub fn with_tool_call(self, name: &str, arguments: JsonValue) -> Reply {
        self.map_answer(|answer| {
            answer.tool_calls.push(AnswerToolCall {
                name: name.to_owned(),
                arguments,
            })
        })
    }

    /// The answer stops at the token limit.
    pub fn truncated(self) -> Reply {
        self.map_answer(|answer| answer.truncated = true)
    }

    /// A stream cut (connection closed without ending the body) after `events` events.
    pub fn cut_after(self, events: usize) -> Reply {
        self.map_answer(|answer| answer.stream_fault = Some(StreamFault::CutAfter(events)))
    }

    /// A stream that sends the vendor's error event after `events` events.
    pub fn error_event_after(self, events: usize) -> Reply {
        self.map_answer(|answer| answer.stream_fault = Some(StreamFault::ErrorEventAfter(events)))
    }

    fn map_answer(mut self, change: impl FnOnce(&mut Answer)) -> Reply {
        if let ReplyKind::Answer(answer) = &mut self.kind {
            change(answer);
        }
        self
    }
}

impl Answer {
    pub fn text(&self) -> String {
        self.chunks.concat()
    }

    pub(crate) fn model_or<'a>(&'a self, requested: &'a str) -> &'a str {
        self.model.as_deref().unwrap_or(requested)
    }
}

/// A running server. Dropping it stops accepting connections.
#[derive(Debug)]
pub struct TestServer {
    wire: WireFormat,
    address: SocketAddr,
    shared: Arc<Shared>,
    accept_loop: tokio::task::JoinHandle<()>,
}

#[derive(Debug, Default)]
struct Shared {
    replies: Mutex<VecDeque<Reply>>,
    fallback: Mutex<Option<Reply>>,
    required_api_key: Mutex<Option<String>>,
    requests: Mutex<Vec<RecordedRequest>>,
    abandoned_streams: AtomicUsize,
    requests_in_flight: AtomicUsize,
    peak_requests_in_flight: AtomicUsize,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}

impl TestServer {
    /// Starts a server on 127.0.0.1 with a random port (inside a tokio runtime).
    pub async fn start(wire: WireFormat) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let address = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared::default());
        let accept_shared = shared.clone();
        let accept_loop = tokio::spawn(async move {
            loop {
                let Ok((connection, _)) = listener.accept().await else {
                    continue;
                };
                let shared = accept_shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| handle(shared.clone(), wire, request));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(connection), service)
                        .await;
                });
            }
        });
        TestServer {
            wire,
            address,
            shared,
            accept_loop,
        }
    }

    pub fn wire(&self) -> WireFormat {
        self.wire
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The base URL as a provider configuration takes it (OpenAI with `/v1`, others bare).
    pub fn base_url(&self) -> String {
        match self.wire {
            WireFormat::OpenAi => format!("http://{}/v1", self.address),
            _ => format!("http://{}", self.address),
        }
    }

    /// A provider configuration pointing here, with [`TEST_API_KEY`], quick retries (3 attempts,
    /// 10–50 ms apart) and a 5 s timeout.
    pub fn provider_config(&self, name: &str) -> ProviderConfig {
        ProviderConfig::new(name, self.wire.provider_kind())
            .with_base_url(self.base_url())
            .with_api_key(TEST_API_KEY)
            .with_retry(RetryPolicy {
                max_attempts: 3,
                initial_backoff: Duration::from_millis(10),
                max_backoff: Duration::from_millis(50),
                max_retry_after: Duration::from_secs(5),
            })
            .with_timeout(Duration::from_secs(5))
    }

    /// Queues a reply (replies are used in order, one per request).
    pub fn push(&self, reply: Reply) -> &TestServer {
        lock(&self.shared.replies).push_back(reply);
        self
    }

    /// The reply for every request once the queue is empty (without one: a 500 saying so).
    pub fn set_fallback(&self, reply: Reply) {
        *lock(&self.shared.fallback) = Some(reply);
    }

    /// Requests without this key get the vendor's authentication error.
    pub fn require_api_key(&self, key: &str) {
        *lock(&self.shared.required_api_key) = Some(key.to_owned());
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// The most requests that were being answered at the same time (a JSON answer counts until
    /// it is sent, a stream until its headers are): proof of concurrency that does not depend on
    /// how fast the machine is.
    pub fn peak_concurrent_requests(&self) -> usize {
        self.shared.peak_requests_in_flight.load(Ordering::SeqCst)
    }

    /// Streams whose client went away before the last event (a cancelled call).
    pub fn abandoned_streams(&self) -> usize {
        self.shared.abandoned_streams.load(Ordering::SeqCst)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn handle(
    shared: Arc<Shared>,
    wire: WireFormat,
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<ResponseBody>, Infallible> {
    let _in_flight = InFlight::enter(&shared);
    let (parts, body) = request.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .unwrap_or_default();
    let recorded = RecordedRequest {
        method: parts.method.to_string(),
        path: parts
            .uri
            .path_and_query()
            .map(|path| path.to_string())
            .unwrap_or_default(),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: serde_json::from_slice(&bytes).unwrap_or(JsonValue::Null),
        received_at: Instant::now(),
    };
    lock(&shared.requests).push(recorded.clone());

    if wire == WireFormat::Ollama && recorded.method == "GET" && recorded.path == "/api/version" {
        return Ok(json_response(
            200,
            &[],
            &serde_json::json!({"version": "0.12.3"}),
        ));
    }
    let Some(route) = route(wire, &recorded) else {
        let message = format!(
            "test server ({}): no route for {} {}",
            wire.name(),
            recorded.method,
            recorded.path
        );
        return Ok(json_response(
            404,
            &[],
            &serde_json::json!({"error": {"message": message}}),
        ));
    };
    if let Some(rejection) = check_headers(wire, &shared, &recorded) {
        return Ok(rejection);
    }

    let reply = lock(&shared.replies)
        .pop_front()
        .or_else(|| lock(&shared.fallback).clone());
    let Some(reply) = reply else {
        let message = format!(
            "test server ({}): no reply queued for this request",
            wire.name()
        );
        return Ok(json_response(
            500,
            &[],
            &serde_json::json!({"error": {"message": message}}),
        ));
    };
    let headers: Vec<(String, String)> = reply.headers.clone();
    match reply.kind {
        ReplyKind::Hang => {
            futures::future::pending::<()>().await;
            unreachable!("a pending future never completes")
        }
        ReplyKind::Status(status) => {
            tokio::time::sleep(reply.latency).await;
            Ok(json_response(status, &headers, &error_body(wire, status)))
        }
        ReplyKind::Answer(answer) => {
            if route.stream {
                let (content_type, frames, error_frame) = stream_frames(wire, &answer, &recorded);
                Ok(stream_response(
                    shared,
                    content_type,
                    &headers,
                    frames,
                    error_frame,
                    answer.stream_fault,
                    reply.latency,
                ))
            } else {
                tokio::time::sleep(reply.latency).await;
                Ok(json_response(
                    200,
                    &headers,
                    &json_answer(wire, &answer, &recorded),
                ))
            }
        }
    }
}

/// What a request asked for, by path (and body for OpenAI, Anthropic, Ollama).
struct Route {
    stream: bool,
}

fn route(wire: WireFormat, request: &RecordedRequest) -> Option<Route> {
    if request.method != "POST" {
        return None;
    }
    let stream_flag = request.body.get("stream").and_then(JsonValue::as_bool);
    match wire {
        WireFormat::OpenAi => (request.path == "/v1/chat/completions").then(|| Route {
            stream: stream_flag == Some(true),
        }),
        WireFormat::Anthropic => (request.path == "/v1/messages").then(|| Route {
            stream: stream_flag == Some(true),
        }),
        WireFormat::Ollama => (request.path == "/api/chat").then(|| Route {
            stream: stream_flag != Some(false),
        }),
        WireFormat::Gemini => {
            let rest = request.path.strip_prefix("/v1beta/models/")?;
            if rest.ends_with(":generateContent") {
                Some(Route { stream: false })
            } else if rest.ends_with(":streamGenerateContent?alt=sse") {
                Some(Route { stream: true })
            } else {
                None
            }
        }
    }
}

/// Required headers and the API key, answered as the vendor does.
fn check_headers(
    wire: WireFormat,
    shared: &Shared,
    request: &RecordedRequest,
) -> Option<hyper::Response<ResponseBody>> {
    if wire == WireFormat::Anthropic && request.header("anthropic-version").is_none() {
        let body = serde_json::json!({"type": "error", "error": {"type": "invalid_request_error", "message": "anthropic-version: header is required"}});
        return Some(json_response(400, &[], &body));
    }
    let required = lock(&shared.required_api_key).clone()?;
    let given = match wire {
        WireFormat::OpenAi | WireFormat::Ollama => request
            .header("authorization")
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::to_owned),
        WireFormat::Anthropic => request.header("x-api-key").map(str::to_owned),
        WireFormat::Gemini => request.header("x-goog-api-key").map(str::to_owned),
    };
    if given.as_deref() == Some(required.as_str()) {
        return None;
    }
    let (status, body) = match wire {
        WireFormat::OpenAi => openai::auth_error(given.as_deref()),
        WireFormat::Anthropic => anthropic::auth_error(),
        WireFormat::Gemini => gemini::auth_error(given.is_some()),
        WireFormat::Ollama => ollama::auth_error(),
    };
    Some(json_response(status, &[], &body))
}

fn error_body(wire: WireFormat, status: u16) -> JsonValue {
    match wire {
        WireFormat::OpenAi => openai::error_body(status),
        WireFormat::Anthropic => anthropic::error_body(status),
        WireFormat::Gemini => gemini::error_body(status),
        WireFormat::Ollama => ollama::error_body(status),
    }
}

fn json_answer(wire: WireFormat, answer: &Answer, request: &RecordedRequest) -> JsonValue {
    match wire {
        WireFormat::OpenAi => openai::json_answer(answer, request),
        WireFormat::Anthropic => anthropic::json_answer(answer, request),
        WireFormat::Gemini => gemini::json_answer(answer, request),
        WireFormat::Ollama => ollama::json_answer(answer, request),
    }
}

/// The content type, the events of a streamed answer, and the vendor's mid-stream error event.
fn stream_frames(
    wire: WireFormat,
    answer: &Answer,
    request: &RecordedRequest,
) -> (&'static str, Vec<String>, String) {
    match wire {
        WireFormat::OpenAi => (
            "text/event-stream",
            openai::stream_frames(answer, request),
            openai::error_frame(),
        ),
        WireFormat::Anthropic => (
            "text/event-stream",
            anthropic::stream_frames(answer, request),
            anthropic::error_frame(),
        ),
        WireFormat::Gemini => (
            "text/event-stream",
            gemini::stream_frames(answer, request),
            gemini::error_frame(),
        ),
        WireFormat::Ollama => (
            "application/x-ndjson",
            ollama::stream_frames(answer, request),
            ollama::error_frame(),
        ),
    }
}

fn json_response(
    status: u16,
    headers: &[(String, String)],
    body: &JsonValue,
) -> hyper::Response<ResponseBody> {
    let mut builder = hyper::Response::builder()
        .status(status)
        .header("content-type", "application/json");
    for (name, value) in headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let body = Full::new(Bytes::from(body.to_string()))
        .map_err(|never: Infallible| match never {})
        .boxed_unsync();
    builder.body(body).expect("a valid response")
}

/// Counts a request as being answered while it lives.
struct InFlight {
    shared: Arc<Shared>,
}

impl InFlight {
    fn enter(shared: &Arc<Shared>) -> InFlight {
        let now = shared.requests_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared
            .peak_requests_in_flight
            .fetch_max(now, Ordering::SeqCst);
        InFlight {
            shared: shared.clone(),
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.shared
            .requests_in_flight
            .fetch_sub(1, Ordering::SeqCst);
    }
}

/// Counts a stream as abandoned when its body is dropped before the last event was sent.
struct AbandonGuard {
    shared: Arc<Shared>,
    finished: bool,
}

impl AbandonGuard {
    fn mark_finished(&mut self) {
        self.finished = true;
    }
}

impl Drop for AbandonGuard {
    fn drop(&mut self) {
        if !self.finished {
            self.shared.abandoned_streams.fetch_add(1, Ordering::SeqCst);
        }
    }
}

fn stream_response(
    shared: Arc<Shared>,
    content_type: &str,
    headers: &[(String, String)],
    frames: Vec<String>,
    error_frame: String,
    fault: Option<StreamFault>,
    latency: Duration,
) -> hyper::Response<ResponseBody> {
    enum Step {
        Send(String),
        Cut,
    }
    let mut steps: Vec<Step> = Vec::new();
    match fault {
        None => steps.extend(frames.into_iter().map(Step::Send)),
        Some(StreamFault::CutAfter(count)) => {
            steps.extend(frames.into_iter().take(count).map(Step::Send));
            steps.push(Step::Cut);
        }
        Some(StreamFault::ErrorEventAfter(count)) => {
            steps.extend(frames.into_iter().take(count).map(Step::Send));
            steps.push(Step::Send(error_frame));
        }
    }
    let guard = AbandonGuard {
        shared,
        finished: false,
    };
    let body_stream = futures::stream::unfold(
        (steps.into_iter(), guard),
        move |(mut steps, mut guard)| async move {
            let Some(step) = steps.next() else {
                guard.mark_finished();
                return None;
            };
            tokio::time::sleep(latency).await;
            match step {
                Step::Send(text) => Some((Ok(Frame::data(Bytes::from(text))), (steps, guard))),
                Step::Cut => {
                    guard.mark_finished();
                    let error: BoxError = "test server: connection cut mid-stream".into();
                    Some((Err(error), (steps, guard)))
                }
            }
        },
    );
    let mut builder = hyper::Response::builder()
        .status(200)
        .header("content-type", content_type)
        .header("cache-control", "no-cache");
    for (name, value) in headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder
        .body(StreamBody::new(body_stream.boxed()).boxed_unsync())
        .expect("a valid response")
}

/// Splits text into pieces of at most `size` characters (how vendors fragment tool arguments).
pub(crate) fn fragments(text: &str, size: usize) -> Vec<String> {
    let characters: Vec<char> = text.chars().collect();
    characters
        .chunks(size.max(1))
        .map(|piece| piece.iter().collect())
        .collect()
}

/// An SSE event with an optional name, terminated by a blank line.
pub(crate) fn sse_event(name: Option<&str>, data: &JsonValue) -> String {
    match name {
        Some(name) => format!("event: {name}\ndata: {data}\n\n"),
        None => format!("data: {data}\n\n"),
    }
}
