//! The conformance corpus: the same spell in Lua, JavaScript and Rhai must print the same bytes.
//!
//! Every case under `tests/conformance/<NN-name>/` holds `spell.lua`, `spell.js`, `spell.rhai`
//! (one program, line for line, in each language's idiom), `expected.txt` (the exact stdout)
//! and optionally `case.toml`:
//!
//! ```toml
//! args = ["--timeout", "1s"]                 # extra `llmspell run` flags
//! params = { topic = "rust" }                # passed as `-p topic=rust`
//! exit = 1                                   # expected exit code (default 0)
//! error_code = "timeout"                     # the `[code]` of the report on stderr
//! stderr_contains = ["spell.{ext}:3:"]       # `{ext}` is the engine's file extension
//! files = { "data/in.txt" = "hello" }        # created in the workspace before the run
//! symlinks = { "link" = "/etc" }             # link name -> target, created before the run
//! runs = 2                                   # run N times in one workspace; stdout is concatenated
//! expect_files = [".llmspell/state.db"]      # must exist in the workspace after the runs
//! config = "[sandbox]\ntimeout = \"1s\"\n"     # replaces the workspace's llmspell.toml
//! spell_dir = "scripts/nested"              # put the spell there and run it from there
//! ```
//!
//! Each (case, engine) pair runs the real `llmspell` binary in a fresh temporary workspace
//! (an `llmspell.toml` with `[sandbox]` defaults marks its root). A few pairs run at once; a
//! run that does not finish within [`KILL_AFTER`] is killed and reported. Every difference is
//! collected and reported at the end, so one failing case never hides another.
//!
//! While working on one area, `CONFORMANCE_CASES=json,events` (substrings of case names) and
//! `CONFORMANCE_ENGINES=lua,rhai` narrow the run, and `CONFORMANCE_JOBS=N` sets the concurrency;
//! the corpus-shape assertions always look at every case.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The engines, as `spell.<ext>` names them.
const ENGINES: [&str; 3] = ["lua", "js", "rhai"];
/// The corpus must not shrink below this many cases.
const MIN_CASES: usize = 25;
/// A run still going after this long is killed and reported as hung.
const KILL_AFTER: Duration = Duration::from_secs(30);
/// The `llmspell.toml` of every workspace: generous defaults that still end a runaway spell
/// before the runner has to kill it. Cases tighten them with flags.
const WORKSPACE_CONFIG: &str =
    "[sandbox]\ntimeout = \"20s\"\nmemory_limit = \"256MiB\"\nmax_instructions = 0\n";

/// `case.toml`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseOptions {
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    params: BTreeMap<String, String>,
    #[serde(default)]
    exit: i32,
    #[serde(default)]
    error_code: Option<String>,
    #[serde(default)]
    stderr_contains: Vec<String>,
    #[serde(default)]
    files: BTreeMap<String, String>,
    #[serde(default)]
    symlinks: BTreeMap<String, String>,
    #[serde(default = "one")]
    runs: u32,
    #[serde(default)]
    expect_files: Vec<String>,
    #[serde(default)]
    config: Option<String>,
    #[serde(default)]
    spell_dir: Option<String>,
}

fn one() -> u32 {
    1
}

/// One case folder, loaded.
struct Case {
    name: String,
    dir: PathBuf,
    options: CaseOptions,
    expected: String,
}

/// What one run of the binary gave.
struct Outcome {
    stdout: String,
    stderr: String,
    /// `None` when the process was killed by a signal (or by us).
    exit: Option<i32>,
    signal: Option<i32>,
    hung: bool,
    elapsed: Duration,
}

#[test]
fn conformance_corpus() {
    let root = corpus_root();
    let mut problems = Vec::new();
    let cases = load_cases(&root, &mut problems);

    assert!(
        cases.len() + problems.len() >= MIN_CASES,
        "the corpus at {} has {} cases; it must have at least {MIN_CASES}",
        root.display(),
        cases.len() + problems.len()
    );

    let case_filter = list_from_env("CONFORMANCE_CASES");
    let engine_filter = list_from_env("CONFORMANCE_ENGINES");
    let mut jobs: Vec<(&Case, &str)> = Vec::new();
    for case in &cases {
        if !case_filter.is_empty()
            && !case_filter
                .iter()
                .any(|part| case.name.contains(part.as_str()))
        {
            continue;
        }
        for engine in ENGINES {
            if engine_filter.is_empty() || engine_filter.iter().any(|name| name == engine) {
                jobs.push((case, engine));
            }
        }
    }
    // Slow cases (limits, several runs) first, so they overlap with the many quick ones.
    jobs.sort_by_key(|(case, _)| {
        let options = &case.options;
        options.args.is_empty() && options.config.is_none() && options.runs == 1
    });

    let workers = std::env::var("CONFORMANCE_JOBS")
        .ok()
        .and_then(|text| text.parse::<usize>().ok())
        .unwrap_or(4)
        .max(1);
    let queue = Mutex::new(jobs.into_iter());
    let results: Mutex<Vec<(String, &str, Result<Duration, String>)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().unwrap().next();
                    let Some((case, engine)) = next else { break };
                    let result = run_case(case, engine);
                    results
                        .lock()
                        .unwrap()
                        .push((case.name.clone(), engine, result));
                }
            });
        }
    });

    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| (&a.0, engine_rank(a.1)).cmp(&(&b.0, engine_rank(b.1))));

    // A pass/fail matrix, then the details of every failure.
    let mut matrix = String::new();
    let mut by_case: BTreeMap<&str, BTreeMap<&str, bool>> = BTreeMap::new();
    for (name, engine, result) in &results {
        by_case
            .entry(name)
            .or_default()
            .insert(engine, result.is_ok());
    }
    let _ = writeln!(
        matrix,
        "{:<40} {:<6} {:<6} {:<6}",
        "case", "lua", "js", "rhai"
    );
    for (name, engines) in &by_case {
        let cell = |engine: &str| match engines.get(engine) {
            Some(true) => "ok",
            Some(false) => "FAIL",
            None => "-",
        };
        let _ = writeln!(
            matrix,
            "{name:<40} {:<6} {:<6} {:<6}",
            cell("lua"),
            cell("js"),
            cell("rhai")
        );
    }
    let passed = results
        .iter()
        .filter(|(_, _, result)| result.is_ok())
        .count();
    let _ = writeln!(matrix, "{passed}/{} runs passed", results.len());
    let mut timings: Vec<(Duration, String)> = results
        .iter()
        .filter_map(|(name, engine, result)| {
            result
                .as_ref()
                .ok()
                .map(|took| (*took, format!("{name} [{engine}]")))
        })
        .collect();
    timings.sort_by(|a, b| b.0.cmp(&a.0));
    let slowest: Vec<String> = timings
        .iter()
        .take(5)
        .map(|(took, run)| format!("{run} {:.1}s", took.as_secs_f64()))
        .collect();
    let _ = writeln!(matrix, "slowest passing runs: {}", slowest.join(", "));
    println!("{matrix}");

    for (name, engine, result) in &results {
        if let Err(report) = result {
            problems.push(format!("── {name} [{engine}] ──\n{report}"));
        }
    }
    if !problems.is_empty() {
        panic!(
            "conformance: {} problem(s)\n\n{matrix}\n{}",
            problems.len(),
            problems.join("\n\n")
        );
    }
}

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance")
}

fn engine_rank(engine: &str) -> usize {
    ENGINES
        .iter()
        .position(|name| *name == engine)
        .unwrap_or(ENGINES.len())
}

fn list_from_env(name: &str) -> Vec<String> {
    std::env::var(name)
        .map(|text| {
            text.split(',')
                .map(str::trim)
                .filter(|part| !part.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Reads every case folder; a malformed case becomes a problem, not a panic.
fn load_cases(root: &Path, problems: &mut Vec<String>) -> Vec<Case> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap_or_else(|error| panic!("cannot read the corpus at {}: {error}", root.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    let mut cases = Vec::new();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut missing: Vec<String> = ENGINES
            .iter()
            .map(|ext| format!("spell.{ext}"))
            .chain(["expected.txt".to_owned()])
            .filter(|file| !dir.join(file).is_file())
            .collect();
        if !missing.is_empty() {
            missing.sort();
            problems.push(format!(
                "── {name} ──\nthe case lacks {}",
                missing.join(", ")
            ));
            continue;
        }
        let options_text = std::fs::read_to_string(dir.join("case.toml")).unwrap_or_default();
        let options: CaseOptions = match toml::from_str(&options_text) {
            Ok(options) => options,
            Err(error) => {
                problems.push(format!("── {name} ──\ncase.toml: {error}"));
                continue;
            }
        };
        let expected = std::fs::read_to_string(dir.join("expected.txt")).unwrap();
        cases.push(Case {
            name,
            dir,
            options,
            expected,
        });
    }
    cases
}

/// Runs one case in one engine; `Err` holds a readable report of every difference.
fn run_case(case: &Case, engine: &str) -> Result<Duration, String> {
    let workspace = tempfile::Builder::new()
        .prefix(&format!("llmspell-conformance-{}-{engine}-", case.name))
        .tempdir()
        .map_err(|error| format!("cannot create a workspace: {error}"))?;
    let root = workspace.path();
    prepare_workspace(case, engine, root)?;

    let spell = format!("spell.{engine}");
    let mut stdout = String::new();
    let mut last: Option<Outcome> = None;
    let mut report = String::new();
    let mut elapsed = Duration::ZERO;
    for run in 1..=case.options.runs {
        let outcome = run_binary(root, &spell, &case.options)?;
        stdout.push_str(&outcome.stdout);
        elapsed += outcome.elapsed;
        let runs = case.options.runs;
        let label = if runs > 1 {
            format!(" (run {run} of {runs})")
        } else {
            String::new()
        };
        check_exit(case, &outcome, &label, &mut report);
        let stop = outcome.hung || outcome.exit.is_none();
        last = Some(outcome);
        if stop {
            break;
        }
    }
    let last = last.expect("at least one run");

    if stdout != case.expected {
        let _ = writeln!(
            report,
            "stdout differs{}",
            first_difference(&case.expected, &stdout)
        );
        let _ = writeln!(report, "  expected:\n{}", indent(&case.expected));
        let _ = writeln!(report, "  got:\n{}", indent(&truncate(&stdout, 4000)));
    }
    if let Some(code) = &case.options.error_code {
        match error_code(&last.stderr) {
            Some(got) if got == *code => {}
            got => {
                let _ = writeln!(
                    report,
                    "error code: expected [{code}], got {}",
                    got.map_or("no `[code]` on stderr".to_owned(), |got| format!("[{got}]"))
                );
            }
        }
    }
    let stderr = strip_ansi(&last.stderr);
    for needle in &case.options.stderr_contains {
        let needle = needle.replace("{ext}", engine);
        if !stderr.contains(&needle) {
            let _ = writeln!(report, "stderr lacks {needle:?}");
        }
    }
    for path in &case.options.expect_files {
        if !root.join(path).exists() {
            let _ = writeln!(report, "the workspace lacks {path} after the run");
        }
    }
    if report.is_empty() {
        Ok(elapsed)
    } else {
        let _ = writeln!(report, "  stderr:\n{}", indent(&truncate(&stderr, 3000)));
        Err(report)
    }
}

/// Copies the case's spell for `engine` (and any fixture files beside it, but not the other
/// spells or the case's own metadata), writes `llmspell.toml`, and creates `files` and `symlinks`.
fn prepare_workspace(case: &Case, engine: &str, root: &Path) -> Result<(), String> {
    let config = case.options.config.as_deref().unwrap_or(WORKSPACE_CONFIG);
    std::fs::write(root.join("llmspell.toml"), config)
        .map_err(|error| format!("cannot write llmspell.toml: {error}"))?;
    let spell_dir = root.join(case.options.spell_dir.as_deref().unwrap_or("."));
    std::fs::create_dir_all(&spell_dir)
        .map_err(|error| format!("cannot create the spell's folder: {error}"))?;
    for entry in std::fs::read_dir(&case.dir).map_err(|error| error.to_string())? {
        let path = entry.map_err(|error| error.to_string())?.path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let other_spell = ENGINES
            .iter()
            .any(|ext| name == format!("spell.{ext}") && *ext != engine);
        if other_spell || name == "expected.txt" || name == "case.toml" {
            continue;
        }
        let target = if name.starts_with("spell.") {
            spell_dir.join(&name)
        } else {
            root.join(&name)
        };
        copy_tree(&path, &target).map_err(|error| format!("cannot copy {name}: {error}"))?;
    }
    for (relative, text) in &case.options.files {
        let path = root.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|error| format!("{relative}: {error}"))?;
        }
        std::fs::write(&path, text).map_err(|error| format!("{relative}: {error}"))?;
    }
    for (link, target) in &case.options.symlinks {
        let path = root.join(link);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|error| format!("{link}: {error}"))?;
        }
        make_symlink(Path::new(target), &path)
            .map_err(|error| format!("symlink {link}: {error}"))?;
    }
    Ok(())
}

#[cfg(unix)]
fn make_symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn make_symlink(_target: &Path, _link: &Path) -> std::io::Result<()> {
    Err(std::io::Error::other("symlink cases need a unix host"))
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    if from.is_dir() {
        std::fs::create_dir_all(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        std::fs::copy(from, to).map(|_| ())
    }
}

/// Runs `llmspell run <spell> <args> -p k=v…` in the spell's folder (the workspace root unless
/// `spell_dir` says otherwise), killing it after [`KILL_AFTER`].
fn run_binary(root: &Path, spell: &str, options: &CaseOptions) -> Result<Outcome, String> {
    let folder = root.join(options.spell_dir.as_deref().unwrap_or("."));
    let mut command = Command::new(env!("CARGO_BIN_EXE_llmspell"));
    command
        .current_dir(folder)
        .arg("run")
        .arg(spell)
        .args(&options.args);
    for (key, value) in &options.params {
        command.arg("-p").arg(format!("{key}={value}"));
    }
    command
        .env_remove("LLMSPELL_CONFIG")
        .env_remove("LLMSPELL_LOG")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|error| format!("cannot start llmspell: {error}"))?;
    let stdout_reader = reader(child.stdout.take().unwrap());
    let stderr_reader = reader(child.stderr.take().unwrap());
    let mut hung = false;
    let status: ExitStatus = loop {
        match child.try_wait().map_err(|error| error.to_string())? {
            Some(status) => break status,
            None if started.elapsed() > KILL_AFTER => {
                hung = true;
                let _ = child.kill();
                break child.wait().map_err(|error| error.to_string())?;
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    let elapsed = started.elapsed();
    let stdout = stdout_reader.join().unwrap_or_default();
    let stderr = stderr_reader.join().unwrap_or_default();
    Ok(Outcome {
        stdout,
        stderr,
        exit: status.code(),
        signal: signal_of(&status),
        hung,
        elapsed,
    })
}

fn reader(mut pipe: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

#[cfg(unix)]
fn signal_of(status: &ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt as _;
    status.signal()
}

#[cfg(not(unix))]
fn signal_of(_status: &ExitStatus) -> Option<i32> {
    None
}

fn check_exit(case: &Case, outcome: &Outcome, label: &str, report: &mut String) {
    if outcome.hung {
        let _ = writeln!(
            report,
            "hung{label}: killed after {}s",
            KILL_AFTER.as_secs()
        );
    } else if let Some(signal) = outcome.signal {
        let _ = writeln!(
            report,
            "crashed{label}: killed by signal {signal} (expected exit {})",
            case.options.exit
        );
    } else if outcome.exit != Some(case.options.exit) {
        let _ = writeln!(
            report,
            "exit code{label}: expected {}, got {}",
            case.options.exit,
            outcome
                .exit
                .map_or("none".to_owned(), |code| code.to_string())
        );
    }
}

/// The `[code]` of the error report: the last line of the form `… [code]` before the stack.
fn error_code(stderr: &str) -> Option<String> {
    let stderr = strip_ansi(stderr);
    let mut found = None;
    for line in stderr.lines() {
        if line == "stack:" {
            break;
        }
        let line = line.trim_end();
        let Some(body) = line.strip_suffix(']') else {
            continue;
        };
        let Some(start) = body.rfind('[') else {
            continue;
        };
        let code = &body[start + 1..];
        if !code.is_empty()
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            found = Some(code.to_owned());
        }
    }
    found
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn first_difference(expected: &str, got: &str) -> String {
    let mut expected_lines = expected.split_inclusive('\n');
    let mut got_lines = got.split_inclusive('\n');
    let mut number = 1;
    loop {
        match (expected_lines.next(), got_lines.next()) {
            (None, None) => return String::new(),
            (a, b) if a == b => number += 1,
            (a, b) => {
                return format!(
                    " at line {number}: expected {:?}, got {:?}",
                    a.unwrap_or("<end>"),
                    b.unwrap_or("<end>")
                );
            }
        }
    }
}

fn indent(text: &str) -> String {
    if text.is_empty() {
        return "    <empty>".to_owned();
    }
    text.lines()
        .map(|line| format!("    |{line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn truncate(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n… ({} more bytes)", &text[..end], text.len() - end)
}
