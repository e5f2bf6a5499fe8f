//! Part 1 over real HTTP against the emulator: sign-up, confirmation, login (with MFA and a forced new
//! password), refresh, logout, input errors, and Cognito being down.

mod support;

use serde_json::json;
use std::time::{Duration, Instant};
use support::*;

#[test]
fn signup_confirm_resend_and_login() {
    let api = Api::start();
    let user = unique("ann");
    let weak = api.post("/signup", json!({"username": user, "password": "short"}));
    weak.expect_error(400, "invalid_password");

    let body = api
        .post("/signup", json!({"username": user, "password": PASSWORD, "attributes": [{"Name": "email", "Value": "ann@example.com"}]}))
        .expect(200)
        .clone();
    assert_eq!(body["username"], user.as_str());
    assert_eq!(body["userConfirmed"], false);
    assert!(body["userSub"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(body["codeDeliveryDetails"]["deliveryMedium"], "EMAIL");
    assert_eq!(body["codeDeliveryDetails"]["attributeName"], "email");
    assert_eq!(body.as_object().unwrap().len(), 4);

    api.post("/signup", json!({"username": user, "password": PASSWORD}))
        .expect_error(409, "username_exists");
    api.post("/login", json!({"username": user, "password": PASSWORD}))
        .expect_error(403, "user_not_confirmed");

    let first = api.last_code(&user, "SIGN_UP");
    let resent = api
        .post("/signup/resend", json!({"username": user}))
        .expect(200)
        .clone();
    assert_eq!(resent["codeDeliveryDetails"]["deliveryMedium"], "EMAIL");
    let second = api.last_code(&user, "SIGN_UP");
    let wrong = if first == "000000" {
        "111111"
    } else {
        "000000"
    };
    api.post(
        "/signup/confirm",
        json!({"username": user, "confirmationCode": wrong}),
    )
    .expect_error(400, "code_mismatch");
    if first != second {
        api.post(
            "/signup/confirm",
            json!({"username": user, "confirmationCode": first}),
        )
        .expect_error(400, "code_mismatch");
    }
    let ok = api.post(
        "/signup/confirm",
        json!({"username": user, "confirmationCode": second}),
    );
    assert_eq!(ok.expect(200), &json!({"status": "SUCCESS"}));

    let tokens = api.login(&user, PASSWORD);
    assert_eq!(tokens.as_object().unwrap().len(), 7);
    for key in ["accessToken", "idToken", "refreshToken"] {
        assert!(tokens[key].as_str().is_some_and(|t| t.len() > 20), "{key}");
    }
    assert!(tokens["accessTokenExpiresAt"].as_i64().unwrap() > 1_700_000_000);
    assert!(tokens["idTokenExpiresAt"].as_i64().unwrap() > 1_700_000_000);
    assert_eq!(tokens["tokenType"], "Bearer");
    assert_eq!(tokens["expiresIn"], 3600);
}

#[test]
fn expired_confirmation_code() {
    let api = Api::start();
    let user = unique("exp");
    api.post("/signup", json!({"username": user, "password": PASSWORD, "attributes": [{"Name": "email", "Value": "e@example.com"}]}))
        .expect(200);
    let code = api.last_code(&user, "SIGN_UP");
    api.expire_codes(&user);
    api.post(
        "/signup/confirm",
        json!({"username": user, "confirmationCode": code}),
    )
    .expect_error(400, "expired_code");
}

#[test]
fn wrong_password_and_unknown_user_are_identical() {
    let api = Api::start();
    let user = unique("bob");
    api.confirmed_user(&user, json!([]));
    let wrong = api.post(
        "/login",
        json!({"username": user, "password": "Wr0ng-Password!"}),
    );
    let unknown = api.post(
        "/login",
        json!({"username": unique("ghost"), "password": "Wr0ng-Password!"}),
    );
    wrong.expect_error(401, "not_authorized");
    assert_eq!((wrong.status, &wrong.body), (unknown.status, &unknown.body));
}

#[test]
fn refresh_then_logout_revokes_everything() {
    let api = Api::start();
    let user = unique("carl");
    api.confirmed_user(&user, json!([]));
    let tokens = api.login(&user, PASSWORD);
    let refresh = tokens["refreshToken"].as_str().unwrap();

    let refreshed = api
        .post(
            "/session/refresh",
            json!({"username": user, "refreshToken": refresh}),
        )
        .expect(200)
        .clone();
    assert_eq!(
        refreshed["refreshToken"], refresh,
        "not rotated: the one sent comes back"
    );
    assert!(refreshed["accessToken"].as_str().is_some());
    assert_eq!(refreshed.as_object().unwrap().len(), 7);

    let access = refreshed["accessToken"].as_str().unwrap();
    api.post_bearer("/logout", access, json!({})).expect(200);
    api.post(
        "/session/refresh",
        json!({"username": user, "refreshToken": refresh}),
    )
    .expect_error(401, "not_authorized");
    api.post_bearer("/logout", access, json!({}))
        .expect_error(401, "not_authorized");
}

#[test]
fn logout_by_refresh_token_and_username() {
    let api = Api::start();
    let user = unique("dora");
    api.confirmed_user(&user, json!([]));
    let tokens = api.login(&user, PASSWORD);
    api.post(
        "/logout",
        json!({"refreshToken": tokens["refreshToken"], "username": user}),
    )
    .expect(200);
    api.post_bearer(
        "/profile/get",
        tokens["accessToken"].as_str().unwrap(),
        json!({}),
    )
    .expect_error(401, "not_authorized");
    // Without a client secret Cognito needs no username: the refresh token alone signs out.
    let tokens = api.login(&user, PASSWORD);
    api.post("/logout", json!({"refreshToken": tokens["refreshToken"]}))
        .expect(200);
    api.post("/logout", json!({"refreshToken": tokens["refreshToken"]}))
        .expect_error(401, "not_authorized");
    // With one, SECRET_HASH needs it: a 400 naming it.
    let api = Api::start_with(json!({"clientSecret": true}), &[]);
    api.confirmed_user(&user, json!([]));
    let tokens = api.login(&user, PASSWORD);
    let missing = api.post("/logout", json!({"refreshToken": tokens["refreshToken"]}));
    missing.expect_error(400, "invalid_request");
    assert!(missing.body["message"]
        .as_str()
        .unwrap()
        .contains("username"));
}

#[test]
fn sms_mfa_login_with_a_wrong_then_the_right_code() {
    let api = Api::start();
    let user = unique("erin");
    api.confirmed_user(&user, json!([]));
    let access = api.login(&user, PASSWORD)["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    api.post_bearer(
        "/profile/phone",
        &access,
        json!({"phone_number": "+14155550123"}),
    )
    .expect(200);
    let code = api.last_code(&user, "VERIFY_ATTRIBUTE");
    api.post_bearer(
        "/profile/attribute/confirm",
        &access,
        json!({"attribute": "phone_number", "confirmationCode": code}),
    )
    .expect(200);
    api.post_bearer("/mfa/set", &access, json!({"enableMfa": true}))
        .expect(200);

    let challenge = api
        .post("/login", json!({"username": user, "password": PASSWORD}))
        .expect(200)
        .clone();
    assert_eq!(challenge["nextStep"], "MFA_AUTH");
    assert_eq!(challenge["mfaType"], "SMS_MFA");
    assert!(challenge["destination"].as_str().unwrap().ends_with("0123"));
    let session = challenge["loginSession"].as_str().unwrap();
    let sms = api.last_code(&user, "SMS_MFA");
    let wrong = if sms == "000000" { "111111" } else { "000000" };
    api.post(
        "/login/mfa",
        json!({"username": user, "loginSession": session, "mfaCode": wrong}),
    )
    .expect_error(400, "code_mismatch");
    let tokens = api
        .post(
            "/login/mfa",
            json!({"username": user, "loginSession": session, "mfaCode": sms}),
        )
        .expect(200)
        .clone();
    assert!(tokens["accessToken"].as_str().is_some());

    // Disabled again: the next login answers tokens directly.
    let access = tokens["accessToken"].as_str().unwrap();
    api.post_bearer("/mfa/set", access, json!({"enableMfa": false}))
        .expect(200);
    assert!(api.login(&user, PASSWORD)["accessToken"].as_str().is_some());
}

#[test]
fn new_password_required_for_an_admin_created_user() {
    let api = Api::start();
    let user = unique("fred");
    api.admin(
        "AdminCreateUser",
        json!({"Username": user, "TemporaryPassword": "Temp-Passw0rd!", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": "fred@example.com"}]}),
    );
    let challenge = api
        .post(
            "/login",
            json!({"username": user, "password": "Temp-Passw0rd!"}),
        )
        .expect(200)
        .clone();
    assert_eq!(challenge["nextStep"], "NEW_PASSWORD_REQUIRED");
    let session = challenge["loginSession"].as_str().unwrap();
    api.post(
        "/login/new-password",
        json!({"username": user, "loginSession": session, "newPassword": "weak"}),
    )
    .expect_error(400, "invalid_password");
    let challenge = api
        .post(
            "/login",
            json!({"username": user, "password": "Temp-Passw0rd!"}),
        )
        .expect(200)
        .clone();
    let session = challenge["loginSession"].as_str().unwrap();
    let tokens = api
        .post("/login/new-password", json!({"username": user, "loginSession": session, "newPassword": PASSWORD, "attributes": {"name": "Fred"}}))
        .expect(200)
        .clone();
    assert!(tokens["idToken"].as_str().is_some());
    assert!(api.login(&user, PASSWORD)["accessToken"].as_str().is_some());
}

#[test]
fn bad_requests_are_named_and_never_reach_cognito() {
    let api = Api::start();
    let not_json = api.request("POST", "/login", Some(b"{not json".to_vec()), &[]);
    not_json.expect_error(400, "invalid_request");
    let unknown = api.post(
        "/login",
        json!({"username": "a", "password": "b", "remember": true}),
    );
    unknown.expect_error(400, "invalid_request");
    assert!(unknown.body["message"]
        .as_str()
        .unwrap()
        .contains("remember"));
    let missing = api.post("/signup", json!({"username": "a"}));
    assert!(missing.body["message"]
        .as_str()
        .unwrap()
        .contains("password"));
    let wrong_type = api.post(
        "/signup/confirm",
        json!({"username": "a", "confirmationCode": 123456}),
    );
    assert!(wrong_type.body["message"]
        .as_str()
        .unwrap()
        .contains("confirmationCode"));
    let huge = json!({"username": "a", "password": "x".repeat(17 * 1024)});
    api.post("/login", huge)
        .expect_error(413, "payload_too_large");
    api.post("/nope", json!({})).expect_error(404, "not_found");
    api.request("GET", "/login", None, &[])
        .expect_error(405, "method_not_allowed");
    for answer in [not_json, unknown] {
        assert_eq!(answer.header("cache-control"), Some("no-store"));
        assert_eq!(answer.header("content-type"), Some("application/json"));
    }
}

fn pool_on(endpoint: &str) -> (Pool, Vec<(&'static str, String)>) {
    let pool = Pool {
        user_pool_id: "us-east-1_Down".into(),
        client_id: "client".into(),
        client_secret: None,
    };
    (pool, vec![("AWS_ENDPOINT_URL", endpoint.to_owned())])
}

#[test]
fn cognito_refusing_connections_is_503_within_5_seconds() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (pool, env) = pool_on(&format!("http://127.0.0.1:{port}"));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let api = Api::on_pool(pool, &env);
    let started = Instant::now();
    let answer = api.post("/login", json!({"username": "a", "password": "Passw0rd!"}));
    answer.expect_error(503, "upstream_unavailable");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn cognito_hanging_is_503_within_10_seconds() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts connections and never answers.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let (pool, env) = pool_on(&format!("http://127.0.0.1:{port}"));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let api = Api::on_pool(pool, &env);
    let started = Instant::now();
    api.post("/login", json!({"username": "a", "password": "Passw0rd!"}))
        .expect_error(503, "upstream_unavailable");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}
