//! The host modules, one file each. Every function is declared once here, with the docs,
//! parameter docs, return docs and Lua/JavaScript/Rhai examples the manifest publishes.

pub(crate) mod agent;
pub(crate) mod events;
pub(crate) mod fs;
pub(crate) mod http;
pub(crate) mod json;
pub(crate) mod llm;
pub(crate) mod log;
pub(crate) mod print;
pub(crate) mod spell;
pub(crate) mod state;
pub(crate) mod tools;
pub(crate) mod workflow;

use llmspell_bridge::HostError;

/// Puts the qualified function name in front of an error raised below a host function
/// (`fs.read: 'x' is outside the workspace`).
pub(crate) fn in_function(qualified: &str, mut error: HostError) -> HostError {
    error.message = format!("{qualified}: {}", error.message);
    error
}
