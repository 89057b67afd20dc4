//! Values across the bridge: JavaScript values to [`Value`] and back, and host errors as
//! JavaScript `Error`s with a `.code`.
//!
//! A number is an `Int` when it is integral and within ±2^53, else a `Float`. Objects become
//! maps of their own enumerable string keys (inherited properties, even polluted ones, never
//! leak into a map); arrays become lists; functions become callables; host-object handles
//! become the very `Object` they stand for.

use std::rc::Rc;

use llmspell_bridge::{HostError, Map, Value, codes};
use rquickjs::object::{Filter, Property};
use rquickjs::{Array, Ctx, Exception, Object, Type, Value as JsValue, qjs};

use super::bind;
use super::state::State;

/// How deep values may nest (deeper usually means a cycle).
const MAX_DEPTH: usize = 128;
/// The largest integer a JavaScript number holds exactly.
const MAX_SAFE: f64 = 9_007_199_254_740_992.0;

/// Converts a script value for the host.
pub(super) fn to_value<'js>(ctx: &Ctx<'js>, state: &State, value: &JsValue<'js>) -> Result<Value, HostError> {
    to_value_at(ctx, state, value, 0)
}

fn to_value_at<'js>(ctx: &Ctx<'js>, state: &State, value: &JsValue<'js>, depth: usize) -> Result<Value, HostError> {
    if depth > MAX_DEPTH {
        return Err(HostError::invalid_argument(format!(
            "a value nested more than {MAX_DEPTH} levels deep (or a cycle) cannot be passed to the host"
        )));
    }
    Ok(match value.type_of() {
        Type::Uninitialized | Type::Undefined | Type::Null => Value::Nil,
        Type::Bool => Value::Bool(value.as_bool().unwrap_or(false)),
        Type::Int => Value::Int(i64::from(value.as_int().unwrap_or(0))),
        Type::Float => number(value.as_float().unwrap_or(f64::NAN)),
        Type::String => Value::Str(string_of(ctx, value)),
        Type::BigInt => {
            // Only BigInts that fit in 64 bits: their decimal text parses as an i64.
            let text = display(ctx, value);
            match text.parse::<i64>() {
                Ok(number) => Value::Int(number),
                Err(_) => {
                    return Err(HostError::invalid_argument(
                        "a BigInt outside the 64-bit range cannot be passed to the host",
                    ));
                }
            }
        }
        Type::Symbol => return Err(HostError::invalid_argument("a Symbol cannot be passed to the host")),
        Type::Promise => {
            return Err(HostError::invalid_argument("a Promise cannot be passed to the host: await it first"));
        }
        Type::Function | Type::Constructor => {
            let function =
                value.as_function().cloned().ok_or_else(|| HostError::internal("a function that is not one"))?;
            if let Some(callable) = bind::host_callable_of(state, &function) {
                return Ok(Value::Callable(callable));
            }
            Value::Callable(state.register_callable(ctx, function))
        }
        Type::Array => {
            let array = value.as_array().ok_or_else(|| HostError::internal("an array that is not one"))?;
            let mut list = Vec::with_capacity(array.len());
            for index in 0..array.len() {
                let item: JsValue<'js> = array.get(index).map_err(|error| caught(ctx, state, error))?;
                list.push(to_value_at(ctx, state, &item, depth + 1)?);
            }
            Value::List(list)
        }
        Type::Object | Type::Exception | Type::Proxy => {
            let object = value.as_object().ok_or_else(|| HostError::internal("an object that is not one"))?;
            if let Some(host) = bind::host_object_of(state, object) {
                return Ok(Value::Object(host));
            }
            let mut map = Map::new();
            if object.is_error() {
                // Errors keep their message (not enumerable) next to their own fields.
                if let Some(message) = read::<String>(ctx, object, "message") {
                    map.insert("message".to_owned(), Value::Str(message));
                }
            }
            for key in object.keys::<String>() {
                let key = key.map_err(|error| caught(ctx, state, error))?;
                let item: JsValue<'js> = object.get(key.as_str()).map_err(|error| caught(ctx, state, error))?;
                let item = to_value_at(ctx, state, &item, depth + 1)?;
                map.insert(key, item);
            }
            Value::Map(map)
        }
        Type::Module | Type::Unknown => {
            return Err(HostError::invalid_argument(format!("a {} cannot be passed to the host", value.type_name())));
        }
    })
}

/// A JavaScript number as an `Int` when integral and within ±2^53, else a `Float`.
pub(super) fn number(number: f64) -> Value {
    if number.fract() == 0.0 && number.abs() <= MAX_SAFE { Value::Int(number as i64) } else { Value::Float(number) }
}

/// A JavaScript string as UTF-8; lone surrogates become U+FFFD.
pub(super) fn string_of<'js>(ctx: &Ctx<'js>, value: &JsValue<'js>) -> String {
    let Some(string) = value.as_string() else {
        return String::new();
    };
    if let Ok(text) = string.to_string() {
        return text;
    }
    let mut length = 0;
    // SAFETY: `value` is a live string of this context; the C string is freed right after
    // it is copied.
    unsafe {
        let pointer = qjs::JS_ToCStringLen(ctx.as_raw().as_ptr(), &mut length, value.as_raw());
        if pointer.is_null() {
            return String::new();
        }
        let bytes = std::slice::from_raw_parts(pointer.cast::<u8>(), length);
        let text = String::from_utf8_lossy(bytes).into_owned();
        qjs::JS_FreeCString(ctx.as_raw().as_ptr(), pointer);
        text
    }
}

/// Converts a host value for the script.
pub(super) fn to_js<'js>(ctx: &Ctx<'js>, state: &Rc<State>, value: Value) -> rquickjs::Result<JsValue<'js>> {
    Ok(match value {
        Value::Nil => JsValue::new_null(ctx.clone()),
        Value::Bool(flag) => JsValue::new_bool(ctx.clone(), flag),
        Value::Int(number) => match i32::try_from(number) {
            Ok(small) => JsValue::new_int(ctx.clone(), small),
            Err(_) => JsValue::new_float(ctx.clone(), number as f64),
        },
        Value::Float(number) => JsValue::new_float(ctx.clone(), number),
        Value::Str(text) => rquickjs::String::from_str(ctx.clone(), &text)?.into_value(),
        Value::List(list) => {
            let array = Array::new(ctx.clone())?;
            for (index, item) in list.into_iter().enumerate() {
                array.set(index, to_js(ctx, state, item)?)?;
            }
            array.into_value()
        }
        Value::Map(map) => {
            let object = Object::new(ctx.clone())?;
            for (key, item) in map {
                let item = to_js(ctx, state, item)?;
                if key == "__proto__" {
                    // A plain `set` would replace the prototype.
                    object.prop(key.as_str(), Property::from(item).writable().enumerable().configurable())?;
                } else {
                    object.set(key.as_str(), item)?;
                }
            }
            object.into_value()
        }
        Value::Object(object) => bind::host_handle(ctx, state, object)?.into_value(),
        Value::Callable(callable) => bind::callable_to_js(ctx, state, callable)?.into_value(),
    })
}

/// A JavaScript `Error` carrying a host error's `code` and `message`. Errors that end the
/// spell (limits, termination) are made uncatchable.
pub(super) fn host_error_object<'js>(ctx: &Ctx<'js>, error: &HostError, fatal: bool) -> rquickjs::Result<Object<'js>> {
    let object = Exception::from_message(ctx.clone(), &error.message)?.into_object();
    object.set("code", error.code.as_str())?;
    if fatal {
        make_uncatchable(ctx, &object);
    }
    Ok(object)
}

/// Marks an `Error` so `catch` and `finally` cannot intercept it.
pub(super) fn make_uncatchable<'js>(ctx: &Ctx<'js>, object: &Object<'js>) {
    // SAFETY: `object` is a live value of this context; the call only flips a flag on it.
    unsafe { qjs::JS_SetUncatchableError(ctx.as_raw().as_ptr(), object.as_raw()) }
}

/// Throws a host error as a catchable `Error` (used where no spell state is at hand).
pub(super) fn throw_host_error<'js>(ctx: &Ctx<'js>, error: &HostError) -> rquickjs::Error {
    match host_error_object(ctx, error, false) {
        Ok(object) => ctx.throw(object.into_value()),
        Err(error) => error,
    }
}

/// Turns an rquickjs error met while converting into a host error (taking any pending
/// exception off the context).
pub(super) fn caught<'js>(ctx: &Ctx<'js>, state: &State, error: rquickjs::Error) -> HostError {
    if let Some(fatal) = state.guards.check() {
        if error.is_exception() {
            let _ = ctx.catch();
        }
        return fatal;
    }
    if error.is_exception() {
        let value = ctx.catch();
        let info = ErrorInfo::of(ctx, &value);
        return HostError::new(info.code.unwrap_or_else(|| codes::RUNTIME.to_owned()), info.message);
    }
    HostError::internal(error.to_string())
}

/// What the engine reads from a thrown value.
#[derive(Debug, Default)]
pub(super) struct ErrorInfo {
    /// A string `code` the value carries as its own property.
    pub code: Option<String>,
    pub message: String,
    /// `Error`, `TypeError`, … for error objects.
    pub name: Option<String>,
    pub stack: Option<String>,
}

impl ErrorInfo {
    pub fn of<'js>(ctx: &Ctx<'js>, value: &JsValue<'js>) -> ErrorInfo {
        let mut info = ErrorInfo::default();
        if let Some(object) = value.as_object() {
            let has_own_code = object.own_keys::<String>(Filter::new().string()).flatten().any(|name| name == "code");
            if has_own_code {
                info.code = read::<String>(ctx, object, "code");
            }
            let message = read::<rquickjs::Coerced<String>>(ctx, object, "message").map(|text| text.0);
            if object.is_error() {
                info.name = read::<String>(ctx, object, "name");
                info.stack = read::<String>(ctx, object, "stack");
                info.message = message.unwrap_or_default();
            } else {
                info.message = match message {
                    Some(message) => message,
                    None => display(ctx, value),
                };
            }
        } else if value.is_string() {
            info.message = string_of(ctx, value);
        } else {
            info.message = display(ctx, value);
        }
        info
    }

    /// The message a spell error shows: `TypeError: x` for the built-in error kinds, the
    /// bare message for `Error` and for errors with a code.
    pub fn headline(&self) -> String {
        match &self.name {
            Some(name) if self.code.is_none() && name != "Error" && !name.is_empty() => {
                format!("{name}: {}", self.message)
            }
            _ => self.message.clone(),
        }
    }
}

/// A property as a `T`, if it is one; a getter that throws leaves no exception behind.
pub(super) fn read<'js, T: rquickjs::FromJs<'js>>(ctx: &Ctx<'js>, object: &Object<'js>, key: &str) -> Option<T> {
    match object.get::<_, Option<T>>(key) {
        Ok(value) => value,
        Err(error) => {
            if error.is_exception() {
                let _ = ctx.catch();
            }
            None
        }
    }
}

/// `String(value)`, or a placeholder when even that throws.
fn display<'js>(ctx: &Ctx<'js>, value: &JsValue<'js>) -> String {
    match value.type_of() {
        Type::Undefined | Type::Uninitialized => "undefined".to_owned(),
        Type::Null => "null".to_owned(),
        _ => match rquickjs::Coerced::<String>::from_js(ctx, value.clone()) {
            Ok(text) => text.0,
            Err(_) => {
                let _ = ctx.catch();
                format!("<{}>", value.type_name())
            }
        },
    }
}

use rquickjs::FromJs as _;
