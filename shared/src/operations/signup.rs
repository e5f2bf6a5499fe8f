//! Sign-up: create the account, confirm it with the emailed (or texted) code, send the code again.

use crate::answers::{Delivery, Status, SUCCESS};
use crate::cognito::{delivery, failure, CodeDelivery, Cognito};
use crate::error::ApiError;
use crate::values::{Attribute, AttributeList, Code, Password, Username};
use aws_sdk_cognitoidentityprovider::types::AttributeType;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SignupRequest {
    pub username: Username,
    pub password: Password,
    /// The user's attributes (an email or phone number to send the code to), in Cognito's
    /// `[{Name, Value}]`. Each name at most once.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<Attribute>>))]
    pub attributes: Option<AttributeList<Attribute>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignupResponse {
    pub username: String,
    pub user_confirmed: bool,
    pub user_sub: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub code_delivery_details: Option<CodeDelivery>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConfirmRequest {
    pub username: Username,
    pub confirmation_code: Code,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResendRequest {
    pub username: Username,
}

pub async fn signup(cx: &Cognito, request: SignupRequest) -> Result<SignupResponse, ApiError> {
    let username = request.username.as_str();
    let attributes = request
        .attributes
        .map(|list| list.0)
        .unwrap_or_default()
        .into_iter()
        .map(|a| {
            AttributeType::builder()
                .name(a.name.into_string())
                .value(a.value.into_string())
                .build()
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| ApiError::Internal)?;
    let output = cx
        .client
        .sign_up()
        .client_id(cx.client_id())
        .username(username)
        .password(request.password.as_str())
        .set_user_attributes(Some(attributes.clone()))
        .set_secret_hash(cx.secret_hash(username))
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
        Err(ApiError::UsernameExists) if cx.config.hide_existing_users => {
            return Ok(hidden_duplicate(username, &attributes))
        }
        other => other?,
    };
    Ok(SignupResponse {
        username: username.to_owned(),
        user_confirmed: output.user_confirmed(),
        user_sub: output.user_sub().to_owned(),
        code_delivery_details: delivery(output.code_delivery_details()),
    })
}

/// HIDE_EXISTING_USERS: what a fresh, unconfirmed sign-up would answer (a random sub, the masked delivery
/// Cognito would report), without sending anything to the address given.
fn hidden_duplicate(username: &str, attributes: &[AttributeType]) -> SignupResponse {
    let value = |name: &str| {
        attributes
            .iter()
            .find(|a| a.name() == name)
            .and_then(|a| a.value())
    };
    let masked = |destination: String, medium: &str, attribute: &str| CodeDelivery {
        destination: Some(destination),
        delivery_medium: Some(medium.to_owned()),
        attribute_name: Some(attribute.to_owned()),
    };
    let code_delivery_details = match (value("email"), value("phone_number")) {
        (Some(email), _) => Some(masked(mask_email(email), "EMAIL", "email")),
        (None, Some(phone)) => Some(masked(mask_phone(phone), "SMS", "phone_number")),
        (None, None) => None,
    };
    SignupResponse {
        username: username.to_owned(),
        user_confirmed: false,
        user_sub: crate::random::uuid_v4(),
        code_delivery_details,
    }
}

fn mask_email(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    let tld = domain
        .rsplit_once('.')
        .map(|(_, tld)| format!(".{tld}"))
        .unwrap_or_default();
    format!("{}***@{}***{}", first(local), first(domain), tld)
}

fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().collect();
    let keep = digits.len().saturating_sub(4);
    format!(
        "+{}{}",
        "*".repeat(keep.saturating_sub(1)),
        digits[keep..].iter().collect::<String>()
    )
}

pub async fn confirm(cx: &Cognito, request: ConfirmRequest) -> Result<Status, ApiError> {
    let username = request.username.as_str();
    cx.client
        .confirm_sign_up()
        .client_id(cx.client_id())
        .username(username)
        .confirmation_code(request.confirmation_code.as_str())
        .force_alias_creation(false)
        .set_secret_hash(cx.secret_hash(username))
        .send()
        .await
        .map_err(|err| {
            let failure = failure("ConfirmSignUp", err);
            match failure.exception() {
                Some("UserNotFoundException") => ApiError::CodeMismatch,
                _ => failure.into_api_error(
                    "This account cannot be confirmed; it may already be confirmed.",
                ),
            }
        })?;
    Ok(SUCCESS)
}

pub async fn resend(cx: &Cognito, request: ResendRequest) -> Result<Delivery, ApiError> {
    let username = request.username.as_str();
    let result = cx
        .client
        .resend_confirmation_code()
        .client_id(cx.client_id())
        .username(username)
        .set_secret_hash(cx.secret_hash(username))
        .send()
        .await;
    let code_delivery_details = match result {
        Ok(output) => delivery(output.code_delivery_details()),
        Err(err) => {
            let failure = failure("ResendConfirmationCode", err);
            match failure.exception() {
                Some("UserNotFoundException") => None,
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
    Ok(Delivery {
        code_delivery_details,
    })
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
