//! Signature help inside the argument list of a host function or method call, with the
//! active parameter.

use crate::{Document, Ide, Position};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureHelp {
    pub signatures: Vec<SignatureInformation>,
    pub active_signature: u32,
    pub active_parameter: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureInformation {
    /// `agent.create(config: map) -> Agent`.
    pub label: String,
    /// Markdown.
    pub documentation: Option<String>,
    pub parameters: Vec<ParameterInformation>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParameterInformation {
    /// Start and end of the parameter inside `label`, in UTF-16 code units.
    pub label: (u32, u32),
    /// Markdown.
    pub documentation: Option<String>,
}

impl Ide {
    pub fn signature_help(&self, document: &Document, position: Position) -> Option<SignatureHelp> {
        let _ = (document, position);
        None
    }
}
