//! Authenticator apps (TOTP): set one up and verify it, either signed in (then enable it with /mfa/set)
//! or in the middle of a login that Cognito answered with MFA_SETUP (then verifying finishes the login).
//! Each route has both forms; the boundary picks one (`dispatch`): `username` + `loginSession` without an
//! `Authorization` header is the login form.

use crate::answers::{Status, SUCCESS};
use crate::auth::challenge::{answer_challenge, next_step, BAD_SESSION};
use crate::auth::steps::LoginOutcome;
use crate::cognito::{failure, username_of, Cognito, INVALID_TOKEN};
use crate::credentials::AccessToken;
use crate::error::ApiError;
use crate::values::{Code, LoginSession, NoFields, Text, Username};
use aws_sdk_cognitoidentityprovider::types::{ChallengeNameType, VerifySoftwareTokenResponseType};
use serde::{Deserialize, Serialize};

/// The login form's fields, shared by both routes.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SetupInLoginRequest {
    pub username: Username,
    pub login_session: LoginSession,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VerifyRequest {
    pub code: Code,
    pub friendly_device_name: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VerifyInLoginRequest {
    pub username: Username,
    pub login_session: LoginSession,
    pub code: Code,
    pub friendly_device_name: Option<Text>,
}

/// The secret to show as a QR code (`otpauthUri`) or to type in; during a login, the next `loginSession`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TotpSecret {
    pub secret_code: String,
    #[cfg_attr(feature = "openapi", schema(pattern = "^otpauth://totp/"))]
    pub otpauth_uri: String,
    /// Login form only: the session to send to `/mfa/totp/verify`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = false))]
    pub login_session: Option<String>,
}

pub async fn setup_in_login(
    cx: &Cognito,
    request: SetupInLoginRequest,
) -> Result<TotpSecret, ApiError> {
    let output = cx
        .client
        .associate_software_token()
        .session(request.login_session.as_str())
        .send()
        .await
        .map_err(|err| failure("AssociateSoftwareToken", err).into_api_error(BAD_SESSION))?;
    let secret = output.secret_code().ok_or(ApiError::UpstreamError)?;
    let next_session = output.session().ok_or(ApiError::UpstreamError)?;
    Ok(TotpSecret {
        secret_code: secret.to_owned(),
        otpauth_uri: otpauth_uri(&cx.config.totp_issuer, request.username.as_str(), secret),
        login_session: Some(next_session.to_owned()),
    })
}

pub async fn setup(cx: &Cognito, caller: AccessToken, _: NoFields) -> Result<TotpSecret, ApiError> {
    let output = cx
        .client
        .associate_software_token()
        .access_token(&caller.token)
        .send()
        .await
        .map_err(|err| failure("AssociateSoftwareToken", err).into_api_error(INVALID_TOKEN))?;
    let secret = output.secret_code().ok_or(ApiError::UpstreamError)?;
    let username = username_of(cx, &caller.token).await?;
    Ok(TotpSecret {
        secret_code: secret.to_owned(),
        otpauth_uri: otpauth_uri(&cx.config.totp_issuer, &username, secret),
        login_session: None,
    })
}

/// Verifying finishes the login: the answer is tokens, or a further step.
pub async fn verify_in_login(
    cx: &Cognito,
    request: VerifyInLoginRequest,
) -> Result<LoginOutcome, ApiError> {
    let username = request.username.as_str();
    cx.limit_guess(username).await?;
    let output = cx
        .client
        .verify_software_token()
        .session(request.login_session.as_str())
        .user_code(request.code.as_str())
        .set_friendly_device_name(request.friendly_device_name.map(Text::into_string))
        .send()
        .await
        .map_err(|err| failure("VerifySoftwareToken", err).into_api_error(BAD_SESSION))?;
    ensure_verified(output.status())?;
    let session = output.session().ok_or(ApiError::UpstreamError)?;
    // The app is verified: answering MFA_SETUP with the new session finishes the login.
    let answered =
        answer_challenge(cx, ChallengeNameType::MfaSetup, username, session, &[]).await?;
    next_step(&answered)
}

pub async fn verify(
    cx: &Cognito,
    caller: AccessToken,
    request: VerifyRequest,
) -> Result<Status, ApiError> {
    cx.limit_guess(&caller.account()).await?;
    let output = cx
        .client
        .verify_software_token()
        .access_token(&caller.token)
        .user_code(request.code.as_str())
        .set_friendly_device_name(request.friendly_device_name.map(Text::into_string))
        .send()
        .await
        .map_err(|err| failure("VerifySoftwareToken", err).into_api_error(INVALID_TOKEN))?;
    ensure_verified(output.status())?;
    Ok(SUCCESS)
}

fn ensure_verified(status: Option<&VerifySoftwareTokenResponseType>) -> Result<(), ApiError> {
    match status {
        Some(VerifySoftwareTokenResponseType::Success) => Ok(()),
        _ => Err(ApiError::CodeMismatch),
    }
}

/// `otpauth://totp/<issuer>:<username>?secret=...&issuer=...`, the URI authenticator apps read from a QR code.
pub fn otpauth_uri(issuer: &str, username: &str, secret: &str) -> String {
    let (issuer, username, secret) = (
        percent_encode(issuer),
        percent_encode(username),
        percent_encode(secret),
    );
    format!("otpauth://totp/{issuer}:{username}?secret={secret}&issuer={issuer}")
}

fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn otpauth_uri_is_encoded() {
        assert_eq!(
            otpauth_uri("My App", "ann@example.com", "JBSWY3DPEHPK3PXP"),
            "otpauth://totp/My%20App:ann%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=My%20App"
        );
    }
}
