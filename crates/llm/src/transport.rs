//! HTTP plumbing shared by the vendor clients: the `reqwest` client (rustls with ring), POSTing
//! JSON with retries and a per-request timeout, mapping failures to stable codes, and turning a
//! streamed body into [`StreamEvent`]s through a vendor-specific decoder.

use std::collections::VecDeque;
use std::sync::{Arc, Once};
use std::time::Duration;

use futures::StreamExt;
use futures::stream::BoxStream;
use serde_json::Value as JsonValue;

use crate::assemble::ResponseAssembler;
use crate::error::{ErrorCode, LlmError, LlmResult};
use crate::framing::{Frame, Framer, Framing};
use crate::provider::EventStream;
use crate::retry::{RetryPolicy, retry_after_from_headers};
use crate::structured::excerpt;
use crate::types::StreamEvent;

/// One configured HTTP endpoint: its client, name, retry policy and default timeout.
#[derive(Debug)]
pub(crate) struct Transport {
    client: reqwest::Client,
    pub provider: String,
    pub retry: RetryPolicy,
    pub timeout: Duration,
    /// Whether a key was configured (only to explain an auth failure better).
    pub has_api_key: bool,
    /// Vendor-specific reading of error bodies (e.g. Gemini's `API_KEY_INVALID` on a 400).
    classify: fn(u16, &JsonValue) -> Option<ErrorCode>,
}

/// A POST to make: URL, headers (besides content type) and JSON body.
#[derive(Clone, Debug)]
pub(crate) struct WireRequest {
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: JsonValue,
}

/// A failed attempt and the wait the server asked for.
struct Failure {
    error: LlmError,
    retry_after: Option<Duration>,
}

impl From<LlmError> for Failure {
    fn from(error: LlmError) -> Failure {
        Failure {
            error,
            retry_after: None,
        }
    }
}

impl Transport {
    pub fn new(
        provider: &str,
        retry: RetryPolicy,
        timeout: Duration,
        has_api_key: bool,
        classify: fn(u16, &JsonValue) -> Option<ErrorCode>,
    ) -> LlmResult<Transport> {
        Ok(Transport {
            client: http_client(provider)?,
            provider: provider.to_owned(),
            retry,
            timeout,
            has_api_key,
            classify,
        })
    }

    /// POSTs and returns the JSON answer, retrying as the policy allows. The timeout covers each
    /// whole attempt (connecting, waiting, reading the body).
    pub async fn post_json(
        &self,
        request: &WireRequest,
        timeout: Duration,
    ) -> LlmResult<JsonValue> {
        self.with_retries(|| async {
            let attempt = async {
                let response = self.send(request).await?;
                let bytes = response
                    .bytes()
                    .await
                    .map_err(|error| self.transport_error(&request.url, error))?;
                serde_json::from_slice::<JsonValue>(&bytes).map_err(|error| {
                    Failure::from(LlmError::new(
                        ErrorCode::InvalidResponse,
                        &self.provider,
                        format!(
                            "the answer is not JSON ({error}): {}",
                            excerpt(&String::from_utf8_lossy(&bytes))
                        ),
                    ))
                })
            };
            match tokio::time::timeout(timeout, attempt).await {
                Ok(result) => result,
                Err(_) => Err(Failure::from(self.timeout_error(timeout))),
            }
        })
        .await
    }

    /// POSTs and returns the response once its status is known to be a success, retrying as the
    /// policy allows. The timeout covers getting the status; the body is the caller's.
    pub async fn post_for_stream(
        &self,
        request: &WireRequest,
        timeout: Duration,
    ) -> LlmResult<reqwest::Response> {
        self.with_retries(|| async {
            match tokio::time::timeout(timeout, self.send(request)).await {
                Ok(result) => result,
                Err(_) => Err(Failure::from(self.timeout_error(timeout))),
            }
        })
        .await
    }

    async fn with_retries<T, Attempt, AttemptFuture>(&self, mut attempt: Attempt) -> LlmResult<T>
    where
        Attempt: FnMut() -> AttemptFuture,
        AttemptFuture: Future<Output = Result<T, Failure>>,
    {
        let mut retry = 0;
        loop {
            match attempt().await {
                Ok(value) => return Ok(value),
                Err(Failure { error, retry_after }) => {
                    let wait = self.retry.wait_before_retry(retry, error, retry_after)?;
                    tracing::debug!(provider = %self.provider, retry, ?wait, "retrying a failed request");
                    tokio::time::sleep(wait).await;
                    retry += 1;
                }
            }
        }
    }

    /// Sends once; a non-success status becomes a classified failure.
    async fn send(&self, request: &WireRequest) -> Result<reqwest::Response, Failure> {
        let body = serde_json::to_vec(&request.body).unwrap_or_default();
        let mut builder = self
            .client
            .post(&request.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        let response = builder
            .send()
            .await
            .map_err(|error| self.transport_error(&request.url, error))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let retry_after = retry_after_from_headers(response.headers());
        let body = response.text().await.unwrap_or_default();
        Err(Failure {
            error: self.status_error(status, &body),
            retry_after,
        })
    }

    /// Maps an HTTP error status and its body to an error with a stable code.
    pub fn status_error(&self, status: reqwest::StatusCode, body: &str) -> LlmError {
        let json: JsonValue = serde_json::from_str(body).unwrap_or(JsonValue::Null);
        let code = (self.classify)(status.as_u16(), &json).unwrap_or(match status.as_u16() {
            401 | 403 => ErrorCode::ProviderAuth,
            429 => ErrorCode::ProviderRateLimit,
            _ => ErrorCode::ProviderHttp,
        });
        let mut message = error_message_from_body(&json).unwrap_or_else(|| {
            if body.trim().is_empty() {
                String::new()
            } else {
                excerpt(body.trim())
            }
        });
        if message.is_empty() {
            message = status
                .canonical_reason()
                .unwrap_or("request failed")
                .to_owned();
        }
        if code == ErrorCode::ProviderAuth && !self.has_api_key {
            message.push_str(
                " (no API key is configured for this provider: set its api_key_env variable)",
            );
        }
        LlmError::new(code, &self.provider, message).with_status(status.as_u16())
    }

    fn transport_error(&self, url: &str, error: reqwest::Error) -> Failure {
        let message = if error.is_connect() {
            format!("cannot connect to {url}: {}", error_chain(&error))
        } else {
            format!("request to {url} failed: {}", error_chain(&error))
        };
        Failure::from(LlmError::new(
            ErrorCode::ProviderHttp,
            &self.provider,
            message,
        ))
    }

    pub fn timeout_error(&self, timeout: Duration) -> LlmError {
        LlmError::new(
            ErrorCode::ProviderTimeout,
            &self.provider,
            format!("no answer within {} ms", timeout.as_millis()),
        )
    }
}

/// The message of a vendor error body: `{"error": {"message": …}}` (OpenAI, Anthropic, Gemini),
/// `{"error": "…"}` (Ollama) or `{"message": …}`.
pub(crate) fn error_message_from_body(json: &JsonValue) -> Option<String> {
    let error = json.get("error").unwrap_or(json);
    error
        .get("message")
        .and_then(JsonValue::as_str)
        .or_else(|| error.as_str())
        .filter(|message| !message.is_empty())
        .map(str::to_owned)
}

fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Builds the HTTP client: rustls with the ring provider (installed once for the process when no
/// other provider was installed first), the platform's certificate roots, proxies from the
/// environment. Timeouts are applied per request by the caller.
pub(crate) fn http_client(provider: &str) -> LlmResult<reqwest::Client> {
    static INSTALL_CRYPTO_PROVIDER: Once = Once::new();
    INSTALL_CRYPTO_PROVIDER.call_once(|| {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Losing a race with another installer is fine: any provider will do.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
    });
    reqwest::Client::builder()
        .user_agent(concat!("llmspell/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(30))
        .build()
        .map_err(|error| {
            LlmError::new(
                ErrorCode::ProviderConfig,
                provider,
                format!("cannot build the HTTP client: {error}"),
            )
        })
}

/// Reads one streamed answer: frames from the body, a vendor decoder turning each into events.
pub(crate) trait StreamDecoder: Send + 'static {
    /// Decodes one frame, pushing the events it carries. An `Err` ends the stream (an error
    /// event from the provider, or a frame that cannot be understood).
    fn decode(
        &mut self,
        frame: Frame,
        events: &mut Vec<StreamEvent>,
        assembler: &mut ResponseAssembler,
    ) -> LlmResult<()>;

    /// Whether the provider's end marker was seen (`[DONE]`, `message_stop`, `done: true`): the
    /// answer is complete and nothing more is read.
    fn saw_end_marker(&self) -> bool;

    /// Whether the end of the body is a normal end (the end marker, or for providers without one
    /// a finish reason, was seen) rather than a cut.
    fn is_complete(&self) -> bool {
        self.saw_end_marker()
    }
}

/// Turns a successful streaming response into our events, ending with `Done` or one error.
/// `idle_timeout` bounds the wait for each piece of the body.
pub(crate) fn decode_stream(
    response: reqwest::Response,
    framing: Framing,
    decoder: impl StreamDecoder,
    assembler: ResponseAssembler,
    transport: Arc<Transport>,
    idle_timeout: Duration,
) -> EventStream {
    struct State<Decoder> {
        body: BoxStream<'static, reqwest::Result<bytes::Bytes>>,
        framer: Framer,
        decoder: Decoder,
        assembler: Option<ResponseAssembler>,
        pending: VecDeque<LlmResult<StreamEvent>>,
        finished: bool,
        transport: Arc<Transport>,
        idle_timeout: Duration,
    }

    impl<Decoder: StreamDecoder> State<Decoder> {
        fn take_frames(&mut self, frames: Vec<Frame>) {
            for frame in frames {
                if self.finished {
                    return;
                }
                let Some(assembler) = self.assembler.as_mut() else {
                    return;
                };
                let mut events = Vec::new();
                let outcome = self.decoder.decode(frame, &mut events, assembler);
                for event in events {
                    assembler.observe(&event);
                    self.pending.push_back(Ok(event));
                }
                if let Err(error) = outcome {
                    self.fail(error);
                }
            }
        }

        fn fail(&mut self, error: LlmError) {
            self.pending.push_back(Err(error));
            self.finished = true;
            self.assembler = None;
        }

        fn complete(&mut self) {
            self.finished = true;
            if let Some(assembler) = self.assembler.take() {
                match assembler.finish() {
                    Ok(response) => self.pending.push_back(Ok(StreamEvent::Done { response })),
                    Err(error) => self.pending.push_back(Err(error)),
                }
            }
        }
    }

    let state = State {
        body: response.bytes_stream().boxed(),
        framer: Framer::new(framing),
        decoder,
        assembler: Some(assembler),
        pending: VecDeque::new(),
        finished: false,
        transport,
        idle_timeout,
    };

    futures::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.pending.pop_front() {
                return Some((item, state));
            }
            if state.finished {
                return None;
            }
            match tokio::time::timeout(state.idle_timeout, state.body.next()).await {
                Err(_) => {
                    let error = LlmError::new(
                        ErrorCode::ProviderTimeout,
                        &state.transport.provider,
                        format!(
                            "the stream sent nothing for {} ms",
                            state.idle_timeout.as_millis()
                        ),
                    );
                    state.fail(error);
                }
                Ok(Some(Ok(bytes))) => {
                    let frames = state.framer.push(&bytes);
                    state.take_frames(frames);
                    if !state.finished && state.decoder.saw_end_marker() {
                        // Some servers keep the connection open after the end marker.
                        state.complete();
                    }
                }
                Ok(Some(Err(error))) => {
                    let error = LlmError::new(
                        ErrorCode::ProviderHttp,
                        &state.transport.provider,
                        format!("the stream broke off: {}", error_chain(&error)),
                    );
                    state.fail(error);
                }
                Ok(None) => {
                    let frames = state.framer.finish();
                    state.take_frames(frames);
                    if state.finished {
                        continue;
                    }
                    if state.decoder.is_complete() {
                        state.complete();
                    } else {
                        let error = LlmError::new(
                            ErrorCode::ProviderHttp,
                            &state.transport.provider,
                            "the stream ended before the answer was complete",
                        );
                        state.fail(error);
                    }
                }
            }
        }
    })
    .boxed()
}

/// Checks what can be checked before sending: the output schema compiles, tool results answer
/// a call. Returns the timeout to use.
pub(crate) fn check_request(
    transport: &Transport,
    request: &crate::types::Request,
) -> LlmResult<Duration> {
    if let Some(schema) = &request.schema {
        crate::structured::check_schema(&transport.provider, schema)?;
    }
    for message in &request.messages {
        if message.role == crate::types::Role::Tool
            && message.tool_call_id.is_none()
            && message.name.is_none()
        {
            return Err(LlmError::new(
                ErrorCode::InvalidRequest,
                &transport.provider,
                "a tool result message needs the tool_call_id of the call it answers",
            ));
        }
    }
    Ok(request.timeout.unwrap_or(transport.timeout))
}

/// A stream that fails at once (a request rejected before sending, a failed connection).
pub(crate) fn failed_stream(error: LlmError) -> EventStream {
    futures::stream::once(async move { Err(error) }).boxed()
}

/// Joins a base URL and a path with exactly one `/`.
pub(crate) fn join_url(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

/// Joins a bare-host base URL and a versioned path, tolerating a base that already ends in the
/// version segment (`https://api.anthropic.com/v1` + `v1/messages`).
pub(crate) fn join_versioned_url(base: &str, version: &str, rest: &str) -> String {
    let base = base.trim_end_matches('/');
    if base.ends_with(&format!("/{version}")) {
        join_url(base, rest)
    } else {
        join_url(&join_url(base, version), rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_join_with_one_slash_and_one_version() {
        assert_eq!(
            join_url("http://h/v1/", "/chat/completions"),
            "http://h/v1/chat/completions"
        );
        assert_eq!(
            join_versioned_url("http://h", "v1", "messages"),
            "http://h/v1/messages"
        );
        assert_eq!(
            join_versioned_url("http://h/v1/", "v1", "messages"),
            "http://h/v1/messages"
        );
    }

    #[test]
    fn error_messages_come_from_every_vendor_shape() {
        let openai = serde_json::json!({"error": {"message": "Incorrect API key", "type": "invalid_request_error"}});
        assert_eq!(
            error_message_from_body(&openai).as_deref(),
            Some("Incorrect API key")
        );
        let ollama = serde_json::json!({"error": "model not found"});
        assert_eq!(
            error_message_from_body(&ollama).as_deref(),
            Some("model not found")
        );
        assert_eq!(error_message_from_body(&serde_json::json!({"x": 1})), None);
    }
}
