//! `workflow`: compose agents, tools, script functions and other workflows into sequential,
//! parallel, conditional and looping workflows that pass a [`State`] from step to step.
//!
//! # How State flows
//!
//! `Workflow.run(input)` starts from a State: a string becomes `{ input = <string> }`, a map
//! becomes a State of that map, a State is used as is. Every step receives the current State
//! (an object step through its runner, a function step as its argument) and its result is
//! folded into the current State:
//!
//! | the step returns | the next State |
//! |---|---|
//! | a `State` | that State (it replaces the current one) |
//! | a map | the current State with the map merged in (a nil value removes its key) |
//! | nil | the current State, unchanged |
//! | anything else (str, number, bool, list, object) | the current State with `output` set to it |
//!
//! `parallel` gives every step the same input State and returns it with one key per step:
//! the step's name → its output (a State output as its map, a nil output leaves no key).
//! `conditional` runs the step of the first branch whose `when(State)` is true (else
//! `otherwise`, else nothing). `loop` runs its step, then asks `until(State)`; it stops when that
//! is true and fails with `max_iterations` when it is still false after `max_iterations` runs.
//!
//! A step that fails with `on_error = "continue"` leaves the State as it was, except for
//! `errors`: a map step name → `{ code, message }`. `{ retry = n }` runs it up to n more times
//! before failing. Limits and terminations (`timeout`, `memory_limit`, …) are never caught.

use std::any::Any;
use std::sync::Arc;

use futures::future::{BoxFuture, try_join_all};
use llmspell_bridge::{
    Args, Callable, Function, HostError, HostObject, Map, Module, Object, ObjectType, Record, Type,
    Value,
};
use tokio::sync::Semaphore;

use crate::modules::state::State;
use crate::{EventBus, HostContext, Runners};

/// The error code of a loop whose `until` is still false after `max_iterations` runs.
pub const MAX_ITERATIONS: &str = "max_iterations";

/// A composed workflow: a host object with fields `name` and `kind` and a `run` method.
pub struct Workflow {
    name: String,
    shape: Shape,
    events: EventBus,
    runners: Runners,
}

enum Shape {
    Sequential(Vec<Step>),
    Parallel {
        steps: Vec<Step>,
        max_concurrency: Option<usize>,
    },
    Conditional {
        branches: Vec<(Callable, Step)>,
        otherwise: Option<Step>,
    },
    Loop {
        step: Step,
        until: Callable,
        max_iterations: usize,
    },
}

impl Shape {
    fn kind(&self) -> &'static str {
        match self {
            Shape::Sequential(_) => "sequential",
            Shape::Parallel { .. } => "parallel",
            Shape::Conditional { .. } => "conditional",
            Shape::Loop { .. } => "loop",
        }
    }

    fn steps(&self) -> Vec<&Step> {
        match self {
            Shape::Sequential(steps) | Shape::Parallel { steps, .. } => steps.iter().collect(),
            Shape::Conditional {
                branches,
                otherwise,
            } => branches
                .iter()
                .map(|(_, step)| step)
                .chain(otherwise.iter())
                .collect(),
            Shape::Loop { step, .. } => vec![step],
        }
    }
}

#[derive(Clone)]
struct Step {
    name: String,
    action: Action,
    on_error: OnError,
}

#[derive(Clone)]
enum Action {
    /// An Agent, Tool or Workflow, run through its runner.
    Object(Object),
    /// A script function `fn(State) -> State|map|str`.
    Function(Callable),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OnError {
    Fail,
    Continue,
    Retry(u32),
}

/// What one step did: its output, or the error it was allowed to continue past.
enum Outcome {
    Output(Value),
    Skipped(HostError),
}

impl HostObject for Workflow {
    fn type_name(&self) -> &'static str {
        "Workflow"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "name" => Some(Value::Str(self.name.clone())),
            "kind" => Some(Value::Str(self.shape.kind().to_owned())),
            _ => None,
        }
    }
    fn to_value(&self) -> Option<Value> {
        let mut map = Map::new();
        map.insert("name".into(), Value::Str(self.name.clone()));
        map.insert("kind".into(), Value::Str(self.shape.kind().to_owned()));
        let steps = self
            .shape
            .steps()
            .into_iter()
            .map(|step| Value::Str(step.name.clone()))
            .collect();
        map.insert("steps".into(), Value::List(steps));
        Some(Value::Map(map))
    }
    fn display(&self) -> String {
        format!("<Workflow {} ({})>", self.name, self.shape.kind())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Workflow {
    async fn run_shape(&self, mut state: State) -> Result<State, HostError> {
        match &self.shape {
            Shape::Sequential(steps) => {
                for step in steps {
                    state = self.run_step(step, state).await?;
                }
                Ok(state)
            }
            Shape::Parallel {
                steps,
                max_concurrency,
            } => {
                let permits = Arc::new(Semaphore::new(
                    max_concurrency.unwrap_or(steps.len()).max(1),
                ));
                let input = &state;
                let runs = steps.iter().map(|step| {
                    let permits = Arc::clone(&permits);
                    async move {
                        let _permit = permits
                            .acquire_owned()
                            .await
                            .map_err(|_| HostError::internal("the step semaphore closed"))?;
                        self.attempt(step, input).await
                    }
                });
                let outcomes = try_join_all(runs).await?;
                let mut results = Map::new();
                let mut next = state.clone();
                for (step, outcome) in steps.iter().zip(outcomes) {
                    match outcome {
                        Outcome::Output(output) => {
                            let output = match State::from_value(&output) {
                                Some(state) => Value::Map(state.values().clone()),
                                None => output,
                            };
                            results.insert(step.name.clone(), output);
                        }
                        Outcome::Skipped(error) => next = with_error(&next, &step.name, &error),
                    }
                }
                Ok(next.merged(&results))
            }
            Shape::Conditional {
                branches,
                otherwise,
            } => {
                for (when, step) in branches {
                    let verdict = call(when, &state).await.map_err(|error| {
                        self.failed(&format!("the condition of step '{}'", step.name), error)
                    })?;
                    if verdict.is_truthy() {
                        return self.run_step(step, state).await;
                    }
                }
                match otherwise {
                    Some(step) => self.run_step(step, state).await,
                    None => Ok(state),
                }
            }
            Shape::Loop {
                step,
                until,
                max_iterations,
            } => {
                for _ in 0..*max_iterations {
                    state = self.run_step(step, state).await?;
                    let done = call(until, &state)
                        .await
                        .map_err(|error| self.failed("`until`", error))?;
                    if done.is_truthy() {
                        return Ok(state);
                    }
                }
                Err(HostError::new(
                    MAX_ITERATIONS,
                    format!(
                        "workflow '{}': `until` was still false after {max_iterations} \
                         iterations",
                        self.name
                    ),
                ))
            }
        }
    }

    /// Runs one step on `state` and folds its outcome into it.
    async fn run_step(&self, step: &Step, state: State) -> Result<State, HostError> {
        Ok(match self.attempt(step, &state).await? {
            Outcome::Output(output) => fold(&state, output),
            Outcome::Skipped(error) => with_error(&state, &step.name, &error),
        })
    }

    /// Runs one step with its events and error policy.
    async fn attempt(&self, step: &Step, state: &State) -> Result<Outcome, HostError> {
        self.emit(
            "workflow.step.start",
            data([
                ("workflow", self.name.as_str().into()),
                ("step", step.name.as_str().into()),
            ]),
        )
        .await?;
        let retries = match step.on_error {
            OnError::Retry(retries) => retries,
            _ => 0,
        };
        let mut attempts = 0;
        let result = loop {
            attempts += 1;
            let result = match &step.action {
                Action::Object(object) => {
                    self.runners
                        .run(object.clone(), state.clone().into_value())
                        .await
                }
                Action::Function(function) => call(function, state).await,
            };
            match result {
                Err(error) if !error.is_fatal() && attempts <= retries => continue,
                result => break result,
            }
        };
        let mut end = vec![
            ("workflow", Value::from(self.name.as_str())),
            ("step", step.name.as_str().into()),
            ("ok", Value::Bool(result.is_ok())),
            ("attempts", Value::Int(i64::from(attempts))),
        ];
        if let Err(error) = &result {
            end.push(("error", error_value(error)));
        }
        self.emit("workflow.step.end", data(end)).await?;
        match result {
            Ok(output) => Ok(Outcome::Output(output)),
            Err(error) if error.is_fatal() => Err(error),
            Err(error) if step.on_error == OnError::Continue => Ok(Outcome::Skipped(error)),
            Err(error) => Err(self.failed(&format!("step '{}'", step.name), error)),
        }
    }

    /// An error of a step (or condition) under this workflow's name, keeping its code.
    fn failed(&self, what: &str, mut error: HostError) -> HostError {
        if !error.is_fatal() {
            error.message = format!("workflow '{}', {what}: {}", self.name, error.message);
        }
        error
    }

    async fn emit(&self, name: &'static str, data: Value) -> Result<(), HostError> {
        if !self.events.has_subscribers(name) {
            return Ok(());
        }
        let events = self.events.clone();
        tokio::task::spawn_blocking(move || events.emit(name, data))
            .await
            .map_err(|error| HostError::internal(format!("event handler thread: {error}")))?
    }
}

/// Calls a script function with the State, off the async threads (the call blocks until the
/// spell's thread has run it).
async fn call(function: &Callable, state: &State) -> Result<Value, HostError> {
    let function = function.clone();
    let argument = state.clone().into_value();
    tokio::task::spawn_blocking(move || function.call(vec![argument]))
        .await
        .map_err(|error| HostError::internal(format!("script call thread: {error}")))?
}

fn initial_state(input: &Value) -> Result<State, HostError> {
    if let Some(state) = State::from_value(input) {
        return Ok(state.clone());
    }
    match input {
        Value::Str(text) => Ok(State::new(Map::from([(
            "input".to_owned(),
            Value::Str(text.clone()),
        )]))),
        Value::Map(map) => Ok(State::new(map.clone())),
        Value::Nil => Ok(State::default()),
        other => Err(HostError::invalid_argument(format!(
            "Workflow.run: the input must be a str, map or State, got {}",
            other.type_name()
        ))),
    }
}

/// Folds a step's output into the State (see the module documentation).
fn fold(state: &State, output: Value) -> State {
    if let Some(next) = State::from_value(&output) {
        return next.clone();
    }
    match output {
        Value::Nil => state.clone(),
        Value::Map(changes) => state.merged(&changes),
        other => state.with("output", other),
    }
}

fn with_error(state: &State, step: &str, error: &HostError) -> State {
    let mut errors = state.get("errors").as_map().cloned().unwrap_or_default();
    errors.insert(step.to_owned(), error_value(error));
    state.with("errors", Value::Map(errors))
}

fn error_value(error: &HostError) -> Value {
    data([
        ("code", error.code.as_str().into()),
        ("message", error.message.as_str().into()),
    ])
}

fn data(pairs: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    Value::Map(
        pairs
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect(),
    )
}

/// What a step may be: an Agent, a Tool, a Workflow (or any other object with a runner), a
/// function, or a step map.
fn step_type() -> Type {
    let runnable = || {
        vec![
            Type::Object("Agent"),
            Type::Object("Tool"),
            Type::Object("Workflow"),
            Type::AnyObject,
            Type::Fn,
        ]
    };
    let retry = Record::new("RetryPolicy", "Retries a failing step.")
        .field("retry", Type::Int, "How many more times to run it (0 to 100).")
        .into_type();
    let step = Record::new(
        "StepConfig",
        "A step with a name or an error policy of its own: `{ name, run, on_error }`.",
    )
    .optional(
        "name",
        Type::Str,
        None,
        "The step's name (non-empty); else the runnable's name, else `step1`, `step2`…",
    )
    .field("run", Type::Union(runnable()), "What runs: an Agent, a Tool, a Workflow or a function.")
    .optional(
        "on_error",
        Type::Union(vec![Type::Str, retry]),
        Some(Value::from("fail")),
        "`\"fail\"`, `\"continue\"` (record the error under `errors`, keep the State) or \
         `{ retry = n }`.",
    )
    .into_type();
    let mut step_types = runnable();
    step_types.push(step);
    Type::Union(step_types)
}

/// The configuration of a workflow constructor: `name`, then `extra` fields.
fn config_record(name: &'static str, doc: &'static str, extra: impl FnOnce(Record) -> Record) -> Type {
    extra(Record::new(name, doc).field("name", Type::Str, "The workflow's name (non-empty)."))
        .into_type()
}

fn sequential_record() -> Type {
    config_record("SequentialConfig", "The configuration of `workflow.sequential`.", |record| {
        record.field("steps", Type::list(step_type()), "The steps, run in order.")
    })
}

fn parallel_record() -> Type {
    config_record("ParallelConfig", "The configuration of `workflow.parallel`.", |record| {
        record
            .field("steps", Type::list(step_type()), "The steps, run concurrently; names must be distinct.")
            .optional(
                "max_concurrency",
                Type::Int,
                None,
                "The most steps running at once (a positive int); all of them when omitted.",
            )
    })
}

fn conditional_record() -> Type {
    let branch = Record::new("Branch", "A branch of `workflow.conditional`.")
        .field("when", Type::Fn, "`fn(State) -> bool`: whether this branch is taken.")
        .field("step", step_type(), "The step run when it is.")
        .into_type();
    config_record("ConditionalConfig", "The configuration of `workflow.conditional`.", |record| {
        record
            .field(
                "branches",
                Type::list(branch),
                "Tried in order; the first whose `when` is true runs its step.",
            )
            .optional("otherwise", step_type(), None, "The step run when no branch is taken.")
    })
}

fn loop_record() -> Type {
    config_record("LoopConfig", "The configuration of `workflow.loop`.", |record| {
        record
            .field("step", step_type(), "The step run on every iteration.")
            .field("until", Type::Fn, "`fn(State) -> bool`: called after each run; true ends the loop.")
            .field(
                "max_iterations",
                Type::Int,
                "The most runs (a positive int); then error `max_iterations`.",
            )
    })
}

/// Reads the configuration map of a constructor.
struct Config<'a> {
    qualified: &'a str,
    map: &'a Map,
}

impl<'a> Config<'a> {
    /// The configuration argument; validation already checked its keys and their types
    /// against the constructor's record.
    fn new(args: &'a Args) -> Result<Config<'a>, HostError> {
        let map = args.get(0).as_map().ok_or_else(|| {
            HostError::invalid_argument(format!("{}: expects a map", args.qualified))
        })?;
        Ok(Config {
            qualified: &args.qualified,
            map,
        })
    }

    fn error(&self, message: String) -> HostError {
        HostError::invalid_argument(format!("{}: {message}", self.qualified))
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|value| !value.is_nil())
    }

    fn name(&self) -> Result<String, HostError> {
        match self.get("name") {
            Some(Value::Str(name)) if !name.is_empty() => Ok(name.clone()),
            Some(other) => Err(self.error(format!(
                "'name' must be a non-empty string, got {}",
                other.type_name()
            ))),
            None => Err(self.error("'name' is required".to_owned())),
        }
    }

    fn function(&self, value: &Value, what: &str) -> Result<Callable, HostError> {
        match value {
            Value::Callable(function) => Ok(function.clone()),
            other => Err(self.error(format!(
                "{what} must be a function, got {}",
                other.type_name()
            ))),
        }
    }

    fn steps(&self) -> Result<Vec<Step>, HostError> {
        let values = match self.get("steps") {
            Some(Value::List(values)) => values.as_slice(),
            // An empty Lua table arrives as an empty map.
            Some(Value::Map(map)) if map.is_empty() => &[],
            _ => return Err(self.error("'steps' must be a list of steps".to_owned())),
        };
        values
            .iter()
            .enumerate()
            .map(|(index, value)| self.step(value, &format!("step{}", index + 1)))
            .collect()
    }

    /// One step; `default_name` when it has no name of its own.
    fn step(&self, value: &Value, default_name: &str) -> Result<Step, HostError> {
        match value {
            Value::Map(map) => {
                let Some(run) = map.get("run").filter(|run| !run.is_nil()) else {
                    return Err(self.error(format!("{default_name}: 'run' is required")));
                };
                if matches!(run, Value::Map(_)) {
                    return Err(self.error(format!(
                        "{default_name}: 'run' must be an Agent, Tool, Workflow or function"
                    )));
                }
                let mut step = self.step(run, default_name)?;
                match map.get("name") {
                    None | Some(Value::Nil) => {}
                    Some(Value::Str(name)) if !name.is_empty() => step.name = name.clone(),
                    Some(other) => {
                        return Err(self.error(format!(
                            "{default_name}: 'name' must be a non-empty string, got {}",
                            other.type_name()
                        )));
                    }
                }
                step.on_error = self.on_error(map.get("on_error"), &step.name)?;
                Ok(step)
            }
            Value::Callable(function) => Ok(Step {
                name: default_name.to_owned(),
                action: Action::Function(function.clone()),
                on_error: OnError::Fail,
            }),
            Value::Object(object) if object.type_name() != "State" => {
                let name = match object.0.field("name") {
                    Some(Value::Str(name)) if !name.is_empty() => name,
                    _ => default_name.to_owned(),
                };
                Ok(Step {
                    name,
                    action: Action::Object(object.clone()),
                    on_error: OnError::Fail,
                })
            }
            other => Err(self.error(format!(
                "{default_name}: a step is an Agent, Tool, Workflow, function or \
                 {{ name, run, on_error }}, got {}",
                Type::describe_value(other)
            ))),
        }
    }

    fn on_error(&self, value: Option<&Value>, step: &str) -> Result<OnError, HostError> {
        let bad = || {
            self.error(format!(
                "step '{step}': on_error is \"fail\", \"continue\" or {{ retry = n }}"
            ))
        };
        match value {
            None | Some(Value::Nil) => Ok(OnError::Fail),
            Some(Value::Str(text)) if text == "fail" => Ok(OnError::Fail),
            Some(Value::Str(text)) if text == "continue" => Ok(OnError::Continue),
            Some(Value::Map(map)) if map.len() == 1 => match map
                .get("retry")
                .and_then(Value::as_int)
            {
                Some(retries) if (0..=100).contains(&retries) => Ok(OnError::Retry(retries as u32)),
                _ => Err(bad()),
            },
            Some(_) => Err(bad()),
        }
    }

    fn positive(&self, key: &str) -> Result<Option<usize>, HostError> {
        match self.get(key) {
            None => Ok(None),
            Some(value) => match value.as_int() {
                Some(number) if number >= 1 => Ok(Some(number as usize)),
                _ => Err(self.error(format!(
                    "'{key}' must be a positive integer, got {}",
                    Type::describe_value(value)
                ))),
            },
        }
    }
}

fn unique_names(config: &Config<'_>, steps: &[&Step]) -> Result<(), HostError> {
    for (index, step) in steps.iter().enumerate() {
        if steps[..index]
            .iter()
            .any(|earlier| earlier.name == step.name)
        {
            return Err(config.error(format!(
                "two steps are named '{}'; give one a name with {{ name, run }}",
                step.name
            )));
        }
    }
    Ok(())
}

fn build(context: &HostContext, name: String, shape: Shape) -> Value {
    Value::Object(Object::new(Workflow {
        name,
        shape,
        events: context.events.clone(),
        runners: context.runners.clone(),
    }))
}

/// The runner of `Workflow` objects (registered in `ctx.runners`), also behind `Workflow.run`.
fn run_workflow(object: Object, input: Value) -> BoxFuture<'static, Result<Value, HostError>> {
    Box::pin(async move {
        let workflow = object
            .downcast::<Workflow>()
            .ok_or_else(|| HostError::invalid_argument("not a Workflow"))?;
        workflow.run(input).await
    })
}

impl Workflow {
    /// Runs the workflow from `input` (str, map or State) and resolves to the final State.
    pub async fn run(&self, input: Value) -> Result<Value, HostError> {
        let state = initial_state(&input)?;
        let kind = self.shape.kind();
        self.emit(
            "workflow.start",
            data([
                ("workflow", self.name.as_str().into()),
                ("kind", kind.into()),
            ]),
        )
        .await?;
        let result = Box::pin(self.run_shape(state)).await;
        let mut end = vec![
            ("workflow", Value::from(self.name.as_str())),
            ("kind", kind.into()),
            ("ok", Value::Bool(result.is_ok())),
        ];
        if let Err(error) = &result {
            end.push(("error", error_value(error)));
        }
        if let Err(error) = self.emit("workflow.end", data(end)).await
            && result.is_ok()
        {
            return Err(error);
        }
        result.map(State::into_value)
    }
}

pub(crate) fn module(context: &HostContext) -> Module {
    context.runners.register("Workflow", Arc::new(run_workflow));
    let (sequential, parallel, conditional, looping) = (
        context.clone(),
        context.clone(),
        context.clone(),
        context.clone(),
    );
    Module::new(
        "workflow",
        "Compose agents, tools, script functions and workflows. `Workflow.run(input)` starts \
         from a State (a string input becomes `{ input = <string> }`, a map its entries); each \
         step receives the current State and its result is folded in: a State replaces it, a \
         map is merged into it (nil removes a key), nil leaves it, any other value is stored \
         under `output`. Steps failing with `on_error = \"continue\"` are recorded under \
         `errors` (step name → `{ code, message }`). Errors name the workflow and the step and \
         keep the step's code. Events: `workflow.start/end` `{ workflow, kind, ok }`, \
         `workflow.step.start/end` `{ workflow, step, ok, attempts }`.",
    )
    .function(
        Function::new("sequential")
            .doc(
                "A workflow that runs its steps one after another, each on the State the \
                 previous one left.",
            )
            .param(
                "config",
                sequential_record(),
                "The name and steps. A step is an Agent, a Tool, a Workflow, a function \
                 `fn(State) -> State|map|str`, or `{ name, run, on_error }`.",
            )
            .returns(Type::Object("Workflow"), "The workflow; run it with `run`.")
            .example(
                r#"local pipeline = workflow.sequential({
  name = "pipeline",
  steps = {
    function(s) return { topic = s:get("input") } end,
    { name = "shout", run = function(s) return string.upper(s:get("topic")) end },
  },
})
print(pipeline:run("rust"):get("output"))  -- RUST"#,
                r#"const pipeline = workflow.sequential({
  name: "pipeline",
  steps: [
    (s) => ({ topic: s.get("input") }),
    { name: "shout", run: (s) => s.get("topic").toUpperCase() },
  ],
});
print((await pipeline.run("rust")).get("output")); // RUST"#,
                r#"let pipeline = workflow.sequential(#{
  name: "pipeline",
  steps: [
    |s| #{ topic: s.get("input") },
    #{ name: "shout", run: |s| s.get("topic").to_upper() },
  ],
});
print(pipeline.run("rust").get("output")); // RUST"#,
            )
            .sync(move |args| {
                let config = Config::new(&args)?;
                let name = config.name()?;
                let steps = config.steps()?;
                Ok(build(&sequential, name, Shape::Sequential(steps)))
            }),
    )
    .function(
        Function::new("parallel")
            .doc(
                "A workflow that runs its steps concurrently, each on the same input State; \
                 the result is that State with one entry per step: step name → output (a State \
                 output as its map). Agent, tool and HTTP steps wait on I/O together; script \
                 functions run one at a time on the spell's thread.",
            )
            .param(
                "config",
                parallel_record(),
                "The name, steps and concurrency: at most \
                 `max_concurrency` steps run at once (all of them when omitted). Step names \
                 must be distinct.",
            )
            .returns(Type::Object("Workflow"), "The workflow; run it with `run`.")
            .example(
                r#"local both = workflow.parallel({
  name = "both",
  steps = {
    { name = "upper", run = function(s) return string.upper(s:get("input")) end },
    { name = "lower", run = function(s) return string.lower(s:get("input")) end },
  },
  max_concurrency = 2,
})
local result = both:run("Rust")
print(result:get("upper"), result:get("lower"))  -- RUST rust"#,
                r#"const both = workflow.parallel({
  name: "both",
  steps: [
    { name: "upper", run: (s) => s.get("input").toUpperCase() },
    { name: "lower", run: (s) => s.get("input").toLowerCase() },
  ],
  max_concurrency: 2,
});
const result = await both.run("Rust");
print(result.get("upper"), result.get("lower")); // RUST rust"#,
                r#"let both = workflow.parallel(#{
  name: "both",
  steps: [
    #{ name: "upper", run: |s| s.get("input").to_upper() },
    #{ name: "lower", run: |s| s.get("input").to_lower() },
  ],
  max_concurrency: 2,
});
let result = both.run("Rust");
print(result.get("upper"), result.get("lower")); // RUST rust"#,
            )
            .sync(move |args| {
                let config = Config::new(&args)?;
                let name = config.name()?;
                let steps = config.steps()?;
                unique_names(&config, &steps.iter().collect::<Vec<_>>())?;
                let max_concurrency = config.positive("max_concurrency")?;
                Ok(build(
                    &parallel,
                    name,
                    Shape::Parallel {
                        steps,
                        max_concurrency,
                    },
                ))
            }),
    )
    .function(
        Function::new("conditional")
            .doc(
                "A workflow that runs the step of the first branch whose `when(State)` returns \
                 true, else the `otherwise` step, else nothing (the State passes unchanged).",
            )
            .param(
                "config",
                conditional_record(),
                "The name, branches and otherwise step. Unnamed branch steps are named `step1`, `step2`… by branch, the \
                 otherwise step `otherwise`.",
            )
            .returns(Type::Object("Workflow"), "The workflow; run it with `run`.")
            .example(
                r#"local route = workflow.conditional({
  name = "route",
  branches = {
    { when = function(s) return #s:get("input") > 10 end, step = function(s) return "long" end },
  },
  otherwise = function(s) return "short" end,
})
print(route:run("hi"):get("output"))  -- short"#,
                r#"const route = workflow.conditional({
  name: "route",
  branches: [
    { when: (s) => s.get("input").length > 10, step: (s) => "long" },
  ],
  otherwise: (s) => "short",
});
print((await route.run("hi")).get("output")); // short"#,
                r#"let route = workflow.conditional(#{
  name: "route",
  branches: [
    #{ when: |s| s.get("input").len() > 10, step: |s| "long" },
  ],
  otherwise: |s| "short",
});
print(route.run("hi").get("output")); // short"#,
            )
            .sync(move |args| {
                let config = Config::new(&args)?;
                let name = config.name()?;
                let values = match config.get("branches") {
                    Some(Value::List(values)) => values.as_slice(),
                    Some(Value::Map(map)) if map.is_empty() => &[],
                    _ => {
                        return Err(
                            config.error("'branches' must be a list of { when, step }".to_owned())
                        );
                    }
                };
                let mut branches = Vec::new();
                for (index, value) in values.iter().enumerate() {
                    let default_name = format!("step{}", index + 1);
                    let branch = value.as_map().ok_or_else(|| {
                        config.error(format!("branch {}: expected {{ when, step }}", index + 1))
                    })?;
                    let when = config.function(
                        branch.get("when").unwrap_or(&Value::Nil),
                        &format!("branch {}: 'when'", index + 1),
                    )?;
                    let step =
                        config.step(branch.get("step").unwrap_or(&Value::Nil), &default_name)?;
                    branches.push((when, step));
                }
                let otherwise = config
                    .get("otherwise")
                    .map(|value| config.step(value, "otherwise"))
                    .transpose()?;
                Ok(build(
                    &conditional,
                    name,
                    Shape::Conditional {
                        branches,
                        otherwise,
                    },
                ))
            }),
    )
    .function(
        Function::new("loop")
            .doc(
                "A workflow that runs its step, then calls `until(State)`, again and again: it \
                 ends with the State when `until` returns true, and fails with \
                 `max_iterations` when `until` is still false after `max_iterations` runs.",
            )
            .param(
                "config",
                loop_record(),
                "The name, step, stop condition and iteration limit. An unnamed function step is named `step1`.",
            )
            .returns(Type::Object("Workflow"), "The workflow; run it with `run`.")
            .example(
                r#"local count = workflow.loop({
  name = "count",
  step = function(s) return { n = (s:get("n") or 0) + 1 } end,
  ["until"] = function(s) return s:get("n") >= 3 end,
  max_iterations = 10,
})
print(count:run({}):get("n"))  -- 3"#,
                r#"const count = workflow.loop({
  name: "count",
  step: (s) => ({ n: (s.get("n") ?? 0) + 1 }),
  until: (s) => s.get("n") >= 3,
  max_iterations: 10,
});
print((await count.run({})).get("n")); // 3"#,
                r#"let count = workflow.loop(#{
  name: "count",
  step: |s| #{ n: (s.get("n") ?? 0) + 1 },
  "until": |s| s.get("n") >= 3,
  max_iterations: 10,
});
print(count.run(#{}).get("n")); // 3"#,
            )
            .sync(move |args| {
                let config = Config::new(&args)?;
                let name = config.name()?;
                let step = config.step(config.get("step").unwrap_or(&Value::Nil), "step1")?;
                let until =
                    config.function(config.get("until").unwrap_or(&Value::Nil), "'until'")?;
                let Some(max_iterations) = config.positive("max_iterations")? else {
                    return Err(config.error("'max_iterations' is required".to_owned()));
                };
                Ok(build(
                    &looping,
                    name,
                    Shape::Loop {
                        step,
                        until,
                        max_iterations,
                    },
                ))
            }),
    )
}

/// The `Workflow` object type.
pub(crate) fn object_type() -> ObjectType {
    ObjectType::new(
        "Workflow",
        "A composed workflow made by `workflow.sequential`, `parallel`, `conditional` or \
         `loop`. It can itself be a step of another workflow.",
    )
    .field("name", Type::Str, "The workflow's name.")
    .field(
        "kind",
        Type::Str,
        "`\"sequential\"`, `\"parallel\"`, `\"conditional\"` or `\"loop\"`.",
    )
    .method(
        Function::new("run")
            .doc(
                "Runs the workflow. A string input becomes the State `{ input = <string> }`, a \
                 map the State of its entries; a State is used as is. Each step receives the \
                 current State and its result is folded in: a State replaces it, a map is \
                 merged into it (nil removes a key), nil leaves it unchanged, any other value \
                 is stored under `output`. A parallel workflow returns its input State with one \
                 entry per step (step name → output).",
            )
            .param(
                "input",
                Type::Union(vec![Type::Str, Type::Map, Type::Object("State")]),
                "The starting input.",
            )
            .returns(Type::Object("State"), "The final State.")
            .example(
                r#"local w = workflow.sequential({ name = "w", steps = { function(s) return "done" end } })
print(w:run("go"):get("output"))  -- done"#,
                r#"const w = workflow.sequential({ name: "w", steps: [(s) => "done"] });
print((await w.run("go")).get("output")); // done"#,
                r#"let w = workflow.sequential(#{ name: "w", steps: [|s| "done"] });
print(w.run("go").get("output")); // done"#,
            )
            .io(|args| {
                let this = args.this.clone();
                let input = args.get(0).clone();
                Box::pin(async move {
                    let Some(Value::Object(object)) = this else {
                        return Err(HostError::invalid_argument(
                            "Workflow.run: called without its object",
                        ));
                    };
                    run_workflow(object, input).await
                })
            }),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    use llmspell_bridge::{Invocation, Registry, RustFunction};

    use super::*;
    use crate::{SpellInfo, registry};

    struct Host {
        registry: Registry,
        context: HostContext,
        runtime: tokio::runtime::Runtime,
        _workspace: tempfile::TempDir,
    }

    fn host() -> Host {
        let workspace = tempfile::tempdir().unwrap();
        let context = HostContext::new(workspace.path(), SpellInfo::default(), Map::new());
        Host {
            registry: registry(context.clone()),
            context,
            runtime: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap(),
            _workspace: workspace,
        }
    }

    impl Host {
        fn finish(&self, invocation: Invocation) -> Result<Value, HostError> {
            match invocation {
                Invocation::Ready(result) => result,
                Invocation::Pending(future) => self.runtime.block_on(future),
            }
        }
        fn make(&self, function: &str, config: Value) -> Result<Value, HostError> {
            let module = self.registry.module("workflow").unwrap();
            let found = module.find(function).unwrap();
            self.finish(found.invoke(&module.qualified(found.name), None, vec![config]))
        }
        fn run(&self, workflow: &Value, input: Value) -> Result<Value, HostError> {
            let object_type = self.registry.object_type("Workflow").unwrap();
            let run = object_type.find("run").unwrap();
            self.finish(run.invoke("Workflow.run", Some(workflow.clone()), vec![input]))
        }
        /// Runs and returns the final State's map.
        fn run_map(&self, workflow: &Value, input: Value) -> Map {
            let state = self.run(workflow, input).unwrap();
            State::from_value(&state).unwrap().values().clone()
        }
    }

    fn map<const N: usize>(pairs: [(&str, Value); N]) -> Value {
        llmspell_bridge::map_of(pairs)
    }

    fn function(
        body: impl Fn(&State) -> Result<Value, HostError> + Send + Sync + 'static,
    ) -> Value {
        Value::Callable(Callable::new(RustFunction(move |args: Vec<Value>| {
            let state = State::from_value(&args[0])
                .expect("steps receive a State")
                .clone();
            body(&state)
        })))
    }

    fn constant(value: Value) -> Value {
        function(move |_| Ok(value.clone()))
    }

    fn list(values: Vec<Value>) -> Value {
        Value::List(values)
    }

    /// A test object that runs as a step through its registered runner.
    struct Sleeper {
        name: String,
    }

    impl HostObject for Sleeper {
        fn type_name(&self) -> &'static str {
            "Sleeper"
        }
        fn field(&self, name: &str) -> Option<Value> {
            (name == "name").then(|| Value::Str(self.name.clone()))
        }
        fn as_any(&self) -> &dyn Any {
            self
        }
    }

    fn sleeper(name: &str) -> Value {
        Value::Object(Object::new(Sleeper {
            name: name.to_owned(),
        }))
    }

    /// Registers a `Sleeper` runner that waits `delay` and answers `"<name> saw <input>"`,
    /// counting how many run at once.
    fn register_sleeper(host: &Host, delay: Duration) -> Arc<(AtomicUsize, AtomicUsize)> {
        let counters = Arc::new((AtomicUsize::new(0), AtomicUsize::new(0)));
        let shared = Arc::clone(&counters);
        host.context.runners.register(
            "Sleeper",
            Arc::new(move |object: Object, input: Value| {
                let counters = Arc::clone(&shared);
                Box::pin(async move {
                    let (running, peak) = &*counters;
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(delay).await;
                    running.fetch_sub(1, Ordering::SeqCst);
                    let name = object.downcast::<Sleeper>().unwrap().name.clone();
                    let input = State::from_value(&input).unwrap().get("input");
                    Ok(Value::Str(format!("{name} saw {}", input.to_display())))
                })
            }),
        );
        counters
    }

    #[test]
    fn state_flows_through_sequential_steps() {
        let host = host();
        let workflow = host
            .make(
                "sequential",
                map([
                    ("name", "flow".into()),
                    (
                        "steps",
                        list(vec![
                            // A map merges.
                            function(|s| {
                                Ok(map([("topic", s.get("input")), ("scratch", Value::Int(1))]))
                            }),
                            // A string becomes `output`.
                            function(|s| {
                                Ok(format!("about {}", s.get("topic").to_display()).into())
                            }),
                            // Nil leaves the State as it was.
                            constant(Value::Nil),
                            // A nil map value removes its key.
                            constant(map([("scratch", Value::Nil), ("count", Value::Int(2))])),
                        ]),
                    ),
                ]),
            )
            .unwrap();
        let result = host.run_map(&workflow, "rust".into());
        assert_eq!(
            Value::Map(result),
            map([
                ("count", Value::Int(2)),
                ("input", "rust".into()),
                ("output", "about rust".into()),
                ("topic", "rust".into()),
            ])
        );
        // A returned State replaces the current one; a map input is the first State.
        let replace = host
            .make(
                "sequential",
                map([
                    ("name", "replace".into()),
                    (
                        "steps",
                        list(vec![function(|_| {
                            Ok(State::new(Map::from([("only".to_owned(), Value::Int(1))]))
                                .into_value())
                        })]),
                    ),
                ]),
            )
            .unwrap();
        let result = host.run_map(&replace, map([("dropped", Value::Bool(true))]));
        assert_eq!(Value::Map(result), map([("only", Value::Int(1))]));
        // A State input is used as is.
        let input = State::new(Map::from([("k".to_owned(), Value::Int(7))])).into_value();
        let keep = host
            .make(
                "sequential",
                map([
                    ("name", "keep".into()),
                    ("steps", list(vec![constant(Value::Nil)])),
                ]),
            )
            .unwrap();
        assert_eq!(
            Value::Map(host.run_map(&keep, input)),
            map([("k", Value::Int(7))])
        );
        let error = host.run(&keep, Value::Int(3)).unwrap_err();
        assert_eq!(error.code, "invalid_argument");
    }

    #[test]
    fn workflows_have_name_and_kind_and_list_their_steps() {
        let host = host();
        let workflow = host
            .make(
                "parallel",
                map([
                    ("name", "fan".into()),
                    (
                        "steps",
                        list(vec![
                            constant(Value::Nil),
                            sleeper("scout"),
                            map([("name", "named".into()), ("run", constant(Value::Nil))]),
                        ]),
                    ),
                ]),
            )
            .unwrap();
        let object = workflow.as_object().unwrap();
        assert_eq!(object.0.field("name"), Some("fan".into()));
        assert_eq!(object.0.field("kind"), Some("parallel".into()));
        assert_eq!(
            object.0.to_value().unwrap().as_map().unwrap()["steps"],
            list(vec!["step1".into(), "scout".into(), "named".into()])
        );
        assert_eq!(object.0.display(), "<Workflow fan (parallel)>");
        assert!(host.context.runners.get("Workflow").is_some());
    }

    #[test]
    fn parallel_returns_one_entry_per_step() {
        let host = host();
        register_sleeper(&host, Duration::from_millis(10));
        let workflow = host
            .make(
                "parallel",
                map([
                    ("name", "fan".into()),
                    (
                        "steps",
                        list(vec![
                            function(|s| {
                                Ok(format!("{}!", s.get("input").as_str().unwrap()).into())
                            }),
                            sleeper("scout"),
                            map([
                                ("name", "state".into()),
                                (
                                    "run",
                                    function(|s| Ok(s.with("extra", Value::Int(1)).into_value())),
                                ),
                            ]),
                            map([("name", "nothing".into()), ("run", constant(Value::Nil))]),
                        ]),
                    ),
                ]),
            )
            .unwrap();
        let result = host.run_map(&workflow, "go".into());
        assert_eq!(
            Value::Map(result),
            map([
                ("input", "go".into()),
                ("scout", "scout saw go".into()),
                (
                    "state",
                    map([("extra", Value::Int(1)), ("input", "go".into())])
                ),
                ("step1", "go!".into()),
            ])
        );
        let error = host
            .make(
                "parallel",
                map([
                    ("name", "dup".into()),
                    ("steps", list(vec![sleeper("same"), sleeper("same")])),
                ]),
            )
            .unwrap_err();
        assert_eq!(error.code, "invalid_argument");
        assert!(error.message.contains("'same'"), "{error}");
    }

    #[test]
    fn eight_parallel_steps_of_200_ms_take_about_one_step() {
        let host = host();
        let counters = register_sleeper(&host, Duration::from_millis(200));
        let steps: Vec<Value> = (1..=8).map(|index| sleeper(&format!("s{index}"))).collect();
        let workflow = host
            .make(
                "parallel",
                map([("name", "fan".into()), ("steps", list(steps.clone()))]),
            )
            .unwrap();
        let started = Instant::now();
        let result = host.run_map(&workflow, "x".into());
        let elapsed = started.elapsed();
        assert_eq!(result.len(), 9);
        assert!(elapsed < Duration::from_millis(800), "took {elapsed:?}");
        assert_eq!(counters.1.load(Ordering::SeqCst), 8);

        // With max_concurrency = 2, never more than two at once.
        let counters = register_sleeper(&host, Duration::from_millis(20));
        let limited = host
            .make(
                "parallel",
                map([
                    ("name", "limited".into()),
                    ("steps", list(steps)),
                    ("max_concurrency", Value::Int(2)),
                ]),
            )
            .unwrap();
        assert_eq!(host.run_map(&limited, "x".into()).len(), 9);
        assert_eq!(counters.1.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn eight_parallel_requests_to_a_slow_server_overlap() {
        let address = crate::net::test_server::start(|_| {
            crate::net::test_server::Reply::text(200, "slow").delayed(Duration::from_millis(200))
        });
        let host = host();
        let url = format!("http://127.0.0.1:{}/", address.port());
        host.context.runners.register(
            "Sleeper",
            Arc::new(move |_object: Object, _input: Value| {
                let url = url.clone();
                Box::pin(async move {
                    let settings = crate::SandboxSettings {
                        allow_hosts: Vec::new(),
                        allow_private_network: true,
                    };
                    let response =
                        crate::net::request(&settings, "GET", &url, None, &[], None).await?;
                    Ok(Value::Str(response.body))
                })
            }),
        );
        let steps: Vec<Value> = (1..=8).map(|index| sleeper(&format!("s{index}"))).collect();
        let workflow = host
            .make(
                "parallel",
                map([("name", "fetch".into()), ("steps", list(steps))]),
            )
            .unwrap();
        let started = Instant::now();
        let result = host.run_map(&workflow, "x".into());
        let elapsed = started.elapsed();
        assert_eq!(result["s8"], Value::from("slow"));
        assert!(elapsed < Duration::from_millis(800), "took {elapsed:?}");
    }

    #[test]
    fn conditional_runs_the_first_true_branch_else_otherwise() {
        let host = host();
        let make = |otherwise: Option<Value>| {
            let mut config = Map::new();
            config.insert("name".into(), "route".into());
            config.insert(
                "branches".into(),
                list(vec![
                    map([
                        (
                            "when",
                            function(|s| Ok(Value::Bool(s.get("input") == Value::from("a")))),
                        ),
                        ("step", constant("first".into())),
                    ]),
                    map([
                        (
                            "when",
                            function(|s| Ok(Value::Bool(s.get("input") != Value::from("c")))),
                        ),
                        ("step", constant("second".into())),
                    ]),
                ]),
            );
            if let Some(otherwise) = otherwise {
                config.insert("otherwise".into(), otherwise);
            }
            host.make("conditional", Value::Map(config)).unwrap()
        };
        let with_otherwise = make(Some(constant("fallback".into())));
        let output = |workflow: &Value, input: &str| {
            host.run_map(workflow, input.into()).get("output").cloned()
        };
        assert_eq!(output(&with_otherwise, "a"), Some("first".into()));
        assert_eq!(output(&with_otherwise, "b"), Some("second".into()));
        assert_eq!(output(&with_otherwise, "c"), Some("fallback".into()));
        let without = make(None);
        assert_eq!(output(&without, "c"), None);
        let error = host
            .make(
                "conditional",
                map([
                    ("name", "bad".into()),
                    (
                        "branches",
                        list(vec![map([("step", constant(Value::Nil))])]),
                    ),
                ]),
            )
            .unwrap_err();
        assert_eq!(error.code, "invalid_argument");
        assert!(error.message.contains("'when'"), "{error}");
    }

    #[test]
    fn loop_runs_until_true_and_fails_past_max_iterations() {
        let host = host();
        let make = |max: i64| {
            host.make(
                "loop",
                map([
                    ("name", "count".into()),
                    (
                        "step",
                        function(|s| {
                            Ok(map([(
                                "n",
                                Value::Int(s.get("n").as_int().unwrap_or(0) + 1),
                            )]))
                        }),
                    ),
                    (
                        "until",
                        function(|s| Ok(Value::Bool(s.get("n").as_int() >= Some(3)))),
                    ),
                    ("max_iterations", Value::Int(max)),
                ]),
            )
            .unwrap()
        };
        assert_eq!(
            host.run_map(&make(10), map([])).get("n"),
            Some(&Value::Int(3))
        );
        assert_eq!(
            host.run_map(&make(3), map([])).get("n"),
            Some(&Value::Int(3))
        );
        let error = host.run(&make(2), map([])).unwrap_err();
        assert_eq!(error.code, MAX_ITERATIONS);
        assert!(error.message.contains("'count'"), "{error}");
        let error = host
            .make(
                "loop",
                map([
                    ("name", "forever".into()),
                    ("step", constant(Value::Nil)),
                    ("until", constant(Value::Bool(false))),
                ]),
            )
            .unwrap_err();
        assert_eq!(error.code, "invalid_argument");
        assert!(error.message.contains("max_iterations"), "{error}");
    }

    fn flaky(failures: usize) -> (Value, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&calls);
        let step = function(move |_| {
            let call = counter.fetch_add(1, Ordering::SeqCst) + 1;
            if call <= failures {
                Err(HostError::new("provider_http", format!("failure {call}")))
            } else {
                Ok(format!("ok after {call}").into())
            }
        });
        (step, calls)
    }

    #[test]
    fn on_error_continue_and_retry() {
        let host = host();
        let (failing, _) = flaky(usize::MAX);
        let workflow = host
            .make(
                "sequential",
                map([
                    ("name", "tolerant".into()),
                    (
                        "steps",
                        list(vec![
                            map([
                                ("name", "flaky".into()),
                                ("run", failing),
                                ("on_error", "continue".into()),
                            ]),
                            constant(map([("after", Value::Bool(true))])),
                        ]),
                    ),
                ]),
            )
            .unwrap();
        let result = host.run_map(&workflow, "x".into());
        assert_eq!(result["after"], Value::Bool(true));
        assert_eq!(
            result["errors"],
            map([(
                "flaky",
                map([
                    ("code", "provider_http".into()),
                    ("message", "failure 1".into())
                ])
            )])
        );

        let retried = |failures: usize, retries: i64| {
            let (step, calls) = flaky(failures);
            let workflow = host
                .make(
                    "sequential",
                    map([
                        ("name", "retrying".into()),
                        (
                            "steps",
                            list(vec![map([
                                ("name", "flaky".into()),
                                ("run", step),
                                ("on_error", map([("retry", Value::Int(retries))])),
                            ])]),
                        ),
                    ]),
                )
                .unwrap();
            (
                host.run(&workflow, "x".into()),
                calls.load(Ordering::SeqCst),
            )
        };
        let (result, calls) = retried(2, 2);
        let state = result.unwrap();
        assert_eq!(
            State::from_value(&state).unwrap().get("output"),
            "ok after 3".into()
        );
        assert_eq!(calls, 3);
        let (result, calls) = retried(2, 1);
        let error = result.unwrap_err();
        assert_eq!(calls, 2);
        assert_eq!(error.code, "provider_http");
        assert_eq!(
            error.message,
            "workflow 'retrying', step 'flaky': failure 2"
        );

        // Limits are never caught.
        let fatal = host
            .make(
                "sequential",
                map([
                    ("name", "fatal".into()),
                    (
                        "steps",
                        list(vec![map([
                            (
                                "run",
                                function(|_| {
                                    Err(HostError::new("timeout", "the spell ran out of time"))
                                }),
                            ),
                            ("on_error", "continue".into()),
                        ])]),
                    ),
                ]),
            )
            .unwrap();
        let error = host.run(&fatal, "x".into()).unwrap_err();
        assert_eq!(error.code, "timeout");
        assert_eq!(error.message, "the spell ran out of time");
    }

    #[test]
    fn nested_workflows_thread_the_state_and_name_both_levels_in_errors() {
        let host = host();
        let inner = host
            .make(
                "sequential",
                map([
                    ("name", "inner".into()),
                    (
                        "steps",
                        list(vec![function(|s| {
                            Ok(map([(
                                "depth",
                                Value::Int(s.get("depth").as_int().unwrap_or(0) + 1),
                            )]))
                        })]),
                    ),
                ]),
            )
            .unwrap();
        let outer = host
            .make(
                "sequential",
                map([
                    ("name", "outer".into()),
                    ("steps", list(vec![inner.clone(), inner.clone()])),
                ]),
            )
            .unwrap();
        assert_eq!(
            host.run_map(&outer, map([])).get("depth"),
            Some(&Value::Int(2))
        );
        let parallel = host
            .make(
                "parallel",
                map([
                    ("name", "fan".into()),
                    (
                        "steps",
                        list(vec![inner, map([("name", "twin".into()), ("run", outer)])]),
                    ),
                ]),
            )
            .unwrap();
        let result = host.run_map(&parallel, map([]));
        assert_eq!(result["inner"], map([("depth", Value::Int(1))]));
        assert_eq!(result["twin"], map([("depth", Value::Int(2))]));

        let broken = host
            .make(
                "sequential",
                map([
                    ("name", "broken".into()),
                    (
                        "steps",
                        list(vec![map([
                            ("name", "explode".into()),
                            (
                                "run",
                                function(|_| Err(HostError::invalid_argument("bad input"))),
                            ),
                        ])]),
                    ),
                ]),
            )
            .unwrap();
        let top = host
            .make(
                "sequential",
                map([("name", "top".into()), ("steps", list(vec![broken]))]),
            )
            .unwrap();
        let error = host.run(&top, "x".into()).unwrap_err();
        assert_eq!(error.code, "invalid_argument");
        assert_eq!(
            error.message,
            "workflow 'top', step 'broken': workflow 'broken', step 'explode': bad input"
        );
    }

    #[test]
    fn events_name_the_workflow_and_its_steps() {
        let host = host();
        let seen = Arc::new(Mutex::new(Vec::<String>::new()));
        let log = Arc::clone(&seen);
        host.context.events.subscribe(
            "workflow.*",
            Callable::new(RustFunction(move |args: Vec<Value>| {
                let event = args[0].as_map().unwrap();
                let data = event["data"].as_map().unwrap();
                let mut line = event["name"].as_str().unwrap().to_owned();
                for key in ["workflow", "step", "kind", "ok", "attempts"] {
                    if let Some(value) = data.get(key) {
                        line.push_str(&format!(" {key}={}", value.to_display()));
                    }
                }
                if let Some(error) = data.get("error") {
                    line.push_str(&format!(
                        " error={}",
                        error.as_map().unwrap()["code"].to_display()
                    ));
                }
                log.lock().unwrap().push(line);
                Ok(Value::Nil)
            })),
        );
        let workflow = host
            .make(
                "sequential",
                map([
                    ("name", "w".into()),
                    (
                        "steps",
                        list(vec![
                            constant("a".into()),
                            map([
                                ("name", "bad".into()),
                                ("run", function(|_| Err(HostError::io("disk")))),
                                ("on_error", map([("retry", Value::Int(1))])),
                            ]),
                        ]),
                    ),
                ]),
            )
            .unwrap();
        host.run(&workflow, "x".into()).unwrap_err();
        assert_eq!(
            *seen.lock().unwrap(),
            [
                r#"workflow.start workflow=w kind=sequential"#,
                r#"workflow.step.start workflow=w step=step1"#,
                r#"workflow.step.end workflow=w step=step1 ok=true attempts=1"#,
                r#"workflow.step.start workflow=w step=bad"#,
                r#"workflow.step.end workflow=w step=bad ok=false attempts=2 error=io"#,
                r#"workflow.end workflow=w kind=sequential ok=false error=io"#,
            ]
        );
    }

    #[test]
    fn bad_configurations_are_invalid_arguments() {
        let host = host();
        let step = constant(Value::Nil);
        for (function, config, mentions) in [
            (
                "sequential",
                map([("steps", list(vec![step.clone()]))]),
                "'name'",
            ),
            ("sequential", map([("name", "w".into())]), "'steps'"),
            (
                "sequential",
                map([("name", "w".into()), ("steps", list(vec![Value::Int(1)]))]),
                "config.steps item 1 expects",
            ),
            (
                "sequential",
                map([
                    ("name", "w".into()),
                    ("steps", list(vec![step.clone()])),
                    ("stepz", Value::Nil),
                ]),
                "'stepz'",
            ),
            (
                "sequential",
                map([
                    ("name", "w".into()),
                    (
                        "steps",
                        list(vec![map([
                            ("run", step.clone()),
                            ("on_error", "ignore".into()),
                        ])]),
                    ),
                ]),
                "on_error",
            ),
            (
                "sequential",
                map([
                    ("name", "w".into()),
                    ("steps", list(vec![map([("name", "x".into())])])),
                ]),
                "'run'",
            ),
            (
                "parallel",
                map([
                    ("name", "w".into()),
                    ("steps", list(vec![step.clone()])),
                    ("max_concurrency", Value::Int(0)),
                ]),
                "max_concurrency",
            ),
            (
                "loop",
                map([
                    ("name", "w".into()),
                    ("step", step.clone()),
                    ("until", "yes".into()),
                    ("max_iterations", Value::Int(2)),
                ]),
                "'until'",
            ),
        ] {
            let error = host.make(function, config).unwrap_err();
            assert_eq!(error.code, "invalid_argument", "{error}");
            assert!(error.message.contains(mentions), "{function}: {error}");
            assert!(
                error.message.starts_with(&format!("workflow.{function}: ")),
                "{error}"
            );
        }
    }
}
