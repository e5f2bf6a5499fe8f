//! The profile routes (/profile/edit, /profile/phone, /profile/attribute/confirm) against mocked Cognito:
//! the edit's update-then-delete order and its rollback, the phone's removal (SMS MFA off first, only the
//! calls that change something) and change, attribute confirmation, and every error path.

use crate::common::*;
use aws_sdk_cognitoidentityprovider::operation::{
    delete_user_attributes::DeleteUserAttributesOutput,
    set_user_mfa_preference::SetUserMfaPreferenceOutput,
    update_user_attributes::UpdateUserAttributesOutput,
    verify_user_attribute::VerifyUserAttributeOutput,
};
use aws_sdk_cognitoidentityprovider::types::CodeDeliveryDetailsType;
use aws_sdk_cognitoidentityprovider::Client;
use aws_smithy_mocks::{mock, Rule};
use serde_json::json;
use shared::Operation;

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
