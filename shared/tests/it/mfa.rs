//! The MFA routes (/mfa/get, /mfa/set, /mfa/totp/setup, /mfa/totp/verify) against mocked Cognito: the
//! reported settings, turning a method on or off (and the checks Cognito does not make: a verified phone
//! for SMS, a verified email for EMAIL_OTP), TOTP setup, and TOTP verification, including the one that
//! finishes a login's MFA setup.

use crate::common::*;
use aws_sdk_cognitoidentityprovider::operation::{
    associate_software_token::AssociateSoftwareTokenOutput, get_user::GetUserOutput,
    respond_to_auth_challenge::RespondToAuthChallengeOutput,
    set_user_mfa_preference::SetUserMfaPreferenceOutput,
    verify_software_token::VerifySoftwareTokenOutput,
};
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, ChallengeNameType, VerifySoftwareTokenResponseType,
};
use aws_sdk_cognitoidentityprovider::Client;
use aws_smithy_mocks::mock;
use serde_json::json;
use shared::Operation;

fn verified_phone_user() -> GetUserOutput {
    user_with(
        &[
            ("phone_number", "+14155550123"),
            ("phone_number_verified", "true"),
        ],
        &[],
    )
}

#[tokio::test]
async fn mfa_get_reports_methods_and_an_empty_preference_as_null() {
    let rule = get_user_rule(|| {
        user(
            &["SOFTWARE_TOKEN_MFA", "SMS_MFA"],
            Some("SOFTWARE_TOKEN_MFA"),
        )
    });
    let answer = authed(&app(&[&rule]), Operation::MfaGet, json!({})).await;
    assert_eq!(
        answer.body,
        json!({"enabled": true, "preferred": "SOFTWARE_TOKEN_MFA", "methods": ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]})
    );
    let rule = get_user_rule(|| user(&[], Some("")));
    let answer = authed(&app(&[&rule]), Operation::MfaGet, json!({})).await;
    assert_eq!(
        answer.body,
        json!({"enabled": false, "preferred": null, "methods": []})
    );
}

#[tokio::test]
async fn mfa_set_uses_set_user_mfa_preference_and_makes_the_method_preferred() {
    let sms = mock!(Client::set_user_mfa_preference)
        .match_requests(|r| {
            let s = r.sms_mfa_settings().unwrap();
            s.enabled() && s.preferred_mfa() && r.software_token_mfa_settings().is_none()
        })
        .then_output(|| SetUserMfaPreferenceOutput::builder().build());
    let verified = get_user_rule(verified_phone_user);
    assert_eq!(
        authed(
            &app(&[&verified, &sms]),
            Operation::MfaSet,
            json!({"enableMfa": true})
        )
        .await
        .status,
        200
    );
    let totp_off = mock!(Client::set_user_mfa_preference)
        .match_requests(|r| {
            let s = r.software_token_mfa_settings().unwrap();
            !s.enabled() && !s.preferred_mfa()
        })
        .then_output(|| SetUserMfaPreferenceOutput::builder().build());
    let body = json!({"enableMfa": false, "method": "SOFTWARE_TOKEN_MFA"});
    assert_eq!(
        authed(&app(&[&totp_off]), Operation::MfaSet, body)
            .await
            .status,
        200
    );
    assert_eq!((sms.num_calls(), totp_off.num_calls()), (1, 1));
}

#[tokio::test]
async fn sms_mfa_is_refused_for_an_unverified_or_missing_phone_without_changing_anything() {
    // Cognito accepts an unverified phone for SMS MFA, so the API checks the attributes itself.
    let set = mock!(Client::set_user_mfa_preference)
        .then_output(|| SetUserMfaPreferenceOutput::builder().build());
    let unverified = get_user_rule(|| {
        user_with(
            &[
                ("phone_number", "+14155550123"),
                ("phone_number_verified", "false"),
            ],
            &[],
        )
    });
    let no_phone = get_user_rule(|| user(&[], None));
    for rule in [&unverified, &no_phone] {
        for body in [
            json!({"enableMfa": true}),
            json!({"enableMfa": true, "method": "SMS_MFA"}),
        ] {
            let answer = authed(&app(&[rule, &set]), Operation::MfaSet, body).await;
            assert_error(&answer, 400, "mfa_not_set_up");
            assert!(answer.body["message"]
                .as_str()
                .unwrap()
                .contains("verified phone"));
        }
    }
    assert_eq!(
        set.num_calls(),
        0,
        "nothing may change when the API refuses"
    );
    // Turning SMS MFA off needs no phone at all, and no GetUser.
    let off = mock!(Client::set_user_mfa_preference)
        .match_requests(|r| !r.sms_mfa_settings().unwrap().enabled())
        .then_output(|| SetUserMfaPreferenceOutput::builder().build());
    let answer = authed(
        &app(&[&off]),
        Operation::MfaSet,
        json!({"enableMfa": false}),
    )
    .await;
    assert_eq!((answer.status, off.num_calls()), (200, 1));
}

#[tokio::test]
async fn mfa_set_errors() {
    let not_set_up = mock!(Client::set_user_mfa_preference)
        .then_http_response(|| exception("InvalidParameterException"));
    let verified = get_user_rule(verified_phone_user);
    let answer = authed(
        &app(&[&verified, &not_set_up]),
        Operation::MfaSet,
        json!({"enableMfa": true}),
    )
    .await;
    assert_error(&answer, 400, "mfa_not_set_up");
    assert!(answer.body["message"].as_str().unwrap().contains("phone"));
    let answer = authed(
        &app(&[&not_set_up]),
        Operation::MfaSet,
        json!({"enableMfa": true, "method": "SOFTWARE_TOKEN_MFA"}),
    )
    .await;
    assert_error(&answer, 400, "mfa_not_set_up");
    let revoked = mock!(Client::set_user_mfa_preference)
        .then_http_response(|| exception("NotAuthorizedException"));
    assert_error(
        &authed(
            &app(&[&verified, &revoked]),
            Operation::MfaSet,
            json!({"enableMfa": true}),
        )
        .await,
        401,
        "not_authorized",
    );
    // Body validation: a live token with a wrong body is 400 naming the field.
    let live = get_user_rule(|| user(&[], None));
    let app = app(&[&live]);
    for (body, field) in [
        (json!({"enableMfa": "true"}), "enableMfa"),
        (json!({}), "enableMfa"),
        (json!({"enableMfa": true, "method": "EMAIL"}), "method"),
    ] {
        let answer = authed(&app, Operation::MfaSet, body).await;
        assert_error(&answer, 400, "invalid_request");
        assert!(answer.body["message"].as_str().unwrap().contains(field));
    }
}

#[tokio::test]
async fn email_mfa_needs_a_verified_email() {
    let unverified = mock!(Client::get_user).then_output(|| {
        GetUserOutput::builder()
            .username("alice")
            .user_attributes(
                AttributeType::builder()
                    .name("email")
                    .value("a@example.com")
                    .build()
                    .unwrap(),
            )
            .user_attributes(
                AttributeType::builder()
                    .name("email_verified")
                    .value("false")
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    });
    let set = mock!(Client::set_user_mfa_preference)
        .then_output(|| SetUserMfaPreferenceOutput::builder().build());
    let app = passwordless(&[&unverified, &set]);
    let bearer = format!("Bearer {}", jwt("access", 600));
    let answer = call_with_headers(
        &app,
        Operation::MfaSet,
        json!({"enableMfa": true, "method": "EMAIL_OTP"}),
        &[("authorization", &bearer)],
    )
    .await;
    assert_error(&answer, 400, "mfa_not_set_up");
    assert_eq!(set.num_calls(), 0);
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
                .authentication_result(tokens_with_refresh(Some("r")))
                .build()
        });
    let body = json!({"username": "alice", "loginSession": "setup-session", "code": "123456"});
    let answer = call(&app(&[&verify, &finish]), Operation::MfaTotpVerify, body).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["refreshToken"], "r");
}
