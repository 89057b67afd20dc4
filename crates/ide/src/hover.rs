//! Hover: signature, doc text and example of host modules, functions, methods, config keys and
//! tools; for a local, its kind and inferred host type.

use llmspell_syntax::{Language, SymbolKind};

use crate::context::{At, CursorContext, ElementPosition, FrameKind, Resolved};
use crate::lexer::{Token, TokenKind};
use crate::markup::{
    code_block, function_documentation, key_documentation, key_label, module_documentation,
    signature_label, tool_documentation, type_documentation,
};
use crate::{Document, Ide, Position, Range};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    /// Markdown.
    pub markdown: String,
    /// The hovered word.
    pub range: Option<Range>,
}

impl Ide {
    pub fn hover(&self, document: &Document, position: Position) -> Option<Hover> {
        let offset = document.offset(position);
        let mut context = CursorContext::new(self, document, offset);
        // With the cursor right before a word or string, hover that word or string.
        if context.at == At::Nothing
            && let Some(after) = context.after
            && after.range.start == offset
            && matches!(after.kind, TokenKind::Identifier | TokenKind::String { .. })
        {
            let inside = document
                .text()
                .get(offset..)
                .and_then(|rest| rest.chars().next())
                .map_or(offset, |character| offset + character.len_utf8());
            context = CursorContext::new(self, document, inside);
        }
        let (markdown, range) = match context.at {
            At::Word(token) => (hover_word(&context, token)?, token.range),
            At::String(token) => {
                let content = token.string_content()?;
                (hover_string(&context, context.slice(content))?, content)
            }
            At::Comment | At::Nothing => return None,
        };
        Some(Hover {
            markdown,
            range: Some(document.range(range)),
        })
    }
}

fn hover_word(context: &CursorContext<'_>, token: Token) -> Option<String> {
    let name = context.token_text(token);
    let language = context.language;
    let api = context.ide.api();
    // A member: `agent.create`, `a:run`, `agent::create`.
    if let Some(separator) = context.member_separator() {
        let receiver = context.value_of(separator.checked_sub(1)?, 0)?;
        let owner = match receiver {
            Resolved::Module(module) => module.name.clone(),
            Resolved::Object(object_type) => object_type.name.clone(),
            Resolved::Field(field) => field.ty.to_string(),
            Resolved::Function(_) => return None,
        };
        return match context.member_of(receiver, name)? {
            Resolved::Function(function) => Some(function_hover(context, function, name)),
            Resolved::Field(field) => {
                let mut markdown =
                    code_block(language, &format!("{owner}.{}: {}", field.name, field.ty));
                if !field.doc.is_empty() {
                    markdown.push_str(&format!("\n\n{}", field.doc));
                }
                Some(markdown)
            }
            Resolved::Module(_) | Resolved::Object(_) => None,
        };
    }
    // `new Agent(…)` in JavaScript: the module's constructor.
    if name == "new"
        && let Some(after) = context.after
        && after.kind == TokenKind::Identifier
        && let Some(module) = api.module(context.token_text(after))
    {
        let constructor = module
            .functions
            .iter()
            .find(|function| function.answers_to("new"))?;
        return Some(function_hover(context, constructor, name));
    }
    // A key of a config map: `name = …`, `name: …`.
    if let Some((index, frame)) = context.innermost()
        && matches!(frame.kind, FrameKind::Literal | FrameKind::TableCall)
        && context.element_position(index) == ElementPosition::Start
        && context.after.is_some_and(|after| {
            after.kind == TokenKind::Punct
                && context.token_text(after) == if language == Language::Lua { "=" } else { ":" }
        })
    {
        let record = context.expected_record(index)?;
        let field = record.get(name)?;
        return Some(format!(
            "{}\n\n{}",
            code_block(language, &format!("(key) {}", key_label(field))),
            key_documentation(record.name, field)
        ));
    }
    // A name the spell defines.
    let analysis = context.analysis();
    if let Some(id) = analysis.symbol_at(token.range.start) {
        let symbol = analysis.symbol(id);
        let keyword = declaration_keyword(context, symbol.kind, symbol.definition.start);
        let mut declaration = format!("{keyword}{}", symbol.name);
        let object_type = match &symbol.host_type {
            Some(host_type) => api.object_type(host_type),
            None => context.parameter_type(symbol),
        };
        if let Some(object_type) = object_type {
            declaration.push_str(&format!(": {}", object_type.name));
        } else if let Some(host_type) = &symbol.host_type {
            declaration.push_str(&format!(": {host_type}"));
        } else if let Some(returned) = initial_call_type(context, symbol.definition.end) {
            declaration.push_str(&format!(": {returned}"));
        }
        let line = context.document.position(symbol.definition.start).line + 1;
        let mut markdown = format!(
            "{}\n\nDefined on line {line}.",
            code_block(language, &declaration)
        );
        if let Some(object_type) = object_type {
            markdown.push_str(&format!(
                "\n\n---\n\n`{}`: {}",
                object_type.name,
                type_documentation(object_type)
            ));
        }
        return Some(markdown);
    }
    if let Some(module) = api.module(name) {
        let mut markdown = code_block(language, &format!("(module) {name}"));
        let documentation = module_documentation(module);
        if name != module.name {
            markdown.push_str(&format!("\n\nAlias of `{}`.", module.name));
        }
        if !documentation.is_empty() {
            markdown.push_str(&format!("\n\n{documentation}"));
        }
        return Some(markdown);
    }
    api.global(name)
        .map(|function| function_hover(context, function, name))
}

fn function_hover(
    context: &CursorContext<'_>,
    function: &crate::api::FunctionInfo,
    name: &str,
) -> String {
    let mut markdown = code_block(context.language, &signature_label(function).label);
    if name != function.name {
        markdown.push_str(&format!("\n\nAlias of `{}`.", function.name));
    }
    markdown.push_str(&format!(
        "\n\n{}",
        function_documentation(function, context.language)
    ));
    markdown
}

/// The return type of the host call a name is initialised with (`local s = json.encode(x)`
/// gives `str`), when the text between the name and the call is just `=` (and `await`).
fn initial_call_type(context: &CursorContext<'_>, definition_end: usize) -> Option<String> {
    let calls = &context.analysis().host_calls;
    let first_after = calls.partition_point(|call| call.range.start < definition_end);
    let call = calls.get(first_after)?;
    let between = context.text.get(definition_end..call.range.start)?;
    let between = between.trim().strip_prefix('=')?.trim_start();
    let between = between.strip_prefix("await").unwrap_or(between).trim();
    if !between.is_empty() {
        return None;
    }
    Some(context.ide.api().callee(&call.callee)?.returns.to_string())
}

/// `local `, `const `, `let `, `function `, `fn `, `(parameter) `, `(global) `.
fn declaration_keyword(
    context: &CursorContext<'_>,
    kind: SymbolKind,
    definition: usize,
) -> &'static str {
    let line_start = context
        .text
        .get(..definition)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |index| index + 1);
    let before = context.text.get(line_start..definition).unwrap_or("");
    match kind {
        SymbolKind::Parameter => "(parameter) ",
        SymbolKind::Global => "(global) ",
        SymbolKind::Function => match context.language {
            Language::Rhai => "fn ",
            Language::Lua if before.contains("local") => "local function ",
            _ => "function ",
        },
        SymbolKind::Local => match context.language {
            Language::Lua => "local ",
            _ if before.contains("const") => "const ",
            _ if before.contains("var") => "var ",
            _ => "let ",
        },
    }
}

/// A tool name (in a `tools` list, `tools.get`, `tools.call`) or a model name.
fn hover_string(context: &CursorContext<'_>, content: &str) -> Option<String> {
    if context.names_a_tool() || context.defines_a_tool_name() {
        let tool = context
            .tools()
            .into_iter()
            .find(|tool| tool.name == content)?;
        return Some(tool_documentation(&tool));
    }
    if context.names_a_model() {
        let config = context.ide.config();
        if let Some(model) = config.models.iter().find(|model| model.id == content) {
            return Some(format!(
                "**{}** — model of provider `{}` (kind `{}`), from `llmspell.toml`.",
                model.id, model.provider, model.kind
            ));
        }
        let target = config.aliases.get(content)?;
        return Some(format!(
            "**{content}** — alias of `{target}`, from `llmspell.toml`."
        ));
    }
    match context.first_argument_of() {
        Some("agent.get") => {
            let (_, defined) = context
                .agent_names()
                .into_iter()
                .find(|(name, _)| name == content)?;
            let line = context.document.position(defined.start).line + 1;
            Some(format!(
                "**{content}** — agent created in this spell on line {line}."
            ))
        }
        Some("llm.models") => {
            let config = context.ide.config();
            config
                .providers
                .iter()
                .find(|provider| *provider == content)?;
            let models: Vec<String> = config
                .models
                .iter()
                .filter(|model| model.provider == content)
                .map(|model| format!("`{}`", model.id))
                .collect();
            let mut markdown = format!("**{content}** — provider from `llmspell.toml`.");
            if !models.is_empty() {
                markdown.push_str(&format!("\n\nModels: {}.", models.join(", ")));
            }
            Some(markdown)
        }
        _ => None,
    }
}
