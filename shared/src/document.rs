//! The one place where the SDK's `Document` (WebAuthn options and credentials) meets JSON: Cognito's
//! StartWebAuthnRegistration answers a Document, CompleteWebAuthnRegistration takes one, and the browser
//! speaks JSON. A building block.

use aws_smithy_types::{Document, Number};
use serde_json::{Map, Value};

pub fn to_json(document: &Document) -> Value {
    match document {
        Document::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| (key.clone(), to_json(value)))
                .collect::<Map<String, Value>>(),
        ),
        Document::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Document::Number(Number::PosInt(n)) => Value::from(*n),
        Document::Number(Number::NegInt(n)) => Value::from(*n),
        // A non-finite float has no JSON form; Cognito never sends one.
        Document::Number(Number::Float(f)) => serde_json::Number::from_f64(*f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        Document::String(s) => Value::String(s.clone()),
        Document::Bool(b) => Value::Bool(*b),
        Document::Null => Value::Null,
    }
}

pub fn from_json(value: &Value) -> Document {
    match value {
        Value::Object(map) => Document::Object(
            map.iter()
                .map(|(key, value)| (key.clone(), from_json(value)))
                .collect(),
        ),
        Value::Array(items) => Document::Array(items.iter().map(from_json).collect()),
        Value::Number(n) => Document::Number(if let Some(u) = n.as_u64() {
            Number::PosInt(u)
        } else if let Some(i) = n.as_i64() {
            Number::NegInt(i)
        } else {
            Number::Float(n.as_f64().unwrap_or(0.0))
        }),
        Value::String(s) => Document::String(s.clone()),
        Value::Bool(b) => Document::Bool(*b),
        Value::Null => Document::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_round_trips_through_a_document() {
        let value = json!({
            "challenge": "q1w2e3",
            "rp": {"id": "example.com", "name": "Example"},
            "pubKeyCredParams": [{"type": "public-key", "alg": -7}, {"type": "public-key", "alg": -257}],
            "timeout": 60000,
            "ratio": 0.5,
            "excludeCredentials": [],
            "hints": null,
            "extensions": {"credProps": true}
        });
        let document = from_json(&value);
        assert!(matches!(&document, Document::Object(m) if m.len() == 8));
        assert_eq!(to_json(&document), value);
    }
}
