//! Passwords: change (signed in), forgot and reset (signed out).

use crate::app::{success, ApiRequest, App, Reply};
use crate::cognito::{delivery, failure};
use crate::credentials::authenticated;
use crate::error::ApiError;
use crate::input::Fields;
use serde_json::json;

pub async fn change(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    let (token, (old_password, new_password)) =
        authenticated(app, request, &["oldPassword", "newPassword"], |fields| {
            Ok((
                fields.required_str("oldPassword")?.to_owned(),
                fields.password("newPassword")?.to_owned(),
            ))
        })
        .await?;
    app.cognito
        .change_password()
        .access_token(&token.token)
        .previous_password(old_password)
        .proposed_password(new_password)
        .send()
        .await
        .map_err(|err| {
            failure("ChangePassword", err)
                .into_api_error("The current password is incorrect, or the access token is invalid, expired or revoked.")
        })?;
    Ok(success())
}

pub async fn forgot(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    let fields = Fields::parse(&request.body, &["username"])?;
    let username = fields.username("username")?;
    let result = app
        .cognito
        .forgot_password()
        .client_id(app.client_id())
        .username(username)
        .set_secret_hash(app.secret_hash(username))
        .send()
        .await;
    let details = match result {
        Ok(output) => delivery(output.code_delivery_details()),
        Err(err) => {
            let failure = failure("ForgotPassword", err);
            match failure.exception() {
                // Unknown user, or nowhere to send a code: answer like a delivery, with the same keys,
                // so this route cannot tell who has an account.
                Some("UserNotFoundException") | Some("InvalidParameterException") => {
                    serde_json::Value::Null
                }
                _ => {
                    return Err(failure
                        .into_api_error("A password reset is not possible for this account."))
                }
            }
        }
    };
    Ok(json!({ "status": "SUCCESS", "codeDeliveryDetails": details }).into())
}

pub async fn reset(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    let fields = Fields::parse(
        &request.body,
        &["username", "passwordResetCode", "newPassword"],
    )?;
    let username = fields.username("username")?;
    let code = fields.required_str("passwordResetCode")?;
    let new_password = fields.password("newPassword")?;
    app.cognito
        .confirm_forgot_password()
        .client_id(app.client_id())
        .username(username)
        .confirmation_code(code)
        .password(new_password)
        .set_secret_hash(app.secret_hash(username))
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
    Ok(success())
}
