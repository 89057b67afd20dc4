//! Markdown and labels shared by completion, hover and signature help: a function's signature
//! with the position of each parameter, its documentation with the example for the spell's
//! language, and the texts for modules, record keys, tools and models.

use llmspell_bridge::{RecordField, Type};
use llmspell_syntax::Language;

use crate::api::{FunctionInfo, ModuleInfo, ParamInfo, TypeInfo};
use crate::context::{ToolEntry, record_in};

/// A function's signature as one line, `agent.create(config: AgentConfig) -> Agent`, and the
/// byte range of each parameter inside it.
pub(crate) struct SignatureLabel {
    pub label: String,
    pub parameters: Vec<(usize, usize)>,
}

pub(crate) fn signature_label(function: &FunctionInfo) -> SignatureLabel {
    let mut label = format!("{}(", function.qualified);
    let mut parameters = Vec::new();
    for (index, param) in function.params.iter().enumerate() {
        if index > 0 {
            label.push_str(", ");
        }
        let start = label.len();
        label.push_str(&parameter_label(param));
        parameters.push((start, label.len()));
    }
    label.push_str(&format!(") -> {}", function.returns));
    SignatureLabel { label, parameters }
}

/// `config: AgentConfig`, `pretty?: bool`, `...values: any`.
pub(crate) fn parameter_label(param: &ParamInfo) -> String {
    let dots = if param.variadic { "..." } else { "" };
    let question = if param.optional && !param.variadic {
        "?"
    } else {
        ""
    };
    format!("{dots}{}{question}: {}", param.name, param.ty)
}

/// The fence name of a language's code blocks.
pub(crate) fn fence(language: Language) -> &'static str {
    match language {
        Language::Lua => "lua",
        Language::JavaScript => "js",
        Language::Rhai => "rhai",
    }
}

pub(crate) fn code_block(language: Language, code: &str) -> String {
    format!("```{}\n{}\n```", fence(language), code.trim_end())
}

/// The documentation of a host function: doc text, parameters, return value, the JavaScript
/// `await` note for I/O-bound calls, and the example in the spell's language.
pub(crate) fn function_documentation(function: &FunctionInfo, language: Language) -> String {
    let mut sections = Vec::new();
    if !function.doc.is_empty() {
        sections.push(function.doc.clone());
    }
    if !function.params.is_empty() {
        let mut lines = vec!["**Parameters**".to_owned()];
        for param in &function.params {
            let line = format!("- {}", parameter_documentation(param));
            lines.push(line);
        }
        sections.push(lines.join("\n"));
    }
    let mut returns = format!("**Returns** `{}`", function.returns);
    if !function.returns_doc.is_empty() {
        returns.push_str(&format!(" — {}", function.returns_doc));
    }
    sections.push(returns);
    if function.is_async && language == Language::JavaScript {
        sections.push("*I/O-bound:* returns a Promise in JavaScript; `await` it.".to_owned());
    }
    let example = function.examples.for_language(language);
    if !example.trim().is_empty() {
        sections.push(format!("**Example**\n\n{}", code_block(language, example)));
    }
    sections.join("\n\n")
}

/// One parameter: `` `config: AgentConfig` — doc. Default: `x`. Keys of `AgentConfig`: … ``.
pub(crate) fn parameter_documentation(param: &ParamInfo) -> String {
    let mut text = format!("`{}`", parameter_label(param));
    if !param.doc.is_empty() {
        text.push_str(&format!(" — {}", param.doc));
    }
    if let Some(default) = &param.default {
        text.push_str(&format!(" Default: `{default}`."));
    }
    if let Some(record) = record_in(&param.ty) {
        let keys: Vec<String> = record.fields.iter().map(key_summary).collect();
        text.push_str(&format!(" Keys of `{}`: {}.", record.name, keys.join(", ")));
    }
    text
}

/// `name`, `model?` — a record key as the key lists show it.
fn key_summary(field: &RecordField) -> String {
    let question = if field.optional { "?" } else { "" };
    format!("`{}{question}`", field.name)
}

/// The one-line detail of a function in completion lists.
pub(crate) fn function_detail(function: &FunctionInfo, language: Language) -> String {
    let label = signature_label(function).label;
    if function.is_async && language == Language::JavaScript {
        format!("async {label} (await it)")
    } else {
        label
    }
}

/// The documentation of a module: its doc, its aliases and its functions.
pub(crate) fn module_documentation(module: &ModuleInfo) -> String {
    let mut sections = Vec::new();
    if !module.doc.is_empty() {
        sections.push(module.doc.clone());
    }
    if !module.aliases.is_empty() {
        let aliases: Vec<String> = module
            .aliases
            .iter()
            .map(|alias| format!("`{alias}`"))
            .collect();
        sections.push(format!("Also reachable as {}.", aliases.join(", ")));
    }
    if !module.functions.is_empty() {
        let mut lines = vec!["**Functions**".to_owned()];
        for function in &module.functions {
            lines.push(format!(
                "- `{}` — {}",
                signature_label(function).label,
                first_sentence(&function.doc)
            ));
        }
        sections.push(lines.join("\n"));
    }
    if !module.fields.is_empty() {
        let mut lines = vec!["**Fields**".to_owned()];
        for field in &module.fields {
            lines.push(format!(
                "- `{}: {}` — {}",
                field.name,
                field.ty,
                first_sentence(&field.doc)
            ));
        }
        sections.push(lines.join("\n"));
    }
    sections.join("\n\n")
}

/// The documentation of a host object type: its doc and its methods.
pub(crate) fn type_documentation(object_type: &TypeInfo) -> String {
    let mut sections = Vec::new();
    if !object_type.doc.is_empty() {
        sections.push(object_type.doc.clone());
    }
    if !object_type.methods.is_empty() {
        let mut lines = vec!["**Methods**".to_owned()];
        for method in &object_type.methods {
            lines.push(format!("- `{}`", signature_label(method).label));
        }
        sections.push(lines.join("\n"));
    }
    sections.join("\n\n")
}

/// The documentation of a record key: its doc, whether it is required, its default, and
/// the record it belongs to.
pub(crate) fn key_documentation(record_name: &str, field: &RecordField) -> String {
    let mut sections = Vec::new();
    if !field.doc.is_empty() {
        sections.push(field.doc.to_owned());
    }
    let mut status = if field.optional {
        "Optional".to_owned()
    } else {
        "Required".to_owned()
    };
    if let Some(default) = field
        .default
        .as_ref()
        .and_then(|value| value.to_json().ok())
    {
        status.push_str(&format!(", default `{default}`"));
    }
    status.push_str(&format!(". Key of `{record_name}`."));
    sections.push(status);
    if let Some(record) = nested_record(&field.ty) {
        let keys: Vec<String> = record.fields.iter().map(key_summary).collect();
        sections.push(format!("Keys of `{}`: {}.", record.name, keys.join(", ")));
    }
    sections.join("\n\n")
}

/// The record a key's value is (or lists), for showing its keys.
fn nested_record(ty: &Type) -> Option<std::sync::Arc<llmspell_bridge::Record>> {
    record_in(ty).or_else(|| crate::context::list_item(ty).and_then(|item| record_in(&item)))
}

/// `name: str` or `model?: str`.
pub(crate) fn key_label(field: &RecordField) -> String {
    let question = if field.optional { "?" } else { "" };
    format!("{}{question}: {}", field.name, field.ty)
}

/// The documentation of a tool: its description and its argument schema.
pub(crate) fn tool_documentation(tool: &ToolEntry) -> String {
    let mut sections = Vec::new();
    let origin = if tool.builtin {
        "built-in tool"
    } else {
        "tool defined in this spell"
    };
    sections.push(format!("**{}** — {origin}", tool.name));
    if !tool.description.is_empty() {
        sections.push(tool.description.clone());
    }
    if let Some((schema, fence)) = &tool.schema {
        sections.push(format!(
            "**Arguments**\n\n```{fence}\n{}\n```",
            schema.trim()
        ));
    }
    sections.join("\n\n")
}

/// The first sentence of a doc text (up to the first ". " or line break).
pub(crate) fn first_sentence(doc: &str) -> &str {
    let line = doc.lines().next().unwrap_or("");
    match line.find(". ") {
        Some(index) => &line[..=index],
        None => line,
    }
}
