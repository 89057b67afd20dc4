//! The `llmspell` command as a user meets it: run, check, api, flags, exit codes and messages.

mod support;

use support::{llmspell, repo};

#[test]
fn hello_prints_the_same_bytes_in_every_engine() {
    let expected = "Hello, world!\n{\"keys\":[\"greeting\",\"who\"],\"spell\":\"hello\"}\n";
    for file in ["spells/hello.lua", "spells/hello.js", "spells/hello.rhai"] {
        let ran = llmspell(repo(), &["run", file]);
        assert_eq!((ran.code, ran.stdout.as_str()), (0, expected), "{file}: {}", ran.stderr);
    }
}

#[test]
fn params_reach_the_spell() {
    for file in ["spells/hello.lua", "spells/hello.js", "spells/hello.rhai"] {
        let ran = llmspell(repo(), &["run", file, "-p", "name=Ada"]);
        assert!(ran.stdout.starts_with("Hello, Ada!\n"), "{file}: {} {}", ran.stdout, ran.stderr);
    }
}

#[test]
fn version_and_help() {
    let ran = llmspell(repo(), &["--version"]);
    assert_eq!(ran.code, 0);
    assert_eq!(ran.stdout.trim(), format!("llmspell {}", env!("CARGO_PKG_VERSION")));
    let ran = llmspell(repo(), &["--help"]);
    assert_eq!(ran.code, 0);
    for word in ["run", "check", "api"] {
        assert!(ran.stdout.contains(word), "--help lacks {word}: {}", ran.stdout);
    }
    let ran = llmspell(repo(), &["run", "--help"]);
    for flag in ["--param", "--engine", "--timeout", "--memory-limit", "--max-instructions"] {
        assert!(ran.stdout.contains(flag), "run --help lacks {flag}: {}", ran.stdout);
    }
}

#[test]
fn a_failing_spell_exits_1_with_file_line_and_stack() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("boom.lua", "local function inner()\n  error('boom')\nend\nlocal function outer() inner() end\nouter()\n"),
        ("boom.js", "function inner() {\n  throw new Error('boom');\n}\nfunction outer() { inner(); }\nouter();\n"),
        ("boom.rhai", "fn inner() {\n  throw \"boom\";\n}\nfn outer() { inner(); }\nouter();\n"),
    ];
    for (name, code) in cases {
        std::fs::write(dir.path().join(name), code).unwrap();
        let ran = llmspell(dir.path(), &["run", name]);
        assert_eq!(ran.code, 1, "{name}: {}", ran.stderr);
        let first = ran.stderr.lines().next().unwrap_or_default();
        assert!(first.starts_with(&format!("{name}:2: ")), "{name}: {}", ran.stderr);
        assert!(first.contains("boom") && first.ends_with("[runtime]"), "{name}: {}", ran.stderr);
        assert!(ran.stderr.contains("stack:"), "{name} has no stack: {}", ran.stderr);
        assert!(ran.stderr.contains("inner"), "{name}'s stack lacks inner: {}", ran.stderr);
    }
}

#[test]
fn check_reports_syntax_errors_with_positions_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("bad.lua", "print('ran')\nlocal x = = 1\n", 2),
        ("bad.js", "print('ran');\nlet x = = 1;\n", 2),
        ("bad.rhai", "print(\"ran\");\nlet x = = 1;\n", 2),
    ];
    for (name, code, line) in cases {
        std::fs::write(dir.path().join(name), code).unwrap();
        let ran = llmspell(dir.path(), &["check", name]);
        assert_eq!(ran.code, 1, "{name}: {}", ran.stderr);
        assert!(ran.stdout.is_empty(), "check ran the spell: {}", ran.stdout);
        assert!(
            ran.stderr.starts_with(&format!("{name}:{line}:")),
            "{name}: {}",
            ran.stderr
        );
        let good = name.replace("bad", "good");
        std::fs::write(dir.path().join(&good), "print(1)\n").unwrap();
        let ran = llmspell(dir.path(), &["check", &good]);
        assert_eq!(ran.code, 0, "{good}: {}", ran.stderr);
        assert!(ran.stdout.is_empty());
    }
}

#[test]
fn the_engine_comes_from_the_flag_or_a_shebang() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("script"), "#!/usr/bin/env -S llmspell run --engine rhai\nlet x = 40 + 2;\nprint(x);\n").unwrap();
    let ran = llmspell(dir.path(), &["run", "script"]);
    assert_eq!((ran.code, ran.stdout.as_str()), (0, "42\n"), "{}", ran.stderr);
    std::fs::write(dir.path().join("plain.txt"), "print(1 + 1)\n").unwrap();
    let ran = llmspell(dir.path(), &["run", "plain.txt", "--engine", "lua"]);
    assert_eq!((ran.code, ran.stdout.as_str()), (0, "2\n"), "{}", ran.stderr);
    let ran = llmspell(dir.path(), &["run", "plain.txt"]);
    assert_eq!(ran.code, 1);
    assert!(ran.stderr.contains("cannot tell the language"), "{}", ran.stderr);
}

#[test]
fn bad_input_gets_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let ran = llmspell(dir.path(), &["run", "missing.lua"]);
    assert_eq!(ran.code, 1);
    assert!(ran.stderr.contains("cannot read missing.lua"), "{}", ran.stderr);
    let ran = llmspell(dir.path(), &["run", "missing.lua", "--engine", "cobol"]);
    assert!(ran.stderr.contains("unknown engine \"cobol\""), "{}", ran.stderr);
    std::fs::write(dir.path().join("ok.lua"), "print(1)\n").unwrap();
    let ran = llmspell(dir.path(), &["run", "ok.lua", "--timeout", "soon"]);
    assert_eq!(ran.code, 1);
    assert!(ran.stderr.contains("--timeout: invalid duration \"soon\""), "{}", ran.stderr);
    let ran = llmspell(dir.path(), &["run", "ok.lua", "-p", "novalue"]);
    assert!(ran.stderr.contains("expected KEY=VALUE"), "{}", ran.stderr);
}

#[test]
fn config_errors_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("llmspell.toml"), "[sandbox]\ntimeout = \"3s\"\ntimout = \"4s\"\n").unwrap();
    std::fs::write(dir.path().join("ok.lua"), "print(1)\n").unwrap();
    let ran = llmspell(dir.path(), &["run", "ok.lua"]);
    assert_eq!(ran.code, 1);
    assert!(ran.stderr.contains("llmspell.toml:3:1: unknown field `timout`"), "{}", ran.stderr);
}

#[test]
fn config_limits_apply_and_flags_override_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("llmspell.toml"), "[sandbox]\ntimeout = \"1s\"\n").unwrap();
    std::fs::write(dir.path().join("spin.lua"), "while true do end\n").unwrap();
    let ran = llmspell(dir.path(), &["run", "spin.lua"]);
    assert_eq!(ran.code, 1);
    assert!(ran.stderr.contains("[timeout]") && ran.stderr.contains("1s"), "{}", ran.stderr);
    let ran = llmspell(dir.path(), &["run", "spin.lua", "--timeout", "0", "--max-instructions", "100000"]);
    assert!(ran.stderr.contains("[instruction_limit]"), "{}", ran.stderr);
}

#[test]
fn check_reports_every_syntax_error_from_the_parse_tree() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("many.lua", "local x = = 1\nprint('fine')\nprint(x\n"),
        ("many.js", "let x = = 1;\nprint('fine');\nprint(x;\n"),
        ("many.rhai", "let x = = 1;\nprint(\"fine\");\nprint(x;\n"),
    ];
    for (name, code) in cases {
        std::fs::write(dir.path().join(name), code).unwrap();
        let ran = llmspell(dir.path(), &["check", name]);
        assert_eq!(ran.code, 1, "{name}: {}", ran.stderr);
        let lines: Vec<&str> = ran.stderr.lines().collect();
        assert!(lines.iter().any(|line| line.starts_with(&format!("{name}:1:"))), "{name}: {}", ran.stderr);
        assert!(lines.iter().any(|line| line.starts_with(&format!("{name}:3:"))), "{name}: {}", ran.stderr);
        assert!(!lines.iter().any(|line| line.starts_with(&format!("{name}:2:"))), "{name}: {}", ran.stderr);
    }
}

#[test]
fn parse_prints_the_tree_and_fails_on_syntax_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (name, code, root) in [
        ("tree.lua", "local a = agent.create({ name = 'a' })\n", "chunk"),
        ("tree.js", "const a = agent.create({ name: 'a' });\n", "program"),
        ("tree.rhai", "let a = agent.create(#{ name: \"a\" });\n", "source_file"),
    ] {
        std::fs::write(dir.path().join(name), code).unwrap();
        let ran = llmspell(dir.path(), &["parse", name]);
        assert_eq!(ran.code, 0, "{name}: {}", ran.stderr);
        assert!(ran.stdout.starts_with(&format!("{root} 1:1-2:1\n")), "{name}: {}", ran.stdout);
        assert!(ran.stdout.contains("\"agent\""), "{name}: {}", ran.stdout);
        let ran = llmspell(dir.path(), &["parse", "--sexp", name]);
        assert!(ran.stdout.starts_with(&format!("({root} ")), "{name}: {}", ran.stdout);
    }
    std::fs::write(dir.path().join("broken.rhai"), "let x = ;\n").unwrap();
    let ran = llmspell(dir.path(), &["parse", "broken.rhai"]);
    assert_eq!(ran.code, 1);
    assert!(ran.stdout.contains("ERROR"), "{}", ran.stdout);
    assert!(ran.stderr.starts_with("broken.rhai:1:"), "{}", ran.stderr);
}
