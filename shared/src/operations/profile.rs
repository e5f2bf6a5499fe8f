//! The signed-in user's profile: read it, edit attributes, set or remove the phone number, confirm an
//! email or phone with its code.

use crate::app::{success, ApiRequest, App, Reply};
use crate::cognito::{delivery, failure, get_user};
use crate::credentials::{authenticated, INVALID_TOKEN};
use crate::error::ApiError;
use crate::input::AttributeInput;
use crate::operations::mfa::set_preference;
use aws_sdk_cognitoidentityprovider::types::AttributeType;
use serde_json::{json, Value};

/// Cognito's standard attributes a user may hold. Anything else must be `custom:` (or `dev:`) prefixed.
const STANDARD_ATTRIBUTES: [&str; 19] = [
    "address",
    "birthdate",
    "email",
    "email_verified",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "phone_number_verified",
    "picture",
    "preferred_username",
    "profile",
    "updated_at",
    "website",
    "zoneinfo",
];

pub async fn get(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    let (token, ()) = authenticated(app, request, &[], |_| Ok(())).await?;
    let user = get_user(app, &token.token).await?;
    let attributes: Vec<Value> = user
        .user_attributes()
        .iter()
        .map(|a| json!({ "Name": a.name(), "Value": a.value() }))
        .collect();
    Ok(json!({ "username": user.username(), "attributes": attributes }).into())
}

pub async fn edit(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    let (token, attributes) = authenticated(app, request, &["attributes"], |fields| {
        let attributes = fields
            .attribute_list("attributes", true)?
            .ok_or_else(|| ApiError::invalid("`attributes` is required."))?;
        if attributes.is_empty() {
            return Err(ApiError::invalid(
                "`attributes` must list at least one attribute.",
            ));
        }
        for attribute in &attributes {
            check_editable(&attribute.name)?;
        }
        Ok(attributes)
    })
    .await?;
    let (updates, deletes): (Vec<AttributeInput>, Vec<AttributeInput>) =
        attributes.into_iter().partition(|a| a.value.is_some());
    let update_list = to_attribute_types(&updates)?;
    let delete_names: Vec<String> = deletes.into_iter().map(|a| a.name).collect();

    // Update first: it is the call that fails on content (a bad value, an attribute outside the schema),
    // and then nothing is stored. If the delete fails after the update succeeded, the update is rolled
    // back from a snapshot taken before it, so the caller never gets an error for a stored change.
    let snapshot = if !update_list.is_empty() && !delete_names.is_empty() {
        Some(current_attributes(app, &token.token).await?)
    } else {
        None
    };
    let mut deliveries = Vec::new();
    if !update_list.is_empty() {
        deliveries = update(app, &token.token, update_list.clone()).await?;
    }
    if !delete_names.is_empty() {
        if let Err(err) = delete(app, &token.token, delete_names).await {
            if let Some(before) = snapshot {
                roll_back(app, &token.token, &update_list, &before).await;
            }
            return Err(err);
        }
    }
    Ok(json!({ "status": "SUCCESS", "codeDeliveryDetails": deliveries }).into())
}

fn check_editable(name: &str) -> Result<(), ApiError> {
    match name {
        "phone_number" | "phone_number_verified" => Err(ApiError::invalid(format!(
            "`{name}` cannot be changed here: use /profile/phone."
        ))),
        "sub" | "identities" | "cognito:username" | "email_verified" => {
            Err(ApiError::invalid(format!("`{name}` is read-only.")))
        }
        _ if STANDARD_ATTRIBUTES.contains(&name)
            || name.starts_with("custom:")
            || name.starts_with("dev:") =>
        {
            Ok(())
        }
        _ => Err(ApiError::invalid(format!(
            "`{name}` is not an attribute of the user pool."
        ))),
    }
}

fn to_attribute_types(attributes: &[AttributeInput]) -> Result<Vec<AttributeType>, ApiError> {
    attributes
        .iter()
        .map(|a| {
            AttributeType::builder()
                .name(&a.name)
                .set_value(a.value.clone())
                .build()
        })
        .collect::<Result<_, _>>()
        .map_err(|_| ApiError::Internal)
}

async fn current_attributes(app: &App, token: &str) -> Result<Vec<AttributeType>, ApiError> {
    let user = get_user(app, token).await?;
    Ok(user.user_attributes)
}

async fn update(
    app: &App,
    token: &str,
    attributes: Vec<AttributeType>,
) -> Result<Vec<Value>, ApiError> {
    let names: Vec<String> = attributes.iter().map(|a| a.name().to_owned()).collect();
    let output = app
        .cognito
        .update_user_attributes()
        .access_token(token)
        .set_user_attributes(Some(attributes))
        .send()
        .await
        .map_err(|err| attribute_error(failure("UpdateUserAttributes", err), &names))?;
    Ok(output
        .code_delivery_details_list()
        .iter()
        .map(|d| delivery(Some(d)))
        .collect())
}

async fn delete(app: &App, token: &str, names: Vec<String>) -> Result<(), ApiError> {
    app.cognito
        .delete_user_attributes()
        .access_token(token)
        .set_user_attribute_names(Some(names.clone()))
        .send()
        .await
        .map_err(|err| attribute_error(failure("DeleteUserAttributes", err), &names))?;
    Ok(())
}

/// Cognito names the offending attribute in its message, which we never pass on; we name it ourselves
/// when it is one of the caller's own attribute names.
fn attribute_error(failure: crate::error::CognitoFailure, names: &[String]) -> ApiError {
    if failure.exception() != Some("InvalidParameterException") {
        return failure.into_api_error(INVALID_TOKEN);
    }
    ApiError::invalid(format!(
        "One of {} is read-only, required, invalid, or not in the user pool's schema.",
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// Best effort: restore the updated attributes to their values before the edit.
async fn roll_back(app: &App, token: &str, updated: &[AttributeType], before: &[AttributeType]) {
    let previous = |name: &str| before.iter().find(|a| a.name() == name);
    let restore: Vec<AttributeType> = updated
        .iter()
        .filter_map(|a| previous(a.name()).cloned())
        .collect();
    let absent: Vec<String> = updated
        .iter()
        .filter(|a| previous(a.name()).is_none())
        .map(|a| a.name().to_owned())
        .collect();
    let restored = (restore.is_empty() || update(app, token, restore).await.is_ok())
        && (absent.is_empty() || delete(app, token, absent).await.is_ok());
    if !restored {
        tracing::error!("profile edit: the delete failed and the update could not be rolled back");
    }
}

pub async fn phone(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    let (token, number) = authenticated(app, request, &["phone_number"], |fields| {
        if !fields.sent("phone_number") {
            return Err(ApiError::invalid(
                "`phone_number` is required: an E.164 number, or null to remove it.",
            ));
        }
        match fields.optional_str("phone_number")? {
            None => Ok(None),
            Some(number) if is_e164(number) => Ok(Some(number.to_owned())),
            Some(_) => Err(ApiError::invalid(
                "`phone_number` must be in E.164 form, like +14155550123.",
            )),
        }
    })
    .await?;
    match number {
        Some(number) => {
            let attribute = AttributeType::builder()
                .name("phone_number")
                .value(number)
                .build()
                .map_err(|_| ApiError::Internal)?;
            let deliveries = update(app, &token.token, vec![attribute]).await?;
            let first = deliveries.into_iter().next().unwrap_or(Value::Null);
            Ok(json!({ "status": "SUCCESS", "codeDeliveryDetails": first }).into())
        }
        None => {
            // Read the user first and make only the calls that change something: removing a phone the
            // user does not have is a success, whatever Cognito would say of turning off SMS MFA for a
            // user without a phone (reported to fail) or deleting an absent attribute.
            let user = get_user(app, &token.token).await?;
            let has_phone = user
                .user_attributes()
                .iter()
                .any(|a| a.name() == "phone_number");
            if has_phone {
                // SMS MFA first: removing the phone of a user who still has SMS MFA enabled would lock
                // them out.
                if user.user_mfa_setting_list().iter().any(|m| m == "SMS_MFA") {
                    set_preference(app, &token.token, "SMS_MFA", false).await?;
                }
                delete(app, &token.token, vec!["phone_number".to_owned()]).await?;
            }
            Ok(json!({ "status": "SUCCESS", "codeDeliveryDetails": null }).into())
        }
    }
}

/// E.164: a plus, a non-zero digit, then 1 to 14 more digits.
pub fn is_e164(number: &str) -> bool {
    let Some(digits) = number.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

pub async fn send_code(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    let (token, attribute) =
        authenticated(app, request, &["attribute"], verifiable_attribute).await?;
    let output = app
        .cognito
        .get_user_attribute_verification_code()
        .access_token(&token.token)
        .attribute_name(attribute)
        .send()
        .await
        .map_err(|err| {
            let failure = failure("GetUserAttributeVerificationCode", err);
            match failure.exception() {
                Some("InvalidParameterException") => {
                    ApiError::invalid("The user has no such attribute to confirm.")
                }
                _ => failure.into_api_error(INVALID_TOKEN),
            }
        })?;
    Ok(json!({ "codeDeliveryDetails": delivery(output.code_delivery_details()) }).into())
}

/// `attribute`: the attributes Cognito can send a code for.
fn verifiable_attribute(fields: &crate::input::Fields) -> Result<String, ApiError> {
    let attribute = fields.required_str("attribute")?;
    if !matches!(attribute, "email" | "phone_number") {
        return Err(ApiError::invalid(
            "`attribute` must be `email` or `phone_number`.",
        ));
    }
    Ok(attribute.to_owned())
}

pub async fn confirm_attribute(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    let (token, (attribute, code)) =
        authenticated(app, request, &["attribute", "confirmationCode"], |fields| {
            let code = fields.required_str("confirmationCode")?.to_owned();
            Ok((verifiable_attribute(fields)?, code))
        })
        .await?;
    app.cognito
        .verify_user_attribute()
        .access_token(&token.token)
        .attribute_name(attribute)
        .code(code)
        .send()
        .await
        .map_err(|err| {
            let failure = failure("VerifyUserAttribute", err);
            match failure.exception() {
                Some("InvalidParameterException") => ApiError::invalid(
                    "The user has no such attribute to confirm, or it is already confirmed.",
                ),
                _ => failure.into_api_error(INVALID_TOKEN),
            }
        })?;
    Ok(success())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_numbers() {
        for ok in ["+14155550123", "+447911123456", "+12"] {
            assert!(is_e164(ok), "{ok}");
        }
        for bad in [
            "14155550123",
            "+0123",
            "+1 415 555",
            "+1234567890123456",
            "+",
            "+1a",
        ] {
            assert!(!is_e164(bad), "{bad}");
        }
    }

    #[test]
    fn editable_attributes() {
        assert!(check_editable("name").is_ok());
        assert!(check_editable("custom:team").is_ok());
        for (name, hint) in [
            ("phone_number", "/profile/phone"),
            ("sub", "read-only"),
            ("favourite_colour", "not an attribute"),
        ] {
            let err = check_editable(name).unwrap_err().to_string();
            assert!(err.contains(name) && err.contains(hint), "{err}");
        }
    }
}
