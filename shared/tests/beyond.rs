//! Beyond the original, against mocked Cognito: refresh-token rotation, revoke, TOTP verification, account
//! deletion, EMAIL_OTP and SRP edge cases the emulator cannot produce.

mod common;

use aws_sdk_cognitoidentityprovider::operation::{
    associate_software_token::AssociateSoftwareTokenOutput, delete_user::DeleteUserOutput,
    get_tokens_from_refresh_token::GetTokensFromRefreshTokenOutput, get_user::GetUserOutput,
    initiate_auth::InitiateAuthOutput, respond_to_auth_challenge::RespondToAuthChallengeOutput,
    revoke_token::RevokeTokenOutput, verify_software_token::VerifySoftwareTokenOutput,
};
use aws_sdk_cognitoidentityprovider::types::{
    AuthenticationResultType, ChallengeNameType, VerifySoftwareTokenResponseType,
};
use aws_sdk_cognitoidentityprovider::Client;
use aws_smithy_mocks::mock;
use common::*;
use serde_json::json;
use shared::Operation;

fn tokens(refresh: Option<&str>) -> AuthenticationResultType {
    AuthenticationResultType::builder()
        .access_token(jwt("access", 3600))
        .id_token(jwt("id", 3600))
        .set_refresh_token(refresh.map(str::to_owned))
        .expires_in(3600)
        .token_type("Bearer")
        .build()
}

fn bearer() -> String {
    format!("Bearer {}", jwt("access", 600))
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
                .authentication_result(tokens(Some("new")))
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
async fn with_rotation_refresh_token_credentials_are_refused_rather_than_silently_rotated() {
    let rotate = mock!(Client::get_tokens_from_refresh_token).then_output(|| {
        GetTokensFromRefreshTokenOutput::builder()
            .authentication_result(tokens(Some("new")))
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

#[tokio::test]
async fn totp_setup_builds_the_otpauth_uri_from_the_token_username() {
    let access = jwt("access", 600);
    let associate = mock!(Client::associate_software_token).then_output(|| {
        AssociateSoftwareTokenOutput::builder()
            .secret_code("JBSWY3DPEHPK3PXP")
            .build()
    });
    let get_user = mock!(Client::get_user).then_output(|| {
        GetUserOutput::builder()
            .username("alice")
            .set_user_attributes(Some(vec![]))
            .build()
            .unwrap()
    });
    let app = app_with(
        config_with(&[("TOTP_ISSUER", "Acme")]),
        &[&associate, &get_user],
    );
    let answer = call_with_headers(
        &app,
        Operation::MfaTotpSetup,
        json!({}),
        &[("authorization", &format!("Bearer {access}"))],
    )
    .await;
    assert_eq!(
        answer.body,
        json!({"secretCode": "JBSWY3DPEHPK3PXP", "otpauthUri": "otpauth://totp/Acme:alice?secret=JBSWY3DPEHPK3PXP&issuer=Acme"})
    );
}

#[tokio::test]
async fn totp_verification_failures_are_code_mismatch() {
    let refused = mock!(Client::verify_software_token)
        .then_http_response(|| exception("EnableSoftwareTokenMFAException"));
    let answer = call_with_headers(
        &app(&[&refused]),
        Operation::MfaTotpVerify,
        json!({"code": "123456"}),
        &[("authorization", &bearer())],
    )
    .await;
    assert_error(&answer, 400, "code_mismatch");
    let error_status = mock!(Client::verify_software_token).then_output(|| {
        VerifySoftwareTokenOutput::builder()
            .status(VerifySoftwareTokenResponseType::Error)
            .build()
    });
    let answer = call_with_headers(
        &app(&[&error_status]),
        Operation::MfaTotpVerify,
        json!({"code": "1"}),
        &[("authorization", &bearer())],
    )
    .await;
    assert_error(&answer, 400, "code_mismatch");
    let not_set_up = mock!(Client::verify_software_token)
        .then_http_response(|| exception("SoftwareTokenMFANotFoundException"));
    let answer = call_with_headers(
        &app(&[&not_set_up]),
        Operation::MfaTotpVerify,
        json!({"code": "1"}),
        &[("authorization", &bearer())],
    )
    .await;
    assert_error(&answer, 400, "mfa_not_set_up");
}

#[tokio::test]
async fn totp_verification_during_mfa_setup_finishes_the_login() {
    let verify = mock!(Client::verify_software_token)
        .match_requests(|r| r.session() == Some("setup-session") && r.user_code() == Some("123456"))
        .then_output(|| {
            VerifySoftwareTokenOutput::builder()
                .status(VerifySoftwareTokenResponseType::Success)
                .session("verified")
                .build()
        });
    let finish = mock!(Client::respond_to_auth_challenge)
        .match_requests(|r| {
            r.challenge_name() == Some(&ChallengeNameType::MfaSetup)
                && r.session() == Some("verified")
        })
        .then_output(|| {
            RespondToAuthChallengeOutput::builder()
                .authentication_result(tokens(Some("r")))
                .build()
        });
    let body = json!({"username": "alice", "loginSession": "setup-session", "code": "123456"});
    let answer = call(&app(&[&verify, &finish]), Operation::MfaTotpVerify, body).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["refreshToken"], "r");
}

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
                .authentication_result(tokens(Some("r")))
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
                .authentication_result(tokens(Some("r")))
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
