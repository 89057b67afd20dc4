//! The small type language of the manifest: `str`, `int`, `list<str>`, `str | map`, `State`, `fn`, …

use std::fmt;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::record::{Mismatch, Problem, Record, Step};
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
    /// Any host object (a workflow step may be any object with a runner).
    AnyObject,
    /// One of several types.
    Union(Vec<Type>),
    /// A map of a declared shape (`AgentConfig`), displayed by its name.
    Record(Arc<Record>),
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
            (Type::AnyObject, Value::Object(_)) => true,
            (Type::Union(types), value) => types.iter().any(|item| item.accepts(value)),
            (Type::Record(record), Value::Map(map)) => record.check(map).is_ok(),
            _ => false,
        }
    }

    /// Like [`Type::accepts`], but says what does not fit and where: inside records (and
    /// lists or unions of them) the mismatch names the key or item.
    pub fn check(&self, value: &Value) -> Result<(), Mismatch> {
        match (self, value) {
            (Type::Record(record), Value::Map(map)) => record.check(map),
            (Type::List(item), Value::List(list)) if item.has_record() => {
                for (index, value) in list.iter().enumerate() {
                    item.check(value).map_err(|mismatch| mismatch.inside(Step::Item(index + 1)))?;
                }
                Ok(())
            }
            (Type::Union(types), value) => {
                if types.iter().any(|item| item.accepts(value)) {
                    return Ok(());
                }
                // A map meant as the one record of the union gets that record's detailed error.
                let mut records = types.iter().filter(|item| matches!(item, Type::Record(_)));
                if let (Value::Map(_), Some(record), None) = (value, records.next(), records.next()) {
                    let mismatch = record.check(value);
                    if let Err(Mismatch { problem: Problem::WrongType { .. }, ref path }) = mismatch
                        && path.is_empty()
                    {
                        return Err(Mismatch::wrong_type(self, value));
                    }
                    return mismatch;
                }
                Err(Mismatch::wrong_type(self, value))
            }
            (ty, value) if ty.accepts(value) => Ok(()),
            (ty, value) => Err(Mismatch::wrong_type(ty, value)),
        }
    }

    /// Whether a record appears in this type (directly, in a list or in a union).
    pub fn has_record(&self) -> bool {
        match self {
            Type::Record(_) => true,
            Type::List(item) => item.has_record(),
            Type::Union(types) => types.iter().any(Type::has_record),
            _ => false,
        }
    }

    /// Whether every value of this type is a list.
    pub fn is_list(&self) -> bool {
        match self {
            Type::List(_) => true,
            Type::Union(types) => !types.is_empty() && types.iter().all(Type::is_list),
            _ => false,
        }
    }

    /// Every record this type mentions (directly, in lists and unions, and inside records),
    /// each once, in first-seen order.
    pub fn records(&self) -> Vec<Arc<Record>> {
        let mut found = Vec::new();
        self.collect_records(&mut found);
        found
    }

    fn collect_records(&self, found: &mut Vec<Arc<Record>>) {
        match self {
            Type::Record(record) => {
                if found.iter().any(|seen| seen.name == record.name) {
                    return;
                }
                found.push(record.clone());
                for field in &record.fields {
                    field.ty.collect_records(found);
                }
            }
            Type::List(item) => item.collect_records(found),
            Type::Union(types) => types.iter().for_each(|item| item.collect_records(found)),
            _ => {}
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
            Type::AnyObject => write!(f, "object"),
            Type::Record(record) => write!(f, "{}", record.name),
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
