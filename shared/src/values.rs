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

/// What the OpenAPI document says of a string value: its bounds and pattern (in characters, as the
/// checks count).
#[cfg(feature = "openapi")]
#[derive(Clone, Copy)]
struct StringSchema {
    min: Option<usize>,
    max: Option<usize>,
    pattern: Option<&'static str>,
}

/// Non-empty, not blank, at most `MAX_FIELD_CHARS`: the rule of every opaque string field.
#[cfg(feature = "openapi")]
const TEXT_SCHEMA: StringSchema = StringSchema {
    min: Some(1),
    max: Some(MAX_FIELD_CHARS),
    pattern: Some(r"\S"),
};

#[cfg(feature = "openapi")]
impl StringSchema {
    fn build(self, doc: &[&str]) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let description = doc
            .iter()
            .map(|line| line.trim())
            .collect::<Vec<_>>()
            .join(" ");
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description((!description.is_empty()).then_some(description))
            .min_length(self.min)
            .max_length(self.max)
            .pattern(self.pattern)
            .into()
    }
}

/// Declares a string newtype: `$check` validates it; `secret` types print no value in `Debug`. The
/// `schema` is what the OpenAPI document says of it (feature `openapi`): its length bounds and pattern,
/// next to the check they describe; the doc comment is its description.
macro_rules! string_value {
    ($(#[doc = $doc:literal])* $name:ident, $check:expr, secret, $schema:expr) => {
        string_value!(@define $(#[doc = $doc])* $name, $check, $schema);
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
    ($(#[doc = $doc:literal])* $name:ident, $check:expr, public, $schema:expr) => {
        string_value!(@define $(#[doc = $doc])* $name, $check, $schema);
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.0).finish()
            }
        }
    };
    (@define $(#[doc = $doc:literal])* $name:ident, $check:expr, $schema:expr) => {
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let schema: StringSchema = $schema;
                schema.build(&[$($doc),*])
            }
        }
        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        $(#[doc = $doc])*
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
    secret,
    StringSchema {
        min: Some(1),
        max: Some(128),
        pattern: Some(r"^[^\s\x00-\x1F\x7F-\x9F]+$"),
    }
);

string_value!(
    /// A password: 1 to 256 characters, no leading or trailing white space (Cognito's own rule; the
    /// pool's password policy applies on top: 400 `invalid_password`).
    Password,
    |v| {
        text(v, MAX_FIELD_CHARS)?;
        if v.chars().count() > 256 || v.trim() != v {
            return Err("must be 1 to 256 characters without leading or trailing spaces.".into());
        }
        Ok(())
    },
    secret,
    StringSchema {
        min: Some(1),
        max: Some(256),
        pattern: Some(r"^\S([\s\S]*\S)?$"),
    }
);

string_value!(
    /// A password as the caller typed it, checked only for presence (the current password at
    /// /password/change and /account/delete: Cognito is the judge of it).
    CurrentPassword,
    |v| text(v, MAX_FIELD_CHARS),
    secret,
    TEXT_SCHEMA
);

string_value!(
    /// A one-time code (confirmation, MFA, password reset, TOTP): opaque, passed to Cognito as it is.
    Code,
    |v| text(v, MAX_FIELD_CHARS),
    secret,
    TEXT_SCHEMA
);

string_value!(
    /// Cognito's `Session` of a login in progress, opaque to the app.
    LoginSession,
    |v| text(v, MAX_FIELD_CHARS),
    secret,
    TEXT_SCHEMA
);

string_value!(
    /// An access, ID or refresh token as the caller sent it (its checks come later: see `credentials`).
    Token,
    |v| text(v, MAX_FIELD_CHARS),
    secret,
    TEXT_SCHEMA
);

string_value!(
    /// A short free text (a device name, say).
    Text,
    |v| text(v, MAX_FIELD_CHARS),
    public,
    TEXT_SCHEMA
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
    secret,
    StringSchema {
        min: None,
        max: None,
        pattern: Some(r"^\+[1-9][0-9]{1,14}$"),
    }
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
    public,
    StringSchema {
        min: Some(1),
        max: Some(64),
        pattern: Some("^[A-Za-z0-9_:.-]+$"),
    }
);

/// The request of a 🔑 route that takes no fields of its own: only body credentials (or none, with the
/// `Authorization` header), `{}` or an empty body. (`Credentials` in the OpenAPI document.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = Credentials))]
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

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for AttributeValue {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        StringSchema {
            min: Some(1),
            max: Some(MAX_ATTRIBUTE_VALUE_CHARS),
            pattern: None,
        }
        .build(&["An attribute value to store: 1 to 2048 characters."])
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for AttributeValue {}

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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AttributeInput))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, expecting = "a {\"Name\", \"Value\"} object")]
pub struct EditedAttribute {
    /// A standard attribute (see the route) or a `custom:` / `dev:` one.
    #[serde(rename = "Name")]
    #[cfg_attr(feature = "openapi", schema(schema_with = editable_attribute_name))]
    pub name: AttributeName,
    /// The new value; an explicit empty string or `null` deletes the attribute. Required, so a
    /// forgotten `Value` never deletes anything.
    #[serde(rename = "Value", deserialize_with = "value_or_delete")]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<String>, max_length = 2048, required = true)
    )]
    pub value: Option<AttributeValue>,
}

/// The standard attributes /profile/edit changes (the others are read-only or have their own route).
pub const EDITABLE_STANDARD_ATTRIBUTES: [&str; 16] = [
    "address",
    "birthdate",
    "email",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "picture",
    "preferred_username",
    "profile",
    "updated_at",
    "website",
    "zoneinfo",
];

/// `EditedAttribute.Name`: an `AttributeName` that is an editable standard attribute or `custom:` /
/// `dev:` prefixed (the handler's check, documented).
#[cfg(feature = "openapi")]
fn editable_attribute_name() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{AllOfBuilder, AnyOfBuilder, ObjectBuilder, Ref, SchemaType};
    use utoipa::ToSchema;
    let editable = AnyOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(SchemaType::AnyValue)
                .enum_values(Some(EDITABLE_STANDARD_ATTRIBUTES)),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(SchemaType::AnyValue)
                .pattern(Some("^(custom|dev):")),
        );
    AllOfBuilder::new()
        .item(Ref::from_schema_name(AttributeName::name()))
        .item(editable)
        .description(Some(
            "A standard attribute (see the route) or a `custom:` / `dev:` one.",
        ))
        .into()
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

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for AttributeMap {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        // `propertyNames` must be a schema, not a reference, in utoipa's model: the name's own schema.
        let names = match AttributeName::schema() {
            utoipa::openapi::RefOr::T(schema) => schema,
            utoipa::openapi::RefOr::Ref(_) => unreachable!("AttributeName's schema is inline"),
        };
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "Attribute values by plain attribute name (each at most 2048 characters).",
            ))
            .property_names(Some(names))
            .additional_properties(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .max_length(Some(MAX_ATTRIBUTE_VALUE_CHARS)),
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for AttributeMap {}

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
