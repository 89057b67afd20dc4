//! The corpus cases for constructs that only some Rhai code uses (open ranges outside indexes
//! and arguments, floats with nothing after the dot) are Rhai the rhai engine itself compiles,
//! so the grammar accepts what rhai accepts rather than what we assumed.

/// The `(name, code)` of every case of a tree-sitter corpus file.
fn corpus_cases(text: &str) -> Vec<(String, String)> {
    let mut cases = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if !line.starts_with("=====") {
            continue;
        }
        let name = lines.next().unwrap_or_default().to_owned();
        lines.next(); // The closing `=====` line.
        let mut code = String::new();
        for line in lines.by_ref() {
            if line.starts_with("-----") {
                break;
            }
            code.push_str(line);
            code.push('\n');
        }
        cases.push((name, code));
    }
    cases
}

#[test]
fn every_open_range_and_float_corpus_case_compiles_in_rhai_and_parses() {
    let cases = corpus_cases(include_str!("../test/corpus/open_ranges_and_floats.txt"));
    assert_eq!(cases.len(), 5, "{cases:?}");
    let engine = rhai::Engine::new();
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_rhai::LANGUAGE.into())
        .unwrap();
    for (name, code) in &cases {
        if let Err(error) = engine.compile(code) {
            panic!("rhai rejects the corpus case {name:?}: {error}\n{code}");
        }
        let tree = parser.parse(code, None).unwrap();
        assert!(
            !tree.root_node().has_error(),
            "{name}: {}",
            tree.root_node().to_sexp()
        );
    }
}

#[test]
fn rhai_reads_a_trailing_dot_as_a_float_only_before_a_symbol_or_space() {
    // The rules `scan_float_with_trailing_dot` in src/scanner.c mirrors, checked on the engine.
    let engine = rhai::Engine::new();
    assert_eq!(engine.eval::<f64>("let x = 5.; x").unwrap(), 5.0);
    assert_eq!(engine.eval::<f64>("5. ").unwrap(), 5.0);
    assert_eq!(engine.eval::<f64>("[1_000., 2.][0]").unwrap(), 1000.0);
    assert_eq!(engine.eval::<i64>("5.abs()").unwrap(), 5);
    assert_eq!(engine.eval::<i64>("let r = 1..3; r.end").unwrap(), 3);
    // At the very end of the input the dot is not part of a number.
    assert!(engine.compile("5.").is_err());
}
