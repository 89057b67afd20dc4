//! Differential check against the rhai engine: for each snippet, the grammar parses it without an
//! `ERROR` or `MISSING` node exactly when rhai 1.27 compiles it. The few places where the grammar
//! is knowingly looser than rhai (checks rhai makes after parsing, or that would cost error
//! recovery) are listed, so that any new disagreement fails the test.

/// Snippets rhai compiles, covering the syntax the grammar handles, including its rarer corners.
const ACCEPTED_BY_RHAI: &[&str] = &[
    "let x = #{y: #{}}; x.y.z = 2;",
    "fn f() { return; } f()",
    "let a = [1, 2, 3]; for (v, i) in a { }",
    "let s = \"a\" + 'b'; s",
    "let f = |x| |y| x + y; f",
    "let o = #{ a: |x| x }; o.a.call(1)",
    "let r = -1..=1; r",
    "let x = 1; let y = 2; if x > 1 {} else if y > 1 {} else {}",
    "try { } catch { }",
    "try { throw 1; } catch (err) { err }",
    "throw;",
    "let x = loop { break 1; }; x",
    "do { } while false;",
    "let x = 0; do { x += 1; } until x > 3; x",
    "let v = { let a = 1; a + 1 }; v",
    "let big = 9_223_372_036_854_775_807; big",
    "let f = 1.0.floor(); f",
    "let s = \"\\x41\\u0041\\U00000041\\t\\n\\r\\\\\\\"\"; s",
    "let c = '\\''; c",
    "fn f(a, b) { a } f(1, 2,)",
    "fn f(x,) { x } f(1)",
    "let a = #{}; let r = a?.b?.c ?? 1; r",
    "let a = [[1]]; let i = a?[0]?[0]; i",
    "print(#{a: 1}.a);",
    "\"abc\".len()",
    "[1,2].len()",
    "#{a:1}.keys()",
    "let x = !true; let y = -(-1); let z = +1; z",
    "\"a\" in \"abc\"",
    "let c = 1 !in [2]; c",
    "let x = 0XFF + 0xff_ff + 0B11 + 0b1_0 + 0O17 + 0o1_7; x",
    "let e = 1E5 + 1e1_0 + 2.5e-3 + 6.02E+23 + 1_000.000_1; e",
    "let n = 5.; let m = [1., 2.]; n + m[0]",
    "let n = 5.abs(); n",
    "/* /* nested */ */ let a = 1;",
    "let a = 1; // comment at EOF",
    "/// Documented.\nfn f() {}",
    "/** Documented. */ fn f() {}",
    "//! The script.\nlet a = 1;",
    "let x = 10; x /= 2; x %= 3; x **= 2; x &= 1; x |= 2; x ^= 3; x <<= 1; x >>= 1; x",
    "let s = `${1}${2}`; s",
    "let s = `a\nb`; s",
    "let s = `say ``hi`` \\${not} ${1 + 1}`; s",
    "let s = \"say \"\"hi\"\"\"; s",
    "let s = \"line \\\n    continued\"; s",
    "let s = #\"raw \"quoted\" \\n\"#; s",
    "let s = ##\"x\"#\"##; s",
    "fn foo(x) { x } let f = Fn(\"foo\"); f.call(1)",
    "fn foo() { 1 } foo!()",
    "let f = |x| { x }; f(1)",
    "let f = || 1; f.call()",
    "let f = |x, y,| x; f",
    "let a = [1, 2]; a[0] = 3; a[0] += 1; a[-1]",
    "let t = type_of(1); t",
    "let x = 1; let x = x + 1; x",
    "const A = 1; export A as B;",
    "export const A = 1;",
    "export let a = 1;",
    "import \"m\";",
    "import \"m\" as m; m::f(1)",
    "let x = global::X; x",
    "let x = is_def_var(\"x\"); x",
    "let e = eval(\"1\"); e",
    "let a = 1; switch a { 1 => { 1 } 2 => 2, _ => {} }",
    "let a = 'x'; switch a { 'x' => 1, _ => 2 }",
    "let a = \"s\"; switch a { \"s\" | \"t\" => 1, _ => 2 }",
    "let a = 1.5; switch a { 1.5 => 1, _ => 2 }",
    "let a = -1; switch a { -1 => 1, 10 if a > 1 => 4, 0..5 => 2, 5..=9 => 3, _ => 5 }",
    "let x = 1 ?? 2 ?? 3; x",
    "fn f() { let s = () ?? return 1; s } f()",
    "let u = (); u",
    "fn f(x) { x } 5.f()",
    "fn add(x) { this + x } let a = 1; a.add(2)",
    "private fn p() {} p()",
    "fn MyType.grow() { this }",
    "let x; x",
    "let r = 1..; let s = ..=5; let a = [1.., ..2]; r",
    "let m = #{ from: 2.., \"to\": ..=9, }; m",
    "let steps = [|s| throw \"no luck\", |x| return x + 1]; steps",
    "#!/usr/bin/env rhai\nlet a = 1;",
];

/// Snippets rhai rejects, which must give an `ERROR` or `MISSING` node.
const REJECTED_BY_RHAI: &[&str] = &[
    "let = 1;",
    "let x = ;",
    "fn () {}",
    "let x = 1 +;",
    "let m = #{ a };",
    "let a = [1 2];",
    "let a = 1; a.b!(1)",
    "let x = 1; switch x { _ if x > 1 => 1, _ => 2 }",
    "let s = \"unterminated\nlet t = 1;",
    "let s = \"multi\nline\"; s",
    "let a = 1; a ??= 2;",
    "let x = (1, 2);",
    "let f = fn(x) { x };",
    "if x { 1 } else 2",
];

/// Where the grammar is knowingly looser than rhai: rhai rejects these, the grammar parses them.
const KNOWN_LOOSER: &[&str] = &[
    // rhai checks `this` outside a function after parsing.
    "this",
    // rhai rejects a second default case after parsing the arm.
    "let x = 1; switch x { _ => 1, _ => 2 }",
    // A range without an end, then the end of the script: allowing it only before `;`, `,` and
    // closing brackets would need the end of the input as a token.
    "let r = 1..",
    // `_0` after a dot: rhai wants a property name that is not `_` + digits.
    "let n = 1._0; n",
];

fn parses_cleanly(parser: &mut tree_sitter::Parser, code: &str) -> bool {
    !parser.parse(code, None).unwrap().root_node().has_error()
}

/// The script rhai compiles: rhai skips a `#!` line when it loads a file, not in `compile`.
fn without_shebang(code: &str) -> &str {
    if code.starts_with("#!") {
        code.split_once('\n').map_or("", |(_, rest)| rest)
    } else {
        code
    }
}

#[test]
fn the_grammar_accepts_exactly_what_rhai_compiles_apart_from_the_known_looser_cases() {
    let engine = rhai::Engine::new();
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_rhai::LANGUAGE.into())
        .unwrap();
    let mut disagreements = Vec::new();
    for code in ACCEPTED_BY_RHAI {
        if let Err(error) = engine.compile(without_shebang(code)) {
            disagreements.push(format!("listed as accepted but rhai says {error}: {code:?}"));
        } else if !parses_cleanly(&mut parser, code) {
            let tree = parser.parse(code, None).unwrap();
            disagreements.push(format!(
                "rhai compiles, the grammar does not parse: {code:?}\n  {}",
                tree.root_node().to_sexp()
            ));
        }
    }
    for code in REJECTED_BY_RHAI {
        if engine.compile(code).is_ok() {
            disagreements.push(format!("listed as rejected but rhai compiles: {code:?}"));
        } else if parses_cleanly(&mut parser, code) {
            disagreements.push(format!("rhai rejects, the grammar parses: {code:?}"));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{}",
        disagreements.join("\n")
    );
}

#[test]
fn the_known_looser_cases_are_still_rejected_by_rhai_and_parsed_by_the_grammar() {
    let engine = rhai::Engine::new();
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_rhai::LANGUAGE.into())
        .unwrap();
    for code in KNOWN_LOOSER {
        assert!(engine.compile(code).is_err(), "rhai now compiles {code:?}");
        assert!(
            parses_cleanly(&mut parser, code),
            "the grammar no longer parses {code:?}: remove it from KNOWN_LOOSER"
        );
    }
}
