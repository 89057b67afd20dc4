//! The small type language of the manifest: `str`, `int`, `list<str>`, `str | map`, `State`, `fn`, …

use std::fmt;

use serde::{Serialize, Serializer};

use crate::value::Value;

/// A parameter, field or return type as the manifest declares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type {
    Any,
    Nil,
    Bool,
    Int,
    /// Any number; integers are accepted.
    Float,
    Str,
    List(Box<Type>),
    Map,
    Fn,
    /// A host object type by name (`State`, `Agent`, …).
    Object(&'static str),
    /// One of several types.
    Union(Vec<Type>),
}

impl Type {
    pub fn list(item: Type) -> Type {
        Type::List(Box::new(item))
    }

    /// Whether `value` is acceptable where this type is expected.
    pub fn accepts(&self, value: &Value) -> bool {
        match (self, value) {
            (Type::Any, _) => true,
            (Type::Nil, Value::Nil) => true,
            (Type::Bool, Value::Bool(_)) => true,
            (Type::Int, Value::Int(_)) => true,
            (Type::Int, Value::Float(number)) => number.fract() == 0.0 && number.is_finite(),
            (Type::Float, Value::Int(_) | Value::Float(_)) => true,
            (Type::Str, Value::Str(_)) => true,
            (Type::List(item), Value::List(list)) => list.iter().all(|value| item.accepts(value)),
            (Type::Map, Value::Map(_)) => true,
            (Type::Fn, Value::Callable(_)) => true,
            (Type::Object(name), Value::Object(object)) => object.type_name() == *name,
            (Type::Union(types), value) => types.iter().any(|item| item.accepts(value)),
            _ => false,
        }
    }

    /// How a value of unexpected type is described in an error (`str "abc"`, `int 3`, `map`).
    pub fn describe_value(value: &Value) -> String {
        match value {
            Value::Str(text) if text.chars().count() <= 24 => format!("str {text:?}"),
            Value::Int(number) => format!("int {number}"),
            Value::Float(number) => format!("float {}", crate::value::format_float(*number)),
            Value::Bool(flag) => format!("bool {flag}"),
            other => other.type_name().to_owned(),
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Any => write!(f, "any"),
            Type::Nil => write!(f, "nil"),
            Type::Bool => write!(f, "bool"),
            Type::Int => write!(f, "int"),
            Type::Float => write!(f, "float"),
            Type::Str => write!(f, "str"),
            Type::List(item) if **item == Type::Any => write!(f, "list"),
            Type::List(item) => write!(f, "list<{item}>"),
            Type::Map => write!(f, "map"),
            Type::Fn => write!(f, "fn"),
            Type::Object(name) => write!(f, "{name}"),
            Type::Union(types) => {
                for (index, item) in types.iter().enumerate() {
                    if index > 0 {
                        write!(f, " | ")?;
                    }
                    write!(f, "{item}")?;
                }
                Ok(())
            }
        }
    }
}

impl Serialize for Type {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_accepts() {
        let ty = Type::Union(vec![Type::Str, Type::list(Type::Int)]);
        assert_eq!(ty.to_string(), "str | list<int>");
        assert!(ty.accepts(&Value::List(vec![Value::Int(1)])));
        assert!(!ty.accepts(&Value::List(vec![Value::Str("x".into())])));
        assert!(Type::Float.accepts(&Value::Int(2)));
        assert!(!Type::Int.accepts(&Value::Float(2.5)));
    }
}
