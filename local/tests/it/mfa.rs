//! MFA settings of a signed-in user: `/mfa/get`, `/mfa/set`, an authenticator app (`/mfa/totp/setup`,
//! `/mfa/totp/verify`), SMS MFA and its verified phone, email MFA, and the logins that follow.

use crate::support::*;
use serde_json::{json, Value};

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
fn sms_mfa_needs_a_verified_phone_and_a_refusal_changes_nothing() {
    let api = Api::start();
    let (user, tokens) = signed_in(&api, "ivan");
    let access = tokens["accessToken"].as_str().unwrap();
    // A phone that was never confirmed: Cognito itself would accept it for SMS MFA.
    api.post_bearer(
        "/profile/phone",
        access,
        json!({"phone_number": "+14155550177"}),
    )
    .expect(200);
    for body in [
        json!({"enableMfa": true}),
        json!({"enableMfa": true, "method": "SMS_MFA"}),
    ] {
        let answer = api.post_bearer("/mfa/set", access, body);
        answer.expect_error(400, "mfa_not_set_up");
    }
    assert_eq!(
        api.post_bearer("/mfa/get", access, json!({}))
            .expect(200)
            .clone(),
        json!({"enabled": false, "preferred": null, "methods": []})
    );
    assert!(api.login(&user, PASSWORD)["accessToken"].is_string());
}

#[test]
fn phone_then_sms_mfa_then_phone_removal() {
    let api = Api::start();
    let (user, tokens) = signed_in(&api, "jack");
    let access = tokens["accessToken"].as_str().unwrap();

    api.post_bearer("/mfa/set", access, json!({"enableMfa": true}))
        .expect_error(400, "mfa_not_set_up");
    api.post_bearer(
        "/mfa/set",
        access,
        json!({"enableMfa": true, "method": "SOFTWARE_TOKEN_MFA"}),
    )
    .expect_error(400, "mfa_not_set_up");
    api.post_bearer("/mfa/set", access, json!({"enableMfa": "true"}))
        .expect_error(400, "invalid_request");
    api.post_bearer(
        "/profile/phone",
        access,
        json!({"phone_number": "0415 555 0123"}),
    )
    .expect_error(400, "invalid_request");
    api.post_bearer("/profile/phone", access, json!({}))
        .expect_error(400, "invalid_request");

    let set = api
        .post_bearer(
            "/profile/phone",
            access,
            json!({"phone_number": "+14155550199"}),
        )
        .expect(200)
        .clone();
    assert_eq!(set["status"], "SUCCESS");
    assert_eq!(set["codeDeliveryDetails"]["attributeName"], "phone_number");
    let code = api.last_code(&user, "VERIFY_ATTRIBUTE");
    api.post_bearer(
        "/profile/attribute/confirm",
        access,
        json!({"attribute": "phone_number", "confirmationCode": code}),
    )
    .expect(200);

    let off = api
        .post_bearer("/mfa/get", access, json!({}))
        .expect(200)
        .clone();
    assert_eq!(
        off,
        json!({"enabled": false, "preferred": null, "methods": []})
    );
    api.post_bearer(
        "/mfa/set",
        access,
        json!({"enableMfa": true, "method": "SMS_MFA"}),
    )
    .expect(200);
    let on = api
        .post_bearer("/mfa/get", access, json!({}))
        .expect(200)
        .clone();
    assert_eq!(
        on,
        json!({"enabled": true, "preferred": "SMS_MFA", "methods": ["SMS_MFA"]})
    );
    let challenge = api
        .post("/login", json!({"username": user, "password": PASSWORD}))
        .expect(200)
        .clone();
    assert_eq!(challenge["nextStep"], "MFA_AUTH");

    // Removing the phone turns SMS MFA off first, so the user is not locked out.
    let removed = api
        .post_bearer("/profile/phone", access, json!({"phone_number": null}))
        .expect(200)
        .clone();
    assert_eq!(
        removed,
        json!({"status": "SUCCESS", "codeDeliveryDetails": null})
    );
    let after = api
        .post_bearer("/mfa/get", access, json!({}))
        .expect(200)
        .clone();
    assert_eq!(after["enabled"], false);
    let profile = api
        .post_bearer("/profile/get", access, json!({}))
        .expect(200)
        .clone();
    assert_eq!(attribute(&profile, "phone_number"), None);
    assert!(api.login(&user, PASSWORD)["accessToken"].is_string());
}

#[test]
fn email_mfa_enrolment_then_the_login_asks_for_the_email_code() {
    let api = passwordless_api(&[]);
    let user = unique("emailmfa");
    api.confirmed_user(&user, json!([]));
    let access = api.login(&user, PASSWORD)["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = api
        .post_bearer("/account/factors", &access, json!({}))
        .expect(200)
        .clone();
    assert_eq!(
        keys(&before),
        ["mfaMethods", "preferredMfa", "signInMethods"]
    );
    assert_eq!(before["mfaMethods"], json!([]));
    assert_eq!(before["preferredMfa"], Value::Null);
    let sign_in: Vec<&str> = before["signInMethods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(
        sign_in.contains(&"PASSWORD") && !sign_in.contains(&"SOFTWARE_TOKEN"),
        "{sign_in:?}"
    );

    api.post_bearer(
        "/mfa/set",
        &access,
        json!({"enableMfa": true, "method": "EMAIL_OTP"}),
    )
    .expect(200);
    let settings = api
        .post_bearer("/mfa/get", &access, json!({}))
        .expect(200)
        .clone();
    assert_eq!(
        settings,
        json!({"enabled": true, "preferred": "EMAIL_OTP", "methods": ["EMAIL_OTP"]})
    );
    let after = api
        .post_bearer("/account/factors", &access, json!({}))
        .expect(200)
        .clone();
    assert_eq!(
        (after["mfaMethods"].clone(), after["preferredMfa"].clone()),
        (json!(["EMAIL_OTP"]), json!("EMAIL_OTP"))
    );

    let step = api
        .post("/login", json!({"username": user, "password": PASSWORD}))
        .expect(200)
        .clone();
    assert_eq!(
        (step["nextStep"].as_str(), step["mfaType"].as_str()),
        (Some("MFA_AUTH"), Some("EMAIL_OTP"))
    );
    let code = api.last_code(&user, "EMAIL_MFA");
    let tokens = api
        .post(
            "/login/mfa",
            json!({"username": user, "loginSession": step["loginSession"], "mfaCode": code, "mfaType": "EMAIL_OTP"}),
        )
        .expect(200)
        .clone();
    assert_tokens(&tokens);
}
