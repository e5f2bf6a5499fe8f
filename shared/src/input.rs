//! Request bodies: size limit, JSON object check, and typed field access whose every error names the field.
//!
//! Hand-written rather than serde-derived structs on purpose: serde's type errors do not name the field
//! ("invalid type: integer, expected a string at line 1 column 15"), and the contract wants each 400 to
//! say which field is wrong.

use crate::error::ApiError;
use serde_json::{Map, Value};

/// Largest body accepted (bytes). Real requests are well under 8 KiB, tokens included.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Longest value of any single string field: tokens and sessions are a few KiB at most.
const MAX_FIELD_CHARS: usize = 8 * 1024;

/// A parsed JSON object body, restricted to the fields an operation knows.
#[derive(Debug)]
pub struct Fields {
    map: Map<String, Value>,
}

/// One user attribute in Cognito's `{Name, Value}` shape. `value` is `None` when the caller sent null or an
/// empty string (which `/profile/edit` treats as "delete").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeInput {
    pub name: String,
    pub value: Option<String>,
}

impl Fields {
    /// Parses `body` as a JSON object. An empty body reads as `{}`, so routes without required fields
    /// accept it. Fields outside `allowed` are rejected by name.
    pub fn parse(body: &[u8], allowed: &[&str]) -> Result<Fields, ApiError> {
        let fields = Fields::parse_unrestricted(body)?;
        fields.restrict(allowed)?;
        Ok(fields)
    }

    /// Parses without checking field names yet (credentials are read before the rest of the body).
    pub fn parse_unrestricted(body: &[u8]) -> Result<Fields, ApiError> {
        Ok(Fields {
            map: parse_object(body)?,
        })
    }

    /// Rejects, by name, the first field outside `allowed`.
    pub fn restrict(&self, allowed: &[&str]) -> Result<&Fields, ApiError> {
        match self.map.keys().find(|key| !allowed.contains(&key.as_str())) {
            Some(unknown) => Err(ApiError::invalid(format!(
                "`{}` is not a recognised field.",
                printable(unknown)
            ))),
            None => Ok(self),
        }
    }

    fn present(&self, name: &str) -> Option<&Value> {
        self.map.get(name).filter(|value| !value.is_null())
    }

    /// Whether the field was sent with a non-null value.
    pub fn has(&self, name: &str) -> bool {
        self.present(name).is_some()
    }

    /// Whether the field was sent at all, `null` included.
    pub fn sent(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    pub fn required_str(&self, name: &str) -> Result<&str, ApiError> {
        self.optional_str(name)?
            .ok_or_else(|| ApiError::invalid(format!("`{name}` is required.")))
    }

    /// A non-empty string, or `None` when absent or null.
    pub fn optional_str(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.present(name) {
            None => Ok(None),
            Some(Value::String(s)) => check_string(name, s).map(Some),
            Some(_) => Err(ApiError::invalid(format!("`{name}` must be a string."))),
        }
    }

    pub fn required_bool(&self, name: &str) -> Result<bool, ApiError> {
        match self.present(name) {
            None => Err(ApiError::invalid(format!("`{name}` is required."))),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(ApiError::invalid(format!(
                "`{name}` must be true or false (a JSON boolean)."
            ))),
        }
    }

    /// A string that must be a Cognito username: 1 to 128 characters, no white space or control characters.
    pub fn username(&self, name: &str) -> Result<&str, ApiError> {
        let value = self.required_str(name)?;
        if value.chars().count() > 128 || value.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(ApiError::invalid(format!(
                "`{name}` must be 1 to 128 characters without spaces."
            )));
        }
        Ok(value)
    }

    /// An optional username: absent or `null` is `None`; otherwise the same rule as `username`.
    pub fn optional_username(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.present(name) {
            None => Ok(None),
            Some(_) => self.username(name).map(Some),
        }
    }

    /// A password: 1 to 256 characters, no leading or trailing white space (Cognito's own rule).
    pub fn password(&self, name: &str) -> Result<&str, ApiError> {
        let value = self.required_str(name)?;
        if value.chars().count() > 256 || value.trim() != value {
            return Err(ApiError::invalid(format!(
                "`{name}` must be 1 to 256 characters without leading or trailing spaces."
            )));
        }
        Ok(value)
    }

    /// `[{"Name": "...", "Value": "..."}]`. With `allow_empty_values`, a null or empty `Value` is kept as
    /// `None`; otherwise it is an error naming the attribute.
    pub fn attribute_list(
        &self,
        name: &str,
        allow_empty_values: bool,
    ) -> Result<Option<Vec<AttributeInput>>, ApiError> {
        let Some(value) = self.present(name) else {
            return Ok(None);
        };
        let Value::Array(items) = value else {
            return Err(ApiError::invalid(format!(
                "`{name}` must be a list of {{\"Name\", \"Value\"}} objects."
            )));
        };
        let mut attributes = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let Value::Object(entry) = item else {
                return Err(ApiError::invalid(format!(
                    "`{name}[{index}]` must be a {{\"Name\", \"Value\"}} object."
                )));
            };
            if let Some(extra) = entry.keys().find(|k| *k != "Name" && *k != "Value") {
                return Err(ApiError::invalid(format!(
                    "`{name}[{index}].{}` is not a recognised field.",
                    printable(extra)
                )));
            }
            let attribute_name = match entry.get("Name") {
                Some(Value::String(s)) => {
                    check_attribute_name(&format!("{name}[{index}].Name"), s)?
                }
                Some(_) => {
                    return Err(ApiError::invalid(format!(
                        "`{name}[{index}].Name` must be a string."
                    )))
                }
                None => {
                    return Err(ApiError::invalid(format!(
                        "`{name}[{index}].Name` is required."
                    )))
                }
            };
            let attribute_value = match entry.get("Value") {
                Some(Value::String(s)) if !s.is_empty() => {
                    Some(check_length(&format!("{name}[{index}].Value"), s, 2048)?.to_owned())
                }
                // Only an explicit null or "" deletes: a forgotten `Value` must not erase data.
                Some(Value::String(_)) | Some(Value::Null) if allow_empty_values => None,
                None if allow_empty_values => {
                    return Err(ApiError::invalid(format!(
                        "`{name}[{index}].Value` is required: a string, or null or \"\" to delete the attribute."
                    )))
                }
                Some(Value::String(_)) | Some(Value::Null) | None => {
                    return Err(ApiError::invalid(format!(
                        "`{name}[{index}].Value` is required."
                    )))
                }
                Some(_) => {
                    return Err(ApiError::invalid(format!(
                        "`{name}[{index}].Value` must be a string."
                    )))
                }
            };
            if attributes
                .iter()
                .any(|a: &AttributeInput| a.name == attribute_name)
            {
                return Err(ApiError::invalid(format!(
                    "`{name}` lists `{attribute_name}` twice."
                )));
            }
            attributes.push(AttributeInput {
                name: attribute_name.to_owned(),
                value: attribute_value,
            });
        }
        Ok(Some(attributes))
    }

    /// `{"name": "value", ...}` with string values (the original's `attributes` map on new-password).
    pub fn string_map(&self, name: &str) -> Result<Option<Vec<(String, String)>>, ApiError> {
        let Some(value) = self.present(name) else {
            return Ok(None);
        };
        let Value::Object(entries) = value else {
            return Err(ApiError::invalid(format!(
                "`{name}` must be an object of attribute names to string values."
            )));
        };
        entries
            .iter()
            .map(|(key, value)| {
                let key = check_attribute_name(&format!("{name}.{}", printable(key)), key)?;
                match value {
                    Value::String(s) => Ok((
                        key.to_owned(),
                        check_length(&format!("{name}.{key}"), s, 2048)?.to_owned(),
                    )),
                    _ => Err(ApiError::invalid(format!(
                        "`{name}.{key}` must be a string."
                    ))),
                }
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }
}

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
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

fn check_string<'a>(name: &str, value: &'a str) -> Result<&'a str, ApiError> {
    if value.trim().is_empty() {
        return Err(ApiError::invalid(format!("`{name}` must not be empty.")));
    }
    check_length(name, value, MAX_FIELD_CHARS)
}

fn check_length<'a>(name: &str, value: &'a str, max_chars: usize) -> Result<&'a str, ApiError> {
    if value.chars().count() > max_chars {
        return Err(ApiError::invalid(format!(
            "`{name}` is longer than {max_chars} characters."
        )));
    }
    Ok(value)
}

/// Attribute names: Cognito allows up to 32 characters after an optional `custom:`/`dev:` prefix.
fn check_attribute_name<'a>(field: &str, value: &'a str) -> Result<&'a str, ApiError> {
    let valid = !value.is_empty()
        && value.len() <= 64
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '-' | '.'));
    if valid {
        Ok(value)
    } else {
        Err(ApiError::invalid(format!(
            "`{field}` is not a valid attribute name."
        )))
    }
}

/// Field names echoed back in messages are the caller's own input: cut them short and drop control
/// characters so an error message can never be used to reflect arbitrary content.
fn printable(name: &str) -> String {
    let clean: String = name.chars().filter(|c| !c.is_control()).take(64).collect();
    if clean.chars().count() < name.chars().count() {
        format!("{clean}…")
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(result: Result<impl std::fmt::Debug, ApiError>) -> String {
        match result.unwrap_err() {
            ApiError::InvalidRequest(m) => m,
            other => panic!("expected invalid_request, got {other:?}"),
        }
    }

    #[test]
    fn empty_body_is_an_empty_object() {
        let fields = Fields::parse(b"  ", &["username"]).unwrap();
        assert_eq!(
            message(fields.required_str("username")),
            "`username` is required."
        );
    }

    #[test]
    fn non_objects_and_bad_json_are_rejected() {
        assert_eq!(
            message(Fields::parse(b"[1]", &[])),
            "The request body must be a JSON object."
        );
        assert_eq!(
            message(Fields::parse(b"{\"a\":", &[])),
            "The request body is not valid JSON."
        );
        assert_eq!(
            message(Fields::parse(&[0xff, 0xfe], &[])),
            "The request body is not valid UTF-8."
        );
        let deep = "[".repeat(10_000);
        assert_eq!(
            message(Fields::parse(deep.as_bytes(), &[])),
            "The request body is not valid JSON."
        );
    }

    #[test]
    fn oversized_body_is_413() {
        let body = vec![b' '; MAX_BODY_BYTES + 1];
        assert_eq!(
            Fields::parse(&body, &[]).unwrap_err(),
            ApiError::PayloadTooLarge {
                limit: MAX_BODY_BYTES
            }
        );
    }

    #[test]
    fn unknown_fields_are_named() {
        let err = message(Fields::parse(
            br#"{"username":"a","admin":true}"#,
            &["username"],
        ));
        assert_eq!(err, "`admin` is not a recognised field.");
    }

    #[test]
    fn strings_are_typed_non_empty_and_bounded() {
        let fields = Fields::parse(
            br#"{"a":1,"b":"","c":"  ","d":null,"e":"ok"}"#,
            &["a", "b", "c", "d", "e"],
        )
        .unwrap();
        assert_eq!(message(fields.required_str("a")), "`a` must be a string.");
        assert_eq!(message(fields.required_str("b")), "`b` must not be empty.");
        assert_eq!(message(fields.required_str("c")), "`c` must not be empty.");
        assert_eq!(message(fields.required_str("d")), "`d` is required.");
        assert_eq!(fields.required_str("e").unwrap(), "ok");
        assert_eq!(fields.optional_str("d").unwrap(), None);
        let long = format!(r#"{{"a":"{}"}}"#, "x".repeat(MAX_FIELD_CHARS + 1));
        let fields = Fields::parse(long.as_bytes(), &["a"]).unwrap();
        assert!(message(fields.required_str("a")).contains("longer than"));
    }

    #[test]
    fn usernames_and_passwords_follow_cognito_rules() {
        let fields = Fields::parse(
            br#"{"u":"has space","p":" pad","q":"fine P4ss!"}"#,
            &["u", "p", "q"],
        )
        .unwrap();
        assert!(message(fields.username("u")).starts_with("`u` must be 1 to 128"));
        assert!(message(fields.password("p")).starts_with("`p` must be 1 to 256"));
        assert_eq!(fields.password("q").unwrap(), "fine P4ss!");
    }

    #[test]
    fn booleans_must_be_json_booleans() {
        let fields = Fields::parse(br#"{"t":true,"s":"true"}"#, &["t", "s"]).unwrap();
        assert!(fields.required_bool("t").unwrap());
        assert!(message(fields.required_bool("s")).starts_with("`s` must be true or false"));
        assert_eq!(message(fields.required_bool("x")), "`x` is required.");
    }

    #[test]
    fn attribute_lists_are_checked_entry_by_entry() {
        let parse = |body: &str, allow_empty| {
            Fields::parse(body.as_bytes(), &["attributes"])
                .unwrap()
                .attribute_list("attributes", allow_empty)
        };
        let ok = parse(r#"{"attributes":[{"Name":"email","Value":"a@b.c"},{"Name":"custom:team","Value":""}]}"#, true)
            .unwrap()
            .unwrap();
        assert_eq!(
            ok[1],
            AttributeInput {
                name: "custom:team".into(),
                value: None
            }
        );
        assert_eq!(
            message(parse(r#"{"attributes":{}}"#, true)),
            "`attributes` must be a list of {\"Name\", \"Value\"} objects."
        );
        assert_eq!(
            message(parse(r#"{"attributes":[{"Value":"x"}]}"#, true)),
            "`attributes[0].Name` is required."
        );
        assert_eq!(
            message(parse(
                r#"{"attributes":[{"Name":"a b","Value":"x"}]}"#,
                true
            )),
            "`attributes[0].Name` is not a valid attribute name."
        );
        assert_eq!(
            message(parse(
                r#"{"attributes":[{"Name":"email","Value":3}]}"#,
                true
            )),
            "`attributes[0].Value` must be a string."
        );
        assert_eq!(
            message(parse(
                r#"{"attributes":[{"Name":"email","Value":null}]}"#,
                false
            )),
            "`attributes[0].Value` is required."
        );
        assert_eq!(
            message(parse(
                r#"{"attributes":[{"Name":"email","Value":"x","Extra":1}]}"#,
                true
            )),
            "`attributes[0].Extra` is not a recognised field."
        );
        assert!(message(parse(
            r#"{"attributes":[{"Name":"email","Value":"x"},{"Name":"email","Value":"y"}]}"#,
            true
        ))
        .contains("twice"));
    }

    #[test]
    fn string_maps_need_string_values() {
        let fields = Fields::parse(br#"{"m":{"name":"Ann","age":3}}"#, &["m"]).unwrap();
        assert_eq!(message(fields.string_map("m")), "`m.age` must be a string.");
        let fields = Fields::parse(br#"{"m":{"name":"Ann"}}"#, &["m"]).unwrap();
        assert_eq!(
            fields.string_map("m").unwrap().unwrap(),
            vec![("name".to_owned(), "Ann".to_owned())]
        );
    }

    #[test]
    fn echoed_field_names_are_cut_and_cleaned() {
        let body = format!(r#"{{"{}\u0007":1}}"#, "k".repeat(100));
        let err = message(Fields::parse(body.as_bytes(), &[]));
        assert!(err.chars().count() < 100 && !err.contains('\u{7}'));
    }
}
