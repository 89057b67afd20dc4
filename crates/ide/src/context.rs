//! What surrounds the cursor: the word or string it is in, the brackets it is inside (each an
//! argument list, a map or list literal, or something else), and what the host API says about
//! them — which function a call calls, which record a map literal is, which host value an
//! expression before `.` holds.
//!
//! Completion, hover and signature help all start here. The context is read from tokens
//! ([`crate::lexer`]), starting at a point the parse tree says is safe (the first top-level
//! statement of the run of broken statements around the cursor), so it works the same in the
//! half-typed code the tree cannot make sense of. Symbols and their host types come from the
//! document's cached analysis.

use std::cell::OnceCell;
use std::sync::Arc;

use llmspell_bridge::{Record, Type};
use llmspell_syntax::{
    Analysis, Language, Literal, Symbol, SymbolId, SymbolKind, TextRange, tree_sitter,
};

use crate::api::{FieldInfo, FunctionInfo, ModuleInfo, TypeInfo};
use crate::lexer::{Bracket, Lexer, Token, TokenKind, is_keyword};
use crate::{Document, Ide};

/// The cursor's surroundings in one document.
pub(crate) struct CursorContext<'a> {
    pub ide: &'a Ide,
    pub document: &'a Document,
    pub text: &'a str,
    pub language: Language,
    /// The cursor as a byte offset (on a character boundary).
    pub offset: usize,
    /// Significant tokens (no comments) that start before the cursor, without the word or
    /// string the cursor is in.
    pub before: Vec<Token>,
    /// What the cursor is in.
    pub at: At,
    /// The first token starting at or after the cursor (after the word the cursor is in).
    pub after: Option<Token>,
    /// The brackets open at the cursor, outermost first.
    pub frames: Vec<Frame>,
    visible: OnceCell<Vec<SymbolId>>,
}

/// What the cursor is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum At {
    Comment,
    /// Inside this string's content.
    String(Token),
    /// Touching this identifier (the cursor is after its first character).
    Word(Token),
    Nothing,
}

/// An open bracket around the cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Frame {
    pub bracket: Bracket,
    /// Index of the opening token in `before`.
    pub open: usize,
    pub kind: FrameKind,
    /// Top-level separators (`,`, and `;` in Lua tables) seen so far: the index of the current
    /// argument or element.
    pub separators: usize,
    /// Index in `before` of the first token of the current argument or element.
    pub element_start: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FrameKind {
    /// `f(`: an argument list.
    Call,
    /// Lua `f{`: a table that is the call's only argument.
    TableCall,
    /// A map or list literal: a Lua table, a JavaScript object or array, a Rhai map or array.
    Literal,
    /// Grouping parentheses, blocks, indexing, interpolations, parameter lists.
    Other,
}

/// How a literal frame sits in its parent frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// The `index`th argument of the call whose frame is `call`.
    Argument {
        call: usize,
        index: usize,
    },
    /// The value of `key` in the map whose frame is `map`.
    Value {
        map: usize,
        key: String,
    },
    /// An item of the list whose frame is `list`.
    Item {
        list: usize,
    },
    Unknown,
}

/// What an expression before the cursor denotes, as far as the host API can tell.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Resolved<'a> {
    Module(&'a ModuleInfo),
    /// A value of a host object type.
    Object(&'a TypeInfo),
    /// A host function or method (not called).
    Function(&'a FunctionInfo),
    /// A field of a module or object.
    Field(&'a FieldInfo),
}

/// Where the cursor is inside the current element of its innermost frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ElementPosition {
    /// Nothing typed yet in this element (right after the opening bracket or a separator).
    Start,
    /// Right after `key =` / `key:`.
    Value(String),
    /// Somewhere inside an expression.
    Inside,
}

/// A tool the spell can name: built in, or defined in the spell with `tools.define`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ToolEntry {
    pub name: String,
    pub description: String,
    /// The argument schema as source text, when known, and the fence name of its language
    /// (`json` for built-in tools, the spell's language for tools it defines).
    pub schema: Option<(String, &'static str)>,
    pub builtin: bool,
}

impl<'a> CursorContext<'a> {
    pub fn new(ide: &'a Ide, document: &'a Document, offset: usize) -> CursorContext<'a> {
        let text = document.text();
        let mut offset = offset.min(text.len());
        while offset > 0 && !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let language = document.language();
        let start = window_start(document, offset);
        let mut before = Vec::new();
        let mut at = At::Nothing;
        let mut after = None;
        for token in Lexer::new(language, text, start) {
            if token.range.start >= offset {
                after = Some(token);
                break;
            }
            if token.range.end >= offset {
                match token.kind {
                    TokenKind::Comment { open_end } if offset < token.range.end || open_end => {
                        at = At::Comment;
                        continue;
                    }
                    TokenKind::String { content, .. }
                        if content.start <= offset && offset <= content.end =>
                    {
                        at = At::String(token);
                        continue;
                    }
                    TokenKind::Identifier => {
                        at = At::Word(token);
                        continue;
                    }
                    _ => {}
                }
            }
            if !token.is_comment() {
                before.push(token);
            }
        }
        let mut context = CursorContext {
            ide,
            document,
            text,
            language,
            offset,
            before,
            at,
            after,
            frames: Vec::new(),
            visible: OnceCell::new(),
        };
        context.frames = context.open_frames();
        context
    }

    pub fn analysis(&self) -> &'a Analysis {
        self.document.analysis(self.ide)
    }

    pub fn token_text(&self, token: Token) -> &'a str {
        token.text(self.text)
    }

    /// The text of `before[index]`, or "" past the ends.
    pub fn before_text(&self, index: usize) -> &'a str {
        self.before
            .get(index)
            .map_or("", |token| token.text(self.text))
    }

    /// The word being typed (the identifier the cursor touches), as a byte range.
    pub fn word_range(&self) -> Option<TextRange> {
        match self.at {
            At::Word(token) => Some(token.range),
            _ => None,
        }
    }

    /// The symbols visible at the cursor, innermost first.
    pub fn visible(&self) -> &[SymbolId] {
        self.visible
            .get_or_init(|| self.analysis().visible_at(self.offset))
    }

    /// The visible symbol named `name`.
    pub fn visible_symbol(&self, name: &str) -> Option<SymbolId> {
        let analysis = self.analysis();
        self.visible()
            .iter()
            .copied()
            .find(|id| analysis.symbol(*id).name == name)
    }

    /// Whether the token is a separator between an expression and a member name.
    pub fn is_member_separator(&self, token: Token) -> bool {
        token.kind == TokenKind::Punct
            && match token.text(self.text) {
                "." | "?." => true,
                ":" => self.language == Language::Lua,
                "::" => self.language == Language::Rhai,
                _ => false,
            }
    }

    /// When the cursor follows `receiver.` (`:`, `::`, `?.`): the index of the separator.
    pub fn member_separator(&self) -> Option<usize> {
        let last = self.before.len().checked_sub(1)?;
        self.is_member_separator(self.before[last]).then_some(last)
    }

    /// The frame the cursor is directly in.
    pub fn innermost(&self) -> Option<(usize, &Frame)> {
        self.frames
            .len()
            .checked_sub(1)
            .map(|index| (index, &self.frames[index]))
    }

    /// Where the cursor is in the current element of frame `frame_index`.
    pub fn element_position(&self, frame_index: usize) -> ElementPosition {
        let frame = &self.frames[frame_index];
        let element = &self.before[frame.element_start.min(self.before.len())..];
        if element.is_empty() {
            return ElementPosition::Start;
        }
        match self.element_key(element) {
            Some((key, length)) if length == element.len() => ElementPosition::Value(key),
            _ => ElementPosition::Inside,
        }
    }

    /// `key =` (Lua), `key:` (JavaScript, Rhai), `"key" =`/`"key":`, `["key"] =` at the start of
    /// `tokens`: the key and how many tokens it takes.
    pub fn element_key(&self, tokens: &[Token]) -> Option<(String, usize)> {
        let separator = if self.language == Language::Lua {
            "="
        } else {
            ":"
        };
        let is_separator =
            |token: &Token| token.kind == TokenKind::Punct && token.text(self.text) == separator;
        match tokens {
            [first, second, ..] if is_separator(second) => match first.kind {
                TokenKind::Identifier => Some((first.text(self.text).to_owned(), 2)),
                TokenKind::String { content, .. } => Some((self.slice(content).to_owned(), 2)),
                _ => None,
            },
            [open, key, close, equals, ..]
                if self.language == Language::Lua
                    && open.kind == TokenKind::Open(Bracket::Square)
                    && close.kind == TokenKind::Close(Bracket::Square)
                    && is_separator(equals) =>
            {
                Some((self.slice(key.string_content()?).to_owned(), 4))
            }
            _ => None,
        }
    }

    pub fn slice(&self, range: TextRange) -> &'a str {
        self.text.get(range.start..range.end).unwrap_or("")
    }

    /// How the literal frame `frame_index` sits in its parent frame.
    pub fn role(&self, frame_index: usize) -> Role {
        let Some(parent_index) = frame_index.checked_sub(1) else {
            return Role::Unknown;
        };
        let frame = &self.frames[frame_index];
        let parent = &self.frames[parent_index];
        let element = self
            .before
            .get(parent.element_start..frame.open)
            .unwrap_or(&[]);
        match parent.kind {
            FrameKind::Call if element.is_empty() => Role::Argument {
                call: parent_index,
                index: parent.separators,
            },
            FrameKind::TableCall | FrameKind::Literal => {
                if element.is_empty() {
                    return Role::Item { list: parent_index };
                }
                match self.element_key(element) {
                    Some((key, length)) if length == element.len() => Role::Value {
                        map: parent_index,
                        key,
                    },
                    _ => Role::Unknown,
                }
            }
            _ => Role::Unknown,
        }
    }

    /// The host function a call frame calls.
    pub fn callee(&self, frame_index: usize) -> Option<&'a FunctionInfo> {
        let frame = self.frames.get(frame_index)?;
        if !matches!(frame.kind, FrameKind::Call | FrameKind::TableCall) {
            return None;
        }
        self.called_function(frame.open)
    }

    /// The host function called by the bracket at `before[open]` (`f(`, Lua `f{`).
    pub fn called_function(&self, open: usize) -> Option<&'a FunctionInfo> {
        self.called_function_at_depth(open, 0)
    }

    /// What the expression ending at `before[index]` denotes.
    pub fn value_of(&self, index: usize, depth: usize) -> Option<Resolved<'a>> {
        if depth > 32 {
            return None;
        }
        let token = *self.before.get(index)?;
        match token.kind {
            TokenKind::Identifier => {
                let name = token.text(self.text);
                // After a separator any word is a member name (`workflow.loop` in Rhai).
                if index >= 2 && self.is_member_separator(self.before[index - 1]) {
                    return self.member_of(self.value_of(index - 2, depth + 1)?, name);
                }
                if is_keyword(self.language, name) {
                    return None;
                }
                self.name_value(name)
            }
            TokenKind::Close(_) => {
                let open = self.matching_open(index)?;
                let opener = self.before[open];
                let is_call = open >= 1
                    && (is_expression_end(self.language, self.text, self.before[open - 1])
                        || self.follows_member_separator(open - 1))
                    && match opener.kind {
                        TokenKind::Open(Bracket::Paren) => true,
                        TokenKind::Open(Bracket::Brace) => self.language == Language::Lua,
                        _ => false,
                    };
                if is_call {
                    let function = self.called_function_at_depth(open, depth + 1)?;
                    return self.returned_object(function).map(Resolved::Object);
                }
                if opener.kind == TokenKind::Open(Bracket::Paren) && index >= 1 {
                    // `(await a.run())`: the value of what is inside.
                    return self.value_of(index - 1, depth + 1);
                }
                None
            }
            _ => None,
        }
    }

    fn called_function_at_depth(&self, open: usize, depth: usize) -> Option<&'a FunctionInfo> {
        let callee_end = open.checked_sub(1)?;
        match self.value_of(callee_end, depth)? {
            Resolved::Function(function) => Some(function),
            Resolved::Module(module)
                if callee_end >= 1 && self.before_text(callee_end - 1) == "new" =>
            {
                module
                    .functions
                    .iter()
                    .find(|function| function.answers_to("new"))
            }
            _ => None,
        }
    }

    /// What a bare name denotes: a visible symbol (its host type), a module, a global function.
    pub fn name_value(&self, name: &str) -> Option<Resolved<'a>> {
        let api = self.ide.api();
        if let Some(symbol) = self.visible_symbol(name) {
            let symbol = self.analysis().symbol(symbol);
            return match symbol.host_type.as_deref() {
                Some(host_type) => api.object_type(host_type).map(Resolved::Object),
                None => self.parameter_type(symbol).map(Resolved::Object),
            };
        }
        if let Some(module) = api.module(name) {
            return Some(Resolved::Module(module));
        }
        api.global(name).map(Resolved::Function)
    }

    /// A member of a module or object by name.
    pub fn member_of(&self, receiver: Resolved<'a>, name: &str) -> Option<Resolved<'a>> {
        let api = self.ide.api();
        let (functions, fields) = match receiver {
            Resolved::Module(module) => (&module.functions, &module.fields),
            Resolved::Object(object_type) => (&object_type.methods, &object_type.fields),
            Resolved::Field(field) => {
                let Type::Object(type_name) = &field.ty else {
                    return None;
                };
                return self.member_of(Resolved::Object(api.object_type(type_name)?), name);
            }
            Resolved::Function(_) => return None,
        };
        if let Some(function) = functions.iter().find(|function| function.answers_to(name)) {
            return Some(Resolved::Function(function));
        }
        fields
            .iter()
            .find(|field| field.name == name)
            .map(Resolved::Field)
    }

    /// The object type a function returns, when it returns exactly one.
    pub fn returned_object(&self, function: &FunctionInfo) -> Option<&'a TypeInfo> {
        match &function.returns {
            Type::Object(name) => self.ide.api().object_type(name),
            _ => None,
        }
    }

    /// The index of the bracket that `before[close]` closes.
    fn matching_open(&self, close: usize) -> Option<usize> {
        let mut depth = 0usize;
        for index in (0..=close).rev() {
            match self.before[index].kind {
                TokenKind::Close(_) => depth += 1,
                TokenKind::Open(_) => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(index);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// The type a literal frame is expected to have, from the call it is an argument of and
    /// the record keys and list items between.
    pub fn expected_type(&self, frame_index: usize) -> Option<Type> {
        enum Step {
            Key(String),
            Item,
        }
        let mut steps = Vec::new();
        let mut current = frame_index;
        let base = loop {
            let frame = self.frames.get(current)?;
            match frame.kind {
                FrameKind::TableCall => break self.callee(current)?.params.first()?.ty.clone(),
                FrameKind::Literal => {}
                _ => return None,
            }
            match self.role(current) {
                Role::Argument { call, index } => {
                    let function = self.callee(call)?;
                    break parameter(function, index)?.ty.clone();
                }
                Role::Value { map, key } => {
                    steps.push(Step::Key(key));
                    current = map;
                }
                Role::Item { list } => {
                    steps.push(Step::Item);
                    current = list;
                }
                Role::Unknown => return None,
            }
        };
        let mut ty = base;
        for step in steps.iter().rev() {
            ty = match step {
                Step::Key(key) => record_in(&ty)?.get(key)?.ty.clone(),
                Step::Item => list_item(&ty)?,
            };
        }
        Some(ty)
    }

    /// The record a literal frame is expected to be.
    pub fn expected_record(&self, frame_index: usize) -> Option<Arc<Record>> {
        record_in(&self.expected_type(frame_index)?)
    }

    /// The keys already written in the map literal of frame `frame_index` (before and after
    /// the cursor), except the one being typed.
    pub fn present_keys(&self, frame_index: usize) -> Vec<String> {
        let mut keys = Vec::new();
        self.other_elements(frame_index, |head| {
            if let Some((key, _)) = self.element_key(head) {
                keys.push(key);
            }
        });
        keys
    }

    /// The string items already written in the list literal of frame `frame_index` (before
    /// and after the cursor), except the one being typed.
    pub fn present_strings(&self, frame_index: usize) -> Vec<String> {
        let mut strings = Vec::new();
        self.other_elements(frame_index, |head| {
            if let [first, ..] = head
                && let Some(content) = first.string_content()
            {
                strings.push(self.slice(content).to_owned());
            }
        });
        strings
    }

    /// Calls `visit` with the first tokens (up to four) of every element of frame
    /// `frame_index` other than the cursor's: those before it, then those after it up to the
    /// bracket that closes the frame (reading at most 20,000 tokens on).
    fn other_elements(&self, frame_index: usize, mut visit: impl FnMut(&[Token])) {
        const HEAD: usize = 4;
        let Some(frame) = self.frames.get(frame_index) else {
            return;
        };
        let mut depth = 0usize;
        let mut element_start = frame.open + 1;
        let end = frame.element_start.min(self.before.len());
        for index in frame.open + 1..end {
            if index == element_start {
                let head_end = (index + HEAD).min(end);
                visit(&self.before[index..head_end]);
            }
            let token = self.before[index];
            match token.kind {
                TokenKind::Open(_) => depth += 1,
                TokenKind::Close(_) => depth = depth.saturating_sub(1),
                TokenKind::Punct if depth == 0 && self.is_element_separator(token) => {
                    element_start = index + 1;
                }
                _ => {}
            }
        }
        let Some(after) = self.after else {
            return;
        };
        let mut depth = 0usize;
        // The head of the element being read, once past the cursor's own element.
        let mut head: Option<Vec<Token>> = None;
        for token in Lexer::new(self.language, self.text, after.range.start).take(20_000) {
            if token.is_comment() {
                continue;
            }
            let closes_frame = depth == 0 && matches!(token.kind, TokenKind::Close(_));
            let separates =
                depth == 0 && token.kind == TokenKind::Punct && self.is_element_separator(token);
            if let Some(tokens) = head.as_mut() {
                if closes_frame || separates || tokens.len() == HEAD {
                    if !tokens.is_empty() {
                        visit(tokens);
                    }
                    head = None;
                } else {
                    tokens.push(token);
                }
            }
            if closes_frame {
                break;
            }
            if separates {
                head = Some(Vec::new());
            }
            match token.kind {
                TokenKind::Open(_) => depth += 1,
                TokenKind::Close(_) => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }

    fn is_element_separator(&self, token: Token) -> bool {
        match token.text(self.text) {
            "," => true,
            ";" => self.language == Language::Lua,
            _ => false,
        }
    }

    /// The qualified name of the host function whose first argument the cursor is at
    /// (`agent.get(|`, `llm.models("|`), if it is.
    pub fn first_argument_of(&self) -> Option<&'a str> {
        let (index, frame) = self.innermost()?;
        if frame.kind != FrameKind::Call
            || frame.separators != 0
            || self.element_position(index) != ElementPosition::Start
        {
            return None;
        }
        self.callee(index)
            .map(|function| function.qualified.as_str())
    }

    /// Whether the cursor is at the `name` of a tool the spell defines (`tools.define{ name = "|" }`).
    pub fn defines_a_tool_name(&self) -> bool {
        let Some((index, frame)) = self.innermost() else {
            return false;
        };
        matches!(frame.kind, FrameKind::Literal | FrameKind::TableCall)
            && self.element_position(index) == ElementPosition::Value("name".to_owned())
            && self.callee_of_map(index) == Some("tools.define")
    }

    /// The qualified name of the host function a map literal frame is the argument of.
    fn callee_of_map(&self, frame_index: usize) -> Option<&'a str> {
        let frame = self.frames.get(frame_index)?;
        let function = match frame.kind {
            FrameKind::TableCall => self.callee(frame_index)?,
            _ => match self.role(frame_index) {
                Role::Argument { call, .. } => self.callee(call)?,
                _ => return None,
            },
        };
        Some(function.qualified.as_str())
    }

    /// The agents the spell creates with a literal name: name and the range of the name.
    pub fn agent_names(&self) -> Vec<(String, TextRange)> {
        let api = self.ide.api();
        let mut names = Vec::new();
        for call in &self.analysis().host_calls {
            if api
                .callee(&call.callee)
                .is_none_or(|function| function.qualified != "agent.create")
            {
                continue;
            }
            let Some(Literal::Map(entries)) = call
                .arguments
                .first()
                .map(|argument| &argument.value.literal)
            else {
                continue;
            };
            for (key, _, value) in entries {
                if let (true, Literal::String(name)) = (key == "name", &value.literal)
                    && !names.iter().any(|(known, _)| known == name)
                {
                    names.push((name.clone(), value.range));
                }
            }
        }
        names
    }

    /// Whether the cursor's string (or value position) belongs to the item list of a
    /// `tools = { … }` key, or is the name argument of `tools.get` / `tools.call`.
    pub fn names_a_tool(&self) -> bool {
        let Some((index, frame)) = self.innermost() else {
            return false;
        };
        if self.element_position(index) != ElementPosition::Start {
            return false;
        }
        match frame.kind {
            FrameKind::Literal => {
                matches!(self.role(index), Role::Value { key, .. } if key == "tools")
            }
            FrameKind::Call => {
                frame.separators == 0
                    && self.callee(index).is_some_and(|function| {
                        matches!(function.qualified.as_str(), "tools.get" | "tools.call")
                    })
            }
            _ => false,
        }
    }

    /// Whether the cursor is at the value of a `model` key of a map literal.
    pub fn names_a_model(&self) -> bool {
        let Some((index, frame)) = self.innermost() else {
            return false;
        };
        matches!(frame.kind, FrameKind::Literal | FrameKind::TableCall)
            && self.element_position(index) == ElementPosition::Value("model".to_owned())
    }

    /// The tools a spell can name: the built-in ones, then those the spell defines with a
    /// literal name.
    pub fn tools(&self) -> Vec<ToolEntry> {
        let mut tools: Vec<ToolEntry> = builtin_tools(self.ide);
        let api = self.ide.api();
        for call in &self.analysis().host_calls {
            if api
                .callee(&call.callee)
                .is_none_or(|function| function.qualified != "tools.define")
            {
                continue;
            }
            let Some(Literal::Map(entries)) = call
                .arguments
                .first()
                .map(|argument| &argument.value.literal)
            else {
                continue;
            };
            let string = |wanted: &str| {
                entries
                    .iter()
                    .find_map(|(key, _, value)| match &value.literal {
                        Literal::String(text) if key == wanted => Some(text.clone()),
                        _ => None,
                    })
            };
            let Some(name) = string("name") else {
                continue;
            };
            let schema = entries
                .iter()
                .find(|(key, _, _)| key == "params")
                .map(|(_, _, value)| {
                    (
                        self.slice(value.range).to_owned(),
                        crate::markup::fence(self.language),
                    )
                });
            if tools.iter().any(|tool| tool.name == name) {
                continue;
            }
            tools.push(ToolEntry {
                name,
                description: string("description").unwrap_or_default(),
                schema,
                builtin: false,
            });
        }
        tools
    }

    /// Classifies the opening bracket `before[index]` and returns the open frames.
    fn open_frames(&self) -> Vec<Frame> {
        let mut frames: Vec<Frame> = Vec::new();
        for (index, token) in self.before.iter().enumerate() {
            match token.kind {
                TokenKind::Open(bracket) => frames.push(Frame {
                    bracket,
                    open: index,
                    kind: self.classify_open(index, bracket),
                    separators: 0,
                    element_start: index + 1,
                }),
                TokenKind::Close(_) => {
                    frames.pop();
                }
                TokenKind::Punct if self.is_element_separator(*token) => {
                    if let Some(top) = frames.last_mut() {
                        top.separators += 1;
                        top.element_start = index + 1;
                    }
                }
                _ => {}
            }
        }
        frames
    }

    fn classify_open(&self, index: usize, bracket: Bracket) -> FrameKind {
        let previous = index.checked_sub(1).map(|previous| self.before[previous]);
        let follows_expression = previous.is_some_and(|token| {
            is_expression_end(self.language, self.text, token)
                || (token.kind == TokenKind::Identifier && self.follows_member_separator(index - 1))
        });
        match (self.language, bracket) {
            (_, Bracket::Paren) => {
                if follows_expression && !self.is_declaration_name(index - 1) {
                    FrameKind::Call
                } else {
                    FrameKind::Other
                }
            }
            (Language::Lua, Bracket::Brace) => {
                let callable = previous.is_some_and(|token| {
                    matches!(
                        token.kind,
                        TokenKind::Identifier | TokenKind::Close(Bracket::Paren)
                    ) && follows_expression
                });
                if callable {
                    FrameKind::TableCall
                } else {
                    FrameKind::Literal
                }
            }
            (Language::JavaScript, Bracket::Brace) => {
                let object = match previous {
                    None => false,
                    Some(token) => match token.kind {
                        TokenKind::Open(
                            Bracket::Paren | Bracket::Square | Bracket::Interpolation,
                        ) => true,
                        TokenKind::Punct => matches!(
                            token.text(self.text),
                            "," | ":" | "=" | "?" | "||" | "&&" | "??" | "..."
                        ),
                        TokenKind::Identifier => {
                            matches!(token.text(self.text), "return" | "yield" | "await")
                        }
                        _ => false,
                    },
                };
                if object {
                    FrameKind::Literal
                } else {
                    FrameKind::Other
                }
            }
            (Language::Rhai, Bracket::Map) => FrameKind::Literal,
            (Language::JavaScript | Language::Rhai, Bracket::Square) => {
                if follows_expression {
                    FrameKind::Other
                } else {
                    FrameKind::Literal
                }
            }
            _ => FrameKind::Other,
        }
    }

    /// Whether `before[index]` comes right after a member separator (`x.loop`).
    pub fn follows_member_separator(&self, index: usize) -> bool {
        index
            .checked_sub(1)
            .is_some_and(|previous| self.is_member_separator(self.before[previous]))
    }

    /// Whether the identifier at `before[index]` names a function being declared
    /// (`function f(`, `function a.b:c(`, `fn f(`), so the `(` after it opens parameters.
    fn is_declaration_name(&self, mut index: usize) -> bool {
        loop {
            let Some(previous) = index.checked_sub(1) else {
                return false;
            };
            let text = self.before_text(previous);
            match text {
                "function" | "fn" => return true,
                "." | ":" if self.language == Language::Lua && previous >= 1 => {
                    index = previous - 1;
                }
                _ => return false,
            }
        }
    }

    /// Whether the current element of frame `frame_index`, before the cursor (or before the
    /// next inner frame), starts a function whose body the cursor may be in.
    pub fn element_has_function(&self, frame_index: usize) -> bool {
        self.function_markers(frame_index) > 0
    }

    /// How many function headers (`function`, `fn`, `=>`, a Rhai closure's `|`) the current
    /// element of frame `frame_index` has before the cursor (or before the next inner frame).
    fn function_markers(&self, frame_index: usize) -> usize {
        let frame = &self.frames[frame_index];
        let end = self
            .frames
            .get(frame_index + 1)
            .map_or(self.before.len(), |inner| inner.open);
        self.before
            .get(frame.element_start..end)
            .unwrap_or(&[])
            .iter()
            .filter(|token| match token.text(self.text) {
                "function" | "fn" | "=>" => true,
                "|" | "||" => self.language == Language::Rhai,
                _ => false,
            })
            .count()
    }

    /// The host type a parameter gets from where its function is written: the first
    /// parameter of a function written inside a workflow's configuration (a step, its `run`,
    /// a branch condition) receives the workflow's State.
    pub fn parameter_type(&self, symbol: &Symbol) -> Option<&'a TypeInfo> {
        if symbol.kind != SymbolKind::Parameter || symbol.host_type.is_some() {
            return None;
        }
        let at = CursorContext::new(self.ide, self.document, symbol.definition.start);
        let last = at.before.len().checked_sub(1)?;
        // The function's own header, which must be the only one between the parameter and
        // the workflow call: `function(s` and `(s` (an arrow) skip their parameter list's
        // frame, `|s` is a Rhai closure.
        let (mut frame_index, mut own_markers) = match at.before[last].kind {
            TokenKind::Open(Bracket::Paren) => {
                let header = last
                    .checked_sub(1)
                    .map_or("", |index| at.before_text(index));
                let own = usize::from(matches!(header, "function" | "fn"));
                (at.frames.len().checked_sub(1)?, own)
            }
            TokenKind::Punct if at.language == Language::Rhai && at.before_text(last) == "|" => {
                (at.frames.len(), 1)
            }
            // A JavaScript arrow with a bare parameter, `s => …`.
            _ if at.language == Language::JavaScript
                && Lexer::new(at.language, at.text, symbol.definition.end)
                    .find(|token| !token.is_comment())
                    .is_some_and(|token| token.text(at.text) == "=>") =>
            {
                (at.frames.len(), 0)
            }
            _ => return None,
        };
        while let Some(index) = frame_index.checked_sub(1) {
            frame_index = index;
            if at.function_markers(index) > own_markers {
                return None;
            }
            own_markers = 0;
            match at.frames[index].kind {
                FrameKind::Call | FrameKind::TableCall => {
                    let function = at.callee(index)?;
                    return match function.returns {
                        Type::Object("Workflow") => self.ide.api().object_type("State"),
                        _ => None,
                    };
                }
                FrameKind::Literal => {}
                FrameKind::Other => return None,
            }
        }
        None
    }
}

/// The parameter a call's `index`th argument binds (the last one when it is variadic).
pub(crate) fn parameter(function: &FunctionInfo, index: usize) -> Option<&crate::api::ParamInfo> {
    function
        .params
        .get(index)
        .or_else(|| function.params.last().filter(|last| last.variadic))
}

/// The record a type is or includes (directly or as a member of a union; not inside lists).
pub(crate) fn record_in(ty: &Type) -> Option<Arc<Record>> {
    match ty {
        Type::Record(record) => Some(record.clone()),
        Type::Union(types) => types.iter().find_map(record_in),
        _ => None,
    }
}

/// The item type of a list type (or of the list member of a union).
pub(crate) fn list_item(ty: &Type) -> Option<Type> {
    match ty {
        Type::List(item) => Some((**item).clone()),
        Type::Union(types) => types.iter().find_map(list_item),
        _ => None,
    }
}

/// The built-in tools the host API declares.
pub(crate) fn builtin_tools(ide: &Ide) -> Vec<ToolEntry> {
    ide.api()
        .tools()
        .map(|tool| ToolEntry {
            name: tool.name.clone(),
            description: tool.description.clone(),
            schema: serde_json::to_string_pretty(&tool.parameters)
                .ok()
                .map(|schema| (schema, "json")),
            builtin: true,
        })
        .collect()
}

/// Whether a token ends an expression (so `(` after it calls, `[` after it indexes).
fn is_expression_end(language: Language, text: &str, token: Token) -> bool {
    match token.kind {
        TokenKind::Identifier => {
            let word = token.text(text);
            !is_keyword(language, word) || matches!(word, "this" | "super")
        }
        TokenKind::Close(Bracket::Paren | Bracket::Square) => true,
        TokenKind::Close(Bracket::Brace) => language == Language::Lua,
        TokenKind::String { .. } => language == Language::JavaScript,
        _ => false,
    }
}

/// Where to start reading tokens for a cursor at `offset`: the start of the top-level
/// statement at the cursor, or of the statement before the run of broken statements that
/// reaches it (an unclosed bracket there can enclose the cursor).
fn window_start(document: &Document, offset: usize) -> usize {
    let Some(root) = document.tree().root() else {
        return 0;
    };
    let clean =
        |node: tree_sitter::Node<'_>| !node.has_error() && !node.is_error() && !node.is_missing();
    // The last top-level statement starting at or before the cursor. (Seeking by byte and
    // stepping back is cheap; walking all top-level statements of a 50,000-line spell is not.)
    let mut cursor = root.walk();
    match cursor.goto_first_child_for_byte(offset) {
        None => {
            if !cursor.goto_last_child() {
                return 0;
            }
        }
        Some(_) if cursor.node().start_byte() > offset => {
            if !cursor.goto_previous_sibling() {
                return 0;
            }
        }
        Some(_) => {}
    }
    // Step back through the run of broken statements. A broken statement may have begun in
    // the clean one before it (tree-sitter can end `let a = agent.create` cleanly and put
    // `(#{…` in an error): start there, its brackets are balanced.
    loop {
        let current = cursor.node();
        if !cursor.goto_previous_sibling() {
            return current.start_byte();
        }
        let previous = cursor.node();
        if clean(previous) {
            return if clean(current) {
                current.start_byte()
            } else {
                previous.start_byte()
            };
        }
    }
}
