//! Editor stubs generated from the manifest (`llmspell api --stubs DIR`): a LuaLS/EmmyLua
//! `---@meta` file, ambient TypeScript declarations (`.d.ts`) and Rhai definitions (`.d.rhai`),
//! so lua-language-server, the TypeScript server and the Rhai language server know the same
//! host API, with the same names and docs, as llmspell's own language server.
//!
//! Every declaration is derived from the manifest: modules, their functions and aliases, object
//! types with their fields and methods, records (as classes or interfaces) and globals.

use std::fmt::Write as _;

use crate::registry::{FieldEntry, FunctionEntry, Manifest, ModuleEntry, RecordEntry, TypeEntry};
use crate::types::Type;

/// The file names `llmspell api --stubs DIR` writes, in the order of [`Manifest::stub_files`].
pub const STUB_FILE_NAMES: [&str; 3] = ["llmspell.lua", "llmspell.d.ts", "llmspell.d.rhai"];

const GENERATED: &str = "Generated from the llmspell manifest by `llmspell api --stubs DIR`. Do not edit: \
                         a test fails when this file drifts from the manifest.";

impl Manifest {
    /// Every stub file: its name and its text.
    pub fn stub_files(&self) -> [(&'static str, String); 3] {
        [
            (STUB_FILE_NAMES[0], self.to_lua_meta()),
            (STUB_FILE_NAMES[1], self.to_typescript()),
            (STUB_FILE_NAMES[2], self.to_rhai_definitions()),
        ]
    }

    /// A LuaLS/EmmyLua `---@meta` file: a `---@class` per record and object type, module
    /// tables as globals with documented functions, methods with colon syntax, aliases.
    pub fn to_lua_meta(&self) -> String {
        let mut out = String::from("---@meta llmspell\n");
        let _ = writeln!(out, "-- {GENERATED}\n");
        for record in &self.records {
            lua_doc(&mut out, record.doc);
            let _ = writeln!(out, "---@class {}", record.name);
            for field in &record.fields {
                let mark = if field.optional { "?" } else { "" };
                let default = field.default.as_ref().map(|value| format!(" (default {value})")).unwrap_or_default();
                let _ = writeln!(out, "---@field {}{mark} {} {}{default}", field.name, lua_type(&field.ty), one_line(field.doc));
            }
            out.push('\n');
        }
        for object_type in &self.types {
            write_lua_object_type(&mut out, object_type);
        }
        for module in &self.modules {
            write_lua_module(&mut out, module);
        }
        out
    }

    /// Ambient TypeScript declarations (no import or export, so they apply to every spell):
    /// an interface per record and object type, an interface and a global per module, I/O-bound
    /// functions returning `Promise`, `new Agent(…)` for modules with a constructor alias.
    pub fn to_typescript(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "// {GENERATED}");
        out.push_str(
            "// Ambient declarations of the llmspell host API: no import or export, so they apply to\n\
             // every spell checked with `allowJs` + `checkJs`.\n\n",
        );
        for record in &self.records {
            write_ts_record(&mut out, record);
        }
        for object_type in &self.types {
            write_ts_object_type(&mut out, object_type);
        }
        for module in &self.modules {
            write_ts_module(&mut out, module);
        }
        out.push_str(
            "/** The JavaScript engine's console: `log`, `info` and `debug` print like `print`; \
             `warn` and `error` write to stderr. */\n\
             declare var console: {\n\
             \x20 log(...values: any[]): void;\n\
             \x20 info(...values: any[]): void;\n\
             \x20 debug(...values: any[]): void;\n\
             \x20 warn(...values: any[]): void;\n\
             \x20 error(...values: any[]): void;\n\
             };\n",
        );
        out
    }

    /// Rhai definitions in the format of rhai's own `Engine::definitions()`: `module static;`,
    /// global functions and constants, methods as functions whose first parameter is the
    /// object, field getters (`fn get name(agent: Agent) -> String;`), and a `module` block per
    /// host module.
    pub fn to_rhai_definitions(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "// {GENERATED}");
        out.push_str("module static;\n\n");
        for module in &self.modules {
            match module.kind {
                "globals" => {
                    for function in &module.functions {
                        write_rhai_function(&mut out, function, None, function.name);
                    }
                }
                "value" => {
                    rhai_doc(&mut out, module.doc);
                    let _ = writeln!(out, "const {}: Map;\n", module.name);
                }
                _ => {}
            }
        }
        for object_type in &self.types {
            let receiver = object_type.name.to_lowercase();
            for field in &object_type.fields {
                rhai_doc(&mut out, field.doc);
                let _ = writeln!(
                    out,
                    "fn get {}({receiver}: {}) -> {};\n",
                    field.name,
                    object_type.name,
                    rhai_type(&field.ty)
                );
            }
            for method in &object_type.methods {
                for name in std::iter::once(method.name).chain(method.aliases.iter().copied()) {
                    write_rhai_function(&mut out, method, Some((&receiver, object_type.name)), name);
                }
            }
        }
        for module in self.modules.iter().filter(|module| module.kind == "functions") {
            for name in std::iter::once(module.name).chain(module.aliases.iter().copied()) {
                rhai_doc(&mut out, module.doc);
                let _ = writeln!(out, "module {name} {{");
                for function in &module.functions {
                    for alias in std::iter::once(function.name).chain(function.aliases.iter().copied()) {
                        write_rhai_function(&mut out, function, None, alias);
                    }
                }
                out.push_str("}\n\n");
            }
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    }
}

// ---- Lua ----

const LUA_KEYWORDS: [&str; 22] = [
    "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
    "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
];

fn lua_type(ty: &Type) -> String {
    match ty {
        Type::Any => "any".to_owned(),
        Type::Nil => "nil".to_owned(),
        Type::Bool => "boolean".to_owned(),
        Type::Int => "integer".to_owned(),
        Type::Float => "number".to_owned(),
        Type::Str => "string".to_owned(),
        Type::List(item) => match &**item {
            Type::Union(_) => format!("({})[]", lua_type(item)),
            item => format!("{}[]", lua_type(item)),
        },
        Type::Map => "table<string, any>".to_owned(),
        Type::Fn => "function".to_owned(),
        Type::Object(name) => (*name).to_owned(),
        Type::AnyObject => "table".to_owned(),
        Type::Union(types) => types.iter().map(lua_type).collect::<Vec<_>>().join("|"),
        Type::Record(record) => record.name.to_owned(),
    }
}

fn lua_doc(out: &mut String, doc: &str) {
    for line in doc.lines() {
        let _ = writeln!(out, "---{line}");
    }
}

/// `agent.create` or `agent["end"]` when the name is a Lua keyword.
fn lua_member(table: &str, name: &str, method: bool) -> String {
    if LUA_KEYWORDS.contains(&name) {
        format!("{table}[\"{name}\"]")
    } else if method {
        format!("{table}:{name}")
    } else {
        format!("{table}.{name}")
    }
}

fn write_lua_function(out: &mut String, function: &FunctionEntry, owner: &str, method: bool) {
    lua_doc(out, function.doc);
    if !function.examples.lua.is_empty() {
        out.push_str("---\n---```lua\n");
        lua_doc(out, function.examples.lua);
        out.push_str("---```\n");
    }
    let mut names = Vec::new();
    for param in &function.params {
        if param.variadic {
            let _ = writeln!(out, "---@param ... {} {}", lua_type(&param.ty), one_line(param.doc));
            names.push("...".to_owned());
        } else {
            let mark = if param.optional { "?" } else { "" };
            let _ = writeln!(out, "---@param {}{mark} {} {}", param.name, lua_type(&param.ty), one_line(param.doc));
            names.push(param.name.to_owned());
        }
    }
    if function.returns.ty != Type::Nil {
        let _ = writeln!(out, "---@return {} # {}", lua_type(&function.returns.ty), one_line(function.returns.doc));
    }
    let target = lua_member(owner, function.name, method);
    if target.contains('[') {
        let _ = writeln!(out, "{target} = function({}{}) end", if method { "self, " } else { "" }, names.join(", "));
    } else {
        let _ = writeln!(out, "function {target}({}) end", names.join(", "));
    }
    for alias in &function.aliases {
        let _ = writeln!(
            out,
            "{} = {}",
            lua_member(owner, alias, false),
            lua_member(owner, function.name, false)
        );
    }
    out.push('\n');
}

fn write_lua_object_type(out: &mut String, object_type: &TypeEntry) {
    lua_doc(out, object_type.doc);
    let _ = writeln!(out, "---@class {}", object_type.name);
    write_lua_fields(out, &object_type.fields);
    // The class binds to the next local; its own name stays free for the module alias.
    let table = format!("{}_methods", object_type.name);
    let _ = writeln!(out, "local {table} = {{}}\n");
    for method in &object_type.methods {
        write_lua_function(out, method, &table, true);
    }
}

fn write_lua_fields(out: &mut String, fields: &[FieldEntry]) {
    for field in fields {
        let _ = writeln!(out, "---@field {} {} {}", field.name, lua_type(&field.ty), one_line(field.doc));
    }
}

fn write_lua_module(out: &mut String, module: &ModuleEntry) {
    match module.kind {
        "globals" => {
            for function in &module.functions {
                lua_doc(out, function.doc);
                let mut names = Vec::new();
                for param in &function.params {
                    if param.variadic {
                        let _ = writeln!(out, "---@param ... {} {}", lua_type(&param.ty), one_line(param.doc));
                        names.push("...".to_owned());
                    } else {
                        let mark = if param.optional { "?" } else { "" };
                        let _ = writeln!(out, "---@param {}{mark} {} {}", param.name, lua_type(&param.ty), one_line(param.doc));
                        names.push(param.name.to_owned());
                    }
                }
                if function.returns.ty != Type::Nil {
                    let _ = writeln!(out, "---@return {} # {}", lua_type(&function.returns.ty), one_line(function.returns.doc));
                }
                let _ = writeln!(out, "function {}({}) end\n", function.name, names.join(", "));
            }
        }
        "value" => {
            lua_doc(out, module.doc);
            if module.fields.is_empty() {
                out.push_str("---@type table<string, any>\n");
            } else {
                let _ = writeln!(out, "---@class llmspell.{}", module.name);
                write_lua_fields(out, &module.fields);
            }
            let _ = writeln!(out, "{} = {{}}\n", module.name);
        }
        _ => {
            lua_doc(out, module.doc);
            let _ = writeln!(out, "{} = {{}}\n", module.name);
            for function in &module.functions {
                write_lua_function(out, function, module.name, false);
            }
            for alias in &module.aliases {
                let _ = writeln!(out, "---Another name of `{0}`.\n{alias} = {0}\n", module.name);
            }
        }
    }
}

// ---- TypeScript ----

const TS_RESERVED: [&str; 12] = [
    "default", "delete", "do", "function", "if", "in", "new", "return", "this", "typeof", "var", "void",
];

fn ts_type(ty: &Type, nil: &str) -> String {
    match ty {
        Type::Any => "any".to_owned(),
        Type::Nil => nil.to_owned(),
        Type::Bool => "boolean".to_owned(),
        Type::Int | Type::Float => "number".to_owned(),
        Type::Str => "string".to_owned(),
        Type::List(item) => match &**item {
            Type::Union(_) => format!("({})[]", ts_type(item, "null")),
            item => format!("{}[]", ts_type(item, "null")),
        },
        Type::Map => "{ [key: string]: any }".to_owned(),
        Type::Fn => "(...args: any[]) => any".to_owned(),
        Type::Object(name) => (*name).to_owned(),
        Type::AnyObject => "object".to_owned(),
        Type::Union(types) => types
            .iter()
            .map(|item| match item {
                Type::Fn => "((...args: any[]) => any)".to_owned(),
                item => ts_type(item, "null"),
            })
            .collect::<Vec<_>>()
            .join(" | "),
        Type::Record(record) => record.name.to_owned(),
    }
}

/// A JSDoc comment at `indent`: the text lines, then tag lines.
fn ts_doc(out: &mut String, indent: &str, text: &str, tags: &[String]) {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if !tags.is_empty() && !lines.is_empty() {
        lines.push(String::new());
    }
    lines.extend(tags.iter().flat_map(|tag| tag.lines().map(str::to_owned)));
    if lines.is_empty() {
        return;
    }
    if let [line] = lines.as_slice() {
        let _ = writeln!(out, "{indent}/** {} */", line.replace("*/", "*\\/"));
        return;
    }
    let _ = writeln!(out, "{indent}/**");
    for line in lines {
        let line = line.replace("*/", "*\\/");
        if line.is_empty() {
            let _ = writeln!(out, "{indent} *");
        } else {
            let _ = writeln!(out, "{indent} * {line}");
        }
    }
    let _ = writeln!(out, "{indent} */");
}

fn ts_param_name(name: &str) -> String {
    if TS_RESERVED.contains(&name) { format!("{name}_") } else { name.to_owned() }
}

/// The TypeScript signatures of a function: `(parameters, result)` pairs.
///
/// A function whose first parameter and result are both unions sharing an object type (an
/// `Agent.run` given a `State` returns a `State`, given a string or map a string) gets two
/// overloads, so that the common call needs no cast: that object type in and out, and the
/// other types in, the other results out.
fn ts_signatures(function: &FunctionEntry) -> Vec<(String, String)> {
    if let (Some(first), Type::Union(results)) = (function.params.first(), &function.returns.ty)
        && let Type::Union(inputs) = &first.ty
        && let Some(shared) = inputs
            .iter()
            .find(|input| matches!(input, Type::Object(_)) && results.contains(input))
    {
        let others = |types: &[Type]| -> Type {
            let rest: Vec<Type> = types.iter().filter(|ty| *ty != shared).cloned().collect();
            if rest.len() == 1 { rest[0].clone() } else { Type::Union(rest) }
        };
        let with_first = |ty: Type, returns: Type| {
            let mut overload = function.clone();
            overload.params[0].ty = ty;
            overload.returns.ty = returns;
            ts_signature(&overload)
        };
        return vec![
            with_first(shared.clone(), shared.clone()),
            with_first(others(inputs), others(results)),
        ];
    }
    vec![ts_signature(function)]
}

fn ts_signature(function: &FunctionEntry) -> (String, String) {
    let params: Vec<String> = function
        .params
        .iter()
        .map(|param| {
            let name = ts_param_name(param.name);
            if param.variadic {
                format!("...{name}: {}[]", match &param.ty {
                    Type::Union(_) => format!("({})", ts_type(&param.ty, "null")),
                    ty => ts_type(ty, "null"),
                })
            } else {
                let mark = if param.optional { "?" } else { "" };
                format!("{name}{mark}: {}", ts_type(&param.ty, "null"))
            }
        })
        .collect();
    let returns = ts_type(&function.returns.ty, "void");
    let returns = if function.is_async { format!("Promise<{returns}>") } else { returns };
    (params.join(", "), returns)
}

fn ts_function_doc(out: &mut String, indent: &str, function: &FunctionEntry, alias_of: Option<&str>) {
    let mut tags = Vec::new();
    for param in &function.params {
        tags.push(format!("@param {} {}", ts_param_name(param.name), one_line(param.doc)));
    }
    if !function.returns.doc.is_empty() && function.returns.ty != Type::Nil {
        tags.push(format!("@returns {}", one_line(function.returns.doc)));
    }
    if !function.examples.js.is_empty() {
        tags.push(format!("@example\n```js\n{}\n```", function.examples.js));
    }
    let text = match alias_of {
        Some(name) => format!("Another name of `{name}`. {}", function.doc),
        None => function.doc.to_owned(),
    };
    ts_doc(out, indent, &text, &tags);
}

fn write_ts_record(out: &mut String, record: &RecordEntry) {
    ts_doc(out, "", record.doc, &[]);
    let _ = writeln!(out, "interface {} {{", record.name);
    for field in &record.fields {
        let tags: Vec<String> =
            field.default.iter().map(|value| format!("@defaultValue `{value}`")).collect();
        ts_doc(out, "  ", field.doc, &tags);
        let mark = if field.optional { "?" } else { "" };
        let _ = writeln!(out, "  {}{mark}: {};", field.name, ts_type(&field.ty, "null"));
    }
    out.push_str("}\n\n");
}

fn write_ts_members(out: &mut String, functions: &[FunctionEntry]) {
    for function in functions {
        for (name, alias_of) in std::iter::once((function.name, None))
            .chain(function.aliases.iter().map(|alias| (*alias, Some(function.name))))
        {
            // A member named `new` must be quoted, else it declares a constructor.
            let name = if name == "new" { "\"new\"".to_owned() } else { name.to_owned() };
            for (params, returns) in ts_signatures(function) {
                ts_function_doc(out, "  ", function, alias_of);
                let _ = writeln!(out, "  {name}({params}): {returns};");
            }
        }
    }
}

fn write_ts_object_type(out: &mut String, object_type: &TypeEntry) {
    ts_doc(out, "", object_type.doc, &[]);
    let _ = writeln!(out, "interface {} {{", object_type.name);
    for field in &object_type.fields {
        ts_doc(out, "  ", field.doc, &[]);
        let _ = writeln!(out, "  readonly {}: {};", field.name, ts_type(&field.ty, "null"));
    }
    write_ts_members(out, &object_type.methods);
    out.push_str("}\n\n");
}

fn ts_module_interface(name: &str) -> String {
    let mut chars = name.chars();
    let first = chars.next().map(|first| first.to_uppercase().collect::<String>()).unwrap_or_default();
    format!("{first}{}Module", chars.as_str())
}

fn write_ts_module(out: &mut String, module: &ModuleEntry) {
    match module.kind {
        "globals" => {
            for function in &module.functions {
                ts_function_doc(out, "", function, None);
                let (params, returns) = ts_signature(function);
                let _ = writeln!(out, "declare function {}({params}): {returns};\n", function.name);
            }
        }
        "value" if module.fields.is_empty() => {
            ts_doc(out, "", module.doc, &[]);
            let _ = writeln!(out, "declare var {}: {{ [key: string]: any }};\n", module.name);
        }
        kind => {
            let interface = ts_module_interface(module.name);
            ts_doc(out, "", module.doc, &[]);
            let _ = writeln!(out, "interface {interface} {{");
            for field in &module.fields {
                ts_doc(out, "  ", field.doc, &[]);
                let _ = writeln!(out, "  readonly {}: {};", field.name, ts_type(&field.ty, "null"));
            }
            // `new Agent({…})`: a module with a capitalised alias and a `new` function is a
            // constructor in JavaScript.
            let capitalised = module.aliases.iter().any(|alias| alias.starts_with(char::is_uppercase));
            let constructor = module.functions.iter().find(|function| function.aliases.contains(&"new"));
            if let (true, Some(create), "functions") = (capitalised, constructor, kind) {
                let (params, returns) = ts_signature(create);
                ts_function_doc(out, "  ", create, Some(create.name));
                let _ = writeln!(out, "  new ({params}): {returns};");
            }
            write_ts_members(out, &module.functions);
            out.push_str("}\n");
            ts_doc(out, "", module.doc, &[]);
            let _ = writeln!(out, "declare var {}: {interface};", module.name);
            for alias in &module.aliases {
                let _ = writeln!(out, "/** Another name of `{}`. */", module.name);
                let _ = writeln!(out, "declare var {alias}: {interface};");
            }
            out.push('\n');
        }
    }
}

// ---- Rhai ----

fn rhai_type(ty: &Type) -> String {
    match ty {
        Type::Nil => "()".to_owned(),
        Type::Bool => "bool".to_owned(),
        Type::Int => "int".to_owned(),
        Type::Float => "float".to_owned(),
        Type::Str => "String".to_owned(),
        Type::List(_) => "Array".to_owned(),
        Type::Map | Type::Record(_) => "Map".to_owned(),
        Type::Fn => "FnPtr".to_owned(),
        Type::Object(name) => (*name).to_owned(),
        Type::Any | Type::AnyObject | Type::Union(_) => "?".to_owned(),
    }
}

fn rhai_doc(out: &mut String, doc: &str) {
    for line in doc.lines() {
        let _ = writeln!(out, "/// {line}");
    }
}

fn write_rhai_function(
    out: &mut String,
    function: &FunctionEntry,
    receiver: Option<(&str, &str)>,
    name: &str,
) {
    if name != function.name {
        let _ = writeln!(out, "/// Another name of `{}`.", function.name);
    }
    rhai_doc(out, function.doc);
    for param in &function.params {
        let mark = match (param.variadic, param.optional) {
            (true, _) => " (any number of them)",
            (false, true) => " (optional)",
            (false, false) => "",
        };
        let _ = writeln!(
            out,
            "/// * `{}`: `{}`{mark} — {}",
            param.name,
            param.ty,
            one_line(param.doc)
        );
    }
    if function.returns.ty != Type::Nil && !function.returns.doc.is_empty() {
        let _ = writeln!(out, "/// Returns `{}`: {}", function.returns.ty, one_line(function.returns.doc));
    }
    if !function.examples.rhai.is_empty() {
        out.push_str("///\n/// ```rhai\n");
        rhai_doc(out, function.examples.rhai);
        out.push_str("/// ```\n");
    }
    let mut params: Vec<String> = Vec::new();
    if let Some((receiver, type_name)) = receiver {
        params.push(format!("{receiver}: {type_name}"));
    }
    let returns = match &function.returns.ty {
        Type::Nil => String::new(),
        ty => format!(" -> {}", rhai_type(ty)),
    };
    // Rhai has no optional parameters: one overload per number of arguments, as the engine
    // binds them. A variadic parameter is written once (the doc says it takes any number).
    let mut overloads = Vec::new();
    for param in &function.params {
        if param.optional && !param.variadic {
            overloads.push(params.clone());
        }
        params.push(format!("{}: {}", param.name, rhai_type(&param.ty)));
    }
    overloads.push(params);
    for params in overloads {
        let _ = writeln!(out, "fn {name}({}){returns};", params.join(", "));
    }
    out.push('\n');
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::module::{Function, Module, ObjectType};
    use crate::record::Record;
    use crate::registry::Registry;
    use crate::value::Value;

    fn manifest() -> Manifest {
        let options = Record::new("JobOptions", "How a job runs.")
            .field("name", Type::Str, "Its name.")
            .optional("until", Type::Fn, None, "When it stops.")
            .optional("retries", Type::Int, Some(Value::Int(2)), "How often it retries.")
            .into_type();
        let mut registry = Registry::new();
        registry
            .add_module(
                Module::new("job", "Jobs.")
                    .alias("Job")
                    .function(
                        Function::new("create")
                            .alias("new")
                            .doc("Makes a job.")
                            .param("options", options, "The options.")
                            .returns(Type::Object("Job"), "The job.")
                            .sync(|_| Ok(Value::Nil)),
                    )
                    .function(
                        Function::new("end")
                            .doc("Ends every job.")
                            .optional("reason", Type::Str, None, "Why.")
                            .returns(Type::Nil, "")
                            .sync(|_| Ok(Value::Nil)),
                    ),
            )
            .add_type(
                ObjectType::new("Job", "A job.").field("name", Type::Str, "Its name.").method(
                    Function::new("run")
                        .doc("Runs it.")
                        .param("input", Type::Union(vec![Type::Str, Type::Object("Job")]), "The input.")
                        .returns(Type::Union(vec![Type::Str, Type::Object("Job")]), "The output.")
                        .io(|_| Box::pin(async { Ok(Value::Nil) })),
                ),
            );
        registry.manifest()
    }

    #[test]
    fn lua_meta_declares_classes_functions_aliases_and_quotes_keywords() {
        let lua = manifest().to_lua_meta();
        assert!(lua.starts_with("---@meta llmspell\n"), "{lua}");
        assert!(lua.contains("---@class JobOptions\n---@field name string Its name.\n---@field until? function When it stops.\n---@field retries? integer How often it retries. (default 2)\n"), "{lua}");
        assert!(lua.contains("---@param options JobOptions The options.\n---@return Job # The job.\nfunction job.create(options) end\njob.new = job.create\n"), "{lua}");
        assert!(lua.contains("---@param reason? string Why.\njob[\"end\"] = function(reason) end\n"), "{lua}");
        assert!(lua.contains("---@class Job\n---@field name string Its name.\nlocal Job_methods = {}\n"), "{lua}");
        assert!(lua.contains("function Job_methods:run(input) end"), "{lua}");
        assert!(lua.contains("\nJob = job\n"), "{lua}");
    }

    #[test]
    fn typescript_declares_interfaces_constructors_promises_and_overloads() {
        let ts = manifest().to_typescript();
        assert!(ts.contains("interface JobOptions {\n  /** Its name. */\n  name: string;\n"), "{ts}");
        assert!(ts.contains("  /**\n   * How often it retries.\n   *\n   * @defaultValue `2`\n   */\n  retries?: number;\n"), "{ts}");
        assert!(ts.contains("  new (options: JobOptions): Job;\n"), "{ts}");
        assert!(ts.contains("  create(options: JobOptions): Job;\n"), "{ts}");
        assert!(ts.contains("  \"new\"(options: JobOptions): Job;\n"), "{ts}");
        assert!(ts.contains("  end(reason?: string): void;\n"), "{ts}");
        assert!(ts.contains("  run(input: Job): Promise<Job>;\n  /**"), "{ts}");
        assert!(ts.contains("  run(input: string): Promise<string>;\n"), "{ts}");
        assert!(ts.contains("declare var job: JobModule;\n/** Another name of `job`. */\ndeclare var Job: JobModule;\n"), "{ts}");
    }

    #[test]
    fn rhai_definitions_have_modules_getters_methods_and_one_overload_per_arity() {
        let rhai = manifest().to_rhai_definitions();
        assert!(rhai.contains("module static;\n"), "{rhai}");
        assert!(rhai.contains("fn get name(job: Job) -> String;\n"), "{rhai}");
        assert!(rhai.contains("fn run(job: Job, input: ?) -> ?;\n"), "{rhai}");
        assert!(rhai.contains("module job {\n"), "{rhai}");
        assert!(rhai.contains("module Job {\n"), "{rhai}");
        assert!(rhai.contains("fn create(options: Map) -> Job;\n"), "{rhai}");
        assert!(rhai.contains("fn end();\nfn end(reason: String);\n"), "{rhai}");
    }
}
