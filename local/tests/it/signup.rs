//! Sign-up: `/signup`, `/signup/confirm`, `/signup/resend`: a password sign-up confirmed with its code
//! (wrong, resent, expired codes), and a sign-up without a password that signs in at confirmation.

use crate::support::*;
use serde_json::json;

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
fn sign_up_without_a_password_then_signed_in_at_confirmation() {
    let api = passwordless_api(&[]);
    let user = unique("nopass");
    let signup = api
        .post(
            "/signup",
            json!({"username": user, "attributes": [{"Name": "email", "Value": format!("{user}@example.com")}]}),
        )
        .expect(200)
        .clone();
    assert_eq!(
        keys(&signup),
        [
            "codeDeliveryDetails",
            "loginSession",
            "userConfirmed",
            "userSub",
            "username"
        ]
    );
    let code = api.last_code(&user, "SIGN_UP");
    api.post(
        "/signup/confirm",
        json!({"username": user, "confirmationCode": other_than(&code), "loginSession": signup["loginSession"]}),
    )
    .expect_error(400, "code_mismatch");
    let tokens = api
        .post(
            "/signup/confirm",
            json!({"username": user, "confirmationCode": code, "loginSession": signup["loginSession"]}),
        )
        .expect(200)
        .clone();
    assert_tokens(&tokens);
    // Later sign-ins by code work too.
    otp_step(&api, &user, "EMAIL_OTP");
}

#[test]
fn sign_up_without_a_password_needs_a_passwordless_pool_and_the_address() {
    let api = passwordless_api(&[]);
    let missing = api.post(
        "/signup",
        json!({"username": unique("noaddr"), "attributes": [{"Name": "name", "Value": "N"}]}),
    );
    missing.expect_error(400, "invalid_request");
    assert!(missing.body["message"]
        .as_str()
        .unwrap()
        .contains("`attributes`"));
    let api = Api::start();
    let refused = api.post(
        "/signup",
        json!({"username": unique("nopool"), "attributes": [{"Name": "email", "Value": "x@example.com"}]}),
    );
    refused.expect_error(400, "invalid_request");
    assert!(refused.body["message"]
        .as_str()
        .unwrap()
        .contains("`password`"));
    api.post(
        "/signup",
        json!({"username": unique("empty"), "password": ""}),
    )
    .expect_error(400, "invalid_request");
}
