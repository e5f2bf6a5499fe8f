//! Answering a login challenge (RespondToAuthChallenge), for the MFA, new-password, MFA-setup and SRP
//! steps alike.

use crate::auth::steps::{respond, AuthStep, LoginOutcome};
use crate::cognito::{failure, Cognito};
use crate::error::ApiError;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput;
use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;

pub const BAD_SESSION: &str = "The login session is invalid or has expired; log in again.";

pub async fn answer_challenge(
    cx: &Cognito,
    challenge: ChallengeNameType,
    username: &str,
    session: &str,
    answers: &[(&str, &str)],
) -> Result<RespondToAuthChallengeOutput, ApiError> {
    let mut call = cx
        .client
        .respond_to_auth_challenge()
        .client_id(cx.client_id())
        .challenge_name(challenge)
        .session(session)
        .challenge_responses("USERNAME", username)
        .set_user_context_data(cx.user_context_data());
    for (name, value) in answers {
        call = call.challenge_responses(*name, *value);
    }
    if let Some(hash) = cx.secret_hash(username) {
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

pub fn next_step(output: &RespondToAuthChallengeOutput) -> Result<LoginOutcome, ApiError> {
    respond(AuthStep::from(output), None)
}
