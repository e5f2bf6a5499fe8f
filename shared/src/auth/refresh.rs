//! Refreshing: new tokens from a refresh token (REFRESH_TOKEN_AUTH, or GetTokensFromRefreshToken with
//! rotation). Used by /session/refresh and by the refresh-token credential form of `credentials`.

use crate::cognito::{failure, Cognito};
use crate::error::ApiError;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, AuthenticationResultType};

pub const BAD_REFRESH: &str = "The refresh token is invalid, expired or revoked.";

/// REFRESH_TOKEN_AUTH. Cognito needs no username for it, except for SECRET_HASH when the client has a
/// secret (and GetTokensFromRefreshToken, used with rotation, needs none at all). That hash must be
/// computed over the user's internal username, which differs from what the caller typed when they log in
/// with an alias (email, phone): if Cognito refuses the hash, we look the internal username up
/// (AdminGetUser) and try once more.
pub async fn refresh(
    cx: &Cognito,
    username: Option<&str>,
    refresh_token: &str,
    not_authorized: &'static str,
) -> Result<AuthenticationResultType, ApiError> {
    let needs_username = cx.config.client_secret.is_some() && !cx.config.refresh_token_rotation;
    let username = match username {
        Some(username) => username,
        None if needs_username => {
            return Err(ApiError::invalid(
                "`username` is required with `refreshToken`: the app client has a secret.",
            ))
        }
        None => "",
    };
    match refresh_once(cx, username, refresh_token).await {
        // Rotation does not hash the username, so there is nothing to retry.
        Err(ApiError::NotAuthorized(_))
            if cx.config.client_secret.is_some() && !cx.config.refresh_token_rotation =>
        {
            let internal = internal_username(cx, username).await;
            match internal {
                Some(internal) if internal != username => {
                    refresh_once(cx, &internal, refresh_token).await
                }
                _ => Err(ApiError::NotAuthorized(not_authorized)),
            }
        }
        other => other,
    }
    .map_err(|err| match err {
        ApiError::NotAuthorized(_) => ApiError::NotAuthorized(not_authorized),
        other => other,
    })
}

async fn refresh_once(
    cx: &Cognito,
    username: &str,
    refresh_token: &str,
) -> Result<AuthenticationResultType, ApiError> {
    if cx.config.refresh_token_rotation {
        return rotate(cx, refresh_token).await;
    }
    let mut call = cx
        .client
        .initiate_auth()
        .client_id(cx.client_id())
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", refresh_token)
        .set_user_context_data(cx.user_context_data());
    if let Some(hash) = cx.secret_hash(username) {
        call = call.auth_parameters("SECRET_HASH", hash);
    }
    let output = call
        .send()
        .await
        .map_err(|err| failure("InitiateAuth", err).into_api_error(BAD_REFRESH))?;
    match output.authentication_result {
        Some(result) => Ok(result),
        // A refresh never legitimately answers with a challenge.
        None => Err(ApiError::UpstreamError),
    }
}

/// GetTokensFromRefreshToken: with rotation enabled on the client, the answer holds a new refresh token
/// (and the old one stops working after the client's grace period). It takes the client secret itself.
async fn rotate(cx: &Cognito, refresh_token: &str) -> Result<AuthenticationResultType, ApiError> {
    let output = cx
        .client
        .get_tokens_from_refresh_token()
        .client_id(cx.client_id())
        .refresh_token(refresh_token)
        .set_client_secret(cx.config.client_secret.clone())
        .send()
        .await
        .map_err(|err| failure("GetTokensFromRefreshToken", err).into_api_error(BAD_REFRESH))?;
    output.authentication_result.ok_or(ApiError::UpstreamError)
}

/// The internal username behind an alias, or `None` when it cannot be found (unknown user, no permission).
async fn internal_username(cx: &Cognito, username: &str) -> Option<String> {
    match cx
        .client
        .admin_get_user()
        .user_pool_id(&cx.config.user_pool_id)
        .username(username)
        .send()
        .await
    {
        Ok(user) => Some(user.username),
        Err(err) => {
            failure("AdminGetUser", err);
            None
        }
    }
}
