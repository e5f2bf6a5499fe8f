//! Passwordless sign-in over real HTTP against the emulator, with the codes it recorded: email and SMS
//! codes, the method choice, the password through USER_AUTH, sign-up without a password then sign-in at
//! confirmation, email MFA, the user's factors, the enumeration rules and cookie mode.

mod support;

use serde_json::{json, Value};
use support::*;

const FIRST_FACTORS: &str = "PASSWORD,EMAIL_OTP,SMS_OTP";

fn passwordless_api(extra_env: &[(&str, &str)]) -> Api {
    let mut env = vec![
        ("SIGN_IN_METHODS", FIRST_FACTORS),
        ("LOGIN_SESSION_KEY", "test-login-session-key"),
    ];
    env.extend_from_slice(extra_env);
    Api::start_with(
        json!({"firstFactors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]}),
        &env,
    )
}

fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

const TOKEN_KEYS: [&str; 7] = [
    "accessToken",
    "accessTokenExpiresAt",
    "expiresIn",
    "idToken",
    "idTokenExpiresAt",
    "refreshToken",
    "tokenType",
];

fn assert_tokens(body: &Value) {
    assert_eq!(keys(body), TOKEN_KEYS, "{body}");
}

fn otp_step(api: &Api, user: &str, method: &str) -> Value {
    let step = api
        .post("/login", json!({"username": user, "method": method}))
        .expect(200)
        .clone();
    assert_eq!(
        keys(&step),
        ["loginSession", "method", "nextStep"],
        "{step}"
    );
    assert_eq!(
        (step["nextStep"].as_str(), step["method"].as_str()),
        (Some("OTP_CODE"), Some(method))
    );
    step
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
