//! Signing in: `/login` and its next steps. The password (USER_PASSWORD_AUTH, SRP, USER_AUTH), the
//! passwordless codes by email and SMS and the method choice (`/login/otp`, `/login/select`), MFA asked
//! during login (SMS, SELECT_MFA_TYPE, MFA_SETUP: `/login/mfa`, `/mfa/totp/*` with a login session), and
//! the forced new password (`/login/new-password`).

use crate::support::*;
use serde_json::{json, Value};

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
fn several_methods_and_none_preferred_answer_select_mfa_type() {
    let api = Api::start();
    let (user, tokens) = signed_in(&api, "sam");
    let access = tokens["accessToken"].as_str().unwrap();
    api.post_bearer(
        "/profile/phone",
        access,
        json!({"phone_number": "+14155550111"}),
    )
    .expect(200);
    let code = api.last_code(&user, "VERIFY_ATTRIBUTE");
    api.post_bearer(
        "/profile/attribute/confirm",
        access,
        json!({"attribute": "phone_number", "confirmationCode": code}),
    )
    .expect(200);
    let secret = api
        .post_bearer("/mfa/totp/setup", access, json!({}))
        .expect(200)["secretCode"]
        .as_str()
        .unwrap()
        .to_owned();
    api.post_bearer("/mfa/totp/verify", access, json!({"code": totp(&secret)}))
        .expect(200);
    // Both enabled, neither preferred: set by an operator, as this API always makes the enabled one preferred.
    api.admin(
        "AdminSetUserMFAPreference",
        json!({"Username": user, "SMSMfaSettings": {"Enabled": true, "PreferredMfa": false},
               "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": false}}),
    );
    let mfa = api
        .post_bearer("/mfa/get", access, json!({}))
        .expect(200)
        .clone();
    assert_eq!(
        mfa,
        json!({"enabled": true, "preferred": null, "methods": ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]})
    );

    let challenge = api
        .post("/login", json!({"username": user, "password": PASSWORD}))
        .expect(200)
        .clone();
    assert_eq!(challenge["nextStep"], "SELECT_MFA_TYPE");
    let mut types: Vec<&str> = challenge["mfaTypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    types.sort();
    assert_eq!(types, ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]);
    let chosen = api
        .post("/login/mfa", json!({"username": user, "loginSession": challenge["loginSession"], "mfaType": "SMS_MFA"}))
        .expect(200)
        .clone();
    assert_eq!(chosen["nextStep"], "MFA_AUTH");
    assert_eq!(chosen["mfaType"], "SMS_MFA");
    let sms = api.last_code(&user, "SMS_MFA");
    let tokens = api
        .post(
            "/login/mfa",
            json!({"username": user, "loginSession": chosen["loginSession"], "mfaCode": sms}),
        )
        .expect(200)
        .clone();
    assert!(tokens["idToken"].is_string());
}

#[test]
fn required_mfa_is_set_up_during_login() {
    let api = Api::start_with(json!({"mfa": "ON", "emailMfa": false}), &[]);
    let user = unique("uma");
    api.confirmed_user(&user, json!([]));
    let challenge = api
        .post("/login", json!({"username": user, "password": PASSWORD}))
        .expect(200)
        .clone();
    assert_eq!(challenge["nextStep"], "MFA_SETUP");
    let setup = api
        .post(
            "/mfa/totp/setup",
            json!({"username": user, "loginSession": challenge["loginSession"]}),
        )
        .expect(200)
        .clone();
    assert_eq!(setup.as_object().unwrap().len(), 3);
    let secret = setup["secretCode"].as_str().unwrap();
    let code = totp(secret);
    api.post(
        "/mfa/totp/verify",
        json!({"username": user, "loginSession": setup["loginSession"], "code": other_than(&code)}),
    )
    .expect_error(400, "code_mismatch");
    let tokens = api
        .post(
            "/mfa/totp/verify",
            json!({"username": user, "loginSession": setup["loginSession"], "code": totp(secret)}),
        )
        .expect(200)
        .clone();
    assert!(tokens["refreshToken"].is_string());
    assert_eq!(tokens.as_object().unwrap().len(), 7);
    // From now on the login asks for the app's code.
    let next = api
        .post("/login", json!({"username": user, "password": PASSWORD}))
        .expect(200)
        .clone();
    assert_eq!(next["mfaType"], "SOFTWARE_TOKEN_MFA");
}

#[test]
fn srp_login_checks_the_password_without_sending_it() {
    let api = Api::start_with(json!({}), &[("LOGIN_FLOW", "USER_SRP_AUTH")]);
    let user = unique("yuri");
    api.confirmed_user(&user, json!([]));
    let tokens = api.login(&user, PASSWORD);
    assert_eq!(tokens.as_object().unwrap().len(), 7);
    let wrong = api.post(
        "/login",
        json!({"username": user, "password": "Wr0ng-Passw0rd!"}),
    );
    let unknown = api.post(
        "/login",
        json!({"username": unique("ghost"), "password": "Wr0ng-Passw0rd!"}),
    );
    wrong.expect_error(401, "not_authorized");
    assert_eq!((wrong.status, &wrong.body), (unknown.status, &unknown.body));
    // Account deletion re-checks the password with the same flow.
    let access = tokens["accessToken"].as_str().unwrap();
    api.post_bearer(
        "/account/delete",
        access,
        json!({"password": "Wr0ng-Passw0rd!"}),
    )
    .expect_error(401, "not_authorized");
    api.post_bearer("/account/delete", access, json!({"password": PASSWORD}))
        .expect(200);
}

#[test]
fn srp_login_with_a_client_secret() {
    let pool = create_pool(json!({"clientSecret": true}));
    let api = Api::on_pool(pool, &[("LOGIN_FLOW", "USER_SRP_AUTH")]);
    let user = unique("zoe");
    api.confirmed_user(&user, json!([]));
    let tokens = api.login(&user, PASSWORD);
    api.post(
        "/session/refresh",
        json!({"username": user, "refreshToken": tokens["refreshToken"]}),
    )
    .expect(200);
    api.post(
        "/login",
        json!({"username": user, "password": "Wr0ng-Passw0rd!"}),
    )
    .expect_error(401, "not_authorized");
}

#[test]
fn email_code_sign_in_with_a_wrong_then_the_right_code() {
    let api = passwordless_api(&[]);
    let user = unique("otpmail");
    api.confirmed_user(&user, json!([]));
    let step = otp_step(&api, &user, "EMAIL_OTP");
    let code = api.last_code(&user, "EMAIL_OTP");
    let body =
        |code: &str| json!({"username": user, "loginSession": step["loginSession"], "code": code});
    api.post("/login/otp", body(other_than(&code)))
        .expect_error(400, "code_mismatch");
    let tokens = api.post("/login/otp", body(&code)).expect(200).clone();
    assert_tokens(&tokens);
    // The code is single use.
    api.post("/login/otp", body(&code))
        .expect_error(401, "not_authorized");
}

#[test]
fn sms_code_sign_in() {
    let api = passwordless_api(&[]);
    let user = unique("otpsms");
    api.confirmed_user(&user, json!([]));
    let access = api.login(&user, PASSWORD)["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    api.post_bearer(
        "/profile/phone",
        &access,
        json!({"phone_number": "+14155550142"}),
    )
    .expect(200);
    let code = api.last_code(&user, "VERIFY_ATTRIBUTE");
    api.post_bearer(
        "/profile/attribute/confirm",
        &access,
        json!({"attribute": "phone_number", "confirmationCode": code}),
    )
    .expect(200);
    let step = otp_step(&api, &user, "SMS_OTP");
    let code = api.last_code(&user, "SMS_OTP");
    let tokens = api
        .post(
            "/login/otp",
            json!({"username": user, "loginSession": step["loginSession"], "code": code}),
        )
        .expect(200)
        .clone();
    assert_tokens(&tokens);
}

#[test]
fn choosing_a_method_then_signing_in_with_each() {
    let api = passwordless_api(&[]);
    let user = unique("choose");
    api.confirmed_user(&user, json!([]));
    let choose = || {
        let step = api
            .post("/login", json!({"username": user}))
            .expect(200)
            .clone();
        assert_eq!(
            keys(&step),
            ["loginSession", "methods", "nextStep"],
            "{step}"
        );
        assert_eq!(step["nextStep"], "SELECT_METHOD");
        step
    };
    let step = choose();
    let methods: Vec<&str> = step["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(
        methods.contains(&"PASSWORD") && methods.contains(&"EMAIL_OTP"),
        "{methods:?}"
    );
    assert!(
        !methods.contains(&"PASSWORD_SRP") && !methods.contains(&"SMS_OTP"),
        "{methods:?}"
    );
    let select = |step: &Value, extra: Value| {
        let mut body = json!({"username": user, "loginSession": step["loginSession"]});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        api.post("/login/select", body)
    };
    select(
        &step,
        json!({"method": "PASSWORD", "password": "Wr0ng-Passw0rd!"}),
    )
    .expect_error(401, "not_authorized");
    let step = choose();
    select(&step, json!({"method": "PASSWORD"})).expect_error(400, "invalid_request");
    assert_tokens(
        &select(&step, json!({"method": "PASSWORD", "password": PASSWORD}))
            .expect(200)
            .clone(),
    );

    let step = choose();
    let otp = select(&step, json!({"method": "EMAIL_OTP"}))
        .expect(200)
        .clone();
    assert_eq!(
        (otp["nextStep"].as_str(), otp["method"].as_str()),
        (Some("OTP_CODE"), Some("EMAIL_OTP"))
    );
    let code = api.last_code(&user, "EMAIL_OTP");
    let tokens = api
        .post(
            "/login/otp",
            json!({"username": user, "loginSession": otp["loginSession"], "code": code}),
        )
        .expect(200)
        .clone();
    assert_tokens(&tokens);
}

#[test]
fn the_password_through_user_auth() {
    let api = passwordless_api(&[("LOGIN_FLOW", "USER_AUTH")]);
    let user = unique("userauth");
    api.confirmed_user(&user, json!([]));
    assert_tokens(&api.login(&user, PASSWORD));
    let wrong = api.post(
        "/login",
        json!({"username": user, "password": "Wr0ng-Passw0rd!"}),
    );
    wrong.expect_error(401, "not_authorized");
    let unknown = api.post(
        "/login",
        json!({"username": unique("nobody"), "password": PASSWORD}),
    );
    assert_eq!((unknown.status, &unknown.body), (wrong.status, &wrong.body));
}
