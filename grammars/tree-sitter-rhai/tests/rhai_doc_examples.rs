//! Acceptance on code we did not write: every ```` ```rhai ```` block in the rhai crate's doc
//! comments (extracted into `test/rhai-doc-examples/examples.txt`) that the rhai engine itself
//! compiles must parse without an `ERROR` or `MISSING` node.

fn examples() -> Vec<(String, String)> {
    let text = include_str!("../test/rhai-doc-examples/examples.txt");
    let mut examples: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("=== ") {
            examples.push((name.to_owned(), String::new()));
        } else if let Some((_, code)) = examples.last_mut() {
            code.push_str(line);
            code.push('\n');
        }
    }
    examples
}

fn first_problem(node: tree_sitter::Node<'_>) -> Option<tree_sitter::Node<'_>> {
    if node.is_error() || node.is_missing() {
        return Some(node);
    }
    if !node.has_error() {
        return None;
    }
    let mut cursor = node.walk();
    node.children(&mut cursor).find_map(first_problem)
}

#[test]
fn every_rhai_doc_example_the_engine_compiles_parses_without_errors() {
    let examples = examples();
    assert_eq!(
        examples.len(),
        244,
        "rhai 1.27.0 documents 244 ```rhai blocks"
    );
    let engine = rhai::Engine::new();
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_rhai::LANGUAGE.into())
        .unwrap();
    let mut compiled = 0;
    let mut failures = Vec::new();
    for (name, code) in &examples {
        if engine.compile(code).is_err() {
            continue;
        }
        compiled += 1;
        let tree = parser.parse(code, None).unwrap();
        if let Some(node) = first_problem(tree.root_node()) {
            let start = node.start_position();
            let line = code.lines().nth(start.row).unwrap_or_default();
            failures.push(format!(
                "{name}: {} at {}:{}: {line}",
                if node.is_missing() {
                    "MISSING"
                } else {
                    "ERROR"
                },
                start.row + 1,
                start.column + 1
            ));
        }
    }
    assert_eq!(
        compiled, 235,
        "rhai 1.27.0 compiles 235 of its 244 documented examples"
    );
    assert!(
        failures.is_empty(),
        "{} of {compiled} compiled examples do not parse:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
