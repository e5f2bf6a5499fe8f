//! The signed-in user's profile: read it, edit attributes, set or remove the phone number, confirm an
//! email or phone with its code.

use crate::answers::{Delivery, Status, StatusWithDelivery, Success, SUCCESS};
use crate::cognito::{delivery, failure, get_user, CodeDelivery, Cognito, INVALID_TOKEN};
use crate::credentials::AccessToken;
use crate::error::{ApiError, CognitoFailure};
use crate::factors::MfaFactor;
use crate::limits::Medium;
use crate::operations::mfa::set_preference;
use crate::values::{AttributeList, Code, EditedAttribute, NoFields, PhoneNumber};
use aws_sdk_cognitoidentityprovider::types::AttributeType;
use serde::{Deserialize, Deserializer, Serialize};

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    pub username: String,
    /// Cognito's `[{Name, Value}]`.
    pub attributes: Vec<StoredAttribute>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredAttribute {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Value")]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub value: Option<String>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EditRequest {
    /// `[{Name, Value}]`, each name at most once. An empty or null `Value` deletes the attribute.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<EditedAttribute>, min_items = 1))]
    pub attributes: AttributeList<EditedAttribute>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EditResponse {
    pub status: Success,
    /// One per attribute Cognito sent a verification code for (a changed email, say).
    pub code_delivery_details: Vec<CodeDelivery>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PhoneRequest {
    /// An E.164 number, or `null` to remove the phone number. The key is required.
    #[serde(deserialize_with = "phone_or_null")]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub phone_number: Option<PhoneNumber>,
}

fn phone_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PhoneNumber>, D::Error> {
    Option::<PhoneNumber>::deserialize(d)
}

/// The attributes Cognito can send a code for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VerifiableAttribute {
    Email,
    PhoneNumber,
}

impl VerifiableAttribute {
    fn as_str(self) -> &'static str {
        match self {
            VerifiableAttribute::Email => "email",
            VerifiableAttribute::PhoneNumber => "phone_number",
        }
    }
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SendCodeRequest {
    pub attribute: VerifiableAttribute,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConfirmAttributeRequest {
    pub attribute: VerifiableAttribute,
    pub confirmation_code: Code,
}

pub async fn get(cx: &Cognito, caller: AccessToken, _: NoFields) -> Result<Profile, ApiError> {
    let user = get_user(cx, &caller.token).await?;
    let attributes = user
        .user_attributes()
        .iter()
        .map(|a| StoredAttribute {
            name: a.name().to_owned(),
            value: a.value().map(str::to_owned),
        })
        .collect();
    Ok(Profile {
        username: user.username().to_owned(),
        attributes,
    })
}

pub async fn edit(
    cx: &Cognito,
    caller: AccessToken,
    request: EditRequest,
) -> Result<EditResponse, ApiError> {
    let attributes = request.attributes.0;
    if attributes.is_empty() {
        return Err(ApiError::invalid(
            "`attributes` must list at least one attribute.",
        ));
    }
    for attribute in &attributes {
        check_editable(attribute.name.as_str())?;
    }
    // A new email or phone number is verified by a code Cognito sends (where the pool verifies it).
    let sets = |name: &str| {
        attributes
            .iter()
            .any(|a| a.name.as_str() == name && a.value.is_some())
    };
    if sets("phone_number") {
        cx.limit_code(&caller.account(), Medium::Sms).await?;
    } else if sets("email") {
        cx.limit_code(&caller.account(), Medium::Email).await?;
    }
    let token = caller.token.as_str();
    let (updates, deletes): (Vec<EditedAttribute>, Vec<EditedAttribute>) =
        attributes.into_iter().partition(|a| a.value.is_some());
    let update_list = to_attribute_types(updates)?;
    let delete_names: Vec<String> = deletes.into_iter().map(|a| a.name.into_string()).collect();

    // Update first: it is the call that fails on content (a bad value, an attribute outside the schema),
    // and then nothing is stored. If the delete fails after the update succeeded, the update is rolled
    // back from a snapshot taken before it, so the caller never gets an error for a stored change.
    let snapshot = if !update_list.is_empty() && !delete_names.is_empty() {
        Some(get_user(cx, token).await?.user_attributes)
    } else {
        None
    };
    let mut deliveries = Vec::new();
    if !update_list.is_empty() {
        deliveries = update(cx, token, update_list.clone()).await?;
    }
    if !delete_names.is_empty() {
        if let Err(err) = delete(cx, token, delete_names).await {
            if let Some(before) = snapshot {
                roll_back(cx, token, &update_list, &before).await;
            }
            return Err(err);
        }
    }
    Ok(EditResponse {
        status: Success::Success,
        code_delivery_details: deliveries,
    })
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

fn to_attribute_types(attributes: Vec<EditedAttribute>) -> Result<Vec<AttributeType>, ApiError> {
    attributes
        .into_iter()
        .map(|a| {
            AttributeType::builder()
                .name(a.name.into_string())
                .set_value(a.value.map(|v| v.into_string()))
                .build()
        })
        .collect::<Result<_, _>>()
        .map_err(|_| ApiError::Internal)
}

async fn update(
    cx: &Cognito,
    token: &str,
    attributes: Vec<AttributeType>,
) -> Result<Vec<CodeDelivery>, ApiError> {
    let names: Vec<String> = attributes.iter().map(|a| a.name().to_owned()).collect();
    let output = cx
        .client
        .update_user_attributes()
        .access_token(token)
        .set_user_attributes(Some(attributes))
        .send()
        .await
        .map_err(|err| attribute_error(failure("UpdateUserAttributes", err), &names))?;
    Ok(output
        .code_delivery_details_list()
        .iter()
        .map(CodeDelivery::from)
        .collect())
}

async fn delete(cx: &Cognito, token: &str, names: Vec<String>) -> Result<(), ApiError> {
    cx.client
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
fn attribute_error(failure: CognitoFailure, names: &[String]) -> ApiError {
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
async fn roll_back(cx: &Cognito, token: &str, updated: &[AttributeType], before: &[AttributeType]) {
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
    let restored = (restore.is_empty() || update(cx, token, restore).await.is_ok())
        && (absent.is_empty() || delete(cx, token, absent).await.is_ok());
    if !restored {
        tracing::error!("profile edit: the delete failed and the update could not be rolled back");
    }
}

pub async fn phone(
    cx: &Cognito,
    caller: AccessToken,
    request: PhoneRequest,
) -> Result<StatusWithDelivery, ApiError> {
    let token = caller.token.as_str();
    match request.phone_number {
        Some(number) => {
            // The new number is verified by an SMS.
            cx.limit_code(&caller.account(), Medium::Sms).await?;
            let attribute = AttributeType::builder()
                .name("phone_number")
                .value(number.into_string())
                .build()
                .map_err(|_| ApiError::Internal)?;
            let deliveries = update(cx, token, vec![attribute]).await?;
            Ok(StatusWithDelivery::new(deliveries.into_iter().next()))
        }
        None => {
            // Read the user first and make only the calls that change something: removing a phone the
            // user does not have is a success, whatever Cognito would say of turning off SMS MFA for a
            // user without a phone (reported to fail) or deleting an absent attribute.
            let user = get_user(cx, token).await?;
            let has_phone = user
                .user_attributes()
                .iter()
                .any(|a| a.name() == "phone_number");
            if has_phone {
                // SMS MFA first: removing the phone of a user who still has SMS MFA enabled would lock
                // them out.
                if user.user_mfa_setting_list().iter().any(|m| m == "SMS_MFA") {
                    set_preference(cx, token, MfaFactor::Sms, false).await?;
                }
                delete(cx, token, vec!["phone_number".to_owned()]).await?;
            }
            Ok(StatusWithDelivery::new(None))
        }
    }
}

pub async fn send_code(
    cx: &Cognito,
    caller: AccessToken,
    request: SendCodeRequest,
) -> Result<Delivery, ApiError> {
    let medium = match request.attribute.as_str() {
        "phone_number" => Medium::Sms,
        _ => Medium::Email,
    };
    cx.limit_code(&caller.account(), medium).await?;
    let output = cx
        .client
        .get_user_attribute_verification_code()
        .access_token(&caller.token)
        .attribute_name(request.attribute.as_str())
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
    Ok(Delivery {
        code_delivery_details: delivery(output.code_delivery_details()),
    })
}

pub async fn confirm_attribute(
    cx: &Cognito,
    caller: AccessToken,
    request: ConfirmAttributeRequest,
) -> Result<Status, ApiError> {
    cx.limit_guess(&caller.account()).await?;
    cx.client
        .verify_user_attribute()
        .access_token(&caller.token)
        .attribute_name(request.attribute.as_str())
        .code(request.confirmation_code.as_str())
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
    Ok(SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The OpenAPI document's list of editable standard attributes (values.rs) is this module's rule.
    #[test]
    fn the_documented_editable_attributes_are_the_editable_ones() {
        let editable: Vec<&str> = STANDARD_ATTRIBUTES
            .iter()
            .copied()
            .filter(|name| check_editable(name).is_ok())
            .collect();
        assert_eq!(editable, crate::values::EDITABLE_STANDARD_ATTRIBUTES);
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
