//! `async.all({ fn1, fn2, … })`: Lua-only concurrency (spell-api.md "Concurrency").
//!
//! Each function runs as a coroutine (a *task*). When a task calls an I/O-bound host function
//! (`Function::is_async()`), the call's future is started on the I/O runtime, its completion is
//! posted to the spell's mailbox, and the task yields to the scheduler, which resumes ready tasks
//! and otherwise waits on the mailbox (with the spell's deadline and cancel token) for
//! completions. `async.all` returns the first value each function returned, in order, as a
//! list.
//!
//! - Outside a task (the main chunk, a plain coroutine, a script callback the host runs
//!   synchronously), I/O-bound calls block the script exactly as before.
//! - Nested `async.all` inside a task adds its tasks to the same scheduler and suspends the
//!   calling task until they are all done, so siblings keep running meanwhile.
//! - The first error ends `async.all` with that very error value (a host error stays a
//!   `{code, message}` error, `error("x")` keeps its text and position); the other functions of
//!   that `async.all` are cancelled where they wait: their pending host calls are aborted and
//!   they are never resumed. An uncaught error is reported where the failing function raised it.
//! - A bare `coroutine.yield()` in a task lets the other tasks run, and resumes it next.
//! - Limits keep working: tasks are coroutines created by Lua, so they inherit the engine's
//!   hook (time, instructions, cancellation, the debugger's line events); a fatal error in a
//!   task ends the whole spell; waiting on the mailbox stops at the deadline and on cancellation.
//!
//! The parts that yield (`async.all` itself and the wrappers of I/O-bound functions) are written
//! in Lua (chunk `=llmspell`, hidden from stacks and line events); the scheduler is Rust.

use std::collections::{HashMap, VecDeque};

use llmspell_bridge::{Function, HostError, Invocation, Value, codes};
use mlua::thread::ThreadStatus;
use mlua::{Lua, MultiValue, Table, Thread, ffi};

use super::{Engine, current};
use crate::SpellError;
use crate::spell_thread::io_runtime;

const HELPERS: &str = r#"
local create, yield, type, error, setmetatable, xpcall, rawequal,
      spawn, collect, task_handler, finish, pending, error_mt = ...
local function invalid(message)
  error(setmetatable({ code = "invalid_argument", message = message }, error_mt), 3)
end
local function all(fns)
  if type(fns) ~= "table" then
    invalid("async.all: expected a list of functions, got " .. type(fns))
  end
  local threads = {}
  for i = 1, #fns do
    local f = fns[i]
    if type(f) ~= "function" then
      invalid("async.all: item " .. i .. " is a " .. type(f) .. ", not a function")
    end
    threads[i] = create(function() return xpcall(f, task_handler) end)
  end
  local group, nested = spawn(threads)
  if nested then yield(pending) end
  local ok, value = collect(group)
  if ok then return value end
  error(value, 0)
end
local function wrap_io(call)
  return function(...)
    local result = call(...)
    if rawequal(result, pending) then
      yield(pending)
      return finish()
    end
    return result
  end
end
return all, wrap_io
"#;

/// What the engine keeps for `async.all`.
pub(super) struct AsyncAll {
    /// The value an I/O-bound call returns to its Lua wrapper when the task must yield.
    pending: Table,
    /// `wrap_io(rust_function)`: the Lua wrapper of an I/O-bound host function.
    wrap_io: mlua::Function,
    scheduler: std::cell::RefCell<Scheduler>,
}

#[derive(Default)]
struct Scheduler {
    next_id: u64,
    tasks: HashMap<u64, Task>,
    /// Task ids by the address of their Lua thread.
    by_thread: HashMap<usize, u64>,
    groups: HashMap<u64, Group>,
    /// Tasks to resume, in order.
    ready: VecDeque<u64>,
    /// Results of finished I/O-bound calls, by task.
    completions: HashMap<u64, Result<Value, HostError>>,
}

struct Task {
    thread: Thread,
    group: u64,
    index: usize,
    waiting: Waiting,
    /// The I/O-bound call it waits for, aborted when the task is cancelled.
    io: Option<tokio::task::JoinHandle<()>>,
    /// Where the task's uncaught error was raised (its message handler saw it).
    error: Option<SpellError>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Waiting {
    Nothing,
    Io,
    Group(u64),
}

struct Group {
    results: Table,
    remaining: usize,
    tasks: Vec<u64>,
    /// The task that runs the nested `async.all`, if any.
    parent: Option<u64>,
    failure: Option<(mlua::Value, Option<SpellError>)>,
}

impl Group {
    fn done(&self) -> bool {
        self.remaining == 0 || self.failure.is_some()
    }
}

impl Scheduler {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Forgets a task (and whatever it waits for); its pending host call is dropped with it.
    fn cancel_task(&mut self, id: u64) {
        if let Some(task) = self.tasks.remove(&id) {
            self.by_thread.remove(&(task.thread.state() as usize));
            self.completions.remove(&id);
            if let Some(io) = task.io {
                io.abort();
            }
            if let Waiting::Group(group) = task.waiting {
                self.cancel_group(group);
            }
        }
    }

    /// Forgets a group and all its tasks.
    fn cancel_group(&mut self, id: u64) {
        if let Some(group) = self.groups.remove(&id) {
            for task in group.tasks {
                self.cancel_task(task);
            }
        }
    }

    /// Wakes the task waiting for `group`, if any.
    fn wake_parent(&mut self, group: u64) {
        let parent = self.groups.get(&group).and_then(|group| group.parent);
        if let Some(parent) = parent
            && let Some(task) = self.tasks.get_mut(&parent)
            && task.waiting == Waiting::Group(group)
        {
            task.waiting = Waiting::Nothing;
            self.ready.push_back(parent);
        }
    }
}

/// Installs the global `async` table. Called before the registry is bound (a registry module
/// named `async` would win).
pub(super) fn install(engine: &Engine) -> mlua::Result<AsyncAll> {
    let lua = &engine.lua;
    let globals = lua.globals();
    let coroutine: Table = globals.raw_get("coroutine")?;
    let pending = lua.create_table()?;
    let helpers: MultiValue = lua.load(HELPERS).set_name("=llmspell").call((
        coroutine.raw_get::<mlua::Value>("create")?,
        coroutine.raw_get::<mlua::Value>("yield")?,
        globals.raw_get::<mlua::Value>("type")?,
        globals.raw_get::<mlua::Value>("error")?,
        globals.raw_get::<mlua::Value>("setmetatable")?,
        engine.xpcall.clone(),
        globals.raw_get::<mlua::Value>("rawequal")?,
        lua.create_function(spawn)?,
        lua.create_function(collect)?,
        lua.create_function(task_handler)?,
        lua.create_function(finish)?,
        pending.clone(),
        engine.error_mt.clone(),
    ))?;
    let mut helpers = helpers.into_iter();
    let all = helpers.next().unwrap_or(mlua::Value::Nil);
    let Some(mlua::Value::Function(wrap_io)) = helpers.next() else {
        return Err(mlua::Error::runtime("async helpers did not load"));
    };
    let table = lua.create_table()?;
    table.raw_set("all", all)?;
    globals.raw_set("async", table)?;
    Ok(AsyncAll {
        pending,
        wrap_io,
        scheduler: Default::default(),
    })
}

/// `spawn(threads)`: registers a group of new tasks; returns its id and whether the caller is a
/// task that must yield until the group is done.
fn spawn(lua: &Lua, threads: Vec<Thread>) -> mlua::Result<(u64, bool)> {
    let engine = current()?;
    if let Some(fatal) = engine.fatal_error() {
        return Err(fatal);
    }
    let parent = engine.current_task(lua);
    let results = lua.create_table_with_capacity(threads.len(), 0)?;
    results.set_metatable(Some(engine.list_mt.clone()))?;
    let state = engine.async_state()?;
    let mut scheduler = state.scheduler.borrow_mut();
    let group = scheduler.id();
    let mut tasks = Vec::with_capacity(threads.len());
    for (index, thread) in threads.into_iter().enumerate() {
        let id = scheduler.id();
        scheduler.by_thread.insert(thread.state() as usize, id);
        scheduler.tasks.insert(
            id,
            Task {
                thread,
                group,
                index,
                waiting: Waiting::Nothing,
                io: None,
                error: None,
            },
        );
        scheduler.ready.push_back(id);
        tasks.push(id);
    }
    let nested = parent.is_some() && !tasks.is_empty();
    scheduler.groups.insert(
        group,
        Group {
            results,
            remaining: tasks.len(),
            tasks,
            parent: parent.filter(|_| nested),
            failure: None,
        },
    );
    if nested && let Some(task) = parent.and_then(|parent| scheduler.tasks.get_mut(&parent)) {
        task.waiting = Waiting::Group(group);
    }
    Ok((group, nested))
}

/// `collect(group)`: runs the scheduler until the group is done (at once for a nested group,
/// whose task was resumed because it is done), then returns `true, results` or `false, error`.
fn collect(lua: &Lua, group: u64) -> mlua::Result<(bool, mlua::Value)> {
    let engine = current()?;
    let state = engine.async_state()?;
    if let Err(error) = engine.run_until(lua, state, group) {
        state.scheduler.borrow_mut().cancel_group(group);
        return Err(error);
    }
    let Some(done) = state.scheduler.borrow_mut().groups.remove(&group) else {
        return Err(mlua::Error::runtime(
            "async.all: this group is no longer running",
        ));
    };
    match done.failure {
        None => Ok((true, mlua::Value::Table(done.results))),
        Some((value, described)) => {
            // The error is raised again from `async.all`: report it where it began.
            if let Some(described) = described {
                *engine.callback_error.borrow_mut() = Some(described);
            }
            Ok((false, value))
        }
    }
}

/// The message handler of a task: remembers where its uncaught error was raised.
fn task_handler(lua: &Lua, error: mlua::Value) -> mlua::Result<mlua::Value> {
    if let Ok(engine) = current()
        && engine.fatal.borrow().is_none()
        && let Ok(state) = engine.async_state()
    {
        let described = engine.describe(lua, &error);
        let mut scheduler = state.scheduler.borrow_mut();
        let id = scheduler.by_thread.get(&(lua.state() as usize)).copied();
        if let Some(task) = id.and_then(|id| scheduler.tasks.get_mut(&id)) {
            task.error = Some(described);
        }
    }
    Ok(error)
}

/// `finish()`: the result of the I/O-bound call the running task waited for.
fn finish(lua: &Lua, (): ()) -> mlua::Result<mlua::Value> {
    let engine = current()?;
    if let Some(fatal) = engine.fatal_error() {
        return Err(fatal);
    }
    let state = engine.async_state()?;
    let result = {
        let mut scheduler = state.scheduler.borrow_mut();
        let id = scheduler.by_thread.get(&(lua.state() as usize)).copied();
        id.and_then(|id| scheduler.completions.remove(&id))
    };
    match result {
        Some(Ok(value)) => {
            if engine.callback_error.borrow().is_some() {
                *engine.callback_error.borrow_mut() = None;
            }
            engine.to_lua(lua, &value)
        }
        Some(Err(error)) => Err(engine.raise(lua, error)),
        None => Err(super::errors::raise_host(HostError::internal(
            "an I/O-bound call resumed without its result",
        ))),
    }
}

impl Engine {
    pub(super) fn async_state(&self) -> mlua::Result<&AsyncAll> {
        self.async_all
            .get()
            .ok_or_else(|| mlua::Error::runtime("async.all is not available"))
    }

    /// The Lua wrapper that lets an I/O-bound host function yield inside `async.all`.
    pub(super) fn wrap_io(&self, function: mlua::Function) -> mlua::Result<mlua::Function> {
        self.async_state()?.wrap_io.call(function)
    }

    /// The task running now, when it can yield to the scheduler: the running Lua thread is a
    /// task's own coroutine and nothing on it forbids yielding (no Rust call in between).
    pub(super) fn current_task(&self, lua: &Lua) -> Option<u64> {
        let state = lua.state();
        // SAFETY: `state` is the running thread (mlua tracks it inside callbacks).
        if unsafe { ffi::lua_isyieldable(state) } == 0 {
            return None;
        }
        let scheduler = self.async_all.get()?.scheduler.borrow();
        scheduler.by_thread.get(&(state as usize)).copied()
    }

    /// What an I/O-bound call under way returns to its Lua wrapper, which then yields.
    pub(super) fn pending_marker(&self) -> mlua::Result<mlua::Value> {
        Ok(mlua::Value::Table(self.async_state()?.pending.clone()))
    }

    /// Starts an I/O-bound call of `task` (see [`Engine::current_task`]): `None` when it is
    /// under way (the task then yields until its completion arrives through the mailbox), the
    /// result when it completed at once (a validation error, for one).
    pub(super) fn start_io(
        &self,
        task: u64,
        function: &Function,
        qualified: &str,
        this: Option<Value>,
        values: Vec<Value>,
    ) -> Result<Option<Value>, HostError> {
        let Some(state) = self.async_all.get() else {
            return Err(HostError::internal("async.all is not available"));
        };
        let future = match function.invoke(qualified, this, values) {
            Invocation::Ready(result) => return result.map(Some),
            Invocation::Pending(future) => future,
        };
        let sender = self.env().mailbox.sender();
        let engine_id = self.id;
        let handle = io_runtime().spawn(async move {
            let result = future.await;
            sender.post(Box::new(move || {
                if let Ok(engine) = current()
                    && engine.id == engine_id
                    && let Some(state) = engine.async_all.get()
                {
                    state.scheduler.borrow_mut().complete(task, result);
                }
            }));
        });
        if let Some(record) = state.scheduler.borrow_mut().tasks.get_mut(&task) {
            record.waiting = Waiting::Io;
            record.io = Some(handle);
        }
        Ok(None)
    }

    /// Runs ready tasks and waits for completions until `group` is done.
    fn run_until(&self, lua: &Lua, state: &AsyncAll, group: u64) -> mlua::Result<()> {
        let env = self.env();
        loop {
            if let Some(fatal) = self.fatal_error() {
                return Err(fatal);
            }
            env.mailbox.run_pending();
            {
                let scheduler = state.scheduler.borrow();
                match scheduler.groups.get(&group) {
                    None => return Ok(()),
                    Some(found) if found.done() => return Ok(()),
                    Some(_) => {}
                }
            }
            let next = state.scheduler.borrow_mut().ready.pop_front();
            if let Some(task) = next {
                self.step(lua, state, task)?;
                continue;
            }
            match env.mailbox.run_one(env.deadline, &env.cancel) {
                Ok(true) => {}
                Ok(false) if env.past_deadline() => {
                    return Err(self.raise(lua, env.timeout_error()));
                }
                // The mailbox cannot close while the spell runs; wait again.
                Ok(false) => {}
                Err(error) => return Err(self.raise(lua, error)),
            }
        }
    }

    /// Resumes one task and records what became of it.
    fn step(&self, lua: &Lua, state: &AsyncAll, id: u64) -> mlua::Result<()> {
        let thread = {
            let scheduler = state.scheduler.borrow();
            match scheduler.tasks.get(&id) {
                Some(task) if task.thread.status() == ThreadStatus::Resumable => {
                    task.thread.clone()
                }
                // Cancelled, or not suspended (a script resumed it itself): nothing to do.
                _ => return Ok(()),
            }
        };
        let outcome = thread.resume::<MultiValue>(());
        if let Some(fatal) = self.fatal_error() {
            return Err(fatal);
        }
        let finished = match outcome {
            Err(error) => {
                if let mlua::Error::MemoryError(_) = super::errors::root_cause(&error) {
                    return Err(self.trip_at(lua, env_memory(self), None));
                }
                Err(mlua::Value::Error(Box::new(error)))
            }
            Ok(_) if thread.status() == ThreadStatus::Resumable => {
                let mut scheduler = state.scheduler.borrow_mut();
                if let Some(task) = scheduler.tasks.get(&id)
                    && task.waiting == Waiting::Nothing
                {
                    // A bare `coroutine.yield()`: let the others run, then go on.
                    scheduler.ready.push_back(id);
                }
                return Ok(());
            }
            Ok(mut values) => match values.pop_front() {
                Some(mlua::Value::Boolean(true)) => {
                    Ok(values.pop_front().unwrap_or(mlua::Value::Nil))
                }
                _ => Err(values.pop_front().unwrap_or(mlua::Value::Nil)),
            },
        };
        if let Err(value) = &finished {
            // Memory and stack overflow end the spell, as they do under `pcall`.
            let described = self.classify(value);
            if matches!(
                described.code.as_str(),
                codes::STACK_OVERFLOW | codes::MEMORY_LIMIT
            ) {
                let error = HostError::new(described.code, described.message);
                return Err(self.trip_at(lua, error, described.line));
            }
        }
        let mut scheduler = state.scheduler.borrow_mut();
        let Some(task) = scheduler.tasks.remove(&id) else {
            return Ok(());
        };
        scheduler.by_thread.remove(&(task.thread.state() as usize));
        let group_id = task.group;
        let Some(group) = scheduler.groups.get_mut(&group_id) else {
            return Ok(());
        };
        if group.done() {
            return Ok(());
        }
        match finished {
            Ok(value) => {
                group.results.raw_set(task.index + 1, value)?;
                group.remaining -= 1;
            }
            Err(value) => {
                group.failure = Some((value, task.error));
                let siblings = group.tasks.clone();
                for sibling in siblings {
                    scheduler.cancel_task(sibling);
                }
            }
        }
        let done = scheduler.groups.get(&group_id).is_some_and(Group::done);
        if done {
            scheduler.wake_parent(group_id);
        }
        Ok(())
    }
}

fn env_memory(engine: &Engine) -> HostError {
    engine.env().memory_error()
}

impl Scheduler {
    /// An I/O-bound call of `task` finished: queue the task (unless it was cancelled meanwhile).
    fn complete(&mut self, task: u64, result: Result<Value, HostError>) {
        if let Some(record) = self.tasks.get_mut(&task)
            && record.waiting == Waiting::Io
        {
            record.waiting = Waiting::Nothing;
            record.io = None;
            self.completions.insert(task, result);
            self.ready.push_back(task);
        }
    }
}
