//! Helpers shared by the CLI tests: run the real `llmspell` binary and capture what it says.

#![allow(dead_code, reason = "each test file uses a different part of the support code")]

use std::path::Path;
use std::process::{Command, Output};

pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `llmspell ARGS…` in `dir`.
pub fn llmspell(dir: &Path, args: &[&str]) -> Ran {
    let output: Output = Command::new(env!("CARGO_BIN_EXE_llmspell"))
        .args(args)
        .current_dir(dir)
        .env_remove("LLMSPELL_CONFIG")
        .env("LLMSPELL_LOG", "info")
        .output()
        .expect("the llmspell binary runs");
    let ran = Ran {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        !ran.stderr.contains("panicked") && !ran.stderr.contains("RUST_BACKTRACE"),
        "llmspell {args:?} showed a Rust panic:\n{}",
        ran.stderr
    );
    ran
}

/// The repository root.
pub fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}
