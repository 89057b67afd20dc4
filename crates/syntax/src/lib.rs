//! Parse trees for Lua, JavaScript and Rhai spells, through one API.
//!
//! [`parse`] never fails and never panics: it returns a [`SyntaxTree`] holding the tree-sitter
//! tree and a list of [`SyntaxError`]s with ranges and readable messages. [`SyntaxTree::edit`]
//! applies a text edit and reparses incrementally. [`analyze`] reads a tree for symbols and
//! scopes, host-object types (from a plain-data [`HostApi`] the caller builds from the manifest),
//! host call sites with literal arguments, and literal workflow structure.
//!
//! Architecture invariant: this crate depends only on tree-sitter and grammar crates; it never
//! links a script engine or the bridge.

mod analysis;
mod errors;
pub mod instrument;

use std::fmt;

/// The tree-sitter crate the trees come from, for callers that walk nodes.
pub use tree_sitter;

pub use analysis::{
    Analysis, Argument, HostAccess, HostApi, HostCall, HostFunction, HostModule, HostOwner,
    HostType, Literal, Scope, ScopeId, Symbol, SymbolId, SymbolKind, Value, Workflow, WorkflowStep,
    analyze,
};

/// The three spell languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    Lua,
    JavaScript,
    Rhai,
}

impl Language {
    /// The language of a file name by its extension (`.lua`, `.js`/`.mjs`, `.rhai`).
    pub fn from_path(path: &str) -> Option<Language> {
        let extension = path.rsplit_once('.')?.1;
        match extension {
            "lua" => Some(Language::Lua),
            "js" | "mjs" => Some(Language::JavaScript),
            "rhai" => Some(Language::Rhai),
            _ => None,
        }
    }

    /// The tree-sitter grammar, when one is linked.
    fn grammar(self) -> Option<tree_sitter::Language> {
        match self {
            Language::Lua => Some(tree_sitter_lua::LANGUAGE.into()),
            Language::JavaScript => Some(tree_sitter_javascript::LANGUAGE.into()),
            Language::Rhai => Some(tree_sitter_rhai::LANGUAGE.into()),
        }
    }
}

/// A byte range in the source text, `start..end`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TextRange {
    pub start: usize,
    pub end: usize,
}

impl TextRange {
    pub fn new(start: usize, end: usize) -> TextRange {
        TextRange { start, end }
    }

    /// Whether `offset` lies in the range (an offset at the end counts, for cursors).
    pub fn contains(self, offset: usize) -> bool {
        self.start <= offset && offset <= self.end
    }

    fn of(node: tree_sitter::Node<'_>) -> TextRange {
        TextRange::new(node.start_byte(), node.end_byte())
    }
}

impl fmt::Debug for TextRange {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}..{}", self.start, self.end)
    }
}

/// One syntax error: where, and a sentence saying what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub range: TextRange,
    pub message: String,
}

/// A parsed spell: its text, its tree and its syntax errors.
pub struct SyntaxTree {
    language: Language,
    text: String,
    tree: Option<tree_sitter::Tree>,
    errors: Vec<SyntaxError>,
}

impl fmt::Debug for SyntaxTree {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SyntaxTree")
            .field("language", &self.language)
            .field("errors", &self.errors)
            .finish_non_exhaustive()
    }
}

/// Parses a spell. Never fails: broken code gives a tree with error nodes and a list of errors.
pub fn parse(language: Language, text: &str) -> SyntaxTree {
    let mut syntax_tree = SyntaxTree {
        language,
        text: text.to_owned(),
        tree: None,
        errors: Vec::new(),
    };
    syntax_tree.reparse(None);
    syntax_tree
}

impl SyntaxTree {
    pub fn language(&self) -> Language {
        self.language
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The tree-sitter tree; `None` only for a language whose grammar is not linked yet.
    pub fn tree(&self) -> Option<&tree_sitter::Tree> {
        self.tree.as_ref()
    }

    /// The root node, when there is a tree.
    pub fn root(&self) -> Option<tree_sitter::Node<'_>> {
        self.tree.as_ref().map(|tree| tree.root_node())
    }

    pub fn errors(&self) -> &[SyntaxError] {
        &self.errors
    }

    /// The tree as an S-expression (empty when there is no tree).
    pub fn to_sexp(&self) -> String {
        self.root().map(|root| root.to_sexp()).unwrap_or_default()
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        line_column(&self.text, offset)
    }

    /// Replaces `range` with `new_text` and reparses incrementally. Out-of-range or
    /// mid-character offsets are clamped to the nearest valid position, never a panic.
    pub fn edit(&mut self, range: TextRange, new_text: &str) {
        let start = floor_char_boundary(&self.text, range.start.min(self.text.len()));
        let old_end = floor_char_boundary(&self.text, range.end.clamp(start, self.text.len()));
        let start_position = point(&self.text, start);
        let old_end_position = point(&self.text, old_end);
        self.text.replace_range(start..old_end, new_text);
        let new_end = start + new_text.len();
        let new_end_position = point(&self.text, new_end);
        let edit = tree_sitter::InputEdit {
            start_byte: start,
            old_end_byte: old_end,
            new_end_byte: new_end,
            start_position,
            old_end_position,
            new_end_position,
        };
        let mut old_tree = self.tree.take();
        if let Some(tree) = old_tree.as_mut() {
            tree.edit(&edit);
        }
        self.reparse(old_tree.as_ref());
    }

    fn reparse(&mut self, old_tree: Option<&tree_sitter::Tree>) {
        self.tree = None;
        self.errors.clear();
        let Some(grammar) = self.language.grammar() else {
            return;
        };
        let mut parser = tree_sitter::Parser::new();
        if parser.set_language(&grammar).is_err() {
            return;
        }
        self.tree = parser.parse(&self.text, old_tree);
        if let Some(tree) = &self.tree {
            self.errors = errors::collect(self.language, &self.text, tree.root_node());
        }
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn point(text: &str, offset: usize) -> tree_sitter::Point {
    let before = &text.as_bytes()[..offset];
    let row = before.iter().filter(|&&byte| byte == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&byte| byte == b'\n')
        .map_or(0, |index| index + 1);
    tree_sitter::Point::new(row, offset - line_start)
}

pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    (line, before[line_start..].chars().count() + 1)
}
