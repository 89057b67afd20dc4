//! The registry of host modules and object types, and the manifest derived from it.
//!
//! The manifest (`llmspell api --json`) is the contract between the runtime and the tooling:
//! the language server, the generated API reference and the editor stubs all read it.

use std::fmt::Write as _;
use std::sync::Arc;

use serde::Serialize;

use crate::module::{Field, Function, Module, ModuleKind, ObjectType, Param};
use crate::record::{Record, RecordField};
use crate::types::Type;
use crate::value::Value;

/// Every host module and object type a spell can see.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    pub modules: Vec<Module>,
    pub types: Vec<ObjectType>,
    /// The tools built into the host (`calculator`, `file_read`, …), for the manifest.
    pub tools: Vec<BuiltinTool>,
}

/// A tool built into the host, as `tools.list()` describes it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BuiltinTool {
    pub name: String,
    pub description: String,
    /// The JSON Schema of its arguments (an object schema).
    pub parameters: serde_json::Value,
}

impl Registry {
    pub fn new() -> Registry {
        Registry::default()
    }
    pub fn add_module(&mut self, module: Module) -> &mut Self {
        self.modules.retain(|existing| existing.name != module.name);
        self.modules.push(module);
        self
    }
    pub fn add_type(&mut self, object_type: ObjectType) -> &mut Self {
        self.types.retain(|existing| existing.name != object_type.name);
        self.types.push(object_type);
        self
    }
    /// Adds (or replaces, by name) a built-in tool.
    pub fn add_tool(&mut self, tool: BuiltinTool) -> &mut Self {
        self.tools.retain(|existing| existing.name != tool.name);
        self.tools.push(tool);
        self
    }
    pub fn module(&self, name: &str) -> Option<&Module> {
        self.modules.iter().find(|module| module.name == name || module.aliases.contains(&name))
    }
    pub fn object_type(&self, name: &str) -> Option<&ObjectType> {
        self.types.iter().find(|object_type| object_type.name == name)
    }

    /// The manifest: every module, function, parameter and type, with docs and examples.
    pub fn manifest(&self) -> Manifest {
        let mut modules: Vec<ModuleEntry> = self.modules.iter().map(ModuleEntry::from).collect();
        modules.sort_by(|a, b| a.name.cmp(b.name));
        let mut types: Vec<TypeEntry> = self.types.iter().map(TypeEntry::from).collect();
        types.sort_by(|a, b| a.name.cmp(b.name));
        let mut records: Vec<RecordEntry> =
            self.records().iter().map(|record| RecordEntry::from(&**record)).collect();
        records.sort_by(|a, b| a.name.cmp(b.name));
        let mut tools: Vec<ToolEntry> = self
            .tools
            .iter()
            .map(|tool| ToolEntry {
                name: tool.name.clone(),
                description: tool.description.clone(),
                parameters: tool.parameters.clone(),
            })
            .collect();
        tools.sort_by(|a, b| a.name.cmp(&b.name));
        Manifest { version: env!("CARGO_PKG_VERSION"), modules, types, records, tools }
    }

    /// Every record reachable from a parameter, result or field of a module or object type,
    /// each once (records inside records included).
    pub fn records(&self) -> Vec<Arc<Record>> {
        let functions = self
            .modules
            .iter()
            .flat_map(|module| &module.functions)
            .chain(self.types.iter().flat_map(|object_type| &object_type.methods));
        let types = functions
            .flat_map(|function| function.params.iter().map(|param| &param.ty).chain([&function.returns]))
            .chain(self.modules.iter().flat_map(|module| &module.fields).map(|field| &field.ty))
            .chain(self.types.iter().flat_map(|object_type| &object_type.fields).map(|field| &field.ty));
        let mut found: Vec<Arc<Record>> = Vec::new();
        for ty in types {
            for record in ty.records() {
                if !found.iter().any(|seen| seen.name == record.name) {
                    found.push(record);
                }
            }
        }
        found
    }
}

/// The serialisable description of the whole host API.
#[derive(Clone, Debug, Serialize)]
pub struct Manifest {
    pub version: &'static str,
    pub modules: Vec<ModuleEntry>,
    pub types: Vec<TypeEntry>,
    /// The shapes of configuration maps (`AgentConfig`, …), sorted by name.
    pub records: Vec<RecordEntry>,
    /// The tools built into the host, sorted by name.
    pub tools: Vec<ToolEntry>,
}

/// A record: the declared keys of a configuration map.
#[derive(Clone, Debug, Serialize)]
pub struct RecordEntry {
    pub name: &'static str,
    pub doc: &'static str,
    pub fields: Vec<RecordFieldEntry>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RecordFieldEntry {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub ty: Type,
    pub optional: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    pub doc: &'static str,
}

/// A tool built into the host: its name, what it does, and its arguments' JSON Schema.
#[derive(Clone, Debug, Serialize)]
pub struct ToolEntry {
    pub name: String,
    pub description: String,
    pub parameters: serde_json::Value,
}

impl From<&Record> for RecordEntry {
    fn from(record: &Record) -> Self {
        RecordEntry {
            name: record.name,
            doc: record.doc,
            fields: record.fields.iter().map(RecordFieldEntry::from).collect(),
        }
    }
}

impl From<&RecordField> for RecordFieldEntry {
    fn from(field: &RecordField) -> Self {
        RecordFieldEntry {
            name: field.name,
            ty: field.ty.clone(),
            optional: field.optional,
            default: field.default.as_ref().and_then(|value| value.to_json().ok()),
            doc: field.doc,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ModuleEntry {
    pub name: &'static str,
    /// `functions` (a table of functions), `globals` (functions bound as globals) or `value`.
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<&'static str>,
    pub doc: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldEntry>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<FunctionEntry>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TypeEntry {
    pub name: &'static str,
    pub doc: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldEntry>,
    pub methods: Vec<FunctionEntry>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FieldEntry {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub ty: Type,
    pub doc: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct FunctionEntry {
    pub name: &'static str,
    /// `json.encode`, `State.get`, or `print` for a global.
    pub qualified: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<&'static str>,
    pub signature: String,
    pub doc: &'static str,
    pub params: Vec<ParamEntry>,
    pub returns: ReturnEntry,
    /// I/O-bound: returns a Promise in JavaScript.
    #[serde(rename = "async")]
    pub is_async: bool,
    pub examples: ExamplesEntry,
}

#[derive(Clone, Debug, Serialize)]
pub struct ParamEntry {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub ty: Type,
    pub optional: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub variadic: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    pub doc: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReturnEntry {
    #[serde(rename = "type")]
    pub ty: Type,
    pub doc: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExamplesEntry {
    pub lua: &'static str,
    pub js: &'static str,
    pub rhai: &'static str,
}

impl From<&Field> for FieldEntry {
    fn from(field: &Field) -> Self {
        FieldEntry { name: field.name, ty: field.ty.clone(), doc: field.doc }
    }
}

impl From<&Param> for ParamEntry {
    fn from(param: &Param) -> Self {
        ParamEntry {
            name: param.name,
            ty: param.ty.clone(),
            optional: param.optional,
            variadic: param.variadic,
            default: param.default.as_ref().and_then(|value| value.to_json().ok()),
            doc: param.doc,
        }
    }
}

fn function_entry(qualified: String, function: &Function) -> FunctionEntry {
    FunctionEntry {
        name: function.name,
        qualified,
        aliases: function.aliases.clone(),
        signature: function.signature(),
        doc: function.doc,
        params: function.params.iter().map(ParamEntry::from).collect(),
        returns: ReturnEntry { ty: function.returns.clone(), doc: function.returns_doc },
        is_async: function.is_async(),
        examples: ExamplesEntry {
            lua: function.examples.lua,
            js: function.examples.js,
            rhai: function.examples.rhai,
        },
    }
}

impl From<&Module> for ModuleEntry {
    fn from(module: &Module) -> Self {
        ModuleEntry {
            name: module.name,
            kind: match module.kind {
                ModuleKind::Functions => "functions",
                ModuleKind::Globals => "globals",
                ModuleKind::Value(_) => "value",
            },
            aliases: module.aliases.clone(),
            doc: module.doc,
            fields: module.fields.iter().map(FieldEntry::from).collect(),
            functions: module
                .functions
                .iter()
                .map(|function| function_entry(module.qualified(function.name), function))
                .collect(),
        }
    }
}

impl From<&ObjectType> for TypeEntry {
    fn from(object_type: &ObjectType) -> Self {
        TypeEntry {
            name: object_type.name,
            doc: object_type.doc,
            fields: object_type.fields.iter().map(FieldEntry::from).collect(),
            methods: object_type
                .methods
                .iter()
                .map(|method| function_entry(format!("{}.{}", object_type.name, method.name), method))
                .collect(),
        }
    }
}

impl Manifest {
    /// The manifest as pretty JSON (`llmspell api --json`).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the manifest always serialises")
    }

    /// A readable listing for a terminal (`llmspell api`).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for module in &self.modules {
            let _ = writeln!(out, "{} — {}", module.name, first_line(module.doc));
            for field in &module.fields {
                let _ = writeln!(out, "  .{}: {}  {}", field.name, field.ty, first_line(field.doc));
            }
            for function in &module.functions {
                let _ = writeln!(out, "  {}", qualified_signature(function));
                let _ = writeln!(out, "      {}", first_line(function.doc));
            }
            out.push('\n');
        }
        for object_type in &self.types {
            let _ = writeln!(out, "{} (object) — {}", object_type.name, first_line(object_type.doc));
            for field in &object_type.fields {
                let _ = writeln!(out, "  .{}: {}  {}", field.name, field.ty, first_line(field.doc));
            }
            for method in &object_type.methods {
                let _ = writeln!(out, "  {}", qualified_signature(method));
                let _ = writeln!(out, "      {}", first_line(method.doc));
            }
            out.push('\n');
        }
        for record in &self.records {
            let _ = writeln!(out, "{} (record) — {}", record.name, first_line(record.doc));
            for field in &record.fields {
                let mark = if field.optional { "?" } else { "" };
                let default = field.default.as_ref().map(|value| format!(" = {value}")).unwrap_or_default();
                let _ = writeln!(out, "  .{}{mark}: {}{default}  {}", field.name, field.ty, first_line(field.doc));
            }
            out.push('\n');
        }
        if !self.tools.is_empty() {
            out.push_str("built-in tools\n");
            for tool in &self.tools {
                let _ = writeln!(out, "  {}({})", tool.name, tool_parameters(tool).iter().map(|parameter| parameter.signature()).collect::<Vec<_>>().join(", "));
                let _ = writeln!(out, "      {}", first_line(&tool.description));
            }
            out.push('\n');
        }
        out
    }

    /// The API reference in Markdown (`docs/api.md`).
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        out.push_str("# llmspell API reference\n\n");
        out.push_str(
            "<!-- Generated from the bridge manifest by `llmspell api --markdown`. Do not edit: \
             a test fails when this file drifts from the manifest. -->\n\n",
        );
        out.push_str(
            "Every function below exists with the same name, arguments and results in Lua, \
             JavaScript and Rhai. Functions marked *I/O-bound* return a Promise in JavaScript.\n\n",
        );
        out.push_str("## Modules\n\n");
        for module in &self.modules {
            let _ = writeln!(out, "- [`{0}`](#{0})", module.name);
        }
        out.push_str("\n## Object types\n\n");
        for object_type in &self.types {
            let _ = writeln!(out, "- [`{0}`](#{1})", object_type.name, object_type.name.to_lowercase());
        }
        if !self.records.is_empty() {
            out.push_str("\n## Records\n\nThe keys of the configuration maps functions take. An unknown key, a missing \
                          required key or a value of the wrong type is `invalid_argument`.\n\n");
            for record in &self.records {
                let _ = writeln!(out, "- [`{0}`](#{1})", record.name, record.name.to_lowercase());
            }
        }
        if !self.tools.is_empty() {
            out.push_str("\n## Built-in tools\n\n");
            for tool in &self.tools {
                let _ = writeln!(out, "- [`{0}`](#{1})", tool.name, tool.name.to_lowercase());
            }
        }
        out.push('\n');
        for module in &self.modules {
            let _ = writeln!(out, "## {}\n\n{}\n", module.name, module.doc);
            if !module.aliases.is_empty() {
                let _ = writeln!(out, "Also reachable as: {}.\n", code_list(&module.aliases));
            }
            write_fields(&mut out, &module.fields);
            for function in &module.functions {
                write_function(&mut out, function);
            }
        }
        for object_type in &self.types {
            let _ = writeln!(out, "## {}\n\n{}\n", object_type.name, object_type.doc);
            write_fields(&mut out, &object_type.fields);
            for method in &object_type.methods {
                write_function(&mut out, method);
            }
        }
        for record in &self.records {
            let _ = writeln!(out, "## {}\n\n{}\n", record.name, record.doc);
            out.push_str("| key | type | default | description |\n|---|---|---|---|\n");
            for field in &record.fields {
                let mark = if field.optional { "?" } else { "" };
                let default = field.default.as_ref().map(|value| format!("`{value}`")).unwrap_or_default();
                let _ = writeln!(out, "| `{}{mark}` | `{}` | {default} | {} |", field.name, cell(&field.ty), cell(field.doc));
            }
            out.push('\n');
        }
        for tool in &self.tools {
            let _ = writeln!(out, "## {}\n\nBuilt-in tool. {}\n", tool.name, tool.description);
            let parameters = tool_parameters(tool);
            if !parameters.is_empty() {
                out.push_str("| argument | type | description |\n|---|---|---|\n");
                for parameter in &parameters {
                    let mark = if parameter.required { "" } else { "?" };
                    let _ = writeln!(out, "| `{}{mark}` | `{}` | {} |", parameter.name, cell(&parameter.ty), cell(&parameter.doc));
                }
                out.push('\n');
            }
        }
        out
    }
}

/// One argument of a built-in tool, read from its JSON Schema.
pub struct ToolParameter {
    pub name: String,
    /// The schema's `type` (`string`, `integer | null`, …), `any` when it names none.
    pub ty: String,
    pub required: bool,
    pub doc: String,
}

impl ToolParameter {
    fn signature(&self) -> String {
        let mark = if self.required { "" } else { "?" };
        format!("{}{mark}: {}", self.name, self.ty)
    }
}

/// The top-level properties of a tool's argument schema, sorted by name.
pub fn tool_parameters(tool: &ToolEntry) -> Vec<ToolParameter> {
    let schema = &tool.parameters;
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|names| names.iter().filter_map(serde_json::Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = schema["properties"].as_object() else {
        return Vec::new();
    };
    properties
        .iter()
        .map(|(name, property)| ToolParameter {
            name: name.clone(),
            ty: match &property["type"] {
                serde_json::Value::String(ty) => ty.clone(),
                serde_json::Value::Array(types) => types
                    .iter()
                    .filter_map(serde_json::Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" | "),
                _ if property.get("enum").is_some() => "enum".to_owned(),
                _ => "any".to_owned(),
            },
            required: required.contains(&name.as_str()),
            doc: property["description"].as_str().unwrap_or("").replace('\n', " "),
        })
        .collect()
}

/// Text for a Markdown table cell: a `|`, even inside backticks, would end the cell.
fn cell(text: &(impl std::fmt::Display + ?Sized)) -> String {
    text.to_string().replace('|', "\\|")
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

fn code_list(names: &[&str]) -> String {
    names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
}

fn qualified_signature(function: &FunctionEntry) -> String {
    let prefix = function.qualified.strip_suffix(function.name).unwrap_or("");
    format!("{prefix}{}", function.signature)
}

fn write_fields(out: &mut String, fields: &[FieldEntry]) {
    if fields.is_empty() {
        return;
    }
    out.push_str("| field | type | description |\n|---|---|---|\n");
    for field in fields {
        let _ = writeln!(out, "| `{}` | `{}` | {} |", field.name, cell(&field.ty), cell(field.doc));
    }
    out.push('\n');
}

fn write_function(out: &mut String, function: &FunctionEntry) {
    let _ = writeln!(out, "### `{}`\n", qualified_signature(function));
    let _ = writeln!(out, "{}\n", function.doc);
    if !function.aliases.is_empty() {
        let _ = writeln!(out, "Aliases: {}.\n", code_list(&function.aliases));
    }
    if function.is_async {
        out.push_str("*I/O-bound*: returns a Promise in JavaScript; blocks only this script in Lua and Rhai.\n\n");
    }
    if !function.params.is_empty() {
        out.push_str("| parameter | type | default | description |\n|---|---|---|---|\n");
        for param in &function.params {
            let name = if param.variadic {
                format!("...{}", param.name)
            } else if param.optional {
                format!("{}?", param.name)
            } else {
                param.name.to_owned()
            };
            let default = param.default.as_ref().map(|value| format!("`{value}`")).unwrap_or_default();
            let _ = writeln!(out, "| `{name}` | `{}` | {default} | {} |", cell(&param.ty), cell(param.doc));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "Returns `{}`{}\n", function.returns.ty, match function.returns.doc {
        "" => ".".to_owned(),
        doc => format!(": {doc}"),
    });
    let examples = &function.examples;
    if !examples.lua.is_empty() {
        let _ = writeln!(
            out,
            "```lua\n{}\n```\n\n```js\n{}\n```\n\n```rhai\n{}\n```\n",
            examples.lua, examples.js, examples.rhai
        );
    }
}

/// Builds a map value from pairs; a convenience for host modules and tests.
pub fn map_of<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::Map(pairs.into_iter().map(|(key, value)| (key.to_owned(), value)).collect())
}
