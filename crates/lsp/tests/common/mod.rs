//! A test client that drives the server in-process through a pipe with real JSON-RPC framing,
//! in a temporary spell workspace (a folder with `llmspell.toml`).

#![allow(dead_code, reason = "each test file uses a different subset")]

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use llmspell_ide::{LineIndex, ModelInfo, Position, ProjectConfig, Range};
use llmspell_lsp::{ConfigError, ServeOutcome, ServerOptions};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// How long a test waits for any one message before it fails.
pub const TIMEOUT: Duration = Duration::from_secs(30);

pub struct TestClient {
    to_server: Option<DuplexStream>,
    from_server: mpsc::UnboundedReceiver<Value>,
    /// Messages read while waiting for something else.
    backlog: VecDeque<Value>,
    next_id: i64,
    server: Option<JoinHandle<ServeOutcome>>,
    pub workspace: tempfile::TempDir,
    /// Whether requests from the server (such as `client/registerCapability`) get answered while
    /// the test waits for something else. On unless a test turns it off.
    pub answer_server_requests: bool,
}

/// The server options of the tests: the real host API, a configuration loader that understands
/// `models = "provider/a provider/b"` lines and fails on a line `bogus` (with its line number),
/// and fault injection on.
pub fn options() -> ServerOptions {
    ServerOptions {
        manifest: llmspell_host::manifest_registry().manifest(),
        load_config: Arc::new(load_test_config),
        fault_injection: true,
    }
}

fn load_test_config(path: &Path, text: Option<&str>) -> Result<ProjectConfig, ConfigError> {
    let text = match text {
        Some(text) => text.to_owned(),
        None => std::fs::read_to_string(path).unwrap_or_default(),
    };
    let mut config = ProjectConfig::default();
    for (index, line) in text.lines().enumerate() {
        if line.trim() == "bogus" {
            return Err(ConfigError {
                message: "unknown key `bogus`".to_owned(),
                line: Some(index as u32 + 1),
                column: Some(1),
            });
        }
        if let Some(models) = line.strip_prefix("models = ") {
            for id in models.trim_matches('"').split_whitespace() {
                let (provider, _) = id.split_once('/').unwrap_or((id, ""));
                config.models.push(ModelInfo {
                    id: id.to_owned(),
                    provider: provider.to_owned(),
                    kind: "scripted".to_owned(),
                });
            }
        }
    }
    Ok(config)
}

impl TestClient {
    /// A server on a fresh workspace, not yet initialized.
    pub fn start_uninitialized() -> TestClient {
        let workspace = tempfile::tempdir().unwrap();
        std::fs::write(
            workspace.path().join("llmspell.toml"),
            "models = \"offline/echo\"\n",
        )
        .unwrap();
        let (client_end, server_end) = tokio::io::duplex(1 << 16);
        let (server_read, server_write) = tokio::io::split(server_end);
        let server = tokio::spawn(llmspell_lsp::serve(server_read, server_write, options()));
        let (to_server, from_server_stream) = split_duplex(client_end);
        let (sender, receiver) = mpsc::unbounded_channel();
        tokio::spawn(read_messages(from_server_stream, sender));
        TestClient {
            to_server: Some(to_server),
            from_server: receiver,
            backlog: VecDeque::new(),
            next_id: 1,
            server: Some(server),
            workspace,
            answer_server_requests: true,
        }
    }

    /// A server on a fresh workspace, initialized with `capabilities`.
    pub async fn start_with(capabilities: Value) -> TestClient {
        let mut client = TestClient::start_uninitialized();
        let root = client.uri("");
        let response = client
            .request(
                "initialize",
                json!({ "capabilities": capabilities, "rootUri": root }),
            )
            .await;
        assert!(
            response.get("result").is_some(),
            "initialize failed: {response}"
        );
        client.notify("initialized", json!({})).await;
        client
    }

    pub async fn start() -> TestClient {
        TestClient::start_with(json!({
            "textDocument": { "completion": { "completionItem": { "snippetSupport": true } } }
        }))
        .await
    }

    /// The `file://` URI of a path inside the workspace.
    pub fn uri(&self, relative: &str) -> String {
        let path = self.path(relative);
        format!("file://{}", path.display())
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        let root = self.workspace.path().canonicalize().unwrap();
        if relative.is_empty() {
            root
        } else {
            root.join(relative)
        }
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) {
        let writer = self.to_server.as_mut().expect("the input is still open");
        writer.write_all(bytes).await.unwrap();
        writer.flush().await.unwrap();
    }

    pub async fn send(&mut self, message: &Value) {
        self.send_raw(&frame(message)).await;
    }

    /// Sends several messages in one write, so the server reads them together.
    pub async fn send_together(&mut self, messages: &[Value]) {
        let bytes: Vec<u8> = messages.iter().flat_map(frame).collect();
        self.send_raw(&bytes).await;
    }

    /// A request with a fresh id, not sent yet (see [`TestClient::send_together`]); returns its
    /// id and the message.
    pub fn request_message(&mut self, method: &str, params: Value) -> (i64, Value) {
        let id = self.next_id;
        self.next_id += 1;
        let message = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        (id, message)
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }))
            .await;
    }

    /// Sends a request without waiting; returns its id.
    pub async fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
            .await;
        id
    }

    /// Sends a request and returns the whole response (`result` or `error`).
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params).await;
        self.response(id).await
    }

    /// A request's `result`; fails the test on an error response.
    pub async fn result(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params).await;
        match response.get("result") {
            Some(result) => result.clone(),
            None => panic!("{method} failed: {response}"),
        }
    }

    /// Waits for the response with this id; answers requests from the server on the way.
    pub async fn response(&mut self, id: i64) -> Value {
        self.wait_for(|message| {
            message.get("id") == Some(&json!(id)) && message.get("method").is_none()
        })
        .await
    }

    /// Waits for the next message matching `predicate`, keeping the others for later.
    pub async fn wait_for(&mut self, predicate: impl Fn(&Value) -> bool) -> Value {
        if let Some(index) = self.backlog.iter().position(&predicate) {
            return self.backlog.remove(index).unwrap();
        }
        loop {
            let message = tokio::time::timeout(TIMEOUT, self.from_server.recv())
                .await
                .expect("timed out waiting for the server")
                .expect("the server closed its output");
            // A request from the server (e.g. client/registerCapability): answer it.
            if message.get("method").is_some()
                && message.get("id").is_some()
                && self.answer_server_requests
            {
                let id = message["id"].clone();
                self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": null }))
                    .await;
                continue;
            }
            if predicate(&message) {
                return message;
            }
            self.backlog.push_back(message);
        }
    }

    /// The next `publishDiagnostics` for `uri` (with at least `version`, when given).
    pub async fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let uri = uri.to_owned();
        let message = self
            .wait_for(move |message| {
                message["method"] == "textDocument/publishDiagnostics"
                    && message["params"]["uri"] == uri.as_str()
                    && version.is_none_or(|version| {
                        message["params"]["version"]
                            .as_i64()
                            .is_some_and(|got| got >= version)
                    })
            })
            .await;
        message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Opens a document (writing it to disk too) and returns its URI.
    pub async fn open(&mut self, relative: &str, text: &str) -> String {
        let path = self.path(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, text).unwrap();
        let uri = self.uri(relative);
        let language = match relative.rsplit('.').next() {
            Some("lua") => "lua",
            Some("js" | "mjs") => "javascript",
            Some("rhai") => "rhai",
            Some("toml") => "toml",
            _ => "plaintext",
        };
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": language, "version": 1, "text": text } }),
        )
        .await;
        uri
    }

    /// The server's copy of a document (`llmspell/documentText`).
    pub async fn server_text(&mut self, uri: &str) -> (String, i64) {
        let result = self
            .result("llmspell/documentText", json!({ "uri": uri }))
            .await;
        (
            result["text"].as_str().unwrap().to_owned(),
            result["version"].as_i64().unwrap(),
        )
    }

    /// Closes the input without `shutdown`/`exit`.
    pub fn close_input(&mut self) {
        self.to_server = None;
    }

    /// Waits for the server to stop and returns how it ended.
    pub async fn finished(&mut self) -> ServeOutcome {
        let server = self.server.take().expect("not awaited yet");
        tokio::time::timeout(TIMEOUT, server)
            .await
            .expect("the server did not stop")
            .unwrap()
    }
}

/// A message with its `Content-Length` header.
pub fn frame(message: &Value) -> Vec<u8> {
    let body = message.to_string();
    let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    framed.extend_from_slice(body.as_bytes());
    framed
}

/// A notification message, not sent yet (see [`TestClient::send_together`]).
pub fn notification_message(method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "method": method, "params": params })
}

/// A fixture with one `$0` cursor marker: the text without it and the marker's position.
pub fn cursor(fixture: &str) -> (String, Position) {
    let offset = fixture.find("$0").expect("the fixture has a $0 marker");
    let text = fixture.replacen("$0", "", 1);
    let position = LineIndex::new(&text).position(&text, offset);
    (text, position)
}

pub fn position_json(position: Position) -> Value {
    json!({ "line": position.line, "character": position.character })
}

/// Applies an LSP edit to a text the way the server must (UTF-16 positions, clamped).
pub fn apply_edit(text: &mut String, range: Range, new_text: &str) {
    let index = LineIndex::new(text);
    let range = index.text_range(text, range);
    text.replace_range(range.start..range.end, new_text);
}

fn split_duplex(stream: DuplexStream) -> (DuplexStream, tokio::io::ReadHalf<DuplexStream>) {
    // The write side goes through a second pipe so the test can close the server's input
    // (drop it) while still reading the server's output.
    let (read_half, mut write_half) = tokio::io::split(stream);
    let (client_writer, mut client_reader) = tokio::io::duplex(1 << 16);
    tokio::spawn(async move {
        let _ = tokio::io::copy(&mut client_reader, &mut write_half).await;
        let _ = write_half.shutdown().await;
    });
    (client_writer, read_half)
}

async fn read_messages(
    mut stream: tokio::io::ReadHalf<DuplexStream>,
    sender: mpsc::UnboundedSender<Value>,
) {
    let mut buffer = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        while let Some((message, used)) = parse_frame(&buffer) {
            buffer.drain(..used);
            if sender.send(message).is_err() {
                return;
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(read) => buffer.extend_from_slice(&chunk[..read]),
        }
    }
}

/// One framed message from the start of `buffer`; the server's output must always be valid.
fn parse_frame(buffer: &[u8]) -> Option<(Value, usize)> {
    let end = buffer.windows(4).position(|window| window == b"\r\n\r\n")?;
    let header = std::str::from_utf8(&buffer[..end]).expect("headers are ASCII");
    let length: usize = header
        .strip_prefix("Content-Length: ")
        .unwrap_or_else(|| panic!("the server wrote a bad header: {header:?}"))
        .parse()
        .unwrap();
    let start = end + 4;
    if buffer.len() < start + length {
        return None;
    }
    let message = serde_json::from_slice(&buffer[start..start + length])
        .unwrap_or_else(|error| panic!("the server wrote invalid JSON: {error}"));
    Some((message, start + length))
}

/// A deterministic stream of small edits: inserts (some multi-byte), deletions and replacements
/// at positions spread over the text.
pub fn storm_edit(step: u64, text: &str) -> (Range, String) {
    let lines: Vec<&str> = text.split('\n').collect();
    let seed = step
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let line = (seed >> 33) as usize % lines.len();
    let width: usize = lines[line].chars().map(char::len_utf16).sum();
    // Positions at character boundaries only: what an editor sends.
    let boundaries: Vec<u32> = std::iter::once(0)
        .chain(lines[line].chars().scan(0u32, |units, c| {
            *units += c.len_utf16() as u32;
            Some(*units)
        }))
        .collect();
    let start = boundaries[(seed >> 17) as usize % boundaries.len()];
    let end = boundaries
        .iter()
        .copied()
        .filter(|end| *end >= start)
        .nth((seed >> 7) as usize % 3)
        .unwrap_or(width as u32);
    let inserted = ["a", "é", "😀", "\n", "agent.", "", "x = 1\n", "("][(seed >> 40) as usize % 8];
    let range = Range::new(
        Position::new(line as u32, start),
        Position::new(line as u32, end),
    );
    (range, inserted.to_owned())
}
