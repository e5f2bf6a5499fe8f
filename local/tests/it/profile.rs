//! The profile: `/profile/get` and `/profile/edit` with each credential form, what an edit must refuse,
//! `/profile/phone`, and attribute verification codes (`/profile/attribute/send-code`, `/confirm`).

use crate::support::*;
use serde_json::json;

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
