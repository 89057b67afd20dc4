//! Navigation: document symbols (functions, agents, tools, workflows and their steps), go to
//! definition, find references and document highlight.

use crate::{Document, Ide, Position, Range};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSymbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole construct.
    pub range: Range,
    /// The name.
    pub selection_range: Range,
    pub children: Vec<DocumentSymbol>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Function,
    Variable,
    Agent,
    Tool,
    Workflow,
    Step,
}

/// A place in the same document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    pub range: Range,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Highlight {
    pub range: Range,
    pub kind: HighlightKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HighlightKind {
    Text,
    Read,
    Write,
}

impl Ide {
    pub fn document_symbols(&self, document: &Document) -> Vec<DocumentSymbol> {
        let _ = document;
        Vec::new()
    }

    pub fn definition(&self, document: &Document, position: Position) -> Option<Location> {
        let _ = (document, position);
        None
    }

    pub fn references(
        &self,
        document: &Document,
        position: Position,
        include_declaration: bool,
    ) -> Vec<Location> {
        let _ = (document, position, include_declaration);
        Vec::new()
    }

    pub fn highlights(&self, document: &Document, position: Position) -> Vec<Highlight> {
        let _ = (document, position);
        Vec::new()
    }
}
