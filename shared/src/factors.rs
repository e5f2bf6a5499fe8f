//! The two kinds of factor, each one enum with its Cognito names, used in requests, answers and the
//! configuration alike: how a sign-in starts (`FirstFactor`: Cognito's AuthFactorType as a first
//! factor) and what proves it after a password (`MfaFactor`). A building block: it imports no operation.

use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;
use serde::{Deserialize, Serialize};

/// A first factor: how a sign-in starts (`Policies.SignInPolicy.AllowedFirstAuthFactors`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FirstFactor {
    #[serde(rename = "PASSWORD")]
    Password,
    /// A one-time code by email.
    #[serde(rename = "EMAIL_OTP")]
    EmailOtp,
    /// A one-time code by SMS.
    #[serde(rename = "SMS_OTP")]
    SmsOtp,
    /// A passkey.
    #[serde(rename = "WEB_AUTHN")]
    WebAuthn,
}

impl FirstFactor {
    pub const ALL: [FirstFactor; 4] = [
        FirstFactor::Password,
        FirstFactor::EmailOtp,
        FirstFactor::SmsOtp,
        FirstFactor::WebAuthn,
    ];

    /// Cognito's name (also the API's).
    pub fn as_str(self) -> &'static str {
        match self {
            FirstFactor::Password => "PASSWORD",
            FirstFactor::EmailOtp => "EMAIL_OTP",
            FirstFactor::SmsOtp => "SMS_OTP",
            FirstFactor::WebAuthn => "WEB_AUTHN",
        }
    }

    pub fn from_name(name: &str) -> Option<FirstFactor> {
        FirstFactor::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

/// A second factor after a password, in Cognito's spelling (its challenge names and MFA settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MfaFactor {
    /// A code by SMS.
    #[serde(rename = "SMS_MFA")]
    Sms,
    /// A code from an authenticator app (TOTP).
    #[serde(rename = "SOFTWARE_TOKEN_MFA")]
    SoftwareToken,
    /// A code by email (Cognito's EmailMfaSettings; the pool needs Amazon SES for it).
    #[serde(rename = "EMAIL_OTP")]
    Email,
}

impl MfaFactor {
    pub const ALL: [MfaFactor; 3] = [MfaFactor::Sms, MfaFactor::SoftwareToken, MfaFactor::Email];

    /// Cognito's name: its challenge's, and its entry in UserMFASettingList (also the API's).
    pub fn as_str(self) -> &'static str {
        match self {
            MfaFactor::Sms => "SMS_MFA",
            MfaFactor::SoftwareToken => "SOFTWARE_TOKEN_MFA",
            MfaFactor::Email => "EMAIL_OTP",
        }
    }

    pub fn from_name(name: &str) -> Option<MfaFactor> {
        MfaFactor::ALL.into_iter().find(|m| m.as_str() == name)
    }

    /// The challenge that asks for this factor's code.
    pub fn challenge(self) -> ChallengeNameType {
        match self {
            MfaFactor::Sms => ChallengeNameType::SmsMfa,
            MfaFactor::SoftwareToken => ChallengeNameType::SoftwareTokenMfa,
            MfaFactor::Email => ChallengeNameType::EmailOtp,
        }
    }

    /// The factor a challenge asks for, if it is one.
    pub fn from_challenge(challenge: &ChallengeNameType) -> Option<MfaFactor> {
        MfaFactor::ALL
            .into_iter()
            .find(|factor| factor.challenge() == *challenge)
    }

    /// The challenge response that carries the code.
    pub fn code_parameter(self) -> &'static str {
        match self {
            MfaFactor::Sms => "SMS_MFA_CODE",
            MfaFactor::SoftwareToken => "SOFTWARE_TOKEN_MFA_CODE",
            MfaFactor::Email => "EMAIL_OTP_CODE",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for factor in FirstFactor::ALL {
            assert_eq!(FirstFactor::from_name(factor.as_str()), Some(factor));
            assert_eq!(
                serde_json::to_value(factor).unwrap(),
                serde_json::json!(factor.as_str())
            );
        }
        for factor in MfaFactor::ALL {
            assert_eq!(MfaFactor::from_name(factor.as_str()), Some(factor));
            assert_eq!(MfaFactor::from_challenge(&factor.challenge()), Some(factor));
            assert_eq!(
                serde_json::to_value(factor).unwrap(),
                serde_json::json!(factor.as_str())
            );
        }
        assert_eq!(FirstFactor::from_name("SOFTWARE_TOKEN"), None);
        assert_eq!(
            MfaFactor::from_challenge(&ChallengeNameType::NewPasswordRequired),
            None
        );
    }
}
