//! Parse, don't validate: the values a request may carry, each checked once, where the request enters.
//! An operation that holds a `Username` or a `PhoneNumber` holds a valid one and cannot forget a check.
//!
//! Each type deserialises from a JSON string and refuses anything else with a message *about the field*
//! ("must not be empty."); `body` puts the field's path in front of it (`` `username` must not be
//! empty. ``). The `Debug` of anything secret, or personal, prints no value: a request can be logged with
//! `{:?}` without leaking a password, code, token, session or username.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// Longest value of any single string field: tokens and sessions are a few KiB at most.
pub const MAX_FIELD_CHARS: usize = 8 * 1024;

/// Longest attribute value Cognito stores.
pub const MAX_ATTRIBUTE_VALUE_CHARS: usize = 2048;

/// A non-empty string of at most `max` characters (blank counts as empty).
fn text(value: &str, max: usize) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err("must not be empty.".into());
    }
    if value.chars().count() > max {
        return Err(format!("is longer than {max} characters."));
    }
    Ok(())
}

/// Declares a string newtype: `$check` validates it; `secret` types print no value in `Debug`.
macro_rules! string_value {
    ($(#[$doc:meta])* $name:ident, $check:expr, secret) => {
        string_value!(@define $(#[$doc])* $name, $check);
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
    ($(#[$doc:meta])* $name:ident, $check:expr, public) => {
        string_value!(@define $(#[$doc])* $name, $check);
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.0).finish()
            }
        }
    };
    (@define $(#[$doc:meta])* $name:ident, $check:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// Checks `value`; the error is the message about the field.
            pub fn parse(value: impl Into<String>) -> Result<$name, String> {
                let value = value.into();
                let check: fn(&str) -> Result<(), String> = $check;
                check(&value)?;
                Ok($name(value))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                let value = String::deserialize(deserializer)?;
                $name::parse(value).map_err(de::Error::custom)
            }
        }
    };
}

string_value!(
    /// A Cognito username (or alias): 1 to 128 characters, no white space or control characters.
    Username,
    |v| {
        text(v, MAX_FIELD_CHARS)?;
        if v.chars().count() > 128 || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("must be 1 to 128 characters without spaces.".into());
        }
        Ok(())
    },
    secret
);

string_value!(
    /// A password: 1 to 256 characters, no leading or trailing white space (Cognito's own rule).
    Password,
    |v| {
        text(v, MAX_FIELD_CHARS)?;
        if v.chars().count() > 256 || v.trim() != v {
            return Err("must be 1 to 256 characters without leading or trailing spaces.".into());
        }
        Ok(())
    },
    secret
);

string_value!(
    /// A password as the caller typed it, checked only for presence (the current password at
    /// /password/change and /account/delete: Cognito is the judge of it).
    CurrentPassword,
    |v| text(v, MAX_FIELD_CHARS),
    secret
);

string_value!(
    /// A one-time code (confirmation, MFA, password reset, TOTP): opaque, passed to Cognito as it is.
    Code,
    |v| text(v, MAX_FIELD_CHARS),
    secret
);

string_value!(
    /// Cognito's `Session` of a login in progress, opaque to the app.
    LoginSession,
    |v| text(v, MAX_FIELD_CHARS),
    secret
);

string_value!(
    /// An access, ID or refresh token as the caller sent it (its checks come later: see `credentials`).
    Token,
    |v| text(v, MAX_FIELD_CHARS),
    secret
);

string_value!(
    /// A short free text (a device name, say).
    Text,
    |v| text(v, MAX_FIELD_CHARS),
    public
);

string_value!(
    /// A phone number in E.164 form: a plus, a non-zero digit, then 1 to 14 more digits.
    PhoneNumber,
    |v| {
        if is_e164(v) {
            Ok(())
        } else {
            Err("must be in E.164 form, like +14155550123.".into())
        }
    },
    secret
);

string_value!(
    /// A user attribute's name: up to 64 of letters, digits, `_`, `:`, `-` and `.` (Cognito allows 32
    /// after an optional `custom:` / `dev:` prefix).
    AttributeName,
    |v| {
        let valid = !v.is_empty()
            && v.len() <= 64
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '-' | '.'));
        if valid {
            Ok(())
        } else {
            Err("is not a valid attribute name.".into())
        }
    },
    public
);

/// The request of a route that takes no fields of its own (credentials aside): `{}` or an empty body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoFields {}

/// E.164: a plus, a non-zero digit, then 1 to 14 more digits.
pub fn is_e164(number: &str) -> bool {
    let Some(digits) = number.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

/// An attribute value to store: a non-empty string of at most 2048 characters.
#[derive(Clone, PartialEq, Eq)]
pub struct AttributeValue(String);

impl AttributeValue {
    fn parse(value: String) -> Result<AttributeValue, String> {
        if value.is_empty() {
            return Err("is required.".into());
        }
        if value.chars().count() > MAX_ATTRIBUTE_VALUE_CHARS {
            return Err(format!(
                "is longer than {MAX_ATTRIBUTE_VALUE_CHARS} characters."
            ));
        }
        Ok(AttributeValue(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Debug for AttributeValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Attribute values are personal data (email, name, address).
        f.write_str("AttributeValue(<redacted>)")
    }
}

impl<'de> Deserialize<'de> for AttributeValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<AttributeValue, D::Error> {
        AttributeValue::parse(String::deserialize(deserializer)?).map_err(de::Error::custom)
    }
}

/// One attribute to store, in Cognito's `{Name, Value}` shape.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a {\"Name\", \"Value\"} object")]
pub struct Attribute {
    #[serde(rename = "Name")]
    pub name: AttributeName,
    #[serde(rename = "Value")]
    pub value: AttributeValue,
}

/// One attribute to change at /profile/edit: `Value` is required, and an explicit `null` or `""` means
/// "delete" (`None`), so that a forgotten `Value` never erases anything.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a {\"Name\", \"Value\"} object")]
pub struct EditedAttribute {
    #[serde(rename = "Name")]
    pub name: AttributeName,
    #[serde(rename = "Value", deserialize_with = "value_or_delete")]
    pub value: Option<AttributeValue>,
}

/// `null` or `""` is `None`; a string is a value to store. No `default`: the key itself is required.
fn value_or_delete<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<AttributeValue>, D::Error> {
    match Option::<String>::deserialize(deserializer)? {
        None => Ok(None),
        Some(s) if s.is_empty() => Ok(None),
        Some(s) => AttributeValue::parse(s)
            .map(Some)
            .map_err(de::Error::custom),
    }
}

/// What `Attribute` and `EditedAttribute` share for the list check.
pub trait Named {
    fn name(&self) -> &AttributeName;
}

impl Named for Attribute {
    fn name(&self) -> &AttributeName {
        &self.name
    }
}

impl Named for EditedAttribute {
    fn name(&self) -> &AttributeName {
        &self.name
    }
}

/// A list of `{Name, Value}` objects, each name at most once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeList<T>(pub Vec<T>);

impl<'de, T: Deserialize<'de> + Named> Deserialize<'de> for AttributeList<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<AttributeList<T>, D::Error> {
        struct Items<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Items<T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of {\"Name\", \"Value\"} objects")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(items)
            }
        }
        let items: Vec<T> = deserializer.deserialize_seq(Items(std::marker::PhantomData))?;
        for (index, item) in items.iter().enumerate() {
            if items[..index]
                .iter()
                .any(|other| other.name() == item.name())
            {
                return Err(de::Error::custom(format!(
                    "lists `{}` twice.",
                    item.name().as_str()
                )));
            }
        }
        Ok(AttributeList(items))
    }
}

/// `{"name": "value", ...}` (the original's `attributes` map at /login/new-password), plain names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttributeMap(pub Vec<(AttributeName, AttributeValue)>);

impl<'de> Deserialize<'de> for AttributeMap {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<AttributeMap, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = AttributeMap;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of attribute names to string values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AttributeMap, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let name = AttributeName::parse(key.clone()).map_err(|_| {
                        de::Error::custom(format!(
                            "has `{}`, which is not a valid attribute name.",
                            printable(&key)
                        ))
                    })?;
                    entries.push((name, map.next_value()?));
                }
                Ok(AttributeMap(entries))
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

/// Text of the caller's own input echoed in a message: cut short, without control characters, so an
/// error message can never reflect arbitrary content.
pub fn printable(text: &str) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control()).take(64).collect();
    if clean.chars().count() < text.chars().count() {
        format!("{clean}…")
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_numbers() {
        for ok in ["+14155550123", "+447911123456", "+12"] {
            assert!(is_e164(ok), "{ok}");
        }
        for bad in [
            "14155550123",
            "+0123",
            "+1 415 555",
            "+1234567890123456",
            "+",
            "+1a",
        ] {
            assert!(!is_e164(bad), "{bad}");
        }
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let password = Password::parse("Hunter2-Passw0rd!").unwrap();
        let code = Code::parse("123456").unwrap();
        let session = LoginSession::parse("AYABeSession").unwrap();
        let username = Username::parse("alice@example.com").unwrap();
        let shown = format!("{password:?} {code:?} {session:?} {username:?}");
        for secret in ["Hunter2", "123456", "AYABe", "alice"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn rules_of_each_value() {
        assert_eq!(Username::parse(" ").unwrap_err(), "must not be empty.");
        assert!(Username::parse("a b").unwrap_err().contains("128"));
        assert!(Username::parse("a".repeat(129)).is_err());
        assert!(Password::parse(" leading").unwrap_err().contains("leading"));
        assert!(Password::parse("x".repeat(257)).is_err());
        assert_eq!(
            Code::parse("x".repeat(MAX_FIELD_CHARS + 1)).unwrap_err(),
            "is longer than 8192 characters."
        );
        assert!(AttributeName::parse("a b").is_err());
        assert!(AttributeName::parse("custom:team").is_ok());
        assert!(PhoneNumber::parse("0415").is_err());
    }
}
