//! The corpus cases are Rhai the rhai engine itself compiles (all of them but those that test
//! error recovery), so the grammar accepts what rhai accepts rather than what we assumed; in
//! particular the rarer constructs: open ranges outside indexes and arguments, floats with
//! nothing after the dot.

/// The `(name, code, expected tree)` of every case of a tree-sitter corpus file.
fn corpus_cases(text: &str) -> Vec<(String, String, String)> {
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
        let mut tree = String::new();
        while let Some(line) = lines.next_if(|line| !line.starts_with("=====")) {
            tree.push_str(line);
            tree.push('\n');
        }
        cases.push((name, code, tree));
    }
    cases
}

/// Every corpus case whose expected tree has no error: the rhai engine must compile it too.
#[test]
fn every_corpus_case_without_an_error_compiles_in_rhai() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test/corpus");
    let engine = rhai::Engine::new();
    let mut checked = 0;
    let mut rejected = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (name, code, tree) in corpus_cases(&text) {
            if tree.contains("ERROR") || tree.contains("MISSING") {
                continue;
            }
            checked += 1;
            // Rhai skips a `#!` line when it loads a script from a file, not in `compile`.
            let code = match code.trim_start().strip_prefix("#!") {
                Some(rest) => rest.split_once('\n').map_or("", |(_, after)| after).to_owned(),
                None => code,
            };
            if let Err(error) = engine.compile(&code) {
                rejected.push(format!("{}: {name}: {error}", file.display()));
            }
        }
    }
    assert!(checked > 100, "only {checked} corpus cases found");
    assert!(rejected.is_empty(), "rhai rejects:\n{}", rejected.join("\n"));
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
    for (name, code, _) in &cases {
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
