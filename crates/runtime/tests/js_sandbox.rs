//! JavaScript engine: the sandbox. Imports resolve only to files inside the workspace;
//! there is no `std`, `os`, `require` or other way out; prototype pollution does not reach
//! host conversions; host-object handles cannot be forged.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{output, test_registry};
use llmspell_runtime::EngineKind::Js;
use llmspell_runtime::{RunOptions, Spell, SpellError};

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

/// A workspace `ws/` with `lib.js`, `sub/helper.js` and, next to the workspace, a file the
/// spell must not reach (`outside.js`).
fn workspace() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let ws = root.path().join("ws");
    std::fs::create_dir_all(ws.join("sub")).unwrap();
    std::fs::write(
        ws.join("lib.js"),
        "export const greeting = 'hello from lib';\nexport function twice(x) { return x * 2 }\n",
    )
    .unwrap();
    std::fs::write(ws.join("sub/helper.js"), "import { twice } from '../lib.js';\nexport const four = twice(2);\n")
        .unwrap();
    std::fs::write(ws.join("sub/broken.js"), "export function broken() {\n  throw new Error('in a module');\n}\n")
        .unwrap();
    std::fs::write(root.path().join("outside.js"), "print('ESCAPED'); export const secret = 42;\n").unwrap();
    root
}

/// Runs `code` as `ws/main.js` with `ws` as the workspace.
fn run_in(root: &Path, code: &str) -> (String, Result<llmspell_bridge::Value, SpellError>) {
    let (registry, printed) = test_registry();
    let ws = root.join("ws");
    let spell = Spell::from_source(ws.join("main.js"), code, Js);
    let result =
        llmspell_runtime::run(spell, Arc::new(registry), RunOptions { workspace: Some(ws), ..RunOptions::default() });
    let text = printed.lock().unwrap().clone();
    (text, result)
}

fn denied(root: &Path, code: &str) -> SpellError {
    let (printed, result) = run_in(root, code);
    assert!(!printed.contains("ESCAPED"), "{code} escaped");
    let error = result.expect_err(&format!("{code} should be denied; printed:\n{printed}"));
    assert_eq!(error.code, "sandbox_denied", "{code}: {error}");
    error
}

#[test]
fn imports_inside_the_workspace_work() {
    let root = workspace();
    let (printed, result) = run_in(
        root.path(),
        r#"
        import { greeting, twice } from "./lib.js";
        import { four } from "./sub/helper.js";
        import * as again from "./sub/../lib";
        const dynamic = await import("./lib.js");
        print(greeting, twice(21), four, again.twice(1), dynamic.greeting === greeting);
        "#,
    );
    result.unwrap();
    assert_eq!(printed, "hello from lib 42 4 2 true\n");

    // An absolute path inside the workspace is fine too.
    let absolute = root.path().join("ws/lib.js");
    let (printed, result) = run_in(
        root.path(),
        &format!("import {{ greeting }} from {:?};\nprint(greeting);", absolute.display().to_string()),
    );
    result.unwrap();
    assert_eq!(printed, "hello from lib\n");
}

#[test]
fn an_error_in_an_imported_module_names_that_file() {
    let root = workspace();
    let (_, result) = run_in(root.path(), "import { broken } from './sub/broken.js';\nbroken();\n");
    let error = result.unwrap_err();
    assert_eq!(error.message, "in a module");
    assert!(error.file.as_deref().is_some_and(|file| file.ends_with("sub/broken.js")), "{error:?}");
    assert_eq!(error.line, Some(2));
    assert_eq!(error.stack.last().map(|entry| (entry.function.as_str(), entry.line)), Some(("<main>", 2)));
}

#[test]
fn static_imports_outside_the_workspace_are_denied() {
    let root = workspace();
    // 1. An absolute path outside the workspace.
    let error = denied(root.path(), "import '/etc/passwd';");
    assert!(error.message.contains("outside the spell's workspace"), "{}", error.message);
    // 2. A `..` escape.
    denied(root.path(), "import { secret } from '../outside.js'; print(secret);");
    // 3. A `..` escape through a subfolder.
    denied(root.path(), "import './sub/../../outside.js';");
    // 4. Built-in modules of other runtimes.
    for name in ["std", "os", "qjs:os", "node:fs", "fs"] {
        let error = denied(root.path(), &format!("import * as m from '{name}';"));
        assert!(error.message.contains("only files inside its workspace"), "{}", error.message);
    }
}

#[test]
fn dynamic_imports_outside_the_workspace_are_denied_and_catchable() {
    let root = workspace();
    // 5. Dynamic imports, caught by the script.
    let (printed, result) = run_in(
        root.path(),
        r#"
        for (const target of ["/etc/passwd", "../outside.js", "os", "std", "./sub/../../outside.js", "file:///etc/passwd"]) {
          try { await import(target); print("imported", target) } catch (e) { print(target, e.code) }
        }
        // 6. Through eval and the Function constructor.
        try { await eval("import('/etc/passwd')") } catch (e) { print("eval", e.code) }
        try { await new Function("return import('../outside.js')")() } catch (e) { print("Function", e.code) }
        "#,
    );
    result.unwrap();
    assert_eq!(
        lines(&printed),
        vec![
            "/etc/passwd sandbox_denied",
            "../outside.js sandbox_denied",
            "os sandbox_denied",
            "std sandbox_denied",
            "./sub/../../outside.js sandbox_denied",
            "file:///etc/passwd sandbox_denied",
            "eval sandbox_denied",
            "Function sandbox_denied",
        ]
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_workspace_is_denied() {
    // 7. A link inside the workspace pointing outside it.
    let root = workspace();
    std::os::unix::fs::symlink(root.path().join("outside.js"), root.path().join("ws/link.js")).unwrap();
    denied(root.path(), "import './link.js';");
    std::os::unix::fs::symlink(root.path(), root.path().join("ws/up")).unwrap();
    denied(root.path(), "import './up/outside.js';");
}

#[test]
fn missing_modules_are_not_found() {
    let root = workspace();
    let (_, result) = run_in(root.path(), "import './nope.js';");
    assert_eq!(result.unwrap_err().code, "not_found");
}

#[test]
fn no_host_escape_hatches_exist_in_the_global_scope() {
    // 8. Nothing of quickjs-libc, Node, Deno or Bun is there, even through the real global.
    let printed = output(
        Js,
        r#"
        const global = Function("return this")();
        const names = ["std", "os", "require", "process", "module", "exports", "Deno", "Bun", "scriptArgs",
                       "load", "read", "readFile", "system", "exec", "bjson", "setTimeout", "__loadScript"];
        print(names.filter((name) => name in global || typeof globalThis[name] !== "undefined").join(",") || "none");
        print(global === globalThis, typeof eval("typeof os"), eval("typeof std"));
        "#,
    );
    assert_eq!(lines(&printed), vec!["none", "true string undefined"]);
}

#[test]
fn prototype_pollution_does_not_reach_host_conversions() {
    // 9. Polluted prototypes and `__proto__` keys.
    let printed = output(
        Js,
        r#"
        Object.prototype.polluted = "yes";
        Object.prototype.code = "evil_code";
        Array.prototype.extra = "yes";
        print(test.echo({ a: 1 }), test.echo([1, 2]));
        try { throw new Error("plain") } catch (e) { print(test.echo(e)) }
        const tricky = JSON.parse('{"__proto__": {"injected": true}, "b": 2}');
        const back = test.echo(tricky);
        print(back, Object.keys(back).sort().join(","), ({}).injected, Object.getPrototypeOf(back) === Object.prototype);
        "#,
    );
    assert_eq!(
        lines(&printed),
        vec![
            r#"{"a":1} [1,2]"#,
            r#"{"message":"plain"}"#,
            r#"{"__proto__":{"injected":true},"b":2} __proto__,b nil true"#,
        ]
    );
    // An uncaught Error keeps the runtime code even with a polluted prototype.
    let (_, result) = common::run(Js, "Object.prototype.code = 'evil';\nthrow new Error('x');");
    assert_eq!(result.unwrap_err().code, "runtime");
}

#[test]
fn host_object_handles_cannot_be_forged() {
    // 10. Fake receivers for host methods.
    let printed = output(
        Js,
        r#"
        const c = new Test("real");
        const proto = Object.getPrototypeOf(c);
        for (const attempt of [
          () => Object.create(proto).incr(),
          () => proto.incr.call({}),
          () => proto.incr.call(test),
          () => c.incr.call(null),
        ]) {
          try { attempt(); print("accepted") } catch (e) { print(e.code) }
        }
        const fake = Object.create(proto);
        print(test.echo(fake), fake.name, c.name);
        Object.setPrototypeOf(c, {});
        print(test.same(c, c), typeof c.incr);
        "#,
    );
    assert_eq!(
        lines(&printed),
        vec![
            "invalid_argument",
            "invalid_argument",
            "invalid_argument",
            "invalid_argument",
            "{} nil real",
            "true undefined",
        ]
    );
}

#[test]
fn overwriting_bindings_only_affects_the_spell() {
    // 11. Replacing module functions or globals changes nothing on the host side.
    let printed = output(
        Js,
        r#"
        test.add = () => "hijacked";
        globalThis.print = (x) => console.log("wrapped", x);
        print(test.add());
        console.log(test.echo(1));
        "#,
    );
    assert_eq!(lines(&printed), vec!["wrapped hijacked", "1"]);
}

#[test]
fn hostile_getters_and_proxies_fail_cleanly() {
    // 12. Values whose conversion runs script code that throws.
    let printed = output(
        Js,
        r#"
        const attempts = [
          () => test.echo({ get x() { throw new Error("getter") } }),
          () => test.echo(new Proxy({}, { ownKeys() { throw new Error("trap") } })),
          () => test.echo([1, new Proxy({ a: 1 }, { get() { throw new Error("index") } })]),
          () => test.echo(Object.defineProperty(new Error("m"), "message", { get() { throw new Error("message getter") } })),
        ];
        for (const attempt of attempts) {
          try { print(JSON.stringify(attempt())) } catch (e) { print(e.code, e.message) }
        }
        print("still fine", test.add(1, 1));
        "#,
    );
    assert_eq!(lines(&printed), vec!["runtime getter", "runtime trap", "runtime index", "{}", "still fine 2"]);
    // An error whose `code` getter throws is still reported.
    let (_, result) = common::run(Js, "throw Object.defineProperty(new Error('m'), 'code', { get() { throw 1 } });");
    let error = result.unwrap_err();
    assert_eq!((error.code.as_str(), error.message.as_str()), ("runtime", "m"));
}
