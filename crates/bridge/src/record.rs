//! Records: the declared shape of a configuration map (`AgentConfig`, `LlmRequest`, …).
//!
//! A record is declared once with its fields (name, type, optional, default, doc). Used as a
//! parameter type ([`Type::Record`]), it makes [`Function::validate`](crate::Function::validate)
//! reject unknown keys, missing required keys and values of the wrong type, for every engine;
//! the manifest lists it so that the language server can complete and check its keys and the
//! editor stubs can declare it as a class or interface.

use std::sync::Arc;

use crate::types::Type;
use crate::value::{Map, Value};

/// The shape of a configuration map: a name (how types display it) and its fields.
#[derive(Clone, Debug)]
pub struct Record {
    pub name: &'static str,
    pub doc: &'static str,
    /// In declaration order; errors list the expected keys in this order.
    pub fields: Vec<RecordField>,
}

/// One key of a [`Record`].
#[derive(Clone, Debug)]
pub struct RecordField {
    pub name: &'static str,
    pub ty: Type,
    pub optional: bool,
    /// The value the host uses when the key is omitted (documentation; maps are not filled in).
    pub default: Option<Value>,
    pub doc: &'static str,
}

impl Record {
    /// Starts declaring a record; add fields with [`Record::field`] and [`Record::optional`].
    pub fn new(name: &'static str, doc: &'static str) -> Record {
        Record { name, doc, fields: Vec::new() }
    }

    /// A required key.
    pub fn field(mut self, name: &'static str, ty: Type, doc: &'static str) -> Self {
        self.fields.push(RecordField { name, ty, optional: false, default: None, doc });
        self
    }

    /// An optional key, with the value the host uses when it is omitted.
    pub fn optional(
        mut self,
        name: &'static str,
        ty: Type,
        default: Option<Value>,
        doc: &'static str,
    ) -> Self {
        self.fields.push(RecordField { name, ty, optional: true, default, doc });
        self
    }

    /// The finished declaration as a type.
    pub fn into_type(self) -> Type {
        Type::Record(Arc::new(self))
    }

    pub fn get(&self, name: &str) -> Option<&RecordField> {
        self.fields.iter().find(|field| field.name == name)
    }

    /// The keys, in declaration order.
    pub fn keys(&self) -> Vec<&'static str> {
        self.fields.iter().map(|field| field.name).collect()
    }

    /// Checks a map against the declaration: no unknown key, every required key present
    /// (nil counts as absent), every present value of its field's type.
    pub fn check(&self, map: &Map) -> Result<(), Mismatch> {
        if let Some(key) = map.keys().find(|key| self.get(key).is_none()) {
            return Err(Mismatch::here(Problem::UnknownKey {
                key: key.clone(),
                expected: self.keys(),
            }));
        }
        for field in &self.fields {
            match map.get(field.name) {
                None | Some(Value::Nil) if field.optional => {}
                None | Some(Value::Nil) => return Err(Mismatch::here(Problem::MissingKey(field.name))),
                // An empty Lua table arrives as an empty map; where a list is expected it is one.
                Some(Value::Map(entries)) if entries.is_empty() && field.ty.is_list() => {}
                Some(value) => {
                    field.ty.check(value).map_err(|mismatch| mismatch.inside(Step::Key(field.name)))?
                }
            }
        }
        Ok(())
    }
}

/// Records are identified by name: two declarations of `AgentConfig` are the same type.
impl PartialEq for Record {
    fn eq(&self, other: &Record) -> bool {
        self.name == other.name
    }
}

impl Eq for Record {}

/// Why a value does not fit a type, and where inside it.
#[derive(Clone, Debug, PartialEq)]
pub struct Mismatch {
    /// From the outside in: `steps`, item 2, `on_error`.
    pub path: Vec<Step>,
    pub problem: Problem,
}

/// One step of a [`Mismatch`] path.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// A record key.
    Key(&'static str),
    /// A list item, counted from 1.
    Item(usize),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// A value of the wrong type: the expected type and the value as errors describe it.
    WrongType { expected: Type, got: String },
    /// A key the record does not declare.
    UnknownKey { key: String, expected: Vec<&'static str> },
    /// A required key that is absent or nil.
    MissingKey(&'static str),
}

impl Mismatch {
    pub fn here(problem: Problem) -> Mismatch {
        Mismatch { path: Vec::new(), problem }
    }

    pub fn wrong_type(expected: &Type, value: &Value) -> Mismatch {
        Mismatch::here(Problem::WrongType {
            expected: expected.clone(),
            got: Type::describe_value(value),
        })
    }

    /// The same mismatch seen from one level further out.
    pub fn inside(mut self, step: Step) -> Mismatch {
        self.path.insert(0, step);
        self
    }

    /// The error message for a mismatch in the argument `parameter` of `qualified`:
    /// `agent.create: unknown config key 'colour' (expected name, model, …)`,
    /// `llm.chat: request key 'temperature' expects float, got str "hot"`,
    /// `workflow.sequential: config.steps item 2 expects …, got int 3`.
    pub fn message(&self, qualified: &str, parameter: &str) -> String {
        let place = |steps: &[Step]| {
            let mut place = parameter.to_owned();
            for step in steps {
                match step {
                    Step::Key(key) => {
                        place.push('.');
                        place.push_str(key);
                    }
                    Step::Item(number) => place.push_str(&format!(" item {number}")),
                }
            }
            place
        };
        match &self.problem {
            Problem::UnknownKey { key, expected } => format!(
                "{qualified}: unknown {} key '{key}' (expected {})",
                place(&self.path),
                expected.join(", ")
            ),
            Problem::MissingKey(key) => {
                format!("{qualified}: {} key '{key}' is required", place(&self.path))
            }
            Problem::WrongType { expected, got } => match self.path.split_last() {
                None => format!("{qualified}: parameter '{parameter}' expects {expected}, got {got}"),
                Some((Step::Key(key), outer)) => {
                    format!("{qualified}: {} key '{key}' expects {expected}, got {got}", place(outer))
                }
                Some((Step::Item(number), outer)) => {
                    format!("{qualified}: {} item {number} expects {expected}, got {got}", place(outer))
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::module::{Function, Module};
    use crate::registry::{BuiltinTool, Registry, map_of};

    fn retry() -> Type {
        Record::new("RetryPolicy", "").field("retry", Type::Int, "").into_type()
    }

    fn config() -> Type {
        let step = Record::new("StepConfig", "")
            .field("run", Type::Fn, "")
            .optional("on_error", Type::Union(vec![Type::Str, retry()]), None, "")
            .into_type();
        Record::new("JobConfig", "The job.")
            .field("name", Type::Str, "")
            .optional("limit", Type::Int, Some(Value::Int(8)), "")
            .optional("steps", Type::list(Type::Union(vec![Type::Fn, step])), None, "")
            .into_type()
    }

    fn create() -> Function {
        Function::new("create")
            .param("config", config(), "")
            .returns(Type::Nil, "")
            .sync(|_| Ok(Value::Nil))
    }

    fn error_of(config: Value) -> String {
        create().validate("job.create", None, vec![config]).unwrap_err().message
    }

    #[test]
    fn records_display_by_name_and_accept_maps_of_their_shape() {
        assert_eq!(config().to_string(), "JobConfig");
        assert_eq!(Type::Union(vec![Type::Str, config()]).to_string(), "str | JobConfig");
        assert!(config().accepts(&map_of([("name", Value::from("a")), ("limit", Value::Int(2))])));
        assert!(config().accepts(&map_of([("name", Value::from("a")), ("limit", Value::Nil)])));
        assert!(!config().accepts(&map_of([("limit", Value::Int(2))])));
        assert!(!config().accepts(&Value::Str("a".into())));
        // An empty Lua table arrives as an empty map; a list field takes it.
        assert!(config().accepts(&map_of([("name", Value::from("a")), ("steps", map_of([]))])));
    }

    #[test]
    fn validation_names_the_unknown_missing_or_mistyped_key() {
        assert_eq!(
            error_of(map_of([("name", Value::from("a")), ("colour", Value::Int(1))])),
            "job.create: unknown config key 'colour' (expected name, limit, steps)"
        );
        assert_eq!(error_of(map_of([])), "job.create: config key 'name' is required");
        assert_eq!(
            error_of(map_of([("name", Value::Int(3))])),
            "job.create: config key 'name' expects str, got int 3"
        );
        assert_eq!(error_of(Value::Int(3)), "job.create: parameter 'config' expects JobConfig, got int 3");
    }

    #[test]
    fn nested_records_in_lists_and_unions_report_the_path() {
        let step = |pairs: Value| map_of([("name", Value::from("a")), ("steps", Value::List(vec![pairs]))]);
        assert_eq!(
            error_of(step(map_of([("run", Value::Int(1))]))),
            "job.create: config.steps item 1 key 'run' expects fn, got int 1"
        );
        assert_eq!(
            error_of(step(map_of([("runn", Value::Int(1))]))),
            "job.create: unknown config.steps item 1 key 'runn' (expected run, on_error)"
        );
        assert_eq!(
            error_of(step(Value::Int(4))),
            "job.create: config.steps item 1 expects fn | StepConfig, got int 4"
        );
        assert_eq!(
            error_of(step(map_of([("on_error", map_of([("tries", Value::Int(1))]))]))),
            "job.create: config.steps item 1 key 'run' is required"
        );
    }

    #[test]
    fn the_manifest_lists_reachable_records_once_with_their_fields() {
        let mut registry = Registry::new();
        registry.add_module(Module::new("job", "Jobs.").function(create()));
        registry.add_tool(BuiltinTool {
            name: "echo".into(),
            description: "Says it back.".into(),
            parameters: serde_json::json!({
                "type": "object",
                "properties": { "text": { "type": "string", "description": "What to say." } },
                "required": ["text"],
            }),
        });
        let manifest = registry.manifest();
        assert_eq!(manifest.tools[0].name, "echo");
        assert!(manifest.to_text().contains("  echo(text: string)\n      Says it back."));
        assert!(manifest.to_markdown().contains("| `text` | `string` | What to say. |"));
        let names: Vec<&str> = manifest.records.iter().map(|record| record.name).collect();
        assert_eq!(names, ["JobConfig", "RetryPolicy", "StepConfig"]);
        let job = &manifest.records[0];
        assert_eq!(job.fields[1].name, "limit");
        assert!(job.fields[1].optional);
        assert_eq!(job.fields[1].default, Some(serde_json::json!(8)));
        let json: serde_json::Value = serde_json::from_str(&manifest.to_json()).unwrap();
        assert_eq!(json["modules"][0]["functions"][0]["params"][0]["type"], "JobConfig");
        assert_eq!(json["records"][2]["fields"][1]["type"], "str | RetryPolicy");
        assert!(manifest.to_text().contains("JobConfig (record) — The job.\n  .name: str"));
        assert!(manifest.to_markdown().contains("| `limit?` | `int` | `8` |"));
    }
}
