//! One open spell: its text, its parse tree (reparsed incrementally on every edit) and its
//! analysis (computed on first use after a change).

use std::sync::OnceLock;

use llmspell_syntax::{Analysis, Language, SyntaxTree, parse};

use crate::Ide;
use crate::line_index::{LineIndex, Position, Range};

#[derive(Debug)]
pub struct Document {
    tree: SyntaxTree,
    line_index: LineIndex,
    analysis: OnceLock<Analysis>,
}

impl Document {
    pub fn new(language: Language, text: &str) -> Document {
        Document {
            tree: parse(language, text),
            line_index: LineIndex::new(text),
            analysis: OnceLock::new(),
        }
    }

    pub fn language(&self) -> Language {
        self.tree.language()
    }

    pub fn text(&self) -> &str {
        self.tree.text()
    }

    pub fn tree(&self) -> &SyntaxTree {
        &self.tree
    }

    pub fn line_index(&self) -> &LineIndex {
        &self.line_index
    }

    /// Applies one editor change: `range` replaced by `new_text`, or the whole text when `range`
    /// is `None`. Positions out of range are clamped, never an error.
    pub fn apply_change(&mut self, range: Option<Range>, new_text: &str) {
        match range {
            Some(range) => {
                let text_range = self.line_index.text_range(self.tree.text(), range);
                self.tree.edit(text_range, new_text);
            }
            None => self.tree = parse(self.tree.language(), new_text),
        }
        self.line_index = LineIndex::new(self.tree.text());
        self.analysis = OnceLock::new();
    }

    /// What the spell defines and calls, against `ide`'s host API.
    pub fn analysis(&self, ide: &Ide) -> &Analysis {
        self.analysis.get_or_init(|| llmspell_syntax::analyze(&self.tree, ide.host_api()))
    }

    /// Byte offset of an editor position (clamped).
    pub fn offset(&self, position: Position) -> usize {
        self.line_index.offset(self.tree.text(), position)
    }

    /// Editor position of a byte offset (clamped).
    pub fn position(&self, offset: usize) -> Position {
        self.line_index.position(self.tree.text(), offset)
    }

    /// Editor range of a byte range.
    pub fn range(&self, range: llmspell_syntax::TextRange) -> Range {
        self.line_index.range(self.tree.text(), range)
    }
}
