//! The password routes (/password/change, /password/forgot, /password/reset) against mocked Cognito: the
//! request each sends, every error mapped to the contract, and a forgot-password answer that is the same
//! whoever asks.

use crate::common::*;
use aws_sdk_cognitoidentityprovider::operation::{
    change_password::ChangePasswordOutput, confirm_forgot_password::ConfirmForgotPasswordOutput,
    forgot_password::ForgotPasswordOutput,
};
use aws_sdk_cognitoidentityprovider::types::CodeDeliveryDetailsType;
use aws_sdk_cognitoidentityprovider::Client;
use aws_smithy_mocks::mock;
use serde_json::json;
use shared::Operation;

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
