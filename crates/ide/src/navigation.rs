//! Navigation: document symbols (functions, agents, tools, workflows and their steps), go to
//! definition, find references and document highlight.

use llmspell_syntax::{SymbolKind as SyntaxSymbolKind, TextRange};

use crate::spell_items::{self, ScriptTools};
use crate::{Document, Ide, Position, Range, nodes};

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
    /// The spell's outline: functions (with their inner functions), agents, tools, and workflows
    /// with their steps, nested by where they are written.
    pub fn document_symbols(&self, document: &Document) -> Vec<DocumentSymbol> {
        let analysis = document.analysis(self);
        let tree = document.tree();
        let language = document.language();
        let mut items: Vec<OutlineItem> = Vec::new();

        for symbol in &analysis.symbols {
            let Some(name_node) = nodes::node_at(tree, symbol.definition) else {
                continue;
            };
            let function = match symbol.kind {
                SyntaxSymbolKind::Function => name_node
                    .parent()
                    .filter(|parent| nodes::FUNCTION_KINDS.contains(&parent.kind()))
                    .or(Some(name_node)),
                SyntaxSymbolKind::Local | SyntaxSymbolKind::Global => {
                    nodes::declared_value(language, name_node)
                        .filter(|value| nodes::FUNCTION_KINDS.contains(&value.kind()))
                }
                SyntaxSymbolKind::Parameter => None,
            };
            let Some(function) = function else {
                continue;
            };
            let range = match symbol.kind {
                SyntaxSymbolKind::Function => nodes::text_range(function),
                _ => nodes::declaration_statement(name_node)
                    .map_or(nodes::text_range(function), nodes::text_range),
            };
            let detail = function
                .child_by_field_name("parameters")
                .map(|parameters| nodes::node_text(document.text(), parameters))
                .filter(|parameters| !parameters.contains('\n'));
            items.push(OutlineItem {
                name: symbol.name.clone(),
                detail,
                kind: SymbolKind::Function,
                range: TextRange::new(
                    range.start.min(symbol.definition.start),
                    range.end.max(symbol.definition.end),
                ),
                selection: symbol.definition,
            });
        }

        let step_ranges: Vec<TextRange> = analysis
            .workflows
            .iter()
            .flat_map(|workflow| workflow.steps.iter().map(|step| step.range))
            .collect();
        let mut step_details: Vec<(TextRange, String)> = Vec::new();
        for call in &analysis.host_calls {
            let kind = match spell_items::canonical_callee(&self.api, call) {
                Some("agent.create") => SymbolKind::Agent,
                Some("tools.define") => SymbolKind::Tool,
                _ => continue,
            };
            if step_ranges.contains(&call.range) {
                step_details.push((call.range, call.callee.clone()));
                continue;
            }
            let declared = nodes::node_at(tree, call.range)
                .and_then(|node| nodes::declared_name(language, node))
                .map(|name| nodes::node_text(document.text(), name));
            let literal = call
                .arguments
                .first()
                .and_then(|config| spell_items::map_string(&config.value, "name"));
            let (name, selection) = match (literal, &declared) {
                (Some((name, range)), _) => (
                    name.to_owned(),
                    nodes::string_content(document.text(), range),
                ),
                (None, Some(declared)) => (declared.clone(), call.name_range),
                (None, None) => (call.callee.clone(), call.name_range),
            };
            items.push(OutlineItem {
                name,
                detail: Some(declared.unwrap_or_else(|| call.callee.clone())),
                kind,
                range: call.range,
                selection,
            });
        }

        for workflow in &analysis.workflows {
            let name_range = analysis
                .host_calls
                .iter()
                .find(|call| call.range == workflow.range)
                .map_or(workflow.range, |call| call.name_range);
            if step_ranges.contains(&workflow.range) {
                step_details.push((workflow.range, workflow.callee.clone()));
            } else {
                let declared = nodes::node_at(tree, workflow.range)
                    .and_then(|node| nodes::declared_name(language, node))
                    .map(|name| nodes::node_text(document.text(), name));
                let (name, selection) = match (&workflow.name, &declared) {
                    (Some((name, range)), _) => {
                        (name.clone(), nodes::string_content(document.text(), *range))
                    }
                    (None, Some(declared)) => (declared.clone(), name_range),
                    (None, None) => (workflow.callee.clone(), name_range),
                };
                items.push(OutlineItem {
                    name,
                    detail: Some(workflow.callee.clone()),
                    kind: SymbolKind::Workflow,
                    range: workflow.range,
                    selection,
                });
            }
            for step in &workflow.steps {
                items.push(OutlineItem {
                    name: step.name.clone(),
                    detail: None,
                    kind: SymbolKind::Step,
                    range: step.range,
                    selection: step.range,
                });
            }
        }
        for item in &mut items {
            if item.kind == SymbolKind::Step {
                item.detail = step_details
                    .iter()
                    .find(|(range, _)| *range == item.range)
                    .map(|(_, callee)| callee.clone());
            }
        }
        nest(document, items)
    }

    /// Where the name under the cursor is defined: a local, parameter or function, or a tool the
    /// spell defines (from a tool name string).
    pub fn definition(&self, document: &Document, position: Position) -> Option<Location> {
        let offset = document.offset(position);
        let analysis = document.analysis(self);
        if let Some(id) = analysis.symbol_at(offset) {
            let symbol = analysis.symbol(id);
            return Some(Location {
                range: document.range(symbol.definition),
            });
        }
        let tools = ScriptTools::new(&self.api, analysis);
        let name = tools.name_at(offset)?;
        let definition = tools.definition(&name.name)?;
        Some(Location {
            range: document.range(nodes::string_content(document.text(), definition.range)),
        })
    }

    /// Every use of the name under the cursor (the definition too when `include_declaration`),
    /// in source order. Scopes are respected: a shadowing local is another name.
    pub fn references(
        &self,
        document: &Document,
        position: Position,
        include_declaration: bool,
    ) -> Vec<Location> {
        self.occurrences(document, position)
            .into_iter()
            .filter(|occurrence| include_declaration || !occurrence.is_definition)
            .map(|occurrence| Location {
                range: document.range(occurrence.range),
            })
            .collect()
    }

    /// The occurrences of the name under the cursor, marked as written (definitions and
    /// assignments) or read.
    pub fn highlights(&self, document: &Document, position: Position) -> Vec<Highlight> {
        self.occurrences(document, position)
            .into_iter()
            .map(|occurrence| Highlight {
                range: document.range(occurrence.range),
                kind: if occurrence.is_write {
                    HighlightKind::Write
                } else {
                    HighlightKind::Read
                },
            })
            .collect()
    }

    fn occurrences(&self, document: &Document, position: Position) -> Vec<Occurrence> {
        let offset = document.offset(position);
        let analysis = document.analysis(self);
        if let Some(id) = analysis.symbol_at(offset) {
            let symbol = analysis.symbol(id);
            let mut occurrences = vec![Occurrence {
                range: symbol.definition,
                is_definition: true,
                is_write: true,
            }];
            for &range in &symbol.references {
                let is_write =
                    nodes::node_at(document.tree(), range).is_some_and(nodes::is_assignment_target);
                occurrences.push(Occurrence {
                    range,
                    is_definition: false,
                    is_write,
                });
            }
            occurrences.sort_by_key(|occurrence| occurrence.range.start);
            return occurrences;
        }
        let tools = ScriptTools::new(&self.api, analysis);
        let Some(name) = tools.name_at(offset) else {
            return Vec::new();
        };
        let definition = tools
            .definition(&name.name)
            .map(|definition| definition.range);
        tools
            .all_names()
            .into_iter()
            .filter(|other| other.name == name.name)
            .map(|other| Occurrence {
                range: nodes::string_content(document.text(), other.range),
                is_definition: Some(other.range) == definition,
                is_write: Some(other.range) == definition,
            })
            .collect()
    }
}

/// One place a name occurs.
struct Occurrence {
    range: TextRange,
    is_definition: bool,
    is_write: bool,
}

/// A document symbol before nesting, in byte ranges.
struct OutlineItem {
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    range: TextRange,
    selection: TextRange,
}

/// Nests items by containment (an item inside another's range is its child), in source order.
fn nest(document: &Document, mut items: Vec<OutlineItem>) -> Vec<DocumentSymbol> {
    items.sort_by(|a, b| {
        a.range
            .start
            .cmp(&b.range.start)
            .then(b.range.end.cmp(&a.range.end))
    });
    let mut roots: Vec<DocumentSymbol> = Vec::new();
    // Open symbols, outermost first, with their byte ranges.
    let mut open: Vec<(DocumentSymbol, TextRange)> = Vec::new();
    let close = |open: &mut Vec<(DocumentSymbol, TextRange)>, roots: &mut Vec<DocumentSymbol>| {
        if let Some((symbol, _)) = open.pop() {
            match open.last_mut() {
                Some((parent, _)) => parent.children.push(symbol),
                None => roots.push(symbol),
            }
        }
    };
    for item in items {
        while open.last().is_some_and(|(_, range)| {
            item.range.end > range.end || item.range.start >= range.end && range.end > range.start
        }) {
            close(&mut open, &mut roots);
        }
        let symbol = DocumentSymbol {
            name: item.name,
            detail: item.detail,
            kind: item.kind,
            range: document.range(item.range),
            selection_range: document.range(item.selection),
            children: Vec::new(),
        };
        open.push((symbol, item.range));
    }
    while !open.is_empty() {
        close(&mut open, &mut roots);
    }
    roots
}
