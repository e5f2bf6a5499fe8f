//! Deleting one's own account: irreversible, so the password is checked again first.

use crate::app::{success, ApiRequest, App, Reply};
use crate::cognito::failure;
use crate::credentials::{authenticated, INVALID_TOKEN};
use crate::error::ApiError;
use crate::operations::login::authenticate;
use crate::tokens::unverified_claims;

const WRONG_PASSWORD: &str = "The password is incorrect.";

pub async fn delete(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    let (token, password) = authenticated(app, request, &["password"], |fields| {
        Ok(fields.required_str("password")?.to_owned())
    })
    .await?;
    let user = app
        .cognito
        .get_user()
        .access_token(&token.token)
        .send()
        .await
        .map_err(|err| failure("GetUser", err).into_api_error(INVALID_TOKEN))?;
    // The access token's owner must prove the password. Tokens, or any further login step (an MFA code,
    // say), mean Cognito accepted it.
    let username = unverified_claims(&token.token)
        .and_then(|claims| claims.get("username")?.as_str().map(str::to_owned))
        .unwrap_or(user.username);
    match authenticate(app, &username, &password).await {
        Ok(_) | Err(ApiError::UnsupportedChallenge(_)) => {}
        Err(ApiError::NotAuthorized(_)) => return Err(ApiError::NotAuthorized(WRONG_PASSWORD)),
        Err(other) => return Err(other),
    }
    app.cognito
        .delete_user()
        .access_token(&token.token)
        .send()
        .await
        .map_err(|err| failure("DeleteUser", err).into_api_error(INVALID_TOKEN))?;
    Ok(success())
}
