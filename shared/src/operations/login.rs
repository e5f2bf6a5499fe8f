//! Login: with the configured flow (password, SRP, or USER_AUTH with the password), or without a password
//! (a one-time code by email or SMS, or a choice of methods: Cognito's USER_AUTH), then each further
//! step Cognito asks for (MFA code, MFA type choice, new password).
//!
//! No enumeration: a login with a `method` answers the same status and keys whether or not the account
//! exists and has that method (a decoy `OTP_CODE` step where Cognito did not start one: see
//! `auth::passwordless`); it never falls back to sending a code another way. Every decoy is built from
//! the same source as the real answer (the pool's own settings: `pool`) and costs the same Cognito calls
//! (the table in `auth::passwordless`).

use crate::auth::challenge::{answer_challenge, next_step, BAD_SESSION};
use crate::auth::password::{authenticate, count_mfa_code};
use crate::auth::passwordless::{
    decoy_credential_id, decoy_refused, decoy_session, initiate, otp_session, reveals_the_account,
    LoginSession as Session, OtpMethod,
};
use crate::auth::steps::{LoginOutcome, LoginStep, BAD_LOGIN};
use crate::cognito::Cognito;
use crate::error::ApiError;
use crate::factors::{FirstFactor, MfaFactor};
use crate::limits::Medium;
use crate::pool::{PasskeySettings, SessionKind};
use crate::values::{AttributeMap, Code, LoginSession, Password, Username};
use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LoginRequest {
    pub username: Username,
    /// Sign in with the password (the configured LOGIN_FLOW).
    pub password: Option<Password>,
    /// Or with a one-time code sent this way, or a passkey. With neither: a `SELECT_METHOD` step.
    pub method: Option<LoginMethod>,
}

/// The first factors /login takes as `method`: every `FirstFactor` but PASSWORD (which comes as
/// `password`). A request type of its own so that the 400 for a wrong `method` lists exactly these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum LoginMethod {
    #[serde(rename = "EMAIL_OTP")]
    EmailOtp,
    #[serde(rename = "SMS_OTP")]
    SmsOtp,
    #[serde(rename = "WEB_AUTHN")]
    WebAuthn,
}

impl From<LoginMethod> for FirstFactor {
    fn from(method: LoginMethod) -> FirstFactor {
        match method {
            LoginMethod::EmailOtp => FirstFactor::EmailOtp,
            LoginMethod::SmsOtp => FirstFactor::SmsOtp,
            LoginMethod::WebAuthn => FirstFactor::WebAuthn,
        }
    }
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PasskeyRequest {
    pub username: Username,
    /// The `PASSKEY` step's, unchanged.
    pub login_session: LoginSession,
    /// The browser's AuthenticationResponseJSON (`credential.toJSON()`), as an object.
    pub credential: Map<String, Value>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SelectRequest {
    pub username: Username,
    pub login_session: LoginSession,
    pub method: FirstFactor,
    /// With `PASSWORD` only.
    pub password: Option<Password>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OtpRequest {
    pub username: Username,
    /// The `OTP_CODE` step's, unchanged.
    pub login_session: LoginSession,
    pub code: Code,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MfaRequest {
    pub username: Username,
    pub login_session: LoginSession,
    /// The code; without it, `mfaType` answers a SELECT_MFA_TYPE step.
    pub mfa_code: Option<Code>,
    /// The challenge answered (default `SMS_MFA`), or the method chosen when there is no `mfaCode`.
    pub mfa_type: Option<MfaFactor>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewPasswordRequest {
    pub username: Username,
    pub login_session: LoginSession,
    pub new_password: Password,
    /// Values for the step's `requiredAttributes`, by plain name.
    #[serde(default)]
    pub attributes: Option<AttributeMap>,
}

pub async fn login(cx: &Cognito, request: LoginRequest) -> Result<LoginOutcome, ApiError> {
    let username = request.username.as_str();
    match (request.password, request.method) {
        (Some(password), None) => {
            cx.limit_password(username).await?;
            let outcome = authenticate(cx, username, password.as_str()).await?;
            count_mfa_code(cx, username, &outcome).await;
            Ok(outcome)
        }
        (None, Some(LoginMethod::WebAuthn)) => {
            allowed(cx, FirstFactor::WebAuthn)?;
            // Before anything else, for every username alike: a pool without the settings fails here.
            let settings = cx.passkey_settings().await?;
            let answer = initiate(cx, username, Some("WEB_AUTHN"), None, None, BAD_LOGIN).await;
            passkey_step(
                cx,
                &settings,
                username,
                answer.map(|o| (o.challenge_name, o.session, o.challenge_parameters)),
            )
        }
        (None, Some(method)) => {
            let method = match method {
                LoginMethod::EmailOtp => OtpMethod::Email,
                _ => OtpMethod::Sms,
            };
            allowed(cx, method.factor())?;
            // Charged before the call, for every username alike.
            cx.limit_code(username, method.medium()).await?;
            code_login(cx, username, method).await
        }
        (None, None) if !cx.config.allows_passwordless() => {
            Err(ApiError::invalid("`password` is required."))
        }
        (None, None) => choose_method(cx, username).await,
        (Some(_), Some(_)) => Err(ApiError::invalid(
            "`method` goes without `password`: send one or the other.",
        )),
    }
}

/// A `method` outside SIGN_IN_METHODS: the same 400 for every username.
fn allowed(cx: &Cognito, method: FirstFactor) -> Result<(), ApiError> {
    if cx.config.sign_in_methods.contains(&method) {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "`method` {} is not a sign-in method of this user pool.",
            method.as_str()
        )))
    }
}

/// USER_AUTH preferring the code method: an `OTP_CODE` step, real or decoy.
async fn code_login(
    cx: &Cognito,
    username: &str,
    method: OtpMethod,
) -> Result<LoginOutcome, ApiError> {
    let answer = initiate(cx, username, Some(method.as_str()), None, None, BAD_LOGIN).await;
    otp_step(cx, method, answer.map(|o| (o.challenge_name, o.session)))
}

/// The `OTP_CODE` step for Cognito's answer to a request for a code: Cognito's session when it started
/// that very challenge, else (an unknown user, a method the user lacks) a decoy of the same shape.
fn otp_step(
    cx: &Cognito,
    method: OtpMethod,
    answer: Result<(Option<ChallengeNameType>, Option<String>), ApiError>,
) -> Result<LoginOutcome, ApiError> {
    let session_chars = match answer {
        Ok((Some(challenge), Some(session)))
            if challenge == method.challenge() && !session.is_empty() =>
        {
            cx.pool.observe_session(SessionKind::Challenge, &session);
            return Ok(LoginOutcome::Step(LoginStep::OtpCode {
                login_session: otp_session(method, &session),
                method: method.factor(),
            }));
        }
        Ok((_, session)) => decoy_chars(cx, session.as_deref()),
        Err(err) if reveals_the_account(&err) => decoy_chars(cx, None),
        Err(other) => return Err(other),
    };
    Ok(LoginOutcome::Step(LoginStep::OtpCode {
        login_session: otp_session(method, &decoy_session(cx, session_chars)),
        method: method.factor(),
    }))
}

/// What Cognito answered to a request for the WEB_AUTHN challenge.
type ChallengeAnswer = (
    Option<ChallengeNameType>,
    Option<String>,
    Option<std::collections::HashMap<String, String>>,
);

/// The length of a decoy session: that of the session Cognito gave instead (a real user's), else that of
/// the last real one this container saw.
fn decoy_chars(cx: &Cognito, session: Option<&str>) -> usize {
    match session.filter(|s| !s.is_empty()) {
        Some(session) => {
            cx.pool.observe_session(SessionKind::Challenge, session);
            session.len()
        }
        None => cx.pool.session_chars(SessionKind::Challenge),
    }
}

/// The `PASSKEY` step: Cognito's WEB_AUTHN challenge, or (an unknown user, a user without a passkey) a
/// decoy with the same keys whose options name no credential of anyone.
fn passkey_step(
    cx: &Cognito,
    settings: &PasskeySettings,
    username: &str,
    answer: Result<ChallengeAnswer, ApiError>,
) -> Result<LoginOutcome, ApiError> {
    let session_chars = match answer {
        Ok((Some(ChallengeNameType::WebAuthn), Some(session), parameters))
            if !session.is_empty() =>
        {
            let options = parameters
                .as_ref()
                .and_then(|p| p.get("CREDENTIAL_REQUEST_OPTIONS"))
                .and_then(|raw| serde_json::from_str::<Value>(raw).ok())
                .filter(Value::is_object)
                .ok_or_else(|| {
                    tracing::error!("Cognito sent a WEB_AUTHN challenge without readable CREDENTIAL_REQUEST_OPTIONS");
                    ApiError::UpstreamError
                })?;
            cx.pool.observe_session(SessionKind::Challenge, &session);
            return Ok(LoginOutcome::Step(LoginStep::Passkey {
                login_session: session,
                credential_request_options: options,
            }));
        }
        Ok((_, session, _)) => decoy_chars(cx, session.as_deref()),
        Err(err) if reveals_the_account(&err) => decoy_chars(cx, None),
        Err(other) => return Err(other),
    };
    Ok(LoginOutcome::Step(LoginStep::Passkey {
        login_session: decoy_session(cx, session_chars),
        credential_request_options: decoy_request_options(cx, settings, username),
    }))
}

/// Options shaped like Cognito's: a fresh random challenge, the pool's relying party and user
/// verification (read from the pool, as Cognito's own options are), and one credential id that is
/// nobody's, the same for a username every time (a real user's list does not change between two
/// attempts either, and an empty list would stand out).
fn decoy_request_options(cx: &Cognito, settings: &PasskeySettings, username: &str) -> Value {
    // Cognito's own shape, key for key (as captured for a real user): a 16-byte challenge, the hints
    // and attestation fields, and the credential's transports.
    let mut challenge = [0u8; 16];
    getrandom::fill(&mut challenge).expect("the OS random source is available");
    serde_json::json!({
        "hints": [],
        "attestation": "none",
        "attestationFormats": [],
        "challenge": URL_SAFE_NO_PAD.encode(challenge),
        "timeout": 180000,
        "rpId": settings.relying_party_id,
        "allowCredentials": [{
            "type": "public-key",
            "id": decoy_credential_id(cx, username),
            "transports": ["internal", "hybrid"],
        }],
        "userVerification": settings.user_verification,
    })
}

/// /login/passkey: the browser's assertion for a `PASSKEY` step.
pub async fn passkey(cx: &Cognito, request: PasskeyRequest) -> Result<LoginOutcome, ApiError> {
    let session = Session::parse(cx, request.login_session.as_str());
    cx.limit_guess(request.username.as_str()).await?;
    // Cognito takes the AuthenticationResponseJSON as a string.
    let credential = Value::Object(request.credential).to_string();
    let answer = answer_challenge(
        cx,
        ChallengeNameType::WebAuthn,
        request.username.as_str(),
        session.as_sent(),
        &[("CREDENTIAL", credential.as_str())],
    )
    .await;
    match session {
        // Sent on like a real step (the same call): Cognito refuses the made-up session.
        Session::Decoy(_) => {
            decoy_refused(answer)?;
            Err(ApiError::NotAuthorized(PASSKEY_FAILED))
        }
        Session::Cognito(_) | Session::ConfirmOnly(_) | Session::Otp { .. } => {
            let output = answer.map_err(|err| match err {
                ApiError::NotAuthorized(_) | ApiError::InvalidRequest(_) => {
                    ApiError::NotAuthorized(PASSKEY_FAILED)
                }
                other => other,
            })?;
            next_step(&output)
        }
    }
}

const PASSKEY_FAILED: &str = "The passkey sign-in failed: try again, or log in another way.";

/// USER_AUTH without a preference: Cognito's own list of the user's methods. Where Cognito offers no
/// choice (UserNotFound under LEGACY, a user with nothing to sign in with), the list is the pool's first
/// factors (what Cognito draws a real user's list from) with a decoy session, so that known and unknown
/// users get the same keys.
async fn choose_method(cx: &Cognito, username: &str) -> Result<LoginOutcome, ApiError> {
    // Read before the call, for every username alike (the first read costs a call).
    let pool_methods = cx.first_factors().await?;
    let session_chars = match initiate(cx, username, None, None, None, BAD_LOGIN).await {
        Ok(output) if output.challenge_name() == Some(&ChallengeNameType::SelectChallenge) => {
            if let Some(session) = output.session().filter(|s| !s.is_empty()) {
                cx.pool.observe_session(SessionKind::Challenge, session);
                let mut methods: Vec<FirstFactor> = Vec::new();
                for challenge in output.available_challenges() {
                    let factor = match challenge {
                        ChallengeNameType::PasswordSrp => Some(FirstFactor::Password),
                        other => FirstFactor::from_name(other.as_str()),
                    };
                    if let Some(factor) = factor.filter(|f| !methods.contains(f)) {
                        methods.push(factor);
                    }
                }
                return Ok(LoginOutcome::Step(LoginStep::SelectMethod {
                    login_session: session.to_owned(),
                    methods,
                }));
            }
            decoy_chars(cx, None)
        }
        Ok(output) => decoy_chars(cx, output.session()),
        Err(err) if reveals_the_account(&err) => decoy_chars(cx, None),
        Err(other) => return Err(other),
    };
    Ok(LoginOutcome::Step(LoginStep::SelectMethod {
        login_session: decoy_session(cx, session_chars),
        methods: pool_methods.to_vec(),
    }))
}

/// /login/select: the method chosen at a `SELECT_METHOD` step.
pub async fn select(cx: &Cognito, request: SelectRequest) -> Result<LoginOutcome, ApiError> {
    let username = request.username.as_str();
    let parsed = Session::parse(cx, request.login_session.as_str());
    let session = parsed.as_sent();
    // A decoy goes to Cognito like a real session (the same call, so the same time); what Cognito makes
    // of it is then answered as a real user's step (see `auth::passwordless`).
    let decoy = match parsed {
        Session::Decoy(_) => true,
        Session::Cognito(_) | Session::ConfirmOnly(_) | Session::Otp { .. } => false,
    };
    match (request.method, request.password) {
        (FirstFactor::Password, Some(password)) => {
            allowed(cx, FirstFactor::Password)?;
            cx.limit_password(username).await?;
            let answers = [("ANSWER", "PASSWORD"), ("PASSWORD", password.as_str())];
            let answer = answer_challenge(
                cx,
                ChallengeNameType::SelectChallenge,
                username,
                session,
                &answers,
            )
            .await;
            if decoy {
                decoy_refused(answer)?;
                return Err(ApiError::NotAuthorized(BAD_LOGIN));
            }
            let output = answer.map_err(|err| match err {
                // Also what an unknown user's simulated session may get: the same words.
                ApiError::NotAuthorized(_) | ApiError::InvalidRequest(_) => {
                    ApiError::NotAuthorized(BAD_LOGIN)
                }
                other => other,
            })?;
            let outcome = next_step(&output)?;
            count_mfa_code(cx, username, &outcome).await;
            Ok(outcome)
        }
        (FirstFactor::WebAuthn, None) => {
            allowed(cx, FirstFactor::WebAuthn)?;
            let settings = cx.passkey_settings().await?;
            let answer = answer_challenge(
                cx,
                ChallengeNameType::SelectChallenge,
                username,
                session,
                &[("ANSWER", "WEB_AUTHN")],
            )
            .await;
            if decoy {
                decoy_refused(answer)?;
                let same_length = Some(session.to_owned());
                return passkey_step(cx, &settings, username, Ok((None, same_length, None)));
            }
            let answer = match answer {
                Err(ApiError::NotAuthorized(_)) => {
                    return Err(ApiError::NotAuthorized(BAD_SESSION))
                }
                other => other.map(|o| (o.challenge_name, o.session, o.challenge_parameters)),
            };
            passkey_step(cx, &settings, username, answer)
        }
        (FirstFactor::Password, None) => Err(ApiError::invalid(
            "`password` is required with `method` PASSWORD.",
        )),
        (_, Some(_)) => Err(ApiError::invalid(
            "`password` goes only with `method` PASSWORD.",
        )),
        (code_method, None) => {
            let method = match code_method {
                FirstFactor::EmailOtp => OtpMethod::Email,
                _ => OtpMethod::Sms,
            };
            allowed(cx, method.factor())?;
            cx.limit_code(username, method.medium()).await?;
            let answer = answer_challenge(
                cx,
                ChallengeNameType::SelectChallenge,
                username,
                session,
                &[("ANSWER", method.as_str())],
            )
            .await;
            if decoy {
                decoy_refused(answer)?;
                return otp_step(cx, method, Ok((None, Some(session.to_owned()))));
            }
            let answer = match answer {
                // The login session itself is gone: say so (it reveals nothing of the account).
                Err(ApiError::NotAuthorized(_)) => {
                    return Err(ApiError::NotAuthorized(BAD_SESSION))
                }
                other => other.map(|o| (o.challenge_name, o.session)),
            };
            otp_step(cx, method, answer)
        }
    }
}

/// /login/otp: the one-time code of an `OTP_CODE` step, as a first factor.
pub async fn otp(cx: &Cognito, request: OtpRequest) -> Result<LoginOutcome, ApiError> {
    let (method, session, decoy) = match Session::parse(cx, request.login_session.as_str()) {
        Session::Otp {
            method,
            session,
            decoy,
            ..
        } => (method, session, decoy),
        // Not an OTP_CODE step's: gone, as far as this step can tell.
        Session::Cognito(_) | Session::Decoy(_) | Session::ConfirmOnly(_) => {
            return Err(ApiError::NotAuthorized(BAD_SESSION))
        }
    };
    cx.limit_guess(request.username.as_str()).await?;
    let answer = answer_challenge(
        cx,
        method.challenge(),
        request.username.as_str(),
        session,
        &[(method.code_parameter(), request.code.as_str())],
    )
    .await;
    if decoy {
        // Sent on like a real step (the same call): Cognito refuses the made-up session, and the answer
        // is a wrong code's.
        decoy_refused(answer)?;
        return Err(ApiError::CodeMismatch);
    }
    next_step(&answer?)
}

pub async fn mfa(cx: &Cognito, request: MfaRequest) -> Result<LoginOutcome, ApiError> {
    let (challenge, answer) = match (&request.mfa_code, request.mfa_type) {
        (Some(code), mfa_type) => {
            let mfa_type = mfa_type.unwrap_or(MfaFactor::Sms);
            (
                mfa_type.challenge(),
                (mfa_type.code_parameter(), code.as_str()),
            )
        }
        (None, Some(mfa_type)) => (
            ChallengeNameType::SelectMfaType,
            ("ANSWER", mfa_type.as_str()),
        ),
        (None, None) => return Err(ApiError::invalid("`mfaCode` is required.")),
    };
    let username = request.username.as_str();
    match (&request.mfa_code, request.mfa_type) {
        (Some(_), _) => cx.limit_guess(username).await?,
        // Choosing SMS or email MFA makes Cognito send the code.
        (None, Some(MfaFactor::Sms)) => cx.limit_code(username, Medium::Sms).await?,
        (None, Some(MfaFactor::Email)) => cx.limit_code(username, Medium::Email).await?,
        (None, _) => {}
    }
    let output = answer_challenge(
        cx,
        challenge,
        request.username.as_str(),
        request.login_session.as_str(),
        &[answer],
    )
    .await?;
    next_step(&output)
}

pub async fn new_password(
    cx: &Cognito,
    request: NewPasswordRequest,
) -> Result<LoginOutcome, ApiError> {
    let attributes = request.attributes.unwrap_or_default().0;
    let attribute_keys: Vec<(String, &str)> = attributes
        .iter()
        .map(|(name, value)| (format!("userAttributes.{}", name.as_str()), value.as_str()))
        .collect();
    let mut answers: Vec<(&str, &str)> = vec![("NEW_PASSWORD", request.new_password.as_str())];
    answers.extend(attribute_keys.iter().map(|(k, v)| (k.as_str(), *v)));
    let output = answer_challenge(
        cx,
        ChallengeNameType::NewPasswordRequired,
        request.username.as_str(),
        request.login_session.as_str(),
        &answers,
    )
    .await?;
    next_step(&output)
}
