//! Editor terms into LSP types: one function per feature, no analysis.

use llmspell_ide as ide;
use tower_lsp_server::lsp_types as lsp;

use crate::ConfigError;

/// The source name every diagnostic carries.
pub const DIAGNOSTIC_SOURCE: &str = "llmspell";

/// The semantic token types, in legend order ([`semantic_token_type`] indexes into it).
pub const SEMANTIC_TOKEN_TYPES: [lsp::SemanticTokenType; 6] = [
    lsp::SemanticTokenType::NAMESPACE,
    lsp::SemanticTokenType::FUNCTION,
    lsp::SemanticTokenType::METHOD,
    lsp::SemanticTokenType::VARIABLE,
    lsp::SemanticTokenType::PARAMETER,
    lsp::SemanticTokenType::PROPERTY,
];

/// The semantic token modifiers, in legend order: bit 0 marks the host API.
pub const SEMANTIC_TOKEN_MODIFIERS: [lsp::SemanticTokenModifier; 1] =
    [lsp::SemanticTokenModifier::DEFAULT_LIBRARY];

pub fn position(position: ide::Position) -> lsp::Position {
    lsp::Position::new(position.line, position.character)
}

pub fn range(range: ide::Range) -> lsp::Range {
    lsp::Range::new(position(range.start), position(range.end))
}

fn markdown(value: String) -> lsp::MarkupContent {
    lsp::MarkupContent {
        kind: lsp::MarkupKind::Markdown,
        value,
    }
}

pub fn completion_items(
    items: Vec<ide::CompletionItem>,
    snippet_support: bool,
) -> Vec<lsp::CompletionItem> {
    items
        .into_iter()
        .map(|item| completion_item(item, snippet_support))
        .collect()
}

fn completion_item(item: ide::CompletionItem, snippet_support: bool) -> lsp::CompletionItem {
    let (insert_text, format) = match (item.insert_text, item.is_snippet) {
        (Some(text), true) if snippet_support => (Some(text), lsp::InsertTextFormat::SNIPPET),
        (Some(text), true) => (
            Some(plain_text_of_snippet(&text)),
            lsp::InsertTextFormat::PLAIN_TEXT,
        ),
        (text, _) => (text, lsp::InsertTextFormat::PLAIN_TEXT),
    };
    let text_edit = item.replace_range.map(|replace| {
        lsp::CompletionTextEdit::Edit(lsp::TextEdit {
            range: range(replace),
            new_text: insert_text.clone().unwrap_or_else(|| item.label.clone()),
        })
    });
    lsp::CompletionItem {
        kind: Some(completion_kind(item.kind)),
        detail: item.detail,
        documentation: item
            .documentation
            .map(|text| lsp::Documentation::MarkupContent(markdown(text))),
        insert_text: if text_edit.is_some() {
            None
        } else {
            insert_text
        },
        insert_text_format: Some(format),
        text_edit,
        sort_text: item.sort_text,
        label: item.label,
        ..lsp::CompletionItem::default()
    }
}

fn completion_kind(kind: ide::CompletionKind) -> lsp::CompletionItemKind {
    match kind {
        ide::CompletionKind::Module => lsp::CompletionItemKind::MODULE,
        ide::CompletionKind::Function => lsp::CompletionItemKind::FUNCTION,
        ide::CompletionKind::Method => lsp::CompletionItemKind::METHOD,
        ide::CompletionKind::Field => lsp::CompletionItemKind::FIELD,
        ide::CompletionKind::Property => lsp::CompletionItemKind::PROPERTY,
        ide::CompletionKind::Variable => lsp::CompletionItemKind::VARIABLE,
        ide::CompletionKind::Parameter => lsp::CompletionItemKind::VARIABLE,
        ide::CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
        ide::CompletionKind::Snippet => lsp::CompletionItemKind::SNIPPET,
        ide::CompletionKind::Value => lsp::CompletionItemKind::VALUE,
    }
}

/// A snippet as plain text, for clients without snippet support: `${1:name}` becomes `name`,
/// `$1` and `$0` disappear, `\$` becomes `$`.
pub fn plain_text_of_snippet(snippet: &str) -> String {
    let mut out = String::with_capacity(snippet.len());
    let mut characters = snippet.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '\\' => {
                if let Some(escaped) = characters.next() {
                    out.push(escaped);
                }
            }
            '$' if characters.peek() == Some(&'{') => {
                characters.next();
                while characters.peek().is_some_and(char::is_ascii_digit) {
                    characters.next();
                }
                if characters.peek() == Some(&':') {
                    characters.next();
                }
                // The placeholder text, up to the matching brace (nested placeholders inlined).
                let mut depth = 1;
                while let Some(inner) = characters.next() {
                    match inner {
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        '$' if characters.peek() == Some(&'{') => {
                            characters.next();
                            depth += 1;
                            while characters
                                .peek()
                                .is_some_and(|c| c.is_ascii_digit() || *c == ':')
                            {
                                characters.next();
                            }
                        }
                        '\\' => {
                            if let Some(escaped) = characters.next() {
                                out.push(escaped);
                            }
                        }
                        other => out.push(other),
                    }
                }
            }
            '$' if characters.peek().is_some_and(char::is_ascii_digit) => {
                while characters.peek().is_some_and(char::is_ascii_digit) {
                    characters.next();
                }
            }
            other => out.push(other),
        }
    }
    out
}

pub fn hover(hover: ide::Hover) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(markdown(hover.markdown)),
        range: hover.range.map(range),
    }
}

pub fn signature_help(help: ide::SignatureHelp) -> lsp::SignatureHelp {
    lsp::SignatureHelp {
        signatures: help
            .signatures
            .into_iter()
            .map(|signature| lsp::SignatureInformation {
                label: signature.label,
                documentation: signature
                    .documentation
                    .map(|text| lsp::Documentation::MarkupContent(markdown(text))),
                parameters: Some(
                    signature
                        .parameters
                        .into_iter()
                        .map(|parameter| lsp::ParameterInformation {
                            label: lsp::ParameterLabel::LabelOffsets([
                                parameter.label.0,
                                parameter.label.1,
                            ]),
                            documentation: parameter
                                .documentation
                                .map(|text| lsp::Documentation::MarkupContent(markdown(text))),
                        })
                        .collect(),
                ),
                active_parameter: None,
            })
            .collect(),
        active_signature: Some(help.active_signature),
        active_parameter: help.active_parameter,
    }
}

pub fn diagnostics(diagnostics: Vec<ide::Diagnostic>) -> Vec<lsp::Diagnostic> {
    diagnostics
        .into_iter()
        .map(|diagnostic| lsp::Diagnostic {
            range: range(diagnostic.range),
            severity: Some(severity(diagnostic.severity)),
            code: Some(lsp::NumberOrString::String(diagnostic.code.to_owned())),
            source: Some(DIAGNOSTIC_SOURCE.to_owned()),
            message: diagnostic.message,
            ..lsp::Diagnostic::default()
        })
        .collect()
}

fn severity(severity: ide::Severity) -> lsp::DiagnosticSeverity {
    match severity {
        ide::Severity::Error => lsp::DiagnosticSeverity::ERROR,
        ide::Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        ide::Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        ide::Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

/// A configuration error as a diagnostic on its line of `llmspell.toml` (the first line when the
/// error has no position).
pub fn config_diagnostic(error: ConfigError) -> lsp::Diagnostic {
    let line = error.line.unwrap_or(1).saturating_sub(1);
    let column = error.column.unwrap_or(1).saturating_sub(1);
    lsp::Diagnostic {
        range: lsp::Range::new(
            lsp::Position::new(line, column),
            lsp::Position::new(line + 1, 0),
        ),
        severity: Some(lsp::DiagnosticSeverity::ERROR),
        code: Some(lsp::NumberOrString::String("config".to_owned())),
        source: Some(DIAGNOSTIC_SOURCE.to_owned()),
        message: error.message,
        ..lsp::Diagnostic::default()
    }
}

pub fn document_symbols(symbols: Vec<ide::DocumentSymbol>) -> Vec<lsp::DocumentSymbol> {
    symbols.into_iter().map(document_symbol).collect()
}

fn document_symbol(symbol: ide::DocumentSymbol) -> lsp::DocumentSymbol {
    #[allow(
        deprecated,
        reason = "the field is deprecated but the struct still requires it"
    )]
    lsp::DocumentSymbol {
        name: symbol.name,
        detail: symbol.detail,
        kind: symbol_kind(symbol.kind),
        tags: None,
        deprecated: None,
        range: range(symbol.range),
        selection_range: range(symbol.selection_range),
        children: (!symbol.children.is_empty()).then(|| document_symbols(symbol.children)),
    }
}

/// Spells' own kinds mapped onto LSP's fixed list: an agent is an object, a tool a function the
/// model may call, a workflow a module of steps, a step an event in it.
fn symbol_kind(kind: ide::SymbolKind) -> lsp::SymbolKind {
    match kind {
        ide::SymbolKind::Function => lsp::SymbolKind::FUNCTION,
        ide::SymbolKind::Variable => lsp::SymbolKind::VARIABLE,
        ide::SymbolKind::Agent => lsp::SymbolKind::OBJECT,
        ide::SymbolKind::Tool => lsp::SymbolKind::FUNCTION,
        ide::SymbolKind::Workflow => lsp::SymbolKind::MODULE,
        ide::SymbolKind::Step => lsp::SymbolKind::EVENT,
    }
}

pub fn location(uri: &lsp::Uri, location: ide::Location) -> lsp::Location {
    lsp::Location {
        uri: uri.clone(),
        range: range(location.range),
    }
}

pub fn highlights(highlights: Vec<ide::Highlight>) -> Vec<lsp::DocumentHighlight> {
    highlights
        .into_iter()
        .map(|highlight| lsp::DocumentHighlight {
            range: range(highlight.range),
            kind: Some(match highlight.kind {
                ide::HighlightKind::Text => lsp::DocumentHighlightKind::TEXT,
                ide::HighlightKind::Read => lsp::DocumentHighlightKind::READ,
                ide::HighlightKind::Write => lsp::DocumentHighlightKind::WRITE,
            }),
        })
        .collect()
}

/// Semantic tokens in the relative encoding LSP uses; tokens out of document order or spanning
/// lines are dropped (the encoding cannot express them).
pub fn semantic_tokens(tokens: Vec<ide::SemanticToken>) -> lsp::SemanticTokens {
    let mut data = Vec::with_capacity(tokens.len());
    let mut previous = lsp::Position::new(0, 0);
    let mut first = true;
    for token in tokens {
        let start = token.range.start;
        let end = token.range.end;
        if end.line != start.line || end.character <= start.character {
            continue;
        }
        if !first
            && (start.line < previous.line
                || (start.line == previous.line && start.character < previous.character))
        {
            continue;
        }
        let delta_line = start.line - previous.line;
        let delta_start = if delta_line == 0 {
            start.character - previous.character
        } else {
            start.character
        };
        data.push(lsp::SemanticToken {
            delta_line,
            delta_start,
            length: end.character - start.character,
            token_type: semantic_token_type(token.kind),
            token_modifiers_bitset: u32::from(token.host),
        });
        previous = lsp::Position::new(start.line, start.character);
        first = false;
    }
    lsp::SemanticTokens {
        result_id: None,
        data,
    }
}

fn semantic_token_type(kind: ide::SemanticTokenKind) -> u32 {
    match kind {
        ide::SemanticTokenKind::Module => 0,
        ide::SemanticTokenKind::Function => 1,
        ide::SemanticTokenKind::Method => 2,
        ide::SemanticTokenKind::Variable => 3,
        ide::SemanticTokenKind::Parameter => 4,
        ide::SemanticTokenKind::Property => 5,
    }
}

/// Code lenses carry the document's URI as their command's one argument.
pub fn code_lenses(uri: &lsp::Uri, lenses: Vec<ide::CodeLens>) -> Vec<lsp::CodeLens> {
    lenses
        .into_iter()
        .map(|lens| lsp::CodeLens {
            range: range(lens.range),
            command: Some(lsp::Command {
                title: lens.title,
                command: lens.command,
                arguments: Some(vec![serde_json::Value::String(uri.as_str().to_owned())]),
            }),
            data: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_become_plain_text() {
        assert_eq!(
            plain_text_of_snippet("create(${1:config})$0"),
            "create(config)"
        );
        assert_eq!(
            plain_text_of_snippet("run(${1:input}, ${2:opts})"),
            "run(input, opts)"
        );
        assert_eq!(
            plain_text_of_snippet("a ${1:b ${2:c}} \\$x $1"),
            "a b c $x "
        );
    }

    #[test]
    fn semantic_tokens_are_relative() {
        let token = |line, start, end, kind, host| ide::SemanticToken {
            range: ide::Range::new(
                ide::Position::new(line, start),
                ide::Position::new(line, end),
            ),
            kind,
            host,
        };
        let tokens = semantic_tokens(vec![
            token(1, 2, 7, ide::SemanticTokenKind::Module, true),
            token(1, 8, 14, ide::SemanticTokenKind::Function, true),
            token(3, 4, 5, ide::SemanticTokenKind::Variable, false),
        ]);
        let flat: Vec<[u32; 5]> = tokens
            .data
            .iter()
            .map(|t| {
                [
                    t.delta_line,
                    t.delta_start,
                    t.length,
                    t.token_type,
                    t.token_modifiers_bitset,
                ]
            })
            .collect();
        assert_eq!(flat, [[1, 2, 5, 0, 1], [0, 6, 6, 1, 1], [2, 4, 1, 3, 0]]);
    }
}
