//! The session routes (/session/refresh, /session/revoke, /logout) against mocked Cognito: refresh with and
//! without a client secret or rotation (REFRESH_TOKEN_ROTATION), revocation, and logout with each
//! credential form and every refusal.

use crate::common::*;
use aws_sdk_cognitoidentityprovider::operation::{
    admin_get_user::AdminGetUserOutput,
    get_tokens_from_refresh_token::GetTokensFromRefreshTokenOutput,
    global_sign_out::GlobalSignOutOutput, initiate_auth::InitiateAuthOutput,
    revoke_token::RevokeTokenOutput,
};
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, AuthenticationResultType};
use aws_sdk_cognitoidentityprovider::Client;
use aws_smithy_mocks::mock;
use serde_json::json;
use shared::secret_hash::secret_hash;
use shared::Operation;

#[tokio::test]
async fn refresh_reports_the_sent_refresh_token_when_not_rotated() {
    let rule = mock!(Client::initiate_auth)
        .match_requests(|r| {
            r.auth_flow() == Some(&AuthFlowType::RefreshTokenAuth)
                && r.auth_parameters()
                    .unwrap()
                    .get("REFRESH_TOKEN")
                    .map(String::as_str)
                    == Some("refresh-sent")
        })
        .then_output(|| {
            InitiateAuthOutput::builder()
                .authentication_result(
                    AuthenticationResultType::builder()
                        .access_token(jwt("access", 3600))
                        .id_token(jwt("id", 3600))
                        .expires_in(3600)
                        .token_type("Bearer")
                        .build(),
                )
                .build()
        });
    let answer = call(
        &app(&[&rule]),
        Operation::SessionRefresh,
        json!({"username": "alice", "refreshToken": "refresh-sent"}),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["refreshToken"], "refresh-sent");
    let revoked =
        mock!(Client::initiate_auth).then_http_response(|| exception("NotAuthorizedException"));
    let answer = call(
        &app(&[&revoked]),
        Operation::SessionRefresh,
        json!({"username": "alice", "refreshToken": "r"}),
    )
    .await;
    assert_error(&answer, 401, "not_authorized");
}

#[tokio::test]
async fn refresh_needs_a_username_only_when_the_client_has_a_secret() {
    let rule = mock!(Client::initiate_auth)
        .match_requests(|r| !r.auth_parameters().unwrap().contains_key("SECRET_HASH"))
        .then_output(|| {
            InitiateAuthOutput::builder()
                .authentication_result(tokens())
                .build()
        });
    let answer = call(
        &app(&[&rule]),
        Operation::SessionRefresh,
        json!({"refreshToken": "refresh-sent"}),
    )
    .await;
    assert_eq!(
        (answer.status, rule.num_calls()),
        (200, 1),
        "{}",
        answer.body
    );
    let with_secret = app_with(
        config_with(&[("USER_POOL_CLIENT_SECRET", "s3cr3t")]),
        &[&rule],
    );
    let answer = call(
        &with_secret,
        Operation::SessionRefresh,
        json!({"refreshToken": "refresh-sent"}),
    )
    .await;
    assert_error(&answer, 400, "invalid_request");
    assert!(answer.body["message"]
        .as_str()
        .unwrap()
        .contains("`username`"));
    assert_eq!(rule.num_calls(), 1, "refused before Cognito");
}

#[tokio::test]
async fn refresh_with_a_secret_retries_with_the_internal_username() {
    let internal = "7d8a-internal-sub";
    let by_alias = secret_hash("s3cret", "alice@example.com", "client123");
    let by_internal = secret_hash("s3cret", internal, "client123");
    let refused = mock!(Client::initiate_auth)
        .match_requests(move |r| r.auth_parameters().unwrap().get("SECRET_HASH") == Some(&by_alias))
        .then_http_response(|| exception("NotAuthorizedException"));
    let accepted = mock!(Client::initiate_auth)
        .match_requests(move |r| {
            r.auth_parameters().unwrap().get("SECRET_HASH") == Some(&by_internal)
        })
        .then_output(|| {
            InitiateAuthOutput::builder()
                .authentication_result(tokens())
                .build()
        });
    let lookup = mock!(Client::admin_get_user)
        .match_requests(|r| {
            r.username() == Some("alice@example.com")
                && r.user_pool_id() == Some("us-east-1_Test123")
        })
        .then_output(move || {
            AdminGetUserOutput::builder()
                .username(internal)
                .build()
                .unwrap()
        });
    let app = app_with(
        config_with(&[("USER_POOL_CLIENT_SECRET", "s3cret")]),
        &[&refused, &accepted, &lookup],
    );
    let answer = call(
        &app,
        Operation::SessionRefresh,
        json!({"username": "alice@example.com", "refreshToken": "r"}),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        (
            refused.num_calls(),
            lookup.num_calls(),
            accepted.num_calls()
        ),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn rotation_returns_the_new_refresh_token() {
    let rotate = mock!(Client::get_tokens_from_refresh_token)
        .match_requests(|r| {
            r.refresh_token() == Some("old")
                && r.client_id() == Some("client123")
                && r.client_secret() == Some("s3cret")
        })
        .then_output(|| {
            GetTokensFromRefreshTokenOutput::builder()
                .authentication_result(tokens_with_refresh(Some("new")))
                .build()
        });
    let legacy =
        mock!(Client::initiate_auth).then_http_response(|| exception("NotAuthorizedException"));
    let config = config_with(&[
        ("REFRESH_TOKEN_ROTATION", "true"),
        ("USER_POOL_CLIENT_SECRET", "s3cret"),
    ]);
    let app = app_with(config, &[&rotate, &legacy]);
    let answer = call(
        &app,
        Operation::SessionRefresh,
        json!({"username": "alice", "refreshToken": "old"}),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["refreshToken"], "new");
    assert_eq!((rotate.num_calls(), legacy.num_calls()), (1, 0));
    let revoked = mock!(Client::get_tokens_from_refresh_token)
        .then_http_response(|| exception("NotAuthorizedException"));
    let app = app_with(
        config_with(&[("REFRESH_TOKEN_ROTATION", "true")]),
        &[&revoked],
    );
    let answer = call(
        &app,
        Operation::SessionRefresh,
        json!({"username": "alice", "refreshToken": "old"}),
    )
    .await;
    assert_error(&answer, 401, "not_authorized");
}

#[tokio::test]
async fn revoke_sends_the_client_secret_and_maps_errors() {
    let ok = mock!(Client::revoke_token)
        .match_requests(|r| r.token() == Some("refresh") && r.client_secret() == Some("s3cret"))
        .then_output(|| RevokeTokenOutput::builder().build());
    let with_secret = app_with(
        config_with(&[("USER_POOL_CLIENT_SECRET", "s3cret")]),
        &[&ok],
    );
    let answer = call(
        &with_secret,
        Operation::SessionRevoke,
        json!({"refreshToken": "refresh"}),
    )
    .await;
    assert_eq!(
        (answer.status, answer.body),
        (200, json!({"status": "SUCCESS"}))
    );
    for (name, status, code) in [
        ("UnsupportedTokenTypeException", 400, "invalid_request"),
        ("UnauthorizedException", 401, "not_authorized"),
        ("TooManyRequestsException", 429, "too_many_requests"),
    ] {
        let rule = mock!(Client::revoke_token).then_http_response(move || exception(name));
        assert_error(
            &call(
                &app(&[&rule]),
                Operation::SessionRevoke,
                json!({"refreshToken": "r"}),
            )
            .await,
            status,
            code,
        );
    }
    let answer = call(
        &app(&[]),
        Operation::SessionRevoke,
        json!({"username": "alice"}),
    )
    .await;
    assert_error(&answer, 400, "invalid_request");
    assert!(answer.body["message"]
        .as_str()
        .unwrap()
        .contains("refreshToken"));
}

fn sign_out_rule(expected_token: String) -> aws_smithy_mocks::Rule {
    mock!(Client::global_sign_out)
        .match_requests(move |r| r.access_token() == Some(expected_token.as_str()))
        .then_output(|| GlobalSignOutOutput::builder().build())
}

#[tokio::test]
async fn logout_accepts_each_credential_form() {
    let token = jwt("access", 600);
    let rule = sign_out_rule(token.clone());
    let app1 = app(&[&rule]);
    let bearer = format!("Bearer {token}");
    let by_header = call_with_headers(
        &app1,
        Operation::Logout,
        json!({}),
        &[("authorization", &bearer)],
    )
    .await;
    let by_body = call(
        &app1,
        Operation::Logout,
        json!({"accessToken": token, "idToken": "ignored"}),
    )
    .await;
    let empty_body = call_raw(
        &app1,
        Operation::Logout,
        Vec::new(),
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(
        (by_header.status, by_body.status, empty_body.status),
        (200, 200, 200)
    );
    assert_eq!(by_header.body, json!({"status": "SUCCESS"}));
    assert_eq!(rule.num_calls(), 3);

    let refreshed = mock!(Client::initiate_auth)
        .match_requests(|r| r.auth_flow() == Some(&AuthFlowType::RefreshTokenAuth))
        .then_output(|| {
            InitiateAuthOutput::builder()
                .authentication_result(tokens())
                .build()
        });
    let any_sign_out =
        mock!(Client::global_sign_out).then_output(|| GlobalSignOutOutput::builder().build());
    let app2 = app(&[&refreshed, &any_sign_out]);
    let by_refresh = call(
        &app2,
        Operation::Logout,
        json!({"refreshToken": "r", "username": "alice"}),
    )
    .await;
    assert_eq!(by_refresh.status, 200, "{}", by_refresh.body);
    assert_eq!((refreshed.num_calls(), any_sign_out.num_calls()), (1, 1));
}

#[tokio::test]
async fn logout_refuses_missing_malformed_and_expired_credentials() {
    let rule =
        mock!(Client::global_sign_out).then_output(|| GlobalSignOutOutput::builder().build());
    let app = app(&[&rule]);
    let valid = jwt("access", 600);
    let expired = jwt("access", -10);
    let id_token = jwt("id", 600);
    for (body, header) in [
        (json!({}), None),
        (json!({"accessToken": valid.clone()}), Some("Basic abc")),
        (
            json!({"accessToken": valid.clone()}),
            Some("Bearer not-a-jwt"),
        ),
        (json!({}), Some("Bearer ")),
        (json!({"accessToken": expired}), None),
        (json!({"accessToken": id_token}), None),
    ] {
        let answer = match header {
            Some(h) => {
                call_with_headers(&app, Operation::Logout, body, &[("authorization", h)]).await
            }
            None => call(&app, Operation::Logout, body).await,
        };
        assert_error(&answer, 401, "not_authorized");
    }
    assert_eq!(rule.num_calls(), 0, "refused before any Cognito call");
    // `username` goes with `refreshToken` only where SECRET_HASH needs it: a client with a secret.
    let with_secret = app_with(
        config_with(&[("USER_POOL_CLIENT_SECRET", "s3cr3t")]),
        &[&rule],
    );
    let answer = call(
        &with_secret,
        Operation::Logout,
        json!({"refreshToken": "r"}),
    )
    .await;
    assert_error(&answer, 400, "invalid_request");
    assert!(answer.body["message"]
        .as_str()
        .unwrap()
        .contains("`username`"));
}

#[tokio::test]
async fn logout_with_a_revoked_token_is_401() {
    let rule =
        mock!(Client::global_sign_out).then_http_response(|| exception("NotAuthorizedException"));
    let answer = call(
        &app(&[&rule]),
        Operation::Logout,
        json!({"accessToken": jwt("access", 600)}),
    )
    .await;
    assert_error(&answer, 401, "not_authorized");
}
