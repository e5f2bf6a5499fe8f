//! Opt-in browser features over HTTP: the refresh token in a `__Host-` cookie with a CSRF defence, CORS
//! for listed origins, and enumeration-safe sign-up.

mod support;

use serde_json::json;
use support::*;

const APP: &str = "https://app.example";

fn cookie_value(answer: &Answer) -> Option<String> {
    let set = answer.header("set-cookie")?;
    let pair = set.split(';').next()?;
    pair.strip_prefix("__Host-refresh_token=")
        .map(str::to_owned)
}

#[test]
fn refresh_token_lives_in_a_host_cookie_behind_a_csrf_check() {
    let api = Api::start_with(
        json!({}),
        &[("SESSION_COOKIE", "true"), ("ALLOWED_ORIGINS", APP)],
    );
    let user = unique("cookie");
    api.confirmed_user(&user, json!([]));
    let login = api.post_with(
        "/login",
        json!({"username": user, "password": PASSWORD}),
        &[("origin", APP)],
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

    // Without the CSRF proof: refused before anything else.
    for headers in [
        vec![("cookie", cookie.as_str())],
        vec![
            ("cookie", cookie.as_str()),
            ("origin", "https://evil.example"),
            ("x-requested-with", "XMLHttpRequest"),
        ],
        vec![("cookie", cookie.as_str()), ("origin", APP)],
    ] {
        api.post_with("/session/refresh", json!({"username": user}), &headers)
            .expect_error(403, "csrf_rejected");
    }
    let access = body["accessToken"].as_str().unwrap();
    let bearer = format!("Bearer {access}");
    api.post_with("/profile/get", json!({}), &[("authorization", &bearer)])
        .expect_error(403, "csrf_rejected");

    let proof = [
        ("cookie", cookie.as_str()),
        ("origin", APP),
        ("x-requested-with", "XMLHttpRequest"),
    ];
    let refreshed = api.post_with("/session/refresh", json!({"username": user}), &proof);
    assert!(refreshed.expect(200).get("refreshToken").is_none());
    assert!(cookie_value(&refreshed).is_some());
    api.post_with(
        "/profile/get",
        json!({}),
        &[
            ("authorization", &bearer),
            ("origin", APP),
            ("x-requested-with", "XMLHttpRequest"),
        ],
    )
    .expect(200);

    let logout = api.post_with("/logout", json!({"username": user}), &proof);
    logout.expect(200);
    assert_eq!(cookie_value(&logout).as_deref(), Some(""));
    assert!(logout.header("set-cookie").unwrap().contains("Max-Age=0"));
    api.post_with("/session/refresh", json!({"username": user}), &proof)
        .expect_error(401, "not_authorized");
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

#[test]
fn hidden_duplicate_sign_up_looks_like_a_new_one_and_sends_nothing() {
    let api = Api::start_with(json!({}), &[("HIDE_EXISTING_USERS", "true")]);
    let user = unique("hide");
    let body = |password: &str| json!({"username": user, "password": password, "attributes": [{"Name": "email", "Value": "h@example.com"}]});
    let first = api.post("/signup", body(PASSWORD)).expect(200).clone();
    let sent_before = api.messages(&user).len();
    let second = api
        .post("/signup", body("An0ther-Passw0rd!"))
        .expect(200)
        .clone();
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&first), keys(&second));
    assert_eq!(second["userConfirmed"], false);
    assert_ne!(first["userSub"], second["userSub"]);
    assert_eq!(
        first["codeDeliveryDetails"], second["codeDeliveryDetails"],
        "the same masked delivery"
    );
    assert_eq!(
        api.messages(&user).len(),
        sent_before,
        "no code goes to the attacker"
    );
}
