//! Multi-factor settings through SetUserMFAPreference / GetUser's UserMFASettingList (not the deprecated
//! SetUserSettings / MFAOptions the original used, which never reflected what the login flow enforces).

use crate::app::{success, ApiRequest, App, Reply};
use crate::challenge::MFA_TYPES;
use crate::cognito::{failure, get_user};
use crate::credentials::{authenticated, INVALID_TOKEN};
use crate::error::ApiError;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, SmsMfaSettingsType, SoftwareTokenMfaSettingsType,
};
use serde_json::json;

const SETTABLE: [&str; 2] = ["SMS_MFA", "SOFTWARE_TOKEN_MFA"];

pub async fn get(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    let (token, ()) = authenticated(app, request, &[], |_| Ok(())).await?;
    let user = get_user(app, &token.token).await?;
    let enabled_list = user.user_mfa_setting_list();
    let methods: Vec<&str> = MFA_TYPES
        .iter()
        .copied()
        .filter(|t| enabled_list.iter().any(|m| m == t))
        .collect();
    // Cognito reports "no preference" as an absent or empty PreferredMfaSetting.
    let preferred = user.preferred_mfa_setting().filter(|p| !p.is_empty());
    Ok(
        json!({ "enabled": !methods.is_empty(), "preferred": preferred, "methods": methods })
            .into(),
    )
}

pub async fn set(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    let (token, (enable, method)) =
        authenticated(app, request, &["enableMfa", "method"], |fields| {
            let enable = fields.required_bool("enableMfa")?;
            let method = match fields.optional_str("method")? {
                None => "SMS_MFA",
                Some(m) => SETTABLE.iter().copied().find(|s| *s == m).ok_or_else(|| {
                    ApiError::invalid(format!("`method` must be one of {}.", SETTABLE.join(", ")))
                })?,
            };
            Ok((enable, method))
        })
        .await?;
    if enable && method == "SMS_MFA" {
        // Cognito itself accepts an unverified phone for SMS MFA (SMSMfaSettingsType: "phone numbers
        // don't need to be verified"), so a number the user never proved they own would receive the
        // codes. The contract promises a verified phone: check it before anything changes.
        let user = get_user(app, &token.token).await?;
        if !attribute_is_true(user.user_attributes(), "phone_number_verified") {
            return Err(ApiError::MfaNotSetUp(SMS_NEEDS_VERIFIED_PHONE));
        }
    }
    set_preference(app, &token.token, method, enable).await?;
    Ok(success())
}

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
    app: &App,
    access_token: &str,
    method: &str,
    enable: bool,
) -> Result<(), ApiError> {
    let mut call = app
        .cognito
        .set_user_mfa_preference()
        .access_token(access_token);
    call = match method {
        "SOFTWARE_TOKEN_MFA" => call.software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(enable)
                .preferred_mfa(enable)
                .build(),
        ),
        _ => call.sms_mfa_settings(
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
                "SOFTWARE_TOKEN_MFA" => "Set up and verify an authenticator app (/mfa/totp/setup, /mfa/totp/verify) before enabling it.",
                _ => SMS_NEEDS_VERIFIED_PHONE,
            }),
            _ => failure.into_api_error(INVALID_TOKEN),
        }
    })?;
    Ok(())
}
