//! Every `events/*.json` (what `sam local invoke -e events/<function>.json` sends) through the Lambda front
//! door, `shared::lambda::handle`, with the operation its function binary serves, against a Cognito that
//! answers every call the routes make (aws-smithy-mocks): each must answer 200 with its route's body shape.

use crate::common;
use aws_sdk_cognitoidentityprovider::operation::{
    admin_get_user::AdminGetUserOutput, associate_software_token::AssociateSoftwareTokenOutput,
    change_password::ChangePasswordOutput,
    complete_web_authn_registration::CompleteWebAuthnRegistrationOutput,
    confirm_forgot_password::ConfirmForgotPasswordOutput, confirm_sign_up::ConfirmSignUpOutput,
    delete_user::DeleteUserOutput, delete_user_attributes::DeleteUserAttributesOutput,
    delete_web_authn_credential::DeleteWebAuthnCredentialOutput,
    forgot_password::ForgotPasswordOutput,
    get_tokens_from_refresh_token::GetTokensFromRefreshTokenOutput, get_user::GetUserOutput,
    get_user_attribute_verification_code::GetUserAttributeVerificationCodeOutput,
    get_user_auth_factors::GetUserAuthFactorsOutput, global_sign_out::GlobalSignOutOutput,
    initiate_auth::InitiateAuthOutput, list_web_authn_credentials::ListWebAuthnCredentialsOutput,
    resend_confirmation_code::ResendConfirmationCodeOutput,
    respond_to_auth_challenge::RespondToAuthChallengeOutput, revoke_token::RevokeTokenOutput,
    set_user_mfa_preference::SetUserMfaPreferenceOutput, sign_up::SignUpOutput,
    start_web_authn_registration::StartWebAuthnRegistrationOutput,
    update_user_attributes::UpdateUserAttributesOutput,
    verify_software_token::VerifySoftwareTokenOutput,
    verify_user_attribute::VerifyUserAttributeOutput,
};
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFactorType, AuthenticationResultType, CodeDeliveryDetailsType,
    DeliveryMediumType, VerifySoftwareTokenResponseType, WebAuthnCredentialDescription,
};
use aws_sdk_cognitoidentityprovider::Client;
use aws_smithy_mocks::{mock, Rule};
use lambda_http::Body;
use shared::Operation;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn events_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("events")
}

/// The top-level keys of each route's 200 body (see `shared/src/operations/`).
fn expected_keys(function: &str) -> Option<&'static [&'static str]> {
    const TOKENS: &[&str] = &[
        "accessToken",
        "accessTokenExpiresAt",
        "expiresIn",
        "idToken",
        "idTokenExpiresAt",
        "refreshToken",
        "tokenType",
    ];
    const STATUS: &[&str] = &["status"];
    const STATUS_DELIVERY: &[&str] = &["codeDeliveryDetails", "status"];
    Some(match function {
        "signup" => &[
            "codeDeliveryDetails",
            "userConfirmed",
            "userSub",
            "username",
        ],
        "signup-confirm" => STATUS,
        "signup-resend" => &["codeDeliveryDetails"],
        "login" | "login-mfa" | "login-new-password" | "login-select" | "login-otp"
        | "login-passkey" | "session-refresh" => TOKENS,
        "passkeys-register-start" => &["credentialCreationOptions"],
        "passkeys-register-complete" | "passkeys-delete" => STATUS,
        "passkeys-list" => &["nextToken", "passkeys"],
        "account-factors" => &["mfaMethods", "preferredMfa", "signInMethods"],
        "logout" => STATUS,
        "mfa-get" => &["enabled", "methods", "preferred"],
        "mfa-set" => STATUS,
        "profile-get" => &["attributes", "username"],
        "profile-edit" | "profile-phone" => STATUS_DELIVERY,
        "profile-attribute-confirm" => STATUS,
        "password-change" => STATUS,
        "password-forgot" => STATUS_DELIVERY,
        "password-reset" => STATUS,
        "mfa-totp-setup" => &["otpauthUri", "secretCode"],
        "mfa-totp-verify" => STATUS,
        "profile-attribute-send-code" => &["codeDeliveryDetails"],
        "account-delete" => STATUS,
        "session-revoke" => STATUS,
        _ => return None,
    })
}

fn tokens() -> AuthenticationResultType {
    AuthenticationResultType::builder()
        .access_token(common::jwt("access", 3600))
        .id_token(common::jwt("id", 3600))
        .refresh_token("eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIn0.rotated.refresh.token.x")
        .expires_in(3600)
        .token_type("Bearer")
        .build()
}

fn delivery(
    medium: DeliveryMediumType,
    attribute: &str,
    destination: &str,
) -> CodeDeliveryDetailsType {
    CodeDeliveryDetailsType::builder()
        .destination(destination)
        .delivery_medium(medium)
        .attribute_name(attribute)
        .build()
}

fn email_delivery() -> CodeDeliveryDetailsType {
    delivery(DeliveryMediumType::Email, "email", "a***@e***")
}

fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

/// A plausible answer to every Cognito operation the routes call, any number of times.
fn cognito_rules() -> Vec<(&'static str, Rule)> {
    vec![
        (
            "SignUp",
            mock!(Client::sign_up).then_output(|| {
                SignUpOutput::builder()
                    .user_confirmed(false)
                    .user_sub("5f2a0c3e-8d41-4b7a-9a3c-2e1b6f0d7c11")
                    .code_delivery_details(email_delivery())
                    .build()
                    .unwrap()
            }),
        ),
        (
            "ConfirmSignUp",
            mock!(Client::confirm_sign_up).then_output(|| ConfirmSignUpOutput::builder().build()),
        ),
        (
            "ResendConfirmationCode",
            mock!(Client::resend_confirmation_code).then_output(|| {
                ResendConfirmationCodeOutput::builder()
                    .code_delivery_details(email_delivery())
                    .build()
            }),
        ),
        (
            "InitiateAuth",
            mock!(Client::initiate_auth).then_output(|| {
                InitiateAuthOutput::builder()
                    .authentication_result(tokens())
                    .build()
            }),
        ),
        (
            "RespondToAuthChallenge",
            mock!(Client::respond_to_auth_challenge).then_output(|| {
                RespondToAuthChallengeOutput::builder()
                    .authentication_result(tokens())
                    .build()
            }),
        ),
        (
            "GlobalSignOut",
            mock!(Client::global_sign_out).then_output(|| GlobalSignOutOutput::builder().build()),
        ),
        (
            "GetUser",
            mock!(Client::get_user).then_output(|| {
                GetUserOutput::builder()
                    .username("alice")
                    .user_attributes(attribute("sub", "5f2a0c3e-8d41-4b7a-9a3c-2e1b6f0d7c11"))
                    .user_attributes(attribute("email", "alice@example.com"))
                    .user_attributes(attribute("email_verified", "true"))
                    .user_attributes(attribute("name", "Alice Liddell"))
                    .user_attributes(attribute("nickname", "al"))
                    .user_mfa_setting_list("SOFTWARE_TOKEN_MFA")
                    .preferred_mfa_setting("SOFTWARE_TOKEN_MFA")
                    .build()
                    .unwrap()
            }),
        ),
        (
            "SetUserMFAPreference",
            mock!(Client::set_user_mfa_preference)
                .then_output(|| SetUserMfaPreferenceOutput::builder().build()),
        ),
        (
            // A new phone number is verified by SMS; other attributes need no code.
            "UpdateUserAttributes (phone_number)",
            mock!(Client::update_user_attributes)
                .match_requests(|r| {
                    r.user_attributes()
                        .iter()
                        .any(|a| a.name() == "phone_number")
                })
                .then_output(|| {
                    UpdateUserAttributesOutput::builder()
                        .code_delivery_details_list(delivery(
                            DeliveryMediumType::Sms,
                            "phone_number",
                            "+*******0123",
                        ))
                        .build()
                }),
        ),
        (
            "UpdateUserAttributes",
            mock!(Client::update_user_attributes)
                .then_output(|| UpdateUserAttributesOutput::builder().build()),
        ),
        (
            "DeleteUserAttributes",
            mock!(Client::delete_user_attributes)
                .then_output(|| DeleteUserAttributesOutput::builder().build()),
        ),
        (
            "VerifyUserAttribute",
            mock!(Client::verify_user_attribute)
                .then_output(|| VerifyUserAttributeOutput::builder().build()),
        ),
        (
            "ChangePassword",
            mock!(Client::change_password).then_output(|| ChangePasswordOutput::builder().build()),
        ),
        (
            "ForgotPassword",
            mock!(Client::forgot_password).then_output(|| {
                ForgotPasswordOutput::builder()
                    .code_delivery_details(email_delivery())
                    .build()
            }),
        ),
        (
            "ConfirmForgotPassword",
            mock!(Client::confirm_forgot_password)
                .then_output(|| ConfirmForgotPasswordOutput::builder().build()),
        ),
        (
            "AssociateSoftwareToken",
            mock!(Client::associate_software_token).then_output(|| {
                AssociateSoftwareTokenOutput::builder()
                    .secret_code("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
                    .build()
            }),
        ),
        (
            "VerifySoftwareToken",
            mock!(Client::verify_software_token).then_output(|| {
                VerifySoftwareTokenOutput::builder()
                    .status(VerifySoftwareTokenResponseType::Success)
                    .build()
            }),
        ),
        (
            "GetUserAttributeVerificationCode",
            mock!(Client::get_user_attribute_verification_code).then_output(|| {
                GetUserAttributeVerificationCodeOutput::builder()
                    .code_delivery_details(email_delivery())
                    .build()
            }),
        ),
        (
            "DeleteUser",
            mock!(Client::delete_user).then_output(|| DeleteUserOutput::builder().build()),
        ),
        (
            "GetUserAuthFactors",
            mock!(Client::get_user_auth_factors).then_output(|| {
                GetUserAuthFactorsOutput::builder()
                    .username("alice")
                    .configured_user_auth_factors(AuthFactorType::Password)
                    .configured_user_auth_factors(AuthFactorType::EmailOtp)
                    .user_mfa_setting_list("SOFTWARE_TOKEN_MFA")
                    .preferred_mfa_setting("SOFTWARE_TOKEN_MFA")
                    .build()
                    .unwrap()
            }),
        ),
        (
            "StartWebAuthnRegistration",
            mock!(Client::start_web_authn_registration).then_output(|| {
                StartWebAuthnRegistrationOutput::builder()
                    .credential_creation_options(shared::document::from_json(&serde_json::json!({
                        "challenge": "q1w2e3r4", "rp": {"id": "example.com", "name": "Example"},
                        "user": {"id": "NWYyYTBj", "name": "alice", "displayName": "alice"},
                        "pubKeyCredParams": [{"type": "public-key", "alg": -7}]
                    })))
                    .build()
                    .unwrap()
            }),
        ),
        (
            "CompleteWebAuthnRegistration",
            mock!(Client::complete_web_authn_registration)
                .then_output(|| CompleteWebAuthnRegistrationOutput::builder().build()),
        ),
        (
            "ListWebAuthnCredentials",
            mock!(Client::list_web_authn_credentials).then_output(|| {
                ListWebAuthnCredentialsOutput::builder()
                    .credentials(
                        WebAuthnCredentialDescription::builder()
                            .credential_id("hcOkHVhsNGVyIBOJ1CbXQw")
                            .friendly_credential_name("Chrome on Linux")
                            .relying_party_id("example.com")
                            .authenticator_transports("internal")
                            .created_at(aws_smithy_types::DateTime::from_secs(1767225600))
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap()
            }),
        ),
        (
            "DeleteWebAuthnCredential",
            mock!(Client::delete_web_authn_credential)
                .then_output(|| DeleteWebAuthnCredentialOutput::builder().build()),
        ),
        (
            "RevokeToken",
            mock!(Client::revoke_token).then_output(|| RevokeTokenOutput::builder().build()),
        ),
        (
            // Only with REFRESH_TOKEN_ROTATION.
            "GetTokensFromRefreshToken",
            mock!(Client::get_tokens_from_refresh_token).then_output(|| {
                GetTokensFromRefreshTokenOutput::builder()
                    .authentication_result(tokens())
                    .build()
            }),
        ),
        (
            // Only with a client secret, when Cognito refuses a refresh's SECRET_HASH.
            "AdminGetUser",
            mock!(Client::admin_get_user).then_output(|| {
                AdminGetUserOutput::builder()
                    .username("alice")
                    .build()
                    .unwrap()
            }),
        ),
    ]
}

fn event_files() -> Vec<(String, PathBuf)> {
    let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(events_dir())
        .expect("events/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| (p.file_stem().unwrap().to_str().unwrap().to_owned(), p))
        .collect();
    files.sort();
    files
}

#[tokio::test]
async fn every_event_runs_through_its_functions_handler() {
    let rules = cognito_rules();
    // The events' access token signed in on 2026-01-01: registering a passkey needs a fresh sign-in, so
    // the window is widened here (shared/tests/it/passkeys.rs tests the refusal).
    let config = common::config_with(&[("PASSKEY_REGISTRATION_MAX_AGE_SECONDS", "3153600000")]);
    let app = common::app_with(
        config,
        &rules.iter().map(|(_, rule)| rule).collect::<Vec<_>>(),
    );
    let files = event_files();
    assert!(!files.is_empty(), "no events/*.json");
    let mut failures = Vec::new();
    for (function, path) in &files {
        let Some(op) = Operation::from_function_name(function) else {
            failures.push(format!("{function}: names no operation"));
            continue;
        };
        let text = std::fs::read_to_string(path).unwrap();
        let request = lambda_http::request::from_str(&text)
            .unwrap_or_else(|e| panic!("{function}: not an API Gateway event: {e}"));
        assert_eq!(
            request.uri().path(),
            op.path(),
            "{function}: the event's path"
        );
        let response = shared::lambda::handle(&app, op, request)
            .await
            .unwrap_or_else(|never| match never {});
        let status = response.status().as_u16();
        let body = match response.body() {
            Body::Text(text) => text.clone(),
            other => panic!("{function}: a text body, got {other:?}"),
        };
        let json: serde_json::Value = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("{function}: JSON body ({e}): {body}"));
        if status != 200 {
            failures.push(format!("{function}: {status} {body}"));
            continue;
        }
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{function}"
        );
        let keys: BTreeSet<&str> = json
            .as_object()
            .unwrap_or_else(|| panic!("{function}: an object: {body}"))
            .keys()
            .map(String::as_str)
            .collect();
        match expected_keys(function) {
            Some(expected) => {
                let expected: BTreeSet<&str> = expected.iter().copied().collect();
                if keys != expected {
                    failures.push(format!("{function}: keys {keys:?}, expected {expected:?}"));
                }
            }
            None => failures.push(format!(
                "{function}: add its body's keys to expected_keys in shared/tests/it/events.rs (got {keys:?})"
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The events exercise every Cognito call the routes make in the default configuration.
    const NOT_IN_DEFAULT_CONFIG: [&str; 2] = ["AdminGetUser", "GetTokensFromRefreshToken"];
    let unused: Vec<&str> = rules
        .iter()
        .filter(|(name, rule)| rule.num_calls() == 0 && !NOT_IN_DEFAULT_CONFIG.contains(name))
        .map(|(name, _)| *name)
        .collect();
    assert!(unused.is_empty(), "no event reached {unused:?}");
}

#[test]
fn every_operation_has_an_event() {
    let names: BTreeSet<String> = event_files().into_iter().map(|(n, _)| n).collect();
    let missing: Vec<&str> = Operation::ALL
        .iter()
        .map(|op| op.function_name())
        .filter(|n| !names.contains(*n))
        .collect();
    assert!(
        missing.is_empty(),
        "no events/<function>.json for {missing:?}"
    );
}
