//! Authenticator apps (TOTP): set one up and verify it, either signed in (then enable it with /mfa/set)
//! or in the middle of a login that Cognito answered with MFA_SETUP (then verifying finishes the login).

use crate::app::{success, ApiRequest, App, Reply};
use crate::cognito::failure;
use crate::credentials::{authenticated, username_of, INVALID_TOKEN};
use crate::error::ApiError;
use crate::input::Fields;
use crate::operations::login::{answer_challenge, next_step, BAD_SESSION};
use aws_sdk_cognitoidentityprovider::types::{ChallengeNameType, VerifySoftwareTokenResponseType};
use serde_json::json;

/// Fields of the login-challenge form (instead of credentials).
const CHALLENGE_FIELDS: [&str; 2] = ["loginSession", "username"];

pub async fn setup(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    if let Some(fields) = challenge_form(request, &[])? {
        let username = fields.username("username")?;
        let session = fields.required_str("loginSession")?;
        let output = app
            .cognito
            .associate_software_token()
            .session(session)
            .send()
            .await
            .map_err(|err| failure("AssociateSoftwareToken", err).into_api_error(BAD_SESSION))?;
        let secret = output.secret_code().ok_or(ApiError::UpstreamError)?;
        let next_session = output.session().ok_or(ApiError::UpstreamError)?;
        return Ok(json!({
            "secretCode": secret,
            "otpauthUri": otpauth_uri(&app.config.totp_issuer, username, secret),
            "loginSession": next_session,
        })
        .into());
    }
    let (token, ()) = authenticated(app, request, &[], |_| Ok(())).await?;
    let output = app
        .cognito
        .associate_software_token()
        .access_token(&token.token)
        .send()
        .await
        .map_err(|err| failure("AssociateSoftwareToken", err).into_api_error(INVALID_TOKEN))?;
    let secret = output.secret_code().ok_or(ApiError::UpstreamError)?;
    let username = username_of(app, &token.token).await?;
    Ok(json!({ "secretCode": secret, "otpauthUri": otpauth_uri(&app.config.totp_issuer, &username, secret) }).into())
}

pub async fn verify(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    const OWN: [&str; 2] = ["code", "friendlyDeviceName"];
    if let Some(fields) = challenge_form(request, &OWN)? {
        let username = fields.username("username")?;
        let session = fields.required_str("loginSession")?;
        let code = fields.required_str("code")?;
        let output = app
            .cognito
            .verify_software_token()
            .session(session)
            .user_code(code)
            .set_friendly_device_name(
                fields
                    .optional_str("friendlyDeviceName")?
                    .map(str::to_owned),
            )
            .send()
            .await
            .map_err(|err| failure("VerifySoftwareToken", err).into_api_error(BAD_SESSION))?;
        ensure_verified(output.status())?;
        let session = output.session().ok_or(ApiError::UpstreamError)?;
        // The app is verified: answering MFA_SETUP with the new session finishes the login.
        let answered =
            answer_challenge(app, ChallengeNameType::MfaSetup, username, session, &[]).await?;
        return Ok(next_step(&answered)?.into());
    }
    let (token, (code, device)) = authenticated(app, request, &OWN, |fields| {
        Ok((
            fields.required_str("code")?.to_owned(),
            fields
                .optional_str("friendlyDeviceName")?
                .map(str::to_owned),
        ))
    })
    .await?;
    let output = app
        .cognito
        .verify_software_token()
        .access_token(&token.token)
        .user_code(code)
        .set_friendly_device_name(device)
        .send()
        .await
        .map_err(|err| failure("VerifySoftwareToken", err).into_api_error(INVALID_TOKEN))?;
    ensure_verified(output.status())?;
    Ok(success())
}

/// The body of a request made during a login (it carries `loginSession`), or `None` for the signed-in form.
fn challenge_form(request: &ApiRequest, own: &[&str]) -> Result<Option<Fields>, ApiError> {
    let fields = Fields::parse_unrestricted(&request.body)?;
    if !fields.sent("loginSession") || request.headers.contains_key(http::header::AUTHORIZATION) {
        return Ok(None);
    }
    fields.restrict(&[&CHALLENGE_FIELDS[..], own].concat())?;
    Ok(Some(fields))
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
