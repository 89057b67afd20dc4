//! The example spells in `spells/`: every spell that exists in all three languages runs through
//! the real binary, from the repository root as the README shows (`llmspell run spells/X.lua`),
//! exits 0, prints nothing on stderr, prints the same bytes in Lua, JavaScript and Rhai, and
//! prints `spells/expected/<name>.txt`. The spells' model is the scripted provider of
//! `spells/llmspell.toml` (answers in `spells/fixtures/`), so nothing here needs a key, a network
//! or a local Ollama. Each run works on a temporary copy of `spells/`, so what spells write
//! (`out/…`) never lands in the repository. A recorded run of a spell replays byte for byte.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The spells this suite must find (the examples the README lists).
const REQUIRED: &[&str] = &[
    "hello",
    "research_agent",
    "summarize_file",
    "workflow_pipeline",
    "workflow_triage",
    "extract",
    "web_researcher",
    "common_api",
];

const LANGUAGES: &[&str] = &["lua", "js", "rhai"];

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn spells_dir() -> PathBuf {
    repo_root().join("spells")
}

/// A port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Runs `llmspell ARGS…` in `dir` with no provider keys, no model or config from the
/// environment, and `OLLAMA_HOST` on a closed port.
fn llmspell(dir: &Path, args: &[&str]) -> Ran {
    let output = Command::new(env!("CARGO_BIN_EXE_llmspell"))
        .args(args)
        .current_dir(dir)
        .env_remove("LLMSPELL_CONFIG")
        .env_remove("LLMSPELL_MODEL")
        .env_remove("LLMSPELL_LOG")
        .env_remove("OPENAI_API_KEY")
        .env_remove("ANTHROPIC_API_KEY")
        .env_remove("GEMINI_API_KEY")
        .env("OLLAMA_HOST", format!("127.0.0.1:{}", closed_port()))
        .output()
        .expect("the llmspell binary runs");
    Ran {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        // What earlier runs by hand may have left behind is not part of the workspace.
        if name == "out" || name == ".llmspell" {
            continue;
        }
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            copy_dir(&entry.path(), &to.join(&name));
        } else if kind.is_file() {
            std::fs::copy(entry.path(), to.join(&name)).unwrap();
        }
    }
}

/// A temporary folder holding a copy of `spells/`, to run from as from the repository root.
fn checkout() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    copy_dir(&spells_dir(), &root.path().join("spells"));
    root
}

/// Every spell of `spells/` with all three languages, by name, sorted.
fn spells() -> Vec<String> {
    let dir = spells_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|entry| {
            let path = entry.unwrap().path();
            (path.extension()? == "lua").then(|| path.file_stem()?.to_str().map(str::to_owned))?
        })
        .filter(|name| {
            LANGUAGES
                .iter()
                .all(|language| dir.join(format!("{name}.{language}")).is_file())
        })
        .collect();
    names.sort();
    names
}

#[test]
fn the_readme_spells_exist_in_all_three_languages_with_expected_output() {
    let found = spells();
    for name in REQUIRED {
        assert!(
            found.iter().any(|spell| spell == name),
            "spells/{name}.lua/.js/.rhai missing: {found:?}"
        );
    }
    for name in &found {
        let expected = spells_dir().join("expected").join(format!("{name}.txt"));
        assert!(expected.is_file(), "{} is missing", expected.display());
    }
}

#[test]
fn every_spell_runs_offline_and_prints_the_same_bytes_in_every_language() {
    let names = spells();
    assert!(names.len() >= REQUIRED.len(), "{names:?}");
    let root = checkout();
    let mut failures = Vec::new();
    for name in &names {
        let expected =
            std::fs::read_to_string(spells_dir().join("expected").join(format!("{name}.txt")))
                .unwrap_or_default();
        for language in LANGUAGES {
            let file = format!("spells/{name}.{language}");
            let ran = llmspell(root.path(), &["run", &file]);
            if ran.code != 0 || !ran.stderr.is_empty() || ran.stdout != expected {
                failures.push(format!(
                    "llmspell run {file}: exit {}\n--- stdout\n{}--- expected\n{}--- stderr\n{}",
                    ran.code, ran.stdout, expected, ran.stderr
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_web_researcher_saves_its_report_in_the_workspace_copy() {
    let root = checkout();
    for language in LANGUAGES {
        let report = root.path().join("spells/out/research.md");
        let _ = std::fs::remove_file(&report);
        let ran = llmspell(
            root.path(),
            &["run", &format!("spells/web_researcher.{language}")],
        );
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        let text = std::fs::read_to_string(&report).unwrap();
        assert!(
            text.starts_with("# Release notes research\n\nI could not read "),
            "{text}"
        );
        assert!(text.contains("(sandbox_denied)"), "{text}");
    }
}

#[test]
fn a_recorded_spell_run_replays_byte_for_byte_without_its_script() {
    for name in ["research_agent", "workflow_triage"] {
        for language in LANGUAGES {
            let root = checkout();
            let recording = root.path().join("run.json");
            let recording = recording.to_str().unwrap();
            let file = format!("spells/{name}.{language}");
            let recorded = llmspell(root.path(), &["run", "--record", recording, &file]);
            assert_eq!(recorded.code, 0, "{file}: {}", recorded.stderr);
            assert!(!recorded.stdout.is_empty());

            // The scripted provider now fails every call: only the recording can answer.
            std::fs::write(
                root.path().join("spells/fixtures/offline.json"),
                r#"{"otherwise": {"error": {"code": "provider_http", "message": "not from the recording"}}}"#,
            )
            .unwrap();
            let broken = llmspell(root.path(), &["run", &file]);
            assert_eq!(
                broken.code, 1,
                "{file} should fail without its script: {}",
                broken.stdout
            );

            let replayed = llmspell(root.path(), &["run", "--replay", recording, &file]);
            assert_eq!(replayed.code, 0, "{file}: {}", replayed.stderr);
            assert_eq!(replayed.stdout, recorded.stdout, "{file}");
            assert_eq!(replayed.stderr, recorded.stderr, "{file}");
        }
    }
}
