//! The sign-in routes (/login, /login/mfa, /login/new-password, /login/select, /login/otp,
//! /login/passkey) against mocked Cognito: password sign-in (USER_PASSWORD_AUTH and SRP), every challenge
//! reported or refused, MFA answers, the new-password step, passwordless (EMAIL_OTP, SMS_OTP) and passkey
//! sign-in, and the decoy steps an unknown user gets, including what the emulator cannot produce
//! (PreventUserExistenceErrors=LEGACY, throttling, a pool without passkey settings).

use crate::common::{self, *};
use aws_sdk_cognitoidentityprovider::operation::{
    initiate_auth::InitiateAuthOutput, respond_to_auth_challenge::RespondToAuthChallengeOutput,
};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, AuthenticationResultType, ChallengeNameType,
};
use aws_sdk_cognitoidentityprovider::Client;
use aws_smithy_mocks::{mock, Rule};
use base64::Engine;
use serde_json::{json, Value};
use shared::Operation;

#[tokio::test]
async fn login_returns_tokens_with_each_tokens_own_expiry() {
    let rule = mock!(Client::initiate_auth)
        .match_requests(|r| {
            r.auth_flow() == Some(&AuthFlowType::UserPasswordAuth)
                && r.auth_parameters()
                    .unwrap()
                    .get("USERNAME")
                    .map(String::as_str)
                    == Some("alice")
                && r.auth_parameters()
                    .unwrap()
                    .get("PASSWORD")
                    .map(String::as_str)
                    == Some("Passw0rd!")
        })
        .then_output(|| {
            InitiateAuthOutput::builder()
                .authentication_result(tokens())
                .build()
        });
    let answer = call(
        &app(&[&rule]),
        Operation::Login,
        json!({"username": "alice", "password": "Passw0rd!"}),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let body = answer.body.as_object().unwrap();
    assert_eq!(body.len(), 7);
    let access = body["accessTokenExpiresAt"].as_i64().unwrap();
    let id = body["idTokenExpiresAt"].as_i64().unwrap();
    assert!(
        (id - access - 3600).abs() <= 2,
        "the id token's own exp, not the access token's"
    );
    assert_eq!(body["tokenType"], "Bearer");
    assert_eq!(answer.headers["cache-control"], "no-store");
}

#[tokio::test]
async fn unknown_user_and_wrong_password_are_indistinguishable() {
    let wrong =
        mock!(Client::initiate_auth).then_http_response(|| exception("NotAuthorizedException"));
    let unknown =
        mock!(Client::initiate_auth).then_http_response(|| exception("UserNotFoundException"));
    let a = call(
        &app(&[&wrong]),
        Operation::Login,
        json!({"username": "alice", "password": "nope"}),
    )
    .await;
    let b = call(
        &app(&[&unknown]),
        Operation::Login,
        json!({"username": "nobody", "password": "nope"}),
    )
    .await;
    assert_error(&a, 401, "not_authorized");
    assert_eq!((a.status, a.body), (b.status, b.body));
}

#[tokio::test]
async fn login_account_states_are_mapped() {
    for (name, status, code) in [
        ("UserNotConfirmedException", 403, "user_not_confirmed"),
        (
            "PasswordResetRequiredException",
            403,
            "password_reset_required",
        ),
        ("TooManyRequestsException", 429, "too_many_requests"),
    ] {
        let rule = mock!(Client::initiate_auth).then_http_response(move || exception(name));
        assert_error(
            &call(
                &app(&[&rule]),
                Operation::Login,
                json!({"username": "a", "password": "p"}),
            )
            .await,
            status,
            code,
        );
    }
}

fn challenge_output(name: ChallengeNameType, params: &[(&str, &str)]) -> InitiateAuthOutput {
    let mut out = InitiateAuthOutput::builder()
        .challenge_name(name)
        .session("session-1");
    for (k, v) in params {
        out = out.challenge_parameters(*k, *v);
    }
    out.build()
}

#[tokio::test]
async fn every_challenge_is_reported_or_refused_cleanly() {
    type Case<'a> = (
        ChallengeNameType,
        Vec<(&'a str, &'a str)>,
        u16,
        serde_json::Value,
    );
    let cases: Vec<Case> = vec![
        (
            ChallengeNameType::SmsMfa,
            vec![("CODE_DELIVERY_DESTINATION", "+*******0123")],
            200,
            json!({"nextStep": "MFA_AUTH", "mfaType": "SMS_MFA", "destination": "+*******0123", "loginSession": "session-1"}),
        ),
        (
            ChallengeNameType::SoftwareTokenMfa,
            vec![],
            200,
            json!({"nextStep": "MFA_AUTH", "mfaType": "SOFTWARE_TOKEN_MFA", "loginSession": "session-1"}),
        ),
        (
            ChallengeNameType::EmailOtp,
            vec![("CODE_DELIVERY_DESTINATION", "a***@e***")],
            200,
            json!({"nextStep": "MFA_AUTH", "mfaType": "EMAIL_OTP", "destination": "a***@e***", "loginSession": "session-1"}),
        ),
        (
            ChallengeNameType::NewPasswordRequired,
            vec![
                ("requiredAttributes", r#"["userAttributes.name"]"#),
                ("userAttributes", "{}"),
            ],
            200,
            json!({"nextStep": "NEW_PASSWORD_REQUIRED", "requiredAttributes": ["name"], "loginSession": "session-1"}),
        ),
        (
            ChallengeNameType::SelectMfaType,
            vec![("MFAS_CAN_CHOOSE", r#"["SMS_MFA","SOFTWARE_TOKEN_MFA"]"#)],
            200,
            json!({"nextStep": "SELECT_MFA_TYPE", "mfaTypes": ["SMS_MFA", "SOFTWARE_TOKEN_MFA"], "loginSession": "session-1"}),
        ),
        (
            ChallengeNameType::MfaSetup,
            vec![("MFAS_CAN_SETUP", r#"["SOFTWARE_TOKEN_MFA"]"#)],
            200,
            json!({"nextStep": "MFA_SETUP", "loginSession": "session-1"}),
        ),
        (ChallengeNameType::CustomChallenge, vec![], 400, json!(null)),
        (ChallengeNameType::DeviceSrpAuth, vec![], 400, json!(null)),
        (
            ChallengeNameType::from("FUTURE_CHALLENGE"),
            vec![],
            400,
            json!(null),
        ),
    ];
    for (name, params, status, expected) in cases {
        let params: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let name2 = name.clone();
        let rule = mock!(Client::initiate_auth).then_output(move || {
            let p: Vec<(&str, &str)> = params
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            challenge_output(name2.clone(), &p)
        });
        let answer = call(
            &app(&[&rule]),
            Operation::Login,
            json!({"username": "a", "password": "p"}),
        )
        .await;
        if status == 200 {
            assert_eq!((answer.status, &answer.body), (200, &expected), "{name:?}");
        } else {
            assert_error(&answer, 400, "unsupported_challenge");
        }
    }
}

#[tokio::test]
async fn a_challenge_without_a_session_is_an_upstream_error_not_a_crash() {
    let rule = mock!(Client::initiate_auth).then_output(|| {
        InitiateAuthOutput::builder()
            .challenge_name(ChallengeNameType::SmsMfa)
            .build()
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

#[tokio::test]
async fn mfa_answers_use_the_right_code_parameter() {
    for (mfa_type, parameter) in [
        (None, "SMS_MFA_CODE"),
        (Some("SMS_MFA"), "SMS_MFA_CODE"),
        (Some("SOFTWARE_TOKEN_MFA"), "SOFTWARE_TOKEN_MFA_CODE"),
        (Some("EMAIL_OTP"), "EMAIL_OTP_CODE"),
    ] {
        let expected_challenge = ChallengeNameType::from(mfa_type.unwrap_or("SMS_MFA"));
        let rule = mock!(Client::respond_to_auth_challenge)
            .match_requests(move |r| {
                let answers = r.challenge_responses().unwrap();
                r.challenge_name() == Some(&expected_challenge)
                    && r.session() == Some("session-1")
                    && answers.get(parameter).map(String::as_str) == Some("654321")
                    && answers.get("USERNAME").map(String::as_str) == Some("alice")
            })
            .then_output(|| {
                RespondToAuthChallengeOutput::builder()
                    .authentication_result(tokens())
                    .build()
            });
        let mut body =
            json!({"username": "alice", "loginSession": "session-1", "mfaCode": "654321"});
        if let Some(t) = mfa_type {
            body["mfaType"] = json!(t);
        }
        let answer = call(&app(&[&rule]), Operation::LoginMfa, body).await;
        assert_eq!(answer.status, 200, "{mfa_type:?}: {}", answer.body);
        assert_eq!(rule.num_calls(), 1);
    }
}

#[tokio::test]
async fn email_otp_is_answered_with_its_own_code_parameter() {
    let rule = mock!(Client::respond_to_auth_challenge)
        .match_requests(|r| {
            r.challenge_name() == Some(&ChallengeNameType::EmailOtp)
                && r.challenge_responses()
                    .unwrap()
                    .get("EMAIL_OTP_CODE")
                    .map(String::as_str)
                    == Some("42424242")
        })
        .then_output(|| {
            RespondToAuthChallengeOutput::builder()
                .authentication_result(tokens_with_refresh(Some("r")))
                .build()
        });
    let body = json!({"username": "alice", "loginSession": "s", "mfaType": "EMAIL_OTP", "mfaCode": "42424242"});
    assert_eq!(
        call(&app(&[&rule]), Operation::LoginMfa, body).await.status,
        200
    );
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn choosing_an_mfa_type_answers_select_mfa_type() {
    let rule = mock!(Client::respond_to_auth_challenge)
        .match_requests(|r| {
            r.challenge_name() == Some(&ChallengeNameType::SelectMfaType)
                && r.challenge_responses()
                    .unwrap()
                    .get("ANSWER")
                    .map(String::as_str)
                    == Some("SOFTWARE_TOKEN_MFA")
        })
        .then_output(|| {
            RespondToAuthChallengeOutput::builder()
                .challenge_name(ChallengeNameType::SoftwareTokenMfa)
                .session("session-2")
                .build()
        });
    let answer = call(
        &app(&[&rule]),
        Operation::LoginMfa,
        json!({"username": "alice", "loginSession": "session-1", "mfaType": "SOFTWARE_TOKEN_MFA"}),
    )
    .await;
    assert_eq!(
        answer.body,
        json!({"nextStep": "MFA_AUTH", "mfaType": "SOFTWARE_TOKEN_MFA", "loginSession": "session-2"})
    );
}

#[tokio::test]
async fn mfa_errors_and_validation() {
    for (name, status, code) in [
        ("CodeMismatchException", 400, "code_mismatch"),
        ("ExpiredCodeException", 400, "expired_code"),
        ("NotAuthorizedException", 401, "not_authorized"),
        ("InvalidParameterException", 400, "invalid_request"),
    ] {
        let rule =
            mock!(Client::respond_to_auth_challenge).then_http_response(move || exception(name));
        let body = json!({"username": "alice", "loginSession": "s", "mfaCode": "1"});
        assert_error(
            &call(&app(&[&rule]), Operation::LoginMfa, body).await,
            status,
            code,
        );
    }
    let app = app(&[]);
    let answer = call(
        &app,
        Operation::LoginMfa,
        json!({"username": "a", "loginSession": "s", "mfaCode": "1", "mfaType": "VOICE"}),
    )
    .await;
    assert_error(&answer, 400, "invalid_request");
    assert!(answer.body["message"].as_str().unwrap().contains("mfaType"));
    let answer = call(
        &app,
        Operation::LoginMfa,
        json!({"username": "a", "loginSession": "s"}),
    )
    .await;
    assert!(answer.body["message"].as_str().unwrap().contains("mfaCode"));
}

#[tokio::test]
async fn new_password_sends_required_attributes_with_cognitos_prefix() {
    let rule = mock!(Client::respond_to_auth_challenge)
        .match_requests(|r| {
            let answers = r.challenge_responses().unwrap();
            r.challenge_name() == Some(&ChallengeNameType::NewPasswordRequired)
                && answers.get("NEW_PASSWORD").map(String::as_str) == Some("N3w-Passw0rd!")
                && answers.get("userAttributes.name").map(String::as_str) == Some("Alice")
        })
        .then_output(|| {
            RespondToAuthChallengeOutput::builder()
                .authentication_result(tokens())
                .build()
        });
    let body = json!({"username": "alice", "loginSession": "s", "newPassword": "N3w-Passw0rd!", "attributes": {"name": "Alice"}});
    let answer = call(&app(&[&rule]), Operation::LoginNewPassword, body).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let weak = mock!(Client::respond_to_auth_challenge)
        .then_http_response(|| exception("InvalidPasswordException"));
    let body = json!({"username": "alice", "loginSession": "s", "newPassword": "weak"});
    assert_error(
        &call(&app(&[&weak]), Operation::LoginNewPassword, body).await,
        400,
        "invalid_password",
    );
}

#[tokio::test]
async fn srp_sends_srp_a_and_answers_the_verifier_with_a_proof() {
    let start = mock!(Client::initiate_auth)
        .match_requests(|r| {
            let p = r.auth_parameters().unwrap();
            p.get("SRP_A").is_some_and(|a| a.len() > 500) && !p.contains_key("PASSWORD")
        })
        .then_output(|| {
            InitiateAuthOutput::builder()
                .challenge_name(ChallengeNameType::PasswordVerifier)
                .session("srp")
                .challenge_parameters("SALT", "a1b2c3d4e5f60718293a4b5c6d7e8f90")
                .challenge_parameters("SRP_B", "7".repeat(768))
                .challenge_parameters("SECRET_BLOCK", "c2VjcmV0LWJsb2Nr")
                .challenge_parameters("USER_ID_FOR_SRP", "internal-id")
                .challenge_parameters("USERNAME", "alice")
                .build()
        });
    let verify = mock!(Client::respond_to_auth_challenge)
        .match_requests(|r| {
            let a = r.challenge_responses().unwrap();
            r.challenge_name() == Some(&ChallengeNameType::PasswordVerifier)
                && a.get("USERNAME").map(String::as_str) == Some("internal-id")
                && a.get("PASSWORD_CLAIM_SECRET_BLOCK").map(String::as_str)
                    == Some("c2VjcmV0LWJsb2Nr")
                && a.get("PASSWORD_CLAIM_SIGNATURE")
                    .is_some_and(|s| s.len() == 44)
                && a.get("TIMESTAMP")
                    .is_some_and(|t| t.ends_with(" UTC 2026") || t.contains(" UTC "))
        })
        .then_output(|| {
            RespondToAuthChallengeOutput::builder()
                .authentication_result(tokens_with_refresh(Some("r")))
                .build()
        });
    let app = app_with(
        config_with(&[("LOGIN_FLOW", "USER_SRP_AUTH")]),
        &[&start, &verify],
    );
    let answer = call(
        &app,
        Operation::Login,
        json!({"username": "alice", "password": "Passw0rd!"}),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!((start.num_calls(), verify.num_calls()), (1, 1));
}

#[tokio::test]
async fn srp_challenge_missing_a_parameter_is_an_upstream_error() {
    let start = mock!(Client::initiate_auth).then_output(|| {
        InitiateAuthOutput::builder()
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .session("srp")
            .challenge_parameters("SALT", "ab")
            .build()
    });
    let app = app_with(config_with(&[("LOGIN_FLOW", "USER_SRP_AUTH")]), &[&start]);
    let answer = call(
        &app,
        Operation::Login,
        json!({"username": "alice", "password": "Passw0rd!"}),
    )
    .await;
    assert_error(&answer, 502, "upstream_error");
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
