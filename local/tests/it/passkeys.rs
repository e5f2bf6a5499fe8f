//! Passkeys, verified by the emulator with py_webauthn and made by a software authenticator (the
//! emulator's, driven by local/tests/it/support/authenticator.py): `/passkeys/register/*`, `/passkeys/list`,
//! `/passkeys/delete`, sign-in with `/login/passkey`, and every error path.

use crate::support::*;
use serde_json::{json, Value};

fn passkey_api(extra: &[(&str, &str)]) -> Api {
    let mut env = vec![
        ("SIGN_IN_METHODS", "PASSWORD,EMAIL_OTP,WEB_AUTHN"),
        ("LOGIN_SESSION_KEY", "test-login-session-key"),
    ];
    env.extend_from_slice(extra);
    Api::start_with(
        json!({"firstFactors": ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"],
               "webAuthn": {"relyingPartyId": "localhost", "origins": [ORIGIN]}}),
        &env,
    )
}

fn signed_in(api: &Api, prefix: &str) -> (String, String) {
    let user = unique(prefix);
    api.confirmed_user(&user, json!([]));
    let access = api.login(&user, PASSWORD)["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    (user, access)
}

fn passkey_step(api: &Api, user: &str) -> Value {
    let step = api
        .post("/login", json!({"username": user, "method": "WEB_AUTHN"}))
        .expect(200)
        .clone();
    let mut keys: Vec<&String> = step.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["credentialRequestOptions", "loginSession", "nextStep"],
        "{step}"
    );
    assert_eq!(step["nextStep"], "PASSKEY");
    step
}

#[test]
fn register_list_sign_in_then_delete() {
    let api = passkey_api(&[]);
    let (user, access) = signed_in(&api, "passkey");
    let mut authenticator = Authenticator::new();
    register_passkey(&api, &access, &mut authenticator);

    let list = api
        .post_bearer("/passkeys/list", &access, json!({}))
        .expect(200)
        .clone();
    let passkeys = list["passkeys"].as_array().unwrap();
    assert_eq!((passkeys.len(), &list["nextToken"]), (1, &Value::Null));
    let passkey = &passkeys[0];
    assert_eq!(passkey["relyingPartyId"], "localhost");
    assert!(passkey["createdAt"].as_i64().unwrap() > 1_700_000_000);
    assert!(passkey["transports"]
        .as_array()
        .unwrap()
        .contains(&json!("internal")));
    let credential_id = passkey["credentialId"].as_str().unwrap().to_owned();
    let factors = api
        .post_bearer("/account/factors", &access, json!({}))
        .expect(200)
        .clone();
    assert!(
        factors["signInMethods"]
            .as_array()
            .unwrap()
            .contains(&json!("WEB_AUTHN")),
        "{factors}"
    );

    let step = passkey_step(&api, &user);
    let options = &step["credentialRequestOptions"];
    assert_eq!(options["allowCredentials"][0]["id"], credential_id.as_str());
    let assertion = authenticator.get(options, false);
    let tokens = api
        .post("/login/passkey", json!({"username": user, "loginSession": step["loginSession"], "credential": assertion}))
        .expect(200)
        .clone();
    assert!(tokens["accessToken"].is_string() && tokens["refreshToken"].is_string());
    // The same assertion again: its challenge is spent.
    let again = passkey_step(&api, &user);
    api.post(
        "/login/passkey",
        json!({"username": user, "loginSession": again["loginSession"], "credential": assertion}),
    )
    .expect_error(401, "not_authorized");

    api.post_bearer(
        "/passkeys/delete",
        &access,
        json!({"credentialId": credential_id}),
    )
    .expect(200);
    api.post_bearer(
        "/passkeys/delete",
        &access,
        json!({"credentialId": credential_id}),
    )
    .expect_error(404, "passkey_not_found");
    let list = api
        .post_bearer("/passkeys/list", &access, json!({}))
        .expect(200)
        .clone();
    assert_eq!(list["passkeys"], json!([]));
    // No passkey any more: the step still looks the same, and no assertion signs in.
    let step = passkey_step(&api, &user);
    let assertion = authenticator.get(&step["credentialRequestOptions"], false);
    api.post(
        "/login/passkey",
        json!({"username": user, "loginSession": step["loginSession"], "credential": assertion}),
    )
    .expect_error(401, "not_authorized");
}

#[test]
fn a_forged_assertion_and_an_unknown_user_are_refused_alike() {
    let api = passkey_api(&[]);
    let (user, access) = signed_in(&api, "forge");
    let mut authenticator = Authenticator::new();
    register_passkey(&api, &access, &mut authenticator);
    let step = passkey_step(&api, &user);
    let forged = authenticator.get(&step["credentialRequestOptions"], true);
    api.post(
        "/login/passkey",
        json!({"username": user, "loginSession": step["loginSession"], "credential": forged}),
    )
    .expect_error(401, "not_authorized");
    // An unknown username: the same keys, options naming nobody's credential, and a 401 at the end.
    let nobody = unique("nobody");
    let ghost = passkey_step(&api, &nobody);
    let named = ghost["credentialRequestOptions"]["allowCredentials"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(named
        .iter()
        .all(|c| c["id"] != step["credentialRequestOptions"]["allowCredentials"][0]["id"]));
    let assertion = authenticator.get(&ghost["credentialRequestOptions"], false);
    api.post(
        "/login/passkey",
        json!({"username": nobody, "loginSession": ghost["loginSession"], "credential": assertion}),
    )
    .expect_error(401, "not_authorized");
}

#[test]
fn a_registration_that_does_not_verify_is_passkey_rejected() {
    let api = passkey_api(&[]);
    let (_, access) = signed_in(&api, "reject");
    let mut authenticator = Authenticator::new();
    let start = api
        .post_bearer("/passkeys/register/start", &access, json!({}))
        .expect(200)
        .clone();
    let options = &start["credentialCreationOptions"];
    // Made on another site's page.
    let wrong_origin = authenticator.create(options, "https://evil.example");
    api.post_bearer(
        "/passkeys/register/complete",
        &access,
        json!({"credential": wrong_origin}),
    )
    .expect_error(400, "passkey_rejected");
    // The challenge was spent by that attempt: a good credential now needs a new start.
    let good = authenticator.create(options, ORIGIN);
    api.post_bearer(
        "/passkeys/register/complete",
        &access,
        json!({"credential": good}),
    )
    .expect_error(400, "passkey_rejected");
    api.post_bearer(
        "/passkeys/register/complete",
        &access,
        json!({"credential": "x"}),
    )
    .expect_error(400, "invalid_request");
    register_passkey(&api, &access, &mut authenticator);
}

#[test]
fn adding_a_passkey_needs_a_fresh_sign_in() {
    let api = passkey_api(&[("PASSKEY_REGISTRATION_MAX_AGE_SECONDS", "1")]);
    let (_, access) = signed_in(&api, "stale");
    std::thread::sleep(std::time::Duration::from_millis(2100));
    api.post_bearer("/passkeys/register/start", &access, json!({}))
        .expect_error(403, "reauthentication_required");
    // Listing needs no fresh sign-in.
    api.post_bearer("/passkeys/list", &access, json!({}))
        .expect(200);
}
