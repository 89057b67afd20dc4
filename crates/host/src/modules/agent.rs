//! `agent`: LLMs with a role, tools and memory; the `Agent` object type.
//!
//! `Agent.run` performs the native tool-calling loop: ask the model → run the tools it asks
//! for → send the results back → … until it answers without tool calls, or `max_turns` model
//! calls have been made (error `max_turns`).

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use futures::future::BoxFuture;
use llmspell_bridge::{
    Callable, Function, HostError, HostObject, Map, Module, Object, ObjectType, Record, Type, Value,
    map_of,
};
use llmspell_llm::{Message, Request, Role, Usage};

use crate::modules::in_function;
use crate::modules::llm::{resolve, send};
use crate::tools::{Tool, ToolBox, emit, emit_error};
use crate::{HostContext, State};

/// The error code of an agent that used up its turns.
pub const MAX_TURNS: &str = "max_turns";
/// The default of `max_turns`.
pub const DEFAULT_MAX_TURNS: u32 = 8;

/// The keys of `agent.create`'s configuration; validation rejects any other.
pub(crate) fn config_record() -> Type {
    Record::new("AgentConfig", "The configuration of `agent.create`.")
        .field("name", Type::Str, "The agent's name (non-empty); `agent.get` finds it by it.")
        .optional(
            "model",
            Type::Str,
            None,
            "`provider/model` or a configured alias; the default model when omitted.",
        )
        .optional("system_prompt", Type::Str, None, "The agent's role, sent as the system message.")
        .optional(
            "tools",
            Type::list(Type::Union(vec![Type::Str, Type::Object("Tool")])),
            None,
            "The tools the model may call: tool names or Tool objects.",
        )
        .optional("temperature", Type::Float, None, "The sampling temperature.")
        .optional("max_tokens", Type::Int, None, "The most tokens of one answer (a positive int).")
        .optional(
            "max_turns",
            Type::Int,
            Some(Value::Int(i64::from(DEFAULT_MAX_TURNS))),
            "The most model calls of one run (a positive int); then error `max_turns`.",
        )
        .optional(
            "memory",
            Type::Bool,
            Some(Value::Bool(false)),
            "Whether the conversation carries over from one run to the next.",
        )
        .optional(
            "input_key",
            Type::Str,
            Some(Value::from("input")),
            "The entry a map or State input is read from.",
        )
        .optional(
            "output_key",
            Type::Str,
            Some(Value::from("output")),
            "The entry of the returned State the answer is stored under.",
        )
        .into_type()
}

/// An agent: the `Agent` host object. Cheap to clone (shared).
#[derive(Clone)]
pub struct Agent {
    inner: Arc<Inner>,
}

struct Inner {
    name: String,
    /// The model as configured (`None`: the default model).
    model: Option<String>,
    /// The `provider/model` string it resolved to when created.
    resolved_model: String,
    system_prompt: Option<String>,
    tools: Vec<Tool>,
    temperature: Option<f64>,
    max_tokens: Option<u32>,
    max_turns: u32,
    memory: bool,
    input_key: String,
    output_key: String,
    history: Mutex<Vec<Message>>,
    context: HostContext,
}

impl HostObject for Agent {
    fn type_name(&self) -> &'static str {
        "Agent"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "name" => Some(Value::from(self.inner.name.as_str())),
            "model" => Some(Value::from(self.inner.resolved_model.as_str())),
            _ => None,
        }
    }
    fn to_value(&self) -> Option<Value> {
        Some(map_of([
            ("name", Value::from(self.inner.name.as_str())),
            ("model", Value::from(self.inner.resolved_model.as_str())),
        ]))
    }
    fn display(&self) -> String {
        format!("<Agent {}>", self.inner.name)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Agent {
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The `provider/model` string the agent uses.
    pub fn model(&self) -> &str {
        &self.inner.resolved_model
    }

    /// Runs the agent on `input` (a string, a map, or a State) as `Agent.run` does; with
    /// `on_chunk`, streams every text delta to it.
    pub fn run(
        &self,
        input: Value,
        on_chunk: Option<Callable>,
    ) -> BoxFuture<'static, Result<Value, HostError>> {
        let agent = self.clone();
        Box::pin(async move {
            let inner = &agent.inner;
            let (text, state) = match &input {
                Value::Str(text) => (text.clone(), None),
                Value::Map(map) => match map.get(&inner.input_key) {
                    Some(value) => (input_text(value), None),
                    None => (input_text(&input), None),
                },
                Value::Object(_) => match State::from_value(&input) {
                    Some(state) => {
                        let value = state.get(&inner.input_key);
                        if value.is_nil() {
                            return Err(HostError::invalid_argument(format!(
                                "agent '{}': the State has no '{}'",
                                inner.name, inner.input_key
                            )));
                        }
                        (input_text(&value), Some(state.clone()))
                    }
                    None => return Err(bad_input(&input)),
                },
                other => return Err(bad_input(other)),
            };
            let answer = agent.converse(text, on_chunk).await?;
            Ok(match state {
                Some(state) => state
                    .with(&inner.output_key, Value::Str(answer))
                    .into_value(),
                None => Value::Str(answer),
            })
        })
    }

    /// The user inputs and final answers remembered, oldest first.
    pub fn history(&self) -> Vec<Value> {
        self.lock_history()
            .iter()
            .filter(|message| {
                matches!(message.role, Role::User | Role::Assistant)
                    && message.tool_calls.is_empty()
            })
            .map(|message| {
                let role = if message.role == Role::User {
                    "user"
                } else {
                    "assistant"
                };
                map_of([
                    ("role", Value::from(role)),
                    ("content", Value::from(message.content.as_str())),
                ])
            })
            .collect()
    }

    pub fn reset(&self) {
        self.lock_history().clear();
    }

    fn lock_history(&self) -> std::sync::MutexGuard<'_, Vec<Message>> {
        self.inner
            .history
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    async fn converse(
        &self,
        text: String,
        on_chunk: Option<Callable>,
    ) -> Result<String, HostError> {
        let inner = &self.inner;
        let context = &inner.context;
        let source = format!("agent '{}'", inner.name);
        let start = map_of([
            ("agent", Value::from(inner.name.as_str())),
            ("model", Value::from(inner.resolved_model.as_str())),
            ("input", Value::from(text.as_str())),
        ]);
        emit(&context.events, "agent.start", start).await?;
        let mut messages = if inner.memory {
            self.lock_history().clone()
        } else {
            Vec::new()
        };
        messages.push(Message::user(text));
        let specs: Vec<_> = inner.tools.iter().map(Tool::spec).collect();
        let mut usage = Usage::default();
        for turn in 1..=inner.max_turns {
            let request = Request {
                system: inner.system_prompt.clone(),
                messages: messages.clone(),
                temperature: inner.temperature,
                max_tokens: inner.max_tokens,
                tools: specs.clone(),
                ..Request::default()
            };
            let (provider, request) = resolve(context, inner.model.as_deref(), request)?;
            let response = send(
                context,
                &provider,
                request,
                on_chunk.clone(),
                &source,
                Some(&inner.name),
            )
            .await?;
            usage.input_tokens += response.usage.input_tokens;
            usage.output_tokens += response.usage.output_tokens;
            if response.tool_calls.is_empty() {
                messages.push(Message::assistant(response.text.clone()));
                *self.lock_history() = messages;
                let end = map_of([
                    ("agent", Value::from(inner.name.as_str())),
                    ("model", Value::from(inner.resolved_model.as_str())),
                    ("output", Value::from(response.text.as_str())),
                    ("turns", Value::Int(i64::from(turn))),
                    (
                        "usage",
                        map_of([
                            ("input_tokens", Value::Int(usage.input_tokens as i64)),
                            ("output_tokens", Value::Int(usage.output_tokens as i64)),
                        ]),
                    ),
                ]);
                emit(&context.events, "agent.end", end).await?;
                return Ok(response.text);
            }
            messages.push(Message::assistant_with_tool_calls(
                response.text.clone(),
                response.tool_calls.clone(),
            ));
            for call in response.tool_calls {
                let content = match inner.tools.iter().find(|tool| tool.name() == call.name) {
                    None => error_text(&HostError::not_found(format!(
                        "no tool named '{}' is available to this agent",
                        call.name
                    ))),
                    Some(tool) => match tool.call(Value::from_json(call.arguments.clone())).await {
                        Ok(result) => result_text(&result),
                        Err(error) if error.is_fatal() => return Err(error),
                        Err(error) => error_text(&error),
                    },
                };
                messages.push(Message::tool_result(call.id, call.name, content));
            }
        }
        let error = HostError::new(
            MAX_TURNS,
            format!(
                "agent '{}' made {} model calls (max_turns) without a final answer",
                inner.name, inner.max_turns
            ),
        );
        emit_error(&context.events, &source, &error).await?;
        Err(error)
    }
}

fn bad_input(value: &Value) -> HostError {
    HostError::invalid_argument(format!(
        "the input is a str, a map or a State, got {}",
        Type::describe_value(value)
    ))
}

/// What the model reads for an input value: strings as they are, anything else as JSON.
fn input_text(value: &Value) -> String {
    match value {
        Value::Str(text) => text.clone(),
        other => other
            .to_json()
            .map(|json| json.to_string())
            .unwrap_or_else(|_| other.to_display()),
    }
}

/// A tool's result as the text of the tool message: strings as they are, the rest as JSON.
fn result_text(value: &Value) -> String {
    input_text(value)
}

/// A failed tool call as the model reads it: `{"error":{"code":…,"message":…}}`.
fn error_text(error: &HostError) -> String {
    serde_json::json!({"error": {"code": error.code, "message": error.message}}).to_string()
}

/// The agents of one spell, by name.
#[derive(Clone, Default)]
pub(crate) struct Agents(Arc<Mutex<BTreeMap<String, Agent>>>);

impl Agents {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Agent>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

pub(crate) fn module(context: &HostContext, toolbox: &ToolBox) -> Module {
    let agents = Agents::default();
    context.runners.register(
        "Agent",
        Arc::new(
            |object: Object, input: Value| match object.downcast::<Agent>() {
                Some(agent) => agent.run(input, None),
                None => Box::pin(async { Err(HostError::internal("not an Agent")) }),
            },
        ),
    );
    let (create_ctx, create_box, create_agents) =
        (context.clone(), toolbox.clone(), agents.clone());
    let (get_agents, list_agents) = (agents.clone(), agents);
    Module::new(
        "agent",
        "Agents: an LLM with a role (system prompt), tools and optional memory. `run` performs \
         the model's native tool-calling loop: the model asks for tools, they run (arguments \
         validated against their schema), their results go back, until the model answers or \
         `max_turns` model calls were made (error `max_turns`). A failing tool call — bad \
         arguments, an unknown tool, an error the tool raises — is not raised: it is sent \
         back to the model as `{\"error\": {code, message}}` so it can correct itself (limits \
         and termination still end the spell). Runs emit `agent.start` and `agent.end`.",
    )
    .alias("Agent")
    .function(
        Function::new("create")
            .alias("new")
            .doc(
                "Creates an agent and registers it under its name (replacing an agent of the \
                 same name). Tool names are looked up now; an unknown name, model or config \
                 key is an error.",
            )
            .param("config", config_record(), "The agent's name, model, role, tools and limits.")
            .returns(Type::Object("Agent"), "The new agent.")
            .example(
                r#"local helper = agent.create({ name = "helper", system_prompt = "Be brief", tools = { "calculator" } })
print(helper:run("What is 6 * 7?"))"#,
                r#"const helper = agent.create({ name: "helper", system_prompt: "Be brief", tools: ["calculator"] });
print(await helper.run("What is 6 * 7?"));"#,
                r#"let helper = agent.create(#{ name: "helper", system_prompt: "Be brief", tools: ["calculator"] });
print(helper.run("What is 6 * 7?"));"#,
            )
            .sync(move |args| {
                let config = args.get(0).as_map().cloned().unwrap_or_default();
                let agent = create(&create_ctx, &create_box, &config)
                    .map_err(|error| in_function(&args.qualified, error))?;
                create_agents.lock().insert(agent.name().to_owned(), agent.clone());
                Ok(Value::Object(Object::new(agent)))
            }),
    )
    .function(
        Function::new("get")
            .doc("Finds an agent created by this spell.")
            .param("name", Type::Str, "The agent's name.")
            .returns(Type::Object("Agent"), "The agent, or nil.")
            .example(
                r#"local helper = agent.get("helper")"#,
                r#"const helper = agent.get("helper");"#,
                r#"let helper = agent.get("helper");"#,
            )
            .sync(move |args| {
                let found = get_agents.lock().get(args.str(0)?).cloned();
                Ok(found.map(|agent| Value::Object(Object::new(agent))).unwrap_or_default())
            }),
    )
    .function(
        Function::new("list")
            .doc("Lists the names of the agents this spell created.")
            .returns(Type::list(Type::Str), "The names, sorted.")
            .example(
                r#"for _, name in ipairs(agent.list()) do print(name) end"#,
                r#"for (const name of agent.list()) { print(name); }"#,
                r#"for name in agent.list() { print(name); }"#,
            )
            .sync(move |_args| {
                Ok(Value::List(list_agents.lock().keys().cloned().map(Value::Str).collect()))
            }),
    )
}

/// Builds an agent from a configuration `Function::validate` already checked against
/// [`config_record`] (keys and types); the checks here are of values.
fn create(context: &HostContext, toolbox: &ToolBox, config: &Map) -> Result<Agent, HostError> {
    let string = |key: &str| -> Result<Option<String>, HostError> {
        match config.get(key) {
            None | Some(Value::Nil) => Ok(None),
            Some(Value::Str(text)) => Ok(Some(text.clone())),
            Some(other) => Err(key_type(key, "str", other)),
        }
    };
    let positive = |key: &str| -> Result<Option<u32>, HostError> {
        match config.get(key) {
            None | Some(Value::Nil) => Ok(None),
            Some(value) => value
                .as_int()
                .and_then(|n| u32::try_from(n).ok())
                .filter(|&n| n > 0)
                .map(Some)
                .ok_or_else(|| key_type(key, "a positive int", value)),
        }
    };
    let name = string("name")?
        .filter(|name| !name.is_empty())
        .ok_or_else(|| {
            HostError::invalid_argument("config key 'name' is required (a non-empty str)")
        })?;
    let model = string("model")?;
    let resolved_model = {
        let (provider, model_name) = context
            .llm
            .resolve(model.as_deref())
            .map_err(crate::modules::llm::llm_error)?;
        format!("{}/{model_name}", provider.name())
    };
    let tools = match config.get("tools") {
        None | Some(Value::Nil) => Vec::new(),
        Some(value) => match value.as_list_or_empty() {
            Some(list) => toolbox.resolve_list("config key 'tools'", list)?,
            None => return Err(key_type("tools", "list", value)),
        },
    };
    let temperature = match config.get("temperature") {
        None | Some(Value::Nil) => None,
        Some(value) => Some(
            value
                .as_float()
                .ok_or_else(|| key_type("temperature", "float", value))?,
        ),
    };
    let memory = match config.get("memory") {
        None | Some(Value::Nil) => false,
        Some(Value::Bool(flag)) => *flag,
        Some(other) => return Err(key_type("memory", "bool", other)),
    };
    Ok(Agent {
        inner: Arc::new(Inner {
            system_prompt: string("system_prompt")?,
            max_tokens: positive("max_tokens")?,
            max_turns: positive("max_turns")?.unwrap_or(DEFAULT_MAX_TURNS),
            input_key: string("input_key")?.unwrap_or_else(|| "input".to_owned()),
            output_key: string("output_key")?.unwrap_or_else(|| "output".to_owned()),
            name,
            model,
            resolved_model,
            tools,
            temperature,
            memory,
            history: Mutex::new(Vec::new()),
            context: context.clone(),
        }),
    })
}

fn key_type(key: &str, expected: &str, got: &Value) -> HostError {
    HostError::invalid_argument(format!(
        "config key '{key}' expects {expected}, got {}",
        Type::describe_value(got)
    ))
}

/// The `Agent` object type.
pub(crate) fn object_type() -> ObjectType {
    ObjectType::new(
        "Agent",
        "An LLM with a role, tools and optional memory, made by `agent.create`. Usable as a \
         workflow step (State in, State out).",
    )
    .field("name", Type::Str, "The agent's name.")
    .field("model", Type::Str, "The `provider/model` it uses.")
    .method(
        Function::new("run")
            .doc(
                "Runs the agent on an input: the model is asked, the tools it requests run and \
                 their results go back to it, until it answers (or `max_turns` is reached: error \
                 `max_turns`). A map input sends its `input_key` entry (else the whole map as \
                 JSON); a State input reads `input_key` and returns a new State with the answer \
                 under `output_key`.",
            )
            .param(
                "input",
                Type::Union(vec![Type::Str, Type::Map, Type::Object("State")]),
                "The user message, a map, or a State.",
            )
            .returns(
                Type::Union(vec![Type::Str, Type::Object("State")]),
                "The answer's text; a new State for a State input.",
            )
            .example(
                r#"local a = agent.create({ name = "poet" })
print(a:run("Write a haiku about Rust"))"#,
                r#"const a = agent.create({ name: "poet" });
print(await a.run("Write a haiku about Rust"));"#,
                r#"let a = agent.create(#{ name: "poet" });
print(a.run("Write a haiku about Rust"));"#,
            )
            .io(|mut args| {
                let qualified = args.qualified.clone();
                let agent = args.this::<Agent>().cloned();
                let input = args.take(0);
                Box::pin(async move {
                    agent?
                        .run(input, None)
                        .await
                        .map_err(|error| in_function(&qualified, error))
                })
            }),
    )
    .method(
        Function::new("stream")
            .doc(
                "Runs the agent like `run`, calling `on_chunk` with every piece of text the \
                 model produces, as it arrives.",
            )
            .param(
                "input",
                Type::Union(vec![Type::Str, Type::Map, Type::Object("State")]),
                "The user message, a map, or a State.",
            )
            .param(
                "on_chunk",
                Type::Fn,
                "Called with each text delta (a string).",
            )
            .returns(
                Type::Union(vec![Type::Str, Type::Object("State")]),
                "As `run`: the answer's text, or a new State.",
            )
            .example(
                r#"local a = agent.create({ name = "poet" })
a:stream("Write a haiku", function(chunk) print(chunk) end)"#,
                r#"const a = agent.create({ name: "poet" });
await a.stream("Write a haiku", (chunk) => print(chunk));"#,
                r#"let a = agent.create(#{ name: "poet" });
a.stream("Write a haiku", |chunk| print(chunk));"#,
            )
            .io(|mut args| {
                let qualified = args.qualified.clone();
                let agent = args.this::<Agent>().cloned();
                let input = args.take(0);
                let on_chunk = args.get(1).as_callable().cloned();
                Box::pin(async move {
                    agent?
                        .run(input, on_chunk)
                        .await
                        .map_err(|error| in_function(&qualified, error))
                })
            }),
    )
    .method(
        Function::new("history")
            .doc(
                "The conversation remembered: with `memory`, every run's input and answer; \
                 without, the last run's.",
            )
            .returns(
                Type::list(Type::Map),
                "`{ role, content }` per message, oldest first.",
            )
            .example(
                r#"local a = agent.create({ name = "chat", memory = true })
a:run("hi")
print(#a:history())  -- 2"#,
                r#"const a = agent.create({ name: "chat", memory: true });
await a.run("hi");
print(a.history().length); // 2"#,
                r#"let a = agent.create(#{ name: "chat", memory: true });
a.run("hi");
print(a.history().len()); // 2"#,
            )
            .sync(|args| Ok(Value::List(args.this::<Agent>()?.history()))),
    )
    .method(
        Function::new("reset")
            .doc("Forgets the conversation.")
            .returns(Type::Nil, "Nothing.")
            .example(
                r#"local a = agent.create({ name = "chat", memory = true })
a:reset()"#,
                r#"const a = agent.create({ name: "chat", memory: true });
a.reset();"#,
                r#"let a = agent.create(#{ name: "chat", memory: true });
a.reset();"#,
            )
            .sync(|args| {
                args.this::<Agent>()?.reset();
                Ok(Value::Nil)
            }),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use llmspell_bridge::{Callable, RustFunction, Value};
    use llmspell_llm::testing::{Reply, TestServer, WireFormat};
    use serde_json::json;

    use crate::State;
    use crate::modules::llm::tests::{LlmHost, collector, host, record_events, scripted, served};
    use crate::tools::testing::{call, method, runtime};

    fn v(json: serde_json::Value) -> Value {
        Value::from_json(json)
    }

    fn create(host: &LlmHost, config: serde_json::Value) -> Value {
        call(&host.registry, "agent", "create", vec![v(config)]).unwrap()
    }

    /// Defines `shout` (upper-cases `text`); returns how often it ran.
    fn define_shout(host: &LlmHost) -> Arc<Mutex<Vec<Value>>> {
        let runs = Arc::new(Mutex::new(Vec::new()));
        let seen = runs.clone();
        let run = Callable::new(RustFunction(move |args: Vec<Value>| {
            seen.lock().unwrap().push(args[0].clone());
            Ok(Value::from(
                args[0].as_map().unwrap()["text"]
                    .as_str()
                    .unwrap()
                    .to_uppercase(),
            ))
        }));
        let mut spec = v(json!({
            "name": "shout",
            "description": "Upper-cases a text",
            "params": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}
        }));
        if let Value::Map(map) = &mut spec {
            map.insert("run".into(), Value::Callable(run));
        }
        call(&host.registry, "tools", "define", vec![spec]).unwrap();
        runs
    }

    /// The tool-result messages the server received in its `index`th request, as
    /// `(name or id, content)` pairs in the vendor's shape, flattened to strings.
    fn body_text(server: &TestServer, index: usize) -> String {
        server.requests()[index].body.to_string()
    }

    #[test]
    fn a_script_defined_and_a_builtin_tool_run_in_the_loop_with_every_wire_format() {
        for wire in WireFormat::ALL {
            let server = runtime().block_on(TestServer::start(wire));
            server.push(Reply::tool_calls([
                ("shout", json!({"text": "hello"})),
                ("calculator", json!({"expression": "6 * 7"})),
            ]));
            server.push(Reply::text("HELLO, the answer is 42"));
            let host = host(served(&server));
            let runs = define_shout(&host);
            let helper = create(
                &host,
                json!({"name": "helper", "system_prompt": "Use tools", "tools": ["shout", "calculator"]}),
            );
            let answer = method(
                &host.registry,
                &helper,
                "run",
                vec!["Shout hello, then 6*7".into()],
            )
            .unwrap();
            assert_eq!(answer, Value::from("HELLO, the answer is 42"), "{wire:?}");
            assert_eq!(
                *runs.lock().unwrap(),
                [v(json!({"text": "hello"}))],
                "{wire:?}"
            );
            let requests = server.requests();
            assert_eq!(requests.len(), 2, "{wire:?}");
            let first = body_text(&server, 0);
            assert!(
                first.contains("Upper-cases a text") && first.contains("Use tools"),
                "{wire:?}: {first}"
            );
            let second = body_text(&server, 1);
            assert!(
                second.contains("HELLO") && second.contains("42"),
                "{wire:?}: {second}"
            );
        }
    }

    #[test]
    fn bad_arguments_and_unknown_tools_are_fed_back_to_the_model() {
        let server = runtime().block_on(TestServer::start(WireFormat::OpenAi));
        server.push(Reply::tool_calls([
            ("shout", json!({"text": 5})),
            ("nope", json!({})),
        ]));
        server.push(Reply::text("sorry"));
        let host = host(served(&server));
        let runs = define_shout(&host);
        let helper = create(&host, json!({"name": "helper", "tools": ["shout"]}));
        assert_eq!(
            method(&host.registry, &helper, "run", vec!["go".into()]).unwrap(),
            Value::from("sorry")
        );
        assert!(runs.lock().unwrap().is_empty());
        let body = &server.requests()[1].body;
        let tool_messages: Vec<&serde_json::Value> = body["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|message| message["role"] == "tool")
            .collect();
        assert_eq!(tool_messages.len(), 2);
        let bad: serde_json::Value =
            serde_json::from_str(tool_messages[0]["content"].as_str().unwrap()).unwrap();
        assert_eq!(bad["error"]["code"], "invalid_argument");
        assert!(
            bad["error"]["message"]
                .as_str()
                .unwrap()
                .contains("at /text"),
            "{bad}"
        );
        let unknown: serde_json::Value =
            serde_json::from_str(tool_messages[1]["content"].as_str().unwrap()).unwrap();
        assert_eq!(unknown["error"]["code"], "not_found");
    }

    #[test]
    fn max_turns_ends_a_loop_that_never_answers() {
        let host = host(scripted(json!({
            "otherwise": {"tool_calls": [{"name": "calculator", "arguments": {"expression": "1+1"}}]}
        })));
        let events = record_events(&host.context);
        let looping = create(
            &host,
            json!({"name": "looping", "tools": ["calculator"], "max_turns": 3}),
        );
        let error = method(&host.registry, &looping, "run", vec!["go".into()]).unwrap_err();
        assert_eq!(error.code, "max_turns");
        assert_eq!(
            error.message,
            "Agent.run: agent 'looping' made 3 model calls (max_turns) without a final answer"
        );
        let events = events.lock().unwrap();
        let requests = events
            .iter()
            .filter(|(name, _)| name == "llm.request")
            .count();
        let tool_calls = events
            .iter()
            .filter(|(name, _)| name == "tool.call")
            .count();
        assert_eq!((requests, tool_calls), (3, 3));
        assert_eq!(events.last().unwrap().0, "error");
    }

    #[test]
    fn memory_keeps_the_conversation_and_reset_forgets_it() {
        let host = host(crate::offline_providers());
        let history = |agent: &Value| method(&host.registry, agent, "history", vec![]).unwrap();
        let forgetful = create(&host, json!({"name": "forgetful"}));
        let keeper = create(&host, json!({"name": "keeper", "memory": true}));
        for agent in [&forgetful, &keeper] {
            assert_eq!(
                method(&host.registry, agent, "run", vec!["one".into()]).unwrap(),
                Value::from("echo: one")
            );
            method(&host.registry, agent, "run", vec!["two".into()]).unwrap();
        }
        assert_eq!(
            history(&forgetful),
            v(
                json!([{"role": "user", "content": "two"}, {"role": "assistant", "content": "echo: two"}])
            )
        );
        assert_eq!(
            history(&keeper),
            v(json!([
                {"role": "user", "content": "one"}, {"role": "assistant", "content": "echo: one"},
                {"role": "user", "content": "two"}, {"role": "assistant", "content": "echo: two"}
            ]))
        );
        assert_eq!(
            method(&host.registry, &keeper, "reset", vec![]).unwrap(),
            Value::Nil
        );
        assert_eq!(history(&keeper), v(json!([])));
    }

    #[test]
    fn memory_sends_earlier_turns_to_the_model() {
        let server = runtime().block_on(TestServer::start(WireFormat::OpenAi));
        server.push(Reply::text("first answer"));
        server.push(Reply::text("second answer"));
        let host = host(served(&server));
        let keeper = create(&host, json!({"name": "keeper", "memory": true}));
        method(
            &host.registry,
            &keeper,
            "run",
            vec!["first question".into()],
        )
        .unwrap();
        method(
            &host.registry,
            &keeper,
            "run",
            vec!["second question".into()],
        )
        .unwrap();
        let messages = server.requests()[1].body["messages"].clone();
        let contents: Vec<&str> = messages
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["content"].as_str().unwrap())
            .collect();
        assert_eq!(
            contents,
            ["first question", "first answer", "second question"]
        );
    }

    #[test]
    fn state_and_map_inputs_use_the_input_and_output_keys() {
        let host = host(crate::offline_providers());
        let plain = create(&host, json!({"name": "plain"}));
        let keyed = create(
            &host,
            json!({"name": "keyed", "input_key": "question", "output_key": "answer"}),
        );
        let state = State::new(
            [
                ("question".to_owned(), Value::from("why")),
                ("input".to_owned(), Value::from("hi")),
            ]
            .into_iter()
            .collect(),
        )
        .into_value();
        let out = method(&host.registry, &plain, "run", vec![state.clone()]).unwrap();
        let out = State::from_value(&out).unwrap();
        assert_eq!(out.get("output"), Value::from("echo: hi"));
        assert_eq!(out.get("question"), Value::from("why"));
        let out = method(&host.registry, &keyed, "run", vec![state.clone()]).unwrap();
        assert_eq!(
            State::from_value(&out).unwrap().get("answer"),
            Value::from("echo: why")
        );
        assert_eq!(
            method(
                &host.registry,
                &plain,
                "run",
                vec![v(json!({"input": "from a map"}))]
            )
            .unwrap(),
            Value::from("echo: from a map")
        );
        assert_eq!(
            method(&host.registry, &plain, "run", vec![v(json!({"a": 1}))]).unwrap(),
            Value::from(r#"echo: {"a":1}"#)
        );
        let empty = State::new(Default::default()).into_value();
        assert_eq!(
            method(&host.registry, &keyed, "run", vec![empty])
                .unwrap_err()
                .code,
            "invalid_argument"
        );
        let object = keyed.as_object().unwrap().clone();
        let out = runtime()
            .block_on(host.context.runners.run(object, state))
            .unwrap();
        assert_eq!(
            State::from_value(&out).unwrap().get("answer"),
            Value::from("echo: why")
        );
    }

    #[test]
    fn runs_emit_agent_llm_and_tool_events_in_order() {
        let host = host(scripted(json!({"rules": [
            {"match": "add", "after_tool": false, "reply": {"tool_calls": [{"name": "calculator", "arguments": {"expression": "2+2"}}]}},
            {"match": "add", "after_tool": true, "reply": {"text": "4"}}
        ]})));
        let events = record_events(&host.context);
        let adder = create(&host, json!({"name": "adder", "tools": ["calculator"]}));
        assert_eq!(
            method(&host.registry, &adder, "run", vec!["add 2 and 2".into()]).unwrap(),
            Value::from("4")
        );
        let events = events.lock().unwrap();
        let names: Vec<&str> = events.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "agent.start",
                "llm.request",
                "llm.response",
                "tool.call",
                "tool.result",
                "llm.request",
                "llm.response",
                "agent.end"
            ]
        );
        assert_eq!(
            events[0].1,
            v(json!({"agent": "adder", "model": "scripted/test", "input": "add 2 and 2"}))
        );
        assert_eq!(events[1].1.as_map().unwrap()["agent"], Value::from("adder"));
        assert_eq!(
            events[3].1,
            v(json!({"tool": "calculator", "args": {"expression": "2+2"}}))
        );
        assert_eq!(events[4].1, v(json!({"tool": "calculator", "result": 4})));
        assert_eq!(
            events[7].1,
            v(json!({
                "agent": "adder", "model": "scripted/test", "output": "4", "turns": 2,
                "usage": {"input_tokens": 0, "output_tokens": 0}
            }))
        );
    }

    #[test]
    fn stream_delivers_the_deltas_of_every_turn() {
        let server = runtime().block_on(TestServer::start(WireFormat::Gemini));
        server.push(Reply::tool_calls([(
            "calculator",
            json!({"expression": "3*3"}),
        )]));
        server.push(Reply::chunks(["It is", " 9", "."]));
        let host = host(served(&server));
        let agent = create(&host, json!({"name": "streamer", "tools": ["calculator"]}));
        let (on_chunk, chunks) = collector();
        let answer = method(
            &host.registry,
            &agent,
            "stream",
            vec!["3*3?".into(), Value::Callable(on_chunk)],
        )
        .unwrap();
        assert_eq!(answer, Value::from("It is 9."));
        assert_eq!(*chunks.lock().unwrap(), ["It is", " 9", "."]);
    }

    #[test]
    fn create_get_list_fields_and_config_errors() {
        let host = host(crate::offline_providers());
        let a = create(&host, json!({"name": "b_agent"}));
        create(
            &host,
            json!({"name": "a_agent", "model": "scripted/other", "temperature": 0.2, "max_tokens": 10}),
        );
        let object = a.as_object().unwrap();
        assert_eq!(object.0.field("name"), Some(Value::from("b_agent")));
        assert_eq!(object.0.field("model"), Some(Value::from("scripted/echo")));
        assert_eq!(
            call(&host.registry, "agent", "list", vec![]).unwrap(),
            v(json!(["a_agent", "b_agent"]))
        );
        let got = call(&host.registry, "agent", "get", vec!["a_agent".into()]).unwrap();
        assert_eq!(
            got.as_object().unwrap().0.field("model"),
            Some(Value::from("scripted/other"))
        );
        assert_eq!(
            call(&host.registry, "agent", "get", vec!["zzz".into()]).unwrap(),
            Value::Nil
        );
        assert_eq!(
            host.registry
                .module("agent")
                .unwrap()
                .find("new")
                .unwrap()
                .name,
            "create"
        );
        assert_eq!(host.registry.module("Agent").unwrap().name, "agent");
        let cases = [
            (
                json!({"name": "x", "colour": "red"}),
                "invalid_argument",
                "unknown config key 'colour'",
            ),
            (
                json!({"model": "scripted/echo"}),
                "invalid_argument",
                "'name' is required",
            ),
            (
                json!({"name": "x", "max_turns": 0}),
                "invalid_argument",
                "'max_turns' expects a positive int",
            ),
            (
                json!({"name": "x", "memory": "yes"}),
                "invalid_argument",
                "'memory' expects bool",
            ),
            (
                json!({"name": "x", "tools": ["nope"]}),
                "invalid_argument",
                "no tool named 'nope'",
            ),
            (
                json!({"name": "x", "model": "openai/gpt-4o"}),
                "provider_config",
                "not configured",
            ),
        ];
        for (config, code, message) in cases {
            let error = call(&host.registry, "agent", "create", vec![v(config)]).unwrap_err();
            assert_eq!(error.code, code, "{error}");
            assert!(error.message.starts_with("agent.create: "), "{error}");
            assert!(error.message.contains(message), "{error} / {message}");
        }
        // An empty Lua table arrives as an empty map: as `tools` it is the empty list.
        call(&host.registry, "agent", "create", vec![v(json!({"name": "x", "tools": {}}))]).unwrap();
    }

    #[test]
    fn provider_errors_surface_from_run_with_their_code() {
        let server = runtime().block_on(TestServer::start(WireFormat::Ollama));
        server.push(Reply::status(401));
        let host = host(served(&server));
        let agent = create(&host, json!({"name": "a"}));
        let error = method(&host.registry, &agent, "run", vec!["hi".into()]).unwrap_err();
        assert_eq!(error.code, "provider_auth", "{error}");
    }
}
