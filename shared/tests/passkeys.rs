//! Passkey routes against mocked Cognito: the fresh-sign-in rule, every error path, the Document <-> JSON
//! shapes, and passkey sign-in (with the decoy step for an unknown user).

mod common;

use aws_sdk_cognitoidentityprovider::operation::{
    complete_web_authn_registration::CompleteWebAuthnRegistrationOutput, get_user::GetUserOutput,
    initiate_auth::InitiateAuthOutput, list_web_authn_credentials::ListWebAuthnCredentialsOutput,
    respond_to_auth_challenge::RespondToAuthChallengeOutput,
    start_web_authn_registration::StartWebAuthnRegistrationOutput,
};
use aws_sdk_cognitoidentityprovider::types::{
    AuthenticationResultType, ChallengeNameType, WebAuthnCredentialDescription,
};
use aws_sdk_cognitoidentityprovider::Client;
use aws_smithy_mocks::{mock, Rule};
use base64::Engine;
use common::*;
use serde_json::{json, Value};
use shared::{App, Operation};

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

fn passkey_app(rules: &[&Rule]) -> App {
    app_with(
        config_with(&[
            ("SIGN_IN_METHODS", "PASSWORD,WEB_AUTHN"),
            ("LOGIN_SESSION_KEY", "k"),
        ]),
        rules,
    )
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

/// Cognito's WEB_AUTHN challenge for alice, in Cognito's exact shape (as captured for a real user).
const REAL_OPTIONS: &str = r#"{"hints":[],"attestation":"none","attestationFormats":[],"challenge":"AAECAwQFBgcICQoLDA0ODw","timeout":180000,"rpId":"example.com","allowCredentials":[{"type":"public-key","id":"cred-1","transports":["internal","hybrid"]}],"userVerification":"required"}"#;

fn alice_passkey_challenge() -> Rule {
    mock!(Client::initiate_auth)
        .match_requests(|r| {
            r.auth_parameters()
                .unwrap()
                .get("USERNAME")
                .map(String::as_str)
                == Some("alice")
                && r.auth_parameters().unwrap()["PREFERRED_CHALLENGE"] == "WEB_AUTHN"
        })
        .then_output(|| {
            InitiateAuthOutput::builder()
                .challenge_name(ChallengeNameType::WebAuthn)
                .session("webauthn-session")
                .challenge_parameters("CREDENTIAL_REQUEST_OPTIONS", REAL_OPTIONS)
                .build()
        })
}

/// Every value of a `PASSKEY` step that is the same for every user of the pool (the credential id and
/// the challenge differ per user and per request; their shapes do not).
fn pool_wide(step: &Value) -> Value {
    let options = &step["credentialRequestOptions"];
    let mut keys: Vec<&String> = options.as_object().unwrap().keys().collect();
    keys.sort();
    let challenge_bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(options["challenge"].as_str().unwrap())
        .unwrap()
        .len();
    let credential_keys: Vec<Vec<String>> = options["allowCredentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let mut k: Vec<String> = c.as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        })
        .collect();
    json!({
        "stepKeys": step.as_object().unwrap().keys().collect::<Vec<_>>(),
        "nextStep": step["nextStep"],
        "optionKeys": keys,
        "rpId": options["rpId"],
        "userVerification": options["userVerification"],
        "timeout": options["timeout"],
        "attestation": options["attestation"],
        "attestationFormats": options["attestationFormats"],
        "hints": options["hints"],
        "challengeBytes": challenge_bytes,
        "credentialKeys": credential_keys,
        "credentialTypes": options["allowCredentials"].as_array().unwrap().iter().map(|c| c["type"].clone()).collect::<Vec<_>>(),
    })
}

#[tokio::test]
async fn passkey_sign_in_and_the_decoy_for_an_unknown_user() {
    let initiate = alice_passkey_challenge();
    let unknown =
        mock!(Client::initiate_auth).then_http_response(|| exception("UserNotFoundException"));
    // Cognito refuses a session it never issued (the decoy's), whatever the credential.
    let foreign_session = mock!(Client::respond_to_auth_challenge)
        .match_requests(|r| r.session() != Some("webauthn-session"))
        .then_http_response(|| exception("NotAuthorizedException"));
    let respond = mock!(Client::respond_to_auth_challenge)
        .match_requests(|r| {
            let credential = &r.challenge_responses().unwrap()["CREDENTIAL"];
            r.challenge_name() == Some(&ChallengeNameType::WebAuthn)
                && serde_json::from_str::<Value>(credential).unwrap()["id"] == "cred-1"
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
    // The pool's own settings; the app's variables are unset (passkey_app sets none of them).
    let pool = pool_webauthn("example.com", "required");
    let app = passkey_app(&[&pool, &initiate, &unknown, &foreign_session, &respond]);
    let real = call(
        &app,
        Operation::Login,
        json!({"username": "alice", "method": "WEB_AUTHN"}),
    )
    .await;
    assert_eq!(real.body["nextStep"], "PASSKEY");
    assert_eq!(
        real.body["credentialRequestOptions"]["allowCredentials"][0]["id"],
        "cred-1"
    );
    let ghost = call(
        &app,
        Operation::Login,
        json!({"username": "ghost", "method": "WEB_AUTHN"}),
    )
    .await;
    assert_eq!(ghost.status, real.status);
    // Value by value: everything that is the same for every user of the pool is the same here.
    assert_eq!(pool_wide(&ghost.body), pool_wide(&real.body));
    assert_eq!(
        ghost.body["credentialRequestOptions"]["rpId"],
        "example.com"
    );
    assert_eq!(
        ghost.body["credentialRequestOptions"]["userVerification"],
        "required"
    );
    // The pool was read once for the container, not per request.
    assert_eq!(pool.num_calls(), 1);
    let options = &ghost.body["credentialRequestOptions"];
    // One credential id, nobody's, the same for this username every time.
    let made_up = options["allowCredentials"][0]["id"].clone();
    assert!(made_up.is_string() && made_up != "cred-1");
    let again = call(
        &app,
        Operation::Login,
        json!({"username": "ghost", "method": "WEB_AUTHN"}),
    )
    .await;
    assert_eq!(
        again.body["credentialRequestOptions"]["allowCredentials"][0]["id"],
        made_up
    );
    assert_ne!(
        again.body["credentialRequestOptions"]["challenge"],
        options["challenge"]
    );
    // The decoy's assertion goes to Cognito like a real one (the same call, so the same time) and gets
    // the answer a failed real assertion gets.
    let answer = call(
        &app,
        Operation::LoginPasskey,
        json!({"username": "ghost", "loginSession": ghost.body["loginSession"], "credential": {"id": "cred-1"}}),
    )
    .await;
    assert_error(&answer, 401, "not_authorized");
    assert_eq!((foreign_session.num_calls(), respond.num_calls()), (1, 0));
    let failed = call(
        &app,
        Operation::LoginPasskey,
        json!({"username": "alice", "loginSession": "expired-session", "credential": {"id": "cred-1"}}),
    )
    .await;
    assert_eq!(failed.body, answer.body);
    let tokens = call(
        &app,
        Operation::LoginPasskey,
        json!({"username": "alice", "loginSession": "webauthn-session", "credential": {"id": "cred-1", "type": "public-key"}}),
    )
    .await;
    assert_eq!(
        (tokens.status, respond.num_calls()),
        (200, 1),
        "{}",
        tokens.body
    );
    // WEB_AUTHN outside SIGN_IN_METHODS: a 400 for everyone.
    let answer = call(
        &common::app(&[&initiate]),
        Operation::Login,
        json!({"username": "alice", "method": "WEB_AUTHN"}),
    )
    .await;
    assert_error(&answer, 400, "invalid_request");
}

#[tokio::test]
async fn a_pool_without_passkey_settings_fails_every_passkey_step_alike() {
    use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
    let no_webauthn = mock!(Client::get_user_pool_mfa_config)
        .then_output(|| GetUserPoolMfaConfigOutput::builder().build());
    let initiate = alice_passkey_challenge();
    let unknown =
        mock!(Client::initiate_auth).then_http_response(|| exception("UserNotFoundException"));
    let app = passkey_app(&[&no_webauthn, &initiate, &unknown]);
    for user in ["alice", "ghost"] {
        let answer = call(
            &app,
            Operation::Login,
            json!({"username": user, "method": "WEB_AUTHN"}),
        )
        .await;
        assert_error(&answer, 500, "internal");
    }
    // Before any sign-in call: nothing to tell the two apart.
    assert_eq!((initiate.num_calls(), unknown.num_calls()), (0, 0));

    // The variables fill what the pool does not say (a pool whose relying party is its domain).
    let app = app_with(
        config_with(&[
            ("SIGN_IN_METHODS", "PASSWORD,WEB_AUTHN"),
            ("LOGIN_SESSION_KEY", "k"),
            ("PASSKEY_RELYING_PARTY_ID", "example.com"),
            ("PASSKEY_USER_VERIFICATION", "required"),
        ]),
        &[&no_webauthn, &initiate, &unknown],
    );
    let real = call(
        &app,
        Operation::Login,
        json!({"username": "alice", "method": "WEB_AUTHN"}),
    )
    .await;
    let ghost = call(
        &app,
        Operation::Login,
        json!({"username": "ghost", "method": "WEB_AUTHN"}),
    )
    .await;
    assert_eq!(pool_wide(&ghost.body), pool_wide(&real.body));

    // A variable that contradicts the pool loses to the pool.
    let pool = pool_webauthn("example.com", "required");
    let app = app_with(
        config_with(&[
            ("SIGN_IN_METHODS", "PASSWORD,WEB_AUTHN"),
            ("LOGIN_SESSION_KEY", "k"),
            ("PASSKEY_RELYING_PARTY_ID", "stale.example"),
            ("PASSKEY_USER_VERIFICATION", "preferred"),
        ]),
        &[&pool, &initiate, &unknown],
    );
    let real = call(
        &app,
        Operation::Login,
        json!({"username": "alice", "method": "WEB_AUTHN"}),
    )
    .await;
    let ghost = call(
        &app,
        Operation::Login,
        json!({"username": "ghost", "method": "WEB_AUTHN"}),
    )
    .await;
    assert_eq!(pool_wide(&ghost.body), pool_wide(&real.body));
}

#[tokio::test]
async fn a_failed_read_of_the_pool_is_not_kept() {
    let denied = mock!(Client::get_user_pool_mfa_config)
        .then_http_response(|| exception("AccessDeniedException"));
    let app = passkey_app(&[&denied]);
    for _ in 0..2 {
        let answer = call(
            &app,
            Operation::Login,
            json!({"username": "ghost", "method": "WEB_AUTHN"}),
        )
        .await;
        assert_error(&answer, 500, "internal");
    }
    assert_eq!(denied.num_calls(), 2);
}
