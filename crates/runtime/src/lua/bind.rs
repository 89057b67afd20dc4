//! Binds the registry from its descriptors: `Functions` modules as tables (under their name and
//! aliases, each function also under its aliases), `Globals` functions as globals, `Value`
//! modules as values. Host calls go through `SpellEnv::call_blocking` with the qualified name.
//!
//! `test:add(1, 2)` and `test.add(1, 2)` both work, and so do `c:incr()` and `c.incr()` on a
//! host object: a leading argument that is the module table (or the object itself) is dropped.

use std::sync::Arc;

use llmspell_bridge::{Function, HostError, ModuleKind, Object, Value};
use mlua::{Lua, MultiValue};

use super::convert::handle_object;
use super::{Engine, current};

/// Installs every module of the registry as globals.
pub(super) fn bind_registry(engine: &Engine) -> mlua::Result<()> {
    let lua = &engine.lua;
    let globals = lua.globals();
    let registry = engine.env().registry.clone();
    for (module_index, module) in registry.modules.iter().enumerate() {
        match &module.kind {
            ModuleKind::Functions => {
                let table = lua.create_table_with_capacity(0, module.functions.len())?;
                let pointer = table.to_pointer() as usize;
                for (function_index, function) in module.functions.iter().enumerate() {
                    let qualified = module.qualified(function.name);
                    let bound = module_function(
                        lua,
                        module_index,
                        function_index,
                        qualified,
                        Some(pointer),
                    )?;
                    let bound = engine.yielding(function, bound)?;
                    table.raw_set(function.name, &bound)?;
                    for alias in &function.aliases {
                        table.raw_set(*alias, &bound)?;
                    }
                }
                globals.raw_set(module.name, &table)?;
                for alias in &module.aliases {
                    globals.raw_set(*alias, &table)?;
                }
            }
            ModuleKind::Globals => {
                for (function_index, function) in module.functions.iter().enumerate() {
                    let qualified = module.qualified(function.name);
                    let bound =
                        module_function(lua, module_index, function_index, qualified, None)?;
                    let bound = engine.yielding(function, bound)?;
                    globals.raw_set(function.name, &bound)?;
                    for alias in &function.aliases {
                        globals.raw_set(*alias, &bound)?;
                    }
                }
            }
            ModuleKind::Value(value) => {
                let value = engine.to_lua(lua, value)?;
                globals.raw_set(module.name, value.clone())?;
                for alias in &module.aliases {
                    globals.raw_set(*alias, value.clone())?;
                }
            }
        }
    }
    Ok(())
}

/// A module or global function; `module_table` is the address of its module's table.
fn module_function(
    lua: &Lua,
    module_index: usize,
    function_index: usize,
    qualified: String,
    module_table: Option<usize>,
) -> mlua::Result<mlua::Function> {
    lua.create_function(move |lua, mut args: MultiValue| {
        let engine = current()?;
        if let Some(pointer) = module_table
            && matches!(args.front(), Some(mlua::Value::Table(table)) if table.to_pointer() as usize == pointer)
        {
            args.pop_front();
        }
        let function = &engine.env().registry.modules[module_index].functions[function_index];
        engine.call_host(lua, function, &qualified, None, args)
    })
}

/// `__index` of a host object: its methods (bound to it), then its fields.
pub(super) fn object_index(
    lua: &Lua,
    object: &Object,
    key: mlua::Value,
) -> mlua::Result<mlua::Value> {
    let mlua::Value::String(key) = key else {
        return Ok(mlua::Value::Nil);
    };
    let Ok(key) = key.to_str() else {
        return Ok(mlua::Value::Nil);
    };
    let engine = current()?;
    let registry = &engine.env().registry;
    let found = registry
        .types
        .iter()
        .enumerate()
        .find(|(_, object_type)| object_type.name == object.type_name());
    if let Some((type_index, object_type)) = found
        && let Some(method_index) = object_type
            .methods
            .iter()
            .position(|method| method.name == &*key || method.aliases.contains(&&*key))
    {
        let method = &object_type.methods[method_index];
        let bound = bound_method(lua, object.clone(), type_index, method_index)?;
        return engine.yielding(method, bound).map(mlua::Value::Function);
    }
    match object.0.field(&key) {
        Some(value) => engine.to_lua(lua, &value),
        None => Ok(mlua::Value::Nil),
    }
}

/// A method bound to its object, callable as `obj:m(...)` and `obj.m(...)`.
fn bound_method(
    lua: &Lua,
    object: Object,
    type_index: usize,
    method_index: usize,
) -> mlua::Result<mlua::Function> {
    lua.create_function(move |lua, mut args: MultiValue| {
        let engine = current()?;
        let receiver_first = args
            .front()
            .and_then(handle_object)
            .is_some_and(|first| Arc::ptr_eq(&first.0, &object.0));
        if receiver_first {
            args.pop_front();
        }
        let object_type = &engine.env().registry.types[type_index];
        let method = &object_type.methods[method_index];
        let qualified = format!("{}.{}", object_type.name, method.name);
        engine.call_host(
            lua,
            method,
            &qualified,
            Some(Value::Object(object.clone())),
            args,
        )
    })
}

impl Engine {
    /// `bound` as scripts see it: I/O-bound functions get the wrapper that yields inside
    /// `async.all`.
    fn yielding(&self, function: &Function, bound: mlua::Function) -> mlua::Result<mlua::Function> {
        if function.is_async() {
            self.wrap_io(bound)
        } else {
            Ok(bound)
        }
    }

    /// Calls a host function with Lua arguments and returns its result to Lua.
    pub(super) fn call_host(
        &self,
        lua: &Lua,
        function: &Function,
        qualified: &str,
        this: Option<Value>,
        args: MultiValue,
    ) -> mlua::Result<mlua::Value> {
        if let Some(fatal) = self.fatal_error() {
            return Err(fatal);
        }
        let values = self.arguments(lua, args, qualified)?;
        // Inside `async.all`, an I/O-bound call starts and its task yields instead of blocking
        // (`None`: the call is under way).
        let task = if function.is_async() {
            self.current_task(lua)
        } else {
            None
        };
        let call = || match task {
            Some(task) => self.start_io(task, function, qualified, this, values),
            None => self
                .env()
                .call_blocking(function, qualified, this, values)
                .map(Some),
        };
        // A host function that panics fails its call instead of unwinding through Lua.
        let result =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)).unwrap_or_else(|panic| {
                let detail = panic
                    .downcast_ref::<&str>()
                    .map(|text| text.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown cause".to_owned());
                Err(HostError::internal(format!(
                    "{qualified} failed unexpectedly: {detail}"
                )))
            });
        match result {
            Ok(None) => self.pending_marker(),
            Ok(_) if self.fatal.borrow().is_some() => {
                // The host swallowed a fatal error that a script callback raised.
                Err(self
                    .fatal_error()
                    .unwrap_or_else(|| mlua::Error::runtime("stopped")))
            }
            Ok(Some(value)) => {
                if self.callback_error.borrow().is_some() {
                    *self.callback_error.borrow_mut() = None;
                }
                self.to_lua(lua, &value)
            }
            Err(error) => Err(self.raise(lua, error)),
        }
    }
}
