//! Signature help inside the argument list of a host function or method call, with the
//! active parameter.
//!
//! The call is the innermost argument list around the cursor (map and list literals between
//! count as part of their argument, a function body does not), read from tokens so that it
//! works while the list is unclosed. The active parameter is the number of top-level commas
//! before the cursor; a Lua table call `agent.create{ … }` is always at its one parameter.

use crate::context::{At, CursorContext, FrameKind, parameter};
use crate::lexer::TokenKind;
use crate::markup::{parameter_documentation, signature_label};
use crate::spell_functions::parameters_at;
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
        let offset = document.offset(position);
        let context = CursorContext::new(self, document, offset);
        if context.at == At::Comment {
            return None;
        }
        let mut index = context.frames.len().checked_sub(1)?;
        loop {
            if context.element_has_function(index) {
                return None;
            }
            match context.frames[index].kind {
                FrameKind::Call | FrameKind::TableCall => break,
                FrameKind::Literal => index = index.checked_sub(1)?,
                FrameKind::Other => return None,
            }
        }
        let frame = context.frames[index];
        let argument = match frame.kind {
            FrameKind::TableCall => 0,
            _ => frame.separators,
        };
        let Some(function) = context.callee(index) else {
            return spell_function_signature(&context, frame.open, argument);
        };
        let signature = signature_label(function);
        let utf16 = |byte: usize| {
            signature
                .label
                .get(..byte)
                .map_or(0, |text| text.encode_utf16().count()) as u32
        };
        let parameters = function
            .params
            .iter()
            .zip(&signature.parameters)
            .map(|(param, &(start, end))| ParameterInformation {
                label: (utf16(start), utf16(end)),
                documentation: Some(parameter_documentation(param)),
            })
            .collect();
        let active_parameter = parameter(function, argument)
            .and_then(|param| {
                function
                    .params
                    .iter()
                    .position(|candidate| std::ptr::eq(candidate, param))
            })
            .map(|position| position as u32);
        let mut documentation = function.doc.clone();
        if function.is_async && context.language == llmspell_syntax::Language::JavaScript {
            documentation.push_str("\n\n*I/O-bound:* returns a Promise in JavaScript; `await` it.");
        }
        Some(SignatureHelp {
            signatures: vec![SignatureInformation {
                label: signature.label,
                documentation: (!documentation.is_empty()).then_some(documentation),
                parameters,
            }],
            active_signature: 0,
            active_parameter,
        })
    }
}

/// Signature help for a call of a function the spell defines: `greet(name, greeting)`.
fn spell_function_signature(
    context: &CursorContext<'_>,
    open: usize,
    argument: usize,
) -> Option<SignatureHelp> {
    let name_index = open.checked_sub(1)?;
    let name_token = *context.before.get(name_index)?;
    if name_token.kind != TokenKind::Identifier || context.follows_member_separator(name_index) {
        return None;
    }
    let name = context.token_text(name_token);
    let analysis = context.analysis();
    let symbol = analysis.symbol(context.visible_symbol(name)?);
    let parameters = parameters_at(context.document, symbol.definition)?;
    let mut label = format!("{name}(");
    let mut ranges = Vec::new();
    for (index, parameter) in parameters.iter().enumerate() {
        if index > 0 {
            label.push_str(", ");
        }
        let start = label.encode_utf16().count() as u32;
        label.push_str(parameter);
        ranges.push((start, label.encode_utf16().count() as u32));
    }
    label.push(')');
    let variadic = parameters
        .last()
        .is_some_and(|last| last.starts_with("..."));
    let active_parameter = if argument < parameters.len() {
        Some(argument as u32)
    } else if variadic {
        Some(parameters.len() as u32 - 1)
    } else {
        None
    };
    let line = context.document.position(symbol.definition.start).line + 1;
    Some(SignatureHelp {
        signatures: vec![SignatureInformation {
            label,
            documentation: Some(format!("Defined in this spell on line {line}.")),
            parameters: ranges
                .into_iter()
                .map(|label| ParameterInformation {
                    label,
                    documentation: None,
                })
                .collect(),
        }],
        active_signature: 0,
        active_parameter,
    })
}
