//! Part 2 operations against mocked Cognito: credential forms, error paths, and the profile-edit ordering.

mod common;

use aws_sdk_cognitoidentityprovider::operation::{
    change_password::ChangePasswordOutput, confirm_forgot_password::ConfirmForgotPasswordOutput,
    delete_user_attributes::DeleteUserAttributesOutput, forgot_password::ForgotPasswordOutput,
    get_user::GetUserOutput, initiate_auth::InitiateAuthOutput,
    set_user_mfa_preference::SetUserMfaPreferenceOutput,
    update_user_attributes::UpdateUserAttributesOutput,
    verify_user_attribute::VerifyUserAttributeOutput,
};
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthenticationResultType, CodeDeliveryDetailsType,
};
use aws_sdk_cognitoidentityprovider::Client;
use aws_smithy_mocks::{mock, Rule};
use common::*;
use serde_json::{json, Value};
use shared::Operation;

fn user(mfa: &[&str], preferred: Option<&str>) -> GetUserOutput {
    GetUserOutput::builder()
        .username("alice")
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("a@example.com")
                .build()
                .unwrap(),
        )
        .set_user_mfa_setting_list(Some(mfa.iter().map(|s| s.to_string()).collect()))
        .set_preferred_mfa_setting(preferred.map(str::to_owned))
        .build()
        .unwrap()
}

/// A user with the given attributes (besides `email`) and MFA settings.
fn user_with(attributes: &[(&str, &str)], mfa: &[&str]) -> GetUserOutput {
    let mut output = user(mfa, None);
    for (name, value) in attributes {
        output.user_attributes.push(
            AttributeType::builder()
                .name(*name)
                .value(*value)
                .build()
                .unwrap(),
        );
    }
    output
}

fn verified_phone_user() -> GetUserOutput {
    user_with(
        &[
            ("phone_number", "+14155550123"),
            ("phone_number_verified", "true"),
        ],
        &[],
    )
}

fn get_user_rule(output: fn() -> GetUserOutput) -> Rule {
    mock!(Client::get_user).then_output(output)
}

fn bearer() -> String {
    format!("Bearer {}", jwt("access", 600))
}

async fn authed(app: &shared::App, op: Operation, body: Value) -> Answer {
    call_with_headers(app, op, body, &[("authorization", &bearer())]).await
}

#[tokio::test]
async fn mfa_get_reports_methods_and_an_empty_preference_as_null() {
    let rule = get_user_rule(|| {
        user(
            &["SOFTWARE_TOKEN_MFA", "SMS_MFA"],
            Some("SOFTWARE_TOKEN_MFA"),
        )
    });
    let answer = authed(&app(&[&rule]), Operation::MfaGet, json!({})).await;
    assert_eq!(
        answer.body,
        json!({"enabled": true, "preferred": "SOFTWARE_TOKEN_MFA", "methods": ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]})
    );
    let rule = get_user_rule(|| user(&[], Some("")));
    let answer = authed(&app(&[&rule]), Operation::MfaGet, json!({})).await;
    assert_eq!(
        answer.body,
        json!({"enabled": false, "preferred": null, "methods": []})
    );
}

#[tokio::test]
async fn mfa_set_uses_set_user_mfa_preference_and_makes_the_method_preferred() {
    let sms = mock!(Client::set_user_mfa_preference)
        .match_requests(|r| {
            let s = r.sms_mfa_settings().unwrap();
            s.enabled() && s.preferred_mfa() && r.software_token_mfa_settings().is_none()
        })
        .then_output(|| SetUserMfaPreferenceOutput::builder().build());
    let verified = get_user_rule(verified_phone_user);
    assert_eq!(
        authed(
            &app(&[&verified, &sms]),
            Operation::MfaSet,
            json!({"enableMfa": true})
        )
        .await
        .status,
        200
    );
    let totp_off = mock!(Client::set_user_mfa_preference)
        .match_requests(|r| {
            let s = r.software_token_mfa_settings().unwrap();
            !s.enabled() && !s.preferred_mfa()
        })
        .then_output(|| SetUserMfaPreferenceOutput::builder().build());
    let body = json!({"enableMfa": false, "method": "SOFTWARE_TOKEN_MFA"});
    assert_eq!(
        authed(&app(&[&totp_off]), Operation::MfaSet, body)
            .await
            .status,
        200
    );
    assert_eq!((sms.num_calls(), totp_off.num_calls()), (1, 1));
}

#[tokio::test]
async fn sms_mfa_is_refused_for_an_unverified_or_missing_phone_without_changing_anything() {
    // Cognito accepts an unverified phone for SMS MFA, so the API checks the attributes itself.
    let set = mock!(Client::set_user_mfa_preference)
        .then_output(|| SetUserMfaPreferenceOutput::builder().build());
    let unverified = get_user_rule(|| {
        user_with(
            &[
                ("phone_number", "+14155550123"),
                ("phone_number_verified", "false"),
            ],
            &[],
        )
    });
    let no_phone = get_user_rule(|| user(&[], None));
    for rule in [&unverified, &no_phone] {
        for body in [
            json!({"enableMfa": true}),
            json!({"enableMfa": true, "method": "SMS_MFA"}),
        ] {
            let answer = authed(&app(&[rule, &set]), Operation::MfaSet, body).await;
            assert_error(&answer, 400, "mfa_not_set_up");
            assert!(answer.body["message"]
                .as_str()
                .unwrap()
                .contains("verified phone"));
        }
    }
    assert_eq!(
        set.num_calls(),
        0,
        "nothing may change when the API refuses"
    );
    // Turning SMS MFA off needs no phone at all, and no GetUser.
    let off = mock!(Client::set_user_mfa_preference)
        .match_requests(|r| !r.sms_mfa_settings().unwrap().enabled())
        .then_output(|| SetUserMfaPreferenceOutput::builder().build());
    let answer = authed(
        &app(&[&off]),
        Operation::MfaSet,
        json!({"enableMfa": false}),
    )
    .await;
    assert_eq!((answer.status, off.num_calls()), (200, 1));
}

#[tokio::test]
async fn mfa_set_errors() {
    let not_set_up = mock!(Client::set_user_mfa_preference)
        .then_http_response(|| exception("InvalidParameterException"));
    let verified = get_user_rule(verified_phone_user);
    let answer = authed(
        &app(&[&verified, &not_set_up]),
        Operation::MfaSet,
        json!({"enableMfa": true}),
    )
    .await;
    assert_error(&answer, 400, "mfa_not_set_up");
    assert!(answer.body["message"].as_str().unwrap().contains("phone"));
    let answer = authed(
        &app(&[&not_set_up]),
        Operation::MfaSet,
        json!({"enableMfa": true, "method": "SOFTWARE_TOKEN_MFA"}),
    )
    .await;
    assert_error(&answer, 400, "mfa_not_set_up");
    let revoked = mock!(Client::set_user_mfa_preference)
        .then_http_response(|| exception("NotAuthorizedException"));
    assert_error(
        &authed(
            &app(&[&verified, &revoked]),
            Operation::MfaSet,
            json!({"enableMfa": true}),
        )
        .await,
        401,
        "not_authorized",
    );
    // Body validation: a live token with a wrong body is 400 naming the field.
    let live = get_user_rule(|| user(&[], None));
    let app = app(&[&live]);
    for (body, field) in [
        (json!({"enableMfa": "true"}), "enableMfa"),
        (json!({}), "enableMfa"),
        (json!({"enableMfa": true, "method": "EMAIL"}), "method"),
    ] {
        let answer = authed(&app, Operation::MfaSet, body).await;
        assert_error(&answer, 400, "invalid_request");
        assert!(answer.body["message"].as_str().unwrap().contains(field));
    }
}

#[tokio::test]
async fn a_wrong_body_with_a_revoked_token_is_401() {
    let revoked =
        mock!(Client::get_user).then_http_response(|| exception("NotAuthorizedException"));
    let answer = authed(
        &app(&[&revoked]),
        Operation::MfaSet,
        json!({"enableMfa": "yes"}),
    )
    .await;
    assert_error(&answer, 401, "not_authorized");
}

#[tokio::test]
async fn the_three_credential_forms_reach_cognito_with_an_access_token() {
    let token = jwt("access", 600);
    let expected = token.clone();
    let get_user = mock!(Client::get_user)
        .match_requests(move |r| r.access_token() == Some(expected.as_str()))
        .then_output(|| user(&[], None));
    let refreshed_token = token.clone();
    let refresh = mock!(Client::initiate_auth).then_output(move || {
        InitiateAuthOutput::builder()
            .authentication_result(
                AuthenticationResultType::builder()
                    .access_token(refreshed_token.clone())
                    .id_token("x")
                    .expires_in(1)
                    .build(),
            )
            .build()
    });
    let app = app(&[&get_user, &refresh]);
    let header = call_with_headers(
        &app,
        Operation::ProfileGet,
        json!({}),
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await;
    let body = call(
        &app,
        Operation::ProfileGet,
        json!({"accessToken": token, "idToken": "ignored"}),
    )
    .await;
    let refresh_form = call(
        &app,
        Operation::ProfileGet,
        json!({"refreshToken": "r", "username": "alice"}),
    )
    .await;
    for answer in [&header, &body, &refresh_form] {
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.body["username"], "alice");
        assert_eq!(
            answer.body["attributes"],
            json!([{"Name": "email", "Value": "a@example.com"}])
        );
    }
    assert_eq!((get_user.num_calls(), refresh.num_calls()), (3, 1));
}

#[tokio::test]
async fn the_header_wins_over_body_credentials_without_fallback() {
    let get_user = get_user_rule(|| user(&[], None));
    let app = app(&[&get_user]);
    let body = json!({"accessToken": jwt("access", 600)});
    let answer = call_with_headers(
        &app,
        Operation::ProfileGet,
        body,
        &[("authorization", "Bearer garbage")],
    )
    .await;
    assert_error(&answer, 401, "not_authorized");
    assert_eq!(get_user.num_calls(), 0);
}

fn update_ok() -> Rule {
    mock!(Client::update_user_attributes).then_output(|| {
        UpdateUserAttributesOutput::builder()
            .code_delivery_details_list(
                CodeDeliveryDetailsType::builder()
                    .attribute_name("email")
                    .destination("n***")
                    .build(),
            )
            .build()
    })
}

#[tokio::test]
async fn profile_edit_updates_then_deletes() {
    let update = update_ok();
    let delete = mock!(Client::delete_user_attributes)
        .match_requests(|r| r.user_attribute_names() == ["name"])
        .then_output(|| DeleteUserAttributesOutput::builder().build());
    let snapshot = get_user_rule(|| user(&[], None));
    let body = json!({"attributes": [{"Name": "email", "Value": "new@example.com"}, {"Name": "name", "Value": ""}]});
    let answer = authed(
        &app(&[&update, &delete, &snapshot]),
        Operation::ProfileEdit,
        body,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.body["codeDeliveryDetails"][0]["attributeName"],
        "email"
    );
    assert_eq!((update.num_calls(), delete.num_calls()), (1, 1));
}

#[tokio::test]
async fn a_failed_delete_rolls_the_update_back_and_reports_the_error() {
    let update = update_ok();
    let delete = mock!(Client::delete_user_attributes)
        .then_http_response(|| exception("InvalidParameterException"));
    let snapshot = get_user_rule(|| user(&[], None));
    let body = json!({"attributes": [{"Name": "email", "Value": "new@example.com"}, {"Name": "given_name", "Value": "G"}, {"Name": "name", "Value": null}]});
    let answer = authed(
        &app(&[&update, &delete, &snapshot]),
        Operation::ProfileEdit,
        body,
    )
    .await;
    assert_error(&answer, 400, "invalid_request");
    // The edit, then the rollback: email restored by an update, given_name (absent before) by a delete.
    assert_eq!(update.num_calls(), 2);
    assert_eq!(delete.num_calls(), 2);
}

#[tokio::test]
async fn profile_edit_errors() {
    let refused = mock!(Client::update_user_attributes)
        .then_http_response(|| exception("InvalidParameterException"));
    let body = json!({"attributes": [{"Name": "custom:nope", "Value": "x"}]});
    let answer = authed(&app(&[&refused]), Operation::ProfileEdit, body).await;
    assert_error(&answer, 400, "invalid_request");
    assert!(answer.body["message"]
        .as_str()
        .unwrap()
        .contains("custom:nope"));
    let taken = mock!(Client::update_user_attributes)
        .then_http_response(|| exception("AliasExistsException"));
    let body = json!({"attributes": [{"Name": "email", "Value": "taken@example.com"}]});
    assert_error(
        &authed(&app(&[&taken]), Operation::ProfileEdit, body).await,
        409,
        "alias_exists",
    );
    let live = get_user_rule(|| user(&[], None));
    for body in [
        json!({}),
        json!({"attributes": []}),
        json!({"attributes": [{"Name": "phone_number", "Value": "+1555"}]}),
    ] {
        assert_error(
            &authed(&app(&[&live]), Operation::ProfileEdit, body).await,
            400,
            "invalid_request",
        );
    }
}

#[tokio::test]
async fn an_attribute_without_value_is_a_400_naming_it_and_deletes_nothing() {
    let delete = mock!(Client::delete_user_attributes)
        .then_output(|| DeleteUserAttributesOutput::builder().build());
    let update = update_ok();
    let live = get_user_rule(|| user(&[], None));
    let body = json!({"attributes": [{"Name": "name", "Value": "New"}, {"Name": "given_name"}]});
    let answer = authed(
        &app(&[&live, &update, &delete]),
        Operation::ProfileEdit,
        body,
    )
    .await;
    assert_error(&answer, 400, "invalid_request");
    assert!(
        answer.body["message"]
            .as_str()
            .unwrap()
            .contains("`attributes[1].Value`"),
        "{}",
        answer.body
    );
    assert_eq!((update.num_calls(), delete.num_calls()), (0, 0));
}

#[tokio::test]
async fn removing_the_phone_disables_sms_mfa_first() {
    let disable = mock!(Client::set_user_mfa_preference)
        .match_requests(|r| !r.sms_mfa_settings().unwrap().enabled())
        .then_output(|| SetUserMfaPreferenceOutput::builder().build());
    let delete = mock!(Client::delete_user_attributes)
        .match_requests(|r| r.user_attribute_names() == ["phone_number"])
        .then_output(|| DeleteUserAttributesOutput::builder().build());
    let sms_user = get_user_rule(|| user_with(&[("phone_number", "+14155550123")], &["SMS_MFA"]));
    let answer = authed(
        &app(&[&sms_user, &disable, &delete]),
        Operation::ProfilePhone,
        json!({"phone_number": null}),
    )
    .await;
    assert_eq!(
        answer.body,
        json!({"status": "SUCCESS", "codeDeliveryDetails": null})
    );
    assert_eq!((disable.num_calls(), delete.num_calls()), (1, 1));
    // If disabling fails, the phone is kept.
    let refused = mock!(Client::set_user_mfa_preference)
        .then_http_response(|| exception("TooManyRequestsException"));
    let delete = mock!(Client::delete_user_attributes)
        .then_output(|| DeleteUserAttributesOutput::builder().build());
    let answer = authed(
        &app(&[&sms_user, &refused, &delete]),
        Operation::ProfilePhone,
        json!({"phone_number": null}),
    )
    .await;
    assert_error(&answer, 429, "too_many_requests");
    assert_eq!(delete.num_calls(), 0);
}

#[tokio::test]
async fn removing_the_phone_makes_only_the_calls_that_change_something() {
    let set = mock!(Client::set_user_mfa_preference)
        .then_output(|| SetUserMfaPreferenceOutput::builder().build());
    let delete = mock!(Client::delete_user_attributes)
        .then_output(|| DeleteUserAttributesOutput::builder().build());
    let removed = json!({"status": "SUCCESS", "codeDeliveryDetails": null});
    // No phone: a success, and no call but GetUser.
    let no_phone = get_user_rule(|| user(&["SOFTWARE_TOKEN_MFA"], None));
    let answer = authed(
        &app(&[&no_phone, &set, &delete]),
        Operation::ProfilePhone,
        json!({"phone_number": null}),
    )
    .await;
    assert_eq!((answer.status, &answer.body), (200, &removed));
    assert_eq!((set.num_calls(), delete.num_calls()), (0, 0));
    // A phone without SMS MFA: only the delete.
    let phone_only = get_user_rule(|| user_with(&[("phone_number", "+14155550123")], &[]));
    let answer = authed(
        &app(&[&phone_only, &set, &delete]),
        Operation::ProfilePhone,
        json!({"phone_number": null}),
    )
    .await;
    assert_eq!((answer.status, &answer.body), (200, &removed));
    assert_eq!((set.num_calls(), delete.num_calls()), (0, 1));
}

#[tokio::test]
async fn setting_a_phone_returns_one_delivery() {
    let update = mock!(Client::update_user_attributes)
        .match_requests(|r| r.user_attributes()[0].value() == Some("+14155550123"))
        .then_output(|| {
            UpdateUserAttributesOutput::builder()
                .code_delivery_details_list(
                    CodeDeliveryDetailsType::builder()
                        .attribute_name("phone_number")
                        .build(),
                )
                .build()
        });
    let answer = authed(
        &app(&[&update]),
        Operation::ProfilePhone,
        json!({"phone_number": "+14155550123"}),
    )
    .await;
    assert_eq!(
        answer.body["codeDeliveryDetails"]["attributeName"],
        "phone_number"
    );
}

#[tokio::test]
async fn attribute_confirmation_errors() {
    let ok = mock!(Client::verify_user_attribute)
        .then_output(|| VerifyUserAttributeOutput::builder().build());
    let body = json!({"attribute": "email", "confirmationCode": "123"});
    assert_eq!(
        authed(
            &app(&[&ok]),
            Operation::ProfileAttributeConfirm,
            body.clone()
        )
        .await
        .status,
        200
    );
    for (name, status, code) in [
        ("CodeMismatchException", 400, "code_mismatch"),
        ("ExpiredCodeException", 400, "expired_code"),
        ("InvalidParameterException", 400, "invalid_request"),
        ("LimitExceededException", 429, "too_many_requests"),
    ] {
        let rule = mock!(Client::verify_user_attribute).then_http_response(move || exception(name));
        assert_error(
            &authed(
                &app(&[&rule]),
                Operation::ProfileAttributeConfirm,
                body.clone(),
            )
            .await,
            status,
            code,
        );
    }
}

#[tokio::test]
async fn password_change_errors() {
    let ok = mock!(Client::change_password)
        .match_requests(|r| {
            r.previous_password() == Some("Old-Passw0rd")
                && r.proposed_password() == Some("New-Passw0rd!")
        })
        .then_output(|| ChangePasswordOutput::builder().build());
    let body = json!({"oldPassword": "Old-Passw0rd", "newPassword": "New-Passw0rd!"});
    assert_eq!(
        authed(&app(&[&ok]), Operation::PasswordChange, body.clone())
            .await
            .status,
        200
    );
    for (name, status, code) in [
        ("NotAuthorizedException", 401, "not_authorized"),
        ("InvalidPasswordException", 400, "invalid_password"),
        ("LimitExceededException", 429, "too_many_requests"),
        (
            "PasswordResetRequiredException",
            403,
            "password_reset_required",
        ),
    ] {
        let rule = mock!(Client::change_password).then_http_response(move || exception(name));
        assert_error(
            &authed(&app(&[&rule]), Operation::PasswordChange, body.clone()).await,
            status,
            code,
        );
    }
}

#[tokio::test]
async fn forgot_password_answers_the_same_keys_whoever_asks() {
    let ok = mock!(Client::forgot_password).then_output(|| {
        ForgotPasswordOutput::builder()
            .code_delivery_details(
                CodeDeliveryDetailsType::builder()
                    .destination("a***")
                    .build(),
            )
            .build()
    });
    let known = call(
        &app(&[&ok]),
        Operation::PasswordForgot,
        json!({"username": "alice"}),
    )
    .await;
    for name in ["UserNotFoundException", "InvalidParameterException"] {
        let rule = mock!(Client::forgot_password).then_http_response(move || exception(name));
        let other = call(
            &app(&[&rule]),
            Operation::PasswordForgot,
            json!({"username": "x"}),
        )
        .await;
        assert_eq!(other.status, known.status);
        assert_eq!(
            other.body,
            json!({"status": "SUCCESS", "codeDeliveryDetails": null})
        );
    }
    assert_eq!(known.body["codeDeliveryDetails"]["destination"], "a***");
    let throttled =
        mock!(Client::forgot_password).then_http_response(|| exception("LimitExceededException"));
    assert_error(
        &call(
            &app(&[&throttled]),
            Operation::PasswordForgot,
            json!({"username": "x"}),
        )
        .await,
        429,
        "too_many_requests",
    );
}

#[tokio::test]
async fn password_reset_errors() {
    let ok = mock!(Client::confirm_forgot_password)
        .then_output(|| ConfirmForgotPasswordOutput::builder().build());
    let body =
        json!({"username": "alice", "passwordResetCode": "123456", "newPassword": "New-Passw0rd!"});
    assert_eq!(
        call(&app(&[&ok]), Operation::PasswordReset, body.clone())
            .await
            .body,
        json!({"status": "SUCCESS"})
    );
    for (name, status, code) in [
        ("CodeMismatchException", 400, "code_mismatch"),
        ("ExpiredCodeException", 400, "expired_code"),
        ("InvalidPasswordException", 400, "invalid_password"),
        ("UserNotFoundException", 400, "code_mismatch"),
        ("TooManyFailedAttemptsException", 429, "too_many_requests"),
    ] {
        let rule =
            mock!(Client::confirm_forgot_password).then_http_response(move || exception(name));
        assert_error(
            &call(&app(&[&rule]), Operation::PasswordReset, body.clone()).await,
            status,
            code,
        );
    }
}

#[tokio::test]
async fn unused_body_credentials_must_still_be_well_formed() {
    let live = get_user_rule(|| user(&[], None));
    let app = app(&[&live]);
    for body in [
        json!({"accessToken": 5}),
        json!({"username": {}}),
        json!({"refreshToken": ""}),
    ] {
        let answer = authed(&app, Operation::ProfileGet, body.clone()).await;
        assert_error(&answer, 400, "invalid_request");
    }
    assert_eq!(
        authed(&app, Operation::ProfileGet, json!({"idToken": "ignored"}))
            .await
            .status,
        200
    );
}
