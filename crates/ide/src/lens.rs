//! Code lenses: "▶ Run" and "Debug" at the top of a spell.

use crate::{Document, Ide, Position, Range};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeLens {
    pub range: Range,
    pub title: String,
    /// `llmspell.runSpell` or `llmspell.debugSpell`; the language server adds the file as the
    /// argument.
    pub command: String,
}

/// The command that runs the spell in the editor's terminal.
pub const RUN_SPELL_COMMAND: &str = "llmspell.runSpell";
/// The command that starts a debug session on the spell.
pub const DEBUG_SPELL_COMMAND: &str = "llmspell.debugSpell";

impl Ide {
    /// Two lenses on the first line of every spell: run it, debug it. A spell is a whole file,
    /// so the lenses do not depend on its content (an empty or broken file can be run too: the
    /// runtime reports what is wrong).
    pub fn code_lenses(&self, document: &Document) -> Vec<CodeLens> {
        let _ = document;
        let top = Range::new(Position::new(0, 0), Position::new(0, 0));
        vec![
            CodeLens {
                range: top,
                title: "▶ Run".to_owned(),
                command: RUN_SPELL_COMMAND.to_owned(),
            },
            CodeLens {
                range: top,
                title: "Debug".to_owned(),
                command: DEBUG_SPELL_COMMAND.to_owned(),
            },
        ]
    }
}
