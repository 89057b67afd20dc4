//! Every provider against a local server speaking its vendor's wire format: text, streaming, one
//! and several tool calls (streamed fragments reassembled), structured output, usage, auth
//! failure, rate limits and server errors with retry, a stream cut mid-way or failing with an
//! error event, timeouts and cancellation. Each check runs for every wire format; the request the
//! server received is checked too.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use llmspell_llm::testing::{
    RecordedRequest, Reply, TEST_API_KEY, TEST_THOUGHT_SIGNATURE, TestServer, WireFormat,
};
use llmspell_llm::{
    ErrorCode, FinishReason, LlmError, Message, Provider, ProviderKind, Request, Response,
    RetryPolicy, StreamEvent, ToolCall, ToolSpec, Usage, build_provider, collect_stream,
};
use serde_json::{Value as JsonValue, json};

/// What a test talks to: a wire format, and the provider kind used for it.
#[derive(Clone, Copy, Debug)]
struct Target {
    wire: WireFormat,
    kind: ProviderKind,
}

const OPENAI: Target = Target {
    wire: WireFormat::OpenAi,
    kind: ProviderKind::OpenAi,
};
const OPENAI_COMPATIBLE: Target = Target {
    wire: WireFormat::OpenAi,
    kind: ProviderKind::OpenAiCompatible,
};
const ANTHROPIC: Target = Target {
    wire: WireFormat::Anthropic,
    kind: ProviderKind::Anthropic,
};
const GEMINI: Target = Target {
    wire: WireFormat::Gemini,
    kind: ProviderKind::Gemini,
};
const OLLAMA: Target = Target {
    wire: WireFormat::Ollama,
    kind: ProviderKind::Ollama,
};

const MODEL: &str = "test-model";

async fn start(target: Target) -> (TestServer, Arc<dyn Provider>) {
    let server = TestServer::start(target.wire).await;
    let mut config = server.provider_config("remote");
    config.kind = target.kind;
    let provider = build_provider(&config).unwrap();
    (server, provider)
}

async fn start_with(
    target: Target,
    change: impl FnOnce(&mut llmspell_llm::ProviderConfig),
) -> (TestServer, Arc<dyn Provider>) {
    let server = TestServer::start(target.wire).await;
    let mut config = server.provider_config("remote");
    config.kind = target.kind;
    change(&mut config);
    let provider = build_provider(&config).unwrap();
    (server, provider)
}

/// Fails a test that would hang instead of ending.
async fn within<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), future)
        .await
        .expect("the call ended in time")
}

/// Runs a stream to its end, returning the events before `Done` and the outcome.
async fn run_stream(
    provider: &Arc<dyn Provider>,
    request: Request,
) -> (Vec<StreamEvent>, Result<Response, LlmError>) {
    let mut events = Vec::new();
    let outcome = within(collect_stream(provider.stream(request), |event| {
        events.push(event.clone())
    }))
    .await;
    (events, outcome)
}

fn text_deltas(events: &[StreamEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|event| match event {
            StreamEvent::TextDelta { text } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

fn weather_tool() -> ToolSpec {
    ToolSpec {
        name: "get_weather".into(),
        description: "The weather in a city".into(),
        parameters: json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    }
}

fn person_schema() -> JsonValue {
    json!({
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name", "age"],
        "additionalProperties": false
    })
}

fn only_request(server: &TestServer) -> RecordedRequest {
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "requests: {requests:#?}");
    requests.into_iter().next().unwrap()
}

/// The vendor's tool call id for call `index` as the test server sends it, or our synthetic one.
fn expected_tool_call_id(target: Target, index: usize) -> String {
    match target.wire {
        WireFormat::OpenAi => format!("call_test{index}Xq7"),
        WireFormat::Anthropic => format!("toolu_test{index}Bq9"),
        WireFormat::Gemini | WireFormat::Ollama => format!("call_{index}"),
    }
}

fn expected_signature(target: Target, index: usize) -> Option<String> {
    (target.wire == WireFormat::Gemini && index == 0).then(|| TEST_THOUGHT_SIGNATURE.to_owned())
}

/// The request wire format every call shares: endpoint, streaming flag, auth headers, model,
/// system prompt placement and the user message.
fn assert_common_request_shape(target: Target, request: &RecordedRequest, stream: bool) {
    assert_eq!(request.method, "POST");
    assert_eq!(request.header("content-type"), Some("application/json"));
    let body = &request.body;
    match target.wire {
        WireFormat::OpenAi => {
            assert_eq!(request.path, "/v1/chat/completions");
            assert_eq!(
                request.header("authorization"),
                Some(format!("Bearer {TEST_API_KEY}").as_str())
            );
            assert_eq!(body["model"], json!(MODEL));
            assert_eq!(
                body["messages"][0],
                json!({"role": "system", "content": "Be brief."})
            );
            assert_eq!(
                body["messages"][1],
                json!({"role": "user", "content": "Say hello"})
            );
            if stream {
                assert_eq!(body["stream"], json!(true));
                assert_eq!(body["stream_options"], json!({"include_usage": true}));
            } else {
                assert!(body.get("stream").is_none(), "{body}");
            }
        }
        WireFormat::Anthropic => {
            assert_eq!(request.path, "/v1/messages");
            assert_eq!(request.header("x-api-key"), Some(TEST_API_KEY));
            assert_eq!(request.header("anthropic-version"), Some("2023-06-01"));
            assert_eq!(body["model"], json!(MODEL));
            assert_eq!(body["system"], json!("Be brief."));
            assert_eq!(body["max_tokens"], json!(4096));
            assert_eq!(
                body["messages"][0],
                json!({"role": "user", "content": "Say hello"})
            );
            assert_eq!(body.get("stream").cloned(), stream.then_some(json!(true)));
        }
        WireFormat::Gemini => {
            let method = if stream {
                "streamGenerateContent?alt=sse"
            } else {
                "generateContent"
            };
            assert_eq!(request.path, format!("/v1beta/models/{MODEL}:{method}"));
            assert_eq!(request.header("x-goog-api-key"), Some(TEST_API_KEY));
            assert_eq!(
                body["systemInstruction"],
                json!({"parts": [{"text": "Be brief."}]})
            );
            assert_eq!(
                body["contents"][0],
                json!({"role": "user", "parts": [{"text": "Say hello"}]})
            );
        }
        WireFormat::Ollama => {
            assert_eq!(request.path, "/api/chat");
            assert_eq!(
                request.header("authorization"),
                Some(format!("Bearer {TEST_API_KEY}").as_str())
            );
            assert_eq!(body["model"], json!(MODEL));
            assert_eq!(body["stream"], json!(stream));
            assert_eq!(
                body["messages"][0],
                json!({"role": "system", "content": "Be brief."})
            );
            assert_eq!(
                body["messages"][1],
                json!({"role": "user", "content": "Say hello"})
            );
        }
    }
}

fn hello_request() -> Request {
    let mut request = Request::from_prompt(MODEL, "Say hello");
    request.system = Some("Be brief.".into());
    request
}

async fn check_plain_text(target: Target) {
    let (server, provider) = start(target).await;
    server.push(Reply::text("Hello there, friend.").with_usage(12, 5));
    let response = within(provider.chat(hello_request())).await.unwrap();
    assert_eq!(response.text, "Hello there, friend.");
    assert_eq!(response.provider, "remote");
    assert_eq!(response.model, MODEL);
    assert_eq!(response.finish_reason, FinishReason::Stop);
    assert_eq!(
        response.usage,
        Usage {
            input_tokens: 12,
            output_tokens: 5
        }
    );
    assert!(response.tool_calls.is_empty() && response.data.is_none());
    assert_common_request_shape(target, &only_request(&server), false);
}

async fn check_model_reported_by_the_provider(target: Target) {
    let (server, provider) = start(target).await;
    server.push(Reply::text("hi").with_model("test-model-2024-08-06"));
    let response = within(provider.chat(hello_request())).await.unwrap();
    assert_eq!(response.model, "test-model-2024-08-06");
}

async fn check_sampling_settings(target: Target) {
    let (server, provider) = start(target).await;
    server.push(Reply::text("ok"));
    let mut request = hello_request();
    request.temperature = Some(0.25);
    request.max_tokens = Some(300);
    within(provider.chat(request)).await.unwrap();
    let body = only_request(&server).body;
    let (temperature, max_tokens) = match (target.wire, target.kind) {
        (WireFormat::OpenAi, ProviderKind::OpenAi) => {
            (&body["temperature"], &body["max_completion_tokens"])
        }
        (WireFormat::OpenAi, _) => (&body["temperature"], &body["max_tokens"]),
        (WireFormat::Anthropic, _) => (&body["temperature"], &body["max_tokens"]),
        (WireFormat::Gemini, _) => (
            &body["generationConfig"]["temperature"],
            &body["generationConfig"]["maxOutputTokens"],
        ),
        (WireFormat::Ollama, _) => (
            &body["options"]["temperature"],
            &body["options"]["num_predict"],
        ),
    };
    assert_eq!(
        (temperature, max_tokens),
        (&json!(0.25), &json!(300)),
        "{body}"
    );
}

async fn check_truncated_answer(target: Target) {
    let (server, provider) = start(target).await;
    server.push(Reply::text("Once upon a").truncated());
    let response = within(provider.chat(hello_request())).await.unwrap();
    assert_eq!(response.finish_reason, FinishReason::Length);
    server.push(Reply::text("Once upon a").truncated());
    let (_, streamed) = run_stream(&provider, hello_request()).await;
    assert_eq!(streamed.unwrap().finish_reason, FinishReason::Length);
}

async fn check_streaming_text(target: Target) {
    let (server, provider) = start(target).await;
    server.push(Reply::chunks(["Hel", "lo, ", "wor", "ld!"]).with_usage(9, 4));
    let (events, outcome) = run_stream(&provider, hello_request()).await;
    let response = outcome.unwrap();
    assert_eq!(text_deltas(&events), vec!["Hel", "lo, ", "wor", "ld!"]);
    assert_eq!(response.text, "Hello, world!");
    assert_eq!(
        response.usage,
        Usage {
            input_tokens: 9,
            output_tokens: 4
        }
    );
    assert_eq!(response.finish_reason, FinishReason::Stop);
    assert_eq!(response.model, MODEL);
    let last_usage = events.iter().rev().find_map(|event| match event {
        StreamEvent::Usage { usage } => Some(*usage),
        _ => None,
    });
    assert_eq!(
        last_usage,
        Some(Usage {
            input_tokens: 9,
            output_tokens: 4
        })
    );
    assert!(events.contains(&StreamEvent::Finish {
        reason: FinishReason::Stop
    }));
    assert_common_request_shape(target, &only_request(&server), true);
}

fn assert_tools_sent(target: Target, body: &JsonValue) {
    let tool = weather_tool();
    match target.wire {
        WireFormat::OpenAi | WireFormat::Ollama => assert_eq!(
            body["tools"],
            json!([{"type": "function", "function": {"name": tool.name, "description": tool.description, "parameters": tool.parameters}}])
        ),
        WireFormat::Anthropic => assert_eq!(
            body["tools"],
            json!([{"name": tool.name, "description": tool.description, "input_schema": tool.parameters}])
        ),
        WireFormat::Gemini => assert_eq!(
            body["tools"],
            json!([{"functionDeclarations": [{"name": tool.name, "description": tool.description, "parametersJsonSchema": tool.parameters}]}])
        ),
    }
}

fn tool_request() -> Request {
    let mut request = Request::from_prompt(MODEL, "Weather in Oslo and Rome?");
    request.tools = vec![weather_tool()];
    request
}

async fn check_one_tool_call(target: Target) {
    let (server, provider) = start(target).await;
    server.push(Reply::tool_calls([(
        "get_weather",
        json!({"city": "Oslo"}),
    )]));
    let response = within(provider.chat(tool_request())).await.unwrap();
    assert_eq!(response.finish_reason, FinishReason::ToolCalls);
    assert_eq!(
        response.tool_calls,
        vec![ToolCall {
            signature: expected_signature(target, 0),
            ..ToolCall::new(
                expected_tool_call_id(target, 0),
                "get_weather",
                json!({"city": "Oslo"})
            )
        }]
    );
    assert_tools_sent(target, &only_request(&server).body);
}

fn two_calls() -> Reply {
    Reply::text("Checking both.")
        .with_tool_call(
            "get_weather",
            json!({"city": "Oslo", "unit": "celsius", "note": "fjord \"view\" ☀"}),
        )
        .with_tool_call("get_weather", json!({"city": "Rome"}))
}

fn expected_two_calls(target: Target) -> Vec<ToolCall> {
    vec![
        ToolCall {
            signature: expected_signature(target, 0),
            ..ToolCall::new(
                expected_tool_call_id(target, 0),
                "get_weather",
                json!({"city": "Oslo", "unit": "celsius", "note": "fjord \"view\" ☀"}),
            )
        },
        ToolCall::new(
            expected_tool_call_id(target, 1),
            "get_weather",
            json!({"city": "Rome"}),
        ),
    ]
}

async fn check_several_tool_calls(target: Target) {
    let (server, provider) = start(target).await;
    server.push(two_calls());
    let response = within(provider.chat(tool_request())).await.unwrap();
    assert_eq!(response.text, "Checking both.");
    assert_eq!(response.tool_calls, expected_two_calls(target));
    assert_eq!(response.finish_reason, FinishReason::ToolCalls);
}

async fn check_streamed_tool_calls(target: Target) {
    let (server, provider) = start(target).await;
    server.push(two_calls());
    let (events, outcome) = run_stream(&provider, tool_request()).await;
    let response = outcome.unwrap();
    assert_eq!(response.tool_calls, expected_two_calls(target));
    assert_eq!(response.finish_reason, FinishReason::ToolCalls);
    let starts: Vec<(usize, String)> = events
        .iter()
        .filter_map(|event| match event {
            StreamEvent::ToolCallStart { index, name, .. } => Some((*index, name.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        starts,
        vec![(0, "get_weather".to_owned()), (1, "get_weather".to_owned())]
    );
    let fragments_of_first = events
        .iter()
        .filter(|event| matches!(event, StreamEvent::ToolCallDelta { index: 0, .. }))
        .count();
    match target.wire {
        // These vendors stream arguments in fragments; the test server cuts them small.
        WireFormat::OpenAi | WireFormat::Anthropic => {
            assert!(fragments_of_first > 3, "{events:#?}")
        }
        // These send each call whole.
        WireFormat::Gemini | WireFormat::Ollama => assert_eq!(fragments_of_first, 1),
    }
    assert_tools_sent(target, &only_request(&server).body);
}

/// The conversation after a tool call goes back in the vendor's shape (call, then its result).
async fn check_tool_results_sent_back(target: Target) {
    let (server, provider) = start(target).await;
    server.push(Reply::tool_calls([(
        "get_weather",
        json!({"city": "Oslo"}),
    )]));
    server.push(Reply::text("It is 3 °C in Oslo."));
    let mut request = tool_request();
    let first = within(provider.chat(request.clone())).await.unwrap();
    request.messages.push(Message::assistant_with_tool_calls(
        &first.text,
        first.tool_calls.clone(),
    ));
    request.messages.push(Message::tool_result(
        &first.tool_calls[0].id,
        "get_weather",
        r#"{"celsius": 3}"#,
    ));
    let second = within(provider.chat(request)).await.unwrap();
    assert_eq!(second.text, "It is 3 °C in Oslo.");
    let body = &server.requests()[1].body;
    let id = expected_tool_call_id(target, 0);
    match target.wire {
        WireFormat::OpenAi => {
            assert_eq!(body["messages"][1]["tool_calls"][0]["id"], json!(id));
            assert_eq!(
                body["messages"][1]["tool_calls"][0]["function"]["arguments"],
                json!(r#"{"city":"Oslo"}"#)
            );
            assert_eq!(
                body["messages"][2],
                json!({"role": "tool", "tool_call_id": id, "content": r#"{"celsius": 3}"#})
            );
        }
        WireFormat::Anthropic => {
            assert_eq!(
                body["messages"][1]["content"][0],
                json!({"type": "tool_use", "id": id, "name": "get_weather", "input": {"city": "Oslo"}})
            );
            assert_eq!(
                body["messages"][2],
                json!({"role": "user", "content": [{"type": "tool_result", "tool_use_id": id, "content": r#"{"celsius": 3}"#}]})
            );
        }
        WireFormat::Gemini => {
            assert_eq!(
                body["contents"][1],
                json!({"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Oslo"}}, "thoughtSignature": TEST_THOUGHT_SIGNATURE}]})
            );
            assert_eq!(
                body["contents"][2],
                json!({"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"celsius": 3}}}]})
            );
        }
        WireFormat::Ollama => {
            assert_eq!(
                body["messages"][1]["tool_calls"][0],
                json!({"function": {"name": "get_weather", "arguments": {"city": "Oslo"}}})
            );
            assert_eq!(
                body["messages"][2],
                json!({"role": "tool", "content": r#"{"celsius": 3}"#, "tool_name": "get_weather"})
            );
        }
    }
}

fn assert_schema_sent(target: Target, body: &JsonValue) {
    let schema = person_schema();
    match target.wire {
        WireFormat::OpenAi => assert_eq!(
            body["response_format"],
            json!({"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}})
        ),
        WireFormat::Anthropic => assert_eq!(
            body["output_config"],
            json!({"format": {"type": "json_schema", "schema": schema}})
        ),
        WireFormat::Gemini => {
            assert_eq!(
                body["generationConfig"]["responseMimeType"],
                json!("application/json")
            );
            assert_eq!(body["generationConfig"]["responseJsonSchema"], schema);
        }
        WireFormat::Ollama => assert_eq!(body["format"], schema),
    }
}

fn extraction_request() -> Request {
    let mut request = Request::from_prompt(MODEL, "Ada Lovelace, 36");
    request.schema = Some(person_schema());
    request
}

async fn check_structured_output(target: Target) {
    let (server, provider) = start(target).await;
    server.push(Reply::text(r#"{"name": "Ada Lovelace", "age": 36}"#));
    let response = within(provider.chat(extraction_request())).await.unwrap();
    assert_eq!(
        response.data,
        Some(json!({"name": "Ada Lovelace", "age": 36}))
    );
    assert_schema_sent(target, &only_request(&server).body);

    server.push(Reply::chunks([
        r#"{"name": "#,
        r#""Ada Lovelace", "#,
        r#""age": 36}"#,
    ]));
    let (_, streamed) = run_stream(&provider, extraction_request()).await;
    assert_eq!(
        streamed.unwrap().data,
        Some(json!({"name": "Ada Lovelace", "age": 36}))
    );
}

async fn check_structured_output_that_breaks_its_schema(target: Target) {
    let (server, provider) = start(target).await;
    server.push(Reply::text(
        r#"{"name": "Ada Lovelace", "age": "thirty-six"}"#,
    ));
    let error = within(provider.chat(extraction_request()))
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidResponse);
    assert!(error.message.contains("/age"), "{error}");
    server.push(Reply::text("Sorry, I cannot do that."));
    let (_, streamed) = run_stream(&provider, extraction_request()).await;
    assert_eq!(streamed.unwrap_err().code, ErrorCode::InvalidResponse);
    // Not retried: the provider answered; the answer is wrong.
    assert_eq!(server.requests().len(), 2);
}

async fn check_auth_failure(target: Target) {
    let (server, provider) =
        start_with(target, |config| config.api_key = Some("wrong-key".into())).await;
    server.require_api_key(TEST_API_KEY);
    let error = within(provider.chat(hello_request())).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::ProviderAuth, "{error}");
    assert_eq!(error.provider, "remote");
    let expected_status = if target.wire == WireFormat::Gemini {
        400
    } else {
        401
    };
    assert_eq!(error.status, Some(expected_status));
    assert!(!error.message.is_empty());
    let (_, streamed) = run_stream(&provider, hello_request()).await;
    assert_eq!(streamed.unwrap_err().code, ErrorCode::ProviderAuth);
    // Never retried.
    assert_eq!(server.requests().len(), 2);
}

async fn check_missing_key(target: Target) {
    let (server, provider) = start_with(target, |config| config.api_key = None).await;
    server.require_api_key(TEST_API_KEY);
    let error = within(provider.chat(hello_request())).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::ProviderAuth, "{error}");
    let request = only_request(&server);
    assert!(request.header("authorization").is_none() && request.header("x-api-key").is_none());
}

async fn check_rate_limit_then_success(target: Target) {
    let (server, provider) = start(target).await;
    server.push(Reply::rate_limited("0"));
    server.push(Reply::text("finally"));
    assert_eq!(
        within(provider.chat(hello_request())).await.unwrap().text,
        "finally"
    );
    server.push(Reply::rate_limited("0"));
    server.push(Reply::text("streamed"));
    let (_, streamed) = run_stream(&provider, hello_request()).await;
    assert_eq!(streamed.unwrap().text, "streamed");
    assert_eq!(server.requests().len(), 4);
}

async fn check_rate_limit_until_attempts_run_out(target: Target) {
    let (server, provider) = start(target).await;
    server.set_fallback(Reply::rate_limited("0"));
    let error = within(provider.chat(hello_request())).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::ProviderRateLimit, "{error}");
    assert_eq!(error.status, Some(429));
    // The test configuration allows 3 attempts.
    assert_eq!(server.requests().len(), 3);
}

async fn check_retry_after_beyond_the_limit_fails_at_once(target: Target) {
    let (server, provider) = start(target).await;
    server.push(Reply::rate_limited("3600"));
    let started = Instant::now();
    let error = within(provider.chat(hello_request())).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::ProviderRateLimit);
    assert!(error.message.contains("retry after 3600 s"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(server.requests().len(), 1);
}

async fn check_server_error_then_success(target: Target) {
    let (server, provider) = start(target).await;
    server.push(Reply::status(500));
    server.push(Reply::status(503));
    server.push(Reply::text("recovered"));
    assert_eq!(
        within(provider.chat(hello_request())).await.unwrap().text,
        "recovered"
    );
    assert_eq!(server.requests().len(), 3);
    server.set_fallback(Reply::status(500));
    let error = within(provider.chat(hello_request())).await.unwrap_err();
    assert_eq!(
        (error.code, error.status),
        (ErrorCode::ProviderHttp, Some(500))
    );
}

async fn check_client_error_is_not_retried(target: Target) {
    let (server, provider) = start(target).await;
    server.push(Reply::status(400));
    let error = within(provider.chat(hello_request())).await.unwrap_err();
    assert_eq!(
        (error.code, error.status),
        (ErrorCode::ProviderHttp, Some(400))
    );
    assert_eq!(server.requests().len(), 1);
}

async fn check_stream_cut_mid_way(target: Target) {
    let (server, provider) = start(target).await;
    server.push(
        Reply::chunks([
            "one ", "two ", "three ", "four ", "five ", "six ", "seven ", "eight",
        ])
        .cut_after(5),
    );
    let (events, outcome) = run_stream(&provider, hello_request()).await;
    let error = outcome.unwrap_err();
    assert_eq!(error.code, ErrorCode::ProviderHttp, "{error}");
    assert!(
        !text_deltas(&events).is_empty(),
        "some text arrived before the cut: {events:#?}"
    );
    // A stream that broke after it started is not retried (the caller has seen part of it).
    assert_eq!(server.requests().len(), 1);
}

async fn check_stream_error_event(target: Target) {
    let (server, provider) = start(target).await;
    server.push(
        Reply::chunks(["one ", "two ", "three ", "four ", "five ", "six"]).error_event_after(3),
    );
    let (_, outcome) = run_stream(&provider, hello_request()).await;
    let error = outcome.unwrap_err();
    assert_eq!(error.code, ErrorCode::ProviderHttp, "{error}");
    let expected = match target.wire {
        WireFormat::OpenAi => "The server had an error",
        WireFormat::Anthropic => "Overloaded",
        WireFormat::Gemini => "The model is overloaded",
        WireFormat::Ollama => "unexpected EOF",
    };
    assert!(error.message.contains(expected), "{error}");
}

async fn check_timeout(target: Target) {
    let (server, provider) =
        start_with(target, |config| config.timeout = Duration::from_millis(300)).await;
    server.push(Reply::hang());
    let started = Instant::now();
    let error = within(provider.chat(hello_request())).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::ProviderTimeout, "{error}");
    assert!(started.elapsed() < Duration::from_secs(3));
    // A timeout is not retried: the next attempt would wait as long again.
    assert_eq!(server.requests().len(), 1);

    // A request's own timeout wins over the provider's.
    server.push(Reply::text("slow").with_latency(Duration::from_millis(400)));
    let mut patient = hello_request();
    patient.timeout = Some(Duration::from_secs(5));
    assert_eq!(within(provider.chat(patient)).await.unwrap().text, "slow");
}

async fn check_stream_that_goes_silent(target: Target) {
    let (server, provider) =
        start_with(target, |config| config.timeout = Duration::from_millis(300)).await;
    server.push(Reply::chunks(["a", "b"]).with_latency(Duration::from_secs(5)));
    let (_, outcome) = run_stream(&provider, hello_request()).await;
    assert_eq!(outcome.unwrap_err().code, ErrorCode::ProviderTimeout);
}

async fn check_slow_stream_within_the_timeout(target: Target) {
    let (server, provider) =
        start_with(target, |config| config.timeout = Duration::from_secs(1)).await;
    // Longer in all than the timeout, but never silent for that long.
    server.push(Reply::chunks(["a", "b", "c", "d", "e"]).with_latency(Duration::from_millis(300)));
    let (events, outcome) = run_stream(&provider, hello_request()).await;
    assert_eq!(outcome.unwrap().text, "abcde");
    assert_eq!(text_deltas(&events).len(), 5);
}

async fn check_cancellation_by_dropping_the_stream(target: Target) {
    let (server, provider) = start(target).await;
    server.push(
        Reply::chunks(["a", "b", "c", "d", "e", "f"]).with_latency(Duration::from_millis(100)),
    );
    let mut stream = provider.stream(hello_request());
    let first = within(stream.next()).await.unwrap().unwrap();
    assert!(
        matches!(
            first,
            StreamEvent::TextDelta { .. } | StreamEvent::Usage { .. }
        ),
        "{first:?}"
    );
    drop(stream);
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.abandoned_streams() == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        server.abandoned_streams(),
        1,
        "the server saw the client go away"
    );
}

async fn check_connection_refused(target: Target) {
    let address = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let base_url = match target.wire {
        WireFormat::OpenAi => format!("http://{address}/v1"),
        _ => format!("http://{address}"),
    };
    let config = llmspell_llm::ProviderConfig::new("remote", target.kind)
        .with_base_url(base_url)
        .with_api_key(TEST_API_KEY)
        .with_retry(RetryPolicy {
            max_attempts: 2,
            initial_backoff: Duration::from_millis(5),
            ..RetryPolicy::default()
        });
    let provider = build_provider(&config).unwrap();
    let error = within(provider.chat(hello_request())).await.unwrap_err();
    assert_eq!((error.code, error.status), (ErrorCode::ProviderHttp, None));
    assert!(error.message.contains("cannot connect"), "{error}");
}

macro_rules! wire_format_tests {
    ($module:ident, $target:expr, [$($check:ident),* $(,)?]) => {
        mod $module {
            $(
                #[tokio::test]
                async fn $check() {
                    super::$check($target).await
                }
            )*
        }
    };
}

macro_rules! every_check {
    ($module:ident, $target:expr) => {
        wire_format_tests!(
            $module,
            $target,
            [
                check_plain_text,
                check_model_reported_by_the_provider,
                check_sampling_settings,
                check_truncated_answer,
                check_streaming_text,
                check_one_tool_call,
                check_several_tool_calls,
                check_streamed_tool_calls,
                check_tool_results_sent_back,
                check_structured_output,
                check_structured_output_that_breaks_its_schema,
                check_auth_failure,
                check_missing_key,
                check_rate_limit_then_success,
                check_rate_limit_until_attempts_run_out,
                check_retry_after_beyond_the_limit_fails_at_once,
                check_server_error_then_success,
                check_client_error_is_not_retried,
                check_stream_cut_mid_way,
                check_stream_error_event,
                check_timeout,
                check_stream_that_goes_silent,
                check_slow_stream_within_the_timeout,
                check_cancellation_by_dropping_the_stream,
                check_connection_refused,
            ]
        );
    };
}

every_check!(openai, super::OPENAI);
every_check!(openai_compatible, super::OPENAI_COMPATIBLE);
every_check!(anthropic, super::ANTHROPIC);
every_check!(gemini, super::GEMINI);
every_check!(ollama, super::OLLAMA);

/// `retry-after` is honoured: the retry waits as long as the server asked.
#[tokio::test]
async fn retry_after_is_waited_for() {
    let (server, provider) = start(OPENAI).await;
    server.push(Reply::rate_limited("1"));
    server.push(Reply::text("after a second"));
    assert_eq!(
        within(provider.chat(hello_request())).await.unwrap().text,
        "after a second"
    );
    let requests = server.requests();
    let waited = requests[1].received_at - requests[0].received_at;
    assert!(waited >= Duration::from_millis(950), "waited {waited:?}");
}

/// Anthropic's overloaded status (529) is retried like a 5xx.
#[tokio::test]
async fn anthropic_overloaded_is_retried() {
    let (server, provider) = start(ANTHROPIC).await;
    server.push(Reply::status(529));
    server.push(Reply::text("ok"));
    assert_eq!(
        within(provider.chat(hello_request())).await.unwrap().text,
        "ok"
    );
    assert_eq!(server.requests().len(), 2);
}

/// Requests run concurrently: eight calls to a server that takes 200 ms each are all being
/// answered at once (counted by the server, not timed, so a loaded machine cannot fail it).
#[tokio::test]
async fn concurrent_calls_overlap() {
    let (server, provider) = start(OLLAMA).await;
    server.set_fallback(Reply::text("slow answer").with_latency(Duration::from_millis(200)));
    let calls = (0..8).map(|_| provider.chat(hello_request()));
    let responses = within(futures::future::join_all(calls)).await;
    assert!(
        responses
            .iter()
            .all(|response| response.as_ref().unwrap().text == "slow answer")
    );
    assert_eq!(server.peak_concurrent_requests(), 8);
}

/// A tool result without a call id is refused before anything is sent.
#[tokio::test]
async fn tool_results_need_a_call_id() {
    let (server, provider) = start(OPENAI).await;
    let mut request = hello_request();
    request.messages.push(Message {
        role: llmspell_llm::Role::Tool,
        ..Message::user("{}")
    });
    let error = within(provider.chat(request)).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidRequest);
    assert!(server.requests().is_empty());
}

/// A schema that is not a JSON Schema is refused before anything is sent.
#[tokio::test]
async fn invalid_schemas_are_refused_before_sending() {
    let (server, provider) = start(GEMINI).await;
    let mut request = hello_request();
    request.schema = Some(json!({"type": "no-such-type"}));
    let (_, streamed) = run_stream(&provider, request).await;
    assert_eq!(streamed.unwrap_err().code, ErrorCode::InvalidRequest);
    assert!(server.requests().is_empty());
}
