//! Values between Lua and the bridge.
//!
//! Tables whose keys are exactly `1..n` (n ≥ 1) are lists, other tables maps (integer keys become
//! strings); lists that came from the host carry a marker metatable so an empty one stays a list.
//! Host objects are userdata handles; script functions become [`Callable`]s kept in a table by
//! id (never as mlua handles owned by other threads), and convert back to the same function.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use llmspell_bridge::{Callable, HostError, Map, Object, ScriptFunction, Value, codes};
use mlua::{
    Function, Lua, MetaMethod, MultiValue, Table, UserData, UserDataFields, UserDataMethods,
};

use super::errors::raise_host;
use super::{Engine, bind, current};
use crate::spell_thread::MailboxSender;

/// How strictly to convert: host calls reject what has no bridge form; the debugger shows it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Strict,
    Lenient,
}

/// Why a Lua value could not be converted.
pub(super) enum ConvertError {
    /// The value has no bridge form (the message says why).
    Invalid(String),
    /// Lua failed (out of memory).
    Lua(mlua::Error),
}

impl From<mlua::Error> for ConvertError {
    fn from(error: mlua::Error) -> Self {
        ConvertError::Lua(error)
    }
}

/// Tables nested deeper than this are refused (they usually contain themselves).
const MAX_DEPTH: usize = 100;

/// A host object as Lua sees it: methods and fields through `__index`.
pub(super) struct Handle(pub Object);

impl UserData for Handle {
    fn add_fields<F: UserDataFields<Self>>(fields: &mut F) {
        fields.add_meta_field("__name", "host object");
    }

    fn add_methods<M: UserDataMethods<Self>>(methods: &mut M) {
        methods.add_meta_method(MetaMethod::Index, |lua, handle, key: mlua::Value| {
            bind::object_index(lua, &handle.0, key)
        });
        methods.add_meta_method(
            MetaMethod::NewIndex,
            |_, handle, (key, _value): (mlua::Value, mlua::Value)| -> mlua::Result<()> {
                let key = match key {
                    mlua::Value::String(key) => key.to_string_lossy(),
                    other => other.type_name().to_owned(),
                };
                Err(raise_host(HostError::invalid_argument(format!(
                    "cannot set '{key}' on a {}: host objects are read-only",
                    handle.0.type_name()
                ))))
            },
        );
        methods.add_meta_method(MetaMethod::ToString, |_, handle, ()| {
            Ok(handle.0.0.display())
        });
        methods.add_meta_function(MetaMethod::Eq, |_, (a, b): (mlua::Value, mlua::Value)| {
            Ok(match (handle_object(&a), handle_object(&b)) {
                (Some(a), Some(b)) => Arc::ptr_eq(&a.0, &b.0),
                _ => false,
            })
        });
    }
}

/// The host object behind a handle.
pub(super) fn handle_object(value: &mlua::Value) -> Option<Object> {
    match value {
        mlua::Value::UserData(userdata) => userdata
            .borrow::<Handle>()
            .ok()
            .map(|handle| handle.0.clone()),
        _ => None,
    }
}

/// The script functions handed to the host, by id.
#[derive(Default)]
pub(super) struct Callables {
    next_id: u64,
    /// The `Arc` address of each live callable, so it converts back to its function.
    by_pointer: HashMap<usize, u64>,
    pointers: HashMap<u64, usize>,
    /// Ids whose callables were dropped (on any thread), to forget at the next chance.
    released: Arc<Mutex<Vec<u64>>>,
}

/// A Lua function as the host holds it: an id in the spell's callback table. It runs on the
/// spell thread, directly when called there, else through the mailbox.
struct LuaCallable {
    engine: u64,
    id: u64,
    name: Option<String>,
    mailbox: MailboxSender,
    released: Arc<Mutex<Vec<u64>>>,
}

impl ScriptFunction for LuaCallable {
    fn call(&self, args: Vec<Value>) -> Result<Value, HostError> {
        let (engine_id, id) = (self.engine, self.id);
        self.mailbox.run_on_spell_thread(move || {
            let ended = || HostError::new(codes::TERMINATED, "the spell has already ended");
            let engine = current().map_err(|_| ended())?;
            if engine.id != engine_id {
                return Err(ended());
            }
            engine.call_callback(id, args)
        })
    }

    fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
}

impl Drop for LuaCallable {
    fn drop(&mut self) {
        if let Ok(mut released) = self.released.lock() {
            released.push(self.id);
        }
    }
}

fn pointer_of(callable: &Callable) -> usize {
    Arc::as_ptr(&callable.0) as *const () as usize
}

impl Engine {
    /// Converts a Lua value for the host.
    pub(super) fn to_value(
        &self,
        lua: &Lua,
        value: mlua::Value,
        mode: Mode,
    ) -> Result<Value, ConvertError> {
        self.to_value_at(lua, value, mode, 0)
    }

    fn to_value_at(
        &self,
        lua: &Lua,
        value: mlua::Value,
        mode: Mode,
        depth: usize,
    ) -> Result<Value, ConvertError> {
        Ok(match value {
            mlua::Value::Nil => Value::Nil,
            mlua::Value::Boolean(flag) => Value::Bool(flag),
            mlua::Value::Integer(number) => Value::Int(number),
            mlua::Value::Number(number) => Value::Float(number),
            mlua::Value::String(text) => Value::Str(text.to_string_lossy()),
            mlua::Value::Table(table) => return self.table_to_value(lua, &table, mode, depth),
            mlua::Value::Function(function) => self.register_function(lua, function, None)?,
            mlua::Value::UserData(userdata) => match userdata.borrow::<Handle>() {
                Ok(handle) => Value::Object(handle.0.clone()),
                Err(_) => return self.no_bridge_form(mode, "a userdata"),
            },
            mlua::Value::Error(error) => {
                let described = self.classify(&mlua::Value::Error(error));
                let mut map = Map::new();
                map.insert("code".into(), Value::Str(described.code));
                map.insert("message".into(), Value::Str(described.message));
                Value::Map(map)
            }
            mlua::Value::Thread(_) => return self.no_bridge_form(mode, "a coroutine"),
            mlua::Value::LightUserData(_) => return self.no_bridge_form(mode, "a light userdata"),
            other => return self.no_bridge_form(mode, other.type_name()),
        })
    }

    fn no_bridge_form(&self, mode: Mode, what: &str) -> Result<Value, ConvertError> {
        match mode {
            Mode::Strict => Err(ConvertError::Invalid(format!(
                "{what} cannot be passed to the host"
            ))),
            Mode::Lenient => Ok(Value::Str(format!("<{what}>"))),
        }
    }

    fn table_to_value(
        &self,
        lua: &Lua,
        table: &Table,
        mode: Mode,
        depth: usize,
    ) -> Result<Value, ConvertError> {
        if depth >= MAX_DEPTH {
            return match mode {
                Mode::Strict => Err(ConvertError::Invalid(format!(
                    "tables are nested more than {MAX_DEPTH} deep (does a table contain itself?)"
                ))),
                Mode::Lenient => Ok(Value::Str("<table>".into())),
            };
        }
        let length = table.raw_len();
        let mut entries = Vec::with_capacity(length);
        for pair in table.pairs::<mlua::Value, mlua::Value>() {
            entries.push(pair?);
        }
        let from_host = table
            .metatable()
            .is_some_and(|metatable| metatable.to_pointer() == self.list_mt.to_pointer());
        let holes = match from_host {
            true => self.list_holes.raw_get::<Option<i64>>(table)?,
            false => None,
        };
        let list_length = match holes {
            // A host list with nils keeps its length, unless the script removed its tail.
            Some(packed) => {
                let original = (packed >> 32) as usize;
                let last_value = (packed & 0xffff_ffff) as usize;
                let highest = entries
                    .iter()
                    .try_fold(0usize, |highest, (key, _)| match key {
                        mlua::Value::Integer(index) if *index >= 1 => {
                            Some(highest.max(usize::try_from(*index).ok()?))
                        }
                        _ => None,
                    });
                highest
                    .filter(|highest| *highest <= original + entries.len())
                    .map(|highest| match highest >= last_value {
                        true => highest.max(original),
                        false => highest,
                    })
            }
            None if entries.is_empty() => from_host.then_some(0),
            None => {
                let in_range = |key: &mlua::Value| matches!(key, mlua::Value::Integer(index) if *index >= 1 && *index as usize <= length);
                (entries.len() == length && entries.iter().all(|(key, _)| in_range(key)))
                    .then_some(length)
            }
        };
        if let Some(length) = list_length {
            let mut items = vec![Value::Nil; length];
            for (key, value) in entries {
                if let mlua::Value::Integer(index) = key {
                    items[index as usize - 1] = self.to_value_at(lua, value, mode, depth + 1)?;
                }
            }
            return Ok(Value::List(items));
        }
        let mut map = Map::new();
        for (key, value) in entries {
            let key = match key {
                mlua::Value::String(key) => key.to_string_lossy(),
                mlua::Value::Integer(key) => key.to_string(),
                other if mode == Mode::Lenient => match other {
                    mlua::Value::Number(key) => key.to_string(),
                    mlua::Value::Boolean(key) => key.to_string(),
                    other => format!("<{}>", other.type_name()),
                },
                other => {
                    return Err(ConvertError::Invalid(format!(
                        "map keys must be strings or integers, not {}",
                        match other {
                            mlua::Value::Number(number) => format!("the float {number}"),
                            other => format!("a {}", other.type_name()),
                        }
                    )));
                }
            };
            map.insert(key, self.to_value_at(lua, value, mode, depth + 1)?);
        }
        Ok(Value::Map(map))
    }

    /// Converts a host value for Lua.
    pub(super) fn to_lua(&self, lua: &Lua, value: &Value) -> mlua::Result<mlua::Value> {
        Ok(match value {
            Value::Nil => mlua::Value::Nil,
            Value::Bool(flag) => mlua::Value::Boolean(*flag),
            Value::Int(number) => mlua::Value::Integer(*number),
            Value::Float(number) => mlua::Value::Number(*number),
            Value::Str(text) => mlua::Value::String(lua.create_string(text)?),
            Value::List(items) => {
                let table = lua.create_table_with_capacity(items.len(), 0)?;
                for (index, item) in items.iter().enumerate() {
                    table.raw_set(index as i64 + 1, self.to_lua(lua, item)?)?;
                }
                table.set_metatable(Some(self.list_mt.clone()))?;
                if items.iter().any(Value::is_nil) {
                    let last_value = items
                        .iter()
                        .rposition(|item| !item.is_nil())
                        .map_or(0, |at| at + 1);
                    let packed = ((items.len() as i64) << 32) | last_value as i64;
                    self.list_holes.raw_set(&table, packed)?;
                }
                mlua::Value::Table(table)
            }
            Value::Map(map) => {
                let table = lua.create_table_with_capacity(0, map.len())?;
                for (key, item) in map {
                    table.raw_set(key.as_str(), self.to_lua(lua, item)?)?;
                }
                mlua::Value::Table(table)
            }
            Value::Object(object) => {
                mlua::Value::UserData(lua.create_userdata(Handle(object.clone()))?)
            }
            Value::Callable(callable) => {
                mlua::Value::Function(self.callable_to_lua(lua, callable)?)
            }
        })
    }

    /// Converts call arguments for the host; `qualified` names the function in errors.
    pub(super) fn arguments(
        &self,
        lua: &Lua,
        args: MultiValue,
        qualified: &str,
    ) -> mlua::Result<Vec<Value>> {
        let mut values = Vec::with_capacity(args.len());
        for (index, arg) in args.into_iter().enumerate() {
            match self.to_value(lua, arg, Mode::Strict) {
                Ok(value) => values.push(value),
                Err(ConvertError::Invalid(message)) => {
                    return Err(raise_host(HostError::invalid_argument(format!(
                        "{qualified}: argument {}: {message}",
                        index + 1
                    ))));
                }
                Err(ConvertError::Lua(error)) => return Err(error),
            }
        }
        Ok(values)
    }

    /// Hands a Lua function to the host as a callable.
    pub(super) fn register_function(
        &self,
        _lua: &Lua,
        function: Function,
        name: Option<String>,
    ) -> mlua::Result<Value> {
        self.forget_released()?;
        let mut callables = self.callables.borrow_mut();
        callables.next_id += 1;
        let id = callables.next_id;
        self.callbacks.raw_set(id, function)?;
        let callable = Callable::new(LuaCallable {
            engine: self.id,
            id,
            name,
            mailbox: self.env().mailbox.sender(),
            released: callables.released.clone(),
        });
        let pointer = pointer_of(&callable);
        callables.by_pointer.insert(pointer, id);
        callables.pointers.insert(id, pointer);
        Ok(Value::Callable(callable))
    }

    /// Forgets the functions whose callables the host dropped.
    fn forget_released(&self) -> mlua::Result<()> {
        let released = {
            let callables = self.callables.borrow();
            let mut released = callables
                .released
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            std::mem::take(&mut *released)
        };
        if released.is_empty() {
            return Ok(());
        }
        let mut callables = self.callables.borrow_mut();
        for id in released {
            if let Some(pointer) = callables.pointers.remove(&id) {
                callables.by_pointer.remove(&pointer);
            }
            self.callbacks.raw_set(id, mlua::Value::Nil)?;
        }
        Ok(())
    }

    /// A callable as a Lua function: the original function when it came from this spell.
    fn callable_to_lua(&self, lua: &Lua, callable: &Callable) -> mlua::Result<Function> {
        self.forget_released()?;
        let known = self
            .callables
            .borrow()
            .by_pointer
            .get(&pointer_of(callable))
            .copied();
        if let Some(id) = known
            && let Some(function) = self.callbacks.raw_get::<Option<Function>>(id)?
        {
            return Ok(function);
        }
        let callable = callable.clone();
        lua.create_function(move |lua, args: MultiValue| {
            let engine = current()?;
            let name = callable.name().unwrap_or("a host function").to_owned();
            let values = engine.arguments(lua, args, &name)?;
            match callable.call(values) {
                Ok(value) => engine.to_lua(lua, &value),
                Err(error) => Err(engine.raise(lua, error)),
            }
        })
    }

    /// Runs a script function the host holds (on the spell thread).
    fn call_callback(&self, id: u64, args: Vec<Value>) -> Result<Value, HostError> {
        if let Some(fatal) = self.fatal.borrow().as_ref() {
            return Err(fatal.to_host_error());
        }
        let lua = &self.lua;
        let lua_error = |error: mlua::Error| {
            let described = self.classify(&mlua::Value::Error(Box::new(error)));
            HostError::new(described.code, described.message)
        };
        let function = match self.callbacks.raw_get::<Option<Function>>(id) {
            Ok(Some(function)) => function,
            Ok(None) => {
                return Err(HostError::internal(
                    "this script function is no longer available",
                ));
            }
            Err(error) => return Err(lua_error(error)),
        };
        let mut lua_args = MultiValue::with_capacity(args.len());
        for arg in &args {
            lua_args.push_back(self.to_lua(lua, arg).map_err(lua_error)?);
        }
        match self.protected_call(&function, lua_args) {
            Ok(mut values) => {
                let value = values.pop_front().unwrap_or(mlua::Value::Nil);
                self.to_value(lua, value, Mode::Strict)
                    .map_err(|error| match error {
                        ConvertError::Invalid(message) => HostError::invalid_argument(format!(
                            "a script function returned a value the host cannot use: {message}"
                        )),
                        ConvertError::Lua(error) => lua_error(error),
                    })
            }
            Err(error) => {
                let host = error.to_host_error();
                *self.callback_error.borrow_mut() = Some(error);
                Err(host)
            }
        }
    }
}
