//! How a spell fails: a stable code, a message, where in the script, and the script's stack.

use std::fmt;

use llmspell_bridge::{HostError, codes};

/// One frame of a script's stack, innermost first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackEntry {
    /// The function's name, or `<main>` for the top level.
    pub function: String,
    pub file: String,
    pub line: u32,
}

/// An error that ended a spell, or a syntax error found before it ran.
#[derive(Clone, Debug, PartialEq)]
pub struct SpellError {
    /// Stable code: `runtime`, `syntax`, `timeout`, `memory_limit`, `instruction_limit`,
    /// `stack_overflow`, or the code of the host error the script did not catch.
    pub code: String,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// The script's stack at the error, innermost first (may be empty).
    pub stack: Vec<StackEntry>,
}

impl SpellError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> SpellError {
        SpellError {
            code: code.into(),
            message: message.into(),
            file: None,
            line: None,
            column: None,
            stack: Vec::new(),
        }
    }
    pub fn at(mut self, file: impl Into<String>, line: u32) -> SpellError {
        self.file = Some(file.into());
        self.line = Some(line);
        self
    }
    pub fn internal(message: impl Into<String>) -> SpellError {
        SpellError::new(codes::INTERNAL, message)
    }

    /// `file:line: message`, the first line of the report.
    pub fn headline(&self) -> String {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => format!("{file}:{line}: {}", self.message),
            (Some(file), None) => format!("{file}: {}", self.message),
            _ => self.message.clone(),
        }
    }

    /// The error as a host error, for a script callback that failed inside host code.
    pub fn to_host_error(&self) -> HostError {
        HostError::new(self.code.clone(), self.message.clone())
    }
}

impl From<HostError> for SpellError {
    fn from(error: HostError) -> Self {
        SpellError::new(error.code, error.message)
    }
}

impl fmt::Display for SpellError {
    /// The report `llmspell run` prints: `file:line: message [code]`, then the stack.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.headline(), self.code)?;
        if !self.stack.is_empty() {
            write!(f, "\nstack:")?;
            for entry in &self.stack {
                write!(f, "\n  at {} ({}:{})", entry.function, entry.file, entry.line)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for SpellError {}

/// A syntax error found by `check`, with a 1-based position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
    }
}
