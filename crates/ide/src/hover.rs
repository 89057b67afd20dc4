//! Hover: signature, doc text and example of host modules, functions, methods, config keys and
//! tools; for a local, its kind and inferred host type.

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
        let _ = (document, position);
        None
    }
}
