//! Fixed-budget, fixed-seed fuzz over all three languages: random fragments, raw random bytes
//! read lossily (what editors send us for invalid UTF-8), a 1 MB generated file per language and
//! deeply nested brackets. Parsing and editing must not panic or hang, and after every edit the
//! incremental tree must equal a fresh parse. No timing assertions.

mod common;

use llmspell_syntax::{Language, TextRange, analyze, parse};

const LANGUAGES: [Language; 3] = [Language::Lua, Language::JavaScript, Language::Rhai];

/// Bytes that are likely to matter to the three grammars, mixed with arbitrary ones.
const INTERESTING: &[u8] = b"(){}[]#\"'`$\\\n\r\t .:;,=<>!?|&+-*/%~^_0123456789abcdefxlnu";

/// A tiny xorshift generator: deterministic, no dependency.
struct Random(u64);

impl Random {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound.max(1) as u64) as usize
    }

    /// Random bytes: half arbitrary (often invalid UTF-8), half from the grammars' alphabet.
    fn bytes(&mut self, length: usize) -> Vec<u8> {
        (0..length)
            .map(|_| {
                if self.below(2) == 0 {
                    self.next_u64() as u8
                } else {
                    INTERESTING[self.below(INTERESTING.len())]
                }
            })
            .collect()
    }
}

/// Applies an edit and checks the incremental tree against a fresh parse of the same text.
fn edit_and_check(
    tree: &mut llmspell_syntax::SyntaxTree,
    range: TextRange,
    insertion: &str,
    context: &str,
) {
    tree.edit(range, insertion);
    let fresh = parse(tree.language(), tree.text());
    assert!(
        tree.to_sexp() == fresh.to_sexp(),
        "{:?} {context}: incremental tree differs from a fresh parse of {:?}",
        tree.language(),
        truncated(tree.text()),
    );
    assert_eq!(
        tree.errors(),
        fresh.errors(),
        "{:?} {context}",
        tree.language()
    );
}

fn truncated(text: &str) -> &str {
    let mut end = text.len().min(400);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[test]
fn random_bytes_read_lossily_parse_and_edit() {
    let api = common::host_api();
    let mut random = Random(0x5eed_1234_abcd_ef01);
    for language in LANGUAGES {
        for case in 0..120 {
            let length = random.below(300);
            let bytes = random.bytes(length);
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let mut tree = parse(language, &text);
            analyze(&tree, &api);
            for _ in 0..3 {
                let start = random.below(tree.text().len() + 4);
                let end = start + random.below(8);
                let insertion_length = random.below(6);
                let insertion_bytes = random.bytes(insertion_length);
                let insertion = String::from_utf8_lossy(&insertion_bytes);
                edit_and_check(
                    &mut tree,
                    TextRange::new(start, end),
                    &insertion,
                    &format!("case {case}"),
                );
                analyze(&tree, &api);
            }
        }
    }
}

/// A realistic block of spell code per language, repeated to make large files.
fn block(language: Language, index: usize) -> String {
    match language {
        Language::Lua => format!(
            "local a{index} = agent.create({{ name = \"a{index}\", model = \"m\" }})\n\
             local function f{index}(x) for i = 1, x do if i % 2 == 0 then x = x + i end end return x end\n\
             local w{index} = workflow.sequential({{ name = \"w{index}\", steps = {{ {{ name = \"s\", agent = a{index} }} }} }})\n"
        ),
        Language::JavaScript => format!(
            "const a{index} = agent.create({{ name: \"a{index}\", model: \"m\" }});\n\
             function f{index}(x) {{ for (let i = 1; i <= x; i++) {{ if (i % 2 === 0) x += i; }} return x; }}\n\
             const w{index} = workflow.sequential({{ name: \"w{index}\", steps: [{{ name: \"s\", agent: a{index} }}] }});\n"
        ),
        Language::Rhai => format!(
            "let a{index} = agent.create(#{{ name: \"a{index}\", model: \"m\" }});\n\
             fn f{index}(x) {{ for i in 1..=x {{ if i % 2 == 0 {{ x += i; }} }} x }}\n\
             let w{index} = workflow.sequential(#{{ name: \"w{index}\", steps: [#{{ name: \"s\", agent: a{index} }}] }});\n"
        ),
    }
}

#[test]
fn one_megabyte_files_parse_and_edit() {
    let mut random = Random(0x0dd_ba11_cafe_f00d);
    for language in LANGUAGES {
        let mut text = String::new();
        let mut index = 0;
        while text.len() < 1 << 20 {
            text += &block(language, index);
            index += 1;
        }
        let mut tree = parse(language, &text);
        assert!(
            tree.errors().is_empty(),
            "{language:?}: {:?}",
            tree.errors().first()
        );
        // A few edits: one that breaks the middle, one that repairs it, one random byte run; only
        // the last is compared with a fresh parse, to keep the debug-build test fast.
        let middle = text.len() / 2;
        tree.edit(TextRange::new(middle, middle), "(");
        assert!(!tree.errors().is_empty(), "{language:?}: an unclosed `(`");
        tree.edit(TextRange::new(middle, middle + 1), "");
        let start = random.below(tree.text().len());
        let bytes = random.bytes(16);
        edit_and_check(
            &mut tree,
            TextRange::new(start, start + 3),
            &String::from_utf8_lossy(&bytes),
            "random bytes",
        );
        // A run of lossily-read random bytes, too (64 KB: error recovery is the slow path).
        let bytes = random.bytes(1 << 16);
        let noise = parse(language, &String::from_utf8_lossy(&bytes));
        assert!(!noise.errors().is_empty());
    }
}

#[test]
fn deeply_nested_brackets_parse_and_edit() {
    for language in LANGUAGES {
        for (open, close) in [("(", ")"), ("[", "]"), ("{", "}")] {
            let depth = 10_000;
            let unclosed = format!("x = {}", open.repeat(depth));
            let mut tree = parse(language, &unclosed);
            assert!(!tree.errors().is_empty());
            edit_and_check(&mut tree, TextRange::new(4, 5), "", "unclosed");
            let balanced = format!("x = {}1{}", open.repeat(depth), close.repeat(depth));
            let mut tree = parse(language, &balanced);
            let middle = 4 + depth;
            edit_and_check(
                &mut tree,
                TextRange::new(middle, middle + 1),
                "",
                "balanced",
            );
        }
    }
}
