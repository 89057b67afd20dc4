//! The parameters of the functions a spell defines, read from the tree at their definition,
//! for signature help and call snippets of the spell's own functions.
//!
//! Covers named functions (`function f(a)`, `local function f(a)`, `fn f(a)`) and names
//! initialised with a function value (`local f = function(a)`, `const f = (a) => …`,
//! `let f = |a| …`).

use llmspell_syntax::{Language, TextRange, tree_sitter::Node};

use crate::Document;

/// The parameters (as written: names, patterns, `...`) of the function whose name is defined
/// at `definition`, or `None` when the name does not hold a function.
pub(crate) fn parameters_at(document: &Document, definition: TextRange) -> Option<Vec<String>> {
    let root = document.tree().root()?;
    let name = root.descendant_for_byte_range(definition.start, definition.end)?;
    let function = function_of_name(document.language(), name)?;
    let text = document.text();
    let node_text = |node: Node<'_>| {
        text.get(node.start_byte()..node.end_byte())
            .unwrap_or("")
            .to_owned()
    };
    if let Some(single) = function.child_by_field_name("parameter") {
        return Some(vec![node_text(single)]);
    }
    let parameters = function.child_by_field_name("parameters")?;
    let mut cursor = parameters.walk();
    let names = parameters
        .named_children(&mut cursor)
        .filter(|parameter| parameter.kind() != "comment")
        .map(node_text)
        .collect();
    Some(names)
}

/// The function node a defining name belongs to.
fn function_of_name(language: Language, name: Node<'_>) -> Option<Node<'_>> {
    let parent = name.parent()?;
    match (language, parent.kind()) {
        (Language::Lua, "function_declaration")
        | (Language::JavaScript, "function_declaration" | "generator_function_declaration")
        | (Language::Rhai, "function_definition") => Some(parent),
        // `local f = function(a) … end`: name → variable_list → assignment_statement.
        (Language::Lua, "variable_list") => {
            let assignment = parent.parent()?;
            let position = named_index(parent, name)?;
            let values =
                assignment.named_child(assignment.named_child_count().checked_sub(1)? as u32)?;
            let value = values.named_child(position as u32)?;
            (value.kind() == "function_definition").then_some(value)
        }
        (Language::JavaScript, "variable_declarator") => {
            let value = parent.child_by_field_name("value")?;
            matches!(
                value.kind(),
                "arrow_function" | "function_expression" | "function"
            )
            .then_some(value)
        }
        (Language::Rhai, "let_statement" | "const_statement") => {
            let value = parent.child_by_field_name("value")?;
            (value.kind() == "closure_expression").then_some(value)
        }
        _ => None,
    }
}

fn named_index(parent: Node<'_>, child: Node<'_>) -> Option<usize> {
    let mut cursor = parent.walk();
    parent
        .named_children(&mut cursor)
        .position(|candidate| candidate.id() == child.id())
}
