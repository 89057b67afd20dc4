//! Splits a streamed HTTP body into frames: server-sent events (OpenAI, Anthropic, Gemini) or
//! newline-delimited JSON (Ollama).
//!
//! The SSE parser follows the WHATWG event-stream rules that the providers rely on: `\n`, `\r\n`
//! or `\r` line ends, `data:` lines joined with `\n`, `event:` naming the event, `:` comments
//! ignored, an empty line dispatching the event. It is small enough to keep here rather than take
//! a dependency for it.

/// One frame of a streamed body: an SSE event (its `event:` name and joined `data:`) or one
/// NDJSON line (no name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Frame {
    pub event: Option<String>,
    pub data: String,
}

/// How a body is framed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Framing {
    ServerSentEvents,
    NewlineDelimitedJson,
}

/// Turns body bytes, as they arrive in arbitrary pieces, into complete frames.
#[derive(Debug)]
pub(crate) struct Framer {
    framing: Framing,
    lines: LineSplitter,
    event_name: Option<String>,
    data_lines: Vec<String>,
    has_data: bool,
}

impl Framer {
    pub fn new(framing: Framing) -> Framer {
        Framer {
            framing,
            lines: LineSplitter::default(),
            event_name: None,
            data_lines: Vec::new(),
            has_data: false,
        }
    }

    /// Feeds more bytes; returns the frames they completed.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Frame> {
        let lines = self.lines.push(bytes);
        let mut frames = Vec::new();
        for line in lines {
            self.take_line(line, &mut frames);
        }
        frames
    }

    /// The body ended: returns an event whose lines were complete but that had no blank line
    /// after it, or a last NDJSON line without its newline when it is whole JSON. A partial line
    /// (a body cut in the middle of it) is dropped.
    pub fn finish(&mut self) -> Vec<Frame> {
        let mut frames = Vec::new();
        let tail = self.lines.finish();
        match self.framing {
            Framing::ServerSentEvents => self.dispatch(&mut frames),
            Framing::NewlineDelimitedJson => {
                if let Some(line) =
                    tail.filter(|line| serde_json::from_str::<serde::de::IgnoredAny>(line).is_ok())
                {
                    frames.push(Frame {
                        event: None,
                        data: line,
                    });
                }
            }
        }
        frames
    }

    fn take_line(&mut self, line: String, frames: &mut Vec<Frame>) {
        match self.framing {
            Framing::NewlineDelimitedJson => {
                if !line.trim().is_empty() {
                    frames.push(Frame {
                        event: None,
                        data: line,
                    });
                }
            }
            Framing::ServerSentEvents => {
                if line.is_empty() {
                    self.dispatch(frames);
                    return;
                }
                if line.starts_with(':') {
                    return;
                }
                let (field, value) = match line.split_once(':') {
                    Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
                    None => (line.as_str(), ""),
                };
                match field {
                    "data" => {
                        self.data_lines.push(value.to_owned());
                        self.has_data = true;
                    }
                    "event" => self.event_name = Some(value.to_owned()),
                    _ => {}
                }
            }
        }
    }

    fn dispatch(&mut self, frames: &mut Vec<Frame>) {
        let event = self.event_name.take();
        if !self.has_data {
            return;
        }
        self.has_data = false;
        let data = std::mem::take(&mut self.data_lines).join("\n");
        frames.push(Frame { event, data });
    }
}

/// Splits bytes into lines on `\n`, `\r\n` or `\r`, across arbitrary chunk boundaries.
#[derive(Debug, Default)]
struct LineSplitter {
    pending: Vec<u8>,
    last_was_carriage_return: bool,
}

impl LineSplitter {
    fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        let mut lines = Vec::new();
        for &byte in bytes {
            if self.last_was_carriage_return {
                self.last_was_carriage_return = false;
                if byte == b'\n' {
                    continue;
                }
            }
            match byte {
                b'\n' => lines.push(self.take_pending()),
                b'\r' => {
                    lines.push(self.take_pending());
                    self.last_was_carriage_return = true;
                }
                other => self.pending.push(other),
            }
        }
        lines
    }

    fn finish(&mut self) -> Option<String> {
        (!self.pending.is_empty()).then(|| self.take_pending())
    }

    fn take_pending(&mut self) -> String {
        // Line ends are ASCII, so a line never splits a UTF-8 sequence.
        String::from_utf8_lossy(&std::mem::take(&mut self.pending)).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames_of(framing: Framing, pieces: &[&[u8]]) -> Vec<Frame> {
        let mut framer = Framer::new(framing);
        let mut frames = Vec::new();
        for piece in pieces {
            frames.extend(framer.push(piece));
        }
        frames.extend(framer.finish());
        frames
    }

    fn frame(event: Option<&str>, data: &str) -> Frame {
        Frame {
            event: event.map(str::to_owned),
            data: data.to_owned(),
        }
    }

    #[test]
    fn sse_events_with_names_comments_and_multi_line_data() {
        let body = b"event: ping\ndata: {}\n\n: keep-alive\n\ndata: a\ndata: b\n\nevent: done\ndata:[DONE]\n\n";
        assert_eq!(
            frames_of(Framing::ServerSentEvents, &[body]),
            vec![
                frame(Some("ping"), "{}"),
                frame(None, "a\nb"),
                frame(Some("done"), "[DONE]")
            ]
        );
    }

    #[test]
    fn sse_split_at_every_byte_and_crlf_line_ends() {
        let body = b"data: {\"x\": \"\xc3\xa9\"}\r\n\r\ndata: second\r\n\r\n";
        let pieces: Vec<&[u8]> = body.chunks(1).collect();
        assert_eq!(
            frames_of(Framing::ServerSentEvents, &pieces),
            vec![frame(None, "{\"x\": \"é\"}"), frame(None, "second")]
        );
    }

    #[test]
    fn sse_last_event_without_blank_line_is_delivered_but_a_partial_line_is_not() {
        assert_eq!(
            frames_of(Framing::ServerSentEvents, &[b"data: last\n"]),
            vec![frame(None, "last")]
        );
        assert_eq!(
            frames_of(Framing::ServerSentEvents, &[b"data: {\"cut"]),
            vec![]
        );
    }

    #[test]
    fn ndjson_lines_skip_blanks_and_keep_an_unterminated_tail() {
        assert_eq!(
            frames_of(
                Framing::NewlineDelimitedJson,
                &[b"{\"a\":1}\n\n{\"b\"", b":2}\n{\"c\":3}"]
            ),
            vec![
                frame(None, "{\"a\":1}"),
                frame(None, "{\"b\":2}"),
                frame(None, "{\"c\":3}")
            ]
        );
        assert_eq!(
            frames_of(Framing::NewlineDelimitedJson, &[b"{\"a\":1}\n{\"cu"]),
            vec![frame(None, "{\"a\":1}")]
        );
    }
}
