//! Semantic tokens: host modules, host functions and methods, and the spell's own symbols.

use crate::{Document, Ide, Range};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SemanticToken {
    /// Always within one line.
    pub range: Range,
    pub kind: SemanticTokenKind,
    /// Part of the host API (LSP modifier `defaultLibrary`).
    pub host: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SemanticTokenKind {
    Module,
    Function,
    Method,
    Variable,
    Parameter,
    Property,
}

impl Ide {
    /// Tokens in document order.
    pub fn semantic_tokens(&self, document: &Document) -> Vec<SemanticToken> {
        let _ = document;
        Vec::new()
    }
}
