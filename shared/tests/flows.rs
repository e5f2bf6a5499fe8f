//! Sign-up, login and session operations against mocked Cognito: request shapes, answers, and every
//! error path mapped to the contract.

mod common;

use aws_sdk_cognitoidentityprovider::operation::{
    admin_get_user::AdminGetUserOutput, confirm_sign_up::ConfirmSignUpOutput,
    global_sign_out::GlobalSignOutOutput, initiate_auth::InitiateAuthOutput,
    resend_confirmation_code::ResendConfirmationCodeOutput,
    respond_to_auth_challenge::RespondToAuthChallengeOutput, sign_up::SignUpOutput,
};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, AuthenticationResultType, ChallengeNameType, CodeDeliveryDetailsType,
    DeliveryMediumType,
};
use aws_sdk_cognitoidentityprovider::Client;
use aws_smithy_mocks::mock;
use common::*;
use serde_json::json;
use shared::secret_hash::secret_hash;
use shared::Operation;

fn tokens() -> AuthenticationResultType {
    AuthenticationResultType::builder()
        .access_token(jwt("access", 3600))
        .id_token(jwt("id", 7200))
        .refresh_token("refresh-1")
        .expires_in(3600)
        .token_type("Bearer")
        .build()
}

const SIGNUP: fn() -> serde_json::Value = || json!({"username": "alice", "password": "Passw0rd!", "attributes": [{"Name": "email", "Value": "a@example.com"}]});

#[tokio::test]
async fn signup_returns_everything_the_original_dropped() {
    let rule = mock!(Client::sign_up)
        .match_requests(|r| {
            r.username() == Some("alice")
                && r.client_id() == Some("client123")
                && r.secret_hash().is_none()
                && r.user_attributes()[0].name() == "email"
        })
        .then_output(|| {
            SignUpOutput::builder()
                .user_confirmed(false)
                .user_sub("sub-1")
                .code_delivery_details(
                    CodeDeliveryDetailsType::builder()
                        .destination("a***@e***")
                        .delivery_medium(DeliveryMediumType::Email)
                        .attribute_name("email")
                        .build(),
                )
                .build()
                .unwrap()
        });
    let answer = call(&app(&[&rule]), Operation::Signup, SIGNUP()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.body,
        json!({"username": "alice", "userConfirmed": false, "userSub": "sub-1",
               "codeDeliveryDetails": {"destination": "a***@e***", "deliveryMedium": "EMAIL", "attributeName": "email"}})
    );
    assert_eq!(answer.headers["cache-control"], "no-store");
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn signup_sends_secret_hash_when_the_client_has_a_secret() {
    let expected = secret_hash("s3cret", "alice", "client123");
    let rule = mock!(Client::sign_up)
        .match_requests(move |r| r.secret_hash() == Some(expected.as_str()))
        .then_output(|| {
            SignUpOutput::builder()
                .user_confirmed(false)
                .user_sub("s")
                .build()
                .unwrap()
        });
    let app = app_with(
        config_with(&[("USER_POOL_CLIENT_SECRET", "s3cret")]),
        &[&rule],
    );
    assert_eq!(call(&app, Operation::Signup, SIGNUP()).await.status, 200);
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn signup_errors_map_to_the_contract() {
    for (name, status, code) in [
        ("UsernameExistsException", 409, "username_exists"),
        ("InvalidPasswordException", 400, "invalid_password"),
        ("InvalidParameterException", 400, "invalid_request"),
        ("TooManyRequestsException", 429, "too_many_requests"),
        ("LimitExceededException", 429, "too_many_requests"),
        ("CodeDeliveryFailureException", 502, "upstream_error"),
        ("InternalErrorException", 502, "upstream_error"),
        ("ResourceNotFoundException", 500, "internal"),
        ("BrandNewException", 502, "upstream_error"),
    ] {
        let rule = mock!(Client::sign_up).then_http_response(move || exception(name));
        let answer = call(&app(&[&rule]), Operation::Signup, SIGNUP()).await;
        assert_error(&answer, status, code);
        if status == 429 {
            assert_eq!(answer.headers["retry-after"], "1");
        }
    }
}

#[tokio::test]
async fn hidden_duplicate_signup_looks_like_a_fresh_one() {
    let rule = mock!(Client::sign_up).then_http_response(|| exception("UsernameExistsException"));
    let app = app_with(config_with(&[("HIDE_EXISTING_USERS", "true")]), &[&rule]);
    let first = call(&app, Operation::Signup, SIGNUP()).await;
    let second = call(&app, Operation::Signup, SIGNUP()).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.body["userConfirmed"], false);
    assert_eq!(first.body.as_object().unwrap().len(), 4);
    assert_ne!(
        first.body["userSub"], second.body["userSub"],
        "a random sub each time"
    );
}

#[tokio::test]
async fn signup_validates_fields_before_calling_cognito() {
    let rule = mock!(Client::sign_up).then_output(|| {
        SignUpOutput::builder()
            .user_confirmed(false)
            .user_sub("s")
            .build()
            .unwrap()
    });
    let app = app(&[&rule]);
    for (body, field) in [
        (json!({"password": "Passw0rd!"}), "`username`"),
        (json!({"username": "alice"}), "`password`"),
        (
            json!({"username": 5, "password": "Passw0rd!"}),
            "`username`",
        ),
        (
            json!({"username": "alice", "password": "Passw0rd!", "role": "admin"}),
            "`role`",
        ),
        (
            json!({"username": "alice", "password": "Passw0rd!", "attributes": "email"}),
            "`attributes`",
        ),
    ] {
        let answer = call(&app, Operation::Signup, body).await;
        assert_error(&answer, 400, "invalid_request");
        assert!(
            answer.body["message"].as_str().unwrap().contains(field),
            "{}",
            answer.body
        );
    }
    assert_eq!(rule.num_calls(), 0);
}

#[tokio::test]
async fn confirm_never_forces_alias_creation_and_hides_unknown_users() {
    let ok = mock!(Client::confirm_sign_up)
        .match_requests(|r| {
            r.force_alias_creation() == Some(false) && r.confirmation_code() == Some("123456")
        })
        .then_output(|| ConfirmSignUpOutput::builder().build());
    let answer = call(
        &app(&[&ok]),
        Operation::SignupConfirm,
        json!({"username": "alice", "confirmationCode": "123456"}),
    )
    .await;
    assert_eq!(
        (answer.status, answer.body.clone()),
        (200, json!({"status": "SUCCESS"}))
    );
    for (name, status, code) in [
        ("CodeMismatchException", 400, "code_mismatch"),
        ("ExpiredCodeException", 400, "expired_code"),
        ("UserNotFoundException", 400, "code_mismatch"),
        ("NotAuthorizedException", 401, "not_authorized"),
        ("AliasExistsException", 409, "alias_exists"),
        ("TooManyFailedAttemptsException", 429, "too_many_requests"),
    ] {
        let rule = mock!(Client::confirm_sign_up).then_http_response(move || exception(name));
        let answer = call(
            &app(&[&rule]),
            Operation::SignupConfirm,
            json!({"username": "alice", "confirmationCode": "1"}),
        )
        .await;
        assert_error(&answer, status, code);
    }
}

#[tokio::test]
async fn resend_answers_the_same_keys_for_unknown_users() {
    let ok = mock!(Client::resend_confirmation_code).then_output(|| {
        ResendConfirmationCodeOutput::builder()
            .code_delivery_details(
                CodeDeliveryDetailsType::builder()
                    .destination("a***")
                    .build(),
            )
            .build()
    });
    let known = call(
        &app(&[&ok]),
        Operation::SignupResend,
        json!({"username": "alice"}),
    )
    .await;
    let missing = mock!(Client::resend_confirmation_code)
        .then_http_response(|| exception("UserNotFoundException"));
    let unknown = call(
        &app(&[&missing]),
        Operation::SignupResend,
        json!({"username": "nobody"}),
    )
    .await;
    assert_eq!((known.status, unknown.status), (200, 200));
    assert_eq!(known.body["codeDeliveryDetails"]["destination"], "a***");
    assert_eq!(unknown.body, json!({"codeDeliveryDetails": null}));
    let confirmed = mock!(Client::resend_confirmation_code)
        .then_http_response(|| exception("InvalidParameterException"));
    assert_error(
        &call(
            &app(&[&confirmed]),
            Operation::SignupResend,
            json!({"username": "a"}),
        )
        .await,
        400,
        "invalid_request",
    );
}

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

#[tokio::test]
async fn wrong_method_is_405_and_bad_bodies_are_400_or_413() {
    let app = app(&[]);
    let mut request = shared::ApiRequest::post("{}");
    request.method = http::Method::GET;
    let response = app.handle(Operation::Login, request).await;
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    assert_error(
        &call_raw(&app, Operation::Login, b"{nope".to_vec(), &[]).await,
        400,
        "invalid_request",
    );
    assert_error(
        &call_raw(&app, Operation::Login, b"[]".to_vec(), &[]).await,
        400,
        "invalid_request",
    );
    let big = vec![b' '; shared::body::MAX_BODY_BYTES + 1];
    assert_error(
        &call_raw(&app, Operation::Login, big, &[]).await,
        413,
        "payload_too_large",
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
