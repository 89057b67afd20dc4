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
    assert_eq!(report["default_model"], "fast");
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
    assert!(ran.stdout.contains("default model: fast (llmspell.toml [llm] default_model)"), "{}", ran.stdout);
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
    assert_eq!(events.len(), 2, "{text}");
    assert_eq!(events[0]["name"], "custom.thing");
    assert_eq!(events[0]["data"], serde_json::json!({"a": 1, "f": "<function>"}));
    assert!(events[0]["time"].as_f64().unwrap() > 1.0e9);
    assert_eq!(events[1]["name"], "other");
    assert!(events[1].get("data").is_none());
}
