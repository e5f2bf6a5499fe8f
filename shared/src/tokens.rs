//! Token responses and the few JWT claims we read. We never verify signatures here: Cognito does that on
//! every call that takes a token. We only read `exp` (to report expiries and to refuse an expired access
//! token before spending a Cognito call on it) and `token_use`.

use base64::Engine;
use serde_json::Value;

/// The claims of a JWT's payload, without checking its signature. `None` when it is not a JWT.
pub fn unverified_claims(jwt: &str) -> Option<serde_json::Map<String, Value>> {
    let mut parts = jwt.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(claims) => Some(claims),
        _ => None,
    }
}

/// The `exp` claim (epoch seconds).
pub fn expiry(jwt: &str) -> Option<i64> {
    unverified_claims(jwt)?.get("exp")?.as_i64()
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
    }
}
