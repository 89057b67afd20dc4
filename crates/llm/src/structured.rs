//! Structured output: checking a request's schema, and parsing and validating the answer against it.

use serde_json::Value as JsonValue;

use crate::error::{ErrorCode, LlmError, LlmResult};

/// Fails with `invalid_request` when `schema` is not a JSON Schema the validator can compile.
pub fn check_schema(provider: &str, schema: &JsonValue) -> LlmResult<()> {
    jsonschema::validator_for(schema)
        .map(|_| ())
        .map_err(|error| {
            LlmError::new(
                ErrorCode::InvalidRequest,
                provider,
                format!("the output schema is not a valid JSON Schema: {error}"),
            )
        })
}

/// Parses an answer's text as JSON and validates it against `schema`.
///
/// A Markdown code fence around the JSON (```` ```json … ``` ````), which some models add even
/// when asked for JSON, is tolerated. Anything else that is not JSON, or JSON that breaks the
/// schema, is `invalid_response`.
pub fn parse_structured_answer(
    provider: &str,
    text: &str,
    schema: &JsonValue,
) -> LlmResult<JsonValue> {
    let data: JsonValue = serde_json::from_str(strip_code_fence(text)).map_err(|error| {
        LlmError::new(
            ErrorCode::InvalidResponse,
            provider,
            format!(
                "the answer is not the JSON its schema asks for ({error}): {}",
                excerpt(text)
            ),
        )
    })?;
    validate_against_schema(provider, &data, schema)?;
    Ok(data)
}

/// Validates a value against a schema; every violation is named in the message.
pub fn validate_against_schema(
    provider: &str,
    data: &JsonValue,
    schema: &JsonValue,
) -> LlmResult<()> {
    let validator = jsonschema::validator_for(schema).map_err(|error| {
        LlmError::new(
            ErrorCode::InvalidRequest,
            provider,
            format!("the output schema is not a valid JSON Schema: {error}"),
        )
    })?;
    let violations: Vec<String> = validator
        .iter_errors(data)
        .map(|error| {
            let path = error.instance_path().to_string();
            if path.is_empty() {
                error.to_string()
            } else {
                format!("at {path}: {error}")
            }
        })
        .collect();
    if violations.is_empty() {
        Ok(())
    } else {
        Err(LlmError::new(
            ErrorCode::InvalidResponse,
            provider,
            format!(
                "the answer does not match its schema: {}",
                violations.join("; ")
            ),
        ))
    }
}

fn strip_code_fence(text: &str) -> &str {
    let trimmed = text.trim();
    let Some(rest) = trimmed.strip_prefix("```") else {
        return trimmed;
    };
    let Some(body) = rest.strip_suffix("```") else {
        return trimmed;
    };
    // Drop the info string (`json`) on the opening line.
    match body.split_once('\n') {
        Some((_info, inner)) => inner.trim(),
        None => body.trim(),
    }
}

/// The start of a text, for error messages.
pub(crate) fn excerpt(text: &str) -> String {
    const LIMIT: usize = 200;
    if text.chars().count() <= LIMIT {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(LIMIT).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn person_schema() -> JsonValue {
        json!({
            "type": "object",
            "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
            "required": ["name", "age"],
            "additionalProperties": false
        })
    }

    #[test]
    fn valid_json_is_parsed_even_inside_a_code_fence() {
        let data = parse_structured_answer(
            "p",
            "```json\n{\"name\": \"Ada\", \"age\": 36}\n```",
            &person_schema(),
        )
        .unwrap();
        assert_eq!(data, json!({"name": "Ada", "age": 36}));
    }

    #[test]
    fn schema_violations_are_invalid_responses_naming_the_place() {
        let error = parse_structured_answer("p", r#"{"name": "Ada", "age": -1}"#, &person_schema())
            .unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidResponse);
        assert!(error.message.contains("/age"), "{}", error.message);
    }

    #[test]
    fn text_that_is_not_json_is_an_invalid_response() {
        let error =
            parse_structured_answer("p", "Sure! Here it is.", &person_schema()).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidResponse);
        assert!(
            error.message.contains("Sure! Here it is."),
            "{}",
            error.message
        );
    }

    #[test]
    fn a_broken_schema_is_an_invalid_request() {
        let error = check_schema("p", &json!({"type": 12})).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidRequest);
        assert!(check_schema("p", &person_schema()).is_ok());
    }
}
