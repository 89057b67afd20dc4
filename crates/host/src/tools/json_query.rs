//! `json_query`: picks values out of a JSON value with a dotted path (not full JSONPath).
//!
//! Path syntax: keys separated by dots (`user.name`), list indexes in brackets or as a key
//! (`items[0]`, `items.0`; negative indexes count from the end: `items[-1]`), `*` for every
//! element of a list or every value of a map (`items[*].name`, `items.*.name`), quoted keys
//! for keys with dots (`["a.b"]`), and an optional leading `$`. The empty path (or `$`) is the
//! whole value. A wildcard makes the result a list; a missing key or index gives nil.

use futures::FutureExt;
use llmspell_bridge::{HostError, Map, Value};
use serde_json::json;

use super::{BuiltinDecl, arg_str};

pub(super) const TOOL: BuiltinDecl = (
    "json_query",
    "Picks values out of JSON with a dotted path: `user.name`, `items[0]`, `items[-1]`, \
     `items[*].name` (`*` collects a list), `[\"key.with.dots\"]`, optional leading `$`. Give \
     the value as `data` (any JSON value) or as `json` (JSON text). Missing paths give null.",
    || {
        json!({
            "type": "object",
            "properties": {
                "data": {"description": "The value to query."},
                "json": {"type": "string", "description": "The value to query, as JSON text."},
                "path": {"type": "string", "description": "The dotted path, e.g. `items[0].name`."}
            },
            "required": ["path"],
            "additionalProperties": false
        })
    },
    |_context, args| async move { run(&args) }.boxed(),
);

fn run(args: &Map) -> Result<Value, HostError> {
    let path = arg_str(args, "path").unwrap_or_default();
    let data = match (args.get("data"), arg_str(args, "json")) {
        (Some(_), Some(_)) => {
            return Err(HostError::invalid_argument(
                "give `data` or `json`, not both",
            ));
        }
        (_, Some(text)) => Value::from_json(serde_json::from_str(text).map_err(|error| {
            HostError::invalid_argument(format!("`json` is not JSON: {error}"))
        })?),
        (Some(data), None) => data.clone(),
        (None, None) => return Err(HostError::invalid_argument("give `data` or `json`")),
    };
    query(&data, path)
}

/// One step of a path.
#[derive(Debug, PartialEq)]
enum Step {
    Key(String),
    Index(i64),
    All,
}

/// Evaluates `path` against `data`.
pub(crate) fn query(data: &Value, path: &str) -> Result<Value, HostError> {
    let steps = parse(path)?;
    let wildcard = steps.contains(&Step::All);
    let mut current = vec![data.clone()];
    for step in &steps {
        let mut next = Vec::new();
        for value in current {
            match step {
                Step::All => match value {
                    Value::List(items) => next.extend(items),
                    Value::Map(map) => next.extend(map.into_values()),
                    _ => {}
                },
                Step::Key(key) => match &value {
                    Value::Map(map) => next.push(map.get(key).cloned().unwrap_or_default()),
                    Value::List(items) => next.push(
                        key.parse::<i64>()
                            .ok()
                            .and_then(|index| element(items, index))
                            .unwrap_or_default(),
                    ),
                    _ => next.push(Value::Nil),
                },
                Step::Index(index) => match &value {
                    Value::List(items) => next.push(element(items, *index).unwrap_or_default()),
                    _ => next.push(Value::Nil),
                },
            }
        }
        current = next;
    }
    if wildcard {
        Ok(Value::List(
            current
                .into_iter()
                .filter(|value| !value.is_nil())
                .collect(),
        ))
    } else {
        Ok(current.into_iter().next().unwrap_or_default())
    }
}

fn element(items: &[Value], index: i64) -> Option<Value> {
    let position = if index < 0 {
        items.len() as i64 + index
    } else {
        index
    };
    usize::try_from(position)
        .ok()
        .and_then(|position| items.get(position).cloned())
}

fn parse(path: &str) -> Result<Vec<Step>, HostError> {
    let bad = |why: &str| HostError::invalid_argument(format!("bad path '{path}': {why}"));
    let mut rest = path.trim();
    rest = rest.strip_prefix('$').unwrap_or(rest);
    let mut steps = Vec::new();
    let mut first = true;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let end = if after.starts_with('"') || after.starts_with('\'') {
                let quote = after.chars().next().unwrap_or('"');
                let close = after[1..]
                    .find(quote)
                    .ok_or_else(|| bad("unclosed quote"))?
                    + 1;
                steps.push(Step::Key(after[1..close].to_owned()));
                if !after[close + 1..].starts_with(']') {
                    return Err(bad("expected ']' after a quoted key"));
                }
                close + 2
            } else {
                let close = after.find(']').ok_or_else(|| bad("unclosed '['"))?;
                let inner = after[..close].trim();
                if inner == "*" {
                    steps.push(Step::All);
                } else {
                    let index = inner
                        .parse::<i64>()
                        .map_err(|_| bad("an index must be an integer or *"))?;
                    steps.push(Step::Index(index));
                }
                close + 1
            };
            rest = &after[end..];
        } else {
            if !first {
                rest = rest
                    .strip_prefix('.')
                    .ok_or_else(|| bad("expected '.' or '['"))?;
            } else {
                rest = rest.strip_prefix('.').unwrap_or(rest);
            }
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            let key = &rest[..end];
            if key.is_empty() {
                return Err(bad("empty key"));
            }
            steps.push(if key == "*" {
                Step::All
            } else {
                Step::Key(key.to_owned())
            });
            rest = &rest[end..];
        }
        first = false;
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Value {
        Value::from_json(json!({
            "user": {"name": "Ada", "tags": ["x", "y", "z"]},
            "items": [{"name": "a", "n": 1}, {"name": "b", "n": 2}],
            "a.b": 5
        }))
    }

    #[test]
    fn dotted_paths_indexes_and_wildcards() {
        let data = data();
        let q = |path: &str| query(&data, path).unwrap().to_display();
        assert_eq!(q("user.name"), "Ada");
        assert_eq!(q("$.user.tags[1]"), "y");
        assert_eq!(q("user.tags.0"), "x");
        assert_eq!(q("user.tags[-1]"), "z");
        assert_eq!(q("items[*].name"), r#"["a","b"]"#);
        assert_eq!(q("items.*.n"), "[1,2]");
        assert_eq!(q(r#"["a.b"]"#), "5");
        assert_eq!(q("user.missing"), "nil");
        assert_eq!(q("items[9].name"), "nil");
        assert_eq!(q("$"), data.to_display());
        assert_eq!(q(""), data.to_display());
    }

    #[test]
    fn malformed_paths_are_invalid() {
        for path in ["items[", "items[x]", "a..b", "[\"a]"] {
            let error = query(&data(), path).unwrap_err();
            assert_eq!(error.code, "invalid_argument", "{path}");
        }
    }
}
