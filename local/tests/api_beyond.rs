//! Beyond the original, over HTTP against the emulator: authenticator apps (TOTP), SELECT_MFA_TYPE,
//! MFA_SETUP, attribute code resend, account deletion, single-session revoke, SRP login.

mod support;

use serde_json::{json, Value};
use support::*;

fn signed_in(api: &Api, prefix: &str) -> (String, Value) {
    let user = unique(prefix);
    api.confirmed_user(&user, json!([]));
    let tokens = api.login(&user, PASSWORD);
    (user, tokens)
}

#[test]
fn authenticator_app_set_up_verified_enabled_and_used_at_login() {
    let api = Api::start_with(json!({}), &[("TOTP_ISSUER", "Acme Login")]);
    let (user, tokens) = signed_in(&api, "tina");
    let access = tokens["accessToken"].as_str().unwrap();

    let setup = api
        .post_bearer("/mfa/totp/setup", access, json!({}))
        .expect(200)
        .clone();
    let secret = setup["secretCode"].as_str().unwrap().to_owned();
    assert_eq!(setup.as_object().unwrap().len(), 2);
    assert_eq!(
        setup["otpauthUri"],
        format!("otpauth://totp/Acme%20Login:{user}?secret={secret}&issuer=Acme%20Login").as_str()
    );
    let code = totp(&secret);
    api.post_bearer(
        "/mfa/totp/verify",
        access,
        json!({"code": other_than(&code)}),
    )
    .expect_error(400, "code_mismatch");
    let verified = api.post_bearer(
        "/mfa/totp/verify",
        access,
        json!({"code": totp(&secret), "friendlyDeviceName": "phone"}),
    );
    assert_eq!(verified.expect(200), &json!({"status": "SUCCESS"}));
    api.post_bearer(
        "/mfa/set",
        access,
        json!({"enableMfa": true, "method": "SOFTWARE_TOKEN_MFA"}),
    )
    .expect(200);
    let mfa = api
        .post_bearer("/mfa/get", access, json!({}))
        .expect(200)
        .clone();
    assert_eq!(
        mfa,
        json!({"enabled": true, "preferred": "SOFTWARE_TOKEN_MFA", "methods": ["SOFTWARE_TOKEN_MFA"]})
    );

    let challenge = api
        .post("/login", json!({"username": user, "password": PASSWORD}))
        .expect(200)
        .clone();
    assert_eq!(challenge["nextStep"], "MFA_AUTH");
    assert_eq!(challenge["mfaType"], "SOFTWARE_TOKEN_MFA");
    let session = challenge["loginSession"].as_str().unwrap();
    let code = totp(&secret);
    api.post("/login/mfa", json!({"username": user, "loginSession": session, "mfaType": "SOFTWARE_TOKEN_MFA", "mfaCode": other_than(&code)}))
        .expect_error(400, "code_mismatch");
    let tokens = api
        .post("/login/mfa", json!({"username": user, "loginSession": session, "mfaType": "SOFTWARE_TOKEN_MFA", "mfaCode": totp(&secret)}))
        .expect(200)
        .clone();
    assert!(tokens["accessToken"].is_string());
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
fn attribute_code_resend_then_confirm() {
    let api = Api::start();
    let (user, tokens) = signed_in(&api, "vera");
    let access = tokens["accessToken"].as_str().unwrap();
    api.post_bearer(
        "/profile/edit",
        access,
        json!({"attributes": [{"Name": "email", "Value": "vera.new@example.com"}]}),
    )
    .expect(200);
    let first = api.last_code(&user, "VERIFY_ATTRIBUTE");
    let sent = api
        .post_bearer(
            "/profile/attribute/send-code",
            access,
            json!({"attribute": "email"}),
        )
        .expect(200)
        .clone();
    assert_eq!(sent["codeDeliveryDetails"]["attributeName"], "email");
    assert_eq!(sent.as_object().unwrap().len(), 1);
    let second = api.last_code(&user, "VERIFY_ATTRIBUTE");
    if first != second {
        api.post_bearer(
            "/profile/attribute/confirm",
            access,
            json!({"attribute": "email", "confirmationCode": first}),
        )
        .expect_error(400, "code_mismatch");
    }
    api.post_bearer(
        "/profile/attribute/confirm",
        access,
        json!({"attribute": "email", "confirmationCode": second}),
    )
    .expect(200);
    api.post_bearer(
        "/profile/attribute/send-code",
        access,
        json!({"attribute": "phone_number"}),
    )
    .expect_error(400, "invalid_request");
    api.post_bearer(
        "/profile/attribute/send-code",
        access,
        json!({"attribute": "name"}),
    )
    .expect_error(400, "invalid_request");
}

#[test]
fn account_deletion_needs_the_password() {
    let api = Api::start();
    let (user, tokens) = signed_in(&api, "walt");
    let access = tokens["accessToken"].as_str().unwrap();
    api.post_bearer("/account/delete", access, json!({}))
        .expect_error(400, "invalid_request");
    api.post_bearer(
        "/account/delete",
        access,
        json!({"password": "Wr0ng-Passw0rd!"}),
    )
    .expect_error(401, "not_authorized");
    assert!(
        api.login(&user, PASSWORD)["accessToken"].is_string(),
        "nothing was deleted"
    );
    api.post_bearer("/account/delete", access, json!({"password": PASSWORD}))
        .expect(200);
    api.post("/login", json!({"username": user, "password": PASSWORD}))
        .expect_error(401, "not_authorized");
    api.post_bearer("/profile/get", access, json!({}))
        .expect_error(401, "not_authorized");
}

#[test]
fn revoking_one_session_leaves_the_others() {
    let api = Api::start();
    let (user, first) = signed_in(&api, "xena");
    let second = api.login(&user, PASSWORD);
    api.post("/session/revoke", json!({}))
        .expect_error(400, "invalid_request");
    api.post(
        "/session/revoke",
        json!({"refreshToken": first["refreshToken"]}),
    )
    .expect(200);
    api.post(
        "/session/refresh",
        json!({"username": user, "refreshToken": first["refreshToken"]}),
    )
    .expect_error(401, "not_authorized");
    api.post(
        "/session/refresh",
        json!({"username": user, "refreshToken": second["refreshToken"]}),
    )
    .expect(200);
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
