//! Part 2 over real HTTP against the emulator: MFA settings, profile, phone, attribute confirmation,
//! password change / forgot / reset, each credential form, and 401 everywhere after logout.

mod support;

use serde_json::{json, Value};
use support::*;

fn signed_in(api: &Api, prefix: &str) -> (String, Value) {
    let user = unique(prefix);
    api.confirmed_user(&user, json!([{"Name": "name", "Value": "Original Name"}]));
    let tokens = api.login(&user, PASSWORD);
    (user, tokens)
}

fn attribute(profile: &Value, name: &str) -> Option<String> {
    profile["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Name"] == name)
        .map(|a| a["Value"].as_str().unwrap().to_owned())
}

#[test]
fn profile_read_and_edit_with_each_credential_form() {
    let api = Api::start();
    let (user, tokens) = signed_in(&api, "gina");
    let access = tokens["accessToken"].as_str().unwrap();

    let by_header = api
        .post_bearer("/profile/get", access, json!({}))
        .expect(200)
        .clone();
    assert_eq!(by_header["username"], user.as_str());
    assert_eq!(
        attribute(&by_header, "name").as_deref(),
        Some("Original Name")
    );
    assert_eq!(by_header.as_object().unwrap().len(), 2);
    let by_body = api
        .post(
            "/profile/get",
            json!({"accessToken": access, "idToken": tokens["idToken"]}),
        )
        .expect(200)
        .clone();
    let by_refresh = api
        .post(
            "/profile/get",
            json!({"refreshToken": tokens["refreshToken"], "username": user}),
        )
        .expect(200)
        .clone();
    assert_eq!(by_header, by_body);
    assert_eq!(by_header, by_refresh);
    // An empty body is `{}`.
    assert_eq!(
        api.request(
            "POST",
            "/profile/get",
            None,
            &[("authorization", &format!("Bearer {access}"))]
        )
        .status,
        200
    );

    // Update one attribute and delete another in the same call.
    let edited = api
        .post_bearer(
            "/profile/edit",
            access,
            json!({"attributes": [{"Name": "given_name", "Value": "Gina"}, {"Name": "name", "Value": ""}]}),
        )
        .expect(200)
        .clone();
    assert_eq!(
        edited,
        json!({"status": "SUCCESS", "codeDeliveryDetails": []})
    );
    let profile = api
        .post_bearer("/profile/get", access, json!({}))
        .expect(200)
        .clone();
    assert_eq!(attribute(&profile, "given_name").as_deref(), Some("Gina"));
    assert_eq!(attribute(&profile, "name"), None);

    // null deletes too; the body-credential form works for edits.
    api.post(
        "/profile/edit",
        json!({"accessToken": access, "attributes": [{"Name": "given_name", "Value": null}]}),
    )
    .expect(200);
    let profile = api
        .post_bearer("/profile/get", access, json!({}))
        .expect(200)
        .clone();
    assert_eq!(attribute(&profile, "given_name"), None);
}

#[test]
fn profile_edit_refuses_what_it_must_not_change() {
    let api = Api::start();
    let (_, tokens) = signed_in(&api, "hank");
    let access = tokens["accessToken"].as_str().unwrap();
    for (name, hint) in [
        ("phone_number", "/profile/phone"),
        ("sub", "sub"),
        ("favourite_colour", "favourite_colour"),
        ("custom:not_in_schema", "custom:not_in_schema"),
    ] {
        let answer = api.post_bearer(
            "/profile/edit",
            access,
            json!({"attributes": [{"Name": name, "Value": "x"}]}),
        );
        answer.expect_error(400, "invalid_request");
        assert!(
            answer.body["message"].as_str().unwrap().contains(hint),
            "{name}: {}",
            answer.body
        );
    }
    // A custom attribute in the schema is fine.
    api.post_bearer(
        "/profile/edit",
        access,
        json!({"attributes": [{"Name": "custom:team", "Value": "blue"}]}),
    )
    .expect(200);
    // Nothing was stored by the refused calls.
    let profile = api
        .post_bearer("/profile/get", access, json!({}))
        .expect(200)
        .clone();
    assert_eq!(attribute(&profile, "custom:team").as_deref(), Some("blue"));
    assert_eq!(attribute(&profile, "phone_number"), None);
}

#[test]
fn an_attribute_without_value_is_refused_and_kept() {
    let api = Api::start();
    let (_, tokens) = signed_in(&api, "hugo");
    let access = tokens["accessToken"].as_str().unwrap();
    let answer = api.post_bearer(
        "/profile/edit",
        access,
        json!({"attributes": [{"Name": "name"}]}),
    );
    answer.expect_error(400, "invalid_request");
    assert!(
        answer.body["message"]
            .as_str()
            .unwrap()
            .contains("`attributes[0].Value`"),
        "{}",
        answer.body
    );
    let profile = api
        .post_bearer("/profile/get", access, json!({}))
        .expect(200)
        .clone();
    assert_eq!(
        attribute(&profile, "name").as_deref(),
        Some("Original Name")
    );
    // An explicit null still deletes.
    api.post_bearer(
        "/profile/edit",
        access,
        json!({"attributes": [{"Name": "name", "Value": null}]}),
    )
    .expect(200);
    let profile = api
        .post_bearer("/profile/get", access, json!({}))
        .expect(200)
        .clone();
    assert_eq!(attribute(&profile, "name"), None);
}

#[test]
fn removing_a_phone_the_user_does_not_have_is_a_success() {
    let api = Api::start();
    let (_, tokens) = signed_in(&api, "ines");
    let access = tokens["accessToken"].as_str().unwrap();
    for _ in 0..2 {
        let removed = api
            .post_bearer("/profile/phone", access, json!({"phone_number": null}))
            .expect(200)
            .clone();
        assert_eq!(
            removed,
            json!({"status": "SUCCESS", "codeDeliveryDetails": null})
        );
    }
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
fn email_change_is_confirmed_with_its_code() {
    let api = Api::start();
    let (user, tokens) = signed_in(&api, "iris");
    let access = tokens["accessToken"].as_str().unwrap();
    let edited = api
        .post_bearer(
            "/profile/edit",
            access,
            json!({"attributes": [{"Name": "email", "Value": "new-iris@example.com"}]}),
        )
        .expect(200)
        .clone();
    assert_eq!(edited["codeDeliveryDetails"][0]["attributeName"], "email");
    let profile = api
        .post_bearer("/profile/get", access, json!({}))
        .expect(200)
        .clone();
    assert_eq!(
        attribute(&profile, "email_verified").as_deref(),
        Some("false")
    );
    let code = api.last_code(&user, "VERIFY_ATTRIBUTE");
    api.post_bearer(
        "/profile/attribute/confirm",
        access,
        json!({"attribute": "email", "confirmationCode": "000000x"}),
    )
    .expect_error(400, "code_mismatch");
    api.post_bearer(
        "/profile/attribute/confirm",
        access,
        json!({"attribute": "email", "confirmationCode": code}),
    )
    .expect(200);
    let profile = api
        .post_bearer("/profile/get", access, json!({}))
        .expect(200)
        .clone();
    assert_eq!(
        attribute(&profile, "email_verified").as_deref(),
        Some("true")
    );
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
fn password_change() {
    let api = Api::start();
    let (user, tokens) = signed_in(&api, "kate");
    let access = tokens["accessToken"].as_str().unwrap();
    let new_password = "N3w-Passw0rd!!";
    api.post_bearer(
        "/password/change",
        access,
        json!({"oldPassword": "Wr0ng-Passw0rd!", "newPassword": new_password}),
    )
    .expect_error(401, "not_authorized");
    api.post_bearer(
        "/password/change",
        access,
        json!({"oldPassword": PASSWORD, "newPassword": "weak"}),
    )
    .expect_error(400, "invalid_password");
    // Refresh-token credentials work here too.
    api.post(
        "/password/change",
        json!({"refreshToken": tokens["refreshToken"], "username": user, "oldPassword": PASSWORD, "newPassword": new_password}),
    )
    .expect(200);
    api.post("/login", json!({"username": user, "password": PASSWORD}))
        .expect_error(401, "not_authorized");
    assert!(api.login(&user, new_password)["accessToken"].is_string());
}

#[test]
fn forgot_then_reset_password() {
    let api = Api::start();
    let (user, _) = signed_in(&api, "liam");
    let known = api
        .post("/password/forgot", json!({"username": user}))
        .expect(200)
        .clone();
    let unknown = api.post("/password/forgot", json!({"username": unique("nobody")}));
    assert_eq!(unknown.status, 200);
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&known), keys(&unknown.body));
    assert_eq!(known["status"], "SUCCESS");
    assert_eq!(known["codeDeliveryDetails"]["deliveryMedium"], "EMAIL");

    let code = api.last_code(&user, "FORGOT_PASSWORD");
    let new_password = "Res3t-Passw0rd!";
    let wrong = if code == "000000" { "111111" } else { "000000" };
    api.post(
        "/password/reset",
        json!({"username": user, "passwordResetCode": wrong, "newPassword": new_password}),
    )
    .expect_error(400, "code_mismatch");
    api.post(
        "/password/reset",
        json!({"username": user, "passwordResetCode": code, "newPassword": "weak"}),
    )
    .expect_error(400, "invalid_password");
    api.post(
        "/password/reset",
        json!({"username": user, "passwordResetCode": code, "newPassword": new_password}),
    )
    .expect(200);
    assert!(api.login(&user, new_password)["accessToken"].is_string());
    api.post("/login", json!({"username": user, "password": PASSWORD}))
        .expect_error(401, "not_authorized");

    api.post("/password/forgot", json!({"username": user}))
        .expect(200);
    let code = api.last_code(&user, "FORGOT_PASSWORD");
    api.expire_codes(&user);
    api.post(
        "/password/reset",
        json!({"username": user, "passwordResetCode": code, "newPassword": "An0ther-Passw0rd!"}),
    )
    .expect_error(400, "expired_code");
}

#[test]
fn every_authenticated_route_is_401_after_logout() {
    let api = Api::start();
    let (user, tokens) = signed_in(&api, "mona");
    let access = tokens["accessToken"].as_str().unwrap();
    api.post_bearer("/logout", access, json!({})).expect(200);
    let routes = [
        ("/mfa/get", json!({})),
        ("/mfa/set", json!({"enableMfa": false})),
        ("/profile/get", json!({})),
        (
            "/profile/edit",
            json!({"attributes": [{"Name": "name", "Value": "x"}]}),
        ),
        ("/profile/phone", json!({"phone_number": "+14155550100"})),
        (
            "/profile/attribute/confirm",
            json!({"attribute": "email", "confirmationCode": "123456"}),
        ),
        (
            "/password/change",
            json!({"oldPassword": PASSWORD, "newPassword": "An0ther-Passw0rd!"}),
        ),
        ("/logout", json!({})),
    ];
    for (route, body) in &routes {
        api.post_bearer(route, access, body.clone())
            .expect_error(401, "not_authorized");
        let mut with_refresh = body.clone();
        with_refresh["refreshToken"] = tokens["refreshToken"].clone();
        with_refresh["username"] = json!(user);
        api.post(route, with_refresh)
            .expect_error(401, "not_authorized");
        // A revoked token with a wrong body is still 401: credentials are checked first.
        api.post_bearer(route, access, json!({"unexpected": 1}))
            .expect_error(401, "not_authorized");
    }
    // No credentials at all, and a header that is not a bearer token.
    api.post("/profile/get", json!({}))
        .expect_error(401, "not_authorized");
    api.post_with(
        "/profile/get",
        json!({"accessToken": access}),
        &[("authorization", "Basic Zm9vOmJhcg==")],
    )
    .expect_error(401, "not_authorized");
}
