//! Multi-factor settings through SetUserMFAPreference / GetUser's UserMFASettingList (not the deprecated
//! SetUserSettings / MFAOptions the original used, which never reflected what the login flow enforces).

use crate::answers::{Status, SUCCESS};
use crate::cognito::{failure, get_user, Cognito, INVALID_TOKEN};
use crate::credentials::AccessToken;
use crate::error::ApiError;
use crate::factors::MfaFactor;
use crate::values::NoFields;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, EmailMfaSettingsType, SmsMfaSettingsType, SoftwareTokenMfaSettingsType,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MfaSettings {
    /// Whether any method is enabled.
    pub enabled: bool,
    /// The preferred method, `null` when none.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub preferred: Option<MfaFactor>,
    pub methods: Vec<MfaFactor>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MfaSetRequest {
    pub enable_mfa: bool,
    /// Default `SMS_MFA`.
    pub method: Option<MfaFactor>,
}

pub async fn get(cx: &Cognito, caller: AccessToken, _: NoFields) -> Result<MfaSettings, ApiError> {
    let user = get_user(cx, &caller.token).await?;
    let enabled_list = user.user_mfa_setting_list();
    let methods: Vec<MfaFactor> = MfaFactor::ALL
        .into_iter()
        .filter(|factor| enabled_list.iter().any(|m| m == factor.as_str()))
        .collect();
    // Cognito reports "no preference" as an absent or empty PreferredMfaSetting.
    let preferred = user.preferred_mfa_setting().and_then(MfaFactor::from_name);
    Ok(MfaSettings {
        enabled: !methods.is_empty(),
        preferred,
        methods,
    })
}

pub async fn set(
    cx: &Cognito,
    caller: AccessToken,
    request: MfaSetRequest,
) -> Result<Status, ApiError> {
    let method = request.method.unwrap_or(MfaFactor::Sms);
    let enable = request.enable_mfa;
    // Cognito itself accepts an unverified phone for SMS MFA (SMSMfaSettingsType: "phone numbers don't
    // need to be verified") and an unverified email for email MFA, so codes would go to an address the
    // user never proved they own. The contract promises a verified one: check it before anything changes.
    let needs = match method {
        MfaFactor::Sms => Some(("phone_number_verified", SMS_NEEDS_VERIFIED_PHONE)),
        MfaFactor::Email => Some(("email_verified", EMAIL_NEEDS_VERIFIED_EMAIL)),
        MfaFactor::SoftwareToken => None,
    };
    if let (true, Some((attribute, refusal))) = (enable, needs) {
        let user = get_user(cx, &caller.token).await?;
        if !attribute_is_true(user.user_attributes(), attribute) {
            return Err(ApiError::MfaNotSetUp(refusal));
        }
    }
    set_preference(cx, &caller.token, method, enable).await?;
    Ok(SUCCESS)
}

const EMAIL_NEEDS_VERIFIED_EMAIL: &str =
    "Email MFA needs a verified email address: confirm it first (/profile/attribute/send-code, /profile/attribute/confirm).";
const SMS_NEEDS_VERIFIED_PHONE: &str =
    "SMS MFA needs a verified phone number: set one with /profile/phone and confirm it first.";

/// Whether the user's attribute `name` is the string `"true"` (how Cognito stores `*_verified`).
pub fn attribute_is_true(attributes: &[AttributeType], name: &str) -> bool {
    attributes
        .iter()
        .any(|a| a.name() == name && a.value() == Some("true"))
}

/// Enabling makes the method preferred; disabling clears it (Cognito then drops it as preferred too).
pub async fn set_preference(
    cx: &Cognito,
    access_token: &str,
    method: MfaFactor,
    enable: bool,
) -> Result<(), ApiError> {
    let mut call = cx
        .client
        .set_user_mfa_preference()
        .access_token(access_token);
    call = match method {
        MfaFactor::SoftwareToken => call.software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(enable)
                .preferred_mfa(enable)
                .build(),
        ),
        MfaFactor::Email => call.email_mfa_settings(
            EmailMfaSettingsType::builder()
                .enabled(enable)
                .preferred_mfa(enable)
                .build(),
        ),
        MfaFactor::Sms => call.sms_mfa_settings(
            SmsMfaSettingsType::builder()
                .enabled(enable)
                .preferred_mfa(enable)
                .build(),
        ),
    };
    call.send().await.map_err(|err| {
        let failure = failure("SetUserMFAPreference", err);
        match failure.exception() {
            // Cognito's answer when the user has no phone number at all, or no authenticator app was
            // verified yet.
            Some("InvalidParameterException") => ApiError::MfaNotSetUp(match method {
                MfaFactor::SoftwareToken => "Set up and verify an authenticator app (/mfa/totp/setup, /mfa/totp/verify) before enabling it.",
                MfaFactor::Sms => SMS_NEEDS_VERIFIED_PHONE,
                // Cognito refuses email MFA where the pool does not send it (no SES, Lite tier).
                MfaFactor::Email => "Email MFA is not available in this user pool (it needs Amazon SES and the Essentials tier).",
            }),
            _ => failure.into_api_error(INVALID_TOKEN),
        }
    })?;
    Ok(())
}
