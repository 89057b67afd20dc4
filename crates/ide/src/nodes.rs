//! Small questions about the parse tree that several features ask: the node behind a range the
//! analysis reported, the name a value is declared under, whether a name is being assigned.
//! Every walk here goes up the tree (a node's ancestors), never over the whole tree.

use llmspell_syntax::tree_sitter::Node;
use llmspell_syntax::{Language, SyntaxTree, TextRange};

/// The innermost node whose range is exactly `range`, when there is one.
pub(crate) fn node_at(tree: &SyntaxTree, range: TextRange) -> Option<Node<'_>> {
    let node = tree
        .root()?
        .descendant_for_byte_range(range.start, range.end)?;
    (node.start_byte() == range.start && node.end_byte() == range.end).then_some(node)
}

/// The byte range of a node.
pub(crate) fn text_range(node: Node<'_>) -> TextRange {
    TextRange::new(node.start_byte(), node.end_byte())
}

/// The text of a node (empty when its range is not in the text).
pub(crate) fn node_text(text: &str, node: Node<'_>) -> String {
    text.get(node.start_byte()..node.end_byte())
        .unwrap_or_default()
        .to_owned()
}

/// Whether a node with exactly this range has one of `kinds` (wrappers with the same range
/// count: Lua's `expression`, a statement around its only expression).
pub(crate) fn range_has_kind(tree: &SyntaxTree, range: TextRange, kinds: &[&str]) -> bool {
    let mut node = node_at(tree, range);
    while let Some(current) = node {
        if current.start_byte() != range.start || current.end_byte() != range.end {
            return false;
        }
        if kinds.contains(&current.kind()) {
            return true;
        }
        node = current.parent();
    }
    false
}

/// Node kinds of function literals and declarations, in every language.
pub(crate) const FUNCTION_KINDS: &[&str] = &[
    // Lua
    "function_declaration",
    "function_definition",
    // JavaScript
    "generator_function_declaration",
    "function_expression",
    "arrow_function",
    "generator_function",
    "method_definition",
    // Rhai (`function_definition` is shared with Lua)
    "closure_expression",
];

/// For a value, the name it is declared or assigned under (`local a = <value>`,
/// `const a = <value>`, `let a = <value>`, `a = <value>`): the name node.
pub(crate) fn declared_name<'tree>(language: Language, value: Node<'tree>) -> Option<Node<'tree>> {
    // Skip wrappers with the same range (parentheses are not skipped: `(x)` is rarely declared).
    let mut value = value;
    while let Some(parent) = value.parent() {
        if parent.start_byte() == value.start_byte()
            && parent.end_byte() == value.end_byte()
            && parent.kind() != "expression_list"
        {
            value = parent;
        } else {
            break;
        }
    }
    let parent = value.parent()?;
    match language {
        Language::Lua => {
            // `local a, b = x, y` / `a, b = x, y`: the name at the value's index.
            if parent.kind() != "expression_list" {
                return None;
            }
            let assignment = parent.parent()?;
            if assignment.kind() != "assignment_statement" {
                return None;
            }
            let index = named_children(parent)
                .iter()
                .position(|child| child.id() == value.id())?;
            let names = assignment.named_child(0)?;
            let name = named_children(names).into_iter().nth(index)?;
            (name.kind() == "identifier").then_some(name)
        }
        Language::JavaScript => match parent.kind() {
            "variable_declarator" => {
                let name = parent.child_by_field_name("name")?;
                (name.kind() == "identifier").then_some(name)
            }
            "assignment_expression" => {
                let name = parent.child_by_field_name("left")?;
                (name.kind() == "identifier").then_some(name)
            }
            _ => None,
        },
        Language::Rhai => match parent.kind() {
            "let_statement" | "const_statement" => parent.child_by_field_name("name"),
            "assignment_expression" => {
                let name = parent.child_by_field_name("left")?;
                (name.kind() == "identifier").then_some(name)
            }
            _ => None,
        },
    }
}

/// The value a declared name is given, when the declaration gives one (`local f = function…`).
pub(crate) fn declared_value<'tree>(language: Language, name: Node<'tree>) -> Option<Node<'tree>> {
    let parent = name.parent()?;
    match language {
        Language::Lua => {
            if parent.kind() != "variable_list" {
                return None;
            }
            let assignment = parent.parent()?;
            if assignment.kind() != "assignment_statement" {
                return None;
            }
            let index = named_children(parent)
                .iter()
                .position(|child| child.id() == name.id())?;
            let values =
                assignment.named_child(assignment.named_child_count().checked_sub(1)? as u32)?;
            if values.kind() != "expression_list" {
                return None;
            }
            named_children(values).into_iter().nth(index)
        }
        Language::JavaScript => {
            (parent.kind() == "variable_declarator").then(|| parent.child_by_field_name("value"))?
        }
        Language::Rhai => matches!(parent.kind(), "let_statement" | "const_statement")
            .then(|| parent.child_by_field_name("value"))?,
    }
}

/// The statement a declaration's name belongs to (`local a = …`, `const a = …;`, `let a = …;`),
/// for the full range of a document symbol.
pub(crate) fn declaration_statement(name: Node<'_>) -> Option<Node<'_>> {
    let mut node = name.parent()?;
    for _ in 0..4 {
        match node.kind() {
            "variable_declaration"
            | "lexical_declaration"
            | "let_statement"
            | "const_statement" => {
                return Some(node);
            }
            // Lua: `local a = …` is a declaration around an assignment.
            "assignment_statement" => {
                return Some(match node.parent() {
                    Some(parent) if parent.kind() == "variable_declaration" => parent,
                    _ => node,
                });
            }
            _ => node = node.parent()?,
        }
    }
    None
}

/// Whether an identifier is the target of an assignment (`x = 1`, `x += 1`, `x++`).
pub(crate) fn is_assignment_target(node: Node<'_>) -> bool {
    let Some(parent) = node.parent() else {
        return false;
    };
    match parent.kind() {
        // Lua: `x, y = …` (a `local` declaration's names are definitions, not references).
        "variable_list" => parent
            .parent()
            .is_some_and(|statement| statement.kind() == "assignment_statement"),
        "assignment_expression"
        | "augmented_assignment_expression"
        | "compound_assignment_expression" => parent
            .child_by_field_name("left")
            .is_some_and(|left| left.id() == node.id()),
        "update_expression" => true,
        _ => false,
    }
}

/// The node's named children, comments excluded.
pub(crate) fn named_children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|child| child.kind() != "comment")
        .collect()
}

/// The inside of a string literal's range (without its quotes), for locations on a name.
pub(crate) fn string_content(text: &str, range: TextRange) -> TextRange {
    let Some(literal) = text.get(range.start..range.end) else {
        return range;
    };
    let hashes = literal.bytes().take_while(|&byte| byte == b'#').count();
    let inner = &literal[hashes..literal.len().saturating_sub(hashes).max(hashes)];
    let quoted = inner.len() >= 2
        && matches!(inner.as_bytes()[0], b'"' | b'\'' | b'`')
        && inner.as_bytes()[inner.len() - 1] == inner.as_bytes()[0];
    if quoted {
        TextRange::new(range.start + hashes + 1, range.end - hashes - 1)
    } else if literal.starts_with("[[") && literal.ends_with("]]") && literal.len() >= 4 {
        TextRange::new(range.start + 2, range.end - 2)
    } else {
        range
    }
}
