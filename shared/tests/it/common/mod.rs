//! Helpers for the library's tests: an `App` whose Cognito client answers from aws-smithy-mocks rules,
//! the calls and the checks of an answer, and what several modules mock alike (a user, tokens, the pool).

#![allow(dead_code)]

use aws_sdk_cognitoidentityprovider as cognito;
use aws_sdk_cognitoidentityprovider::operation::get_user::GetUserOutput;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, AuthenticationResultType};
use aws_sdk_cognitoidentityprovider::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
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

/// GetUser's answer for alice (email a@example.com) with MFA settings `mfa` and preference `preferred`.
pub fn user(mfa: &[&str], preferred: Option<&str>) -> GetUserOutput {
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
pub fn user_with(attributes: &[(&str, &str)], mfa: &[&str]) -> GetUserOutput {
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

/// GetUser answering `output`.
pub fn get_user_rule(output: fn() -> GetUserOutput) -> Rule {
    mock!(Client::get_user).then_output(output)
}

/// An `Authorization` header with a live access token.
pub fn bearer() -> String {
    format!("Bearer {}", jwt("access", 600))
}

/// `call` with a live access token in the `Authorization` header.
pub async fn authed(app: &shared::App, op: Operation, body: Value) -> Answer {
    call_with_headers(app, op, body, &[("authorization", &bearer())]).await
}

/// Tokens as a sign-in returns them: the id token outlives the access token, refresh token `refresh-1`.
pub fn tokens() -> AuthenticationResultType {
    AuthenticationResultType::builder()
        .access_token(jwt("access", 3600))
        .id_token(jwt("id", 7200))
        .refresh_token("refresh-1")
        .expires_in(3600)
        .token_type("Bearer")
        .build()
}

/// Tokens as a sign-in or a refresh returns them, with refresh token `refresh` if any.
pub fn tokens_with_refresh(refresh: Option<&str>) -> AuthenticationResultType {
    AuthenticationResultType::builder()
        .access_token(jwt("access", 3600))
        .id_token(jwt("id", 3600))
        .set_refresh_token(refresh.map(str::to_owned))
        .expires_in(3600)
        .token_type("Bearer")
        .build()
}

/// An App whose SIGN_IN_METHODS allow passwordless sign-in (EMAIL_OTP, SMS_OTP) besides PASSWORD.
pub fn passwordless(rules: &[&Rule]) -> App {
    app_with(
        config_with(&[
            ("SIGN_IN_METHODS", "PASSWORD,EMAIL_OTP,SMS_OTP"),
            ("LOGIN_SESSION_KEY", "k"),
        ]),
        rules,
    )
}

/// An App whose SIGN_IN_METHODS allow passkey sign-in (WEB_AUTHN) besides PASSWORD.
pub fn passkey_app(rules: &[&Rule]) -> App {
    app_with(
        config_with(&[
            ("SIGN_IN_METHODS", "PASSWORD,WEB_AUTHN"),
            ("LOGIN_SESSION_KEY", "k"),
        ]),
        rules,
    )
}
