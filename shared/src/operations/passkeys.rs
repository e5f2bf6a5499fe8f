//! Passkeys (WebAuthn), managed by the signed-in user: register one (start, then complete with what the
//! browser's `navigator.credentials.create` made), list them, delete one. Signing in with a passkey is a
//! login step (`operations::login`).
//!
//! A stolen access token must not be enough to plant a passkey: registering needs a fresh sign-in (the
//! token's `auth_time` at most PASSKEY_REGISTRATION_MAX_AGE_SECONDS old; a refreshed token keeps it).

use crate::answers::{Status, SUCCESS};
use crate::cognito::{failure, Cognito, INVALID_TOKEN};
use crate::credentials::AccessToken;
use crate::document;
use crate::error::{ApiError, CognitoFailure};
use crate::tokens::{now_epoch_seconds, unverified_claims};
use crate::values::{NoFields, Text};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RegistrationOptions {
    /// Cognito's CredentialCreationOptions (base64url fields as Cognito gives them), for
    /// `navigator.credentials.create` (after decoding the base64url fields, or with
    /// `PublicKeyCredential.parseCreationOptionsFromJSON`).
    pub credential_creation_options: Value,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterCompleteRequest {
    /// The browser's RegistrationResponseJSON (`credential.toJSON()`), as an object.
    pub credential: Map<String, Value>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListPasskeysRequest {
    /// From the previous page.
    pub next_token: Option<Text>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Passkey {
    pub credential_id: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub friendly_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub relying_party_id: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub authenticator_attachment: Option<String>,
    pub transports: Vec<String>,
    /// Epoch seconds.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub created_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PasskeyList {
    pub passkeys: Vec<Passkey>,
    /// For the next page; `null` on the last one.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub next_token: Option<String>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeletePasskeyRequest {
    pub credential_id: Text,
}

/// The caller signed in recently enough to add a passkey.
fn fresh_sign_in(cx: &Cognito, caller: &AccessToken) -> Result<(), ApiError> {
    let auth_time = unverified_claims(&caller.token)
        .and_then(|claims| claims.get("auth_time")?.as_i64())
        .ok_or(ApiError::ReauthenticationRequired)?;
    let max_age = cx.config.passkey_registration_max_age.as_secs() as i64;
    if now_epoch_seconds() - auth_time > max_age {
        return Err(ApiError::ReauthenticationRequired);
    }
    Ok(())
}

/// A passkey call's failure, with one clear log line when the pool is not set up for passkeys.
fn passkey_error(failure: CognitoFailure) -> ApiError {
    match failure.exception() {
        Some("WebAuthnNotEnabledException") => tracing::error!(
            "passkeys are not enabled on the user pool: allow WEB_AUTHN in its sign-in policy (template parameter FirstFactors)"
        ),
        Some("WebAuthnConfigurationMissingException") => tracing::error!(
            "the user pool has no WebAuthn relying party id: set it (template parameter PasskeyRelyingPartyId)"
        ),
        _ => {}
    }
    failure.into_api_error(INVALID_TOKEN)
}

pub async fn register_start(
    cx: &Cognito,
    caller: AccessToken,
    _: NoFields,
) -> Result<RegistrationOptions, ApiError> {
    fresh_sign_in(cx, &caller)?;
    let output = cx
        .client
        .start_web_authn_registration()
        .access_token(&caller.token)
        .send()
        .await
        .map_err(|err| passkey_error(failure("StartWebAuthnRegistration", err)))?;
    Ok(RegistrationOptions {
        credential_creation_options: document::to_json(output.credential_creation_options()),
    })
}

pub async fn register_complete(
    cx: &Cognito,
    caller: AccessToken,
    request: RegisterCompleteRequest,
) -> Result<Status, ApiError> {
    fresh_sign_in(cx, &caller)?;
    cx.client
        .complete_web_authn_registration()
        .access_token(&caller.token)
        .credential(document::from_json(&Value::Object(request.credential)))
        .send()
        .await
        .map_err(|err| {
            let failure = failure("CompleteWebAuthnRegistration", err);
            match failure.exception() {
                Some("InvalidParameterException") => ApiError::PasskeyRejected(
                    "The passkey credential is malformed, or already registered.",
                ),
                _ => passkey_error(failure),
            }
        })?;
    Ok(SUCCESS)
}

pub async fn list(
    cx: &Cognito,
    caller: AccessToken,
    request: ListPasskeysRequest,
) -> Result<PasskeyList, ApiError> {
    let output = cx
        .client
        .list_web_authn_credentials()
        .access_token(&caller.token)
        .set_next_token(request.next_token.map(Text::into_string))
        .send()
        .await
        .map_err(|err| passkey_error(failure("ListWebAuthnCredentials", err)))?;
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let passkeys = output
        .credentials()
        .iter()
        .map(|c| Passkey {
            credential_id: c.credential_id().to_owned(),
            friendly_name: non_empty(c.friendly_credential_name()),
            relying_party_id: non_empty(c.relying_party_id()),
            authenticator_attachment: c.authenticator_attachment().map(str::to_owned),
            transports: c.authenticator_transports().to_vec(),
            created_at: Some(c.created_at().secs()),
        })
        .collect();
    Ok(PasskeyList {
        passkeys,
        next_token: output.next_token().map(str::to_owned),
    })
}

pub async fn delete(
    cx: &Cognito,
    caller: AccessToken,
    request: DeletePasskeyRequest,
) -> Result<Status, ApiError> {
    cx.client
        .delete_web_authn_credential()
        .access_token(&caller.token)
        .credential_id(request.credential_id.as_str())
        .send()
        .await
        .map_err(|err| {
            let failure = failure("DeleteWebAuthnCredential", err);
            match failure.exception() {
                Some("ResourceNotFoundException") => ApiError::PasskeyNotFound,
                _ => passkey_error(failure),
            }
        })?;
    Ok(SUCCESS)
}
