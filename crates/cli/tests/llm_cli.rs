//! The LLM layer as the `llmspell` binary wires it: providers from `llmspell.toml` and the
//! environment, `--model`, aliases, `LLMSPELL_MODEL`, the offline default and its notice,
//! `--record`/`--replay`, `llmspell models`, `--events`, configuration errors, missing keys, and
//! keys never showing. Every provider here is a local wire-format test server or the scripted
//! provider; no test reaches the internet or a local Ollama.

use std::path::Path;
use std::process::Command;

use llmspell_llm::testing::{Reply, TestServer, WireFormat};

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

/// A port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Runs `llmspell ARGS…` in `dir` with no provider keys, no `LLMSPELL_MODEL`, and `OLLAMA_HOST`
/// on a closed port, plus `env`.
fn llmspell(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Ran {
    let mut command = Command::new(env!("CARGO_BIN_EXE_llmspell"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("LLMSPELL_CONFIG")
        .env_remove("LLMSPELL_MODEL")
        .env_remove("OPENAI_API_KEY")
        .env_remove("ANTHROPIC_API_KEY")
        .env_remove("GEMINI_API_KEY")
        .env("OLLAMA_HOST", format!("127.0.0.1:{}", closed_port()))
        .env("LLMSPELL_LOG", "info");
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("the llmspell binary runs");
    let ran = Ran {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(!ran.stderr.contains("panicked"), "llmspell {args:?} panicked:\n{}", ran.stderr);
    ran
}

fn workspace(config: Option<&str>, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    if let Some(config) = config {
        std::fs::write(dir.path().join("llmspell.toml"), config).unwrap();
    }
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn config_for(server: &TestServer, extra: &str) -> String {
    format!(
        "[providers.live]\nkind = \"openai\"\nbase_url = \"{}\"\napi_key_env = \"LIVE_KEY\"\nmodels = [\"gpt-test\"]\n{extra}",
        server.base_url()
    )
}

const KEY: &str = "sk-live-secret-7f3a9c";
const ASK: &str = "print(llm.complete(\"hello\"))\n";

// ---------------------------------------------------------------------------------------------
// Wiring that needs no spell-level LLM call.

#[test]
fn a_spell_that_never_calls_the_llm_prints_no_notice() {
    let dir = workspace(None, &[("hello.lua", "print(\"hi\")\n")]);
    let ran = llmspell(dir.path(), &["run", "hello.lua"], &[]);
    assert_eq!((ran.code, ran.stdout.as_str(), ran.stderr.as_str()), (0, "hi\n", ""));
}

#[test]
fn an_unknown_provider_kind_names_the_file_and_line() {
    let dir = workspace(
        Some("[llm]\ndefault_model = \"x/y\"\n[providers.x]\nkind = \"opnai\"\n"),
        &[("hello.lua", "print(\"hi\")\n")],
    );
    let ran = llmspell(dir.path(), &["run", "hello.lua"], &[]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("llmspell.toml:4:8:"), "{}", ran.stderr);
    assert!(ran.stderr.contains("unknown kind `opnai`"), "{}", ran.stderr);
    assert!(ran.stdout.is_empty());
}

#[test]
fn unknown_keys_and_bad_model_strings_name_the_file_and_line() {
    let dir = workspace(
        Some("[providers.x]\nkind = \"scripted\"\nkey_env = \"K\"\n"),
        &[("hello.lua", "print(\"hi\")\n")],
    );
    let ran = llmspell(dir.path(), &["models"], &[]);
    assert_eq!(ran.code, 1);
    assert!(ran.stderr.contains("llmspell.toml:3:1: unknown field `key_env`"), "{}", ran.stderr);

    let dir = workspace(Some("[llm]\ndefault_model = \"gpt-4o\"\n"), &[("hello.lua", "")]);
    let ran = llmspell(dir.path(), &["run", "hello.lua"], &[]);
    assert_eq!(ran.code, 1);
    assert!(ran.stderr.contains("llmspell.toml:2:17:"), "{}", ran.stderr);
    assert!(ran.stderr.contains("neither `provider/model` nor an alias"), "{}", ran.stderr);
}

#[test]
fn model_flags_and_variables_are_checked_before_the_spell_runs() {
    let dir = workspace(None, &[("hello.lua", "print(\"ran\")\n")]);
    let ran = llmspell(dir.path(), &["run", "--model", "gpt-4o", "hello.lua"], &[]);
    assert_eq!(ran.code, 1);
    assert!(ran.stderr.contains("--model \"gpt-4o\": expected `provider/model` or an alias"), "{}", ran.stderr);
    assert!(!ran.stdout.contains("ran"));
    let ran = llmspell(dir.path(), &["run", "hello.lua"], &[("LLMSPELL_MODEL", "nowhere/m")]);
    assert_eq!(ran.code, 1);
    assert!(ran.stderr.contains("LLMSPELL_MODEL=\"nowhere/m\": provider `nowhere` is not configured"), "{}", ran.stderr);
    // In the file, such mistakes name the line.
    let dir = workspace(
        Some("[llm]\ndefault_model = \"fast\"\n[aliases]\nfast = \"nowhere/m\"\n"),
        &[("hello.lua", "print(\"ran\")\n")],
    );
    let ran = llmspell(dir.path(), &["run", "hello.lua"], &[]);
    assert_eq!(ran.code, 1);
    assert!(ran.stderr.contains("llmspell.toml:2:17: [llm] default_model: provider `nowhere` is not configured"), "{}", ran.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn models_lists_reachable_and_unreachable_providers_aliases_and_the_default() {
    let server = TestServer::start(WireFormat::OpenAi).await;
    let dead = closed_port();
    let config = config_for(
        &server,
        &format!(
            "[providers.dead]\nkind = \"openai-compatible\"\nbase_url = \"http://127.0.0.1:{dead}/v1\"\nmodels = [\"m1\", \"m2\"]\n\
             [aliases]\nfast = \"live/gpt-test\"\n[llm]\ndefault_model = \"fast\"\n"
        ),
    );
    let dir = workspace(Some(&config), &[]);
    let ran = llmspell(dir.path(), &["models", "--json"], &[("LIVE_KEY", KEY)]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let report: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    let provider = |name: &str| {
        report["providers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|provider| provider["name"] == name)
            .unwrap_or_else(|| panic!("{name} listed in {report:#}"))
            .clone()
    };
    let live = provider("live");
    assert_eq!(live["reachable"], true, "{live}");
    assert_eq!(live["kind"], "openai");
    assert_eq!(live["base_url"], server.base_url());
    assert_eq!(live["models"], serde_json::json!(["gpt-test"]));
    assert_eq!(live["source"], "config");
    let dead = provider("dead");
    assert_eq!(dead["reachable"], false, "{dead}");
    assert_eq!(dead["models"], serde_json::json!(["m1", "m2"]));
    assert_eq!(provider("scripted")["reachable"], true);
    assert_eq!(provider("ollama")["reachable"], false);
    assert_eq!(report["aliases"], serde_json::json!({"fast": "live/gpt-test"}));
    assert_eq!(report["default_model"], "fast = live/gpt-test");
    assert!(!ran.stdout.contains(KEY) && !ran.stderr.contains(KEY));
    // Nothing was asked of the model: probing bills nothing.
    assert!(server.requests().iter().all(|request| !request.path.contains("chat")));

    let ran = llmspell(dir.path(), &["models"], &[("LIVE_KEY", KEY)]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let row = |name: &str| {
        ran.stdout
            .lines()
            .find(|line| line.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} row in\n{}", ran.stdout))
            .split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(row("live")[..3], ["live", "openai", "yes"]);
    assert_eq!(row("dead")[..3], ["dead", "openai-compatible", "no"]);
    assert!(ran.stdout.contains("  fast = live/gpt-test\n"), "{}", ran.stdout);
    assert!(ran.stdout.contains("default model: fast = live/gpt-test (llmspell.toml [llm] default_model)"), "{}", ran.stdout);
}

#[test]
fn models_with_nothing_configured_shows_the_offline_default() {
    let dir = workspace(None, &[]);
    let ran = llmspell(dir.path(), &["models"], &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stdout.contains("default model: scripted/echo (offline"), "{}", ran.stdout);
    assert!(ran.stderr.is_empty(), "{}", ran.stderr);
}

#[test]
fn events_are_written_as_json_lines() {
    let dir = workspace(
        None,
        &[("emit.lua", "events.emit(\"custom.thing\", {a = 1, f = function() end})\nevents.emit(\"other\")\nprint(\"done\")\n")],
    );
    let ran = llmspell(dir.path(), &["run", "--events", "events.jsonl", "emit.lua"], &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let text = std::fs::read_to_string(dir.path().join("events.jsonl")).unwrap();
    let events: Vec<serde_json::Value> =
        text.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(events.len(), 4, "{text}");
    assert_eq!(events[0]["name"], "spell.start");
    assert_eq!(events[0]["data"], serde_json::json!({"name": "emit", "path": "emit.lua", "engine": "lua"}));
    assert_eq!(events[1]["name"], "custom.thing");
    assert_eq!(events[1]["data"], serde_json::json!({"a": 1, "f": "<function>"}));
    assert!(events[1]["time"].as_f64().unwrap() > 1.0e9);
    assert_eq!(events[2]["name"], "other");
    assert!(events[2].get("data").is_none());
    assert_eq!(events[3]["name"], "spell.end");
    assert_eq!(events[3]["data"], serde_json::json!({"ok": true}));

    // A failed spell ends with its error.
    std::fs::write(dir.path().join("fail.lua"), "events.emit(\"before\")\nerror(\"boom\")\n").unwrap();
    let ran = llmspell(dir.path(), &["run", "--events", "events.jsonl", "fail.lua"], &[]);
    assert_eq!(ran.code, 1);
    let text = std::fs::read_to_string(dir.path().join("events.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["name"], "spell.end");
    assert_eq!(last["data"]["ok"], false);
    assert_eq!(last["data"]["error"]["line"], 2, "{last}");
    assert!(last["data"]["error"]["message"].as_str().unwrap().contains("boom"), "{last}");
}

// ---------------------------------------------------------------------------------------------
// Spells calling the LLM.

/// The `model` field of each chat request the server received.
fn requested_models(server: &TestServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|request| request.body["model"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_model_comes_from_the_config_the_flag_an_alias_or_the_variable() {
    let server = TestServer::start(WireFormat::OpenAi).await;
    server.set_fallback(Reply::text("from the server"));
    let config = config_for(
        &server,
        "[llm]\ndefault_model = \"live/from-config\"\n[aliases]\nfast = \"live/from-alias\"\n",
    );
    let dir = workspace(Some(&config), &[("ask.lua", ASK)]);
    let key = [("LIVE_KEY", KEY)];
    let ran = llmspell(dir.path(), &["run", "ask.lua"], &key);
    assert_eq!((ran.code, ran.stdout.as_str()), (0, "from the server\n"), "{}", ran.stderr);
    assert!(ran.stderr.is_empty(), "a configured provider needs no notice: {}", ran.stderr);
    llmspell(dir.path(), &["run", "--model", "live/from-flag", "ask.lua"], &key);
    llmspell(dir.path(), &["run", "--model", "fast", "ask.lua"], &key);
    llmspell(dir.path(), &["run", "ask.lua"], &[("LIVE_KEY", KEY), ("LLMSPELL_MODEL", "live/from-env")]);
    // The flag wins over the variable.
    llmspell(
        dir.path(),
        &["run", "--model", "live/flag-wins", "ask.lua"],
        &[("LIVE_KEY", KEY), ("LLMSPELL_MODEL", "live/from-env")],
    );
    assert_eq!(
        requested_models(&server),
        ["from-config", "from-flag", "from-alias", "from-env", "flag-wins"]
    );
    assert!(server
        .requests()
        .iter()
        .all(|request| request.header("authorization") == Some(&format!("Bearer {KEY}"))));
}

#[test]
fn the_offline_default_says_so_once_and_only_when_the_llm_is_used() {
    let dir = workspace(
        None,
        &[
            ("ask.lua", "print(llm.complete(\"hello\"))\nprint(llm.complete(\"again\"))\n"),
            ("hello.lua", "print(\"hi\")\n"),
        ],
    );
    let ran = llmspell(dir.path(), &["run", "ask.lua"], &[]);
    assert_eq!((ran.code, ran.stdout.as_str()), (0, "echo: hello\necho: again\n"), "{}", ran.stderr);
    assert_eq!(ran.stderr.matches("no LLM provider configured").count(), 1, "{}", ran.stderr);
    assert_eq!(
        ran.stderr,
        "llmspell: no LLM provider configured; using the offline scripted provider (echo). See llmspell.toml [providers].\n"
    );
    let quiet = llmspell(dir.path(), &["run", "--quiet", "ask.lua"], &[]);
    assert_eq!((quiet.stdout.as_str(), quiet.stderr.as_str()), (ran.stdout.as_str(), ""));
    let silent = llmspell(dir.path(), &["run", "hello.lua"], &[]);
    assert_eq!((silent.stdout.as_str(), silent.stderr.as_str()), ("hi\n", ""));
}

#[test]
fn a_spell_sees_the_configured_providers_but_not_their_keys() {
    let config = "[llm]\ndefault_model = \"live/gpt-test\"\n\
        [providers.live]\nkind = \"openai\"\nbase_url = \"http://127.0.0.1:9/v1\"\napi_key_env = \"LIVE_KEY\"\nmodels = [\"gpt-test\"]\n\
        [providers.other]\nkind = \"anthropic\"\nbase_url = \"http://127.0.0.1:9\"\napi_key_env = \"OTHER_KEY\"\nmodels = [\"claude-test\"]\n";
    let spell = "print(json.encode(llm.providers()))\nprint(json.encode(llm.models()))\n";
    let dir = workspace(Some(config), &[("list.lua", spell)]);
    let ran = llmspell(dir.path(), &["run", "list.lua"], &[("LIVE_KEY", KEY), ("OLLAMA_HOST", "127.0.0.1:9")]);
    assert_eq!((ran.code, ran.stderr.as_str()), (0, ""), "{}", ran.stdout);
    let mut lines = ran.stdout.lines();
    let providers: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    // Built-in providers have no configured base_url: nil, so absent from a Lua table.
    let expected = serde_json::json!([
        {"name": "anthropic", "kind": "anthropic", "available": false},
        {"name": "gemini", "kind": "gemini", "available": false},
        {"name": "live", "kind": "openai", "base_url": "http://127.0.0.1:9/v1", "available": true},
        {"name": "ollama", "kind": "ollama", "base_url": "http://127.0.0.1:9", "available": true},
        {"name": "openai", "kind": "openai", "available": false},
        {"name": "other", "kind": "anthropic", "base_url": "http://127.0.0.1:9", "available": false},
        {"name": "scripted", "kind": "scripted", "available": true},
    ]);
    assert_eq!(providers, expected);
    let models: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    let expected = serde_json::json!([
        "anthropic/claude-3-5-haiku-latest", "gemini/gemini-2.0-flash", "live/gpt-test",
        "openai/gpt-4o-mini", "other/claude-test", "scripted/echo",
    ]);
    assert_eq!(models, expected);
    assert!(!ran.stdout.contains(KEY), "{}", ran.stdout);
}

#[test]
fn a_configured_scripted_provider_needs_no_notice() {
    let dir = workspace(
        Some("[llm]\ndefault_model = \"offline/any\"\n[providers.offline]\nkind = \"scripted\"\nscript = \"answers.json\"\n"),
        &[("ask.lua", ASK), ("answers.json", "[{\"text\": \"scripted answer\"}]")],
    );
    let ran = llmspell(dir.path(), &["run", "ask.lua"], &[]);
    assert_eq!((ran.code, ran.stdout.as_str(), ran.stderr.as_str()), (0, "scripted answer\n", ""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_run_replays_without_the_server() {
    let server = TestServer::start(WireFormat::OpenAi).await;
    server.push(Reply::text("first answer"));
    server.push(Reply::chunks(["second ", "answer"]));
    let spell = "print(llm.complete(\"one\"))\n\
                 local response = llm.stream({prompt = \"two\"}, function(chunk) print(\"chunk: \" .. chunk) end)\n\
                 print(response.text)\n";
    let dir = workspace(
        Some(&config_for(&server, "[llm]\ndefault_model = \"live/gpt-test\"\n")),
        &[("spell.lua", spell)],
    );
    let recorded = llmspell(dir.path(), &["run", "--record", "run.json", "spell.lua"], &[("LIVE_KEY", KEY)]);
    assert_eq!(recorded.code, 0, "{}", recorded.stderr);
    assert!(recorded.stdout.starts_with("first answer\n"), "{}", recorded.stdout);
    assert!(recorded.stdout.ends_with("second answer\n"), "{}", recorded.stdout);
    assert_eq!(server.requests().len(), 2);
    let recording = std::fs::read_to_string(dir.path().join("run.json")).unwrap();
    assert!(!recording.contains(KEY));
    drop(server);

    // No server, no key: the recording answers.
    let replayed = llmspell(dir.path(), &["run", "--replay", "run.json", "spell.lua"], &[]);
    assert_eq!(replayed.code, 0, "{}", replayed.stderr);
    assert_eq!(replayed.stdout, recorded.stdout);
    assert!(replayed.stderr.is_empty(), "{}", replayed.stderr);
    // Without the recording the same run fails: the server is gone.
    let live = llmspell(dir.path(), &["run", "spell.lua"], &[("LIVE_KEY", KEY)]);
    assert_eq!(live.code, 1);
}

#[test]
fn the_offline_default_records_and_replays_too() {
    let dir = workspace(None, &[("ask.lua", ASK)]);
    let recorded = llmspell(dir.path(), &["run", "--record", "r.json", "ask.lua"], &[]);
    assert_eq!((recorded.code, recorded.stdout.as_str()), (0, "echo: hello\n"), "{}", recorded.stderr);
    let replayed = llmspell(dir.path(), &["run", "--replay", "r.json", "ask.lua"], &[]);
    assert_eq!((replayed.code, replayed.stdout.as_str()), (0, "echo: hello\n"), "{}", replayed.stderr);
    // A spell asking something else than the recording holds fails with replay_mismatch.
    std::fs::write(dir.path().join("ask.lua"), "print(llm.complete(\"other\"))\n").unwrap();
    let mismatch = llmspell(dir.path(), &["run", "--replay", "r.json", "ask.lua"], &[]);
    assert_eq!(mismatch.code, 1);
    assert!(mismatch.stderr.contains("replay_mismatch"), "{}", mismatch.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_key_fails_the_call_with_provider_auth_naming_the_variable() {
    let server = TestServer::start(WireFormat::OpenAi).await;
    server.set_fallback(Reply::text("unreachable"));
    let config = config_for(&server, "[llm]\ndefault_model = \"live/gpt-test\"\n");
    let dir = workspace(
        Some(&config),
        &[("ask.lua", ASK), ("hello.lua", "print(\"hi\")\n")],
    );
    // Unused, the provider's missing key is no error.
    let ran = llmspell(dir.path(), &["run", "hello.lua"], &[]);
    assert_eq!((ran.code, ran.stdout.as_str(), ran.stderr.as_str()), (0, "hi\n", ""));
    let ran = llmspell(dir.path(), &["run", "ask.lua"], &[]);
    assert_eq!(ran.code, 1);
    assert!(ran.stderr.contains("[provider_auth]"), "{}", ran.stderr);
    assert!(ran.stderr.contains("LIVE_KEY"), "{}", ran.stderr);
    assert!(server.requests().is_empty(), "nothing is sent without a key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_of_llm_calls_are_written_and_keys_never_show() {
    let server = TestServer::start(WireFormat::OpenAi).await;
    server.require_api_key(KEY);
    server.set_fallback(Reply::text("answer").with_usage(3, 1));
    let config = config_for(&server, "[llm]\ndefault_model = \"live/gpt-test\"\n");
    let spell = "print(llm.complete(\"hello\"))\nprint(json.encode(llm.providers()))\n";
    let dir = workspace(Some(&config), &[("ask.lua", spell)]);
    let ran = llmspell(
        dir.path(),
        &["run", "--events", "ev.jsonl", "--record", "rec.json", "ask.lua"],
        &[("LIVE_KEY", KEY)],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stdout.starts_with("answer\n"), "{}", ran.stdout);
    let events = std::fs::read_to_string(dir.path().join("ev.jsonl")).unwrap();
    let names: Vec<String> = events
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap()["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["spell.start", "llm.request", "llm.response", "spell.end"], "{events}");
    let recording = std::fs::read_to_string(dir.path().join("rec.json")).unwrap();
    for (what, text) in [("stdout", &ran.stdout), ("stderr", &ran.stderr), ("events", &events), ("recording", &recording)] {
        assert!(!text.contains(KEY), "the key shows in {what}:\n{text}");
    }
    // …and the server did get it.
    assert_eq!(server.requests()[0].header("authorization"), Some(format!("Bearer {KEY}").as_str()));
}

/// Runs `llmspell ARGS…` with stderr on a pseudo-terminal; returns (exit code, stdout, what the
/// terminal showed).
#[cfg(target_os = "linux")]
fn llmspell_on_a_terminal(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    use std::io::Read as _;
    use std::os::fd::{FromRawFd as _, OwnedFd};
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty fills in two new descriptors, which we own from here on.
    let opened = unsafe {
        libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), std::ptr::null())
    };
    assert_eq!(opened, 0, "openpty");
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut command = Command::new(env!("CARGO_BIN_EXE_llmspell"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("LLMSPELL_CONFIG")
        .env_remove("LLMSPELL_MODEL")
        .env("OLLAMA_HOST", format!("127.0.0.1:{}", closed_port()))
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::from(slave));
    let mut child = command.spawn().expect("the llmspell binary runs");
    drop(command);
    let reader = std::thread::spawn(move || {
        let mut terminal = std::fs::File::from(master);
        let mut shown = Vec::new();
        let mut buffer = [0u8; 4096];
        // Reading fails (EIO) once the child has closed its end.
        while let Ok(count) = terminal.read(&mut buffer) {
            if count == 0 {
                break;
            }
            shown.extend_from_slice(&buffer[..count]);
        }
        String::from_utf8_lossy(&shown).into_owned()
    });
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    let code = child.wait().unwrap().code().unwrap_or(-1);
    (code, stdout, reader.join().unwrap())
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_call_shows_a_spinner_on_a_terminal_unless_quiet() {
    let server = TestServer::start(WireFormat::OpenAi).await;
    // Well past the 300 ms after which the spinner shows.
    server.set_fallback(Reply::text("slow answer").with_latency(std::time::Duration::from_millis(1500)));
    let config = config_for(&server, "[llm]\ndefault_model = \"live/gpt-test\"\n");
    let dir = workspace(Some(&config), &[("ask.lua", ASK)]);
    let key = [("LIVE_KEY", KEY)];
    let (code, stdout, terminal) = llmspell_on_a_terminal(dir.path(), &["run", "ask.lua"], &key);
    assert_eq!((code, stdout.as_str()), (0, "slow answer\n"), "{terminal}");
    assert!(terminal.contains("waiting for the model"), "{terminal:?}");
    // The line is cleared once the answer is there.
    assert!(terminal.ends_with("\r\x1b[2K"), "{terminal:?}");
    let (code, stdout, terminal) = llmspell_on_a_terminal(dir.path(), &["run", "--quiet", "ask.lua"], &key);
    assert_eq!((code, stdout.as_str(), terminal.as_str()), (0, "slow answer\n", ""));
}

/// A minimal stand-in for a local Ollama: `/api/tags` lists one model, `/api/chat` answers
/// every (non-streamed) chat with `from ollama`. Returns the port and the chat bodies received.
fn fake_ollama() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>) {
    use std::io::{BufRead as _, BufReader, Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let chats = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = chats.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut length = 0usize;
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
                    break;
                }
                if let Some(value) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let answer = if request_line.starts_with("GET /api/tags") {
                serde_json::json!({"models": [{"name": "llama-test:latest"}]})
            } else if request_line.starts_with("POST /api/chat") {
                seen.lock().unwrap().push(serde_json::from_slice(&body).unwrap_or_default());
                serde_json::json!({
                    "model": "llama-test:latest",
                    "message": {"role": "assistant", "content": "from ollama"},
                    "done": true, "done_reason": "stop", "prompt_eval_count": 1, "eval_count": 2
                })
            } else {
                serde_json::json!({"version": "0.0.0"})
            };
            let text = answer.to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    (port, chats)
}

#[test]
fn with_nothing_configured_a_local_ollama_is_the_default() {
    let (port, chats) = fake_ollama();
    let dir = workspace(None, &[("ask.lua", ASK)]);
    let host = format!("127.0.0.1:{port}");
    let ran = llmspell(dir.path(), &["run", "ask.lua"], &[("OLLAMA_HOST", &host)]);
    assert_eq!((ran.code, ran.stdout.as_str(), ran.stderr.as_str()), (0, "from ollama\n", ""));
    assert_eq!(chats.lock().unwrap()[0]["model"], "llama-test:latest");
    let ran = llmspell(dir.path(), &["models"], &[("OLLAMA_HOST", &host)]);
    assert!(ran.stdout.contains("default model: ollama/llama-test:latest (Ollama answers at"), "{}", ran.stdout);
    let ollama = ran.stdout.lines().find(|line| line.starts_with("ollama ")).unwrap();
    assert!(ollama.contains(" yes ") && ollama.ends_with("llama-test:latest"), "{ollama}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_wire_format_shows_the_key_even_when_it_is_refused() {
    for wire in WireFormat::ALL {
        let server = TestServer::start(wire).await;
        server.require_api_key(KEY);
        server.set_fallback(Reply::text("answer"));
        let config = format!(
            "[llm]\ndefault_model = \"p/m-1\"\n[providers.p]\nkind = \"{}\"\nbase_url = \"{}\"\napi_key_env = \"P_KEY\"\n",
            wire.name(),
            server.base_url()
        );
        let spell = "print(llm.complete(\"hello\"))\nlocal r = llm.stream({prompt = \"again\"}, function(c) end)\nprint(r.text)\n";
        let dir = workspace(Some(&config), &[("ask.lua", spell)]);
        let ran = llmspell(dir.path(), &["run", "--events", "ev.jsonl", "--record", "rec.json", "ask.lua"], &[("P_KEY", KEY)]);
        assert_eq!((ran.code, ran.stdout.as_str()), (0, "answer\nanswer\n"), "{wire:?}: {}", ran.stderr);
        let sent = server.requests();
        assert!(
            sent.iter().all(|request| request.headers.values().any(|value| value.contains(KEY))),
            "{wire:?}: the key was not sent"
        );
        let wrong = "sk-wrong-secret-51d2e8";
        let refused = llmspell(dir.path(), &["run", "--events", "ev2.jsonl", "--record", "rec2.json", "ask.lua"], &[("P_KEY", wrong)]);
        assert_eq!(refused.code, 1, "{wire:?}");
        assert!(refused.stderr.contains("[provider_auth]"), "{wire:?}: {}", refused.stderr);
        for file in ["ev.jsonl", "rec.json", "ev2.jsonl", "rec2.json"] {
            let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
            assert!(!text.contains(KEY) && !text.contains(wrong), "{wire:?}: a key shows in {file}:\n{text}");
        }
        for text in [&ran.stdout, &ran.stderr, &refused.stdout, &refused.stderr] {
            assert!(!text.contains(KEY) && !text.contains(wrong), "{wire:?}: a key shows:\n{text}");
        }
    }
}
