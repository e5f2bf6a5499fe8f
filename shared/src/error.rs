//! The one error type of the API. Every failure a caller can see is one of these variants, with a stable
//! `code`, an HTTP status and a message of our own: Cognito's raw text never reaches a caller, because it can
//! carry usernames, token fragments or internal names.

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use http::StatusCode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// Malformed JSON, a missing / empty / wrong-typed / unknown field. The message names the field.
    #[error("{0}")]
    InvalidRequest(String),
    #[error("The request body is larger than {limit} bytes.")]
    PayloadTooLarge { limit: usize },
    #[error("The password does not meet the password policy.")]
    InvalidPassword,
    #[error("The code is incorrect.")]
    CodeMismatch,
    #[error("The code has expired; request a new one.")]
    ExpiredCode,
    /// Wrong credentials, unknown user, bad / expired / revoked token or session. The message is chosen by
    /// the caller of the mapping so that, for instance, an unknown user and a wrong password read the same.
    #[error("{0}")]
    NotAuthorized(&'static str),
    #[error("The user has not confirmed their account yet.")]
    UserNotConfirmed,
    #[error("The user must reset their password before logging in.")]
    PasswordResetRequired,
    #[error("An account with this username already exists.")]
    UsernameExists,
    #[error("Another account already uses this email address or phone number.")]
    AliasExists,
    #[error("{0}")]
    MfaNotSetUp(&'static str),
    #[error("The login step `{0}` is not supported by this API.")]
    UnsupportedChallenge(String),
    /// Cognito throttled the call, or a rate limit of this API (`limits`) refused it: retry after
    /// `retry_after` seconds (the `Retry-After` header). The message names no account.
    #[error("Too many requests; retry later.")]
    TooManyRequests { retry_after: u32 },
    #[error("The identity provider returned an unexpected answer.")]
    UpstreamError,
    #[error("The identity provider is unavailable; retry later.")]
    UpstreamUnavailable,
    #[error("Forbidden: the request failed the cross-site request check.")]
    CsrfRejected,
    /// Cookie mode: the body must be declared `Content-Type: application/json` (an HTML form cannot send that
    /// cross-site without a preflight).
    #[error("The request body must be sent as `Content-Type: application/json`.")]
    UnsupportedMediaType,
    /// Adding a passkey needs a fresh sign-in: the access token's `auth_time` is too old.
    #[error("Sign in again to add a passkey: this session signed in too long ago.")]
    ReauthenticationRequired,
    /// The browser's passkey credential did not verify; the message says why.
    #[error("{0}")]
    PasskeyRejected(&'static str),
    #[error("The user has no passkey with this credential id.")]
    PasskeyNotFound,
    #[error("No such route.")]
    NotFound,
    #[error("This route only accepts POST.")]
    MethodNotAllowed,
    #[error("Internal error.")]
    Internal,
}

/// Seconds a throttled caller is asked to wait (`Retry-After`).
pub const RETRY_AFTER_SECONDS: u32 = 1;

impl ApiError {
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::InvalidRequest(message.into())
    }

    /// Cognito throttled the call (after the SDK's retries).
    pub fn throttled() -> Self {
        ApiError::TooManyRequests {
            retry_after: RETRY_AFTER_SECONDS,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidRequest(_) => "invalid_request",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::InvalidPassword => "invalid_password",
            ApiError::CodeMismatch => "code_mismatch",
            ApiError::ExpiredCode => "expired_code",
            ApiError::NotAuthorized(_) => "not_authorized",
            ApiError::UserNotConfirmed => "user_not_confirmed",
            ApiError::PasswordResetRequired => "password_reset_required",
            ApiError::UsernameExists => "username_exists",
            ApiError::AliasExists => "alias_exists",
            ApiError::MfaNotSetUp(_) => "mfa_not_set_up",
            ApiError::UnsupportedChallenge(_) => "unsupported_challenge",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::UpstreamError => "upstream_error",
            ApiError::UpstreamUnavailable => "upstream_unavailable",
            ApiError::CsrfRejected => "csrf_rejected",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::ReauthenticationRequired => "reauthentication_required",
            ApiError::PasskeyRejected(_) => "passkey_rejected",
            ApiError::PasskeyNotFound => "passkey_not_found",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Internal => "internal",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::InvalidRequest(_)
            | ApiError::InvalidPassword
            | ApiError::CodeMismatch
            | ApiError::ExpiredCode
            | ApiError::MfaNotSetUp(_)
            | ApiError::UnsupportedChallenge(_)
            | ApiError::PasskeyRejected(_) => StatusCode::BAD_REQUEST,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::NotAuthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::UserNotConfirmed
            | ApiError::PasswordResetRequired
            | ApiError::CsrfRejected
            | ApiError::ReauthenticationRequired => StatusCode::FORBIDDEN,
            ApiError::UsernameExists | ApiError::AliasExists => StatusCode::CONFLICT,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::UpstreamError => StatusCode::BAD_GATEWAY,
            ApiError::UpstreamUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::NotFound | ApiError::PasskeyNotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The JSON body every error answers with: exactly `code` and `message`.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({ "code": self.code(), "message": self.to_string() })
    }
}

/// What a failed Cognito call means to us, before the operation adds its own context.
///
/// The operations use the exception name (`ProvideErrorMetadata::code`) rather than each operation's typed
/// error enum: the same exception means the same thing whichever operation raised it, and one table here
/// maps them all on purpose instead of forty near-identical `match` arms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CognitoFailure {
    /// Cognito answered with a named exception.
    Exception(String),
    /// Cognito could not be reached or did not answer in time.
    Unavailable,
    /// Cognito answered, but not with anything we could read (5xx page, garbage).
    BadAnswer,
    /// We could not even build the request: a bug or a misconfiguration on our side.
    Local,
}

impl CognitoFailure {
    pub fn from_sdk<E, R>(err: &SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        match err {
            SdkError::ServiceError(service) => match service.err().code() {
                Some(code) => CognitoFailure::Exception(code.to_owned()),
                None => CognitoFailure::BadAnswer,
            },
            SdkError::TimeoutError(_) => CognitoFailure::Unavailable,
            SdkError::DispatchFailure(dispatch) => {
                if dispatch.is_user() {
                    CognitoFailure::Local
                } else {
                    CognitoFailure::Unavailable
                }
            }
            SdkError::ResponseError(_) => CognitoFailure::BadAnswer,
            SdkError::ConstructionFailure(_) => CognitoFailure::Local,
            _ => CognitoFailure::BadAnswer,
        }
    }

    /// The exception name, when Cognito gave one.
    pub fn exception(&self) -> Option<&str> {
        match self {
            CognitoFailure::Exception(name) => Some(name),
            _ => None,
        }
    }

    /// The generic meaning of the failure. `not_authorized` is the message for NotAuthorized-like
    /// exceptions, chosen by the operation (login, token, session...).
    pub fn into_api_error(self, not_authorized: &'static str) -> ApiError {
        let name = match self {
            CognitoFailure::Exception(name) => name,
            CognitoFailure::Unavailable => return ApiError::UpstreamUnavailable,
            CognitoFailure::BadAnswer => return ApiError::UpstreamError,
            CognitoFailure::Local => return ApiError::Internal,
        };
        match name.as_str() {
            // Unknown users read exactly like wrong credentials: no user enumeration.
            "NotAuthorizedException" | "UserNotFoundException" | "UnauthorizedException" => {
                ApiError::NotAuthorized(not_authorized)
            }
            "InvalidPasswordException" | "PasswordHistoryPolicyViolationException" => {
                ApiError::InvalidPassword
            }
            "CodeMismatchException" | "EnableSoftwareTokenMFAException" => ApiError::CodeMismatch,
            "ExpiredCodeException" => ApiError::ExpiredCode,
            "UserNotConfirmedException" => ApiError::UserNotConfirmed,
            "PasswordResetRequiredException" => ApiError::PasswordResetRequired,
            "UsernameExistsException" => ApiError::UsernameExists,
            "AliasExistsException" => ApiError::AliasExists,
            "MFAMethodNotFoundException" | "SoftwareTokenMFANotFoundException" => {
                ApiError::MfaNotSetUp("This multi-factor method is not set up for the user.")
            }
            // The browser's credential did not verify (CompleteWebAuthnRegistration).
            "WebAuthnRelyingPartyMismatchException" => ApiError::PasskeyRejected(
                "The passkey was made for another relying party (site) than this user pool's.",
            ),
            "WebAuthnOriginNotAllowedException" => ApiError::PasskeyRejected(
                "The passkey was made on a page whose origin this user pool does not allow.",
            ),
            "WebAuthnCredentialNotSupportedException" => ApiError::PasskeyRejected(
                "This kind of passkey (its algorithm or attestation) is not supported.",
            ),
            "WebAuthnChallengeNotFoundException" => ApiError::PasskeyRejected(
                "The registration expired or was already used: start it again.",
            ),
            "WebAuthnClientMismatchException" => ApiError::PasskeyRejected(
                "The registration was started by another app client: start it again here.",
            ),
            "TooManyRequestsException"
            | "LimitExceededException"
            | "TooManyFailedAttemptsException" => ApiError::throttled(),
            "InvalidParameterException" | "UnsupportedTokenTypeException" => {
                ApiError::invalid("The identity provider rejected a parameter of the request.")
            }
            "InternalErrorException"
            | "CodeDeliveryFailureException"
            | "UnexpectedLambdaException"
            | "UserLambdaValidationException"
            | "InvalidLambdaResponseException" => ApiError::UpstreamError,
            // Our configuration is wrong (unknown pool or client, missing SMS/email role, a flow the client
            // does not allow): the caller cannot fix it, the operator must. Logged by the caller of this.
            "ResourceNotFoundException"
            | "InvalidUserPoolConfigurationException"
            | "InvalidSmsRoleAccessPolicyException"
            | "InvalidSmsRoleTrustRelationshipException"
            | "InvalidEmailRoleAccessPolicyException"
            | "UnsupportedOperationException"
            | "ForbiddenException"
            | "UserPoolAddOnNotEnabledException"
            | "WebAuthnNotEnabledException"
            | "WebAuthnConfigurationMissingException" => ApiError::Internal,
            _ => ApiError::UpstreamError,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exception(name: &str) -> ApiError {
        CognitoFailure::Exception(name.into()).into_api_error("nope")
    }

    #[test]
    fn every_error_has_a_distinct_code_and_a_plain_message() {
        let all = [
            ApiError::invalid("`username` is required."),
            ApiError::PayloadTooLarge { limit: 16384 },
            ApiError::InvalidPassword,
            ApiError::CodeMismatch,
            ApiError::ExpiredCode,
            ApiError::NotAuthorized("x"),
            ApiError::UserNotConfirmed,
            ApiError::PasswordResetRequired,
            ApiError::UsernameExists,
            ApiError::AliasExists,
            ApiError::MfaNotSetUp("x"),
            ApiError::UnsupportedChallenge("CUSTOM_CHALLENGE".into()),
            ApiError::throttled(),
            ApiError::UpstreamError,
            ApiError::UpstreamUnavailable,
            ApiError::CsrfRejected,
            ApiError::UnsupportedMediaType,
            ApiError::ReauthenticationRequired,
            ApiError::PasskeyRejected("x"),
            ApiError::PasskeyNotFound,
            ApiError::NotFound,
            ApiError::MethodNotAllowed,
            ApiError::Internal,
        ];
        let codes: std::collections::HashSet<_> = all.iter().map(ApiError::code).collect();
        assert_eq!(codes.len(), all.len());
        for err in &all {
            let body = err.body();
            assert_eq!(body.as_object().unwrap().len(), 2);
            assert!(!body["message"].as_str().unwrap().is_empty());
        }
    }

    #[test]
    fn cognito_exceptions_map_to_the_contract() {
        let table = [
            ("NotAuthorizedException", "not_authorized", 401),
            ("UserNotFoundException", "not_authorized", 401),
            ("InvalidPasswordException", "invalid_password", 400),
            (
                "PasswordHistoryPolicyViolationException",
                "invalid_password",
                400,
            ),
            ("CodeMismatchException", "code_mismatch", 400),
            ("EnableSoftwareTokenMFAException", "code_mismatch", 400),
            ("ExpiredCodeException", "expired_code", 400),
            ("UserNotConfirmedException", "user_not_confirmed", 403),
            (
                "PasswordResetRequiredException",
                "password_reset_required",
                403,
            ),
            ("UsernameExistsException", "username_exists", 409),
            ("AliasExistsException", "alias_exists", 409),
            ("TooManyRequestsException", "too_many_requests", 429),
            ("LimitExceededException", "too_many_requests", 429),
            ("TooManyFailedAttemptsException", "too_many_requests", 429),
            ("InvalidParameterException", "invalid_request", 400),
            ("InternalErrorException", "upstream_error", 502),
            ("CodeDeliveryFailureException", "upstream_error", 502),
            ("ResourceNotFoundException", "internal", 500),
            ("SoftwareTokenMFANotFoundException", "mfa_not_set_up", 400),
            ("SomethingNewException", "upstream_error", 502),
        ];
        for (name, code, status) in table {
            let err = exception(name);
            assert_eq!(
                (err.code(), err.status().as_u16()),
                (code, status),
                "{name}"
            );
        }
    }

    #[test]
    fn transport_failures_map_to_502_and_503() {
        assert_eq!(
            CognitoFailure::Unavailable.into_api_error("x"),
            ApiError::UpstreamUnavailable
        );
        assert_eq!(
            CognitoFailure::BadAnswer.into_api_error("x"),
            ApiError::UpstreamError
        );
        assert_eq!(
            CognitoFailure::Local.into_api_error("x"),
            ApiError::Internal
        );
    }
}
