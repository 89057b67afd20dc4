//! Syntax errors from a tree: every `ERROR` and `MISSING` node, with a readable message.

use tree_sitter::Node;

use crate::{Language, SyntaxError, TextRange, line_column};

/// Collects the errors of a tree in source order.
pub(crate) fn collect(language: Language, text: &str, root: Node<'_>) -> Vec<SyntaxError> {
    let mut errors = Vec::new();
    if root.has_error() {
        visit(language, text, root, &mut errors);
    }
    errors
}

/// Iterative (an explicit stack, children pushed in reverse) so that deeply nested input, such as
/// 10,000 unclosed brackets, cannot overflow the call stack.
fn visit(language: Language, text: &str, root: Node<'_>, errors: &mut Vec<SyntaxError>) {
    // Each node with its parent: `Node::parent` walks down from the root, recursively in C.
    let mut stack = vec![(root, None)];
    while let Some((node, parent)) = stack.pop() {
        if node.is_missing() {
            errors.push(missing(language, text, node, parent));
            continue;
        }
        if node.is_error() {
            errors.push(unexpected(language, text, node));
            continue;
        }
        let start = stack.len();
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if child.has_error() || child.is_missing() {
                stack.push((child, Some(node)));
            }
        }
        stack[start..].reverse();
    }
}

/// A `MISSING` node: "expected `end` to close `function` at 3:1" when the construct it closes
/// starts with a token, else "expected `x`".
fn missing(
    language: Language,
    text: &str,
    node: Node<'_>,
    parent: Option<Node<'_>>,
) -> SyntaxError {
    let expected = node.kind();
    let mut message = format!("expected `{expected}`");
    if let Some(parent) = parent {
        let mut cursor = parent.walk();
        let opener = parent
            .children(&mut cursor)
            .filter(|child| !child.is_named() && !child.is_missing())
            .find(|child| closer(language, child.kind()) == Some(expected));
        if let Some(opener) = opener {
            let (line, column) = line_column(text, opener.start_byte());
            message = format!(
                "expected `{expected}` to close `{}` at {line}:{column}",
                opener.kind()
            );
        }
    }
    SyntaxError {
        range: TextRange::of(node),
        message,
    }
}

/// An `ERROR` node. When it starts with a block opener that is never closed, the message says
/// what closes it; otherwise it names the first unexpected token.
fn unexpected(language: Language, text: &str, node: Node<'_>) -> SyntaxError {
    let range = TextRange::of(node);
    let mut leaves = Vec::new();
    collect_leaves(node, &mut leaves);
    let mut depth_openers: Vec<Node<'_>> = Vec::new();
    for leaf in &leaves {
        let kind = leaf.kind();
        if closer(language, kind).is_some() {
            depth_openers.push(*leaf);
        } else if let Some(last) = depth_openers.last()
            && closer(language, last.kind()) == Some(kind)
        {
            depth_openers.pop();
        }
    }
    if let Some(opener) = depth_openers.first()
        && let Some(expected) = closer(language, opener.kind())
    {
        let (line, column) = line_column(text, opener.start_byte());
        return SyntaxError {
            range,
            message: format!(
                "expected `{expected}` to close `{}` at {line}:{column}",
                opener.kind()
            ),
        };
    }
    let first = leaves.first().copied().unwrap_or(node);
    let token = text
        .get(first.start_byte()..first.end_byte())
        .unwrap_or("")
        .lines()
        .next()
        .unwrap_or("");
    let token: String = token.chars().take(20).collect();
    let message = if token.is_empty() {
        "unexpected input".to_owned()
    } else {
        format!("unexpected `{token}`")
    };
    SyntaxError { range, message }
}

fn collect_leaves<'tree>(root: Node<'tree>, leaves: &mut Vec<Node<'tree>>) {
    // Iterative, in source order, for the same reason as `visit`.
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.child_count() == 0 {
            if node.end_byte() > node.start_byte() && node.kind() != "comment" {
                leaves.push(node);
            }
            continue;
        }
        if node.kind() == "comment" || node.kind() == "string" || node.kind() == "template_string" {
            leaves.push(node);
            continue;
        }
        let start = stack.len();
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
        stack[start..].reverse();
    }
}

/// The token that closes a block opener, per language.
fn closer(language: Language, opener: &str) -> Option<&'static str> {
    match (language, opener) {
        (_, "(") => Some(")"),
        (_, "[") => Some("]"),
        (_, "{") => Some("}"),
        (Language::Lua, "function" | "if" | "do") => Some("end"),
        (Language::Lua, "repeat") => Some("until"),
        (Language::Rhai, "#{") => Some("}"),
        _ => None,
    }
}
