//! Parsing, editing and analysing never panic, whatever the input (a small fixed-seed budget;
//! `fuzz.rs` adds random bytes, 1 MB files and deep nesting).

mod common;

use llmspell_syntax::{Language, TextRange, analyze, parse};

/// Fragments that make plausible and implausible spells in all three languages.
const FRAGMENTS: &[&str] = &[
    "local ",
    "let ",
    "const ",
    "function ",
    "fn ",
    "end",
    "(",
    ")",
    "{",
    "}",
    "#{",
    "[",
    "]",
    "agent",
    ".",
    ":",
    "create",
    "workflow",
    "sequential",
    "=",
    "==",
    ",",
    ";",
    "\n",
    "\"",
    "'",
    "`",
    "${",
    "|x|",
    "=>",
    "name",
    "steps",
    "if ",
    "then",
    "else",
    "for ",
    "in ",
    "do ",
    "while ",
    "return ",
    "--",
    "//",
    "/*",
    "é",
    "\u{0}",
    "\u{feff}",
    "1",
    "0x1f",
    "1_000",
    "nil",
    "null",
    "[[",
    "]]",
    "..",
    "?.",
    "??",
    "try",
    "catch",
    "await ",
    "=",
    "a",
    "b",
];

/// A tiny linear congruential generator: deterministic, no dependency.
struct Random(u64);

impl Random {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound.max(1)
    }
}

#[test]
fn random_spells_and_edits_never_panic() {
    let api = common::host_api();
    let mut random = Random(42);
    for language in [Language::Lua, Language::JavaScript, Language::Rhai] {
        for _ in 0..150 {
            let mut text = String::new();
            for _ in 0..random.next(60) {
                text += FRAGMENTS[random.next(FRAGMENTS.len())];
            }
            let mut tree = parse(language, &text);
            analyze(&tree, &api);
            for _ in 0..3 {
                let start = random.next(text.len() + 4);
                let end = start + random.next(6);
                let insertion = FRAGMENTS[random.next(FRAGMENTS.len())];
                tree.edit(TextRange::new(start, end), insertion);
                let fresh = parse(language, tree.text());
                assert_eq!(
                    tree.to_sexp(),
                    fresh.to_sexp(),
                    "{language:?}: {:?}",
                    tree.text()
                );
                analyze(&tree, &api);
            }
        }
    }
}

#[test]
fn invalid_utf8_read_lossily_parses() {
    let bytes = [
        0xff_u8, 0xfe, b'l', b'o', b'c', b'a', b'l', b' ', 0xc3, b'=', 0x80,
    ];
    let text = String::from_utf8_lossy(&bytes);
    for language in [Language::Lua, Language::JavaScript, Language::Rhai] {
        let tree = parse(language, &text);
        assert!(!tree.errors().is_empty());
    }
}

/// Machine-made nesting (thousands of brackets, a chain of thousands of operators) is analysed
/// on a small stack without overflowing it, and what follows the deep part is still read.
#[test]
fn analysing_deep_trees_stays_within_a_small_stack() {
    let depth = 10_000;
    let deep_parts = |language: Language| -> Vec<String> {
        let chain = match language {
            Language::Lua => format!("local deep = {}1\n", "1 .. ".repeat(depth)),
            Language::JavaScript => format!("const deep = {}1;\n", "1 + ".repeat(depth)),
            Language::Rhai => format!("let deep = {}1;\n", "1 + ".repeat(depth)),
        };
        let brackets = match language {
            Language::Lua => format!("local deep = {}1{}\n", "{".repeat(depth), "}".repeat(depth)),
            Language::JavaScript => format!(
                "const deep = {}1{};\n",
                "[".repeat(depth),
                "]".repeat(depth)
            ),
            Language::Rhai => format!("let deep = {}1{};\n", "(".repeat(depth), ")".repeat(depth)),
        };
        vec![chain, brackets]
    };
    for language in [Language::Lua, Language::JavaScript, Language::Rhai] {
        for deep in deep_parts(language) {
            let after = match language {
                Language::Lua => "local after = agent.create{ name = \"a\" }\n",
                Language::JavaScript => "const after = agent.create({ name: \"a\" });\n",
                Language::Rhai => "let after = agent.create(#{ name: \"a\" });\n",
            };
            let text = format!("{deep}{after}");
            let worker = std::thread::Builder::new()
                .stack_size(1 << 20)
                .spawn(move || {
                    let analysis = analyze(&parse(language, &text), &common::host_api());
                    analysis
                        .symbols
                        .iter()
                        .find(|symbol| symbol.name == "after")
                        .and_then(|symbol| symbol.host_type.clone())
                })
                .expect("a thread");
            let after_type = worker.join().expect("no stack overflow, no panic");
            assert_eq!(after_type.as_deref(), Some("Agent"), "{language:?}");
        }
    }
}
