//! A building block of every login route: Cognito's answer to a login step turned into our response
//! types, `Tokens` or the next `LoginStep`. Every challenge Cognito can send is handled here on purpose;
//! the ones this API cannot answer are a clean 400 `unsupported_challenge` (the original crashed the
//! process on all but SMS and new-password).

use crate::error::ApiError;
use crate::factors::{FirstFactor, MfaFactor};
use crate::tokens::{expiry, now_epoch_seconds};
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput;
use aws_sdk_cognitoidentityprovider::types::{AuthenticationResultType, ChallengeNameType};
use serde::Serialize;
use std::collections::HashMap;

/// The parts of InitiateAuth / RespondToAuthChallenge / VerifySoftwareToken outputs that decide the next step.
pub struct AuthStep<'a> {
    pub result: Option<&'a AuthenticationResultType>,
    pub challenge: Option<&'a ChallengeNameType>,
    pub session: Option<&'a str>,
    pub parameters: Option<&'a HashMap<String, String>>,
}

impl<'a> From<&'a InitiateAuthOutput> for AuthStep<'a> {
    fn from(o: &'a InitiateAuthOutput) -> Self {
        AuthStep {
            result: o.authentication_result(),
            challenge: o.challenge_name(),
            session: o.session(),
            parameters: o.challenge_parameters(),
        }
    }
}

impl<'a> From<&'a RespondToAuthChallengeOutput> for AuthStep<'a> {
    fn from(o: &'a RespondToAuthChallengeOutput) -> Self {
        AuthStep {
            result: o.authentication_result(),
            challenge: o.challenge_name(),
            session: o.session(),
            parameters: o.challenge_parameters(),
        }
    }
}

impl<'a> From<&'a AuthenticationResultType> for AuthStep<'a> {
    fn from(result: &'a AuthenticationResultType) -> Self {
        AuthStep {
            result: Some(result),
            challenge: None,
            session: None,
            parameters: None,
        }
    }
}

/// The one answer to a wrong password and to an unknown user alike, whichever flow checked it.
pub const BAD_LOGIN: &str = "Incorrect username or password.";

/// The token answer of every route that completes a login or a refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Tokens {
    /// Always present, except in cookie mode (then in `Set-Cookie`, see `browser`). The one sent, when
    /// refreshing without rotation.
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub refresh_token: String,
    pub access_token: String,
    /// The access token's `exp` (epoch seconds). Each token has its own (the original reported the
    /// access token's expiry for both).
    pub access_token_expires_at: i64,
    pub id_token: String,
    /// The ID token's `exp` (epoch seconds).
    pub id_token_expires_at: i64,
    /// Seconds the access token is valid for.
    pub expires_in: i64,
    pub token_type: String,
}

impl Tokens {
    /// `refresh_fallback` is the refresh token the caller sent, reported back when Cognito did not rotate it.
    pub fn from_result(
        result: &AuthenticationResultType,
        refresh_fallback: Option<&str>,
    ) -> Result<Tokens, ApiError> {
        let (Some(access), Some(id)) = (result.access_token(), result.id_token()) else {
            tracing::error!("Cognito returned an authentication result without tokens");
            return Err(ApiError::UpstreamError);
        };
        let Some(refresh) = result.refresh_token().or(refresh_fallback) else {
            tracing::error!("Cognito returned an authentication result without a refresh token");
            return Err(ApiError::UpstreamError);
        };
        let expires_in = i64::from(result.expires_in());
        let fallback = now_epoch_seconds() + expires_in;
        Ok(Tokens {
            refresh_token: refresh.to_owned(),
            access_token: access.to_owned(),
            access_token_expires_at: expiry(access).unwrap_or(fallback),
            id_token: id.to_owned(),
            id_token_expires_at: expiry(id).unwrap_or(fallback),
            expires_in,
            token_type: result.token_type().unwrap_or("Bearer").to_owned(),
        })
    }
}

/// A login step the caller must take next, with the `loginSession` to send back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
// Each variant's `rename_all` is `rename_all_fields = "camelCase"` spelled out, which utoipa reads too.
#[serde(tag = "nextStep", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LoginStep {
    /// Send the code with `/login/mfa` (with this `mfaType`).
    #[serde(rename_all = "camelCase")]
    MfaAuth {
        login_session: String,
        mfa_type: MfaFactor,
        /// Where the code went (masked), when Cognito says.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, required = false))]
        destination: Option<String>,
    },
    /// Choose one of `mfaTypes` with `/login/mfa` (`mfaType`, no `mfaCode`).
    #[serde(rename_all = "camelCase")]
    SelectMfaType {
        login_session: String,
        mfa_types: Vec<MfaFactor>,
    },
    /// Choose a new password with `/login/new-password`; `requiredAttributes` are plain names.
    #[serde(rename_all = "camelCase")]
    NewPasswordRequired {
        login_session: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>, required = false))]
        required_attributes: Option<Vec<String>>,
    },
    /// Set up an authenticator app with `/mfa/totp/setup` and `/mfa/totp/verify` (login form).
    #[serde(rename_all = "camelCase")]
    MfaSetup { login_session: String },
    /// Choose how to sign in at /login/select: `methods` as Cognito offers them for this user.
    #[serde(rename_all = "camelCase")]
    SelectMethod {
        login_session: String,
        methods: Vec<FirstFactor>,
    },
    /// Send the one-time code at /login/otp. No destination: the step reveals nothing of the account.
    #[serde(rename_all = "camelCase")]
    OtpCode {
        login_session: String,
        method: FirstFactor,
    },
    /// Sign in with a passkey: `navigator.credentials.get` with these options, then /login/passkey.
    #[serde(rename_all = "camelCase")]
    Passkey {
        login_session: String,
        /// Cognito's CREDENTIAL_REQUEST_OPTIONS (a JSON string there), as an object.
        #[cfg_attr(feature = "openapi", schema(value_type = Object))]
        credential_request_options: serde_json::Value,
    },
}

/// What a login step leads to: tokens, or the next step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum LoginOutcome {
    Tokens(Tokens),
    Step(LoginStep),
}

impl LoginOutcome {
    /// Whether Cognito sent an MFA code to reach this step, and whether by SMS (`Some(true)`).
    pub fn sent_code(&self) -> Option<bool> {
        match self {
            LoginOutcome::Step(LoginStep::MfaAuth { mfa_type, .. }) => match mfa_type.as_str() {
                "SMS_MFA" => Some(true),
                "EMAIL_OTP" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }
}

pub fn respond(
    step: AuthStep<'_>,
    refresh_fallback: Option<&str>,
) -> Result<LoginOutcome, ApiError> {
    if let Some(result) = step.result {
        return Tokens::from_result(result, refresh_fallback).map(LoginOutcome::Tokens);
    }
    let Some(challenge) = step.challenge else {
        tracing::error!("Cognito answered a login step with neither tokens nor a challenge");
        return Err(ApiError::UpstreamError);
    };
    let param = |name: &str| {
        step.parameters
            .and_then(|p| p.get(name))
            .map(String::as_str)
    };
    if !matches!(
        challenge,
        ChallengeNameType::SmsMfa
            | ChallengeNameType::SoftwareTokenMfa
            | ChallengeNameType::EmailOtp
            | ChallengeNameType::NewPasswordRequired
            | ChallengeNameType::SelectMfaType
            | ChallengeNameType::MfaSetup
    ) {
        tracing::warn!(challenge = challenge.as_str(), "unsupported challenge");
        return Err(ApiError::UnsupportedChallenge(
            challenge.as_str().to_owned(),
        ));
    }
    let Some(session) = step.session.filter(|s| !s.is_empty()) else {
        tracing::error!(
            challenge = challenge.as_str(),
            "Cognito sent a challenge without a session"
        );
        return Err(ApiError::UpstreamError);
    };
    let login_session = session.to_owned();
    let next = match challenge {
        ChallengeNameType::NewPasswordRequired => LoginStep::NewPasswordRequired {
            login_session,
            required_attributes: param("requiredAttributes")
                .map(string_list)
                .transpose()?
                .map(|names| {
                    names
                        .iter()
                        .map(|n| n.strip_prefix("userAttributes.").unwrap_or(n).to_owned())
                        .collect()
                }),
        },
        ChallengeNameType::SelectMfaType => LoginStep::SelectMfaType {
            login_session,
            // Only the factors this API can answer (Cognito's list may grow).
            mfa_types: param("MFAS_CAN_CHOOSE")
                .map(string_list)
                .transpose()?
                .unwrap_or_default()
                .iter()
                .filter_map(|name| MfaFactor::from_name(name))
                .collect(),
        },
        ChallengeNameType::MfaSetup => LoginStep::MfaSetup { login_session },
        mfa => LoginStep::MfaAuth {
            login_session,
            mfa_type: MfaFactor::from_challenge(mfa).ok_or(ApiError::Internal)?,
            destination: param("CODE_DELIVERY_DESTINATION").map(str::to_owned),
        },
    };
    Ok(LoginOutcome::Step(next))
}

/// Cognito encodes lists in challenge parameters as JSON strings (`"[\"SMS_MFA\"]"`).
fn string_list(raw: &str) -> Result<Vec<String>, ApiError> {
    serde_json::from_str(raw).map_err(|_| {
        tracing::error!("Cognito sent an unreadable list in a challenge parameter");
        ApiError::UpstreamError
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn challenge(
        name: ChallengeNameType,
        params: &[(&str, &str)],
        session: Option<&str>,
    ) -> Result<Value, ApiError> {
        let params: HashMap<String, String> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        respond(
            AuthStep {
                result: None,
                challenge: Some(&name),
                session,
                parameters: Some(&params),
            },
            None,
        )
        .map(|outcome| serde_json::to_value(outcome).unwrap())
    }

    #[test]
    fn sms_mfa_reports_type_and_destination() {
        let body = challenge(
            ChallengeNameType::SmsMfa,
            &[("CODE_DELIVERY_DESTINATION", "+*******1234")],
            Some("s"),
        )
        .unwrap();
        assert_eq!(
            body,
            json!({"nextStep": "MFA_AUTH", "mfaType": "SMS_MFA", "destination": "+*******1234", "loginSession": "s"})
        );
    }

    #[test]
    fn totp_and_email_otp_are_mfa_auth() {
        let body = challenge(ChallengeNameType::SoftwareTokenMfa, &[], Some("s")).unwrap();
        assert_eq!(
            body,
            json!({"nextStep": "MFA_AUTH", "mfaType": "SOFTWARE_TOKEN_MFA", "loginSession": "s"})
        );
        let body = challenge(
            ChallengeNameType::EmailOtp,
            &[("CODE_DELIVERY_DESTINATION", "a***@e***")],
            Some("s"),
        )
        .unwrap();
        assert_eq!(body["mfaType"], "EMAIL_OTP");
        assert_eq!(body["destination"], "a***@e***");
    }

    #[test]
    fn new_password_lists_plain_attribute_names() {
        let body = challenge(
            ChallengeNameType::NewPasswordRequired,
            &[(
                "requiredAttributes",
                r#"["userAttributes.name","userAttributes.custom:team"]"#,
            )],
            Some("s"),
        )
        .unwrap();
        assert_eq!(body["nextStep"], "NEW_PASSWORD_REQUIRED");
        assert_eq!(body["requiredAttributes"], json!(["name", "custom:team"]));
        let body = challenge(ChallengeNameType::NewPasswordRequired, &[], Some("s")).unwrap();
        assert_eq!(
            body,
            json!({"nextStep": "NEW_PASSWORD_REQUIRED", "loginSession": "s"})
        );
    }

    #[test]
    fn select_mfa_type_and_mfa_setup() {
        let body = challenge(
            ChallengeNameType::SelectMfaType,
            &[("MFAS_CAN_CHOOSE", r#"["SMS_MFA","SOFTWARE_TOKEN_MFA"]"#)],
            Some("s"),
        )
        .unwrap();
        assert_eq!(
            body,
            json!({"nextStep": "SELECT_MFA_TYPE", "mfaTypes": ["SMS_MFA", "SOFTWARE_TOKEN_MFA"], "loginSession": "s"})
        );
        let body = challenge(
            ChallengeNameType::MfaSetup,
            &[("MFAS_CAN_SETUP", r#"["SOFTWARE_TOKEN_MFA"]"#)],
            Some("s"),
        )
        .unwrap();
        assert_eq!(body, json!({"nextStep": "MFA_SETUP", "loginSession": "s"}));
    }

    #[test]
    fn unknown_and_unanswerable_challenges_are_a_clean_400() {
        for name in [
            ChallengeNameType::CustomChallenge,
            ChallengeNameType::DeviceSrpAuth,
            ChallengeNameType::from("SOMETHING_NEW"),
        ] {
            let err = challenge(name.clone(), &[], Some("s")).unwrap_err();
            assert_eq!(
                err,
                ApiError::UnsupportedChallenge(name.as_str().to_owned())
            );
        }
    }

    #[test]
    fn a_challenge_missing_its_session_or_with_garbage_parameters_is_upstream_error() {
        assert_eq!(
            challenge(ChallengeNameType::SmsMfa, &[], None).unwrap_err(),
            ApiError::UpstreamError
        );
        assert_eq!(
            challenge(
                ChallengeNameType::SelectMfaType,
                &[("MFAS_CAN_CHOOSE", "{oops")],
                Some("s")
            )
            .unwrap_err(),
            ApiError::UpstreamError
        );
        let nothing = respond(
            AuthStep {
                result: None,
                challenge: None,
                session: None,
                parameters: None,
            },
            None,
        );
        assert_eq!(nothing.unwrap_err(), ApiError::UpstreamError);
    }

    fn jwt(claims: Value) -> String {
        crate::tokens::tests::jwt(claims)
    }

    #[test]
    fn each_expiry_comes_from_its_own_token() {
        let result = AuthenticationResultType::builder()
            .access_token(jwt(json!({"exp": 1000, "token_use": "access"})))
            .id_token(jwt(json!({"exp": 2000, "token_use": "id"})))
            .refresh_token("refresh")
            .expires_in(3600)
            .token_type("Bearer")
            .build();
        let body = serde_json::to_value(Tokens::from_result(&result, None).unwrap()).unwrap();
        assert_eq!(body["accessTokenExpiresAt"], 1000);
        assert_eq!(body["idTokenExpiresAt"], 2000);
        assert_eq!(body["refreshToken"], "refresh");
        assert_eq!(body["expiresIn"], 3600);
        assert_eq!(body["tokenType"], "Bearer");
        assert_eq!(body.as_object().unwrap().len(), 7);
    }

    #[test]
    fn refresh_token_falls_back_to_the_one_sent() {
        let result = AuthenticationResultType::builder()
            .access_token(jwt(json!({"exp": 1})))
            .id_token(jwt(json!({"exp": 2})))
            .build();
        assert_eq!(
            Tokens::from_result(&result, Some("sent"))
                .unwrap()
                .refresh_token,
            "sent"
        );
        assert_eq!(
            Tokens::from_result(&result, None).unwrap_err(),
            ApiError::UpstreamError
        );
    }

    #[test]
    fn missing_tokens_are_an_upstream_error() {
        let result = AuthenticationResultType::builder()
            .refresh_token("r")
            .build();
        assert_eq!(
            Tokens::from_result(&result, None).unwrap_err(),
            ApiError::UpstreamError
        );
    }
}
