//! The account routes (/account/delete) against mocked Cognito: deletion checks the password first, so a
//! wrong one deletes nothing and one answered by an MFA challenge counts as right.

use crate::common::*;
use aws_sdk_cognitoidentityprovider::operation::{
    delete_user::DeleteUserOutput, get_user::GetUserOutput, initiate_auth::InitiateAuthOutput,
};
use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;
use aws_sdk_cognitoidentityprovider::Client;
use aws_smithy_mocks::mock;
use serde_json::json;
use shared::Operation;

#[tokio::test]
async fn a_wrong_password_deletes_nothing() {
    let get_user = mock!(Client::get_user).then_output(|| {
        GetUserOutput::builder()
            .username("alice")
            .set_user_attributes(Some(vec![]))
            .build()
            .unwrap()
    });
    let wrong =
        mock!(Client::initiate_auth).then_http_response(|| exception("NotAuthorizedException"));
    let delete = mock!(Client::delete_user).then_output(|| DeleteUserOutput::builder().build());
    let app = app(&[&get_user, &wrong, &delete]);
    let answer = call_with_headers(
        &app,
        Operation::AccountDelete,
        json!({"password": "nope"}),
        &[("authorization", &bearer())],
    )
    .await;
    assert_error(&answer, 401, "not_authorized");
    assert_eq!(delete.num_calls(), 0);
}

#[tokio::test]
async fn a_password_answered_by_an_mfa_challenge_counts_as_right() {
    let get_user = mock!(Client::get_user).then_output(|| {
        GetUserOutput::builder()
            .username("alice")
            .set_user_attributes(Some(vec![]))
            .build()
            .unwrap()
    });
    let challenge = mock!(Client::initiate_auth).then_output(|| {
        InitiateAuthOutput::builder()
            .challenge_name(ChallengeNameType::SoftwareTokenMfa)
            .session("s")
            .build()
    });
    let delete = mock!(Client::delete_user).then_output(|| DeleteUserOutput::builder().build());
    let app = app(&[&get_user, &challenge, &delete]);
    let answer = call_with_headers(
        &app,
        Operation::AccountDelete,
        json!({"password": "right"}),
        &[("authorization", &bearer())],
    )
    .await;
    assert_eq!(
        (answer.status, answer.body),
        (200, json!({"status": "SUCCESS"}))
    );
    assert_eq!(delete.num_calls(), 1);
}
