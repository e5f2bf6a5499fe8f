//! Request bodies: the size limit, the JSON-object check, and deserialising an operation's request type
//! with every error naming the field (`serde_path_to_error` reports the failing path, which serde alone
//! does not: "invalid type: integer, expected a string at line 1 column 15").

use crate::error::ApiError;
use crate::values::printable;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Largest body accepted (bytes). Real requests are well under 8 KiB, tokens included.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Parses `body` as a JSON object. An empty body reads as `{}`, so routes without required fields accept it.
pub fn parse_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge {
            limit: MAX_BODY_BYTES,
        });
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::invalid("The request body is not valid UTF-8."))?;
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    // serde_json stops at 128 levels of nesting, so a deeply nested body is an error, not a stack overflow.
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::invalid("The request body must be a JSON object.")),
        Err(_) => Err(ApiError::invalid("The request body is not valid JSON.")),
    }
}

/// Deserialises `T` from the fields of a body; a failure is a 400 whose message names the field.
pub fn from_map<T: DeserializeOwned>(fields: Map<String, Value>) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(Value::Object(fields)).map_err(|err| {
        let path = err.path().to_string();
        ApiError::InvalidRequest(message(&path, &err.into_inner().to_string()))
    })
}

/// Our message for serde's error `inner` at `path` ("." for the body itself). Serde's own wording is
/// replaced by the contract's; the values' own messages ("must not be empty.") get the field in front.
fn message(path: &str, inner: &str) -> String {
    let at = |name: &str| {
        let name = printable(name);
        if path == "." || path.is_empty() {
            name
        } else {
            format!("{path}.{name}")
        }
    };
    if let Some(name) = quoted_after(inner, "missing field ") {
        return format!("`{}` is required.", at(name));
    }
    if inner.starts_with("unknown field ") {
        // The path already ends with the unknown field's name: the caller's own text, so cleaned.
        return format!("`{}` is not a recognised field.", printable(path));
    }
    if let Some(rest) = inner.strip_prefix("unknown variant ") {
        // serde says "expected `A`", "expected `A` or `B`" or "expected one of `A`, `B`, `C`".
        let choices = rest
            .split_once(", expected ")
            .map(|(_, list)| {
                let list = list.strip_prefix("one of ").unwrap_or(list);
                list.replace("` or `", ", ").replace('`', "")
            })
            .unwrap_or_default();
        return format!("`{path}` must be one of {choices}.");
    }
    if let Some(rest) = inner.strip_prefix("invalid type: ") {
        if rest.starts_with("null") {
            return format!("`{path}` is required.");
        }
        let expected = rest.split_once(", expected ").map_or("", |(_, e)| e);
        let expected = match expected {
            "a boolean" => "true or false (a JSON boolean)",
            "variant identifier" | "string or map" => "a string",
            "a map" => "a JSON object",
            other => other,
        };
        return format!("`{path}` must be {expected}.");
    }
    if path == "." || path.is_empty() {
        // Only our own values raise custom errors, and only for a field: nothing else reaches here.
        return "The request body is invalid.".into();
    }
    format!("`{path}` {inner}")
}

/// `name` in "<prefix>`name`...".
fn quoted_after<'a>(inner: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = inner.strip_prefix(prefix)?.strip_prefix('`')?;
    rest.split_once('`').map(|(name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::{AttributeList, AttributeMap, EditedAttribute, Username};
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Example {
        username: Username,
        enable_mfa: Option<bool>,
        attributes: Option<AttributeList<EditedAttribute>>,
        new_attributes: Option<AttributeMap>,
        method: Option<Method>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    enum Method {
        SmsMfa,
        SoftwareTokenMfa,
    }

    fn refused(body: &str) -> String {
        let fields = parse_object(body.as_bytes()).unwrap();
        match from_map::<Example>(fields).unwrap_err() {
            ApiError::InvalidRequest(m) => m,
            other => panic!("expected invalid_request, got {other:?}"),
        }
    }

    #[test]
    fn empty_bodies_read_as_objects_and_the_rest_must_be_one() {
        assert_eq!(refused("  "), "`username` is required.");
        let refusal = |b: &[u8]| match parse_object(b).unwrap_err() {
            ApiError::InvalidRequest(m) => m,
            _ => unreachable!(),
        };
        assert_eq!(refusal(b"[1]"), "The request body must be a JSON object.");
        assert_eq!(refusal(b"{\"a\":"), "The request body is not valid JSON.");
        assert_eq!(
            refusal(&[0xff, 0xfe]),
            "The request body is not valid UTF-8."
        );
        assert_eq!(
            parse_object(&vec![b' '; MAX_BODY_BYTES + 1]).unwrap_err(),
            ApiError::PayloadTooLarge {
                limit: MAX_BODY_BYTES
            }
        );
    }

    #[test]
    fn every_refusal_names_its_field() {
        for (body, message) in [
            (r#"{"username": null}"#, "`username` is required."),
            (r#"{"username": 5}"#, "`username` must be a string."),
            (r#"{"username": " "}"#, "`username` must not be empty."),
            (
                r#"{"username": "a b"}"#,
                "`username` must be 1 to 128 characters without spaces.",
            ),
            (
                r#"{"username": "a", "role": 1}"#,
                "`role` is not a recognised field.",
            ),
            (
                r#"{"username": "a", "enableMfa": "true"}"#,
                "`enableMfa` must be true or false (a JSON boolean).",
            ),
            (
                r#"{"username": "a", "method": "EMAIL"}"#,
                "`method` must be one of SMS_MFA, SOFTWARE_TOKEN_MFA.",
            ),
            (
                r#"{"username": "a", "method": 3}"#,
                "`method` must be a string.",
            ),
            (
                r#"{"username": "a", "attributes": {}}"#,
                "`attributes` must be a list of {\"Name\", \"Value\"} objects.",
            ),
            (
                r#"{"username": "a", "attributes": [1]}"#,
                "`attributes[0]` must be a {\"Name\", \"Value\"} object.",
            ),
            (
                r#"{"username": "a", "attributes": [{"Value": "x"}]}"#,
                "`attributes[0].Name` is required.",
            ),
            (
                r#"{"username": "a", "attributes": [{"Name": "name"}]}"#,
                "`attributes[0].Value` is required.",
            ),
            (
                r#"{"username": "a", "attributes": [{"Name": "a b", "Value": "x"}]}"#,
                "`attributes[0].Name` is not a valid attribute name.",
            ),
            (
                r#"{"username": "a", "attributes": [{"Name": "n", "Value": 1}]}"#,
                "`attributes[0].Value` must be a string.",
            ),
            (
                r#"{"username": "a", "attributes": [{"Name": "n", "Value": "x", "Extra": 1}]}"#,
                "`attributes[0].Extra` is not a recognised field.",
            ),
            (
                r#"{"username": "a", "attributes": [{"Name": "n", "Value": "x"}, {"Name": "n", "Value": null}]}"#,
                "`attributes` lists `n` twice.",
            ),
            (
                r#"{"username": "a", "newAttributes": []}"#,
                "`newAttributes` must be an object of attribute names to string values.",
            ),
            (
                r#"{"username": "a", "newAttributes": {"a b": "x"}}"#,
                "`newAttributes` has `a b`, which is not a valid attribute name.",
            ),
            (
                r#"{"username": "a", "newAttributes": {"name": 1}}"#,
                "`newAttributes.name` must be a string.",
            ),
        ] {
            assert_eq!(refused(body), message, "{body}");
        }
    }

    #[test]
    fn null_or_empty_values_delete_and_a_missing_one_is_refused() {
        let fields = parse_object(
            br#"{"username": "a", "attributes": [{"Name": "a", "Value": null}, {"Name": "b", "Value": ""}, {"Name": "c", "Value": "x"}]}"#,
        )
        .unwrap();
        let example: Example = from_map(fields).unwrap();
        let values: Vec<bool> = example
            .attributes
            .unwrap()
            .0
            .iter()
            .map(|a| a.value.is_some())
            .collect();
        assert_eq!(values, [false, false, true]);
    }

    #[test]
    fn echoed_field_names_are_cut_and_cleaned() {
        let long = "x".repeat(200);
        let message = refused(&format!(r#"{{"username": "a", "{long}\u0007": 1}}"#));
        assert!(
            message.len() < 120 && !message.contains('\u{7}'),
            "{message}"
        );
    }
}
