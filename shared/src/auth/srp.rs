//! Login with Secure Remote Password (LOGIN_FLOW=USER_SRP_AUTH), as the original library always did: the
//! password never leaves this process. InitiateAuth USER_SRP_AUTH answers a PASSWORD_VERIFIER challenge,
//! which we answer with a proof computed by the `aws-cognito-srp` crate; Cognito then answers like any
//! other login step (tokens, or an MFA / new-password challenge). We never send a DEVICE_KEY, so Cognito
//! never asks for the device challenges.

use crate::auth::challenge::{answer_challenge, next_step};
use crate::auth::steps::{respond, AuthStep, LoginOutcome, BAD_LOGIN};
use crate::cognito::{failure, Cognito};
use crate::error::ApiError;
use aws_cognito_srp::{SrpClient, User, UserAuthenticationParameters, VerificationParameters};
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};

pub async fn login(cx: &Cognito, username: &str, password: &str) -> Result<LoginOutcome, ApiError> {
    let config = &cx.config;
    let srp = SrpClient::new(
        User::new(&config.user_pool_id, username, password),
        &config.client_id,
        config.client_secret.as_deref(),
    );
    let UserAuthenticationParameters {
        a,
        username: srp_username,
    } = srp.get_auth_parameters();
    let mut call = cx
        .client
        .initiate_auth()
        .client_id(cx.client_id())
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", &srp_username)
        .auth_parameters("SRP_A", a)
        .set_user_context_data(cx.user_context_data());
    if let Some(hash) = cx.secret_hash(username) {
        call = call.auth_parameters("SECRET_HASH", hash);
    }
    let started = call
        .send()
        .await
        .map_err(|err| failure("InitiateAuth", err).into_api_error(BAD_LOGIN))?;
    if started.challenge_name() != Some(&ChallengeNameType::PasswordVerifier) {
        // Not the expected step (a custom flow, say): report it like any other answer.
        return respond(AuthStep::from(&started), None);
    }
    let parameter = |name: &str| {
        started
            .challenge_parameters()
            .and_then(|p| p.get(name))
            .map(String::as_str)
            .ok_or_else(|| {
                tracing::error!(
                    parameter = name,
                    "PASSWORD_VERIFIER challenge without a parameter"
                );
                ApiError::UpstreamError
            })
    };
    let (secret_block, user_id, salt, srp_b) = (
        parameter("SECRET_BLOCK")?,
        parameter("USER_ID_FOR_SRP")?,
        parameter("SALT")?,
        parameter("SRP_B")?,
    );
    let VerificationParameters {
        password_claim_secret_block,
        password_claim_signature,
        timestamp,
    } = srp
        .verify(secret_block, user_id, salt, srp_b)
        .map_err(|_| {
            tracing::error!("Cognito sent SRP parameters we cannot use");
            ApiError::UpstreamError
        })?;
    let answers = [
        (
            "PASSWORD_CLAIM_SECRET_BLOCK",
            password_claim_secret_block.as_str(),
        ),
        (
            "PASSWORD_CLAIM_SIGNATURE",
            password_claim_signature.as_str(),
        ),
        ("TIMESTAMP", timestamp.as_str()),
    ];
    let session = started.session().unwrap_or_default();
    // Cognito identifies the user by USER_ID_FOR_SRP from here on (the internal username).
    let output = answer_challenge(
        cx,
        ChallengeNameType::PasswordVerifier,
        user_id,
        session,
        &answers,
    )
    .await
    .map_err(|err| match err {
        // A wrong password shows up here, as NotAuthorized on the verifier: same words as ever.
        ApiError::NotAuthorized(_) => ApiError::NotAuthorized(BAD_LOGIN),
        other => other,
    })?;
    next_step(&output)
}
