//! Cognito faults: throttling, 5xx after the SDK's bounded retries, garbage answers. (Refused and hung
//! connections are proven over real sockets in local/tests/it/contract.rs.)

use crate::common::*;
use aws_sdk_cognitoidentityprovider as cognito;
use aws_sdk_cognitoidentityprovider::config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider::Client;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use serde_json::json;
use shared::{App, Operation};

/// An App whose client retries like production (standard mode, our attempt count) against `rule`.
fn retrying_app(rule: &aws_smithy_mocks::Rule) -> App {
    let config = config_with(&[]);
    let attempts = config.timeouts.max_attempts;
    let client: Client = mock_client!(cognito, RuleMode::Sequential, [rule], move |c| c
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(attempts)
                .with_initial_backoff(std::time::Duration::from_millis(1))
        ));
    App::new(config, client)
}

fn status(code: u16, body: &'static str) -> HttpResponse {
    HttpResponse::new(StatusCode::try_from(code).unwrap(), SdkBody::from(body))
}

const LOGIN: fn() -> serde_json::Value = || json!({"username": "alice", "password": "Passw0rd!"});

#[tokio::test]
async fn cognito_5xx_is_retried_a_bounded_number_of_times_then_502() {
    let rule = mock!(Client::initiate_auth)
        .sequence()
        .http_response(|| status(503, ""))
        .times(3)
        .build();
    let answer = call(&retrying_app(&rule), Operation::Login, LOGIN()).await;
    assert_error(&answer, 502, "upstream_error");
    assert_eq!(rule.num_calls(), 3, "three attempts, then give up");
}

#[tokio::test]
async fn a_transient_5xx_is_absorbed_by_a_retry() {
    let rule = mock!(Client::initiate_auth)
        .sequence()
        .http_response(|| status(500, "<html>oops</html>"))
        .http_response(|| exception("NotAuthorizedException"))
        .build();
    let answer = call(&retrying_app(&rule), Operation::Login, LOGIN()).await;
    assert_error(&answer, 401, "not_authorized");
    assert_eq!(rule.num_calls(), 2);
}

#[tokio::test]
async fn throttling_is_429_with_retry_after_after_retries() {
    for name in ["TooManyRequestsException", "LimitExceededException"] {
        let rule = mock!(Client::initiate_auth)
            .sequence()
            .http_response(move || exception(name))
            .times(3)
            .build();
        let answer = call(&retrying_app(&rule), Operation::Login, LOGIN()).await;
        assert_error(&answer, 429, "too_many_requests");
        assert_eq!(answer.headers["retry-after"], "1");
        assert_eq!(rule.num_calls(), 3, "{name} is retried before giving up");
    }
}

#[tokio::test]
async fn an_unparseable_answer_is_502() {
    let rule = mock!(Client::initiate_auth)
        .sequence()
        .http_response(|| status(200, "{not json"))
        .build();
    assert_error(
        &call(&retrying_app(&rule), Operation::Login, LOGIN()).await,
        502,
        "upstream_error",
    );
}

#[tokio::test]
async fn cognito_5xx_is_502() {
    let rule = mock!(Client::initiate_auth).then_http_response(|| {
        aws_smithy_runtime_api::client::orchestrator::HttpResponse::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(500).unwrap(),
            aws_smithy_types::body::SdkBody::from("<html>oops</html>"),
        )
    });
    assert_error(
        &call(
            &app(&[&rule]),
            Operation::Login,
            json!({"username": "a", "password": "p"}),
        )
        .await,
        502,
        "upstream_error",
    );
}
