//! `fs`: text files inside the workspace. Every path goes through the [`Sandbox`] policy
//! first; anything outside the workspace root is `sandbox_denied`.

use std::io::{ErrorKind, Write as _};
use std::path::Path;

use llmspell_bridge::{Args, Function, HostError, Module, Type, Value};

use crate::HostContext;
use crate::modules::in_function;
use crate::sandbox::Sandbox;

pub(crate) fn module(context: &HostContext) -> Module {
    let sandbox = context.file_sandbox();
    Module::new(
        "fs",
        "Text files in the workspace. Paths are relative to the workspace root (absolute \
         paths must lie inside it); `..` escapes and symbolic links leading outside are \
         `sandbox_denied`, missing files `not_found`, other failures `io`.",
    )
    .function(
        Function::new("read")
            .doc("Reads a whole UTF-8 text file.")
            .param("path", Type::Str, "The file, relative to the workspace root.")
            .returns(Type::Str, "The file's contents.")
            .example(
                r#"local text = fs.read("notes/today.md")"#,
                r#"const text = fs.read("notes/today.md");"#,
                r#"let text = fs.read("notes/today.md");"#,
            )
            .sync(with_sandbox(&sandbox, read)),
    )
    .function(
        Function::new("write")
            .doc("Writes a text file, replacing it if it exists and creating missing parent folders.")
            .param("path", Type::Str, "The file, relative to the workspace root.")
            .param("text", Type::Str, "The new contents.")
            .returns(Type::Nil, "Nothing.")
            .example(
                r##"fs.write("out/report.md", "# Report\n")"##,
                r##"fs.write("out/report.md", "# Report\n");"##,
                r##"fs.write("out/report.md", "# Report\n");"##,
            )
            .sync(with_sandbox(&sandbox, write)),
    )
    .function(
        Function::new("append")
            .doc("Appends text to a file, creating it (and missing parent folders) if needed.")
            .param("path", Type::Str, "The file, relative to the workspace root.")
            .param("text", Type::Str, "The text to add at the end.")
            .returns(Type::Nil, "Nothing.")
            .example(
                r#"fs.append("out/log.txt", "step done\n")"#,
                r#"fs.append("out/log.txt", "step done\n");"#,
                r#"fs.append("out/log.txt", "step done\n");"#,
            )
            .sync(with_sandbox(&sandbox, append)),
    )
    .function(
        Function::new("exists")
            .doc("Whether a file or folder exists. Paths outside the workspace are still an error.")
            .param("path", Type::Str, "The file or folder, relative to the workspace root.")
            .returns(Type::Bool, "`true` when something exists at the path.")
            .example(
                r#"if fs.exists("cache.json") then print("cached") end"#,
                r#"if (fs.exists("cache.json")) { print("cached"); }"#,
                r#"if fs.exists("cache.json") { print("cached"); }"#,
            )
            .sync(with_sandbox(&sandbox, exists)),
    )
    .function(
        Function::new("list")
            .doc("Lists the names of the entries of a folder (files and folders), sorted.")
            .optional(
                "dir",
                Type::Str,
                Some(Value::from(".")),
                "The folder, relative to the workspace root; the root itself when omitted.",
            )
            .returns(Type::list(Type::Str), "The entry names (not paths), in sorted order.")
            .example(
                r#"for _, name in ipairs(fs.list("notes")) do print(name) end"#,
                r#"for (const name of fs.list("notes")) { print(name); }"#,
                r#"for name in fs.list("notes") { print(name); }"#,
            )
            .sync(with_sandbox(&sandbox, list)),
    )
    .function(
        Function::new("remove")
            .doc(
                "Removes a file, or a folder with everything in it. A symbolic link is removed \
                 itself, not what it points to.",
            )
            .param("path", Type::Str, "The file or folder, relative to the workspace root.")
            .returns(Type::Nil, "Nothing.")
            .example(
                r#"fs.remove("out/old.txt")"#,
                r#"fs.remove("out/old.txt");"#,
                r#"fs.remove("out/old.txt");"#,
            )
            .sync(with_sandbox(&sandbox, remove)),
    )
}

/// A file function body bound to the workspace's sandbox; its errors get the function's name.
fn with_sandbox(
    sandbox: &Sandbox,
    body: fn(&Sandbox, &Args) -> Result<Value, HostError>,
) -> impl Fn(Args) -> Result<Value, HostError> + Send + Sync + 'static {
    let sandbox = sandbox.clone();
    move |args: Args| body(&sandbox, &args).map_err(|error| in_function(&args.qualified, error))
}

fn read(sandbox: &Sandbox, args: &Args) -> Result<Value, HostError> {
    let path = args.str(0)?;
    let bytes = std::fs::read(sandbox.resolve(path)?).map_err(|error| io_error(path, &error))?;
    String::from_utf8(bytes)
        .map(Value::Str)
        .map_err(|_| HostError::io(format!("'{path}' is not UTF-8 text")))
}

fn write(sandbox: &Sandbox, args: &Args) -> Result<Value, HostError> {
    let path = args.str(0)?;
    let resolved = sandbox.resolve(path)?;
    create_parent(path, &resolved)?;
    std::fs::write(&resolved, args.str(1)?).map_err(|error| io_error(path, &error))?;
    Ok(Value::Nil)
}

fn append(sandbox: &Sandbox, args: &Args) -> Result<Value, HostError> {
    let (path, text) = (args.str(0)?, args.str(1)?);
    let resolved = sandbox.resolve(path)?;
    create_parent(path, &resolved)?;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&resolved)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(|error| io_error(path, &error))?;
    Ok(Value::Nil)
}

fn exists(sandbox: &Sandbox, args: &Args) -> Result<Value, HostError> {
    let path = args.str(0)?;
    let resolved = sandbox.resolve(path)?;
    resolved
        .try_exists()
        .map(Value::Bool)
        .map_err(|error| io_error(path, &error))
}

fn list(sandbox: &Sandbox, args: &Args) -> Result<Value, HostError> {
    let path = args.str(0)?;
    let entries =
        std::fs::read_dir(sandbox.resolve(path)?).map_err(|error| io_error(path, &error))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|error| io_error(path, &error))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(Value::List(names.into_iter().map(Value::Str).collect()))
}

fn remove(sandbox: &Sandbox, args: &Args) -> Result<Value, HostError> {
    let path = args.str(0)?;
    let entry = sandbox.resolve_entry(path)?;
    let metadata = std::fs::symlink_metadata(&entry).map_err(|error| io_error(path, &error))?;
    let removed = if metadata.is_dir() {
        std::fs::remove_dir_all(&entry)
    } else {
        std::fs::remove_file(&entry)
    };
    removed.map_err(|error| io_error(path, &error))?;
    Ok(Value::Nil)
}

fn create_parent(path: &str, resolved: &Path) -> Result<(), HostError> {
    match resolved.parent() {
        Some(parent) => std::fs::create_dir_all(parent).map_err(|error| io_error(path, &error)),
        None => Ok(()),
    }
}

/// `not_found` for a missing file, `io` for everything else.
fn io_error(path: &str, error: &std::io::Error) -> HostError {
    match error.kind() {
        ErrorKind::NotFound => HostError::not_found(format!("'{path}' does not exist")),
        _ => HostError::io(format!("'{path}': {error}")),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::symlink;

    use llmspell_bridge::Value;

    use crate::test_support::TestHost;

    fn strs(values: &[&str]) -> Value {
        Value::List(values.iter().map(|&value| Value::from(value)).collect())
    }

    #[test]
    fn write_read_append_exists_list_remove() {
        let host = TestHost::new();
        let fs = |function: &str, args: Vec<Value>| host.call("fs", function, args);
        assert_eq!(
            fs("exists", vec!["out/a.txt".into()]).unwrap(),
            Value::Bool(false)
        );
        assert_eq!(
            fs("write", vec!["out/deep/a.txt".into(), "one\n".into()]).unwrap(),
            Value::Nil
        );
        assert_eq!(
            fs("read", vec!["out/deep/a.txt".into()]).unwrap(),
            Value::from("one\n")
        );
        fs("append", vec!["out/deep/a.txt".into(), "two\n".into()]).unwrap();
        fs("append", vec!["new/b.txt".into(), "b".into()]).unwrap();
        assert_eq!(
            fs("read", vec!["./out/deep/../deep/a.txt".into()]).unwrap(),
            Value::from("one\ntwo\n")
        );
        assert_eq!(
            fs("read", vec!["new/b.txt".into()]).unwrap(),
            Value::from("b")
        );
        fs("write", vec!["out/deep/a.txt".into(), "replaced".into()]).unwrap();
        assert_eq!(
            fs("read", vec!["out/deep/a.txt".into()]).unwrap(),
            Value::from("replaced")
        );
        fs("write", vec!["out/Z.txt".into(), "".into()]).unwrap();
        fs("write", vec!["out/b.txt".into(), "".into()]).unwrap();
        assert_eq!(fs("exists", vec!["out".into()]).unwrap(), Value::Bool(true));
        assert_eq!(
            fs("exists", vec!["out/deep/a.txt".into()]).unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            fs("list", vec!["out".into()]).unwrap(),
            strs(&["Z.txt", "b.txt", "deep"])
        );
        assert_eq!(fs("list", vec![]).unwrap(), strs(&["new", "out"]));
        assert_eq!(fs("list", vec![Value::Nil]).unwrap(), strs(&["new", "out"]));
        fs("remove", vec!["out/b.txt".into()]).unwrap();
        assert_eq!(
            fs("exists", vec!["out/b.txt".into()]).unwrap(),
            Value::Bool(false)
        );
        fs("remove", vec!["out".into()]).unwrap();
        assert_eq!(fs("list", vec![]).unwrap(), strs(&["new"]));
        let absolute = format!("{}/new/b.txt", host.workspace().display());
        assert_eq!(fs("read", vec![absolute.into()]).unwrap(), Value::from("b"));
    }

    #[test]
    fn missing_files_are_not_found() {
        let host = TestHost::new();
        for (function, args) in [
            ("read", vec![Value::from("nope.txt")]),
            ("list", vec![Value::from("nope")]),
            ("remove", vec![Value::from("nope.txt")]),
        ] {
            let error = host.call("fs", function, args).unwrap_err();
            assert_eq!(error.code, "not_found", "{function}: {error}");
            assert_eq!(
                error.message,
                format!(
                    "fs.{function}: 'nope{}' does not exist",
                    if function == "list" { "" } else { ".txt" }
                )
            );
        }
    }

    #[test]
    fn other_failures_are_io() {
        let host = TestHost::new();
        host.call("fs", "write", vec!["dir/file.txt".into(), "x".into()])
            .unwrap();
        std::fs::write(host.workspace().join("binary.bin"), [0xff, 0xfe, 0x00]).unwrap();
        for (function, args) in [
            ("read", vec![Value::from("dir")]),
            ("read", vec![Value::from("binary.bin")]),
            ("list", vec![Value::from("dir/file.txt")]),
            ("write", vec![Value::from("dir"), Value::from("x")]),
            (
                "write",
                vec![Value::from("dir/file.txt/inner.txt"), Value::from("x")],
            ),
        ] {
            let error = host.call("fs", function, args.clone()).unwrap_err();
            assert_eq!(error.code, "io", "{function} {args:?}: {error}");
            assert!(
                error.message.starts_with(&format!("fs.{function}: ")),
                "{error}"
            );
        }
    }

    #[test]
    fn everything_outside_the_workspace_is_denied() {
        let host = TestHost::new();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "secret").unwrap();
        symlink(outside.path(), host.workspace().join("out_link")).unwrap();
        symlink(
            outside.path().join("secret"),
            host.workspace().join("secret_link"),
        )
        .unwrap();
        symlink(
            outside.path().join("fresh"),
            host.workspace().join("dangling"),
        )
        .unwrap();
        let secret = format!("{}/secret", outside.path().display());
        let calls: Vec<(&str, Vec<Value>)> = vec![
            ("read", vec!["../secret".into()]),
            ("read", vec![secret.clone().into()]),
            ("read", vec!["out_link/secret".into()]),
            ("read", vec!["secret_link".into()]),
            ("write", vec!["out_link/new.txt".into(), "x".into()]),
            ("write", vec!["secret_link".into(), "x".into()]),
            ("write", vec!["dangling".into(), "x".into()]),
            ("write", vec!["../escape.txt".into(), "x".into()]),
            ("append", vec!["secret_link".into(), "x".into()]),
            ("append", vec![secret.clone().into(), "x".into()]),
            ("exists", vec!["../secret".into()]),
            ("exists", vec!["out_link/secret".into()]),
            ("list", vec!["..".into()]),
            ("list", vec!["out_link".into()]),
            ("list", vec!["/".into()]),
            ("remove", vec!["out_link/secret".into()]),
            ("remove", vec![secret.into()]),
            ("remove", vec![".".into()]),
        ];
        for (function, args) in calls {
            let error = host.call("fs", function, args.clone()).unwrap_err();
            assert_eq!(error.code, "sandbox_denied", "{function} {args:?}: {error}");
            assert!(
                error.message.starts_with(&format!("fs.{function}: ")),
                "{error}"
            );
        }
        assert_eq!(
            std::fs::read_to_string(outside.path().join("secret")).unwrap(),
            "secret"
        );
        assert!(!outside.path().join("fresh").exists());
        assert!(!outside.path().join("new.txt").exists());
    }

    #[test]
    fn links_inside_the_workspace_work_and_remove_removes_the_link() {
        let host = TestHost::new();
        host.call("fs", "write", vec!["docs/a.txt".into(), "a".into()])
            .unwrap();
        symlink("docs", host.workspace().join("docs_link")).unwrap();
        symlink("docs/a.txt", host.workspace().join("a_link")).unwrap();
        assert_eq!(
            host.call("fs", "read", vec!["docs_link/a.txt".into()])
                .unwrap(),
            Value::from("a")
        );
        host.call("fs", "append", vec!["a_link".into(), "b".into()])
            .unwrap();
        assert_eq!(
            host.call("fs", "read", vec!["docs/a.txt".into()]).unwrap(),
            Value::from("ab")
        );
        host.call("fs", "remove", vec!["a_link".into()]).unwrap();
        host.call("fs", "remove", vec!["docs_link".into()]).unwrap();
        assert_eq!(
            host.call("fs", "read", vec!["docs/a.txt".into()]).unwrap(),
            Value::from("ab")
        );
        assert_eq!(host.call("fs", "list", vec![]).unwrap(), strs(&["docs"]));
    }

    #[test]
    fn arguments_are_validated() {
        let host = TestHost::new();
        let cases: Vec<(&str, Vec<Value>, &str)> = vec![
            (
                "read",
                vec![Value::Int(1)],
                "fs.read: parameter 'path' expects str, got int 1",
            ),
            ("read", vec![], "fs.read: expected 1 argument, got 0"),
            (
                "write",
                vec!["a.txt".into()],
                "fs.write: expected 2 arguments, got 1",
            ),
            (
                "write",
                vec!["a.txt".into(), Value::Int(3)],
                "fs.write: parameter 'text' expects str, got int 3",
            ),
            (
                "append",
                vec![Value::Bool(true), "x".into()],
                "fs.append: parameter 'path' expects str, got bool true",
            ),
            (
                "exists",
                vec![Value::List(vec![])],
                "fs.exists: parameter 'path' expects str, got list",
            ),
            (
                "list",
                vec![Value::Float(1.5)],
                "fs.list: parameter 'dir' expects str, got float 1.5",
            ),
            (
                "remove",
                vec![Value::Nil],
                "fs.remove: parameter 'path' expects str, got nil",
            ),
            ("read", vec!["".into()], "fs.read: the path is empty"),
        ];
        for (function, args, message) in cases {
            let error = host.call("fs", function, args).unwrap_err();
            assert_eq!(error.code, "invalid_argument");
            assert_eq!(error.message, message);
        }
    }
}
