//! Helpers for the library's tests: an `App` whose Cognito client answers from aws-smithy-mocks rules.

#![allow(dead_code)]

use aws_sdk_cognitoidentityprovider as cognito;
use aws_smithy_mocks::{mock_client, Rule, RuleMode};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use base64::Engine;
use serde_json::{json, Value};
use shared::{ApiRequest, App, Config, Operation};

pub fn config_with(extra: &[(&str, &str)]) -> Config {
    let mut vars: Vec<(String, String)> = vec![
        ("USER_POOL_ID".into(), "us-east-1_Test123".into()),
        ("USER_POOL_CLIENT_ID".into(), "client123".into()),
    ];
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Config::from_lookup(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
        .unwrap()
}

pub fn app(rules: &[&Rule]) -> App {
    app_with(config_with(&[]), rules)
}

pub fn app_with(config: Config, rules: &[&Rule]) -> App {
    let client = mock_client!(cognito, RuleMode::MatchAny, rules.iter().copied());
    App::new(config, client)
}

pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub headers: http::HeaderMap,
}

pub async fn call(app: &App, operation: Operation, body: Value) -> Answer {
    call_raw(app, operation, body.to_string().into_bytes(), &[]).await
}

pub async fn call_with_headers(
    app: &App,
    operation: Operation,
    body: Value,
    headers: &[(&str, &str)],
) -> Answer {
    call_raw(app, operation, body.to_string().into_bytes(), headers).await
}

pub async fn call_raw(
    app: &App,
    operation: Operation,
    body: Vec<u8>,
    headers: &[(&str, &str)],
) -> Answer {
    let mut request = ApiRequest::post(body);
    for (name, value) in headers {
        request.headers.insert(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            http::HeaderValue::from_str(value).unwrap(),
        );
    }
    let response = app.handle(operation, request).await;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = serde_json::from_str(response.body()).expect("every answer is JSON");
    Answer {
        status,
        body,
        headers,
    }
}

/// The HTTP answer Cognito gives for exception `name` (awsJson1_1 error shape).
pub fn exception(name: &str) -> HttpResponse {
    let body =
        json!({"__type": name, "message": format!("raw Cognito text for {name} about user alice")});
    let mut response = HttpResponse::new(
        StatusCode::try_from(400).unwrap(),
        SdkBody::from(body.to_string()),
    );
    response
        .headers_mut()
        .insert("x-amzn-errortype", name.to_owned());
    response
        .headers_mut()
        .insert("content-type", "application/x-amz-json-1.1");
    response
}

/// An unsigned JWT expiring `seconds` from now.
pub fn jwt(token_use: &str, seconds: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let enc = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.signature",
        enc(json!({"alg": "RS256", "kid": "k"})),
        enc(json!({"token_use": token_use, "exp": now + seconds, "sub": "abc"}))
    )
}

pub fn assert_error(answer: &Answer, status: u16, code: &str) {
    assert_eq!(
        (answer.status, answer.body["code"].as_str()),
        (status, Some(code)),
        "body: {}",
        answer.body
    );
    assert_eq!(
        answer.body.as_object().unwrap().len(),
        2,
        "error bodies are exactly code + message"
    );
    let message = answer.body["message"].as_str().unwrap();
    assert!(
        !message.contains("raw Cognito text"),
        "Cognito's own message leaked: {message}"
    );
}

/// GetUserPoolMfaConfig of a pool whose passkeys have relying party `rp_id` and `user_verification`.
pub fn pool_webauthn(rp_id: &'static str, user_verification: &'static str) -> Rule {
    use cognito::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
    use cognito::types::{UserVerificationType, WebAuthnConfigurationType};
    aws_smithy_mocks::mock!(cognito::Client::get_user_pool_mfa_config).then_output(move || {
        GetUserPoolMfaConfigOutput::builder()
            .web_authn_configuration(
                WebAuthnConfigurationType::builder()
                    .relying_party_id(rp_id)
                    .user_verification(UserVerificationType::from(user_verification))
                    .build(),
            )
            .build()
    })
}

/// DescribeUserPool of a pool whose first factors (AllowedFirstAuthFactors) are `factors`.
pub fn pool_first_factors(factors: &'static [&'static str]) -> Rule {
    use cognito::operation::describe_user_pool::DescribeUserPoolOutput;
    use cognito::types::{AuthFactorType, SignInPolicyType, UserPoolPolicyType, UserPoolType};
    aws_smithy_mocks::mock!(cognito::Client::describe_user_pool).then_output(move || {
        let policy = SignInPolicyType::builder()
            .set_allowed_first_auth_factors(Some(
                factors.iter().map(|f| AuthFactorType::from(*f)).collect(),
            ))
            .build();
        DescribeUserPoolOutput::builder()
            .user_pool(
                UserPoolType::builder()
                    .policies(UserPoolPolicyType::builder().sign_in_policy(policy).build())
                    .build(),
            )
            .build()
    })
}
