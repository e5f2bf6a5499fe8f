//! Deleting one's own account: irreversible, so the password is checked again first.

use crate::app::{success, ApiRequest, App, Reply};
use crate::cognito::{failure, get_user};
use crate::credentials::{authenticated, INVALID_TOKEN};
use crate::error::ApiError;
use crate::operations::login::authenticate;

const WRONG_PASSWORD: &str = "The password is incorrect.";

pub async fn delete(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    let (token, password) = authenticated(app, request, &["password"], |fields| {
        Ok(fields.required_str("password")?.to_owned())
    })
    .await?;
    // GetUser checks the token and names its owner (authoritatively, unlike the token's own claims),
    // who must then prove the password: tokens, or any further login step (an MFA code, say), mean
    // Cognito accepted it.
    let username = get_user(app, &token.token).await?.username;
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
