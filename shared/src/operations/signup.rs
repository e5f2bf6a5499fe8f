//! Sign-up: create the account, confirm it with the code Cognito sent, resend that code.

use crate::app::{success, ApiRequest, App, Reply};
use crate::cognito::{delivery, failure};
use crate::error::ApiError;
use crate::input::Fields;
use aws_sdk_cognitoidentityprovider::types::AttributeType;
use serde_json::json;

pub async fn signup(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    let fields = Fields::parse(&request.body, &["username", "password", "attributes"])?;
    let username = fields.username("username")?;
    let password = fields.password("password")?;
    let attributes = fields
        .attribute_list("attributes", false)?
        .unwrap_or_default();
    let attributes = attributes
        .into_iter()
        .map(|a| {
            AttributeType::builder()
                .name(a.name)
                .set_value(a.value)
                .build()
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| ApiError::Internal)?;
    let output = app
        .cognito
        .sign_up()
        .client_id(app.client_id())
        .username(username)
        .password(password)
        .set_user_attributes(Some(attributes.clone()))
        .set_secret_hash(app.secret_hash(username))
        .send()
        .await
        .map_err(|err| {
            let failure = failure("SignUp", err);
            match failure.exception() {
                Some("InvalidParameterException") => ApiError::invalid(
                    "An attribute is invalid, missing, or not in the user pool's schema.",
                ),
                _ => failure.into_api_error("Sign-up is not allowed for this account."),
            }
        });
    let output = match output {
        Err(ApiError::UsernameExists) if app.config.hide_existing_users => {
            return Ok(hidden_duplicate(username, &attributes))
        }
        other => other?,
    };
    Ok(json!({
        "username": username,
        "userConfirmed": output.user_confirmed(),
        "userSub": output.user_sub(),
        "codeDeliveryDetails": delivery(output.code_delivery_details()),
    })
    .into())
}

/// With HIDE_EXISTING_USERS, a duplicate sign-up answers exactly like a fresh, unconfirmed one: a random
/// `userSub`, and the delivery a new account would get (to the email, else the phone, masked as Cognito
/// masks them) although no code is sent to anyone. So /signup cannot tell who has an account.
fn hidden_duplicate(username: &str, attributes: &[AttributeType]) -> Reply {
    let value = |name: &str| {
        attributes
            .iter()
            .find(|a| a.name() == name)
            .and_then(|a| a.value())
    };
    let delivery = match (value("email"), value("phone_number")) {
        (Some(email), _) => {
            json!({"destination": mask_email(email), "deliveryMedium": "EMAIL", "attributeName": "email"})
        }
        (None, Some(phone)) => {
            json!({"destination": mask_phone(phone), "deliveryMedium": "SMS", "attributeName": "phone_number"})
        }
        (None, None) => serde_json::Value::Null,
    };
    json!({
        "username": username,
        "userConfirmed": false,
        "userSub": crate::random::uuid_v4(),
        "codeDeliveryDetails": delivery,
    })
    .into()
}

/// `a***@e***.com`, Cognito's masking of an email address.
fn mask_email(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    let tld = domain
        .rsplit_once('.')
        .map(|(_, tld)| format!(".{tld}"))
        .unwrap_or_default();
    format!("{}***@{}***{}", first(local), first(domain), tld)
}

/// `+*******0123`, Cognito's masking of a phone number.
fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().collect();
    let keep = digits.len().saturating_sub(4);
    format!(
        "+{}{}",
        "*".repeat(keep.saturating_sub(1)),
        digits[keep..].iter().collect::<String>()
    )
}

pub async fn confirm(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    let fields = Fields::parse(&request.body, &["username", "confirmationCode"])?;
    let username = fields.username("username")?;
    let code = fields.required_str("confirmationCode")?;
    app.cognito
        .confirm_sign_up()
        .client_id(app.client_id())
        .username(username)
        .confirmation_code(code)
        // Never move an email / phone alias away from another account (the original forced it).
        .force_alias_creation(false)
        .set_secret_hash(app.secret_hash(username))
        .send()
        .await
        .map_err(|err| {
            let failure = failure("ConfirmSignUp", err);
            match failure.exception() {
                // An unknown user reads like a wrong code: no enumeration through this route.
                Some("UserNotFoundException") => ApiError::CodeMismatch,
                _ => failure.into_api_error(
                    "This account cannot be confirmed; it may already be confirmed.",
                ),
            }
        })?;
    Ok(success())
}

pub async fn resend(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    let fields = Fields::parse(&request.body, &["username"])?;
    let username = fields.username("username")?;
    let result = app
        .cognito
        .resend_confirmation_code()
        .client_id(app.client_id())
        .username(username)
        .set_secret_hash(app.secret_hash(username))
        .send()
        .await;
    let details = match result {
        Ok(output) => delivery(output.code_delivery_details()),
        Err(err) => {
            let failure = failure("ResendConfirmationCode", err);
            match failure.exception() {
                // Same keys as a real delivery for an unknown user, as Cognito does with
                // PreventUserExistenceErrors: this route must not tell who has an account.
                Some("UserNotFoundException") => serde_json::Value::Null,
                Some("InvalidParameterException") => {
                    return Err(ApiError::invalid(
                        "This account is already confirmed or has nowhere to send a code.",
                    ))
                }
                _ => {
                    return Err(
                        failure.into_api_error("A new code cannot be sent for this account.")
                    )
                }
            }
        }
    };
    Ok(json!({ "codeDeliveryDetails": details }).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_like_cognito() {
        assert_eq!(mask_email("alice@example.com"), "a***@e***.com");
        assert_eq!(mask_phone("+14155550123"), "+*******0123");
    }
}
