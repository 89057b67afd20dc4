//! Completion: host modules and their functions, methods of values whose host type is known,
//! keys of config maps, model and tool names, symbols in scope, keywords and snippets.
//!
//! The cursor's surroundings come from [`CursorContext`]: after `receiver.` (or `:`, `::`) the
//! receiver's members; at a key position of a map literal whose record the call declares, the
//! keys not written yet; in the string value of `model`, the configured models; in a `tools`
//! list, the tool names; anywhere else an expression can start, the names in scope, modules,
//! global functions, keywords and snippets. Nothing inside comments or unrelated strings.

use llmspell_syntax::{Language, SymbolKind, TextRange};

use crate::api::FunctionInfo;
use crate::context::{At, CursorContext, ElementPosition, FrameKind, Resolved, ToolEntry};
use crate::lexer::{Bracket, TokenKind, keywords};
use crate::markup::{
    function_detail, function_documentation, key_documentation, module_documentation,
    tool_documentation, type_documentation,
};
use crate::spell_functions::parameters_at;
use crate::{Document, Ide, Position, Range};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    /// One line shown beside the label: a signature, a type.
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: Option<String>,
    /// What to insert instead of the label; a snippet (`$1`, `${1:name}`) when `is_snippet`.
    pub insert_text: Option<String>,
    pub is_snippet: bool,
    /// The text the item replaces (the word being typed), when it is not just the cursor.
    pub replace_range: Option<Range>,
    pub sort_text: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Module,
    Function,
    Method,
    /// A field of a host object or module.
    Field,
    /// A key of a config map (`name`, `system_prompt`, …).
    Property,
    Variable,
    Parameter,
    Keyword,
    Snippet,
    /// A value inside a string: a model name, a tool name.
    Value,
}

impl Ide {
    /// Completion items at `position`.
    pub fn completions(&self, document: &Document, position: Position) -> Vec<CompletionItem> {
        let offset = document.offset(position);
        let context = CursorContext::new(self, document, offset);
        let mut completions = Completions {
            replace_range: context.word_range().map(|range| document.range(range)),
            context: &context,
            items: Vec::new(),
        };
        completions.collect();
        completions.items
    }
}

struct Completions<'a, 'c> {
    context: &'c CursorContext<'a>,
    /// The word being typed, in editor terms.
    replace_range: Option<Range>,
    items: Vec<CompletionItem>,
}

impl Completions<'_, '_> {
    fn collect(&mut self) {
        let context = self.context;
        match context.at {
            At::Comment => return,
            At::String(token) => {
                if let Some(content) = token.string_content() {
                    self.string_values(content);
                }
                return;
            }
            At::Word(_) | At::Nothing => {}
        }
        if self.declares_a_name() || self.touches_a_value() {
            return;
        }
        if let Some(separator) = context.member_separator() {
            self.members(separator);
            return;
        }
        if self.follows_new() {
            self.constructible_modules();
            return;
        }
        if let Some((index, frame)) = context.innermost() {
            let position = context.element_position(index);
            let is_map = matches!(frame.kind, FrameKind::Literal | FrameKind::TableCall);
            if is_map
                && position == ElementPosition::Start
                && let Some(record) = context.expected_record(index)
            {
                self.record_keys(index, &record);
                return;
            }
            if context.names_a_tool() {
                self.tool_names(None);
            } else if context.names_a_model() {
                self.model_names(None);
            }
        }
        self.expression_start();
    }

    fn item(&self, label: impl Into<String>, kind: CompletionKind) -> CompletionItem {
        CompletionItem {
            label: label.into(),
            kind,
            detail: None,
            documentation: None,
            insert_text: None,
            is_snippet: false,
            replace_range: self.replace_range,
            sort_text: None,
        }
    }

    /// After `local`, `let`, `const`, `var`, `function`, `fn`: a new name is being typed.
    fn declares_a_name(&self) -> bool {
        let Some(last) = self.context.before.last() else {
            return false;
        };
        last.kind == TokenKind::Identifier
            && matches!(
                self.context.token_text(*last),
                "local" | "let" | "const" | "var" | "function" | "fn" | "class"
            )
    }

    /// After JavaScript's `new`: only modules with a constructor make sense.
    fn follows_new(&self) -> bool {
        self.context.language == Language::JavaScript
            && self
                .context
                .before
                .last()
                .is_some_and(|last| self.context.token_text(*last) == "new")
    }

    /// The module names (and aliases) whose module has a `new` function, `new Agent({…})`.
    fn constructible_modules(&mut self) {
        let language = self.context.language;
        for (name, module) in self.context.ide.api().module_names() {
            let Some(constructor) = module
                .functions
                .iter()
                .find(|function| function.answers_to("new"))
            else {
                continue;
            };
            let mut item = self.item(name, CompletionKind::Module);
            item.detail = Some(function_detail(constructor, language));
            item.documentation = Some(function_documentation(constructor, language));
            if !self.call_follows() {
                item.insert_text = Some(call_snippet(language, constructor, name));
                item.is_snippet = true;
            }
            item.sort_text = Some(format!("0{name}"));
            self.items.push(item);
        }
    }

    /// Right after a number, a string or a closing bracket (`1|`, `"x"|`, `f()|`) nothing
    /// can be completed.
    fn touches_a_value(&self) -> bool {
        self.context.at == At::Nothing
            && self.context.before.last().is_some_and(|last| {
                last.range.end == self.context.offset
                    && matches!(
                        last.kind,
                        TokenKind::Literal | TokenKind::String { .. } | TokenKind::Close(_)
                    )
            })
    }

    /// Whether the text after the word already opens the call (so only the name is inserted).
    fn call_follows(&self) -> bool {
        self.context.after.is_some_and(|token| {
            let opens = token.kind == TokenKind::Open(Bracket::Paren)
                || (self.context.language == Language::Lua
                    && token.kind == TokenKind::Open(Bracket::Brace));
            opens && token.range.start == self.word_end()
        })
    }

    fn word_end(&self) -> usize {
        self.context
            .word_range()
            .map_or(self.context.offset, |range| range.end)
    }

    /// Members of the value before the separator at `before[separator]`.
    fn members(&mut self, separator: usize) {
        let context = self.context;
        let separator_text = context.before_text(separator);
        let Some(receiver) = separator
            .checked_sub(1)
            .and_then(|end| context.value_of(end, 0))
        else {
            return;
        };
        let receiver = match receiver {
            Resolved::Field(field) => match &field.ty {
                llmspell_bridge::Type::Object(name) => match context.ide.api().object_type(name) {
                    Some(object_type) => Resolved::Object(object_type),
                    None => return,
                },
                _ => return,
            },
            other => other,
        };
        match receiver {
            // Module functions are called with `.` (`::` in Rhai); Lua's `:` would pass the
            // module as a first argument.
            Resolved::Module(module) if separator_text != ":" => {
                for (index, function) in module.functions.iter().enumerate() {
                    self.function_items(function, CompletionKind::Function, index);
                }
                if separator_text != "::" {
                    for (index, field) in module.fields.iter().enumerate() {
                        let mut item = self.item(field.name.clone(), CompletionKind::Field);
                        item.detail = Some(field.ty.to_string());
                        item.documentation = Some(field.doc.clone());
                        item.sort_text = Some(format!("1{index:03}"));
                        self.items.push(item);
                    }
                }
            }
            Resolved::Object(object_type) if separator_text != "::" => {
                for (index, method) in object_type.methods.iter().enumerate() {
                    self.function_items(method, CompletionKind::Method, index);
                }
                if separator_text != ":" {
                    for (index, field) in object_type.fields.iter().enumerate() {
                        let mut item = self.item(field.name.clone(), CompletionKind::Field);
                        item.detail = Some(field.ty.to_string());
                        item.documentation = Some(field.doc.clone());
                        item.sort_text = Some(format!("1{index:03}"));
                        self.items.push(item);
                    }
                }
            }
            _ => {}
        }
    }

    /// A function or method and each of its aliases.
    fn function_items(&mut self, function: &FunctionInfo, kind: CompletionKind, index: usize) {
        let language = self.context.language;
        let documentation = function_documentation(function, language);
        let names = std::iter::once(&function.name).chain(&function.aliases);
        for (alias_index, name) in names.enumerate() {
            let mut item = self.item(name.clone(), kind);
            item.detail = Some(function_detail(function, language));
            item.documentation = Some(if alias_index == 0 {
                documentation.clone()
            } else {
                format!("Alias of `{}`.\n\n{documentation}", function.name)
            });
            if !self.call_follows() {
                item.insert_text = Some(call_snippet(language, function, name));
                item.is_snippet = true;
            }
            item.sort_text = Some(format!("0{index:03}{alias_index}"));
            self.items.push(item);
        }
    }

    /// The keys of `record` not yet written in the map literal of frame `frame_index`.
    fn record_keys(&mut self, frame_index: usize, record: &llmspell_bridge::Record) {
        let context = self.context;
        let present = context.present_keys(frame_index);
        let separator_follows = context.after.is_some_and(|token| {
            token.kind == TokenKind::Punct
                && matches!(context.token_text(token), "=" | ":")
                && context
                    .slice(TextRange::new(self.word_end(), token.range.start))
                    .trim()
                    .is_empty()
        });
        let separator = if context.language == Language::Lua {
            " = "
        } else {
            ": "
        };
        for (index, field) in record.fields.iter().enumerate() {
            if present.iter().any(|key| key == field.name) {
                continue;
            }
            let mut item = self.item(field.name, CompletionKind::Property);
            item.detail = Some(field.ty.to_string());
            item.documentation = Some(key_documentation(record.name, field));
            if !separator_follows {
                item.insert_text = Some(format!("{}{separator}", field.name));
            }
            item.sort_text = Some(format!("0{index:03}"));
            self.items.push(item);
        }
    }

    /// Completion inside a string: model names for `model`, tool names in `tools` lists and
    /// for `tools.get` / `tools.call`; nothing in other strings.
    fn string_values(&mut self, content: TextRange) {
        let range = self.context.document.range(content);
        if self.context.names_a_model() {
            self.model_names(Some(range));
        } else if self.context.names_a_tool() {
            self.tool_names(Some(range));
        } else {
            match self.context.first_argument_of() {
                Some("llm.models") => self.provider_names(range),
                Some("agent.get") => self.agent_names(range),
                _ => {}
            }
        }
    }

    /// The configured providers, inside the string argument of `llm.models`.
    fn provider_names(&mut self, range: Range) {
        let config = self.context.ide.config();
        for (index, provider) in config.providers.iter().enumerate() {
            let mut item = self.item(provider.clone(), CompletionKind::Value);
            let kind = config
                .models
                .iter()
                .find(|model| &model.provider == provider)
                .map(|model| format!("{} provider", model.kind));
            item.detail = Some(kind.unwrap_or_else(|| "provider".to_owned()));
            item.documentation = Some(format!("Provider `{provider}`, from `llmspell.toml`."));
            item.replace_range = Some(range);
            item.sort_text = Some(format!("0{index:03}"));
            self.items.push(item);
        }
    }

    /// The agents the spell creates with a literal name, inside the string argument of
    /// `agent.get`.
    fn agent_names(&mut self, range: Range) {
        let context = self.context;
        for (index, (name, defined)) in context.agent_names().into_iter().enumerate() {
            let line = context.document.position(defined.start).line + 1;
            let mut item = self.item(name, CompletionKind::Value);
            item.detail = Some("agent created in this spell".to_owned());
            item.documentation = Some(format!("Created on line {line}."));
            item.replace_range = Some(range);
            item.sort_text = Some(format!("0{index:03}"));
            self.items.push(item);
        }
    }

    /// Configured models and aliases. Inside a string (`in_string` is its content range) the
    /// content is replaced; at a value position the name is inserted quoted.
    fn model_names(&mut self, in_string: Option<Range>) {
        let config = self.context.ide.config();
        let mut entries: Vec<(String, String, String)> = Vec::new();
        for model in &config.models {
            let default = if config.default_model.as_deref() == Some(model.id.as_str()) {
                " (default)"
            } else {
                ""
            };
            entries.push((
                model.id.clone(),
                format!("{} model{default}", model.kind),
                format!(
                    "Model `{}` of provider `{}` (kind `{}`), from `llmspell.toml`.",
                    model.id, model.provider, model.kind
                ),
            ));
        }
        for (alias, target) in &config.aliases {
            entries.push((
                alias.clone(),
                format!("alias of {target}"),
                format!("Alias of `{target}`, from `llmspell.toml`."),
            ));
        }
        for (index, (name, detail, documentation)) in entries.into_iter().enumerate() {
            let mut item = self.item(name.clone(), CompletionKind::Value);
            item.detail = Some(detail);
            item.documentation = Some(documentation);
            match in_string {
                Some(range) => item.replace_range = Some(range),
                None => item.insert_text = Some(format!("\"{name}\"")),
            }
            item.sort_text = Some(format!("0{index:03}"));
            self.items.push(item);
        }
    }

    /// Built-in tools and the tools this spell defines.
    fn tool_names(&mut self, in_string: Option<Range>) {
        let tools: Vec<ToolEntry> = self.context.tools();
        // In a `tools` list, the tools already listed are not offered again.
        let listed = match self.context.innermost() {
            Some((index, frame)) if frame.kind == FrameKind::Literal => {
                self.context.present_strings(index)
            }
            _ => Vec::new(),
        };
        for (index, tool) in tools.iter().enumerate() {
            if listed.contains(&tool.name) {
                continue;
            }
            let mut item = self.item(tool.name.clone(), CompletionKind::Value);
            item.detail = Some(if tool.builtin {
                "built-in tool".to_owned()
            } else {
                "tool defined in this spell".to_owned()
            });
            item.documentation = Some(tool_documentation(tool));
            match in_string {
                Some(range) => item.replace_range = Some(range),
                None => item.insert_text = Some(format!("\"{}\"", tool.name)),
            }
            item.sort_text = Some(format!("0{index:03}"));
            self.items.push(item);
        }
    }

    /// Where an expression can start: names in scope, modules, global functions, keywords
    /// and snippets.
    fn expression_start(&mut self) {
        let context = self.context;
        let analysis = context.analysis();
        let api = context.ide.api();
        let language = context.language;
        let mut seen: Vec<&str> = Vec::new();
        let typed_prefix = context
            .word_range()
            .map(|word| context.slice(TextRange::new(word.start, context.offset)))
            .unwrap_or("")
            .to_lowercase();
        for id in context.visible() {
            let symbol = analysis.symbol(*id);
            // The word being typed is itself a reference to an unknown global in Lua.
            if context
                .word_range()
                .is_some_and(|word| symbol.definition == word)
            {
                continue;
            }
            let kind = match symbol.kind {
                SymbolKind::Function => CompletionKind::Function,
                SymbolKind::Parameter => CompletionKind::Parameter,
                SymbolKind::Local | SymbolKind::Global => CompletionKind::Variable,
            };
            let mut item = self.item(symbol.name.clone(), kind);
            item.detail = Some(match &symbol.host_type {
                Some(host_type) => host_type.clone(),
                None => symbol_kind_word(symbol.kind).to_owned(),
            });
            // The spell's own functions: a call snippet with their parameters (looked up in
            // the tree only for names the client will show, those matching the typed prefix).
            if symbol.host_type.is_none()
                && symbol.name.to_lowercase().starts_with(&typed_prefix)
                && let Some(parameters) = parameters_at(context.document, symbol.definition)
            {
                item.kind = CompletionKind::Function;
                item.detail = Some(format!(
                    "function {}({})",
                    symbol.name,
                    parameters.join(", ")
                ));
                if !self.call_follows() {
                    item.insert_text = Some(spell_call_snippet(&symbol.name, &parameters));
                    item.is_snippet = true;
                }
            }
            if let Some(object_type) = symbol
                .host_type
                .as_deref()
                .and_then(|name| api.object_type(name))
            {
                item.documentation = Some(type_documentation(object_type));
            }
            item.sort_text = Some(format!("1{}", symbol.name));
            seen.push(&symbol.name);
            self.items.push(item);
        }
        for (name, module) in api.module_names() {
            if module.kind == "globals" || seen.contains(&name) {
                continue;
            }
            let mut item = self.item(name, CompletionKind::Module);
            item.detail = Some(if name == module.name {
                "module".to_owned()
            } else {
                format!("module (alias of {})", module.name)
            });
            item.documentation = Some(module_documentation(module));
            item.sort_text = Some(format!("2{name}"));
            self.items.push(item);
        }
        for function in api.globals() {
            if seen.contains(&function.name.as_str()) {
                continue;
            }
            let mut item = self.item(function.name.clone(), CompletionKind::Function);
            item.detail = Some(function_detail(function, language));
            item.documentation = Some(function_documentation(function, language));
            if !self.call_follows() {
                item.insert_text = Some(call_snippet(language, function, &function.name));
                item.is_snippet = true;
            }
            item.sort_text = Some(format!("2{}", function.name));
            self.items.push(item);
        }
        // Keywords and snippets start statements: offered at the top level, in blocks and in
        // function bodies (also a Lua `function … end` inside a table or an argument list);
        // inside an argument list or a map only the keywords that are values.
        let at_statement = match context.innermost() {
            None => true,
            Some((index, frame)) => {
                frame.kind == FrameKind::Other || context.element_has_function(index)
            }
        };
        let in_brackets = !at_statement;
        for keyword in keywords(language) {
            if in_brackets && !is_value_keyword(keyword) {
                continue;
            }
            let mut item = self.item(*keyword, CompletionKind::Keyword);
            item.sort_text = Some(format!("4{keyword}"));
            self.items.push(item);
        }
        if !in_brackets {
            for (label, detail, body) in snippets(language) {
                let mut item = self.item(label, CompletionKind::Snippet);
                item.detail = Some(detail.to_owned());
                item.documentation = Some(crate::markup::code_block(
                    language,
                    &strip_placeholders(body),
                ));
                item.insert_text = Some(body.to_owned());
                item.is_snippet = true;
                item.sort_text = Some(format!("3{label}"));
                self.items.push(item);
            }
        }
    }
}

/// What to insert for a call of `function` under `name`: `create{$0}` for a Lua function
/// taking one config map, `create({$0})` / `create(#{$0})` in JavaScript and Rhai, and
/// otherwise the required parameters as placeholders, `save(${1:key}, ${2:value})`.
fn call_snippet(language: Language, function: &FunctionInfo, name: &str) -> String {
    let required: Vec<&str> = function
        .params
        .iter()
        .filter(|param| !param.optional && !param.variadic)
        .map(|param| param.name.as_str())
        .collect();
    let takes_config = function.params.len() == 1
        && matches!(function.params[0].ty, llmspell_bridge::Type::Record(_));
    if takes_config {
        return match language {
            Language::Lua => format!("{name}{{$0}}"),
            Language::JavaScript => format!("{name}({{ $0 }})"),
            Language::Rhai => format!("{name}(#{{ $0 }})"),
        };
    }
    if required.is_empty() {
        return if function.params.is_empty() {
            format!("{name}()$0")
        } else {
            format!("{name}($0)")
        };
    }
    let placeholders: Vec<String> = required
        .iter()
        .enumerate()
        .map(|(index, param)| format!("${{{}:{param}}}", index + 1))
        .collect();
    format!("{name}({})$0", placeholders.join(", "))
}

/// `greet(${1:name}, ${2:greeting})$0` for a function the spell defines (a trailing `...`
/// is left for the user to fill).
fn spell_call_snippet(name: &str, parameters: &[String]) -> String {
    let placeholders: Vec<String> = parameters
        .iter()
        .filter(|parameter| !parameter.starts_with("..."))
        .enumerate()
        .map(|(index, parameter)| {
            let escaped: String = parameter
                .chars()
                .flat_map(|character| match character {
                    '$' | '}' | '\\' => vec!['\\', character],
                    other => vec![other],
                })
                .collect();
            format!("${{{}:{escaped}}}", index + 1)
        })
        .collect();
    if parameters.is_empty() {
        return format!("{name}()$0");
    }
    if placeholders.is_empty() {
        return format!("{name}($0)");
    }
    format!("{name}({})$0", placeholders.join(", "))
}

fn symbol_kind_word(kind: SymbolKind) -> &'static str {
    match kind {
        SymbolKind::Function => "function",
        SymbolKind::Local => "local",
        SymbolKind::Parameter => "parameter",
        SymbolKind::Global => "global",
    }
}

/// Keywords that are values (and `function`, which starts one), offered inside brackets too.
fn is_value_keyword(keyword: &str) -> bool {
    matches!(
        keyword,
        "true"
            | "false"
            | "nil"
            | "null"
            | "undefined"
            | "function"
            | "fn"
            | "not"
            | "new"
            | "await"
            | "this"
    )
}

/// Snippets for common spell shapes: label, detail, snippet body.
fn snippets(language: Language) -> [(&'static str, &'static str, &'static str); 3] {
    match language {
        Language::Lua => [
            (
                "agent",
                "create an agent",
                "local ${1:assistant} = agent.create{\n\tname = \"${2:assistant}\",\n\tsystem_prompt = \"${3:You are a helpful assistant.}\",\n}\n$0",
            ),
            (
                "workflow",
                "a sequential workflow with steps",
                "local ${1:pipeline} = workflow.sequential{\n\tname = \"${2:pipeline}\",\n\tsteps = {\n\t\t${3:first_step},\n\t\t{ name = \"${4:finish}\", run = function(state)\n\t\t\t$0\n\t\tend },\n\t},\n}",
            ),
            (
                "tool",
                "define a tool with an argument schema",
                "local ${1:tool} = tools.define{\n\tname = \"${2:tool_name}\",\n\tdescription = \"${3:What the tool does}\",\n\tparams = {\n\t\ttype = \"object\",\n\t\tproperties = { ${4:text} = { type = \"string\" } },\n\t\trequired = { \"${4:text}\" },\n\t},\n\trun = function(args)\n\t\t$0\n\tend,\n}",
            ),
        ],
        Language::JavaScript => [
            (
                "agent",
                "create an agent",
                "const ${1:assistant} = agent.create({\n\tname: \"${2:assistant}\",\n\tsystem_prompt: \"${3:You are a helpful assistant.}\",\n});\n$0",
            ),
            (
                "workflow",
                "a sequential workflow with steps",
                "const ${1:pipeline} = workflow.sequential({\n\tname: \"${2:pipeline}\",\n\tsteps: [\n\t\t${3:firstStep},\n\t\t{ name: \"${4:finish}\", run: (state) => {\n\t\t\t$0\n\t\t} },\n\t],\n});",
            ),
            (
                "tool",
                "define a tool with an argument schema",
                "const ${1:tool} = tools.define({\n\tname: \"${2:tool_name}\",\n\tdescription: \"${3:What the tool does}\",\n\tparams: {\n\t\ttype: \"object\",\n\t\tproperties: { ${4:text}: { type: \"string\" } },\n\t\trequired: [\"${4:text}\"],\n\t},\n\trun: (args) => {\n\t\t$0\n\t},\n});",
            ),
        ],
        Language::Rhai => [
            (
                "agent",
                "create an agent",
                "let ${1:assistant} = agent.create(#{\n\tname: \"${2:assistant}\",\n\tsystem_prompt: \"${3:You are a helpful assistant.}\",\n});\n$0",
            ),
            (
                "workflow",
                "a sequential workflow with steps",
                "let ${1:pipeline} = workflow.sequential(#{\n\tname: \"${2:pipeline}\",\n\tsteps: [\n\t\t${3:first_step},\n\t\t#{ name: \"${4:finish}\", run: |state| {\n\t\t\t$0\n\t\t} },\n\t],\n});",
            ),
            (
                "tool",
                "define a tool with an argument schema",
                "let ${1:tool} = tools.define(#{\n\tname: \"${2:tool_name}\",\n\tdescription: \"${3:What the tool does}\",\n\tparams: #{\n\t\ttype: \"object\",\n\t\tproperties: #{ ${4:text}: #{ type: \"string\" } },\n\t\trequired: [\"${4:text}\"],\n\t},\n\trun: |args| {\n\t\t$0\n\t},\n});",
            ),
        ],
    }
}

/// A snippet body as plain code, for the documentation preview.
fn strip_placeholders(body: &str) -> String {
    let mut plain = String::new();
    let mut rest = body;
    while let Some(index) = rest.find('$') {
        plain.push_str(&rest[..index]);
        rest = &rest[index + 1..];
        if let Some(inner) = rest.strip_prefix('{') {
            let end = inner.find('}').unwrap_or(inner.len());
            let placeholder = &inner[..end];
            plain.push_str(placeholder.split_once(':').map_or("", |(_, text)| text));
            rest = inner.get(end + 1..).unwrap_or("");
        } else {
            rest = rest.trim_start_matches(|character: char| character.is_ascii_digit());
        }
    }
    plain.push_str(rest);
    plain.replace('\t', "  ")
}
