//! `file_read`, `file_write`, `file_list`: text files confined to the workspace, through the
//! same [`Sandbox`](crate::Sandbox) policy as the `fs` module.

use std::io::ErrorKind;

use futures::FutureExt;
use llmspell_bridge::{HostError, Map, Value, map_of};
use serde_json::json;

use super::{BuiltinDecl, arg_str};
use crate::HostContext;

pub(super) const READ: BuiltinDecl = (
    "file_read",
    "Reads a UTF-8 text file of the workspace. `path` is relative to the workspace root.",
    || {
        json!({
            "type": "object",
            "properties": {"path": {"type": "string", "description": "The file, relative to the workspace root."}},
            "required": ["path"],
            "additionalProperties": false
        })
    },
    |context, args| async move { read(&context, &args) }.boxed(),
);

pub(super) const WRITE: BuiltinDecl = (
    "file_write",
    "Writes a UTF-8 text file in the workspace (replacing it, creating parent folders). \
     Returns `{path, bytes}`.",
    || {
        json!({
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "The file, relative to the workspace root."},
                "content": {"type": "string", "description": "The new contents."}
            },
            "required": ["path", "content"],
            "additionalProperties": false
        })
    },
    |context, args| async move { write(&context, &args) }.boxed(),
);

pub(super) const LIST: BuiltinDecl = (
    "file_list",
    "Lists the entry names of a workspace folder, sorted (the root when `dir` is omitted).",
    || {
        json!({
            "type": "object",
            "properties": {"dir": {"type": "string", "description": "The folder, relative to the workspace root."}},
            "additionalProperties": false
        })
    },
    |context, args| async move { list(&context, &args) }.boxed(),
);

fn read(context: &HostContext, args: &Map) -> Result<Value, HostError> {
    let path = arg_str(args, "path").unwrap_or_default();
    let bytes = std::fs::read(context.file_sandbox().resolve(path)?)
        .map_err(|error| io_error(path, &error))?;
    String::from_utf8(bytes)
        .map(Value::Str)
        .map_err(|_| HostError::io(format!("'{path}' is not UTF-8 text")))
}

fn write(context: &HostContext, args: &Map) -> Result<Value, HostError> {
    let path = arg_str(args, "path").unwrap_or_default();
    let content = arg_str(args, "content").unwrap_or_default();
    let resolved = context.file_sandbox().resolve(path)?;
    if let Some(parent) = resolved.parent() {
        std::fs::create_dir_all(parent).map_err(|error| io_error(path, &error))?;
    }
    std::fs::write(&resolved, content).map_err(|error| io_error(path, &error))?;
    Ok(map_of([
        ("path", Value::from(path)),
        ("bytes", Value::Int(content.len() as i64)),
    ]))
}

fn list(context: &HostContext, args: &Map) -> Result<Value, HostError> {
    let dir = arg_str(args, "dir").unwrap_or(".");
    let entries = std::fs::read_dir(context.file_sandbox().resolve(dir)?)
        .map_err(|error| io_error(dir, &error))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|error| io_error(dir, &error))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(Value::List(names.into_iter().map(Value::Str).collect()))
}

fn io_error(path: &str, error: &std::io::Error) -> HostError {
    match error.kind() {
        ErrorKind::NotFound => HostError::not_found(format!("'{path}' does not exist")),
        _ => HostError::io(format!("'{path}': {error}")),
    }
}
