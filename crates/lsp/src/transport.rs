//! The input side of the wire: reads `Content-Length`-framed messages from the client
//! tolerantly, applies document notifications in arrival order, and forwards every message,
//! re-framed as valid UTF-8, to the JSON-RPC service.
//!
//! Why not hand the input straight to `tower-lsp-server`: its decoder stops serving on a body
//! with invalid UTF-8 or on unparsable headers, and it runs handlers concurrently, so two
//! `didChange` notifications could apply out of order. Here a body is decoded lossily (an invalid
//! byte becomes U+FFFD), garbage between messages is skipped (and answered with one JSON-RPC
//! parse error), and `didOpen`/`didChange`/`didClose`/`didSave` are applied before the next
//! message is even read, so every later request sees every earlier edit. Before applying one,
//! the transport waits until every request read before it has been answered (see [`answers`]),
//! so no earlier request sees a later edit.
//!
//! [`answers`]: crate::answers

use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::answers::ANSWER_WAIT_LIMIT;
use crate::session::{Session, is_document_notification};

/// Headers longer than this without a blank line are garbage.
const MAX_HEADER_BYTES: usize = 8 * 1024;
/// Larger bodies are refused (their bytes are then skipped as garbage).
const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;
/// How long `exit` right behind `shutdown` waits for the answer to `shutdown`.
const EXIT_WAIT_LIMIT: std::time::Duration = std::time::Duration::from_secs(2);
/// The hidden request the service receives instead of input that is not JSON (or cannot be
/// framed): the server answers it with a JSON-RPC parse error, `id: null`, as the specification
/// asks. (`tower-lsp-server` stops reading after the first message it cannot decode, so it must
/// never see one.)
pub const PARSE_ERROR_METHOD: &str = "llmspell/_parseError";
/// The hidden request the service receives instead of JSON that is not a JSON-RPC message: the
/// server answers it with an invalid-request error, with the message's `id` when it has one.
pub const INVALID_REQUEST_METHOD: &str = "llmspell/_invalidRequest";
/// The hidden request the service receives instead of a request whose method starts with `$/`:
/// the server answers it with MethodNotFound and the request's `id`.
pub const METHOD_NOT_FOUND_METHOD: &str = "llmspell/_methodNotFound";

/// Reads `input` until it ends or the client sends `exit`, writing each message to `output`.
pub async fn pump<I, O>(mut input: I, mut output: O, session: Arc<Session>)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let mut frames = FrameReader::default();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        while let Some(frame) = frames.next_frame() {
            let message = match frame {
                Frame::Message(bytes) => {
                    let body = match String::from_utf8(bytes) {
                        Ok(body) => body,
                        Err(error) => {
                            tracing::warn!("a message contains invalid UTF-8; decoding it lossily");
                            String::from_utf8_lossy(error.as_bytes()).into_owned()
                        }
                    };
                    checked_message(body)
                }
                Frame::Garbage(reason) => {
                    tracing::warn!("skipping unframed input: {reason}");
                    stand_in(PARSE_ERROR_METHOD, serde_json::Value::Null)
                }
            };
            let observed = session.observe(&message.body).await;
            if observed == Observed::Exit && session.shutdown_requested.load(Ordering::SeqCst) {
                // `exit` stops the service at once: a client that sends it right behind
                // `shutdown` (without waiting for the answer) must still get the answer.
                session
                    .requests
                    .wait_until_answered(EXIT_WAIT_LIMIT, "exit")
                    .await;
            }
            if message.is_request {
                session.requests.forwarded();
            }
            if forward(&mut output, &message.body).await.is_err() {
                return;
            }
            match observed {
                Observed::Exit => return,
                Observed::Initialize => {
                    // The client must wait for the answer to `initialize` before it sends
                    // anything else; if it does not, hold its next messages until the service
                    // has answered (it refuses every request until then).
                    session
                        .requests
                        .wait_until_answered(ANSWER_WAIT_LIMIT, "the messages after initialize")
                        .await;
                }
                Observed::Other => {}
            }
        }
        match input.read(&mut chunk).await {
            Ok(0) => return,
            Ok(read) => frames.push(&chunk[..read]),
            Err(error) => {
                tracing::error!("reading the client's messages failed: {error}");
                return;
            }
        }
    }
}

/// A message ready for the service.
struct Checked {
    body: String,
    /// Whether the service answers it: a request, not a notification or a response to the
    /// server's own request. Decided as `tower-lsp-server` decides it, on the same body.
    is_request: bool,
}

/// The body itself when the service can decode it, else a stand-in request it answers with the
/// right error.
fn checked_message(body: String) -> Checked {
    /// What `tower-lsp-server` decodes every message into.
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Message {
        Response(
            #[allow(dead_code, reason = "only whether it decodes matters")]
            tower_lsp_server::jsonrpc::Response,
        ),
        Request(tower_lsp_server::jsonrpc::Request),
    }
    if let Ok(message) = serde_json::from_str::<Message>(&body) {
        // `tower-lsp-server` never answers a request whose method starts with `$/` (it treats
        // them all as optional notifications); the specification asks for MethodNotFound.
        if body.contains("\"$/")
            && let Ok(envelope) = serde_json::from_str::<Envelope>(&body)
            && let (Some(method), Some(id)) = (envelope.method, envelope.id)
            && method.starts_with("$/")
        {
            return stand_in(METHOD_NOT_FOUND_METHOD, id);
        }
        let is_request = matches!(&message, Message::Request(request) if request.id().is_some());
        return Checked { body, is_request };
    }
    match serde_json::from_str::<serde_json::Value>(&body) {
        Err(error) => {
            tracing::warn!("a message is not JSON: {error}");
            stand_in(PARSE_ERROR_METHOD, serde_json::Value::Null)
        }
        Ok(value) => {
            tracing::warn!("a message is not a JSON-RPC request, notification or response");
            let id = match value.get("id") {
                Some(id @ serde_json::Value::String(_)) => id.clone(),
                Some(id) if id.as_i64().is_some() => id.clone(),
                _ => serde_json::Value::Null,
            };
            stand_in(INVALID_REQUEST_METHOD, id)
        }
    }
}

/// The parts of a message the transport looks at.
#[derive(serde::Deserialize)]
struct Envelope {
    method: Option<String>,
    id: Option<serde_json::Value>,
    #[serde(default)]
    params: serde_json::Value,
}

/// A request the service answers with an error (every stand-in has an `id`, `null` included).
fn stand_in(method: &str, id: serde_json::Value) -> Checked {
    Checked {
        body: serde_json::json!({ "jsonrpc": "2.0", "id": id, "method": method }).to_string(),
        is_request: true,
    }
}

async fn forward<O: AsyncWrite + Unpin>(output: &mut O, body: &str) -> std::io::Result<()> {
    output
        .write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
        .await?;
    output.write_all(body.as_bytes()).await?;
    output.flush().await
}

impl Session {
    /// Looks at one message before the service gets it: notes `initialize` and `shutdown`,
    /// applies document notifications (once every request before them is answered), and says
    /// what the transport must do next.
    async fn observe(&self, body: &str) -> Observed {
        let Ok(envelope) = serde_json::from_str::<Envelope>(body) else {
            return Observed::Other;
        };
        let Some(method) = envelope.method else {
            return Observed::Other;
        };
        match method.as_str() {
            "initialize" if envelope.id.is_some() => {
                let first = !self.initialize_seen.swap(true, Ordering::SeqCst);
                if first {
                    return Observed::Initialize;
                }
            }
            "shutdown" if envelope.id.is_some() && self.initialize_seen.load(Ordering::SeqCst) => {
                self.shutdown_requested.store(true, Ordering::SeqCst);
            }
            "exit" => return Observed::Exit,
            _ if self.initialize_seen.load(Ordering::SeqCst)
                && is_document_notification(&method) =>
            {
                // A request sent before this change is answered against the text before it.
                self.requests
                    .wait_until_answered(ANSWER_WAIT_LIMIT, "a document change")
                    .await;
                self.apply_notification(&method, envelope.params);
            }
            _ => {}
        }
        Observed::Other
    }
}

/// What a message means to the transport.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Observed {
    /// The first `initialize` request.
    Initialize,
    Exit,
    Other,
}

enum Frame {
    Message(Vec<u8>),
    Garbage(&'static str),
}

/// Splits a byte stream into message bodies.
#[derive(Default)]
struct FrameReader {
    buffer: Vec<u8>,
    /// The length of the body whose headers were read.
    body_length: Option<usize>,
}

impl FrameReader {
    fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    fn next_frame(&mut self) -> Option<Frame> {
        if let Some(length) = self.body_length {
            if self.buffer.len() < length {
                return None;
            }
            self.body_length = None;
            let rest = self.buffer.split_off(length);
            return Some(Frame::Message(std::mem::replace(&mut self.buffer, rest)));
        }
        let Some(end) = find(&self.buffer, b"\r\n\r\n") else {
            if self.buffer.len() <= MAX_HEADER_BYTES {
                return None;
            }
            // No header ends here: skip to the next thing that looks like one.
            let keep_from = find_ignore_case(&self.buffer[1..], b"content-length")
                .map_or(self.buffer.len() - b"content-length".len(), |index| {
                    index + 1
                });
            self.buffer.drain(..keep_from);
            return Some(Frame::Garbage("no header"));
        };
        let header = &self.buffer[..end];
        let length = content_length(header);
        self.buffer.drain(..end + 4);
        match length {
            Some(length) if length <= MAX_BODY_BYTES => {
                self.body_length = Some(length);
                self.next_frame()
            }
            Some(_) => Some(Frame::Garbage("the body is too large")),
            None => Some(Frame::Garbage("a header without a valid Content-Length")),
        }
    }
}

/// The value of the `Content-Length` header (the name in any case; garbage before it ignored).
fn content_length(header: &[u8]) -> Option<usize> {
    let name = b"content-length:";
    let start = find_ignore_case(header, name)? + name.len();
    let rest = &header[start..];
    let line_end = find(rest, b"\r\n").unwrap_or(rest.len());
    std::str::from_utf8(&rest[..line_end])
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<String> {
        let mut reader = FrameReader::default();
        reader.push(input);
        std::iter::from_fn(|| reader.next_frame())
            .map(|frame| match frame {
                Frame::Message(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Frame::Garbage(reason) => format!("garbage: {reason}"),
            })
            .collect()
    }

    #[test]
    fn splits_messages_and_skips_garbage() {
        let input = b"Content-Length: 2\r\n\r\n{}junk\r\n\r\ncontent-length:3\r\nContent-Type: x\r\n\r\n[1]";
        assert_eq!(
            frames(input),
            [
                "{}",
                "garbage: a header without a valid Content-Length",
                "[1]"
            ]
        );
    }

    #[test]
    fn garbage_glued_to_a_header_is_ignored() {
        assert_eq!(frames(b"xyzContent-Length: 1\r\n\r\n1"), ["1"]);
    }

    #[test]
    fn waits_for_the_rest_of_a_message() {
        let mut reader = FrameReader::default();
        reader.push(b"Content-Length: 4\r\n\r\n{}");
        assert!(reader.next_frame().is_none());
        reader.push(b"{}");
        assert!(matches!(reader.next_frame(), Some(Frame::Message(body)) if body == b"{}{}"));
    }

    #[test]
    fn endless_garbage_is_dropped_but_a_following_header_kept() {
        let mut reader = FrameReader::default();
        reader.push(&vec![b'x'; MAX_HEADER_BYTES + 10]);
        assert!(matches!(
            reader.next_frame(),
            Some(Frame::Garbage("no header"))
        ));
        assert!(reader.buffer.len() < 20, "the garbage is dropped");
        reader.push(b"Content-Length: 2\r\n\r\nok");
        assert!(matches!(reader.next_frame(), Some(Frame::Message(body)) if body == b"ok"));
    }
}
