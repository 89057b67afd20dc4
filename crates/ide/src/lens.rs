//! Code lenses: "▶ Run" and "Debug" at the top of a spell.

use crate::{Document, Ide, Range};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeLens {
    pub range: Range,
    pub title: String,
    /// `llmspell.runSpell` or `llmspell.debugSpell`; the language server adds the file as the
    /// argument.
    pub command: String,
}

impl Ide {
    pub fn code_lenses(&self, document: &Document) -> Vec<CodeLens> {
        let _ = document;
        Vec::new()
    }
}
