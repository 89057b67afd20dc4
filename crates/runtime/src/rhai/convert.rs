//! Values both ways between Rhai and the bridge, the script-side handle of host modules and
//! objects, and script functions as host callables.

use std::sync::Arc;

use llmspell_bridge::{Callable, HostError, Object, ScriptFunction, Value, codes};
use rhai::{Dynamic, EvalAltResult, FnPtr, ImmutableString, NativeCallContext};

use super::memory::{self, MemoryMeter};
use super::session::{Session, with_session};
use crate::spell_thread::MailboxSender;

/// Values nested deeper than this do not cross the bridge (and cannot blow the stack).
const MAX_DEPTH: usize = 256;

/// The script-side handle of a host module object (`test`) or a host object (a `Counter`).
///
/// Methods are dispatched on it by the raw functions of `bind`; fields are read through its
/// indexer (`c.name`, `c["name"]`).
#[derive(Clone)]
pub(crate) enum HostRef {
    /// A `Functions` module of the registry, by index.
    Module {
        index: usize,
        name: &'static str,
    },
    Object(Object),
}

impl HostRef {
    /// `<module test>`, or the object's own display text.
    pub fn display(&self) -> String {
        match self {
            HostRef::Module { name, .. } => format!("<module {name}>"),
            HostRef::Object(object) => object.0.display(),
        }
    }

    /// Whether both handles name the very same module or object.
    pub fn same(&self, other: &HostRef) -> bool {
        match (self, other) {
            (HostRef::Module { index: a, .. }, HostRef::Module { index: b, .. }) => a == b,
            (HostRef::Object(a), HostRef::Object(b)) => {
                Arc::as_ptr(&a.0).cast::<()>() == Arc::as_ptr(&b.0).cast::<()>()
            }
            _ => false,
        }
    }
}

/// Converts a script value for the host.
pub(crate) fn to_value(value: &Dynamic) -> Result<Value, HostError> {
    to_value_at(value, 0)
}

fn to_value_at(value: &Dynamic, depth: usize) -> Result<Value, HostError> {
    if depth > MAX_DEPTH {
        return Err(HostError::invalid_argument(format!(
            "a value nested more than {MAX_DEPTH} levels deep cannot be passed to the host"
        )));
    }
    if value.is_shared() {
        return to_value_at(&value.flatten_clone(), depth);
    }
    if value.is_unit() {
        return Ok(Value::Nil);
    }
    if let Ok(flag) = value.as_bool() {
        return Ok(Value::Bool(flag));
    }
    if let Ok(number) = value.as_int() {
        return Ok(Value::Int(number));
    }
    if let Ok(number) = value.as_float() {
        return Ok(Value::Float(number));
    }
    if let Ok(text) = value.as_immutable_string_ref() {
        return Ok(Value::Str(text.as_str().to_owned()));
    }
    if let Ok(character) = value.as_char() {
        return Ok(Value::Str(character.to_string()));
    }
    if let Ok(array) = value.as_array_ref() {
        return array
            .iter()
            .map(|item| to_value_at(item, depth + 1))
            .collect::<Result<_, _>>()
            .map(Value::List);
    }
    if let Ok(map) = value.as_map_ref() {
        return map
            .iter()
            .map(|(key, item)| Ok((key.to_string(), to_value_at(item, depth + 1)?)))
            .collect::<Result<_, HostError>>()
            .map(Value::Map);
    }
    if let Ok(blob) = value.as_blob_ref() {
        return Ok(Value::List(blob.iter().map(|byte| Value::Int(i64::from(*byte))).collect()));
    }
    if let Some(function) = value.read_lock::<FnPtr>() {
        return callable_of(&function);
    }
    if let Some(handle) = value.read_lock::<HostRef>() {
        return match &*handle {
            HostRef::Object(object) => Ok(Value::Object(object.clone())),
            HostRef::Module { name, .. } => Err(HostError::invalid_argument(format!(
                "the module '{name}' is not a value; pass one of its results instead"
            ))),
        };
    }
    Err(HostError::invalid_argument(format!("a {} cannot be passed to the host", value.type_name())))
}

/// Converts a host value for the script.
pub(crate) fn to_dynamic(value: Value) -> Dynamic {
    match value {
        Value::Nil => Dynamic::UNIT,
        Value::Bool(flag) => Dynamic::from_bool(flag),
        Value::Int(number) => Dynamic::from_int(number),
        Value::Float(number) => Dynamic::from_float(number),
        Value::Str(text) => Dynamic::from(ImmutableString::from(text)),
        Value::List(list) => Dynamic::from_array(list.into_iter().map(to_dynamic).collect()),
        Value::Map(map) => {
            Dynamic::from_map(map.into_iter().map(|(key, item)| (key.into(), to_dynamic(item))).collect())
        }
        Value::Object(object) => Dynamic::from(HostRef::Object(object)),
        Value::Callable(callable) => {
            let own = with_session(|session| session.function_of(&callable)).flatten();
            Dynamic::from(own.unwrap_or_else(|| host_function_pointer(callable)))
        }
    }
}

/// Converts call arguments (all but the receiver, for methods) for the host.
pub(crate) fn arguments(args: &[&mut Dynamic]) -> Result<Vec<Value>, HostError> {
    args.iter().map(|arg| to_value(arg)).collect()
}

/// A script function as a host callable, remembered so it converts back to itself.
fn callable_of(function: &FnPtr) -> Result<Value, HostError> {
    with_session(|session| {
        let name = (!function.is_anonymous()).then(|| function.fn_name().to_owned());
        let callable: Arc<dyn ScriptFunction> =
            Arc::new(ScriptCallable { function: function.clone(), name, sender: session.sender.clone() });
        session.remember_callable(&callable, function.clone());
        Value::Callable(Callable(callable))
    })
    .ok_or_else(spell_ended)
}

/// A function pointer that calls a host callable (one that did not come from this spell).
fn host_function_pointer(callable: Callable) -> FnPtr {
    let name =
        callable.name().filter(|name| rhai::is_valid_identifier(name)).unwrap_or("host_function").to_owned();
    let call = move |context: NativeCallContext<'_>, args: &mut [&mut Dynamic]| {
        with_session(|session| {
            let values = arguments(args).map_err(|error| session.raise(error))?;
            let result = {
                let _context = session.push_context(&context);
                callable.call(values)
            };
            result.map(to_dynamic).map_err(|error| session.raise(error))
        })
        .unwrap_or_else(|| Err(super::session::terminated(spell_ended())))
    };
    #[allow(deprecated, reason = "FnPtr::from_fn is marked volatile, not deprecated")]
    let pointer = FnPtr::from_fn(name, call.clone()).or_else(|_| FnPtr::from_fn("host_function", call));
    pointer.unwrap_or_else(|_| FnPtr::new("host_function").expect("a valid function name"))
}

/// A script function handed to the host: calling it runs it on the spell thread.
struct ScriptCallable {
    function: FnPtr,
    name: Option<String>,
    sender: MailboxSender,
}

impl ScriptFunction for ScriptCallable {
    fn call(&self, args: Vec<Value>) -> Result<Value, HostError> {
        let function = self.function.clone();
        if self.sender.is_spell_thread() {
            return call_script_function(&function, args);
        }
        self.sender.run_on_spell_thread(move || call_from_another_thread(&function, args))
    }

    fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
}

/// A call posted from another thread: its arguments were allocated there and its result
/// will be freed there, so neither counts as the spell's memory (the spell gets copies of
/// the arguments, made here).
fn call_from_another_thread(function: &FnPtr, args: Vec<Value>) -> Result<Value, HostError> {
    let meter = with_session(|session| session.memory.clone().filter(MemoryMeter::counts)).flatten();
    let Some(meter) = meter else {
        return call_script_function(function, args);
    };
    let copies = args.clone();
    let freed = memory::mark();
    drop(args);
    meter.exclude_since(freed);
    let result = call_script_function(function, copies);
    let made = memory::mark();
    let sent = result.clone();
    meter.exclude_since(made);
    sent
}

/// Calls a script function on the spell thread, inside the innermost host call in progress.
fn call_script_function(function: &FnPtr, args: Vec<Value>) -> Result<Value, HostError> {
    with_session(|session| call_in_session(session, function, args)).unwrap_or_else(|| Err(spell_ended()))
}

fn call_in_session(session: &Session<'_>, function: &FnPtr, args: Vec<Value>) -> Result<Value, HostError> {
    if let Some(fatal) = session.fatal() {
        return Err(fatal);
    }
    let arguments: Vec<Dynamic> = args.into_iter().map(to_dynamic).collect();
    let outcome =
        session.with_context(|context| function.call_raw(context, None, arguments)).ok_or_else(|| {
            HostError::internal(
                "a script function can only be called back while the spell is inside a host call",
            )
        })?;
    match outcome {
        Ok(value) => to_value(&value),
        Err(error) => {
            let host = match &*error {
                EvalAltResult::Exit(..) => HostError::new(codes::TERMINATED, "the spell called exit"),
                other => super::classify(other),
            };
            if error.is_system_exception() {
                // Limits end the spell even when the host swallows the callback's error.
                session.set_fatal(host.clone());
            }
            session.stash_callback_error(host.clone(), error);
            Err(host)
        }
    }
}

fn spell_ended() -> HostError {
    HostError::new(codes::TERMINATED, "the spell has already ended")
}
