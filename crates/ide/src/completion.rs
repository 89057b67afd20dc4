//! Completion: host modules and their functions, methods of values whose host type is known,
//! keys of config maps, model and tool names, symbols in scope, keywords and snippets.

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
        let _ = (document, position);
        Vec::new()
    }
}
