//! Passwords: change (signed in), forgot and reset (signed out).

use crate::answers::{Status, StatusWithDelivery, SUCCESS};
use crate::cognito::{delivery, failure, sent_by_sms, Cognito};
use crate::credentials::AccessToken;
use crate::error::ApiError;
use crate::limits::Medium;
use crate::values::{Code, CurrentPassword, Password, Username};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChangeRequest {
    pub old_password: CurrentPassword,
    pub new_password: Password,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ForgotRequest {
    pub username: Username,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResetRequest {
    pub username: Username,
    pub password_reset_code: Code,
    pub new_password: Password,
}

pub async fn change(
    cx: &Cognito,
    caller: AccessToken,
    request: ChangeRequest,
) -> Result<Status, ApiError> {
    cx.limit_guess(&caller.account()).await?;
    cx.client
        .change_password()
        .access_token(&caller.token)
        .previous_password(request.old_password.as_str())
        .proposed_password(request.new_password.as_str())
        .send()
        .await
        .map_err(|err| {
            failure("ChangePassword", err)
                .into_api_error("The current password is incorrect, or the access token is invalid, expired or revoked.")
        })?;
    Ok(SUCCESS)
}

pub async fn forgot(cx: &Cognito, request: ForgotRequest) -> Result<StatusWithDelivery, ApiError> {
    let username = request.username.as_str();
    cx.limit_code(username, Medium::Unknown).await?;
    let result = cx
        .client
        .forgot_password()
        .client_id(cx.client_id())
        .username(username)
        .set_secret_hash(cx.secret_hash(username))
        .set_user_context_data(cx.user_context_data())
        .send()
        .await;
    let details = match result {
        Ok(output) => {
            cx.count_code(username, sent_by_sms(output.code_delivery_details()), false)
                .await;
            delivery(output.code_delivery_details())
        }
        Err(err) => {
            let failure = failure("ForgotPassword", err);
            match failure.exception() {
                // Unknown user, or nowhere to send a code: answer like a delivery, with the same keys,
                // so this route cannot tell who has an account.
                Some("UserNotFoundException") | Some("InvalidParameterException") => None,
                _ => {
                    return Err(failure
                        .into_api_error("A password reset is not possible for this account."))
                }
            }
        }
    };
    Ok(StatusWithDelivery::new(details))
}

pub async fn reset(cx: &Cognito, request: ResetRequest) -> Result<Status, ApiError> {
    let username = request.username.as_str();
    cx.limit_guess(username).await?;
    cx.client
        .confirm_forgot_password()
        .client_id(cx.client_id())
        .username(username)
        .confirmation_code(request.password_reset_code.as_str())
        .password(request.new_password.as_str())
        .set_secret_hash(cx.secret_hash(username))
        .set_user_context_data(cx.user_context_data())
        .send()
        .await
        .map_err(|err| {
            let failure = failure("ConfirmForgotPassword", err);
            match failure.exception() {
                // An unknown user reads like a wrong code: no enumeration.
                Some("UserNotFoundException") => ApiError::CodeMismatch,
                _ => failure.into_api_error("A password reset is not possible for this account."),
            }
        })?;
    Ok(SUCCESS)
}
