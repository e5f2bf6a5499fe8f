//! Browser support, opt-in: CORS for the origins in ALLOWED_ORIGINS, and with SESSION_COOKIE=true the
//! refresh token kept in a `__Host-` cookie (never in a body, out of reach of page scripts), with a CSRF
//! defence on every route.
//!
//! The CSRF defence, in cookie mode, on every route: the request's `Origin` must be an allowed origin, it
//! must carry `X-Requested-With: XMLHttpRequest` (a custom header, which a cross-site form cannot send and
//! which forces a CORS preflight for cross-origin scripts), and its body must be declared
//! `application/json`. Login is covered too: a forged login would plant the attacker's session in the
//! victim's browser.
//!
//! The cookie changes only on success, in one place (`update_session_cookie`): a token answer sets it,
//! and the routes that end the session clear it. A refused request never touches it.

use crate::config::Config;
use crate::error::ApiError;
use crate::http::{ApiRequest, Reply};
use crate::routes::Operation;
use crate::tokens::unverified_claims;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http::header::{HeaderName, HeaderValue, CONTENT_TYPE, COOKIE, ORIGIN, SET_COOKIE, VARY};
use http::{HeaderMap, Response, StatusCode};

pub const COOKIE_NAME: &str = "__Host-refresh_token";

/// Separates the refresh token from the username in the cookie's value (see `SessionCookie`). Not a
/// character of a Cognito refresh token (base64url segments and dots) nor of base64url.
const USERNAME_SEPARATOR: char = '~';

const NOT_SIGNED_IN: &str = "Not signed in: there is no session cookie.";

/// Everything a cookie-mode request must prove before it is handled: the CSRF check, then the media type.
pub fn check_request(config: &Config, request: &ApiRequest) -> Result<(), ApiError> {
    check_csrf(config, request)?;
    if is_json(request.header(CONTENT_TYPE)) {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType)
    }
}

/// `application/json`, in any case, with or without parameters (`; charset=utf-8`).
fn is_json(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|value| value.split(';').next())
        .is_some_and(|media_type| media_type.trim().eq_ignore_ascii_case("application/json"))
}

pub fn check_csrf(config: &Config, request: &ApiRequest) -> Result<(), ApiError> {
    let origin_allowed = allowed_origin(config, &request.headers).is_some();
    let custom_header = request.header("x-requested-with") == Some("XMLHttpRequest");
    if origin_allowed && custom_header {
        Ok(())
    } else {
        Err(ApiError::CsrfRejected)
    }
}

/// The request's `Origin` when it is one of ALLOWED_ORIGINS (exact match).
pub fn allowed_origin<'a>(config: &Config, headers: &'a HeaderMap) -> Option<&'a str> {
    let origin = headers.get(ORIGIN)?.to_str().ok()?;
    config
        .allowed_origins
        .iter()
        .any(|o| o == origin)
        .then_some(origin)
}

/// CORS headers for an allowed origin; nothing for any other (the browser then blocks the answer).
pub fn cors_headers(config: &Config, headers: &HeaderMap) -> Vec<(HeaderName, HeaderValue)> {
    if config.allowed_origins.is_empty() {
        return Vec::new();
    }
    let mut out = vec![(VARY, HeaderValue::from_static("Origin"))];
    if let Some(origin) =
        allowed_origin(config, headers).and_then(|o| HeaderValue::from_str(o).ok())
    {
        out.push((http::header::ACCESS_CONTROL_ALLOW_ORIGIN, origin));
        out.push((
            http::header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        ));
    }
    out
}

/// The answer to a CORS preflight (`OPTIONS`), when ALLOWED_ORIGINS is set.
pub fn preflight(config: &Config, headers: &HeaderMap) -> Response<String> {
    let mut response = Response::new(String::new());
    *response.status_mut() = StatusCode::NO_CONTENT;
    let cors = cors_headers(config, headers);
    let allowed = cors
        .iter()
        .any(|(name, _)| name == http::header::ACCESS_CONTROL_ALLOW_ORIGIN);
    let h = response.headers_mut();
    for (name, value) in cors {
        h.append(name, value);
    }
    if allowed {
        h.insert(
            http::header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("POST"),
        );
        h.insert(
            http::header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(
                "content-type, authorization, x-requested-with, x-cognito-context-data",
            ),
        );
        h.insert(
            http::header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
    }
    response
}

/// What the session cookie holds: the refresh token and, when the client has a secret, the user's
/// internal username, which Cognito needs for SECRET_HASH when refreshing. It lives in the HttpOnly cookie
/// so that a page never has to know or send it.
#[derive(Debug, PartialEq, Eq)]
pub struct SessionCookie {
    pub refresh_token: String,
    pub username: Option<String>,
}

impl SessionCookie {
    fn parse(value: &str) -> Option<SessionCookie> {
        if value.is_empty() {
            return None;
        }
        let Some((refresh_token, encoded)) = value.rsplit_once(USERNAME_SEPARATOR) else {
            return Some(SessionCookie {
                refresh_token: value.to_owned(),
                username: None,
            });
        };
        let username = String::from_utf8(URL_SAFE_NO_PAD.decode(encoded).ok()?).ok()?;
        Some(SessionCookie {
            refresh_token: refresh_token.to_owned(),
            username: Some(username),
        })
    }

    fn value(&self) -> String {
        match &self.username {
            Some(username) => format!(
                "{}{USERNAME_SEPARATOR}{}",
                self.refresh_token,
                URL_SAFE_NO_PAD.encode(username)
            ),
            None => self.refresh_token.clone(),
        }
    }
}

/// The session from the request's cookie.
pub fn session_cookie(headers: &HeaderMap) -> Option<SessionCookie> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .and_then(|(_, value)| SessionCookie::parse(value))
}

/// Where the refresh token of a refresh, revoke or logout came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshTokenSource {
    /// The route takes no refresh token, or the caller used another credential.
    NotUsed,
    Body,
    Cookie,
}

/// In cookie mode, the routes that take a refresh token get it (and the username the cookie keeps) from
/// the cookie when the body has none; for /logout, only when no other credential was sent. Without a
/// cookie, a refresh or revoke is a 401: the browser is simply not signed in.
pub fn fill_refresh_token(
    operation: Operation,
    request: &mut ApiRequest,
) -> Result<RefreshTokenSource, ApiError> {
    if !matches!(
        operation,
        Operation::SessionRefresh | Operation::Logout | Operation::SessionRevoke
    ) {
        return Ok(RefreshTokenSource::NotUsed);
    }
    let Ok(mut body) = crate::body::parse_object(&request.body) else {
        // The handler answers the malformed (or oversized) body.
        return Ok(RefreshTokenSource::NotUsed);
    };
    if body.contains_key("refreshToken") {
        return Ok(RefreshTokenSource::Body);
    }
    if operation == Operation::Logout
        && (request.headers.contains_key(http::header::AUTHORIZATION)
            || body.contains_key("accessToken"))
    {
        return Ok(RefreshTokenSource::NotUsed);
    }
    let Some(cookie) = session_cookie(&request.headers) else {
        return match operation {
            Operation::Logout => Ok(RefreshTokenSource::NotUsed), // the credential check answers 401
            _ => Err(ApiError::NotAuthorized(NOT_SIGNED_IN)),
        };
    };
    body.insert(
        "refreshToken".into(),
        serde_json::Value::String(cookie.refresh_token),
    );
    if let Some(username) = cookie.username {
        body.entry("username")
            .or_insert(serde_json::Value::String(username));
    }
    request.body = serde_json::Value::Object(body).to_string().into();
    Ok(RefreshTokenSource::Cookie)
}

/// The one rule of the cookie, applied to every successful answer in cookie mode: a refresh token in the
/// answer moves into the cookie (whichever route answered tokens); /logout and /account/delete clear it,
/// and so does /session/revoke when it revoked the cookie's own token.
pub fn update_session_cookie(
    config: &Config,
    operation: Operation,
    source: RefreshTokenSource,
    reply: &mut Reply,
) {
    if let Some(token) = reply
        .body
        .as_object_mut()
        .and_then(|b| b.remove("refreshToken"))
    {
        let Some(refresh_token) = token.as_str() else {
            return;
        };
        // The access token was issued by Cognito in this very answer: its `username` claim is the
        // internal username SECRET_HASH needs.
        let username = config
            .client_secret
            .as_ref()
            .and_then(|_| reply.body.get("accessToken")?.as_str())
            .and_then(|access| {
                unverified_claims(access)?
                    .get("username")?
                    .as_str()
                    .map(str::to_owned)
            });
        let value = SessionCookie {
            refresh_token: refresh_token.to_owned(),
            username,
        }
        .value();
        let max_age = config.refresh_token_validity.as_secs();
        if let Ok(value) = HeaderValue::from_str(&cookie(&value, max_age)) {
            reply.headers.push((SET_COOKIE, value));
        }
        return;
    }
    let ends_session = may_end_session(operation)
        && (operation != Operation::SessionRevoke || source == RefreshTokenSource::Cookie);
    if ends_session {
        reply.headers.push((SET_COOKIE, clearing_cookie()));
    }
}

/// The routes whose success clears the cookie: /logout, /account/delete, and /session/revoke when it
/// revoked the cookie's own token.
pub fn may_end_session(operation: Operation) -> bool {
    matches!(
        operation,
        Operation::Logout | Operation::AccountDelete | Operation::SessionRevoke
    )
}

/// The Set-Cookie value that removes the cookie.
pub fn clearing_cookie() -> HeaderValue {
    HeaderValue::from_str(&cookie("", 0)).expect("a valid header value")
}

fn cookie(value: &str, max_age: u64) -> String {
    format!("{COOKIE_NAME}={value}; Max-Age={max_age}; Path=/; Secure; HttpOnly; SameSite=Strict")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(origins: &[&str]) -> Config {
        let list = origins.join(",");
        Config::from_lookup(|k| match k {
            "USER_POOL_ID" => Some("us-east-1_x".into()),
            "USER_POOL_CLIENT_ID" => Some("c".into()),
            "ALLOWED_ORIGINS" => Some(list.clone()),
            "SESSION_COOKIE" => Some("true".into()),
            _ => None,
        })
        .unwrap()
    }

    fn request(headers: &[(&str, &str)], body: &str) -> ApiRequest {
        let mut r = ApiRequest::post(body.to_owned());
        for (k, v) in headers {
            r.headers.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        r
    }

    #[test]
    fn csrf_needs_an_allowed_origin_and_the_custom_header() {
        let c = config(&["https://app.example"]);
        let ok = request(
            &[
                ("origin", "https://app.example"),
                ("x-requested-with", "XMLHttpRequest"),
            ],
            "{}",
        );
        assert!(check_csrf(&c, &ok).is_ok());
        for headers in [
            vec![
                ("origin", "https://evil.example"),
                ("x-requested-with", "XMLHttpRequest"),
            ],
            vec![("origin", "https://app.example")],
            vec![("x-requested-with", "XMLHttpRequest")],
            vec![
                ("origin", "https://app.example.evil"),
                ("x-requested-with", "XMLHttpRequest"),
            ],
        ] {
            assert_eq!(
                check_csrf(&c, &request(&headers, "{}")),
                Err(ApiError::CsrfRejected)
            );
        }
    }

    #[test]
    fn cors_only_for_listed_origins() {
        let c = config(&["https://app.example"]);
        let listed = cors_headers(
            &c,
            &request(&[("origin", "https://app.example")], "").headers,
        );
        assert!(listed
            .iter()
            .any(|(n, v)| n == http::header::ACCESS_CONTROL_ALLOW_ORIGIN
                && v == "https://app.example"));
        let other = cors_headers(
            &c,
            &request(&[("origin", "https://evil.example")], "").headers,
        );
        assert!(!other
            .iter()
            .any(|(n, _)| n == http::header::ACCESS_CONTROL_ALLOW_ORIGIN));
        let preflight_other = preflight(
            &c,
            &request(&[("origin", "https://evil.example")], "").headers,
        );
        assert!(!preflight_other
            .headers()
            .contains_key(http::header::ACCESS_CONTROL_ALLOW_ORIGIN));
    }

    #[test]
    fn the_cookie_fills_a_missing_refresh_token_only() {
        let cookie = "theme=dark; __Host-refresh_token=abc.def";
        let mut r = request(&[("cookie", cookie)], r#"{"username":"ann"}"#);
        let source = fill_refresh_token(Operation::SessionRefresh, &mut r).unwrap();
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            (source, &body["refreshToken"]),
            (RefreshTokenSource::Cookie, &"abc.def".into())
        );
        let mut r = request(&[("cookie", cookie)], "");
        fill_refresh_token(Operation::SessionRevoke, &mut r).unwrap();
        assert_eq!(&r.body[..], br#"{"refreshToken":"abc.def"}"#);
        let mut r = request(&[("cookie", cookie)], r#"{"refreshToken":"own"}"#);
        let source = fill_refresh_token(Operation::SessionRefresh, &mut r).unwrap();
        assert_eq!(
            (source, &r.body[..]),
            (RefreshTokenSource::Body, &br#"{"refreshToken":"own"}"#[..])
        );
        let mut r = request(&[("cookie", cookie), ("authorization", "Bearer x")], "");
        let source = fill_refresh_token(Operation::Logout, &mut r).unwrap();
        assert_eq!(
            (source, r.body.is_empty()),
            (RefreshTokenSource::NotUsed, true)
        );
        let mut r = request(&[("cookie", cookie)], "");
        fill_refresh_token(Operation::Login, &mut r).unwrap();
        assert!(r.body.is_empty());
    }

    #[test]
    fn without_a_cookie_refresh_and_revoke_are_not_signed_in() {
        for operation in [Operation::SessionRefresh, Operation::SessionRevoke] {
            for cookie in ["theme=dark", "__Host-refresh_token="] {
                let mut r = request(&[("cookie", cookie)], "{}");
                assert!(matches!(
                    fill_refresh_token(operation, &mut r),
                    Err(ApiError::NotAuthorized(_))
                ));
            }
        }
        // /logout leaves it to the credential check (a Bearer token may still come).
        let mut r = request(&[], "{}");
        assert_eq!(
            fill_refresh_token(Operation::Logout, &mut r),
            Ok(RefreshTokenSource::NotUsed)
        );
    }

    #[test]
    fn the_cookie_keeps_the_username_when_the_client_has_a_secret() {
        let c = Config::from_lookup(|k| match k {
            "USER_POOL_ID" => Some("us-east-1_x".into()),
            "USER_POOL_CLIENT_ID" => Some("c".into()),
            "USER_POOL_CLIENT_SECRET" => Some("s".into()),
            "SESSION_COOKIE" => Some("true".into()),
            _ => None,
        })
        .unwrap();
        let claims =
            URL_SAFE_NO_PAD.encode(r#"{"username":"ann@example.com","token_use":"access"}"#);
        let access = format!("h.{claims}.s");
        let mut reply =
            Reply::from(serde_json::json!({"accessToken": access, "refreshToken": "r.t"}));
        update_session_cookie(
            &c,
            Operation::Login,
            RefreshTokenSource::NotUsed,
            &mut reply,
        );
        let set = reply.headers[0].1.to_str().unwrap().to_owned();
        let pair = set.split(';').next().unwrap().to_owned();
        let mut r = request(&[("cookie", &pair)], "{}");
        assert_eq!(
            session_cookie(&r.headers),
            Some(SessionCookie {
                refresh_token: "r.t".into(),
                username: Some("ann@example.com".into())
            })
        );
        fill_refresh_token(Operation::SessionRefresh, &mut r).unwrap();
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"refreshToken": "r.t", "username": "ann@example.com"})
        );
    }

    #[test]
    fn token_answers_lose_the_refresh_token_to_a_host_cookie() {
        let c = config(&[]);
        let mut reply = Reply::from(serde_json::json!({"accessToken": "a", "refreshToken": "r"}));
        update_session_cookie(
            &c,
            Operation::MfaTotpVerify,
            RefreshTokenSource::NotUsed,
            &mut reply,
        );
        assert_eq!(reply.body, serde_json::json!({"accessToken": "a"}));
        let (_, value) = &reply.headers[0];
        assert_eq!(
            value,
            "__Host-refresh_token=r; Max-Age=2592000; Path=/; Secure; HttpOnly; SameSite=Strict"
        );
    }

    #[test]
    fn the_routes_that_end_a_session_clear_the_cookie() {
        let c = config(&[]);
        let cleared = |operation, source| {
            let mut reply = Reply::from(serde_json::json!({"status": "SUCCESS"}));
            update_session_cookie(&c, operation, source, &mut reply);
            reply.headers.iter().any(|(_, v)| v == clearing_cookie())
        };
        assert!(cleared(Operation::Logout, RefreshTokenSource::NotUsed));
        assert!(cleared(
            Operation::AccountDelete,
            RefreshTokenSource::NotUsed
        ));
        assert!(cleared(
            Operation::SessionRevoke,
            RefreshTokenSource::Cookie
        ));
        // Revoking some other token than the cookie's leaves the cookie's session alone.
        assert!(!cleared(Operation::SessionRevoke, RefreshTokenSource::Body));
        assert!(!cleared(
            Operation::PasswordChange,
            RefreshTokenSource::NotUsed
        ));
    }

    #[test]
    fn only_json_bodies_pass_in_cookie_mode() {
        for ok in ["application/json", "Application/JSON; charset=utf-8"] {
            assert!(is_json(Some(ok)), "{ok}");
        }
        for bad in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("application/jsonp"),
        ] {
            assert!(!is_json(bad), "{bad:?}");
        }
    }
}
