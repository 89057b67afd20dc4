//! `llm`: direct model access — complete, chat, stream, and what is configured.
//!
//! The request map of the spell API is turned into an [`llmspell_llm::Request`] here (shared
//! with `agent`), sent to the provider `ctx.llm.resolve(model)` names, and the answer comes
//! back as the `Response` map. Provider errors keep their stable codes.

use std::collections::BTreeSet;
use std::sync::Arc;

use futures::StreamExt;
use llmspell_bridge::{Callable, Function, HostError, Map, Module, Record, Type, Value, map_of};
use llmspell_llm::{ErrorCode, LlmError, Message, Provider, Request, Response, Role, StreamEvent};

use crate::HostContext;
use crate::modules::in_function;
use crate::tools::{Tool, ToolBox, call_blocking, emit, emit_error};

/// The keys of a request map; validation rejects any other.
pub(crate) fn request_record() -> Type {
    let message = Record::new("ChatMessage", "One message of a conversation.")
        .field("role", Type::Str, "`\"system\"`, `\"user\"` or `\"assistant\"`.")
        .field("content", Type::Str, "The message's text.")
        .into_type();
    Record::new(
        "LlmRequest",
        "A request to a model: `prompt` or `messages` (or both: the prompt comes last).",
    )
    .optional("prompt", Type::Str, None, "The user message.")
    .optional("messages", Type::list(message), None, "The conversation so far, oldest first.")
    .optional("system", Type::Str, None, "The system prompt.")
    .optional(
        "model",
        Type::Str,
        None,
        "`provider/model` or a configured alias; the default model when omitted.",
    )
    .optional("temperature", Type::Float, None, "The sampling temperature.")
    .optional("max_tokens", Type::Int, None, "The most tokens of the answer (a positive int).")
    .optional(
        "schema",
        Type::Map,
        None,
        "A JSON Schema: the answer is parsed and validated into the response's `data`.",
    )
    .optional(
        "tools",
        Type::list(Type::Union(vec![Type::Str, Type::Object("Tool")])),
        None,
        "Tools the model may ask for (names or Tool objects); their calls come back in \
         `tool_calls`, not run.",
    )
    .into_type()
}

/// A parameter that takes a prompt or a request map.
fn prompt_or_request() -> Type {
    Type::Union(vec![Type::Str, request_record()])
}

pub(crate) fn module(context: &HostContext, toolbox: &ToolBox) -> Module {
    let (complete_ctx, chat_ctx, stream_ctx) = (context.clone(), context.clone(), context.clone());
    let (complete_box, chat_box, stream_box) = (toolbox.clone(), toolbox.clone(), toolbox.clone());
    let (providers_llm, models_llm) = (context.llm.clone(), context.llm.clone());
    Module::new(
        "llm",
        "Direct model access. A request is a prompt string or a map `{ prompt?, messages?, \
         system?, model?, temperature?, max_tokens?, schema?, tools? }`; `model` is \
         `provider/model` or a configured alias (the default model when omitted). A `Response` \
         is a map `{ text, model, provider, finish_reason, usage = { input_tokens, \
         output_tokens }, tool_calls = [{ id, name, arguments }], data? }`. Provider failures \
         raise `provider_auth`, `provider_rate_limit`, `provider_http`, `provider_timeout` or \
         `invalid_response`; calls emit `llm.request` and `llm.response`.",
    )
    .function(
        Function::new("complete")
            .doc("Asks the model and returns the text of its answer.")
            .param(
                "prompt",
                prompt_or_request(),
                "The prompt, or a request map.",
            )
            .returns(Type::Str, "The answer's text.")
            .example(
                r#"print(llm.complete("Say hi"))"#,
                r#"print(await llm.complete("Say hi"));"#,
                r#"print(llm.complete("Say hi"));"#,
            )
            .io(move |args| {
                let (context, toolbox) = (complete_ctx.clone(), complete_box.clone());
                Box::pin(async move {
                    let qualified = args.qualified.clone();
                    let response = ask(&context, &toolbox, &qualified, args.get(0), None).await?;
                    Ok(Value::Str(response.text))
                })
            }),
    )
    .function(
        Function::new("chat")
            .doc(
                "Sends a request and returns the full answer. With `schema` (a JSON Schema), \
                 the answer is parsed and validated into `data`. With `tools` (names or Tool \
                 objects), the model may answer with `tool_calls` (not run: `agent` runs them).",
            )
            .param(
                "request",
                prompt_or_request(),
                "The request map, or a prompt.",
            )
            .returns(Type::Map, "The `Response` map.")
            .example(
                r#"local r = llm.chat({ prompt = "Name a colour", system = "Answer in one word" })
print(r.text, r.provider, r.usage.output_tokens)"#,
                r#"const r = await llm.chat({ prompt: "Name a colour", system: "Answer in one word" });
print(r.text, r.provider, r.usage.output_tokens);"#,
                r#"let r = llm.chat(#{ prompt: "Name a colour", system: "Answer in one word" });
print(r.text, r.provider, r.usage.output_tokens);"#,
            )
            .io(move |args| {
                let (context, toolbox) = (chat_ctx.clone(), chat_box.clone());
                Box::pin(async move {
                    let qualified = args.qualified.clone();
                    let response = ask(&context, &toolbox, &qualified, args.get(0), None).await?;
                    Ok(response_value(&response))
                })
            }),
    )
    .function(
        Function::new("stream")
            .doc(
                "Sends a request and calls `on_chunk` with every piece of the answer's text as \
                 it arrives, in order; returns the full answer at the end.",
            )
            .param(
                "request",
                prompt_or_request(),
                "The request map, or a prompt.",
            )
            .param("on_chunk", Type::Fn, "Called with each text delta (a string).")
            .returns(Type::Map, "The `Response` map, once the answer is complete.")
            .example(
                r#"local r = llm.stream("Tell a story", function(chunk) print(chunk) end)"#,
                r#"const r = await llm.stream("Tell a story", (chunk) => print(chunk));"#,
                r#"let r = llm.stream("Tell a story", |chunk| print(chunk));"#,
            )
            .io(move |args| {
                let (context, toolbox) = (stream_ctx.clone(), stream_box.clone());
                Box::pin(async move {
                    let qualified = args.qualified.clone();
                    let on_chunk = args.get(1).as_callable().cloned();
                    let response =
                        ask(&context, &toolbox, &qualified, args.get(0), on_chunk).await?;
                    Ok(response_value(&response))
                })
            }),
    )
    .function(
        Function::new("providers")
            .doc(
                "Lists the configured providers as the configuration describes them (never their \
                 keys). `base_url` is the configured base URL, nil when the configuration gives \
                 none (the kind's default endpoint is then used). `available` says whether the \
                 provider is usable without a network probe: `scripted` and `ollama` providers \
                 always are; any other is when its API key is set, if it needs one (kinds \
                 `openai`, `anthropic` and `gemini` always do, others when their configuration \
                 names `api_key_env`). Reachability is not checked: `llmspell models` does that.",
            )
            .returns(
                Type::list(Type::Map),
                "`{ name, kind, base_url, available }` per provider, sorted by name.",
            )
            .example(
                r#"for _, p in ipairs(llm.providers()) do print(p.name, p.kind, p.available) end"#,
                r#"for (const p of llm.providers()) { print(p.name, p.kind, p.available); }"#,
                r#"for p in llm.providers() { print(p.name, p.kind, p.available); }"#,
            )
            .sync(move |_args| {
                Ok(Value::List(
                    providers_llm
                        .infos()
                        .map(|info| {
                            map_of([
                                ("name", Value::from(info.name.as_str())),
                                ("kind", Value::from(info.kind.as_str())),
                                ("base_url", Value::from(info.base_url.as_deref())),
                                ("available", Value::Bool(info.available)),
                            ])
                        })
                        .collect(),
                ))
            }),
    )
    .function(
        Function::new("models")
            .doc(
                "Lists the models the configuration names for one provider or for all: each \
                 provider's configured models, and for the provider of the default model that \
                 model too (aliases followed).",
            )
            .optional(
                "provider",
                Type::Str,
                None,
                "Only this provider's models; every provider's when omitted.",
            )
            .returns(
                Type::list(Type::Str),
                "`provider/model` strings (usable as `model`), sorted.",
            )
            .example(
                r#"for _, m in ipairs(llm.models()) do print(m) end"#,
                r#"for (const m of llm.models()) { print(m); }"#,
                r#"for m in llm.models() { print(m); }"#,
            )
            .sync(move |args| {
                let models_of = |name: &str| -> Option<Vec<String>> {
                    let info = models_llm.info(name)?;
                    let mut models = info.models.clone();
                    let default = models_llm.default_model().and_then(|model| {
                        let full = models_llm.aliases().get(model).map_or(model, String::as_str);
                        llmspell_llm::ModelRef::parse(full)
                    });
                    if let Some(default) = default
                        && default.provider == name
                        && !models.contains(&default.model)
                    {
                        models.push(default.model);
                    }
                    Some(models)
                };
                let wanted = args.opt_str(0);
                if let Some(name) = wanted
                    && models_llm.info(name).is_none()
                {
                    return Err(HostError::not_found(format!(
                        "{}: no provider named '{name}'",
                        args.qualified
                    )));
                }
                let mut all = BTreeSet::new();
                for info in models_llm.infos() {
                    if wanted.is_some_and(|name| name != info.name) {
                        continue;
                    }
                    for model in models_of(&info.name).unwrap_or_default() {
                        all.insert(format!("{}/{model}", info.name));
                    }
                }
                Ok(Value::List(all.into_iter().map(Value::Str).collect()))
            }),
    )
}

/// Parses, resolves and sends one request from a script value; errors get `qualified` in front.
async fn ask(
    context: &HostContext,
    toolbox: &ToolBox,
    qualified: &str,
    request: &Value,
    on_chunk: Option<Callable>,
) -> Result<Response, HostError> {
    let (model, request) =
        parse_request(request, toolbox).map_err(|error| in_function(qualified, error))?;
    let (provider, request) = resolve(context, model.as_deref(), request)
        .map_err(|error| in_function(qualified, error))?;
    send(context, &provider, request, on_chunk, qualified, None)
        .await
        .map_err(|error| in_function(qualified, error))
}

/// A script request (a prompt string or a request map) as a provider request without its
/// model, and the model string it names. Validation already checked the keys and their types
/// against [`request_record`]; bad values are `invalid_argument` naming the key.
pub(crate) fn parse_request(
    value: &Value,
    toolbox: &ToolBox,
) -> Result<(Option<String>, Request), HostError> {
    let map = match value {
        Value::Str(prompt) => return Ok((None, Request::from_prompt("", prompt.clone()))),
        Value::Map(map) => map,
        other => {
            return Err(HostError::invalid_argument(format!(
                "a request is a prompt string or a map, got {}",
                Type::describe_value(other)
            )));
        }
    };
    let mut request = Request::default();
    if let Some(messages) = optional(map, "messages", "list", Value::as_list_or_empty)? {
        for (index, message) in messages.iter().enumerate() {
            request.messages.push(parse_message(index, message)?);
        }
    }
    if let Some(prompt) = optional(map, "prompt", "str", Value::as_str)? {
        request.messages.push(Message::user(prompt));
    }
    if request.messages.is_empty() {
        return Err(HostError::invalid_argument(
            "the request needs 'prompt' or 'messages'",
        ));
    }
    request.system = optional(map, "system", "str", Value::as_str)?.map(str::to_owned);
    let model = optional(map, "model", "str", Value::as_str)?.map(str::to_owned);
    request.temperature = optional(map, "temperature", "float", Value::as_float)?;
    if let Some(max_tokens) = optional(map, "max_tokens", "int", Value::as_int)? {
        request.max_tokens = Some(
            u32::try_from(max_tokens)
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| {
                    HostError::invalid_argument("request key 'max_tokens' must be a positive int")
                })?,
        );
    }
    if let Some(schema) = map.get("schema").filter(|value| !value.is_nil()) {
        let Value::Map(_) = schema else {
            return Err(key_type("schema", "map", schema));
        };
        let schema = schema.to_json().map_err(|error| {
            HostError::invalid_argument(format!("request key 'schema': {}", error.message))
        })?;
        llmspell_llm::check_schema("llm", &schema).map_err(|error| {
            HostError::invalid_argument(format!("request key 'schema': {}", error.message))
        })?;
        request.schema = Some(schema);
    }
    if let Some(tools) = optional(map, "tools", "list", Value::as_list_or_empty)? {
        request.tools = toolbox
            .resolve_list("request key 'tools'", tools)?
            .iter()
            .map(Tool::spec)
            .collect();
    }
    Ok((model, request))
}

fn parse_message(index: usize, message: &Value) -> Result<Message, HostError> {
    let bad = |why: &str| {
        HostError::invalid_argument(format!(
            "request key 'messages': message {}: {why}",
            index + 1
        ))
    };
    let Value::Map(map) = message else {
        return Err(bad("expects a map { role, content }"));
    };
    let role = match map.get("role").and_then(Value::as_str) {
        Some("system") => Role::System,
        Some("user") => Role::User,
        Some("assistant") => Role::Assistant,
        _ => return Err(bad("'role' must be \"system\", \"user\" or \"assistant\"")),
    };
    let content = map
        .get("content")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("'content' must be a string"))?;
    Ok(Message::new(role, content))
}

/// The value of an optional key, checked with `get` (nil counts as absent).
fn optional<'a, T>(
    map: &'a Map,
    key: &str,
    expected: &str,
    get: impl Fn(&'a Value) -> Option<T>,
) -> Result<Option<T>, HostError> {
    match map.get(key) {
        None | Some(Value::Nil) => Ok(None),
        Some(value) => get(value)
            .map(Some)
            .ok_or_else(|| key_type(key, expected, value)),
    }
}

fn key_type(key: &str, expected: &str, got: &Value) -> HostError {
    HostError::invalid_argument(format!(
        "request key '{key}' expects {expected}, got {}",
        Type::describe_value(got)
    ))
}

/// Finds the provider for `model` (the default when `None`) and puts the model name inside
/// the provider into the request.
pub(crate) fn resolve(
    context: &HostContext,
    model: Option<&str>,
    mut request: Request,
) -> Result<(Arc<dyn Provider>, Request), HostError> {
    let (provider, name) = context.llm.resolve(model).map_err(llm_error)?;
    request.model = name;
    Ok((provider, request))
}

/// A provider error as a script error with the same stable code. The message names the
/// provider (and the HTTP status); no key ever appears in provider errors.
pub(crate) fn llm_error(error: LlmError) -> HostError {
    let mut message = format!("{}: {}", error.provider, error.message);
    if let Some(status) = error.status {
        message.push_str(&format!(" (HTTP {status})"));
    }
    let mut data = Map::new();
    data.insert("provider".into(), Value::Str(error.provider));
    if let Some(status) = error.status {
        data.insert("status".into(), Value::Int(i64::from(status)));
    }
    HostError::new(error.code.as_str(), message).with_data(Value::Map(data))
}

/// Sends `request`, emitting `llm.request` and `llm.response` (or `error`). With `on_chunk`,
/// streams and calls it (on the spell's thread) with each text delta in order. `agent` names
/// the agent making the call, for the events.
pub(crate) async fn send(
    context: &HostContext,
    provider: &Arc<dyn Provider>,
    request: Request,
    on_chunk: Option<Callable>,
    source: &str,
    agent: Option<&str>,
) -> Result<Response, HostError> {
    let events = &context.events;
    let model = format!("{}/{}", provider.name(), request.model);
    let mut data = map_of([
        ("provider", Value::from(provider.name())),
        ("model", Value::from(model.as_str())),
        ("messages", Value::Int(request.messages.len() as i64)),
        (
            "tools",
            Value::List(
                request
                    .tools
                    .iter()
                    .map(|tool| Value::from(tool.name.as_str()))
                    .collect(),
            ),
        ),
        ("stream", Value::Bool(on_chunk.is_some())),
    ]);
    if let (Some(agent), Value::Map(map)) = (agent, &mut data) {
        map.insert("agent".into(), Value::from(agent));
    }
    emit(events, "llm.request", data).await?;
    let result = match on_chunk {
        None => provider.chat(request).await.map_err(llm_error),
        Some(on_chunk) => stream(provider, request, on_chunk).await,
    };
    match result {
        Ok(response) => {
            let mut data = map_of([
                ("provider", Value::from(response.provider.as_str())),
                ("model", Value::from(model.as_str())),
                (
                    "finish_reason",
                    Value::from(response.finish_reason.as_str()),
                ),
                ("usage", usage_value(&response)),
                ("text", Value::from(response.text.as_str())),
                ("tool_calls", tool_calls_value(&response)),
            ]);
            if let (Some(agent), Value::Map(map)) = (agent, &mut data) {
                map.insert("agent".into(), Value::from(agent));
            }
            emit(events, "llm.response", data).await?;
            Ok(response)
        }
        Err(error) => {
            if !error.is_fatal() {
                emit_error(events, source, &error).await?;
            }
            Err(error)
        }
    }
}

async fn stream(
    provider: &Arc<dyn Provider>,
    request: Request,
    on_chunk: Callable,
) -> Result<Response, HostError> {
    let mut events = provider.stream(request);
    while let Some(event) = events.next().await {
        match event.map_err(llm_error)? {
            StreamEvent::TextDelta { text } => {
                let on_chunk = on_chunk.clone();
                call_blocking(move || on_chunk.call(vec![Value::Str(text)])).await?;
            }
            StreamEvent::Done { response } => return Ok(response),
            _ => {}
        }
    }
    Err(llm_error(LlmError::new(
        ErrorCode::ProviderHttp,
        provider.name(),
        "the stream ended without a complete answer",
    )))
}

fn usage_value(response: &Response) -> Value {
    map_of([
        (
            "input_tokens",
            Value::Int(response.usage.input_tokens as i64),
        ),
        (
            "output_tokens",
            Value::Int(response.usage.output_tokens as i64),
        ),
    ])
}

fn tool_calls_value(response: &Response) -> Value {
    Value::List(
        response
            .tool_calls
            .iter()
            .map(|call| {
                map_of([
                    ("id", Value::from(call.id.as_str())),
                    ("name", Value::from(call.name.as_str())),
                    ("arguments", Value::from_json(call.arguments.clone())),
                ])
            })
            .collect(),
    )
}

/// The `Response` map scripts see.
pub(crate) fn response_value(response: &Response) -> Value {
    let mut map = Map::new();
    map.insert("text".into(), Value::from(response.text.as_str()));
    map.insert("model".into(), Value::from(response.model.as_str()));
    map.insert("provider".into(), Value::from(response.provider.as_str()));
    map.insert(
        "finish_reason".into(),
        Value::from(response.finish_reason.as_str()),
    );
    map.insert("usage".into(), usage_value(response));
    map.insert("tool_calls".into(), tool_calls_value(response));
    if let Some(data) = &response.data {
        map.insert("data".into(), Value::from_json(data.clone()));
    }
    Value::Map(map)
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::{Arc, Mutex};

    use llmspell_bridge::{Callable, Registry, RustFunction, Value};
    use llmspell_llm::testing::{Reply, TEST_API_KEY, TestServer, WireFormat};
    use llmspell_llm::{ProviderRegistry, Script, ScriptedProvider, build_provider};
    use serde_json::json;

    use crate::tools::testing::{call, runtime};
    use crate::{CapturedOutput, HostContext, SpellInfo, registry};

    /// A spell's registry over `llm`, in a fresh workspace.
    pub(crate) struct LlmHost {
        pub registry: Registry,
        pub context: HostContext,
        _workspace: tempfile::TempDir,
    }

    pub(crate) fn host(llm: ProviderRegistry) -> LlmHost {
        let workspace = tempfile::tempdir().unwrap();
        let context = HostContext::new(workspace.path(), SpellInfo::default(), Default::default())
            .with_output(CapturedOutput::new())
            .with_llm(Arc::new(llm));
        LlmHost {
            registry: registry(context.clone()),
            context,
            _workspace: workspace,
        }
    }

    /// Providers with one scripted provider `scripted` following `script` (JSON), as default.
    pub(crate) fn scripted(script: serde_json::Value) -> ProviderRegistry {
        let script = Script::from_json_str(&script.to_string()).unwrap();
        let mut llm = ProviderRegistry::new();
        llm.insert(Arc::new(
            ScriptedProvider::from_script("scripted", script).unwrap(),
        ));
        llm.set_default_model("scripted/test");
        llm
    }

    /// Providers with `server` as provider `remote`, default model `remote/test-model`.
    pub(crate) fn served(server: &TestServer) -> ProviderRegistry {
        let mut llm = ProviderRegistry::new();
        llm.insert(build_provider(&server.provider_config("remote")).unwrap());
        llm.set_default_model("remote/test-model");
        llm
    }

    /// Every event emitted, as `(name, data)`.
    pub(crate) fn record_events(context: &HostContext) -> Arc<Mutex<Vec<(String, Value)>>> {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        context.events.subscribe(
            "*",
            Callable::new(RustFunction(move |args: Vec<Value>| {
                let event = args[0].as_map().unwrap();
                let name = event["name"].as_str().unwrap().to_owned();
                sink.lock()
                    .unwrap()
                    .push((name, event.get("data").cloned().unwrap_or_default()));
                Ok(Value::Nil)
            })),
        );
        events
    }

    pub(crate) fn collector() -> (Callable, Arc<Mutex<Vec<String>>>) {
        let chunks = Arc::new(Mutex::new(Vec::new()));
        let sink = chunks.clone();
        let callable = Callable::new(RustFunction(move |args: Vec<Value>| {
            sink.lock()
                .unwrap()
                .push(args[0].as_str().unwrap().to_owned());
            Ok(Value::Nil)
        }));
        (callable, chunks)
    }

    fn v(json: serde_json::Value) -> Value {
        Value::from_json(json)
    }

    #[test]
    fn the_offline_default_echoes() {
        let host = host(crate::offline_providers());
        let llm = |function: &str, args: Vec<Value>| call(&host.registry, "llm", function, args);
        assert_eq!(
            llm("complete", vec!["hi".into()]).unwrap(),
            Value::from("echo: hi")
        );
        assert_eq!(
            llm(
                "complete",
                vec![v(json!({"prompt": "there", "system": "s"}))]
            )
            .unwrap(),
            Value::from("echo: there")
        );
        let response = llm("chat", vec!["hi".into()]).unwrap();
        assert_eq!(
            response,
            v(json!({
                "text": "echo: hi", "model": "echo", "provider": "scripted", "finish_reason": "stop",
                "usage": {"input_tokens": 0, "output_tokens": 0}, "tool_calls": []
            }))
        );
        assert_eq!(
            llm("providers", vec![]).unwrap(),
            v(
                json!([{"name": "scripted", "kind": "scripted", "base_url": null, "available": true}])
            )
        );
        assert_eq!(llm("models", vec![]).unwrap(), v(json!(["scripted/echo"])));
        assert_eq!(
            llm("models", vec!["scripted".into()]).unwrap(),
            v(json!(["scripted/echo"]))
        );
        assert_eq!(
            llm("models", vec!["nope".into()]).unwrap_err().code,
            "not_found"
        );
    }

    /// Two configured providers: `local` (Ollama at a configured URL, two models) and `openai`
    /// (no key, one model), default model `local/qwen3` through the alias `fast`.
    fn two_providers() -> ProviderRegistry {
        use llmspell_llm::{ProviderConfig, ProviderKind};
        let mut llm = ProviderRegistry::new();
        let mut local =
            ProviderConfig::new("local", ProviderKind::Ollama).with_base_url("http://127.0.0.1:9");
        local.models = vec!["llama3".to_owned(), "gemma".to_owned()];
        let mut openai = ProviderConfig::new("openai", ProviderKind::OpenAi)
            .with_base_url("http://127.0.0.1:9/v1");
        openai.models = vec!["gpt-4o-mini".to_owned()];
        for config in [local, openai] {
            let provider = Arc::new(ScriptedProvider::echo(&config.name));
            llm.insert_described(provider, config.info());
        }
        llm.set_alias("fast", "local/qwen3");
        llm.set_default_model("fast");
        llm
    }

    #[test]
    fn providers_report_their_configuration_and_whether_they_have_their_key() {
        let host = host(two_providers());
        let llm = |function: &str, args: Vec<Value>| call(&host.registry, "llm", function, args);
        assert_eq!(
            llm("providers", vec![]).unwrap(),
            v(json!([
                {"name": "local", "kind": "ollama", "base_url": "http://127.0.0.1:9", "available": true},
                {"name": "openai", "kind": "openai", "base_url": "http://127.0.0.1:9/v1", "available": false},
            ]))
        );
    }

    #[test]
    fn models_are_the_configured_ones_plus_the_default() {
        let host = host(two_providers());
        let llm = |function: &str, args: Vec<Value>| call(&host.registry, "llm", function, args);
        assert_eq!(
            llm("models", vec!["local".into()]).unwrap(),
            v(json!(["local/gemma", "local/llama3", "local/qwen3"]))
        );
        assert_eq!(
            llm("models", vec!["openai".into()]).unwrap(),
            v(json!(["openai/gpt-4o-mini"]))
        );
        assert_eq!(
            llm("models", vec![]).unwrap(),
            v(json!([
                "local/gemma",
                "local/llama3",
                "local/qwen3",
                "openai/gpt-4o-mini"
            ]))
        );
        assert_eq!(
            llm("models", vec!["scripted".into()]).unwrap_err().code,
            "not_found"
        );
    }

    #[test]
    fn chat_sends_the_request_and_returns_the_response_map() {
        let server = runtime().block_on(TestServer::start(WireFormat::OpenAi));
        server.push(Reply::text("Hello there").with_usage(12, 3));
        let host = host(served(&server));
        let request = v(json!({
            "messages": [{"role": "user", "content": "earlier"}, {"role": "assistant", "content": "ok"}],
            "prompt": "Say hello",
            "system": "Be kind",
            "temperature": 0.5,
            "max_tokens": 20,
            "tools": ["calculator"]
        }));
        let response = call(&host.registry, "llm", "chat", vec![request]).unwrap();
        let map = response.as_map().unwrap();
        assert_eq!(map["text"], Value::from("Hello there"));
        assert_eq!(map["provider"], Value::from("remote"));
        assert_eq!(map["finish_reason"], Value::from("stop"));
        assert_eq!(
            map["usage"],
            v(json!({"input_tokens": 12, "output_tokens": 3}))
        );
        assert!(!map.contains_key("data"));
        let body = &server.requests()[0].body;
        assert_eq!(body["model"], "test-model");
        assert_eq!(body["temperature"], 0.5);
        let messages = body["messages"].as_array().unwrap();
        assert_eq!(messages[0], json!({"role": "system", "content": "Be kind"}));
        assert_eq!(messages.last().unwrap()["content"], "Say hello");
        assert_eq!(messages.len(), 4);
        assert_eq!(body["tools"][0]["function"]["name"], "calculator");
        assert!(!response.to_display().contains(TEST_API_KEY));
    }

    #[test]
    fn stream_calls_back_for_every_delta_in_order() {
        let server = runtime().block_on(TestServer::start(WireFormat::Anthropic));
        server.push(Reply::chunks(["Once", " upon", " a time"]));
        let host = host(served(&server));
        let (on_chunk, chunks) = collector();
        let response = call(
            &host.registry,
            "llm",
            "stream",
            vec!["Tell a story".into(), Value::Callable(on_chunk)],
        )
        .unwrap();
        assert_eq!(*chunks.lock().unwrap(), ["Once", " upon", " a time"]);
        assert_eq!(
            response.as_map().unwrap()["text"],
            Value::from("Once upon a time")
        );
        let failing = Callable::new(RustFunction(|_args: Vec<Value>| {
            Err(llmspell_bridge::HostError::new("runtime", "boom"))
        }));
        server.push(Reply::chunks(["a", "b"]));
        let error = call(
            &host.registry,
            "llm",
            "stream",
            vec!["x".into(), Value::Callable(failing)],
        )
        .unwrap_err();
        assert_eq!(
            (error.code.as_str(), error.message.as_str()),
            ("runtime", "llm.stream: boom")
        );
    }

    #[test]
    fn a_schema_gives_validated_data() {
        let host = host(scripted(
            json!({"queue": [{"data": {"name": "Ada", "age": 36}}, {"data": {"name": 5}}]}),
        ));
        let schema = json!({
            "type": "object",
            "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
            "required": ["name"]
        });
        let request = v(json!({"prompt": "Who?", "schema": schema}));
        let response = call(&host.registry, "llm", "chat", vec![request.clone()]).unwrap();
        assert_eq!(
            response.as_map().unwrap()["data"],
            v(json!({"name": "Ada", "age": 36}))
        );
        let error = call(&host.registry, "llm", "chat", vec![request]).unwrap_err();
        assert_eq!(error.code, "invalid_response", "{error}");
    }

    #[test]
    fn an_empty_table_is_an_empty_list_of_tools() {
        let host = host(crate::offline_providers());
        let response = call(
            &host.registry,
            "llm",
            "chat",
            vec![v(json!({"prompt": "x", "tools": {}}))],
        )
        .unwrap();
        assert!(response.as_map().is_some_and(|map| map.contains_key("text")), "{response:?}");
    }

    #[test]
    fn bad_requests_name_the_key() {
        let host = host(crate::offline_providers());
        let cases = [
            (
                json!({"prompt": "x", "colour": 1}),
                "unknown request key 'colour'",
            ),
            (
                json!({"prompt": "x", "temperature": "hot"}),
                "request key 'temperature' expects float, got str",
            ),
            (json!({"prompt": 3}), "request key 'prompt' expects str"),
            (json!({"system": "x"}), "needs 'prompt' or 'messages'"),
            (
                json!({"prompt": "x", "max_tokens": -1}),
                "'max_tokens' must be a positive int",
            ),
            (
                json!({"prompt": "x", "schema": {"type": 12}}),
                "request key 'schema'",
            ),
            (
                json!({"prompt": "x", "tools": ["nope"]}),
                "request key 'tools': no tool named 'nope'",
            ),
            (
                json!({"messages": [{"role": "robot", "content": "x"}]}),
                "request key 'messages': message 1",
            ),
            (
                json!({"messages": [{"role": "user", "content": "x", "name": "bob"}]}),
                "unknown request.messages item 1 key 'name' (expected role, content)",
            ),
            (
                json!({"messages": [{"role": "user"}]}),
                "request.messages item 1 key 'content' is required",
            ),
        ];
        for (request, message) in cases {
            let error = call(&host.registry, "llm", "chat", vec![v(request)]).unwrap_err();
            assert_eq!(error.code, "invalid_argument", "{error}");
            assert!(error.message.starts_with("llm.chat: "), "{error}");
            assert!(error.message.contains(message), "{error} / {message}");
        }
        let unknown = call(
            &host.registry,
            "llm",
            "complete",
            vec![v(json!({"prompt": "x", "model": "openai/gpt"}))],
        )
        .unwrap_err();
        assert_eq!(unknown.code, "provider_config", "{unknown}");
    }

    #[test]
    fn provider_errors_keep_their_codes_and_never_show_the_key() {
        let server = runtime().block_on(TestServer::start(WireFormat::OpenAi));
        let host = host(served(&server));
        let events = record_events(&host.context);
        for (replies, code) in [
            (vec![Reply::status(401)], "provider_auth"),
            (
                vec![
                    Reply::rate_limited("0"),
                    Reply::rate_limited("0"),
                    Reply::rate_limited("0"),
                ],
                "provider_rate_limit",
            ),
            (
                vec![Reply::status(500), Reply::status(500), Reply::status(500)],
                "provider_http",
            ),
            (vec![Reply::status(400)], "provider_http"),
        ] {
            for reply in replies {
                server.push(reply);
            }
            let error = call(&host.registry, "llm", "complete", vec!["hi".into()]).unwrap_err();
            assert_eq!(error.code, code, "{error}");
            assert!(
                error.message.starts_with("llm.complete: remote: "),
                "{error}"
            );
            assert!(!format!("{error:?}").contains(TEST_API_KEY));
        }
        let errors: Vec<Value> = events
            .lock()
            .unwrap()
            .iter()
            .filter(|(name, _)| name == "error")
            .map(|(_, data)| data.clone())
            .collect();
        assert_eq!(errors.len(), 4);
        assert_eq!(
            errors[0].as_map().unwrap()["code"],
            Value::from("provider_auth")
        );
        assert!(!format!("{:?}", events.lock().unwrap()).contains(TEST_API_KEY));
    }

    #[test]
    fn requests_and_responses_are_events() {
        let host = host(crate::offline_providers());
        let events = record_events(&host.context);
        call(&host.registry, "llm", "complete", vec!["hi".into()]).unwrap();
        let events = events.lock().unwrap();
        let names: Vec<&str> = events.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["llm.request", "llm.response"]);
        assert_eq!(
            events[0].1,
            v(
                json!({"provider": "scripted", "model": "scripted/echo", "messages": 1, "tools": [], "stream": false})
            )
        );
        assert_eq!(
            events[1].1,
            v(json!({
                "provider": "scripted", "model": "scripted/echo", "finish_reason": "stop", "text": "echo: hi",
                "usage": {"input_tokens": 0, "output_tokens": 0}, "tool_calls": []
            }))
        );
    }
}
