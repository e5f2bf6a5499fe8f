//! The caller's credentials on the authenticated routes, against mocked Cognito: the three forms (a Bearer
//! header, an access token in the body, a refresh token and username in the body) all reach Cognito as an
//! access token; the header wins without fallback; unused body credentials must still be well formed; the
//! token is checked before the body; and with rotation a refresh token is refused as a credential.

use crate::common::*;
use aws_sdk_cognitoidentityprovider::operation::{
    get_tokens_from_refresh_token::GetTokensFromRefreshTokenOutput,
    initiate_auth::InitiateAuthOutput,
};
use aws_sdk_cognitoidentityprovider::types::AuthenticationResultType;
use aws_sdk_cognitoidentityprovider::Client;
use aws_smithy_mocks::mock;
use serde_json::json;
use shared::Operation;

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
async fn with_rotation_refresh_token_credentials_are_refused_rather_than_silently_rotated() {
    let rotate = mock!(Client::get_tokens_from_refresh_token).then_output(|| {
        GetTokensFromRefreshTokenOutput::builder()
            .authentication_result(tokens_with_refresh(Some("new")))
            .build()
    });
    let app = app_with(
        config_with(&[("REFRESH_TOKEN_ROTATION", "true")]),
        &[&rotate],
    );
    let answer = call(
        &app,
        Operation::ProfileGet,
        json!({"refreshToken": "old", "username": "alice"}),
    )
    .await;
    assert_error(&answer, 400, "invalid_request");
    assert_eq!(rotate.num_calls(), 0);
}
