//! Code lenses: "▶ Run" and "Debug" on the first line of every spell, in every language, broken
//! or empty files included.

mod common;

use expect_test::{Expect, expect};
use llmspell_ide::Language;

use common::{fixture, ide};

fn check(language: Language, text: &str, expect: Expect) {
    let (document, _) = fixture(language, text);
    let mut actual = String::new();
    for lens in ide().code_lenses(&document) {
        actual += &format!(
            "{}:{}-{}:{} {} -> {}\n",
            lens.range.start.line,
            lens.range.start.character,
            lens.range.end.line,
            lens.range.end.character,
            lens.title,
            lens.command
        );
    }
    expect.assert_eq(&actual);
}

#[test]
fn lua_spell_gets_run_and_debug_lenses_at_the_top() {
    check(
        Language::Lua,
        "-- hello\nprint(\"hi\")\n",
        expect![[r#"
            0:0-0:0 ▶ Run -> llmspell.runSpell
            0:0-0:0 Debug -> llmspell.debugSpell
        "#]],
    );
}

#[test]
fn javascript_spell_gets_run_and_debug_lenses_at_the_top() {
    check(
        Language::JavaScript,
        "const a = agent.create({ name: \"a\" });\nprint(await a.run(\"x\"));\n",
        expect![[r#"
            0:0-0:0 ▶ Run -> llmspell.runSpell
            0:0-0:0 Debug -> llmspell.debugSpell
        "#]],
    );
}

#[test]
fn rhai_spell_broken_or_empty_still_gets_the_lenses() {
    check(
        Language::Rhai,
        "let x = ;\nfn (",
        expect![[r#"
            0:0-0:0 ▶ Run -> llmspell.runSpell
            0:0-0:0 Debug -> llmspell.debugSpell
        "#]],
    );
    check(
        Language::Rhai,
        "",
        expect![[r#"
            0:0-0:0 ▶ Run -> llmspell.runSpell
            0:0-0:0 Debug -> llmspell.debugSpell
        "#]],
    );
}

#[test]
fn the_commands_are_exported_for_the_language_server() {
    assert_eq!(llmspell_ide::RUN_SPELL_COMMAND, "llmspell.runSpell");
    assert_eq!(llmspell_ide::DEBUG_SPELL_COMMAND, "llmspell.debugSpell");
}
