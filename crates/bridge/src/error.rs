//! Errors raised by host functions, with a stable `code` every engine exposes to scripts.

use std::fmt;

use crate::value::Value;

/// Stable error codes. Scripts match on these strings; never rename one.
pub mod codes {
    pub const INVALID_ARGUMENT: &str = "invalid_argument";
    pub const SANDBOX_DENIED: &str = "sandbox_denied";
    pub const NOT_FOUND: &str = "not_found";
    pub const IO: &str = "io";
    pub const JSON: &str = "json";
    pub const STATE: &str = "state";
    pub const TIMEOUT: &str = "timeout";
    pub const MEMORY_LIMIT: &str = "memory_limit";
    pub const INSTRUCTION_LIMIT: &str = "instruction_limit";
    pub const STACK_OVERFLOW: &str = "stack_overflow";
    pub const RUNTIME: &str = "runtime";
    pub const SYNTAX: &str = "syntax";
    pub const INTERNAL: &str = "internal";
    pub const TERMINATED: &str = "terminated";
}

/// An error raised by a host function; scripts see it as their language's own error
/// with `.code` and `.message`.
#[derive(Clone, Debug, PartialEq)]
pub struct HostError {
    pub code: String,
    pub message: String,
    /// Extra structured detail (for example the script error a callback raised).
    pub data: Option<Value>,
}

impl HostError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> HostError {
        HostError { code: code.into(), message: message.into(), data: None }
    }
    pub fn invalid_argument(message: impl Into<String>) -> HostError {
        HostError::new(codes::INVALID_ARGUMENT, message)
    }
    pub fn sandbox_denied(message: impl Into<String>) -> HostError {
        HostError::new(codes::SANDBOX_DENIED, message)
    }
    pub fn not_found(message: impl Into<String>) -> HostError {
        HostError::new(codes::NOT_FOUND, message)
    }
    pub fn io(message: impl Into<String>) -> HostError {
        HostError::new(codes::IO, message)
    }
    pub fn internal(message: impl Into<String>) -> HostError {
        HostError::new(codes::INTERNAL, message)
    }
    pub fn with_data(mut self, data: Value) -> HostError {
        self.data = Some(data);
        self
    }

    /// Whether this error ends the spell whatever the script does (its limits, termination):
    /// `pcall`/`try` must not be able to swallow it, and host code must not retry or absorb it.
    ///
    /// `timeout` here is the spell's own wall-clock limit running out; a provider or tool that
    /// gives up on a slow call reports `provider_timeout` (or its own code), an ordinary error.
    /// (Engines still treat a `timeout` or `terminated` from a host call as fatal only when the
    /// spell's deadline has passed or it was cancelled.)
    pub fn is_fatal(&self) -> bool {
        matches!(
            self.code.as_str(),
            codes::TIMEOUT
                | codes::MEMORY_LIMIT
                | codes::INSTRUCTION_LIMIT
                | codes::STACK_OVERFLOW
                | codes::TERMINATED
        )
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for HostError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spells_limits_and_termination_are_fatal() {
        for code in [
            codes::TIMEOUT,
            codes::MEMORY_LIMIT,
            codes::INSTRUCTION_LIMIT,
            codes::STACK_OVERFLOW,
            codes::TERMINATED,
        ] {
            assert!(HostError::new(code, "").is_fatal(), "{code}");
        }
        for code in [codes::RUNTIME, codes::IO, codes::INVALID_ARGUMENT, "provider_timeout", "quota_exceeded"] {
            assert!(!HostError::new(code, "").is_fatal(), "{code}");
        }
    }
}
