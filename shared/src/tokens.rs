//! Token responses and the few JWT claims we read. We never verify signatures here: Cognito does that on
//! every call that takes a token. We only read `exp` (to report expiries and to refuse an expired access
//! token before spending a Cognito call on it) and `token_use`.

use base64::Engine;
use serde_json::Value;

/// The claims of a JWT's payload, without checking its signature. `None` when it is not a JWT.
pub fn unverified_claims(jwt: &str) -> Option<serde_json::Map<String, Value>> {
    match serde_json::from_slice(&payload(jwt)?).ok()? {
        Value::Object(claims) => Some(claims),
        _ => None,
    }
}

/// The `exp` claim (epoch seconds). Every login decodes two tokens for it, so it reads that one claim
/// into a typed struct and skips the rest, instead of building a map of every claim: about 5% of a
/// warm login's instructions went to the map (callgrind, BENCHMARKS.md "Warm CPU").
pub fn expiry(jwt: &str) -> Option<i64> {
    #[derive(serde::Deserialize)]
    struct Expiry {
        exp: i64,
    }
    let bytes = payload(jwt)?;
    // A derived struct would also accept a JSON array (`[exp]`); claims are an object.
    if bytes.trim_ascii_start().first() != Some(&b'{') {
        return None;
    }
    serde_json::from_slice::<Expiry>(&bytes).ok().map(|e| e.exp)
}

/// A JWT's payload, base64url-decoded. `None` when it is not three dot-separated parts.
fn payload(jwt: &str) -> Option<Vec<u8>> {
    let mut parts = jwt.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()
}

pub fn now_epoch_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// An unsigned JWT with the given claims, for tests.
    pub(crate) fn jwt(claims: Value) -> String {
        let enc =
            |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.sig", enc(&json!({"alg": "RS256"})), enc(&claims))
    }

    #[test]
    fn reads_exp_and_rejects_non_jwts() {
        assert_eq!(
            expiry(&jwt(json!({"exp": 1700000000}))),
            Some(1_700_000_000)
        );
        assert_eq!(expiry("not-a-jwt"), None);
        assert_eq!(expiry("a.b.c.d"), None);
        assert_eq!(expiry("a.!!!.c"), None);
        assert_eq!(expiry(&jwt(json!([1]))), None);
        // The other claims are skipped, whatever they hold; `exp` must be an integer.
        let claims = json!({"sub": "x", "nested": {"a": [1, 2]}, "exp": 42, "token_use": "id"});
        assert_eq!(expiry(&jwt(claims)), Some(42));
        assert_eq!(expiry(&jwt(json!({"exp": "42"}))), None);
        assert_eq!(expiry(&jwt(json!({"exp": 4.2}))), None);
        assert_eq!(expiry(&jwt(json!({"sub": "x"}))), None);
    }
}
