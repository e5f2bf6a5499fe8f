//! Deleting one's own account: irreversible, so the password is checked again first.

use crate::answers::{Status, SUCCESS};
use crate::auth::password::authenticate;
use crate::cognito::{failure, get_user, Cognito, INVALID_TOKEN};
use crate::credentials::AccessToken;
use crate::error::ApiError;
use crate::values::CurrentPassword;
use serde::Deserialize;

const WRONG_PASSWORD: &str = "The password is incorrect.";

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeleteRequest {
    /// The current password, checked again before deleting.
    pub password: CurrentPassword,
}

pub async fn delete(
    cx: &Cognito,
    caller: AccessToken,
    request: DeleteRequest,
) -> Result<Status, ApiError> {
    // GetUser checks the token and names its owner (authoritatively, unlike the token's own claims),
    // who must then prove the password: tokens, or any further login step (an MFA code, say), mean
    // Cognito accepted it.
    let username = get_user(cx, &caller.token).await?.username;
    match authenticate(cx, &username, request.password.as_str()).await {
        Ok(_) | Err(ApiError::UnsupportedChallenge(_)) => {}
        Err(ApiError::NotAuthorized(_)) => return Err(ApiError::NotAuthorized(WRONG_PASSWORD)),
        Err(other) => return Err(other),
    }
    cx.client
        .delete_user()
        .access_token(&caller.token)
        .send()
        .await
        .map_err(|err| failure("DeleteUser", err).into_api_error(INVALID_TOKEN))?;
    Ok(SUCCESS)
}
