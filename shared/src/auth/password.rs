//! The password login of the configured flow (LOGIN_FLOW): used by /login and by /account/delete's
//! re-authentication.

use crate::auth::passwordless::initiate;
use crate::auth::steps::{respond, AuthStep, LoginOutcome, BAD_LOGIN};
use crate::cognito::{failure, Cognito};
use crate::config::LoginFlow;
use crate::error::ApiError;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};

/// A password sign-in that made Cognito send an MFA code: counted against the code allowances (the API
/// could not know before the call; `Cognito::limit_password` checked they were not used up).
pub async fn count_mfa_code(cx: &Cognito, username: &str, outcome: &LoginOutcome) {
    if let Some(sms) = outcome.sent_code() {
        cx.count_code(username, sms, true).await;
    }
}

pub async fn authenticate(
    cx: &Cognito,
    username: &str,
    password: &str,
) -> Result<LoginOutcome, ApiError> {
    match cx.config.login_flow {
        LoginFlow::UserPassword => password_login(cx, username, password).await,
        LoginFlow::UserSrp => crate::auth::srp::login(cx, username, password).await,
        LoginFlow::UserAuth => user_auth_login(cx, username, password).await,
    }
}

/// USER_AUTH with the password preferred and sent in the same call (as Amplify does): one round trip.
async fn user_auth_login(
    cx: &Cognito,
    username: &str,
    password: &str,
) -> Result<LoginOutcome, ApiError> {
    let output = initiate(
        cx,
        username,
        Some("PASSWORD"),
        Some(password),
        None,
        BAD_LOGIN,
    )
    .await?;
    match output.challenge_name() {
        // First-factor steps, not steps after a password: Cognito could not use it (the user has none,
        // say). Same words as a wrong one, so that nothing about the account shows. (EMAIL_OTP after a
        // password is email MFA, answered like any MFA step.)
        Some(
            ChallengeNameType::SelectChallenge
            | ChallengeNameType::Password
            | ChallengeNameType::PasswordSrp
            | ChallengeNameType::SmsOtp
            | ChallengeNameType::WebAuthn,
        ) => Err(ApiError::NotAuthorized(BAD_LOGIN)),
        _ => respond(AuthStep::from(&output), None),
    }
}

async fn password_login(
    cx: &Cognito,
    username: &str,
    password: &str,
) -> Result<LoginOutcome, ApiError> {
    let mut auth = cx
        .client
        .initiate_auth()
        .client_id(cx.client_id())
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .set_user_context_data(cx.user_context_data());
    if let Some(hash) = cx.secret_hash(username) {
        auth = auth.auth_parameters("SECRET_HASH", hash);
    }
    let output = auth
        .send()
        .await
        .map_err(|err| failure("InitiateAuth", err).into_api_error(BAD_LOGIN))?;
    respond(AuthStep::from(&output), None)
}
