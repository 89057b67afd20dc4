//! Tools: named capabilities with a JSON Schema for their arguments, callable from scripts
//! (`tools.call`, `Tool.call`), by agents (native tool calling) and as workflow steps.
//!
//! A [`ToolBox`] holds one spell's tools: the built-in ones (`web_fetch`, `http_request`,
//! `file_read`, `file_write`, `file_list`, `json_query`, `calculator`, `datetime`) and those the spell defines with
//! `tools.define`. Every call validates its arguments against the tool's schema first
//! (`invalid_argument` naming the schema path), then emits `tool.call`, runs the tool and
//! emits `tool.result` (or `error`).

mod calculator;
mod datetime;
mod files;
mod json_query;
mod web;

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock, PoisonError, RwLock};

use futures::future::BoxFuture;
use llmspell_bridge::{Callable, HostError, HostObject, Map, Object, Value, map_of};
use serde_json::Value as JsonValue;

use crate::{EventBus, HostContext};

/// What a built-in tool runs: the spell's context and the validated arguments.
type BuiltinFn = fn(HostContext, Map) -> BoxFuture<'static, Result<Value, HostError>>;

/// How a tool runs.
#[derive(Clone)]
enum Body {
    Builtin(BuiltinFn),
    Script(Callable),
}

/// A tool's declaration and body, shared by every handle to it.
struct ToolDef {
    name: String,
    description: String,
    params: JsonValue,
    validator: jsonschema::Validator,
    body: Body,
}

/// A tool bound to one spell: the `Tool` host object scripts see.
#[derive(Clone)]
pub struct Tool {
    def: Arc<ToolDef>,
    context: HostContext,
}

impl Tool {
    pub fn name(&self) -> &str {
        &self.def.name
    }
    pub fn description(&self) -> &str {
        &self.def.description
    }
    /// The JSON Schema of the arguments.
    pub fn params(&self) -> &JsonValue {
        &self.def.params
    }
    /// Whether the tool is built in (as opposed to defined by the spell).
    pub fn is_builtin(&self) -> bool {
        matches!(self.def.body, Body::Builtin(_))
    }
    /// What a provider is told about the tool.
    pub fn spec(&self) -> llmspell_llm::ToolSpec {
        llmspell_llm::ToolSpec {
            name: self.def.name.clone(),
            description: self.def.description.clone(),
            parameters: self.def.params.clone(),
        }
    }

    /// `{name, description, params, builtin}`, as `tools.list` shows it.
    pub fn describe(&self) -> Value {
        map_of([
            ("name", Value::from(self.name())),
            ("description", Value::from(self.description())),
            ("params", Value::from_json(self.params().clone())),
            ("builtin", Value::Bool(self.is_builtin())),
        ])
    }

    /// Checks `args` against the schema: `invalid_argument` naming the first failing path.
    pub fn validate(&self, args: &Value) -> Result<JsonValue, HostError> {
        let json = args.to_json().map_err(|error| {
            HostError::invalid_argument(format!(
                "tool '{}': the arguments cannot be JSON: {}",
                self.name(),
                error.message
            ))
        })?;
        let violations: Vec<String> = self
            .def
            .validator
            .iter_errors(&json)
            .map(|error| {
                let path = error.instance_path().to_string();
                let path = if path.is_empty() {
                    "/".to_owned()
                } else {
                    path
                };
                format!("at {path}: {error}")
            })
            .collect();
        if violations.is_empty() {
            Ok(json)
        } else {
            Err(HostError::invalid_argument(format!(
                "tool '{}': invalid arguments: {}",
                self.name(),
                violations.join("; ")
            )))
        }
    }

    /// Validates `args`, emits `tool.call`, runs the tool and emits `tool.result` (or `error`).
    /// Script-defined tools run on the spell's thread (through a blocking task).
    pub fn call(&self, args: Value) -> BoxFuture<'static, Result<Value, HostError>> {
        let tool = self.clone();
        Box::pin(async move {
            let events = tool.context.events.clone();
            let name = tool.name().to_owned();
            let result = tool.run(&events, args).await;
            match &result {
                Ok(value) => {
                    let data = map_of([
                        ("tool", Value::from(name.as_str())),
                        ("result", value.clone()),
                    ]);
                    emit(&events, "tool.result", data).await?;
                }
                Err(error) if !error.is_fatal() => {
                    emit_error(&events, &format!("tool '{name}'"), error).await?;
                }
                Err(_) => {}
            }
            result
        })
    }

    async fn run(&self, events: &EventBus, args: Value) -> Result<Value, HostError> {
        let args = if args.is_nil() {
            Value::Map(Map::new())
        } else {
            args
        };
        self.validate(&args)?;
        let data = map_of([("tool", Value::from(self.name())), ("args", args.clone())]);
        emit(events, "tool.call", data).await?;
        match &self.def.body {
            Body::Builtin(run) => {
                let Value::Map(map) = args else {
                    return Err(HostError::invalid_argument(format!(
                        "tool '{}': the arguments must be a map",
                        self.name()
                    )));
                };
                run(self.context.clone(), map)
                    .await
                    .map_err(|error| prefix(&format!("tool '{}'", self.name()), error))
            }
            Body::Script(callable) => {
                let callable = callable.clone();
                call_blocking(move || callable.call(vec![args])).await
            }
        }
    }
}

impl HostObject for Tool {
    fn type_name(&self) -> &'static str {
        "Tool"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "name" => Some(Value::from(self.name())),
            "description" => Some(Value::from(self.description())),
            "params" => Some(Value::from_json(self.params().clone())),
            "builtin" => Some(Value::Bool(self.is_builtin())),
            _ => None,
        }
    }
    fn to_value(&self) -> Option<Value> {
        Some(self.describe())
    }
    fn display(&self) -> String {
        format!("<Tool {}>", self.name())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// One spell's tools: the built-in ones and those it defined. Cheap to clone (shared).
#[derive(Clone)]
pub struct ToolBox {
    context: HostContext,
    defined: Arc<RwLock<BTreeMap<String, Arc<ToolDef>>>>,
}

impl ToolBox {
    /// The tools of the spell of `context`; registers the runner for `Tool` objects, so a
    /// tool can be a workflow step (input: a map or a State, whose map becomes the arguments).
    pub fn new(context: &HostContext) -> ToolBox {
        context.runners.register(
            "Tool",
            Arc::new(|object, input| {
                let Some(tool) = object.downcast::<Tool>().cloned() else {
                    return Box::pin(async { Err(HostError::internal("not a Tool")) });
                };
                let args = match crate::State::from_value(&input) {
                    Some(state) => Value::Map(state.values().clone()),
                    None => input,
                };
                tool.call(args)
            }),
        );
        ToolBox {
            context: context.clone(),
            defined: Arc::default(),
        }
    }

    /// The tool called `name`: a tool the spell defined, else a built-in one.
    pub fn get(&self, name: &str) -> Option<Tool> {
        let defined = self.read().get(name).cloned();
        defined
            .or_else(|| BUILTINS.iter().find(|def| def.name == name).cloned())
            .map(|def| Tool {
                def,
                context: self.context.clone(),
            })
    }

    /// Every tool, sorted by name.
    pub fn list(&self) -> Vec<Tool> {
        let mut all: BTreeMap<String, Arc<ToolDef>> = BUILTINS
            .iter()
            .map(|def| (def.name.clone(), def.clone()))
            .collect();
        for (name, def) in self.read().iter() {
            all.insert(name.clone(), def.clone());
        }
        all.into_values()
            .map(|def| Tool {
                def,
                context: self.context.clone(),
            })
            .collect()
    }

    /// Defines (or redefines) a script tool. Names are 1–64 letters, digits, `_` or `-`
    /// and may not be a built-in tool's; `params` must be a JSON Schema.
    pub fn define(
        &self,
        name: &str,
        description: &str,
        params: JsonValue,
        run: Callable,
    ) -> Result<Tool, HostError> {
        check_tool_name(name)?;
        if BUILTINS.iter().any(|def| def.name == name) {
            return Err(HostError::invalid_argument(format!(
                "'{name}' is a built-in tool; choose another name"
            )));
        }
        let def = Arc::new(make_def(name, description, params, Body::Script(run))?);
        self.defined
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_owned(), def.clone());
        Ok(Tool {
            def,
            context: self.context.clone(),
        })
    }

    /// Calls the tool `name` with `args` (`not_found` when there is none).
    pub fn call(&self, name: &str, args: Value) -> BoxFuture<'static, Result<Value, HostError>> {
        match self.get(name) {
            Some(tool) => tool.call(args),
            None => {
                let error = HostError::not_found(format!("no tool named '{name}'"));
                Box::pin(async move { Err(error) })
            }
        }
    }

    /// Tools from a script's list of names and `Tool` objects (`invalid_argument` for
    /// unknown names and other values; `what` names the list in errors).
    pub fn resolve_list(&self, what: &str, list: &[Value]) -> Result<Vec<Tool>, HostError> {
        list.iter()
            .map(|item| match item {
                Value::Str(name) => self.get(name).ok_or_else(|| {
                    HostError::invalid_argument(format!("{what}: no tool named '{name}'"))
                }),
                Value::Object(object) => object.downcast::<Tool>().cloned().ok_or_else(|| {
                    HostError::invalid_argument(format!(
                        "{what}: expects tool names or Tool objects, got a {}",
                        object.type_name()
                    ))
                }),
                other => Err(HostError::invalid_argument(format!(
                    "{what}: expects tool names or Tool objects, got {}",
                    llmspell_bridge::Type::describe_value(other)
                ))),
            })
            .collect()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Arc<ToolDef>>> {
        self.defined.read().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The tool as a script value.
impl From<Tool> for Value {
    fn from(tool: Tool) -> Value {
        Value::Object(Object::new(tool))
    }
}

fn check_tool_name(name: &str) -> Result<(), HostError> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if valid {
        Ok(())
    } else {
        Err(HostError::invalid_argument(format!(
            "tool name '{name}' must be 1 to 64 letters, digits, '_' or '-'"
        )))
    }
}

fn make_def(
    name: &str,
    description: &str,
    params: JsonValue,
    body: Body,
) -> Result<ToolDef, HostError> {
    let validator = jsonschema::validator_for(&params).map_err(|error| {
        HostError::invalid_argument(format!(
            "tool '{name}': params is not a valid JSON Schema: {error}"
        ))
    })?;
    Ok(ToolDef {
        name: name.to_owned(),
        description: description.to_owned(),
        params,
        validator,
        body,
    })
}

/// The built-in tools, compiled once.
static BUILTINS: LazyLock<Vec<Arc<ToolDef>>> = LazyLock::new(|| {
    let builtins: [(&str, &str, JsonValue, BuiltinFn); 8] = [
        web::FETCH,
        web::REQUEST,
        files::READ,
        files::WRITE,
        files::LIST,
        json_query::TOOL,
        calculator::TOOL,
        datetime::TOOL,
    ]
    .map(|(name, description, params, run)| (name, description, params(), run));
    builtins
        .into_iter()
        .map(|(name, description, params, run)| {
            Arc::new(
                make_def(name, description, params, Body::Builtin(run))
                    .unwrap_or_else(|error| panic!("built-in tool {name}: {error}")),
            )
        })
        .collect()
});

/// A built-in tool's declaration: name, description, schema, body.
type BuiltinDecl = (&'static str, &'static str, fn() -> JsonValue, BuiltinFn);

/// Runs blocking work (a script callback, an event handler) off the async workers.
pub(crate) async fn call_blocking(
    work: impl FnOnce() -> Result<Value, HostError> + Send + 'static,
) -> Result<Value, HostError> {
    match tokio::runtime::Handle::try_current() {
        Ok(_) => tokio::task::spawn_blocking(work)
            .await
            .unwrap_or_else(|error| {
                Err(HostError::internal(format!("a callback panicked: {error}")))
            }),
        Err(_) => work(),
    }
}

/// Emits a runtime event from async code (handlers are script callbacks: they run through
/// a blocking task). Skips all work when nobody listens.
pub(crate) async fn emit(
    events: &EventBus,
    name: &'static str,
    data: Value,
) -> Result<(), HostError> {
    if !events.has_subscribers(name) {
        return Ok(());
    }
    let events = events.clone();
    call_blocking(move || events.emit(name, data).map(|()| Value::Nil))
        .await
        .map(|_| ())
}

/// Emits `error` with `{source, code, message}`.
pub(crate) async fn emit_error(
    events: &EventBus,
    source: &str,
    error: &HostError,
) -> Result<(), HostError> {
    let data = map_of([
        ("source", Value::from(source)),
        ("code", Value::from(error.code.as_str())),
        ("message", Value::from(error.message.as_str())),
    ]);
    emit(events, "error", data).await
}

fn prefix(what: &str, mut error: HostError) -> HostError {
    error.message = format!("{what}: {}", error.message);
    error
}

/// A string argument of a built-in tool (already validated by the schema).
fn arg_str<'a>(args: &'a Map, key: &str) -> Option<&'a str> {
    args.get(key).and_then(Value::as_str)
}

#[cfg(test)]
pub(crate) mod testing {
    //! Drives I/O-bound host functions in tests.

    use llmspell_bridge::{HostError, Invocation, Registry, Value};

    use std::sync::LazyLock;

    /// One multi-threaded runtime for every test, as the spell runtime has one shared I/O
    /// runtime (HTTP clients keep connections bound to the runtime that opened them).
    pub fn runtime() -> &'static tokio::runtime::Runtime {
        static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(4)
                .enable_all()
                .build()
                .unwrap()
        });
        &RUNTIME
    }

    fn finish(invocation: Invocation) -> Result<Value, HostError> {
        match invocation {
            Invocation::Ready(result) => result,
            Invocation::Pending(future) => runtime().block_on(future),
        }
    }

    /// Calls `module.function(args...)` as an engine does, driving a future to its end.
    pub fn call(
        registry: &Registry,
        module: &str,
        function: &str,
        args: Vec<Value>,
    ) -> Result<Value, HostError> {
        let module = registry.module(module).unwrap();
        let found = module
            .find(function)
            .unwrap_or_else(|| panic!("no {function}"));
        finish(found.invoke(&module.qualified(found.name), None, args))
    }

    /// Calls `object:method(args...)`.
    pub fn method(
        registry: &Registry,
        this: &Value,
        method: &str,
        args: Vec<Value>,
    ) -> Result<Value, HostError> {
        let type_name = this.as_object().unwrap().type_name();
        let object_type = registry.object_type(type_name).unwrap();
        let found = object_type
            .find(method)
            .unwrap_or_else(|| panic!("no {method}"));
        let qualified = format!("{}.{}", object_type.name, found.name);
        finish(found.invoke(&qualified, Some(this.clone()), args))
    }
}
