//! A spell whose agent calls a tool the spell defines works the same in Lua, JavaScript and
//! Rhai against every vendor's wire format: the model (a local test server speaking OpenAI,
//! Anthropic, Gemini or Ollama) asks for the tool, the spell's function runs, its result goes
//! back to the model in that vendor's shape, and the final answer reaches the script.

use std::path::Path;
use std::process::Command;

use llmspell_llm::testing::{Reply, TEST_API_KEY, TestServer, WireFormat};
use serde_json::json;

const LUA: &str = r#"
tools.define({
  name = "lookup",
  description = "Looks a topic up",
  params = { type = "object", properties = { topic = { type = "string" } }, required = { "topic" } },
  run = function(args) return "fact about " .. args.topic end,
})
local researcher = agent.create({ name = "researcher", tools = { "lookup" } })
print(researcher:run("tell me about rust"))
"#;

const JS: &str = r#"
tools.define({
  name: "lookup",
  description: "Looks a topic up",
  params: { type: "object", properties: { topic: { type: "string" } }, required: ["topic"] },
  run: (args) => "fact about " + args.topic,
});
const researcher = agent.create({ name: "researcher", tools: ["lookup"] });
print(await researcher.run("tell me about rust"));
"#;

const RHAI: &str = r#"
tools.define(#{
  name: "lookup",
  description: "Looks a topic up",
  params: #{ type: "object", properties: #{ topic: #{ type: "string" } }, required: ["topic"] },
  run: |args| "fact about " + args.topic,
});
let researcher = agent.create(#{ name: "researcher", tools: ["lookup"] });
print(researcher.run("tell me about rust"));
"#;

fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn run(dir: &Path, spell: &str) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_llmspell"))
        .args(["run", "--quiet", spell])
        .current_dir(dir)
        .env_remove("LLMSPELL_CONFIG")
        .env_remove("LLMSPELL_MODEL")
        .env_remove("OPENAI_API_KEY")
        .env_remove("ANTHROPIC_API_KEY")
        .env_remove("GEMINI_API_KEY")
        .env("OLLAMA_HOST", format!("127.0.0.1:{}", closed_port()))
        .env("TEST_KEY", TEST_API_KEY)
        .output()
        .expect("the llmspell binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_calls_a_script_defined_tool_with_every_vendor_in_every_engine() {
    for wire in WireFormat::ALL {
        for (file, source) in [("agent.lua", LUA), ("agent.js", JS), ("agent.rhai", RHAI)] {
            let server = TestServer::start(wire).await;
            server.push(Reply::tool_calls([("lookup", json!({ "topic": "rust" }))]));
            server.push(Reply::text("Rust is a systems language."));
            let dir = tempfile::tempdir().unwrap();
            let key_line = match wire {
                WireFormat::Ollama => String::new(),
                _ => "api_key_env = \"TEST_KEY\"\n".to_owned(),
            };
            let config = format!(
                "[llm]\ndefault_model = \"vendor/test-model\"\n\n[providers.vendor]\nkind = \"{}\"\n\
                 base_url = \"{}\"\n{key_line}",
                wire.name(),
                server.base_url()
            );
            std::fs::write(dir.path().join("llmspell.toml"), config).unwrap();
            std::fs::write(dir.path().join(file), source).unwrap();

            let (code, stdout, stderr) = run(dir.path(), file);
            let case = format!("{} / {file}", wire.name());
            assert_eq!((code, stdout.as_str()), (0, "Rust is a systems language.\n"), "{case}: {stderr}");

            let requests = server.requests();
            assert_eq!(requests.len(), 2, "{case}: the model is asked, then told the tool's result");
            let first = requests[0].body.to_string();
            assert!(first.contains("lookup") && first.contains("Looks a topic up"), "{case}: the tool is offered: {first}");
            let second = requests[1].body.to_string();
            assert!(
                second.contains("fact about rust"),
                "{case}: the script function's result goes back to the model: {second}"
            );
        }
    }
}
