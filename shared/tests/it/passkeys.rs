//! The passkey routes (/passkeys/register/start, /passkeys/register/complete, /passkeys/list,
//! /passkeys/delete) against mocked Cognito: the fresh-sign-in rule, every error path, and the Document <->
//! JSON shapes. (Passkey sign-in is in `login`.)

use crate::common::*;
use aws_sdk_cognitoidentityprovider::operation::{
    complete_web_authn_registration::CompleteWebAuthnRegistrationOutput, get_user::GetUserOutput,
    list_web_authn_credentials::ListWebAuthnCredentialsOutput,
    start_web_authn_registration::StartWebAuthnRegistrationOutput,
};
use aws_sdk_cognitoidentityprovider::types::WebAuthnCredentialDescription;
use aws_sdk_cognitoidentityprovider::Client;
use aws_smithy_mocks::{mock, Rule};
use base64::Engine;
use serde_json::{json, Value};
use shared::Operation;

/// A live token (GetUser), which the boundary checks before answering a wrong body.
fn live() -> Rule {
    mock!(Client::get_user).then_output(|| {
        GetUserOutput::builder()
            .username("alice")
            .set_user_attributes(Some(vec![]))
            .build()
            .unwrap()
    })
}

/// An access token that signed in `ago` seconds ago.
fn signed_in(ago: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let enc = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "Bearer {}.{}.sig",
        enc(json!({"alg": "RS256"})),
        enc(
            json!({"token_use": "access", "exp": now + 600, "auth_time": now - ago, "username": "alice"})
        )
    )
}

fn options() -> Value {
    json!({"challenge": "q1w2", "rp": {"id": "example.com", "name": "Example"}, "timeout": 60000,
           "pubKeyCredParams": [{"type": "public-key", "alg": -7}], "excludeCredentials": []})
}

#[tokio::test]
async fn registering_needs_a_fresh_sign_in_and_answers_cognitos_options_as_json() {
    let start = mock!(Client::start_web_authn_registration).then_output(|| {
        StartWebAuthnRegistrationOutput::builder()
            .credential_creation_options(shared::document::from_json(&options()))
            .build()
            .unwrap()
    });
    let complete = mock!(Client::complete_web_authn_registration)
        .match_requests(|r| {
            r.credential()
                .map(shared::document::to_json)
                .is_some_and(|c| {
                    c["id"] == "cred-1" && c["response"]["transports"] == json!(["internal"])
                })
        })
        .then_output(|| CompleteWebAuthnRegistrationOutput::builder().build());
    let live = live();
    let app = passkey_app(&[&start, &complete, &live]);
    let stale = signed_in(301);
    for (op, body) in [
        (Operation::PasskeysRegisterStart, json!({})),
        (
            Operation::PasskeysRegisterComplete,
            json!({"credential": {}}),
        ),
    ] {
        let answer = call_with_headers(&app, op, body, &[("authorization", &stale)]).await;
        assert_error(&answer, 403, "reauthentication_required");
    }
    assert_eq!((start.num_calls(), complete.num_calls()), (0, 0));
    let fresh = signed_in(10);
    let answer = call_with_headers(
        &app,
        Operation::PasskeysRegisterStart,
        json!({}),
        &[("authorization", &fresh)],
    )
    .await;
    assert_eq!(answer.body, json!({"credentialCreationOptions": options()}));
    let credential = json!({"id": "cred-1", "rawId": "cred-1", "type": "public-key",
                            "response": {"clientDataJSON": "e30", "attestationObject": "o2M", "transports": ["internal"]}});
    let answer = call_with_headers(
        &app,
        Operation::PasskeysRegisterComplete,
        json!({"credential": credential}),
        &[("authorization", &fresh)],
    )
    .await;
    assert_eq!(
        (answer.status, complete.num_calls()),
        (200, 1),
        "{}",
        answer.body
    );
    let answer = call_with_headers(
        &app,
        Operation::PasskeysRegisterComplete,
        json!({"credential": "not an object"}),
        &[("authorization", &fresh)],
    )
    .await;
    assert_error(&answer, 400, "invalid_request");
    assert!(answer.body["message"]
        .as_str()
        .unwrap()
        .contains("`credential`"));
}

#[tokio::test]
async fn a_credential_that_does_not_verify_is_a_plain_passkey_rejected() {
    let fresh = signed_in(5);
    let mut messages = std::collections::HashSet::new();
    for exception_name in [
        "WebAuthnRelyingPartyMismatchException",
        "WebAuthnOriginNotAllowedException",
        "WebAuthnCredentialNotSupportedException",
        "WebAuthnChallengeNotFoundException",
        "WebAuthnClientMismatchException",
    ] {
        let refused = mock!(Client::complete_web_authn_registration)
            .then_http_response(move || exception(exception_name));
        let answer = call_with_headers(
            &passkey_app(&[&refused]),
            Operation::PasskeysRegisterComplete,
            json!({"credential": {"id": "x"}}),
            &[("authorization", &fresh)],
        )
        .await;
        assert_error(&answer, 400, "passkey_rejected");
        messages.insert(answer.body["message"].as_str().unwrap().to_owned());
    }
    assert_eq!(messages.len(), 5, "each says which: {messages:?}");
    let not_enabled = mock!(Client::start_web_authn_registration)
        .then_http_response(|| exception("WebAuthnNotEnabledException"));
    let answer = call_with_headers(
        &passkey_app(&[&not_enabled]),
        Operation::PasskeysRegisterStart,
        json!({}),
        &[("authorization", &fresh)],
    )
    .await;
    assert_error(&answer, 500, "internal");
}

#[tokio::test]
async fn list_and_delete() {
    let list = mock!(Client::list_web_authn_credentials)
        .match_requests(|r| r.next_token() == Some("page-2"))
        .then_output(|| {
            ListWebAuthnCredentialsOutput::builder()
                .credentials(
                    WebAuthnCredentialDescription::builder()
                        .credential_id("cred-1")
                        .friendly_credential_name("Chrome")
                        .relying_party_id("example.com")
                        .authenticator_attachment("platform")
                        .authenticator_transports("internal")
                        .created_at(aws_smithy_types::DateTime::from_secs(1_767_225_600))
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap()
        });
    let missing = mock!(Client::delete_web_authn_credential)
        .then_http_response(|| exception("ResourceNotFoundException"));
    let live = live();
    let app = passkey_app(&[&list, &missing, &live]);
    let bearer = signed_in(100_000);
    let answer = call_with_headers(
        &app,
        Operation::PasskeysList,
        json!({"nextToken": "page-2"}),
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(
        answer.body,
        json!({"passkeys": [{"credentialId": "cred-1", "friendlyName": "Chrome", "relyingPartyId": "example.com",
                             "authenticatorAttachment": "platform", "transports": ["internal"], "createdAt": 1_767_225_600}],
               "nextToken": null})
    );
    let answer = call_with_headers(
        &app,
        Operation::PasskeysDelete,
        json!({"credentialId": "nope"}),
        &[("authorization", &bearer)],
    )
    .await;
    assert_error(&answer, 404, "passkey_not_found");
    let answer = call_with_headers(
        &app,
        Operation::PasskeysDelete,
        json!({}),
        &[("authorization", &bearer)],
    )
    .await;
    assert_error(&answer, 400, "invalid_request");
}
