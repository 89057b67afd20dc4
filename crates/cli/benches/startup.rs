//! Start-up, peak memory and host-call cost of `llmspell run`, side by side with the reference
//! interpreters, in one run; then, per engine, the parallel-workflow ratio (8 agent steps whose
//! model answers after 200 ms, from a local OpenAI-format test server started here, vs 1 such
//! step) and the per-step overhead of a sequential workflow of trivial function steps. Prints
//! Markdown tables (`cargo bench -p llmspell-cli --bench startup`).
//!
//! Not a test: these machines are shared and noisy, so read the ratios, not the absolute times.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 30;
const CALLS: u64 = 100_000;
const STEPS: usize = 100;
const LATENCY: Duration = Duration::from_millis(200);

struct Sample {
    wall: Duration,
    max_rss_kib: i64,
}

/// Runs a command once and returns its wall time and peak RSS (from `wait4`).
fn measure(program: &Path, args: &[&str], dir: &Path) -> Sample {
    let start = Instant::now();
    let child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {}: {error}", program.display()));
    let mut status = 0;
    // SAFETY: rusage is plain data, and the pid is our own child, waited for exactly once.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(waited, pid, "wait4 failed");
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "{} {args:?} failed", program.display());
    Sample { wall, max_rss_kib: usage.ru_maxrss }
}

/// Runs a command once and checks what it prints (the timed runs discard their output).
fn expect_output(program: &Path, args: &[&str], dir: &Path, expected: &str) {
    let output = Command::new(program).args(args).current_dir(dir).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout == expected,
        "{args:?} printed {stdout:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

struct Row {
    name: String,
    median: Duration,
    min: Duration,
    rss_kib: i64,
}

fn bench(name: &str, program: &Path, args: &[&str], dir: &Path) -> Row {
    measure(program, args, dir); // warm the page cache
    let mut samples: Vec<Sample> = (0..RUNS).map(|_| measure(program, args, dir)).collect();
    samples.sort_by_key(|sample| sample.wall);
    let rss_kib = samples.iter().map(|sample| sample.max_rss_kib).max().unwrap_or(0);
    Row { name: name.to_owned(), median: samples[RUNS / 2].wall, min: samples[0].wall, rss_kib }
}

fn find(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths).map(|dir| dir.join(program)).find(|path| path.is_file())
    })
}

fn ms(duration: Duration) -> String {
    format!("{:.2}", duration.as_secs_f64() * 1000.0)
}

fn main() {
    // The key the bench's provider reads; set before any thread starts, inherited by the runs.
    // SAFETY: no other thread exists yet.
    unsafe { std::env::set_var("LLMSPELL_BENCH_KEY", "sk-bench") };
    let llmspell = PathBuf::from(env!("CARGO_BIN_EXE_llmspell"));
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();

    let mut rows = Vec::new();
    for ext in ["lua", "js", "rhai"] {
        let hello = repo.join(format!("spells/hello.{ext}"));
        let hello = hello.to_str().unwrap().to_owned();
        rows.push(bench(&format!("llmspell run hello.{ext}"), &llmspell, &["run", &hello], dir));
    }
    match find("lua5.4") {
        Some(lua) => rows.push(bench("lua5.4 -e (Debian)", &lua, &["-e", "print('Hello, world!')"], dir)),
        None => println!("lua5.4 is not installed (apt-get install lua5.4): no Lua reference row"),
    }
    match find("qjs") {
        Some(qjs) => rows.push(bench("qjs -e", &qjs, &["-e", "console.log('Hello, world!')"], dir)),
        None => println!("qjs is not installed (Debian 12 has no package): no QuickJS reference row"),
    }
    let baseline = rows.iter().find(|row| row.name.starts_with("lua5.4")).map(|row| row.median);

    println!("\n## Start-up and peak memory ({RUNS} runs each)\n");
    println!("| command | median ms | min ms | peak RSS MiB | vs lua5.4 |");
    println!("|---|---|---|---|---|");
    for row in &rows {
        let ratio = baseline
            .map(|base| format!("{:.1}×", row.median.as_secs_f64() / base.as_secs_f64()))
            .unwrap_or_else(|| "–".into());
        println!(
            "| {} | {} | {} | {:.1} | {ratio} |",
            row.name,
            ms(row.median),
            ms(row.min),
            row.rss_kib as f64 / 1024.0
        );
    }

    // The cost of one host call: a loop that calls json.encode minus the same loop without it.
    let loops = [
        (
            "lua",
            format!("local s = 0\nfor i = 1, {CALLS} do s = s + #json.encode(i) end\nprint(s)\n"),
            format!("local s = 0\nfor i = 1, {CALLS} do s = s + #tostring(i) end\nprint(s)\n"),
        ),
        (
            "js",
            format!("let s = 0;\nfor (let i = 1; i <= {CALLS}; i++) {{ s += json.encode(i).length; }}\nprint(s);\n"),
            format!("let s = 0;\nfor (let i = 1; i <= {CALLS}; i++) {{ s += String(i).length; }}\nprint(s);\n"),
        ),
        (
            "rhai",
            format!("let s = 0;\nfor i in 1..={CALLS} {{ s += json.encode(i).len(); }}\nprint(s);\n"),
            format!("let s = 0;\nfor i in 1..={CALLS} {{ s += i.to_string().len(); }}\nprint(s);\n"),
        ),
    ];
    println!("\n## {CALLS} calls of one host function (`json.encode(i)`), per engine\n");
    println!("| engine | with calls ms | plain loop ms | per call ns |");
    println!("|---|---|---|---|");
    for (ext, with_calls, plain) in loops {
        let calls_file = dir.join(format!("calls.{ext}"));
        let plain_file = dir.join(format!("plain.{ext}"));
        std::fs::write(&calls_file, with_calls).unwrap();
        std::fs::write(&plain_file, plain).unwrap();
        let calls = bench(ext, &llmspell, &["run", calls_file.to_str().unwrap()], dir);
        let base = bench(ext, &llmspell, &["run", plain_file.to_str().unwrap()], dir);
        let per_call = (calls.median.as_secs_f64() - base.median.as_secs_f64()) / CALLS as f64 * 1e9;
        println!("| {ext} | {} | {} | {per_call:.0} |", ms(calls.median), ms(base.median));
    }

    parallel_workflows(&llmspell, dir);
    sequential_steps(&llmspell, dir);
}

/// A spell running `workflow.parallel` of `steps` agent steps, each one model call.
fn parallel_spell(ext: &str, steps: usize) -> String {
    match ext {
        "lua" => format!(
            "local steps = {{}}\nfor i = 1, {steps} do steps[i] = agent.create({{ name = \"a\" .. i }}) end\n\
             local result = workflow.parallel({{ name = \"fan\", steps = steps }}):run(\"go\")\n\
             print(result:get(\"a1\").output)\n"
        ),
        "js" => format!(
            "const steps = [];\nfor (let i = 1; i <= {steps}; i++) steps.push(agent.create({{ name: \"a\" + i }}));\n\
             const result = await workflow.parallel({{ name: \"fan\", steps: steps }}).run(\"go\");\n\
             print(result.get(\"a1\").output);\n"
        ),
        _ => format!(
            "let steps = [];\nfor i in 1..={steps} {{ steps.push(agent.create(#{{ name: \"a\" + i }})); }}\n\
             let result = workflow.parallel(#{{ name: \"fan\", steps: steps }}).run(\"go\");\n\
             print(result.get(\"a1\").output);\n"
        ),
    }
}

/// The parallel-workflow ratio per engine, against a slow local OpenAI-format server.
fn parallel_workflows(llmspell: &Path, dir: &Path) {
    use llmspell_llm::testing::{Reply, TestServer, WireFormat};

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::start(WireFormat::OpenAi));
    server.set_fallback(Reply::text("done").with_latency(LATENCY));
    let workspace = dir.join("llm");
    std::fs::create_dir_all(&workspace).unwrap();
    let config = format!(
        "[llm]\ndefault_model = \"slow/gpt-bench\"\n\n[providers.slow]\nkind = \"openai\"\n\
         base_url = \"{}\"\napi_key_env = \"LLMSPELL_BENCH_KEY\"\n",
        server.base_url()
    );
    std::fs::write(workspace.join("llmspell.toml"), config).unwrap();

    println!(
        "\n## `workflow.parallel` of 8 agent steps vs 1, model latency {} ms (OpenAI-format test server), per engine\n",
        LATENCY.as_millis()
    );
    println!("| engine | 1 step median ms | 8 steps median ms | 8 steps min ms | ratio of medians | peak requests in flight |");
    println!("|---|---|---|---|---|---|");
    for ext in ["lua", "js", "rhai"] {
        let one = workspace.join(format!("one.{ext}"));
        let eight = workspace.join(format!("eight.{ext}"));
        std::fs::write(&one, parallel_spell(ext, 1)).unwrap();
        std::fs::write(&eight, parallel_spell(ext, 8)).unwrap();
        expect_output(llmspell, &["run", "--quiet", eight.to_str().unwrap()], &workspace, "done\n");
        let single = bench(ext, llmspell, &["run", "--quiet", one.to_str().unwrap()], &workspace);
        let before = server.requests().len();
        let fan = bench(ext, llmspell, &["run", "--quiet", eight.to_str().unwrap()], &workspace);
        assert_eq!(server.requests().len() - before, 8 * (RUNS + 1), "{ext}: every step calls the model once");
        println!(
            "| {ext} | {} | {} | {} | {:.2}× | {} |",
            ms(single.median),
            ms(fan.median),
            ms(fan.min),
            fan.median.as_secs_f64() / single.median.as_secs_f64(),
            server.peak_concurrent_requests()
        );
    }
    drop(server);
    drop(runtime);
}

/// A spell running `workflow.sequential` of `steps` trivial function steps (each adds 1 to `output`).
fn sequential_spell(ext: &str, steps: usize) -> String {
    match ext {
        "lua" => format!(
            "local steps = {{}}\nfor i = 1, {steps} do steps[i] = function(s) return (s:get(\"output\") or 0) + 1 end end\n\
             local result = workflow.sequential({{ name = \"seq\", steps = steps }}):run(\"go\")\n\
             print(result:get(\"output\"))\n"
        ),
        "js" => format!(
            "const steps = [];\nfor (let i = 1; i <= {steps}; i++) steps.push((s) => (s.get(\"output\") ?? 0) + 1);\n\
             const result = await workflow.sequential({{ name: \"seq\", steps: steps }}).run(\"go\");\n\
             print(result.get(\"output\"));\n"
        ),
        _ => format!(
            "let steps = [];\nfor i in 1..={steps} {{ steps.push(|s| (s.get(\"output\") ?? 0) + 1); }}\n\
             let result = workflow.sequential(#{{ name: \"seq\", steps: steps }}).run(\"go\");\n\
             print(result.get(\"output\"));\n"
        ),
    }
}

/// The per-step overhead of a sequential workflow of trivial function steps, per engine.
fn sequential_steps(llmspell: &Path, dir: &Path) {
    println!("\n## `workflow.sequential` of {STEPS} trivial function steps vs 1, per engine\n");
    println!("| engine | 1 step median ms | {STEPS} steps median ms | per step µs |");
    println!("|---|---|---|---|");
    for ext in ["lua", "js", "rhai"] {
        let one = dir.join(format!("seq1.{ext}"));
        let many = dir.join(format!("seq{STEPS}.{ext}"));
        std::fs::write(&one, sequential_spell(ext, 1)).unwrap();
        std::fs::write(&many, sequential_spell(ext, STEPS)).unwrap();
        expect_output(llmspell, &["run", "--quiet", many.to_str().unwrap()], dir, &format!("{STEPS}\n"));
        let single = bench(ext, llmspell, &["run", "--quiet", one.to_str().unwrap()], dir);
        let all = bench(ext, llmspell, &["run", "--quiet", many.to_str().unwrap()], dir);
        let per_step = (all.median.as_secs_f64() - single.median.as_secs_f64()) / (STEPS - 1) as f64 * 1e6;
        println!("| {ext} | {} | {} | {per_step:.1} |", ms(single.median), ms(all.median));
    }
}
