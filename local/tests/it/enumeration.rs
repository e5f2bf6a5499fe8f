//! No enumeration, tried from outside as an attacker would: a wrong password and an unknown user answer
//! alike; passwordless codes and the method choice reveal nobody; against pools configured as AWS
//! configures them (the WebAuthn settings on the pool, the API's PASSKEY_* variables unset), the answer
//! for an account that does not exist (or lacks the method) equals the real one in every value that is
//! the same for every user of the pool; and with HIDE_EXISTING_USERS a duplicate sign-up looks new, sends
//! nothing and cannot be confirmed. The timing half is in local/tests/timing/main.rs (a test binary of
//! its own).

use crate::support::*;
use serde_json::{json, Value};

const KEY: (&str, &str) = ("LOGIN_SESSION_KEY", "enumeration-test-key");

const METHODS: (&str, &str) = ("SIGN_IN_METHODS", "PASSWORD,EMAIL_OTP,WEB_AUTHN");

fn passkey_pool() -> Pool {
    create_pool(json!({
        "firstFactors": ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"],
        "webAuthn": {"relyingPartyId": "localhost", "userVerification": "required", "origins": [ORIGIN]},
    }))
}

fn sorted_keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

/// Every value of a `PASSKEY` step that is the same for every user of the pool.
fn pool_wide(step: &Value) -> Value {
    let options = &step["credentialRequestOptions"];
    let challenge = options["challenge"].as_str().unwrap_or_default();
    let entries = options["allowCredentials"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    json!({
        "stepKeys": sorted_keys(step),
        "nextStep": step["nextStep"],
        "optionKeys": sorted_keys(options),
        "rpId": options["rpId"],
        "userVerification": options["userVerification"],
        "timeout": options["timeout"],
        "attestation": options["attestation"],
        "attestationFormats": options["attestationFormats"],
        "hints": options["hints"],
        "challengeChars": challenge.len(),
        "credentialCount": entries.len(),
        "credentialKeys": entries.iter().map(sorted_keys).collect::<Vec<_>>(),
        "credentialTypes": entries.iter().map(|e| e["type"].clone()).collect::<Vec<_>>(),
    })
}

fn passkey_step(api: &Api, username: &str) -> Value {
    api.post(
        "/login",
        json!({"username": username, "method": "WEB_AUTHN"}),
    )
    .expect(200)
    .clone()
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
fn no_enumeration_by_code_or_by_choice() {
    let api = passwordless_api(&[]);
    let user = unique("known");
    api.confirmed_user(&user, json!([]));
    let nobody = unique("nobody");
    // A method the user cannot use (no phone) and an unknown user answer like a usable one...
    let real = otp_step(&api, &user, "EMAIL_OTP");
    let no_phone = otp_step(&api, &user, "SMS_OTP");
    let unknown = otp_step(&api, &nobody, "EMAIL_OTP");
    assert!(
        api.messages(&user).iter().all(|m| m["kind"] != "SMS_OTP"),
        "no code another way"
    );
    // ...and any code for them reads like a wrong one.
    for (name, step) in [(&user, &no_phone), (&nobody, &unknown), (&user, &real)] {
        api.post(
            "/login/otp",
            json!({"username": name, "loginSession": step["loginSession"], "code": "00000000"}),
        )
        .expect_error(400, "code_mismatch");
    }
    // Without a method, the same keys for a known and an unknown user.
    let known_choice = api
        .post("/login", json!({"username": user}))
        .expect(200)
        .clone();
    let unknown_choice = api
        .post("/login", json!({"username": nobody}))
        .expect(200)
        .clone();
    assert_eq!(keys(&known_choice), keys(&unknown_choice));
    assert_eq!(unknown_choice["nextStep"], "SELECT_METHOD");
    api.post(
        "/login/select",
        json!({"username": nobody, "loginSession": unknown_choice["loginSession"], "method": "PASSWORD", "password": PASSWORD}),
    )
    .expect_error(401, "not_authorized");
    // A method outside SIGN_IN_METHODS: the same 400 for everyone.
    let api = Api::start_with(
        json!({"firstFactors": ["PASSWORD", "EMAIL_OTP"]}),
        &[("SIGN_IN_METHODS", "PASSWORD,EMAIL_OTP")],
    );
    for name in [&user, &nobody] {
        let refused = api.post("/login", json!({"username": name, "method": "SMS_OTP"}));
        refused.expect_error(400, "invalid_request");
        assert!(refused.body["message"]
            .as_str()
            .unwrap()
            .contains("`method`"));
    }
}

#[test]
fn a_made_up_passkey_step_equals_a_real_one_value_by_value() {
    let api = Api::on_pool(passkey_pool(), &[METHODS, KEY]);
    let holder = unique("holder");
    api.confirmed_user(&holder, json!([]));
    let access = api.login(&holder, PASSWORD)["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut authenticator = Authenticator::new();
    register_passkey(&api, &access, &mut authenticator);
    let without = unique("nopasskey");
    api.confirmed_user(&without, json!([]));

    let real = passkey_step(&api, &holder);
    assert_eq!(real["credentialRequestOptions"]["rpId"], "localhost");
    assert_eq!(
        real["credentialRequestOptions"]["userVerification"],
        "required"
    );
    // A user without a passkey: the API's decoy (Cognito offers no WEB_AUTHN challenge).
    let decoy = passkey_step(&api, &without);
    assert_eq!(pool_wide(&decoy), pool_wide(&real), "{decoy}\n{real}");
    // An unknown user under LEGACY (UserNotFoundException): the API's decoy too.
    let legacy = Api::on_pool(legacy_client(&api), &[METHODS, KEY]);
    let ghost_name = unique("ghost");
    let ghost = passkey_step(&legacy, &ghost_name);
    assert_eq!(pool_wide(&ghost), pool_wide(&real), "{ghost}\n{real}");
    let real_again = passkey_step(&legacy, &holder);
    assert_eq!(pool_wide(&ghost), pool_wide(&real_again));
    // The session of a decoy is as long as a real one's.
    assert_eq!(
        decoy["loginSession"].as_str().unwrap().len(),
        real["loginSession"].as_str().unwrap().len()
    );

    // A failed assertion reads the same for the real step and the decoys.
    let forged = authenticator.get(&real["credentialRequestOptions"], true);
    let refused = |api: &Api, user: &str, step: &Value| {
        api.post(
            "/login/passkey",
            json!({"username": user, "loginSession": step["loginSession"], "credential": forged}),
        )
    };
    let truth = refused(&api, &holder, &real);
    truth.expect_error(401, "not_authorized");
    for (api, user, step) in [(&api, &without, &decoy), (&legacy, &ghost_name, &ghost)] {
        let answer = refused(api, user, step);
        assert_eq!((answer.status, &answer.body), (truth.status, &truth.body));
    }
}

#[test]
fn a_made_up_select_step_lists_the_pools_first_factors() {
    // SIGN_IN_METHODS says less than the pool: the decoy follows the pool, as Cognito's list does.
    let api = Api::on_pool(
        passkey_pool(),
        &[("SIGN_IN_METHODS", "PASSWORD,EMAIL_OTP"), KEY],
    );
    let legacy = Api::on_pool(
        legacy_client(&api),
        &[("SIGN_IN_METHODS", "PASSWORD,EMAIL_OTP"), KEY],
    );
    let ghost = legacy
        .post("/login", json!({"username": unique("ghost")}))
        .expect(200)
        .clone();
    assert_eq!(ghost["nextStep"], "SELECT_METHOD");
    assert_eq!(
        ghost["methods"],
        json!(["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"])
    );
    let user = unique("chooser");
    api.confirmed_user(&user, json!([]));
    let real = legacy
        .post("/login", json!({"username": user}))
        .expect(200)
        .clone();
    assert_eq!(sorted_keys(&ghost), sorted_keys(&real));
    assert_eq!(
        ghost["loginSession"].as_str().unwrap().len(),
        real["loginSession"].as_str().unwrap().len()
    );
}

#[test]
fn a_pool_without_passkey_settings_fails_every_passkey_step_alike() {
    // WEB_AUTHN is a first factor, but the pool names no relying party and has no domain.
    let api = Api::start_with(
        json!({"firstFactors": ["PASSWORD", "WEB_AUTHN"]}),
        &[("SIGN_IN_METHODS", "PASSWORD,WEB_AUTHN"), KEY],
    );
    let user = unique("plain");
    api.confirmed_user(&user, json!([]));
    let real = api.post("/login", json!({"username": user, "method": "WEB_AUTHN"}));
    real.expect_error(500, "internal");
    let ghost = api.post(
        "/login",
        json!({"username": unique("ghost"), "method": "WEB_AUTHN"}),
    );
    assert_eq!((ghost.status, &ghost.body), (real.status, &real.body));
    let logs = api.logs();
    assert!(
        logs.contains("PASSKEY_RELYING_PARTY_ID"),
        "one error line names the setting: {logs}"
    );
    // The variable fills what the pool does not say: then both are steps of the same shape.
    let api = Api::on_pool(
        api.pool.clone(),
        &[
            ("SIGN_IN_METHODS", "PASSWORD,WEB_AUTHN"),
            KEY,
            ("PASSKEY_RELYING_PARTY_ID", "localhost"),
            ("PASSKEY_USER_VERIFICATION", "preferred"),
        ],
    );
    let ghost = passkey_step(&api, &unique("ghost"));
    assert_eq!(ghost["credentialRequestOptions"]["rpId"], "localhost");
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

#[test]
fn a_hidden_duplicate_passwordless_sign_up_cannot_be_confirmed() {
    let api = passwordless_api(&[("HIDE_EXISTING_USERS", "true")]);
    let user = unique("hiddenpl");
    let email = json!([{"Name": "email", "Value": format!("{user}@example.com")}]);
    let first = api
        .post("/signup", json!({"username": user, "attributes": email}))
        .expect(200)
        .clone();
    let code = api.last_code(&user, "SIGN_UP");
    let second = api
        .post("/signup", json!({"username": user, "attributes": email}))
        .expect(200)
        .clone();
    assert_eq!(keys(&first), keys(&second));
    let (a, b) = (
        first["loginSession"].as_str().unwrap().len(),
        second["loginSession"].as_str().unwrap().len(),
    );
    assert!(b > 100, "a decoy of a plausible length: {a} vs {b}");
    api.post(
        "/signup/confirm",
        json!({"username": user, "confirmationCode": code, "loginSession": second["loginSession"]}),
    )
    .expect_error(400, "code_mismatch");
}

#[test]
fn a_hidden_duplicate_of_a_confirmed_account_reads_as_a_wrong_code_at_confirmation() {
    let env = [
        ("HIDE_EXISTING_USERS", "true"),
        ("SIGN_IN_METHODS", "PASSWORD,EMAIL_OTP"),
        KEY,
    ];
    let api = Api::start_with(json!({"firstFactors": ["PASSWORD", "EMAIL_OTP"]}), &env);
    let attributes =
        |user: &str| json!([{"Name": "email", "Value": format!("{user}@example.com")}]);
    // The truth: a fresh sign-up confirmed with a wrong code.
    let fresh = unique("fresh");
    let real = api
        .post(
            "/signup",
            json!({"username": fresh, "password": PASSWORD, "attributes": attributes(&fresh)}),
        )
        .expect(200)
        .clone();
    let code = api.last_code(&fresh, "SIGN_UP");
    let truth = api.post(
        "/signup/confirm",
        json!({"username": fresh, "confirmationCode": other_than(&code), "loginSession": real["loginSession"]}),
    );
    truth.expect_error(400, "code_mismatch");

    // A confirmed account, signed up again: hidden, and its confirmation reads the same.
    let taken = unique("taken");
    api.confirmed_user(&taken, json!([]));
    let hidden = api
        .post(
            "/signup",
            json!({"username": taken, "password": "An0ther-Passw0rd!", "attributes": attributes(&taken)}),
        )
        .expect(200)
        .clone();
    assert_eq!(sorted_keys(&hidden), sorted_keys(&real));
    assert_eq!(hidden["userConfirmed"], real["userConfirmed"]);
    assert_eq!(
        hidden["loginSession"].as_str().unwrap().len(),
        real["loginSession"].as_str().unwrap().len()
    );
    for session in [
        Some(hidden["loginSession"].clone()),
        None,
        Some(json!("a-session-nobody-issued")),
    ] {
        let mut body = json!({"username": taken, "confirmationCode": "123456"});
        if let Some(session) = session {
            body["loginSession"] = session;
        }
        let answer = api.post("/signup/confirm", body);
        assert_eq!((answer.status, &answer.body), (truth.status, &truth.body));
    }
    // Nothing about the account changed: its own password still signs in, the other does not.
    api.login(&taken, PASSWORD);
    api.post(
        "/login",
        json!({"username": taken, "password": "An0ther-Passw0rd!"}),
    )
    .expect_error(401, "not_authorized");

    // Without HIDE_EXISTING_USERS the answer stays as documented.
    let plain = Api::on_pool(api.pool.clone(), &[]);
    plain
        .post(
            "/signup/confirm",
            json!({"username": taken, "confirmationCode": "123456"}),
        )
        .expect_error(401, "not_authorized");
}
