//! The one `chat` and `stream` implementation shared by the HTTP providers (OpenAI, Anthropic,
//! Gemini, Ollama). A provider describes its wire format with [`WireFormat`] — how a request
//! becomes a POST, how a whole answer is read, which decoder reads a streamed one and how that
//! body is framed — and its `impl Provider` hands `chat`/`stream` to [`chat`] and [`stream`].
//!
//! Both check the request first ([`check_request`]), POST through the provider's [`Transport`]
//! (with its retries and timeout), and finish the answer the same way: [`finish_response`] for a
//! whole answer, a [`ResponseAssembler`] fed by [`decode_stream`] for a streamed one.

use std::sync::Arc;

use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};
use serde_json::Value as JsonValue;

use crate::assemble::{ResponseAssembler, finish_response};
use crate::error::LlmResult;
use crate::framing::Framing;
use crate::provider::EventStream;
use crate::transport::{
    StreamDecoder, Transport, WireRequest, check_request, decode_stream, failed_stream,
};
use crate::types::{Request, Response};

/// What differs between the HTTP providers: the request they send and how they read the answer.
pub(crate) trait WireFormat: Send + Sync + 'static {
    /// Reads a streamed answer frame by frame.
    type Decoder: StreamDecoder;

    /// How a streamed body is cut into frames.
    const FRAMING: Framing;

    /// The configured endpoint: client, provider name, retry policy and default timeout.
    fn transport(&self) -> &Arc<Transport>;

    /// The POST for `request`, asking for a streamed answer when `stream` is set.
    fn wire_request(&self, request: &Request, stream: bool) -> WireRequest;

    /// Reads a whole (non-streamed) answer; `requested_model` stands in when it names none.
    fn parse_response(
        provider: &str,
        requested_model: &str,
        body: &JsonValue,
    ) -> LlmResult<Response>;

    /// A fresh decoder for one streamed answer from `provider`.
    fn new_decoder(provider: &str) -> Self::Decoder;
}

/// A chat call: check, POST, read the answer, validate structured output.
pub(crate) fn chat<Format: WireFormat>(
    format: Arc<Format>,
    request: Request,
) -> BoxFuture<'static, LlmResult<Response>> {
    async move {
        let transport = format.transport();
        let timeout = check_request(transport, &request)?;
        let wire = format.wire_request(&request, false);
        let body = transport.post_json(&wire, timeout).await?;
        let response = Format::parse_response(&transport.provider, &request.model, &body)?;
        finish_response(response, request.schema.as_ref())
    }
    .boxed()
}

/// A streaming chat call: check, POST, then decode the body into events ending with `Done` or
/// one error. A request rejected before sending, or a failed POST, is a stream of that error.
pub(crate) fn stream<Format: WireFormat>(format: Arc<Format>, request: Request) -> EventStream {
    futures::stream::once(async move {
        let transport = format.transport();
        let timeout = match check_request(transport, &request) {
            Ok(timeout) => timeout,
            Err(error) => return failed_stream(error),
        };
        let wire = format.wire_request(&request, true);
        match transport.post_for_stream(&wire, timeout).await {
            Ok(response) => {
                let assembler = ResponseAssembler::new(
                    &transport.provider,
                    &request.model,
                    request.schema.clone(),
                );
                decode_stream(
                    response,
                    Format::FRAMING,
                    Format::new_decoder(&transport.provider),
                    assembler,
                    transport.clone(),
                    timeout,
                )
            }
            Err(error) => failed_stream(error),
        }
    })
    .flatten()
    .boxed()
}
