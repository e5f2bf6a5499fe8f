//! The sign-up routes (/signup, /signup/confirm, /signup/resend) against mocked Cognito: request shapes,
//! answers, every error mapped to the contract, validation before any Cognito call, and what hides an
//! existing user (HIDE_EXISTING_USERS, the resend of an unknown user, passwordless sign-up sessions).

use crate::common::*;
use aws_sdk_cognitoidentityprovider::operation::{
    confirm_sign_up::ConfirmSignUpOutput, resend_confirmation_code::ResendConfirmationCodeOutput,
    sign_up::SignUpOutput,
};
use aws_sdk_cognitoidentityprovider::types::{CodeDeliveryDetailsType, DeliveryMediumType};
use aws_sdk_cognitoidentityprovider::Client;
use aws_smithy_mocks::mock;
use serde_json::{json, Value};
use shared::secret_hash::secret_hash;
use shared::Operation;

const SIGNUP: fn() -> serde_json::Value = || json!({"username": "alice", "password": "Passw0rd!", "attributes": [{"Name": "email", "Value": "a@example.com"}]});

#[tokio::test]
async fn signup_returns_everything_the_original_dropped() {
    let rule = mock!(Client::sign_up)
        .match_requests(|r| {
            r.username() == Some("alice")
                && r.client_id() == Some("client123")
                && r.secret_hash().is_none()
                && r.user_attributes()[0].name() == "email"
        })
        .then_output(|| {
            SignUpOutput::builder()
                .user_confirmed(false)
                .user_sub("sub-1")
                .code_delivery_details(
                    CodeDeliveryDetailsType::builder()
                        .destination("a***@e***")
                        .delivery_medium(DeliveryMediumType::Email)
                        .attribute_name("email")
                        .build(),
                )
                .build()
                .unwrap()
        });
    let answer = call(&app(&[&rule]), Operation::Signup, SIGNUP()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.body,
        json!({"username": "alice", "userConfirmed": false, "userSub": "sub-1",
               "codeDeliveryDetails": {"destination": "a***@e***", "deliveryMedium": "EMAIL", "attributeName": "email"}})
    );
    assert_eq!(answer.headers["cache-control"], "no-store");
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn signup_sends_secret_hash_when_the_client_has_a_secret() {
    let expected = secret_hash("s3cret", "alice", "client123");
    let rule = mock!(Client::sign_up)
        .match_requests(move |r| r.secret_hash() == Some(expected.as_str()))
        .then_output(|| {
            SignUpOutput::builder()
                .user_confirmed(false)
                .user_sub("s")
                .build()
                .unwrap()
        });
    let app = app_with(
        config_with(&[("USER_POOL_CLIENT_SECRET", "s3cret")]),
        &[&rule],
    );
    assert_eq!(call(&app, Operation::Signup, SIGNUP()).await.status, 200);
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn signup_errors_map_to_the_contract() {
    for (name, status, code) in [
        ("UsernameExistsException", 409, "username_exists"),
        ("InvalidPasswordException", 400, "invalid_password"),
        ("InvalidParameterException", 400, "invalid_request"),
        ("TooManyRequestsException", 429, "too_many_requests"),
        ("LimitExceededException", 429, "too_many_requests"),
        ("CodeDeliveryFailureException", 502, "upstream_error"),
        ("InternalErrorException", 502, "upstream_error"),
        ("ResourceNotFoundException", 500, "internal"),
        ("BrandNewException", 502, "upstream_error"),
    ] {
        let rule = mock!(Client::sign_up).then_http_response(move || exception(name));
        let answer = call(&app(&[&rule]), Operation::Signup, SIGNUP()).await;
        assert_error(&answer, status, code);
        if status == 429 {
            assert_eq!(answer.headers["retry-after"], "1");
        }
    }
}

#[tokio::test]
async fn hidden_duplicate_signup_looks_like_a_fresh_one() {
    let rule = mock!(Client::sign_up).then_http_response(|| exception("UsernameExistsException"));
    let app = app_with(config_with(&[("HIDE_EXISTING_USERS", "true")]), &[&rule]);
    let first = call(&app, Operation::Signup, SIGNUP()).await;
    let second = call(&app, Operation::Signup, SIGNUP()).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.body["userConfirmed"], false);
    assert_eq!(first.body.as_object().unwrap().len(), 4);
    assert_ne!(
        first.body["userSub"], second.body["userSub"],
        "a random sub each time"
    );
}

#[tokio::test]
async fn signup_validates_fields_before_calling_cognito() {
    let rule = mock!(Client::sign_up).then_output(|| {
        SignUpOutput::builder()
            .user_confirmed(false)
            .user_sub("s")
            .build()
            .unwrap()
    });
    let app = app(&[&rule]);
    for (body, field) in [
        (json!({"password": "Passw0rd!"}), "`username`"),
        (json!({"username": "alice"}), "`password`"),
        (
            json!({"username": 5, "password": "Passw0rd!"}),
            "`username`",
        ),
        (
            json!({"username": "alice", "password": "Passw0rd!", "role": "admin"}),
            "`role`",
        ),
        (
            json!({"username": "alice", "password": "Passw0rd!", "attributes": "email"}),
            "`attributes`",
        ),
    ] {
        let answer = call(&app, Operation::Signup, body).await;
        assert_error(&answer, 400, "invalid_request");
        assert!(
            answer.body["message"].as_str().unwrap().contains(field),
            "{}",
            answer.body
        );
    }
    assert_eq!(rule.num_calls(), 0);
}

#[tokio::test]
async fn confirm_never_forces_alias_creation_and_hides_unknown_users() {
    let ok = mock!(Client::confirm_sign_up)
        .match_requests(|r| {
            r.force_alias_creation() == Some(false) && r.confirmation_code() == Some("123456")
        })
        .then_output(|| ConfirmSignUpOutput::builder().build());
    let answer = call(
        &app(&[&ok]),
        Operation::SignupConfirm,
        json!({"username": "alice", "confirmationCode": "123456"}),
    )
    .await;
    assert_eq!(
        (answer.status, answer.body.clone()),
        (200, json!({"status": "SUCCESS"}))
    );
    for (name, status, code) in [
        ("CodeMismatchException", 400, "code_mismatch"),
        ("ExpiredCodeException", 400, "expired_code"),
        ("UserNotFoundException", 400, "code_mismatch"),
        ("NotAuthorizedException", 401, "not_authorized"),
        ("AliasExistsException", 409, "alias_exists"),
        ("TooManyFailedAttemptsException", 429, "too_many_requests"),
    ] {
        let rule = mock!(Client::confirm_sign_up).then_http_response(move || exception(name));
        let answer = call(
            &app(&[&rule]),
            Operation::SignupConfirm,
            json!({"username": "alice", "confirmationCode": "1"}),
        )
        .await;
        assert_error(&answer, status, code);
    }
}

#[tokio::test]
async fn resend_answers_the_same_keys_for_unknown_users() {
    let ok = mock!(Client::resend_confirmation_code).then_output(|| {
        ResendConfirmationCodeOutput::builder()
            .code_delivery_details(
                CodeDeliveryDetailsType::builder()
                    .destination("a***")
                    .build(),
            )
            .build()
    });
    let known = call(
        &app(&[&ok]),
        Operation::SignupResend,
        json!({"username": "alice"}),
    )
    .await;
    let missing = mock!(Client::resend_confirmation_code)
        .then_http_response(|| exception("UserNotFoundException"));
    let unknown = call(
        &app(&[&missing]),
        Operation::SignupResend,
        json!({"username": "nobody"}),
    )
    .await;
    assert_eq!((known.status, unknown.status), (200, 200));
    assert_eq!(known.body["codeDeliveryDetails"]["destination"], "a***");
    assert_eq!(unknown.body, json!({"codeDeliveryDetails": null}));
    let confirmed = mock!(Client::resend_confirmation_code)
        .then_http_response(|| exception("InvalidParameterException"));
    assert_error(
        &call(
            &app(&[&confirmed]),
            Operation::SignupResend,
            json!({"username": "a"}),
        )
        .await,
        400,
        "invalid_request",
    );
}

#[tokio::test]
async fn an_expired_sign_up_session_still_confirms() {
    let with_session = mock!(Client::confirm_sign_up)
        .match_requests(|r| r.session().is_some())
        .then_http_response(|| exception("NotAuthorizedException"));
    let without = mock!(Client::confirm_sign_up)
        .match_requests(|r| r.session().is_none())
        .then_output(|| ConfirmSignUpOutput::builder().build());
    let app = passwordless(&[&with_session, &without]);
    let answer = call(
        &app,
        Operation::SignupConfirm,
        json!({"username": "a", "confirmationCode": "123456", "loginSession": "old-cognito-session"}),
    )
    .await;
    assert_eq!(answer.body, json!({"status": "SUCCESS"}));
    assert_eq!((with_session.num_calls(), without.num_calls()), (1, 1));
}

#[tokio::test]
async fn a_hidden_duplicate_of_a_confirmed_account_reads_as_a_wrong_code_at_confirmation() {
    use aws_sdk_cognitoidentityprovider::operation::sign_up::SignUpOutput;
    let fresh = mock!(Client::sign_up)
        .match_requests(|r| r.username() == Some("fresh"))
        .then_output(|| {
            SignUpOutput::builder()
                .user_confirmed(false)
                .user_sub("sub-fresh")
                .session("s".repeat(700))
                .build()
                .unwrap()
        });
    let taken = mock!(Client::sign_up)
        .match_requests(|r| r.username() == Some("taken"))
        .then_http_response(|| exception("UsernameExistsException"));
    // Cognito: ConfirmSignUp of a confirmed user is NotAuthorizedException whatever the code or session;
    // a fresh user's wrong code is CodeMismatchException.
    let confirmed = mock!(Client::confirm_sign_up)
        .match_requests(|r| r.username() == Some("taken"))
        .then_http_response(|| exception("NotAuthorizedException"));
    let wrong_code = mock!(Client::confirm_sign_up)
        .match_requests(|r| r.username() == Some("fresh"))
        .then_http_response(|| exception("CodeMismatchException"));
    let app = app_with(
        config_with(&[
            ("SIGN_IN_METHODS", "PASSWORD,EMAIL_OTP"),
            ("LOGIN_SESSION_KEY", "k"),
            ("HIDE_EXISTING_USERS", "true"),
        ]),
        &[&fresh, &taken, &confirmed, &wrong_code],
    );
    let email = json!([{"Name": "email", "Value": "a@example.com"}]);
    let real = call(
        &app,
        Operation::Signup,
        json!({"username": "fresh", "attributes": email}),
    )
    .await;
    let hidden = call(
        &app,
        Operation::Signup,
        json!({"username": "taken", "attributes": email}),
    )
    .await;
    assert_eq!((real.status, hidden.status), (200, 200));
    // The decoy is as long as the sign-up sessions Cognito hands out.
    assert_eq!(
        hidden.body["loginSession"].as_str().unwrap().len(),
        real.body["loginSession"].as_str().unwrap().len()
    );
    let confirm = |username: &str, session: Option<&Value>| {
        let mut body = json!({"username": username, "confirmationCode": "123456"});
        if let Some(session) = session {
            body["loginSession"] = session.clone();
        }
        body
    };
    let truth = call(
        &app,
        Operation::SignupConfirm,
        confirm("fresh", Some(&real.body["loginSession"])),
    )
    .await;
    assert_error(&truth, 400, "code_mismatch");
    for session in [
        Some(&hidden.body["loginSession"]),
        None,
        Some(&json!("made-up-by-the-caller")),
    ] {
        let answer = call(&app, Operation::SignupConfirm, confirm("taken", session)).await;
        assert_eq!((answer.status, &answer.body), (truth.status, &truth.body));
    }
    // The decoy costs one ConfirmSignUp, as the truth does (with the decoy as its session); no session
    // one; a session the API never made goes the way of an expired one (with it, then without it).
    assert_eq!((wrong_code.num_calls(), confirmed.num_calls()), (1, 4));

    // Without HIDE_EXISTING_USERS the answer stays as documented.
    let plain = app_with(config_with(&[]), &[&confirmed]);
    let answer = call(&plain, Operation::SignupConfirm, confirm("taken", None)).await;
    assert_error(&answer, 401, "not_authorized");
}
