//! The account itself: how the user can sign in (their factors), and deleting it (irreversible, so the
//! password is checked again first).

use crate::answers::{Status, SUCCESS};
use crate::auth::password::{authenticate, count_mfa_code};
use crate::cognito::{failure, get_user, Cognito, INVALID_TOKEN};
use crate::credentials::AccessToken;
use crate::error::ApiError;
use crate::factors::{FirstFactor, MfaFactor};
use crate::values::{CurrentPassword, NoFields};
use serde::{Deserialize, Serialize};

/// What the user can sign in with, and their MFA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Factors {
    /// First factors set up for the user.
    pub sign_in_methods: Vec<FirstFactor>,
    /// MFA methods enabled.
    pub mfa_methods: Vec<MfaFactor>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub preferred_mfa: Option<MfaFactor>,
}

pub async fn factors(cx: &Cognito, caller: AccessToken, _: NoFields) -> Result<Factors, ApiError> {
    let output = cx
        .client
        .get_user_auth_factors()
        .access_token(&caller.token)
        .send()
        .await
        .map_err(|err| failure("GetUserAuthFactors", err).into_api_error(INVALID_TOKEN))?;
    // ConfiguredUserAuthFactors also lists SOFTWARE_TOKEN, which is MFA only, never a first factor.
    let sign_in_methods = output
        .configured_user_auth_factors()
        .iter()
        .filter_map(|factor| FirstFactor::from_name(factor.as_str()))
        .collect();
    Ok(Factors {
        sign_in_methods,
        mfa_methods: output
            .user_mfa_setting_list()
            .iter()
            .filter_map(|name| MfaFactor::from_name(name))
            .collect(),
        preferred_mfa: output
            .preferred_mfa_setting()
            .and_then(MfaFactor::from_name),
    })
}

const WRONG_PASSWORD: &str = "The password is incorrect.";

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeleteAccountRequest {
    /// The current password, checked again before deleting.
    pub password: CurrentPassword,
}

pub async fn delete(
    cx: &Cognito,
    caller: AccessToken,
    request: DeleteAccountRequest,
) -> Result<Status, ApiError> {
    // GetUser checks the token and names its owner (authoritatively, unlike the token's own claims),
    // who must then prove the password: tokens, or any further login step (an MFA code, say), mean
    // Cognito accepted it.
    let username = get_user(cx, &caller.token).await?.username;
    cx.limit_password(&username).await?;
    match authenticate(cx, &username, request.password.as_str()).await {
        // The re-authentication may have made Cognito send an MFA code: count it.
        Ok(outcome) => count_mfa_code(cx, &username, &outcome).await,
        Err(ApiError::UnsupportedChallenge(_)) => {}
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
