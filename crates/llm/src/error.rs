//! Errors of provider calls, each with a stable code the host passes on to scripts.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The stable error codes. Scripts see `as_str()`; never rename one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The key is missing, wrong or not allowed (401/403, Gemini's `API_KEY_INVALID`).
    ProviderAuth,
    /// Too many requests (429) and the retries ran out, or `retry-after` asked for too long a wait.
    ProviderRateLimit,
    /// Any other HTTP failure: 4xx/5xx, overloaded, connection refused or cut, a stream ended early.
    ProviderHttp,
    /// The per-request timeout passed (no answer, or no stream event for that long).
    ProviderTimeout,
    /// The provider answered something we cannot use: bad JSON, unknown shape, tool arguments that
    /// are not JSON, structured output that does not match its schema.
    InvalidResponse,
    /// The request itself is unusable (a schema that is not a valid JSON Schema, a tool result
    /// that answers no call); nothing was sent.
    InvalidRequest,
    /// The provider configuration is unusable (unknown kind, missing base URL, bad script file).
    ProviderConfig,
    /// A replayed run asked for something else than the recording holds, or more than it holds.
    ReplayMismatch,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 8] = [
        ErrorCode::ProviderAuth,
        ErrorCode::ProviderRateLimit,
        ErrorCode::ProviderHttp,
        ErrorCode::ProviderTimeout,
        ErrorCode::InvalidResponse,
        ErrorCode::InvalidRequest,
        ErrorCode::ProviderConfig,
        ErrorCode::ReplayMismatch,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ProviderAuth => "provider_auth",
            ErrorCode::ProviderRateLimit => "provider_rate_limit",
            ErrorCode::ProviderHttp => "provider_http",
            ErrorCode::ProviderTimeout => "provider_timeout",
            ErrorCode::InvalidResponse => "invalid_response",
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::ProviderConfig => "provider_config",
            ErrorCode::ReplayMismatch => "replay_mismatch",
        }
    }

    pub fn from_name(name: &str) -> Option<ErrorCode> {
        ErrorCode::ALL
            .into_iter()
            .find(|code| code.as_str() == name)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        ErrorCode::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown error code `{name}`")))
    }
}

/// A failed provider call: a stable code, a message for people, the provider's configured name
/// and the HTTP status when there was one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LlmError {
    pub code: ErrorCode,
    pub message: String,
    pub provider: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

impl LlmError {
    pub fn new(
        code: ErrorCode,
        provider: impl Into<String>,
        message: impl Into<String>,
    ) -> LlmError {
        LlmError {
            code,
            message: message.into(),
            provider: provider.into(),
            status: None,
        }
    }

    pub fn with_status(mut self, status: u16) -> LlmError {
        self.status = Some(status);
        self
    }

    /// Whether another attempt may succeed (rate limits, 5xx, overloaded, refused connections).
    pub fn is_retryable(&self) -> bool {
        match self.code {
            ErrorCode::ProviderRateLimit => true,
            ErrorCode::ProviderHttp => match self.status {
                Some(status) => status >= 500 || status == 408,
                None => true,
            },
            _ => false,
        }
    }
}

impl fmt::Display for LlmError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: {}", self.provider, self.message)?;
        if let Some(status) = self.status {
            write!(formatter, " (HTTP {status})")?;
        }
        write!(formatter, " [{}]", self.code)
    }
}

impl std::error::Error for LlmError {}

/// The result of a provider call.
pub type LlmResult<T> = Result<T, LlmError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_name() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_name(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::from_name("nope"), None);
    }

    #[test]
    fn display_names_provider_status_and_code() {
        let error =
            LlmError::new(ErrorCode::ProviderAuth, "openai", "invalid key").with_status(401);
        assert_eq!(
            error.to_string(),
            "openai: invalid key (HTTP 401) [provider_auth]"
        );
    }

    #[test]
    fn only_rate_limits_server_errors_and_connection_failures_are_retried() {
        let http = |status: Option<u16>| LlmError {
            status,
            ..LlmError::new(ErrorCode::ProviderHttp, "p", "m")
        };
        assert!(http(Some(500)).is_retryable());
        assert!(http(Some(529)).is_retryable());
        assert!(http(None).is_retryable());
        assert!(!http(Some(400)).is_retryable());
        assert!(LlmError::new(ErrorCode::ProviderRateLimit, "p", "m").is_retryable());
        assert!(!LlmError::new(ErrorCode::ProviderAuth, "p", "m").is_retryable());
        assert!(!LlmError::new(ErrorCode::ProviderTimeout, "p", "m").is_retryable());
    }
}
