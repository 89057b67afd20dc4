//! Errors in the Lua engine.
//!
//! A failing host call raises a Rust error that Lua sees as an opaque mlua value; `pcall`,
//! `xpcall` and `coroutine.resume` (wrapped at start-up) turn it into a table with `code` and
//! `message` before the script sees it. Limits, termination, memory and stack overflow are
//! *fatal*: the first one is recorded with where it happened and raised again by every wrapper,
//! hook and host call, so no script can swallow it. An uncaught error is described by a message
//! handler while the stack is still there: its file and line come from Lua's `chunk:line:`
//! prefix (stripped from the message) or the innermost frame of the spell.

use std::fmt;

use llmspell_bridge::{HostError, Value, codes};
use mlua::{Function, Lua, MultiValue, Table};

use super::{Engine, convert, current};
use crate::{SpellError, StackEntry};

/// A host error travelling through Lua as a Rust error.
#[derive(Debug)]
pub(super) struct ScriptError(pub HostError);

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for ScriptError {}

/// Raises `error` in Lua.
pub(super) fn raise_host(error: HostError) -> mlua::Error {
    mlua::Error::external(ScriptError(error))
}

/// The metatable of error values scripts catch: `tostring(e)` is the message.
pub(super) fn error_metatable(lua: &Lua) -> mlua::Result<Table> {
    let metatable = lua.create_table()?;
    metatable.raw_set("__name", "error")?;
    metatable.raw_set("__metatable", false)?;
    metatable.raw_set(
        "__tostring",
        lua.create_function(|_, error: Table| {
            Ok(match error.raw_get::<mlua::Value>("message")? {
                mlua::Value::String(message) => message.to_string_lossy(),
                _ => String::new(),
            })
        })?,
    )?;
    Ok(metatable)
}

/// The message handler of every protected call the engine makes: describes the error while
/// the stack that raised it still exists.
pub(super) fn message_handler(lua: &Lua, error: mlua::Value) -> mlua::Result<mlua::Value> {
    if let Ok(engine) = current() {
        let described = engine.describe(lua, &error);
        *engine.last_error.borrow_mut() = Some(described);
    }
    Ok(error)
}

/// Called with what the original `pcall`/`xpcall`/`coroutine.resume`/`coroutine.close`
/// returned: raises a fatal error again, and turns a host error into a `{code, message}` table.
pub(super) fn catch(lua: &Lua, mut results: MultiValue) -> mlua::Result<MultiValue> {
    let engine = current()?;
    if let Some(fatal) = engine.fatal_error() {
        return Err(fatal);
    }
    if !matches!(results.front(), Some(mlua::Value::Boolean(false))) {
        return Ok(results);
    }
    let Some(caught) = results.get(1).cloned() else {
        return Ok(results);
    };
    let described = engine.classify(&caught);
    if matches!(
        described.code.as_str(),
        codes::STACK_OVERFLOW | codes::MEMORY_LIMIT
    ) {
        let error = HostError::new(described.code, described.message);
        return Err(engine.trip_at(lua, error, described.line));
    }
    if let mlua::Value::Error(_) = caught {
        results[1] = engine.error_table(lua, described)?;
    }
    Ok(results)
}

/// What a script's `xpcall` handler receives: host errors as `{code, message}` tables, and
/// whether the error is fatal (then the script's handler is not called).
pub(super) fn convert_caught(lua: &Lua, caught: mlua::Value) -> mlua::Result<(mlua::Value, bool)> {
    let engine = current()?;
    if engine.fatal.borrow().is_some() {
        return Ok((caught, true));
    }
    match caught {
        mlua::Value::Error(_) => {
            let described = engine.classify(&caught);
            Ok((engine.error_table(lua, described)?, false))
        }
        other => Ok((other, false)),
    }
}

/// The error under mlua's callback and context wrappers.
pub(super) fn root_cause(error: &mlua::Error) -> &mlua::Error {
    let mut error = error;
    loop {
        match error {
            mlua::Error::CallbackError { cause, .. } => error = cause,
            mlua::Error::WithContext { cause, .. } => error = cause,
            _ => return error,
        }
    }
}

/// The text of a syntax error as Lua wrote it.
pub(super) fn syntax_message(error: &mlua::Error) -> String {
    match root_cause(error) {
        mlua::Error::SyntaxError { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// Splits Lua's `chunk:line: ` prefix off a message when it names the spell's chunk. A prefix
/// naming the engine's own wrappers (`llmspell:N: `) is dropped without giving a line.
pub(super) fn split_position(text: &str, short_src: &str) -> (Option<u32>, String) {
    if let Some((mut line, mut message)) = strip_position(text, short_src) {
        // `coroutine.wrap` puts its caller's position in front of the coroutine's own: keep
        // the innermost.
        while let Some((inner_line, inner)) = strip_position(message, short_src) {
            (line, message) = (inner_line, inner);
        }
        return (Some(line), message.to_owned());
    }
    if let Some((_, message)) = strip_position(text, "llmspell") {
        return (None, message.to_owned());
    }
    (None, text.to_owned())
}

/// `chunk:12: rest` → `(12, "rest")`.
fn strip_position<'a>(text: &'a str, chunk: &str) -> Option<(u32, &'a str)> {
    let rest = text.strip_prefix(chunk)?.strip_prefix(':')?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let line = rest[..digits].parse::<u32>().ok()?;
    Some((line, rest[digits..].strip_prefix(": ")?))
}

/// The 1-based column of the token a syntax error names (`near 'x'`), else 1.
///
/// Lua gives no column. When the token occurs several times on the line, the one the parser
/// stopped at is the first whose prefix of the source (up to and including it) fails to compile
/// with the very same message: `compiles_with` recompiles a prefix and returns its error text.
pub(super) fn syntax_column(
    code: &str,
    line: u32,
    message: &str,
    compiles_with: impl Fn(&str) -> Option<String>,
) -> u32 {
    let Some(line_start) = line_offset(code, line) else {
        return 1;
    };
    let text = code[line_start..].split('\n').next().unwrap_or_default();
    let text = text.strip_suffix('\r').unwrap_or(text);
    if message.ends_with("near <eof>") {
        return text.chars().count() as u32 + 1;
    }
    let Some(token) = message
        .rfind("near '")
        .map(|start| &message[start + "near '".len()..])
        .and_then(|rest| rest.strip_suffix('\''))
        .filter(|token| !token.is_empty())
    else {
        return 1;
    };
    let occurrences: Vec<usize> = text
        .match_indices(token)
        .map(|(offset, _)| offset)
        .collect();
    let expected = compiles_with(code);
    let chosen = occurrences
        .iter()
        .copied()
        .find(|offset| {
            occurrences.len() > 1
                && compiles_with(&code[..line_start + offset + token.len()]) == expected
        })
        .or_else(|| occurrences.first().copied());
    match chosen {
        Some(offset) => text[..offset].chars().count() as u32 + 1,
        None => 1,
    }
}

/// The byte offset where 1-based `line` starts.
fn line_offset(code: &str, line: u32) -> Option<usize> {
    if line <= 1 {
        return Some(0);
    }
    code.match_indices('\n')
        .nth(line as usize - 2)
        .map(|(offset, _)| offset + 1)
}

/// An error classified: its code, message without position, and the line Lua's prefix gave.
pub(super) struct Described {
    pub code: String,
    pub message: String,
    pub line: Option<u32>,
    pub data: Option<Value>,
}

impl Described {
    fn new(code: &str, message: impl Into<String>) -> Described {
        Described {
            code: code.to_owned(),
            message: message.into(),
            line: None,
            data: None,
        }
    }
}

impl Engine {
    /// Calls `function` under the original `xpcall` with the engine's message handler.
    pub(super) fn protected_call(
        &self,
        function: &Function,
        args: MultiValue,
    ) -> Result<MultiValue, SpellError> {
        let mut call = MultiValue::with_capacity(args.len() + 2);
        call.push_back(mlua::Value::Function(function.clone()));
        call.push_back(mlua::Value::Function(self.message_handler.clone()));
        call.extend(args);
        let outcome = self.xpcall.call::<MultiValue>(call);
        let recorded = self.last_error.borrow_mut().take();
        match outcome {
            Ok(mut values) => match values.pop_front() {
                Some(mlua::Value::Boolean(true)) => Ok(values),
                _ => {
                    let value = values.pop_front().unwrap_or(mlua::Value::Nil);
                    Err(self.final_error(recorded, &value))
                }
            },
            Err(error) => Err(self.final_error(recorded, &mlua::Value::Error(Box::new(error)))),
        }
    }

    /// The error a protected call ends with: a fatal error wins, then what the message handler
    /// saw, then the bare value (memory errors skip the message handler).
    pub(super) fn final_error(
        &self,
        recorded: Option<SpellError>,
        value: &mlua::Value,
    ) -> SpellError {
        if let Some(fatal) = self.fatal.borrow().clone() {
            return fatal;
        }
        if let Some(recorded) = recorded {
            return recorded;
        }
        let described = self.classify(value);
        let mut error = SpellError::new(described.code, described.message);
        error.file = Some(self.file.clone());
        error.line = described.line;
        error
    }

    /// A syntax error found while loading the spell.
    pub(super) fn load_error(&self, error: &mlua::Error) -> SpellError {
        if matches!(root_cause(error), mlua::Error::MemoryError(_)) {
            return SpellError::from(self.env().memory_error()).at(self.file.clone(), 1);
        }
        let (line, message) = split_position(&syntax_message(error), &self.short_src);
        let code = self.env().spell.code_without_shebang();
        let column = line.map(|line| {
            syntax_column(code, line, &message, |prefix| {
                let compiled = self
                    .lua
                    .load(prefix)
                    .set_name(self.source.as_str())
                    .into_function();
                compiled.err().map(|error| syntax_message(&error))
            })
        });
        let mut error = SpellError::new(codes::SYNTAX, message);
        error.file = Some(self.file.clone());
        error.line = line;
        error.column = column;
        error
    }

    /// Describes an error being raised, with the spell's stack as it is now.
    pub(super) fn describe(&self, lua: &Lua, value: &mlua::Value) -> SpellError {
        if let Some(fatal) = self.fatal.borrow().clone() {
            return fatal;
        }
        let described = self.classify(value);
        // A host error that a failing script callback caused is reported where it began.
        if let Some(origin) = self.callback_error.borrow().as_ref()
            && origin.code == described.code
            && origin.message == described.message
        {
            return origin.clone();
        }
        let stack = self.script_stack(lua);
        let mut error = SpellError::new(described.code, described.message);
        error.file = Some(self.file.clone());
        error.line = described
            .line
            .or_else(|| stack.first().map(|entry| entry.line));
        error.stack = stack;
        error
    }

    /// The code, message and line of any error value.
    pub(super) fn classify(&self, value: &mlua::Value) -> Described {
        match value {
            mlua::Value::Error(error) => self.classify_mlua(error),
            mlua::Value::String(text) => self.classify_text(&text.to_string_lossy()),
            mlua::Value::Table(table) => {
                let text = |key: &str| match table.raw_get::<mlua::Value>(key) {
                    Ok(mlua::Value::String(text)) => Some(text.to_string_lossy()),
                    Ok(mlua::Value::Integer(number)) => Some(number.to_string()),
                    Ok(mlua::Value::Number(number)) => Some(number.to_string()),
                    _ => None,
                };
                let code = match table.raw_get::<mlua::Value>("code") {
                    Ok(mlua::Value::String(code)) => Some(code.to_string_lossy()),
                    _ => None,
                };
                let data = match table.raw_get::<mlua::Value>("data") {
                    Ok(mlua::Value::Nil) | Err(_) => None,
                    Ok(data) => self.to_value(&self.lua, data, convert::Mode::Lenient).ok(),
                };
                match (code, text("message")) {
                    (Some(code), message) => Described {
                        data,
                        ..Described::new(&code, message.unwrap_or_default())
                    },
                    (None, Some(message)) => Described::new(codes::RUNTIME, message),
                    (None, None) => {
                        Described::new(codes::RUNTIME, "(error object is a table value)")
                    }
                }
            }
            mlua::Value::Integer(number) => Described::new(codes::RUNTIME, number.to_string()),
            mlua::Value::Number(number) => Described::new(codes::RUNTIME, number.to_string()),
            mlua::Value::UserData(userdata) => match userdata.borrow::<convert::Handle>() {
                Ok(handle) => Described::new(codes::RUNTIME, handle.0.0.display()),
                Err(_) => Described::new(codes::RUNTIME, "(error object is a userdata value)"),
            },
            other => Described::new(
                codes::RUNTIME,
                format!("(error object is a {} value)", other.type_name()),
            ),
        }
    }

    fn classify_mlua(&self, error: &mlua::Error) -> Described {
        match root_cause(error) {
            mlua::Error::ExternalError(external) => match external.downcast_ref::<ScriptError>() {
                Some(ScriptError(host)) => Described {
                    data: host.data.clone(),
                    ..Described::new(&host.code, host.message.clone())
                },
                None => Described::new(codes::RUNTIME, external.to_string()),
            },
            mlua::Error::MemoryError(_) => {
                Described::new(codes::MEMORY_LIMIT, self.env().memory_error().message)
            }
            mlua::Error::StackError => Described::new(codes::STACK_OVERFLOW, "stack overflow"),
            mlua::Error::RuntimeError(text) => self.classify_text(text),
            mlua::Error::SyntaxError { message, .. } => {
                let (line, message) = split_position(message, &self.short_src);
                Described {
                    line,
                    ..Described::new(codes::SYNTAX, message)
                }
            }
            other => Described::new(codes::RUNTIME, other.to_string()),
        }
    }

    fn classify_text(&self, text: &str) -> Described {
        let (line, message) = split_position(text, &self.short_src);
        let described = if message.ends_with("stack overflow") {
            Described::new(codes::STACK_OVERFLOW, message)
        } else if message == "not enough memory" {
            Described::new(codes::MEMORY_LIMIT, self.env().memory_error().message)
        } else {
            Described::new(codes::RUNTIME, message)
        };
        Described { line, ..described }
    }

    /// The `{code, message, data?}` table a script catches.
    pub(super) fn error_table(&self, lua: &Lua, described: Described) -> mlua::Result<mlua::Value> {
        let table = lua.create_table_with_capacity(0, 3)?;
        table.raw_set("code", described.code)?;
        table.raw_set("message", described.message)?;
        if let Some(data) = &described.data {
            table.raw_set("data", self.to_lua(lua, data)?)?;
        }
        table.set_metatable(Some(self.error_mt.clone()))?;
        Ok(mlua::Value::Table(table))
    }

    /// The fatal error again, if one happened.
    pub(super) fn fatal_error(&self) -> Option<mlua::Error> {
        self.fatal
            .borrow()
            .as_ref()
            .map(|fatal| raise_host(fatal.to_host_error()))
    }

    /// Raises a host error: fatal ones (the spell's own limits) end the spell.
    pub(super) fn raise(&self, lua: &Lua, error: HostError) -> mlua::Error {
        if let Some(fatal) = self.fatal_error() {
            return fatal;
        }
        if self.env().ends_spell(&error) {
            self.trip_at(lua, error, None)
        } else {
            raise_host(error)
        }
    }

    /// Records the fatal error that ends the spell (the first one wins) and raises it.
    pub(super) fn trip_at(&self, lua: &Lua, error: HostError, line: Option<u32>) -> mlua::Error {
        if self.fatal.borrow().is_none() {
            let env = self.env();
            let error = match error.code.as_str() {
                codes::TIMEOUT => env.timeout_error(),
                codes::MEMORY_LIMIT => {
                    // Room to unwind: the spell cannot continue anyway.
                    if let Some(limit) = env.limits.memory {
                        let _ = self.lua.set_memory_limit(limit.saturating_add(16 << 20));
                    }
                    env.memory_error()
                }
                _ => error,
            };
            let stack = self.script_stack(lua);
            let mut fatal = SpellError::new(error.code, error.message);
            fatal.file = Some(self.file.clone());
            fatal.line = line.or_else(|| stack.first().map(|entry| entry.line));
            fatal.stack = stack;
            *self.fatal.borrow_mut() = Some(fatal);
        }
        super::hooks::arm_fatal_hook(lua);
        self.fatal_error()
            .unwrap_or_else(|| mlua::Error::runtime("the spell has ended"))
    }

    /// The spell's frames on the running thread's stack, innermost first.
    ///
    /// Walking the stack is quadratic in its depth, so a very deep stack (a runaway recursion)
    /// shows its innermost frames and its outermost ones.
    pub(super) fn script_stack(&self, lua: &Lua) -> Vec<StackEntry> {
        const INNER: usize = 64;
        const OUTER: usize = 8;
        let mut stack = Vec::new();
        let mut level = 0;
        while level < INNER {
            match lua.inspect_stack(level, |debug| self.stack_entry(debug)) {
                Some(Some(entry)) => stack.push(entry),
                Some(None) => {}
                None => return stack,
            }
            level += 1;
        }
        let depth = stack_depth(lua, level);
        for level in depth.saturating_sub(OUTER).max(INNER)..depth {
            if let Some(Some(entry)) = lua.inspect_stack(level, |debug| self.stack_entry(debug)) {
                stack.push(entry);
            }
        }
        stack
    }

    /// The stack entry of a frame when it runs the spell's own code.
    pub(super) fn stack_entry(&self, debug: &mlua::debug::Debug<'_>) -> Option<StackEntry> {
        let source = debug.source();
        if source.source.as_deref() != Some(self.source.as_str()) {
            return None;
        }
        let line = debug.current_line()? as u32;
        let function = if source.what == "main" {
            "<main>".to_owned()
        } else {
            debug
                .names()
                .name
                .map(|name| name.into_owned())
                .unwrap_or_else(|| "<anonymous>".to_owned())
        };
        Some(StackEntry {
            function,
            file: self.file.clone(),
            line,
        })
    }
}

/// How many levels the running thread's stack has, knowing `known` exist.
fn stack_depth(lua: &Lua, known: usize) -> usize {
    let exists = |level: usize| lua.inspect_stack(level, |_| ()).is_some();
    let (mut low, mut high) = (known.saturating_sub(1), known.max(1) * 2);
    while exists(high) {
        low = high;
        high *= 2;
    }
    // `low` exists, `high` does not.
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if exists(middle) {
            low = middle
        } else {
            high = middle
        }
    }
    high
}
