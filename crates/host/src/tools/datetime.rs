//! `datetime`: the current time or a given Unix timestamp, in UTC, as ISO 8601 or formatted
//! with a `strftime` subset. Deterministic when given a timestamp.

use std::time::{SystemTime, UNIX_EPOCH};

use futures::FutureExt;
use llmspell_bridge::{HostError, Map, Value};
use serde_json::json;

use super::{BuiltinDecl, arg_str};

pub(super) const TOOL: BuiltinDecl = (
    "datetime",
    "The current date and time in UTC (or that of `timestamp`, Unix seconds), as ISO 8601 \
     (`2026-11-25T17:19:17Z`) or in `format`: %Y %m %d %H %M %S %y %j (day of year) %a %A \
     %b %B %s (Unix seconds) %F (%Y-%m-%d) %T (%H:%M:%S) %Z (UTC) %z (+0000) %%.",
    || {
        json!({
            "type": "object",
            "properties": {
                "timestamp": {"type": "number", "description": "Unix seconds; now when omitted."},
                "format": {"type": "string", "description": "A strftime-style format; ISO 8601 when omitted."}
            },
            "additionalProperties": false
        })
    },
    |_context, args| async move { run(&args) }.boxed(),
);

const ISO_8601: &str = "%Y-%m-%dT%H:%M:%SZ";

fn run(args: &Map) -> Result<Value, HostError> {
    let seconds = match args.get("timestamp") {
        Some(value) => match value.as_float() {
            Some(seconds) if seconds.is_finite() && seconds.abs() < 1e13 => seconds.floor() as i64,
            _ => return Err(HostError::invalid_argument("`timestamp` is out of range")),
        },
        None => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|since| since.as_secs() as i64)
            .unwrap_or(0),
    };
    format(seconds, arg_str(args, "format").unwrap_or(ISO_8601)).map(Value::Str)
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
];

/// Formats Unix `seconds` in UTC.
pub(crate) fn format(seconds: i64, pattern: &str) -> Result<String, HostError> {
    let days = seconds.div_euclid(86_400);
    let in_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let (hour, minute, second) = (in_day / 3600, in_day % 3600 / 60, in_day % 60);
    let before_month = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334][month as usize - 1];
    let day_of_year = before_month + day + u32::from(month > 2 && is_leap(year));
    let weekday = WEEKDAYS[days.rem_euclid(7) as usize];
    let month_name = MONTHS[month as usize - 1];
    let mut out = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(spec) = chars.next() else {
            return Err(HostError::invalid_argument("the format ends with '%'"));
        };
        match spec {
            'Y' => out.push_str(&format!("{year:04}")),
            'y' => out.push_str(&format!("{:02}", year.rem_euclid(100))),
            'm' => out.push_str(&format!("{month:02}")),
            'd' => out.push_str(&format!("{day:02}")),
            'H' => out.push_str(&format!("{hour:02}")),
            'M' => out.push_str(&format!("{minute:02}")),
            'S' => out.push_str(&format!("{second:02}")),
            'j' => out.push_str(&format!("{day_of_year:03}")),
            'a' => out.push_str(&weekday[..3]),
            'A' => out.push_str(weekday),
            'b' => out.push_str(&month_name[..3]),
            'B' => out.push_str(month_name),
            's' => out.push_str(&seconds.to_string()),
            'F' => out.push_str(&format!("{year:04}-{month:02}-{day:02}")),
            'T' => out.push_str(&format!("{hour:02}:{minute:02}:{second:02}")),
            'Z' => out.push_str("UTC"),
            'z' => out.push_str("+0000"),
            '%' => out.push('%'),
            other => {
                return Err(HostError::invalid_argument(format!(
                    "unknown format directive '%{other}'"
                )));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants_format_exactly() {
        assert_eq!(format(0, ISO_8601).unwrap(), "1970-01-01T00:00:00Z");
        assert_eq!(
            format(1_795_627_157, ISO_8601).unwrap(),
            "2026-11-25T17:19:17Z"
        );
        assert_eq!(
            format(951_782_400, "%F %A %j").unwrap(),
            "2000-02-29 Tuesday 060"
        );
        assert_eq!(
            format(-1, "%F %T %Z %z %%").unwrap(),
            "1969-12-31 23:59:59 UTC +0000 %"
        );
        assert_eq!(
            format(1_700_000_000, "%a %d %b %Y, %y %s").unwrap(),
            "Tue 14 Nov 2023, 23 1700000000"
        );
        assert_eq!(format(1_704_067_199, "%j %B").unwrap(), "365 December");
        assert!(format(0, "%Q").is_err());
        assert!(format(0, "%").is_err());
    }
}
