//! Language-server latency and memory, side by side with the established servers, in one run.
//!
//! For a ~5,000-line spell in each language, while edits arrive (every request follows an
//! incremental `didChange`), measures the median and p99 latency of completion (after `agent.`),
//! hover (on `create`) and diagnostics (from the edit to the published or pulled diagnostics).
//! Then the peak RSS of the server with 200 spells open. The same requests go to `emmylua_ls`
//! (given the generated `---@meta` file) on the Lua spell and to `typescript-language-server`
//! (given the generated `.d.ts`) on the JavaScript spell, and the table prints the ratios.
//!
//! Run with `cargo bench -p llmspell-cli --bench lsp`. The other servers come from
//! `scripts/bench-tools.sh` (pinned versions under `.tools/bench/`); without them only llmspell
//! is measured. Not a test: these machines are shared and noisy, so read the ratios.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Edit-then-request rounds per measured feature.
const ROUNDS: usize = 60;
const WARMUP: usize = 5;
const TARGET_LINES: usize = 5_000;
const OPEN_SPELLS: usize = 200;
const TIMEOUT: Duration = Duration::from_secs(20);
/// How long a server may take to index a fresh workspace before answering for real.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long to keep asking after an edit for an answer that is useful.
const USEFUL_TIMEOUT: Duration = Duration::from_secs(3);

const LUA: &str = r#"-- research step {i}
local researcher{i} = agent.create({ name = "researcher{i}", system_prompt = "You research." })
local writer{i} = agent.create({ name = "writer{i}", system_prompt = "You write." })
local function summarise{i}(items, limit)
  local out = {}
  for index, item in ipairs(items) do
    if index > limit then break end
    out[#out + 1] = string.format("%d: %s", index, tostring(item))
  end
  return table.concat(out, "\n")
end
local flow{i} = workflow.sequential({
  name = "flow{i}",
  steps = { researcher{i}, writer{i} },
})
local result{i} = flow{i}:run({ topic = summarise{i}({ "a", "b", "c" }, 2) })
print(json.encode(result{i}:get("output")))
"#;

const JAVASCRIPT: &str = r#"// research step {i}
const researcher{i} = agent.create({ name: "researcher{i}", system_prompt: "You research." });
const writer{i} = agent.create({ name: "writer{i}", system_prompt: "You write." });
function summarise{i}(items, limit) {
  const out = [];
  for (let index = 0; index < items.length; index++) {
    if (index >= limit) break;
    out.push(`${index}: ${String(items[index])}`);
  }
  return out.join("\n");
}
const flow{i} = workflow.sequential({
  name: "flow{i}",
  steps: [researcher{i}, writer{i}],
});
const result{i} = await flow{i}.run({ topic: summarise{i}(["a", "b", "c"], 2) });
print(json.encode(result{i}.get("output")));
"#;

const RHAI: &str = r#"// research step {i}
let researcher{i} = agent.create(#{ name: "researcher{i}", system_prompt: "You research." });
let writer{i} = agent.create(#{ name: "writer{i}", system_prompt: "You write." });
fn summarise{i}(items, limit) {
  let out = [];
  for (item, index) in items {
    if index >= limit { break; }
    out.push(`${index}: ${item}`);
  }
  out.reduce(|sum, line| sum + "\n" + line, "")
}
let flow{i} = workflow.sequential(#{
  name: "flow{i}",
  steps: [researcher{i}, writer{i}],
});
let result{i} = flow{i}.run(#{ topic: summarise{i}(["a", "b", "c"], 2) });
print(json.encode(result{i}.get("output")));
"#;

/// A spell of about `lines` lines made of numbered copies of a template.
fn spell(template: &str, lines: usize) -> String {
    let mut text = String::new();
    let mut block = 0;
    while text.lines().count() < lines {
        text += &template.replace("{i}", &block.to_string());
        block += 1;
    }
    text
}

/// A language server child process spoken to over stdio.
struct Server {
    name: String,
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<(Instant, Value)>,
    /// Notifications that arrived while waiting for something else.
    notifications: VecDeque<(Instant, Value)>,
    next_id: i64,
    capabilities: Value,
    /// Whether the server pushed diagnostics for the first document it was given.
    pushes_diagnostics: bool,
    /// The open documents' text, for servers that take every change as the whole text.
    texts: std::collections::HashMap<String, String>,
}

impl Server {
    fn start(name: &str, program: &Path, args: &[&str], root: &Path, options: Value) -> Server {
        let mut child = Command::new(program)
            .args(args)
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", program.display()));
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 {
                        return;
                    }
                    let header = header.trim();
                    if header.is_empty() {
                        break;
                    }
                    if let Some(value) = header.strip_prefix("Content-Length:") {
                        length = value.trim().parse::<usize>().ok();
                    }
                }
                let Some(length) = length else { return };
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let Ok(message) = serde_json::from_slice::<Value>(&body) else { return };
                if sender.send((Instant::now(), message)).is_err() {
                    return;
                }
            }
        });
        let mut server = Server {
            name: name.to_owned(),
            child,
            stdin,
            messages,
            notifications: VecDeque::new(),
            next_id: 0,
            capabilities: Value::Null,
            pushes_diagnostics: true,
            texts: std::collections::HashMap::new(),
        };
        let root_uri = uri(root);
        let (_, result) = server.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": root_uri,
                "workspaceFolders": [{ "uri": root_uri, "name": "bench" }],
                "initializationOptions": options,
                "capabilities": {
                    "general": { "positionEncodings": ["utf-16"] },
                    "workspace": { "configuration": true, "workspaceFolders": true },
                    "textDocument": {
                        "synchronization": { "didSave": true },
                        "completion": { "completionItem": { "snippetSupport": true, "documentationFormat": ["markdown", "plaintext"] } },
                        "hover": { "contentFormat": ["markdown", "plaintext"] },
                        "signatureHelp": { "signatureInformation": { "parameterInformation": { "labelOffsetSupport": true } } },
                        "publishDiagnostics": { "versionSupport": true },
                        "diagnostic": { "dynamicRegistration": false }
                    }
                }
            }),
        );
        server.capabilities = result["capabilities"].clone();
        server.notify("initialized", json!({}));
        server
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(&body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Answers a request the server sent us with the neutral reply every client may give.
    fn answer_server_request(&mut self, request: &Value) {
        let result = match request["method"].as_str() {
            Some("workspace/configuration") => {
                let items = request["params"]["items"].as_array().map_or(0, Vec::len);
                Value::Array(vec![Value::Null; items])
            }
            _ => Value::Null,
        };
        self.send(&json!({ "jsonrpc": "2.0", "id": request["id"], "result": result }));
    }

    /// The next message, answering server requests and keeping notifications on the way.
    fn next_message(&mut self, deadline: Instant) -> Option<(Instant, Value)> {
        loop {
            let wait = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(wait) {
                Ok((at, message)) => {
                    if message.get("method").is_some() && message.get("id").is_some() {
                        self.answer_server_request(&message);
                        continue;
                    }
                    return Some((at, message));
                }
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("{} exited: {:?}", self.name, self.child.try_wait())
                }
            }
        }
    }

    /// Sends a request and waits for its response; returns the latency and the result.
    fn request(&mut self, method: &str, params: Value) -> (Duration, Value) {
        self.next_id += 1;
        let id = self.next_id;
        let started = Instant::now();
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = started + TIMEOUT;
        loop {
            let Some((at, message)) = self.next_message(deadline) else {
                panic!("{}: no answer to {method} within {TIMEOUT:?}", self.name);
            };
            if message.get("id") == Some(&json!(id)) {
                if let Some(error) = message.get("error") {
                    panic!("{}: {method} failed: {error}", self.name);
                }
                return (at - started, message["result"].clone());
            }
            self.notifications.push_back((at, message));
        }
    }

    /// Waits for `publishDiagnostics` on `uri` (for `version` or later when the server says
    /// which version); returns when it arrived.
    fn wait_for_diagnostics(&mut self, uri: &str, version: i64, deadline: Instant) -> Option<Instant> {
        let matches = |message: &Value| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
                && message["params"]["version"].as_i64().is_none_or(|seen| seen >= version)
        };
        while let Some((at, message)) = self.notifications.pop_front() {
            if matches(&message) {
                return Some(at);
            }
        }
        loop {
            let Some((at, message)) = self.next_message(deadline) else {
                eprintln!("{}: no diagnostics for {uri} version {version} in time", self.name);
                return None;
            };
            if std::env::var_os("LSP_BENCH_TRACE").is_some() {
                eprintln!("{} <- {}", self.name, &message.to_string()[..message.to_string().len().min(200)]);
            }
            if matches(&message) {
                return Some(at);
            }
        }
    }

    /// Whether the server answers `textDocument/diagnostic` (pull) rather than only pushing.
    fn pulls_diagnostics(&self) -> bool {
        !self.capabilities["diagnosticProvider"].is_null()
    }

    /// Diagnostics latency after an edit: the pull request's answer, or the next push.
    fn diagnostics_after_edit(&mut self, uri: &str, version: i64, edited: Instant) -> Option<Duration> {
        if !self.pushes_diagnostics && self.pulls_diagnostics() {
            self.request("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } }));
            return Some(edited.elapsed());
        }
        self.notifications.clear();
        self.wait_for_diagnostics(uri, version, Instant::now() + TIMEOUT)
            .map(|at| at - edited)
    }

    fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.texts.insert(uri.to_owned(), text.to_owned());
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": language, "version": 1, "text": text } }),
        );
    }

    /// Whether the server asked for full-text synchronisation (`TextDocumentSyncKind.Full`).
    fn wants_full_text(&self) -> bool {
        let sync = &self.capabilities["textDocumentSync"];
        sync.as_i64().or_else(|| sync["change"].as_i64()) == Some(1)
    }

    /// Inserts a space at `line`:`column` (the end of a comment line, so the spell's meaning
    /// stays), as a ranged change, or as the whole new text to a server that asked for that.
    fn edit(&mut self, uri: &str, version: i64, line: u32, column: u32) {
        let full_text = self.wants_full_text();
        let text = self.texts.get_mut(uri).expect("an open document");
        let line_start: usize = text.split_inclusive('\n').take(line as usize).map(str::len).sum();
        text.insert(line_start + column as usize, ' ');
        let change = if full_text {
            json!({ "text": text })
        } else {
            json!({
                "range": { "start": { "line": line, "character": column }, "end": { "line": line, "character": column } },
                "text": " "
            })
        };
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [change] }),
        );
    }

    /// Peak resident memory of the server and its child processes (tsserver runs in children).
    fn peak_rss_kib(&self) -> u64 {
        process_tree(self.child.id()).into_iter().map(|pid| status_kib(pid, "VmHWM:")).sum()
    }

    fn stop(mut self) {
        let _ = self.request_with_timeout("shutdown", Duration::from_secs(5));
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn request_with_timeout(&mut self, method: &str, timeout: Duration) -> Option<Value> {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": null }));
        let deadline = Instant::now() + timeout;
        loop {
            let (_, message) = self.next_message(deadline)?;
            if message.get("id") == Some(&json!(id)) {
                return Some(message);
            }
        }
    }
}

/// The process and all its descendants (from `/proc/*/stat` parent links).
fn process_tree(root: u32) -> Vec<u32> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // The parent pid is the second field after the parenthesised command name.
        let Some((_, rest)) = stat.rsplit_once(')') else { continue };
        let Some(parent) = rest.split_whitespace().nth(1).and_then(|field| field.parse::<u32>().ok()) else {
            continue;
        };
        parents.push((pid, parent));
    }
    let mut tree = vec![root];
    let mut index = 0;
    while index < tree.len() {
        let current = tree[index];
        tree.extend(parents.iter().filter(|(_, parent)| *parent == current).map(|(pid, _)| *pid));
        index += 1;
    }
    tree
}

fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                line.strip_prefix(field)
                    .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            })
        })
        .unwrap_or(0)
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Median and 99th percentile, in milliseconds.
fn summary(mut samples: Vec<Duration>) -> (f64, f64) {
    if samples.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    samples.sort();
    let at = |quantile: f64| {
        let index = ((samples.len() - 1) as f64 * quantile).round() as usize;
        samples[index].as_secs_f64() * 1000.0
    };
    (at(0.5), at(0.99))
}

struct Latencies {
    /// From the edit to the first answer offering `create`.
    completion: (f64, f64),
    /// From the request to the first answer, useful or not.
    completion_first: (f64, f64),
    hover: (f64, f64),
    diagnostics: (f64, f64),
    /// Whether the completion after `agent.` offered `create` (a server that does not know the
    /// API would answer fast and uselessly).
    completion_knows_api: bool,
}

/// Opens the big spell, then measures edit→completion, edit→hover and edit→diagnostics.
fn measure_latency(server: &mut Server, path: &Path, language: &str, text: &str) -> Latencies {
    let uri = uri(path);
    server.open(&uri, language, text);
    // Wait until the server has digested the file once (and indexed its workspace): it pushes
    // diagnostics, or else it is asked for them (pull model).
    // A server offering pull diagnostics (to a client that says it can pull) is asked; the others
    // push.
    server.pushes_diagnostics = !server.pulls_diagnostics();
    if server.pushes_diagnostics {
        if server.wait_for_diagnostics(&uri, 1, Instant::now() + READY_TIMEOUT).is_none() {
            eprintln!("{}: no diagnostics after opening the spell", server.name);
        }
    } else {
        server.request("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } }));
    }
    let lines: Vec<&str> = text.lines().collect();
    let middle = lines.len() / 2;
    let comment_line = (middle..lines.len())
        .find(|index| lines[*index].starts_with("--") || lines[*index].starts_with("//"))
        .expect("a comment line after the middle");
    let call_line = (comment_line..lines.len())
        .find(|index| lines[*index].contains("agent.create"))
        .expect("an agent.create line");
    let column = lines[call_line].find("agent.").unwrap() as u32;
    let after_dot = json!({ "line": call_line, "character": column + "agent.".len() as u32 });
    let on_create = json!({ "line": call_line, "character": column + "agent.cr".len() as u32 });
    let mut comment_length = lines[comment_line].len() as u32;
    let mut version = 1;
    let mut round = |server: &mut Server, version: &mut i64| {
        *version += 1;
        server.edit(&uri, *version, comment_line as u32, comment_length);
        comment_length += 1;
        Instant::now()
    };

    // A server may answer at once from a stale or half-built index (emmylua_ls answers an empty
    // list while it re-indexes after an edit): the latency is until the first useful answer,
    // asking again right away after a useless one.
    let offers_create = |result: &Value| {
        let items = result.get("items").unwrap_or(result);
        items.as_array().is_some_and(|items| items.iter().any(|item| item["label"] == "create"))
    };
    let mut completion = Vec::new();
    let mut completion_first = Vec::new();
    let mut completion_knows_api = false;
    for index in 0..WARMUP + ROUNDS {
        let edited = round(server, &mut version);
        let mut first = None;
        let useful = loop {
            let (latency, result) = server.request(
                "textDocument/completion",
                json!({ "textDocument": { "uri": uri }, "position": after_dot }),
            );
            first.get_or_insert(latency);
            if offers_create(&result) {
                break true;
            }
            if edited.elapsed() > USEFUL_TIMEOUT {
                break false;
            }
        };
        completion_knows_api |= useful;
        if index >= WARMUP && useful {
            completion.push(edited.elapsed());
            completion_first.extend(first);
        }
    }
    let mut hover = Vec::new();
    for index in 0..WARMUP + ROUNDS {
        let edited = round(server, &mut version);
        let useful = loop {
            let (_, result) = server.request(
                "textDocument/hover",
                json!({ "textDocument": { "uri": uri }, "position": on_create }),
            );
            if !result.is_null() {
                break true;
            }
            if edited.elapsed() > USEFUL_TIMEOUT {
                break false;
            }
        };
        if index >= WARMUP && useful {
            hover.push(edited.elapsed());
        }
    }
    let mut diagnostics = Vec::new();
    for index in 0..WARMUP + ROUNDS {
        let edited = round(server, &mut version);
        if let Some(latency) = server.diagnostics_after_edit(&uri, version, edited)
            && index >= WARMUP
        {
            diagnostics.push(latency);
        }
    }
    Latencies {
        completion: summary(completion),
        completion_first: summary(completion_first),
        hover: summary(hover),
        diagnostics: summary(diagnostics),
        completion_knows_api,
    }
}

/// Opens `OPEN_SPELLS` spells of ~100 lines, waits for their diagnostics, returns peak RSS.
fn measure_memory(server: &mut Server, root: &Path, extension: &str, language: &str, template: &str) -> u64 {
    let folder = root.join(format!("many-{extension}"));
    std::fs::create_dir_all(&folder).unwrap();
    let mut uris = Vec::new();
    for index in 0..OPEN_SPELLS {
        let text = spell(&template.replace("{i}", &format!("{index}_{{i}}")), 100);
        let path = folder.join(format!("spell{index}.{extension}"));
        std::fs::write(&path, &text).unwrap();
        let uri = uri(&path);
        server.open(&uri, language, &text);
        uris.push(uri);
    }
    // Every document analysed: a pull-model server is asked for each one's diagnostics; from
    // the others, wait until each one's were pushed.
    let mut pending: std::collections::BTreeSet<String> = uris.iter().cloned().collect();
    if server.pulls_diagnostics() {
        for uri in std::mem::take(&mut pending) {
            server.request("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } }));
        }
    }
    let deadline = Instant::now() + READY_TIMEOUT;
    while !pending.is_empty() {
        let next = server.notifications.pop_front().or_else(|| server.next_message(deadline));
        let Some((_, message)) = next else { break };
        if message["method"] == "textDocument/publishDiagnostics"
            && let Some(uri) = message["params"]["uri"].as_str()
        {
            pending.remove(uri);
        }
    }
    if !pending.is_empty() {
        eprintln!("{}: {} spells got no diagnostics in time", server.name, pending.len());
    }
    server.peak_rss_kib()
}

struct Row {
    language: &'static str,
    server: String,
    latencies: Latencies,
    rss_kib: u64,
}

fn find_tool(variable: &str, candidates: &[PathBuf]) -> Option<PathBuf> {
    if let Ok(path) = std::env::var(variable) {
        return Some(PathBuf::from(path));
    }
    candidates.iter().find(|path| path.is_file()).cloned()
}

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let llmspell = PathBuf::from(env!("CARGO_BIN_EXE_llmspell"));
    let bench_tools = repo.join(".tools/bench");
    let emmylua = find_tool("LLMSPELL_BENCH_EMMYLUA", &[bench_tools.join("bin/emmylua_ls")]);
    let typescript = find_tool(
        "LLMSPELL_BENCH_TSLS",
        &[bench_tools.join("node_modules/.bin/typescript-language-server")],
    );

    // Every measurement starts a server on a fresh workspace holding only what it needs: the
    // configuration, the generated stubs and the spells under test.
    let new_workspace = || {
        let workspace = tempfile::tempdir().unwrap();
        let root = workspace.path().canonicalize().unwrap();
        std::fs::write(
            root.join("llmspell.toml"),
            "[llm]\ndefault_model = \"offline/echo\"\n\n[providers.offline]\nkind = \"scripted\"\n",
        )
        .unwrap();
        let stubs = Command::new(&llmspell)
            .args(["api", "--stubs"])
            .arg(&root)
            .status()
            .expect("llmspell api --stubs");
        assert!(stubs.success(), "llmspell api --stubs failed");
        std::fs::write(
            root.join("jsconfig.json"),
            r#"{ "compilerOptions": { "allowJs": true, "checkJs": true, "module": "esnext", "target": "es2022", "noEmit": true }, "include": ["**/*.js", "llmspell.d.ts"] }"#,
        )
        .unwrap();
        (workspace, root)
    };

    let mut rows = Vec::new();
    for (language, language_id, extension, template) in [
        ("Lua", "lua", "lua", LUA),
        ("JavaScript", "javascript", "js", JAVASCRIPT),
        ("Rhai", "rhai", "rhai", RHAI),
    ] {
        let text = spell(template, TARGET_LINES);
        let mut servers = vec![("llmspell".to_owned(), llmspell.clone(), vec!["lsp", "--stdio"], Value::Null)];
        match (extension, &emmylua, &typescript) {
            ("lua", Some(emmylua), _) => servers.push(("emmylua_ls".to_owned(), emmylua.clone(), vec![], Value::Null)),
            ("js", _, Some(typescript)) => servers.push((
                "typescript-language-server".to_owned(),
                typescript.clone(),
                vec!["--stdio"],
                json!({ "tsserver": { "path": bench_tools.join("node_modules/typescript/lib").display().to_string() } }),
            )),
            _ => {}
        }
        for (name, program, args, options) in servers {
            eprintln!("measuring {name} on the {language} spell…");
            let (_latency_workspace, root) = new_workspace();
            let path = root.join(format!("big.{extension}"));
            std::fs::write(&path, &text).unwrap();
            let mut server = Server::start(&name, &program, &args, &root, options.clone());
            let latencies = measure_latency(&mut server, &path, language_id, &text);
            server.stop();
            let (_memory_workspace, root) = new_workspace();
            let mut server = Server::start(&name, &program, &args, &root, options);
            let rss_kib = measure_memory(&mut server, &root, extension, language_id, template);
            server.stop();
            rows.push(Row { language, server: name, latencies, rss_kib });
        }
    }

    println!("\n{TARGET_LINES}-line spell, {ROUNDS} rounds of edit → request; peak RSS with {OPEN_SPELLS} spells open\n");
    println!("Latencies run from the edit to the first useful answer (a completion offering `create`, a hover, the diagnostics); \"first answer\" is the first reply to a completion request, useful or not.\n");
    println!("| language | server | completion median / p99 ms | first answer median ms | hover median / p99 ms | diagnostics median / p99 ms | `agent.` offers `create` | peak RSS, {OPEN_SPELLS} spells (MiB) |");
    println!("|---|---|---|---|---|---|---|---|");
    for row in &rows {
        let latencies = &row.latencies;
        println!(
            "| {} | {} | {:.2} / {:.2} | {:.2} | {:.2} / {:.2} | {:.2} / {:.2} | {} | {:.1} |",
            row.language,
            row.server,
            latencies.completion.0,
            latencies.completion.1,
            latencies.completion_first.0,
            latencies.hover.0,
            latencies.hover.1,
            latencies.diagnostics.0,
            latencies.diagnostics.1,
            if latencies.completion_knows_api { "yes" } else { "no" },
            row.rss_kib as f64 / 1024.0,
        );
    }
    println!("\nRatios (other server ÷ llmspell; above 1 means llmspell is faster or smaller):\n");
    println!("| language | other server | completion median | hover median | diagnostics median | peak RSS |");
    println!("|---|---|---|---|---|---|");
    for row in rows.iter().filter(|row| row.server != "llmspell") {
        let ours = rows
            .iter()
            .find(|candidate| candidate.language == row.language && candidate.server == "llmspell")
            .unwrap();
        let ratio = |theirs: f64, ours: f64| theirs / ours;
        println!(
            "| {} | {} | {:.1}× | {:.1}× | {:.1}× | {:.1}× |",
            row.language,
            row.server,
            ratio(row.latencies.completion.0, ours.latencies.completion.0),
            ratio(row.latencies.hover.0, ours.latencies.hover.0),
            ratio(row.latencies.diagnostics.0, ours.latencies.diagnostics.0),
            row.rss_kib as f64 / ours.rss_kib as f64,
        );
    }
    if emmylua.is_none() || typescript.is_none() {
        println!("\n(emmylua_ls or typescript-language-server not found: run scripts/bench-tools.sh)");
    }
}
