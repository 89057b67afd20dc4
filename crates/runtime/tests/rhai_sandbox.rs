//! Rhai: `import` stays inside the workspace, and escape attempts fail cleanly.

mod common;

use std::sync::Arc;

use llmspell_bridge::Value;
use llmspell_runtime::{EngineKind, Limits, RunOptions, Spell, SpellError};

/// A workspace with a few modules, one folder deep, and a secret outside it.
struct Workspace {
    _root: tempfile::TempDir,
    workspace: std::path::PathBuf,
}

impl Workspace {
    fn new() -> Workspace {
        let root = tempfile::tempdir().unwrap();
        let workspace = root.path().join("ws");
        std::fs::create_dir_all(workspace.join("lib/deep")).unwrap();
        std::fs::write(root.path().join("secret.rhai"), "export const SECRET = \"leaked\";").unwrap();
        std::fs::write(workspace.join("util.rhai"), "fn double(x) { x * 2 }\nexport const NAME = \"util\";")
            .unwrap();
        std::fs::write(
            workspace.join("lib/helper.rhai"),
            "import \"deep/inner\" as inner;\nfn triple(x) { inner::once(x) * 3 }",
        )
        .unwrap();
        std::fs::write(workspace.join("lib/deep/inner.rhai"), "fn once(x) { x }").unwrap();
        std::fs::write(
            workspace.join("lib/escape.rhai"),
            "import \"../../secret\" as s;\nexport const GOT = s::SECRET;",
        )
        .unwrap();
        std::fs::write(workspace.join("cycle_a.rhai"), "import \"cycle_b\" as b;").unwrap();
        std::fs::write(workspace.join("cycle_b.rhai"), "import \"cycle_a\" as a;").unwrap();
        std::fs::write(workspace.join("self.rhai"), "import \"self\" as me;").unwrap();
        std::fs::write(workspace.join("broken.rhai"), "fn (").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.path().join("secret.rhai"), workspace.join("link.rhai")).unwrap();
        Workspace { _root: root, workspace }
    }

    /// Runs `code` as `ws/spell.rhai`; returns what it printed and its result.
    fn run(&self, code: &str) -> (String, Result<Value, SpellError>) {
        let (registry, output) = common::test_registry();
        let spell = Spell::from_source(self.workspace.join("spell.rhai"), code, EngineKind::Rhai);
        let options = RunOptions { workspace: Some(self.workspace.clone()), ..RunOptions::default() };
        let result = llmspell_runtime::run(spell, Arc::new(registry), options);
        let printed = output.lock().unwrap().clone();
        (printed, result)
    }

    fn prints(&self, code: &str, expected: &str) {
        let (printed, result) = self.run(code);
        if let Err(error) = result {
            panic!("spell failed: {error}\nprinted: {printed}\nspell:\n{code}");
        }
        assert_eq!(printed, expected, "spell:\n{code}");
    }

    /// `import <path>` fails with `code`, catchably, and the secret never shows.
    fn import_fails(&self, path: &str, code: &str) {
        let spell = format!(
            "try {{ import {path} as m; print(\"imported\", m::SECRET) }} catch (e) {{ print(e.code) }}"
        );
        self.prints(&spell, &format!("{code}\n"));
    }
}

#[test]
fn imports_inside_the_workspace_work() {
    let ws = Workspace::new();
    ws.prints("import \"util\" as u; print(u::double(21), u::NAME)", "42 util\n");
    ws.prints("import \"util.rhai\" as u; print(u::double(1))", "2\n");
    ws.prints("import \"lib/helper\" as h; print(h::triple(5))", "15\n");
    ws.prints("fn f() { import \"util\" as u; u::double(4) } print(f())", "8\n");
}

#[test]
fn absolute_paths_outside_the_workspace_are_denied() {
    let ws = Workspace::new();
    ws.import_fails("\"/etc/passwd\"", "sandbox_denied");
    ws.import_fails("\"/etc/hostname\"", "sandbox_denied");
    ws.import_fails("\"/proc/self/environ\"", "sandbox_denied");
    let outside = ws.workspace.parent().unwrap().join("secret.rhai");
    ws.import_fails(&format!("{:?}", outside.display().to_string()), "sandbox_denied");
}

#[test]
fn dot_dot_escapes_are_denied() {
    let ws = Workspace::new();
    ws.import_fails("\"../secret\"", "sandbox_denied");
    ws.import_fails("\"lib/../../secret\"", "sandbox_denied");
    ws.import_fails("\"../../../../../../../../etc/passwd\"", "sandbox_denied");
    ws.import_fails("\"../missing_outside\"", "sandbox_denied");
    // From inside a module, relative to the module's own folder.
    ws.prints(
        "try { import \"lib/escape\" as m; print(m::GOT) } catch (e) { print(e.code) }",
        "sandbox_denied\n",
    );
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_workspace_are_denied() {
    let ws = Workspace::new();
    ws.import_fails("\"link\"", "sandbox_denied");
}

#[test]
fn computed_paths_and_eval_are_checked_too() {
    let ws = Workspace::new();
    ws.prints(
        "let p = \"/etc/\" + \"passwd\"; try { import p as m; } catch (e) { print(e.code) }",
        "sandbox_denied\n",
    );
    ws.prints(
        "try { eval(\"import \\\"/etc/passwd\\\" as m; m\") } catch (e) { print(e.code) }",
        "sandbox_denied\n",
    );
}

#[test]
fn missing_cyclic_and_broken_modules_fail_cleanly() {
    let ws = Workspace::new();
    ws.import_fails("\"nope\"", "not_found");
    ws.import_fails("\"lib\"", "not_found");
    ws.import_fails("\"cycle_a\"", "invalid_argument");
    ws.import_fails("\"self\"", "invalid_argument");
    let (_, result) = ws.run("import \"broken\" as b;");
    assert_eq!(result.unwrap_err().code, "syntax");
}

#[test]
fn the_spell_folder_is_the_default_workspace() {
    // `test.rhai` lives in the current folder (the crate): its parent is not reachable.
    let (printed, result) = common::run(
        EngineKind::Rhai,
        "try { import \"../../Cargo.toml\" as m; } catch (e) { print(e.code) }",
    );
    assert!(result.is_ok());
    assert_eq!(printed, "sandbox_denied\n");
}

#[test]
fn there_is_no_file_or_process_access() {
    for code in [
        "open(\"/etc/passwd\")",
        "read_file(\"/etc/passwd\")",
        "system(\"ls\")",
        "env(\"HOME\")",
        "Fn(\"eval\").call(\"1\")",
    ] {
        let (_, result) = common::run(EngineKind::Rhai, code);
        let error = result.expect_err(code);
        assert!(["runtime", "syntax"].contains(&error.code.as_str()), "{code}: {error}");
    }
}

#[test]
fn eval_cannot_escape_the_limits() {
    let (_, result) = common::run(EngineKind::Rhai, "fn f() { eval(\"f()\") } f()");
    assert_eq!(result.unwrap_err().code, "stack_overflow");
    let limits = Limits { timeout: Some(std::time::Duration::from_millis(200)), ..Limits::default() };
    let (_, result) = common::run_with(EngineKind::Rhai, "eval(\"loop {}\")", limits);
    assert_eq!(result.unwrap_err().code, "timeout");
}

#[test]
fn deeply_nested_source_is_a_syntax_error_not_a_crash() {
    let code = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
    let (_, result) = common::run(EngineKind::Rhai, &code);
    assert_eq!(result.unwrap_err().code, "syntax");
    let code = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let diagnostics = llmspell_runtime::check(&Spell::from_source("deep.rhai", code, EngineKind::Rhai));
    assert_eq!(diagnostics.len(), 1);
}

#[test]
fn exit_ends_only_the_spell() {
    let (_, result) = common::run(EngineKind::Rhai, "exit(3); print(\"never\")");
    assert_eq!(result.unwrap(), Value::Int(3));
    assert_eq!(common::output(EngineKind::Rhai, "print(1)"), "1\n");
}

#[test]
fn host_handles_cannot_be_forged() {
    // A map shaped like a handle is just a map: no methods, not an object for the host.
    let error = common::run(EngineKind::Rhai, "let c = #{name: \"fake\"}; c.incr()").1.unwrap_err();
    assert_eq!((error.code.as_str(), error.message.as_str()), ("runtime", "Function not found: incr (map)"));
    // A method taken off an object stays bound to it; the bridge still validates arguments.
    let error =
        common::run(EngineKind::Rhai, "let f = test.counter; f.call(\"x\").incr.call(\"no\")").1.unwrap_err();
    assert_eq!(error.code, "invalid_argument");
}
