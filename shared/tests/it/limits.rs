//! The abuse limits against mocked DynamoDB and Cognito: over a limit no Cognito call is made; a refusal
//! gives back what it took; a store fault fails a code-sending route closed and a guessing route open.

use crate::common::*;
use aws_sdk_cognitoidentityprovider::operation::forgot_password::ForgotPasswordOutput;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_dynamodb::operation::update_item::{UpdateItemError, UpdateItemOutput};
use aws_sdk_dynamodb::types::error::ConditionalCheckFailedException;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use serde_json::json;
use shared::{App, Operation};

fn app(cognito: &[&Rule], store: &[&Rule]) -> App {
    let config = config_with(&[("RATE_LIMIT_TABLE", "limits"), ("LOGIN_SESSION_KEY", "k")]);
    let cognito = mock_client!(
        aws_sdk_cognitoidentityprovider,
        RuleMode::MatchAny,
        cognito.iter().copied()
    );
    let store = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, store.iter().copied());
    App::with_store(config, cognito, Some(store))
}

fn forgot() -> Rule {
    mock!(Client::forgot_password).then_output(|| ForgotPasswordOutput::builder().build())
}

/// The counter named `prefix` is at its limit; the others take.
fn full(prefix: &'static str) -> Rule {
    mock!(aws_sdk_dynamodb::Client::update_item)
        .match_requests(move |r| {
            r.key().unwrap()["pk"].as_s().unwrap().starts_with(prefix)
                && r.condition_expression().is_some()
        })
        .then_error(|| {
            UpdateItemError::ConditionalCheckFailedException(
                ConditionalCheckFailedException::builder().build(),
            )
        })
}

fn takes() -> Rule {
    mock!(aws_sdk_dynamodb::Client::update_item).then_output(|| UpdateItemOutput::builder().build())
}

#[tokio::test]
async fn over_a_limit_no_code_is_sent_and_the_other_counters_are_given_back() {
    let cognito = forgot();
    let (minute_full, others) = (full("account-sends-60s#"), takes());
    let app = app(&[&cognito], &[&minute_full, &others]);
    let answer = call(
        &app,
        Operation::PasswordForgot,
        json!({"username": "ghost"}),
    )
    .await;
    assert_error(&answer, 429, "too_many_requests");
    let wait: u32 = answer.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(cognito.num_calls(), 0, "no call to Cognito");
    // Taken: the hour and the IP (and the SMS cap checked); given back: the hour and the IP.
    assert_eq!(minute_full.num_calls(), 1);
    assert_eq!(others.num_calls(), 3 + 2);
}

#[tokio::test]
async fn a_store_fault_fails_codes_closed_and_guesses_open() {
    let broken = mock!(aws_sdk_dynamodb::Client::update_item).then_http_response(|| {
        aws_smithy_runtime_api::http::Response::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(500).unwrap(),
            aws_smithy_types::body::SdkBody::from("{}"),
        )
    });
    let cognito = forgot();
    let unknown =
        mock!(Client::initiate_auth).then_http_response(|| exception("UserNotFoundException"));
    let app = app(&[&cognito, &unknown], &[&broken]);
    let answer = call(&app, Operation::PasswordForgot, json!({"username": "a"})).await;
    assert_error(&answer, 503, "upstream_unavailable");
    assert_eq!(cognito.num_calls(), 0, "no code sent blind");
    let answer = call(
        &app,
        Operation::Login,
        json!({"username": "a", "password": "Wr0ng-Passw0rd!"}),
    )
    .await;
    assert_error(&answer, 401, "not_authorized");
    assert_eq!(unknown.num_calls(), 1, "sign-in goes on");
}
