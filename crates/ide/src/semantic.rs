//! Semantic tokens: host modules, host functions and methods, and the spell's own symbols.
//!
//! Host members come from the analysis' host accesses (so a shadowed `agent` is a plain
//! variable, and `agent.craete` gets no host colour); global host functions (`print`) from a
//! walk over the calls of the tree; the spell's functions, parameters and variables from its
//! symbol table.

use std::collections::HashSet;

use llmspell_syntax::{HostOwner, SymbolKind as SyntaxSymbolKind, TextRange};

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
    /// Tokens in document order, none overlapping, each within one line.
    pub fn semantic_tokens(&self, document: &Document) -> Vec<SemanticToken> {
        let analysis = document.analysis(self);
        let mut tokens: Vec<(TextRange, SemanticTokenKind, bool)> = Vec::new();
        for access in &analysis.host_accesses {
            let member = match &access.owner {
                HostOwner::Module(name) => {
                    let Some(module) = self.api.module(name) else {
                        continue;
                    };
                    tokens.push((access.object_range, SemanticTokenKind::Module, true));
                    if module
                        .functions
                        .iter()
                        .any(|function| function.answers_to(&access.member))
                    {
                        Some(SemanticTokenKind::Function)
                    } else if module
                        .fields
                        .iter()
                        .any(|field| field.name == access.member)
                    {
                        Some(SemanticTokenKind::Property)
                    } else {
                        None
                    }
                }
                HostOwner::Object(type_name) => {
                    let Some(object_type) = self.api.object_type(type_name) else {
                        continue;
                    };
                    if object_type
                        .methods
                        .iter()
                        .any(|method| method.answers_to(&access.member))
                    {
                        Some(SemanticTokenKind::Method)
                    } else if object_type
                        .fields
                        .iter()
                        .any(|field| field.name == access.member)
                    {
                        Some(SemanticTokenKind::Property)
                    } else {
                        None
                    }
                }
            };
            // `new Agent(…)`: the keyword stands for the member and keeps its keyword colour.
            if let Some(kind) =
                member.filter(|_| access.member_range.start > access.object_range.start)
            {
                tokens.push((access.member_range, kind, true));
            }
        }
        let mut symbol_starts: HashSet<usize> = HashSet::new();
        for symbol in &analysis.symbols {
            let kind = match symbol.kind {
                SyntaxSymbolKind::Function => SemanticTokenKind::Function,
                SyntaxSymbolKind::Parameter => SemanticTokenKind::Parameter,
                SyntaxSymbolKind::Local | SyntaxSymbolKind::Global => SemanticTokenKind::Variable,
            };
            for &range in std::iter::once(&symbol.definition).chain(&symbol.references) {
                symbol_starts.insert(range.start);
                tokens.push((range, kind, false));
            }
        }
        for range in self.global_host_calls(document, &symbol_starts) {
            tokens.push((range, SemanticTokenKind::Function, true));
        }

        tokens.sort_by_key(|(range, _, _)| (range.start, range.end));
        let mut result: Vec<SemanticToken> = Vec::with_capacity(tokens.len());
        let mut covered_until = 0;
        for (range, kind, host) in tokens {
            if range.start < covered_until || range.start >= range.end {
                continue;
            }
            let editor_range = document.range(range);
            if editor_range.start.line != editor_range.end.line {
                continue;
            }
            covered_until = range.end;
            result.push(SemanticToken {
                range: editor_range,
                kind,
                host,
            });
        }
        result
    }

    /// The names of calls of global host functions (`print(…)`) that no spell symbol shadows.
    fn global_host_calls(
        &self,
        document: &Document,
        symbol_starts: &HashSet<usize>,
    ) -> Vec<TextRange> {
        let Some(root) = document.tree().root() else {
            return Vec::new();
        };
        let text = document.text();
        let mut found = Vec::new();
        let mut cursor = root.walk();
        // A pre-order walk with the cursor: no recursion, so deep trees cannot overflow the stack.
        'walk: loop {
            let node = cursor.node();
            let callee_field = match node.kind() {
                "function_call" => Some("name"),
                "call_expression" => Some("function"),
                _ => None,
            };
            if let Some(callee) = callee_field.and_then(|field| node.child_by_field_name(field))
                && callee.kind() == "identifier"
                && !symbol_starts.contains(&callee.start_byte())
                && let Some(name) = text.get(callee.start_byte()..callee.end_byte())
                && self.api.global(name).is_some()
            {
                found.push(TextRange::new(callee.start_byte(), callee.end_byte()));
            }
            if cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    continue 'walk;
                }
                if !cursor.goto_parent() {
                    break 'walk;
                }
            }
        }
        found
    }
}
