//! The value model shared by every engine and every host module.
//!
//! A [`Value`] is what crosses the bridge: engines convert their own values
//! into it before a host call and back after it. Maps have string keys and are
//! kept sorted, so iteration and serialisation are identical in every engine.

use std::any::Any;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::error::HostError;

/// A map with string keys, iterated in sorted order.
pub type Map = BTreeMap<String, Value>;

/// A value crossing the bridge between a script and the host.
#[derive(Clone, Default)]
pub enum Value {
    /// `nil` in Lua, `null`/`undefined` in JavaScript, `()` in Rhai.
    #[default]
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Value>),
    Map(Map),
    /// A host object (Agent, State, Tool, Workflow, …) with methods declared in the manifest.
    Object(Object),
    /// A script function the host may call back.
    Callable(Callable),
}

impl Value {
    /// The name of this value's type as the manifest spells it (`str`, `int`, `State`, …).
    pub fn type_name(&self) -> &str {
        match self {
            Value::Nil => "nil",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::List(_) => "list",
            Value::Map(_) => "map",
            Value::Object(object) => object.type_name(),
            Value::Callable(_) => "fn",
        }
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(number) => Some(*number),
            _ => None,
        }
    }

    /// The value as a float; integers widen.
    pub fn as_float(&self) -> Option<f64> {
        match self {
            Value::Int(number) => Some(*number as f64),
            Value::Float(number) => Some(*number),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(flag) => Some(*flag),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(map) => Some(map),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(list) => Some(list),
            _ => None,
        }
    }

    /// A list, or an empty map read as the empty list: an empty Lua table arrives as an empty
    /// map, and a record's list field accepts it (see [`Record::check`](crate::Record::check)).
    pub fn as_list_or_empty(&self) -> Option<&[Value]> {
        match self {
            Value::List(list) => Some(list),
            Value::Map(map) if map.is_empty() => Some(&[]),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Value::Object(object) => Some(object),
            _ => None,
        }
    }

    pub fn as_callable(&self) -> Option<&Callable> {
        match self {
            Value::Callable(callable) => Some(callable),
            _ => None,
        }
    }

    /// Truthiness as Lua defines it: only `nil` and `false` are false.
    pub fn is_truthy(&self) -> bool {
        !matches!(self, Value::Nil | Value::Bool(false))
    }

    /// Converts to JSON. Host objects serialise through [`HostObject::to_value`] when they
    /// have a plain form; callables and objects without one are an `invalid_argument` error.
    pub fn to_json(&self) -> Result<serde_json::Value, HostError> {
        Ok(match self {
            Value::Nil => serde_json::Value::Null,
            Value::Bool(flag) => serde_json::Value::Bool(*flag),
            Value::Int(number) => serde_json::Value::from(*number),
            Value::Float(number) => match serde_json::Number::from_f64(*number) {
                Some(number) => serde_json::Value::Number(number),
                None => {
                    return Err(HostError::invalid_argument(format!(
                        "cannot encode {number} as JSON"
                    )));
                }
            },
            Value::Str(text) => serde_json::Value::String(text.clone()),
            Value::List(list) => {
                serde_json::Value::Array(list.iter().map(Value::to_json).collect::<Result<_, _>>()?)
            }
            Value::Map(map) => serde_json::Value::Object(
                map.iter()
                    .map(|(key, value)| Ok((key.clone(), value.to_json()?)))
                    .collect::<Result<_, HostError>>()?,
            ),
            Value::Object(object) => match object.0.to_value() {
                Some(plain) => plain.to_json()?,
                None => {
                    return Err(HostError::invalid_argument(format!(
                        "cannot encode a {} as JSON",
                        object.type_name()
                    )));
                }
            },
            Value::Callable(_) => {
                return Err(HostError::invalid_argument("cannot encode a function as JSON"));
            }
        })
    }

    /// Converts from JSON. Integral numbers become `Int`, others `Float`.
    pub fn from_json(json: serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(flag) => Value::Bool(flag),
            serde_json::Value::Number(number) => match number.as_i64() {
                Some(int) => Value::Int(int),
                None => Value::Float(number.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(text) => Value::Str(text),
            serde_json::Value::Array(list) => {
                Value::List(list.into_iter().map(Value::from_json).collect())
            }
            serde_json::Value::Object(map) => Value::Map(
                map.into_iter().map(|(key, value)| (key, Value::from_json(value))).collect(),
            ),
        }
    }

    /// The canonical text of a value, as `print` writes it in every engine.
    ///
    /// Strings are written as they are; `nil` as `nil`; integral floats keep a `.0`;
    /// lists and maps as compact JSON with sorted keys; host objects as `<Type name>`.
    pub fn to_display(&self) -> String {
        let mut out = String::new();
        self.write_display(&mut out, true);
        out
    }

    fn write_display(&self, out: &mut String, top: bool) {
        use std::fmt::Write as _;
        match self {
            Value::Nil => out.push_str(if top { "nil" } else { "null" }),
            Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
            Value::Int(number) => {
                let _ = write!(out, "{number}");
            }
            Value::Float(number) => out.push_str(&format_float(*number)),
            Value::Str(text) if top => out.push_str(text),
            Value::Str(text) => {
                out.push_str(&serde_json::Value::String(text.clone()).to_string());
            }
            Value::List(list) => {
                out.push('[');
                for (index, item) in list.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    item.write_display(out, false);
                }
                out.push(']');
            }
            Value::Map(map) => {
                out.push('{');
                for (index, (key, item)) in map.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::String(key.clone()).to_string());
                    out.push(':');
                    item.write_display(out, false);
                }
                out.push('}');
            }
            Value::Object(object) => {
                if top {
                    out.push_str(&object.0.display())
                } else {
                    out.push_str(&serde_json::Value::String(object.0.display()).to_string())
                }
            }
            Value::Callable(callable) => {
                let text = format!("<function {}>", callable.name().unwrap_or("anonymous"));
                if top {
                    out.push_str(&text)
                } else {
                    out.push_str(&serde_json::Value::String(text).to_string())
                }
            }
        }
    }
}

/// Formats a float the same way in every engine: shortest round-trip digits,
/// a `.0` suffix for integral values, `nan`, `inf`, `-inf`.
pub fn format_float(number: f64) -> String {
    if number.is_nan() {
        "nan".to_owned()
    } else if number.is_infinite() {
        if number > 0.0 { "inf".to_owned() } else { "-inf".to_owned() }
    } else if number.fract() == 0.0 && number.abs() < 1e16 {
        format!("{number:.1}")
    } else {
        format!("{number}")
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            (Value::Map(a), Value::Map(b)) => a == b,
            (Value::Object(a), Value::Object(b)) => Arc::ptr_eq(&a.0, &b.0),
            (Value::Callable(a), Value::Callable(b)) => Arc::ptr_eq(&a.0, &b.0),
            _ => false,
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => write!(f, "nil"),
            Value::Bool(flag) => write!(f, "{flag}"),
            Value::Int(number) => write!(f, "{number}"),
            Value::Float(number) => write!(f, "{}", format_float(*number)),
            Value::Str(text) => write!(f, "{text:?}"),
            Value::List(list) => f.debug_list().entries(list).finish(),
            Value::Map(map) => f.debug_map().entries(map).finish(),
            Value::Object(object) => write!(f, "{}", object.0.display()),
            Value::Callable(callable) => {
                write!(f, "<function {}>", callable.name().unwrap_or("anonymous"))
            }
        }
    }
}

impl From<bool> for Value {
    fn from(flag: bool) -> Self {
        Value::Bool(flag)
    }
}
impl From<i64> for Value {
    fn from(number: i64) -> Self {
        Value::Int(number)
    }
}
impl From<f64> for Value {
    fn from(number: f64) -> Self {
        Value::Float(number)
    }
}
impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::Str(text.to_owned())
    }
}
impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::Str(text)
    }
}
impl From<Vec<Value>> for Value {
    fn from(list: Vec<Value>) -> Self {
        Value::List(list)
    }
}
impl From<Map> for Value {
    fn from(map: Map) -> Self {
        Value::Map(map)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(option: Option<T>) -> Self {
        option.map_or(Value::Nil, Into::into)
    }
}

/// A host object: Rust state with methods declared in the manifest under [`HostObject::type_name`].
pub trait HostObject: Send + Sync + 'static {
    /// The manifest type this object belongs to (`State`, `Agent`, …).
    fn type_name(&self) -> &'static str;
    /// A field readable from scripts (`agent.name`), if it exists.
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    /// The plain value this object stands for, used by `json.encode` and `print`.
    fn to_value(&self) -> Option<Value> {
        None
    }
    /// How `print` and the debugger show this object.
    fn display(&self) -> String {
        match self.to_value() {
            Some(value) => format!("<{} {}>", self.type_name(), value.to_display()),
            None => format!("<{}>", self.type_name()),
        }
    }
    fn as_any(&self) -> &dyn Any;
}

/// A shared handle to a host object.
#[derive(Clone)]
pub struct Object(pub Arc<dyn HostObject>);

impl Object {
    pub fn new(object: impl HostObject) -> Object {
        Object(Arc::new(object))
    }
    pub fn type_name(&self) -> &'static str {
        self.0.type_name()
    }
    /// The concrete object, when it is a `T`.
    pub fn downcast<T: HostObject>(&self) -> Option<&T> {
        self.0.as_any().downcast_ref::<T>()
    }
}

/// A script function that host code may call back.
///
/// Engines implement [`ScriptFunction`]; the call always runs on the spell's own thread:
/// directly when the caller is already on it, otherwise marshalled to it.
#[derive(Clone)]
pub struct Callable(pub Arc<dyn ScriptFunction>);

/// The engine side of a [`Callable`].
pub trait ScriptFunction: Send + Sync + 'static {
    /// Calls the function with `args` and returns its result; blocks the caller until then.
    fn call(&self, args: Vec<Value>) -> Result<Value, HostError>;
    /// The function's name in the script, when it has one.
    fn name(&self) -> Option<&str> {
        None
    }
}

impl Callable {
    pub fn new(function: impl ScriptFunction) -> Callable {
        Callable(Arc::new(function))
    }
    pub fn call(&self, args: Vec<Value>) -> Result<Value, HostError> {
        self.0.call(args)
    }
    pub fn name(&self) -> Option<&str> {
        self.0.name()
    }
}

/// A callable backed by a Rust closure, for tests and host-made functions.
pub struct RustFunction<F>(pub F);

impl<F> ScriptFunction for RustFunction<F>
where
    F: Fn(Vec<Value>) -> Result<Value, HostError> + Send + Sync + 'static,
{
    fn call(&self, args: Vec<Value>) -> Result<Value, HostError> {
        (self.0)(args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_canonical() {
        let mut map = Map::new();
        map.insert("b".into(), Value::Float(1.0));
        map.insert("a".into(), Value::List(vec![Value::Nil, Value::Str("x\"y".into())]));
        assert_eq!(Value::Map(map).to_display(), r#"{"a":[null,"x\"y"],"b":1.0}"#);
        assert_eq!(Value::Nil.to_display(), "nil");
        assert_eq!(Value::Float(0.1).to_display(), "0.1");
        assert_eq!(Value::Float(-2.5e20).to_display(), "-250000000000000000000");
        assert_eq!(Value::Int(-7).to_display(), "-7");
    }

    #[test]
    fn json_round_trip_keeps_ints_and_floats_apart() {
        let value = Value::from_json(serde_json::json!({"i": 3, "f": 3.5, "n": null, "l": [1, "é"]}));
        let back = value.to_json().unwrap();
        assert_eq!(back, serde_json::json!({"f": 3.5, "i": 3, "l": [1, "é"], "n": null}));
        assert_eq!(value.as_map().unwrap()["i"], Value::Int(3));
    }
}
