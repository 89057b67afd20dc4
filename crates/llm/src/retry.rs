//! Retries with exponential backoff and jitter, honouring the provider's `retry-after`.

use std::time::Duration;

use serde::{Deserialize, Serialize};

#[cfg(test)]
use crate::error::ErrorCode;
use crate::error::{LlmError, LlmResult};

/// How failed attempts are retried. Only retryable failures (429, 5xx, overloaded, a refused
/// connection) are tried again, and only before any part of an answer has arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = no retry).
    pub max_attempts: u32,
    /// The wait before the first retry; it doubles for each further one.
    #[serde(with = "millis")]
    pub initial_backoff: Duration,
    /// No computed wait is longer than this.
    #[serde(with = "millis")]
    pub max_backoff: Duration,
    /// A `retry-after` longer than this is not waited for: the call fails at once.
    #[serde(with = "millis")]
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The wait before retry number `retry` (0 for the first retry) when the server named none:
    /// exponential, capped, with "equal jitter" (half fixed, half random) so that many clients
    /// failing together do not retry together.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exponential = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.min(20)));
        let capped = exponential.min(self.max_backoff);
        let half = capped / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// The wait before retry number `retry` after `error`, or the error itself when the call
    /// must not be retried (not retryable, attempts used up, or too long a `retry-after`).
    pub fn wait_before_retry(
        &self,
        retry: u32,
        error: LlmError,
        retry_after: Option<Duration>,
    ) -> LlmResult<Duration> {
        if !error.is_retryable() || retry + 1 >= self.max_attempts {
            return Err(error);
        }
        match retry_after {
            Some(wait) if wait > self.max_retry_after => Err(LlmError {
                message: format!(
                    "{} (the provider asks to retry after {} s)",
                    error.message,
                    wait.as_secs()
                ),
                ..error
            }),
            Some(wait) => Ok(wait),
            None => Ok(self.backoff(retry)),
        }
    }
}

/// Reads `retry-after-ms` (OpenAI, Anthropic) or `retry-after` (seconds, or an HTTP date).
pub(crate) fn retry_after_from_headers(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    if let Some(millis) = headers
        .get("retry-after-ms")
        .and_then(|value| value.to_str().ok())
        && let Ok(millis) = millis.trim().parse::<f64>()
        && millis.is_finite()
        && millis >= 0.0
    {
        return Some(Duration::from_secs_f64(millis / 1000.0));
    }
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds));
    }
    let date = parse_http_date(value)?;
    Some(
        date.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

/// Parses the IMF-fixdate form of an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn parse_http_date(text: &str) -> Option<std::time::SystemTime> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    let day: u64 = day.parse().ok()?;
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|name| name == month)? as u64
        + 1;
    let year: u64 = year.parse().ok()?;
    let mut clock = time.split(':').map(|part| part.parse::<u64>().ok());
    let (hours, minutes, seconds) = (clock.next()??, clock.next()??, clock.next()??);
    // Days since the epoch (civil-from-days inverse, valid for the Gregorian calendar).
    let (year_of_era, month_shifted) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = year_of_era / 400;
    let year_in_era = year_of_era - era * 400;
    let day_of_year = (153 * month_shifted + 2) / 5 + day - 1;
    let day_of_era = year_in_era * 365 + year_in_era / 4 - year_in_era / 100 + day_of_year;
    let days = (era * 146_097 + day_of_era).checked_sub(719_468)?;
    let seconds = days * 86_400 + hours * 3600 + minutes * 60 + seconds;
    Some(std::time::UNIX_EPOCH + Duration::from_secs(seconds))
}

mod millis {
    //! Serialises a `Duration` as whole milliseconds.

    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(value.as_millis() as u64)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(deserializer)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_stays_capped() {
        let policy = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(1000),
            ..RetryPolicy::default()
        };
        for _ in 0..50 {
            let first = policy.backoff(0);
            assert!(
                first >= Duration::from_millis(50) && first <= Duration::from_millis(100),
                "{first:?}"
            );
            let third = policy.backoff(2);
            assert!(
                third >= Duration::from_millis(200) && third <= Duration::from_millis(400),
                "{third:?}"
            );
            assert!(policy.backoff(30) <= Duration::from_millis(1000));
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_limit() {
        let policy = RetryPolicy {
            max_retry_after: Duration::from_secs(5),
            ..RetryPolicy::default()
        };
        let limited =
            || LlmError::new(ErrorCode::ProviderRateLimit, "p", "slow down").with_status(429);
        assert_eq!(
            policy.wait_before_retry(0, limited(), Some(Duration::from_secs(2))),
            Ok(Duration::from_secs(2))
        );
        let refused = policy
            .wait_before_retry(0, limited(), Some(Duration::from_secs(30)))
            .unwrap_err();
        assert_eq!(refused.code, ErrorCode::ProviderRateLimit);
        assert!(
            refused.message.contains("retry after 30 s"),
            "{}",
            refused.message
        );
    }

    #[test]
    fn attempts_are_bounded_and_non_retryable_errors_fail_at_once() {
        let policy = RetryPolicy {
            max_attempts: 2,
            ..RetryPolicy::default()
        };
        let server = || LlmError::new(ErrorCode::ProviderHttp, "p", "boom").with_status(500);
        assert!(policy.wait_before_retry(0, server(), None).is_ok());
        assert!(policy.wait_before_retry(1, server(), None).is_err());
        let auth = LlmError::new(ErrorCode::ProviderAuth, "p", "bad key").with_status(401);
        assert!(policy.wait_before_retry(0, auth, None).is_err());
    }

    #[test]
    fn retry_after_headers_in_seconds_milliseconds_and_dates() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("retry-after", "3".parse().unwrap());
        assert_eq!(
            retry_after_from_headers(&headers),
            Some(Duration::from_secs(3))
        );
        headers.insert("retry-after-ms", "250".parse().unwrap());
        assert_eq!(
            retry_after_from_headers(&headers),
            Some(Duration::from_millis(250))
        );
        let mut dated = reqwest::header::HeaderMap::new();
        dated.insert(
            "retry-after",
            "Sun, 06 Nov 1994 08:49:37 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after_from_headers(&dated), Some(Duration::ZERO));
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(std::time::UNIX_EPOCH + Duration::from_secs(784_111_777))
        );
    }
}
