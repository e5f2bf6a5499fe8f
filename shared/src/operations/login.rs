//! Login: with the configured flow (password or SRP), then each further step Cognito asks for (MFA code,
//! MFA type choice, new password).

use crate::auth::challenge::{answer_challenge, next_step};
use crate::auth::password::authenticate;
use crate::auth::steps::LoginOutcome;
use crate::cognito::Cognito;
use crate::error::ApiError;
use crate::values::{AttributeMap, Code, LoginSession, Password, Username};
use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LoginRequest {
    pub username: Username,
    pub password: Password,
}

/// The MFA methods a login step may name, in Cognito's spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[allow(clippy::upper_case_acronyms)]
pub enum MfaType {
    #[serde(rename = "SMS_MFA")]
    Sms,
    #[serde(rename = "SOFTWARE_TOKEN_MFA")]
    SoftwareToken,
    #[serde(rename = "EMAIL_OTP")]
    EmailOtp,
}

impl MfaType {
    pub fn as_str(self) -> &'static str {
        match self {
            MfaType::Sms => "SMS_MFA",
            MfaType::SoftwareToken => "SOFTWARE_TOKEN_MFA",
            MfaType::EmailOtp => "EMAIL_OTP",
        }
    }

    /// The challenge response that carries this method's code.
    fn code_parameter(self) -> &'static str {
        match self {
            MfaType::Sms => "SMS_MFA_CODE",
            MfaType::SoftwareToken => "SOFTWARE_TOKEN_MFA_CODE",
            MfaType::EmailOtp => "EMAIL_OTP_CODE",
        }
    }
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MfaRequest {
    pub username: Username,
    pub login_session: LoginSession,
    /// The code; without it, `mfaType` answers a SELECT_MFA_TYPE step.
    pub mfa_code: Option<Code>,
    /// The challenge answered (default `SMS_MFA`), or the method chosen when there is no `mfaCode`.
    pub mfa_type: Option<MfaType>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewPasswordRequest {
    pub username: Username,
    pub login_session: LoginSession,
    pub new_password: Password,
    /// Values for the step's `requiredAttributes`, by plain name.
    #[serde(default)]
    pub attributes: Option<AttributeMap>,
}

pub async fn login(cx: &Cognito, request: LoginRequest) -> Result<LoginOutcome, ApiError> {
    authenticate(cx, request.username.as_str(), request.password.as_str()).await
}

pub async fn mfa(cx: &Cognito, request: MfaRequest) -> Result<LoginOutcome, ApiError> {
    let (challenge, answer) = match (&request.mfa_code, request.mfa_type) {
        (Some(code), mfa_type) => {
            let mfa_type = mfa_type.unwrap_or(MfaType::Sms);
            (
                ChallengeNameType::from(mfa_type.as_str()),
                (mfa_type.code_parameter(), code.as_str()),
            )
        }
        (None, Some(mfa_type)) => (
            ChallengeNameType::SelectMfaType,
            ("ANSWER", mfa_type.as_str()),
        ),
        (None, None) => return Err(ApiError::invalid("`mfaCode` is required.")),
    };
    let output = answer_challenge(
        cx,
        challenge,
        request.username.as_str(),
        request.login_session.as_str(),
        &[answer],
    )
    .await?;
    next_step(&output)
}

pub async fn new_password(
    cx: &Cognito,
    request: NewPasswordRequest,
) -> Result<LoginOutcome, ApiError> {
    let attributes = request.attributes.unwrap_or_default().0;
    let attribute_keys: Vec<(String, &str)> = attributes
        .iter()
        .map(|(name, value)| (format!("userAttributes.{}", name.as_str()), value.as_str()))
        .collect();
    let mut answers: Vec<(&str, &str)> = vec![("NEW_PASSWORD", request.new_password.as_str())];
    answers.extend(attribute_keys.iter().map(|(k, v)| (k.as_str(), *v)));
    let output = answer_challenge(
        cx,
        ChallengeNameType::NewPasswordRequired,
        request.username.as_str(),
        request.login_session.as_str(),
        &answers,
    )
    .await?;
    next_step(&output)
}
