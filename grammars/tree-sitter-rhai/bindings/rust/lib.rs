//! Rhai grammar for [tree-sitter](https://tree-sitter.github.io/), written for llmspell from the
//! Rhai book and the behaviour of the rhai crate 1.27.
//!
//! ```
//! let code = "let x = 40 + 2;";
//! let mut parser = tree_sitter::Parser::new();
//! parser.set_language(&tree_sitter_rhai::LANGUAGE.into()).expect("Error loading Rhai parser");
//! let tree = parser.parse(code, None).unwrap();
//! assert!(!tree.root_node().has_error());
//! ```

use tree_sitter_language::LanguageFn;

unsafe extern "C" {
    fn tree_sitter_rhai() -> *const ();
}

/// The tree-sitter [`LanguageFn`] for Rhai.
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_rhai) };

/// The content of the [`node-types.json`] file for this grammar.
pub const NODE_TYPES: &str = include_str!("../../src/node-types.json");

/// Syntax highlighting queries.
pub const HIGHLIGHTS_QUERY: &str = include_str!("../../queries/highlights.scm");

/// Local variable and scope queries.
pub const LOCALS_QUERY: &str = include_str!("../../queries/locals.scm");

/// Symbol tagging queries (functions, calls).
pub const TAGS_QUERY: &str = include_str!("../../queries/tags.scm");

#[cfg(test)]
mod tests {
    #[test]
    fn the_grammar_loads() {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&super::LANGUAGE.into())
            .expect("Error loading Rhai parser");
    }

    #[test]
    fn a_sample_spell_parses_without_error_nodes() {
        let code = r##"
//! A sample spell.
import "tools" as tools;

/// Doubles a number.
private fn double(x) { x * 2 }

const LIMIT = 10;
let items = [1, 2, 3];
let config = #{ name: "demo", "max tokens": 1_000, rate: 1.5e-3 };
for (item, index) in items {
    if item > 1 { continue; } else if index == 0 { print(`first: ${item}`); }
}
let total = switch items.len() { 0 => 0, 1..=3 => 1, 4 if LIMIT > 2 => 2, _ => 3 };
let f = |x| x + config?.rate ?? 0;
try { throw "boom"; } catch (err) { print(err); }
let n = loop { break 42; };
do { n -= 1; } until n <= 0;
tools::run(f.call(double(n)), items[0], 'c', #"raw"#)
"##;
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&super::LANGUAGE.into()).unwrap();
        let tree = parser.parse(code, None).unwrap();
        let root = tree.root_node();
        assert_eq!(root.kind(), "source_file");
        assert!(!root.has_error(), "{}", root.to_sexp());
        assert_eq!(root.named_child_count(), 14, "{}", root.to_sexp());
    }

    #[test]
    fn a_syntax_error_yields_an_error_node() {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&super::LANGUAGE.into()).unwrap();
        let tree = parser.parse("let = ;", None).unwrap();
        assert!(tree.root_node().has_error());
    }

    #[test]
    fn an_unfinished_function_recovers_with_a_missing_token() {
        // Editors parse code while it is typed: the function stays a function, its body a
        // block, and the parser inserts the missing `)` instead of wrapping everything in ERROR.
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&super::LANGUAGE.into()).unwrap();
        let tree = parser
            .parse("let a = 1;\nfn f(x) {\n  print(a, x\n", None)
            .unwrap();
        let root = tree.root_node();
        assert_eq!(root.kind(), "source_file", "{}", root.to_sexp());
        let function = root.named_child(1).unwrap();
        assert_eq!(function.kind(), "function_definition", "{}", root.to_sexp());
        assert!(
            root.to_sexp().contains("(MISSING \")\")"),
            "{}",
            root.to_sexp()
        );
    }

    #[test]
    fn the_queries_compile() {
        let language: tree_sitter::Language = super::LANGUAGE.into();
        for (name, source) in [
            ("highlights", super::HIGHLIGHTS_QUERY),
            ("locals", super::LOCALS_QUERY),
            ("tags", super::TAGS_QUERY),
        ] {
            if let Err(error) = tree_sitter::Query::new(&language, source) {
                panic!("queries/{name}.scm: {error}");
            }
        }
    }
}
