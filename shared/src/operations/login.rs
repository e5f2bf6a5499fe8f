//! Login and the challenges that can follow it: MFA codes, an MFA method choice, a forced new password.

use crate::app::{ApiRequest, App, Reply};
use crate::challenge::{respond, AuthStep, MFA_TYPES};
use crate::cognito::failure;
use crate::config::LoginFlow;
use crate::error::ApiError;
use crate::input::Fields;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};

/// The same words for an unknown user and a wrong password: no user enumeration.
pub const BAD_LOGIN: &str = "Incorrect username or password.";
pub const BAD_SESSION: &str = "The login session is invalid or has expired; log in again.";

pub async fn login(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    let fields = Fields::parse(&request.body, &["username", "password"])?;
    let username = fields.username("username")?;
    let password = fields.password("password")?;
    Ok(authenticate(app, username, password).await?.into())
}

/// Checks a username and password with the configured flow: tokens, or the next login step.
pub async fn authenticate(
    app: &App,
    username: &str,
    password: &str,
) -> Result<serde_json::Value, ApiError> {
    match app.config.login_flow {
        LoginFlow::UserPassword => password_login(app, username, password).await,
        LoginFlow::UserSrp => crate::srp::login(app, username, password).await,
    }
}

async fn password_login(
    app: &App,
    username: &str,
    password: &str,
) -> Result<serde_json::Value, ApiError> {
    let mut auth = app
        .cognito
        .initiate_auth()
        .client_id(app.client_id())
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password);
    if let Some(hash) = app.secret_hash(username) {
        auth = auth.auth_parameters("SECRET_HASH", hash);
    }
    let output = auth
        .send()
        .await
        .map_err(|err| failure("InitiateAuth", err).into_api_error(BAD_LOGIN))?;
    respond(AuthStep::from(&output), None)
}

pub async fn mfa(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    let fields = Fields::parse(
        &request.body,
        &["username", "loginSession", "mfaCode", "mfaType"],
    )?;
    let username = fields.username("username")?;
    let session = fields.required_str("loginSession")?;
    let mfa_type = match fields.optional_str("mfaType")? {
        Some(t) if MFA_TYPES.contains(&t) => Some(t),
        Some(_) => {
            return Err(ApiError::invalid(format!(
                "`mfaType` must be one of {}.",
                MFA_TYPES.join(", ")
            )));
        }
        None => None,
    };
    let (challenge, answer) = match (fields.optional_str("mfaCode")?, mfa_type) {
        (Some(code), mfa_type) => {
            let mfa_type = mfa_type.unwrap_or("SMS_MFA");
            (
                ChallengeNameType::from(mfa_type),
                (code_parameter(mfa_type), code),
            )
        }
        // A type and no code: the caller is choosing a method in a SELECT_MFA_TYPE step.
        (None, Some(mfa_type)) => (ChallengeNameType::SelectMfaType, ("ANSWER", mfa_type)),
        (None, None) => return Err(ApiError::invalid("`mfaCode` is required.")),
    };
    let output = answer_challenge(app, challenge, username, session, &[answer]).await?;
    Ok(next_step(&output)?.into())
}

fn code_parameter(mfa_type: &str) -> &'static str {
    match mfa_type {
        "SOFTWARE_TOKEN_MFA" => "SOFTWARE_TOKEN_MFA_CODE",
        "EMAIL_OTP" => "EMAIL_OTP_CODE",
        _ => "SMS_MFA_CODE",
    }
}

pub async fn new_password(app: &App, request: &ApiRequest) -> Result<Reply, ApiError> {
    let fields = Fields::parse(
        &request.body,
        &["username", "loginSession", "newPassword", "attributes"],
    )?;
    let username = fields.username("username")?;
    let session = fields.required_str("loginSession")?;
    let new_password = fields.password("newPassword")?;
    let attributes = fields.string_map("attributes")?.unwrap_or_default();
    let attribute_keys: Vec<(String, &str)> = attributes
        .iter()
        .map(|(name, value)| (format!("userAttributes.{name}"), value.as_str()))
        .collect();
    let mut answers: Vec<(&str, &str)> = vec![("NEW_PASSWORD", new_password)];
    answers.extend(attribute_keys.iter().map(|(k, v)| (k.as_str(), *v)));
    let output = answer_challenge(
        app,
        ChallengeNameType::NewPasswordRequired,
        username,
        session,
        &answers,
    )
    .await?;
    Ok(next_step(&output)?.into())
}

/// RespondToAuthChallenge with USERNAME (Cognito needs it on every answer) and SECRET_HASH when configured.
pub async fn answer_challenge(
    app: &App,
    challenge: ChallengeNameType,
    username: &str,
    session: &str,
    answers: &[(&str, &str)],
) -> Result<RespondToAuthChallengeOutput, ApiError> {
    let mut call = app
        .cognito
        .respond_to_auth_challenge()
        .client_id(app.client_id())
        .challenge_name(challenge)
        .session(session)
        .challenge_responses("USERNAME", username);
    for (name, value) in answers {
        call = call.challenge_responses(*name, *value);
    }
    if let Some(hash) = app.secret_hash(username) {
        call = call.challenge_responses("SECRET_HASH", hash);
    }
    call.send().await.map_err(|err| {
        let failure = failure("RespondToAuthChallenge", err);
        match failure.exception() {
            Some("InvalidParameterException") => ApiError::invalid(
                "The answer does not fit the login step (check `mfaType` and the required attributes).",
            ),
            _ => failure.into_api_error(BAD_SESSION),
        }
    })
}

pub fn next_step(output: &RespondToAuthChallengeOutput) -> Result<serde_json::Value, ApiError> {
    respond(AuthStep::from(output), None)
}
