//! Sessions: refresh tokens, log out everywhere.

use crate::app::{success, ApiRequest, App, Reply};
use crate::challenge::{respond, AuthStep};
use crate::cognito::failure;
use crate::credentials::{self, INVALID_TOKEN};
use crate::error::ApiError;
use crate::input::Fields;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, AuthenticationResultType};

pub const BAD_REFRESH: &str = "The refresh token is invalid, expired or revoked.";

pub async fn refresh_route(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    let fields = Fields::parse(&request.body, &["username", "refreshToken"])?;
    let username = fields.optional_username("username")?;
    let refresh_token = fields.required_str("refreshToken")?;
    let result = refresh(app, username, refresh_token, BAD_REFRESH).await?;
    Ok(respond(AuthStep::from(&result), Some(refresh_token))?.into())
}

/// REFRESH_TOKEN_AUTH. Cognito needs no username for it, except for SECRET_HASH when the client has a
/// secret (and GetTokensFromRefreshToken, used with rotation, needs none at all). That hash must be
/// computed over the user's internal username, which differs from what the caller typed when they log in
/// with an alias (email, phone): if Cognito refuses the hash, we look the internal username up
/// (AdminGetUser) and try once more.
pub async fn refresh(
    app: &App,
    username: Option<&str>,
    refresh_token: &str,
    not_authorized: &'static str,
) -> Result<AuthenticationResultType, ApiError> {
    let needs_username = app.config.client_secret.is_some() && !app.config.refresh_token_rotation;
    let username = match username {
        Some(username) => username,
        None if needs_username => {
            return Err(ApiError::invalid(
                "`username` is required with `refreshToken`: the app client has a secret.",
            ))
        }
        None => "",
    };
    match refresh_once(app, username, refresh_token).await {
        // Rotation does not hash the username, so there is nothing to retry.
        Err(ApiError::NotAuthorized(_))
            if app.config.client_secret.is_some() && !app.config.refresh_token_rotation =>
        {
            let internal = internal_username(app, username).await;
            match internal {
                Some(internal) if internal != username => {
                    refresh_once(app, &internal, refresh_token).await
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
    app: &App,
    username: &str,
    refresh_token: &str,
) -> Result<AuthenticationResultType, ApiError> {
    if app.config.refresh_token_rotation {
        return rotate(app, refresh_token).await;
    }
    let mut call = app
        .cognito
        .initiate_auth()
        .client_id(app.client_id())
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", refresh_token);
    if let Some(hash) = app.secret_hash(username) {
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
async fn rotate(app: &App, refresh_token: &str) -> Result<AuthenticationResultType, ApiError> {
    let output = app
        .cognito
        .get_tokens_from_refresh_token()
        .client_id(app.client_id())
        .refresh_token(refresh_token)
        .set_client_secret(app.config.client_secret.clone())
        .send()
        .await
        .map_err(|err| failure("GetTokensFromRefreshToken", err).into_api_error(BAD_REFRESH))?;
    output.authentication_result.ok_or(ApiError::UpstreamError)
}

/// The internal username behind an alias, or `None` when it cannot be found (unknown user, no permission).
async fn internal_username(app: &App, username: &str) -> Option<String> {
    match app
        .cognito
        .admin_get_user()
        .user_pool_id(&app.config.user_pool_id)
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

pub async fn logout(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    let (token, ()) = credentials::authenticated_to_sign_out(app, request).await?;
    app.cognito
        .global_sign_out()
        .access_token(&token.token)
        .send()
        .await
        .map_err(|err| failure("GlobalSignOut", err).into_api_error(INVALID_TOKEN))?;
    Ok(success())
}

/// RevokeToken: ends the one session this refresh token belongs to; the user's other sessions go on.
pub async fn revoke(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    let fields = Fields::parse(&request.body, &["refreshToken", "username"])?;
    let refresh_token = fields.required_str("refreshToken")?;
    // Accepted for symmetry with /session/refresh; RevokeToken authenticates with the client secret.
    fields.optional_str("username")?;
    app.cognito
        .revoke_token()
        .client_id(app.client_id())
        .token(refresh_token)
        .set_client_secret(app.config.client_secret.clone())
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
    Ok(success())
}
