//! Recording real provider exchanges (against the wire-format servers) and replaying them: the
//! replay gives back exactly what the run saw, without a server.

use std::sync::Arc;

use futures::StreamExt;
use llmspell_llm::testing::{Reply, TestServer, WireFormat};
use llmspell_llm::{
    ErrorCode, Provider, ProviderKind, Recorder, ReplayLog, Request, ToolSpec, build_provider,
};
use serde_json::json;

/// Every item of a stream, as JSON (errors included), to compare runs byte for byte.
async fn stream_as_json(provider: &Arc<dyn Provider>, request: Request) -> Vec<String> {
    provider
        .stream(request)
        .map(|item| match item {
            Ok(event) => serde_json::to_string(&event).unwrap(),
            Err(error) => format!("error {}", serde_json::to_string(&error).unwrap()),
        })
        .collect()
        .await
}

fn tool_request() -> Request {
    let mut request = Request::from_prompt("m", "weather?");
    request.tools = vec![ToolSpec {
        name: "get_weather".into(),
        description: "".into(),
        parameters: json!({"type": "object"}),
    }];
    request
}

#[tokio::test]
async fn a_recorded_run_against_every_vendor_replays_byte_for_byte() {
    for wire in WireFormat::ALL {
        let server = TestServer::start(wire).await;
        server.push(Reply::text("Hello there"));
        server.push(
            Reply::chunks(["stre", "amed"]).with_tool_call("get_weather", json!({"city": "Oslo"})),
        );
        server.push(Reply::chunks(["a", "b", "c"]).error_event_after(2));
        server.push(Reply::status(400));
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("run.json");
        let recorder = Recorder::create(&path).unwrap();
        let live = recorder.wrap(build_provider(&server.provider_config(wire.name())).unwrap());

        let chat = live.chat(Request::from_prompt("m", "hi")).await.unwrap();
        let streamed = stream_as_json(&live, tool_request()).await;
        let failed_stream = stream_as_json(&live, Request::from_prompt("m", "fail mid-way")).await;
        let failed_chat = live
            .chat(Request::from_prompt("m", "bad request"))
            .await
            .unwrap_err();
        assert!(
            failed_stream.last().unwrap().starts_with("error"),
            "{wire:?}: {failed_stream:?}"
        );
        drop(server);

        let log = ReplayLog::open(&path).unwrap();
        let replay = log.provider(wire.name(), wire.provider_kind());
        assert_eq!(
            replay.chat(Request::from_prompt("m", "hi")).await.unwrap(),
            chat,
            "{wire:?}"
        );
        assert_eq!(
            stream_as_json(&replay, tool_request()).await,
            streamed,
            "{wire:?}"
        );
        assert_eq!(
            stream_as_json(&replay, Request::from_prompt("m", "fail mid-way")).await,
            failed_stream,
            "{wire:?}"
        );
        assert_eq!(
            replay
                .chat(Request::from_prompt("m", "bad request"))
                .await
                .unwrap_err(),
            failed_chat,
            "{wire:?}"
        );
        assert_eq!(log.remaining(), 0);
        let extra = replay
            .chat(Request::from_prompt("m", "hi"))
            .await
            .unwrap_err();
        assert_eq!(extra.code, ErrorCode::ReplayMismatch);
    }
}

#[tokio::test]
async fn a_replay_asked_for_another_provider_fails_clearly() {
    let server = TestServer::start(WireFormat::OpenAi).await;
    server.push(Reply::text("x"));
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("run.json");
    let recorder = Recorder::create(&path).unwrap();
    let live = recorder.wrap(build_provider(&server.provider_config("openai")).unwrap());
    live.chat(Request::from_prompt("m", "hi")).await.unwrap();
    let replay = ReplayLog::open(&path)
        .unwrap()
        .provider("anthropic", ProviderKind::Anthropic);
    let error = replay
        .chat(Request::from_prompt("m", "hi"))
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::ReplayMismatch);
    assert!(
        error.message.contains("provider `openai`")
            && error.message.contains("provider `anthropic`"),
        "{error}"
    );
}

#[tokio::test]
async fn reachability_is_any_http_answer() {
    for wire in WireFormat::ALL {
        let server = TestServer::start(wire).await;
        let config = server.provider_config("remote");
        assert!(
            llmspell_llm::is_reachable(&config, std::time::Duration::from_secs(5)).await,
            "{wire:?}"
        );
        if wire == WireFormat::Ollama {
            let probe = server.requests().pop().unwrap();
            assert_eq!(
                (probe.method.as_str(), probe.path.as_str()),
                ("GET", "/api/version")
            );
        }
    }
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let config = llmspell_llm::ProviderConfig::new("local", ProviderKind::Ollama)
        .with_base_url(format!("http://{closed}"));
    assert!(!llmspell_llm::is_reachable(&config, std::time::Duration::from_secs(5)).await);
    let scripted = llmspell_llm::ProviderConfig::new("offline", ProviderKind::Scripted);
    assert!(llmspell_llm::is_reachable(&scripted, std::time::Duration::from_millis(1)).await);
}
