//! Sign-up: create the account (with a password, or without one where the pool signs in by code),
//! confirm it with the emailed (or texted) code, and then sign in straight away when the sign-up gave a
//! `loginSession`; send the code again.

use crate::answers::{Delivery, Status, SUCCESS};
use crate::auth::passwordless::{
    decoy_refused, decoy_session, initiate, made_up_session, Decoy, LoginSession as Session,
};
use crate::auth::steps::{respond, AuthStep, LoginOutcome};
use crate::cognito::{delivery, failure, sent_by_sms, CodeDelivery, Cognito};
use crate::error::ApiError;
use crate::factors::FirstFactor;
use crate::limits::Medium;
use crate::pool::SessionKind;
use crate::values::{Attribute, AttributeList, Code, LoginSession, Password, Username};
use aws_sdk_cognitoidentityprovider::types::AttributeType;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SignupRequest {
    pub username: Username,
    /// Omit for a passwordless user (where SIGN_IN_METHODS has EMAIL_OTP or SMS_OTP).
    pub password: Option<Password>,
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
    /// For /signup/confirm to sign the user in straight away: present exactly where the pool signs in
    /// by code (SIGN_IN_METHODS), for every sign-up alike.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_session: Option<String>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConfirmRequest {
    pub username: Username,
    pub confirmation_code: Code,
    /// The sign-up's `loginSession`: confirm, then sign in and answer tokens.
    pub login_session: Option<LoginSession>,
}

/// Tokens (or the next login step) when confirming with a `loginSession`, else `{status}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum ConfirmOutcome {
    SignedIn(LoginOutcome),
    Confirmed(Status),
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResendRequest {
    pub username: Username,
}

pub async fn signup(cx: &Cognito, request: SignupRequest) -> Result<SignupResponse, ApiError> {
    let username = request.username.as_str();
    if request.password.is_none() {
        check_passwordless(cx, request.attributes.as_ref())?;
    }
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
    // Charged before the call, so a duplicate hidden by HIDE_EXISTING_USERS is charged the same.
    let medium = if attributes.iter().any(|a| a.name() == "phone_number") {
        Medium::Unknown
    } else {
        Medium::Email
    };
    cx.limit_code(username, medium).await?;
    let output = cx
        .client
        .sign_up()
        .client_id(cx.client_id())
        .username(username)
        .set_password(request.password.map(Password::into_string))
        .set_user_attributes(Some(attributes.clone()))
        .set_secret_hash(cx.secret_hash(username))
        .set_user_context_data(cx.user_context_data())
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
            let answer = hidden_duplicate(cx, username, &attributes);
            // As a fresh sign-up whose code went by SMS is counted (the same store call, so the same
            // time), even though nothing is sent.
            let sms = answer
                .code_delivery_details
                .as_ref()
                .is_some_and(|d| d.delivery_medium.as_deref() == Some("SMS"));
            cx.count_code(username, sms, false).await;
            return Ok(answer);
        }
        other => other?,
    };
    cx.count_code(username, sent_by_sms(output.code_delivery_details()), false)
        .await;
    Ok(SignupResponse {
        username: username.to_owned(),
        user_confirmed: output.user_confirmed(),
        user_sub: output.user_sub().to_owned(),
        code_delivery_details: delivery(output.code_delivery_details()),
        // Where the pool signs in by code (USER_AUTH), every sign-up answers a `loginSession` and none
        // elsewhere, whatever Cognito returns: the keys of the answer cannot depend on the account (a
        // duplicate hidden by HIDE_EXISTING_USERS has the same keys as a real sign-up).
        login_session: cx
            .config
            .allows_passwordless()
            .then(|| match output.session() {
                Some(session) if !session.is_empty() => {
                    cx.pool.observe_session(SessionKind::SignUp, session);
                    session.to_owned()
                }
                // So that every answer of this pool has the key: confirming with it only confirms.
                _ => made_up_session(
                    cx,
                    Decoy::ConfirmOnly,
                    cx.pool.session_chars(SessionKind::SignUp),
                ),
            }),
    })
}

/// A sign-up without a password needs a pool that signs in by code, and the email or phone number the
/// code goes to. (The pool must also verify that attribute on sign-up; Cognito refuses otherwise.)
fn check_passwordless(
    cx: &Cognito,
    attributes: Option<&AttributeList<Attribute>>,
) -> Result<(), ApiError> {
    let methods = &cx.config.sign_in_methods;
    let (email, sms) = (
        methods.contains(&FirstFactor::EmailOtp),
        methods.contains(&FirstFactor::SmsOtp),
    );
    if !email && !sms {
        return Err(ApiError::invalid(
            "`password` is required: this user pool has no sign-in without a password.",
        ));
    }
    let has =
        |name: &str| attributes.is_some_and(|list| list.0.iter().any(|a| a.name.as_str() == name));
    if (email && has("email")) || (sms && has("phone_number")) {
        return Ok(());
    }
    let needed = match (email, sms) {
        (true, true) => "`email` or `phone_number`",
        (true, false) => "`email`",
        _ => "`phone_number`",
    };
    Err(ApiError::invalid(format!(
        "`attributes` must include {needed} for a sign-up without a password: the one-time codes go there."
    )))
}

/// HIDE_EXISTING_USERS: what a fresh, unconfirmed sign-up would answer (a random sub, the masked delivery
/// Cognito would report), without sending anything to the address given.
fn hidden_duplicate(cx: &Cognito, username: &str, attributes: &[AttributeType]) -> SignupResponse {
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
    // The same keys as a real sign-up: a decoy session as long as Cognito's sign-up sessions, which
    // /signup/confirm answers `code_mismatch`.
    SignupResponse {
        username: username.to_owned(),
        user_confirmed: false,
        user_sub: crate::random::uuid_v4(),
        code_delivery_details,
        login_session: cx
            .config
            .allows_passwordless()
            .then(|| decoy_session(cx, cx.pool.session_chars(SessionKind::SignUp))),
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

pub async fn confirm(cx: &Cognito, request: ConfirmRequest) -> Result<ConfirmOutcome, ApiError> {
    let username = request.username.as_str();
    let code = request.confirmation_code.as_str();
    cx.limit_guess(username).await?;
    let Some(login_session) = request.login_session else {
        confirm_sign_up(cx, username, code, None)
            .await
            .map_err(|err| hide_confirmed(cx, err))?;
        return Ok(ConfirmOutcome::Confirmed(SUCCESS));
    };
    let login_session = match Session::parse(cx, login_session.as_str()) {
        Session::Decoy(decoy) => {
            // The sign-up was a hidden duplicate: nothing to confirm, whatever the account's state.
            // Its real twin, a fresh sign-up confirmed with a wrong code, costs one ConfirmSignUp with
            // the session: so does this, with the decoy as the session, which Cognito refuses (or, for
            // an account already confirmed, refuses as confirmed). Whatever it answers, the answer is a
            // wrong code's.
            let answer = confirm_sign_up(cx, username, code, Some(decoy)).await;
            decoy_refused(answer)?;
            return Err(ApiError::CodeMismatch);
        }
        Session::ConfirmOnly(_) => {
            confirm_sign_up(cx, username, code, None)
                .await
                .map_err(|err| hide_confirmed(cx, err))?;
            return Ok(ConfirmOutcome::Confirmed(SUCCESS));
        }
        session @ (Session::Cognito(_) | Session::Otp { .. }) => session.as_sent(),
    };
    let session = match confirm_sign_up(cx, username, code, Some(login_session)).await {
        Ok(session) => session,
        // The sign-up's session is gone (it lasts minutes): confirm without it; the app logs in next.
        Err(ApiError::NotAuthorized(_)) => {
            confirm_sign_up(cx, username, code, None)
                .await
                .map_err(|err| hide_confirmed(cx, err))?;
            return Ok(ConfirmOutcome::Confirmed(SUCCESS));
        }
        Err(other) => return Err(other),
    };
    let Some(session) = session else {
        return Ok(ConfirmOutcome::Confirmed(SUCCESS));
    };
    // Cognito counts the confirmation code as the first factor of this sign-in.
    let output = initiate(
        cx,
        username,
        None,
        None,
        Some(&session),
        "The account is confirmed, but the sign-in session has expired: log in.",
    )
    .await?;
    Ok(ConfirmOutcome::SignedIn(respond(
        AuthStep::from(&output),
        None,
    )?))
}

/// With HIDE_EXISTING_USERS, ConfirmSignUp's refusal of an account that cannot be confirmed (Cognito:
/// NotAuthorizedException, "Current status is CONFIRMED", whatever the code) answers exactly like a wrong
/// code: a duplicate sign-up of a confirmed account must not show itself at confirmation either.
fn hide_confirmed(cx: &Cognito, err: ApiError) -> ApiError {
    match err {
        ApiError::NotAuthorized(_) if cx.config.hide_existing_users => ApiError::CodeMismatch,
        other => other,
    }
}

/// ConfirmSignUp; Cognito's new Session when one was sent.
async fn confirm_sign_up(
    cx: &Cognito,
    username: &str,
    code: &str,
    session: Option<&str>,
) -> Result<Option<String>, ApiError> {
    let output = cx
        .client
        .confirm_sign_up()
        .client_id(cx.client_id())
        .username(username)
        .confirmation_code(code)
        .force_alias_creation(false)
        .set_session(session.map(str::to_owned))
        .set_secret_hash(cx.secret_hash(username))
        .set_user_context_data(cx.user_context_data())
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
    Ok(output.session().map(str::to_owned))
}

pub async fn resend(cx: &Cognito, request: ResendRequest) -> Result<Delivery, ApiError> {
    let username = request.username.as_str();
    cx.limit_code(username, Medium::Unknown).await?;
    let result = cx
        .client
        .resend_confirmation_code()
        .client_id(cx.client_id())
        .username(username)
        .set_secret_hash(cx.secret_hash(username))
        .set_user_context_data(cx.user_context_data())
        .send()
        .await;
    let code_delivery_details = match result {
        Ok(output) => {
            cx.count_code(username, sent_by_sms(output.code_delivery_details()), false)
                .await;
            delivery(output.code_delivery_details())
        }
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
