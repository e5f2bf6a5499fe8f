//! Token responses and the few JWT claims we read. We never verify signatures here: Cognito does that on
//! every call that takes a token. We only read `exp` (to report expiries and to refuse an expired access
//! token before spending a Cognito call on it) and `token_use`.

use crate::error::ApiError;
use aws_sdk_cognitoidentityprovider::types::AuthenticationResultType;
use base64::Engine;
use serde_json::{json, Value};

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

/// The token body every login-completing route returns. `refresh_fallback` is the refresh token the caller
/// sent, reported back when Cognito did not rotate it.
pub fn token_body(
    result: &AuthenticationResultType,
    refresh_fallback: Option<&str>,
) -> Result<Value, ApiError> {
    let (Some(access), Some(id)) = (result.access_token(), result.id_token()) else {
        tracing::error!("Cognito returned an authentication result without tokens");
        return Err(ApiError::UpstreamError);
    };
    let Some(refresh) = result.refresh_token().or(refresh_fallback) else {
        tracing::error!("Cognito returned an authentication result without a refresh token");
        return Err(ApiError::UpstreamError);
    };
    let expires_in = i64::from(result.expires_in());
    let fallback = now_epoch_seconds() + expires_in;
    Ok(json!({
        "refreshToken": refresh,
        "accessToken": access,
        // Each token's own `exp` (the original reported the access token's expiry for both).
        "accessTokenExpiresAt": expiry(access).unwrap_or(fallback),
        "idToken": id,
        "idTokenExpiresAt": expiry(id).unwrap_or(fallback),
        "expiresIn": expires_in,
        "tokenType": result.token_type().unwrap_or("Bearer"),
    }))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

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

    #[test]
    fn each_expiry_comes_from_its_own_token() {
        let result = AuthenticationResultType::builder()
            .access_token(jwt(json!({"exp": 1000, "token_use": "access"})))
            .id_token(jwt(json!({"exp": 2000, "token_use": "id"})))
            .refresh_token("refresh")
            .expires_in(3600)
            .token_type("Bearer")
            .build();
        let body = token_body(&result, None).unwrap();
        assert_eq!(body["accessTokenExpiresAt"], 1000);
        assert_eq!(body["idTokenExpiresAt"], 2000);
        assert_eq!(body["refreshToken"], "refresh");
        assert_eq!(body["expiresIn"], 3600);
        assert_eq!(body["tokenType"], "Bearer");
        assert_eq!(body.as_object().unwrap().len(), 7);
    }

    #[test]
    fn refresh_token_falls_back_to_the_one_sent() {
        let result = AuthenticationResultType::builder()
            .access_token(jwt(json!({"exp": 1})))
            .id_token(jwt(json!({"exp": 2})))
            .build();
        assert_eq!(
            token_body(&result, Some("sent")).unwrap()["refreshToken"],
            "sent"
        );
        assert_eq!(
            token_body(&result, None).unwrap_err(),
            ApiError::UpstreamError
        );
    }

    #[test]
    fn missing_tokens_are_an_upstream_error() {
        let result = AuthenticationResultType::builder()
            .refresh_token("r")
            .build();
        assert_eq!(
            token_body(&result, None).unwrap_err(),
            ApiError::UpstreamError
        );
    }
}
