//! Sessions: refresh tokens, log out everywhere, end one session.

use crate::answers::{Status, SUCCESS};
use crate::auth::refresh::{refresh, BAD_REFRESH};
use crate::auth::steps::{respond, AuthStep, LoginOutcome};
use crate::cognito::{failure, Cognito, INVALID_TOKEN};
use crate::credentials::AccessToken;
use crate::error::ApiError;
use crate::values::{NoFields, Token, Username};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RefreshRequest {
    /// Needed only when the app client has a secret (SECRET_HASH).
    pub username: Option<Username>,
    /// In cookie mode, from the `__Host-refresh_token` cookie when absent here.
    pub refresh_token: Token,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RevokeRequest {
    /// In cookie mode, from the `__Host-refresh_token` cookie when absent here.
    pub refresh_token: Token,
    /// Accepted for symmetry with /session/refresh; RevokeToken authenticates with the client secret.
    #[allow(dead_code)]
    pub username: Option<Username>,
}

pub async fn refresh_route(
    cx: &Cognito,
    request: RefreshRequest,
) -> Result<LoginOutcome, ApiError> {
    let refresh_token = request.refresh_token.as_str();
    let username = request.username.as_ref().map(Username::as_str);
    let result = refresh(cx, username, refresh_token, BAD_REFRESH).await?;
    respond(AuthStep::from(&result), Some(refresh_token))
}

pub async fn logout(cx: &Cognito, caller: AccessToken, _: NoFields) -> Result<Status, ApiError> {
    cx.client
        .global_sign_out()
        .access_token(&caller.token)
        .send()
        .await
        .map_err(|err| failure("GlobalSignOut", err).into_api_error(INVALID_TOKEN))?;
    Ok(SUCCESS)
}

/// RevokeToken: ends the one session this refresh token belongs to; the user's other sessions go on.
pub async fn revoke(cx: &Cognito, request: RevokeRequest) -> Result<Status, ApiError> {
    cx.client
        .revoke_token()
        .client_id(cx.client_id())
        .token(request.refresh_token.as_str())
        .set_client_secret(cx.config.client_secret.clone())
        .send()
        .await
        .map_err(|err| {
            let failure = failure("RevokeToken", err);
            match failure.exception() {
                Some("UnsupportedTokenTypeException") => {
                    ApiError::invalid("`refreshToken` is not a refresh token.")
                }
                _ => failure.into_api_error(BAD_REFRESH),
            }
        })?;
    Ok(SUCCESS)
}
