//! `llmspell lsp` as a process: `--stdio` (and vscode-languageclient's `--clientProcessId=N`) accepted, garbage on stdin survived, nothing but framed
//! JSON-RPC on stdout, logs on stderr or in `--log-file`, exit codes per the specification
//! (0 after `shutdown` + `exit`, 1 for `exit` alone), and a panicking handler answered with an
//! error while the process keeps serving.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn frame(message: &Value) -> Vec<u8> {
    let body = message.to_string();
    let mut bytes = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

fn initialize() -> Value {
    json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "capabilities": {} } })
}

/// Every message on stdout, checking that stdout holds framed JSON and nothing else.
fn parse_stdout(stdout: &[u8]) -> Vec<Value> {
    let mut messages = Vec::new();
    let mut rest = stdout;
    while !rest.is_empty() {
        let end = rest
            .windows(4)
            .position(|window| window == b"\r\n\r\n")
            .unwrap_or_else(|| {
                panic!(
                    "stdout has bytes that are not a message: {:?}",
                    String::from_utf8_lossy(rest)
                )
            });
        let header = std::str::from_utf8(&rest[..end]).unwrap();
        let length: usize = header
            .strip_prefix("Content-Length: ")
            .unwrap_or_else(|| panic!("not a header: {header:?}"))
            .parse()
            .unwrap();
        let body = &rest[end + 4..end + 4 + length];
        messages.push(serde_json::from_slice(body).expect("a message body is JSON"));
        rest = &rest[end + 4 + length..];
    }
    messages
}

/// Runs `llmspell lsp ARGS` with all of `input` on stdin (then closes it), in `folder`.
fn run_session(
    args: &[&str],
    input: &[u8],
    folder: &std::path::Path,
    environment: &[(&str, &str)],
) -> (Option<i32>, Vec<Value>, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_llmspell"));
    command.arg("lsp").args(args).current_dir(folder);
    for (name, value) in environment {
        command.env(name, value);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "llmspell lsp did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stdout = Vec::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut stdout)
        .unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (status.code(), parse_stdout(&stdout), stderr)
}

fn response(messages: &[Value], id: i64) -> &Value {
    messages
        .iter()
        .find(|message| message["id"] == id && message.get("method").is_none())
        .unwrap_or_else(|| panic!("no response {id} in {messages:?}"))
}

#[test]
fn shutdown_then_exit_is_code_zero_and_stdout_is_only_protocol() {
    let folder = tempfile::tempdir().unwrap();
    let mut input = frame(&initialize());
    input.extend(frame(
        &json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }),
    ));
    input.extend(frame(
        &json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown" }),
    ));
    input.extend(frame(&json!({ "jsonrpc": "2.0", "method": "exit" })));
    let (code, messages, stderr) = run_session(
        &["--stdio", "--clientProcessId=4242"],
        &input,
        folder.path(),
        &[],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        response(&messages, 1)["result"]["serverInfo"]["name"],
        "llmspell"
    );
    assert_eq!(response(&messages, 2)["result"], Value::Null);
    assert!(
        stderr.contains("exit notification"),
        "the logs go to stderr: {stderr}"
    );
}

#[test]
fn exit_without_shutdown_is_code_one() {
    let folder = tempfile::tempdir().unwrap();
    let mut input = frame(&initialize());
    input.extend(frame(&json!({ "jsonrpc": "2.0", "method": "exit" })));
    let (code, messages, _) = run_session(&[], &input, folder.path(), &[]);
    assert_eq!(code, Some(1));
    response(&messages, 1);
}

#[test]
fn garbage_on_stdin_does_not_kill_the_server() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("llmspell.toml"), "").unwrap();
    let spell = folder.path().canonicalize().unwrap().join("spell.lua");
    let uri = format!("file://{}", spell.display());
    let mut input = b"hello\r\n\r\n\x00\xff\xfe Content-Length: nope\r\n\r\n".to_vec();
    input.extend(frame(&initialize()));
    input.extend(b"Content-Length: 5\r\n\r\n{{{{{");
    input.extend(b"Content-Length: 12\r\n\r\n\"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\"\n");
    input.extend(frame(
        &json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": {
        "uri": uri, "languageId": "lua", "version": 1, "text": "agent." } } }),
    ));
    input.extend(frame(
        &json!({ "jsonrpc": "2.0", "id": 2, "method": "textDocument/completion", "params": {
        "textDocument": { "uri": uri }, "position": { "line": 0, "character": 6 } } }),
    ));
    input.extend(frame(
        &json!({ "jsonrpc": "2.0", "id": 3, "method": "shutdown" }),
    ));
    input.extend(frame(&json!({ "jsonrpc": "2.0", "method": "exit" })));
    let (code, messages, stderr) = run_session(&[], &input, folder.path(), &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let labels: Vec<&str> = response(&messages, 2)["result"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|item| item["label"].as_str())
        .collect();
    assert!(labels.contains(&"create"), "{labels:?}");
    let errors: Vec<&Value> = messages
        .iter()
        .filter(|message| message["id"].is_null() && message.get("error").is_some())
        .map(|message| &message["error"]["code"])
        .collect();
    // Before initialize every request is refused (-32002); after it, input that is not JSON is a
    // parse error and JSON that is not a message an invalid request.
    assert_eq!(errors, [-32002, -32002, -32700, -32600], "{messages:?}");
}

#[test]
fn a_panicking_request_is_answered_and_the_server_keeps_serving() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("llmspell.toml"), "").unwrap();
    let spell = folder.path().canonicalize().unwrap().join("spell.rhai");
    let uri = format!("file://{}", spell.display());
    let mut input = frame(&initialize());
    input.extend(frame(&json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": {
        "uri": uri, "languageId": "rhai", "version": 1, "text": "// LLMSPELL_LSP_INJECT_PANIC\nagent." } } })));
    let completion = |id: i64| {
        json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/completion", "params": {
        "textDocument": { "uri": uri }, "position": { "line": 1, "character": 6 } } })
    };
    input.extend(frame(&completion(2)));
    // Another spell, without the marker, is served by the same process afterwards.
    let healthy = format!("file://{}", spell.with_file_name("healthy.rhai").display());
    input.extend(frame(
        &json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": {
        "uri": healthy, "languageId": "rhai", "version": 1, "text": "\nagent." } } }),
    ));
    input.extend(frame(
        &json!({ "jsonrpc": "2.0", "id": 3, "method": "textDocument/completion", "params": {
        "textDocument": { "uri": healthy }, "position": { "line": 1, "character": 6 } } }),
    ));
    input.extend(frame(
        &json!({ "jsonrpc": "2.0", "id": 4, "method": "shutdown" }),
    ));
    input.extend(frame(&json!({ "jsonrpc": "2.0", "method": "exit" })));
    let log = folder.path().join("server.log");
    let args = ["--log-file", log.to_str().unwrap()];
    let (code, messages, stderr) = run_session(
        &args,
        &input,
        folder.path(),
        &[("LLMSPELL_LSP_FAULT_INJECTION", "1")],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        response(&messages, 2)["error"]["code"],
        -32603,
        "{messages:?}"
    );
    assert!(
        response(&messages, 3)["result"]
            .as_array()
            .is_some_and(|items| !items.is_empty())
    );
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(
        log.contains("panicked"),
        "the panic is logged to --log-file: {log}"
    );
    assert!(
        !stderr.contains("INFO"),
        "with --log-file, no log lines on stderr: {stderr}"
    );
}
