//! Opt-in browser features: the refresh token in a `__Host-` cookie (set by every way a login can end,
//! cleared by logout, revoke and deletion) behind a CSRF defence, and CORS for listed origins.

use crate::support::*;
use serde_json::json;

const APP: &str = "https://app.example";

fn cookie_value(answer: &Answer) -> Option<String> {
    let set = answer.header("set-cookie")?;
    let pair = set.split(';').next()?;
    pair.strip_prefix("__Host-refresh_token=")
        .map(str::to_owned)
}

const PROOF: [(&str, &str); 2] = [("origin", APP), ("x-requested-with", "XMLHttpRequest")];

fn cookie_api(pool_options: serde_json::Value) -> Api {
    Api::start_with(
        pool_options,
        &[("SESSION_COOKIE", "true"), ("ALLOWED_ORIGINS", APP)],
    )
}

/// Logs in with the CSRF proof; the cookie's `name=value` pair.
fn cookie_login(api: &Api, user: &str) -> (serde_json::Value, String) {
    let login = api.post_with(
        "/login",
        json!({"username": user, "password": PASSWORD}),
        &PROOF,
    );
    let body = login.expect(200).clone();
    let value = cookie_value(&login).expect("the login sets the cookie");
    (body, format!("__Host-refresh_token={value}"))
}

fn proof_with(cookie: &str) -> Vec<(&str, &str)> {
    let mut headers = PROOF.to_vec();
    headers.push(("cookie", cookie));
    headers
}

#[test]
fn refresh_token_lives_in_a_host_cookie_behind_a_csrf_check() {
    let api = cookie_api(json!({}));
    let user = unique("cookie");
    api.confirmed_user(&user, json!([]));
    // A login without the proof (a forged one would plant the attacker's session) is refused, cookie-less.
    for headers in [
        vec![("origin", APP)],
        vec![
            ("origin", "https://evil.example"),
            ("x-requested-with", "XMLHttpRequest"),
        ],
    ] {
        let forged = api.post_with(
            "/login",
            json!({"username": user, "password": PASSWORD}),
            &headers,
        );
        forged.expect_error(403, "csrf_rejected");
        assert_eq!(forged.header("set-cookie"), None);
    }
    // An HTML form's text/plain body, even with the proof headers: 415, no cookie.
    let form = api.request(
        "POST",
        "/login",
        None,
        &[
            ("origin", APP),
            ("x-requested-with", "XMLHttpRequest"),
            ("content-type", "text/plain"),
        ],
    );
    form.expect_error(415, "unsupported_media_type");
    assert_eq!(form.header("set-cookie"), None);

    let login = api.post_with(
        "/login",
        json!({"username": user, "password": PASSWORD}),
        &PROOF,
    );
    let body = login.expect(200).clone();
    assert!(body.get("refreshToken").is_none(), "never in the body");
    assert_eq!(body.as_object().unwrap().len(), 6);
    let set_cookie = login.header("set-cookie").unwrap();
    for part in [
        "Secure",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=2592000",
    ] {
        assert!(set_cookie.contains(part), "{set_cookie}");
    }
    assert_eq!(login.header("access-control-allow-origin"), Some(APP));
    assert_eq!(
        login.header("access-control-allow-credentials"),
        Some("true")
    );
    let refresh_token = cookie_value(&login).unwrap();
    let cookie = format!("__Host-refresh_token={refresh_token}");

    // Without the CSRF proof: refused before anything else, and the cookie stays.
    for headers in [
        vec![("cookie", cookie.as_str())],
        vec![
            ("cookie", cookie.as_str()),
            ("origin", "https://evil.example"),
            ("x-requested-with", "XMLHttpRequest"),
        ],
        vec![("cookie", cookie.as_str()), ("origin", APP)],
    ] {
        for route in ["/session/refresh", "/logout", "/session/revoke"] {
            let refused = api.post_with(route, json!({}), &headers);
            refused.expect_error(403, "csrf_rejected");
            assert_eq!(refused.header("set-cookie"), None, "{route}");
        }
    }
    let access = body["accessToken"].as_str().unwrap();
    let bearer = format!("Bearer {access}");
    api.post_with("/profile/get", json!({}), &[("authorization", &bearer)])
        .expect_error(403, "csrf_rejected");

    // The cookie alone refreshes: no username, no body fields.
    let proof = proof_with(&cookie);
    let refreshed = api.post_with("/session/refresh", json!({}), &proof);
    assert!(refreshed.expect(200).get("refreshToken").is_none());
    assert!(cookie_value(&refreshed).is_some());
    let mut with_bearer = PROOF.to_vec();
    with_bearer.push(("authorization", &bearer));
    api.post_with("/profile/get", json!({}), &with_bearer)
        .expect(200);

    // Cookie-only logout revokes the session, then clears the cookie.
    let logout = api.post_with("/logout", json!({}), &proof);
    logout.expect(200);
    assert_eq!(cookie_value(&logout).as_deref(), Some(""));
    assert!(logout.header("set-cookie").unwrap().contains("Max-Age=0"));
    let stale = api.post_with("/session/refresh", json!({}), &proof);
    stale.expect_error(401, "not_authorized");
    assert_eq!(stale.header("set-cookie"), None);
    // No cookie at all: not signed in.
    api.post_with("/session/refresh", json!({}), &PROOF)
        .expect_error(401, "not_authorized");
}

#[test]
fn with_a_client_secret_the_cookie_alone_still_refreshes_and_logs_out() {
    let api = cookie_api(json!({"clientSecret": true}));
    let user = unique("secretcookie");
    api.confirmed_user(&user, json!([]));
    let (_, cookie) = cookie_login(&api, &user);
    let proof = proof_with(&cookie);
    api.post_with("/session/refresh", json!({}), &proof)
        .expect(200);
    api.post_with("/logout", json!({}), &proof).expect(200);
    api.post_with("/session/refresh", json!({}), &proof)
        .expect_error(401, "not_authorized");
}

#[test]
fn revoke_and_account_deletion_clear_the_cookie() {
    let api = cookie_api(json!({}));
    let user = unique("revokecookie");
    api.confirmed_user(&user, json!([]));
    let (_, cookie) = cookie_login(&api, &user);
    let proof = proof_with(&cookie);
    let revoked = api.post_with("/session/revoke", json!({}), &proof);
    revoked.expect(200);
    assert!(revoked.header("set-cookie").unwrap().contains("Max-Age=0"));
    api.post_with("/session/refresh", json!({}), &proof)
        .expect_error(401, "not_authorized");

    let (body, cookie) = cookie_login(&api, &user);
    let bearer = format!("Bearer {}", body["accessToken"].as_str().unwrap());
    let mut headers = proof_with(&cookie);
    headers.push(("authorization", &bearer));
    let deleted = api.post_with("/account/delete", json!({"password": PASSWORD}), &headers);
    deleted.expect(200);
    assert!(deleted.header("set-cookie").unwrap().contains("Max-Age=0"));
}

#[test]
fn a_login_finished_by_mfa_setup_puts_the_refresh_token_in_the_cookie() {
    let api = Api::start_with(
        json!({"mfa": "ON", "emailMfa": false}),
        &[("SESSION_COOKIE", "true"), ("ALLOWED_ORIGINS", APP)],
    );
    let user = unique("cookiesetup");
    api.confirmed_user(&user, json!([]));
    let challenge = api
        .post_with(
            "/login",
            json!({"username": user, "password": PASSWORD}),
            &PROOF,
        )
        .expect(200)
        .clone();
    assert_eq!(challenge["nextStep"], "MFA_SETUP");
    let setup = api
        .post_with(
            "/mfa/totp/setup",
            json!({"username": user, "loginSession": challenge["loginSession"]}),
            &PROOF,
        )
        .expect(200)
        .clone();
    let secret = setup["secretCode"].as_str().unwrap();
    let done = api.post_with(
        "/mfa/totp/verify",
        json!({"username": user, "loginSession": setup["loginSession"], "code": totp(secret)}),
        &PROOF,
    );
    let tokens = done.expect(200).clone();
    assert!(tokens.get("refreshToken").is_none(), "{tokens}");
    assert!(tokens["accessToken"].is_string());
    let cookie = format!("__Host-refresh_token={}", cookie_value(&done).unwrap());
    api.post_with("/session/refresh", json!({}), &proof_with(&cookie))
        .expect(200);
}

#[test]
fn in_cookie_mode_the_code_sign_in_sets_the_cookie() {
    let app = "https://app.example";
    let api = passwordless_api(&[("SESSION_COOKIE", "true"), ("ALLOWED_ORIGINS", app)]);
    let user = unique("otpcookie");
    api.confirmed_user(&user, json!([]));
    let proof = [("origin", app), ("x-requested-with", "XMLHttpRequest")];
    let step = api
        .post_with(
            "/login",
            json!({"username": user, "method": "EMAIL_OTP"}),
            &proof,
        )
        .expect(200)
        .clone();
    let code = api.last_code(&user, "EMAIL_OTP");
    let answer = api.post_with(
        "/login/otp",
        json!({"username": user, "loginSession": step["loginSession"], "code": code}),
        &proof,
    );
    let body = answer.expect(200).clone();
    assert!(body.get("refreshToken").is_none(), "{body}");
    assert!(answer
        .header("set-cookie")
        .unwrap()
        .starts_with("__Host-refresh_token="));
}

#[test]
fn cors_preflight_answers_listed_origins_only() {
    let api = Api::start_with(
        json!({}),
        &[("ALLOWED_ORIGINS", &format!("{APP},https://admin.example"))],
    );
    let ok = api.request(
        "OPTIONS",
        "/login",
        None,
        &[("origin", APP), ("access-control-request-method", "POST")],
    );
    assert_eq!(ok.status, 204);
    assert_eq!(ok.header("access-control-allow-origin"), Some(APP));
    assert_eq!(ok.header("access-control-allow-methods"), Some("POST"));
    assert!(ok
        .header("access-control-allow-headers")
        .unwrap()
        .contains("x-requested-with"));
    let other = api.request(
        "OPTIONS",
        "/login",
        None,
        &[("origin", "https://evil.example")],
    );
    assert_eq!(other.header("access-control-allow-origin"), None);
    let answer = api.post_with(
        "/login",
        json!({"username": "a", "password": "b"}),
        &[("origin", "https://evil.example")],
    );
    assert_eq!(answer.header("access-control-allow-origin"), None);
    // Without cookie mode, no CSRF check applies.
    api.post_with(
        "/password/forgot",
        json!({"username": "a"}),
        &[("origin", APP)],
    )
    .expect(200);
}
