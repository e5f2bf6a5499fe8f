//! Browser support, opt-in: CORS for the origins in ALLOWED_ORIGINS, and with SESSION_COOKIE=true the
//! refresh token kept in a `__Host-` cookie (never in a body, out of reach of page scripts), with a CSRF
//! defence on every route that uses that cookie or the caller's credentials.
//!
//! The CSRF defence: the request's `Origin` must be an allowed origin, and it must carry
//! `X-Requested-With: XMLHttpRequest` — a custom header, which a cross-site form cannot send and which
//! forces a CORS preflight for cross-origin scripts.

use crate::app::{ApiRequest, Reply};
use crate::config::Config;
use crate::error::ApiError;
use crate::routes::Operation;
use http::header::{HeaderName, HeaderValue, COOKIE, ORIGIN, SET_COOKIE, VARY};
use http::{HeaderMap, Response, StatusCode};

pub const COOKIE_NAME: &str = "__Host-refresh_token";

/// The routes the CSRF defence covers in cookie mode: those that read or clear the cookie, and every
/// route that acts on the caller's behalf.
pub fn needs_csrf_check(operation: Operation) -> bool {
    matches!(
        operation,
        Operation::SessionRefresh | Operation::Logout | Operation::SessionRevoke
    ) || operation.is_authenticated()
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
            HeaderValue::from_static("content-type, authorization, x-requested-with"),
        );
        h.insert(
            http::header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
    }
    response
}

/// The refresh token from the request's cookie.
pub fn cookie_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

/// In cookie mode, routes that take a refresh token get it from the cookie when the body has none (and,
/// for /logout, when no other credential was sent).
pub fn fill_refresh_token(operation: Operation, request: &mut ApiRequest) {
    if !matches!(
        operation,
        Operation::SessionRefresh | Operation::Logout | Operation::SessionRevoke
    ) {
        return;
    }
    let Some(token) = cookie_token(&request.headers).map(str::to_owned) else {
        return;
    };
    if operation == Operation::Logout && request.headers.contains_key(http::header::AUTHORIZATION) {
        return;
    }
    let mut body = if request.body.iter().all(u8::is_ascii_whitespace) {
        serde_json::Map::new()
    } else {
        match serde_json::from_slice::<serde_json::Value>(&request.body) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => return, // the handler answers the malformed body
        }
    };
    if body.contains_key("refreshToken")
        || (operation == Operation::Logout && body.contains_key("accessToken"))
    {
        return;
    }
    body.insert("refreshToken".into(), serde_json::Value::String(token));
    request.body = serde_json::Value::Object(body).to_string().into();
}

/// In cookie mode, moves the refresh token of a token answer into the cookie.
pub fn move_refresh_token_to_cookie(config: &Config, reply: &mut Reply) {
    let Some(token) = reply
        .body
        .as_object_mut()
        .and_then(|b| b.remove("refreshToken"))
    else {
        return;
    };
    let Some(token) = token.as_str() else { return };
    let max_age = config.refresh_token_validity.as_secs();
    if let Ok(value) = HeaderValue::from_str(&cookie(token, max_age)) {
        reply.headers.push((SET_COOKIE, value));
    }
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
        fill_refresh_token(Operation::SessionRefresh, &mut r);
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["refreshToken"], "abc.def");
        let mut r = request(&[("cookie", cookie)], r#"{"refreshToken":"own"}"#);
        fill_refresh_token(Operation::SessionRefresh, &mut r);
        assert_eq!(&r.body[..], br#"{"refreshToken":"own"}"#);
        let mut r = request(&[("cookie", cookie), ("authorization", "Bearer x")], "");
        fill_refresh_token(Operation::Logout, &mut r);
        assert!(r.body.is_empty());
        let mut r = request(&[("cookie", cookie)], "");
        fill_refresh_token(Operation::Login, &mut r);
        assert!(r.body.is_empty());
    }

    #[test]
    fn token_answers_lose_the_refresh_token_to_a_host_cookie() {
        let c = config(&[]);
        let mut reply = Reply::from(serde_json::json!({"accessToken": "a", "refreshToken": "r"}));
        move_refresh_token_to_cookie(&c, &mut reply);
        assert_eq!(reply.body, serde_json::json!({"accessToken": "a"}));
        let (_, value) = &reply.headers[0];
        assert_eq!(
            value,
            "__Host-refresh_token=r; Max-Age=2592000; Path=/; Secure; HttpOnly; SameSite=Strict"
        );
    }
}
