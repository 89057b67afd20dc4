//! The host API as the editor features need it: modules (and their aliases), global
//! functions, object types with their methods, all with docs, parameters and examples; the
//! records (the declared keys of configuration maps, like `AgentConfig`) and the built-in tools.
//! Built once from the bridge's [`Manifest`]; owned data, so it can be shared freely.

use std::collections::BTreeMap;

use llmspell_bridge::{Manifest, Type};
use llmspell_bridge::registry::{FieldEntry, FunctionEntry, RecordEntry, ToolEntry};

/// Everything the host offers to spells, indexed by name.
#[derive(Clone, Debug, Default)]
pub struct ApiIndex {
    /// Canonical module name → module. Modules of kind `globals` are here too.
    modules: BTreeMap<String, ModuleInfo>,
    /// Every name a module answers to (its canonical name and its aliases) → canonical name.
    module_names: BTreeMap<String, String>,
    /// Functions bound as globals (`print`), by name.
    globals: BTreeMap<String, FunctionInfo>,
    /// Object type name → type.
    types: BTreeMap<String, TypeInfo>,
    /// Record name → record (`AgentConfig`, `StepConfig`, …).
    records: BTreeMap<String, RecordInfo>,
    /// Built-in tool name → tool (`calculator`, …).
    tools: BTreeMap<String, ToolInfo>,
}

/// The declared keys of a configuration map.
#[derive(Clone, Debug)]
pub struct RecordInfo {
    pub name: String,
    pub doc: String,
    /// In declaration order.
    pub fields: Vec<RecordFieldInfo>,
}

#[derive(Clone, Debug)]
pub struct RecordFieldInfo {
    pub name: String,
    /// May itself name a record (`list<StepConfig>`, `str | RetryPolicy`): see
    /// [`ApiIndex::record_for`] and [`ApiIndex::item_record_for`].
    pub ty: Type,
    pub optional: bool,
    /// The default as JSON text, when there is one.
    pub default: Option<String>,
    pub doc: String,
}

impl RecordInfo {
    pub fn field(&self, name: &str) -> Option<&RecordFieldInfo> {
        self.fields.iter().find(|field| field.name == name)
    }
}

/// A tool built into the host, as `tools.list()` describes it.
#[derive(Clone, Debug)]
pub struct ToolInfo {
    pub name: String,
    pub description: String,
    /// The JSON Schema of its arguments.
    pub parameters: serde_json::Value,
}

#[derive(Clone, Debug)]
pub struct ModuleInfo {
    pub name: String,
    /// `functions`, `globals` or `value` (as in the manifest).
    pub kind: String,
    pub aliases: Vec<String>,
    pub doc: String,
    pub fields: Vec<FieldInfo>,
    /// In declaration order.
    pub functions: Vec<FunctionInfo>,
}

#[derive(Clone, Debug)]
pub struct FunctionInfo {
    pub name: String,
    /// `json.encode`, `Agent.run`, `print`.
    pub qualified: String,
    pub aliases: Vec<String>,
    /// `json.encode(value: any, pretty?: bool) -> str`.
    pub signature: String,
    pub doc: String,
    pub params: Vec<ParamInfo>,
    pub returns: Type,
    pub returns_doc: String,
    /// I/O-bound: returns a Promise in JavaScript.
    pub is_async: bool,
    pub examples: Examples,
}

#[derive(Clone, Debug)]
pub struct ParamInfo {
    pub name: String,
    /// A record type (`AgentConfig`) keeps its fields: [`ApiIndex::record_for`] finds them.
    pub ty: Type,
    pub optional: bool,
    pub variadic: bool,
    /// The default as JSON text, when there is one.
    pub default: Option<String>,
    pub doc: String,
}

#[derive(Clone, Debug)]
pub struct FieldInfo {
    pub name: String,
    pub ty: Type,
    pub doc: String,
}

#[derive(Clone, Debug, Default)]
pub struct Examples {
    pub lua: String,
    pub js: String,
    pub rhai: String,
}

impl Examples {
    pub fn for_language(&self, language: llmspell_syntax::Language) -> &str {
        match language {
            llmspell_syntax::Language::Lua => &self.lua,
            llmspell_syntax::Language::JavaScript => &self.js,
            llmspell_syntax::Language::Rhai => &self.rhai,
        }
    }
}

#[derive(Clone, Debug)]
pub struct TypeInfo {
    pub name: String,
    pub doc: String,
    pub fields: Vec<FieldInfo>,
    pub methods: Vec<FunctionInfo>,
}

impl FunctionInfo {
    /// How many arguments a call may pass: at least, and at most (`None`: variadic).
    pub fn arity(&self) -> (usize, Option<usize>) {
        let required = self.params.iter().filter(|param| !param.optional && !param.variadic).count();
        let most = if self.params.iter().any(|param| param.variadic) {
            None
        } else {
            Some(self.params.len())
        };
        (required, most)
    }

    /// Whether `name` calls this function (its name or an alias).
    pub fn answers_to(&self, name: &str) -> bool {
        self.name == name || self.aliases.iter().any(|alias| alias == name)
    }
}

impl ApiIndex {
    pub fn from_manifest(manifest: &Manifest) -> ApiIndex {
        let mut index = ApiIndex::default();
        for module in &manifest.modules {
            let info = ModuleInfo {
                name: module.name.to_owned(),
                kind: module.kind.to_owned(),
                aliases: module.aliases.iter().map(|alias| (*alias).to_owned()).collect(),
                doc: module.doc.to_owned(),
                fields: module.fields.iter().map(field_info).collect(),
                functions: module.functions.iter().map(function_info).collect(),
            };
            if info.kind == "globals" {
                for function in &info.functions {
                    index.globals.insert(function.name.clone(), function.clone());
                }
            }
            index.module_names.insert(info.name.clone(), info.name.clone());
            for alias in &info.aliases {
                index.module_names.insert(alias.clone(), info.name.clone());
            }
            index.modules.insert(info.name.clone(), info);
        }
        for object_type in &manifest.types {
            let info = TypeInfo {
                name: object_type.name.to_owned(),
                doc: object_type.doc.to_owned(),
                fields: object_type.fields.iter().map(field_info).collect(),
                methods: object_type.methods.iter().map(function_info).collect(),
            };
            index.types.insert(info.name.clone(), info);
        }
        for record in &manifest.records {
            let info = record_info(record);
            index.records.insert(info.name.clone(), info);
        }
        for tool in &manifest.tools {
            let info = tool_info(tool);
            index.tools.insert(info.name.clone(), info);
        }
        index
    }

    /// A record by name (`AgentConfig`).
    pub fn record(&self, name: &str) -> Option<&RecordInfo> {
        self.records.get(name)
    }

    /// Records in name order.
    pub fn records(&self) -> impl Iterator<Item = &RecordInfo> {
        self.records.values()
    }

    /// The record a map written where `ty` is expected should follow: `ty` itself when it is a
    /// record, else the only record of a union (`str | LlmRequest` → `LlmRequest`).
    pub fn record_for(&self, ty: &Type) -> Option<&RecordInfo> {
        match ty {
            Type::Record(record) => self.record(record.name),
            Type::Union(types) => {
                let mut records = types.iter().filter(|item| matches!(item, Type::Record(_)));
                match (records.next(), records.next()) {
                    (Some(only), None) => self.record_for(only),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The record of the items of a list type (`list<Branch>` → `Branch`; also through a
    /// union with one list member).
    pub fn item_record_for(&self, ty: &Type) -> Option<&RecordInfo> {
        match ty {
            Type::List(item) => self.record_for(item),
            Type::Union(types) => {
                let mut lists = types.iter().filter(|item| matches!(item, Type::List(_)));
                match (lists.next(), lists.next()) {
                    (Some(only), None) => self.item_record_for(only),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// A built-in tool by name.
    pub fn tool(&self, name: &str) -> Option<&ToolInfo> {
        self.tools.get(name)
    }

    /// Built-in tools in name order.
    pub fn tools(&self) -> impl Iterator<Item = &ToolInfo> {
        self.tools.values()
    }

    /// Modules in name order (globals-kind modules included).
    pub fn modules(&self) -> impl Iterator<Item = &ModuleInfo> {
        self.modules.values()
    }

    /// Every name a spell can use for a module (canonical names and aliases), with the module.
    pub fn module_names(&self) -> impl Iterator<Item = (&str, &ModuleInfo)> {
        self.module_names
            .iter()
            .map(|(name, canonical)| (name.as_str(), &self.modules[canonical]))
    }

    /// The module a name (or alias) refers to. Modules of kind `globals` have no name in
    /// scripts, so they are not found here.
    pub fn module(&self, name: &str) -> Option<&ModuleInfo> {
        let canonical = self.module_names.get(name)?;
        let module = &self.modules[canonical];
        (module.kind != "globals").then_some(module)
    }

    /// A function of a module, by its name or one of its aliases.
    pub fn function(&self, module: &str, name: &str) -> Option<&FunctionInfo> {
        self.module(module)?.functions.iter().find(|function| function.answers_to(name))
    }

    /// A function bound as a global (`print`).
    pub fn global(&self, name: &str) -> Option<&FunctionInfo> {
        self.globals.get(name)
    }

    pub fn globals(&self) -> impl Iterator<Item = &FunctionInfo> {
        self.globals.values()
    }

    pub fn object_type(&self, name: &str) -> Option<&TypeInfo> {
        self.types.get(name)
    }

    pub fn object_types(&self) -> impl Iterator<Item = &TypeInfo> {
        self.types.values()
    }

    /// A method of an object type, by its name or one of its aliases.
    pub fn method(&self, type_name: &str, name: &str) -> Option<&FunctionInfo> {
        self.object_type(type_name)?.methods.iter().find(|method| method.answers_to(name))
    }

    /// A function by its qualified name as the syntax crate reports host calls
    /// (`module.function` with any module alias, or `Type.method`).
    pub fn callee(&self, qualified: &str) -> Option<&FunctionInfo> {
        let (owner, name) = qualified.rsplit_once('.')?;
        self.function(owner, name).or_else(|| self.method(owner, name))
    }

    /// The host API as the syntax crate's plain data, for host-type inference.
    pub fn host_api(&self) -> llmspell_syntax::HostApi {
        let host_function = |function: &FunctionInfo| llmspell_syntax::HostFunction {
            returns: Some(function.returns.to_string()),
        };
        let mut api = llmspell_syntax::HostApi::default();
        for (name, module) in self.module_names() {
            if module.kind == "globals" {
                continue;
            }
            let mut functions = BTreeMap::new();
            for function in &module.functions {
                functions.insert(function.name.clone(), host_function(function));
                for alias in &function.aliases {
                    functions.insert(alias.clone(), host_function(function));
                }
            }
            api.modules.insert(name.to_owned(), llmspell_syntax::HostModule { functions });
        }
        for object_type in self.types.values() {
            let mut methods = BTreeMap::new();
            for method in &object_type.methods {
                methods.insert(method.name.clone(), host_function(method));
                for alias in &method.aliases {
                    methods.insert(alias.clone(), host_function(method));
                }
            }
            api.types.insert(object_type.name.clone(), llmspell_syntax::HostType { methods });
        }
        api
    }
}

fn record_info(record: &RecordEntry) -> RecordInfo {
    RecordInfo {
        name: record.name.to_owned(),
        doc: record.doc.to_owned(),
        fields: record
            .fields
            .iter()
            .map(|field| RecordFieldInfo {
                name: field.name.to_owned(),
                ty: field.ty.clone(),
                optional: field.optional,
                default: field.default.as_ref().map(|value| value.to_string()),
                doc: field.doc.to_owned(),
            })
            .collect(),
    }
}

fn tool_info(tool: &ToolEntry) -> ToolInfo {
    ToolInfo {
        name: tool.name.clone(),
        description: tool.description.clone(),
        parameters: tool.parameters.clone(),
    }
}

fn field_info(field: &FieldEntry) -> FieldInfo {
    FieldInfo { name: field.name.to_owned(), ty: field.ty.clone(), doc: field.doc.to_owned() }
}

fn function_info(function: &FunctionEntry) -> FunctionInfo {
    FunctionInfo {
        name: function.name.to_owned(),
        qualified: function.qualified.clone(),
        aliases: function.aliases.iter().map(|alias| (*alias).to_owned()).collect(),
        signature: function.signature.clone(),
        doc: function.doc.to_owned(),
        params: function
            .params
            .iter()
            .map(|param| ParamInfo {
                name: param.name.to_owned(),
                ty: param.ty.clone(),
                optional: param.optional,
                variadic: param.variadic,
                default: param.default.as_ref().map(|value| value.to_string()),
                doc: param.doc.to_owned(),
            })
            .collect(),
        returns: function.returns.ty.clone(),
        returns_doc: function.returns.doc.to_owned(),
        is_async: function.is_async,
        examples: Examples {
            lua: function.examples.lua.to_owned(),
            js: function.examples.js.to_owned(),
            rhai: function.examples.rhai.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> ApiIndex {
        ApiIndex::from_manifest(&llmspell_host::manifest_registry().manifest())
    }

    #[test]
    fn config_parameters_carry_their_record_and_its_fields() {
        let index = index();
        let create = index.function("agent", "create").unwrap();
        let config = index.record_for(&create.params[0].ty).unwrap();
        assert_eq!(config.name, "AgentConfig");
        let max_turns = config.field("max_turns").unwrap();
        assert!(max_turns.optional);
        assert_eq!(max_turns.default.as_deref(), Some("8"));
        assert!(!config.field("name").unwrap().optional);

        let chat = index.function("llm", "chat").unwrap();
        let request = index.record_for(&chat.params[0].ty).unwrap();
        assert_eq!(request.name, "LlmRequest");
        let messages = request.field("messages").unwrap();
        assert_eq!(index.item_record_for(&messages.ty).unwrap().name, "ChatMessage");

        let sequential = index.function("workflow", "sequential").unwrap();
        let steps = &index.record_for(&sequential.params[0].ty).unwrap().field("steps").unwrap().ty;
        assert_eq!(index.item_record_for(steps).unwrap().name, "StepConfig");
        assert!(index.record("RetryPolicy").is_some());
        assert!(index.record_for(&Type::Str).is_none());
    }

    #[test]
    fn built_in_tools_have_descriptions_and_schemas() {
        let index = index();
        let names: Vec<&str> = index.tools().map(|tool| tool.name.as_str()).collect();
        assert!(names.contains(&"calculator") && names.contains(&"file_read"), "{names:?}");
        let calculator = index.tool("calculator").unwrap();
        assert!(!calculator.description.is_empty());
        assert!(calculator.parameters["properties"]["expression"].is_object());
        assert!(index.tool("no_such_tool").is_none());
    }
}
