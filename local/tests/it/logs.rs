//! Runs every flow with logging at TRACE (ours and the SDK's) on a pool with a client secret, then
//! checks that no password, code, token, session or secret reached the logs.

use crate::support::*;
use serde_json::{json, Value};

#[test]
fn no_secret_reaches_the_logs_even_at_trace() {
    let pool = create_pool(json!({"clientSecret": true}));
    let client_secret = pool
        .client_secret
        .clone()
        .expect("a pool with a client secret");
    let api = Api::on_pool(pool, &[("RUST_LOG", "trace"), ("PARANOIA", "3")]);
    let mut secrets: Vec<String> = vec![client_secret, PASSWORD.to_owned()];
    let mut keep = |value: &Value| {
        if let Some(s) = value.as_str() {
            secrets.push(s.to_owned());
        }
    };

    let user = unique("secret");
    let email = format!("{user}@example.com");
    api.post("/signup", json!({"username": user, "password": PASSWORD, "attributes": [{"Name": "email", "Value": email}]}))
        .expect(200);
    let code = api.last_code(&user, "SIGN_UP");
    keep(&json!(code));
    api.post(
        "/signup/confirm",
        json!({"username": user, "confirmationCode": code}),
    )
    .expect(200);
    api.post(
        "/login",
        json!({"username": user, "password": "Wr0ng-Passw0rd!"}),
    )
    .expect_error(401, "not_authorized");
    keep(&json!("Wr0ng-Passw0rd!"));

    let tokens = api.login(&user, PASSWORD);
    for key in ["accessToken", "idToken", "refreshToken"] {
        keep(&tokens[key]);
    }
    let access = tokens["accessToken"].as_str().unwrap().to_owned();
    let refreshed = api
        .post(
            "/session/refresh",
            json!({"username": user, "refreshToken": tokens["refreshToken"]}),
        )
        .expect(200)
        .clone();
    keep(&refreshed["accessToken"]);
    keep(&refreshed["idToken"]);

    api.post_bearer(
        "/profile/phone",
        &access,
        json!({"phone_number": "+14155550142"}),
    )
    .expect(200);
    let phone_code = api.last_code(&user, "VERIFY_ATTRIBUTE");
    keep(&json!(phone_code));
    api.post_bearer(
        "/profile/attribute/confirm",
        &access,
        json!({"attribute": "phone_number", "confirmationCode": phone_code}),
    )
    .expect(200);
    api.post_bearer("/mfa/set", &access, json!({"enableMfa": true}))
        .expect(200);
    let challenge = api
        .post("/login", json!({"username": user, "password": PASSWORD}))
        .expect(200)
        .clone();
    keep(&challenge["loginSession"]);
    let sms = api.last_code(&user, "SMS_MFA");
    keep(&json!(sms));
    let mfa_tokens = api
        .post(
            "/login/mfa",
            json!({"username": user, "loginSession": challenge["loginSession"], "mfaCode": sms}),
        )
        .expect(200)
        .clone();
    keep(&mfa_tokens["accessToken"]);
    keep(&mfa_tokens["refreshToken"]);

    let new_password = "An0ther-Secret!";
    keep(&json!(new_password));
    api.post(
        "/profile/get",
        json!({"refreshToken": tokens["refreshToken"], "username": user}),
    )
    .expect(200);
    api.post_bearer(
        "/password/change",
        &access,
        json!({"oldPassword": PASSWORD, "newPassword": new_password}),
    )
    .expect(200);
    api.post("/password/forgot", json!({"username": user}))
        .expect(200);
    let reset = api.last_code(&user, "FORGOT_PASSWORD");
    keep(&json!(reset));
    let final_password = "Fin4l-Secret!!";
    keep(&json!(final_password));
    api.post(
        "/password/reset",
        json!({"username": user, "passwordResetCode": reset, "newPassword": final_password}),
    )
    .expect(200);
    api.post_bearer("/logout", &access, json!({})).expect(200);

    let logs = api.logs();
    // The capture works and really is at TRACE, the SDK included: otherwise this test proves nothing.
    assert!(
        logs.contains("request handled"),
        "our own log lines are captured"
    );
    assert!(logs.contains("TRACE"), "trace level is on");
    assert!(
        logs.contains("aws_smithy") || logs.contains("invoke"),
        "the SDK's own trace lines are captured"
    );
    assert_eq!(
        logs.matches("PARANOIA is set and ignored").count(),
        1,
        "exactly one line about PARANOIA"
    );
    for secret in &secrets {
        assert!(
            secret.len() >= 6,
            "a secret too short to search for: {secret:?}"
        );
        assert!(
            !logs.contains(secret.as_str()),
            "a secret reached the logs: {}…",
            &secret[..6]
        );
    }
    // Nor any personal data of ours: the email address and phone number.
    assert!(
        !logs.contains(&email) && !logs.contains("4155550142"),
        "personal data reached the logs"
    );
}
