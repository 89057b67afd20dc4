//! `workflow.parallel` runs LLM-bound steps concurrently in every engine: eight agents whose
//! model answers after 200 ms, against a local OpenAI-format test server. The server counts
//! how many requests were in flight at once (the proof); the wall-clock bound is generous.

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
