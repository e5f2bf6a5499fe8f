//! Turning Cognito's answer to a login step into our response: tokens, or the next step the caller must
//! take. Every challenge Cognito can send is handled here on purpose; the ones this API cannot answer are a
//! clean 400 `unsupported_challenge` (the original crashed the process on all but SMS and new-password).

use crate::error::ApiError;
use crate::tokens::token_body;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput;
use aws_sdk_cognitoidentityprovider::types::{AuthenticationResultType, ChallengeNameType};
use serde_json::{json, Map, Value};
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

/// The MFA methods this API names, in Cognito's spelling.
pub const MFA_TYPES: [&str; 3] = ["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"];

pub fn respond(step: AuthStep<'_>, refresh_fallback: Option<&str>) -> Result<Value, ApiError> {
    if let Some(result) = step.result {
        return token_body(result, refresh_fallback);
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
    let mut body = Map::new();
    let next_step = match challenge {
        ChallengeNameType::SmsMfa
        | ChallengeNameType::SoftwareTokenMfa
        | ChallengeNameType::EmailOtp => {
            body.insert("mfaType".into(), json!(challenge.as_str()));
            if let Some(destination) = param("CODE_DELIVERY_DESTINATION") {
                body.insert("destination".into(), json!(destination));
            }
            "MFA_AUTH"
        }
        ChallengeNameType::NewPasswordRequired => {
            if let Some(raw) = param("requiredAttributes") {
                let names = string_list(raw)?;
                let plain: Vec<&str> = names
                    .iter()
                    .map(|n| n.strip_prefix("userAttributes.").unwrap_or(n))
                    .collect();
                body.insert("requiredAttributes".into(), json!(plain));
            }
            "NEW_PASSWORD_REQUIRED"
        }
        ChallengeNameType::SelectMfaType => {
            let types = param("MFAS_CAN_CHOOSE")
                .map(string_list)
                .transpose()?
                .unwrap_or_default();
            body.insert("mfaTypes".into(), json!(types));
            "SELECT_MFA_TYPE"
        }
        ChallengeNameType::MfaSetup => "MFA_SETUP",
        other => {
            tracing::warn!(challenge = other.as_str(), "unsupported challenge");
            return Err(ApiError::UnsupportedChallenge(other.as_str().to_owned()));
        }
    };
    let Some(session) = step.session.filter(|s| !s.is_empty()) else {
        tracing::error!(
            challenge = challenge.as_str(),
            "Cognito sent a challenge without a session"
        );
        return Err(ApiError::UpstreamError);
    };
    body.insert("nextStep".into(), json!(next_step));
    body.insert("loginSession".into(), json!(session));
    Ok(Value::Object(body))
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
}
