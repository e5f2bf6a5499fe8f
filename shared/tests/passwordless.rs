//! Passwordless sign-in against mocked Cognito, for what the emulator cannot show: an unknown user under
//! PreventUserExistenceErrors=LEGACY, throttling, an expired sign-up session, and the calls made.

mod common;

use aws_sdk_cognitoidentityprovider::operation::{
    confirm_sign_up::ConfirmSignUpOutput, get_user::GetUserOutput,
    initiate_auth::InitiateAuthOutput, respond_to_auth_challenge::RespondToAuthChallengeOutput,
    set_user_mfa_preference::SetUserMfaPreferenceOutput,
};
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, AuthenticationResultType, ChallengeNameType,
};
use aws_sdk_cognitoidentityprovider::Client;
use aws_smithy_mocks::{mock, Rule};
use common::*;
use serde_json::{json, Value};
use shared::{App, Operation};

fn passwordless(rules: &[&Rule]) -> App {
    app_with(
        config_with(&[
            ("SIGN_IN_METHODS", "PASSWORD,EMAIL_OTP,SMS_OTP"),
            ("LOGIN_SESSION_KEY", "k"),
        ]),
        rules,
    )
}

fn unknown_user() -> Rule {
    mock!(Client::initiate_auth).then_http_response(|| exception("UserNotFoundException"))
}

#[tokio::test]
async fn an_unknown_user_under_legacy_gets_a_decoy_that_no_code_satisfies() {
    let initiate = unknown_user();
    // Cognito refuses the sessions it never issued: the decoys'.
    let respond = mock!(Client::respond_to_auth_challenge)
        .then_http_response(|| exception("NotAuthorizedException"));
    // The pool's first factors, not SIGN_IN_METHODS, are what a decoy SELECT_METHOD lists.
    let pool = pool_first_factors(&["PASSWORD", "EMAIL_OTP"]);
    let app = passwordless(&[&initiate, &respond, &pool]);
    let step = call(
        &app,
        Operation::Login,
        json!({"username": "ghost", "method": "EMAIL_OTP"}),
    )
    .await;
    assert_eq!(step.status, 200, "{}", step.body);
    assert_eq!(step.body["nextStep"], "OTP_CODE");
    let session = step.body["loginSession"].as_str().unwrap();
    assert!(
        session.starts_with("EMAIL_OTP~") && session.len() > 800,
        "{session}"
    );
    let answer = call(
        &app,
        Operation::LoginOtp,
        json!({"username": "ghost", "loginSession": session, "code": "12345678"}),
    )
    .await;
    assert_error(&answer, 400, "code_mismatch");
    // The same call a real wrong code costs, with the decoy as the session (which Cognito refuses).
    assert_eq!(respond.num_calls(), 1, "a decoy costs the real twin's call");

    let choice = call(&app, Operation::Login, json!({"username": "ghost"})).await;
    assert_eq!(
        (
            choice.body["nextStep"].clone(),
            choice.body["methods"].clone()
        ),
        (json!("SELECT_METHOD"), json!(["PASSWORD", "EMAIL_OTP"]))
    );
    let body = json!({"username": "ghost", "loginSession": choice.body["loginSession"], "method": "PASSWORD", "password": "Passw0rd!"});
    assert_error(
        &call(&app, Operation::LoginSelect, body).await,
        401,
        "not_authorized",
    );
    let body = json!({"username": "ghost", "loginSession": choice.body["loginSession"], "method": "SMS_OTP"});
    let otp = call(&app, Operation::LoginSelect, body).await;
    assert_eq!(
        (otp.status, otp.body["method"].clone()),
        (200, json!("SMS_OTP"))
    );
    assert_eq!(respond.num_calls(), 3);
    // A second SELECT_METHOD reads the pool no more.
    call(&app, Operation::Login, json!({"username": "ghost"})).await;
    assert_eq!(pool.num_calls(), 1);
}

#[tokio::test]
async fn a_decoy_shows_throttling_as_anyone_would_see_it() {
    let initiate = unknown_user();
    let throttled = mock!(Client::respond_to_auth_challenge)
        .then_http_response(|| exception("TooManyRequestsException"));
    let app = passwordless(&[&initiate, &throttled]);
    let step = call(
        &app,
        Operation::Login,
        json!({"username": "ghost", "method": "EMAIL_OTP"}),
    )
    .await;
    let answer = call(
        &app,
        Operation::LoginOtp,
        json!({"username": "ghost", "loginSession": step.body["loginSession"], "code": "1"}),
    )
    .await;
    assert_error(&answer, 429, "too_many_requests");
}

#[tokio::test]
async fn throttling_is_not_hidden_and_sign_in_methods_bound_the_method() {
    let throttled =
        mock!(Client::initiate_auth).then_http_response(|| exception("TooManyRequestsException"));
    let app = passwordless(&[&throttled]);
    let answer = call(
        &app,
        Operation::Login,
        json!({"username": "a", "method": "SMS_OTP"}),
    )
    .await;
    assert_error(&answer, 429, "too_many_requests");
    let password_only = app_with(config_with(&[]), &[&throttled]);
    let answer = call(
        &password_only,
        Operation::Login,
        json!({"username": "a", "method": "EMAIL_OTP"}),
    )
    .await;
    assert_error(&answer, 400, "invalid_request");
    assert!(answer.body["message"]
        .as_str()
        .unwrap()
        .contains("`method`"));
    // Without a method or a password, a password-only pool still asks for the password.
    let answer = call(&password_only, Operation::Login, json!({"username": "a"})).await;
    assert_error(&answer, 400, "invalid_request");
    assert!(answer.body["message"]
        .as_str()
        .unwrap()
        .contains("`password`"));
    let answer = call(
        &app,
        Operation::Login,
        json!({"username": "a", "method": "EMAIL_OTP", "password": "Passw0rd!"}),
    )
    .await;
    assert_error(&answer, 400, "invalid_request");
    // The SDK retried the throttled call (3 attempts); the refusals above made none.
    assert_eq!(throttled.num_calls(), 3);
}

#[tokio::test]
async fn a_code_challenge_asks_user_auth_with_the_preferred_method() {
    let initiate = mock!(Client::initiate_auth)
        .match_requests(|r| {
            r.auth_flow() == Some(&AuthFlowType::UserAuth)
                && r.auth_parameters()
                    .unwrap()
                    .get("PREFERRED_CHALLENGE")
                    .map(String::as_str)
                    == Some("SMS_OTP")
                && !r.auth_parameters().unwrap().contains_key("PASSWORD")
        })
        .then_output(|| {
            InitiateAuthOutput::builder()
                .challenge_name(ChallengeNameType::SmsOtp)
                .session("cognito-session")
                .challenge_parameters("CODE_DELIVERY_DESTINATION", "+*******0142")
                .build()
        });
    let respond = mock!(Client::respond_to_auth_challenge)
        .match_requests(|r| {
            r.challenge_name() == Some(&ChallengeNameType::SmsOtp)
                && r.session() == Some("cognito-session")
                && r.challenge_responses().unwrap()["SMS_OTP_CODE"] == "123456"
        })
        .then_output(|| {
            RespondToAuthChallengeOutput::builder()
                .authentication_result(
                    AuthenticationResultType::builder()
                        .access_token(jwt("access", 3600))
                        .id_token(jwt("id", 3600))
                        .refresh_token("r")
                        .expires_in(3600)
                        .build(),
                )
                .build()
        });
    let app = passwordless(&[&initiate, &respond]);
    let step = call(
        &app,
        Operation::Login,
        json!({"username": "alice", "method": "SMS_OTP"}),
    )
    .await;
    assert_eq!(
        step.body,
        json!({"nextStep": "OTP_CODE", "method": "SMS_OTP", "loginSession": "SMS_OTP~cognito-session"}),
        "no destination in the step"
    );
    let tokens = call(
        &app,
        Operation::LoginOtp,
        json!({"username": "alice", "loginSession": "SMS_OTP~cognito-session", "code": "123456"}),
    )
    .await;
    assert_eq!(
        (tokens.status, respond.num_calls()),
        (200, 1),
        "{}",
        tokens.body
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

#[tokio::test]
async fn email_mfa_needs_a_verified_email() {
    let unverified = mock!(Client::get_user).then_output(|| {
        GetUserOutput::builder()
            .username("alice")
            .user_attributes(
                AttributeType::builder()
                    .name("email")
                    .value("a@example.com")
                    .build()
                    .unwrap(),
            )
            .user_attributes(
                AttributeType::builder()
                    .name("email_verified")
                    .value("false")
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    });
    let set = mock!(Client::set_user_mfa_preference)
        .then_output(|| SetUserMfaPreferenceOutput::builder().build());
    let app = passwordless(&[&unverified, &set]);
    let bearer = format!("Bearer {}", jwt("access", 600));
    let answer = call_with_headers(
        &app,
        Operation::MfaSet,
        json!({"enableMfa": true, "method": "EMAIL_OTP"}),
        &[("authorization", &bearer)],
    )
    .await;
    assert_error(&answer, 400, "mfa_not_set_up");
    assert_eq!(set.num_calls(), 0);
}
