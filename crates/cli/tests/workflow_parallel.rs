//! `workflow.parallel` runs LLM-bound steps concurrently in every engine: eight agents whose
//! model answers after 200 ms, against a local OpenAI-format test server. The server counts
//! how many requests were in flight at once (the proof); the wall-clock bound is generous. Also
//! `await Promise.all` (JS) and `async.all` (Lua) over agent runs, function steps that run agents,
//! and script-defined tools called by parallel agents (run one at a time on the spell thread).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use llmspell_llm::testing::{Reply, TestServer, WireFormat};

const LUA: &str = r#"
local steps = {}
for i = 1, 8 do
  steps[i] = agent.create({ name = "a" .. i })
end
local fan = workflow.parallel({ name = "fan", steps = steps })
local result = fan:run("go")
print(#result:keys(), result:get("a1").output, result:get("a8").output)
"#;

const JS: &str = r#"
const steps = [];
for (let i = 1; i <= 8; i++) {
  steps.push(agent.create({ name: "a" + i }));
}
const fan = workflow.parallel({ name: "fan", steps: steps });
const result = await fan.run("go");
print(result.keys().length, result.get("a1").output, result.get("a8").output);
"#;

const RHAI: &str = r#"
let steps = [];
for i in 1..=8 {
  steps.push(agent.create(#{ name: "a" + i }));
}
let fan = workflow.parallel(#{ name: "fan", steps: steps });
let result = fan.run("go");
print(result.keys().len(), result.get("a1").output, result.get("a8").output);
"#;

fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn run(dir: &Path, spell: &str) -> (i32, String, String, Duration) {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_llmspell"))
        .args(["run", "--quiet", spell])
        .current_dir(dir)
        .env_remove("LLMSPELL_CONFIG")
        .env_remove("LLMSPELL_MODEL")
        .env_remove("OPENAI_API_KEY")
        .env("OLLAMA_HOST", format!("127.0.0.1:{}", closed_port()))
        .env("SLOW_KEY", "sk-test")
        .output()
        .expect("the llmspell binary runs");
    let elapsed = started.elapsed();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        elapsed,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_agent_steps_of_200_ms_overlap_in_every_engine() {
    for (file, source) in [("fan.lua", LUA), ("fan.js", JS), ("fan.rhai", RHAI)] {
        let server = TestServer::start(WireFormat::OpenAi).await;
        server.set_fallback(Reply::text("done").with_latency(Duration::from_millis(200)));
        let dir = tempfile::tempdir().unwrap();
        let config = format!(
            "[llm]\ndefault_model = \"slow/gpt-test\"\n\n[providers.slow]\nkind = \"openai\"\n\
             base_url = \"{}\"\napi_key_env = \"SLOW_KEY\"\n",
            server.base_url()
        );
        std::fs::write(dir.path().join("llmspell.toml"), config).unwrap();
        std::fs::write(dir.path().join(file), source).unwrap();
        let workspace = dir.path().to_owned();
        let (code, stdout, stderr, elapsed) =
            tokio::task::spawn_blocking(move || run(&workspace, file))
                .await
                .unwrap();
        assert_eq!(
            (code, stdout.as_str()),
            (0, "9 done done\n"),
            "{file}: {stderr}"
        );
        assert_eq!(server.requests().len(), 8, "{file}");
        assert_eq!(
            server.peak_concurrent_requests(),
            8,
            "{file}: the steps did not overlap"
        );
        // Serially this is at least 1.6 s; process start-up is included here.
        assert!(
            elapsed < Duration::from_millis(1200),
            "{file} took {elapsed:?}"
        );
    }
}

/// A spell, its workspace, and the slow server its default model points at.
struct Slow {
    server: TestServer,
    dir: tempfile::TempDir,
}

async fn slow_workspace() -> Slow {
    let server = TestServer::start(WireFormat::OpenAi).await;
    server.set_fallback(Reply::text("done").with_latency(Duration::from_millis(200)));
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[llm]\ndefault_model = \"slow/gpt-test\"\n\n[providers.slow]\nkind = \"openai\"\n\
         base_url = \"{}\"\napi_key_env = \"SLOW_KEY\"\n",
        server.base_url()
    );
    std::fs::write(dir.path().join("llmspell.toml"), config).unwrap();
    Slow { server, dir }
}

async fn run_in(slow: &Slow, file: &'static str, source: &str) -> (i32, String, String, Duration) {
    std::fs::write(slow.dir.path().join(file), source).unwrap();
    let workspace = slow.dir.path().to_owned();
    tokio::task::spawn_blocking(move || run(&workspace, file))
        .await
        .unwrap()
}

const JS_PROMISE_ALL: &str = r#"
const agents = [];
for (let i = 1; i <= 8; i++) {
  agents.push(agent.create({ name: "a" + i }));
}
const results = await Promise.all(agents.map((a, i) => a.run("go " + (i + 1))));
print(results.length, results[0], results[7]);
"#;

const LUA_ASYNC_ALL: &str = r#"
local agents, fns = {}, {}
for i = 1, 8 do
  agents[i] = agent.create({ name = "a" .. i })
  fns[i] = function() return agents[i]:run("go " .. i) end
end
local results = async.all(fns)
print(#results, results[1], results[8])
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn js_promise_all_and_lua_async_all_keep_eight_agent_runs_in_flight() {
    for (file, source) in [("all.js", JS_PROMISE_ALL), ("all.lua", LUA_ASYNC_ALL)] {
        let slow = slow_workspace().await;
        let (code, stdout, stderr, elapsed) = run_in(&slow, file, source).await;
        assert_eq!(
            (code, stdout.as_str()),
            (0, "8 done done\n"),
            "{file}: {stderr}"
        );
        assert_eq!(slow.server.requests().len(), 8, "{file}");
        assert_eq!(
            slow.server.peak_concurrent_requests(),
            8,
            "{file}: the agent runs did not overlap"
        );
        // Serially this is at least 1.6 s; process start-up is included here.
        assert!(
            elapsed < Duration::from_millis(1200),
            "{file} took {elapsed:?}"
        );
    }
}

// Eight parallel agents each call the script-defined tool `mark` once. The tool counts how
// many of its calls are inside its body at the same time, around a busy loop long enough for
// a second thread entering the interpreter to be caught: the script's state is one thread's,
// so the most at once must be 1 and every increment must land, while the model calls around
// the tool calls still overlap (peak 8 at the server).
const LUA_TOOL: &str = r#"
local inside, most, calls = 0, 0, 0
tools.define({
  name = "mark",
  description = "Counts its calls",
  params = { type = "object" },
  run = function(args)
    inside = inside + 1
    if inside > most then most = inside end
    local s = 0
    for k = 1, 200000 do s = s + k end
    calls = calls + 1
    inside = inside - 1
    return "marked"
  end,
})
local steps = {}
for i = 1, 8 do
  steps[i] = agent.create({ name = "a" .. i, tools = { "mark" } })
end
local result = workflow.parallel({ name = "fan", steps = steps }):run("go")
print(#result:keys(), result:get("a8").output, calls, most)
"#;

const JS_TOOL: &str = r#"
let inside = 0, most = 0, calls = 0;
tools.define({
  name: "mark",
  description: "Counts its calls",
  params: { type: "object" },
  run: (args) => {
    inside += 1;
    if (inside > most) most = inside;
    let s = 0;
    for (let k = 1; k <= 200000; k++) s += k;
    calls += 1;
    inside -= 1;
    return "marked";
  },
});
const steps = [];
for (let i = 1; i <= 8; i++) {
  steps.push(agent.create({ name: "a" + i, tools: ["mark"] }));
}
const result = await workflow.parallel({ name: "fan", steps: steps }).run("go");
print(result.keys().length, result.get("a8").output, calls, most);
"#;

const RHAI_TOOL: &str = r#"
let counts = #{ inside: 0, most: 0, calls: 0 };
tools.define(#{
  name: "mark",
  description: "Counts its calls",
  params: #{ type: "object" },
  run: |args| {
    counts.inside += 1;
    if counts.inside > counts.most { counts.most = counts.inside; }
    let s = 0;
    for k in 1..=20000 { s += k; }
    counts.calls += 1;
    counts.inside -= 1;
    "marked"
  },
});
let steps = [];
for i in 1..=8 {
  steps.push(agent.create(#{ name: "a" + i, tools: ["mark"] }));
}
let result = workflow.parallel(#{ name: "fan", steps: steps }).run("go");
print(result.keys().len(), result.get("a8").output, counts.calls, counts.most);
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_tool_called_by_parallel_agents_runs_one_call_at_a_time_on_the_spell_thread() {
    for (file, source) in [
        ("tool.lua", LUA_TOOL),
        ("tool.js", JS_TOOL),
        ("tool.rhai", RHAI_TOOL),
    ] {
        let slow = slow_workspace().await;
        for _ in 0..8 {
            slow.server.push(
                Reply::tool_calls([("mark", serde_json::json!({}))])
                    .with_latency(Duration::from_millis(200)),
            );
        }
        let (code, stdout, stderr, elapsed) = run_in(&slow, file, source).await;
        assert_eq!(
            (code, stdout.as_str()),
            (0, "9 done 8 1\n"),
            "{file}: {stderr}"
        );
        let requests = slow.server.requests();
        assert_eq!(requests.len(), 16, "{file}");
        assert_eq!(
            slow.server.peak_concurrent_requests(),
            8,
            "{file}: the agents did not overlap"
        );
        // Two model rounds of 200 ms each; serially at least 3.2 s.
        assert!(
            elapsed < Duration::from_millis(2000),
            "{file} took {elapsed:?}"
        );
    }
}

// Function steps are script callbacks, run on the spell thread one at a time; when one waits
// on an I/O-bound call (here an agent run), the spell thread runs the next one meanwhile, so
// eight function steps that each run an agent still overlap, Rhai included.
const LUA_FUNCTION_STEPS: &str = r#"
local steps = {}
for i = 1, 8 do
  local a = agent.create({ name = "a" .. i })
  steps[i] = function(state) return a:run("go") end
end
local result = workflow.parallel({ name = "fan", steps = steps }):run("go")
print(#result:keys(), result:get("step1"), result:get("step8"))
"#;

const JS_FUNCTION_STEPS: &str = r#"
const steps = [];
for (let i = 1; i <= 8; i++) {
  const a = agent.create({ name: "a" + i });
  steps.push(async (state) => await a.run("go"));
}
const result = await workflow.parallel({ name: "fan", steps: steps }).run("go");
print(result.keys().length, result.get("step1"), result.get("step8"));
"#;

const RHAI_FUNCTION_STEPS: &str = r#"
let steps = [];
for i in 1..=8 {
  let a = agent.create(#{ name: "a" + i });
  steps.push(|state| a.run("go"));
}
let result = workflow.parallel(#{ name: "fan", steps: steps }).run("go");
print(result.keys().len(), result.get("step1"), result.get("step8"));
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn function_steps_that_run_agents_overlap_in_every_engine() {
    for (file, source) in [
        ("steps.lua", LUA_FUNCTION_STEPS),
        ("steps.js", JS_FUNCTION_STEPS),
        ("steps.rhai", RHAI_FUNCTION_STEPS),
    ] {
        let slow = slow_workspace().await;
        let (code, stdout, stderr, elapsed) = run_in(&slow, file, source).await;
        assert_eq!(
            (code, stdout.as_str()),
            (0, "9 done done\n"),
            "{file}: {stderr}"
        );
        assert_eq!(slow.server.requests().len(), 8, "{file}");
        assert_eq!(
            slow.server.peak_concurrent_requests(),
            8,
            "{file}: the function steps did not overlap"
        );
        assert!(
            elapsed < Duration::from_millis(1200),
            "{file} took {elapsed:?}"
        );
    }
}
